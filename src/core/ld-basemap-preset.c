/* ld-basemap-preset.c: the base maps a user can choose, and their tile URL templates
 *
 * Tianditu (天地图), the official service in China, serves Web Mercator tiles as WMTS with
 * matrix set "w"; its labels come as a separate layer drawn on top (cva over vec, cia over img).
 * A custom base map is any XYZ template the user gives, such as the bureau's own tile server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ld-basemap-preset.h"

static const char * const ids[] = {
  [LD_BASEMAP_OFFLINE] = "offline",
  [LD_BASEMAP_TIANDITU_VECTOR] = "tianditu-vector",
  [LD_BASEMAP_TIANDITU_IMAGERY] = "tianditu-imagery",
  [LD_BASEMAP_OSM] = "osm",
  [LD_BASEMAP_CUSTOM] = "custom",
  [LD_BASEMAP_NONE] = "none",
};

G_DEFINE_QUARK (ld-basemap-preset-error-quark, ld_basemap_preset_error)

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
 *   %NULL for the offline file, "none" and a custom map (whose template is the user's).
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
    case LD_BASEMAP_CUSTOM:
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
    case LD_BASEMAP_CUSTOM:
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
    case LD_BASEMAP_CUSTOM:
    case LD_BASEMAP_NONE:
    default:
      return "";
    }
}

/**
 * ld_basemap_check_url_template:
 * @url: an XYZ tile URL template, as the user typed it
 *
 * Checks that @url is an http or https URL with {x}, {y} and {z} where the tile's column,
 * row and zoom go (libshumate's tile downloader fills those in).
 *
 * Returns: %TRUE if it is, else %FALSE with @error saying what is wrong
 */
gboolean
ld_basemap_check_url_template (const char  *url,
                               GError     **error)
{
  static const char * const needed[] = { "{x}", "{y}", "{z}" };
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autofree char *sample = NULL;
  const char *scheme;

  if (url == NULL || *url == '\0')
    {
      g_set_error (error, LD_BASEMAP_PRESET_ERROR, LD_BASEMAP_PRESET_ERROR_TEMPLATE,
                   "No tile URL: enter a template such as "
                   "https://tiles.example.cn/{z}/{x}/{y}.png");
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (needed); i++)
    if (strstr (url, needed[i]) == NULL)
      {
        g_set_error (error, LD_BASEMAP_PRESET_ERROR, LD_BASEMAP_PRESET_ERROR_TEMPLATE,
                     "Tile URL %s has no %s: it needs {x}, {y} and {z} where the tile's column, "
                     "row and zoom go", url, needed[i]);
        return FALSE;
      }
  /* GUri would reject the braces in a path: check the URL a tile would get. */
  {
    g_auto(GStrv) parts = g_strsplit (url, "{x}", -1);
    g_autofree char *a = g_strjoinv ("1", parts);
    g_auto(GStrv) parts_y = g_strsplit (a, "{y}", -1);
    g_autofree char *b = g_strjoinv ("2", parts_y);
    g_auto(GStrv) parts_z = g_strsplit (b, "{z}", -1);

    sample = g_strjoinv ("3", parts_z);
  }
  uri = g_uri_parse (sample, G_URI_FLAGS_NONE, &parse_error);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0))
    {
      g_set_error (error, LD_BASEMAP_PRESET_ERROR, LD_BASEMAP_PRESET_ERROR_TEMPLATE,
                   "Tile URL %s is not an http:// or https:// address%s%s", url,
                   parse_error ? ": " : "", parse_error ? parse_error->message : "");
      return FALSE;
    }
  return TRUE;
}
