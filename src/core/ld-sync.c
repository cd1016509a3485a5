/* ld-sync.c: the sync client
 *
 * One run: upload the blobs pending ops reference (HEAD, then PUT from the server's offset
 * with Content-Range), push the outbox in batches, pull the change feed from the stored cursor
 * page by page, then fetch the blobs of pulled attachments. Every step can be killed at any
 * point and run again: ops are idempotent on the server (op ids), the outbox forgets an op only
 * when the server acknowledged it, a pulled page and its cursor are one transaction, a blob
 * upload resumes where the server's partial file ends and a download lands by atomic rename
 * after its hash was checked.
 *
 * Network errors and 5xx answers are retried with exponential backoff and jitter; a 401 logs in
 * again once when the password is known.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "ld-sync.h"

struct _LdSync
{
  GObject            parent_instance;

  char              *server_url;   /* ends with '/' */
  char              *login;
  char              *password;
  char              *token;
  GMutex             lock;         /* token, login, password */
  guint              max_retries;
  guint              base_ms;
  guint              push_batch;
  guint              pull_page;
  gsize              blob_chunk;
  LdSyncRequestHook  hook;
  gpointer           hook_data;
  guint              n_requests;
  gint               busy;
  gboolean           online;
  GNetworkMonitor   *monitor;

  /* The events WebSocket (main thread): "a new sequence exists" */
  SoupSession             *events_session;
  SoupWebsocketConnection *events;
  GCancellable            *events_cancellable;
  guint                    events_retry;
  guint                    events_attempt;
  gboolean                 watching;
};

typedef struct
{
  LdSync       *self;
  SoupSession  *session;
  GCancellable *cancellable;
  gboolean      relogged;
} Run;

G_DEFINE_FINAL_TYPE (LdSync, ld_sync, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-sync-error-quark, ld_sync_error)

enum
{
  PROP_0,
  PROP_ONLINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  NEW_CHANGES,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- helpers ---------------------------------------------------------------------------- */

static gboolean
sleep_ms (guint         ms,
          GCancellable *cancellable)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;
      g_usleep (MIN (10000, MAX (until - g_get_monotonic_time (), 0)));
    }
  return TRUE;
}

static JsonNode *
parse_json (GBytes  *bytes,
            GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &len) : NULL;

  if (data == NULL || !json_parser_load_from_data (parser, data, (gssize) len, error))
    {
      if (error && *error == NULL)
        g_set_error (error, LD_SYNC_ERROR, LD_SYNC_ERROR_PROTOCOL, "the server sent no JSON");
      return NULL;
    }
  return json_parser_steal_root (parser);
}

/* The server's own words for an error answer, or the HTTP reason. */
static char *
server_message (GBytes *bytes,
                guint   status)
{
  g_autoptr(JsonNode) root = bytes ? parse_json (bytes, NULL) : NULL;

  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root)
      && json_object_has_member (json_node_get_object (root), "message"))
    return g_strdup (json_object_get_string_member (json_node_get_object (root), "message"));
  return g_strdup_printf ("HTTP %u %s", status, soup_status_get_phrase (status));
}

static gboolean login_run (Run *run, GError **error);

/*
 * One HTTP exchange, retried on network errors and 5xx answers. Returns the body (maybe
 * empty) and the status; NULL with @error when the server could not be reached.
 */
static GBytes *
request (Run                 *run,
         const char          *method,
         const char          *path,
         GBytes              *body,
         const char          *content_range,
         guint               *status,
         SoupMessageHeaders **headers_out,
         GError             **error)
{
  LdSync *self = run->self;
  g_autofree char *url = g_strconcat (self->server_url, path, NULL);

  for (guint attempt = 0;; attempt++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new (method, url);
      g_autoptr(GError) local = NULL;
      g_autoptr(GBytes) answer = NULL;
      guint n;

      if (msg == NULL)
        {
          g_set_error (error, LD_SYNC_ERROR, LD_SYNC_ERROR_PROTOCOL,
                       "server address %s is not a valid http:// or https:// URL",
                       self->server_url);
          return NULL;
        }
      g_mutex_lock (&self->lock);
      if (self->token != NULL)
        {
          g_autofree char *auth = g_strconcat ("Bearer ", self->token, NULL);

          soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                        auth);
        }
      g_mutex_unlock (&self->lock);
      if (content_range != NULL)
        soup_message_headers_replace (soup_message_get_request_headers (msg), "Content-Range",
                                      content_range);
      if (body != NULL)
        soup_message_set_request_body_from_bytes (msg, content_range || g_str_has_prefix (path,
                                                  "api/v1/blobs/") ? "application/octet-stream"
                                                  : "application/json", body);
      answer = soup_session_send_and_read (run->session, msg, run->cancellable, &local);
      n = g_atomic_int_add (&self->n_requests, 1) + 1;
      if (answer == NULL)
        {
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return NULL;
            }
          if (self->hook)
            self->hook (method, path, 0, n, self->hook_data);
          if (attempt < self->max_retries
              && sleep_ms (ld_sync_backoff_ms (attempt, self->base_ms, 30000,
                                               g_random_double ()), run->cancellable))
            continue;
          g_set_error (error, LD_SYNC_ERROR, LD_SYNC_ERROR_NETWORK,
                       "cannot reach the server %s: %s (tried %u times); your edits stay in the"
                       " outbox and are sent at the next sync", self->server_url, local->message,
                       attempt + 1);
          return NULL;
        }
      *status = soup_message_get_status (msg);
      if (self->hook)
        self->hook (method, path, *status, n, self->hook_data);
      if (*status == SOUP_STATUS_UNAUTHORIZED && !run->relogged && self->password != NULL
          && !g_str_equal (path, "api/v1/login"))
        {
          run->relogged = TRUE;
          if (!login_run (run, error))
            return NULL;
          attempt--;
          continue;
        }
      if (*status >= 500 && *status != SOUP_STATUS_INSUFFICIENT_STORAGE
          && attempt < self->max_retries)
        {
          if (!sleep_ms (ld_sync_backoff_ms (attempt, self->base_ms, 30000, g_random_double ()),
                         run->cancellable))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "sync cancelled");
              return NULL;
            }
          continue;
        }
      if (headers_out != NULL)
        *headers_out = soup_message_headers_ref (soup_message_get_response_headers (msg));
      return g_steal_pointer (&answer);
    }
}

static gboolean
check_status (LdSync      *self,
              const char  *what,
              GBytes      *body,
              guint        status,
              GError     **error)
{
  g_autofree char *message = NULL;

  if (status >= 200 && status < 300)
    return TRUE;
  message = server_message (body, status);
  if (status == SOUP_STATUS_UNAUTHORIZED)
    g_set_error (error, LD_SYNC_ERROR, LD_SYNC_ERROR_AUTH,
                 "%s: the server %s asks to log in again: %s", what, self->server_url, message);
  else
    g_set_error (error, LD_SYNC_ERROR, LD_SYNC_ERROR_SERVER, "%s: the server %s answered: %s",
                 what, self->server_url, message);
  return FALSE;
}

static gboolean
login_run (Run     *run,
           GError **error)
{
  LdSync *self = run->self;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autofree char *text = NULL;
  const char *token;
  guint status = 0;

  if (self->login == NULL || self->password == NULL)
    {
      g_set_error (error, LD_SYNC_ERROR, LD_SYNC_ERROR_AUTH,
                   "log in to %s first: no user and password are known", self->server_url);
      return FALSE;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "login");
  json_builder_add_string_value (b, self->login);
  json_builder_set_member_name (b, "password");
  json_builder_add_string_value (b, self->password);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  body = g_bytes_new (text, strlen (text));
  reply = request (run, "POST", "api/v1/login", body, NULL, &status, NULL, error);
  if (reply == NULL)
    return FALSE;
  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN
      || status == 429)
    {
      g_autofree char *message = server_message (reply, status);

      g_set_error (error, LD_SYNC_ERROR, LD_SYNC_ERROR_AUTH, "%s refused the login of %s: %s",
                   self->server_url, self->login, message);
      return FALSE;
    }
  if (!check_status (self, "login", reply, status, error))
    return FALSE;
  answer = parse_json (reply, error);
  if (answer == NULL)
    return FALSE;
  token = JSON_NODE_HOLDS_OBJECT (answer)
          ? json_object_get_string_member_with_default (json_node_get_object (answer), "token",
                                                        NULL) : NULL;
  if (token == NULL)
    {
      g_set_error (error, LD_SYNC_ERROR, LD_SYNC_ERROR_PROTOCOL,
                   "the login answer of %s has no token", self->server_url);
      return FALSE;
    }
  g_mutex_lock (&self->lock);
  g_free (self->token);
  self->token = g_strdup (token);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static gboolean
upload_blob (Run         *run,
             LdStore     *store,
             const char  *sha,
             GError     **error)
{
  g_autofree char *file = ld_store_dup_blob_path (store, sha);
  g_autofree char *path = g_strconcat ("api/v1/blobs/", sha, NULL);
  g_autoptr(SoupMessageHeaders) headers = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  const char *offset_text;
  gint64 offset = 0, total;
  guint status = 0;

  if (!g_file_test (file, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, LD_SYNC_ERROR, LD_SYNC_ERROR_BLOB,
                   "attachment %s: its content %s is missing from this computer", sha, file);
      return FALSE;
    }
  reply = request (run, "HEAD", path, NULL, NULL, &status, &headers, error);
  if (reply == NULL)
    return FALSE;
  if (status == SOUP_STATUS_OK)
    return TRUE;   /* already there */
  if (status != SOUP_STATUS_NOT_FOUND)
    return check_status (run->self, "checking an attachment", reply, status, error);
  offset_text = soup_message_headers_get_one (headers, "Upload-Offset");
  offset = offset_text ? g_ascii_strtoll (offset_text, NULL, 10) : 0;

  mapped = g_mapped_file_new (file, FALSE, error);
  if (mapped == NULL)
    return FALSE;
  total = (gint64) g_mapped_file_get_length (mapped);
  if (offset < 0 || offset > total)
    offset = 0;
  for (;;)
    {
      g_autoptr(GBytes) piece = NULL;
      g_autoptr(GBytes) answer = NULL;
      g_autoptr(SoupMessageHeaders) h = NULL;
      g_autofree char *range = NULL;
      gint64 len = MIN ((gint64) run->self->blob_chunk, total - offset);

      if (total == 0)
        piece = g_bytes_new (NULL, 0);
      else
        {
          piece = g_bytes_new (g_mapped_file_get_contents (mapped) + offset, (gsize) len);
          range = g_strdup_printf ("bytes %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "/%"
                                   G_GINT64_FORMAT, offset, offset + len - 1, total);
        }
      answer = request (run, "PUT", path, piece, range, &status, &h, error);
      if (answer == NULL)
        return FALSE;
      if (status == SOUP_STATUS_CONFLICT && soup_message_headers_get_one (h, "Upload-Offset"))
        {
          /* The server holds another amount (a piece lost in a crash): resume from there. */
          offset = g_ascii_strtoll (soup_message_headers_get_one (h, "Upload-Offset"), NULL, 10);
          if (offset < 0 || offset > total)
            offset = 0;
          continue;
        }
      if (!check_status (run->self, "uploading an attachment", answer, status, error))
        return FALSE;
      offset += len;
      if (offset >= total)
        return TRUE;
    }
}

static gboolean
download_blob (Run         *run,
               LdStore     *store,
               const char  *sha,
               GError     **error)
{
  g_autofree char *file = ld_store_dup_blob_path (store, sha);
  g_autofree char *dir = g_path_get_dirname (file);
  g_autofree char *part = g_strconcat (file, ".part", NULL);
  g_autofree char *path = g_strconcat ("api/v1/blobs/", sha, NULL);
  g_autofree char *got = NULL;
  g_autoptr(GBytes) reply = NULL;
  guint status = 0;

  reply = request (run, "GET", path, NULL, NULL, &status, NULL, error);
  if (reply == NULL)
    return FALSE;
  if (status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_FORBIDDEN)
    return TRUE;   /* not uploaded yet, or not ours to see: tried again next time */
  if (!check_status (run->self, "downloading an attachment", reply, status, error))
    return FALSE;
  got = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, reply);
  if (!g_str_equal (got, sha))
    {
      g_set_error (error, LD_SYNC_ERROR, LD_SYNC_ERROR_BLOB,
                   "attachment %s arrived damaged (its SHA-256 is %s); it is fetched again at"
                   " the next sync", sha, got);
      return FALSE;
    }
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, LD_SYNC_ERROR, LD_SYNC_ERROR_BLOB, "cannot create %s: %s", dir,
                   g_strerror (errno));
      return FALSE;
    }
  if (!g_file_set_contents (part, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                            error))
    return FALSE;
  if (g_rename (part, file) != 0)
    {
      g_set_error (error, LD_SYNC_ERROR, LD_SYNC_ERROR_BLOB, "cannot write %s: %s", file,
                   g_strerror (errno));
      g_remove (part);
      return FALSE;
    }
  return TRUE;
}

static gboolean
push (Run           *run,
      LdStore       *store,
      LdSyncCounts  *counts,
      GError       **error)
{
  g_autoptr(GPtrArray) blobs = ld_store_sync_blobs_to_upload (store, error);
  gint64 after = 0;

  if (blobs == NULL)
    return FALSE;
  for (guint i = 0; i < blobs->len; i++)
    {
      g_autoptr(GError) local = NULL;

      if (upload_blob (run, store, blobs->pdata[i], &local))
        counts->uploaded++;
      else if (g_error_matches (local, LD_SYNC_ERROR, LD_SYNC_ERROR_BLOB))
        g_warning ("sync: %s", local->message);   /* its op stays pending, and says why */
      else
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
    }

  for (;;)
    {
      g_autoptr(GBytes) body = NULL;
      g_autoptr(GBytes) reply = NULL;
      g_autoptr(JsonNode) root = NULL;
      JsonNode *results;
      GString *text;
      guint n = 0, status = 0;
      gint64 last = 0;

      text = ld_store_sync_batch (store, after, run->self->push_batch, &n, &last, error);
      if (text == NULL)
        return FALSE;
      if (n == 0)
        {
          g_string_free (text, TRUE);
          return TRUE;
        }
      body = g_string_free_to_bytes (text);
      reply = request (run, "POST", "api/v1/ops", body, NULL, &status, NULL, error);
      if (reply == NULL || !check_status (run->self, "sending edits", reply, status, error))
        return FALSE;
      root = parse_json (reply, error);
      if (root == NULL)
        return FALSE;
      results = JSON_NODE_HOLDS_OBJECT (root)
                ? json_object_get_member (json_node_get_object (root), "results") : NULL;
      if (results == NULL || !JSON_NODE_HOLDS_ARRAY (results))
        {
          g_set_error (error, LD_SYNC_ERROR, LD_SYNC_ERROR_PROTOCOL,
                       "the answer of %sapi/v1/ops has no results", run->self->server_url);
          return FALSE;
        }
      counts->pushed += n;
      if (!ld_store_sync_ack (store, json_node_get_array (results), counts, error))
        return FALSE;
      after = last;
    }
}

static gboolean
pull (Run           *run,
      LdStore       *store,
      LdSyncCounts  *counts,
      GError       **error)
{
  gint64 cursor = ld_store_sync_get_cursor (store);

  for (;;)
    {
      g_autofree char *path = g_strdup_printf ("api/v1/changes?since=%" G_GINT64_FORMAT
                                               "&limit=%u", cursor, run->self->pull_page);
      g_autoptr(GBytes) reply = NULL;
      g_autoptr(JsonNode) root = NULL;
      JsonObject *obj;
      JsonNode *changes;
      gint64 next;
      guint status = 0;

      reply = request (run, "GET", path, NULL, NULL, &status, NULL, error);
      if (reply == NULL || !check_status (run->self, "fetching changes", reply, status, error))
        return FALSE;
      root = parse_json (reply, error);
      if (root == NULL)
        return FALSE;
      obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
      changes = obj ? json_object_get_member (obj, "changes") : NULL;
      if (changes == NULL || !JSON_NODE_HOLDS_ARRAY (changes) || !json_object_has_member (obj, "next"))
        {
          g_set_error (error, LD_SYNC_ERROR, LD_SYNC_ERROR_PROTOCOL,
                       "the answer of %s%s has no changes or next cursor",
                       run->self->server_url, path);
          return FALSE;
        }
      next = json_object_get_int_member (obj, "next");
      if (next < cursor)
        {
          g_set_error (error, LD_SYNC_ERROR, LD_SYNC_ERROR_PROTOCOL,
                       "the server's cursor went back from %" G_GINT64_FORMAT " to %"
                       G_GINT64_FORMAT "; was the server restored from a backup?", cursor, next);
          return FALSE;
        }
      if (!ld_store_sync_apply_changes (store, json_node_get_array (changes), next, counts,
                                        error))
        return FALSE;
      cursor = next;
      if (!json_object_get_boolean_member_with_default (obj, "more", FALSE))
        return TRUE;
    }
}

static gboolean
fetch_blobs (Run           *run,
             LdStore       *store,
             LdSyncCounts  *counts,
             GError       **error)
{
  g_autoptr(GPtrArray) missing = ld_store_sync_missing_blobs (store, error);

  if (missing == NULL)
    return FALSE;
  for (guint i = 0; i < missing->len; i++)
    {
      g_autofree char *file = ld_store_dup_blob_path (store, missing->pdata[i]);

      if (!download_blob (run, store, missing->pdata[i], error))
        return FALSE;
      if (g_file_test (file, G_FILE_TEST_EXISTS))
        counts->downloaded++;
    }
  return TRUE;
}

static void events_connect (LdSync *self);

static gboolean
events_retry_cb (gpointer user_data)
{
  LdSync *self = user_data;

  self->events_retry = 0;
  events_connect (self);
  return G_SOURCE_REMOVE;
}

static void
events_schedule_retry (LdSync *self)
{
  guint delay;

  if (!self->watching || self->events_retry != 0)
    return;
  delay = ld_sync_backoff_ms (self->events_attempt++, 1000, 60000, g_random_double ());
  self->events_retry = g_timeout_add (delay, events_retry_cb, self);
}

static void
events_message_cb (SoupWebsocketConnection *conn,
                   gint                     type,
                   GBytes                  *message,
                   LdSync                  *self)
{
  g_autoptr(JsonNode) root = parse_json (message, NULL);

  self->events_attempt = 0;
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root)
      && json_object_has_member (json_node_get_object (root), "seq"))
    g_signal_emit (self, signals[NEW_CHANGES], 0,
                   json_object_get_int_member (json_node_get_object (root), "seq"));
}

static void
events_closed_cb (SoupWebsocketConnection *conn,
                  LdSync                  *self)
{
  g_signal_handlers_disconnect_by_data (conn, self);
  g_clear_object (&self->events);
  events_schedule_retry (self);
}

static void
events_connected_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(LdSync) self = user_data;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *conn;

  conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (conn == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        events_schedule_retry (self);
      return;
    }
  self->events = conn;
  g_signal_connect (conn, "message", G_CALLBACK (events_message_cb), self);
  g_signal_connect (conn, "closed", G_CALLBACK (events_closed_cb), self);
}

static void
events_connect (LdSync *self)
{
  g_autofree char *url = g_strconcat (self->server_url, "api/v1/events", NULL);
  g_autofree char *token = ld_sync_dup_token (self);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);

  if (!self->watching || self->events != NULL || msg == NULL)
    return;
  if (token == NULL || !self->online)
    {
      events_schedule_retry (self);
      return;
    }
  {
    g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);

    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  }
  if (self->events_session == NULL)
    self->events_session = soup_session_new ();
  soup_session_websocket_connect_async (self->events_session, msg, NULL, NULL,
                                        G_PRIORITY_DEFAULT, self->events_cancellable,
                                        events_connected_cb, g_object_ref (self));
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    LdSync          *self)
{
  if (self->online == available)
    return;
  self->online = available;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);
  if (available && self->watching && self->events == NULL)
    {
      self->events_attempt = 0;
      g_clear_handle_id (&self->events_retry, g_source_remove);
      events_connect (self);
    }
}

/* ---- GObject ---------------------------------------------------------------------------- */

static void
ld_sync_finalize (GObject *object)
{
  LdSync *self = LD_SYNC (object);

  ld_sync_unwatch (self);
  g_clear_object (&self->events_session);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  g_free (self->server_url);
  g_free (self->login);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  g_free (self->token);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ld_sync_parent_class)->finalize (object);
}

static void
ld_sync_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  LdSync *self = LD_SYNC (object);

  switch (prop_id)
    {
    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_sync_class_init (LdSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ld_sync_finalize;
  object_class->get_property = ld_sync_get_property;

  properties[PROP_ONLINE] = g_param_spec_boolean ("online", NULL, NULL, TRUE,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS
                                                  | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LdSync::new-changes:
   * @seq: the server's newest sequence
   *
   * The server announced (WebSocket /api/v1/events) that its change feed reached @seq: pull.
   * Emitted in the main context while ld_sync_watch() is on.
   */
  signals[NEW_CHANGES] = g_signal_new ("new-changes", G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                       G_TYPE_INT64);
}

static void
ld_sync_init (LdSync *self)
{
  g_mutex_init (&self->lock);
  self->max_retries = 4;
  self->base_ms = 250;
  self->push_batch = 1000;
  self->pull_page = 5000;
  self->blob_chunk = 4 * 1024 * 1024;
  self->online = TRUE;
}

/* ---- public API ------------------------------------------------------------------------- */

/**
 * ld_sync_new:
 * @server_url: e.g. "http://127.0.0.1:8470"
 */
LdSync *
ld_sync_new (const char *server_url)
{
  LdSync *self = g_object_new (LD_TYPE_SYNC, NULL);

  self->server_url = g_str_has_suffix (server_url, "/") ? g_strdup (server_url)
                                                        : g_strconcat (server_url, "/", NULL);
  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->online = g_network_monitor_get_network_available (self->monitor);
  g_signal_connect (self->monitor, "network-changed", G_CALLBACK (network_changed_cb), self);
  return self;
}

const char *
ld_sync_get_server_url (LdSync *self)
{
  return self->server_url;
}

void
ld_sync_set_credentials (LdSync     *self,
                         const char *login,
                         const char *password)
{
  g_mutex_lock (&self->lock);
  g_free (self->login);
  self->login = g_strdup (login);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  self->password = g_strdup (password);
  g_mutex_unlock (&self->lock);
}

const char *
ld_sync_get_login (LdSync *self)
{
  return self->login;
}

void
ld_sync_set_token (LdSync     *self,
                   const char *token)
{
  g_mutex_lock (&self->lock);
  g_free (self->token);
  self->token = g_strdup (token);
  g_mutex_unlock (&self->lock);
}

char *
ld_sync_dup_token (LdSync *self)
{
  char *token;

  g_mutex_lock (&self->lock);
  token = g_strdup (self->token);
  g_mutex_unlock (&self->lock);
  return token;
}

/* @max_retries: retries of one request after a network error or a 5xx answer (0: none) */
void
ld_sync_set_retries (LdSync *self,
                     guint   max_retries,
                     guint   base_ms)
{
  self->max_retries = max_retries;
  self->base_ms = base_ms;
}

/* 0 keeps a size as it is: push_batch ops a request (<= 5000), pull_page changes a request
 * (<= 10000), blob_chunk bytes a PUT. */
void
ld_sync_set_page_sizes (LdSync *self,
                        guint   push_batch,
                        guint   pull_page,
                        gsize   blob_chunk)
{
  if (push_batch > 0)
    self->push_batch = MIN (push_batch, 5000);
  if (pull_page > 0)
    self->pull_page = MIN (pull_page, 10000);
  if (blob_chunk > 0)
    self->blob_chunk = blob_chunk;
}

void
ld_sync_set_request_hook (LdSync            *self,
                          LdSyncRequestHook  hook,
                          gpointer           user_data)
{
  self->hook = hook;
  self->hook_data = user_data;
}

gboolean
ld_sync_get_online (LdSync *self)
{
  return self->online;
}

gboolean
ld_sync_get_busy (LdSync *self)
{
  return g_atomic_int_get (&self->busy) != 0;
}

/**
 * ld_sync_backoff_ms:
 * @attempt: 0 for the first retry
 * @jitter: a random number in [0, 1)
 *
 * Returns: the wait before retry @attempt: @base_ms doubled each attempt, capped at @max_ms,
 *   then scaled by 0.5-1.5 so that many clients do not retry in step
 */
guint
ld_sync_backoff_ms (guint  attempt,
                    guint  base_ms,
                    guint  max_ms,
                    double jitter)
{
  double delay = base_ms;

  for (guint i = 0; i < attempt && delay < max_ms; i++)
    delay *= 2;
  delay = MIN (delay, (double) max_ms);
  return (guint) (delay * (0.5 + CLAMP (jitter, 0.0, 1.0)));
}

gboolean
ld_sync_login (LdSync        *self,
               GCancellable  *cancellable,
               GError       **error)
{
  Run run = { self, soup_session_new (), cancellable, TRUE };
  gboolean ok;

  soup_session_set_timeout (run.session, 60);
  ok = login_run (&run, error);
  g_object_unref (run.session);
  return ok;
}

typedef enum
{
  STEP_PUSH = 1 << 0,
  STEP_PULL = 1 << 1,
} Steps;

static gboolean
run_steps (LdSync        *self,
           LdStore       *store,
           Steps          steps,
           LdSyncCounts  *counts,
           GCancellable  *cancellable,
           GError       **error)
{
  Run run = { self, NULL, cancellable, FALSE };
  g_autoptr(GError) local = NULL;
  gboolean ok;

  memset (counts, 0, sizeof *counts);
  if (!g_atomic_int_compare_and_exchange (&self->busy, 0, 1))
    {
      g_set_error (error, LD_SYNC_ERROR, LD_SYNC_ERROR_NETWORK, "a sync is already running");
      return FALSE;
    }
  run.session = soup_session_new ();
  soup_session_set_timeout (run.session, 120);
  ok = (self->token != NULL || login_run (&run, &local))
       && (!(steps & STEP_PUSH) || push (&run, store, counts, &local))
       && (!(steps & STEP_PULL) || (pull (&run, store, counts, &local)
                                    && fetch_blobs (&run, store, counts, &local)));
  if (ok && steps == (STEP_PUSH | STEP_PULL))
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *text = g_date_time_format_iso8601 (now);

      ld_store_sync_set_state (store, "last_sync", text, NULL);
      ld_store_sync_set_state (store, "last_error", NULL, NULL);
    }
  else if (!ok)
    ld_store_sync_set_state (store, "last_error", local->message, NULL);
  g_object_unref (run.session);
  g_atomic_int_set (&self->busy, 0);
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local));
  return ok;
}

/**
 * ld_sync_run:
 * @counts: (out caller-allocates): what the run did
 *
 * One sync, blocking: blobs up, outbox pushed, changes pulled, blobs down. The time of the last
 * success and the last error are kept in the store's sync_state (last_sync, last_error).
 */
gboolean
ld_sync_run (LdSync        *self,
             LdStore       *store,
             LdSyncCounts  *counts,
             GCancellable  *cancellable,
             GError       **error)
{
  return run_steps (self, store, STEP_PUSH | STEP_PULL, counts, cancellable, error);
}

/* Only the first half of a sync: blobs up, outbox pushed. */
gboolean
ld_sync_push (LdSync        *self,
              LdStore       *store,
              LdSyncCounts  *counts,
              GCancellable  *cancellable,
              GError       **error)
{
  return run_steps (self, store, STEP_PUSH, counts, cancellable, error);
}

/* Only the second half of a sync: changes pulled, blobs down. */
gboolean
ld_sync_pull (LdSync        *self,
              LdStore       *store,
              LdSyncCounts  *counts,
              GCancellable  *cancellable,
              GError       **error)
{
  return run_steps (self, store, STEP_PULL, counts, cancellable, error);
}

static void
run_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  LdSync *self = source;
  g_autoptr(LdStore) store = NULL;
  g_autoptr(GError) error = NULL;
  LdSyncCounts *counts = g_new0 (LdSyncCounts, 1);

  store = ld_store_open (task_data, &error);
  if (store == NULL || !ld_sync_run (self, store, counts, cancellable, &error))
    {
      g_free (counts);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, counts, g_free);
}

/**
 * ld_sync_run_async:
 * @store_path: the store to sync; the run opens its own connection in a worker thread
 */
void
ld_sync_run_async (LdSync              *self,
                   const char          *store_path,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ld_sync_run_async);
  g_task_set_task_data (task, g_strdup (store_path), g_free);
  g_task_run_in_thread (task, run_thread);
}

gboolean
ld_sync_run_finish (LdSync        *self,
                    GAsyncResult  *result,
                    LdSyncCounts  *counts,
                    GError       **error)
{
  g_autofree LdSyncCounts *got = g_task_propagate_pointer (G_TASK (result), error);

  if (got == NULL)
    return FALSE;
  if (counts != NULL)
    *counts = *got;
  return TRUE;
}

/**
 * ld_sync_watch:
 *
 * Listens to the server's WebSocket /api/v1/events (with the current token) and emits
 * LdSync::new-changes when its feed grows; reconnects with backoff when the connection drops
 * or the network returns. Main thread only.
 */
void
ld_sync_watch (LdSync *self)
{
  g_return_if_fail (LD_IS_SYNC (self));

  if (self->watching)
    return;
  self->watching = TRUE;
  self->events_attempt = 0;
  g_clear_object (&self->events_cancellable);
  self->events_cancellable = g_cancellable_new ();
  events_connect (self);
}

void
ld_sync_unwatch (LdSync *self)
{
  self->watching = FALSE;
  g_clear_handle_id (&self->events_retry, g_source_remove);
  if (self->events_cancellable != NULL)
    g_cancellable_cancel (self->events_cancellable);
  g_clear_object (&self->events_cancellable);
  if (self->events != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->events, self);
      if (soup_websocket_connection_get_state (self->events) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->events, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->events);
    }
}
