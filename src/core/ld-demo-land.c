/* ld-demo-land.c: the geography of the demo: land mask, towns, main roads, rivers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ld-demo-private.h"

/* The extent every demo layer lies in, lon/lat. */
#define WEST  109.5
#define SOUTH 20.1
#define EAST  111.0
#define NORTH 21.7
/* Land mask grid step in degrees (about 220 m) and the simplification tolerance. */
#define MASK_STEP     0.002
#define SIMPLIFY_DEG  0.0015

LdDemoTown ld_demo_towns[] = {
  { "赤坎", 110.365, 21.270, 4500, "440802", 0, 0, 0 },
  { "霞山", 110.400, 21.200, 5000, "440803", 0, 0, 0 },
  { "坡头", 110.455, 21.245, 2200, "440804", 1, 0, 0 },
  { "麻章", 110.325, 21.265, 2800, "440811", 1, 0, 0 },
  { "遂溪", 110.250, 21.377, 2800, "440823", 1, 0, 0 },
  { "徐闻", 110.175, 20.330, 2800, "440825", 1, 0, 0 },
  { "廉江", 110.285, 21.610, 3200, "440881", 1, 0, 0 },
  { "雷州", 110.095, 20.915, 3200, "440882", 1, 0, 0 },
  { "吴川", 110.780, 21.440, 2800, "440883", 1, 0, 0 },
};
const guint ld_demo_n_towns = G_N_ELEMENTS (ld_demo_towns);

static const double road_g15[] = {
  110.20, 21.70, 110.22, 21.55, 110.25, 21.38, 110.30, 21.28, 110.25, 21.10,
  110.12, 20.93, 110.15, 20.65, 110.17, 20.35, 110.22, 20.27,
};
static const double road_g325[] = {
  110.25, 21.38, 110.285, 21.61, 110.30, 21.70,
};
static const double road_east[] = {
  110.365, 21.27, 110.455, 21.245, 110.60, 21.35, 110.78, 21.44,
};
static const double road_west[] = {
  110.095, 20.915, 109.95, 20.75, 109.85, 20.57,
};
static const double road_suixi_west[] = {
  110.25, 21.377, 110.05, 21.33, 109.80, 21.47,
};
static const double road_xiashan[] = {
  110.40, 21.20, 110.325, 21.265,
};
const LdDemoLine ld_demo_roads[] = {
  { road_g15, G_N_ELEMENTS (road_g15) / 2, 0 },
  { road_g325, G_N_ELEMENTS (road_g325) / 2, 0 },
  { road_east, G_N_ELEMENTS (road_east) / 2, 0 },
  { road_west, G_N_ELEMENTS (road_west) / 2, 1 },
  { road_suixi_west, G_N_ELEMENTS (road_suixi_west) / 2, 1 },
  { road_xiashan, G_N_ELEMENTS (road_xiashan) / 2, 1 },
};
const guint ld_demo_n_roads = G_N_ELEMENTS (ld_demo_roads);

static const double river_jian[] = {
  110.55, 21.70, 110.62, 21.58, 110.70, 21.50, 110.76, 21.44, 110.80, 21.37,
};
static const double river_jiuzhou[] = {
  110.05, 21.70, 109.95, 21.62, 109.83, 21.56, 109.75, 21.52,
};
static const double river_nandu[] = {
  110.00, 21.05, 110.05, 20.97, 110.13, 20.92, 110.25, 20.89, 110.35, 20.88,
};
static const double river_suixi[] = {
  110.10, 21.45, 110.20, 21.40, 110.27, 21.35, 110.32, 21.30,
};
const LdDemoLine ld_demo_rivers[] = {
  { river_jian, G_N_ELEMENTS (river_jian) / 2, 0 },
  { river_jiuzhou, G_N_ELEMENTS (river_jiuzhou) / 2, 0 },
  { river_nandu, G_N_ELEMENTS (river_nandu) / 2, 0 },
  { river_suixi, G_N_ELEMENTS (river_suixi) / 2, 1 },
};
const guint ld_demo_n_rivers = G_N_ELEMENTS (ld_demo_rivers);

/* A coarse outline of the Leizhou peninsula and the mainland north of it (lon, lat,
 * clockwise), roughened below; used when GMT's coastline is not at hand. */
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

gboolean
ld_demo_proj_init (LdDemoProj  *proj,
                   GError     **error)
{
  memset (proj, 0, sizeof *proj);
  proj->geographic = OSRNewSpatialReference (NULL);
  proj->projected = OSRNewSpatialReference (NULL);
  if (OSRImportFromEPSG (proj->geographic, 4490) != OGRERR_NONE
      || OSRImportFromEPSG (proj->projected, 4525) != OGRERR_NONE)
    {
      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED,
                   "PROJ does not know EPSG:4490 or EPSG:4525: is proj-data installed?");
      return FALSE;
    }
  OSRSetAxisMappingStrategy (proj->geographic, OAMS_TRADITIONAL_GIS_ORDER);
  OSRSetAxisMappingStrategy (proj->projected, OAMS_TRADITIONAL_GIS_ORDER);
  proj->forward = OCTNewCoordinateTransformation (proj->geographic, proj->projected);
  proj->inverse = OCTNewCoordinateTransformation (proj->projected, proj->geographic);
  if (proj->forward == NULL || proj->inverse == NULL)
    {
      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED,
                   "cannot transform between EPSG:4490 and EPSG:4525: %s", CPLGetLastErrorMsg ());
      return FALSE;
    }
  return TRUE;
}

void
ld_demo_proj_clear (LdDemoProj *proj)
{
  g_clear_pointer (&proj->forward, OCTDestroyCoordinateTransformation);
  g_clear_pointer (&proj->inverse, OCTDestroyCoordinateTransformation);
  g_clear_pointer (&proj->geographic, OSRRelease);
  g_clear_pointer (&proj->projected, OSRRelease);
}

void
ld_demo_proj_forward (LdDemoProj *proj,
                      double      lon,
                      double      lat,
                      double     *x,
                      double     *y)
{
  double px = lon, py = lat;

  if (!OCTTransform (proj->forward, 1, &px, &py, NULL))
    px = py = NAN;
  *x = px;
  *y = py;
}

static int
forward_cb (double *x,
            double *y,
            void   *userdata)
{
  LdDemoProj *proj = userdata;

  return OCTTransform (proj->forward, 1, x, y, NULL) ? 1 : 0;
}

/* Midpoint displacement along a closed ring: an irregular coast from a coarse outline. */
static GEOSGeometry *
roughen_ring (GEOSContextHandle_t geos,
              const double       *lonlat,
              guint               n,
              guint64             seed)
{
  g_autoptr(GArray) pts = g_array_new (FALSE, FALSE, sizeof (double));
  GEOSCoordSequence *seq;
  guint count;

  g_array_append_vals (pts, lonlat, n * 2);
  for (int level = 0; level < 6; level++)
    {
      g_autoptr(GArray) next = g_array_new (FALSE, FALSE, sizeof (double));
      guint m = pts->len / 2;
      double amp = 0.035 / (1 << level);

      for (guint i = 0; i < m; i++)
        {
          const double *a = &g_array_index (pts, double, 2 * i);
          const double *b = &g_array_index (pts, double, 2 * ((i + 1) % m));
          double dx = b[0] - a[0], dy = b[1] - a[1], len = hypot (dx, dy);
          double off = (ld_hash_double (seed, (guint64) level, i) - 0.5) * amp;
          double mid[2] = { (a[0] + b[0]) / 2 - dy / MAX (len, 1e-9) * off * MIN (1.0, len * 8),
                            (a[1] + b[1]) / 2 + dx / MAX (len, 1e-9) * off * MIN (1.0, len * 8) };

          g_array_append_vals (next, a, 2);
          /* The straight edges of the extent stay straight. */
          if ((a[1] == NORTH && b[1] == NORTH) || (a[0] == EAST && b[0] == EAST)
              || (a[0] == WEST && b[0] == WEST))
            {
              mid[0] = (a[0] + b[0]) / 2;
              mid[1] = (a[1] + b[1]) / 2;
            }
          g_array_append_vals (next, mid, 2);
        }
      g_array_unref (pts);
      pts = g_steal_pointer (&next);
    }
  count = pts->len / 2;
  seq = GEOSCoordSeq_create_r (geos, count + 1, 2);
  for (guint i = 0; i <= count; i++)
    {
      const double *p = &g_array_index (pts, double, 2 * (i % count));

      GEOSCoordSeq_setXY_r (geos, seq, i, p[0], p[1]);
    }
  return GEOSGeom_createPolygon_r (geos, GEOSGeom_createLinearRing_r (geos, seq), NULL, 0);
}

static GEOSGeometry *
synthetic_land (GEOSContextHandle_t geos)
{
  GEOSGeometry *parts[2];
  GEOSGeometry *multi, *valid;

  parts[0] = roughen_ring (geos, synthetic_coast, G_N_ELEMENTS (synthetic_coast) / 2, 1);
  parts[1] = roughen_ring (geos, synthetic_naozhou, G_N_ELEMENTS (synthetic_naozhou) / 2, 2);
  multi = GEOSGeom_createCollection_r (geos, GEOS_MULTIPOLYGON, parts, 2);
  valid = GEOSMakeValid_r (geos, multi);
  GEOSGeom_destroy_r (geos, multi);
  return valid;
}

/* Runs `gmt grdlandmask` (land and islands in lakes are 1, sea and lakes 0) into a GeoTIFF,
 * polygonizes it with GDAL and returns the land in lon/lat, or NULL with @error set. */
static GEOSGeometry *
gmt_land (GEOSContextHandle_t   geos,
          const char           *gmt,
          GError              **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *tmpdir = NULL, *tif = NULL, *target = NULL, *err_text = NULL;
  g_autofree char *region = g_strdup_printf ("-R%g/%g/%g/%g", WEST, EAST, SOUTH, NORTH);
  g_autofree char *step = g_strdup_printf ("-I%g", MASK_STEP);
  g_autoptr(GPtrArray) polys = g_ptr_array_new ();
  GDALDatasetH raster = NULL, mem = NULL;
  GDALDriverH mem_driver;
  OGRLayerH layer;
  OGRFeatureH feature;
  GEOSGeometry *result = NULL;

  tmpdir = g_dir_make_tmp ("landdesk-gmt-XXXXXX", error);
  if (tmpdir == NULL)
    return NULL;
  tif = g_build_filename (tmpdir, "mask.tif", NULL);
  target = g_strdup_printf ("-G%s=gd:GTiff", tif);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (launcher, tmpdir);
  proc = g_subprocess_launcher_spawn (launcher, error, gmt, "grdlandmask", region, "-Dh", step,
                                      "-N0/1/0/1/0", "-r", target, NULL);
  if (proc == NULL || !g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err_text, error))
    goto out;
  if (!g_subprocess_get_successful (proc))
    {
      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED,
                   "'%s grdlandmask' failed (is gmt-gshhg-high installed?): %s", gmt,
                   err_text != NULL ? g_strstrip (err_text) : "");
      goto out;
    }

  raster = GDALOpen (tif, GA_ReadOnly);
  mem_driver = GDALGetDriverByName ("Memory");
  if (raster == NULL || mem_driver == NULL)
    {
      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED,
                   "cannot read the land mask GMT wrote (%s): %s", tif, CPLGetLastErrorMsg ());
      goto out;
    }
  mem = GDALCreate (mem_driver, "land", 0, 0, 0, GDT_Unknown, NULL);
  layer = GDALDatasetCreateLayer (mem, "land", NULL, wkbPolygon, NULL);
  {
    OGRFieldDefnH fd = OGR_Fld_Create ("v", OFTInteger);

    OGR_L_CreateField (layer, fd, TRUE);
    OGR_Fld_Destroy (fd);
  }
  {
    GDALRasterBandH band = GDALGetRasterBand (raster, 1);

    if (GDALPolygonize (band, band, layer, 0, NULL, NULL, NULL) != CE_None)
      {
        g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED,
                     "cannot polygonize the land mask: %s", CPLGetLastErrorMsg ());
        goto out;
      }
  }
  OGR_L_ResetReading (layer);
  while ((feature = OGR_L_GetNextFeature (layer)) != NULL)
    {
      OGRGeometryH g = OGR_F_GetGeometryRef (feature);
      OGREnvelope env = { 0 };

      if (g != NULL)
        OGR_G_GetEnvelope (g, &env);
      /* Islets of a pixel or two are noise of the grid, not islands; the tip of Hainan across
       * the strait is not Zhanjiang. */
      if (g != NULL && OGR_F_GetFieldAsInteger (feature, 0) == 1
          && OGR_G_Area (g) > 2.5 * MASK_STEP * MASK_STEP && env.MaxY > 20.2)
        {
          int size = OGR_G_WkbSize (g);
          g_autofree unsigned char *wkb = g_malloc (size);

          OGR_G_ExportToWkb (g, wkbNDR, wkb);
          g_ptr_array_add (polys, GEOSGeomFromWKB_buf_r (geos, wkb, size));
        }
      OGR_F_Destroy (feature);
    }
  if (polys->len == 0)
    {
      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED,
                   "GMT's land mask of %s has no land", region);
      goto out;
    }
  {
    GEOSGeometry *multi = GEOSGeom_createCollection_r (geos, GEOS_MULTIPOLYGON,
                                                       (GEOSGeometry **) polys->pdata, polys->len);
    /* The staircase of grid cells becomes a plausible coast. */
    GEOSGeometry *simple = GEOSTopologyPreserveSimplify_r (geos, multi, SIMPLIFY_DEG);

    result = GEOSMakeValid_r (geos, simple);
    GEOSGeom_destroy_r (geos, simple);
    GEOSGeom_destroy_r (geos, multi);
    g_ptr_array_set_size (polys, 0);
  }

out:
  if (mem != NULL)
    GDALClose (mem);
  if (raster != NULL)
    GDALClose (raster);
  for (guint i = 0; i < polys->len; i++)
    GEOSGeom_destroy_r (geos, g_ptr_array_index (polys, i));
  if (tif != NULL)
    g_remove (tif);
  if (tmpdir != NULL)
    {
      g_autofree char *history = g_build_filename (tmpdir, "gmt.history", NULL);

      g_remove (history);
      g_rmdir (tmpdir);
    }
  return result;
}

/**
 * ld_demo_land_build:
 * @gmt: (nullable): the gmt program, or NULL or "" for the synthetic peninsula
 * @warning: (out): set when the real coastline could not be had
 *
 * Builds the land mask: GSHHG's high-resolution coastline through GMT when it can be had, else a
 * synthetic peninsula (with a warning).
 */
gboolean
ld_demo_land_build (GEOSContextHandle_t   geos,
                    LdDemoProj           *proj,
                    const char           *gmt,
                    LdDemoLand           *land,
                    char                **warning,
                    GError              **error)
{
  g_autoptr(GError) gmt_error = NULL;
  GEOSGeometry *lonlat = NULL, *projected;

  memset (land, 0, sizeof *land);
  if (gmt != NULL && *gmt != '\0')
    {
      lonlat = gmt_land (geos, gmt, &gmt_error);
      if (lonlat == NULL)
        *warning = g_strdup_printf ("warning: no real coastline (%s); using a synthetic peninsula",
                                    gmt_error->message);
    }
  else
    *warning = g_strdup ("warning: gmt not found (install gmt and gmt-gshhg-high for the real "
                         "coastline); using a synthetic peninsula");
  if (lonlat == NULL)
    {
      lonlat = synthetic_land (geos);
      land->synthetic = TRUE;
    }

  projected = GEOSGeom_transformXY_r (geos, lonlat, forward_cb, proj);
  if (projected == NULL)
    {
      GEOSGeom_destroy_r (geos, lonlat);
      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED,
                   "cannot project the land mask to EPSG:4525");
      return FALSE;
    }
  land->land = GEOSMakeValid_r (geos, projected);
  GEOSGeom_destroy_r (geos, projected);
  land->land_lonlat = lonlat;
  land->coast = GEOSBoundary_r (geos, land->land);
  GEOSArea_r (geos, land->land, &land->area);

  for (guint i = 0; i < ld_demo_n_towns; i++)
    ld_demo_proj_forward (proj, ld_demo_towns[i].lon, ld_demo_towns[i].lat,
                          &ld_demo_towns[i].x, &ld_demo_towns[i].y);
  return TRUE;
}

void
ld_demo_land_clear (GEOSContextHandle_t  geos,
                    LdDemoLand          *land)
{
  if (land->land != NULL)
    GEOSGeom_destroy_r (geos, land->land);
  if (land->land_lonlat != NULL)
    GEOSGeom_destroy_r (geos, land->land_lonlat);
  if (land->coast != NULL)
    GEOSGeom_destroy_r (geos, land->coast);
  memset (land, 0, sizeof *land);
}
