/* ld-server.c: the landdesk-server HTTP front (libsoup)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#include "ld-core.h"
#include "ld-server.h"
#include "ld-server-log.h"

struct _LdServer
{
  GObject     parent_instance;

  char       *data_dir;
  sqlite3    *db;
  SoupServer *soup;
  gint64      started_at;
};

G_DEFINE_FINAL_TYPE (LdServer, ld_server, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-server-error-quark, ld_server_error)

#define START_TIME_KEY "ld-start-time"

static void
send_json (SoupServerMessage *msg,
           guint              status,
           JsonBuilder       *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *body = json_to_string (root, FALSE);
  gsize len = strlen (body);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&body), len);
}

static void
send_error (SoupServerMessage *msg,
            guint              status,
            const char        *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, soup_status_get_phrase (status));
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  send_json (msg, status, b);
}

static gboolean
store_is_healthy (LdServer *self)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  ok = sqlite3_prepare_v2 (self->db, "SELECT 1", -1, &stmt, NULL) == SQLITE_OK
       && sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return ok;
}

static void
handle_healthz (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  LdServer *self = user_data;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gboolean healthy = store_is_healthy (self);
  const char *method = soup_server_message_get_method (msg);

  if (g_strcmp0 (method, SOUP_METHOD_GET) != 0 && g_strcmp0 (method, SOUP_METHOD_HEAD) != 0)
    {
      send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "/healthz answers GET only");
      return;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, healthy ? "ok" : "unavailable");
  json_builder_set_member_name (b, "service");
  json_builder_add_string_value (b, "landdesk-server");
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, ld_version_string ());
  json_builder_set_member_name (b, "store");
  json_builder_add_string_value (b, "sqlite");
  json_builder_set_member_name (b, "uptime_seconds");
  json_builder_add_int_value (b, (g_get_monotonic_time () - self->started_at) / G_USEC_PER_SEC);
  json_builder_end_object (b);
  send_json (msg, healthy ? SOUP_STATUS_OK : SOUP_STATUS_SERVICE_UNAVAILABLE, b);
}

static void
handle_not_found (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  g_autofree char *text = g_strdup_printf ("No resource at %s", path);

  send_error (msg, SOUP_STATUS_NOT_FOUND, text);
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  gint64 *start = g_new (gint64, 1);

  *start = g_get_monotonic_time ();
  g_object_set_data_full (G_OBJECT (msg), START_TIME_KEY, start, g_free);
}

static void
request_finished_cb (SoupServer        *server,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  gint64 *start = g_object_get_data (G_OBJECT (msg), START_TIME_KEY);
  double ms = start ? (g_get_monotonic_time () - *start) / 1000.0 : 0.0;
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);
  g_autofree char *peer = NULL;

  if (G_IS_INET_SOCKET_ADDRESS (remote))
    peer = g_inet_address_to_string (
        g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  ld_server_log ("%s %s %s %u %.2f ms", peer ? peer : "-",
                 soup_server_message_get_method (msg),
                 g_uri_get_path (soup_server_message_get_uri (msg)),
                 soup_server_message_get_status (msg), ms);
}

static gboolean
open_store (LdServer  *self,
            GError   **error)
{
  g_autofree char *path = g_build_filename (self->data_dir, "landdesk-server.db", NULL);

  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)
      != SQLITE_OK)
    {
      g_set_error (error, LD_SERVER_ERROR, LD_SERVER_ERROR_DATA_DIR,
                   "Cannot open the store %s: %s", path, sqlite3_errmsg (self->db));
      return FALSE;
    }
  sqlite3_busy_timeout (self->db, 5000);
  sqlite3_exec (self->db, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;",
                NULL, NULL, NULL);
  return TRUE;
}

static void
ld_server_finalize (GObject *object)
{
  LdServer *self = LD_SERVER (object);

  ld_server_stop (self);
  g_clear_pointer (&self->db, sqlite3_close);
  g_clear_pointer (&self->data_dir, g_free);

  G_OBJECT_CLASS (ld_server_parent_class)->finalize (object);
}

static void
ld_server_class_init (LdServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_server_finalize;
}

static void
ld_server_init (LdServer *self)
{
  self->started_at = g_get_monotonic_time ();
}

/**
 * ld_server_new:
 * @data_dir: where the embedded store lives; created when missing
 */
LdServer *
ld_server_new (const char  *data_dir,
               GError     **error)
{
  g_autoptr(LdServer) self = g_object_new (LD_TYPE_SERVER, NULL);

  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, LD_SERVER_ERROR, LD_SERVER_ERROR_DATA_DIR,
                   "Cannot create the data directory %s: %s", data_dir, g_strerror (saved));
      return NULL;
    }
  self->data_dir = g_strdup (data_dir);
  if (!open_store (self, error))
    return NULL;

  self->soup = soup_server_new ("server-header", "landdesk-server/" PACKAGE_VERSION " ", NULL);
  soup_server_add_handler (self->soup, "/healthz", handle_healthz, self, NULL);
  soup_server_add_handler (self->soup, NULL, handle_not_found, self, NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (request_started_cb), self);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (request_finished_cb), self);
  return g_steal_pointer (&self);
}

/**
 * ld_server_listen:
 * @address: "HOST:PORT"; port 0 picks a free port (see ld_server_dup_url())
 */
gboolean
ld_server_listen (LdServer    *self,
                  const char  *address,
                  GError     **error)
{
  g_autoptr(GSocketAddress) sockaddr = NULL;
  const char *colon;
  g_autofree char *host = NULL;
  guint64 port;

  g_return_val_if_fail (LD_IS_SERVER (self), FALSE);

  colon = strrchr (address, ':');
  if (colon == NULL || colon == address
      || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL))
    {
      g_set_error (error, LD_SERVER_ERROR, LD_SERVER_ERROR_LISTEN,
                   "--listen '%s' is not HOST:PORT (e.g. 127.0.0.1:8470)", address);
      return FALSE;
    }
  host = g_strndup (address, colon - address);
  if (host[0] == '[' && host[strlen (host) - 1] == ']')
    {
      memmove (host, host + 1, strlen (host));
      host[strlen (host) - 1] = '\0';
    }
  sockaddr = g_inet_socket_address_new_from_string (host, (guint) port);
  if (sockaddr == NULL)
    {
      g_set_error (error, LD_SERVER_ERROR, LD_SERVER_ERROR_LISTEN,
                   "--listen '%s': '%s' is not an IP address", address, host);
      return FALSE;
    }
  return soup_server_listen (self->soup, sockaddr, 0, error);
}

char *
ld_server_dup_url (LdServer *self)
{
  GSList *uris;
  char *url = NULL;

  g_return_val_if_fail (LD_IS_SERVER (self), NULL);

  uris = soup_server_get_uris (self->soup);
  if (uris != NULL)
    url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return url;
}

/* Closes the listening sockets; requests already read are answered first by the main loop. */
void
ld_server_stop (LdServer *self)
{
  g_return_if_fail (LD_IS_SERVER (self));

  if (self->soup != NULL)
    {
      soup_server_disconnect (self->soup);
      g_clear_object (&self->soup);
    }
}
