/* ld-offline-area-tiles.c: an offline area's base map into STORE-offline.mbtiles
 *
 * Tiles go in batches, the MBTiles commit before the store's tile cursor, so a tile written
 * twice replaces itself and a resumed job fetches only what is missing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ld-offline-area-private.h"

static sqlite3 *
open_tiles_file (const char  *path,
                 GError     **error)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK
      || sqlite3_exec (db,
                       "PRAGMA busy_timeout = 5000;"
                       "CREATE TABLE IF NOT EXISTS metadata (name TEXT PRIMARY KEY, value TEXT);"
                       "CREATE TABLE IF NOT EXISTS tiles (zoom_level INTEGER, tile_column INTEGER,"
                       "  tile_row INTEGER, tile_data BLOB,"
                       "  PRIMARY KEY (zoom_level, tile_column, tile_row)) WITHOUT ROWID;",
                       NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_STORE,
                   "cannot write the offline base map %s: %s", path,
                   db ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

typedef struct
{
  int z, x, y;
  GBytes *data;
} Tile;

static void
tile_clear (gpointer data)
{
  Tile *t = data;

  g_clear_pointer (&t->data, g_bytes_unref);
}

/* Writes a batch of tiles in one MBTiles transaction, then the store's cursor. */
static gboolean
write_tiles (LdOfflineArea  *self,
             LdStore        *store,
             sqlite3        *db,
             GArray         *batch,
             gint64          done,
             gint64          bytes,
             GError        **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GError) local = NULL;
  g_auto(sqlite3_stmt_ptr) update = NULL;
  gboolean ok = sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK
                && sqlite3_prepare_v2 (db, "INSERT OR REPLACE INTO tiles (zoom_level, tile_column,"
                                           " tile_row, tile_data) VALUES (?, ?, ?, ?)",
                                       -1, &stmt, NULL) == SQLITE_OK;

  for (guint i = 0; ok && i < batch->len; i++)
    {
      Tile *t = &g_array_index (batch, Tile, i);

      if (t->data == NULL)
        continue;
      sqlite3_reset (stmt);
      sqlite3_bind_int (stmt, 1, t->z);
      sqlite3_bind_int (stmt, 2, t->x);
      sqlite3_bind_int (stmt, 3, (1 << t->z) - 1 - t->y);
      sqlite3_bind_blob (stmt, 4, g_bytes_get_data (t->data, NULL),
                         (int) g_bytes_get_size (t->data), SQLITE_STATIC);
      ok = sqlite3_step (stmt) == SQLITE_DONE;
    }
  sqlite3_finalize (stmt);
  if (!ok || sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_STORE,
                   "cannot write tiles to the offline base map: %s", sqlite3_errmsg (db));
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  update = ld_store_prepare (store, "UPDATE offline_areas SET tiles_done = ?,"
                                    " bytes_done = bytes_done + ? WHERE id = ?", &local);
  if (update == NULL)
    return ld_offline_area_store_error (store, error, g_steal_pointer (&local));
  sqlite3_bind_int64 (update, 1, done);
  sqlite3_bind_int64 (update, 2, bytes);
  sqlite3_bind_int64 (update, 3, self->job);
  if (!ld_store_step_done (store, update, &local))
    return ld_offline_area_store_error (store, error, g_steal_pointer (&local));
  return TRUE;
}

static gint64
job_tiles_done (LdOfflineArea *self,
                LdStore       *store)
{
  g_auto(sqlite3_stmt_ptr) stmt = ld_store_prepare (store, "SELECT tiles_done FROM offline_areas"
                                                           " WHERE id = ?", NULL);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, self->job);
  return sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
}

/* The file's bounds grown by this area's box (the file may hold several areas). */
static char *
union_bounds (sqlite3           *db,
              const LdLonLatBox *box)
{
  LdLonLatBox u = *box;
  sqlite3_stmt *stmt = NULL;
  char b[4][G_ASCII_DTOSTR_BUF_SIZE];

  if (sqlite3_prepare_v2 (db, "SELECT value FROM metadata WHERE name = 'bounds'", -1, &stmt,
                          NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_auto(GStrv) parts = g_strsplit ((const char *) sqlite3_column_text (stmt, 0), ",", -1);

      if (g_strv_length (parts) == 4)
        {
          u.west = MIN (u.west, g_ascii_strtod (parts[0], NULL));
          u.south = MIN (u.south, g_ascii_strtod (parts[1], NULL));
          u.east = MAX (u.east, g_ascii_strtod (parts[2], NULL));
          u.north = MAX (u.north, g_ascii_strtod (parts[3], NULL));
        }
    }
  sqlite3_finalize (stmt);
  g_ascii_formatd (b[0], sizeof b[0], "%.6f", u.west);
  g_ascii_formatd (b[1], sizeof b[1], "%.6f", u.south);
  g_ascii_formatd (b[2], sizeof b[2], "%.6f", u.east);
  g_ascii_formatd (b[3], sizeof b[3], "%.6f", u.north);
  return g_strjoin (",", b[0], b[1], b[2], b[3], NULL);
}

static void
write_tiles_metadata (LdOfflineArea *self,
                      sqlite3       *db)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *bounds = union_bounds (db, &self->lonlat);
  g_autofree char *min_text = NULL;
  g_autofree char *max_text = NULL;
  int lo = self->min_zoom, hi = self->max_zoom;

  /* Its zooms are those of all its tiles. */
  if (sqlite3_prepare_v2 (db, "SELECT min(zoom_level), max(zoom_level) FROM tiles", -1, &stmt,
                          NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW
      && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    {
      lo = sqlite3_column_int (stmt, 0);
      hi = sqlite3_column_int (stmt, 1);
    }
  sqlite3_finalize (stmt);
  min_text = g_strdup_printf ("%d", lo);
  max_text = g_strdup_printf ("%d", hi);
  {
    const char *pairs[][2] = {
      { "name", "LandDesk offline base map" }, { "format", "png" }, { "type", "baselayer" },
      { "version", "1.3" }, { "minzoom", min_text }, { "maxzoom", max_text },
      { "bounds", bounds },
    };

    sqlite3_prepare_v2 (db, "INSERT OR REPLACE INTO metadata (name, value) VALUES (?, ?)", -1,
                        &stmt, NULL);
    for (guint i = 0; stmt != NULL && i < G_N_ELEMENTS (pairs); i++)
      {
        sqlite3_reset (stmt);
        sqlite3_bind_text (stmt, 1, pairs[i][0], -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 2, pairs[i][1], -1, SQLITE_STATIC);
        sqlite3_step (stmt);
      }
    sqlite3_finalize (stmt);
  }
}

gboolean
ld_offline_area_download_tiles (LdOfflineArea             *self,
                                LdStore                   *store,
                                LdOfflineAreaProgressFunc  progress,
                                gpointer                   user_data,
                                GCancellable              *cancellable,
                                GError                   **error)
{
  g_autofree char *path = ld_offline_area_basemap_path (ld_store_get_path (store));
  g_autoptr(GArray) batch = g_array_new (FALSE, TRUE, sizeof (Tile));
  gint64 done = job_tiles_done (self, store), index = 0, bytes = 0;
  sqlite3 *db;
  gboolean ok = TRUE;

  if (self->max_zoom < 0)
    return TRUE;   /* the server has no base map */
  db = open_tiles_file (path, error);
  if (db == NULL)
    return FALSE;
  g_array_set_clear_func (batch, tile_clear);
  for (int z = self->min_zoom; ok && z <= self->max_zoom; z++)
    {
      int x0, y0, x1, y1;

      ld_geo_tile_range (&self->lonlat, z, &x0, &y0, &x1, &y1);
      for (int y = y0; ok && y <= y1; y++)
        for (int x = x0; ok && x <= x1; x++, index++)
          {
            g_autofree char *tile_path = NULL;
            Tile t = { z, x, y, NULL };
            guint status;

            if (index < done)
              continue;
            if (g_cancellable_set_error_if_cancelled (cancellable, error))
              {
                ok = FALSE;
                break;
              }
            tile_path = g_strdup_printf ("/api/v1/tiles/%d/%d/%d", z, x, y);
            t.data = ld_offline_area_http_get (self, tile_path, TRUE, &status, cancellable, error);
            if (t.data == NULL && status != SOUP_STATUS_NOT_FOUND)
              {
                ok = FALSE;
                break;
              }
            bytes += t.data ? (gint64) g_bytes_get_size (t.data) : 0;
            g_array_append_val (batch, t);
            if (batch->len >= self->tile_batch)
              {
                ok = write_tiles (self, store, db, batch, index + 1, bytes, error);
                g_array_set_size (batch, 0);
                bytes = 0;
                if (ok)
                  ld_offline_area_report (self, store, NULL, progress, user_data);
              }
          }
    }
  if (ok && batch->len > 0)
    {
      ok = write_tiles (self, store, db, batch, index, bytes, error);
      ld_offline_area_report (self, store, NULL, progress, user_data);
    }
  if (ok)
    write_tiles_metadata (self, db);
  sqlite3_close (db);
  return ok;
}
