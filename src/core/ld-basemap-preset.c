/* ld-basemap-preset.c: the base maps a user can choose, and their tile URL templates
 *
 * Tianditu (天地图), the official service in China, serves Web Mercator tiles as WMTS with
 * matrix set "w"; its labels come as a separate layer drawn on top (cva over vec, cia over img).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ld-basemap-preset.h"

static const char * const ids[] = {
  [LD_BASEMAP_OFFLINE] = "offline",
  [LD_BASEMAP_TIANDITU_VECTOR] = "tianditu-vector",
  [LD_BASEMAP_TIANDITU_IMAGERY] = "tianditu-imagery",
  [LD_BASEMAP_OSM] = "osm",
  [LD_BASEMAP_NONE] = "none",
};

#define TIANDITU_WMTS "https://t0.tianditu.gov.cn/%s_w/wmts?SERVICE=WMTS&REQUEST=GetTile" \
                      "&VERSION=1.0.0&LAYER=%s&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles" \
                      "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=%s"

gboolean
ld_basemap_kind_from_id (const char    *id,
                         LdBasemapKind *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    if (g_strcmp0 (id, ids[i]) == 0)
      {
        *kind = (LdBasemapKind) i;
        return TRUE;
      }
  return FALSE;
}

const char *
ld_basemap_kind_to_id (LdBasemapKind kind)
{
  g_return_val_if_fail (kind <= LD_BASEMAP_NONE, NULL);
  return ids[kind];
}

gboolean
ld_basemap_kind_needs_key (LdBasemapKind kind)
{
  return kind == LD_BASEMAP_TIANDITU_VECTOR || kind == LD_BASEMAP_TIANDITU_IMAGERY;
}

static char *
tianditu_url (const char *layer,
              const char *key)
{
  g_autofree char *escaped = g_uri_escape_string (key ? key : "", NULL, FALSE);

  return g_strdup_printf (TIANDITU_WMTS, layer, layer, escaped);
}

/**
 * ld_basemap_preset_url:
 * @key: (nullable): the Tianditu key, where one is needed
 *
 * Returns: (transfer full) (nullable): the {x}/{y}/{z} template of an online base map, or
 *   %NULL for the offline file and for "none".
 */
char *
ld_basemap_preset_url (LdBasemapKind  kind,
                       const char    *key)
{
  switch (kind)
    {
    case LD_BASEMAP_TIANDITU_VECTOR:
      return tianditu_url ("vec", key);
    case LD_BASEMAP_TIANDITU_IMAGERY:
      return tianditu_url ("img", key);
    case LD_BASEMAP_OSM:
      return g_strdup ("https://tile.openstreetmap.org/{z}/{x}/{y}.png");
    case LD_BASEMAP_OFFLINE:
    case LD_BASEMAP_NONE:
    default:
      return NULL;
    }
}

/* The annotation (place names) layer that goes over a base map, if it has one. */
char *
ld_basemap_preset_overlay_url (LdBasemapKind  kind,
                               const char    *key)
{
  switch (kind)
    {
    case LD_BASEMAP_TIANDITU_VECTOR:
      return tianditu_url ("cva", key);
    case LD_BASEMAP_TIANDITU_IMAGERY:
      return tianditu_url ("cia", key);
    case LD_BASEMAP_OFFLINE:
    case LD_BASEMAP_OSM:
    case LD_BASEMAP_NONE:
    default:
      return NULL;
    }
}

const char *
ld_basemap_preset_license (LdBasemapKind kind)
{
  switch (kind)
    {
    case LD_BASEMAP_TIANDITU_VECTOR:
    case LD_BASEMAP_TIANDITU_IMAGERY:
      return "© 天地图 Tianditu";
    case LD_BASEMAP_OSM:
      return "© OpenStreetMap contributors";
    case LD_BASEMAP_OFFLINE:
    case LD_BASEMAP_NONE:
    default:
      return "";
    }
}
