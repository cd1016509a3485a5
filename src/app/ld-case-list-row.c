/* ld-case-list-row.c: a sidebar row naming a case list and how many cases it holds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ld-case-list-row.h"

struct _LdCaseListRow
{
  GtkListBoxRow  parent_instance;

  guint          count;

  GtkImage      *icon;
  GtkLabel      *title_label;
  GtkLabel      *count_label;
};

G_DEFINE_FINAL_TYPE (LdCaseListRow, ld_case_list_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_ICON_NAME,
  PROP_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ld_case_list_row_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  LdCaseListRow *self = LD_CASE_LIST_ROW (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, ld_case_list_row_get_title (self));
      break;
    case PROP_ICON_NAME:
      g_value_set_string (value, gtk_image_get_icon_name (self->icon));
      break;
    case PROP_COUNT:
      g_value_set_uint (value, self->count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_case_list_row_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  LdCaseListRow *self = LD_CASE_LIST_ROW (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      ld_case_list_row_set_title (self, g_value_get_string (value));
      break;
    case PROP_ICON_NAME:
      gtk_image_set_from_icon_name (self->icon, g_value_get_string (value));
      break;
    case PROP_COUNT:
      ld_case_list_row_set_count (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_case_list_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), LD_TYPE_CASE_LIST_ROW);

  G_OBJECT_CLASS (ld_case_list_row_parent_class)->dispose (object);
}

static void
ld_case_list_row_class_init (LdCaseListRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_case_list_row_dispose;
  object_class->get_property = ld_case_list_row_get_property;
  object_class->set_property = ld_case_list_row_set_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ICON_NAME] =
    g_param_spec_string ("icon-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_COUNT] =
    g_param_spec_uint ("count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/ld-case-list-row.ui");
  gtk_widget_class_bind_template_child (widget_class, LdCaseListRow, icon);
  gtk_widget_class_bind_template_child (widget_class, LdCaseListRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, LdCaseListRow, count_label);
}

static void
ld_case_list_row_init (LdCaseListRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_label_set_text (self->count_label, "0");
}

const char *
ld_case_list_row_get_title (LdCaseListRow *self)
{
  g_return_val_if_fail (LD_IS_CASE_LIST_ROW (self), NULL);
  return gtk_label_get_text (self->title_label);
}

void
ld_case_list_row_set_title (LdCaseListRow *self,
                            const char    *title)
{
  g_return_if_fail (LD_IS_CASE_LIST_ROW (self));

  if (g_strcmp0 (title, gtk_label_get_text (self->title_label)) == 0)
    return;
  gtk_label_set_text (self->title_label, title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

guint
ld_case_list_row_get_count (LdCaseListRow *self)
{
  g_return_val_if_fail (LD_IS_CASE_LIST_ROW (self), 0);
  return self->count;
}

void
ld_case_list_row_set_count (LdCaseListRow *self,
                            guint          count)
{
  g_autofree char *text = NULL;

  g_return_if_fail (LD_IS_CASE_LIST_ROW (self));

  if (self->count == count)
    return;
  self->count = count;
  text = g_strdup_printf ("%u", count);
  gtk_label_set_text (self->count_label, text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
}
