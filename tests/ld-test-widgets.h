/* ld-test-widgets.h: finding widgets in a real window, for the UI tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

GtkWidget *ld_test_find_widget           (GtkWidget  *root,
                                          GType       type);
GtkWidget *ld_test_find_labelled         (GtkWidget  *root,
                                          GType       type,
                                          const char *text);
gboolean   ld_test_has_label_containing  (GtkWidget  *root,
                                          const char *text);

G_END_DECLS
