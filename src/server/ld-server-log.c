/* ld-server-log.c: timestamped lines on stderr, the server's log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>

#include "ld-server-log.h"

void
ld_server_log (const char *format,
               ...)
{
  static gsize zone;   /* a GTimeZone * */
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *msg = NULL;
  va_list args;

  /* The local zone is looked up once: g_date_time_new_now_local() checks /etc/localtime
   * (three system calls) on every line, and the server logs a line per request. */
  if (g_once_init_enter (&zone))
    g_once_init_leave (&zone, (gsize) g_time_zone_new_local ());
  now = g_date_time_new_now ((GTimeZone *) zone);
  stamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%f%z");
  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  /* One fprintf per line keeps lines whole when several threads log. */
  fprintf (stderr, "%s %s\n", stamp, msg);
}
