/* ld-test-server.h: a real landdesk-server on 127.0.0.1 for the duration of a test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  GSubprocess *process;
  char        *data_dir;
  char        *url;       /* "http://127.0.0.1:PORT/" */
  GDataInputStream *lines; /* its stdout after the URL line */
  GThread     *err_reader; /* drains stderr into err, so the server never blocks logging */
  GMutex       err_lock;
  GString     *err;
  SoupSession *session;
} LdTestServer;

/* One HTTP exchange with the server under test. */
typedef struct
{
  guint               status;
  GBytes             *body;
  SoupMessageHeaders *headers;   /* response headers */
  JsonNode           *json;      /* the body parsed, when it is JSON */
} LdTestResponse;

LdTestServer *ld_test_server_start (const char   *data_dir,
                                    const char   *first_extra_arg,
                                    ...);
char         *ld_test_server_url   (LdTestServer *server,
                                    const char   *path);
int           ld_test_server_stop  (LdTestServer *server,
                                    char        **err_out);
void          ld_test_server_free  (LdTestServer *server);

LdTestResponse *ld_test_server_call   (LdTestServer *server,
                                       const char   *method,
                                       const char   *path,
                                       const char   *token,
                                       const char   *content_type,
                                       const char   *body,
                                       gssize        body_len,
                                       const char   *first_header,
                                       ...);
char           *ld_test_server_login  (LdTestServer *server,
                                       const char   *login,
                                       const char   *password);
JsonObject     *ld_test_response_object (LdTestResponse *response);
gint64          ld_test_server_head_seq (LdTestServer  *server);
const char     *ld_test_response_message (LdTestResponse *response);
void            ld_test_response_free (LdTestResponse *response);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LdTestServer, ld_test_server_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LdTestResponse, ld_test_response_free)

G_END_DECLS
