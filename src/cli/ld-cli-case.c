/* ld-cli-case.c: landdesk-cli case and cases, the workbench from the command line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>

#include "ld-cli.h"
#include "ld-core.h"

static LdStore *
open_store (const char  *cmd,
            const char  *path,
            int         *code)
{
  g_autofree char *default_path = NULL;
  g_autoptr(GError) error = NULL;
  LdStore *store;

  if (path == NULL)
    path = default_path = ld_store_default_path ();
  store = ld_store_open (path, &error);
  if (store == NULL)
    *code = ld_cli_fail (LD_CLI_EXIT_FAILURE, "%s: %s", cmd, error->message);
  return store;
}

static gboolean
parse_today (const char  *text,
             GDate       *today,
             GError     **error)
{
  g_autoptr(GDateTime) now = NULL;

  if (text != NULL)
    return ld_date_parse (text, today, error);
  now = g_date_time_new_now_local ();
  g_date_clear (today, 1);
  g_date_set_dmy (today, (GDateDay) g_date_time_get_day_of_month (now),
                  (GDateMonth) g_date_time_get_month (now), (GDateYear) g_date_time_get_year (now));
  return TRUE;
}

static void
print_case_line (LdCase *kase)
{
  const LdClock *clock = ld_case_get_clock (kase);
  g_autofree char *deadline = clock->has_deadline ? ld_date_format (&clock->deadline) : NULL;
  g_autofree char *days = clock->has_deadline ? g_strdup_printf ("%d", clock->remaining)
                                              : g_strdup ("-");

  printf ("%-6s %5s%s %-10s %-16s %-22s %-8s %-10s %s | %s\n",
          ld_light_to_string (clock->light), days, clock->paused ? "p" : " ",
          deadline ? deadline : "-", ld_case_get (kase, LD_CASE_NUMBER),
          ld_case_get_case_type (kase) ? ld_case_get_case_type (kase) : "-",
          ld_case_get (kase, LD_CASE_STAGE),
          ld_case_get (kase, LD_CASE_ASSIGNEE) ? ld_case_get (kase, LD_CASE_ASSIGNEE) : "-",
          ld_case_get (kase, LD_CASE_TITLE) ? ld_case_get (kase, LD_CASE_TITLE) : "",
          ld_case_get (kase, LD_CASE_APPLICANT) ? ld_case_get (kase, LD_CASE_APPLICANT) : "");
}

static int
case_act (int    argc,
          char **argv,
          char  *store_path,
          char  *as)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LdStore) store = NULL;
  g_autoptr(LdCase) kase = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *opinion = NULL;
  g_autofree char *date = NULL;
  g_autofree char *to = NULL;
  gboolean json = FALSE;
  int code = 0;
  const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path, "The store (default: the profile's)",
      "FILE" },
    { "as", 0, 0, G_OPTION_ARG_STRING, &as, "Act as this user (login name)", "LOGIN" },
    { "opinion", 0, 0, G_OPTION_ARG_STRING, &opinion, "The opinion logged with the step", "TEXT" },
    { "date", 0, 0, G_OPTION_ARG_STRING, &date, "The day the action counts for (default today)",
      "YYYY-MM-DD" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, "reassign: the new assignee", "LOGIN" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the case after the action as JSON", NULL },
    { NULL }
  };

  context = g_option_context_new ("ID ACTION");
  g_option_context_set_summary (context,
    "Apply a workflow action to a case (its number or UUID). Actions: accept, submit,\n"
    "return, request-correction, resume, start-special, end-special, approve, refuse,\n"
    "close, reassign. The case, its stage log and the outbox op are one transaction.");
  g_option_context_add_main_entries (context, entries, NULL);
  if ((code = ld_cli_parse (context, &argc, &argv)) >= 0)
    return code;
  if (argc != 3)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "case act: give the case ID and the ACTION");
  if (as == NULL)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "case act: say who acts with --as LOGIN");
  if ((store = open_store ("case act", store_path, &code)) == NULL)
    return code;
  kase = ld_store_act (store, argv[1], as, argv[2], opinion, date, to, &error);
  if (kase == NULL)
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "case act: %s", error->message);
  if (json)
    {
      g_autofree char *text = ld_store_dup_case_json (store, kase, FALSE, NULL, &error);

      if (text == NULL)
        return ld_cli_fail (LD_CLI_EXIT_FAILURE, "case act: %s", error->message);
      printf ("%s\n", text);
    }
  else
    printf ("%s: %s -> stage %s, status %s, assignee %s\n", ld_case_get (kase, LD_CASE_NUMBER),
            argv[2], ld_case_get (kase, LD_CASE_STAGE), ld_case_get (kase, LD_CASE_STATUS),
            ld_case_get (kase, LD_CASE_ASSIGNEE) ? ld_case_get (kase, LD_CASE_ASSIGNEE)
                                                 : "(unassigned)");
  return LD_CLI_EXIT_OK;
}

static int
case_show (int    argc,
           char **argv,
           char  *store_path)
{
  g_autofree char *as = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LdStore) store = NULL;
  g_autoptr(LdCase) kase = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *today_text = NULL;
  g_autofree char *text = NULL;
  gboolean json = FALSE;
  int code = 0;
  GDate today;
  const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path, "The store (default: the profile's)",
      "FILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { "as", 0, 0, G_OPTION_ARG_STRING, &as, "List the actions this user may take (login name)",
      "LOGIN" },
    { "today", 0, 0, G_OPTION_ARG_STRING, &today_text, "Read the clock on this day",
      "YYYY-MM-DD" },
    { NULL }
  };

  context = g_option_context_new ("ID");
  g_option_context_set_summary (context, "Show a case (its number or UUID) with its stage log, "
                                         "red lines and attachments.");
  g_option_context_add_main_entries (context, entries, NULL);
  if ((code = ld_cli_parse (context, &argc, &argv)) >= 0)
    return code;
  if (argc != 2)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "case show: give the case ID");
  if (!parse_today (today_text, &today, &error))
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "case show: --today: %s", error->message);
  if ((store = open_store ("case show", store_path, &code)) == NULL)
    return code;
  kase = ld_store_get_case (store, argv[1], &today, &error);
  if (kase == NULL)
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "case show: %s", error->message);
  text = ld_store_dup_case_json (store, kase, TRUE, as, &error);
  if (text == NULL)
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "case show: %s", error->message);
  if (json)
    printf ("%s\n", text);
  else
    print_case_line (kase);
  return LD_CLI_EXIT_OK;
}

static int
case_attach (int    argc,
             char **argv,
             char  *store_path,
             char  *as)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LdStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha = NULL;
  int code = 0;
  const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path, "The store (default: the profile's)",
      "FILE" },
    { "as", 0, 0, G_OPTION_ARG_STRING, &as, "The user adding the file (login name)", "LOGIN" },
    { NULL }
  };

  context = g_option_context_new ("ID FILE");
  g_option_context_set_summary (context, "Attach a file to a case; prints its SHA-256.");
  g_option_context_add_main_entries (context, entries, NULL);
  if ((code = ld_cli_parse (context, &argc, &argv)) >= 0)
    return code;
  if (argc != 3 || as == NULL)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "case attach: give ID FILE and --as LOGIN");
  if ((store = open_store ("case attach", store_path, &code)) == NULL)
    return code;
  sha = ld_store_add_attachment (store, argv[1], as, argv[2], &error);
  if (sha == NULL)
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "case attach: %s", error->message);
  printf ("%s\n", sha);
  return LD_CLI_EXIT_OK;
}

int
ld_cli_case (int    argc,
             char **argv)
{
  const char *sub = argc > 1 ? argv[1] : NULL;

  if (sub != NULL && (g_str_equal (sub, "act") || g_str_equal (sub, "show")
                      || g_str_equal (sub, "attach")))
    {
      g_autofree char *name = g_strdup_printf ("case %s", sub);
      char **sub_argv = g_new0 (char *, argc);
      int ret;

      /* argv[0] becomes "case SUB" so that messages and --help name the subcommand. */
      sub_argv[0] = name;
      for (int i = 2; i < argc; i++)
        sub_argv[i - 1] = argv[i];
      if (g_str_equal (sub, "act"))
        ret = case_act (argc - 1, sub_argv, NULL, NULL);
      else if (g_str_equal (sub, "show"))
        ret = case_show (argc - 1, sub_argv, NULL);
      else
        ret = case_attach (argc - 1, sub_argv, NULL, NULL);
      g_free (sub_argv);
      return ret;
    }
  if (sub != NULL && (g_str_equal (sub, "--help") || g_str_equal (sub, "-h")))
    {
      printf ("Usage:\n"
              "  landdesk-cli case act ID ACTION --store FILE --as LOGIN [--opinion TEXT]"
              " [--date YYYY-MM-DD] [--to LOGIN] [--json]\n"
              "  landdesk-cli case show ID --store FILE [--json] [--as LOGIN]"
              " [--today YYYY-MM-DD]\n"
              "  landdesk-cli case attach ID FILE --store FILE --as LOGIN\n"
              "\nSee also: landdesk-cli cases list --help\n");
      return LD_CLI_EXIT_OK;
    }
  return ld_cli_fail (LD_CLI_EXIT_USAGE, "case: say act, show or attach (see 'landdesk-cli "
                      "help case')");
}

int
ld_cli_cases (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LdStore) store = NULL;
  g_autoptr(GListModel) cases = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *store_path = NULL;
  g_autofree char *list_name = NULL;
  g_autofree char *as = NULL;
  g_autofree char *search = NULL;
  g_autofree char *type = NULL;
  g_autofree char *stage = NULL;
  g_autofree char *light = NULL;
  g_autofree char *today_text = NULL;
  gboolean json = FALSE;
  int limit = 0, offset = 0, code = 0;
  guint total = 0;
  LdCaseQuery query = { 0 };
  GDate today;
  const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path, "The store (default: the profile's)",
      "FILE" },
    { "list", 'l', 0, G_OPTION_ARG_STRING, &list_name,
      "todo, doing, done, closed or suspended (default: all cases)", "LIST" },
    { "as", 0, 0, G_OPTION_ARG_STRING, &as, "The lists of this user (login name)", "LOGIN" },
    { "search", 0, 0, G_OPTION_ARG_STRING, &search,
      "Substring of number, project, applicant or parcel", "TEXT" },
    { "type", 0, 0, G_OPTION_ARG_STRING, &type, "Only this case type", "TYPE" },
    { "stage", 0, 0, G_OPTION_ARG_STRING, &stage, "Only this stage", "STAGE" },
    { "light", 0, 0, G_OPTION_ARG_STRING, &light, "Only green, yellow, red or none", "LIGHT" },
    { "today", 0, 0, G_OPTION_ARG_STRING, &today_text, "Read the clocks on this day",
      "YYYY-MM-DD" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "At most N cases", "N" },
    { "offset", 0, 0, G_OPTION_ARG_INT, &offset, "Skip the first N cases", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON array", NULL },
    { NULL }
  };

  context = g_option_context_new ("list");
  g_option_context_set_summary (context, "List cases, sorted by deadline.");
  g_option_context_add_main_entries (context, entries, NULL);
  if ((code = ld_cli_parse (context, &argc, &argv)) >= 0)
    return code;
  if (argc != 2 || !g_str_equal (argv[1], "list"))
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "cases: say 'cases list' (see 'landdesk-cli help "
                        "cases')");
  if (limit < 0 || offset < 0)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "cases list: --limit and --offset must be >= 0");
  if (list_name != NULL && !ld_case_list_from_string (list_name, &query.list))
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "cases list: --list %s: use todo, doing, done, "
                        "closed or suspended", list_name);
  if (!parse_today (today_text, &today, &error))
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "cases list: --today: %s", error->message);
  if ((store = open_store ("cases list", store_path, &code)) == NULL)
    return code;
  query.user = as;
  query.search = search;
  query.case_type = type;
  query.stage = stage;
  query.light = light;
  query.today = &today;
  query.limit = (guint) limit;
  query.offset = (guint) offset;
  cases = ld_store_query_cases (store, &query, &total, &error);
  if (cases == NULL)
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "cases list: %s", error->message);

  if (json)
    printf ("[");
  for (guint i = 0; i < g_list_model_get_n_items (cases); i++)
    {
      g_autoptr(LdCase) kase = g_list_model_get_item (cases, i);

      if (json)
        {
          g_autofree char *text = ld_store_dup_case_json (store, kase, FALSE, NULL, &error);

          if (text == NULL)
            return ld_cli_fail (LD_CLI_EXIT_FAILURE, "cases list: %s", error->message);
          printf ("%s\n%s", i ? "," : "", text);
        }
      else
        print_case_line (kase);
    }
  if (json)
    printf ("\n]\n");
  else
    fprintf (stderr, "%u of %u cases\n", g_list_model_get_n_items (cases), total);
  return LD_CLI_EXIT_OK;
}
