/* ld-store-sync.h: the local store's side of sync: outbox batches, acknowledgements, the
 * change feed applied with its cursor, conflicts as data and their resolution
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ld-palette.h"
#include "ld-store.h"

G_BEGIN_DECLS

/* What one sync did (the CLI's --json counts). */
typedef struct
{
  guint pushed;       /* ops sent */
  guint applied;
  guint duplicates;
  guint conflicts;
  guint rejected;
  guint pulled;       /* change-feed entries applied */
  guint skipped;      /* change-feed entries the store could not take (logged) */
  guint uploaded;     /* blobs sent */
  guint downloaded;   /* blobs fetched */
} LdSyncCounts;

typedef enum
{
  LD_SYNC_CHOICE_MINE,
  LD_SYNC_CHOICE_THEIRS,
  LD_SYNC_CHOICE_VALUE,
} LdSyncChoice;

/* An outbox entry; @state is pending, conflict or rejected. */
typedef struct
{
  gint64  seq;
  char   *op_id;
  char   *entity;
  char   *entity_id;
  char   *kind;
  char   *state;
  char   *reason;
  char   *created_at;
} LdSyncItem;

/* One field in conflict; the values are JSON texts ("\"text\"", "null", "12"). */
typedef struct
{
  gint64  id;
  char   *op_id;
  char   *entity;
  char   *entity_id;
  char   *field;
  char   *base;
  char   *mine;
  char   *theirs;
  char   *created_at;
} LdSyncConflict;

void        ld_sync_item_free               (LdSyncItem      *item);
void        ld_sync_conflict_free           (LdSyncConflict  *conflict);
gboolean    ld_sync_choice_from_string      (const char      *text,
                                             LdSyncChoice    *choice);

GString    *ld_store_sync_batch             (LdStore         *self,
                                             gint64           after_seq,
                                             guint            limit,
                                             guint           *n_ops,
                                             gint64          *last_seq,
                                             GError         **error);
gboolean    ld_store_sync_ack               (LdStore         *self,
                                             JsonArray       *results,
                                             LdSyncCounts    *counts,
                                             GError         **error);
gint64      ld_store_sync_get_cursor        (LdStore         *self);
gboolean    ld_store_sync_apply_changes     (LdStore         *self,
                                             JsonArray       *changes,
                                             gint64           next,
                                             LdSyncCounts    *counts,
                                             GError         **error);
char       *ld_store_sync_get_state         (LdStore         *self,
                                             const char      *key);
gboolean    ld_store_sync_set_state         (LdStore         *self,
                                             const char      *key,
                                             const char      *value,
                                             GError         **error);
GPtrArray  *ld_store_sync_blobs_to_upload   (LdStore         *self,
                                             GError         **error);
GPtrArray  *ld_store_sync_missing_blobs     (LdStore         *self,
                                             GError         **error);

GPtrArray  *ld_store_sync_list_outbox       (LdStore         *self,
                                             GError         **error);
GPtrArray  *ld_store_sync_list_conflicts    (LdStore         *self,
                                             GError         **error);
void        ld_store_sync_count             (LdStore         *self,
                                             guint           *pending,
                                             guint           *failed,
                                             guint           *conflicts);
gboolean    ld_store_sync_retry_failed      (LdStore         *self,
                                             GError         **error);
gboolean    ld_store_edit_case              (LdStore         *self,
                                             const char      *id_or_number,
                                             const char      *login,
                                             const char      *field,
                                             const char      *value,
                                             GError         **error);
gboolean    ld_store_sync_resolve           (LdStore         *self,
                                             gint64           conflict_id,
                                             LdSyncChoice     choice,
                                             JsonNode        *value,
                                             const char      *login,
                                             GError         **error);

gboolean    ld_store_sync_reload_reference  (LdStore         *self,
                                             GError         **error);
LdPalette  *ld_store_sync_load_palette      (const char      *store_path,
                                             const char      *table,
                                             GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LdSyncItem, ld_sync_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LdSyncConflict, ld_sync_conflict_free)

G_END_DECLS
