/* ld-map-legend.c: a compact legend over the map: the classes the visible land layers show
 *
 * A card in the map's bottom-left corner: a header button that folds it (remembered in
 * GSettings, "map-legend-expanded"), then, for each visible overlay, its name and a row per
 * class it shows in the view (colour swatch, code, Chinese name). Only the classes in view are
 * listed, so the legend stays short; a layer shows everything where its tiles come from an
 * overview, and how far that overview has come while it is first built. The layer panel
 * keeps the full legend of every layer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ld-core.h"
#include "ld-labels.h"
#include "ld-map-legend.h"
#include "ld-overlay-layer.h"

#define MAX_HEIGHT 240

struct _LdMapLegend
{
  GtkWidget       parent_instance;

  GSettings      *settings;
  GPtrArray      *overlays;      /* LdOverlayLayer */
  GtkWidget      *box;
  GtkWidget      *toggle;
  GtkWidget      *arrow;
  GtkWidget      *revealer;
  GtkWidget      *grid;
  guint           n_rows;
  guint           rebuild_idle;
};

G_DEFINE_FINAL_TYPE (LdMapLegend, ld_map_legend, GTK_TYPE_WIDGET)

/**
 * ld_map_legend_attach_class:
 *
 * Puts one palette class in row @row of @grid: its swatch, code and Chinese name. The map's
 * legend and the layer panel's legends look alike through it.
 */
void
ld_map_legend_attach_class (GtkGrid              *grid,
                            const LdPaletteEntry *entry,
                            int                   row)
{
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
  gtk_grid_attach (grid, swatch, 0, row, 1, 1);
  gtk_grid_attach (grid, code, 1, row, 1, 1);
  gtk_grid_attach (grid, name, 2, row, 1, 1);
}

static void
add_class_row (LdMapLegend          *self,
               const LdPaletteEntry *entry,
               int                   row)
{
  ld_map_legend_attach_class (GTK_GRID (self->grid), entry, row);
  self->n_rows++;
}

/* While a layer's overview is built (the first time a large layer is shown), it draws
 * nothing when zoomed out: its name and how far the build has come say why. */
static void
add_progress_rows (LdMapLegend    *self,
                   LdOverlayLayer *layer,
                   int             row)
{
  LdTileRenderer *renderer = ld_overlay_layer_get_renderer (layer);
  double progress = ld_overlay_layer_get_overview_progress (layer);
  GtkWidget *heading = gtk_label_new (ld_labels_layer (ld_tile_renderer_get_table (renderer)));
  GtkWidget *bar = gtk_progress_bar_new ();
  g_autofree char *text = g_strdup_printf (_("Preparing the overview: %.0f%%"), progress * 100);

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "caption-heading");
  if (row > 0)
    gtk_widget_set_margin_top (heading, 6);
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar), progress);
  gtk_progress_bar_set_text (GTK_PROGRESS_BAR (bar), text);
  gtk_progress_bar_set_show_text (GTK_PROGRESS_BAR (bar), TRUE);
  gtk_widget_add_css_class (bar, "caption");
  gtk_grid_attach (GTK_GRID (self->grid), heading, 0, row, 3, 1);
  gtk_grid_attach (GTK_GRID (self->grid), bar, 0, row + 1, 3, 1);
  self->n_rows++;
}

/* One heading per visible layer that shows anything, then its classes in palette order. */
static void
rebuild (LdMapLegend *self)
{
  GtkWidget *child;
  int row = 0;

  self->n_rows = 0;
  while ((child = gtk_widget_get_first_child (self->grid)) != NULL)
    gtk_grid_remove (GTK_GRID (self->grid), child);
  for (guint i = 0; self->overlays != NULL && i < self->overlays->len; i++)
    {
      LdOverlayLayer *layer = self->overlays->pdata[i];
      LdTileRenderer *renderer = ld_overlay_layer_get_renderer (layer);
      LdPalette *palette = ld_tile_renderer_get_palette (renderer);
      const guint8 *shown;
      GtkWidget *heading;
      gboolean any = FALSE;
      guint n;

      if (!gtk_widget_get_visible (GTK_WIDGET (layer)))
        continue;
      if (ld_overlay_layer_get_overview_progress (layer) >= 0)
        {
          add_progress_rows (self, layer, row);
          row += 2;
          continue;
        }
      shown = ld_overlay_layer_get_classes_in_view (layer, &n);
      n = MIN (n, ld_palette_get_n_entries (palette));
      for (guint k = 0; k < n && !any; k++)
        any = shown[k];
      if (!any)
        continue;
      heading = gtk_label_new (ld_labels_layer (ld_tile_renderer_get_table (renderer)));
      gtk_label_set_xalign (GTK_LABEL (heading), 0);
      gtk_widget_add_css_class (heading, "caption-heading");
      if (row > 0)
        gtk_widget_set_margin_top (heading, 6);
      gtk_grid_attach (GTK_GRID (self->grid), heading, 0, row++, 3, 1);
      for (guint k = 0; k < n; k++)
        if (shown[k])
          add_class_row (self, ld_palette_get_entry (palette, k), row++);
    }
  gtk_widget_set_visible (GTK_WIDGET (self), self->n_rows > 0);
}

static void
rebuild_idle_cb (gpointer data)
{
  LdMapLegend *self = data;

  self->rebuild_idle = 0;
  rebuild (self);
}

static void
layer_changed_cb (LdMapLegend *self)
{
  if (self->rebuild_idle == 0)
    self->rebuild_idle = g_idle_add_once (rebuild_idle_cb, self);
}

static void
expanded_changed_cb (LdMapLegend *self)
{
  gboolean expanded = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->toggle));

  gtk_revealer_set_reveal_child (GTK_REVEALER (self->revealer), expanded);
  gtk_image_set_from_icon_name (GTK_IMAGE (self->arrow),
                                expanded ? "pan-down-symbolic" : "pan-up-symbolic");
  gtk_widget_set_tooltip_text (self->toggle, expanded ? _("Hide Legend") : _("Show Legend"));
}

static void
disconnect_overlays (LdMapLegend *self)
{
  for (guint i = 0; self->overlays != NULL && i < self->overlays->len; i++)
    g_signal_handlers_disconnect_by_data (self->overlays->pdata[i], self);
  g_clear_pointer (&self->overlays, g_ptr_array_unref);
}

static void
ld_map_legend_dispose (GObject *object)
{
  LdMapLegend *self = LD_MAP_LEGEND (object);

  g_clear_handle_id (&self->rebuild_idle, g_source_remove);
  disconnect_overlays (self);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (ld_map_legend_parent_class)->dispose (object);
}

static void
ld_map_legend_class_init (LdMapLegendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_map_legend_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "maplegend");
}

static void
ld_map_legend_init (LdMapLegend *self)
{
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title = gtk_label_new (_("Legend"));
  GtkWidget *scroller = gtk_scrolled_window_new ();

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  gtk_widget_add_css_class (self->box, "card");
  gtk_widget_add_css_class (self->box, "map-legend");

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_add_css_class (title, "heading");
  self->arrow = gtk_image_new_from_icon_name ("pan-down-symbolic");
  gtk_box_append (GTK_BOX (header), title);
  gtk_box_append (GTK_BOX (header), self->arrow);
  self->toggle = gtk_toggle_button_new ();
  gtk_button_set_child (GTK_BUTTON (self->toggle), header);
  gtk_widget_add_css_class (self->toggle, "flat");
  gtk_box_append (GTK_BOX (self->box), self->toggle);

  self->grid = gtk_grid_new ();
  gtk_grid_set_column_spacing (GTK_GRID (self->grid), 8);
  gtk_grid_set_row_spacing (GTK_GRID (self->grid), 2);
  gtk_widget_set_margin_start (self->grid, 10);
  gtk_widget_set_margin_end (self->grid, 10);
  gtk_widget_set_margin_bottom (self->grid, 8);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), self->grid);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), MAX_HEIGHT);
  self->revealer = gtk_revealer_new ();
  gtk_revealer_set_transition_type (GTK_REVEALER (self->revealer),
                                    GTK_REVEALER_TRANSITION_TYPE_SLIDE_UP);
  gtk_revealer_set_child (GTK_REVEALER (self->revealer), scroller);
  gtk_box_append (GTK_BOX (self->box), self->revealer);

  g_signal_connect_swapped (self->toggle, "toggled", G_CALLBACK (expanded_changed_cb), self);
  gtk_widget_set_halign (GTK_WIDGET (self), GTK_ALIGN_START);
  gtk_widget_set_valign (GTK_WIDGET (self), GTK_ALIGN_END);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

/**
 * ld_map_legend_new:
 * @settings: the application's settings: "map-legend-expanded" is kept there
 */
LdMapLegend *
ld_map_legend_new (GSettings *settings)
{
  LdMapLegend *self = g_object_new (LD_TYPE_MAP_LEGEND, NULL);

  self->settings = g_object_ref (settings);
  g_settings_bind (settings, "map-legend-expanded", self->toggle, "active",
                   G_SETTINGS_BIND_DEFAULT);
  expanded_changed_cb (self);
  return self;
}

/* Follows @overlays (the store's layers, bottom first): their visibility and what they show. */
void
ld_map_legend_set_overlays (LdMapLegend *self,
                            GPtrArray   *overlays)
{
  g_return_if_fail (LD_IS_MAP_LEGEND (self));

  disconnect_overlays (self);
  if (overlays != NULL)
    {
      self->overlays = g_ptr_array_ref (overlays);
      for (guint i = 0; i < overlays->len; i++)
        {
          g_signal_connect_swapped (overlays->pdata[i], "classes-changed",
                                    G_CALLBACK (layer_changed_cb), self);
          g_signal_connect_swapped (overlays->pdata[i], "notify::visible",
                                    G_CALLBACK (layer_changed_cb), self);
          g_signal_connect_swapped (overlays->pdata[i], "notify::overview-progress",
                                    G_CALLBACK (layer_changed_cb), self);
        }
    }
  layer_changed_cb (self);
}

/* The class rows shown (headings not counted): for tests. */
guint
ld_map_legend_get_n_rows (LdMapLegend *self)
{
  g_return_val_if_fail (LD_IS_MAP_LEGEND (self), 0);
  return self->n_rows;
}

/* A palette entry's swatch: a GtkDrawingAreaDrawFunc, @user_data the LdPaletteEntry. The
 * layer panel's legend draws its swatches with it too. */
void
ld_map_legend_draw_swatch (GtkDrawingArea *area,
                           cairo_t        *cr,
                           int             width,
                           int             height,
                           gpointer        user_data)
{
  const LdPaletteEntry *entry = user_data;

  if (entry->has_fill)
    {
      cairo_set_source_rgba (cr, entry->fill[0], entry->fill[1], entry->fill[2], entry->fill[3]);
      cairo_rectangle (cr, 0, 0, width, height);
      cairo_fill (cr);
    }
  cairo_rectangle (cr, 0.5, 0.5, width - 1, height - 1);
  if (entry->has_outline)
    cairo_set_source_rgba (cr, entry->outline[0], entry->outline[1], entry->outline[2],
                           entry->outline[3]);
  else
    cairo_set_source_rgba (cr, 0, 0, 0, 0.3);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);
}
