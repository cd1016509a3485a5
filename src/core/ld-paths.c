/* ld-paths.c: where LandDesk finds its data and keeps the user's files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdarg.h>

#include "ld-paths.h"

/* Uninstalled runs (tests, `meson devenv`) point these variables at the source and build
 * trees; installed binaries use the compiled-in prefix. */
const char *
ld_paths_data_dir (void)
{
  const char *env = g_getenv ("LANDDESK_DATADIR");

  return (env != NULL && *env != '\0') ? env : PKGDATADIR;
}

const char *
ld_paths_locale_dir (void)
{
  const char *env = g_getenv ("LANDDESK_LOCALEDIR");

  return (env != NULL && *env != '\0') ? env : LOCALEDIR;
}

char *
ld_paths_data_file (const char *first_element,
                    ...)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  va_list args;

  g_ptr_array_add (parts, (gpointer) ld_paths_data_dir ());
  va_start (args, first_element);
  for (const char *e = first_element; e != NULL; e = va_arg (args, const char *))
    g_ptr_array_add (parts, (gpointer) e);
  va_end (args);
  g_ptr_array_add (parts, NULL);

  return g_build_filenamev ((char **) parts->pdata);
}

/* The user's stores, attachments and caches live under the XDG data dir
 * (%LOCALAPPDATA% on Windows), e.g. ~/.local/share/landdesk. */
char *
ld_paths_user_data_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "landdesk", NULL);
}

const char *
ld_version_string (void)
{
  return PACKAGE_VERSION;
}
