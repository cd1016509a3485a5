/* ld-store-cases.c: LdStore: users, lists, search, the case page and the edits with their ops
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sqlite3.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ld-clock.h"
#include "ld-matter.h"
#include "ld-store-private.h"
#include "ld-workflow.h"

typedef struct
{
  LdCaseQuery  query;
  char        *user, *search, *case_type, *stage, *light;
  GDate        today;
  guint        total;
} QueryData;

static LdUser *
user_from_row (sqlite3_stmt *stmt)
{
  LdUser *u = ld_user_new ();

  for (int i = 0; i < LD_USER_N_FIELDS; i++)
    ld_user_set (u, i, (const char *) sqlite3_column_text (stmt, i));
  ld_user_set_version (u, sqlite3_column_int64 (stmt, LD_USER_N_FIELDS));
  return u;
}

/**
 * ld_store_list_users:
 *
 * Returns: (transfer full): the users (#LdUser) by login: the user switcher's model
 */
GListModel *
ld_store_list_users (LdStore  *self,
                     GError  **error)
{
  g_autoptr(GListStore) list = g_list_store_new (LD_TYPE_USER);
  g_auto(sqlite3_stmt_ptr) stmt = ld_store_prepare (self, "SELECT login, display_name, role,"
                                                          " unit, version"
                                                             " FROM users ORDER BY login", error);

  if (stmt == NULL)
    return NULL;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(LdUser) u = user_from_row (stmt);

      g_list_store_append (list, u);
    }
  return G_LIST_MODEL (g_steal_pointer (&list));
}

/**
 * ld_store_find_user:
 *
 * Returns: (transfer full): the user, or NULL with LD_STORE_ERROR_USER when unknown
 */
LdUser *
ld_store_find_user (LdStore     *self,
                    const char  *login,
                    GError     **error)
{
  g_auto(sqlite3_stmt_ptr) stmt = ld_store_prepare (self, "SELECT login, display_name, role,"
                                                          " unit, version"
                                                             " FROM users WHERE login = ?", error);

  if (stmt == NULL)
    return NULL;
  ld_store_bind_text (stmt, 1, login);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_USER,
                   "there is no user '%s' in store %s; use a login name such as zhang.wei",
                   login ? login : "", self->path);
      return NULL;
    }
  return user_from_row (stmt);
}

/* The WHERE clause of a list for a user with @role; parameters ?1 user, ?2 role. */
static const char *
list_condition (LdCaseList list,
                gboolean   with_user)
{
#define TODO_COND "(c.status = 'active' AND c.stage_role = ?2" \
  " AND (c.assignee = ?1 OR c.assignee IS NULL))"
#define ACTED_COND "c.id IN (SELECT case_id FROM case_events WHERE actor = ?1)"
  switch (list)
    {
    case LD_CASE_LIST_TODO:
      return with_user ? TODO_COND : "c.status = 'active'";
    case LD_CASE_LIST_DOING:
      return with_user ? "(c.status IN ('active', 'suspended') AND " ACTED_COND
                         " AND NOT " TODO_COND ")"
                       : "c.status = 'active'";
    case LD_CASE_LIST_DONE:
      return with_user ? "(c.status IN ('closed', 'refused') AND " ACTED_COND ")"
                       : "c.status IN ('closed', 'refused')";
    case LD_CASE_LIST_CLOSED:
      return "c.status IN ('closed', 'refused')";
    case LD_CASE_LIST_SUSPENDED:
      return with_user ? "(c.status = 'suspended' AND (c.assignee = ?1 OR " ACTED_COND "))"
                       : "c.status = 'suspended'";
    case LD_CASE_LIST_ALL:
    default:
      return "1";
    }
#undef TODO_COND
#undef ACTED_COND
}

/* Escapes a search text for a LIKE pattern with ESCAPE '\'. */
static char *
like_pattern (const char *text)
{
  GString *s = g_string_new ("%");

  for (const char *p = text; *p; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '%');
  return g_string_free (s, FALSE);
}

/* Quotes a search text as one FTS5 string (trigram tokenizer: substring match). */
static char *
fts_phrase (const char *text)
{
  GString *s = g_string_new ("\"");

  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}

/**
 * ld_store_query_cases:
 * @total: (out) (optional): the number of cases the query matches, ignoring offset and limit
 *
 * One page of a list, sorted by deadline (cases without one last), then number. Search is a
 * substring match over number, project title, applicant and parcel numbers and names (FTS5
 * trigram index; texts under three characters fall back to a scan).
 *
 * Returns: (transfer full): a list of #LdCase with their clocks as of @query->today
 */
GListModel *
ld_store_query_cases (LdStore            *self,
                      const LdCaseQuery  *query,
                      guint              *total,
                      GError            **error)
{
  g_autoptr(GListStore) list = g_list_store_new (LD_TYPE_CASE);
  g_autoptr(GString) where = g_string_new (NULL);
  g_autofree char *sql = NULL;
  g_autofree char *count_sql = NULL;
  g_autofree char *search_arg = NULL;
  g_autofree char *today_text = NULL;
  g_autoptr(LdUser) user = NULL;
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  gboolean fts = FALSE;
  GDate today;

  g_return_val_if_fail (LD_IS_STORE (self), NULL);

  if (query->today != NULL)
    today = *query->today;
  else
    ld_store_today (&today);
  today_text = ld_date_format (&today);

  if (query->user != NULL && (user = ld_store_find_user (self, query->user, error)) == NULL)
    return NULL;
  g_string_append (where, list_condition (query->list, user != NULL));
  if (query->search != NULL && *query->search != '\0')
    {
      fts = g_utf8_strlen (query->search, -1) >= 3;
      if (fts)
        {
          search_arg = fts_phrase (query->search);
          g_string_append (where, " AND c.fid IN (SELECT rowid FROM cases_fts WHERE cases_fts"
                                  " MATCH ?3)");
        }
      else
        {
          search_arg = like_pattern (query->search);
          g_string_append (where, " AND c.fid IN (SELECT rowid FROM cases_fts WHERE"
                                  " number LIKE ?3 ESCAPE '\\' OR title LIKE ?3 ESCAPE '\\'"
                                  " OR applicant LIKE ?3 ESCAPE '\\'"
                                  " OR parcels LIKE ?3 ESCAPE '\\')");
        }
    }
  if (query->case_type != NULL)
    g_string_append (where, " AND c.matter IN (SELECT id FROM matters WHERE"
                            " json_extract(json, '$.case_type') = ?4)");
  if (query->stage != NULL)
    g_string_append (where, " AND c.stage = ?5");
  if (query->light != NULL)
    {
      /* The same rule as the clock: the day of evaluation against the stored dates. */
      const char *eval = "(CASE WHEN c.status = 'suspended' THEN c.suspended_on"
                         " WHEN c.status IN ('closed', 'refused') THEN c.closed_on ELSE ?6 END)";

      if (g_str_equal (query->light, "red"))
        g_string_append_printf (where, " AND c.deadline < %s", eval);
      else if (g_str_equal (query->light, "yellow"))
        g_string_append_printf (where, " AND c.deadline >= %s AND c.yellow_on <= %s", eval, eval);
      else if (g_str_equal (query->light, "green"))
        g_string_append_printf (where, " AND c.deadline >= %s AND c.yellow_on > %s", eval, eval);
      else if (g_str_equal (query->light, "none"))
        g_string_append (where, " AND c.deadline IS NULL");
      else
        {
          g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_NOT_FOUND,
                       "light '%s' is not one of green, yellow, red, none", query->light);
          return NULL;
        }
    }

  sql = g_strdup_printf ("SELECT " CASE_COLUMNS ", deadline, yellow_on, weekends_only"
                         " FROM cases c WHERE %s ORDER BY c.sort_key LIMIT %d OFFSET %u",
                         where->str,
                         query->limit ? (int) query->limit : -1, query->offset);
  /* A search of all cases counts in the index alone: no row of cases needs reading. */
  if (fts && query->list == LD_CASE_LIST_ALL && query->case_type == NULL && query->stage == NULL
      && query->light == NULL)
    count_sql = g_strdup ("SELECT count(*) FROM cases_fts WHERE cases_fts MATCH ?3");
  else
    count_sql = g_strdup_printf ("SELECT count(*) FROM cases c WHERE %s", where->str);

  for (int pass = 0; pass < 2; pass++)
    {
      int rc;

      if (pass == 1 && total == NULL)
        break;
      g_clear_pointer (&stmt, sqlite3_finalize);
      stmt = ld_store_prepare (self, pass == 0 ? sql : count_sql, error);
      if (stmt == NULL)
        return NULL;
      if (user != NULL)
        {
          ld_store_bind_text (stmt, 1, ld_user_get (user, LD_USER_LOGIN));
          ld_store_bind_text (stmt, 2, ld_user_get (user, LD_USER_ROLE));
        }
      if (search_arg)
        ld_store_bind_text (stmt, 3, search_arg);
      if (query->case_type)
        ld_store_bind_text (stmt, 4, query->case_type);
      if (query->stage)
        ld_store_bind_text (stmt, 5, query->stage);
      ld_store_bind_text (stmt, 6, today_text);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          if (pass == 1)
            {
              *total = (guint) sqlite3_column_int64 (stmt, 0);
              continue;
            }
          {
            g_autoptr(LdCase) kase = ld_store_case_from_row (stmt, 0);

            ld_store_finish_case (self, kase, stmt, LD_CASE_N_FIELDS + 1, &today);
            g_list_store_append (list, kase);
          }
        }
      if (rc != SQLITE_DONE)
        {
          ld_store_fail (self, error, "cannot read the cases");
          return NULL;
        }
    }
  return G_LIST_MODEL (g_steal_pointer (&list));
}

static void
query_data_free (gpointer data)
{
  QueryData *q = data;

  g_free (q->user);
  g_free (q->search);
  g_free (q->case_type);
  g_free (q->stage);
  g_free (q->light);
  g_free (q);
}

/* A read-only second connection to the same file, for worker threads. */
static LdStore *
open_reader (LdStore  *self,
             GError  **error)
{
  g_autoptr(LdStore) reader = ld_store_open_db (self->path, SQLITE_OPEN_READONLY, error);

  if (reader == NULL)
    return NULL;
  reader->version = self->version;
  if (!ld_store_load_reference_data (reader, error))
    return NULL;
  return g_steal_pointer (&reader);
}

static void
query_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  LdStore *self = source_object;
  QueryData *q = task_data;
  GListModel *result = NULL;
  GError *error = NULL;

  g_mutex_lock (&self->reader_lock);
  if (self->reader == NULL)
    self->reader = open_reader (self, &error);
  if (self->reader != NULL && !g_task_return_error_if_cancelled (task))
    {
      result = ld_store_query_cases (self->reader, &q->query, &q->total, &error);
      if (result != NULL)
        g_task_return_pointer (task, result, g_object_unref);
      else
        g_task_return_error (task, error);
    }
  else if (self->reader == NULL)
    g_task_return_error (task, error);
  g_mutex_unlock (&self->reader_lock);
}

/**
 * ld_store_query_cases_async:
 *
 * ld_store_query_cases() on a worker thread with its own read-only connection: for search as
 * you type without blocking the window. @query is copied.
 */
void
ld_store_query_cases_async (LdStore             *self,
                            const LdCaseQuery   *query,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  QueryData *q = g_new0 (QueryData, 1);

  g_return_if_fail (LD_IS_STORE (self));

  q->query = *query;
  q->query.user = q->user = g_strdup (query->user);
  q->query.search = q->search = g_strdup (query->search);
  q->query.case_type = q->case_type = g_strdup (query->case_type);
  q->query.stage = q->stage = g_strdup (query->stage);
  q->query.light = q->light = g_strdup (query->light);
  if (query->today != NULL)
    {
      q->today = *query->today;
      q->query.today = &q->today;
    }
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_store_query_cases_async);
  g_task_set_task_data (task, q, query_data_free);
  g_task_run_in_thread (task, query_thread);
}

/**
 * ld_store_query_cases_finish:
 * @total: (out) (optional): the number of cases the query matches
 *
 * Returns: (transfer full): the page of #LdCase, or NULL with an error
 */
GListModel *
ld_store_query_cases_finish (LdStore       *self,
                             GAsyncResult  *result,
                             guint         *total,
                             GError       **error)
{
  QueryData *q;
  GListModel *model;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  model = g_task_propagate_pointer (G_TASK (result), error);
  q = g_task_get_task_data (G_TASK (result));
  if (model != NULL && total != NULL)
    *total = q->total;
  return model;
}

/**
 * ld_store_count_lists:
 * @counts: (out): the number of cases in each #LdCaseList, indexed by it
 *
 * The sidebar's counts for @user (NULL: by status only).
 */
gboolean
ld_store_count_lists (LdStore     *self,
                      const char  *user,
                      guint        counts[6],
                      GError     **error)
{
  for (int l = 0; l <= LD_CASE_LIST_SUSPENDED; l++)
    {
      LdCaseQuery q = { .list = l, .user = user, .limit = 1 };
      g_autoptr(GListModel) page = ld_store_query_cases (self, &q, &counts[l], error);

      if (page == NULL)
        return FALSE;
    }
  return TRUE;
}

/**
 * ld_store_get_case:
 * @today: (nullable): the day the clock is read; NULL: today
 *
 * Returns: (transfer full): the case with this UUID or number
 */
LdCase *
ld_store_get_case (LdStore     *self,
                   const char  *id_or_number,
                   const GDate *today,
                   GError     **error)
{
  GDate t;

  if (today == NULL)
    ld_store_today (&t);
  else
    t = *today;
  return ld_store_load_case (self, id_or_number, &t, error);
}

/**
 * ld_store_list_events:
 *
 * Returns: (transfer full): the case's stage log (#LdCaseEvent), oldest first: the timeline
 */
GListModel *
ld_store_list_events (LdStore     *self,
                      const char  *case_id,
                      GError     **error)
{
  return ld_store_events_of (self, case_id, error);
}

/**
 * ld_store_act:
 * @date: (nullable): the day the action counts for, YYYY-MM-DD; NULL: today
 * @to: (nullable): the new assignee for reassign
 *
 * Applies a workflow action: the case, its stage log and the outbox op are written in ONE
 * transaction. A refused action changes nothing.
 *
 * Returns: (transfer full): the case after the action
 */
LdCase *
ld_store_act (LdStore     *self,
              const char  *id_or_number,
              const char  *login,
              const char  *action,
              const char  *opinion,
              const char  *date,
              const char  *to,
              GError     **error)
{
  g_autoptr(LdUser) user = NULL;
  g_autoptr(LdUser) target = NULL;
  g_autoptr(LdCase) kase = NULL;
  g_autoptr(LdCase) next = NULL;
  g_autoptr(LdCaseEvent) event = NULL;
  g_autoptr(JsonBuilder) ab = json_builder_new ();
  g_autoptr(JsonNode) action_node = NULL;
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  g_autofree char *op_id = g_uuid_string_random ();
  g_autofree char *now = ld_store_now ();
  g_autofree char *at = NULL;
  g_autofree char *day = NULL;
  LdActionRequest req = { 0 };
  LdMatter *matter;
  GDate today;

  g_return_val_if_fail (LD_IS_STORE (self), NULL);

  ld_store_today (&today);
  if (date == NULL)
    day = ld_date_format (&today);
  else
    {
      GDate d;

      if (!ld_date_parse (date, &d, error))
        return NULL;
      day = g_strdup (date);
    }
  /* The event's time: the given day at the current local time of day. */
  at = g_strconcat (day, now + 10, NULL);

  if (!ld_store_begin (self, error))
    return NULL;
  if ((user = ld_store_find_user (self, login, error)) == NULL)
    goto fail;
  if (to != NULL)
    target = ld_store_find_user (self, to, NULL);
  if ((kase = ld_store_load_case (self, id_or_number, &today, error)) == NULL)
    goto fail;
  matter = ld_matter_list_find (self->matters, ld_case_get (kase, LD_CASE_MATTER));
  if (matter == NULL)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_NOT_FOUND,
                   "case %s: matter '%s' is not in the store's matter catalogue",
                   ld_case_get (kase, LD_CASE_NUMBER), ld_case_get (kase, LD_CASE_MATTER));
      goto fail;
    }
  /* The log reads in time order, and suspensions pair up in it: no step before the last one. */
  {
    g_auto(sqlite3_stmt_ptr) last = NULL;

    last = ld_store_prepare (self, "SELECT max(substr(at, 1, 10)) FROM case_events"
                                   " WHERE case_id = ?", error);

    if (last == NULL)
      goto fail;
    ld_store_bind_text (last, 1, ld_case_get (kase, LD_CASE_ID));
    if (sqlite3_step (last) == SQLITE_ROW && sqlite3_column_text (last, 0) != NULL
        && g_strcmp0 (day, (const char *) sqlite3_column_text (last, 0)) < 0)
      {
        g_set_error (error, LD_WORKFLOW_ERROR, LD_WORKFLOW_ERROR_INVALID,
                     "date of %s: %s is before the last step of case %s (%s); use that day or "
                     "a later one", action, day, ld_case_get (kase, LD_CASE_NUMBER),
                     sqlite3_column_text (last, 0));
        goto fail;
      }
  }
  req.action = action;
  req.opinion = opinion;
  req.date = day;
  req.at = at;
  req.to = to;
  req.to_role = target ? ld_user_get (target, LD_USER_ROLE) : NULL;
  req.event_id = op_id;
  next = ld_workflow_apply (kase, matter, login, ld_user_get (user, LD_USER_ROLE), &req, &event,
                            error);
  if (next == NULL)
    goto fail;

  stmt = ld_store_prepare (self, "UPDATE cases SET stage = ?, status = ?, suspend_kind = ?,"
                                 " suspended_on = ?, assignee = ?, accepted_on = ?, closed_on = ?,"
                                 " version = ? WHERE id = ? AND version = ?", error);
  if (stmt == NULL)
    goto fail;
  ld_store_bind_text (stmt, 1, ld_case_get (next, LD_CASE_STAGE));
  ld_store_bind_text (stmt, 2, ld_case_get (next, LD_CASE_STATUS));
  ld_store_bind_text (stmt, 3, ld_case_get (next, LD_CASE_SUSPEND_KIND));
  ld_store_bind_text (stmt, 4, ld_case_get (next, LD_CASE_SUSPENDED_ON));
  ld_store_bind_text (stmt, 5, ld_case_get (next, LD_CASE_ASSIGNEE));
  ld_store_bind_text (stmt, 6, ld_case_get (next, LD_CASE_ACCEPTED_ON));
  ld_store_bind_text (stmt, 7, ld_case_get (next, LD_CASE_CLOSED_ON));
  sqlite3_bind_int64 (stmt, 8, ld_case_get_version (next));
  ld_store_bind_text (stmt, 9, ld_case_get (kase, LD_CASE_ID));
  sqlite3_bind_int64 (stmt, 10, ld_case_get_version (kase));
  if (!ld_store_step_done (self, stmt, error))
    goto fail;
  if (sqlite3_changes (self->db) != 1)
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_SQL,
                   "case %s changed while it was being written; try again",
                   ld_case_get (kase, LD_CASE_NUMBER));
      goto fail;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = ld_store_prepare (self, "INSERT INTO case_events (" EVENT_COLUMNS ")"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto fail;
  for (int i = 0; i < LD_CASE_EVENT_N_FIELDS; i++)
    ld_store_bind_text (stmt, i + 1, ld_case_event_get (event, i));
  sqlite3_bind_int64 (stmt, LD_CASE_EVENT_N_FIELDS + 1, ld_case_event_get_version (event));
  if (!ld_store_step_done (self, stmt, error))
    goto fail;

  if (!ld_store_write_clock (self, next, error))
    goto fail;

  json_builder_begin_object (ab);
  json_builder_set_member_name (ab, "id");
  json_builder_add_string_value (ab, action);
  json_builder_set_member_name (ab, "opinion");
  if (ld_case_event_get (event, LD_CASE_EVENT_OPINION))
    json_builder_add_string_value (ab, ld_case_event_get (event, LD_CASE_EVENT_OPINION));
  else
    json_builder_add_null_value (ab);
  json_builder_set_member_name (ab, "date");
  json_builder_add_string_value (ab, day);
  json_builder_set_member_name (ab, "to");
  if (to)
    json_builder_add_string_value (ab, to);
  else
    json_builder_add_null_value (ab);
  json_builder_end_object (ab);
  action_node = json_builder_get_root (ab);
  if (!ld_store_write_op (self, op_id, "case", ld_case_get (kase, LD_CASE_ID), "action",
                                   ld_case_get_version (kase), NULL, action_node, login, at, error))
    goto fail;
  if (!ld_store_commit (self, error))
    goto fail;

  return ld_store_load_case (self, ld_case_get (kase, LD_CASE_ID), &today, error);

fail:
  ld_store_rollback (self);
  return NULL;
}

/* Hashes @file and copies it into the content-addressed folder (atomically). */
static char *
put_blob (LdStore     *self,
          const char  *file,
          gint64      *size,
          GError     **error)
{
  g_autoptr(GMappedFile) mapped = g_mapped_file_new (file, FALSE, error);
  g_autofree char *sha = NULL;
  g_autofree char *dest = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *tmp = NULL;
  GBytes *bytes;

  if (mapped == NULL)
    return NULL;
  bytes = g_mapped_file_get_bytes (mapped);
  sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  *size = (gint64) g_bytes_get_size (bytes);
  dest = ld_store_dup_blob_path (self, sha);
  dir = g_path_get_dirname (dest);
  if (!g_file_test (dest, G_FILE_TEST_EXISTS))
    {
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_SQL, "cannot create %s: %s", dir,
                       g_strerror (errno));
          g_bytes_unref (bytes);
          return NULL;
        }
      tmp = g_strconcat (dest, ".part", NULL);
      if (!g_file_set_contents (tmp, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                error)
          || g_rename (tmp, dest) != 0)
        {
          g_remove (tmp);
          g_bytes_unref (bytes);
          if (error && *error == NULL)
            g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_SQL, "cannot write %s", dest);
          return NULL;
        }
    }
  g_bytes_unref (bytes);
  return g_steal_pointer (&sha);
}

/**
 * ld_store_dup_blob_path:
 *
 * Returns: where an attachment's content lives: `<store>.blobs/ab/cdef...`
 */
char *
ld_store_dup_blob_path (LdStore    *self,
                        const char *sha256)
{
  g_autofree char *root = g_strconcat (self->path, ".blobs", NULL);
  g_autofree char *prefix = g_strndup (sha256, 2);

  return g_build_filename (root, prefix, sha256 + 2, NULL);
}

/**
 * ld_store_add_attachment:
 *
 * Adds @file to a case. The content goes to the blob folder first (harmless if the transaction
 * then fails); the row and its op are one transaction.
 *
 * Returns: (transfer full): the content's SHA-256 (hex)
 */
char *
ld_store_add_attachment (LdStore     *self,
                         const char  *id_or_number,
                         const char  *login,
                         const char  *file,
                         GError     **error)
{
  g_autoptr(LdUser) user = NULL;
  g_autoptr(LdCase) kase = NULL;
  g_autoptr(JsonBuilder) fb = json_builder_new ();
  g_autoptr(JsonNode) fields = NULL;
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *op_id = g_uuid_string_random ();
  g_autofree char *now = ld_store_now ();
  g_autofree char *name = g_path_get_basename (file);
  g_autofree char *mime = NULL;
  g_autofree char *size_text = NULL;
  gboolean uncertain;
  gint64 size = 0;

  sha = put_blob (self, file, &size, error);
  if (sha == NULL)
    return NULL;
  {
    g_autofree char *ctype = g_content_type_guess (name, NULL, 0, &uncertain);

    mime = g_content_type_get_mime_type (ctype);
  }
  size_text = g_strdup_printf ("%" G_GINT64_FORMAT, size);

  if (!ld_store_begin (self, error))
    return NULL;
  if ((user = ld_store_find_user (self, login, error)) == NULL
      || (kase = ld_store_load_case (self, id_or_number, NULL, error)) == NULL)
    goto fail;
  stmt = ld_store_prepare (self, "INSERT INTO attachments (id, case_id, sha256, name, size, mime,"
                                 " added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto fail;
  ld_store_bind_text (stmt, 1, id);
  ld_store_bind_text (stmt, 2, ld_case_get (kase, LD_CASE_ID));
  ld_store_bind_text (stmt, 3, sha);
  ld_store_bind_text (stmt, 4, name);
  sqlite3_bind_int64 (stmt, 5, size);
  ld_store_bind_text (stmt, 6, mime);
  ld_store_bind_text (stmt, 7, login);
  ld_store_bind_text (stmt, 8, now);
  if (!ld_store_step_done (self, stmt, error))
    goto fail;
  json_builder_begin_object (fb);
  ld_store_add_field (fb, "case_id", NULL, ld_case_get (kase, LD_CASE_ID));
  ld_store_add_field (fb, "sha256", NULL, sha);
  ld_store_add_field (fb, "name", NULL, name);
  ld_store_add_field (fb, "size", NULL, size_text);
  ld_store_add_field (fb, "mime", NULL, mime);
  json_builder_end_object (fb);
  fields = json_builder_get_root (fb);
  if (!ld_store_write_op (self, op_id, "attachment", id, "insert", 0, fields, NULL, login, now,
                          error)
      || !ld_store_commit (self, error))
    goto fail;
  return g_steal_pointer (&sha);

fail:
  ld_store_rollback (self);
  return NULL;
}

/**
 * ld_store_save_opinion:
 *
 * Saves @login's opinion on the case's current stage (the opinion editor): an insert the first
 * time, then updates, each with its op (an update carries the base value).
 */
gboolean
ld_store_save_opinion (LdStore     *self,
                       const char  *id_or_number,
                       const char  *login,
                       const char  *text,
                       GError     **error)
{
  g_autoptr(LdUser) user = NULL;
  g_autoptr(LdCase) kase = NULL;
  g_autoptr(JsonBuilder) fb = json_builder_new ();
  g_autoptr(JsonNode) fields = NULL;
  g_auto(sqlite3_stmt_ptr) stmt = NULL;
  g_autofree char *id = NULL;
  g_autofree char *old_text = NULL;
  g_autofree char *op_id = g_uuid_string_random ();
  g_autofree char *now = ld_store_now ();
  gint64 version = 0;

  if (text == NULL || *text == '\0')
    {
      g_set_error (error, LD_STORE_ERROR, LD_STORE_ERROR_SQL, "an opinion needs some text");
      return FALSE;
    }
  if (!ld_store_begin (self, error))
    return FALSE;
  if ((user = ld_store_find_user (self, login, error)) == NULL
      || (kase = ld_store_load_case (self, id_or_number, NULL, error)) == NULL)
    goto fail;
  stmt = ld_store_prepare (self, "SELECT id, text, version FROM opinions WHERE case_id = ? AND"
                                 " stage = ?"
                                 " AND author = ?", error);
  if (stmt == NULL)
    goto fail;
  ld_store_bind_text (stmt, 1, ld_case_get (kase, LD_CASE_ID));
  ld_store_bind_text (stmt, 2, ld_case_get (kase, LD_CASE_STAGE));
  ld_store_bind_text (stmt, 3, login);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      old_text = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      version = sqlite3_column_int64 (stmt, 2);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  json_builder_begin_object (fb);
  if (id == NULL)
    {
      id = g_uuid_string_random ();
      stmt = ld_store_prepare (self, "INSERT INTO opinions (id, case_id, stage, author, text,"
                                     " updated_at)"
                                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", error);
      ld_store_add_field (fb, "case_id", NULL, ld_case_get (kase, LD_CASE_ID));
      ld_store_add_field (fb, "stage", NULL, ld_case_get (kase, LD_CASE_STAGE));
      ld_store_add_field (fb, "author", NULL, login);
    }
  else
    stmt = ld_store_prepare (self, "UPDATE opinions SET text = ?5, updated_at = ?6, version ="
                                   " version + 1"
                                   " WHERE id = ?1", error);
  ld_store_add_field (fb, "text", old_text, text);
  json_builder_end_object (fb);
  fields = json_builder_get_root (fb);
  if (stmt == NULL)
    goto fail;
  ld_store_bind_text (stmt, 1, id);
  ld_store_bind_text (stmt, 2, ld_case_get (kase, LD_CASE_ID));
  ld_store_bind_text (stmt, 3, ld_case_get (kase, LD_CASE_STAGE));
  ld_store_bind_text (stmt, 4, login);
  ld_store_bind_text (stmt, 5, text);
  ld_store_bind_text (stmt, 6, now);
  if (!ld_store_step_done (self, stmt, error)
      || !ld_store_write_op (self, op_id, "opinion", id, version ? "update" : "insert", version,
                             fields, NULL, login, now, error)
      || !ld_store_commit (self, error))
    goto fail;
  return TRUE;

fail:
  ld_store_rollback (self);
  return FALSE;
}

void
ld_store_add_string (JsonBuilder *b,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

/**
 * ld_store_dup_case_json:
 * @full: add the stage log, red lines, attachments and the stage's own deadline (the case page)
 * @viewer: (nullable): with @full, add the actions this login may take now
 *
 * Returns: (transfer full): the case as JSON, the fields of `cases list --json`
 */
/**
 * ld_store_dup_allowed_actions:
 *
 * Returns: (transfer full): the actions @login may take on @kase now (the case page's buttons)
 */
GStrv
ld_store_dup_allowed_actions (LdStore  *self,
                              LdCase   *kase,
                              const char *login,
                              GError  **error)
{
  g_autoptr(LdUser) user = ld_store_find_user (self, login, error);
  LdMatter *matter = ld_matter_list_find (self->matters, ld_case_get (kase, LD_CASE_MATTER));

  if (user == NULL)
    return NULL;
  if (matter == NULL)
    return g_new0 (char *, 1);
  return ld_workflow_allowed_actions (kase, matter, login, ld_user_get (user, LD_USER_ROLE));
}

/* The current stage's own limit: counted from the day the case entered the stage. */
static void
add_stage_clock (LdStore     *self,
                 JsonBuilder *b,
                 LdCase      *kase,
                 LdMatter    *matter,
                 GListModel  *events)
{
  int stage = matter ? ld_matter_find_stage (matter, ld_case_get (kase, LD_CASE_STAGE)) : -1;
  int limit = stage >= 0 ? ld_matter_get_stage_limit (matter, stage) : -1;
  g_autoptr(GArray) susp = ld_clock_suspensions (events);
  g_autofree char *entered = NULL;
  g_autofree char *deadline = NULL;
  GDate start, end;

  for (guint i = g_list_model_get_n_items (events); entered == NULL && i > 0; i--)
    {
      g_autoptr(LdCaseEvent) e = g_list_model_get_item (events, i - 1);
      const char *at = ld_case_event_get (e, LD_CASE_EVENT_AT);

      if (g_strcmp0 (ld_case_event_get (e, LD_CASE_EVENT_TO_STAGE),
                     ld_case_get (kase, LD_CASE_STAGE)) == 0
          && g_strcmp0 (ld_case_event_get (e, LD_CASE_EVENT_FROM_STAGE),
                        ld_case_event_get (e, LD_CASE_EVENT_TO_STAGE)) != 0 && at != NULL)
        entered = g_strndup (at, 10);
    }
  if (entered == NULL)
    entered = g_strdup (ld_case_get (kase, LD_CASE_ACCEPTED_ON)
                        ? ld_case_get (kase, LD_CASE_ACCEPTED_ON)
                        : ld_case_get (kase, LD_CASE_RECEIVED_ON));
  /* an open suspension counts as ending the day it began, as for the case's deadline */
  for (guint i = 0; i < susp->len; i++)
    if (!g_date_valid (&g_array_index (susp, LdSuspension, i).to))
      g_array_index (susp, LdSuspension, i).to = g_array_index (susp, LdSuspension, i).from;
  if (limit >= 0 && entered != NULL && ld_date_parse (entered, &start, NULL)
      && ld_calendar_workdays_after (self->calendar, &start, limit, (LdSuspension *) susp->data,
                                     susp->len, &end, NULL, NULL))
    deadline = ld_date_format (&end);
  json_builder_set_member_name (b, "stage_limit_workdays");
  if (limit >= 0)
    json_builder_add_int_value (b, limit);
  else
    json_builder_add_null_value (b);
  ld_store_add_string (b, "stage_entered_on", entered);
  ld_store_add_string (b, "stage_deadline", deadline);
}

char *
ld_store_dup_case_json (LdStore    *self,
                        LdCase     *kase,
                        gboolean    full,
                        const char *viewer,
                        GError    **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const LdClock *clock = ld_case_get_clock (kase);
  LdMatter *matter = ld_matter_list_find (self->matters, ld_case_get (kase, LD_CASE_MATTER));
  g_autofree char *deadline = clock->has_deadline ? ld_date_format (&clock->deadline) : NULL;
  int stage = matter ? ld_matter_find_stage (matter, ld_case_get (kase, LD_CASE_STAGE)) : -1;

  json_builder_begin_object (b);
  ld_store_add_string (b, "id", ld_case_get (kase, LD_CASE_ID));
  ld_store_add_string (b, "number", ld_case_get (kase, LD_CASE_NUMBER));
  ld_store_add_string (b, "matter", ld_case_get (kase, LD_CASE_MATTER));
  ld_store_add_string (b, "matter_name", matter ? ld_matter_get_name (matter) : NULL);
  ld_store_add_string (b, "type", ld_case_get_case_type (kase));
  ld_store_add_string (b, "type_name", matter ? ld_matter_get_case_type_name (matter) : NULL);
  ld_store_add_string (b, "title", ld_case_get (kase, LD_CASE_TITLE));
  ld_store_add_string (b, "applicant", ld_case_get (kase, LD_CASE_APPLICANT));
  ld_store_add_string (b, "stage", ld_case_get (kase, LD_CASE_STAGE));
  ld_store_add_string (b, "stage_name",
                       stage >= 0 ? ld_matter_get_stage_name (matter, stage) : NULL);
  ld_store_add_string (b, "status", ld_case_get (kase, LD_CASE_STATUS));
  ld_store_add_string (b, "assignee", ld_case_get (kase, LD_CASE_ASSIGNEE));
  ld_store_add_string (b, "received_on", ld_case_get (kase, LD_CASE_RECEIVED_ON));
  ld_store_add_string (b, "accepted_on", ld_case_get (kase, LD_CASE_ACCEPTED_ON));
  ld_store_add_string (b, "closed_on", ld_case_get (kase, LD_CASE_CLOSED_ON));
  ld_store_add_string (b, "light", ld_light_to_string (clock->light));
  ld_store_add_string (b, "deadline", deadline);
  json_builder_set_member_name (b, "limit_workdays");
  json_builder_add_int_value (b, clock->limit);
  json_builder_set_member_name (b, "remaining_workdays");
  if (clock->has_deadline)
    json_builder_add_int_value (b, clock->remaining);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "suspended");
  json_builder_add_boolean_value (b, clock->paused);
  ld_store_add_string (b, "suspend_kind", ld_case_get (kase, LD_CASE_SUSPEND_KIND));
  ld_store_add_string (b, "suspended_on", ld_case_get (kase, LD_CASE_SUSPENDED_ON));
  /* the special procedure (publicity, hearing, expert review) runs on its own limit */
  if (matter != NULL && g_strcmp0 (ld_case_get (kase, LD_CASE_SUSPEND_KIND), "special") == 0
      && ld_matter_get_special_limit_workdays (matter) >= 0)
    {
      g_autofree char *special = NULL;
      GDate from, end;

      if (ld_date_parse (ld_case_get (kase, LD_CASE_SUSPENDED_ON), &from, NULL)
          && ld_calendar_workdays_after (self->calendar, &from,
                                         ld_matter_get_special_limit_workdays (matter), NULL, 0,
                                         &end, NULL, NULL))
        special = ld_date_format (&end);
      ld_store_add_string (b, "special_deadline", special);
    }
  json_builder_set_member_name (b, "weekends_only");
  json_builder_add_boolean_value (b, clock->weekends_only);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, ld_case_get_version (kase));

  if (full)
    {
      g_autoptr(GListModel) events = NULL;
      g_auto(sqlite3_stmt_ptr) stmt = NULL;

      events = ld_store_events_of (self, ld_case_get (kase, LD_CASE_ID), error);
      if (events == NULL)
        return NULL;
      ld_store_add_string (b, "project_use", ld_case_get (kase, LD_CASE_PROJECT_USE));
      ld_store_add_string (b, "supply_method", ld_case_get (kase, LD_CASE_SUPPLY_METHOD));
      add_stage_clock (self, b, kase, matter, events);
      if (viewer != NULL)
        {
          g_auto(GStrv) actions = ld_store_dup_allowed_actions (self, kase, viewer, error);

          if (actions == NULL)
            return NULL;
          json_builder_set_member_name (b, "actions");
          json_builder_begin_array (b);
          for (guint i = 0; actions[i] != NULL; i++)
            json_builder_add_string_value (b, actions[i]);
          json_builder_end_array (b);
        }
      json_builder_set_member_name (b, "events");
      json_builder_begin_array (b);
      for (guint i = 0; i < g_list_model_get_n_items (events); i++)
        {
          g_autoptr(LdCaseEvent) e = g_list_model_get_item (events, i);

          json_builder_begin_object (b);
          for (int f = 0; f < LD_CASE_EVENT_N_FIELDS; f++)
            if (f != LD_CASE_EVENT_CASE_ID)
              ld_store_add_string (b, ld_case_event_field_name (f), ld_case_event_get (e, f));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);

      /* Areas: planar Gauss-Krüger m² as stored; ha and mu derived (domain.md §6). */
      stmt = ld_store_prepare (self, "SELECT id, parcel_no, name, area_m2 FROM case_redlines"
                                     " WHERE case_id = ? ORDER BY parcel_no", error);
      if (stmt == NULL)
        return NULL;
      ld_store_bind_text (stmt, 1, ld_case_get (kase, LD_CASE_ID));
      json_builder_set_member_name (b, "redlines");
      json_builder_begin_array (b);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          double m2 = sqlite3_column_double (stmt, 3);

          json_builder_begin_object (b);
          ld_store_add_string (b, "id", (const char *) sqlite3_column_text (stmt, 0));
          ld_store_add_string (b, "parcel_no", (const char *) sqlite3_column_text (stmt, 1));
          ld_store_add_string (b, "name", (const char *) sqlite3_column_text (stmt, 2));
          json_builder_set_member_name (b, "area_m2");
          json_builder_add_double_value (b, m2);
          json_builder_set_member_name (b, "area_ha");
          json_builder_add_double_value (b, m2 / 10000.0);
          json_builder_set_member_name (b, "area_mu");
          json_builder_add_double_value (b, m2 * 0.0015);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      g_clear_pointer (&stmt, sqlite3_finalize);

      stmt = ld_store_prepare (self, "SELECT id, sha256, name, size, mime, added_by, added_at"
                                     " FROM attachments WHERE case_id = ?"
                                     " ORDER BY added_at, fid", error);
      if (stmt == NULL)
        return NULL;
      ld_store_bind_text (stmt, 1, ld_case_get (kase, LD_CASE_ID));
      json_builder_set_member_name (b, "attachments");
      json_builder_begin_array (b);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          json_builder_begin_object (b);
          ld_store_add_string (b, "id", (const char *) sqlite3_column_text (stmt, 0));
          ld_store_add_string (b, "sha256", (const char *) sqlite3_column_text (stmt, 1));
          ld_store_add_string (b, "name", (const char *) sqlite3_column_text (stmt, 2));
          json_builder_set_member_name (b, "size");
          json_builder_add_int_value (b, sqlite3_column_int64 (stmt, 3));
          ld_store_add_string (b, "mime", (const char *) sqlite3_column_text (stmt, 4));
          ld_store_add_string (b, "added_by", (const char *) sqlite3_column_text (stmt, 5));
          ld_store_add_string (b, "added_at", (const char *) sqlite3_column_text (stmt, 6));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, TRUE);
}

/**
 * ld_store_dup_outbox_json:
 *
 * Returns: (transfer full): the pending ops, oldest first, as a JSON array
 */
char *
ld_store_dup_outbox_json (LdStore  *self,
                          GError  **error)
{
  g_auto(sqlite3_stmt_ptr) stmt = ld_store_prepare (self, "SELECT op FROM outbox WHERE state ="
                                                          " 'pending'"
                                                             " ORDER BY seq", error);
  GString *out = g_string_new ("[");

  if (stmt == NULL)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  for (int i = 0; sqlite3_step (stmt) == SQLITE_ROW; i++)
    g_string_append_printf (out, "%s\n%s", i ? "," : "", sqlite3_column_text (stmt, 0));
  g_string_append (out, "\n]\n");
  return g_string_free (out, FALSE);
}

gint64
ld_store_count_outbox (LdStore *self)
{
  g_auto(sqlite3_stmt_ptr) stmt = ld_store_prepare (self, "SELECT count(*) FROM outbox", NULL);

  return stmt && sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : -1;
}
