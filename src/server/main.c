/* main.c: landdesk-server entry point
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <locale.h>
#include <sodium.h>
#include <stdio.h>
#ifdef G_OS_UNIX
#include <glib-unix.h>
#endif

#include "ld-core.h"
#include "ld-server.h"
#include "ld-server-log.h"

typedef struct
{
  LdServer  *server;
  GMainLoop *loop;
  gboolean   stopping;
} Running;

static gboolean
drained_cb (gpointer user_data)
{
  Running *run = user_data;

  g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
}

#ifdef G_OS_UNIX
static gboolean
quit_on_signal_cb (gpointer user_data)
{
  Running *run = user_data;

  if (run->stopping)
    {
      ld_server_log ("second signal: stopping now");
      g_main_loop_quit (run->loop);
      return G_SOURCE_CONTINUE;
    }
  run->stopping = TRUE;
  ld_server_log ("signal received, finishing the requests in flight");
  ld_server_drain (run->server, 10000, drained_cb, run);
  return G_SOURCE_CONTINUE;
}
#endif

/* 16 characters from an alphabet without look-alikes (0/O, 1/l/I). */
static char *
random_password (void)
{
  static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY23456789";
  char *pw = g_malloc (17);

  for (int i = 0; i < 16; i++)
    pw[i] = alphabet[randombytes_uniform (sizeof alphabet - 1)];
  pw[16] = '\0';
  return pw;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *url = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_autofree char *demo = NULL;
  g_autofree char *demo_password = NULL;
  gint64 token_ttl = 0;
  gboolean version = FALSE;
  gboolean generated = FALSE;
  gboolean loaded = FALSE;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LdServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  Running run = { 0 };
  const GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir, "Directory of the embedded store", "DIR" },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      "Address to listen on (default 127.0.0.1:8470; port 0 picks a free one)", "HOST:PORT" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, "Serve HTTPS with this PEM certificate",
      "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, "The PEM private key of --tls-cert",
      "FILE" },
    { "init-demo", 0, 0, G_OPTION_ARG_FILENAME, &demo,
      "Load the demo's users, cases and layers from this GeoPackage (once)", "DEMO.gpkg" },
    { "demo-password", 0, 0, G_OPTION_ARG_STRING, &demo_password,
      "The password of every demo user (default: a random one, printed once)", "PW" },
    { "token-ttl", 0, 0, G_OPTION_ARG_INT64, &token_ttl,
      "Seconds a login token stays valid (default 43200)", "SECONDS" },
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
  if ((tls_cert == NULL) != (tls_key == NULL))
    {
      fprintf (stderr, "landdesk-server: --tls-cert and --tls-key go together (see --help)\n");
      return 2;
    }
  if (demo_password != NULL && demo == NULL)
    {
      fprintf (stderr, "landdesk-server: --demo-password needs --init-demo (see --help)\n");
      return 2;
    }
  if (token_ttl < 0)
    {
      fprintf (stderr, "landdesk-server: --token-ttl must be 0 or more seconds\n");
      return 2;
    }
  if (sodium_init () < 0)
    {
      fprintf (stderr, "landdesk-server: libsodium cannot be initialised\n");
      return 1;
    }
  if (demo != NULL && demo_password == NULL)
    {
      demo_password = random_password ();
      generated = TRUE;
    }

  server = ld_server_new (data_dir, &error);
  if (server != NULL && token_ttl > 0)
    ld_server_set_token_ttl (server, token_ttl);
  if (server == NULL
      || (tls_cert != NULL && !ld_server_set_tls (server, tls_cert, tls_key, &error))
      || (demo != NULL && !ld_server_init_demo (server, demo, demo_password, &loaded, &error))
      || !ld_server_listen (server, listen ? listen : "127.0.0.1:8470", &error))
    {
      fprintf (stderr, "landdesk-server: %s\n", error->message);
      return 1;
    }

  /* The first line on stdout is the URL: scripts and tests started with port 0 read it. */
  url = ld_server_dup_url (server);
  printf ("listening on %s\n", url);
  if (generated && loaded)
    printf ("demo password for every demo user (shown once): %s\n", demo_password);
  fflush (stdout);
  ld_server_log ("landdesk-server %s listening on %s, data in %s",
                 ld_version_string (), url, data_dir);

  loop = g_main_loop_new (NULL, FALSE);
  run.server = server;
  run.loop = loop;
#ifdef G_OS_UNIX
  g_unix_signal_add (SIGINT, quit_on_signal_cb, &run);
  g_unix_signal_add (SIGTERM, quit_on_signal_cb, &run);
#endif
  g_main_loop_run (loop);

  ld_server_stop (server);
  ld_server_log ("stopped");
  return 0;
}
