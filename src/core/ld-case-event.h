/* ld-case-event.h: one logged step of a case (the stage log, 全过程留痕)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ld-record.h"

G_BEGIN_DECLS

/* The record's text fields, named as the table's columns; properties use '-' for '_'. */
typedef enum
{
  LD_CASE_EVENT_ID,
  LD_CASE_EVENT_CASE_ID,
  LD_CASE_EVENT_ACTION,
  LD_CASE_EVENT_FROM_STAGE,
  LD_CASE_EVENT_TO_STAGE,
  LD_CASE_EVENT_ACTOR,
  LD_CASE_EVENT_AT,
  LD_CASE_EVENT_OPINION,
  LD_CASE_EVENT_N_FIELDS
} LdCaseEventField;

#define LD_TYPE_CASE_EVENT (ld_case_event_get_type ())

G_DECLARE_FINAL_TYPE (LdCaseEvent, ld_case_event, LD, CASE_EVENT, LdRecord)

LdCaseEvent  *ld_case_event_new          (void);
LdCaseEvent  *ld_case_event_copy         (LdCaseEvent   *self);
const char   *ld_case_event_field_name   (LdCaseEventField field);
int           ld_case_event_find_field   (const char *column);
const char   *ld_case_event_get          (LdCaseEvent   *self,
                                     LdCaseEventField field);
void          ld_case_event_set          (LdCaseEvent   *self,
                                     LdCaseEventField field,
                                     const char *value);
gint64        ld_case_event_get_version  (LdCaseEvent   *self);
void          ld_case_event_set_version  (LdCaseEvent   *self,
                                     gint64      version);

G_END_DECLS
