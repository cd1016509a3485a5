/* ld-layer-row.c: one layer in the layer panel
 *
 * A check box (with the layer's Alt+N shortcut), buttons that draw it above or below its
 * neighbours (the panel's layers.raise and layers.lower actions), its opacity, the zooms
 * between which it shows, and its legend. Visibility, opacity and zoom range are kept in
 * GSettings by table, so the map looks the same at the next start.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ld-core.h"
#include "ld-labels.h"
#include "ld-layer-row.h"
#include "ld-map-legend.h"

struct _LdLayerRow
{
  GtkBox          parent_instance;

  GSettings      *settings;
  LdOverlayLayer *layer;
  GtkCheckButton *check;
  GtkWidget      *up, *down;
  GtkSpinButton  *min_zoom, *max_zoom;
};

G_DEFINE_FINAL_TYPE (LdLayerRow, ld_layer_row, GTK_TYPE_BOX)

static const char *
table_of (LdLayerRow *self)
{
  return ld_tile_renderer_get_table (ld_overlay_layer_get_renderer (self->layer));
}

static gboolean
is_hidden (LdLayerRow *self)
{
  g_auto(GStrv) hidden = g_settings_get_strv (self->settings, "hidden-layers");

  return g_strv_contains ((const char * const *) hidden, table_of (self));
}

static void
save_hidden (LdLayerRow *self,
             gboolean    hidden)
{
  g_auto(GStrv) old = g_settings_get_strv (self->settings, "hidden-layers");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) list = NULL;

  for (guint i = 0; old[i] != NULL; i++)
    if (!g_str_equal (old[i], table_of (self)))
      g_strv_builder_add (builder, old[i]);
  if (hidden)
    g_strv_builder_add (builder, table_of (self));
  list = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "hidden-layers", (const char * const *) list);
}

/* @key's value for this layer's table in a dictionary setting, or NULL. */
static GVariant *
lookup_saved (LdLayerRow         *self,
              const char         *key,
              const GVariantType *type)
{
  g_autoptr(GVariant) dict = g_settings_get_value (self->settings, key);

  return g_variant_lookup_value (dict, table_of (self), type);
}

/* Sets this table's entry of the dictionary setting @key (a{s...}) to @value. Not through
 * GVariantDict, which makes a{sv}: GSettings refuses that for a{sd}. */
static void
save_in (LdLayerRow *self,
         const char *key,
         GVariant   *value)
{
  g_autoptr(GVariant) old = g_settings_get_value (self->settings, key);
  g_autoptr(GVariant) owned = g_variant_ref_sink (value);
  GVariantBuilder builder;
  GVariantIter iter;
  const char *table;
  GVariant *entry;

  g_variant_builder_init (&builder, g_variant_get_type (old));
  g_variant_iter_init (&iter, old);
  while (g_variant_iter_next (&iter, "{&s@*}", &table, &entry))
    {
      if (!g_str_equal (table, table_of (self)))
        g_variant_builder_add (&builder, "{s@*}", table, entry);
      g_variant_unref (entry);
    }
  g_variant_builder_add (&builder, "{s@*}", table_of (self), owned);
  g_settings_set_value (self->settings, key, g_variant_builder_end (&builder));
}

static void
visible_toggled_cb (GtkCheckButton *check,
                    LdLayerRow     *self)
{
  gboolean visible = gtk_check_button_get_active (check);

  gtk_widget_set_visible (GTK_WIDGET (self->layer), visible);
  save_hidden (self, !visible);
}

static void
opacity_changed_cb (GtkRange   *range,
                    LdLayerRow *self)
{
  double opacity = gtk_range_get_value (range);

  ld_overlay_layer_set_layer_opacity (self->layer, opacity);
  save_in (self, "layer-opacity", g_variant_new_double (opacity));
}

/* Either spin button: the other follows so that the range never turns over. */
static void
zoom_changed_cb (GtkSpinButton *spin,
                 LdLayerRow    *self)
{
  int lo = gtk_spin_button_get_value_as_int (self->min_zoom);
  int hi = gtk_spin_button_get_value_as_int (self->max_zoom);

  if (lo > hi)
    {
      if (spin == self->min_zoom)
        hi = lo;
      else
        lo = hi;
    }
  ld_layer_row_set_zoom_range (self, lo, hi);
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
    ld_map_legend_attach_class (GTK_GRID (grid), ld_palette_get_entry (palette, i), (int) i);
  return grid;
}

/* Not an actionable button: its sensitivity says whether the layer can move that way, which
 * the action (always enabled) would override. */
static void
move_clicked_cb (GtkButton  *button,
                 LdLayerRow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (button),
                              g_object_get_data (G_OBJECT (button), "action"), "u",
                              GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "index")));
}

static GtkWidget *
move_button (LdLayerRow *self,
             const char *icon,
             const char *tooltip,
             const char *action,
             guint       index)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  g_object_set_data (G_OBJECT (button), "action", (gpointer) action);
  g_object_set_data (G_OBJECT (button), "index", GUINT_TO_POINTER (index));
  g_signal_connect (button, "clicked", G_CALLBACK (move_clicked_cb), self);
  return button;
}

static GtkWidget *
zoom_spin (const char *tooltip)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (0, LD_LAYER_ROW_MAX_ZOOM, 1);

  gtk_widget_set_tooltip_text (spin, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  return spin;
}

static void
build (LdLayerRow *self,
       guint       index)
{
  const char *table = table_of (self);
  g_autofree char *label = g_strdup_printf ("%s (Alt+%u)", ld_labels_layer (table), index + 1);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *scale = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0.0, 1.0, 0.05);
  GtkWidget *zooms = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *expander = gtk_expander_new (_("Legend"));
  GtkWidget *scroller = gtk_scrolled_window_new ();
  g_autoptr(GVariant) opacity = lookup_saved (self, "layer-opacity", G_VARIANT_TYPE_DOUBLE);
  g_autoptr(GVariant) range = lookup_saved (self, "layer-zoom-ranges", G_VARIANT_TYPE ("(ii)"));
  int lo = 0, hi = LD_LAYER_ROW_MAX_ZOOM;

  self->check = GTK_CHECK_BUTTON (gtk_check_button_new_with_label (label));
  gtk_widget_set_hexpand (GTK_WIDGET (self->check), TRUE);
  gtk_check_button_set_active (self->check, !is_hidden (self));
  gtk_widget_set_visible (GTK_WIDGET (self->layer), !is_hidden (self));
  g_signal_connect (self->check, "toggled", G_CALLBACK (visible_toggled_cb), self);
  self->up = move_button (self, "go-up-symbolic", _("Draw Above"), "layers.raise", index);
  self->down = move_button (self, "go-down-symbolic", _("Draw Below"), "layers.lower", index);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->check));
  gtk_box_append (GTK_BOX (header), self->up);
  gtk_box_append (GTK_BOX (header), self->down);

  gtk_range_set_value (GTK_RANGE (scale),
                       opacity != NULL ? CLAMP (g_variant_get_double (opacity), 0, 1) : 1);
  ld_overlay_layer_set_layer_opacity (self->layer, gtk_range_get_value (GTK_RANGE (scale)));
  gtk_scale_set_draw_value (GTK_SCALE (scale), FALSE);
  gtk_widget_set_tooltip_text (scale, _("Opacity"));
  gtk_widget_set_margin_start (scale, 24);
  g_signal_connect (scale, "value-changed", G_CALLBACK (opacity_changed_cb), self);

  self->min_zoom = GTK_SPIN_BUTTON (zoom_spin (_("Shown from this zoom")));
  self->max_zoom = GTK_SPIN_BUTTON (zoom_spin (_("Shown up to this zoom")));
  gtk_widget_set_margin_start (zooms, 24);
  gtk_box_append (GTK_BOX (zooms), gtk_label_new (_("Zoom")));
  gtk_box_append (GTK_BOX (zooms), GTK_WIDGET (self->min_zoom));
  gtk_box_append (GTK_BOX (zooms), gtk_label_new ("–"));
  gtk_box_append (GTK_BOX (zooms), GTK_WIDGET (self->max_zoom));
  if (range != NULL)
    g_variant_get (range, "(ii)", &lo, &hi);
  lo = CLAMP (lo, 0, LD_LAYER_ROW_MAX_ZOOM);
  hi = CLAMP (hi, lo, LD_LAYER_ROW_MAX_ZOOM);
  gtk_spin_button_set_value (self->min_zoom, lo);
  gtk_spin_button_set_value (self->max_zoom, hi);
  ld_overlay_layer_set_zoom_range (self->layer, lo, hi);
  g_signal_connect (self->min_zoom, "value-changed", G_CALLBACK (zoom_changed_cb), self);
  g_signal_connect (self->max_zoom, "value-changed", G_CALLBACK (zoom_changed_cb), self);

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), legend_for (self->layer));
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 240);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_expander_set_child (GTK_EXPANDER (expander), scroller);
  gtk_widget_set_margin_start (expander, 24);

  gtk_box_append (GTK_BOX (self), header);
  gtk_box_append (GTK_BOX (self), scale);
  gtk_box_append (GTK_BOX (self), zooms);
  gtk_box_append (GTK_BOX (self), expander);
}

static void
ld_layer_row_dispose (GObject *object)
{
  LdLayerRow *self = LD_LAYER_ROW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->layer);

  G_OBJECT_CLASS (ld_layer_row_parent_class)->dispose (object);
}

static void
ld_layer_row_class_init (LdLayerRowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ld_layer_row_dispose;
}

static void
ld_layer_row_init (LdLayerRow *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 2);
}

/* @index: the layer's place in the store's list, for its Alt+N and the move actions */
LdLayerRow *
ld_layer_row_new (GSettings      *settings,
                  LdOverlayLayer *layer,
                  guint           index)
{
  LdLayerRow *self = g_object_new (LD_TYPE_LAYER_ROW, NULL);

  self->settings = g_object_ref (settings);
  self->layer = g_object_ref (layer);
  build (self, index);
  return self;
}

LdOverlayLayer *
ld_layer_row_get_layer (LdLayerRow *self)
{
  g_return_val_if_fail (LD_IS_LAYER_ROW (self), NULL);
  return self->layer;
}

/* Shows or hides the layer, as its check box does. */
void
ld_layer_row_toggle (LdLayerRow *self)
{
  g_return_if_fail (LD_IS_LAYER_ROW (self));
  gtk_check_button_set_active (self->check, !gtk_check_button_get_active (self->check));
}

/* The layer shows only from @min_zoom to @max_zoom; remembered. */
void
ld_layer_row_set_zoom_range (LdLayerRow *self,
                             int         min_zoom,
                             int         max_zoom)
{
  g_return_if_fail (LD_IS_LAYER_ROW (self));

  min_zoom = CLAMP (min_zoom, 0, LD_LAYER_ROW_MAX_ZOOM);
  max_zoom = CLAMP (max_zoom, min_zoom, LD_LAYER_ROW_MAX_ZOOM);
  g_signal_handlers_block_by_func (self->min_zoom, zoom_changed_cb, self);
  g_signal_handlers_block_by_func (self->max_zoom, zoom_changed_cb, self);
  gtk_spin_button_set_value (self->min_zoom, min_zoom);
  gtk_spin_button_set_value (self->max_zoom, max_zoom);
  g_signal_handlers_unblock_by_func (self->min_zoom, zoom_changed_cb, self);
  g_signal_handlers_unblock_by_func (self->max_zoom, zoom_changed_cb, self);
  ld_overlay_layer_set_zoom_range (self->layer, min_zoom, max_zoom);
  save_in (self, "layer-zoom-ranges", g_variant_new ("(ii)", min_zoom, max_zoom));
}

/* Whether the layer can go up (it is not on top) and down. */
void
ld_layer_row_set_movable (LdLayerRow *self,
                          gboolean    up,
                          gboolean    down)
{
  g_return_if_fail (LD_IS_LAYER_ROW (self));
  gtk_widget_set_sensitive (self->up, up);
  gtk_widget_set_sensitive (self->down, down);
}
