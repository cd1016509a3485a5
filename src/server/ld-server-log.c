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
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%f%z");
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  /* One fprintf per line keeps lines whole when several threads log. */
  fprintf (stderr, "%s %s\n", stamp, msg);
}
