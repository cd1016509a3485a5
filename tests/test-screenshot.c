/* test-screenshot.c: the real window under Xvfb, in Chinese, with the map's tiles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cairo.h>

#include "ld-core.h"
#include "ld-test-util.h"

static char *
make_basemap (void)
{
  char *path = ld_test_path ("screenshot.mbtiles");
  g_autoptr(LdTestRun) run = ld_test_run (NULL, ld_test_binary ("LANDDESK_CLI"), "basemap",
                                          "--out", path, "--max-zoom", "10", NULL);

  g_assert_cmpint (run->status, ==, 0);
  return path;
}

static double
share_of_colour (cairo_surface_t *surface,
                 guint32          rgb)
{
  int w = cairo_image_surface_get_width (surface), h = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guint8 *data = cairo_image_surface_get_data (surface);
  gsize hits = 0;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if ((((const guint32 *) (data + y * stride))[x] & 0xffffff) == rgb)
        hits++;
  return (double) hits / ((double) w * h);
}

/* The isolated test dir is deleted afterwards: keep the picture in the build tree. */
static void
keep_for_inspection (const char *png,
                     const char *name)
{
  g_autoptr(GFile) from = g_file_new_for_path (png);
  g_autofree char *to_path = g_test_build_filename (G_TEST_BUILT, name, NULL);
  g_autoptr(GFile) to = g_file_new_for_path (to_path);

  g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL);
}

static inline guint32
pixel_at (cairo_surface_t *surface,
          int              x,
          int              y)
{
  const guint8 *row = cairo_image_surface_get_data (surface) +
                      (gsize) y * cairo_image_surface_get_stride (surface);

  return ((const guint32 *) row)[x] & 0xffffff;
}

/* Lines one pixel wide across the sea: rows (or columns) where many sea pixels have a
 * different pixel between them, the trace of tiles that do not meet. */
static guint
count_seams (cairo_surface_t *surface,
             gboolean         columns)
{
  int w = cairo_image_surface_get_width (surface), h = cairo_image_surface_get_height (surface);
  int n_lines = columns ? w : h, n_along = columns ? h : w;
  guint seams = 0;

  for (int i = 1; i < n_lines - 1; i++)
    {
      int hits = 0;

      for (int j = 0; j < n_along; j++)
        {
          int x = columns ? i : j, y = columns ? j : i;
          int bx = columns ? x - 1 : x, by = columns ? y : y - 1;
          int ax = columns ? x + 1 : x, ay = columns ? y : y + 1;

          if (pixel_at (surface, bx, by) == LD_BASEMAP_SEA_RGB
              && pixel_at (surface, ax, ay) == LD_BASEMAP_SEA_RGB
              && pixel_at (surface, x, y) != LD_BASEMAP_SEA_RGB)
            hits++;
        }
      if (hits > 40)
        seams++;
    }
  return seams;
}

static void
test_screenshot_zh_cn (void)
{
  g_autofree char *basemap = make_basemap ();
  g_autofree char *png = ld_test_path ("window.png");
  const char *env[] = { "LANG=zh_CN.UTF-8", "LANGUAGE=zh_CN", "LC_ALL=zh_CN.UTF-8", NULL };
  g_autoptr(LdTestRun) run = ld_test_run (env, ld_test_binary ("LANDDESK_APP"),
                                          "--screenshot", png, "--basemap", basemap, NULL);
  g_autoptr(GSettings) settings = g_settings_new (BASE_ID);
  cairo_surface_t *surface;

  if (run->status != 0)
    g_printerr ("landdesk said: %s\n", run->err);
  g_assert_cmpint (run->status, ==, 0);

  surface = cairo_image_surface_create_from_png (png);
  keep_for_inspection (png, "screenshot-zh-cn.png");
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);

  /* The window has its remembered (here: default) size... */
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==,
                   g_settings_get_int (settings, "window-width"));
  g_assert_cmpint (cairo_image_surface_get_height (surface), ==,
                   g_settings_get_int (settings, "window-height"));

  /* ...and is not blank: the base map's sea and land are both on screen. */
  g_assert_cmpfloat (share_of_colour (surface, LD_BASEMAP_SEA_RGB), >, 0.05);
  g_assert_cmpfloat (share_of_colour (surface, LD_BASEMAP_LAND_RGB), >, 0.05);
  /* Tiles meet without a seam, in the picture as on screen (drawn 1:1, not scaled down). */
  g_assert_cmpuint (count_seams (surface, FALSE), ==, 0);
  g_assert_cmpuint (count_seams (surface, TRUE), ==, 0);
  cairo_surface_destroy (surface);
}

static void
test_bad_view_is_refused (void)
{
  g_autofree char *png = ld_test_path ("never.png");
  g_autoptr(LdTestRun) run = ld_test_run (NULL, ld_test_binary ("LANDDESK_APP"),
                                          "--screenshot", png, "--view", "21.27,east,13", NULL);

  g_assert_cmpint (run->status, ==, 2);
  g_assert_nonnull (strstr (run->err, "'east' in '21.27,east,13' is not a number"));
  g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
}

static void
test_missing_basemap_is_reported (void)
{
  g_autofree char *png = ld_test_path ("no-map.png");
  g_autoptr(LdTestRun) run = ld_test_run (NULL, ld_test_binary ("LANDDESK_APP"),
                                          "--screenshot", png,
                                          "--basemap", "/nonexistent/basemap.mbtiles", NULL);

  /* The window still opens (with a toast saying why the map is empty). */
  if (run->status != 0)
    g_printerr ("landdesk said: %s\n", run->err);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
}

/* Whether a legend swatch of @rgb has its top left inside corner at (x, y): a block of
 * 12-14 x 8-10 pixels all @rgb (16 x 12 less its frame, placed at a fractional position),
 * set off by other colours all round. */
static gboolean
is_swatch (cairo_surface_t *surface,
           int              x,
           int              y,
           guint32          rgb)
{
  int w = cairo_image_surface_get_width (surface), h = cairo_image_surface_get_height (surface);
  int bw = 0, bh = 0;

  if (x == 0 || y == 0 || pixel_at (surface, x - 1, y) == rgb ||
      pixel_at (surface, x, y - 1) == rgb)
    return FALSE;
  while (x + bw < w && bw <= 14 && pixel_at (surface, x + bw, y) == rgb)
    bw++;
  while (y + bh < h && bh <= 10 && pixel_at (surface, x, y + bh) == rgb)
    bh++;
  if (bw < 12 || bw > 14 || bh < 8 || bh > 10 || x + bw >= w || y + bh >= h)
    return FALSE;
  for (int j = 0; j < bh; j++)
    for (int i = 0; i < bw; i++)
      if (pixel_at (surface, x + i, y + j) != rgb)
        return FALSE;
  for (int j = 0; j < bh; j++)
    if (pixel_at (surface, x + bw, y + j) == rgb)
      return FALSE;
  for (int i = 0; i < bw; i++)
    if (pixel_at (surface, x + i, y + bh) == rgb)
      return FALSE;
  return TRUE;
}

/* The legend's swatches: small framed blocks of palette colours stacked in one column (a
 * map's patches do not come like that). Returns how many the fullest column holds. */
static guint
count_legend_swatches (cairo_surface_t *surface,
                       GArray          *fills)
{
  int w = cairo_image_surface_get_width (surface), h = cairo_image_surface_get_height (surface);
  g_autofree guint *per_column = g_new0 (guint, w);
  guint best = 0;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 inside = pixel_at (surface, x, y);

        for (guint i = 0; i < fills->len; i++)
          if (inside == g_array_index (fills, guint32, i) && is_swatch (surface, x, y, inside))
            {
              best = MAX (best, ++per_column[x]);
              break;
            }
      }
  return best;
}

/* The fill colours of a palette file, as 0xRRGGBB. */
static GArray *
palette_fills (const char *path)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GArray *fills = g_array_new (FALSE, FALSE, sizeof (guint32));

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) cols = g_strsplit (lines[i], ",", -1);
      guint32 rgb;

      if (lines[i][0] == '#' || g_strv_length (cols) < 3 || cols[2][0] != '#'
          || strlen (cols[2]) < 7)
        continue;
      rgb = (guint32) g_ascii_strtoull (cols[2] + 1, NULL, 16);
      if (strlen (cols[2]) == 9)
        rgb >>= 8;   /* #RRGGBBAA */
      g_array_append_val (fills, rgb);
    }
  return fills;
}

/* The city centre (Chikan) at zoom 12.5 with the demo's store: the land layers in their
 * palette colours and their legend, under a Chinese interface. */
static void
test_screenshot_city_centre (void)
{
  g_autofree char *demo = ld_test_path ("demo");
  g_autofree char *gpkg = g_build_filename (demo, "landdesk-demo.gpkg", NULL);
  g_autofree char *basemap = g_build_filename (demo, "basemap.mbtiles", NULL);
  g_autofree char *store = g_build_filename (demo, "store.gpkg", NULL);
  g_autofree char *png = ld_test_path ("city.png");
  g_autofree char *palette = g_test_build_filename (G_TEST_DIST, "..", "data", "styles",
                                                    "xz_dltb.csv", NULL);
  g_autoptr(GArray) fills = palette_fills (palette);
  const char *cli = ld_test_binary ("LANDDESK_CLI");
  g_autoptr(LdTestRun) gen = ld_test_run (NULL, cli, "demo-data", "--out", demo, "--patches",
                                          "3000", "--min-zoom", "12", "--max-zoom", "13", NULL);
  g_autoptr(LdTestRun) make = ld_test_run (NULL, cli, "store", "create", store, "--from-demo",
                                           gpkg, NULL);
  const char *env[] = { "LANG=zh_CN.UTF-8", "LANGUAGE=zh_CN", "LC_ALL=zh_CN.UTF-8", NULL };
  g_autoptr(LdTestRun) run = NULL;
  cairo_surface_t *surface;
  double layers = 0.0;

  g_assert_cmpint (gen->status, ==, 0);
  g_assert_cmpint (make->status, ==, 0);
  run = ld_test_run (env, ld_test_binary ("LANDDESK_APP"), "--screenshot", png, "--basemap",
                     basemap, "--store", store, "--view", "21.25,110.33,12.5", NULL);
  if (run->status != 0)
    g_printerr ("landdesk said: %s\n", run->err);
  g_assert_cmpint (run->status, ==, 0);

  surface = cairo_image_surface_create_from_png (png);
  keep_for_inspection (png, "screenshot-city-zh-cn.png");
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  for (guint i = 0; i < fills->len; i++)
    layers += share_of_colour (surface, g_array_index (fills, guint32, i));
  /* Inland at the city centre current land use covers the map page: about half the window. */
  g_assert_cmpfloat (layers, >, 0.3);
  /* The legend in the map's corner lists classes in view with their colours (its words are
   * checked in the workbench UI test, through the widgets). */
  g_assert_cmpuint (count_legend_swatches (surface, fills), >=, 5);
  cairo_surface_destroy (surface);
}

int
main (int    argc,
      char **argv)
{
  ld_test_init (&argc, &argv);

  g_test_add_func ("/app/screenshot/zh-cn", test_screenshot_zh_cn);
  g_test_add_func ("/app/screenshot/missing-basemap", test_missing_basemap_is_reported);
  g_test_add_func ("/app/screenshot/city-centre", test_screenshot_city_centre);
  g_test_add_func ("/app/screenshot/bad-view", test_bad_view_is_refused);

  return g_test_run ();
}
