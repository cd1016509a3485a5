/* ld-case-row.c: one case in a case list: light, days left, number, type, project, applicant
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ld-case-row.h"
#include "ld-labels.h"

struct _LdCaseRow
{
  GtkWidget  parent_instance;

  GtkWidget *light;
  GtkLabel  *number_label;
  GtkLabel  *type_label;
  GtkLabel  *days_label;
  GtkLabel  *title_label;
  GtkLabel  *applicant_label;
};

G_DEFINE_FINAL_TYPE (LdCaseRow, ld_case_row, GTK_TYPE_WIDGET)

static const char * const light_classes[] = { "light-none", "light-green", "light-yellow",
                                              "light-red" };

static void
ld_case_row_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), LD_TYPE_CASE_ROW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (ld_case_row_parent_class)->dispose (object);
}

static void
ld_case_row_class_init (LdCaseRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_case_row_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ld-case-row.ui");
  gtk_widget_class_bind_template_child (widget_class, LdCaseRow, light);
  gtk_widget_class_bind_template_child (widget_class, LdCaseRow, number_label);
  gtk_widget_class_bind_template_child (widget_class, LdCaseRow, type_label);
  gtk_widget_class_bind_template_child (widget_class, LdCaseRow, days_label);
  gtk_widget_class_bind_template_child (widget_class, LdCaseRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, LdCaseRow, applicant_label);
}

static void
ld_case_row_init (LdCaseRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ld_case_row_new (void)
{
  return g_object_new (LD_TYPE_CASE_ROW, NULL);
}

/* "3 days left", "2 days overdue", "Paused": what a reviewer reads first. */
char *
ld_case_row_days_text (const LdClock *clock)
{
  if (clock == NULL || !clock->has_deadline)
    return g_strdup ("—");
  if (clock->paused)
    return g_strdup_printf (_("Paused, %d left"), clock->remaining);
  if (clock->remaining >= 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d working day left",
                                         "%d working days left", clock->remaining),
                            clock->remaining);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d working day overdue",
                                       "%d working days overdue", -clock->remaining),
                          -clock->remaining);
}

/**
 * ld_case_row_set_case:
 * @matter: (nullable): the case's matter, for the case type's name
 */
void
ld_case_row_set_case (LdCaseRow *self,
                      LdCase    *kase,
                      LdMatter  *matter)
{
  const LdClock *clock = ld_case_get_clock (kase);
  g_autofree char *days = ld_case_row_days_text (clock);
  LdLight light = clock != NULL ? clock->light : LD_LIGHT_NONE;

  g_return_if_fail (LD_IS_CASE_ROW (self));

  for (guint i = 0; i < G_N_ELEMENTS (light_classes); i++)
    gtk_widget_remove_css_class (self->light, light_classes[i]);
  gtk_widget_add_css_class (self->light, light_classes[light]);
  gtk_widget_set_tooltip_text (self->light, ld_labels_light (ld_light_to_string (light)));

  gtk_label_set_text (self->number_label, ld_case_get (kase, LD_CASE_NUMBER));
  gtk_label_set_text (self->type_label, matter != NULL ? ld_matter_get_case_type_name (matter)
                                                      : ld_case_get_case_type (kase));
  gtk_label_set_text (self->days_label, days);
  gtk_label_set_text (self->title_label, ld_case_get (kase, LD_CASE_TITLE));
  gtk_label_set_text (self->applicant_label, ld_case_get (kase, LD_CASE_APPLICANT));
}
