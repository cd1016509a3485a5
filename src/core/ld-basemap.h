/* ld-basemap.h: renders a light offline base map into an MBTiles file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-geo.h"
#include "ld-types.h"

G_BEGIN_DECLS

/* Colours the base map is painted with; tests look for them in screenshots. */
#define LD_BASEMAP_SEA_RGB  0xaad3df
#define LD_BASEMAP_LAND_RGB 0xf2efe9

#define LD_TYPE_BASEMAP (ld_basemap_get_type ())

G_DECLARE_FINAL_TYPE (LdBasemap, ld_basemap, LD, BASEMAP, GObject)

LdBasemap *ld_basemap_new                 (const LdLonLatBox *bounds);
void       ld_basemap_add_land_ring       (LdBasemap         *self,
                                           const double      *lonlat,
                                           gsize              n_points);
void       ld_basemap_add_road            (LdBasemap         *self,
                                           const double      *lonlat,
                                           gsize              n_points,
                                           int                rank);
void       ld_basemap_add_town            (LdBasemap         *self,
                                           double             lon,
                                           double             lat,
                                           int                rank);
void       ld_basemap_add_synthetic_coast (LdBasemap         *self);
gboolean   ld_basemap_write               (LdBasemap         *self,
                                           const char        *path,
                                           int                min_zoom,
                                           int                max_zoom,
                                           LdProgressFunc     progress,
                                           gpointer           user_data,
                                           GError           **error);

G_END_DECLS
