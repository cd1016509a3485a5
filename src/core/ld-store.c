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
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ld-clock.h"
#include "ld-matter.h"
#include "ld-paths.h"
#include "ld-store.h"
#include "ld-store-private.h"
#include "ld-store-sync-private.h"
#include "ld-workflow.h"

#define GPKG_APPLICATION_ID 0x47504B47   /* "GPKG" */
#define GPKG_USER_VERSION_BASE 10200

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
  /* the role that acts at the case's stage (from its matter) and the list order: deadline,
   * cases without one last, then number */
  "ALTER TABLE cases ADD COLUMN stage_role TEXT;"
  "ALTER TABLE cases ADD COLUMN sort_key TEXT;"
  "CREATE INDEX cases_number ON cases (number);"
  "CREATE INDEX cases_sort ON cases (sort_key);"
  "CREATE INDEX cases_status_sort ON cases (status, sort_key);"
  "CREATE INDEX cases_todo ON cases (status, stage_role, assignee);"
  "CREATE INDEX cases_todo_sort ON cases (status, stage_role, sort_key);"
  "CREATE INDEX cases_assignee ON cases (assignee);"
  /* "cases I acted on" probes cases by id: answer it from the index alone */
  "CREATE INDEX cases_id_state ON cases (id, status, stage_role, assignee);"
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

/* The overlay analysis of a case (ld-analysis.c), with the fingerprint of its inputs: a
 * stored result whose fingerprint no longer matches is stale. */
static const char schema_6[] =
  "CREATE TABLE case_analyses (case_id TEXT PRIMARY KEY NOT NULL"
  " REFERENCES cases(id) ON DELETE CASCADE, json TEXT NOT NULL, computed_at TEXT NOT NULL,"
  " fingerprint TEXT NOT NULL);";

static const char schema_7[] =
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

/* Map palettes delivered by the server (its feed's "palette" records: the CSV text of
 * data/styles/ID.csv); the map prefers them to the shipped files. Matters and calendars have
 * their tables since schema 4. */
static const char schema_8[] =
  "CREATE TABLE palettes (id TEXT PRIMARY KEY NOT NULL, text TEXT NOT NULL,"
  " version INTEGER NOT NULL DEFAULT 1);";

static const char schema_9[] =
  /* Offline areas (ld-offline-area.c): the job and its cursors, so a download resumes. */
  "CREATE TABLE offline_areas (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL,"
  " server TEXT NOT NULL, area BLOB NOT NULL," /* WKB, EPSG:4525 */
  " west REAL NOT NULL, south REAL NOT NULL, east REAL NOT NULL, north REAL NOT NULL,"
  " min_zoom INTEGER NOT NULL, max_zoom INTEGER NOT NULL,"
  " state TEXT NOT NULL DEFAULT 'downloading' CHECK (state IN ('downloading', 'done')),"
  " features_total INTEGER NOT NULL DEFAULT 0, tiles_total INTEGER NOT NULL DEFAULT 0,"
  " bytes_total INTEGER NOT NULL DEFAULT 0, tiles_done INTEGER NOT NULL DEFAULT 0,"
  " bytes_done INTEGER NOT NULL DEFAULT 0, finished_at TEXT);"
  "CREATE TABLE offline_area_layers (area_id INTEGER NOT NULL"
  " REFERENCES offline_areas(id) ON DELETE CASCADE, layer TEXT NOT NULL,"
  " after_fid INTEGER NOT NULL DEFAULT -1, done INTEGER NOT NULL DEFAULT 0,"
  " fetched INTEGER NOT NULL DEFAULT 0, kept INTEGER NOT NULL DEFAULT 0,"
  " PRIMARY KEY (area_id, layer));"
  /* The fids the server sent for a running job: what it lacks in the area was deleted. */
  "CREATE TABLE offline_area_fids (area_id INTEGER NOT NULL"
  " REFERENCES offline_areas(id) ON DELETE CASCADE, layer TEXT NOT NULL, fid INTEGER NOT NULL,"
  " PRIMARY KEY (area_id, layer, fid)) WITHOUT ROWID;";

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
  { "stored overlay analyses", schema_6 },
  { "sync: outbox reasons, opinions without a unique key", schema_7 },
  { "palettes from the server", schema_8 },
  { "offline areas and their download cursors", schema_9 },
};

/* ---- helpers ---------------------------------------------------------------------------- */

gboolean
ld_store_fail (LdStore     *self,
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

gboolean
ld_store_exec (LdStore     *self,
               const char  *sql,
               GError     **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return ld_store_fail (self, error, "cannot write");
  return TRUE;
}

sqlite3_stmt *
ld_store_prepare (LdStore     *self,
                  const char  *sql,
                  GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      ld_store_fail (self, error, "cannot read");
      return NULL;
    }
  return stmt;
}

void
ld_store_bind_text (sqlite3_stmt *stmt,
                    int           index,
                    const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

gboolean
ld_store_step_done (LdStore       *self,
                    sqlite3_stmt  *stmt,
                    GError       **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return ld_store_fail (self, error, "cannot write");
  return TRUE;
}

gboolean
ld_store_begin (LdStore  *self,
                GError  **error)
{
  return ld_store_exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
ld_store_commit (LdStore  *self,
                 GError  **error)
{
  return ld_store_exec (self, "COMMIT", error);
}

void
ld_store_rollback (LdStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

char *
ld_store_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S%:z");
}

void
ld_store_today (GDate *date)
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

/* The envelope of a WKB geometry a blob's header gives none for (GDAL writes none for
 * points): GEOS reads it. Rare, so a GEOS context of its own. */
static gboolean
wkb_envelope (const guint8 *wkb,
              gsize         size,
              Envelope     *env)
{
  GEOSContextHandle_t geos = GEOS_init_r ();
  GEOSWKBReader *reader = GEOSWKBReader_create_r (geos);
  GEOSGeometry *geom = GEOSWKBReader_read_r (geos, reader, wkb, size);
  gboolean ok = geom != NULL;

  if (ok)
    {
      env->empty = GEOSisEmpty_r (geos, geom) == 1;
      if (!env->empty)
        ok = GEOSGeom_getXMin_r (geos, geom, &env->minx)
             && GEOSGeom_getXMax_r (geos, geom, &env->maxx)
             && GEOSGeom_getYMin_r (geos, geom, &env->miny)
             && GEOSGeom_getYMax_r (geos, geom, &env->maxy);
      GEOSGeom_destroy_r (geos, geom);
    }
  GEOSWKBReader_destroy_r (geos, reader);
  GEOS_finish_r (geos);
  return ok;
}

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
  return wkb_envelope (blob + header, size - header, env);
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
  g_auto(sqlite3_stmt_ptr) stmt = ld_store_prepare (self, "PRAGMA user_version", NULL);

  return stmt && sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int (stmt, 0) : -1;
}

static int
read_application_id (LdStore *self)
{
  g_auto(sqlite3_stmt_ptr) stmt = ld_store_prepare (self, "PRAGMA application_id", NULL);

  return stmt && sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int (stmt, 0) : -1;
}

/* The definitions GDAL 3.6 writes (OSRExportToWkt, WKT1) for the two CRSs every store has:
 * fixed by EPSG, so written as they are rather than by loading GDAL or PROJ. */
static const char wkt4326[] =
  "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,"
  "AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,"
  "AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],"
  "AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST],AUTHORITY[\"EPSG\",\"4326\"]]";
static const char wkt4525[] =
  "PROJCS[\"CGCS2000 / 3-degree Gauss-Kruger zone 37\",GEOGCS[\"China Geodetic Coordinate "
  "System 2000\",DATUM[\"China_2000\",SPHEROID[\"CGCS2000\",6378137,298.257222101,"
  "AUTHORITY[\"EPSG\",\"1024\"]],AUTHORITY[\"EPSG\",\"1043\"]],PRIMEM[\"Greenwich\",0,"
  "AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],"
  "AUTHORITY[\"EPSG\",\"4490\"]],PROJECTION[\"Transverse_Mercator\"],"
  "PARAMETER[\"latitude_of_origin\",0],PARAMETER[\"central_meridian\",111],"
  "PARAMETER[\"scale_factor\",1],PARAMETER[\"false_easting\",37500000],"
  "PARAMETER[\"false_northing\",0],UNIT[\"metre\",1,AUTHORITY[\"EPSG\",\"9001\"]],"
  "AXIS[\"Northing\",NORTH],AXIS[\"Easting\",EAST],AUTHORITY[\"EPSG\",\"4525\"]]";

/* Runs migration @index (0-based) in its own transaction. */
static gboolean
migrate_step (LdStore  *self,
              guint     index,
              GError  **error)
{
  g_autofree char *set_version = NULL;

  if (!ld_store_begin (self, error))
    return FALSE;
  /* The SRS rows come after the tables that refer to them: check at commit. */
  if (!ld_store_exec (self, "PRAGMA defer_foreign_keys = ON", error)
      || !ld_store_exec (self, migrations[index].sql, error))
    goto fail;
  if (index == 0)
    {
      g_auto(sqlite3_stmt_ptr) stmt = NULL;

      stmt = ld_store_prepare (self, "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, 'EPSG', ?,"
                                     " ?, NULL)",
                                        error);
      if (stmt == NULL)
        goto fail;
      ld_store_bind_text (stmt, 1, "WGS 84 geodetic");
      sqlite3_bind_int (stmt, 2, 4326);
      sqlite3_bind_int (stmt, 3, 4326);
      ld_store_bind_text (stmt, 4, wkt4326);
      if (!ld_store_step_done (self, stmt, error))
        goto fail;
      sqlite3_reset (stmt);
      ld_store_bind_text (stmt, 1, "CGCS2000 / 3-degree Gauss-Kruger zone 37");
      sqlite3_bind_int (stmt, 2, 4525);
      sqlite3_bind_int (stmt, 3, 4525);
      ld_store_bind_text (stmt, 4, wkt4525);
      if (!ld_store_step_done (self, stmt, error))
        goto fail;
      if (!ld_store_exec (self, "PRAGMA application_id = 1196444487", error))
        goto fail;
    }
  set_version = g_strdup_printf ("PRAGMA user_version = %d", GPKG_USER_VERSION_BASE + index + 1);
  if (!ld_store_exec (self, set_version, error) || !ld_store_commit (self, error))
    goto fail;
  self->version = index + 1;
  /* The header (application_id, user_version) is what other readers look at first. */
  sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  return TRUE;

fail:
  ld_store_rollback (self);
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

LdStore *
ld_store_open_db (const char  *path,
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
  if (!ld_store_exec (self, "PRAGMA foreign_keys = ON", error))
    return NULL;
  {
    g_auto(sqlite3_stmt_ptr) stmt = ld_store_prepare (self, "PRAGMA journal_mode = WAL", NULL);

    /* A read-only medium keeps its journal mode; that is fine for reading. */
    if (stmt != NULL)
      sqlite3_step (stmt);
  }
  return g_steal_pointer (&self);
}

/* Matters and calendars: the store's own copies (delivered by the server, or taken from the
 * data dir when the store was made), so that every deadline is computed on the same rules on
 * the client and the server. Empty tables are filled from the data dir. */
gboolean
ld_store_load_reference_data (LdStore  *self,
                              GError  **error)
{
  g_autoptr(GListStore) matters = g_list_store_new (LD_TYPE_MATTER);
  g_autoptr(LdCalendar) calendar = ld_calendar_new ();
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  gboolean empty = TRUE;

  stmt = ld_store_prepare (self, "SELECT year, json FROM calendars ORDER BY year", error);
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
      if (!ld_store_begin (self, error))
        return FALSE;
      stmt = ld_store_prepare (self, "INSERT INTO calendars (year, source, json)"
                                     " VALUES (?, ?, ?)", error);
      for (guint i = 0; stmt != NULL && i < years->len; i++)
        {
          int y = g_array_index (years, int, i);
          g_autofree char *json = ld_calendar_dup_year_json (shipped, y);

          sqlite3_reset (stmt);
          sqlite3_bind_int (stmt, 1, y);
          ld_store_bind_text (stmt, 2, ld_calendar_get_source (shipped, y));
          ld_store_bind_text (stmt, 3, json);
          if (!ld_store_step_done (self, stmt, error))
            {
              ld_store_rollback (self);
              return FALSE;
            }
        }
      g_clear_pointer (&stmt, sqlite3_finalize);
      if (!ld_store_commit (self, error))
        {
          ld_store_rollback (self);
          return FALSE;
        }
      g_set_object (&calendar, shipped);
    }

  empty = TRUE;
  stmt = ld_store_prepare (self, "SELECT id, json FROM matters ORDER BY id", error);
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

      if (shipped == NULL || !ld_store_begin (self, error))
        return FALSE;
      ins = ld_store_prepare (self, "INSERT INTO matters (id, json) VALUES (?, ?)", error);
      ins_stage = ins ? ld_store_prepare (self, "INSERT INTO matter_stages (matter, stage, role,"
                                                " idx)"
                                                " VALUES (?, ?, ?, ?)", error) : NULL;
      if (ins_stage == NULL)
        {
          ld_store_rollback (self);
          return FALSE;
        }
      for (guint i = 0; i < g_list_model_get_n_items (shipped); i++)
        {
          g_autoptr(LdMatter) m = g_list_model_get_item (shipped, i);

          sqlite3_reset (ins);
          ld_store_bind_text (ins, 1, ld_matter_get_id (m));
          ld_store_bind_text (ins, 2, ld_matter_get_json (m));
          if (!ld_store_step_done (self, ins, error))
            {
              ld_store_rollback (self);
              return FALSE;
            }
          for (guint s = 0; s < ld_matter_get_n_stages (m); s++)
            {
              sqlite3_reset (ins_stage);
              ld_store_bind_text (ins_stage, 1, ld_matter_get_id (m));
              ld_store_bind_text (ins_stage, 2, ld_matter_get_stage_id (m, s));
              ld_store_bind_text (ins_stage, 3, ld_matter_get_stage_role (m, s));
              sqlite3_bind_int (ins_stage, 4, (int) s);
              if (!ld_store_step_done (self, ins_stage, error))
                {
                  ld_store_rollback (self);
                  return FALSE;
                }
            }
          g_list_store_append (matters, m);
        }
      if (!ld_store_commit (self, error))
        {
          ld_store_rollback (self);
          return FALSE;
        }
    }
  g_set_object (&self->calendar, calendar);
  g_clear_object (&self->matters);
  self->matters = G_LIST_MODEL (g_steal_pointer (&matters));
  return TRUE;
}

/* ---- reading records -------------------------------------------------------------------- */

LdCase *
ld_store_case_from_row (sqlite3_stmt *stmt,
                        int           first)
{
  LdCase *kase = ld_case_new ();

  for (int i = 0; i < LD_CASE_N_FIELDS; i++)
    ld_case_set (kase, i, (const char *) sqlite3_column_text (stmt, first + i));
  ld_case_set_version (kase, sqlite3_column_int64 (stmt, first + LD_CASE_N_FIELDS));
  return kase;
}

LdCaseEvent *
ld_store_event_from_row (sqlite3_stmt *stmt)
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

void
ld_store_finish_case (LdStore     *self,
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

GListModel *
ld_store_events_of (LdStore     *self,
                    const char  *case_id,
                    GError     **error)
{
  g_autoptr(GListStore) list = g_list_store_new (LD_TYPE_CASE_EVENT);
  sqlite3_stmt *stmt;
  int rc;

  if (self->events_stmt == NULL)
    self->events_stmt = ld_store_prepare (self, "SELECT " EVENT_COLUMNS " FROM case_events"
                                                " WHERE case_id = ? ORDER BY at, fid", error);
  stmt = self->events_stmt;
  if (stmt == NULL)
    return NULL;
  sqlite3_reset (stmt);
  ld_store_bind_text (stmt, 1, case_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(LdCaseEvent) e = ld_store_event_from_row (stmt);

      g_list_store_append (list, e);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ld_store_fail (self, error, "cannot read the stage log");
      return NULL;
    }
  return G_LIST_MODEL (g_steal_pointer (&list));
}

/* Recomputes and stores a case's deadline columns (inside the caller's transaction). */
gboolean
ld_store_write_clock (LdStore     *self,
                      LdCase      *kase,
                      GError     **error)
{
  LdMatter *matter = ld_matter_list_find (self->matters, ld_case_get (kase, LD_CASE_MATTER));
  g_autoptr(GListModel) events = NULL;
  g_autoptr(GArray) susp = NULL;
  sqlite3_stmt *stmt;
  g_autofree char *deadline = NULL;
  g_autofree char *yellow_on = NULL;
  g_autofree char *sort_key = NULL;
  const char *number;
  LdClock clock = { 0 };
  gboolean ok;
  int stage;
  GDate eval;

  if (matter == NULL)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_NOT_FOUND,
                   "case %s: field matter: '%s' is not in the matter catalogue",
                   ld_case_get (kase, LD_CASE_NUMBER), ld_case_get (kase, LD_CASE_MATTER));
      return FALSE;
    }
  events = ld_store_events_of (self, ld_case_get (kase, LD_CASE_ID), error);
  if (events == NULL)
    return FALSE;
  susp = ld_clock_suspensions (events);
  /* Stored: an open suspension counts as ending the day it began (zero length). */
  ld_store_today (&eval);
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
  stage = ld_matter_find_stage (matter, ld_case_get (kase, LD_CASE_STAGE));
  number = ld_case_get (kase, LD_CASE_NUMBER);
  sort_key = g_strdup_printf ("%s %s", deadline ? deadline : "9999-12-31", number ? number : "");
  if (self->clock_stmt == NULL)
    self->clock_stmt = ld_store_prepare (self, "UPDATE cases SET deadline = ?, yellow_on = ?,"
                                               " weekends_only = ?, stage_role = ?, sort_key = ?"
                                               " WHERE id = ?", error);
  stmt = self->clock_stmt;
  if (stmt == NULL)
    return FALSE;
  sqlite3_reset (stmt);
  ld_store_bind_text (stmt, 1, deadline);
  ld_store_bind_text (stmt, 2, yellow_on);
  sqlite3_bind_int (stmt, 3, clock.weekends_only);
  ld_store_bind_text (stmt, 4, stage >= 0 ? ld_matter_get_stage_role (matter, stage) : NULL);
  ld_store_bind_text (stmt, 5, sort_key);
  ld_store_bind_text (stmt, 6, ld_case_get (kase, LD_CASE_ID));
  ok = ld_store_step_done (self, stmt, error);
  sqlite3_reset (stmt);
  return ok;
}

gboolean
ld_store_write_all_clocks (LdStore  *self,
                           GError  **error)
{
  g_auto(sqlite3_stmt_ptr) stmt = NULL;

  stmt = ld_store_prepare (self, "SELECT " CASE_COLUMNS " FROM cases", error);
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func (g_object_unref);

  if (stmt == NULL)
    return FALSE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (cases, ld_store_case_from_row (stmt, 0));
  for (guint i = 0; i < cases->len; i++)
    if (!ld_store_write_clock (self, cases->pdata[i], error))
      return FALSE;
  return TRUE;
}

/* The case by UUID or by number, read inside the caller's transaction (or not). */
LdCase *
ld_store_load_case (LdStore     *self,
                    const char  *id_or_number,
                    const GDate *today,
                    GError     **error)
{
  g_auto(sqlite3_stmt_ptr) stmt = ld_store_prepare (self, "SELECT " CASE_COLUMNS ", deadline,"
                                                                                 " yellow_on,"
                                                             " weekends_only FROM cases WHERE id"
                                                             " = ?1 OR number = ?1"
                                                             " LIMIT 1", error);
  LdCase *kase;
  GDate t;
  int rc;

  if (stmt == NULL)
    return NULL;
  if (today == NULL)
    {
      ld_store_today (&t);
      today = &t;
    }
  ld_store_bind_text (stmt, 1, id_or_number);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_NOT_FOUND,
                     "store %s has no case '%s' (give its number or its UUID)", self->path,
                     id_or_number);
      else
        ld_store_fail (self, error, "cannot read the case");
      return NULL;
    }
  kase = ld_store_case_from_row (stmt, 0);
  ld_store_finish_case (self, kase, stmt, LD_CASE_N_FIELDS + 1, today);
  return kase;
}

/* The stored deadlines depend on the calendars and the matters: when those change (a new
 * year's calendar, an edited matter, a store from before schema 5), every case's deadline is
 * computed again, in one transaction. */
gboolean
ld_store_refresh_clocks (LdStore  *self,
                         GError  **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  gboolean same = FALSE;
  const char *basis;

  stmt = ld_store_prepare (self, "SELECT json FROM calendars ORDER BY year", error);
  if (stmt == NULL)
    return FALSE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_checksum_update (sum, sqlite3_column_text (stmt, 0), -1);
  g_clear_pointer (&stmt, sqlite3_finalize);
  stmt = ld_store_prepare (self, "SELECT json FROM matters ORDER BY id", error);
  if (stmt == NULL)
    return FALSE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_checksum_update (sum, sqlite3_column_text (stmt, 0), -1);
  g_clear_pointer (&stmt, sqlite3_finalize);
  basis = g_checksum_get_string (sum);

  stmt = ld_store_prepare (self, "SELECT value = ? FROM sync_state WHERE key = 'clock_basis'",
                           error);
  if (stmt == NULL)
    return FALSE;
  ld_store_bind_text (stmt, 1, basis);
  same = sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (same)
    return TRUE;

  if (!ld_store_begin (self, error))
    return FALSE;
  stmt = ld_store_prepare (self, "INSERT OR REPLACE INTO sync_state (key, value) VALUES"
                                 " ('clock_basis', ?)", error);
  if (stmt == NULL)
    goto fail;
  ld_store_bind_text (stmt, 1, basis);
  if (!ld_store_step_done (self, stmt, error) || !ld_store_write_all_clocks (self, error)
      || !ld_store_commit (self, error))
    goto fail;
  return TRUE;

fail:
  ld_store_rollback (self);
  return FALSE;
}

/* ---- ops --------------------------------------------------------------------------------- */

gboolean
ld_store_write_op (LdStore     *self,
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
  if (fields != NULL)
    json_builder_add_value (b, json_node_copy (fields));
  else
    {
      json_builder_begin_object (b);
      json_builder_end_object (b);
    }
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

  stmt = ld_store_prepare (self, "INSERT INTO outbox (op_id, entity, entity_id, kind,"
                                 " base_version, op,"
                                 " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  ld_store_bind_text (stmt, 1, op_id);
  ld_store_bind_text (stmt, 2, entity);
  ld_store_bind_text (stmt, 3, entity_id);
  ld_store_bind_text (stmt, 4, kind);
  sqlite3_bind_int64 (stmt, 5, base_version);
  ld_store_bind_text (stmt, 6, text);
  ld_store_bind_text (stmt, 7, at);
  return ld_store_step_done (self, stmt, error);
}

void
ld_store_add_field (JsonBuilder *b,
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

  g_clear_object (&self->reader);
  g_mutex_clear (&self->reader_lock);
  g_clear_pointer (&self->events_stmt, sqlite3_finalize);
  g_clear_pointer (&self->clock_stmt, sqlite3_finalize);
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
  g_mutex_init (&self->reader_lock);
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
  self = ld_store_open_db (path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, error);
  if (self == NULL || !migrate (self, version, error))
    {
      g_clear_object (&self);
      g_remove (path);
      return NULL;
    }
  if (version >= 4 && !ld_store_load_reference_data (self, error))
    return NULL;
  if (version >= 5 && !ld_store_refresh_clocks (self, error))
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
  int user_version, app_id;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_OPEN,
                   "store %s does not exist; make one with 'landdesk-cli store create %s'",
                   path, path);
      return NULL;
    }
  self = ld_store_open_db (path, SQLITE_OPEN_READWRITE, error);
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
  if (!migrate (self, ld_store_latest_version (), error))
    return NULL;
  if (!ld_store_load_reference_data (self, error) || !ld_store_refresh_clocks (self, error))
    return NULL;
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

