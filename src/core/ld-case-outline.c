/* ld-case-outline.c: a case's red line as longitude/latitude rings, for the map
 *
 * Read through GDAL from the store's case_redlines feature table (EPSG:4525) and transformed
 * to WGS84 in longitude, latitude order. Only for display: analysis and areas never use it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "ld-case-outline.h"
#include "ld-redline.h"

static gpointer
register_drivers (gpointer data)
{
  GDALAllRegister ();
  return NULL;
}

static void
add_ring (GPtrArray                    *rings,
          OGRGeometryH                  ring,
          LdLonLatBox                  *box)
{
  int n = OGR_G_GetPointCount (ring);
  GArray *points = g_array_sized_new (FALSE, FALSE, sizeof (double), n * 2);

  for (int i = 0; i < n; i++)
    {
      double lon = OGR_G_GetX (ring, i), lat = OGR_G_GetY (ring, i);

      g_array_append_val (points, lon);
      g_array_append_val (points, lat);
      box->west = MIN (box->west, lon);
      box->east = MAX (box->east, lon);
      box->south = MIN (box->south, lat);
      box->north = MAX (box->north, lat);
    }
  g_ptr_array_add (rings, points);
}

static void
add_polygon_rings (GPtrArray    *rings,
                   OGRGeometryH  geom,
                   LdLonLatBox  *box)
{
  OGRwkbGeometryType type = wkbFlatten (OGR_G_GetGeometryType (geom));

  if (type == wkbPolygon)
    {
      for (int i = 0; i < OGR_G_GetGeometryCount (geom); i++)
        add_ring (rings, OGR_G_GetGeometryRef (geom, i), box);
    }
  else if (type == wkbMultiPolygon || type == wkbGeometryCollection)
    {
      for (int i = 0; i < OGR_G_GetGeometryCount (geom); i++)
        add_polygon_rings (rings, OGR_G_GetGeometryRef (geom, i), box);
    }
}

/**
 * ld_case_outline_load:
 * @box: (out): the rings' bounding box
 *
 * Returns: (transfer full) (element-type GArray): one GArray of double lon, lat pairs per
 *   ring (outer rings and holes alike), or %NULL with @error set. A case without a red line
 *   gives an empty array.
 */
GPtrArray *
ld_case_outline_load (const char   *store_path,
                      const char   *case_id,
                      LdLonLatBox  *box,
                      GError      **error)
{
  static GOnce once = G_ONCE_INIT;
  g_autoptr(GPtrArray) rings = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  const char *open_options[] = { NULL };
  g_autofree char *filter = NULL;
  GDALDatasetH ds;
  OGRLayerH layer;
  OGRSpatialReferenceH wgs84;
  OGRCoordinateTransformationH ct = NULL;
  OGRFeatureH feature;
  char *quoted;

  g_once (&once, register_drivers, NULL);
  *box = (LdLonLatBox) { 180.0, 90.0, -180.0, -90.0 };

  ds = GDALOpenEx (store_path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, open_options, NULL);
  if (ds == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot open %s: %s", store_path,
                   CPLGetLastErrorMsg ());
      return NULL;
    }
  layer = GDALDatasetGetLayerByName (ds, "case_redlines");
  if (layer == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "%s has no case_redlines layer", store_path);
      GDALClose (ds);
      return NULL;
    }

  quoted = CPLEscapeString (case_id, -1, CPLES_SQL);
  filter = g_strdup_printf ("case_id = '%s'", quoted);
  CPLFree (quoted);
  OGR_L_SetAttributeFilter (layer, filter);

  wgs84 = OSRNewSpatialReference (NULL);
  OSRImportFromEPSG (wgs84, 4326);
  OSRSetAxisMappingStrategy (wgs84, OAMS_TRADITIONAL_GIS_ORDER);
  if (OGR_L_GetSpatialRef (layer) != NULL)
    ct = OCTNewCoordinateTransformation (OGR_L_GetSpatialRef (layer), wgs84);

  while ((feature = OGR_L_GetNextFeature (layer)) != NULL)
    {
      OGRGeometryH geom = OGR_F_GetGeometryRef (feature);

      if (geom != NULL && (ct == NULL || OGR_G_Transform (geom, ct) == OGRERR_NONE))
        add_polygon_rings (rings, geom, box);
      OGR_F_Destroy (feature);
    }

  if (ct != NULL)
    OCTDestroyCoordinateTransformation (ct);
  OSRDestroySpatialReference (wgs84);
  GDALClose (ds);
  return g_steal_pointer (&rings);
}

/**
 * ld_case_outline_from_redline:
 *
 * The rings of @redline's parcels (EPSG:4525) in longitude, latitude: for showing an
 * imported red line before it is stored.
 */
GPtrArray *
ld_case_outline_from_redline (LdRedline    *redline,
                              LdLonLatBox  *box,
                              GError      **error)
{
  static GOnce once = G_ONCE_INIT;
  g_autoptr(GPtrArray) rings = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  OGRSpatialReferenceH gk, wgs84;
  OGRCoordinateTransformationH ct;

  g_once (&once, register_drivers, NULL);
  *box = (LdLonLatBox) { 180.0, 90.0, -180.0, -90.0 };
  gk = OSRNewSpatialReference (NULL);
  wgs84 = OSRNewSpatialReference (NULL);
  OSRImportFromEPSG (gk, 4525);
  OSRImportFromEPSG (wgs84, 4326);
  OSRSetAxisMappingStrategy (gk, OAMS_TRADITIONAL_GIS_ORDER);
  OSRSetAxisMappingStrategy (wgs84, OAMS_TRADITIONAL_GIS_ORDER);
  ct = OCTNewCoordinateTransformation (gk, wgs84);

  for (guint i = 0; ct != NULL && i < ld_redline_get_n_parcels (redline); i++)
    {
      g_autofree char *wkt = ld_redline_dup_parcel_wkt (redline, i);
      char *cursor = wkt;
      OGRGeometryH geom = NULL;

      if (wkt != NULL && OGR_G_CreateFromWkt (&cursor, NULL, &geom) == OGRERR_NONE
          && OGR_G_Transform (geom, ct) == OGRERR_NONE)
        add_polygon_rings (rings, geom, box);
      if (geom != NULL)
        OGR_G_DestroyGeometry (geom);
    }
  if (ct != NULL)
    OCTDestroyCoordinateTransformation (ct);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "No EPSG:4525 to WGS84 transformation");
  OSRDestroySpatialReference (gk);
  OSRDestroySpatialReference (wgs84);
  return ct != NULL ? g_steal_pointer (&rings) : NULL;
}
