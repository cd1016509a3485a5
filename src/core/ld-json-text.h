/* ld-json-text.h: JSON written straight into a string, where json-glib would cost more
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void ld_json_text_append_string (GString    *out,
                                 const char *text);

G_END_DECLS
