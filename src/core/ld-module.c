/* ld-module.c: finds and loads the modules of the core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * landdesk-cli links the base part of the core only (GLib, SQLite, GEOS, json-glib): loading
 * GDAL with its ~130 shared objects took 40-50 ms, ten times what `analyze` needs. The parts
 * that need more are built into modules (landdesk-gdal: GDAL, PROJ, cairo; landdesk-report:
 * cairo, Pango; landdesk-sync: libsoup), which the CLI loads with GModule only for the
 * commands and formats that need them. A module's undefined symbols are the base part's,
 * which the CLI exports (export_dynamic).
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
static GHashTable *modules;   /* name -> GModule, loaded for good */

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
open_module (const char  *name,
             GError     **error)
{
  g_autoptr(GPtrArray) dirs = candidate_dirs ();
  g_autoptr(GString) tried = g_string_new (NULL);

  for (guint i = 0; i < dirs->len; i++)
    {
      g_autofree char *file = g_strconcat (name, ".", G_MODULE_SUFFIX, NULL);
      g_autofree char *path = g_build_filename (g_ptr_array_index (dirs, i), file, NULL);
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
               "this needs the module %s, which is missing (looked for %s): reinstall "
               "LandDesk, or point LANDDESK_MODULEDIR at the directory that holds it", name,
               tried->str);
  return NULL;
}

/**
 * ld_module_lookup:
 * @module: landdesk-gdal, landdesk-report or landdesk-sync
 * @symbol: a function the module exports
 *
 * Loads @module on first use (it then stays) and returns @symbol's address.
 */
gpointer
ld_module_lookup (const char  *module,
                  const char  *symbol,
                  GError     **error)
{
  gpointer address = NULL;
  GModule *m;

  g_return_val_if_fail (module != NULL && symbol != NULL, NULL);

  g_mutex_lock (&lock);
  if (modules == NULL)
    modules = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  m = g_hash_table_lookup (modules, module);
  if (m == NULL && (m = open_module (module, error)) != NULL)
    g_hash_table_insert (modules, g_strdup (module), m);
  if (m != NULL && !g_module_symbol (m, symbol, &address))
    g_set_error (error, LD_MODULE_ERROR, LD_MODULE_ERROR_SYMBOL,
                 "the module %s has no %s: it does not belong to this landdesk-cli (%s)",
                 g_module_name (m), symbol, g_module_error ());
  g_mutex_unlock (&lock);
  return address;
}
