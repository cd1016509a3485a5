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

#include "ld-test-server.h"
#include "ld-test-util.h"

LdTestServer *
ld_test_server_start (const char *data_dir,
                      const char *first_extra_arg,
                      ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
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

  server->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                       | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL || !g_str_has_prefix (line, "listening on http://127.0.0.1:"))
    g_error ("landdesk-server did not start: first line '%s'", line ? line : "(none)");
  server->url = g_strdup (line + strlen ("listening on "));
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
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_communicate_utf8 (server->process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  status = g_subprocess_get_if_exited (server->process)
           ? g_subprocess_get_exit_status (server->process) : -1;
  g_clear_object (&server->process);
  if (err_out != NULL)
    *err_out = g_steal_pointer (&err);
  return status;
}

void
ld_test_server_free (LdTestServer *server)
{
  if (server->process != NULL)
    {
      g_subprocess_force_exit (server->process);
      g_subprocess_wait (server->process, NULL, NULL);
      g_object_unref (server->process);
    }
  g_free (server->data_dir);
  g_free (server->url);
  g_free (server);
}
