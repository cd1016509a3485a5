/* test-redline.c: red lines through GDAL, the store, round trips and landdesk-cli redline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input files are written here with GDAL itself (or by hand for TXT); expected coordinates
 * and areas come from domain.md (the EPSG:4525 check point) or plain arithmetic.
 */
#include "config.h"

#include <math.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "ld-core.h"
#include "ld-test-util.h"

/* A square with a hole (9600 m²) and a two-part parcel (200 + 50 m²), off the metre grid. */
#define DK01_WKT \
  "POLYGON ((37433500.123 2353100.456, 37433600.123 2353100.456, 37433600.123 2353200.456, " \
  "37433500.123 2353200.456, 37433500.123 2353100.456), (37433520.123 2353120.456, " \
  "37433520.123 2353140.456, 37433540.123 2353140.456, 37433540.123 2353120.456, " \
  "37433520.123 2353120.456))"
#define DK02_WKT \
  "MULTIPOLYGON (((37434000.001 2354000.002, 37434020.001 2354000.002, 37434020.001 " \
  "2354010.002, 37434000.001 2354010.002, 37434000.001 2354000.002)), ((37434100.5 2354000.5, " \
  "37434110.5 2354000.5, 37434110.5 2354005.5, 37434100.5 2354005.5, 37434100.5 2354000.5)))"

static const char *
cli (void)
{
  return ld_test_binary ("LANDDESK_CLI");
}

static void
write_text (const char *path,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static gboolean
has_warning (LdRedline  *redline,
             const char *needle)
{
  GPtrArray *warnings = ld_redline_get_warnings (redline);

  for (guint i = 0; i < warnings->len; i++)
    if (strstr (g_ptr_array_index (warnings, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static LdRedline *
sample_redline (void)
{
  g_autoptr(GError) error = NULL;
  LdRedline *redline = ld_redline_new ();

  ld_redline_add_parcel_wkt (redline, "DK01", "一号地块", DK01_WKT, &error);
  g_assert_no_error (error);
  ld_redline_add_parcel_wkt (redline, "DK02", "二号地块", DK02_WKT, &error);
  g_assert_no_error (error);
  return redline;
}

static GEOSGeometry *
parcel_geos (GEOSContextHandle_t  geos,
             LdRedline           *redline,
             guint                index)
{
  g_autoptr(GBytes) wkb = ld_redline_dup_parcel_wkb (redline, index);
  gsize size;
  const guchar *data = g_bytes_get_data (wkb, &size);

  return GEOSGeomFromWKB_buf_r (geos, data, size);
}

/* Same parcels, same geometry: vertices within 1 mm, areas within 0.01 m². */
static void
assert_same_redline (LdRedline *a,
                     LdRedline *b,
                     gboolean   names)
{
  GEOSContextHandle_t geos = GEOS_init_r ();

  g_assert_cmpuint (ld_redline_get_n_parcels (a), ==, ld_redline_get_n_parcels (b));
  for (guint i = 0; i < ld_redline_get_n_parcels (a); i++)
    {
      GEOSGeometry *ga = parcel_geos (geos, a, i), *gb = parcel_geos (geos, b, i);
      double distance = -1;

      g_assert_cmpstr (ld_redline_get_parcel_id (a, i), ==, ld_redline_get_parcel_id (b, i));
      if (names)
        g_assert_cmpstr (ld_redline_get_parcel_name (a, i), ==, ld_redline_get_parcel_name (b, i));
      g_assert_cmpfloat_with_epsilon (ld_redline_get_parcel_area (a, i),
                                      ld_redline_get_parcel_area (b, i), 0.01);
      g_assert_cmpuint (ld_redline_get_parcel_n_rings (a, i), ==,
                        ld_redline_get_parcel_n_rings (b, i));
      g_assert_cmpint (GEOSHausdorffDistance_r (geos, ga, gb, &distance), ==, 1);
      g_assert_cmpfloat (distance, <, 0.001);
      GEOSGeom_destroy_r (geos, ga);
      GEOSGeom_destroy_r (geos, gb);
    }
  GEOS_finish_r (geos);
}

/* A one-layer GDAL file in @epsg with the given fields and WKT geometries. */
static void
write_ogr (const char         *driver_name,
           const char         *path,
           int                 epsg,
           const char * const *layer_options,
           const char * const *wkts,
           const char * const *names)
{
  GDALDriverH driver;
  GDALDatasetH ds;
  OGRSpatialReferenceH srs = NULL;
  OGRLayerH layer;
  OGRFieldDefnH field;

  GDALAllRegister ();
  driver = GDALGetDriverByName (driver_name);
  ds = GDALCreate (driver, path, 0, 0, 0, GDT_Unknown, NULL);
  g_assert_nonnull (ds);
  if (epsg != 0)
    {
      srs = OSRNewSpatialReference (NULL);
      g_assert_cmpint (OSRImportFromEPSG (srs, epsg), ==, OGRERR_NONE);
    }
  layer = GDALDatasetCreateLayer (ds, "t", srs, wkbUnknown, (char **) layer_options);
  g_assert_nonnull (layer);
  field = OGR_Fld_Create ("DKMC", OFTString);
  OGR_L_CreateField (layer, field, TRUE);
  OGR_Fld_Destroy (field);
  for (guint i = 0; wkts[i] != NULL; i++)
    {
      OGRFeatureH feature = OGR_F_Create (OGR_L_GetLayerDefn (layer));
      OGRGeometryH geom = NULL;
      char *wkt = (char *) wkts[i];

      g_assert_cmpint (OGR_G_CreateFromWkt (&wkt, srs, &geom), ==, OGRERR_NONE);
      OGR_F_SetGeometryDirectly (feature, geom);
      if (names != NULL)
        OGR_F_SetFieldString (feature, 0, names[i]);
      g_assert_cmpint (OGR_L_CreateFeature (layer, feature), ==, OGRERR_NONE);
      OGR_F_Destroy (feature);
    }
  GDALClose (ds);
  if (srs != NULL)
    OSRDestroySpatialReference (srs);
}

static void
test_import_txt (void)
{
  g_autofree char *path = ld_test_path ("a.txt");
  g_autoptr(GError) error = NULL;
  g_autoptr(LdRedline) redline = NULL;
  g_autofree char *wkt = NULL;

  write_text (path,
              "[属性描述]\n带号=37\n[地块坐标]\n"
              "5,1.0000,DK01,地块,面,,,,@\n"
              "J1,1,2353100.000,37433500.000\nJ2,1,2353100.000,37433600.000\n"
              "J3,1,2353200.000,37433600.000\nJ4,1,2353200.000,37433500.000\n"
              "J1,1,2353100.000,37433500.000\n");
  redline = ld_redline_import (path, LD_REDLINE_FORMAT_AUTO, LD_REDLINE_IMPORT_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ld_redline_get_n_parcels (redline), ==, 1);
  g_assert_cmpstr (ld_redline_get_crs (redline), ==, "EPSG:4525");
  g_assert_cmpstr (ld_redline_get_parcel_id (redline, 0), ==, "DK01");
  g_assert_cmpstr (ld_redline_get_parcel_name (redline, 0), ==, "地块");
  g_assert_cmpfloat_with_epsilon (ld_redline_get_parcel_area (redline, 0), 10000.0, 1e-6);
  g_assert_cmpuint (ld_redline_get_parcel_n_rings (redline, 0), ==, 1);
  g_assert_true (ld_redline_get_parcel_valid (redline, 0));
  wkt = ld_redline_dup_parcel_wkt (redline, 0);
  g_assert_cmpstr (wkt, ==, "MULTIPOLYGON (((37433500 2353100, 37433600 2353100, 37433600 2353200, "
                            "37433500 2353200, 37433500 2353100)))");
}

static void
test_import_txt_six_degree_zone (void)
{
  /* 6-degree zone 19 has zone 37's central meridian (111°E): same numbers, other prefix. */
  g_autofree char *path = ld_test_path ("six.txt");
  g_autoptr(GError) error = NULL;
  g_autoptr(LdRedline) redline = NULL;
  g_autoptr(LdRedline) expected = ld_redline_new ();

  write_text (path,
              "[属性描述]\n几度分带=6\n带号=19\n[地块坐标]\n"
              "5,1.0000,DK01,,面,,,,@\n"
              "J1,1,2353100.000,19433500.000\nJ2,1,2353100.000,19433600.000\n"
              "J3,1,2353200.000,19433600.000\nJ4,1,2353200.000,19433500.000\n"
              "J1,1,2353100.000,19433500.000\n");
  redline = ld_redline_import (path, LD_REDLINE_FORMAT_TXT, LD_REDLINE_IMPORT_DEFAULT, &error);
  g_assert_no_error (error);
  ld_redline_add_parcel_wkt (expected, "DK01", "",
                             "POLYGON ((37433500 2353100, 37433600 2353100, 37433600 2353200, "
                             "37433500 2353200, 37433500 2353100))", &error);
  g_assert_no_error (error);
  assert_same_redline (expected, redline, TRUE);
}

static void
test_import_geojson_lonlat (void)
{
  /* domain.md §4: 110.36°E 21.27°N is X 2 353 105.52, Y 37 433 578.32 in EPSG:4525. */
  g_autofree char *path = ld_test_path ("ll.geojson");
  g_autoptr(GError) error = NULL;
  g_autoptr(LdRedline) redline = NULL;
  g_autofree char *wkt = NULL;
  double x = 0, y = 0;

  write_text (path,
              "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", "
              "\"properties\": {\"name\": \"测试\", \"parcel_no\": \"DK09\"}, \"geometry\": "
              "{\"type\": \"Polygon\", \"coordinates\": [[[110.36, 21.27], [110.361, 21.27], "
              "[110.361, 21.271], [110.36, 21.27]]]}}]}");
  redline = ld_redline_import (path, LD_REDLINE_FORMAT_AUTO, LD_REDLINE_IMPORT_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_redline_get_parcel_id (redline, 0), ==, "DK09");
  g_assert_cmpstr (ld_redline_get_parcel_name (redline, 0), ==, "测试");
  wkt = ld_redline_dup_parcel_wkt (redline, 0);
  g_assert_cmpint (sscanf (wkt, "MULTIPOLYGON (((%lf %lf", &x, &y), ==, 2);
  g_assert_cmpfloat_with_epsilon (x, 37433578.32, 0.01);
  g_assert_cmpfloat_with_epsilon (y, 2353105.52, 0.01);
}

static void
test_import_kml_3d (void)
{
  /* As Google Earth writes it: lon,lat,height triples, a Placemark name. */
  g_autofree char *path = ld_test_path ("ge.kml");
  g_autoptr(GError) error = NULL;
  g_autoptr(LdRedline) redline = NULL;
  g_autofree char *wkt = NULL;
  double x = 0, y = 0;

  write_text (path,
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document><Placemark>"
              "<name>红线一</name><Polygon><outerBoundaryIs><LinearRing><coordinates>"
              "110.36,21.27,12 110.361,21.27,12 110.361,21.271,12 110.36,21.27,12"
              "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>"
              "</Document></kml>\n");
  redline = ld_redline_import (path, LD_REDLINE_FORMAT_AUTO, LD_REDLINE_IMPORT_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_redline_get_parcel_name (redline, 0), ==, "红线一");
  wkt = ld_redline_dup_parcel_wkt (redline, 0);
  g_assert_cmpint (sscanf (wkt, "MULTIPOLYGON (((%lf %lf", &x, &y), ==, 2);
  g_assert_cmpfloat_with_epsilon (x, 37433578.32, 0.01);
  g_assert_cmpfloat_with_epsilon (y, 2353105.52, 0.01);
}

static void
test_import_gpkg_without_zone_prefix (void)
{
  /* EPSG:4546 is zone 37 without the prefix: the same easting minus 37 000 000. */
  g_autofree char *path = ld_test_path ("noprefix.gpkg");
  const char *wkts[] = {
    "POLYGON ((433500.123 2353100.456, 433600.123 2353100.456, 433600.123 2353200.456, "
    "433500.123 2353200.456, 433500.123 2353100.456), (433520.123 2353120.456, "
    "433520.123 2353140.456, 433540.123 2353140.456, 433540.123 2353120.456, "
    "433520.123 2353120.456))",
    NULL
  };
  const char *names[] = { "一号地块", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(LdRedline) redline = NULL;
  g_autoptr(LdRedline) expected = ld_redline_new ();

  write_ogr ("GPKG", path, 4546, NULL, wkts, names);
  redline = ld_redline_import (path, LD_REDLINE_FORMAT_GPKG, LD_REDLINE_IMPORT_DEFAULT, &error);
  g_assert_no_error (error);
  ld_redline_add_parcel_wkt (expected, "1", "一号地块", DK01_WKT, &error);
  g_assert_no_error (error);
  assert_same_redline (expected, redline, TRUE);
}

static void
test_import_refuses_legacy_datums (void)
{
  static const struct { int epsg; const char *name; } cases[] = {
    { 2361, "Xian 1980" }, { 2382, "Xian 1980" }, { 2413, "Beijing 1954" }, { 2434, "Beijing 1954" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("legacy%d.shp", cases[i].epsg);
      g_autofree char *path = ld_test_path (name);
      const char *wkts[] = { "POLYGON ((433500 2353100, 433600 2353100, 433600 2353200, 433500 2353100))", NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(LdRedline) redline = NULL;

      if (cases[i].epsg == 2361 || cases[i].epsg == 2413)
        wkts[0] = "POLYGON ((37433500 2353100, 37433600 2353100, 37433600 2353200, 37433500 2353100))";
      write_ogr ("ESRI Shapefile", path, cases[i].epsg, NULL, wkts, NULL);
      redline = ld_redline_import (path, LD_REDLINE_FORMAT_AUTO, LD_REDLINE_IMPORT_DEFAULT, &error);
      g_assert_null (redline);
      g_assert_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_CRS);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].name));
      g_assert_nonnull (strstr (error->message, "seven datum parameters"));
    }
}

static void
test_import_shapefile_gbk_without_cpg (void)
{
  g_autofree char *path = ld_test_path ("gbk.shp");
  g_autofree char *cpg = ld_test_path ("gbk.cpg");
  g_autofree char *prj = ld_test_path ("gbk.prj");
  const char *options[] = { "ENCODING=CP936", NULL };
  const char *wkts[] = { DK01_WKT, NULL };
  const char *names[] = { "某某项目地块", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(LdRedline) redline = NULL;

  write_ogr ("ESRI Shapefile", path, 4525, options, wkts, names);
  /* As older Chinese tools leave them: GBK attributes, no .cpg and no .prj. */
  g_remove (cpg);
  g_remove (prj);
  redline = ld_redline_import (path, LD_REDLINE_FORMAT_SHP, LD_REDLINE_IMPORT_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_redline_get_parcel_name (redline, 0), ==, "某某项目地块");
  g_assert_true (has_warning (redline, "zone 37 (EPSG:4525) from the easting's zone prefix"));
  g_assert_cmpfloat_with_epsilon (ld_redline_get_parcel_area (redline, 0), 9600.0, 1e-6);
}

static void
test_import_dxf_closed_lines (void)
{
  /* CAD drawings hold red lines as closed polylines: the inner one is a hole by containment. */
  g_autofree char *path = ld_test_path ("lines.dxf");
  const char *wkts[] = {
    "LINESTRING (37433520 2353120, 37433520 2353140, 37433540 2353140, 37433540 2353120, "
    "37433520 2353120)",
    "LINESTRING (37433500 2353100, 37433600 2353100, 37433600 2353200, 37433500 2353200, "
    "37433500 2353100)",
    "LINESTRING (37433700 2353100, 37433800 2353100)",
    NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(LdRedline) redline = NULL;

  write_ogr ("DXF", path, 0, NULL, wkts, NULL);
  redline = ld_redline_import (path, LD_REDLINE_FORMAT_DXF, LD_REDLINE_IMPORT_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ld_redline_get_n_parcels (redline), ==, 1);
  g_assert_cmpuint (ld_redline_get_parcel_n_rings (redline, 0), ==, 2);
  g_assert_cmpfloat_with_epsilon (ld_redline_get_parcel_area (redline, 0), 9600.0, 1e-6);
  /* The open line is named and left out. */
  g_assert_true (has_warning (redline, "is a Line String, not a polygon or a closed line"));
}

static void
test_import_sniffs_coordfile (void)
{
  g_autofree char *path = ld_test_path ("red line.dat");
  g_autofree char *gbk = g_convert ("[属性描述]\r\n带号=37\r\n[地块坐标]\r\n"
                                    "4,,DK01,地块,面,,,,@\r\n"
                                    "J1,1,2353100,37433500\r\nJ2,1,2353100,37433600\r\n"
                                    "J3,1,2353200,37433600\r\nJ1,1,2353100,37433500\r\n",
                                    -1, "GBK", "UTF-8", NULL, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LdRedline) redline = NULL;

  write_text (path, gbk);
  redline = ld_redline_import (path, LD_REDLINE_FORMAT_AUTO, LD_REDLINE_IMPORT_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_redline_get_parcel_name (redline, 0), ==, "地块");
  g_assert_cmpfloat_with_epsilon (ld_redline_get_parcel_area (redline, 0), 5000.0, 1e-6);
}

static void
test_import_bad_files (void)
{
  g_autofree char *garbage = ld_test_path ("garbage.gpkg");
  g_autofree char *points = ld_test_path ("points.geojson");
  g_autoptr(GError) error = NULL;
  g_autoptr(LdRedline) a = NULL;
  g_autoptr(LdRedline) b = NULL;
  g_autoptr(LdRedline) c = NULL;

  write_text (garbage, "this is not a geopackage");
  write_text (points, "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", "
                      "\"properties\": {}, \"geometry\": {\"type\": \"Point\", "
                      "\"coordinates\": [110.36, 21.27]}}]}");
  a = ld_redline_import (garbage, LD_REDLINE_FORMAT_AUTO, LD_REDLINE_IMPORT_DEFAULT, &error);
  g_assert_null (a);
  g_assert_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, "garbage.gpkg"));
  g_clear_error (&error);

  b = ld_redline_import (points, LD_REDLINE_FORMAT_AUTO, LD_REDLINE_IMPORT_DEFAULT, &error);
  g_assert_null (b);
  g_assert_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "no polygon"));
  g_clear_error (&error);

  c = ld_redline_import ("/nonexistent/x.shp", LD_REDLINE_FORMAT_AUTO, LD_REDLINE_IMPORT_DEFAULT,
                         &error);
  g_assert_null (c);
  g_assert_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_OPEN);
}

static void
test_invalid_reported_and_repaired (void)
{
  /* A bow tie: two 2500 m² triangles crossing at (50, 50). Its signed lobes cancel. */
  g_autofree char *path = ld_test_path ("bowtie.txt");
  g_autoptr(GError) error = NULL;
  g_autoptr(LdRedline) as_is = NULL;
  g_autoptr(LdRedline) fixed = NULL;

  write_text (path,
              "[属性描述]\n带号=37\n[地块坐标]\n"
              "5,0.5000,DK01,,面,,,,@\n"
              "J1,1,2353100.000,37433500.000\nJ2,1,2353200.000,37433600.000\n"
              "J3,1,2353100.000,37433600.000\nJ4,1,2353200.000,37433500.000\n"
              "J1,1,2353100.000,37433500.000\n");
  as_is = ld_redline_import (path, LD_REDLINE_FORMAT_AUTO, LD_REDLINE_IMPORT_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_false (ld_redline_get_parcel_valid (as_is, 0));
  g_assert_true (has_warning (as_is, "parcel DK01 is not a valid polygon (Self-intersection"));
  g_assert_true (has_warning (as_is, "--make-valid"));

  fixed = ld_redline_import (path, LD_REDLINE_FORMAT_AUTO, LD_REDLINE_IMPORT_MAKE_VALID, &error);
  g_assert_no_error (error);
  g_assert_true (ld_redline_get_parcel_valid (fixed, 0));
  g_assert_cmpfloat_with_epsilon (ld_redline_get_parcel_area (fixed, 0), 5000.0, 1e-6);
  g_assert_cmpuint (ld_redline_get_parcel_n_rings (fixed, 0), ==, 2);
  g_assert_true (has_warning (fixed, "repaired with MakeValid: area 0.00 m² -> 5000.00 m² (+5000.00 m²)"));
}

static void
test_round_trip (gconstpointer data)
{
  const char *spec = data;  /* "FORMAT" or "FORMAT:ENCODING" */
  g_auto(GStrv) parts = g_strsplit (spec, ":", 2);
  LdRedlineFormat format;
  g_autofree char *name = g_strdup_printf ("rt.%s", g_str_equal (parts[0], "shp") ? "shp" : parts[0]);
  g_autofree char *path = ld_test_path (name);
  g_autoptr(LdRedline) original = sample_redline ();
  g_autoptr(LdRedline) back = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ld_redline_format_from_string (parts[0], &format));
  ld_redline_export (original, path, format, parts[1], &error);
  g_assert_no_error (error);
  back = ld_redline_import (path, LD_REDLINE_FORMAT_AUTO, LD_REDLINE_IMPORT_DEFAULT, &error);
  g_assert_no_error (error);
  /* DXF has no CRS: the zone prefix tells it, and the import says so. */
  g_assert_cmpuint (ld_redline_get_warnings (back)->len, ==, format == LD_REDLINE_FORMAT_DXF);
  if (format == LD_REDLINE_FORMAT_DXF)
    g_assert_true (has_warning (back, "from the easting's zone prefix"));
  /* DXF keeps the parcel number as the CAD layer, and no name. */
  assert_same_redline (original, back, format != LD_REDLINE_FORMAT_DXF);

  /* The file is not overwritten. */
  g_assert_false (ld_redline_export (original, path, format, parts[1], &error));
  g_assert_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_WRITE);

  if (format == LD_REDLINE_FORMAT_TXT)
    {
      g_autofree char *bytes = NULL;
      gsize length = 0;

      g_file_get_contents (path, &bytes, &length, NULL);
      /* GBK unless UTF-8 was asked for: the names make the difference visible. */
      g_assert_cmpint (g_utf8_validate (bytes, length, NULL), ==, parts[1] != NULL);
      /* 9600 m² and 250 m², in hectares with 4 decimals. */
      g_assert_nonnull (strstr (bytes, ",0.9600,DK01,"));
      g_assert_nonnull (strstr (bytes, ",0.0250,DK02,"));
    }
  if (format == LD_REDLINE_FORMAT_SHP)
    {
      g_autofree char *cpg = ld_test_path ("rt.cpg");
      g_autofree char *text = NULL;

      g_assert_true (g_file_get_contents (cpg, &text, NULL, NULL));
      g_assert_cmpstr (g_strstrip (text), ==, "UTF-8");
    }
}

/* A store shaped as data/README.md says: cases + case_redlines in EPSG:4525. */
static void
write_store (const char *path)
{
  GDALDriverH driver;
  GDALDatasetH ds;
  OGRSpatialReferenceH srs = OSRNewSpatialReference (NULL);
  OGRLayerH cases, redlines;
  const char *case_fields[] = { "id", "number", "title", "applicant", "project_use", NULL };
  const char *redline_fields[] = { "id", "case_id", "parcel_no", "name", NULL };
  const char *case_rows[][5] = {
    { "11111111-1111-4111-8111-111111111111", "ZJYS-2025-0012", "湛江某某产业园项目", "某公司", "1001" },
    { "22222222-2222-4222-8222-222222222222", "ZJYS-2025-0013", "另一个项目", "另一公司", "0901" },
  };
  const char *redline_rows[][5] = {
    /* Stored out of order: the red line lists them by parcel number. */
    { "r2", "11111111-1111-4111-8111-111111111111", "DK02", "二号地块", DK02_WKT },
    { "r1", "11111111-1111-4111-8111-111111111111", "DK01", "一号地块", DK01_WKT },
    { "r3", "22222222-2222-4222-8222-222222222222", "DK01", "别的", DK02_WKT },
  };

  GDALAllRegister ();
  OSRImportFromEPSG (srs, 4525);
  driver = GDALGetDriverByName ("GPKG");
  ds = GDALCreate (driver, path, 0, 0, 0, GDT_Unknown, NULL);
  g_assert_nonnull (ds);
  cases = GDALDatasetCreateLayer (ds, "cases", NULL, wkbNone, NULL);
  redlines = GDALDatasetCreateLayer (ds, "case_redlines", srs, wkbMultiPolygon, NULL);
  for (guint i = 0; case_fields[i] != NULL; i++)
    {
      OGRFieldDefnH f = OGR_Fld_Create (case_fields[i], OFTString);
      OGR_L_CreateField (cases, f, TRUE);
      OGR_Fld_Destroy (f);
    }
  for (guint i = 0; redline_fields[i] != NULL; i++)
    {
      OGRFieldDefnH f = OGR_Fld_Create (redline_fields[i], OFTString);
      OGR_L_CreateField (redlines, f, TRUE);
      OGR_Fld_Destroy (f);
    }
  {
    OGRFieldDefnH f = OGR_Fld_Create ("area_m2", OFTReal);
    OGR_L_CreateField (redlines, f, TRUE);
    OGR_Fld_Destroy (f);
  }
  for (guint i = 0; i < G_N_ELEMENTS (case_rows); i++)
    {
      OGRFeatureH feature = OGR_F_Create (OGR_L_GetLayerDefn (cases));

      for (guint j = 0; j < 5; j++)
        OGR_F_SetFieldString (feature, j, case_rows[i][j]);
      g_assert_cmpint (OGR_L_CreateFeature (cases, feature), ==, OGRERR_NONE);
      OGR_F_Destroy (feature);
    }
  for (guint i = 0; i < G_N_ELEMENTS (redline_rows); i++)
    {
      OGRFeatureH feature = OGR_F_Create (OGR_L_GetLayerDefn (redlines));
      OGRGeometryH geom = NULL;
      char *wkt = (char *) redline_rows[i][4];

      for (guint j = 0; j < 4; j++)
        OGR_F_SetFieldString (feature, j, redline_rows[i][j]);
      OGR_G_CreateFromWkt (&wkt, srs, &geom);
      OGR_F_SetGeometryDirectly (feature, OGR_G_ForceToMultiPolygon (geom));
      g_assert_cmpint (OGR_L_CreateFeature (redlines, feature), ==, OGRERR_NONE);
      OGR_F_Destroy (feature);
    }
  GDALClose (ds);
  OSRDestroySpatialReference (srs);
}

static void
test_store (void)
{
  g_autofree char *store = ld_test_path ("store.gpkg");
  g_autofree char *other = ld_test_path ("other.gpkg");
  g_autoptr(LdRedline) expected = sample_redline ();
  g_autoptr(LdRedline) by_number = NULL;
  g_autoptr(LdRedline) by_id = NULL;
  g_autoptr(LdRedline) missing = NULL;
  g_autoptr(LdRedline) not_store = NULL;
  g_autoptr(LdRedline) quote = NULL;
  g_autoptr(GError) error = NULL;
  const char *wkts[] = { DK01_WKT, NULL };

  write_store (store);
  by_number = ld_redline_load_store (store, "ZJYS-2025-0012", &error);
  g_assert_no_error (error);
  assert_same_redline (expected, by_number, TRUE);
  by_id = ld_redline_load_store (store, "11111111-1111-4111-8111-111111111111", &error);
  g_assert_no_error (error);
  assert_same_redline (expected, by_id, TRUE);

  missing = ld_redline_load_store (store, "ZJYS-1999-0001", &error);
  g_assert_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "ZJYS-1999-0001"));
  g_clear_error (&error);
  quote = ld_redline_load_store (store, "x' OR '1'='1", &error);
  g_assert_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  write_ogr ("GPKG", other, 4525, NULL, wkts, NULL);
  not_store = ld_redline_load_store (other, "ZJYS-2025-0012", &error);
  g_assert_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "has no cases table"));
}

static void
test_round_half_up (void)
{
  g_assert_cmpfloat (ld_round_half_up (2.675, 2), ==, 2.68);
  g_assert_cmpfloat (ld_round_half_up (7.425, 2), ==, 7.43);
  g_assert_cmpfloat (ld_round_half_up (1.00005, 4), ==, 1.0001);
  g_assert_cmpfloat (ld_round_half_up (1.00004999, 4), ==, 1.0);
  g_assert_cmpfloat (ld_round_half_up (0.125, 2), ==, 0.13);
}

static void
test_cli_import_json (void)
{
  g_autofree char *path = ld_test_path ("cli.txt");
  g_autoptr(LdTestRun) run = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root, *parcel;
  JsonArray *parcels, *warnings;

  /* 30 m x 50 m minus nothing: 1500 m², 0.15 ha, 2.25 mu; one unclosed-ring warning. */
  write_text (path,
              "[属性描述]\n带号=37\n[地块坐标]\n"
              "4,0.1500,DK01,某\"地块\",面,,,,@\n"
              "J1,1,2353100.000,37433500.000\nJ2,1,2353100.000,37433550.000\n"
              "J3,1,2353130.000,37433550.000\nJ4,1,2353130.000,37433500.000\n");
  run = ld_test_run (NULL, cli (), "redline", "import", path, "--json", NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpstr (run->err, ==, "");
  json_parser_load_from_data (parser, run->out, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "crs"), ==, "EPSG:4525");
  parcels = json_object_get_array_member (root, "parcels");
  g_assert_cmpuint (json_array_get_length (parcels), ==, 1);
  parcel = json_array_get_object_element (parcels, 0);
  g_assert_cmpuint (json_object_get_size (parcel), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (parcel, "id"), ==, "DK01");
  g_assert_cmpstr (json_object_get_string_member (parcel, "name"), ==, "某\"地块\"");
  g_assert_cmpfloat (json_object_get_double_member (parcel, "area_m2"), ==, 1500.0);
  g_assert_cmpfloat (json_object_get_double_member (parcel, "area_ha"), ==, 0.15);
  g_assert_cmpfloat (json_object_get_double_member (parcel, "area_mu"), ==, 2.25);
  g_assert_cmpint (json_object_get_int_member (parcel, "rings"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (parcel, "wkt"), ==,
                   "MULTIPOLYGON (((37433500 2353100, 37433550 2353100, 37433550 2353130, "
                   "37433500 2353130, 37433500 2353100)))");
  /* Rounded as domain.md §6 writes them. */
  g_assert_nonnull (strstr (run->out, "\"area_m2\": 1500.00, \"area_ha\": 0.1500, \"area_mu\": 2.25"));
  warnings = json_object_get_array_member (root, "warnings");
  g_assert_cmpuint (json_array_get_length (warnings), ==, 1);
  g_assert_nonnull (strstr (json_array_get_string_element (warnings, 0), "not closed"));
}

static void
test_cli_import_errors (void)
{
  g_autofree char *bad = ld_test_path ("bad.txt");
  g_autoptr(LdTestRun) broken = NULL;
  g_autoptr(LdTestRun) missing = NULL;
  g_autoptr(LdTestRun) format = NULL;
  g_autoptr(LdTestRun) no_file = NULL;
  g_autoptr(LdTestRun) no_sub = NULL;

  write_text (bad, "[地块坐标]\n5,1,DK01,a,面,,,,@\nJ1,1,23531OO.000,37433500.000\n");
  broken = ld_test_run (NULL, cli (), "redline", "import", bad, "--json", NULL);
  g_assert_cmpint (broken->status, ==, 1);
  g_assert_cmpstr (broken->out, ==, "");
  g_assert_nonnull (strstr (broken->err, "bad.txt:3: field X: '23531OO.000' is not a number"));

  missing = ld_test_run (NULL, cli (), "redline", "import", "/nonexistent/a.shp", NULL);
  g_assert_cmpint (missing->status, ==, 1);
  g_assert_nonnull (strstr (missing->err, "/nonexistent/a.shp does not exist"));

  format = ld_test_run (NULL, cli (), "redline", "import", bad, "--format", "xls", NULL);
  g_assert_cmpint (format->status, ==, 2);
  g_assert_nonnull (strstr (format->err, "unknown format 'xls'"));

  no_file = ld_test_run (NULL, cli (), "redline", "import", NULL);
  g_assert_cmpint (no_file->status, ==, 2);
  g_assert_nonnull (strstr (no_file->err, "give exactly one FILE"));
  {
    g_autoptr(LdTestRun) bogus = ld_test_run (NULL, cli (), "redline", "import", "--bogus", NULL);
    g_autoptr(LdTestRun) help = ld_test_run (NULL, cli (), "help", "redline", NULL);

    g_assert_cmpint (bogus->status, ==, 2);
    g_assert_nonnull (strstr (bogus->err, "redline import: "));
    g_assert_nonnull (strstr (bogus->err, "--bogus"));
    g_assert_nonnull (strstr (bogus->err, "landdesk-cli help redline"));
    g_assert_cmpint (help->status, ==, 0);
    g_assert_nonnull (strstr (help->out, "landdesk-cli redline export (--store F --case ID"));
  }
  no_sub = ld_test_run (NULL, cli (), "redline", "frob", NULL);
  g_assert_cmpint (no_sub->status, ==, 2);
  g_assert_nonnull (strstr (no_sub->err, "unknown subcommand 'frob'"));
}

static void
test_cli_export (void)
{
  g_autofree char *store = ld_test_path ("cli-store.gpkg");
  g_autofree char *txt = ld_test_path ("case.txt");
  g_autofree char *dxf = ld_test_path ("case.dxf");
  g_autoptr(LdTestRun) run = NULL;
  g_autoptr(LdTestRun) again = NULL;
  g_autoptr(LdTestRun) forced = NULL;
  g_autoptr(LdTestRun) convert = NULL;
  g_autoptr(LdTestRun) enc = NULL;
  g_autoptr(LdTestRun) both = NULL;
  g_autoptr(LdTestRun) nocase = NULL;
  g_autoptr(LdRedline) expected = sample_redline ();
  g_autoptr(LdRedline) back = NULL;
  g_autoptr(LdRedline) from_dxf = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bytes = NULL;
  g_autofree char *utf8 = NULL;
  gsize length = 0;

  write_store (store);
  run = ld_test_run (NULL, cli (), "redline", "export", "--store", store, "--case",
                     "ZJYS-2025-0012", "--format", "txt", "--out", txt, NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (strstr (run->out, "Wrote 2 parcels (9850.00 m²)"));
  g_assert_true (g_file_get_contents (txt, &bytes, &length, NULL));
  g_assert_false (g_utf8_validate (bytes, length, NULL));
  utf8 = g_convert (bytes, length, "UTF-8", "GBK", NULL, NULL, NULL);
  /* The parcel header carries the parcel's name and the project's use from the case. */
  g_assert_nonnull (strstr (utf8, ",0.9600,DK01,一号地块,面,,1001,,@\r\n"));
  back = ld_redline_import (txt, LD_REDLINE_FORMAT_AUTO, LD_REDLINE_IMPORT_DEFAULT, &error);
  g_assert_no_error (error);
  assert_same_redline (expected, back, TRUE);

  again = ld_test_run (NULL, cli (), "redline", "export", "--store", store, "--case",
                       "ZJYS-2025-0012", "--out", txt, NULL);
  g_assert_cmpint (again->status, ==, 1);
  g_assert_nonnull (strstr (again->err, "--force"));
  forced = ld_test_run (NULL, cli (), "redline", "export", "--store", store, "--case",
                        "ZJYS-2025-0012", "--out", txt, "--encoding", "utf-8", "--force", NULL);
  g_assert_cmpint (forced->status, ==, 0);
  g_clear_pointer (&bytes, g_free);
  g_assert_true (g_file_get_contents (txt, &bytes, &length, NULL));
  g_assert_true (g_utf8_validate (bytes, length, NULL));

  convert = ld_test_run (NULL, cli (), "redline", "export", "--in", txt, "--format", "dxf",
                         "--out", dxf, NULL);
  g_assert_cmpint (convert->status, ==, 0);
  from_dxf = ld_redline_import (dxf, LD_REDLINE_FORMAT_AUTO, LD_REDLINE_IMPORT_DEFAULT, &error);
  g_assert_no_error (error);
  assert_same_redline (expected, from_dxf, FALSE);

  /* A failed overwrite leaves the old file as it was: GBK cannot hold this name. */
  {
    g_autofree char *emoji = ld_test_path ("emoji.txt");
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autofree char *dir = g_path_get_dirname (txt);
    g_autoptr(LdTestRun) fail = NULL;
    g_autoptr(GDir) listing = NULL;
    const char *entry;

    write_text (emoji, "[地块坐标]\n4,,DK01,\xF0\x9F\x98\x80,面,,,,@\n"
                       "J1,1,2353100,37433500\nJ2,1,2353100,37433600\n"
                       "J3,1,2353200,37433600\nJ1,1,2353100,37433500\n");
    g_assert_true (g_file_get_contents (txt, &before, NULL, NULL));
    fail = ld_test_run (NULL, cli (), "redline", "export", "--in", emoji, "--out", txt,
                        "--force", NULL);
    g_assert_cmpint (fail->status, ==, 1);
    g_assert_nonnull (strstr (fail->err, "cannot be written in GBK"));
    g_assert_true (g_file_get_contents (txt, &after, NULL, NULL));
    g_assert_cmpstr (before, ==, after);
    listing = g_dir_open (dir, 0, NULL);
    while ((entry = g_dir_read_name (listing)) != NULL)
      g_assert_false (g_str_has_prefix (entry, ".landdesk-export-"));
  }

  enc = ld_test_run (NULL, cli (), "redline", "export", "--in", txt, "--format", "shp",
                     "--out", "x.shp", "--encoding", "gbk", NULL);
  g_assert_cmpint (enc->status, ==, 2);
  g_assert_nonnull (strstr (enc->err, "--encoding applies to txt only"));
  both = ld_test_run (NULL, cli (), "redline", "export", "--in", txt, "--store", store,
                      "--out", "x.txt", NULL);
  g_assert_cmpint (both->status, ==, 2);
  nocase = ld_test_run (NULL, cli (), "redline", "export", "--store", store, "--case", "nope",
                        "--out", "x.txt", NULL);
  g_assert_cmpint (nocase->status, ==, 1);
  g_assert_nonnull (strstr (nocase->err, "no case with id or number 'nope'"));
  g_assert_false (g_file_test ("x.txt", G_FILE_TEST_EXISTS));
}

int
main (int    argc,
      char **argv)
{
  ld_test_init (&argc, &argv);

  g_test_add_func ("/redline/import/txt", test_import_txt);
  g_test_add_func ("/redline/import/txt-six-degree-zone", test_import_txt_six_degree_zone);
  g_test_add_func ("/redline/import/geojson-lonlat", test_import_geojson_lonlat);
  g_test_add_func ("/redline/import/kml-3d", test_import_kml_3d);
  g_test_add_func ("/redline/import/gpkg-no-prefix", test_import_gpkg_without_zone_prefix);
  g_test_add_func ("/redline/import/legacy-datums", test_import_refuses_legacy_datums);
  g_test_add_func ("/redline/import/shapefile-gbk", test_import_shapefile_gbk_without_cpg);
  g_test_add_func ("/redline/import/dxf-closed-lines", test_import_dxf_closed_lines);
  g_test_add_func ("/redline/import/sniff-coordfile", test_import_sniffs_coordfile);
  g_test_add_func ("/redline/import/bad-files", test_import_bad_files);
  g_test_add_func ("/redline/import/invalid", test_invalid_reported_and_repaired);
  g_test_add_data_func ("/redline/round-trip/txt-gbk", "txt", test_round_trip);
  g_test_add_data_func ("/redline/round-trip/txt-utf8", "txt:UTF-8", test_round_trip);
  g_test_add_data_func ("/redline/round-trip/shp", "shp", test_round_trip);
  g_test_add_data_func ("/redline/round-trip/gpkg", "gpkg", test_round_trip);
  g_test_add_data_func ("/redline/round-trip/kml", "kml", test_round_trip);
  g_test_add_data_func ("/redline/round-trip/dxf", "dxf", test_round_trip);
  g_test_add_data_func ("/redline/round-trip/geojson", "geojson", test_round_trip);
  g_test_add_func ("/redline/store", test_store);
  g_test_add_func ("/redline/round-half-up", test_round_half_up);
  g_test_add_func ("/redline/cli/import-json", test_cli_import_json);
  g_test_add_func ("/redline/cli/import-errors", test_cli_import_errors);
  g_test_add_func ("/redline/cli/export", test_cli_export);

  return g_test_run ();
}
