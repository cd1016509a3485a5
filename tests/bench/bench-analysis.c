/* bench-analysis.c: the overlay analysis in-process, on 5 ha and 200 ha red lines
 *
 *   bench-analysis GPKG OUTDIR [RUNS]
 *
 * Finds a spot where a 200 ha square lies wholly on land, times ld_analysis_run() on a 5 ha
 * and a 200 ha square there (median of RUNS, default 200; the red line is prepared inside
 * every run), checks that the class areas add up to the red line, and leaves in OUTDIR, for
 * tests/bench/analysis.py and the anchor tools: NAME.wkt, NAME.txt (a coordinate file) and
 * NAME.areas (code and unrounded m² of every current-use class) for NAME 5ha and 200ha.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>

#include "ld-core.h"

static double
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static char *
square_wkt (double cx,
            double cy,
            double side)
{
  double h = side / 2;

  return g_strdup_printf ("POLYGON ((%.3f %.3f, %.3f %.3f, %.3f %.3f, %.3f %.3f, %.3f %.3f))",
                          cx - h, cy - h, cx + h, cy - h, cx + h, cy + h, cx - h, cy + h,
                          cx - h, cy - h);
}

static LdRedline *
square (double cx,
        double cy,
        double side)
{
  g_autofree char *wkt = square_wkt (cx, cy, side);
  LdRedline *redline = ld_redline_new ();

  if (!ld_redline_add_parcel_wkt (redline, "DK01", "bench", wkt, NULL))
    g_error ("bad WKT %s", wkt);
  return redline;
}

static gboolean
on_land (LdAnalysisResult *r)
{
  for (guint i = 0; i < r->layers->len; i++)
    {
      LdAnalysisLayer *l = g_ptr_array_index (r->layers, i);

      for (guint k = 0; k < l->classes->len; k++)
        if (((LdAnalysisRow *) g_ptr_array_index (l->classes, k))->code[0] == '\0')
          return FALSE;
    }
  return TRUE;
}

static void
write_files (const char       *dir,
             const char       *name,
             double            cx,
             double            cy,
             double            side,
             LdAnalysisResult *r)
{
  g_autofree char *wkt = square_wkt (cx, cy, side);
  g_autofree char *wkt_path = g_strdup_printf ("%s/%s.wkt", dir, name);
  g_autofree char *txt_path = g_strdup_printf ("%s/%s.txt", dir, name);
  g_autofree char *areas_path = g_strdup_printf ("%s/%s.areas", dir, name);
  g_autofree char *bbox_path = g_strdup_printf ("%s/%s.bbox", dir, name);
  g_autofree char *txt = NULL, *bbox = NULL;
  const LdAnalysisLayer *l = ld_analysis_result_get_layer (r, "xz_dltb");
  GString *areas = g_string_new ("");
  double h = side / 2;

  /* X = northing, Y = easting (domain.md §5) */
  txt = g_strdup_printf ("[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n投影类型=高斯克吕格\n"
                         "计量单位=米\n带号=37\n精度=0.001\n[地块坐标]\n"
                         "5,%.4f,DK01,bench,面,,,,@\nJ1,1,%.3f,%.3f\nJ2,1,%.3f,%.3f\n"
                         "J3,1,%.3f,%.3f\nJ4,1,%.3f,%.3f\nJ1,1,%.3f,%.3f\n", side * side / 1e4,
                         cy - h, cx - h, cy + h, cx - h, cy + h, cx + h, cy - h, cx + h,
                         cy - h, cx - h);
  bbox = g_strdup_printf ("%.3f %.3f %.3f %.3f\n", cx - h, cy - h, cx + h, cy + h);
  for (guint i = 0; i < l->classes->len; i++)
    {
      LdAnalysisRow *c = g_ptr_array_index (l->classes, i);

      g_string_append_printf (areas, "%s %.6f\n", c->code, c->area_m2);
    }
  if (!g_file_set_contents (wkt_path, wkt, -1, NULL)
      || !g_file_set_contents (txt_path, txt, -1, NULL)
      || !g_file_set_contents (bbox_path, bbox, -1, NULL)
      || !g_file_set_contents (areas_path, areas->str, -1, NULL))
    g_error ("cannot write into %s", dir);
  g_string_free (areas, TRUE);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdAnalysis) analysis = NULL;
  const struct { const char *name; double ha; } sizes[] = { { "5ha", 5 }, { "200ha", 200 } };
  double cx = 0, cy = 0;
  int runs = argc > 3 ? atoi (argv[3]) : 200;
  sqlite3 *db;
  sqlite3_stmt *stmt;
  gboolean found = FALSE;

  if (argc < 3)
    {
      fprintf (stderr, "usage: bench-analysis GPKG OUTDIR [RUNS]\n");
      return 2;
    }
  analysis = ld_analysis_new (argv[1], &error);
  if (analysis == NULL)
    {
      fprintf (stderr, "bench-analysis: %s\n", error->message);
      return 1;
    }

  /* a spot on land: the centres of patches spread over the layer, in a fixed order */
  if (sqlite3_open_v2 (argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (db, "SELECT (minx + maxx) / 2, (miny + maxy) / 2 FROM "
                             "rtree_xz_dltb_geom WHERE id % 9973 = 1 ORDER BY id", -1, &stmt,
                             NULL) != SQLITE_OK)
    g_error ("cannot read %s", argv[1]);
  while (!found && sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(LdRedline) big = NULL;
      g_autoptr(LdAnalysisResult) r = NULL;

      cx = sqlite3_column_double (stmt, 0);
      cy = sqlite3_column_double (stmt, 1);
      big = square (cx, cy, sqrt (200e4));
      r = ld_analysis_run (analysis, big, "1001", NULL);
      found = r != NULL && on_land (r);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  if (!found)
    g_error ("no spot where 200 ha lie wholly on land in %s", argv[1]);

  printf ("spot %.3f %.3f (EPSG:4525), %d runs each\n", cx, cy, runs);
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      double side = sqrt (sizes[s].ha * 1e4);
      g_autoptr(LdRedline) redline = square (cx, cy, side);
      g_autofree double *ms = g_new (double, runs);
      g_autoptr(LdAnalysisResult) last = NULL;
      const LdAnalysisLayer *l;
      double sum = 0.0;

      for (int i = -5; i < runs; i++)   /* 5 warm-up runs */
        {
          double t0 = now_ms ();
          LdAnalysisResult *r = ld_analysis_run (analysis, redline, "1001", &error);
          double t1 = now_ms ();

          if (r == NULL)
            g_error ("%s", error->message);
          if (i >= 0)
            ms[i] = t1 - t0;
          g_clear_pointer (&last, ld_analysis_result_free);
          last = r;
        }
      qsort (ms, runs, sizeof (double), compare_double);
      l = ld_analysis_result_get_layer (last, "xz_dltb");
      for (guint i = 0; i < l->classes->len; i++)
        sum += ((LdAnalysisRow *) g_ptr_array_index (l->classes, i))->area_m2;
      printf ("in-process %-6s median %.4f ms  (min %.4f, p90 %.4f)  patches %u "
              "(whole %u, clipped %u)  classes %u  |sum-area|/area %.2e\n", sizes[s].name,
              ms[runs / 2], ms[0], ms[runs * 9 / 10], last->n_candidates, last->n_whole,
              last->n_clipped, l->classes->len,
              fabs (sum - last->redline_area_m2) / last->redline_area_m2);
      write_files (argv[2], sizes[s].name, cx, cy, side, last);
    }
  return 0;
}
