/* ld-store.h: the local store, one GeoPackage file per user profile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-calendar.h"
#include "ld-case.h"
#include "ld-case-event.h"
#include "ld-types.h"
#include "ld-user.h"

G_BEGIN_DECLS

#define LD_STORE_ERROR (ld_store_error_quark ())

typedef enum
{
  LD_STORE_ERROR_OPEN,        /* missing, unreadable, or not a LandDesk store */
  LD_STORE_ERROR_EXISTS,
  LD_STORE_ERROR_VERSION,     /* written by a newer LandDesk */
  LD_STORE_ERROR_BUSY,        /* another process holds it */
  LD_STORE_ERROR_NOT_FOUND,   /* no such case, user or matter */
  LD_STORE_ERROR_USER,        /* unknown user */
  LD_STORE_ERROR_IMPORT,
  LD_STORE_ERROR_SQL,
} LdStoreError;

/* The workbench's lists (待办 在办 已办 办结 挂起). */
typedef enum
{
  LD_CASE_LIST_ALL,
  LD_CASE_LIST_TODO,       /* waiting for the user: their role's stage, theirs or unassigned */
  LD_CASE_LIST_DOING,      /* open cases the user acted on that wait for someone else */
  LD_CASE_LIST_DONE,       /* ended cases the user acted on */
  LD_CASE_LIST_CLOSED,     /* every ended case (closed or refused) */
  LD_CASE_LIST_SUSPENDED,  /* suspended cases (the user's, when a user is given) */
} LdCaseList;

typedef struct
{
  LdCaseList   list;
  const char  *user;       /* login; NULL: no user, the lists go by status only */
  const char  *search;     /* substring of number, title, applicant or parcel; NULL: all */
  const char  *case_type;  /* filters; NULL: any */
  const char  *stage;
  const char  *light;      /* "green", "yellow", "red", "none" */
  const GDate *today;      /* NULL: today's local date */
  guint        offset;
  guint        limit;      /* 0: no limit */
} LdCaseQuery;

typedef void (*LdStoreStatementHook) (const char *sql,
                                      gpointer    user_data);

#define LD_TYPE_STORE (ld_store_get_type ())

G_DECLARE_FINAL_TYPE (LdStore, ld_store, LD, STORE, GObject)

GQuark       ld_store_error_quark          (void);
int          ld_store_latest_version       (void);
char        *ld_store_default_path         (void);
gboolean     ld_case_list_from_string      (const char          *name,
                                            LdCaseList          *list);

LdStore     *ld_store_create               (const char          *path,
                                            GError             **error);
LdStore     *ld_store_create_at_version    (const char          *path,
                                            int                  version,
                                            GError             **error);
LdStore     *ld_store_open                 (const char          *path,
                                            GError             **error);
gboolean     ld_store_import_demo          (LdStore             *self,
                                            const char          *demo_path,
                                            GError             **error);

const char  *ld_store_get_path             (LdStore             *self);
int          ld_store_get_version          (LdStore             *self);
LdCalendar  *ld_store_get_calendar         (LdStore             *self);
GListModel  *ld_store_get_matters          (LdStore             *self);
void         ld_store_set_busy_timeout     (LdStore             *self,
                                            int                  ms);
void         ld_store_set_statement_hook   (LdStore             *self,
                                            LdStoreStatementHook hook,
                                            gpointer             user_data);

GListModel  *ld_store_list_users           (LdStore             *self,
                                            GError             **error);
LdUser      *ld_store_find_user            (LdStore             *self,
                                            const char          *login,
                                            GError             **error);

GListModel  *ld_store_query_cases          (LdStore             *self,
                                            const LdCaseQuery   *query,
                                            guint               *total,
                                            GError             **error);
void         ld_store_query_cases_async    (LdStore             *self,
                                            const LdCaseQuery   *query,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GListModel  *ld_store_query_cases_finish   (LdStore             *self,
                                            GAsyncResult        *result,
                                            guint               *total,
                                            GError             **error);
gboolean     ld_store_count_lists          (LdStore             *self,
                                            const char          *user,
                                            guint                counts[6],
                                            GError             **error);
LdCase      *ld_store_get_case             (LdStore             *self,
                                            const char          *id_or_number,
                                            const GDate         *today,
                                            GError             **error);
GListModel  *ld_store_list_events          (LdStore             *self,
                                            const char          *case_id,
                                            GError             **error);
LdCase      *ld_store_act                  (LdStore             *self,
                                            const char          *id_or_number,
                                            const char          *login,
                                            const char          *action,
                                            const char          *opinion,
                                            const char          *date,
                                            const char          *to,
                                            GError             **error);
char        *ld_store_add_attachment       (LdStore             *self,
                                            const char          *id_or_number,
                                            const char          *login,
                                            const char          *file,
                                            GError             **error);
char        *ld_store_dup_blob_path        (LdStore             *self,
                                            const char          *sha256);
gboolean     ld_store_set_redline          (LdStore             *self,
                                            const char          *id_or_number,
                                            LdRedline           *redline,
                                            const char          *login,
                                            GError             **error);
gboolean     ld_store_save_opinion         (LdStore             *self,
                                            const char          *id_or_number,
                                            const char          *login,
                                            const char          *text,
                                            GError             **error);
char        *ld_store_dup_case_json        (LdStore             *self,
                                            LdCase              *kase,
                                            gboolean             full,
                                            const char          *viewer,
                                            GError             **error);
GStrv        ld_store_dup_allowed_actions  (LdStore             *self,
                                            LdCase              *kase,
                                            const char          *login,
                                            GError             **error);
char        *ld_store_dup_outbox_json      (LdStore             *self,
                                            GError             **error);
gint64       ld_store_count_outbox         (LdStore             *self);

G_END_DECLS
