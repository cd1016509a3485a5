/* ld-redline-conflict-view.h: a red-line conflict's two versions side by side on the map
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <shumate/shumate.h>

#include "ld-core.h"

G_BEGIN_DECLS

#define LD_TYPE_REDLINE_CONFLICT_VIEW (ld_redline_conflict_view_get_type ())

G_DECLARE_FINAL_TYPE (LdRedlineConflictView, ld_redline_conflict_view, LD,
                      REDLINE_CONFLICT_VIEW, AdwWindow)

LdRedlineConflictView *ld_redline_conflict_view_new         (const char        *mine_wkt,
                                                             const char        *theirs_wkt,
                                                             ShumateMapSource  *basemap,
                                                             GError           **error);
double                 ld_redline_conflict_view_get_area    (LdRedlineConflictView *self,
                                                             LdSyncChoice           which);
ShumatePathLayer      *ld_redline_conflict_view_get_outline (LdRedlineConflictView *self,
                                                             LdSyncChoice           which);
ShumateSimpleMap      *ld_redline_conflict_view_get_map     (LdRedlineConflictView *self,
                                                             LdSyncChoice           which);

G_END_DECLS
