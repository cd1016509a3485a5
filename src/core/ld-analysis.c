/* ld-analysis.c: the pre-review overlay analysis of a red line (domain.md §2, §6)
 *
 * The hot path reads the GeoPackage with SQLite alone: an R-tree query per layer, the
 * GeoPackage blob header skipped, the WKB decoded into a reused buffer, the red line's
 * boundary prepared once (in local coordinates), a patch the red line wholly contains taken
 * whole, and a patch it crosses measured by its boundary integral (clip_area) instead of a
 * GEOS overlay; a patch that touches the red line goes to GEOS (WKB to GEOS, the prepared red
 * line, GEOSIntersection). GDAL is not used here.
 *
 * Areas are planar Gauss-Krüger areas in EPSG:4525 (the result also gives 1/k² at the red
 * line's centroid, the factor that turns them into ellipsoidal areas like the survey's TBMJ).
 * Rounding: every figure is computed unrounded; a layer's total is its unrounded sum rounded
 * half-up (domain.md §6), and the rows are rounded so that they add up to that total exactly
 * (largest remainder: each row is truncated, and the units still missing go to the rows with
 * the largest remainders; a row differs from its own half-up rounding by at most one unit of
 * the last decimal, and only when the half-up rows would not add up).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sqlite3.h>

#include "ld-analysis.h"
#include "ld-gpkg-geom.h"
#include "ld-landclass.h"
#include "ld-redline-private.h"
#include "ld-store.h"
#include "ld-units.h"

/* Bump when the rules or the numbers change: stored results then read as stale. */
#define METHOD_VERSION "ld-analysis/1"
/* Planned use: an incompatible share below this is "attention" (boundary slivers), above it
 * "fail". */
#define PLANNED_SLIVER_SHARE 0.01

typedef enum
{
  LAYER_DLTB,
  LAYER_YDYH,
  LAYER_PBF,
  LAYER_EPR,
  LAYER_UDB,
  N_LAYERS,
} LayerId;

typedef struct
{
  const char *name;
  const char *code_field;   /* NULL: the layer has no classes */
  const char *name_field;
  const char *ratio_field;  /* KCXS */
  const char *what;
} LayerSpec;

static const LayerSpec layer_specs[N_LAYERS] = {
  { "xz_dltb", "DLBM", "DLMC", "KCXS", "current land use (third survey DLTB)" },
  { "gh_ydyh", "YDYHFLDM", "YDYHFLMC", NULL, "planned land use" },
  { "sx_yjjbnt", NULL, NULL, NULL, "permanent basic farmland" },
  { "sx_stbhhx", NULL, NULL, NULL, "ecological protection red line" },
  { "sx_czkfbj", NULL, NULL, NULL, "urban development boundary" },
};

typedef struct
{
  sqlite3_stmt *query;      /* candidates by envelope */
  sqlite3_stmt *hash;       /* the same rows for the fingerprint */
} Layer;

struct _LdAnalysis
{
  GObject              parent_instance;

  char                *path;
  sqlite3             *db;
  GEOSContextHandle_t  geos;
  LdLandclass         *classes;
  Layer                layers[N_LAYERS];
  GHashTable          *categories;   /* DLBM -> LdLandCategory, cached */
};

typedef struct
{
  char   *code;
  char   *name;
  double  area;
  double  net;
} Acc;

/* A boundary segment in local coordinates (origin at the red line's south-west corner, so that
 * the shoelace terms do not cancel out digits), with the sign that orients its ring (outer
 * rings counter-clockwise, holes clockwise). */
typedef struct
{
  double x0, y0, x1, y1;
  double minx, maxx, miny, maxy;
  double sign;
} Seg;

/* The red line's boundary for the exact-area clip (see clip_area). */
typedef struct
{
  GArray *segs;      /* of Seg */
  GArray *near;      /* of guint: the segments near the current patch */
  GArray *ts;        /* of double: crossings along an edge */
  double  ox, oy;
} Clip;

G_DEFINE_FINAL_TYPE (LdAnalysis, ld_analysis, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-analysis-error-quark, ld_analysis_error)

static const char * const check_ids[LD_N_CHECKS] = {
  "planned_use", "udb", "pbf", "epr", "cultivated", "new_construction",
};

static const char * const check_titles_zh[LD_N_CHECKS] = {
  "规划用途符合性", "城镇开发边界", "永久基本农田", "生态保护红线", "占用耕地", "新增建设用地",
};

/* ---- helpers ---------------------------------------------------------------------------- */

static void
acc_free (gpointer data)
{
  Acc *acc = data;

  g_free (acc->code);
  g_free (acc->name);
  g_free (acc);
}

static void
analysis_class_free (gpointer data)
{
  LdAnalysisRow *c = data;

  g_free (c->code);
  g_free (c->name);
  g_free (c);
}

static void
analysis_layer_free (gpointer data)
{
  LdAnalysisLayer *l = data;

  g_free (l->layer);
  g_ptr_array_unref (l->classes);
  g_free (l);
}

static gboolean
sql_error (LdAnalysis  *self,
           GError     **error,
           int          code,
           const char  *what)
{
  g_set_error (error, LD_ANALYSIS_ERROR, code, "%s: %s: %s", self->path, what,
               sqlite3_errmsg (self->db));
  return FALSE;
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

static gboolean
table_has_column (LdAnalysis *self,
                  const char *table,
                  const char *column,
                  gboolean   *is_pk)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA table_info(%s)", table);
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  while (!found && sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 1);

      if (column == NULL ? sqlite3_column_int (stmt, 5) == 1
                         : g_ascii_strcasecmp (name, column) == 0)
        {
          found = TRUE;
          if (is_pk)
            *is_pk = sqlite3_column_int (stmt, 5) == 1;
        }
    }
  sqlite3_finalize (stmt);
  return found;
}

/* The primary key column of @table (GDAL writes "fid"). */
static char *
primary_key (LdAnalysis *self,
             const char *table)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA table_info(%s)", table);
  sqlite3_stmt *stmt = NULL;
  char *pk = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  while (pk == NULL && sqlite3_step (stmt) == SQLITE_ROW)
    if (sqlite3_column_int (stmt, 5) == 1)
      pk = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  sqlite3_finalize (stmt);
  return pk;
}

static gboolean
prepare_layer (LdAnalysis  *self,
               LayerId      id,
               GError     **error)
{
  const LayerSpec *spec = &layer_specs[id];
  sqlite3_stmt *stmt = NULL;
  g_autofree char *geom_col = NULL, *rtree = NULL, *pk = NULL, *q_table = NULL;
  g_autofree char *q_rtree = NULL, *q_geom = NULL, *q_pk = NULL, *fields = NULL, *sql = NULL;
  g_autofree char *hash_sql = NULL;

  if (sqlite3_prepare_v2 (self->db, "SELECT column_name FROM gpkg_geometry_columns"
                          " WHERE table_name = ?", -1, &stmt, NULL) != SQLITE_OK)
    return sql_error (self, error, LD_ANALYSIS_ERROR_LAYER,
                      "not a GeoPackage (no gpkg_geometry_columns)");
  sqlite3_bind_text (stmt, 1, spec->name, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    geom_col = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  if (geom_col == NULL)
    {
      g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_LAYER,
                   "%s has no layer %s (%s): load the land layers into it "
                   "(landdesk-cli store create --from-demo)", self->path, spec->name, spec->what);
      return FALSE;
    }
  q_table = quote_ident (spec->name);
  rtree = g_strdup_printf ("rtree_%s_%s", spec->name, geom_col);
  q_rtree = quote_ident (rtree);
  q_geom = quote_ident (geom_col);
  pk = primary_key (self, q_table);
  if (pk == NULL || !table_has_column (self, q_rtree, "minx", NULL))
    {
      g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_LAYER,
                   "%s: layer %s has no spatial index (table %s): create it, e.g. "
                   "ogrinfo %s -sql \"SELECT CreateSpatialIndex('%s', '%s')\"",
                   self->path, spec->name, rtree, self->path, spec->name, geom_col);
      return FALSE;
    }
  q_pk = quote_ident (pk);
  {
    const char *cols[] = { spec->code_field, spec->name_field, spec->ratio_field };
    GString *f = g_string_new ("");

    for (guint i = 0; i < G_N_ELEMENTS (cols); i++)
      {
        if (cols[i] == NULL)
          {
            g_string_append (f, ", NULL");
            continue;
          }
        if (!table_has_column (self, q_table, cols[i], NULL))
          {
            g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_LAYER,
                         "%s: layer %s has no field %s", self->path, spec->name, cols[i]);
            g_string_free (f, TRUE);
            return FALSE;
          }
        g_string_append_printf (f, ", t.%s", cols[i]);
      }
    fields = g_string_free (f, FALSE);
  }
  /* The R-tree drives the join: SQLite asks it for the envelopes that meet the red line's. */
  sql = g_strdup_printf ("SELECT t.%s%s, t.%s FROM %s r JOIN %s t ON t.%s = r.id"
                         " WHERE r.minx <= ?2 AND r.maxx >= ?1 AND r.miny <= ?4 AND r.maxy >= ?3",
                         q_geom, fields, q_pk, q_rtree, q_table, q_pk);
  hash_sql = g_strdup_printf ("%s ORDER BY t.%s", sql, q_pk);
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                          &self->layers[id].query, NULL) != SQLITE_OK
      || sqlite3_prepare_v3 (self->db, hash_sql, -1, SQLITE_PREPARE_PERSISTENT,
                             &self->layers[id].hash, NULL) != SQLITE_OK)
    {
      g_autofree char *what = g_strdup_printf ("cannot query layer %s", spec->name);

      return sql_error (self, error, LD_ANALYSIS_ERROR_LAYER, what);
    }
  return TRUE;
}

static LdLandCategory
category_of (LdAnalysis *self,
             const char *code)
{
  gpointer value;

  if (!g_hash_table_lookup_extended (self->categories, code, NULL, &value))
    {
      LdLandCategory category = LD_LAND_CATEGORY_NONE;

      if (self->classes != NULL)
        {
          const char *mapped = strlen (code) == 3 ? ld_landclass_map_2007 (self->classes, code)
                                                  : NULL;

          category = ld_landclass_category (self->classes, mapped != NULL ? mapped : code);
        }
      value = GINT_TO_POINTER (category);
      g_hash_table_insert (self->categories, g_strdup (code), value);
    }
  return GPOINTER_TO_INT (value);
}

/* 0101, 0102, 0103 (and their 2007 codes 011, 012, 013): cultivated land. Restorable
 * K classes are not cultivated land. */
static int
cultivated_kind (const char *code)
{
  if (code == NULL)
    return 0;
  if (strlen (code) == 4 && strncmp (code, "010", 3) == 0 && code[3] >= '1' && code[3] <= '3')
    return code[3] - '0';
  if (strlen (code) == 3 && strncmp (code, "01", 2) == 0 && code[2] >= '1' && code[2] <= '3')
    return code[2] - '0';
  return 0;
}

/* Area of @patch inside the prepared red line; whole TRUE when no clipping was needed. */
static gboolean
overlay_area (LdAnalysis                 *self,
              const GEOSGeometry         *redline,
              const GEOSPreparedGeometry *prepared,
              const GEOSGeometry         *patch,
              double                     *area,
              gboolean                   *whole)
{
  GEOSGeometry *inter;
  double a = 0.0;

  *whole = FALSE;
  *area = 0.0;
  if (GEOSPreparedContainsProperly_r (self->geos, prepared, patch) == 1)
    {
      *whole = TRUE;
      return GEOSArea_r (self->geos, patch, area) == 1;
    }
  if (GEOSPreparedIntersects_r (self->geos, prepared, patch) != 1)
    return TRUE;
  inter = GEOSIntersection_r (self->geos, redline, patch);
  if (inter == NULL)
    {
      /* A patch GEOS finds invalid: clip its repaired shape. */
      GEOSGeometry *fixed = GEOSMakeValid_r (self->geos, patch);

      if (fixed == NULL)
        return FALSE;
      inter = GEOSIntersection_r (self->geos, redline, fixed);
      GEOSGeom_destroy_r (self->geos, fixed);
      if (inter == NULL)
        return FALSE;
    }
  if (GEOSArea_r (self->geos, inter, &a) != 1)
    a = 0.0;
  GEOSGeom_destroy_r (self->geos, inter);
  *area = a;
  return TRUE;
}


/* Points closer than this (m) to the other boundary make a patch "touchy": GEOS clips it. */
#define CLIP_TOLERANCE 1e-6

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
static gboolean
clip_area (Clip         *clip,
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

static void
clip_init (Clip               *clip,
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

static void
clip_clear (Clip *clip)
{
  g_array_unref (clip->segs);
  g_array_unref (clip->near);
  g_array_unref (clip->ts);
}


/* Rectangles (world coordinates) that together cover the red line, for the R-tree queries.
 * A compact red line is covered by its box; a thin or sparse one (a road, a pipeline, parcels
 * far apart), whose box would return far more patches than it touches, by the cells of a grid
 * over its box that hold its boundary or lie inside it, merged along rows. */
typedef struct
{
  double minx, miny, maxx, maxy;
} Rect;

#define COVER_CELLS 32

static GArray *
red_cover (const Clip *clip,
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

static void
reconcile (GPtrArray *classes,
           double     total_m2)
{
  static const struct { double factor; int decimals; gsize offset; } units[] = {
    { 1.0, 2, G_STRUCT_OFFSET (LdAnalysisRow, round_m2) },
    { 1.0e-4, 4, G_STRUCT_OFFSET (LdAnalysisRow, round_ha) },
    { LD_MU_PER_M2, 2, G_STRUCT_OFFSET (LdAnalysisRow, round_mu) },
  };

  for (guint u = 0; u < G_N_ELEMENTS (units); u++)
    {
      double scale = pow (10.0, units[u].decimals);
      gint64 target = llround (ld_round_half_up (total_m2 * units[u].factor, units[u].decimals)
                               * scale);
      gint64 sum = 0;
      g_autofree double *rem = g_new0 (double, MAX (classes->len, 1));
      g_autofree gint64 *units_of = g_new0 (gint64, MAX (classes->len, 1));

      for (guint i = 0; i < classes->len; i++)
        {
          LdAnalysisRow *c = g_ptr_array_index (classes, i);
          double v = c->area_m2 * units[u].factor * scale;
          /* Values a hair under an integer (0.29 x 100) are that integer. */
          double fl = floor (v + 1e-7);

          units_of[i] = (gint64) fl;
          rem[i] = v - fl;
          sum += units_of[i];
        }
      for (gint64 missing = target - sum; missing != 0;)
        {
          int best = -1;

          for (guint i = 0; i < classes->len; i++)
            if (best < 0 || (missing > 0 ? rem[i] > rem[best] : rem[i] < rem[best]))
              best = (int) i;
          if (best < 0)
            break;
          units_of[best] += missing > 0 ? 1 : -1;
          rem[best] = missing > 0 ? -2.0 : 2.0;
          missing += missing > 0 ? -1 : 1;
        }
      for (guint i = 0; i < classes->len; i++)
        G_STRUCT_MEMBER (double, g_ptr_array_index (classes, i), units[u].offset) =
          (double) units_of[i] / scale;
    }
}

static int
compare_classes (gconstpointer a,
                 gconstpointer b)
{
  const LdAnalysisRow *x = *(LdAnalysisRow * const *) a, *y = *(LdAnalysisRow * const *) b;

  /* "not covered" last, then largest first, then by code */
  if ((x->code[0] == '\0') != (y->code[0] == '\0'))
    return x->code[0] == '\0' ? 1 : -1;
  if (x->area_m2 != y->area_m2)
    return x->area_m2 > y->area_m2 ? -1 : 1;
  return strcmp (x->code, y->code);
}

static LdAnalysisLayer *
make_layer (const char *name,
            GHashTable *accs,
            double      redline_area)
{
  LdAnalysisLayer *layer = g_new0 (LdAnalysisLayer, 1);
  GHashTableIter iter;
  gpointer value;
  double uncovered;

  layer->layer = g_strdup (name);
  layer->classes = g_ptr_array_new_with_free_func (analysis_class_free);
  g_hash_table_iter_init (&iter, accs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Acc *acc = value;
      LdAnalysisRow *c = g_new0 (LdAnalysisRow, 1);

      c->code = g_strdup (acc->code);
      c->name = g_strdup (acc->name);
      c->area_m2 = acc->area;
      c->net_m2 = acc->net;
      layer->total_m2 += acc->area;
      g_ptr_array_add (layer->classes, c);
    }
  /* Area no patch of the layer covers (the sea, a gap): its own row, so the rows add up to
   * the red line. Below a hundredth of a m² it is rounding noise. */
  uncovered = redline_area - layer->total_m2;
  if (uncovered >= 0.005)
    {
      LdAnalysisRow *c = g_new0 (LdAnalysisRow, 1);

      c->code = g_strdup ("");
      c->name = g_strdup ("未覆盖");
      c->area_m2 = c->net_m2 = uncovered;
      layer->total_m2 += uncovered;
      g_ptr_array_add (layer->classes, c);
    }
  g_ptr_array_sort (layer->classes, compare_classes);
  reconcile (layer->classes, layer->total_m2);
  return layer;
}

static char *
format_area (double m2)
{
  return g_strdup_printf ("%.2f m² (%.4f ha, %.2f mu)", ld_round_half_up (m2, 2),
                          ld_round_half_up (m2 / 10000.0, 4),
                          ld_round_half_up (m2 * LD_MU_PER_M2, 2));
}

static char *
format_area_zh (double m2)
{
  return g_strdup_printf ("%.2f 平方米（%.4f 公顷，%.2f 亩）", ld_round_half_up (m2, 2),
                          ld_round_half_up (m2 / 10000.0, 4),
                          ld_round_half_up (m2 * LD_MU_PER_M2, 2));
}

static gboolean
is_zero (double m2)
{
  return ld_round_half_up (m2, 2) == 0.0;
}

static void
set_check (LdAnalysisCheck *check,
           LdCheckId        id,
           LdCheckStatus    status,
           double           area,
           char            *reason,
           char            *reason_zh)
{
  check->id = id;
  check->status = status;
  check->area_m2 = area;
  check->reason = reason;
  check->reason_zh = reason_zh;
}

/* Planned-use conformity: a planned class is compatible with the project's use when both
 * share their first-level class of the 2023 classification (the first two digits). */
static void
check_planned_use (LdAnalysisResult *r,
                   double            planned_covered)
{
  LdAnalysisCheck *check = &r->checks[LD_CHECK_PLANNED_USE];
  const LdAnalysisLayer *ydyh = ld_analysis_result_get_layer (r, "gh_ydyh");
  double bad = 0.0, none = r->redline_area_m2 - planned_covered;
  g_autoptr(GString) bad_list = g_string_new ("");
  g_autoptr(GString) bad_list_zh = g_string_new ("");
  g_autofree char *bad_text = NULL, *bad_zh = NULL, *none_text = NULL, *none_zh = NULL;
  char first[3] = { 0 };

  if (r->project_use == NULL || strlen (r->project_use) < 2)
    {
      set_check (check, LD_CHECK_PLANNED_USE, LD_CHECK_ATTENTION, 0.0,
                 g_strdup ("the case states no project use (2023 class code), so planned-use "
                           "conformity was not checked"),
                 g_strdup ("案件未填写项目用途（用地用海分类代码），未核对规划用途符合性"));
      return;
    }
  memcpy (first, r->project_use, 2);
  for (guint i = 0; ydyh != NULL && i < ydyh->classes->len; i++)
    {
      LdAnalysisRow *c = g_ptr_array_index (ydyh->classes, i);

      if (c->code[0] == '\0' || strncmp (c->code, first, 2) == 0 || is_zero (c->area_m2))
        continue;
      bad += c->area_m2;
      g_string_append_printf (bad_list, "%s%s %s %.2f m²", bad_list->len ? ", " : "", c->code,
                              c->name, ld_round_half_up (c->area_m2, 2));
      g_string_append_printf (bad_list_zh, "%s%s %s %.2f 平方米", bad_list_zh->len ? "、" : "",
                              c->code, c->name, ld_round_half_up (c->area_m2, 2));
    }
  if (none < 0.0)
    none = 0.0;
  if (is_zero (bad) && is_zero (none))
    {
      set_check (check, LD_CHECK_PLANNED_USE, LD_CHECK_PASS, 0.0,
                 g_strdup_printf ("all planned use inside the red line is in first-level class "
                                  "%s, the project's use %s", first, r->project_use),
                 g_strdup_printf ("红线内规划用途均属一级类 %s，与项目用途 %s 相符", first,
                                  r->project_use));
      return;
    }
  bad_text = format_area (bad);
  bad_zh = format_area_zh (bad);
  if (!is_zero (bad))
    {
      double share = bad / r->redline_area_m2;
      gboolean sliver = share < PLANNED_SLIVER_SHARE;

      set_check (check, LD_CHECK_PLANNED_USE, sliver ? LD_CHECK_ATTENTION : LD_CHECK_FAIL, bad,
                 g_strdup_printf ("%s (%.2f%% of the red line) is planned for other uses than "
                                  "the project's %s: %s%s", bad_text, share * 100.0,
                                  r->project_use, bad_list->str,
                                  sliver ? "; under 1%: check the boundary" : ""),
                 g_strdup_printf ("%s（占红线 %.2f%%）规划用途与项目用途 %s 不符：%s%s", bad_zh,
                                  share * 100.0, r->project_use, bad_list_zh->str,
                                  sliver ? "；不足 1%，请核对边界" : ""));
      return;
    }
  none_text = format_area (none);
  none_zh = format_area_zh (none);
  set_check (check, LD_CHECK_PLANNED_USE, LD_CHECK_ATTENTION, none,
             g_strdup_printf ("%s of the red line has no planned use in gh_ydyh", none_text),
             g_strdup_printf ("红线内 %s 无规划用途数据", none_zh));
}

static void
run_checks (LdAnalysisResult *r,
            double            sums[N_LAYERS],
            double            cultivated_net,
            double            new_construction)
{
  double area = r->redline_area_m2, inside = sums[LAYER_UDB];
  g_autofree char *a = NULL, *a_zh = NULL;

  check_planned_use (r, sums[LAYER_YDYH]);

  if (inside > area)
    inside = area;
  a = format_area (inside);
  a_zh = format_area_zh (inside);
  if (is_zero (area - inside))
    set_check (&r->checks[LD_CHECK_UDB], LD_CHECK_UDB, LD_CHECK_PASS, inside,
               g_strdup ("the red line lies wholly inside the urban development boundary"),
               g_strdup ("红线全部位于城镇开发边界内"));
  else if (is_zero (inside))
    set_check (&r->checks[LD_CHECK_UDB], LD_CHECK_UDB, LD_CHECK_ATTENTION, 0.0,
               g_strdup ("the red line lies wholly outside the urban development boundary: only "
                         "projects allowed outside it (e.g. linear infrastructure) may be sited "
                         "there"),
               g_strdup ("红线全部位于城镇开发边界外：仅允许在边界外选址的项目（如线性基础设施）可在此选址"));
  else
    set_check (&r->checks[LD_CHECK_UDB], LD_CHECK_UDB, LD_CHECK_ATTENTION, inside,
               g_strdup_printf ("%s (%.2f%%) of the red line is inside the urban development "
                                "boundary, the rest outside", a, inside / area * 100.0),
               g_strdup_printf ("红线内 %s（%.2f%%）位于城镇开发边界内，其余位于边界外", a_zh,
                                inside / area * 100.0));

  g_clear_pointer (&a, g_free);
  g_clear_pointer (&a_zh, g_free);
  a = format_area (sums[LAYER_PBF]);
  a_zh = format_area_zh (sums[LAYER_PBF]);
  if (is_zero (sums[LAYER_PBF]))
    set_check (&r->checks[LD_CHECK_PBF], LD_CHECK_PBF, LD_CHECK_PASS, sums[LAYER_PBF],
               g_strdup ("no permanent basic farmland inside the red line"),
               g_strdup ("红线内不涉及永久基本农田"));
  else
    set_check (&r->checks[LD_CHECK_PBF], LD_CHECK_PBF, LD_CHECK_FAIL, sums[LAYER_PBF],
               g_strdup_printf ("%s of permanent basic farmland inside the red line: only major "
                                "projects may occupy it", a),
               g_strdup_printf ("红线内涉及永久基本农田 %s：仅重大建设项目可占用", a_zh));

  g_clear_pointer (&a, g_free);
  g_clear_pointer (&a_zh, g_free);
  a = format_area (sums[LAYER_EPR]);
  a_zh = format_area_zh (sums[LAYER_EPR]);
  if (is_zero (sums[LAYER_EPR]))
    set_check (&r->checks[LD_CHECK_EPR], LD_CHECK_EPR, LD_CHECK_PASS, sums[LAYER_EPR],
               g_strdup ("no ecological protection red line inside the red line"),
               g_strdup ("红线内不涉及生态保护红线"));
  else
    set_check (&r->checks[LD_CHECK_EPR], LD_CHECK_EPR, LD_CHECK_FAIL, sums[LAYER_EPR],
               g_strdup_printf ("%s of the ecological protection red line inside the red line: "
                                "construction is not allowed there", a),
               g_strdup_printf ("红线内涉及生态保护红线 %s：不得进行开发建设", a_zh));

  g_clear_pointer (&a, g_free);
  g_clear_pointer (&a_zh, g_free);
  a = format_area (cultivated_net);
  a_zh = format_area_zh (cultivated_net);
  if (is_zero (cultivated_net))
    set_check (&r->checks[LD_CHECK_CULTIVATED], LD_CHECK_CULTIVATED, LD_CHECK_PASS,
               cultivated_net, g_strdup ("no cultivated land inside the red line"),
               g_strdup ("红线内不占用耕地"));
  else
    {
      g_autofree char *p = format_area (r->paddy_m2), *p_zh = format_area_zh (r->paddy_m2);

      set_check (&r->checks[LD_CHECK_CULTIVATED], LD_CHECK_CULTIVATED, LD_CHECK_ATTENTION,
                 cultivated_net,
                 g_strdup_printf ("%s of cultivated land net of field ridges (paddy %s): the "
                                  "occupation must be compensated", a, p),
                 g_strdup_printf ("占用耕地 %s（扣除田坎，其中水田 %s），须落实占补平衡", a_zh,
                                  p_zh));
    }

  g_clear_pointer (&a, g_free);
  g_clear_pointer (&a_zh, g_free);
  a = format_area (new_construction);
  a_zh = format_area_zh (new_construction);
  if (is_zero (new_construction))
    set_check (&r->checks[LD_CHECK_NEW_CONSTRUCTION], LD_CHECK_NEW_CONSTRUCTION, LD_CHECK_PASS,
               new_construction,
               g_strdup ("no agricultural or unused land inside the red line: no new "
                         "construction land"),
               g_strdup ("红线内无农用地和未利用地，不涉及新增建设用地"));
  else
    set_check (&r->checks[LD_CHECK_NEW_CONSTRUCTION], LD_CHECK_NEW_CONSTRUCTION,
               LD_CHECK_ATTENTION, new_construction,
               g_strdup_printf ("%s of agricultural and unused land becomes construction land: "
                                "it needs a construction-land quota and conversion approval", a),
               g_strdup_printf ("新增建设用地 %s（农用地和未利用地），须落实用地指标并办理农转用",
                                a_zh));
}

static GEOSGeometry *
union_parcels (LdAnalysis  *self,
               LdRedline   *redline,
               GError     **error)
{
  guint n = ld_redline_get_n_parcels (redline);
  g_autofree GEOSGeometry **parts = NULL;
  GEOSGeometry *collection, *merged;

  if (n == 0)
    {
      g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_GEOMETRY,
                   "the red line has no parcel to analyse");
      return NULL;
    }
  parts = g_new0 (GEOSGeometry *, n);
  for (guint i = 0; i < n; i++)
    {
      LdRedlineParcel *parcel = ld_redline_get_parcel (redline, i);

      if (parcel->geom == NULL || GEOSisValid_r (self->geos, parcel->geom) != 1)
        {
          char *reason = parcel->geom ? GEOSisValidReason_r (self->geos, parcel->geom) : NULL;

          g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_GEOMETRY,
                       "parcel %s of the red line is not a valid polygon (%s): repair it "
                       "first (landdesk-cli redline import --make-valid)", parcel->id,
                       reason ? reason : "no geometry");
          if (reason)
            GEOSFree_r (self->geos, reason);
          for (guint k = 0; k < i; k++)
            GEOSGeom_destroy_r (self->geos, parts[k]);
          return NULL;
        }
      parts[i] = GEOSGeom_clone_r (self->geos, parcel->geom);
    }
  if (n == 1)
    return parts[0];
  collection = GEOSGeom_createCollection_r (self->geos, GEOS_GEOMETRYCOLLECTION, parts, n);
  merged = GEOSUnaryUnion_r (self->geos, collection);
  GEOSGeom_destroy_r (self->geos, collection);
  if (merged == NULL)
    g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_GEOMETRY,
                 "the parcels of the red line cannot be merged");
  return merged;
}

static void
bind_envelope (sqlite3_stmt *stmt,
               double        minx,
               double        miny,
               double        maxx,
               double        maxy)
{
  sqlite3_reset (stmt);
  sqlite3_bind_double (stmt, 1, minx);
  sqlite3_bind_double (stmt, 2, maxx);
  sqlite3_bind_double (stmt, 3, miny);
  sqlite3_bind_double (stmt, 4, maxy);
}

static void
geos_message_cb (const char *message,
                 void       *user_data)
{
  g_debug ("GEOS: %s", message);
}

/* ---- GObject ---------------------------------------------------------------------------- */

static void
ld_analysis_finalize (GObject *object)
{
  LdAnalysis *self = LD_ANALYSIS (object);

  for (guint i = 0; i < N_LAYERS; i++)
    {
      g_clear_pointer (&self->layers[i].query, sqlite3_finalize);
      g_clear_pointer (&self->layers[i].hash, sqlite3_finalize);
    }
  g_clear_pointer (&self->db, sqlite3_close);
  g_clear_pointer (&self->geos, GEOS_finish_r);
  g_clear_object (&self->classes);
  g_clear_pointer (&self->categories, g_hash_table_unref);
  g_free (self->path);

  G_OBJECT_CLASS (ld_analysis_parent_class)->finalize (object);
}

static void
ld_analysis_class_init (LdAnalysisClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ld_analysis_finalize;
}

static void
ld_analysis_init (LdAnalysis *self)
{
  self->geos = GEOS_init_r ();
  GEOSContext_setErrorMessageHandler_r (self->geos, geos_message_cb, NULL);
  GEOSContext_setNoticeMessageHandler_r (self->geos, geos_message_cb, NULL);
  self->categories = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* ---- public API ------------------------------------------------------------------------- */

const char *
ld_check_id_to_string (LdCheckId id)
{
  g_return_val_if_fail (id < LD_N_CHECKS, NULL);
  return check_ids[id];
}

const char *
ld_check_title_zh (LdCheckId id)
{
  g_return_val_if_fail (id < LD_N_CHECKS, NULL);
  return check_titles_zh[id];
}

const char *
ld_check_status_to_string (LdCheckStatus status)
{
  switch (status)
    {
    case LD_CHECK_PASS: return "pass";
    case LD_CHECK_ATTENTION: return "attention";
    case LD_CHECK_FAIL: return "fail";
    default: return NULL;
    }
}

const char *
ld_check_status_zh (LdCheckStatus status)
{
  switch (status)
    {
    case LD_CHECK_PASS: return "通过";
    case LD_CHECK_ATTENTION: return "需关注";
    case LD_CHECK_FAIL: return "不通过";
    default: return NULL;
    }
}

/**
 * ld_analysis_new:
 * @gpkg: a GeoPackage holding xz_dltb, gh_ydyh, sx_yjjbnt, sx_stbhhx and sx_czkfbj with
 *   their R-trees: the local store or the demo
 *
 * Opens its own SQLite connection and prepares one query per layer: keep the object to run
 * many analyses.
 */
LdAnalysis *
ld_analysis_new (const char  *gpkg,
                 GError     **error)
{
  g_autoptr(LdAnalysis) self = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (gpkg != NULL, NULL);

  if (!g_file_test (gpkg, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_OPEN,
                   "%s does not exist or is not a file", gpkg);
      return NULL;
    }
  self = g_object_new (LD_TYPE_ANALYSIS, NULL);
  self->path = g_strdup (gpkg);
  if (sqlite3_open_v2 (gpkg, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL)
      != SQLITE_OK)
    {
      g_clear_pointer (&self->db, sqlite3_close);
      if (sqlite3_open_v2 (gpkg, &self->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL)
          != SQLITE_OK)
        {
          g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_OPEN, "cannot open %s: %s",
                       gpkg, self->db ? sqlite3_errmsg (self->db) : "out of memory");
          return NULL;
        }
    }
  sqlite3_busy_timeout (self->db, 5000);
  /* Results are derived data, recomputed at will: a commit need not wait for the disk (in WAL
   * mode synchronous=NORMAL is still atomic and consistent; the store's own connection keeps
   * FULL), and closing leaves the checkpoint to the store's next writer. Together they took
   * 2-8 ms of a 10 ms `landdesk-cli analyze`. */
  sqlite3_exec (self->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
  sqlite3_db_config (self->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  for (guint i = 0; i < N_LAYERS; i++)
    if (!prepare_layer (self, i, error))
      return NULL;
  self->classes = ld_landclass_load (&local);
  if (self->classes == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local),
                                  "the land classes are needed to tell new construction land: ");
      return NULL;
    }
  return g_steal_pointer (&self);
}

const char *
ld_analysis_get_path (LdAnalysis *self)
{
  g_return_val_if_fail (LD_IS_ANALYSIS (self), NULL);
  return self->path;
}

/**
 * ld_analysis_run:
 * @redline: the red line (EPSG:4525); its parcels are merged
 * @project_use: (nullable): the project's use, a 2023 land-and-sea class code
 *
 * Returns: the areas per class of xz_dltb and gh_ydyh and the six pre-review checks.
 */
LdAnalysisResult *
ld_analysis_run (LdAnalysis  *self,
                 LdRedline   *redline,
                 const char  *project_use,
                 GError     **error)
{
  g_autoptr(LdAnalysisResult) r = NULL;
  GEOSGeometry *rl;
  const GEOSPreparedGeometry *prepared;
  GEOSGeometry *centroid;
  double sums[N_LAYERS] = { 0 };
  double cultivated_net = 0.0, new_construction = 0.0;
  gboolean ok = TRUE;
  Clip clip;
  LdGeomBuffer buffer;
  g_autoptr(GArray) patch_segs = g_array_new (FALSE, FALSE, sizeof (Seg));
  g_autoptr(GArray) cover = NULL;
  g_autoptr(GHashTable) seen = NULL;

  g_return_val_if_fail (LD_IS_ANALYSIS (self), NULL);
  g_return_val_if_fail (LD_IS_REDLINE (redline), NULL);

  rl = union_parcels (self, redline, error);
  if (rl == NULL)
    return NULL;
  r = g_new0 (LdAnalysisResult, 1);
  r->layers = g_ptr_array_new_with_free_func (analysis_layer_free);
  r->project_use = project_use != NULL && *project_use != '\0' ? g_strdup (project_use) : NULL;
  GEOSArea_r (self->geos, rl, &r->redline_area_m2);
  if (r->redline_area_m2 <= 0.0)
    {
      GEOSGeom_destroy_r (self->geos, rl);
      g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_GEOMETRY,
                   "the red line has no area");
      return NULL;
    }
  GEOSGeom_getXMin_r (self->geos, rl, &r->minx);
  GEOSGeom_getYMin_r (self->geos, rl, &r->miny);
  GEOSGeom_getXMax_r (self->geos, rl, &r->maxx);
  GEOSGeom_getYMax_r (self->geos, rl, &r->maxy);
  centroid = GEOSGetCentroid_r (self->geos, rl);
  if (centroid != NULL)
    {
      GEOSGeomGetX_r (self->geos, centroid, &r->cx);
      GEOSGeomGetY_r (self->geos, centroid, &r->cy);
      GEOSGeom_destroy_r (self->geos, centroid);
    }
  {
    double e = r->cx - 37500000.0, k = 1.0 + e * e / (2.0 * 6371000.0 * 6371000.0);

    r->ellipsoid_factor = 1.0 / (k * k);
  }
  prepared = GEOSPrepare_r (self->geos, rl);
  clip_init (&clip, rl, self->geos, floor (r->minx), floor (r->miny));
  ld_geom_buffer_init (&buffer);
  cover = red_cover (&clip, r->minx, r->miny, r->maxx, r->maxy, r->redline_area_m2);
  if (cover->len > 1)
    seen = g_hash_table_new (g_direct_hash, g_direct_equal);

  for (guint id = 0; ok && id < N_LAYERS; id++)
    {
      const LayerSpec *spec = &layer_specs[id];
      sqlite3_stmt *stmt = self->layers[id].query;
      g_autoptr(GHashTable) accs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                          acc_free);
      int rc;

      for (guint q = 0; ok && q < cover->len; q++)
      {
      const Rect *rect = &g_array_index (cover, Rect, q);

      bind_envelope (stmt, rect->minx, rect->miny, rect->maxx, rect->maxy);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          const guint8 *blob = sqlite3_column_blob (stmt, 0);
          gsize length = (gsize) sqlite3_column_bytes (stmt, 0);
          LdGpkgHeader header;
          GEOSGeometry *patch;
          double area;
          gboolean whole;

          /* a patch in two cells of the cover comes once */
          if (seen != NULL)
            {
              gpointer fid = GSIZE_TO_POINTER ((gsize) sqlite3_column_int64 (stmt, 4));

              if (g_hash_table_contains (seen, fid))
                continue;
              g_hash_table_add (seen, fid);
            }
          r->n_candidates++;
          if (!ld_gpkg_geom_parse_header (blob, length, &header, NULL) || header.empty)
            continue;
          ld_geom_buffer_reset (&buffer);
          if (!ld_wkb_decode_polygons (header.wkb, header.wkb_length, NULL, 0.0, &buffer, NULL))
            {
              g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_LAYER,
                           "%s: layer %s, feature %lld: the geometry is not a valid (Multi)Polygon"
                           " WKB", self->path, spec->name,
                           (long long) sqlite3_column_int64 (stmt, 4));
              ok = FALSE;
              break;
            }
          if (!clip_area (&clip, &buffer, patch_segs, &area, &whole))
            {
              /* it touches the red line: GEOS clips it */
              patch = GEOSGeomFromWKB_buf_r (self->geos, header.wkb, header.wkb_length);
              if (patch == NULL || !overlay_area (self, rl, prepared, patch, &area, &whole))
                {
                  g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_LAYER,
                               "%s: layer %s, feature %lld: GEOS cannot intersect it with the "
                               "red line", self->path, spec->name,
                               (long long) sqlite3_column_int64 (stmt, 4));
                  if (patch != NULL)
                    GEOSGeom_destroy_r (self->geos, patch);
                  ok = FALSE;
                  break;
                }
              GEOSGeom_destroy_r (self->geos, patch);
              r->n_geos++;
            }
          if (area <= 0.0)
            continue;
          if (whole)
            r->n_whole++;
          else
            r->n_clipped++;
          sums[id] += area;
          if (spec->code_field != NULL)
            {
              const char *code = (const char *) sqlite3_column_text (stmt, 1);
              const char *name = (const char *) sqlite3_column_text (stmt, 2);
              double net = area;
              Acc *acc;

              if (code == NULL)
                code = "";
              acc = g_hash_table_lookup (accs, code);
              if (acc == NULL)
                {
                  acc = g_new0 (Acc, 1);
                  acc->code = g_strdup (code);
                  acc->name = g_strdup (name != NULL ? name : "");
                  g_hash_table_insert (accs, acc->code, acc);
                }
              if (spec->ratio_field != NULL)
                {
                  double kcxs = sqlite3_column_double (stmt, 3);
                  LdLandCategory category = category_of (self, code);
                  int kind = cultivated_kind (code);

                  if (kcxs > 0.0 && kcxs < 1.0)
                    net = area * (1.0 - kcxs);
                  if (kind != 0)
                    {
                      cultivated_net += net;
                      if (kind == 1)
                        r->paddy_m2 += net;
                    }
                  if (category == LD_LAND_CATEGORY_AGRICULTURAL
                      || category == LD_LAND_CATEGORY_UNUSED)
                    new_construction += area;
                }
              acc->area += area;
              acc->net += net;
            }
        }
      if (ok && rc != SQLITE_DONE && rc != SQLITE_ROW)
        ok = sql_error (self, error, LD_ANALYSIS_ERROR_LAYER, "reading a layer");
      sqlite3_reset (stmt);
      }
      if (seen != NULL)
        g_hash_table_remove_all (seen);
      if (ok && spec->code_field != NULL)
        g_ptr_array_add (r->layers, make_layer (spec->name, accs, r->redline_area_m2));
    }
  GEOSPreparedGeom_destroy_r (self->geos, prepared);
  GEOSGeom_destroy_r (self->geos, rl);
  clip_clear (&clip);
  ld_geom_buffer_clear (&buffer);
  if (!ok)
    return NULL;
  if (sums[LAYER_DLTB] <= 0.0 && sums[LAYER_YDYH] <= 0.0)
    {
      g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_OUTSIDE,
                   "the red line (%.3f, %.3f to %.3f, %.3f in EPSG:4525) covers no patch of "
                   "xz_dltb or gh_ydyh in %s: is it in the area of these layers, and in "
                   "EPSG:4525 (easting with the zone prefix 37)?",
                   r->minx, r->miny, r->maxx, r->maxy, self->path);
      return NULL;
    }
  run_checks (r, sums, cultivated_net, new_construction);
  return g_steal_pointer (&r);
}

/**
 * ld_analysis_load_case:
 * @case_ref: a case's id (UUID) or number
 *
 * Reads the case's red line from case_redlines with SQLite (no GDAL), and its project use.
 */
LdRedline *
ld_analysis_load_case (LdAnalysis  *self,
                       const char  *case_ref,
                       char       **case_id,
                       char       **project_use,
                       GError     **error)
{
  g_autoptr(LdRedline) redline = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *id = NULL, *use = NULL, *number = NULL, *title = NULL;

  g_return_val_if_fail (LD_IS_ANALYSIS (self), NULL);

  if (sqlite3_prepare_v2 (self->db, "SELECT id, project_use, number, title FROM cases"
                          " WHERE id = ?1 OR number = ?1 LIMIT 1", -1, &stmt, NULL) != SQLITE_OK)
    {
      sql_error (self, error, LD_ANALYSIS_ERROR_NOT_FOUND, "not a LandDesk store (no cases table)");
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, case_ref, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      use = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      number = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      title = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
    }
  sqlite3_finalize (stmt);
  if (id == NULL)
    {
      g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_NOT_FOUND,
                   "%s: no case with id or number %s", self->path, case_ref);
      return NULL;
    }
  redline = ld_redline_new ();
  ld_redline_set_case (redline, number, title, use);
  if (sqlite3_prepare_v2 (self->db, "SELECT geom, coalesce(parcel_no, id), name, fid"
                          " FROM case_redlines WHERE case_id = ? ORDER BY fid", -1, &stmt, NULL)
      != SQLITE_OK)
    {
      sql_error (self, error, LD_ANALYSIS_ERROR_NOT_FOUND, "reading case_redlines");
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      LdGpkgHeader header;
      GEOSGeometry *geom;

      if (!ld_gpkg_geom_parse_header (sqlite3_column_blob (stmt, 0),
                                      (gsize) sqlite3_column_bytes (stmt, 0), &header, NULL)
          || header.empty)
        continue;
      geom = ld_redline_geometry_from_wkb (redline, header.wkb, header.wkb_length);
      if (geom == NULL)
        {
          g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_GEOMETRY,
                       "%s: case %s, case_redlines feature %lld: not a polygon", self->path,
                       case_ref, (long long) sqlite3_column_int64 (stmt, 3));
          sqlite3_finalize (stmt);
          return NULL;
        }
      ld_redline_take_geometry (redline, (const char *) sqlite3_column_text (stmt, 1),
                                (const char *) sqlite3_column_text (stmt, 2), geom);
    }
  sqlite3_finalize (stmt);
  if (ld_redline_get_n_parcels (redline) == 0)
    {
      g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_NOT_FOUND,
                   "%s: case %s has no red line; import one first", self->path, case_ref);
      return NULL;
    }
  if (case_id)
    *case_id = g_steal_pointer (&id);
  if (project_use)
    *project_use = g_steal_pointer (&use);
  return g_steal_pointer (&redline);
}

/**
 * ld_analysis_fingerprint:
 *
 * A SHA-256 of everything a case's analysis depends on: the method version, the case's
 * project use, its red-line rows (id, version, geometry), and, in every layer, the rows whose
 * envelope meets the red line's (id, class fields, geometry). An edit anywhere else in a layer
 * does not change the result and does not change the fingerprint.
 */
char *
ld_analysis_fingerprint (LdAnalysis  *self,
                         const char  *case_id,
                         GError     **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  sqlite3_stmt *stmt = NULL;
  double minx = G_MAXDOUBLE, miny = G_MAXDOUBLE, maxx = -G_MAXDOUBLE, maxy = -G_MAXDOUBLE;
  guint n = 0;

  g_return_val_if_fail (LD_IS_ANALYSIS (self), NULL);

  g_checksum_update (sum, (const guchar *) METHOD_VERSION, -1);
  if (sqlite3_prepare_v2 (self->db, "SELECT coalesce(project_use, '') FROM cases WHERE id = ?",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      sql_error (self, error, LD_ANALYSIS_ERROR_STORE, "reading cases");
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, case_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    g_checksum_update (sum, sqlite3_column_text (stmt, 0), -1);
  sqlite3_finalize (stmt);
  g_checksum_update (sum, (const guchar *) "\n", 1);

  if (sqlite3_prepare_v2 (self->db, "SELECT geom, id, version FROM case_redlines"
                          " WHERE case_id = ? ORDER BY fid", -1, &stmt, NULL) != SQLITE_OK)
    {
      sql_error (self, error, LD_ANALYSIS_ERROR_STORE, "reading case_redlines");
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, case_id, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const guint8 *blob = sqlite3_column_blob (stmt, 0);
      gsize length = (gsize) sqlite3_column_bytes (stmt, 0);
      g_autofree char *line = g_strdup_printf ("%s %lld\n", sqlite3_column_text (stmt, 1),
                                               (long long) sqlite3_column_int64 (stmt, 2));
      LdGpkgHeader header;
      LdGeomBuffer buffer;

      n++;
      g_checksum_update (sum, (const guchar *) line, -1);
      if (blob != NULL)
        g_checksum_update (sum, blob, length);
      ld_geom_buffer_init (&buffer);
      if (ld_gpkg_geom_parse_header (blob, length, &header, NULL) && !header.empty
          && ld_wkb_decode_polygons (header.wkb, header.wkb_length, NULL, 0.0, &buffer, NULL))
        {
          double x0, y0, x1, y1;

          ld_geom_buffer_bounds (&buffer, &x0, &y0, &x1, &y1);
          minx = MIN (minx, x0);
          miny = MIN (miny, y0);
          maxx = MAX (maxx, x1);
          maxy = MAX (maxy, y1);
        }
      ld_geom_buffer_clear (&buffer);
    }
  sqlite3_finalize (stmt);
  if (n == 0)
    {
      g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_NOT_FOUND,
                   "%s: case %s has no red line", self->path, case_id);
      return NULL;
    }
  /* the layer rows the analysis reads: the same cover of the red line */
  {
    g_autoptr(LdRedline) redline = ld_analysis_load_case (self, case_id, NULL, NULL, NULL);
    GEOSGeometry *rl = redline != NULL ? union_parcels (self, redline, NULL) : NULL;
    g_autoptr(GArray) cover = NULL;
    g_autoptr(GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
    Clip clip;
    double area = 0.0;

    if (rl != NULL)
      {
        GEOSArea_r (self->geos, rl, &area);
        clip_init (&clip, rl, self->geos, floor (minx), floor (miny));
        cover = red_cover (&clip, minx, miny, maxx, maxy, area);
        clip_clear (&clip);
        GEOSGeom_destroy_r (self->geos, rl);
      }
    else
      {
        /* an invalid red line: its box */
        Rect box = { minx, miny, maxx, maxy };

        cover = g_array_new (FALSE, FALSE, sizeof (Rect));
        g_array_append_val (cover, box);
      }
    for (guint id = 0; minx <= maxx && id < N_LAYERS; id++)
      {
        sqlite3_stmt *q = self->layers[id].hash;

        g_checksum_update (sum, (const guchar *) layer_specs[id].name, -1);
        g_hash_table_remove_all (seen);
        for (guint c = 0; c < cover->len; c++)
          {
            const Rect *rect = &g_array_index (cover, Rect, c);

            bind_envelope (q, rect->minx, rect->miny, rect->maxx, rect->maxy);
            while (sqlite3_step (q) == SQLITE_ROW)
              {
                gpointer fid = GSIZE_TO_POINTER ((gsize) sqlite3_column_int64 (q, 4));

                if (!g_hash_table_add (seen, fid))
                  continue;
                for (int k = 1; k <= 4; k++)
                  {
                    const guchar *text = sqlite3_column_text (q, k);

                    g_checksum_update (sum, text != NULL ? text : (const guchar *) "", -1);
                    g_checksum_update (sum, (const guchar *) "|", 1);
                  }
                g_checksum_update (sum, sqlite3_column_blob (q, 0),
                                   (gssize) sqlite3_column_bytes (q, 0));
              }
            sqlite3_reset (q);
          }
      }
  }
  return g_strdup (g_checksum_get_string (sum));
}

static gboolean
ensure_table (LdAnalysis  *self,
              GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean exists;

  if (sqlite3_prepare_v2 (self->db, "SELECT 1 FROM sqlite_master WHERE type = 'table'"
                          " AND name = 'case_analyses'", -1, &stmt, NULL) != SQLITE_OK)
    return sql_error (self, error, LD_ANALYSIS_ERROR_STORE, "reading the schema");
  exists = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  if (!exists)
    {
      /* An older store: opening it through LdStore migrates it to the schema with the table. */
      g_autoptr(LdStore) store = ld_store_open (self->path, error);

      if (store == NULL)
        return FALSE;
    }
  return TRUE;
}

/**
 * ld_analysis_save:
 *
 * Stores @result as the case's analysis (table case_analyses), with the time and the inputs'
 * fingerprint, in one transaction.
 */
gboolean
ld_analysis_save (LdAnalysis        *self,
                  const char        *case_id,
                  LdAnalysisResult  *result,
                  GError           **error)
{
  g_autofree char *json = NULL, *fingerprint = NULL, *now = NULL;
  g_autoptr(GDateTime) dt = g_date_time_new_now_utc ();
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (LD_IS_ANALYSIS (self), FALSE);

  if (!ensure_table (self, error))
    return FALSE;
  fingerprint = ld_analysis_fingerprint (self, case_id, error);
  if (fingerprint == NULL)
    return FALSE;
  json = ld_analysis_result_to_json (result);
  now = g_date_time_format_iso8601 (dt);
  if (sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    return sql_error (self, error, LD_ANALYSIS_ERROR_STORE, "cannot write case_analyses");
  if (sqlite3_prepare_v2 (self->db, "INSERT OR REPLACE INTO case_analyses"
                          " (case_id, json, computed_at, fingerprint) VALUES (?, ?, ?, ?)", -1,
                          &stmt, NULL) != SQLITE_OK)
    {
      sql_error (self, error, LD_ANALYSIS_ERROR_STORE, "cannot write case_analyses");
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, case_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, fingerprint, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE || sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    {
      sql_error (self, error, LD_ANALYSIS_ERROR_STORE, "writing case_analyses");
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

/**
 * ld_analysis_load_saved:
 * @stale: (out): TRUE when the red line, the project use or a layer under it changed since
 *
 * Returns: the stored JSON of the case's analysis, or NULL with a NOT_FOUND error.
 */
char *
ld_analysis_load_saved (LdAnalysis  *self,
                        const char  *case_id,
                        gboolean    *stale,
                        char       **computed_at,
                        GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *json = NULL, *stored = NULL, *when = NULL, *now = NULL;

  g_return_val_if_fail (LD_IS_ANALYSIS (self), NULL);

  if (!ensure_table (self, error))
    return NULL;
  if (sqlite3_prepare_v2 (self->db, "SELECT json, fingerprint, computed_at FROM case_analyses"
                          " WHERE case_id = ?", -1, &stmt, NULL) != SQLITE_OK)
    {
      sql_error (self, error, LD_ANALYSIS_ERROR_STORE, "reading case_analyses");
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, case_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      json = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      stored = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      when = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
    }
  sqlite3_finalize (stmt);
  if (json == NULL)
    {
      g_set_error (error, LD_ANALYSIS_ERROR, LD_ANALYSIS_ERROR_NOT_FOUND,
                   "%s: case %s has no stored analysis; run landdesk-cli analyze --case",
                   self->path, case_id);
      return NULL;
    }
  now = ld_analysis_fingerprint (self, case_id, error);
  if (now == NULL)
    return NULL;
  if (stale)
    *stale = g_strcmp0 (now, stored) != 0;
  if (computed_at)
    *computed_at = g_steal_pointer (&when);
  return g_steal_pointer (&json);
}

void
ld_analysis_result_free (LdAnalysisResult *result)
{
  if (result == NULL)
    return;
  for (guint i = 0; i < LD_N_CHECKS; i++)
    {
      g_free (result->checks[i].reason);
      g_free (result->checks[i].reason_zh);
    }
  g_clear_pointer (&result->layers, g_ptr_array_unref);
  g_free (result->project_use);
  g_free (result);
}

const LdAnalysisLayer *
ld_analysis_result_get_layer (LdAnalysisResult *result,
                              const char       *layer)
{
  for (guint i = 0; result->layers != NULL && i < result->layers->len; i++)
    {
      LdAnalysisLayer *l = g_ptr_array_index (result->layers, i);

      if (g_strcmp0 (l->layer, layer) == 0)
        return l;
    }
  return NULL;
}

static void
json_string (GString    *out,
             const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    {
      unsigned char c = (unsigned char) *p;

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

static void
json_number (GString *out,
             double   value,
             int      decimals)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char format[8];

  g_snprintf (format, sizeof format, "%%.%df", decimals);
  g_ascii_formatd (buf, sizeof buf, format, value);
  g_string_append (out, buf);
}

static void
json_areas (GString *out,
            double   m2,
            double   ha,
            double   mu)
{
  g_string_append (out, "\"area_m2\": ");
  json_number (out, m2, 2);
  g_string_append (out, ", \"area_ha\": ");
  json_number (out, ha, 4);
  g_string_append (out, ", \"area_mu\": ");
  json_number (out, mu, 2);
}

/* The JSON of `landdesk-cli analyze --json`. Areas are rounded (m² 2, ha 4, mu 2 decimals);
 * the class rows of a layer add up to its total. */
char *
ld_analysis_result_to_json (LdAnalysisResult *r)
{
  GString *out = g_string_new ("{\"redline\": {");
  double a = r->redline_area_m2;

  json_areas (out, ld_round_half_up (a, 2), ld_round_half_up (a / 10000.0, 4),
              ld_round_half_up (a * LD_MU_PER_M2, 2));
  g_string_append (out, ", \"area_basis\": \"planar\", \"crs\": \"EPSG:4525\", "
                        "\"ellipsoidal_area_m2\": ");
  json_number (out, ld_round_half_up (a * r->ellipsoid_factor, 2), 2);
  g_string_append (out, ", \"ellipsoid_factor\": ");
  json_number (out, r->ellipsoid_factor, 9);
  g_string_append (out, ", \"project_use\": ");
  if (r->project_use)
    json_string (out, r->project_use);
  else
    g_string_append (out, "null");
  g_string_append (out, "}, \"layers\": [");
  for (guint i = 0; i < r->layers->len; i++)
    {
      LdAnalysisLayer *l = g_ptr_array_index (r->layers, i);

      g_string_append (out, i ? ", {\"layer\": " : "{\"layer\": ");
      json_string (out, l->layer);
      g_string_append (out, ", \"total\": {");
      json_areas (out, ld_round_half_up (l->total_m2, 2),
                  ld_round_half_up (l->total_m2 / 10000.0, 4),
                  ld_round_half_up (l->total_m2 * LD_MU_PER_M2, 2));
      g_string_append (out, "}, \"classes\": [");
      for (guint k = 0; k < l->classes->len; k++)
        {
          LdAnalysisRow *c = g_ptr_array_index (l->classes, k);

          g_string_append (out, k ? ", {\"code\": " : "{\"code\": ");
          json_string (out, c->code);
          g_string_append (out, ", \"name\": ");
          json_string (out, c->name);
          g_string_append (out, ", ");
          json_areas (out, c->round_m2, c->round_ha, c->round_mu);
          if (strcmp (l->layer, "xz_dltb") == 0)
            {
              g_string_append (out, ", \"net_area_m2\": ");
              json_number (out, ld_round_half_up (c->net_m2, 2), 2);
            }
          g_string_append_c (out, '}');
        }
      g_string_append (out, "]}");
    }
  g_string_append (out, "], \"checks\": [");
  for (guint i = 0; i < LD_N_CHECKS; i++)
    {
      LdAnalysisCheck *c = &r->checks[i];

      g_string_append (out, i ? ", {\"id\": " : "{\"id\": ");
      json_string (out, ld_check_id_to_string (c->id));
      g_string_append (out, ", \"status\": ");
      json_string (out, ld_check_status_to_string (c->status));
      g_string_append (out, ", \"area_m2\": ");
      json_number (out, ld_round_half_up (c->area_m2, 2), 2);
      g_string_append (out, ", \"area_ha\": ");
      json_number (out, ld_round_half_up (c->area_m2 / 10000.0, 4), 4);
      g_string_append (out, ", \"area_mu\": ");
      json_number (out, ld_round_half_up (c->area_m2 * LD_MU_PER_M2, 2), 2);
      g_string_append (out, ", \"reason\": ");
      json_string (out, c->reason);
      g_string_append_c (out, '}');
    }
  g_string_append_printf (out, "], \"paddy_m2\": ");
  json_number (out, ld_round_half_up (r->paddy_m2, 2), 2);
  g_string_append_printf (out, ", \"patches\": {\"candidates\": %u, \"whole\": %u, "
                          "\"clipped\": %u, \"clipped_by_geos\": %u}}", r->n_candidates,
                          r->n_whole,
                          r->n_clipped, r->n_geos);
  return g_string_free (out, FALSE);
}
