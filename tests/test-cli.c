/* test-cli.c: landdesk-cli's dispatcher, exit codes and messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ld-core.h"
#include "ld-test-util.h"

static const char *
cli (void)
{
  return ld_test_binary ("LANDDESK_CLI");
}

static void
test_help (void)
{
  g_autoptr(LdTestRun) run = ld_test_run (NULL, cli (), "--help", NULL);

  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (strstr (run->out, "Usage: landdesk-cli"));
  g_assert_nonnull (strstr (run->out, "basemap"));
  g_assert_nonnull (strstr (run->out, "help COMMAND"));
}

static void
test_no_arguments (void)
{
  g_autoptr(LdTestRun) run = ld_test_run (NULL, cli (), NULL);

  /* Usage goes to stderr and the exit code says "wrong usage". */
  g_assert_cmpint (run->status, ==, 2);
  g_assert_cmpstr (run->out, ==, "");
  g_assert_nonnull (strstr (run->err, "Usage: landdesk-cli"));
}

static void
test_version (void)
{
  g_autoptr(LdTestRun) run = ld_test_run (NULL, cli (), "--version", NULL);
  g_autofree char *expected = g_strdup_printf ("landdesk-cli %s\n", PACKAGE_VERSION);

  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpstr (run->out, ==, expected);
}

static void
test_help_command (void)
{
  g_autoptr(LdTestRun) run = ld_test_run (NULL, cli (), "help", "basemap", NULL);
  g_autoptr(LdTestRun) bad = ld_test_run (NULL, cli (), "help", "frobnicate", NULL);

  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (strstr (run->out, "--out"));
  g_assert_nonnull (strstr (run->out, "--max-zoom"));

  g_assert_cmpint (bad->status, ==, 2);
  g_assert_nonnull (strstr (bad->err, "unknown command 'frobnicate'"));
}

static void
test_unknown_command_and_option (void)
{
  g_autoptr(LdTestRun) cmd = ld_test_run (NULL, cli (), "frobnicate", NULL);
  g_autoptr(LdTestRun) opt = ld_test_run (NULL, cli (), "--frobnicate", NULL);
  g_autoptr(LdTestRun) sub = ld_test_run (NULL, cli (), "basemap", "--bogus", NULL);

  g_assert_cmpint (cmd->status, ==, 2);
  g_assert_nonnull (strstr (cmd->err, "unknown command 'frobnicate'"));
  g_assert_cmpint (opt->status, ==, 2);
  g_assert_nonnull (strstr (opt->err, "unknown option '--frobnicate'"));
  g_assert_cmpint (sub->status, ==, 2);
  g_assert_nonnull (strstr (sub->err, "--bogus"));
  g_assert_nonnull (strstr (sub->err, "landdesk-cli help basemap"));
}

static void
test_basemap_writes_and_refuses_overwrite (void)
{
  g_autofree char *path = ld_test_path ("cli.mbtiles");
  g_autoptr(LdTestRun) first = ld_test_run (NULL, cli (), "basemap", "--out", path,
                                            "--min-zoom", "8", "--max-zoom", "9", NULL);
  g_autoptr(LdTestRun) again = ld_test_run (NULL, cli (), "basemap", "--out", path,
                                            "--max-zoom", "8", NULL);
  g_autoptr(LdTestRun) forced = ld_test_run (NULL, cli (), "basemap", "--out", path,
                                             "--max-zoom", "8", "--force", NULL);
  g_autoptr(LdMbtiles) mbtiles = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *maxzoom = NULL;

  g_assert_cmpint (first->status, ==, 0);
  g_assert_nonnull (strstr (first->err, "rendering zoom 9: 100%"));

  g_assert_cmpint (again->status, ==, 1);
  g_assert_nonnull (strstr (again->err, "--force"));

  g_assert_cmpint (forced->status, ==, 0);
  mbtiles = ld_mbtiles_open (path, &error);
  g_assert_no_error (error);
  maxzoom = ld_mbtiles_dup_metadata (mbtiles, "maxzoom");
  g_assert_cmpstr (maxzoom, ==, "8");
  /* Zoom 8 over Zhanjiang is 2 x 2 tiles. */
  g_assert_cmpint (ld_mbtiles_count_tiles (mbtiles), ==, 4);
}

static void
test_basemap_bad_arguments (void)
{
  g_autoptr(LdTestRun) no_out = ld_test_run (NULL, cli (), "basemap", NULL);
  g_autoptr(LdTestRun) zoom = ld_test_run (NULL, cli (), "basemap", "--out", "x.mbtiles",
                                           "--min-zoom", "12", "--max-zoom", "9", NULL);
  g_autoptr(LdTestRun) dir = ld_test_run (NULL, cli (), "basemap", "--out",
                                          "/nonexistent-dir/x.mbtiles", NULL);

  g_assert_cmpint (no_out->status, ==, 2);
  g_assert_nonnull (strstr (no_out->err, "--out FILE is required"));
  g_assert_cmpint (zoom->status, ==, 2);
  g_assert_nonnull (strstr (zoom->err, "zoom range 12-9 is invalid"));
  g_assert_cmpint (dir->status, ==, 1);
  g_assert_nonnull (strstr (dir->err, "/nonexistent-dir/x.mbtiles"));
  g_assert_false (g_file_test ("x.mbtiles", G_FILE_TEST_EXISTS));
}

int
main (int    argc,
      char **argv)
{
  ld_test_init (&argc, &argv);

  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/no-arguments", test_no_arguments);
  g_test_add_func ("/cli/version", test_version);
  g_test_add_func ("/cli/help-command", test_help_command);
  g_test_add_func ("/cli/unknown", test_unknown_command_and_option);
  g_test_add_func ("/cli/basemap/write", test_basemap_writes_and_refuses_overwrite);
  g_test_add_func ("/cli/basemap/bad-arguments", test_basemap_bad_arguments);

  return g_test_run ();
}
