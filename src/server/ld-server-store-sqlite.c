/* ld-server-store-sqlite.c: the embedded back end, one SQLite file in WAL mode
 *
 * Records of every entity share one table (entity, id, version, data as JSON); every write
 * appends one row to `changes`, whose INTEGER PRIMARY KEY AUTOINCREMENT is the feed's
 * monotonic sequence. All SQL is prepared (and cached) statements with bound parameters.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>

#include "ld-server-store-sqlite.h"

struct _LdServerStoreSqlite
{
  GObject     parent_instance;

  char       *path;
  sqlite3    *db;
  GHashTable *stmts;   /* SQL text (static) -> sqlite3_stmt */
  gint64      head;           /* the feed's head as this connection last read it ... */
  int         head_written;   /* ... when the process had committed this many writes ... */
  gint64      head_read_at;   /* ... at this monotonic time */
};

/* Commits to the feed by any connection of this process (the workers), counted after they
 * are visible: a connection whose count has not moved since it read the head may answer from
 * memory, saving a read transaction (two fcntl locks and a query) per /changes request. */
static int feed_writes;

#define HEAD_MAX_AGE_US (G_USEC_PER_SEC / 2)   /* another process writing is seen this late */

static void
feed_written (LdServerStoreSqlite *self)
{
  g_atomic_int_inc (&feed_writes);
}

static void ld_server_store_sqlite_iface_init (LdServerStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LdServerStoreSqlite, ld_server_store_sqlite, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LD_TYPE_SERVER_STORE,
                                                      ld_server_store_sqlite_iface_init))

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
  "CREATE TABLE IF NOT EXISTS users ("
  "  login TEXT PRIMARY KEY, display_name TEXT NOT NULL, role TEXT NOT NULL, unit TEXT,"
  "  password_hash TEXT NOT NULL);"
  "CREATE TABLE IF NOT EXISTS tokens ("
  "  hash TEXT PRIMARY KEY, login TEXT NOT NULL REFERENCES users (login) ON DELETE CASCADE,"
  "  expires_at INTEGER NOT NULL);"
  "CREATE TABLE IF NOT EXISTS records ("
  "  entity TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, case_id TEXT,"
  "  owner TEXT, deleted INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL,"
  "  assignee TEXT GENERATED ALWAYS AS (json_extract (data, '$.assignee')) VIRTUAL,"
  "  stage TEXT GENERATED ALWAYS AS (json_extract (data, '$.stage')) VIRTUAL,"
  "  sha256 TEXT GENERATED ALWAYS AS (json_extract (data, '$.sha256')) VIRTUAL,"
  "  PRIMARY KEY (entity, id)) WITHOUT ROWID;"
  "CREATE INDEX IF NOT EXISTS records_case ON records (case_id);"
  "CREATE INDEX IF NOT EXISTS records_sha256 ON records (sha256) WHERE entity = 'attachment';"
  "CREATE TABLE IF NOT EXISTS changes ("
  "  seq INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT NOT NULL, entity_id TEXT NOT NULL,"
  "  version INTEGER NOT NULL, deleted INTEGER NOT NULL, case_id TEXT, owner TEXT,"
  "  data TEXT NOT NULL);"
  "CREATE TABLE IF NOT EXISTS ops ("
  "  op_id TEXT PRIMARY KEY, login TEXT NOT NULL, entity TEXT NOT NULL,"
  "  entity_id TEXT NOT NULL, version INTEGER NOT NULL, applied_at INTEGER NOT NULL);"
  "CREATE TABLE IF NOT EXISTS blobs ("
  "  sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, owner TEXT, created_at INTEGER NOT NULL);"
  "PRAGMA user_version = 1;";

/* The cases a viewer may see: assigned to them, or at a stage their role acts on. */
#define VISIBLE_CASES \
  "SELECT id FROM records WHERE entity = 'case' AND (assignee = ?3" \
  " OR stage IN (SELECT value FROM json_each (?4)))"

static void
set_sqlite_error (LdServerStoreSqlite  *self,
                  GError              **error,
                  const char           *what)
{
  g_set_error (error, LD_SERVER_STORE_ERROR, LD_SERVER_STORE_ERROR_IO,
               "%s: %s: %s", self->path, what, sqlite3_errmsg (self->db));
}

/* A cached prepared statement, reset and unbound, or NULL with @error set. */
static sqlite3_stmt *
prepare (LdServerStoreSqlite  *self,
         const char           *sql,
         GError              **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->stmts, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, "preparing a statement");
      return NULL;
    }
  g_hash_table_insert (self->stmts, (gpointer) sql, stmt);
  return stmt;
}

/* Steps once and resets, so that no read transaction stays open between requests (a stale
 * WAL snapshot would make this connection's next write fail at once with SQLITE_BUSY). */
static gboolean
step_exists (sqlite3_stmt *stmt)
{
  gboolean found = sqlite3_step (stmt) == SQLITE_ROW;

  sqlite3_reset (stmt);
  return found;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           col)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, col));
}

static gboolean
exec (LdServerStoreSqlite  *self,
      const char           *sql,
      GError              **error)
{
  char *msg = NULL;

  if (sqlite3_exec (self->db, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_set_error (error, LD_SERVER_STORE_ERROR, LD_SERVER_STORE_ERROR_IO,
                   "%s: %s", self->path, msg ? msg : "unknown error");
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

/* Binds the viewer as ?2 (sees all), ?3 (login), ?4 (stages as a JSON array). */
static void
bind_viewer (sqlite3_stmt         *stmt,
             const LdServerViewer *viewer)
{
  g_autoptr(GString) stages = g_string_new ("[");

  for (guint i = 0; viewer->stages != NULL && viewer->stages[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (stages, ',');
      g_string_append_printf (stages, "\"%s\"", viewer->stages[i]); /* ids are ASCII words */
    }
  g_string_append_c (stages, ']');
  sqlite3_bind_int (stmt, 2, viewer->sees_all ? 1 : 0);
  bind_text (stmt, 3, viewer->login);
  bind_text (stmt, 4, stages->str);
}

static const char *
store_get_kind (LdServerStore *store)
{
  return "sqlite";
}

static gboolean
store_check (LdServerStore *store)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (store);
  sqlite3_stmt *stmt = prepare (self, "SELECT count(*) FROM meta", NULL);

  return stmt != NULL && step_exists (stmt);
}

static gboolean
store_begin (LdServerStore  *store,
             GError        **error)
{
  return exec (LD_SERVER_STORE_SQLITE (store), "BEGIN IMMEDIATE", error);
}

static gboolean
store_commit (LdServerStore  *store,
              GError        **error)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (store);

  if (!exec (self, "COMMIT", error))
    return FALSE;
  feed_written (self);
  return TRUE;
}

static void
store_rollback (LdServerStore *store)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (store);

  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

static char *
store_get_meta (LdServerStore *store,
                const char    *key)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (store);
  sqlite3_stmt *stmt = prepare (self, "SELECT value FROM meta WHERE key = ?1", NULL);
  char *value;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, key);
  value = sqlite3_step (stmt) == SQLITE_ROW ? column_dup (stmt, 0) : NULL;
  sqlite3_reset (stmt);
  return value;
}

static gboolean
store_set_meta (LdServerStore  *store,
                const char     *key,
                const char     *value,
                GError        **error)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (store);
  sqlite3_stmt *stmt = prepare (self, "INSERT INTO meta (key, value) VALUES (?1, ?2)"
                                      " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, key);
  bind_text (stmt, 2, value);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "writing metadata");
      return FALSE;
    }
  return TRUE;
}

static gboolean
store_put_user (LdServerStore       *store,
                const LdServerUser  *user,
                const char          *password_hash,
                GError             **error)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (store);
  sqlite3_stmt *stmt = prepare (self,
      "INSERT INTO users (login, display_name, role, unit, password_hash)"
      " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (login) DO UPDATE SET"
      " display_name = excluded.display_name, role = excluded.role, unit = excluded.unit,"
      " password_hash = excluded.password_hash", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, user->login);
  bind_text (stmt, 2, user->display_name);
  bind_text (stmt, 3, user->role);
  bind_text (stmt, 4, user->unit);
  bind_text (stmt, 5, password_hash);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "writing a user");
      return FALSE;
    }
  return TRUE;
}

static LdServerUser *
user_from_row (sqlite3_stmt *stmt)
{
  LdServerUser *user = g_new0 (LdServerUser, 1);

  user->login = column_dup (stmt, 0);
  user->display_name = column_dup (stmt, 1);
  user->role = column_dup (stmt, 2);
  user->unit = column_dup (stmt, 3);
  return user;
}

static LdServerUser *
store_get_user (LdServerStore  *store,
                const char     *login,
                char          **password_hash,
                GError        **error)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (store);
  sqlite3_stmt *stmt = prepare (self, "SELECT login, display_name, role, unit, password_hash"
                                      " FROM users WHERE login = ?1", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, login);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      LdServerUser *user = user_from_row (stmt);

      if (password_hash != NULL)
        *password_hash = column_dup (stmt, 4);
      sqlite3_reset (stmt);
      return user;
    }
  if (rc != SQLITE_DONE)
    set_sqlite_error (self, error, "reading a user");
  sqlite3_reset (stmt);
  return NULL;
}

static gboolean
store_put_token (LdServerStore  *store,
                 const char     *token_hash,
                 const char     *login,
                 gint64          expires_at,
                 GError        **error)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (store);
  sqlite3_stmt *purge = prepare (self, "DELETE FROM tokens WHERE expires_at < ?1", error);
  sqlite3_stmt *stmt;

  if (purge == NULL)
    return FALSE;
  /* Expired tokens are purged when new ones are issued: the table stays small. */
  sqlite3_bind_int64 (purge, 1, g_get_real_time () / G_USEC_PER_SEC - 86400);
  sqlite3_step (purge);
  stmt = prepare (self, "INSERT INTO tokens (hash, login, expires_at) VALUES (?1, ?2, ?3)", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, token_hash);
  bind_text (stmt, 2, login);
  sqlite3_bind_int64 (stmt, 3, expires_at);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "writing a token");
      return FALSE;
    }
  return TRUE;
}

static LdServerUser *
store_lookup_token (LdServerStore  *store,
                    const char     *token_hash,
                    gint64          now,
                    GError        **error)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (store);
  sqlite3_stmt *stmt = prepare (self,
      "SELECT u.login, u.display_name, u.role, u.unit FROM tokens t"
      " JOIN users u ON u.login = t.login WHERE t.hash = ?1 AND t.expires_at > ?2", error);
  LdServerUser *user;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, token_hash);
  sqlite3_bind_int64 (stmt, 2, now);
  user = sqlite3_step (stmt) == SQLITE_ROW ? user_from_row (stmt) : NULL;
  sqlite3_reset (stmt);
  return user;
}

static LdServerRecord *
store_get_record (LdServerStore  *store,
                  const char     *entity,
                  const char     *id,
                  GError        **error)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (store);
  sqlite3_stmt *stmt = prepare (self, "SELECT version, case_id, owner, deleted, data FROM records"
                                      " WHERE entity = ?1 AND id = ?2", error);
  g_autoptr(LdServerRecord) record = NULL;
  g_autoptr(JsonParser) parser = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, entity);
  bind_text (stmt, 2, id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc != SQLITE_DONE)
        set_sqlite_error (self, error, "reading a record");
      sqlite3_reset (stmt);
      return NULL;
    }
  record = ld_server_record_new (entity, id);
  record->version = sqlite3_column_int64 (stmt, 0);
  record->case_id = column_dup (stmt, 1);
  record->owner = column_dup (stmt, 2);
  record->deleted = sqlite3_column_int (stmt, 3) != 0;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, (const char *) sqlite3_column_text (stmt, 4),
                                   sqlite3_column_bytes (stmt, 4), NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, LD_SERVER_STORE_ERROR, LD_SERVER_STORE_ERROR_CORRUPT,
                   "%s: record %s %s holds no JSON object", self->path, entity, id);
      sqlite3_reset (stmt);
      return NULL;
    }
  sqlite3_reset (stmt);
  json_object_unref (record->data);
  record->data = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  return g_steal_pointer (&record);
}

static gint64
store_put_record (LdServerStore         *store,
                  const LdServerRecord  *record,
                  GError               **error)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (store);
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), record->data);
  g_autofree char *data = json_to_string (node, FALSE);
  sqlite3_stmt *put = prepare (self,
      "INSERT INTO records (entity, id, version, case_id, owner, deleted, data)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (entity, id) DO UPDATE SET"
      " version = excluded.version, case_id = excluded.case_id, owner = excluded.owner,"
      " deleted = excluded.deleted, data = excluded.data", error);
  sqlite3_stmt *log;

  if (put == NULL)
    return -1;
  bind_text (put, 1, record->entity);
  bind_text (put, 2, record->id);
  sqlite3_bind_int64 (put, 3, record->version);
  bind_text (put, 4, record->case_id);
  bind_text (put, 5, record->owner);
  sqlite3_bind_int (put, 6, record->deleted ? 1 : 0);
  bind_text (put, 7, data);
  if (sqlite3_step (put) != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "writing a record");
      return -1;
    }
  log = prepare (self, "INSERT INTO changes (entity, entity_id, version, deleted, case_id, owner,"
                       " data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", error);
  if (log == NULL)
    return -1;
  bind_text (log, 1, record->entity);
  bind_text (log, 2, record->id);
  sqlite3_bind_int64 (log, 3, record->version);
  sqlite3_bind_int (log, 4, record->deleted ? 1 : 0);
  bind_text (log, 5, record->case_id);
  bind_text (log, 6, record->owner);
  bind_text (log, 7, data);
  if (sqlite3_step (log) != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "appending to the change feed");
      return -1;
    }
  if (sqlite3_get_autocommit (self->db))
    feed_written (self);   /* no transaction: that statement committed it */
  return sqlite3_last_insert_rowid (self->db);
}

static gboolean
store_get_op (LdServerStore  *store,
              const char     *op_id,
              gint64         *version,
              GError        **error)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (store);
  sqlite3_stmt *stmt = prepare (self, "SELECT version FROM ops WHERE op_id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, op_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return FALSE;
    }
  *version = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
store_put_op (LdServerStore  *store,
              const char     *op_id,
              const char     *login,
              const char     *entity,
              const char     *entity_id,
              gint64          version,
              GError        **error)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (store);
  sqlite3_stmt *stmt = prepare (self, "INSERT INTO ops (op_id, login, entity, entity_id, version,"
                                      " applied_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, op_id);
  bind_text (stmt, 2, login);
  bind_text (stmt, 3, entity);
  bind_text (stmt, 4, entity_id);
  sqlite3_bind_int64 (stmt, 5, version);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time () / G_USEC_PER_SEC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "recording an op");
      return FALSE;
    }
  return TRUE;
}

static gint64
store_head_seq (LdServerStore *store)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (store);
  int written = g_atomic_int_get (&feed_writes);
  gint64 now = g_get_monotonic_time ();
  sqlite3_stmt *stmt;
  gint64 seq;

  if (self->head_read_at != 0 && written == self->head_written
      && now - self->head_read_at < HEAD_MAX_AGE_US && sqlite3_get_autocommit (self->db))
    return self->head;
  stmt = prepare (self, "SELECT coalesce (max (seq), 0) FROM changes", NULL);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return -1;
  seq = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  /* Inside a transaction the head may be rolled back: not kept. The count is the one read
   * before the query, so a commit after the query moves it on. */
  if (sqlite3_get_autocommit (self->db))
    {
      self->head = seq;
      self->head_written = written;
      self->head_read_at = now;
    }
  return seq;
}

static gboolean
store_reemit_case (LdServerStore  *store,
                   const char     *case_id,
                   GError        **error)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (store);
  sqlite3_stmt *stmt = prepare (self,
      "INSERT INTO changes (entity, entity_id, version, deleted, case_id, owner, data)"
      " SELECT entity, id, version, deleted, case_id, owner, data FROM records"
      " WHERE case_id = ?1 AND entity != 'case' ORDER BY entity, id", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, case_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "re-announcing a case's records");
      return FALSE;
    }
  if (sqlite3_get_autocommit (self->db))
    feed_written (self);
  return TRUE;
}

/* The page is built by SQLite itself (json_object), as one JSON array text: the feed is the
 * hottest route and its records are stored as JSON already. */
static GString *
store_list_changes (LdServerStore         *store,
                    const LdServerViewer  *viewer,
                    gint64                 since,
                    guint                  limit,
                    gint64                *next,
                    gboolean              *more,
                    GError               **error)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (store);
  sqlite3_stmt *stmt = prepare (self,
      "SELECT seq, json_object ('seq', seq, 'entity', entity, 'entity_id', entity_id,"
      " 'version', version, 'deleted', json (CASE WHEN deleted THEN 'true' ELSE 'false' END),"
      " 'data', json (data)) FROM changes WHERE seq > ?1 AND (?2 OR case_id IS NULL"
      " OR owner = ?3 OR case_id IN (" VISIBLE_CASES ")) ORDER BY seq LIMIT ?5", error);
  GString *out;
  guint n = 0;
  gint64 last = since;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, since);
  bind_viewer (stmt, viewer);
  sqlite3_bind_int64 (stmt, 5, (gint64) limit + 1);
  out = g_string_sized_new (4096);
  g_string_append_c (out, '[');
  *more = FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (n == limit)
        {
          *more = TRUE;
          break;
        }
      if (n > 0)
        g_string_append_c (out, ',');
      g_string_append_len (out, (const char *) sqlite3_column_text (stmt, 1),
                           sqlite3_column_bytes (stmt, 1));
      last = sqlite3_column_int64 (stmt, 0);
      n++;
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "reading the change feed");
      sqlite3_reset (stmt);
      g_string_free (out, TRUE);
      return NULL;
    }
  sqlite3_reset (stmt);
  g_string_append_c (out, ']');
  /* Nothing more visible to this user: the cursor moves to the head, past what they cannot see. */
  *next = *more ? last : MAX (last, store_head_seq (store));
  return out;
}

static gboolean
store_case_visible (LdServerStore        *store,
                    const LdServerViewer *viewer,
                    const char           *case_id)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (store);
  sqlite3_stmt *stmt;

  if (viewer->sees_all)
    return TRUE;
  /* by the primary key: "?1 IN (VISIBLE_CASES)" listed every visible case for each op */
  stmt = prepare (self, "SELECT ?2, 1 FROM records WHERE entity = 'case' AND id = ?1"
                        " AND (assignee = ?3 OR stage IN (SELECT value FROM json_each (?4)))",
                  NULL);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, case_id);
  bind_viewer (stmt, viewer);
  return step_exists (stmt);
}

static gboolean
store_put_blob (LdServerStore  *store,
                const char     *sha256,
                gint64          size,
                const char     *owner,
                GError        **error)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (store);
  sqlite3_stmt *stmt = prepare (self, "INSERT INTO blobs (sha256, size, owner, created_at)"
                                      " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, sha256);
  sqlite3_bind_int64 (stmt, 2, size);
  bind_text (stmt, 3, owner);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time () / G_USEC_PER_SEC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "recording a blob");
      return FALSE;
    }
  return TRUE;
}

static gboolean
store_has_blob (LdServerStore *store,
                const char    *sha256)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (store);
  sqlite3_stmt *stmt = prepare (self, "SELECT 1 FROM blobs WHERE sha256 = ?1", NULL);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, sha256);
  return step_exists (stmt);
}

/* A blob is visible to its uploader and to whoever sees an attachment that references it. */
static gboolean
store_blob_visible (LdServerStore        *store,
                    const LdServerViewer *viewer,
                    const char           *sha256)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (store);
  sqlite3_stmt *stmt = prepare (self,
      "SELECT 1 FROM blobs WHERE sha256 = ?1 AND (?2 OR owner = ?3 OR EXISTS ("
      " SELECT 1 FROM records WHERE entity = 'attachment' AND sha256 = ?1 AND deleted = 0"
      " AND (owner = ?3 OR case_id IN (" VISIBLE_CASES "))))", NULL);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, sha256);
  bind_viewer (stmt, viewer);
  return step_exists (stmt);
}

static void
ld_server_store_sqlite_finalize (GObject *object)
{
  LdServerStoreSqlite *self = LD_SERVER_STORE_SQLITE (object);

  g_clear_pointer (&self->stmts, g_hash_table_unref);
  g_clear_pointer (&self->db, sqlite3_close);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (ld_server_store_sqlite_parent_class)->finalize (object);
}

static void
ld_server_store_sqlite_class_init (LdServerStoreSqliteClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_server_store_sqlite_finalize;
}

static void
ld_server_store_sqlite_iface_init (LdServerStoreInterface *iface)
{
  iface->get_kind = store_get_kind;
  iface->check = store_check;
  iface->begin = store_begin;
  iface->commit = store_commit;
  iface->rollback = store_rollback;
  iface->get_meta = store_get_meta;
  iface->set_meta = store_set_meta;
  iface->put_user = store_put_user;
  iface->get_user = store_get_user;
  iface->put_token = store_put_token;
  iface->lookup_token = store_lookup_token;
  iface->get_record = store_get_record;
  iface->put_record = store_put_record;
  iface->get_op = store_get_op;
  iface->put_op = store_put_op;
  iface->list_changes = store_list_changes;
  iface->head_seq = store_head_seq;
  iface->reemit_case = store_reemit_case;
  iface->case_visible = store_case_visible;
  iface->put_blob = store_put_blob;
  iface->has_blob = store_has_blob;
  iface->blob_visible = store_blob_visible;
}

static void
ld_server_store_sqlite_init (LdServerStoreSqlite *self)
{
  self->stmts = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                       (GDestroyNotify) sqlite3_finalize);
}

/**
 * ld_server_store_sqlite_open:
 * @path: the database file, created with its schema when missing
 */
LdServerStore *
ld_server_store_sqlite_open (const char  *path,
                             GError     **error)
{
  g_autoptr(LdServerStoreSqlite) self = g_object_new (LD_TYPE_SERVER_STORE_SQLITE, NULL);

  self->path = g_strdup (path);
  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)
      != SQLITE_OK)
    {
      g_set_error (error, LD_SERVER_STORE_ERROR, LD_SERVER_STORE_ERROR_OPEN,
                   "Cannot open the store %s: %s", path, sqlite3_errmsg (self->db));
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 15000);   /* workers write one at a time */
  /* WAL with synchronous=NORMAL: a commit survives a killed server; only a power cut may lose
   * the last transactions, never corrupt the file. */
  if (!exec (self, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                   " PRAGMA foreign_keys = ON;", error)
      || !exec (self, "BEGIN IMMEDIATE", error))
    return NULL;
  if (!exec (self, schema, error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return NULL;
    }
  if (!exec (self, "COMMIT", error))
    return NULL;
  return LD_SERVER_STORE (g_steal_pointer (&self));
}
