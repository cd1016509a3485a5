/* ld-case.h: a case: one application under review, as stored in the cases table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ld-record.h"

#include "ld-clock.h"

G_BEGIN_DECLS

/* The record's text fields, named as the table's columns; properties use '-' for '_'. */
typedef enum
{
  LD_CASE_ID,
  LD_CASE_NUMBER,
  LD_CASE_MATTER,
  LD_CASE_TITLE,
  LD_CASE_APPLICANT,
  LD_CASE_PROJECT_USE,
  LD_CASE_STAGE,
  LD_CASE_STATUS,
  LD_CASE_SUSPEND_KIND,
  LD_CASE_SUSPENDED_ON,
  LD_CASE_ASSIGNEE,
  LD_CASE_RECEIVED_ON,
  LD_CASE_ACCEPTED_ON,
  LD_CASE_CLOSED_ON,
  LD_CASE_SUPPLY_METHOD,
  LD_CASE_N_FIELDS
} LdCaseField;

#define LD_TYPE_CASE (ld_case_get_type ())

G_DECLARE_FINAL_TYPE (LdCase, ld_case, LD, CASE, LdRecord)

LdCase       *ld_case_new          (void);
LdCase       *ld_case_copy         (LdCase   *self);
const char   *ld_case_field_name   (LdCaseField field);
int           ld_case_find_field   (const char *column);
const char   *ld_case_get          (LdCase   *self,
                                     LdCaseField field);
void          ld_case_set          (LdCase   *self,
                                     LdCaseField field,
                                     const char *value);
gint64        ld_case_get_version  (LdCase   *self);
void          ld_case_set_version  (LdCase   *self,
                                     gint64      version);

/* Derived, not stored: the clock as of the day the case was read, and the matter's case type. */
const LdClock *ld_case_get_clock     (LdCase        *self);
void          ld_case_set_clock     (LdCase        *self,
                                     const LdClock *clock);
const char   *ld_case_get_case_type (LdCase        *self);
void          ld_case_set_case_type (LdCase        *self,
                                     const char    *case_type);

G_END_DECLS
