/* test-demo.c: the demo dataset (landdesk-cli demo-data) and the class tables
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "ld-core.h"
#include "ld-demo-private.h"
#include "ld-test-util.h"

/* Small enough to run in seconds, large enough for every class and outcome. */
#define PATCHES "1500"

static char *fixture_dir;   /* seed 7, real coastline */
static char *synthetic_dir; /* seed 7, synthetic peninsula */
static char *fixture_err;
static char *synthetic_err;

static const char *
cli (void)
{
  return ld_test_binary ("LANDDESK_CLI");
}

static char *
gpkg_in (const char *dir)
{
  return g_build_filename (dir, LD_DEMO_GPKG_NAME, NULL);
}

static GDALDatasetH
open_gpkg (const char *dir)
{
  g_autofree char *path = gpkg_in (dir);
  GDALDatasetH ds = GDALOpenEx (path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);

  g_assert_nonnull (ds);
  return ds;
}

static void
generate_n (const char  *dir,
            const char  *patches,
            const char  *seed,
            const char **envp,
            char       **err)
{
  g_autoptr(LdTestRun) run = ld_test_run (envp, cli (), "demo-data", "--out", dir, "--patches",
                                          patches, "--seed", seed, "--max-zoom", "9", NULL);

  if (run->status != 0)
    g_printerr ("%s", run->err);
  g_assert_cmpint (run->status, ==, 0);
  if (err != NULL)
    *err = g_strdup (run->err);
}

static void
generate (const char  *dir,
          const char  *seed,
          const char **envp,
          char       **err)
{
  generate_n (dir, PATCHES, seed, envp, err);
}

/* A digest of every layer's rows: fields as text and geometry as WKB, in fid order. */
static char *
dataset_checksum (const char *dir)
{
  GDALDatasetH ds = open_gpkg (dir);
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  char *out;

  for (int l = 0; l < GDALDatasetGetLayerCount (ds); l++)
    {
      OGRLayerH layer = GDALDatasetGetLayer (ds, l);
      OGRFeatureH f;

      g_checksum_update (sum, (const guchar *) OGR_L_GetName (layer), -1);
      OGR_L_ResetReading (layer);
      while ((f = OGR_L_GetNextFeature (layer)) != NULL)
        {
          OGRGeometryH g = OGR_F_GetGeometryRef (f);

          for (int i = 0; i < OGR_F_GetFieldCount (f); i++)
            {
              const char *v = OGR_F_IsFieldSetAndNotNull (f, i) ? OGR_F_GetFieldAsString (f, i)
                                                                 : "<null>";
              g_checksum_update (sum, (const guchar *) v, -1);
              g_checksum_update (sum, (const guchar *) "|", 1);
            }
          if (g != NULL)
            {
              int size = OGR_G_WkbSize (g);
              g_autofree guchar *wkb = g_malloc (size);

              OGR_G_ExportToWkb (g, wkbNDR, wkb);
              g_checksum_update (sum, wkb, size);
            }
          OGR_F_Destroy (f);
        }
    }
  GDALClose (ds);
  out = g_strdup (g_checksum_get_string (sum));
  return out;
}

static gboolean
point_has_patch (const char *dir,
                 double      lon,
                 double      lat,
                 int        *count)
{
  GDALDatasetH ds = open_gpkg (dir);
  OGRLayerH layer = GDALDatasetGetLayerByName (ds, "xz_dltb");
  OGRSpatialReferenceH wgs = OSRNewSpatialReference (NULL);
  OGRCoordinateTransformationH ct;
  OGRGeometryH pt = OGR_G_CreateGeometry (wkbPoint);
  OGRFeatureH f;
  double x = lon, y = lat;

  OSRImportFromEPSG (wgs, 4490);
  OSRSetAxisMappingStrategy (wgs, OAMS_TRADITIONAL_GIS_ORDER);
  ct = OCTNewCoordinateTransformation (wgs, OGR_L_GetSpatialRef (layer));
  g_assert_nonnull (ct);
  g_assert_true (OCTTransform (ct, 1, &x, &y, NULL));
  OGR_G_SetPoint_2D (pt, 0, x, y);
  *count = 0;
  OGR_L_SetSpatialFilter (layer, pt);
  while ((f = OGR_L_GetNextFeature (layer)) != NULL)
    {
      if (OGR_G_Contains (OGR_F_GetGeometryRef (f), pt))
        (*count)++;
      OGR_F_Destroy (f);
    }
  OGR_G_DestroyGeometry (pt);
  OCTDestroyCoordinateTransformation (ct);
  OSRRelease (wgs);
  GDALClose (ds);
  return *count > 0;
}

static int
count_vertices (OGRGeometryH g)
{
  int n = 0;

  for (int p = 0; p < OGR_G_GetGeometryCount (g); p++)
    {
      OGRGeometryH poly = OGR_G_GetGeometryRef (g, p);

      for (int r = 0; r < OGR_G_GetGeometryCount (poly); r++)
        n += OGR_G_GetPointCount (OGR_G_GetGeometryRef (poly, r)) - 1;
    }
  return n;
}

/* ---------------------------------------------------------------------------------------- */

static void
test_deterministic (void)
{
  g_autofree char *again = ld_test_path ("again");
  g_autofree char *sum_a = NULL, *sum_b = NULL, *sum_c = NULL;
  g_autofree char *gpkg = gpkg_in (again);
  g_autoptr(LdTestRun) refuse = NULL;
  g_autoptr(LdTestRun) forced = NULL;
  g_autofree char *before = NULL, *after = NULL;

  generate (again, "7", NULL, NULL);
  sum_a = dataset_checksum (fixture_dir);
  sum_b = dataset_checksum (again);
  g_assert_cmpstr (sum_a, ==, sum_b);

  /* Without --force nothing is touched. */
  g_assert_true (g_file_get_contents (gpkg, &before, NULL, NULL));
  refuse = ld_test_run (NULL, cli (), "demo-data", "--out", again, "--patches", PATCHES,
                        "--seed", "8", NULL);
  g_assert_cmpint (refuse->status, ==, 1);
  g_assert_nonnull (strstr (refuse->err, "exists; pass --force"));
  g_assert_true (g_file_get_contents (gpkg, &after, NULL, NULL));
  g_assert_true (g_str_equal (before, after) && strlen (before) == strlen (after));

  /* Another seed, other data. */
  forced = ld_test_run (NULL, cli (), "demo-data", "--out", again, "--patches", PATCHES,
                        "--seed", "8", "--max-zoom", "8", "--force", NULL);
  g_assert_cmpint (forced->status, ==, 0);
  sum_c = dataset_checksum (again);
  g_assert_cmpstr (sum_a, !=, sum_c);
}

static void
check_seamless (const char *dir,
                guint       min_polygons)
{
  GDALDatasetH ds = open_gpkg (dir);
  OGRLayerH layer = GDALDatasetGetLayerByName (ds, "xz_dltb");
  GEOSContextHandle_t geos = GEOS_init_r ();
  g_autoptr(GPtrArray) geoms = g_ptr_array_new ();
  GEOSGeometry *all, *u;
  double sum = 0, union_area = 0;
  OGRFeatureH f;

  OGR_L_ResetReading (layer);
  while ((f = OGR_L_GetNextFeature (layer)) != NULL)
    {
      OGRGeometryH g = OGR_F_GetGeometryRef (f);
      int size = OGR_G_WkbSize (g);
      g_autofree guchar *wkb = g_malloc (size);
      GEOSGeometry *gg;
      double a = 0;

      OGR_G_ExportToWkb (g, wkbNDR, wkb);
      gg = GEOSGeomFromWKB_buf_r (geos, wkb, size);
      GEOSArea_r (geos, gg, &a);
      sum += a;
      for (int p = 0; p < GEOSGetNumGeometries_r (geos, gg); p++)
        g_ptr_array_add (geoms, GEOSGeom_clone_r (geos, GEOSGetGeometryN_r (geos, gg, p)));
      GEOSGeom_destroy_r (geos, gg);
      OGR_F_Destroy (f);
    }
  g_assert_cmpuint (geoms->len, >, min_polygons);
  all = GEOSGeom_createCollection_r (geos, GEOS_MULTIPOLYGON, (GEOSGeometry **) geoms->pdata,
                                     geoms->len);
  u = GEOSUnaryUnion_r (geos, all);
  g_assert_nonnull (u);
  GEOSArea_r (geos, u, &union_area);
  g_test_message ("sum of patch areas %.3f m², area of their union %.3f m²", sum, union_area);
  g_assert_cmpfloat (fabs (sum - union_area) / union_area, <, 1e-6);
  /* Zhanjiang has about 13 000 km² of land in the extent: the tessellation covers it. */
  g_assert_cmpfloat (union_area, >, 9e9);
  g_assert_cmpfloat (union_area, <, 16e9);
  GEOSGeom_destroy_r (geos, all);
  GEOSGeom_destroy_r (geos, u);
  GEOS_finish_r (geos);
  GDALClose (ds);
}

static void
test_seamless (void)
{
  check_seamless (fixture_dir, 1000);
}

static void
test_geometry (void)
{
  const char *layers[] = { "xz_dltb", "gh_ydyh", "sx_yjjbnt", "sx_stbhhx", "sx_czkfbj",
                           "case_redlines" };
  GDALDatasetH ds = open_gpkg (fixture_dir);

  for (guint l = 0; l < G_N_ELEMENTS (layers); l++)
    {
      OGRLayerH layer = GDALDatasetGetLayerByName (ds, layers[l]);
      OGRSpatialReferenceH srs;
      OGRFeatureH f;
      guint n = 0;

      g_assert_nonnull (layer);
      srs = OGR_L_GetSpatialRef (layer);
      g_assert_cmpstr (OSRGetAuthorityCode (srs, NULL), ==, "4525");
      g_assert_cmpstr (OGR_L_GetGeometryColumn (layer), ==, "geom");
      g_assert_cmpint (OGR_L_GetGeomType (layer), ==, wkbMultiPolygon);
      while ((f = OGR_L_GetNextFeature (layer)) != NULL)
        {
          OGRGeometryH g = OGR_F_GetGeometryRef (f);
          OGREnvelope env;

          g_assert_nonnull (g);
          if (!OGR_G_IsValid (g))
            g_error ("%s fid %" G_GINT64_FORMAT " is not valid", layers[l], (gint64) OGR_F_GetFID (f));
          OGR_G_GetEnvelope (g, &env);
          /* Zhanjiang in EPSG:4525 (domain.md §4), easting with the zone prefix. */
          g_assert_cmpfloat (env.MinX, >, 37340000);
          g_assert_cmpfloat (env.MaxX, <=, 37500000.001);
          g_assert_cmpfloat (env.MinY, >, 2220000);
          g_assert_cmpfloat (env.MaxY, <, 2410000);
          if (l == 0)
            {
              int v = count_vertices (g);

              if (v < 6 || v > 40)
                g_error ("xz_dltb fid %" G_GINT64_FORMAT " has %d vertices", (gint64) OGR_F_GetFID (f), v);
            }
          OGR_F_Destroy (f);
          n++;
        }
      g_assert_cmpuint (n, >, 0);
    }
  GDALClose (ds);
}

static void
test_classes_exist (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdLandclass) classes = ld_landclass_load (&error);
  GDALDatasetH ds = open_gpkg (fixture_dir);
  OGRLayerH dltb = GDALDatasetGetLayerByName (ds, "xz_dltb");
  OGRLayerH ydyh = GDALDatasetGetLayerByName (ds, "gh_ydyh");
  OGRLayerH cases = GDALDatasetGetLayerByName (ds, "cases");
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  OGRFeatureH f;

  g_assert_no_error (error);
  while ((f = OGR_L_GetNextFeature (dltb)) != NULL)
    {
      const char *code = OGR_F_GetFieldAsString (f, OGR_F_GetFieldIndex (f, "DLBM"));
      const LdLandclassEntry *e = ld_landclass_lookup (classes, LD_LANDCLASS_GBT21010_2017, code);

      if (e == NULL)
        g_error ("xz_dltb: DLBM %s is not in data/classes/gbt21010-2017.csv", code);
      g_assert_cmpstr (OGR_F_GetFieldAsString (f, OGR_F_GetFieldIndex (f, "DLMC")), ==, e->name);
      g_hash_table_add (seen, g_strdup (code));
      OGR_F_Destroy (f);
    }
  /* A realistic mix: the classes the issue names are all there. */
  {
    const char *expected[] = { "0101", "0103", "0201", "0301", "0303", "0701", "0702", "1003",
                               "1101", "1104A", "1105" };

    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      if (!g_hash_table_contains (seen, expected[i]))
        g_error ("xz_dltb has no patch of class %s", expected[i]);
  }
  while ((f = OGR_L_GetNextFeature (ydyh)) != NULL)
    {
      const char *code = OGR_F_GetFieldAsString (f, OGR_F_GetFieldIndex (f, "YDYHFLDM"));
      const LdLandclassEntry *e = ld_landclass_lookup (classes, LD_LANDCLASS_LANDSEA_2023, code);

      if (e == NULL)
        g_error ("gh_ydyh: YDYHFLDM %s is not in data/classes/landsea-2023.csv", code);
      g_assert_cmpstr (OGR_F_GetFieldAsString (f, OGR_F_GetFieldIndex (f, "YDYHFLMC")), ==,
                       e->name);
      OGR_F_Destroy (f);
    }
  while ((f = OGR_L_GetNextFeature (cases)) != NULL)
    {
      const char *code = OGR_F_GetFieldAsString (f, OGR_F_GetFieldIndex (f, "project_use"));

      g_assert_nonnull (ld_landclass_lookup (classes, LD_LANDCLASS_LANDSEA_2023, code));
      OGR_F_Destroy (f);
    }
  GDALClose (ds);
}

static void
test_attributes (void)
{
  GDALDatasetH ds = open_gpkg (fixture_dir);
  OGRLayerH dltb = GDALDatasetGetLayerByName (ds, "xz_dltb");
  g_autoptr(GHashTable) bsm = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  OGRFeatureH f;
  guint cultivated = 0;

  while ((f = OGR_L_GetNextFeature (dltb)) != NULL)
    {
      const char *dlbm = OGR_F_GetFieldAsString (f, OGR_F_GetFieldIndex (f, "DLBM"));
      double tbmj = OGR_F_GetFieldAsDouble (f, OGR_F_GetFieldIndex (f, "TBMJ"));
      double kcxs = OGR_F_GetFieldAsDouble (f, OGR_F_GetFieldIndex (f, "KCXS"));
      double kcmj = OGR_F_GetFieldAsDouble (f, OGR_F_GetFieldIndex (f, "KCMJ"));
      double tbdlmj = OGR_F_GetFieldAsDouble (f, OGR_F_GetFieldIndex (f, "TBDLMJ"));
      double planar = OGR_G_Area (OGR_F_GetGeometryRef (f));
      const char *zl = OGR_F_GetFieldAsString (f, OGR_F_GetFieldIndex (f, "ZLDWDM"));
      const char *qs = OGR_F_GetFieldAsString (f, OGR_F_GetFieldIndex (f, "QSXZ"));

      g_assert_true (g_hash_table_add (bsm, g_strdup (OGR_F_GetFieldAsString (f, 0))));
      /* m² with 2 decimals, ellipsoidal: the Gauss-Krüger plane enlarges areas (scale factor
       * above 1 off the central meridian), by under 0.1% in Zhanjiang. */
      g_assert_cmpfloat (fabs (tbmj * 100 - round (tbmj * 100)), <, 1e-6);
      g_assert_cmpfloat (tbmj, <=, planar + 0.005);
      g_assert_cmpfloat (planar - tbmj, <=, planar * 1e-3 + 0.01);
      g_assert_cmpfloat (fabs (tbdlmj - (tbmj - kcmj)), <, 0.011);
      g_assert_cmpuint (strlen (zl), ==, 19);
      g_assert_true (g_str_has_prefix (zl, "4408"));
      g_assert_true (g_str_equal (qs, "10") || g_str_equal (qs, "30"));
      if (g_str_has_prefix (dlbm, "01"))
        {
          cultivated++;
          g_assert_cmpfloat (kcxs, >, 0);
          g_assert_cmpfloat (kcxs, <, 1);
          g_assert_cmpstr (OGR_F_GetFieldAsString (f, OGR_F_GetFieldIndex (f, "KCDLBM")), ==,
                           "1203");
          g_assert_cmpfloat (fabs (kcmj - tbmj * kcxs), <, 0.011);
        }
      else
        {
          g_assert_cmpfloat (kcxs, ==, 0);
          g_assert_cmpfloat (kcmj, ==, 0);
        }
      OGR_F_Destroy (f);
    }
  g_assert_cmpuint (cultivated, >, 100);
  GDALClose (ds);
}

static void
test_sea_and_land (void)
{
  int count = 0;

  /* The South China Sea east of the peninsula, and inland between Leizhou and the west coast. */
  g_assert_false (point_has_patch (fixture_dir, 110.80, 20.60, &count));
  g_assert_true (point_has_patch (fixture_dir, 110.05, 21.00, &count));
  g_assert_cmpint (count, ==, 1);
  /* Zhanjiang Bay between Xiashan and Donghai island is sea in GSHHG. */
  g_assert_false (point_has_patch (fixture_dir, 110.45, 21.10, &count));
  g_assert_null (strstr (fixture_err, "synthetic"));
}

static void
test_synthetic_fallback (void)
{
  int count = 0;

  g_assert_nonnull (strstr (synthetic_err, "warning:"));
  g_assert_nonnull (strstr (synthetic_err, "synthetic peninsula"));
  g_assert_false (point_has_patch (synthetic_dir, 110.80, 20.60, &count));
  g_assert_true (point_has_patch (synthetic_dir, 110.05, 21.00, &count));
  g_assert_cmpint (count, ==, 1);
  check_seamless (synthetic_dir, 300);
}

static char *
sql_text (sqlite3    *db,
          const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *out = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    out = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return out;
}

static gint64
sql_int (sqlite3    *db,
         const char *sql)
{
  g_autofree char *text = sql_text (db, sql);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

static void
test_cases (void)
{
  g_autofree char *path = gpkg_in (fixture_dir);
  sqlite3 *db = NULL;
  const char *matters[] = { "land-prereview", "supply-allocation", "supply-grant",
                            "planning-verification" };
  const char *prefixes[] = { "ZJYS", "ZJHB", "ZJCR", "ZJHS" };
  const char *stages[] = { "intake", "accept", "examine", "check", "approve", "close" };
  const char *statuses[] = { "active", "suspended", "closed", "refused" };
  const char *roles[] = { "reviewer", "section-head", "leader", "field-staff", "gis-officer",
                          "admin" };

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  for (guint m = 0; m < G_N_ELEMENTS (matters); m++)
    for (guint s = 0; s < G_N_ELEMENTS (stages); s++)
      {
        g_autofree char *q = g_strdup_printf ("SELECT count(*) FROM cases WHERE matter = '%s' "
                                              "AND stage = '%s' AND number LIKE '%s-20__-____'",
                                              matters[m], stages[s], prefixes[m]);
        if (sql_int (db, q) < 1)
          g_error ("no %s case in stage %s", matters[m], stages[s]);
      }
  for (guint s = 0; s < G_N_ELEMENTS (statuses); s++)
    {
      g_autofree char *q = g_strdup_printf ("SELECT count(*) FROM cases WHERE status = '%s'",
                                            statuses[s]);
      g_assert_cmpint (sql_int (db, q), >, 0);
    }
  for (guint r = 0; r < G_N_ELEMENTS (roles); r++)
    {
      g_autofree char *q = g_strdup_printf ("SELECT count(*) FROM users WHERE role = '%s'",
                                            roles[r]);
      g_assert_cmpint (sql_int (db, q), >, 0);
    }
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM users WHERE login = 'admin'"), ==, 1);
  /* Suspensions say what kind and since when; only closed and refused cases have closed_on. */
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM cases WHERE (status = 'suspended') != "
                                "(suspend_kind IN ('correction', 'special') AND suspended_on IS NOT NULL)"),
                   ==, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM cases WHERE (status IN ('closed', 'refused'))"
                                " != (closed_on IS NOT NULL)"), ==, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM cases WHERE received_on < '2024-01-01' "
                                "OR received_on > '2026-11-28' OR closed_on > '2026-11-28' "
                                "OR accepted_on < received_on"), ==, 0);
  /* Assignees' roles fit the stage of active cases. */
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM cases c JOIN users u ON u.login = c.assignee "
                                "WHERE c.status IN ('active', 'suspended') AND NOT ("
                                "(c.stage IN ('intake', 'accept', 'examine', 'close') AND u.role = 'reviewer') "
                                "OR (c.stage = 'check' AND u.role = 'section-head') "
                                "OR (c.stage = 'approve' AND u.role = 'leader'))"), ==, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM cases WHERE assignee NOT IN "
                                "(SELECT login FROM users)"), ==, 0);
  /* The log leads to the current stage: the last move ends where the case is. */
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM cases c WHERE c.stage != 'intake' AND "
                                "c.stage != (SELECT to_stage FROM case_events e WHERE e.case_id = c.id "
                                "ORDER BY e.at DESC, e.fid DESC LIMIT 1)"), ==, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM case_events WHERE at NOT LIKE '20__-__-__T__:__:__+08:00'"),
                   ==, 0);
  /* Every case has a red line of 0.5-300 ha. */
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM cases WHERE id NOT IN "
                                "(SELECT case_id FROM case_redlines)"), ==, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM case_redlines WHERE area_m2 < 5000 "
                                "OR area_m2 > 3000000"), ==, 0);
  sqlite3_close (db);
}

/* Red lines meet every outcome the pre-review checks: inside and outside the UDB, on PBF and EPR
 * and off them, on cultivated land and on construction land. */
/* Every logged step is an action its matter offers at the stage it left: the demo's history
 * is one the workflow rules could have written. */
static void
test_events_follow_matters (void)
{
  g_autofree char *path = gpkg_in (fixture_dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) matters = ld_matter_load_default (&error);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint checked = 0;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT c.number, c.matter, e.from_stage, e.action"
                                           " FROM case_events e JOIN cases c ON c.id = e.case_id",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *number = (const char *) sqlite3_column_text (stmt, 0);
      LdMatter *matter = ld_matter_list_find (matters, (const char *) sqlite3_column_text (stmt, 1));
      const char *from = (const char *) sqlite3_column_text (stmt, 2);
      const char *action = (const char *) sqlite3_column_text (stmt, 3);
      int stage;

      g_assert_nonnull (matter);
      stage = ld_matter_find_stage (matter, from);
      g_assert_cmpint (stage, >=, 0);
      /* Resuming ends the suspension the stage started (as the workflow rules say). */
      if (g_str_equal (action, "resume"))
        action = "request-correction";
      else if (g_str_equal (action, "end-special"))
        action = "start-special";
      if (!ld_matter_stage_has_action (matter, stage, action))
        g_error ("%s: action %s is not offered at stage %s", number, action, from);
      checked++;
    }
  g_assert_cmpuint (checked, >, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
test_redline_outcomes (void)
{
  GDALDatasetH ds = open_gpkg (fixture_dir);
  OGRLayerH red = GDALDatasetGetLayerByName (ds, "case_redlines");
  const char *layers[] = { "sx_czkfbj", "sx_yjjbnt", "sx_stbhhx" };
  guint hits[3] = { 0 }, misses[3] = { 0 }, cultivated = 0, built = 0, n = 0;
  OGRFeatureH f;

  while ((f = OGR_L_GetNextFeature (red)) != NULL)
    {
      OGRGeometryH g = OGR_F_GetGeometryRef (f);
      gboolean on_farm = FALSE, on_built = FALSE;

      for (guint l = 0; l < 3; l++)
        {
          OGRLayerH layer = GDALDatasetGetLayerByName (ds, layers[l]);
          OGRFeatureH z;
          gboolean hit = FALSE;

          OGR_L_SetSpatialFilter (layer, g);
          while ((z = OGR_L_GetNextFeature (layer)) != NULL)
            {
              hit = hit || OGR_G_Intersects (g, OGR_F_GetGeometryRef (z));
              OGR_F_Destroy (z);
            }
          hit ? hits[l]++ : misses[l]++;
        }
      {
        OGRLayerH dltb = GDALDatasetGetLayerByName (ds, "xz_dltb");
        OGRFeatureH z;

        OGR_L_SetSpatialFilter (dltb, g);
        while ((z = OGR_L_GetNextFeature (dltb)) != NULL)
          {
            const char *code = OGR_F_GetFieldAsString (z, OGR_F_GetFieldIndex (z, "DLBM"));

            if (OGR_G_Intersects (g, OGR_F_GetGeometryRef (z)))
              {
                on_farm = on_farm || g_str_has_prefix (code, "01");
                on_built = on_built || g_str_has_prefix (code, "07")
                           || g_str_has_prefix (code, "06") || g_str_has_prefix (code, "05");
              }
            OGR_F_Destroy (z);
          }
      }
      cultivated += on_farm;
      built += on_built;
      n++;
      OGR_F_Destroy (f);
    }
  for (guint l = 0; l < 3; l++)
    {
      g_test_message ("%s: %u red lines touch it, %u do not", layers[l], hits[l], misses[l]);
      g_assert_cmpuint (hits[l], >, 0);
      g_assert_cmpuint (misses[l], >, 0);
    }
  g_assert_cmpuint (cultivated, >, 0);
  g_assert_cmpuint (built, >, 0);
  g_assert_cmpuint (cultivated, <, n);
  GDALClose (ds);
}

static const char *
class_at (GDALDatasetH ds,
          OGRGeometryH point)
{
  static char code[16];
  OGRLayerH dltb = GDALDatasetGetLayerByName (ds, "xz_dltb");
  OGRFeatureH f;

  code[0] = '\0';
  OGR_L_SetSpatialFilter (dltb, point);
  while ((f = OGR_L_GetNextFeature (dltb)) != NULL)
    {
      if (OGR_G_Intersects (OGR_F_GetGeometryRef (f), point))
        g_strlcpy (code, OGR_F_GetFieldAsString (f, OGR_F_GetFieldIndex (f, "DLBM")), sizeof code);
      OGR_F_Destroy (f);
    }
  OGR_L_SetSpatialFilter (dltb, NULL);
  return code;
}

/* The three zones and lines agree with land use and with each other: PBF lies on cultivated
 * land, EPR on mangroves, tidal flats or forest, neither overlaps the urban development boundary,
 * and the planned town growth lies inside it. */
static void
test_zones_coherent (void)
{
  GDALDatasetH ds = open_gpkg (fixture_dir);
  OGRLayerH udb = GDALDatasetGetLayerByName (ds, "sx_czkfbj");
  const char *zones[] = { "sx_yjjbnt", "sx_stbhhx" };
  OGRFeatureH f;

  for (guint z = 0; z < G_N_ELEMENTS (zones); z++)
    {
      OGRLayerH layer = GDALDatasetGetLayerByName (ds, zones[z]);
      guint n = 0;

      while ((f = OGR_L_GetNextFeature (layer)) != NULL)
        {
          OGRGeometryH g = OGR_F_GetGeometryRef (f);
          OGRGeometryH inside = OGR_G_PointOnSurface (g);
          const char *code = class_at (ds, inside);
          OGRFeatureH u;

          if (z == 0)
            g_assert_true (g_str_has_prefix (code, "01"));
          else
            g_assert_true (g_str_equal (code, "0303") || g_str_equal (code, "1105")
                           || g_str_has_prefix (code, "03"));
          OGR_L_SetSpatialFilter (udb, g);
          while ((u = OGR_L_GetNextFeature (udb)) != NULL)
            {
              OGRGeometryH both = OGR_G_Intersection (g, OGR_F_GetGeometryRef (u));

              g_assert_cmpfloat (both != NULL ? OGR_G_Area (both) : 0.0, <, 0.01);
              OGR_G_DestroyGeometry (both);
              OGR_F_Destroy (u);
            }
          OGR_G_DestroyGeometry (inside);
          OGR_F_Destroy (f);
          n++;
        }
      g_assert_cmpuint (n, >, 10);
    }
  OGR_L_SetSpatialFilter (udb, NULL);

  /* Farmland planned for housing or industry is inside the UDB. */
  {
    OGRLayerH ydyh = GDALDatasetGetLayerByName (ds, "gh_ydyh");
    guint growth = 0;

    while ((f = OGR_L_GetNextFeature (ydyh)) != NULL)
      {
        const char *plan = OGR_F_GetFieldAsString (f, OGR_F_GetFieldIndex (f, "YDYHFLDM"));
        OGRGeometryH inside = OGR_G_PointOnSurface (OGR_F_GetGeometryRef (f));
        const char *code = class_at (ds, inside);

        if (g_str_has_prefix (code, "01") && (g_str_has_prefix (plan, "07")
                                              || g_str_has_prefix (plan, "10")))
          {
            OGRFeatureH u;
            gboolean in = FALSE;

            OGR_L_SetSpatialFilter (udb, inside);
            while ((u = OGR_L_GetNextFeature (udb)) != NULL)
              {
                in = in || OGR_G_Intersects (OGR_F_GetGeometryRef (u), inside);
                OGR_F_Destroy (u);
              }
            g_assert_true (in);
            growth++;
          }
        OGR_G_DestroyGeometry (inside);
        OGR_F_Destroy (f);
      }
    g_assert_cmpuint (growth, >, 0);
  }
  GDALClose (ds);
}

static void
test_gpkg_valid (void)
{
  g_autofree char *path = gpkg_in (fixture_dir);
  const char *script = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py";
  sqlite3 *db = NULL;
  g_autofree char *integrity = NULL;
  const char *layers[] = { "xz_dltb", "gh_ydyh", "sx_yjjbnt", "sx_stbhhx", "sx_czkfbj",
                           "case_redlines" };

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  integrity = sql_text (db, "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");
  g_assert_cmpint (sql_int (db, "PRAGMA application_id"), ==, 0x47504B47);
  for (guint l = 0; l < G_N_ELEMENTS (layers); l++)
    {
      g_autofree char *q = g_strdup_printf ("SELECT count(*) FROM gpkg_extensions WHERE "
                                            "table_name = '%s' AND extension_name = 'gpkg_rtree_index'",
                                            layers[l]);
      g_autofree char *q2 = g_strdup_printf ("SELECT (SELECT count(*) FROM rtree_%s_geom) - "
                                             "(SELECT count(*) FROM %s)", layers[l], layers[l]);
      g_autofree char *q3 = g_strdup_printf ("SELECT srs_id FROM gpkg_geometry_columns WHERE "
                                             "table_name = '%s'", layers[l]);

      g_assert_cmpint (sql_int (db, q), ==, 1);
      g_assert_cmpint (sql_int (db, q2), ==, 0);
      g_assert_cmpint (sql_int (db, q3), ==, 4525);
    }
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM gpkg_contents WHERE data_type = 'attributes' "
                                "AND table_name IN ('cases', 'case_events', 'users')"), ==, 3);
  sqlite3_close (db);

  /* GDAL's own validator, as Debian ships it with python3-gdal. */
  if (g_file_test (script, G_FILE_TEST_EXISTS))
    {
      g_autoptr(LdTestRun) run = ld_test_run (NULL, "/usr/bin/python3", script, path, NULL);

      if (run->status != 0)
        g_printerr ("%s%s", run->out, run->err);
      g_assert_cmpint (run->status, ==, 0);
    }
  else
    g_test_message ("validate_gpkg.py not installed: checked by SQL only");
}

static void
test_basemap (void)
{
  g_autofree char *path = g_build_filename (fixture_dir, LD_DEMO_BASEMAP_NAME, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LdMbtiles) mbtiles = ld_mbtiles_open (path, &error);
  g_autofree char *minz = NULL, *maxz = NULL;

  g_assert_no_error (error);
  minz = ld_mbtiles_dup_metadata (mbtiles, "minzoom");
  maxz = ld_mbtiles_dup_metadata (mbtiles, "maxzoom");
  g_assert_cmpstr (minz, ==, "8");
  g_assert_cmpstr (maxz, ==, "9");
  /* Zoom 8 is 2 x 2 tiles over Zhanjiang, zoom 9 is 3 x 3. */
  g_assert_cmpint (ld_mbtiles_count_tiles (mbtiles), ==, 4 + 9);
  g_assert_true (strstr (fixture_err, "rendering zoom 9: 100%") != NULL);
}

static void
test_bad_arguments (void)
{
  g_autofree char *dir = ld_test_path ("bad");
  g_autofree char *file = ld_test_path ("a-file");
  struct
  {
    const char *args[8];
    int         status;
    const char *message;
  } cases[] = {
    { { "demo-data", NULL }, 2, "--out DIR is required" },
    { { "demo-data", "--out", dir, "--patches", "many", NULL }, 2, "--patches 'many'" },
    { { "demo-data", "--out", dir, "--patches", "10", NULL }, 2, "--patches 10 is out of range" },
    { { "demo-data", "--out", dir, "--patches", "-5", NULL }, 2, "--patches '-5'" },
    { { "demo-data", "--out", dir, "--seed", "x1", NULL }, 2, "--seed 'x1'" },
    { { "demo-data", "--out", dir, "--cases", "99999", NULL }, 2, "--cases 99999 is out of range" },
    { { "demo-data", "--out", dir, "--max-zoom", "30", NULL }, 2, "zoom range 8-30 is invalid" },
    { { "demo-data", "--out", dir, "extra", NULL }, 2, "unexpected argument 'extra'" },
    { { "demo-data", "--bogus", NULL }, 2, "landdesk-cli help demo-data" },
    { { "demo-data", "--out", file, "--patches", "200", "--max-zoom", "8", NULL }, 1, "a-file" },
  };

  g_assert_true (g_file_set_contents (file, "not a folder", -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char **a = cases[i].args;
      g_autoptr(LdTestRun) run = ld_test_run (NULL, cli (), a[0], a[1], a[2], a[3], a[4], a[5],
                                              a[6], a[7], NULL);

      g_test_message ("case %u: %s", i, run->err);
      g_assert_cmpint (run->status, ==, cases[i].status);
      g_assert_nonnull (strstr (run->err, cases[i].message));
      g_assert_cmpstr (run->out, ==, "");
    }
  /* Nothing was written. */
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  {
    g_autoptr(LdTestRun) help = ld_test_run (NULL, cli (), "help", "demo-data", NULL);
    g_autoptr(LdTestRun) list = ld_test_run (NULL, cli (), "--help", NULL);

    g_assert_cmpint (help->status, ==, 0);
    g_assert_nonnull (strstr (help->out, "--patches"));
    g_assert_nonnull (strstr (help->out, "--force"));
    g_assert_nonnull (strstr (list->out, "demo-data"));
  }
}

/* ---------------------------------------------------------------------------------------- */
/* the class tables */

static void
test_landclass_lookup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdLandclass) classes = ld_landclass_load (&error);
  const LdLandclassEntry *e;

  g_assert_no_error (error);
  e = ld_landclass_lookup (classes, LD_LANDCLASS_GBT21010_2017, "0101");
  g_assert_nonnull (e);
  g_assert_cmpstr (e->name, ==, "水田");
  g_assert_cmpint (e->level, ==, 2);
  g_assert_cmpstr (e->parent, ==, "01");
  /* The three categories, per domain.md §3. */
  g_assert_cmpint (ld_landclass_category (classes, "0101"), ==, LD_LAND_CATEGORY_AGRICULTURAL);
  g_assert_cmpint (ld_landclass_category (classes, "1006"), ==, LD_LAND_CATEGORY_AGRICULTURAL);
  g_assert_cmpint (ld_landclass_category (classes, "1104A"), ==, LD_LAND_CATEGORY_AGRICULTURAL);
  g_assert_cmpint (ld_landclass_category (classes, "1201"), ==, LD_LAND_CATEGORY_CONSTRUCTION);
  g_assert_cmpint (ld_landclass_category (classes, "1109"), ==, LD_LAND_CATEGORY_CONSTRUCTION);
  g_assert_cmpint (ld_landclass_category (classes, "0404"), ==, LD_LAND_CATEGORY_UNUSED);
  g_assert_cmpint (ld_landclass_category (classes, "1105"), ==, LD_LAND_CATEGORY_UNUSED);
  g_assert_cmpint (ld_landclass_category (classes, "9999"), ==, LD_LAND_CATEGORY_NONE);
  /* Working classes of the third survey. */
  g_assert_nonnull (ld_landclass_lookup (classes, LD_LANDCLASS_GBT21010_2017, "00"));
  g_assert_nonnull (ld_landclass_lookup (classes, LD_LANDCLASS_GBT21010_2017, "05H1"));
  g_assert_nonnull (ld_landclass_lookup (classes, LD_LANDCLASS_GBT21010_2017, "08H2"));
  g_assert_nonnull (ld_landclass_lookup (classes, LD_LANDCLASS_GBT21010_2017, "0201K"));
  /* 2007 codes: one-to-one ones map, split ones do not (never guess). */
  g_assert_cmpstr (ld_landclass_map_2007 (classes, "011"), ==, "0101");
  g_assert_cmpstr (ld_landclass_map_2007 (classes, "125"), ==, "1108");
  g_assert_null (ld_landclass_map_2007 (classes, "031"));
  /* The 2023 land-and-sea classes, three levels. */
  e = ld_landclass_lookup (classes, LD_LANDCLASS_LANDSEA_2023, "100101");
  g_assert_nonnull (e);
  g_assert_cmpint (e->level, ==, 3);
  g_assert_cmpstr (e->parent, ==, "1001");
  g_assert_cmpstr (ld_landclass_lookup (classes, LD_LANDCLASS_LANDSEA_2023, "1207")->name, ==,
                   "城镇村道路用地");
  g_assert_nonnull (ld_landclass_lookup (classes, LD_LANDCLASS_LANDSEA_2023, "24"));
  g_assert_cmpstr (ld_landclass_get_edition (classes, LD_LANDCLASS_GBT21010_2017), ==,
                   "GB/T 21010-2017");
  g_assert_nonnull (strstr (ld_landclass_get_edition (classes, LD_LANDCLASS_LANDSEA_2023), "2023"));
}

static void
write_tables (const char *dir,
              const char *gbt_extra)
{
  g_autofree char *src = ld_paths_data_file ("classes", NULL);
  const char *names[] = { "gbt21010-2017.csv", "gbt21010-2007-map.csv", "landsea-2023.csv" };

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *from = g_build_filename (src, names[i], NULL);
      g_autofree char *to = g_build_filename (dir, names[i], NULL);
      g_autofree char *text = NULL;
      g_autofree char *full = NULL;

      g_assert_true (g_file_get_contents (from, &text, NULL, NULL));
      full = g_strconcat (text, i == 0 && gbt_extra != NULL ? gbt_extra : "", NULL);
      g_assert_true (g_file_set_contents (to, full, -1, NULL));
    }
}

static void
test_landclass_bad_rows (void)
{
  struct
  {
    const char *extra;
    const char *message;
  } cases[] = {
    { "0999,测试,2,09\n", "gbt21010-2017.csv:" },
    { "0999,测试,2,77,construction\n", "field parent: '77'" },
    { "0999,测试,4,09,construction\n", "field level: '4'" },
    { "0999,测试,2,09,industrial\n", "field category: 'industrial'" },
    { "0101,水田,2,01,agricultural\n", "field code: '0101' is listed twice" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("classes-%u", i);
      g_autofree char *dir = ld_test_path (name);
      g_autoptr(GError) error = NULL;
      g_autoptr(LdLandclass) classes = NULL;

      write_tables (dir, cases[i].extra);
      classes = ld_landclass_load_from_dir (dir, &error);
      g_assert_null (classes);
      g_assert_error (error, LD_LANDCLASS_ERROR, LD_LANDCLASS_ERROR_PARSE);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].message));
      /* FILE:LINE: the line is the one after the shipped table. */
      g_assert_nonnull (g_strrstr (error->message, ".csv:"));
    }
  {
    g_autofree char *dir = ld_test_path ("missing");
    g_autoptr(GError) error = NULL;

    g_assert_null (ld_landclass_load_from_dir (dir, &error));
    g_assert_error (error, LD_LANDCLASS_ERROR, LD_LANDCLASS_ERROR_IO);
    g_assert_nonnull (strstr (error->message, "gbt21010-2017.csv"));
  }
}

int
main (int    argc,
      char **argv)
{
  const char *no_gmt[] = { "LANDDESK_GMT=landdesk-no-such-gmt", NULL };
  g_autofree char *root = NULL;
  int status;

  ld_test_init (&argc, &argv);
  GDALAllRegister ();

  /* One dataset for the read-only checks, generated once. */
  root = g_dir_make_tmp ("landdesk-test-demo-XXXXXX", NULL);
  g_assert_nonnull (root);
  fixture_dir = g_build_filename (root, "seed7", NULL);
  synthetic_dir = g_build_filename (root, "synthetic", NULL);
  generate (fixture_dir, "7", NULL, &fixture_err);
  generate_n (synthetic_dir, "500", "7", no_gmt, &synthetic_err);

  g_test_add_func ("/landclass/lookup", test_landclass_lookup);
  g_test_add_func ("/landclass/bad-rows", test_landclass_bad_rows);
  g_test_add_func ("/demo/deterministic", test_deterministic);
  g_test_add_func ("/demo/seamless", test_seamless);
  g_test_add_func ("/demo/geometry", test_geometry);
  g_test_add_func ("/demo/classes-exist", test_classes_exist);
  g_test_add_func ("/demo/attributes", test_attributes);
  g_test_add_func ("/demo/sea-and-land", test_sea_and_land);
  g_test_add_func ("/demo/synthetic-fallback", test_synthetic_fallback);
  g_test_add_func ("/demo/zones-coherent", test_zones_coherent);
  g_test_add_func ("/demo/cases", test_cases);
  g_test_add_func ("/demo/events-follow-matters", test_events_follow_matters);
  g_test_add_func ("/demo/redline-outcomes", test_redline_outcomes);
  g_test_add_func ("/demo/gpkg-valid", test_gpkg_valid);
  g_test_add_func ("/demo/basemap", test_basemap);
  g_test_add_func ("/demo/bad-arguments", test_bad_arguments);

  status = g_test_run ();

  ld_test_rm_rf (fixture_dir);
  ld_test_rm_rf (synthetic_dir);
  g_rmdir (root);
  g_free (fixture_dir);
  g_free (synthetic_dir);
  g_free (fixture_err);
  g_free (synthetic_err);
  return status;
}
