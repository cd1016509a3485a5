/* ld-redline-private.h: what ld-redline.c and ld-redline-ogr.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "ld-coordfile.h"
#include "ld-redline.h"

G_BEGIN_DECLS

typedef struct
{
  char         *id;
  char         *name;
  char         *sheet;
  char         *use;
  char         *class_code;
  GEOSGeometry *geom;   /* a MultiPolygon in EPSG:4525 */
  gboolean      valid;
} LdRedlineParcel;

GEOSContextHandle_t ld_redline_get_geos        (LdRedline            *self);
LdRedlineParcel    *ld_redline_take_geometry   (LdRedline            *self,
                                                const char           *id,
                                                const char           *name,
                                                GEOSGeometry         *geom);
LdRedlineParcel    *ld_redline_get_parcel      (LdRedline            *self,
                                                guint                 index);
void                ld_redline_add_warning     (LdRedline            *self,
                                                const char           *format,
                                                ...) G_GNUC_PRINTF (2, 3);
GEOSGeometry       *ld_redline_geometry_from_parcel (LdRedline       *self,
                                                const LdCoordParcel  *parcel);
GEOSGeometry       *ld_redline_geometry_from_wkb (LdRedline          *self,
                                                const guchar         *wkb,
                                                gsize                 length);
const char         *ld_redline_get_case_title  (LdRedline            *self);
const char         *ld_redline_get_case_use    (LdRedline            *self);

/* ld-redline-ogr.c */
LdRedline          *ld_redline_import_ogr      (const char           *path,
                                                LdRedlineFormat       format,
                                                GError              **error);
gboolean            ld_redline_transform_parcels (LdRedline          *self,
                                                int                   from_epsg,
                                                GError              **error);
gboolean            ld_redline_export_ogr      (LdRedline            *self,
                                                const char           *path,
                                                LdRedlineFormat       format,
                                                GError              **error);
LdRedline          *ld_redline_load_store_ogr  (const char           *store,
                                                const char           *case_ref,
                                                GError              **error);

G_END_DECLS
