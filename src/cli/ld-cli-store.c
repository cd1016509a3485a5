/* ld-cli-store.c: landdesk-cli store, the local store (one GeoPackage per profile)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <glib/gstdio.h>

#include "ld-cli.h"
#include "ld-core.h"

static void
remove_store (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_remove (path);
  g_remove (wal);
  g_remove (shm);
}

int
ld_cli_store (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LdStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *demo = NULL;
  g_autofree char *part = NULL;
  g_autofree char *default_path = NULL;
  const char *path;
  int code;
  const GOptionEntry entries[] = {
    { "from-demo", 0, 0, G_OPTION_ARG_FILENAME, &demo,
      "Load the demo GeoPackage's layers, cases and users", "DEMO.gpkg" },
    { NULL }
  };

  context = g_option_context_new ("create [FILE]");
  g_option_context_set_summary (context,
    "Create a local store: one GeoPackage with the cases, their red lines, the stage log,\n"
    "the outbox and the reference layers. FILE defaults to the profile's store under the\n"
    "XDG data dir.");
  g_option_context_add_main_entries (context, entries, NULL);
  if ((code = ld_cli_parse (context, &argc, &argv)) >= 0)
    return code;

  if (argc < 2 || !g_str_equal (argv[1], "create") || argc > 3)
    return ld_cli_fail (LD_CLI_EXIT_USAGE,
                        "store: say 'store create [FILE] [--from-demo DEMO.gpkg]'");
  default_path = ld_store_default_path ();
  path = argc == 3 ? argv[2] : default_path;
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "store create: %s exists; remove it or choose "
                        "another file", path);

  /* Built beside the target and renamed at the end: a failed create leaves nothing. */
  part = g_strconcat (path, ".part.gpkg", NULL);   /* GDAL wants the extension */
  remove_store (part);
  store = ld_store_create (part, &error);
  if (store == NULL)
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "store create: %s", error->message);
  if (demo != NULL && !ld_store_import_demo (store, demo, &error))
    {
      g_clear_object (&store);
      remove_store (part);
      return ld_cli_fail (LD_CLI_EXIT_FAILURE, "store create: %s", error->message);
    }
  g_clear_object (&store);   /* closing checkpoints the WAL into the file */
  if (g_rename (part, path) != 0)
    {
      int saved = errno;

      remove_store (part);
      return ld_cli_fail (LD_CLI_EXIT_FAILURE, "store create: cannot rename %s to %s: %s",
                          part, path, g_strerror (saved));
    }
  printf ("%s\n", path);
  return LD_CLI_EXIT_OK;
}
