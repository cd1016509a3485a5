/* bench-render.c: the overlay renderer and identify beside gdal_rasterize, same run
 *
 * Usage: ld-bench-render [--make-grid N] [--table T] [--palette CSV] GPKG
 *
 * Prints, for one 256 px tile of ~1 000 patches and for a 1920 x 1080 viewport of ~10 000
 * patches (2 threads, cold cache), LandDesk's time beside GDAL's rasteriser (GDALRasterize, the
 * library behind gdal_rasterize, called in-process so no process start is counted) on the
 * same extent with an R-tree -sql filter, and the ratio; then identify latency and peak memory.
 * Medians of several runs. Works on any GeoPackage polygon layer: a generated grid now, the
 * 1M-patch demo (landdesk-cli demo-data) later.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#ifdef G_OS_UNIX
#include <sys/resource.h>
#endif

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <gdal.h>
#include <gdal_utils.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

#include "ld-core.h"
#include "ld-test-gpkg.h"

#define VIEW_W 1920
#define VIEW_H 1080
#define MAX_RUNS 201

static int RUNS = 7;

typedef struct
{
  GMainLoop *loop;
  int        pending;
} Wait;

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v,
        int     n)
{
  qsort (v, n, sizeof *v, cmp_double);
  return v[n / 2];
}

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* CPU time of the whole process (all threads), to tell load from other programs apart. */
static double
cpu_ms (void)
{
#ifdef G_OS_UNIX
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
#else
  return 0;
#endif
}

/* CPU time of the calling thread alone (where the one-tile render runs), if the system says. */
static double
thread_cpu_ms (void)
{
#if defined(G_OS_UNIX) && defined(RUSAGE_THREAD)
  struct rusage usage;

  getrusage (RUSAGE_THREAD, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
#else
  return cpu_ms ();
#endif
}

static void
tile_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Wait *wait = user_data;
  g_autoptr(GError) error = NULL;
  cairo_surface_t *surface = ld_tile_renderer_render_finish (LD_TILE_RENDERER (object), result,
                                                             &error);

  if (surface == NULL)
    g_error ("%s", error->message);
  cairo_surface_destroy (surface);
  if (--wait->pending == 0)
    g_main_loop_quit (wait->loop);
}

/* The layer's features whose box meets [x0, x1] x [y0, y1] (layer CRS). */
static gint64
count_in_box (sqlite3    *db,
              const char *rtree,
              double      x0,
              double      y0,
              double      x1,
              double      y1)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM \"%s\" WHERE minx <= %.3f AND"
                                          " maxx >= %.3f AND miny <= %.3f AND maxy >= %.3f",
                                          rtree, x1, x0, y1, y0);
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* The box in the layer's CRS (GK: x easting, y northing) of a box of world pixels at @zoom. */
static void
world_box_to_gk (LdGk   *gk,
                 int     zoom,
                 double  wx0,
                 double  wy0,
                 double  wx1,
                 double  wy1,
                 double *gx0,
                 double *gy0,
                 double *gx1,
                 double *gy1)
{
  *gx0 = *gy0 = G_MAXDOUBLE;
  *gx1 = *gy1 = -G_MAXDOUBLE;
  for (int c = 0; c < 4; c++)
    {
      double lon, lat, gx, gy;

      ld_geo_world_to_lonlat (c % 2 ? wx1 : wx0, c / 2 ? wy1 : wy0, zoom, &lon, &lat);
      ld_gk_from_lonlat (gk, lon, lat, &gy, &gx);
      *gx0 = MIN (*gx0, gx); *gx1 = MAX (*gx1, gx); *gy0 = MIN (*gy0, gy); *gy1 = MAX (*gy1, gy);
    }
}

/* Whether a view at @zoom around the centre holds far too many patches to be worth counting. */
static gboolean
too_coarse (sqlite3    *db,
            const char *rtree,
            LdGk       *gk,
            int         zoom,
            double      lon,
            double      lat)
{
  double cx, cy, vx0, vy0, vx1, vy1;

  ld_geo_lonlat_to_world (lon, lat, zoom, &cx, &cy);
  world_box_to_gk (gk, zoom, cx - VIEW_W / 8.0, cy - VIEW_H / 8.0, cx + VIEW_W / 8.0,
                   cy + VIEW_H / 8.0, &vx0, &vy0, &vx1, &vy1);
  return count_in_box (db, rtree, vx0, vy0, vx1, vy1) > 10000;
}

/* Asks for every tile of the block, as the map does when a view opens on a cold cache. */
static void
render_block (LdTileRenderer *renderer,
              Wait           *wait,
              int             zoom,
              int             x0,
              int             y0,
              int             x1,
              int             y1)
{
  for (int y = y0; y <= y1; y++)
    for (int x = x0; x <= x1; x++)
      {
        wait->pending++;
        ld_tile_renderer_render_async (renderer, zoom, x, y, NULL, tile_done_cb, wait);
      }
}

/* Renders the block of tiles x0..x1, y0..y1 with a cold tile cache, after @pause_ms of
 * idleness; the wall time, and the process's CPU time unless @cpu is NULL. */
static void
viewport_run (LdTileRenderer *renderer,
              int             zoom,
              int             x0,
              int             y0,
              int             x1,
              int             y1,
              int             pause_ms,
              double         *wall,
              double         *cpu)
{
  Wait wait = { g_main_loop_new (NULL, FALSE), 0 };
  double t0, c0;

  ld_tile_renderer_invalidate (renderer);
  if (pause_ms > 0)
    g_usleep (pause_ms * 1000);
  c0 = cpu_ms ();
  t0 = now_ms ();
  render_block (renderer, &wait, zoom, x0, y0, x1, y1);
  g_main_loop_run (wait.loop);
  *wall = now_ms () - t0;
  if (cpu != NULL)
    *cpu = cpu_ms () - c0;
  g_main_loop_unref (wait.loop);
}

/* GDAL's rasteriser on the same view and size: an in-memory raster over the view's extent in
 * the layer's CRS (gdal_rasterize does not reproject), the layer filtered through its R-tree in
 * -sql, burning a numeric field into one band. */
static double
gdal_rasterize_ms (GDALDatasetH  src,
                   const char   *table,
                   const char   *rtree,
                   const char   *burn_field,
                   double        gx0,
                   double        gy0,
                   double        gx1,
                   double        gy1,
                   int           width,
                   int           height)
{
  g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\" WHERE fid IN (SELECT id FROM \"%s\""
                                          " WHERE minx <= %.3f AND maxx >= %.3f AND"
                                          " miny <= %.3f AND maxy >= %.3f)",
                                          table, rtree, gx1, gx0, gy1, gy0);
  g_autofree char *te0 = g_strdup_printf ("%.3f", gx0), *te1 = g_strdup_printf ("%.3f", gy0);
  g_autofree char *te2 = g_strdup_printf ("%.3f", gx1), *te3 = g_strdup_printf ("%.3f", gy1);
  g_autofree char *w = g_strdup_printf ("%d", width), *h = g_strdup_printf ("%d", height);
  const char *argv[] = { "-of", "MEM", "-sql", sql, "-a", burn_field, "-ot", "Byte",
                   "-te", te0, te1, te2, te3, "-ts", w, h, NULL };
  GDALRasterizeOptions *options = GDALRasterizeOptionsNew ((char **) argv, NULL);
  double t0 = now_ms (), t1;
  int usage_error = 0;
  GDALDatasetH out = GDALRasterize ("", NULL, src, options, &usage_error);

  t1 = now_ms ();
  if (out == NULL)
    g_error ("gdal_rasterize failed: %s", CPLGetLastErrorMsg ());
  GDALClose (out);
  GDALRasterizeOptionsFree (options);
  return t1 - t0;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *table = g_strdup ("xz_dltb");
  g_autofree char *palette_path = NULL;
  g_autofree char *burn = g_strdup ("CLS");
  int make_grid = 0;
  GOptionEntry entries[] = {
    { "make-grid", 0, 0, G_OPTION_ARG_INT, &make_grid,
      "Write an N x N grid of 70 m patches (17 vertices each) to GPKG first, if missing", "N" },
    { "table", 0, 0, G_OPTION_ARG_STRING, &table, "Layer (default xz_dltb)", "T" },
    { "palette", 0, 0, G_OPTION_ARG_FILENAME, &palette_path,
      "Palette CSV (default tests/data/styles/xz_dltb.csv)", "CSV" },
    { "burn", 0, 0, G_OPTION_ARG_STRING, &burn,
      "Numeric field gdal_rasterize burns (default CLS; TBMJ for the demo)", "FIELD" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("GPKG");
  g_autoptr(GError) error = NULL;
  g_autoptr(LdPalette) palette = NULL;
  g_autoptr(LdTileRenderer) one = NULL;
  g_autoptr(LdTileRenderer) two = NULL;
  g_autoptr(LdIdentify) identify = NULL;
  g_autoptr(LdGk) gk = NULL;
  g_autofree char *rtree = NULL;
  const char *path;
  GDALDatasetH src;
  sqlite3 *db = NULL;
  LdLonLatBox box;
  double clon, clat, times[MAX_RUNS], anchor[MAX_RUNS], tile_cpu[MAX_RUNS];
  int best_zoom = -1, tx = 0, ty = 0;
  gboolean skip_anchor;
  gint64 best_n = 0;

  setlocale (LC_ALL, "");
  /* More runs for a profiler (perf record); 7 by default. */
  if (g_getenv ("LD_BENCH_RUNS") != NULL)
    RUNS = CLAMP (atoi (g_getenv ("LD_BENCH_RUNS")), 1, MAX_RUNS);
  /* Only our side, for a profiler: GDAL shares SQLite with us and would blur the profile. */
  skip_anchor = g_getenv ("LD_BENCH_RENDER_SKIP_ANCHOR") != NULL;
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      g_printerr ("%s\n", error ? error->message : "Usage: ld-bench-render [OPTIONS] GPKG");
      return 2;
    }
  path = argv[1];
  if (palette_path == NULL)
    palette_path = g_build_filename (SOURCE_DIR, "tests", "data", "styles", "xz_dltb.csv", NULL);

  GDALAllRegister ();
  if (make_grid > 0 && !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      double t0 = now_ms ();

      g_print ("Writing a %d x %d grid to %s ...\n", make_grid, make_grid, path);
      if (!ld_test_grid_make_full (path, make_grid, make_grid, 4, 70.0, &error))
        g_error ("%s", error->message);
      g_print ("  done in %.1f s\n", (now_ms () - t0) / 1000);
    }

  palette = ld_palette_new_from_file (palette_path, &error);
  if (palette == NULL)
    g_error ("%s", error->message);
  one = ld_tile_renderer_new (path, table, palette, 1, &error);
  if (one == NULL)
    g_error ("%s", error->message);
  two = ld_tile_renderer_new (path, table, palette, 2, &error);
  gk = ld_gk_new (&error);
  identify = ld_identify_new (path, &error);
  if (two == NULL || gk == NULL || identify == NULL)
    g_error ("%s", error->message);
  if (!ld_tile_renderer_get_extent (one, &box))
    g_error ("%s: layer %s has no extent in gpkg_contents", path, table);
  clon = (box.west + box.east) / 2;
  clat = (box.south + box.north) / 2;
  src = GDALOpenEx (path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
  sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  rtree = g_strdup_printf ("rtree_%s_geom", table);
  g_print ("data: %s, layer %s, centre %.4f°E %.4f°N\n", path, table, clon, clat);

  /* 1. One tile of ~1 000 patches: at each zoom, the tiles of a 9 x 9 block around the centre,
   * the one whose count (R-tree, with the renderer's margin) comes closest. */
  for (int zoom = 10; zoom <= 19; zoom++)
    {
      double px, py;

      ld_geo_lonlat_to_world (clon, clat, zoom, &px, &py);
      if (ld_tile_renderer_count_features (one, zoom, (int) (px / LD_TILE_SIZE),
                                           (int) (py / LD_TILE_SIZE), NULL) > 20000)
        continue;
      for (int dx = -4; dx <= 4; dx++)
        for (int dy = -4; dy <= 4; dy++)
          {
            int x = (int) (px / LD_TILE_SIZE) + dx, y = (int) (py / LD_TILE_SIZE) + dy;
            gint64 n = ld_tile_renderer_count_features (one, zoom, x, y, NULL);

            if (n > 0 && (best_zoom < 0 || fabs (log (n / 1000.0)) < fabs (log (best_n / 1000.0))))
              {
                best_zoom = zoom;
                best_n = n;
                tx = x;
                ty = y;
              }
          }
    }
  if (best_zoom < 0)
    g_error ("no feature near the layer's centre");
  {
    double gx0 = G_MAXDOUBLE, gy0 = G_MAXDOUBLE, gx1 = -G_MAXDOUBLE,
           gy1 = -G_MAXDOUBLE;
    for (int c = 0; c < 4; c++)
      {
        double lon, lat, gx, gy;

        ld_geo_world_to_lonlat ((tx + c % 2) * 256.0, (ty + c / 2) * 256.0, best_zoom, &lon, &lat);
        ld_gk_from_lonlat (gk, lon, lat, &gy, &gx);
        gx0 = MIN (gx0, gx); gx1 = MAX (gx1, gx); gy0 = MIN (gy0, gy); gy1 = MAX (gy1, gy);
      }
    for (int r = 0; r < RUNS; r++)
      {
        cairo_surface_t *s;
        double t0, c0;

        ld_tile_renderer_invalidate (one);
        c0 = thread_cpu_ms ();
        t0 = now_ms ();
        s = ld_tile_renderer_render (one, best_zoom, tx, ty, &error);
        times[r] = now_ms () - t0;
        tile_cpu[r] = thread_cpu_ms () - c0;
        if (s == NULL)
          g_error ("%s", error->message);
        cairo_surface_destroy (s);
        anchor[r] = skip_anchor ? NAN : gdal_rasterize_ms (src, table, rtree, burn, gx0, gy0,
                                                           gx1, gy1, 256, 256);
      }
    {
      double ours = median (times, RUNS), theirs = median (anchor, RUNS);

      g_print ("one 256 px tile %d/%d/%d, %" G_GINT64_FORMAT " patches, 1 thread:\n"
               "  LandDesk %.2f ms   gdal_rasterize %.2f ms   ratio %.1fx   (target <= 2 ms)\n"
               "  (LandDesk used %.2f ms of CPU)\n"
               "  best of %d runs: LandDesk %.2f ms   gdal_rasterize %.2f ms\n",
               best_zoom, tx, ty, best_n, ours, theirs, theirs / ours, median (tile_cpu, RUNS),
               RUNS, times[0], anchor[0]);
    }
  }

  /* 2. A 1920 x 1080 viewport of ~10 000 patches, all its tiles, 2 threads, cold cache. Patch
   * density varies (towns, coast), and one zoom step changes a view's count fourfold, so the
   * view is searched for: at each zoom, centres on a grid over the middle of the layer, the one
   * whose count comes closest to 10 000. GDAL rasterises the block of tiles we render (not just
   * the view) at the same pixel size, so both draw the same pixels. */
  {
    int zoom = -1, x0 = 0, y0 = 0, x1 = 0, y1 = 0, cols, rows;
    gint64 n = 0, n_block;
    double bcx = 0, bcy = 0, gx0, gy0, gx1, gy1;
    double cpu[MAX_RUNS], after_idle[MAX_RUNS];

    for (int z = 10; z <= 19; z++)
      for (int i = 0; i <= 16 && !too_coarse (db, rtree, gk, z, clon, clat); i++)
        for (int j = 0; j <= 16; j++)
          {
            double lon = box.west + (box.east - box.west) * (0.1 + 0.8 * i / 16.0);
            double lat = box.south + (box.north - box.south) * (0.1 + 0.8 * j / 16.0);
            double cx, cy, vx0, vy0, vx1, vy1;
            gint64 count;

            ld_geo_lonlat_to_world (lon, lat, z, &cx, &cy);
            world_box_to_gk (gk, z, cx - VIEW_W / 2.0, cy - VIEW_H / 2.0, cx + VIEW_W / 2.0,
                             cy + VIEW_H / 2.0, &vx0, &vy0, &vx1, &vy1);
            count = count_in_box (db, rtree, vx0, vy0, vx1, vy1);
            if (count > 0 && (zoom < 0 || fabs (log (count / 10000.0)) < fabs (log (n / 10000.0))))
              {
                zoom = z;
                n = count;
                bcx = cx;
                bcy = cy;
              }
          }
    if (zoom < 0)
      g_error ("no feature in the layer's central area");
    x0 = (int) floor ((bcx - VIEW_W / 2.0) / 256);
    x1 = (int) floor ((bcx + VIEW_W / 2.0 - 1) / 256);
    y0 = (int) floor ((bcy - VIEW_H / 2.0) / 256);
    y1 = (int) floor ((bcy + VIEW_H / 2.0 - 1) / 256);
    cols = x1 - x0 + 1;
    rows = y1 - y0 + 1;
    world_box_to_gk (gk, zoom, x0 * 256.0, y0 * 256.0, (x1 + 1) * 256.0, (y1 + 1) * 256.0,
                     &gx0, &gy0, &gx1, &gy1);
    n_block = count_in_box (db, rtree, gx0, gy0, gx1, gy1);

    /* Each side's runs back to back. Interleaved, each of our runs followed 40 ms of GDAL
     * on one thread, during which our two workers slept; on this VM waking them costs a few
     * milliseconds, so that case is printed on a line of its own. */
    for (int r = 0; r < RUNS; r++)
      viewport_run (two, zoom, x0, y0, x1, y1, 0, &times[r], &cpu[r]);
    for (int r = 0; r < RUNS; r++)
      anchor[r] = skip_anchor ? NAN : gdal_rasterize_ms (src, table, rtree, burn, gx0, gy0,
                                                         gx1, gy1, cols * 256, rows * 256);
    for (int r = 0; r < RUNS; r++)
      viewport_run (two, zoom, x0, y0, x1, y1, 40, &after_idle[r], NULL);
    {
      double ours = median (times, RUNS), theirs = median (anchor, RUNS);
      double lon, lat;

      ld_geo_world_to_lonlat (bcx, bcy, zoom, &lon, &lat);
      g_print ("viewport %dx%d at zoom %d centred %.4f°E %.4f°N, %" G_GINT64_FORMAT
               " patches in view, %d tiles (%dx%d px, %" G_GINT64_FORMAT " patches),"
               " 2 threads, cold cache:\n"
               "  LandDesk %.2f ms   gdal_rasterize %.2f ms   ratio %.1fx   (target <= 16 ms,"
               " >= 1.5x)\n"
               "  (LandDesk used %.2f ms of CPU over its 2 threads)\n"
               "  best of %d runs: LandDesk %.2f ms   gdal_rasterize %.2f ms\n"
               "  each run after 40 ms idle (workers asleep): LandDesk %.2f ms\n",
               VIEW_W, VIEW_H, zoom, lon, lat, n, cols * rows, cols * 256, rows * 256, n_block,
               ours, theirs, theirs / ours, median (cpu, RUNS), RUNS, times[0], anchor[0],
               median (after_idle, RUNS));
    }
  }

  /* 3. Identify at random points of the layer's central area. */
  {
    GRand *rand = g_rand_new_with_seed (5);
    double *lat = g_new (double, 2000);
    const char *tables[] = { table, NULL };
    int hits = 0;

    for (int i = 0; i < 2000; i++)
      {
        double lon = clon + g_rand_double_range (rand, -0.25, 0.25) * (box.east - box.west);
        double la = clat + g_rand_double_range (rand, -0.25, 0.25) * (box.north - box.south);
        double gx, gy, t0;
        g_autoptr(GPtrArray) found = NULL;

        t0 = now_ms ();
        ld_gk_from_lonlat (gk, lon, la, &gy, &gx);
        found = ld_identify_at (identify, tables, gx, gy, &error);
        lat[i] = now_ms () - t0;
        if (found == NULL)
          g_error ("%s", error->message);
        hits += found->len > 0;
      }
    qsort (lat, 2000, sizeof (double), cmp_double);
    g_print ("identify (lon/lat -> GK -> R-tree -> point in polygon), 2000 clicks, %d hits:\n"
             "  median %.3f ms   p99 %.3f ms   (target <= 5 ms)\n", hits, lat[1000], lat[1980]);
    g_free (lat);
    g_rand_free (rand);
  }

#ifdef G_OS_UNIX
  {
    struct rusage usage;

    getrusage (RUSAGE_SELF, &usage);
    g_print ("peak memory of this benchmark process: %.0f MB (renderer caches + GDAL)\n",
             usage.ru_maxrss / 1024.0);
  }
#endif
  GDALClose (src);
  sqlite3_close (db);
  return 0;
}
