/* ld-gpkg-geom.h: GeoPackage geometry blobs: header, and a WKB decoder for polygons
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LD_GPKG_GEOM_ERROR (ld_gpkg_geom_error_quark ())

typedef enum
{
  LD_GPKG_GEOM_ERROR_HEADER,
  LD_GPKG_GEOM_ERROR_TRUNCATED,
  LD_GPKG_GEOM_ERROR_UNSUPPORTED,
  LD_GPKG_GEOM_ERROR_INVALID,
} LdGpkgGeomError;

typedef struct
{
  int           srs_id;
  gboolean      empty;
  gboolean      has_envelope;
  double        minx, maxx, miny, maxy;
  const guint8 *wkb;          /* points into the blob */
  gsize         wkb_length;
} LdGpkgHeader;

/* A biquadratic map from source coordinates to output coordinates, exact at a 3 x 3 grid of
 * control points: u = (x - x0) * sx, v = (y - y0) * sy, out = sum c[i][j] u^i v^j. The tile
 * renderer fits one per tile so that it never calls PROJ per vertex. */
typedef struct
{
  double x0, y0, sx, sy;
  double cx[3][3];
  double cy[3][3];
} LdGeomTransform;

/* Decoded polygons, reused from feature to feature so decoding allocates nothing in the steady
 * state. xy holds n_points (x, y) pairs; rings[i] is the number of points of ring i; polygons[p]
 * the number of rings (outer ring first) of polygon p. */
typedef struct
{
  double *xy;
  guint   n_points, points_capacity;
  guint  *rings;
  guint   n_rings, rings_capacity;
  guint  *polygons;
  guint   n_polygons, polygons_capacity;
} LdGeomBuffer;

GQuark   ld_gpkg_geom_error_quark     (void);

gboolean ld_gpkg_geom_parse_header    (const guint8          *blob,
                                       gsize                  length,
                                       LdGpkgHeader          *header,
                                       GError               **error);

void     ld_geom_buffer_init          (LdGeomBuffer          *buffer);
void     ld_geom_buffer_clear         (LdGeomBuffer          *buffer);
void     ld_geom_buffer_reset         (LdGeomBuffer          *buffer);

gboolean ld_wkb_decode_polygons       (const guint8          *wkb,
                                       gsize                  length,
                                       const LdGeomTransform *transform,
                                       double                 min_step,
                                       LdGeomBuffer          *buffer,
                                       GError               **error);
gboolean ld_gpkg_geom_decode          (const guint8          *blob,
                                       gsize                  length,
                                       const LdGeomTransform *transform,
                                       double                 min_step,
                                       LdGeomBuffer          *buffer,
                                       GError               **error);

void     ld_geom_transform_apply      (const LdGeomTransform *transform,
                                       double                 x,
                                       double                 y,
                                       double                *out_x,
                                       double                *out_y);

double   ld_geom_buffer_area          (const LdGeomBuffer    *buffer);
gboolean ld_geom_buffer_contains      (const LdGeomBuffer    *buffer,
                                       double                 x,
                                       double                 y);
void     ld_geom_buffer_bounds        (const LdGeomBuffer    *buffer,
                                       double                *minx,
                                       double                *miny,
                                       double                *maxx,
                                       double                *maxy);

G_END_DECLS
