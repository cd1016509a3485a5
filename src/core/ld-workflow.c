/* ld-workflow.c: the workflow rules, pure functions shared by the client and the server
 *
 * A workflow action travels as ONE op; client and server derive its effects with these same
 * functions, so they must depend on nothing but their arguments.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ld-calendar.h"
#include "ld-workflow.h"

G_DEFINE_QUARK (ld-workflow-error-quark, ld_workflow_error)

#define GET(c, f) ld_case_get ((c), LD_CASE_##f)

static gboolean
is_ended (LdCase *kase)
{
  return g_strcmp0 (GET (kase, STATUS), "closed") == 0
         || g_strcmp0 (GET (kase, STATUS), "refused") == 0;
}

/* Everything but the opinion, the date and the target user: may @login act at all? */
static gboolean
check_allowed (LdCase      *kase,
               LdMatter    *matter,
               const char  *login,
               const char  *role,
               const char  *action,
               int         *stage_index,
               GError     **error)
{
  const char *number = GET (kase, NUMBER) ? GET (kase, NUMBER) : GET (kase, ID);
  const char *stage = GET (kase, STAGE);
  const char *assignee = GET (kase, ASSIGNEE);
  const char *kind = GET (kase, SUSPEND_KIND);
  gboolean suspended = g_strcmp0 (GET (kase, STATUS), "suspended") == 0;
  gboolean supervisor = g_strcmp0 (role, "section-head") == 0 || g_strcmp0 (role, "admin") == 0;
  const char *stage_role;
  int index;

  if (action == NULL || !g_strv_contains (ld_matter_known_actions (), action))
    {
      g_autofree char *list = g_strjoinv (", ", (GStrv) ld_matter_known_actions ());

      g_set_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_UNKNOWN_ACTION,
                   "'%s' is not an action; use one of %s", action ? action : "", list);
      return FALSE;
    }
  if (is_ended (kase))
    {
      g_set_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_CLOSED,
                   "case %s is %s; no action is possible", number, GET (kase, STATUS));
      return FALSE;
    }
  index = ld_matter_find_stage (matter, stage);
  if (index < 0)
    {
      g_set_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_INVALID,
                   "case %s is at stage '%s', which matter %s does not have", number,
                   stage ? stage : "", ld_matter_get_id (matter));
      return FALSE;
    }
  stage_role = ld_matter_get_stage_role (matter, index);

  /* A section head or an administrator may hand any open case to someone else. */
  if (g_str_equal (action, "reassign") && supervisor)
    {
      *stage_index = index;
      return TRUE;
    }
  if (g_strcmp0 (role, stage_role) != 0)
    {
      g_set_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_ROLE,
                   "%s at stage %s (%s) of case %s is for the role %s; %s is %s",
                   action, stage, ld_matter_get_stage_name (matter, index), number, stage_role,
                   login, role ? role : "unknown");
      return FALSE;
    }
  if (assignee != NULL && g_strcmp0 (assignee, login) != 0)
    {
      g_set_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_ASSIGNEE,
                   "case %s is assigned to %s, not to %s; ask a section head to reassign it",
                   number, assignee, login);
      return FALSE;
    }
  if (suspended)
    {
      if ((g_str_equal (action, "resume") && g_strcmp0 (kind, "correction") == 0)
          || (g_str_equal (action, "end-special") && g_strcmp0 (kind, "special") == 0)
          || g_str_equal (action, "reassign"))
        {
          *stage_index = index;
          return TRUE;
        }
      g_set_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_SUSPENDED,
                   "case %s is suspended (%s); only %s is possible until then", number,
                   g_strcmp0 (kind, "special") == 0 ? "special procedure" : "correction request",
                   g_strcmp0 (kind, "special") == 0 ? "end-special" : "resume");
      return FALSE;
    }
  if (g_str_equal (action, "resume") || g_str_equal (action, "end-special"))
    {
      g_set_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_SUSPENDED,
                   "case %s is not suspended; %s is only for suspended cases", number, action);
      return FALSE;
    }
  if (!ld_matter_stage_has_action (matter, index, action))
    {
      g_set_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_NOT_ALLOWED,
                   "%s is not possible at stage %s (%s) of matter %s", action, stage,
                   ld_matter_get_stage_name (matter, index), ld_matter_get_id (matter));
      return FALSE;
    }
  *stage_index = index;
  return TRUE;
}

/* Moves to stage @to; the case goes to the pool of the new stage's role unless it stays with
 * the same role, where the actor keeps it. */
static void
move_to (LdCase     *kase,
         LdMatter   *matter,
         int         from,
         int         to,
         const char *login)
{
  ld_case_set (kase, LD_CASE_STAGE, ld_matter_get_stage_id (matter, to));
  if (g_strcmp0 (ld_matter_get_stage_role (matter, from),
                 ld_matter_get_stage_role (matter, to)) == 0)
    ld_case_set (kase, LD_CASE_ASSIGNEE, login);
  else
    ld_case_set (kase, LD_CASE_ASSIGNEE, NULL);
}

/**
 * ld_workflow_apply:
 * @login: the acting user's login
 * @role: that user's role
 * @event: (out) (optional): the step to log
 *
 * Applies one action to a copy of @kase. @kase itself never changes.
 *
 * Returns: (transfer full): the case after the action, its version one higher; NULL with a
 *   reason the user can act on when the action is refused
 */
LdCase *
ld_workflow_apply (LdCase                *kase,
                   LdMatter              *matter,
                   const char            *login,
                   const char            *role,
                   const LdActionRequest *request,
                   LdCaseEvent          **event,
                   GError               **error)
{
  g_autoptr(LdCase) next = NULL;
  const char *action = request->action;
  const char *number;
  g_autoptr(GError) local = NULL;
  g_autofree char *opinion = request->opinion ? g_strstrip (g_strdup (request->opinion)) : NULL;
  int index = -1, n_stages;
  GDate date;

  g_return_val_if_fail (LD_IS_CASE (kase), NULL);
  g_return_val_if_fail (LD_IS_MATTER (matter), NULL);

  number = GET (kase, NUMBER) ? GET (kase, NUMBER) : GET (kase, ID);
  if (!check_allowed (kase, matter, login, role, action, &index, error))
    return NULL;
  if (ld_matter_action_needs_opinion (matter, action) && (opinion == NULL || *opinion == '\0'))
    {
      g_set_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_OPINION,
                   "%s on case %s needs an opinion; write one (--opinion TEXT)", action, number);
      return NULL;
    }
  if (!ld_date_parse (request->date, &date, &local))
    {
      g_set_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_INVALID,
                   "date of %s: %s", action, local->message);
      return NULL;
    }
  if (GET (kase, RECEIVED_ON) != NULL && g_strcmp0 (request->date, GET (kase, RECEIVED_ON)) < 0)
    {
      g_set_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_INVALID,
                   "date of %s: %s is before case %s was received (%s)", action,
                   request->date, number, GET (kase, RECEIVED_ON));
      return NULL;
    }

  next = ld_case_copy (kase);
  n_stages = (int) ld_matter_get_n_stages (matter);
  if (!g_str_equal (action, "reassign"))
    ld_case_set (next, LD_CASE_ASSIGNEE, login);   /* acting takes the case from the pool */

  if (g_str_equal (action, "submit") || g_str_equal (action, "accept")
      || g_str_equal (action, "approve"))
    {
      if (index + 1 >= n_stages)
        {
          g_set_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_INVALID,
                       "%s: stage %s is the last one of matter %s; use close", action,
                       GET (kase, STAGE), ld_matter_get_id (matter));
          return NULL;
        }
      if (g_str_equal (action, "accept") && GET (kase, ACCEPTED_ON) == NULL)
        ld_case_set (next, LD_CASE_ACCEPTED_ON, request->date);
      move_to (next, matter, index, index + 1, login);
    }
  else if (g_str_equal (action, "return"))
    {
      if (index == 0)
        {
          g_set_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_INVALID,
                       "return: stage %s is the first one; there is nothing to return to",
                       GET (kase, STAGE));
          return NULL;
        }
      move_to (next, matter, index, index - 1, login);
    }
  else if (g_str_equal (action, "request-correction") || g_str_equal (action, "start-special"))
    {
      ld_case_set (next, LD_CASE_STATUS, "suspended");
      ld_case_set (next, LD_CASE_SUSPEND_KIND,
                   g_str_equal (action, "start-special") ? "special" : "correction");
      ld_case_set (next, LD_CASE_SUSPENDED_ON, request->date);
    }
  else if (g_str_equal (action, "resume") || g_str_equal (action, "end-special"))
    {
      if (g_strcmp0 (request->date, GET (kase, SUSPENDED_ON)) < 0)
        {
          g_set_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_INVALID,
                       "date of %s: %s is before the suspension began (%s)", action,
                       request->date, GET (kase, SUSPENDED_ON));
          return NULL;
        }
      ld_case_set (next, LD_CASE_STATUS, "active");
      ld_case_set (next, LD_CASE_SUSPEND_KIND, NULL);
      ld_case_set (next, LD_CASE_SUSPENDED_ON, NULL);
    }
  else if (g_str_equal (action, "refuse") || g_str_equal (action, "close"))
    {
      ld_case_set (next, LD_CASE_STATUS, g_str_equal (action, "refuse") ? "refused" : "closed");
      ld_case_set (next, LD_CASE_CLOSED_ON, request->date);
    }
  else if (g_str_equal (action, "reassign"))
    {
      const char *stage_role = ld_matter_get_stage_role (matter, index);

      if (request->to == NULL)
        {
          g_set_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_INVALID,
                       "reassign needs the new assignee (--to LOGIN)");
          return NULL;
        }
      if (request->to_role == NULL)
        {
          g_set_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_INVALID,
                       "reassign: there is no user '%s'", request->to);
          return NULL;
        }
      if (g_strcmp0 (request->to_role, stage_role) != 0)
        {
          g_set_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_INVALID,
                       "reassign: %s is %s, but stage %s is for the role %s", request->to,
                       request->to_role, GET (kase, STAGE), stage_role);
          return NULL;
        }
      ld_case_set (next, LD_CASE_ASSIGNEE, request->to);
    }
  ld_case_set_version (next, ld_case_get_version (kase) + 1);

  if (event != NULL)
    {
      LdCaseEvent *e = ld_case_event_new ();

      ld_case_event_set (e, LD_CASE_EVENT_ID, request->event_id);
      ld_case_event_set (e, LD_CASE_EVENT_CASE_ID, GET (kase, ID));
      ld_case_event_set (e, LD_CASE_EVENT_ACTION, action);
      ld_case_event_set (e, LD_CASE_EVENT_FROM_STAGE, GET (kase, STAGE));
      ld_case_event_set (e, LD_CASE_EVENT_TO_STAGE, GET (next, STAGE));
      ld_case_event_set (e, LD_CASE_EVENT_ACTOR, login);
      ld_case_event_set (e, LD_CASE_EVENT_AT, request->at);
      ld_case_event_set (e, LD_CASE_EVENT_OPINION, opinion);
      ld_case_event_set_version (e, 1);
      *event = e;
    }
  return g_steal_pointer (&next);
}

/**
 * ld_workflow_allowed_actions:
 *
 * Returns: (transfer full): the actions @login may offer on @kase (the buttons to show);
 *   an action may still need an opinion or a target user
 */
GStrv
ld_workflow_allowed_actions (LdCase     *kase,
                             LdMatter   *matter,
                             const char *login,
                             const char *role)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (const char * const *a = ld_matter_known_actions (); *a != NULL; a++)
    {
      int index;

      if (check_allowed (kase, matter, login, role, *a, &index, NULL))
        g_strv_builder_add (builder, *a);
    }
  return g_strv_builder_end (builder);
}
