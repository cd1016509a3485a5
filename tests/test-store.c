/* test-store.c: the local store: schema, demo import, edits with their ops, lists, search,
 * migrations, crashes and a second process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <gdal.h>
#include <ogr_api.h>
#pragma GCC diagnostic pop

#include "ld-core.h"
#include "ld-test-demo.h"
#include "ld-test-util.h"

/* A store loaded with the small demo, closed (so its WAL is checkpointed). */
static char *
demo_store (const char *name)
{
  g_autofree char *demo = ld_test_path ("demo.gpkg");
  char *path = ld_test_path (name);
  g_autoptr(LdStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_file_test (demo, G_FILE_TEST_EXISTS))
    ld_test_write_demo (demo);
  store = ld_store_create (path, &error);
  g_assert_no_error (error);
  g_assert_true (ld_store_import_demo (store, demo, &error));
  g_assert_no_error (error);
  return path;
}

static LdStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  LdStore *store = ld_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

/* Runs one SQL query on a separate plain connection; returns the first column of the first
 * row as text ("" when NULL, "(none)" when no row). */
static char *
sql1 (const char *path,
      const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *out;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  if (sqlite3_step (stmt) == SQLITE_ROW)
    out = g_strdup (sqlite3_column_text (stmt, 0) ? (const char *) sqlite3_column_text (stmt, 0)
                                                  : "");
  else
    out = g_strdup ("(none)");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return out;
}

static void
assert_sql (const char *path,
            const char *sql,
            const char *expected)
{
  g_autofree char *got = sql1 (path, sql);

  g_test_message ("%s", sql);
  g_assert_cmpstr (got, ==, expected);
}

/* ogrinfo reads the store without a warning or an error. */
static void
assert_ogrinfo_clean (const char *path,
                      const char *layer)
{
  g_autofree char *ogrinfo = g_find_program_in_path ("ogrinfo");
  g_autoptr(LdTestRun) run = NULL;

  g_assert_nonnull (ogrinfo);
  run = ld_test_run (NULL, ogrinfo, "-so", path, layer, NULL);
  g_test_message ("ogrinfo: %s%s", run->out, run->err);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpstr (run->err, ==, "");
  g_assert_null (strstr (run->out, "Warning"));
  g_assert_nonnull (strstr (run->out, "Geometry Column = geom"));
  g_assert_nonnull (strstr (run->out, "2000"));   /* CGCS2000 */
}

/* Each R-tree row equals the envelope GDAL computes from the geometry itself. */
static void
assert_rtree_matches (const char *path,
                      const char *table)
{
  GDALDatasetH ds = GDALOpenEx (path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
  OGRLayerH layer;
  OGRFeatureH f;
  guint n = 0;

  g_assert_nonnull (ds);
  layer = GDALDatasetGetLayerByName (ds, table);
  g_assert_nonnull (layer);
  OGR_L_ResetReading (layer);
  while ((f = OGR_L_GetNextFeature (layer)) != NULL)
    {
      OGREnvelope e;
      g_autofree char *sql = g_strdup_printf ("SELECT printf('%%.3f %%.3f %%.3f %%.3f', minx, maxx,"
                                              " miny, maxy) FROM rtree_%s_geom WHERE id = %"
                                              G_GINT64_FORMAT, table, (gint64) OGR_F_GetFID (f));
      g_autofree char *expected = NULL;

      OGR_G_GetEnvelope (OGR_F_GetGeometryRef (f), &e);
      /* the R-tree stores 32-bit floats rounded outwards: compare to a metre */
      expected = sql1 (path, sql);
      {
        double v[4];

        g_assert_cmpint (sscanf (expected, "%lf %lf %lf %lf", &v[0], &v[1], &v[2], &v[3]), ==, 4);
        g_assert_cmpfloat_with_epsilon (v[0], e.MinX, 8.0);
        g_assert_cmpfloat_with_epsilon (v[1], e.MaxX, 8.0);
        g_assert_cmpfloat_with_epsilon (v[2], e.MinY, 1.0);
        g_assert_cmpfloat_with_epsilon (v[3], e.MaxY, 1.0);
      }
      OGR_F_Destroy (f);
      n++;
    }
  g_assert_cmpuint (n, >, 0);
  GDALClose (ds);
}

static void
test_create (void)
{
  g_autofree char *path = ld_test_path ("sub/dir/store.gpkg");
  g_autoptr(LdStore) store = NULL;
  g_autoptr(LdStore) again = NULL;
  g_autoptr(GError) error = NULL;

  store = ld_store_create (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ld_store_get_version (store), ==, ld_store_latest_version ());
  g_assert_true (ld_calendar_has_year (ld_store_get_calendar (store), 2025));
  g_assert_cmpuint (g_list_model_get_n_items (ld_store_get_matters (store)), ==, 4);
  g_clear_object (&store);

  /* creating over an existing file is refused and leaves it alone */
  g_assert_null (ld_store_create (path, &error));
  g_assert_error (error, LD_STORE_ERROR, LD_STORE_ERROR_EXISTS);
  g_clear_error (&error);

  again = open_store (path);
  g_assert_cmpint (ld_store_get_version (again), ==, ld_store_latest_version ());
  g_clear_object (&again);
  assert_sql (path, "PRAGMA journal_mode", "wal");
  assert_sql (path, "PRAGMA application_id", "1196444487");
  assert_ogrinfo_clean (path, "case_redlines");
}

static void
test_open_errors (void)
{
  g_autofree char *missing = ld_test_path ("missing.gpkg");
  g_autofree char *text = ld_test_path ("text.gpkg");
  g_autofree char *newer = ld_test_path ("newer.gpkg");
  g_autoptr(LdStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  sqlite3 *db;

  g_assert_null (ld_store_open (missing, &error));
  g_assert_error (error, LD_STORE_ERROR, LD_STORE_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, "store create"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (text, "not a database at all, just text", -1, NULL));
  g_assert_null (ld_store_open (text, &error));
  g_assert_error (error, LD_STORE_ERROR, LD_STORE_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, text));
  g_clear_error (&error);

  store = ld_store_create (newer, &error);
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_cmpint (sqlite3_open (newer, &db), ==, SQLITE_OK);
  sql = g_strdup_printf ("PRAGMA user_version = %d", 10200 + ld_store_latest_version () + 1);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_null (ld_store_open (newer, &error));
  g_assert_error (error, LD_STORE_ERROR, LD_STORE_ERROR_VERSION);
}

static void
test_import_demo (void)
{
  g_autofree char *path = demo_store ("store.gpkg");
  g_autofree char *demo = ld_test_path ("demo.gpkg");
  g_autoptr(LdStore) store = open_store (path);
  g_autoptr(GListModel) users = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LdUser) admin = NULL;

  users = ld_store_list_users (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, 7);
  admin = ld_store_find_user (store, "admin", &error);
  g_assert_cmpstr (ld_user_get (admin, LD_USER_ROLE), ==, "admin");
  g_assert_null (ld_store_find_user (store, "nobody", &error));
  g_assert_error (error, LD_STORE_ERROR, LD_STORE_ERROR_USER);
  g_clear_error (&error);

  /* importing twice is refused and changes nothing */
  g_assert_false (ld_store_import_demo (store, demo, &error));
  g_assert_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT);
  g_clear_object (&store);

  assert_sql (path, "SELECT count(*) FROM cases", "5");
  assert_sql (path, "SELECT count(*) FROM case_events", "7");
  assert_sql (path, "SELECT count(*) FROM case_redlines", "5");
  assert_sql (path, "SELECT count(*) FROM rtree_case_redlines_geom", "5");
  assert_sql (path, "SELECT feature_count FROM gpkg_ogr_contents WHERE table_name ="
                    " 'case_redlines'", "5");
  assert_sql (path, "SELECT count(*) FROM xz_dltb", "1");
  assert_sql (path, "SELECT count(*) FROM outbox", "0");
  assert_sql (path, "SELECT title FROM cases WHERE number = 'ZJYS-2025-0001'",
              "东海岛钢铁配套码头项目");
  assert_ogrinfo_clean (path, "case_redlines");
  assert_ogrinfo_clean (path, "xz_dltb");
  assert_rtree_matches (path, "case_redlines");
  assert_rtree_matches (path, "xz_dltb");
}

static void
test_import_bad_demo (void)
{
  g_autofree char *path = ld_test_path ("store.gpkg");
  g_autofree char *bad = ld_test_path ("bad.gpkg");
  g_autoptr(LdStore) store = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  /* a GeoPackage-like file whose cases table lacks the stage column */
  g_assert_cmpint (sqlite3_open (bad, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE users (login TEXT, role TEXT);"
                                     "INSERT INTO users VALUES ('a', 'reviewer');"
                                     "CREATE TABLE cases (id TEXT, matter TEXT);", NULL, NULL,
                                 NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  store = ld_store_create (path, &error);
  g_assert_no_error (error);
  g_assert_false (ld_store_import_demo (store, bad, &error));
  g_assert_error (error, LD_STORE_ERROR, LD_STORE_ERROR_IMPORT);
  g_assert_nonnull (strstr (error->message, "stage"));
  g_clear_object (&store);
  /* nothing half-imported: the users copied before the failure are gone too */
  assert_sql (path, "SELECT count(*) FROM users", "0");
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_act (void)
{
  g_autofree char *path = demo_store ("store.gpkg");
  g_autoptr(LdStore) store = open_store (path);
  g_autoptr(LdCase) kase = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) op = NULL;
  g_autofree char *op_text = NULL;
  JsonObject *action;

  /* refused: wrong user, unknown user, unknown action: nothing changes */
  g_assert_null (ld_store_act (store, "ZJYS-2025-0001", "li.na", "submit", NULL, "2025-03-20",
                               NULL, &error));
  g_assert_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_ASSIGNEE);
  g_clear_error (&error);
  g_assert_null (ld_store_act (store, "ZJYS-2025-0001", "ghost", "submit", NULL, "2025-03-20",
                               NULL, &error));
  g_assert_error (error, LD_STORE_ERROR, LD_STORE_ERROR_USER);
  g_clear_error (&error);
  g_assert_null (ld_store_act (store, "ZJYS-2025-0001", "zhang.wei", "fly", NULL, "2025-03-20",
                               NULL, &error));
  g_assert_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_UNKNOWN_ACTION);
  g_clear_error (&error);
  g_assert_null (ld_store_act (store, "ZJYS-9999-0001", "zhang.wei", "submit", NULL, NULL, NULL,
                               &error));
  g_assert_error (error, LD_STORE_ERROR, LD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  assert_sql (path, "SELECT count(*) FROM outbox", "0");
  assert_sql (path, "SELECT stage || ' ' || version FROM cases WHERE id = '" DEMO_CASE_EXAMINE "'",
              "examine 1");

  kase = ld_store_act (store, "ZJYS-2025-0001", "zhang.wei", "submit", "符合用地政策。",
                       "2025-03-20", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_case_get (kase, LD_CASE_STAGE), ==, "check");
  g_assert_cmpint (ld_case_get_version (kase), ==, 2);

  assert_sql (path, "SELECT stage || ' ' || version || ' ' || coalesce(assignee, '-')"
                    " FROM cases WHERE id = '" DEMO_CASE_EXAMINE "'", "check 2 -");
  assert_sql (path, "SELECT count(*) FROM outbox", "1");
  assert_sql (path, "SELECT action || ' ' || from_stage || ' ' || to_stage || ' ' || actor ||"
                    " ' ' || opinion || ' ' || substr(at, 1, 10) FROM case_events"
                    " ORDER BY fid DESC LIMIT 1",
              "submit examine check zhang.wei 符合用地政策。 2025-03-20");

  op_text = sql1 (path, "SELECT op FROM outbox");
  op = parse_object (op_text);
  g_assert_cmpstr (json_object_get_string_member (op, "entity"), ==, "case");
  g_assert_cmpstr (json_object_get_string_member (op, "entity_id"), ==, DEMO_CASE_EXAMINE);
  g_assert_cmpstr (json_object_get_string_member (op, "kind"), ==, "action");
  g_assert_cmpint (json_object_get_int_member (op, "base_version"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (op, "user"), ==, "zhang.wei");
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (op, "op_id")));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (op, "at"), "2025-03-20T"));
  action = json_object_get_object_member (op, "action");
  g_assert_cmpstr (json_object_get_string_member (action, "id"), ==, "submit");
  g_assert_cmpstr (json_object_get_string_member (action, "opinion"), ==, "符合用地政策。");
  g_assert_cmpstr (json_object_get_string_member (action, "date"), ==, "2025-03-20");
  g_assert_true (json_object_get_null_member (action, "to"));
  /* the event's UUID is the op's: the server logs the same event under the same id */
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM case_events WHERE id = '%s'",
                                            json_object_get_string_member (op, "op_id"));

    assert_sql (path, sql, "1");
  }
}

static void
test_attachment_and_opinion (void)
{
  g_autofree char *path = demo_store ("store.gpkg");
  g_autofree char *file = ld_test_path ("现场照片.txt");
  g_autofree char *missing = ld_test_path ("missing.pdf");
  g_autoptr(LdStore) store = open_store (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *blob = NULL;
  g_autofree char *content = NULL;
  g_autofree char *op_text = NULL;
  g_autoptr(JsonObject) op = NULL;
  JsonObject *text_field;
  const char *data = "红线与现状一致。\n";

  g_assert_true (g_file_set_contents (file, data, -1, NULL));
  expected = g_compute_checksum_for_string (G_CHECKSUM_SHA256, data, -1);
  sha = ld_store_add_attachment (store, "ZJYS-2025-0001", "zhang.wei", file, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sha, ==, expected);
  blob = ld_store_dup_blob_path (store, sha);
  g_assert_true (g_str_has_prefix (blob, path));
  g_assert_nonnull (strstr (blob, ".blobs/"));
  g_assert_true (g_file_get_contents (blob, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, data);
  assert_sql (path, "SELECT name || ' ' || size FROM attachments", "现场照片.txt 25");
  assert_sql (path, "SELECT entity || ' ' || kind || ' ' || base_version FROM outbox",
              "attachment insert 0");

  g_assert_null (ld_store_add_attachment (store, "ZJYS-2025-0001", "zhang.wei", missing, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  assert_sql (path, "SELECT count(*) FROM attachments", "1");

  g_assert_true (ld_store_save_opinion (store, "ZJYS-2025-0001", "zhang.wei", "初稿", &error));
  g_assert_true (ld_store_save_opinion (store, "ZJYS-2025-0001", "zhang.wei", "定稿", &error));
  g_assert_no_error (error);
  assert_sql (path, "SELECT text || ' ' || version FROM opinions", "定稿 2");
  assert_sql (path, "SELECT count(*) FROM outbox", "3");
  op_text = sql1 (path, "SELECT op FROM outbox ORDER BY seq DESC LIMIT 1");
  op = parse_object (op_text);
  g_assert_cmpstr (json_object_get_string_member (op, "kind"), ==, "update");
  g_assert_cmpint (json_object_get_int_member (op, "base_version"), ==, 1);
  text_field = json_object_get_object_member (json_object_get_object_member (op, "fields"),
                                              "text");
  g_assert_cmpstr (json_object_get_string_member (text_field, "base"), ==, "初稿");
  g_assert_cmpstr (json_object_get_string_member (text_field, "value"), ==, "定稿");
}

static GStrv
numbers (LdStore    *store,
         LdCaseList  list,
         const char *user,
         const char *search,
         const char *light,
         const char *today)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autoptr(GListModel) cases = NULL;
  g_autoptr(GError) error = NULL;
  LdCaseQuery q = { .list = list, .user = user, .search = search, .light = light };
  GDate t;
  guint total = 0;

  g_assert_true (ld_date_parse (today ? today : "2025-03-20", &t, NULL));
  q.today = &t;
  cases = ld_store_query_cases (store, &q, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, g_list_model_get_n_items (cases));
  for (guint i = 0; i < g_list_model_get_n_items (cases); i++)
    {
      g_autoptr(LdCase) c = g_list_model_get_item (cases, i);

      g_strv_builder_add (b, ld_case_get (c, LD_CASE_NUMBER));
    }
  return g_strv_builder_end (b);
}

#define ASSERT_NUMBERS(got, ...) \
  G_STMT_START { \
    g_auto(GStrv) _got = (got); \
    const char *_want[] = { __VA_ARGS__, NULL }; \
    g_autofree char *_g = g_strjoinv (",", _got); \
    g_autofree char *_w = g_strjoinv (",", (GStrv) _want); \
    g_assert_cmpstr (_g, ==, _w); \
  } G_STMT_END

static void
test_lists (void)
{
  g_autofree char *path = demo_store ("store.gpkg");
  g_autoptr(LdStore) store = open_store (path);
  guint counts[6];
  g_autoptr(GError) error = NULL;

  /* sorted by deadline: 0004 is paused with its deadline as of its suspension day */
  ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_TODO, "zhang.wei", NULL, NULL, NULL),
                  "ZJYS-2025-0001", "ZJCR-2025-0003");
  ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_TODO, "wang.fang", NULL, NULL, NULL),
                  "ZJHB-2025-0002");
  ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_TODO, "liu.yang", NULL, NULL, NULL), "");
  ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_DOING, "li.na", NULL, NULL, NULL),
                  "ZJHS-2025-0004", "ZJHB-2025-0002");
  ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_SUSPENDED, "li.na", NULL, NULL, NULL),
                  "ZJHS-2025-0004");
  ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_SUSPENDED, "zhang.wei", NULL, NULL, NULL), "");
  ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_DONE, "zhang.wei", NULL, NULL, NULL),
                  "ZJYS-2024-0005");
  ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_CLOSED, NULL, NULL, NULL, NULL), "ZJYS-2024-0005");
  g_assert_true (ld_store_count_lists (store, "li.na", counts, &error));
  g_assert_cmpuint (counts[LD_CASE_LIST_ALL], ==, 5);
  g_assert_cmpuint (counts[LD_CASE_LIST_TODO], ==, 1);   /* 0003 at intake, unassigned */
  g_assert_cmpuint (counts[LD_CASE_LIST_DOING], ==, 2);
  g_assert_cmpuint (counts[LD_CASE_LIST_SUSPENDED], ==, 1);

  /* an unknown user is refused */
  {
    LdCaseQuery q = { .list = LD_CASE_LIST_TODO, .user = "ghost" };

    g_assert_null (ld_store_query_cases (store, &q, NULL, &error));
    g_assert_error (error, LD_STORE_ERROR, LD_STORE_ERROR_USER);
  }
}

static void
test_search (void)
{
  g_autofree char *path = demo_store ("store.gpkg");
  g_autoptr(LdStore) store = open_store (path);

  /* three characters and more: the trigram index */
  ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_ALL, NULL, "东海岛", NULL, NULL),
                  "ZJYS-2025-0001");
  ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_ALL, NULL, "ZJHB", NULL, NULL), "ZJHB-2025-0002");
  ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_ALL, NULL, "土地储备中心", NULL, NULL),
                  "ZJCR-2025-0003");
  ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_ALL, NULL, "港池地块", NULL, NULL),
                  "ZJYS-2025-0001");
  /* shorter: a scan; "滨海" is in 0004's title and applicant */
  ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_ALL, NULL, "滨海", NULL, NULL), "ZJHS-2025-0004");
  ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_ALL, NULL, "港池", NULL, NULL), "ZJYS-2025-0001");
  ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_ALL, NULL, "%", NULL, NULL), "");
  ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_ALL, NULL, "\"不存在\"", NULL, NULL), "");
}

static void
test_clock (void)
{
  g_autofree char *path = demo_store ("store.gpkg");
  g_autoptr(LdStore) store = open_store (path);
  g_autoptr(LdCase) c = NULL;
  g_autoptr(LdCase) paused = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *deadline = NULL;
  const LdClock *clock;
  GDate t;

  /* accepted Tue 4 March 2025, 20 working days: Tue 1 April; on Thu 20 March 12 are used */
  g_assert_true (ld_date_parse ("2025-03-20", &t, NULL));
  c = ld_store_get_case (store, DEMO_CASE_EXAMINE, &t, &error);
  g_assert_no_error (error);
  clock = ld_case_get_clock (c);
  deadline = ld_date_format (&clock->deadline);
  g_assert_cmpstr (deadline, ==, "2025-04-01");
  g_assert_cmpint (clock->remaining, ==, 8);
  g_assert_cmpint (clock->light, ==, LD_LIGHT_GREEN);

  /* 0004: accepted Wed 5 March, suspended Wed 12 March: 5 used, 15 left, whatever the day */
  g_assert_true (ld_date_parse ("2025-06-30", &t, NULL));
  paused = ld_store_get_case (store, DEMO_CASE_SUSPENDED, &t, &error);
  g_assert_cmpint (ld_case_get_clock (paused)->remaining, ==, 15);
  g_assert_true (ld_case_get_clock (paused)->paused);

  /* on Wed 2 April: 0001 is overdue; 0002 (accepted 10 March, due 8 April) is yellow */
  ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_ALL, NULL, NULL, "red", "2025-04-02"),
                  "ZJYS-2025-0001");
  ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_ALL, NULL, NULL, "yellow", "2025-04-02"),
                  "ZJHB-2025-0002");
  ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_ALL, NULL, NULL, "none", "2025-04-02"),
                  "ZJCR-2025-0003");
  ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_ALL, NULL, NULL, "green", "2025-03-20"),
                  "ZJYS-2024-0005", "ZJYS-2025-0001", "ZJHS-2025-0004", "ZJHB-2025-0002");
}

static void
test_redline_edit_keeps_rtree (void)
{
  g_autofree char *path = demo_store ("store.gpkg");
  GDALDatasetH ds;
  OGRLayerH layer;
  OGRFeatureH f;
  OGRGeometryH g = NULL;
  char *wkt = (char *) "MULTIPOLYGON (((37440000 2360000, 37440500 2360000, 37440500 2360300,"
                       " 37440000 2360000)))";

  /* an edit through GDAL (as QGIS would) ... */
  ds = GDALOpenEx (path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
  g_assert_nonnull (ds);
  layer = GDALDatasetGetLayerByName (ds, "case_redlines");
  f = OGR_L_GetFeature (layer, 1);
  g_assert_cmpint (OGR_G_CreateFromWkt (&wkt, NULL, &g), ==, OGRERR_NONE);
  OGR_F_SetGeometryDirectly (f, g);
  g_assert_cmpint (OGR_L_SetFeature (layer, f), ==, OGRERR_NONE);
  OGR_F_Destroy (f);
  GDALClose (ds);
  assert_rtree_matches (path, "case_redlines");

  /* ... and through our own connection, whose triggers use our ST_ functions */
  {
    g_autoptr(LdStore) store = open_store (path);
    sqlite3 *db;

    g_clear_object (&store);
    /* a plain connection lacks the functions: the trigger must fail, not write a bad R-tree */
    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "UPDATE case_redlines SET geom = (SELECT geom FROM"
                                       " case_redlines WHERE fid = 3) WHERE fid = 2", NULL, NULL,
                                   NULL), ==, SQLITE_ERROR);
    sqlite3_close (db);
  }
  assert_rtree_matches (path, "case_redlines");
  assert_ogrinfo_clean (path, "case_redlines");
}

static void
null_function (sqlite3_context *ctx,
               int              argc,
               sqlite3_value  **argv)
{
  sqlite3_result_null (ctx);
}

/* Builds a store at schema @version with one case, one event and one red line written the
 * way that version's program would have. */
static char *
old_store (int version)
{
  g_autofree char *name = g_strdup_printf ("v%d.gpkg", version);
  char *path = ld_test_path (name);
  g_autoptr(LdStore) store = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  store = ld_store_create_at_version (path, version, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ld_store_get_version (store), ==, version);
  g_clear_object (&store);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  /* The R-tree triggers need the GeoPackage functions to compile; the red line written here
   * has no geometry, so they never run. */
  for (guint i = 0; i < 5; i++)
    {
      const char *names[] = { "ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY" };

      sqlite3_create_function (db, names[i], 1, SQLITE_UTF8, NULL, null_function, NULL, NULL);
    }
  g_assert_cmpint (sqlite3_exec (db,
    "INSERT INTO users (login, display_name, role) VALUES ('zhang.wei', '张伟', 'reviewer');"
    "INSERT INTO cases (id, number, matter, title, applicant, stage, status, assignee,"
    " received_on, accepted_on) VALUES ('c1', 'ZJYS-2025-0100', 'land-prereview',"
    " '徐闻县光伏发电项目', '徐闻新能源公司', 'examine', 'active', 'zhang.wei', '2025-03-03',"
    " '2025-03-04');"
    "INSERT INTO case_events (id, case_id, action, from_stage, to_stage, actor, at) VALUES"
    " ('e1', 'c1', 'accept', 'accept', 'examine', 'zhang.wei', '2025-03-04T09:00:00+08:00');"
    "INSERT INTO case_redlines (id, case_id, parcel_no, name, area_m2) VALUES"
    " ('r1', 'c1', 'DK07', '角尾乡地块', 1000);", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  return path;
}

static void
test_migrations (void)
{
  for (int v = 1; v < ld_store_latest_version (); v++)
    {
      g_autofree char *path = old_store (v);
      g_autoptr(LdStore) store = NULL;
      g_autoptr(LdCase) c = NULL;
      g_autoptr(LdCase) acted = NULL;
      g_autoptr(GError) error = NULL;
      GDate t;

      g_test_message ("from schema %d", v);
      store = open_store (path);
      g_assert_cmpint (ld_store_get_version (store), ==, ld_store_latest_version ());
      /* the old case is searchable (also by its parcel) and has its deadline */
      ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_ALL, NULL, "光伏发电", NULL, NULL),
                      "ZJYS-2025-0100");
      ASSERT_NUMBERS (numbers (store, LD_CASE_LIST_ALL, NULL, "角尾乡", NULL, NULL),
                      "ZJYS-2025-0100");
      g_assert_true (ld_date_parse ("2025-03-20", &t, NULL));
      c = ld_store_get_case (store, "c1", &t, &error);
      g_assert_no_error (error);
      /* Deadlines are computed on upgrade from before schema 5; from 5 on, the program wrote
       * them with the case, which the raw insert of old_store() does not. */
      if (v < 5)
        {
          g_assert_true (ld_case_get_clock (c)->has_deadline);
          g_assert_cmpint (ld_case_get_clock (c)->remaining, ==, 8);
        }
      /* and the migrated store takes edits with their ops */
      acted = ld_store_act (store, "c1", "zhang.wei", "submit", NULL, "2025-03-20", NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (ld_store_count_outbox (store), ==, 1);
      g_clear_object (&store);
      {
        g_autofree char *latest = g_strdup_printf ("%d", 10200 + ld_store_latest_version ());

        assert_sql (path, "PRAGMA user_version", latest);
      }
      assert_ogrinfo_clean (path, "case_redlines");
    }
}

/* Kill the writer after each statement of an action in turn: the store must hold the whole
 * edit (case, stage log, op) or none of it, and stay readable. */
static void
test_crash (void)
{
  g_autofree char *pristine = demo_store ("pristine.gpkg");
  g_autofree char *path = ld_test_path ("crash.gpkg");
  const char *helper = ld_test_binary ("LANDDESK_STORE_CRASH");
  gboolean finished = FALSE;
  int killed = 0;

  for (int n = 1; !finished && n < 200; n++)
    {
      g_autoptr(GFile) src = g_file_new_for_path (pristine);
      g_autoptr(GFile) dst = g_file_new_for_path (path);
      g_autofree char *n_text = g_strdup_printf ("%d", n);
      g_autoptr(LdTestRun) run = NULL;
      g_autoptr(LdStore) store = NULL;
      g_autofree char *state = NULL;
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);

      g_remove (wal);
      g_remove (shm);
      g_assert_true (g_file_copy (src, dst, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL));
      run = ld_test_run (NULL, helper, path, "ZJYS-2025-0001", "zhang.wei", "submit", n_text,
                         NULL);
      g_assert_cmpint (run->status, !=, 1);
      finished = run->status == 0;
      killed += run->status == -1;

      store = open_store (path);
      g_clear_object (&store);
      state = sql1 (path, "SELECT (SELECT stage || version FROM cases WHERE number ="
                          " 'ZJYS-2025-0001') || ' ' || (SELECT count(*) FROM case_events) ||"
                          " ' ' || (SELECT count(*) FROM outbox)");
      g_test_message ("killed after %d statements: %s", n, state);
      if (finished)
        g_assert_cmpstr (state, ==, "check2 8 1");
      else
        g_assert_true (g_str_equal (state, "examine1 7 0") || g_str_equal (state, "check2 8 1"));
    }
  g_assert_true (finished);
  g_assert_cmpint (killed, >=, 5);   /* the action really has statements to be killed in */
}

/* A second process holding the write lock: the edit fails with a clear message, changes
 * nothing, and works once the other lets go. */
static void
test_busy (void)
{
  g_autofree char *path = demo_store ("store.gpkg");
  g_autoptr(LdStore) store = open_store (path);
  g_autoptr(LdCase) c = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *other;

  g_assert_cmpint (sqlite3_open (path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  ld_store_set_busy_timeout (store, 200);
  g_assert_null (ld_store_act (store, "ZJYS-2025-0001", "zhang.wei", "submit", NULL, "2025-03-20",
                               NULL, &error));
  g_assert_error (error, LD_STORE_ERROR, LD_STORE_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "another program"));
  g_clear_error (&error);
  g_assert_cmpint (sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (other);

  assert_sql (path, "SELECT count(*) FROM outbox", "0");
  c = ld_store_act (store, "ZJYS-2025-0001", "zhang.wei", "submit", NULL, "2025-03-20", NULL,
                    &error);
  g_assert_no_error (error);
  assert_sql (path, "SELECT count(*) FROM outbox", "1");
}

int
main (int    argc,
      char **argv)
{
  ld_test_init (&argc, &argv);

  g_test_add_func ("/store/create", test_create);
  g_test_add_func ("/store/open-errors", test_open_errors);
  g_test_add_func ("/store/import-demo", test_import_demo);
  g_test_add_func ("/store/import-bad-demo", test_import_bad_demo);
  g_test_add_func ("/store/act", test_act);
  g_test_add_func ("/store/attachment-and-opinion", test_attachment_and_opinion);
  g_test_add_func ("/store/lists", test_lists);
  g_test_add_func ("/store/search", test_search);
  g_test_add_func ("/store/clock", test_clock);
  g_test_add_func ("/store/redline-edit-keeps-rtree", test_redline_edit_keeps_rtree);
  g_test_add_func ("/store/migrations", test_migrations);
  g_test_add_func ("/store/crash", test_crash);
  g_test_add_func ("/store/busy", test_busy);

  return g_test_run ();
}
