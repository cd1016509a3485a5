/* ld-calendar.h: the official working-day calendar and the working-day clock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LD_CALENDAR_ERROR (ld_calendar_error_quark ())

typedef enum
{
  LD_CALENDAR_ERROR_FORMAT,
  LD_CALENDAR_ERROR_RANGE,
} LdCalendarError;

/* A suspension (补正, special procedure): working days d with from < d <= to do not count.
 * An open suspension has an invalid @to and lasts to the end of time. */
typedef struct
{
  GDate from;
  GDate to;
} LdSuspension;

#define LD_TYPE_CALENDAR (ld_calendar_get_type ())

G_DECLARE_FINAL_TYPE (LdCalendar, ld_calendar, LD, CALENDAR, GObject)

GQuark       ld_calendar_error_quark     (void);

gboolean     ld_date_parse               (const char          *text,
                                          GDate               *date,
                                          GError             **error);
char        *ld_date_format              (const GDate         *date);

LdCalendar  *ld_calendar_new             (void);
LdCalendar  *ld_calendar_new_default     (GError             **error);
gboolean     ld_calendar_load_dir        (LdCalendar          *self,
                                          const char          *dir,
                                          GError             **error);
gboolean     ld_calendar_add_year_json   (LdCalendar          *self,
                                          const char          *json,
                                          const char          *origin,
                                          GError             **error);
gboolean     ld_calendar_has_year        (LdCalendar          *self,
                                          int                  year);
const char  *ld_calendar_get_source      (LdCalendar          *self,
                                          int                  year);
char        *ld_calendar_dup_year_json   (LdCalendar          *self,
                                          int                  year);
GArray      *ld_calendar_get_years       (LdCalendar          *self);
gboolean     ld_calendar_is_workday      (LdCalendar          *self,
                                          const GDate         *date,
                                          gboolean            *weekends_only);
gboolean     ld_calendar_workdays_after  (LdCalendar          *self,
                                          const GDate         *start,
                                          int                  n,
                                          const LdSuspension  *suspensions,
                                          guint                n_suspensions,
                                          GDate               *deadline,
                                          gboolean            *weekends_only,
                                          GError             **error);
int          ld_calendar_count           (LdCalendar          *self,
                                          const GDate         *from,
                                          const GDate         *to,
                                          const LdSuspension  *suspensions,
                                          guint                n_suspensions,
                                          gboolean            *weekends_only);

G_END_DECLS
