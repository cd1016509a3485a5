/* ld-offline-area-http.c: an offline area's requests to the server
 *
 * Signs in through LdSync, retries what a network or a 5xx answer interrupted, and names
 * the server and the request in every error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "ld-offline-area-private.h"
#include "ld-sync.h"

#define MAX_ATTEMPTS 4

static gboolean
login (LdOfflineArea  *self,
       GCancellable   *cancellable,
       GError        **error)
{
  g_autoptr(LdSync) sync = NULL;
  g_autoptr(GError) local = NULL;

  if (self->login == NULL || self->password == NULL)
    {
      g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_AUTH,
                   "the server %s wants a login: give a user and a password", self->server_url);
      return FALSE;
    }
  /* The sync client's login (retries, its error wording), not a copy of it. */
  sync = ld_sync_new (self->server_url);
  ld_sync_set_credentials (sync, self->login, self->password);
  ld_sync_set_retries (sync, 2, 200);
  if (!ld_sync_login (sync, cancellable, &local))
    {
      int code = g_error_matches (local, LD_SYNC_ERROR, LD_SYNC_ERROR_AUTH)
                 ? LD_OFFLINE_AREA_ERROR_AUTH
                 : g_error_matches (local, LD_SYNC_ERROR, LD_SYNC_ERROR_NETWORK)
                 ? LD_OFFLINE_AREA_ERROR_NETWORK : LD_OFFLINE_AREA_ERROR_SERVER;

      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local));
      else
        g_set_error (error, LD_OFFLINE_AREA_ERROR, code, "%s", local->message);
      return FALSE;
    }
  g_free (self->token);
  self->token = ld_sync_dup_token (sync);
  return TRUE;
}

static char *
error_message (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data = body ? g_bytes_get_data (body, &len) : NULL;

  if (data != NULL && json_parser_load_from_data (parser, data, (gssize) len, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *o = json_node_get_object (json_parser_get_root (parser));

      if (json_object_has_member (o, "message"))
        return g_strdup (json_object_get_string_member (o, "message"));
    }
  return g_strdup ("no explanation");
}

/* GET @path; network errors and 5xx retried with backoff, a 401 logs in again once. Returns
 * the body of a 200, NULL with *@status = 404 (no error) for a missing tile, or an error. */
GBytes *
ld_offline_area_http_get (LdOfflineArea  *self,
                          const char     *path,
                          gboolean        missing_ok,
                          guint          *status,
                          GCancellable   *cancellable,
                          GError        **error)
{
  g_autofree char *url = g_strconcat (self->server_url, path, NULL);
  gboolean relogged = FALSE;

  *status = 0;
  if (self->token == NULL && !login (self, cancellable, error))
    return NULL;
  if (self->session == NULL || self->session_thread != g_thread_self ())
    {
      g_clear_object (&self->session);
      self->session = soup_session_new_with_options ("timeout", 60, "idle-timeout", 60, NULL);
      self->session_thread = g_thread_self ();
    }
  for (guint attempt = 0;; attempt++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
      g_autoptr(GError) local = NULL;
      g_autoptr(GBytes) body = NULL;
      g_autofree char *auth = NULL;

      if (msg == NULL)
        {
          g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_INPUT,
                       "'%s' is not a server URL", self->server_url);
          return NULL;
        }
      auth = g_strconcat ("Bearer ", self->token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
      body = soup_session_send_and_read (self->session, msg, cancellable, &local);
      *status = body ? soup_message_get_status (msg) : 0;
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      if (*status == SOUP_STATUS_OK)
        return g_steal_pointer (&body);
      if (*status == SOUP_STATUS_NOT_FOUND && missing_ok)
        return NULL;
      if (*status == SOUP_STATUS_UNAUTHORIZED && !relogged)
        {
          relogged = TRUE;
          if (!login (self, cancellable, error))
            return NULL;
          continue;
        }
      if ((body == NULL || *status >= 500) && attempt + 1 < MAX_ATTEMPTS)
        {
          g_usleep (1000 * ld_sync_backoff_ms (attempt, 200, 2000, 0.2));
          continue;
        }
      if (body == NULL)
        g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_NETWORK,
                     "the server %s cannot be reached (%s); what was downloaded is kept:"
                     " resume the download later", self->server_url, local->message);
      else
        {
          g_autofree char *message = error_message (body);

          g_set_error (error, LD_OFFLINE_AREA_ERROR,
                       *status == SOUP_STATUS_UNAUTHORIZED || *status == SOUP_STATUS_FORBIDDEN
                       ? LD_OFFLINE_AREA_ERROR_AUTH
                       : *status < 500 ? LD_OFFLINE_AREA_ERROR_INPUT : LD_OFFLINE_AREA_ERROR_SERVER,
                       "the server %s answered %u to %s: %s", self->server_url, *status, path,
                       message);
        }
      return NULL;
    }
}

JsonNode *
ld_offline_area_get_json (LdOfflineArea  *self,
                          const char     *path,
                          GCancellable   *cancellable,
                          GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) body = NULL;
  guint status;
  gsize len;
  const char *data;

  body = ld_offline_area_http_get (self, path, FALSE, &status, cancellable, error);
  if (body == NULL)
    return NULL;
  data = g_bytes_get_data (body, &len);
  if (!json_parser_load_from_data (parser, data, (gssize) len, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, LD_OFFLINE_AREA_ERROR, LD_OFFLINE_AREA_ERROR_PROTOCOL,
                   "the server's answer to %s is not a JSON object", path);
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}

static char *
box_param (const double box[4])
{
  char a[4][G_ASCII_DTOSTR_BUF_SIZE];

  for (int i = 0; i < 4; i++)
    g_ascii_formatd (a[i], sizeof a[i], "%.3f", box[i]);
  return g_strjoin (",", a[0], a[1], a[2], a[3], NULL);
}

/* The features' box, widened to the millimetres it is sent with. */
char *
ld_offline_area_feature_box_param (LdOfflineArea *self)
{
  double box[4] = { floor (self->box[0] * 1000) / 1000 - 0.001,
                    floor (self->box[1] * 1000) / 1000 - 0.001,
                    ceil (self->box[2] * 1000) / 1000 + 0.001,
                    ceil (self->box[3] * 1000) / 1000 + 0.001 };

  return box_param (box);
}

char *
ld_offline_area_lonlat_param (const LdLonLatBox *ll)
{
  char a[4][G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (a[0], sizeof a[0], "%.9f", ll->west);
  g_ascii_formatd (a[1], sizeof a[1], "%.9f", ll->south);
  g_ascii_formatd (a[2], sizeof a[2], "%.9f", ll->east);
  g_ascii_formatd (a[3], sizeof a[3], "%.9f", ll->north);
  return g_strjoin (",", a[0], a[1], a[2], a[3], NULL);
}
