/* ld-redline-ogr.c: red lines from and to the GIS formats, through GDAL/OGR
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shapefile, GeoPackage, GeoJSON, KML and DXF in; Shapefile, GeoPackage, KML and DXF out.
 * Every geometry is turned into EPSG:4525 with OGRCoordinateTransformation in traditional
 * GIS axis order (x = easting or longitude). Legacy datums (Xian 1980, Beijing 1954) are
 * refused: without the survey's seven parameters any conversion would be a guess.
 */
#include "config.h"

#include <math.h>
#include <string.h>

/* GDAL's headers test compiler macros that GCC does not define; -Werror=undef would stop. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

#include <gmodule.h>

#include "ld-redline-private.h"

/* Parcels being gathered from features, grouped by their id. */
typedef struct
{
  char          *id;
  char          *name;
  GPtrArray     *wkbs;   /* GBytes of polygonal geometries */
  LdCoordParcel *rings;  /* closed lines (DXF polylines), made polygons by containment */
} Gathered;

static const char *const id_fields[] = {
  "parcel_no", "dkbh", "地块编号", "parcel", "bh", "编号", "id", NULL
};
static const char *const name_fields[] = {
  "name", "dkmc", "地块名称", "mc", "名称", "xmmc", "项目名称", NULL
};

static void
gathered_free (gpointer data)
{
  Gathered *g = data;

  g_free (g->id);
  g_free (g->name);
  g_ptr_array_unref (g->wkbs);
  ld_coord_parcel_free (g->rings);
  g_free (g);
}

static void
ensure_gdal (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      GDALAllRegister ();
      g_once_init_leave (&done, 1);
    }
}

static const char *
driver_name (LdRedlineFormat format)
{
  switch (format)
    {
    case LD_REDLINE_FORMAT_SHP: return "ESRI Shapefile";
    case LD_REDLINE_FORMAT_GPKG: return "GPKG";
    case LD_REDLINE_FORMAT_GEOJSON: return "GeoJSON";
    case LD_REDLINE_FORMAT_KML: return "KML";
    case LD_REDLINE_FORMAT_DXF: return "DXF";
    case LD_REDLINE_FORMAT_AUTO:
    case LD_REDLINE_FORMAT_TXT:
    default: return NULL;
    }
}

static const char *
last_gdal_error (void)
{
  const char *msg = CPLGetLastErrorMsg ();

  return msg != NULL && *msg != '\0' ? msg : "unknown reason";
}

/* Attribute text as UTF-8: a shapefile without .cpg is read raw and may well be GBK. */
static char *
to_utf8 (const char *text)
{
  char *converted;

  if (text == NULL)
    return g_strdup ("");
  if (g_utf8_validate (text, -1, NULL))
    return g_strdup (text);
  converted = g_convert (text, -1, "UTF-8", "GB18030", NULL, NULL, NULL);
  return converted != NULL ? converted : g_utf8_make_valid (text, -1);
}

static int
find_field (OGRFeatureDefnH     defn,
            const char *const  *candidates)
{
  for (guint c = 0; candidates[c] != NULL; c++)
    for (int i = 0; i < OGR_FD_GetFieldCount (defn); i++)
      {
        g_autofree char *name = to_utf8 (OGR_Fld_GetNameRef (OGR_FD_GetFieldDefn (defn, i)));

        if (g_utf8_collate (name, candidates[c]) == 0 || g_ascii_strcasecmp (name, candidates[c]) == 0)
          return i;
      }
  return -1;
}

static OGRSpatialReferenceH
srs_from_epsg (int epsg)
{
  OGRSpatialReferenceH srs = OSRNewSpatialReference (NULL);

  if (OSRImportFromEPSG (srs, epsg) != OGRERR_NONE)
    {
      OSRDestroySpatialReference (srs);
      return NULL;
    }
  OSRSetAxisMappingStrategy (srs, OAMS_TRADITIONAL_GIS_ORDER);
  return srs;
}

/* Xian 1980, Beijing 1954 and New Beijing need datum parameters we do not have. */
static const char *
legacy_datum (OGRSpatialReferenceH srs)
{
  const char *names[] = {
    OSRGetAttrValue (srs, "DATUM", 0), OSRGetAttrValue (srs, "GEOGCS", 0),
    OSRGetAttrValue (srs, "PROJCS", 0),
  };
  const char *code = OSRGetAuthorityCode (srs, "GEOGCS");

  if (g_strcmp0 (code, "4610") == 0)
    return "Xian 1980";
  if (g_strcmp0 (code, "4214") == 0 || g_strcmp0 (code, "4555") == 0)
    return "Beijing 1954";
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *lower = g_ascii_strdown (names[i] != NULL ? names[i] : "", -1);

      if (strstr (lower, "xian") != NULL || strstr (lower, "xi'an") != NULL
          || strstr (lower, "西安") != NULL)
        return "Xian 1980";
      if (strstr (lower, "beijing") != NULL || strstr (lower, "北京") != NULL)
        return "Beijing 1954";
    }
  return NULL;
}

/* A layer without a CRS: the coordinates' magnitude tells lon/lat from Gauss-Krüger. */
static OGRSpatialReferenceH
guess_srs (OGRLayerH    layer,
           LdRedline   *self,
           const char  *path,
           GError     **error)
{
  OGREnvelope env;
  int epsg = 0;

  if (OGR_L_GetExtent (layer, &env, TRUE) != OGRERR_NONE)
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_FORMAT,
                   "%s: layer %s has no geometry", path, OGR_L_GetName (layer));
      return NULL;
    }
  if (env.MinX >= -180 && env.MaxX <= 180 && env.MinY >= -90 && env.MaxY <= 90)
    {
      epsg = 4490;
      ld_redline_add_warning (self, "%s: no coordinate system given: longitude/latitude "
                              "read as CGCS2000 (EPSG:4490)", path);
    }
  else if (env.MinX >= 1e7 && env.MaxX < 1e8 && (int) (env.MinX / 1e6) == (int) (env.MaxX / 1e6)
           && env.MinY >= 0 && env.MaxY < 1e7)
    {
      int zone = (int) (env.MinX / 1e6);

      if (zone >= 25 && zone <= 45)
        epsg = 4513 + zone - 25;
      ld_redline_add_warning (self, "%s: no coordinate system given: read as CGCS2000 "
                              "3-degree Gauss-Krüger zone %d (EPSG:%d) from the easting's "
                              "zone prefix", path, zone, epsg);
    }
  else if (env.MinX >= 0 && env.MaxX < 1e6 && env.MinY >= 1e6 && env.MaxY < 1e7)
    {
      epsg = 4546;
      ld_redline_add_warning (self, "%s: no coordinate system given and no zone prefix: read "
                              "as CGCS2000 3-degree Gauss-Krüger zone 37 (EPSG:4546)", path);
    }
  if (epsg == 0)
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_CRS,
                   "%s: layer %s has no coordinate system and its coordinates (x %.0f to %.0f, "
                   "y %.0f to %.0f) are neither longitude/latitude nor CGCS2000 Gauss-Krüger; "
                   "add a .prj or save it with its CRS", path, OGR_L_GetName (layer),
                   env.MinX, env.MaxX, env.MinY, env.MaxY);
      return NULL;
    }
  return srs_from_epsg (epsg);
}

static OGRCoordinateTransformationH
transformation_to_store (OGRSpatialReferenceH  source,
                         const char           *path,
                         GError              **error)
{
  OGRSpatialReferenceH target = srs_from_epsg (LD_REDLINE_EPSG);
  OGRSpatialReferenceH src = OSRClone (source);
  OGRCoordinateTransformationH ct;

  OSRSetAxisMappingStrategy (src, OAMS_TRADITIONAL_GIS_ORDER);
  ct = OCTNewCoordinateTransformation (src, target);
  OSRDestroySpatialReference (src);
  OSRDestroySpatialReference (target);
  if (ct == NULL)
    g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_CRS,
                 "%s: its coordinate system cannot be turned into EPSG:4525: %s", path,
                 last_gdal_error ());
  return ct;
}

static GBytes *
geometry_to_wkb (OGRGeometryH geom)
{
  int size = OGR_G_WkbSize (geom);
  guchar *buf = g_malloc (size);

  OGR_G_ExportToIsoWkb (geom, wkbNDR, buf);
  return g_bytes_new_take (buf, size);
}

static Gathered *
gathered_lookup (GHashTable *by_id,
                 GPtrArray  *order,
                 const char *id,
                 const char *name)
{
  Gathered *g = g_hash_table_lookup (by_id, id);

  if (g == NULL)
    {
      g = g_new0 (Gathered, 1);
      g->id = g_strdup (id);
      g->name = g_strdup (name);
      g->wkbs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      g->rings = ld_coord_parcel_new (id, name);
      g_hash_table_insert (by_id, g->id, g);
      g_ptr_array_add (order, g);
    }
  else if (g->name[0] == '\0' && name[0] != '\0')
    {
      g_free (g->name);
      g->name = g_strdup (name);
    }
  return g;
}

/* One feature's geometry, in EPSG:4525, into its parcel. */
static void
gather_geometry (LdRedline   *self,
                 Gathered    *g,
                 OGRGeometryH geom,
                 const char  *path,
                 GIntBig      fid)
{
  OGRwkbGeometryType type = wkbFlatten (OGR_G_GetGeometryType (geom));

  if (type == wkbPolygon || type == wkbMultiPolygon)
    g_ptr_array_add (g->wkbs, geometry_to_wkb (geom));
  else if ((type == wkbLineString || type == wkbLinearRing) && OGR_G_GetPointCount (geom) >= 4
           && OGR_G_GetX (geom, 0) == OGR_G_GetX (geom, OGR_G_GetPointCount (geom) - 1)
           && OGR_G_GetY (geom, 0) == OGR_G_GetY (geom, OGR_G_GetPointCount (geom) - 1))
    {
      int n = OGR_G_GetPointCount (geom);
      g_autofree LdCoordPoint *pts = g_new (LdCoordPoint, n);

      for (int i = 0; i < n; i++)
        {
          pts[i].x = OGR_G_GetX (geom, i);
          pts[i].y = OGR_G_GetY (geom, i);
        }
      ld_coord_parcel_add_ring (g->rings, pts, n);
    }
  else if (type == wkbGeometryCollection || type == wkbMultiLineString)
    for (int i = 0; i < OGR_G_GetGeometryCount (geom); i++)
      gather_geometry (self, g, OGR_G_GetGeometryRef (geom, i), path, fid);
  else
    ld_redline_add_warning (self, "%s: feature %" G_GINT64_FORMAT " is a %s, not a polygon or a "
                            "closed line: left out", path, (gint64) fid,
                            OGRGeometryTypeToName (type));
}

static gboolean
read_layer (LdRedline   *self,
            OGRLayerH    layer,
            gboolean     is_dxf,
            const char  *path,
            GHashTable  *by_id,
            GPtrArray   *order,
            GError     **error)
{
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn (layer);
  OGRSpatialReferenceH srs = OGR_L_GetSpatialRef (layer);
  OGRSpatialReferenceH guessed = NULL;
  OGRCoordinateTransformationH ct = NULL;
  const char *legacy;
  int id_field = is_dxf ? OGR_FD_GetFieldIndex (defn, "Layer") : find_field (defn, id_fields);
  int name_field = find_field (defn, name_fields);
  OGRFeatureH feature;
  gboolean ok = TRUE;

  if (OGR_L_GetFeatureCount (layer, TRUE) == 0)
    return TRUE;
  if (srs == NULL)
    {
      srs = guessed = guess_srs (layer, self, path, error);
      if (srs == NULL)
        return FALSE;
    }
  if ((legacy = legacy_datum (srs)) != NULL)
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_CRS,
                   "%s: the coordinates are in %s (%s); turning them into CGCS2000 needs the "
                   "seven datum parameters of your survey, which LandDesk cannot guess and will "
                   "not relabel: convert the file to CGCS2000 with those parameters first",
                   path, legacy, OSRGetName (srs));
      g_clear_pointer (&guessed, OSRDestroySpatialReference);
      return FALSE;
    }
  ct = transformation_to_store (srs, path, error);
  g_clear_pointer (&guessed, OSRDestroySpatialReference);
  if (ct == NULL)
    return FALSE;

  OGR_L_ResetReading (layer);
  while (ok && (feature = OGR_L_GetNextFeature (layer)) != NULL)
    {
      OGRGeometryH geom = OGR_F_GetGeometryRef (feature);
      g_autofree char *id = NULL;
      g_autofree char *name = NULL;
      OGRGeometryH linear;
      Gathered *g;

      if (geom == NULL || OGR_G_IsEmpty (geom))
        {
          OGR_F_Destroy (feature);
          continue;
        }
      id = id_field >= 0 && OGR_F_IsFieldSetAndNotNull (feature, id_field)
           ? to_utf8 (OGR_F_GetFieldAsString (feature, id_field))
           : g_strdup_printf ("%u", order->len + 1);
      if (is_dxf && id[0] == '\0')
        {
          g_free (id);
          id = g_strdup ("0");
        }
      name = name_field >= 0 && OGR_F_IsFieldSetAndNotNull (feature, name_field)
             ? to_utf8 (OGR_F_GetFieldAsString (feature, name_field)) : g_strdup ("");
      g = gathered_lookup (by_id, order, id, name);

      linear = OGR_G_GetLinearGeometry (geom, 0, NULL);
      OGR_G_FlattenTo2D (linear);
      if (OGR_G_Transform (linear, ct) != OGRERR_NONE)
        {
          g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_CRS,
                       "%s: feature %" G_GINT64_FORMAT " cannot be transformed to EPSG:4525: %s",
                       path, (gint64) OGR_F_GetFID (feature), last_gdal_error ());
          ok = FALSE;
        }
      else
        gather_geometry (self, g, linear, path, OGR_F_GetFID (feature));
      OGR_G_DestroyGeometry (linear);
      OGR_F_Destroy (feature);
    }
  OCTDestroyCoordinateTransformation (ct);
  return ok;
}

static gboolean
gathered_to_parcels (LdRedline   *self,
                     GPtrArray   *order,
                     const char  *path,
                     GError     **error)
{
  GEOSContextHandle_t geos = ld_redline_get_geos (self);

  for (guint i = 0; i < order->len; i++)
    {
      Gathered *g = g_ptr_array_index (order, i);
      g_autoptr(GPtrArray) parts = g_ptr_array_new ();
      GEOSGeometry *multi;

      for (guint w = 0; w < g->wkbs->len; w++)
        {
          gsize size;
          const guchar *data = g_bytes_get_data (g_ptr_array_index (g->wkbs, w), &size);
          GEOSGeometry *geom = ld_redline_geometry_from_wkb (self, data, size);

          if (geom == NULL)
            {
              ld_redline_add_warning (self, "%s: parcel %s: a polygon with broken rings (too "
                                      "few points, or not closed) was left out", path, g->id);
              continue;
            }
          for (int k = 0; k < GEOSGetNumGeometries_r (geos, geom); k++)
            g_ptr_array_add (parts, GEOSGeom_clone_r (geos, GEOSGetGeometryN_r (geos, geom, k)));
          GEOSGeom_destroy_r (geos, geom);
        }
      if (g->rings->rings->len > 0)
        {
          GEOSGeometry *geom;

          ld_coord_parcel_assign_rings (g->rings);
          geom = ld_redline_geometry_from_parcel (self, g->rings);
          if (geom != NULL)
            {
              for (int k = 0; k < GEOSGetNumGeometries_r (geos, geom); k++)
                g_ptr_array_add (parts,
                                 GEOSGeom_clone_r (geos, GEOSGetGeometryN_r (geos, geom, k)));
              GEOSGeom_destroy_r (geos, geom);
            }
        }
      if (parts->len == 0)
        continue;
      multi = GEOSGeom_createCollection_r (geos, GEOS_MULTIPOLYGON,
                                           (GEOSGeometry **) parts->pdata, parts->len);
      g_ptr_array_set_size (parts, 0);
      ld_redline_take_geometry (self, g->id, g->name, multi);
    }
  if (ld_redline_get_n_parcels (self) == 0)
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_FORMAT,
                   "%s: no polygon (or closed line) found", path);
      return FALSE;
    }
  return TRUE;
}

static LdRedline *
ld_redline_import_ogr (const char       *path,
                       LdRedlineFormat   format,
                       GError          **error)
{
  g_autoptr(LdRedline) self = ld_redline_new ();
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (gathered_free);
  g_autofree char *display = g_filename_display_name (path);
  const char *drivers[3] = { NULL, NULL, NULL };
  const char *options[2] = { NULL, NULL };
  GDALDatasetH ds;
  gboolean is_dxf, ok = TRUE;

  ensure_gdal ();
  if (format == LD_REDLINE_FORMAT_KML)
    {
      drivers[0] = "LIBKML";
      drivers[1] = "KML";
    }
  else
    drivers[0] = driver_name (format);

  /* A shapefile without .cpg: read the bytes as they are and decode them ourselves. */
  if (format == LD_REDLINE_FORMAT_SHP || g_str_has_suffix (path, ".shp")
      || g_str_has_suffix (path, ".SHP"))
    {
      g_autofree char *stem = g_strndup (path, strlen (path) - 4);
      g_autofree char *cpg = g_strconcat (stem, ".cpg", NULL);
      g_autofree char *CPG = g_strconcat (stem, ".CPG", NULL);

      if (!g_file_test (cpg, G_FILE_TEST_EXISTS) && !g_file_test (CPG, G_FILE_TEST_EXISTS))
        options[0] = "ENCODING=";
    }

  CPLErrorReset ();
  CPLPushErrorHandler (CPLQuietErrorHandler);
  ds = GDALOpenEx (path, GDAL_OF_VECTOR | GDAL_OF_READONLY,
                   drivers[0] != NULL ? drivers : NULL, options, NULL);
  CPLPopErrorHandler ();
  if (ds == NULL)
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_OPEN,
                   "%s: cannot read it as %s (%s)", display,
                   format == LD_REDLINE_FORMAT_AUTO ? "a red-line file"
                   : ld_redline_format_to_string (format), last_gdal_error ());
      return NULL;
    }
  is_dxf = g_str_equal (GDALGetDriverShortName (GDALGetDatasetDriver (ds)), "DXF");
  for (int i = 0; ok && i < GDALDatasetGetLayerCount (ds); i++)
    ok = read_layer (self, GDALDatasetGetLayer (ds, i), is_dxf, display, by_id, order, error);
  GDALClose (ds);
  if (!ok || !gathered_to_parcels (self, order, display, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* Parcels read in another CGCS2000 zone, moved into EPSG:4525. */
static gboolean
ld_redline_transform_parcels (LdRedline  *self,
                              int         from_epsg,
                              GError    **error)
{
  GEOSContextHandle_t geos = ld_redline_get_geos (self);
  OGRSpatialReferenceH source;
  OGRCoordinateTransformationH ct;

  ensure_gdal ();
  source = srs_from_epsg (from_epsg);
  if (source == NULL)
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_CRS, "EPSG:%d is unknown",
                   from_epsg);
      return FALSE;
    }
  ct = transformation_to_store (source, "coordinates", error);
  OSRDestroySpatialReference (source);
  if (ct == NULL)
    return FALSE;
  for (guint i = 0; i < ld_redline_get_n_parcels (self); i++)
    {
      LdRedlineParcel *parcel = ld_redline_get_parcel (self, i);
      g_autoptr(GBytes) wkb = ld_redline_dup_parcel_wkb (self, i);
      OGRGeometryH geom = NULL;
      gsize size;
      const guchar *data = g_bytes_get_data (wkb, &size);
      g_autoptr(GBytes) out = NULL;

      if (OGR_G_CreateFromWkbEx (data, NULL, &geom, size) != OGRERR_NONE
          || OGR_G_Transform (geom, ct) != OGRERR_NONE)
        {
          g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_CRS,
                       "parcel %s cannot be transformed from EPSG:%d to EPSG:4525: %s",
                       parcel->id, from_epsg, last_gdal_error ());
          if (geom != NULL)
            OGR_G_DestroyGeometry (geom);
          OCTDestroyCoordinateTransformation (ct);
          return FALSE;
        }
      out = geometry_to_wkb (geom);
      OGR_G_DestroyGeometry (geom);
      data = g_bytes_get_data (out, &size);
      GEOSGeom_destroy_r (geos, parcel->geom);
      parcel->geom = ld_redline_geometry_from_wkb (self, data, size);
    }
  OCTDestroyCoordinateTransformation (ct);
  return TRUE;
}

static gboolean
create_field (OGRLayerH     layer,
              const char   *name,
              OGRFieldType  type,
              int           width,
              int           precision)
{
  OGRFieldDefnH field = OGR_Fld_Create (name, type);
  OGRErr err;

  if (width > 0)
    OGR_Fld_SetWidth (field, width);
  if (precision > 0)
    OGR_Fld_SetPrecision (field, precision);
  err = OGR_L_CreateField (layer, field, TRUE);
  OGR_Fld_Destroy (field);
  return err == OGRERR_NONE;
}

static gboolean
ld_redline_export_ogr (LdRedline        *self,
                       const char       *path,
                       LdRedlineFormat   format,
                       GError          **error)
{
  const char *name = driver_name (format);
  GDALDriverH driver;
  GDALDatasetH ds;
  OGRSpatialReferenceH store_srs = NULL, layer_srs = NULL;
  OGRCoordinateTransformationH ct = NULL;
  OGRLayerH layer;
  const char *layer_options[3] = { NULL, NULL, NULL };
  g_autofree char *layer_name = NULL;
  gboolean is_dxf = format == LD_REDLINE_FORMAT_DXF;
  const char *name_field = format == LD_REDLINE_FORMAT_KML ? "Name" : "name";
  gboolean ok = TRUE;

  ensure_gdal ();
  driver = name != NULL ? GDALGetDriverByName (name) : NULL;
  if (driver == NULL)
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_WRITE,
                   "%s: LandDesk cannot write %s files", path, ld_redline_format_to_string (format));
      return FALSE;
    }

  store_srs = srs_from_epsg (LD_REDLINE_EPSG);
  if (format == LD_REDLINE_FORMAT_KML || format == LD_REDLINE_FORMAT_GEOJSON)
    {
      /* Both formats are longitude/latitude on WGS 84; CGCS2000 agrees to a few cm. */
      layer_srs = srs_from_epsg (4326);
      ct = OCTNewCoordinateTransformation (store_srs, layer_srs);
    }
  else if (!is_dxf)
    layer_srs = OSRClone (store_srs);

  if (format == LD_REDLINE_FORMAT_SHP)
    {
      g_autofree char *base = g_path_get_basename (path);

      layer_name = g_strndup (base, strlen (base) > 4 ? strlen (base) - 4 : strlen (base));
      layer_options[0] = "ENCODING=UTF-8";
    }
  else
    layer_name = g_strdup ("redline");
  if (format == LD_REDLINE_FORMAT_GEOJSON)
    layer_options[0] = "COORDINATE_PRECISION=10";

  CPLErrorReset ();
  CPLPushErrorHandler (CPLQuietErrorHandler);
  ds = GDALCreate (driver, path, 0, 0, 0, GDT_Unknown, NULL);
  if (ds == NULL)
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_WRITE, "%s: cannot create it: %s",
                   path, last_gdal_error ());
      ok = FALSE;
      goto out;
    }
  layer = GDALDatasetCreateLayer (ds, layer_name, layer_srs,
                                  is_dxf ? wkbUnknown : wkbMultiPolygon, (char **) layer_options);
  if (layer == NULL
      || (!is_dxf
          && (!create_field (layer, "parcel_no", OFTString, 64, 0)
              || (OGR_FD_GetFieldIndex (OGR_L_GetLayerDefn (layer), name_field) < 0
                  && !create_field (layer, name_field, OFTString, 254, 0))
              || !create_field (layer, "area_m2", OFTReal, 16, 2))))
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_WRITE,
                   "%s: cannot create its layer: %s", path, last_gdal_error ());
      ok = FALSE;
      goto out;
    }
  GDALDatasetStartTransaction (ds, FALSE);

  for (guint i = 0; ok && i < ld_redline_get_n_parcels (self); i++)
    {
      g_autoptr(GBytes) wkb = ld_redline_dup_parcel_wkb (self, i);
      OGRFeatureH feature = OGR_F_Create (OGR_L_GetLayerDefn (layer));
      OGRGeometryH geom = NULL;
      gsize size;
      const guchar *data = g_bytes_get_data (wkb, &size);

      OGR_G_CreateFromWkbEx (data, NULL, &geom, size);
      if (ct != NULL)
        OGR_G_Transform (geom, ct);
      if (is_dxf)
        OGR_F_SetFieldString (feature, OGR_F_GetFieldIndex (feature, "Layer"),
                              ld_redline_get_parcel_id (self, i));
      else
        {
          /* By name: the KML driver puts its own Name and Description fields first. */
          OGR_F_SetFieldString (feature, OGR_F_GetFieldIndex (feature, "parcel_no"),
                                ld_redline_get_parcel_id (self, i));
          OGR_F_SetFieldString (feature, OGR_F_GetFieldIndex (feature, name_field),
                                ld_redline_get_parcel_name (self, i));
          OGR_F_SetFieldDouble (feature, OGR_F_GetFieldIndex (feature, "area_m2"),
                                ld_round_half_up (ld_redline_get_parcel_area (self, i), 2));
        }
      OGR_F_SetGeometryDirectly (feature, geom);
      if (OGR_L_CreateFeature (layer, feature) != OGRERR_NONE)
        {
          g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_WRITE,
                       "%s: cannot write parcel %s: %s", path,
                       ld_redline_get_parcel_id (self, i), last_gdal_error ());
          ok = FALSE;
        }
      OGR_F_Destroy (feature);
    }
  if (ok && GDALDatasetCommitTransaction (ds) != OGRERR_NONE
      && CPLGetLastErrorType () >= CE_Failure)
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_WRITE, "%s: %s", path,
                   last_gdal_error ());
      ok = FALSE;
    }

out:
  if (ds != NULL)
    {
      CPLErrorReset ();
      GDALClose (ds);
      if (ok && CPLGetLastErrorType () >= CE_Failure)
        {
          g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_WRITE, "%s: %s", path,
                       last_gdal_error ());
          ok = FALSE;
        }
      if (!ok)
        GDALDeleteDataset (driver, path);
    }
  CPLPopErrorHandler ();
  if (ct != NULL)
    OCTDestroyCoordinateTransformation (ct);
  if (layer_srs != NULL)
    OSRDestroySpatialReference (layer_srs);
  OSRDestroySpatialReference (store_srs);
  return ok;
}

/**
 * ld_redline_ogr_install:
 *
 * Lets LdRedline read and write the GIS formats with GDAL/OGR. The module landdesk-gdal
 * exports it for landdesk-cli, which links the base part of the core only.
 */
G_MODULE_EXPORT void
ld_redline_ogr_install (void)
{
  static const LdRedlineOgr ogr = {
    .import = ld_redline_import_ogr,
    .transform = ld_redline_transform_parcels,
    .export = ld_redline_export_ogr,
  };

  ld_redline_set_ogr (&ogr);
}
