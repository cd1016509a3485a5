/* ld-user.h: a user of the workbench: login, Chinese display name, role, unit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ld-record.h"

G_BEGIN_DECLS

/* The record's text fields, named as the table's columns; properties use '-' for '_'. */
typedef enum
{
  LD_USER_LOGIN,
  LD_USER_DISPLAY_NAME,
  LD_USER_ROLE,
  LD_USER_UNIT,
  LD_USER_N_FIELDS
} LdUserField;

#define LD_TYPE_USER (ld_user_get_type ())

G_DECLARE_FINAL_TYPE (LdUser, ld_user, LD, USER, LdRecord)

LdUser       *ld_user_new          (void);
LdUser       *ld_user_copy         (LdUser   *self);
const char   *ld_user_field_name   (LdUserField field);
int           ld_user_find_field   (const char *column);
const char   *ld_user_get          (LdUser   *self,
                                     LdUserField field);
void          ld_user_set          (LdUser   *self,
                                     LdUserField field,
                                     const char *value);
gint64        ld_user_get_version  (LdUser   *self);
void          ld_user_set_version  (LdUser   *self,
                                     gint64      version);

G_END_DECLS
