/* ld-server-private.h: what the route files of LdServer share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ld-server.h"
#include "ld-server-store.h"

G_BEGIN_DECLS

/* Request bodies: JSON routes and one blob upload request (larger blobs go in several
 * Content-Range pieces). */
#define LD_SERVER_MAX_JSON_BODY   (4 * 1024 * 1024)
#define LD_SERVER_MAX_BLOB_PIECE  (64 * 1024 * 1024)
#define LD_SERVER_MAX_BLOB_SIZE   (G_GINT64_CONSTANT (4) * 1024 * 1024 * 1024)

typedef struct _LdServerMetrics LdServerMetrics;

/* What the workers (one LdServer per thread) share; metrics lock themselves. */
typedef struct
{
  gatomicrefcount  ref;
  GMutex           lock;           /* guards failures */
  GHashTable      *failures;       /* "login:NAME" / "peer:ADDR" -> LoginFailures */
  LdServerMetrics *metrics;
} LdServerShared;

struct _LdServer
{
  GObject          parent_instance;

  char            *data_dir;
  char            *layers_path;    /* DIR/layers.gpkg, the OGC collections; may not exist */
  LdServerStore   *store;
  SoupServer      *soup;
  gint64           started_at;
  gint64           token_ttl;      /* seconds */
  LdServerShared  *shared;
  LdServerMetrics *metrics;        /* shared->metrics */
  GMainContext    *context;        /* the thread's own, where this worker's sources run */
  GSource         *poll_source;    /* notices changes written by other workers */
  GSocketAddress  *address;        /* where it listens */
  GPtrArray       *sockets;        /* SoupWebsocketConnection listening to /api/v1/events */
  gint64           announced_seq;
  guint            in_flight;      /* requests whose headers arrived and not yet answered */
  gboolean         draining;
  gpointer         ogc;            /* LdServerOgc, opened on first use */
  char            *basemap_path;   /* --basemap FILE.mbtiles, or NULL */
  gpointer         extract;        /* LdServerExtract (ld-server-extract.c), opened on first use */
  GHashTable      *sessions;       /* token -> LdCachedSession: skips the store for 10 s */
  GHashTable      *pages;          /* "viewer|since|limit" -> GBytes, valid at pages_head */
  gint64           pages_head;
};

/* helpers (ld-server.c) */
guint         ld_server_timeout_add      (LdServer           *self,
                                          guint               ms,
                                          GSourceFunc         func,
                                          gpointer            data);
void          ld_server_send_json_text   (SoupServerMessage  *msg,
                                          guint               status,
                                          const char         *content_type,
                                          char               *text);
void          ld_server_send_json        (SoupServerMessage  *msg,
                                          guint               status,
                                          JsonBuilder        *builder);
void          ld_server_send_error       (SoupServerMessage  *msg,
                                          guint               status,
                                          const char         *format,
                                          ...) G_GNUC_PRINTF (3, 4);
JsonNode     *ld_server_parse_body       (SoupServerMessage  *msg);
gboolean      ld_server_method_is        (SoupServerMessage  *msg,
                                          const char         *method);
char         *ld_server_peer             (SoupServerMessage  *msg);
void          ld_server_request_detached (LdServer           *self,
                                          SoupServerMessage  *msg);
void          ld_server_route            (LdServer           *self,
                                          const char         *path,
                                          SoupServerCallback  callback);

/* auth (ld-server-auth.c) */
void          ld_server_auth_register    (LdServer           *self);
LdServerUser *ld_server_authenticate     (LdServer           *self,
                                          SoupServerMessage  *msg);
gboolean      ld_server_role_is_valid    (const char         *role);
const char * const *ld_server_role_stages (const char        *role);
gboolean      ld_server_role_sees_all    (const char         *role);
void          ld_server_viewer_init      (LdServerViewer     *viewer,
                                          const LdServerUser *user);
char         *ld_server_hash_password    (const char         *password,
                                          GError            **error);

/* routes */
void          ld_server_changes_register (LdServer           *self);
void          ld_server_ops_register     (LdServer           *self);
void          ld_server_blobs_register   (LdServer           *self);
gboolean      ld_server_blob_exists      (LdServer           *self,
                                          const char         *sha256);
void          ld_server_ogc_register     (LdServer           *self);
void          ld_server_ogc_free         (gpointer            ogc);
void          ld_server_events_register  (LdServer           *self);
void          ld_server_extract_register (LdServer           *self);
void          ld_server_extract_free     (gpointer            extract);
void          ld_server_events_notify    (LdServer           *self);

/* metrics (ld-server-metrics.c) */
LdServerMetrics *ld_server_metrics_new      (void);
void          ld_server_metrics_free     (LdServerMetrics    *metrics);
void          ld_server_metrics_request  (LdServerMetrics    *metrics,
                                          const char         *route,
                                          guint               status,
                                          double              seconds);
void          ld_server_metrics_op       (LdServerMetrics    *metrics,
                                          const char         *result);
void          ld_server_metrics_register (LdServer           *self);

/* demo (ld-server-demo.c) */
gboolean      ld_server_load_demo        (LdServer           *self,
                                          const char         *gpkg,
                                          const char         *password,
                                          gboolean           *loaded,
                                          GError            **error);

G_END_DECLS
