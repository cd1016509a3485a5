/* ld-demo-private.h: the pieces of the demo-data generator shared between its files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <geos_c.h>
/* GDAL's headers test compiler macros that GCC leaves undefined. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <cpl_conv.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

#include "ld-demo.h"
#include "ld-rng.h"

G_BEGIN_DECLS

/* Lon/lat (CGCS2000) to CGCS2000 / 3-degree Gauss-Krüger zone 37 (EPSG:4525) and back, x first. */
typedef struct
{
  OGRSpatialReferenceH         geographic;
  OGRSpatialReferenceH         projected;
  OGRCoordinateTransformationH forward;
  OGRCoordinateTransformationH inverse;
} LdDemoProj;

gboolean ld_demo_proj_init    (LdDemoProj *proj,
                               GError    **error);
void     ld_demo_proj_clear   (LdDemoProj *proj);
void     ld_demo_proj_forward (LdDemoProj *proj,
                               double      lon,
                               double      lat,
                               double     *x,
                               double     *y);

/* A named place the classes, roads and cases gather around. */
typedef struct
{
  const char *name;      /* Chinese */
  double      lon;
  double      lat;
  double      radius;    /* metres of built-up core */
  const char *county;    /* the six-digit administrative code of its county or district */
  int         rank;      /* 0 city centre, 1 county town */
  double      x;         /* EPSG:4525, filled at start */
  double      y;
} LdDemoTown;

typedef struct
{
  const double *lonlat;
  guint         n_points;
  int           rank;
} LdDemoLine;

extern LdDemoTown       ld_demo_towns[];
extern const guint      ld_demo_n_towns;
extern const LdDemoLine ld_demo_roads[];
extern const guint      ld_demo_n_roads;
extern const LdDemoLine ld_demo_rivers[];
extern const guint      ld_demo_n_rivers;

/* The land mask: where the tessellation goes. */
typedef struct
{
  GEOSGeometry *land;        /* EPSG:4525, valid (multi)polygon */
  GEOSGeometry *land_lonlat; /* the same in lon/lat, for the base map */
  GEOSGeometry *coast;       /* the boundary of land */
  double        area;        /* m² (planar) */
  gboolean      synthetic;
} LdDemoLand;

gboolean ld_demo_land_build (GEOSContextHandle_t geos,
                             LdDemoProj         *proj,
                             const char         *gmt,
                             LdDemoLand         *land,
                             char              **warning,
                             GError            **error);
void     ld_demo_land_clear (GEOSContextHandle_t geos,
                             LdDemoLand         *land);

/* Places where red lines go so that analyses meet every outcome. */
typedef enum
{
  LD_DEMO_SPOT_PBF,          /* on permanent basic farmland */
  LD_DEMO_SPOT_EPR,          /* on the ecological red line */
  LD_DEMO_SPOT_UDB_BUILT,    /* inside the UDB, on construction land */
  LD_DEMO_SPOT_UDB_FARM,     /* inside the UDB, on cultivated land */
  LD_DEMO_SPOT_OUT_FARM,     /* outside the UDB, cultivated but not PBF */
  LD_DEMO_SPOT_OUT_BUILT,    /* outside the UDB, on construction land (villages, roads) */
  LD_DEMO_N_SPOTS
} LdDemoSpotKind;

#define LD_DEMO_SPOTS_PER_KIND 96

typedef struct
{
  double x[LD_DEMO_N_SPOTS][LD_DEMO_SPOTS_PER_KIND];
  double y[LD_DEMO_N_SPOTS][LD_DEMO_SPOTS_PER_KIND];
  guint  seen[LD_DEMO_N_SPOTS];
} LdDemoSpots;

gboolean ld_demo_write_cases (GDALDatasetH        ds,
                              OGRSpatialReferenceH srs,
                              GEOSContextHandle_t geos,
                              const GEOSPreparedGeometry *land,
                              const LdDemoSpots  *spots,
                              guint64             seed,
                              guint               n_cases,
                              GError            **error);

/* Helpers of the GeoPackage writer. */
gboolean ld_demo_ogr_check   (OGRErr       err,
                              const char  *what,
                              GError     **error);
OGRGeometryH ld_demo_geos_to_ogr (GEOSContextHandle_t  geos,
                                  const GEOSGeometry  *g);

G_END_DECLS
