/* test-sync-ui.c: the sync indicator shows a real conflict and resolves it, in Chinese
 *
 * Two stores edit the same field of one case offline and sync with a real landdesk-server;
 * the second one's indicator must say there is a conflict, show both values, and "keep mine"
 * must become an op that the server then applies. Two stores redrawing one parcel meet as a
 * geometry conflict, shown side by side on two maps over a real base map and resolved there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>

#include "ld-core.h"
#include "ld-redline-conflict-view.h"
#include "ld-mbtiles-source.h"
#include "ld-sync-indicator.h"
#include "ld-test-server-demo.h"
#include "ld-test-server.h"
#include "ld-test-util.h"
#include "ld-test-widgets.h"

#define PW "sync-ui-pass"

static LdStore *
synced_store (LdTestServer *server,
              const char   *name)
{
  g_autofree char *path = ld_test_path (name);
  g_autoptr(LdSync) sync = ld_sync_new (server->url);
  g_autoptr(GError) error = NULL;
  LdStore *store = ld_store_create (path, &error);
  LdSyncCounts c;

  g_assert_no_error (error);
  ld_sync_set_credentials (sync, "zhang.wei", PW);
  ld_sync_run (sync, store, &c, NULL, &error);
  g_assert_no_error (error);
  return store;
}

static LdSyncCounts
sync_store (LdTestServer *server,
            LdStore      *store)
{
  g_autoptr(LdSync) sync = ld_sync_new (server->url);
  g_autoptr(GError) error = NULL;
  LdSyncCounts c;

  ld_sync_set_credentials (sync, "zhang.wei", PW);
  ld_sync_run (sync, store, &c, NULL, &error);
  g_assert_no_error (error);
  return c;
}

static void
test_conflict_shown_and_resolved (void)
{
  g_autofree char *dir = ld_test_path ("server");
  g_autofree char *gpkg = ld_test_demo_gpkg ("demo.gpkg");
  g_autoptr(LdTestServer) server = ld_test_server_start (dir, "--init-demo", gpkg,
                                                         "--demo-password", PW, NULL);
  g_autoptr(LdStore) a = synced_store (server, "a.gpkg");
  g_autoptr(LdStore) b = synced_store (server, "b.gpkg");
  g_autoptr(GError) error = NULL;
  g_autoptr(LdStore) check = NULL;
  GtkWidget *window;
  LdSyncIndicator *indicator;
  GtkWidget *row, *button, *label;
  LdSyncCounts c;
  guint pending, failed, conflicts;

  ld_store_edit_case (a, LD_TEST_CASE_EXAMINE, "zhang.wei", "title", "甲的标题", &error);
  g_assert_no_error (error);
  ld_store_edit_case (b, LD_TEST_CASE_EXAMINE, "zhang.wei", "title", "乙的标题", &error);
  g_assert_no_error (error);
  c = sync_store (server, a);
  g_assert_cmpuint (c.applied, ==, 1);
  c = sync_store (server, b);
  g_assert_cmpuint (c.conflicts, ==, 1);

  window = gtk_window_new ();
  indicator = ld_sync_indicator_new ();
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (indicator));
  ld_sync_indicator_set_store (indicator, b);
  gtk_window_present (GTK_WINDOW (window));

  /* said in plain words, both values shown */
  label = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (indicator),
                                                     LD_TYPE_SYNC_INDICATOR, "detail_label"));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)),
                                   "1 处冲突待解决\n上次同步："));
  row = ld_test_find_labelled (GTK_WIDGET (indicator), ADW_TYPE_ACTION_ROW, "title 有冲突");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "本机：乙的标题 · 服务器：甲的标题");
  g_assert_cmpstr (ld_sync_indicator_get_status (indicator), ==, "未连接服务器");

  /* keep mine: a new op, the conflict closed */
  button = ld_test_find_labelled (row, GTK_TYPE_BUTTON, "保留本机");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  while (g_main_context_iteration (NULL, FALSE))
    ;
  ld_store_sync_count (b, &pending, &failed, &conflicts);
  g_assert_cmpuint (pending, ==, 1);
  g_assert_cmpuint (conflicts, ==, 0);
  g_assert_null (ld_test_find_labelled (GTK_WIDGET (indicator), ADW_TYPE_ACTION_ROW, "title 有冲突"));
  g_assert_nonnull (ld_test_find_labelled (GTK_WIDGET (indicator), ADW_TYPE_ACTION_ROW,
                          "update case · " LD_TEST_CASE_EXAMINE));

  /* the server takes it, and the other device gets it */
  c = sync_store (server, b);
  g_assert_cmpuint (c.applied, ==, 1);
  c = sync_store (server, a);
  check = g_object_ref (a);
  {
    g_autoptr(LdCase) kase = ld_store_get_case (check, LD_TEST_CASE_EXAMINE, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (ld_case_get (kase, LD_CASE_TITLE), ==, "乙的标题");
  }
  gtk_window_destroy (GTK_WINDOW (window));
}


/* ---- the red line ----------------------------------------------------------------------- */

#define X0 37433000.0
#define Y0 2353000.0

static void
set_rectangle (LdStore *store,
               double   x,
               double   y,
               double   w,
               double   h)
{
  g_autofree char *wkt = g_strdup_printf ("POLYGON ((%.3f %.3f, %.3f %.3f, %.3f %.3f, %.3f %.3f,"
                                          " %.3f %.3f))", x, y, x + w, y, x + w, y + h, x, y + h,
                                          x, y);
  g_autoptr(LdRedline) redline = ld_redline_new ();
  g_autoptr(GError) error = NULL;

  ld_redline_add_parcel_wkt (redline, "DK01", "地块一", wkt, &error);
  g_assert_no_error (error);
  ld_store_set_redline (store, LD_TEST_CASE_EXAMINE, redline, "zhang.wei", &error);
  g_assert_no_error (error);
}

/* The case's red line area in @store, and that it is one parcel. */
static double
redline_area (LdStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdRedline) redline = ld_redline_load_store (ld_store_get_path (store),
                                                        LD_TEST_CASE_EXAMINE, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (ld_redline_get_n_parcels (redline), ==, 1);
  return ld_redline_get_parcel_area (redline, 0);
}

/* The area of the last geometry of the case's parcel in the server's change feed. */
static double
server_area (LdTestServer *server)
{
  g_autofree char *token = ld_test_server_login (server, "admin", PW);
  g_autoptr(LdTestResponse) res = ld_test_server_call (server, "GET",
                                                       "/api/v1/changes?since=0&limit=1000",
                                                       token, NULL, NULL, 0, NULL);
  JsonArray *changes = json_object_get_array_member (ld_test_response_object (res), "changes");
  const char *wkt = NULL;

  g_assert_cmpuint (res->status, ==, 200);
  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      JsonObject *c = json_array_get_object_element (changes, i);

      if (g_str_equal (json_object_get_string_member (c, "entity_id"),
                       "r0000000-0000-4000-8000-000000000001"))
        wkt = json_object_get_string_member (json_object_get_object_member (c, "data"), "geom");
    }
  g_assert_nonnull (wkt);
  {
    g_autoptr(LdRedline) redline = ld_redline_new ();
    g_autoptr(GError) error = NULL;

    ld_redline_add_parcel_wkt (redline, NULL, NULL, wkt, &error);
    g_assert_no_error (error);
    return ld_redline_get_parcel_area (redline, 0);
  }
}

static LdRedlineConflictView *
find_conflict_view (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (LD_IS_REDLINE_CONFLICT_VIEW (w))
        return LD_REDLINE_CONFLICT_VIEW (w);
    }
  return NULL;
}

static GtkWidget *
find_named (GtkWidget  *root,
            const char *name)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (g_strcmp0 (gtk_widget_get_name (c), name) == 0)
        return c;
      if ((found = find_named (c, name)) != NULL)
        return found;
    }
  return NULL;
}

static char *
make_basemap (void)
{
  char *path = ld_test_path ("conflict.mbtiles");
  g_autoptr(LdTestRun) run = ld_test_run (NULL, ld_test_binary ("LANDDESK_CLI"), "basemap",
                                          "--out", path, "--max-zoom", "12", NULL);

  g_assert_cmpint (run->status, ==, 0);
  return path;
}

/* Lets the maps fetch and draw their tiles for @ms. */
static void
settle (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

static void
save_png (GtkWidget  *widget,
          const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("conflict view: %s", path);
}

/* Every node of the outline lies in the version's box, and the ring is closed by 5 nodes. */
static void
assert_outline (ShumatePathLayer *outline,
                double            area_m2,
                LdRedlineConflictView *view,
                LdSyncChoice      which)
{
  GList *nodes = shumate_path_layer_get_nodes (outline);

  g_assert_nonnull (outline);
  g_assert_cmpuint (g_list_length (nodes), ==, 5);
  for (GList *l = nodes; l != NULL; l = l->next)
    {
      double lat = shumate_location_get_latitude (l->data);
      double lon = shumate_location_get_longitude (l->data);

      g_assert_cmpfloat (lon, >, 110.0);
      g_assert_cmpfloat (lon, <, 111.0);
      g_assert_cmpfloat (lat, >, 21.0);
      g_assert_cmpfloat (lat, <, 22.0);
    }
  g_list_free (nodes);
  g_assert_cmpfloat_with_epsilon (ld_redline_conflict_view_get_area (view, which), area_m2, 1e-6);
}

static char **mime_dirs;

static void
test_redline_conflict (void)
{
  g_autofree char *dir = ld_test_path ("server");
  g_autofree char *gpkg = ld_test_demo_gpkg ("demo.gpkg");
  g_autoptr(LdTestServer) server = ld_test_server_start (dir, "--init-demo", gpkg,
                                                         "--demo-password", PW, NULL);
  g_autoptr(LdStore) a = synced_store (server, "a.gpkg");
  g_autoptr(LdStore) b = synced_store (server, "b.gpkg");
  g_autofree char *mbtiles_path = make_basemap ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LdMbtiles) mbtiles = ld_mbtiles_open (mbtiles_path, &error);
  g_autoptr(LdMbtilesSource) source = NULL;
  g_autoptr(ShumateRasterRenderer) renderer = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  LdRedlineConflictView *view;
  GtkWidget *window, *row, *button, *label;
  LdSyncIndicator *indicator;
  LdSyncCounts c;
  guint pending, failed, n_conflicts;

  g_assert_no_error (error);
  g_content_type_set_mime_dirs ((const char * const *) mime_dirs);
  g_assert_cmpfloat (redline_area (a), ==, 6400.0);

  /* A takes the parcel to 120 x 100 m, B to 70 x 90 m, both offline. */
  set_rectangle (a, X0 + 30, Y0 + 30, 120, 100);
  set_rectangle (b, X0 + 60, Y0 + 45, 70, 90);
  c = sync_store (server, a);
  g_assert_cmpuint (c.applied, ==, 1);   /* one update op: the parcel kept its id */
  c = sync_store (server, b);
  g_assert_cmpuint (c.conflicts, ==, 1);
  conflicts = ld_store_sync_list_conflicts (b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (conflicts->len, ==, 2);   /* geom and area_m2 of one op */
  g_assert_cmpfloat (redline_area (b), ==, 6300.0);   /* mine kept meanwhile */

  source = ld_mbtiles_source_new (mbtiles);
  renderer = shumate_raster_renderer_new_full ("landdesk-basemap", "base", "", NULL,
                                               ld_mbtiles_source_get_min_zoom (source), 19,
                                               LD_TILE_SIZE, SHUMATE_MAP_PROJECTION_MERCATOR,
                                               SHUMATE_DATA_SOURCE (source));
  window = gtk_window_new ();
  indicator = ld_sync_indicator_new ();
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (indicator));
  ld_sync_indicator_set_store (indicator, b);
  ld_sync_indicator_set_map_source (indicator, SHUMATE_MAP_SOURCE (renderer));
  gtk_window_present (GTK_WINDOW (window));

  /* one row for the geometry and its area, with both areas */
  row = ld_test_find_labelled (GTK_WIDGET (indicator), ADW_TYPE_ACTION_ROW, "红线有冲突");
  g_assert_nonnull (row);
  g_assert_null (ld_test_find_labelled (GTK_WIDGET (indicator), ADW_TYPE_ACTION_ROW, "area_m2 有冲突"));
  g_assert_null (ld_test_find_labelled (GTK_WIDGET (indicator), ADW_TYPE_ACTION_ROW, "geom 有冲突"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "本机：6300.00 m² / 0.6300 ha / 9.45 亩 · "
                   "服务器：12000.00 m² / 1.2000 ha / 18.00 亩");

  /* the two versions side by side */
  button = ld_test_find_labelled (row, GTK_TYPE_BUTTON, "在地图上比较…");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  view = find_conflict_view ();
  g_assert_nonnull (view);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (view)), ==, "红线冲突");
  assert_outline (ld_redline_conflict_view_get_outline (view, LD_SYNC_CHOICE_MINE), 6300.0,
                  view, LD_SYNC_CHOICE_MINE);
  assert_outline (ld_redline_conflict_view_get_outline (view, LD_SYNC_CHOICE_THEIRS), 12000.0,
                  view, LD_SYNC_CHOICE_THEIRS);
  /* over the window's base map */
  g_assert_true (shumate_simple_map_get_map_source (ld_redline_conflict_view_get_map (
    view, LD_SYNC_CHOICE_MINE)) == SHUMATE_MAP_SOURCE (renderer));
  g_assert_true (shumate_simple_map_get_map_source (ld_redline_conflict_view_get_map (
    view, LD_SYNC_CHOICE_THEIRS)) == SHUMATE_MAP_SOURCE (renderer));
  label = find_named (GTK_WIDGET (view), "mine-area");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==,
                   "面积：6300.00 m² / 0.6300 ha / 9.45 亩");
  label = find_named (GTK_WIDGET (view), "theirs-area");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==,
                   "面积：12000.00 m² / 1.2000 ha / 18.00 亩");
  label = find_named (GTK_WIDGET (view), "area-difference");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==,
                   "本机的比服务器的小 5700.00 m² / 0.5700 ha / 8.55 亩");
  settle (3000);
  {
    guint received = 0;

    g_object_get (source, "received", &received, NULL);
    g_assert_cmpuint (received, >, 0);   /* the base map's tiles arrived */
  }
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (ld_redline_conflict_view_get_map (
    view, LD_SYNC_CHOICE_THEIRS))), >=, 300);
  save_png (GTK_WIDGET (view), "sync-redline-conflict-zh-cn.png");

  /* take theirs there: one new op; the store has the server's parcel at once */
  button = ld_test_find_labelled (GTK_WIDGET (view), GTK_TYPE_BUTTON, "采用服务器");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (find_conflict_view ());
  ld_store_sync_count (b, &pending, &failed, &n_conflicts);
  g_assert_cmpuint (n_conflicts, ==, 0);
  g_assert_cmpuint (pending, ==, 1);
  g_assert_null (ld_test_find_labelled (GTK_WIDGET (indicator), ADW_TYPE_ACTION_ROW, "红线有冲突"));
  g_assert_cmpfloat_with_epsilon (redline_area (b), 12000.0, 1e-6);

  /* B's resolution reaches the server; then B redraws again and A gets that */
  c = sync_store (server, b);
  g_assert_cmpuint (c.applied + c.duplicates, ==, 1);
  g_assert_cmpuint (c.conflicts, ==, 0);
  g_assert_cmpfloat_with_epsilon (server_area (server), 12000.0, 1e-6);
  set_rectangle (b, X0 + 60, Y0 + 45, 70, 90);
  c = sync_store (server, b);
  g_assert_cmpuint (c.applied, ==, 1);
  g_assert_cmpfloat_with_epsilon (server_area (server), 6300.0, 1e-6);
  sync_store (server, a);
  g_assert_cmpfloat_with_epsilon (redline_area (a), 6300.0, 1e-6);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  /* The UI under test speaks Chinese, as its users do. */
  if (setlocale (LC_ALL, "zh_CN.UTF-8") == NULL)
    g_error ("The zh_CN.UTF-8 locale is missing: build-aux/deps.sh generates it");
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  bindtextdomain (GETTEXT_PACKAGE, ld_paths_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* gdk-pixbuf (libshumate's tile decoder) sniffs through GIO's MIME database: keep the
   * system's, which the isolated XDG dirs of each test would hide (no tile would decode). */
  {
    const char *env = g_getenv ("XDG_DATA_DIRS");
    g_auto(GStrv) data_dirs = g_strsplit (env && *env ? env : "/usr/local/share:/usr/share",
                                          G_SEARCHPATH_SEPARATOR_S, -1);
    guint n = g_strv_length (data_dirs);

    mime_dirs = g_new0 (char *, n + 1);
    for (guint i = 0; i < n; i++)
      mime_dirs[i] = g_build_filename (data_dirs[i], "mime", NULL);
  }
  ld_test_init (&argc, &argv);
  adw_init ();

  g_test_add_func ("/sync-ui/conflict-shown-and-resolved", test_conflict_shown_and_resolved);
  g_test_add_func ("/sync-ui/redline-conflict", test_redline_conflict);

  return g_test_run ();
}
