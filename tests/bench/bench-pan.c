/* bench-pan.c: frames per second while panning over warm overlay tiles (run under Xvfb)
 *
 * Usage: ld-bench-pan BASEMAP.mbtiles GPKG [PALETTE.csv]
 *
 * Renders every overlay tile the pan will cross (warm cache), then in a 1920 x 1080 window at
 * zoom 15 pans 6 px per frame for 4 s and counts the frames the frame clock delivered: the
 * base map alone, then with the xz_dltb overlay. The anchor is the same with libshumate's map
 * layer drawing the base map. Each side gets two windows, in the order anchor, ours, ours,
 * anchor, and the figures are their means.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <shumate/shumate.h>

#include "ld-basemap-layer.h"
#include "ld-core.h"
#include "ld-mbtiles-source.h"
#include "ld-overlay-layer.h"

#define SECONDS 4.0
#define STEP_PX 6.0
#define ZOOM    15

typedef struct
{
  ShumateSimpleMap *map;
  GtkWidget        *window;
  GMainLoop        *loop;
  gint64            start;
  guint             frames;
  double            lat, lon;
  double            fps;
} Pan;

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  Pan *pan = user_data;
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  ShumateViewport *viewport = shumate_simple_map_get_viewport (pan->map);
  double px, py;

  if (pan->start == 0)
    pan->start = now;
  else
    pan->frames++;
  if (now - pan->start >= SECONDS * G_USEC_PER_SEC)
    {
      pan->fps = pan->frames / ((now - pan->start) / (double) G_USEC_PER_SEC);
      g_main_loop_quit (pan->loop);
      return G_SOURCE_REMOVE;
    }
  /* East along the row of warm tiles. */
  ld_geo_lonlat_to_world (pan->lon, pan->lat, ZOOM, &px, &py);
  ld_geo_world_to_lonlat (px + STEP_PX, py, ZOOM, &pan->lon, &pan->lat);
  shumate_location_set_location (SHUMATE_LOCATION (viewport), pan->lat, pan->lon);
  return G_SOURCE_CONTINUE;
}

static gboolean
quit_cb (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static double
run_pan (ShumateSimpleMap *map,
         GtkWidget        *window,
         double            lat,
         double            lon)
{
  Pan pan = { map, window, g_main_loop_new (NULL, FALSE), 0, 0, lat, lon, 0 };
  ShumateViewport *viewport = shumate_simple_map_get_viewport (map);

  shumate_location_set_location (SHUMATE_LOCATION (viewport), lat, lon);
  /* Let the base map load its tiles before timing. */
  g_timeout_add (1500, quit_cb, pan.loop);
  g_main_loop_run (pan.loop);
  gtk_widget_add_tick_callback (GTK_WIDGET (map), tick_cb, &pan, NULL);
  g_main_loop_run (pan.loop);
  g_main_loop_unref (pan.loop);
  return pan.fps;
}

static GtkWidget *
new_window (ShumateRasterRenderer  *raster,
            ShumateSimpleMap      **map)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 1920, 1080);
  *map = shumate_simple_map_new ();
  shumate_simple_map_set_map_source (*map, SHUMATE_MAP_SOURCE (raster));
  shumate_viewport_set_zoom_level (shumate_simple_map_get_viewport (*map), ZOOM);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (*map));
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

/* What one window measured: panning the base map alone, then with the overlay. */
typedef struct
{
  double   alone, with_overlay;
  guint    drawn, decoded;   /* our base layer's work during the pan with the overlay */
} Side;

/* Pans a new window's base map, drawn by libshumate's layer or (@ours) by LdBasemapLayer,
 * alone and then under the overlay at @opacity. */
static void
pan_window (ShumateRasterRenderer *raster,
            LdMbtilesSource       *source,
            LdTileRenderer        *renderer,
            gboolean               ours,
            double                 opacity,
            double                 lat,
            double                 lon,
            Side                  *side)
{
  g_autoptr(LdMbtilesSource) none = ld_mbtiles_source_new (NULL);
  /* Ours as the app sets it up: libshumate's renderer, the viewport's reference, reads an
   * empty source, or it would decode every tile our layer loads once more. */
  g_autoptr(ShumateRasterRenderer) reference =
    shumate_raster_renderer_new_full ("bench-reference", "bench", "", NULL,
                                      ld_mbtiles_source_get_min_zoom (source), 19, LD_TILE_SIZE,
                                      SHUMATE_MAP_PROJECTION_MERCATOR, SHUMATE_DATA_SOURCE (none));
  ShumateSimpleMap *map;
  GtkWidget *window = new_window (ours ? reference : raster, &map);
  LdBasemapLayer *base = NULL;
  LdOverlayLayer *overlay;
  guint drawn = 0, decoded = 0;

  if (ours)
    base = ld_basemap_layer_install (map, SHUMATE_MAP_SOURCE (reference),
                                     SHUMATE_DATA_SOURCE (source));
  side->alone = run_pan (map, window, lat, lon);
  overlay = ld_overlay_layer_new (shumate_simple_map_get_viewport (map), renderer);
  ld_overlay_layer_set_layer_opacity (overlay, opacity);
  shumate_simple_map_add_overlay_layer (map, SHUMATE_LAYER (overlay));
  if (base != NULL)
    {
      drawn = ld_basemap_layer_get_tiles_drawn (base);
      decoded = ld_basemap_layer_get_tiles_decoded (base);
    }
  side->with_overlay = run_pan (map, window, lat, lon);
  if (base != NULL)
    {
      side->drawn = ld_basemap_layer_get_tiles_drawn (base) - drawn;
      side->decoded = ld_basemap_layer_get_tiles_decoded (base) - decoded;
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdMbtiles) mbtiles = NULL;
  g_autoptr(LdMbtilesSource) source = NULL;
  g_autoptr(LdPalette) palette = NULL;
  g_autoptr(LdTileRenderer) renderer = NULL;
  g_autofree char *palette_path = NULL;
  g_autoptr(ShumateRasterRenderer) raster = NULL;
  Side anchor[2] = { { 1, 1 }, { 1, 1 } }, ours[2] = { { 0 } };
  gboolean skip_anchor;
  LdLonLatBox box;
  double lat, lon, cx, cy;
  int x0, x1, y0, y1;
  guint warm = 0;
  /* The overlay's opacity, as the layer panel sets it (reviewers often lower it to see the
   * imagery beneath); 1 by default. */
  const char *opacity_text = g_getenv ("LD_BENCH_PAN_OPACITY");
  double opacity = opacity_text != NULL ? g_ascii_strtod (opacity_text, NULL) : 1.0;

  if (argc < 3)
    {
      g_printerr ("Usage: ld-bench-pan BASEMAP.mbtiles GPKG [PALETTE.csv]\n");
      return 2;
    }
  gtk_init ();
  adw_init ();
  palette_path = argc > 3 ? g_strdup (argv[3])
                          : g_build_filename (SOURCE_DIR, "tests", "data", "styles", "xz_dltb.csv",
                                              NULL);
  mbtiles = ld_mbtiles_open (argv[1], &error);
  palette = mbtiles ? ld_palette_new_from_file (palette_path, &error) : NULL;
  renderer = palette ? ld_tile_renderer_new (argv[2], "xz_dltb", palette, 2, &error) : NULL;
  if (renderer == NULL || !ld_tile_renderer_get_extent (renderer, &box))
    g_error ("%s", error ? error->message : "the layer has no extent");
  lat = (box.south + box.north) / 2;
  lon = (box.west + box.east) / 2;

  source = ld_mbtiles_source_new (mbtiles);
  raster = shumate_raster_renderer_new_full ("bench", "bench", "", NULL,
                                             ld_mbtiles_source_get_min_zoom (source), 19,
                                             LD_TILE_SIZE, SHUMATE_MAP_PROJECTION_MERCATOR,
                                             SHUMATE_DATA_SOURCE (source));
  /* Warm cache: every tile of the pan (SECONDS x 60 frames x STEP_PX to the east). */
  ld_geo_lonlat_to_world (lon, lat, ZOOM, &cx, &cy);
  x0 = (int) floor ((cx - 1000) / LD_TILE_SIZE);
  x1 = (int) floor ((cx + 1000 + SECONDS * 120 * STEP_PX) / LD_TILE_SIZE);
  y0 = (int) floor ((cy - 600) / LD_TILE_SIZE);
  y1 = (int) floor ((cy + 600) / LD_TILE_SIZE);
  ld_tile_renderer_set_cache_size (renderer, (x1 - x0 + 1) * (y1 - y0 + 1) + 16);
  for (int y = y0; y <= y1; y++)
    for (int x = x0; x <= x1; x++)
      {
        cairo_surface_t *s = ld_tile_renderer_render (renderer, ZOOM, x, y, &error);

        if (s == NULL)
          g_error ("%s", error->message);
        cairo_surface_destroy (s);
        warm++;
      }

  /* libshumate's map layer (the anchor) and ours, each in windows of their own, in the order
   * anchor, ours, ours, anchor: a process's second window pans slower than its first (by up
   * to a sixth here), which would otherwise count against whichever side goes second. */
  skip_anchor = g_getenv ("LD_BENCH_PAN_SKIP_ANCHOR") != NULL;
  if (!skip_anchor)
    pan_window (raster, source, renderer, FALSE, opacity, lat, lon, &anchor[0]);
  pan_window (raster, source, renderer, TRUE, opacity, lat, lon, &ours[0]);
  pan_window (raster, source, renderer, TRUE, opacity, lat, lon, &ours[1]);
  if (!skip_anchor)
    pan_window (raster, source, renderer, FALSE, opacity, lat, lon, &anchor[1]);

  g_print ("panning at zoom %d, 1920x1080, %u warm overlay tiles at opacity %.2f, GSK_RENDERER=%s,"
           " two windows each:\n"
           "  base map + overlay %.1f fps (target >= 50)   base map alone %.1f fps\n"
           "  anchor, libshumate's map layer: + overlay %.1f fps   alone %.1f fps\n"
           "  ratio ours/libshumate: with the overlay %.2f   alone %.2f\n"
           "  (while panning with the overlay our base map drew %u tiles, decoded %u)\n",
           ZOOM, warm, opacity, g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "unset",
           (ours[0].with_overlay + ours[1].with_overlay) / 2, (ours[0].alone + ours[1].alone) / 2,
           (anchor[0].with_overlay + anchor[1].with_overlay) / 2,
           (anchor[0].alone + anchor[1].alone) / 2,
           (ours[0].with_overlay + ours[1].with_overlay) /
           (anchor[0].with_overlay + anchor[1].with_overlay),
           (ours[0].alone + ours[1].alone) / (anchor[0].alone + anchor[1].alone),
           ours[0].drawn + ours[1].drawn, ours[0].decoded + ours[1].decoded);
  return 0;
}
