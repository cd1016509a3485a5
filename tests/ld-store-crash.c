/* ld-store-crash.c: runs one workbench action and kills itself after N SQL statements
 *
 * Usage: ld-store-crash STORE CASE LOGIN ACTION N [OPINION]
 * The crash test runs it for every N and checks that the store holds the whole edit (case,
 * stage log and outbox op) or none of it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "ld-core.h"

static int remaining;

static void
statement_ran (const char *sql,
               gpointer    user_data)
{
  if (--remaining == 0)
    raise (SIGKILL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(LdStore) store = NULL;
  g_autoptr(LdCase) kase = NULL;
  g_autoptr(GError) error = NULL;

  if (argc < 6)
    {
      fprintf (stderr, "usage: ld-store-crash STORE CASE LOGIN ACTION N [OPINION]\n");
      return 2;
    }
  store = ld_store_open (argv[1], &error);
  if (store == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  remaining = atoi (argv[5]);
  ld_store_set_statement_hook (store, statement_ran, NULL);
  kase = ld_store_act (store, argv[2], argv[3], argv[4], argc > 6 ? argv[6] : NULL,
                       "2025-03-20", NULL, &error);
  if (kase == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}
