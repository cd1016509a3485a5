/* test-offline-area-ui.c: draw an area on the real window's map and download it, in Chinese
 *
 * A real landdesk-server (demo layers, --basemap) on 127.0.0.1; the app runs in-process with
 * --server. The main menu's action starts drawing, four clicks' worth of corners and the
 * finishing action open the dialog; it estimates, downloads, is stopped midway and resumed,
 * and the window then shows the downloaded base map.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <sqlite3.h>

#include "ld-application.h"
#include "ld-core.h"
#include "ld-map-status.h"
#include "ld-offline-area-dialog.h"
#include "ld-test-server.h"
#include "ld-test-util.h"
#include "ld-test-widgets.h"
#include "ld-window.h"

#define PW "offline-ui-pass"

typedef struct
{
  char     *store_path;
  char     *url;
  gboolean  done;
} Fixture;

static gboolean
not_busy (gpointer data)
{
  return !ld_offline_area_dialog_get_busy (data);
}

static gboolean
progressing (gpointer data)
{
  return ld_offline_area_dialog_get_fraction (data) > 0;
}

static LdOfflineAreaDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (LD_IS_OFFLINE_AREA_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return LD_OFFLINE_AREA_DIALOG (w);
    }
  return NULL;
}

static gboolean
has_size (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0
         && gtk_widget_get_height (data) > 0;
}

/* The dialog as it looks, kept in the build tree for a look. */
static void
save_picture (GtkWidget  *widget,
              const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int w, h;

  ld_test_wait_for (has_size, widget, 60);
  {
    /* A few frames, so that the widget has drawn. */
    gint64 until = g_get_monotonic_time () + 500 * 1000;

    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
  }
  w = gtk_widget_get_width (widget);
  h = gtk_widget_get_height (widget);
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

static gint64
query_int (const char *path,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 v = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return v;
}

static void
drive_window (LdWindow *window,
              Fixture  *fixture)
{
  LdMapStatus *status = LD_MAP_STATUS (gtk_widget_get_template_child (GTK_WIDGET (window),
                                                                      LD_TYPE_WINDOW,
                                                                      "map_status"));
  const double corners[][2] = { { 20.94, 110.20 }, { 20.94, 110.28 }, { 21.02, 110.28 },
                                { 21.02, 110.20 } };
  GSettings *settings = ld_application_get_settings (LD_APPLICATION (g_application_get_default ()));
  g_autofree char *mbtiles = ld_offline_area_basemap_path (fixture->store_path);
  g_autofree char *basemap = NULL;
  LdOfflineAreaDialog *dialog;

  /* The dialog offers the workbench's user as the login. */
  g_settings_set_string (settings, "user", "li.na");
  /* The main menu's item: drawing starts, the hint is in Chinese. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.offline-area", NULL);
  g_assert_true (ld_map_status_get_measuring (status));
  g_assert_nonnull (strstr (ld_map_status_get_measurement (status), "双击"));
  for (guint i = 0; i < G_N_ELEMENTS (corners); i++)
    ld_map_status_add_point (status, corners[i][0], corners[i][1]);
  gtk_widget_activate_action (GTK_WIDGET (status), "map.area-done", NULL);
  g_assert_false (ld_map_status_get_measuring (status));
  dialog = find_dialog ();
  g_assert_nonnull (dialog);

  /* The estimate, after signing in. */
  ld_offline_area_dialog_estimate (dialog);
  g_assert_cmpstr (ld_offline_area_dialog_get_status (dialog), ==, "请输入服务器的用户名和密码。");
  ld_offline_area_dialog_set_password (dialog, PW);
  ld_offline_area_dialog_estimate (dialog);
  ld_test_wait_for (not_busy, dialog, 60);
  g_test_message ("estimate: %s (%s)", ld_offline_area_dialog_get_estimate_text (dialog),
                  ld_offline_area_dialog_get_status (dialog));
  g_assert_nonnull (strstr (ld_offline_area_dialog_get_estimate_text (dialog), "个要素"));
  g_assert_cmpstr (ld_offline_area_dialog_get_status (dialog), ==, "可以下载。");

  /* Started, stopped midway: kept, and the button offers to resume. */
  g_setenv ("LANDDESK_OFFLINE_AREA_PAGE_DELAY_MS", "300", TRUE);
  ld_offline_area_dialog_start (dialog);
  g_assert_true (ld_offline_area_dialog_get_busy (dialog));
  ld_test_wait_for (progressing, dialog, 60);
  {
    /* The Stop button is the dialog's cancel button. */
    GtkWidget *stop = ld_test_find_labelled (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, "停止");

    g_assert_nonnull (stop);
    g_signal_emit_by_name (stop, "clicked");
  }
  ld_test_wait_for (not_busy, dialog, 60);
  g_test_message ("stopped: %s", ld_offline_area_dialog_get_status (dialog));
  g_assert_nonnull (strstr (ld_offline_area_dialog_get_status (dialog), "已停止"));
  g_assert_cmpint (query_int (fixture->store_path, "SELECT count(*) FROM offline_areas"
                                                   " WHERE state = 'downloading'"), ==, 1);

  /* Resume: the same job to the end. */
  g_setenv ("LANDDESK_OFFLINE_AREA_PAGE_DELAY_MS", "0", TRUE);
  ld_offline_area_dialog_start (dialog);
  ld_test_wait_for (not_busy, dialog, 60);
  g_test_message ("done: %s", ld_offline_area_dialog_get_status (dialog));
  g_assert_nonnull (strstr (ld_offline_area_dialog_get_status (dialog), "已下载"));
  g_assert_cmpfloat (ld_offline_area_dialog_get_fraction (dialog), ==, 1.0);
  g_assert_cmpint (query_int (fixture->store_path, "SELECT count(*) FROM offline_areas"), ==, 1);
  g_assert_cmpint (query_int (fixture->store_path, "SELECT count(*) FROM offline_areas"
                                                   " WHERE state = 'done'"), ==, 1);
  g_assert_cmpint (query_int (fixture->store_path, "SELECT count(*) FROM xz_dltb"), >, 50);
  g_assert_cmpint (query_int (mbtiles, "SELECT count(DISTINCT zoom_level) FROM tiles"), ==, 7);

  /* Identify on the map finds the downloaded land use at the area's centre. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) hits = ld_map_status_identify (status, 20.98, 110.24, &error);
    gboolean found = FALSE;

    g_assert_no_error (error);
    for (guint i = 0; i < hits->len; i++)
      found |= g_str_equal (((LdFeatureHit *) hits->pdata[i])->table, "xz_dltb");
    g_assert_true (found);
  }

  /* The window now uses the downloaded base map. */
  basemap = g_settings_get_string (settings, "basemap-file");
  g_assert_cmpstr (basemap, ==, mbtiles);
  save_picture (GTK_WIDGET (dialog), "offline-area-dialog-zh-cn.png");
  gtk_window_close (GTK_WINDOW (dialog));

  /* Signed in through sync (its saved token): a second area needs no password. */
  {
    g_autoptr(LdSync) sync = ld_sync_new (fixture->url);
    g_autoptr(GError) error = NULL;
    LdOfflineAreaDialog *second;

    ld_sync_set_credentials (sync, "li.na", PW);
    g_assert_true (ld_sync_login (sync, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (ld_sync_save_token (sync, &error));
    gtk_widget_activate_action (GTK_WIDGET (window), "win.offline-area", NULL);
    for (guint i = 0; i < 3; i++)
      ld_map_status_add_point (status, corners[i][0], corners[i][1]);
    gtk_widget_activate_action (GTK_WIDGET (status), "map.area-done", NULL);
    second = find_dialog ();
    g_assert_nonnull (second);
    g_assert_true (second != dialog);
    ld_offline_area_dialog_estimate (second);
    ld_test_wait_for (not_busy, second, 60);
    g_test_message ("second estimate: %s (%s)", ld_offline_area_dialog_get_estimate_text (second),
                    ld_offline_area_dialog_get_status (second));
    g_assert_nonnull (strstr (ld_offline_area_dialog_get_estimate_text (second), "个要素"));
    gtk_window_close (GTK_WINDOW (second));
  }
}

static void
activated_cb (GApplication *app,
              Fixture      *fixture)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  drive_window (LD_WINDOW (window), fixture);
  fixture->done = TRUE;
  g_application_quit (app);
}

static void
test_draw_and_download (void)
{
  g_autofree char *dir = g_dir_make_tmp ("landdesk-offline-ui-XXXXXX", NULL);
  g_autofree char *server_dir = g_build_filename (dir, "server", NULL);
  g_autofree char *demo_dir = g_build_filename (dir, "demo", NULL);
  g_autofree char *gpkg = g_build_filename (demo_dir, LD_DEMO_GPKG_NAME, NULL);
  g_autofree char *mbtiles = g_build_filename (demo_dir, LD_DEMO_BASEMAP_NAME, NULL);
  g_autoptr(LdDemo) demo = ld_demo_new (20240101);
  g_autoptr(LdTestServer) server = NULL;
  g_autoptr(LdApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  Fixture fixture = { 0 };
  char *argv[6] = { (char *) "landdesk", (char *) "--store", NULL, (char *) "--server", NULL,
                    NULL };

  ld_demo_set_patches (demo, 20000);
  ld_demo_set_cases (demo, 10);
  ld_demo_set_gmt (demo, "missing-program");
  g_assert_cmpint (g_mkdir_with_parents (demo_dir, 0700), ==, 0);
  if (!ld_demo_write (demo, demo_dir, NULL, NULL, &error))
    g_error ("demo: %s", error->message);
  server = ld_test_server_start (server_dir, "--init-demo", gpkg, "--demo-password", PW,
                                 "--basemap", mbtiles, NULL);
  url = g_strndup (server->url, strlen (server->url) - 1);   /* without the final '/' */
  fixture.store_path = g_build_filename (dir, "store.gpkg", NULL);

  app = ld_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (activated_cb), &fixture);
  argv[2] = fixture.store_path;
  argv[4] = url;
  fixture.url = url;
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 5, argv), ==, 0);
  g_assert_true (fixture.done);
  g_free (fixture.store_path);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *config = g_dir_make_tmp ("landdesk-offline-ui-config-XXXXXX", NULL);

  /* Saved sign-ins go here, not into the real configuration. */
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  if (setlocale (LC_ALL, "zh_CN.UTF-8") == NULL)
    g_error ("The zh_CN.UTF-8 locale is missing: build-aux/deps.sh generates it");
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  bindtextdomain (GETTEXT_PACKAGE, ld_paths_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/offline-area/draw-and-download", test_draw_and_download);

  return g_test_run ();
}
