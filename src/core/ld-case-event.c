/* ld-case-event.c: one logged step of a case (the stage log, 全过程留痕)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ld-case-event.h"

struct _LdCaseEvent
{
  LdRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (LdCaseEvent, ld_case_event, LD_TYPE_RECORD)

static const char * const field_names[LD_CASE_EVENT_N_FIELDS] = {
  "id", "case_id", "action", "from_stage", "to_stage", "actor", "at", "opinion"
};

static void
ld_case_event_class_init (LdCaseEventClass *klass)
{
  ld_record_class_install_fields (LD_RECORD_CLASS (klass), field_names, LD_CASE_EVENT_N_FIELDS);
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
  return LD_CASE_EVENT (ld_record_copy (LD_RECORD (self)));
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
  return ld_record_names_find (field_names, LD_CASE_EVENT_N_FIELDS, column);
}

const char *
ld_case_event_get (LdCaseEvent      *self,
                   LdCaseEventField  field)
{
  g_return_val_if_fail (LD_IS_CASE_EVENT (self), NULL);
  return ld_record_get (LD_RECORD (self), field);
}

/* Sets a field; an empty string is stored as NULL (SQL NULL). */
void
ld_case_event_set (LdCaseEvent      *self,
                   LdCaseEventField  field,
                   const char       *value)
{
  g_return_if_fail (LD_IS_CASE_EVENT (self));
  ld_record_set (LD_RECORD (self), field, value);
}

gint64
ld_case_event_get_version (LdCaseEvent *self)
{
  return ld_record_get_version (LD_RECORD (self));
}

void
ld_case_event_set_version (LdCaseEvent *self,
                           gint64      version)
{
  ld_record_set_version (LD_RECORD (self), version);
}
