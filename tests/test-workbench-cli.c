/* test-workbench-cli.c: landdesk-cli calendar, store, case and cases, run as a user would
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ld-core.h"
#include "ld-test-demo.h"
#include "ld-test-util.h"

static const char *
cli (void)
{
  return ld_test_binary ("LANDDESK_CLI");
}

static char *
demo_file (void)
{
  char *demo = ld_test_path ("demo.gpkg");

  if (!g_file_test (demo, G_FILE_TEST_EXISTS))
    ld_test_write_demo (demo);
  return demo;
}

static char *
demo_store (void)
{
  g_autofree char *demo = demo_file ();
  char *path = ld_test_path ("store.gpkg");
  g_autoptr(LdTestRun) run = ld_test_run (NULL, cli (), "store", "create", path, "--from-demo",
                                          demo, NULL);

  g_assert_cmpstr (run->err, ==, "");
  g_assert_cmpint (run->status, ==, 0);
  return path;
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
test_calendar (void)
{
  g_autoptr(LdTestRun) a = ld_test_run (NULL, cli (), "calendar", "workdays-after", "2024-09-30",
                                        "5", NULL);
  g_autoptr(LdTestRun) b = ld_test_run (NULL, cli (), "calendar", "count", "2024-09-30",
                                        "2024-10-14", NULL);
  g_autoptr(LdTestRun) c = ld_test_run (NULL, cli (), "calendar", "workdays-after", "2025-03-03",
                                        "5", "--suspend", "2025-03-04:2025-03-06", NULL);
  g_autoptr(LdTestRun) d = ld_test_run (NULL, cli (), "calendar", "workdays-after", "2026-12-30",
                                        "3", NULL);
  g_autoptr(LdTestRun) bad = ld_test_run (NULL, cli (), "calendar", "count", "2024-02-30",
                                          "2024-03-01", NULL);
  g_autoptr(LdTestRun) bad_n = ld_test_run (NULL, cli (), "calendar", "workdays-after",
                                            "2024-02-01", "ten", NULL);
  g_autoptr(LdTestRun) bad_s = ld_test_run (NULL, cli (), "calendar", "count", "2024-02-01",
                                            "2024-03-01", "--suspend", "2024-02-10", NULL);

  g_assert_cmpint (a->status, ==, 0);
  g_assert_cmpstr (a->out, ==, "2024-10-12\n");   /* National Day, then make-up Saturday */
  g_assert_cmpstr (a->err, ==, "");
  g_assert_cmpstr (b->out, ==, "6\n");
  g_assert_cmpstr (c->out, ==, "2025-03-12\n");
  g_assert_cmpstr (d->out, ==, "2027-01-04\n");
  g_assert_nonnull (strstr (d->err, "only weekends"));
  g_assert_cmpint (bad->status, ==, 2);
  g_assert_nonnull (strstr (bad->err, "2024-02-30"));
  g_assert_cmpint (bad_n->status, ==, 2);
  g_assert_nonnull (strstr (bad_n->err, "ten"));
  g_assert_cmpint (bad_s->status, ==, 2);
  g_assert_nonnull (strstr (bad_s->err, "FROM:TO"));
}

static void
test_store_create (void)
{
  g_autofree char *demo = demo_file ();
  g_autofree char *path = ld_test_path ("new.gpkg");
  g_autofree char *part = g_strconcat (path, ".part.gpkg", NULL);
  g_autofree char *bad_path = ld_test_path ("bad.gpkg");
  g_autofree char *missing = ld_test_path ("missing-demo.gpkg");
  g_autofree char *default_path = NULL;
  g_autoptr(LdTestRun) run = ld_test_run (NULL, cli (), "store", "create", path, "--from-demo",
                                          demo, NULL);
  g_autoptr(LdTestRun) again = ld_test_run (NULL, cli (), "store", "create", path, NULL);
  g_autoptr(LdTestRun) bad = ld_test_run (NULL, cli (), "store", "create", bad_path,
                                          "--from-demo", missing, NULL);
  g_autofree char *xdg = g_strconcat ("XDG_DATA_HOME=", g_get_user_data_dir (), NULL);
  const char *envp[] = { xdg, NULL };
  g_autoptr(LdTestRun) plain = ld_test_run (envp, cli (), "store", "create", NULL);
  g_autoptr(LdTestRun) usage = ld_test_run (NULL, cli (), "store", "destroy", NULL);

  g_assert_cmpint (run->status, ==, 0);
  g_assert_true (g_str_has_prefix (run->out, path));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));

  g_assert_cmpint (again->status, ==, 1);
  g_assert_nonnull (strstr (again->err, "exists"));

  /* a failed create leaves nothing behind */
  g_assert_cmpint (bad->status, ==, 1);
  g_assert_nonnull (strstr (bad->err, "missing-demo.gpkg"));
  g_assert_false (g_file_test (bad_path, G_FILE_TEST_EXISTS));

  /* no FILE: the profile's store under the XDG data dir */
  default_path = g_build_filename (g_get_user_data_dir (), "landdesk", "store.gpkg", NULL);
  g_assert_cmpint (plain->status, ==, 0);
  g_assert_true (g_file_test (default_path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (usage->status, ==, 2);
}

static void
test_cases_list (void)
{
  g_autofree char *path = demo_store ();
  g_autoptr(LdTestRun) all = ld_test_run (NULL, cli (), "cases", "list", "--store", path,
                                          "--json", "--today", "2025-03-20", NULL);
  g_autoptr(LdTestRun) todo = ld_test_run (NULL, cli (), "cases", "list", "--store", path,
                                           "--list", "todo", "--as", "zhang.wei", "--json", NULL);
  g_autoptr(LdTestRun) ghost = ld_test_run (NULL, cli (), "cases", "list", "--store", path,
                                            "--list", "todo", "--as", "ghost", "--json", NULL);
  g_autoptr(LdTestRun) badlist = ld_test_run (NULL, cli (), "cases", "list", "--store", path,
                                              "--list", "later", NULL);
  g_autoptr(LdTestRun) search = ld_test_run (NULL, cli (), "cases", "list", "--store", path,
                                             "--search", "滨海", "--json", NULL);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) todo_root = NULL;
  g_autoptr(JsonNode) search_root = NULL;
  const char *fields[] = { "id", "number", "matter", "type", "title", "applicant", "stage",
                           "assignee", "light", "deadline", "remaining_workdays", "suspended" };
  JsonArray *arr;

  g_assert_cmpint (all->status, ==, 0);
  root = parse (all->out);
  arr = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (arr), ==, 5);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
      g_assert_true (json_object_has_member (json_array_get_object_element (arr, i), fields[f]));
  /* sorted by deadline; 0001 accepted 4 March: due 1 April, 8 working days left on 20 March */
  {
    JsonObject *first = NULL;

    for (guint i = 0; i < json_array_get_length (arr); i++)
      if (g_str_equal (json_object_get_string_member (json_array_get_object_element (arr, i),
                                                      "number"), "ZJYS-2025-0001"))
        first = json_array_get_object_element (arr, i);
    g_assert_nonnull (first);
    g_assert_cmpstr (json_object_get_string_member (first, "deadline"), ==, "2025-04-01");
    g_assert_cmpint (json_object_get_int_member (first, "remaining_workdays"), ==, 8);
    g_assert_cmpstr (json_object_get_string_member (first, "light"), ==, "green");
    g_assert_cmpstr (json_object_get_string_member (first, "type"), ==, "land-prereview");
    g_assert_false (json_object_get_boolean_member (first, "suspended"));
  }

  g_assert_cmpint (todo->status, ==, 0);
  todo_root = parse (todo->out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (todo_root)), ==, 2);

  g_assert_cmpint (ghost->status, ==, 1);
  g_assert_nonnull (strstr (ghost->err, "no user 'ghost'"));
  g_assert_cmpint (badlist->status, ==, 2);

  search_root = parse (search->out);
  arr = json_node_get_array (search_root);
  g_assert_cmpuint (json_array_get_length (arr), ==, 1);
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (arr, 0),
                                                 "suspended"));
}

static void
test_case_act_and_show (void)
{
  g_autofree char *path = demo_store ();
  g_autoptr(LdTestRun) refused = ld_test_run (NULL, cli (), "case", "act", "ZJYS-2025-0001",
                                              "submit", "--store", path, "--as", "li.na", NULL);
  g_autoptr(LdTestRun) no_opinion = ld_test_run (NULL, cli (), "case", "act", "ZJYS-2025-0001",
                                                 "request-correction", "--store", path, "--as",
                                                 "zhang.wei", NULL);
  g_autoptr(LdTestRun) unknown = ld_test_run (NULL, cli (), "case", "act", "ZJYS-2025-0001",
                                              "submit", "--store", path, "--as", "ghost", NULL);
  g_autoptr(LdTestRun) before = ld_test_run (NULL, cli (), "case", "show", "ZJYS-2025-0001",
                                             "--store", path, "--json", "--as", "zhang.wei",
                                             NULL);
  g_autoptr(LdTestRun) act = NULL;
  g_autoptr(LdTestRun) after = NULL;
  g_autoptr(LdTestRun) todo = NULL;
  g_autoptr(JsonNode) b = NULL;
  g_autoptr(JsonNode) a = NULL;
  g_autoptr(JsonNode) t = NULL;
  JsonObject *obj, *redline, *last;
  JsonArray *events;

  g_assert_cmpint (refused->status, ==, 1);
  g_assert_nonnull (strstr (refused->err, "assigned to zhang.wei"));
  g_assert_cmpint (no_opinion->status, ==, 1);
  g_assert_nonnull (strstr (no_opinion->err, "--opinion"));
  g_assert_cmpint (unknown->status, ==, 1);
  g_assert_nonnull (strstr (unknown->err, "ghost"));

  g_assert_cmpint (before->status, ==, 0);
  b = parse (before->out);
  obj = json_node_get_object (b);
  /* the refusals changed nothing */
  g_assert_cmpint (json_object_get_int_member (obj, "version"), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "events")), ==, 1);
  /* examine: 10 working days from Tue 4 March 2025 (when it entered the stage): 18 March */
  g_assert_cmpstr (json_object_get_string_member (obj, "stage_entered_on"), ==, "2025-03-04");
  g_assert_cmpstr (json_object_get_string_member (obj, "stage_deadline"), ==, "2025-03-18");
  {
    JsonArray *actions = json_object_get_array_member (obj, "actions");
    g_autoptr(GString) list = g_string_new (NULL);

    for (guint i = 0; i < json_array_get_length (actions); i++)
      g_string_append_printf (list, "%s ", json_array_get_string_element (actions, i));
    g_assert_cmpstr (list->str, ==, "submit return request-correction start-special reassign ");
  }
  redline = json_array_get_object_element (json_object_get_array_member (obj, "redlines"), 0);
  /* the demo's first red line is 100 m x 100 m: 10 000 m², 1 ha, 15 mu */
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (redline, "area_m2"), 10000.0,
                                  1e-6);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (redline, "area_ha"), 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (redline, "area_mu"), 15.0, 1e-9);

  act = ld_test_run (NULL, cli (), "case", "act", "ZJYS-2025-0001", "submit", "--store", path,
                     "--as", "zhang.wei", "--opinion", "建议通过。", "--date", "2025-03-21", NULL);
  g_assert_cmpstr (act->err, ==, "");
  g_assert_cmpint (act->status, ==, 0);
  g_assert_nonnull (strstr (act->out, "stage check"));

  after = ld_test_run (NULL, cli (), "case", "show", DEMO_CASE_EXAMINE, "--store", path, "--json",
                       NULL);
  a = parse (after->out);
  obj = json_node_get_object (a);
  g_assert_cmpstr (json_object_get_string_member (obj, "stage"), ==, "check");
  g_assert_cmpint (json_object_get_int_member (obj, "version"), ==, 2);
  events = json_object_get_array_member (obj, "events");
  g_assert_cmpuint (json_array_get_length (events), ==, 2);
  last = json_array_get_object_element (events, 1);
  g_assert_cmpstr (json_object_get_string_member (last, "action"), ==, "submit");
  g_assert_cmpstr (json_object_get_string_member (last, "actor"), ==, "zhang.wei");
  g_assert_cmpstr (json_object_get_string_member (last, "opinion"), ==, "建议通过。");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (last, "at"), "2025-03-21T"));

  /* now the section head has it to do */
  todo = ld_test_run (NULL, cli (), "cases", "list", "--store", path, "--list", "todo", "--as",
                      "wang.fang", "--json", NULL);
  t = parse (todo->out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (t)), ==, 2);
}

/* A coordinate file stored as a case's red line: replaced in the store, exported back the
 * same, and its ops in the outbox; bad users and half-given options change nothing. */
static void
test_redline_into_case (void)
{
  g_autofree char *store = demo_store ();
  g_autofree char *txt = ld_test_path ("square.txt");
  g_autofree char *out = ld_test_path ("back.txt");
  g_autoptr(LdTestRun) nobody = NULL;
  g_autoptr(LdTestRun) half = NULL;
  g_autoptr(LdTestRun) ok = NULL;
  g_autoptr(LdTestRun) exported = NULL;
  g_autoptr(LdTestRun) again = NULL;
  g_autoptr(LdStore) opened = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) back = NULL;
  JsonObject *parcel;

  g_assert_true (g_file_set_contents (txt, "[属性描述]\n带号=37\n[地块坐标]\n"
                                      "5,4.0000,DK01,码头,面,,,,@\n"
                                      "J1,1,2353500.000,37433500.000\n"
                                      "J2,1,2353500.000,37433700.000\n"
                                      "J3,1,2353700.000,37433700.000\n"
                                      "J4,1,2353700.000,37433500.000\n"
                                      "J1,1,2353500.000,37433500.000\n", -1, NULL));
  nobody = ld_test_run (NULL, cli (), "redline", "import", txt, "--store", store, "--case",
                        "ZJYS-2025-0001", "--as", "nobody", NULL);
  g_assert_cmpint (nobody->status, ==, 1);
  g_assert_nonnull (strstr (nobody->err, "nobody"));
  half = ld_test_run (NULL, cli (), "redline", "import", txt, "--store", store, NULL);
  g_assert_cmpint (half->status, ==, 2);
  g_assert_nonnull (strstr (half->err, "go together"));
  opened = ld_store_open (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ld_store_count_outbox (opened), ==, 0);
  g_clear_object (&opened);

  ok = ld_test_run (NULL, cli (), "redline", "import", txt, "--store", store, "--case",
                    "ZJYS-2025-0001", "--as", "zhang.wei", NULL);
  g_assert_cmpint (ok->status, ==, 0);
  exported = ld_test_run (NULL, cli (), "redline", "export", "--store", store, "--case",
                          "ZJYS-2025-0001", "--format", "txt", "--out", out, NULL);
  g_assert_cmpint (exported->status, ==, 0);
  again = ld_test_run (NULL, cli (), "redline", "import", out, "--json", NULL);
  g_assert_cmpint (again->status, ==, 0);
  back = parse (again->out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
      json_node_get_object (back), "parcels")), ==, 1);
  parcel = json_array_get_object_element (json_object_get_array_member (
      json_node_get_object (back), "parcels"), 0);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (parcel, "area_m2"), 40000.0,
                                  0.01);

  /* The new parcel has the demo parcel's number (DK01): one update op of its geometry, so a
   * second reviewer redrawing it meets a conflict instead of adding a second red line. */
  opened = ld_store_open (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ld_store_count_outbox (opened), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  ld_test_init (&argc, &argv);

  g_test_add_func ("/workbench-cli/calendar", test_calendar);
  g_test_add_func ("/workbench-cli/store-create", test_store_create);
  g_test_add_func ("/workbench-cli/cases-list", test_cases_list);
  g_test_add_func ("/workbench-cli/case-act-and-show", test_case_act_and_show);
  g_test_add_func ("/workbench-cli/redline-into-case", test_redline_into_case);

  return g_test_run ();
}
