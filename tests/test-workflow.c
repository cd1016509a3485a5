/* test-workflow.c: the matter catalogue and the workflow rules
 *
 * The permission matrix is checked against the matter files as this test reads them itself
 * (json-glib), not against what LdMatter says.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "ld-core.h"
#include "ld-test-util.h"

static const char * const roles[] = {
  "reviewer", "section-head", "leader", "field-staff", "gis-officer", "admin", NULL
};

static GListModel *
shipped_matters (void)
{
  g_autoptr(GError) error = NULL;
  GListModel *m = ld_matter_load_default (&error);

  g_assert_no_error (error);
  return m;
}

static LdCase *
make_case (const char *matter,
           const char *stage,
           const char *status,
           const char *assignee)
{
  LdCase *c = ld_case_new ();

  ld_case_set (c, LD_CASE_ID, "case-1");
  ld_case_set (c, LD_CASE_NUMBER, "ZJYS-2025-0001");
  ld_case_set (c, LD_CASE_MATTER, matter);
  ld_case_set (c, LD_CASE_STAGE, stage);
  ld_case_set (c, LD_CASE_STATUS, status);
  ld_case_set (c, LD_CASE_ASSIGNEE, assignee);
  ld_case_set (c, LD_CASE_RECEIVED_ON, "2025-03-01");
  if (g_strcmp0 (status, "suspended") == 0)
    {
      ld_case_set (c, LD_CASE_SUSPEND_KIND, "correction");
      ld_case_set (c, LD_CASE_SUSPENDED_ON, "2025-03-05");
    }
  ld_case_set_version (c, 3);
  return c;
}

static LdCase *
act (LdCase      *c,
     LdMatter    *m,
     const char  *login,
     const char  *role,
     const char  *action,
     const char  *opinion,
     const char  *to,
     const char  *to_role,
     LdCaseEvent **event,
     GError     **error)
{
  LdActionRequest req = {
    .action = action, .opinion = opinion, .date = "2025-03-10",
    .at = "2025-03-10T10:00:00+08:00", .to = to, .to_role = to_role, .event_id = "ev-1",
  };

  return ld_workflow_apply (c, m, login, role, &req, event, error);
}

static void
test_shipped_matters (void)
{
  g_autoptr(GListModel) matters = shipped_matters ();
  const char *ids[] = { "land-prereview", "planning-verification", "supply-allocation",
                        "supply-grant" };

  g_assert_cmpuint (g_list_model_get_n_items (matters), ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      LdMatter *m = ld_matter_list_find (matters, ids[i]);

      g_assert_nonnull (m);
      g_assert_cmpint (ld_matter_get_limit_workdays (m), >, 0);
      g_assert_cmpint (ld_matter_find_stage (m, "intake"), ==, 0);
      g_assert_cmpint (ld_matter_find_stage (m, "close"), ==,
                       (int) ld_matter_get_n_stages (m) - 1);
      g_assert_true (ld_matter_action_stops_clock (m, "request-correction"));
      g_assert_false (ld_matter_action_stops_clock (m, "submit"));
    }
}

static void
test_bad_matter (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdMatter) m = NULL;

  m = ld_matter_new_from_json ("{\"id\": \"x\", \"name\": \"x\", \"case_type\": \"x\","
                               " \"case_type_name\": \"x\", \"limit_workdays\": 20,"
                               " \"stages\": [{\"id\": \"a\", \"name\": \"a\","
                               " \"role\": \"reviewer\", \"actions\": [\"fly\"]}]}",
                               "x.json", &error);
  g_assert_null (m);
  g_assert_error (error, LD_MATTER_ERROR, LD_MATTER_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "x.json"));
  g_assert_nonnull (strstr (error->message, "stages[0].actions[0]"));
  g_clear_error (&error);

  m = ld_matter_new_from_json ("{\"id\": \"x\", \"name\": \"x\", \"case_type\": \"x\","
                               " \"case_type_name\": \"x\", \"stages\": []}", "y.json", &error);
  g_assert_null (m);
  g_assert_nonnull (strstr (error->message, "limit_workdays"));
  g_clear_error (&error);

  m = ld_matter_new_from_json ("{\"id\": \"x\", \"name\": \"x\", \"case_type\": \"x\","
                               " \"case_type_name\": \"x\", \"limit_workdays\": 20,"
                               " \"stages\": [{\"id\": \"a\", \"name\": \"a\","
                               " \"role\": \"boss\", \"actions\": []}]}", "z.json", &error);
  g_assert_null (m);
  g_assert_nonnull (strstr (error->message, "stages[0].role"));
}

/* Every action by every role at every stage of every matter, checked against the files. */
static void
test_permission_matrix (void)
{
  g_autoptr(GListModel) matters = shipped_matters ();
  g_autofree char *dir = ld_paths_data_file ("matters", NULL);
  guint checked = 0;

  for (guint mi = 0; mi < g_list_model_get_n_items (matters); mi++)
    {
      g_autoptr(LdMatter) m = g_list_model_get_item (matters, mi);
      g_autofree char *path = g_strdup_printf ("%s/%s.json", dir, ld_matter_get_id (m));
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonArray *stages;
      JsonArray *needs;

      g_assert_true (json_parser_load_from_file (parser, path, NULL));
      stages = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                             "stages");
      needs = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                            "opinion_required");
      for (guint si = 0; si < json_array_get_length (stages); si++)
        {
          JsonObject *st = json_array_get_object_element (stages, si);
          const char *stage = json_object_get_string_member (st, "id");
          const char *stage_role = json_object_get_string_member (st, "role");
          JsonArray *allowed = json_object_get_array_member (st, "actions");

          for (const char * const *r = roles; *r; r++)
            for (const char * const *a = ld_matter_known_actions (); *a; a++)
              {
                g_autoptr(LdCase) c = make_case (ld_matter_get_id (m), stage, "active", NULL);
                g_autoptr(LdCase) next = NULL;
                g_autoptr(GError) error = NULL;
                gboolean listed = FALSE, expected, opinion_needed = FALSE;

                for (guint k = 0; k < json_array_get_length (allowed); k++)
                  listed |= g_str_equal (json_array_get_string_element (allowed, k), *a);
                for (guint k = 0; k < json_array_get_length (needs); k++)
                  opinion_needed |= g_str_equal (json_array_get_string_element (needs, k), *a);
                expected = (g_str_equal (*r, stage_role) && listed
                            && !g_str_equal (*a, "resume") && !g_str_equal (*a, "end-special"))
                           || (g_str_equal (*a, "reassign")
                               && (g_str_equal (*r, "section-head") || g_str_equal (*r, "admin")));
                /* Moving on from the last stage is impossible whatever the role. */
                if ((g_str_equal (*a, "submit") || g_str_equal (*a, "accept")
                     || g_str_equal (*a, "approve")) && si + 1 == json_array_get_length (stages))
                  expected = FALSE;
                if (g_str_equal (*a, "return") && si == 0)
                  expected = FALSE;

                next = act (c, m, "u1", *r, *a, "同意。", "u2", stage_role, NULL, &error);
                g_test_message ("%s %s %s %s", ld_matter_get_id (m), stage, *r, *a);
                g_assert_cmpint (next != NULL, ==, expected);
                if (next == NULL)
                  {
                    /* refused: a reason, and the case untouched */
                    g_assert_nonnull (error);
                    g_assert_cmpstr (ld_case_get (c, LD_CASE_STAGE), ==, stage);
                    g_assert_cmpint (ld_case_get_version (c), ==, 3);
                  }
                else if (opinion_needed)
                  {
                    /* the same action without an opinion is refused */
                    g_autoptr(LdCase) bare = NULL;
                    g_autoptr(GError) e2 = NULL;

                    bare = act (c, m, "u1", *r, *a, "  ", "u2", stage_role, NULL, &e2);
                    g_assert_null (bare);
                    g_assert_error (e2, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_OPINION);
                  }
                checked++;
              }
        }
    }
  g_assert_cmpuint (checked, ==, 4 * 6 * 6 * 11);
}

static void
test_effects (void)
{
  g_autoptr(GListModel) matters = shipped_matters ();
  LdMatter *m = ld_matter_list_find (matters, "land-prereview");
  g_autoptr(LdCase) c = make_case ("land-prereview", "accept", "active", NULL);
  g_autoptr(LdCase) accepted = NULL, submitted = NULL, checked = NULL, returned = NULL;
  g_autoptr(LdCase) suspended = NULL, resumed = NULL, approved = NULL, closed = NULL;
  g_autoptr(LdCaseEvent) event = NULL;
  g_autoptr(GError) error = NULL;

  accepted = act (c, m, "zhang.wei", "reviewer", "accept", NULL, NULL, NULL, &event, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_case_get (accepted, LD_CASE_STAGE), ==, "examine");
  g_assert_cmpstr (ld_case_get (accepted, LD_CASE_ACCEPTED_ON), ==, "2025-03-10");
  /* same role at the next stage: the actor keeps the case */
  g_assert_cmpstr (ld_case_get (accepted, LD_CASE_ASSIGNEE), ==, "zhang.wei");
  g_assert_cmpint (ld_case_get_version (accepted), ==, 4);
  g_assert_cmpstr (ld_case_event_get (event, LD_CASE_EVENT_FROM_STAGE), ==, "accept");
  g_assert_cmpstr (ld_case_event_get (event, LD_CASE_EVENT_TO_STAGE), ==, "examine");
  g_assert_cmpstr (ld_case_event_get (event, LD_CASE_EVENT_ACTOR), ==, "zhang.wei");
  g_assert_cmpstr (ld_case_event_get (event, LD_CASE_EVENT_ID), ==, "ev-1");
  /* the input never changes */
  g_assert_cmpstr (ld_case_get (c, LD_CASE_STAGE), ==, "accept");

  /* another reviewer may not take a case assigned to zhang.wei */
  g_assert_null (act (accepted, m, "li.na", "reviewer", "submit", NULL, NULL, NULL, NULL,
                      &error));
  g_assert_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_ASSIGNEE);
  g_assert_nonnull (strstr (error->message, "zhang.wei"));
  g_clear_error (&error);

  suspended = act (accepted, m, "zhang.wei", "reviewer", "request-correction", "请补充材料",
                   NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_case_get (suspended, LD_CASE_STATUS), ==, "suspended");
  g_assert_cmpstr (ld_case_get (suspended, LD_CASE_SUSPEND_KIND), ==, "correction");
  g_assert_cmpstr (ld_case_get (suspended, LD_CASE_SUSPENDED_ON), ==, "2025-03-10");
  /* while suspended only resume works; end-special is for the special procedure */
  g_assert_null (act (suspended, m, "zhang.wei", "reviewer", "submit", NULL, NULL, NULL, NULL,
                      &error));
  g_assert_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_SUSPENDED);
  g_clear_error (&error);
  g_assert_null (act (suspended, m, "zhang.wei", "reviewer", "end-special", NULL, NULL, NULL,
                      NULL, &error));
  g_assert_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_SUSPENDED);
  g_clear_error (&error);
  resumed = act (suspended, m, "zhang.wei", "reviewer", "resume", NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_case_get (resumed, LD_CASE_STATUS), ==, "active");
  g_assert_null (ld_case_get (resumed, LD_CASE_SUSPENDED_ON));

  /* to the section head: the case goes to the pool of that role */
  submitted = act (resumed, m, "zhang.wei", "reviewer", "submit", NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_case_get (submitted, LD_CASE_STAGE), ==, "check");
  g_assert_null (ld_case_get (submitted, LD_CASE_ASSIGNEE));
  g_assert_null (act (submitted, m, "zhang.wei", "reviewer", "submit", NULL, NULL, NULL, NULL,
                      &error));
  g_assert_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_ROLE);
  g_assert_nonnull (strstr (error->message, "section-head"));
  g_clear_error (&error);

  returned = act (submitted, m, "wang.fang", "section-head", "return", "面积核算有误", NULL, NULL,
                  NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_case_get (returned, LD_CASE_STAGE), ==, "examine");

  checked = act (submitted, m, "wang.fang", "section-head", "submit", NULL, NULL, NULL, NULL,
                 &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_case_get (checked, LD_CASE_STAGE), ==, "approve");
  approved = act (checked, m, "liu.yang", "leader", "approve", "同意", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_case_get (approved, LD_CASE_STAGE), ==, "close");
  g_assert_null (ld_case_get (approved, LD_CASE_ASSIGNEE));
  closed = act (approved, m, "zhang.wei", "reviewer", "close", NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_case_get (closed, LD_CASE_STATUS), ==, "closed");
  g_assert_cmpstr (ld_case_get (closed, LD_CASE_CLOSED_ON), ==, "2025-03-10");
  g_assert_null (act (closed, m, "admin", "admin", "reassign", NULL, "li.na", "reviewer", NULL,
                      &error));
  g_assert_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_CLOSED);
}

static void
test_reassign (void)
{
  g_autoptr(GListModel) matters = shipped_matters ();
  LdMatter *m = ld_matter_list_find (matters, "land-prereview");
  g_autoptr(LdCase) c = make_case ("land-prereview", "examine", "active", "zhang.wei");
  g_autoptr(LdCase) moved = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_null (act (c, m, "zhang.wei", "reviewer", "reassign", NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (act (c, m, "zhang.wei", "reviewer", "reassign", NULL, "nobody", NULL, NULL,
                      &error));
  g_assert_nonnull (strstr (error->message, "nobody"));
  g_clear_error (&error);
  g_assert_null (act (c, m, "zhang.wei", "reviewer", "reassign", NULL, "liu.yang", "leader", NULL,
                      &error));
  g_assert_nonnull (strstr (error->message, "leader"));
  g_clear_error (&error);
  moved = act (c, m, "wang.fang", "section-head", "reassign", NULL, "li.na", "reviewer", NULL,
               &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_case_get (moved, LD_CASE_ASSIGNEE), ==, "li.na");
  g_assert_cmpstr (ld_case_get (moved, LD_CASE_STAGE), ==, "examine");
}

static void
test_allowed_actions (void)
{
  g_autoptr(GListModel) matters = shipped_matters ();
  LdMatter *m = ld_matter_list_find (matters, "land-prereview");
  g_autoptr(LdCase) c = make_case ("land-prereview", "examine", "suspended", "zhang.wei");
  g_auto(GStrv) mine = ld_workflow_allowed_actions (c, m, "zhang.wei", "reviewer");
  g_auto(GStrv) other = ld_workflow_allowed_actions (c, m, "li.na", "reviewer");
  const char *expected[] = { "resume", "reassign", NULL };

  g_assert_true (g_strv_equal ((const char * const *) mine, expected));
  g_assert_cmpuint (g_strv_length (other), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  ld_test_init (&argc, &argv);

  g_test_add_func ("/workflow/shipped-matters", test_shipped_matters);
  g_test_add_func ("/workflow/bad-matter", test_bad_matter);
  g_test_add_func ("/workflow/permission-matrix", test_permission_matrix);
  g_test_add_func ("/workflow/effects", test_effects);
  g_test_add_func ("/workflow/reassign", test_reassign);
  g_test_add_func ("/workflow/allowed-actions", test_allowed_actions);

  return g_test_run ();
}
