/* ld-toast.c: toasts that show their text as it is
 *
 * A toast's title is Pango markup. Messages carry file names, case titles and server text,
 * where '&' or '<' would break the markup and lose the message: they are escaped here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ld-toast.h"

AdwToast *
ld_toast_new_plain (const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text ? text : "", -1);

  return adw_toast_new (escaped);
}
