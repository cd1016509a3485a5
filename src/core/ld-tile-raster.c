/* ld-tile-raster.c: the overlay rasteriser: exact-area coverage fills, hairline outlines, tile
 * pixels
 *
 * Fills are our own exact-area antialiasing: each polygon edge adds the signed area it covers
 * to the cells it crosses (ld_coverage_add), and a running sum along each row gives every
 * pixel's coverage (ld_coverage_paint); cairo's general scan converter was 5-10x slower on
 * thousands of small patches. Rings wholly inside the tile (most patches once zoomed in) skip
 * clipping and take a single-precision path that sorts steep and shallow edges without
 * branching. Classes are added to the tile with SATURATE, not painted over each other, so
 * neighbouring patches of different classes leave no seam. Outlines are aliased one-pixel
 * lines (our own DDA: cairo's stroker cost more than the whole fill).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ld-tile-raster.h"
#include "ld-tile-renderer.h"

/* A signed-area accumulation buffer (one per class in a tile): each polygon edge adds the area
 * it covers to the cells it crosses; a running sum along a row then gives each pixel's exact
 * coverage. Much faster than cairo's general scan converter for thousands of small polygons,
 * exact antialiasing, and overlapping or adjacent patches of one class never show seams. */
#define COVERAGE_STRIDE (LD_TILE_SIZE + 4)

#define TOUCHED_WORDS ((COVERAGE_STRIDE + 63) / 64)

struct _LdCoverage
{
  float   *cells;     /* COVERAGE_STRIDE x LD_TILE_SIZE, zero outside [y0, y1) */
  guint64 *touched;   /* TOUCHED_WORDS per row: bit x says cells x to x + 2 may be written,
                       * so painting skips the runs between */
  int      y0, y1;
};

void
ld_coverage_free (LdCoverage *c)
{
  if (c == NULL)
    return;

  g_free (c->cells);
  g_free (c->touched);
  g_free (c);
}

LdCoverage *
ld_coverage_new (void)
{
  LdCoverage *c = g_new0 (LdCoverage, 1);

  c->cells = g_new0 (float, COVERAGE_STRIDE * LD_TILE_SIZE);
  c->touched = g_new0 (guint64, TOUCHED_WORDS * LD_TILE_SIZE);
  c->y0 = LD_TILE_SIZE;
  c->y1 = 0;
  return c;
}

/* Min and max in the form x86-64's minss and maxss compute (the first operand if it compares
 * less or greater, else the second), so GCC emits those instructions without a branch; the
 * rasteriser's inner loops would mispredict a branch either way at random. */
static inline float
minf (float a,
      float b)
{
  return a < b ? a : b;
}

static inline float
maxf (float a,
      float b)
{
  return a > b ? a : b;
}

static inline void
touch_range (guint64 *bits,
             int      from,
             int      to)
{
  for (int i = from; i <= to; i++)
    bits[i >> 6] |= G_GUINT64_CONSTANT (1) << (i & 63);
}

/* Adds one row's part of an edge, from x @xa to @xb (both in [0, LD_TILE_SIZE]), @d its
 * signed height. A touched bit x stands for cells x to x + 2: a step of a steep edge writes
 * just those three. */
G_ALWAYS_INLINE static inline void
coverage_step (float   *row,
               guint64 *bits,
               float    xa,
               float    xb,
               float    d)
{
  float xl = minf (xa, xb), xr = maxf (xa, xb);
  /* x >= 0 here: casts are floor and ceil without a libm call (x86-64 has no SSE4.1
   * rounding by default). */
  int il = (int) xl, ir = (int) xr;

  if (ir != il)
    ir += (float) ir < xr;
  if (ir <= il + 1)
    {
      float xmf = 0.5f * (xa + xb) - il;

      row[il] += d - d * xmf;
      row[il + 1] += d * xmf;
      bits[il >> 6] |= G_GUINT64_CONSTANT (1) << (il & 63);
    }
  else
    {
      float s = 1.0f / (xr - xl);
      float x0f = xl - il;
      float a0 = 0.5f * s * (1 - x0f) * (1 - x0f);
      float x1f = xr - ir + 1;
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
      touch_range (bits, il, ir - 2);
    }
}

/* One row's part of a steep edge (at most one pixel across per row): it covers cells il to
 * il + 2 at most, split at x = il + 1 into two parts each within one column. No branch on
 * where it falls: short edges do that unpredictably, and a mispredicted branch costs more
 * than the arithmetic. @adydx is |dy / dx| (large for vertical edges). */
G_ALWAYS_INLINE static inline void
coverage_step_steep (float   *row,
                     guint64 *bits,
                     float    xa,
                     float    xb,
                     float    dy,
                     float    dir,
                     float    adydx)
{
  float xl = minf (xa, xb), xr = maxf (xa, xb);
  int il = (int) xl;
  float b = (float) (il + 1);
  float over = maxf (xr - b, 0.0f);
  float d2 = minf (over * adydx, dy) * dir, d1 = dy * dir - d2;
  float m1 = 0.5f * (xl + minf (xr, b)) - (float) il, m2 = 0.5f * over;

  row[il] += d1 - d1 * m1;
  row[il + 1] += d1 * m1 + d2 - d2 * m2;
  row[il + 2] += d2 * m2;
  bits[il >> 6] |= G_GUINT64_CONSTANT (1) << (il & 63);
}

/* An edge of a ring wholly inside the tile, from its top (ymin, x at ymin) down to ymax. */
typedef struct
{
  float ymin, ymax, x, dxdy, dir;
} Edge;

#define EDGE_CHUNK 64

/* The rows of edges that are all steep, or all not: the kind is decided once per list, and
 * each kind gets its own copy of the loop (coverage_steep_edges, coverage_shallow_edges) with
 * its step inlined, not called once per row. */
G_ALWAYS_INLINE static inline void
coverage_edges_inside (LdCoverage *c,
                       const Edge *edges,
                       guint       n,
                       gboolean    steep)
{
  for (guint i = 0; i < n; i++)
    {
      const Edge *e = &edges[i];
      int y = (int) e->ymin, yend = (int) e->ymax;
      float *row = c->cells + (gsize) y * COVERAGE_STRIDE;
      guint64 *bits = c->touched + (gsize) y * TOUCHED_WORDS;
      float xa = e->x, ya = e->ymin;
      float adydx = 1 / maxf (fabsf (e->dxdy), 1e-6f);

      yend += (float) yend < e->ymax;
      for (; y < yend; y++, row += COVERAGE_STRIDE, bits += TOUCHED_WORDS)
        {
          float yb = minf ((float) (y + 1), e->ymax);
          float xb = minf (maxf (e->x + (yb - e->ymin) * e->dxdy, 0.0f), (float) LD_TILE_SIZE);

          if (steep)
            coverage_step_steep (row, bits, xa, xb, yb - ya, e->dir, adydx);
          else
            coverage_step (row, bits, xa, xb, (yb - ya) * e->dir);
          xa = xb;
          ya = yb;
        }
    }
}

static void
coverage_steep_edges (LdCoverage *c,
                      const Edge *edges,
                      guint       n)
{
  coverage_edges_inside (c, edges, n, TRUE);
}

static void
coverage_shallow_edges (LdCoverage *c,
                        const Edge *edges,
                        guint       n)
{
  coverage_edges_inside (c, edges, n, FALSE);
}

/* A ring wholly inside the tile (most patches once zoomed in): no clipping, single precision.
 * Its edges are sorted into steep and shallow ones without a branch, then each list is
 * drawn: tiny patches' edges go either way at random, and a mispredicted branch per edge
 * cost more than its arithmetic. */
static void
coverage_ring_inside (LdCoverage   *c,
                      const double *xy,
                      guint         n,
                      float         sign)
{
  Edge steep[EDGE_CHUNK], shallow[EDGE_CHUNK];
  float px = (float) xy[2 * (n - 1)], py = (float) xy[2 * (n - 1) + 1];

  for (guint start = 0; start < n; start += EDGE_CHUNK)
    {
      guint n_steep = 0, n_shallow = 0;

      for (guint i = start; i < MIN (n, start + EDGE_CHUNK); i++)
        {
          float x = (float) xy[2 * i], y = (float) xy[2 * i + 1];
          float dy = y - py;
          Edge e;
          gboolean valid = dy != 0, is_steep;

          e.ymin = minf (py, y);
          e.ymax = maxf (py, y);
          e.dxdy = valid ? (x - px) / dy : 0;
          e.x = px + (e.ymin - py) * e.dxdy;
          e.dir = copysignf (1.0f, dy) * sign;
          is_steep = fabsf (e.dxdy) <= 1;
          steep[n_steep] = e;
          shallow[n_shallow] = e;
          n_steep += valid & is_steep;
          n_shallow += valid & !is_steep;
          px = x;
          py = y;
        }
      coverage_steep_edges (c, steep, n_steep);
      coverage_shallow_edges (c, shallow, n_shallow);
    }
}

/* Adds the signed area of the edge (x0, y0) -> (x1, y1) to the cells it crosses, clipped to
 * the tile: above and below it adds nothing, left and right it runs along the tile's edge
 * (the left one still covers the pixels to its right). */
static void
coverage_line (LdCoverage *c,
               double      x0,
               double      y0,
               double      x1,
               double      y1,
               float       sign)
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
  ya = MAX (ystart, y0);
  xa = x0 + (ya - y0) * dxdy;
  for (int y = ystart; y < yend; y++)
    {
      double yb = MIN (y + 1, y1), xb = x0 + (yb - y0) * dxdy;

      coverage_step (c->cells + (gsize) y * COVERAGE_STRIDE, c->touched + (gsize) y * TOUCHED_WORDS,
                     (float) CLAMP (xa, 0, w), (float) CLAMP (xb, 0, w), (float) (yb - ya) * dir);
      xa = xb;
      ya = yb;
    }
}

/* Adds every ring; outer rings count positive and holes negative, whatever their stored
 * orientation, so that any number of patches of one class add up without seams. A ring
 * wholly above, below or beside the tile adds nothing (a closed ring's steps cancel out in
 * every row), one wholly inside takes the unclipped path. */
void
ld_coverage_add (LdCoverage         *c,
                 const LdGeomBuffer *g)
{
  const double w = LD_TILE_SIZE;
  guint ring = 0, point = 0;

  for (guint p = 0; p < g->n_polygons; p++)
    for (guint k = 0; k < g->polygons[p]; k++, ring++)
      {
        const double *xy = g->xy + 2 * point;
        guint n = g->rings[ring];
        double area = 0, minx, miny, maxx, maxy;
        float sign;

        point += n;
        if (n < 3)
          continue;
        minx = maxx = xy[0];
        miny = maxy = xy[1];
        for (guint i = 0, j = n - 1; i < n; j = i++)
          {
            area += (xy[2 * j] - xy[2 * i]) * (xy[2 * j + 1] + xy[2 * i + 1]);
            minx = MIN (minx, xy[2 * i]);
            maxx = MAX (maxx, xy[2 * i]);
            miny = MIN (miny, xy[2 * i + 1]);
            maxy = MAX (maxy, xy[2 * i + 1]);
          }
        if (area == 0 || maxy <= 0 || miny >= w || maxx <= 0 || minx >= w)
          continue;
        sign = (area > 0) == (k == 0) ? 1.0f : -1.0f;
        c->y0 = MIN (c->y0, miny <= 0 ? 0 : (int) miny);
        c->y1 = MAX (c->y1, maxy >= w ? LD_TILE_SIZE : (int) ceil (maxy));
        if (minx >= 0 && maxx <= w && miny >= 0 && maxy <= w)
          coverage_ring_inside (c, xy, n, sign);
        else
          for (guint i = 0, j = n - 1; i < n; j = i++)
            coverage_line (c, xy[2 * j], xy[2 * j + 1], xy[2 * i], xy[2 * i + 1], sign);
      }
}

/* Adds @solid (premultiplied ARGB) at coverage @ik / 256 to @dst, but never more than the
 * alpha @dst has left (cairo's SATURATE operator, for an opaque colour): two patches of
 * different classes that share an edge then fill its pixels exactly, where painting one
 * over the other would let a quarter of the background show through as a faint seam. Where
 * patches overlap, the class painted first keeps the pixel. Two channels per multiply; the
 * sums cannot carry, as premultiplied channels never exceed their alpha. */
static inline guint32
add_saturate (guint32 dst,
              guint32 solid,
              guint32 ik)
{
  guint32 room = 256 - (dst >> 24);
  guint32 k = ik < room ? ik : room;
  guint32 rb = (((solid & 0xff00ff) * k) >> 8) & 0xff00ff;
  guint32 ag = ((((solid >> 8) & 0xff00ff) * k) >> 8) & 0xff00ff;

  return dst + rb + (ag << 8);
}

/* Paints the pixels from @from to @to, all at coverage @cover (between two edges). */
static inline void
paint_run (guint32 *out,
           int      from,
           int      to,
           float    cover,
           guint32  solid)
{
  guint32 ik;

  cover = fabsf (cover);
  if (cover < 0.5f / 255 || from >= to)
    return;
  ik = (guint32) (minf (cover, 1.0f) * 256 + 0.5f);
  if (ik == 256)
    {
      guint32 any = 0;

      /* Inside a patch the tile is mostly still empty: then plain stores. Both loops
       * vectorise; the per-pixel blend below does not. */
      for (int x = from; x < to; x++)
        any |= out[x];
      if (any == 0)
        {
          for (int x = from; x < to; x++)
            out[x] = solid;
          return;
        }
    }
  for (int x = from; x < to; x++)
    out[x] = add_saturate (out[x], solid, ik);
}

/* @rgba premultiplied by its alpha, 0 to 255 per channel (red, green, blue, alpha), into
 * @premul; returns the same as one ARGB32 pixel. */
static guint32
premultiply (const double rgba[4],
             float        premul[4])
{
  float a = (float) rgba[3];

  premul[0] = (float) rgba[0] * a * 255;
  premul[1] = (float) rgba[1] * a * 255;
  premul[2] = (float) rgba[2] * a * 255;
  premul[3] = a * 255;
  return (guint32) (premul[3] + 0.5f) << 24 | (guint32) (premul[0] + 0.5f) << 16 |
         (guint32) (premul[1] + 0.5f) << 8 | (guint32) (premul[2] + 0.5f);
}

/* Paints a class colour into the image through its coverage (add_saturate), and zeroes the
 * buffer. Between two written cells the running sum is constant, so each row costs its edges
 * plus runs. */
void
ld_coverage_paint (LdCoverage   *c,
                   const double  rgba[4],
                   guint8       *data,
                   int           stride)
{
  float premul[4];
  guint32 solid = premultiply (rgba, premul);

  for (int y = c->y0; y < c->y1; y++)
    {
      float *cells = c->cells + (gsize) y * COVERAGE_STRIDE;
      guint64 *bits = c->touched + (gsize) y * TOUCHED_WORDS;
      guint32 *out = (guint32 *) (data + (gsize) y * stride);
      float acc = 0;
      int pos = 0;   /* the first pixel not painted yet */

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
                  cells[x] = cells[x + 1] = cells[x + 2] = 0;
                  continue;
                }
              paint_run (out, pos, x, acc, solid);
              /* Cells x to x + 2, less those an earlier bit covered. */
              for (int cx = MAX (x, pos); cx <= x + 2; cx++)
                {
                  acc += cells[cx];
                  cells[cx] = 0;
                  if (cx < LD_TILE_SIZE)
                    paint_run (out, cx, cx + 1, acc, solid);
                }
              pos = x + 3;
            }
        }
      paint_run (out, pos, LD_TILE_SIZE, acc, solid);
    }
  c->y0 = LD_TILE_SIZE;
  c->y1 = 0;
}

static inline void
plot (guint8      *data,
      int          stride,
      int          x,
      int          y,
      guint32      solid,
      const float  premul[4],
      float        alpha)
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
void
ld_tile_draw_outlines (const LdGeomBuffer *g,
                       const double        rgba[4],
                       guint8             *data,
                       int                 stride)
{
  float a = (float) rgba[3];
  float premul[4];
  guint32 solid = premultiply (rgba, premul);
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
cairo_surface_t *
ld_tile_surface_new (void)
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

