/* test-sync.c: the sync client against a real landdesk-server on 127.0.0.1
 *
 * Two devices editing one case offline (conflict kept on both sides, different fields
 * merged), a batch sent twice, the server killed between its commit and its answer, the
 * client killed after every HTTP exchange of a sync (push, upload, pull) and run again: the
 * final states must equal those of a sync that was never interrupted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "ld-core.h"
#include "ld-test-server-demo.h"
#include "ld-test-server.h"
#include "ld-test-util.h"

#define PW "sync-pass-123"

static LdTestServer *
demo_server (const char *dir)
{
  g_autofree char *gpkg = ld_test_demo_gpkg ("demo.gpkg");

  return ld_test_server_start (dir, "--init-demo", gpkg, "--demo-password", PW, NULL);
}

/* @text with the first @what replaced by @with; fails the test when @what is missing. */
static char *
replace_once (const char *text,
              const char *what,
              const char *with)
{
  const char *at = strstr (text, what);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, with, at + strlen (what));
}

static char *
password_file (void)
{
  char *path = ld_test_path ("password.txt");

  g_assert_true (g_file_set_contents (path, PW "\n", -1, NULL));
  return path;
}

/* landdesk-cli sync --json; returns the run (its counts on stdout). */
static LdTestRun *
cli_sync (LdTestServer *server,
          const char   *store,
          const char   *user)
{
  g_autofree char *pw = password_file ();

  return ld_test_run (NULL, ld_test_binary ("LANDDESK_CLI"), "sync", "--store", store,
                      "--server", server->url, "--user", user, "--password-file", pw, "--json",
                      NULL);
}

static JsonObject *
counts_of (LdTestRun *run)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (run->status != 0)
    g_error ("sync failed (%d): %s", run->status, run->err);
  json_parser_load_from_data (parser, run->out, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static gint64
count (JsonObject *counts,
       const char *name)
{
  return json_object_get_int_member (counts, name);
}

/* One SQL answer as text (rows by '\n', columns by '|'). */
static char *
query (const char *path,
       const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GString *out = g_string_new (NULL);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      if (out->len)
        g_string_append_c (out, '\n');
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        g_string_append_printf (out, "%s%s", i ? "|" : "",
                                sqlite3_column_text (stmt, i)
                                ? (const char *) sqlite3_column_text (stmt, i) : "NULL");
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (out, FALSE);
}

/* What a store holds of the records the tests edit. */
static char *
dump_store (const char *path)
{
  return query (path,
    "SELECT 'case', id, title, applicant, project_use, version FROM cases"
    " UNION ALL SELECT 'opinion', id, case_id, stage, text, version FROM opinions"
    " UNION ALL SELECT 'attachment', id, case_id, sha256, name, size FROM attachments"
    " UNION ALL SELECT 'outbox', count(*), NULL, NULL, NULL, NULL FROM outbox"
    " ORDER BY 1, 2");
}

/* The server's state as an administrator pulls it into a new store; @token saves a login. */
static char *
dump_server_with (LdTestServer *server,
                  const char   *name,
                  const char   *token)
{
  g_autofree char *path = ld_test_path (name);
  g_autoptr(LdStore) store = NULL;
  g_autoptr(LdSync) sync = ld_sync_new (server->url);
  g_autoptr(GError) error = NULL;
  LdSyncCounts c;

  g_remove (path);
  store = ld_store_create (path, &error);
  g_assert_no_error (error);
  ld_sync_set_credentials (sync, "admin", PW);
  ld_sync_set_token (sync, token);
  ld_sync_run (sync, store, &c, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&store);
  return dump_store (path);
}

static char *
dump_server (LdTestServer *server,
             const char   *name)
{
  return dump_server_with (server, name, NULL);
}

static void
edit (const char *store_path,
      const char *field,
      const char *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdStore) store = ld_store_open (store_path, &error);

  g_assert_no_error (error);
  ld_store_edit_case (store, LD_TEST_CASE_EXAMINE, "zhang.wei", field, value, &error);
  g_assert_no_error (error);
}

static char *
case_field (const char *store_path,
            const char *field)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM cases WHERE id = '%s'", field,
                                          LD_TEST_CASE_EXAMINE);

  return query (store_path, sql);
}

static void
test_backoff (void)
{
  /* doubles from the base, capped, scaled by 0.5-1.5 */
  g_assert_cmpuint (ld_sync_backoff_ms (0, 100, 30000, 0.5), ==, 100);
  g_assert_cmpuint (ld_sync_backoff_ms (3, 100, 30000, 0.5), ==, 800);
  g_assert_cmpuint (ld_sync_backoff_ms (3, 100, 30000, 0.0), ==, 400);
  g_assert_cmpuint (ld_sync_backoff_ms (3, 100, 30000, 1.0), ==, 1200);
  g_assert_cmpuint (ld_sync_backoff_ms (40, 100, 30000, 0.5), ==, 30000);
}

static void
test_pull_new_store (void)
{
  g_autofree char *dir = ld_test_path ("server");
  g_autoptr(LdTestServer) server = demo_server (dir);
  g_autofree char *store = ld_test_path ("new.gpkg");
  g_autofree char *empty = ld_test_path ("empty.gpkg");
  g_autoptr(LdTestRun) first = cli_sync (server, store, "zhang.wei");
  g_autoptr(JsonObject) c1 = counts_of (first);
  g_autoptr(LdTestRun) second = NULL;
  g_autoptr(JsonObject) c2 = NULL;
  g_autoptr(LdTestRun) third = NULL;
  g_autofree char *n = NULL;

  /* zhang.wei sees three cases (test-server-sync's visibility table), all users */
  g_assert_cmpint (count (c1, "pulled"), >, 0);
  g_assert_cmpint (count (c1, "pushed"), ==, 0);
  g_assert_cmpint (count (c1, "cursor"), ==, ld_test_server_head_seq (server));
  n = query (store, "SELECT (SELECT count(*) FROM cases) || ' ' || (SELECT count(*) FROM users)");
  g_assert_cmpstr (n, ==, "3 7");
  g_free (n);
  n = case_field (store, "assignee || ' ' || stage || ' ' || title");
  g_assert_cmpstr (n, ==, "zhang.wei examine 湛江项目1");

  /* nothing new: nothing pulled */
  second = cli_sync (server, store, "zhang.wei");
  c2 = counts_of (second);
  g_assert_cmpint (count (c2, "pulled"), ==, 0);

  /* an empty file is a new store too */
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  third = cli_sync (server, empty, "admin");
  g_assert_cmpint (third->status, ==, 0);
  g_free (n);
  n = query (empty, "SELECT count(*) FROM cases");
  g_assert_cmpstr (n, ==, "5");

  /* what the admin pulled equals the demo loaded straight into a store: the records and the
   * deadlines the store computes for them */
  {
    g_autofree char *gpkg = ld_test_demo_gpkg ("demo.gpkg");
    g_autofree char *direct = ld_test_path ("direct.gpkg");
    g_autoptr(LdTestRun) r = ld_test_run (NULL, ld_test_binary ("LANDDESK_CLI"), "store",
                                          "create", direct, "--from-demo", gpkg, NULL);
    /* with the derived columns the lists select and sort on */
    const char *sql = "SELECT id, number, title, stage, status, assignee, accepted_on, deadline,"
                      " yellow_on, weekends_only, stage_role, sort_key FROM cases ORDER BY id";
    g_autofree char *pulled = query (empty, sql);
    g_autofree char *loaded = NULL;
    g_autofree char *with_deadline = query (empty, "SELECT count(deadline) FROM cases");

    g_assert_cmpint (r->status, ==, 0);
    loaded = query (direct, sql);
    g_assert_cmpstr (pulled, ==, loaded);
    g_assert_cmpstr (with_deadline, !=, "0");

    /* Syncing that store pulls records it already holds: every one is written, red lines
     * included (their R-tree triggers once failed under an UPSERT), and the index agrees. */
    {
      g_autoptr(LdTestRun) again = cli_sync (server, direct, "admin");
      g_autoptr(JsonObject) counts = counts_of (again);
      g_autofree char *indexed = query (direct, "SELECT count(*) FROM case_redlines c"
                                                " JOIN rtree_case_redlines_geom r ON r.id = c.fid");
      g_autofree char *rows = query (direct, "SELECT count(*) FROM case_redlines");

      g_assert_cmpint (json_object_get_int_member (counts, "skipped"), ==, 0);
      g_assert_cmpint (json_object_get_int_member (counts, "pulled"), >, 0);
      g_assert_cmpstr (indexed, ==, rows);
    }
  }
}

static void
test_two_devices (void)
{
  g_autofree char *dir = ld_test_path ("server");
  g_autoptr(LdTestServer) server = demo_server (dir);
  g_autofree char *a = ld_test_path ("a.gpkg");
  g_autofree char *b = ld_test_path ("b.gpkg");
  g_autoptr(JsonObject) ca = NULL;
  g_autoptr(JsonObject) cb = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(LdStore) store = NULL;
  g_autoptr(JsonNode) value = NULL;
  g_autofree char *da = NULL;
  g_autofree char *db = NULL;
  g_autofree char *text = NULL;
  g_autofree char *sha = NULL;
  LdSyncConflict *conflict;

  {
    g_autoptr(LdTestRun) ra = cli_sync (server, a, "zhang.wei");
    g_autoptr(LdTestRun) rb = cli_sync (server, b, "zhang.wei");

    g_assert_cmpint (ra->status, ==, 0);
    g_assert_cmpint (rb->status, ==, 0);
  }
  /* Offline: A changes title and applicant and adds a photo, B changes title and
   * project_use. */
  edit (a, "title", "甲的标题");
  edit (a, "applicant", "甲申请人");
  {
    g_autofree char *photo = ld_test_path ("现场照片.jpg");
    g_autoptr(LdStore) sa = ld_store_open (a, &error);

    g_assert_no_error (error);
    g_assert_true (g_file_set_contents (photo, "JPEG? no: a test photo", -1, NULL));
    sha = ld_store_add_attachment (sa, LD_TEST_CASE_EXAMINE, "zhang.wei", photo, &error);
    g_assert_no_error (error);
  }
  edit (b, "title", "乙的标题");
  edit (b, "project_use", "0601");

  {
    g_autoptr(LdTestRun) ra = cli_sync (server, a, "zhang.wei");

    ca = counts_of (ra);
    g_assert_cmpint (count (ca, "pushed"), ==, 3);
    g_assert_cmpint (count (ca, "applied"), ==, 3);
    g_assert_cmpint (count (ca, "uploaded"), ==, 1);
  }
  {
    g_autoptr(LdTestRun) rb = cli_sync (server, b, "zhang.wei");

    cb = counts_of (rb);
    g_assert_cmpint (count (cb, "pushed"), ==, 2);
    g_assert_cmpint (count (cb, "applied"), ==, 1);     /* project_use */
    g_assert_cmpint (count (cb, "conflicts"), ==, 1);   /* title */
    g_assert_cmpint (count (cb, "open_conflicts"), ==, 1);
    g_assert_cmpint (count (cb, "downloaded"), ==, 1);  /* A's photo */
  }
  {
    /* the photo arrived whole, where the store keeps blobs */
    g_autoptr(LdStore) sb = ld_store_open (b, &error);
    g_autofree char *blob = NULL;
    g_autofree char *got = NULL;

    g_assert_no_error (error);
    blob = ld_store_dup_blob_path (sb, sha);
    g_assert_true (g_file_get_contents (blob, &got, NULL, NULL));
    g_assert_cmpstr (got, ==, "JPEG? no: a test photo");
  }
  /* B keeps its title, took A's applicant; the server kept A's title (nothing overwritten). */
  text = case_field (b, "title || ' ' || applicant || ' ' || project_use");
  g_assert_cmpstr (text, ==, "乙的标题 甲申请人 0601");
  g_free (text);
  {
    g_autofree char *server_state = dump_server (server, "admin1.gpkg");

    g_assert_nonnull (strstr (server_state, "|甲的标题|甲申请人|0601|"));
  }
  /* both values kept, as data */
  store = ld_store_open (b, &error);
  g_assert_no_error (error);
  conflicts = ld_store_sync_list_conflicts (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (conflicts->len, ==, 1);
  conflict = conflicts->pdata[0];
  g_assert_cmpstr (conflict->field, ==, "title");
  g_assert_cmpstr (conflict->entity_id, ==, LD_TEST_CASE_EXAMINE);
  g_assert_cmpstr (conflict->base, ==, "\"湛江项目1\"");
  g_assert_cmpstr (conflict->mine, ==, "\"乙的标题\"");
  g_assert_cmpstr (conflict->theirs, ==, "\"甲的标题\"");

  /* A pull does not overwrite B's title while the conflict is open. */
  {
    g_autoptr(LdTestRun) rb = cli_sync (server, b, "zhang.wei");

    g_assert_cmpint (rb->status, ==, 0);
    text = case_field (b, "title");
    g_assert_cmpstr (text, ==, "乙的标题");
    g_free (text);
  }

  /* Resolved with a third value: a new op; after both sync, both devices agree. */
  value = json_node_init_string (json_node_alloc (), "合并后的标题");
  g_assert_false (ld_store_sync_resolve (store, conflict->id + 100, LD_SYNC_CHOICE_MINE, NULL,
                                         "zhang.wei", &error));
  g_assert_error (error, LD_STORE_ERROR, LD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  ld_store_sync_resolve (store, conflict->id, LD_SYNC_CHOICE_VALUE, value, "zhang.wei", &error);
  g_assert_no_error (error);
  g_clear_object (&store);
  {
    g_autoptr(LdTestRun) rb = cli_sync (server, b, "zhang.wei");
    g_autoptr(LdTestRun) ra = cli_sync (server, a, "zhang.wei");
    g_autoptr(JsonObject) c = counts_of (rb);

    g_assert_cmpint (count (c, "applied"), ==, 1);
    g_assert_cmpint (count (c, "open_conflicts"), ==, 0);
    g_assert_cmpint (ra->status, ==, 0);
  }
  da = dump_store (a);
  db = dump_store (b);
  g_assert_cmpstr (da, ==, db);
  text = case_field (a, "title || ' ' || applicant || ' ' || project_use");
  g_assert_cmpstr (text, ==, "合并后的标题 甲申请人 0601");
}

/* A batch whose answer was lost is sent again: duplicates, applied once. */
static void
test_duplicate_batch (void)
{
  g_autofree char *dir = ld_test_path ("server");
  g_autoptr(LdTestServer) server = demo_server (dir);
  g_autofree char *a = ld_test_path ("a.gpkg");
  g_autofree char *saved = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(JsonObject) c = NULL;
  sqlite3 *db;

  {
    g_autoptr(LdTestRun) r = cli_sync (server, a, "zhang.wei");

    g_assert_cmpint (r->status, ==, 0);
  }
  edit (a, "title", "一次");
  edit (a, "applicant", "一次申请人");
  saved = query (a, "SELECT group_concat(quote(op_id) || ',' || quote(entity) || ',' ||"
                    " quote(entity_id) || ',' || quote(kind) || ',' || base_version || ',' ||"
                    " quote(op) || ',' || quote(created_at), '),(') FROM outbox");
  {
    g_autoptr(LdTestRun) r = cli_sync (server, a, "zhang.wei");

    c = counts_of (r);
    g_assert_cmpint (count (c, "applied"), ==, 2);
  }
  before = dump_server (server, "admin1.gpkg");
  /* the acknowledgement lost: the same ops back in the outbox */
  g_assert_cmpint (sqlite3_open (a, &db), ==, SQLITE_OK);
  {
    g_autofree char *sql = g_strdup_printf ("INSERT INTO outbox (op_id, entity, entity_id, kind,"
                                            " base_version, op, created_at) VALUES (%s)", saved);

    g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  }
  sqlite3_close (db);
  {
    g_autoptr(LdTestRun) r = cli_sync (server, a, "zhang.wei");

    g_clear_pointer (&c, json_object_unref);
    c = counts_of (r);
    g_assert_cmpint (count (c, "pushed"), ==, 2);
    g_assert_cmpint (count (c, "duplicates"), ==, 2);
    g_assert_cmpint (count (c, "applied"), ==, 0);
    g_assert_cmpint (count (c, "pending"), ==, 0);
  }
  after = dump_server (server, "admin2.gpkg");
  g_assert_cmpstr (before, ==, after);   /* versions too: nothing applied twice */
}

/* The server dies after its commit, before its answer: the op stays; sent again, it is a
 * duplicate. */
static void
test_server_killed (void)
{
  g_autofree char *dir = ld_test_path ("server");
  g_autoptr(LdTestServer) server = demo_server (dir);
  g_autoptr(LdTestServer) slow = NULL;
  g_autoptr(LdTestServer) again = NULL;
  g_autofree char *a = ld_test_path ("a.gpkg");
  g_autofree char *pw = password_file ();
  g_autoptr(GSubprocess) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) c = NULL;
  g_autofree char *state = NULL;
  g_autofree char *outbox = NULL;

  {
    g_autoptr(LdTestRun) r = cli_sync (server, a, "zhang.wei");

    g_assert_cmpint (r->status, ==, 0);
  }
  ld_test_server_stop (server, NULL);
  edit (a, "title", "服务器中断");

  g_setenv ("LANDDESK_SERVER_FAULT_AFTER_COMMIT_MS", "5000", TRUE);
  slow = ld_test_server_start (dir, NULL);
  g_unsetenv ("LANDDESK_SERVER_FAULT_AFTER_COMMIT_MS");
  client = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             &error, ld_test_binary ("LANDDESK_CLI"), "sync", "--store", a,
                             "--server", slow->url, "--user", "zhang.wei", "--password-file", pw,
                             "--retries", "1", NULL);
  g_assert_no_error (error);
  /* the commit is done within the pause; then the server is killed */
  g_usleep (1500 * 1000);
  g_subprocess_force_exit (slow->process);
  g_subprocess_wait (slow->process, NULL, NULL);
  g_subprocess_wait (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (client), ==, 1);
  outbox = query (a, "SELECT count(*) FROM outbox");
  g_assert_cmpstr (outbox, ==, "1");   /* not acknowledged: kept */
  state = query (a, "SELECT value FROM sync_state WHERE key = 'last_error'");
  g_assert_nonnull (strstr (state, "cannot reach the server"));

  again = ld_test_server_start (dir, NULL);
  {
    g_autofree char *pw2 = password_file ();
    g_autoptr(LdTestRun) r = ld_test_run (NULL, ld_test_binary ("LANDDESK_CLI"), "sync",
                                          "--store", a, "--server", again->url, "--user",
                                          "zhang.wei", "--password-file", pw2, "--json", NULL);

    c = counts_of (r);
  }
  g_assert_cmpint (count (c, "duplicates"), ==, 1);
  g_assert_cmpint (count (c, "applied"), ==, 0);
  g_assert_cmpint (count (c, "pending"), ==, 0);
  g_free (state);
  state = case_field (a, "title || ' ' || version");
  g_assert_cmpstr (state, ==, "服务器中断 2");   /* one change on the server: version 1 -> 2 */
}

/* Kills the client after each HTTP exchange in turn; the state after a second, full run must
 * equal that of an uninterrupted sync. The store carries case edits, an opinion and a 200 kB
 * attachment sent in 64 kB pieces; pages are small so the pull takes several requests. */
static void
test_client_killed (void)
{
  g_autofree char *pristine_server = ld_test_path ("server-pristine");
  g_autofree char *pristine = ld_test_path ("pristine.gpkg");
  g_autofree char *file = ld_test_path ("photo.jpg");
  g_autofree char *reference_client = NULL;
  g_autofree char *reference_server = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) content = g_string_new (NULL);
  g_autofree char *sha = NULL;
  g_autofree char *admin_token = NULL;
  g_autofree char *token_env = NULL;
  guint n, resumed = 0;

  {
    g_autoptr(LdTestServer) server = demo_server (pristine_server);
    g_autoptr(LdTestRun) r = cli_sync (server, pristine, "zhang.wei");
    g_autoptr(LdStore) store = NULL;
    g_autofree char *token = NULL;

    g_assert_cmpint (r->status, ==, 0);
    /* tokens live in the server's data: valid in every copy of it */
    admin_token = ld_test_server_login (server, "admin", PW);
    token = ld_test_server_login (server, "zhang.wei", PW);
    token_env = g_strconcat ("LANDDESK_SYNC_CRASH_TOKEN=", token, NULL);
    g_assert_cmpint (ld_test_server_stop (server, NULL), ==, 0);
    store = ld_store_open (pristine, &error);
    g_assert_no_error (error);
    ld_store_edit_case (store, LD_TEST_CASE_EXAMINE, "zhang.wei", "title", "断点一", &error);
    g_assert_no_error (error);
    ld_store_edit_case (store, LD_TEST_CASE_EXAMINE, "zhang.wei", "applicant", "断点二", &error);
    g_assert_no_error (error);
    ld_store_edit_case (store, LD_TEST_CASE_EXAMINE, "zhang.wei", "title", "断点三", &error);
    g_assert_no_error (error);
    ld_store_save_opinion (store, LD_TEST_CASE_EXAMINE, "zhang.wei", "同意", &error);
    g_assert_no_error (error);
    for (guint i = 0; i < 200 * 1024 / 8; i++)
      g_string_append_printf (content, "%08x", i * 2654435761u);
    g_assert_true (g_file_set_contents (file, content->str, (gssize) content->len, NULL));
    sha = ld_store_add_attachment (store, LD_TEST_CASE_EXAMINE, "zhang.wei", file, &error);
    g_assert_no_error (error);
  }

  for (n = 0; n < 40; n++)
    {
      g_autofree char *name = g_strdup_printf ("run-%u", n);
      g_autofree char *dir = ld_test_path (name);
      g_autofree char *sdir = g_build_filename (dir, "server", NULL);
      g_autofree char *store = g_build_filename (dir, "store.gpkg", NULL);
      g_autofree char *after = g_strdup_printf ("LANDDESK_SYNC_CRASH_AFTER=%u", n);
      const char *env[] = { after, token_env, NULL };
      const char *env_full[] = { token_env, NULL };
      g_autoptr(LdTestServer) server = NULL;
      g_autoptr(LdTestRun) killed = NULL;
      g_autoptr(LdTestRun) full = NULL;
      g_autofree char *client_state = NULL;
      g_autofree char *server_state = NULL;
      g_autofree char *blob_store = g_strconcat (store, ".blobs", NULL);
      g_autofree char *pristine_blobs = g_strconcat (pristine, ".blobs", NULL);
      g_autofree char *blob_dir = g_build_filename (dir, "pristine.gpkg.blobs", NULL);
      g_autofree char *copied = g_build_filename (dir, "pristine.gpkg", NULL);

      g_mkdir_with_parents (dir, 0700);
      {
        g_autoptr(LdTestRun) c1 = ld_test_run (NULL, "/bin/cp", "-a", pristine_server, sdir, NULL);
        g_autoptr(LdTestRun) c2 = ld_test_run (NULL, "/bin/cp", "-a", pristine, pristine_blobs,
                                               dir, NULL);

        g_assert_cmpint (c1->status, ==, 0);
        g_assert_cmpint (c2->status, ==, 0);
      }
      g_assert_cmpint (g_rename (copied, store), ==, 0);
      g_assert_cmpint (g_rename (blob_dir, blob_store), ==, 0);

      server = ld_test_server_start (sdir, NULL);
      if (n > 0)
        {
          killed = ld_test_run (env, ld_test_binary ("LANDDESK_SYNC_CRASH"), store, server->url,
                                "zhang.wei", PW, "2", "4", "65536", NULL);
          if (killed->status == 0)
            break;   /* fewer exchanges than n: every step was interrupted once */
          g_assert_cmpint (killed->status, ==, -1);
          g_assert_nonnull (strstr (killed->err, "killed after request"));
        }
      full = ld_test_run (env_full, ld_test_binary ("LANDDESK_SYNC_CRASH"), store, server->url,
                          "zhang.wei", PW, "2", "4", "65536", NULL);
      if (full->status != 0)
        g_error ("run after a kill at request %u failed: %s", n, full->err);
      if (killed != NULL && strstr (killed->err, "(PUT /api/v1/blobs/") != NULL)
        {
          /* killed after a piece of the upload: the next run resumes, it does not restart */
          g_autoptr(JsonObject) c = counts_of (full);

          g_assert_cmpint (count (c, "puts"), <, 4);
          resumed++;
        }
      client_state = dump_store (store);
      server_state = dump_server_with (server, "admin.gpkg", admin_token);
      if (n == 0)
        {
          /* the reference: outbox empty, three case edits = version 4, one opinion, the
           * attachment, its blob on the server */
          g_autoptr(LdTestResponse) head = NULL;
          g_autofree char *path = g_strconcat ("/api/v1/blobs/", sha, NULL);
          const char *token = token_env + strlen ("LANDDESK_SYNC_CRASH_TOKEN=");

          g_assert_nonnull (strstr (client_state, "|断点三|断点二|"));
          g_assert_nonnull (strstr (client_state, "outbox|0|"));
          g_assert_nonnull (strstr (server_state, "|断点三|断点二|1001|4"));
          g_assert_nonnull (strstr (server_state, "|同意|"));
          g_assert_nonnull (strstr (server_state, sha));
          head = ld_test_server_call (server, "GET", path, token, NULL, NULL, 0, NULL);
          g_assert_cmpuint (head->status, ==, 200);
          g_assert_cmpuint (g_bytes_get_size (head->body), ==, content->len);
          g_assert_true (memcmp (g_bytes_get_data (head->body, NULL), content->str,
                                 content->len) == 0);
          reference_client = g_steal_pointer (&client_state);
          reference_server = g_steal_pointer (&server_state);
        }
      else
        {
          if (g_strcmp0 (client_state, reference_client) != 0)
            g_error ("killed after request %u: the client ends as\n%s\ninstead of\n%s", n,
                     client_state, reference_client);
          if (g_strcmp0 (server_state, reference_server) != 0)
            g_error ("killed after request %u: the server ends as\n%s\ninstead of\n%s", n,
                     server_state, reference_server);
        }
    }
  g_test_message ("interrupted at %u points, %u of them within the upload", n - 1, resumed);
  g_assert_cmpuint (resumed, ==, 4);
  g_assert_cmpuint (n, >, 8);   /* HEAD, 4 PUTs, ops, several pages, a blob */
  g_assert_cmpuint (n, <, 40);
}

static void
new_changes_cb (LdSync *sync,
                gint64  seq,
                gint64 *last)
{
  *last = seq;
}

/* The WebSocket tells a watching client at once that the feed grew. */
static void
test_events (void)
{
  g_autofree char *dir = ld_test_path ("server");
  g_autoptr(LdTestServer) server = demo_server (dir);
  g_autoptr(LdSync) sync = ld_sync_new (server->url);
  g_autoptr(GError) error = NULL;
  g_autofree char *store = ld_test_path ("other.gpkg");
  gint64 head = ld_test_server_head_seq (server), last = -1, end;

  ld_sync_set_credentials (sync, "zhang.wei", PW);
  ld_sync_login (sync, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (sync, "new-changes", G_CALLBACK (new_changes_cb), &last);
  ld_sync_watch (sync);
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (last != head && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (last, ==, head);   /* on connecting: the current head */

  /* another device sends an edit */
  {
    g_autoptr(LdTestRun) r = cli_sync (server, store, "zhang.wei");

    g_assert_cmpint (r->status, ==, 0);
  }
  edit (store, "title", "有新变化");
  {
    g_autoptr(LdTestRun) r = cli_sync (server, store, "zhang.wei");

    g_assert_cmpint (r->status, ==, 0);
  }
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (last == head && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (last, ==, head + 1);
  ld_sync_unwatch (sync);
}

/* The token is kept in a 0600 file under the config dir, and found again. */
/* A copy of the reference-data dir LANDDESK_DATADIR names, with one more holiday in 2025, the
 * land pre-review matter renamed and paddy fields in another colour: what an administrator
 * changes on the server. */
static char *
edited_reference_data (void)
{
  const char *from = g_getenv ("LANDDESK_DATADIR");
  char *root = ld_test_path ("edited-data");
  const char *files[][2] = {
    { "calendars", "2024.json" }, { "calendars", "2025.json" }, { "calendars", "2026.json" },
    { "matters", "land-prereview.json" }, { "matters", "planning-verification.json" },
    { "matters", "supply-allocation.json" }, { "matters", "supply-grant.json" },
    { "styles", "xz_dltb.csv" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *source = g_build_filename (from, files[i][0], files[i][1], NULL);
      g_autofree char *dir = g_build_filename (root, files[i][0], NULL);
      g_autofree char *target = g_build_filename (dir, files[i][1], NULL);
      g_autofree char *text = NULL;
      g_autofree char *edited = NULL;

      g_assert_true (g_file_get_contents (source, &text, NULL, NULL));
      if (g_str_equal (files[i][1], "2025.json"))
        edited = replace_once (text, "\"holidays\": [",
                               "\"holidays\": [\n    { \"name\": \"测试假日\", \"from\": \"2025-03-10\","
                               " \"to\": \"2025-03-10\" },");
      else if (g_str_equal (files[i][1], "land-prereview.json"))
        edited = replace_once (text, "\"name\": \"建设项目用地预审与选址意见书\"",
                               "\"name\": \"用地预审（新名称）\"");
      else if (g_str_equal (files[i][1], "xz_dltb.csv"))
        edited = replace_once (text, "0101,水田,#F8D072", "0101,水田,#123456");
      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_assert_true (g_file_set_contents (target, edited ? edited : text, -1, NULL));
    }
  return root;
}

static LdStore *
store_synced_with (LdTestServer *server,
                   const char   *name)
{
  g_autofree char *path = ld_test_path (name);
  g_autoptr(LdSync) sync = ld_sync_new (server->url);
  g_autoptr(GError) error = NULL;
  LdStore *store = ld_store_create (path, &error);
  LdSyncCounts c = { 0 };

  g_assert_no_error (error);
  ld_sync_set_credentials (sync, "zhang.wei", PW);
  ld_sync_run (sync, store, &c, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (c.skipped, ==, 0);
  return store;
}

static double
paddy_red (const char *store_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdPalette) palette = ld_store_sync_load_palette (store_path, "xz_dltb", &error);

  g_assert_no_error (error);
  return ld_palette_lookup (palette, "0101")->fill[0];
}

/* The server's matters, calendars and palettes are what the client uses once pulled: a
 * deadline counted with the server's new holiday, the matter's new name, the new colour. */
static void
test_reference_data (void)
{
  g_autofree char *shipped_dir = ld_test_path ("server-shipped");
  g_autofree char *edited_dir = ld_test_path ("server-edited");
  g_autoptr(LdTestServer) shipped = demo_server (shipped_dir);
  g_autofree char *client_data = g_strdup (g_getenv ("LANDDESK_DATADIR"));
  g_autofree char *edited_data = edited_reference_data ();
  g_autoptr(LdTestServer) edited = NULL;
  g_autoptr(LdStore) control = NULL;
  g_autoptr(LdStore) store = NULL;
  g_autoptr(LdStore) reopened = NULL;
  g_autoptr(LdCase) before = NULL;
  g_autoptr(LdCase) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored_before = NULL;
  g_autofree char *stored_after = NULL;
  g_autofree char *path = NULL;
  GDate holiday;

  /* the edited server reads the edited files; this client keeps its own shipped ones */
  g_setenv ("LANDDESK_DATADIR", edited_data, TRUE);
  edited = ld_test_server_start (edited_dir, "--init-demo", ld_test_path ("demo.gpkg"),
                                 "--demo-password", PW, NULL);
  g_setenv ("LANDDESK_DATADIR", client_data, TRUE);

  control = store_synced_with (shipped, "control.gpkg");
  store = store_synced_with (edited, "edited.gpkg");
  path = g_strdup (ld_store_get_path (store));

  g_date_set_dmy (&holiday, 10, G_DATE_MARCH, 2025);
  g_assert_true (ld_calendar_is_workday (ld_store_get_calendar (control), &holiday, NULL));
  g_assert_false (ld_calendar_is_workday (ld_store_get_calendar (store), &holiday, NULL));
  before = ld_store_get_case (control, LD_TEST_CASE_EXAMINE, NULL, &error);
  g_assert_no_error (error);
  after = ld_store_get_case (store, LD_TEST_CASE_EXAMINE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ld_case_get_clock (before)->has_deadline);
  g_assert_true (ld_case_get_clock (after)->has_deadline);
  /* one working day less in the limit: the deadline is the next working day */
  g_assert_cmpint (g_date_days_between (&ld_case_get_clock (before)->deadline,
                                        &ld_case_get_clock (after)->deadline), >=, 1);
  stored_before = query (ld_store_get_path (control), "SELECT deadline FROM cases WHERE id = '"
                         LD_TEST_CASE_EXAMINE "'");
  stored_after = query (path, "SELECT deadline FROM cases WHERE id = '" LD_TEST_CASE_EXAMINE "'");
  g_assert_cmpstr (stored_before, <, stored_after);   /* the lists sort on the stored one */

  g_assert_cmpstr (ld_matter_get_name (ld_matter_list_find (ld_store_get_matters (control),
                                                            "land-prereview")), ==,
                   "建设项目用地预审与选址意见书");
  g_assert_cmpstr (ld_matter_get_name (ld_matter_list_find (ld_store_get_matters (store),
                                                            "land-prereview")), ==,
                   "用地预审（新名称）");

  g_assert_cmpfloat_with_epsilon (paddy_red (ld_store_get_path (control)), 0xF8 / 255.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (paddy_red (path), 0x12 / 255.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (paddy_red (NULL), 0xF8 / 255.0, 1e-9);   /* shipped */

  /* kept: a store opened again reads the server's copies, not the shipped files */
  g_clear_object (&store);
  reopened = ld_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_false (ld_calendar_is_workday (ld_store_get_calendar (reopened), &holiday, NULL));
  g_assert_cmpstr (ld_matter_get_name (ld_matter_list_find (ld_store_get_matters (reopened),
                                                            "land-prereview")), ==,
                   "用地预审（新名称）");
}

static void
test_bad_input (void)
{
  g_autofree char *dir = ld_test_path ("server");
  g_autoptr(LdTestServer) server = demo_server (dir);
  g_autofree char *store = ld_test_path ("s.gpkg");
  g_autofree char *wrong = ld_test_path ("wrong.txt");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  {
    g_autoptr(LdTestRun) r = cli_sync (server, store, "zhang.wei");

    g_assert_cmpint (r->status, ==, 0);
  }
  edit (store, "title", "离线修改");
  before = dump_store (store);
  g_assert_true (g_file_set_contents (wrong, "not-the-password\n", -1, NULL));
  {
    g_autoptr(LdTestRun) r = ld_test_run (NULL, ld_test_binary ("LANDDESK_CLI"), "sync",
                                          "--store", store, "--server", server->url, "--user",
                                          "zhang.wei", "--password-file", wrong, NULL);

    g_assert_cmpint (r->status, ==, 1);
    g_assert_nonnull (strstr (r->err, "refused the login of zhang.wei"));
  }
  {
    /* a port nobody listens on */
    g_autoptr(LdTestRun) r = ld_test_run (NULL, ld_test_binary ("LANDDESK_CLI"), "sync",
                                          "--store", store, "--server", "http://127.0.0.1:9",
                                          "--user", "zhang.wei", "--password-file", wrong,
                                          "--retries", "1", NULL);

    g_assert_cmpint (r->status, ==, 1);
    g_assert_nonnull (strstr (r->err, "cannot reach the server http://127.0.0.1:9/"));
    g_assert_nonnull (strstr (r->err, "(tried 2 times)"));
  }
  {
    g_autoptr(LdTestRun) r = ld_test_run (NULL, ld_test_binary ("LANDDESK_CLI"), "sync",
                                          "--store", store, "--server", "127.0.0.1:8470",
                                          "--user", "zhang.wei", "--password-file", wrong, NULL);

    g_assert_cmpint (r->status, ==, 2);
    g_assert_nonnull (strstr (r->err, "must start with http://"));
  }
  {
    g_autoptr(LdTestRun) r = ld_test_run (NULL, ld_test_binary ("LANDDESK_CLI"), "sync",
                                          "--store", store, "--server", server->url,
                                          "--user", "zhang.wei", "--password-file",
                                          "/nonexistent/pw", NULL);

    g_assert_cmpint (r->status, ==, 1);
    g_assert_nonnull (strstr (r->err, "/nonexistent/pw"));
  }
  {
    g_autofree char *empty = ld_test_path ("empty.txt");
    g_autoptr(LdTestRun) r = NULL;

    g_assert_true (g_file_set_contents (empty, "\r\nsecond line\n", -1, NULL));
    r = ld_test_run (NULL, ld_test_binary ("LANDDESK_CLI"), "sync", "--store", store,
                     "--server", server->url, "--user", "zhang.wei", "--password-file", empty,
                     NULL);
    g_assert_cmpint (r->status, ==, 1);
    g_assert_nonnull (strstr (r->err, "empty.txt: line 1 is empty"));
  }
  after = dump_store (store);
  g_assert_cmpstr (before, ==, after);   /* the edit is still waiting, nothing lost */

  /* an op the server refuses stays, with its reason, and is not sent again by itself; the
   * refused value stays on this computer */
  {
    g_autoptr(LdTestRun) r = NULL;
    g_autoptr(JsonObject) c = NULL;
    g_autofree char *reason = NULL;

    edit (store, "received_on", "2025-13-45");
    r = cli_sync (server, store, "zhang.wei");
    c = counts_of (r);
    g_assert_cmpint (count (c, "pushed"), ==, 2);
    g_assert_cmpint (count (c, "applied"), ==, 1);   /* the title */
    g_assert_cmpint (count (c, "rejected"), ==, 1);
    g_assert_cmpint (count (c, "failed"), ==, 1);
    reason = query (store, "SELECT state || ': ' || reason FROM outbox");
    g_assert_cmpstr (reason, ==, "rejected: validation: field received_on must be a date"
                                 " YYYY-MM-DD or null");
    g_free (reason);
    reason = case_field (store, "received_on");
    g_assert_cmpstr (reason, ==, "2025-13-45");
  }
  {
    g_autoptr(LdTestRun) r = cli_sync (server, store, "zhang.wei");
    g_autoptr(JsonObject) c = counts_of (r);

    g_assert_cmpint (count (c, "pushed"), ==, 0);   /* not sent again by itself */
    g_assert_cmpint (count (c, "failed"), ==, 1);
  }
  /* a workflow action: its fields stay local until the server has acknowledged it */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LdStore) s = ld_store_open (store, &error);
    g_autoptr(LdTestRun) r = NULL;
    g_autofree char *stage = NULL;

    g_assert_no_error (error);
    ld_store_act (s, LD_TEST_CASE_EXAMINE, "zhang.wei", "submit", "同意", NULL, NULL, &error);
    g_assert_no_error (error);
    g_clear_object (&s);
    r = cli_sync (server, store, "zhang.wei");
    g_assert_cmpint (r->status, ==, 0);
    stage = case_field (store, "stage");
    g_assert_cmpstr (stage, ==, "check");
  }
}

int
main (int    argc,
      char **argv)
{
  ld_test_init (&argc, &argv);

  g_test_add_func ("/sync/backoff", test_backoff);
  g_test_add_func ("/sync/pull-new-store", test_pull_new_store);
  g_test_add_func ("/sync/two-devices", test_two_devices);
  g_test_add_func ("/sync/duplicate-batch", test_duplicate_batch);
  g_test_add_func ("/sync/server-killed", test_server_killed);
  g_test_add_func ("/sync/client-killed", test_client_killed);
  g_test_add_func ("/sync/events", test_events);
  g_test_add_func ("/sync/reference-data", test_reference_data);
  g_test_add_func ("/sync/bad-input", test_bad_input);

  return g_test_run ();
}
