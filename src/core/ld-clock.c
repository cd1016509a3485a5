/* ld-clock.c: a case's time limit, deadline and light on the working-day calendar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "ld-case-event.h"
#include "ld-clock.h"

const char *
ld_light_to_string (LdLight light)
{
  switch (light)
    {
    case LD_LIGHT_GREEN: return "green";
    case LD_LIGHT_YELLOW: return "yellow";
    case LD_LIGHT_RED: return "red";
    case LD_LIGHT_NONE:
    default: return "none";
    }
}

/**
 * ld_clock_suspensions:
 * @events: the case's #LdCaseEvent log, oldest first
 *
 * Pairs the clock-stopping actions with the ones that end them. The dates are the events'
 * local dates (the first ten characters of `at`). A suspension still open has an invalid `to`.
 *
 * Returns: (transfer full): an array of #LdSuspension
 */
GArray *
ld_clock_suspensions (GListModel *events)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (LdSuspension));
  guint n = g_list_model_get_n_items (events);
  gboolean open = FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LdCaseEvent) e = g_list_model_get_item (events, i);
      const char *action = ld_case_event_get (e, LD_CASE_EVENT_ACTION);
      const char *at = ld_case_event_get (e, LD_CASE_EVENT_AT);
      g_autofree char *day = at ? g_strndup (at, 10) : NULL;
      GDate d;

      if (day == NULL || !ld_date_parse (day, &d, NULL))
        continue;
      if (!open && (g_strcmp0 (action, "request-correction") == 0
                    || g_strcmp0 (action, "start-special") == 0))
        {
          LdSuspension s;

          s.from = d;
          g_date_clear (&s.to, 1);
          g_array_append_val (out, s);
          open = TRUE;
        }
      else if (open && (g_strcmp0 (action, "resume") == 0
                        || g_strcmp0 (action, "end-special") == 0))
        {
          g_array_index (out, LdSuspension, out->len - 1).to = d;
          open = FALSE;
        }
    }
  return out;
}

/**
 * ld_clock_compute:
 * @suspensions: (nullable): from ld_clock_suspensions(); an open one lasts to @today
 *
 * The limit is the matter's; it runs from the day after acceptance. A closed case is measured
 * on its closing day, a suspended one on the day it was suspended (its clock is paused).
 */
gboolean
ld_clock_compute (LdCalendar   *calendar,
                  LdMatter     *matter,
                  const char   *accepted_on,
                  const char   *status,
                  const char   *suspended_on,
                  const char   *closed_on,
                  GArray       *suspensions,
                  const GDate  *today,
                  LdClock      *clock,
                  GError      **error)
{
  g_autoptr(GArray) susp = g_array_new (FALSE, TRUE, sizeof (LdSuspension));
  GDate accepted, eval, d;
  gboolean guessed = FALSE, guessed2 = FALSE;
  int yellow_after, ratio_after;

  memset (clock, 0, sizeof *clock);
  g_date_clear (&clock->deadline, 1);
  g_date_clear (&clock->yellow_on, 1);
  clock->limit = ld_matter_get_limit_workdays (matter);
  clock->light = LD_LIGHT_NONE;
  if (accepted_on == NULL)
    return TRUE;
  if (!ld_date_parse (accepted_on, &accepted, error))
    return FALSE;

  eval = *today;
  if ((g_strcmp0 (status, "closed") == 0 || g_strcmp0 (status, "refused") == 0)
      && closed_on != NULL && !ld_date_parse (closed_on, &eval, error))
    return FALSE;
  clock->paused = g_strcmp0 (status, "suspended") == 0;
  if (suspensions != NULL)
    g_array_append_vals (susp, suspensions->data, suspensions->len);
  /* A suspended case whose log lacks the event (an imported one) still pauses on its date. */
  if (clock->paused && suspended_on != NULL
      && (susp->len == 0 || g_date_valid (&g_array_index (susp, LdSuspension, susp->len - 1).to)))
    {
      LdSuspension s;

      if (!ld_date_parse (suspended_on, &s.from, error))
        return FALSE;
      g_date_clear (&s.to, 1);
      g_array_append_val (susp, s);
    }
  /* An open suspension ends, for the deadline's sake, on the day of evaluation. */
  for (guint i = 0; i < susp->len; i++)
    {
      LdSuspension *s = &g_array_index (susp, LdSuspension, i);

      if (!g_date_valid (&s->to))
        s->to = g_date_compare (&eval, &s->from) > 0 ? eval : s->from;
    }

  clock->used = ld_calendar_count (calendar, &accepted, &eval,
                                   (LdSuspension *) susp->data, susp->len, &guessed);
  if (clock->used < 0)
    clock->used = 0;
  if (!ld_calendar_workdays_after (calendar, &accepted, clock->limit,
                                   (LdSuspension *) susp->data, susp->len,
                                   &clock->deadline, &guessed2, error))
    return FALSE;
  clock->has_deadline = TRUE;
  clock->weekends_only = guessed || guessed2;
  clock->remaining = clock->limit - clock->used;

  yellow_after = MAX (0, clock->limit - ld_matter_get_yellow_remaining (matter));
  ratio_after = (int) ceil (ld_matter_get_yellow_used_ratio (matter) * clock->limit - 1e-9);
  if (!ld_calendar_workdays_after (calendar, &accepted, MIN (yellow_after, ratio_after),
                                   (LdSuspension *) susp->data, susp->len,
                                   &d, NULL, error))
    return FALSE;
  clock->yellow_on = d;

  if (clock->remaining < 0)
    clock->light = LD_LIGHT_RED;
  else if (clock->remaining <= ld_matter_get_yellow_remaining (matter)
           || clock->used >= ratio_after)
    clock->light = LD_LIGHT_YELLOW;
  else
    clock->light = LD_LIGHT_GREEN;
  return TRUE;
}
