/* ld-geo.h: Web Mercator tile arithmetic shared by the renderers and the map
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LD_TILE_SIZE 256

typedef struct
{
  double west;
  double south;
  double east;
  double north;
} LdLonLatBox;

void ld_geo_lonlat_to_world (double  lon,
                             double  lat,
                             int     zoom,
                             double *px,
                             double *py);
void ld_geo_world_to_lonlat (double  px,
                             double  py,
                             int     zoom,
                             double *lon,
                             double *lat);
void ld_geo_tile_range      (const LdLonLatBox *box,
                             int                zoom,
                             int               *x0,
                             int               *y0,
                             int               *x1,
                             int               *y1);

G_END_DECLS
