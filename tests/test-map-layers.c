/* test-map-layers.c: LdBasemapLayer and LdOverlayLayer in a real window (run under Xvfb)
 *
 * An MBTiles file whose tiles are each one known colour is shown at a known view; the
 * window's picture must have each tile's colour where that tile belongs, before and after a
 * pan, and the pan must reuse the decoded tiles and what the renderer was given for them.
 * The overlay layer, over a GeoPackage grid, must likewise pan without pinning its tiles
 * again, and draw at half opacity halfway between the base map and itself. Served over HTTP
 * as an online base map, the same tiles must land in place, still do from libshumate's file
 * cache once the server is gone, and fill in when a flaky server failed them once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <libsoup/soup.h>

#include "ld-basemap-layer.h"
#include "ld-core.h"
#include "ld-mbtiles-source.h"
#include "ld-overlay-layer.h"
#include "ld-test-gpkg.h"
#include "ld-test-util.h"

#define ZOOM   10
#define X0     812    /* the tile whose bottom right corner is the view's centre */
#define Y0     450
#define WIDTH  640
#define HEIGHT 480

/* Each tile of the block one colour, from its column and row. */
static guint32
tile_rgb (int x,
          int y)
{
  return 0x400000u + ((guint32) (x - X0 + 4) * 40) * 256 + (guint32) (y - Y0 + 4) * 40;
}

/* Tiles X0-3..X0+4, Y0-3..Y0+4 at ZOOM: more than the view and the pan need. */
static char *
make_mbtiles (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ld-basemap-layer-XXXXXX", &error);
  char *path = g_build_filename (dir, "colours.mbtiles", NULL);
  g_autoptr(LdMbtiles) mbtiles = NULL;

  g_assert_no_error (error);
  mbtiles = ld_mbtiles_create (path, &error);
  g_assert_no_error (error);
  g_assert_true (ld_mbtiles_set_metadata (mbtiles, "format", "png", &error));
  g_assert_true (ld_mbtiles_set_metadata (mbtiles, "minzoom", "10", &error));
  g_assert_true (ld_mbtiles_set_metadata (mbtiles, "maxzoom", "10", &error));
  for (int y = Y0 - 3; y <= Y0 + 4; y++)
    for (int x = X0 - 3; x <= X0 + 4; x++)
      {
        cairo_surface_t *tile = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 256, 256);
        cairo_t *cr = cairo_create (tile);
        g_autoptr(GBytes) bytes = NULL;
        guint32 rgb = tile_rgb (x, y);

        cairo_set_source_rgb (cr, (rgb >> 16) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
                              (rgb & 0xff) / 255.0);
        cairo_paint (cr);
        cairo_destroy (cr);
        bytes = ld_tile_png_encode (tile);
        cairo_surface_destroy (tile);
        g_assert_true (ld_mbtiles_write_tile (mbtiles, ZOOM, x, y, bytes, &error));
        g_assert_no_error (error);
      }
  return path;
}

typedef struct
{
  GtkWidget        *window;
  ShumateSimpleMap *map;
  LdBasemapLayer   *layer;
} View;

/* A window (not yet shown) whose map draws @source through LdBasemapLayer, @raster being the
 * base map as libshumate knows it; at ZOOM. */
static void
open_view (View              *view,
           ShumateMapSource  *raster,
           ShumateDataSource *source)
{
  view->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (view->window), WIDTH, HEIGHT);
  view->map = shumate_simple_map_new ();
  shumate_simple_map_set_show_zoom_buttons (view->map, FALSE);
  view->layer = ld_basemap_layer_install (view->map, raster, source);
  shumate_viewport_set_zoom_level (shumate_simple_map_get_viewport (view->map), ZOOM);
  gtk_window_set_child (GTK_WINDOW (view->window), GTK_WIDGET (view->map));
}

static gboolean
keep_ticking (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until the layer has drawn @n tiles more than @since and is not waiting
 * for any, or 10 s pass. */
static void
wait_for_draws (View  *view,
                guint  since,
                guint  n)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint tick = g_timeout_add (20, keep_ticking, NULL);

  while ((ld_basemap_layer_get_tiles_drawn (view->layer) < since + n ||
          ld_basemap_layer_is_busy (view->layer)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  g_assert_cmpuint (ld_basemap_layer_get_tiles_drawn (view->layer), >=, since + n);
  g_assert_false (ld_basemap_layer_is_busy (view->layer));
}

/* The tests run with GSK_RENDERER=cairo, as under Xvfb; they pass with gl too. */
static gboolean
uses_cairo (View *view)
{
  return GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (GTK_NATIVE (view->window)));
}

/* Centres the view @dx pixels east of the corner of tile (X0, Y0). */
static void
centre_at (View   *view,
           double  dx)
{
  double lon, lat;

  ld_geo_world_to_lonlat ((X0 + 1) * 256.0 + dx, (Y0 + 1) * 256.0, ZOOM, &lon, &lat);
  shumate_location_set_location (SHUMATE_LOCATION (shumate_simple_map_get_viewport (view->map)),
                                 lat, lon);
}

/* The map as the window's renderer draws it, as 0xRRGGBB pixels. */
static cairo_surface_t *
render_map (View *view)
{
  GtkWidget *widget = GTK_WIDGET (view->map);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_surface_t *surface;

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (view->window)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  gdk_texture_download (texture, cairo_image_surface_get_data (surface),
                        cairo_image_surface_get_stride (surface));
  cairo_surface_mark_dirty (surface);
  return surface;
}

static guint32
pixel_at (cairo_surface_t *surface,
          int              x,
          int              y)
{
  const guint8 *row = cairo_image_surface_get_data (surface) +
                      (gsize) y * cairo_image_surface_get_stride (surface);

  return ((const guint32 *) row)[x] & 0xffffff;
}

/* The middle of each of the four tiles around the view's centre, @dx pixels east of it. */
static void
assert_tiles_in_place (View *view,
                       int   dx)
{
  cairo_surface_t *picture = render_map (view);
  int cx = gtk_widget_get_width (GTK_WIDGET (view->map)) / 2 - dx;
  int cy = gtk_widget_get_height (GTK_WIDGET (view->map)) / 2;

  g_assert_cmphex (pixel_at (picture, cx - 128, cy - 128), ==, tile_rgb (X0, Y0));
  g_assert_cmphex (pixel_at (picture, cx + 128, cy - 128), ==, tile_rgb (X0 + 1, Y0));
  g_assert_cmphex (pixel_at (picture, cx - 128, cy + 128), ==, tile_rgb (X0, Y0 + 1));
  g_assert_cmphex (pixel_at (picture, cx + 128, cy + 128), ==, tile_rgb (X0 + 1, Y0 + 1));
  /* Tile edges fall on whole pixels: no blend of two tiles' colours between them. */
  g_assert_cmphex (pixel_at (picture, cx - 1, cy - 128), ==, tile_rgb (X0, Y0));
  g_assert_cmphex (pixel_at (picture, cx, cy - 128), ==, tile_rgb (X0 + 1, Y0));
  cairo_surface_destroy (picture);
}

/* Along the middle row and column every pixel is some tile's colour: nothing shows between
 * two tiles. */
static void
assert_no_seams (View *view)
{
  cairo_surface_t *picture = render_map (view);
  int w = cairo_image_surface_get_width (picture), h = cairo_image_surface_get_height (picture);

  for (int x = 0; x < w; x++)
    {
      guint32 rgb = pixel_at (picture, x, h / 2 - 20);

      if (rgb >> 16 != 0x40)
        g_error ("Pixel %d,%d is %06x, no tile's colour", x, h / 2 - 20, rgb);
    }
  for (int y = 0; y < h - 40; y++)
    {
      guint32 rgb = pixel_at (picture, w / 2 - 20, y);

      if (rgb >> 16 != 0x40)
        g_error ("Pixel %d,%d is %06x, no tile's colour", w / 2 - 20, y, rgb);
    }
  cairo_surface_destroy (picture);
}

static void
test_tiles_and_pan (void)
{
  g_autofree char *path = make_mbtiles ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(LdMbtiles) mbtiles = ld_mbtiles_open (path, &error);
  g_autoptr(LdMbtilesSource) source = NULL;
  g_autoptr(ShumateRasterRenderer) raster = NULL;
  View view = { 0 };
  guint decoded, prepared, drawn;

  g_assert_no_error (error);
  source = ld_mbtiles_source_new (mbtiles);
  raster = shumate_raster_renderer_new_full ("test", "test", "", NULL, ZOOM, 19, 256,
                                             SHUMATE_MAP_PROJECTION_MERCATOR,
                                             SHUMATE_DATA_SOURCE (source));
  open_view (&view, SHUMATE_MAP_SOURCE (raster), SHUMATE_DATA_SOURCE (source));
  centre_at (&view, 0);
  gtk_window_present (GTK_WINDOW (view.window));

  /* At least the four tiles around the centre, decoded and drawn. */
  wait_for_draws (&view, 0, 4);
  /* One more whole frame (4 x 2 tiles), which draws every tile decoded meanwhile. */
  drawn = ld_basemap_layer_get_tiles_drawn (view.layer);
  gtk_widget_queue_draw (GTK_WIDGET (view.layer));
  wait_for_draws (&view, drawn, 8);
  g_assert_cmpuint (ld_basemap_layer_get_tiles_decoded (view.layer), >=, 4);
  assert_tiles_in_place (&view, 0);

  /* Panning within the loaded tiles decodes nothing and makes nothing new for the renderer. */
  decoded = ld_basemap_layer_get_tiles_decoded (view.layer);
  prepared = ld_basemap_layer_get_tiles_prepared (view.layer);
  if (uses_cairo (&view))
    g_assert_cmpuint (prepared, >=, 4);   /* pinned; GL gets the decoded textures as they are */
  for (int step = 1; step <= 5; step++)
    {
      drawn = ld_basemap_layer_get_tiles_drawn (view.layer);
      centre_at (&view, step * 6.0);
      wait_for_draws (&view, drawn, 4);
    }
  assert_tiles_in_place (&view, 30);
  g_assert_cmpuint (ld_basemap_layer_get_tiles_decoded (view.layer), ==, decoded);
  g_assert_cmpuint (ld_basemap_layer_get_tiles_prepared (view.layer), ==, prepared);

  /* Between zooms tiles are enlarged; they still meet without a seam. */
  drawn = ld_basemap_layer_get_tiles_drawn (view.layer);
  shumate_viewport_set_zoom_level (shumate_simple_map_get_viewport (view.map), ZOOM + 0.5);
  centre_at (&view, 0);
  wait_for_draws (&view, drawn, 4);
  assert_no_seams (&view);

  gtk_window_destroy (GTK_WINDOW (view.window));
  g_remove (path);
  g_rmdir (dir);
}

static gboolean
overlay_settled (LdOverlayLayer *overlay,
                 guint           since,
                 guint           n)
{
  return ld_overlay_layer_get_tiles_drawn (overlay) >= since + n &&
         !ld_overlay_layer_is_busy (overlay);
}

/* Runs the main loop until the overlay drew @n tiles more than @since and waits for none. */
static void
wait_for_overlay (LdOverlayLayer *overlay,
                  guint           since,
                  guint           n)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint tick = g_timeout_add (20, keep_ticking, NULL);

  while (!overlay_settled (overlay, since, n) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  g_assert_true (overlay_settled (overlay, since, n));
}

/* The map's picture once the overlay has drawn a whole frame again. */
static cairo_surface_t *
render_settled (View           *view,
                LdOverlayLayer *overlay)
{
  guint drawn = ld_overlay_layer_get_tiles_drawn (overlay);

  gtk_widget_queue_draw (GTK_WIDGET (overlay));
  wait_for_overlay (overlay, drawn, 4);
  return render_map (view);
}

/* At layer-opacity 0.5 every pixel of the view lies halfway between the base map alone and
 * the opaque overlay (what a pixel's coverage does to the colour is linear in the opacity
 * too), the widget itself stays opaque (GtkWidget:opacity would cost the cairo renderer an
 * image of the whole view per frame), and a pan fades and pins nothing more. */
static void
assert_layer_opacity (View           *view,
                      LdOverlayLayer *overlay)
{
  cairo_surface_t *opaque = render_settled (view, overlay), *half, *base;
  int w = cairo_image_surface_get_width (opaque), h = cairo_image_surface_get_height (opaque);
  guint differ = 0, prepared;

  ld_overlay_layer_set_layer_opacity (overlay, 0.5);
  half = render_settled (view, overlay);
  ld_overlay_layer_set_layer_opacity (overlay, 0.0);
  base = render_settled (view, overlay);
  for (int y = 0; y < h; y += 7)
    for (int x = 0; x < w; x++)
      {
        guint32 o = pixel_at (opaque, x, y), f = pixel_at (half, x, y), b = pixel_at (base, x, y);

        for (int shift = 0; shift <= 16; shift += 8)
          {
            int want = (((o >> shift) & 0xff) + ((b >> shift) & 0xff)) / 2;

            if (ABS ((int) ((f >> shift) & 0xff) - want) > 2)
              g_error ("pixel %d,%d at half opacity is %06x; opaque %06x, base map %06x",
                       x, y, f, o, b);
          }
        differ += o != b;
      }
  g_assert_cmpuint (differ, >, (guint) (w * (h / 7) / 4));
  g_assert_cmpfloat (gtk_widget_get_opacity (GTK_WIDGET (overlay)), ==, 1.0);

  ld_overlay_layer_set_layer_opacity (overlay, 0.5);
  cairo_surface_destroy (render_settled (view, overlay));
  prepared = ld_overlay_layer_get_tiles_prepared (overlay);
  for (int step = 1; step <= 3; step++)
    {
      ShumateViewport *viewport = shumate_simple_map_get_viewport (view->map);
      guint drawn = ld_overlay_layer_get_tiles_drawn (overlay);

      shumate_location_set_location (SHUMATE_LOCATION (viewport),
                                     shumate_location_get_latitude (SHUMATE_LOCATION (viewport)),
                                     shumate_location_get_longitude (SHUMATE_LOCATION (viewport)) +
                                     1e-5);
      wait_for_overlay (overlay, drawn, 4);
    }
  g_assert_cmpuint (ld_overlay_layer_get_tiles_prepared (overlay), ==, prepared);
  cairo_surface_destroy (opaque);
  cairo_surface_destroy (half);
  cairo_surface_destroy (base);
}

static void
test_overlay_pan (void)
{
  g_autofree char *mbtiles_path = make_mbtiles ();
  g_autofree char *dir = g_path_get_dirname (mbtiles_path);
  g_autofree char *gpkg = g_build_filename (dir, "grid.gpkg", NULL);
  g_autofree char *style = g_test_build_filename (G_TEST_DIST, "data", "styles", "xz_dltb.csv",
                                                  NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LdMbtiles) mbtiles = ld_mbtiles_open (mbtiles_path, &error);
  g_autoptr(LdMbtilesSource) source = NULL;
  g_autoptr(ShumateRasterRenderer) raster = NULL;
  g_autoptr(LdPalette) palette = NULL;
  g_autoptr(LdTileRenderer) renderer = NULL;
  ShumateViewport *viewport;
  LdOverlayLayer *overlay;
  View view = { 0 };
  LdLonLatBox box;
  double px, py, lon, lat;
  guint prepared, drawn;

  g_assert_no_error (error);
  /* 40 x 40 patches of 90 m: 4 km, a few tiles across at zoom 15. */
  g_assert_true (ld_test_grid_make (gpkg, 40, 40, 1, &error));
  g_assert_no_error (error);
  palette = ld_palette_new_from_file (style, &error);
  g_assert_no_error (error);
  renderer = ld_tile_renderer_new (gpkg, "xz_dltb", palette, 1, &error);
  g_assert_no_error (error);
  g_assert_true (ld_tile_renderer_get_extent (renderer, &box));

  source = ld_mbtiles_source_new (mbtiles);
  raster = shumate_raster_renderer_new_full ("test", "test", "", NULL, ZOOM, 19, 256,
                                             SHUMATE_MAP_PROJECTION_MERCATOR,
                                             SHUMATE_DATA_SOURCE (source));
  open_view (&view, SHUMATE_MAP_SOURCE (raster), SHUMATE_DATA_SOURCE (source));
  viewport = shumate_simple_map_get_viewport (view.map);
  overlay = ld_overlay_layer_new (viewport, renderer);
  shumate_simple_map_add_overlay_layer (view.map, SHUMATE_LAYER (overlay));
  shumate_viewport_set_zoom_level (viewport, 15);
  ld_geo_lonlat_to_world ((box.west + box.east) / 2, (box.south + box.north) / 2, 15, &px, &py);
  ld_geo_world_to_lonlat (px, py, 15, &lon, &lat);
  shumate_location_set_location (SHUMATE_LOCATION (viewport), lat, lon);
  gtk_window_present (GTK_WINDOW (view.window));

  /* Every tile of the view rendered and drawn (at least 2 x 2 hold patches)... */
  wait_for_overlay (overlay, 0, 4);
  drawn = ld_overlay_layer_get_tiles_drawn (overlay);
  gtk_widget_queue_draw (GTK_WIDGET (overlay));
  wait_for_overlay (overlay, drawn, 4);
  prepared = ld_overlay_layer_get_tiles_prepared (overlay);
  if (uses_cairo (&view))
    g_assert_cmpuint (prepared, >=, 4);   /* pins; GL draws the tiles' textures */

  /* ... then a pan within them draws them again and pins nothing new. */
  for (int step = 1; step <= 5; step++)
    {
      double plon, plat;

      drawn = ld_overlay_layer_get_tiles_drawn (overlay);
      ld_geo_world_to_lonlat (px + step * 6.0, py, 15, &plon, &plat);
      shumate_location_set_location (SHUMATE_LOCATION (viewport), plat, plon);
      wait_for_overlay (overlay, drawn, 4);
    }
  g_assert_cmpuint (ld_overlay_layer_get_tiles_prepared (overlay), ==, prepared);

  assert_layer_opacity (&view, overlay);

  gtk_window_destroy (GTK_WINDOW (view.window));
  g_remove (gpkg);
  g_remove (mbtiles_path);
  g_rmdir (dir);
}

/* An XYZ tile server over the MBTiles file, on 127.0.0.1 (a real one: HTTP over TCP). */
typedef struct
{
  SoupServer *server;
  LdMbtiles  *mbtiles;
  guint       requests;
  char       *url;
  GHashTable *failed;   /* flaky: paths answered 503 once already */
} TileServer;

static void
serve_tile_cb (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  TileServer *ts = user_data;
  g_autoptr(GBytes) tile = NULL;
  int z, x, y;

  ts->requests++;
  /* A flaky server fails each tile's first request. */
  if (ts->failed != NULL && g_hash_table_add (ts->failed, g_strdup (path)))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      return;
    }
  if (sscanf (path, "/tiles/%d/%d/%d.png", &z, &x, &y) != 3 ||
      (tile = ld_mbtiles_read_tile (ts->mbtiles, z, x, y, NULL)) == NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (tile, NULL), g_bytes_get_size (tile));
}

static void
tile_server_start (TileServer *ts,
                   LdMbtiles  *mbtiles)
{
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;

  ts->mbtiles = mbtiles;
  ts->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (ts->server, "/tiles", serve_tile_cb, ts, NULL);
  g_assert_true (soup_server_listen_local (ts->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (ts->server);
  ts->url = g_strdup_printf ("http://127.0.0.1:%d/tiles/{z}/{x}/{y}.png",
                             g_uri_get_port (uris->data));
}

/* A window showing @url through LdBasemapLayer and libshumate's downloader, as the app shows
 * an online base map. */
static void
count_failure_cb (LdBasemapLayer *layer,
                  const char     *message,
                  guint          *failures)
{
  g_assert_true (message != NULL && *message != '\0');
  (*failures)++;
}

static void
show_online (View       *view,
             const char *url,
             guint       retry_delay,
             guint      *failures)
{
  g_autoptr(ShumateTileDownloader) downloader = shumate_tile_downloader_new (url);
  g_autoptr(LdMbtilesSource) none = ld_mbtiles_source_new (NULL);
  /* As the app: libshumate's renderer reads an empty source (see reference_source() in
   * ld-window.c), the layer the downloader. */
  g_autoptr(ShumateRasterRenderer) raster =
    shumate_raster_renderer_new_full ("test-online", "test-online", "", NULL, ZOOM, 18, 256,
                                      SHUMATE_MAP_PROJECTION_MERCATOR,
                                      SHUMATE_DATA_SOURCE (none));

  open_view (view, SHUMATE_MAP_SOURCE (raster), SHUMATE_DATA_SOURCE (downloader));
  g_object_set (view->layer, "retry-delay", retry_delay, NULL);
  g_signal_connect (view->layer, "download-failed", G_CALLBACK (count_failure_cb), failures);
  centre_at (view, 0);
  gtk_window_present (GTK_WINDOW (view->window));
  wait_for_draws (view, 0, 4);
  /* One more whole frame, drawing every tile that arrived meanwhile. */
  {
    guint drawn = ld_basemap_layer_get_tiles_drawn (view->layer);

    gtk_widget_queue_draw (GTK_WIDGET (view->layer));
    wait_for_draws (view, drawn, 8);
  }
}

static void
test_online_tiles (void)
{
  g_autofree char *path = make_mbtiles ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(LdMbtiles) mbtiles = ld_mbtiles_open (path, &error);
  TileServer ts = { 0 };
  View view = { 0 };
  guint served, failures = 0;

  g_assert_no_error (error);
  /* libshumate keeps downloaded tiles under the user's cache directory (main() made one for
   * this run). */
  tile_server_start (&ts, mbtiles);

  show_online (&view, ts.url, 30, &failures);
  g_assert_cmpuint (ts.requests, >=, 8);
  g_assert_cmpuint (failures, ==, 0);
  g_assert_cmpuint (ld_basemap_layer_get_tiles_decoded (view.layer), >=, 8);
  assert_tiles_in_place (&view, 0);
  gtk_window_destroy (GTK_WINDOW (view.window));

  /* The server gone (connections refused), a new window still shows the tiles seen. */
  served = ts.requests;
  soup_server_disconnect (ts.server);
  g_clear_object (&ts.server);
  show_online (&view, ts.url, 30, &failures);
  assert_tiles_in_place (&view, 0);
  g_assert_cmpuint (ts.requests, ==, served);
  gtk_window_destroy (GTK_WINDOW (view.window));
  g_free (ts.url);

  /* A server that fails every tile once: the layer says so, and the holes fill when it asks
   * again. */
  ts.failed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ts.requests = 0;
  tile_server_start (&ts, mbtiles);
  show_online (&view, ts.url, 1, &failures);
  assert_tiles_in_place (&view, 0);
  g_assert_cmpuint (g_hash_table_size (ts.failed), >=, 8);
  g_assert_cmpuint (failures, >=, g_hash_table_size (ts.failed) - 2);
  g_assert_cmpuint (ts.requests, >=, 2 * g_hash_table_size (ts.failed) - 2);
  gtk_window_destroy (GTK_WINDOW (view.window));
  soup_server_disconnect (ts.server);
  g_clear_object (&ts.server);
  g_hash_table_unref (ts.failed);

  g_free (ts.url);
  ld_test_rm_rf (dir);
}

static void
progress_notify_cb (LdOverlayLayer *layer,
                    GParamSpec     *pspec,
                    GArray         *seen)
{
  double progress = ld_overlay_layer_get_overview_progress (layer);

  g_array_append_val (seen, progress);
}

static gboolean
overview_done (gpointer data)
{
  return ld_overlay_layer_get_overview_progress (data) < 0;
}

/* A layer too dense to draw zoomed out builds its overview in a thread; its progress starts
 * at 0 at once (the map's legend shows it), only rises, and ends at -1 with the overview in
 * use. */
static void
test_overview_progress (void)
{
  g_autofree char *gpkg = ld_test_path ("dense.gpkg");
  g_autofree char *style = g_test_build_filename (G_TEST_DIST, "data", "styles", "xz_dltb.csv",
                                                  NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LdPalette) palette = NULL;
  g_autoptr(LdTileRenderer) renderer = NULL;
  g_autoptr(ShumateViewport) viewport = shumate_viewport_new ();
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (double));
  LdOverlayLayer *layer;

  /* 120 x 120 patches of 90 m: over 3 000 in one tile up to zoom 13. */
  g_assert_true (ld_test_grid_make (gpkg, 120, 120, 1, &error));
  g_assert_no_error (error);
  palette = ld_palette_new_from_file (style, &error);
  g_assert_no_error (error);
  renderer = ld_tile_renderer_new (gpkg, "xz_dltb", palette, 2, &error);
  g_assert_no_error (error);
  layer = g_object_ref_sink (ld_overlay_layer_new (viewport, renderer));
  g_assert_cmpfloat (ld_overlay_layer_get_overview_progress (layer), ==, -1);
  g_signal_connect (layer, "notify::overview-progress", G_CALLBACK (progress_notify_cb), seen);

  ld_overlay_layer_prepare_overview (layer, gpkg);
  g_assert_cmpfloat (ld_overlay_layer_get_overview_progress (layer), ==, 0);
  g_assert_true (ld_overlay_layer_is_busy (layer));
  ld_test_wait_for (overview_done, layer, 60);
  g_assert_cmpint (ld_tile_renderer_get_overview_zoom (renderer), >, 8);
  g_assert_cmpuint (seen->len, >=, 2);
  g_assert_cmpfloat (g_array_index (seen, double, 0), ==, 0);
  g_assert_cmpfloat (g_array_index (seen, double, seen->len - 1), ==, -1);
  for (guint i = 1; i + 1 < seen->len; i++)
    {
      g_assert_cmpfloat (g_array_index (seen, double, i), >, g_array_index (seen, double, i - 1));
      g_assert_cmpfloat (g_array_index (seen, double, i), <=, 1);
    }
  g_object_unref (layer);
}

int
main (int    argc,
      char **argv)
{
  /* Not ld_test_init(): its isolated XDG_DATA_DIRS hide the MIME data through which GTK
   * recognises libshumate's icons. */
  g_autofree char *cache = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  /* Downloaded tiles and overviews go to a cache of this run's own. */
  cache = g_dir_make_tmp ("ld-map-layers-cache-XXXXXX", NULL);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);

  g_test_add_func ("/app/map-layers/basemap-tiles-and-pan", test_tiles_and_pan);
  g_test_add_func ("/app/map-layers/overlay-pan", test_overlay_pan);
  g_test_add_func ("/app/map-layers/online-tiles", test_online_tiles);
  g_test_add_func ("/app/map-layers/overview-progress", test_overview_progress);

  status = g_test_run ();
  ld_test_rm_rf (cache);
  return status;
}
