/* ld-cli-report.c: landdesk-cli report, the pre-review overlay report of a case as a PDF
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>

#include "ld-cli.h"
#include "ld-core.h"

int
ld_cli_report (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LdReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *store = NULL, *case_ref = NULL, *out = NULL;
  gboolean force = FALSE;
  int code;
  const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store, "The store", "FILE" },
    { "case", 0, 0, G_OPTION_ARG_STRING, &case_ref, "The case (id or number)", "ID" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "The PDF to write", "FILE.pdf" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, "Overwrite an existing file", NULL },
    { NULL }
  };

  context = g_option_context_new ("- write the pre-review overlay report of a case (PDF, A4)");
  g_option_context_set_description (context,
    "The report holds the case data, the headline areas, the pre-review checks, maps of the\n"
    "red line over current and planned use with legends and scale bars, the class tables\n"
    "and the boundary-point coordinates (zone 37). Its text is Chinese.");
  g_option_context_add_main_entries (context, entries, NULL);
  if ((code = ld_cli_parse (context, &argc, &argv)) >= 0)
    return code;
  if (argc != 1)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "report: unexpected argument '%s'", argv[1]);
  if (store == NULL || case_ref == NULL || out == NULL)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "report: give --store FILE, --case ID and --out FILE.pdf");
  if (!force && g_file_test (out, G_FILE_TEST_EXISTS))
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "report: %s exists; use --force to overwrite it", out);

  report = ld_report_new (store, &error);
  if (report == NULL || !ld_report_write (report, case_ref, out, &error))
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "report: %s", error->message);
  printf ("%s\n", out);
  return LD_CLI_EXIT_OK;
}
