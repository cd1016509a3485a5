/* ld-redline-conflict-view.c: a red-line conflict's two versions side by side on the map
 *
 * A conflicted parcel geometry cannot be judged from two WKT texts. This window shows this
 * device's version and the server's version on two small maps over the same base map, at the
 * same place and zoom, each version in its own colour with the other one dashed for
 * reference, with both areas (m², ha, mu) and their difference. "Keep Mine" and "Take Theirs"
 * emit ::chosen; the sync panel turns that into the resolution op, as for any field.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "ld-mbtiles-source.h"
#include "ld-redline-conflict-view.h"

#define MAP_WIDTH  360
#define MAP_HEIGHT 300

typedef struct
{
  LdRedline        *redline;
  GPtrArray        *rings;
  double            area;
  ShumateSimpleMap *map;
  ShumatePathLayer *outline;
} Version;

struct _LdRedlineConflictView
{
  AdwWindow         parent_instance;

  Version           versions[2];   /* LD_SYNC_CHOICE_MINE, LD_SYNC_CHOICE_THEIRS */
  LdLonLatBox       box;
  ShumateMapSource *basemap;
};

G_DEFINE_FINAL_TYPE (LdRedlineConflictView, ld_redline_conflict_view, ADW_TYPE_WINDOW)

enum
{
  CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const GdkRGBA colours[2] = {
  { 0.90, 0.10, 0.10, 1.0 },   /* mine: the red line's red */
  { 0.10, 0.35, 0.85, 1.0 },   /* theirs: blue */
};

/* ---- maps ------------------------------------------------------------------------------- */

static ShumatePathLayer *
ring_layer (ShumateViewport *viewport,
            GArray          *ring,
            const GdkRGBA   *colour,
            double           width,
            gboolean         dashed)
{
  ShumatePathLayer *layer = shumate_path_layer_new (viewport);

  shumate_path_layer_set_stroke_color (layer, colour);
  shumate_path_layer_set_stroke_width (layer, width);
  shumate_path_layer_set_closed (layer, TRUE);
  if (dashed)
    {
      GList *dash = g_list_append (g_list_append (NULL, GUINT_TO_POINTER (6)),
                                   GUINT_TO_POINTER (4));

      shumate_path_layer_set_dash (layer, dash);
      g_list_free (dash);
    }
  for (guint i = 0; i < ring->len / 2; i++)
    {
      const double *p = (const double *) ring->data + 2 * i;

      shumate_path_layer_add_node (layer,
                                   SHUMATE_LOCATION (shumate_coordinate_new_full (p[1], p[0])));
    }
  return layer;
}

/* One version's map: the other version dashed and grey underneath, this one on top. */
static void
build_map (LdRedlineConflictView *self,
           guint                  which)
{
  Version *v = &self->versions[which];
  Version *other = &self->versions[1 - which];
  ShumateViewport *viewport;
  GdkRGBA grey = { 0.35, 0.35, 0.35, 0.9 };
  double x0, y0, x1, y1, zoom;

  v->map = shumate_simple_map_new ();
  gtk_widget_set_size_request (GTK_WIDGET (v->map), MAP_WIDTH, MAP_HEIGHT);
  shumate_simple_map_set_show_zoom_buttons (v->map, FALSE);
  shumate_scale_set_unit (shumate_simple_map_get_scale (v->map), SHUMATE_UNIT_METRIC);
  /* never rotated; its icon would need an SVG loader for nothing */
  gtk_widget_set_visible (GTK_WIDGET (shumate_simple_map_get_compass (v->map)), FALSE);
  viewport = shumate_simple_map_get_viewport (v->map);
  if (self->basemap != NULL)
    shumate_simple_map_set_map_source (v->map, self->basemap);
  else
    {
      /* No base map: the viewport still needs a reference source for its projection. */
      g_autoptr(LdMbtilesSource) none = ld_mbtiles_source_new (NULL);
      g_autoptr(ShumateRasterRenderer) blank =
        shumate_raster_renderer_new_full ("landdesk-none", "", "", NULL, 0, 19, LD_TILE_SIZE,
                                          SHUMATE_MAP_PROJECTION_MERCATOR,
                                          SHUMATE_DATA_SOURCE (none));

      shumate_viewport_set_reference_map_source (viewport, SHUMATE_MAP_SOURCE (blank));
    }
  for (guint i = 0; i < other->rings->len; i++)
    shumate_simple_map_add_overlay_layer (v->map, SHUMATE_LAYER (
        ring_layer (viewport, other->rings->pdata[i], &grey, 1.5, TRUE)));
  for (guint i = 0; i < v->rings->len; i++)
    {
      ShumatePathLayer *layer = ring_layer (viewport, v->rings->pdata[i], &colours[which], 3.0,
                                            FALSE);

      if (v->outline == NULL)
        v->outline = layer;   /* the outer ring of the first polygon */
      shumate_simple_map_add_overlay_layer (v->map, SHUMATE_LAYER (layer));
    }

  /* Both maps at one place and zoom, fitted to both versions. */
  ld_geo_lonlat_to_world (self->box.west, self->box.north, 0, &x0, &y0);
  ld_geo_lonlat_to_world (self->box.east, self->box.south, 0, &x1, &y1);
  zoom = log2 (MIN (MAP_WIDTH * 0.7 / MAX (x1 - x0, 1e-9), MAP_HEIGHT * 0.7 / MAX (y1 - y0, 1e-9)));
  shumate_viewport_set_zoom_level (viewport, CLAMP (zoom, 3.0, 19.0));
  shumate_location_set_location (SHUMATE_LOCATION (viewport),
                                 (self->box.south + self->box.north) / 2,
                                 (self->box.west + self->box.east) / 2);
}

/* ---- the window ------------------------------------------------------------------------- */

static void
choose_clicked_cb (GtkButton             *button,
                   LdRedlineConflictView *self)
{
  LdSyncChoice choice = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "choice"));

  g_signal_emit (self, signals[CHOSEN], 0, (int) choice);
  gtk_window_destroy (GTK_WINDOW (self));
}

static GtkWidget *
version_column (LdRedlineConflictView *self,
                guint                  which)
{
  Version *v = &self->versions[which];
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *heading = gtk_label_new (which == LD_SYNC_CHOICE_MINE
                                      ? _("Mine (this device)") : _("Theirs (the server)"));
  g_autofree char *area_text = ld_area_format (v->area);
  g_autofree char *area_line = g_strdup_printf (_("Area: %s"), area_text);
  GtkWidget *area = gtk_label_new (area_line);
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *button = gtk_button_new_with_label (which == LD_SYNC_CHOICE_MINE
                                                 ? _("Keep Mine") : _("Take Theirs"));

  /* The heading in its outline's colour: libadwaita's error red and accent blue. */
  gtk_widget_add_css_class (heading, "heading");
  gtk_widget_add_css_class (heading, which == LD_SYNC_CHOICE_MINE ? "error" : "accent");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_label_set_xalign (GTK_LABEL (area), 0);
  gtk_widget_set_name (area, which == LD_SYNC_CHOICE_MINE ? "mine-area" : "theirs-area");
  build_map (self, which);
  gtk_widget_set_name (GTK_WIDGET (v->map), which == LD_SYNC_CHOICE_MINE ? "mine-map"
                                                                         : "theirs-map");
  gtk_frame_set_child (GTK_FRAME (frame), GTK_WIDGET (v->map));
  gtk_widget_set_halign (button, GTK_ALIGN_START);
  if (which == LD_SYNC_CHOICE_MINE)
    gtk_widget_add_css_class (button, "suggested-action");
  g_object_set_data (G_OBJECT (button), "choice", GINT_TO_POINTER (which));
  g_signal_connect (button, "clicked", G_CALLBACK (choose_clicked_cb), self);
  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), frame);
  gtk_box_append (GTK_BOX (box), area);
  gtk_box_append (GTK_BOX (box), button);
  return box;
}

static void
build (LdRedlineConflictView *self)
{
  GtkWidget *toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *columns = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
  GtkWidget *intro = gtk_label_new (_("This parcel's red line was changed here and on the "
                                      "server. Compare the two versions and keep one."));
  double diff = self->versions[LD_SYNC_CHOICE_MINE].area
                - self->versions[LD_SYNC_CHOICE_THEIRS].area;
  g_autofree char *diff_area = ld_area_format (fabs (diff));
  g_autofree char *diff_text = g_strdup_printf (diff >= 0 ? _("Mine is larger by %s")
                                                         : _("Mine is smaller by %s"),
                                                diff_area);
  GtkWidget *difference = gtk_label_new (diff_text);

  gtk_window_set_title (GTK_WINDOW (self), _("Red Line Conflict"));
  gtk_window_set_default_size (GTK_WINDOW (self), 2 * MAP_WIDTH + 3 * 18, MAP_HEIGHT + 240);
  gtk_box_append (GTK_BOX (toolbar), header);
  gtk_widget_set_margin_start (content, 18);
  gtk_widget_set_margin_end (content, 18);
  gtk_widget_set_margin_top (content, 12);
  gtk_widget_set_margin_bottom (content, 18);
  gtk_label_set_wrap (GTK_LABEL (intro), TRUE);
  gtk_label_set_xalign (GTK_LABEL (intro), 0);
  gtk_label_set_xalign (GTK_LABEL (difference), 0);
  gtk_widget_set_name (difference, "area-difference");
  gtk_box_append (GTK_BOX (content), intro);
  gtk_box_append (GTK_BOX (columns), version_column (self, LD_SYNC_CHOICE_MINE));
  gtk_box_append (GTK_BOX (columns), version_column (self, LD_SYNC_CHOICE_THEIRS));
  gtk_box_append (GTK_BOX (content), columns);
  gtk_box_append (GTK_BOX (content), difference);
  gtk_box_append (GTK_BOX (toolbar), content);
  adw_window_set_content (ADW_WINDOW (self), toolbar);
}

/* ---- GObject ---------------------------------------------------------------------------- */

static void
ld_redline_conflict_view_dispose (GObject *object)
{
  LdRedlineConflictView *self = LD_REDLINE_CONFLICT_VIEW (object);

  for (guint i = 0; i < 2; i++)
    {
      g_clear_object (&self->versions[i].redline);
      g_clear_pointer (&self->versions[i].rings, g_ptr_array_unref);
    }
  g_clear_object (&self->basemap);

  G_OBJECT_CLASS (ld_redline_conflict_view_parent_class)->dispose (object);
}

static void
ld_redline_conflict_view_class_init (LdRedlineConflictViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ld_redline_conflict_view_dispose;

  /**
   * LdRedlineConflictView::chosen:
   * @choice: an #LdSyncChoice, mine or theirs
   */
  signals[CHOSEN] = g_signal_new ("chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
ld_redline_conflict_view_init (LdRedlineConflictView *self)
{
}

/* ---- public API ------------------------------------------------------------------------- */

/* One version as a red line of one parcel, its rings in longitude/latitude. */
static gboolean
load_version (Version     *v,
              const char  *wkt,
              LdLonLatBox *box,
              GError     **error)
{
  LdLonLatBox one;

  v->redline = ld_redline_new ();
  if (!ld_redline_add_parcel_wkt (v->redline, NULL, NULL, wkt, error))
    return FALSE;
  v->area = ld_redline_get_parcel_area (v->redline, 0);
  v->rings = ld_case_outline_from_redline (v->redline, &one, error);
  if (v->rings == NULL)
    return FALSE;
  box->west = MIN (box->west, one.west);
  box->south = MIN (box->south, one.south);
  box->east = MAX (box->east, one.east);
  box->north = MAX (box->north, one.north);
  return TRUE;
}

/**
 * ld_redline_conflict_view_new:
 * @mine_wkt: this device's geometry (WKT, EPSG:4525)
 * @theirs_wkt: the server's geometry
 * @basemap: (nullable): the map source the main window shows
 *
 * Returns: (transfer none): the window (GTK owns it, as any window), or %NULL with @error
 *   when a geometry is unusable.
 */
LdRedlineConflictView *
ld_redline_conflict_view_new (const char        *mine_wkt,
                              const char        *theirs_wkt,
                              ShumateMapSource  *basemap,
                              GError           **error)
{
  LdRedlineConflictView *self = g_object_new (LD_TYPE_REDLINE_CONFLICT_VIEW, "modal", TRUE,
                                              NULL);

  self->box = (LdLonLatBox) { 180.0, 90.0, -180.0, -90.0 };
  if (!load_version (&self->versions[LD_SYNC_CHOICE_MINE], mine_wkt, &self->box, error)
      || !load_version (&self->versions[LD_SYNC_CHOICE_THEIRS], theirs_wkt, &self->box, error))
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return NULL;
    }
  g_set_object (&self->basemap, basemap);
  build (self);
  return self;
}

/* The version's planar area in m². */
double
ld_redline_conflict_view_get_area (LdRedlineConflictView *self,
                                   LdSyncChoice           which)
{
  g_return_val_if_fail (LD_IS_REDLINE_CONFLICT_VIEW (self) && which <= 1, 0.0);

  return self->versions[which].area;
}

/* The outline drawn in the version's colour (the outer ring of its first polygon). */
ShumatePathLayer *
ld_redline_conflict_view_get_outline (LdRedlineConflictView *self,
                                      LdSyncChoice           which)
{
  g_return_val_if_fail (LD_IS_REDLINE_CONFLICT_VIEW (self) && which <= 1, NULL);

  return self->versions[which].outline;
}

ShumateSimpleMap *
ld_redline_conflict_view_get_map (LdRedlineConflictView *self,
                                  LdSyncChoice           which)
{
  g_return_val_if_fail (LD_IS_REDLINE_CONFLICT_VIEW (self) && which <= 1, NULL);

  return self->versions[which].map;
}
