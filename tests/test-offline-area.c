/* test-offline-area.c: downloading an offline area from a real landdesk-server on 127.0.0.1
 *
 * The demo generator writes a GeoPackage and a base map once; each case starts the server on
 * them (--init-demo, --basemap) and runs landdesk-cli offline-area. The checks are
 * independent of our clipping code: OGR (GDAL's own GEOS binding) intersects every source
 * feature with the job's polygon, and GDAL opens the MBTiles file. The client and the server
 * are killed with SIGKILL mid-download; the resumed result must equal an uninterrupted one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

#include "ld-core.h"
#include "ld-test-server.h"
#include "ld-test-util.h"

#define PW   "offline-pass-1"
#define USER "li.na"
/* About 8 km x 9 km of the synthetic peninsula: land, patches crossing every side. */
#define BBOX       "110.20,20.94,110.28,21.02"
#define BBOX_WEST  "110.16,20.94,110.24,21.02"   /* overlaps BBOX by half */

static char *demo_dir;

static char *
demo_file (const char *name)
{
  return g_build_filename (demo_dir, name, NULL);
}

static LdTestServer *
start_server (const char *dir)
{
  g_autofree char *gpkg = demo_file (LD_DEMO_GPKG_NAME);
  g_autofree char *mbtiles = demo_file (LD_DEMO_BASEMAP_NAME);

  return ld_test_server_start (dir, "--init-demo", gpkg, "--demo-password", PW, "--basemap",
                               mbtiles, NULL);
}

static char *
password_file (const char *password)
{
  char *path = ld_test_path ("password.txt");

  g_assert_true (g_file_set_contents (path, password, -1, NULL));
  return path;
}

/* landdesk-cli offline-area with the common arguments and up to six more (NULL-ended). */
static LdTestRun *
run_cli (const char * const *envp,
         const char         *url,
         const char         *store,
         const char         *password,
         const char         *a1,
         const char         *a2,
         const char         *a3,
         const char         *a4,
         const char         *a5,
         const char         *a6)
{
  g_autofree char *pw = password_file (password ? password : PW);

  return ld_test_run (envp, ld_test_binary ("LANDDESK_CLI"), "offline-area", "--server", url,
                      "--user", USER, "--password-file", pw, "--store", store, "--json",
                      a1, a2, a3, a4, a5, a6, NULL);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, text, -1, &error))
    g_error ("not JSON (%s): %s", error->message, text);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static gint64
query_int (const char *path,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 v = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s: %s", path, sql, sqlite3_errmsg (db));
  if (sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return v;
}

/* Every row of @sql as text, one line per row: for comparing two files' content. */
static char *
dump (const char *path,
      const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GString *out = g_string_new (NULL);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s: %s", path, sql, sqlite3_errmsg (db));
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        g_string_append_printf (out, "%s|", sqlite3_column_type (stmt, i) == SQLITE_BLOB
                                ? "blob" : (const char *) sqlite3_column_text (stmt, i));
      g_string_append_c (out, '\n');
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (out, FALSE);
}

static char *
dump_download (const char *store)
{
  g_autofree char *mbtiles = ld_offline_area_basemap_path (store);
  GString *out = g_string_new (NULL);

  for (const char * const *l = ld_offline_area_layers (); *l; l++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT fid, hex(geom), * FROM \"%s\" ORDER BY fid",
                                              *l);
      g_autofree char *rows = dump (store, sql);

      g_string_append_printf (out, "%s\n%s", *l, rows);
    }
  if (g_file_test (mbtiles, G_FILE_TEST_EXISTS))
    {
      g_autofree char *tiles = dump (mbtiles, "SELECT zoom_level, tile_column, tile_row,"
                                              " hex(tile_data) FROM tiles ORDER BY 1, 2, 3");

      g_string_append (out, tiles);
    }
  else
    g_string_append (out, "no base map yet\n");
  return g_string_free (out, FALSE);
}

/* ---- independent checks (OGR / GDAL) ------------------------------------------------------ */

static OGRGeometryH
job_polygons (const char *store)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  OGRGeometryH all = NULL;

  g_assert_cmpint (sqlite3_open_v2 (store, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT area FROM offline_areas ORDER BY id", -1, &stmt,
                                       NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      OGRGeometryH g = NULL;

      g_assert_cmpint (OGR_G_CreateFromWkb (sqlite3_column_blob (stmt, 0), NULL, &g,
                                            sqlite3_column_bytes (stmt, 0)), ==, OGRERR_NONE);
      if (all == NULL)
        all = g;
      else
        {
          OGRGeometryH u = OGR_G_Union (all, g);

          OGR_G_DestroyGeometry (all);
          OGR_G_DestroyGeometry (g);
          all = u;
        }
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_nonnull (all);
  return all;
}

static OGRGeometryH
job_polygon (const char *store,
             int         index)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  OGRGeometryH g = NULL;

  g_assert_cmpint (sqlite3_open_v2 (store, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT area FROM offline_areas ORDER BY id"
                                           " LIMIT 1 OFFSET ?", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int (stmt, 1, index);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (OGR_G_CreateFromWkb (sqlite3_column_blob (stmt, 0), NULL, &g,
                                        sqlite3_column_bytes (stmt, 0)), ==, OGRERR_NONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g;
}

/* Each source feature of @layer that meets @area in a positive area must be in @store with
 * that area (intersection by OGR) and the source's attributes; no other feature may be.
 * Returns the number of features checked. */
static guint
check_clipped_layer_of (const char   *source,
                        const char   *store,
                        const char   *layer,
                        OGRGeometryH  area,
                        gint64        extra)
{
  GDALDatasetH src = GDALOpenEx (source, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
  GDALDatasetH dst = GDALOpenEx (store, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
  OGRLayerH sl = GDALDatasetGetLayerByName (src, layer);
  OGRLayerH dl = GDALDatasetGetLayerByName (dst, layer);
  OGREnvelope env;
  OGRFeatureH f;
  guint expected = 0;

  g_assert_nonnull (sl);
  g_assert_nonnull (dl);
  OGR_G_GetEnvelope (area, &env);
  OGR_L_SetSpatialFilterRect (sl, env.MinX, env.MinY, env.MaxX, env.MaxY);
  while ((f = OGR_L_GetNextFeature (sl)) != NULL)
    {
      OGRGeometryH cut = OGR_G_Intersection (OGR_F_GetGeometryRef (f), area);
      double want = cut ? OGR_G_Area (cut) : 0;
      OGRFeatureH mine = OGR_L_GetFeature (dl, OGR_F_GetFID (f));

      if (want > 0)
        {
          double got;

          expected++;
          if (mine == NULL)
            g_error ("%s: feature %" G_GINT64_FORMAT " meets the area in %.3f m² but was not"
                     " downloaded", layer, (gint64) OGR_F_GetFID (f), want);
          got = OGR_G_Area (OGR_F_GetGeometryRef (mine));
          g_assert_cmpfloat_with_epsilon (got, want, 1e-6 * MAX (want, 1.0));
          for (int i = 0; i < OGR_F_GetFieldCount (f); i++)
            {
              const char *name = OGR_Fld_GetNameRef (OGR_F_GetFieldDefnRef (f, i));
              int j = OGR_F_GetFieldIndex (mine, name);

              g_assert_cmpint (j, >=, 0);
              g_assert_cmpstr (OGR_F_GetFieldAsString (mine, j), ==, OGR_F_GetFieldAsString (f, i));
            }
        }
      else if (mine != NULL && OGR_F_GetFID (f) != extra)
        g_error ("%s: feature %" G_GINT64_FORMAT " is outside the area but was downloaded", layer,
                 (gint64) OGR_F_GetFID (f));
      if (mine != NULL)
        OGR_F_Destroy (mine);
      if (cut != NULL)
        OGR_G_DestroyGeometry (cut);
      OGR_F_Destroy (f);
    }
  g_assert_cmpint (OGR_L_GetFeatureCount (dl, TRUE), ==, expected + (extra >= 0));
  GDALClose (dst);
  GDALClose (src);
  return expected;
}

static guint
check_clipped_layer (const char   *store,
                     const char   *layer,
                     OGRGeometryH  area)
{
  g_autofree char *source = demo_file (LD_DEMO_GPKG_NAME);

  return check_clipped_layer_of (source, store, layer, area, -1);
}

/* ---- cases ---------------------------------------------------------------------------------- */

static void
test_estimate_matches_download (void)
{
  g_autofree char *dir = ld_test_path ("server");
  g_autofree char *store = ld_test_path ("store.gpkg");
  g_autofree char *mbtiles = ld_offline_area_basemap_path (store);
  g_autoptr(LdTestServer) server = start_server (dir);
  g_autoptr(LdTestRun) est = run_cli (NULL, server->url, store, NULL, "--bbox", BBOX,
                                      "--estimate", NULL, NULL, NULL);
  g_autoptr(LdTestRun) run = NULL;
  g_autoptr(JsonObject) e = NULL;
  g_autoptr(LdMbtiles) tiles = NULL;
  g_autoptr(GError) error = NULL;
  GDALDatasetH raster;
  gint64 fetched;

  g_assert_cmpint (est->status, ==, 0);
  g_assert_false (g_file_test (store, G_FILE_TEST_EXISTS));   /* an estimate writes nothing */
  e = parse_object (est->out);
  g_assert_cmpint (json_object_get_int_member (e, "min_zoom"), ==, 8);
  g_assert_cmpint (json_object_get_int_member (e, "max_zoom"), ==, 14);
  g_assert_cmpint (json_object_get_int_member (e, "features"), >, 50);

  run = run_cli (NULL, server->url, store, NULL, "--bbox", BBOX, NULL, NULL, NULL, NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (strstr (run->err, "features"));   /* progress on stderr */
  {
    g_autoptr(JsonObject) done = parse_object (run->out);

    g_assert_cmpint (json_object_get_int_member (done, "features"), ==,
                     json_object_get_int_member (e, "features"));
    g_assert_cmpint (json_object_get_int_member (done, "tiles"), ==,
                     json_object_get_int_member (e, "tile_positions"));
    g_assert_cmpstr (json_object_get_string_member (done, "basemap"), ==, mbtiles);
  }

  /* Features transferred, tiles and tile bytes: exactly the estimate. */
  fetched = query_int (store, "SELECT sum(fetched) FROM offline_area_layers");
  g_assert_cmpint (fetched, ==, json_object_get_int_member (e, "features"));
  g_assert_cmpint (query_int (mbtiles, "SELECT count(*) FROM tiles"), ==,
                   json_object_get_int_member (e, "tiles"));
  g_assert_cmpint (query_int (mbtiles, "SELECT sum(length(tile_data)) FROM tiles"), ==,
                   json_object_get_int_member (e, "tile_bytes"));
  /* Bytes: the estimate is within a fifth of what was carried. */
  {
    double done = (double) query_int (store, "SELECT bytes_done FROM offline_areas");
    double said = (double) json_object_get_int_member (e, "bytes");

    g_assert_cmpfloat (fabs (done - said) / said, <, 0.2);
  }
  g_assert_cmpstr (dump (store, "SELECT state FROM offline_areas"), ==, "done|\n");

  /* The MBTiles covers exactly the zooms, and both readers accept it. */
  g_assert_cmpint (query_int (mbtiles, "SELECT count(DISTINCT zoom_level) FROM tiles"), ==, 7);
  g_assert_cmpint (query_int (mbtiles, "SELECT min(zoom_level) FROM tiles"), ==, 8);
  g_assert_cmpint (query_int (mbtiles, "SELECT max(zoom_level) FROM tiles"), ==, 14);
  tiles = ld_mbtiles_open (mbtiles, &error);
  g_assert_no_error (error);
  {
    g_autofree char *minzoom = ld_mbtiles_dup_metadata (tiles, "minzoom");
    g_autofree char *maxzoom = ld_mbtiles_dup_metadata (tiles, "maxzoom");
    LdLonLatBox box = { 110.20, 20.94, 110.28, 21.02 };
    int x0, y0, x1, y1;

    g_assert_cmpstr (minzoom, ==, "8");
    g_assert_cmpstr (maxzoom, ==, "14");
    ld_geo_tile_range (&box, 14, &x0, &y0, &x1, &y1);
    for (int y = y0; y <= y1; y++)
      for (int x = x0; x <= x1; x++)
        {
          g_autoptr(GBytes) t = ld_mbtiles_read_tile (tiles, 14, x, y, &error);

          g_assert_no_error (error);
          g_assert_nonnull (t);
          g_assert_cmpmem (g_bytes_get_data (t, NULL), 4, "\x89PNG", 4);
        }
  }
  raster = GDALOpen (mbtiles, GA_ReadOnly);
  g_assert_nonnull (raster);
  g_assert_cmpint (GDALGetRasterXSize (raster), >, 0);
  GDALClose (raster);
}

static void
test_clipped_exactly (void)
{
  g_autofree char *dir = ld_test_path ("server");
  g_autofree char *store = ld_test_path ("store.gpkg");
  g_autofree char *poly = ld_test_path ("area.geojson");
  g_autoptr(LdTestServer) server = start_server (dir);
  g_autoptr(LdTestRun) run = NULL;
  OGRGeometryH area;
  guint n = 0;

  /* A concave polygon: its box holds features that are not in it. */
  const char *ring = "{\"type\":\"Polygon\",\"coordinates\":[[[110.20,20.95],[110.26,20.94],"
                     "[110.27,21.00],[110.23,20.975],[110.21,21.01],[110.20,20.95]]]}";
  g_autofree char *collection = g_strdup_printf ("{\"type\":\"FeatureCollection\",\"features\":"
                                                 "[{\"type\":\"Feature\",\"properties\":{},"
                                                 "\"geometry\":%s}]}", ring);
  OGRGeometryH want = OGR_G_CreateGeometryFromJson (ring);
  OGRSpatialReferenceH geo = OSRNewSpatialReference (NULL);
  OGRSpatialReferenceH gk = OSRNewSpatialReference (NULL);

  g_assert_true (g_file_set_contents (poly, collection, -1, NULL));
  OSRImportFromEPSG (geo, 4490);
  OSRImportFromEPSG (gk, 4525);
  OSRSetAxisMappingStrategy (geo, OAMS_TRADITIONAL_GIS_ORDER);
  OSRSetAxisMappingStrategy (gk, OAMS_TRADITIONAL_GIS_ORDER);
  OGR_G_AssignSpatialReference (want, geo);
  g_assert_cmpint (OGR_G_TransformTo (want, gk), ==, OGRERR_NONE);
  run = run_cli (NULL, server->url, store, NULL, "--polygon", poly, "--min-zoom", "10",
                 "--max-zoom", "12");
  g_assert_cmpint (run->status, ==, 0);
  area = job_polygons (store);
  /* The job's polygon is the file's, as OGR projects it to EPSG:4525 (mm coordinates). */
  g_assert_cmpfloat_with_epsilon (OGR_G_Area (area), OGR_G_Area (want), 1.0);
  OGR_G_DestroyGeometry (want);
  OSRDestroySpatialReference (geo);
  OSRDestroySpatialReference (gk);
  for (const char * const *l = ld_offline_area_layers (); *l; l++)
    n += check_clipped_layer (store, *l, area);
  g_assert_cmpuint (n, >, 40);
  OGR_G_DestroyGeometry (area);
}

static void
test_overlapping_areas (void)
{
  g_autofree char *dir = ld_test_path ("server");
  g_autofree char *store = ld_test_path ("store.gpkg");
  g_autoptr(LdTestServer) server = start_server (dir);
  g_autoptr(LdTestRun) a = NULL;
  g_autoptr(LdTestRun) b = NULL;
  g_autoptr(LdTestRun) again = NULL;
  g_autofree char *before = NULL;
  OGRGeometryH area;
  gint64 rows;

  a = run_cli (NULL, server->url, store, NULL, "--bbox", BBOX, "--max-zoom", "11", "--min-zoom",
               "8");
  g_assert_cmpint (a->status, ==, 0);
  b = run_cli (NULL, server->url, store, NULL, "--bbox", BBOX_WEST, "--max-zoom", "11",
               "--min-zoom", "8");
  g_assert_cmpint (b->status, ==, 0);
  /* One row per feature, holding its part inside the union of the two areas. */
  area = job_polygons (store);
  for (const char * const *l = ld_offline_area_layers (); *l; l++)
    check_clipped_layer (store, *l, area);
  OGR_G_DestroyGeometry (area);
  /* One base map for both areas: its bounds hold both boxes. */
  {
    g_autofree char *mbtiles = ld_offline_area_basemap_path (store);
    g_autoptr(LdMbtiles) tiles = ld_mbtiles_open (mbtiles, NULL);
    g_autofree char *bounds = ld_mbtiles_dup_metadata (tiles, "bounds");
    g_auto(GStrv) edges = g_strsplit (bounds, ",", -1);

    g_assert_cmpuint (g_strv_length (edges), ==, 4);
    g_assert_cmpfloat (g_ascii_strtod (edges[0], NULL), <, 110.1605);
    g_assert_cmpfloat (g_ascii_strtod (edges[2], NULL), >, 110.2795);
  }

  /* The same area once more: no row more, the same areas. */
  rows = query_int (store, "SELECT count(*) FROM xz_dltb");
  before = dump (store, "SELECT fid, DLBM FROM xz_dltb ORDER BY fid");
  again = run_cli (NULL, server->url, store, NULL, "--bbox", BBOX, "--max-zoom", "11",
                   "--min-zoom", "8");
  g_assert_cmpint (again->status, ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM xz_dltb"), ==, rows);
  g_assert_cmpstr (dump (store, "SELECT fid, DLBM FROM xz_dltb ORDER BY fid"), ==, before);
  area = job_polygons (store);
  check_clipped_layer (store, "xz_dltb", area);
  OGR_G_DestroyGeometry (area);
}

/* The server's layer changes; the same area downloaded again takes the changes inside it:
 * a deleted feature goes, one deleted but also in an earlier area keeps only its part outside
 * this one, an edited attribute and a shrunk geometry arrive; nothing else moves. */
static void
test_server_changes_replaced (void)
{
  g_autofree char *dir = ld_test_path ("server");
  g_autofree char *store = ld_test_path ("store.gpkg");
  g_autofree char *layers = g_build_filename (dir, "layers.gpkg", NULL);
  g_autoptr(LdTestServer) server = start_server (dir);
  g_autoptr(LdTestRun) west = NULL;
  g_autoptr(LdTestRun) first = NULL;
  g_autoptr(LdTestRun) again = NULL;
  OGRGeometryH w, a, kept_part = NULL;
  GDALDatasetH ds;
  OGRLayerH l;
  OGRFeatureH f;
  gint64 gone = -1, crossing = -1, edited = -1, shrunk = -1;

  west = run_cli (NULL, server->url, store, NULL, "--bbox", BBOX_WEST, "--min-zoom", "8",
                  "--max-zoom", "9");
  g_assert_cmpint (west->status, ==, 0);
  first = run_cli (NULL, server->url, store, NULL, "--bbox", BBOX, "--min-zoom", "8",
                   "--max-zoom", "9");
  g_assert_cmpint (first->status, ==, 0);
  w = job_polygon (store, 0);
  a = job_polygon (store, 1);

  /* Pick the features from what the store holds. */
  ds = GDALOpenEx (store, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
  l = GDALDatasetGetLayerByName (ds, "xz_dltb");
  while ((f = OGR_L_GetNextFeature (l)) != NULL)
    {
      OGRGeometryH g = OGR_F_GetGeometryRef (f);
      OGRGeometryH outside = OGR_G_Difference (g, a);
      double rest = outside ? OGR_G_Area (outside) : 0;
      gint64 fid = OGR_F_GetFID (f);

      if (rest < 1e-6 && !OGR_G_Intersects (g, w))
        {
          if (gone < 0)
            gone = fid;
          else if (edited < 0)
            edited = fid;
          else if (shrunk < 0 && OGR_G_Area (g) > 20000)
            shrunk = fid;
        }
      else if (crossing < 0 && rest > 1000 && OGR_G_Area (g) - rest > 1000)
        {
          crossing = fid;
          kept_part = OGR_G_Clone (outside);
        }
      if (outside != NULL)
        OGR_G_DestroyGeometry (outside);
      OGR_F_Destroy (f);
    }
  GDALClose (ds);
  g_assert_cmpint (gone, >=, 0);
  g_assert_cmpint (edited, >=, 0);
  g_assert_cmpint (shrunk, >=, 0);
  g_assert_cmpint (crossing, >=, 0);

  /* The server's layer changes (GDAL keeps its R-tree). */
  ds = GDALOpenEx (layers, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
  g_assert_nonnull (ds);
  l = GDALDatasetGetLayerByName (ds, "xz_dltb");
  g_assert_cmpint (OGR_L_DeleteFeature (l, gone), ==, OGRERR_NONE);
  g_assert_cmpint (OGR_L_DeleteFeature (l, crossing), ==, OGRERR_NONE);
  f = OGR_L_GetFeature (l, edited);
  OGR_F_SetFieldString (f, OGR_F_GetFieldIndex (f, "DLBM"), "9999");
  g_assert_cmpint (OGR_L_SetFeature (l, f), ==, OGRERR_NONE);
  OGR_F_Destroy (f);
  f = OGR_L_GetFeature (l, shrunk);
  {
    OGRGeometryH smaller = OGR_G_Buffer (OGR_F_GetGeometryRef (f), -10, 8);

    OGR_F_SetGeometryDirectly (f, OGR_G_ForceToMultiPolygon (smaller));
  }
  g_assert_cmpint (OGR_L_SetFeature (l, f), ==, OGRERR_NONE);
  OGR_F_Destroy (f);
  GDALClose (ds);

  again = run_cli (NULL, server->url, store, NULL, "--bbox", BBOX, "--min-zoom", "8",
                   "--max-zoom", "9");
  g_assert_cmpint (again->status, ==, 0);

  /* Every feature the server has is exact in the union of the areas; the deleted one crossing
   * into the west area kept just that part; the other deleted one is gone. */
  {
    OGRGeometryH both = job_polygons (store);
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM xz_dltb WHERE fid = %"
                                            G_GINT64_FORMAT, gone);
    g_autofree char *dlbm = g_strdup_printf ("SELECT DLBM = '9999' FROM xz_dltb WHERE fid = %"
                                             G_GINT64_FORMAT, edited);

    check_clipped_layer_of (layers, store, "xz_dltb", both, crossing);
    g_assert_cmpint (query_int (store, sql), ==, 0);
    g_assert_cmpint (query_int (store, dlbm), ==, 1);
    OGR_G_DestroyGeometry (both);
  }
  ds = GDALOpenEx (store, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
  l = GDALDatasetGetLayerByName (ds, "xz_dltb");
  f = OGR_L_GetFeature (l, crossing);
  g_assert_nonnull (f);
  g_assert_cmpfloat_with_epsilon (OGR_G_Area (OGR_F_GetGeometryRef (f)), OGR_G_Area (kept_part),
                                  1e-6 * OGR_G_Area (kept_part));
  OGR_F_Destroy (f);
  GDALClose (ds);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM offline_area_fids"), ==, 0);
  OGR_G_DestroyGeometry (kept_part);
  OGR_G_DestroyGeometry (w);
  OGR_G_DestroyGeometry (a);
}

/* Starts the CLI and SIGKILLs it after @lines progress lines; returns whether it was killed
 * (FALSE: it finished first). */
static gboolean
kill_after_lines (const char *url,
                  const char *store,
                  gboolean    resume,
                  guint       lines)
{
  g_autofree char *pw = password_file (PW);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                                                       | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GError) error = NULL;
  guint seen = 0;
  char *line;

  g_subprocess_launcher_setenv (launcher, "LANDDESK_OFFLINE_AREA_PAGE_DELAY_MS", "20", TRUE);
  if (resume)
    proc = g_subprocess_launcher_spawn (launcher, &error, ld_test_binary ("LANDDESK_CLI"),
                                        "offline-area", "--server", url, "--user", USER,
                                        "--password-file", pw, "--store", store, "--resume",
                                        "--page-size", "7", "--tile-batch", "3", NULL);
  else
    proc = g_subprocess_launcher_spawn (launcher, &error, ld_test_binary ("LANDDESK_CLI"),
                                        "offline-area", "--server", url, "--user", USER,
                                        "--password-file", pw, "--store", store, "--bbox", BBOX,
                                        "--page-size", "7", "--tile-batch", "3", NULL);
  g_assert_no_error (error);
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (proc));
  while (seen < lines && (line = g_data_input_stream_read_line (err, NULL, NULL, NULL)) != NULL)
    {
      if (strstr (line, "features") != NULL)
        seen++;
      else
        g_test_message ("%s", line);
      g_free (line);
    }
  g_subprocess_send_signal (proc, SIGKILL);
  g_subprocess_wait (proc, NULL, NULL);
  return g_subprocess_get_if_signaled (proc);
}

static void
test_killed_and_resumed (void)
{
  g_autofree char *dir = ld_test_path ("server");
  g_autofree char *whole = ld_test_path ("whole.gpkg");
  g_autofree char *store = ld_test_path ("store.gpkg");
  g_autoptr(LdTestServer) server = start_server (dir);
  g_autoptr(LdTestRun) ref = run_cli (NULL, server->url, whole, NULL, "--bbox", BBOX,
                                      "--page-size", "7", "--tile-batch", "3");
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;
  guint kills = 0;

  g_assert_cmpint (ref->status, ==, 0);
  want = dump_download (whole);

  /* Killed at growing points: in the first layers, later layers, the tiles. */
  g_assert_true (kill_after_lines (server->url, store, FALSE, 3));
  kills++;
  /* Each resumed run reports once on start, then once per page: killed after its first page. */
  for (guint i = 0; i < 200; i++)
    {
      if (!kill_after_lines (server->url, store, TRUE, 2))
        break;
      kills++;
      if (query_int (store, "SELECT count(*) FROM offline_areas WHERE state = 'done'") == 1)
        break;
    }
  g_test_message ("killed %u times", kills);
  g_assert_cmpuint (kills, >=, 3);
  if (query_int (store, "SELECT count(*) FROM offline_areas WHERE state = 'done'") == 0)
    {
      g_autoptr(LdTestRun) fin = run_cli (NULL, server->url, store, NULL, "--resume", NULL, NULL,
                                          NULL, NULL, NULL);

      g_assert_cmpint (fin->status, ==, 0);
    }
  got = dump_download (store);
  g_assert_cmpstr (got, ==, want);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM offline_areas"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT sum(fetched) FROM offline_area_layers"), ==,
                   query_int (whole, "SELECT sum(fetched) FROM offline_area_layers"));
  {
    g_autoptr(LdTestRun) none = run_cli (NULL, server->url, store, NULL, "--resume", NULL, NULL,
                                         NULL, NULL, NULL);

    g_assert_cmpint (none->status, ==, 1);
    g_assert_nonnull (strstr (none->err, "no interrupted offline-area download"));
  }
}

static void
test_server_stopped (void)
{
  g_autofree char *dir = ld_test_path ("server");
  g_autofree char *whole = ld_test_path ("whole.gpkg");
  g_autofree char *store = ld_test_path ("store.gpkg");
  g_autofree char *pw = password_file (PW);
  g_autoptr(LdTestServer) server = start_server (dir);
  g_autoptr(LdTestServer) again = NULL;
  g_autoptr(LdTestRun) ref = run_cli (NULL, server->url, whole, NULL, "--bbox", BBOX, NULL,
                                      NULL, NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                                                       | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) messages = g_string_new (NULL);
  g_autoptr(LdTestRun) resumed = NULL;
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;
  char *line;
  guint seen = 0;

  g_assert_cmpint (ref->status, ==, 0);
  want = dump_download (whole);

  g_subprocess_launcher_setenv (launcher, "LANDDESK_OFFLINE_AREA_PAGE_DELAY_MS", "100", TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, ld_test_binary ("LANDDESK_CLI"),
                                      "offline-area", "--server", server->url, "--user", USER,
                                      "--password-file", pw, "--store", store, "--bbox", BBOX,
                                      "--page-size", "7", NULL);
  g_assert_no_error (error);
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (proc));
  while ((line = g_data_input_stream_read_line (err, NULL, NULL, NULL)) != NULL)
    {
      g_string_append_printf (messages, "%s\n", line);
      if (strstr (line, "features") != NULL && ++seen == 3)
        g_subprocess_send_signal (server->process, SIGKILL);
      g_free (line);
    }
  g_subprocess_wait (proc, NULL, NULL);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  g_assert_nonnull (strstr (messages->str, "cannot be reached"));
  g_assert_nonnull (strstr (messages->str, "resume the download later"));
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM offline_areas WHERE"
                                     " state = 'downloading'"), ==, 1);
  ld_test_server_stop (server, NULL);

  /* The server back (another port): a new area is refused while this one is pending. */
  again = start_server (dir);
  {
    g_autofree char *before = dump_download (store);
    g_autoptr(LdTestRun) other = run_cli (NULL, again->url, store, NULL, "--bbox", BBOX_WEST,
                                          NULL, NULL, NULL, NULL);

    g_assert_cmpint (other->status, ==, 1);
    g_assert_nonnull (strstr (other->err, "interrupted offline-area download: resume it first"));
    g_assert_cmpstr (dump_download (store), ==, before);
  }

  /* ... and the download resumes and ends as if never cut. */
  resumed = run_cli (NULL, again->url, store, NULL, "--resume", NULL, NULL, NULL, NULL, NULL);
  g_assert_cmpint (resumed->status, ==, 0);
  got = dump_download (store);
  g_assert_cmpstr (got, ==, want);
}

static void
test_bad_input (void)
{
  g_autofree char *dir = ld_test_path ("server");
  g_autofree char *store = ld_test_path ("store.gpkg");
  g_autoptr(LdTestServer) server = start_server (dir);
  struct {
    const char *password, *a1, *a2, *a3, *a4, *a5;
    int status;
    const char *message;
  } cases[] = {
    { NULL, "--bbox", "110.20,20.94,110.20,21.02", NULL, NULL, NULL, 2, "is empty" },
    { NULL, "--bbox", "110.20,20.94,110.10,21.02", NULL, NULL, NULL, 2, "is empty" },
    { NULL, "--bbox", "110.2,20.9,abc,21", NULL, NULL, NULL, 2, "field 3 'abc' is not a number" },
    { NULL, "--bbox", "110.00,20.60,110.50,21.10", NULL, NULL, NULL, 2, "more than the 100 km²" },
    { NULL, "--bbox", BBOX, "--min-zoom", "12", NULL, 2, "go together" },
    { NULL, "--bbox", BBOX, "--min-zoom", "14", "--max-zoom", 2, NULL },
    { "wrong-password", "--bbox", BBOX, NULL, NULL, NULL, 1, "login" },
    { NULL, "--polygon", "/nonexistent/area.geojson", NULL, NULL, NULL, 2,
      "/nonexistent/area.geojson" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LdTestRun) run = run_cli (NULL, server->url, store, cases[i].password, cases[i].a1,
                                          cases[i].a2, cases[i].a3, cases[i].a4, cases[i].a5,
                                          cases[i].a5 ? "3" : NULL);

      g_test_message ("case %u: %s", i, run->err);
      g_assert_cmpint (run->status, ==, cases[i].status);
      if (cases[i].message != NULL)
        g_assert_nonnull (strstr (run->err, cases[i].message));
      g_assert_false (g_file_test (store, G_FILE_TEST_EXISTS));
    }
  /* Zooms outside the base map's, and beyond any map. */
  {
    g_autoptr(LdTestRun) run = run_cli (NULL, server->url, store, NULL, "--bbox", BBOX,
                                        "--min-zoom", "5", "--max-zoom", "12");

    g_assert_cmpint (run->status, ==, 2);
    g_assert_nonnull (strstr (run->err, "outside the base map's zooms 8-14"));
    g_assert_false (g_file_test (store, G_FILE_TEST_EXISTS));
  }
  {
    g_autoptr(LdTestRun) run = run_cli (NULL, server->url, store, NULL, "--bbox", BBOX,
                                        "--min-zoom", "8", "--max-zoom", "30");

    g_assert_cmpint (run->status, ==, 2);
    g_assert_nonnull (strstr (run->err, "the maximum at most 22"));
  }
  /* The server refuses on its own: no token, a box too large, a bad tile. */
  {
    g_autofree char *token = ld_test_server_login (server, USER, PW);
    g_autoptr(LdTestResponse) anon = ld_test_server_call (server, "GET", "/api/v1/extract?bbox="
                                                          "37400000,2300000,37401000,2301000",
                                                          NULL, NULL, NULL, 0, NULL);
    g_autoptr(LdTestResponse) big = ld_test_server_call (server, "GET", "/api/v1/extract?bbox="
                                                         "37400000,2300000,37420000,2320000",
                                                         token, NULL, NULL, 0, NULL);
    g_autoptr(LdTestResponse) tile = ld_test_server_call (server, "GET", "/api/v1/tiles/3/9/0",
                                                          token, NULL, NULL, 0, NULL);
    g_autoptr(LdTestResponse) layer = ld_test_server_call (server, "GET", "/api/v1/extract/users"
                                                           "?bbox=37400000,2300000,37401000,"
                                                           "2301000", token, NULL, NULL, 0, NULL);

    g_assert_cmpuint (anon->status, ==, 401);
    g_assert_cmpuint (big->status, ==, 400);
    g_assert_nonnull (strstr (ld_test_response_message (big), "more than the 100 km²"));
    g_assert_cmpuint (tile->status, ==, 400);
    g_assert_cmpuint (layer->status, ==, 404);
  }
}

static void
test_tile_etag (void)
{
  g_autofree char *dir = ld_test_path ("server");
  g_autoptr(LdTestServer) server = start_server (dir);
  g_autofree char *token = ld_test_server_login (server, USER, PW);
  g_autofree char *mbtiles = demo_file (LD_DEMO_BASEMAP_NAME);
  g_autoptr(LdMbtiles) source = ld_mbtiles_open (mbtiles, NULL);
  LdLonLatBox box = { 110.20, 20.94, 110.28, 21.02 };
  g_autofree char *path = NULL;
  g_autoptr(LdTestResponse) first = NULL;
  g_autoptr(LdTestResponse) second = NULL;
  g_autoptr(LdTestResponse) meta = NULL;
  g_autoptr(GBytes) want = NULL;
  const char *etag;
  int x0, y0, x1, y1;

  ld_geo_tile_range (&box, 12, &x0, &y0, &x1, &y1);
  path = g_strdup_printf ("/api/v1/tiles/12/%d/%d", x0, y0);
  first = ld_test_server_call (server, "GET", path, token, NULL, NULL, 0, NULL);
  g_assert_cmpuint (first->status, ==, 200);
  want = ld_mbtiles_read_tile (source, 12, x0, y0, NULL);
  g_assert_true (g_bytes_equal (first->body, want));
  etag = soup_message_headers_get_one (first->headers, "ETag");
  g_assert_nonnull (etag);
  second = ld_test_server_call (server, "GET", path, token, NULL, NULL, 0, "If-None-Match", etag,
                                NULL);
  g_assert_cmpuint (second->status, ==, 304);
  meta = ld_test_server_call (server, "GET", "/api/v1/tiles", token, NULL, NULL, 0, NULL);
  g_assert_cmpuint (meta->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (ld_test_response_object (meta), "max_zoom"), ==, 14);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(LdDemo) demo = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  ld_test_init (&argc, &argv);
  GDALAllRegister ();
  demo_dir = g_dir_make_tmp ("landdesk-offline-XXXXXX", &error);
  g_assert_no_error (error);
  demo = ld_demo_new (20240101);
  ld_demo_set_patches (demo, 20000);
  ld_demo_set_cases (demo, 10);
  ld_demo_set_gmt (demo, "missing-program");
  if (!ld_demo_write (demo, demo_dir, NULL, NULL, &error))
    g_error ("demo: %s", error->message);

  g_test_add_func ("/offline-area/estimate-matches-download", test_estimate_matches_download);
  g_test_add_func ("/offline-area/clipped-exactly", test_clipped_exactly);
  g_test_add_func ("/offline-area/overlapping-areas", test_overlapping_areas);
  g_test_add_func ("/offline-area/server-changes-replaced", test_server_changes_replaced);
  g_test_add_func ("/offline-area/killed-and-resumed", test_killed_and_resumed);
  g_test_add_func ("/offline-area/server-stopped", test_server_stopped);
  g_test_add_func ("/offline-area/bad-input", test_bad_input);
  g_test_add_func ("/offline-area/tile-etag", test_tile_etag);
  status = g_test_run ();

  {
    g_autofree char *gpkg = demo_file (LD_DEMO_GPKG_NAME);
    g_autofree char *mbtiles = demo_file (LD_DEMO_BASEMAP_NAME);

    g_remove (gpkg);
    g_remove (mbtiles);
    g_rmdir (demo_dir);
  }
  return status;
}
