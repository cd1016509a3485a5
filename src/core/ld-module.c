/* ld-module.c: finds and loads the module landdesk-full
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * landdesk-cli links the base part of the core only (GLib, SQLite, GEOS, json-glib): loading
 * GDAL with its ~130 shared objects took 40-50 ms, ten times what `analyze` needs. The parts
 * that need GDAL, PROJ, libsoup or cairo are built into the module landdesk-full, which the
 * CLI loads with GModule only for the commands and formats that need them. The module's
 * undefined symbols are the base part's, which the CLI exports (export_dynamic).
 *
 * Where: $LANDDESK_MODULEDIR when set (tests, `meson devenv`); else the executable's own
 * directory (the build tree); else the installed PKGLIBDIR (on Windows PREFIX/lib/landdesk
 * of the installation the executable belongs to).
 */
#include "config.h"

#include <gmodule.h>
#ifdef G_OS_WIN32
#include <windows.h>
#endif

#include "ld-module.h"

G_DEFINE_QUARK (ld-module-error-quark, ld_module_error)

static GMutex lock;
static GModule *module;

static char *
executable_dir (void)
{
#ifdef G_OS_WIN32
  wchar_t path[MAX_PATH];
  DWORD n = GetModuleFileNameW (NULL, path, MAX_PATH);
  g_autofree char *exe = n > 0 && n < MAX_PATH ? g_utf16_to_utf8 (path, n, NULL, NULL, NULL)
                                               : NULL;
#else
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
#endif

  return exe != NULL ? g_path_get_dirname (exe) : NULL;
}

static GPtrArray *
candidate_dirs (void)
{
  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);
  const char *env = g_getenv ("LANDDESK_MODULEDIR");
  char *dir;

  if (env != NULL && *env != '\0')
    {
      g_ptr_array_add (dirs, g_strdup (env));
      return dirs;
    }
  if ((dir = executable_dir ()) != NULL)
    g_ptr_array_add (dirs, dir);
#ifdef G_OS_WIN32
  {
    g_autofree char *prefix = g_win32_get_package_installation_directory_of_module (NULL);

    if (prefix != NULL)
      g_ptr_array_add (dirs, g_build_filename (prefix, "lib", "landdesk", NULL));
  }
#endif
  g_ptr_array_add (dirs, g_strdup (PKGLIBDIR));
  return dirs;
}

static GModule *
open_module (GError **error)
{
  g_autoptr(GPtrArray) dirs = candidate_dirs ();
  g_autoptr(GString) tried = g_string_new (NULL);

  for (guint i = 0; i < dirs->len; i++)
    {
      g_autofree char *path = g_build_filename (g_ptr_array_index (dirs, i),
                                                LD_MODULE_NAME "." G_MODULE_SUFFIX, NULL);
      GModule *m;

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_string_append_printf (tried, "%s%s", tried->len ? ", " : "", path);
          continue;
        }
      m = g_module_open (path, G_MODULE_BIND_LAZY);
      if (m == NULL)
        {
          g_set_error (error, LD_MODULE_ERROR, LD_MODULE_ERROR_LOAD,
                       "the module %s cannot be loaded: %s", path, g_module_error ());
          return NULL;
        }
      g_module_make_resident (m);
      return m;
    }
  g_set_error (error, LD_MODULE_ERROR, LD_MODULE_ERROR_MISSING,
               "this needs the module " LD_MODULE_NAME " (GDAL, PROJ, libsoup, cairo), which "
               "is missing (looked for %s): reinstall LandDesk, or point LANDDESK_MODULEDIR at "
               "the directory that holds it", tried->str);
  return NULL;
}

/**
 * ld_module_lookup:
 * @symbol: a function the module exports
 *
 * Loads the module on first use (it then stays) and returns @symbol's address.
 */
gpointer
ld_module_lookup (const char  *symbol,
                  GError     **error)
{
  gpointer address = NULL;

  g_return_val_if_fail (symbol != NULL, NULL);

  g_mutex_lock (&lock);
  if (module == NULL)
    module = open_module (error);
  if (module != NULL && !g_module_symbol (module, symbol, &address))
    g_set_error (error, LD_MODULE_ERROR, LD_MODULE_ERROR_SYMBOL,
                 "the module %s has no %s: it does not belong to this landdesk-cli (%s)",
                 g_module_name (module), symbol, g_module_error ());
  g_mutex_unlock (&lock);
  return address;
}
