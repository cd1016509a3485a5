/* ld-window.c: the main window: case lists beside the map
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ld-case-list-row.h"
#include "ld-overlay-layer.h"
#include "ld-window-private.h"

G_DEFINE_FINAL_TYPE (LdWindow, ld_window, ADW_TYPE_APPLICATION_WINDOW)

static void
restore_state (LdWindow *self)
{
  ShumateViewport *viewport = shumate_simple_map_get_viewport (self->map);
  ShumateMap *map = shumate_simple_map_get_map (self->map);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  adw_flap_set_reveal_flap (self->flap, g_settings_get_boolean (self->settings, "sidebar-visible"));

  shumate_viewport_set_zoom_level (viewport, g_settings_get_double (self->settings, "map-zoom"));
  shumate_map_center_on (map,
                         g_settings_get_double (self->settings, "map-latitude"),
                         g_settings_get_double (self->settings, "map-longitude"));
}

static void
save_state (LdWindow *self)
{
  ShumateViewport *viewport = shumate_simple_map_get_viewport (self->map);
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_set_boolean (self->settings, "sidebar-visible", adw_flap_get_reveal_flap (self->flap));
  g_settings_set_double (self->settings, "map-latitude",
                         shumate_location_get_latitude (SHUMATE_LOCATION (viewport)));
  g_settings_set_double (self->settings, "map-longitude",
                         shumate_location_get_longitude (SHUMATE_LOCATION (viewport)));
  g_settings_set_double (self->settings, "map-zoom", shumate_viewport_get_zoom_level (viewport));
  g_settings_apply (self->settings);
}

static gboolean
ld_window_close_request (GtkWindow *window)
{
  save_state (LD_WINDOW (window));

  return GTK_WINDOW_CLASS (ld_window_parent_class)->close_request (window);
}

static void
ld_window_dispose (GObject *object)
{
  LdWindow *self = LD_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_WINDOW);
  g_clear_object (&self->basemap_source);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ld_window_parent_class)->dispose (object);
}

static void
ld_window_class_init (LdWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ld_window_dispose;
  window_class->close_request = ld_window_close_request;

  g_type_ensure (LD_TYPE_CASE_LIST_ROW);
  g_type_ensure (SHUMATE_TYPE_SIMPLE_MAP);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ld-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LdWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, case_lists);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, map);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, toasts);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.toggle-sidebar", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
}

static void
toggle_sidebar_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  LdWindow *self = user_data;

  adw_flap_set_reveal_flap (self->flap, !adw_flap_get_reveal_flap (self->flap));
}

static void
ld_window_init (LdWindow *self)
{
  const GActionEntry entries[] = {
    { "toggle-sidebar", toggle_sidebar_action },
  };

  gtk_widget_init_template (GTK_WIDGET (self));
  /* China measures in metres only. */
  shumate_scale_set_unit (shumate_simple_map_get_scale (self->map), SHUMATE_UNIT_METRIC);
  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  if (DEVELOPMENT)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

LdWindow *
ld_window_new (LdApplication *application)
{
  LdWindow *self = g_object_new (LD_TYPE_WINDOW, "application", application, NULL);

  self->settings = g_object_ref (ld_application_get_settings (application));
  restore_state (self);
  return self;
}

/**
 * ld_window_load_basemap:
 * @path: an MBTiles file
 *
 * Shows @path as the base map. When it cannot be opened the map stays empty and a toast
 * says why and how to make one; returns %FALSE then.
 */
gboolean
ld_window_load_basemap (LdWindow   *self,
                        const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdMbtiles) mbtiles = ld_mbtiles_open (path, &error);
  g_autoptr(ShumateRasterRenderer) renderer = NULL;
  g_autofree char *license = NULL;

  g_return_val_if_fail (LD_IS_WINDOW (self), FALSE);

  if (mbtiles == NULL)
    {
      g_autofree char *text =
        g_strdup_printf (_("No base map: %s. Create one with the command: landdesk-cli basemap --out FILE"),
                         error->message);

      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
      return FALSE;
    }

  g_clear_object (&self->basemap_source);
  self->basemap_source = ld_mbtiles_source_new (mbtiles);
  license = ld_mbtiles_dup_metadata (mbtiles, "attribution");
  renderer = shumate_raster_renderer_new_full ("landdesk-basemap", _("Offline base map"),
                                               license ? license : "", NULL,
                                               ld_mbtiles_source_get_min_zoom (self->basemap_source),
                                               19, LD_TILE_SIZE,
                                               SHUMATE_MAP_PROJECTION_MERCATOR,
                                               SHUMATE_DATA_SOURCE (self->basemap_source));
  shumate_simple_map_set_map_source (self->map, SHUMATE_MAP_SOURCE (renderer));
  return TRUE;
}

/**
 * ld_window_add_overlays:
 * @path: a GeoPackage with LandDesk's layers (a local store, or the demo's)
 *
 * Shows the layers of @path that have a palette over the base map, as tiles rendered off the
 * main thread. When @path cannot be opened a toast says why; returns %FALSE then.
 */
gboolean
ld_window_add_overlays (LdWindow   *self,
                        const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) layers = NULL;

  g_return_val_if_fail (LD_IS_WINDOW (self), FALSE);

  layers = ld_overlay_layers_new_for_store (shumate_simple_map_get_viewport (self->map), path,
                                            &error);
  if (layers == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Cannot show the map layers: %s"), error->message);

      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
      return FALSE;
    }
  for (guint i = 0; i < layers->len; i++)
    shumate_simple_map_add_overlay_layer (self->map, layers->pdata[i]);
  return TRUE;
}
