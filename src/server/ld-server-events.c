/* ld-server-events.c: the WebSocket /api/v1/events, "a new sequence exists"
 *
 * A connected client gets {"seq": N} at once and whenever the change feed grows, and then
 * pulls. The handshake is an ordinary GET that must carry a valid bearer token.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ld-server-log.h"
#include "ld-server-private.h"

static void
send_seq (SoupWebsocketConnection *conn,
          gint64                   seq)
{
  g_autofree char *text = g_strdup_printf ("{\"seq\":%" G_GINT64_FORMAT "}", seq);

  if (soup_websocket_connection_get_state (conn) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (conn, text);
}

static void
socket_closed_cb (SoupWebsocketConnection *conn,
                  gpointer                 user_data)
{
  LdServer *self = user_data;

  g_ptr_array_remove (self->sockets, conn);
}

/* The normal handler runs before the upgrade: it answers 401 when the token is wrong. */
static void
handle_events_http (SoupServer        *server,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  g_autoptr(LdServerUser) user = ld_server_authenticate (user_data, msg);

  if (user == NULL)
    return;
  if (!ld_server_method_is (msg, SOUP_METHOD_GET))
    ld_server_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "%s answers GET only", path);
  else if (soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                         "Upgrade") == NULL)
    ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                          "%s is a WebSocket: connect with an Upgrade: websocket request", path);
}

static void
handle_events_socket (SoupServer              *server,
                      SoupServerMessage       *msg,
                      const char              *path,
                      SoupWebsocketConnection *conn,
                      gpointer                 user_data)
{
  LdServer *self = user_data;

  ld_server_request_detached (self, msg);
  g_ptr_array_add (self->sockets, g_object_ref (conn));
  g_signal_connect_object (conn, "closed", G_CALLBACK (socket_closed_cb), self, 0);
  soup_websocket_connection_set_keepalive_interval (conn, 30);
  send_seq (conn, ld_server_store_head_seq (self->store));
}

/* Another worker may have written: look at the head now and then, when someone listens. */
static gboolean
poll_head_cb (gpointer user_data)
{
  LdServer *self = user_data;

  if (self->sockets->len > 0)
    ld_server_events_notify (self);
  return G_SOURCE_CONTINUE;
}

void
ld_server_events_register (LdServer *self)
{
  self->poll_source = g_timeout_source_new (250);
  g_source_set_callback (self->poll_source, poll_head_cb, self, NULL);
  g_source_attach (self->poll_source, self->context);
  ld_server_route (self, "/api/v1/events", handle_events_http);
  soup_server_add_websocket_handler (self->soup, "/api/v1/events", NULL, NULL,
                                     handle_events_socket, self, NULL);
}

void
ld_server_events_notify (LdServer *self)
{
  gint64 seq = ld_server_store_head_seq (self->store);

  if (seq <= self->announced_seq)
    return;
  self->announced_seq = seq;
  for (guint i = 0; i < self->sockets->len; i++)
    send_seq (self->sockets->pdata[i], seq);
}
