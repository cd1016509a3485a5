/* ld-store-private.h: what ld-store-sync.c needs of the store's internals
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "ld-store.h"

G_BEGIN_DECLS

sqlite3  *ld_store_get_db        (LdStore     *self);
gboolean  ld_store_refresh_clock (LdStore     *self,
                                  const char  *case_id,
                                  GError     **error);

G_END_DECLS
