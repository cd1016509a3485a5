/* ld-redline.c: a red line (用地红线): the parcels of a case in EPSG:4525, in and out of files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A red line is a list of parcels, each a MultiPolygon in CGCS2000 / 3-degree Gauss-Krüger
 * zone 37 (EPSG:4525, easting with the zone prefix). Areas are planar Gauss-Krüger areas
 * (shoelace on the projected coordinates), in m²; ha and mu are derived and rounded half-up
 * only for display (domain.md §6). The ministry TXT goes through LdCoordfile; every other
 * format through GDAL/OGR (ld-redline-ogr.c).
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "ld-module.h"
#include "ld-redline-private.h"

struct _LdRedline
{
  GObject              parent_instance;

  GEOSContextHandle_t  geos;
  GPtrArray           *parcels;   /* LdRedlineParcel */
  GPtrArray           *warnings;  /* char * */
  char                *case_number;
  char                *case_title;
  char                *case_use;
};

G_DEFINE_FINAL_TYPE (LdRedline, ld_redline, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-redline-error-quark, ld_redline_error)

static const LdRedlineOgr *ogr_impl;

static const struct
{
  LdRedlineFormat format;
  const char     *name;
  const char     *extensions[3];
} formats[] = {
  { LD_REDLINE_FORMAT_AUTO, "auto", { NULL } },
  { LD_REDLINE_FORMAT_TXT, "txt", { ".txt", NULL } },
  { LD_REDLINE_FORMAT_SHP, "shp", { ".shp", NULL } },
  { LD_REDLINE_FORMAT_GPKG, "gpkg", { ".gpkg", NULL } },
  { LD_REDLINE_FORMAT_GEOJSON, "geojson", { ".geojson", ".json", NULL } },
  { LD_REDLINE_FORMAT_KML, "kml", { ".kml", NULL } },
  { LD_REDLINE_FORMAT_DXF, "dxf", { ".dxf", NULL } },
};

static void
parcel_free (gpointer data)
{
  LdRedlineParcel *parcel = data;

  g_free (parcel->id);
  g_free (parcel->name);
  g_free (parcel->sheet);
  g_free (parcel->use);
  g_free (parcel->class_code);
  g_free (parcel);
}

/* GEOS reports through handlers; keep its last word for our own messages. */
static void
geos_message_cb (const char *message,
                 void       *user_data)
{
  g_debug ("GEOS: %s", message);
}

static GEOSGeometry *
ring_to_geos (LdRedline         *self,
              const LdCoordRing *ring)
{
  GEOSCoordSequence *seq = GEOSCoordSeq_create_r (self->geos, ring->points->len, 2);

  for (guint i = 0; i < ring->points->len; i++)
    {
      const LdCoordPoint *pt = &g_array_index (ring->points, LdCoordPoint, i);

      GEOSCoordSeq_setXY_r (self->geos, seq, i, pt->x, pt->y);
    }
  return GEOSGeom_createLinearRing_r (self->geos, seq);
}

static void
ring_from_geos (LdRedline          *self,
                const GEOSGeometry *ring,
                GArray             *points)
{
  const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r (self->geos, ring);
  unsigned int n = 0;

  GEOSCoordSeq_getSize_r (self->geos, seq, &n);
  g_array_set_size (points, n);
  for (unsigned int i = 0; i < n; i++)
    {
      LdCoordPoint *pt = &g_array_index (points, LdCoordPoint, i);

      GEOSCoordSeq_getXY_r (self->geos, seq, i, &pt->x, &pt->y);
    }
}

/* MakeValid may return lines and points beside the polygons: keep the polygons. */
static void
collect_polygons (LdRedline          *self,
                  const GEOSGeometry *geom,
                  GPtrArray          *out)
{
  int type = GEOSGeomTypeId_r (self->geos, geom);

  if (type == GEOS_POLYGON)
    {
      if (!GEOSisEmpty_r (self->geos, geom))
        g_ptr_array_add (out, GEOSGeom_clone_r (self->geos, geom));
    }
  else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION)
    for (int i = 0; i < GEOSGetNumGeometries_r (self->geos, geom); i++)
      collect_polygons (self, GEOSGetGeometryN_r (self->geos, geom, i), out);
}

static GEOSGeometry *
make_multipolygon (LdRedline *self,
                   GPtrArray *polygons)
{
  GEOSGeometry *multi;

  multi = GEOSGeom_createCollection_r (self->geos, GEOS_MULTIPOLYGON,
                                       (GEOSGeometry **) polygons->pdata, polygons->len);
  /* The collection owns the parts now. */
  g_ptr_array_set_size (polygons, 0);
  return multi;
}

/* Reports invalid parcels, and repairs them when asked. */
static gboolean
check_parcels (LdRedline             *self,
               const char            *source,
               LdRedlineImportFlags   flags,
               GError               **error)
{
  for (guint i = 0; i < self->parcels->len; i++)
    {
      LdRedlineParcel *parcel = g_ptr_array_index (self->parcels, i);
      char *reason;
      GEOSGeometry *fixed;
      g_autoptr(GPtrArray) parts = NULL;
      double before, after;

      parcel->valid = GEOSisValid_r (self->geos, parcel->geom) == 1;
      if (parcel->valid)
        continue;
      reason = GEOSisValidReason_r (self->geos, parcel->geom);
      if (!(flags & LD_REDLINE_IMPORT_MAKE_VALID))
        {
          ld_redline_add_warning (self, "%s: parcel %s is not a valid polygon (%s); "
                                  "repair it with MakeValid (landdesk-cli: --make-valid)",
                                  source, parcel->id, reason);
          GEOSFree_r (self->geos, reason);
          continue;
        }
      fixed = GEOSMakeValid_r (self->geos, parcel->geom);
      if (fixed == NULL)
        {
          g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_GEOMETRY,
                       "%s: parcel %s is not a valid polygon (%s) and MakeValid cannot "
                       "repair it", source, parcel->id, reason);
          GEOSFree_r (self->geos, reason);
          return FALSE;
        }
      parts = g_ptr_array_new ();
      collect_polygons (self, fixed, parts);
      GEOSGeom_destroy_r (self->geos, fixed);
      if (parts->len == 0)
        {
          g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_GEOMETRY,
                       "%s: parcel %s is not a valid polygon (%s) and has no area left once "
                       "repaired", source, parcel->id, reason);
          GEOSFree_r (self->geos, reason);
          return FALSE;
        }
      before = ld_redline_get_parcel_area (self, i);
      GEOSGeom_destroy_r (self->geos, parcel->geom);
      parcel->geom = make_multipolygon (self, parts);
      parcel->valid = TRUE;
      after = ld_redline_get_parcel_area (self, i);
      ld_redline_add_warning (self, "%s: parcel %s was not a valid polygon (%s); repaired with "
                              "MakeValid: area %.2f m² -> %.2f m² (%+.2f m²)",
                              source, parcel->id, reason, before, after, after - before);
      GEOSFree_r (self->geos, reason);
    }
  return TRUE;
}

/* A coordinate file under another extension (.dat, none): its section names or a parcel
 * header in the first 4 KiB, in UTF-8 or GBK. */
static gboolean
looks_like_coordfile (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, NULL);
  char buf[4097];
  gssize n;

  if (in == NULL)
    return FALSE;
  n = g_input_stream_read (G_INPUT_STREAM (in), buf, sizeof buf - 1, NULL, NULL);
  if (n <= 0)
    return FALSE;
  buf[n] = '\0';
  return strstr (buf, "[\xE5\x9C\xB0\xE5\x9D\x97\xE5\x9D\x90\xE6\xA0\x87]") != NULL  /* [地块坐标] UTF-8 */
         || strstr (buf, "[\xB5\xD8\xBF\xE9\xD7\xF8\xB1\xEA]") != NULL                  /* [地块坐标] GBK */
         || strstr (buf, ",@\n") != NULL || strstr (buf, ",@\r\n") != NULL;
}

/* GDAL/OGR's side: installed, or else from the module landdesk-gdal. */
static const LdRedlineOgr *
get_ogr (const char  *what,
         GError     **error)
{
  const LdRedlineOgr *ogr = g_atomic_pointer_get (&ogr_impl);
  g_autoptr(GError) local = NULL;
  void (*install) (void);

  if (ogr != NULL)
    return ogr;
  install = ld_module_lookup ("landdesk-gdal", "ld_redline_ogr_install", &local);
  if (install != NULL)
    install ();
  ogr = g_atomic_pointer_get (&ogr_impl);
  if (ogr == NULL)
    g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_FORMAT, "%s needs GDAL: %s", what,
                 local != NULL ? local->message : "the module installed nothing");
  return ogr;
}

static LdRedline *
import_txt (const char  *path,
            GError     **error)
{
  g_autoptr(LdRedline) self = ld_redline_new ();
  g_autoptr(LdCoordfile) file = NULL;
  g_autoptr(GError) local = NULL;
  GPtrArray *warnings;
  int epsg;

  file = ld_coordfile_load (path, &local);
  if (file == NULL)
    {
      g_set_error_literal (error, LD_REDLINE_ERROR,
                           local->code == LD_COORDFILE_ERROR_CRS ? LD_REDLINE_ERROR_CRS
                           : local->code == LD_COORDFILE_ERROR_OPEN ? LD_REDLINE_ERROR_OPEN
                           : LD_REDLINE_ERROR_FORMAT,
                           local->message);
      return NULL;
    }
  warnings = ld_coordfile_get_warnings (file);
  for (guint i = 0; i < warnings->len; i++)
    g_ptr_array_add (self->warnings, g_strdup (g_ptr_array_index (warnings, i)));

  epsg = ld_coordfile_get_epsg (file);
  if (epsg == 0)
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_CRS,
                   "%s: zone %d of the %d-degree zones is not a CGCS2000 Gauss-Krüger zone "
                   "of China", path, ld_coordfile_get_zone (file),
                   ld_coordfile_get_zone_width (file));
      return NULL;
    }

  for (guint i = 0; i < ld_coordfile_get_n_parcels (file); i++)
    {
      LdCoordParcel *cp = ld_coordfile_get_parcel (file, i);
      GEOSGeometry *geom = ld_redline_geometry_from_parcel (self, cp);
      LdRedlineParcel *parcel;

      if (geom == NULL)
        {
          g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_GEOMETRY,
                       "%s:%u: parcel %s: its rings do not make a polygon", path, cp->line,
                       cp->parcel_no);
          return NULL;
        }
      parcel = ld_redline_take_geometry (self, cp->parcel_no, cp->name, geom);
      parcel->sheet = g_strdup (cp->sheet);
      parcel->use = g_strdup (cp->use);
      parcel->class_code = g_strdup (cp->class_code);
    }
  if (epsg != LD_REDLINE_EPSG)
    {
      g_autofree char *what = g_strdup_printf ("%s: moving zone %d into EPSG:4525", path,
                                               ld_coordfile_get_zone (file));
      const LdRedlineOgr *ogr = get_ogr (what, error);

      if (ogr == NULL || !ogr->transform (self, epsg, error))
        return NULL;
    }
  return g_steal_pointer (&self);
}

static void
ld_redline_finalize (GObject *object)
{
  LdRedline *self = LD_REDLINE (object);

  for (guint i = 0; i < self->parcels->len; i++)
    {
      LdRedlineParcel *parcel = g_ptr_array_index (self->parcels, i);

      if (parcel->geom != NULL)
        GEOSGeom_destroy_r (self->geos, parcel->geom);
    }
  g_clear_pointer (&self->parcels, g_ptr_array_unref);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  g_clear_pointer (&self->case_number, g_free);
  g_clear_pointer (&self->case_title, g_free);
  g_clear_pointer (&self->case_use, g_free);
  GEOS_finish_r (self->geos);

  G_OBJECT_CLASS (ld_redline_parent_class)->finalize (object);
}

static void
ld_redline_class_init (LdRedlineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_redline_finalize;
}

static void
ld_redline_init (LdRedline *self)
{
  self->geos = GEOS_init_r ();
  GEOSContext_setNoticeMessageHandler_r (self->geos, geos_message_cb, self);
  GEOSContext_setErrorMessageHandler_r (self->geos, geos_message_cb, self);
  self->parcels = g_ptr_array_new_with_free_func (parcel_free);
  self->warnings = g_ptr_array_new_with_free_func (g_free);
}

/* Private API shared with ld-redline-ogr.c. */

void
ld_redline_set_ogr (const LdRedlineOgr *ogr)
{
  g_atomic_pointer_set (&ogr_impl, ogr);
}

GEOSContextHandle_t
ld_redline_get_geos (LdRedline *self)
{
  return self->geos;
}

/* Takes @geom (a MultiPolygon in EPSG:4525). */
LdRedlineParcel *
ld_redline_take_geometry (LdRedline    *self,
                          const char   *id,
                          const char   *name,
                          GEOSGeometry *geom)
{
  LdRedlineParcel *parcel = g_new0 (LdRedlineParcel, 1);

  parcel->id = g_strdup (id != NULL && *id != '\0' ? id : "");
  if (parcel->id[0] == '\0')
    {
      g_free (parcel->id);
      parcel->id = g_strdup_printf ("%u", self->parcels->len + 1);
    }
  parcel->name = g_strdup (name != NULL ? name : "");
  parcel->geom = geom;
  parcel->valid = TRUE;
  g_ptr_array_add (self->parcels, parcel);
  return parcel;
}

LdRedlineParcel *
ld_redline_get_parcel (LdRedline *self,
                       guint      index)
{
  return g_ptr_array_index (self->parcels, index);
}

void
ld_redline_add_warning (LdRedline  *self,
                        const char *format,
                        ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (self->warnings, g_strdup_vprintf (format, args));
  va_end (args);
}

/* A MultiPolygon from a parcel whose rings are assigned to shells; NULL if GEOS refuses. */
GEOSGeometry *
ld_redline_geometry_from_parcel (LdRedline           *self,
                                 const LdCoordParcel *parcel)
{
  g_autoptr(GPtrArray) polygons = g_ptr_array_new ();

  for (guint r = 0; r < parcel->rings->len; r++)
    {
      const LdCoordRing *ring = g_ptr_array_index (parcel->rings, r);
      g_autoptr(GPtrArray) holes = NULL;
      GEOSGeometry *shell, *polygon;

      if (ring->shell >= 0)
        continue;
      shell = ring_to_geos (self, ring);
      holes = g_ptr_array_new ();
      for (guint h = 0; h < parcel->rings->len && shell != NULL; h++)
        {
          const LdCoordRing *hole = g_ptr_array_index (parcel->rings, h);
          GEOSGeometry *g;

          if (hole->shell != (int) r)
            continue;
          g = ring_to_geos (self, hole);
          if (g != NULL)
            g_ptr_array_add (holes, g);
        }
      if (shell == NULL)
        {
          for (guint h = 0; h < holes->len; h++)
            GEOSGeom_destroy_r (self->geos, g_ptr_array_index (holes, h));
          polygon = NULL;
        }
      else
        polygon = GEOSGeom_createPolygon_r (self->geos, shell, (GEOSGeometry **) holes->pdata,
                                            holes->len);
      if (polygon == NULL)
        {
          for (guint i = 0; i < polygons->len; i++)
            GEOSGeom_destroy_r (self->geos, g_ptr_array_index (polygons, i));
          return NULL;
        }
      g_ptr_array_add (polygons, polygon);
    }
  if (polygons->len == 0)
    return NULL;
  return make_multipolygon (self, polygons);
}

/* Any WKB polygonal geometry as a MultiPolygon; NULL when it has no polygon. */
GEOSGeometry *
ld_redline_geometry_from_wkb (LdRedline    *self,
                              const guchar *wkb,
                              gsize         length)
{
  GEOSGeometry *geom = GEOSGeomFromWKB_buf_r (self->geos, wkb, length);
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();

  if (geom == NULL)
    return NULL;
  collect_polygons (self, geom, parts);
  GEOSGeom_destroy_r (self->geos, geom);
  if (parts->len == 0)
    return NULL;
  return make_multipolygon (self, parts);
}

const char *
ld_redline_get_case_title (LdRedline *self)
{
  return self->case_title;
}

const char *
ld_redline_get_case_use (LdRedline *self)
{
  return self->case_use;
}

/* Public API */

gboolean
ld_redline_format_from_string (const char      *text,
                               LdRedlineFormat *format)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_ascii_strcasecmp (text, formats[i].name) == 0)
      {
        *format = formats[i].format;
        return TRUE;
      }
  return FALSE;
}

const char *
ld_redline_format_to_string (LdRedlineFormat format)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i].format == format)
      return formats[i].name;
  return "auto";
}

/* The format a file name's extension says, or LD_REDLINE_FORMAT_AUTO. */
LdRedlineFormat
ld_redline_format_guess (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    for (guint j = 0; formats[i].extensions[j] != NULL; j++)
      if (g_str_has_suffix (lower, formats[i].extensions[j]))
        return formats[i].format;
  return LD_REDLINE_FORMAT_AUTO;
}

LdRedline *
ld_redline_new (void)
{
  return g_object_new (LD_TYPE_REDLINE, NULL);
}

/**
 * ld_redline_import:
 * @path: a red-line file
 * @format: its format, or LD_REDLINE_FORMAT_AUTO to go by the extension and then by content
 * @flags: LD_REDLINE_IMPORT_MAKE_VALID to repair invalid polygons
 *
 * Reads the parcels of @path into EPSG:4525. Invalid polygons are kept as they are, with a
 * warning, unless @flags asks for a repair.
 */
LdRedline *
ld_redline_import (const char            *path,
                   LdRedlineFormat        format,
                   LdRedlineImportFlags   flags,
                   GError               **error)
{
  g_autoptr(LdRedline) self = NULL;
  g_autofree char *display = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  display = g_filename_display_name (path);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_OPEN, "%s does not exist", display);
      return NULL;
    }
  if (format == LD_REDLINE_FORMAT_AUTO)
    format = ld_redline_format_guess (path);
  if (format == LD_REDLINE_FORMAT_AUTO && looks_like_coordfile (path))
    format = LD_REDLINE_FORMAT_TXT;
  if (format == LD_REDLINE_FORMAT_TXT)
    self = import_txt (path, error);
  else
    {
      g_autofree char *what = g_strdup_printf ("reading %s", display);
      const LdRedlineOgr *ogr = get_ogr (what, error);

      self = ogr != NULL ? ogr->import (path, format, error) : NULL;
    }
  if (self == NULL)
    return NULL;
  if (!check_parcels (self, display, flags, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * ld_redline_load_store:
 * @store: the local store (a GeoPackage)
 * @case_ref: a case's id (UUID) or number (e.g. ZJYS-2025-0012)
 *
 * Reads the case's parcels from the store's case_redlines table and its number, title and
 * project use from cases.
 */
LdRedline *
ld_redline_load_store (const char  *store,
                       const char  *case_ref,
                       GError     **error)
{
  g_autoptr(LdRedline) self = NULL;

  g_return_val_if_fail (store != NULL && case_ref != NULL, NULL);

  self = ld_redline_read_store (store, case_ref, error);
  if (self == NULL || !check_parcels (self, store, LD_REDLINE_IMPORT_DEFAULT, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* Adds a parcel from WKT in EPSG:4525 (a Polygon or MultiPolygon). */
gboolean
ld_redline_add_parcel_wkt (LdRedline   *self,
                           const char  *id,
                           const char  *name,
                           const char  *wkt,
                           GError     **error)
{
  GEOSWKTReader *reader;
  GEOSGeometry *geom;
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();

  g_return_val_if_fail (LD_IS_REDLINE (self), FALSE);

  reader = GEOSWKTReader_create_r (self->geos);
  geom = GEOSWKTReader_read_r (self->geos, reader, wkt);
  GEOSWKTReader_destroy_r (self->geos, reader);
  if (geom != NULL)
    {
      collect_polygons (self, geom, parts);
      GEOSGeom_destroy_r (self->geos, geom);
    }
  if (parts->len == 0)
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_GEOMETRY,
                   "parcel %s: not a polygon in WKT", id);
      return FALSE;
    }
  ld_redline_take_geometry (self, id, name, make_multipolygon (self, parts));
  return TRUE;
}

const char *
ld_redline_get_crs (LdRedline *self)
{
  return "EPSG:4525";
}

GPtrArray *
ld_redline_get_warnings (LdRedline *self)
{
  g_return_val_if_fail (LD_IS_REDLINE (self), NULL);

  return self->warnings;
}

guint
ld_redline_get_n_parcels (LdRedline *self)
{
  g_return_val_if_fail (LD_IS_REDLINE (self), 0);

  return self->parcels->len;
}

const char *
ld_redline_get_parcel_id (LdRedline *self,
                          guint      index)
{
  g_return_val_if_fail (LD_IS_REDLINE (self) && index < self->parcels->len, NULL);

  return ld_redline_get_parcel (self, index)->id;
}

const char *
ld_redline_get_parcel_name (LdRedline *self,
                            guint      index)
{
  g_return_val_if_fail (LD_IS_REDLINE (self) && index < self->parcels->len, NULL);

  return ld_redline_get_parcel (self, index)->name;
}

/* Planar Gauss-Krüger area in m², unrounded. */
double
ld_redline_get_parcel_area (LdRedline *self,
                            guint      index)
{
  double area = 0.0;

  g_return_val_if_fail (LD_IS_REDLINE (self) && index < self->parcels->len, 0.0);

  if (!GEOSArea_r (self->geos, ld_redline_get_parcel (self, index)->geom, &area))
    return 0.0;
  return area;
}

/* Outer rings and holes together. */
guint
ld_redline_get_parcel_n_rings (LdRedline *self,
                               guint      index)
{
  const GEOSGeometry *geom;
  guint n = 0;

  g_return_val_if_fail (LD_IS_REDLINE (self) && index < self->parcels->len, 0);

  geom = ld_redline_get_parcel (self, index)->geom;
  for (int i = 0; i < GEOSGetNumGeometries_r (self->geos, geom); i++)
    n += 1 + GEOSGetNumInteriorRings_r (self->geos, GEOSGetGeometryN_r (self->geos, geom, i));
  return n;
}

gboolean
ld_redline_get_parcel_valid (LdRedline *self,
                             guint      index)
{
  g_return_val_if_fail (LD_IS_REDLINE (self) && index < self->parcels->len, FALSE);

  return ld_redline_get_parcel (self, index)->valid;
}

/* WKT with coordinates to the millimetre. */
char *
ld_redline_dup_parcel_wkt (LdRedline *self,
                           guint      index)
{
  GEOSWKTWriter *writer;
  char *text, *copy;

  g_return_val_if_fail (LD_IS_REDLINE (self) && index < self->parcels->len, NULL);

  writer = GEOSWKTWriter_create_r (self->geos);
  GEOSWKTWriter_setTrim_r (self->geos, writer, 1);
  GEOSWKTWriter_setRoundingPrecision_r (self->geos, writer, 3);
  text = GEOSWKTWriter_write_r (self->geos, writer, ld_redline_get_parcel (self, index)->geom);
  GEOSWKTWriter_destroy_r (self->geos, writer);
  copy = g_strdup (text);
  GEOSFree_r (self->geos, text);
  return copy;
}

/* ISO WKB (little endian), for code with its own GEOS context or for SQLite. */
GBytes *
ld_redline_dup_parcel_wkb (LdRedline *self,
                           guint      index)
{
  unsigned char *wkb;
  size_t size = 0;
  GBytes *bytes;

  g_return_val_if_fail (LD_IS_REDLINE (self) && index < self->parcels->len, NULL);

  wkb = GEOSGeomToWKB_buf_r (self->geos, ld_redline_get_parcel (self, index)->geom, &size);
  bytes = g_bytes_new (wkb, size);
  GEOSFree_r (self->geos, wkb);
  return bytes;
}

/* The sum of the parcels' unrounded areas, m². */
double
ld_redline_get_area (LdRedline *self)
{
  double total = 0.0;

  g_return_val_if_fail (LD_IS_REDLINE (self), 0.0);

  for (guint i = 0; i < self->parcels->len; i++)
    total += ld_redline_get_parcel_area (self, i);
  return total;
}

/* The case data the TXT export writes into parcel headers. */
void
ld_redline_set_case (LdRedline  *self,
                     const char *number,
                     const char *title,
                     const char *project_use)
{
  g_return_if_fail (LD_IS_REDLINE (self));

  g_free (self->case_number);
  g_free (self->case_title);
  g_free (self->case_use);
  self->case_number = g_strdup (number);
  self->case_title = g_strdup (title);
  self->case_use = g_strdup (project_use);
}

static gboolean
export_txt (LdRedline   *self,
            const char  *path,
            const char  *encoding,
            GError     **error)
{
  g_autoptr(LdCoordfile) file = ld_coordfile_new ();
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (LdCoordPoint));
  g_autoptr(GError) local = NULL;

  for (guint i = 0; i < self->parcels->len; i++)
    {
      LdRedlineParcel *parcel = g_ptr_array_index (self->parcels, i);
      const char *name = parcel->name[0] != '\0' ? parcel->name : self->case_title;
      LdCoordParcel *cp = ld_coord_parcel_new (parcel->id, name);

      cp->sheet = g_strdup (parcel->sheet);
      cp->use = g_strdup (parcel->use != NULL ? parcel->use : self->case_use);
      cp->class_code = g_strdup (parcel->class_code);
      for (int k = 0; k < GEOSGetNumGeometries_r (self->geos, parcel->geom); k++)
        {
          const GEOSGeometry *polygon = GEOSGetGeometryN_r (self->geos, parcel->geom, k);
          int shell = cp->rings->len;

          ring_from_geos (self, GEOSGetExteriorRing_r (self->geos, polygon), points);
          ld_coord_parcel_add_ring (cp, (LdCoordPoint *) points->data, points->len);
          for (int h = 0; h < GEOSGetNumInteriorRings_r (self->geos, polygon); h++)
            {
              LdCoordRing *ring;

              ring_from_geos (self, GEOSGetInteriorRingN_r (self->geos, polygon, h), points);
              ring = ld_coord_parcel_add_ring (cp, (LdCoordPoint *) points->data, points->len);
              ring->shell = shell;
            }
        }
      ld_coordfile_add_parcel (file, cp);
    }
  if (!ld_coordfile_save (file, path, encoding, &local))
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_WRITE, "%s: %s", path,
                   local->message);
      return FALSE;
    }
  return TRUE;
}

/**
 * ld_redline_export:
 * @format: txt, shp, gpkg, geojson, kml or dxf; AUTO goes by @path's extension
 * @encoding: (nullable): for txt, "GBK" (the default) or "UTF-8"
 *
 * Writes the parcels to @path, which must not exist.
 */
gboolean
ld_redline_export (LdRedline        *self,
                   const char       *path,
                   LdRedlineFormat   format,
                   const char       *encoding,
                   GError          **error)
{
  g_return_val_if_fail (LD_IS_REDLINE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (format == LD_REDLINE_FORMAT_AUTO)
    format = ld_redline_format_guess (path);
  if (format == LD_REDLINE_FORMAT_AUTO)
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_WRITE,
                   "%s: no format given and the extension names none", path);
      return FALSE;
    }
  if (self->parcels->len == 0)
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_WRITE,
                   "%s: the red line has no parcel to write", path);
      return FALSE;
    }
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_WRITE,
                   "%s already exists", path);
      return FALSE;
    }
  if (format == LD_REDLINE_FORMAT_TXT)
    return export_txt (self, path, encoding, error);
  {
    g_autofree char *what = g_strdup_printf ("writing %s", path);
    const LdRedlineOgr *ogr = get_ogr (what, error);

    return ogr != NULL && ogr->export (self, path, format, error);
  }
}
