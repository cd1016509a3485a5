/* main.c: landdesk-server entry point
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <locale.h>
#include <stdio.h>
#ifdef G_OS_UNIX
#include <glib-unix.h>
#endif

#include "ld-core.h"
#include "ld-server.h"
#include "ld-server-log.h"

#ifdef G_OS_UNIX
static gboolean
quit_on_signal_cb (gpointer user_data)
{
  ld_server_log ("signal received, stopping");
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}
#endif

int
main (int    argc,
      char **argv)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *url = NULL;
  gboolean version = FALSE;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LdServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  const GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir, "Directory of the embedded store", "DIR" },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      "Address to listen on (default 127.0.0.1:8470; port 0 picks a free one)", "HOST:PORT" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  context = g_option_context_new ("- the LandDesk central server");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "landdesk-server: %s (see --help)\n", error->message);
      return 2;
    }
  if (version)
    {
      printf ("landdesk-server %s\n", ld_version_string ());
      return 0;
    }
  if (data_dir == NULL)
    {
      fprintf (stderr, "landdesk-server: --data DIR is required (see --help)\n");
      return 2;
    }

  server = ld_server_new (data_dir, &error);
  if (server == NULL || !ld_server_listen (server, listen ? listen : "127.0.0.1:8470", &error))
    {
      fprintf (stderr, "landdesk-server: %s\n", error->message);
      return 1;
    }

  /* The first line on stdout is the URL: scripts and tests started with port 0 read it. */
  url = ld_server_dup_url (server);
  printf ("listening on %s\n", url);
  fflush (stdout);
  ld_server_log ("landdesk-server %s listening on %s, data in %s",
                 ld_version_string (), url, data_dir);

  loop = g_main_loop_new (NULL, FALSE);
#ifdef G_OS_UNIX
  g_unix_signal_add (SIGINT, quit_on_signal_cb, loop);
  g_unix_signal_add (SIGTERM, quit_on_signal_cb, loop);
#endif
  g_main_loop_run (loop);

  ld_server_stop (server);
  ld_server_log ("stopped");
  return 0;
}
