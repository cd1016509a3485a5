/* test-analysis.c: the overlay analysis, its checks, its stored results and landdesk-cli analyze
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two kinds of data: a fixture GeoPackage of 100 m squares written here with plain SQLite, whose
 * expected areas are school arithmetic; and a small demo store, where every figure is checked
 * against GDAL/OGR clipping every candidate patch (no R-tree join, no containment shortcut).
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sqlite3.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

#include "ld-core.h"
#include "ld-test-util.h"

#define E0 37433000.0
#define N0 2353000.0

static const char *
cli (void)
{
  return ld_test_binary ("LANDDESK_CLI");
}

/* ---- the fixture: squares in local metres (x east, y north from E0/N0) --------------------- */

typedef struct
{
  double      x0, y0, x1, y1;
  const char *code, *name;
  double      kcxs;
} Square;

/* xz_dltb: a 2 x 2 grid of 100 m patches */
static const Square dltb[] = {
  { 0, 0, 100, 100, "0101", "水田", 0.1 },
  { 100, 0, 200, 100, "0702", "农村宅基地", 0 },
  { 0, 100, 100, 200, "0301", "乔木林地", 0 },
  { 100, 100, 200, 200, "1205", "沙地", 0 },
};
/* gh_ydyh: industry, and a 5 m strip of housing along the north edge */
static const Square ydyh[] = {
  { 0, 0, 200, 195, "100101", "一类工业用地", 0 },
  { 0, 195, 200, 200, "0701", "城镇住宅用地", 0 },
};
static const Square pbf[] = { { 0, 0, 100, 100, NULL, NULL, 0 } };
static const Square epr[] = { { 150, 150, 200, 200, NULL, NULL, 0 } };
static const Square udb[] = { { 0, 0, 100, 200, NULL, NULL, 0 } };

static GBytes *
square_blob (const Square *s)
{
  GByteArray *b = g_byte_array_new ();
  guint8 head[8] = { 'G', 'P', 0, 0x01, 0, 0, 0, 0 };
  guint32 srs = 4525, type = 3, rings = 1, points = 5;
  double xy[10] = { E0 + s->x0, N0 + s->y0, E0 + s->x1, N0 + s->y0, E0 + s->x1, N0 + s->y1,
                    E0 + s->x0, N0 + s->y1, E0 + s->x0, N0 + s->y0 };
  guint8 order = 1;

  memcpy (head + 4, &srs, 4);
  g_byte_array_append (b, head, 8);
  g_byte_array_append (b, &order, 1);
  g_byte_array_append (b, (guint8 *) &type, 4);
  g_byte_array_append (b, (guint8 *) &rings, 4);
  g_byte_array_append (b, (guint8 *) &points, 4);
  g_byte_array_append (b, (guint8 *) xy, sizeof xy);
  return g_byte_array_free_to_bytes (b);
}

static void
exec_ok (sqlite3    *db,
         const char *sql)
{
  char *msg = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    g_error ("%s: %s", sql, msg);
}

static void
add_layer (sqlite3      *db,
           const char   *name,
           const char   *fields,
           const Square *squares,
           guint         n,
           gboolean      with_rtree)
{
  g_autofree char *create = g_strdup_printf ("CREATE TABLE %s (fid INTEGER PRIMARY KEY, "
                                             "geom BLOB%s)", name, fields);
  g_autofree char *reg = g_strdup_printf ("INSERT INTO gpkg_geometry_columns VALUES "
                                          "('%s', 'geom', 'MULTIPOLYGON', 4525, 0, 0)", name);
  g_autofree char *rtree = g_strdup_printf ("CREATE VIRTUAL TABLE rtree_%s_geom USING "
                                            "rtree(id, minx, maxx, miny, maxy)", name);
  gboolean classes = strstr (fields, "DLBM") != NULL || strstr (fields, "YDYHFLDM") != NULL;
  gboolean ratio = strstr (fields, "KCXS") != NULL;

  exec_ok (db, create);
  exec_ok (db, reg);
  if (with_rtree)
    exec_ok (db, rtree);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) blob = square_blob (&squares[i]);
      g_autofree char *sql = NULL;
      sqlite3_stmt *stmt;

      if (classes)
        sql = g_strdup_printf ("INSERT INTO %s VALUES (?, ?, ?, ?%s)", name, ratio ? ", ?" : "");
      else
        sql = g_strdup_printf ("INSERT INTO %s VALUES (?, ?)", name);
      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      sqlite3_bind_int (stmt, 1, (int) i + 1);
      sqlite3_bind_blob (stmt, 2, g_bytes_get_data (blob, NULL), (int) g_bytes_get_size (blob),
                         SQLITE_TRANSIENT);
      if (classes)
        {
          sqlite3_bind_text (stmt, 3, squares[i].code, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 4, squares[i].name, -1, SQLITE_STATIC);
          if (ratio)
            sqlite3_bind_double (stmt, 5, squares[i].kcxs);
        }
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_finalize (stmt);
      if (with_rtree)
        {
          g_autofree char *r = g_strdup_printf ("INSERT INTO rtree_%s_geom VALUES (%u, %.3f, "
                                                "%.3f, %.3f, %.3f)", name, i + 1,
                                                E0 + squares[i].x0, E0 + squares[i].x1,
                                                N0 + squares[i].y0, N0 + squares[i].y1);
          exec_ok (db, r);
        }
    }
}

/* Writes the fixture; @skip names a layer to leave out, @no_rtree one to write without index. */
static char *
fixture (const char *name,
         const char *skip,
         const char *no_rtree)
{
  char *path = ld_test_path (name);
  sqlite3 *db;
  struct { const char *name, *fields; const Square *s; guint n; } layers[] = {
    { "xz_dltb", ", DLBM TEXT, DLMC TEXT, KCXS REAL", dltb, G_N_ELEMENTS (dltb) },
    { "gh_ydyh", ", YDYHFLDM TEXT, YDYHFLMC TEXT", ydyh, G_N_ELEMENTS (ydyh) },
    { "sx_yjjbnt", "", pbf, G_N_ELEMENTS (pbf) },
    { "sx_stbhhx", "", epr, G_N_ELEMENTS (epr) },
    { "sx_czkfbj", "", udb, G_N_ELEMENTS (udb) },
  };

  g_remove (path);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  exec_ok (db, "CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT,"
               " geometry_type_name TEXT, srs_id INTEGER, z TINYINT, m TINYINT)");
  for (guint i = 0; i < G_N_ELEMENTS (layers); i++)
    if (g_strcmp0 (skip, layers[i].name) != 0)
      add_layer (db, layers[i].name, layers[i].fields, layers[i].s, layers[i].n,
                 g_strcmp0 (no_rtree, layers[i].name) != 0);
  sqlite3_close (db);
  return path;
}

static LdRedline *
rect_redline (double x0,
              double y0,
              double x1,
              double y1)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *wkt = g_strdup_printf ("POLYGON ((%.3f %.3f, %.3f %.3f, %.3f %.3f, %.3f %.3f,"
                                          " %.3f %.3f))", E0 + x0, N0 + y0, E0 + x1, N0 + y0,
                                          E0 + x1, N0 + y1, E0 + x0, N0 + y1, E0 + x0, N0 + y0);
  LdRedline *redline = ld_redline_new ();

  ld_redline_add_parcel_wkt (redline, "DK01", "测试地块", wkt, &error);
  g_assert_no_error (error);
  return redline;
}

static LdAnalysisResult *
analyse (const char *gpkg,
         double      x0,
         double      y0,
         double      x1,
         double      y1,
         const char *use)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdAnalysis) analysis = ld_analysis_new (gpkg, &error);
  g_autoptr(LdRedline) redline = NULL;
  LdAnalysisResult *r;

  g_assert_no_error (error);
  redline = rect_redline (x0, y0, x1, y1);
  r = ld_analysis_run (analysis, redline, use, &error);
  g_assert_no_error (error);
  return r;
}

static double
class_area (LdAnalysisResult *r,
            const char       *layer,
            const char       *code)
{
  const LdAnalysisLayer *l = ld_analysis_result_get_layer (r, layer);

  g_assert_nonnull (l);
  for (guint i = 0; i < l->classes->len; i++)
    {
      LdAnalysisRow *c = g_ptr_array_index (l->classes, i);

      if (strcmp (c->code, code) == 0)
        return c->area_m2;
    }
  return 0.0;
}

#define ASSERT_AREA(a, b) g_assert_cmpfloat_with_epsilon ((a), (b), 1e-6)

static void
assert_check (LdAnalysisResult *r,
              LdCheckId         id,
              LdCheckStatus     status,
              double            area)
{
  g_test_message ("%s: %s", ld_check_id_to_string (id), r->checks[id].reason);
  g_assert_cmpstr (ld_check_status_to_string (r->checks[id].status), ==,
                   ld_check_status_to_string (status));
  ASSERT_AREA (r->checks[id].area_m2, area);
  g_assert_true (r->checks[id].reason != NULL && r->checks[id].reason[0] != '\0');
  g_assert_true (r->checks[id].reason_zh != NULL && r->checks[id].reason_zh[0] != '\0');
}

/* A red line over the middle of the four patches: a quarter of each. */
static void
test_fixture_centre (void)
{
  g_autofree char *gpkg = fixture ("centre.gpkg", NULL, NULL);
  g_autoptr(LdAnalysisResult) r = analyse (gpkg, 50, 50, 150, 150, "1001");

  ASSERT_AREA (r->redline_area_m2, 10000.0);
  ASSERT_AREA (class_area (r, "xz_dltb", "0101"), 2500.0);
  ASSERT_AREA (class_area (r, "xz_dltb", "0702"), 2500.0);
  ASSERT_AREA (class_area (r, "xz_dltb", "0301"), 2500.0);
  ASSERT_AREA (class_area (r, "xz_dltb", "1205"), 2500.0);
  ASSERT_AREA (class_area (r, "gh_ydyh", "100101"), 10000.0);
  g_assert_cmpuint (ld_analysis_result_get_layer (r, "xz_dltb")->classes->len, ==, 4);
  g_assert_cmpuint (r->n_whole, ==, 0);
  /* industry planned, industry wanted */
  assert_check (r, LD_CHECK_PLANNED_USE, LD_CHECK_PASS, 0.0);
  /* the west half is inside the UDB */
  assert_check (r, LD_CHECK_UDB, LD_CHECK_ATTENTION, 5000.0);
  assert_check (r, LD_CHECK_PBF, LD_CHECK_FAIL, 2500.0);
  /* the EPR square only touches the red line's corner */
  assert_check (r, LD_CHECK_EPR, LD_CHECK_PASS, 0.0);
  /* paddy net of 10% field ridges */
  assert_check (r, LD_CHECK_CULTIVATED, LD_CHECK_ATTENTION, 2250.0);
  ASSERT_AREA (r->paddy_m2, 2250.0);
  /* paddy + forest (agricultural) + sand (unused); the homesteads are construction land */
  assert_check (r, LD_CHECK_NEW_CONSTRUCTION, LD_CHECK_ATTENTION, 7500.0);
}

static void
test_fixture_outcomes (void)
{
  g_autofree char *gpkg = fixture ("outcomes.gpkg", NULL, NULL);

  {
    /* housing wanted where industry is planned: fail */
    g_autoptr(LdAnalysisResult) r = analyse (gpkg, 50, 50, 150, 150, "0701");

    assert_check (r, LD_CHECK_PLANNED_USE, LD_CHECK_FAIL, 10000.0);
  }
  {
    /* 50 m² of the 5 m housing strip in a 19 550 m² industrial red line: a sliver */
    g_autoptr(LdAnalysisResult) r = analyse (gpkg, 50, 0, 150, 195.5, "100102");

    assert_check (r, LD_CHECK_PLANNED_USE, LD_CHECK_ATTENTION, 50.0);
  }
  {
    /* no project use: attention */
    g_autoptr(LdAnalysisResult) r = analyse (gpkg, 50, 50, 150, 150, NULL);

    assert_check (r, LD_CHECK_PLANNED_USE, LD_CHECK_ATTENTION, 0.0);
  }
  {
    /* inside the homesteads only: wholly outside the UDB, nothing to flag otherwise */
    g_autoptr(LdAnalysisResult) r = analyse (gpkg, 110, 10, 190, 90, "1001");

    assert_check (r, LD_CHECK_UDB, LD_CHECK_ATTENTION, 0.0);
    g_assert_true (strstr (r->checks[LD_CHECK_UDB].reason, "wholly outside") != NULL);
    assert_check (r, LD_CHECK_PBF, LD_CHECK_PASS, 0.0);
    assert_check (r, LD_CHECK_EPR, LD_CHECK_PASS, 0.0);
    assert_check (r, LD_CHECK_CULTIVATED, LD_CHECK_PASS, 0.0);
    assert_check (r, LD_CHECK_NEW_CONSTRUCTION, LD_CHECK_PASS, 0.0);
  }
  {
    /* inside the paddy: wholly inside the UDB */
    g_autoptr(LdAnalysisResult) r = analyse (gpkg, 10, 10, 90, 90, "1001");

    assert_check (r, LD_CHECK_UDB, LD_CHECK_PASS, 6400.0);
    assert_check (r, LD_CHECK_CULTIVATED, LD_CHECK_ATTENTION, 6400.0 * 0.9);
  }
  {
    /* 10 m beyond the south edge of every layer: no planned use there */
    g_autoptr(LdAnalysisResult) r = analyse (gpkg, 10, -10, 90, 90, "1001");

    assert_check (r, LD_CHECK_PLANNED_USE, LD_CHECK_ATTENTION, 800.0);
    ASSERT_AREA (class_area (r, "xz_dltb", ""), 800.0);
  }
  {
    /* over the EPR corner */
    g_autoptr(LdAnalysisResult) r = analyse (gpkg, 120, 120, 190, 190, "1001");

    assert_check (r, LD_CHECK_EPR, LD_CHECK_FAIL, 1600.0);
  }
}

/* A red line around everything takes every patch whole, and its rows name what no patch
 * covers. */
static void
test_fixture_whole (void)
{
  g_autofree char *gpkg = fixture ("whole.gpkg", NULL, NULL);
  g_autoptr(LdAnalysisResult) r = analyse (gpkg, -10, -10, 210, 210, "1001");
  const LdAnalysisLayer *l = ld_analysis_result_get_layer (r, "xz_dltb");
  double sum = 0.0;

  g_assert_cmpuint (r->n_clipped, ==, 0);
  g_assert_cmpuint (r->n_whole, ==, G_N_ELEMENTS (dltb) + G_N_ELEMENTS (ydyh) + 3);
  ASSERT_AREA (class_area (r, "xz_dltb", "0101"), 10000.0);
  /* 220² - 200² m² lie outside every patch */
  ASSERT_AREA (class_area (r, "xz_dltb", ""), 220.0 * 220.0 - 40000.0);
  for (guint i = 0; i < l->classes->len; i++)
    sum += ((LdAnalysisRow *) g_ptr_array_index (l->classes, i))->round_m2;
  g_assert_cmpfloat_with_epsilon (sum, 48400.0, 1e-6);
  /* the housing strip is 2% of it: fail */
  assert_check (r, LD_CHECK_PLANNED_USE, LD_CHECK_FAIL, 1000.0);
}

/* A thin L (a road along two sides): its box would return every patch, the cover of cells
 * along it only those it meets; the areas are the same. */
static void
test_fixture_thin (void)
{
  g_autofree char *gpkg = fixture ("thin.gpkg", NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LdAnalysis) analysis = ld_analysis_new (gpkg, &error);
  g_autoptr(LdRedline) redline = ld_redline_new ();
  g_autoptr(LdAnalysisResult) r = NULL;
  g_autofree char *wkt = NULL;

  g_assert_no_error (error);
  wkt = g_strdup_printf ("POLYGON ((%f %f, %f %f, %f %f, %f %f, %f %f, %f %f, %f %f))",
                         E0 + 10, N0 + 10, E0 + 190, N0 + 10, E0 + 190, N0 + 190,
                         E0 + 188, N0 + 190, E0 + 188, N0 + 12, E0 + 10, N0 + 12,
                         E0 + 10, N0 + 10);
  ld_redline_add_parcel_wkt (redline, "DK01", NULL, wkt, &error);
  g_assert_no_error (error);
  r = ld_analysis_run (analysis, redline, "1001", &error);
  g_assert_no_error (error);
  ASSERT_AREA (r->redline_area_m2, 716.0);
  ASSERT_AREA (class_area (r, "xz_dltb", "0101"), 180.0);
  ASSERT_AREA (class_area (r, "xz_dltb", "0702"), 356.0);
  ASSERT_AREA (class_area (r, "xz_dltb", "1205"), 180.0);
  ASSERT_AREA (class_area (r, "xz_dltb", "0301"), 0.0);
  assert_check (r, LD_CHECK_PBF, LD_CHECK_FAIL, 180.0);
  assert_check (r, LD_CHECK_EPR, LD_CHECK_FAIL, 80.0);
  assert_check (r, LD_CHECK_UDB, LD_CHECK_ATTENTION, 180.0);
  /* the forest patch in the L's empty corner was never read: 7 of the 9 patches */
  g_assert_cmpuint (r->n_candidates, ==, 7);
}

/* Rows rounded half-up alone would not add up: three thirds of 1 m² (0.33 x 3 = 0.99). */
static void
test_fixture_reconcile (void)
{
  g_autofree char *gpkg = fixture ("thirds.gpkg", NULL, NULL);
  /* 1/3 m² in each of three patches: a 1/3 m x 1 m strip across the corner at (100, 100) */
  g_autoptr(LdAnalysisResult) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LdAnalysis) analysis = ld_analysis_new (gpkg, &error);
  g_autoptr(LdRedline) redline = ld_redline_new ();
  g_autofree char *wkt = NULL;
  const LdAnalysisLayer *l;
  double sum_m2 = 0.0, sum_ha = 0.0, sum_mu = 0.0;
  double third = 1.0 / 3.0;

  g_assert_no_error (error);
  /* an L of three unit-area-thirds: (100-1/3..100, 99..100), (100..100+1/3, 99..100) and
   * (100-1/3..100, 100..101) */
  wkt = g_strdup_printf ("POLYGON ((%.10f %.10f, %.10f %.10f, %.10f %.10f, %.10f %.10f, "
                         "%.10f %.10f, %.10f %.10f, %.10f %.10f))",
                         E0 + 100 - third, N0 + 99, E0 + 100 + third, N0 + 99,
                         E0 + 100 + third, N0 + 100, E0 + 100, N0 + 100,
                         E0 + 100, N0 + 101, E0 + 100 - third, N0 + 101,
                         E0 + 100 - third, N0 + 99);
  ld_redline_add_parcel_wkt (redline, "DK01", NULL, wkt, &error);
  g_assert_no_error (error);
  r = ld_analysis_run (analysis, redline, "1001", &error);
  g_assert_no_error (error);
  l = ld_analysis_result_get_layer (r, "xz_dltb");
  g_assert_cmpuint (l->classes->len, ==, 3);
  for (guint i = 0; i < l->classes->len; i++)
    {
      LdAnalysisRow *c = g_ptr_array_index (l->classes, i);

      ASSERT_AREA (c->area_m2, third);
      sum_m2 += c->round_m2;
      sum_ha += c->round_ha;
      sum_mu += c->round_mu;
    }
  /* 1.00 m², 0.0001 ha, 0.00 mu (0.0015 rounds to 0.00) */
  g_assert_cmpfloat_with_epsilon (sum_m2, 1.00, 1e-9);
  g_assert_cmpfloat_with_epsilon (sum_ha, 0.0001, 1e-12);
  g_assert_cmpfloat_with_epsilon (sum_mu, 0.00, 1e-9);
}

static void
test_fixture_errors (void)
{
  g_autofree char *gpkg = fixture ("errors.gpkg", NULL, NULL);
  g_autofree char *no_epr = fixture ("no-epr.gpkg", "sx_stbhhx", NULL);
  g_autofree char *no_index = fixture ("no-index.gpkg", NULL, "xz_dltb");
  g_autoptr(GError) error = NULL;
  g_autoptr(LdAnalysis) analysis = NULL;
  g_autoptr(LdRedline) far = rect_redline (5000, 5000, 5100, 5100);
  g_autoptr(LdRedline) bowtie = ld_redline_new ();
  LdAnalysisResult *r;

  analysis = ld_analysis_new (no_epr, &error);
  g_assert_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_LAYER);
  g_assert_true (strstr (error->message, "sx_stbhhx") != NULL);
  g_clear_error (&error);
  analysis = ld_analysis_new (no_index, &error);
  g_assert_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_LAYER);
  g_assert_true (strstr (error->message, "rtree_xz_dltb_geom") != NULL);
  g_clear_error (&error);
  analysis = ld_analysis_new ("/nonexistent/store.gpkg", &error);
  g_assert_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_OPEN);
  g_clear_error (&error);

  analysis = ld_analysis_new (gpkg, &error);
  g_assert_no_error (error);
  r = ld_analysis_run (analysis, far, "1001", &error);
  g_assert_null (r);
  g_assert_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_OUTSIDE);
  g_assert_true (strstr (error->message, "covers no patch") != NULL);
  g_clear_error (&error);

  ld_redline_add_parcel_wkt (bowtie, "DK09", NULL,
                             "POLYGON ((37433010 2353010, 37433090 2353090, 37433090 2353010, "
                             "37433010 2353090, 37433010 2353010))", &error);
  g_assert_no_error (error);
  r = ld_analysis_run (analysis, bowtie, "1001", &error);
  g_assert_null (r);
  g_assert_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_GEOMETRY);
  g_assert_true (strstr (error->message, "DK09") != NULL);
  g_assert_true (strstr (error->message, "make-valid") != NULL);
}

/* ---- landdesk-cli analyze --redline on the fixture ------------------------------------- */

static char *
write_txt (const char *name,
           double      x0,
           double      y0,
           double      x1,
           double      y1)
{
  char *path = ld_test_path (name);
  g_autoptr(GError) error = NULL;
  /* X is the northing, Y the easting (domain.md §5) */
  g_autofree char *text = g_strdup_printf (
    "[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n投影类型=高斯克吕格\n计量单位=米\n"
    "带号=37\n精度=0.001\n[地块坐标]\n5,1.0000,DK01,测试,面,,,,@\n"
    "J1,1,%.3f,%.3f\nJ2,1,%.3f,%.3f\nJ3,1,%.3f,%.3f\nJ4,1,%.3f,%.3f\nJ1,1,%.3f,%.3f\n",
    N0 + y0, E0 + x0, N0 + y1, E0 + x0, N0 + y1, E0 + x1, N0 + y0, E0 + x1, N0 + y0, E0 + x0);

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

static JsonObject *
parse_object (const char *text,
              JsonParser *parser)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_cli_redline (void)
{
  g_autofree char *gpkg = fixture ("cli.gpkg", NULL, NULL);
  g_autofree char *txt = write_txt ("centre.txt", 50, 50, 150, 150);
  g_autofree char *far = write_txt ("far.txt", 5000, 5000, 5100, 5100);
  g_autoptr(LdTestRun) run = ld_test_run (NULL, cli (), "analyze", "--store", gpkg, "--redline",
                                          txt, "--use", "1001", "--json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root, *redline;
  JsonArray *layers, *checks, *classes;
  g_autoptr(LdTestRun) bad = NULL;
  g_autoptr(LdTestRun) usage = NULL;

  g_assert_cmpint (run->status, ==, 0);
  root = parse_object (run->out, parser);
  redline = json_object_get_object_member (root, "redline");
  g_assert_cmpfloat (json_object_get_double_member (redline, "area_m2"), ==, 10000.0);
  g_assert_cmpfloat (json_object_get_double_member (redline, "area_ha"), ==, 1.0);
  g_assert_cmpfloat (json_object_get_double_member (redline, "area_mu"), ==, 15.0);
  g_assert_cmpstr (json_object_get_string_member (redline, "area_basis"), ==, "planar");
  layers = json_object_get_array_member (root, "layers");
  g_assert_cmpuint (json_array_get_length (layers), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (layers, 0),
                                                  "layer"), ==, "xz_dltb");
  classes = json_object_get_array_member (json_array_get_object_element (layers, 0), "classes");
  g_assert_cmpuint (json_array_get_length (classes), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      JsonObject *c = json_array_get_object_element (classes, i);

      g_assert_true (json_object_has_member (c, "code") && json_object_has_member (c, "name"));
      g_assert_cmpfloat (json_object_get_double_member (c, "area_m2"), ==, 2500.0);
      g_assert_cmpfloat (json_object_get_double_member (c, "area_ha"), ==, 0.25);
      g_assert_cmpfloat (json_object_get_double_member (c, "area_mu"), ==, 3.75);
    }
  checks = json_object_get_array_member (root, "checks");
  g_assert_cmpuint (json_array_get_length (checks), ==, 6);
  {
    const char *ids[] = { "planned_use", "udb", "pbf", "epr", "cultivated", "new_construction" };
    const char *status[] = { "pass", "attention", "fail", "pass", "attention", "attention" };

    for (guint i = 0; i < 6; i++)
      {
        JsonObject *c = json_array_get_object_element (checks, i);

        g_assert_cmpstr (json_object_get_string_member (c, "id"), ==, ids[i]);
        g_assert_cmpstr (json_object_get_string_member (c, "status"), ==, status[i]);
        g_assert_true (json_object_has_member (c, "area_m2"));
        g_assert_true (strlen (json_object_get_string_member (c, "reason")) > 10);
      }
  }

  bad = ld_test_run (NULL, cli (), "analyze", "--store", gpkg, "--redline", far, "--json", NULL);
  g_assert_cmpint (bad->status, ==, 1);
  g_assert_cmpstr (bad->out, ==, "");
  g_assert_true (strstr (bad->err, "covers no patch") != NULL);
  usage = ld_test_run (NULL, cli (), "analyze", "--store", gpkg, NULL);
  g_assert_cmpint (usage->status, ==, 2);
  g_assert_true (strstr (usage->err, "--case ID or --redline FILE") != NULL);
}

/* ---- the demo store: OGR as the independent computation, stored results ----------------- */

/* A demo store in the test's scratch folder (deleted after the test case). */
static char *
demo_store (void)
{
  g_autofree char *dir = ld_test_path ("demo");
  g_autofree char *gpkg = g_build_filename (dir, "landdesk-demo.gpkg", NULL);
  g_autoptr(LdTestRun) demo = NULL;
  g_autoptr(LdTestRun) store = NULL;
  char *path = ld_test_path ("demo-store.gpkg");

  demo = ld_test_run (NULL, cli (), "demo-data", "--out", dir, "--patches", "3000",
                      "--cases", "24", "--max-zoom", "8", "--no-gmt", NULL);
  g_assert_cmpint (demo->status, ==, 0);
  store = ld_test_run (NULL, cli (), "store", "create", path, "--from-demo", gpkg, NULL);
  g_assert_cmpint (store->status, ==, 0);
  return path;
}

/* Class areas of @layer under @rl with OGR: every patch of the envelope clipped in full. */
static GHashTable *
ogr_areas (GDALDatasetH  ds,
           const char   *layer_name,
           const char   *field,
           OGRGeometryH  rl)
{
  GHashTable *areas = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  OGRLayerH layer = GDALDatasetGetLayerByName (ds, layer_name);
  OGREnvelope env;
  OGRFeatureH f;

  g_assert_nonnull (layer);
  OGR_G_GetEnvelope (rl, &env);
  OGR_L_SetSpatialFilterRect (layer, env.MinX, env.MinY, env.MaxX, env.MaxY);
  OGR_L_ResetReading (layer);
  while ((f = OGR_L_GetNextFeature (layer)) != NULL)
    {
      OGRGeometryH inter = OGR_G_Intersection (rl, OGR_F_GetGeometryRef (f));
      const char *code = field ? OGR_F_GetFieldAsString (f, OGR_F_GetFieldIndex (f, field)) : "";
      double *sum = g_hash_table_lookup (areas, code);

      if (sum == NULL)
        {
          sum = g_new0 (double, 1);
          g_hash_table_insert (areas, g_strdup (code), sum);
        }
      if (inter != NULL)
        {
          *sum += OGR_G_Area (inter);
          OGR_G_DestroyGeometry (inter);
        }
      OGR_F_Destroy (f);
    }
  OGR_L_SetSpatialFilter (layer, NULL);
  return areas;
}

static OGRGeometryH
ogr_redline (GDALDatasetH  ds,
             const char   *case_id)
{
  OGRLayerH layer = GDALDatasetGetLayerByName (ds, "case_redlines");
  g_autofree char *filter = g_strdup_printf ("case_id = '%s'", case_id);
  OGRGeometryH all = OGR_G_CreateGeometry (wkbMultiPolygon), merged;
  OGRFeatureH f;

  OGR_L_SetAttributeFilter (layer, filter);
  OGR_L_ResetReading (layer);
  while ((f = OGR_L_GetNextFeature (layer)) != NULL)
    {
      OGRGeometryH g = OGR_F_GetGeometryRef (f);

      for (int i = 0; i < OGR_G_GetGeometryCount (g); i++)
        OGR_G_AddGeometry (all, OGR_G_GetGeometryRef (g, i));
      OGR_F_Destroy (f);
    }
  OGR_L_SetAttributeFilter (layer, NULL);
  merged = OGR_G_UnionCascaded (all);
  OGR_G_DestroyGeometry (all);
  return merged;
}

static void
demo_against_ogr (const char *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdAnalysis) analysis = ld_analysis_new (store, &error);
  GDALDatasetH ds;
  sqlite3 *db;
  sqlite3_stmt *stmt;
  guint n_cases = 0, n_whole = 0;

  g_assert_no_error (error);
  GDALAllRegister ();
  ds = GDALOpenEx (store, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
  g_assert_nonnull (ds);
  g_assert_cmpint (sqlite3_open_v2 (store, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT DISTINCT case_id FROM case_redlines",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *case_id = (const char *) sqlite3_column_text (stmt, 0);
      g_autoptr(LdRedline) redline = NULL;
      g_autoptr(LdAnalysisResult) r = NULL;
      g_autofree char *use = NULL;
      OGRGeometryH rl = ogr_redline (ds, case_id);
      const char *layers[][2] = { { "xz_dltb", "DLBM" }, { "gh_ydyh", "YDYHFLDM" } };
      double tolerance;

      redline = ld_analysis_load_case (analysis, case_id, NULL, &use, &error);
      g_assert_no_error (error);
      r = ld_analysis_run (analysis, redline, use, &error);
      if (r == NULL && g_error_matches (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_OUTSIDE))
        {
          /* a red line at sea: OGR must find no land either */
          g_autoptr(GHashTable) land = ogr_areas (ds, "xz_dltb", NULL, rl);
          double *sum = g_hash_table_lookup (land, "");

          g_assert_true (sum == NULL || *sum < 1e-6);
          g_clear_error (&error);
          OGR_G_DestroyGeometry (rl);
          continue;
        }
      g_assert_no_error (error);
      n_cases++;
      n_whole += r->n_whole;
      tolerance = 1e-6 * r->redline_area_m2;
      g_assert_cmpfloat_with_epsilon (r->redline_area_m2, OGR_G_Area (rl), tolerance);
      for (guint k = 0; k < G_N_ELEMENTS (layers); k++)
        {
          g_autoptr(GHashTable) expected = ogr_areas (ds, layers[k][0], layers[k][1], rl);
          const LdAnalysisLayer *l = ld_analysis_result_get_layer (r, layers[k][0]);
          GHashTableIter iter;
          gpointer key, value;
          double rows = 0.0, rounded = 0.0, covered = 0.0;

          g_hash_table_iter_init (&iter, expected);
          while (g_hash_table_iter_next (&iter, &key, &value))
            {
              g_assert_cmpfloat_with_epsilon (class_area (r, layers[k][0], key),
                                              *(double *) value, tolerance);
              covered += *(double *) value;
            }
          for (guint i = 0; i < l->classes->len; i++)
            {
              LdAnalysisRow *c = g_ptr_array_index (l->classes, i);

              rows += c->area_m2;
              rounded += c->round_m2;
              if (c->code[0] != '\0')
                g_assert_true (g_hash_table_contains (expected, c->code));
            }
          /* the rows add up to the red line (which the land covers, or an "uncovered" row
           * does), and the rounded rows to the rounded total */
          g_assert_cmpfloat (fabs (rows - r->redline_area_m2) / r->redline_area_m2, <=,
                             MAX (1e-9, (r->redline_area_m2 - covered) / r->redline_area_m2));
          g_assert_cmpfloat_with_epsilon (rounded, ld_round_half_up (l->total_m2, 2), 1e-6);
        }
      {
        const char *sx[] = { "sx_yjjbnt", "sx_stbhhx", "sx_czkfbj" };
        LdCheckId ids[] = { LD_CHECK_PBF, LD_CHECK_EPR, LD_CHECK_UDB };

        for (guint k = 0; k < G_N_ELEMENTS (sx); k++)
          {
            g_autoptr(GHashTable) expected = ogr_areas (ds, sx[k], NULL, rl);
            double *sum = g_hash_table_lookup (expected, "");

            g_assert_cmpfloat_with_epsilon (r->checks[ids[k]].area_m2, sum ? *sum : 0.0,
                                            tolerance);
          }
      }
      OGR_G_DestroyGeometry (rl);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  GDALClose (ds);
  g_test_message ("%u cases checked against OGR, %u patches taken whole", n_cases, n_whole);
  g_assert_cmpuint (n_cases, >=, 10);
}

static JsonObject *
stored (const char *store,
        const char *case_ref,
        JsonParser *parser)
{
  g_autoptr(LdTestRun) run = ld_test_run (NULL, cli (), "analyze", "--store", store, "--case",
                                          case_ref, "--stored", NULL);

  g_assert_cmpint (run->status, ==, 0);
  return parse_object (run->out, parser);
}

static char *
first_case (const char *store)
{
  sqlite3 *db;
  sqlite3_stmt *stmt;
  char *id = NULL;

  g_assert_cmpint (sqlite3_open_v2 (store, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  /* a case whose red line lies on land, with cultivated land under it */
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT r.case_id FROM case_redlines r, xz_dltb t,"
                                       " rtree_xz_dltb_geom i, rtree_case_redlines_geom j"
                                       " WHERE i.id = t.fid AND j.id = r.fid"
                                       " AND i.minx <= j.maxx AND i.maxx >= j.minx"
                                       " AND i.miny <= j.maxy AND i.maxy >= j.miny"
                                       " ORDER BY r.fid LIMIT 1", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_nonnull (id);
  return id;
}

/* Moves the case's red line (or, with @layer, changes the class of a patch under it) through
 * GDAL, the way a GIS officer's tool would. */
static void
edit_with_ogr (const char *store,
               const char *case_id,
               const char *layer_name)
{
  GDALDatasetH ds = GDALOpenEx (store, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
  OGRLayerH rl_layer = GDALDatasetGetLayerByName (ds, "case_redlines");
  g_autofree char *filter = g_strdup_printf ("case_id = '%s'", case_id);
  OGRFeatureH f;

  g_assert_nonnull (ds);
  OGR_L_SetAttributeFilter (rl_layer, filter);
  OGR_L_ResetReading (rl_layer);
  f = OGR_L_GetNextFeature (rl_layer);
  g_assert_nonnull (f);
  OGR_L_SetAttributeFilter (rl_layer, NULL);
  OGR_L_ResetReading (rl_layer);
  if (layer_name == NULL)
    {
      OGRGeometryH g = OGR_G_Clone (OGR_F_GetGeometryRef (f));
      OGRGeometryH moved = OGR_G_Buffer (g, 2.0, 8);

      OGR_F_SetGeometryDirectly (f, OGR_G_ForceToMultiPolygon (moved));
      g_assert_cmpint (OGR_L_SetFeature (rl_layer, f), ==, OGRERR_NONE);
      OGR_G_DestroyGeometry (g);
    }
  else
    {
      OGRLayerH layer = GDALDatasetGetLayerByName (ds, layer_name);
      OGRGeometryH centroid = OGR_G_CreateGeometry (wkbPoint);
      OGRFeatureH patch;

      OGR_G_Centroid (OGR_F_GetGeometryRef (f), centroid);
      OGR_L_SetSpatialFilter (layer, OGR_F_GetGeometryRef (f));
      OGR_L_ResetReading (layer);
      patch = OGR_L_GetNextFeature (layer);
      g_assert_nonnull (patch);
      /* no statement may still read the table being written */
      OGR_L_SetSpatialFilter (layer, NULL);
      OGR_L_ResetReading (layer);
      OGR_F_SetFieldString (patch, OGR_F_GetFieldIndex (patch, "DLBM"), "1201");
      g_assert_cmpint (OGR_L_SetFeature (layer, patch), ==, OGRERR_NONE);
      OGR_F_Destroy (patch);
      OGR_G_DestroyGeometry (centroid);
    }
  OGR_F_Destroy (f);
  GDALClose (ds);
}

static void
demo_stored (const char *store)
{
  g_autofree char *case_id = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(LdTestRun) run = NULL;
  g_autoptr(LdTestRun) none = NULL;
  g_autoptr(LdTestRun) unknown = NULL;
  JsonObject *o;

  GDALAllRegister ();
  case_id = first_case (store);

  none = ld_test_run (NULL, cli (), "analyze", "--store", store, "--case", case_id, "--stored",
                      NULL);
  g_assert_cmpint (none->status, ==, 1);
  g_assert_true (strstr (none->err, "no stored analysis") != NULL);
  unknown = ld_test_run (NULL, cli (), "analyze", "--store", store, "--case", "ZJYS-1999-9999",
                         "--json", NULL);
  g_assert_cmpint (unknown->status, ==, 1);
  g_assert_true (strstr (unknown->err, "no case with id or number ZJYS-1999-9999") != NULL);

  run = ld_test_run (NULL, cli (), "analyze", "--store", store, "--case", case_id, "--json",
                     NULL);
  g_assert_cmpint (run->status, ==, 0);
  o = stored (store, case_id, parser);
  g_assert_false (json_object_get_boolean_member (o, "stale"));
  /* what is stored is what was printed */
  {
    g_autoptr(JsonParser) p2 = json_parser_new ();
    JsonObject *printed = parse_object (run->out, p2);

    g_assert_cmpfloat (json_object_get_double_member (
                         json_object_get_object_member (printed, "redline"), "area_m2"), ==,
                       json_object_get_double_member (json_object_get_object_member (
                         json_object_get_object_member (o, "analysis"), "redline"), "area_m2"));
  }

  /* the red line changes: stale; analysed again: fresh */
  edit_with_ogr (store, case_id, NULL);
  o = stored (store, case_id, parser);
  g_assert_true (json_object_get_boolean_member (o, "stale"));
  g_clear_pointer (&run, ld_test_run_free);
  run = ld_test_run (NULL, cli (), "analyze", "--store", store, "--case", case_id, NULL);
  g_assert_cmpint (run->status, ==, 0);
  o = stored (store, case_id, parser);
  g_assert_false (json_object_get_boolean_member (o, "stale"));

  /* a patch under it changes class: stale */
  edit_with_ogr (store, case_id, "xz_dltb");
  o = stored (store, case_id, parser);
  g_assert_true (json_object_get_boolean_member (o, "stale"));
  g_clear_pointer (&run, ld_test_run_free);
  run = ld_test_run (NULL, cli (), "analyze", "--store", store, "--case", case_id, NULL);
  g_assert_cmpint (run->status, ==, 0);
  o = stored (store, case_id, parser);
  g_assert_false (json_object_get_boolean_member (o, "stale"));

  /* the project's use changes: stale */
  {
    sqlite3 *db;
    g_autofree char *sql = g_strdup_printf ("UPDATE cases SET project_use = '0101' WHERE id = "
                                            "'%s'", case_id);

    g_assert_cmpint (sqlite3_open (store, &db), ==, SQLITE_OK);
    exec_ok (db, sql);
    sqlite3_close (db);
  }
  o = stored (store, case_id, parser);
  g_assert_true (json_object_get_boolean_member (o, "stale"));
}

/* Compares every current-use class area of @wkt with OGR clipping each candidate in full. */
static void
compare_with_ogr (LdAnalysis   *analysis,
                  GDALDatasetH  ds,
                  const char   *wkt,
                  guint        *n_geos)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdRedline) redline = ld_redline_new ();
  g_autoptr(LdAnalysisResult) r = NULL;
  g_autoptr(GHashTable) expected = NULL;
  OGRGeometryH rl = NULL;
  GHashTableIter iter;
  gpointer key, value;
  char *text = (char *) wkt;

  ld_redline_add_parcel_wkt (redline, "R", NULL, wkt, &error);
  g_assert_no_error (error);
  r = ld_analysis_run (analysis, redline, "1001", &error);
  if (r == NULL && g_error_matches (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_OUTSIDE))
    return;
  g_assert_no_error (error);
  *n_geos += r->n_geos;
  g_assert_cmpint (OGR_G_CreateFromWkt (&text, NULL, &rl), ==, OGRERR_NONE);
  expected = ogr_areas (ds, "xz_dltb", "DLBM", rl);
  g_hash_table_iter_init (&iter, expected);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_assert_cmpfloat_with_epsilon (class_area (r, "xz_dltb", key), *(double *) value,
                                    1e-9 * r->redline_area_m2);
  g_assert_cmpfloat_with_epsilon (r->redline_area_m2, OGR_G_Area (rl), 1e-9 * OGR_G_Area (rl));
  OGR_G_DestroyGeometry (rl);
}

/* Random star-shaped red lines, some with a hole, and red lines drawn along patch edges (which
 * the exact-area clip leaves to GEOS): the same areas as OGR's full clipping. */
static void
demo_random (const char *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdAnalysis) analysis = ld_analysis_new (store, &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261128);
  GDALDatasetH ds;
  sqlite3 *db;
  sqlite3_stmt *stmt;
  guint n_geos = 0, n = 0;

  g_assert_no_error (error);
  GDALAllRegister ();
  ds = GDALOpenEx (store, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
  g_assert_nonnull (ds);
  g_assert_cmpint (sqlite3_open_v2 (store, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT fid, (minx + maxx) / 2, (miny + maxy) / 2,"
                                       " maxx - minx FROM xz_dltb t JOIN rtree_xz_dltb_geom r"
                                       " ON r.id = t.fid WHERE t.fid % 97 = 3 LIMIT 30", -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      double cx = sqlite3_column_double (stmt, 1), cy = sqlite3_column_double (stmt, 2);
      double size = sqlite3_column_double (stmt, 3);
      guint k = 7 + g_rand_int_range (rand, 0, 20);
      GString *wkt = g_string_new ("");
      OGRLayerH layer = GDALDatasetGetLayerByName (ds, "xz_dltb");
      OGRFeatureH f;

      {
        /* a star around the patch's centre, a quarter to all of its size */
        g_autoptr(GString) pts = g_string_new ("");
        double x0 = 0, y0 = 0;

        for (guint i = 0; i < k; i++)
          {
            double a = 2 * G_PI * i / k, rad = size * g_rand_double_range (rand, 0.25, 1.0);
            double x = cx + rad * cos (a), y = cy + rad * sin (a);

            if (i == 0)
              x0 = x, y0 = y;
            g_string_append_printf (pts, "%.4f %.4f, ", x, y);
          }
        g_string_append_printf (wkt, "POLYGON ((%s%.4f %.4f)", pts->str, x0, y0);
        if (n % 3 == 0)   /* a square hole in the middle */
          {
            double h = size * 0.05;

            g_string_append_printf (wkt, ", (%.4f %.4f, %.4f %.4f, %.4f %.4f, %.4f %.4f, "
                                    "%.4f %.4f)", cx - h, cy - h, cx - h, cy + h, cx + h, cy + h,
                                    cx + h, cy - h, cx - h, cy - h);
          }
        g_string_append (wkt, ")");
      }
      compare_with_ogr (analysis, ds, wkt->str, &n_geos);
      g_string_free (wkt, TRUE);

      /* the patch itself as the red line: every edge shared */
      f = OGR_L_GetFeature (layer, sqlite3_column_int64 (stmt, 0));
      g_assert_nonnull (f);
      {
        char *patch_wkt = NULL;
        OGRGeometryH g = OGR_F_GetGeometryRef (f);

        OGR_G_ExportToWkt (OGR_G_GetGeometryCount (g) == 1 ? OGR_G_GetGeometryRef (g, 0) : g,
                           &patch_wkt);
        compare_with_ogr (analysis, ds, patch_wkt, &n_geos);
        CPLFree (patch_wkt);
      }
      OGR_F_Destroy (f);
      n++;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  GDALClose (ds);
  g_test_message ("%u random and %u patch-shaped red lines; %u patches clipped by GEOS", n, n,
                  n_geos);
  g_assert_cmpuint (n, >=, 20);
  /* the shared edges did reach the GEOS path */
  g_assert_cmpuint (n_geos, >=, n);
}

/* Whether the dynamic loader's LD_DEBUG=files trace in @err names @lib. */
static gboolean
trace_loads (const char *err,
             const char *lib)
{
  g_autofree char *needle = g_strdup_printf ("file=%s", lib);

  return strstr (err, needle) != NULL;
}

/* `landdesk-cli analyze` must start without GDAL (and PROJ, libsoup, cairo): loading them
 * took 50 of its 54 ms. It runs with the modules out of reach, and on glibc the loader's own
 * trace lists none of those libraries, while `help store` (in landdesk-gdal) does list GDAL;
 * `help report` (landdesk-report) loads cairo but no GDAL either. */
static void
test_cli_without_gdal (void)
{
  g_autofree char *store = demo_store ();
  g_autofree char *case_id = first_case (store);
  const char *no_module[] = { "LANDDESK_MODULEDIR=/nonexistent/landdesk-module-dir", NULL };
  const char *trace[] = { "LD_DEBUG=files", NULL };
  const char *heavy[] = { "libgdal.so", "libproj.so", "libsoup-3.0.so", "libcairo.so" };
  g_autoptr(LdTestRun) run = NULL;
  g_autoptr(LdTestRun) report = NULL;
  g_autoptr(LdTestRun) traced = NULL;
  g_autoptr(LdTestRun) traced_store = NULL;
  g_autoptr(LdTestRun) traced_report = NULL;

  run = ld_test_run (no_module, cli (), "analyze", "--store", store, "--case", case_id,
                     "--json", NULL);
  g_assert_cmpstr (run->err, ==, "");
  g_assert_cmpint (run->status, ==, 0);
  g_assert_true (g_str_has_prefix (run->out, "{\"redline\": {"));
  /* the same environment does keep the module from a command that needs it */
  report = ld_test_run (no_module, cli (), "report", "--store", store, "--case", case_id,
                        "--out", "unused.pdf", NULL);
  g_assert_cmpint (report->status, ==, 1);
  g_assert_true (strstr (report->err, "needs the module landdesk-report") != NULL);
  g_assert_true (strstr (report->err, "/nonexistent/landdesk-module-dir") != NULL);

  traced = ld_test_run (trace, cli (), "analyze", "--store", store, "--case", case_id,
                        "--json", "--no-save", NULL);
  g_assert_cmpint (traced->status, ==, 0);
  if (!trace_loads (traced->err, "libglib-2.0.so"))
    {
      g_test_skip ("the dynamic loader does not trace LD_DEBUG=files (not glibc)");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (heavy); i++)
    if (trace_loads (traced->err, heavy[i]))
      g_error ("landdesk-cli analyze loaded %s", heavy[i]);
  traced_store = ld_test_run (trace, cli (), "help", "store", NULL);
  g_assert_cmpint (traced_store->status, ==, 0);
  g_assert_true (trace_loads (traced_store->err, "libgdal.so"));
  traced_report = ld_test_run (trace, cli (), "help", "report", NULL);
  g_assert_cmpint (traced_report->status, ==, 0);
  g_assert_true (trace_loads (traced_report->err, "libcairo.so"));
  g_assert_false (trace_loads (traced_report->err, "libgdal.so"));
}

static void
test_demo (void)
{
  g_autofree char *store = demo_store ();

  demo_against_ogr (store);
  demo_random (store);
  demo_stored (store);
}

int
main (int    argc,
      char **argv)
{
  ld_test_init (&argc, &argv);
  g_test_add_func ("/analysis/fixture-centre", test_fixture_centre);
  g_test_add_func ("/analysis/fixture-outcomes", test_fixture_outcomes);
  g_test_add_func ("/analysis/fixture-whole", test_fixture_whole);
  g_test_add_func ("/analysis/fixture-thin", test_fixture_thin);
  g_test_add_func ("/analysis/fixture-reconcile", test_fixture_reconcile);
  g_test_add_func ("/analysis/fixture-errors", test_fixture_errors);
  g_test_add_func ("/analysis/cli-redline", test_cli_redline);
  g_test_add_func ("/analysis/demo", test_demo);
  g_test_add_func ("/analysis/cli-without-gdal", test_cli_without_gdal);
  return g_test_run ();
}
