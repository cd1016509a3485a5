/* ld-test-util.c: running the project's binaries from tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdarg.h>
#include <glib/gstdio.h>

#include "ld-redline.h"
#include "ld-test-util.h"

static char *system_data_dirs;

/* g_test_init() with isolated user dirs. The isolation also replaces XDG_DATA_DIRS, which the
 * programs a test starts need as it was: icon themes, GSettings schemas and fonts live there. */
void
ld_test_init (int    *argc,
              char ***argv)
{
  const char *dirs = g_getenv ("XDG_DATA_DIRS");

  system_data_dirs = g_strdup (dirs != NULL && *dirs != '\0' ? dirs : "/usr/local/share:/usr/share");
  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* The tests link GDAL: the red-line formats need no module landdesk-gdal. */
  ld_redline_ogr_install ();
}

/* tests/meson.build exports the built binaries' paths, e.g. LANDDESK_CLI. */
const char *
ld_test_binary (const char *env_name)
{
  const char *path = g_getenv (env_name);

  if (path == NULL)
    g_error ("%s is not set: run the tests with `meson test`", env_name);
  return path;
}

/* A path in the test's own scratch folder: G_TEST_OPTION_ISOLATE_DIRS gives each test case a
 * fresh cache dir, deleted afterwards, so tests never see each other's files. */
char *
ld_test_path (const char *name)
{
  const char *dir = g_get_user_cache_dir ();

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return g_build_filename (dir, name, NULL);
}

/* Deletes @path and, if it is a folder, everything in it. */
void
ld_test_rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      ld_test_rm_rf (child);
    }
  g_remove (path);
}

/* An HTTP client that talks straight to 127.0.0.1, whatever the desktop's proxy settings. */
SoupSession *
ld_test_session (void)
{
  g_autoptr(GProxyResolver) direct = g_simple_proxy_resolver_new (NULL, NULL);

  return soup_session_new_with_options ("proxy-resolver", direct, NULL);
}

/**
 * ld_test_run:
 * @envp: (nullable): extra NAME=VALUE pairs on top of the test's environment
 *
 * Runs @binary with the NULL-terminated arguments and waits for it.
 */
LdTestRun *
ld_test_run (const char * const *envp,
             const char         *binary,
             ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  LdTestRun *run = g_new0 (LdTestRun, 1);
  int wait_status = 0;
  va_list args;

  g_ptr_array_add (argv, (gpointer) binary);
  va_start (args, binary);
  for (const char *a = va_arg (args, const char *); a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  if (system_data_dirs != NULL)
    env = g_environ_setenv (env, "XDG_DATA_DIRS", system_data_dirs, TRUE);
  for (guint i = 0; envp != NULL && envp[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (envp[i], "=", 2);

      env = g_environ_setenv (env, kv[0], kv[1], TRUE);
    }

  if (!g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
                     &run->out, &run->err, &wait_status, &error))
    g_error ("cannot run %s: %s", binary, error->message);
  run->status = g_spawn_check_wait_status (wait_status, NULL) ? 0
                : WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
  return run;
}

void
ld_test_run_free (LdTestRun *run)
{
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}

static gboolean
keep_ticking (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the default main loop until @cond holds; fails the test after @seconds. */
void
ld_test_wait_for (gboolean (*cond) (gpointer),
                  gpointer   data,
                  guint      seconds)
{
  gint64 end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  /* A ticking source, so an idle main loop still comes back to check. */
  guint tick = g_timeout_add (20, keep_ticking, NULL);

  while (!cond (data) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  g_assert_true (cond (data));
}
