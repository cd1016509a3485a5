/* ld-sync.h: the sync client: push the outbox, pull the change feed, move the blobs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-store.h"
#include "ld-store-sync.h"

G_BEGIN_DECLS

#define LD_SYNC_ERROR (ld_sync_error_quark ())

typedef enum
{
  LD_SYNC_ERROR_NETWORK,    /* the server cannot be reached (retried with backoff first) */
  LD_SYNC_ERROR_AUTH,       /* wrong user or password, or the token expired */
  LD_SYNC_ERROR_SERVER,     /* the server answered with an error */
  LD_SYNC_ERROR_PROTOCOL,   /* the answer is not what the sync contract says */
  LD_SYNC_ERROR_BLOB,       /* an attachment's content is missing or damaged */
} LdSyncError;

/* Called after each HTTP exchange (for the fault-injection tests): @n counts them from 1. */
typedef void (*LdSyncRequestHook) (const char *method,
                                   const char *path,
                                   guint       status,
                                   guint       n,
                                   gpointer    user_data);

#define LD_TYPE_SYNC (ld_sync_get_type ())

G_DECLARE_FINAL_TYPE (LdSync, ld_sync, LD, SYNC, GObject)

GQuark       ld_sync_error_quark       (void);

LdSync      *ld_sync_new               (const char         *server_url);
const char  *ld_sync_get_server_url    (LdSync             *self);
void         ld_sync_set_credentials   (LdSync             *self,
                                        const char         *login,
                                        const char         *password);
const char  *ld_sync_get_login         (LdSync             *self);
void         ld_sync_set_token         (LdSync             *self,
                                        const char         *token);
char        *ld_sync_dup_token         (LdSync             *self);
void         ld_sync_set_retries       (LdSync             *self,
                                        guint               max_retries,
                                        guint               base_ms);
void         ld_sync_set_page_sizes    (LdSync             *self,
                                        guint               push_batch,
                                        guint               pull_page,
                                        gsize               blob_chunk);
void         ld_sync_set_request_hook  (LdSync             *self,
                                        LdSyncRequestHook   hook,
                                        gpointer            user_data);
gboolean     ld_sync_get_online        (LdSync             *self);
gboolean     ld_sync_get_busy          (LdSync             *self);

guint        ld_sync_backoff_ms        (guint               attempt,
                                        guint               base_ms,
                                        guint               max_ms,
                                        double              jitter);

gboolean     ld_sync_login             (LdSync             *self,
                                        GCancellable       *cancellable,
                                        GError            **error);
gboolean     ld_sync_run               (LdSync             *self,
                                        LdStore            *store,
                                        LdSyncCounts       *counts,
                                        GCancellable       *cancellable,
                                        GError            **error);
gboolean     ld_sync_push              (LdSync             *self,
                                        LdStore            *store,
                                        LdSyncCounts       *counts,
                                        GCancellable       *cancellable,
                                        GError            **error);
gboolean     ld_sync_pull              (LdSync             *self,
                                        LdStore            *store,
                                        LdSyncCounts       *counts,
                                        GCancellable       *cancellable,
                                        GError            **error);
void         ld_sync_run_async         (LdSync             *self,
                                        const char         *store_path,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean     ld_sync_run_finish        (LdSync             *self,
                                        GAsyncResult       *result,
                                        LdSyncCounts       *counts,
                                        GError            **error);

void         ld_sync_watch             (LdSync             *self);
void         ld_sync_unwatch           (LdSync             *self);

char        *ld_sync_token_path        (const char         *server_url,
                                        const char         *login);
gboolean     ld_sync_save_token        (LdSync             *self,
                                        GError            **error);
gboolean     ld_sync_load_token        (LdSync             *self);
gboolean     ld_sync_forget_token      (LdSync             *self,
                                        GError            **error);

G_END_DECLS
