/* ld-store-private.h: what the parts of LdStore share: ld-store.c (schema, migrations,
 * deadlines), ld-store-import.c (the demo) and ld-store-cases.c (lists, case page, edits)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>
#include <json-glib/json-glib.h>

#include "ld-store.h"

G_BEGIN_DECLS

struct _LdStore
{
  GObject               parent_instance;

  char                 *path;
  sqlite3              *db;
  int                   version;
  LdCalendar           *calendar;
  GListModel           *matters;
  LdStoreStatementHook  hook;
  gpointer              hook_data;
  /* statements run once per case when every deadline is computed */
  sqlite3_stmt         *events_stmt;
  sqlite3_stmt         *clock_stmt;
  /* the worker threads' own read-only connection (with its own calendar and matters) */
  GMutex                reader_lock;
  LdStore              *reader;
};

#define CASE_COLUMNS \
  "id, number, matter, title, applicant, project_use, stage, status, suspend_kind," \
  " suspended_on, assignee, received_on, accepted_on, closed_on, supply_method, version"
#define EVENT_COLUMNS "id, case_id, action, from_stage, to_stage, actor, at, opinion, version"

typedef sqlite3_stmt *sqlite3_stmt_ptr;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (sqlite3_stmt_ptr, sqlite3_finalize, NULL)

gboolean      ld_store_fail                (LdStore *self,
                                            GError **error,
                                            const char *what);
gboolean      ld_store_exec                (LdStore *self,
                                            const char *sql,
                                            GError **error);
sqlite3_stmt *ld_store_prepare             (LdStore *self,
                                            const char *sql,
                                            GError **error);
void          ld_store_bind_text           (sqlite3_stmt *stmt,
                                            int index,
                                            const char *text);
gboolean      ld_store_step_done           (LdStore *self,
                                            sqlite3_stmt *stmt,
                                            GError **error);
gboolean      ld_store_begin               (LdStore *self,
                                            GError **error);
gboolean      ld_store_commit              (LdStore *self,
                                            GError **error);
void          ld_store_rollback            (LdStore *self);
char *        ld_store_now                 (void);
void          ld_store_today               (GDate *date);
LdCase *      ld_store_case_from_row       (sqlite3_stmt *stmt,
                                            int first);
LdCaseEvent * ld_store_event_from_row      (sqlite3_stmt *stmt);
void          ld_store_finish_case         (LdStore *self,
                                            LdCase *kase,
                                            sqlite3_stmt *stmt,
                                            int first_clock_column,
                                            const GDate *today);
GListModel *  ld_store_events_of           (LdStore *self,
                                            const char *case_id,
                                            GError **error);
gboolean      ld_store_write_clock         (LdStore *self,
                                            LdCase *kase,
                                            GError **error);
gboolean      ld_store_write_all_clocks    (LdStore *self,
                                            GError **error);
LdCase *      ld_store_load_case           (LdStore *self,
                                            const char *id_or_number,
                                            const GDate *today,
                                            GError **error);
gboolean      ld_store_write_op            (LdStore *self,
                                            const char *op_id,
                                            const char *entity,
                                            const char *entity_id,
                                            const char *kind,
                                            gint64 base_version,
                                            JsonNode *fields,
                                            JsonNode *action,
                                            const char *user,
                                            const char *at,
                                            GError **error);
void          ld_store_add_field           (JsonBuilder *b,
                                            const char *name,
                                            const char *base,
                                            const char *value);
gboolean      ld_store_load_reference_data (LdStore *self,
                                            GError **error);
gboolean      ld_store_refresh_clocks      (LdStore *self,
                                            GError **error);
LdStore *     ld_store_open_db             (const char *path,
                                            int flags,
                                            GError **error);
void          ld_store_add_string          (JsonBuilder *b,
                                            const char *name,
                                            const char *value);

G_END_DECLS
