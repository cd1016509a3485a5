/* ld-analysis-store.c: the analysis and the store: a case's red line in, results out
 *
 * A case's red line is read with SQLite (no GDAL). A result is stored in case_analyses with
 * the time and a SHA-256 of its inputs (method version, project use, the red-line rows, and
 * every layer row whose envelope meets the red line's cover); it reads as stale once that
 * fingerprint changes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ld-analysis-private.h"
#include "ld-store.h"

/* Bump when the rules or the numbers change: stored results then read as stale. */
#define METHOD_VERSION "ld-analysis/1"

/**
 * ld_analysis_load_case:
 * @case_ref: a case's id (UUID) or number
 *
 * Reads the case's red line from case_redlines with SQLite (no GDAL), and its project use.
 */
LdRedline *
ld_analysis_load_case (LdAnalysis  *self,
                       const char  *case_ref,
                       char       **case_id,
                       char       **project_use,
                       GError     **error)
{
  g_autoptr(LdRedline) redline = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *id = NULL, *use = NULL, *number = NULL, *title = NULL;

  g_return_val_if_fail (LD_IS_ANALYSIS (self), NULL);

  if (sqlite3_prepare_v2 (self->db, "SELECT id, project_use, number, title FROM cases"
                          " WHERE id = ?1 OR number = ?1 LIMIT 1", -1, &stmt, NULL) != SQLITE_OK)
    {
      ld_analysis_sql_error (self, error, LD_ANALYSIS_ERROR_NOT_FOUND,
                             "not a LandDesk store (no cases table)");
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, case_ref, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      use = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      number = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      title = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
    }
  sqlite3_finalize (stmt);
  if (id == NULL)
    {
      g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_NOT_FOUND,
                   "%s: no case with id or number %s", self->path, case_ref);
      return NULL;
    }
  redline = ld_redline_new ();
  ld_redline_set_case (redline, number, title, use);
  if (sqlite3_prepare_v2 (self->db, "SELECT geom, coalesce(parcel_no, id), name, fid"
                          " FROM case_redlines WHERE case_id = ? ORDER BY fid", -1, &stmt, NULL)
      != SQLITE_OK)
    {
      ld_analysis_sql_error (self, error, LD_ANALYSIS_ERROR_NOT_FOUND, "reading case_redlines");
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      LdGpkgHeader header;
      GEOSGeometry *geom;

      if (!ld_gpkg_geom_parse_header (sqlite3_column_blob (stmt, 0),
                                      (gsize) sqlite3_column_bytes (stmt, 0), &header, NULL)
          || header.empty)
        continue;
      geom = ld_redline_geometry_from_wkb (redline, header.wkb, header.wkb_length);
      if (geom == NULL)
        {
          g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_GEOMETRY,
                       "%s: case %s, case_redlines feature %lld: not a polygon", self->path,
                       case_ref, (long long) sqlite3_column_int64 (stmt, 3));
          sqlite3_finalize (stmt);
          return NULL;
        }
      ld_redline_take_geometry (redline, (const char *) sqlite3_column_text (stmt, 1),
                                (const char *) sqlite3_column_text (stmt, 2), geom);
    }
  sqlite3_finalize (stmt);
  if (ld_redline_get_n_parcels (redline) == 0)
    {
      g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_NOT_FOUND,
                   "%s: case %s has no red line; import one first", self->path, case_ref);
      return NULL;
    }
  if (case_id)
    *case_id = g_steal_pointer (&id);
  if (project_use)
    *project_use = g_steal_pointer (&use);
  return g_steal_pointer (&redline);
}

/**
 * ld_analysis_fingerprint:
 *
 * A SHA-256 of everything a case's analysis depends on: the method version, the case's
 * project use, its red-line rows (id, version, geometry), and, in every layer, the rows whose
 * envelope meets the red line's (id, class fields, geometry). An edit anywhere else in a layer
 * does not change the result and does not change the fingerprint.
 */
char *
ld_analysis_fingerprint (LdAnalysis  *self,
                         const char  *case_id,
                         GError     **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  sqlite3_stmt *stmt = NULL;
  double minx = G_MAXDOUBLE, miny = G_MAXDOUBLE, maxx = -G_MAXDOUBLE, maxy = -G_MAXDOUBLE;
  guint n = 0;

  g_return_val_if_fail (LD_IS_ANALYSIS (self), NULL);

  g_checksum_update (sum, (const guchar *) METHOD_VERSION, -1);
  if (sqlite3_prepare_v2 (self->db, "SELECT coalesce(project_use, '') FROM cases WHERE id = ?",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      ld_analysis_sql_error (self, error, LD_ANALYSIS_ERROR_STORE, "reading cases");
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, case_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    g_checksum_update (sum, sqlite3_column_text (stmt, 0), -1);
  sqlite3_finalize (stmt);
  g_checksum_update (sum, (const guchar *) "\n", 1);

  if (sqlite3_prepare_v2 (self->db, "SELECT geom, id, version FROM case_redlines"
                          " WHERE case_id = ? ORDER BY fid", -1, &stmt, NULL) != SQLITE_OK)
    {
      ld_analysis_sql_error (self, error, LD_ANALYSIS_ERROR_STORE, "reading case_redlines");
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, case_id, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const guint8 *blob = sqlite3_column_blob (stmt, 0);
      gsize length = (gsize) sqlite3_column_bytes (stmt, 0);
      g_autofree char *line = g_strdup_printf ("%s %lld\n", sqlite3_column_text (stmt, 1),
                                               (long long) sqlite3_column_int64 (stmt, 2));
      LdGpkgHeader header;
      LdGeomBuffer buffer;

      n++;
      g_checksum_update (sum, (const guchar *) line, -1);
      if (blob != NULL)
        g_checksum_update (sum, blob, length);
      ld_geom_buffer_init (&buffer);
      if (ld_gpkg_geom_parse_header (blob, length, &header, NULL) && !header.empty
          && ld_wkb_decode_polygons (header.wkb, header.wkb_length, NULL, 0.0, &buffer, NULL))
        {
          double x0, y0, x1, y1;

          ld_geom_buffer_bounds (&buffer, &x0, &y0, &x1, &y1);
          minx = MIN (minx, x0);
          miny = MIN (miny, y0);
          maxx = MAX (maxx, x1);
          maxy = MAX (maxy, y1);
        }
      ld_geom_buffer_clear (&buffer);
    }
  sqlite3_finalize (stmt);
  if (n == 0)
    {
      g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_NOT_FOUND,
                   "%s: case %s has no red line", self->path, case_id);
      return NULL;
    }
  /* the layer rows the analysis reads: the same cover of the red line */
  {
    g_autoptr(LdRedline) redline = ld_analysis_load_case (self, case_id, NULL, NULL, NULL);
    GEOSGeometry *rl = redline != NULL ? ld_analysis_union_parcels (self, redline, NULL) : NULL;
    g_autoptr(GArray) cover = NULL;
    g_autoptr(GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
    Clip clip;
    double area = 0.0;

    if (rl != NULL)
      {
        GEOSArea_r (self->geos, rl, &area);
        ld_analysis_clip_init (&clip, rl, self->geos, floor (minx), floor (miny));
        cover = ld_analysis_red_cover (&clip, minx, miny, maxx, maxy, area);
        ld_analysis_clip_clear (&clip);
        GEOSGeom_destroy_r (self->geos, rl);
      }
    else
      {
        /* an invalid red line: its box */
        Rect box = { minx, miny, maxx, maxy };

        cover = g_array_new (FALSE, FALSE, sizeof (Rect));
        g_array_append_val (cover, box);
      }
    for (guint id = 0; minx <= maxx && id < N_LAYERS; id++)
      {
        sqlite3_stmt *q = self->layers[id].hash;

        g_checksum_update (sum, (const guchar *) ld_analysis_layer_specs[id].name, -1);
        g_hash_table_remove_all (seen);
        for (guint c = 0; c < cover->len; c++)
          {
            const Rect *rect = &g_array_index (cover, Rect, c);

            ld_analysis_bind_envelope (q, rect->minx, rect->miny, rect->maxx, rect->maxy);
            while (sqlite3_step (q) == SQLITE_ROW)
              {
                gpointer fid = GSIZE_TO_POINTER ((gsize) sqlite3_column_int64 (q, 4));

                if (!g_hash_table_add (seen, fid))
                  continue;
                for (int k = 1; k <= 4; k++)
                  {
                    const guchar *text = sqlite3_column_text (q, k);

                    g_checksum_update (sum, text != NULL ? text : (const guchar *) "", -1);
                    g_checksum_update (sum, (const guchar *) "|", 1);
                  }
                g_checksum_update (sum, sqlite3_column_blob (q, 0),
                                   (gssize) sqlite3_column_bytes (q, 0));
              }
            sqlite3_reset (q);
          }
      }
  }
  return g_strdup (g_checksum_get_string (sum));
}

static gboolean
ensure_table (LdAnalysis  *self,
              GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean exists;

  if (sqlite3_prepare_v2 (self->db, "SELECT 1 FROM sqlite_master WHERE type = 'table'"
                          " AND name = 'case_analyses'", -1, &stmt, NULL) != SQLITE_OK)
    return ld_analysis_sql_error (self, error, LD_ANALYSIS_ERROR_STORE, "reading the schema");
  exists = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  if (!exists)
    {
      /* An older store: opening it through LdStore migrates it to the schema with the table. */
      g_autoptr(LdStore) store = ld_store_open (self->path, error);

      if (store == NULL)
        return FALSE;
    }
  return TRUE;
}

/**
 * ld_analysis_save:
 *
 * Stores @result as the case's analysis (table case_analyses), with the time and the inputs'
 * fingerprint, in one transaction.
 */
gboolean
ld_analysis_save (LdAnalysis        *self,
                  const char        *case_id,
                  LdAnalysisResult  *result,
                  GError           **error)
{
  g_autofree char *json = NULL, *fingerprint = NULL, *now = NULL;
  g_autoptr(GDateTime) dt = g_date_time_new_now_utc ();
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (LD_IS_ANALYSIS (self), FALSE);

  if (!ensure_table (self, error))
    return FALSE;
  fingerprint = ld_analysis_fingerprint (self, case_id, error);
  if (fingerprint == NULL)
    return FALSE;
  json = ld_analysis_result_to_json (result);
  now = g_date_time_format_iso8601 (dt);
  if (sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    return ld_analysis_sql_error (self, error, LD_ANALYSIS_ERROR_STORE,
                                  "cannot write case_analyses");
  if (sqlite3_prepare_v2 (self->db, "INSERT OR REPLACE INTO case_analyses"
                          " (case_id, json, computed_at, fingerprint) VALUES (?, ?, ?, ?)", -1,
                          &stmt, NULL) != SQLITE_OK)
    {
      ld_analysis_sql_error (self, error, LD_ANALYSIS_ERROR_STORE, "cannot write case_analyses");
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, case_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, fingerprint, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE || sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    {
      ld_analysis_sql_error (self, error, LD_ANALYSIS_ERROR_STORE, "writing case_analyses");
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

/**
 * ld_analysis_load_saved:
 * @stale: (out): TRUE when the red line, the project use or a layer under it changed since
 *
 * Returns: the stored JSON of the case's analysis, or NULL with a NOT_FOUND error.
 */
char *
ld_analysis_load_saved (LdAnalysis  *self,
                        const char  *case_id,
                        gboolean    *stale,
                        char       **computed_at,
                        GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *json = NULL, *stored = NULL, *when = NULL, *now = NULL;

  g_return_val_if_fail (LD_IS_ANALYSIS (self), NULL);

  if (!ensure_table (self, error))
    return NULL;
  if (sqlite3_prepare_v2 (self->db, "SELECT json, fingerprint, computed_at FROM case_analyses"
                          " WHERE case_id = ?", -1, &stmt, NULL) != SQLITE_OK)
    {
      ld_analysis_sql_error (self, error, LD_ANALYSIS_ERROR_STORE, "reading case_analyses");
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, case_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      json = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      stored = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      when = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
    }
  sqlite3_finalize (stmt);
  if (json == NULL)
    {
      g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_NOT_FOUND,
                   "%s: case %s has no stored analysis; run landdesk-cli analyze --case",
                   self->path, case_id);
      return NULL;
    }
  now = ld_analysis_fingerprint (self, case_id, error);
  if (now == NULL)
    return NULL;
  if (stale)
    *stale = g_strcmp0 (now, stored) != 0;
  if (computed_at)
    *computed_at = g_steal_pointer (&when);
  return g_steal_pointer (&json);
}
