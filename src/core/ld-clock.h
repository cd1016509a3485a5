/* ld-clock.h: a case's time limit, deadline and light on the working-day calendar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-calendar.h"
#include "ld-matter.h"

G_BEGIN_DECLS

typedef enum
{
  LD_LIGHT_NONE,     /* not accepted yet: no clock */
  LD_LIGHT_GREEN,
  LD_LIGHT_YELLOW,   /* few working days left, or most of the limit used */
  LD_LIGHT_RED,      /* overdue */
} LdLight;

typedef struct
{
  gboolean has_deadline;
  GDate    deadline;        /* the last working day of the limit (valid when has_deadline) */
  GDate    yellow_on;       /* the first day the light turns yellow */
  int      limit;           /* working days */
  int      used;            /* working days used up to today (or the closing day) */
  int      remaining;       /* limit - used; negative when overdue */
  LdLight  light;
  gboolean paused;          /* suspended: the clock stands still */
  gboolean weekends_only;   /* a year on the way has no calendar: only weekends were off */
} LdClock;

const char *ld_light_to_string          (LdLight              light);
GArray     *ld_clock_suspensions        (GListModel          *events);
gboolean    ld_clock_compute            (LdCalendar          *calendar,
                                         LdMatter            *matter,
                                         const char          *accepted_on,
                                         const char          *status,
                                         const char          *suspended_on,
                                         const char          *closed_on,
                                         GArray              *suspensions,
                                         const GDate         *today,
                                         LdClock             *clock,
                                         GError             **error);

G_END_DECLS
