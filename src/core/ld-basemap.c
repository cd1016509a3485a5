/* ld-basemap.c: renders a light offline base map into an MBTiles file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <cairo.h>

#include "ld-basemap.h"
#include "ld-mbtiles.h"
#include "ld-tile-png.h"

typedef struct
{
  GArray *points;   /* double lon, lat pairs */
  int     rank;
} Line;

typedef struct
{
  double lon;
  double lat;
  int    rank;
} Town;

struct _LdBasemap
{
  GObject      parent_instance;

  LdLonLatBox  bounds;
  GPtrArray   *land;    /* Line*, rings filled even-odd */
  GPtrArray   *roads;   /* Line* */
  GArray      *towns;   /* Town */

  /* Open sea and inland tiles are one colour: their PNG is encoded once. */
  GMutex       uniform_lock;
  GHashTable  *uniform; /* RGB -> GBytes */
};

G_DEFINE_FINAL_TYPE (LdBasemap, ld_basemap, G_TYPE_OBJECT)

#define BATCH_SIZE 256

/* A coarse outline of the Leizhou peninsula and the mainland north of it, used when no
 * coastline data is at hand. Longitude, latitude pairs, clockwise. */
static const double synthetic_coast[] = {
  109.50, 21.70,  111.00, 21.70,  111.00, 21.50,  110.85, 21.42,  110.70, 21.33,
  110.62, 21.22,  110.45, 21.18,  110.40, 21.10,  110.47, 20.95,  110.55, 20.85,
  110.52, 20.65,  110.55, 20.45,  110.45, 20.30,  110.30, 20.25,  110.15, 20.23,
  110.00, 20.28,  109.92, 20.40,  109.80, 20.55,  109.70, 20.75,  109.68, 20.95,
  109.75, 21.10,  109.78, 21.30,  109.70, 21.45,  109.60, 21.50,  109.50, 21.52,
};
static const double synthetic_naozhou[] = {
  110.55, 20.88,  110.63, 20.88,  110.63, 20.95,  110.55, 20.95,
};

static void
line_free (gpointer data)
{
  Line *line = data;

  g_array_unref (line->points);
  g_free (line);
}

static Line *
line_new (const double *lonlat,
          gsize         n_points,
          int           rank)
{
  Line *line = g_new0 (Line, 1);

  line->points = g_array_sized_new (FALSE, FALSE, sizeof (double), n_points * 2);
  g_array_append_vals (line->points, lonlat, n_points * 2);
  line->rank = rank;
  return line;
}

static void
trace_line (cairo_t    *cr,
            const Line *line,
            int         zoom,
            double      ox,
            double      oy,
            gboolean    close)
{
  const double *p = (const double *) line->points->data;
  guint n = line->points->len / 2;

  for (guint i = 0; i < n; i++)
    {
      double px, py;

      ld_geo_lonlat_to_world (p[2 * i], p[2 * i + 1], zoom, &px, &py);
      if (i == 0)
        cairo_move_to (cr, px - ox, py - oy);
      else
        cairo_line_to (cr, px - ox, py - oy);
    }
  if (close)
    cairo_close_path (cr);
}

static void
set_rgb (cairo_t *cr,
         guint32  rgb)
{
  cairo_set_source_rgb (cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
                        (rgb & 0xff) / 255.0);
}

static double
metres_per_pixel (double lat,
                  int    zoom)
{
  return 156543.03392 * cos (lat * G_PI / 180.0) / (double) (1 << zoom);
}

static void
paint_tile (LdBasemap *self,
            cairo_t   *cr,
            int        zoom,
            int        x,
            int        y)
{
  double ox = (double) x * LD_TILE_SIZE, oy = (double) y * LD_TILE_SIZE;

  set_rgb (cr, LD_BASEMAP_SEA_RGB);
  cairo_paint (cr);

  cairo_set_fill_rule (cr, CAIRO_FILL_RULE_EVEN_ODD);
  for (guint i = 0; i < self->land->len; i++)
    trace_line (cr, g_ptr_array_index (self->land, i), zoom, ox, oy, TRUE);
  set_rgb (cr, LD_BASEMAP_LAND_RGB);
  cairo_fill_preserve (cr);
  set_rgb (cr, 0x9ec5d2);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);

  /* Built-up areas: pale discs that grow with the town's rank. */
  for (guint i = 0; i < self->towns->len; i++)
    {
      const Town *t = &g_array_index (self->towns, Town, i);
      double px, py, radius_m = t->rank == 0 ? 6000.0 : 2500.0;

      ld_geo_lonlat_to_world (t->lon, t->lat, zoom, &px, &py);
      cairo_arc (cr, px - ox, py - oy, radius_m / metres_per_pixel (t->lat, zoom), 0, 2 * G_PI);
      set_rgb (cr, 0xe2ddd6);
      cairo_fill (cr);
    }

  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < self->roads->len; i++)
    {
      const Line *road = g_ptr_array_index (self->roads, i);

      if (road->rank > 0 && zoom < 10)
        continue;
      trace_line (cr, road, zoom, ox, oy, FALSE);
      cairo_set_line_width (cr, MAX (1.0, (zoom - 6) * (road->rank == 0 ? 0.7 : 0.4)));
      set_rgb (cr, road->rank == 0 ? 0xf7c873 : 0xffffff);
      cairo_stroke (cr);
    }
}

static GBytes *
render_tile_png (LdBasemap *self,
                 int        zoom,
                 int        x,
                 int        y)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
                                                         LD_TILE_SIZE, LD_TILE_SIZE);
  cairo_t *cr = cairo_create (surface);
  GBytes *png;
  const guint32 *px;
  int stride;
  guint32 first;
  gboolean uniform = TRUE;

  paint_tile (self, cr, zoom, x, y);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  px = (const guint32 *) cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface) / 4;
  first = px[0] & 0xffffff;
  for (int row = 0; row < LD_TILE_SIZE && uniform; row++)
    for (int col = 0; col < LD_TILE_SIZE; col++)
      if ((px[row * stride + col] & 0xffffff) != first)
        {
          uniform = FALSE;
          break;
        }
  if (uniform)
    {
      g_mutex_lock (&self->uniform_lock);
      png = g_hash_table_lookup (self->uniform, GUINT_TO_POINTER (first));
      if (png == NULL)
        {
          png = ld_tile_png_encode (surface);
          g_hash_table_insert (self->uniform, GUINT_TO_POINTER (first), png);
        }
      png = g_bytes_ref (png);
      g_mutex_unlock (&self->uniform_lock);
      cairo_surface_destroy (surface);
      return png;
    }
  png = ld_tile_png_encode (surface);
  cairo_surface_destroy (surface);
  return png;
}

/* A batch of tiles of one zoom rendered by several threads, written in order afterwards. */
typedef struct
{
  LdBasemap *self;
  int        zoom;
  int       *xy;        /* x, y pairs */
  GBytes   **png;
  guint      n;
  gint       next;      /* atomic: the next tile to take */
} Batch;

static gpointer
render_batch_thread (gpointer data)
{
  Batch *batch = data;
  gint i;

  while ((i = g_atomic_int_add (&batch->next, 1)) < (gint) batch->n)
    batch->png[i] = render_tile_png (batch->self, batch->zoom, batch->xy[2 * i],
                                     batch->xy[2 * i + 1]);
  return NULL;
}

static void
render_batch (Batch *batch,
              guint  n_threads)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();

  batch->next = 0;
  for (guint t = 1; t < n_threads; t++)
    g_ptr_array_add (threads, g_thread_new ("ld-basemap", render_batch_thread, batch));
  render_batch_thread (batch);
  for (guint t = 0; t < threads->len; t++)
    g_thread_join (g_ptr_array_index (threads, t));
}

static gboolean
write_metadata (LdBasemap  *self,
                LdMbtiles  *mbtiles,
                int         min_zoom,
                int         max_zoom,
                GError    **error)
{
  const LdLonLatBox *b = &self->bounds;
  g_autofree char *bounds = g_strdup_printf ("%.6f,%.6f,%.6f,%.6f",
                                             b->west, b->south, b->east, b->north);
  g_autofree char *center = g_strdup_printf ("%.6f,%.6f,%d", (b->west + b->east) / 2,
                                             (b->south + b->north) / 2, min_zoom + 2);
  g_autofree char *minz = g_strdup_printf ("%d", min_zoom);
  g_autofree char *maxz = g_strdup_printf ("%d", max_zoom);
  const char *pairs[][2] = {
    { "name", "LandDesk base map" }, { "format", "png" }, { "type", "baselayer" },
    { "version", "1" }, { "attribution", "LandDesk 演示数据 (demo data)" },
    { "bounds", bounds }, { "center", center }, { "minzoom", minz }, { "maxzoom", maxz },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    if (!ld_mbtiles_set_metadata (mbtiles, pairs[i][0], pairs[i][1], error))
      return FALSE;
  return TRUE;
}

static gint64
count_tiles (LdBasemap *self,
             int        min_zoom,
             int        max_zoom)
{
  gint64 total = 0;

  for (int z = min_zoom; z <= max_zoom; z++)
    {
      int x0, y0, x1, y1;

      ld_geo_tile_range (&self->bounds, z, &x0, &y0, &x1, &y1);
      total += (gint64) (x1 - x0 + 1) * (y1 - y0 + 1);
    }
  return total;
}

static void
ld_basemap_finalize (GObject *object)
{
  LdBasemap *self = LD_BASEMAP (object);

  g_clear_pointer (&self->land, g_ptr_array_unref);
  g_clear_pointer (&self->roads, g_ptr_array_unref);
  g_clear_pointer (&self->towns, g_array_unref);
  g_clear_pointer (&self->uniform, g_hash_table_unref);
  g_mutex_clear (&self->uniform_lock);

  G_OBJECT_CLASS (ld_basemap_parent_class)->finalize (object);
}

static void
ld_basemap_class_init (LdBasemapClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_basemap_finalize;
}

static void
ld_basemap_init (LdBasemap *self)
{
  self->land = g_ptr_array_new_with_free_func (line_free);
  self->roads = g_ptr_array_new_with_free_func (line_free);
  self->towns = g_array_new (FALSE, FALSE, sizeof (Town));
  self->uniform = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_bytes_unref);
  g_mutex_init (&self->uniform_lock);
}

LdBasemap *
ld_basemap_new (const LdLonLatBox *bounds)
{
  LdBasemap *self = g_object_new (LD_TYPE_BASEMAP, NULL);

  self->bounds = *bounds;
  return self;
}

void
ld_basemap_add_land_ring (LdBasemap    *self,
                          const double *lonlat,
                          gsize         n_points)
{
  g_return_if_fail (LD_IS_BASEMAP (self));
  g_return_if_fail (n_points >= 3);

  g_ptr_array_add (self->land, line_new (lonlat, n_points, 0));
}

/* @rank 0 is a trunk road, drawn from zoom 8; higher ranks appear from zoom 10. */
void
ld_basemap_add_road (LdBasemap    *self,
                     const double *lonlat,
                     gsize         n_points,
                     int           rank)
{
  g_return_if_fail (LD_IS_BASEMAP (self));
  g_return_if_fail (n_points >= 2);

  g_ptr_array_add (self->roads, line_new (lonlat, n_points, rank));
}

/* @rank 0 is the city centre, 1 a county town. */
void
ld_basemap_add_town (LdBasemap *self,
                     double     lon,
                     double     lat,
                     int        rank)
{
  Town t = { lon, lat, rank };

  g_return_if_fail (LD_IS_BASEMAP (self));

  g_array_append_val (self->towns, t);
}

void
ld_basemap_add_synthetic_coast (LdBasemap *self)
{
  ld_basemap_add_land_ring (self, synthetic_coast, G_N_ELEMENTS (synthetic_coast) / 2);
  ld_basemap_add_land_ring (self, synthetic_naozhou, G_N_ELEMENTS (synthetic_naozhou) / 2);
}

/**
 * ld_basemap_write:
 * @path: the MBTiles file to create; it must not exist
 *
 * Renders every tile of the bounds from @min_zoom to @max_zoom in one transaction, so an
 * interrupted run leaves no half-filled file behind (the caller removes it on failure).
 */
gboolean
ld_basemap_write (LdBasemap       *self,
                  const char      *path,
                  int              min_zoom,
                  int              max_zoom,
                  LdProgressFunc   progress,
                  gpointer         user_data,
                  GError         **error)
{
  g_autoptr(LdMbtiles) mbtiles = NULL;
  gint64 total, done = 0;
  Batch batch = { 0 };
  guint n_threads;
  gboolean ok = TRUE;

  g_return_val_if_fail (LD_IS_BASEMAP (self), FALSE);
  g_return_val_if_fail (0 <= min_zoom && min_zoom <= max_zoom && max_zoom <= 20, FALSE);

  mbtiles = ld_mbtiles_create (path, error);
  if (mbtiles == NULL || !ld_mbtiles_begin (mbtiles, error)
      || !write_metadata (self, mbtiles, min_zoom, max_zoom, error))
    return FALSE;

  total = count_tiles (self, min_zoom, max_zoom);
  /* Tiles render in parallel (cairo surfaces are independent); SQLite writes stay on this
   * thread, in order. */
  n_threads = CLAMP (g_get_num_processors (), 1, 8);
  batch.self = self;
  batch.xy = g_new (int, 2 * BATCH_SIZE);
  batch.png = g_new0 (GBytes *, BATCH_SIZE);
  for (int z = min_zoom; z <= max_zoom && ok; z++)
    {
      g_autofree char *what = g_strdup_printf ("rendering zoom %d", z);
      int x0, y0, x1, y1;

      ld_geo_tile_range (&self->bounds, z, &x0, &y0, &x1, &y1);
      batch.zoom = z;
      batch.n = 0;
      for (int x = x0; x <= x1 && ok; x++)
        for (int y = y0; y <= y1 && ok; y++)
          {
            batch.xy[2 * batch.n] = x;
            batch.xy[2 * batch.n + 1] = y;
            if (++batch.n < BATCH_SIZE && !(x == x1 && y == y1))
              continue;
            render_batch (&batch, n_threads);
            for (guint i = 0; i < batch.n; i++)
              {
                if (ok && !ld_mbtiles_write_tile (mbtiles, z, batch.xy[2 * i],
                                                  batch.xy[2 * i + 1], batch.png[i], error))
                  ok = FALSE;
                g_clear_pointer (&batch.png[i], g_bytes_unref);
                if (ok && progress != NULL && (++done % 64 == 0 || done == total))
                  progress ((double) done / (double) total, what, user_data);
              }
            batch.n = 0;
          }
    }
  g_free (batch.xy);
  g_free (batch.png);
  return ok && ld_mbtiles_commit (mbtiles, error);
}
