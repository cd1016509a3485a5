/* ld-server-demo.c: --init-demo DEMO.gpkg, the demo's users, cases and layers
 *
 * Users, cases, the stage log and the red lines are read with GDAL/OGR and written in ONE
 * store transaction, each record appending its change-feed entry. The GeoPackage itself is
 * copied to DIR/layers.gpkg: the OGC API serves its map layers from there through GDAL, with
 * their R-tree indexes, instead of copying geometries into the store. Loading the same store
 * twice is a no-op.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ld-core.h"
#include "ld-server-gdal.h"
#include "ld-server-log.h"
#include "ld-server-private.h"

static JsonNode *
field_node (OGRFeatureH feature,
            OGRFieldDefnH defn,
            int           i)
{
  int y, m, d, hh, mm, tz;
  float ss;

  if (!OGR_F_IsFieldSetAndNotNull (feature, i))
    return json_node_init_null (json_node_alloc ());
  switch (OGR_Fld_GetType (defn))
    {
    case OFTInteger:
    case OFTInteger64:
      return json_node_init_int (json_node_alloc (), OGR_F_GetFieldAsInteger64 (feature, i));
    case OFTReal:
      return json_node_init_double (json_node_alloc (), OGR_F_GetFieldAsDouble (feature, i));
    case OFTDate:
      {
        g_autofree char *text = NULL;

        OGR_F_GetFieldAsDateTimeEx (feature, i, &y, &m, &d, &hh, &mm, &ss, &tz);
        text = g_strdup_printf ("%04d-%02d-%02d", y, m, d);
        return json_node_init_string (json_node_alloc (), text);
      }
    case OFTDateTime:
      {
        g_autofree char *text = NULL;

        OGR_F_GetFieldAsDateTimeEx (feature, i, &y, &m, &d, &hh, &mm, &ss, &tz);
        if (tz > 1)
          {
            int off = (tz - 100) * 15;

            text = g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d, hh, mm,
                                    (int) ss, off < 0 ? '-' : '+', ABS (off) / 60, ABS (off) % 60);
          }
        else
          text = g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, hh, mm, (int) ss);
        return json_node_init_string (json_node_alloc (), text);
      }
    default:
      return json_node_init_string (json_node_alloc (), OGR_F_GetFieldAsString (feature, i));
    }
}

static char *
field_string (OGRFeatureH  feature,
              const char  *name)
{
  int i = OGR_F_GetFieldIndex (feature, name);

  if (i < 0 || !OGR_F_IsFieldSetAndNotNull (feature, i))
    return NULL;
  return g_strdup (OGR_F_GetFieldAsString (feature, i));
}

static gboolean
is_ascii_login (const char *login)
{
  if (login == NULL || *login == '\0' || strlen (login) > 64)
    return FALSE;
  for (const char *p = login; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

static OGRLayerH
need_layer (GDALDatasetH  ds,
            const char   *gpkg,
            const char   *name,
            GError      **error)
{
  OGRLayerH layer = GDALDatasetGetLayerByName (ds, name);

  if (layer == NULL)
    g_set_error (error, LD_SERVER_ERROR, LD_SERVER_ERROR_DEMO,
                 "%s has no table '%s' (see data/README.md for the demo's shape)", gpkg, name);
  return layer;
}

static gboolean
load_users (LdServer      *self,
            GDALDatasetH   ds,
            const char    *gpkg,
            const char    *hash,
            GError       **error)
{
  OGRLayerH layer = need_layer (ds, gpkg, "users", error);
  OGRFeatureH f;
  gboolean have_admin = FALSE;

  if (layer == NULL)
    return FALSE;
  OGR_L_ResetReading (layer);
  while ((f = OGR_L_GetNextFeature (layer)) != NULL)
    {
      LdServerUser user = { 0 };
      g_autoptr(LdServerRecord) record = NULL;
      gboolean ok;

      user.login = field_string (f, "login");
      user.display_name = field_string (f, "display_name");
      user.role = field_string (f, "role");
      user.unit = field_string (f, "unit");
      OGR_F_Destroy (f);
      if (!is_ascii_login (user.login) || !ld_server_role_is_valid (user.role)
          || user.display_name == NULL)
        {
          g_set_error (error, LD_SERVER_ERROR, LD_SERVER_ERROR_DEMO,
                       "%s: table users: user '%s' needs an ASCII login, a display_name and a"
                       " role among reviewer, section-head, leader, field-staff, gis-officer,"
                       " admin (got role '%s')", gpkg, user.login ? user.login : "",
                       user.role ? user.role : "");
          ok = FALSE;
        }
      else
        {
          have_admin |= g_str_equal (user.login, "admin");
          record = ld_server_record_new ("user", user.login);
          record->version = 1;
          json_object_set_string_member (record->data, "id", user.login);
          json_object_set_string_member (record->data, "login", user.login);
          json_object_set_string_member (record->data, "display_name", user.display_name);
          json_object_set_string_member (record->data, "role", user.role);
          json_object_set_string_member (record->data, "unit", user.unit);
          ok = ld_server_store_put_user (self->store, &user, hash, error)
               && ld_server_store_put_record (self->store, record, error) >= 0;
        }
      g_free (user.login);
      g_free (user.display_name);
      g_free (user.role);
      g_free (user.unit);
      if (!ok)
        return FALSE;
    }
  if (!have_admin)
    {
      LdServerUser admin = { (char *) "admin", (char *) "系统管理员", (char *) "admin",
                             (char *) "信息中心" };
      g_autoptr(LdServerRecord) record = ld_server_record_new ("user", "admin");

      record->version = 1;
      json_object_set_string_member (record->data, "id", "admin");
      json_object_set_string_member (record->data, "login", "admin");
      json_object_set_string_member (record->data, "display_name", admin.display_name);
      json_object_set_string_member (record->data, "role", "admin");
      json_object_set_string_member (record->data, "unit", admin.unit);
      if (!ld_server_store_put_user (self->store, &admin, hash, error)
          || ld_server_store_put_record (self->store, record, error) < 0)
        return FALSE;
    }
  return TRUE;
}

/* Copies every attribute of every feature of @table into records of @entity. */
static gboolean
load_records (LdServer      *self,
              GDALDatasetH   ds,
              const char    *gpkg,
              const char    *table,
              const char    *entity,
              guint         *count,
              GError       **error)
{
  OGRLayerH layer = need_layer (ds, gpkg, table, error);
  OGRFeatureDefnH defn;
  OGRFeatureH f;
  OGRSpatialReferenceH target = NULL;
  OGRCoordinateTransformationH ct = NULL;
  gboolean ok = TRUE;

  if (layer == NULL)
    return FALSE;
  defn = OGR_L_GetLayerDefn (layer);
  if (OGR_L_GetSpatialRef (layer) != NULL)
    {
      target = OSRNewSpatialReference (NULL);
      OSRImportFromEPSG (target, 4525);
      OSRSetAxisMappingStrategy (target, OAMS_TRADITIONAL_GIS_ORDER);
      if (!OSRIsSame (OGR_L_GetSpatialRef (layer), target))
        ct = OCTNewCoordinateTransformation (OGR_L_GetSpatialRef (layer), target);
    }
  OGR_L_ResetReading (layer);
  while (ok && (f = OGR_L_GetNextFeature (layer)) != NULL)
    {
      g_autofree char *id = field_string (f, "id");
      g_autofree char *case_id = g_str_equal (entity, "case") ? g_strdup (id)
                                                               : field_string (f, "case_id");
      g_autoptr(LdServerRecord) record = NULL;
      OGRGeometryH geom = OGR_F_GetGeometryRef (f);

      if (id == NULL)
        {
          g_set_error (error, LD_SERVER_ERROR, LD_SERVER_ERROR_DEMO,
                       "%s: table %s: feature %" G_GINT64_FORMAT " has no id", gpkg, table,
                       (gint64) OGR_F_GetFID (f));
          OGR_F_Destroy (f);
          ok = FALSE;
          break;
        }
      record = ld_server_record_new (entity, id);
      record->version = 1;
      record->case_id = g_steal_pointer (&case_id);
      for (int i = 0; i < OGR_FD_GetFieldCount (defn); i++)
        {
          OGRFieldDefnH fd = OGR_FD_GetFieldDefn (defn, i);

          json_object_set_member (record->data, OGR_Fld_GetNameRef (fd), field_node (f, fd, i));
        }
      if (geom != NULL)
        {
          char *wkt = NULL;

          if (ct != NULL)
            OGR_G_Transform (geom, ct);
          OGR_G_ExportToWkt (geom, &wkt);
          json_object_set_string_member (record->data, "geom", wkt);
          CPLFree (wkt);
        }
      OGR_F_Destroy (f);
      ok = ld_server_store_put_record (self->store, record, error) >= 0;
      (*count)++;
    }
  if (ct != NULL)
    OCTDestroyCoordinateTransformation (ct);
  if (target != NULL)
    OSRDestroySpatialReference (target);
  return ok;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* Reference data from the data directory (palettes, matters, calendars): each file is one
 * record holding its text, which clients read with the core's own loaders. */
static gboolean
load_reference (LdServer     *self,
                guint        *count,
                GError      **error)
{
  static const char * const dirs[][2] = {
    { "styles", "palette" }, { "matters", "matter" }, { "calendars", "calendar" },
  };

  for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
    {
      g_autofree char *dir = ld_paths_data_file (dirs[d][0], NULL);
      g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      if (listing == NULL)
        continue;
      while ((name = g_dir_read_name (listing)) != NULL)
        if (!g_str_has_prefix (name, "README") && !g_str_has_prefix (name, "."))
          g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, compare_names);
      for (guint i = 0; i < names->len; i++)
        {
          g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);
          g_autofree char *text = NULL;
          g_autofree char *id = g_strdup (names->pdata[i]);
          g_autoptr(LdServerRecord) record = NULL;
          char *dot = strrchr (id, '.');
          gsize len;

          if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
            continue;
          if (!g_file_get_contents (path, &text, &len, error))
            return FALSE;
          if (!g_utf8_validate (text, (gssize) len, NULL))
            {
              g_set_error (error, LD_SERVER_ERROR, LD_SERVER_ERROR_DEMO,
                           "%s is not UTF-8 text", path);
              return FALSE;
            }
          if (dot != NULL)
            *dot = '\0';
          record = ld_server_record_new (dirs[d][1], id);
          record->version = 1;
          json_object_set_string_member (record->data, "id", id);
          json_object_set_string_member (record->data, "file", names->pdata[i]);
          json_object_set_string_member (record->data, "text", text);
          if (ld_server_store_put_record (self->store, record, error) < 0)
            return FALSE;
          (*count)++;
        }
    }
  return TRUE;
}

gboolean
ld_server_load_demo (LdServer    *self,
                     const char  *gpkg,
                     const char  *password,
                     gboolean    *loaded_now,
                     GError     **error)
{
  const char *drivers[] = { "GPKG", NULL };
  GDALDatasetH ds;
  g_autofree char *loaded = ld_server_store_get_meta (self->store, "demo_loaded");
  g_autofree char *hash = NULL;
  g_autoptr(GFile) from = NULL;
  g_autoptr(GFile) to = NULL;
  g_autoptr(GError) local = NULL;
  guint cases = 0, events = 0, redlines = 0, reference = 0;
  gboolean ok;

  *loaded_now = FALSE;
  if (loaded != NULL)
    {
      ld_server_log ("demo already loaded from %s; not loading it again", loaded);
      return TRUE;
    }
  GDALAllRegister ();
  ds = GDALOpenEx (gpkg, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, NULL, NULL);
  if (ds == NULL)
    {
      g_set_error (error, LD_SERVER_ERROR, LD_SERVER_ERROR_DEMO,
                   "--init-demo %s: not a readable GeoPackage: %s", gpkg, CPLGetLastErrorMsg ());
      return FALSE;
    }
  /* The layers first: if loading fails below, a second run copies them again. */
  from = g_file_new_for_path (gpkg);
  to = g_file_new_for_path (self->layers_path);
  if (!g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &local))
    {
      g_set_error (error, LD_SERVER_ERROR, LD_SERVER_ERROR_DEMO,
                   "Cannot copy %s to %s for the OGC API: %s", gpkg, self->layers_path,
                   local->message);
      GDALClose (ds);
      return FALSE;
    }

  /* Every demo user shares the one password: one argon2id hash (with its salt) serves all. */
  hash = ld_server_hash_password (password, error);
  ok = hash != NULL && ld_server_store_begin (self->store, error);
  if (ok)
    {
      ok = load_users (self, ds, gpkg, hash, error)
           && load_records (self, ds, gpkg, "cases", "case", &cases, error)
           && load_records (self, ds, gpkg, "case_events", "case_event", &events, error)
           && load_records (self, ds, gpkg, "case_redlines", "case_redline", &redlines, error)
           && load_reference (self, &reference, error)
           && ld_server_store_set_meta (self->store, "demo_loaded", gpkg, error)
           && ld_server_store_commit (self->store, error);
      if (!ok)
        ld_server_store_rollback (self->store);
    }
  GDALClose (ds);
  if (!ok)
    return FALSE;

  *loaded_now = TRUE;
  ld_server_log ("demo loaded from %s: %u cases, %u stage-log entries, %u red lines, %u"
                 " reference files", gpkg, cases, events, redlines, reference);
  return TRUE;
}
