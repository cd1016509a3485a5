/* ld-gk.c: CGCS2000 Gauss-Krüger zone 37 (EPSG:4525) and planar measures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <proj.h>

#include "ld-gk.h"
#include "ld-units.h"

struct _LdGk
{
  GObject     parent_instance;

  PJ_CONTEXT *ctx;
  PJ         *pj;    /* lon/lat -> easting/northing, GIS axis order both sides */
};

G_DEFINE_FINAL_TYPE (LdGk, ld_gk, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-gk-error-quark, ld_gk_error)

static void
ld_gk_finalize (GObject *object)
{
  LdGk *self = LD_GK (object);

  g_clear_pointer (&self->pj, proj_destroy);
  g_clear_pointer (&self->ctx, proj_context_destroy);

  G_OBJECT_CLASS (ld_gk_parent_class)->finalize (object);
}

static void
ld_gk_class_init (LdGkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_gk_finalize;
}

static void
ld_gk_init (LdGk *self)
{
}

LdGk *
ld_gk_new (GError **error)
{
  g_autoptr(LdGk) self = g_object_new (LD_TYPE_GK, NULL);
  PJ *raw;

  self->ctx = proj_context_create ();
  raw = proj_create_crs_to_crs (self->ctx, LD_GEO_CRS, LD_GK_CRS, NULL);
  if (raw != NULL)
    {
      self->pj = proj_normalize_for_visualization (self->ctx, raw);
      proj_destroy (raw);
    }
  if (self->pj == NULL)
    {
      g_set_error (error, LD_GK_ERROR, LD_GK_ERROR_PROJ,
                   "PROJ cannot transform %s to %s: %s (is proj-data installed?)",
                   LD_GEO_CRS, LD_GK_CRS,
                   proj_context_errno_string (self->ctx, proj_context_errno (self->ctx)));
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* X is the northing, Y the easting with the zone prefix 37 (survey order). */
gboolean
ld_gk_from_lonlat (LdGk   *self,
                   double  lon,
                   double  lat,
                   double *x_northing,
                   double *y_easting)
{
  PJ_COORD c;

  g_return_val_if_fail (LD_IS_GK (self), FALSE);

  c = proj_trans (self->pj, PJ_FWD, proj_coord (lon, lat, 0, 0));
  if (!isfinite (c.xy.x) || !isfinite (c.xy.y))
    return FALSE;
  *y_easting = c.xy.x;
  *x_northing = c.xy.y;
  return TRUE;
}

gboolean
ld_gk_to_lonlat (LdGk   *self,
                 double  x_northing,
                 double  y_easting,
                 double *lon,
                 double *lat)
{
  PJ_COORD c;

  g_return_val_if_fail (LD_IS_GK (self), FALSE);

  c = proj_trans (self->pj, PJ_INV, proj_coord (y_easting, x_northing, 0, 0));
  if (!isfinite (c.lp.lam) || !isfinite (c.lp.phi))
    return FALSE;
  *lon = c.xy.x;
  *lat = c.xy.y;
  return TRUE;
}

/* The length of a polyline in metres. */
double
ld_gk_length (const double *xy,
              guint         n_points)
{
  double sum = 0;

  for (guint i = 1; i < n_points; i++)
    sum += hypot (xy[2 * i] - xy[2 * i - 2], xy[2 * i + 1] - xy[2 * i - 1]);
  return sum;
}

/* The planar area of a simple ring in m² (closed or not; orientation does not matter). */
double
ld_gk_area (const double *xy,
            guint         n_points)
{
  double sum = 0;

  if (n_points < 3)
    return 0;
  for (guint i = 0; i < n_points; i++)
    {
      guint j = (i + 1) % n_points;

      sum += (xy[2 * i] - xy[0]) * (xy[2 * j + 1] - xy[1])
           - (xy[2 * j] - xy[0]) * (xy[2 * i + 1] - xy[1]);
    }
  return fabs (sum) / 2.0;
}

char *
ld_length_format (double metres)
{
  if (metres >= 1000)
    return g_strdup_printf ("%.3f km", ld_round_half_up (metres / 1000.0, 3));
  return g_strdup_printf ("%.2f m", ld_round_half_up (metres, 2));
}
