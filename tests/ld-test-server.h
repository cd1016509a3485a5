/* ld-test-server.h: a real landdesk-server on 127.0.0.1 for the duration of a test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  GSubprocess *process;
  char        *data_dir;
  char        *url;       /* "http://127.0.0.1:PORT/" */
} LdTestServer;

LdTestServer *ld_test_server_start (const char   *data_dir,
                                    const char   *first_extra_arg,
                                    ...);
char         *ld_test_server_url   (LdTestServer *server,
                                    const char   *path);
int           ld_test_server_stop  (LdTestServer *server,
                                    char        **err_out);
void          ld_test_server_free  (LdTestServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LdTestServer, ld_test_server_free)

G_END_DECLS
