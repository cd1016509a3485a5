/* ld-overlay-layer.h: a map layer that shows LdTileRenderer tiles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <shumate/shumate.h>

#include "ld-core.h"

G_BEGIN_DECLS

#define LD_TYPE_OVERLAY_LAYER (ld_overlay_layer_get_type ())

G_DECLARE_FINAL_TYPE (LdOverlayLayer, ld_overlay_layer, LD, OVERLAY_LAYER, ShumateLayer)

LdOverlayLayer *ld_overlay_layer_new                 (ShumateViewport *viewport,
                                                      LdTileRenderer  *renderer);
LdTileRenderer *ld_overlay_layer_get_renderer        (LdOverlayLayer  *self);
void            ld_overlay_layer_set_zoom_range      (LdOverlayLayer  *self,
                                                      int              min_zoom,
                                                      int              max_zoom);
gboolean        ld_overlay_layer_shows_zoom          (LdOverlayLayer  *self,
                                                      double           zoom_level);
void            ld_overlay_layer_set_layer_opacity   (LdOverlayLayer  *self,
                                                      double           opacity);
double          ld_overlay_layer_get_layer_opacity   (LdOverlayLayer  *self);
void            ld_overlay_layer_prepare_overview    (LdOverlayLayer  *self,
                                                      const char      *gpkg_path);
double          ld_overlay_layer_get_overview_progress (LdOverlayLayer *self);
guint           ld_overlay_layer_get_frames_drawn    (LdOverlayLayer  *self);
guint           ld_overlay_layer_get_tiles_drawn     (LdOverlayLayer  *self);
guint           ld_overlay_layer_get_tiles_prepared  (LdOverlayLayer  *self);
const guint8   *ld_overlay_layer_get_classes_in_view (LdOverlayLayer  *self,
                                                      guint           *n_entries);
gboolean        ld_overlay_layer_is_busy             (LdOverlayLayer  *self);
GPtrArray      *ld_overlay_layers_new_for_store      (ShumateViewport *viewport,
                                                      const char      *gpkg_path,
                                                      GError         **error);

G_END_DECLS
