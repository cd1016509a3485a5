/* ld-server-log.h: timestamped lines on stderr, the server's log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void ld_server_log (const char *format,
                    ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
