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

/* What ld-redline-ogr.c (in the full part) does for ld-redline.c (in the base part). A process
 * that links the full part installs it (ld_redline_ogr_install); landdesk-cli gets it from the
 * module landdesk-gdal the first time a format other than TXT is asked for. */
typedef struct
{
  LdRedline *(*import)     (const char       *path,
                            LdRedlineFormat   format,
                            GError          **error);
  gboolean   (*transform)  (LdRedline        *self,
                            int               from_epsg,
                            GError          **error);
  gboolean   (*export)     (LdRedline        *self,
                            const char       *path,
                            LdRedlineFormat   format,
                            GError          **error);
} LdRedlineOgr;

void                ld_redline_set_ogr         (const LdRedlineOgr   *ogr);

/* ld-redline-store.c */
LdRedline          *ld_redline_read_store      (const char           *store,
                                                const char           *case_ref,
                                                GError              **error);

G_END_DECLS
