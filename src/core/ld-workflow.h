/* ld-workflow.h: the workflow rules, pure functions shared by the client and the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ld-case.h"
#include "ld-case-event.h"
#include "ld-matter.h"

G_BEGIN_DECLS

#define LD_WORKFLOW_ERROR (ld_workflow_error_quark ())

typedef enum
{
  LD_WORKFLOW_ERROR_UNKNOWN_ACTION,
  LD_WORKFLOW_ERROR_CLOSED,
  LD_WORKFLOW_ERROR_ROLE,          /* the user's role may not act at this stage */
  LD_WORKFLOW_ERROR_ASSIGNEE,      /* the case is assigned to someone else */
  LD_WORKFLOW_ERROR_NOT_ALLOWED,   /* the matter does not offer the action at this stage */
  LD_WORKFLOW_ERROR_SUSPENDED,
  LD_WORKFLOW_ERROR_OPINION,       /* the action needs an opinion */
  LD_WORKFLOW_ERROR_INVALID,       /* bad date, bad target user, no next stage ... */
} LdWorkflowError;

/* One action as a user asks for it (and as an op of kind "action" carries it). */
typedef struct
{
  const char *action;     /* action id */
  const char *opinion;    /* nullable */
  const char *date;       /* YYYY-MM-DD: the day the action counts for */
  const char *at;         /* ISO 8601 time logged with the event */
  const char *to;         /* reassign: the new assignee's login; else NULL */
  const char *to_role;    /* that user's role, looked up by the caller; NULL: unknown user */
  const char *event_id;   /* the UUID of the event it logs (the op's UUID) */
} LdActionRequest;

GQuark   ld_workflow_error_quark     (void);

LdCase  *ld_workflow_apply           (LdCase                *kase,
                                      LdMatter              *matter,
                                      const char            *login,
                                      const char            *role,
                                      const LdActionRequest *request,
                                      LdCaseEvent          **event,
                                      GError               **error);
GStrv    ld_workflow_allowed_actions (LdCase                *kase,
                                      LdMatter              *matter,
                                      const char            *login,
                                      const char            *role);

G_END_DECLS
