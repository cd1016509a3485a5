/* ld-demo.h: the realistic Zhanjiang demo dataset (GeoPackage and base map)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-types.h"

G_BEGIN_DECLS

#define LD_DEMO_ERROR (ld_demo_error_quark ())

typedef enum
{
  LD_DEMO_ERROR_INVALID,   /* a parameter out of range */
  LD_DEMO_ERROR_EXISTS,    /* an output exists and overwriting was not allowed */
  LD_DEMO_ERROR_FAILED,    /* anything else: I/O, GDAL, GEOS */
} LdDemoError;

#define LD_DEMO_GPKG_NAME    "landdesk-demo.gpkg"
#define LD_DEMO_BASEMAP_NAME "basemap.mbtiles"

#define LD_DEMO_DEFAULT_PATCHES 5000
#define LD_DEMO_DEFAULT_CASES   48
#define LD_DEMO_DEFAULT_SEED    20240101
#define LD_DEMO_MIN_PATCHES     200
#define LD_DEMO_MAX_PATCHES     5000000
#define LD_DEMO_MAX_CASES       10000

#define LD_TYPE_DEMO (ld_demo_get_type ())

G_DECLARE_FINAL_TYPE (LdDemo, ld_demo, LD, DEMO, GObject)

GQuark      ld_demo_error_quark       (void);
LdDemo     *ld_demo_new               (guint64         seed);
void        ld_demo_set_patches       (LdDemo         *self,
                                       guint           n_patches);
void        ld_demo_set_cases         (LdDemo         *self,
                                       guint           n_cases);
void        ld_demo_set_basemap_zooms (LdDemo         *self,
                                       int             min_zoom,
                                       int             max_zoom);
void        ld_demo_set_gmt           (LdDemo         *self,
                                       const char     *gmt);
void        ld_demo_set_overwrite     (LdDemo         *self,
                                       gboolean        overwrite);
const char *ld_demo_get_warning       (LdDemo         *self);
guint       ld_demo_get_n_written     (LdDemo         *self);
gboolean    ld_demo_write             (LdDemo         *self,
                                       const char     *dir,
                                       LdProgressFunc  progress,
                                       gpointer        user_data,
                                       GError        **error);

G_END_DECLS
