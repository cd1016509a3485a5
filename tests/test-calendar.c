/* test-calendar.c: the working-day calendar and the clock
 *
 * Expected dates are worked out by hand from the State Council notices (data/calendars/).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ld-core.h"
#include "ld-test-util.h"

static LdCalendar *
shipped (void)
{
  g_autoptr(GError) error = NULL;
  LdCalendar *cal = ld_calendar_new_default (&error);

  g_assert_no_error (error);
  return cal;
}

static GDate
date (const char *text)
{
  GDate d;

  g_assert_true (ld_date_parse (text, &d, NULL));
  return d;
}

static char *
after (LdCalendar         *cal,
       const char         *start,
       int                 n,
       const LdSuspension *susp,
       guint               n_susp,
       gboolean           *weekends_only)
{
  g_autoptr(GError) error = NULL;
  GDate s = date (start), out;

  g_assert_true (ld_calendar_workdays_after (cal, &s, n, susp, n_susp, &out, weekends_only,
                                             &error));
  g_assert_no_error (error);
  return ld_date_format (&out);
}

static void
test_dates (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GDate d;

  g_assert_true (ld_date_parse ("2024-02-29", &d, NULL));
  text = ld_date_format (&d);
  g_assert_cmpstr (text, ==, "2024-02-29");
  g_assert_false (ld_date_parse ("2025-02-29", &d, &error));
  g_assert_error (error, LD_CALENDAR_ERROR, LD_CALENDAR_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "YYYY-MM-DD"));
  g_clear_error (&error);
  g_assert_false (ld_date_parse ("2025-3-1", &d, NULL));
  g_assert_false (ld_date_parse ("2025-03-01x", &d, NULL));
  g_assert_false (ld_date_parse ("", &d, NULL));
}

static void
test_shipped_years (void)
{
  g_autoptr(LdCalendar) cal = shipped ();

  for (int y = 2024; y <= 2026; y++)
    {
      g_assert_true (ld_calendar_has_year (cal, y));
      g_assert_nonnull (strstr (ld_calendar_get_source (cal, y), "国务院办公厅"));
    }
  g_assert_false (ld_calendar_has_year (cal, 2027));
}

static void
test_workdays (void)
{
  g_autoptr(LdCalendar) cal = shipped ();
  struct { const char *day; gboolean work; } cases[] = {
    { "2024-01-01", FALSE },   /* New Year, a Monday */
    { "2024-02-04", TRUE },    /* Sunday made a working day */
    { "2024-02-12", FALSE },   /* Spring Festival, a Monday */
    { "2024-02-18", TRUE },    /* Sunday made a working day */
    { "2024-10-12", TRUE },    /* Saturday made a working day */
    { "2024-10-13", FALSE },   /* ordinary Sunday */
    { "2025-01-26", TRUE },    /* Sunday made a working day */
    { "2025-02-04", FALSE },   /* last day of Spring Festival, a Tuesday */
    { "2025-02-05", TRUE },
    { "2025-06-02", FALSE },   /* Dragon Boat, a Monday */
    { "2025-10-08", FALSE },   /* National Day + Mid-Autumn, a Wednesday */
    { "2025-10-11", TRUE },    /* Saturday made a working day */
    { "2026-01-04", TRUE },    /* Sunday made a working day */
    { "2026-02-23", FALSE },   /* Spring Festival, a Monday */
    { "2026-09-25", FALSE },   /* Mid-Autumn, a Friday */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GDate d = date (cases[i].day);
      gboolean weekends_only = FALSE;

      g_test_message ("%s", cases[i].day);
      g_assert_cmpint (ld_calendar_is_workday (cal, &d, &weekends_only), ==, cases[i].work);
      g_assert_false (weekends_only);
    }
}

static void
test_workdays_after (void)
{
  g_autoptr(LdCalendar) cal = shipped ();
  struct { const char *start; int n; const char *end; } cases[] = {
    { "2025-03-03", 0, "2025-03-03" },    /* zero days: the start day itself */
    { "2025-03-03", 1, "2025-03-04" },    /* the start day does not count */
    { "2025-03-07", 1, "2025-03-10" },    /* Friday -> Monday */
    { "2025-03-08", 1, "2025-03-10" },    /* from a Saturday */
    { "2024-09-30", 5, "2024-10-12" },    /* across National Day to a make-up Saturday */
    { "2024-09-27", 1, "2024-09-29" },    /* Friday -> make-up Sunday */
    { "2025-01-24", 2, "2025-01-27" },    /* Fri -> make-up Sun 26 -> Mon 27 */
    { "2025-01-27", 1, "2025-02-05" },    /* across Spring Festival (Jan 28 - Feb 4) */
    { "2025-01-27", 4, "2025-02-08" },    /* ... to the make-up Saturday */
    { "2024-12-30", 3, "2025-01-03" },    /* across the year end and New Year 2025 */
    { "2025-12-31", 1, "2026-01-04" },    /* New Year 2026: Jan 1-3 off, Sun 4 works */
    { "2025-04-01", 20, "2025-04-29" },   /* 20 days across Qingming and a make-up Sunday */
    { "2025-04-25", 3, "2025-04-29" },    /* Fri -> make-up Sun 27, Mon 28, Tue 29 */
    { "2025-04-29", 2, "2025-05-06" },    /* across May Day (May 1-5) */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean weekends_only = TRUE;
      g_autofree char *end = after (cal, cases[i].start, cases[i].n, NULL, 0, &weekends_only);

      g_test_message ("%s + %d", cases[i].start, cases[i].n);
      g_assert_cmpstr (end, ==, cases[i].end);
      g_assert_false (weekends_only);
    }
}

static void
test_year_without_calendar (void)
{
  g_autoptr(LdCalendar) cal = shipped ();
  gboolean weekends_only = FALSE;
  g_autofree char *end = after (cal, "2026-12-30", 3, NULL, 0, &weekends_only);
  GDate ny = date ("2027-01-01");

  /* 2027 has no calendar: New Year's Day (a Friday) counts, and the flag says so. */
  g_assert_cmpstr (end, ==, "2027-01-04");
  g_assert_true (weekends_only);
  weekends_only = FALSE;
  g_assert_true (ld_calendar_is_workday (cal, &ny, &weekends_only));
  g_assert_true (weekends_only);
}

static void
test_suspensions (void)
{
  g_autoptr(LdCalendar) cal = shipped ();
  LdSuspension s[2];
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  GDate from = date ("2025-03-03"), to = date ("2025-03-14");

  /* Suspended Tue 4 to Thu 6: Wed 5 and Thu 6 do not count, Tue 4 (the suspend day) does. */
  s[0].from = date ("2025-03-04");
  s[0].to = date ("2025-03-06");
  a = after (cal, "2025-03-03", 5, s, 1, NULL);
  g_assert_cmpstr (a, ==, "2025-03-12");
  g_assert_cmpint (ld_calendar_count (cal, &from, &to, s, 1, NULL), ==, 7);

  /* Two suspensions, one across a weekend (the weekend was off anyway). */
  s[1].from = date ("2025-03-07");
  s[1].to = date ("2025-03-11");
  b = after (cal, "2025-03-03", 5, s, 2, NULL);
  /* counted: 4, 7, 12, 13, 14 */
  g_assert_cmpstr (b, ==, "2025-03-14");

  /* A suspension across Spring Festival 2025 (its days were off anyway). */
  s[0].from = date ("2025-01-27");
  s[0].to = date ("2025-02-06");
  c = after (cal, "2025-01-24", 3, s, 1, NULL);
  /* counted: Sun 26 (make-up), Mon 27, then Fri Feb 7 */
  g_assert_cmpstr (c, ==, "2025-02-07");
}

static void
test_count (void)
{
  g_autoptr(LdCalendar) cal = shipped ();
  GDate a = date ("2024-09-30"), b = date ("2024-10-14");
  GDate c = date ("2024-12-31"), d = date ("2025-01-31");

  g_assert_cmpint (ld_calendar_count (cal, &a, &b, NULL, 0, NULL), ==, 6);
  g_assert_cmpint (ld_calendar_count (cal, &b, &a, NULL, 0, NULL), ==, -6);
  g_assert_cmpint (ld_calendar_count (cal, &a, &a, NULL, 0, NULL), ==, 0);
  /* January 2025: 23 weekdays - Jan 1 - Jan 28..31 (4) + Sun 26 = 19 */
  g_assert_cmpint (ld_calendar_count (cal, &c, &d, NULL, 0, NULL), ==, 19);
}

/* The counting shortcut agrees with walking the days one by one, across years with and without
 * a calendar. */
static void
test_count_walk (void)
{
  g_autoptr(LdCalendar) cal = shipped ();
  GRand *rand = g_rand_new_with_seed (7);

  for (int i = 0; i < 300; i++)
    {
      GDate a = date ("2023-06-01"), b, d;
      gboolean guessed = FALSE, walked_guess = FALSE;
      int walked = 0, got;

      g_date_add_days (&a, g_rand_int_range (rand, 0, 1500));
      b = a;
      g_date_add_days (&b, g_rand_int_range (rand, 0, 800));
      for (d = a; g_date_compare (&d, &b) < 0;)
        {
          g_date_add_days (&d, 1);
          walked += ld_calendar_is_workday (cal, &d, &walked_guess);
        }
      got = ld_calendar_count (cal, &a, &b, NULL, 0, &guessed);
      g_assert_cmpint (got, ==, walked);
      g_assert_cmpint (guessed, ==, walked_guess);
      g_assert_cmpint (ld_calendar_count (cal, &b, &a, NULL, 0, NULL), ==, -walked);
    }
  g_rand_free (rand);
}

static void
test_bad_files (void)
{
  g_autoptr(LdCalendar) cal = shipped ();
  g_autoptr(GError) error = NULL;
  GDate d = date ("2025-01-28");

  g_assert_false (ld_calendar_add_year_json (cal, "{\"year\": 2025, \"source\": \"x\","
                                             " \"holidays\": [{\"from\": \"2025-13-01\","
                                             " \"to\": \"2025-01-02\"}]}", "2025.json", &error));
  g_assert_error (error, LD_CALENDAR_ERROR, LD_CALENDAR_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "2025.json"));
  g_assert_nonnull (strstr (error->message, "holidays[0].from"));
  g_clear_error (&error);
  /* The failed file changed nothing: 2025's Spring Festival is still off. */
  g_assert_false (ld_calendar_is_workday (cal, &d, NULL));

  g_assert_false (ld_calendar_add_year_json (cal, "{\"year\": 2025, \"holidays\": []}",
                                             "y.json", &error));
  g_assert_nonnull (strstr (error->message, "source"));
  g_clear_error (&error);
  g_assert_false (ld_calendar_add_year_json (cal, "{\"year\": 2025, \"source\": \"x\","
                                             " \"workdays\": [\"2024-02-04\"]}", "w.json",
                                             &error));
  g_assert_nonnull (strstr (error->message, "workdays[0]"));
  g_clear_error (&error);
  g_assert_false (ld_calendar_add_year_json (cal, "not json", "n.json", &error));
  g_assert_nonnull (strstr (error->message, "n.json"));
}

static LdMatter *
matter_with_limit (int limit)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = g_strdup_printf (
    "{\"id\": \"t\", \"name\": \"测试\", \"case_type\": \"t\", \"case_type_name\": \"测试\","
    " \"limit_workdays\": %d, \"stages\": [{\"id\": \"examine\", \"name\": \"审查\","
    " \"role\": \"reviewer\", \"actions\": [\"submit\"]}]}", limit);
  LdMatter *m = ld_matter_new_from_json (json, "t.json", &error);

  g_assert_no_error (error);
  return m;
}

static void
check_clock (LdCalendar  *cal,
             LdMatter    *matter,
             const char  *status,
             const char  *suspended_on,
             GArray      *susp,
             const char  *today,
             LdLight      light,
             int          remaining,
             const char  *deadline)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GDate t = date (today);
  LdClock clock;

  g_test_message ("%s on %s", status, today);
  g_assert_true (ld_clock_compute (cal, matter, "2025-03-03", status, suspended_on, NULL, susp,
                                   &t, &clock, &error));
  g_assert_no_error (error);
  text = ld_date_format (&clock.deadline);
  g_assert_cmpstr (text, ==, deadline);
  g_assert_cmpint (clock.remaining, ==, remaining);
  g_assert_cmpint (clock.light, ==, light);
}

static void
test_clock (void)
{
  g_autoptr(LdCalendar) cal = shipped ();
  g_autoptr(LdMatter) m20 = matter_with_limit (20);
  g_autoptr(LdMatter) m5 = matter_with_limit (5);
  g_autoptr(GArray) susp = g_array_new (FALSE, TRUE, sizeof (LdSuspension));
  LdSuspension s;

  /* 20 working days from Mon 3 March 2025: 31 March. 80% = 16 used on 25 March. */
  check_clock (cal, m20, "active", NULL, NULL, "2025-03-03", LD_LIGHT_GREEN, 20, "2025-03-31");
  check_clock (cal, m20, "active", NULL, NULL, "2025-03-24", LD_LIGHT_GREEN, 5, "2025-03-31");
  check_clock (cal, m20, "active", NULL, NULL, "2025-03-25", LD_LIGHT_YELLOW, 4, "2025-03-31");
  check_clock (cal, m20, "active", NULL, NULL, "2025-03-31", LD_LIGHT_YELLOW, 0, "2025-03-31");
  check_clock (cal, m20, "active", NULL, NULL, "2025-04-01", LD_LIGHT_RED, -1, "2025-03-31");
  /* 5 days: 80% is 4 used, but 2 left (3 used) already turns it yellow. */
  check_clock (cal, m5, "active", NULL, NULL, "2025-03-05", LD_LIGHT_GREEN, 3, "2025-03-10");
  check_clock (cal, m5, "active", NULL, NULL, "2025-03-06", LD_LIGHT_YELLOW, 2, "2025-03-10");

  /* Suspended on Wed 5 (2 used): the clock stands at 18 however long it waits ... */
  check_clock (cal, m20, "suspended", "2025-03-05", NULL, "2025-03-20", LD_LIGHT_GREEN, 18,
               "2025-04-16");
  /* ... and after resuming on Mon 10 the deadline moved by the 3 suspended working days. */
  s.from = date ("2025-03-05");
  s.to = date ("2025-03-10");
  g_array_append_val (susp, s);
  check_clock (cal, m20, "active", NULL, susp, "2025-03-10", LD_LIGHT_GREEN, 18, "2025-04-03");
}

int
main (int    argc,
      char **argv)
{
  ld_test_init (&argc, &argv);

  g_test_add_func ("/calendar/dates", test_dates);
  g_test_add_func ("/calendar/shipped-years", test_shipped_years);
  g_test_add_func ("/calendar/workdays", test_workdays);
  g_test_add_func ("/calendar/workdays-after", test_workdays_after);
  g_test_add_func ("/calendar/year-without-calendar", test_year_without_calendar);
  g_test_add_func ("/calendar/suspensions", test_suspensions);
  g_test_add_func ("/calendar/count", test_count);
  g_test_add_func ("/calendar/count-walk", test_count_walk);
  g_test_add_func ("/calendar/bad-files", test_bad_files);
  g_test_add_func ("/calendar/clock", test_clock);

  return g_test_run ();
}
