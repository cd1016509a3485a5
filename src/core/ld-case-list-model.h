/* ld-case-list-model.h: a lazy GListModel of a case list, read from the store page by page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-store.h"

G_BEGIN_DECLS

#define LD_TYPE_CASE_LIST_MODEL (ld_case_list_model_get_type ())

G_DECLARE_FINAL_TYPE (LdCaseListModel, ld_case_list_model, LD, CASE_LIST_MODEL, GObject)

LdCaseListModel *ld_case_list_model_new       (LdStore           *store);
void             ld_case_list_model_set_query (LdCaseListModel   *self,
                                               const LdCaseQuery *query);
gboolean         ld_case_list_model_refresh   (LdCaseListModel   *self,
                                               GError           **error);

G_END_DECLS
