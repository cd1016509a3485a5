/* test-sync-ui.c: the sync indicator shows a real conflict and resolves it, in Chinese
 *
 * Two stores edit the same field of one case offline and sync with a real landdesk-server;
 * the second one's indicator must say there is a conflict, show both values, and "keep mine"
 * must become an op that the server then applies.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>

#include "ld-core.h"
#include "ld-sync-indicator.h"
#include "ld-test-server-demo.h"
#include "ld-test-server.h"
#include "ld-test-util.h"

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

/* The first widget of @type under @root whose label (or title) is @text. */
static GtkWidget *
find (GtkWidget  *root,
      GType       type,
      const char *text)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type))
        {
          const char *label = GTK_IS_BUTTON (c) ? gtk_button_get_label (GTK_BUTTON (c))
                              : ADW_IS_PREFERENCES_ROW (c)
                              ? adw_preferences_row_get_title (ADW_PREFERENCES_ROW (c))
                              : GTK_IS_LABEL (c) ? gtk_label_get_text (GTK_LABEL (c)) : NULL;

          if (g_strcmp0 (label, text) == 0)
            return c;
        }
      if ((found = find (c, type, text)) != NULL)
        return found;
    }
  return NULL;
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
  row = find (GTK_WIDGET (indicator), ADW_TYPE_ACTION_ROW, "title 有冲突");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "本机：乙的标题 · 服务器：甲的标题");
  g_assert_cmpstr (ld_sync_indicator_get_status (indicator), ==, "未连接服务器");

  /* keep mine: a new op, the conflict closed */
  button = find (row, GTK_TYPE_BUTTON, "保留本机");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  while (g_main_context_iteration (NULL, FALSE))
    ;
  ld_store_sync_count (b, &pending, &failed, &conflicts);
  g_assert_cmpuint (pending, ==, 1);
  g_assert_cmpuint (conflicts, ==, 0);
  g_assert_null (find (GTK_WIDGET (indicator), ADW_TYPE_ACTION_ROW, "title 有冲突"));
  g_assert_nonnull (find (GTK_WIDGET (indicator), ADW_TYPE_ACTION_ROW,
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
  ld_test_init (&argc, &argv);
  adw_init ();

  g_test_add_func ("/sync-ui/conflict-shown-and-resolved", test_conflict_shown_and_resolved);

  return g_test_run ();
}
