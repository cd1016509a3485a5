/* ld-tile-paint.h: how the map's layers paint their 256 px tiles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

GdkTexture *ld_tile_paint_texture_new (cairo_surface_t   *surface);
gboolean    ld_tile_paint_surface     (GtkSnapshot       *snapshot,
                                       cairo_surface_t   *surface,
                                       cairo_surface_t  **pin,
                                       double             x,
                                       double             y,
                                       double             w,
                                       double             h,
                                       gboolean           translucent);
cairo_surface_t *ld_tile_paint_faded  (cairo_surface_t   *surface,
                                       double             alpha);
void        ld_tile_paint_snap        (double             x,
                                       double             y,
                                       double             size,
                                       graphene_rect_t   *box);
void        ld_tile_paint_prune       (GHashTable        *tiles,
                                       guint              max_tiles,
                                       guint              frame,
                                       gsize              frame_offset);

G_END_DECLS
