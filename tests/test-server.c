/* test-server.c: landdesk-server over real HTTP on 127.0.0.1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ld-test-server.h"
#include "ld-test-util.h"

static char *
data_dir (void)
{
  return ld_test_path ("server-data");
}

static GBytes *
request (LdTestServer *server,
         const char   *method,
         const char   *path,
         guint        *status,
         char        **content_type)
{
  g_autoptr(SoupSession) session = ld_test_session ();
  g_autofree char *url = ld_test_server_url (server, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  GBytes *body = soup_session_send_and_read (session, msg, NULL, &error);

  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  if (content_type != NULL)
    *content_type = g_strdup (soup_message_headers_get_content_type (
        soup_message_get_response_headers (msg), NULL));
  return body;
}

static JsonObject *
parse_object (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  json_parser_load_from_data (parser, data, (gssize) len, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_healthz (void)
{
  g_autofree char *dir = data_dir ();
  g_autoptr(LdTestServer) server = ld_test_server_start (dir, NULL);
  g_autofree char *type = NULL;
  g_autofree char *log = NULL;
  g_autofree char *db = g_build_filename (dir, "landdesk-server.db", NULL);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonObject) obj = NULL;
  guint status;

  body = request (server, "GET", "/healthz", &status, &type);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (type, ==, "application/json");
  obj = parse_object (body);
  g_assert_cmpstr (json_object_get_string_member (obj, "status"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (obj, "service"), ==, "landdesk-server");
  g_assert_cmpstr (json_object_get_string_member (obj, "version"), ==, PACKAGE_VERSION);
  g_assert_cmpstr (json_object_get_string_member (obj, "store"), ==, "sqlite");
  g_assert_true (g_file_test (db, G_FILE_TEST_IS_REGULAR));

  /* SIGTERM stops it cleanly, and every request was logged. */
  g_assert_cmpint (ld_test_server_stop (server, &log), ==, 0);
  g_assert_nonnull (strstr (log, "GET /healthz 200"));
  g_assert_nonnull (strstr (log, "stopped"));
}

static void
test_errors_are_json (void)
{
  g_autofree char *dir = data_dir ();
  g_autoptr(LdTestServer) server = ld_test_server_start (dir, NULL);
  g_autoptr(GBytes) missing = NULL;
  g_autoptr(GBytes) post = NULL;
  g_autoptr(JsonObject) obj = NULL;
  guint status;

  missing = request (server, "GET", "/no/such/thing", &status, NULL);
  g_assert_cmpuint (status, ==, 404);
  obj = parse_object (missing);
  g_assert_nonnull (strstr (json_object_get_string_member (obj, "message"), "/no/such/thing"));

  post = request (server, "POST", "/healthz", &status, NULL);
  g_assert_cmpuint (status, ==, 405);
}

static void
test_bad_arguments (void)
{
  g_autofree char *dir = data_dir ();
  const char *server = ld_test_binary ("LANDDESK_SERVER");
  g_autoptr(LdTestRun) no_data = ld_test_run (NULL, server, NULL);
  g_autoptr(LdTestRun) bad_listen = ld_test_run (NULL, server, "--data", dir,
                                                 "--listen", "localhost", NULL);
  g_autoptr(LdTestRun) bad_host = ld_test_run (NULL, server, "--data", dir,
                                               "--listen", "nowhere:80", NULL);
  g_autoptr(LdTestRun) bad_dir = ld_test_run (NULL, server, "--data", "/proc/landdesk",
                                              "--listen", "127.0.0.1:0", NULL);

  g_assert_cmpint (no_data->status, ==, 2);
  g_assert_nonnull (strstr (no_data->err, "--data DIR is required"));
  g_assert_cmpint (bad_listen->status, ==, 1);
  g_assert_nonnull (strstr (bad_listen->err, "is not HOST:PORT"));
  g_assert_cmpint (bad_host->status, ==, 1);
  g_assert_nonnull (strstr (bad_host->err, "is not an IP address"));
  g_assert_cmpint (bad_dir->status, ==, 1);
  g_assert_nonnull (strstr (bad_dir->err, "/proc/landdesk"));
}

static void
test_port_in_use (void)
{
  g_autofree char *dir = data_dir ();
  g_autoptr(LdTestServer) first = ld_test_server_start (dir, NULL);
  g_autoptr(GUri) uri = g_uri_parse (first->url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%d", g_uri_get_port (uri));
  g_autoptr(LdTestRun) second = ld_test_run (NULL, ld_test_binary ("LANDDESK_SERVER"),
                                             "--data", dir, "--listen", listen, NULL);

  g_assert_cmpint (second->status, ==, 1);
  g_assert_nonnull (strstr (second->err, "landdesk-server:"));
}

int
main (int    argc,
      char **argv)
{
  ld_test_init (&argc, &argv);

  g_test_add_func ("/server/healthz", test_healthz);
  g_test_add_func ("/server/errors-are-json", test_errors_are_json);
  g_test_add_func ("/server/bad-arguments", test_bad_arguments);
  g_test_add_func ("/server/port-in-use", test_port_in_use);

  return g_test_run ();
}
