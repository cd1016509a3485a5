/* ld-sync-crash.c: one sync that SIGKILLs itself after N HTTP exchanges (the fault tests)
 *
 *   LANDDESK_SYNC_CRASH_AFTER=N ld-sync-crash STORE URL LOGIN PASSWORD [PUSH PULL CHUNK]
 *
 * The kill comes right after the N-th answer arrived and before the client acted on it, so
 * every step of push, pull and upload is interrupted in turn. Without the variable it syncs
 * and prints the counts. The variable is read here only, never by the library.
 * LANDDESK_SYNC_CRASH_TOKEN, when set, is used instead of a login (a login costs an argon2id
 * hash on the server: the tests save that time).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "ld-core.h"

typedef struct
{
  guint after;
  guint puts;
} Crash;

static void
request_cb (const char *method,
            const char *path,
            guint       status,
            guint       n,
            gpointer    user_data)
{
  Crash *crash = user_data;

  if (g_str_equal (method, "PUT"))
    crash->puts++;
  if (crash->after > 0 && n >= crash->after)
    {
      fprintf (stderr, "ld-sync-crash: killed after request %u (%s /%s -> %u)\n", n, method,
               path, status);
      kill (getpid (), SIGKILL);
    }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(LdStore) store = NULL;
  g_autoptr(LdSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  const char *after = g_getenv ("LANDDESK_SYNC_CRASH_AFTER");
  LdSyncCounts c;
  Crash crash = { after ? (guint) atoi (after) : 0, 0 };

  if (argc != 5 && argc != 8)
    {
      fprintf (stderr, "usage: ld-sync-crash STORE URL LOGIN PASSWORD [PUSH PULL CHUNK]\n");
      return 2;
    }
  store = g_file_test (argv[1], G_FILE_TEST_EXISTS) ? ld_store_open (argv[1], &error)
                                                    : ld_store_create (argv[1], &error);
  if (store == NULL)
    {
      fprintf (stderr, "ld-sync-crash: %s\n", error->message);
      return 1;
    }
  sync = ld_sync_new (argv[2]);
  ld_sync_set_credentials (sync, argv[3], argv[4]);
  if (g_getenv ("LANDDESK_SYNC_CRASH_TOKEN") != NULL)
    ld_sync_set_token (sync, g_getenv ("LANDDESK_SYNC_CRASH_TOKEN"));
  ld_sync_set_retries (sync, 0, 10);
  if (argc == 8)
    ld_sync_set_page_sizes (sync, (guint) atoi (argv[5]), (guint) atoi (argv[6]),
                            (gsize) atoi (argv[7]));
  ld_sync_set_request_hook (sync, request_cb, &crash);
  if (!ld_sync_run (sync, store, &c, NULL, &error))
    {
      fprintf (stderr, "ld-sync-crash: %s\n", error->message);
      return 1;
    }
  printf ("{\"pushed\": %u, \"applied\": %u, \"duplicates\": %u, \"conflicts\": %u,"
          " \"rejected\": %u, \"pulled\": %u, \"uploaded\": %u, \"downloaded\": %u,"
          " \"puts\": %u}\n", c.pushed, c.applied, c.duplicates, c.conflicts, c.rejected,
          c.pulled, c.uploaded, c.downloaded, crash.puts);
  return 0;
}
