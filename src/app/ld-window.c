/* ld-window.c: the main window: case lists beside the map
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ld-case-list-row.h"
#include "ld-sync-indicator.h"
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

  ld_window_workbench_dispose (self);
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
  g_type_ensure (LD_TYPE_CASE_PAGE);
  g_type_ensure (SHUMATE_TYPE_SIMPLE_MAP);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ld-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LdWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, map);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, toasts);
  ld_window_workbench_class_init (widget_class);

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
  ld_window_workbench_init (self);
  /* China measures in metres only. */
  shumate_scale_set_unit (shumate_simple_map_get_scale (self->map), SHUMATE_UNIT_METRIC);
  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  if (DEVELOPMENT)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}


/* The offline MBTiles file. When it cannot be opened the map stays empty and a toast says
 * why and how to make one. */
static void
show_offline_basemap (LdWindow *self)
{
  g_autofree char *path = g_settings_get_string (self->settings, "basemap-file");
  g_autoptr(GError) error = NULL;
  g_autoptr(LdMbtiles) mbtiles = NULL;
  g_autoptr(ShumateRasterRenderer) renderer = NULL;
  g_autofree char *license = NULL;

  if (path[0] == '\0')
    {
      g_autofree char *dir = ld_paths_user_data_dir ();

      g_free (path);
      path = g_build_filename (dir, "basemap.mbtiles", NULL);
    }
  mbtiles = ld_mbtiles_open (path, &error);
  if (mbtiles == NULL)
    {
      g_autofree char *text =
        g_strdup_printf (_("No base map: %s. Create one with the command: landdesk-cli basemap --out FILE"),
                         error->message);

      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
      shumate_simple_map_set_map_source (self->map, NULL);
      return;
    }

  self->basemap_source = ld_mbtiles_source_new (mbtiles);
  license = ld_mbtiles_dup_metadata (mbtiles, "attribution");
  renderer = shumate_raster_renderer_new_full ("landdesk-basemap", _("Offline base map"),
                                               license ? license : "", NULL,
                                               ld_mbtiles_source_get_min_zoom (self->basemap_source),
                                               19, LD_TILE_SIZE,
                                               SHUMATE_MAP_PROJECTION_MERCATOR,
                                               SHUMATE_DATA_SOURCE (self->basemap_source));
  shumate_simple_map_set_map_source (self->map, SHUMATE_MAP_SOURCE (renderer));
}

static ShumateRasterRenderer *
online_renderer (const char    *id,
                 const char    *url,
                 LdBasemapKind  kind)
{
  return shumate_raster_renderer_new_full_from_url (id, id, ld_basemap_preset_license (kind),
                                                    NULL, 1, 18, LD_TILE_SIZE,
                                                    SHUMATE_MAP_PROJECTION_MERCATOR, url);
}

/* Online tiles come through libshumate's tile downloader, whose file cache keeps them for
 * offline use. Tianditu's place names are a second layer over its base layer. */
static void
show_online_basemap (LdWindow      *self,
                     LdBasemapKind  kind)
{
  g_autofree char *key = g_settings_get_string (self->settings, "tianditu-key");
  g_autofree char *url = ld_basemap_preset_url (kind, key);
  g_autofree char *overlay_url = ld_basemap_preset_overlay_url (kind, key);
  g_autoptr(ShumateRasterRenderer) renderer = NULL;
  const char *id = ld_basemap_kind_to_id (kind);

  if (ld_basemap_kind_needs_key (kind) && key[0] == '\0')
    {
      adw_toast_overlay_add_toast (
          self->toasts,
          adw_toast_new (_("Tianditu needs a key: enter it in Preferences. Showing the offline map.")));
      show_offline_basemap (self);
      return;
    }

  renderer = online_renderer (id, url, kind);
  shumate_simple_map_set_map_source (self->map, SHUMATE_MAP_SOURCE (renderer));
  if (overlay_url != NULL)
    {
      g_autofree char *overlay_id = g_strconcat (id, "-labels", NULL);
      g_autoptr(ShumateRasterRenderer) labels = online_renderer (overlay_id, overlay_url, kind);

      self->annotation_layer =
        shumate_map_layer_new (SHUMATE_MAP_SOURCE (labels),
                               shumate_simple_map_get_viewport (self->map));
      shumate_simple_map_add_overlay_layer (self->map, SHUMATE_LAYER (self->annotation_layer));
    }
}

static void
apply_basemap (LdWindow *self)
{
  g_autofree char *id = g_settings_get_string (self->settings, "basemap");
  LdBasemapKind kind = LD_BASEMAP_OFFLINE;

  g_clear_object (&self->basemap_source);
  if (self->annotation_layer != NULL)
    {
      shumate_simple_map_remove_overlay_layer (self->map, SHUMATE_LAYER (self->annotation_layer));
      self->annotation_layer = NULL;
    }

  ld_basemap_kind_from_id (id, &kind);
  switch (kind)
    {
    case LD_BASEMAP_OFFLINE:
      show_offline_basemap (self);
      break;
    case LD_BASEMAP_NONE:
      shumate_simple_map_set_map_source (self->map, NULL);
      break;
    case LD_BASEMAP_TIANDITU_VECTOR:
    case LD_BASEMAP_TIANDITU_IMAGERY:
    case LD_BASEMAP_OSM:
    default:
      show_online_basemap (self, kind);
      break;
    }
}

/* Fits the map to @box with a margin, at most at zoom 17. */
static void
zoom_to_box (LdWindow          *self,
             const LdLonLatBox *box)
{
  ShumateMap *map = shumate_simple_map_get_map (self->map);
  double x0, y0, x1, y1, zoom;
  int width = MAX (gtk_widget_get_width (GTK_WIDGET (self->map)), 256);
  int height = MAX (gtk_widget_get_height (GTK_WIDGET (self->map)), 256);

  ld_geo_lonlat_to_world (box->west, box->north, 0, &x0, &y0);
  ld_geo_lonlat_to_world (box->east, box->south, 0, &x1, &y1);
  zoom = log2 (MIN (width * 0.7 / MAX (x1 - x0, 1e-9), height * 0.7 / MAX (y1 - y0, 1e-9)));
  shumate_map_go_to_full (map, (box->south + box->north) / 2, (box->west + box->east) / 2,
                          CLAMP (zoom, 3.0, 17.0));
}

/**
 * ld_window_show_outline:
 *
 * Zooms the map to the case's red line and draws it over the other layers.
 */
void
ld_window_show_outline (LdWindow   *self,
                        const char *case_id)
{
  ShumateViewport *viewport = shumate_simple_map_get_viewport (self->map);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rings = NULL;
  LdLonLatBox box;
  GdkRGBA red = { 0.9, 0.1, 0.1, 1.0 };

  if (self->store == NULL)
    return;
  rings = ld_case_outline_load (ld_store_get_path (self->store), case_id, &box, &error);
  if (rings == NULL || rings->len == 0)
    {
      adw_toast_overlay_add_toast (self->toasts,
                                   adw_toast_new (error ? error->message
                                                        : _("This case has no red line yet.")));
      return;
    }

  if (self->outline_layer != NULL)
    shumate_simple_map_remove_overlay_layer (self->map, SHUMATE_LAYER (self->outline_layer));
  self->outline_layer = shumate_path_layer_new (viewport);
  shumate_path_layer_set_stroke_color (self->outline_layer, &red);
  shumate_path_layer_set_stroke_width (self->outline_layer, 3.0);
  shumate_path_layer_set_closed (self->outline_layer, TRUE);
  /* A path layer draws one line: the first (outer) ring is the one to see. */
  for (guint i = 0; i < ((GArray *) rings->pdata[0])->len / 2; i++)
    {
      const double *p = (const double *) ((GArray *) rings->pdata[0])->data + 2 * i;

      shumate_path_layer_add_node (self->outline_layer,
                                   SHUMATE_LOCATION (shumate_coordinate_new_full (p[1], p[0])));
    }
  shumate_simple_map_add_overlay_layer (self->map, SHUMATE_LAYER (self->outline_layer));
  zoom_to_box (self, &box);
}

static void
basemap_setting_changed_cb (GSettings  *settings,
                            const char *key,
                            gpointer    user_data)
{
  apply_basemap (LD_WINDOW (user_data));
}

static void
synced_cb (LdSyncIndicator *indicator,
           guint            pulled,
           LdWindow        *self)
{
  /* New data from the server: the lists read the store again. */
  if (pulled > 0 && self->store != NULL)
    ld_window_refresh_lists (self);
}

/**
 * ld_window_connect_server:
 *
 * Puts the sync indicator in the header bar and starts syncing the window's store with
 * @server_url (after a login dialog).
 */
void
ld_window_connect_server (LdWindow   *self,
                          const char *server_url)
{
  LdSyncIndicator *indicator = ld_sync_indicator_new ();

  g_return_if_fail (LD_IS_WINDOW (self));

  adw_header_bar_pack_end (self->header_bar, GTK_WIDGET (indicator));
  ld_sync_indicator_set_store (indicator, self->store);
  g_signal_connect_object (indicator, "synced", G_CALLBACK (synced_cb), self, 0);
  ld_sync_indicator_connect (indicator, server_url);
}

LdWindow *
ld_window_new (LdApplication *application)
{
  LdWindow *self = g_object_new (LD_TYPE_WINDOW, "application", application, NULL);
  g_autoptr(GAction) basemap_action = NULL;

  self->settings = g_object_ref (ld_application_get_settings (application));
  basemap_action = g_settings_create_action (self->settings, "basemap");
  g_action_map_add_action (G_ACTION_MAP (self), basemap_action);
  restore_state (self);
  apply_basemap (self);
  g_signal_connect_object (self->settings, "changed::basemap",
                           G_CALLBACK (basemap_setting_changed_cb), self, 0);
  g_signal_connect_object (self->settings, "changed::basemap-file",
                           G_CALLBACK (basemap_setting_changed_cb), self, 0);
  g_signal_connect_object (self->settings, "changed::tianditu-key",
                           G_CALLBACK (basemap_setting_changed_cb), self, 0);
  return self;
}
