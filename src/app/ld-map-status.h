/* ld-map-status.h: the strip under the map: pointer coordinates, measuring, identify
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <shumate/shumate.h>

G_BEGIN_DECLS

#define LD_TYPE_MAP_STATUS (ld_map_status_get_type ())

G_DECLARE_FINAL_TYPE (LdMapStatus, ld_map_status, LD, MAP_STATUS, GtkWidget)

void        ld_map_status_set_map         (LdMapStatus      *self,
                                           ShumateSimpleMap *map);
void        ld_map_status_set_store_path  (LdMapStatus      *self,
                                           const char       *path);
void        ld_map_status_pointer_at      (LdMapStatus      *self,
                                           double            lat,
                                           double            lon);
void        ld_map_status_raise_layers    (LdMapStatus      *self);
guint       ld_map_status_get_highlight_size (LdMapStatus *self);
void        ld_map_status_begin_area      (LdMapStatus      *self);
gboolean    ld_map_status_get_measuring   (LdMapStatus      *self);
void        ld_map_status_add_point       (LdMapStatus      *self,
                                           double            lat,
                                           double            lon);
const char *ld_map_status_get_measurement (LdMapStatus      *self);
GPtrArray  *ld_map_status_identify        (LdMapStatus      *self,
                                           double            lat,
                                           double            lon,
                                           GError          **error);

G_END_DECLS
