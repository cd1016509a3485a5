/* ld-analysis-clip.c: the crossing-area geometry of the overlay analysis
 *
 * The area of a patch inside the red line from the boundary integral (Green's theorem) over
 * the proper crossings of the two boundaries, no geometry built (ld_analysis_clip_area); a
 * patch that only touches the red line is left to GEOS. And the rectangles that cover a thin
 * or sparse red line for the R-tree queries (ld_analysis_red_cover).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ld-analysis-private.h"

/* Points closer than this (m) to the other boundary make a patch "touchy": GEOS clips it. */
#define CLIP_TOLERANCE 1e-6

/* ld_analysis_red_cover's grid: COVER_CELLS x COVER_CELLS cells over the red line's box. */
#define COVER_CELLS 32

static int
compare_t (gconstpointer a,
           gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
ring_signed_area (const double *xy,
                  guint         n)
{
  double a = 0.0;

  for (guint k = 0; k + 1 < n; k++)
    a += xy[2 * k] * xy[2 * k + 3] - xy[2 * k + 2] * xy[2 * k + 1];
  if (n > 1)
    a += xy[2 * (n - 1)] * xy[1] - xy[0] * xy[2 * (n - 1) + 1];
  return a / 2.0;
}

/* Appends the rings of @b (already in local coordinates) as oriented segments. */
static void
collect_segments (const LdGeomBuffer *b,
                  GArray             *segs)
{
  guint point = 0, ring = 0;

  g_array_set_size (segs, 0);
  for (guint p = 0; p < b->n_polygons; p++)
    for (guint r = 0; r < b->polygons[p]; r++, ring++)
      {
        const double *xy = b->xy + 2 * point;
        guint n = b->rings[ring];
        double area = ring_signed_area (xy, n);
        double sign = (r == 0) == (area >= 0.0) ? 1.0 : -1.0;

        for (guint k = 0; k < n; k++)
          {
            guint next = (k + 1) % n;
            Seg s = { xy[2 * k], xy[2 * k + 1], xy[2 * next], xy[2 * next + 1], 0, 0, 0, 0,
                      sign };

            if (s.x0 == s.x1 && s.y0 == s.y1)
              continue;
            s.minx = MIN (s.x0, s.x1);
            s.maxx = MAX (s.x0, s.x1);
            s.miny = MIN (s.y0, s.y1);
            s.maxy = MAX (s.y0, s.y1);
            g_array_append_val (segs, s);
          }
        point += n;
      }
}

/* Even-odd point in polygon over a set of segments (half-open rule on y). */
static gboolean
point_inside (const Seg *segs,
              guint      n,
              double     x,
              double     y)
{
  gboolean inside = FALSE;

  for (guint i = 0; i < n; i++)
    {
      const Seg *s = &segs[i];

      if ((s->y0 > y) != (s->y1 > y)
          && x < s->x0 + (y - s->y0) * (s->x1 - s->x0) / (s->y1 - s->y0))
        inside = !inside;
    }
  return inside;
}

static inline double
orient (double ax, double ay, double bx, double by, double px, double py)
{
  return (bx - ax) * (py - ay) - (by - ay) * (px - ax);
}

/* Whether segments @a and @b cross properly; FALSE with *touchy when an end of one lies within
 * CLIP_TOLERANCE of the other's line while their boxes meet (shared or touching boundaries). */
static gboolean
crossing (const Seg *a,
          const Seg *b,
          double    *ta,
          double    *tb,
          gboolean  *touchy)
{
  double la, lb, d1, d2, d3, d4;

  if (a->maxx < b->minx - CLIP_TOLERANCE || a->minx > b->maxx + CLIP_TOLERANCE
      || a->maxy < b->miny - CLIP_TOLERANCE || a->miny > b->maxy + CLIP_TOLERANCE)
    return FALSE;
  la = hypot (a->x1 - a->x0, a->y1 - a->y0);
  lb = hypot (b->x1 - b->x0, b->y1 - b->y0);
  d1 = orient (b->x0, b->y0, b->x1, b->y1, a->x0, a->y0);
  d2 = orient (b->x0, b->y0, b->x1, b->y1, a->x1, a->y1);
  d3 = orient (a->x0, a->y0, a->x1, a->y1, b->x0, b->y0);
  d4 = orient (a->x0, a->y0, a->x1, a->y1, b->x1, b->y1);
  if (fabs (d1) <= CLIP_TOLERANCE * lb || fabs (d2) <= CLIP_TOLERANCE * lb
      || fabs (d3) <= CLIP_TOLERANCE * la || fabs (d4) <= CLIP_TOLERANCE * la)
    {
      *touchy = TRUE;
      return FALSE;
    }
  if ((d1 > 0) == (d2 > 0) || (d3 > 0) == (d4 > 0))
    return FALSE;
  *ta = d1 / (d1 - d2);
  *tb = d3 / (d3 - d4);
  return TRUE;
}

/* Adds the pieces of @s inside the other boundary: @inside is the state at its start, and it
 * toggles at every crossing in @ts. */
static double
inside_pieces (const Seg *s,
               GArray    *ts,
               gboolean   inside)
{
  double sum = 0.0, t0 = 0.0;
  double dx = s->x1 - s->x0, dy = s->y1 - s->y0;

  if (ts->len > 1)
    g_array_sort (ts, compare_t);
  for (guint i = 0; i <= ts->len; i++)
    {
      double t1 = i < ts->len ? g_array_index (ts, double, i) : 1.0;

      if (inside)
        {
          double ax = s->x0 + t0 * dx, ay = s->y0 + t0 * dy;
          double bx = s->x0 + t1 * dx, by = s->y0 + t1 * dy;

          sum += s->sign * (ax * by - bx * ay);
        }
      inside = !inside;
      t0 = t1;
    }
  return sum / 2.0;
}

/*
 * The area of a patch inside the red line without building the intersection: by Green's
 * theorem it is the boundary integral over the parts of the patch's boundary inside the red
 * line and the parts of the red line's boundary inside the patch, both oriented with their
 * interior on the left. The state inside/outside is found once per ring start by ray casting
 * and toggles at each proper crossing. A patch that touches the red line (a vertex within
 * CLIP_TOLERANCE of the other boundary, shared edges) returns FALSE and goes to GEOS, which
 * handles those cases exactly. Assumes valid polygons, as GEOS does for the area.
 */
gboolean
ld_analysis_clip_area (Clip         *clip,
                       LdGeomBuffer *b,
                       GArray       *patch_segs,
                       double       *area,
                       gboolean     *whole)
{
  const Seg *rs = (const Seg *) (gpointer) clip->segs->data;
  double minx = G_MAXDOUBLE, miny = G_MAXDOUBLE, maxx = -G_MAXDOUBLE, maxy = -G_MAXDOUBLE;
  double sum = 0.0, patch_part;
  gboolean touchy = FALSE, prev_inside = FALSE;
  guint crossings = 0, prev_crossings = 0;
  const Seg *ps;

  for (guint i = 0; i < b->n_points; i++)
    {
      double x = b->xy[2 * i] -= clip->ox, y = b->xy[2 * i + 1] -= clip->oy;

      minx = MIN (minx, x);
      maxx = MAX (maxx, x);
      miny = MIN (miny, y);
      maxy = MAX (maxy, y);
    }
  collect_segments (b, patch_segs);
  ps = (const Seg *) (gpointer) patch_segs->data;
  g_array_set_size (clip->near, 0);
  for (guint i = 0; i < clip->segs->len; i++)
    if (rs[i].maxx >= minx - CLIP_TOLERANCE && rs[i].minx <= maxx + CLIP_TOLERANCE
        && rs[i].maxy >= miny - CLIP_TOLERANCE && rs[i].miny <= maxy + CLIP_TOLERANCE)
      g_array_append_val (clip->near, i);

  *whole = FALSE;
  if (clip->near->len == 0)
    {
      /* the red line's boundary misses the patch's box: all in, or all out */
      if (patch_segs->len > 0 && point_inside (rs, clip->segs->len, ps[0].x0, ps[0].y0))
        {
          for (guint i = 0; i < patch_segs->len; i++)
            sum += ps[i].sign * (ps[i].x0 * ps[i].y1 - ps[i].x1 * ps[i].y0);
          *whole = TRUE;
        }
      *area = MAX (sum / 2.0, 0.0);
      return TRUE;
    }

  /* the patch's boundary inside the red line */
  for (guint i = 0; i < patch_segs->len; i++)
    {
      const Seg *e = &ps[i];
      gboolean inside;

      g_array_set_size (clip->ts, 0);
      for (guint k = 0; k < clip->near->len; k++)
        {
          double ta, tb;

          if (crossing (e, &rs[g_array_index (clip->near, guint, k)], &ta, &tb, &touchy))
            g_array_append_val (clip->ts, ta);
          if (touchy)
            return FALSE;
        }
      crossings += clip->ts->len;
      /* the state carries over from the previous edge of the ring, toggled by its crossings */
      if (i > 0 && e->x0 == ps[i - 1].x1 && e->y0 == ps[i - 1].y1)
        inside = (prev_crossings % 2 == 1) ? !prev_inside : prev_inside;
      else
        inside = point_inside (rs, clip->segs->len, e->x0, e->y0);
      sum += inside_pieces (e, clip->ts, inside);
      prev_inside = inside;
      prev_crossings = clip->ts->len;
    }
  /* the red line's boundary inside the patch */
  patch_part = sum;
  for (guint k = 0; k < clip->near->len; k++)
    {
      const Seg *s = &rs[g_array_index (clip->near, guint, k)];

      g_array_set_size (clip->ts, 0);
      for (guint i = 0; i < patch_segs->len; i++)
        {
          double ta, tb;

          if (crossing (s, &ps[i], &ta, &tb, &touchy))
            g_array_append_val (clip->ts, ta);
          if (touchy)
            return FALSE;
        }
      sum += inside_pieces (s, clip->ts, point_inside (ps, patch_segs->len, s->x0, s->y0));
    }
  /* taken whole: no crossing, and the red line's boundary is not inside the patch */
  *whole = crossings == 0 && patch_part > 0.0 && sum == patch_part;
  *area = MAX (sum, 0.0);
  return TRUE;
}

void
ld_analysis_clip_init (Clip               *clip,
                       const GEOSGeometry *rl,
                       GEOSContextHandle_t geos,
                       double              ox,
                       double              oy)
{
  size_t size = 0;
  unsigned char *wkb;
  LdGeomBuffer b;

  clip->segs = g_array_new (FALSE, FALSE, sizeof (Seg));
  clip->near = g_array_new (FALSE, FALSE, sizeof (guint));
  clip->ts = g_array_new (FALSE, FALSE, sizeof (double));
  clip->ox = ox;
  clip->oy = oy;
  ld_geom_buffer_init (&b);
  {
    GEOSWKBWriter *writer = GEOSWKBWriter_create_r (geos);

    wkb = GEOSWKBWriter_write_r (geos, writer, rl, &size);
    GEOSWKBWriter_destroy_r (geos, writer);
  }
  if (wkb != NULL && ld_wkb_decode_polygons (wkb, size, NULL, 0.0, &b, NULL))
    {
      for (guint i = 0; i < b.n_points; i++)
        {
          b.xy[2 * i] -= ox;
          b.xy[2 * i + 1] -= oy;
        }
      collect_segments (&b, clip->segs);
    }
  if (wkb != NULL)
    GEOSFree_r (geos, wkb);
  ld_geom_buffer_clear (&b);
}

void
ld_analysis_clip_clear (Clip *clip)
{
  g_array_unref (clip->segs);
  g_array_unref (clip->near);
  g_array_unref (clip->ts);
}

GArray *
ld_analysis_red_cover (const Clip *clip,
                       double      minx,
                       double      miny,
                       double      maxx,
                       double      maxy,
                       double      area)
{
  GArray *rects = g_array_new (FALSE, FALSE, sizeof (Rect));
  const Seg *rs = (const Seg *) (gpointer) clip->segs->data;
  guint8 cells[COVER_CELLS][COVER_CELLS] = { { 0 } };   /* 1 boundary, 2 inside */
  double cw = (maxx - minx) / COVER_CELLS, ch = (maxy - miny) / COVER_CELLS;

  if (area >= 0.25 * (maxx - minx) * (maxy - miny) || cw <= 0 || ch <= 0)
    {
      Rect box = { minx, miny, maxx, maxy };

      g_array_append_val (rects, box);
      return rects;
    }
  /* boundary cells: walk each segment in steps of under half a cell */
  for (guint i = 0; i < clip->segs->len; i++)
    {
      const Seg *sg = &rs[i];
      double len = MAX (fabs (sg->x1 - sg->x0) / cw, fabs (sg->y1 - sg->y0) / ch);
      guint steps = (guint) ceil (len * 2) + 1;

      for (guint k = 0; k <= steps; k++)
        {
          double t = (double) k / steps;
          double x = sg->x0 + t * (sg->x1 - sg->x0) + clip->ox - minx;
          double y = sg->y0 + t * (sg->y1 - sg->y0) + clip->oy - miny;
          int cx = CLAMP ((int) floor (x / cw), 0, COVER_CELLS - 1);
          int cy = CLAMP ((int) floor (y / ch), 0, COVER_CELLS - 1);

          /* and the neighbours a step could have cut the corner of */
          for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
              if (cx + dx >= 0 && cx + dx < COVER_CELLS && cy + dy >= 0 && cy + dy < COVER_CELLS)
                cells[cy + dy][cx + dx] = 1;
        }
    }
  for (int cy = 0; cy < COVER_CELLS; cy++)
    for (int cx = 0; cx < COVER_CELLS; cx++)
      if (cells[cy][cx] == 0
          && point_inside (rs, clip->segs->len, minx + (cx + 0.5) * cw - clip->ox,
                           miny + (cy + 0.5) * ch - clip->oy))
        cells[cy][cx] = 2;
  for (int cy = 0; cy < COVER_CELLS; cy++)
    for (int cx = 0; cx < COVER_CELLS;)
      {
        int end = cx;

        if (cells[cy][cx] == 0)
          {
            cx++;
            continue;
          }
        while (end + 1 < COVER_CELLS && cells[cy][end + 1] != 0)
          end++;
        {
          Rect rect = { minx + cx * cw, miny + cy * ch, minx + (end + 1) * cw,
                        miny + (cy + 1) * ch };

          g_array_append_val (rects, rect);
        }
        cx = end + 1;
      }
  return rects;
}
