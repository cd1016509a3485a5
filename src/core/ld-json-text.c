/* ld-json-text.c: JSON written straight into a string, where json-glib would cost more
 *
 * The short-lived CLI commands (analyze, redline) write their JSON by hand: loading
 * json-glib's object model for one answer cost more than the answer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ld-json-text.h"

/* Appends @text (UTF-8; NULL as "") as a quoted JSON string. */
void
ld_json_text_append_string (GString    *out,
                            const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    {
      unsigned char c = (unsigned char) *p;

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}
