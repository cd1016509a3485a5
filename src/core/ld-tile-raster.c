/* ld-tile-raster.c: the overlay rasteriser: exact-area coverage fills, hairline outlines, tile
 * pixels
 *
 * Fills are our own exact-area antialiasing: each polygon edge adds the signed area it covers
 * to the cells it crosses (ld_coverage_add), and a running sum along each row gives every
 * pixel's coverage (ld_coverage_paint); cairo's general scan converter was 5-10x slower on
 * thousands of small patches. Outlines are aliased one-pixel lines (our own DDA: cairo's
 * stroker cost more than the whole fill).
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
#define COVERAGE_STRIDE (LD_TILE_SIZE + 2)

#define TOUCHED_WORDS ((COVERAGE_STRIDE + 63) / 64)

struct _LdCoverage
{
  float   *cells;     /* COVERAGE_STRIDE x LD_TILE_SIZE, zero outside [y0, y1) */
  guint64 *touched;   /* TOUCHED_WORDS per row: the cells written, so painting skips runs */
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
void
ld_coverage_add (LdCoverage         *c,
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
void
ld_coverage_paint (LdCoverage   *c,
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

