/* ld-basemap-layer.h: a map layer that shows a ShumateDataSource's raster tiles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <shumate/shumate.h>

#include "ld-core.h"

G_BEGIN_DECLS

#define LD_TYPE_BASEMAP_LAYER (ld_basemap_layer_get_type ())

G_DECLARE_FINAL_TYPE (LdBasemapLayer, ld_basemap_layer, LD, BASEMAP_LAYER, ShumateLayer)

LdBasemapLayer *ld_basemap_layer_new               (ShumateViewport   *viewport,
                                                    ShumateDataSource *source,
                                                    int                min_zoom,
                                                    int                max_zoom);
guint           ld_basemap_layer_get_tiles_decoded (LdBasemapLayer    *self);
guint           ld_basemap_layer_get_tiles_drawn   (LdBasemapLayer    *self);
guint           ld_basemap_layer_get_tiles_prepared (LdBasemapLayer   *self);
gboolean        ld_basemap_layer_is_busy           (LdBasemapLayer    *self);
LdBasemapLayer *ld_basemap_layer_install           (ShumateSimpleMap  *map,
                                                    ShumateMapSource  *map_source,
                                                    ShumateDataSource *source);

G_END_DECLS
