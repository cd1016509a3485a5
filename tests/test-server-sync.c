/* test-server-sync.c: the change feed and POST /api/v1/ops against a real landdesk-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdio.h>

#include "ld-test-server-demo.h"
#include "ld-test-server.h"
#include "ld-test-util.h"

#define PW "demo-pass-123"

static LdTestServer *
demo_server (const char *dir)
{
  g_autofree char *gpkg = ld_test_demo_gpkg ("demo.gpkg");

  return ld_test_server_start (dir, "--init-demo", gpkg, "--demo-password", PW, NULL);
}

/* Pulls the whole feed visible to @token, @limit entries a page; returns the entries. */
static JsonArray *
pull_all (LdTestServer *server,
          const char   *token,
          gint64        since,
          guint         limit,
          guint        *pages)
{
  JsonArray *all = json_array_new ();
  gboolean more = TRUE;
  gint64 last_seq = since;

  *pages = 0;
  while (more)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/changes?since=%" G_GINT64_FORMAT
                                               "&limit=%u", since, limit);
      g_autoptr(LdTestResponse) res = ld_test_server_call (server, "GET", path, token, NULL,
                                                           NULL, 0, NULL);
      JsonObject *obj;
      JsonArray *changes;

      g_assert_cmpuint (res->status, ==, 200);
      obj = ld_test_response_object (res);
      changes = json_object_get_array_member (obj, "changes");
      g_assert_cmpuint (json_array_get_length (changes), <=, limit);
      for (guint i = 0; i < json_array_get_length (changes); i++)
        {
          JsonObject *c = json_array_get_object_element (changes, i);
          gint64 seq = json_object_get_int_member (c, "seq");

          g_assert_cmpint (seq, >, last_seq);   /* strictly ordered, never repeated */
          last_seq = seq;
          json_array_add_element (all, json_node_copy (json_array_get_element (changes, i)));
        }
      more = json_object_get_boolean_member (obj, "more");
      g_assert_cmpint (json_object_get_int_member (obj, "next"), >=, last_seq);
      since = json_object_get_int_member (obj, "next");
      (*pages)++;
      g_assert_cmpuint (*pages, <, 1000);
    }
  return all;
}

static guint
count_entity (JsonArray  *changes,
              const char *entity)
{
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (changes); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (changes, i),
                                                    "entity"), entity))
      n++;
  return n;
}

static JsonObject *
find_change (JsonArray  *changes,
             const char *entity_id,
             gint64      version)
{
  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      JsonObject *c = json_array_get_object_element (changes, i);

      if (g_str_equal (json_object_get_string_member (c, "entity_id"), entity_id)
          && json_object_get_int_member (c, "version") == version)
        return c;
    }
  return NULL;
}

static void
test_feed_visibility (void)
{
  g_autofree char *dir = ld_test_path ("server-data");
  g_autoptr(LdTestServer) server = demo_server (dir);
  /* login, cases it may see (from the fixture's assignees and stages), red lines among them */
  static const struct { const char *login; guint cases; guint redlines; } who[] = {
    { "admin", 5, 2 },       /* everything */
    { "chen.gang", 5, 2 },   /* GIS officer: everything */
    { "zhang.wei", 3, 1 },   /* assigned EXAMINE; stages intake/examine: FIELD, INTAKE */
    { "liu.yang", 5, 2 },    /* assigned CHECK, INTAKE, APPROVE; stage examine: EXAMINE, FIELD */
    { "li.na", 1, 1 },       /* section head: stage check */
    { "wang.fang", 1, 0 },   /* leader: stage approve */
    { "zhao.lei", 1, 0 },    /* field staff: assigned FIELD only */
  };
  gint64 head = ld_test_server_head_seq (server);

  for (guint w = 0; w < G_N_ELEMENTS (who); w++)
    {
      g_autofree char *token = ld_test_server_login (server, who[w].login, PW);
      g_autoptr(JsonArray) all = NULL;
      g_autoptr(JsonArray) paged = NULL;
      guint pages;

      all = pull_all (server, token, 0, 1000, &pages);
      g_assert_cmpuint (pages, ==, 1);
      if (count_entity (all, "case") != who[w].cases)
        g_error ("%s sees %u cases, expected %u", who[w].login, count_entity (all, "case"),
                 who[w].cases);
      g_assert_cmpuint (count_entity (all, "case_event"), ==, who[w].cases);
      g_assert_cmpuint (count_entity (all, "case_redline"), ==, who[w].redlines);
      g_assert_cmpuint (count_entity (all, "user"), ==, LD_TEST_N_USERS);
      g_assert_cmpuint (count_entity (all, "palette"), ==, 1);
      g_assert_cmpuint (count_entity (all, "matter"), ==, 4);
      g_assert_cmpuint (count_entity (all, "calendar"), ==, 3);
      g_assert_cmpuint (json_array_get_length (all), ==,
                        2 * who[w].cases + who[w].redlines + LD_TEST_N_USERS
                        + LD_TEST_N_REFERENCE);

      /* Paged by 4: the same entries in the same order. */
      paged = pull_all (server, token, 0, 4, &pages);
      g_assert_cmpuint (json_array_get_length (paged), ==, json_array_get_length (all));
      /* "more" is exact: no empty page at the end. */
      g_assert_cmpuint (pages, ==, (json_array_get_length (all) + 3) / 4);
      for (guint i = 0; i < json_array_get_length (all); i++)
        g_assert_true (json_node_equal (json_array_get_element (all, i),
                                        json_array_get_element (paged, i)));
      if (g_str_equal (who[w].login, "admin"))
        g_assert_cmpint (json_array_get_length (all), ==, head);
    }
}

static void
test_feed_records (void)
{
  g_autofree char *dir = ld_test_path ("server-data");
  g_autoptr(LdTestServer) server = demo_server (dir);
  g_autofree char *token = ld_test_server_login (server, "admin", PW);
  g_autoptr(JsonArray) all = NULL;
  JsonObject *c, *data;
  const char *wkt;
  double x, y;
  guint pages;

  all = pull_all (server, token, 0, 1000, &pages);
  c = find_change (all, LD_TEST_CASE_CHECK, 1);
  g_assert_nonnull (c);
  g_assert_cmpstr (json_object_get_string_member (c, "entity"), ==, "case");
  g_assert_false (json_object_get_boolean_member (c, "deleted"));
  data = json_object_get_object_member (c, "data");
  g_assert_cmpstr (json_object_get_string_member (data, "id"), ==, LD_TEST_CASE_CHECK);
  g_assert_cmpstr (json_object_get_string_member (data, "assignee"), ==, "liu.yang");
  g_assert_cmpstr (json_object_get_string_member (data, "stage"), ==, "check");
  g_assert_cmpstr (json_object_get_string_member (data, "title"), ==, "湛江项目2");
  g_assert_cmpstr (json_object_get_string_member (data, "received_on"), ==, "2025-03-03");
  g_assert_true (json_object_get_null_member (data, "closed_on"));

  c = find_change (all, "r0000000-0000-4000-8000-000000000001", 1);
  g_assert_nonnull (c);
  data = json_object_get_object_member (c, "data");
  g_assert_cmpstr (json_object_get_string_member (data, "case_id"), ==, LD_TEST_CASE_EXAMINE);
  g_assert_cmpfloat (json_object_get_double_member (data, "area_m2"), ==, 6400.0);
  wkt = json_object_get_string_member (data, "geom");
  /* EPSG:4525 as the fixture wrote it: the square's first corner. */
  g_assert_true (g_str_has_prefix (wkt, "MULTIPOLYGON ((("));
  g_assert_cmpint (sscanf (wkt, "MULTIPOLYGON (((%lf %lf", &x, &y), ==, 2);
  g_assert_cmpfloat_with_epsilon (x, 37433050.0, 0.001);
  g_assert_cmpfloat_with_epsilon (y, 2353050.0, 0.001);

  c = find_change (all, "wang.fang", 1);
  g_assert_nonnull (c);
  data = json_object_get_object_member (c, "data");
  g_assert_cmpstr (json_object_get_string_member (data, "display_name"), ==, "王芳");
  g_assert_false (json_object_has_member (data, "password_hash"));

  c = find_change (all, "xz_dltb", 1);
  g_assert_nonnull (c);
  g_assert_cmpstr (json_object_get_string_member (c, "entity"), ==, "palette");
  data = json_object_get_object_member (c, "data");
  g_assert_cmpstr (json_object_get_string_member (data, "file"), ==, "xz_dltb.csv");
  g_assert_nonnull (strstr (json_object_get_string_member (data, "text"), "0101,水田,#F8D072"));

  /* Bad cursors are refused. */
  {
    const char *bad[] = { "since=-1", "since=abc", "limit=0", "limit=100000", "since=1e3" };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autofree char *path = g_strconcat ("/api/v1/changes?", bad[i], NULL);
        g_autoptr(LdTestResponse) res = ld_test_server_call (server, "GET", path, token, NULL,
                                                             NULL, 0, NULL);

        g_assert_cmpuint (res->status, ==, 400);
        g_assert_nonnull (strstr (ld_test_response_message (res), "must be a whole number"));
      }
  }
}

/* The server dies between two pages of a pull: from the stored cursor, the pull resumes with
 * exactly the entries it had not seen. */
static void
test_feed_server_killed (void)
{
  g_autofree char *dir = ld_test_path ("server-data");
  g_autofree char *gpkg = ld_test_demo_gpkg ("demo.gpkg");
  g_autofree char *token = NULL;
  g_autoptr(JsonArray) whole = NULL;
  g_autoptr(JsonArray) resumed = NULL;
  JsonArray *first;
  gint64 cursor;
  guint pages;

  {
    g_autoptr(LdTestServer) server = ld_test_server_start (dir, "--init-demo", gpkg,
                                                           "--demo-password", PW, NULL);
    g_autoptr(LdTestResponse) page = NULL;

    token = ld_test_server_login (server, "liu.yang", PW);
    whole = pull_all (server, token, 0, 1000, &pages);
    page = ld_test_server_call (server, "GET", "/api/v1/changes?since=0&limit=6", token, NULL,
                                NULL, 0, NULL);
    g_assert_cmpuint (page->status, ==, 200);
    first = json_object_get_array_member (ld_test_response_object (page), "changes");
    resumed = json_array_new ();
    for (guint i = 0; i < json_array_get_length (first); i++)
      json_array_add_element (resumed, json_node_copy (json_array_get_element (first, i)));
    cursor = json_object_get_int_member (ld_test_response_object (page), "next");
    g_subprocess_send_signal (server->process, SIGKILL);
  }
  {
    g_autoptr(LdTestServer) server = ld_test_server_start (dir, NULL);
    g_autoptr(JsonArray) rest = pull_all (server, token, cursor, 4, &pages);

    for (guint i = 0; i < json_array_get_length (rest); i++)
      json_array_add_element (resumed, json_node_copy (json_array_get_element (rest, i)));
  }
  g_assert_cmpuint (json_array_get_length (resumed), ==, json_array_get_length (whole));
  for (guint i = 0; i < json_array_get_length (whole); i++)
    g_assert_true (json_node_equal (json_array_get_element (whole, i),
                                    json_array_get_element (resumed, i)));
}

/* {"op_id": ..., "entity": ..., "entity_id": ..., "kind": ..., "base_version": N, "fields": {...}} */
static char *
op_json (const char *op_id,
         const char *entity,
         const char *entity_id,
         const char *kind,
         gint64      base_version,
         const char *first_field,
         ...)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  va_list args;

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
  json_builder_set_member_name (b, "user");
  json_builder_add_string_value (b, "test");
  json_builder_set_member_name (b, "at");
  json_builder_add_string_value (b, "2025-05-01T10:00:00+08:00");
  if (first_field != NULL)
    {
      json_builder_set_member_name (b, "fields");
      json_builder_begin_object (b);
      va_start (args, first_field);
      for (const char *f = first_field; f != NULL; f = va_arg (args, const char *))
        {
          const char *base = va_arg (args, const char *);
          const char *value = va_arg (args, const char *);

          json_builder_set_member_name (b, f);
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
      va_end (args);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/* Posts {"ops": [OPS...]} and returns the results array (owned by the response). */
static LdTestResponse *
push (LdTestServer *server,
      const char   *token,
      const char   *first_op,
      ...)
{
  g_autoptr(GString) body = g_string_new ("{\"ops\": [");
  LdTestResponse *res;
  va_list args;

  va_start (args, first_op);
  for (const char *op = first_op; op != NULL; op = va_arg (args, const char *))
    {
      if (op != first_op)
        g_string_append_c (body, ',');
      g_string_append (body, op);
    }
  va_end (args);
  g_string_append (body, "]}");
  res = ld_test_server_call (server, "POST", "/api/v1/ops", token, NULL, body->str, -1, NULL);
  if (res->status != 200)
    g_error ("push: %u %.*s", res->status, (int) g_bytes_get_size (res->body),
             (const char *) g_bytes_get_data (res->body, NULL));
  return res;
}

static JsonObject *
result (LdTestResponse *res,
        guint           i)
{
  JsonArray *results = json_object_get_array_member (ld_test_response_object (res), "results");

  return json_array_get_object_element (results, i);
}

static void
assert_result (LdTestResponse *res,
               guint           i,
               const char     *expect,
               gint64          version,
               const char     *reason_part)
{
  JsonObject *r = result (res, i);
  const char *got = json_object_get_string_member (r, "result");

  if (!g_str_equal (got, expect))
    g_error ("op %u: %s (%s), expected %s", i, got,
             json_object_has_member (r, "reason") ? json_object_get_string_member (r, "reason")
                                                   : "", expect);
  if (version > 0)
    g_assert_cmpint (json_object_get_int_member (r, "version"), ==, version);
  if (reason_part != NULL && strstr (json_object_get_string_member (r, "reason"), reason_part)
                             == NULL)
    g_error ("op %u: reason '%s' does not say '%s'", i, json_object_get_string_member (r, "reason"),
             reason_part);
}

/* The record as the admin's feed shows it now (its latest entry). */
static JsonObject *
latest (LdTestServer *server,
        const char   *entity_id,
        gint64       *version)
{
  g_autofree char *token = ld_test_server_login (server, "admin", PW);
  g_autoptr(JsonArray) all = NULL;
  JsonObject *found = NULL;
  guint pages;

  all = pull_all (server, token, 0, 1000, &pages);
  for (guint i = 0; i < json_array_get_length (all); i++)
    {
      JsonObject *c = json_array_get_object_element (all, i);

      if (g_str_equal (json_object_get_string_member (c, "entity_id"), entity_id))
        found = c;
    }
  g_assert_nonnull (found);
  *version = json_object_get_int_member (found, "version");
  return json_object_ref (found);
}

/* A case reassigned to zhang.wei: his next pull brings the case and all its records, which he
 * could not see before (they are older than his cursor). */
static void
test_feed_reassigned (void)
{
  g_autofree char *dir = ld_test_path ("server-data");
  g_autoptr(LdTestServer) server = demo_server (dir);
  g_autofree char *zhang = ld_test_server_login (server, "zhang.wei", PW);
  g_autofree char *admin = ld_test_server_login (server, "admin", PW);
  g_autoptr(JsonArray) before = NULL;
  g_autoptr(JsonArray) after = NULL;
  g_autoptr(LdTestResponse) res = NULL;
  g_autofree char *op = op_json ("re-1", "case", LD_TEST_CASE_CHECK, "update", 1,
                                 "assignee", "liu.yang", "zhang.wei", NULL);
  gint64 cursor;
  guint pages;

  before = pull_all (server, zhang, 0, 1000, &pages);
  g_assert_null (find_change (before, LD_TEST_CASE_CHECK, 1));
  cursor = ld_test_server_head_seq (server);
  res = push (server, admin, op, NULL);
  assert_result (res, 0, "applied", 2, NULL);

  after = pull_all (server, zhang, cursor, 1000, &pages);
  g_assert_nonnull (find_change (after, LD_TEST_CASE_CHECK, 2));
  g_assert_nonnull (find_change (after, "e0000000-0000-4000-8000-000000000002", 1));
  g_assert_nonnull (find_change (after, "r0000000-0000-4000-8000-000000000002", 1));
  g_assert_cmpuint (json_array_get_length (after), ==, 3);
}

static void
test_ops_duplicate (void)
{
  g_autofree char *dir = ld_test_path ("server-data");
  g_autoptr(LdTestServer) server = demo_server (dir);
  g_autofree char *token = ld_test_server_login (server, "zhang.wei", PW);
  g_autofree char *insert = op_json ("op-1", "opinion", "op-opinion-1", "insert", 0,
                                     "case_id", NULL, LD_TEST_CASE_EXAMINE,
                                     "text", NULL, "同意选址", NULL);
  g_autofree char *update = op_json ("op-2", "case", LD_TEST_CASE_EXAMINE, "update", 1,
                                     "title", "湛江项目1", "湛江项目一期", NULL);
  g_autoptr(LdTestResponse) first = NULL;
  g_autoptr(LdTestResponse) again = NULL;
  g_autoptr(JsonObject) rec = NULL;
  gint64 before = ld_test_server_head_seq (server), after, version;

  first = push (server, token, insert, update, NULL);
  assert_result (first, 0, "applied", 1, NULL);
  assert_result (first, 1, "applied", 2, NULL);
  after = ld_test_server_head_seq (server);
  g_assert_cmpint (after, ==, before + 2);

  /* The same batch again (a client that never saw the answer): nothing happens twice. */
  again = push (server, token, insert, update, NULL);
  assert_result (again, 0, "duplicate", 1, NULL);
  assert_result (again, 1, "duplicate", 2, NULL);
  g_assert_cmpint (ld_test_server_head_seq (server), ==, after);
  rec = latest (server, LD_TEST_CASE_EXAMINE, &version);
  g_assert_cmpint (version, ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (rec, "data"),
                                                  "title"), ==, "湛江项目一期");
}

/* Two clients edit one case offline. */
static void
test_ops_merge_and_conflict (void)
{
  g_autofree char *dir = ld_test_path ("server-data");
  g_autoptr(LdTestServer) server = demo_server (dir);
  g_autofree char *zhang = ld_test_server_login (server, "zhang.wei", PW);
  g_autofree char *liu = ld_test_server_login (server, "liu.yang", PW);
  g_autofree char *a = op_json ("a-1", "case", LD_TEST_CASE_EXAMINE, "update", 1,
                                "title", "湛江项目1", "东海岛项目", NULL);
  g_autofree char *b = op_json ("b-1", "case", LD_TEST_CASE_EXAMINE, "update", 1,
                                "applicant", "湛江市某公司", "湛江港集团", NULL);
  g_autofree char *a2 = op_json ("a-2", "case", LD_TEST_CASE_EXAMINE, "update", 3,
                                 "title", "东海岛项目", "东海岛一期", NULL);
  g_autofree char *b2 = op_json ("b-2", "case", LD_TEST_CASE_EXAMINE, "update", 3,
                                 "title", "东海岛项目", "东海岛二期",
                                 "project_use", "1001", "100101", NULL);
  g_autoptr(LdTestResponse) r1 = NULL;
  g_autoptr(LdTestResponse) r2 = NULL;
  g_autoptr(LdTestResponse) r3 = NULL;
  g_autoptr(LdTestResponse) r4 = NULL;
  g_autoptr(JsonObject) merged = NULL;
  g_autoptr(JsonObject) kept = NULL;
  JsonObject *data, *conflict;
  JsonArray *conflicts;
  gint64 version, seq;

  /* Different fields from the same base: both applied, both kept. */
  r1 = push (server, zhang, a, NULL);
  assert_result (r1, 0, "applied", 2, NULL);
  r2 = push (server, liu, b, NULL);
  assert_result (r2, 0, "applied", 3, NULL);
  merged = latest (server, LD_TEST_CASE_EXAMINE, &version);
  data = json_object_get_object_member (merged, "data");
  g_assert_cmpint (version, ==, 3);
  g_assert_cmpstr (json_object_get_string_member (data, "title"), ==, "东海岛项目");
  g_assert_cmpstr (json_object_get_string_member (data, "applicant"), ==, "湛江港集团");

  /* The same field from the same base: the first wins, the second is a conflict with both
   * values and nothing of it is written (not even its other, unconflicted field). */
  r3 = push (server, zhang, a2, NULL);
  assert_result (r3, 0, "applied", 4, NULL);
  seq = ld_test_server_head_seq (server);
  r4 = push (server, liu, b2, NULL);
  assert_result (r4, 0, "conflict", 4, NULL);
  conflicts = json_object_get_array_member (result (r4, 0), "conflicts");
  g_assert_cmpuint (json_array_get_length (conflicts), ==, 1);
  conflict = json_array_get_object_element (conflicts, 0);
  g_assert_cmpstr (json_object_get_string_member (conflict, "field"), ==, "title");
  g_assert_cmpstr (json_object_get_string_member (conflict, "base"), ==, "东海岛项目");
  g_assert_cmpstr (json_object_get_string_member (conflict, "theirs"), ==, "东海岛一期");
  g_assert_cmpstr (json_object_get_string_member (conflict, "mine"), ==, "东海岛二期");
  g_assert_cmpint (ld_test_server_head_seq (server), ==, seq);
  kept = latest (server, LD_TEST_CASE_EXAMINE, &version);
  data = json_object_get_object_member (kept, "data");
  g_assert_cmpint (version, ==, 4);
  g_assert_cmpstr (json_object_get_string_member (data, "title"), ==, "东海岛一期");
  g_assert_cmpstr (json_object_get_string_member (data, "project_use"), ==, "1001");

  /* The resolution is a new op from the current version: applied. */
  {
    g_autofree char *fix = op_json ("b-3", "case", LD_TEST_CASE_EXAMINE, "update", 4,
                                    "title", "东海岛一期", "东海岛一二期",
                                    "project_use", "1001", "100101", NULL);
    g_autoptr(LdTestResponse) r5 = push (server, liu, fix, NULL);

    assert_result (r5, 0, "applied", 5, NULL);
  }
}

static char *
action_json (const char *op_id,
             const char *case_id,
             const char *action,
             const char *opinion)
{
  return g_strdup_printf ("{\"op_id\": \"%s\", \"entity\": \"case\", \"entity_id\": \"%s\","
                          " \"kind\": \"action\", \"base_version\": 1, \"fields\": {},"
                          " \"action\": {\"id\": \"%s\", \"opinion\": \"%s\","
                          " \"date\": \"2026-11-28\", \"to\": null},"
                          " \"at\": \"2026-11-28T10:00:00+08:00\"}",
                          op_id, case_id, action, opinion);
}

/* Workflow actions go through the core rules on the server too. */
static void
test_ops_action (void)
{
  g_autofree char *dir = ld_test_path ("server-data");
  g_autoptr(LdTestServer) server = demo_server (dir);
  g_autofree char *zhang = ld_test_server_login (server, "zhang.wei", PW);
  g_autofree char *leader = ld_test_server_login (server, "wang.fang", PW);
  g_autofree char *submit = action_json ("act-1", LD_TEST_CASE_EXAMINE, "submit", "建议同意");
  g_autofree char *body = g_strdup_printf ("{\"ops\": [%s]}", submit);
  g_autofree char *approve = action_json ("act-2", LD_TEST_CASE_EXAMINE, "approve", "同意");
  g_autofree char *body2 = g_strdup_printf ("{\"ops\": [%s]}", approve);
  g_autoptr(LdTestResponse) first = NULL;
  g_autoptr(LdTestResponse) again = NULL;
  g_autoptr(LdTestResponse) refused = NULL;
  gint64 before = ld_test_server_head_seq (server);

  first = ld_test_server_call (server, "POST", "/api/v1/ops", zhang, NULL, body, -1, NULL);
  g_assert_cmpuint (first->status, ==, 200);
  assert_result (first, 0, "applied", 2, NULL);
  /* The case and its stage-log event went into the feed. */
  g_assert_cmpint (ld_test_server_head_seq (server), >=, before + 2);

  again = ld_test_server_call (server, "POST", "/api/v1/ops", zhang, NULL, body, -1, NULL);
  assert_result (again, 0, "duplicate", 2, NULL);

  /* A leader does not act at the check stage: the same rule as the client's. */
  before = ld_test_server_head_seq (server);
  refused = ld_test_server_call (server, "POST", "/api/v1/ops", leader, NULL, body2, -1, NULL);
  assert_result (refused, 0, "rejected", 0, "role:");
  g_assert_cmpint (ld_test_server_head_seq (server), ==, before);
}

static void
test_ops_rejected (void)
{
  g_autofree char *dir = ld_test_path ("server-data");
  g_autoptr(LdTestServer) server = demo_server (dir);
  g_autofree char *zhang = ld_test_server_login (server, "zhang.wei", PW);
  g_autofree char *zhao = ld_test_server_login (server, "zhao.lei", PW);
  g_autofree char *leader = ld_test_server_login (server, "wang.fang", PW);
  const char *sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"; /* "test" */
  g_autofree char *ops[] = {
    op_json ("r-1", "case", LD_TEST_CASE_CHECK, "update", 1, "title", "湛江项目2", "x", NULL),
    op_json ("r-2", "case", LD_TEST_CASE_EXAMINE, "update", 1, "stage", "examine", "check",
             NULL),
    op_json ("r-3", "parcel", "p-1", "insert", 0, "name", NULL, "x", NULL),
    op_json ("r-4", "case", LD_TEST_CASE_EXAMINE, "action", 1, NULL),
    op_json ("r-5", "case", LD_TEST_CASE_EXAMINE, "update", 1, "received_on", "2025-03-03",
             "2025-02-30", NULL),
    op_json ("r-6", "attachment", "att-1", "insert", 0, "case_id", NULL, LD_TEST_CASE_EXAMINE,
             "name", NULL, "photo.jpg", "sha256", NULL, sha, NULL),
    op_json ("r-7", "case", "no-such-case", "update", 1, "title", "a", "b", NULL),
    op_json ("r-8", "case", LD_TEST_CASE_EXAMINE, "update", 1, "secret", NULL, "x", NULL),
    op_json ("r-9", "case_event", "ev-x", "insert", 0, "case_id", NULL, LD_TEST_CASE_EXAMINE,
             NULL),
    op_json ("r-10", "opinion", "../../etc", "insert", 0, "case_id", NULL,
             LD_TEST_CASE_EXAMINE, NULL),
    op_json ("r-11", "user", "zhang.wei", "update", 1, "role", "reviewer", "admin", NULL),
    op_json ("r-12", "case_redline", "r0000000-0000-4000-8000-000000000001", "update", 1,
             "geom", NULL, "POLYGON ((1 2, oops", NULL),
  };
  static const char *reasons[] = {
    "role: case", "workflow action", "unknown entity", "an action op needs",
    "date", "missing blob", "no case no-such-case", "has no field secret", "stage log",
    "entity_id", "administrator", "WKT",
  };
  g_autoptr(GString) body = g_string_new ("{\"ops\": [");
  g_autoptr(LdTestResponse) res = NULL;
  gint64 before = ld_test_server_head_seq (server);

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    {
      g_string_append (body, ops[i]);
      g_string_append_c (body, i + 1 < G_N_ELEMENTS (ops) ? ',' : ']');
    }
  g_string_append_c (body, '}');
  /* r-1 and r-11 as zhang.wei would pass partly: send as field staff zhao.lei for r-1 only. */
  res = ld_test_server_call (server, "POST", "/api/v1/ops", zhang, NULL, body->str, -1, NULL);
  g_assert_cmpuint (res->status, ==, 200);
  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    assert_result (res, i, "rejected", 0, reasons[i]);
  g_assert_cmpint (ld_test_server_head_seq (server), ==, before);

  /* Field staff on a case not assigned to them; a leader registering a case. */
  {
    g_autofree char *op = op_json ("f-1", "opinion", "o-f", "insert", 0, "case_id", NULL,
                                   LD_TEST_CASE_CHECK, "text", NULL, "现场已核", NULL);
    g_autofree char *ok = op_json ("f-2", "opinion", "o-g", "insert", 0, "case_id", NULL,
                                   LD_TEST_CASE_FIELD, "text", NULL, "现场已核", NULL);
    g_autofree char *reg = op_json ("l-1", "case", "new-case", "insert", 0, "title", NULL, "x",
                                    NULL);
    g_autoptr(LdTestResponse) r1 = push (server, zhao, op, ok, NULL);
    g_autoptr(LdTestResponse) r2 = push (server, leader, reg, NULL);

    assert_result (r1, 0, "rejected", 0, "not assigned to zhao.lei");
    assert_result (r1, 1, "applied", 1, NULL);
    assert_result (r2, 0, "rejected", 0, "leader");
  }

  /* A reviewer registers a case: at intake, active, assigned to them; not straight to approve. */
  {
    g_autofree char *skip = op_json ("n-1", "case", "case-new-1", "insert", 0, "title", NULL,
                                     "新项目", "stage", NULL, "approve", NULL);
    g_autofree char *reg = op_json ("n-2", "case", "case-new-2", "insert", 0, "title", NULL,
                                    "新项目", "matter", NULL, "land-prereview", NULL);
    g_autoptr(LdTestResponse) r = push (server, zhang, skip, reg, NULL);
    g_autoptr(JsonObject) rec = NULL;
    JsonObject *data;
    gint64 version;

    assert_result (r, 0, "rejected", 0, "starts with stage intake");
    assert_result (r, 1, "applied", 1, NULL);
    rec = latest (server, "case-new-2", &version);
    data = json_object_get_object_member (rec, "data");
    g_assert_cmpstr (json_object_get_string_member (data, "stage"), ==, "intake");
    g_assert_cmpstr (json_object_get_string_member (data, "status"), ==, "active");
    g_assert_cmpstr (json_object_get_string_member (data, "assignee"), ==, "zhang.wei");
  }

  /* The missing blob arrives: the very same op is now applied. */
  {
    g_autofree char *path = g_strconcat ("/api/v1/blobs/", sha, NULL);
    g_autoptr(LdTestResponse) put = ld_test_server_call (server, "PUT", path, zhang,
                                                         "application/octet-stream", "test", -1,
                                                         NULL);
    g_autoptr(LdTestResponse) again = push (server, zhang, ops[5], NULL);

    g_assert_cmpuint (put->status, ==, 201);
    assert_result (again, 0, "applied", 1, NULL);
  }
}

static void
test_ops_delete (void)
{
  g_autofree char *dir = ld_test_path ("server-data");
  g_autoptr(LdTestServer) server = demo_server (dir);
  g_autofree char *zhang = ld_test_server_login (server, "zhang.wei", PW);
  g_autofree char *liu = ld_test_server_login (server, "liu.yang", PW);
  g_autofree char *insert = op_json ("d-1", "opinion", "o-del", "insert", 0, "case_id", NULL,
                                     LD_TEST_CASE_EXAMINE, "text", NULL, "初审意见", NULL);
  g_autofree char *edit = op_json ("d-2", "opinion", "o-del", "update", 1, "text", "初审意见",
                                   "初审意见（改）", NULL);
  g_autofree char *other = op_json ("d-3", "opinion", "o-del", "delete", 2, NULL);
  g_autofree char *stale = op_json ("d-4", "opinion", "o-del", "delete", 1, NULL);
  g_autofree char *del = op_json ("d-5", "opinion", "o-del", "delete", 2, NULL);
  g_autofree char *late = op_json ("d-6", "opinion", "o-del", "update", 2, "text",
                                   "初审意见（改）", "再改", NULL);
  g_autoptr(LdTestResponse) r1 = push (server, zhang, insert, edit, NULL);
  g_autoptr(LdTestResponse) r2 = push (server, liu, other, NULL);
  g_autoptr(LdTestResponse) r3 = push (server, zhang, stale, del, late, NULL);
  g_autoptr(JsonObject) rec = NULL;
  gint64 version;

  assert_result (r1, 0, "applied", 1, NULL);
  assert_result (r1, 1, "applied", 2, NULL);
  assert_result (r2, 0, "rejected", 0, "only its author");
  assert_result (r3, 0, "conflict", 2, NULL);
  assert_result (r3, 1, "applied", 3, NULL);
  assert_result (r3, 2, "conflict", 3, NULL);
  rec = latest (server, "o-del", &version);
  g_assert_cmpint (version, ==, 3);
  g_assert_true (json_object_get_boolean_member (rec, "deleted"));
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                               NULL);
  *(gboolean *) user_data = TRUE;
}

/* The server is SIGKILLed while a big batch is in flight, then restarted: the batch is applied
 * entirely or not at all, and sending it again completes it exactly once. */
static void
test_ops_server_killed (void)
{
  g_autofree char *dir = ld_test_path ("server-data");
  g_autofree char *gpkg = ld_test_demo_gpkg ("demo.gpkg");
  const guint n = 2000;
  /* kill after this many ms; the last round holds the reply back 5 s after the commit */
  const guint delays_ms[] = { 0, 40, 120, 1500 };
  guint outcomes[2] = { 0, 0 };   /* rounds that had applied nothing / everything at the kill */

  for (guint round = 0; round < G_N_ELEMENTS (delays_ms); round++)
    {
      g_autoptr(GString) body = g_string_new ("{\"ops\": [");
      g_autofree char *token = NULL;
      g_autoptr(LdTestResponse) again = NULL;
      gint64 before;
      guint applied = 0, duplicate = 0;
      JsonArray *results;

      for (guint i = 0; i < n; i++)
        {
          g_autofree char *id = g_strdup_printf ("k%u-%u", round, i);
          g_autofree char *op = op_json (id, "opinion", id, "insert", 0, "case_id", NULL,
                                         LD_TEST_CASE_EXAMINE, "text", NULL, "批量意见", NULL);

          g_string_append (body, op);
          g_string_append_c (body, i + 1 < n ? ',' : ']');
        }
      g_string_append_c (body, '}');

      {
        g_autoptr(LdTestServer) server = NULL;
        g_autofree char *url = NULL;
        g_autoptr(SoupMessage) msg = NULL;
        g_autofree char *auth = NULL;
        g_autoptr(GBytes) bytes = g_bytes_new (body->str, body->len);
        gint64 until;
        gboolean done = FALSE;

        if (round == G_N_ELEMENTS (delays_ms) - 1)
          g_setenv ("LANDDESK_SERVER_FAULT_AFTER_COMMIT_MS", "5000", TRUE);
        server = ld_test_server_start (dir, "--init-demo", gpkg, "--demo-password", PW, NULL);
        g_unsetenv ("LANDDESK_SERVER_FAULT_AFTER_COMMIT_MS");
        url = ld_test_server_url (server, "/api/v1/ops");
        msg = soup_message_new ("POST", url);
        token = ld_test_server_login (server, "zhang.wei", PW);
        auth = g_strconcat ("Bearer ", token, NULL);
        before = ld_test_server_head_seq (server);
        soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                      auth);
        soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
        soup_session_send_and_read_async (server->session, msg, G_PRIORITY_DEFAULT, NULL,
                                          sent_cb, &done);
        until = g_get_monotonic_time () + delays_ms[round] * 1000;
        while (g_get_monotonic_time () < until)
          g_main_context_iteration (NULL, FALSE);
        g_subprocess_send_signal (server->process, SIGKILL);
        g_subprocess_wait (server->process, NULL, NULL);
        while (!done)
          g_main_context_iteration (NULL, TRUE);
      }
      {
        g_autoptr(LdTestServer) server = ld_test_server_start (dir, "--init-demo", gpkg,
                                                               "--demo-password", PW, NULL);
        gint64 middle = ld_test_server_head_seq (server);

        /* All or nothing was committed when the server died. */
        g_assert_true (middle == before || middle == before + n);
        outcomes[middle == before ? 0 : 1]++;
        again = ld_test_server_call (server, "POST", "/api/v1/ops", token, NULL, body->str,
                                     (gssize) body->len, NULL);
        g_assert_cmpuint (again->status, ==, 200);
        results = json_object_get_array_member (ld_test_response_object (again), "results");
        for (guint i = 0; i < json_array_get_length (results); i++)
          {
            const char *r = json_object_get_string_member (
                json_array_get_object_element (results, i), "result");

            applied += g_str_equal (r, "applied");
            duplicate += g_str_equal (r, "duplicate");
          }
        g_assert_true ((applied == n && duplicate == 0 && middle == before)
                       || (duplicate == n && applied == 0 && middle == before + n));
        g_assert_cmpint (ld_test_server_head_seq (server), ==, before + n);
        g_assert_cmpint (ld_test_server_stop (server, NULL), ==, 0);
      }
    }
  g_test_message ("killed before commit %u times, after %u times", outcomes[0], outcomes[1]);
  /* The held-back round died after its commit, before its reply. */
  g_assert_cmpuint (outcomes[1], >=, 1);
}

int
main (int    argc,
      char **argv)
{
  ld_test_init (&argc, &argv);

  g_test_add_func ("/server-sync/feed-visibility", test_feed_visibility);
  g_test_add_func ("/server-sync/feed-records", test_feed_records);
  g_test_add_func ("/server-sync/feed-server-killed", test_feed_server_killed);
  g_test_add_func ("/server-sync/feed-reassigned", test_feed_reassigned);
  g_test_add_func ("/server-sync/ops-duplicate", test_ops_duplicate);
  g_test_add_func ("/server-sync/ops-merge-and-conflict", test_ops_merge_and_conflict);
  g_test_add_func ("/server-sync/ops-rejected", test_ops_rejected);
  g_test_add_func ("/server-sync/ops-action", test_ops_action);
  g_test_add_func ("/server-sync/ops-delete", test_ops_delete);
  g_test_add_func ("/server-sync/ops-server-killed", test_ops_server_killed);

  return g_test_run ();
}
