/* ld-tile-renderer.c: vector overlays of a GeoPackage layer rendered into 256 px XYZ tiles
 *
 * How a tile is drawn (render_tile):
 * 1. The tile's Web Mercator square is transformed to the layer's CRS once with PROJ
 *    (proj_trans_bounds) to query the layer's R-tree.
 * 2. A biquadratic transform from layer coordinates to tile pixels is fitted at a 3 x 3 grid of
 *    points transformed exactly by PROJ. Its error against PROJ is far below a pixel at every
 *    zoom the map shows (tests/test-render.c checks < 0.01 px from zoom 8 up), and it costs
 *    a few multiply-adds per vertex instead of a PROJ call.
 * 3. Each feature's WKB is decoded straight into pixels (ld-gpkg-geom.c), dropping vertices
 *    closer than a quarter pixel, and its edges are added to its class's coverage buffer
 *    (exact-area antialiasing, see coverage_line; cairo's general scan converter was 5-10x
 *    slower on thousands of small patches).
 * 4. Each class is painted once through its coverage; aliased one-pixel outlines (our own
 *    DDA: cairo's stroker cost more than the whole fill) and class-code labels (cairo text)
 *    follow when zoomed in.
 * A pool of worker threads renders tiles; each worker owns a read-only SQLite connection with a
 * prepared statement, a PROJ context and scratch buffers, so the steady state allocates little.
 * Rendered tiles go into an LRU cache bounded by a tile count; a generation counter, bumped when
 * the palette or the data changes, keeps stale tiles out of it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <proj.h>
#include <sqlite3.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ld-gpkg-geom.h"
#include "ld-mbtiles.h"
#include "ld-tile-png.h"
#include "ld-tile-renderer.h"

#define MERCATOR_HALF   20037508.342789244
#define MIN_STEP_PX     0.25
#define MARGIN_PX       2.0
#define LABEL_MIN_PX    28.0
#define DEFAULT_CACHE   128

typedef struct
{
  double x, y;
  int    entry;
  char   code[24];
} Label;

/* A signed-area accumulation buffer (one per class in a tile): each polygon edge adds the area
 * it covers to the cells it crosses; a running sum along a row then gives each pixel's exact
 * coverage. Much faster than cairo's general scan converter for thousands of small polygons,
 * exact antialiasing, and overlapping or adjacent patches of one class never show seams. */
#define COVERAGE_STRIDE (LD_TILE_SIZE + 2)

#define TOUCHED_WORDS ((COVERAGE_STRIDE + 63) / 64)

typedef struct
{
  float   *cells;     /* COVERAGE_STRIDE x LD_TILE_SIZE, zero outside [y0, y1) */
  guint64 *touched;   /* TOUCHED_WORDS per row: the cells written, so painting skips runs */
  int      y0, y1;
} Coverage;

typedef struct
{
  sqlite3          *db;
  sqlite3_stmt     *query;
  sqlite3_stmt     *count;
  PJ_CONTEXT       *ctx;
  PJ               *to_mercator;
  /* Per palette entry: the path of the tile's features of that class. */
  LdPalette        *palette;
  /* Per palette entry: the tile's polygons of that class, in pixels. Classes are painted one
   * after the other through one coverage buffer, which stays in the CPU cache. */
  LdGeomBuffer     *classes;
  guint             n_classes;
  Coverage         *coverage;
  GHashTable       *codes;     /* class code -> palette index + 1, for the palette above */
  GArray           *labels;    /* Label */
  gint64            data_version;
} Worker;


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

struct _LdTileRenderer
{
  GObject       parent_instance;

  char         *path;
  char         *table;
  char         *geom_column;
  char         *class_field;
  char         *source_crs;
  char         *query_sql;
  char         *count_sql;

  GThreadPool  *pool;
  GAsyncQueue  *workers;     /* idle Worker */
  guint         n_workers;

  GMutex        lock;        /* everything below */
  LdPalette    *palette;
  guint         generation;
  GHashTable   *cache;       /* key -> CacheNode */
  GQueue        lru;         /* most recent first */
  guint         max_tiles;
  GHashTable   *pending;     /* key -> GPtrArray of GTask */

  sqlite3      *watch;       /* notices commits by other connections */
  gint64        watch_version;

  LdMbtiles    *overview;
  int           overview_zoom;
};

G_DEFINE_FINAL_TYPE (LdTileRenderer, ld_tile_renderer, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-tile-renderer-error-quark, ld_tile_renderer_error)

static inline guint64
tile_key (int zoom,
          int x,
          int y)
{
  return ((guint64) zoom << 58) | ((guint64) (guint32) x << 29) | (guint64) (guint32) y;
}

static inline void
key_split (guint64  key,
           int     *zoom,
           int     *x,
           int     *y)
{
  *zoom = (int) (key >> 58);
  *x = (int) ((key >> 29) & 0x1fffffff);
  *y = (int) (key & 0x1fffffff);
}

static char *
quote_ident (const char *name)
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

static gint64
data_version (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  gint64 v = -1;

  if (sqlite3_prepare_v2 (db, "PRAGMA data_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

static sqlite3 *
open_readonly (const char  *path,
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

static void
coverage_free (gpointer data)
{
  Coverage *c = data;

  g_free (c->cells);
  g_free (c->touched);
  g_free (c);
}

static Coverage *
coverage_new (void)
{
  Coverage *c = g_new0 (Coverage, 1);

  c->cells = g_new0 (float, COVERAGE_STRIDE * LD_TILE_SIZE);
  c->touched = g_new0 (guint64, TOUCHED_WORDS * LD_TILE_SIZE);
  c->y0 = LD_TILE_SIZE;
  c->y1 = 0;
  return c;
}

static inline void
touch_range (guint64 *bits,
             int      from,
             int      to)
{
  for (int i = from; i <= to; i++)
    bits[i >> 6] |= G_GUINT64_CONSTANT (1) << (i & 63);
}

/* Adds the signed area of the edge (x0, y0) -> (x1, y1) to the cells it crosses. */
static void
coverage_line (Coverage *c,
               double    x0,
               double    y0,
               double    x1,
               double    y1,
               float     sign)
{
  const double w = LD_TILE_SIZE;
  double dxdy, xa, ya;
  float dir = sign;
  int ystart, yend;

  if (y0 == y1 || (y0 < 0 && y1 < 0) || (y0 >= LD_TILE_SIZE && y1 >= LD_TILE_SIZE))
    return;
  /* Split at the tile's left and right edges so that clamping x there is exact. */
  if ((x0 < 0 && x1 > 0) || (x0 > 0 && x1 < 0))
    {
      double ym = y0 + (0 - x0) / (x1 - x0) * (y1 - y0);

      coverage_line (c, x0, y0, 0, ym, sign);
      coverage_line (c, 0, ym, x1, y1, sign);
      return;
    }
  if ((x0 > w && x1 < w) || (x0 < w && x1 > w))
    {
      double ym = y0 + (w - x0) / (x1 - x0) * (y1 - y0);

      coverage_line (c, x0, y0, w, ym, sign);
      coverage_line (c, w, ym, x1, y1, sign);
      return;
    }
  x0 = CLAMP (x0, 0, w);
  x1 = CLAMP (x1, 0, w);
  if (y0 > y1)
    {
      double t;

      t = x0; x0 = x1; x1 = t;
      t = y0; y0 = y1; y1 = t;
      dir = -dir;
    }
  dxdy = (x1 - x0) / (y1 - y0);
  ystart = MAX (0, (int) floor (y0));
  yend = MIN (LD_TILE_SIZE, (int) ceil (y1));
  c->y0 = MIN (c->y0, ystart);
  c->y1 = MAX (c->y1, yend);
  ya = MAX (ystart, y0);
  xa = x0 + (ya - y0) * dxdy;
  for (int y = ystart; y < yend; y++)
    {
      float *row = c->cells + (gsize) y * COVERAGE_STRIDE;
      guint64 *bits = c->touched + (gsize) y * TOUCHED_WORDS;
      double yb = MIN (y + 1, y1), xb = x0 + (yb - y0) * dxdy;
      float d = (float) (yb - ya) * dir;
      double xl = MIN (xa, xb), xr = MAX (xa, xb);
      /* x >= 0 here: casts are floor and ceil without a libm call (x86-64 has no SSE4.1
       * rounding by default). */
      int il = (int) xl, ir = (int) xr;

      /* Most steps of short edges stay within one column: no ceil, two cells. */
      if (ir != il)
        ir += (double) ir < xr;
      if (ir <= il + 1)
        {
          float xmf = (float) (0.5 * (xa + xb) - il);

          row[il] += d - d * xmf;
          row[il + 1] += d * xmf;
          bits[il >> 6] |= G_GUINT64_CONSTANT (1) << (il & 63);
          bits[(il + 1) >> 6] |= G_GUINT64_CONSTANT (1) << ((il + 1) & 63);
        }
      else
        {
          double xlf = il;
          float s = (float) (1.0 / (xr - xl));
          float x0f = (float) (xl - xlf);
          float a0 = 0.5f * s * (1 - x0f) * (1 - x0f);
          float x1f = (float) (xr - ir + 1);
          float am = 0.5f * s * x1f * x1f;

          row[il] += d * a0;
          if (ir == il + 2)
            row[il + 1] += d * (1 - a0 - am);
          else
            {
              float a1 = s * (1.5f - x0f);
              float a2 = a1 + (ir - il - 3) * s;

              row[il + 1] += d * (a1 - a0);
              for (int xi = il + 2; xi < ir - 1; xi++)
                row[xi] += d * s;
              row[ir - 1] += d * (1 - a2 - am);
            }
          row[ir] += d * am;
          touch_range (bits, il, ir);
        }
      xa = xb;
      ya = yb;
    }
}

/* Adds every ring; outer rings count positive and holes negative, whatever their stored
 * orientation, so that any number of patches of one class add up without seams. */
static void
coverage_add (Coverage           *c,
              const LdGeomBuffer *g)
{
  guint ring = 0, point = 0;

  for (guint p = 0; p < g->n_polygons; p++)
    for (guint k = 0; k < g->polygons[p]; k++, ring++)
      {
        const double *xy = g->xy + 2 * point;
        guint n = g->rings[ring];
        double area = 0;
        float sign;

        point += n;
        if (n < 3)
          continue;
        for (guint i = 0, j = n - 1; i < n; j = i++)
          area += (xy[2 * j] - xy[2 * i]) * (xy[2 * j + 1] + xy[2 * i + 1]);
        if (area == 0)
          continue;
        sign = (area > 0) == (k == 0) ? 1.0f : -1.0f;
        for (guint i = 0, j = n - 1; i < n; j = i++)
          coverage_line (c, xy[2 * j], xy[2 * j + 1], xy[2 * i], xy[2 * i + 1], sign);
      }
}

static inline void
paint_run (guint32 *out,
           int      from,
           int      to,
           float    cover,
           guint32  solid,
           float    alpha)
{
  guint32 ik, keep;

  cover = fabsf (cover);
  if (cover < 0.5f / 255 || from >= to)
    return;
  if (cover >= 1 - 0.5f / 255 && alpha >= 1)
    {
      for (int x = from; x < to; x++)
        out[x] = solid;
      return;
    }
  /* Integer blending in 1/256 steps (coverage ik) of the premultiplied colour. */
  ik = (guint32) (MIN (cover, 1.0f) * 256 + 0.5f);
  keep = 256 - ((solid >> 24) * ik >> 8);
  for (int x = from; x < to; x++)
    {
      guint32 dst = out[x];
      /* Red and blue, then alpha and green, two channels per multiply. */
      guint32 rb = ((solid & 0xff00ff) * ik + (dst & 0xff00ff) * keep) >> 8;
      guint32 ag = (((solid >> 8) & 0xff00ff) * ik + ((dst >> 8) & 0xff00ff) * keep) >> 8;

      out[x] = (rb & 0xff00ff) | ((ag & 0xff00ff) << 8);
    }
}

/* Paints a class colour over the image through its coverage, and zeroes the buffer. Between
 * two written cells the running sum is constant, so each row costs its edges plus runs. */
static void
coverage_paint (Coverage     *c,
                const double  rgba[4],
                guint8       *data,
                int           stride)
{
  float a = (float) rgba[3];
  float premul[4] = { (float) rgba[0] * a * 255, (float) rgba[1] * a * 255,
                      (float) rgba[2] * a * 255, a * 255 };
  guint32 solid = (guint32) (premul[3] + 0.5f) << 24 | (guint32) (premul[0] + 0.5f) << 16 |
                  (guint32) (premul[1] + 0.5f) << 8 | (guint32) (premul[2] + 0.5f);

  for (int y = c->y0; y < c->y1; y++)
    {
      float *cells = c->cells + (gsize) y * COVERAGE_STRIDE;
      guint64 *bits = c->touched + (gsize) y * TOUCHED_WORDS;
      guint32 *out = (guint32 *) (data + (gsize) y * stride);
      float acc = 0;
      int pos = 0;

      for (int word = 0; word < TOUCHED_WORDS; word++)
        {
          guint64 b = bits[word];

          bits[word] = 0;
          while (b != 0)
            {
              int x = word * 64 + __builtin_ctzll (b);

              b &= b - 1;
              if (x >= LD_TILE_SIZE)
                {
                  cells[x] = 0;
                  continue;
                }
              paint_run (out, pos, x, acc, solid, a);
              acc += cells[x];
              cells[x] = 0;
              paint_run (out, x, x + 1, acc, solid, a);
              pos = x + 1;
            }
        }
      paint_run (out, pos, LD_TILE_SIZE, acc, solid, a);
    }
  c->y0 = LD_TILE_SIZE;
  c->y1 = 0;
}

static inline void
plot (guint8       *data,
      int           stride,
      int           x,
      int           y,
      guint32       solid,
      const float   premul[4],
      float         alpha)
{
  guint32 *p = (guint32 *) (data + (gsize) y * stride) + x;

  if (alpha >= 1)
    *p = solid;
  else
    {
      guint32 dst = *p;
      float keep = 1 - alpha;

      *p = (guint32) (premul[3] + (dst >> 24) * keep + 0.5f) << 24 |
           (guint32) (premul[0] + ((dst >> 16) & 0xff) * keep + 0.5f) << 16 |
           (guint32) (premul[1] + ((dst >> 8) & 0xff) * keep + 0.5f) << 8 |
           (guint32) (premul[2] + (dst & 0xff) * keep + 0.5f);
    }
}

/* Clips the segment to the tile (Liang-Barsky); FALSE when nothing is left. */
static gboolean
clip_segment (double *x0,
              double *y0,
              double *x1,
              double *y1)
{
  double t0 = 0, t1 = 1, dx = *x1 - *x0, dy = *y1 - *y0;
  const double p[4] = { -dx, dx, -dy, dy };
  const double q[4] = { *x0, LD_TILE_SIZE - 0.001 - *x0, *y0, LD_TILE_SIZE - 0.001 - *y0 };

  for (int i = 0; i < 4; i++)
    {
      if (p[i] == 0)
        {
          if (q[i] < 0)
            return FALSE;
          continue;
        }
      if (p[i] < 0)
        t0 = MAX (t0, q[i] / p[i]);
      else
        t1 = MIN (t1, q[i] / p[i]);
    }
  if (t0 > t1)
    return FALSE;
  *x1 = *x0 + t1 * dx;
  *y1 = *y0 + t1 * dy;
  *x0 = *x0 + t0 * dx;
  *y0 = *y0 + t0 * dy;
  return TRUE;
}

/* Aliased one-pixel hairlines along a class's rings (DDA over the pixels they cross). */
static void
draw_outlines (const LdGeomBuffer *g,
               const double        rgba[4],
               guint8             *data,
               int                 stride)
{
  float a = (float) rgba[3];
  float premul[4] = { (float) rgba[0] * a * 255, (float) rgba[1] * a * 255,
                      (float) rgba[2] * a * 255, a * 255 };
  guint32 solid = (guint32) (premul[3] + 0.5f) << 24 | (guint32) (premul[0] + 0.5f) << 16 |
                  (guint32) (premul[1] + 0.5f) << 8 | (guint32) (premul[2] + 0.5f);
  guint point = 0;

  for (guint r = 0; r < g->n_rings; r++)
    {
      const double *xy = g->xy + 2 * point;
      guint n = g->rings[r];

      point += n;
      for (guint i = 0, j = n - 1; i < n && n > 1; j = i++)
        {
          double x0 = xy[2 * j], y0 = xy[2 * j + 1], x1 = xy[2 * i], y1 = xy[2 * i + 1];

          if (!clip_segment (&x0, &y0, &x1, &y1))
            continue;
          {
            double len = MAX (fabs (x1 - x0), fabs (y1 - y0));
            int steps = (int) len + 1;
            double dx = (x1 - x0) / steps, dy = (y1 - y0) / steps, x = x0, y = y0;

            for (int k = 0; k <= steps; k++, x += dx, y += dy)
              plot (data, stride, (int) x, (int) y, solid, premul, a);
          }
        }
    }
}

/* Tile pixels come from a small process-wide pool: 256 KiB allocations would otherwise be
 * mmap()ed and munmap()ed per tile, and with several workers each munmap() stops every CPU to
 * flush its TLB (a fifth of the render time in the viewport benchmark). */
#define POOL_MAX 64

static GMutex pixel_pool_lock;
static GPtrArray *pixel_pool;
static const cairo_user_data_key_t pixel_key;

static void
pixels_release (gpointer data)
{
  g_mutex_lock (&pixel_pool_lock);
  if (pixel_pool == NULL)
    pixel_pool = g_ptr_array_new ();
  if (pixel_pool->len < POOL_MAX)
    {
      g_ptr_array_add (pixel_pool, data);
      data = NULL;
    }
  g_mutex_unlock (&pixel_pool_lock);
  g_free (data);
}

/**
 * ld_tile_renderer_empty_tile:
 *
 * The one transparent tile every renderer returns where a layer has nothing: sparse layers
 * (control lines, red lines) cost no memory for their empty tiles, and a map layer can skip
 * drawing them (ld_tile_renderer_is_empty_tile()). Never draw into it.
 *
 * Returns: (transfer full): a new reference
 */
cairo_surface_t *
ld_tile_renderer_empty_tile (void)
{
  static cairo_surface_t *empty;

  if (g_once_init_enter (&empty))
    {
      cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, LD_TILE_SIZE,
                                                             LD_TILE_SIZE);

      cairo_surface_flush (surface);
      g_once_init_leave (&empty, surface);
    }
  return cairo_surface_reference (empty);
}

gboolean
ld_tile_renderer_is_empty_tile (cairo_surface_t *surface)
{
  cairo_surface_t *empty = ld_tile_renderer_empty_tile ();
  gboolean is_empty = surface == empty;

  cairo_surface_destroy (empty);
  return is_empty;
}

/* A cleared ARGB32 tile surface whose pixels return to the pool when it is destroyed. */
static cairo_surface_t *
tile_surface_new (void)
{
  int stride = cairo_format_stride_for_width (CAIRO_FORMAT_ARGB32, LD_TILE_SIZE);
  gsize size = (gsize) stride * LD_TILE_SIZE;
  guint8 *pixels = NULL;
  cairo_surface_t *surface;

  g_mutex_lock (&pixel_pool_lock);
  if (pixel_pool != NULL && pixel_pool->len > 0)
    pixels = g_ptr_array_steal_index_fast (pixel_pool, pixel_pool->len - 1);
  g_mutex_unlock (&pixel_pool_lock);
  if (pixels != NULL)
    memset (pixels, 0, size);
  else
    pixels = g_malloc0 (size);
  surface = cairo_image_surface_create_for_data (pixels, CAIRO_FORMAT_ARGB32, LD_TILE_SIZE,
                                                 LD_TILE_SIZE, stride);
  cairo_surface_set_user_data (surface, &pixel_key, pixels, pixels_release);
  return surface;
}

static void
worker_free (Worker *w)
{
  if (w == NULL)
    return;
  for (guint i = 0; i < w->n_classes; i++)
    ld_geom_buffer_clear (&w->classes[i]);
  g_free (w->classes);
  g_clear_object (&w->palette);
  g_clear_pointer (&w->codes, g_hash_table_unref);
  g_clear_pointer (&w->labels, g_array_unref);
  g_clear_pointer (&w->coverage, coverage_free);
  g_clear_pointer (&w->query, sqlite3_finalize);
  g_clear_pointer (&w->count, sqlite3_finalize);
  g_clear_pointer (&w->db, sqlite3_close);
  g_clear_pointer (&w->to_mercator, proj_destroy);
  g_clear_pointer (&w->ctx, proj_context_destroy);
  g_free (w);
}

static Worker *
worker_new (LdTileRenderer  *self,
            GError         **error)
{
  Worker *w = g_new0 (Worker, 1);
  PJ *raw;

  w->db = open_readonly (self->path, error);
  if (w->db == NULL)
    goto fail;
  if (sqlite3_prepare_v3 (w->db, self->query_sql, -1, SQLITE_PREPARE_PERSISTENT, &w->query,
                          NULL) != SQLITE_OK ||
      sqlite3_prepare_v3 (w->db, self->count_sql, -1, SQLITE_PREPARE_PERSISTENT, &w->count,
                          NULL) != SQLITE_OK)
    {
      g_set_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_LAYER,
                   "%s: layer %s cannot be queried: %s", self->path, self->table,
                   sqlite3_errmsg (w->db));
      goto fail;
    }
  w->ctx = proj_context_create ();
  raw = proj_create_crs_to_crs (w->ctx, self->source_crs, "EPSG:3857", NULL);
  if (raw != NULL)
    {
      w->to_mercator = proj_normalize_for_visualization (w->ctx, raw);
      proj_destroy (raw);
    }
  if (w->to_mercator == NULL)
    {
      g_set_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_PROJ,
                   "%s: layer %s: PROJ cannot transform %s to Web Mercator", self->path,
                   self->table, self->source_crs);
      goto fail;
    }
  w->labels = g_array_new (FALSE, FALSE, sizeof (Label));
  w->coverage = coverage_new ();
  w->data_version = data_version (w->db);
  return w;

fail:
  worker_free (w);
  return NULL;
}

/* Makes the worker's per-class buffers and code lookup match @palette. */
static void
worker_use_palette (Worker    *w,
                    LdPalette *palette)
{
  guint n = ld_palette_get_n_entries (palette);

  if (w->palette == palette)
    return;
  for (guint i = 0; i < w->n_classes; i++)
    ld_geom_buffer_clear (&w->classes[i]);
  g_free (w->classes);
  w->classes = g_new0 (LdGeomBuffer, n);
  w->n_classes = n;
  g_set_object (&w->palette, palette);
  g_clear_pointer (&w->codes, g_hash_table_unref);
  w->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static int
worker_class_index (Worker     *w,
                    const char *code)
{
  gpointer value;

  if (code == NULL)
    code = "";
  if (g_hash_table_lookup_extended (w->codes, code, NULL, &value))
    return GPOINTER_TO_INT (value) - 1;
  value = GINT_TO_POINTER (ld_palette_lookup_index (w->palette, code) + 1);
  g_hash_table_insert (w->codes, g_strdup (code), value);
  return GPOINTER_TO_INT (value) - 1;
}

/* Fits the biquadratic layer -> tile pixel transform on a 3 x 3 grid over the tile's extent
 * in layer coordinates, transformed exactly by PROJ. */
static gboolean
fit_transform (Worker          *w,
               double           bx0,
               double           by0,
               double           bx1,
               double           by1,
               double           mx0,
               double           my0,
               double           res,
               LdGeomTransform *t)
{
  double fx[3][3], fy[3][3], ax[3][3], ay[3][3];

  t->x0 = (bx0 + bx1) / 2;
  t->y0 = (by0 + by1) / 2;
  t->sx = 2.0 / MAX (bx1 - bx0, 1e-9);
  t->sy = 2.0 / MAX (by1 - by0, 1e-9);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      {
        PJ_COORD c = proj_trans (w->to_mercator, PJ_FWD,
                                 proj_coord (t->x0 + (i - 1) / t->sx, t->y0 + (j - 1) / t->sy,
                                             0, 0));

        if (!isfinite (c.xy.x) || !isfinite (c.xy.y))
          return FALSE;
        fx[i][j] = (c.xy.x - mx0) / res;
        fy[i][j] = (my0 - c.xy.y) / res;
      }
  /* Lagrange on the nodes -1, 0, 1 in u, then in v: c0 = f0, c1 = (f1 - f-1) / 2,
   * c2 = (f1 + f-1) / 2 - f0. */
  for (int j = 0; j < 3; j++)
    {
      ax[0][j] = fx[1][j];
      ax[1][j] = (fx[2][j] - fx[0][j]) / 2;
      ax[2][j] = (fx[2][j] + fx[0][j]) / 2 - fx[1][j];
      ay[0][j] = fy[1][j];
      ay[1][j] = (fy[2][j] - fy[0][j]) / 2;
      ay[2][j] = (fy[2][j] + fy[0][j]) / 2 - fy[1][j];
    }
  for (int i = 0; i < 3; i++)
    {
      t->cx[i][0] = ax[i][1];
      t->cx[i][1] = (ax[i][2] - ax[i][0]) / 2;
      t->cx[i][2] = (ax[i][2] + ax[i][0]) / 2 - ax[i][1];
      t->cy[i][0] = ay[i][1];
      t->cy[i][1] = (ay[i][2] - ay[i][0]) / 2;
      t->cy[i][2] = (ay[i][2] + ay[i][0]) / 2 - ay[i][1];
    }
  return TRUE;
}

/* The tile's Web Mercator origin (top left) and metres per pixel. */
static void
tile_mercator (int     zoom,
               int     x,
               int     y,
               double *mx0,
               double *my0,
               double *res)
{
  *res = 2 * MERCATOR_HALF / (LD_TILE_SIZE * (double) (1u << zoom));
  *mx0 = -MERCATOR_HALF + x * LD_TILE_SIZE * *res;
  *my0 = MERCATOR_HALF - y * LD_TILE_SIZE * *res;
}

/* The tile's extent in layer coordinates, with a margin for antialiasing and outlines. */
static gboolean
tile_source_bounds (Worker *w,
                    int     zoom,
                    int     x,
                    int     y,
                    double *bx0,
                    double *by0,
                    double *bx1,
                    double *by1)
{
  double mx0, my0, res, m;

  tile_mercator (zoom, x, y, &mx0, &my0, &res);
  m = MARGIN_PX * res;
  return proj_trans_bounds (w->ctx, w->to_mercator, PJ_INV,
                            mx0 - m, my0 - LD_TILE_SIZE * res - m,
                            mx0 + LD_TILE_SIZE * res + m, my0 + m,
                            bx0, by0, bx1, by1, 21) != 0;
}

static void
add_label (Worker             *w,
           const LdGeomBuffer *g,
           int                 entry,
           const char         *code)
{
  double x0, y0, x1, y1;
  Label label;

  ld_geom_buffer_bounds (g, &x0, &y0, &x1, &y1);
  if (x1 - x0 < LABEL_MIN_PX || y1 - y0 < LABEL_MIN_PX / 2 ||
      x1 < 0 || y1 < 0 || x0 > LD_TILE_SIZE || y0 > LD_TILE_SIZE)
    return;
  label.x = (x0 + x1) / 2;
  label.y = (y0 + y1) / 2;
  if (!ld_geom_buffer_contains (g, label.x, label.y))
    return;
  label.entry = entry;
  g_strlcpy (label.code, code, sizeof label.code);
  g_array_append_val (w->labels, label);
}

/* Decodes a feature straight into its class's polygons (no copy); a malformed feature is
 * skipped, leaving the class as it was: one bad row must not blank the map. */
static gboolean
decode_into_class (Worker                *w,
                   const guint8          *blob,
                   int                    length,
                   const LdGeomTransform *t,
                   int                    entry,
                   const char            *label_code)
{
  LdGeomBuffer *to = &w->classes[entry];
  guint points = to->n_points, rings = to->n_rings, polygons = to->n_polygons;

  if (!ld_gpkg_geom_decode (blob, length, t, MIN_STEP_PX, to, NULL))
    {
      to->n_points = points;
      to->n_rings = rings;
      to->n_polygons = polygons;
      return FALSE;
    }
  if (label_code != NULL)
    {
      /* The feature alone: a view of what was just appended. */
      LdGeomBuffer feature = { to->xy + 2 * (gsize) points, to->n_points - points, 0,
                               to->rings + rings, to->n_rings - rings, 0,
                               to->polygons + polygons, to->n_polygons - polygons, 0 };

      add_label (w, &feature, entry, label_code);
    }
  return TRUE;
}

static void
draw_labels (Worker  *w,
             cairo_t *cr)
{
  if (w->labels->len == 0)
    return;
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 10);
  for (guint i = 0; i < w->labels->len; i++)
    {
      const Label *l = &g_array_index (w->labels, Label, i);
      cairo_text_extents_t ext;

      cairo_text_extents (cr, l->code, &ext);
      cairo_move_to (cr, l->x - ext.width / 2 - ext.x_bearing, l->y - ext.height / 2 - ext.y_bearing);
      cairo_text_path (cr, l->code);
      cairo_set_source_rgba (cr, 1, 1, 1, 0.8);
      cairo_set_line_width (cr, 2.5);
      cairo_stroke_preserve (cr);
      cairo_set_source_rgb (cr, 0.15, 0.15, 0.15);
      cairo_fill (cr);
    }
}

/* Draws one tile with worker @w; @details adds outlines and labels at their zooms (not in
 * overviews, which are shrunk). Returns a new ARGB32 surface, or NULL with @error set. */
static cairo_surface_t *
render_tile (LdTileRenderer  *self,
             Worker          *w,
             LdPalette       *palette,
             int              zoom,
             int              x,
             int              y,
             gboolean         details,
             GError         **error)
{
  double bx0, by0, bx1, by1, mx0, my0, res;
  LdGeomTransform t;
  cairo_surface_t *surface;
  cairo_t *cr;
  gboolean outlines = details && zoom >= LD_TILE_RENDERER_OUTLINE_ZOOM;
  gboolean labels = details && zoom >= LD_TILE_RENDERER_LABEL_ZOOM;
  int rc;

  worker_use_palette (w, palette);
  for (guint i = 0; i < w->n_classes; i++)
    ld_geom_buffer_reset (&w->classes[i]);
  g_array_set_size (w->labels, 0);

  tile_mercator (zoom, x, y, &mx0, &my0, &res);
  if (!tile_source_bounds (w, zoom, x, y, &bx0, &by0, &bx1, &by1) ||
      !fit_transform (w, bx0, by0, bx1, by1, mx0, my0, res, &t))
    {
      g_set_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_PROJ,
                   "tile %d/%d/%d cannot be transformed to %s", zoom, x, y, self->source_crs);
      return NULL;
    }

  sqlite3_bind_double (w->query, 1, bx1);
  sqlite3_bind_double (w->query, 2, bx0);
  sqlite3_bind_double (w->query, 3, by1);
  sqlite3_bind_double (w->query, 4, by0);
  while ((rc = sqlite3_step (w->query)) == SQLITE_ROW)
    {
      const guint8 *blob = sqlite3_column_blob (w->query, 0);
      int length = sqlite3_column_bytes (w->query, 0);
      const char *code = self->class_field ? (const char *) sqlite3_column_text (w->query, 1) : NULL;
      int entry = worker_class_index (w, code);
      const LdPaletteEntry *e;

      if (entry < 0)
        continue;
      e = ld_palette_get_entry (palette, entry);
      if (!e->has_fill && !(outlines && e->has_outline))
        continue;
      decode_into_class (w, blob, length, &t, entry, labels && e->label ? code : NULL);
    }
  sqlite3_reset (w->query);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_QUERY,
                   "%s: layer %s, tile %d/%d/%d: %s", self->path, self->table, zoom, x, y,
                   sqlite3_errmsg (w->db));
      return NULL;
    }

  {
    gboolean any = FALSE;

    for (guint i = 0; i < w->n_classes && !any; i++)
      any = w->classes[i].n_polygons > 0;
    if (!any)
      return ld_tile_renderer_empty_tile ();
  }
  surface = tile_surface_new ();
  cairo_surface_flush (surface);
  for (guint i = 0; i < w->n_classes; i++)
    if (w->classes[i].n_polygons > 0 && ld_palette_get_entry (palette, i)->has_fill)
      {
        coverage_add (w->coverage, &w->classes[i]);
        coverage_paint (w->coverage, ld_palette_get_entry (palette, i)->fill,
                        cairo_image_surface_get_data (surface),
                        cairo_image_surface_get_stride (surface));
      }
  if (outlines)
    for (guint i = 0; i < w->n_classes; i++)
      {
        const LdPaletteEntry *e = ld_palette_get_entry (palette, i);

        if (w->classes[i].n_points > 0 && e->has_outline)
          draw_outlines (&w->classes[i], e->outline, cairo_image_surface_get_data (surface),
                         cairo_image_surface_get_stride (surface));
      }
  cairo_surface_mark_dirty (surface);
  if (labels)
    {
      cr = cairo_create (surface);
      draw_labels (w, cr);
      cairo_destroy (cr);
    }
  cairo_surface_flush (surface);
  return surface;
}

/* A tile below the overview zoom, cut from the pyramid; NULL when the pyramid lacks it (it
 * covers the layer's extent only: outside it the tile is empty). */
static cairo_surface_t *
overview_tile (LdTileRenderer  *self,
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
  Worker *w;

  g_mutex_lock (&self->lock);
  palette = g_object_ref (self->palette);
  *generation = self->generation;
  if (self->overview != NULL && zoom < self->overview_zoom)
    overview = g_object_ref (self->overview);
  g_mutex_unlock (&self->lock);

  if (overview != NULL)
    return overview_tile (self, overview, zoom, x, y, error);

  w = g_async_queue_pop (self->workers);
  surface = render_tile (self, w, palette, zoom, x, y, TRUE, error);
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

static void
cache_clear (LdTileRenderer *self)
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
        cache_insert (self, tile_key (zoom, x, y), surface);
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

  key_split (job->key, &zoom, &x, &y);
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
  qtable = quote_ident (self->table);
  qgeom = quote_ident (self->geom_column);
  qrtree = quote_ident (rtree);
  if (self->class_field != NULL)
    qclass = quote_ident (self->class_field);
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
  Worker *w;

  /* Queued jobs hold a reference, so none is left; the last one may be dropping it from a pool
   * thread right now, which must not wait for itself. */
  if (self->pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->pool), TRUE, FALSE);
  if (self->workers != NULL)
    {
      while ((w = g_async_queue_try_pop (self->workers)) != NULL)
        worker_free (w);
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
  self->watch = open_readonly (gpkg_path, error);
  if (self->watch == NULL || !load_layer (self, self->watch, error))
    return NULL;
  self->watch_version = data_version (self->watch);

  if (n_threads == 0)
    n_threads = MAX (1, g_get_num_processors ());
  self->workers = g_async_queue_new ();
  for (guint i = 0; i < n_threads; i++)
    {
      Worker *w = worker_new (self, error);

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
  cache_clear (self);
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
  version = data_version (self->watch);
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
  Worker *w;

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
  guint64 key = tile_key (zoom, x, y);
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

static gboolean
check_tile (int      zoom,
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

  if (!check_tile (zoom, x, y, error))
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
  guint64 key = tile_key (zoom, x, y);
  cairo_surface_t *surface;
  GPtrArray *tasks;

  g_return_if_fail (LD_IS_TILE_RENDERER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_tile_renderer_render_async);
  if (!check_tile (zoom, x, y, &error))
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
  Worker *w;

  g_return_val_if_fail (LD_IS_TILE_RENDERER (self), -1);

  if (!check_tile (zoom, x, y, error))
    return -1;
  w = g_async_queue_pop (self->workers);
  if (!tile_source_bounds (w, zoom, x, y, &bx0, &by0, &bx1, &by1))
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

/* Identifies what an overview was built from: the layer, its palette and its data. */
static char *
overview_stamp (LdTileRenderer *self)
{
  g_autofree char *qtable = quote_ident (self->table);
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
  GBytes        **pngs;       /* NULL for empty tiles */
  GCancellable   *cancellable;
  GMutex          lock;
  GError         *error;
} OverviewBuild;

static gpointer
overview_thread (gpointer data)
{
  OverviewBuild *b = data;
  Worker *w = g_async_queue_pop (b->self->workers);

  for (;;)
    {
      guint i = (guint) g_atomic_int_add (&b->next, 1);
      GError *error = NULL;
      cairo_surface_t *surface;

      if (i >= b->n_tiles || g_cancellable_is_cancelled (b->cancellable))
        break;
      surface = render_tile (b->self, w, b->palette, b->zoom, b->x0 + (int) i % b->columns,
                             b->y0 + (int) i / b->columns, FALSE, &error);
      if (surface == NULL)
        {
          g_mutex_lock (&b->lock);
          if (b->error == NULL)
            b->error = error;
          else
            g_error_free (error);
          g_mutex_unlock (&b->lock);
          break;
        }
      if (!ld_tile_renderer_is_empty_tile (surface) && !surface_is_empty (surface))
        b->pngs[i] = ld_tile_png_encode (surface);
      cairo_surface_destroy (surface);
    }
  g_async_queue_push (b->self->workers, w);
  return NULL;
}

/* Halves four children into their parent; NULL when all four are empty. */
static GBytes *
compose_parent (GHashTable *level,
                int         x,
                int         y)
{
  cairo_surface_t *parent = NULL;
  cairo_t *cr = NULL;
  GBytes *png;

  for (int c = 0; c < 4; c++)
    {
      guint64 key = tile_key (0, 2 * x + c % 2, 2 * y + c / 2);
      GBytes *child_png = g_hash_table_lookup (level, &key);
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
write_level (LdMbtiles   *mbtiles,
             int          zoom,
             GHashTable  *level,
             GError     **error)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, level);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      int z, x, y;

      key_split (*(guint64 *) key, &z, &x, &y);
      if (!ld_mbtiles_write_tile (mbtiles, zoom, x, (1 << zoom) - 1 - y, value, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * ld_tile_renderer_build_overview:
 * @mbtiles_path: the side file to (re)write, e.g. in the user's cache directory
 * @overview_zoom: tiles below this zoom come from the pyramid; pick the lowest zoom whose
 *   tiles hold no more than a few thousand features
 *
 * Renders every tile of the layer's extent at @overview_zoom on all workers, halves them level
 * by level down to zoom 0 into an MBTiles file (written to a temporary file, then renamed),
 * and uses it. Blocking: run it in a thread.
 */
gboolean
ld_tile_renderer_build_overview (LdTileRenderer  *self,
                                 const char      *mbtiles_path,
                                 int              overview_zoom,
                                 GCancellable    *cancellable,
                                 GError         **error)
{
  g_autofree char *tmp_path = g_strconcat (mbtiles_path, ".part", NULL);
  g_autofree char *tmp_journal = g_strconcat (tmp_path, "-journal", NULL);
  g_autofree char *stamp = overview_stamp (self);
  g_autofree char *zoom_text = g_strdup_printf ("%d", overview_zoom);
  g_autoptr(LdMbtiles) out = NULL;
  g_autoptr(GHashTable) level = NULL;
  OverviewBuild b = { 0 };
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  LdLonLatBox box;
  int x1, y1;

  g_return_val_if_fail (LD_IS_TILE_RENDERER (self), FALSE);
  g_return_val_if_fail (overview_zoom > 0 && overview_zoom <= 16, FALSE);

  if (!ld_tile_renderer_get_extent (self, &box))
    {
      g_set_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_OVERVIEW,
                   "%s: layer %s has no extent in gpkg_contents", self->path, self->table);
      return FALSE;
    }
  /* A build cut short leaves its file and journal behind: neither may leak into this one. */
  g_remove (tmp_path);
  g_remove (tmp_journal);
  out = ld_mbtiles_create (tmp_path, error);
  if (out == NULL)
    return FALSE;

  b.self = self;
  b.palette = g_object_ref (self->palette);
  b.zoom = overview_zoom;
  ld_geo_tile_range (&box, overview_zoom, &b.x0, &b.y0, &x1, &y1);
  b.columns = x1 - b.x0 + 1;
  b.n_tiles = (guint) (b.columns * (y1 - b.y0 + 1));
  b.pngs = g_new0 (GBytes *, b.n_tiles);
  b.cancellable = cancellable;
  g_mutex_init (&b.lock);
  for (guint i = 0; i < self->n_workers; i++)
    g_ptr_array_add (threads, g_thread_new ("ld-overview", overview_thread, &b));
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (threads->pdata[i]);
  g_mutex_clear (&b.lock);
  g_object_unref (b.palette);

  level = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                 (GDestroyNotify) g_bytes_unref);
  for (guint i = 0; i < b.n_tiles; i++)
    if (b.pngs[i] != NULL)
      {
        guint64 key = tile_key (0, b.x0 + (int) i % b.columns, b.y0 + (int) i / b.columns);

        g_hash_table_insert (level, g_memdup2 (&key, sizeof key), b.pngs[i]);
      }
  g_free (b.pngs);
  if (b.error != NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      if (b.error != NULL)
        g_propagate_error (error, b.error);
      g_clear_object (&out);
      g_remove (tmp_path);
      return FALSE;
    }

  if (!ld_mbtiles_begin (out, error))
    return FALSE;
  for (int zoom = overview_zoom - 1; zoom >= 0; zoom--)
    {
      g_autoptr(GHashTable) parents = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                             (GDestroyNotify) g_bytes_unref);
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, level);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          int z, x, y;
          guint64 parent_key;

          key_split (*(guint64 *) key, &z, &x, &y);
          parent_key = tile_key (0, x / 2, y / 2);
          if (!g_hash_table_contains (parents, &parent_key))
            {
              GBytes *png = compose_parent (level, x / 2, y / 2);

              if (png != NULL)
                g_hash_table_insert (parents, g_memdup2 (&parent_key, sizeof parent_key), png);
            }
        }
      g_clear_pointer (&level, g_hash_table_unref);
      level = g_steal_pointer (&parents);
      if (!write_level (out, zoom, level, error))
        return FALSE;
    }
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
  cache_clear (self);
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
  Worker *w;

  g_return_val_if_fail (LD_IS_TILE_RENDERER (self), -1);
  if (!check_tile (zoom, x, y, NULL))
    return -1;
  w = g_async_queue_pop (self->workers);
  tile_mercator (zoom, x, y, &mx0, &my0, &res);
  if (tile_source_bounds (w, zoom, x, y, &bx0, &by0, &bx1, &by1) &&
      fit_transform (w, bx0, by0, bx1, by1, mx0, my0, res, &t))
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
