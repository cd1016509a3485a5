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
#include <sys/socket.h>
#endif

#include "ld-core.h"
#include "ld-server.h"
#include "ld-server-log.h"

/* One more LdServer on the same port, in its own thread and main context. */
typedef struct
{
  LdServer     *primary;
  LdServer     *server;
  GMainContext *context;
  GMainLoop    *loop;
  GThread      *thread;
  GMutex        lock;
  GCond         cond;
  gboolean      ready;
  GError       *error;
} Worker;

typedef struct
{
  LdServer  *server;
  GMainLoop *loop;
  GPtrArray *workers;
  gboolean   stopping;
} Running;

static gpointer
worker_thread (gpointer data)
{
  Worker *w = data;

  g_main_context_push_thread_default (w->context);
  w->server = ld_server_new_worker (w->primary, &w->error);
  if (w->server != NULL && !ld_server_listen_like (w->server, w->primary, &w->error))
    g_clear_object (&w->server);
  g_mutex_lock (&w->lock);
  w->ready = TRUE;
  g_cond_signal (&w->cond);
  g_mutex_unlock (&w->lock);
  if (w->server != NULL)
    {
      g_main_loop_run (w->loop);
      ld_server_stop (w->server);
      g_clear_object (&w->server);
    }
  g_main_context_pop_thread_default (w->context);
  return NULL;
}

static Worker *
worker_start (LdServer  *primary,
              guint      index,
              GError   **error)
{
  Worker *w = g_new0 (Worker, 1);
  g_autofree char *name = g_strdup_printf ("worker-%u", index);

  w->primary = primary;
  w->context = g_main_context_new ();
  w->loop = g_main_loop_new (w->context, FALSE);
  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  w->thread = g_thread_new (name, worker_thread, w);
  g_mutex_lock (&w->lock);
  while (!w->ready)
    g_cond_wait (&w->cond, &w->lock);
  g_mutex_unlock (&w->lock);
  if (w->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&w->error));
      g_thread_join (w->thread);
      w->thread = NULL;
    }
  return w;
}

static void
worker_free (Worker *w)
{
  if (w->thread != NULL)
    g_thread_join (w->thread);
  g_main_loop_unref (w->loop);
  g_main_context_unref (w->context);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
  g_clear_error (&w->error);
  g_free (w);
}

static gboolean
worker_drained_cb (gpointer user_data)
{
  Worker *w = user_data;

  g_main_loop_quit (w->loop);
  return G_SOURCE_REMOVE;
}

/* Runs in the worker's thread. */
static gboolean
worker_drain_cb (gpointer user_data)
{
  Worker *w = user_data;

  ld_server_drain (w->server, 10000, worker_drained_cb, w);
  return G_SOURCE_REMOVE;
}

static gboolean
drained_cb (gpointer user_data)
{
  Running *run = user_data;

  /* The primary is done; the workers finish theirs, then their threads are joined. */
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
  for (guint i = 0; i < run->workers->len; i++)
    {
      Worker *w = run->workers->pdata[i];

      g_main_context_invoke (w->context, worker_drain_cb, w);
    }
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
  g_autofree char *basemap = NULL;
  gint64 token_ttl = 0;
  int n_workers = 0;
  g_autoptr(GPtrArray) workers = g_ptr_array_new_with_free_func ((GDestroyNotify) worker_free);
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
    { "basemap", 0, 0, G_OPTION_ARG_FILENAME, &basemap,
      "Serve this MBTiles base map to offline areas (/api/v1/tiles)", "FILE.mbtiles" },
    { "token-ttl", 0, 0, G_OPTION_ARG_INT64, &token_ttl,
      "Seconds a login token stays valid (default 43200)", "SECONDS" },
    { "workers", 0, 0, G_OPTION_ARG_INT, &n_workers,
      "Threads answering requests, sharing the port (default 1)", "N" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  /* It links GDAL: a red line in another format never looks for the CLI's module. */
  ld_redline_ogr_install ();
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
  if (n_workers < 0 || n_workers > 64)
    {
      fprintf (stderr, "landdesk-server: --workers must be from 1 to 64\n");
      return 2;
    }
#ifdef SO_REUSEPORT
  /* One worker unless asked: on a 2-core machine more threads were slower (GLib's and
   * libsoup's locks, see HACKING.md). */
  if (n_workers == 0)
    n_workers = 1;
#else
  n_workers = 1;   /* workers share the port through SO_REUSEPORT */
#endif
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
      || (basemap != NULL && !ld_server_set_basemap (server, basemap, &error))
      || (demo != NULL && !ld_server_init_demo (server, demo, demo_password, &loaded, &error))
      || !ld_server_listen (server, listen ? listen : "127.0.0.1:8470", &error))
    {
      fprintf (stderr, "landdesk-server: %s\n", error->message);
      return 1;
    }

  for (int i = 1; i < n_workers; i++)
    {
      Worker *w = worker_start (server, (guint) i, &error);

      g_ptr_array_add (workers, w);
      if (error != NULL)
        {
          fprintf (stderr, "landdesk-server: worker %d: %s\n", i, error->message);
          for (guint j = 0; j < workers->len; j++)
            g_main_loop_quit (((Worker *) workers->pdata[j])->loop);
          return 1;   /* the array's free joins the threads */
        }
    }

  /* The first line on stdout is the URL: scripts and tests started with port 0 read it. */
  url = ld_server_dup_url (server);
  printf ("listening on %s\n", url);
  if (generated && loaded)
    printf ("demo password for every demo user (shown once): %s\n", demo_password);
  fflush (stdout);
  ld_server_log ("landdesk-server %s listening on %s with %d workers, data in %s",
                 ld_version_string (), url, n_workers, data_dir);

  loop = g_main_loop_new (NULL, FALSE);
  run.server = server;
  run.loop = loop;
  run.workers = workers;
#ifdef G_OS_UNIX
  g_unix_signal_add (SIGINT, quit_on_signal_cb, &run);
  g_unix_signal_add (SIGTERM, quit_on_signal_cb, &run);
#endif
  g_main_loop_run (loop);

  if (!run.stopping)
    for (guint i = 0; i < workers->len; i++)
      g_main_context_invoke (((Worker *) workers->pdata[i])->context, worker_drain_cb,
                             workers->pdata[i]);
  g_ptr_array_set_size (workers, 0);   /* joins the threads once they have drained */
  ld_server_stop (server);
  ld_server_log ("stopped");
  return 0;
}
