/* ld-identify.h: the features of a GeoPackage's layers under a point
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-gpkg-geom.h"

G_BEGIN_DECLS

#define LD_IDENTIFY_ERROR (ld_identify_error_quark ())

typedef enum
{
  LD_IDENTIFY_ERROR_OPEN,
  LD_IDENTIFY_ERROR_LAYER,
  LD_IDENTIFY_ERROR_QUERY,
} LdIdentifyError;

/* One feature under the point. */
typedef struct
{
  char         *table;
  gint64        fid;
  GStrv         fields;     /* attribute names in table order, geometry excluded */
  GStrv         values;     /* as text; "" for NULL */
  double        area_m2;    /* planar, in the layer's CRS (Gauss-Krüger for our layers) */
  double        area_mu;
  LdGeomBuffer  geometry;   /* in the layer's CRS, for highlighting */
} LdFeatureHit;

void        ld_feature_hit_free       (LdFeatureHit *hit);
const char *ld_feature_hit_get_value  (LdFeatureHit *hit,
                                       const char   *field);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LdFeatureHit, ld_feature_hit_free)

#define LD_TYPE_IDENTIFY (ld_identify_get_type ())

G_DECLARE_FINAL_TYPE (LdIdentify, ld_identify, LD, IDENTIFY, GObject)

GQuark      ld_identify_error_quark   (void);

/* One read-only connection; use an LdIdentify from one thread at a time. */
LdIdentify *ld_identify_new           (const char          *gpkg_path,
                                       GError             **error);
GPtrArray  *ld_identify_at            (LdIdentify          *self,
                                       const char * const  *tables,
                                       double               x,
                                       double               y,
                                       GError             **error);
const char *ld_identify_field_label   (const char          *field);
gboolean    ld_identify_has_layer     (LdIdentify          *self,
                                       const char          *table);

G_END_DECLS
