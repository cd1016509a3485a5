/* ld-redline.h: a red line (用地红线): the parcels of a case in EPSG:4525, in and out of files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-units.h"

G_BEGIN_DECLS

#define LD_REDLINE_ERROR (ld_redline_error_quark ())

typedef enum
{
  LD_REDLINE_ERROR_OPEN,      /* the file cannot be read, or no reader knows it */
  LD_REDLINE_ERROR_FORMAT,    /* the file is read but holds no usable polygon */
  LD_REDLINE_ERROR_CRS,       /* its coordinate system cannot be turned into EPSG:4525 */
  LD_REDLINE_ERROR_GEOMETRY,  /* a geometry LandDesk cannot use */
  LD_REDLINE_ERROR_NOT_FOUND, /* no such case, or no red line for it, in the store */
  LD_REDLINE_ERROR_WRITE,
} LdRedlineError;

typedef enum
{
  LD_REDLINE_FORMAT_AUTO,
  LD_REDLINE_FORMAT_TXT,
  LD_REDLINE_FORMAT_SHP,
  LD_REDLINE_FORMAT_GPKG,
  LD_REDLINE_FORMAT_GEOJSON,
  LD_REDLINE_FORMAT_KML,
  LD_REDLINE_FORMAT_DXF,
} LdRedlineFormat;

typedef enum
{
  LD_REDLINE_IMPORT_DEFAULT = 0,
  /* Repair invalid polygons with GEOS MakeValid (and say how the area changed). */
  LD_REDLINE_IMPORT_MAKE_VALID = 1 << 0,
} LdRedlineImportFlags;

/* The store CRS: CGCS2000 / 3-degree Gauss-Krüger zone 37, easting with the zone prefix. */
#define LD_REDLINE_EPSG 4525
/* 1 m² = 0.0015 mu (domain.md §6). */

#define LD_TYPE_REDLINE (ld_redline_get_type ())

G_DECLARE_FINAL_TYPE (LdRedline, ld_redline, LD, REDLINE, GObject)

GQuark           ld_redline_error_quark           (void);

gboolean         ld_redline_format_from_string    (const char      *text,
                                                   LdRedlineFormat *format);
const char      *ld_redline_format_to_string      (LdRedlineFormat  format);
LdRedlineFormat  ld_redline_format_guess          (const char      *path);

LdRedline       *ld_redline_new                   (void);
LdRedline       *ld_redline_import                (const char           *path,
                                                   LdRedlineFormat       format,
                                                   LdRedlineImportFlags  flags,
                                                   GError              **error);
LdRedline       *ld_redline_load_store            (const char           *store,
                                                   const char           *case_ref,
                                                   GError              **error);
gboolean         ld_redline_add_parcel_wkt        (LdRedline       *self,
                                                   const char      *id,
                                                   const char      *name,
                                                   const char      *wkt,
                                                   GError         **error);
const char      *ld_redline_get_crs               (LdRedline       *self);
GPtrArray       *ld_redline_get_warnings          (LdRedline       *self);
guint            ld_redline_get_n_parcels         (LdRedline       *self);
const char      *ld_redline_get_parcel_id         (LdRedline       *self,
                                                   guint            index);
const char      *ld_redline_get_parcel_name       (LdRedline       *self,
                                                   guint            index);
double           ld_redline_get_parcel_area       (LdRedline       *self,
                                                   guint            index);
guint            ld_redline_get_parcel_n_rings    (LdRedline       *self,
                                                   guint            index);
gboolean         ld_redline_get_parcel_valid      (LdRedline       *self,
                                                   guint            index);
char            *ld_redline_dup_parcel_wkt        (LdRedline       *self,
                                                   guint            index);
GBytes          *ld_redline_dup_parcel_wkb        (LdRedline       *self,
                                                   guint            index);
double           ld_redline_get_area              (LdRedline       *self);
void             ld_redline_set_case              (LdRedline       *self,
                                                   const char      *number,
                                                   const char      *title,
                                                   const char      *project_use);
gboolean         ld_redline_export                (LdRedline       *self,
                                                   const char      *path,
                                                   LdRedlineFormat  format,
                                                   const char      *encoding,
                                                   GError         **error);

/* In the full part (GDAL): lets ld_redline_import/_export/_load_store use GDAL/OGR without
 * loading the module landdesk-gdal. The app, the server and the tests call it first. */
void             ld_redline_ogr_install           (void);

G_END_DECLS
