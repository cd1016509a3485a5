/* bench-server.c: landdesk-server's sync figures, measured against a real server
 *
 *   bench-server [--ops N] [--changes N] [--wrk-out FILE]
 *
 * Pushes N ops (10 000 by default, in batches of 1000) and reports the time against the
 * 5 s target; fills the change feed to --changes entries (100 000) and pulls it all, page by
 * page, against the 10 s target. With --wrk-out it leaves a server running with a token and
 * a saved /changes response for tests/bench/bench-changes.sh (wrk beside nginx).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdio.h>

#include "ld-test-server-demo.h"
#include "ld-test-server.h"
#include "ld-test-util.h"

#define PW "bench-pass"

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static GString *
batch (guint start,
       guint count,
       const char *prefix)
{
  GString *body = g_string_new ("{\"ops\":[");

  for (guint i = start; i < start + count; i++)
    {
      if (i > start)
        g_string_append_c (body, ',');
      g_string_append_printf (body,
          "{\"op_id\":\"%s-op-%u\",\"entity\":\"opinion\",\"entity_id\":\"%s-%u\","
          "\"kind\":\"insert\",\"base_version\":0,\"user\":\"zhang.wei\","
          "\"at\":\"2025-05-01T10:00:00+08:00\",\"fields\":{"
          "\"case_id\":{\"base\":null,\"value\":\"" LD_TEST_CASE_EXAMINE "\"},"
          "\"text\":{\"base\":null,\"value\":\"经审查，该项目选址符合国土空间规划，同意。第%u条\"},"
          "\"stage\":{\"base\":null,\"value\":\"examine\"}}}", prefix, i, prefix, i, i);
    }
  g_string_append (body, "]}");
  return body;
}

static double
push_ops (LdTestServer *server,
          const char   *token,
          guint         n,
          const char   *prefix)
{
  double t0 = now_s (), total = 0;

  for (guint start = 0; start < n; start += 1000)
    {
      g_autoptr(GString) body = batch (start, MIN (1000, n - start), prefix);
      g_autoptr(LdTestResponse) res = NULL;

      t0 = now_s ();
      res = ld_test_server_call (server, "POST", "/api/v1/ops", token, NULL, body->str,
                                 (gssize) body->len, NULL);
      total += now_s () - t0;
      if (res->status != 200)
        g_error ("push failed: %u", res->status);
    }
  return total;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *tmp = g_dir_make_tmp ("landdesk-bench-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (tmp, "server", NULL);
  g_autofree char *gpkg = NULL;
  g_autofree char *token = NULL;
  g_autoptr(LdTestServer) server = NULL;
  gint64 n_ops = 10000, n_changes = 100000;
  g_autofree char *wrk_out = NULL;
  g_autofree char *workers = NULL;
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- landdesk-server sync figures");
  GOptionEntry entries[] = {
    { "ops", 0, 0, G_OPTION_ARG_INT64, &n_ops, "Ops to push", "N" },
    { "changes", 0, 0, G_OPTION_ARG_INT64, &n_changes, "Change-feed entries to pull", "N" },
    { "workers", 0, 0, G_OPTION_ARG_STRING, &workers, "landdesk-server --workers", "N" },
    { "wrk-out", 0, 0, G_OPTION_ARG_FILENAME, &wrk_out,
      "Keep the server running and write URL, token and a response here", "FILE" },
    { NULL }
  };
  double push_s, pull_s, t0;
  gint64 pulled = 0, since = 0, head;
  guint pages = 0;
  gboolean more = TRUE;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, NULL))
    return 2;
  g_setenv ("XDG_CACHE_HOME", tmp, TRUE);
  gpkg = ld_test_demo_gpkg ("demo.gpkg");
  server = ld_test_server_start (dir, "--init-demo", gpkg, "--demo-password", PW,
                                 workers ? "--workers" : NULL, workers, NULL);
  token = ld_test_server_login (server, "zhang.wei", PW);

  push_s = push_ops (server, token, (guint) n_ops, "push");
  printf ("push: %" G_GINT64_FORMAT " ops in batches of 1000: %.2f s (%.0f ops/s; target <= 5 s"
          " for 10 000)\n", n_ops, push_s, n_ops / push_s);

  {
    g_autoptr(LdTestResponse) h = ld_test_server_call (server, "GET", "/healthz", NULL, NULL,
                                                       NULL, 0, NULL);
    head = json_object_get_int_member (ld_test_response_object (h), "seq");
  }
  if (head < n_changes)
    {
      t0 = now_s ();
      push_ops (server, token, (guint) (n_changes - head), "fill");
      printf ("fill: %" G_GINT64_FORMAT " more ops to reach %" G_GINT64_FORMAT " changes: %.2f s\n",
              n_changes - head, n_changes, now_s () - t0);
    }

  t0 = now_s ();
  while (more)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/changes?since=%" G_GINT64_FORMAT
                                               "&limit=1000", since);
      g_autoptr(LdTestResponse) res = ld_test_server_call (server, "GET", path, token, NULL,
                                                           NULL, 0, NULL);
      JsonObject *obj = ld_test_response_object (res);

      pulled += json_array_get_length (json_object_get_array_member (obj, "changes"));
      since = json_object_get_int_member (obj, "next");
      more = json_object_get_boolean_member (obj, "more");
      pages++;
    }
  pull_s = now_s () - t0;
  printf ("pull: %" G_GINT64_FORMAT " changes in %u pages of 1000 (HTTP + JSON parse, no local"
          " store yet): %.2f s (%.0f changes/s; target <= 10 s for 100 000)\n", pulled, pages,
          pull_s, pulled / pull_s);

  if (wrk_out != NULL)
    {
      g_autofree char *path = g_strdup ("/api/v1/changes?since=0&limit=100");
      g_autoptr(LdTestResponse) res = ld_test_server_call (server, "GET", path, token, NULL,
                                                           NULL, 0, NULL);
      g_autofree char *body_file = g_strconcat (wrk_out, ".body", NULL);
      g_autofree char *info = g_strdup_printf ("URL=%s\nTOKEN=%s\nPID=%s\n", server->url, token,
                                               g_subprocess_get_identifier (server->process));

      g_file_set_contents (body_file, g_bytes_get_data (res->body, NULL),
                           (gssize) g_bytes_get_size (res->body), NULL);
      g_file_set_contents (wrk_out, info, -1, NULL);
      printf ("server left running for wrk: %s\n", wrk_out);
      fflush (stdout);
      /* Wait until the script is done with it (it closes our stdin). */
      {
        char buf[16];

        while (fread (buf, 1, sizeof buf, stdin) > 0)
          ;
      }
    }
  ld_test_server_stop (server, NULL);
  return 0;
}
