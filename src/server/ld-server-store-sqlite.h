/* ld-server-store-sqlite.h: the embedded back end, one SQLite file in WAL mode
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ld-server-store.h"

G_BEGIN_DECLS

#define LD_TYPE_SERVER_STORE_SQLITE (ld_server_store_sqlite_get_type ())

G_DECLARE_FINAL_TYPE (LdServerStoreSqlite, ld_server_store_sqlite, LD, SERVER_STORE_SQLITE, GObject)

LdServerStore *ld_server_store_sqlite_open (const char  *path,
                                            GError     **error);

G_END_DECLS
