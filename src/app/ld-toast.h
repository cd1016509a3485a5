/* ld-toast.h: toasts that show their text as it is
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

AdwToast *ld_toast_new_plain (const char *text);

G_END_DECLS
