/* ld-store-sync.c: the local store's side of sync
 *
 * - The outbox is sent in batches of its pending ops, oldest first. An op leaves the outbox
 *   only when the server answered applied or duplicate, in the same transaction that stores
 *   the record's new version. A conflict keeps the op (state 'conflict') and stores one row
 *   per field in `conflicts` (base, mine, theirs as JSON texts); a rejection keeps it too
 *   (state 'rejected', with the reason), except a missing blob, which stays pending.
 * - A page of the change feed is applied with its cursor in one transaction. A record with
 *   unacknowledged ops (pending, conflict or rejected) keeps its local value of every field
 *   those ops change (all workflow fields for an action); its other fields take the server's.
 * - A conflict is resolved per field (mine, theirs or a value); when the last field of an op is
 *   resolved, ONE new op replaces it, carrying the op's other fields as they were.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "ld-clock.h"
#include "ld-calendar.h"
#include "ld-matter.h"
#include "ld-palette.h"
#include "ld-paths.h"
#include "ld-store-private.h"
#include "ld-store-sync-private.h"
#include "ld-store-sync.h"

typedef struct
{
  const char *column;
  const char *member;    /* in the change's data */
  const char *fallback;  /* SQL for a NOT NULL column the data lacks, or NULL */
} Column;

typedef struct
{
  const char   *entity;
  const char   *table;
  const char   *key;
  gboolean      case_child;
  const Column  columns[16];
} Table;

static const Table tables[] = {
  { "case", "cases", "id", FALSE, {
      { "number", "number", NULL }, { "matter", "matter", "''" }, { "title", "title", NULL },
      { "applicant", "applicant", NULL }, { "project_use", "project_use", NULL },
      { "stage", "stage", "'intake'" }, { "status", "status", "'active'" },
      { "suspend_kind", "suspend_kind", NULL }, { "suspended_on", "suspended_on", NULL },
      { "assignee", "assignee", NULL }, { "received_on", "received_on", NULL },
      { "accepted_on", "accepted_on", NULL }, { "closed_on", "closed_on", NULL },
      { "supply_method", "supply_method", NULL }, { NULL } } },
  { "case_event", "case_events", "id", TRUE, {
      { "case_id", "case_id", "''" }, { "action", "action", "''" },
      { "from_stage", "from_stage", NULL }, { "to_stage", "to_stage", NULL },
      { "actor", "actor", NULL }, { "at", "at", "''" }, { "opinion", "opinion", NULL },
      { NULL } } },
  { "opinion", "opinions", "id", TRUE, {
      { "case_id", "case_id", "''" }, { "stage", "stage", "''" }, { "author", "author", "''" },
      { "text", "text", "''" }, { "updated_at", "at", "''" }, { NULL } } },
  { "attachment", "attachments", "id", TRUE, {
      { "case_id", "case_id", "''" }, { "sha256", "sha256", "''" }, { "name", "name", "''" },
      { "size", "size", "0" }, { "mime", "mime", NULL }, { "added_by", "added_by", NULL },
      { "added_at", "at", "''" }, { NULL } } },
  { "case_redline", "case_redlines", "id", TRUE, {
      { "case_id", "case_id", NULL }, { "parcel_no", "parcel_no", NULL },
      { "name", "name", NULL }, { "area_m2", "area_m2", NULL }, { "geom", "geom", NULL },
      { NULL } } },
  { "user", "users", "login", FALSE, {
      { "display_name", "display_name", NULL }, { "role", "role", "''" },
      { "unit", "unit", NULL }, { NULL } } },
};

/* The case fields only workflow actions change: an unacknowledged action keeps them local. */
static const char * const workflow_fields[] = {
  "stage", "status", "suspend_kind", "suspended_on", "closed_on", "assignee", "accepted_on",
  NULL,
};

/* Case fields a user edits directly (ld_store_edit_case). */
static const char * const editable_case_fields[] = {
  "number", "title", "applicant", "project_use", "supply_method", "received_on", NULL,
};

/* ---- helpers ---------------------------------------------------------------------------- */

static char *
dup_column (sqlite3_stmt *stmt,
            int           i)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, i));
}

static const Table *
find_table (const char *entity)
{
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    if (g_strcmp0 (tables[i].entity, entity) == 0)
      return &tables[i];
  return NULL;
}

static const Column *
find_column (const Table *t,
             const char  *member)
{
  for (const Column *c = t->columns; c->column != NULL; c++)
    if (g_str_equal (c->member, member))
      return c;
  return NULL;
}

static char *
node_to_text (JsonNode *node)
{
  if (node == NULL)
    return g_strdup ("null");
  return json_to_string (node, FALSE);
}

static JsonNode *
text_to_node (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL))
    return json_node_init_null (json_node_alloc ());
  return json_parser_steal_root (parser);
}

/* WKT in EPSG:4525 as a GeoPackage geometry blob (little-endian, with its envelope), by GEOS:
 * the base part of the core does without GDAL. */
static guint8 *
wkt_to_gpkg (const char *wkt,
             gsize      *size)
{
  GEOSContextHandle_t geos;
  GEOSWKTReader *reader;
  GEOSWKBWriter *writer;
  GEOSGeometry *geom;
  guint8 *blob = NULL;
  guchar *wkb;
  gsize wkb_size;
  gint32 srs = GINT32_TO_LE (4525);
  double e[4];

  if (wkt == NULL)
    return NULL;
  geos = GEOS_init_r ();
  reader = GEOSWKTReader_create_r (geos);
  writer = GEOSWKBWriter_create_r (geos);
  GEOSWKBWriter_setByteOrder_r (geos, writer, GEOS_WKB_NDR);
  GEOSWKBWriter_setOutputDimension_r (geos, writer, 2);   /* the column is XY */
  geom = GEOSWKTReader_read_r (geos, reader, wkt);
  wkb = geom != NULL ? GEOSWKBWriter_write_r (geos, writer, geom, &wkb_size) : NULL;
  if (wkb != NULL)
    {
      gboolean empty = GEOSisEmpty_r (geos, geom) == 1;
      gsize header = empty ? 8 : 40;   /* an empty geometry carries no envelope */

      *size = header + wkb_size;
      blob = g_malloc (*size);
      blob[0] = 'G';
      blob[1] = 'P';
      blob[2] = 0;
      blob[3] = empty ? 0x11 : 0x03;   /* little-endian; empty, or with an xy envelope */
      memcpy (blob + 4, &srs, 4);
      if (!empty)
        {
          GEOSGeom_getXMin_r (geos, geom, &e[0]);
          GEOSGeom_getXMax_r (geos, geom, &e[1]);
          GEOSGeom_getYMin_r (geos, geom, &e[2]);
          GEOSGeom_getYMax_r (geos, geom, &e[3]);
          for (int i = 0; i < 4; i++)
            {
              guint64 bits;

              memcpy (&bits, &e[i], 8);
              bits = GUINT64_TO_LE (bits);
              memcpy (blob + 8 + 8 * i, &bits, 8);
            }
        }
      memcpy (blob + header, wkb, wkb_size);
      GEOSFree_r (geos, wkb);
    }
  if (geom != NULL)
    GEOSGeom_destroy_r (geos, geom);
  GEOSWKBWriter_destroy_r (geos, writer);
  GEOSWKTReader_destroy_r (geos, reader);
  GEOS_finish_r (geos);
  return blob;
}

/* Binds a JSON value to a column's parameter. */
static void
bind_node (sqlite3_stmt *stmt,
           int           index,
           const Column *column,
           JsonNode     *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      sqlite3_bind_null (stmt, index);
      return;
    }
  if (g_str_equal (column->column, "geom"))
    {
      gsize size = 0;
      guint8 *blob = JSON_NODE_HOLDS_VALUE (node)
                     && json_node_get_value_type (node) == G_TYPE_STRING
                     ? wkt_to_gpkg (json_node_get_string (node), &size) : NULL;

      if (blob != NULL)
        sqlite3_bind_blob (stmt, index, blob, (int) size, g_free);
      else
        sqlite3_bind_null (stmt, index);
      return;
    }
  if (!JSON_NODE_HOLDS_VALUE (node))
    {
      g_autofree char *text = json_to_string (node, FALSE);

      ld_store_bind_text (stmt, index, text);
      return;
    }
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      sqlite3_bind_int64 (stmt, index, json_node_get_int (node));
      break;
    case G_TYPE_DOUBLE:
      sqlite3_bind_double (stmt, index, json_node_get_double (node));
      break;
    case G_TYPE_BOOLEAN:
      sqlite3_bind_int (stmt, index, json_node_get_boolean (node));
      break;
    default:
      ld_store_bind_text (stmt, index, json_node_get_string (node));
      break;
    }
}

/* Recomputes a pulled case's derived columns (deadline, light dates, the stage's role the
 * to-do list selects on, the sort key) inside the caller's transaction, through the store's
 * own ld_store_write_clock(). A missing case, or one whose matter is unknown, is left as it is. */
static gboolean
write_clock (LdStore     *self,
             const char  *case_id,
             GError     **error)
{
  /* by id alone: the store's lookup by id or number scans the table */
  g_auto(sqlite3_stmt_ptr) read =
    ld_store_prepare (self, "SELECT " CASE_COLUMNS " FROM cases WHERE id = ?", error);
  g_autoptr(LdCase) kase = NULL;

  if (read == NULL)
    return FALSE;
  ld_store_bind_text (read, 1, case_id);
  if (sqlite3_step (read) != SQLITE_ROW)
    return TRUE;
  kase = ld_store_case_from_row (read, 0);
  if (ld_matter_list_find (ld_store_get_matters (self), ld_case_get (kase, LD_CASE_MATTER)) == NULL)
    return TRUE;
  return ld_store_write_clock (self, kase, error);
}

/* The fields unacknowledged ops keep local: entity_id -> set of field names. */
static GHashTable *
protected_fields (LdStore  *self,
                  GError  **error)
{
  g_auto(sqlite3_stmt_ptr) stmt =
    ld_store_prepare (self, "SELECT entity_id, kind, op FROM outbox", error);
  GHashTable *map;

  if (stmt == NULL)
    return NULL;
  map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                               (GDestroyNotify) g_hash_table_unref);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);
      const char *kind = (const char *) sqlite3_column_text (stmt, 1);
      g_autoptr(JsonNode) op = text_to_node ((const char *) sqlite3_column_text (stmt, 2));
      GHashTable *set = g_hash_table_lookup (map, id);

      if (set == NULL)
        {
          set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          g_hash_table_insert (map, g_strdup (id), set);
        }
      if (g_strcmp0 (kind, "action") == 0)
        for (guint i = 0; workflow_fields[i] != NULL; i++)
          g_hash_table_add (set, g_strdup (workflow_fields[i]));
      if (g_strcmp0 (kind, "insert") == 0 || g_strcmp0 (kind, "delete") == 0)
        g_hash_table_add (set, g_strdup ("*"));
      if (JSON_NODE_HOLDS_OBJECT (op)
          && json_object_has_member (json_node_get_object (op), "fields")
          && JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (op), "fields")))
        {
          JsonObject *fields = json_object_get_object_member (json_node_get_object (op), "fields");
          g_autoptr(GList) names = json_object_get_members (fields);

          for (GList *l = names; l != NULL; l = l->next)
            g_hash_table_add (set, g_strdup (l->data));
        }
    }
  return map;
}

/* Writing a whole pulled record is an UPDATE of the row, or an INSERT when there is none;
 * parameters ?1 key, ?2 version, ?3... the columns. Not an UPSERT: its conflict clause would
 * override the OR REPLACE of the GeoPackage R-tree triggers, which then fail on an update. */
static char *
update_sql (const Table *t)
{
  GString *sql = g_string_new (NULL);
  guint i = 0;

  g_string_append_printf (sql, "UPDATE %s SET version = ?2", t->table);
  for (const Column *c = t->columns; c->column != NULL; c++, i++)
    {
      if (c->fallback)
        g_string_append_printf (sql, ", %s = coalesce(?%u, %s)", c->column, i + 3, c->fallback);
      else
        g_string_append_printf (sql, ", %s = ?%u", c->column, i + 3);
    }
  g_string_append_printf (sql, " WHERE %s = ?1", t->key);
  return g_string_free (sql, FALSE);
}

static char *
insert_sql (const Table *t)
{
  GString *sql = g_string_new (NULL);
  guint n = 0;

  g_string_append_printf (sql, "INSERT INTO %s (%s, version", t->table, t->key);
  for (const Column *c = t->columns; c->column != NULL; c++, n++)
    g_string_append_printf (sql, ", %s", c->column);
  g_string_append (sql, ") VALUES (?1, ?2");
  for (guint i = 0; i < n; i++)
    {
      if (t->columns[i].fallback)
        g_string_append_printf (sql, ", coalesce(?%u, %s)", i + 3, t->columns[i].fallback);
      else
        g_string_append_printf (sql, ", ?%u", i + 3);
    }
  g_string_append_c (sql, ')');
  return g_string_free (sql, FALSE);
}

typedef struct
{
  sqlite3_stmt *update;
  sqlite3_stmt *insert;
} Writer;

static gboolean
writer_prepare (LdStore      *self,
                const Table  *t,
                Writer       *w,
                GError      **error)
{
  g_autofree char *update = NULL;
  g_autofree char *insert = NULL;

  if (w->update != NULL)
    return TRUE;
  update = update_sql (t);
  insert = insert_sql (t);
  w->update = ld_store_prepare (self, update, error);
  w->insert = w->update ? ld_store_prepare (self, insert, error) : NULL;
  return w->insert != NULL;
}

static void
writer_clear (Writer *w)
{
  g_clear_pointer (&w->update, sqlite3_finalize);
  g_clear_pointer (&w->insert, sqlite3_finalize);
}

static int
run_whole (sqlite3_stmt *stmt,
           const Table  *t,
           const char   *id,
           gint64        version,
           JsonObject   *data)
{
  int index = 3;

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  ld_store_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, version);
  for (const Column *c = t->columns; c->column != NULL; c++)
    bind_node (stmt, index++, c, json_object_get_member (data, c->member));
  return sqlite3_step (stmt);
}

/* Returns SQLite's result: SQLITE_DONE when written. */
static int
write_whole (LdStore     *self,
             Writer      *w,
             const Table *t,
             const char  *id,
             gint64       version,
             JsonObject  *data)
{
  int rc = run_whole (w->update, t, id, version, data);

  if (rc != SQLITE_DONE || sqlite3_changes (ld_store_get_db (self)) > 0)
    return rc;
  return run_whole (w->insert, t, id, version, data);
}

/* A record with local changes: only its unprotected columns (and its version) are written. */
static gboolean
merge_record (LdStore      *self,
              const Table  *t,
              const char   *id,
              gint64        version,
              JsonObject   *data,
              GHashTable   *keep,
              Writer       *writer,
              GError      **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  int index = 3;

  if (g_hash_table_contains (keep, "*"))
    {
      /* A local insert or delete not yet acknowledged: only the version moves. */
      g_string_printf (sql, "UPDATE %s SET version = ?2 WHERE %s = ?1", t->table, t->key);
    }
  else
    {
      g_string_printf (sql, "UPDATE %s SET version = ?2", t->table);
      for (const Column *c = t->columns; c->column != NULL; c++)
        if (!g_hash_table_contains (keep, c->member) && json_object_has_member (data, c->member))
          g_string_append_printf (sql, ", %s = ?%d", c->column, index++);
      g_string_append_printf (sql, " WHERE %s = ?1", t->key);
    }
  stmt = ld_store_prepare (self, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  ld_store_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, version);
  index = 3;
  if (!g_hash_table_contains (keep, "*"))
    for (const Column *c = t->columns; c->column != NULL; c++)
      if (!g_hash_table_contains (keep, c->member) && json_object_has_member (data, c->member))
        bind_node (stmt, index++, c, json_object_get_member (data, c->member));
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return ld_store_fail (self, error, "cannot merge a pulled record");
  if (sqlite3_changes (ld_store_get_db (self)) > 0)
    return TRUE;
  /* Not here (yet): the whole record. */
  if (write_whole (self, writer, t, id, version, data) != SQLITE_DONE)
    return ld_store_fail (self, error, "cannot write a pulled record");
  return TRUE;
}

static const char *
object_string (JsonObject *obj,
               const char *name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
object_int (JsonObject *obj,
            const char *name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;
  return json_node_get_int (node);
}

static gboolean
set_state (LdStore     *self,
           const char  *key,
           const char  *value,
           GError     **error)
{
  g_auto(sqlite3_stmt_ptr) stmt =
    ld_store_prepare (self, "INSERT INTO sync_state (key, value) VALUES (?, ?)"
                            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                      error);

  if (stmt == NULL)
    return FALSE;
  ld_store_bind_text (stmt, 1, key);
  ld_store_bind_text (stmt, 2, value);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return ld_store_fail (self, error, "cannot write the sync state");
  return TRUE;
}

/* ---- reference data: matters, calendars, palettes ---------------------------------------- */

/* Runs one statement with text parameters (NULL ends them); FALSE with @error on failure. */
static gboolean
run_text (LdStore     *self,
          const char  *sql,
          GError     **error,
          ...)
{
  g_auto(sqlite3_stmt_ptr) stmt = ld_store_prepare (self, sql, error);
  va_list args;
  const char *value;
  int i = 1;

  if (stmt == NULL)
    return FALSE;
  va_start (args, error);
  while ((value = va_arg (args, const char *)) != NULL)
    ld_store_bind_text (stmt, i++, value);
  va_end (args);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return ld_store_fail (self, error, "cannot write reference data");
  return TRUE;
}

static gboolean
put_matter (LdStore     *self,
            LdMatter    *m,
            gint64       version,
            GError     **error)
{
  g_autofree char *v = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (version, 1));
  const char *id = ld_matter_get_id (m);

  if (!run_text (self, "INSERT INTO matters (id, json, version) VALUES (?1, ?2, ?3)"
                       " ON CONFLICT (id) DO UPDATE SET json = ?2, version = ?3", error,
                 id, ld_matter_get_json (m), v, NULL)
      || !run_text (self, "DELETE FROM matter_stages WHERE matter = ?", error, id, NULL))
    return FALSE;
  for (guint s = 0; s < ld_matter_get_n_stages (m); s++)
    {
      g_autofree char *idx = g_strdup_printf ("%u", s);

      if (!run_text (self, "INSERT INTO matter_stages (matter, stage, role, idx)"
                           " VALUES (?, ?, ?, ?)", error, id, ld_matter_get_stage_id (m, s),
                     ld_matter_get_stage_role (m, s), idx, NULL))
        return FALSE;
    }
  return TRUE;
}

/* The year a calendar record's text is for, checked by the calendar's own loader. */
static int
calendar_year (const char  *text,
               const char  *origin,
               char       **source,
               GError     **error)
{
  g_autoptr(LdCalendar) scratch = ld_calendar_new ();
  g_autoptr(GArray) years = NULL;
  int year;

  if (!ld_calendar_add_year_json (scratch, text, origin, error))
    return 0;
  years = ld_calendar_get_years (scratch);
  if (years->len != 1)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT, "%s: not one year", origin);
      return 0;
    }
  year = g_array_index (years, int, 0);
  *source = g_strdup (ld_calendar_get_source (scratch, year));
  return year;
}

/*
 * Stores one pulled matter, calendar or palette record (its data: id, file, text) in the
 * store's own copies, which the readers prefer to the shipped files. Returns 1 when stored or
 * deleted, 0 when the record is unusable (logged, the rest of the feed applied), -1 on a
 * store error. Other entities the client does not keep return 1 and change nothing.
 */
static int
apply_reference (LdStore     *self,
                 const char  *entity,
                 const char  *id,
                 gint64       version,
                 gboolean     deleted,
                 JsonObject  *data,
                 GError     **error)
{
  const char *text = object_string (data, "text");
  g_autofree char *origin = g_strdup_printf ("the server's %s %s", entity, id);
  g_autofree char *v = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (version, 1));
  g_autoptr(GError) bad = NULL;

  if (g_str_equal (entity, "matter"))
    {
      g_autoptr(LdMatter) m = NULL;

      if (deleted)
        return run_text (self, "DELETE FROM matter_stages WHERE matter = ?", error, id, NULL)
               && run_text (self, "DELETE FROM matters WHERE id = ?", error, id, NULL) ? 1 : -1;
      m = text ? ld_matter_new_from_json (text, origin, &bad) : NULL;
      if (m != NULL)
        return put_matter (self, m, version, error) ? 1 : -1;
    }
  else if (g_str_equal (entity, "calendar"))
    {
      g_autofree char *source = NULL;
      g_autofree char *year_text = NULL;
      int year;

      if (deleted)
        return run_text (self, "DELETE FROM calendars WHERE year = CAST (? AS INTEGER)", error,
                         id, NULL) ? 1 : -1;
      year = text ? calendar_year (text, origin, &source, &bad) : 0;
      year_text = g_strdup_printf ("%d", year);
      if (year != 0)
        return run_text (self, "INSERT OR REPLACE INTO calendars (year, source, json)"
                               " VALUES (CAST (? AS INTEGER), ?, ?)", error,
                         year_text, source ? source : "", text, NULL) ? 1 : -1;
    }
  else if (g_str_equal (entity, "palette"))
    {
      g_autoptr(LdPalette) palette = NULL;

      if (deleted)
        return run_text (self, "DELETE FROM palettes WHERE id = ?", error, id, NULL) ? 1 : -1;
      palette = text ? ld_palette_new_from_data (text, -1, origin, &bad) : NULL;
      if (palette != NULL)
        return run_text (self, "INSERT INTO palettes (id, text, version) VALUES (?1, ?2, ?3)"
                               " ON CONFLICT (id) DO UPDATE SET text = ?2, version = ?3", error,
                         id, text, v, NULL) ? 1 : -1;
    }
  else
    return 1;
  g_warning ("sync: %s is not stored: %s", origin,
             bad ? bad->message : "its record has no text");
  return 0;
}

/* ---- public API ------------------------------------------------------------------------- */

void
ld_sync_item_free (LdSyncItem *item)
{
  g_free (item->op_id);
  g_free (item->entity);
  g_free (item->entity_id);
  g_free (item->kind);
  g_free (item->state);
  g_free (item->reason);
  g_free (item->created_at);
  g_free (item);
}

void
ld_sync_conflict_free (LdSyncConflict *conflict)
{
  g_free (conflict->op_id);
  g_free (conflict->entity);
  g_free (conflict->entity_id);
  g_free (conflict->field);
  g_free (conflict->base);
  g_free (conflict->mine);
  g_free (conflict->theirs);
  g_free (conflict->created_at);
  g_free (conflict);
}

gboolean
ld_sync_choice_from_string (const char   *text,
                            LdSyncChoice *choice)
{
  if (g_strcmp0 (text, "mine") == 0)
    *choice = LD_SYNC_CHOICE_MINE;
  else if (g_strcmp0 (text, "theirs") == 0)
    *choice = LD_SYNC_CHOICE_THEIRS;
  else if (g_strcmp0 (text, "value") == 0)
    *choice = LD_SYNC_CHOICE_VALUE;
  else
    return FALSE;
  return TRUE;
}

/**
 * ld_store_sync_batch:
 * @after_seq: send only ops after this outbox position (those before were sent in this run)
 * @last_seq: (out): the position of the last op in the batch
 *
 * Returns: (transfer full): the body of POST /api/v1/ops with up to @limit pending ops,
 *   oldest first; *@n_ops is 0 when nothing is left
 */
GString *
ld_store_sync_batch (LdStore  *self,
                     gint64    after_seq,
                     guint     limit,
                     guint    *n_ops,
                     gint64   *last_seq,
                     GError  **error)
{
  g_auto(sqlite3_stmt_ptr) stmt =
    ld_store_prepare (self, "SELECT seq, op FROM outbox WHERE state = 'pending'"
                            " AND seq > ? ORDER BY seq LIMIT ?", error);
  GString *body;
  int rc;

  *n_ops = 0;
  *last_seq = after_seq;
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, after_seq);
  sqlite3_bind_int64 (stmt, 2, limit);
  body = g_string_new ("{\"ops\":[");
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (*n_ops > 0)
        g_string_append_c (body, ',');
      g_string_append_len (body, (const char *) sqlite3_column_text (stmt, 1),
                           sqlite3_column_bytes (stmt, 1));
      *last_seq = sqlite3_column_int64 (stmt, 0);
      (*n_ops)++;
    }
  if (rc != SQLITE_DONE)
    {
      g_string_free (body, TRUE);
      ld_store_fail (self, error, "cannot read the outbox");
      return NULL;
    }
  g_string_append (body, "]}");
  return body;
}

/**
 * ld_store_sync_ack:
 * @results: the "results" of POST /api/v1/ops
 *
 * Stores what the server answered, in one transaction.
 */
gboolean
ld_store_sync_ack (LdStore       *self,
                   JsonArray     *results,
                   LdSyncCounts  *counts,
                   GError       **error)
{
  g_auto(sqlite3_stmt_ptr) find = NULL;
  g_auto(sqlite3_stmt_ptr) del = NULL;
  g_auto(sqlite3_stmt_ptr) mark = NULL;
  g_auto(sqlite3_stmt_ptr) conflict = NULL;
  g_autofree char *now = ld_store_now ();

  if (!ld_store_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  find = ld_store_prepare (self, "SELECT entity, entity_id FROM outbox WHERE op_id = ?", error);
  del = ld_store_prepare (self, "DELETE FROM outbox WHERE op_id = ?", error);
  mark = ld_store_prepare (self, "UPDATE outbox SET state = ?2, reason = ?3, tries = tries + 1"
                                 " WHERE op_id = ?1", error);
  conflict =
    ld_store_prepare (self, "INSERT INTO conflicts (id, op_id, entity, entity_id, field, base,"
                            " mine, theirs, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (find == NULL || del == NULL || mark == NULL || conflict == NULL)
    goto fail;

  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonNode *node = json_array_get_element (results, i);
      JsonObject *r = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *op_id = object_string (r, "op_id");
      const char *result = object_string (r, "result");
      const char *reason = object_string (r, "reason");
      g_autofree char *entity = NULL;
      g_autofree char *entity_id = NULL;

      if (op_id == NULL || result == NULL)
        {
          g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_SQL,
                       "the server's answer has no op_id or result in results[%u]", i);
          goto fail;
        }
      sqlite3_reset (find);
      ld_store_bind_text (find, 1, op_id);
      if (sqlite3_step (find) != SQLITE_ROW)
        continue;   /* not ours (any more) */
      entity = dup_column (find, 0);
      entity_id = dup_column (find, 1);

      if (g_str_equal (result, "applied") || g_str_equal (result, "duplicate"))
        {
          const Table *t = find_table (entity);
          gint64 version = object_int (r, "version");

          if (g_str_equal (result, "applied"))
            counts->applied++;
          else
            counts->duplicates++;
          sqlite3_reset (del);
          ld_store_bind_text (del, 1, op_id);
          if (sqlite3_step (del) != SQLITE_DONE)
            {
              ld_store_fail (self, error, "cannot update the outbox");
              goto fail;
            }
          if (t != NULL && version > 0)
            {
              g_autofree char *sql = g_strdup_printf ("UPDATE %s SET version = ? WHERE %s = ?",
                                                      t->table, t->key);
              g_auto(sqlite3_stmt_ptr) v = ld_store_prepare (self, sql, error);

              if (v == NULL)
                goto fail;
              sqlite3_bind_int64 (v, 1, version);
              ld_store_bind_text (v, 2, entity_id);
              if (sqlite3_step (v) != SQLITE_DONE)
                {
                  ld_store_fail (self, error, "cannot store a version");
                  goto fail;
                }
            }
        }
      else if (g_str_equal (result, "conflict"))
        {
          JsonNode *cn = json_object_get_member (r, "conflicts");
          JsonArray *list = cn && JSON_NODE_HOLDS_ARRAY (cn) ? json_node_get_array (cn) : NULL;

          counts->conflicts++;
          sqlite3_reset (mark);
          ld_store_bind_text (mark, 1, op_id);
          ld_store_bind_text (mark, 2, "conflict");
          ld_store_bind_text (mark, 3, "conflict: the same field was changed on the server");
          if (sqlite3_step (mark) != SQLITE_DONE)
            {
              ld_store_fail (self, error, "cannot update the outbox");
              goto fail;
            }
          for (guint k = 0; list != NULL && k < json_array_get_length (list); k++)
            {
              JsonObject *c = json_array_get_object_element (list, k);
              g_autofree char *id = g_uuid_string_random ();
              g_autofree char *base = node_to_text (json_object_get_member (c, "base"));
              g_autofree char *mine = node_to_text (json_object_get_member (c, "mine"));
              g_autofree char *theirs = node_to_text (json_object_get_member (c, "theirs"));

              sqlite3_reset (conflict);
              ld_store_bind_text (conflict, 1, id);
              ld_store_bind_text (conflict, 2, op_id);
              ld_store_bind_text (conflict, 3, entity);
              ld_store_bind_text (conflict, 4, entity_id);
              ld_store_bind_text (conflict, 5, object_string (c, "field"));
              ld_store_bind_text (conflict, 6, base);
              ld_store_bind_text (conflict, 7, mine);
              ld_store_bind_text (conflict, 8, theirs);
              ld_store_bind_text (conflict, 9, now);
              if (sqlite3_step (conflict) != SQLITE_DONE)
                {
                  ld_store_fail (self, error, "cannot store a conflict");
                  goto fail;
                }
            }
        }
      else
        {
          /* rejected: a missing blob stays pending (sent again once the blob is up). */
          gboolean later = reason != NULL && g_str_has_prefix (reason, "missing blob");

          counts->rejected++;
          sqlite3_reset (mark);
          ld_store_bind_text (mark, 1, op_id);
          ld_store_bind_text (mark, 2, later ? "pending" : "rejected");
          ld_store_bind_text (mark, 3, reason ? reason : result);
          if (sqlite3_step (mark) != SQLITE_DONE)
            {
              ld_store_fail (self, error, "cannot update the outbox");
              goto fail;
            }
        }
    }
  if (!ld_store_exec (self, "COMMIT", error))
    goto fail;
  return TRUE;

fail:
  ld_store_rollback (self);
  return FALSE;
}

gint64
ld_store_sync_get_cursor (LdStore *self)
{
  g_autofree char *text = ld_store_sync_get_state (self, "cursor");

  return text ? g_ascii_strtoll (text, NULL, 10) : 0;
}

/**
 * ld_store_sync_apply_changes:
 * @changes: the "changes" of GET /api/v1/changes
 * @next: the page's "next" cursor, stored in the same transaction
 *
 * Applies one page of the change feed. Records with unacknowledged local ops are merged field
 * by field: the fields those ops change keep their local values.
 */
gboolean
ld_store_sync_apply_changes (LdStore       *self,
                             JsonArray     *changes,
                             gint64         next,
                             LdSyncCounts  *counts,
                             GError       **error)
{
  g_autoptr(GHashTable) keep = NULL;
  g_autoptr(GHashTable) cases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Writer writers[G_N_ELEMENTS (tables)] = { { NULL } };
  g_autofree char *cursor = g_strdup_printf ("%" G_GINT64_FORMAT, next);
  sqlite3 *db = ld_store_get_db (self);
  gboolean redlines = FALSE;
  gboolean reference = FALSE;
  gboolean ok = FALSE;
  GHashTableIter iter;
  gpointer key;

  /* The server is the authority on what exists: a record whose case this user cannot see
   * (their own opinion on a case reassigned away) is kept, not refused. */
  if (!ld_store_exec (self, "PRAGMA foreign_keys = OFF", error))
    return FALSE;
  if (!ld_store_exec (self, "BEGIN IMMEDIATE", error))
    goto out;
  keep = protected_fields (self, error);
  if (keep == NULL)
    goto out;

  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      JsonNode *node = json_array_get_element (changes, i);
      JsonObject *c = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *entity = object_string (c, "entity");
      const char *id = object_string (c, "entity_id");
      JsonNode *data_node = c ? json_object_get_member (c, "data") : NULL;
      JsonObject *data = data_node && JSON_NODE_HOLDS_OBJECT (data_node)
                         ? json_node_get_object (data_node) : NULL;
      gboolean deleted = c && json_object_has_member (c, "deleted")
                         && json_object_get_boolean_member (c, "deleted");
      gint64 version = object_int (c, "version");
      const Table *t = find_table (entity);
      guint ti = t ? (guint) (t - tables) : 0;
      GHashTable *mine;

      if (c == NULL || id == NULL)
        {
          g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_SQL,
                       "the server's change feed has an entry without entity_id (changes[%u])",
                       i);
          goto out;
        }
      counts->pulled++;
      if (t == NULL)
        {
          int rc = apply_reference (self, entity, id, version, deleted, data, error);

          if (rc < 0)
            goto out;
          if (rc == 0)
            counts->skipped++;
          else if (entity != NULL && !g_str_equal (entity, "user"))
            reference = TRUE;
          continue;
        }
      mine = g_hash_table_lookup (keep, id);
      if (g_str_equal (entity, "case"))
        g_hash_table_add (cases, g_strdup (id));
      else if (g_str_equal (entity, "case_event") && object_string (data, "case_id"))
        g_hash_table_add (cases, g_strdup (object_string (data, "case_id")));
      if (g_str_equal (entity, "case_redline"))
        redlines = TRUE;

      if (deleted)
        {
          g_autofree char *sql = NULL;

          if (mine != NULL)
            continue;   /* local ops on it: the push reports the conflict */
          sql = g_strdup_printf ("DELETE FROM %s WHERE %s = ?", t->table, t->key);
          {
            g_auto(sqlite3_stmt_ptr) stmt = ld_store_prepare (self, sql, error);

            if (stmt == NULL)
              goto out;
            ld_store_bind_text (stmt, 1, id);
            if (sqlite3_step (stmt) != SQLITE_DONE)
              {
                ld_store_fail (self, error, "cannot delete a record");
                goto out;
              }
          }
          if (g_str_equal (entity, "case"))
            {
              static const char * const children[] = {
                "DELETE FROM case_events WHERE case_id = ?",
                "DELETE FROM opinions WHERE case_id = ?",
                "DELETE FROM attachments WHERE case_id = ?",
                "DELETE FROM case_redlines WHERE case_id = ?",
              };

              for (guint k = 0; k < G_N_ELEMENTS (children); k++)
                {
                  g_auto(sqlite3_stmt_ptr) stmt = ld_store_prepare (self, children[k], error);

                  if (stmt == NULL)
                    goto out;
                  ld_store_bind_text (stmt, 1, id);
                  if (sqlite3_step (stmt) != SQLITE_DONE)
                    {
                      ld_store_fail (self, error, "cannot delete a case's records");
                      goto out;
                    }
                }
              g_hash_table_remove (cases, id);
            }
          continue;
        }
      if (data == NULL)
        continue;

      if (!writer_prepare (self, t, &writers[ti], error))
        goto out;
      if (mine != NULL)
        {
          if (!merge_record (self, t, id, version, data, mine, &writers[ti], error))
            goto out;
          continue;
        }
      {
        int rc = write_whole (self, &writers[ti], t, id, version, data);

        if (rc == SQLITE_CONSTRAINT)
          {
            /* One bad record must not stop the feed: it is reported and the rest applied. */
            g_warning ("sync: %s %s (change %" G_GINT64_FORMAT ") is not stored: %s", entity, id,
                       object_int (c, "seq"), sqlite3_errmsg (db));
            counts->skipped++;
          }
        else if (rc != SQLITE_DONE)
          {
            ld_store_fail (self, error, "cannot write a pulled record");
            goto out;
          }
      }
    }

  g_hash_table_iter_init (&iter, cases);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!write_clock (self, key, error))
      goto out;
  if (redlines && !ld_store_exec (self, "UPDATE gpkg_ogr_contents SET feature_count ="
                                        " (SELECT count(*) FROM case_redlines)"
                                        " WHERE table_name = 'case_redlines'", error))
    goto out;
  if (!set_state (self, "cursor", cursor, error) || !ld_store_exec (self, "COMMIT", error))
    goto out;
  ok = TRUE;

out:
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    writer_clear (&writers[i]);
  if (!ok)
    ld_store_rollback (self);
  sqlite3_exec (db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
  /* New matters or calendars: this connection reads them now, and every deadline is computed
   * again on them (ld_store_refresh_clocks() also catches up at the next open after a crash). */
  if (ok && reference)
    ok = ld_store_load_reference_data (self, error) && ld_store_refresh_clocks (self, error);
  return ok;
}

char *
ld_store_sync_get_state (LdStore    *self,
                         const char *key)
{
  g_auto(sqlite3_stmt_ptr) stmt =
    ld_store_prepare (self, "SELECT value FROM sync_state WHERE key = ?", NULL);

  if (stmt == NULL)
    return NULL;
  ld_store_bind_text (stmt, 1, key);
  return sqlite3_step (stmt) == SQLITE_ROW ? dup_column (stmt, 0) : NULL;
}

gboolean
ld_store_sync_set_state (LdStore     *self,
                         const char  *key,
                         const char  *value,
                         GError     **error)
{
  return set_state (self, key, value, error);
}

/* Returns: (transfer full) (element-type utf8): SHA-256 of the blobs pending ops reference */
GPtrArray *
ld_store_sync_blobs_to_upload (LdStore  *self,
                               GError  **error)
{
  g_auto(sqlite3_stmt_ptr) stmt =
    ld_store_prepare (self, "SELECT DISTINCT json_extract (op, '$.fields.sha256.value')"
                            " FROM outbox WHERE state = 'pending'"
                            " AND entity = 'attachment'", error);
  GPtrArray *out;

  if (stmt == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func (g_free);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    if (sqlite3_column_text (stmt, 0) != NULL)
      g_ptr_array_add (out, dup_column (stmt, 0));
  return out;
}

/* Returns: (transfer full) (element-type utf8): SHA-256 of attachments without their content */
GPtrArray *
ld_store_sync_missing_blobs (LdStore  *self,
                             GError  **error)
{
  g_auto(sqlite3_stmt_ptr) stmt =
    ld_store_prepare (self, "SELECT DISTINCT sha256 FROM attachments", error);
  GPtrArray *out;

  if (stmt == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func (g_free);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *sha = (const char *) sqlite3_column_text (stmt, 0);
      g_autofree char *path = NULL;

      if (sha == NULL || strlen (sha) != 64)
        continue;
      path = ld_store_dup_blob_path (self, sha);
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        g_ptr_array_add (out, g_strdup (sha));
    }
  return out;
}

/* Returns: (transfer full) (element-type LdSyncItem): every op not yet acknowledged */
GPtrArray *
ld_store_sync_list_outbox (LdStore  *self,
                           GError  **error)
{
  g_auto(sqlite3_stmt_ptr) stmt =
    ld_store_prepare (self, "SELECT seq, op_id, entity, entity_id, kind, state,"
                            " reason, created_at FROM outbox ORDER BY seq", error);
  GPtrArray *out;

  if (stmt == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) ld_sync_item_free);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      LdSyncItem *item = g_new0 (LdSyncItem, 1);

      item->seq = sqlite3_column_int64 (stmt, 0);
      item->op_id = dup_column (stmt, 1);
      item->entity = dup_column (stmt, 2);
      item->entity_id = dup_column (stmt, 3);
      item->kind = dup_column (stmt, 4);
      item->state = dup_column (stmt, 5);
      item->reason = dup_column (stmt, 6);
      item->created_at = dup_column (stmt, 7);
      g_ptr_array_add (out, item);
    }
  return out;
}

/* Returns: (transfer full) (element-type LdSyncConflict): the unresolved conflicts */
GPtrArray *
ld_store_sync_list_conflicts (LdStore  *self,
                              GError  **error)
{
  g_auto(sqlite3_stmt_ptr) stmt =
    ld_store_prepare (self, "SELECT fid, op_id, entity, entity_id, field, base, mine,"
                            " theirs, created_at FROM conflicts"
                            " WHERE resolved_at IS NULL ORDER BY fid", error);
  GPtrArray *out;

  if (stmt == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) ld_sync_conflict_free);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      LdSyncConflict *c = g_new0 (LdSyncConflict, 1);

      c->id = sqlite3_column_int64 (stmt, 0);
      c->op_id = dup_column (stmt, 1);
      c->entity = dup_column (stmt, 2);
      c->entity_id = dup_column (stmt, 3);
      c->field = dup_column (stmt, 4);
      c->base = dup_column (stmt, 5);
      c->mine = dup_column (stmt, 6);
      c->theirs = dup_column (stmt, 7);
      c->created_at = dup_column (stmt, 8);
      g_ptr_array_add (out, c);
    }
  return out;
}

void
ld_store_sync_count (LdStore *self,
                     guint   *pending,
                     guint   *failed,
                     guint   *conflicts)
{
  g_auto(sqlite3_stmt_ptr) stmt =
    ld_store_prepare (self, "SELECT (SELECT count(*) FROM outbox WHERE state ="
                            " 'pending'), (SELECT count(*) FROM outbox WHERE state ="
                            " 'rejected'), (SELECT count(*) FROM conflicts WHERE"
                            " resolved_at IS NULL)", NULL);

  *pending = *failed = *conflicts = 0;
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      *pending = (guint) sqlite3_column_int (stmt, 0);
      *failed = (guint) sqlite3_column_int (stmt, 1);
      *conflicts = (guint) sqlite3_column_int (stmt, 2);
    }
}

/* Sends the rejected ops again at the next sync (once their cause is fixed). */
gboolean
ld_store_sync_retry_failed (LdStore  *self,
                            GError  **error)
{
  return ld_store_exec (self, "UPDATE outbox SET state = 'pending' WHERE state = 'rejected'",
                        error);
}

static gboolean
write_op (LdStore     *self,
          const char  *op_id,
          const char  *entity,
          const char  *entity_id,
          const char  *kind,
          gint64       base_version,
          JsonObject  *fields,
          const char  *login,
          GError     **error)
{
  g_autoptr(JsonObject) op = json_object_new ();
  g_autoptr(JsonNode) root = json_node_alloc ();
  g_autofree char *text = NULL;
  g_autofree char *now = ld_store_now ();
  g_auto(sqlite3_stmt_ptr) stmt = NULL;

  json_object_set_string_member (op, "op_id", op_id);
  json_object_set_string_member (op, "entity", entity);
  json_object_set_string_member (op, "entity_id", entity_id);
  json_object_set_string_member (op, "kind", kind);
  json_object_set_int_member (op, "base_version", base_version);
  if (fields != NULL)
    json_object_set_object_member (op, "fields", json_object_ref (fields));
  json_object_set_string_member (op, "user", login);
  json_object_set_string_member (op, "at", now);
  json_node_init_object (root, op);
  text = json_to_string (root, FALSE);
  stmt =
    ld_store_prepare (self, "INSERT INTO outbox (op_id, entity, entity_id, kind, base_version, op,"
                            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  ld_store_bind_text (stmt, 1, op_id);
  ld_store_bind_text (stmt, 2, entity);
  ld_store_bind_text (stmt, 3, entity_id);
  ld_store_bind_text (stmt, 4, kind);
  sqlite3_bind_int64 (stmt, 5, base_version);
  ld_store_bind_text (stmt, 6, text);
  ld_store_bind_text (stmt, 7, now);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return ld_store_fail (self, error, "cannot write the outbox");
  return TRUE;
}

/**
 * ld_store_edit_case:
 * @field: number, title, applicant, project_use, supply_method or received_on
 * @value: (nullable): the new value
 *
 * Changes one field of a case: the change and its op (with the base value) in ONE transaction.
 */
gboolean
ld_store_edit_case (LdStore     *self,
                    const char  *id_or_number,
                    const char  *login,
                    const char  *field,
                    const char  *value,
                    GError     **error)
{
  g_autofree char *sql = NULL;
  g_autofree char *id = NULL;
  g_autofree char *old = NULL;
  g_autofree char *op_id = g_uuid_string_random ();
  g_autoptr(JsonObject) fields = json_object_new ();
  JsonObject *f = json_object_new ();
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  gint64 version;

  if (!g_strv_contains (editable_case_fields, field))
    {
      g_autofree char *list = g_strjoinv (", ", (char **) editable_case_fields);

      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_NOT_FOUND,
                   "field %s cannot be edited; a case's editable fields are %s", field, list);
      json_object_unref (f);
      return FALSE;
    }
  if (!ld_store_exec (self, "BEGIN IMMEDIATE", error))
    {
      json_object_unref (f);
      return FALSE;
    }
  sql = g_strdup_printf ("SELECT id, %s, version FROM cases WHERE id = ?1 OR number = ?1 LIMIT 1",
                         field);
  stmt = ld_store_prepare (self, sql, error);
  if (stmt == NULL)
    goto fail;
  ld_store_bind_text (stmt, 1, id_or_number);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_NOT_FOUND,
                   "store %s has no case '%s' (give its number or its UUID)",
                   ld_store_get_path (self), id_or_number);
      goto fail;
    }
  id = dup_column (stmt, 0);
  old = dup_column (stmt, 1);
  version = sqlite3_column_int64 (stmt, 2);
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_free (sql);
  sql = g_strdup_printf ("UPDATE cases SET %s = ? WHERE id = ?", field);
  stmt = ld_store_prepare (self, sql, error);
  if (stmt == NULL)
    goto fail;
  ld_store_bind_text (stmt, 1, value);
  ld_store_bind_text (stmt, 2, id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      ld_store_fail (self, error, "cannot write the case");
      goto fail;
    }
  if (old)
    json_object_set_string_member (f, "base", old);
  else
    json_object_set_null_member (f, "base");
  if (value)
    json_object_set_string_member (f, "value", value);
  else
    json_object_set_null_member (f, "value");
  json_object_set_object_member (fields, field, g_steal_pointer (&f));
  if (!write_op (self, op_id, "case", id, "update", version, fields, login, error)
      || !ld_store_exec (self, "COMMIT", error))
    goto fail;
  return TRUE;

fail:
  if (f != NULL)
    json_object_unref (f);
  ld_store_rollback (self);
  return FALSE;
}

/* Writes @value into the local record's field. */
static gboolean
set_local_field (LdStore     *self,
                 const char  *entity,
                 const char  *entity_id,
                 const char  *field,
                 JsonNode    *value,
                 GError     **error)
{
  const Table *t = find_table (entity);
  const Column *col = t ? find_column (t, field) : NULL;
  g_autofree char *sql = NULL;
  g_auto(sqlite3_stmt_ptr) stmt = NULL;

  if (col == NULL)
    return TRUE;   /* not a field the store keeps */
  sql = g_strdup_printf ("UPDATE %s SET %s = ? WHERE %s = ?", t->table, col->column, t->key);
  stmt = ld_store_prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;
  bind_node (stmt, 1, col, value);
  ld_store_bind_text (stmt, 2, entity_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return ld_store_fail (self, error, "cannot write the resolved value");
  return TRUE;
}

/**
 * ld_store_sync_resolve:
 * @value: (nullable): the value for %LD_SYNC_CHOICE_VALUE
 * @login: (nullable): who resolves; NULL: the author of the conflicted op
 *
 * Resolves one conflicted field: the local record takes the chosen value. When it was the op's
 * last open conflict, a new op replaces the conflicted one (its base the server's values), so
 * the next sync sends the resolution. All in one transaction.
 */
gboolean
ld_store_sync_resolve (LdStore       *self,
                       gint64         conflict_id,
                       LdSyncChoice   choice,
                       JsonNode      *value,
                       const char    *login,
                       GError       **error)
{
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  g_autofree char *op_id = NULL;
  g_autofree char *entity = NULL;
  g_autofree char *entity_id = NULL;
  g_autofree char *field = NULL;
  g_autofree char *now = ld_store_now ();
  g_autofree char *chosen_text = NULL;
  g_autoptr(JsonNode) chosen = NULL;
  g_autoptr(JsonNode) theirs = NULL;
  g_autoptr(JsonNode) original = NULL;
  gint64 open_left;

  if (choice == LD_SYNC_CHOICE_VALUE && value == NULL)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_NOT_FOUND,
                   "conflict %" G_GINT64_FORMAT ": give the value to keep", conflict_id);
      return FALSE;
    }
  if (!ld_store_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  stmt =
    ld_store_prepare (self, "SELECT op_id, entity, entity_id, field, mine, theirs FROM conflicts"
                            " WHERE fid = ? AND resolved_at IS NULL", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, conflict_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_NOT_FOUND,
                   "store %s has no open conflict %" G_GINT64_FORMAT "; list them with"
                   " 'landdesk-cli sync --conflicts'", ld_store_get_path (self), conflict_id);
      goto fail;
    }
  op_id = dup_column (stmt, 0);
  entity = dup_column (stmt, 1);
  entity_id = dup_column (stmt, 2);
  field = dup_column (stmt, 3);
  theirs = text_to_node ((const char *) sqlite3_column_text (stmt, 5));
  chosen = choice == LD_SYNC_CHOICE_MINE
           ? text_to_node ((const char *) sqlite3_column_text (stmt, 4))
           : choice == LD_SYNC_CHOICE_THEIRS ? json_node_copy (theirs) : json_node_copy (value);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (g_str_equal (field, "deleted") && choice != LD_SYNC_CHOICE_THEIRS)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_NOT_FOUND,
                   "%s %s was deleted on the server; only 'theirs' resolves this conflict",
                   entity, entity_id);
      goto fail;
    }
  chosen_text = node_to_text (chosen);
  stmt =
    ld_store_prepare (self, "UPDATE conflicts SET resolved_at = ?, resolution = ? WHERE fid = ?",
                      error);
  if (stmt == NULL)
    goto fail;
  ld_store_bind_text (stmt, 1, now);
  ld_store_bind_text (stmt, 2, chosen_text);
  sqlite3_bind_int64 (stmt, 3, conflict_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      ld_store_fail (self, error, "cannot resolve the conflict");
      goto fail;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (!g_str_equal (field, "deleted") && !g_str_equal (field, "version")
      && !set_local_field (self, entity, entity_id, field, chosen, error))
    goto fail;

  stmt =
    ld_store_prepare (self, "SELECT count(*) FROM conflicts"
                            " WHERE op_id = ? AND resolved_at IS NULL", error);
  if (stmt == NULL)
    goto fail;
  ld_store_bind_text (stmt, 1, op_id);
  sqlite3_step (stmt);
  open_left = sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (open_left == 0)
    {
      g_auto(sqlite3_stmt_ptr) res = NULL;
      g_autofree char *kind = NULL;
      g_autofree char *new_id = g_uuid_string_random ();
      JsonObject *op;
      JsonObject *fields = NULL;
      gint64 version = 0;
      gboolean drop = FALSE;

      stmt = ld_store_prepare (self, "SELECT op, kind FROM outbox WHERE op_id = ?", error);
      if (stmt == NULL)
        goto fail;
      ld_store_bind_text (stmt, 1, op_id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          original = text_to_node ((const char *) sqlite3_column_text (stmt, 0));
          kind = dup_column (stmt, 1);
        }
      g_clear_pointer (&stmt, sqlite3_finalize);

      if (original != NULL && JSON_NODE_HOLDS_OBJECT (original))
        {
          op = json_node_get_object (original);
          fields = json_object_has_member (op, "fields")
                   ? json_object_get_object_member (op, "fields") : NULL;
          /* Each conflicted field: base the server's value, value the chosen one. */
          res =
            ld_store_prepare (self, "SELECT field, theirs, resolution FROM conflicts"
                                    " WHERE op_id = ?", error);
          if (res == NULL)
            goto fail;
          ld_store_bind_text (res, 1, op_id);
          while (sqlite3_step (res) == SQLITE_ROW)
            {
              const char *name = (const char *) sqlite3_column_text (res, 0);
              JsonNode *t = text_to_node ((const char *) sqlite3_column_text (res, 1));
              JsonNode *r = text_to_node ((const char *) sqlite3_column_text (res, 2));

              if (g_str_equal (name, "deleted"))
                drop = TRUE;   /* theirs: the record is gone; the op has nothing to do */
              else if (g_str_equal (name, "version"))
                {
                  /* a delete against a newer version: mine deletes it at that version */
                  if (json_node_equal (r, t))
                    drop = TRUE;
                  else
                    version = JSON_NODE_HOLDS_VALUE (t) ? json_node_get_int (t) : 0;
                }
              else if (fields != NULL && json_object_has_member (fields, name))
                {
                  JsonObject *f = json_object_get_object_member (fields, name);

                  json_object_set_member (f, "base", json_node_copy (t));
                  json_object_set_member (f, "value", json_node_copy (r));
                }
              json_node_unref (t);
              json_node_unref (r);
            }
          if (version == 0)
            {
              const Table *t = find_table (entity);

              if (t != NULL)
                {
                  g_autofree char *sql = g_strdup_printf ("SELECT version FROM %s WHERE %s = ?",
                                                          t->table, t->key);
                  g_auto(sqlite3_stmt_ptr) v = ld_store_prepare (self, sql, error);

                  if (v == NULL)
                    goto fail;
                  ld_store_bind_text (v, 1, entity_id);
                  if (sqlite3_step (v) == SQLITE_ROW)
                    version = sqlite3_column_int64 (v, 0);
                }
            }
          if (!drop && !write_op (self, new_id, entity, entity_id, kind, version, fields,
                                  login ? login
                                  : json_object_get_string_member_with_default (op, "user", ""),
                                  error))
            goto fail;
          if (drop && g_str_equal (field, "deleted"))
            {
              const Table *t = find_table (entity);

              if (t != NULL)
                {
                  g_autofree char *sql = g_strdup_printf ("DELETE FROM %s WHERE %s = ?",
                                                          t->table, t->key);
                  g_auto(sqlite3_stmt_ptr) d = ld_store_prepare (self, sql, error);

                  if (d == NULL)
                    goto fail;
                  ld_store_bind_text (d, 1, entity_id);
                  if (sqlite3_step (d) != SQLITE_DONE)
                    {
                      ld_store_fail (self, error, "cannot delete the record");
                      goto fail;
                    }
                }
            }
        }
      stmt = ld_store_prepare (self, "DELETE FROM outbox WHERE op_id = ?", error);
      if (stmt == NULL)
        goto fail;
      ld_store_bind_text (stmt, 1, op_id);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          ld_store_fail (self, error, "cannot update the outbox");
          goto fail;
        }
    }
  if (!ld_store_exec (self, "COMMIT", error))
    goto fail;
  return TRUE;

fail:
  ld_store_rollback (self);
  return FALSE;
}

/**
 * ld_store_sync_reload_reference:
 *
 * Reads the store's matters and calendars again (another connection, the sync's, stored new
 * ones from the server): for the window's store after a sync.
 */
gboolean
ld_store_sync_reload_reference (LdStore  *self,
                                GError  **error)
{
  return ld_store_load_reference_data (self, error);
}

/**
 * ld_store_sync_load_palette:
 * @store_path: (nullable): a LandDesk store; NULL, or a GeoPackage without synced palettes,
 *   gives the shipped palette
 * @table: the layer, e.g. "xz_dltb" (the palette data/styles/TABLE.csv)
 *
 * The palette the server delivered for @table when the store has one, else the shipped file.
 */
LdPalette *
ld_store_sync_load_palette (const char  *store_path,
                            const char  *table,
                            GError     **error)
{
  g_autofree char *name = g_strconcat (table, ".csv", NULL);
  g_autofree char *shipped = ld_paths_data_file ("styles", name, NULL);
  sqlite3 *db = NULL;

  if (store_path != NULL
      && sqlite3_open_v2 (store_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
    {
      sqlite3_stmt *stmt = NULL;
      LdPalette *palette = NULL;

      /* a store from before schema 8, or another GeoPackage, has no palettes table */
      if (sqlite3_prepare_v2 (db, "SELECT text FROM palettes WHERE id = ?", -1, &stmt, NULL)
          == SQLITE_OK)
        {
          sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            {
              g_autofree char *origin = g_strdup_printf ("%s: palettes, %s", store_path, table);
              g_autoptr(GError) local = NULL;

              palette = ld_palette_new_from_data ((const char *) sqlite3_column_text (stmt, 0),
                                                  -1, origin, &local);
              if (palette == NULL)
                g_warning ("%s; the shipped palette serves", local->message);
            }
          sqlite3_finalize (stmt);
        }
      sqlite3_close (db);
      if (palette != NULL)
        return palette;
    }
  else if (db != NULL)
    sqlite3_close (db);
  return ld_palette_new_from_file (shipped, error);
}
