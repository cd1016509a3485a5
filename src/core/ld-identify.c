/* ld-identify.c: the features of a GeoPackage's layers under a point
 *
 * Hit testing uses each layer's R-tree for candidates and an exact point-in-polygon test on
 * the decoded WKB: no widgets, no GEOS, a few hundred microseconds on a million-patch layer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "ld-gk.h"
#include "ld-identify.h"

typedef struct
{
  sqlite3_stmt *stmt;
  int           geom_index;   /* column of the geometry in the statement */
} Layer;

struct _LdIdentify
{
  GObject     parent_instance;

  char       *path;
  sqlite3    *db;
  GHashTable *layers;   /* table -> Layer */
};

G_DEFINE_FINAL_TYPE (LdIdentify, ld_identify, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-identify-error-quark, ld_identify_error)

/* Chinese names of the fields of data/README.md's layers, as the survey standards name them. */
static const struct { const char *field; const char *label; } field_labels[] = {
  { "BSM", "标识码" },
  { "DLBM", "地类编码" },
  { "DLMC", "地类名称" },
  { "KCDLBM", "扣除地类编码" },
  { "KCMJ", "扣除地类面积" },
  { "KCXS", "扣除地类系数" },
  { "MJ", "面积" },
  { "QSXZ", "权属性质" },
  { "TBDLMJ", "图斑地类面积" },
  { "TBMJ", "图斑面积" },
  { "YDYHFLDM", "用地用海分类代码" },
  { "YDYHFLMC", "用地用海分类名称" },
  { "ZLDWDM", "坐落单位代码" },
  { "area_m2", "面积（平方米）" },
  { "case_id", "案件标识" },
  { "id", "标识" },
  { "name", "名称" },
  { "parcel_no", "地块编号" },
};

static char *
quote_ident (const char *name)
{
  GString *s = g_string_new ("\"");

  for (const char *p = name; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}

static void
layer_free (gpointer data)
{
  Layer *layer = data;

  sqlite3_finalize (layer->stmt);
  g_free (layer);
}

static Layer *
get_layer (LdIdentify  *self,
           const char  *table,
           GError     **error)
{
  Layer *layer = g_hash_table_lookup (self->layers, table);
  sqlite3_stmt *stmt = NULL;
  g_autofree char *geom = NULL, *sql = NULL, *qtable = NULL, *qrtree = NULL, *rtree = NULL;

  if (layer != NULL)
    return layer;
  if (sqlite3_prepare_v2 (self->db, "SELECT column_name FROM gpkg_geometry_columns"
                          " WHERE table_name = ?", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, table, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        geom = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);
  if (geom == NULL)
    {
      g_set_error (error, LD_IDENTIFY_ERROR, LD_IDENTIFY_ERROR_LAYER,
                   "%s has no feature layer %s", self->path, table);
      return NULL;
    }
  rtree = g_strdup_printf ("rtree_%s_%s", table, geom);
  qrtree = quote_ident (rtree);
  qtable = quote_ident (table);
  sql = g_strdup_printf ("SELECT t.rowid, t.* FROM %s r JOIN %s t ON t.rowid = r.id"
                         " WHERE r.minx <= ?1 AND r.maxx >= ?1 AND r.miny <= ?2 AND r.maxy >= ?2"
                         " ORDER BY t.rowid", qrtree, qtable);
  layer = g_new0 (Layer, 1);
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &layer->stmt,
                          NULL) != SQLITE_OK)
    {
      g_set_error (error, LD_IDENTIFY_ERROR, LD_IDENTIFY_ERROR_LAYER,
                   "%s: layer %s cannot be queried: %s (it needs its spatial index %s)",
                   self->path, table, sqlite3_errmsg (self->db), rtree);
      layer_free (layer);
      return NULL;
    }
  layer->geom_index = -1;
  for (int i = 1; i < sqlite3_column_count (layer->stmt); i++)
    if (g_strcmp0 (sqlite3_column_name (layer->stmt, i), geom) == 0)
      layer->geom_index = i;
  g_hash_table_insert (self->layers, g_strdup (table), layer);
  return layer;
}

static LdFeatureHit *
make_hit (const char   *table,
          sqlite3_stmt *stmt,
          int           geom_index,
          LdGeomBuffer *geometry)
{
  LdFeatureHit *hit = g_new0 (LdFeatureHit, 1);
  g_autoptr(GStrvBuilder) fields = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) values = g_strv_builder_new ();

  hit->table = g_strdup (table);
  hit->fid = sqlite3_column_int64 (stmt, 0);
  for (int i = 1; i < sqlite3_column_count (stmt); i++)
    {
      const char *text;

      if (i == geom_index)
        continue;
      text = (const char *) sqlite3_column_text (stmt, i);
      g_strv_builder_add (fields, sqlite3_column_name (stmt, i));
      g_strv_builder_add (values, text ? text : "");
    }
  hit->fields = g_strv_builder_end (fields);
  hit->values = g_strv_builder_end (values);
  hit->area_m2 = ld_geom_buffer_area (geometry);
  hit->area_mu = ld_area_m2_to_mu (hit->area_m2);
  hit->geometry = *geometry;
  ld_geom_buffer_init (geometry);
  return hit;
}

static void
ld_identify_finalize (GObject *object)
{
  LdIdentify *self = LD_IDENTIFY (object);

  g_clear_pointer (&self->layers, g_hash_table_unref);
  g_clear_pointer (&self->db, sqlite3_close);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (ld_identify_parent_class)->finalize (object);
}

static void
ld_identify_class_init (LdIdentifyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_identify_finalize;
}

static void
ld_identify_init (LdIdentify *self)
{
  self->layers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, layer_free);
}

void
ld_feature_hit_free (LdFeatureHit *hit)
{
  if (hit == NULL)
    return;
  g_free (hit->table);
  g_strfreev (hit->fields);
  g_strfreev (hit->values);
  ld_geom_buffer_clear (&hit->geometry);
  g_free (hit);
}

/* The value of @field as text, or NULL when the layer has no such field. */
const char *
ld_feature_hit_get_value (LdFeatureHit *hit,
                          const char   *field)
{
  for (guint i = 0; hit->fields[i] != NULL; i++)
    if (g_strcmp0 (hit->fields[i], field) == 0)
      return hit->values[i];
  return NULL;
}

LdIdentify *
ld_identify_new (const char  *gpkg_path,
                 GError     **error)
{
  g_autoptr(LdIdentify) self = NULL;

  g_return_val_if_fail (gpkg_path != NULL, NULL);

  if (!g_file_test (gpkg_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, LD_IDENTIFY_ERROR, LD_IDENTIFY_ERROR_OPEN,
                   "GeoPackage %s does not exist", gpkg_path);
      return NULL;
    }
  self = g_object_new (LD_TYPE_IDENTIFY, NULL);
  self->path = g_strdup (gpkg_path);
  if (sqlite3_open_v2 (gpkg_path, &self->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                       NULL) != SQLITE_OK)
    {
      g_set_error (error, LD_IDENTIFY_ERROR, LD_IDENTIFY_ERROR_OPEN, "Cannot open %s: %s",
                   gpkg_path, self->db ? sqlite3_errmsg (self->db) : "out of memory");
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 5000);
  return g_steal_pointer (&self);
}

/**
 * ld_identify_at:
 * @tables: the layers to search, topmost first
 * @x: easting in the layers' CRS (EPSG:4525 for LandDesk's layers; see ld_gk_from_lonlat())
 * @y: northing
 *
 * Returns: (transfer container) (element-type LdFeatureHit): the features whose polygon
 *   contains the point, layer by layer in the order of @tables; empty when none does.
 */
GPtrArray *
ld_identify_at (LdIdentify          *self,
                const char * const  *tables,
                double               x,
                double               y,
                GError             **error)
{
  g_autoptr(GPtrArray) hits = g_ptr_array_new_with_free_func ((GDestroyNotify) ld_feature_hit_free);
  LdGeomBuffer geometry;

  g_return_val_if_fail (LD_IS_IDENTIFY (self), NULL);
  g_return_val_if_fail (tables != NULL, NULL);

  ld_geom_buffer_init (&geometry);
  for (guint t = 0; tables[t] != NULL; t++)
    {
      Layer *layer = get_layer (self, tables[t], error);
      int rc;

      if (layer == NULL)
        {
          ld_geom_buffer_clear (&geometry);
          return NULL;
        }
      sqlite3_bind_double (layer->stmt, 1, x);
      sqlite3_bind_double (layer->stmt, 2, y);
      while ((rc = sqlite3_step (layer->stmt)) == SQLITE_ROW)
        {
          const guint8 *blob = sqlite3_column_blob (layer->stmt, layer->geom_index);
          int length = sqlite3_column_bytes (layer->stmt, layer->geom_index);

          ld_geom_buffer_reset (&geometry);
          if (layer->geom_index < 0 ||
              !ld_gpkg_geom_decode (blob, length, NULL, 0, &geometry, NULL) ||
              !ld_geom_buffer_contains (&geometry, x, y))
            continue;
          g_ptr_array_add (hits, make_hit (tables[t], layer->stmt, layer->geom_index, &geometry));
        }
      sqlite3_reset (layer->stmt);
      if (rc != SQLITE_DONE)
        {
          g_set_error (error, LD_IDENTIFY_ERROR, LD_IDENTIFY_ERROR_QUERY, "%s: layer %s: %s",
                       self->path, tables[t], sqlite3_errmsg (self->db));
          ld_geom_buffer_clear (&geometry);
          return NULL;
        }
    }
  ld_geom_buffer_clear (&geometry);
  return g_steal_pointer (&hits);
}

/* The Chinese name of a field of LandDesk's layers ("DLBM" -> "地类编码"), else @field. */
const char *
ld_identify_field_label (const char *field)
{
  for (guint i = 0; i < G_N_ELEMENTS (field_labels); i++)
    if (g_strcmp0 (field_labels[i].field, field) == 0)
      return field_labels[i].label;
  return field;
}

/* Whether @table is a feature layer of the GeoPackage: a profile's store may lack some. */
gboolean
ld_identify_has_layer (LdIdentify *self,
                       const char *table)
{
  g_return_val_if_fail (LD_IS_IDENTIFY (self), FALSE);

  return get_layer (self, table, NULL) != NULL;
}
