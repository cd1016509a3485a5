/* ld-case-page.h: one case: its data, clock, red line, opinion, actions, timeline, files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ld-core.h"

G_BEGIN_DECLS

#define LD_TYPE_CASE_PAGE (ld_case_page_get_type ())

G_DECLARE_FINAL_TYPE (LdCasePage, ld_case_page, LD, CASE_PAGE, GtkWidget)

GtkWidget  *ld_case_page_new         (void);
void        ld_case_page_set_store   (LdCasePage *self,
                                      LdStore    *store);
void        ld_case_page_set_user    (LdCasePage *self,
                                      LdUser     *user);
void        ld_case_page_show_case   (LdCasePage *self,
                                      const char *case_id);
const char *ld_case_page_get_case_id (LdCasePage *self);
gboolean    ld_case_page_act         (LdCasePage *self,
                                      const char *action,
                                      const char *to,
                                      GError    **error);

LdRedline  *ld_case_page_preview_redline (LdCasePage *self,
                                          GFile      *file,
                                          gboolean    make_valid,
                                          GError    **error);
gboolean    ld_case_page_accept_redline  (LdCasePage *self,
                                          GError    **error);

G_END_DECLS
