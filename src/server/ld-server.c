/* ld-server.c: the landdesk-server HTTP front (libsoup)
 *
 * LdServer owns the SoupServer and the store; each group of routes lives in its own file
 * (ld-server-auth.c, -changes.c, -ops.c, -blobs.c, -ogc.c, -metrics.c, -events.c) and
 * registers itself here. Every handler runs on the main loop, synchronously: SQLite is used
 * from this one thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#ifdef G_OS_UNIX
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#endif
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ld-core.h"
#include "ld-server.h"
#include "ld-server-log.h"
#include "ld-server-private.h"
#include "ld-server-store-sqlite.h"

typedef struct
{
  LdServer    *server;
  guint        deadline_ms;
  gint64       started;
  GSourceFunc  done;
  gpointer     user_data;
} Drain;

G_DEFINE_FINAL_TYPE (LdServer, ld_server, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-server-error-quark, ld_server_error)

#define START_TIME_KEY "ld-start-time"
#define COUNTED_KEY    "ld-counted"
#define PEER_KEY       "ld-peer"
#define CORKED_KEY     "ld-corked"

/* Takes @text. */
void
ld_server_send_json_text (SoupServerMessage *msg,
                          guint              status,
                          const char        *content_type,
                          char              *text)
{
  gsize len = strlen (text);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type ? content_type : "application/json",
                                    SOUP_MEMORY_TAKE, text, len);
}

void
ld_server_send_json (SoupServerMessage *msg,
                     guint              status,
                     JsonBuilder       *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  ld_server_send_json_text (msg, status, NULL, json_to_string (root, FALSE));
}

void
ld_server_send_error (SoupServerMessage *msg,
                      guint              status,
                      const char        *format,
                      ...)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, soup_status_get_phrase (status));
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  ld_server_send_json (msg, status, b);
}

/* The request body as JSON, or NULL after answering 400 with where the parser stopped. */
JsonNode *
ld_server_parse_body (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (len == 0)
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST, "The request body is empty: send JSON");
      return NULL;
    }
  if (!g_utf8_validate (data, (gssize) len, NULL))
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST, "The request body is not UTF-8 text");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, (gssize) len, &error))
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST, "The request body is not valid JSON: %s",
                            error->message);
      return NULL;
    }
  return json_parser_steal_root (parser);
}

gboolean
ld_server_method_is (SoupServerMessage *msg,
                     const char        *method)
{
  return g_strcmp0 (soup_server_message_get_method (msg), method) == 0;
}

char *
ld_server_peer (SoupServerMessage *msg)
{
  const char *known = g_object_get_data (G_OBJECT (msg), PEER_KEY);
  GSocketAddress *remote;

  /* Noted when the headers came: the connection may be gone by the time we log. */
  if (known != NULL)
    return g_strdup (known);
  remote = soup_server_message_get_remote_address (msg);

  if (G_IS_INET_SOCKET_ADDRESS (remote))
    return g_inet_address_to_string (
        g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  return g_strdup ("-");
}

void
ld_server_route (LdServer           *self,
                 const char         *path,
                 SoupServerCallback  callback)
{
  soup_server_add_handler (self->soup, path, callback, self, NULL);
}

/* A timeout in this worker's own main context (g_timeout_add would use the global one). */
guint
ld_server_timeout_add (LdServer    *self,
                       guint        ms,
                       GSourceFunc  func,
                       gpointer     data)
{
  GSource *source = g_timeout_source_new (ms);
  guint id;

  g_source_set_callback (source, func, data, NULL);
  id = g_source_attach (source, self->context);
  g_source_unref (source);
  return id;
}

static LdServerShared *
shared_new (void)
{
  LdServerShared *shared = g_new0 (LdServerShared, 1);

  g_atomic_ref_count_init (&shared->ref);
  g_mutex_init (&shared->lock);
  shared->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  shared->metrics = ld_server_metrics_new ();
  return shared;
}

static void
shared_unref (LdServerShared *shared)
{
  if (!g_atomic_ref_count_dec (&shared->ref))
    return;
  g_hash_table_unref (shared->failures);
  ld_server_metrics_free (shared->metrics);
  g_mutex_clear (&shared->lock);
  g_free (shared);
}

/* The route a path belongs to, as a metrics label: ids are folded. */
static const char *
route_label (const char *path)
{
  static const char * const exact[] = {
    "/healthz", "/metrics", "/api/v1/login", "/api/v1/changes", "/api/v1/ops",
    "/api/v1/events", "/ogc", "/ogc/", "/ogc/conformance", "/ogc/api", "/ogc/collections",
    "/api/v1/extract", "/api/v1/tiles",
  };

  for (guint i = 0; i < G_N_ELEMENTS (exact); i++)
    if (g_str_equal (path, exact[i]))
      return exact[i];
  if (g_str_has_prefix (path, "/api/v1/blobs/"))
    return "/api/v1/blobs/{sha256}";
  if (g_str_has_prefix (path, "/api/v1/extract/"))
    return "/api/v1/extract/{layer}";
  if (g_str_has_prefix (path, "/api/v1/tiles/"))
    return "/api/v1/tiles/{z}/{x}/{y}";
  if (g_str_has_prefix (path, "/ogc/collections/"))
    return g_str_has_suffix (path, "/items") ? "/ogc/collections/{id}/items"
                                             : "/ogc/collections/{id}";
  return "other";
}

static gboolean
store_is_healthy (LdServer *self)
{
  return ld_server_store_check (self->store);
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

  if (!ld_server_method_is (msg, SOUP_METHOD_GET) && !ld_server_method_is (msg, SOUP_METHOD_HEAD))
    {
      ld_server_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "/healthz answers GET only");
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
  json_builder_add_string_value (b, ld_server_store_get_kind (self->store));
  json_builder_set_member_name (b, "seq");
  json_builder_add_int_value (b, ld_server_store_head_seq (self->store));
  json_builder_set_member_name (b, "uptime_seconds");
  json_builder_add_int_value (b, (g_get_monotonic_time () - self->started_at) / G_USEC_PER_SEC);
  json_builder_end_object (b);
  ld_server_send_json (msg, healthy ? SOUP_STATUS_OK : SOUP_STATUS_SERVICE_UNAVAILABLE, b);
}

static void
handle_not_found (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  ld_server_send_error (msg, SOUP_STATUS_NOT_FOUND, "No resource at %s", path);
}

/* Refuses a request whose body must not be kept (too big, or of unknown size). libsoup still
 * reads the body before it answers, so it is discarded as it arrives: memory stays flat. */
static void
refuse_early (SoupServerMessage *msg,
              guint              status,
              const char        *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
  ld_server_send_error (msg, status, "%s", message);
}

/* libsoup writes a response's headers and body in two sends on a TCP_NODELAY socket: two
 * packets. Corked from the request's headers until the response is written, they leave as
 * one. Not for the WebSocket, whose frames must go at once. */
static void
set_cork (SoupServerMessage *msg,
          gboolean           on)
{
#if defined(TCP_CORK)
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket != NULL && g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_CORK, on, NULL);
#endif
}

/* Headers are in: refuse what is too big or arrives while draining, before the body is read. */
static void
got_headers_cb (SoupServerMessage *msg,
                gpointer           user_data)
{
  LdServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  gboolean blob_put = ld_server_method_is (msg, SOUP_METHOD_PUT)
                      && g_str_has_prefix (path, "/api/v1/blobs/");
  goffset limit = blob_put ? LD_SERVER_MAX_BLOB_PIECE : LD_SERVER_MAX_JSON_BODY;
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);

  self->in_flight++;
  g_object_set_data (G_OBJECT (msg), COUNTED_KEY, GINT_TO_POINTER (1));
  if (!g_str_equal (path, "/api/v1/events"))
    {
      set_cork (msg, TRUE);
      g_object_set_data (G_OBJECT (msg), CORKED_KEY, GINT_TO_POINTER (1));
    }
  g_object_set_data_full (G_OBJECT (msg), PEER_KEY, ld_server_peer (msg), g_free);

  /* libsoup refused it already (a ".." smuggled into the path, say): say why, in JSON. */
  if (soup_server_message_get_status (msg) == SOUP_STATUS_BAD_REQUEST)
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                            "The request path %s is not allowed: no '..' segments", path);
      return;
    }

  if (self->draining)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      ld_server_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                            "The server is shutting down; retry in a moment");
      return;
    }
  if (encoding == SOUP_ENCODING_CHUNKED || encoding == SOUP_ENCODING_EOF)
    {
      refuse_early (msg, SOUP_STATUS_LENGTH_REQUIRED,
                    "Send the request body with a Content-Length header");
      return;
    }
  if (encoding == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_content_length (headers) > limit)
    refuse_early (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                  "The request body has %" G_GOFFSET_FORMAT " bytes; %s accepts at most"
                  " %" G_GOFFSET_FORMAT "%s", soup_message_headers_get_content_length (headers),
                  path, limit,
                  blob_put ? " per request: upload in pieces with Content-Range" : "");
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  gint64 *start = g_new (gint64, 1);

  *start = g_get_monotonic_time ();
  g_object_set_data_full (G_OBJECT (msg), START_TIME_KEY, start, g_free);
  g_signal_connect (msg, "got-headers", G_CALLBACK (got_headers_cb), user_data);
}

static void
request_done (LdServer          *self,
              SoupServerMessage *msg,
              gboolean           aborted)
{
  gint64 *start = g_object_get_data (G_OBJECT (msg), START_TIME_KEY);
  double seconds = start ? (g_get_monotonic_time () - *start) / (double) G_USEC_PER_SEC : 0.0;
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  guint status = soup_server_message_get_status (msg);
  g_autofree char *peer = ld_server_peer (msg);

  if (g_object_get_data (G_OBJECT (msg), CORKED_KEY) != NULL)
    set_cork (msg, FALSE);   /* the response is written: send what is held */
  ld_server_request_detached (self, msg);
  ld_server_metrics_request (self->metrics, route_label (path), aborted ? 499 : status, seconds);
  ld_server_log ("%s %s %s %u %.2f ms%s", peer, soup_server_message_get_method (msg), path,
                 status, seconds * 1000.0, aborted ? " (aborted)" : "");
}

static void
request_finished_cb (SoupServer        *server,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  request_done (user_data, msg, FALSE);
}

static void
request_aborted_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  request_done (user_data, msg, TRUE);
}

/* A request whose connection was taken over (a WebSocket) is no longer in flight: nothing
 * will report it finished. */
void
ld_server_request_detached (LdServer          *self,
                            SoupServerMessage *msg)
{
  if (g_object_get_data (G_OBJECT (msg), COUNTED_KEY) != NULL)
    {
      g_object_set_data (G_OBJECT (msg), COUNTED_KEY, NULL);
      self->in_flight--;
    }
}

static gboolean
drain_check_cb (gpointer user_data)
{
  Drain *drain = user_data;
  LdServer *self = drain->server;
  gboolean late = (g_get_monotonic_time () - drain->started) / 1000 >= drain->deadline_ms;

  if (self->in_flight > 0 && !late)
    return G_SOURCE_CONTINUE;
  if (self->in_flight > 0)
    ld_server_log ("%u requests still running after %u ms; stopping anyway",
                   self->in_flight, drain->deadline_ms);
  drain->done (drain->user_data);
  g_object_unref (drain->server);
  g_free (drain);
  return G_SOURCE_REMOVE;
}

static void
ld_server_dispose (GObject *object)
{
  LdServer *self = LD_SERVER (object);

  ld_server_stop (self);
  if (self->poll_source != NULL)
    {
      g_source_destroy (self->poll_source);
      g_clear_pointer (&self->poll_source, g_source_unref);
    }
  G_OBJECT_CLASS (ld_server_parent_class)->dispose (object);
}

static void
ld_server_finalize (GObject *object)
{
  LdServer *self = LD_SERVER (object);

  g_clear_pointer (&self->ogc, ld_server_ogc_free);
  g_clear_pointer (&self->extract, ld_server_extract_free);
  g_clear_pointer (&self->basemap_path, g_free);
  g_clear_object (&self->store);
  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_pointer (&self->pages, g_hash_table_unref);
  self->metrics = NULL;
  g_clear_pointer (&self->shared, shared_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->sockets, g_ptr_array_unref);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->layers_path, g_free);
  g_clear_object (&self->address);

  G_OBJECT_CLASS (ld_server_parent_class)->finalize (object);
}

static void
ld_server_class_init (LdServerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ld_server_dispose;
  G_OBJECT_CLASS (klass)->finalize = ld_server_finalize;
}

static void
ld_server_init (LdServer *self)
{
  self->started_at = g_get_monotonic_time ();
  self->token_ttl = 12 * 3600;
  self->context = g_main_context_ref_thread_default ();
  self->sockets = g_ptr_array_new_with_free_func (g_object_unref);
}

static LdServer *
server_open (const char      *data_dir,
             LdServerShared  *shared,
             GError         **error)
{
  g_autoptr(LdServer) self = g_object_new (LD_TYPE_SERVER, NULL);
  g_autofree char *db = NULL;

  self->shared = shared;   /* owned from here on, failure or not */
  self->metrics = shared->metrics;
  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, LD_SERVER_ERROR, LD_SERVER_ERROR_DATA_DIR,
                   "Cannot create the data directory %s: %s", data_dir, g_strerror (saved));
      return NULL;
    }
  self->data_dir = g_strdup (data_dir);
  self->layers_path = g_build_filename (data_dir, "layers.gpkg", NULL);
  db = g_build_filename (data_dir, "landdesk-server.db", NULL);
  self->store = ld_server_store_sqlite_open (db, error);
  if (self->store == NULL)
    return NULL;
  self->announced_seq = ld_server_store_head_seq (self->store);

  self->soup = soup_server_new ("server-header", "landdesk-server/" PACKAGE_VERSION " ", NULL);
  ld_server_route (self, "/healthz", handle_healthz);
  ld_server_auth_register (self);
  ld_server_changes_register (self);
  ld_server_ops_register (self);
  ld_server_blobs_register (self);
  ld_server_ogc_register (self);
  ld_server_metrics_register (self);
  ld_server_events_register (self);
  ld_server_extract_register (self);
  soup_server_add_handler (self->soup, NULL, handle_not_found, self, NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (request_started_cb), self);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (request_finished_cb), self);
  g_signal_connect (self->soup, "request-aborted", G_CALLBACK (request_aborted_cb), self);
  return g_steal_pointer (&self);
}

/**
 * ld_server_new:
 * @data_dir: where the embedded store lives; created when missing
 *
 * The first (or only) worker; it runs in the calling thread's default main context.
 */
LdServer *
ld_server_new (const char  *data_dir,
               GError     **error)
{
  return server_open (data_dir, shared_new (), error);
}

/**
 * ld_server_new_worker:
 * @primary: the server made by ld_server_new(), already listening
 *
 * Another worker on the same data and the same port (SO_REUSEPORT: the kernel spreads the
 * connections), with its own store connection and caches, sharing the login-failure counts
 * and the metrics. Call it in the thread that will run it, with that thread's main context
 * pushed as its thread-default, then ld_server_listen_like().
 */
LdServer *
ld_server_new_worker (LdServer  *primary,
                      GError   **error)
{
  g_autoptr(GTlsCertificate) cert = NULL;
  LdServer *self;

  g_return_val_if_fail (LD_IS_SERVER (primary), NULL);

  g_atomic_ref_count_inc (&primary->shared->ref);
  self = server_open (primary->data_dir, primary->shared, error);
  if (self == NULL)
    return NULL;
  self->token_ttl = primary->token_ttl;
  self->basemap_path = g_strdup (primary->basemap_path);
  g_object_get (primary->soup, "tls-certificate", &cert, NULL);
  if (cert != NULL)
    g_object_set (self->soup, "tls-certificate", cert, NULL);
  return self;
}

void
ld_server_set_token_ttl (LdServer *self,
                         gint64    seconds)
{
  g_return_if_fail (LD_IS_SERVER (self));
  self->token_ttl = seconds;
}

gboolean
ld_server_set_tls (LdServer    *self,
                   const char  *cert_file,
                   const char  *key_file,
                   GError     **error)
{
  g_autoptr(GTlsCertificate) cert = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (LD_IS_SERVER (self), FALSE);

  cert = g_tls_certificate_new_from_files (cert_file, key_file, &local);
  if (cert == NULL)
    {
      g_set_error (error, LD_SERVER_ERROR, LD_SERVER_ERROR_TLS,
                   "Cannot use --tls-cert %s with --tls-key %s: %s", cert_file, key_file,
                   local->message);
      return FALSE;
    }
  g_object_set (self->soup, "tls-certificate", cert, NULL);
  return TRUE;
}

/**
 * ld_server_init_demo:
 * @loaded: (out): whether it was loaded now (FALSE when this store had it already)
 */
gboolean
ld_server_init_demo (LdServer    *self,
                     const char  *gpkg,
                     const char  *password,
                     gboolean    *loaded,
                     GError     **error)
{
  g_return_val_if_fail (LD_IS_SERVER (self), FALSE);

  if (!ld_server_load_demo (self, gpkg, password, loaded, error))
    return FALSE;
  self->announced_seq = ld_server_store_head_seq (self->store);
  return TRUE;
}

/* Our own socket: a deep accept queue (with GLib's default of 10, a burst of clients connecting
 * at once waits out a SYN retransmit, 1 s) and SO_REUSEPORT, so that workers share the port. */
static gboolean
listen_on (LdServer        *self,
           GSocketAddress  *address,
           GError         **error)
{
  g_autoptr(GTlsCertificate) cert = NULL;
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (g_socket_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return FALSE;
  g_socket_set_listen_backlog (socket, 1024);
#ifdef SO_REUSEPORT
  {
    /* g_socket_bind() would clear SO_REUSEPORT on a TCP socket: bind it ourselves. */
    struct sockaddr_storage native;
    gssize len = g_socket_address_get_native_size (address);

    if (!g_socket_set_option (socket, SOL_SOCKET, SO_REUSEADDR, 1, error)
        || !g_socket_set_option (socket, SOL_SOCKET, SO_REUSEPORT, 1, error)
        || !g_socket_address_to_native (address, &native, sizeof native, error))
      return FALSE;
    if (bind (g_socket_get_fd (socket), (struct sockaddr *) &native, (socklen_t) len) != 0)
      {
        int saved = errno;
        g_autofree char *where = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));

        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                     "Cannot listen on %s: %s", where, g_strerror (saved));
        return FALSE;
      }
  }
#else
  if (!g_socket_bind (socket, address, TRUE, error))
    return FALSE;
#endif
  if (!g_socket_listen (socket, error))
    return FALSE;
  g_clear_object (&self->address);
  self->address = g_socket_get_local_address (socket, NULL);
  g_object_get (self->soup, "tls-certificate", &cert, NULL);
  return soup_server_listen_socket (self->soup, socket, cert ? SOUP_SERVER_LISTEN_HTTPS : 0,
                                    error);
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
  g_autoptr(GSocket) probe = NULL;
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
  /* Nothing else may hold the port, even a SO_REUSEPORT group: a plain bind checks it (and
   * resolves port 0). */
  probe = g_socket_new (g_socket_address_get_family (sockaddr), G_SOCKET_TYPE_STREAM,
                        G_SOCKET_PROTOCOL_TCP, error);
  if (probe == NULL || !g_socket_bind (probe, sockaddr, TRUE, error))
    return FALSE;
  g_clear_object (&sockaddr);
  sockaddr = g_socket_get_local_address (probe, error);
  if (sockaddr == NULL)
    return FALSE;
  g_socket_close (probe, NULL);
  return listen_on (self, sockaddr, error);
}

/* Listens on the primary's address too, as one more worker. */
gboolean
ld_server_listen_like (LdServer  *self,
                       LdServer  *primary,
                       GError   **error)
{
  g_return_val_if_fail (LD_IS_SERVER (self) && LD_IS_SERVER (primary), FALSE);
  g_return_val_if_fail (primary->address != NULL, FALSE);

  return listen_on (self, primary->address, error);
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

/**
 * ld_server_drain:
 * @timeout_ms: how long in-flight requests may still take
 * @done: called once every request already started has been answered (or at the deadline)
 *
 * From now on new requests get 503 with "Connection: close"; requests already being read or
 * handled finish normally.
 */
void
ld_server_drain (LdServer    *self,
                 guint        timeout_ms,
                 GSourceFunc  done,
                 gpointer     user_data)
{
  Drain *drain = g_new0 (Drain, 1);

  g_return_if_fail (LD_IS_SERVER (self));

  self->draining = TRUE;
  drain->server = g_object_ref (self);
  drain->deadline_ms = timeout_ms;
  drain->started = g_get_monotonic_time ();
  drain->done = done;
  drain->user_data = user_data;
  ld_server_timeout_add (self, 20, drain_check_cb, drain);
}

/* Closes the listening sockets and the connections. */
void
ld_server_stop (LdServer *self)
{
  g_return_if_fail (LD_IS_SERVER (self));

  if (self->sockets != NULL)
    for (guint i = 0; i < self->sockets->len; i++)
      if (soup_websocket_connection_get_state (self->sockets->pdata[i])
          == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->sockets->pdata[i],
                                         SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "server stopping");
  if (self->soup != NULL)
    {
      soup_server_disconnect (self->soup);
      g_clear_object (&self->soup);
    }
}
