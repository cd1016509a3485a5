/* ld-offline-area.c: download the layers and the base map of an area, for work offline
 *
 * An area is a polygon in EPSG:4525 (drawn on the map in lon/lat, or read from a red-line
 * file). The job asks the server for an estimate (/api/v1/extract), then pages through each
 * layer's features whose envelope meets the area's box (/api/v1/extract/LAYER, keyset on
 * fid) and clips them to the polygon with GEOS, attributes kept, and fetches the base map's
 * tiles over the box (/api/v1/tiles/Z/X/Y) into STORE-offline.mbtiles beside the store.
 *
 * Resumable: the job (area, zooms, per-layer cursor, tiles done, totals) is a row of
 * offline_areas / offline_area_layers in the store. A page of features and its cursor are one
 * transaction, so a page is never applied twice. Tiles go in batches: the MBTiles commit comes
 * before the store's tile cursor, and a tile written twice replaces itself (primary key).
 *
 * A download replaces what the store holds inside the area, feature by feature, keyed by the
 * server's fid: a stored feature keeps its part outside the area (from an earlier, overlapping
 * area) and takes the server's current part inside it, so an area downloaded twice, or two
 * overlapping areas, leave one row per feature holding the server's feature inside the union of
 * the areas. The fids the server sent are kept while the job runs (offline_area_fids); when a
 * layer ends, a stored feature in the area the server no longer has loses its part inside the
 * area (the row goes when nothing is left).
 *
 * Layer rows are reference data from the server: no outbox op (the same as a pulled page).
 *
 * This file holds the object, the area and the job; the requests are in
 * ld-offline-area-http.c, the layer tables in ld-offline-area-features.c and the base map in
 * ld-offline-area-tiles.c (ld-offline-area-private.h says what they share).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ld-gk.h"
#include "ld-offline-area-private.h"
#include "ld-redline.h"

#define DEFAULT_FEATURE_PAGE 500
#define DEFAULT_TILE_BATCH   64

G_DEFINE_FINAL_TYPE (LdOfflineArea, ld_offline_area, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-offline-area-error-quark, ld_offline_area_error)

static const char * const offline_layers[] = {
  "xz_dltb", "gh_ydyh", "sx_yjjbnt", "sx_stbhhx", "sx_czkfbj", NULL
};

/* ---- helpers ---------------------------------------------------------------------------- */

static void
layer_info_free (gpointer data)
{
  LayerInfo *info = data;

  g_free (info->name);
  g_clear_pointer (&info->fields, json_array_unref);
  g_free (info);
}

static GEOSGeometry *
ring_polygon (GEOSContextHandle_t  geos,
              const double        *xy,
              guint                n)
{
  GEOSCoordSequence *seq = GEOSCoordSeq_create_r (geos, n + 1, 2);
  GEOSGeometry *ring;

  for (guint i = 0; i <= n; i++)
    GEOSCoordSeq_setXY_r (geos, seq, i, xy[2 * (i % n)], xy[2 * (i % n) + 1]);
  ring = GEOSGeom_createLinearRing_r (geos, seq);
  return ring ? GEOSGeom_createPolygon_r (geos, ring, NULL, 0) : NULL;
}

static void
clear_area (LdOfflineArea *self)
{
  if (self->prepared != NULL)
    GEOSPreparedGeom_destroy_r (self->geos, self->prepared);
  self->prepared = NULL;
  if (self->area != NULL)
    GEOSGeom_destroy_r (self->geos, self->area);
  self->area = NULL;
}

/* Takes @geom (EPSG:4525), checks it and derives the boxes. */
static gboolean
take_area (LdOfflineArea  *self,
           GEOSGeometry   *geom,
           LdGk           *gk,
           GError        **error)
{
  double area = 0, minx, miny, maxx, maxy;
  const GEOSGeometry *shell;
  const GEOSCoordSequence *seq;
  LdLonLatBox ll = { 180, 90, -180, -90 };

  if (geom == NULL || GEOSisEmpty_r (self->geos, geom) || GEOSArea_r (self->geos, geom, &area) != 1
      || area <= 0)
    {
      if (geom != NULL)
        GEOSGeom_destroy_r (self->geos, geom);
      g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_INPUT,
                   "the area is empty: draw or give a polygon with an inside");
      return FALSE;
    }
  if (GEOSisValid_r (self->geos, geom) != 1)
    {
      GEOSGeometry *fixed = GEOSMakeValid_r (self->geos, geom);

      GEOSGeom_destroy_r (self->geos, geom);
      geom = fixed;
      if (geom == NULL)
        {
          g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_INPUT,
                       "the area's outline crosses itself and cannot be repaired");
          return FALSE;
        }
    }
  GEOSGeom_getXMin_r (self->geos, geom, &minx);
  GEOSGeom_getYMin_r (self->geos, geom, &miny);
  GEOSGeom_getXMax_r (self->geos, geom, &maxx);
  GEOSGeom_getYMax_r (self->geos, geom, &maxy);
  {
    double box[4] = { minx, miny, maxx, maxy };

    if (!ld_offline_area_check_box (box, error))
      {
        GEOSGeom_destroy_r (self->geos, geom);
        return FALSE;
      }
  }
  /* The lon/lat box for the tiles: every vertex of every outer ring. */
  for (int p = 0; p < GEOSGetNumGeometries_r (self->geos, geom); p++)
    {
      const GEOSGeometry *part = GEOSGetGeometryN_r (self->geos, geom, p);
      guint n = 0;

      if (GEOSGeomTypeId_r (self->geos, part) != GEOS_POLYGON)
        continue;
      shell = GEOSGetExteriorRing_r (self->geos, part);
      seq = GEOSGeom_getCoordSeq_r (self->geos, shell);
      GEOSCoordSeq_getSize_r (self->geos, seq, &n);
      for (guint i = 0; i < n; i++)
        {
          double x, y, lon, lat;

          GEOSCoordSeq_getXY_r (self->geos, seq, i, &x, &y);
          if (!ld_gk_to_lonlat (gk, y, x, &lon, &lat))
            continue;
          ll.west = MIN (ll.west, lon);
          ll.east = MAX (ll.east, lon);
          ll.south = MIN (ll.south, lat);
          ll.north = MAX (ll.north, lat);
        }
    }
  clear_area (self);
  self->area = geom;
  self->prepared = GEOSPrepare_r (self->geos, geom);
  self->box[0] = minx;
  self->box[1] = miny;
  self->box[2] = maxx;
  self->box[3] = maxy;
  self->lonlat = ll;
  self->estimated = FALSE;
  return TRUE;
}

/* ---- the job ------------------------------------------------------------------------------ */

static gboolean
read_progress (LdOfflineArea         *self,
               LdStore               *store,
               LdOfflineAreaProgress *out)
{
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  LdOfflineAreaProgress p = { .layer = out->layer };

  stmt = ld_store_prepare (store,
                           "SELECT a.features_total, a.tiles_total, a.bytes_total, a.tiles_done,"
                           " a.bytes_done, (SELECT coalesce(sum(fetched), 0)"
                           " FROM offline_area_layers WHERE area_id = a.id)"
                           " FROM offline_areas a WHERE a.id = ?", NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, self->job);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return FALSE;
  p.features_total = sqlite3_column_int64 (stmt, 0);
  p.tiles_total = sqlite3_column_int64 (stmt, 1);
  p.bytes_total = sqlite3_column_int64 (stmt, 2);
  p.tiles_done = sqlite3_column_int64 (stmt, 3);
  p.bytes_done = sqlite3_column_int64 (stmt, 4);
  p.features_done = sqlite3_column_int64 (stmt, 5);
  *out = p;
  return TRUE;
}

void
ld_offline_area_report (LdOfflineArea             *self,
                        LdStore                   *store,
                        const char                *layer,
                        LdOfflineAreaProgressFunc  progress,
                        gpointer                   user_data)
{
  LdOfflineAreaProgress p = { .layer = layer };

  if (self->page_delay_ms > 0)
    g_usleep (self->page_delay_ms * 1000);
  if (progress != NULL && read_progress (self, store, &p))
    progress (&p, user_data);
}

static gboolean
create_job (LdOfflineArea  *self,
            LdStore        *store,
            GError        **error)
{
  g_autoptr(GError) local = NULL;
  g_auto(sqlite3_stmt_ptr) job = NULL;
  g_auto(sqlite3_stmt_ptr) layer = NULL;
  g_autoptr(GBytes) wkb = ld_offline_area_dup_wkb (self);
  g_autofree char *now = ld_store_now ();

  if (!ld_store_begin (store, &local))
    return ld_offline_area_store_error (store, error, g_steal_pointer (&local));
  job = ld_store_prepare (store,
                          "INSERT INTO offline_areas (created_at, server, area, west, south, east,"
                          " north, min_zoom, max_zoom, features_total, tiles_total, bytes_total)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &local);
  layer = job ? ld_store_prepare (store, "INSERT INTO offline_area_layers (area_id, layer)"
                                         " VALUES (?, ?)", &local) : NULL;
  if (layer == NULL)
    goto fail;
  ld_store_bind_text (job, 1, now);
  ld_store_bind_text (job, 2, self->server_url);
  sqlite3_bind_blob (job, 3, g_bytes_get_data (wkb, NULL), (int) g_bytes_get_size (wkb),
                     SQLITE_STATIC);
  sqlite3_bind_double (job, 4, self->lonlat.west);
  sqlite3_bind_double (job, 5, self->lonlat.south);
  sqlite3_bind_double (job, 6, self->lonlat.east);
  sqlite3_bind_double (job, 7, self->lonlat.north);
  sqlite3_bind_int (job, 8, self->min_zoom);
  sqlite3_bind_int (job, 9, self->max_zoom);
  sqlite3_bind_int64 (job, 10, self->estimate.features);
  sqlite3_bind_int64 (job, 11, self->max_zoom >= 0 ? self->estimate.tile_positions : 0);
  sqlite3_bind_int64 (job, 12, self->estimate.feature_bytes + self->estimate.tile_bytes);
  if (!ld_store_step_done (store, job, &local))
    goto fail;
  self->job = sqlite3_last_insert_rowid (store->db);
  for (guint i = 0; i < self->layers->len; i++)
    {
      LayerInfo *info = self->layers->pdata[i];

      if (!ld_offline_area_table_exists (store, info->name)
          && !ld_offline_area_create_layer_table (store, info, &local))
        goto fail;
      sqlite3_reset (layer);
      sqlite3_bind_int64 (layer, 1, self->job);
      ld_store_bind_text (layer, 2, info->name);
      if (!ld_store_step_done (store, layer, &local))
        goto fail;
    }
  if (!ld_store_commit (store, &local))
    goto fail;
  return TRUE;

fail:
  ld_store_rollback (store);
  self->job = 0;
  return ld_offline_area_store_error (store, error, g_steal_pointer (&local));
}

/* One page of a layer: fetched, clipped, written with its cursor in one transaction. Returns
 * FALSE on error; *@more says whether the layer has further pages. */
static gboolean
download_page (LdOfflineArea  *self,
               LdStore        *store,
               const char     *layer,
               gint64         *cursor,
               gboolean       *more,
               GCancellable   *cancellable,
               GError        **error)
{
  g_autofree char *box = ld_offline_area_feature_box_param (self);
  g_autofree char *path = g_strdup_printf ("/api/v1/extract/%s?bbox=%s&after=%" G_GINT64_FORMAT
                                           "&limit=%u", layer, box, *cursor, self->feature_page);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local = NULL;
  g_auto(sqlite3_stmt_ptr) update = NULL;
  g_auto(sqlite3_stmt_ptr) seen = NULL;
  LayerWriter w = { 0 };
  JsonObject *o;
  JsonArray *features;
  JsonNode *next;
  gint64 kept_n = 0, bytes = 0;
  guint n;

  root = ld_offline_area_get_json (self, path, cancellable, error);
  if (root == NULL)
    return FALSE;
  o = json_node_get_object (root);
  features = json_object_get_array_member (o, "features");
  next = json_object_get_member (o, "next");
  if (features == NULL || next == NULL)
    {
      g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_PROTOCOL,
                   "the server's page of %s has no features or no next cursor", layer);
      return FALSE;
    }
  n = json_array_get_length (features);
  if (!ld_store_begin (store, &local))
    return ld_offline_area_store_error (store, error, g_steal_pointer (&local));
  if (!ld_offline_area_layer_writer_init (&w, store, layer, &local))
    goto fail;
  seen = ld_store_prepare (store, "INSERT OR IGNORE INTO offline_area_fids (area_id, layer, fid)"
                                 " VALUES (?, ?, ?)", &local);
  if (seen == NULL)
    goto fail;
  for (guint i = 0; i < n; i++)
    {
      JsonObject *f = json_array_get_object_element (features, i);
      const char *wkb = f ? json_object_get_string_member_with_default (f, "wkb", NULL) : NULL;
      gboolean kept;

      if (f != NULL)
        {
          sqlite3_reset (seen);
          sqlite3_bind_int64 (seen, 1, self->job);
          ld_store_bind_text (seen, 2, layer);
          sqlite3_bind_int64 (seen, 3, json_object_get_int_member_with_default (f, "id", -1));
          if (!ld_store_step_done (store, seen, &local))
            goto fail;
        }

      if (f == NULL || !ld_offline_area_write_feature (self, store, &w, f, &kept, &local))
        {
          if (local == NULL)
            g_set_error (&local, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_PROTOCOL,
                         "layer %s: a feature of the page is not an object", layer);
          goto fail;
        }
      kept_n += kept;
      bytes += (wkb ? (gint64) strlen (wkb) : 0) + 160;
    }
  *more = !JSON_NODE_HOLDS_NULL (next);
  *cursor = *more ? json_node_get_int (next) : *cursor;
  if (!*more && !ld_offline_area_remove_vanished (self, store, layer, &local))
    goto fail;
  update = ld_store_prepare (store,
                             "UPDATE offline_area_layers SET after_fid = ?, done = ?,"
                             " fetched = fetched + ?, kept = kept + ? WHERE area_id = ? AND layer = ?",
                             &local);
  if (update == NULL)
    goto fail;
  sqlite3_bind_int64 (update, 1, *cursor);
  sqlite3_bind_int (update, 2, !*more);
  sqlite3_bind_int64 (update, 3, n);
  sqlite3_bind_int64 (update, 4, kept_n);
  sqlite3_bind_int64 (update, 5, self->job);
  ld_store_bind_text (update, 6, layer);
  if (!ld_store_step_done (store, update, &local))
    goto fail;
  g_clear_pointer (&update, sqlite3_finalize);
  update = ld_store_prepare (store, "UPDATE offline_areas SET bytes_done = bytes_done + ?"
                                    " WHERE id = ?", &local);
  if (update == NULL)
    goto fail;
  sqlite3_bind_int64 (update, 1, bytes);
  sqlite3_bind_int64 (update, 2, self->job);
  if (!ld_store_step_done (store, update, &local) || !ld_store_commit (store, &local))
    goto fail;
  ld_offline_area_layer_writer_clear (&w);
  return TRUE;

fail:
  ld_offline_area_layer_writer_clear (&w);
  ld_store_rollback (store);
  return ld_offline_area_store_error (store, error, g_steal_pointer (&local));
}

static gboolean
download_layers (LdOfflineArea             *self,
                 LdStore                   *store,
                 LdOfflineAreaProgressFunc  progress,
                 gpointer                   user_data,
                 GCancellable              *cancellable,
                 GError                   **error)
{
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) cursors = g_array_new (FALSE, FALSE, sizeof (gint64));

  stmt = ld_store_prepare (store, "SELECT layer, after_fid FROM offline_area_layers"
                                  " WHERE area_id = ? AND NOT done ORDER BY rowid", NULL);
  if (stmt == NULL)
    return ld_offline_area_store_error (store, error, NULL);
  sqlite3_bind_int64 (stmt, 1, self->job);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 c = sqlite3_column_int64 (stmt, 1);

      g_ptr_array_add (names, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      g_array_append_val (cursors, c);
    }
  for (guint i = 0; i < names->len; i++)
    {
      gint64 cursor = g_array_index (cursors, gint64, i);
      gboolean more = TRUE;

      while (more)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          if (!download_page (self, store, names->pdata[i], &cursor, &more, cancellable, error))
            return FALSE;
          ld_offline_area_report (self, store, names->pdata[i], progress, user_data);
        }
    }
  return TRUE;
}

static gboolean
finish_job (LdOfflineArea  *self,
            LdStore        *store,
            GError        **error)
{
  g_autoptr(GError) local = NULL;
  g_auto(sqlite3_stmt_ptr) done = NULL;
  g_auto(sqlite3_stmt_ptr) drop = NULL;
  g_autofree char *now = ld_store_now ();

  /* Done, and the fids (only needed while the layers downloaded) dropped, together. */
  if (!ld_store_begin (store, &local))
    return ld_offline_area_store_error (store, error, g_steal_pointer (&local));
  done = ld_store_prepare (store, "UPDATE offline_areas SET state = 'done', finished_at = ?"
                                  " WHERE id = ?", &local);
  drop = done ? ld_store_prepare (store, "DELETE FROM offline_area_fids WHERE area_id = ?",
                                  &local) : NULL;
  if (drop == NULL)
    goto fail;
  ld_store_bind_text (done, 1, now);
  sqlite3_bind_int64 (done, 2, self->job);
  sqlite3_bind_int64 (drop, 1, self->job);
  if (!ld_store_step_done (store, done, &local) || !ld_store_step_done (store, drop, &local)
      || !ld_store_commit (store, &local))
    goto fail;
  return TRUE;

fail:
  ld_store_rollback (store);
  return ld_offline_area_store_error (store, error, g_steal_pointer (&local));
}

/* ---- GObject ------------------------------------------------------------------------------ */

static void
ld_offline_area_finalize (GObject *object)
{
  LdOfflineArea *self = LD_OFFLINE_AREA (object);

  clear_area (self);
  GEOS_finish_r (self->geos);
  g_clear_pointer (&self->layers, g_ptr_array_unref);
  g_clear_object (&self->session);
  g_free (self->server_url);
  g_free (self->login);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  g_free (self->token);

  G_OBJECT_CLASS (ld_offline_area_parent_class)->finalize (object);
}

static void
ld_offline_area_class_init (LdOfflineAreaClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_offline_area_finalize;
}

static void
ld_offline_area_init (LdOfflineArea *self)
{
  self->geos = GEOS_init_r ();
  self->layers = g_ptr_array_new_with_free_func (layer_info_free);
  self->feature_page = DEFAULT_FEATURE_PAGE;
  self->tile_batch = DEFAULT_TILE_BATCH;
  self->min_zoom = -1;
  self->max_zoom = -1;
  self->page_delay_ms = (guint) g_ascii_strtoull (g_getenv ("LANDDESK_OFFLINE_AREA_PAGE_DELAY_MS")
                                                  ? g_getenv ("LANDDESK_OFFLINE_AREA_PAGE_DELAY_MS")
                                                  : "0", NULL, 10);
}

/* ---- public API --------------------------------------------------------------------------- */

const char * const *
ld_offline_area_layers (void)
{
  return offline_layers;
}

gboolean
ld_offline_area_is_layer (const char *name)
{
  return name != NULL && g_strv_contains (offline_layers, name);
}

/**
 * ld_offline_area_check_box:
 * @box: minx, miny, maxx, maxy in EPSG:4525 (x the easting with the zone prefix 37)
 *
 * The area limit, the same on the server and the client: a box of at most
 * %LD_OFFLINE_AREA_MAX_KM2 km² inside zone 37.
 */
gboolean
ld_offline_area_check_box (const double   box[4],
                           GError       **error)
{
  double km2 = (box[2] - box[0]) * (box[3] - box[1]) / 1e6;

  if (!(box[2] > box[0] && box[3] > box[1]))
    {
      g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_INPUT,
                   "the area is empty: draw or give a polygon with an inside");
      return FALSE;
    }
  if (box[0] < 37000000 || box[2] > 38000000 || box[1] < 0 || box[3] > 10000000)
    {
      g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_INPUT,
                   "the area lies outside zone 37 of EPSG:4525 (easting %.0f-%.0f m,"
                   " northing %.0f-%.0f m): it is not in the city's layers", box[0], box[2],
                   box[1], box[3]);
      return FALSE;
    }
  if (km2 > LD_OFFLINE_AREA_MAX_KM2)
    {
      g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_INPUT,
                   "the area's box is %.1f km², more than the %.0f km² an offline area may"
                   " cover: draw a smaller area, or several", km2, LD_OFFLINE_AREA_MAX_KM2);
      return FALSE;
    }
  return TRUE;
}

gboolean
ld_offline_area_check_zooms (int      min_zoom,
                             int      max_zoom,
                             int      basemap_min,
                             int      basemap_max,
                             GError **error)
{
  if (min_zoom < 0 || max_zoom > LD_OFFLINE_AREA_MAX_ZOOM || min_zoom > max_zoom)
    {
      g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_INPUT,
                   "zooms %d-%d: the minimum zoom must be 0 or more, the maximum at most %d,"
                   " and the minimum not above the maximum", min_zoom, max_zoom,
                   LD_OFFLINE_AREA_MAX_ZOOM);
      return FALSE;
    }
  if (basemap_max >= 0 && (min_zoom < basemap_min || max_zoom > basemap_max))
    {
      g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_INPUT,
                   "zooms %d-%d are outside the base map's zooms %d-%d", min_zoom, max_zoom,
                   basemap_min, basemap_max);
      return FALSE;
    }
  return TRUE;
}

gboolean
ld_offline_area_check_tiles (const LdLonLatBox  *box,
                             int                 min_zoom,
                             int                 max_zoom,
                             GError            **error)
{
  gint64 n = 0;

  for (int z = min_zoom; z <= max_zoom; z++)
    {
      int x0, y0, x1, y1;

      ld_geo_tile_range (box, z, &x0, &y0, &x1, &y1);
      n += (gint64) (x1 - x0 + 1) * (y1 - y0 + 1);
    }
  if (n > LD_OFFLINE_AREA_MAX_TILES)
    {
      g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_INPUT,
                   "the area needs %" G_GINT64_FORMAT " base-map tiles at zooms %d-%d, more than"
                   " %d: lower the maximum zoom or draw a smaller area", n, min_zoom, max_zoom,
                   LD_OFFLINE_AREA_MAX_TILES);
      return FALSE;
    }
  return TRUE;
}

/* STORE.gpkg -> STORE-offline.mbtiles, beside it. */
char *
ld_offline_area_basemap_path (const char *store_path)
{
  g_autofree char *stem = g_str_has_suffix (store_path, ".gpkg")
                          ? g_strndup (store_path, strlen (store_path) - 5)
                          : g_strdup (store_path);

  return g_strconcat (stem, "-offline.mbtiles", NULL);
}

LdOfflineArea *
ld_offline_area_new (const char *server_url)
{
  LdOfflineArea *self = g_object_new (LD_TYPE_OFFLINE_AREA, NULL);

  self->server_url = g_strdup (server_url);
  while (g_str_has_suffix (self->server_url, "/"))
    self->server_url[strlen (self->server_url) - 1] = '\0';
  return self;
}

void
ld_offline_area_set_credentials (LdOfflineArea *self,
                                 const char    *login,
                                 const char    *password)
{
  g_return_if_fail (LD_IS_OFFLINE_AREA (self));
  g_free (self->login);
  g_free (self->password);
  self->login = g_strdup (login);
  self->password = g_strdup (password);
}

void
ld_offline_area_set_token (LdOfflineArea *self,
                           const char    *token)
{
  g_return_if_fail (LD_IS_OFFLINE_AREA (self));
  g_free (self->token);
  self->token = g_strdup (token);
}

void
ld_offline_area_set_page_size (LdOfflineArea *self,
                               guint          features,
                               guint          tiles)
{
  g_return_if_fail (LD_IS_OFFLINE_AREA (self));
  self->feature_page = CLAMP (features, 1, 5000);
  self->tile_batch = MAX (tiles, 1);
}

gboolean
ld_offline_area_set_lonlat_box (LdOfflineArea      *self,
                                const LdLonLatBox  *box,
                                GError            **error)
{
  double ring[8] = { box->west, box->south, box->east, box->south,
                     box->east, box->north, box->west, box->north };

  if (!(box->east > box->west && box->north > box->south))
    {
      g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_INPUT,
                   "the box %.6f,%.6f,%.6f,%.6f is empty: give MINLON,MINLAT,MAXLON,MAXLAT"
                   " with each minimum below its maximum", box->west, box->south, box->east,
                   box->north);
      return FALSE;
    }
  return ld_offline_area_set_lonlat_ring (self, ring, 4, error);
}

gboolean
ld_offline_area_set_lonlat_ring (LdOfflineArea  *self,
                                 const double   *lonlat,
                                 guint           n_points,
                                 GError        **error)
{
  g_autoptr(LdGk) gk = ld_gk_new (error);
  g_autofree double *xy = NULL;

  g_return_val_if_fail (LD_IS_OFFLINE_AREA (self), FALSE);
  if (gk == NULL)
    return FALSE;
  if (n_points < 3)
    {
      g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_INPUT,
                   "the area is empty: a polygon needs at least three corners");
      return FALSE;
    }
  xy = g_new (double, 2 * n_points);
  for (guint i = 0; i < n_points; i++)
    {
      double north, east;

      if (!isfinite (lonlat[2 * i]) || !isfinite (lonlat[2 * i + 1])
          || !ld_gk_from_lonlat (gk, lonlat[2 * i], lonlat[2 * i + 1], &north, &east))
        {
          g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_INPUT,
                       "corner %u (%g, %g) is not a longitude and latitude", i + 1,
                       lonlat[2 * i], lonlat[2 * i + 1]);
          return FALSE;
        }
      xy[2 * i] = east;
      xy[2 * i + 1] = north;
    }
  return take_area (self, ring_polygon (self->geos, xy, n_points), gk, error);
}

/**
 * ld_offline_area_set_polygon_file:
 *
 * The area from a red-line file in any format `redline import` reads (coordinate file,
 * Shapefile, GeoPackage, KML, GeoJSON, DXF): the union of its parcels.
 */
gboolean
ld_offline_area_set_polygon_file (LdOfflineArea  *self,
                                  const char     *path,
                                  GError        **error)
{
  g_autoptr(LdRedline) redline = ld_redline_import (path, ld_redline_format_guess (path), 0, error);
  g_autoptr(LdGk) gk = NULL;
  GEOSGeometry *all = NULL;

  if (redline == NULL)
    return FALSE;
  gk = ld_gk_new (error);
  if (gk == NULL)
    return FALSE;
  for (guint i = 0; i < ld_redline_get_n_parcels (redline); i++)
    {
      g_autoptr(GBytes) wkb = ld_redline_dup_parcel_wkb (redline, i);
      GEOSGeometry *g = GEOSGeomFromWKB_buf_r (self->geos, g_bytes_get_data (wkb, NULL),
                                               g_bytes_get_size (wkb));

      if (g == NULL)
        continue;
      if (all == NULL)
        all = g;
      else
        {
          GEOSGeometry *u = GEOSUnion_r (self->geos, all, g);

          GEOSGeom_destroy_r (self->geos, all);
          GEOSGeom_destroy_r (self->geos, g);
          all = u;
        }
    }
  return take_area (self, ld_offline_area_polygonal (self->geos, all), gk, error);
}

void
ld_offline_area_set_zooms (LdOfflineArea *self,
                           int            min_zoom,
                           int            max_zoom)
{
  g_return_if_fail (LD_IS_OFFLINE_AREA (self));
  self->min_zoom = min_zoom;
  self->max_zoom = max_zoom;
  self->estimated = FALSE;
}

void
ld_offline_area_get_lonlat_box (LdOfflineArea *self,
                                LdLonLatBox   *box)
{
  *box = self->lonlat;
}

double
ld_offline_area_get_area_m2 (LdOfflineArea *self)
{
  double a = 0;

  if (self->area != NULL)
    GEOSArea_r (self->geos, self->area, &a);
  return a;
}

GBytes *
ld_offline_area_dup_wkb (LdOfflineArea *self)
{
  GEOSWKBWriter *writer;
  unsigned char *wkb;
  size_t len = 0;
  GBytes *out;

  if (self->area == NULL)
    return NULL;
  writer = GEOSWKBWriter_create_r (self->geos);
  GEOSWKBWriter_setByteOrder_r (self->geos, writer, GEOS_WKB_NDR);
  wkb = GEOSWKBWriter_write_r (self->geos, writer, self->area, &len);
  out = g_bytes_new (wkb, len);
  GEOSFree_r (self->geos, wkb);
  GEOSWKBWriter_destroy_r (self->geos, writer);
  return out;
}

/**
 * ld_offline_area_estimate:
 *
 * Asks the server what the area holds: candidate features and bytes per layer, base-map
 * tiles and bytes at the zooms (all of the base map's zooms unless set). Checks the limits
 * first, on this side: nothing is asked of the server for an area it would refuse.
 */
gboolean
ld_offline_area_estimate (LdOfflineArea          *self,
                          LdOfflineAreaEstimate  *estimate,
                          GCancellable           *cancellable,
                          GError                **error)
{
  g_autofree char *box = NULL;
  g_autofree char *ll = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *o, *tiles, *basemap;
  JsonArray *layers;

  g_return_val_if_fail (LD_IS_OFFLINE_AREA (self), FALSE);

  if (self->area == NULL)
    {
      g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_INPUT,
                   "no area: draw one on the map or give --bbox or --polygon");
      return FALSE;
    }
  if ((self->min_zoom >= 0 || self->max_zoom >= 0)
      && (!ld_offline_area_check_zooms (self->min_zoom, self->max_zoom, 0, -1, error)
          || !ld_offline_area_check_tiles (&self->lonlat, self->min_zoom, self->max_zoom, error)))
    return FALSE;
  box = ld_offline_area_feature_box_param (self);
  ll = ld_offline_area_lonlat_param (&self->lonlat);
  if (self->min_zoom >= 0)
    path = g_strdup_printf ("/api/v1/extract?bbox=%s&lonlat=%s&min_zoom=%d&max_zoom=%d", box, ll,
                            self->min_zoom, self->max_zoom);
  else
    path = g_strdup_printf ("/api/v1/extract?bbox=%s&lonlat=%s", box, ll);
  root = ld_offline_area_get_json (self, path, cancellable, error);
  if (root == NULL)
    return FALSE;
  o = json_node_get_object (root);
  layers = json_object_get_array_member (o, "layers");
  if (layers == NULL)
    {
      g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_PROTOCOL,
                   "the server's estimate has no layers");
      return FALSE;
    }
  memset (&self->estimate, 0, sizeof self->estimate);
  self->estimate.basemap_max_zoom = -1;
  g_ptr_array_set_size (self->layers, 0);
  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *l = json_array_get_object_element (layers, i);
      const char *name = l ? json_object_get_string_member_with_default (l, "name", NULL) : NULL;
      LayerInfo *info;

      if (!ld_offline_area_is_layer (name))
        continue;   /* only the layers this client knows how to keep */
      info = g_new0 (LayerInfo, 1);
      info->name = g_strdup (name);
      info->features = json_object_get_int_member_with_default (l, "features", 0);
      info->bytes = json_object_get_int_member_with_default (l, "bytes", 0);
      if (json_object_has_member (l, "fields"))
        info->fields = json_array_ref (json_object_get_array_member (l, "fields"));
      self->estimate.features += info->features;
      self->estimate.feature_bytes += info->bytes;
      g_ptr_array_add (self->layers, info);
    }
  basemap = json_object_has_member (o, "basemap") ? json_object_get_object_member (o, "basemap")
                                                  : NULL;
  tiles = json_object_has_member (o, "tiles") ? json_object_get_object_member (o, "tiles") : NULL;
  if (basemap != NULL)
    {
      self->estimate.basemap_min_zoom = json_object_get_int_member (basemap, "min_zoom");
      self->estimate.basemap_max_zoom = json_object_get_int_member (basemap, "max_zoom");
    }
  if (tiles != NULL)
    {
      self->min_zoom = json_object_get_int_member (tiles, "min_zoom");
      self->max_zoom = json_object_get_int_member (tiles, "max_zoom");
      self->estimate.tiles = json_object_get_int_member (tiles, "count");
      self->estimate.tile_positions = json_object_get_int_member (tiles, "positions");
      self->estimate.tile_bytes = json_object_get_int_member (tiles, "bytes");
    }
  else
    self->min_zoom = self->max_zoom = -1;
  self->estimated = TRUE;
  if (estimate != NULL)
    *estimate = self->estimate;
  return TRUE;
}

/**
 * ld_offline_area_download:
 *
 * Downloads the area into @store (its layer tables) and into the MBTiles file beside it,
 * reporting progress after each page. A job loaded with ld_offline_area_load_pending()
 * continues where it stopped. On error or cancellation the job stays in the store.
 */
gboolean
ld_offline_area_download (LdOfflineArea             *self,
                          LdStore                   *store,
                          LdOfflineAreaProgressFunc  progress,
                          gpointer                   user_data,
                          GCancellable              *cancellable,
                          GError                   **error)
{
  g_return_val_if_fail (LD_IS_OFFLINE_AREA (self), FALSE);
  g_return_val_if_fail (LD_IS_STORE (store), FALSE);

  if (self->job == 0)
    {
      if (ld_offline_area_has_pending (store))
        {
          g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_INPUT,
                       "store %s has an interrupted offline-area download: resume it first",
                       ld_store_get_path (store));
          return FALSE;
        }
      if (!self->estimated && !ld_offline_area_estimate (self, NULL, cancellable, error))
        return FALSE;
      if (!create_job (self, store, error))
        return FALSE;
    }
  ld_offline_area_report (self, store, NULL, progress, user_data);
  if (!download_layers (self, store, progress, user_data, cancellable, error)
      || !ld_offline_area_download_tiles (self, store, progress, user_data, cancellable, error))
    return FALSE;
  return finish_job (self, store, error);
}

/**
 * ld_offline_area_get_progress:
 *
 * Where the job stands (after a download: what it carried). FALSE before a job exists.
 */
gboolean
ld_offline_area_get_progress (LdOfflineArea         *self,
                              LdStore               *store,
                              LdOfflineAreaProgress *progress)
{
  g_return_val_if_fail (LD_IS_OFFLINE_AREA (self), FALSE);

  progress->layer = NULL;
  return self->job != 0 && read_progress (self, store, progress);
}

gboolean
ld_offline_area_has_pending (LdStore *store)
{
  g_auto(sqlite3_stmt_ptr) stmt = ld_store_prepare (store, "SELECT 1 FROM offline_areas WHERE"
                                                           " state = 'downloading'", NULL);

  return stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;
}

/**
 * ld_offline_area_load_pending:
 *
 * Takes the store's interrupted job (its area, zooms and cursors) to continue it with
 * ld_offline_area_download().
 */
gboolean
ld_offline_area_load_pending (LdOfflineArea  *self,
                              LdStore        *store,
                              GError        **error)
{
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  g_autoptr(LdGk) gk = NULL;
  GEOSGeometry *g;

  g_return_val_if_fail (LD_IS_OFFLINE_AREA (self), FALSE);

  stmt = ld_store_prepare (store, "SELECT id, area, min_zoom, max_zoom FROM offline_areas"
                                  " WHERE state = 'downloading' ORDER BY id LIMIT 1", NULL);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_NO_JOB,
                   "store %s has no interrupted offline-area download to resume",
                   ld_store_get_path (store));
      return FALSE;
    }
  gk = ld_gk_new (error);
  if (gk == NULL)
    return FALSE;
  g = GEOSGeomFromWKB_buf_r (self->geos, sqlite3_column_blob (stmt, 1),
                             (size_t) sqlite3_column_bytes (stmt, 1));
  if (!take_area (self, g, gk, error))
    return FALSE;
  self->job = sqlite3_column_int64 (stmt, 0);
  self->min_zoom = sqlite3_column_int (stmt, 2);
  self->max_zoom = sqlite3_column_int (stmt, 3);
  self->estimated = TRUE;
  return TRUE;
}

typedef struct
{
  char                      *store_path;
  LdOfflineAreaProgressFunc  progress;
  gpointer                   user_data;
  GMainContext              *context;
} AsyncData;

typedef struct
{
  LdOfflineAreaProgress  p;
  LdOfflineAreaProgressFunc progress;
  gpointer               user_data;
  char                  *layer;
} ProgressCall;

static void
async_data_free (gpointer data)
{
  AsyncData *d = data;

  g_free (d->store_path);
  g_main_context_unref (d->context);
  g_free (d);
}

static gboolean
progress_idle_cb (gpointer data)
{
  ProgressCall *call = data;

  call->p.layer = call->layer;
  call->progress (&call->p, call->user_data);
  g_free (call->layer);
  g_free (call);
  return G_SOURCE_REMOVE;
}

static void
thread_progress (const LdOfflineAreaProgress *p,
                 gpointer                     user_data)
{
  AsyncData *d = user_data;
  ProgressCall *call = g_new0 (ProgressCall, 1);

  call->p = *p;
  call->layer = g_strdup (p->layer);
  call->progress = d->progress;
  call->user_data = d->user_data;
  g_main_context_invoke (d->context, progress_idle_cb, call);
}

static void
download_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  LdOfflineArea *self = source;
  AsyncData *d = task_data;
  g_autoptr(LdStore) store = NULL;
  GError *error = NULL;

  store = ld_store_open (d->store_path, &error);
  if (store == NULL
      || !ld_offline_area_download (self, store, d->progress ? thread_progress : NULL, d,
                                    cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_clear_object (&self->session);   /* made in this thread, dropped in it */
}

/**
 * ld_offline_area_download_async:
 *
 * ld_offline_area_download() in a worker thread with its own store connection; @progress is
 * called in the calling thread's main context.
 */
void
ld_offline_area_download_async (LdOfflineArea             *self,
                                const char                *store_path,
                                LdOfflineAreaProgressFunc  progress,
                                gpointer                   user_data,
                                GCancellable              *cancellable,
                                GAsyncReadyCallback        callback,
                                gpointer                   callback_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, callback_data);
  AsyncData *d = g_new0 (AsyncData, 1);

  d->store_path = g_strdup (store_path);
  d->progress = progress;
  d->user_data = user_data;
  d->context = g_main_context_ref_thread_default ();
  g_task_set_task_data (task, d, async_data_free);
  g_task_run_in_thread (task, download_thread);
}

gboolean
ld_offline_area_download_finish (LdOfflineArea  *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
estimate_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  LdOfflineArea *self = source;
  LdOfflineAreaEstimate *estimate = g_new0 (LdOfflineAreaEstimate, 1);
  GError *error = NULL;

  if (ld_offline_area_estimate (self, estimate, cancellable, &error))
    g_task_return_pointer (task, estimate, g_free);
  else
    {
      g_free (estimate);
      g_task_return_error (task, error);
    }
  g_clear_object (&self->session);
}

/**
 * ld_offline_area_estimate_async:
 *
 * ld_offline_area_estimate() in a worker thread, for the app.
 */
void
ld_offline_area_estimate_async (LdOfflineArea       *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_run_in_thread (task, estimate_thread);
}

gboolean
ld_offline_area_estimate_finish (LdOfflineArea          *self,
                                 GAsyncResult           *result,
                                 LdOfflineAreaEstimate  *estimate,
                                 GError                **error)
{
  g_autofree LdOfflineAreaEstimate *got = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  got = g_task_propagate_pointer (G_TASK (result), error);
  if (got == NULL)
    return FALSE;
  if (estimate != NULL)
    *estimate = *got;
  return TRUE;
}
