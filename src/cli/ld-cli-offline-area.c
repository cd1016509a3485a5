/* ld-cli-offline-area.c: landdesk-cli offline-area, download an area's layers and base map
 *
 *   landdesk-cli offline-area --store F --server URL --user U --password-file P
 *       (--bbox MINLON,MINLAT,MAXLON,MAXLAT | --polygon FILE | --resume)
 *       [--min-zoom Z --max-zoom Z] [--estimate] [--json]
 *
 * Progress goes to stderr, one line per page; the result (or the estimate) to stdout.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>

#include "ld-cli.h"
#include "ld-core.h"

static gboolean
parse_bbox (const char   *text,
            LdLonLatBox  *box,
            GError      **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  double v[4];

  if (g_strv_length (parts) != 4)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--bbox '%s' must be MINLON,MINLAT,MAXLON,MAXLAT", text);
      return FALSE;
    }
  for (int i = 0; i < 4; i++)
    {
      char *end;

      v[i] = g_ascii_strtod (parts[i], &end);
      if (end == parts[i] || *end != '\0' || !isfinite (v[i]))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--bbox '%s': field %d '%s' is not a number", text, i + 1, parts[i]);
          return FALSE;
        }
    }
  box->west = v[0];
  box->south = v[1];
  box->east = v[2];
  box->north = v[3];
  return TRUE;
}

static void
progress_cb (const LdOfflineAreaProgress *p,
             gpointer                     user_data)
{
  fprintf (stderr, "offline-area: %s: features %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
           ", tiles %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT ", bytes %" G_GINT64_FORMAT
           "/%" G_GINT64_FORMAT "\n", p->layer ? p->layer
           : p->features_done < p->features_total ? "starting" : "tiles", p->features_done,
           p->features_total, p->tiles_done, p->tiles_total, p->bytes_done, p->bytes_total);
  fflush (stderr);
}

static void
print_estimate (const LdOfflineAreaEstimate *e,
                LdOfflineArea               *area,
                int                          min_zoom,
                int                          max_zoom,
                gboolean                     json)
{
  if (json)
    printf ("{\"area_m2\": %.3f, \"features\": %" G_GINT64_FORMAT ", \"feature_bytes\": %"
            G_GINT64_FORMAT ", \"tiles\": %" G_GINT64_FORMAT ", \"tile_positions\": %"
            G_GINT64_FORMAT ", \"tile_bytes\": %" G_GINT64_FORMAT ", \"min_zoom\": %d,"
            " \"max_zoom\": %d, \"bytes\": %" G_GINT64_FORMAT "}\n",
            ld_offline_area_get_area_m2 (area), e->features, e->feature_bytes, e->tiles,
            e->tile_positions, e->tile_bytes, min_zoom, max_zoom,
            e->feature_bytes + e->tile_bytes);
  else
    printf ("area %.1f m²: %" G_GINT64_FORMAT " features (%" G_GINT64_FORMAT " bytes), %"
            G_GINT64_FORMAT " tiles at zooms %d-%d (%" G_GINT64_FORMAT " bytes)\n",
            ld_offline_area_get_area_m2 (area), e->features, e->feature_bytes, e->tiles,
            min_zoom, max_zoom, e->tile_bytes);
}

static void
print_result (LdOfflineArea *area,
              LdStore       *store,
              const char    *store_path,
              gboolean       json)
{
  g_autofree char *mbtiles = ld_offline_area_basemap_path (store_path);
  LdOfflineAreaProgress p = { 0 };

  ld_offline_area_get_progress (area, store, &p);
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "store");
      json_builder_add_string_value (b, store_path);
      json_builder_set_member_name (b, "basemap");
      json_builder_add_string_value (b, mbtiles);
      json_builder_set_member_name (b, "features");
      json_builder_add_int_value (b, p.features_done);
      json_builder_set_member_name (b, "tiles");
      json_builder_add_int_value (b, p.tiles_done);
      json_builder_set_member_name (b, "bytes");
      json_builder_add_int_value (b, p.bytes_done);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      text = json_to_string (root, FALSE);
      printf ("%s\n", text);
    }
  else
    printf ("downloaded %" G_GINT64_FORMAT " features and %" G_GINT64_FORMAT " tile positions"
            " (%" G_GINT64_FORMAT " bytes) into %s; base map %s\n", p.features_done, p.tiles_done,
            p.bytes_done, store_path, mbtiles);
}

int
ld_cli_offline_area (int    argc,
                     char **argv)
{
  g_autofree char *store_path = NULL;
  g_autofree char *server = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *password = NULL;
  g_autofree char *bbox = NULL;
  g_autofree char *polygon = NULL;
  int min_zoom = -1, max_zoom = -1, page = 0, tile_batch = 0;
  gboolean estimate_only = FALSE, json = FALSE, resume = FALSE;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LdOfflineArea) area = NULL;
  g_autoptr(LdStore) store = NULL;
  LdOfflineAreaEstimate est;
  int code;
  const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path,
      "The local store (created when missing or empty)", "FILE" },
    { "server", 0, 0, G_OPTION_ARG_STRING, &server, "The server, e.g. http://127.0.0.1:8470",
      "URL" },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, "Login name, e.g. li.na", "LOGIN" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
      "A file whose first line is the password", "FILE" },
    { "bbox", 0, 0, G_OPTION_ARG_STRING, &bbox, "The area as a box in degrees",
      "MINLON,MINLAT,MAXLON,MAXLAT" },
    { "polygon", 0, 0, G_OPTION_ARG_FILENAME, &polygon,
      "The area from a red-line file (coordinate TXT, SHP, GPKG, KML, GeoJSON, DXF)", "FILE" },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &resume,
      "Continue the store's interrupted download", NULL },
    { "min-zoom", 0, 0, G_OPTION_ARG_INT, &min_zoom,
      "Lowest base-map zoom (default: the base map's)", "Z" },
    { "max-zoom", 0, 0, G_OPTION_ARG_INT, &max_zoom,
      "Highest base-map zoom (default: the base map's)", "Z" },
    { "estimate", 0, 0, G_OPTION_ARG_NONE, &estimate_only,
      "Only print the estimated size; download nothing", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the result as JSON", NULL },
    { "page-size", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &page,
      "Features per request (default 500)", "N" },
    { "tile-batch", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &tile_batch,
      "Tiles per MBTiles transaction (default 64)", "N" },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
    "Download the layers clipped to an area and a base map for it, to work offline.\n"
    "An interrupted download continues with --resume and never duplicates a feature.");
  g_option_context_add_main_entries (context, entries, NULL);
  if ((code = ld_cli_parse (context, &argc, &argv)) >= 0)
    return code;
  if (server == NULL || user == NULL || password_file == NULL)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "offline-area: --server URL, --user LOGIN and"
                        " --password-file FILE are required");
  if (!g_str_has_prefix (server, "http://") && !g_str_has_prefix (server, "https://"))
    return ld_cli_fail (LD_CLI_EXIT_USAGE,
                        "offline-area: --server '%s' must start with http:// or https://", server);
  if ((bbox != NULL) + (polygon != NULL) + resume != 1)
    return ld_cli_fail (LD_CLI_EXIT_USAGE,
                        "offline-area: give exactly one of --bbox, --polygon and --resume");
  if (store_path == NULL && !estimate_only)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "offline-area: --store FILE is required");
  if ((min_zoom < 0) != (max_zoom < 0))
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "offline-area: --min-zoom and --max-zoom go together");
  password = ld_cli_read_password_file (password_file, &error);
  if (password == NULL)
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "offline-area: %s", error->message);

  area = ld_offline_area_new (server);
  ld_offline_area_set_credentials (area, user, password);
  if (page > 0 || tile_batch > 0)
    ld_offline_area_set_page_size (area, page > 0 ? (guint) page : 500,
                                   tile_batch > 0 ? (guint) tile_batch : 64);
  if (resume)
    {
      store = ld_store_open (store_path, &error);
      if (store == NULL || !ld_offline_area_load_pending (area, store, &error))
        return ld_cli_fail (LD_CLI_EXIT_FAILURE, "offline-area: %s", error->message);
    }
  else
    {
      LdLonLatBox box;

      if (bbox != NULL && (!parse_bbox (bbox, &box, &error)
                           || !ld_offline_area_set_lonlat_box (area, &box, &error)))
        return ld_cli_fail (LD_CLI_EXIT_USAGE, "offline-area: %s", error->message);
      if (polygon != NULL && !ld_offline_area_set_polygon_file (area, polygon, &error))
        return ld_cli_fail (LD_CLI_EXIT_USAGE, "offline-area: %s", error->message);
      if (min_zoom >= 0)
        ld_offline_area_set_zooms (area, min_zoom, max_zoom);
      if (!ld_offline_area_estimate (area, &est, NULL, &error))
        return ld_cli_fail (g_error_matches (error, LD_OFFLINE_AREA_ERROR,
                                             LD_OFFLINE_AREA_ERROR_INPUT)
                            ? LD_CLI_EXIT_USAGE : LD_CLI_EXIT_FAILURE,
                            "offline-area: %s", error->message);
      if (estimate_only)
        {
          print_estimate (&est, area, est.basemap_max_zoom < 0 ? -1
                                      : (min_zoom >= 0 ? min_zoom : est.basemap_min_zoom),
                          est.basemap_max_zoom < 0 ? -1
                          : (max_zoom >= 0 ? max_zoom : est.basemap_max_zoom), json);
          return LD_CLI_EXIT_OK;
        }
      store = ld_cli_open_store (store_path, &error);
      if (store == NULL)
        return ld_cli_fail (LD_CLI_EXIT_FAILURE, "offline-area: %s", error->message);
    }
  if (!ld_offline_area_download (area, store, progress_cb, NULL, NULL, &error))
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "offline-area: %s", error->message);
  print_result (area, store, store_path, json);
  return LD_CLI_EXIT_OK;
}
