/* ld-server-ogc.c: OGC API - Features Part 1 (read) and Part 2 (CRS) under /ogc
 *
 * The collections are the map layers of DIR/layers.gpkg (the demo's GeoPackage, copied at
 * --init-demo), read through GDAL with their R-tree indexes: xz_dltb, gh_ydyh, sx_*. Case red
 * lines are case data, restricted by assignment, and travel in the change feed instead.
 * Output is GeoJSON in CRS84 (longitude, latitude) unless `crs` asks for EPSG:4525, the
 * storage CRS. Any signed-in user may read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "ld-core.h"
#include "ld-server-gdal.h"
#include "ld-server-log.h"
#include "ld-server-private.h"

#define CRS84        "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
#define EPSG_4525    "http://www.opengis.net/def/crs/EPSG/0/4525"
#define GEOJSON      "application/geo+json"
#define DEFAULT_LIMIT 10
#define MAX_LIMIT     1000

typedef struct
{
  GDALDatasetH          ds;
  OGRSpatialReferenceH  wgs84;
  OGRSpatialReferenceH  gk37;
} LdServerOgc;

void
ld_server_ogc_free (gpointer data)
{
  LdServerOgc *ogc = data;

  if (ogc->ds != NULL)
    GDALClose (ogc->ds);
  OSRDestroySpatialReference (ogc->wgs84);
  OSRDestroySpatialReference (ogc->gk37);
  g_free (ogc);
}

static LdServerOgc *
get_ogc (LdServer *self)
{
  LdServerOgc *ogc = self->ogc;

  if (ogc == NULL)
    {
      ogc = g_new0 (LdServerOgc, 1);
      ogc->wgs84 = OSRNewSpatialReference (NULL);
      OSRSetWellKnownGeogCS (ogc->wgs84, "WGS84");
      OSRSetAxisMappingStrategy (ogc->wgs84, OAMS_TRADITIONAL_GIS_ORDER);
      ogc->gk37 = OSRNewSpatialReference (NULL);
      OSRImportFromEPSG (ogc->gk37, 4525);
      OSRSetAxisMappingStrategy (ogc->gk37, OAMS_TRADITIONAL_GIS_ORDER);
      self->ogc = ogc;
    }
  if (ogc->ds == NULL && g_file_test (self->layers_path, G_FILE_TEST_IS_REGULAR))
    {
      const char *drivers[] = { "GPKG", NULL };

      ogc->ds = GDALOpenEx (self->layers_path, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, NULL,
                            NULL);
      if (ogc->ds == NULL)
        ld_server_log ("ogc: cannot open %s: %s", self->layers_path, CPLGetLastErrorMsg ());
    }
  return ogc;
}

static gboolean
is_collection (OGRLayerH layer)
{
  return layer != NULL && OGR_L_GetGeomType (layer) != wkbNone
         && !g_str_equal (OGR_L_GetName (layer), "case_redlines");
}

static OGRLayerH
find_collection (LdServerOgc *ogc,
                 const char  *id)
{
  OGRLayerH layer = ogc->ds ? GDALDatasetGetLayerByName (ogc->ds, id) : NULL;

  return is_collection (layer) ? layer : NULL;
}

static char *
base_url (SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  int port = g_uri_get_port (uri);

  if (port > 0)
    return g_strdup_printf ("%s://%s:%d/ogc", g_uri_get_scheme (uri), g_uri_get_host (uri), port);
  return g_strdup_printf ("%s://%s/ogc", g_uri_get_scheme (uri), g_uri_get_host (uri));
}

static void
add_link (JsonBuilder *b,
          const char  *href,
          const char  *rel,
          const char  *type,
          const char  *title)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "href");
  json_builder_add_string_value (b, href);
  json_builder_set_member_name (b, "rel");
  json_builder_add_string_value (b, rel);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  if (title != NULL)
    {
      json_builder_set_member_name (b, "title");
      json_builder_add_string_value (b, title);
    }
  json_builder_end_object (b);
}

static void
handle_landing (LdServer          *self,
                SoupServerMessage *msg,
                const char        *base)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *api = g_strconcat (base, "/api", NULL);
  g_autofree char *conf = g_strconcat (base, "/conformance", NULL);
  g_autofree char *data = g_strconcat (base, "/collections", NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, "LandDesk layers");
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, "Current land use, planned land use and the three zones and"
                                    " three lines, as OGC API - Features");
  json_builder_set_member_name (b, "links");
  json_builder_begin_array (b);
  add_link (b, base, "self", "application/json", "This document");
  add_link (b, api, "service-desc", "application/vnd.oai.openapi+json;version=3.0",
            "The API definition");
  add_link (b, conf, "conformance", "application/json", "Conformance classes");
  add_link (b, data, "data", "application/json", "The collections");
  json_builder_end_array (b);
  json_builder_end_object (b);
  ld_server_send_json (msg, SOUP_STATUS_OK, b);
}

static void
handle_conformance (SoupServerMessage *msg)
{
  static const char * const classes[] = {
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
  };
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "conformsTo");
  json_builder_begin_array (b);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    json_builder_add_string_value (b, classes[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  ld_server_send_json (msg, SOUP_STATUS_OK, b);
}

static void
handle_api (SoupServerMessage *msg,
            const char        *base)
{
  /* A minimal OpenAPI 3.0 document: the paths, enough for clients that read it. */
  g_autofree char *text = g_strdup_printf (
      "{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"LandDesk OGC API - Features\","
      "\"version\":\"%s\"},\"servers\":[{\"url\":\"%s\"}],\"paths\":{"
      "\"/\":{\"get\":{\"summary\":\"Landing page\",\"responses\":{\"200\":{\"description\":\"OK\"}}}},"
      "\"/conformance\":{\"get\":{\"summary\":\"Conformance\",\"responses\":{\"200\":{\"description\":\"OK\"}}}},"
      "\"/collections\":{\"get\":{\"summary\":\"Collections\",\"responses\":{\"200\":{\"description\":\"OK\"}}}},"
      "\"/collections/{collectionId}\":{\"get\":{\"summary\":\"A collection\",\"parameters\":"
      "[{\"name\":\"collectionId\",\"in\":\"path\",\"required\":true,\"schema\":{\"type\":\"string\"}}],"
      "\"responses\":{\"200\":{\"description\":\"OK\"}}}},"
      "\"/collections/{collectionId}/items\":{\"get\":{\"summary\":\"Features\",\"parameters\":["
      "{\"name\":\"collectionId\",\"in\":\"path\",\"required\":true,\"schema\":{\"type\":\"string\"}},"
      "{\"name\":\"limit\",\"in\":\"query\",\"schema\":{\"type\":\"integer\",\"minimum\":1,"
      "\"maximum\":%d,\"default\":%d}},"
      "{\"name\":\"offset\",\"in\":\"query\",\"schema\":{\"type\":\"integer\",\"minimum\":0}},"
      "{\"name\":\"bbox\",\"in\":\"query\",\"style\":\"form\",\"explode\":false,\"schema\":"
      "{\"type\":\"array\",\"items\":{\"type\":\"number\"},\"minItems\":4,\"maxItems\":4}},"
      "{\"name\":\"crs\",\"in\":\"query\",\"schema\":{\"type\":\"string\",\"enum\":[\"" CRS84
      "\",\"" EPSG_4525 "\"]}}],"
      "\"responses\":{\"200\":{\"description\":\"GeoJSON\",\"content\":{\"" GEOJSON "\":{}}}}}}}}",
      ld_version_string (), base, MAX_LIMIT, DEFAULT_LIMIT);

  ld_server_send_json_text (msg, SOUP_STATUS_OK, "application/vnd.oai.openapi+json;version=3.0",
                            g_steal_pointer (&text));
}

static void
add_collection (JsonBuilder *b,
                LdServerOgc *ogc,
                OGRLayerH    layer,
                const char  *base)
{
  const char *id = OGR_L_GetName (layer);
  g_autofree char *self_href = g_strdup_printf ("%s/collections/%s", base, id);
  g_autofree char *items = g_strdup_printf ("%s/collections/%s/items", base, id);
  OGREnvelope env;
  gboolean have_extent = OGR_L_GetExtent (layer, &env, TRUE) == OGRERR_NONE;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "itemType");
  json_builder_add_string_value (b, "feature");
  json_builder_set_member_name (b, "links");
  json_builder_begin_array (b);
  add_link (b, self_href, "self", "application/json", NULL);
  add_link (b, items, "items", GEOJSON, "The features");
  json_builder_end_array (b);
  if (have_extent && OGR_L_GetSpatialRef (layer) != NULL)
    {
      OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation (
          OGR_L_GetSpatialRef (layer), ogc->wgs84);
      double minx, miny, maxx, maxy;

      if (ct != NULL && OCTTransformBounds (ct, env.MinX, env.MinY, env.MaxX, env.MaxY,
                                            &minx, &miny, &maxx, &maxy, 21))
        {
          json_builder_set_member_name (b, "extent");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "spatial");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "bbox");
          json_builder_begin_array (b);
          json_builder_begin_array (b);
          json_builder_add_double_value (b, minx);
          json_builder_add_double_value (b, miny);
          json_builder_add_double_value (b, maxx);
          json_builder_add_double_value (b, maxy);
          json_builder_end_array (b);
          json_builder_end_array (b);
          json_builder_set_member_name (b, "crs");
          json_builder_add_string_value (b, CRS84);
          json_builder_end_object (b);
          json_builder_end_object (b);
        }
      if (ct != NULL)
        OCTDestroyCoordinateTransformation (ct);
    }
  json_builder_set_member_name (b, "crs");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, CRS84);
  json_builder_add_string_value (b, EPSG_4525);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "storageCrs");
  json_builder_add_string_value (b, EPSG_4525);
  json_builder_end_object (b);
}

static void
handle_collections (LdServerOgc       *ogc,
                    SoupServerMessage *msg,
                    const char        *base)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *self_href = g_strconcat (base, "/collections", NULL);
  int n = ogc->ds ? GDALDatasetGetLayerCount (ogc->ds) : 0;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "links");
  json_builder_begin_array (b);
  add_link (b, self_href, "self", "application/json", NULL);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "collections");
  json_builder_begin_array (b);
  for (int i = 0; i < n; i++)
    {
      OGRLayerH layer = GDALDatasetGetLayer (ogc->ds, i);

      if (is_collection (layer))
        add_collection (b, ogc, layer, base);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  ld_server_send_json (msg, SOUP_STATUS_OK, b);
}

static gboolean
parse_uint (SoupServerMessage *msg,
            GHashTable        *query,
            const char        *name,
            guint64            min,
            guint64            max,
            guint64            fallback,
            guint64           *out)
{
  const char *text = query ? g_hash_table_lookup (query, name) : NULL;

  *out = fallback;
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, min, max, out, NULL))
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                            "Parameter %s='%s' must be a whole number from %" G_GUINT64_FORMAT
                            " to %" G_GUINT64_FORMAT, name, text, min, max);
      return FALSE;
    }
  return TRUE;
}

static void
add_property (JsonBuilder  *b,
              OGRFeatureH   f,
              OGRFieldDefnH fd,
              int           i)
{
  json_builder_set_member_name (b, OGR_Fld_GetNameRef (fd));
  if (!OGR_F_IsFieldSetAndNotNull (f, i))
    json_builder_add_null_value (b);
  else if (OGR_Fld_GetType (fd) == OFTInteger || OGR_Fld_GetType (fd) == OFTInteger64)
    json_builder_add_int_value (b, OGR_F_GetFieldAsInteger64 (f, i));
  else if (OGR_Fld_GetType (fd) == OFTReal)
    json_builder_add_double_value (b, OGR_F_GetFieldAsDouble (f, i));
  else
    json_builder_add_string_value (b, OGR_F_GetFieldAsString (f, i));
}

static void
handle_items (LdServer          *self,
              LdServerOgc       *ogc,
              SoupServerMessage *msg,
              GHashTable        *query,
              OGRLayerH          layer,
              const char        *base)
{
  const char *crs = query ? g_hash_table_lookup (query, "crs") : NULL;
  const char *bbox = query ? g_hash_table_lookup (query, "bbox") : NULL;
  const char *bbox_crs = query ? g_hash_table_lookup (query, "bbox-crs") : NULL;
  const char *id = OGR_L_GetName (layer);
  OGRSpatialReferenceH src = OGR_L_GetSpatialRef (layer);
  OGRSpatialReferenceH out_srs;
  OGRCoordinateTransformationH ct = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) self_href = NULL;
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn (layer);
  guint64 limit, offset;
  GIntBig matched;
  guint returned = 0;
  OGRFeatureH f;
  char **json_options = NULL;
  gboolean out_4525;

  if (!parse_uint (msg, query, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT, &limit)
      || !parse_uint (msg, query, "offset", 0, G_MAXINT32, 0, &offset))
    return;
  if (crs != NULL && !g_str_equal (crs, CRS84) && !g_str_equal (crs, EPSG_4525))
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                            "crs '%s' is not offered: use " CRS84 " or " EPSG_4525, crs);
      return;
    }
  if (bbox_crs != NULL && !g_str_equal (bbox_crs, CRS84) && !g_str_equal (bbox_crs, EPSG_4525))
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                            "bbox-crs '%s' is not offered: use " CRS84 " or " EPSG_4525, bbox_crs);
      return;
    }
  out_4525 = crs != NULL && g_str_equal (crs, EPSG_4525);
  out_srs = out_4525 ? ogc->gk37 : ogc->wgs84;

  OGR_L_SetSpatialFilter (layer, NULL);
  if (bbox != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (bbox, ",", -1);
      double v[4];
      char *end;

      if (g_strv_length (parts) != 4)
        {
          ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                                "bbox '%s' must be minx,miny,maxx,maxy", bbox);
          return;
        }
      for (int i = 0; i < 4; i++)
        {
          v[i] = g_ascii_strtod (parts[i], &end);
          if (end == parts[i] || *end != '\0' || !isfinite (v[i]))
            {
              ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                                    "bbox '%s': '%s' is not a number", bbox, parts[i]);
              return;
            }
        }
      if (v[0] > v[2] || v[1] > v[3])
        {
          ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                                "bbox '%s': min must not exceed max", bbox);
          return;
        }
      if (src != NULL)
        {
          OGRSpatialReferenceH bsrs = bbox_crs && g_str_equal (bbox_crs, EPSG_4525) ? ogc->gk37
                                                                                     : ogc->wgs84;
          OGRCoordinateTransformationH bct = OCTNewCoordinateTransformation (bsrs, src);
          double minx, miny, maxx, maxy;

          if (bct == NULL || !OCTTransformBounds (bct, v[0], v[1], v[2], v[3], &minx, &miny,
                                                  &maxx, &maxy, 21))
            {
              if (bct)
                OCTDestroyCoordinateTransformation (bct);
              ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                                    "bbox '%s' cannot be transformed to the layer's CRS", bbox);
              return;
            }
          OCTDestroyCoordinateTransformation (bct);
          OGR_L_SetSpatialFilterRect (layer, minx, miny, maxx, maxy);
        }
    }
  if (src != NULL && !OSRIsSame (src, out_srs))
    ct = OCTNewCoordinateTransformation (src, out_srs);
  json_options = CSLAddString (json_options, out_4525 ? "COORDINATE_PRECISION=3"
                                                      : "COORDINATE_PRECISION=8");

  matched = OGR_L_GetFeatureCount (layer, TRUE);
  OGR_L_ResetReading (layer);
  if (offset > 0)
    OGR_L_SetNextByIndex (layer, (GIntBig) offset);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "FeatureCollection");
  json_builder_set_member_name (b, "features");
  json_builder_begin_array (b);
  while (returned < limit && (gint64) offset + returned < matched
         && (f = OGR_L_GetNextFeature (layer)) != NULL)
    {
      OGRGeometryH geom = OGR_F_GetGeometryRef (f);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "Feature");
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, OGR_F_GetFID (f));
      json_builder_set_member_name (b, "geometry");
      if (geom != NULL && (ct == NULL || OGR_G_Transform (geom, ct) == OGRERR_NONE))
        {
          char *text = OGR_G_ExportToJsonEx (geom, json_options);

          if (text != NULL && json_parser_load_from_data (parser, text, -1, NULL))
            json_builder_add_value (b, json_node_copy (json_parser_get_root (parser)));
          else
            json_builder_add_null_value (b);
          CPLFree (text);
        }
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "properties");
      json_builder_begin_object (b);
      for (int i = 0; i < OGR_FD_GetFieldCount (defn); i++)
        add_property (b, f, OGR_FD_GetFieldDefn (defn, i), i);
      json_builder_end_object (b);
      json_builder_end_object (b);
      OGR_F_Destroy (f);
      returned++;
    }
  json_builder_end_array (b);
  CSLDestroy (json_options);
  if (ct != NULL)
    OCTDestroyCoordinateTransformation (ct);
  OGR_L_SetSpatialFilter (layer, NULL);

  json_builder_set_member_name (b, "numberMatched");
  json_builder_add_int_value (b, matched);
  json_builder_set_member_name (b, "numberReturned");
  json_builder_add_int_value (b, returned);
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");

    json_builder_set_member_name (b, "timeStamp");
    json_builder_add_string_value (b, stamp);
  }
  json_builder_set_member_name (b, "links");
  json_builder_begin_array (b);
  self_href = g_string_new (NULL);
  g_string_printf (self_href, "%s/collections/%s/items?limit=%" G_GUINT64_FORMAT, base, id, limit);
  if (bbox != NULL)
    {
      g_autofree char *esc = g_uri_escape_string (bbox, ",.-", FALSE);

      g_string_append_printf (self_href, "&bbox=%s", esc);
    }
  if (bbox_crs != NULL)
    g_string_append_printf (self_href, "&bbox-crs=%s",
                            g_str_equal (bbox_crs, CRS84) ? CRS84 : EPSG_4525);
  if (crs != NULL)
    g_string_append_printf (self_href, "&crs=%s", out_4525 ? EPSG_4525 : CRS84);
  {
    g_autofree char *self_link = g_strdup_printf ("%s&offset=%" G_GUINT64_FORMAT, self_href->str,
                                                  offset);

    add_link (b, self_link, "self", GEOJSON, NULL);
  }
  if ((gint64) (offset + returned) < matched)
    {
      g_autofree char *next = g_strdup_printf ("%s&offset=%" G_GUINT64_FORMAT, self_href->str,
                                               offset + returned);

      add_link (b, next, "next", GEOJSON, "The next page");
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  {
    g_autoptr(JsonNode) root = json_builder_get_root (b);
    g_autofree char *content_crs = g_strdup_printf ("<%s>", out_4525 ? EPSG_4525 : CRS84);

    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Content-Crs",
                                  content_crs);
    ld_server_send_json_text (msg, SOUP_STATUS_OK, GEOJSON, json_to_string (root, FALSE));
  }
}

static void
handle_ogc (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  LdServer *self = user_data;
  g_autoptr(LdServerUser) user = ld_server_authenticate (self, msg);
  g_autofree char *base = NULL;
  LdServerOgc *ogc;
  const char *rest;

  if (user == NULL)
    return;
  if (!ld_server_method_is (msg, SOUP_METHOD_GET) && !ld_server_method_is (msg, SOUP_METHOD_HEAD))
    {
      ld_server_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "%s answers GET only", path);
      return;
    }
  base = base_url (msg);
  ogc = get_ogc (self);
  rest = path + strlen ("/ogc");
  if (*rest == '\0' || g_str_equal (rest, "/"))
    handle_landing (self, msg, base);
  else if (g_str_equal (rest, "/conformance"))
    handle_conformance (msg);
  else if (g_str_equal (rest, "/api"))
    handle_api (msg, base);
  else if (g_str_equal (rest, "/collections") || g_str_equal (rest, "/collections/"))
    handle_collections (ogc, msg, base);
  else if (g_str_has_prefix (rest, "/collections/"))
    {
      g_auto(GStrv) parts = g_strsplit (rest + strlen ("/collections/"), "/", -1);
      guint n = g_strv_length (parts);
      OGRLayerH layer = n > 0 ? find_collection (ogc, parts[0]) : NULL;

      if (layer == NULL)
        ld_server_send_error (msg, SOUP_STATUS_NOT_FOUND, "No collection '%s'",
                              n > 0 ? parts[0] : "");
      else if (n == 1)
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();

          add_collection (b, ogc, layer, base);
          ld_server_send_json (msg, SOUP_STATUS_OK, b);
        }
      else if (n == 2 && g_str_equal (parts[1], "items"))
        handle_items (self, ogc, msg, query, layer, base);
      else
        ld_server_send_error (msg, SOUP_STATUS_NOT_FOUND, "No resource at %s", path);
    }
  else
    ld_server_send_error (msg, SOUP_STATUS_NOT_FOUND, "No resource at %s", path);
}

void
ld_server_ogc_register (LdServer *self)
{
  static gsize registered = 0;

  /* Once, before any worker thread opens a dataset. */
  if (g_once_init_enter (&registered))
    {
      GDALAllRegister ();
      g_once_init_leave (&registered, 1);
    }
  ld_server_route (self, "/ogc", handle_ogc);
}
