/* ld-tile-raster.h: the overlay rasteriser: exact-area coverage fills, hairline outlines, tile
 * pixels (private to the tile renderer)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "ld-gpkg-geom.h"

G_BEGIN_DECLS

typedef struct _LdCoverage LdCoverage;

LdCoverage      *ld_coverage_new        (void);
void             ld_coverage_free       (LdCoverage         *c);
void             ld_coverage_add        (LdCoverage         *c,
                                         const LdGeomBuffer *g);
void             ld_coverage_paint      (LdCoverage         *c,
                                         const double        rgba[4],
                                         guint8             *data,
                                         int                 stride);
void             ld_tile_draw_outlines  (const LdGeomBuffer *g,
                                         const double        rgba[4],
                                         guint8             *data,
                                         int                 stride);
cairo_surface_t *ld_tile_surface_new    (void);

G_END_DECLS
