/* ld-gpkg-geom.c: GeoPackage geometry blobs: header, and a WKB decoder for polygons
 *
 * Our own decoder: the renderer decodes hundreds of thousands of polygons per second straight
 * into tile pixels, without OGR's per-feature objects. Every count is checked against the bytes
 * that remain before anything is read or allocated, so a malformed blob is an error, not a crash.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ld-gpkg-geom.h"

G_DEFINE_QUARK (ld-gpkg-geom-error-quark, ld_gpkg_geom_error)

#define WKB_POLYGON      3
#define WKB_MULTIPOLYGON 6
#define MAX_DEPTH        2

typedef struct
{
  const guint8          *data;
  gsize                  length;
  gsize                  pos;
  const LdGeomTransform *transform;
  double                 min_step;
  LdGeomBuffer          *buffer;
} Reader;

static inline guint32
read_u32 (const guint8 *p,
          gboolean      little)
{
  guint32 v;

  memcpy (&v, p, 4);
  return little ? GUINT32_FROM_LE (v) : GUINT32_FROM_BE (v);
}

static inline double
read_f64 (const guint8 *p,
          gboolean      little)
{
  guint64 v;
  double d;

  memcpy (&v, p, 8);
  v = little ? GUINT64_FROM_LE (v) : GUINT64_FROM_BE (v);
  memcpy (&d, &v, 8);
  return d;
}

#if defined(__GNUC__) && G_BYTE_ORDER == G_LITTLE_ENDIAN
#define HAVE_PAIR_PATH 1

/* An (x, y) pair in one SSE2 register (GCC and Clang vector extensions): the transform's
 * twelve multiply-adds per point become six, in the same order, so results are the same to
 * the bit as transform_point()'s. Decoding was a tenth of the viewport benchmark's time. */
typedef double Pair __attribute__ ((vector_size (16)));

/* Rings of 2-D little-endian WKB points, transformed, dropping vertices closer than
 * @min_step to the last one kept (each ring's ends stay). Returns the points kept. */
static guint
decode_ring_pairs (const guint8          *p,
                   guint32                n_points,
                   const LdGeomTransform *t,
                   double                 min_step,
                   double                *out)
{
  const Pair origin = { t->x0, t->y0 }, scale = { t->sx, t->sy };
  Pair k[3][3], last = { 0, 0 };
  guint kept = 0;

  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      k[i][j] = (Pair) { t->cx[i][j], t->cy[i][j] };
  for (guint32 n = 0; n < n_points; n++, p += 16)
    {
      Pair in, uv, u, v, a0, a1, a2, xy, d;

      memcpy (&in, p, sizeof in);
      uv = (in - origin) * scale;
      u = (Pair) { uv[0], uv[0] };
      v = (Pair) { uv[1], uv[1] };
      a0 = k[0][0] + u * (k[1][0] + u * k[2][0]);
      a1 = k[0][1] + u * (k[1][1] + u * k[2][1]);
      a2 = k[0][2] + u * (k[1][2] + u * k[2][2]);
      xy = a0 + v * (a1 + v * a2);
      d = xy - last;
      if (kept > 0 && n + 1 < n_points && fabs (d[0]) < min_step && fabs (d[1]) < min_step)
        continue;
      memcpy (out + 2 * kept, &xy, sizeof xy);
      last = xy;
      kept++;
    }
  return kept;
}
#endif

static gboolean
truncated (Reader      *r,
           const char  *what,
           gsize        need,
           GError     **error)
{
  g_set_error (error, LD_GPKG_GEOM_ERROR, LD_GPKG_GEOM_ERROR_TRUNCATED,
               "WKB truncated at byte %" G_GSIZE_FORMAT ": %s needs %" G_GSIZE_FORMAT
               " bytes, %" G_GSIZE_FORMAT " left",
               r->pos, what, need, r->length - r->pos);
  return FALSE;
}

static void
grow (void  **array,
      guint  *capacity,
      guint   needed,
      gsize   element_size)
{
  guint cap = MAX (*capacity, 16);

  if (needed <= *capacity)
    return;
  while (cap < needed)
    cap *= 2;
  *array = g_realloc_n (*array, cap, element_size);
  *capacity = cap;
}

static inline void
transform_point (const LdGeomTransform *t,
                 double                 x,
                 double                 y,
                 double                *ox,
                 double                *oy)
{
  double u = (x - t->x0) * t->sx;
  double v = (y - t->y0) * t->sy;
  double a0 = t->cx[0][0] + u * (t->cx[1][0] + u * t->cx[2][0]);
  double a1 = t->cx[0][1] + u * (t->cx[1][1] + u * t->cx[2][1]);
  double a2 = t->cx[0][2] + u * (t->cx[1][2] + u * t->cx[2][2]);
  double b0 = t->cy[0][0] + u * (t->cy[1][0] + u * t->cy[2][0]);
  double b1 = t->cy[0][1] + u * (t->cy[1][1] + u * t->cy[2][1]);
  double b2 = t->cy[0][2] + u * (t->cy[1][2] + u * t->cy[2][2]);

  *ox = a0 + v * (a1 + v * a2);
  *oy = b0 + v * (b1 + v * b2);
}

/* Reads the byte order and type of a geometry; returns the base type and the number of
 * coordinates per point (2 to 4), accepting ISO (1003, 2003, 3003) and EWKB flag encodings. */
static gboolean
read_geometry_header (Reader      *r,
                      gboolean    *little,
                      guint32     *base_type,
                      guint       *dims,
                      GError     **error)
{
  guint32 type;
  gboolean has_z, has_m;

  if (r->length - r->pos < 5)
    return truncated (r, "a geometry header", 5, error);
  if (r->data[r->pos] > 1)
    {
      g_set_error (error, LD_GPKG_GEOM_ERROR, LD_GPKG_GEOM_ERROR_INVALID,
                   "WKB byte %" G_GSIZE_FORMAT ": byte order %u is neither 0 nor 1",
                   r->pos, r->data[r->pos]);
      return FALSE;
    }
  *little = r->data[r->pos] == 1;
  type = read_u32 (r->data + r->pos + 1, *little);
  r->pos += 5;

  has_z = (type & 0x80000000u) != 0;
  has_m = (type & 0x40000000u) != 0;
  if (type & 0x20000000u)
    {
      g_set_error (error, LD_GPKG_GEOM_ERROR, LD_GPKG_GEOM_ERROR_UNSUPPORTED,
                   "WKB byte %" G_GSIZE_FORMAT ": EWKB with an embedded SRID is not GeoPackage WKB",
                   r->pos - 4);
      return FALSE;
    }
  type &= 0x0fffffffu;
  switch (type / 1000)
    {
    case 0: break;
    case 1: has_z = TRUE; break;
    case 2: has_m = TRUE; break;
    case 3: has_z = has_m = TRUE; break;
    default:
      g_set_error (error, LD_GPKG_GEOM_ERROR, LD_GPKG_GEOM_ERROR_UNSUPPORTED,
                   "WKB byte %" G_GSIZE_FORMAT ": unknown geometry type %u", r->pos - 4, type);
      return FALSE;
    }
  *base_type = type % 1000;
  *dims = 2 + (has_z ? 1 : 0) + (has_m ? 1 : 0);
  return TRUE;
}

static gboolean
read_polygon_body (Reader      *r,
                   gboolean     little,
                   guint        dims,
                   GError     **error)
{
  LdGeomBuffer *b = r->buffer;
  gsize stride = dims * 8;
  guint32 n_rings;

  if (r->length - r->pos < 4)
    return truncated (r, "a ring count", 4, error);
  n_rings = read_u32 (r->data + r->pos, little);
  r->pos += 4;
  /* Each ring takes at least its 4-byte point count. */
  if (n_rings > (r->length - r->pos) / 4)
    return truncated (r, "the declared rings", (gsize) n_rings * 4, error);

  grow ((void **) &b->polygons, &b->polygons_capacity, b->n_polygons + 1, sizeof (guint));
  grow ((void **) &b->rings, &b->rings_capacity, b->n_rings + n_rings, sizeof (guint));
  b->polygons[b->n_polygons++] = n_rings;

  for (guint32 i = 0; i < n_rings; i++)
    {
      guint32 n_points;
      const guint8 *p;
      guint start = b->n_points, kept = 0;
      guint32 n_points_done = 0;   /* by the pair path */
      double *out;
      double lx = 0, ly = 0;

      if (r->length - r->pos < 4)
        return truncated (r, "a point count", 4, error);
      n_points = read_u32 (r->data + r->pos, little);
      r->pos += 4;
      if (n_points > (r->length - r->pos) / stride)
        return truncated (r, "the declared points", (gsize) n_points * stride, error);

      grow ((void **) &b->xy, &b->points_capacity, b->n_points + n_points, 2 * sizeof (double));
      p = r->data + r->pos;
      out = b->xy + 2 * start;
#ifdef HAVE_PAIR_PATH
      if (little && dims == 2 && r->transform != NULL)
        {
          kept = decode_ring_pairs (p, n_points, r->transform, MAX (r->min_step, 0), out);
          n_points_done = n_points;
        }
#endif
      for (guint32 k = n_points_done; k < n_points; k++, p += stride)
        {
          double x = read_f64 (p, little), y = read_f64 (p + 8, little);

          if (r->transform != NULL)
            transform_point (r->transform, x, y, &x, &y);
          /* Drop vertices closer than min_step to the last one kept; keep each ring's ends. */
          if (kept > 0 && k + 1 < n_points && r->min_step > 0 &&
              fabs (x - lx) < r->min_step && fabs (y - ly) < r->min_step)
            continue;
          out[2 * kept] = lx = x;
          out[2 * kept + 1] = ly = y;
          kept++;
        }
      r->pos += (gsize) n_points * stride;
      b->n_points += kept;
      b->rings[b->n_rings++] = kept;
    }
  return TRUE;
}

static gboolean
read_geometry (Reader      *r,
               int          depth,
               GError     **error)
{
  gboolean little;
  guint32 type, n_parts;
  guint dims;

  if (!read_geometry_header (r, &little, &type, &dims, error))
    return FALSE;
  if (type == WKB_POLYGON)
    return read_polygon_body (r, little, dims, error);
  if (type != WKB_MULTIPOLYGON || depth >= MAX_DEPTH - 1)
    {
      g_set_error (error, LD_GPKG_GEOM_ERROR, LD_GPKG_GEOM_ERROR_UNSUPPORTED,
                   "WKB byte %" G_GSIZE_FORMAT ": geometry type %u where a %s was expected",
                   r->pos - 4, type, depth == 0 ? "Polygon or MultiPolygon" : "Polygon");
      return FALSE;
    }
  if (r->length - r->pos < 4)
    return truncated (r, "a part count", 4, error);
  n_parts = read_u32 (r->data + r->pos, little);
  r->pos += 4;
  if (n_parts > (r->length - r->pos) / 9)
    return truncated (r, "the declared parts", (gsize) n_parts * 9, error);
  for (guint32 i = 0; i < n_parts; i++)
    if (!read_geometry (r, depth + 1, error))
      return FALSE;
  return TRUE;
}

/**
 * ld_gpkg_geom_parse_header:
 *
 * Parses a GeoPackage binary header (magic "GP", version, flags, srs_id, envelope) and points
 * @header->wkb at the WKB that follows.
 */
gboolean
ld_gpkg_geom_parse_header (const guint8  *blob,
                           gsize          length,
                           LdGpkgHeader  *header,
                           GError       **error)
{
  static const gsize envelope_sizes[] = { 0, 32, 48, 48, 64 };
  guint8 flags;
  guint indicator;
  gboolean little;
  gsize size;

  memset (header, 0, sizeof *header);
  if (blob == NULL || length < 8 || blob[0] != 'G' || blob[1] != 'P')
    {
      g_set_error (error, LD_GPKG_GEOM_ERROR, LD_GPKG_GEOM_ERROR_HEADER,
                   "not a GeoPackage geometry: it does not start with \"GP\" and a header");
      return FALSE;
    }
  if (blob[2] != 0)
    {
      g_set_error (error, LD_GPKG_GEOM_ERROR, LD_GPKG_GEOM_ERROR_HEADER,
                   "GeoPackage geometry version %u is not supported (only 0 / version 1)",
                   blob[2]);
      return FALSE;
    }
  flags = blob[3];
  little = (flags & 1) != 0;
  indicator = (flags >> 1) & 7;
  if (indicator >= G_N_ELEMENTS (envelope_sizes))
    {
      g_set_error (error, LD_GPKG_GEOM_ERROR, LD_GPKG_GEOM_ERROR_HEADER,
                   "GeoPackage geometry header: envelope indicator %u is invalid", indicator);
      return FALSE;
    }
  size = 8 + envelope_sizes[indicator];
  if (length < size)
    {
      g_set_error (error, LD_GPKG_GEOM_ERROR, LD_GPKG_GEOM_ERROR_TRUNCATED,
                   "GeoPackage geometry header truncated: %" G_GSIZE_FORMAT " bytes, needs %"
                   G_GSIZE_FORMAT, length, size);
      return FALSE;
    }
  header->srs_id = (int) read_u32 (blob + 4, little);
  header->empty = (flags & 0x10) != 0;
  if (indicator > 0)
    {
      header->has_envelope = TRUE;
      header->minx = read_f64 (blob + 8, little);
      header->maxx = read_f64 (blob + 16, little);
      header->miny = read_f64 (blob + 24, little);
      header->maxy = read_f64 (blob + 32, little);
    }
  header->wkb = blob + size;
  header->wkb_length = length - size;
  return TRUE;
}

void
ld_geom_buffer_init (LdGeomBuffer *buffer)
{
  memset (buffer, 0, sizeof *buffer);
}

void
ld_geom_buffer_clear (LdGeomBuffer *buffer)
{
  g_free (buffer->xy);
  g_free (buffer->rings);
  g_free (buffer->polygons);
  memset (buffer, 0, sizeof *buffer);
}

/* Empties the buffer and keeps its memory for the next feature. */
void
ld_geom_buffer_reset (LdGeomBuffer *buffer)
{
  buffer->n_points = buffer->n_rings = buffer->n_polygons = 0;
}

/**
 * ld_wkb_decode_polygons:
 * @transform: (nullable): applied to every vertex; %NULL keeps source coordinates
 * @min_step: drop a vertex closer than this (in output units, per axis) to the previous one
 *   kept; 0 keeps every vertex
 *
 * APPENDS the Polygon or MultiPolygon in @wkb to @buffer. On error @buffer is left empty.
 */
gboolean
ld_wkb_decode_polygons (const guint8           *wkb,
                        gsize                   length,
                        const LdGeomTransform  *transform,
                        double                  min_step,
                        LdGeomBuffer           *buffer,
                        GError                **error)
{
  Reader r = { wkb, length, 0, transform, min_step, buffer };

  if (wkb == NULL || !read_geometry (&r, 0, error))
    {
      if (wkb == NULL)
        g_set_error (error, LD_GPKG_GEOM_ERROR, LD_GPKG_GEOM_ERROR_TRUNCATED, "no geometry");
      ld_geom_buffer_reset (buffer);
      return FALSE;
    }
  return TRUE;
}

/* A GeoPackage blob: header, then WKB. An empty geometry decodes to nothing. */
gboolean
ld_gpkg_geom_decode (const guint8           *blob,
                     gsize                   length,
                     const LdGeomTransform  *transform,
                     double                  min_step,
                     LdGeomBuffer           *buffer,
                     GError                **error)
{
  LdGpkgHeader header;

  if (!ld_gpkg_geom_parse_header (blob, length, &header, error))
    return FALSE;
  if (header.empty)
    return TRUE;
  return ld_wkb_decode_polygons (header.wkb, header.wkb_length, transform, min_step, buffer, error);
}

void
ld_geom_transform_apply (const LdGeomTransform *transform,
                         double                 x,
                         double                 y,
                         double                *out_x,
                         double                *out_y)
{
  transform_point (transform, x, y, out_x, out_y);
}

static double
ring_area (const double *xy,
           guint         n)
{
  double sum = 0;

  if (n < 3)
    return 0;
  /* Relative to the first vertex, so that 7-digit GK coordinates keep their precision. */
  for (guint i = 1; i + 1 < n; i++)
    sum += (xy[2 * i] - xy[0]) * (xy[2 * i + 3] - xy[1])
         - (xy[2 * i + 2] - xy[0]) * (xy[2 * i + 1] - xy[1]);
  return fabs (sum) / 2.0;
}

/* Planar area: outer rings minus holes, in the square of the buffer's units. */
double
ld_geom_buffer_area (const LdGeomBuffer *buffer)
{
  double area = 0;
  guint ring = 0, point = 0;

  for (guint p = 0; p < buffer->n_polygons; p++)
    for (guint k = 0; k < buffer->polygons[p]; k++, ring++)
      {
        double a = ring_area (buffer->xy + 2 * point, buffer->rings[ring]);

        area += k == 0 ? a : -a;
        point += buffer->rings[ring];
      }
  return area;
}

static gboolean
ring_contains (const double *xy,
               guint         n,
               double        x,
               double        y)
{
  gboolean inside = FALSE;

  for (guint i = 0, j = n - 1; i < n; j = i++)
    {
      double xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];

      if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
        inside = !inside;
    }
  return inside;
}

/* Point in polygon: inside an outer ring and outside its holes, in any part. */
gboolean
ld_geom_buffer_contains (const LdGeomBuffer *buffer,
                         double              x,
                         double              y)
{
  guint ring = 0, point = 0;

  for (guint p = 0; p < buffer->n_polygons; p++)
    {
      gboolean inside = FALSE;

      for (guint k = 0; k < buffer->polygons[p]; k++, ring++)
        {
          guint n = buffer->rings[ring];

          if (n > 0 && ring_contains (buffer->xy + 2 * point, n, x, y))
            inside = !inside;
          point += n;
        }
      if (inside)
        return TRUE;
    }
  return FALSE;
}

void
ld_geom_buffer_bounds (const LdGeomBuffer *buffer,
                       double             *minx,
                       double             *miny,
                       double             *maxx,
                       double             *maxy)
{
  *minx = *miny = G_MAXDOUBLE;
  *maxx = *maxy = -G_MAXDOUBLE;
  for (guint i = 0; i < buffer->n_points; i++)
    {
      *minx = MIN (*minx, buffer->xy[2 * i]);
      *maxx = MAX (*maxx, buffer->xy[2 * i]);
      *miny = MIN (*miny, buffer->xy[2 * i + 1]);
      *maxy = MAX (*maxy, buffer->xy[2 * i + 1]);
    }
}
