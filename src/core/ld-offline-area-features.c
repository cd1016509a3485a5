/* ld-offline-area-features.c: an offline area's features into the store
 *
 * Creates the layer tables the store lacks (GeoPackage tables with their R-tree), clips each
 * feature to the area with GEOS and replaces what the store holds inside the area, keyed by fid;
 * see ld-offline-area.c for the rules.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ld-gpkg-geom.h"
#include "ld-offline-area-private.h"

static gboolean
safe_identifier (const char *name)
{
  if (name == NULL || *name == '\0' || strlen (name) > 63)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

/* A column type as SQLite and GDAL write it: TEXT, REAL, TEXT(254), NUMERIC(10,2). */
static gboolean
safe_type (const char *type)
{
  if (type == NULL || *type == '\0' || strlen (type) > 40 || !g_ascii_isalpha (*type))
    return FALSE;
  for (const char *p = type; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr ("_(), ", *p))
      return FALSE;
  return TRUE;
}

/* The polygonal part of @g as a MultiPolygon (taken), or NULL when nothing is left. */
GEOSGeometry *
ld_offline_area_polygonal (GEOSContextHandle_t  geos,
                           GEOSGeometry        *g)
{
  GPtrArray *parts = g_ptr_array_new ();
  GEOSGeometry *out = NULL;

  if (g == NULL)
    return NULL;
  for (int i = 0; i < GEOSGetNumGeometries_r (geos, g); i++)
    {
      const GEOSGeometry *part = GEOSGetGeometryN_r (geos, g, i);
      int type = GEOSGeomTypeId_r (geos, part);

      if (type == GEOS_POLYGON && !GEOSisEmpty_r (geos, part))
        g_ptr_array_add (parts, GEOSGeom_clone_r (geos, part));
      else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION)
        {
          GEOSGeometry *sub = ld_offline_area_polygonal (geos, GEOSGeom_clone_r (geos, part));

          for (int k = 0; sub != NULL && k < GEOSGetNumGeometries_r (geos, sub); k++)
            g_ptr_array_add (parts, GEOSGeom_clone_r (geos, GEOSGetGeometryN_r (geos, sub, k)));
          if (sub != NULL)
            GEOSGeom_destroy_r (geos, sub);
        }
    }
  GEOSGeom_destroy_r (geos, g);
  if (parts->len > 0)
    out = GEOSGeom_createCollection_r (geos, GEOS_MULTIPOLYGON, (GEOSGeometry **) parts->pdata,
                                       parts->len);
  g_ptr_array_free (parts, TRUE);
  return out;
}

static GBytes *
gpkg_blob (GEOSContextHandle_t  geos,
           const GEOSGeometry  *g)
{
  GEOSWKBWriter *writer = GEOSWKBWriter_create_r (geos);
  guint8 header[8] = { 'G', 'P', 0, 0x01 };   /* little-endian, no envelope */
  guint32 srs = GUINT32_TO_LE (4525);
  GByteArray *blob = g_byte_array_new ();
  unsigned char *wkb;
  size_t len = 0;

  GEOSWKBWriter_setByteOrder_r (geos, writer, GEOS_WKB_NDR);
  GEOSWKBWriter_setOutputDimension_r (geos, writer, 2);
  wkb = GEOSWKBWriter_write_r (geos, writer, g, &len);
  memcpy (header + 4, &srs, 4);
  g_byte_array_append (blob, header, sizeof header);
  g_byte_array_append (blob, wkb, (guint) len);
  GEOSFree_r (geos, wkb);
  GEOSWKBWriter_destroy_r (geos, writer);
  return g_byte_array_free_to_bytes (blob);
}

gboolean
ld_offline_area_store_error (LdStore     *store,
                             GError     **error,
                             GError      *local)
{
  g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_STORE, "%s",
               local ? local->message : sqlite3_errmsg (store->db));
  g_clear_error (&local);
  return FALSE;
}

gboolean
ld_offline_area_table_exists (LdStore    *store,
                              const char *name)
{
  g_auto(sqlite3_stmt_ptr) stmt = ld_store_prepare (store, "SELECT 1 FROM sqlite_master WHERE"
                                                           " type = 'table' AND name = ?", NULL);

  if (stmt == NULL)
    return FALSE;
  ld_store_bind_text (stmt, 1, name);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

/* A layer table as GDAL would make it: GeoPackage metadata, R-tree and its triggers. */
gboolean
ld_offline_area_create_layer_table (LdStore    *store,
                                    LayerInfo  *info,
                                    GError    **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  const char *t = info->name;

  g_string_printf (sql, "CREATE TABLE \"%s\" (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
                        " geom MULTIPOLYGON", t);
  for (guint i = 0; info->fields && i < json_array_get_length (info->fields); i++)
    {
      JsonObject *f = json_array_get_object_element (info->fields, i);
      const char *name = json_object_get_string_member_with_default (f, "name", NULL);
      const char *type = json_object_get_string_member_with_default (f, "type", "TEXT");

      if (!safe_identifier (name) || !safe_type (type))
        {
          g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_PROTOCOL,
                       "layer %s: the server sent an unusable field name or type", t);
          return FALSE;
        }
      g_string_append_printf (sql, ", \"%s\" %s", name, type);
    }
  g_string_append (sql, ");");
  g_string_append_printf (sql,
    "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id)"
    " VALUES ('%s', 'features', '%s', 4525);"
    "INSERT INTO gpkg_geometry_columns VALUES ('%s', 'geom', 'MULTIPOLYGON', 4525, 0, 0);"
    "CREATE VIRTUAL TABLE rtree_%s_geom USING rtree(id, minx, maxx, miny, maxy);"
    "INSERT INTO gpkg_extensions VALUES ('%s', 'geom', 'gpkg_rtree_index',"
    " 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');",
    t, t, t, t, t);
  g_string_append_printf (sql,
    "CREATE TRIGGER rtree_%s_geom_insert AFTER INSERT ON \"%s\""
    " WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom)) BEGIN"
    " INSERT OR REPLACE INTO rtree_%s_geom VALUES (NEW.fid, ST_MinX(NEW.geom),"
    " ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;"
    "CREATE TRIGGER rtree_%s_geom_update1 AFTER UPDATE OF geom ON \"%s\""
    " WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom)) BEGIN"
    " INSERT OR REPLACE INTO rtree_%s_geom VALUES (NEW.fid, ST_MinX(NEW.geom),"
    " ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;"
    "CREATE TRIGGER rtree_%s_geom_update2 AFTER UPDATE OF geom ON \"%s\""
    " WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom)) BEGIN"
    " DELETE FROM rtree_%s_geom WHERE id = OLD.fid; END;"
    "CREATE TRIGGER rtree_%s_geom_delete AFTER DELETE ON \"%s\""
    " WHEN old.geom NOT NULL BEGIN"
    " DELETE FROM rtree_%s_geom WHERE id = OLD.fid; END;",
    t, t, t, t, t, t, t, t, t, t, t, t);
  if (!ld_store_exec (store, sql->str, error))
    return FALSE;
  return TRUE;
}

/* Local columns of a layer (without fid and geom). */
static GPtrArray *
local_columns (LdStore    *store,
               const char *layer)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA table_info(\"%s\")", layer);
  g_auto(sqlite3_stmt_ptr) stmt = ld_store_prepare (store, sql, NULL);
  GPtrArray *cols = g_ptr_array_new_with_free_func (g_free);

  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 1);

      if (!g_str_equal (name, "fid") && !g_str_equal (name, "geom") && safe_identifier (name))
        g_ptr_array_add (cols, g_strdup (name));
    }
  return cols;
}

void
ld_offline_area_layer_writer_clear (LayerWriter *w)
{
  g_clear_pointer (&w->columns, g_ptr_array_unref);
  g_clear_pointer (&w->select, sqlite3_finalize);
  g_clear_pointer (&w->update, sqlite3_finalize);
  g_clear_pointer (&w->insert, sqlite3_finalize);
}

gboolean
ld_offline_area_layer_writer_init (LayerWriter  *w,
                                   LdStore      *store,
                                   const char   *layer,
                                   GError      **error)
{
  g_autoptr(GString) update = g_string_new (NULL);
  g_autoptr(GString) insert = g_string_new (NULL);
  g_autofree char *select = g_strdup_printf ("SELECT geom FROM \"%s\" WHERE fid = ?", layer);

  w->columns = local_columns (store, layer);
  g_string_printf (update, "UPDATE \"%s\" SET geom = ?2", layer);
  g_string_printf (insert, "INSERT INTO \"%s\" (fid, geom", layer);
  for (guint i = 0; i < w->columns->len; i++)
    {
      g_string_append_printf (update, ", \"%s\" = ?%u", (char *) w->columns->pdata[i], i + 3);
      g_string_append_printf (insert, ", \"%s\"", (char *) w->columns->pdata[i]);
    }
  g_string_append (update, " WHERE fid = ?1");
  g_string_append (insert, ") VALUES (?1, ?2");
  for (guint i = 0; i < w->columns->len; i++)
    g_string_append_printf (insert, ", ?%u", i + 3);
  g_string_append (insert, ")");
  w->select = ld_store_prepare (store, select, error);
  w->update = w->select ? ld_store_prepare (store, update->str, error) : NULL;
  w->insert = w->update ? ld_store_prepare (store, insert->str, error) : NULL;
  return w->insert != NULL;
}

/* What the store already holds of feature @fid, as GEOS, or NULL. */
static GEOSGeometry *
stored_geometry (LdOfflineArea *self,
                 LayerWriter   *w,
                 gint64         fid)
{
  GEOSGeometry *g = NULL;

  sqlite3_reset (w->select);
  sqlite3_bind_int64 (w->select, 1, fid);
  if (sqlite3_step (w->select) == SQLITE_ROW && sqlite3_column_type (w->select, 0) == SQLITE_BLOB)
    {
      LdGpkgHeader header;
      const guint8 *blob = sqlite3_column_blob (w->select, 0);
      gsize len = (gsize) sqlite3_column_bytes (w->select, 0);

      if (ld_gpkg_geom_parse_header (blob, len, &header, NULL) && !header.empty)
        g = GEOSGeomFromWKB_buf_r (self->geos, header.wkb, header.wkb_length);
    }
  sqlite3_reset (w->select);
  return g;
}

static void
bind_value (sqlite3_stmt *stmt,
            int           index,
            JsonNode     *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node) || !JSON_NODE_HOLDS_VALUE (node))
    sqlite3_bind_null (stmt, index);
  else if (json_node_get_value_type (node) == G_TYPE_INT64)
    sqlite3_bind_int64 (stmt, index, json_node_get_int (node));
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    sqlite3_bind_double (stmt, index, json_node_get_double (node));
  else if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    sqlite3_bind_int (stmt, index, json_node_get_boolean (node));
  else
    sqlite3_bind_text (stmt, index, json_node_get_string (node), -1, SQLITE_TRANSIENT);
}

/* Clips one feature to the area and writes it (united with what the store holds of it).
 * Returns FALSE on a store error; *@kept says whether anything of it lies in the area. */
gboolean
ld_offline_area_write_feature (LdOfflineArea  *self,
                               LdStore        *store,
                               LayerWriter    *w,
                               JsonObject     *feature,
                               gboolean       *kept,
                               GError        **error)
{
  const char *text = json_object_get_string_member_with_default (feature, "wkb", NULL);
  gint64 fid = json_object_get_int_member_with_default (feature, "id", -1);
  JsonObject *props = json_object_get_object_member (feature, "properties");
  g_autofree guchar *wkb = NULL;
  gsize len = 0;
  GEOSGeometry *g, *clipped, *old;
  g_autoptr(GBytes) blob = NULL;
  sqlite3_stmt *stmts[2] = { w->update, w->insert };

  *kept = FALSE;
  if (text == NULL || fid < 0)
    return TRUE;   /* a feature without geometry has nothing in the area */
  wkb = g_base64_decode (text, &len);
  g = GEOSGeomFromWKB_buf_r (self->geos, wkb, len);
  if (g == NULL)
    {
      g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_PROTOCOL,
                   "feature %" G_GINT64_FORMAT ": the server sent a geometry GEOS cannot read", fid);
      return FALSE;
    }
  if (GEOSPreparedCovers_r (self->geos, self->prepared, g) == 1)
    clipped = ld_offline_area_polygonal (self->geos, g);
  else if (GEOSPreparedIntersects_r (self->geos, self->prepared, g) == 1)
    {
      clipped = ld_offline_area_polygonal (self->geos,
                                           GEOSIntersection_r (self->geos, self->area, g));
      GEOSGeom_destroy_r (self->geos, g);
    }
  else
    {
      GEOSGeom_destroy_r (self->geos, g);
      return TRUE;
    }
  if (clipped == NULL)
    return TRUE;
  old = stored_geometry (self, w, fid);
  if (old != NULL)
    {
      /* Replace inside the area, keep outside: (stored - area) + (server's * area). */
      GEOSGeometry *rest =
        ld_offline_area_polygonal (self->geos, GEOSDifference_r (self->geos, old, self->area));

      GEOSGeom_destroy_r (self->geos, old);
      if (rest != NULL)
        {
          GEOSGeometry *merged =
            ld_offline_area_polygonal (self->geos, GEOSUnion_r (self->geos, rest, clipped));

          GEOSGeom_destroy_r (self->geos, rest);
          if (merged != NULL)
            {
              GEOSGeom_destroy_r (self->geos, clipped);
              clipped = merged;
            }
        }
    }
  blob = gpkg_blob (self->geos, clipped);
  GEOSGeom_destroy_r (self->geos, clipped);
  *kept = TRUE;

  /* UPDATE first, INSERT when the row is new: the R-tree triggers fire either way. */
  for (int s = 0; s < 2; s++)
    {
      sqlite3_stmt *stmt = stmts[s];

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, fid);
      sqlite3_bind_blob (stmt, 2, g_bytes_get_data (blob, NULL), (int) g_bytes_get_size (blob),
                         SQLITE_STATIC);
      for (guint i = 0; i < w->columns->len; i++)
        bind_value (stmt, (int) i + 3,
                    props ? json_object_get_member (props, w->columns->pdata[i]) : NULL);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          sqlite3_reset (stmt);
          return ld_store_fail (store, error, "cannot write a downloaded feature");
        }
      sqlite3_reset (stmt);
      if (s == 0 && sqlite3_changes (store->db) > 0)
        break;
    }
  return TRUE;
}

/* Stored features of @layer in the area that the server did not send this job: deleted there.
 * Their part inside the area goes; a row with nothing left goes. */
gboolean
ld_offline_area_remove_vanished (LdOfflineArea  *self,
                                 LdStore        *store,
                                 const char     *layer,
                                 GError        **error)
{
  g_autofree char *sql = g_strdup_printf (
      "SELECT t.fid, t.geom FROM \"%s\" t JOIN \"rtree_%s_geom\" r ON r.id = t.fid"
      " WHERE r.maxx >= ?1 AND r.minx <= ?3 AND r.maxy >= ?2 AND r.miny <= ?4"
      " AND t.fid NOT IN (SELECT fid FROM offline_area_fids WHERE area_id = ?5 AND layer = ?6)",
      layer, layer);
  g_autofree char *del_sql = g_strdup_printf ("DELETE FROM \"%s\" WHERE fid = ?", layer);
  g_autofree char *upd_sql = g_strdup_printf ("UPDATE \"%s\" SET geom = ? WHERE fid = ?", layer);
  g_auto(sqlite3_stmt_ptr) select = ld_store_prepare (store, sql, error);
  g_auto(sqlite3_stmt_ptr) del = NULL;
  g_auto(sqlite3_stmt_ptr) upd = NULL;
  g_autoptr(GArray) fids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) rests = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  if (select == NULL)
    return FALSE;
  for (int i = 0; i < 4; i++)
    sqlite3_bind_double (select, i + 1, self->box[i]);
  sqlite3_bind_int64 (select, 5, self->job);
  ld_store_bind_text (select, 6, layer);
  /* Collected first: the rows change below. */
  while (sqlite3_step (select) == SQLITE_ROW)
    {
      LdGpkgHeader header;
      const guint8 *blob = sqlite3_column_blob (select, 1);
      GEOSGeometry *g = NULL, *rest;
      gint64 fid = sqlite3_column_int64 (select, 0);

      if (blob != NULL && ld_gpkg_geom_parse_header (blob, (gsize) sqlite3_column_bytes (select, 1),
                                                     &header, NULL) && !header.empty)
        g = GEOSGeomFromWKB_buf_r (self->geos, header.wkb, header.wkb_length);
      if (g == NULL || GEOSPreparedIntersects_r (self->geos, self->prepared, g) != 1)
        {
          if (g != NULL)
            GEOSGeom_destroy_r (self->geos, g);
          continue;
        }
      rest = ld_offline_area_polygonal (self->geos, GEOSDifference_r (self->geos, g, self->area));
      GEOSGeom_destroy_r (self->geos, g);
      g_array_append_val (fids, fid);
      g_ptr_array_add (rests, rest ? gpkg_blob (self->geos, rest) : NULL);
      if (rest != NULL)
        GEOSGeom_destroy_r (self->geos, rest);
    }
  del = ld_store_prepare (store, del_sql, error);
  upd = del ? ld_store_prepare (store, upd_sql, error) : NULL;
  if (upd == NULL)
    return FALSE;
  for (guint i = 0; i < fids->len; i++)
    {
      GBytes *rest = rests->pdata[i];
      sqlite3_stmt *stmt = rest ? upd : del;

      sqlite3_reset (stmt);
      if (rest != NULL)
        {
          sqlite3_bind_blob (stmt, 1, g_bytes_get_data (rest, NULL), (int) g_bytes_get_size (rest),
                             SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 2, g_array_index (fids, gint64, i));
        }
      else
        sqlite3_bind_int64 (stmt, 1, g_array_index (fids, gint64, i));
      if (!ld_store_step_done (store, stmt, error))
        return FALSE;
    }
  return TRUE;
}
