/* ld-cli-basemap.c: landdesk-cli basemap, an offline base map without the full demo data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "ld-cli.h"
#include "ld-core.h"

/* Zhanjiang with a margin: the extent every demo layer lies in. */
static const LdLonLatBox zhanjiang = { 109.5, 20.1, 111.0, 21.7 };

int
ld_cli_basemap (int    argc,
                char **argv)
{
  g_autofree char *out = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LdBasemap) basemap = NULL;
  g_autoptr(GError) error = NULL;
  int min_zoom = 8, max_zoom = 12, code;
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "MBTiles file to write", "FILE" },
    { "min-zoom", 0, 0, G_OPTION_ARG_INT, &min_zoom, "Lowest zoom level (default 8)", "Z" },
    { "max-zoom", 0, 0, G_OPTION_ARG_INT, &max_zoom, "Highest zoom level (default 12)", "Z" },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Overwrite FILE if it exists", NULL },
    { NULL }
  };

  context = g_option_context_new ("- render an offline base map of Zhanjiang");
  g_option_context_add_main_entries (context, entries, NULL);
  if ((code = ld_cli_parse (context, &argc, &argv)) >= 0)
    return code;

  if (out == NULL)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "basemap: --out FILE is required");
  if (min_zoom < 0 || max_zoom > 18 || min_zoom > max_zoom)
    return ld_cli_fail (LD_CLI_EXIT_USAGE,
                        "basemap: zoom range %d-%d is invalid; use 0 <= min <= max <= 18",
                        min_zoom, max_zoom);
  if (g_file_test (out, G_FILE_TEST_EXISTS))
    {
      if (!force)
        return ld_cli_fail (LD_CLI_EXIT_FAILURE,
                            "basemap: %s exists; pass --force to overwrite it", out);
      if (g_remove (out) != 0)
        return ld_cli_fail (LD_CLI_EXIT_FAILURE, "basemap: cannot remove %s: %s",
                            out, g_strerror (errno));
    }

  basemap = ld_basemap_new (&zhanjiang);
  ld_basemap_add_synthetic_coast (basemap);
  if (!ld_basemap_write (basemap, out, min_zoom, max_zoom, ld_cli_progress, NULL, &error))
    {
      g_remove (out);
      return ld_cli_fail (LD_CLI_EXIT_FAILURE, "basemap: %s", error->message);
    }
  return LD_CLI_EXIT_OK;
}
