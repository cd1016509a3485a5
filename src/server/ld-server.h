/* ld-server.h: the landdesk-server HTTP front (libsoup)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LD_SERVER_ERROR (ld_server_error_quark ())

typedef enum
{
  LD_SERVER_ERROR_DATA_DIR,
  LD_SERVER_ERROR_LISTEN,
  LD_SERVER_ERROR_TLS,
  LD_SERVER_ERROR_DEMO,
} LdServerError;

#define LD_TYPE_SERVER (ld_server_get_type ())

G_DECLARE_FINAL_TYPE (LdServer, ld_server, LD, SERVER, GObject)

GQuark      ld_server_error_quark   (void);

LdServer   *ld_server_new           (const char  *data_dir,
                                     GError     **error);
LdServer   *ld_server_new_worker    (LdServer    *primary,
                                     GError     **error);
gboolean    ld_server_listen_like   (LdServer    *self,
                                     LdServer    *primary,
                                     GError     **error);
void        ld_server_set_token_ttl (LdServer    *self,
                                     gint64       seconds);
gboolean    ld_server_set_tls       (LdServer    *self,
                                     const char  *cert_file,
                                     const char  *key_file,
                                     GError     **error);
gboolean    ld_server_init_demo     (LdServer    *self,
                                     const char  *gpkg,
                                     const char  *password,
                                     gboolean    *loaded,
                                     GError     **error);
gboolean    ld_server_set_basemap   (LdServer    *self,
                                     const char  *path,
                                     GError     **error);
gboolean    ld_server_listen        (LdServer    *self,
                                     const char  *address,
                                     GError     **error);
char       *ld_server_dup_url       (LdServer    *self);
void        ld_server_drain         (LdServer    *self,
                                     guint        timeout_ms,
                                     GSourceFunc  done,
                                     gpointer     user_data);
void        ld_server_stop          (LdServer    *self);

G_END_DECLS
