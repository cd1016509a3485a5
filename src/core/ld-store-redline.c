/* ld-store-redline.c: giving a case its red line, as the reviewer imported it
 *
 * In one transaction: a new parcel with the number of an old one updates it (an update op, the
 * old geometry its base), other new parcels are inserted (an insert op each) and the old ones
 * left over deleted (a delete op each), so the server and every client see the same red line
 * and two people redrawing one parcel meet as a conflict. Geometries are GeoPackage blobs (EPSG:4525, no envelope: the store's
 * ST_ functions read the extent from the WKB for the R-tree).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "ld-gpkg-geom.h"
#include "ld-redline.h"
#include "ld-store-private.h"

static GBytes *
gpkg_blob (GBytes *wkb)
{
  /* "GP", version 0, flags: little-endian header, no envelope; then the SRS id. */
  guint8 header[8] = { 'G', 'P', 0, 0x01 };
  guint32 srs = GUINT32_TO_LE (4525);
  GByteArray *blob = g_byte_array_new ();
  gsize len;
  const guint8 *data = g_bytes_get_data (wkb, &len);

  memcpy (header + 4, &srs, 4);
  g_byte_array_append (blob, header, sizeof header);
  g_byte_array_append (blob, data, len);
  return g_byte_array_free_to_bytes (blob);
}

/* A parcel the case has now. */
typedef struct
{
  char   *id;
  gint64  version;
  char   *name;
  double  area;
  char   *wkt;
  gboolean kept;
} OldParcel;

static void
old_parcel_free (gpointer data)
{
  OldParcel *p = data;

  g_free (p->id);
  g_free (p->name);
  g_free (p->wkt);
  g_free (p);
}

/* A stored GeoPackage geometry as WKT, the base an update op carries (the server compares
 * geometries to the millimetre, not the text). */
static char *
gpkg_to_wkt (const guint8 *blob,
             gsize         len)
{
  LdGpkgHeader header;
  GEOSContextHandle_t geos;
  GEOSWKBReader *reader;
  GEOSWKTWriter *writer;
  GEOSGeometry *geom;
  char *text, *wkt = NULL;

  if (blob == NULL || !ld_gpkg_geom_parse_header (blob, len, &header, NULL))
    return NULL;
  geos = GEOS_init_r ();
  reader = GEOSWKBReader_create_r (geos);
  writer = GEOSWKTWriter_create_r (geos);
  GEOSWKTWriter_setTrim_r (geos, writer, 1);
  GEOSWKTWriter_setRoundingPrecision_r (geos, writer, 6);   /* a micrometre */
  GEOSWKTWriter_setOutputDimension_r (geos, writer, 2);
  geom = GEOSWKBReader_read_r (geos, reader, header.wkb, header.wkb_length);
  if (geom != NULL && (text = GEOSWKTWriter_write_r (geos, writer, geom)) != NULL)
    {
      wkt = g_strdup (text);
      GEOSFree_r (geos, text);
    }
  if (geom != NULL)
    GEOSGeom_destroy_r (geos, geom);
  GEOSWKTWriter_destroy_r (geos, writer);
  GEOSWKBReader_destroy_r (geos, reader);
  GEOS_finish_r (geos);
  return wkt;
}

/* The case's parcels by parcel number. */
static GHashTable *
load_old_parcels (LdStore     *self,
                  const char  *case_id,
                  GError     **error)
{
  g_auto(sqlite3_stmt_ptr) select = ld_store_prepare (self, "SELECT id, version, parcel_no,"
                                                            " name, area_m2, geom"
                                                            " FROM case_redlines"
                                                            " WHERE case_id = ?", error);
  GHashTable *old;

  if (select == NULL)
    return NULL;
  old = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, old_parcel_free);
  ld_store_bind_text (select, 1, case_id);
  while (sqlite3_step (select) == SQLITE_ROW)
    {
      OldParcel *p = g_new0 (OldParcel, 1);
      const char *no = (const char *) sqlite3_column_text (select, 2);

      p->id = g_strdup ((const char *) sqlite3_column_text (select, 0));
      p->version = sqlite3_column_int64 (select, 1);
      p->name = g_strdup ((const char *) sqlite3_column_text (select, 3));
      p->area = sqlite3_column_double (select, 4);
      p->wkt = gpkg_to_wkt (sqlite3_column_blob (select, 5),
                            (gsize) sqlite3_column_bytes (select, 5));
      /* Two parcels with one number (or none): the later one is replaced, not updated. */
      g_hash_table_replace (old, g_strdup (no ? no : p->id), p);
    }
  return old;
}

/* The old parcels the new red line does not have: a delete op each. */
static gboolean
delete_old_parcels (LdStore     *self,
                    GHashTable  *old,
                    const char  *login,
                    const char  *at,
                    GError     **error)
{
  g_auto(sqlite3_stmt_ptr) del = ld_store_prepare (self, "DELETE FROM case_redlines WHERE id = ?",
                                                   error);
  GHashTableIter iter;
  OldParcel *p;

  if (del == NULL)
    return FALSE;
  g_hash_table_iter_init (&iter, old);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &p))
    {
      g_autofree char *op_id = NULL;

      if (p->kept)
        continue;
      op_id = g_uuid_string_random ();
      if (!ld_store_write_op (self, op_id, "case_redline", p->id, "delete", p->version, NULL,
                              NULL, login, at, error))
        return FALSE;
      sqlite3_reset (del);
      ld_store_bind_text (del, 1, p->id);
      if (!ld_store_step_done (self, del, error))
        return FALSE;
    }
  return TRUE;
}

static JsonNode *
insert_fields (const char *case_id,
               const char *parcel_no,
               const char *name,
               double      area,
               const char *wkt)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  ld_store_add_field (b, "case_id", NULL, case_id);
  ld_store_add_field (b, "parcel_no", NULL, parcel_no);
  ld_store_add_field (b, "name", NULL, name);
  json_builder_set_member_name (b, "area_m2");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "base");
  json_builder_add_null_value (b);
  json_builder_set_member_name (b, "value");
  json_builder_add_double_value (b, area);
  json_builder_end_object (b);
  ld_store_add_field (b, "geom", NULL, wkt);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* A new parcel with the number of an old one updates it (one op with the old geometry as its
 * base), so that two reviewers redrawing the same parcel meet as a geometry conflict instead
 * of leaving the case with both red lines. */
static gboolean
update_parcel (LdStore     *self,
               OldParcel   *old,
               const char  *name,
               double       area,
               const char  *wkt,
               GBytes      *blob,
               const char  *login,
               const char  *at,
               GError     **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) fields = NULL;
  g_autofree char *op_id = g_uuid_string_random ();
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  gsize len;
  const void *data = g_bytes_get_data (blob, &len);

  old->kept = TRUE;
  if (g_strcmp0 (old->wkt, wkt) == 0 && g_strcmp0 (old->name, name) == 0)
    return TRUE;
  stmt = ld_store_prepare (self, "UPDATE case_redlines SET geom = ?, name = ?, area_m2 = ?"
                                 " WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_blob (stmt, 1, data, (int) len, SQLITE_TRANSIENT);
  ld_store_bind_text (stmt, 2, name);
  sqlite3_bind_double (stmt, 3, area);
  ld_store_bind_text (stmt, 4, old->id);
  if (!ld_store_step_done (self, stmt, error))
    return FALSE;

  json_builder_begin_object (b);
  if (g_strcmp0 (old->name, name) != 0)
    ld_store_add_field (b, "name", old->name, name);
  if (g_strcmp0 (old->wkt, wkt) != 0)
    {
      ld_store_add_field (b, "geom", old->wkt, wkt);
      json_builder_set_member_name (b, "area_m2");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "base");
      json_builder_add_double_value (b, old->area);
      json_builder_set_member_name (b, "value");
      json_builder_add_double_value (b, area);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  fields = json_builder_get_root (b);
  return ld_store_write_op (self, op_id, "case_redline", old->id, "update", old->version,
                            fields, NULL, login, at, error);
}

static gboolean
put_parcel (LdStore     *self,
            const char  *case_id,
            LdRedline   *redline,
            guint        i,
            GHashTable  *old,
            const char  *login,
            const char  *at,
            GError     **error)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *parcel_no = g_strdup (ld_redline_get_parcel_id (redline, i));
  g_autofree char *wkt = ld_redline_dup_parcel_wkt (redline, i);
  g_autoptr(GBytes) wkb = ld_redline_dup_parcel_wkb (redline, i);
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(JsonNode) fields = NULL;
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  const char *name = ld_redline_get_parcel_name (redline, i);
  double area = ld_redline_get_parcel_area (redline, i);
  OldParcel *same;
  gsize len;
  const void *data;

  if (parcel_no == NULL || *parcel_no == '\0')
    {
      g_free (parcel_no);
      parcel_no = g_strdup_printf ("DK%02u", i + 1);
    }
  if (wkb == NULL || wkt == NULL)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                   "Parcel %s has no geometry to store", parcel_no);
      return FALSE;
    }
  blob = gpkg_blob (wkb);
  same = g_hash_table_lookup (old, parcel_no);
  if (same != NULL && !same->kept)
    return update_parcel (self, same, name, area, wkt, blob, login, at, error);
  data = g_bytes_get_data (blob, &len);
  stmt = ld_store_prepare (self, "INSERT INTO case_redlines (geom, id, case_id, parcel_no, name,"
                                 " area_m2, version) VALUES (?, ?, ?, ?, ?, ?, 1)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_blob (stmt, 1, data, (int) len, SQLITE_TRANSIENT);
  ld_store_bind_text (stmt, 2, id);
  ld_store_bind_text (stmt, 3, case_id);
  ld_store_bind_text (stmt, 4, parcel_no);
  ld_store_bind_text (stmt, 5, name);
  sqlite3_bind_double (stmt, 6, area);
  if (!ld_store_step_done (self, stmt, error))
    return FALSE;
  fields = insert_fields (case_id, parcel_no, name, area, wkt);
  return ld_store_write_op (self, id, "case_redline", id, "insert", 0, fields, NULL, login, at,
                            error);
}

/**
 * ld_store_set_redline:
 * @id_or_number: the case
 * @redline: its parcels, in EPSG:4525 (as ld_redline_import() gives them)
 * @login: who does it; must be a user of the store
 *
 * Replaces the case's red line with @redline: one transaction, with its ops. A parcel whose
 * number the case already has is updated in place (an update op); the others are inserted,
 * and old parcels the new red line lacks deleted. Invalid parcels are refused (repair them first, as the import offers), and nothing changes then.
 */
gboolean
ld_store_set_redline (LdStore     *self,
                      const char  *id_or_number,
                      LdRedline   *redline,
                      const char  *login,
                      GError     **error)
{
  g_autoptr(LdUser) user = NULL;
  g_autoptr(LdCase) kase = NULL;
  g_autofree char *at = ld_store_now ();
  g_autoptr(GHashTable) old = NULL;
  const char *case_id;

  g_return_val_if_fail (LD_IS_STORE (self), FALSE);
  g_return_val_if_fail (LD_IS_REDLINE (redline), FALSE);

  user = ld_store_find_user (self, login, error);
  if (user == NULL)
    return FALSE;
  kase = ld_store_load_case (self, id_or_number, NULL, error);
  if (kase == NULL)
    return FALSE;
  if (ld_redline_get_n_parcels (redline) == 0)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT, "The red line has no parcel");
      return FALSE;
    }
  for (guint i = 0; i < ld_redline_get_n_parcels (redline); i++)
    if (!ld_redline_get_parcel_valid (redline, i))
      {
        g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                     "Parcel %s is not a valid polygon; repair it (make valid) before storing it",
                     ld_redline_get_parcel_id (redline, i) ?: "?");
        return FALSE;
      }

  case_id = ld_case_get (kase, LD_CASE_ID);
  if (!ld_store_begin (self, error))
    return FALSE;
  old = load_old_parcels (self, case_id, error);
  if (old == NULL)
    goto fail;
  for (guint i = 0; i < ld_redline_get_n_parcels (redline); i++)
    if (!put_parcel (self, case_id, redline, i, old, login, at, error))
      goto fail;
  if (!delete_old_parcels (self, old, login, at, error))
    goto fail;
  if (!ld_store_commit (self, error))
    goto fail;
  return TRUE;

fail:
  ld_store_rollback (self);
  return FALSE;
}
