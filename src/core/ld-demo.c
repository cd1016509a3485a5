/* ld-demo.c: the realistic Zhanjiang demo dataset (GeoPackage and base map)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The current land use is a seamless tessellation of the land mask. A lattice of jittered,
 * smoothly warped nodes covers the land; each lattice edge is densified into 2-4 segments with
 * perpendicular offsets that depend only on the edge, so both patches that share it get the very
 * same coordinates. The lattice is cut into blocks; inside a block its cells are grouped into
 * rectangles of 1-3 x 1-2 cells, each one patch (8-40 vertices). Patches that cross the coast are
 * clipped to the land and split or refined to keep 6-40 vertices. Everything follows from the seed
 * and the lattice indices, so a block never needs its neighbours and memory stays flat.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ld-basemap.h"
#include "ld-demo-private.h"
#include "ld-landclass.h"

#define BLOCK        32      /* lattice cells per block side */
#define MIN_VERTICES 6
#define MAX_VERTICES 40
#define CELLS_PER_PATCH 2.2  /* the mean rectangle size the partition below gives */

struct _LdDemo
{
  GObject   parent_instance;

  guint64   seed;
  guint     n_patches;
  guint     n_cases;
  int       min_zoom;
  int       max_zoom;
  char     *gmt;
  gboolean  gmt_set;
  gboolean  overwrite;
  char     *warning;
  guint     n_written;
};

G_DEFINE_FINAL_TYPE (LdDemo, ld_demo, G_TYPE_OBJECT)
G_DEFINE_QUARK (ld-demo-error-quark, ld_demo_error)

typedef struct
{
  double ax, ay, bx, by;
} Segment;

/* The state of one generation run. */
typedef struct
{
  LdDemo                     *self;
  GEOSContextHandle_t         geos;
  LdDemoProj                  proj;
  LdDemoLand                  land;
  const GEOSPreparedGeometry *land_prep;
  const GEOSPreparedGeometry *coast_prep;
  GEOSGeometry               *udb;
  const GEOSPreparedGeometry *udb_prep;
  LdLandclass                *classes;
  guint64                     seed;
  double                      s;        /* lattice step, m */
  double                      x0, y0;   /* lattice origin */
  int                         nx, ny;   /* cells */
  GArray                     *roads;    /* Segment */
  GArray                     *rivers;   /* Segment */
  GDALDatasetH                ds;
  OGRLayerH                   dltb, ydyh, pbf, epr, udb_layer;
  guint64                     n_dltb, n_ydyh, n_pbf, n_epr;
  LdDemoSpots                 spots;
  LdRng                       spot_rng;
  GEOSWKBWriter              *wkb;
} Gen;

/* What a patch is, decided once for the rectangle and kept by its clipped parts. */
typedef struct
{
  const char *dlbm;
  const char *plan;
  const char *county;
  gboolean    state_owned;
  gboolean    in_udb;
  gboolean    pbf;
  gboolean    epr;
  double      kcxs;
} Patch;

typedef struct
{
  const char *name;
  OGRFieldType type;
} FieldSpec;

/* ---------------------------------------------------------------------------------------- */
/* helpers: geometry */

static double
segment_distance (const Segment *s,
                  double         x,
                  double         y)
{
  double dx = s->bx - s->ax, dy = s->by - s->ay, len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((x - s->ax) * dx + (y - s->ay) * dy) / len2 : 0.0;

  t = CLAMP (t, 0.0, 1.0);
  return hypot (s->ax + t * dx - x, s->ay + t * dy - y);
}

static double
lines_distance (GArray *segments,
                double  x,
                double  y)
{
  double best = G_MAXDOUBLE;

  for (guint i = 0; i < segments->len; i++)
    best = MIN (best, segment_distance (&g_array_index (segments, Segment, i), x, y));
  return best;
}

static GArray *
project_lines (Gen              *g,
               const LdDemoLine *lines,
               guint             n_lines)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Segment));

  for (guint l = 0; l < n_lines; l++)
    for (guint i = 0; i + 1 < lines[l].n_points; i++)
      {
        Segment seg;

        ld_demo_proj_forward (&g->proj, lines[l].lonlat[2 * i], lines[l].lonlat[2 * i + 1],
                              &seg.ax, &seg.ay);
        ld_demo_proj_forward (&g->proj, lines[l].lonlat[2 * i + 2], lines[l].lonlat[2 * i + 3],
                              &seg.bx, &seg.by);
        g_array_append_val (out, seg);
      }
  return out;
}

/* A lattice node: regular step, a smooth warp (so field boundaries curve) and a jitter. */
static void
node_position (Gen    *g,
               int     i,
               int     j,
               double *x,
               double *y)
{
  double s = g->s, bx = g->x0 + i * s, by = g->y0 + j * s;
  double wl = 24.0 * s, amp = 2.0 * s;

  *x = bx + (ld_hash_double (g->seed, (guint64) i, (guint64) j) - 0.5) * 0.36 * s
       + (ld_noise2 (g->seed + 11, bx / wl, by / wl) - 0.5) * 2.0 * amp;
  *y = by + (ld_hash_double (g->seed ^ 0x5a5a, (guint64) i, (guint64) j) - 0.5) * 0.36 * s
       + (ld_noise2 (g->seed + 12, bx / wl + 7.7, by / wl - 3.1) - 0.5) * 2.0 * amp;
}

static int
edge_segments (Gen *g,
               int  i,
               int  j,
               int  dir)
{
  return 2 + (int) (ld_hash64 (g->seed + 3 + (guint64) dir, (guint64) i, (guint64) j) % 3);
}

/* Appends the lattice edge from node (i, j) along @dir (0 east, 1 north), @reverse for the
 * other way round: its first node and its inner points, computed from the edge alone so both
 * patches that share it get identical coordinates. */
static void
append_edge (Gen    *g,
             GArray *pts,
             int     i,
             int     j,
             int     dir,
             gboolean reverse)
{
  double ax, ay, bx, by, inner[2 * 4];
  int k = edge_segments (g, i, j, dir);
  double dx, dy, len;

  node_position (g, i, j, &ax, &ay);
  node_position (g, i + (dir == 0), j + (dir == 1), &bx, &by);
  dx = bx - ax;
  dy = by - ay;
  len = hypot (dx, dy);
  for (int m = 1; m < k; m++)
    {
      guint64 key = (guint64) m * 2 + (guint64) dir;
      double t = (m + (ld_hash_double (g->seed + 101 + key, (guint64) i, (guint64) j) - 0.5) * 0.5)
                 / k;
      double off = (ld_hash_double (g->seed + 201 + key, (guint64) i, (guint64) j) - 0.5)
                   * 0.14 * len;

      inner[2 * (m - 1)] = ax + t * dx - dy / len * off;
      inner[2 * (m - 1) + 1] = ay + t * dy + dx / len * off;
    }
  if (!reverse)
    {
      double a[2] = { ax, ay };

      g_array_append_vals (pts, a, 2);
      g_array_append_vals (pts, inner, 2 * (k - 1));
    }
  else
    {
      double b[2] = { bx, by };

      g_array_append_vals (pts, b, 2);
      for (int m = k - 2; m >= 0; m--)
        g_array_append_vals (pts, &inner[2 * m], 2);
    }
}

/* The patch of cells [i0, i0 + w) x [j0, j0 + h), counter-clockwise. */
static GEOSGeometry *
rect_polygon (Gen *g,
              int  i0,
              int  j0,
              int  w,
              int  h)
{
  g_autoptr(GArray) pts = g_array_sized_new (FALSE, FALSE, sizeof (double), 2 * MAX_VERTICES + 2);
  GEOSCoordSequence *seq;
  guint n;

  for (int i = i0; i < i0 + w; i++)
    append_edge (g, pts, i, j0, 0, FALSE);
  for (int j = j0; j < j0 + h; j++)
    append_edge (g, pts, i0 + w, j, 1, FALSE);
  for (int i = i0 + w - 1; i >= i0; i--)
    append_edge (g, pts, i, j0 + h, 0, TRUE);
  for (int j = j0 + h - 1; j >= j0; j--)
    append_edge (g, pts, i0, j, 1, TRUE);

  n = pts->len / 2;
  seq = GEOSCoordSeq_create_r (g->geos, n + 1, 2);
  for (guint p = 0; p <= n; p++)
    {
      const double *c = &g_array_index (pts, double, 2 * (p % n));

      GEOSCoordSeq_setXY_r (g->geos, seq, p, c[0], c[1]);
    }
  return GEOSGeom_createPolygon_r (g->geos, GEOSGeom_createLinearRing_r (g->geos, seq), NULL, 0);
}

static int
count_vertices (GEOSContextHandle_t  geos,
                const GEOSGeometry  *poly)
{
  int n = GEOSGetNumCoordinates_r (geos, poly);

  /* Each ring repeats its first point to close. */
  return n - 1 - GEOSGetNumInteriorRings_r (geos, poly);
}

/* Adds the midpoint of the longest exterior edges until the polygon has @min vertices: the
 * shape does not change, a neighbour's edge stays covered exactly. */
static GEOSGeometry *
refine_polygon (GEOSContextHandle_t  geos,
                const GEOSGeometry  *poly,
                int                  min)
{
  const GEOSGeometry *shell = GEOSGetExteriorRing_r (geos, poly);
  const GEOSCoordSequence *src = GEOSGeom_getCoordSeq_r (geos, shell);
  g_autoptr(GArray) pts = g_array_new (FALSE, FALSE, sizeof (double));
  unsigned int size = 0;
  int have = count_vertices (geos, poly);
  GEOSCoordSequence *seq;
  GEOSGeometry **holes;
  int n_holes = GEOSGetNumInteriorRings_r (geos, poly);
  guint n;

  GEOSCoordSeq_getSize_r (geos, src, &size);
  for (unsigned int p = 0; p + 1 < size; p++)
    {
      double xy[2];

      GEOSCoordSeq_getXY_r (geos, src, p, &xy[0], &xy[1]);
      g_array_append_vals (pts, xy, 2);
    }
  while (have < min)
    {
      guint m = pts->len / 2, best = 0;
      double best_len = -1;

      for (guint p = 0; p < m; p++)
        {
          const double *a = &g_array_index (pts, double, 2 * p);
          const double *b = &g_array_index (pts, double, 2 * ((p + 1) % m));
          double len = hypot (b[0] - a[0], b[1] - a[1]);

          if (len > best_len)
            best_len = len, best = p;
        }
      {
        const double *a = &g_array_index (pts, double, 2 * best);
        const double *b = &g_array_index (pts, double, 2 * ((best + 1) % m));
        double mid[2] = { (a[0] + b[0]) / 2, (a[1] + b[1]) / 2 };

        g_array_insert_vals (pts, 2 * (best + 1), mid, 2);
      }
      have++;
    }
  n = pts->len / 2;
  seq = GEOSCoordSeq_create_r (geos, n + 1, 2);
  for (guint p = 0; p <= n; p++)
    {
      const double *c = &g_array_index (pts, double, 2 * (p % n));

      GEOSCoordSeq_setXY_r (geos, seq, p, c[0], c[1]);
    }
  holes = g_new0 (GEOSGeometry *, MAX (n_holes, 1));
  for (int h = 0; h < n_holes; h++)
    holes[h] = GEOSGeom_clone_r (geos, GEOSGetInteriorRingN_r (geos, poly, h));
  {
    GEOSGeometry *out = GEOSGeom_createPolygon_r (geos, GEOSGeom_createLinearRing_r (geos, seq),
                                                  holes, (unsigned int) n_holes);
    g_free (holes);
    return out;
  }
}

/* Collects the polygons of @geom (owned) into @out, each with 6-40 vertices: too many, and it
 * is cut in two along the middle of its longer side; too few, and it is refined. */
static void
collect_parts (Gen          *g,
               GEOSGeometry *geom,
               GPtrArray    *out,
               int           depth)
{
  int type = GEOSGeomTypeId_r (g->geos, geom);

  if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION)
    {
      int n = GEOSGetNumGeometries_r (g->geos, geom);

      for (int i = 0; i < n; i++)
        collect_parts (g, GEOSGeom_clone_r (g->geos, GEOSGetGeometryN_r (g->geos, geom, i)), out,
                       depth);
      GEOSGeom_destroy_r (g->geos, geom);
      return;
    }
  if (type != GEOS_POLYGON)
    {
      GEOSGeom_destroy_r (g->geos, geom);
      return;
    }
  {
    double area = 0;
    int n = count_vertices (g->geos, geom);

    GEOSArea_r (g->geos, geom, &area);
    /* Crumbs of a coast clip are no land patches. */
    if (area < 1.0)
      {
        GEOSGeom_destroy_r (g->geos, geom);
        return;
      }
    if (n > MAX_VERTICES && depth < 12)
      {
        double xmin, ymin, xmax, ymax;

        GEOSGeom_getXMin_r (g->geos, geom, &xmin);
        GEOSGeom_getYMin_r (g->geos, geom, &ymin);
        GEOSGeom_getXMax_r (g->geos, geom, &xmax);
        GEOSGeom_getYMax_r (g->geos, geom, &ymax);
        for (int half = 0; half < 2; half++)
          {
            GEOSGeometry *rect, *piece;

            if (xmax - xmin >= ymax - ymin)
              {
                double mid = (xmin + xmax) / 2;

                rect = half == 0 ? GEOSGeom_createRectangle_r (g->geos, xmin - 1, ymin - 1, mid, ymax + 1)
                                 : GEOSGeom_createRectangle_r (g->geos, mid, ymin - 1, xmax + 1, ymax + 1);
              }
            else
              {
                double mid = (ymin + ymax) / 2;

                rect = half == 0 ? GEOSGeom_createRectangle_r (g->geos, xmin - 1, ymin - 1, xmax + 1, mid)
                                 : GEOSGeom_createRectangle_r (g->geos, xmin - 1, mid, xmax + 1, ymax + 1);
              }
            piece = GEOSIntersection_r (g->geos, geom, rect);
            GEOSGeom_destroy_r (g->geos, rect);
            if (piece != NULL)
              collect_parts (g, piece, out, depth + 1);
          }
        GEOSGeom_destroy_r (g->geos, geom);
        return;
      }
    if (n < MIN_VERTICES)
      {
        GEOSGeometry *fine = refine_polygon (g->geos, geom, MIN_VERTICES);

        GEOSGeom_destroy_r (g->geos, geom);
        geom = fine;
      }
    g_ptr_array_add (out, geom);
  }
}

OGRGeometryH
ld_demo_geos_to_ogr (GEOSContextHandle_t  geos,
                     const GEOSGeometry  *geom)
{
  size_t size = 0;
  unsigned char *wkb = GEOSGeomToWKB_buf_r (geos, geom, &size);
  OGRGeometryH out = NULL;

  if (wkb == NULL)
    return NULL;
  if (OGR_G_CreateFromWkb (wkb, NULL, &out, (int) size) != OGRERR_NONE)
    out = NULL;
  GEOSFree_r (geos, wkb);
  return out != NULL ? OGR_G_ForceToMultiPolygon (out) : NULL;
}

gboolean
ld_demo_ogr_check (OGRErr       err,
                   const char  *what,
                   GError     **error)
{
  if (err == OGRERR_NONE)
    return TRUE;
  g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED, "%s: %s", what,
               *CPLGetLastErrorMsg () != '\0' ? CPLGetLastErrorMsg () : "OGR error");
  return FALSE;
}

/* Survey areas are ellipsoidal: the planar Gauss-Krüger area divided by the square of the
 * point scale factor k = 1 + E²/2R² (E the distance to the central meridian). */
static double
ellipsoidal_area (double planar,
                  double easting)
{
  double e = easting - 37500000.0, k = 1.0 + e * e / (2.0 * 6371000.0 * 6371000.0);

  return planar / (k * k);
}

static double
round_to (double v,
          double scale)
{
  return round (v * scale) / scale;
}

/* ---------------------------------------------------------------------------------------- */
/* helpers: classes */

typedef struct
{
  const char *code;
  double      bias;
} Choice;

/* The choice whose own noise field (plus its bias) is highest here: irregular districts of one
 * kind, rather than the rings that thresholds on a single field would draw. */
static const char *
pick_zone (Gen          *g,
           guint64       salt,
           const Choice *choices,
           guint         n,
           double        x,
           double        y,
           double        scale)
{
  double best = -G_MAXDOUBLE;
  const char *code = choices[0].code;

  for (guint k = 0; k < n; k++)
    {
      double v = ld_noise2 (g->seed + salt + k * 131, x / scale + k * 3.7, y / scale - k * 5.3)
                 + choices[k].bias;

      if (v > best)
        best = v, code = choices[k].code;
    }
  return code;
}

/* Towns: districts of housing, industry, business and public services, crossed by streets. */
static const char *
pick_urban (Gen    *g,
            double  x,
            double  y,
            double  r)
{
  static const Choice districts[] = {
    { "0701", 0.25 }, { "0601", 0.05 }, { "05", 0.0 }, { "08", -0.05 }, { "0604", -0.2 },
    { "0702", -0.15 },
  };
  static const char *commerce[] = { "0501", "0501", "0505", "0504" };
  static const char *public[] = { "0803", "0803", "0805", "0801", "0809", "0810", "0810" };
  const char *d;

  if (r < 0.12)
    return "1004";
  if (r < 0.14)
    return "1201";
  d = pick_zone (g, 300, districts, G_N_ELEMENTS (districts), x, y, 1400);
  if (g_str_equal (d, "05"))
    return commerce[(int) (r * 1000) % G_N_ELEMENTS (commerce)];
  if (g_str_equal (d, "08"))
    return public[(int) (r * 1000) % G_N_ELEMENTS (public)];
  return d;
}

/* The current class of the patch whose centre is (x, y): towns, coast, roads, rivers, villages,
 * hills and a farmland mix, from smooth fields so that neighbours cluster. */
static const char *
pick_class (Gen     *g,
            double   x,
            double   y,
            double   coast,
            double   r,
            double   r2,
            int     *town)
{
  double best = -G_MAXDOUBLE, river, road, v, e;
  double band = 1200.0 + 0.5 * g->s;

  *town = 0;
  for (guint i = 0; i < ld_demo_n_towns; i++)
    {
      const LdDemoTown *t = &ld_demo_towns[i];
      double reach = t->radius * (0.8 + 0.45 * ld_noise2 (g->seed + 21 + i, x / 1500, y / 1500));
      double q = 1.0 - hypot (x - t->x, y - t->y) / reach;

      if (q > best)
        best = q, *town = (int) i;
    }
  if (best > 0)
    return pick_urban (g, x, y, r);

  if (coast < band)
    {
      double m = ld_noise2 (g->seed + 31, x / 2500, y / 2500);

      if (coast < 0.3 * band && m > 0.68)
        return "0303";
      if (coast < 0.25 * band && m < 0.3)
        return "1105";
      if (r < 0.50)
        return "1104A";
      if (r < 0.56)
        return "1104";
      if (r < 0.58)
        return "1008";
    }

  road = lines_distance (g->roads, x, y);
  if (road < MAX (30.0, 0.5 * g->s))
    return "1003";
  river = lines_distance (g->rivers, x, y);
  if (river < MAX (45.0, 0.45 * g->s))
    return "1101";

  if (best > -0.35)
    {
      if (r < 0.25)
        return "0702";
      if (r < 0.37)
        return "0601";
      if (r < 0.42)
        return "1004";
      if (r < 0.46)
        return "0604";
      if (r < 0.49)
        return "1201";
    }

  v = ld_noise2 (g->seed + 41, x / 1800, y / 1800);
  if (v > 0.82)
    return r < 0.72 ? "0702" : r < 0.85 ? "1006" : r < 0.93 ? "1202" : "0803";

  if (river < 2500 && r < 0.75)
    return r < 0.62 ? "0101" : r < 0.68 ? "0102" : "1107";

  e = ld_fbm2 (g->seed + 51, x / 9000, y / 9000, 3);
  if (e > 0.62)
    return r < 0.62 ? "0301" : r < 0.72 ? "0305" : r < 0.82 ? "0307" : r < 0.88 ? "0301K"
           : r < 0.93 ? "0302" : "0404";

  if (r < 0.03)
    return "1006";
  if (r < 0.05)
    return "1104";
  if (r < 0.065)
    return "1202";
  if (r < 0.075)
    return "1107";
  if (r < 0.08)
    return "0404";
  {
    /* Sugar cane on dry land, paddy, orchards (pineapple, fruit), rubber and eucalyptus. */
    static const Choice crops[] = {
      { "0103", 0.22 }, { "0101", 0.05 }, { "0102", -0.12 }, { "0201", 0.05 }, { "0204", -0.15 },
      { "0203", -0.2 }, { "0301", 0.08 },
    };
    const char *crop = pick_zone (g, 600, crops, G_N_ELEMENTS (crops), x, y, 2600);

    if (g_str_equal (crop, "0201") && r2 < 0.1)
      return "0201K";
    return crop;
  }
}

static const char *
plan_of (const char *dlbm)
{
  static const char *map[][2] = {
    { "0101", "0101" }, { "0102", "0102" }, { "0103", "0103" }, { "0201", "0201" },
    { "0201K", "0201" }, { "0203", "0203" }, { "0204", "0205" }, { "0301", "0301" },
    { "0301K", "0301" }, { "0302", "0302" }, { "0303", "0507" }, { "0305", "0303" },
    { "0307", "0304" }, { "0404", "0403" }, { "0501", "090101" }, { "0504", "090104" },
    { "0505", "0902" }, { "0601", "100102" }, { "0604", "110101" }, { "0701", "070102" },
    { "0702", "070301" }, { "0801", "0801" }, { "0803", "080403" }, { "0805", "080601" },
    { "0809", "1313" }, { "0810", "1401" }, { "1003", "1202" }, { "1004", "1207" },
    { "1006", "060101" }, { "1008", "1204" }, { "1101", "1701" }, { "1104", "1704" },
    { "1104A", "1704" }, { "1105", "0505" }, { "1107", "1705" }, { "1201", "2301" },
    { "1202", "060201" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_str_equal (map[i][0], dlbm))
      return map[i][1];
  return "23";
}

/* Planned use: current use carried over, except that inside the urban development boundary
 * farmland and unused land are planned for the town's growth. */
static const char *
pick_plan (Gen        *g,
           const char *dlbm,
           gboolean    in_udb,
           double      r)
{
  LdLandCategory cat = ld_landclass_category (g->classes, dlbm);
  static const struct { double upto; const char *code; } growth[] = {
    { 0.35, "070102" }, { 0.55, "100101" }, { 0.67, "1207" }, { 0.75, "0901" },
    { 0.83, "1401" }, { 0.88, "080403" }, { 0.92, "110101" }, { 0.96, "16" }, { 1.01, "1303" },
  };

  if (in_udb && cat != LD_LAND_CATEGORY_CONSTRUCTION && !g_str_equal (dlbm, "1101")
      && !g_str_equal (dlbm, "0303"))
    for (guint i = 0; i < G_N_ELEMENTS (growth); i++)
      if (r < growth[i].upto)
        return growth[i].code;
  return plan_of (dlbm);
}

static gboolean
is_cultivated (const char *dlbm)
{
  return g_str_has_prefix (dlbm, "01");
}

static void
add_spot (Gen            *g,
          LdDemoSpotKind  kind,
          double          x,
          double          y)
{
  guint seen = ++g->spots.seen[kind];
  guint slot = seen <= LD_DEMO_SPOTS_PER_KIND ? seen - 1
               : (guint) (ld_rng_next (&g->spot_rng) % seen);

  if (slot < LD_DEMO_SPOTS_PER_KIND)
    {
      g->spots.x[kind][slot] = x;
      g->spots.y[kind][slot] = y;
    }
}

/* ---------------------------------------------------------------------------------------- */
/* helpers: the GeoPackage */

static OGRLayerH
create_layer (GDALDatasetH      ds,
              const char       *name,
              OGRSpatialReferenceH srs,
              OGRwkbGeometryType type,
              const char       *description,
              const FieldSpec  *fields,
              guint             n_fields,
              GError          **error)
{
  g_autofree char *desc = g_strdup_printf ("DESCRIPTION=%s", description);
  const char *options[] = { "GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=YES", desc, NULL };
  OGRLayerH layer = GDALDatasetCreateLayer (ds, name, type == wkbNone ? NULL : srs, type,
                                            (char **) options);

  if (layer == NULL)
    {
      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED, "cannot create layer %s: %s",
                   name, CPLGetLastErrorMsg ());
      return NULL;
    }
  for (guint i = 0; i < n_fields; i++)
    {
      OGRFieldDefnH fd = OGR_Fld_Create (fields[i].name, fields[i].type);
      OGRErr err = OGR_L_CreateField (layer, fd, TRUE);

      OGR_Fld_Destroy (fd);
      if (!ld_demo_ogr_check (err, name, error))
        return NULL;
    }
  return layer;
}

static gboolean
write_feature (OGRLayerH     layer,
               OGRFeatureH   feature,
               GError      **error)
{
  OGRErr err = OGR_L_CreateFeature (layer, feature);

  OGR_F_Destroy (feature);
  return ld_demo_ogr_check (err, OGR_L_GetName (layer), error);
}

static gboolean
emit_patch (Gen                *g,
            const GEOSGeometry *poly,
            const Patch        *patch,
            GError            **error)
{
  OGRGeometryH geom = ld_demo_geos_to_ogr (g->geos, poly);
  double planar = 0, cx = 0, tbmj, kcmj;
  OGRFeatureH f;
  g_autofree char *bsm = NULL;
  const LdLandclassEntry *cls, *plan;

  if (geom == NULL)
    {
      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED, "cannot convert a patch geometry");
      return FALSE;
    }
  GEOSArea_r (g->geos, poly, &planar);
  {
    double xmin = 0, xmax = 0;

    GEOSGeom_getXMin_r (g->geos, poly, &xmin);
    GEOSGeom_getXMax_r (g->geos, poly, &xmax);
    cx = (xmin + xmax) / 2;
  }
  tbmj = round_to (ellipsoidal_area (planar, cx), 100);
  cls = ld_landclass_lookup (g->classes, LD_LANDCLASS_GBT21010_2017, patch->dlbm);
  plan = ld_landclass_lookup (g->classes, LD_LANDCLASS_LANDSEA_2023, patch->plan);
  if (cls == NULL || plan == NULL)
    {
      OGR_G_DestroyGeometry (geom);
      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED,
                   "class %s is missing from data/classes/%s", cls == NULL ? patch->dlbm
                   : patch->plan, cls == NULL ? "gbt21010-2017.csv" : "landsea-2023.csv");
      return FALSE;
    }

  g->n_dltb++;
  bsm = g_strdup_printf ("4408%010" G_GUINT64_FORMAT, g->n_dltb);
  f = OGR_F_Create (OGR_L_GetLayerDefn (g->dltb));
  OGR_F_SetFieldString (f, 0, bsm);
  OGR_F_SetFieldString (f, 1, patch->dlbm);
  OGR_F_SetFieldString (f, 2, cls->name);
  OGR_F_SetFieldString (f, 3, patch->state_owned ? "10" : "30");
  {
    g_autofree char *zl = g_strdup_printf ("%s%03u%03u0000000", patch->county,
                                           100 + (guint) (fmod (fabs (cx) / 7000.0, 20.0)),
                                           1 + (guint) (g->n_dltb % 37));
    OGR_F_SetFieldString (f, 4, zl);
  }
  OGR_F_SetFieldDouble (f, 5, tbmj);
  if (patch->kcxs > 0)
    {
      kcmj = round_to (tbmj * patch->kcxs, 100);
      OGR_F_SetFieldString (f, 6, "1203");
      OGR_F_SetFieldDouble (f, 7, patch->kcxs);
    }
  else
    {
      kcmj = 0;
      OGR_F_SetFieldNull (f, 6);
      OGR_F_SetFieldDouble (f, 7, 0);
    }
  OGR_F_SetFieldDouble (f, 8, kcmj);
  OGR_F_SetFieldDouble (f, 9, round_to (tbmj - kcmj, 100));
  OGR_F_SetGeometry (f, geom);
  if (!write_feature (g->dltb, f, error))
    {
      OGR_G_DestroyGeometry (geom);
      return FALSE;
    }

  g->n_ydyh++;
  bsm = (g_free (bsm), g_strdup_printf ("GH%012" G_GUINT64_FORMAT, g->n_ydyh));
  f = OGR_F_Create (OGR_L_GetLayerDefn (g->ydyh));
  OGR_F_SetFieldString (f, 0, bsm);
  OGR_F_SetFieldString (f, 1, patch->plan);
  OGR_F_SetFieldString (f, 2, plan->name);
  OGR_F_SetFieldDouble (f, 3, tbmj);
  OGR_F_SetGeometry (f, geom);
  if (!write_feature (g->ydyh, f, error))
    {
      OGR_G_DestroyGeometry (geom);
      return FALSE;
    }

  if (patch->pbf || patch->epr)
    {
      OGRLayerH layer = patch->pbf ? g->pbf : g->epr;
      guint64 n = patch->pbf ? ++g->n_pbf : ++g->n_epr;

      bsm = (g_free (bsm), g_strdup_printf ("%s%010" G_GUINT64_FORMAT,
                                            patch->pbf ? "JBNT" : "STHX", n));
      f = OGR_F_Create (OGR_L_GetLayerDefn (layer));
      OGR_F_SetFieldString (f, 0, bsm);
      OGR_F_SetFieldDouble (f, 1, tbmj);
      OGR_F_SetGeometry (f, geom);
      if (!write_feature (layer, f, error))
        {
          OGR_G_DestroyGeometry (geom);
          return FALSE;
        }
    }
  OGR_G_DestroyGeometry (geom);
  return TRUE;
}

/* Decides the patch of the rectangle whose corners are lattice nodes, from its centre. */
static void
decide_patch (Gen                *g,
              int                 i0,
              int                 j0,
              int                 w,
              int                 h,
              double              coast_hint,
              const GEOSGeometry *poly,
              Patch              *patch,
              double             *cx,
              double             *cy)
{
  double x[4], y[4], coast = coast_hint;
  double r = ld_hash_double (g->seed ^ 0xc1a55, (guint64) i0, (guint64) j0);
  double r2 = ld_hash_double (g->seed ^ 0x7e57, (guint64) i0, (guint64) j0);
  double r3 = ld_hash_double (g->seed ^ 0x91a2, (guint64) i0, (guint64) j0);
  int town = 0;
  LdLandCategory cat;

  node_position (g, i0, j0, &x[0], &y[0]);
  node_position (g, i0 + w, j0, &x[1], &y[1]);
  node_position (g, i0 + w, j0 + h, &x[2], &y[2]);
  node_position (g, i0, j0 + h, &x[3], &y[3]);
  *cx = (x[0] + x[1] + x[2] + x[3]) / 4;
  *cy = (y[0] + y[1] + y[2] + y[3]) / 4;

  if (coast_hint <= 0)
    {
      GEOSGeometry *pt = GEOSGeom_createPointFromXY_r (g->geos, *cx, *cy);

      if (GEOSPreparedDistance_r (g->geos, g->coast_prep, pt, &coast) != 1)
        coast = G_MAXDOUBLE;
      GEOSGeom_destroy_r (g->geos, pt);
    }

  memset (patch, 0, sizeof *patch);
  patch->dlbm = pick_class (g, *cx, *cy, coast, r, r2, &town);
  patch->county = ld_demo_towns[town].county;
  {
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r (g->geos, *cx, *cy);

    patch->in_udb = GEOSPreparedContains_r (g->geos, g->udb_prep, pt) == 1;
    GEOSGeom_destroy_r (g->geos, pt);
  }
  patch->plan = pick_plan (g, patch->dlbm, patch->in_udb, r3);
  cat = ld_landclass_category (g->classes, patch->dlbm);
  patch->state_owned = (patch->in_udb && cat == LD_LAND_CATEGORY_CONSTRUCTION)
                       || g_str_has_prefix (patch->dlbm, "10") || g_str_equal (patch->dlbm, "1101")
                       || g_str_equal (patch->dlbm, "1105") || g_str_equal (patch->dlbm, "0303");
  if (is_cultivated (patch->dlbm))
    patch->kcxs = round_to (0.03 + 0.12 * ld_fbm2 (g->seed + 81, *cx / 6000, *cy / 6000, 2), 10000);

  /* PBF and EPR never overlap the urban development boundary, nor each other. */
  if (!patch->in_udb && GEOSPreparedIntersects_r (g->geos, g->udb_prep, poly) != 1)
    {
      double p = ld_noise2 (g->seed + 71, *cx / 4000, *cy / 4000);
      double e = ld_fbm2 (g->seed + 51, *cx / 9000, *cy / 9000, 3);

      if (is_cultivated (patch->dlbm) && p > 0.3)
        patch->pbf = TRUE;
      else if (g_str_equal (patch->dlbm, "0303")
               || (g_str_equal (patch->dlbm, "1105") && p > 0.4)
               || ((g_str_equal (patch->dlbm, "0301") || g_str_equal (patch->dlbm, "0305")
                    || g_str_equal (patch->dlbm, "0307")) && e > 0.70))
        patch->epr = TRUE;
    }

  if (patch->pbf)
    add_spot (g, LD_DEMO_SPOT_PBF, *cx, *cy);
  else if (patch->epr)
    add_spot (g, LD_DEMO_SPOT_EPR, *cx, *cy);
  else if (patch->in_udb && cat == LD_LAND_CATEGORY_CONSTRUCTION)
    add_spot (g, LD_DEMO_SPOT_UDB_BUILT, *cx, *cy);
  else if (patch->in_udb && is_cultivated (patch->dlbm))
    add_spot (g, LD_DEMO_SPOT_UDB_FARM, *cx, *cy);
  else if (!patch->in_udb && is_cultivated (patch->dlbm))
    add_spot (g, LD_DEMO_SPOT_OUT_FARM, *cx, *cy);
  else if (!patch->in_udb && cat == LD_LAND_CATEGORY_CONSTRUCTION)
    add_spot (g, LD_DEMO_SPOT_OUT_BUILT, *cx, *cy);
}

/* One block of the lattice: partition into rectangles, clip at the coast, write. */
static gboolean
generate_block (Gen     *g,
                int      bi,
                int      bj,
                GError **error)
{
  int ci0 = bi * BLOCK, cj0 = bj * BLOCK;
  int cw = MIN (BLOCK, g->nx - ci0), ch = MIN (BLOCK, g->ny - cj0);
  double margin = 3.5 * g->s;
  double rx0 = g->x0 + ci0 * g->s - margin, ry0 = g->y0 + cj0 * g->s - margin;
  double rx1 = g->x0 + (ci0 + cw) * g->s + margin, ry1 = g->y0 + (cj0 + ch) * g->s + margin;
  GEOSGeometry *rect = GEOSGeom_createRectangle_r (g->geos, rx0, ry0, rx1, ry1);
  GEOSGeometry *local = NULL;
  const GEOSPreparedGeometry *local_prep = NULL;
  gboolean inside, ok = TRUE;
  double coast_hint = 0;
  guint8 used[BLOCK * BLOCK];
  LdRng rng;

  if (GEOSPreparedIntersects_r (g->geos, g->land_prep, rect) != 1)
    {
      GEOSGeom_destroy_r (g->geos, rect);
      return TRUE;
    }
  inside = GEOSPreparedContainsProperly_r (g->geos, g->land_prep, rect) == 1;
  if (inside)
    {
      /* Far from the coast, one distance serves the whole block. */
      double d = 0;

      if (GEOSPreparedDistance_r (g->geos, g->coast_prep, rect, &d) == 1
          && d > 1200.0 + 0.5 * g->s)
        coast_hint = d;
    }
  else
    {
      local = GEOSClipByRect_r (g->geos, g->land.land, rx0, ry0, rx1, ry1);
      if (local != NULL && GEOSisValid_r (g->geos, local) != 1)
        {
          GEOSGeometry *valid = GEOSMakeValid_r (g->geos, local);

          GEOSGeom_destroy_r (g->geos, local);
          local = valid;
        }
      if (local == NULL)
        {
          GEOSGeom_destroy_r (g->geos, rect);
          g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED,
                       "GEOS cannot clip the land mask to block %d,%d", bi, bj);
          return FALSE;
        }
      local_prep = GEOSPrepare_r (g->geos, local);
    }
  GEOSGeom_destroy_r (g->geos, rect);

  memset (used, 0, sizeof used);
  ld_rng_init (&rng, ld_hash64 (g->seed, (guint64) bi, (guint64) bj));
  for (int j = 0; j < ch && ok; j++)
    for (int i = 0; i < cw && ok; i++)
      {
        double rw, rh, cx, cy;
        int w, h;
        GEOSGeometry *poly;
        Patch patch;
        g_autoptr(GPtrArray) parts = NULL;

        if (used[j * BLOCK + i])
          continue;
        rw = ld_rng_double (&rng);
        rh = ld_rng_double (&rng);
        w = rw < 0.45 ? 1 : rw < 0.8 ? 2 : 3;
        h = rh < 0.6 ? 1 : 2;
        w = MIN (w, cw - i);
        h = MIN (h, ch - j);
        for (int k = 1; k < w; k++)
          if (used[j * BLOCK + i + k])
            {
              w = k;
              break;
            }
        for (int jj = j; jj < j + h; jj++)
          for (int ii = i; ii < i + w; ii++)
            used[jj * BLOCK + ii] = 1;

        poly = rect_polygon (g, ci0 + i, cj0 + j, w, h);
        parts = g_ptr_array_new_with_free_func (NULL);
        if (!inside)
          {
            if (GEOSPreparedContainsProperly_r (g->geos, local_prep, poly) != 1)
              {
                if (GEOSPreparedIntersects_r (g->geos, local_prep, poly) != 1)
                  {
                    GEOSGeom_destroy_r (g->geos, poly);
                    continue;
                  }
                {
                  GEOSGeometry *clipped = GEOSIntersection_r (g->geos, local, poly);

                  if (clipped == NULL)
                    {
                      GEOSGeom_destroy_r (g->geos, poly);
                      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED,
                                   "GEOS cannot clip patch %d,%d to the coast", ci0 + i, cj0 + j);
                      ok = FALSE;
                      break;
                    }
                  decide_patch (g, ci0 + i, cj0 + j, w, h, coast_hint, poly, &patch, &cx, &cy);
                  GEOSGeom_destroy_r (g->geos, poly);
                  collect_parts (g, clipped, parts, 0);
                  goto emit;
                }
              }
          }
        decide_patch (g, ci0 + i, cj0 + j, w, h, coast_hint, poly, &patch, &cx, &cy);
        g_ptr_array_add (parts, poly);
      emit:
        for (guint p = 0; p < parts->len; p++)
          {
            if (ok && !emit_patch (g, g_ptr_array_index (parts, p), &patch, error))
              ok = FALSE;
            GEOSGeom_destroy_r (g->geos, g_ptr_array_index (parts, p));
          }
      }

  if (local_prep != NULL)
    GEOSPreparedGeom_destroy_r (g->geos, local_prep);
  if (local != NULL)
    GEOSGeom_destroy_r (g->geos, local);
  return ok;
}

/* The urban development boundary: an irregular blob around each town, clipped to land. */
static gboolean
build_udb (Gen     *g,
           GError **error)
{
  g_autoptr(GPtrArray) blobs = g_ptr_array_new ();
  GEOSGeometry *all, *merged;
  const int n = 72;

  for (guint t = 0; t < ld_demo_n_towns; t++)
    {
      const LdDemoTown *town = &ld_demo_towns[t];
      GEOSCoordSequence *seq = GEOSCoordSeq_create_r (g->geos, n + 1, 2);

      for (int k = 0; k <= n; k++)
        {
          double a = 2 * G_PI * (k % n) / n;
          double f = 0.75 + 0.5 * ld_fbm2 (g->seed + 91 + t, 3 + 2 * cos (a), 3 + 2 * sin (a), 3);
          double radius = town->radius * 1.8 * f;

          GEOSCoordSeq_setXY_r (g->geos, seq, (unsigned int) k, town->x + radius * cos (a),
                                town->y + radius * sin (a));
        }
      g_ptr_array_add (blobs, GEOSGeom_createPolygon_r (g->geos,
                                                        GEOSGeom_createLinearRing_r (g->geos, seq),
                                                        NULL, 0));
    }
  all = GEOSGeom_createCollection_r (g->geos, GEOS_MULTIPOLYGON, (GEOSGeometry **) blobs->pdata,
                                     blobs->len);
  merged = GEOSUnaryUnion_r (g->geos, all);
  GEOSGeom_destroy_r (g->geos, all);
  if (merged == NULL)
    {
      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED,
                   "GEOS cannot build the urban development boundary");
      return FALSE;
    }
  g->udb = GEOSIntersection_r (g->geos, merged, g->land.land);
  GEOSGeom_destroy_r (g->geos, merged);
  if (g->udb == NULL)
    {
      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED,
                   "GEOS cannot clip the urban development boundary to land");
      return FALSE;
    }
  g->udb_prep = GEOSPrepare_r (g->geos, g->udb);
  return TRUE;
}

static gboolean
write_udb (Gen     *g,
           GError **error)
{
  int n = GEOSGetNumGeometries_r (g->geos, g->udb);
  guint written = 0;

  for (int i = 0; i < n; i++)
    {
      const GEOSGeometry *part = GEOSGetGeometryN_r (g->geos, g->udb, i);
      OGRGeometryH geom;
      OGRFeatureH f;
      double area = 0, xmin = 0;
      g_autofree char *bsm = NULL;

      if (GEOSGeomTypeId_r (g->geos, part) != GEOS_POLYGON)
        continue;
      GEOSArea_r (g->geos, part, &area);
      if (area < 10000.0)
        continue;
      GEOSGeom_getXMin_r (g->geos, part, &xmin);
      geom = ld_demo_geos_to_ogr (g->geos, part);
      bsm = g_strdup_printf ("KFBJ%06u", ++written);
      f = OGR_F_Create (OGR_L_GetLayerDefn (g->udb_layer));
      OGR_F_SetFieldString (f, 0, bsm);
      OGR_F_SetFieldDouble (f, 1, round_to (ellipsoidal_area (area, xmin), 100));
      OGR_F_SetGeometryDirectly (f, geom);
      if (!write_feature (g->udb_layer, f, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
create_layers (Gen                 *g,
               OGRSpatialReferenceH srs,
               GError             **error)
{
  static const FieldSpec dltb[] = {
    { "BSM", OFTString }, { "DLBM", OFTString }, { "DLMC", OFTString }, { "QSXZ", OFTString },
    { "ZLDWDM", OFTString }, { "TBMJ", OFTReal }, { "KCDLBM", OFTString }, { "KCXS", OFTReal },
    { "KCMJ", OFTReal }, { "TBDLMJ", OFTReal },
  };
  static const FieldSpec ydyh[] = {
    { "BSM", OFTString }, { "YDYHFLDM", OFTString }, { "YDYHFLMC", OFTString }, { "MJ", OFTReal },
  };
  static const FieldSpec zone[] = { { "BSM", OFTString }, { "MJ", OFTReal } };
  g_autofree char *dltb_desc = g_strdup_printf ("现状地类图斑 (current land use), %s",
                                                ld_landclass_get_edition (g->classes,
                                                                          LD_LANDCLASS_GBT21010_2017));
  g_autofree char *ydyh_desc = g_strdup_printf ("规划用途 (planned land use), %s",
                                                ld_landclass_get_edition (g->classes,
                                                                          LD_LANDCLASS_LANDSEA_2023));

  g->dltb = create_layer (g->ds, "xz_dltb", srs, wkbMultiPolygon, dltb_desc, dltb,
                          G_N_ELEMENTS (dltb), error);
  if (g->dltb == NULL)
    return FALSE;
  g->ydyh = create_layer (g->ds, "gh_ydyh", srs, wkbMultiPolygon, ydyh_desc, ydyh,
                          G_N_ELEMENTS (ydyh), error);
  if (g->ydyh == NULL)
    return FALSE;
  g->pbf = create_layer (g->ds, "sx_yjjbnt", srs, wkbMultiPolygon,
                         "永久基本农田 (permanent basic farmland)", zone, 2, error);
  if (g->pbf == NULL)
    return FALSE;
  g->epr = create_layer (g->ds, "sx_stbhhx", srs, wkbMultiPolygon,
                         "生态保护红线 (ecological protection red line)", zone, 2, error);
  if (g->epr == NULL)
    return FALSE;
  g->udb_layer = create_layer (g->ds, "sx_czkfbj", srs, wkbMultiPolygon,
                               "城镇开发边界 (urban development boundary)", zone, 2, error);
  return g->udb_layer != NULL;
}

static void
basemap_feed (Gen       *g,
              LdBasemap *basemap)
{
  int n = GEOSGetNumGeometries_r (g->geos, g->land.land_lonlat);

  for (int i = 0; i < n; i++)
    {
      const GEOSGeometry *poly = GEOSGetGeometryN_r (g->geos, g->land.land_lonlat, i);
      int holes;

      if (GEOSGeomTypeId_r (g->geos, poly) != GEOS_POLYGON)
        continue;
      holes = GEOSGetNumInteriorRings_r (g->geos, poly);
      for (int r = -1; r < holes; r++)
        {
          const GEOSGeometry *ring = r < 0 ? GEOSGetExteriorRing_r (g->geos, poly)
                                           : GEOSGetInteriorRingN_r (g->geos, poly, r);
          const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r (g->geos, ring);
          unsigned int size = 0;
          g_autofree double *pts = NULL;

          GEOSCoordSeq_getSize_r (g->geos, seq, &size);
          if (size < 4)
            continue;
          pts = g_new (double, 2 * size);
          for (unsigned int p = 0; p < size; p++)
            GEOSCoordSeq_getXY_r (g->geos, seq, p, &pts[2 * p], &pts[2 * p + 1]);
          ld_basemap_add_land_ring (basemap, pts, size);
        }
    }
  for (guint i = 0; i < ld_demo_n_roads; i++)
    ld_basemap_add_road (basemap, ld_demo_roads[i].lonlat, ld_demo_roads[i].n_points,
                         ld_demo_roads[i].rank);
  for (guint i = 0; i < ld_demo_n_towns; i++)
    ld_basemap_add_town (basemap, ld_demo_towns[i].lon, ld_demo_towns[i].lat,
                         ld_demo_towns[i].rank);
}

static void
geos_message_cb (const char *message,
                 void       *userdata)
{
  g_debug ("GEOS: %s", message);
}

static void
gen_clear (Gen *g)
{
  if (g->ds != NULL)
    GDALClose (g->ds);
  if (g->wkb != NULL)
    GEOSWKBWriter_destroy_r (g->geos, g->wkb);
  if (g->udb_prep != NULL)
    GEOSPreparedGeom_destroy_r (g->geos, g->udb_prep);
  if (g->udb != NULL)
    GEOSGeom_destroy_r (g->geos, g->udb);
  if (g->land_prep != NULL)
    GEOSPreparedGeom_destroy_r (g->geos, g->land_prep);
  if (g->coast_prep != NULL)
    GEOSPreparedGeom_destroy_r (g->geos, g->coast_prep);
  ld_demo_land_clear (g->geos, &g->land);
  ld_demo_proj_clear (&g->proj);
  g_clear_pointer (&g->roads, g_array_unref);
  g_clear_pointer (&g->rivers, g_array_unref);
  g_clear_object (&g->classes);
  if (g->geos != NULL)
    GEOS_finish_r (g->geos);
}

/* Writes the GeoPackage at @path (which must not exist). */
static gboolean
generate_gpkg (Gen            *g,
               const char     *path,
               LdProgressFunc  progress,
               gpointer        user_data,
               GError        **error)
{
  GDALDriverH driver;
  int nbx, nby;
  gint64 total, done = 0;
  int last_percent = -1;
  double xmin, ymin, xmax, ymax;

  GEOSGeom_getXMin_r (g->geos, g->land.land, &xmin);
  GEOSGeom_getYMin_r (g->geos, g->land.land, &ymin);
  GEOSGeom_getXMax_r (g->geos, g->land.land, &xmax);
  GEOSGeom_getYMax_r (g->geos, g->land.land, &ymax);
  g->s = sqrt (g->land.area / ((double) g->self->n_patches * CELLS_PER_PATCH));
  g->x0 = xmin - g->s;
  g->y0 = ymin - g->s;
  g->nx = (int) ceil ((xmax - xmin) / g->s) + 2;
  g->ny = (int) ceil ((ymax - ymin) / g->s) + 2;
  nbx = (g->nx + BLOCK - 1) / BLOCK;
  nby = (g->ny + BLOCK - 1) / BLOCK;
  total = (gint64) nbx * nby;

  if (!build_udb (g, error))
    return FALSE;

  driver = GDALGetDriverByName ("GPKG");
  if (driver == NULL)
    {
      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED, "GDAL has no GPKG driver");
      return FALSE;
    }
  g->ds = GDALCreate (driver, path, 0, 0, 0, GDT_Unknown, NULL);
  if (g->ds == NULL)
    {
      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED, "cannot create %s: %s", path,
                   CPLGetLastErrorMsg ());
      return FALSE;
    }
  if (!create_layers (g, g->proj.projected, error))
    return FALSE;

  /* The land-use layers in one transaction: a failed run leaves nothing half-written. */
  if (GDALDatasetStartTransaction (g->ds, FALSE) != OGRERR_NONE)
    return ld_demo_ogr_check (OGRERR_FAILURE, "cannot start a transaction", error);
  for (int bj = 0; bj < nby; bj++)
    for (int bi = 0; bi < nbx; bi++)
      {
        if (!generate_block (g, bi, bj, error))
          {
            GDALDatasetRollbackTransaction (g->ds);
            return FALSE;
          }
        done++;
        if (progress != NULL && (int) (100 * done / total) != last_percent)
          {
            last_percent = (int) (100 * done / total);
            progress ((double) done / (double) total, "generating land-use patches", user_data);
          }
      }
  if (!write_udb (g, error))
    {
      GDALDatasetRollbackTransaction (g->ds);
      return FALSE;
    }
  if (!ld_demo_ogr_check (GDALDatasetCommitTransaction (g->ds), "cannot commit the patches",
                          error))
    return FALSE;

  if (progress != NULL)
    progress (0.0, "writing cases", user_data);
  if (!ld_demo_write_cases (g->ds, g->proj.projected, g->geos, g->land_prep, &g->spots, g->seed,
                            g->self->n_cases, error))
    return FALSE;
  if (progress != NULL)
    progress (1.0, "writing cases", user_data);

  CPLErrorReset ();
  GDALClose (g->ds);
  g->ds = NULL;
  if (CPLGetLastErrorType () >= CE_Failure)
    {
      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED, "cannot finish %s: %s", path,
                   CPLGetLastErrorMsg ());
      return FALSE;
    }
  g->self->n_written = (guint) g->n_dltb;
  return TRUE;
}

static gboolean
remove_if_exists (const char  *path,
                  GError     **error)
{
  if (g_remove (path) != 0 && errno != ENOENT)
    {
      int saved = errno;

      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED, "cannot remove %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */

static void
ld_demo_finalize (GObject *object)
{
  LdDemo *self = LD_DEMO (object);

  g_free (self->gmt);
  g_free (self->warning);

  G_OBJECT_CLASS (ld_demo_parent_class)->finalize (object);
}

static void
ld_demo_class_init (LdDemoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_demo_finalize;
}

static void
ld_demo_init (LdDemo *self)
{
  self->n_patches = LD_DEMO_DEFAULT_PATCHES;
  self->n_cases = LD_DEMO_DEFAULT_CASES;
  self->min_zoom = 8;
  self->max_zoom = 14;
}

LdDemo *
ld_demo_new (guint64 seed)
{
  LdDemo *self = g_object_new (LD_TYPE_DEMO, NULL);

  self->seed = seed;
  return self;
}

void
ld_demo_set_patches (LdDemo *self,
                     guint   n_patches)
{
  g_return_if_fail (LD_IS_DEMO (self));
  self->n_patches = n_patches;
}

void
ld_demo_set_cases (LdDemo *self,
                   guint   n_cases)
{
  g_return_if_fail (LD_IS_DEMO (self));
  self->n_cases = n_cases;
}

void
ld_demo_set_basemap_zooms (LdDemo *self,
                           int     min_zoom,
                           int     max_zoom)
{
  g_return_if_fail (LD_IS_DEMO (self));
  self->min_zoom = min_zoom;
  self->max_zoom = max_zoom;
}

/**
 * ld_demo_set_gmt:
 * @gmt: (nullable): the gmt program; "" for none (the synthetic peninsula)
 *
 * Without a call, `gmt` is looked up in PATH (LANDDESK_GMT overrides it: tests set it to a
 * missing program to see the fallback).
 */
void
ld_demo_set_gmt (LdDemo     *self,
                 const char *gmt)
{
  g_return_if_fail (LD_IS_DEMO (self));
  g_free (self->gmt);
  self->gmt = g_strdup (gmt);
  self->gmt_set = TRUE;
}

void
ld_demo_set_overwrite (LdDemo   *self,
                       gboolean  overwrite)
{
  g_return_if_fail (LD_IS_DEMO (self));
  self->overwrite = overwrite;
}

/* Returns: (nullable): why the real coastline was not used, after ld_demo_write(). */
const char *
ld_demo_get_warning (LdDemo *self)
{
  g_return_val_if_fail (LD_IS_DEMO (self), NULL);
  return self->warning;
}

guint
ld_demo_get_n_written (LdDemo *self)
{
  g_return_val_if_fail (LD_IS_DEMO (self), 0);
  return self->n_written;
}

/**
 * ld_demo_write:
 * @dir: the folder to write landdesk-demo.gpkg and basemap.mbtiles into (created if missing)
 *
 * Generates the demo dataset. Both files are written under temporary names and renamed at the
 * end, so a failed run leaves @dir as it was; existing files are replaced only when overwriting
 * was allowed.
 */
gboolean
ld_demo_write (LdDemo          *self,
               const char      *dir,
               LdProgressFunc   progress,
               gpointer         user_data,
               GError         **error)
{
  g_autofree char *gpkg = NULL, *gpkg_tmp = NULL, *mbtiles = NULL, *mbtiles_tmp = NULL;
  g_autofree char *gmt = NULL;
  g_autoptr(LdBasemap) basemap = NULL;
  Gen g = { 0 };
  gboolean ok = FALSE;
  static const LdLonLatBox extent = { 109.5, 20.1, 111.0, 21.7 };

  g_return_val_if_fail (LD_IS_DEMO (self), FALSE);
  g_return_val_if_fail (dir != NULL, FALSE);

  if (self->n_patches < LD_DEMO_MIN_PATCHES || self->n_patches > LD_DEMO_MAX_PATCHES)
    {
      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_INVALID,
                   "--patches %u is out of range: use %u to %u", self->n_patches,
                   LD_DEMO_MIN_PATCHES, LD_DEMO_MAX_PATCHES);
      return FALSE;
    }
  if (self->n_cases > LD_DEMO_MAX_CASES)
    {
      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_INVALID,
                   "--cases %u is out of range: use 0 to %u", self->n_cases, LD_DEMO_MAX_CASES);
      return FALSE;
    }
  if (self->min_zoom < 0 || self->max_zoom > 18 || self->min_zoom > self->max_zoom)
    {
      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_INVALID,
                   "base map zoom range %d-%d is invalid; use 0 <= min <= max <= 18",
                   self->min_zoom, self->max_zoom);
      return FALSE;
    }

  gpkg = g_build_filename (dir, LD_DEMO_GPKG_NAME, NULL);
  mbtiles = g_build_filename (dir, LD_DEMO_BASEMAP_NAME, NULL);
  if (!self->overwrite)
    for (guint i = 0; i < 2; i++)
      {
        const char *path = i == 0 ? gpkg : mbtiles;

        if (g_file_test (path, G_FILE_TEST_EXISTS))
          {
            g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_EXISTS,
                         "%s exists; pass --force to overwrite it", path);
            return FALSE;
          }
      }
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED, "cannot create folder %s: %s",
                   dir, g_strerror (saved));
      return FALSE;
    }
  gpkg_tmp = g_build_filename (dir, "landdesk-demo.part.gpkg", NULL);
  mbtiles_tmp = g_strdup_printf ("%s.part", mbtiles);
  if (!remove_if_exists (gpkg_tmp, error) || !remove_if_exists (mbtiles_tmp, error))
    return FALSE;

  if (self->gmt_set)
    gmt = g_strdup (self->gmt);
  else if (g_getenv ("LANDDESK_GMT") != NULL)
    gmt = g_find_program_in_path (g_getenv ("LANDDESK_GMT"));
  else
    gmt = g_find_program_in_path ("gmt");
  g_clear_pointer (&self->warning, g_free);

  GDALAllRegister ();
  g.self = self;
  g.seed = self->seed;
  g.geos = GEOS_init_r ();
  GEOSContext_setNoticeMessageHandler_r (g.geos, geos_message_cb, NULL);
  GEOSContext_setErrorMessageHandler_r (g.geos, geos_message_cb, NULL);
  ld_rng_init (&g.spot_rng, self->seed ^ G_GUINT64_CONSTANT (0x5b07));
  g.classes = ld_landclass_load (error);
  if (g.classes == NULL || !ld_demo_proj_init (&g.proj, error))
    goto out;
  if (progress != NULL)
    progress (0.0, gmt != NULL && *gmt != '\0' ? "coastline from GMT (GSHHG high)"
                                               : "synthetic coastline", user_data);
  if (!ld_demo_land_build (g.geos, &g.proj, gmt, &g.land, &self->warning, error))
    goto out;
  g.land_prep = GEOSPrepare_r (g.geos, g.land.land);
  g.coast_prep = GEOSPrepare_r (g.geos, g.land.coast);
  g.roads = project_lines (&g, ld_demo_roads, ld_demo_n_roads);
  g.rivers = project_lines (&g, ld_demo_rivers, ld_demo_n_rivers);

  if (!generate_gpkg (&g, gpkg_tmp, progress, user_data, error))
    goto out;

  basemap = ld_basemap_new (&extent);
  basemap_feed (&g, basemap);
  if (!ld_basemap_write (basemap, mbtiles_tmp, self->min_zoom, self->max_zoom, progress,
                         user_data, error))
    goto out;

  if (g_rename (gpkg_tmp, gpkg) != 0 || g_rename (mbtiles_tmp, mbtiles) != 0)
    {
      int saved = errno;

      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED, "cannot move the output into %s: %s",
                   dir, g_strerror (saved));
      goto out;
    }
  ok = TRUE;

out:
  gen_clear (&g);
  if (!ok)
    {
      g_remove (gpkg_tmp);
      g_remove (mbtiles_tmp);
    }
  return ok;
}
