/* ld-layer-row.h: one layer in the layer panel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ld-overlay-layer.h"

G_BEGIN_DECLS

#define LD_TYPE_LAYER_ROW (ld_layer_row_get_type ())

G_DECLARE_FINAL_TYPE (LdLayerRow, ld_layer_row, LD, LAYER_ROW, GtkBox)

#define LD_LAYER_ROW_MAX_ZOOM 20

LdLayerRow     *ld_layer_row_new            (GSettings      *settings,
                                             LdOverlayLayer *layer,
                                             guint           index);
LdOverlayLayer *ld_layer_row_get_layer      (LdLayerRow     *self);
void            ld_layer_row_toggle         (LdLayerRow     *self);
void            ld_layer_row_set_zoom_range (LdLayerRow     *self,
                                             int             min_zoom,
                                             int             max_zoom);
void            ld_layer_row_set_movable    (LdLayerRow     *self,
                                             gboolean        up,
                                             gboolean        down);

G_END_DECLS
