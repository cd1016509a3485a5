/* ld-offline-area-dialog.h: estimate, download and resume an offline area
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ld-core.h"

G_BEGIN_DECLS

#define LD_TYPE_OFFLINE_AREA_DIALOG (ld_offline_area_dialog_get_type ())

G_DECLARE_FINAL_TYPE (LdOfflineAreaDialog, ld_offline_area_dialog, LD, OFFLINE_AREA_DIALOG,
                      AdwWindow)

LdOfflineAreaDialog *ld_offline_area_dialog_new        (GtkWindow   *parent,
                                                        const char  *server_url,
                                                        LdStore     *store,
                                                        const char  *login,
                                                        GVariant    *corners,
                                                        GError     **error);
void                 ld_offline_area_dialog_set_password (LdOfflineAreaDialog *self,
                                                          const char          *password);
void                 ld_offline_area_dialog_estimate   (LdOfflineAreaDialog *self);
void                 ld_offline_area_dialog_start      (LdOfflineAreaDialog *self);
gboolean             ld_offline_area_dialog_get_busy   (LdOfflineAreaDialog *self);
const char          *ld_offline_area_dialog_get_status (LdOfflineAreaDialog *self);
const char          *ld_offline_area_dialog_get_estimate_text (LdOfflineAreaDialog *self);
double               ld_offline_area_dialog_get_fraction (LdOfflineAreaDialog *self);

G_END_DECLS
