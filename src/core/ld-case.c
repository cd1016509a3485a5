/* ld-case.c: a case: one application under review, as stored in the cases table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ld-case.h"

struct _LdCase
{
  GObject  parent_instance;

  char    *fields[LD_CASE_N_FIELDS];
  gint64   version;
  LdClock  clock;
  char    *case_type;
};

G_DEFINE_FINAL_TYPE (LdCase, ld_case, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_VERSION = LD_CASE_N_FIELDS + 1,
  PROP_CASE_TYPE,
  PROP_LIGHT,
  PROP_DEADLINE,
  PROP_REMAINING_WORKDAYS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const field_names[LD_CASE_N_FIELDS] = {
  "id", "number", "matter", "title", "applicant", "project_use", "stage", "status",
  "suspend_kind", "suspended_on", "assignee", "received_on", "accepted_on", "closed_on",
  "supply_method"
};

static void
ld_case_finalize (GObject *object)
{
  LdCase *self = LD_CASE (object);

  for (guint i = 0; i < LD_CASE_N_FIELDS; i++)
    g_free (self->fields[i]);
  g_free (self->case_type);

  G_OBJECT_CLASS (ld_case_parent_class)->finalize (object);
}

static void
ld_case_get_property (GObject    *object,
                   guint       prop_id,
                   GValue     *value,
                   GParamSpec *pspec)
{
  LdCase *self = LD_CASE (object);

  if (prop_id == PROP_VERSION)
    g_value_set_int64 (value, self->version);
  else if (prop_id == PROP_CASE_TYPE)
    g_value_set_string (value, self->case_type);
  else if (prop_id == PROP_LIGHT)
    g_value_set_string (value, ld_light_to_string (self->clock.light));
  else if (prop_id == PROP_DEADLINE)
    g_value_take_string (value, ld_date_format (&self->clock.deadline));
  else if (prop_id == PROP_REMAINING_WORKDAYS)
    g_value_set_int (value, self->clock.remaining);
  else if (prop_id >= 1 && prop_id <= LD_CASE_N_FIELDS)
    g_value_set_string (value, self->fields[prop_id - 1]);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ld_case_set_property (GObject      *object,
                   guint         prop_id,
                   const GValue *value,
                   GParamSpec   *pspec)
{
  LdCase *self = LD_CASE (object);

  if (prop_id == PROP_VERSION)
    ld_case_set_version (self, g_value_get_int64 (value));
  else if (prop_id >= 1 && prop_id <= LD_CASE_N_FIELDS)
    ld_case_set (self, prop_id - 1, g_value_get_string (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ld_case_class_init (LdCaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ld_case_finalize;
  object_class->get_property = ld_case_get_property;
  object_class->set_property = ld_case_set_property;

  for (guint i = 0; i < LD_CASE_N_FIELDS; i++)
    {
      g_autofree char *name = g_strdelimit (g_strdup (field_names[i]), "_", '-');

      properties[i + 1] = g_param_spec_string (g_intern_string (name), NULL, NULL, NULL,
                                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                               | G_PARAM_STATIC_STRINGS);
    }
  properties[PROP_VERSION] =
    g_param_spec_int64 ("version", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CASE_TYPE] =
    g_param_spec_string ("case-type", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LIGHT] =
    g_param_spec_string ("light", NULL, NULL, "none", G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEADLINE] =
    g_param_spec_string ("deadline", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_REMAINING_WORKDAYS] =
    g_param_spec_int ("remaining-workdays", NULL, NULL, G_MININT, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ld_case_init (LdCase *self)
{
  g_date_clear (&self->clock.deadline, 1);
  g_date_clear (&self->clock.yellow_on, 1);
}

LdCase *
ld_case_new (void)
{
  return g_object_new (LD_TYPE_CASE, NULL);
}

LdCase *
ld_case_copy (LdCase *self)
{
  LdCase *copy = ld_case_new ();

  for (guint i = 0; i < LD_CASE_N_FIELDS; i++)
    copy->fields[i] = g_strdup (self->fields[i]);
  copy->version = self->version;
  copy->clock = self->clock;
  copy->case_type = g_strdup (self->case_type);
  return copy;
}

const char *
ld_case_field_name (LdCaseField field)
{
  g_return_val_if_fail (field < LD_CASE_N_FIELDS, NULL);
  return field_names[field];
}

/* Returns: the field named @column, or -1 */
int
ld_case_find_field (const char *column)
{
  for (guint i = 0; i < LD_CASE_N_FIELDS; i++)
    if (g_strcmp0 (field_names[i], column) == 0)
      return (int) i;
  return -1;
}

const char *
ld_case_get (LdCase   *self,
            LdCaseField field)
{
  g_return_val_if_fail (LD_IS_CASE (self), NULL);
  g_return_val_if_fail (field < LD_CASE_N_FIELDS, NULL);
  return self->fields[field];
}

/* Sets a field; an empty string is stored as NULL (SQL NULL). */
void
ld_case_set (LdCase   *self,
            LdCaseField field,
            const char *value)
{
  g_return_if_fail (LD_IS_CASE (self));
  g_return_if_fail (field < LD_CASE_N_FIELDS);

  if (value != NULL && *value == '\0')
    value = NULL;
  if (g_strcmp0 (self->fields[field], value) == 0)
    return;
  g_free (self->fields[field]);
  self->fields[field] = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[field + 1]);
}

gint64
ld_case_get_version (LdCase *self)
{
  return self->version;
}

void
ld_case_set_version (LdCase *self,
                    gint64 version)
{
  if (self->version == version)
    return;
  self->version = version;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERSION]);
}

const LdClock *
ld_case_get_clock (LdCase *self)
{
  g_return_val_if_fail (LD_IS_CASE (self), NULL);
  return &self->clock;
}

void
ld_case_set_clock (LdCase        *self,
                   const LdClock *clock)
{
  g_return_if_fail (LD_IS_CASE (self));
  self->clock = *clock;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIGHT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEADLINE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMAINING_WORKDAYS]);
}

const char *
ld_case_get_case_type (LdCase *self)
{
  g_return_val_if_fail (LD_IS_CASE (self), NULL);
  return self->case_type;
}

void
ld_case_set_case_type (LdCase     *self,
                       const char *case_type)
{
  g_return_if_fail (LD_IS_CASE (self));
  if (g_strcmp0 (self->case_type, case_type) == 0)
    return;
  g_free (self->case_type);
  self->case_type = g_strdup (case_type);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CASE_TYPE]);
}
