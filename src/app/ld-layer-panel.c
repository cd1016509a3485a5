/* ld-layer-panel.c: the map's layers: base map choice, and a row per layer (LdLayerRow)
 *
 * Rows are listed as the layers are drawn, the top one first, and can be moved; the order
 * is kept in GSettings (layer-order, bottom first) like the rest of each layer's state, so
 * the map looks the same at the next start. Alt+1 ... Alt+6 toggle the layers in the
 * store's order (current land use first), wherever they have been moved.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ld-core.h"
#include "ld-layer-panel.h"
#include "ld-layer-row.h"
#include "ld-overlay-layer.h"

struct _LdLayerPanel
{
  GtkPopover  parent_instance;

  GSettings  *settings;
  GPtrArray  *overlays;   /* LdOverlayLayer, in the store's order */
  GPtrArray  *rows;       /* LdLayerRow, one per overlay, in the same order */
  GArray     *order;      /* guint indices into overlays, as drawn: bottom first */
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

/* The saved order (tables, bottom first) over the store's layers: those it names in its
 * order, the others where the store's order puts them. */
static void
load_order (LdLayerPanel *self)
{
  g_auto(GStrv) saved = g_settings_get_strv (self->settings, "layer-order");
  g_autofree gboolean *placed = g_new0 (gboolean, self->overlays->len);

  g_array_set_size (self->order, 0);
  for (guint k = 0; saved[k] != NULL; k++)
    for (guint i = 0; i < self->overlays->len; i++)
      if (!placed[i] && g_str_equal (saved[k], table_of (self->overlays->pdata[i])))
        {
          g_array_append_val (self->order, i);
          placed[i] = TRUE;
        }
  for (guint i = 0; i < self->overlays->len; i++)
    if (!placed[i])
      g_array_insert_val (self->order, MIN (i, self->order->len), i);
}

static void
save_order (LdLayerPanel *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) list = NULL;

  for (guint k = 0; k < self->order->len; k++)
    {
      guint index = g_array_index (self->order, guint, k);

      g_strv_builder_add (builder, table_of (self->overlays->pdata[index]));
    }
  list = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "layer-order", (const char * const *) list);
}

/* Stacks the layers in the map as ordered, where the lowest of them is now: other layers
 * (base map below; measurements, outlines above) keep their places around them. */
static void
restack (LdLayerPanel *self)
{
  GtkWidget *map = gtk_widget_get_parent (GTK_WIDGET (self->overlays->pdata[0]));
  GtkWidget *anchor = NULL;

  if (map == NULL)
    return;
  for (GtkWidget *w = gtk_widget_get_first_child (map); w; w = gtk_widget_get_next_sibling (w))
    if (g_ptr_array_find (self->overlays, w, NULL))
      {
        anchor = gtk_widget_get_prev_sibling (w);
        break;
      }
  for (guint k = 0; k < self->order->len; k++)
    {
      GtkWidget *layer = self->overlays->pdata[g_array_index (self->order, guint, k)];

      if (gtk_widget_get_parent (layer) != map)
        continue;
      gtk_widget_insert_after (layer, map, anchor);
      anchor = layer;
    }
}

/* The rows as the layers are drawn, the top one first, each with the moves it allows. */
static void
arrange_rows (LdLayerPanel *self)
{
  GtkWidget *previous = NULL;

  for (guint k = self->order->len; k-- > 0;)
    {
      LdLayerRow *row = self->rows->pdata[g_array_index (self->order, guint, k)];

      gtk_box_reorder_child_after (self->layer_box, GTK_WIDGET (row), previous);
      ld_layer_row_set_movable (row, k + 1 < self->order->len, k > 0);
      previous = GTK_WIDGET (row);
    }
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
move_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ld_layer_panel_move (LD_LAYER_PANEL (widget), g_variant_get_uint32 (parameter),
                       g_str_equal (action_name, "layers.raise") ? 1 : -1);
}

static void
ld_layer_panel_dispose (GObject *object)
{
  LdLayerPanel *self = LD_LAYER_PANEL (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->overlays, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->order, g_array_unref);

  G_OBJECT_CLASS (ld_layer_panel_parent_class)->dispose (object);
}

static void
ld_layer_panel_class_init (LdLayerPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_layer_panel_dispose;
  gtk_widget_class_install_action (widget_class, "layers.toggle", "u", toggle_action);
  gtk_widget_class_install_action (widget_class, "layers.raise", "u", move_action);
  gtk_widget_class_install_action (widget_class, "layers.lower", "u", move_action);
}

static void
ld_layer_panel_init (LdLayerPanel *self)
{
  self->rows = g_ptr_array_new ();
  self->order = g_array_new (FALSE, FALSE, sizeof (guint));
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

/* Lists @overlays (the store's layers, bottom first, already in the map) and applies the
 * remembered state: visibility, opacity, zoom range and order. */
void
ld_layer_panel_set_overlays (LdLayerPanel *self,
                             GPtrArray    *overlays)
{
  GtkWidget *child;

  g_return_if_fail (LD_IS_LAYER_PANEL (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->layer_box))) != NULL)
    gtk_box_remove (self->layer_box, child);
  g_ptr_array_set_size (self->rows, 0);
  g_array_set_size (self->order, 0);
  g_clear_pointer (&self->overlays, g_ptr_array_unref);
  if (overlays == NULL || overlays->len == 0)
    return;
  self->overlays = g_ptr_array_ref (overlays);
  for (guint i = 0; i < overlays->len; i++)
    {
      LdLayerRow *row = ld_layer_row_new (self->settings, overlays->pdata[i], i);

      g_ptr_array_add (self->rows, row);
      gtk_box_append (self->layer_box, GTK_WIDGET (row));
    }
  load_order (self);
  restack (self);
  arrange_rows (self);
}

/* Shows or hides layer @index (0-based, the store's order), as its check box does. */
void
ld_layer_panel_toggle (LdLayerPanel *self,
                       guint         index)
{
  g_return_if_fail (LD_IS_LAYER_PANEL (self));

  if (index < self->rows->len)
    ld_layer_row_toggle (self->rows->pdata[index]);
}

/**
 * ld_layer_panel_move:
 * @index: a layer, by its place in the store's order
 * @steps: how many places to draw it higher (negative: lower)
 *
 * Draws the layer above or below its neighbours, in the map and the panel; remembered.
 */
void
ld_layer_panel_move (LdLayerPanel *self,
                     guint         index,
                     int           steps)
{
  guint from = G_MAXUINT;
  int to;

  g_return_if_fail (LD_IS_LAYER_PANEL (self));

  for (guint k = 0; k < self->order->len; k++)
    if (g_array_index (self->order, guint, k) == index)
      from = k;
  if (from == G_MAXUINT)
    return;
  to = CLAMP ((int) from + steps, 0, (int) self->order->len - 1);
  if (to == (int) from)
    return;
  g_array_remove_index (self->order, from);
  g_array_insert_val (self->order, to, index);
  save_order (self);
  restack (self);
  arrange_rows (self);
}

/* The layer's row, by its place in the store's order; NULL past the last. */
LdLayerRow *
ld_layer_panel_get_row (LdLayerPanel *self,
                        guint         index)
{
  g_return_val_if_fail (LD_IS_LAYER_PANEL (self), NULL);
  return index < self->rows->len ? self->rows->pdata[index] : NULL;
}
