/* ld-report.h: the pre-review overlay report, a PDF for the case file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LD_REPORT_ERROR (ld_report_error_quark ())

typedef enum
{
  LD_REPORT_ERROR_OPEN,    /* the store, a palette or the case cannot be read */
  LD_REPORT_ERROR_WRITE,   /* the PDF cannot be written */
} LdReportError;

#define LD_TYPE_REPORT (ld_report_get_type ())

G_DECLARE_FINAL_TYPE (LdReport, ld_report, LD, REPORT, GObject)

GQuark    ld_report_error_quark (void);
LdReport *ld_report_new         (const char  *store,
                                 GError     **error);
gboolean  ld_report_write       (LdReport    *self,
                                 const char  *case_ref,
                                 const char  *pdf,
                                 GError     **error);

G_END_DECLS
