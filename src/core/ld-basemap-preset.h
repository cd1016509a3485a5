/* ld-basemap-preset.h: the base maps a user can choose, and their tile URL templates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  LD_BASEMAP_OFFLINE,
  LD_BASEMAP_TIANDITU_VECTOR,
  LD_BASEMAP_TIANDITU_IMAGERY,
  LD_BASEMAP_OSM,
  LD_BASEMAP_CUSTOM,
  LD_BASEMAP_NONE,
} LdBasemapKind;

#define LD_BASEMAP_PRESET_ERROR (ld_basemap_preset_error_quark ())

typedef enum
{
  LD_BASEMAP_PRESET_ERROR_TEMPLATE,
} LdBasemapPresetError;

GQuark      ld_basemap_preset_error_quark  (void);

gboolean    ld_basemap_kind_from_id        (const char    *id,
                                            LdBasemapKind *kind);
const char *ld_basemap_kind_to_id          (LdBasemapKind  kind);
gboolean    ld_basemap_kind_needs_key      (LdBasemapKind  kind);
char       *ld_basemap_preset_url          (LdBasemapKind  kind,
                                            const char    *key);
char       *ld_basemap_preset_overlay_url  (LdBasemapKind  kind,
                                            const char    *key);
const char *ld_basemap_preset_license      (LdBasemapKind  kind);
gboolean    ld_basemap_check_url_template  (const char    *url,
                                            GError       **error);

G_END_DECLS
