/* ld-calendar.c: the official working-day calendar and the working-day clock
 *
 * Dates are calendar dates (GDate): no time zone enters the arithmetic.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "ld-calendar.h"
#include "ld-paths.h"

/* The longest stretch without a working day we accept before calling a calendar broken. */
#define MAX_SEARCH_DAYS (366 * 50)

typedef struct
{
  char    *source;
  char    *json;
} YearData;

struct _LdCalendar
{
  GObject     parent_instance;

  GHashTable *years;      /* year -> YearData */
  GHashTable *days_off;   /* julian day -> 1: holidays */
  GHashTable *days_on;    /* julian day -> 1: weekends made working days */
  GHashTable *prefix;     /* year -> guint16[367]: working days from Jan 1 to day-of-year d */
};

G_DEFINE_FINAL_TYPE (LdCalendar, ld_calendar, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-calendar-error-quark, ld_calendar_error)

static void
year_data_free (gpointer data)
{
  YearData *y = data;

  g_free (y->source);
  g_free (y->json);
  g_free (y);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

static gboolean
in_suspension (const GDate        *d,
               const LdSuspension *suspensions,
               guint               n)
{
  for (guint i = 0; i < n; i++)
    {
      const LdSuspension *s = &suspensions[i];

      if (!g_date_valid (&s->from) || g_date_compare (d, &s->from) <= 0)
        continue;
      if (!g_date_valid (&s->to) || g_date_compare (d, &s->to) <= 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
read_date_member (JsonNode    *node,
                  GDate       *date,
                  const char  *origin,
                  const char  *what,
                  GError     **error)
{
  const char *text;
  g_autoptr(GError) local = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, LD_CALENDAR_ERROR, LD_CALENDAR_ERROR_FORMAT,
                   "%s: %s: expected a date string YYYY-MM-DD", origin, what);
      return FALSE;
    }
  text = json_node_get_string (node);
  if (!ld_date_parse (text, date, &local))
    {
      g_set_error (error, LD_CALENDAR_ERROR, LD_CALENDAR_ERROR_FORMAT,
                   "%s: %s: %s", origin, what, local->message);
      return FALSE;
    }
  return TRUE;
}

static void
ld_calendar_finalize (GObject *object)
{
  LdCalendar *self = LD_CALENDAR (object);

  g_clear_pointer (&self->years, g_hash_table_unref);
  g_clear_pointer (&self->days_off, g_hash_table_unref);
  g_clear_pointer (&self->days_on, g_hash_table_unref);
  g_clear_pointer (&self->prefix, g_hash_table_unref);

  G_OBJECT_CLASS (ld_calendar_parent_class)->finalize (object);
}

static void
ld_calendar_class_init (LdCalendarClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_calendar_finalize;
}

static void
ld_calendar_init (LdCalendar *self)
{
  self->years = g_hash_table_new_full (NULL, NULL, NULL, year_data_free);
  self->days_off = g_hash_table_new (NULL, NULL);
  self->days_on = g_hash_table_new (NULL, NULL);
  self->prefix = g_hash_table_new_full (NULL, NULL, NULL, g_free);
}

/**
 * ld_date_parse:
 *
 * Parses a calendar date written YYYY-MM-DD (nothing before or after it).
 */
gboolean
ld_date_parse (const char  *text,
               GDate       *date,
               GError     **error)
{
  unsigned y = 0, m = 0, d = 0;
  char tail = 0;

  g_date_clear (date, 1);
  if (text == NULL || strlen (text) != 10
      || sscanf (text, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3
      || text[4] != '-' || text[7] != '-'
      || !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    {
      g_set_error (error, LD_CALENDAR_ERROR, LD_CALENDAR_ERROR_FORMAT,
                   "'%s' is not a date; write YYYY-MM-DD, e.g. 2025-03-14",
                   text ? text : "(null)");
      return FALSE;
    }
  g_date_set_dmy (date, (GDateDay) d, (GDateMonth) m, (GDateYear) y);
  return TRUE;
}

char *
ld_date_format (const GDate *date)
{
  if (date == NULL || !g_date_valid (date))
    return NULL;
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date),
                          (unsigned) g_date_get_month (date), g_date_get_day (date));
}

LdCalendar *
ld_calendar_new (void)
{
  return g_object_new (LD_TYPE_CALENDAR, NULL);
}

/**
 * ld_calendar_new_default:
 *
 * The calendar shipped in the data dir (data/calendars/).
 */
LdCalendar *
ld_calendar_new_default (GError **error)
{
  g_autoptr(LdCalendar) self = ld_calendar_new ();
  g_autofree char *dir = ld_paths_data_file ("calendars", NULL);

  if (!ld_calendar_load_dir (self, dir, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * ld_calendar_load_dir:
 *
 * Loads every `<year>.json` in @dir. A missing folder is an error; files of other names are
 * ignored.
 */
gboolean
ld_calendar_load_dir (LdCalendar  *self,
                      const char  *dir,
                      GError     **error)
{
  g_autoptr(GDir) d = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_return_val_if_fail (LD_IS_CALENDAR (self), FALSE);

  d = g_dir_open (dir, 0, error);
  if (d == NULL)
    return FALSE;
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".json") && g_ascii_isdigit (name[0]))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);
      g_autofree char *text = NULL;

      if (!g_file_get_contents (path, &text, NULL, error))
        return FALSE;
      if (!ld_calendar_add_year_json (self, text, path, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * ld_calendar_add_year_json:
 * @origin: where @json comes from, for messages (a file name)
 *
 * Adds (or replaces) one year's calendar. Nothing changes when it fails.
 */
gboolean
ld_calendar_add_year_json (LdCalendar  *self,
                           const char  *json,
                           const char  *origin,
                           GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GArray) off = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) on = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GError) local = NULL;
  JsonObject *root;
  JsonArray *arr;
  YearData *data;
  gint64 year;

  g_return_val_if_fail (LD_IS_CALENDAR (self), FALSE);

  if (!json_parser_load_from_data (parser, json, -1, &local))
    {
      g_set_error (error, LD_CALENDAR_ERROR, LD_CALENDAR_ERROR_FORMAT,
                   "%s: not valid JSON: %s", origin, local->message);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, LD_CALENDAR_ERROR, LD_CALENDAR_ERROR_FORMAT,
                   "%s: expected a JSON object with year, source, holidays and workdays", origin);
      return FALSE;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  year = json_object_get_int_member_with_default (root, "year", 0);
  if (year < 1900 || year > 2999)
    {
      g_set_error (error, LD_CALENDAR_ERROR, LD_CALENDAR_ERROR_FORMAT,
                   "%s: field year: missing or not a year between 1900 and 2999", origin);
      return FALSE;
    }
  if (json_object_get_string_member_with_default (root, "source", NULL) == NULL)
    {
      g_set_error (error, LD_CALENDAR_ERROR, LD_CALENDAR_ERROR_FORMAT,
                   "%s: field source: missing; name the notice the dates come from", origin);
      return FALSE;
    }

  arr = json_object_has_member (root, "holidays")
        ? json_object_get_array_member (root, "holidays") : NULL;
  for (guint i = 0; arr != NULL && i < json_array_get_length (arr); i++)
    {
      JsonNode *node = json_array_get_element (arr, i);
      g_autofree char *what_from = g_strdup_printf ("holidays[%u].from", i);
      g_autofree char *what_to = g_strdup_printf ("holidays[%u].to", i);
      JsonObject *h;
      GDate from, to;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, LD_CALENDAR_ERROR, LD_CALENDAR_ERROR_FORMAT,
                       "%s: holidays[%u]: expected an object with from and to", origin, i);
          return FALSE;
        }
      h = json_node_get_object (node);
      if (!read_date_member (json_object_get_member (h, "from"), &from, origin, what_from, error)
          || !read_date_member (json_object_get_member (h, "to"), &to, origin, what_to, error))
        return FALSE;
      if (g_date_get_year (&from) != year || g_date_get_year (&to) != year
          || g_date_compare (&from, &to) > 0)
        {
          g_set_error (error, LD_CALENDAR_ERROR, LD_CALENDAR_ERROR_FORMAT,
                       "%s: holidays[%u]: from and to must lie in %d with from <= to",
                       origin, i, (int) year);
          return FALSE;
        }
      for (guint32 j = g_date_get_julian (&from); j <= g_date_get_julian (&to); j++)
        g_array_append_val (off, j);
    }

  arr = json_object_has_member (root, "workdays")
        ? json_object_get_array_member (root, "workdays") : NULL;
  for (guint i = 0; arr != NULL && i < json_array_get_length (arr); i++)
    {
      g_autofree char *what = g_strdup_printf ("workdays[%u]", i);
      GDate d;
      guint32 j;

      if (!read_date_member (json_array_get_element (arr, i), &d, origin, what, error))
        return FALSE;
      if (g_date_get_year (&d) != year)
        {
          g_set_error (error, LD_CALENDAR_ERROR, LD_CALENDAR_ERROR_FORMAT,
                       "%s: %s: %s is not in %d", origin, what,
                       json_array_get_string_element (arr, i), (int) year);
          return FALSE;
        }
      j = g_date_get_julian (&d);
      g_array_append_val (on, j);
    }

  /* Replace the year atomically: drop its old days, then add the new ones. */
  {
    GDate first, last;

    g_date_clear (&first, 1);
    g_date_clear (&last, 1);
    g_date_set_dmy (&first, 1, G_DATE_JANUARY, (GDateYear) year);
    g_date_set_dmy (&last, 31, G_DATE_DECEMBER, (GDateYear) year);
    for (guint32 j = g_date_get_julian (&first); j <= g_date_get_julian (&last); j++)
      {
        g_hash_table_remove (self->days_off, GUINT_TO_POINTER (j));
        g_hash_table_remove (self->days_on, GUINT_TO_POINTER (j));
      }
  }
  for (guint i = 0; i < off->len; i++)
    g_hash_table_add (self->days_off, GUINT_TO_POINTER (g_array_index (off, guint32, i)));
  for (guint i = 0; i < on->len; i++)
    g_hash_table_add (self->days_on, GUINT_TO_POINTER (g_array_index (on, guint32, i)));

  g_hash_table_remove_all (self->prefix);
  data = g_new0 (YearData, 1);
  data->source = g_strdup (json_object_get_string_member (root, "source"));
  data->json = g_strdup (json);
  g_hash_table_replace (self->years, GINT_TO_POINTER ((int) year), data);
  return TRUE;
}

gboolean
ld_calendar_has_year (LdCalendar *self,
                      int         year)
{
  g_return_val_if_fail (LD_IS_CALENDAR (self), FALSE);
  return g_hash_table_contains (self->years, GINT_TO_POINTER (year));
}

const char *
ld_calendar_get_source (LdCalendar *self,
                        int         year)
{
  YearData *y;

  g_return_val_if_fail (LD_IS_CALENDAR (self), NULL);
  y = g_hash_table_lookup (self->years, GINT_TO_POINTER (year));
  return y ? y->source : NULL;
}

char *
ld_calendar_dup_year_json (LdCalendar *self,
                           int         year)
{
  YearData *y;

  g_return_val_if_fail (LD_IS_CALENDAR (self), NULL);
  y = g_hash_table_lookup (self->years, GINT_TO_POINTER (year));
  return y ? g_strdup (y->json) : NULL;
}

static int
compare_int (gconstpointer a,
             gconstpointer b)
{
  return *(const int *) a - *(const int *) b;
}

/**
 * ld_calendar_get_years:
 *
 * Returns: (transfer full): the years with a calendar, ascending, as an array of int.
 */
GArray *
ld_calendar_get_years (LdCalendar *self)
{
  GArray *years = g_array_new (FALSE, FALSE, sizeof (int));
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->years);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      int y = GPOINTER_TO_INT (key);

      g_array_append_val (years, y);
    }
  g_array_sort (years, compare_int);
  return years;
}

/**
 * ld_calendar_is_workday:
 * @weekends_only: (out) (optional): set to TRUE when @date's year has no calendar, so only
 *   weekends were counted as days off; left alone otherwise
 */
gboolean
ld_calendar_is_workday (LdCalendar  *self,
                        const GDate *date,
                        gboolean    *weekends_only)
{
  guint32 j = g_date_get_julian (date);
  GDateWeekday wd;

  if (!g_hash_table_contains (self->years, GINT_TO_POINTER ((int) g_date_get_year (date))))
    {
      if (weekends_only)
        *weekends_only = TRUE;
    }
  else
    {
      if (g_hash_table_contains (self->days_on, GUINT_TO_POINTER (j)))
        return TRUE;
      if (g_hash_table_contains (self->days_off, GUINT_TO_POINTER (j)))
        return FALSE;
    }
  wd = g_date_get_weekday (date);
  return wd != G_DATE_SATURDAY && wd != G_DATE_SUNDAY;
}

/**
 * ld_calendar_workdays_after:
 * @deadline: (out): the @n-th working day after @start (@start itself does not count);
 *   @start when @n is 0
 * @weekends_only: (out) (optional): TRUE when a year on the way had no calendar
 *
 * Working days inside a suspension (from < d <= to) do not count.
 */
gboolean
ld_calendar_workdays_after (LdCalendar          *self,
                            const GDate         *start,
                            int                  n,
                            const LdSuspension  *suspensions,
                            guint                n_suspensions,
                            GDate               *deadline,
                            gboolean            *weekends_only,
                            GError             **error)
{
  GDate d = *start;
  gboolean guessed = FALSE;
  int counted = 0;

  g_return_val_if_fail (LD_IS_CALENDAR (self), FALSE);
  g_return_val_if_fail (g_date_valid (start), FALSE);

  if (n < 0)
    {
      g_set_error (error, LD_CALENDAR_ERROR, LD_CALENDAR_ERROR_RANGE,
                   "a time limit of %d working days is negative; use 0 or more", n);
      return FALSE;
    }
  for (int i = 0; counted < n; i++)
    {
      if (i > MAX_SEARCH_DAYS || g_date_get_julian (&d) >= G_MAXUINT32 - 2
          || g_date_get_year (&d) >= 8999)
        {
          g_set_error (error, LD_CALENDAR_ERROR, LD_CALENDAR_ERROR_RANGE,
                       "no end to %d working days after %04u-%02u-%02u: a suspension never "
                       "ends or the calendar has no working days", n, g_date_get_year (start),
                       (unsigned) g_date_get_month (start), g_date_get_day (start));
          return FALSE;
        }
      g_date_add_days (&d, 1);
      if (in_suspension (&d, suspensions, n_suspensions))
        continue;
      if (ld_calendar_is_workday (self, &d, &guessed))
        counted++;
    }
  *deadline = d;
  if (weekends_only)
    *weekends_only = guessed;
  return TRUE;
}

/* Working days of @year from 1 January to each day of the year: [doy] for doy 1..366, [366]
 * also holds the whole year's total in a common year; [0] is 0. */
static const guint16 *
year_prefix (LdCalendar *self,
             int         year)
{
  guint16 *prefix = g_hash_table_lookup (self->prefix, GINT_TO_POINTER (year));
  GDate d;
  guint n;

  if (prefix != NULL)
    return prefix;
  prefix = g_new0 (guint16, 367);
  g_date_clear (&d, 1);
  g_date_set_dmy (&d, 1, G_DATE_JANUARY, (GDateYear) year);
  n = g_date_is_leap_year ((GDateYear) year) ? 366 : 365;
  for (guint i = 1; i <= n; i++, g_date_add_days (&d, 1))
    prefix[i] = prefix[i - 1] + (ld_calendar_is_workday (self, &d, NULL) ? 1 : 0);
  if (n == 365)
    prefix[366] = prefix[365];
  g_hash_table_insert (self->prefix, GINT_TO_POINTER (year), prefix);
  return prefix;
}

/**
 * ld_calendar_count:
 *
 * Returns: the working days d with @from < d <= @to outside every suspension; the negated count
 * of @to < d <= @from when @to is before @from.
 */
int
ld_calendar_count (LdCalendar          *self,
                   const GDate         *from,
                   const GDate         *to,
                   const LdSuspension  *suspensions,
                   guint                n_suspensions,
                   gboolean            *weekends_only)
{
  gboolean guessed = FALSE;
  int sign = 1, count = 0;
  GDate d, end;

  g_return_val_if_fail (LD_IS_CALENDAR (self), 0);

  if (g_date_compare (from, to) <= 0)
    d = *from, end = *to;
  else
    d = *to, end = *from, sign = -1;
  if (n_suspensions == 0)
    {
      /* Without suspensions: prefix sums per year, whatever the span (lists read thousands). */
      GDate first = d;
      int y0, y1;

      g_date_add_days (&first, 1);
      y0 = g_date_get_year (&first);
      y1 = g_date_get_year (&end);
      if (g_date_compare (&d, &end) == 0)
        return 0;
      count = year_prefix (self, y1)[g_date_get_day_of_year (&end)];
      if ((int) g_date_get_year (&d) == y0)
        count -= year_prefix (self, y0)[g_date_get_day_of_year (&d)];
      for (int y = y0; y < y1; y++)
        count += year_prefix (self, y)[366];
      for (int y = y0; y <= y1 && weekends_only; y++)
        if (!g_hash_table_contains (self->years, GINT_TO_POINTER (y)))
          guessed = TRUE;
      if (weekends_only)
        *weekends_only = guessed;
      return sign * count;
    }
  while (g_date_compare (&d, &end) < 0)
    {
      g_date_add_days (&d, 1);
      if (in_suspension (&d, suspensions, n_suspensions))
        continue;
      if (ld_calendar_is_workday (self, &d, &guessed))
        count++;
    }
  if (weekends_only)
    *weekends_only = guessed;
  return sign * count;
}
