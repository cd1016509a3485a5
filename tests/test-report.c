/* test-report.c: landdesk-cli report, read back with poppler's pdftotext, pdffonts, pdftoppm
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <cairo.h>
#include <sqlite3.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ld-core.h"
#include "ld-test-util.h"

static const char *
cli (void)
{
  return ld_test_binary ("LANDDESK_CLI");
}

static char *
demo_store (void)
{
  g_autofree char *dir = ld_test_path ("demo");
  g_autofree char *gpkg = g_build_filename (dir, "landdesk-demo.gpkg", NULL);
  g_autoptr(LdTestRun) demo = NULL;
  g_autoptr(LdTestRun) store = NULL;
  char *path = ld_test_path ("demo-store.gpkg");

  demo = ld_test_run (NULL, cli (), "demo-data", "--out", dir, "--patches", "2000",
                      "--cases", "12", "--max-zoom", "8", "--no-gmt", NULL);
  g_assert_cmpint (demo->status, ==, 0);
  store = ld_test_run (NULL, cli (), "store", "create", path, "--from-demo", gpkg, NULL);
  g_assert_cmpint (store->status, ==, 0);
  return path;
}

/* A case whose red line covers land (the analysis of a red line at sea is an error). */
static char *
land_case (const char *store,
           JsonParser *parser,
           JsonObject **analysis)
{
  sqlite3 *db;
  sqlite3_stmt *stmt;
  char *found = NULL;

  g_assert_cmpint (sqlite3_open_v2 (store, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT DISTINCT c.number FROM cases c JOIN "
                                       "case_redlines r ON r.case_id = c.id ORDER BY c.number",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (found == NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *number = (const char *) sqlite3_column_text (stmt, 0);
      g_autoptr(LdTestRun) run = ld_test_run (NULL, cli (), "analyze", "--store", store,
                                              "--case", number, "--json", "--no-save", NULL);

      if (run->status == 0)
        {
          g_autoptr(GError) error = NULL;

          json_parser_load_from_data (parser, run->out, -1, &error);
          g_assert_no_error (error);
          *analysis = json_node_get_object (json_parser_get_root (parser));
          found = g_strdup (number);
        }
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_nonnull (found);
  return found;
}

static char *
run_tool (const char *tool,
          ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status = 0;
  va_list ap;

  g_ptr_array_add (args, (gpointer) tool);
  va_start (ap, tool);
  for (const char *a = va_arg (ap, const char *); a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_steal_pointer (&out);
}

/* Squeezes out spaces and line breaks: pdftotext lays table cells out with them. */
static char *
squeeze (const char *text)
{
  GString *s = g_string_new ("");

  for (const char *p = text; *p; p++)
    if (*p != ' ' && *p != '\n' && *p != '\f')
      g_string_append_c (s, *p);
  return g_string_free (s, FALSE);
}

static guint
count_pixels (cairo_surface_t *png,
              guint8           r,
              guint8           g,
              guint8           b,
              int              tolerance)
{
  int w = cairo_image_surface_get_width (png), h = cairo_image_surface_get_height (png);
  int stride = cairo_image_surface_get_stride (png);
  const guint8 *data = cairo_image_surface_get_data (png);
  guint n = 0;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 px = *(const guint32 *) (data + y * stride + 4 * x);
        int pr = (px >> 16) & 0xff, pg = (px >> 8) & 0xff, pb = px & 0xff;

        if (ABS (pr - r) <= tolerance && ABS (pg - g) <= tolerance && ABS (pb - b) <= tolerance)
          n++;
      }
  return n;
}

static void
test_report (void)
{
  g_autofree char *store = demo_store ();
  g_autofree char *pdf = ld_test_path ("report.pdf");
  g_autofree char *prefix = ld_test_path ("page");
  g_autofree char *page2 = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *analysis = NULL;
  g_autofree char *number = land_case (store, parser, &analysis);
  g_autoptr(LdTestRun) run = ld_test_run (NULL, cli (), "report", "--store", store, "--case",
                                          number, "--out", pdf, NULL);
  g_autofree char *info = NULL, *fonts = NULL, *text = NULL, *flat = NULL;
  JsonObject *redline = json_object_get_object_member (analysis, "redline");
  JsonArray *layers = json_object_get_array_member (analysis, "layers");
  JsonObject *dltb = json_array_get_object_element (layers, 0);
  JsonObject *top = json_array_get_object_element (json_object_get_array_member (dltb,
                                                                                 "classes"), 0);
  g_autofree char *area = NULL;
  cairo_surface_t *png;

  g_assert_cmpint (run->status, ==, 0);
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));

  info = run_tool ("pdfinfo", pdf, NULL);
  g_assert_true (strstr (info, "Pages:           4") != NULL
                 || strstr (info, "Pages:           5") != NULL
                 || strstr (info, "Pages:           6") != NULL);
  g_assert_true (strstr (info, "595.276 x 841.89 pts (A4)") != NULL
                 || strstr (info, "595.28 x 841.89 pts (A4)") != NULL);
  /* the Chinese font is embedded */
  fonts = run_tool ("pdffonts", pdf, NULL);
  g_assert_true (strstr (fonts, "WenQuanYiMicroHei") != NULL);
  g_assert_null (strstr (fonts, " no  "));

  /* the headline figures and class names, as analyze --json gives them */
  text = run_tool ("pdftotext", "-layout", pdf, "-", NULL);
  flat = squeeze (text);
  g_assert_true (strstr (flat, "建设项目用地预审红线叠加分析报告") != NULL);
  g_assert_true (strstr (flat, number) != NULL);
  area = g_strdup_printf ("%.2f", json_object_get_double_member (redline, "area_m2"));
  g_test_message ("red line %s m², largest class %s %s", area,
                  json_object_get_string_member (top, "code"),
                  json_object_get_string_member (top, "name"));
  g_assert_true (strstr (flat, area) != NULL);
  g_assert_true (strstr (flat, json_object_get_string_member (top, "name")) != NULL);
  {
    g_autofree char *top_area = g_strdup_printf ("%.2f", json_object_get_double_member (top,
                                                                                   "area_m2"));

    g_assert_true (strstr (flat, top_area) != NULL);
  }
  for (guint i = 0; i < 6; i++)
    {
      static const char *titles[] = { "规划用途符合性", "城镇开发边界", "永久基本农田",
                                      "生态保护红线", "占用耕地", "新增建设用地" };

      g_assert_true (strstr (flat, titles[i]) != NULL);
    }
  g_assert_true (strstr (flat, "界址点坐标表") != NULL);
  /* the boundary points as the coordinate-file export writes them: name, ring, X, Y */
  {
    g_autofree char *txt = ld_test_path ("redline.txt");
    g_autofree char *contents = NULL;
    g_autoptr(LdTestRun) export = ld_test_run (NULL, cli (), "redline", "export", "--store",
                                               store, "--case", number, "--format", "txt",
                                               "--encoding", "utf-8", "--out", txt, NULL);
    g_auto(GStrv) lines = NULL;
    guint n_points = 0;

    g_assert_cmpint (export->status, ==, 0);
    g_assert_true (g_file_get_contents (txt, &contents, NULL, NULL));
    lines = g_strsplit (contents, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++)
      {
        g_auto(GStrv) f = g_strsplit (g_strstrip (lines[i]), ",", -1);

        if (g_strv_length (f) == 4 && f[0][0] == 'J')
          {
            g_autofree char *row = g_strconcat (f[0], f[1], f[2], f[3], NULL);

            g_assert_true (strstr (flat, row) != NULL);
            n_points++;
          }
      }
    g_assert_cmpuint (n_points, >=, 4);
  }

  /* page 2 is the current-use map: the largest class's colour and the red line show */
  run_tool ("pdftoppm", "-r", "50", "-f", "2", "-l", "2", "-png", "-singlefile", pdf, prefix,
            NULL);
  page2 = g_strdup_printf ("%s.png", prefix);
  png = cairo_image_surface_create_from_png (page2);
  g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *palette_file = g_build_filename (g_getenv ("LANDDESK_DATADIR"), "styles",
                                                      "xz_dltb.csv", NULL);
    g_autoptr(LdPalette) palette = ld_palette_new_from_file (palette_file, &error);
    const LdPaletteEntry *e;
    guint page_px = (guint) (cairo_image_surface_get_width (png)
                             * cairo_image_surface_get_height (png));
    guint fill_px, red_px;

    g_assert_no_error (error);
    e = ld_palette_lookup (palette, json_object_get_string_member (top, "code"));
    g_assert_nonnull (e);
    fill_px = count_pixels (png, (guint8) (e->fill[0] * 255 + 0.5),
                            (guint8) (e->fill[1] * 255 + 0.5), (guint8) (e->fill[2] * 255 + 0.5),
                            3);
    red_px = count_pixels (png, 255, 0, 0, 40);
    g_test_message ("page 2: %u px of the class colour, %u red px of %u", fill_px, red_px,
                    page_px);
    g_assert_cmpuint (fill_px, >, page_px / 100);
    g_assert_cmpuint (red_px, >, 100);
  }
  cairo_surface_destroy (png);

  /* bad input: an unknown case fails and writes nothing; an existing file is kept */
  {
    g_autofree char *other = ld_test_path ("other.pdf");
    g_autoptr(LdTestRun) bad = ld_test_run (NULL, cli (), "report", "--store", store, "--case",
                                            "ZJYS-1999-9999", "--out", other, NULL);
    g_autoptr(LdTestRun) again = ld_test_run (NULL, cli (), "report", "--store", store,
                                              "--case", number, "--out", pdf, NULL);

    g_assert_cmpint (bad->status, ==, 1);
    g_assert_true (strstr (bad->err, "no case with id or number ZJYS-1999-9999") != NULL);
    g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));
    g_assert_cmpint (again->status, ==, 1);
    g_assert_true (strstr (again->err, "--force") != NULL);
  }
}

int
main (int    argc,
      char **argv)
{
  ld_test_init (&argc, &argv);
  g_test_add_func ("/report/pdf", test_report);
  return g_test_run ();
}
