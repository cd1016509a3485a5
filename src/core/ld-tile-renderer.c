/* ld-tile-renderer.c: vector overlays of a GeoPackage layer rendered into 256 px XYZ tiles
 *
 * The GObject, its tile cache and its pool of worker threads. A pool of worker threads renders
 * tiles (ld-tile-worker.c, with the rasteriser in ld-tile-raster.c); each worker owns a
 * read-only SQLite connection with a prepared statement, a PROJ context and scratch buffers.
 * Rendered tiles go into an LRU cache bounded by a tile count; a generation counter, bumped when
 * the palette or the data changes, keeps stale tiles out of it. Overviews (the raster pyramid
 * for low zooms) are in ld-tile-overview.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ld-tile-renderer-private.h"

#define DEFAULT_CACHE   128

/* Which palette entries a rendered tile shows, kept on its surface for the map's legend. */
typedef struct
{
  guint  n_entries;
  guint8 shown[];
} TileClasses;

static const cairo_user_data_key_t classes_key;

typedef struct
{
  guint64          key;
  cairo_surface_t *surface;
  GList            link;
} CacheNode;

typedef struct
{
  LdTileRenderer *self;
  guint64         key;
} Job;

G_DEFINE_FINAL_TYPE (LdTileRenderer, ld_tile_renderer, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-tile-renderer-error-quark, ld_tile_renderer_error)

char *
ld_tile_quote_ident (const char *name)
{
  GString *s = g_string_new ("\"");

  for (const char *p = name; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}

gint64
ld_tile_data_version (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  gint64 v = -1;

  if (sqlite3_prepare_v2 (db, "PRAGMA data_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

sqlite3 *
ld_tile_open_readonly (const char  *path,
                       GError     **error)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      g_set_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_OPEN,
                   "Cannot open %s: %s", path, db ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 5000);
  return db;
}

/* Renders a tile with an idle worker (waiting for one if all are busy). */
static cairo_surface_t *
produce (LdTileRenderer  *self,
         int              zoom,
         int              x,
         int              y,
         guint           *generation,
         GError         **error)
{
  g_autoptr(LdPalette) palette = NULL;
  g_autoptr(LdMbtiles) overview = NULL;
  cairo_surface_t *surface;
  LdTileWorker *w;

  g_mutex_lock (&self->lock);
  palette = g_object_ref (self->palette);
  *generation = self->generation;
  if (self->overview != NULL && zoom < self->overview_zoom)
    overview = g_object_ref (self->overview);
  g_mutex_unlock (&self->lock);

  if (overview != NULL)
    return ld_tile_overview_tile (self, overview, zoom, x, y, error);

  w = g_async_queue_pop (self->workers);
  surface = ld_tile_worker_render (self, w, palette, zoom, x, y, TRUE, error);
  g_async_queue_push (self->workers, w);
  return surface;
}

static void
cache_node_free (gpointer data)
{
  CacheNode *node = data;

  cairo_surface_destroy (node->surface);
  g_free (node);
}

/* Called with the lock held. */
static void
cache_insert (LdTileRenderer  *self,
              guint64          key,
              cairo_surface_t *surface)
{
  CacheNode *node = g_hash_table_lookup (self->cache, &key);

  if (node != NULL)
    {
      g_queue_unlink (&self->lru, &node->link);
      cairo_surface_destroy (node->surface);
    }
  else
    {
      node = g_new0 (CacheNode, 1);
      node->key = key;
      node->link.data = node;
      g_hash_table_insert (self->cache, &node->key, node);
    }
  node->surface = cairo_surface_reference (surface);
  g_queue_push_head_link (&self->lru, &node->link);
  while (self->lru.length > self->max_tiles)
    {
      CacheNode *old = g_queue_peek_tail (&self->lru);

      g_queue_unlink (&self->lru, &old->link);
      g_hash_table_remove (self->cache, &old->key);
    }
}

void
ld_tile_renderer_cache_clear (LdTileRenderer *self)
{
  g_queue_init (&self->lru);
  g_hash_table_remove_all (self->cache);
}

/* Renders the tile (again if the generation changed meanwhile) and caches it. */
static cairo_surface_t *
produce_and_cache (LdTileRenderer  *self,
                   int              zoom,
                   int              x,
                   int              y,
                   GError         **error)
{
  for (int attempt = 0; ; attempt++)
    {
      guint generation;
      cairo_surface_t *surface = produce (self, zoom, x, y, &generation, error);
      gboolean current;

      if (surface == NULL)
        return NULL;
      g_mutex_lock (&self->lock);
      current = generation == self->generation;
      if (current)
        cache_insert (self, ld_tile_key (zoom, x, y), surface);
      g_mutex_unlock (&self->lock);
      if (current || attempt >= 2)
        return surface;
      cairo_surface_destroy (surface);
    }
}

static void
job_run (gpointer data,
         gpointer user_data)
{
  Job *job = data;
  LdTileRenderer *self = job->self;
  g_autoptr(GPtrArray) tasks = NULL;
  g_autoptr(GError) error = NULL;
  cairo_surface_t *surface = NULL;
  gboolean wanted = FALSE;
  int zoom, x, y;

  ld_tile_key_split (job->key, &zoom, &x, &y);
  g_mutex_lock (&self->lock);
  tasks = g_ptr_array_ref (g_hash_table_lookup (self->pending, &job->key));
  for (guint i = 0; i < tasks->len; i++)
    wanted |= !g_cancellable_is_cancelled (g_task_get_cancellable (tasks->pdata[i]));
  g_mutex_unlock (&self->lock);

  if (wanted)
    surface = produce_and_cache (self, zoom, x, y, &error);
  else
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Tile no longer needed");

  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->pending, &job->key);
  g_mutex_unlock (&self->lock);
  for (guint i = 0; i < tasks->len; i++)
    {
      GTask *task = tasks->pdata[i];

      if (surface != NULL)
        g_task_return_pointer (task, cairo_surface_reference (surface),
                               (GDestroyNotify) cairo_surface_destroy);
      else
        g_task_return_error (task, g_error_copy (error));
    }
  g_clear_pointer (&surface, cairo_surface_destroy);
  g_object_unref (self);
  g_free (job);
}

/* Records on a rendered tile which of the palette's entries it shows. */
void
ld_tile_set_classes (cairo_surface_t    *surface,
                     const LdGeomBuffer *classes,
                     guint               n_classes)
{
  TileClasses *record = g_malloc0 (sizeof (TileClasses) + n_classes);

  record->n_entries = n_classes;
  for (guint i = 0; i < n_classes; i++)
    record->shown[i] = classes[i].n_polygons > 0;
  cairo_surface_set_user_data (surface, &classes_key, record, g_free);
}

static gboolean
load_layer (LdTileRenderer  *self,
            sqlite3         *db,
            GError         **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *qtable = NULL, *qgeom = NULL, *qclass = NULL, *qrtree = NULL;
  g_autofree char *rtree = NULL;
  gboolean ok = FALSE;
  int srs_id = -1;

  if (sqlite3_prepare_v2 (db,
                          "SELECT g.column_name, g.srs_id, s.organization, s.organization_coordsys_id"
                          " FROM gpkg_geometry_columns g"
                          " LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id"
                          " WHERE g.table_name = ?", -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_OPEN,
                   "%s is not a GeoPackage: %s", self->path, sqlite3_errmsg (db));
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, self->table, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *org = (const char *) sqlite3_column_text (stmt, 2);

      self->geom_column = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      srs_id = sqlite3_column_int (stmt, 1);
      if (org != NULL && sqlite3_column_type (stmt, 3) == SQLITE_INTEGER)
        self->source_crs = g_strdup_printf ("%s:%d", org, sqlite3_column_int (stmt, 3));
      else
        self->source_crs = g_strdup_printf ("EPSG:%d", srs_id);
      ok = TRUE;
    }
  sqlite3_finalize (stmt);
  if (!ok)
    {
      g_set_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_LAYER,
                   "%s has no feature layer %s", self->path, self->table);
      return FALSE;
    }

  rtree = g_strdup_printf ("rtree_%s_%s", self->table, self->geom_column);
  qtable = ld_tile_quote_ident (self->table);
  qgeom = ld_tile_quote_ident (self->geom_column);
  qrtree = ld_tile_quote_ident (rtree);
  if (self->class_field != NULL)
    qclass = ld_tile_quote_ident (self->class_field);
  self->query_sql = g_strdup_printf ("SELECT t.%s, %s FROM %s r JOIN %s t ON t.rowid = r.id"
                                     " WHERE r.minx <= ?1 AND r.maxx >= ?2"
                                     " AND r.miny <= ?3 AND r.maxy >= ?4",
                                     qgeom, qclass ? qclass : "NULL", qrtree, qtable);
  self->count_sql = g_strdup_printf ("SELECT count(*) FROM %s r"
                                     " WHERE r.minx <= ?1 AND r.maxx >= ?2"
                                     " AND r.miny <= ?3 AND r.maxy >= ?4", qrtree);
  if (sqlite3_prepare_v2 (db, self->query_sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_LAYER,
                   "%s: layer %s: %s (it needs its spatial index %s%s%s)", self->path,
                   self->table, sqlite3_errmsg (db), rtree,
                   self->class_field ? " and its class field " : "",
                   self->class_field ? self->class_field : "");
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  return TRUE;
}

static void
ld_tile_renderer_finalize (GObject *object)
{
  LdTileRenderer *self = LD_TILE_RENDERER (object);
  LdTileWorker *w;

  /* Queued jobs hold a reference, so none is left; the last one may be dropping it from a pool
   * thread right now, which must not wait for itself. */
  if (self->pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->pool), TRUE, FALSE);
  if (self->workers != NULL)
    {
      while ((w = g_async_queue_try_pop (self->workers)) != NULL)
        ld_tile_worker_free (w);
      g_async_queue_unref (self->workers);
    }
  g_clear_pointer (&self->cache, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->watch, sqlite3_close);
  g_clear_object (&self->palette);
  g_clear_object (&self->overview);
  g_free (self->path);
  g_free (self->table);
  g_free (self->geom_column);
  g_free (self->class_field);
  g_free (self->source_crs);
  g_free (self->query_sql);
  g_free (self->count_sql);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ld_tile_renderer_parent_class)->finalize (object);
}

static void
ld_tile_renderer_class_init (LdTileRendererClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_tile_renderer_finalize;
}

static void
ld_tile_renderer_init (LdTileRenderer *self)
{
  g_mutex_init (&self->lock);
  self->cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, cache_node_free);
  self->pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                         (GDestroyNotify) g_ptr_array_unref);
  self->max_tiles = DEFAULT_CACHE;
  self->overview_zoom = -1;
}

/**
 * ld_tile_renderer_new:
 * @gpkg_path: a GeoPackage
 * @table: a polygon feature layer in it, with its R-tree spatial index
 * @palette: the layer's palette; its `# field:` names the class field (none: one colour)
 * @n_threads: worker threads, each with its own read-only connection; 0 for the CPU count
 */
LdTileRenderer *
ld_tile_renderer_new (const char  *gpkg_path,
                      const char  *table,
                      LdPalette   *palette,
                      guint        n_threads,
                      GError     **error)
{
  g_autoptr(LdTileRenderer) self = NULL;

  g_return_val_if_fail (gpkg_path != NULL, NULL);
  g_return_val_if_fail (table != NULL, NULL);
  g_return_val_if_fail (LD_IS_PALETTE (palette), NULL);

  if (!g_file_test (gpkg_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_OPEN,
                   "GeoPackage %s does not exist", gpkg_path);
      return NULL;
    }
  self = g_object_new (LD_TYPE_TILE_RENDERER, NULL);
  self->path = g_strdup (gpkg_path);
  self->table = g_strdup (table);
  self->palette = g_object_ref (palette);
  self->class_field = g_strdup (ld_palette_get_field (palette));
  self->watch = ld_tile_open_readonly (gpkg_path, error);
  if (self->watch == NULL || !load_layer (self, self->watch, error))
    return NULL;
  self->watch_version = ld_tile_data_version (self->watch);

  if (n_threads == 0)
    n_threads = MAX (1, g_get_num_processors ());
  self->workers = g_async_queue_new ();
  for (guint i = 0; i < n_threads; i++)
    {
      LdTileWorker *w = ld_tile_worker_new (self, error);

      if (w == NULL)
        return NULL;
      g_async_queue_push (self->workers, w);
    }
  self->n_workers = n_threads;
  self->pool = g_thread_pool_new (job_run, NULL, n_threads, TRUE, NULL);
  return g_steal_pointer (&self);
}

const char *
ld_tile_renderer_get_table (LdTileRenderer *self)
{
  g_return_val_if_fail (LD_IS_TILE_RENDERER (self), NULL);
  return self->table;
}

const char *
ld_tile_renderer_get_class_field (LdTileRenderer *self)
{
  g_return_val_if_fail (LD_IS_TILE_RENDERER (self), NULL);
  return self->class_field;
}

/* Returns: (transfer none) */
LdPalette *
ld_tile_renderer_get_palette (LdTileRenderer *self)
{
  g_return_val_if_fail (LD_IS_TILE_RENDERER (self), NULL);
  return self->palette;
}

/**
 * ld_tile_renderer_set_palette:
 *
 * Restyles the layer: every cached tile is dropped. The palette must name the same class
 * field as the first one (the prepared queries select it).
 */
void
ld_tile_renderer_set_palette (LdTileRenderer *self,
                              LdPalette      *palette)
{
  g_return_if_fail (LD_IS_TILE_RENDERER (self));
  g_return_if_fail (LD_IS_PALETTE (palette));

  if (g_strcmp0 (ld_palette_get_field (palette), self->class_field) != 0)
    g_warning ("Palette names class field %s, layer %s is rendered by %s",
               ld_palette_get_field (palette), self->table, self->class_field);
  g_mutex_lock (&self->lock);
  g_set_object (&self->palette, palette);
  g_mutex_unlock (&self->lock);
  ld_tile_renderer_invalidate (self);
}

/* Bumped whenever cached tiles become stale; tiles of an older generation are never cached. */
guint
ld_tile_renderer_get_generation (LdTileRenderer *self)
{
  guint generation;

  g_return_val_if_fail (LD_IS_TILE_RENDERER (self), 0);
  g_mutex_lock (&self->lock);
  generation = self->generation;
  g_mutex_unlock (&self->lock);
  return generation;
}

/* The data or the style changed: drop every cached tile (and the overview, which is stale). */
void
ld_tile_renderer_invalidate (LdTileRenderer *self)
{
  g_return_if_fail (LD_IS_TILE_RENDERER (self));

  g_mutex_lock (&self->lock);
  self->generation++;
  ld_tile_renderer_cache_clear (self);
  g_clear_object (&self->overview);
  self->overview_zoom = -1;
  g_mutex_unlock (&self->lock);
}

/**
 * ld_tile_renderer_check_data_changed:
 *
 * Whether another connection has committed to the GeoPackage since the last check; if so the
 * cache is invalidated. Cheap (a PRAGMA): call it after edits or on a timer.
 */
gboolean
ld_tile_renderer_check_data_changed (LdTileRenderer *self)
{
  gint64 version;

  g_return_val_if_fail (LD_IS_TILE_RENDERER (self), FALSE);

  g_mutex_lock (&self->lock);
  version = ld_tile_data_version (self->watch);
  if (version == self->watch_version)
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  self->watch_version = version;
  g_mutex_unlock (&self->lock);
  ld_tile_renderer_invalidate (self);
  return TRUE;
}

/* At most @max_tiles tiles (256 KiB each) stay in memory. */
void
ld_tile_renderer_set_cache_size (LdTileRenderer *self,
                                 guint           max_tiles)
{
  g_return_if_fail (LD_IS_TILE_RENDERER (self));

  g_mutex_lock (&self->lock);
  self->max_tiles = MAX (max_tiles, 1);
  while (self->lru.length > self->max_tiles)
    {
      CacheNode *old = g_queue_peek_tail (&self->lru);

      g_queue_unlink (&self->lru, &old->link);
      g_hash_table_remove (self->cache, &old->key);
    }
  g_mutex_unlock (&self->lock);
}

guint
ld_tile_renderer_get_n_cached (LdTileRenderer *self)
{
  guint n;

  g_return_val_if_fail (LD_IS_TILE_RENDERER (self), 0);
  g_mutex_lock (&self->lock);
  n = self->lru.length;
  g_mutex_unlock (&self->lock);
  return n;
}

/* The layer's extent in longitude/latitude, from gpkg_contents; FALSE when unknown. */
gboolean
ld_tile_renderer_get_extent (LdTileRenderer *self,
                             LdLonLatBox    *box)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;
  LdTileWorker *w;

  g_return_val_if_fail (LD_IS_TILE_RENDERER (self), FALSE);

  w = g_async_queue_pop (self->workers);
  if (sqlite3_prepare_v2 (w->db, "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents"
                          " WHERE table_name = ? AND min_x IS NOT NULL", -1, &stmt,
                          NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, self->table, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          PJ *pj = proj_create_crs_to_crs (w->ctx, self->source_crs, "EPSG:4326", NULL);
          PJ *norm = pj ? proj_normalize_for_visualization (w->ctx, pj) : NULL;

          if (norm != NULL)
            ok = proj_trans_bounds (w->ctx, norm, PJ_FWD,
                                    sqlite3_column_double (stmt, 0),
                                    sqlite3_column_double (stmt, 1),
                                    sqlite3_column_double (stmt, 2),
                                    sqlite3_column_double (stmt, 3),
                                    &box->west, &box->south, &box->east, &box->north, 21) != 0;
          g_clear_pointer (&norm, proj_destroy);
          g_clear_pointer (&pj, proj_destroy);
        }
    }
  sqlite3_finalize (stmt);
  g_async_queue_push (self->workers, w);
  return ok;
}

/**
 * ld_tile_renderer_lookup:
 *
 * Returns: (transfer full) (nullable): the cached tile of the current generation
 */
cairo_surface_t *
ld_tile_renderer_lookup (LdTileRenderer *self,
                         int             zoom,
                         int             x,
                         int             y)
{
  guint64 key = ld_tile_key (zoom, x, y);
  cairo_surface_t *surface = NULL;
  CacheNode *node;

  g_return_val_if_fail (LD_IS_TILE_RENDERER (self), NULL);

  g_mutex_lock (&self->lock);
  node = g_hash_table_lookup (self->cache, &key);
  if (node != NULL)
    {
      g_queue_unlink (&self->lru, &node->link);
      g_queue_push_head_link (&self->lru, &node->link);
      surface = cairo_surface_reference (node->surface);
    }
  g_mutex_unlock (&self->lock);
  return surface;
}

gboolean
ld_tile_check (int      zoom,
               int      x,
               int      y,
               GError **error)
{
  if (zoom < 0 || zoom > 24 || x < 0 || y < 0 || x >= (1 << zoom) || y >= (1 << zoom))
    {
      g_set_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_QUERY,
                   "tile %d/%d/%d does not exist (zoom 0-24, x and y below 2^zoom)", zoom, x, y);
      return FALSE;
    }
  return TRUE;
}

/**
 * ld_tile_renderer_render:
 *
 * Renders a tile in the calling thread (with one of the workers' connections), or returns it
 * from the cache.
 *
 * Returns: (transfer full): an ARGB32 256 x 256 surface, or %NULL with @error set
 */
cairo_surface_t *
ld_tile_renderer_render (LdTileRenderer  *self,
                         int              zoom,
                         int              x,
                         int              y,
                         GError         **error)
{
  cairo_surface_t *surface;

  g_return_val_if_fail (LD_IS_TILE_RENDERER (self), NULL);

  if (!ld_tile_check (zoom, x, y, error))
    return NULL;
  surface = ld_tile_renderer_lookup (self, zoom, x, y);
  if (surface != NULL)
    return surface;
  return produce_and_cache (self, zoom, x, y, error);
}

/**
 * ld_tile_renderer_render_async:
 *
 * Renders a tile on the worker pool; requests for a tile already in flight share its result.
 * A cached tile completes at once. Cancelling the only request of a tile that has not started
 * yet skips it.
 */
void
ld_tile_renderer_render_async (LdTileRenderer      *self,
                               int                  zoom,
                               int                  x,
                               int                  y,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  guint64 key = ld_tile_key (zoom, x, y);
  cairo_surface_t *surface;
  GPtrArray *tasks;

  g_return_if_fail (LD_IS_TILE_RENDERER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_tile_renderer_render_async);
  if (!ld_tile_check (zoom, x, y, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  surface = ld_tile_renderer_lookup (self, zoom, x, y);
  if (surface != NULL)
    {
      g_task_return_pointer (task, surface, (GDestroyNotify) cairo_surface_destroy);
      return;
    }

  g_mutex_lock (&self->lock);
  tasks = g_hash_table_lookup (self->pending, &key);
  if (tasks != NULL)
    g_ptr_array_add (tasks, g_steal_pointer (&task));
  else
    {
      Job *job = g_new0 (Job, 1);

      job->self = g_object_ref (self);
      job->key = key;
      tasks = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (tasks, g_steal_pointer (&task));
      g_hash_table_insert (self->pending, g_memdup2 (&key, sizeof key), tasks);
      g_thread_pool_push (self->pool, job, NULL);
    }
  g_mutex_unlock (&self->lock);
}

/* Returns: (transfer full): the tile, or %NULL with @error set */
cairo_surface_t *
ld_tile_renderer_render_finish (LdTileRenderer  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ld_tile_renderer_render_async,
                        NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ld_tile_renderer_get_tile_classes:
 * @surface: a tile from a renderer
 * @n_entries: (out): the palette's number of entries
 *
 * Which entries of the layer's palette a rendered tile shows, for a legend of what is in view.
 *
 * Returns: (transfer none) (nullable): one flag per palette entry, or %NULL when the tile does
 *   not say (the empty tile, a tile from an overview)
 */
const guint8 *
ld_tile_renderer_get_tile_classes (cairo_surface_t *surface,
                                   guint           *n_entries)
{
  TileClasses *record = cairo_surface_get_user_data (surface, &classes_key);

  *n_entries = record != NULL ? record->n_entries : 0;
  return record != NULL ? record->shown : NULL;
}

/* The number of features whose bounding box meets the tile (from the R-tree alone). */
gint64
ld_tile_renderer_count_features (LdTileRenderer  *self,
                                 int              zoom,
                                 int              x,
                                 int              y,
                                 GError         **error)
{
  double bx0, by0, bx1, by1;
  gint64 n = -1;
  LdTileWorker *w;

  g_return_val_if_fail (LD_IS_TILE_RENDERER (self), -1);

  if (!ld_tile_check (zoom, x, y, error))
    return -1;
  w = g_async_queue_pop (self->workers);
  if (!ld_tile_worker_source_bounds (w, zoom, x, y, &bx0, &by0, &bx1, &by1))
    g_set_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_PROJ,
                 "tile %d/%d/%d cannot be transformed to %s", zoom, x, y, self->source_crs);
  else
    {
      sqlite3_bind_double (w->count, 1, bx1);
      sqlite3_bind_double (w->count, 2, bx0);
      sqlite3_bind_double (w->count, 3, by1);
      sqlite3_bind_double (w->count, 4, by0);
      if (sqlite3_step (w->count) == SQLITE_ROW)
        n = sqlite3_column_int64 (w->count, 0);
      else
        g_set_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_QUERY,
                     "%s: layer %s: %s", self->path, self->table, sqlite3_errmsg (w->db));
      sqlite3_reset (w->count);
    }
  g_async_queue_push (self->workers, w);
  return n;
}

/**
 * ld_tile_renderer_transform_error:
 *
 * The largest distance, in pixels, between the per-tile biquadratic transform and PROJ over a
 * 17 x 17 grid of the tile: what the renderer's shortcut costs in accuracy. -1 on failure.
 */
double
ld_tile_renderer_transform_error (LdTileRenderer *self,
                                  int             zoom,
                                  int             x,
                                  int             y)
{
  double bx0, by0, bx1, by1, mx0, my0, res, worst = -1;
  LdGeomTransform t;
  LdTileWorker *w;

  g_return_val_if_fail (LD_IS_TILE_RENDERER (self), -1);
  if (!ld_tile_check (zoom, x, y, NULL))
    return -1;
  w = g_async_queue_pop (self->workers);
  ld_tile_mercator (zoom, x, y, &mx0, &my0, &res);
  if (ld_tile_worker_source_bounds (w, zoom, x, y, &bx0, &by0, &bx1, &by1) &&
      ld_tile_worker_fit_transform (w, bx0, by0, bx1, by1, mx0, my0, res, &t))
    {
      worst = 0;
      for (int i = 0; i <= 16; i++)
        for (int j = 0; j <= 16; j++)
          {
            double sx = bx0 + (bx1 - bx0) * i / 16.0, sy = by0 + (by1 - by0) * j / 16.0;
            PJ_COORD c = proj_trans (w->to_mercator, PJ_FWD, proj_coord (sx, sy, 0, 0));
            double px, py;

            ld_geom_transform_apply (&t, sx, sy, &px, &py);
            worst = MAX (worst, hypot (px - (c.xy.x - mx0) / res, py - (my0 - c.xy.y) / res));
          }
    }
  g_async_queue_push (self->workers, w);
  return worst;
}
