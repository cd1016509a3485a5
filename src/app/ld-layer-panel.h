/* ld-layer-panel.h: the map's layers: base map choice, visibility, opacity, legends
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ld-layer-row.h"

G_BEGIN_DECLS

#define LD_TYPE_LAYER_PANEL (ld_layer_panel_get_type ())

G_DECLARE_FINAL_TYPE (LdLayerPanel, ld_layer_panel, LD, LAYER_PANEL, GtkPopover)

LdLayerPanel *ld_layer_panel_new          (GSettings    *settings);
void          ld_layer_panel_set_overlays (LdLayerPanel *self,
                                           GPtrArray    *overlays);
void          ld_layer_panel_toggle       (LdLayerPanel *self,
                                           guint         index);
void          ld_layer_panel_move         (LdLayerPanel *self,
                                           guint         index,
                                           int           steps);
LdLayerRow   *ld_layer_panel_get_row      (LdLayerPanel *self,
                                           guint         index);

G_END_DECLS
