/* ld-redline-store.c: a case's red line from a LandDesk store, with SQLite alone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store keeps red lines in case_redlines (MULTIPOLYGON, EPSG:4525): reading them needs no
 * GDAL, so `landdesk-cli redline export --store` to TXT starts without it. Rows with the same
 * parcel number make one parcel; parcels come in the order of their numbers, as the case file
 * lists them.
 */
#include "config.h"

#include <sqlite3.h>

#include "ld-gpkg-geom.h"
#include "ld-redline-private.h"

typedef struct
{
  char      *id;
  char      *name;
  GPtrArray *parts;   /* GEOSGeometry polygons */
} Parcel;

typedef struct
{
  sqlite3             *db;
  GEOSContextHandle_t  geos;
  GHashTable          *by_id;   /* id -> Parcel */
  GPtrArray           *order;   /* Parcel, as first seen */
} Reader;

static void
parcel_free (Reader *reader,
             Parcel *parcel)
{
  for (guint i = 0; i < parcel->parts->len; i++)
    GEOSGeom_destroy_r (reader->geos, g_ptr_array_index (parcel->parts, i));
  g_ptr_array_unref (parcel->parts);
  g_free (parcel->id);
  g_free (parcel->name);
  g_free (parcel);
}

static void
reader_clear (Reader *reader)
{
  for (guint i = 0; reader->order != NULL && i < reader->order->len; i++)
    parcel_free (reader, g_ptr_array_index (reader->order, i));
  g_clear_pointer (&reader->order, g_ptr_array_unref);
  g_clear_pointer (&reader->by_id, g_hash_table_unref);
  g_clear_pointer (&reader->db, sqlite3_close);
}

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text != NULL ? g_utf8_make_valid (text, -1) : NULL;
}

static gboolean
has_table (Reader     *reader,
           const char *table,
           int        *rc)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  *rc = sqlite3_prepare_v2 (reader->db, "SELECT 1 FROM sqlite_master WHERE type = 'table'"
                            " AND name = ?", -1, &stmt, NULL);
  if (*rc != SQLITE_OK)
    return FALSE;
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  *rc = sqlite3_step (stmt);
  found = *rc == SQLITE_ROW;
  if (*rc == SQLITE_ROW || *rc == SQLITE_DONE)
    *rc = SQLITE_OK;
  sqlite3_finalize (stmt);
  return found;
}

/* The case's id, number, title and project use, by its id or number. */
static char **
find_case (Reader     *reader,
           const char *case_ref)
{
  sqlite3_stmt *stmt = NULL;
  char **row = NULL;

  if (sqlite3_prepare_v2 (reader->db, "SELECT id, number, title, project_use FROM cases"
                          " WHERE id = ?1 OR number = ?1 ORDER BY rowid LIMIT 1", -1, &stmt,
                          NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (stmt, 1, case_ref, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    {
      row = g_new0 (char *, 5);
      for (int i = 0; i < 4; i++)
        row[i] = column_text (stmt, i);
    }
  sqlite3_finalize (stmt);
  return row;
}

static Parcel *
parcel_lookup (Reader     *reader,
               const char *id,
               const char *name)
{
  Parcel *parcel = g_hash_table_lookup (reader->by_id, id);

  if (parcel == NULL)
    {
      parcel = g_new0 (Parcel, 1);
      parcel->id = g_strdup (id);
      parcel->name = g_strdup (name);
      parcel->parts = g_ptr_array_new ();
      g_hash_table_insert (reader->by_id, parcel->id, parcel);
      g_ptr_array_add (reader->order, parcel);
    }
  else if (parcel->name[0] == '\0' && name[0] != '\0')
    {
      g_free (parcel->name);
      parcel->name = g_strdup (name);
    }
  return parcel;
}

/* Gathers the case's rows into parcels; a row whose polygon is broken is left out, with a
 * warning. */
static gboolean
read_rows (Reader      *reader,
           LdRedline   *redline,
           const char  *case_id,
           const char  *store,
           GError     **error)
{
  g_autofree char *sql = NULL;
  g_autofree char *geom_column = g_strdup ("geom");
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (reader->db, "SELECT column_name FROM gpkg_geometry_columns"
                          " WHERE table_name = 'case_redlines'", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    {
      g_free (geom_column);
      geom_column = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);
  {
    g_auto(GStrv) parts = g_strsplit (geom_column, "\"", -1);
    g_autofree char *quoted = g_strjoinv ("\"\"", parts);

    sql = g_strdup_printf ("SELECT \"%s\", parcel_no, name FROM case_redlines"
                           " WHERE case_id = ? ORDER BY rowid", quoted);
  }
  if (sqlite3_prepare_v2 (reader->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_FORMAT,
                   "%s: cannot read case_redlines: %s", store, sqlite3_errmsg (reader->db));
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, case_id, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      LdGpkgHeader header;
      g_autofree char *id = column_text (stmt, 1);
      g_autofree char *name = column_text (stmt, 2);
      GEOSGeometry *geom;
      Parcel *parcel;

      if (sqlite3_column_type (stmt, 0) != SQLITE_BLOB
          || !ld_gpkg_geom_parse_header (sqlite3_column_blob (stmt, 0),
                                         (gsize) sqlite3_column_bytes (stmt, 0), &header, NULL)
          || header.empty)
        continue;
      if (id == NULL)
        id = g_strdup_printf ("%u", reader->order->len + 1);
      parcel = parcel_lookup (reader, id, name != NULL ? name : "");
      geom = ld_redline_geometry_from_wkb (redline, header.wkb, header.wkb_length);
      if (geom == NULL)
        {
          ld_redline_add_warning (redline, "%s: parcel %s: a polygon with broken rings (too "
                                  "few points, or not closed) was left out", store, id);
          continue;
        }
      for (int k = 0; k < GEOSGetNumGeometries_r (reader->geos, geom); k++)
        {
          const GEOSGeometry *part = GEOSGetGeometryN_r (reader->geos, geom, k);

          g_ptr_array_add (parcel->parts, GEOSGeom_clone_r (reader->geos, part));
        }
      GEOSGeom_destroy_r (reader->geos, geom);
    }
  sqlite3_finalize (stmt);
  return TRUE;
}

static int
compare_parcels (gconstpointer a,
                 gconstpointer b)
{
  const Parcel *pa = *(Parcel * const *) a, *pb = *(Parcel * const *) b;

  return g_utf8_collate (pa->id, pb->id);
}

/* Hands the gathered parcels to @redline as MultiPolygons, in the order of their numbers. */
static void
take_parcels (Reader    *reader,
              LdRedline *redline)
{
  g_ptr_array_sort (reader->order, compare_parcels);
  for (guint i = 0; i < reader->order->len; i++)
    {
      Parcel *parcel = g_ptr_array_index (reader->order, i);
      GEOSGeometry *multi;

      if (parcel->parts->len == 0)
        continue;
      multi = GEOSGeom_createCollection_r (reader->geos, GEOS_MULTIPOLYGON,
                                           (GEOSGeometry **) parcel->parts->pdata,
                                           parcel->parts->len);
      g_ptr_array_set_size (parcel->parts, 0);
      ld_redline_take_geometry (redline, parcel->id, parcel->name, multi);
    }
}

/* The store's side of ld_redline_load_store(). */
LdRedline *
ld_redline_read_store (const char  *store,
                       const char  *case_ref,
                       GError     **error)
{
  g_autoptr(LdRedline) self = ld_redline_new ();
  Reader reader = { NULL, ld_redline_get_geos (self), NULL, NULL };
  g_auto(GStrv) row = NULL;
  gboolean has_cases = FALSE, has_redlines = FALSE;
  int rc;

  if (!g_file_test (store, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_OPEN, "store %s does not exist",
                   store);
      return NULL;
    }
  reader.by_id = g_hash_table_new (g_str_hash, g_str_equal);
  reader.order = g_ptr_array_new ();
  rc = sqlite3_open_v2 (store, &reader.db, SQLITE_OPEN_READONLY, NULL);
  if (rc == SQLITE_OK)
    has_cases = has_table (&reader, "cases", &rc);
  if (rc == SQLITE_OK)
    has_redlines = has_table (&reader, "case_redlines", &rc);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_OPEN,
                   "%s is not a LandDesk store (a GeoPackage): %s", store,
                   reader.db != NULL ? sqlite3_errmsg (reader.db) : "out of memory");
      reader_clear (&reader);
      return NULL;
    }
  if (!has_cases || !has_redlines)
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_FORMAT,
                   "%s has no %s table: is it a LandDesk store?", store,
                   !has_cases ? "cases" : "case_redlines");
      reader_clear (&reader);
      return NULL;
    }
  row = find_case (&reader, case_ref);
  if (row == NULL)
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_NOT_FOUND,
                   "%s: no case with id or number '%s'", store, case_ref);
      reader_clear (&reader);
      return NULL;
    }
  ld_redline_set_case (self, row[1], row[2], row[3]);
  if (!read_rows (&reader, self, row[0], store, error))
    {
      reader_clear (&reader);
      return NULL;
    }
  if (reader.order->len == 0)
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_NOT_FOUND,
                   "%s: case %s has no red line", store, row[1] != NULL ? row[1] : row[0]);
      reader_clear (&reader);
      return NULL;
    }
  take_parcels (&reader, self);
  reader_clear (&reader);
  if (ld_redline_get_n_parcels (self) == 0)
    {
      g_set_error (error, LD_REDLINE_ERROR, LD_REDLINE_ERROR_FORMAT,
                   "%s: no polygon (or closed line) found", store);
      return NULL;
    }
  return g_steal_pointer (&self);
}
