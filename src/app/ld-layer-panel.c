/* ld-layer-panel.c: the map's layers: base map choice, visibility, opacity, legends
 *
 * Which layers are hidden and how opaque each is are kept in GSettings, so the map looks the
 * same at the next start. Alt+1 ... Alt+6 toggle the layers in the panel's order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ld-core.h"
#include "ld-labels.h"
#include "ld-layer-panel.h"
#include "ld-map-legend.h"
#include "ld-overlay-layer.h"

struct _LdLayerPanel
{
  GtkPopover  parent_instance;

  GSettings  *settings;
  GPtrArray  *overlays;   /* LdOverlayLayer */
  GtkBox     *layer_box;
};

G_DEFINE_FINAL_TYPE (LdLayerPanel, ld_layer_panel, GTK_TYPE_POPOVER)

static const struct
{
  const char *id;
  const char *label;
} basemaps[] = {
  { "offline", N_("Offline file") },
  { "tianditu-vector", N_("Tianditu vector") },
  { "tianditu-imagery", N_("Tianditu imagery") },
  { "osm", N_("OpenStreetMap") },
  { "custom", N_("Custom tile server") },
  { "none", N_("None") },
};

static const char *
table_of (LdOverlayLayer *layer)
{
  return ld_tile_renderer_get_table (ld_overlay_layer_get_renderer (layer));
}

static gboolean
is_hidden (LdLayerPanel *self,
           const char   *table)
{
  g_auto(GStrv) hidden = g_settings_get_strv (self->settings, "hidden-layers");

  return g_strv_contains ((const char * const *) hidden, table);
}

static void
set_hidden (LdLayerPanel *self,
            const char   *table,
            gboolean      hidden)
{
  g_auto(GStrv) old = g_settings_get_strv (self->settings, "hidden-layers");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) list = NULL;

  for (guint i = 0; old[i] != NULL; i++)
    if (!g_str_equal (old[i], table))
      g_strv_builder_add (builder, old[i]);
  if (hidden)
    g_strv_builder_add (builder, table);
  list = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "hidden-layers", (const char * const *) list);
}

static double
saved_opacity (LdLayerPanel *self,
               const char   *table)
{
  g_autoptr(GVariant) map = g_settings_get_value (self->settings, "layer-opacity");
  double opacity = 1.0;

  g_variant_lookup (map, table, "d", &opacity);
  return CLAMP (opacity, 0.0, 1.0);
}

static void
save_opacity (LdLayerPanel *self,
              const char   *table,
              double        opacity)
{
  g_autoptr(GVariant) old = g_settings_get_value (self->settings, "layer-opacity");
  GVariantDict dict;

  g_variant_dict_init (&dict, old);
  g_variant_dict_insert (&dict, table, "d", opacity);
  g_settings_set_value (self->settings, "layer-opacity", g_variant_dict_end (&dict));
}

static void
visible_toggled_cb (GtkCheckButton *check,
                    LdLayerPanel   *self)
{
  LdOverlayLayer *layer = g_object_get_data (G_OBJECT (check), "layer");
  gboolean visible = gtk_check_button_get_active (check);

  gtk_widget_set_visible (GTK_WIDGET (layer), visible);
  set_hidden (self, table_of (layer), !visible);
}

static void
opacity_changed_cb (GtkRange     *range,
                    LdLayerPanel *self)
{
  LdOverlayLayer *layer = g_object_get_data (G_OBJECT (range), "layer");
  double opacity = gtk_range_get_value (range);

  ld_overlay_layer_set_layer_opacity (layer, opacity);
  save_opacity (self, table_of (layer), opacity);
}

/* Colour, code and Chinese name of every class the palette lists. */
static GtkWidget *
legend_for (LdOverlayLayer *layer)
{
  LdPalette *palette = ld_tile_renderer_get_palette (ld_overlay_layer_get_renderer (layer));
  GtkWidget *grid = gtk_grid_new ();
  guint n = ld_palette_get_n_entries (palette);

  gtk_grid_set_column_spacing (GTK_GRID (grid), 8);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 2);
  for (guint i = 0; i < n; i++)
    {
      const LdPaletteEntry *entry = ld_palette_get_entry (palette, i);
      GtkWidget *swatch = gtk_drawing_area_new ();
      GtkWidget *code = gtk_label_new (g_str_equal (entry->code, "*") ? "" : entry->code);
      GtkWidget *name = gtk_label_new (entry->name);

      gtk_widget_set_size_request (swatch, 16, 12);
      gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch),
                                      ld_map_legend_draw_swatch, (gpointer) entry, NULL);
      gtk_label_set_xalign (GTK_LABEL (code), 0);
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_widget_add_css_class (code, "caption");
      gtk_widget_add_css_class (code, "numeric");
      gtk_widget_add_css_class (name, "caption");
      gtk_grid_attach (GTK_GRID (grid), swatch, 0, i, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), code, 1, i, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), name, 2, i, 1, 1);
    }
  return grid;
}

static GtkWidget *
layer_row (LdLayerPanel   *self,
           LdOverlayLayer *layer,
           guint           index)
{
  const char *table = table_of (layer);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  g_autofree char *label = g_strdup_printf ("%s (Alt+%u)", ld_labels_layer (table), index + 1);
  GtkWidget *check = gtk_check_button_new_with_label (label);
  GtkWidget *scale = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0.0, 1.0, 0.05);
  GtkWidget *expander = gtk_expander_new (_("Legend"));
  GtkWidget *scroller = gtk_scrolled_window_new ();

  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), !is_hidden (self, table));
  gtk_widget_set_visible (GTK_WIDGET (layer), !is_hidden (self, table));
  g_object_set_data (G_OBJECT (check), "layer", layer);
  g_signal_connect (check, "toggled", G_CALLBACK (visible_toggled_cb), self);

  gtk_range_set_value (GTK_RANGE (scale), saved_opacity (self, table));
  ld_overlay_layer_set_layer_opacity (layer, saved_opacity (self, table));
  gtk_scale_set_draw_value (GTK_SCALE (scale), FALSE);
  gtk_widget_set_tooltip_text (scale, _("Opacity"));
  gtk_widget_set_margin_start (scale, 24);
  g_object_set_data (G_OBJECT (scale), "layer", layer);
  g_signal_connect (scale, "value-changed", G_CALLBACK (opacity_changed_cb), self);

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), legend_for (layer));
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 240);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_expander_set_child (GTK_EXPANDER (expander), scroller);
  gtk_widget_set_margin_start (expander, 24);

  gtk_box_append (GTK_BOX (box), check);
  gtk_box_append (GTK_BOX (box), scale);
  gtk_box_append (GTK_BOX (box), expander);
  return box;
}

static GtkWidget *
heading (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  return label;
}

static void
toggle_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ld_layer_panel_toggle (LD_LAYER_PANEL (widget), g_variant_get_uint32 (parameter));
}

static void
ld_layer_panel_dispose (GObject *object)
{
  LdLayerPanel *self = LD_LAYER_PANEL (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->overlays, g_ptr_array_unref);

  G_OBJECT_CLASS (ld_layer_panel_parent_class)->dispose (object);
}

static void
ld_layer_panel_class_init (LdLayerPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_layer_panel_dispose;
  gtk_widget_class_install_action (widget_class, "layers.toggle", "u", toggle_action);
}

static void
ld_layer_panel_init (LdLayerPanel *self)
{
}

LdLayerPanel *
ld_layer_panel_new (GSettings *settings)
{
  LdLayerPanel *self = g_object_new (LD_TYPE_LAYER_PANEL, NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkCheckButton *group = NULL;

  self->settings = g_object_ref (settings);
  gtk_widget_set_size_request (box, 280, -1);
  gtk_box_append (GTK_BOX (box), heading (_("Base Map")));
  for (guint i = 0; i < G_N_ELEMENTS (basemaps); i++)
    {
      GtkWidget *radio = gtk_check_button_new_with_label (_(basemaps[i].label));

      gtk_actionable_set_action_name (GTK_ACTIONABLE (radio), "win.basemap");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (radio), "s", basemaps[i].id);
      if (group != NULL)
        gtk_check_button_set_group (GTK_CHECK_BUTTON (radio), group);
      group = GTK_CHECK_BUTTON (radio);
      gtk_box_append (GTK_BOX (box), radio);
    }
  gtk_box_append (GTK_BOX (box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_box_append (GTK_BOX (box), heading (_("Layers")));
  self->layer_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 8));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->layer_box));

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), box);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 640);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_popover_set_child (GTK_POPOVER (self), scroller);
  return self;
}

/* Lists @overlays (the store's layers, bottom first) and applies the remembered state. */
void
ld_layer_panel_set_overlays (LdLayerPanel *self,
                             GPtrArray    *overlays)
{
  GtkWidget *child;

  g_return_if_fail (LD_IS_LAYER_PANEL (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->layer_box))) != NULL)
    gtk_box_remove (self->layer_box, child);
  g_clear_pointer (&self->overlays, g_ptr_array_unref);
  if (overlays == NULL)
    return;
  self->overlays = g_ptr_array_ref (overlays);
  for (guint i = 0; i < overlays->len; i++)
    gtk_box_append (self->layer_box, layer_row (self, overlays->pdata[i], i));
}

/* Shows or hides layer @index (0-based, the panel's order), as its check box does. */
void
ld_layer_panel_toggle (LdLayerPanel *self,
                       guint         index)
{
  GtkWidget *row;

  g_return_if_fail (LD_IS_LAYER_PANEL (self));

  row = gtk_widget_get_first_child (GTK_WIDGET (self->layer_box));
  for (guint i = 0; row != NULL && i < index; i++)
    row = gtk_widget_get_next_sibling (row);
  if (row != NULL)
    {
      GtkCheckButton *check = GTK_CHECK_BUTTON (gtk_widget_get_first_child (row));

      gtk_check_button_set_active (check, !gtk_check_button_get_active (check));
    }
}
