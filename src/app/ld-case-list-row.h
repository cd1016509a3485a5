/* ld-case-list-row.h: a sidebar row naming a case list and how many cases it holds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LD_TYPE_CASE_LIST_ROW (ld_case_list_row_get_type ())

G_DECLARE_FINAL_TYPE (LdCaseListRow, ld_case_list_row, LD, CASE_LIST_ROW, GtkListBoxRow)

const char *ld_case_list_row_get_title (LdCaseListRow *self);
void        ld_case_list_row_set_title (LdCaseListRow *self,
                                        const char    *title);
guint       ld_case_list_row_get_count (LdCaseListRow *self);
void        ld_case_list_row_set_count (LdCaseListRow *self,
                                        guint          count);

G_END_DECLS
