/* ld-sync-indicator.h: the header bar's sync indicator and its panel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <shumate/shumate.h>

#include "ld-core.h"

G_BEGIN_DECLS

#define LD_TYPE_SYNC_INDICATOR (ld_sync_indicator_get_type ())

G_DECLARE_FINAL_TYPE (LdSyncIndicator, ld_sync_indicator, LD, SYNC_INDICATOR, AdwBin)

LdSyncIndicator *ld_sync_indicator_new        (void);
void             ld_sync_indicator_set_store  (LdSyncIndicator *self,
                                               LdStore         *store);
void             ld_sync_indicator_set_map_source (LdSyncIndicator  *self,
                                                   ShumateMapSource *basemap);
void             ld_sync_indicator_connect    (LdSyncIndicator *self,
                                               const char      *server_url);
void             ld_sync_indicator_sync_now   (LdSyncIndicator *self);
const char      *ld_sync_indicator_get_status (LdSyncIndicator *self);

G_END_DECLS
