/* ld-case-event.c: one logged step of a case (the stage log, 全过程留痕)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ld-case-event.h"

struct _LdCaseEvent
{
  GObject  parent_instance;

  char    *fields[LD_CASE_EVENT_N_FIELDS];
  gint64   version;
};

G_DEFINE_FINAL_TYPE (LdCaseEvent, ld_case_event, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_VERSION = LD_CASE_EVENT_N_FIELDS + 1,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const field_names[LD_CASE_EVENT_N_FIELDS] = {
  "id", "case_id", "action", "from_stage", "to_stage", "actor", "at", "opinion"
};

static void
ld_case_event_finalize (GObject *object)
{
  LdCaseEvent *self = LD_CASE_EVENT (object);

  for (guint i = 0; i < LD_CASE_EVENT_N_FIELDS; i++)
    g_free (self->fields[i]);

  G_OBJECT_CLASS (ld_case_event_parent_class)->finalize (object);
}

static void
ld_case_event_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  LdCaseEvent *self = LD_CASE_EVENT (object);

  if (prop_id == PROP_VERSION)
    g_value_set_int64 (value, self->version);
  else if (prop_id >= 1 && prop_id <= LD_CASE_EVENT_N_FIELDS)
    g_value_set_string (value, self->fields[prop_id - 1]);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ld_case_event_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  LdCaseEvent *self = LD_CASE_EVENT (object);

  if (prop_id == PROP_VERSION)
    ld_case_event_set_version (self, g_value_get_int64 (value));
  else if (prop_id >= 1 && prop_id <= LD_CASE_EVENT_N_FIELDS)
    ld_case_event_set (self, prop_id - 1, g_value_get_string (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ld_case_event_class_init (LdCaseEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ld_case_event_finalize;
  object_class->get_property = ld_case_event_get_property;
  object_class->set_property = ld_case_event_set_property;

  for (guint i = 0; i < LD_CASE_EVENT_N_FIELDS; i++)
    {
      g_autofree char *name = g_strdelimit (g_strdup (field_names[i]), "_", '-');

      properties[i + 1] = g_param_spec_string (g_intern_string (name), NULL, NULL, NULL,
                                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                               | G_PARAM_STATIC_STRINGS);
    }
  properties[PROP_VERSION] =
    g_param_spec_int64 ("version", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ld_case_event_init (LdCaseEvent *self)
{
}

LdCaseEvent *
ld_case_event_new (void)
{
  return g_object_new (LD_TYPE_CASE_EVENT, NULL);
}

LdCaseEvent *
ld_case_event_copy (LdCaseEvent *self)
{
  LdCaseEvent *copy = ld_case_event_new ();

  for (guint i = 0; i < LD_CASE_EVENT_N_FIELDS; i++)
    copy->fields[i] = g_strdup (self->fields[i]);
  copy->version = self->version;
  return copy;
}

const char *
ld_case_event_field_name (LdCaseEventField field)
{
  g_return_val_if_fail (field < LD_CASE_EVENT_N_FIELDS, NULL);
  return field_names[field];
}

/* Returns: the field named @column, or -1 */
int
ld_case_event_find_field (const char *column)
{
  for (guint i = 0; i < LD_CASE_EVENT_N_FIELDS; i++)
    if (g_strcmp0 (field_names[i], column) == 0)
      return (int) i;
  return -1;
}

const char *
ld_case_event_get (LdCaseEvent   *self,
                  LdCaseEventField field)
{
  g_return_val_if_fail (LD_IS_CASE_EVENT (self), NULL);
  g_return_val_if_fail (field < LD_CASE_EVENT_N_FIELDS, NULL);
  return self->fields[field];
}

/* Sets a field; an empty string is stored as NULL (SQL NULL). */
void
ld_case_event_set (LdCaseEvent   *self,
                  LdCaseEventField field,
                  const char *value)
{
  g_return_if_fail (LD_IS_CASE_EVENT (self));
  g_return_if_fail (field < LD_CASE_EVENT_N_FIELDS);

  if (value != NULL && *value == '\0')
    value = NULL;
  if (g_strcmp0 (self->fields[field], value) == 0)
    return;
  g_free (self->fields[field]);
  self->fields[field] = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[field + 1]);
}

gint64
ld_case_event_get_version (LdCaseEvent *self)
{
  return self->version;
}

void
ld_case_event_set_version (LdCaseEvent *self,
                          gint64 version)
{
  if (self->version == version)
    return;
  self->version = version;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERSION]);
}
