/* bench-workbench.c: the workbench's queries on 100 000 cases, beside the sqlite3 CLI
 *
 * Builds a store with N cases (default 100 000), then times, through liblanddesk:
 *   list    the first page (100) of a user's to-do list sorted by deadline, with its count
 *   counts  the sidebar: the count of each of the six lists for one reviewer
 *   search  a Chinese substring (trigram FTS5) over number, project, applicant and parcel
 *   case    one case with its stage log, red lines and attachments, as JSON
 * The anchor runs the very statements the store ran (captured with their values) in the
 * sqlite3 command-line shell on the same file: (time of K runs - time of an empty run) / K.
 *
 * Usage: ld-bench-workbench [N] [K]    (or `meson compile -C build bench-workbench`)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "ld-core.h"

static GPtrArray *captured;

static void
capture (const char *sql,
         gpointer    user_data)
{
  if (captured != NULL && g_ascii_strncasecmp (sql, "SELECT", 6) == 0)
    g_ptr_array_add (captured, g_strdup (sql));
}

static void
null_function (sqlite3_context *ctx,
               int              argc,
               sqlite3_value  **argv)
{
  sqlite3_result_null (ctx);
}

static const char *districts[] = { "赤坎区", "霞山区", "麻章区", "坡头区", "遂溪县", "徐闻县",
                                   "廉江市", "雷州市", "吴川市", "东海岛", "南三岛", "硇洲岛" };
static const char *projects[] = { "工业园区标准厂房", "物流仓储中心", "风电场升压站", "光伏发电",
                                  "学校新建工程", "保障性住房", "污水处理厂", "港口码头",
                                  "商业综合体", "市政道路", "医院扩建", "钢铁配套" };
static const char *companies[] = { "湛江港（集团）股份有限公司", "湛江市土地储备中心",
                                   "广东粤电湛江风力发电有限公司", "湛江市城市投资集团",
                                   "湛江滨海置业有限公司", "湛江市交通运输局" };
static const char *matters[] = { "land-prereview", "supply-allocation", "supply-grant",
                                 "planning-verification" };
static const char *prefixes[] = { "ZJYS", "ZJHB", "ZJCR", "ZJHS" };
static const char *stages[] = { "intake", "accept", "examine", "check", "approve", "close" };
static const char *reviewers[] = { "zhang.wei", "li.na" };

static void
fill (const char *path,
      int         n)
{
  sqlite3 *db;
  sqlite3_stmt *c, *e, *r;
  GRand *rand = g_rand_new_with_seed (42);
  GDate base;

  g_assert (sqlite3_open (path, &db) == SQLITE_OK);
  /* red lines without geometry: the R-tree triggers need the functions only to compile */
  for (int i = 0; i < 5; i++)
    {
      const char *names[] = { "ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY" };

      sqlite3_create_function (db, names[i], 1, SQLITE_UTF8, NULL, null_function, NULL, NULL);
    }
  sqlite3_exec (db, "BEGIN;"
    "INSERT INTO users (login, display_name, role, unit) VALUES"
    " ('zhang.wei', '张伟', 'reviewer', '用地审查科'), ('li.na', '李娜', 'reviewer', '用地审查科'),"
    " ('wang.fang', '王芳', 'section-head', '用地审查科'),"
    " ('liu.yang', '刘洋', 'leader', '局领导'),"
    " ('chen.jing', '陈静', 'field-staff', '执法监察支队'),"
    " ('zhao.lei', '赵磊', 'gis-officer', '信息中心'),"
    " ('admin', '系统管理员', 'admin', '信息中心');", NULL, NULL, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO cases (id, number, matter, title, applicant, stage, status,"
                          " suspend_kind, suspended_on, assignee, received_on, accepted_on,"
                          " closed_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &c,
                      NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO case_events (id, case_id, action, from_stage, to_stage,"
                          " actor, at, opinion) VALUES (?, ?, 'accept', 'accept', 'examine', ?,"
                          " ?, NULL)", -1, &e, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO case_redlines (id, case_id, parcel_no, name, area_m2)"
                          " VALUES (?, ?, 'DK01', ?, ?)", -1, &r, NULL);
  g_date_clear (&base, 1);
  g_date_set_dmy (&base, 1, G_DATE_JANUARY, 2024);
  for (int i = 0; i < n; i++)
    {
      int m = g_rand_int_range (rand, 0, 4);
      int st = g_rand_int_range (rand, 0, 6);
      int status_roll = g_rand_int_range (rand, 0, 20);
      const char *status = st == 5 && status_roll < 15 ? "closed"
                           : status_roll == 0 ? "suspended" : "active";
      const char *reviewer = reviewers[g_rand_int_range (rand, 0, 2)];
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *ev = g_uuid_string_random ();
      g_autofree char *rid = g_uuid_string_random ();
      g_autofree char *number = NULL;
      g_autofree char *title = NULL;
      g_autofree char *parcel = NULL;
      g_autofree char *received = NULL, *accepted = NULL, *susp = NULL, *closed = NULL;
      g_autofree char *at = NULL;
      GDate d = base;

      g_date_add_days (&d, g_rand_int_range (rand, 0, 700));
      received = ld_date_format (&d);
      g_date_add_days (&d, 1);
      if (st >= 2)
        accepted = ld_date_format (&d);
      g_date_add_days (&d, 5);
      if (g_str_equal (status, "suspended") && accepted)
        susp = ld_date_format (&d);
      else if (g_str_equal (status, "suspended"))
        status = "active";
      g_date_add_days (&d, 20);
      if (g_str_equal (status, "closed"))
        closed = ld_date_format (&d);
      number = g_strdup_printf ("%s-%u-%05d", prefixes[m], g_date_get_year (&base) + i % 2, i);
      title = g_strdup_printf ("%s%s项目（%d期）", districts[g_rand_int_range (rand, 0, 12)],
                               projects[g_rand_int_range (rand, 0, 12)], i % 7 + 1);
      parcel = g_strdup_printf ("%s%d号地块", districts[g_rand_int_range (rand, 0, 12)], i % 50);
      at = g_strdup_printf ("%sT09:00:00+08:00", accepted ? accepted : received);

      sqlite3_reset (c);
      sqlite3_bind_text (c, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (c, 2, number, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (c, 3, matters[m], -1, SQLITE_STATIC);
      sqlite3_bind_text (c, 4, title, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (c, 5, companies[g_rand_int_range (rand, 0, 6)], -1, SQLITE_STATIC);
      sqlite3_bind_text (c, 6, stages[st], -1, SQLITE_STATIC);
      sqlite3_bind_text (c, 7, status, -1, SQLITE_STATIC);
      sqlite3_bind_text (c, 8, susp ? "correction" : NULL, -1, SQLITE_STATIC);
      sqlite3_bind_text (c, 9, susp, -1, SQLITE_TRANSIENT);
      if (st == 2 || st == 5)
        sqlite3_bind_text (c, 10, reviewer, -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (c, 10);
      sqlite3_bind_text (c, 11, received, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (c, 12, accepted, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (c, 13, closed, -1, SQLITE_TRANSIENT);
      g_assert (sqlite3_step (c) == SQLITE_DONE);
      if (accepted)
        {
          sqlite3_reset (e);
          sqlite3_bind_text (e, 1, ev, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (e, 2, id, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (e, 3, reviewer, -1, SQLITE_STATIC);
          sqlite3_bind_text (e, 4, at, -1, SQLITE_TRANSIENT);
          g_assert (sqlite3_step (e) == SQLITE_DONE);
        }
      sqlite3_reset (r);
      sqlite3_bind_text (r, 1, rid, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (r, 2, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (r, 3, parcel, -1, SQLITE_TRANSIENT);
      sqlite3_bind_double (r, 4, 1000.0 + i);
      g_assert (sqlite3_step (r) == SQLITE_DONE);
    }
  sqlite3_finalize (c);
  sqlite3_finalize (e);
  sqlite3_finalize (r);
  /* forget the deadline basis: the next open computes every deadline */
  g_assert (sqlite3_exec (db, "DELETE FROM sync_state WHERE key = 'clock_basis'; COMMIT;"
                              " ANALYZE;", NULL, NULL, NULL) == SQLITE_OK);
  sqlite3_close (db);
  g_rand_free (rand);
}

static double
run_sqlite3 (const char *sqlite3_bin,
             const char *path,
             const char *script)
{
  g_autofree char *script_path = g_strconcat (path, ".bench.sql", NULL);
  const char *argv[] = { sqlite3_bin, "-bail", "-init", script_path, path, ".quit", NULL };
  g_autoptr(GError) error = NULL;
  gint64 t0, t1;
  int status;

  g_assert (g_file_set_contents (script_path, script, -1, NULL));
  t0 = g_get_monotonic_time ();
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                     NULL, &status, &error))
    g_error ("sqlite3: %s", error->message);
  t1 = g_get_monotonic_time ();
  g_remove (script_path);
  return (t1 - t0) / 1000.0;
}

/* The anchor: the same statements K times in the sqlite3 shell, minus the shell's own start. */
static double
anchor_ms (const char *sqlite3_bin,
           const char *path,
           GPtrArray  *statements,
           int         k)
{
  g_autoptr(GString) script = g_string_new (".output /dev/null\n");
  double empty, full;

  empty = run_sqlite3 (sqlite3_bin, path, script->str);
  for (int i = 0; i < k; i++)
    for (guint s = 0; s < statements->len; s++)
      g_string_append_printf (script, "%s;\n", (char *) statements->pdata[s]);
  full = run_sqlite3 (sqlite3_bin, path, script->str);
  return MAX (full - empty, 0.0) / k;
}

typedef enum { OP_LIST, OP_COUNTS, OP_SEARCH, OP_CASE } Op;

static void
run_op (LdStore    *store,
        Op          op,
        const char *number)
{
  g_autoptr(GError) error = NULL;

  if (op == OP_COUNTS)
    {
      guint counts[6];

      if (!ld_store_count_lists (store, "li.na", counts, &error))
        g_error ("counts: %s", error->message);
    }
  else if (op == OP_LIST || op == OP_SEARCH)
    {
      LdCaseQuery q = { .list = op == OP_LIST ? LD_CASE_LIST_TODO : LD_CASE_LIST_ALL,
                        .user = op == OP_LIST ? "zhang.wei" : NULL,
                        .search = op == OP_SEARCH ? "东海岛" : NULL, .limit = 100 };
      g_autoptr(GListModel) page = NULL;
      guint total = 0;

      page = ld_store_query_cases (store, &q, &total, &error);
      if (page == NULL || g_list_model_get_n_items (page) == 0)
        g_error ("query: %s", error ? error->message : "no rows");
    }
  else
    {
      g_autoptr(LdCase) c = ld_store_get_case (store, number, NULL, &error);
      g_autofree char *json = NULL;

      if (c != NULL)
        json = ld_store_dup_case_json (store, c, TRUE, "zhang.wei", &error);

      if (json == NULL)
        g_error ("case: %s", error->message);
    }
}

int
main (int    argc,
      char **argv)
{
  int n = argc > 1 ? atoi (argv[1]) : 100000;
  int k = argc > 2 ? atoi (argv[2]) : 20;
  g_autofree char *dir = g_dir_make_tmp ("landdesk-bench-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "bench.gpkg", NULL);
  g_autofree char *sqlite3_bin = g_find_program_in_path ("sqlite3");
  g_autoptr(LdStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  const char *names[] = { "open a list (to-do, first 100 by deadline, + count)",
                          "sidebar: the six lists' counts for one reviewer",
                          "search '东海岛' (FTS5 trigram, first 100 + count)",
                          "open a case (row, stage log, red lines, attachments)" };
  gint64 t0;

  if (sqlite3_bin == NULL)
    g_error ("the sqlite3 shell is not installed (apt-get install sqlite3)");
  if (g_getenv ("BENCH_STORE") != NULL)
    {
      /* reuse a store kept by an earlier run (BENCH_KEEP=1) */
      g_free (path);
      path = g_strdup (g_getenv ("BENCH_STORE"));
    }
  else
    {
      store = ld_store_create (path, &error);
      g_assert_no_error (error);
      g_clear_object (&store);
      t0 = g_get_monotonic_time ();
      fill (path, n);
      printf ("store %s: %d cases written in %.1f s\n", path, n,
              (g_get_monotonic_time () - t0) / 1e6);
    }
  t0 = g_get_monotonic_time ();
  store = ld_store_open (path, &error);
  g_assert_no_error (error);
  printf ("first open, every deadline computed: %.1f s\n\n", (g_get_monotonic_time () - t0) / 1e6);
  number = g_strdup_printf ("ZJYS-2025-%05d", n / 2 + ((n / 2) % 2 == 0 ? 1 : 0));
  {
    /* a case that exists whatever the prefix drawn for it */
    LdCaseQuery q = { .list = LD_CASE_LIST_ALL, .offset = (guint) n / 2, .limit = 1 };
    g_autoptr(GListModel) one = ld_store_query_cases (store, &q, NULL, &error);
    g_autoptr(LdCase) c = g_list_model_get_item (one, 0);

    g_free (number);
    number = g_strdup (ld_case_get (c, LD_CASE_NUMBER));
  }

  printf ("%-58s %10s %10s %7s\n", "operation (mean of K runs)", "LandDesk", "sqlite3", "ratio");
  ld_store_set_statement_hook (store, capture, NULL);
  for (Op op = OP_LIST; op <= OP_CASE; op++)
    {
      g_autoptr(GPtrArray) statements = g_ptr_array_new_with_free_func (g_free);
      double ours, theirs;

      run_op (store, op, number);     /* warm up, and capture the statements */
      captured = statements;
      run_op (store, op, number);
      captured = NULL;
      t0 = g_get_monotonic_time ();
      for (int i = 0; i < k; i++)
        run_op (store, op, number);
      ours = (g_get_monotonic_time () - t0) / 1000.0 / k;
      theirs = anchor_ms (sqlite3_bin, path, statements, k);
      printf ("%-58s %8.2f ms %7.2f ms %6.2fx\n", names[op], ours, theirs,
              theirs > 0 ? ours / theirs : 0.0);
    }
  g_clear_object (&store);
  if (g_getenv ("BENCH_KEEP") != NULL || g_getenv ("BENCH_STORE") != NULL)
    {
      printf ("kept %s\n", path);
      return 0;
    }
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_remove (wal);
    g_remove (shm);
    g_remove (path);
    g_rmdir (dir);
  }
  return 0;
}
