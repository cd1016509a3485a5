/* test-core.c: liblanddesk's foundations: paths, tile arithmetic, MBTiles, the base map
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ld-core.h"
#include "ld-test-util.h"

static void
test_paths_env_overrides (void)
{
  g_autofree char *file = NULL;

  g_setenv ("LANDDESK_DATADIR", "/some/where", TRUE);
  g_assert_cmpstr (ld_paths_data_dir (), ==, "/some/where");
  file = ld_paths_data_file ("classes", "x.csv", NULL);
  g_assert_cmpstr (file, ==, "/some/where/classes/x.csv");
  g_unsetenv ("LANDDESK_DATADIR");
  g_assert_cmpstr (ld_paths_data_dir (), ==, PKGDATADIR);
  g_assert_cmpstr (ld_version_string (), ==, PACKAGE_VERSION);
}

static void
test_geo_round_trip (void)
{
  double px, py, lon, lat;

  /* Chikan, Zhanjiang's centre. */
  ld_geo_lonlat_to_world (110.36, 21.27, 12, &px, &py);
  g_assert_cmpfloat_with_epsilon (px, (110.36 + 180.0) / 360.0 * 256 * 4096, 1e-6);
  ld_geo_world_to_lonlat (px, py, 12, &lon, &lat);
  g_assert_cmpfloat_with_epsilon (lon, 110.36, 1e-9);
  g_assert_cmpfloat_with_epsilon (lat, 21.27, 1e-9);

  /* The equator at the prime meridian is the centre of the world. */
  ld_geo_lonlat_to_world (0, 0, 0, &px, &py);
  g_assert_cmpfloat_with_epsilon (px, 128.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (py, 128.0, 1e-9);
}

static void
test_geo_tile_range (void)
{
  const LdLonLatBox box = { 109.5, 20.1, 111.0, 21.7 };
  int x0, y0, x1, y1;

  /* Computed by hand from the slippy-map formulas. */
  ld_geo_tile_range (&box, 8, &x0, &y0, &x1, &y1);
  g_assert_cmpint (x0, ==, 205);
  g_assert_cmpint (x1, ==, 206);
  g_assert_cmpint (y0, ==, 112);
  g_assert_cmpint (y1, ==, 113);
}

static void
test_mbtiles_round_trip (void)
{
  g_autofree char *path = ld_test_path ("round-trip.mbtiles");
  g_autoptr(LdMbtiles) writer = NULL;
  g_autoptr(LdMbtiles) reader = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static ("tile-bytes", 10);
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *format = NULL;

  writer = ld_mbtiles_create (path, &error);
  g_assert_no_error (error);
  g_assert_true (ld_mbtiles_set_metadata (writer, "format", "png", &error));
  g_assert_true (ld_mbtiles_write_tile (writer, 3, 5, 1, data, &error));
  g_assert_no_error (error);
  g_clear_object (&writer);

  reader = ld_mbtiles_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ld_mbtiles_count_tiles (reader), ==, 1);
  back = ld_mbtiles_read_tile (reader, 3, 5, 1, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, data));
  format = ld_mbtiles_dup_metadata (reader, "format");
  g_assert_cmpstr (format, ==, "png");

  /* Rows are stored flipped (TMS): the XYZ row 1 at zoom 3 is TMS row 6, and row 6 is empty. */
  g_assert_null (ld_mbtiles_read_tile (reader, 3, 5, 6, &error));
  g_assert_error (error, LD_MBTILES_ERROR, LD_MBTILES_ERROR_NOT_FOUND);
}

static void
test_mbtiles_errors (void)
{
  g_autofree char *missing = ld_test_path ("does-not-exist.mbtiles");
  g_autofree char *bogus = ld_test_path ("bogus.mbtiles");
  g_autoptr(GError) error = NULL;

  g_assert_null (ld_mbtiles_open (missing, &error));
  g_assert_error (error, LD_MBTILES_ERROR, LD_MBTILES_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (bogus, "not a database", -1, NULL));
  g_assert_null (ld_mbtiles_open (bogus, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* Creating never overwrites. */
  g_assert_null (ld_mbtiles_create (bogus, &error));
  g_assert_error (error, LD_MBTILES_ERROR, LD_MBTILES_ERROR_WRITE);
}

static guint32
pixel_at (cairo_surface_t *surface,
          int              x,
          int              y)
{
  const guint8 *row = cairo_image_surface_get_data (surface)
                      + y * cairo_image_surface_get_stride (surface);

  return ((const guint32 *) row)[x] & 0xffffff;
}

static void
progress_cb (double      fraction,
             const char *what,
             gpointer    user_data)
{
  double *last = user_data;

  g_assert_cmpfloat (fraction, >=, *last);
  *last = fraction;
}

static void
test_basemap_land_and_sea (void)
{
  const LdLonLatBox box = { 109.5, 20.1, 111.0, 21.7 };
  g_autofree char *path = ld_test_path ("basemap.mbtiles");
  g_autoptr(LdBasemap) basemap = ld_basemap_new (&box);
  g_autoptr(LdMbtiles) mbtiles = NULL;
  g_autoptr(GError) error = NULL;
  double last = 0.0, px, py;
  int x, y;

  ld_basemap_add_synthetic_coast (basemap);
  g_assert_true (ld_basemap_write (basemap, path, 8, 10, progress_cb, &last, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (last, ==, 1.0);

  mbtiles = ld_mbtiles_open (path, &error);
  g_assert_no_error (error);

  /* Leizhou town (110.08E 20.91N) is land, the Beibu Gulf at 109.6E 20.5N is sea. */
  for (guint i = 0; i < 2; i++)
    {
      const double lon = i == 0 ? 110.08 : 109.6, lat = i == 0 ? 20.91 : 20.5;
      g_autoptr(GBytes) png = NULL;
      cairo_surface_t *surface;

      ld_geo_lonlat_to_world (lon, lat, 10, &px, &py);
      x = (int) (px / LD_TILE_SIZE);
      y = (int) (py / LD_TILE_SIZE);
      png = ld_mbtiles_read_tile (mbtiles, 10, x, y, &error);
      g_assert_no_error (error);
      surface = ld_tile_png_decode (png, &error);
      g_assert_no_error (error);
      g_assert_cmphex (pixel_at (surface, (int) px % LD_TILE_SIZE, (int) py % LD_TILE_SIZE), ==,
                       i == 0 ? LD_BASEMAP_LAND_RGB : LD_BASEMAP_SEA_RGB);
      cairo_surface_destroy (surface);
    }
}

static void
test_tile_png_zoom (void)
{
  cairo_surface_t *parent = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 256, 256);
  cairo_t *cr = cairo_create (parent);
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GBytes) child = NULL;
  g_autoptr(GBytes) junk = g_bytes_new_static ("junk", 4);
  g_autoptr(GError) error = NULL;
  cairo_surface_t *out;

  /* Left half red, right half blue: the child at column 1 of 2 is all blue. */
  cairo_set_source_rgb (cr, 1, 0, 0);
  cairo_rectangle (cr, 0, 0, 128, 256);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0, 0, 1);
  cairo_rectangle (cr, 128, 0, 128, 256);
  cairo_fill (cr);
  cairo_destroy (cr);
  png = ld_tile_png_encode (parent);
  cairo_surface_destroy (parent);

  child = ld_tile_png_zoom (png, 1, 1, 0, &error);
  g_assert_no_error (error);
  out = ld_tile_png_decode (child, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cairo_image_surface_get_width (out), ==, 256);
  g_assert_cmphex (pixel_at (out, 10, 10), ==, 0x0000ff);
  g_assert_cmphex (pixel_at (out, 250, 250), ==, 0x0000ff);
  cairo_surface_destroy (out);

  g_assert_null (ld_tile_png_zoom (junk, 1, 0, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static void
test_basemap_presets (void)
{
  g_autofree char *vec = ld_basemap_preset_url (LD_BASEMAP_TIANDITU_VECTOR, "k&y");
  g_autofree char *cva = ld_basemap_preset_overlay_url (LD_BASEMAP_TIANDITU_VECTOR, "abc");
  g_autofree char *img = ld_basemap_preset_url (LD_BASEMAP_TIANDITU_IMAGERY, "abc");
  g_autofree char *osm = ld_basemap_preset_url (LD_BASEMAP_OSM, NULL);
  LdBasemapKind kind;

  /* Web Mercator WMTS matrix set "w", the key escaped into the query. */
  g_assert_true (g_str_has_prefix (vec, "https://t0.tianditu.gov.cn/vec_w/wmts?"));
  g_assert_nonnull (strstr (vec, "TILEMATRIXSET=w&"));
  g_assert_nonnull (strstr (vec, "TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"));
  g_assert_true (g_str_has_suffix (vec, "&tk=k%26y"));
  g_assert_nonnull (strstr (cva, "/cva_w/wmts?"));
  g_assert_nonnull (strstr (img, "LAYER=img&"));
  g_assert_cmpstr (osm, ==, "https://tile.openstreetmap.org/{z}/{x}/{y}.png");
  g_assert_null (ld_basemap_preset_url (LD_BASEMAP_OFFLINE, "abc"));
  g_assert_null (ld_basemap_preset_overlay_url (LD_BASEMAP_OSM, NULL));

  g_assert_true (ld_basemap_kind_needs_key (LD_BASEMAP_TIANDITU_IMAGERY));
  g_assert_false (ld_basemap_kind_needs_key (LD_BASEMAP_OSM));
  for (guint i = LD_BASEMAP_OFFLINE; i <= LD_BASEMAP_NONE; i++)
    {
      g_assert_true (ld_basemap_kind_from_id (ld_basemap_kind_to_id (i), &kind));
      g_assert_cmpint (kind, ==, i);
    }
  g_assert_false (ld_basemap_kind_from_id ("google", &kind));
  g_assert_null (ld_basemap_preset_url (LD_BASEMAP_CUSTOM, "abc"));

  /* A custom template: http(s), with all three of {x}, {y} and {z}. */
  {
    const char *good[] = { "https://tiles.example.cn/{z}/{x}/{y}.png",
                           "http://127.0.0.1:8080/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}" };
    const char *bad[] = { "", "https://tiles.example.cn/{z}/{x}.png", "ftp://h/{z}/{x}/{y}",
                          "tiles/{z}/{x}/{y}.png", "https:///{z}/{x}/{y}" };

    for (guint i = 0; i < G_N_ELEMENTS (good); i++)
      {
        g_autoptr(GError) error = NULL;

        g_assert_true (ld_basemap_check_url_template (good[i], &error));
        g_assert_no_error (error);
      }
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(GError) error = NULL;

        g_assert_false (ld_basemap_check_url_template (bad[i], &error));
        g_assert_error (error, LD_BASEMAP_PRESET_ERROR, LD_BASEMAP_PRESET_ERROR_TEMPLATE);
        g_test_message ("%s: %s", bad[i], error->message);
      }
  }
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

/* Cases, events and users share LdRecord: fields by index and by property name, empty
 * strings stored as NULL, one notify per real change, and a copy that keeps the subclass. */
static void
test_record_fields (void)
{
  g_autoptr(LdCase) record = ld_case_new ();
  g_autoptr(LdCase) copy = NULL;
  g_autoptr(LdUser) user = NULL;
  g_autofree char *use = NULL;
  g_autofree char *light = NULL;
  gint64 version = 0;
  guint notified = 0;

  g_signal_connect (record, "notify::project-use", G_CALLBACK (count_notify_cb), &notified);
  ld_case_set (record, LD_CASE_PROJECT_USE, "工业用地");
  ld_case_set (record, LD_CASE_PROJECT_USE, "工业用地");
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (record, "project-use", &use, "version", &version, "light", &light, NULL);
  g_assert_cmpstr (use, ==, "工业用地");
  g_assert_cmpint (version, ==, 0);
  g_assert_cmpstr (light, ==, "none");

  g_object_set (record, "title", "", "version", (gint64) 7, NULL);
  g_assert_null (ld_case_get (record, LD_CASE_TITLE));
  g_assert_cmpint (ld_case_get_version (record), ==, 7);
  g_assert_cmpint (ld_case_find_field ("supply_method"), ==, LD_CASE_SUPPLY_METHOD);
  g_assert_cmpint (ld_case_find_field ("no_such_column"), ==, -1);
  g_assert_cmpstr (ld_case_field_name (LD_CASE_PROJECT_USE), ==, "project_use");

  ld_case_set_case_type (record, "supply");
  copy = ld_case_copy (record);
  g_assert_true (LD_IS_CASE (copy));
  g_assert_cmpstr (ld_case_get (copy, LD_CASE_PROJECT_USE), ==, "工业用地");
  g_assert_cmpint (ld_case_get_version (copy), ==, 7);
  g_assert_cmpstr (ld_case_get_case_type (copy), ==, "supply");
  ld_case_set (copy, LD_CASE_PROJECT_USE, "住宅用地");
  g_assert_cmpstr (ld_case_get (record, LD_CASE_PROJECT_USE), ==, "工业用地");

  user = g_object_new (LD_TYPE_USER, "display-name", "张伟", NULL);
  g_assert_cmpstr (ld_user_get (user, LD_USER_DISPLAY_NAME), ==, "张伟");
  g_assert_null (ld_user_get (user, LD_USER_LOGIN));
  g_assert_cmpint (ld_user_find_field ("unit"), ==, LD_USER_UNIT);
}

int
main (int    argc,
      char **argv)
{
  ld_test_init (&argc, &argv);

  g_test_add_func ("/paths/env-overrides", test_paths_env_overrides);
  g_test_add_func ("/record/fields", test_record_fields);
  g_test_add_func ("/geo/round-trip", test_geo_round_trip);
  g_test_add_func ("/geo/tile-range", test_geo_tile_range);
  g_test_add_func ("/mbtiles/round-trip", test_mbtiles_round_trip);
  g_test_add_func ("/mbtiles/errors", test_mbtiles_errors);
  g_test_add_func ("/basemap/land-and-sea", test_basemap_land_and_sea);
  g_test_add_func ("/basemap/presets", test_basemap_presets);
  g_test_add_func ("/tile-png/zoom", test_tile_png_zoom);

  return g_test_run ();
}
