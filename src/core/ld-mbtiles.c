/* ld-mbtiles.c: an MBTiles 1.3 tile store (SQLite)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>

#include "ld-mbtiles.h"

struct _LdMbtiles
{
  GObject       parent_instance;

  char         *path;
  sqlite3      *db;
  sqlite3_stmt *read_stmt;
  /* One connection serves the map's worker threads; SQLite statements are not shareable. */
  GMutex        lock;
};

G_DEFINE_FINAL_TYPE (LdMbtiles, ld_mbtiles, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-mbtiles-error-quark, ld_mbtiles_error)

static gboolean
exec_sql (LdMbtiles   *self,
          const char  *sql,
          GError     **error)
{
  char *msg = NULL;

  if (sqlite3_exec (self->db, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_set_error (error, LD_MBTILES_ERROR, LD_MBTILES_ERROR_WRITE,
                   "%s: %s", self->path, msg ? msg : sqlite3_errmsg (self->db));
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

static gboolean
has_tiles_table (LdMbtiles *self)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  if (sqlite3_prepare_v2 (self->db,
                          "SELECT 1 FROM sqlite_master WHERE name = 'tiles'"
                          " AND type IN ('table', 'view')",
                          -1, &stmt, NULL) == SQLITE_OK)
    found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return found;
}

static LdMbtiles *
open_db (const char  *path,
         int          flags,
         GError     **error)
{
  g_autoptr(LdMbtiles) self = g_object_new (LD_TYPE_MBTILES, NULL);

  self->path = g_strdup (path);
  if (sqlite3_open_v2 (path, &self->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      g_set_error (error, LD_MBTILES_ERROR, LD_MBTILES_ERROR_OPEN,
                   "Cannot open base map %s: %s", path,
                   self->db ? sqlite3_errmsg (self->db) : "out of memory");
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 5000);
  return g_steal_pointer (&self);
}

static void
ld_mbtiles_finalize (GObject *object)
{
  LdMbtiles *self = LD_MBTILES (object);

  g_clear_pointer (&self->read_stmt, sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close);
  g_clear_pointer (&self->path, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ld_mbtiles_parent_class)->finalize (object);
}

static void
ld_mbtiles_class_init (LdMbtilesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_mbtiles_finalize;
}

static void
ld_mbtiles_init (LdMbtiles *self)
{
  g_mutex_init (&self->lock);
}

/**
 * ld_mbtiles_open:
 * @path: an existing .mbtiles file
 *
 * Opens @path read-only. Fails when the file is missing or is not an MBTiles file.
 */
LdMbtiles *
ld_mbtiles_open (const char  *path,
                 GError     **error)
{
  g_autoptr(LdMbtiles) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, LD_MBTILES_ERROR, LD_MBTILES_ERROR_OPEN,
                   "Base map %s does not exist", path);
      return NULL;
    }
  self = open_db (path, SQLITE_OPEN_READONLY, error);
  if (self == NULL)
    return NULL;
  if (!has_tiles_table (self))
    {
      g_set_error (error, LD_MBTILES_ERROR, LD_MBTILES_ERROR_FORMAT,
                   "%s is not an MBTiles file: it has no tiles table", path);
      return NULL;
    }
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT tile_data FROM tiles WHERE zoom_level = ?"
                          " AND tile_column = ? AND tile_row = ?",
                          -1, &self->read_stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, LD_MBTILES_ERROR, LD_MBTILES_ERROR_FORMAT,
                   "%s: unexpected tiles table: %s", path, sqlite3_errmsg (self->db));
      return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * ld_mbtiles_create:
 * @path: the file to create; it must not exist
 *
 * Creates an empty, writable MBTiles file with the standard schema.
 */
LdMbtiles *
ld_mbtiles_create (const char  *path,
                   GError     **error)
{
  g_autoptr(LdMbtiles) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, LD_MBTILES_ERROR, LD_MBTILES_ERROR_WRITE,
                   "%s already exists", path);
      return NULL;
    }
  self = open_db (path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, error);
  if (self == NULL)
    return NULL;
  if (!exec_sql (self,
                 "PRAGMA page_size = 4096;"
                 "CREATE TABLE metadata (name TEXT PRIMARY KEY, value TEXT);"
                 "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER,"
                 "  tile_row INTEGER, tile_data BLOB,"
                 "  PRIMARY KEY (zoom_level, tile_column, tile_row)) WITHOUT ROWID;",
                 error))
    return NULL;
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT tile_data FROM tiles WHERE zoom_level = ?"
                          " AND tile_column = ? AND tile_row = ?",
                          -1, &self->read_stmt, NULL) != SQLITE_OK)
    return NULL;
  return g_steal_pointer (&self);
}

const char *
ld_mbtiles_get_path (LdMbtiles *self)
{
  g_return_val_if_fail (LD_IS_MBTILES (self), NULL);

  return self->path;
}

char *
ld_mbtiles_dup_metadata (LdMbtiles  *self,
                         const char *name)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_return_val_if_fail (LD_IS_MBTILES (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (sqlite3_prepare_v2 (self->db, "SELECT value FROM metadata WHERE name = ?",
                          -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

gboolean
ld_mbtiles_set_metadata (LdMbtiles   *self,
                         const char  *name,
                         const char  *value,
                         GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  g_return_val_if_fail (LD_IS_MBTILES (self), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  sqlite3_prepare_v2 (self->db, "INSERT OR REPLACE INTO metadata (name, value) VALUES (?, ?)",
                      -1, &stmt, NULL);
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  ok = sqlite3_step (stmt) == SQLITE_DONE;
  if (!ok)
    g_set_error (error, LD_MBTILES_ERROR, LD_MBTILES_ERROR_WRITE,
                 "%s: cannot write metadata %s: %s", self->path, name, sqlite3_errmsg (self->db));
  sqlite3_finalize (stmt);
  return ok;
}

/**
 * ld_mbtiles_read_tile:
 * @x: column in the XYZ scheme
 * @y: row in the XYZ scheme (row 0 at the north; MBTiles stores TMS rows)
 *
 * Returns: (transfer full): the tile's bytes, or %NULL with %LD_MBTILES_ERROR_NOT_FOUND.
 * Safe to call from any thread.
 */
GBytes *
ld_mbtiles_read_tile (LdMbtiles  *self,
                      int         zoom,
                      int         x,
                      int         y,
                      GError    **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  GBytes *bytes = NULL;
  int tms_y = (1 << zoom) - 1 - y;

  g_return_val_if_fail (LD_IS_MBTILES (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  sqlite3_reset (self->read_stmt);
  sqlite3_bind_int (self->read_stmt, 1, zoom);
  sqlite3_bind_int (self->read_stmt, 2, x);
  sqlite3_bind_int (self->read_stmt, 3, tms_y);
  if (sqlite3_step (self->read_stmt) == SQLITE_ROW)
    bytes = g_bytes_new (sqlite3_column_blob (self->read_stmt, 0),
                         sqlite3_column_bytes (self->read_stmt, 0));
  sqlite3_reset (self->read_stmt);

  if (bytes == NULL)
    g_set_error (error, LD_MBTILES_ERROR, LD_MBTILES_ERROR_NOT_FOUND,
                 "%s has no tile %d/%d/%d", self->path, zoom, x, y);
  return bytes;
}

gboolean
ld_mbtiles_write_tile (LdMbtiles  *self,
                       int         zoom,
                       int         x,
                       int         y,
                       GBytes     *data,
                       GError    **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt = NULL;
  gsize len;
  const guint8 *buf;
  gboolean ok;

  g_return_val_if_fail (LD_IS_MBTILES (self), FALSE);

  buf = g_bytes_get_data (data, &len);
  locker = g_mutex_locker_new (&self->lock);
  sqlite3_prepare_v2 (self->db,
                      "INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data)"
                      " VALUES (?, ?, ?, ?)", -1, &stmt, NULL);
  sqlite3_bind_int (stmt, 1, zoom);
  sqlite3_bind_int (stmt, 2, x);
  sqlite3_bind_int (stmt, 3, (1 << zoom) - 1 - y);
  sqlite3_bind_blob (stmt, 4, buf, (int) len, SQLITE_STATIC);
  ok = sqlite3_step (stmt) == SQLITE_DONE;
  if (!ok)
    g_set_error (error, LD_MBTILES_ERROR, LD_MBTILES_ERROR_WRITE,
                 "%s: cannot write tile %d/%d/%d: %s",
                 self->path, zoom, x, y, sqlite3_errmsg (self->db));
  sqlite3_finalize (stmt);
  return ok;
}

gboolean
ld_mbtiles_begin (LdMbtiles  *self,
                  GError    **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  return exec_sql (self, "BEGIN", error);
}

gboolean
ld_mbtiles_commit (LdMbtiles  *self,
                   GError    **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  return exec_sql (self, "COMMIT", error);
}

gint64
ld_mbtiles_count_tiles (LdMbtiles *self)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_return_val_if_fail (LD_IS_MBTILES (self), -1);

  locker = g_mutex_locker_new (&self->lock);
  if (sqlite3_prepare_v2 (self->db, "SELECT count(*) FROM tiles", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}
