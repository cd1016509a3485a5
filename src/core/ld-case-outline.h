/* ld-case-outline.h: a case's red line as longitude/latitude rings, for the map
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-geo.h"
#include "ld-types.h"

G_BEGIN_DECLS

GPtrArray *ld_case_outline_load (const char   *store_path,
                                 const char   *case_id,
                                 LdLonLatBox  *box,
                                 GError      **error);

GPtrArray *ld_case_outline_from_redline (LdRedline    *redline,
                                         LdLonLatBox  *box,
                                         GError      **error);

G_END_DECLS
