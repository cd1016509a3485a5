/* test-server-auth.c: logins, tokens, roles and bad requests against a real landdesk-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ld-test-server-demo.h"
#include "ld-test-server.h"
#include "ld-test-util.h"

#define PW LD_TEST_DEMO_PASSWORD


static void
test_login (void)
{
  g_autoptr(LdTestServer) server = ld_test_demo_server (NULL, NULL, NULL);
  g_autofree char *good = ld_test_login_body ("zhang.wei", PW);
  g_autofree char *bad = ld_test_login_body ("zhang.wei", "wrong");
  g_autofree char *unknown = ld_test_login_body ("nobody", PW);
  g_autoptr(LdTestResponse) ok = NULL;
  g_autoptr(LdTestResponse) wrong = NULL;
  g_autoptr(LdTestResponse) none = NULL;
  g_autoptr(LdTestResponse) me = NULL;
  g_autoptr(LdTestResponse) no_token = NULL;
  g_autoptr(LdTestResponse) junk_token = NULL;
  g_autoptr(LdTestResponse) forged = NULL;
  g_autoptr(GDateTime) expires = NULL;
  JsonObject *obj, *user;
  const char *token;
  g_autofree char *forged_token = NULL;

  ok = ld_test_server_call (server, "POST", "/api/v1/login", NULL, NULL, good, -1, NULL);
  g_assert_cmpuint (ok->status, ==, 200);
  obj = ld_test_response_object (ok);
  token = json_object_get_string_member (obj, "token");
  g_assert_cmpuint (strlen (token), ==, 64);
  g_assert_cmpstr (json_object_get_string_member (obj, "token_type"), ==, "Bearer");
  expires = g_date_time_new_from_iso8601 (json_object_get_string_member (obj, "expires_at"), NULL);
  g_assert_nonnull (expires);
  g_assert_cmpint (g_date_time_to_unix (expires) - g_get_real_time () / G_USEC_PER_SEC, >, 3600);
  user = json_object_get_object_member (obj, "user");
  g_assert_cmpstr (json_object_get_string_member (user, "display_name"), ==, "张伟");
  g_assert_cmpstr (json_object_get_string_member (user, "role"), ==, "reviewer");

  me = ld_test_server_call (server, "GET", "/api/v1/me", token, NULL, NULL, 0, NULL);
  g_assert_cmpuint (me->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (ld_test_response_object (me), "login"), ==,
                   "zhang.wei");

  wrong = ld_test_server_call (server, "POST", "/api/v1/login", NULL, NULL, bad, -1, NULL);
  g_assert_cmpuint (wrong->status, ==, 401);
  g_assert_nonnull (strstr (ld_test_response_message (wrong), "Wrong login name or password"));
  none = ld_test_server_call (server, "POST", "/api/v1/login", NULL, NULL, unknown, -1, NULL);
  g_assert_cmpuint (none->status, ==, 401);
  /* An unknown login and a wrong password are told apart by nobody. */
  g_assert_cmpstr (ld_test_response_message (none), ==, ld_test_response_message (wrong));

  no_token = ld_test_server_call (server, "GET", "/api/v1/changes", NULL, NULL, NULL, 0, NULL);
  g_assert_cmpuint (no_token->status, ==, 401);
  g_assert_nonnull (strstr (ld_test_response_message (no_token), "bearer token"));
  g_assert_nonnull (soup_message_headers_get_one (no_token->headers, "WWW-Authenticate"));
  junk_token = ld_test_server_call (server, "GET", "/api/v1/changes", "x'; DROP TABLE users;--",
                                    NULL, NULL, 0, NULL);
  g_assert_cmpuint (junk_token->status, ==, 401);
  /* A well-formed token that was never issued. */
  forged_token = g_strnfill (64, 'a');
  forged = ld_test_server_call (server, "GET", "/api/v1/changes", forged_token, NULL, NULL, 0,
                                NULL);
  g_assert_cmpuint (forged->status, ==, 401);
  g_assert_nonnull (strstr (ld_test_response_message (forged), "log in again"));
}

static void
test_login_bad_requests (void)
{
  g_autoptr(LdTestServer) server = ld_test_demo_server (NULL, NULL, NULL);
  const char *bodies[] = { "{", "[]", "{\"login\": 1, \"password\": \"x\"}",
                           "{\"login\": \"zhang.wei\"}", "\"text\"" };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(LdTestResponse) res = ld_test_server_call (server, "POST", "/api/v1/login", NULL,
                                                           NULL, bodies[i], -1, NULL);

      g_assert_cmpuint (res->status, ==, 400);
      g_assert_nonnull (ld_test_response_message (res));
    }
}

static void
test_login_slowed (void)
{
  g_autoptr(LdTestServer) server = ld_test_demo_server (NULL, NULL, NULL);
  g_autofree char *bad = ld_test_login_body ("li.na", "wrong");
  g_autofree char *good = ld_test_login_body ("li.na", PW);
  gint64 first, later, start;

  start = g_get_monotonic_time ();
  {
    g_autoptr(LdTestResponse) res = ld_test_server_call (server, "POST", "/api/v1/login", NULL,
                                                         NULL, bad, -1, NULL);
    g_assert_cmpuint (res->status, ==, 401);
  }
  first = g_get_monotonic_time () - start;
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(LdTestResponse) res = ld_test_server_call (server, "POST", "/api/v1/login", NULL,
                                                           NULL, bad, -1, NULL);
      g_assert_cmpuint (res->status, ==, 401);
    }
  /* Three failures: the fourth attempt, even with the right password, waits >= 0.75 s. */
  start = g_get_monotonic_time ();
  {
    g_autoptr(LdTestResponse) res = ld_test_server_call (server, "POST", "/api/v1/login", NULL,
                                                         NULL, good, -1, NULL);
    g_assert_cmpuint (res->status, ==, 200);
  }
  later = g_get_monotonic_time () - start;
  g_assert_cmpint (later, >=, 750 * 1000);
  g_assert_cmpint (later, >, first);
  /* A success clears the count. */
  start = g_get_monotonic_time ();
  {
    g_autoptr(LdTestResponse) res = ld_test_server_call (server, "POST", "/api/v1/login", NULL,
                                                         NULL, good, -1, NULL);
    g_assert_cmpuint (res->status, ==, 200);
  }
  g_assert_cmpint (g_get_monotonic_time () - start, <, 700 * 1000);
}

static void
test_token_expires (void)
{
  g_autoptr(LdTestServer) server = ld_test_demo_server (NULL, "--token-ttl", "1");
  g_autofree char *token = ld_test_server_login (server, "zhang.wei", PW);
  g_autoptr(LdTestResponse) fresh = NULL;
  g_autoptr(LdTestResponse) stale = NULL;

  fresh = ld_test_server_call (server, "GET", "/api/v1/me", token, NULL, NULL, 0, NULL);
  g_assert_cmpuint (fresh->status, ==, 200);
  g_usleep (2100 * 1000);
  stale = ld_test_server_call (server, "GET", "/api/v1/me", token, NULL, NULL, 0, NULL);
  g_assert_cmpuint (stale->status, ==, 401);
  g_assert_nonnull (strstr (ld_test_response_message (stale), "expired"));
}

/* Each role against each route: the status it must get. */
static void
test_authorisation_matrix (void)
{
  g_autoptr(LdTestServer) server = ld_test_demo_server (NULL, NULL, NULL);
  static const char *logins[] = { "zhang.wei", "li.na", "wang.fang", "zhao.lei", "chen.gang",
                                  "admin" };
  static const struct
  {
    const char *method, *path;
    guint       expect[6];   /* in the order of logins[] */
  } routes[] = {
    { "GET", "/api/v1/me", { 200, 200, 200, 200, 200, 200 } },
    { "GET", "/api/v1/changes?since=0&limit=5", { 200, 200, 200, 200, 200, 200 } },
    { "GET", "/metrics", { 403, 403, 403, 403, 403, 200 } },
    { "GET", "/ogc/collections", { 200, 200, 200, 200, 200, 200 } },
    { "GET", "/api/v1/blobs/" "0000000000000000000000000000000000000000000000000000000000000000",
      { 404, 404, 404, 404, 404, 404 } },
    { "PUT", "/api/v1/blobs/" "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
      { 201, 200, 403, 200, 200, 200 } },
  };
  g_autofree char **tokens = g_new0 (char *, G_N_ELEMENTS (logins));

  for (guint u = 0; u < G_N_ELEMENTS (logins); u++)
    tokens[u] = ld_test_server_login (server, logins[u], PW);
  for (guint r = 0; r < G_N_ELEMENTS (routes); r++)
    for (guint u = 0; u < G_N_ELEMENTS (logins); u++)
      {
        g_autoptr(LdTestResponse) res = NULL;
        g_autoptr(LdTestResponse) anon = NULL;
        gboolean put = g_str_equal (routes[r].method, "PUT");

        res = ld_test_server_call (server, routes[r].method, routes[r].path, tokens[u],
                                   "application/octet-stream", put ? "hello" : NULL, -1, NULL);
        if (res->status != routes[r].expect[u])
          g_error ("%s %s as %s: %u, expected %u", routes[r].method, routes[r].path, logins[u],
                   res->status, routes[r].expect[u]);
        anon = ld_test_server_call (server, routes[r].method, routes[r].path, NULL,
                                    "application/octet-stream", put ? "hello" : NULL, -1, NULL);
        g_assert_cmpuint (anon->status, ==, 401);
      }
  for (guint u = 0; u < G_N_ELEMENTS (logins); u++)
    g_free (tokens[u]);
}

static void
test_body_limits (void)
{
  g_autoptr(LdTestServer) server = ld_test_demo_server (NULL, NULL, NULL);
  g_autofree char *token = ld_test_server_login (server, "admin", PW);
  gint64 before = ld_test_server_head_seq (server);
  gsize big_len = 5 * 1024 * 1024;
  g_autofree char *big = g_malloc (big_len);
  g_autoptr(LdTestResponse) oversize = NULL;
  g_autoptr(LdTestResponse) after = NULL;

  /* A valid batch padded past 4 MiB. */
  memset (big, ' ', big_len);
  memcpy (big, "{\"ops\": []}", strlen ("{\"ops\": []}"));
  oversize = ld_test_server_call (server, "POST", "/api/v1/ops", token, NULL, big, big_len, NULL);
  g_assert_cmpuint (oversize->status, ==, 413);
  g_assert_nonnull (strstr (ld_test_response_message (oversize), "at most"));
  g_assert_cmpint (ld_test_server_head_seq (server), ==, before);
}

static gint64
peak_rss_kb (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status",
                                           g_subprocess_get_identifier (process));
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  line = strstr (text, "VmHWM:");
  return line ? g_ascii_strtoll (line + 6, NULL, 10) : -1;
}

/* Oversized bodies are refused without being kept: a 70 MB blob piece and a 20 MB chunked
 * batch, streamed in full, leave the server's peak memory where it was. */
static void
test_body_limits_streamed (void)
{
  g_autoptr(LdTestServer) server = ld_test_demo_server (NULL, NULL, NULL);
  g_autofree char *token = ld_test_server_login (server, "zhang.wei", PW);
  g_autoptr(GUri) uri = g_uri_parse (server->url, G_URI_FLAGS_NONE, NULL);
  const gsize piece = 1024 * 1024;
  g_autofree char *junk = g_malloc0 (piece);
  gint64 before = peak_rss_kb (server->process);
  const struct { const char *head; guint mib; gboolean chunked; const char *expect; } cases[] = {
    { "PUT /api/v1/blobs/2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
      " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 73400320\r\n", 70, FALSE, "HTTP/1.1 413" },
    { "POST /api/v1/ops HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
      "Content-Type: application/json\r\n", 20, TRUE, "HTTP/1.1 411" },
  };

  if (before < 0)
    {
      g_test_skip ("no /proc here to read the server's memory");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketConnection) conn = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *head = g_strconcat (cases[i].head, "Authorization: Bearer ", token,
                                           "\r\n\r\n", NULL);
      GOutputStream *out;
      char reply[4096] = { 0 };
      gsize got = 0;

      conn = g_socket_client_connect_to_host (client, "127.0.0.1", g_uri_get_port (uri), NULL,
                                              &error);
      g_assert_no_error (error);
      out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
      g_output_stream_write_all (out, head, strlen (head), NULL, NULL, &error);
      g_assert_no_error (error);
      for (guint m = 0; m < cases[i].mib; m++)
        {
          if (cases[i].chunked)
            g_output_stream_printf (out, NULL, NULL, &error, "%" G_GSIZE_MODIFIER "x\r\n", piece);
          g_output_stream_write_all (out, junk, piece, NULL, NULL, &error);
          if (cases[i].chunked)
            g_output_stream_write_all (out, "\r\n", 2, NULL, NULL, &error);
          g_assert_no_error (error);
        }
      if (cases[i].chunked)
        g_output_stream_write_all (out, "0\r\n\r\n", 5, NULL, NULL, &error);
      g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (conn)), reply,
                               sizeof reply - 1, &got, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (reply, cases[i].expect));
      g_assert_nonnull (strstr (reply, "\"message\""));
    }
  /* Neither 70 MB nor 20 MB was held at once. */
  g_assert_cmpint (peak_rss_kb (server->process) - before, <, 16 * 1024);
}

static void
test_malformed_ops (void)
{
  g_autoptr(LdTestServer) server = ld_test_demo_server (NULL, NULL, NULL);
  g_autofree char *token = ld_test_server_login (server, "admin", PW);
  gint64 before = ld_test_server_head_seq (server);
  static const struct { const char *body; const char *says; } cases[] = {
    { "{\"ops\": [", "not valid JSON" },
    { "", "empty" },
    { "{\"ops\": 5}", "{\"ops\"" },
    { "[1, 2]", "{\"ops\"" },
    { "{\"ops\": [{\"entity\": \"case\"}]}", "op_id" },
    { "{\"ops\": [42]}", "ops[0]" },
    { "\xff\xfe{}", "UTF-8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LdTestResponse) res = ld_test_server_call (server, "POST", "/api/v1/ops", token,
                                                           NULL, cases[i].body, -1, NULL);

      g_assert_cmpuint (res->status, ==, 400);
      if (strstr (ld_test_response_message (res), cases[i].says) == NULL)
        g_error ("body '%s': message '%s' does not say '%s'", cases[i].body,
                 ld_test_response_message (res), cases[i].says);
    }
  g_assert_cmpint (ld_test_server_head_seq (server), ==, before);
}

int
main (int    argc,
      char **argv)
{
  ld_test_init (&argc, &argv);

  g_test_add_func ("/server-auth/login", test_login);
  g_test_add_func ("/server-auth/login-bad-requests", test_login_bad_requests);
  g_test_add_func ("/server-auth/login-slowed", test_login_slowed);
  g_test_add_func ("/server-auth/token-expires", test_token_expires);
  g_test_add_func ("/server-auth/authorisation-matrix", test_authorisation_matrix);
  g_test_add_func ("/server-auth/body-limits", test_body_limits);
  g_test_add_func ("/server-auth/body-limits-streamed", test_body_limits_streamed);
  g_test_add_func ("/server-auth/malformed-ops", test_malformed_ops);

  return g_test_run ();
}
