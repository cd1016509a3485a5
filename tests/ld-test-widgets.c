/* ld-test-widgets.c: finding widgets in a real window, for the UI tests
 *
 * Depth first, in the order GTK keeps the children: the first match is the one a reader of the
 * window sees first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "ld-test-widgets.h"

/* The first widget of @type under @root (not @root itself). */
GtkWidget *
ld_test_find_widget (GtkWidget *root,
                     GType      type)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type))
        return c;
      if ((found = ld_test_find_widget (c, type)) != NULL)
        return found;
    }
  return NULL;
}

/* What a button, a preferences row or a label shows as its text; NULL for other widgets. */
static const char *
text_of (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget))
    return gtk_button_get_label (GTK_BUTTON (widget));
  if (ADW_IS_PREFERENCES_ROW (widget))
    return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget));
  if (GTK_IS_LABEL (widget))
    return gtk_label_get_text (GTK_LABEL (widget));
  return NULL;
}

/* The first widget of @type under @root whose label (or title) is @text. */
GtkWidget *
ld_test_find_labelled (GtkWidget  *root,
                       GType       type,
                       const char *text)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type) && g_strcmp0 (text_of (c), text) == 0)
        return c;
      if ((found = ld_test_find_labelled (c, type, text)) != NULL)
        return found;
    }
  return NULL;
}

/* Whether some label under @root contains @text. */
gboolean
ld_test_has_label_containing (GtkWidget  *root,
                              const char *text)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    if ((GTK_IS_LABEL (c) && strstr (gtk_label_get_text (GTK_LABEL (c)), text) != NULL) ||
        ld_test_has_label_containing (c, text))
      return TRUE;
  return FALSE;
}
