/* ld-test-server.c: a real landdesk-server on 127.0.0.1 for the duration of a test
 *
 * The server is started on port 0 and announces the port it got on its first stdout line,
 * so tests never race for a fixed port.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "ld-test-server.h"
#include "ld-test-util.h"

/* In the child: die with the test, so a failed test leaves no server behind. */
static void
die_with_parent (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

static gpointer
read_stderr_thread (gpointer data)
{
  LdTestServer *server = data;
  GInputStream *in = g_subprocess_get_stderr_pipe (server->process);
  char buf[4096];
  gssize n;

  while ((n = g_input_stream_read (in, buf, sizeof buf, NULL, NULL)) > 0)
    {
      g_mutex_lock (&server->err_lock);
      g_string_append_len (server->err, buf, n);
      g_mutex_unlock (&server->err_lock);
    }
  return NULL;
}

static void
join_stderr (LdTestServer *server)
{
  if (server->err_reader != NULL)
    {
      g_thread_join (server->err_reader);
      server->err_reader = NULL;
    }
}

LdTestServer *
ld_test_server_start (const char *data_dir,
                      const char *first_extra_arg,
                      ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  GDataInputStream *lines;
  g_autofree char *line = NULL;
  LdTestServer *server = g_new0 (LdTestServer, 1);
  va_list args;

  server->data_dir = g_strdup (data_dir);
  g_ptr_array_add (argv, (gpointer) ld_test_binary ("LANDDESK_SERVER"));
  g_ptr_array_add (argv, (gpointer) "--data");
  g_ptr_array_add (argv, (gpointer) data_dir);
  g_ptr_array_add (argv, (gpointer) "--listen");
  g_ptr_array_add (argv, (gpointer) "127.0.0.1:0");
  va_start (args, first_extra_arg);
  for (const char *a = first_extra_arg; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                  &error);
  g_assert_no_error (error);

  g_mutex_init (&server->err_lock);
  server->err = g_string_new (NULL);
  server->err_reader = g_thread_new ("server-stderr", read_stderr_thread, server);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL || !g_str_has_prefix (line, "listening on http://127.0.0.1:"))
    {
      g_subprocess_wait (server->process, NULL, NULL);
      join_stderr (server);
      g_error ("landdesk-server did not start: first line '%s'; it said: %s",
               line ? line : "(none)", server->err->str);
    }
  server->url = g_strdup (line + strlen ("listening on "));
  server->session = ld_test_session ();
  server->lines = lines;
  return server;
}

char *
ld_test_server_url (LdTestServer *server,
                    const char   *path)
{
  g_assert_true (g_str_has_suffix (server->url, "/"));
  return g_strconcat (server->url, path[0] == '/' ? path + 1 : path, NULL);
}

/* Sends SIGTERM and waits; returns the exit code and, in @err_out, what it logged. */
int
ld_test_server_stop (LdTestServer  *server,
                     char         **err_out)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);
  join_stderr (server);
  status = g_subprocess_get_if_exited (server->process)
           ? g_subprocess_get_exit_status (server->process) : -1;
  g_clear_object (&server->process);
  if (err_out != NULL)
    *err_out = g_strdup (server->err->str);
  return status;
}

void
ld_test_server_free (LdTestServer *server)
{
  if (server->process != NULL)
    {
      g_subprocess_force_exit (server->process);
      g_subprocess_wait (server->process, NULL, NULL);
      join_stderr (server);   /* before the pipe it reads goes away with the process */
      g_object_unref (server->process);
    }
  join_stderr (server);
  if (server->err != NULL)
    g_string_free (server->err, TRUE);
  g_mutex_clear (&server->err_lock);
  g_clear_object (&server->session);
  g_free (server->data_dir);
  g_free (server->url);
  g_clear_object (&server->lines);
  g_free (server);
}

/**
 * ld_test_server_call:
 * @token: (nullable): sent as "Authorization: Bearer TOKEN"
 * @body: (nullable): the request body; @body_len -1 for a string
 * @first_header: NULL-terminated NAME, VALUE pairs of extra request headers
 */
LdTestResponse *
ld_test_server_call (LdTestServer *server,
                     const char   *method,
                     const char   *path,
                     const char   *token,
                     const char   *content_type,
                     const char   *body,
                     gssize        body_len,
                     const char   *first_header,
                     ...)
{
  g_autofree char *url = ld_test_server_url (server, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  LdTestResponse *res = g_new0 (LdTestResponse, 1);
  SoupMessageHeaders *req;
  const char *content;
  va_list args;

  g_assert_nonnull (msg);
  req = soup_message_get_request_headers (msg);
  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (req, "Authorization", auth);
    }
  va_start (args, first_header);
  for (const char *name = first_header; name != NULL; name = va_arg (args, const char *))
    soup_message_headers_replace (req, name, va_arg (args, const char *));
  va_end (args);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, body_len < 0 ? strlen (body) : (gsize) body_len);

      soup_message_set_request_body_from_bytes (msg, content_type ? content_type
                                                                  : "application/json", bytes);
    }
  res->body = soup_session_send_and_read (server->session, msg, NULL, &error);
  g_assert_no_error (error);
  res->status = soup_message_get_status (msg);
  res->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  content = soup_message_headers_get_content_type (res->headers, NULL);
  if (content != NULL && g_bytes_get_size (res->body) > 0 && (g_str_equal (content, "application/json")
                          || g_str_equal (content, "application/geo+json")
                          || g_str_has_prefix (content, "application/vnd.oai.openapi+json")))
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      gsize len;
      const char *data = g_bytes_get_data (res->body, &len);

      json_parser_load_from_data (parser, data, (gssize) len, &error);
      g_assert_no_error (error);
      res->json = json_parser_steal_root (parser);
    }
  return res;
}

/* Logs in and returns the bearer token; fails the test when the login fails. */
char *
ld_test_server_login (LdTestServer *server,
                      const char   *login,
                      const char   *password)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;
  g_autoptr(LdTestResponse) res = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "login");
  json_builder_add_string_value (b, login);
  json_builder_set_member_name (b, "password");
  json_builder_add_string_value (b, password);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  body = json_to_string (root, FALSE);
  res = ld_test_server_call (server, "POST", "/api/v1/login", NULL, NULL, body, -1, NULL);
  if (res->status != 200)
    g_error ("login %s failed: %u %s", login, res->status,
             (const char *) g_bytes_get_data (res->body, NULL));
  return g_strdup (json_object_get_string_member (ld_test_response_object (res), "token"));
}

JsonObject *
ld_test_response_object (LdTestResponse *response)
{
  g_assert_nonnull (response->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (response->json));
  return json_node_get_object (response->json);
}

/* The "message" of a JSON error answer. */
const char *
ld_test_response_message (LdTestResponse *response)
{
  JsonObject *obj = ld_test_response_object (response);

  g_assert_true (json_object_has_member (obj, "message"));
  return json_object_get_string_member (obj, "message");
}

void
ld_test_response_free (LdTestResponse *response)
{
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_clear_pointer (&response->json, json_node_unref);
  g_free (response);
}

/* The change feed's head sequence, as /healthz reports it. */
gint64
ld_test_server_head_seq (LdTestServer *server)
{
  g_autoptr(LdTestResponse) res = ld_test_server_call (server, "GET", "/healthz", NULL, NULL,
                                                       NULL, 0, NULL);

  g_assert_cmpuint (res->status, ==, 200);
  return json_object_get_int_member (ld_test_response_object (res), "seq");
}
