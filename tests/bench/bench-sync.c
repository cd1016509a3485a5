/* bench-sync.c: the sync client's figures against a real landdesk-server
 *
 *   bench-sync [--changes N] [--ops N]
 *
 * Fills the server's change feed to N entries (100 000; one in fifty a new case, whose
 * deadline the pull computes, the rest opinions), then pulls it all into an empty
 * store with LdSync (HTTP, JSON, the store's upserts with the cursor, one transaction a page)
 * beside the anchor: the same pages fetched and parsed with no store, in the same run. Then
 * pushes --ops outbox ops (10 000) with LdSync (batches, acknowledgements written back)
 * beside the anchor: the same number of ops POSTed raw. Prints seconds, targets and ratios.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>
#include <stdio.h>

#include "ld-core.h"
#include "ld-test-server-demo.h"
#include "ld-test-server.h"
#include "ld-test-util.h"

#define PW "bench-pass"
#define BATCH 1000

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* One op in fifty registers a case (so the pull computes deadlines; a new case starts at
 * intake, as the server's workflow rules want), the rest are opinions: the server takes new
 * cases slowly once it holds thousands (reported, its side). */
static char *
op_json (const char *prefix,
         guint       i)
{
  if (i % 50 == 0)
    return g_strdup_printf (
        "{\"op_id\":\"%s-op-%u\",\"entity\":\"case\",\"entity_id\":\"%s-case-%u\","
        "\"kind\":\"insert\",\"base_version\":0,\"user\":\"zhang.wei\","
        "\"at\":\"2025-05-01T10:00:00+08:00\",\"fields\":{"
        "\"number\":{\"base\":null,\"value\":\"ZJYS-2025-%06u\"},"
        "\"matter\":{\"base\":null,\"value\":\"land-prereview\"},"
        "\"title\":{\"base\":null,\"value\":\"湛江测试项目%u\"},"
        "\"stage\":{\"base\":null,\"value\":\"intake\"},"
        "\"status\":{\"base\":null,\"value\":\"active\"},"
        "\"received_on\":{\"base\":null,\"value\":\"2025-03-03\"}}}",
        prefix, i, prefix, i, i, i);
  return g_strdup_printf (
      "{\"op_id\":\"%s-op-%u\",\"entity\":\"opinion\",\"entity_id\":\"%s-%u\","
      "\"kind\":\"insert\",\"base_version\":0,\"user\":\"zhang.wei\","
      "\"at\":\"2025-05-01T10:00:00+08:00\",\"fields\":{"
      "\"case_id\":{\"base\":null,\"value\":\"" LD_TEST_CASE_EXAMINE "\"},"
      "\"author\":{\"base\":null,\"value\":\"zhang.wei\"},"
      "\"text\":{\"base\":null,\"value\":\"经审查，该项目选址符合国土空间规划，同意。第%u条\"},"
      "\"stage\":{\"base\":null,\"value\":\"examine\"}}}", prefix, i, prefix, i, i);
}

/* The anchor push: raw POSTs, batches of BATCH. */
static double
push_raw (LdTestServer *server,
          const char   *token,
          guint         n,
          const char   *prefix)
{
  double total = 0;

  for (guint start = 0; start < n; start += BATCH)
    {
      g_autoptr(GString) body = g_string_new ("{\"ops\":[");
      g_autoptr(LdTestResponse) res = NULL;
      double t0;

      for (guint i = start; i < MIN (start + BATCH, n); i++)
        {
          g_autofree char *op = op_json (prefix, i);

          if (i > start)
            g_string_append_c (body, ',');
          g_string_append (body, op);
        }
      g_string_append (body, "]}");
      t0 = now_s ();
      res = ld_test_server_call (server, "POST", "/api/v1/ops", token, NULL, body->str,
                                 (gssize) body->len, NULL);
      total += now_s () - t0;
      if (res->status != 200)
        g_error ("push failed: %u", res->status);
    }
  return total;
}

/* The anchor pull: the same pages fetched and parsed, nothing stored. */
static double
pull_raw (LdTestServer *server,
          const char   *token,
          guint         page,
          gint64       *pulled)
{
  double t0 = now_s ();
  gint64 since = 0;
  gboolean more = TRUE;

  *pulled = 0;
  while (more)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/changes?since=%" G_GINT64_FORMAT
                                               "&limit=%u", since, page);
      g_autoptr(LdTestResponse) res = ld_test_server_call (server, "GET", path, token, NULL,
                                                           NULL, 0, NULL);
      JsonObject *obj = ld_test_response_object (res);

      *pulled += json_array_get_length (json_object_get_array_member (obj, "changes"));
      since = json_object_get_int_member (obj, "next");
      more = json_object_get_boolean_member (obj, "more");
    }
  return now_s () - t0;
}

/* Puts @n ops in the store's outbox, as edits would (not timed). */
static void
fill_outbox (const char *store_path,
             guint       n)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert (sqlite3_open (store_path, &db) == SQLITE_OK);
  sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
  g_assert (sqlite3_prepare_v2 (db, "INSERT INTO outbox (op_id, entity, entity_id, kind,"
                                    " base_version, op, created_at) VALUES (?, 'opinion', ?,"
                                    " 'insert', 0, ?, '2025-05-01T10:00:00+08:00')", -1, &stmt,
                                NULL) == SQLITE_OK);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *op = op_json ("client", i);
      g_autofree char *op_id = g_strdup_printf ("client-op-%u", i);
      g_autofree char *id = g_strdup_printf ("client-%u", i);

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, op_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, op, -1, SQLITE_TRANSIENT);
      g_assert (sqlite3_step (stmt) == SQLITE_DONE);
    }
  sqlite3_finalize (stmt);
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  sqlite3_close (db);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *tmp = g_dir_make_tmp ("landdesk-bench-sync-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (tmp, "server", NULL);
  g_autofree char *store_path = g_build_filename (tmp, "store.gpkg", NULL);
  g_autofree char *gpkg = NULL;
  g_autofree char *token = NULL;
  g_autoptr(LdTestServer) server = NULL;
  g_autoptr(LdStore) store = NULL;
  g_autoptr(LdSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- the sync client's figures");
  gint64 n_changes = 100000, n_ops = 10000, head, pulled;
  GOptionEntry entries[] = {
    { "changes", 0, 0, G_OPTION_ARG_INT64, &n_changes, "Change-feed entries to pull", "N" },
    { "ops", 0, 0, G_OPTION_ARG_INT64, &n_ops, "Outbox ops to push", "N" },
    { NULL }
  };
  LdSyncCounts c;
  double t0, ours, anchor;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, NULL))
    return 2;
  g_setenv ("XDG_CACHE_HOME", tmp, TRUE);
  gpkg = ld_test_demo_gpkg ("demo.gpkg");
  server = ld_test_server_start (dir, "--init-demo", gpkg, "--demo-password", PW, NULL);
  token = ld_test_server_login (server, "zhang.wei", PW);
  {
    g_autoptr(LdTestResponse) h = ld_test_server_call (server, "GET", "/healthz", NULL, NULL,
                                                       NULL, 0, NULL);
    head = json_object_get_int_member (ld_test_response_object (h), "seq");
  }
  if (head < n_changes)
    {
      t0 = now_s ();
      push_raw (server, token, (guint) (n_changes - head), "fill");
      printf ("fill: %" G_GINT64_FORMAT " ops to reach %" G_GINT64_FORMAT " changes: %.2f s\n",
              n_changes - head, n_changes, now_s () - t0);
    }

  /* pull */
  anchor = pull_raw (server, token, 5000, &pulled);
  store = ld_store_create (store_path, &error);
  g_assert_no_error (error);
  sync = ld_sync_new (server->url);
  ld_sync_set_credentials (sync, "zhang.wei", PW);
  ld_sync_set_token (sync, token);
  t0 = now_s ();
  if (!ld_sync_pull (sync, store, &c, NULL, &error))
    g_error ("pull: %s", error->message);
  ours = now_s () - t0;
  printf ("pull %u changes into an empty store: %.2f s (target <= 10 s for 100 000);"
          " anchor (same pages fetched and parsed, no store): %" G_GINT64_FORMAT " in %.2f s;"
          " ratio %.2f\n", c.pulled, ours, pulled, anchor, ours / anchor);

  /* push */
  g_clear_object (&store);
  fill_outbox (store_path, (guint) n_ops);
  store = ld_store_open (store_path, &error);
  g_assert_no_error (error);
  t0 = now_s ();
  if (!ld_sync_push (sync, store, &c, NULL, &error))
    g_error ("push: %s", error->message);
  ours = now_s () - t0;
  if (c.applied != n_ops || ld_store_count_outbox (store) != 0)
    g_error ("push: %u of %" G_GINT64_FORMAT " applied (%u duplicates, %u conflicts,"
             " %u rejected), %" G_GINT64_FORMAT " left", c.applied, n_ops, c.duplicates,
             c.conflicts, c.rejected, ld_store_count_outbox (store));
  anchor = push_raw (server, token, (guint) n_ops, "anchor");
  printf ("push %u ops from the outbox: %.2f s (target <= 5 s for 10 000); anchor (the same"
          " number POSTed raw in batches of %d): %.2f s; ratio %.2f\n", c.applied, ours, BATCH,
          anchor, ours / anchor);

  ld_test_server_stop (server, NULL);
  return 0;
}
