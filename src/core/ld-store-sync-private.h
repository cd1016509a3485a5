/* ld-store-sync-private.h: the store's connection, for ld-store-sync.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "ld-store.h"

G_BEGIN_DECLS

sqlite3  *ld_store_get_db        (LdStore     *self);

G_END_DECLS
