/* ld-server-store.h: the server's storage back end, behind an interface
 *
 * The HTTP routes speak only to LdServerStore; LdServerStoreSqlite is the embedded back end
 * (one SQLite file in WAL mode). A PostgreSQL back end implements the same interface.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define LD_SERVER_STORE_ERROR (ld_server_store_error_quark ())

typedef enum
{
  LD_SERVER_STORE_ERROR_OPEN,
  LD_SERVER_STORE_ERROR_IO,
  LD_SERVER_STORE_ERROR_CORRUPT,
} LdServerStoreError;

/* A user as the routes see it: never carries the password hash. */
typedef struct
{
  char *login;
  char *display_name;
  char *role;
  char *unit;
} LdServerUser;

/* One synchronised record (a case, a stage-log entry, an opinion, ...): its fields are @data. */
typedef struct
{
  char       *entity;
  char       *id;
  gint64      version;
  char       *case_id;   /* the case it belongs to, NULL for reference data */
  char       *owner;     /* login of its creator, NULL for loaded data */
  gboolean    deleted;
  JsonObject *data;
} LdServerRecord;

/* Who is asking, for the change feed's and the blobs' visibility filter. */
typedef struct
{
  const char         *login;
  gboolean            sees_all;
  const char * const *stages;   /* stages whose cases the user's role acts on */
} LdServerViewer;

#define LD_TYPE_SERVER_STORE (ld_server_store_get_type ())

G_DECLARE_INTERFACE (LdServerStore, ld_server_store, LD, SERVER_STORE, GObject)

struct _LdServerStoreInterface
{
  GTypeInterface parent_iface;

  const char     *(*get_kind)       (LdServerStore        *self);
  gboolean        (*check)          (LdServerStore        *self);
  gboolean        (*begin)          (LdServerStore        *self,
                                     GError              **error);
  gboolean        (*commit)         (LdServerStore        *self,
                                     GError              **error);
  void            (*rollback)       (LdServerStore        *self);
  char           *(*get_meta)       (LdServerStore        *self,
                                     const char           *key);
  gboolean        (*set_meta)       (LdServerStore        *self,
                                     const char           *key,
                                     const char           *value,
                                     GError              **error);
  gboolean        (*put_user)       (LdServerStore        *self,
                                     const LdServerUser   *user,
                                     const char           *password_hash,
                                     GError              **error);
  LdServerUser   *(*get_user)       (LdServerStore        *self,
                                     const char           *login,
                                     char                **password_hash,
                                     GError              **error);
  gboolean        (*put_token)      (LdServerStore        *self,
                                     const char           *token_hash,
                                     const char           *login,
                                     gint64                expires_at,
                                     GError              **error);
  LdServerUser   *(*lookup_token)   (LdServerStore        *self,
                                     const char           *token_hash,
                                     gint64                now,
                                     GError              **error);
  LdServerRecord *(*get_record)     (LdServerStore        *self,
                                     const char           *entity,
                                     const char           *id,
                                     GError              **error);
  gint64          (*put_record)     (LdServerStore        *self,
                                     const LdServerRecord *record,
                                     GError              **error);
  gboolean        (*get_op)         (LdServerStore        *self,
                                     const char           *op_id,
                                     gint64               *version,
                                     GError              **error);
  gboolean        (*put_op)         (LdServerStore        *self,
                                     const char           *op_id,
                                     const char           *login,
                                     const char           *entity,
                                     const char           *entity_id,
                                     gint64                version,
                                     GError              **error);
  GString        *(*list_changes)   (LdServerStore        *self,
                                     const LdServerViewer *viewer,
                                     gint64                since,
                                     guint                 limit,
                                     gint64               *next,
                                     gboolean             *more,
                                     GError              **error);
  gint64          (*head_seq)       (LdServerStore        *self);
  gboolean        (*reemit_case)    (LdServerStore        *self,
                                     const char           *case_id,
                                     GError              **error);
  gboolean        (*case_visible)   (LdServerStore        *self,
                                     const LdServerViewer *viewer,
                                     const char           *case_id);
  gboolean        (*put_blob)       (LdServerStore        *self,
                                     const char           *sha256,
                                     gint64                size,
                                     const char           *owner,
                                     GError              **error);
  gboolean        (*has_blob)       (LdServerStore        *self,
                                     const char           *sha256);
  gboolean        (*blob_visible)   (LdServerStore        *self,
                                     const LdServerViewer *viewer,
                                     const char           *sha256);
};

GQuark          ld_server_store_error_quark   (void);

const char     *ld_server_store_get_kind      (LdServerStore        *self);
gboolean        ld_server_store_check         (LdServerStore        *self);
gboolean        ld_server_store_begin         (LdServerStore        *self,
                                               GError              **error);
gboolean        ld_server_store_commit        (LdServerStore        *self,
                                               GError              **error);
void            ld_server_store_rollback      (LdServerStore        *self);
char           *ld_server_store_get_meta      (LdServerStore        *self,
                                               const char           *key);
gboolean        ld_server_store_set_meta      (LdServerStore        *self,
                                               const char           *key,
                                               const char           *value,
                                               GError              **error);
gboolean        ld_server_store_put_user      (LdServerStore        *self,
                                               const LdServerUser   *user,
                                               const char           *password_hash,
                                               GError              **error);
LdServerUser   *ld_server_store_get_user      (LdServerStore        *self,
                                               const char           *login,
                                               char                **password_hash,
                                               GError              **error);
gboolean        ld_server_store_put_token     (LdServerStore        *self,
                                               const char           *token_hash,
                                               const char           *login,
                                               gint64                expires_at,
                                               GError              **error);
LdServerUser   *ld_server_store_lookup_token  (LdServerStore        *self,
                                               const char           *token_hash,
                                               gint64                now,
                                               GError              **error);
LdServerRecord *ld_server_store_get_record    (LdServerStore        *self,
                                               const char           *entity,
                                               const char           *id,
                                               GError              **error);
gint64          ld_server_store_put_record    (LdServerStore        *self,
                                               const LdServerRecord *record,
                                               GError              **error);
gboolean        ld_server_store_get_op        (LdServerStore        *self,
                                               const char           *op_id,
                                               gint64               *version,
                                               GError              **error);
gboolean        ld_server_store_put_op        (LdServerStore        *self,
                                               const char           *op_id,
                                               const char           *login,
                                               const char           *entity,
                                               const char           *entity_id,
                                               gint64                version,
                                               GError              **error);
GString        *ld_server_store_list_changes  (LdServerStore        *self,
                                               const LdServerViewer *viewer,
                                               gint64                since,
                                               guint                 limit,
                                               gint64               *next,
                                               gboolean             *more,
                                               GError              **error);
gint64          ld_server_store_head_seq      (LdServerStore        *self);
gboolean        ld_server_store_reemit_case   (LdServerStore        *self,
                                               const char           *case_id,
                                               GError              **error);
gboolean        ld_server_store_case_visible  (LdServerStore        *self,
                                               const LdServerViewer *viewer,
                                               const char           *case_id);
gboolean        ld_server_store_put_blob      (LdServerStore        *self,
                                               const char           *sha256,
                                               gint64                size,
                                               const char           *owner,
                                               GError              **error);
gboolean        ld_server_store_has_blob      (LdServerStore        *self,
                                               const char           *sha256);
gboolean        ld_server_store_blob_visible  (LdServerStore        *self,
                                               const LdServerViewer *viewer,
                                               const char           *sha256);

LdServerUser   *ld_server_user_copy           (const LdServerUser   *user);
void            ld_server_user_free           (LdServerUser         *user);
LdServerRecord *ld_server_record_new          (const char           *entity,
                                               const char           *id);
void            ld_server_record_free         (LdServerRecord       *record);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LdServerUser, ld_server_user_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LdServerRecord, ld_server_record_free)

G_END_DECLS
