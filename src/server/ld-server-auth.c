/* ld-server-auth.c: users, roles, passwords (argon2id), bearer tokens, POST /api/v1/login
 *
 * Passwords are hashed with libsodium's crypto_pwhash_str (argon2id, interactive limits) and
 * verified off the main loop. A token is 32 random bytes shown once to the client; the store
 * keeps only its SHA-256. Failed logins are counted per login name and per peer address: each
 * further attempt waits longer, and after too many the route answers 429 for a while.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sodium.h>

#include "ld-server-log.h"
#include "ld-server-private.h"

typedef struct
{
  guint  count;
  gint64 last;      /* monotonic µs */
} LoginFailures;

typedef struct
{
  LdServerUser *user;
  gint64        until;     /* monotonic µs */
} CachedSession;

typedef struct
{
  LdServer          *server;
  SoupServerMessage *msg;
  char              *login;
  char              *password;
  char              *hash;
  char              *peer;
  LdServerUser      *user;      /* NULL when the login is unknown */
  gboolean           ok;
} LoginJob;

#define FAILURE_WINDOW_US   (G_GINT64_CONSTANT (15) * 60 * G_USEC_PER_SEC)
#define FAILURE_LOCKOUT     20
#define FAILURE_STEP_MS     250
#define FAILURE_MAX_DELAY   4000
#define SESSION_CACHE_US    (10 * G_USEC_PER_SEC)
#define SESSION_CACHE_MAX   4096

/* Which stages' cases each role acts on (and so sees without being the assignee). */
static const struct
{
  const char *role;
  gboolean    sees_all;
  const char *stages[5];
} roles[] = {
  { "reviewer",     FALSE, { "intake", "accept", "examine", "close", NULL } },
  { "section-head", FALSE, { "check", NULL } },
  { "leader",       FALSE, { "approve", NULL } },
  { "field-staff",  FALSE, { NULL } },
  { "gis-officer",  TRUE,  { NULL } },
  { "admin",        TRUE,  { NULL } },
};

static char *dummy_hash;   /* set once (g_once), read by every worker */

static void
cached_session_free (CachedSession *cs)
{
  ld_server_user_free (cs->user);
  g_free (cs);
}

static void
login_job_free (LoginJob *job)
{
  g_object_unref (job->server);
  g_object_unref (job->msg);
  g_free (job->login);
  if (job->password != NULL)
    sodium_memzero (job->password, strlen (job->password));
  g_free (job->password);
  g_free (job->hash);
  g_free (job->peer);
  ld_server_user_free (job->user);
  g_free (job);
}

static char *
sha256_hex (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

static LoginFailures *
failures_for (LdServer   *self,
              const char *key)
{
  LoginFailures *f = g_hash_table_lookup (self->shared->failures, key);

  if (f != NULL && g_get_monotonic_time () - f->last > FAILURE_WINDOW_US)
    {
      g_hash_table_remove (self->shared->failures, key);
      f = NULL;
    }
  return f;
}

static guint
failure_count (LdServer   *self,
               const char *login,
               const char *peer)
{
  g_autofree char *lk = g_strconcat ("login:", login, NULL);
  g_autofree char *pk = g_strconcat ("peer:", peer, NULL);
  LoginFailures *lf, *pf;
  guint n;

  g_mutex_lock (&self->shared->lock);
  lf = failures_for (self, lk);
  pf = failures_for (self, pk);
  n = MAX (lf ? lf->count : 0, pf ? pf->count : 0);
  g_mutex_unlock (&self->shared->lock);
  return n;
}

static void
count_failure (LdServer   *self,
               const char *key)
{
  LoginFailures *f;

  g_mutex_lock (&self->shared->lock);
  f = failures_for (self, key);
  if (f == NULL)
    {
      f = g_new0 (LoginFailures, 1);
      g_hash_table_insert (self->shared->failures, g_strdup (key), f);
    }
  f->count++;
  f->last = g_get_monotonic_time ();
  g_mutex_unlock (&self->shared->lock);
}

static void
verify_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  LoginJob *job = task_data;
  const char *hash = job->hash ? job->hash : dummy_hash;

  /* An unknown login costs the same as a known one: its timing tells nothing. */
  job->ok = crypto_pwhash_str_verify (hash, job->password, strlen (job->password)) == 0
            && job->hash != NULL;
  g_task_return_boolean (task, TRUE);
}

static void
verified_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  LoginJob *job = g_task_get_task_data (G_TASK (result));
  LdServer *self = job->server;
  guchar raw[32];
  g_autofree char *token = NULL;
  g_autofree char *token_hash = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(GDateTime) expires = NULL;
  g_autofree char *expires_text = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  soup_server_message_unpause (job->msg);
  if (!job->ok)
    {
      g_autofree char *lk = g_strconcat ("login:", job->login, NULL);
      g_autofree char *pk = g_strconcat ("peer:", job->peer, NULL);

      count_failure (self, lk);
      count_failure (self, pk);
      ld_server_log ("failed login for '%s' from %s", job->login, job->peer);
      soup_message_headers_replace (soup_server_message_get_response_headers (job->msg),
                                    "WWW-Authenticate", "Bearer realm=\"landdesk\"");
      ld_server_send_error (job->msg, SOUP_STATUS_UNAUTHORIZED,
                            "Wrong login name or password");
      return;
    }

  {
    g_autofree char *lk = g_strconcat ("login:", job->login, NULL);
    g_autofree char *pk = g_strconcat ("peer:", job->peer, NULL);

    g_mutex_lock (&self->shared->lock);
    g_hash_table_remove (self->shared->failures, lk);
    g_hash_table_remove (self->shared->failures, pk);
    g_mutex_unlock (&self->shared->lock);
  }
  randombytes_buf (raw, sizeof raw);
  token = g_malloc (sizeof raw * 2 + 1);
  sodium_bin2hex (token, sizeof raw * 2 + 1, raw, sizeof raw);
  token_hash = sha256_hex (token);
  if (!ld_server_store_put_token (self->store, token_hash, job->login, now + self->token_ttl,
                                  &error))
    {
      ld_server_log ("login: %s", error->message);
      ld_server_send_error (job->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                            "The server could not store the session: %s", error->message);
      return;
    }
  expires = g_date_time_new_from_unix_utc (now + self->token_ttl);
  expires_text = g_date_time_format_iso8601 (expires);

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "token");
  json_builder_add_string_value (b, token);
  json_builder_set_member_name (b, "token_type");
  json_builder_add_string_value (b, "Bearer");
  json_builder_set_member_name (b, "expires_at");
  json_builder_add_string_value (b, expires_text);
  json_builder_set_member_name (b, "expires_in");
  json_builder_add_int_value (b, self->token_ttl);
  json_builder_set_member_name (b, "user");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "login");
  json_builder_add_string_value (b, job->user->login);
  json_builder_set_member_name (b, "display_name");
  json_builder_add_string_value (b, job->user->display_name);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, job->user->role);
  json_builder_set_member_name (b, "unit");
  json_builder_add_string_value (b, job->user->unit);
  json_builder_end_object (b);
  json_builder_end_object (b);
  ld_server_send_json (job->msg, SOUP_STATUS_OK, b);
}

static gboolean
start_verify_cb (gpointer user_data)
{
  GTask *task = user_data;

  g_task_run_in_thread (task, verify_thread);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
handle_login (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  LdServer *self = user_data;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *obj;
  JsonNode *login_node, *password_node;
  g_autofree char *peer = ld_server_peer (msg);
  LoginJob *job;
  GTask *task;
  guint failures;

  if (!ld_server_method_is (msg, SOUP_METHOD_POST))
    {
      ld_server_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "%s answers POST only", path);
      return;
    }
  root = ld_server_parse_body (msg);
  if (root == NULL)
    return;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                            "Send {\"login\": NAME, \"password\": TEXT}");
      return;
    }
  obj = json_node_get_object (root);
  login_node = json_object_get_member (obj, "login");
  password_node = json_object_get_member (obj, "password");
  if (login_node == NULL || json_node_get_value_type (login_node) != G_TYPE_STRING
      || password_node == NULL || json_node_get_value_type (password_node) != G_TYPE_STRING)
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                            "Fields \"login\" and \"password\" must both be strings");
      return;
    }

  failures = failure_count (self, json_node_get_string (login_node), peer);
  if (failures >= FAILURE_LOCKOUT)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", "900");
      ld_server_send_error (msg, 429,
                            "Too many failed logins for '%s' or from %s: try again in 15 minutes",
                            json_node_get_string (login_node), peer);
      return;
    }

  job = g_new0 (LoginJob, 1);
  job->server = g_object_ref (self);
  job->msg = g_object_ref (msg);
  job->login = g_strdup (json_node_get_string (login_node));
  job->password = g_strdup (json_node_get_string (password_node));
  job->peer = g_steal_pointer (&peer);
  job->user = ld_server_store_get_user (self->store, job->login, &job->hash, NULL);
  if (g_once_init_enter (&dummy_hash))
    g_once_init_leave (&dummy_hash, ld_server_hash_password ("no such user", NULL));

  soup_server_message_pause (msg);
  task = g_task_new (NULL, NULL, verified_cb, NULL);
  g_task_set_source_tag (task, handle_login);
  g_task_set_task_data (task, job, (GDestroyNotify) login_job_free);
  /* Each earlier failure makes the next attempt wait longer. */
  if (failures > 0)
    ld_server_timeout_add (self, MIN (FAILURE_STEP_MS * failures, FAILURE_MAX_DELAY),
                           start_verify_cb, task);
  else
    start_verify_cb (task);
}

static void
add_user_json (JsonBuilder        *b,
               const LdServerUser *user)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "login");
  json_builder_add_string_value (b, user->login);
  json_builder_set_member_name (b, "display_name");
  json_builder_add_string_value (b, user->display_name);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, user->role);
  json_builder_set_member_name (b, "unit");
  json_builder_add_string_value (b, user->unit);
  json_builder_end_object (b);
}

static void
handle_me (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  g_autoptr(LdServerUser) user = ld_server_authenticate (user_data, msg);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (user == NULL)
    return;
  if (!ld_server_method_is (msg, SOUP_METHOD_GET))
    {
      ld_server_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "%s answers GET only", path);
      return;
    }
  add_user_json (b, user);
  ld_server_send_json (msg, SOUP_STATUS_OK, b);
}

void
ld_server_auth_register (LdServer *self)
{
  if (sodium_init () < 0)
    g_error ("libsodium cannot be initialised");
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) cached_session_free);
  ld_server_route (self, "/api/v1/login", handle_login);
  ld_server_route (self, "/api/v1/me", handle_me);
}

/* The user behind the request's bearer token, or NULL after answering 401. */
LdServerUser *
ld_server_authenticate (LdServer          *self,
                        SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");
  g_autofree char *hash = NULL;
  g_autoptr(GError) error = NULL;
  LdServerUser *user;
  const char *problem;

  if (auth == NULL)
    problem = "This route needs a bearer token: log in with POST /api/v1/login";
  else if (g_ascii_strncasecmp (auth, "Bearer ", 7) != 0 || strlen (auth + 7) != 64)
    problem = "The Authorization header must be 'Bearer TOKEN' with the token from /api/v1/login";
  else
    {
      CachedSession *cs = g_hash_table_lookup (self->sessions, auth + 7);
      gint64 now = g_get_monotonic_time ();

      /* A token the store confirmed less than 10 s ago is taken from memory. */
      if (cs != NULL && cs->until > now)
        return ld_server_user_copy (cs->user);
      hash = sha256_hex (auth + 7);
      user = ld_server_store_lookup_token (self->store, hash,
                                           g_get_real_time () / G_USEC_PER_SEC, &error);
      if (user != NULL)
        {
          if (g_hash_table_size (self->sessions) >= SESSION_CACHE_MAX)
            g_hash_table_remove_all (self->sessions);
          cs = g_new0 (CachedSession, 1);
          cs->user = ld_server_user_copy (user);
          cs->until = now + MIN (SESSION_CACHE_US, self->token_ttl * G_USEC_PER_SEC / 2);
          g_hash_table_replace (self->sessions, g_strdup (auth + 7), cs);
          return user;
        }
      g_hash_table_remove (self->sessions, auth + 7);
      problem = "The token is unknown or has expired: log in again";
    }
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "WWW-Authenticate", "Bearer realm=\"landdesk\"");
  ld_server_send_error (msg, SOUP_STATUS_UNAUTHORIZED, "%s", problem);
  return NULL;
}

gboolean
ld_server_role_is_valid (const char *role)
{
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (g_strcmp0 (roles[i].role, role) == 0)
      return TRUE;
  return FALSE;
}

const char * const *
ld_server_role_stages (const char *role)
{
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (g_strcmp0 (roles[i].role, role) == 0)
      return roles[i].stages;
  return NULL;
}

gboolean
ld_server_role_sees_all (const char *role)
{
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (g_strcmp0 (roles[i].role, role) == 0)
      return roles[i].sees_all;
  return FALSE;
}

void
ld_server_viewer_init (LdServerViewer     *viewer,
                       const LdServerUser *user)
{
  viewer->login = user->login;
  viewer->sees_all = ld_server_role_sees_all (user->role);
  viewer->stages = ld_server_role_stages (user->role);
}

char *
ld_server_hash_password (const char  *password,
                         GError     **error)
{
  char hash[crypto_pwhash_STRBYTES];

  if (crypto_pwhash_str (hash, password, strlen (password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error (error, LD_SERVER_ERROR, LD_SERVER_ERROR_DEMO,
                   "Hashing a password ran out of memory (argon2id needs 64 MiB)");
      return NULL;
    }
  return g_strdup (hash);
}
