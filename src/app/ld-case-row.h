/* ld-case-row.h: one case in a case list: light, days left, number, type, project, applicant
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ld-core.h"

G_BEGIN_DECLS

#define LD_TYPE_CASE_ROW (ld_case_row_get_type ())

G_DECLARE_FINAL_TYPE (LdCaseRow, ld_case_row, LD, CASE_ROW, GtkWidget)

GtkWidget *ld_case_row_new      (void);
void       ld_case_row_set_case (LdCaseRow *self,
                                 LdCase    *kase,
                                 LdMatter  *matter);
char      *ld_case_row_days_text (const LdClock *clock);

G_END_DECLS
