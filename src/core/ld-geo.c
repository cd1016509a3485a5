/* ld-geo.c: Web Mercator tile arithmetic shared by the renderers and the map
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "ld-geo.h"

#define MAX_LAT 85.0511287798

/* World pixel coordinates at @zoom: (0,0) is the north-west corner of tile 0/0/0. */
void
ld_geo_lonlat_to_world (double  lon,
                        double  lat,
                        int     zoom,
                        double *px,
                        double *py)
{
  double size = LD_TILE_SIZE * (double) (1 << zoom);
  double phi = CLAMP (lat, -MAX_LAT, MAX_LAT) * G_PI / 180.0;

  *px = (lon + 180.0) / 360.0 * size;
  *py = (1.0 - log (tan (phi) + 1.0 / cos (phi)) / G_PI) / 2.0 * size;
}

void
ld_geo_world_to_lonlat (double  px,
                        double  py,
                        int     zoom,
                        double *lon,
                        double *lat)
{
  double size = LD_TILE_SIZE * (double) (1 << zoom);
  double n = G_PI - 2.0 * G_PI * py / size;

  *lon = px / size * 360.0 - 180.0;
  *lat = 180.0 / G_PI * atan (sinh (n));
}

/* The inclusive range of XYZ tiles at @zoom that cover @box. */
void
ld_geo_tile_range (const LdLonLatBox *box,
                   int                zoom,
                   int               *x0,
                   int               *y0,
                   int               *x1,
                   int               *y1)
{
  int last = (1 << zoom) - 1;
  double ax, ay, bx, by;

  ld_geo_lonlat_to_world (box->west, box->north, zoom, &ax, &ay);
  ld_geo_lonlat_to_world (box->east, box->south, zoom, &bx, &by);
  *x0 = CLAMP ((int) floor (ax / LD_TILE_SIZE), 0, last);
  *y0 = CLAMP ((int) floor (ay / LD_TILE_SIZE), 0, last);
  *x1 = CLAMP ((int) floor (bx / LD_TILE_SIZE), 0, last);
  *y1 = CLAMP ((int) floor (by / LD_TILE_SIZE), 0, last);
}
