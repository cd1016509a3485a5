/* ld-store-import.c: LdStore: loading the demo GeoPackage into a new store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sqlite3.h>
/* GDAL's headers test __clang_major__ without defining it; -Werror=undef would reject them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_api.h>
#pragma GCC diagnostic pop
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ld-clock.h"
#include "ld-matter.h"
#include "ld-store-private.h"
#include "ld-workflow.h"

/* Columns of @table in schema @schema ("main" or an attached one). */
static GPtrArray *
table_columns (LdStore    *self,
               const char *schema,
               const char *table)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA \"%s\".table_info(\"%s\")", schema, table);
  g_auto(sqlite3_stmt_ptr) stmt = ld_store_prepare (self, sql, NULL);
  GPtrArray *cols = g_ptr_array_new_with_free_func (g_free);

  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (cols, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
  return cols;
}

static gboolean
has_column (GPtrArray  *cols,
            const char *name)
{
  for (guint i = 0; i < cols->len; i++)
    if (g_ascii_strcasecmp (cols->pdata[i], name) == 0)
      return TRUE;
  return FALSE;
}

/* INSERT INTO main.T (common columns) SELECT them FROM demo.T */
static gboolean
copy_table (LdStore     *self,
            const char  *table,
            const char  *const *required,
            GError     **error)
{
  g_autoptr(GPtrArray) ours = table_columns (self, "main", table);
  g_autoptr(GPtrArray) theirs = table_columns (self, "demo", table);
  g_autoptr(GString) cols = g_string_new (NULL);
  g_autofree char *sql = NULL;

  if (theirs->len == 0)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                   "the demo GeoPackage has no table %s (see data/README.md)", table);
      return FALSE;
    }
  for (guint i = 0; required && required[i]; i++)
    if (!has_column (theirs, required[i]))
      {
        g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                     "the demo GeoPackage's table %s has no column %s (see data/README.md)",
                     table, required[i]);
        return FALSE;
      }
  for (guint i = 0; i < ours->len; i++)
    {
      const char *c = ours->pdata[i];

      if (g_str_equal (c, "fid") || g_str_equal (c, "version") || !has_column (theirs, c))
        continue;
      g_string_append_printf (cols, "%s\"%s\"", cols->len ? ", " : "", c);
    }
  sql = g_strdup_printf ("INSERT INTO main.\"%s\" (%s) SELECT %s FROM demo.\"%s\"",
                         table, cols->str, cols->str, table);
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                   "copying table %s from the demo: %s", table, sqlite3_errmsg (self->db));
      return FALSE;
    }
  return TRUE;
}

static const char * const demo_layers[] = {
  "xz_dltb", "gh_ydyh", "sx_yjjbnt", "sx_stbhhx", "sx_czkfbj", NULL
};

/* Copies the demo's reference layers with GDAL, which writes their GeoPackage metadata and
 * R-trees. A layer the demo lacks is skipped. */
static gboolean
copy_layers (LdStore     *self,
             const char  *demo_path,
             GError     **error)
{
  GDALDatasetH src, dst;
  const char *lco[] = { "GEOMETRY_NAME=geom", "SPATIAL_INDEX=YES", "FID=fid", NULL };
  gboolean ok = TRUE;

  /* GDAL identifies a GeoPackage by its file header: write the WAL back into the file. */
  sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
  GDALAllRegister ();
  src = GDALOpenEx (demo_path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
  if (src == NULL)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                   "cannot open the demo %s: %s", demo_path, CPLGetLastErrorMsg ());
      return FALSE;
    }
  dst = GDALOpenEx (self->path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
  if (dst == NULL)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                   "GDAL cannot open the store %s: %s", self->path, CPLGetLastErrorMsg ());
      GDALClose (src);
      return FALSE;
    }
  for (guint i = 0; ok && demo_layers[i] != NULL; i++)
    {
      OGRLayerH layer = GDALDatasetGetLayerByName (src, demo_layers[i]);
      OGRFeatureDefnH defn;
      OGRLayerH out;
      OGRFeatureH f;

      if (layer == NULL)
        continue;
      if (GDALDatasetGetLayerByName (dst, demo_layers[i]) != NULL)
        {
          g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                       "the store already has a layer %s", demo_layers[i]);
          ok = FALSE;
          break;
        }
      defn = OGR_L_GetLayerDefn (layer);
      out = GDALDatasetCreateLayer (dst, demo_layers[i], OGR_L_GetSpatialRef (layer),
                                    OGR_L_GetGeomType (layer), (char **) lco);
      for (int k = 0; out != NULL && k < OGR_FD_GetFieldCount (defn); k++)
        if (OGR_L_CreateField (out, OGR_FD_GetFieldDefn (defn, k), TRUE) != OGRERR_NONE)
          out = NULL;
      if (out == NULL)
        {
          g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                       "cannot create layer %s in the store: %s", demo_layers[i],
                       CPLGetLastErrorMsg ());
          ok = FALSE;
          break;
        }
      /* One transaction per layer: fast, and a failed layer leaves no half of it. */
      GDALDatasetStartTransaction (dst, FALSE);
      OGR_L_ResetReading (layer);
      while (ok && (f = OGR_L_GetNextFeature (layer)) != NULL)
        {
          OGRFeatureH copy = OGR_F_Create (OGR_L_GetLayerDefn (out));

          OGR_F_SetFrom (copy, f, TRUE);
          OGR_F_SetFID (copy, OGR_F_GetFID (f));
          if (OGR_L_CreateFeature (out, copy) != OGRERR_NONE)
            {
              g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                           "copying feature %" G_GINT64_FORMAT " of layer %s: %s",
                           (gint64) OGR_F_GetFID (f), demo_layers[i], CPLGetLastErrorMsg ());
              ok = FALSE;
            }
          OGR_F_Destroy (copy);
          OGR_F_Destroy (f);
        }
      if (ok && GDALDatasetCommitTransaction (dst) != OGRERR_NONE)
        {
          g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                       "writing layer %s: %s", demo_layers[i], CPLGetLastErrorMsg ());
          ok = FALSE;
        }
      else if (!ok)
        GDALDatasetRollbackTransaction (dst);
    }
  GDALClose (dst);
  GDALClose (src);
  return ok;
}

/**
 * ld_store_import_demo:
 *
 * Loads the demo GeoPackage's layers, users, cases, stage log and red lines into an empty
 * store, as the server would deliver them (no outbox ops). The tables are copied in one
 * transaction: on failure nothing of them is kept.
 */
gboolean
ld_store_import_demo (LdStore     *self,
                      const char  *demo_path,
                      GError     **error)
{
  static const char * const case_cols[] = { "id", "matter", "stage", NULL };
  static const char * const user_cols[] = { "login", "role", NULL };
  static const char * const event_cols[] = { "id", "case_id", "action", "at", NULL };
  static const char * const redline_cols[] = { "id", "case_id", "geom", NULL };
  char *attach = NULL;
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  gboolean ok;

  g_return_val_if_fail (LD_IS_STORE (self), FALSE);

  if (!g_file_test (demo_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                   "the demo %s does not exist; make it with 'landdesk-cli demo-data'", demo_path);
      return FALSE;
    }
  stmt = ld_store_prepare (self, "SELECT (SELECT count(*) FROM cases) + (SELECT count(*) FROM"
                                 " users)",
                                    error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0) > 0)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                   "store %s already holds cases or users; load the demo into a new store",
                   self->path);
      return FALSE;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  attach = sqlite3_mprintf ("ATTACH DATABASE %Q AS demo", demo_path);
  if (sqlite3_exec (self->db, attach, NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT, "cannot open the demo %s: %s",
                   demo_path, sqlite3_errmsg (self->db));
      sqlite3_free (attach);
      return FALSE;
    }
  sqlite3_free (attach);

  ok = ld_store_begin (self, error);
  if (ok)
    {
      /* The red lines must be in our CRS: the blobs are copied as they are. */
      g_auto(sqlite3_stmt_ptr) srs = ld_store_prepare (self, "SELECT srs_id FROM"
                                                             " demo.gpkg_geometry_columns"
                                                                " WHERE table_name ="
                                                                " 'case_redlines'", NULL);

      if (srs != NULL && sqlite3_step (srs) == SQLITE_ROW && sqlite3_column_int (srs, 0) != 4525)
        {
          g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                       "the demo's case_redlines are in srs_id %d; the store needs EPSG:4525",
                       sqlite3_column_int (srs, 0));
          ok = FALSE;
        }
    }
  ok = ok && copy_table (self, "users", user_cols, error)
       && copy_table (self, "cases", case_cols, error)
       && copy_table (self, "case_events", event_cols, error)
       && copy_table (self, "case_redlines", redline_cols, error)
       && ld_store_exec (self, "UPDATE gpkg_ogr_contents SET feature_count ="
                               " (SELECT count(*) FROM case_redlines)"
                               " WHERE table_name = 'case_redlines'", error)
       && ld_store_write_all_clocks (self, error)
       && ld_store_commit (self, error);
  if (!ok)
    ld_store_rollback (self);
  sqlite3_exec (self->db, "DETACH DATABASE demo", NULL, NULL, NULL);
  if (!ok)
    return FALSE;
  return copy_layers (self, demo_path, error);
}

