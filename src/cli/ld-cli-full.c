/* ld-cli-full.c: the entry points of the module landdesk-full
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The module holds the commands that need GDAL, PROJ, libsoup or cairo, and the core's full
 * part (src/core/meson.build). landdesk-cli loads it through ld_module_lookup() and asks
 * ld_cli_full_command() for a command; ld-redline.c asks for ld_redline_ogr_install().
 */
#include "config.h"

#include <gmodule.h>

#include "ld-cli.h"
#include "ld-core.h"

G_MODULE_EXPORT const char *g_module_check_init (GModule *module);

/* GModule calls it on loading; it also keeps ld_redline_ogr_install, which the module
 * exports, in the link. */
G_MODULE_EXPORT const char *
g_module_check_init (GModule *module)
{
  (void) module;
  ld_redline_ogr_install ();
  return NULL;
}

G_MODULE_EXPORT LdCliRun
ld_cli_full_command (const char *name)
{
  static const struct
  {
    const char *name;
    LdCliRun    run;
  } commands[] = {
    { "basemap", ld_cli_basemap },
    { "demo-data", ld_cli_demo_data },
    { "report", ld_cli_report },
    { "store", ld_cli_store },
    { "sync", ld_cli_sync },
  };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      return commands[i].run;
  return NULL;
}
