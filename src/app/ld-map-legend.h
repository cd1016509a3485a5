/* ld-map-legend.h: a compact legend over the map: the classes the visible land layers show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ld-palette.h"

G_BEGIN_DECLS

#define LD_TYPE_MAP_LEGEND (ld_map_legend_get_type ())

G_DECLARE_FINAL_TYPE (LdMapLegend, ld_map_legend, LD, MAP_LEGEND, GtkWidget)

LdMapLegend *ld_map_legend_new          (GSettings   *settings);
void         ld_map_legend_set_overlays (LdMapLegend *self,
                                         GPtrArray   *overlays);
guint        ld_map_legend_get_n_rows   (LdMapLegend *self);
void         ld_map_legend_draw_swatch  (GtkDrawingArea *area,
                                         cairo_t        *cr,
                                         int             width,
                                         int             height,
                                         gpointer        user_data);
void         ld_map_legend_attach_class (GtkGrid              *grid,
                                         const LdPaletteEntry *entry,
                                         int                   row);

G_END_DECLS
