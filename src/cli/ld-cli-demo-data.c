/* ld-cli-demo-data.c: landdesk-cli demo-data, the realistic Zhanjiang demo dataset
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>

#include "ld-cli.h"
#include "ld-core.h"

static gboolean
parse_count (const char  *text,
             const char  *option,
             guint64      max,
             guint64     *out)
{
  g_autoptr(GError) error = NULL;

  if (!g_ascii_string_to_unsigned (text, 10, 0, max, out, &error))
    {
      ld_cli_fail (LD_CLI_EXIT_USAGE, "demo-data: %s '%s' is not a whole number from 0 to %"
                   G_GUINT64_FORMAT " (see 'landdesk-cli help demo-data')", option, text, max);
      return FALSE;
    }
  return TRUE;
}

int
ld_cli_demo_data (int    argc,
                  char **argv)
{
  g_autofree char *out = NULL, *patches_text = NULL, *cases_text = NULL, *seed_text = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LdDemo) demo = NULL;
  g_autoptr(GError) error = NULL;
  guint64 patches = LD_DEMO_DEFAULT_PATCHES, cases = LD_DEMO_DEFAULT_CASES;
  guint64 seed = LD_DEMO_DEFAULT_SEED;
  int min_zoom = 8, max_zoom = 14, code;
  gboolean force = FALSE, no_gmt = FALSE;
  const GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
      "Folder to write landdesk-demo.gpkg and basemap.mbtiles into", "DIR" },
    { "patches", 'n', 0, G_OPTION_ARG_STRING, &patches_text,
      "About how many land-use patches (default 5000; 1000000 is city scale)", "N" },
    { "cases", 'c', 0, G_OPTION_ARG_STRING, &cases_text, "How many cases (default 48)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_STRING, &seed_text,
      "Seed: the same seed gives the same data (default 20240101)", "S" },
    { "min-zoom", 0, 0, G_OPTION_ARG_INT, &min_zoom, "Base map's lowest zoom (default 8)", "Z" },
    { "max-zoom", 0, 0, G_OPTION_ARG_INT, &max_zoom, "Base map's highest zoom (default 14)", "Z" },
    { "no-gmt", 0, 0, G_OPTION_ARG_NONE, &no_gmt,
      "Use the synthetic peninsula even when GMT's coastline is available", NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Overwrite the files if they exist", NULL },
    { NULL }
  };

  context = g_option_context_new ("- write the Zhanjiang demo dataset");
  g_option_context_set_description (context,
    "Writes DIR/landdesk-demo.gpkg (land use, planning, three zones and three lines, cases,\n"
    "users; EPSG:4525) and DIR/basemap.mbtiles. The coastline comes from GMT's GSHHG data\n"
    "(Debian packages gmt and gmt-gshhg-high) when installed, else a synthetic peninsula is\n"
    "used with a warning. LANDDESK_GMT names another gmt program. Progress goes to stderr.");
  g_option_context_add_main_entries (context, entries, NULL);
  if ((code = ld_cli_parse (context, &argc, &argv)) >= 0)
    return code;

  if (argc > 1)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "demo-data: unexpected argument '%s' "
                        "(see 'landdesk-cli help demo-data')", argv[1]);
  if (out == NULL)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "demo-data: --out DIR is required");
  if ((patches_text != NULL && !parse_count (patches_text, "--patches", G_MAXUINT32, &patches))
      || (cases_text != NULL && !parse_count (cases_text, "--cases", G_MAXUINT32, &cases))
      || (seed_text != NULL && !parse_count (seed_text, "--seed", G_MAXUINT64, &seed)))
    return LD_CLI_EXIT_USAGE;
  if (patches < LD_DEMO_MIN_PATCHES || patches > LD_DEMO_MAX_PATCHES)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "demo-data: --patches %" G_GUINT64_FORMAT
                        " is out of range: use %u to %u", patches, LD_DEMO_MIN_PATCHES,
                        LD_DEMO_MAX_PATCHES);
  if (cases > LD_DEMO_MAX_CASES)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "demo-data: --cases %" G_GUINT64_FORMAT
                        " is out of range: use 0 to %u", cases, LD_DEMO_MAX_CASES);
  if (min_zoom < 0 || max_zoom > 18 || min_zoom > max_zoom)
    return ld_cli_fail (LD_CLI_EXIT_USAGE,
                        "demo-data: zoom range %d-%d is invalid; use 0 <= min <= max <= 18",
                        min_zoom, max_zoom);

  demo = ld_demo_new (seed);
  ld_demo_set_patches (demo, (guint) patches);
  ld_demo_set_cases (demo, (guint) cases);
  ld_demo_set_basemap_zooms (demo, min_zoom, max_zoom);
  ld_demo_set_overwrite (demo, force);
  if (no_gmt)
    ld_demo_set_gmt (demo, "");
  if (!ld_demo_write (demo, out, ld_cli_progress, NULL, &error))
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "demo-data: %s", error->message);
  if (ld_demo_get_warning (demo) != NULL)
    fprintf (stderr, "landdesk-cli: demo-data: %s\n", ld_demo_get_warning (demo));
  fprintf (stderr, "wrote %u land-use patches and %" G_GUINT64_FORMAT " cases into %s\n",
           ld_demo_get_n_written (demo), cases, out);
  return LD_CLI_EXIT_OK;
}
