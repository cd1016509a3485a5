/* ld-server-store.c: the server's storage back end, behind an interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ld-server-store.h"

G_DEFINE_INTERFACE (LdServerStore, ld_server_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-server-store-error-quark, ld_server_store_error)

static void
ld_server_store_default_init (LdServerStoreInterface *iface)
{
}

const char *
ld_server_store_get_kind (LdServerStore *self)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), NULL);
  return LD_SERVER_STORE_GET_IFACE (self)->get_kind (self);
}

gboolean
ld_server_store_check (LdServerStore *self)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), FALSE);
  return LD_SERVER_STORE_GET_IFACE (self)->check (self);
}

gboolean
ld_server_store_begin (LdServerStore *self,
                       GError **error)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), FALSE);
  return LD_SERVER_STORE_GET_IFACE (self)->begin (self, error);
}

gboolean
ld_server_store_commit (LdServerStore *self,
                        GError **error)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), FALSE);
  return LD_SERVER_STORE_GET_IFACE (self)->commit (self, error);
}

void
ld_server_store_rollback (LdServerStore *self)
{
  g_return_if_fail (LD_IS_SERVER_STORE (self));
  LD_SERVER_STORE_GET_IFACE (self)->rollback (self);
}

char *
ld_server_store_get_meta (LdServerStore *self,
                          const char *key)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), NULL);
  return LD_SERVER_STORE_GET_IFACE (self)->get_meta (self, key);
}

gboolean
ld_server_store_set_meta (LdServerStore *self,
                          const char *key,
                          const char *value,
                          GError **error)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), FALSE);
  return LD_SERVER_STORE_GET_IFACE (self)->set_meta (self, key, value, error);
}

gboolean
ld_server_store_put_user (LdServerStore *self,
                          const LdServerUser *user,
                          const char *password_hash,
                          GError **error)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), FALSE);
  return LD_SERVER_STORE_GET_IFACE (self)->put_user (self, user, password_hash, error);
}

LdServerUser *
ld_server_store_get_user (LdServerStore *self,
                          const char *login,
                          char **password_hash,
                          GError **error)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), NULL);
  return LD_SERVER_STORE_GET_IFACE (self)->get_user (self, login, password_hash, error);
}

gboolean
ld_server_store_put_token (LdServerStore *self,
                           const char *token_hash,
                           const char *login,
                           gint64 expires_at,
                           GError **error)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), FALSE);
  return LD_SERVER_STORE_GET_IFACE (self)->put_token (self, token_hash, login, expires_at, error);
}

LdServerUser *
ld_server_store_lookup_token (LdServerStore *self,
                              const char *token_hash,
                              gint64 now,
                              GError **error)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), NULL);
  return LD_SERVER_STORE_GET_IFACE (self)->lookup_token (self, token_hash, now, error);
}

LdServerRecord *
ld_server_store_get_record (LdServerStore *self,
                            const char *entity,
                            const char *id,
                            GError **error)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), NULL);
  return LD_SERVER_STORE_GET_IFACE (self)->get_record (self, entity, id, error);
}

gboolean
ld_server_store_get_op (LdServerStore *self,
                        const char *op_id,
                        gint64 *version,
                        GError **error)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), FALSE);
  return LD_SERVER_STORE_GET_IFACE (self)->get_op (self, op_id, version, error);
}

gboolean
ld_server_store_put_op (LdServerStore *self,
                        const char *op_id,
                        const char *login,
                        const char *entity,
                        const char *entity_id,
                        gint64 version,
                        GError **error)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), FALSE);
  return LD_SERVER_STORE_GET_IFACE (self)->put_op (self, op_id, login, entity, entity_id, version, error);
}

GString *
ld_server_store_list_changes (LdServerStore *self,
                              const LdServerViewer *viewer,
                              gint64 since,
                              guint limit,
                              gint64 *next,
                              gboolean *more,
                              GError **error)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), NULL);
  return LD_SERVER_STORE_GET_IFACE (self)->list_changes (self, viewer, since, limit, next, more, error);
}

gboolean
ld_server_store_case_visible (LdServerStore *self,
                              const LdServerViewer *viewer,
                              const char *case_id)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), FALSE);
  return LD_SERVER_STORE_GET_IFACE (self)->case_visible (self, viewer, case_id);
}

gboolean
ld_server_store_put_blob (LdServerStore *self,
                          const char *sha256,
                          gint64 size,
                          const char *owner,
                          GError **error)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), FALSE);
  return LD_SERVER_STORE_GET_IFACE (self)->put_blob (self, sha256, size, owner, error);
}

gboolean
ld_server_store_has_blob (LdServerStore *self,
                          const char *sha256)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), FALSE);
  return LD_SERVER_STORE_GET_IFACE (self)->has_blob (self, sha256);
}

gboolean
ld_server_store_blob_visible (LdServerStore *self,
                              const LdServerViewer *viewer,
                              const char *sha256)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), FALSE);
  return LD_SERVER_STORE_GET_IFACE (self)->blob_visible (self, viewer, sha256);
}

gint64
ld_server_store_put_record (LdServerStore *self,
                            const LdServerRecord *record,
                            GError **error)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), -1);
  return LD_SERVER_STORE_GET_IFACE (self)->put_record (self, record, error);
}

gint64
ld_server_store_head_seq (LdServerStore *self)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), -1);
  return LD_SERVER_STORE_GET_IFACE (self)->head_seq (self);
}

/**
 * ld_server_store_reemit_case:
 *
 * Appends the current state of every record of the case (its stage log, opinions,
 * attachments, red lines) to the change feed again: a user who can see the case only from
 * now on (it was reassigned to them, or reached a stage their role acts on) gets them beyond
 * their cursor.
 */
gboolean
ld_server_store_reemit_case (LdServerStore  *self,
                             const char     *case_id,
                             GError        **error)
{
  g_return_val_if_fail (LD_IS_SERVER_STORE (self), FALSE);
  return LD_SERVER_STORE_GET_IFACE (self)->reemit_case (self, case_id, error);
}

LdServerUser *
ld_server_user_copy (const LdServerUser *user)
{
  LdServerUser *copy = g_new0 (LdServerUser, 1);

  copy->login = g_strdup (user->login);
  copy->display_name = g_strdup (user->display_name);
  copy->role = g_strdup (user->role);
  copy->unit = g_strdup (user->unit);
  return copy;
}

void
ld_server_user_free (LdServerUser *user)
{
  if (user == NULL)
    return;
  g_free (user->login);
  g_free (user->display_name);
  g_free (user->role);
  g_free (user->unit);
  g_free (user);
}

LdServerRecord *
ld_server_record_new (const char *entity,
                      const char *id)
{
  LdServerRecord *record = g_new0 (LdServerRecord, 1);

  record->entity = g_strdup (entity);
  record->id = g_strdup (id);
  record->data = json_object_new ();
  return record;
}

void
ld_server_record_free (LdServerRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->entity);
  g_free (record->id);
  g_free (record->case_id);
  g_free (record->owner);
  g_clear_pointer (&record->data, json_object_unref);
  g_free (record);
}
