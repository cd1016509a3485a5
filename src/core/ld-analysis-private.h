/* ld-analysis-private.h: what the files of LdAnalysis share
 *
 * ld-analysis.c (the object, the layers, ld_analysis_run), ld-analysis-clip.c (the crossing-area
 * geometry), ld-analysis-checks.c (class rows, rounding and the six checks), ld-analysis-store.c
 * (the case's red line in, the stored results) and ld-analysis-result.c (the result and its
 * JSON).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "ld-analysis.h"
#include "ld-gpkg-geom.h"
#include "ld-landclass.h"
#include "ld-redline-private.h"

G_BEGIN_DECLS

typedef enum
{
  LAYER_DLTB,
  LAYER_YDYH,
  LAYER_PBF,
  LAYER_EPR,
  LAYER_UDB,
  N_LAYERS,
} LayerId;

typedef struct
{
  const char *name;
  const char *code_field;   /* NULL: the layer has no classes */
  const char *name_field;
  const char *ratio_field;  /* KCXS */
  const char *what;
} LayerSpec;

extern const LayerSpec ld_analysis_layer_specs[N_LAYERS];

typedef struct
{
  sqlite3_stmt *query;      /* candidates by envelope */
  sqlite3_stmt *hash;       /* the same rows for the fingerprint */
} Layer;

struct _LdAnalysis
{
  GObject              parent_instance;

  char                *path;
  sqlite3             *db;
  GEOSContextHandle_t  geos;
  LdLandclass         *classes;
  Layer                layers[N_LAYERS];
  GHashTable          *categories;   /* DLBM -> LdLandCategory, cached */
};

typedef struct
{
  char   *code;
  char   *name;
  double  area;
  double  net;
} Acc;

/* A boundary segment in local coordinates (origin at the red line's south-west corner, so that
 * the shoelace terms do not cancel out digits), with the sign that orients its ring (outer
 * rings counter-clockwise, holes clockwise). */
typedef struct
{
  double x0, y0, x1, y1;
  double minx, maxx, miny, maxy;
  double sign;
} Seg;

/* The red line's boundary for the exact-area clip (see clip_area). */
typedef struct
{
  GArray *segs;      /* of Seg */
  GArray *near;      /* of guint: the segments near the current patch */
  GArray *ts;        /* of double: crossings along an edge */
  double  ox, oy;
} Clip;

/* Rectangles (world coordinates) that together cover the red line, for the R-tree queries.
 * A compact red line is covered by its box; a thin or sparse one (a road, a pipeline, parcels
 * far apart), whose box would return far more patches than it touches, by the cells of a grid
 * over its box that hold its boundary or lie inside it, merged along rows. */
typedef struct
{
  double minx, miny, maxx, maxy;
} Rect;

/* ld-analysis.c */
gboolean          ld_analysis_sql_error       (LdAnalysis          *self,
                                               GError             **error,
                                               int                  code,
                                               const char          *what);
GEOSGeometry     *ld_analysis_union_parcels   (LdAnalysis          *self,
                                               LdRedline           *redline,
                                               GError             **error);
void              ld_analysis_bind_envelope   (sqlite3_stmt        *stmt,
                                               double               minx,
                                               double               miny,
                                               double               maxx,
                                               double               maxy);

/* ld-analysis-clip.c */
void              ld_analysis_clip_init       (Clip                *clip,
                                               const GEOSGeometry  *rl,
                                               GEOSContextHandle_t  geos,
                                               double               ox,
                                               double               oy);
void              ld_analysis_clip_clear      (Clip                *clip);
gboolean          ld_analysis_clip_area       (Clip                *clip,
                                               LdGeomBuffer        *b,
                                               GArray              *patch_segs,
                                               double              *area,
                                               gboolean            *whole);
GArray           *ld_analysis_red_cover       (const Clip          *clip,
                                               double               minx,
                                               double               miny,
                                               double               maxx,
                                               double               maxy,
                                               double               area);

/* ld-analysis-checks.c */
LdAnalysisLayer  *ld_analysis_make_layer      (const char          *name,
                                               GHashTable          *accs,
                                               double               redline_area);
void              ld_analysis_run_checks      (LdAnalysisResult    *r,
                                               double               sums[N_LAYERS],
                                               double               cultivated_net,
                                               double               new_construction);

/* ld-analysis-result.c */
void              ld_analysis_class_free      (gpointer             data);
void              ld_analysis_layer_free      (gpointer             data);

G_END_DECLS
