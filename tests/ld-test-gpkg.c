/* ld-test-gpkg.c: GeoPackages of known square patches for the renderer's tests and benchmark
 *
 * Written with GDAL/OGR, as a GIS officer's tool would write them: EPSG:4525, geometry column
 * geom, R-tree spatial index, layer xz_dltb with the DLBM class field of data/README.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
/* GDAL's headers test compiler macros that -Wundef flags. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

#include "ld-test-gpkg.h"

static const char * const codes[] = {
  "0101", "0102", "0103", "0201", "0301", "0701", "1001", "1101", "0101K", "9999",
};

/* A class per cell, in a pattern no row or column repeats. */
const char *
ld_test_grid_class (int column,
                    int row)
{
  return codes[(column * 7 + row * 3) % G_N_ELEMENTS (codes)];
}

static void
append_side (GString *wkt,
             double   x0,
             double   y0,
             double   x1,
             double   y1,
             int      steps,
             guint32 *seed)
{
  for (int k = 0; k < steps; k++)
    {
      double f = (double) k / steps;
      /* Inner vertices wobble by up to a metre, like digitised boundaries. */
      double jitter = k == 0 ? 0 : ((*seed = *seed * 1103515245u + 12345u) >> 16) % 200 / 100.0 - 1;

      g_string_append_printf (wkt, "%.3f %.3f,", x0 + (x1 - x0) * f + (y1 != y0 ? jitter : 0),
                              y0 + (y1 - y0) * f + (x1 != x0 ? jitter : 0));
    }
}

gboolean
ld_test_grid_make (const char  *path,
                   int          columns,
                   int          rows,
                   int          vertices_per_side,
                   GError     **error)
{
  return ld_test_grid_make_full (path, columns, rows, vertices_per_side, LD_TEST_GRID_CELL, error);
}

gboolean
ld_test_grid_make_full (const char  *path,
                        int          columns,
                        int          rows,
                        int          vertices_per_side,
                        double       cell,
                        GError     **error)
{
  GDALDriverH driver;
  GDALDatasetH ds;
  OGRSpatialReferenceH srs;
  OGRLayerH layer;
  OGRFieldDefnH field;
  const char *options[] = { "GEOMETRY_NAME=geom", "SPATIAL_INDEX=YES", "FID=fid", NULL };
  guint32 seed = 42;
  gboolean ok = TRUE;

  GDALAllRegister ();
  g_remove (path);
  driver = GDALGetDriverByName ("GPKG");
  ds = GDALCreate (driver, path, 0, 0, 0, GDT_Unknown, NULL);
  if (ds == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot create %s: %s", path,
                   CPLGetLastErrorMsg ());
      return FALSE;
    }
  srs = OSRNewSpatialReference (NULL);
  OSRImportFromEPSG (srs, 4525);
  layer = GDALDatasetCreateLayer (ds, "xz_dltb", srs, wkbMultiPolygon, (char **) options);
  OSRDestroySpatialReference (srs);
  if (layer == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot create layer: %s",
                   CPLGetLastErrorMsg ());
      GDALClose (ds);
      return FALSE;
    }
  field = OGR_Fld_Create ("BSM", OFTString);
  OGR_L_CreateField (layer, field, TRUE);
  OGR_Fld_Destroy (field);
  field = OGR_Fld_Create ("DLBM", OFTString);
  OGR_L_CreateField (layer, field, TRUE);
  OGR_Fld_Destroy (field);
  field = OGR_Fld_Create ("CLS", OFTInteger);
  OGR_L_CreateField (layer, field, TRUE);
  OGR_Fld_Destroy (field);
  field = OGR_Fld_Create ("TBMJ", OFTReal);
  OGR_L_CreateField (layer, field, TRUE);
  OGR_Fld_Destroy (field);

  GDALDatasetStartTransaction (ds, TRUE);
  for (int row = 0; row < rows && ok; row++)
    for (int column = 0; column < columns && ok; column++)
      {
        double x0 = LD_TEST_GRID_EAST + column * cell;
        double y0 = LD_TEST_GRID_NORTH + row * cell;
        double s = cell * LD_TEST_GRID_PATCH / LD_TEST_GRID_CELL;
        double h0 = cell * 0.2, h1 = cell * 0.7;
        g_autoptr(GString) wkt = g_string_new ("MULTIPOLYGON(((");
        g_autofree char *bsm = g_strdup_printf ("%d-%d", column, row);
        OGRFeatureH feature = OGR_F_Create (OGR_L_GetLayerDefn (layer));
        OGRGeometryH geom = NULL;
        char *text;
        const char *code = ld_test_grid_class (column, row);
        double area = s * s;

        append_side (wkt, x0, y0, x0 + s, y0, vertices_per_side, &seed);
        append_side (wkt, x0 + s, y0, x0 + s, y0 + s, vertices_per_side, &seed);
        append_side (wkt, x0 + s, y0 + s, x0, y0 + s, vertices_per_side, &seed);
        append_side (wkt, x0, y0 + s, x0, y0, vertices_per_side, &seed);
        g_string_append_printf (wkt, "%.3f %.3f)", x0, y0);
        if (column == LD_TEST_GRID_DONUT && row == LD_TEST_GRID_DONUT)
          {
            g_string_append_printf (wkt, ",(%.3f %.3f,%.3f %.3f,%.3f %.3f,%.3f %.3f,%.3f %.3f)",
                                    x0 + h0, y0 + h0, x0 + h0, y0 + h1, x0 + h1, y0 + h1,
                                    x0 + h1, y0 + h0, x0 + h0, y0 + h0);
            area -= (h1 - h0) * (h1 - h0);
          }
        g_string_append (wkt, "))");
        text = wkt->str;
        OGR_G_CreateFromWkt (&text, NULL, &geom);
        OGR_F_SetGeometryDirectly (feature, geom);
        OGR_F_SetFieldString (feature, 0, bsm);
        OGR_F_SetFieldString (feature, 1, code);
        OGR_F_SetFieldInteger (feature, 2, (int) ((column * 7 + row * 3) % G_N_ELEMENTS (codes)) + 1);
        OGR_F_SetFieldDouble (feature, 3, area);
        if (geom == NULL || OGR_L_CreateFeature (layer, feature) != OGRERR_NONE)
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write patch %s: %s", bsm,
                         CPLGetLastErrorMsg ());
            ok = FALSE;
          }
        OGR_F_Destroy (feature);
      }
  if (ok)
    GDALDatasetCommitTransaction (ds);
  GDALClose (ds);
  return ok;
}
