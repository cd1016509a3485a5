/* test-server.c: landdesk-server over real HTTP on 127.0.0.1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <signal.h>
#include <libsoup/soup.h>

#include "ld-test-server-demo.h"
#include "ld-test-server.h"
#include "ld-test-util.h"

#define PW LD_TEST_DEMO_PASSWORD

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



static void
test_metrics (void)
{
  g_autoptr(LdTestServer) server = ld_test_demo_server (NULL, NULL, NULL);
  g_autofree char *token = ld_test_server_login (server, "admin", PW);
  g_autoptr(LdTestResponse) res = NULL;
  g_autofree char *text = NULL;
  g_autofree char *head = NULL;

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(LdTestResponse) c = ld_test_server_call (server, "GET", "/api/v1/changes?limit=1",
                                                         token, NULL, NULL, 0, NULL);
      g_assert_cmpuint (c->status, ==, 200);
    }
  res = ld_test_server_call (server, "GET", "/metrics", token, NULL, NULL, 0, NULL);
  g_assert_cmpuint (res->status, ==, 200);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (res->headers, NULL),
                                   "text/plain"));
  text = g_strndup (g_bytes_get_data (res->body, NULL), g_bytes_get_size (res->body));
  g_assert_nonnull (strstr (text, "landdesk_http_requests_total{route=\"/api/v1/changes\","
                                  "status=\"200\"} 3\n"));
  g_assert_nonnull (strstr (text, "landdesk_http_requests_total{route=\"/api/v1/login\","
                                  "status=\"200\"} 1\n"));
  g_assert_nonnull (strstr (text, "landdesk_http_request_duration_seconds_count{route=\"/api/v1/"
                                  "changes\"} 3\n"));
  g_assert_nonnull (strstr (text, "landdesk_sync_ops_total{result=\"conflict\"} 0\n"));
  head = g_strdup_printf ("landdesk_changes_head_seq %" G_GINT64_FORMAT "\n", ld_test_server_head_seq (server));
  g_assert_nonnull (strstr (text, head));
}

typedef struct
{
  GMainLoop               *loop;
  SoupWebsocketConnection *conn;
  GPtrArray               *messages;
  GError                  *error;
} SocketState;

static void
socket_message_cb (SoupWebsocketConnection *conn,
                   int                      type,
                   GBytes                  *message,
                   gpointer                 user_data)
{
  SocketState *st = user_data;

  g_ptr_array_add (st->messages, g_strndup (g_bytes_get_data (message, NULL),
                                            g_bytes_get_size (message)));
  g_main_loop_quit (st->loop);
}

static void
socket_connected_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  SocketState *st = user_data;

  st->conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &st->error);
  if (st->conn != NULL)
    g_signal_connect (st->conn, "message", G_CALLBACK (socket_message_cb), st);
  else
    g_main_loop_quit (st->loop);
}

static gboolean
timeout_cb (gpointer user_data)
{
  g_error ("timed out waiting for the WebSocket");
  return G_SOURCE_REMOVE;
}

static void
wait_message (SocketState *st,
              guint        count)
{
  guint id = g_timeout_add_seconds (10, timeout_cb, NULL);

  while (st->messages->len < count && st->error == NULL)
    g_main_loop_run (st->loop);
  g_source_remove (id);
  g_assert_no_error (st->error);
}

static void
test_events (void)
{
  g_autoptr(LdTestServer) server = ld_test_demo_server (NULL, NULL, NULL);
  g_autofree char *token = ld_test_server_login (server, "zhang.wei", PW);
  g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
  g_autofree char *url = ld_test_server_url (server, "/api/v1/events");
  g_autofree char *expected = NULL;
  g_autofree char *op = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(SoupMessage) anon = NULL;
  g_autoptr(LdTestResponse) push = NULL;
  g_autoptr(GError) error = NULL;
  SocketState st = { 0 };
  gint64 seq = ld_test_server_head_seq (server);

  st.loop = g_main_loop_new (NULL, FALSE);
  st.messages = g_ptr_array_new_with_free_func (g_free);

  /* Without a token the upgrade is refused. */
  anon = soup_message_new ("GET", url);
  soup_session_websocket_connect_async (server->session, anon, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, socket_connected_cb, &st);
  g_main_loop_run (st.loop);
  g_assert_null (st.conn);
  g_assert_nonnull (st.error);
  g_assert_cmpuint (soup_message_get_status (anon), ==, 401);
  g_clear_error (&st.error);

  msg = soup_message_new ("GET", url);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_session_websocket_connect_async (server->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, socket_connected_cb, &st);
  wait_message (&st, 1);
  expected = g_strdup_printf ("{\"seq\":%" G_GINT64_FORMAT "}", seq);
  g_assert_cmpstr (st.messages->pdata[0], ==, expected);

  /* A change by anyone: the socket hears the new sequence. */
  op = g_strdup_printf ("{\"ops\": [{\"op_id\": \"e1\", \"entity\": \"opinion\", \"entity_id\":"
                        " \"o-events\", \"kind\": \"insert\", \"base_version\": 0, \"fields\": {"
                        "\"case_id\": {\"base\": null, \"value\": \"%s\"}, \"text\": {\"base\":"
                        " null, \"value\": \"同意\"}}}]}", LD_TEST_CASE_EXAMINE);
  push = ld_test_server_call (server, "POST", "/api/v1/ops", token, NULL, op, -1, NULL);
  g_assert_cmpuint (push->status, ==, 200);
  wait_message (&st, 2);
  g_free (expected);
  expected = g_strdup_printf ("{\"seq\":%" G_GINT64_FORMAT "}", seq + 1);
  g_assert_cmpstr (st.messages->pdata[1], ==, expected);

  /* A listening socket is not a request in flight: SIGTERM does not wait for it. */
  {
    gint64 start = g_get_monotonic_time ();

    g_assert_cmpint (ld_test_server_stop (server, NULL), ==, 0);
    g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  }
  soup_websocket_connection_close (st.conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&st.conn);
  g_ptr_array_unref (st.messages);
  g_main_loop_unref (st.loop);
}

static void
read_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                               NULL);
  *(gboolean *) user_data = TRUE;
}

static gboolean
accept_cert_cb (SoupMessage          *msg,
                GTlsCertificate      *peer,
                GTlsCertificateFlags  errors,
                gpointer              user_data)
{
  g_autoptr(GTlsCertificate) ours = g_tls_certificate_new_from_file (user_data, NULL);

  return ours != NULL && g_tls_certificate_is_same (ours, peer);
}

/* Several workers share the port, the login throttle and the metrics; a socket on one of them
 * hears about writes made through the others. */
static void
test_workers (void)
{
  g_autoptr(LdTestServer) server = ld_test_demo_server (NULL, "--workers", "3");
  g_autofree char *token = ld_test_server_login (server, "zhang.wei", PW);
  g_autofree char *admin = ld_test_server_login (server, "admin", PW);
  g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
  g_autofree char *url = ld_test_server_url (server, "/api/v1/events");
  g_autofree char *expected = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(LdTestResponse) metrics = NULL;
  g_autofree char *text = NULL;
  SocketState st = { 0 };
  gint64 seq = ld_test_server_head_seq (server);
  const guint n = 8;

  st.loop = g_main_loop_new (NULL, FALSE);
  st.messages = g_ptr_array_new_with_free_func (g_free);
  msg = soup_message_new ("GET", url);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_session_websocket_connect_async (server->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, socket_connected_cb, &st);
  wait_message (&st, 1);

  /* Each push on a fresh connection: the kernel spreads them over the workers. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SoupSession) fresh = ld_test_session ();
      g_autofree char *ops_url = ld_test_server_url (server, "/api/v1/ops");
      g_autoptr(SoupMessage) post = soup_message_new ("POST", ops_url);
      g_autofree char *body = g_strdup_printf (
          "{\"ops\": [{\"op_id\": \"w%u\", \"entity\": \"opinion\", \"entity_id\": \"o-w%u\","
          " \"kind\": \"insert\", \"base_version\": 0, \"fields\": {\"case_id\": {\"base\": null,"
          " \"value\": \"%s\"}}}]}", i, i, LD_TEST_CASE_EXAMINE);
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      g_autoptr(GBytes) reply = NULL;
      g_autoptr(GError) error = NULL;

      soup_message_headers_replace (soup_message_get_request_headers (post), "Authorization",
                                    auth);
      soup_message_set_request_body_from_bytes (post, "application/json", bytes);
      reply = soup_session_send_and_read (fresh, post, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (soup_message_get_status (post), ==, 200);
      g_assert_nonnull (strstr (g_bytes_get_data (reply, NULL), "\"applied\""));
    }
  g_assert_cmpint (ld_test_server_head_seq (server), ==, seq + n);

  /* The socket ends up announcing the last sequence, whichever worker wrote it. */
  expected = g_strdup_printf ("{\"seq\":%" G_GINT64_FORMAT "}", seq + n);
  while (!g_str_equal (st.messages->pdata[st.messages->len - 1], expected))
    wait_message (&st, st.messages->len + 1);

  metrics = ld_test_server_call (server, "GET", "/metrics", admin, NULL, NULL, 0, NULL);
  g_assert_cmpuint (metrics->status, ==, 200);
  text = g_strndup (g_bytes_get_data (metrics->body, NULL), g_bytes_get_size (metrics->body));
  g_assert_nonnull (strstr (text, "landdesk_sync_ops_total{result=\"applied\"} 8\n"));
  g_assert_nonnull (strstr (text, "landdesk_http_requests_total{route=\"/api/v1/login\","
                                  "status=\"200\"} 2\n"));

  soup_websocket_connection_close (st.conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&st.conn);
  g_ptr_array_unref (st.messages);
  g_main_loop_unref (st.loop);
  g_assert_cmpint (ld_test_server_stop (server, NULL), ==, 0);
}

/* SIGTERM while a request is in flight (a slowed login): it is answered, then the server exits. */
static void
test_shutdown_finishes_requests (void)
{
  g_autoptr(LdTestServer) server = ld_test_demo_server (NULL, NULL, NULL);
  g_autofree char *bad = ld_test_login_body ("wang.fang", "wrong");
  g_autofree char *good = ld_test_login_body ("wang.fang", PW);
  g_autofree char *url = ld_test_server_url (server, "/api/v1/login");
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) body = g_bytes_new (good, strlen (good));
  g_autofree char *log = NULL;
  GMainContext *ctx = g_main_context_default ();
  gboolean done = FALSE;

  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(LdTestResponse) res = ld_test_server_call (server, "POST", "/api/v1/login", NULL,
                                                           NULL, bad, -1, NULL);
      g_assert_cmpuint (res->status, ==, 401);
    }
  /* The next login waits a second before it is verified: stop the server meanwhile. */
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  soup_session_send_and_read_async (server->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    read_done_cb, &done);
  for (guint i = 0; i < 20; i++)
    {
      g_main_context_iteration (ctx, FALSE);
      g_usleep (10 * 1000);
    }
  g_subprocess_send_signal (server->process, SIGTERM);
  while (!done)
    g_main_context_iteration (ctx, TRUE);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpint (ld_test_server_stop (server, &log), ==, 0);
  g_assert_nonnull (strstr (log, "finishing the requests in flight"));
  g_assert_nonnull (strstr (log, "stopped"));
}

static void
test_demo_load_once (void)
{
  g_autofree char *dir = data_dir ();
  g_autofree char *gpkg = ld_test_demo_gpkg ("demo.gpkg");
  gint64 first_seq, second_seq;
  g_autofree char *log = NULL;

  {
    g_autoptr(LdTestServer) server = ld_test_server_start (dir, "--init-demo", gpkg, NULL);
    g_autofree char *line = g_data_input_stream_read_line_utf8 (server->lines, NULL, NULL, NULL);
    const char *pw;
    g_autofree char *token = NULL;

    /* No --demo-password: a random one, printed once after the URL. */
    g_assert_nonnull (line);
    g_assert_true (g_str_has_prefix (line, "demo password for every demo user (shown once): "));
    pw = strrchr (line, ' ') + 1;
    g_assert_cmpuint (strlen (pw), ==, 16);
    token = ld_test_server_login (server, "chen.gang", pw);
    first_seq = ld_test_server_head_seq (server);
    /* users + cases + events + red lines + reference files, one change each */
    g_assert_cmpint (first_seq, ==, LD_TEST_N_USERS + LD_TEST_N_CASES + LD_TEST_N_CASES + 2
                                    + LD_TEST_N_REFERENCE);
    g_assert_cmpint (ld_test_server_stop (server, NULL), ==, 0);
  }
  {
    g_autoptr(LdTestServer) server = ld_test_server_start (dir, "--init-demo", gpkg,
                                                           "--demo-password", "other", NULL);

    second_seq = ld_test_server_head_seq (server);
    g_assert_cmpint (ld_test_server_stop (server, &log), ==, 0);
    g_assert_nonnull (strstr (log, "demo already loaded"));
  }
  g_assert_cmpint (second_seq, ==, first_seq);
}

static void
test_demo_bad_file (void)
{
  g_autofree char *dir = data_dir ();
  g_autofree char *junk = ld_test_path ("junk.gpkg");
  g_autoptr(LdTestRun) run = NULL;

  g_assert_true (g_file_set_contents (junk, "not a geopackage", -1, NULL));
  run = ld_test_run (NULL, ld_test_binary ("LANDDESK_SERVER"), "--data", dir, "--listen",
                     "127.0.0.1:0", "--init-demo", junk, NULL);
  g_assert_cmpint (run->status, ==, 1);
  g_assert_nonnull (strstr (run->err, junk));
}

static void
test_tls (void)
{
  g_autofree char *dir = data_dir ();
  g_autofree char *cert = ld_test_path ("cert.pem");
  g_autofree char *key = ld_test_path ("key.pem");
  g_autofree char *openssl_bin = g_find_program_in_path ("openssl");
  g_autoptr(LdTestRun) openssl = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupSession) session = ld_test_session ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;

  if (openssl_bin == NULL)
    {
      g_test_skip ("openssl is not installed (build-aux/deps.sh installs it)");
      return;
    }
  openssl = ld_test_run (NULL, openssl_bin, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                         "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                         "-days", "1", "-subj", "/CN=127.0.0.1", NULL);
  g_assert_cmpint (openssl->status, ==, 0);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                           &error, ld_test_binary ("LANDDESK_SERVER"), "--data", dir, "--listen",
                           "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "listening on https://127.0.0.1:"));
  url = g_strconcat (line + strlen ("listening on "), "healthz", NULL);
  msg = soup_message_new ("GET", url);
  /* The self-signed certificate: accept exactly it. */
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_cert_cb), cert);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait (proc, NULL, NULL);
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
  g_test_add_func ("/server/demo-load-once", test_demo_load_once);
  g_test_add_func ("/server/demo-bad-file", test_demo_bad_file);
  g_test_add_func ("/server/metrics", test_metrics);
  g_test_add_func ("/server/events", test_events);
  g_test_add_func ("/server/workers", test_workers);
  g_test_add_func ("/server/shutdown-finishes-requests", test_shutdown_finishes_requests);
  g_test_add_func ("/server/tls", test_tls);

  return g_test_run ();
}
