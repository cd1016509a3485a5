/* ld-user.c: a user of the workbench: login, Chinese display name, role, unit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ld-user.h"

struct _LdUser
{
  LdRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (LdUser, ld_user, LD_TYPE_RECORD)

static const char * const field_names[LD_USER_N_FIELDS] = {
  "login", "display_name", "role", "unit"
};

static void
ld_user_class_init (LdUserClass *klass)
{
  ld_record_class_install_fields (LD_RECORD_CLASS (klass), field_names, LD_USER_N_FIELDS);
}

static void
ld_user_init (LdUser *self)
{
}

LdUser *
ld_user_new (void)
{
  return g_object_new (LD_TYPE_USER, NULL);
}

LdUser *
ld_user_copy (LdUser *self)
{
  return LD_USER (ld_record_copy (LD_RECORD (self)));
}

const char *
ld_user_field_name (LdUserField field)
{
  g_return_val_if_fail (field < LD_USER_N_FIELDS, NULL);
  return field_names[field];
}

/* Returns: the field named @column, or -1 */
int
ld_user_find_field (const char *column)
{
  return ld_record_names_find (field_names, LD_USER_N_FIELDS, column);
}

const char *
ld_user_get (LdUser      *self,
             LdUserField  field)
{
  g_return_val_if_fail (LD_IS_USER (self), NULL);
  return ld_record_get (LD_RECORD (self), field);
}

/* Sets a field; an empty string is stored as NULL (SQL NULL). */
void
ld_user_set (LdUser      *self,
             LdUserField  field,
             const char  *value)
{
  g_return_if_fail (LD_IS_USER (self));
  ld_record_set (LD_RECORD (self), field, value);
}

gint64
ld_user_get_version (LdUser *self)
{
  return ld_record_get_version (LD_RECORD (self));
}

void
ld_user_set_version (LdUser *self,
                     gint64  version)
{
  ld_record_set_version (LD_RECORD (self), version);
}
