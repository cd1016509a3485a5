/* ld-analysis.h: the pre-review overlay analysis of a red line (domain.md §2, §6)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-redline.h"

G_BEGIN_DECLS

#define LD_ANALYSIS_ERROR (ld_analysis_error_quark ())

typedef enum
{
  LD_ANALYSIS_ERROR_OPEN,      /* the GeoPackage cannot be opened */
  LD_ANALYSIS_ERROR_LAYER,     /* a layer, its R-tree or a field is missing, or a blob is bad */
  LD_ANALYSIS_ERROR_GEOMETRY,  /* the red line is empty or invalid */
  LD_ANALYSIS_ERROR_OUTSIDE,   /* the red line touches no patch of any land-use layer */
  LD_ANALYSIS_ERROR_NOT_FOUND, /* no such case, or no red line for it */
  LD_ANALYSIS_ERROR_STORE,     /* reading or writing case_analyses */
} LdAnalysisError;

typedef enum
{
  LD_CHECK_PASS,
  LD_CHECK_ATTENTION,
  LD_CHECK_FAIL,
} LdCheckStatus;

typedef enum
{
  LD_CHECK_PLANNED_USE,
  LD_CHECK_UDB,
  LD_CHECK_PBF,
  LD_CHECK_EPR,
  LD_CHECK_CULTIVATED,
  LD_CHECK_NEW_CONSTRUCTION,
  LD_N_CHECKS,
} LdCheckId;

/* One class row. The rounded figures are reconciled so that a layer's rows add up to its
 * rounded total (largest remainder, see ld-analysis.c). */
typedef struct
{
  char   *code;         /* "" on the row of area no patch of the layer covers */
  char   *name;
  double  area_m2;      /* unrounded, planar Gauss-Krüger */
  double  net_m2;       /* xz_dltb: area x (1 - KCXS), net of field ridges; else area_m2 */
  double  round_m2;     /* 2 decimals */
  double  round_ha;     /* 4 decimals */
  double  round_mu;     /* 2 decimals */
} LdAnalysisRow;

typedef struct
{
  char      *layer;     /* "xz_dltb", "gh_ydyh" */
  GPtrArray *classes;   /* of LdAnalysisRow, largest area first */
  double     total_m2;  /* unrounded sum of the rows */
} LdAnalysisLayer;

typedef struct
{
  LdCheckId      id;
  LdCheckStatus  status;
  double         area_m2;    /* the area the check is about (see ld_analysis_check_what) */
  char          *reason;     /* English, for JSON and logs */
  char          *reason_zh;  /* Chinese, for the report */
} LdAnalysisCheck;

typedef struct
{
  double           redline_area_m2;    /* planar Gauss-Krüger area of the union of parcels */
  double           ellipsoid_factor;   /* 1/k² at the centroid: planar x this = ellipsoidal */
  double           cx, cy;             /* centroid (easting with zone prefix, northing) */
  double           minx, miny, maxx, maxy;
  char            *project_use;        /* 2023 code, or NULL */
  GPtrArray       *layers;             /* of LdAnalysisLayer */
  LdAnalysisCheck  checks[LD_N_CHECKS];
  double           paddy_m2;           /* net cultivated paddy (0101) */
  guint            n_candidates;       /* patches the R-trees returned */
  guint            n_whole;            /* of which taken whole, without clipping */
  guint            n_clipped;
  guint            n_geos;             /* of which touching the red line, clipped by GEOS */
} LdAnalysisResult;

#define LD_TYPE_ANALYSIS (ld_analysis_get_type ())

G_DECLARE_FINAL_TYPE (LdAnalysis, ld_analysis, LD, ANALYSIS, GObject)

GQuark            ld_analysis_error_quark      (void);
const char       *ld_check_id_to_string        (LdCheckId          id);
const char       *ld_check_status_to_string    (LdCheckStatus      status);
const char       *ld_check_title_zh            (LdCheckId          id);
const char       *ld_check_status_zh           (LdCheckStatus      status);

LdAnalysis       *ld_analysis_new              (const char        *gpkg,
                                                GError           **error);
const char       *ld_analysis_get_path         (LdAnalysis        *self);
LdAnalysisResult *ld_analysis_run              (LdAnalysis        *self,
                                                LdRedline         *redline,
                                                const char        *project_use,
                                                GError           **error);
LdRedline        *ld_analysis_load_case        (LdAnalysis        *self,
                                                const char        *case_ref,
                                                char             **case_id,
                                                char             **project_use,
                                                GError           **error);
char             *ld_analysis_fingerprint      (LdAnalysis        *self,
                                                const char        *case_id,
                                                GError           **error);
gboolean          ld_analysis_save             (LdAnalysis        *self,
                                                const char        *case_id,
                                                LdAnalysisResult  *result,
                                                GError           **error);
char             *ld_analysis_load_saved       (LdAnalysis        *self,
                                                const char        *case_id,
                                                gboolean          *stale,
                                                char             **computed_at,
                                                GError           **error);

void              ld_analysis_result_free      (LdAnalysisResult  *result);
char             *ld_analysis_result_to_json   (LdAnalysisResult  *result);
const LdAnalysisLayer *ld_analysis_result_get_layer (LdAnalysisResult *result,
                                                     const char       *layer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LdAnalysisResult, ld_analysis_result_free)

G_END_DECLS
