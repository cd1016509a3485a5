/* ld-gk.h: CGCS2000 Gauss-Krüger zone 37 (EPSG:4525) and planar measures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-units.h"

G_BEGIN_DECLS

#define LD_GK_ERROR (ld_gk_error_quark ())

typedef enum
{
  LD_GK_ERROR_PROJ,
} LdGkError;

/* The CRS of LandDesk's stored layers. */
#define LD_GK_CRS  "EPSG:4525"
/* CGCS2000 geographic. */
#define LD_GEO_CRS "EPSG:4490"

#define LD_TYPE_GK (ld_gk_get_type ())

G_DECLARE_FINAL_TYPE (LdGk, ld_gk, LD, GK, GObject)

GQuark   ld_gk_error_quark      (void);

/* An LdGk holds its own PROJ context: use one per thread. */
LdGk    *ld_gk_new              (GError      **error);
gboolean ld_gk_from_lonlat      (LdGk         *self,
                                 double        lon,
                                 double        lat,
                                 double       *x_northing,
                                 double       *y_easting);
gboolean ld_gk_to_lonlat        (LdGk         *self,
                                 double        x_northing,
                                 double        y_easting,
                                 double       *lon,
                                 double       *lat);

/* Measures in the Gauss-Krüger plane; points are (easting, northing) pairs in metres. */
double   ld_gk_length           (const double *xy,
                                 guint         n_points);
double   ld_gk_area             (const double *xy,
                                 guint         n_points);

char    *ld_length_format       (double        metres);

G_END_DECLS
