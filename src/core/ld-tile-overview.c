/* ld-tile-overview.c: the tile renderer's overviews: below the overview zoom, tiles come from a
 * raster pyramid in a side MBTiles, rendered once at the overview zoom and halved level by level
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ld-tile-png.h"
#include "ld-tile-renderer-private.h"

/* A tile below the overview zoom, cut from the pyramid; NULL when the pyramid lacks it (it
 * covers the layer's extent only: outside it the tile is empty). */
cairo_surface_t *
ld_tile_overview_tile (LdTileRenderer  *self,
                       LdMbtiles       *overview,
                       int              zoom,
                       int              x,
                       int              y,
                       GError         **error)
{
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GError) local_error = NULL;

  /* MBTiles rows count from the south. */
  png = ld_mbtiles_read_tile (overview, zoom, x, (1 << zoom) - 1 - y, &local_error);
  if (png == NULL)
    {
      if (g_error_matches (local_error, LD_MBTILES_ERROR, LD_MBTILES_ERROR_NOT_FOUND))
        return ld_tile_renderer_empty_tile ();
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return ld_tile_png_decode (png, error);
}

/* Identifies what an overview was built from: the layer, its palette and its data. */
static char *
overview_stamp (LdTileRenderer *self)
{
  g_autofree char *qtable = ld_tile_quote_ident (self->table);
  g_autofree char *sql = g_strdup_printf ("SELECT (SELECT last_change FROM gpkg_contents"
                                          " WHERE table_name = ?), max(rowid), count(*) FROM %s",
                                          qtable);
  g_autoptr(GString) text = g_string_new (self->table);
  sqlite3_stmt *stmt = NULL;

  g_mutex_lock (&self->lock);
  g_string_append_printf (text, "\n%s\n%s\n", self->class_field ? self->class_field : "",
                          ld_palette_get_checksum (self->palette));
  if (sqlite3_prepare_v2 (self->watch, sql, -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, self->table, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        g_string_append_printf (text, "%s\n%" G_GINT64_FORMAT "\n%" G_GINT64_FORMAT,
                                (const char *) sqlite3_column_text (stmt, 0),
                                (gint64) sqlite3_column_int64 (stmt, 1),
                                (gint64) sqlite3_column_int64 (stmt, 2));
    }
  sqlite3_finalize (stmt);
  g_mutex_unlock (&self->lock);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text->str, text->len);
}

static gboolean
surface_is_empty (cairo_surface_t *surface)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  for (int row = 0; row < LD_TILE_SIZE; row++)
    {
      const guint32 *p = (const guint32 *) (data + row * stride);

      for (int col = 0; col < LD_TILE_SIZE; col++)
        if (p[col] != 0)
          return FALSE;
    }
  return TRUE;
}

typedef struct
{
  LdTileRenderer *self;
  LdPalette      *palette;
  int             zoom, x0, y0, columns;
  guint           n_tiles;
  gint            next;       /* atomic */
  guint8         *drawn;      /* per tile: not empty, stored in level */
  LdMbtiles      *level;      /* the overview zoom's tiles, on disk rather than in memory */
  GCancellable   *cancellable;
  GMutex          lock;       /* level, error and progress */
  GError         *error;
  guint           done;       /* overview tiles rendered */
  double          reported;   /* the last fraction passed to progress */
  LdTileRendererProgress progress;
  gpointer        progress_data;
} OverviewBuild;

/* The overview zoom's tiles are nine tenths of the work, the levels below the rest. Reports
 * only forward: the workers finish tiles in any order. */
static void
report_unlocked (OverviewBuild *b,
                 double         fraction)
{
  if (b->progress != NULL && fraction > b->reported)
    {
      b->reported = fraction;
      b->progress (fraction, b->progress_data);
    }
}

/* From the workers. */
static void
report (OverviewBuild *b,
        double         fraction)
{
  g_mutex_lock (&b->lock);
  report_unlocked (b, fraction);
  g_mutex_unlock (&b->lock);
}

static void
build_failed (OverviewBuild *b,
              GError        *error)
{
  g_mutex_lock (&b->lock);
  if (b->error == NULL)
    b->error = error;
  else
    g_error_free (error);
  g_mutex_unlock (&b->lock);
}

static gpointer
overview_thread (gpointer data)
{
  OverviewBuild *b = data;
  LdTileWorker *w = g_async_queue_pop (b->self->workers);

  for (;;)
    {
      guint i = (guint) g_atomic_int_add (&b->next, 1);
      GError *error = NULL;
      cairo_surface_t *surface;
      int x, y;

      if (i >= b->n_tiles || g_cancellable_is_cancelled (b->cancellable))
        break;
      x = b->x0 + (int) i % b->columns;
      y = b->y0 + (int) i / b->columns;
      surface = ld_tile_worker_render (b->self, w, b->palette, b->zoom, x, y, FALSE, &error);
      if (surface == NULL)
        {
          build_failed (b, error);
          break;
        }
      if (!ld_tile_renderer_is_empty_tile (surface) && !surface_is_empty (surface))
        {
          g_autoptr(GBytes) png = ld_tile_png_encode (surface);
          gboolean ok;

          g_mutex_lock (&b->lock);
          ok = ld_mbtiles_write_tile (b->level, b->zoom, x, (1 << b->zoom) - 1 - y, png, &error);
          g_mutex_unlock (&b->lock);
          if (!ok)
            {
              build_failed (b, error);
              cairo_surface_destroy (surface);
              break;
            }
          b->drawn[i] = TRUE;
        }
      cairo_surface_destroy (surface);
      report (b, 0.9 * (guint) g_atomic_int_add (&b->done, 1) / b->n_tiles);
    }
  g_async_queue_push (b->self->workers, w);
  return NULL;
}

/* Halves the four children (at @zoom + 1, in @children) of tile @x, @y into it; NULL when all
 * four are empty. */
static GBytes *
compose_parent (LdMbtiles *children,
                int        zoom,
                int        x,
                int        y)
{
  cairo_surface_t *parent = NULL;
  cairo_t *cr = NULL;
  GBytes *png;

  for (int c = 0; c < 4; c++)
    {
      int cx = 2 * x + c % 2, cy = 2 * y + c / 2;
      g_autoptr(GBytes) child_png = ld_mbtiles_read_tile (children, zoom + 1, cx,
                                                          (2 << zoom) - 1 - cy, NULL);
      cairo_surface_t *child;

      if (child_png == NULL || (child = ld_tile_png_decode (child_png, NULL)) == NULL)
        continue;
      if (parent == NULL)
        {
          parent = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, LD_TILE_SIZE, LD_TILE_SIZE);
          cr = cairo_create (parent);
        }
      cairo_save (cr);
      cairo_translate (cr, (c % 2) * LD_TILE_SIZE / 2, (c / 2) * LD_TILE_SIZE / 2);
      cairo_scale (cr, 0.5, 0.5);
      cairo_set_source_surface (cr, child, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
      cairo_paint (cr);
      cairo_restore (cr);
      cairo_surface_destroy (child);
    }
  if (parent == NULL)
    return NULL;
  cairo_destroy (cr);
  png = ld_tile_png_encode (parent);
  cairo_surface_destroy (parent);
  return png;
}

static gboolean
build_overview (LdTileRenderer         *self,
                const char             *mbtiles_path,
                int                     overview_zoom,
                LdTileRendererProgress  progress,
                gpointer                progress_data,
                GCancellable           *cancellable,
                GError                **error)
{
  g_autofree char *tmp_path = g_strconcat (mbtiles_path, ".part", NULL);
  g_autofree char *tmp_journal = g_strconcat (tmp_path, "-journal", NULL);
  g_autofree char *level_path = g_strconcat (mbtiles_path, ".level", NULL);
  g_autofree char *stamp = overview_stamp (self);
  g_autofree char *zoom_text = g_strdup_printf ("%d", overview_zoom);
  g_autoptr(LdMbtiles) out = NULL;
  g_autoptr(GHashTable) level = NULL;
  OverviewBuild b = { 0 };
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  LdLonLatBox box;
  int x1, y1;

  if (!ld_tile_renderer_get_extent (self, &box))
    {
      g_set_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_OVERVIEW,
                   "%s: layer %s has no extent in gpkg_contents", self->path, self->table);
      return FALSE;
    }
  /* A build cut short leaves its file and journal behind: neither may leak into this one. */
  g_remove (tmp_path);
  g_remove (tmp_journal);
  g_remove (level_path);
  out = ld_mbtiles_create (tmp_path, error);
  if (out == NULL)
    return FALSE;

  /* The overview zoom's tiles go to a side file, the levels below to the pyramid. */
  g_remove (level_path);
  b.level = ld_mbtiles_create (level_path, error);
  if (b.level == NULL || !ld_mbtiles_begin (b.level, error))
    {
      g_clear_object (&b.level);
      g_clear_object (&out);
      g_remove (tmp_path);
      g_remove (level_path);
      return FALSE;
    }
  b.self = self;
  b.palette = g_object_ref (self->palette);
  b.zoom = overview_zoom;
  ld_geo_tile_range (&box, overview_zoom, &b.x0, &b.y0, &x1, &y1);
  b.columns = x1 - b.x0 + 1;
  b.n_tiles = (guint) (b.columns * (y1 - b.y0 + 1));
  b.drawn = g_new0 (guint8, b.n_tiles);
  b.cancellable = cancellable;
  b.progress = progress;
  b.progress_data = progress_data;
  b.reported = -1;
  g_mutex_init (&b.lock);
  report_unlocked (&b, 0);
  for (guint i = 0; i < self->n_workers; i++)
    g_ptr_array_add (threads, g_thread_new ("ld-overview", overview_thread, &b));
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (threads->pdata[i]);
  g_mutex_clear (&b.lock);
  g_object_unref (b.palette);

  level = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint i = 0; i < b.n_tiles; i++)
    if (b.drawn[i])
      {
        guint64 key = ld_tile_key (0, b.x0 + (int) i % b.columns, b.y0 + (int) i / b.columns);

        g_hash_table_add (level, g_memdup2 (&key, sizeof key));
      }
  g_free (b.drawn);
  if (b.error != NULL || g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !ld_mbtiles_commit (b.level, error) || !ld_mbtiles_begin (out, error))
    {
      if (b.error != NULL)
        g_propagate_error (error, b.error);
      g_clear_object (&b.level);
      g_clear_object (&out);
      g_remove (tmp_path);
      g_remove (level_path);
      return FALSE;
    }

  /* Each level from the one above: the overview zoom's side file, then the pyramid itself
   * (its uncommitted rows are visible to its own connection). Only the tile keys stay in
   * memory. */
  for (int zoom = overview_zoom - 1; zoom >= 0; zoom--)
    {
      g_autoptr(GHashTable) parents = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                             NULL);
      LdMbtiles *children = zoom == overview_zoom - 1 ? b.level : out;
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, level);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          int z, x, y;
          guint64 parent_key;
          g_autoptr(GBytes) png = NULL;

          ld_tile_key_split (*(guint64 *) key, &z, &x, &y);
          parent_key = ld_tile_key (0, x / 2, y / 2);
          if (g_hash_table_contains (parents, &parent_key))
            continue;
          g_hash_table_add (parents, g_memdup2 (&parent_key, sizeof parent_key));
          png = compose_parent (children, zoom, x / 2, y / 2);
          if (png != NULL &&
              !ld_mbtiles_write_tile (out, zoom, x / 2, (1 << zoom) - 1 - y / 2, png, error))
            {
              g_clear_object (&b.level);
              g_remove (level_path);
              return FALSE;
            }
        }
      g_clear_pointer (&level, g_hash_table_unref);
      level = g_steal_pointer (&parents);
      report_unlocked (&b, 0.9 + 0.1 * (overview_zoom - zoom) / overview_zoom);
    }
  g_clear_object (&b.level);
  g_remove (level_path);
  if (!ld_mbtiles_set_metadata (out, "name", self->table, error) ||
      !ld_mbtiles_set_metadata (out, "format", "png", error) ||
      !ld_mbtiles_set_metadata (out, "landdesk-stamp", stamp, error) ||
      !ld_mbtiles_set_metadata (out, "landdesk-overview-zoom", zoom_text, error) ||
      !ld_mbtiles_commit (out, error))
    return FALSE;
  g_clear_object (&out);

  g_remove (mbtiles_path);
  if (g_rename (tmp_path, mbtiles_path) != 0)
    {
      int saved = errno;

      g_set_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_OVERVIEW,
                   "Cannot rename %s to %s: %s", tmp_path, mbtiles_path, g_strerror (saved));
      return FALSE;
    }
  return ld_tile_renderer_open_overview (self, mbtiles_path, error);
}

/**
 * ld_tile_renderer_build_overview:
 * @mbtiles_path: the side file to (re)write, e.g. in the user's cache directory
 * @overview_zoom: tiles below this zoom come from the pyramid; pick the lowest zoom whose
 *   tiles hold no more than a few thousand features
 * @progress: (nullable): told the fraction done, rising from 0 to 1, from the build's
 *   threads (one at a time)
 *
 * Renders every tile of the layer's extent at @overview_zoom on all workers, halves them level
 * by level down to zoom 0 into an MBTiles file (written to a temporary file, then renamed),
 * and uses it. Blocking: run it in a thread. One build runs at a time in a process: each uses
 * all its layer's workers already, and side by side they raised the app's peak memory.
 */
gboolean
ld_tile_renderer_build_overview (LdTileRenderer          *self,
                                 const char              *mbtiles_path,
                                 int                      overview_zoom,
                                 LdTileRendererProgress   progress,
                                 gpointer                 progress_data,
                                 GCancellable            *cancellable,
                                 GError                 **error)
{
  static GMutex one_at_a_time;
  gboolean ok;

  g_return_val_if_fail (LD_IS_TILE_RENDERER (self), FALSE);
  g_return_val_if_fail (overview_zoom > 0 && overview_zoom <= 16, FALSE);

  g_mutex_lock (&one_at_a_time);
  ok = !g_cancellable_set_error_if_cancelled (cancellable, error) &&
       build_overview (self, mbtiles_path, overview_zoom, progress, progress_data, cancellable,
                       error);
  g_mutex_unlock (&one_at_a_time);
  return ok;
}

/**
 * ld_tile_renderer_open_overview:
 *
 * Uses an overview built earlier, unless it is stale (the layer, its data or its palette
 * changed since): then fails with %LD_TILE_RENDERER_ERROR_OVERVIEW and the caller rebuilds it.
 */
gboolean
ld_tile_renderer_open_overview (LdTileRenderer  *self,
                                const char      *mbtiles_path,
                                GError         **error)
{
  g_autoptr(LdMbtiles) mbtiles = NULL;
  g_autofree char *stamp = NULL, *built = NULL, *zoom_text = NULL;

  g_return_val_if_fail (LD_IS_TILE_RENDERER (self), FALSE);

  mbtiles = ld_mbtiles_open (mbtiles_path, error);
  if (mbtiles == NULL)
    return FALSE;
  stamp = overview_stamp (self);
  built = ld_mbtiles_dup_metadata (mbtiles, "landdesk-stamp");
  zoom_text = ld_mbtiles_dup_metadata (mbtiles, "landdesk-overview-zoom");
  if (g_strcmp0 (stamp, built) != 0 || zoom_text == NULL)
    {
      g_set_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_OVERVIEW,
                   "Overview %s is stale: layer %s, its data or its palette changed since it"
                   " was built; build it again", mbtiles_path, self->table);
      return FALSE;
    }
  g_mutex_lock (&self->lock);
  g_set_object (&self->overview, mbtiles);
  self->overview_zoom = (int) g_ascii_strtoll (zoom_text, NULL, 10);
  self->generation++;
  ld_tile_renderer_cache_clear (self);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/* Below this zoom tiles come from the overview; -1 without one. */
int
ld_tile_renderer_get_overview_zoom (LdTileRenderer *self)
{
  int zoom;

  g_return_val_if_fail (LD_IS_TILE_RENDERER (self), -1);
  g_mutex_lock (&self->lock);
  zoom = self->overview_zoom;
  g_mutex_unlock (&self->lock);
  return zoom;
}

