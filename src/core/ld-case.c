/* ld-case.c: a case: one application under review, as stored in the cases table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ld-case.h"

struct _LdCase
{
  LdRecord  parent_instance;

  LdClock   clock;
  char     *case_type;
};

G_DEFINE_FINAL_TYPE (LdCase, ld_case, LD_TYPE_RECORD)

/* The record's fields are properties 1..LD_CASE_N_FIELDS and "version" the next. */
enum {
  PROP_CASE_TYPE = LD_CASE_N_FIELDS + 2,
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

  if (prop_id == PROP_CASE_TYPE)
    g_value_set_string (value, self->case_type);
  else if (prop_id == PROP_LIGHT)
    g_value_set_string (value, ld_light_to_string (self->clock.light));
  else if (prop_id == PROP_DEADLINE)
    g_value_take_string (value, ld_date_format (&self->clock.deadline));
  else if (prop_id == PROP_REMAINING_WORKDAYS)
    g_value_set_int (value, self->clock.remaining);
  else
    G_OBJECT_CLASS (ld_case_parent_class)->get_property (object, prop_id, value, pspec);
}

static void
ld_case_class_init (LdCaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ld_case_finalize;
  object_class->get_property = ld_case_get_property;

  ld_record_class_install_fields (LD_RECORD_CLASS (klass), field_names, LD_CASE_N_FIELDS);
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
  for (guint i = PROP_CASE_TYPE; i < N_PROPS; i++)
    g_object_class_install_property (object_class, i, properties[i]);
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
  LdCase *copy = LD_CASE (ld_record_copy (LD_RECORD (self)));

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
  return ld_record_names_find (field_names, LD_CASE_N_FIELDS, column);
}

const char *
ld_case_get (LdCase      *self,
             LdCaseField  field)
{
  g_return_val_if_fail (LD_IS_CASE (self), NULL);
  return ld_record_get (LD_RECORD (self), field);
}

/* Sets a field; an empty string is stored as NULL (SQL NULL). */
void
ld_case_set (LdCase      *self,
             LdCaseField  field,
             const char  *value)
{
  g_return_if_fail (LD_IS_CASE (self));
  ld_record_set (LD_RECORD (self), field, value);
}

gint64
ld_case_get_version (LdCase *self)
{
  return ld_record_get_version (LD_RECORD (self));
}

void
ld_case_set_version (LdCase *self,
                     gint64  version)
{
  ld_record_set_version (LD_RECORD (self), version);
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
