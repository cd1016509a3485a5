/* ld-store.c: the local store, one GeoPackage file per user profile
 *
 * Application tables (cases, case_events, opinions, attachments, users, outbox, ...) live beside
 * the feature tables (case_redlines and the layers copied from the server or the demo) in one
 * GeoPackage that GDAL and QGIS open. Every user edit is one transaction that writes the change
 * and its outbox op.
 *
 * PRAGMA user_version carries both numbers a reader needs: GeoPackage 1.2 files have
 * 10200 + patch, and the patch is our schema version (10201 = schema 1). GDAL accepts
 * 10200-10298 without a warning.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sqlite3.h>
/* GDAL's headers test __clang_major__ without defining it; -Werror=undef would reject them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ld-clock.h"
#include "ld-matter.h"
#include "ld-paths.h"
#include "ld-store.h"
#include "ld-store-sync-private.h"
#include "ld-workflow.h"

#define GPKG_APPLICATION_ID 0x47504B47   /* "GPKG" */
#define GPKG_USER_VERSION_BASE 10200

struct _LdStore
{
  GObject               parent_instance;

  char                 *path;
  sqlite3              *db;
  int                   version;
  LdCalendar           *calendar;
  GListModel           *matters;
  LdStoreStatementHook  hook;
  gpointer              hook_data;
};

G_DEFINE_FINAL_TYPE (LdStore, ld_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-store-error-quark, ld_store_error)

/* ---- the schema, as migration steps ---------------------------------------------------- */

static const char schema_1[] =
  /* GeoPackage core */
  "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,"
  " organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,"
  " definition TEXT NOT NULL, description TEXT);"
  "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,"
  " identifier TEXT UNIQUE, description TEXT DEFAULT '',"
  " last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
  " min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,"
  " CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));"
  "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,"
  " geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL,"
  " m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),"
  " CONSTRAINT uk_gc_table_name UNIQUE (table_name),"
  " CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),"
  " CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));"
  "CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT,"
  " extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL,"
  " CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));"
  "CREATE TABLE gpkg_ogr_contents (table_name TEXT NOT NULL PRIMARY KEY,"
  " feature_count INTEGER DEFAULT NULL);"
  "INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1,"
  " 'undefined', 'undefined cartesian coordinate reference system');"
  "INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0,"
  " 'undefined', 'undefined geographic coordinate reference system');"
  /* users, cases and their red lines, the stage log */
  "CREATE TABLE users (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
  " login TEXT NOT NULL UNIQUE, display_name TEXT, role TEXT NOT NULL, unit TEXT,"
  " version INTEGER NOT NULL DEFAULT 1);"
  "CREATE TABLE cases (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
  " id TEXT NOT NULL UNIQUE, number TEXT, matter TEXT NOT NULL, title TEXT, applicant TEXT,"
  " project_use TEXT, stage TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'active'"
  " CHECK (status IN ('active', 'suspended', 'closed', 'refused')),"
  " suspend_kind TEXT CHECK (suspend_kind IN ('correction', 'special')), suspended_on TEXT,"
  " assignee TEXT, received_on TEXT, accepted_on TEXT, closed_on TEXT, supply_method TEXT,"
  " version INTEGER NOT NULL DEFAULT 1);"
  "CREATE TABLE case_events (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
  " id TEXT NOT NULL UNIQUE, case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
  " action TEXT NOT NULL, from_stage TEXT, to_stage TEXT, actor TEXT, at TEXT NOT NULL,"
  " opinion TEXT, version INTEGER NOT NULL DEFAULT 1);"
  "CREATE INDEX case_events_case ON case_events (case_id, at);"
  "CREATE TABLE case_redlines (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
  " geom MULTIPOLYGON, id TEXT NOT NULL UNIQUE,"
  " case_id TEXT REFERENCES cases(id) ON DELETE CASCADE, parcel_no TEXT, name TEXT,"
  " area_m2 REAL, version INTEGER NOT NULL DEFAULT 1);"
  "CREATE INDEX case_redlines_case ON case_redlines (case_id);"
  "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES"
  " ('case_redlines', 'features', 'case_redlines', '用地红线 case red lines', 4525),"
  " ('cases', 'attributes', 'cases', '案件 cases', NULL),"
  " ('case_events', 'attributes', 'case_events', '办理过程 stage log', NULL),"
  " ('users', 'attributes', 'users', '用户 users', NULL);"
  "INSERT INTO gpkg_geometry_columns VALUES ('case_redlines', 'geom', 'MULTIPOLYGON', 4525, 0, 0);"
  "INSERT INTO gpkg_ogr_contents VALUES ('case_redlines', 0), ('cases', 0), ('case_events', 0),"
  " ('users', 0);"
  "CREATE VIRTUAL TABLE rtree_case_redlines_geom USING rtree(id, minx, maxx, miny, maxy);"
  "INSERT INTO gpkg_extensions VALUES ('case_redlines', 'geom', 'gpkg_rtree_index',"
  " 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');"
  /* The GeoPackage spec's R-tree triggers (the ST_ functions are registered on every
   * connection: GDAL's and ours). */
  "CREATE TRIGGER rtree_case_redlines_geom_insert AFTER INSERT ON case_redlines"
  " WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom)) BEGIN"
  " INSERT OR REPLACE INTO rtree_case_redlines_geom VALUES (NEW.fid, ST_MinX(NEW.geom),"
  " ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;"
  "CREATE TRIGGER rtree_case_redlines_geom_update1 AFTER UPDATE OF geom ON case_redlines"
  " WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom)) BEGIN"
  " INSERT OR REPLACE INTO rtree_case_redlines_geom VALUES (NEW.fid, ST_MinX(NEW.geom),"
  " ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;"
  "CREATE TRIGGER rtree_case_redlines_geom_update2 AFTER UPDATE OF geom ON case_redlines"
  " WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom)) BEGIN"
  " DELETE FROM rtree_case_redlines_geom WHERE id = OLD.fid; END;"
  "CREATE TRIGGER rtree_case_redlines_geom_update3 AFTER UPDATE ON case_redlines"
  " WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom)) BEGIN"
  " DELETE FROM rtree_case_redlines_geom WHERE id = OLD.fid;"
  " INSERT OR REPLACE INTO rtree_case_redlines_geom VALUES (NEW.fid, ST_MinX(NEW.geom),"
  " ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;"
  "CREATE TRIGGER rtree_case_redlines_geom_update4 AFTER UPDATE ON case_redlines"
  " WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom)) BEGIN"
  " DELETE FROM rtree_case_redlines_geom WHERE id IN (OLD.fid, NEW.fid); END;"
  "CREATE TRIGGER rtree_case_redlines_geom_delete AFTER DELETE ON case_redlines"
  " WHEN old.geom NOT NULL BEGIN"
  " DELETE FROM rtree_case_redlines_geom WHERE id = OLD.fid; END;";

static const char schema_2[] =
  "CREATE TABLE opinions (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
  " id TEXT NOT NULL UNIQUE, case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
  " stage TEXT NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL, updated_at TEXT NOT NULL,"
  " version INTEGER NOT NULL DEFAULT 1, UNIQUE (case_id, stage, author));"
  "CREATE TABLE attachments (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
  " id TEXT NOT NULL UNIQUE, case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
  " sha256 TEXT NOT NULL CHECK (length(sha256) = 64), name TEXT NOT NULL, size INTEGER NOT NULL,"
  " mime TEXT, added_by TEXT, added_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1);"
  "CREATE INDEX attachments_case ON attachments (case_id);"
  "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES"
  " ('opinions', 'attributes', 'opinions', '审查意见 opinions'),"
  " ('attachments', 'attributes', 'attachments', '附件 attachments');"
  "INSERT INTO gpkg_ogr_contents VALUES ('opinions', 0), ('attachments', 0);";

static const char schema_3[] =
  "CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
  " op_id TEXT NOT NULL UNIQUE, entity TEXT NOT NULL, entity_id TEXT NOT NULL,"
  " kind TEXT NOT NULL, base_version INTEGER NOT NULL, op TEXT NOT NULL,"
  " created_at TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending');"
  "CREATE TABLE sync_state (key TEXT PRIMARY KEY NOT NULL, value TEXT);"
  "CREATE TABLE conflicts (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
  " id TEXT NOT NULL UNIQUE, op_id TEXT, entity TEXT NOT NULL, entity_id TEXT NOT NULL,"
  " field TEXT NOT NULL, base TEXT, mine TEXT, theirs TEXT, created_at TEXT NOT NULL,"
  " resolved_at TEXT);";

static const char schema_4[] =
  "CREATE TABLE matters (id TEXT PRIMARY KEY NOT NULL, json TEXT NOT NULL,"
  " version INTEGER NOT NULL DEFAULT 1);"
  "CREATE TABLE matter_stages (matter TEXT NOT NULL REFERENCES matters(id) ON DELETE CASCADE,"
  " stage TEXT NOT NULL, role TEXT NOT NULL, idx INTEGER NOT NULL, PRIMARY KEY (matter, stage));"
  "CREATE TABLE calendars (year INTEGER PRIMARY KEY NOT NULL, source TEXT NOT NULL,"
  " json TEXT NOT NULL);";

static const char schema_5[] =
  /* derived from the calendar and the matter: where the lists sort and filter by deadline */
  "ALTER TABLE cases ADD COLUMN deadline TEXT;"
  "ALTER TABLE cases ADD COLUMN yellow_on TEXT;"
  "ALTER TABLE cases ADD COLUMN weekends_only INTEGER NOT NULL DEFAULT 0;"
  "CREATE INDEX cases_status_deadline ON cases (status, deadline);"
  "CREATE INDEX cases_assignee ON cases (assignee);"
  "CREATE INDEX case_events_actor ON case_events (actor, case_id);"
  /* search as you type: trigram FTS5 so Chinese substrings match */
  "CREATE VIRTUAL TABLE cases_fts USING fts5(number, title, applicant, parcels,"
  " tokenize = 'trigram');"
  "CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN"
  " INSERT INTO cases_fts (rowid, number, title, applicant, parcels) VALUES (NEW.fid,"
  " NEW.number, NEW.title, NEW.applicant, (SELECT group_concat(coalesce(parcel_no, '') || ' ' ||"
  " coalesce(name, ''), ' ') FROM case_redlines WHERE case_id = NEW.id)); END;"
  "CREATE TRIGGER cases_fts_update AFTER UPDATE OF number, title, applicant ON cases BEGIN"
  " DELETE FROM cases_fts WHERE rowid = OLD.fid;"
  " INSERT INTO cases_fts (rowid, number, title, applicant, parcels) VALUES (NEW.fid,"
  " NEW.number, NEW.title, NEW.applicant, (SELECT group_concat(coalesce(parcel_no, '') || ' ' ||"
  " coalesce(name, ''), ' ') FROM case_redlines WHERE case_id = NEW.id)); END;"
  "CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases BEGIN"
  " DELETE FROM cases_fts WHERE rowid = OLD.fid; END;"
  "CREATE TRIGGER case_redlines_fts_insert AFTER INSERT ON case_redlines BEGIN"
  " UPDATE cases_fts SET parcels = (SELECT group_concat(coalesce(parcel_no, '') || ' ' ||"
  " coalesce(name, ''), ' ') FROM case_redlines WHERE case_id = NEW.case_id)"
  " WHERE rowid = (SELECT fid FROM cases WHERE id = NEW.case_id); END;"
  "CREATE TRIGGER case_redlines_fts_update AFTER UPDATE OF parcel_no, name, case_id"
  " ON case_redlines BEGIN"
  " UPDATE cases_fts SET parcels = (SELECT group_concat(coalesce(parcel_no, '') || ' ' ||"
  " coalesce(name, ''), ' ') FROM case_redlines WHERE case_id = c.id)"
  " FROM (SELECT fid, id FROM cases WHERE id IN (OLD.case_id, NEW.case_id)) AS c"
  " WHERE cases_fts.rowid = c.fid; END;"
  "CREATE TRIGGER case_redlines_fts_delete AFTER DELETE ON case_redlines BEGIN"
  " UPDATE cases_fts SET parcels = (SELECT group_concat(coalesce(parcel_no, '') || ' ' ||"
  " coalesce(name, ''), ' ') FROM case_redlines WHERE case_id = OLD.case_id)"
  " WHERE rowid = (SELECT fid FROM cases WHERE id = OLD.case_id); END;"
  /* cases written before this version */
  "INSERT INTO cases_fts (rowid, number, title, applicant, parcels) SELECT c.fid, c.number,"
  " c.title, c.applicant, (SELECT group_concat(coalesce(parcel_no, '') || ' ' ||"
  " coalesce(name, ''), ' ') FROM case_redlines r WHERE r.case_id = c.id) FROM cases c;";

static const char schema_6[] =
  /* sync (ld-store-sync.c): why an op was refused, how often it was tried; the server keeps
   * every opinion, so two devices' opinions on one stage may both arrive: no unique key. */
  "ALTER TABLE outbox ADD COLUMN reason TEXT;"
  "ALTER TABLE outbox ADD COLUMN tries INTEGER NOT NULL DEFAULT 0;"
  "CREATE INDEX outbox_entity ON outbox (entity_id, state);"
  "ALTER TABLE conflicts ADD COLUMN resolution TEXT;"
  "CREATE INDEX conflicts_open ON conflicts (resolved_at, op_id);"
  "CREATE TABLE opinions_v6 (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
  " id TEXT NOT NULL UNIQUE, case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
  " stage TEXT NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL, updated_at TEXT NOT NULL,"
  " version INTEGER NOT NULL DEFAULT 1);"
  "INSERT INTO opinions_v6 SELECT * FROM opinions;"
  "DROP TABLE opinions;"
  "ALTER TABLE opinions_v6 RENAME TO opinions;"
  "CREATE INDEX opinions_case ON opinions (case_id, stage, author);";

typedef struct
{
  const char *what;
  const char *sql;
} Migration;

static const Migration migrations[] = {
  { "GeoPackage core, users, cases, red lines, stage log", schema_1 },
  { "opinions and attachments", schema_2 },
  { "outbox, sync state, conflicts", schema_3 },
  { "matters and calendars", schema_4 },
  { "deadline columns and the search index", schema_5 },
  { "sync: outbox reasons, opinions without a unique key", schema_6 },
};

#define CASE_COLUMNS \
  "id, number, matter, title, applicant, project_use, stage, status, suspend_kind," \
  " suspended_on, assignee, received_on, accepted_on, closed_on, supply_method, version"
#define EVENT_COLUMNS "id, case_id, action, from_stage, to_stage, actor, at, opinion, version"

/* ---- helpers ---------------------------------------------------------------------------- */

static gboolean
sql_fail (LdStore     *self,
          GError     **error,
          const char  *what)
{
  int code = sqlite3_errcode (self->db);

  if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
    g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_BUSY,
                 "store %s is busy: another program (a second LandDesk?) is writing to it; "
                 "try again, or close the other program", self->path);
  else
    g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_SQL, "store %s: %s: %s",
                 self->path, what, sqlite3_errmsg (self->db));
  return FALSE;
}

static gboolean
exec_sql (LdStore     *self,
          const char  *sql,
          GError     **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return sql_fail (self, error, "cannot write");
  return TRUE;
}

static sqlite3_stmt *
prepare (LdStore     *self,
         const char  *sql,
         GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      sql_fail (self, error, "cannot read");
      return NULL;
    }
  return stmt;
}

typedef sqlite3_stmt *sqlite3_stmt_ptr;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (sqlite3_stmt_ptr, sqlite3_finalize, NULL)

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

static gboolean
step_done (LdStore       *self,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return sql_fail (self, error, "cannot write");
  return TRUE;
}

static gboolean
begin (LdStore  *self,
       GError  **error)
{
  return exec_sql (self, "BEGIN IMMEDIATE", error);
}

static gboolean
commit (LdStore  *self,
        GError  **error)
{
  return exec_sql (self, "COMMIT", error);
}

static void
rollback (LdStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S%:z");
}

static void
today_date (GDate *date)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  g_date_clear (date, 1);
  g_date_set_dmy (date, (GDateDay) g_date_time_get_day_of_month (now),
                  (GDateMonth) g_date_time_get_month (now),
                  (GDateYear) g_date_time_get_year (now));
}

/* ---- GeoPackage SQL functions for the R-tree triggers ------------------------------------ */

typedef struct
{
  gboolean empty;
  double   minx, maxx, miny, maxy;
} Envelope;

/* Parses a GeoPackage geometry blob's header; computes the envelope from the WKB when the
 * header carries none. Returns FALSE for a blob that is not a GeoPackage geometry. */
static gboolean
blob_envelope (const guint8 *blob,
               int           size,
               Envelope     *env)
{
  static const int env_doubles[] = { 0, 4, 6, 6, 8 };
  guint8 flags;
  int indicator, header;

  if (blob == NULL || size < 8 || blob[0] != 'G' || blob[1] != 'P')
    return FALSE;
  flags = blob[3];
  indicator = (flags >> 1) & 7;
  if (indicator > 4)
    return FALSE;
  header = 8 + 8 * env_doubles[indicator];
  if (size < header)
    return FALSE;
  env->empty = (flags >> 4) & 1;
  if (env->empty)
    return TRUE;
  if (indicator > 0)
    {
      gboolean little = flags & 1;
      double v[4];

      for (int i = 0; i < 4; i++)
        {
          guint64 bits;

          memcpy (&bits, blob + 8 + 8 * i, 8);
          bits = little ? GUINT64_FROM_LE (bits) : GUINT64_FROM_BE (bits);
          memcpy (&v[i], &bits, 8);
        }
      env->minx = v[0], env->maxx = v[1], env->miny = v[2], env->maxy = v[3];
      return TRUE;
    }
  else
    {
      OGRGeometryH geom = NULL;
      OGREnvelope e;

      if (OGR_G_CreateFromWkb (blob + header, NULL, &geom, size - header) != OGRERR_NONE)
        return FALSE;
      env->empty = OGR_G_IsEmpty (geom);
      OGR_G_GetEnvelope (geom, &e);
      OGR_G_DestroyGeometry (geom);
      env->minx = e.MinX, env->maxx = e.MaxX, env->miny = e.MinY, env->maxy = e.MaxY;
      return TRUE;
    }
}

static void
st_function (sqlite3_context  *ctx,
             int               argc,
             sqlite3_value   **argv)
{
  int which = GPOINTER_TO_INT (sqlite3_user_data (ctx));
  Envelope env = { 0 };

  if (sqlite3_value_type (argv[0]) != SQLITE_BLOB
      || !blob_envelope (sqlite3_value_blob (argv[0]), sqlite3_value_bytes (argv[0]), &env))
    {
      sqlite3_result_null (ctx);
      return;
    }
  if (which == 0)
    sqlite3_result_int (ctx, env.empty);
  else if (env.empty)
    sqlite3_result_null (ctx);
  else
    sqlite3_result_double (ctx, which == 1 ? env.minx : which == 2 ? env.maxx
                                : which == 3 ? env.miny : env.maxy);
}

static void
register_functions (sqlite3 *db)
{
  static const char * const names[] = { "ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY" };

  for (int i = 0; i < 5; i++)
    sqlite3_create_function (db, names[i], 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                             GINT_TO_POINTER (i), st_function, NULL, NULL);
}

static int
trace_cb (unsigned  type,
          void     *ctx,
          void     *p,
          void     *x)
{
  LdStore *self = ctx;

  if (type == SQLITE_TRACE_PROFILE && self->hook != NULL)
    {
      char *sql = sqlite3_expanded_sql (p);

      self->hook (sql ? sql : sqlite3_sql (p), self->hook_data);
      sqlite3_free (sql);
    }
  return 0;
}

/* ---- schema ------------------------------------------------------------------------------ */

static int
read_user_version (LdStore *self)
{
  g_auto(sqlite3_stmt_ptr) stmt = prepare (self, "PRAGMA user_version", NULL);

  return stmt && sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int (stmt, 0) : -1;
}

static int
read_application_id (LdStore *self)
{
  g_auto(sqlite3_stmt_ptr) stmt = prepare (self, "PRAGMA application_id", NULL);

  return stmt && sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int (stmt, 0) : -1;
}

static char *
srs_wkt (int epsg)
{
  OGRSpatialReferenceH srs = OSRNewSpatialReference (NULL);
  char *wkt = NULL, *copy = NULL;

  if (OSRImportFromEPSG (srs, epsg) == OGRERR_NONE && OSRExportToWkt (srs, &wkt) == OGRERR_NONE)
    copy = g_strdup (wkt);
  CPLFree (wkt);
  OSRDestroySpatialReference (srs);
  return copy;
}

/* Runs migration @index (0-based) in its own transaction. */
static gboolean
migrate_step (LdStore  *self,
              guint     index,
              GError  **error)
{
  g_autofree char *set_version = NULL;

  if (!begin (self, error))
    return FALSE;
  /* The SRS rows come after the tables that refer to them: check at commit. */
  if (!exec_sql (self, "PRAGMA defer_foreign_keys = ON", error)
      || !exec_sql (self, migrations[index].sql, error))
    goto fail;
  if (index == 0)
    {
      g_autofree char *wkt4326 = srs_wkt (4326);
      g_autofree char *wkt4525 = srs_wkt (4525);
      g_auto(sqlite3_stmt_ptr) stmt = NULL;

      if (wkt4326 == NULL || wkt4525 == NULL)
        {
          g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_OPEN,
                       "cannot describe EPSG:4326 and EPSG:4525: is PROJ's proj.db installed?");
          goto fail;
        }
      stmt = prepare (self, "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, 'EPSG', ?, ?, NULL)",
                      error);
      if (stmt == NULL)
        goto fail;
      bind_text (stmt, 1, "WGS 84 geodetic");
      sqlite3_bind_int (stmt, 2, 4326);
      sqlite3_bind_int (stmt, 3, 4326);
      bind_text (stmt, 4, wkt4326);
      if (!step_done (self, stmt, error))
        goto fail;
      sqlite3_reset (stmt);
      bind_text (stmt, 1, "CGCS2000 / 3-degree Gauss-Kruger zone 37");
      sqlite3_bind_int (stmt, 2, 4525);
      sqlite3_bind_int (stmt, 3, 4525);
      bind_text (stmt, 4, wkt4525);
      if (!step_done (self, stmt, error))
        goto fail;
      if (!exec_sql (self, "PRAGMA application_id = 1196444487", error))
        goto fail;
    }
  set_version = g_strdup_printf ("PRAGMA user_version = %d", GPKG_USER_VERSION_BASE + index + 1);
  if (!exec_sql (self, set_version, error) || !commit (self, error))
    goto fail;
  self->version = index + 1;
  /* The header (application_id, user_version) is what other readers look at first. */
  sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  return TRUE;

fail:
  rollback (self);
  {
    /* Say which step failed: a user reporting it gives us the version. */
    if (error && *error)
      g_prefix_error (error, "upgrading to schema %u (%s): ", index + 1, migrations[index].what);
  }
  return FALSE;
}

static gboolean
migrate (LdStore  *self,
         int       target,
         GError  **error)
{
  for (int i = self->version; i < target; i++)
    if (!migrate_step (self, (guint) i, error))
      return FALSE;
  return TRUE;
}

static LdStore *
open_db (const char  *path,
         int          flags,
         GError     **error)
{
  g_autoptr(LdStore) self = g_object_new (LD_TYPE_STORE, NULL);

  self->path = g_strdup (path);
  if (sqlite3_open_v2 (path, &self->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_OPEN, "cannot open store %s: %s",
                   path, self->db ? sqlite3_errmsg (self->db) : "out of memory");
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 0);
  sqlite3_busy_timeout (self->db, 5000);
  register_functions (self->db);
  sqlite3_trace_v2 (self->db, SQLITE_TRACE_PROFILE, trace_cb, self);
  if (!exec_sql (self, "PRAGMA foreign_keys = ON", error))
    return NULL;
  {
    g_auto(sqlite3_stmt_ptr) stmt = prepare (self, "PRAGMA journal_mode = WAL", NULL);

    /* A read-only medium keeps its journal mode; that is fine for reading. */
    if (stmt != NULL)
      sqlite3_step (stmt);
  }
  return g_steal_pointer (&self);
}

/* Matters and calendars: the store's own copies (delivered by the server, or taken from the
 * data dir when the store was made), so that every deadline is computed on the same rules on
 * the client and the server. Empty tables are filled from the data dir. */
static gboolean
load_reference_data (LdStore  *self,
                     GError  **error)
{
  g_autoptr(GListStore) matters = g_list_store_new (LD_TYPE_MATTER);
  g_autoptr(LdCalendar) calendar = ld_calendar_new ();
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  gboolean empty = TRUE;

  stmt = prepare (self, "SELECT year, json FROM calendars ORDER BY year", error);
  if (stmt == NULL)
    return FALSE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *origin = g_strdup_printf ("%s: calendars, year %d", self->path,
                                                 sqlite3_column_int (stmt, 0));

      empty = FALSE;
      if (!ld_calendar_add_year_json (calendar, (const char *) sqlite3_column_text (stmt, 1),
                                      origin, error))
        return FALSE;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (empty)
    {
      g_autoptr(LdCalendar) shipped = ld_calendar_new_default (error);
      g_autoptr(GArray) years = NULL;

      if (shipped == NULL)
        return FALSE;
      years = ld_calendar_get_years (shipped);
      if (!begin (self, error))
        return FALSE;
      stmt = prepare (self, "INSERT INTO calendars (year, source, json) VALUES (?, ?, ?)", error);
      for (guint i = 0; stmt != NULL && i < years->len; i++)
        {
          int y = g_array_index (years, int, i);
          g_autofree char *json = ld_calendar_dup_year_json (shipped, y);

          sqlite3_reset (stmt);
          sqlite3_bind_int (stmt, 1, y);
          bind_text (stmt, 2, ld_calendar_get_source (shipped, y));
          bind_text (stmt, 3, json);
          if (!step_done (self, stmt, error))
            {
              rollback (self);
              return FALSE;
            }
        }
      g_clear_pointer (&stmt, sqlite3_finalize);
      if (!commit (self, error))
        {
          rollback (self);
          return FALSE;
        }
      g_set_object (&calendar, shipped);
    }

  empty = TRUE;
  stmt = prepare (self, "SELECT id, json FROM matters ORDER BY id", error);
  if (stmt == NULL)
    return FALSE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *origin = g_strdup_printf ("%s: matters, %s", self->path,
                                                 sqlite3_column_text (stmt, 0));
      g_autoptr(LdMatter) m = ld_matter_new_from_json ((const char *) sqlite3_column_text (stmt, 1),
                                                       origin, error);

      empty = FALSE;
      if (m == NULL)
        return FALSE;
      g_list_store_append (matters, m);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (empty)
    {
      g_autoptr(GListModel) shipped = ld_matter_load_default (error);
      g_auto(sqlite3_stmt_ptr) ins = NULL;
      g_auto(sqlite3_stmt_ptr) ins_stage = NULL;

      if (shipped == NULL || !begin (self, error))
        return FALSE;
      ins = prepare (self, "INSERT INTO matters (id, json) VALUES (?, ?)", error);
      ins_stage = ins ? prepare (self, "INSERT INTO matter_stages (matter, stage, role, idx)"
                                       " VALUES (?, ?, ?, ?)", error) : NULL;
      if (ins_stage == NULL)
        {
          rollback (self);
          return FALSE;
        }
      for (guint i = 0; i < g_list_model_get_n_items (shipped); i++)
        {
          g_autoptr(LdMatter) m = g_list_model_get_item (shipped, i);

          sqlite3_reset (ins);
          bind_text (ins, 1, ld_matter_get_id (m));
          bind_text (ins, 2, ld_matter_get_json (m));
          if (!step_done (self, ins, error))
            {
              rollback (self);
              return FALSE;
            }
          for (guint s = 0; s < ld_matter_get_n_stages (m); s++)
            {
              sqlite3_reset (ins_stage);
              bind_text (ins_stage, 1, ld_matter_get_id (m));
              bind_text (ins_stage, 2, ld_matter_get_stage_id (m, s));
              bind_text (ins_stage, 3, ld_matter_get_stage_role (m, s));
              sqlite3_bind_int (ins_stage, 4, (int) s);
              if (!step_done (self, ins_stage, error))
                {
                  rollback (self);
                  return FALSE;
                }
            }
          g_list_store_append (matters, m);
        }
      if (!commit (self, error))
        {
          rollback (self);
          return FALSE;
        }
    }
  g_set_object (&self->calendar, calendar);
  g_clear_object (&self->matters);
  self->matters = G_LIST_MODEL (g_steal_pointer (&matters));
  return TRUE;
}

/* ---- reading records -------------------------------------------------------------------- */

static LdCase *
case_from_row (sqlite3_stmt *stmt,
               int           first)
{
  LdCase *kase = ld_case_new ();

  for (int i = 0; i < LD_CASE_N_FIELDS; i++)
    ld_case_set (kase, i, (const char *) sqlite3_column_text (stmt, first + i));
  ld_case_set_version (kase, sqlite3_column_int64 (stmt, first + LD_CASE_N_FIELDS));
  return kase;
}

static LdCaseEvent *
event_from_row (sqlite3_stmt *stmt)
{
  LdCaseEvent *e = ld_case_event_new ();

  for (int i = 0; i < LD_CASE_EVENT_N_FIELDS; i++)
    ld_case_event_set (e, i, (const char *) sqlite3_column_text (stmt, i));
  ld_case_event_set_version (e, sqlite3_column_int64 (stmt, LD_CASE_EVENT_N_FIELDS));
  return e;
}

/* The clock of a listed case from its stored deadline columns: the remaining working days are
 * counted from the day of evaluation (today, the suspension day, or the closing day). */
static void
clock_from_stored (LdStore     *self,
                   LdCase      *kase,
                   const char  *deadline,
                   const char  *yellow_on,
                   gboolean     weekends_only,
                   const GDate *today,
                   LdClock     *clock)
{
  LdMatter *matter = ld_matter_list_find (self->matters, ld_case_get (kase, LD_CASE_MATTER));
  const char *status = ld_case_get (kase, LD_CASE_STATUS);
  const char *eval_text = NULL;
  gboolean guessed = FALSE;
  GDate eval;

  memset (clock, 0, sizeof *clock);
  g_date_clear (&clock->deadline, 1);
  g_date_clear (&clock->yellow_on, 1);
  clock->limit = matter ? ld_matter_get_limit_workdays (matter) : 0;
  clock->light = LD_LIGHT_NONE;
  clock->paused = g_strcmp0 (status, "suspended") == 0;
  if (deadline == NULL || !ld_date_parse (deadline, &clock->deadline, NULL))
    return;
  clock->has_deadline = TRUE;
  if (yellow_on != NULL)
    ld_date_parse (yellow_on, &clock->yellow_on, NULL);
  if (clock->paused)
    eval_text = ld_case_get (kase, LD_CASE_SUSPENDED_ON);
  else if (g_strcmp0 (status, "closed") == 0 || g_strcmp0 (status, "refused") == 0)
    eval_text = ld_case_get (kase, LD_CASE_CLOSED_ON);
  if (eval_text == NULL || !ld_date_parse (eval_text, &eval, NULL))
    eval = *today;
  clock->remaining = ld_calendar_count (self->calendar, &eval, &clock->deadline, NULL, 0,
                                        &guessed);
  clock->used = clock->limit - clock->remaining;
  clock->weekends_only = weekends_only || guessed;
  if (clock->remaining < 0)
    clock->light = LD_LIGHT_RED;
  else if (g_date_valid (&clock->yellow_on) && g_date_compare (&eval, &clock->yellow_on) >= 0)
    clock->light = LD_LIGHT_YELLOW;
  else
    clock->light = LD_LIGHT_GREEN;
}

static void
finish_case (LdStore     *self,
             LdCase      *kase,
             sqlite3_stmt *stmt,
             int          first_clock_column,
             const GDate *today)
{
  LdMatter *matter = ld_matter_list_find (self->matters, ld_case_get (kase, LD_CASE_MATTER));
  LdClock clock;

  clock_from_stored (self, kase,
                     (const char *) sqlite3_column_text (stmt, first_clock_column),
                     (const char *) sqlite3_column_text (stmt, first_clock_column + 1),
                     sqlite3_column_int (stmt, first_clock_column + 2), today, &clock);
  ld_case_set_clock (kase, &clock);
  ld_case_set_case_type (kase, matter ? ld_matter_get_case_type (matter) : NULL);
}

static GListModel *
events_of (LdStore     *self,
           const char  *case_id,
           GError     **error)
{
  g_autoptr(GListStore) list = g_list_store_new (LD_TYPE_CASE_EVENT);
  g_auto(sqlite3_stmt_ptr) stmt = prepare (self, "SELECT " EVENT_COLUMNS " FROM case_events"
                                           " WHERE case_id = ? ORDER BY at, fid", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, case_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(LdCaseEvent) e = event_from_row (stmt);

      g_list_store_append (list, e);
    }
  if (rc != SQLITE_DONE)
    {
      sql_fail (self, error, "cannot read the stage log");
      return NULL;
    }
  return G_LIST_MODEL (g_steal_pointer (&list));
}

/* Recomputes and stores a case's deadline columns (inside the caller's transaction). */
static gboolean
store_clock (LdStore     *self,
             LdCase      *kase,
             GError     **error)
{
  LdMatter *matter = ld_matter_list_find (self->matters, ld_case_get (kase, LD_CASE_MATTER));
  g_autoptr(GListModel) events = NULL;
  g_autoptr(GArray) susp = NULL;
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  g_autofree char *deadline = NULL;
  g_autofree char *yellow_on = NULL;
  LdClock clock = { 0 };
  GDate eval;

  if (matter == NULL)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_NOT_FOUND,
                   "case %s: field matter: '%s' is not in the matter catalogue",
                   ld_case_get (kase, LD_CASE_NUMBER), ld_case_get (kase, LD_CASE_MATTER));
      return FALSE;
    }
  events = events_of (self, ld_case_get (kase, LD_CASE_ID), error);
  if (events == NULL)
    return FALSE;
  susp = ld_clock_suspensions (events);
  /* Stored: an open suspension counts as ending the day it began (zero length). */
  today_date (&eval);
  if (g_strcmp0 (ld_case_get (kase, LD_CASE_STATUS), "suspended") == 0
      && ld_case_get (kase, LD_CASE_SUSPENDED_ON) != NULL)
    ld_date_parse (ld_case_get (kase, LD_CASE_SUSPENDED_ON), &eval, NULL);
  if (!ld_clock_compute (self->calendar, matter, ld_case_get (kase, LD_CASE_ACCEPTED_ON),
                         ld_case_get (kase, LD_CASE_STATUS),
                         ld_case_get (kase, LD_CASE_SUSPENDED_ON),
                         ld_case_get (kase, LD_CASE_CLOSED_ON), susp, &eval, &clock, error))
    {
      g_prefix_error (error, "case %s: ", ld_case_get (kase, LD_CASE_NUMBER));
      return FALSE;
    }
  deadline = clock.has_deadline ? ld_date_format (&clock.deadline) : NULL;
  yellow_on = clock.has_deadline ? ld_date_format (&clock.yellow_on) : NULL;
  stmt = prepare (self, "UPDATE cases SET deadline = ?, yellow_on = ?, weekends_only = ?"
                        " WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, deadline);
  bind_text (stmt, 2, yellow_on);
  sqlite3_bind_int (stmt, 3, clock.weekends_only);
  bind_text (stmt, 4, ld_case_get (kase, LD_CASE_ID));
  return step_done (self, stmt, error);
}

static gboolean
store_all_clocks (LdStore  *self,
                  GError  **error)
{
  g_auto(sqlite3_stmt_ptr) stmt = prepare (self, "SELECT " CASE_COLUMNS " FROM cases", error);
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func (g_object_unref);

  if (stmt == NULL)
    return FALSE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (cases, case_from_row (stmt, 0));
  for (guint i = 0; i < cases->len; i++)
    if (!store_clock (self, cases->pdata[i], error))
      return FALSE;
  return TRUE;
}

/* The case by UUID or by number, read inside the caller's transaction (or not). */
static LdCase *
load_case (LdStore     *self,
           const char  *id_or_number,
           const GDate *today,
           GError     **error)
{
  g_auto(sqlite3_stmt_ptr) stmt = prepare (self, "SELECT " CASE_COLUMNS ", deadline, yellow_on,"
                                           " weekends_only FROM cases WHERE id = ?1 OR number = ?1"
                                           " LIMIT 1", error);
  LdCase *kase;
  GDate t;
  int rc;

  if (stmt == NULL)
    return NULL;
  if (today == NULL)
    {
      today_date (&t);
      today = &t;
    }
  bind_text (stmt, 1, id_or_number);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_NOT_FOUND,
                     "store %s has no case '%s' (give its number or its UUID)", self->path,
                     id_or_number);
      else
        sql_fail (self, error, "cannot read the case");
      return NULL;
    }
  kase = case_from_row (stmt, 0);
  finish_case (self, kase, stmt, LD_CASE_N_FIELDS + 1, today);
  return kase;
}

/* ---- ops --------------------------------------------------------------------------------- */

static gboolean
write_op (LdStore     *self,
          const char  *op_id,
          const char  *entity,
          const char  *entity_id,
          const char  *kind,
          gint64       base_version,
          JsonNode    *fields,
          JsonNode    *action,
          const char  *user,
          const char  *at,
          GError     **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_auto(sqlite3_stmt_ptr) stmt = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "op_id");
  json_builder_add_string_value (b, op_id);
  json_builder_set_member_name (b, "entity");
  json_builder_add_string_value (b, entity);
  json_builder_set_member_name (b, "entity_id");
  json_builder_add_string_value (b, entity_id);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, kind);
  json_builder_set_member_name (b, "base_version");
  json_builder_add_int_value (b, base_version);
  json_builder_set_member_name (b, "fields");
  json_builder_add_value (b, fields ? json_node_copy (fields) : json_node_init_object (json_node_alloc (), json_object_new ()));
  if (action != NULL)
    {
      json_builder_set_member_name (b, "action");
      json_builder_add_value (b, json_node_copy (action));
    }
  json_builder_set_member_name (b, "user");
  json_builder_add_string_value (b, user);
  json_builder_set_member_name (b, "at");
  json_builder_add_string_value (b, at);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);

  stmt = prepare (self, "INSERT INTO outbox (op_id, entity, entity_id, kind, base_version, op,"
                        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, op_id);
  bind_text (stmt, 2, entity);
  bind_text (stmt, 3, entity_id);
  bind_text (stmt, 4, kind);
  sqlite3_bind_int64 (stmt, 5, base_version);
  bind_text (stmt, 6, text);
  bind_text (stmt, 7, at);
  return step_done (self, stmt, error);
}

static void
add_field (JsonBuilder *b,
           const char  *name,
           const char  *base,
           const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "base");
  if (base)
    json_builder_add_string_value (b, base);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "value");
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
}

/* ---- GObject ----------------------------------------------------------------------------- */

static void
ld_store_finalize (GObject *object)
{
  LdStore *self = LD_STORE (object);

  g_clear_pointer (&self->db, sqlite3_close);
  g_clear_pointer (&self->path, g_free);
  g_clear_object (&self->calendar);
  g_clear_object (&self->matters);

  G_OBJECT_CLASS (ld_store_parent_class)->finalize (object);
}

static void
ld_store_class_init (LdStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_store_finalize;
}

static void
ld_store_init (LdStore *self)
{
}

/* ---- public API -------------------------------------------------------------------------- */

int
ld_store_latest_version (void)
{
  return G_N_ELEMENTS (migrations);
}

/* Returns: the default store of the user profile, under the XDG data dir */
char *
ld_store_default_path (void)
{
  g_autofree char *dir = ld_paths_user_data_dir ();

  return g_build_filename (dir, "store.gpkg", NULL);
}

gboolean
ld_case_list_from_string (const char *name,
                          LdCaseList *list)
{
  static const char * const names[] = { "all", "todo", "doing", "done", "closed", "suspended" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (name, names[i]) == 0)
      {
        *list = (LdCaseList) i;
        return TRUE;
      }
  return FALSE;
}

/**
 * ld_store_create_at_version:
 * @version: the schema version to stop at (1 to ld_store_latest_version())
 *
 * Creates a store with only the first @version migrations: for tests of the migrations.
 */
LdStore *
ld_store_create_at_version (const char  *path,
                            int          version,
                            GError     **error)
{
  g_autoptr(LdStore) self = NULL;

  g_return_val_if_fail (version >= 1 && version <= ld_store_latest_version (), NULL);

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_EXISTS,
                   "%s exists; choose another file or remove it first", path);
      return NULL;
    }
  {
    g_autofree char *dir = g_path_get_dirname (path);

    if (g_mkdir_with_parents (dir, 0700) != 0)
      {
        g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_OPEN, "cannot create folder %s: %s",
                     dir, g_strerror (errno));
        return NULL;
      }
  }
  self = open_db (path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, error);
  if (self == NULL || !migrate (self, version, error))
    {
      g_clear_object (&self);
      g_remove (path);
      return NULL;
    }
  if (version >= 4 && !load_reference_data (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * ld_store_create:
 *
 * Creates a new, empty store at @path (which must not exist), with the shipped matters and
 * calendars.
 */
LdStore *
ld_store_create (const char  *path,
                 GError     **error)
{
  return ld_store_create_at_version (path, ld_store_latest_version (), error);
}

/**
 * ld_store_open:
 *
 * Opens an existing store and brings its schema up to date.
 */
LdStore *
ld_store_open (const char  *path,
               GError     **error)
{
  g_autoptr(LdStore) self = NULL;
  int user_version, app_id, from;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_OPEN,
                   "store %s does not exist; make one with 'landdesk-cli store create %s'",
                   path, path);
      return NULL;
    }
  self = open_db (path, SQLITE_OPEN_READWRITE, error);
  if (self == NULL)
    return NULL;
  user_version = read_user_version (self);
  app_id = read_application_id (self);
  if (user_version < 0)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_OPEN,
                   "%s is not a LandDesk store: %s", path, sqlite3_errmsg (self->db));
      return NULL;
    }
  if (app_id != GPKG_APPLICATION_ID || user_version <= GPKG_USER_VERSION_BASE
      || user_version >= GPKG_USER_VERSION_BASE + 99)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_OPEN,
                   "%s is not a LandDesk store (GeoPackage application_id %d, user_version %d)",
                   path, app_id, user_version);
      return NULL;
    }
  self->version = user_version - GPKG_USER_VERSION_BASE;
  if (self->version > ld_store_latest_version ())
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_VERSION,
                   "store %s has schema %d, newer than this LandDesk knows (%d): update LandDesk",
                   path, self->version, ld_store_latest_version ());
      return NULL;
    }
  from = self->version;
  if (!migrate (self, ld_store_latest_version (), error))
    return NULL;
  if (!load_reference_data (self, error))
    return NULL;
  /* Deadlines appeared with schema 5: compute them for the cases that came before. */
  if (from < 5)
    {
      if (!begin (self, error))
        return NULL;
      if (!store_all_clocks (self, error) || !commit (self, error))
        {
          rollback (self);
          return NULL;
        }
    }
  return g_steal_pointer (&self);
}

/* ---- for ld-store-sync.c (ld-store-sync-private.h) -------------------------------------- */

sqlite3 *
ld_store_get_db (LdStore *self)
{
  return self->db;
}

const char *
ld_store_get_path (LdStore *self)
{
  return self->path;
}

int
ld_store_get_version (LdStore *self)
{
  return self->version;
}

LdCalendar *
ld_store_get_calendar (LdStore *self)
{
  return self->calendar;
}

GListModel *
ld_store_get_matters (LdStore *self)
{
  return self->matters;
}

/**
 * ld_store_set_busy_timeout:
 *
 * How long a write waits for another process holding the store (default 5 s) before it fails
 * with LD_STORE_ERROR_BUSY.
 */
void
ld_store_set_busy_timeout (LdStore *self,
                           int      ms)
{
  sqlite3_busy_timeout (self->db, ms);
}

/**
 * ld_store_set_statement_hook:
 *
 * Calls @hook after every SQL statement the store runs: for tracing and for the tests that kill
 * a process in the middle of a transaction.
 */
void
ld_store_set_statement_hook (LdStore              *self,
                             LdStoreStatementHook  hook,
                             gpointer              user_data)
{
  self->hook = hook;
  self->hook_data = user_data;
}

/* Columns of @table in schema @schema ("main" or an attached one). */
static GPtrArray *
table_columns (LdStore    *self,
               const char *schema,
               const char *table)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA \"%s\".table_info(\"%s\")", schema, table);
  g_auto(sqlite3_stmt_ptr) stmt = prepare (self, sql, NULL);
  GPtrArray *cols = g_ptr_array_new_with_free_func (g_free);

  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (cols, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
  return cols;
}

static gboolean
has_column (GPtrArray  *cols,
            const char *name)
{
  for (guint i = 0; i < cols->len; i++)
    if (g_ascii_strcasecmp (cols->pdata[i], name) == 0)
      return TRUE;
  return FALSE;
}

/* INSERT INTO main.T (common columns) SELECT them FROM demo.T */
static gboolean
copy_table (LdStore     *self,
            const char  *table,
            const char  *const *required,
            GError     **error)
{
  g_autoptr(GPtrArray) ours = table_columns (self, "main", table);
  g_autoptr(GPtrArray) theirs = table_columns (self, "demo", table);
  g_autoptr(GString) cols = g_string_new (NULL);
  g_autofree char *sql = NULL;

  if (theirs->len == 0)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                   "the demo GeoPackage has no table %s (see data/README.md)", table);
      return FALSE;
    }
  for (guint i = 0; required && required[i]; i++)
    if (!has_column (theirs, required[i]))
      {
        g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                     "the demo GeoPackage's table %s has no column %s (see data/README.md)",
                     table, required[i]);
        return FALSE;
      }
  for (guint i = 0; i < ours->len; i++)
    {
      const char *c = ours->pdata[i];

      if (g_str_equal (c, "fid") || g_str_equal (c, "version") || !has_column (theirs, c))
        continue;
      g_string_append_printf (cols, "%s\"%s\"", cols->len ? ", " : "", c);
    }
  sql = g_strdup_printf ("INSERT INTO main.\"%s\" (%s) SELECT %s FROM demo.\"%s\"",
                         table, cols->str, cols->str, table);
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                   "copying table %s from the demo: %s", table, sqlite3_errmsg (self->db));
      return FALSE;
    }
  return TRUE;
}

static const char * const demo_layers[] = {
  "xz_dltb", "gh_ydyh", "sx_yjjbnt", "sx_stbhhx", "sx_czkfbj", NULL
};

/* Copies the demo's reference layers with GDAL, which writes their GeoPackage metadata and
 * R-trees. A layer the demo lacks is skipped. */
static gboolean
copy_layers (LdStore     *self,
             const char  *demo_path,
             GError     **error)
{
  GDALDatasetH src, dst;
  const char *lco[] = { "GEOMETRY_NAME=geom", "SPATIAL_INDEX=YES", "FID=fid", NULL };
  gboolean ok = TRUE;

  /* GDAL identifies a GeoPackage by its file header: write the WAL back into the file. */
  sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
  GDALAllRegister ();
  src = GDALOpenEx (demo_path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
  if (src == NULL)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                   "cannot open the demo %s: %s", demo_path, CPLGetLastErrorMsg ());
      return FALSE;
    }
  dst = GDALOpenEx (self->path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
  if (dst == NULL)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                   "GDAL cannot open the store %s: %s", self->path, CPLGetLastErrorMsg ());
      GDALClose (src);
      return FALSE;
    }
  for (guint i = 0; ok && demo_layers[i] != NULL; i++)
    {
      OGRLayerH layer = GDALDatasetGetLayerByName (src, demo_layers[i]);
      OGRFeatureDefnH defn;
      OGRLayerH out;
      OGRFeatureH f;

      if (layer == NULL)
        continue;
      if (GDALDatasetGetLayerByName (dst, demo_layers[i]) != NULL)
        {
          g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                       "the store already has a layer %s", demo_layers[i]);
          ok = FALSE;
          break;
        }
      defn = OGR_L_GetLayerDefn (layer);
      out = GDALDatasetCreateLayer (dst, demo_layers[i], OGR_L_GetSpatialRef (layer),
                                    OGR_L_GetGeomType (layer), (char **) lco);
      for (int k = 0; out != NULL && k < OGR_FD_GetFieldCount (defn); k++)
        if (OGR_L_CreateField (out, OGR_FD_GetFieldDefn (defn, k), TRUE) != OGRERR_NONE)
          out = NULL;
      if (out == NULL)
        {
          g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                       "cannot create layer %s in the store: %s", demo_layers[i],
                       CPLGetLastErrorMsg ());
          ok = FALSE;
          break;
        }
      /* One transaction per layer: fast, and a failed layer leaves no half of it. */
      GDALDatasetStartTransaction (dst, FALSE);
      OGR_L_ResetReading (layer);
      while (ok && (f = OGR_L_GetNextFeature (layer)) != NULL)
        {
          OGRFeatureH copy = OGR_F_Create (OGR_L_GetLayerDefn (out));

          OGR_F_SetFrom (copy, f, TRUE);
          OGR_F_SetFID (copy, OGR_F_GetFID (f));
          if (OGR_L_CreateFeature (out, copy) != OGRERR_NONE)
            {
              g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                           "copying feature %" G_GINT64_FORMAT " of layer %s: %s",
                           (gint64) OGR_F_GetFID (f), demo_layers[i], CPLGetLastErrorMsg ());
              ok = FALSE;
            }
          OGR_F_Destroy (copy);
          OGR_F_Destroy (f);
        }
      if (ok && GDALDatasetCommitTransaction (dst) != OGRERR_NONE)
        {
          g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                       "writing layer %s: %s", demo_layers[i], CPLGetLastErrorMsg ());
          ok = FALSE;
        }
      else if (!ok)
        GDALDatasetRollbackTransaction (dst);
    }
  GDALClose (dst);
  GDALClose (src);
  return ok;
}

/**
 * ld_store_import_demo:
 *
 * Loads the demo GeoPackage's layers, users, cases, stage log and red lines into an empty
 * store, as the server would deliver them (no outbox ops). The tables are copied in one
 * transaction: on failure nothing of them is kept.
 */
gboolean
ld_store_import_demo (LdStore     *self,
                      const char  *demo_path,
                      GError     **error)
{
  static const char * const case_cols[] = { "id", "matter", "stage", NULL };
  static const char * const user_cols[] = { "login", "role", NULL };
  static const char * const event_cols[] = { "id", "case_id", "action", "at", NULL };
  static const char * const redline_cols[] = { "id", "case_id", "geom", NULL };
  char *attach = NULL;
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  gboolean ok;

  g_return_val_if_fail (LD_IS_STORE (self), FALSE);

  if (!g_file_test (demo_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                   "the demo %s does not exist; make it with 'landdesk-cli demo-data'", demo_path);
      return FALSE;
    }
  stmt = prepare (self, "SELECT (SELECT count(*) FROM cases) + (SELECT count(*) FROM users)",
                  error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0) > 0)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                   "store %s already holds cases or users; load the demo into a new store",
                   self->path);
      return FALSE;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  attach = sqlite3_mprintf ("ATTACH DATABASE %Q AS demo", demo_path);
  if (sqlite3_exec (self->db, attach, NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT, "cannot open the demo %s: %s",
                   demo_path, sqlite3_errmsg (self->db));
      sqlite3_free (attach);
      return FALSE;
    }
  sqlite3_free (attach);

  ok = begin (self, error);
  if (ok)
    {
      /* The red lines must be in our CRS: the blobs are copied as they are. */
      g_auto(sqlite3_stmt_ptr) srs = prepare (self, "SELECT srs_id FROM demo.gpkg_geometry_columns"
                                              " WHERE table_name = 'case_redlines'", NULL);

      if (srs != NULL && sqlite3_step (srs) == SQLITE_ROW && sqlite3_column_int (srs, 0) != 4525)
        {
          g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT,
                       "the demo's case_redlines are in srs_id %d; the store needs EPSG:4525",
                       sqlite3_column_int (srs, 0));
          ok = FALSE;
        }
    }
  ok = ok && copy_table (self, "users", user_cols, error)
       && copy_table (self, "cases", case_cols, error)
       && copy_table (self, "case_events", event_cols, error)
       && copy_table (self, "case_redlines", redline_cols, error)
       && exec_sql (self, "UPDATE gpkg_ogr_contents SET feature_count ="
                          " (SELECT count(*) FROM case_redlines) WHERE table_name = 'case_redlines'",
                    error)
       && store_all_clocks (self, error)
       && commit (self, error);
  if (!ok)
    rollback (self);
  sqlite3_exec (self->db, "DETACH DATABASE demo", NULL, NULL, NULL);
  if (!ok)
    return FALSE;
  return copy_layers (self, demo_path, error);
}

static LdUser *
user_from_row (sqlite3_stmt *stmt)
{
  LdUser *u = ld_user_new ();

  for (int i = 0; i < LD_USER_N_FIELDS; i++)
    ld_user_set (u, i, (const char *) sqlite3_column_text (stmt, i));
  ld_user_set_version (u, sqlite3_column_int64 (stmt, LD_USER_N_FIELDS));
  return u;
}

/**
 * ld_store_list_users:
 *
 * Returns: (transfer full): the users (#LdUser) by login: the user switcher's model
 */
GListModel *
ld_store_list_users (LdStore  *self,
                     GError  **error)
{
  g_autoptr(GListStore) list = g_list_store_new (LD_TYPE_USER);
  g_auto(sqlite3_stmt_ptr) stmt = prepare (self, "SELECT login, display_name, role, unit, version"
                                           " FROM users ORDER BY login", error);

  if (stmt == NULL)
    return NULL;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(LdUser) u = user_from_row (stmt);

      g_list_store_append (list, u);
    }
  return G_LIST_MODEL (g_steal_pointer (&list));
}

/**
 * ld_store_find_user:
 *
 * Returns: (transfer full): the user, or NULL with LD_STORE_ERROR_USER when unknown
 */
LdUser *
ld_store_find_user (LdStore     *self,
                    const char  *login,
                    GError     **error)
{
  g_auto(sqlite3_stmt_ptr) stmt = prepare (self, "SELECT login, display_name, role, unit, version"
                                           " FROM users WHERE login = ?", error);

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, login);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_USER,
                   "there is no user '%s' in store %s; use a login name such as zhang.wei",
                   login ? login : "", self->path);
      return NULL;
    }
  return user_from_row (stmt);
}

/* The WHERE clause of a list for a user with @role; parameters ?1 user, ?2 role. */
static const char *
list_condition (LdCaseList list,
                gboolean   with_user)
{
#define TODO_COND "(c.status = 'active' AND (c.assignee = ?1 OR c.assignee IS NULL)" \
  " AND EXISTS (SELECT 1 FROM matter_stages ms WHERE ms.matter = c.matter" \
  " AND ms.stage = c.stage AND ms.role = ?2))"
#define ACTED_COND "EXISTS (SELECT 1 FROM case_events e WHERE e.actor = ?1 AND e.case_id = c.id)"
  switch (list)
    {
    case LD_CASE_LIST_TODO:
      return with_user ? TODO_COND : "c.status = 'active'";
    case LD_CASE_LIST_DOING:
      return with_user ? "(c.status IN ('active', 'suspended') AND " ACTED_COND
                         " AND NOT " TODO_COND ")"
                       : "c.status = 'active'";
    case LD_CASE_LIST_DONE:
      return with_user ? "(c.status IN ('closed', 'refused') AND " ACTED_COND ")"
                       : "c.status IN ('closed', 'refused')";
    case LD_CASE_LIST_CLOSED:
      return "c.status IN ('closed', 'refused')";
    case LD_CASE_LIST_SUSPENDED:
      return with_user ? "(c.status = 'suspended' AND (c.assignee = ?1 OR " ACTED_COND "))"
                       : "c.status = 'suspended'";
    case LD_CASE_LIST_ALL:
    default:
      return "1";
    }
#undef TODO_COND
#undef ACTED_COND
}

/* Escapes a search text for a LIKE pattern with ESCAPE '\'. */
static char *
like_pattern (const char *text)
{
  GString *s = g_string_new ("%");

  for (const char *p = text; *p; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '%');
  return g_string_free (s, FALSE);
}

/* Quotes a search text as one FTS5 string (trigram tokenizer: substring match). */
static char *
fts_phrase (const char *text)
{
  GString *s = g_string_new ("\"");

  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}

/**
 * ld_store_query_cases:
 * @total: (out) (optional): the number of cases the query matches, ignoring offset and limit
 *
 * One page of a list, sorted by deadline (cases without one last), then number. Search is a
 * substring match over number, project title, applicant and parcel numbers and names (FTS5
 * trigram index; texts under three characters fall back to a scan).
 *
 * Returns: (transfer full): a list of #LdCase with their clocks as of @query->today
 */
GListModel *
ld_store_query_cases (LdStore            *self,
                      const LdCaseQuery  *query,
                      guint              *total,
                      GError            **error)
{
  g_autoptr(GListStore) list = g_list_store_new (LD_TYPE_CASE);
  g_autoptr(GString) where = g_string_new (NULL);
  g_autofree char *sql = NULL;
  g_autofree char *count_sql = NULL;
  g_autofree char *search_arg = NULL;
  g_autofree char *today_text = NULL;
  g_autoptr(LdUser) user = NULL;
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  gboolean fts = FALSE;
  GDate today;

  g_return_val_if_fail (LD_IS_STORE (self), NULL);

  if (query->today != NULL)
    today = *query->today;
  else
    today_date (&today);
  today_text = ld_date_format (&today);

  if (query->user != NULL && (user = ld_store_find_user (self, query->user, error)) == NULL)
    return NULL;
  g_string_append (where, list_condition (query->list, user != NULL));
  if (query->search != NULL && *query->search != '\0')
    {
      fts = g_utf8_strlen (query->search, -1) >= 3;
      if (fts)
        {
          search_arg = fts_phrase (query->search);
          g_string_append (where, " AND c.fid IN (SELECT rowid FROM cases_fts WHERE cases_fts"
                                  " MATCH ?3)");
        }
      else
        {
          search_arg = like_pattern (query->search);
          g_string_append (where, " AND c.fid IN (SELECT rowid FROM cases_fts WHERE"
                                  " number LIKE ?3 ESCAPE '\\' OR title LIKE ?3 ESCAPE '\\'"
                                  " OR applicant LIKE ?3 ESCAPE '\\'"
                                  " OR parcels LIKE ?3 ESCAPE '\\')");
        }
    }
  if (query->case_type != NULL)
    g_string_append (where, " AND c.matter IN (SELECT id FROM matters WHERE"
                            " json_extract(json, '$.case_type') = ?4)");
  if (query->stage != NULL)
    g_string_append (where, " AND c.stage = ?5");
  if (query->light != NULL)
    {
      /* The same rule as the clock: the day of evaluation against the stored dates. */
      const char *eval = "(CASE WHEN c.status = 'suspended' THEN c.suspended_on"
                         " WHEN c.status IN ('closed', 'refused') THEN c.closed_on ELSE ?6 END)";

      if (g_str_equal (query->light, "red"))
        g_string_append_printf (where, " AND c.deadline < %s", eval);
      else if (g_str_equal (query->light, "yellow"))
        g_string_append_printf (where, " AND c.deadline >= %s AND c.yellow_on <= %s", eval, eval);
      else if (g_str_equal (query->light, "green"))
        g_string_append_printf (where, " AND c.deadline >= %s AND c.yellow_on > %s", eval, eval);
      else if (g_str_equal (query->light, "none"))
        g_string_append (where, " AND c.deadline IS NULL");
      else
        {
          g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_NOT_FOUND,
                       "light '%s' is not one of green, yellow, red, none", query->light);
          return NULL;
        }
    }

  sql = g_strdup_printf ("SELECT " CASE_COLUMNS ", deadline, yellow_on, weekends_only"
                         " FROM cases c WHERE %s ORDER BY c.deadline IS NULL, c.deadline,"
                         " c.number LIMIT %d OFFSET %u", where->str,
                         query->limit ? (int) query->limit : -1, query->offset);
  count_sql = g_strdup_printf ("SELECT count(*) FROM cases c WHERE %s", where->str);

  for (int pass = 0; pass < 2; pass++)
    {
      int rc;

      if (pass == 1 && total == NULL)
        break;
      g_clear_pointer (&stmt, sqlite3_finalize);
      stmt = prepare (self, pass == 0 ? sql : count_sql, error);
      if (stmt == NULL)
        return NULL;
      if (user != NULL)
        {
          bind_text (stmt, 1, ld_user_get (user, LD_USER_LOGIN));
          bind_text (stmt, 2, ld_user_get (user, LD_USER_ROLE));
        }
      if (search_arg)
        bind_text (stmt, 3, search_arg);
      if (query->case_type)
        bind_text (stmt, 4, query->case_type);
      if (query->stage)
        bind_text (stmt, 5, query->stage);
      bind_text (stmt, 6, today_text);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          if (pass == 1)
            {
              *total = (guint) sqlite3_column_int64 (stmt, 0);
              continue;
            }
          {
            g_autoptr(LdCase) kase = case_from_row (stmt, 0);

            finish_case (self, kase, stmt, LD_CASE_N_FIELDS + 1, &today);
            g_list_store_append (list, kase);
          }
        }
      if (rc != SQLITE_DONE)
        {
          sql_fail (self, error, "cannot read the cases");
          return NULL;
        }
    }
  (void) fts;
  return G_LIST_MODEL (g_steal_pointer (&list));
}

/**
 * ld_store_count_lists:
 * @counts: (out): the number of cases in each #LdCaseList, indexed by it
 *
 * The sidebar's counts for @user (NULL: by status only).
 */
gboolean
ld_store_count_lists (LdStore     *self,
                      const char  *user,
                      guint        counts[6],
                      GError     **error)
{
  for (int l = 0; l <= LD_CASE_LIST_SUSPENDED; l++)
    {
      LdCaseQuery q = { .list = l, .user = user, .limit = 1 };
      g_autoptr(GListModel) page = ld_store_query_cases (self, &q, &counts[l], error);

      if (page == NULL)
        return FALSE;
    }
  return TRUE;
}

/**
 * ld_store_get_case:
 * @today: (nullable): the day the clock is read; NULL: today
 *
 * Returns: (transfer full): the case with this UUID or number
 */
LdCase *
ld_store_get_case (LdStore     *self,
                   const char  *id_or_number,
                   const GDate *today,
                   GError     **error)
{
  GDate t;

  if (today == NULL)
    today_date (&t);
  else
    t = *today;
  return load_case (self, id_or_number, &t, error);
}

/**
 * ld_store_list_events:
 *
 * Returns: (transfer full): the case's stage log (#LdCaseEvent), oldest first: the timeline
 */
GListModel *
ld_store_list_events (LdStore     *self,
                      const char  *case_id,
                      GError     **error)
{
  return events_of (self, case_id, error);
}

/**
 * ld_store_act:
 * @date: (nullable): the day the action counts for, YYYY-MM-DD; NULL: today
 * @to: (nullable): the new assignee for reassign
 *
 * Applies a workflow action: the case, its stage log and the outbox op are written in ONE
 * transaction. A refused action changes nothing.
 *
 * Returns: (transfer full): the case after the action
 */
LdCase *
ld_store_act (LdStore     *self,
              const char  *id_or_number,
              const char  *login,
              const char  *action,
              const char  *opinion,
              const char  *date,
              const char  *to,
              GError     **error)
{
  g_autoptr(LdUser) user = NULL;
  g_autoptr(LdUser) target = NULL;
  g_autoptr(LdCase) kase = NULL;
  g_autoptr(LdCase) next = NULL;
  g_autoptr(LdCaseEvent) event = NULL;
  g_autoptr(JsonBuilder) ab = json_builder_new ();
  g_autoptr(JsonNode) action_node = NULL;
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  g_autofree char *op_id = g_uuid_string_random ();
  g_autofree char *now = now_iso8601 ();
  g_autofree char *at = NULL;
  g_autofree char *day = NULL;
  LdActionRequest req = { 0 };
  LdMatter *matter;
  GDate today;

  g_return_val_if_fail (LD_IS_STORE (self), NULL);

  today_date (&today);
  if (date == NULL)
    day = ld_date_format (&today);
  else
    {
      GDate d;

      if (!ld_date_parse (date, &d, error))
        return NULL;
      day = g_strdup (date);
    }
  /* The event's time: the given day at the current local time of day. */
  at = g_strconcat (day, now + 10, NULL);

  if (!begin (self, error))
    return NULL;
  if ((user = ld_store_find_user (self, login, error)) == NULL)
    goto fail;
  if (to != NULL)
    target = ld_store_find_user (self, to, NULL);
  if ((kase = load_case (self, id_or_number, &today, error)) == NULL)
    goto fail;
  matter = ld_matter_list_find (self->matters, ld_case_get (kase, LD_CASE_MATTER));
  if (matter == NULL)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_NOT_FOUND,
                   "case %s: matter '%s' is not in the store's matter catalogue",
                   ld_case_get (kase, LD_CASE_NUMBER), ld_case_get (kase, LD_CASE_MATTER));
      goto fail;
    }
  req.action = action;
  req.opinion = opinion;
  req.date = day;
  req.at = at;
  req.to = to;
  req.to_role = target ? ld_user_get (target, LD_USER_ROLE) : NULL;
  req.event_id = op_id;
  next = ld_workflow_apply (kase, matter, login, ld_user_get (user, LD_USER_ROLE), &req, &event,
                            error);
  if (next == NULL)
    goto fail;

  stmt = prepare (self, "UPDATE cases SET stage = ?, status = ?, suspend_kind = ?,"
                        " suspended_on = ?, assignee = ?, accepted_on = ?, closed_on = ?,"
                        " version = ? WHERE id = ? AND version = ?", error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, ld_case_get (next, LD_CASE_STAGE));
  bind_text (stmt, 2, ld_case_get (next, LD_CASE_STATUS));
  bind_text (stmt, 3, ld_case_get (next, LD_CASE_SUSPEND_KIND));
  bind_text (stmt, 4, ld_case_get (next, LD_CASE_SUSPENDED_ON));
  bind_text (stmt, 5, ld_case_get (next, LD_CASE_ASSIGNEE));
  bind_text (stmt, 6, ld_case_get (next, LD_CASE_ACCEPTED_ON));
  bind_text (stmt, 7, ld_case_get (next, LD_CASE_CLOSED_ON));
  sqlite3_bind_int64 (stmt, 8, ld_case_get_version (next));
  bind_text (stmt, 9, ld_case_get (kase, LD_CASE_ID));
  sqlite3_bind_int64 (stmt, 10, ld_case_get_version (kase));
  if (!step_done (self, stmt, error))
    goto fail;
  if (sqlite3_changes (self->db) != 1)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_SQL,
                   "case %s changed while it was being written; try again",
                   ld_case_get (kase, LD_CASE_NUMBER));
      goto fail;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = prepare (self, "INSERT INTO case_events (" EVENT_COLUMNS ")"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto fail;
  for (int i = 0; i < LD_CASE_EVENT_N_FIELDS; i++)
    bind_text (stmt, i + 1, ld_case_event_get (event, i));
  sqlite3_bind_int64 (stmt, LD_CASE_EVENT_N_FIELDS + 1, ld_case_event_get_version (event));
  if (!step_done (self, stmt, error))
    goto fail;

  if (!store_clock (self, next, error))
    goto fail;

  json_builder_begin_object (ab);
  json_builder_set_member_name (ab, "id");
  json_builder_add_string_value (ab, action);
  json_builder_set_member_name (ab, "opinion");
  if (ld_case_event_get (event, LD_CASE_EVENT_OPINION))
    json_builder_add_string_value (ab, ld_case_event_get (event, LD_CASE_EVENT_OPINION));
  else
    json_builder_add_null_value (ab);
  json_builder_set_member_name (ab, "date");
  json_builder_add_string_value (ab, day);
  json_builder_set_member_name (ab, "to");
  if (to)
    json_builder_add_string_value (ab, to);
  else
    json_builder_add_null_value (ab);
  json_builder_end_object (ab);
  action_node = json_builder_get_root (ab);
  if (!write_op (self, op_id, "case", ld_case_get (kase, LD_CASE_ID), "action",
                 ld_case_get_version (kase), NULL, action_node, login, at, error))
    goto fail;
  if (!commit (self, error))
    goto fail;

  return load_case (self, ld_case_get (kase, LD_CASE_ID), &today, error);

fail:
  rollback (self);
  return NULL;
}

/* Hashes @file and copies it into the content-addressed folder (atomically). */
static char *
put_blob (LdStore     *self,
          const char  *file,
          gint64      *size,
          GError     **error)
{
  g_autoptr(GMappedFile) mapped = g_mapped_file_new (file, FALSE, error);
  g_autofree char *sha = NULL;
  g_autofree char *dest = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *tmp = NULL;
  GBytes *bytes;

  if (mapped == NULL)
    return NULL;
  bytes = g_mapped_file_get_bytes (mapped);
  sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  *size = (gint64) g_bytes_get_size (bytes);
  dest = ld_store_dup_blob_path (self, sha);
  dir = g_path_get_dirname (dest);
  if (!g_file_test (dest, G_FILE_TEST_EXISTS))
    {
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_SQL, "cannot create %s: %s", dir,
                       g_strerror (errno));
          g_bytes_unref (bytes);
          return NULL;
        }
      tmp = g_strconcat (dest, ".part", NULL);
      if (!g_file_set_contents (tmp, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                error)
          || g_rename (tmp, dest) != 0)
        {
          g_remove (tmp);
          g_bytes_unref (bytes);
          if (error && *error == NULL)
            g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_SQL, "cannot write %s", dest);
          return NULL;
        }
    }
  g_bytes_unref (bytes);
  return g_steal_pointer (&sha);
}

/**
 * ld_store_dup_blob_path:
 *
 * Returns: where an attachment's content lives: `<store>.blobs/ab/cdef...`
 */
char *
ld_store_dup_blob_path (LdStore    *self,
                        const char *sha256)
{
  g_autofree char *root = g_strconcat (self->path, ".blobs", NULL);
  g_autofree char *prefix = g_strndup (sha256, 2);

  return g_build_filename (root, prefix, sha256 + 2, NULL);
}

/**
 * ld_store_add_attachment:
 *
 * Adds @file to a case. The content goes to the blob folder first (harmless if the transaction
 * then fails); the row and its op are one transaction.
 *
 * Returns: (transfer full): the content's SHA-256 (hex)
 */
char *
ld_store_add_attachment (LdStore     *self,
                         const char  *id_or_number,
                         const char  *login,
                         const char  *file,
                         GError     **error)
{
  g_autoptr(LdUser) user = NULL;
  g_autoptr(LdCase) kase = NULL;
  g_autoptr(JsonBuilder) fb = json_builder_new ();
  g_autoptr(JsonNode) fields = NULL;
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *op_id = g_uuid_string_random ();
  g_autofree char *now = now_iso8601 ();
  g_autofree char *name = g_path_get_basename (file);
  g_autofree char *mime = NULL;
  g_autofree char *size_text = NULL;
  gboolean uncertain;
  gint64 size = 0;

  sha = put_blob (self, file, &size, error);
  if (sha == NULL)
    return NULL;
  {
    g_autofree char *ctype = g_content_type_guess (name, NULL, 0, &uncertain);

    mime = g_content_type_get_mime_type (ctype);
  }
  size_text = g_strdup_printf ("%" G_GINT64_FORMAT, size);

  if (!begin (self, error))
    return NULL;
  if ((user = ld_store_find_user (self, login, error)) == NULL
      || (kase = load_case (self, id_or_number, NULL, error)) == NULL)
    goto fail;
  stmt = prepare (self, "INSERT INTO attachments (id, case_id, sha256, name, size, mime,"
                        " added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, id);
  bind_text (stmt, 2, ld_case_get (kase, LD_CASE_ID));
  bind_text (stmt, 3, sha);
  bind_text (stmt, 4, name);
  sqlite3_bind_int64 (stmt, 5, size);
  bind_text (stmt, 6, mime);
  bind_text (stmt, 7, login);
  bind_text (stmt, 8, now);
  if (!step_done (self, stmt, error))
    goto fail;
  json_builder_begin_object (fb);
  add_field (fb, "case_id", NULL, ld_case_get (kase, LD_CASE_ID));
  add_field (fb, "sha256", NULL, sha);
  add_field (fb, "name", NULL, name);
  add_field (fb, "size", NULL, size_text);
  add_field (fb, "mime", NULL, mime);
  json_builder_end_object (fb);
  fields = json_builder_get_root (fb);
  if (!write_op (self, op_id, "attachment", id, "insert", 0, fields, NULL, login, now, error)
      || !commit (self, error))
    goto fail;
  return g_steal_pointer (&sha);

fail:
  rollback (self);
  return NULL;
}

/**
 * ld_store_save_opinion:
 *
 * Saves @login's opinion on the case's current stage (the opinion editor): an insert the first
 * time, then updates, each with its op (an update carries the base value).
 */
gboolean
ld_store_save_opinion (LdStore     *self,
                       const char  *id_or_number,
                       const char  *login,
                       const char  *text,
                       GError     **error)
{
  g_autoptr(LdUser) user = NULL;
  g_autoptr(LdCase) kase = NULL;
  g_autoptr(JsonBuilder) fb = json_builder_new ();
  g_autoptr(JsonNode) fields = NULL;
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  g_autofree char *id = NULL;
  g_autofree char *old_text = NULL;
  g_autofree char *op_id = g_uuid_string_random ();
  g_autofree char *now = now_iso8601 ();
  gint64 version = 0;

  if (text == NULL || *text == '\0')
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_SQL, "an opinion needs some text");
      return FALSE;
    }
  if (!begin (self, error))
    return FALSE;
  if ((user = ld_store_find_user (self, login, error)) == NULL
      || (kase = load_case (self, id_or_number, NULL, error)) == NULL)
    goto fail;
  stmt = prepare (self, "SELECT id, text, version FROM opinions WHERE case_id = ? AND stage = ?"
                        " AND author = ?", error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, ld_case_get (kase, LD_CASE_ID));
  bind_text (stmt, 2, ld_case_get (kase, LD_CASE_STAGE));
  bind_text (stmt, 3, login);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      old_text = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      version = sqlite3_column_int64 (stmt, 2);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  json_builder_begin_object (fb);
  if (id == NULL)
    {
      id = g_uuid_string_random ();
      stmt = prepare (self, "INSERT INTO opinions (id, case_id, stage, author, text, updated_at)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", error);
      add_field (fb, "case_id", NULL, ld_case_get (kase, LD_CASE_ID));
      add_field (fb, "stage", NULL, ld_case_get (kase, LD_CASE_STAGE));
      add_field (fb, "author", NULL, login);
    }
  else
    stmt = prepare (self, "UPDATE opinions SET text = ?5, updated_at = ?6, version = version + 1"
                          " WHERE id = ?1", error);
  add_field (fb, "text", old_text, text);
  json_builder_end_object (fb);
  fields = json_builder_get_root (fb);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, id);
  bind_text (stmt, 2, ld_case_get (kase, LD_CASE_ID));
  bind_text (stmt, 3, ld_case_get (kase, LD_CASE_STAGE));
  bind_text (stmt, 4, login);
  bind_text (stmt, 5, text);
  bind_text (stmt, 6, now);
  if (!step_done (self, stmt, error)
      || !write_op (self, op_id, "opinion", id, version ? "update" : "insert", version, fields,
                    NULL, login, now, error)
      || !commit (self, error))
    goto fail;
  return TRUE;

fail:
  rollback (self);
  return FALSE;
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

/**
 * ld_store_dup_case_json:
 * @full: add the stage log, red lines and attachments (the case page)
 *
 * Returns: (transfer full): the case as JSON, the fields of `cases list --json`
 */
char *
ld_store_dup_case_json (LdStore  *self,
                        LdCase   *kase,
                        gboolean  full,
                        GError  **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const LdClock *clock = ld_case_get_clock (kase);
  LdMatter *matter = ld_matter_list_find (self->matters, ld_case_get (kase, LD_CASE_MATTER));
  g_autofree char *deadline = clock->has_deadline ? ld_date_format (&clock->deadline) : NULL;
  int stage = matter ? ld_matter_find_stage (matter, ld_case_get (kase, LD_CASE_STAGE)) : -1;

  json_builder_begin_object (b);
  add_string (b, "id", ld_case_get (kase, LD_CASE_ID));
  add_string (b, "number", ld_case_get (kase, LD_CASE_NUMBER));
  add_string (b, "matter", ld_case_get (kase, LD_CASE_MATTER));
  add_string (b, "matter_name", matter ? ld_matter_get_name (matter) : NULL);
  add_string (b, "type", ld_case_get_case_type (kase));
  add_string (b, "type_name", matter ? ld_matter_get_case_type_name (matter) : NULL);
  add_string (b, "title", ld_case_get (kase, LD_CASE_TITLE));
  add_string (b, "applicant", ld_case_get (kase, LD_CASE_APPLICANT));
  add_string (b, "stage", ld_case_get (kase, LD_CASE_STAGE));
  add_string (b, "stage_name", stage >= 0 ? ld_matter_get_stage_name (matter, stage) : NULL);
  add_string (b, "status", ld_case_get (kase, LD_CASE_STATUS));
  add_string (b, "assignee", ld_case_get (kase, LD_CASE_ASSIGNEE));
  add_string (b, "received_on", ld_case_get (kase, LD_CASE_RECEIVED_ON));
  add_string (b, "accepted_on", ld_case_get (kase, LD_CASE_ACCEPTED_ON));
  add_string (b, "closed_on", ld_case_get (kase, LD_CASE_CLOSED_ON));
  add_string (b, "light", ld_light_to_string (clock->light));
  add_string (b, "deadline", deadline);
  json_builder_set_member_name (b, "limit_workdays");
  json_builder_add_int_value (b, clock->limit);
  json_builder_set_member_name (b, "remaining_workdays");
  if (clock->has_deadline)
    json_builder_add_int_value (b, clock->remaining);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "suspended");
  json_builder_add_boolean_value (b, clock->paused);
  add_string (b, "suspend_kind", ld_case_get (kase, LD_CASE_SUSPEND_KIND));
  add_string (b, "suspended_on", ld_case_get (kase, LD_CASE_SUSPENDED_ON));
  json_builder_set_member_name (b, "weekends_only");
  json_builder_add_boolean_value (b, clock->weekends_only);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, ld_case_get_version (kase));

  if (full)
    {
      g_autoptr(GListModel) events = events_of (self, ld_case_get (kase, LD_CASE_ID), error);
      g_auto(sqlite3_stmt_ptr) stmt = NULL;

      if (events == NULL)
        return NULL;
      add_string (b, "project_use", ld_case_get (kase, LD_CASE_PROJECT_USE));
      add_string (b, "supply_method", ld_case_get (kase, LD_CASE_SUPPLY_METHOD));
      json_builder_set_member_name (b, "events");
      json_builder_begin_array (b);
      for (guint i = 0; i < g_list_model_get_n_items (events); i++)
        {
          g_autoptr(LdCaseEvent) e = g_list_model_get_item (events, i);

          json_builder_begin_object (b);
          for (int f = 0; f < LD_CASE_EVENT_N_FIELDS; f++)
            if (f != LD_CASE_EVENT_CASE_ID)
              add_string (b, ld_case_event_field_name (f), ld_case_event_get (e, f));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);

      /* Areas: planar Gauss-Krüger m² as stored; ha and mu derived (domain.md §6). */
      stmt = prepare (self, "SELECT id, parcel_no, name, area_m2 FROM case_redlines"
                            " WHERE case_id = ? ORDER BY parcel_no", error);
      if (stmt == NULL)
        return NULL;
      bind_text (stmt, 1, ld_case_get (kase, LD_CASE_ID));
      json_builder_set_member_name (b, "redlines");
      json_builder_begin_array (b);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          double m2 = sqlite3_column_double (stmt, 3);

          json_builder_begin_object (b);
          add_string (b, "id", (const char *) sqlite3_column_text (stmt, 0));
          add_string (b, "parcel_no", (const char *) sqlite3_column_text (stmt, 1));
          add_string (b, "name", (const char *) sqlite3_column_text (stmt, 2));
          json_builder_set_member_name (b, "area_m2");
          json_builder_add_double_value (b, m2);
          json_builder_set_member_name (b, "area_ha");
          json_builder_add_double_value (b, m2 / 10000.0);
          json_builder_set_member_name (b, "area_mu");
          json_builder_add_double_value (b, m2 * 0.0015);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      g_clear_pointer (&stmt, sqlite3_finalize);

      stmt = prepare (self, "SELECT id, sha256, name, size, mime, added_by, added_at"
                            " FROM attachments WHERE case_id = ? ORDER BY added_at, fid", error);
      if (stmt == NULL)
        return NULL;
      bind_text (stmt, 1, ld_case_get (kase, LD_CASE_ID));
      json_builder_set_member_name (b, "attachments");
      json_builder_begin_array (b);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          json_builder_begin_object (b);
          add_string (b, "id", (const char *) sqlite3_column_text (stmt, 0));
          add_string (b, "sha256", (const char *) sqlite3_column_text (stmt, 1));
          add_string (b, "name", (const char *) sqlite3_column_text (stmt, 2));
          json_builder_set_member_name (b, "size");
          json_builder_add_int_value (b, sqlite3_column_int64 (stmt, 3));
          add_string (b, "mime", (const char *) sqlite3_column_text (stmt, 4));
          add_string (b, "added_by", (const char *) sqlite3_column_text (stmt, 5));
          add_string (b, "added_at", (const char *) sqlite3_column_text (stmt, 6));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, TRUE);
}

/**
 * ld_store_dup_outbox_json:
 *
 * Returns: (transfer full): the pending ops, oldest first, as a JSON array
 */
char *
ld_store_dup_outbox_json (LdStore  *self,
                          GError  **error)
{
  g_auto(sqlite3_stmt_ptr) stmt = prepare (self, "SELECT op FROM outbox WHERE state = 'pending'"
                                           " ORDER BY seq", error);
  GString *out = g_string_new ("[");

  if (stmt == NULL)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  for (int i = 0; sqlite3_step (stmt) == SQLITE_ROW; i++)
    g_string_append_printf (out, "%s\n%s", i ? "," : "", sqlite3_column_text (stmt, 0));
  g_string_append (out, "\n]\n");
  return g_string_free (out, FALSE);
}

gint64
ld_store_count_outbox (LdStore *self)
{
  g_auto(sqlite3_stmt_ptr) stmt = prepare (self, "SELECT count(*) FROM outbox", NULL);

  return stmt && sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : -1;
}
