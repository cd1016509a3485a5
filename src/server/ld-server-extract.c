/* ld-server-extract.c: what an offline area needs: estimate, layer pages and base-map tiles
 *
 * GET /api/v1/extract?bbox=MINX,MINY,MAXX,MAXY&lonlat=W,S,E,N&min_zoom=Z&max_zoom=Z
 *   the estimate: per layer the features whose envelope meets bbox (EPSG:4525) and their
 *   bytes, its fields; the base-map tiles of the lon/lat box at those zooms (count, bytes).
 * GET /api/v1/extract/LAYER?bbox=...&after=FID&limit=N
 *   one page of those features, ordered by fid, geometry as base64 WKB in EPSG:4525 (the
 *   storage CRS: no reprojection, no rounding), every attribute. Keyset paging on fid is
 *   stable while the client resumes, unlike OGC offsets.
 * GET /api/v1/tiles            the base map's metadata (zooms, bounds, format)
 * GET /api/v1/tiles/Z/X/Y      one XYZ tile, with an ETag (If-None-Match answers 304)
 *
 * Both read SQLite directly (DIR/layers.gpkg and --basemap FILE), one read-only connection
 * per worker: the R-tree join is the whole query. Any signed-in user may read, as for /ogc.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <sqlite3.h>

#include "ld-core.h"
#include "ld-offline-area.h"
#include "ld-server-log.h"
#include "ld-server-private.h"

#define DEFAULT_PAGE 500
#define MAX_PAGE     5000

typedef struct
{
  sqlite3 *layers;
  sqlite3 *basemap;
} LdServerExtract;

void
ld_server_extract_free (gpointer data)
{
  LdServerExtract *ex = data;

  sqlite3_close (ex->layers);
  sqlite3_close (ex->basemap);
  g_free (ex);
}

static sqlite3 *
open_readonly (const char *path)
{
  sqlite3 *db = NULL;

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return NULL;
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      ld_server_log ("extract: cannot open %s: %s", path, db ? sqlite3_errmsg (db) : "no memory");
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 5000);
  return db;
}

static LdServerExtract *
get_extract (LdServer *self)
{
  LdServerExtract *ex = self->extract;

  if (ex == NULL)
    {
      ex = g_new0 (LdServerExtract, 1);
      self->extract = ex;
    }
  if (ex->layers == NULL)
    ex->layers = open_readonly (self->layers_path);
  if (ex->basemap == NULL)
    ex->basemap = open_readonly (self->basemap_path);
  return ex;
}

/* A layer of the offline set that the layers file holds, with its geometry column. */
static char *
layer_geometry_column (sqlite3    *db,
                       const char *layer)
{
  sqlite3_stmt *stmt = NULL;
  char *column = NULL;

  if (db == NULL || !ld_offline_area_is_layer (layer))
    return NULL;
  if (sqlite3_prepare_v2 (db, "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?",
                          -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (stmt, 1, layer, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    column = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return column;
}

static gboolean
parse_box (SoupServerMessage *msg,
           GHashTable        *query,
           const char        *name,
           gboolean           required,
           double             v[4],
           gboolean          *present)
{
  const char *text = query ? g_hash_table_lookup (query, name) : NULL;
  g_auto(GStrv) parts = NULL;

  *present = text != NULL;
  if (text == NULL)
    {
      if (required)
        ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                              "Parameter %s=MINX,MINY,MAXX,MAXY is required", name);
      return !required;
    }
  parts = g_strsplit (text, ",", -1);
  if (g_strv_length (parts) != 4)
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                            "Parameter %s='%s' must be four numbers: MINX,MINY,MAXX,MAXY",
                            name, text);
      return FALSE;
    }
  for (int i = 0; i < 4; i++)
    {
      char *end;

      v[i] = g_ascii_strtod (parts[i], &end);
      if (end == parts[i] || *end != '\0' || !isfinite (v[i]))
        {
          ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                                "Parameter %s='%s': '%s' is not a number", name, text, parts[i]);
          return FALSE;
        }
    }
  if (v[0] >= v[2] || v[1] >= v[3])
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                            "Parameter %s='%s' is empty: each minimum must be below its maximum",
                            name, text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_int (SoupServerMessage *msg,
           GHashTable        *query,
           const char        *name,
           gint64             min,
           gint64             max,
           gint64             fallback,
           gint64            *out)
{
  const char *text = query ? g_hash_table_lookup (query, name) : NULL;

  *out = fallback;
  if (text != NULL && !g_ascii_string_to_signed (text, 10, min, max, out, NULL))
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                            "Parameter %s='%s' must be a whole number from %" G_GINT64_FORMAT
                            " to %" G_GINT64_FORMAT, name, text, min, max);
      return FALSE;
    }
  return TRUE;
}

/* The base map's zoom range from its tiles (metadata may be missing or wrong). */
static gboolean
basemap_zooms (sqlite3 *db,
               int     *min_zoom,
               int     *max_zoom)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;

  if (db == NULL || sqlite3_prepare_v2 (db, "SELECT min(zoom_level), max(zoom_level) FROM tiles",
                                        -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    {
      *min_zoom = sqlite3_column_int (stmt, 0);
      *max_zoom = sqlite3_column_int (stmt, 1);
      ok = TRUE;
    }
  sqlite3_finalize (stmt);
  return ok;
}

static void
add_fields (JsonBuilder *b,
            sqlite3     *db,
            const char  *layer,
            const char  *geom_column)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA table_info(\"%s\")", layer);
  sqlite3_stmt *stmt = NULL;

  json_builder_set_member_name (b, "fields");
  json_builder_begin_array (b);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK)
    while (sqlite3_step (stmt) == SQLITE_ROW)
      {
        const char *name = (const char *) sqlite3_column_text (stmt, 1);
        const char *type = (const char *) sqlite3_column_text (stmt, 2);

        if (sqlite3_column_int (stmt, 5) != 0 || g_str_equal (name, geom_column))
          continue;   /* the primary key (fid) and the geometry travel apart */
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "name");
        json_builder_add_string_value (b, name);
        json_builder_set_member_name (b, "type");
        json_builder_add_string_value (b, type ? type : "TEXT");
        json_builder_end_object (b);
      }
  sqlite3_finalize (stmt);
  json_builder_end_array (b);
}

static gboolean
estimate_layer (JsonBuilder  *b,
                sqlite3      *db,
                const char   *layer,
                const double  box[4])
{
  g_autofree char *geom = layer_geometry_column (db, layer);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 count = 0, bytes = 0;

  if (geom == NULL)
    return FALSE;
  /* Bytes: the WKB as base64 plus the attributes as text, what a page carries. */
  sql = g_strdup_printf ("SELECT count(*), coalesce(sum(length(t.\"%s\")), 0) FROM \"%s\" t"
                         " JOIN \"rtree_%s_%s\" r ON r.id = t.fid"
                         " WHERE r.maxx >= ?1 AND r.minx <= ?3 AND r.maxy >= ?2 AND r.miny <= ?4",
                         geom, layer, layer, geom);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  for (int i = 0; i < 4; i++)
    sqlite3_bind_double (stmt, i + 1, box[i]);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      count = sqlite3_column_int64 (stmt, 0);
      bytes = sqlite3_column_int64 (stmt, 1) * 4 / 3 + count * 160;
    }
  sqlite3_finalize (stmt);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, layer);
  json_builder_set_member_name (b, "features");
  json_builder_add_int_value (b, count);
  json_builder_set_member_name (b, "bytes");
  json_builder_add_int_value (b, bytes);
  add_fields (b, db, layer, geom);
  json_builder_end_object (b);
  return TRUE;
}

static void
estimate_tiles (JsonBuilder       *b,
                sqlite3           *db,
                const LdLonLatBox *lonlat,
                int                min_zoom,
                int                max_zoom)
{
  sqlite3_stmt *stmt = NULL;
  gint64 positions = 0, count = 0, bytes = 0;

  sqlite3_prepare_v2 (db, "SELECT count(*), coalesce(sum(length(tile_data)), 0) FROM tiles"
                          " WHERE zoom_level = ? AND tile_column BETWEEN ? AND ?"
                          " AND tile_row BETWEEN ? AND ?", -1, &stmt, NULL);
  for (int z = min_zoom; z <= max_zoom; z++)
    {
      int x0, y0, x1, y1, last = (1 << z) - 1;

      ld_geo_tile_range (lonlat, z, &x0, &y0, &x1, &y1);
      positions += (gint64) (x1 - x0 + 1) * (y1 - y0 + 1);
      sqlite3_reset (stmt);
      sqlite3_bind_int (stmt, 1, z);
      sqlite3_bind_int (stmt, 2, x0);
      sqlite3_bind_int (stmt, 3, x1);
      sqlite3_bind_int (stmt, 4, last - y1);   /* MBTiles rows count from the south */
      sqlite3_bind_int (stmt, 5, last - y0);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          count += sqlite3_column_int64 (stmt, 0);
          bytes += sqlite3_column_int64 (stmt, 1);
        }
    }
  sqlite3_finalize (stmt);
  json_builder_set_member_name (b, "tiles");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "min_zoom");
  json_builder_add_int_value (b, min_zoom);
  json_builder_set_member_name (b, "max_zoom");
  json_builder_add_int_value (b, max_zoom);
  json_builder_set_member_name (b, "positions");
  json_builder_add_int_value (b, positions);
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, count);
  json_builder_set_member_name (b, "bytes");
  json_builder_add_int_value (b, bytes);
  json_builder_end_object (b);
}

static void
handle_estimate (LdServerExtract   *ex,
                 SoupServerMessage *msg,
                 GHashTable        *query)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GError) error = NULL;
  double box[4], ll[4];
  gboolean has_box, has_ll;
  gint64 min_zoom, max_zoom;
  int bm_min = 0, bm_max = -1;
  gboolean has_basemap = basemap_zooms (ex->basemap, &bm_min, &bm_max);

  if (!parse_box (msg, query, "bbox", TRUE, box, &has_box)
      || !parse_box (msg, query, "lonlat", FALSE, ll, &has_ll)
      || !parse_int (msg, query, "min_zoom", 0, LD_OFFLINE_AREA_MAX_ZOOM, bm_min, &min_zoom)
      || !parse_int (msg, query, "max_zoom", 0, LD_OFFLINE_AREA_MAX_ZOOM, bm_max, &max_zoom))
    return;
  if (!ld_offline_area_check_box (box, &error))
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST, "%s", error->message);
      return;
    }
  if (has_ll && has_basemap
      && !ld_offline_area_check_zooms ((int) min_zoom, (int) max_zoom, bm_min, bm_max, &error))
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST, "%s", error->message);
      return;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "layers");
  json_builder_begin_array (b);
  for (const char * const *l = ld_offline_area_layers (); *l != NULL; l++)
    estimate_layer (b, ex->layers, *l, box);
  json_builder_end_array (b);
  if (has_basemap)
    {
      json_builder_set_member_name (b, "basemap");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "min_zoom");
      json_builder_add_int_value (b, bm_min);
      json_builder_set_member_name (b, "max_zoom");
      json_builder_add_int_value (b, bm_max);
      json_builder_end_object (b);
    }
  if (has_ll && has_basemap)
    {
      LdLonLatBox lonlat = { ll[0], ll[1], ll[2], ll[3] };

      if (!ld_offline_area_check_tiles (&lonlat, (int) min_zoom, (int) max_zoom, &error))
        {
          ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST, "%s", error->message);
          return;
        }
      estimate_tiles (b, ex->basemap, &lonlat, (int) min_zoom, (int) max_zoom);
    }
  json_builder_end_object (b);
  ld_server_send_json (msg, SOUP_STATUS_OK, b);
}

static void
add_column (JsonBuilder  *b,
            sqlite3_stmt *stmt,
            int           i)
{
  json_builder_set_member_name (b, sqlite3_column_name (stmt, i));
  switch (sqlite3_column_type (stmt, i))
    {
    case SQLITE_INTEGER:
      json_builder_add_int_value (b, sqlite3_column_int64 (stmt, i));
      break;
    case SQLITE_FLOAT:
      json_builder_add_double_value (b, sqlite3_column_double (stmt, i));
      break;
    case SQLITE_NULL:
      json_builder_add_null_value (b);
      break;
    default:
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, i));
      break;
    }
}

static void
handle_page (LdServerExtract   *ex,
             SoupServerMessage *msg,
             GHashTable        *query,
             const char        *layer)
{
  g_autofree char *geom = layer_geometry_column (ex->layers, layer);
  g_autofree char *sql = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = NULL;
  double box[4];
  gboolean has_box;
  gint64 after, limit, last = -1;
  guint n = 0;

  if (geom == NULL)
    {
      ld_server_send_error (msg, SOUP_STATUS_NOT_FOUND, "No offline layer '%s' on this server",
                            layer);
      return;
    }
  if (!parse_box (msg, query, "bbox", TRUE, box, &has_box)
      || !parse_int (msg, query, "after", -1, G_MAXINT64, -1, &after)
      || !parse_int (msg, query, "limit", 1, MAX_PAGE, DEFAULT_PAGE, &limit))
    return;
  if (!ld_offline_area_check_box (box, &error))
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST, "%s", error->message);
      return;
    }
  sql = g_strdup_printf ("SELECT t.* FROM \"%s\" t JOIN \"rtree_%s_%s\" r ON r.id = t.fid"
                         " WHERE r.maxx >= ?1 AND r.minx <= ?3 AND r.maxy >= ?2 AND r.miny <= ?4"
                         " AND t.fid > ?5 ORDER BY t.fid LIMIT ?6", layer, layer, geom);
  if (sqlite3_prepare_v2 (ex->layers, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      ld_server_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "Layer %s cannot be read: %s",
                            layer, sqlite3_errmsg (ex->layers));
      return;
    }
  for (int i = 0; i < 4; i++)
    sqlite3_bind_double (stmt, i + 1, box[i]);
  sqlite3_bind_int64 (stmt, 5, after);
  sqlite3_bind_int64 (stmt, 6, limit);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "features");
  json_builder_begin_array (b);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "properties");
      json_builder_begin_object (b);
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        {
          const char *name = sqlite3_column_name (stmt, i);

          if (g_str_equal (name, "fid"))
            last = sqlite3_column_int64 (stmt, i);
          else if (g_str_equal (name, geom))
            continue;
          else
            add_column (b, stmt, i);
        }
      json_builder_end_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, last);
      json_builder_set_member_name (b, "wkb");
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        if (g_str_equal (sqlite3_column_name (stmt, i), geom))
          {
            LdGpkgHeader header;
            const guint8 *blob = sqlite3_column_blob (stmt, i);
            int len = sqlite3_column_bytes (stmt, i);

            if (blob != NULL && ld_gpkg_geom_parse_header (blob, (gsize) len, &header, NULL)
                && !header.empty)
              {
                g_autofree char *text = g_base64_encode (header.wkb, header.wkb_length);

                json_builder_add_string_value (b, text);
              }
            else
              json_builder_add_null_value (b);
          }
      json_builder_end_object (b);
      n++;
    }
  sqlite3_finalize (stmt);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "next");
  if (n == limit)
    json_builder_add_int_value (b, last);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  ld_server_send_json (msg, SOUP_STATUS_OK, b);
}

static void
handle_extract (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  LdServer *self = user_data;
  g_autoptr(LdServerUser) user = ld_server_authenticate (self, msg);
  LdServerExtract *ex;
  const char *rest = path + strlen ("/api/v1/extract");

  if (user == NULL)
    return;
  if (!ld_server_method_is (msg, SOUP_METHOD_GET))
    {
      ld_server_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "%s answers GET only", path);
      return;
    }
  ex = get_extract (self);
  if (ex->layers == NULL)
    {
      ld_server_send_error (msg, SOUP_STATUS_NOT_FOUND,
                            "This server has no layers (start it once with --init-demo)");
      return;
    }
  if (*rest == '\0' || g_str_equal (rest, "/"))
    handle_estimate (ex, msg, query);
  else if (rest[0] == '/' && strchr (rest + 1, '/') == NULL)
    handle_page (ex, msg, query, rest + 1);
  else
    ld_server_send_error (msg, SOUP_STATUS_NOT_FOUND, "No resource at %s", path);
}

static void
send_tile (LdServerExtract   *ex,
           SoupServerMessage *msg,
           int                z,
           int                x,
           int                y)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *resp = soup_server_message_get_response_headers (msg);
  const char *if_none = soup_message_headers_get_one (req, "If-None-Match");
  sqlite3_stmt *stmt = NULL;
  g_autofree char *etag = NULL;
  const void *data;
  int len;

  sqlite3_prepare_v2 (ex->basemap, "SELECT tile_data FROM tiles WHERE zoom_level = ?"
                                   " AND tile_column = ? AND tile_row = ?", -1, &stmt, NULL);
  sqlite3_bind_int (stmt, 1, z);
  sqlite3_bind_int (stmt, 2, x);
  sqlite3_bind_int (stmt, 3, (1 << z) - 1 - y);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_finalize (stmt);
      ld_server_send_error (msg, SOUP_STATUS_NOT_FOUND, "The base map has no tile %d/%d/%d",
                            z, x, y);
      return;
    }
  data = sqlite3_column_blob (stmt, 0);
  len = sqlite3_column_bytes (stmt, 0);
  {
    g_autofree char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA1, data, (gsize) len);

    etag = g_strdup_printf ("\"%s\"", sum);
  }
  soup_message_headers_replace (resp, "ETag", etag);
  soup_message_headers_replace (resp, "Cache-Control", "private, max-age=86400");
  if (if_none != NULL && g_str_equal (if_none, etag))
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
  else
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, len >= 4 && memcmp (data, "\x89PNG", 4) == 0
                                             ? "image/png" : "application/octet-stream",
                                        SOUP_MEMORY_COPY, data, (gsize) len);
    }
  sqlite3_finalize (stmt);
}

static void
send_tiles_metadata (LdServerExtract   *ex,
                     SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  int min_zoom = 0, max_zoom = -1;

  basemap_zooms (ex->basemap, &min_zoom, &max_zoom);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "min_zoom");
  json_builder_add_int_value (b, min_zoom);
  json_builder_set_member_name (b, "max_zoom");
  json_builder_add_int_value (b, max_zoom);
  {
    sqlite3_stmt *stmt = NULL;

    if (sqlite3_prepare_v2 (ex->basemap, "SELECT name, value FROM metadata", -1, &stmt, NULL)
        == SQLITE_OK)
      {
        json_builder_set_member_name (b, "metadata");
        json_builder_begin_object (b);
        while (sqlite3_step (stmt) == SQLITE_ROW)
          {
            json_builder_set_member_name (b, (const char *) sqlite3_column_text (stmt, 0));
            json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, 1));
          }
        json_builder_end_object (b);
      }
    sqlite3_finalize (stmt);
  }
  json_builder_end_object (b);
  ld_server_send_json (msg, SOUP_STATUS_OK, b);
}

static void
handle_tiles (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  LdServer *self = user_data;
  g_autoptr(LdServerUser) user = ld_server_authenticate (self, msg);
  const char *rest = path + strlen ("/api/v1/tiles");
  g_auto(GStrv) parts = NULL;
  LdServerExtract *ex;
  gint64 zxy[3];

  if (user == NULL)
    return;
  if (!ld_server_method_is (msg, SOUP_METHOD_GET) && !ld_server_method_is (msg, SOUP_METHOD_HEAD))
    {
      ld_server_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "%s answers GET only", path);
      return;
    }
  ex = get_extract (self);
  if (ex->basemap == NULL)
    {
      ld_server_send_error (msg, SOUP_STATUS_NOT_FOUND,
                            "This server has no base map (start it with --basemap FILE.mbtiles)");
      return;
    }
  if (*rest == '\0' || g_str_equal (rest, "/"))
    {
      send_tiles_metadata (ex, msg);
      return;
    }
  parts = g_strsplit (rest + 1, "/", -1);
  if (g_strv_length (parts) != 3
      || !g_ascii_string_to_signed (parts[0], 10, 0, LD_OFFLINE_AREA_MAX_ZOOM, &zxy[0], NULL)
      || !g_ascii_string_to_signed (parts[1], 10, 0, (1 << zxy[0]) - 1, &zxy[1], NULL)
      || !g_ascii_string_to_signed (parts[2], 10, 0, (1 << zxy[0]) - 1, &zxy[2], NULL))
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                            "%s: a tile is /api/v1/tiles/Z/X/Y, zoom 0-%d, X and Y 0 to 2^Z-1",
                            path, LD_OFFLINE_AREA_MAX_ZOOM);
      return;
    }
  send_tile (ex, msg, (int) zxy[0], (int) zxy[1], (int) zxy[2]);
}

void
ld_server_extract_register (LdServer *self)
{
  ld_server_route (self, "/api/v1/extract", handle_extract);
  ld_server_route (self, "/api/v1/tiles", handle_tiles);
}

gboolean
ld_server_set_basemap (LdServer    *self,
                       const char  *path,
                       GError     **error)
{
  g_autoptr(LdMbtiles) mbtiles = NULL;

  g_return_val_if_fail (LD_IS_SERVER (self), FALSE);

  mbtiles = ld_mbtiles_open (path, error);
  if (mbtiles == NULL)
    return FALSE;
  g_free (self->basemap_path);
  self->basemap_path = g_strdup (path);
  if (self->extract != NULL)
    g_clear_pointer (&((LdServerExtract *) self->extract)->basemap, sqlite3_close);
  return TRUE;
}
