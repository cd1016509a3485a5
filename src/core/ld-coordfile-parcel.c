/* ld-coordfile-parcel.c: the parcels of a coordinate file: rings, holes by containment, areas
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "ld-coordfile-private.h"

static void
ring_free (gpointer data)
{
  LdCoordRing *ring = data;

  g_array_unref (ring->points);
  g_free (ring);
}

static gboolean
ring_contains_point (const LdCoordRing *ring,
                     double             x,
                     double             y)
{
  const LdCoordPoint *p = (const LdCoordPoint *) ring->points->data;
  guint n = ring->points->len;
  gboolean inside = FALSE;

  for (guint i = 0, j = n - 1; i < n; j = i++)
    if (((p[i].y > y) != (p[j].y > y))
        && x < (p[j].x - p[i].x) * (y - p[i].y) / (p[j].y - p[i].y) + p[i].x)
      inside = !inside;
  return inside;
}

/* Within 0.1 mm of an edge of @ring. */
static gboolean
ring_touches_point (const LdCoordRing *ring,
                    double             x,
                    double             y)
{
  const LdCoordPoint *p = (const LdCoordPoint *) ring->points->data;
  const double tol = 1e-4;

  for (guint i = 0; i + 1 < ring->points->len; i++)
    {
      double dx = p[i + 1].x - p[i].x, dy = p[i + 1].y - p[i].y;
      double len2 = dx * dx + dy * dy;
      double t = len2 > 0 ? ((x - p[i].x) * dx + (y - p[i].y) * dy) / len2 : 0.0;
      double ex, ey;

      t = CLAMP (t, 0.0, 1.0);
      ex = p[i].x + t * dx - x;
      ey = p[i].y + t * dy - y;
      if (ex * ex + ey * ey <= tol * tol)
        return TRUE;
    }
  return FALSE;
}

/* Most of @inner's vertices that are not on @outer's boundary lie inside it: a hole touching
 * its shell at some vertices still counts. */
static gboolean
ring_contains_ring (const LdCoordRing *outer,
                    const LdCoordRing *inner)
{
  const LdCoordPoint *p = (const LdCoordPoint *) inner->points->data;
  guint in = 0, out = 0;

  for (guint i = 0; i + 1 < inner->points->len; i++)
    {
      if (ring_touches_point (outer, p[i].x, p[i].y))
        continue;
      if (ring_contains_point (outer, p[i].x, p[i].y))
        in++;
      else
        out++;
    }
  return in > out;
}

static int
compare_area_desc (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  const double *areas = user_data;
  double da = areas[*(const guint *) a], db = areas[*(const guint *) b];

  return da < db ? 1 : da > db ? -1 : (int) *(const guint *) a - (int) *(const guint *) b;
}

gboolean
ld_coord_same_point (const LdCoordPoint *a,
                     const LdCoordPoint *b)
{
  return fabs (a->x - b->x) < LD_COORD_SAME_POINT && fabs (a->y - b->y) < LD_COORD_SAME_POINT;
}

LdCoordParcel *
ld_coord_parcel_new (const char *parcel_no,
                     const char *name)
{
  LdCoordParcel *parcel = g_new0 (LdCoordParcel, 1);

  parcel->parcel_no = g_strdup (parcel_no != NULL ? parcel_no : "");
  parcel->name = g_strdup (name != NULL ? name : "");
  parcel->kind = g_strdup ("面");
  parcel->point_count = -1;
  parcel->area_ha = NAN;
  parcel->rings = g_ptr_array_new_with_free_func (ring_free);
  return parcel;
}

void
ld_coord_parcel_free (LdCoordParcel *parcel)
{
  if (parcel == NULL)
    return;
  g_free (parcel->parcel_no);
  g_free (parcel->name);
  g_free (parcel->kind);
  g_free (parcel->sheet);
  g_free (parcel->use);
  g_free (parcel->class_code);
  g_ptr_array_unref (parcel->rings);
  g_free (parcel);
}

/**
 * ld_coord_parcel_add_ring:
 * @points: (array length=n_points): the ring's points, closed or not
 *
 * Appends a ring, closing it when its last point is not its first. Returns the ring, owned
 * by @parcel; call ld_coord_parcel_assign_rings() once all rings are in.
 */
LdCoordRing *
ld_coord_parcel_add_ring (LdCoordParcel      *parcel,
                          const LdCoordPoint *points,
                          guint               n_points)
{
  LdCoordRing *ring = g_new0 (LdCoordRing, 1);

  ring->points = g_array_sized_new (FALSE, FALSE, sizeof (LdCoordPoint), n_points + 1);
  g_array_append_vals (ring->points, points, n_points);
  if (n_points > 0 && !ld_coord_same_point (&points[0], &points[n_points - 1]))
    g_array_append_val (ring->points, points[0]);
  ring->number = parcel->rings->len + 1;
  ring->shell = -1;
  g_ptr_array_add (parcel->rings, ring);
  return ring;
}

/**
 * ld_coord_parcel_assign_rings:
 *
 * Decides which rings are holes by containment, whatever their numbers: a ring inside an
 * outer ring is its hole, a ring inside a hole is an island (an outer ring again), and a
 * ring inside nothing is another part.
 */
void
ld_coord_parcel_assign_rings (LdCoordParcel *parcel)
{
  guint n = parcel->rings->len;
  g_autofree double *areas = g_new0 (double, n);
  g_autofree guint *order = g_new0 (guint, n);
  g_autofree int *depth = g_new0 (int, n);

  for (guint i = 0; i < n; i++)
    {
      areas[i] = fabs (ld_coord_ring_signed_area (g_ptr_array_index (parcel->rings, i)));
      order[i] = i;
    }
  g_qsort_with_data (order, n, sizeof (guint), compare_area_desc, areas);

  for (guint k = 0; k < n; k++)
    {
      LdCoordRing *ring = g_ptr_array_index (parcel->rings, order[k]);
      int container = -1;

      /* The smallest larger ring that holds it. */
      for (guint m = 0; m < k; m++)
        {
          LdCoordRing *other = g_ptr_array_index (parcel->rings, order[m]);

          if (ring_contains_ring (other, ring)
              && (container < 0 || areas[order[m]] < areas[container]))
            container = order[m];
        }
      depth[order[k]] = container < 0 ? 0 : depth[container] + 1;
      ring->shell = depth[order[k]] % 2 == 1 ? container : -1;
    }
}

double
ld_coord_ring_signed_area (const LdCoordRing *ring)
{
  const LdCoordPoint *p = (const LdCoordPoint *) ring->points->data;
  double sum = 0.0;

  if (ring->points->len < 3)
    return 0.0;
  /* Relative to the first point: Gauss-Krüger coordinates are large and the products lose
   * digits otherwise. */
  for (guint i = 1; i + 1 < ring->points->len; i++)
    sum += (p[i].x - p[0].x) * (p[i + 1].y - p[0].y) - (p[i + 1].x - p[0].x) * (p[i].y - p[0].y);
  return sum / 2.0;
}

/* Planar area in m²: outer rings minus their holes. */
double
ld_coord_parcel_area (const LdCoordParcel *parcel)
{
  double area = 0.0;

  for (guint i = 0; i < parcel->rings->len; i++)
    {
      const LdCoordRing *ring = g_ptr_array_index (parcel->rings, i);
      double a = fabs (ld_coord_ring_signed_area (ring));

      area += ring->shell < 0 ? a : -a;
    }
  return area;
}
