/* ld-mbtiles-source.h: a ShumateDataSource that serves tiles from a local MBTiles file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <shumate/shumate.h>

#include "ld-core.h"

G_BEGIN_DECLS

#define LD_TYPE_MBTILES_SOURCE (ld_mbtiles_source_get_type ())

G_DECLARE_FINAL_TYPE (LdMbtilesSource, ld_mbtiles_source, LD, MBTILES_SOURCE, ShumateDataSource)

LdMbtilesSource *ld_mbtiles_source_new          (LdMbtiles       *mbtiles);
LdMbtiles       *ld_mbtiles_source_get_mbtiles  (LdMbtilesSource *self);
int              ld_mbtiles_source_get_min_zoom (LdMbtilesSource *self);
int              ld_mbtiles_source_get_max_zoom (LdMbtilesSource *self);
guint            ld_mbtiles_source_get_pending  (LdMbtilesSource *self);
guint            ld_mbtiles_source_get_received (LdMbtilesSource *self);

G_END_DECLS
