/* ld-cli.c: the landdesk-cli subcommand dispatcher
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#ifdef G_OS_WIN32
#include <io.h>
#define isatty _isatty
#else
#include <unistd.h>
#endif

#include "ld-cli.h"
#include "ld-core.h"

static const LdCliCommand commands[] = {
  { "analyze", "Overlay a red line on the land layers: classes and pre-review checks", ld_cli_analyze },
  { "basemap", "Render an offline base map into an MBTiles file", NULL, "landdesk-gdal" },
  { "calendar", "Working days: deadlines and counts on the official calendar", ld_cli_calendar },
  { "case", "Act on a case, show it, attach a file", ld_cli_case },
  { "cases", "List cases: to do, in progress, done, closed, suspended", ld_cli_cases },
  { "demo-data", "Write the Zhanjiang demo dataset (GeoPackage and base map)", NULL,
    "landdesk-gdal" },
  { "offline-area", "Download an area's layers and base map for work offline", NULL,
    "landdesk-gdal" },
  { "redline", "Import a red line (TXT, SHP, GPKG, GeoJSON, KML, DXF) or export one", ld_cli_redline },
  { "report", "Write the pre-review overlay report of a case (PDF)", NULL, "landdesk-report" },
  { "store", "Create the local store (optionally loaded with the demo)", NULL, "landdesk-gdal" },
  { "sync", "Sync a local store with landdesk-server (push the outbox, pull changes)", NULL,
    "landdesk-sync" },
};

/* A command's function: its own, or ld_cli_NAME from its module. */
static LdCliRun
command_run (const LdCliCommand *cmd)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *symbol = NULL;
  LdCliRun run;

  if (cmd->run != NULL)
    return cmd->run;
  symbol = g_strdelimit (g_strconcat ("ld_cli_", cmd->name, NULL), "-", '_');
  run = ld_module_lookup (cmd->module, symbol, &error);
  if (run == NULL)
    ld_cli_fail (LD_CLI_EXIT_FAILURE, "%s: %s", cmd->name, error->message);
  return run;
}

static const LdCliCommand *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_strcmp0 (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

static void
print_usage (FILE *out)
{
  fprintf (out,
           "Usage: landdesk-cli [--help] [--version] COMMAND [ARGS...]\n"
           "\n"
           "LandDesk's core, headless: for GIS officers and scripts.\n"
           "\n"
           "Commands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-14s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "  %-14s %s\n", "help COMMAND", "Show the options of COMMAND");
  fprintf (out, "\nExit codes: 0 success, 1 failure, 2 wrong usage.\n");
}

static int
run_help (int    argc,
          char **argv)
{
  const LdCliCommand *cmd;
  char *help_argv[] = { NULL, (char *) "--help", NULL };
  LdCliRun run;

  if (argc < 2)
    {
      print_usage (stdout);
      return LD_CLI_EXIT_OK;
    }
  cmd = find_command (argv[1]);
  if (cmd == NULL)
    return ld_cli_fail (LD_CLI_EXIT_USAGE,
                        "unknown command '%s'; run 'landdesk-cli --help' for the list", argv[1]);
  help_argv[0] = (char *) cmd->name;
  run = command_run (cmd);
  return run != NULL ? run (2, help_argv) : LD_CLI_EXIT_FAILURE;
}

int
ld_cli_fail (int         code,
             const char *format,
             ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "landdesk-cli: %s\n", msg);
  return code;
}

/* Parses a subcommand's options. Returns -1 to go on, or the exit code to return:
 * --help prints and succeeds, bad options fail with LD_CLI_EXIT_USAGE. */
int
ld_cli_parse (GOptionContext   *context,
              int              *argc,
              char           ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf ("landdesk-cli %s", (*argv)[0]);

  g_set_prgname (prgname);
  g_option_context_set_help_enabled (context, TRUE);
  if (!g_option_context_parse (context, argc, argv, &error))
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "%s: %s (see 'landdesk-cli help %s')",
                        (*argv)[0], error->message, (*argv)[0]);
  return -1;
}

/* Opens the store at @path for a command that fills it (sync, offline-area): a missing or
 * empty file is created as a new store first. */
LdStore *
ld_cli_open_store (const char  *path,
                   GError     **error)
{
  GStatBuf st;

  if (g_stat (path, &st) == 0 && st.st_size == 0)
    g_remove (path);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return ld_store_create (path, error);
  return ld_store_open (path, error);
}

/* Returns: (transfer full): the password on the first line of @file (for --password-file,
 * which keeps it out of the process list and the shell history) */
char *
ld_cli_read_password_file (const char  *file,
                           GError     **error)
{
  g_autofree char *text = NULL;
  char *end;

  if (!g_file_get_contents (file, &text, NULL, error))
    return NULL;
  end = strpbrk (text, "\r\n");
  if (end != NULL)
    *end = '\0';
  if (*text == '\0')
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "password file %s: line 1 is empty; write the password on it", file);
      return NULL;
    }
  return g_steal_pointer (&text);
}

/* Progress on stderr, one updating line when it is a terminal. */
void
ld_cli_progress (double      fraction,
                 const char *what,
                 gpointer    user_data)
{
  static gboolean is_tty = -1;

  if (is_tty == -1)
    is_tty = isatty (fileno (stderr));
  fprintf (stderr, is_tty ? "\r%s: %3.0f%%" : "%s: %3.0f%%\n", what, fraction * 100.0);
  if (is_tty && fraction >= 1.0)
    fputc ('\n', stderr);
  fflush (stderr);
}

int
ld_cli_main (int    argc,
             char **argv)
{
  const LdCliCommand *cmd;
  LdCliRun run;

  if (argc < 2)
    {
      print_usage (stderr);
      return LD_CLI_EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_usage (stdout);
      return LD_CLI_EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("landdesk-cli %s\n", ld_version_string ());
      return LD_CLI_EXIT_OK;
    }
  if (g_str_equal (argv[1], "help"))
    return run_help (argc - 1, argv + 1);
  if (argv[1][0] == '-')
    return ld_cli_fail (LD_CLI_EXIT_USAGE,
                        "unknown option '%s'; run 'landdesk-cli --help'", argv[1]);

  cmd = find_command (argv[1]);
  if (cmd == NULL)
    return ld_cli_fail (LD_CLI_EXIT_USAGE,
                        "unknown command '%s'; run 'landdesk-cli --help' for the list", argv[1]);
  run = command_run (cmd);
  return run != NULL ? run (argc - 1, argv + 1) : LD_CLI_EXIT_FAILURE;
}
