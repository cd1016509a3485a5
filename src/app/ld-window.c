/* ld-window.c: the main window: case lists beside the map
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ld-offline-area-dialog.h"
#include "ld-toast.h"
#include "ld-case-list-row.h"
#include "ld-overlay-layer.h"
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

static void
toggle_layer_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  LdWindow *self = LD_WINDOW (widget);

  if (self->layer_panel != NULL)
    ld_layer_panel_toggle (self->layer_panel, g_variant_get_uint32 (parameter));
}

static void
offline_area_finished_cb (LdOfflineAreaDialog *dialog,
                          const char          *mbtiles,
                          LdWindow            *self)
{
  /* The downloaded layers are in the store: show them again; the base map becomes the
   * area's own MBTiles, which works without a network. */
  if (self->store != NULL)
    {
      /* Identify too: it lists the store's layers when it opens, and some are new. */
      ld_window_add_overlays (self, ld_store_get_path (self->store));
      ld_map_status_set_store_path (self->map_status, ld_store_get_path (self->store));
    }
  g_settings_set_string (self->settings, "basemap-file", mbtiles);
  g_settings_set_string (self->settings, "basemap", "offline");
  adw_toast_overlay_add_toast (self->toasts,
                               ld_toast_new_plain (_("The offline area is downloaded; the base"
                                                     " map now shows its tiles.")));
}

static void
open_offline_dialog (LdWindow *self,
                     GVariant *corners)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *login = g_settings_get_string (self->settings, "user");
  LdOfflineAreaDialog *dialog = ld_offline_area_dialog_new (GTK_WINDOW (self), self->server_url,
                                                            self->store, login, corners, &error);

  if (dialog == NULL)
    {
      adw_toast_overlay_add_toast (self->toasts, ld_toast_new_plain (error->message));
      return;
    }
  g_signal_connect_object (dialog, "finished", G_CALLBACK (offline_area_finished_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
area_drawn_cb (LdMapStatus *status,
               GVariant    *corners,
               LdWindow    *self)
{
  if (self->server_url != NULL && self->store != NULL)
    open_offline_dialog (self, corners);
}

/* Resumes an interrupted download, or starts drawing a new area on the map. */
static void
offline_area_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  LdWindow *self = LD_WINDOW (widget);

  if (self->server_url == NULL || self->store == NULL)
    {
      adw_toast_overlay_add_toast (self->toasts,
                                   ld_toast_new_plain (_("Offline areas come from the server:"
                                                         " start LandDesk with --server URL.")));
      return;
    }
  if (ld_offline_area_has_pending (self->store))
    {
      open_offline_dialog (self, NULL);
      return;
    }
  adw_view_stack_set_visible_child_name (self->view_stack, "map");
  ld_map_status_begin_area (self->map_status);
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
  g_clear_pointer (&self->overlays, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_WINDOW);
  self->basemap_layer = NULL;   /* the map owned it */
  self->annotation_layer = NULL;
  g_clear_handle_id (&self->basemap_apply_id, g_source_remove);
  g_clear_object (&self->basemap_source);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->server_url, g_free);

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
  g_type_ensure (LD_TYPE_MAP_STATUS);
  g_type_ensure (SHUMATE_TYPE_SIMPLE_MAP);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ld-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LdWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, map);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, map_overlay);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, map_status);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, layers_button);

  gtk_widget_class_install_action (widget_class, "layers.toggle", "u", toggle_layer_action);
  gtk_widget_class_install_action (widget_class, "win.offline-area", NULL, offline_area_action);
  for (guint i = 0; i < 6; i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                         "layers.toggle", "u", i);
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
  ld_map_status_set_map (self->map_status, self->map);
  g_signal_connect_object (self->map_status, "area-drawn", G_CALLBACK (area_drawn_cb), self, 0);
  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  if (DEVELOPMENT)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}


/* The base map as libshumate knows it: the viewport's reference for projection and zoom
 * range, and the licence text. It reads from a source without tiles, never from the one our
 * layer draws: libshumate's renderer decodes every tile its source delivers, on the main
 * thread and whether it shows it or not (its layer is hidden), which for an online map also
 * warned when a tile was not an image. */
static ShumateRasterRenderer *
reference_source (const char *id,
                  const char *name,
                  const char *license,
                  int         min_zoom,
                  int         max_zoom)
{
  g_autoptr(LdMbtilesSource) none = ld_mbtiles_source_new (NULL);

  return shumate_raster_renderer_new_full (id, name, license, NULL, min_zoom, max_zoom,
                                           LD_TILE_SIZE, SHUMATE_MAP_PROJECTION_MERCATOR,
                                           SHUMATE_DATA_SOURCE (none));
}

/* No base map: the viewport still needs a reference source, or libshumate cannot place the
 * red lines, measurements and overlays. Our layer shows the empty source (it asks for each
 * tile once and draws nothing). Not shumate_simple_map_set_map_source (NULL): libshumate 1.0
 * then hands the viewport a NULL reference, a critical warning when switching to None from
 * another map. */
static void
show_no_basemap (LdWindow *self)
{
  g_autoptr(LdMbtilesSource) none = ld_mbtiles_source_new (NULL);
  g_autoptr(ShumateRasterRenderer) blank = reference_source ("landdesk-none", "", "", 0, 19);

  self->basemap_layer = ld_basemap_layer_install (self->map, SHUMATE_MAP_SOURCE (blank),
                                                  SHUMATE_DATA_SOURCE (none));
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

      adw_toast_overlay_add_toast (self->toasts, ld_toast_new_plain (text));
      show_no_basemap (self);
      return;
    }

  self->basemap_source = ld_mbtiles_source_new (mbtiles);
  license = ld_mbtiles_dup_metadata (mbtiles, "attribution");
  renderer = reference_source ("landdesk-basemap", _("Offline base map"), license ? license : "",
                               ld_mbtiles_source_get_min_zoom (self->basemap_source), 19);
  /* Our layer draws it: libshumate's redraws cost a third of a frame in software. */
  self->basemap_layer = ld_basemap_layer_install (self->map, SHUMATE_MAP_SOURCE (renderer),
                                                  SHUMATE_DATA_SOURCE (self->basemap_source));
}

/* Tiles that cannot be downloaded leave holes: say why, at most once a minute (the layer
 * reports every tile). */
static void
download_failed_cb (LdBasemapLayer *layer,
                    const char     *message,
                    LdWindow       *self)
{
  gint64 now = g_get_monotonic_time ();
  g_autofree char *text = NULL;

  if (self->download_toast_at != 0 && now - self->download_toast_at < 60 * G_USEC_PER_SEC)
    return;
  self->download_toast_at = now;
  text = g_strdup_printf (_("Base map tiles could not be downloaded (%s). Places seen before still show; the others are tried again every 30 seconds."),
                          message);
  adw_toast_overlay_add_toast (self->toasts, ld_toast_new_plain (text));
}

/* Online tiles come through libshumate's tile downloader, whose file cache keeps them for
 * offline use, and are drawn by our layer like the offline file. */
static LdBasemapLayer *
show_online_layer (LdWindow      *self,
                   const char    *id,
                   const char    *url,
                   LdBasemapKind  kind,
                   gboolean       labels)
{
  g_autoptr(ShumateTileDownloader) downloader = shumate_tile_downloader_new (url);
  g_autoptr(ShumateRasterRenderer) renderer = NULL;
  LdBasemapLayer *layer;

  if (labels)
    {
      layer = ld_basemap_layer_new (shumate_simple_map_get_viewport (self->map),
                                    SHUMATE_DATA_SOURCE (downloader), 1, 18);
      shumate_simple_map_add_overlay_layer (self->map, SHUMATE_LAYER (layer));
    }
  else
    {
      renderer = reference_source (id, id, ld_basemap_preset_license (kind), 1, 18);
      layer = ld_basemap_layer_install (self->map, SHUMATE_MAP_SOURCE (renderer),
                                        SHUMATE_DATA_SOURCE (downloader));
    }
  g_signal_connect_object (layer, "download-failed", G_CALLBACK (download_failed_cb), self, 0);
  return layer;
}

/* Tianditu's place names are a second layer over its base layer. A preset that cannot be
 * used (no key, no usable custom URL) says why and shows the offline map. */
static void
show_online_basemap (LdWindow      *self,
                     LdBasemapKind  kind)
{
  g_autofree char *key = g_settings_get_string (self->settings, "tianditu-key");
  g_autofree char *url = kind == LD_BASEMAP_CUSTOM
                         ? g_settings_get_string (self->settings, "basemap-url")
                         : ld_basemap_preset_url (kind, key);
  g_autofree char *overlay_url = ld_basemap_preset_overlay_url (kind, key);
  const char *id = ld_basemap_kind_to_id (kind);

  if (ld_basemap_kind_needs_key (kind) && key[0] == '\0')
    {
      adw_toast_overlay_add_toast (
          self->toasts,
          ld_toast_new_plain (_("Tianditu needs a key: enter it in Preferences. Showing the offline map.")));
      show_offline_basemap (self);
      return;
    }
  if (kind == LD_BASEMAP_CUSTOM && !ld_basemap_check_url_template (url, NULL))
    {
      adw_toast_overlay_add_toast (
          self->toasts,
          ld_toast_new_plain (_("The custom tile URL needs http:// or https:// and {x}, {y} and {z}: correct it in Preferences. Showing the offline map.")));
      show_offline_basemap (self);
      return;
    }

  self->basemap_layer = show_online_layer (self, id, url, kind, FALSE);
  if (overlay_url != NULL)
    {
      g_autofree char *overlay_id = g_strconcat (id, "-labels", NULL);

      self->annotation_layer = show_online_layer (self, overlay_id, overlay_url, kind, TRUE);
    }
}

static void
apply_basemap (LdWindow *self)
{
  g_autofree char *id = g_settings_get_string (self->settings, "basemap");
  LdBasemapKind kind = LD_BASEMAP_OFFLINE;

  g_clear_object (&self->basemap_source);
  if (self->basemap_layer != NULL)
    {
      shumate_map_remove_layer (shumate_simple_map_get_map (self->map),
                                SHUMATE_LAYER (self->basemap_layer));
      self->basemap_layer = NULL;
    }
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
      show_no_basemap (self);
      break;
    case LD_BASEMAP_TIANDITU_VECTOR:
    case LD_BASEMAP_TIANDITU_IMAGERY:
    case LD_BASEMAP_OSM:
    case LD_BASEMAP_CUSTOM:
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
  zoom = CLAMP (zoom, 3.0, 17.0);
  if (shumate_viewport_get_reference_map_source (shumate_map_get_viewport (map)) == NULL)
    {
      /* No base map: nothing to animate over, and libshumate cannot without one. */
      shumate_viewport_set_zoom_level (shumate_map_get_viewport (map), zoom);
      shumate_location_set_location (SHUMATE_LOCATION (shumate_map_get_viewport (map)),
                                     (box->south + box->north) / 2, (box->west + box->east) / 2);
      return;
    }
  shumate_map_go_to_full (map, (box->south + box->north) / 2, (box->west + box->east) / 2, zoom);
}

/* Draws the outer ring of @rings over the other layers and zooms to @box. A preview (an
 * imported red line not yet stored) is orange, a stored red line red. */
static void
draw_outline (LdWindow          *self,
              GPtrArray         *rings,
              const LdLonLatBox *box,
              gboolean           preview)
{
  ShumateViewport *viewport = shumate_simple_map_get_viewport (self->map);
  GdkRGBA red = { 0.9, 0.1, 0.1, 1.0 }, orange = { 1.0, 0.55, 0.0, 1.0 };
  GArray *ring = rings->pdata[0];

  if (self->outline_layer != NULL)
    shumate_simple_map_remove_overlay_layer (self->map, SHUMATE_LAYER (self->outline_layer));
  self->outline_layer = shumate_path_layer_new (viewport);
  shumate_path_layer_set_stroke_color (self->outline_layer, preview ? &orange : &red);
  shumate_path_layer_set_stroke_width (self->outline_layer, 3.0);
  shumate_path_layer_set_closed (self->outline_layer, TRUE);
  /* A path layer draws one line: the first (outer) ring is the one to see. */
  for (guint i = 0; i < ring->len / 2; i++)
    {
      const double *p = (const double *) ring->data + 2 * i;

      shumate_path_layer_add_node (self->outline_layer,
                                   SHUMATE_LOCATION (shumate_coordinate_new_full (p[1], p[0])));
    }
  shumate_simple_map_add_overlay_layer (self->map, SHUMATE_LAYER (self->outline_layer));
  zoom_to_box (self, box);
}

/**
 * ld_window_show_outline:
 * @announce: say so when the case has no red line
 *
 * Zooms the map to the case's red line and draws it over the other layers.
 */
void
ld_window_show_outline (LdWindow   *self,
                        const char *case_id,
                        gboolean    announce)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rings = NULL;
  LdLonLatBox box;

  if (self->store == NULL)
    return;
  rings = ld_case_outline_load (ld_store_get_path (self->store), case_id, &box, &error);
  if ((rings == NULL || rings->len == 0) && !announce)
    return;
  if (rings == NULL || rings->len == 0)
    {
      adw_toast_overlay_add_toast (self->toasts,
                                   ld_toast_new_plain (error ? error->message
                                                        : _("This case has no red line yet.")));
      return;
    }
  draw_outline (self, rings, &box, FALSE);
}

/* An imported red line before the reviewer accepts it. */
void
ld_window_preview_redline (LdWindow  *self,
                           LdRedline *redline)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rings = NULL;
  LdLonLatBox box;

  rings = ld_case_outline_from_redline (redline, &box, &error);
  if (rings == NULL || rings->len == 0)
    {
      adw_toast_overlay_add_toast (self->toasts,
                                   ld_toast_new_plain (error ? error->message
                                                        : _("The red line has no polygon.")));
      return;
    }
  adw_view_stack_set_visible_child_name (self->view_stack, "map");
  draw_outline (self, rings, &box, TRUE);
}

static void
basemap_setting_changed_cb (GSettings  *settings,
                            const char *key,
                            gpointer    user_data)
{
  LdWindow *self = LD_WINDOW (user_data);

  g_clear_handle_id (&self->basemap_apply_id, g_source_remove);
  apply_basemap (self);
}

static gboolean
apply_basemap_cb (gpointer user_data)
{
  LdWindow *self = LD_WINDOW (user_data);

  self->basemap_apply_id = 0;
  apply_basemap (self);
  return G_SOURCE_REMOVE;
}

/* The Tianditu key and the custom URL are typed into Preferences a character at a time: the
 * map is switched once typing pauses, and only if the chosen base map uses that text. */
static void
basemap_text_changed_cb (GSettings  *settings,
                         const char *key,
                         gpointer    user_data)
{
  LdWindow *self = LD_WINDOW (user_data);
  g_autofree char *id = g_settings_get_string (settings, "basemap");
  LdBasemapKind kind = LD_BASEMAP_OFFLINE;
  gboolean used;

  ld_basemap_kind_from_id (id, &kind);
  used = g_str_equal (key, "basemap-url") ? kind == LD_BASEMAP_CUSTOM
                                          : ld_basemap_kind_needs_key (kind);
  if (!used)
    return;
  g_clear_handle_id (&self->basemap_apply_id, g_source_remove);
  self->basemap_apply_id = g_timeout_add (700, apply_basemap_cb, self);
}

static void
synced_cb (LdSyncIndicator *indicator,
           guint            pulled,
           LdWindow        *self)
{
  /* New data from the server: the lists read the store again, and its matters and calendars
   * (the server may have sent new ones). */
  if (pulled > 0 && self->store != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!ld_store_sync_reload_reference (self->store, &error))
        g_warning ("the synced matters and calendars cannot be read: %s", error->message);
      ld_window_refresh_lists (self);
    }
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

  g_free (self->server_url);
  self->server_url = g_strdup (server_url);
  adw_header_bar_pack_end (self->header_bar, GTK_WIDGET (indicator));
  ld_sync_indicator_set_store (indicator, self->store);
  ld_sync_indicator_set_map_source (indicator, shumate_simple_map_get_map_source (self->map));
  g_signal_connect_object (indicator, "synced", G_CALLBACK (synced_cb), self, 0);
  ld_sync_indicator_connect (indicator, server_url);
}

LdWindow *
ld_window_new (LdApplication *application)
{
  LdWindow *self = g_object_new (LD_TYPE_WINDOW, "application", application, NULL);
  g_autoptr(GAction) basemap_action = NULL;

  self->settings = g_object_ref (ld_application_get_settings (application));
  self->layer_panel = ld_layer_panel_new (self->settings);
  gtk_menu_button_set_popover (self->layers_button, GTK_WIDGET (self->layer_panel));
  /* Bottom left, above libshumate's scale. */
  self->legend = ld_map_legend_new (self->settings);
  gtk_widget_set_margin_start (GTK_WIDGET (self->legend), 12);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->legend), 40);
  gtk_overlay_add_overlay (self->map_overlay, GTK_WIDGET (self->legend));
  basemap_action = g_settings_create_action (self->settings, "basemap");
  g_action_map_add_action (G_ACTION_MAP (self), basemap_action);
  restore_state (self);
  apply_basemap (self);
  g_signal_connect_object (self->settings, "changed::basemap",
                           G_CALLBACK (basemap_setting_changed_cb), self, 0);
  g_signal_connect_object (self->settings, "changed::basemap-file",
                           G_CALLBACK (basemap_setting_changed_cb), self, 0);
  g_signal_connect_object (self->settings, "changed::tianditu-key",
                           G_CALLBACK (basemap_text_changed_cb), self, 0);
  g_signal_connect_object (self->settings, "changed::basemap-url",
                           G_CALLBACK (basemap_text_changed_cb), self, 0);
  return self;
}

static void
raise_layer (ShumateMap   *map,
             ShumateLayer *layer)
{
  g_object_ref (layer);
  shumate_map_remove_layer (map, layer);
  shumate_map_add_layer (map, layer);
  g_object_unref (layer);
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
  ShumateMap *map = shumate_simple_map_get_map (self->map);

  g_return_val_if_fail (LD_IS_WINDOW (self), FALSE);

  layers = ld_overlay_layers_new_for_store (shumate_simple_map_get_viewport (self->map), path,
                                            &error);
  if (layers == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Cannot show the map layers: %s"), error->message);

      adw_toast_overlay_add_toast (self->toasts, ld_toast_new_plain (text));
      return FALSE;
    }
  /* Replacing the last store's layers, then the measurement and red line back on top.
   * (shumate_simple_map_insert_overlay_layer() is declared but not exported in 1.0.) */
  for (guint i = 0; self->overlays != NULL && i < self->overlays->len; i++)
    shumate_map_remove_layer (map, self->overlays->pdata[i]);
  for (guint i = 0; i < layers->len; i++)
    shumate_simple_map_add_overlay_layer (self->map, layers->pdata[i]);
  /* Tianditu's place names read over the land layers. */
  if (self->annotation_layer != NULL)
    raise_layer (map, SHUMATE_LAYER (self->annotation_layer));
  ld_map_status_raise_layers (self->map_status);
  if (self->outline_layer != NULL)
    raise_layer (map, SHUMATE_LAYER (self->outline_layer));
  ld_layer_panel_set_overlays (self->layer_panel, layers);
  ld_map_legend_set_overlays (self->legend, layers);
  g_clear_pointer (&self->overlays, g_ptr_array_unref);
  self->overlays = g_steal_pointer (&layers);
  return TRUE;
}

/**
 * ld_window_set_view:
 * @view: "LAT,LON,ZOOM" in degrees (WGS84/CGCS2000) and a zoom level
 *
 * Moves the map there at once; used by `landdesk --view` for scripted screenshots.
 */
gboolean
ld_window_set_view (LdWindow    *self,
                    const char  *view,
                    GError     **error)
{
  ShumateViewport *viewport = shumate_simple_map_get_viewport (self->map);
  g_auto(GStrv) parts = g_strsplit (view, ",", -1);
  double v[3];

  g_return_val_if_fail (LD_IS_WINDOW (self), FALSE);

  if (g_strv_length (parts) != 3)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "'%s' is not LAT,LON,ZOOM (e.g. 21.27,110.36,13)", view);
      return FALSE;
    }
  for (guint i = 0; i < 3; i++)
    {
      char *end = NULL;

      v[i] = g_ascii_strtod (g_strstrip (parts[i]), &end);
      if (end == parts[i] || *end != '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "'%s' in '%s' is not a number", parts[i], view);
          return FALSE;
        }
    }
  if (fabs (v[0]) > 85 || fabs (v[1]) > 180 || v[2] < 0 || v[2] > 20)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "'%s' is out of range: latitude ±85, longitude ±180, zoom 0-20", view);
      return FALSE;
    }
  shumate_viewport_set_zoom_level (viewport, v[2]);
  shumate_location_set_location (SHUMATE_LOCATION (viewport), v[0], v[1]);
  return TRUE;
}
