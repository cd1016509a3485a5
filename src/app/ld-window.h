/* ld-window.h: the main window: case lists beside the map
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ld-application.h"
#include "ld-case-list-row.h"
#include "ld-core.h"

G_BEGIN_DECLS

#define LD_TYPE_WINDOW (ld_window_get_type ())

G_DECLARE_FINAL_TYPE (LdWindow, ld_window, LD, WINDOW, AdwApplicationWindow)

LdWindow *ld_window_new                   (LdApplication        *application);
gboolean  ld_window_open_store            (LdWindow             *self,
                                           const char           *path);
gboolean  ld_window_set_view              (LdWindow             *self,
                                           const char           *view,
                                           GError              **error);
void      ld_window_connect_server        (LdWindow             *self,
                                           const char           *server_url);
LdCaseListRow *ld_window_get_list_row     (LdWindow             *self,
                                           LdCaseList            list);
gboolean  ld_window_add_overlays          (LdWindow             *self,
                                           const char           *path);
void      ld_window_save_screenshot_async (LdWindow             *self,
                                           GFile                *file,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean  ld_window_save_screenshot_finish (LdWindow            *self,
                                            GAsyncResult        *result,
                                            GError             **error);

G_END_DECLS
