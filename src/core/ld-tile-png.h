/* ld-tile-png.h: PNG tiles in and out of cairo, and over-zoom of a parent tile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

G_BEGIN_DECLS

GBytes          *ld_tile_png_encode (cairo_surface_t *surface);
cairo_surface_t *ld_tile_png_decode (GBytes          *png,
                                     GError         **error);
GBytes          *ld_tile_png_zoom   (GBytes          *parent_png,
                                     int              levels,
                                     int              sub_x,
                                     int              sub_y,
                                     GError         **error);

G_END_DECLS
