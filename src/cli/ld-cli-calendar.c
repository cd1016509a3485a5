/* ld-cli-calendar.c: landdesk-cli calendar, working-day arithmetic on the official calendar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>

#include "ld-cli.h"
#include "ld-core.h"

static gboolean
parse_suspensions (char         **specs,
                   GArray        *out,
                   GError       **error)
{
  for (guint i = 0; specs != NULL && specs[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (specs[i], ":", 2);
      LdSuspension s;

      if (g_strv_length (parts) != 2)
        {
          g_set_error (error, LD_CALENDAR_ERROR, LD_CALENDAR_ERROR_FORMAT,
                       "--suspend %s: write FROM:TO, e.g. 2025-03-03:2025-03-10", specs[i]);
          return FALSE;
        }
      if (!ld_date_parse (parts[0], &s.from, error) || !ld_date_parse (parts[1], &s.to, error))
        {
          g_prefix_error (error, "--suspend %s: ", specs[i]);
          return FALSE;
        }
      if (g_date_compare (&s.from, &s.to) > 0)
        {
          g_set_error (error, LD_CALENDAR_ERROR, LD_CALENDAR_ERROR_FORMAT,
                       "--suspend %s: the suspension ends before it begins", specs[i]);
          return FALSE;
        }
      g_array_append_val (out, s);
    }
  return TRUE;
}

static void
warn_weekends_only (LdCalendar *calendar,
                    gboolean    weekends_only)
{
  if (weekends_only)
    fprintf (stderr, "landdesk-cli: warning: a year on the way has no holiday calendar in "
                     "data/calendars/; only weekends were counted as days off\n");
}

int
ld_cli_calendar (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LdCalendar) calendar = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) susp = g_array_new (FALSE, TRUE, sizeof (LdSuspension));
  g_auto(GStrv) suspend = NULL;
  g_autofree char *dir = NULL;
  gboolean weekends_only = FALSE;
  int code;
  const GOptionEntry entries[] = {
    { "suspend", 's', 0, G_OPTION_ARG_STRING_ARRAY, &suspend,
      "A suspension: working days d with FROM < d <= TO do not count (repeatable)", "FROM:TO" },
    { "calendars", 0, 0, G_OPTION_ARG_FILENAME, &dir,
      "Folder of <year>.json calendars (default: the shipped data/calendars)", "DIR" },
    { NULL }
  };

  context = g_option_context_new ("workdays-after DATE N | count FROM TO");
  g_option_context_set_summary (context,
    "Working-day arithmetic on the State Council's holiday calendar.\n\n"
    "  workdays-after DATE N   the N-th working day after DATE (DATE itself does not count)\n"
    "  count FROM TO           the working days d with FROM < d <= TO\n\n"
    "Dates are YYYY-MM-DD. A year without a calendar counts weekends only (with a warning).");
  g_option_context_add_main_entries (context, entries, NULL);
  if ((code = ld_cli_parse (context, &argc, &argv)) >= 0)
    return code;

  if (argc < 2)
    return ld_cli_fail (LD_CLI_EXIT_USAGE,
                        "calendar: say workdays-after DATE N or count FROM TO "
                        "(see 'landdesk-cli help calendar')");
  if (!parse_suspensions (suspend, susp, &error))
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "calendar: %s", error->message);

  calendar = ld_calendar_new ();
  if (dir == NULL)
    dir = ld_paths_data_file ("calendars", NULL);
  if (!ld_calendar_load_dir (calendar, dir, &error))
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "calendar: %s", error->message);

  if (g_str_equal (argv[1], "workdays-after"))
    {
      g_autofree char *text = NULL;
      GDate start, deadline;
      gint64 n;

      if (argc != 4)
        return ld_cli_fail (LD_CLI_EXIT_USAGE, "calendar workdays-after: give DATE and N");
      if (!ld_date_parse (argv[2], &start, &error))
        return ld_cli_fail (LD_CLI_EXIT_USAGE, "calendar workdays-after: DATE: %s",
                            error->message);
      if (!g_ascii_string_to_signed (argv[3], 10, 0, 100000, &n, NULL))
        return ld_cli_fail (LD_CLI_EXIT_USAGE,
                            "calendar workdays-after: N '%s' is not a whole number 0 to 100000",
                            argv[3]);
      if (!ld_calendar_workdays_after (calendar, &start, (int) n, (LdSuspension *) susp->data,
                                       susp->len, &deadline, &weekends_only, &error))
        return ld_cli_fail (LD_CLI_EXIT_FAILURE, "calendar workdays-after: %s", error->message);
      text = ld_date_format (&deadline);
      printf ("%s\n", text);
      warn_weekends_only (calendar, weekends_only);
      return LD_CLI_EXIT_OK;
    }
  if (g_str_equal (argv[1], "count"))
    {
      GDate from, to;

      if (argc != 4)
        return ld_cli_fail (LD_CLI_EXIT_USAGE, "calendar count: give FROM and TO");
      if (!ld_date_parse (argv[2], &from, &error) || !ld_date_parse (argv[3], &to, &error))
        return ld_cli_fail (LD_CLI_EXIT_USAGE, "calendar count: %s", error->message);
      printf ("%d\n", ld_calendar_count (calendar, &from, &to, (LdSuspension *) susp->data,
                                         susp->len, &weekends_only));
      warn_weekends_only (calendar, weekends_only);
      return LD_CLI_EXIT_OK;
    }
  return ld_cli_fail (LD_CLI_EXIT_USAGE,
                      "calendar: unknown subcommand '%s'; use workdays-after or count", argv[1]);
}
