/* ld-sync-token.c: where the app keeps a server's login token between runs
 *
 * In the desktop's keyring (libsecret, the Secret Service) when there is one: schema
 * io.github.landdesk.LandDesk, attributes server (its URL) and user (the login). Without a
 * Secret Service (no session bus, no keyring daemon, a Windows build without libsecret) in a
 * file only its owner may read (0600) under $XDG_CONFIG_HOME/landdesk/tokens. Never in the
 * store. The log says which. A second file, keyed by the server alone, remembers whose token
 * it is (a login name, not a secret), for ld_sync_load_token().
 *
 * Keyring calls wait at most KEYRING_TIMEOUT_S: a locked keyring may want a prompt nobody can
 * answer, and the token then goes to the file rather than hang the login.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#if HAVE_LIBSECRET
#include <libsecret/secret.h>
#endif

#include "ld-sync.h"

#define KEYRING_TIMEOUT_S 5

/* ---- the keyring ------------------------------------------------------------------------ */

#if HAVE_LIBSECRET
static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    "io.github.landdesk.LandDesk", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

/* One asynchronous keyring call run to its end, or cancelled after the timeout. */
typedef struct
{
  GMainContext *context;
  GCancellable *cancellable;
  GAsyncResult *result;
} Call;

static gboolean
call_timeout_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
call_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Call *call = user_data;

  call->result = g_object_ref (result);
  g_main_context_wakeup (call->context);
}

static void
call_begin (Call *call)
{
  call->context = g_main_context_new ();
  call->cancellable = g_cancellable_new ();
  call->result = NULL;
  g_main_context_push_thread_default (call->context);
}

static void
call_wait (Call *call)
{
  GSource *timeout = g_timeout_source_new_seconds (KEYRING_TIMEOUT_S);

  g_source_set_callback (timeout, call_timeout_cb, call->cancellable, NULL);
  g_source_attach (timeout, call->context);
  while (call->result == NULL)
    g_main_context_iteration (call->context, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);
}

static void
call_end (Call *call)
{
  g_main_context_pop_thread_default (call->context);
  g_clear_object (&call->result);
  g_clear_object (&call->cancellable);
  g_main_context_unref (call->context);
}

static gboolean
keyring_store (const char  *server_url,
               const char  *login,
               const char  *token,
               GError     **error)
{
  g_autofree char *label = g_strdup_printf ("LandDesk: %s on %s", login, server_url);
  Call call;
  gboolean ok;

  call_begin (&call);
  secret_password_store (token_schema (), SECRET_COLLECTION_DEFAULT, label, token,
                         call.cancellable, call_done_cb, &call,
                         "server", server_url, "user", login, NULL);
  call_wait (&call);
  ok = secret_password_store_finish (call.result, error);
  call_end (&call);
  return ok;
}

static char *
keyring_lookup (const char  *server_url,
                const char  *login,
                GError     **error)
{
  Call call;
  char *token;

  call_begin (&call);
  secret_password_lookup (token_schema (), call.cancellable, call_done_cb, &call,
                          "server", server_url, "user", login, NULL);
  call_wait (&call);
  token = secret_password_lookup_finish (call.result, error);
  call_end (&call);
  return token;
}

static void
keyring_clear (const char *server_url,
               const char *login)
{
  g_autoptr(GError) error = NULL;
  Call call;

  call_begin (&call);
  secret_password_clear (token_schema (), call.cancellable, call_done_cb, &call,
                         "server", server_url, "user", login, NULL);
  call_wait (&call);
  if (!secret_password_clear_finish (call.result, &error) && error != NULL)
    g_message ("the keyring could not forget the token for %s on %s: %s", login, server_url,
               error->message);
  call_end (&call);
}
#endif

/* ---- the file --------------------------------------------------------------------------- */

/* Returns: where the token of @login on @server_url is kept when there is no keyring */
char *
ld_sync_token_path (const char *server_url,
                    const char *login)
{
  g_autofree char *key = g_strconcat (server_url, "\n", login, NULL);
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree char *name = g_strndup (sum, 24);

  return g_build_filename (g_get_user_config_dir (), "landdesk", "tokens", name, NULL);
}

static gboolean
write_private (const char  *path,
               const char  *text,
               GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, LD_SYNC_ERROR, LD_SYNC_ERROR_AUTH, "cannot create %s: %s", dir,
                   g_strerror (errno));
      return FALSE;
    }
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* ---- public API ------------------------------------------------------------------------- */

/**
 * ld_sync_save_token:
 *
 * Keeps the token of the last login: in the keyring when a Secret Service takes it (and then
 * no token file is left behind), else in a 0600 file. The log says which.
 */
gboolean
ld_sync_save_token (LdSync  *self,
                    GError **error)
{
  const char *server_url = ld_sync_get_server_url (self);
  const char *login = ld_sync_get_login (self);
  g_autofree char *token = ld_sync_dup_token (self);
  g_autofree char *path = NULL;
  g_autofree char *who = ld_sync_token_path (server_url, "");
  g_autoptr(GError) local = NULL;

  if (token == NULL || login == NULL)
    return TRUE;
  path = ld_sync_token_path (server_url, login);
  if (!write_private (who, login, error))
    return FALSE;
#if HAVE_LIBSECRET
  if (keyring_store (server_url, login, token, &local))
    {
      g_message ("the token for %s on %s is kept in the keyring (Secret Service)", login,
                 server_url);
      if (g_remove (path) != 0 && errno != ENOENT)
        g_warning ("cannot remove the old token file %s: %s", path, g_strerror (errno));
      return TRUE;
    }
  g_message ("no Secret Service, or the keyring did not take it (%s): the token for %s on %s"
             " is kept in the 0600 file %s", local->message, login, server_url, path);
#else
  g_message ("built without libsecret: the token for %s on %s is kept in the 0600 file %s",
             login, server_url, path);
#endif
  return write_private (path, token, error);
}

/* Takes the token kept for this server (and the login it belongs to); FALSE if there is none. */
gboolean
ld_sync_load_token (LdSync *self)
{
  const char *server_url = ld_sync_get_server_url (self);
  g_autofree char *who = ld_sync_token_path (server_url, "");
  g_autofree char *login = NULL;
  g_autofree char *path = NULL;
  g_autofree char *token = NULL;

  if (!g_file_get_contents (who, &login, NULL, NULL))
    return FALSE;
  g_strstrip (login);
#if HAVE_LIBSECRET
  {
    g_autoptr(GError) error = NULL;
    char *secret = keyring_lookup (server_url, login, &error);

    if (error != NULL)
      g_message ("no Secret Service (%s): looking for a token file", error->message);
    token = g_strdup (secret);
    secret_password_free (secret);
  }
#endif
  path = ld_sync_token_path (server_url, login);
  if (token == NULL && !g_file_get_contents (path, &token, NULL, NULL))
    return FALSE;
  g_strstrip (token);
  ld_sync_set_credentials (self, login, NULL);
  ld_sync_set_token (self, token);
  return TRUE;
}

/**
 * ld_sync_forget_token:
 *
 * Logs out on this device: the kept token (keyring and file) and the note of whose it was
 * are deleted, and the sync has no token any more.
 */
gboolean
ld_sync_forget_token (LdSync  *self,
                      GError **error)
{
  const char *server_url = ld_sync_get_server_url (self);
  g_autofree char *who = ld_sync_token_path (server_url, "");
  g_autofree char *login = NULL;

  if (g_file_get_contents (who, &login, NULL, NULL))
    g_strstrip (login);
  else
    login = g_strdup (ld_sync_get_login (self));
  ld_sync_set_token (self, NULL);
  if (login == NULL)
    return TRUE;
#if HAVE_LIBSECRET
  keyring_clear (server_url, login);
#endif
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *path = ld_sync_token_path (server_url, i == 0 ? login : "");

      if (g_remove (path) != 0 && errno != ENOENT)
        {
          g_set_error (error, LD_SYNC_ERROR, LD_SYNC_ERROR_AUTH, "cannot delete %s: %s", path,
                       g_strerror (errno));
          return FALSE;
        }
    }
  return TRUE;
}
