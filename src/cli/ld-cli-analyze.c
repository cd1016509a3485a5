/* ld-cli-analyze.c: landdesk-cli analyze, the pre-review overlay analysis of a red line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>

#include "ld-cli.h"
#include "ld-core.h"

static void
print_text (LdAnalysisResult *r)
{
  double a = r->redline_area_m2;

  printf ("red line %.2f m2, %.4f ha, %.2f mu (planar Gauss-Krueger, EPSG:4525; "
          "ellipsoidal %.2f m2)\n", ld_round_half_up (a, 2), ld_round_half_up (a / 1e4, 4),
          ld_round_half_up (a * LD_MU_PER_M2, 2), ld_round_half_up (a * r->ellipsoid_factor, 2));
  for (guint i = 0; i < r->layers->len; i++)
    {
      LdAnalysisLayer *l = g_ptr_array_index (r->layers, i);

      printf ("\n%s\n%-10s %-20s %14s %10s %12s\n", l->layer, "code", "name", "m2", "ha", "mu");
      for (guint k = 0; k < l->classes->len; k++)
        {
          LdAnalysisRow *c = g_ptr_array_index (l->classes, k);

          printf ("%-10s %-20s %14.2f %10.4f %12.2f\n", c->code[0] ? c->code : "-", c->name,
                  c->round_m2, c->round_ha, c->round_mu);
        }
      printf ("%-10s %-20s %14.2f %10.4f %12.2f\n", "total", "",
              ld_round_half_up (l->total_m2, 2), ld_round_half_up (l->total_m2 / 1e4, 4),
              ld_round_half_up (l->total_m2 * LD_MU_PER_M2, 2));
    }
  printf ("\n");
  for (guint i = 0; i < LD_N_CHECKS; i++)
    printf ("%-17s %-9s %s\n", ld_check_id_to_string (r->checks[i].id),
            ld_check_status_to_string (r->checks[i].status), r->checks[i].reason);
}

int
ld_cli_analyze (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LdAnalysis) analysis = NULL;
  g_autoptr(LdRedline) redline = NULL;
  g_autoptr(LdAnalysisResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *store = NULL, *case_ref = NULL, *redline_file = NULL, *use = NULL;
  g_autofree char *case_id = NULL, *case_use = NULL;
  gboolean json = FALSE, no_save = FALSE, stored = FALSE;
  int code;
  const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store,
      "The store (or any GeoPackage with the land layers)", "FILE" },
    { "case", 0, 0, G_OPTION_ARG_STRING, &case_ref, "Analyse this case's red line (id or number)",
      "ID" },
    { "redline", 0, 0, G_OPTION_ARG_FILENAME, &redline_file,
      "Analyse the red line in this file (TXT, SHP, GPKG, GeoJSON, KML, DXF)", "FILE" },
    { "use", 0, 0, G_OPTION_ARG_STRING, &use,
      "The project's use (2023 class code) for the planned-use check; default: the case's",
      "CODE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { "no-save", 0, 0, G_OPTION_ARG_NONE, &no_save,
      "With --case: do not store the result with the case", NULL },
    { "stored", 0, 0, G_OPTION_ARG_NONE, &stored,
      "With --case: print the stored result and whether it is stale, without analysing", NULL },
    { NULL }
  };

  context = g_option_context_new ("- overlay a red line on the land layers: classes and "
                                  "pre-review checks");
  g_option_context_set_description (context,
    "Areas are planar Gauss-Krueger areas in EPSG:4525 (m2 2, ha 4, mu 2 decimals; the rows\n"
    "of a layer add up to its total). Checks: planned_use udb pbf epr cultivated\n"
    "new_construction, each pass, attention or fail with its reason. With --case the\n"
    "result is stored with the case and later read as stale once the red line, the\n"
    "project use or a layer under it changes.");
  g_option_context_add_main_entries (context, entries, NULL);
  if ((code = ld_cli_parse (context, &argc, &argv)) >= 0)
    return code;
  if (argc != 1)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "analyze: unexpected argument '%s'", argv[1]);
  if (store == NULL)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "analyze: give --store FILE");
  if ((case_ref == NULL) == (redline_file == NULL))
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "analyze: give either --case ID or --redline FILE");
  if (stored && case_ref == NULL)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "analyze: --stored needs --case");

  analysis = ld_analysis_new (store, &error);
  if (analysis == NULL)
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "analyze: %s", error->message);
  if (case_ref != NULL)
    redline = ld_analysis_load_case (analysis, case_ref, &case_id, &case_use, &error);
  else
    redline = ld_redline_import (redline_file, LD_REDLINE_FORMAT_AUTO, LD_REDLINE_IMPORT_DEFAULT,
                                 &error);
  if (redline == NULL)
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "analyze: %s", error->message);

  if (stored)
    {
      gboolean stale = FALSE;
      g_autofree char *when = NULL;
      g_autofree char *text = ld_analysis_load_saved (analysis, case_id, &stale, &when, &error);

      if (text == NULL)
        return ld_cli_fail (LD_CLI_EXIT_FAILURE, "analyze: %s", error->message);
      printf ("{\"case_id\": \"%s\", \"computed_at\": \"%s\", \"stale\": %s, \"analysis\": %s}\n",
              case_id, when, stale ? "true" : "false", text);
      return LD_CLI_EXIT_OK;
    }

  result = ld_analysis_run (analysis, redline, use != NULL ? use : case_use, &error);
  if (result == NULL)
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "analyze: %s", error->message);
  /* A result for another use than the case's is not the case's analysis: not stored. */
  if (case_id != NULL && !no_save && use == NULL
      && !ld_analysis_save (analysis, case_id, result, &error))
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "analyze: the result was not stored: %s",
                        error->message);
  if (json)
    {
      g_autofree char *text = ld_analysis_result_to_json (result);

      puts (text);
    }
  else
    print_text (result);
  return LD_CLI_EXIT_OK;
}
