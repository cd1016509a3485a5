/* ld-analysis.c: the pre-review overlay analysis of a red line (domain.md §2, §6)
 *
 * The hot path reads the GeoPackage with SQLite alone: an R-tree query per layer, the
 * GeoPackage blob header skipped, the WKB decoded into a reused buffer, the red line's
 * boundary prepared once (in local coordinates), a patch the red line wholly contains taken
 * whole, and a patch it crosses measured by its boundary integral (clip_area) instead of a
 * GEOS overlay; a patch that touches the red line goes to GEOS (WKB to GEOS, the prepared red
 * line, GEOSIntersection). GDAL is not used here.
 *
 * Areas are planar Gauss-Krüger areas in EPSG:4525 (the result also gives 1/k² at the red
 * line's centroid, the factor that turns them into ellipsoidal areas like the survey's TBMJ).
 * Rounding: every figure is computed unrounded; a layer's total is its unrounded sum rounded
 * half-up (domain.md §6), and the rows are rounded so that they add up to that total exactly
 * (largest remainder: each row is truncated, and the units still missing go to the rows with
 * the largest remainders; a row differs from its own half-up rounding by at most one unit of
 * the last decimal, and only when the half-up rows would not add up).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This file holds the object, the layers and ld_analysis_run; see ld-analysis-private.h for
 * the others.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ld-analysis-private.h"
#include "ld-units.h"

const LayerSpec ld_analysis_layer_specs[N_LAYERS] = {
  { "xz_dltb", "DLBM", "DLMC", "KCXS", "current land use (third survey DLTB)" },
  { "gh_ydyh", "YDYHFLDM", "YDYHFLMC", NULL, "planned land use" },
  { "sx_yjjbnt", NULL, NULL, NULL, "permanent basic farmland" },
  { "sx_stbhhx", NULL, NULL, NULL, "ecological protection red line" },
  { "sx_czkfbj", NULL, NULL, NULL, "urban development boundary" },
};

G_DEFINE_FINAL_TYPE (LdAnalysis, ld_analysis, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-analysis-error-quark, ld_analysis_error)

static void
acc_free (gpointer data)
{
  Acc *acc = data;

  g_free (acc->code);
  g_free (acc->name);
  g_free (acc);
}

gboolean
ld_analysis_sql_error (LdAnalysis  *self,
                       GError     **error,
                       int          code,
                       const char  *what)
{
  g_set_error (error, LD_ANALYSIS_ERROR, code, "%s: %s: %s", self->path, what,
               sqlite3_errmsg (self->db));
  return FALSE;
}

static char *
quote_ident (const char *name)
{
  GString *s = g_string_new ("\"");

  for (const char *p = name; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}

static gboolean
table_has_column (LdAnalysis *self,
                  const char *table,
                  const char *column,
                  gboolean   *is_pk)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA table_info(%s)", table);
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  while (!found && sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 1);

      if (column == NULL ? sqlite3_column_int (stmt, 5) == 1
                         : g_ascii_strcasecmp (name, column) == 0)
        {
          found = TRUE;
          if (is_pk)
            *is_pk = sqlite3_column_int (stmt, 5) == 1;
        }
    }
  sqlite3_finalize (stmt);
  return found;
}

/* The primary key column of @table (GDAL writes "fid"). */
static char *
primary_key (LdAnalysis *self,
             const char *table)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA table_info(%s)", table);
  sqlite3_stmt *stmt = NULL;
  char *pk = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  while (pk == NULL && sqlite3_step (stmt) == SQLITE_ROW)
    if (sqlite3_column_int (stmt, 5) == 1)
      pk = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  sqlite3_finalize (stmt);
  return pk;
}

static gboolean
prepare_layer (LdAnalysis  *self,
               LayerId      id,
               GError     **error)
{
  const LayerSpec *spec = &ld_analysis_layer_specs[id];
  sqlite3_stmt *stmt = NULL;
  g_autofree char *geom_col = NULL, *rtree = NULL, *pk = NULL, *q_table = NULL;
  g_autofree char *q_rtree = NULL, *q_geom = NULL, *q_pk = NULL, *fields = NULL, *sql = NULL;
  g_autofree char *hash_sql = NULL;

  if (sqlite3_prepare_v2 (self->db, "SELECT column_name FROM gpkg_geometry_columns"
                          " WHERE table_name = ?", -1, &stmt, NULL) != SQLITE_OK)
    return ld_analysis_sql_error (self, error, LD_ANALYSIS_ERROR_LAYER,
                                  "not a GeoPackage (no gpkg_geometry_columns)");
  sqlite3_bind_text (stmt, 1, spec->name, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    geom_col = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  if (geom_col == NULL)
    {
      g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_LAYER,
                   "%s has no layer %s (%s): load the land layers into it "
                   "(landdesk-cli store create --from-demo)", self->path, spec->name, spec->what);
      return FALSE;
    }
  q_table = quote_ident (spec->name);
  rtree = g_strdup_printf ("rtree_%s_%s", spec->name, geom_col);
  q_rtree = quote_ident (rtree);
  q_geom = quote_ident (geom_col);
  pk = primary_key (self, q_table);
  if (pk == NULL || !table_has_column (self, q_rtree, "minx", NULL))
    {
      g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_LAYER,
                   "%s: layer %s has no spatial index (table %s): create it, e.g. "
                   "ogrinfo %s -sql \"SELECT CreateSpatialIndex('%s', '%s')\"",
                   self->path, spec->name, rtree, self->path, spec->name, geom_col);
      return FALSE;
    }
  q_pk = quote_ident (pk);
  {
    const char *cols[] = { spec->code_field, spec->name_field, spec->ratio_field };
    GString *f = g_string_new ("");

    for (guint i = 0; i < G_N_ELEMENTS (cols); i++)
      {
        if (cols[i] == NULL)
          {
            g_string_append (f, ", NULL");
            continue;
          }
        if (!table_has_column (self, q_table, cols[i], NULL))
          {
            g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_LAYER,
                         "%s: layer %s has no field %s", self->path, spec->name, cols[i]);
            g_string_free (f, TRUE);
            return FALSE;
          }
        g_string_append_printf (f, ", t.%s", cols[i]);
      }
    fields = g_string_free (f, FALSE);
  }
  /* The R-tree drives the join: SQLite asks it for the envelopes that meet the red line's. */
  sql = g_strdup_printf ("SELECT t.%s%s, t.%s FROM %s r JOIN %s t ON t.%s = r.id"
                         " WHERE r.minx <= ?2 AND r.maxx >= ?1 AND r.miny <= ?4 AND r.maxy >= ?3",
                         q_geom, fields, q_pk, q_rtree, q_table, q_pk);
  hash_sql = g_strdup_printf ("%s ORDER BY t.%s", sql, q_pk);
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                          &self->layers[id].query, NULL) != SQLITE_OK
      || sqlite3_prepare_v3 (self->db, hash_sql, -1, SQLITE_PREPARE_PERSISTENT,
                             &self->layers[id].hash, NULL) != SQLITE_OK)
    {
      g_autofree char *what = g_strdup_printf ("cannot query layer %s", spec->name);

      return ld_analysis_sql_error (self, error, LD_ANALYSIS_ERROR_LAYER, what);
    }
  return TRUE;
}

static LdLandCategory
category_of (LdAnalysis *self,
             const char *code)
{
  gpointer value;

  if (!g_hash_table_lookup_extended (self->categories, code, NULL, &value))
    {
      LdLandCategory category = LD_LAND_CATEGORY_NONE;

      if (self->classes != NULL)
        {
          const char *mapped = strlen (code) == 3 ? ld_landclass_map_2007 (self->classes, code)
                                                  : NULL;

          category = ld_landclass_category (self->classes, mapped != NULL ? mapped : code);
        }
      value = GINT_TO_POINTER (category);
      g_hash_table_insert (self->categories, g_strdup (code), value);
    }
  return GPOINTER_TO_INT (value);
}

/* 0101, 0102, 0103 (and their 2007 codes 011, 012, 013): cultivated land. Restorable
 * K classes are not cultivated land. */
static int
cultivated_kind (const char *code)
{
  if (code == NULL)
    return 0;
  if (strlen (code) == 4 && strncmp (code, "010", 3) == 0 && code[3] >= '1' && code[3] <= '3')
    return code[3] - '0';
  if (strlen (code) == 3 && strncmp (code, "01", 2) == 0 && code[2] >= '1' && code[2] <= '3')
    return code[2] - '0';
  return 0;
}

/* Area of @patch inside the prepared red line; whole TRUE when no clipping was needed. */
static gboolean
overlay_area (LdAnalysis                 *self,
              const GEOSGeometry         *redline,
              const GEOSPreparedGeometry *prepared,
              const GEOSGeometry         *patch,
              double                     *area,
              gboolean                   *whole)
{
  GEOSGeometry *inter;
  double a = 0.0;

  *whole = FALSE;
  *area = 0.0;
  if (GEOSPreparedContainsProperly_r (self->geos, prepared, patch) == 1)
    {
      *whole = TRUE;
      return GEOSArea_r (self->geos, patch, area) == 1;
    }
  if (GEOSPreparedIntersects_r (self->geos, prepared, patch) != 1)
    return TRUE;
  inter = GEOSIntersection_r (self->geos, redline, patch);
  if (inter == NULL)
    {
      /* A patch GEOS finds invalid: clip its repaired shape. */
      GEOSGeometry *fixed = GEOSMakeValid_r (self->geos, patch);

      if (fixed == NULL)
        return FALSE;
      inter = GEOSIntersection_r (self->geos, redline, fixed);
      GEOSGeom_destroy_r (self->geos, fixed);
      if (inter == NULL)
        return FALSE;
    }
  if (GEOSArea_r (self->geos, inter, &a) != 1)
    a = 0.0;
  GEOSGeom_destroy_r (self->geos, inter);
  *area = a;
  return TRUE;
}

GEOSGeometry *
ld_analysis_union_parcels (LdAnalysis  *self,
                           LdRedline   *redline,
                           GError     **error)
{
  guint n = ld_redline_get_n_parcels (redline);
  g_autofree GEOSGeometry **parts = NULL;
  GEOSGeometry *collection, *merged;

  if (n == 0)
    {
      g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_GEOMETRY,
                   "the red line has no parcel to analyse");
      return NULL;
    }
  parts = g_new0 (GEOSGeometry *, n);
  for (guint i = 0; i < n; i++)
    {
      LdRedlineParcel *parcel = ld_redline_get_parcel (redline, i);

      if (parcel->geom == NULL || GEOSisValid_r (self->geos, parcel->geom) != 1)
        {
          char *reason = parcel->geom ? GEOSisValidReason_r (self->geos, parcel->geom) : NULL;

          g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_GEOMETRY,
                       "parcel %s of the red line is not a valid polygon (%s): repair it "
                       "first (landdesk-cli redline import --make-valid)", parcel->id,
                       reason ? reason : "no geometry");
          if (reason)
            GEOSFree_r (self->geos, reason);
          for (guint k = 0; k < i; k++)
            GEOSGeom_destroy_r (self->geos, parts[k]);
          return NULL;
        }
      parts[i] = GEOSGeom_clone_r (self->geos, parcel->geom);
    }
  if (n == 1)
    return parts[0];
  collection = GEOSGeom_createCollection_r (self->geos, GEOS_GEOMETRYCOLLECTION, parts, n);
  merged = GEOSUnaryUnion_r (self->geos, collection);
  GEOSGeom_destroy_r (self->geos, collection);
  if (merged == NULL)
    g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_GEOMETRY,
                 "the parcels of the red line cannot be merged");
  return merged;
}

void
ld_analysis_bind_envelope (sqlite3_stmt *stmt,
                           double        minx,
                           double        miny,
                           double        maxx,
                           double        maxy)
{
  sqlite3_reset (stmt);
  sqlite3_bind_double (stmt, 1, minx);
  sqlite3_bind_double (stmt, 2, maxx);
  sqlite3_bind_double (stmt, 3, miny);
  sqlite3_bind_double (stmt, 4, maxy);
}

/* The first connection to open a store reads its whole WAL to rebuild the index, and forgets
 * what earlier processes checkpointed: without a checkpoint on close the WAL would only grow
 * (3 ms more per run at 3 MB). So once it holds WAL_MAX_FRAMES pages, it is checkpointed and
 * truncated (two fsyncs, every few dozen runs); busy readers just postpone that. */
#define WAL_MAX_FRAMES 128

static int
wal_committed_cb (void       *user_data,
                  sqlite3    *db,
                  const char *schema,
                  int         frames)
{
  if (frames >= WAL_MAX_FRAMES)
    sqlite3_wal_checkpoint_v2 (db, schema, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
  return SQLITE_OK;
}

static void
geos_message_cb (const char *message,
                 void       *user_data)
{
  g_debug ("GEOS: %s", message);
}

/* ---- GObject ---------------------------------------------------------------------------- */

static void
ld_analysis_finalize (GObject *object)
{
  LdAnalysis *self = LD_ANALYSIS (object);

  for (guint i = 0; i < N_LAYERS; i++)
    {
      g_clear_pointer (&self->layers[i].query, sqlite3_finalize);
      g_clear_pointer (&self->layers[i].hash, sqlite3_finalize);
    }
  g_clear_pointer (&self->db, sqlite3_close);
  g_clear_pointer (&self->geos, GEOS_finish_r);
  g_clear_object (&self->classes);
  g_clear_pointer (&self->categories, g_hash_table_unref);
  g_free (self->path);

  G_OBJECT_CLASS (ld_analysis_parent_class)->finalize (object);
}

static void
ld_analysis_class_init (LdAnalysisClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ld_analysis_finalize;
}

static void
ld_analysis_init (LdAnalysis *self)
{
  self->geos = GEOS_init_r ();
  GEOSContext_setErrorMessageHandler_r (self->geos, geos_message_cb, NULL);
  GEOSContext_setNoticeMessageHandler_r (self->geos, geos_message_cb, NULL);
  self->categories = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* ---- public API ------------------------------------------------------------------------- */

/**
 * ld_analysis_new:
 * @gpkg: a GeoPackage holding xz_dltb, gh_ydyh, sx_yjjbnt, sx_stbhhx and sx_czkfbj with
 *   their R-trees: the local store or the demo
 *
 * Opens its own SQLite connection and prepares one query per layer: keep the object to run
 * many analyses.
 */
LdAnalysis *
ld_analysis_new (const char  *gpkg,
                 GError     **error)
{
  g_autoptr(LdAnalysis) self = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (gpkg != NULL, NULL);

  if (!g_file_test (gpkg, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_OPEN,
                   "%s does not exist or is not a file", gpkg);
      return NULL;
    }
  self = g_object_new (LD_TYPE_ANALYSIS, NULL);
  self->path = g_strdup (gpkg);
  if (sqlite3_open_v2 (gpkg, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL)
      != SQLITE_OK)
    {
      g_clear_pointer (&self->db, sqlite3_close);
      if (sqlite3_open_v2 (gpkg, &self->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL)
          != SQLITE_OK)
        {
          g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_OPEN, "cannot open %s: %s",
                       gpkg, self->db ? sqlite3_errmsg (self->db) : "out of memory");
          return NULL;
        }
    }
  sqlite3_busy_timeout (self->db, 5000);
  /* Results are derived data, recomputed at will: a commit need not wait for the disk (in WAL
   * mode synchronous=NORMAL is still atomic and consistent; the store's own connection keeps
   * FULL), and closing leaves the WAL as it is instead of checkpointing it. Together they
   * took 2-8 ms of a 10 ms `landdesk-cli analyze`. See wal_committed_cb for the WAL's size. */
  sqlite3_exec (self->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
  sqlite3_db_config (self->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  sqlite3_wal_hook (self->db, wal_committed_cb, NULL);
  for (guint i = 0; i < N_LAYERS; i++)
    if (!prepare_layer (self, i, error))
      return NULL;
  self->classes = ld_landclass_load (&local);
  if (self->classes == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local),
                                  "the land classes are needed to tell new construction land: ");
      return NULL;
    }
  return g_steal_pointer (&self);
}

const char *
ld_analysis_get_path (LdAnalysis *self)
{
  g_return_val_if_fail (LD_IS_ANALYSIS (self), NULL);
  return self->path;
}

/**
 * ld_analysis_run:
 * @redline: the red line (EPSG:4525); its parcels are merged
 * @project_use: (nullable): the project's use, a 2023 land-and-sea class code
 *
 * Returns: the areas per class of xz_dltb and gh_ydyh and the six pre-review checks.
 */
LdAnalysisResult *
ld_analysis_run (LdAnalysis  *self,
                 LdRedline   *redline,
                 const char  *project_use,
                 GError     **error)
{
  g_autoptr(LdAnalysisResult) r = NULL;
  GEOSGeometry *rl;
  const GEOSPreparedGeometry *prepared;
  GEOSGeometry *centroid;
  double sums[N_LAYERS] = { 0 };
  double cultivated_net = 0.0, new_construction = 0.0;
  gboolean ok = TRUE;
  Clip clip;
  LdGeomBuffer buffer;
  g_autoptr(GArray) patch_segs = g_array_new (FALSE, FALSE, sizeof (Seg));
  g_autoptr(GArray) cover = NULL;
  g_autoptr(GHashTable) seen = NULL;

  g_return_val_if_fail (LD_IS_ANALYSIS (self), NULL);
  g_return_val_if_fail (LD_IS_REDLINE (redline), NULL);

  rl = ld_analysis_union_parcels (self, redline, error);
  if (rl == NULL)
    return NULL;
  r = g_new0 (LdAnalysisResult, 1);
  r->layers = g_ptr_array_new_with_free_func (ld_analysis_layer_free);
  r->project_use = project_use != NULL && *project_use != '\0' ? g_strdup (project_use) : NULL;
  GEOSArea_r (self->geos, rl, &r->redline_area_m2);
  if (r->redline_area_m2 <= 0.0)
    {
      GEOSGeom_destroy_r (self->geos, rl);
      g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_GEOMETRY,
                   "the red line has no area");
      return NULL;
    }
  GEOSGeom_getXMin_r (self->geos, rl, &r->minx);
  GEOSGeom_getYMin_r (self->geos, rl, &r->miny);
  GEOSGeom_getXMax_r (self->geos, rl, &r->maxx);
  GEOSGeom_getYMax_r (self->geos, rl, &r->maxy);
  centroid = GEOSGetCentroid_r (self->geos, rl);
  if (centroid != NULL)
    {
      GEOSGeomGetX_r (self->geos, centroid, &r->cx);
      GEOSGeomGetY_r (self->geos, centroid, &r->cy);
      GEOSGeom_destroy_r (self->geos, centroid);
    }
  {
    double e = r->cx - 37500000.0, k = 1.0 + e * e / (2.0 * 6371000.0 * 6371000.0);

    r->ellipsoid_factor = 1.0 / (k * k);
  }
  prepared = GEOSPrepare_r (self->geos, rl);
  ld_analysis_clip_init (&clip, rl, self->geos, floor (r->minx), floor (r->miny));
  ld_geom_buffer_init (&buffer);
  cover = ld_analysis_red_cover (&clip, r->minx, r->miny, r->maxx, r->maxy, r->redline_area_m2);
  if (cover->len > 1)
    seen = g_hash_table_new (g_direct_hash, g_direct_equal);

  for (guint id = 0; ok && id < N_LAYERS; id++)
    {
      const LayerSpec *spec = &ld_analysis_layer_specs[id];
      sqlite3_stmt *stmt = self->layers[id].query;
      g_autoptr(GHashTable) accs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                          acc_free);
      int rc;

      for (guint q = 0; ok && q < cover->len; q++)
      {
      const Rect *rect = &g_array_index (cover, Rect, q);

      ld_analysis_bind_envelope (stmt, rect->minx, rect->miny, rect->maxx, rect->maxy);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          const guint8 *blob = sqlite3_column_blob (stmt, 0);
          gsize length = (gsize) sqlite3_column_bytes (stmt, 0);
          LdGpkgHeader header;
          GEOSGeometry *patch;
          double area;
          gboolean whole;

          /* a patch in two cells of the cover comes once */
          if (seen != NULL)
            {
              gpointer fid = GSIZE_TO_POINTER ((gsize) sqlite3_column_int64 (stmt, 4));

              if (g_hash_table_contains (seen, fid))
                continue;
              g_hash_table_add (seen, fid);
            }
          r->n_candidates++;
          if (!ld_gpkg_geom_parse_header (blob, length, &header, NULL) || header.empty)
            continue;
          ld_geom_buffer_reset (&buffer);
          if (!ld_wkb_decode_polygons (header.wkb, header.wkb_length, NULL, 0.0, &buffer, NULL))
            {
              g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_LAYER,
                           "%s: layer %s, feature %lld: the geometry is not a valid (Multi)Polygon"
                           " WKB", self->path, spec->name,
                           (long long) sqlite3_column_int64 (stmt, 4));
              ok = FALSE;
              break;
            }
          if (!ld_analysis_clip_area (&clip, &buffer, patch_segs, &area, &whole))
            {
              /* it touches the red line: GEOS clips it */
              patch = GEOSGeomFromWKB_buf_r (self->geos, header.wkb, header.wkb_length);
              if (patch == NULL || !overlay_area (self, rl, prepared, patch, &area, &whole))
                {
                  g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_LAYER,
                               "%s: layer %s, feature %lld: GEOS cannot intersect it with the "
                               "red line", self->path, spec->name,
                               (long long) sqlite3_column_int64 (stmt, 4));
                  if (patch != NULL)
                    GEOSGeom_destroy_r (self->geos, patch);
                  ok = FALSE;
                  break;
                }
              GEOSGeom_destroy_r (self->geos, patch);
              r->n_geos++;
            }
          if (area <= 0.0)
            continue;
          if (whole)
            r->n_whole++;
          else
            r->n_clipped++;
          sums[id] += area;
          if (spec->code_field != NULL)
            {
              const char *code = (const char *) sqlite3_column_text (stmt, 1);
              const char *name = (const char *) sqlite3_column_text (stmt, 2);
              double net = area;
              Acc *acc;

              if (code == NULL)
                code = "";
              acc = g_hash_table_lookup (accs, code);
              if (acc == NULL)
                {
                  acc = g_new0 (Acc, 1);
                  acc->code = g_strdup (code);
                  acc->name = g_strdup (name != NULL ? name : "");
                  g_hash_table_insert (accs, acc->code, acc);
                }
              if (spec->ratio_field != NULL)
                {
                  double kcxs = sqlite3_column_double (stmt, 3);
                  LdLandCategory category = category_of (self, code);
                  int kind = cultivated_kind (code);

                  if (kcxs > 0.0 && kcxs < 1.0)
                    net = area * (1.0 - kcxs);
                  if (kind != 0)
                    {
                      cultivated_net += net;
                      if (kind == 1)
                        r->paddy_m2 += net;
                    }
                  if (category == LD_LAND_CATEGORY_AGRICULTURAL
                      || category == LD_LAND_CATEGORY_UNUSED)
                    new_construction += area;
                }
              acc->area += area;
              acc->net += net;
            }
        }
      if (ok && rc != SQLITE_DONE && rc != SQLITE_ROW)
        ok = ld_analysis_sql_error (self, error, LD_ANALYSIS_ERROR_LAYER, "reading a layer");
      sqlite3_reset (stmt);
      }
      if (seen != NULL)
        g_hash_table_remove_all (seen);
      if (ok && spec->code_field != NULL)
        g_ptr_array_add (r->layers, ld_analysis_make_layer (spec->name, accs, r->redline_area_m2));
    }
  GEOSPreparedGeom_destroy_r (self->geos, prepared);
  GEOSGeom_destroy_r (self->geos, rl);
  ld_analysis_clip_clear (&clip);
  ld_geom_buffer_clear (&buffer);
  if (!ok)
    return NULL;
  if (sums[LAYER_DLTB] <= 0.0 && sums[LAYER_YDYH] <= 0.0)
    {
      g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_OUTSIDE,
                   "the red line (%.3f, %.3f to %.3f, %.3f in EPSG:4525) covers no patch of "
                   "xz_dltb or gh_ydyh in %s: is it in the area of these layers, and in "
                   "EPSG:4525 (easting with the zone prefix 37)?",
                   r->minx, r->miny, r->maxx, r->maxy, self->path);
      return NULL;
    }
  ld_analysis_run_checks (r, sums, cultivated_net, new_construction);
  return g_steal_pointer (&r);
}
