/* ld-map-status.c: the strip under the map: pointer coordinates, measuring, identify
 *
 * Reviewers read positions the way the survey writes them: CGCS2000 Gauss-Krüger zone 37,
 * X northing and Y easting with the zone prefix, beside longitude and latitude. Measuring
 * is planar in the same projection, in m, m², ha and mu. A click identifies the features of
 * the store's layers under the pointer (R-tree and point-in-polygon in the core).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ld-core.h"
#include "ld-labels.h"
#include "ld-map-status.h"
#include "ld-overlay-layer.h"

struct _LdMapStatus
{
  GtkWidget         parent_instance;

  ShumateSimpleMap *map;
  ShumatePathLayer *measure_layer;
  ShumatePathLayer *highlight_layer;
  GtkPopover       *identify_popover;
  LdGk             *gk;
  LdIdentify       *identify;
  GArray           *measure_xy;    /* GK easting, northing pairs */
  gboolean          measuring;
  gboolean          drawing_area;  /* measuring to draw an offline area */

  GtkToggleButton  *measure_button;
  GtkLabel         *measure_label;
  GtkLabel         *coords_label;
};

G_DEFINE_FINAL_TYPE (LdMapStatus, ld_map_status, GTK_TYPE_WIDGET)

enum {
  OPEN_CASE,
  AREA_DRAWN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];


static const struct
{
  const char *trigger;
  const char *action;
  const char *target;
} map_shortcuts[] = {
  { "<Control>r", "map.measure", NULL },
  { "Escape", "map.measure-end", NULL },
  { "<Control>plus|<Control>equal|<Control>KP_Add", "map.zoom-in", NULL },
  { "<Control>minus|<Control>KP_Subtract", "map.zoom-out", NULL },
  { "<Control>Left", "map.pan", "left" },
  { "<Control>Right", "map.pan", "right" },
  { "<Control>Up", "map.pan", "up" },
  { "<Control>Down", "map.pan", "down" },
  { "<Control>i", "map.identify-centre", NULL },
};

static GtkWidget *
inner_map (LdMapStatus *self)
{
  return GTK_WIDGET (shumate_simple_map_get_map (self->map));
}

/* Widget point to location. libshumate's own conversion needs a base map; without one
 * (the "none" choice, a missing file) the Web Mercator arithmetic is done here. */
static void
point_to_location (LdMapStatus *self,
                   double       x,
                   double       y,
                   double      *lat,
                   double      *lon)
{
  ShumateViewport *viewport = shumate_simple_map_get_viewport (self->map);
  GtkWidget *map = inner_map (self);
  double scale, cx, cy;

  if (shumate_viewport_get_reference_map_source (viewport) != NULL)
    {
      shumate_viewport_widget_coords_to_location (viewport, map, x, y, lat, lon);
      return;
    }
  scale = pow (2.0, shumate_viewport_get_zoom_level (viewport));
  ld_geo_lonlat_to_world (shumate_location_get_longitude (SHUMATE_LOCATION (viewport)),
                          shumate_location_get_latitude (SHUMATE_LOCATION (viewport)), 0, &cx, &cy);
  ld_geo_world_to_lonlat (cx + (x - gtk_widget_get_width (map) / 2.0) / scale,
                          cy + (y - gtk_widget_get_height (map) / 2.0) / scale, 0, lon, lat);
}

static void
update_measurement (LdMapStatus *self)
{
  const double *xy = (const double *) self->measure_xy->data;
  guint n = self->measure_xy->len / 2;
  g_autofree char *length = NULL;
  g_autofree char *text = NULL;

  if (!self->measuring)
    {
      gtk_label_set_text (self->measure_label, "");
      return;
    }
  if (n == 0 || (self->drawing_area && n < 3))
    {
      gtk_label_set_text (self->measure_label, self->drawing_area
                          ? _("Click the corners of the area; double-click the last one;"
                              " Escape cancels")
                          : _("Click points on the map; Escape ends"));
      return;
    }
  length = ld_length_format (ld_gk_length (xy, n));
  if (n >= 3)
    {
      g_autofree char *area = ld_area_format (ld_gk_area (xy, n));

      text = g_strdup_printf (_("Length %s · area %s (planar, CGCS2000 zone 37)"), length, area);
    }
  else
    text = g_strdup_printf (_("Length %s (planar, CGCS2000 zone 37)"), length);
  gtk_label_set_text (self->measure_label, text);
}

static void
clear_measurement (LdMapStatus *self)
{
  g_array_set_size (self->measure_xy, 0);
  if (self->measure_layer != NULL)
    shumate_path_layer_remove_all (self->measure_layer);
  update_measurement (self);
}

static void
set_measuring (LdMapStatus *self,
               gboolean     measuring)
{
  self->measuring = measuring;
  if (!measuring)
    self->drawing_area = FALSE;
  clear_measurement (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "map.measure-end", measuring);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "map.area-done", self->drawing_area);
  if (gtk_toggle_button_get_active (self->measure_button) != measuring)
    gtk_toggle_button_set_active (self->measure_button, measuring);
}

/* Outlines the feature's outer ring (GK coordinates) on the map. */
static void
highlight (LdMapStatus  *self,
           LdFeatureHit *hit)
{
  const LdGeomBuffer *geom = &hit->geometry;
  guint n = geom->n_rings > 0 ? geom->rings[0] : 0;

  shumate_path_layer_remove_all (self->highlight_layer);
  for (guint i = 0; i < n && self->gk != NULL; i++)
    {
      double lon, lat;

      /* The buffer holds easting, northing pairs. */
      if (ld_gk_to_lonlat (self->gk, geom->xy[2 * i + 1], geom->xy[2 * i], &lon, &lat))
        shumate_path_layer_add_node (self->highlight_layer,
                                     SHUMATE_LOCATION (shumate_coordinate_new_full (lat, lon)));
    }
}

static void
open_case_clicked_cb (GtkButton   *button,
                      LdMapStatus *self)
{
  gtk_popover_popdown (self->identify_popover);
  g_signal_emit (self, signals[OPEN_CASE], 0, g_object_get_data (G_OBJECT (button), "case-id"));
}

static void
add_feature_rows (LdMapStatus  *self,
                  GtkBox       *box,
                  LdFeatureHit *hit)
{
  g_autofree char *title = NULL;
  g_autofree char *area = ld_area_format (hit->area_m2);
  GtkWidget *heading;

  title = g_strdup_printf ("%s · %s", ld_labels_layer (hit->table), area);
  heading = gtk_label_new (title);
  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_set_margin_top (heading, 6);
  gtk_box_append (box, heading);
  for (guint i = 0; hit->fields[i] != NULL; i++)
    {
      g_autofree char *line = g_strdup_printf ("%s：%s", ld_identify_field_label (hit->fields[i]),
                                               hit->values[i]);
      GtkWidget *label = gtk_label_new (line);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "caption");
      gtk_box_append (box, label);
    }
  /* A red line leads to its case. */
  if (g_str_equal (hit->table, "case_redlines") && ld_feature_hit_get_value (hit, "case_id"))
    {
      GtkWidget *button = gtk_button_new_with_label (_("Open Case"));

      g_object_set_data_full (G_OBJECT (button), "case-id",
                              g_strdup (ld_feature_hit_get_value (hit, "case_id")), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (open_case_clicked_cb), self);
      gtk_widget_set_halign (button, GTK_ALIGN_START);
      gtk_box_append (box, button);
    }
}

static void
show_identify_popover (LdMapStatus *self,
                       GPtrArray   *hits,
                       double       x,
                       double       y)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GdkRectangle point = { (int) x, (int) y, 1, 1 };

  if (hits->len == 0)
    gtk_box_append (GTK_BOX (box), gtk_label_new (_("No feature here")));
  for (guint i = 0; i < hits->len; i++)
    add_feature_rows (self, GTK_BOX (box), g_ptr_array_index (hits, i));

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), box);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 420);
  gtk_scrolled_window_set_min_content_width (GTK_SCROLLED_WINDOW (scroller), 280);
  gtk_popover_set_child (self->identify_popover, scroller);
  gtk_popover_set_pointing_to (self->identify_popover, &point);
  gtk_popover_popup (self->identify_popover);
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           LdMapStatus              *self)
{
  double lat, lon;

  point_to_location (self, x, y, &lat, &lon);
  ld_map_status_pointer_at (self, lat, lon);
}

/* Identifies at widget point (x, y) of the map and shows what is there. */
static void
identify_at_point (LdMapStatus *self,
                   double       x,
                   double       y)
{
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;
  double lat, lon;

  if (self->identify == NULL)
    return;
  point_to_location (self, x, y, &lat, &lon);
  hits = ld_map_status_identify (self, lat, lon, &error);
  if (hits == NULL)
    {
      gtk_label_set_text (self->measure_label, error->message);
      return;
    }
  show_identify_popover (self, hits, x, y);
}

static void
clicked_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            LdMapStatus     *self)
{
  double lat, lon;

  if (!self->measuring)
    {
      identify_at_point (self, x, y);
      return;
    }
  if (self->drawing_area && n_press == 2)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "map.area-done", NULL);
      return;
    }
  point_to_location (self, x, y, &lat, &lon);
  ld_map_status_add_point (self, lat, lon);
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ShumateSimpleMap *simple = LD_MAP_STATUS (widget)->map;
  ShumateViewport *viewport = shumate_simple_map_get_viewport (simple);
  gboolean in = g_str_equal (action_name, "map.zoom-in");

  /* Without a base map (the "none" choice) libshumate cannot animate: step directly. */
  if (shumate_viewport_get_reference_map_source (viewport) == NULL)
    shumate_viewport_set_zoom_level (viewport, shumate_viewport_get_zoom_level (viewport)
                                               + (in ? 1 : -1));
  else if (in)
    shumate_map_zoom_in (shumate_simple_map_get_map (simple));
  else
    shumate_map_zoom_out (shumate_simple_map_get_map (simple));
}

/* Moves the view a quarter of its size in the named direction. */
static void
pan_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  LdMapStatus *self = LD_MAP_STATUS (widget);
  const char *direction = g_variant_get_string (parameter, NULL);
  double w = gtk_widget_get_width (inner_map (self)), h = gtk_widget_get_height (inner_map (self));
  double x = w / 2, y = h / 2, lat, lon;

  if (g_str_equal (direction, "left"))
    x -= w / 4;
  else if (g_str_equal (direction, "right"))
    x += w / 4;
  else if (g_str_equal (direction, "up"))
    y -= h / 4;
  else
    y += h / 4;
  point_to_location (self, x, y, &lat, &lon);
  /* The viewport itself, not shumate_map_center_on(), which needs a base map. */
  shumate_location_set_location (SHUMATE_LOCATION (shumate_simple_map_get_viewport (self->map)),
                                 lat, lon);
}

static void
identify_centre_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  LdMapStatus *self = LD_MAP_STATUS (widget);

  identify_at_point (self, gtk_widget_get_width (inner_map (self)) / 2.0,
                     gtk_widget_get_height (inner_map (self)) / 2.0);
}

static void
measure_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  LdMapStatus *self = LD_MAP_STATUS (widget);

  set_measuring (self, !self->measuring);
}

static void
measure_end_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  set_measuring (LD_MAP_STATUS (widget), FALSE);
}

/* Hands the drawn corners (lon, lat) to whoever asked for an area, and stops drawing. */
static void
area_done_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  LdMapStatus *self = LD_MAP_STATUS (widget);
  const double *xy = (const double *) self->measure_xy->data;
  guint n = self->measure_xy->len / 2;
  GVariantBuilder corners;
  g_autoptr(GVariant) value = NULL;

  if (!self->drawing_area || n < 3 || self->gk == NULL)
    return;
  g_variant_builder_init (&corners, G_VARIANT_TYPE ("a(dd)"));
  for (guint i = 0; i < n; i++)
    {
      double lon, lat;

      /* measure_xy holds easting, northing pairs */
      if (ld_gk_to_lonlat (self->gk, xy[2 * i + 1], xy[2 * i], &lon, &lat))
        g_variant_builder_add (&corners, "(dd)", lon, lat);
    }
  value = g_variant_ref_sink (g_variant_builder_end (&corners));
  set_measuring (self, FALSE);
  g_signal_emit (self, signals[AREA_DRAWN], 0, value);
}

static void
ld_map_status_dispose (GObject *object)
{
  LdMapStatus *self = LD_MAP_STATUS (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_MAP_STATUS);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->gk);
  g_clear_object (&self->identify);
  g_clear_pointer (&self->measure_xy, g_array_unref);
  self->map = NULL;
  self->measure_layer = NULL;
  self->highlight_layer = NULL;
  self->identify_popover = NULL;

  G_OBJECT_CLASS (ld_map_status_parent_class)->dispose (object);
}

static void
ld_map_status_class_init (LdMapStatusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_map_status_dispose;

  /**
   * LdMapStatus::open-case:
   * @case_id: the case whose red line was clicked
   */
  signals[OPEN_CASE] = g_signal_new ("open-case", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * LdMapStatus::area-drawn:
   * @corners: a GVariant "a(dd)", the drawn polygon's corners as (longitude, latitude)
   */
  signals[AREA_DRAWN] = g_signal_new ("area-drawn", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_VARIANT);

  gtk_widget_class_install_action (widget_class, "map.measure", NULL, measure_action);
  gtk_widget_class_install_action (widget_class, "map.area-done", NULL, area_done_action);
  gtk_widget_class_install_action (widget_class, "map.measure-end", NULL, measure_end_action);
  gtk_widget_class_install_action (widget_class, "map.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "map.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "map.pan", "s", pan_action);
  gtk_widget_class_install_action (widget_class, "map.identify-centre", NULL,
                                   identify_centre_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ld-map-status");
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ld-map-status.ui");
  gtk_widget_class_bind_template_child (widget_class, LdMapStatus, measure_button);
  gtk_widget_class_bind_template_child (widget_class, LdMapStatus, measure_label);
  gtk_widget_class_bind_template_child (widget_class, LdMapStatus, coords_label);
}

static void
ld_map_status_init (LdMapStatus *self)
{
  g_autoptr(GError) error = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->measure_xy = g_array_new (FALSE, FALSE, sizeof (double));
  self->gk = ld_gk_new (&error);
  if (self->gk == NULL)
    g_warning ("No Gauss-Krüger projection: %s", error->message);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "map.measure-end", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "map.area-done", FALSE);
}

/* Hooks pointer, clicks and the keyboard on @map; call once. */
void
ld_map_status_set_map (LdMapStatus      *self,
                       ShumateSimpleMap *map)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *keys = gtk_shortcut_controller_new ();

  g_return_if_fail (LD_IS_MAP_STATUS (self));
  g_return_if_fail (self->map == NULL);

  self->map = map;
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  gtk_widget_add_controller (inner_map (self), motion);
  g_signal_connect (click, "released", G_CALLBACK (clicked_cb), self);
  gtk_widget_add_controller (inner_map (self), GTK_EVENT_CONTROLLER (click));

  /* Managed scope: the window handles these wherever the focus is. */
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (keys), GTK_SHORTCUT_SCOPE_MANAGED);
  for (guint i = 0; i < G_N_ELEMENTS (map_shortcuts); i++)
    {
      GtkShortcut *shortcut =
        gtk_shortcut_new (gtk_shortcut_trigger_parse_string (map_shortcuts[i].trigger),
                          gtk_named_action_new (map_shortcuts[i].action));

      if (map_shortcuts[i].target != NULL)
        gtk_shortcut_set_arguments (shortcut, g_variant_new_string (map_shortcuts[i].target));
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys), shortcut);
    }
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  self->measure_layer = shumate_path_layer_new (shumate_simple_map_get_viewport (map));
  shumate_path_layer_set_stroke_width (self->measure_layer, 2.5);
  shumate_path_layer_set_closed (self->measure_layer, TRUE);
  shumate_simple_map_add_overlay_layer (map, SHUMATE_LAYER (self->measure_layer));

  {
    GdkRGBA cyan = { 0.0, 0.75, 1.0, 1.0 };

    self->highlight_layer = shumate_path_layer_new (shumate_simple_map_get_viewport (map));
    shumate_path_layer_set_stroke_color (self->highlight_layer, &cyan);
    shumate_path_layer_set_stroke_width (self->highlight_layer, 3.0);
    shumate_path_layer_set_closed (self->highlight_layer, TRUE);
    shumate_simple_map_add_overlay_layer (map, SHUMATE_LAYER (self->highlight_layer));
  }
  self->identify_popover = GTK_POPOVER (gtk_popover_new ());
  gtk_widget_set_parent (GTK_WIDGET (self->identify_popover), inner_map (self));
}

/* Identify reads the layers of this GeoPackage; NULL turns identify off. */
void
ld_map_status_set_store_path (LdMapStatus *self,
                              const char  *path)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (LD_IS_MAP_STATUS (self));

  g_clear_object (&self->identify);
  if (path != NULL && (self->identify = ld_identify_new (path, &error)) == NULL)
    g_warning ("Identify is off: %s", error->message);
}

void
ld_map_status_pointer_at (LdMapStatus *self,
                          double       lat,
                          double       lon)
{
  g_autofree char *text = NULL;
  double x, y;

  g_return_if_fail (LD_IS_MAP_STATUS (self));

  if (self->gk != NULL && ld_gk_from_lonlat (self->gk, lon, lat, &x, &y))
    text = g_strdup_printf (_("%.6f°E %.6f°N · X %.2f Y %.2f"), lon, lat, x, y);
  else
    text = g_strdup_printf (_("%.6f°E %.6f°N"), lon, lat);
  gtk_label_set_text (self->coords_label, text);
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

/* Puts the highlight and the measurement back on top, after data layers were added. */
void
ld_map_status_raise_layers (LdMapStatus *self)
{
  ShumateMap *map;

  g_return_if_fail (LD_IS_MAP_STATUS (self));

  map = shumate_simple_map_get_map (self->map);
  raise_layer (map, SHUMATE_LAYER (self->highlight_layer));
  raise_layer (map, SHUMATE_LAYER (self->measure_layer));
}

/**
 * ld_map_status_begin_area:
 *
 * Starts drawing an area: clicks add corners (measured as they come), a double-click or the
 * map.area-done action ends it with LdMapStatus::area-drawn, Escape cancels.
 */
void
ld_map_status_begin_area (LdMapStatus *self)
{
  g_return_if_fail (LD_IS_MAP_STATUS (self));

  self->drawing_area = TRUE;
  set_measuring (self, TRUE);
}

gboolean
ld_map_status_get_measuring (LdMapStatus *self)
{
  g_return_val_if_fail (LD_IS_MAP_STATUS (self), FALSE);
  return self->measuring;
}

void
ld_map_status_add_point (LdMapStatus *self,
                         double       lat,
                         double       lon)
{
  double x, y;

  g_return_if_fail (LD_IS_MAP_STATUS (self));

  if (!self->measuring || self->gk == NULL
      || !ld_gk_from_lonlat (self->gk, lon, lat, &x, &y))
    return;
  g_array_append_val (self->measure_xy, y);
  g_array_append_val (self->measure_xy, x);
  if (self->measure_layer != NULL)
    shumate_path_layer_add_node (self->measure_layer,
                                 SHUMATE_LOCATION (shumate_coordinate_new_full (lat, lon)));
  update_measurement (self);
}

const char *
ld_map_status_get_measurement (LdMapStatus *self)
{
  g_return_val_if_fail (LD_IS_MAP_STATUS (self), NULL);
  return gtk_label_get_text (self->measure_label);
}

/* The land layers the map shows now, topmost first (the layer panel may have reordered
 * them): checked in the panel, and within their zoom range. A hidden layer is not
 * identified. */
static void
visible_tables (LdMapStatus *self,
                GPtrArray   *tables)
{
  GtkWidget *map = GTK_WIDGET (shumate_simple_map_get_map (self->map));
  double zoom = shumate_viewport_get_zoom_level (shumate_simple_map_get_viewport (self->map));

  for (GtkWidget *w = gtk_widget_get_last_child (map); w; w = gtk_widget_get_prev_sibling (w))
    if (LD_IS_OVERLAY_LAYER (w) && gtk_widget_get_visible (w) &&
        ld_overlay_layer_shows_zoom (LD_OVERLAY_LAYER (w), zoom))
      {
        const char *table = ld_tile_renderer_get_table (
                              ld_overlay_layer_get_renderer (LD_OVERLAY_LAYER (w)));

        if (ld_identify_has_layer (self->identify, table))
          g_ptr_array_add (tables, (gpointer) table);
      }
}

/**
 * ld_map_status_identify:
 *
 * Returns: (transfer container) (element-type LdFeatureHit): the features under the point, in
 *   the layers the map shows, topmost layer first.
 */
GPtrArray *
ld_map_status_identify (LdMapStatus  *self,
                        double        lat,
                        double        lon,
                        GError      **error)
{
  g_autoptr(GPtrArray) tables = g_ptr_array_new ();
  GPtrArray *hits;
  double x, y;

  g_return_val_if_fail (LD_IS_MAP_STATUS (self), NULL);

  if (self->identify == NULL || self->gk == NULL)
    return g_ptr_array_new ();
  visible_tables (self, tables);
  g_ptr_array_add (tables, NULL);
  if (!ld_gk_from_lonlat (self->gk, lon, lat, &x, &y))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%.6f°E %.6f°N is outside the Gauss-Krüger zone"), lon, lat);
      return NULL;
    }
  hits = ld_identify_at (self->identify, (const char * const *) tables->pdata, y, x, error);
  if (hits != NULL && hits->len > 0)
    highlight (self, hits->pdata[0]);
  else if (self->highlight_layer != NULL)
    shumate_path_layer_remove_all (self->highlight_layer);
  return hits;
}

/* How many points the highlighted outline has (0: nothing highlighted). */
guint
ld_map_status_get_highlight_size (LdMapStatus *self)
{
  GList *nodes;
  guint n;

  g_return_val_if_fail (LD_IS_MAP_STATUS (self), 0);

  nodes = shumate_path_layer_get_nodes (self->highlight_layer);
  n = g_list_length (nodes);
  g_list_free (nodes);
  return n;
}
