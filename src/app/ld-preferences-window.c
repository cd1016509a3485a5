/* ld-preferences-window.c: the base map and other settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ld-core.h"
#include "ld-preferences-window.h"

struct _LdPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  AdwComboRow          *basemap_row;
  AdwEntryRow          *tianditu_key_row;
  AdwEntryRow          *custom_url_row;
};

G_DEFINE_FINAL_TYPE (LdPreferencesWindow, ld_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The combo row lists the kinds in LdBasemapKind order. */
static gboolean
basemap_to_row (GValue   *value,
                GVariant *variant,
                gpointer  user_data)
{
  LdBasemapKind kind;

  if (!ld_basemap_kind_from_id (g_variant_get_string (variant, NULL), &kind))
    return FALSE;
  g_value_set_uint (value, kind);
  return TRUE;
}

static GVariant *
row_to_basemap (const GValue       *value,
                const GVariantType *expected_type,
                gpointer            user_data)
{
  guint selected = g_value_get_uint (value);

  if (selected > LD_BASEMAP_NONE)
    return NULL;
  return g_variant_new_string (ld_basemap_kind_to_id ((LdBasemapKind) selected));
}

static void
ld_preferences_window_dispose (GObject *object)
{
  LdPreferencesWindow *self = LD_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ld_preferences_window_parent_class)->dispose (object);
}

static void
ld_preferences_window_class_init (LdPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/ld-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, basemap_row);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, tianditu_key_row);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, custom_url_row);
}

/* A template the map could not use is marked as it is typed; the map keeps the last one. */
static void
custom_url_changed_cb (GtkEditable         *editable,
                       LdPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (editable);
  gboolean usable = *text == '\0' || ld_basemap_check_url_template (text, NULL);

  if (usable)
    gtk_widget_remove_css_class (GTK_WIDGET (editable), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (editable), "error");
}

static void
ld_preferences_window_init (LdPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

LdPreferencesWindow *
ld_preferences_window_new (GtkWindow *parent,
                           GSettings *settings)
{
  LdPreferencesWindow *self = g_object_new (LD_TYPE_PREFERENCES_WINDOW,
                                            "transient-for", parent,
                                            "modal", TRUE,
                                            NULL);

  self->settings = g_object_ref (settings);
  g_settings_bind_with_mapping (settings, "basemap", self->basemap_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, basemap_to_row, row_to_basemap,
                                NULL, NULL);
  g_settings_bind (settings, "tianditu-key", self->tianditu_key_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "basemap-url", self->custom_url_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect (self->custom_url_row, "changed", G_CALLBACK (custom_url_changed_cb), self);
  custom_url_changed_cb (GTK_EDITABLE (self->custom_url_row), self);
  return self;
}
