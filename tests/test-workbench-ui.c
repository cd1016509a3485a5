/* test-workbench-ui.c: the workbench driven through its real window, in Chinese
 *
 * Selects a case the way a reviewer does (search, pick it in the list), writes an opinion,
 * presses the action button, and checks that the lists and the timeline changed. Ends with
 * a screenshot of the case page (kept in the build tree for a look).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>

#include <libsoup/soup.h>

#include "ld-application.h"
#include "ld-basemap-layer.h"
#include "ld-case-page.h"
#include "ld-core.h"
#include "ld-labels.h"
#include "ld-layer-panel.h"
#include "ld-map-legend.h"
#include "ld-map-status.h"
#include "ld-test-demo.h"
#include "ld-test-util.h"
#include "ld-test-widgets.h"
#include "ld-window.h"

typedef struct
{
  char     *store_path;
  char     *png;
  gboolean  done;
} Fixture;

static GtkWidget *
child (GtkWidget  *widget,
       GType       type,
       const char *name)
{
  GObject *obj = gtk_widget_get_template_child (widget, type, name);

  g_assert_nonnull (obj);
  return GTK_WIDGET (obj);
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static guint
count_rows (GtkWidget *list_box)
{
  guint n = 0;

  for (GtkWidget *w = gtk_widget_get_first_child (list_box); w; w = gtk_widget_get_next_sibling (w))
    n++;
  return n;
}

static guint
find_case (GListModel *cases,
           const char *id)
{
  for (guint i = 0; i < g_list_model_get_n_items (cases); i++)
    {
      g_autoptr(LdCase) kase = g_list_model_get_item (cases, i);

      if (g_strcmp0 (ld_case_get (kase, LD_CASE_ID), id) == 0)
        return i;
    }
  g_error ("case %s is not in the list", id);
}

static void
select_user (LdWindow   *window,
             const char *display_name)
{
  GtkDropDown *users = GTK_DROP_DOWN (child (GTK_WIDGET (window), LD_TYPE_WINDOW,
                                             "user_dropdown"));
  GListModel *names = gtk_drop_down_get_model (users);

  for (guint i = 0; i < g_list_model_get_n_items (names); i++)
    if (g_str_has_prefix (gtk_string_list_get_string (GTK_STRING_LIST (names), i), display_name))
      {
        gtk_drop_down_set_selected (users, i);
        return;
      }
  g_assert_not_reached ();
}

static void
screenshot_saved_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ld_window_save_screenshot_finish (LD_WINDOW (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

typedef struct
{
  ShumateViewport *viewport;
  double           zoom;
} ZoomWait;

typedef struct
{
  ShumateViewport *viewport;
  double           lat;
  double           lon;
} LocationWait;

static gboolean
location_reached (gpointer data)
{
  LocationWait *wait = data;

  /* Within a metre: the flight eases in and never lands on the last bit. */
  return G_APPROX_VALUE (shumate_location_get_latitude (SHUMATE_LOCATION (wait->viewport)),
                         wait->lat, 1e-5)
         && G_APPROX_VALUE (shumate_location_get_longitude (SHUMATE_LOCATION (wait->viewport)),
                            wait->lon, 1e-5);
}

static gboolean
has_size (gpointer data)
{
  return gtk_widget_get_width (data) > 0 && gtk_widget_get_height (data) > 0;
}

static gboolean
zoom_reached (gpointer data)
{
  ZoomWait *wait = data;

  return shumate_viewport_get_zoom_level (wait->viewport) >= wait->zoom;
}

static gboolean
legend_has_rows (gpointer data)
{
  return gtk_widget_get_visible (data) && ld_map_legend_get_n_rows (data) > 0;
}

/* Jumps there, after any flight or zoom animation still under way has been stopped. */
static void
go_to (ShumateSimpleMap *map,
       double            lat,
       double            lon,
       double            zoom)
{
  ShumateViewport *viewport = shumate_simple_map_get_viewport (map);
  LocationWait wait = { viewport, lat, lon };

  shumate_map_stop_go_to (shumate_simple_map_get_map (map));
  shumate_viewport_set_zoom_level (viewport, zoom);
  shumate_location_set_location (SHUMATE_LOCATION (viewport), lat, lon);
  ld_test_wait_for (location_reached, &wait, 10);
  g_assert_cmpfloat (shumate_viewport_get_zoom_level (viewport), ==, zoom);
}

static gboolean
legend_is_gone (gpointer data)
{
  return !gtk_widget_get_visible (data);
}

/* Over the fixture's paddy patch the legend in the map's corner lists it, in Chinese; its
 * header folds it, and that is remembered. */
static void
check_legend (LdWindow *window)
{
  ShumateSimpleMap *map = SHUMATE_SIMPLE_MAP (child (GTK_WIDGET (window), LD_TYPE_WINDOW, "map"));
  GtkWidget *legend = ld_test_find_widget (GTK_WIDGET (window), LD_TYPE_MAP_LEGEND);
  g_autoptr(GSettings) settings = g_settings_new (BASE_ID);
  g_autoptr(LdGk) gk = ld_gk_new (NULL);
  GtkWidget *toggle;
  double lon, lat;

  g_assert_nonnull (legend);
  g_assert_true (ld_gk_to_lonlat (gk, 2353050, 37433050, &lon, &lat));
  go_to (map, lat, lon, 15);
  ld_test_wait_for (legend_has_rows, legend, 10);
  g_assert_true (ld_test_has_label_containing (legend, "现状地类"));
  g_assert_true (ld_test_has_label_containing (legend, "0101"));
  g_assert_true (ld_test_has_label_containing (legend, "水田"));

  toggle = ld_test_find_widget (legend, GTK_TYPE_TOGGLE_BUTTON);
  g_assert_true (g_settings_get_boolean (settings, "map-legend-expanded"));
  g_signal_emit_by_name (toggle, "clicked");
  g_assert_false (g_settings_get_boolean (settings, "map-legend-expanded"));
  g_signal_emit_by_name (toggle, "clicked");
  g_assert_true (g_settings_get_boolean (settings, "map-legend-expanded"));

  /* Only what is in view: away from every patch and red line the legend goes. */
  g_assert_true (ld_gk_to_lonlat (gk, 2340000, 37400000, &lon, &lat));
  go_to (map, lat, lon, 15);
  ld_test_wait_for (legend_is_gone, legend, 10);
}

/* Coordinates, measuring and identify under the map, on the fixture's known squares. */
static void
check_map_status (LdWindow *window)
{
  LdMapStatus *status = LD_MAP_STATUS (child (GTK_WIDGET (window), LD_TYPE_WINDOW, "map_status"));
  GtkLabel *coords = GTK_LABEL (child (GTK_WIDGET (status), LD_TYPE_MAP_STATUS, "coords_label"));
  g_autoptr(LdGk) gk = ld_gk_new (NULL);
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;
  /* A right triangle of 1 000 m legs in the GK plane: 500 000 m², 50 ha, 750 mu. */
  const double corners[][2] = { { 2353000, 37433000 }, { 2354000, 37433000 },
                                { 2353000, 37434000 } };
  double lon, lat;

  /* Keyboard navigation: Ctrl+arrows pan, Ctrl+plus zooms (possibly animated). */
  {
    ShumateSimpleMap *map = SHUMATE_SIMPLE_MAP (child (GTK_WIDGET (window), LD_TYPE_WINDOW, "map"));
    ShumateViewport *viewport = shumate_simple_map_get_viewport (map);
    double lon0 = shumate_location_get_longitude (SHUMATE_LOCATION (viewport));
    double zoom0 = shumate_viewport_get_zoom_level (viewport);
    ZoomWait wait = { viewport, zoom0 + 0.1 };
    GtkWidget *inner = GTK_WIDGET (shumate_simple_map_get_map (map));

    /* The map page was just shown: let it be laid out before panning by its size. */
    ld_test_wait_for (has_size, inner, 10);

    gtk_widget_activate_action (GTK_WIDGET (status), "map.pan", "s", "left");
    g_assert_cmpfloat (shumate_location_get_longitude (SHUMATE_LOCATION (viewport)), <, lon0);
    gtk_widget_activate_action (GTK_WIDGET (status), "map.zoom-in", NULL);
    ld_test_wait_for (zoom_reached, &wait, 10);
  }

  /* The check point of domain.md §4. */
  ld_map_status_pointer_at (status, 21.27, 110.36);
  g_assert_nonnull (strstr (gtk_label_get_text (coords), "X 2353105.52 Y 37433578.32"));
  g_assert_nonnull (strstr (gtk_label_get_text (coords), "东经 110.360000°"));

  gtk_widget_activate_action (GTK_WIDGET (status), "map.measure", NULL);
  g_assert_true (ld_map_status_get_measuring (status));
  for (guint i = 0; i < G_N_ELEMENTS (corners); i++)
    {
      g_assert_true (ld_gk_to_lonlat (gk, corners[i][0], corners[i][1], &lon, &lat));
      ld_map_status_add_point (status, lat, lon);
    }
  g_assert_nonnull (strstr (ld_map_status_get_measurement (status),
                            "500000.00 m² / 50.0000 ha / 750.00 亩"));
  g_assert_nonnull (strstr (ld_map_status_get_measurement (status), "2.414 km"));  /* 1 000 + 1 000 √2 m */
  gtk_widget_activate_action (GTK_WIDGET (status), "map.measure-end", NULL);
  g_assert_false (ld_map_status_get_measuring (status));

  /* Inside the first case's 100 m square, on the fixture's paddy patch. */
  g_assert_true (ld_gk_to_lonlat (gk, 2353050, 37433050, &lon, &lat));
  hits = ld_map_status_identify (status, lat, lon, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 2);
  g_assert_cmpstr (((LdFeatureHit *) hits->pdata[0])->table, ==, "case_redlines");
  g_assert_cmpstr (ld_feature_hit_get_value (hits->pdata[1], "DLBM"), ==, "0101");
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* Outside every square: nothing. */
  g_assert_true (ld_gk_to_lonlat (gk, 2340000, 37400000, &lon, &lat));
  hits = ld_map_status_identify (status, lat, lon, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 0);

  check_legend (window);
}

static GFile *
write_txt (const char *name,
           const char *points)
{
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), name, NULL);
  g_autofree char *text = g_strdup_printf ("[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n"
                                           "投影类型=高斯克吕格\n计量单位=米\n带号=37\n"
                                           "[地块坐标]\n5,4.0000,DK01,码头地块,面,,港口码头,,@\n%s",
                                           points);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return g_file_new_for_path (path);
}

/* A 200 m square from a ministry coordinate file replaces the case's red line; a bow-tie is
 * held back until the reviewer asks for the repair. */
static void
import_redline (GtkWidget *page)
{
  AdwActionRow *area = ADW_ACTION_ROW (child (page, LD_TYPE_CASE_PAGE, "area_row"));
  g_autoptr(GFile) square = write_txt ("ld-square.txt",
                                       "J1,1,2353500.000,37433500.000\n"
                                       "J2,1,2353500.000,37433700.000\n"
                                       "J3,1,2353700.000,37433700.000\n"
                                       "J4,1,2353700.000,37433500.000\n"
                                       "J1,1,2353500.000,37433500.000\n");
  g_autoptr(GFile) bowtie = write_txt ("ld-bowtie.txt",
                                       "J1,1,2353500.000,37433500.000\n"
                                       "J2,1,2353700.000,37433700.000\n"
                                       "J3,1,2353500.000,37433700.000\n"
                                       "J4,1,2353700.000,37433500.000\n"
                                       "J1,1,2353500.000,37433500.000\n");
  g_autoptr(LdRedline) preview = NULL;
  g_autoptr(LdRedline) repaired = NULL;
  g_autoptr(GError) error = NULL;

  ld_case_page_show_case (LD_CASE_PAGE (page), DEMO_CASE_EXAMINE);
  g_assert_null (ld_case_page_preview_redline (LD_CASE_PAGE (page), bowtie, FALSE, &error));
  g_assert_no_error (error);
  repaired = ld_case_page_preview_redline (LD_CASE_PAGE (page), bowtie, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (repaired);

  preview = ld_case_page_preview_redline (LD_CASE_PAGE (page), square, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (ld_redline_get_area (preview), 40000.0, 1e-6);
  g_assert_true (ld_case_page_accept_redline (LD_CASE_PAGE (page), &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (area), "40000.00"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (area), "60.00"));
}

/* The section head hands the intake case to 李娜 through the Reassign dialog. */
static void
reassign_through_dialog (LdWindow  *window,
                         GtkWidget *page,
                         GtkWidget *timeline)
{
  AdwActionRow *assignee = ADW_ACTION_ROW (child (page, LD_TYPE_CASE_PAGE, "assignee_row"));
  guint events_before;
  GtkWidget *button;
  AdwMessageDialog *dialog = NULL;
  GtkDropDown *people;
  GListModel *names;
  GListModel *toplevels;

  select_user (window, "王芳");
  ld_case_page_show_case (LD_CASE_PAGE (page), DEMO_CASE_INTAKE);
  events_before = count_rows (timeline);
  button = ld_test_find_labelled (page, GTK_TYPE_BUTTON, ld_labels_action ("reassign"));
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");

  toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels) && dialog == NULL; i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w))
        dialog = ADW_MESSAGE_DIALOG (w);
    }
  g_assert_nonnull (dialog);
  people = g_object_get_data (G_OBJECT (dialog), "people");
  names = gtk_drop_down_get_model (people);
  for (guint i = 0; i < g_list_model_get_n_items (names); i++)
    if (g_str_has_prefix (gtk_string_list_get_string (GTK_STRING_LIST (names), i), "李娜"))
      gtk_drop_down_set_selected (people, i);
  adw_message_dialog_response (dialog, "reassign");   /* the dialog closes itself */

  g_assert_cmpstr (adw_action_row_get_subtitle (assignee), ==, "li.na");
  g_assert_cmpuint (count_rows (timeline), ==, events_before + 1);
}

/* A tile server on 127.0.0.1 whose every tile is one green PNG. */
typedef struct
{
  SoupServer *server;
  GBytes     *png;
  guint       requests;
} GreenTiles;

static void
green_tile_cb (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  GreenTiles *tiles = user_data;

  tiles->requests++;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (tiles->png, NULL),
                                    g_bytes_get_size (tiles->png));
}

static char *
green_tiles_start (GreenTiles *tiles)
{
  cairo_surface_t *tile = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 256, 256);
  cairo_t *cr = cairo_create (tile);
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;

  cairo_set_source_rgb (cr, 0, 0.6, 0);
  cairo_paint (cr);
  cairo_destroy (cr);
  tiles->png = ld_tile_png_encode (tile);
  cairo_surface_destroy (tile);
  tiles->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (tiles->server, "/green", green_tile_cb, tiles, NULL);
  g_assert_true (soup_server_listen_local (tiles->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
                                           &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (tiles->server);
  return g_strdup_printf ("http://127.0.0.1:%d/green/{z}/{x}/{y}.png",
                          g_uri_get_port (uris->data));
}

/* The map's base layer, if it draws from a tile downloader (an online base map). */
static LdBasemapLayer *
online_base_layer (ShumateSimpleMap *map)
{
  GtkWidget *inner = GTK_WIDGET (shumate_simple_map_get_map (map));

  for (GtkWidget *w = gtk_widget_get_first_child (inner); w; w = gtk_widget_get_next_sibling (w))
    if (LD_IS_BASEMAP_LAYER (w))
      {
        g_autoptr(ShumateDataSource) source = NULL;

        g_object_get (w, "source", &source, NULL);
        if (SHUMATE_IS_TILE_DOWNLOADER (source))
          return LD_BASEMAP_LAYER (w);
      }
  return NULL;
}

static gboolean
online_tiles_drawn (gpointer data)
{
  LdBasemapLayer *layer = online_base_layer (data);

  return layer != NULL && ld_basemap_layer_get_tiles_decoded (layer) > 0 &&
         ld_basemap_layer_get_tiles_drawn (layer) > 0;
}

static gboolean
no_online_layer (gpointer data)
{
  return online_base_layer (data) == NULL;
}

/* Switching the base map while the window is open: a custom tile server (the choice the
 * layer panel offers) is drawn by our layer from real HTTP; a template without {y} is
 * refused and the offline map comes back; so does Tianditu without a key. */
static void
switch_basemap (LdWindow *window)
{
  GSettings *settings = ld_application_get_settings (LD_APPLICATION (g_application_get_default ()));
  ShumateSimpleMap *map = SHUMATE_SIMPLE_MAP (child (GTK_WIDGET (window), LD_TYPE_WINDOW, "map"));
  GreenTiles tiles = { 0 };
  g_autofree char *url = green_tiles_start (&tiles);

  g_settings_set_string (settings, "basemap-url", url);
  g_settings_set_string (settings, "basemap", "custom");
  ld_test_wait_for (online_tiles_drawn, map, 10);
  g_assert_cmpuint (tiles.requests, >, 0);

  /* Typed into Preferences: applied once typing pauses, refused, offline again. */
  g_settings_set_string (settings, "basemap-url", "http://127.0.0.1/green/{z}/{x}.png");
  ld_test_wait_for (no_online_layer, map, 10);

  g_settings_set_string (settings, "tianditu-key", "");
  g_settings_set_string (settings, "basemap", "tianditu-vector");
  g_assert_null (online_base_layer (map));

  g_settings_set_string (settings, "basemap", "offline");
  g_settings_reset (settings, "basemap-url");
  soup_server_disconnect (tiles.server);
  g_object_unref (tiles.server);
  g_bytes_unref (tiles.png);
}

/* How many layers the map draws below @layer. */
static int
stack_index (GtkWidget *layer)
{
  int n = 0;

  for (GtkWidget *w = gtk_widget_get_prev_sibling (layer); w; w = gtk_widget_get_prev_sibling (w))
    n++;
  return n;
}

static gboolean
legend_shows_land_use (gpointer legend)
{
  return gtk_widget_get_visible (legend) && ld_test_has_label_containing (legend, "现状地类");
}

static gboolean
legend_lacks_land_use (gpointer legend)
{
  return !legend_shows_land_use (legend);
}

static GtkWidget *
row_layer (LdLayerPanel *panel,
           guint         index)
{
  return GTK_WIDGET (ld_layer_row_get_layer (ld_layer_panel_get_row (panel, index)));
}

/* Identify at the fixture's paddy patch (inside the first case's square) finds @n features,
 * @top's first. */
static void
assert_identify_top (LdWindow   *window,
                     const char *top,
                     guint       n)
{
  LdMapStatus *status = LD_MAP_STATUS (child (GTK_WIDGET (window), LD_TYPE_WINDOW, "map_status"));
  g_autoptr(LdGk) gk = ld_gk_new (NULL);
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;
  double lon, lat;

  g_assert_true (ld_gk_to_lonlat (gk, 2353050, 37433050, &lon, &lat));
  hits = ld_map_status_identify (status, lat, lon, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, n);
  g_assert_cmpstr (((LdFeatureHit *) hits->pdata[0])->table, ==, top);
}

/* The layer panel's order and zoom range: current land use drawn above the next layer (the
 * fixture's red lines), in the map, the panel (top row first), the settings and identify's
 * order, still so when the store's layers are made anew; not identified while hidden; shown
 * only from zoom 16, so that at 15 neither the legend nor identify has it; and faded by its
 * slider. */
static void
arrange_layers (LdWindow   *window,
                const char *store_path)
{
  GSettings *settings = ld_application_get_settings (LD_APPLICATION (g_application_get_default ()));
  GtkMenuButton *button = GTK_MENU_BUTTON (child (GTK_WIDGET (window), LD_TYPE_WINDOW,
                                                  "layers_button"));
  LdLayerPanel *panel = LD_LAYER_PANEL (gtk_menu_button_get_popover (button));
  ShumateSimpleMap *map = SHUMATE_SIMPLE_MAP (child (GTK_WIDGET (window), LD_TYPE_WINDOW, "map"));
  GtkWidget *legend = ld_test_find_widget (GTK_WIDGET (window), LD_TYPE_MAP_LEGEND);
  g_autoptr(LdGk) gk = ld_gk_new (NULL);
  g_autoptr(GVariant) ranges = NULL;
  g_auto(GStrv) order = NULL;
  double lon, lat;
  int lo = -1, hi = -1;

  g_assert_cmpint (stack_index (row_layer (panel, 0)), <, stack_index (row_layer (panel, 1)));
  gtk_widget_activate_action (GTK_WIDGET (panel), "layers.raise", "u", 0);
  g_assert_cmpint (stack_index (row_layer (panel, 0)), ==, stack_index (row_layer (panel, 1)) + 1);
  g_assert_true (gtk_widget_get_next_sibling (GTK_WIDGET (ld_layer_panel_get_row (panel, 0))) ==
                 GTK_WIDGET (ld_layer_panel_get_row (panel, 1)));
  /* Identify follows: land use first, then the red line. */
  assert_identify_top (window, "xz_dltb", 2);
  order = g_settings_get_strv (settings, "layer-order");
  g_assert_cmpstr (order[0], ==, ld_tile_renderer_get_table (ld_overlay_layer_get_renderer (
                                   LD_OVERLAY_LAYER (row_layer (panel, 1)))));
  g_assert_cmpstr (order[1], ==, "xz_dltb");

  g_assert_true (ld_window_add_overlays (window, store_path));
  g_assert_cmpint (stack_index (row_layer (panel, 0)), ==, stack_index (row_layer (panel, 1)) + 1);
  gtk_widget_activate_action (GTK_WIDGET (panel), "layers.lower", "u", 0);
  g_assert_cmpint (stack_index (row_layer (panel, 0)), <, stack_index (row_layer (panel, 1)));
  assert_identify_top (window, "case_redlines", 2);
  /* A hidden layer is not identified. */
  gtk_widget_activate_action (GTK_WIDGET (window), "layers.toggle", "u", 0);
  assert_identify_top (window, "case_redlines", 1);
  gtk_widget_activate_action (GTK_WIDGET (window), "layers.toggle", "u", 0);

  g_assert_true (ld_gk_to_lonlat (gk, 2353050, 37433050, &lon, &lat));
  go_to (map, lat, lon, 15);
  ld_test_wait_for (legend_shows_land_use, legend, 10);
  ld_layer_row_set_zoom_range (ld_layer_panel_get_row (panel, 0), 16, 20);
  ld_test_wait_for (legend_lacks_land_use, legend, 10);
  assert_identify_top (window, "case_redlines", 1);
  ranges = g_settings_get_value (settings, "layer-zoom-ranges");
  g_assert_true (g_variant_lookup (ranges, "xz_dltb", "(ii)", &lo, &hi));
  g_assert_cmpint (lo, ==, 16);
  g_assert_cmpint (hi, ==, 20);
  ld_layer_row_set_zoom_range (ld_layer_panel_get_row (panel, 0), 0, 20);
  ld_test_wait_for (legend_shows_land_use, legend, 10);

  /* The opacity slider fades the layer and is remembered. */
  {
    GtkRange *slider = GTK_RANGE (ld_test_find_widget (GTK_WIDGET (ld_layer_panel_get_row (panel, 0)),
                                               GTK_TYPE_SCALE));
    g_autoptr(GVariant) opacities = NULL;
    double opacity = 0;

    gtk_range_set_value (slider, 0.5);
    g_assert_cmpfloat (ld_overlay_layer_get_layer_opacity (LD_OVERLAY_LAYER (row_layer (panel, 0))),
                       ==, 0.5);
    opacities = g_settings_get_value (settings, "layer-opacity");
    g_assert_true (g_variant_lookup (opacities, "xz_dltb", "d", &opacity));
    g_assert_cmpfloat (opacity, ==, 0.5);
    gtk_range_set_value (slider, 1.0);
  }
}

static void
drive_window (LdWindow *window,
              Fixture  *fixture)
{
  GtkWidget *page = child (GTK_WIDGET (window), LD_TYPE_WINDOW, "case_page");
  GtkWidget *timeline = child (page, LD_TYPE_CASE_PAGE, "timeline");
  GtkTextView *opinion = GTK_TEXT_VIEW (child (page, LD_TYPE_CASE_PAGE, "opinion_view"));
  GtkListView *view = GTK_LIST_VIEW (child (GTK_WIDGET (window), LD_TYPE_WINDOW, "case_view"));
  GtkSelectionModel *selection = gtk_list_view_get_model (view);
  LdCaseListRow *todo = ld_window_get_list_row (window, LD_CASE_LIST_TODO);
  LdCaseListRow *doing = ld_window_get_list_row (window, LD_CASE_LIST_DOING);
  g_autoptr(GFile) png = g_file_new_for_path (fixture->png);
  GtkWidget *submit;
  guint todo_before, doing_before, events_before;
  gboolean saved = FALSE;

  /* 张伟, a reviewer, has the examining case in his to-do list. */
  select_user (window, "张伟");
  todo_before = ld_case_list_row_get_count (todo);
  doing_before = ld_case_list_row_get_count (doing);
  g_assert_cmpuint (todo_before, >=, 1);

  gtk_editable_set_text (GTK_EDITABLE (child (GTK_WIDGET (window), LD_TYPE_WINDOW,
                                              "search_entry")), "ZJYS-2025-0001");
  gtk_selection_model_select_item (selection, find_case (G_LIST_MODEL (selection),
                                                         DEMO_CASE_EXAMINE), TRUE);
  g_assert_cmpstr (ld_case_page_get_case_id (LD_CASE_PAGE (page)), ==, DEMO_CASE_EXAMINE);
  events_before = count_rows (timeline);

  /* Submitting to the section head, with an opinion, through the page's own button. */
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (opinion), "用地符合规划 & 规模 < 5 公顷，建议同意。", -1);
  submit = ld_test_find_labelled (page, GTK_TYPE_BUTTON, ld_labels_action ("submit"));
  g_assert_nonnull (submit);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (submit)), ==, "提交下一环节");
  /* What a click does (gtk_widget_activate() only clicks after a 250 ms animation). */
  g_signal_emit_by_name (submit, "clicked");

  g_assert_cmpuint (count_rows (timeline), ==, events_before + 1);
  /* The opinion shows as typed, '&' and '<' included (not parsed as markup). */
  g_assert_true (ld_test_has_label_containing (timeline, "规模 < 5 公顷"));
  g_assert_cmpuint (ld_case_list_row_get_count (todo), ==, todo_before - 1);
  g_assert_cmpuint (ld_case_list_row_get_count (doing), ==, doing_before + 1);
  /* The case left 张伟's hands: the button is gone. */
  g_assert_null (ld_test_find_labelled (page, GTK_TYPE_BUTTON, ld_labels_action ("submit")));

  /* Show on Map: the map page, centred on the case's 100 m square. */
  {
    ShumateSimpleMap *map = SHUMATE_SIMPLE_MAP (child (GTK_WIDGET (window), LD_TYPE_WINDOW, "map"));
    ShumateViewport *viewport = shumate_simple_map_get_viewport (map);
    AdwViewStack *stack = ADW_VIEW_STACK (child (GTK_WIDGET (window), LD_TYPE_WINDOW, "view_stack"));
    g_autoptr(LdGk) gk = ld_gk_new (NULL);
    double lon, lat;

    LocationWait wait = { viewport };

    gtk_widget_activate_action (page, "case.show-on-map", NULL);
    g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "map");
    g_assert_true (ld_gk_to_lonlat (gk, 2353050, 37433050, &lon, &lat));
    /* The map flies there. */
    wait.lat = lat;
    wait.lon = lon;
    ld_test_wait_for (location_reached, &wait, 10);
    g_assert_cmpfloat (shumate_viewport_get_zoom_level (viewport), >=, 14);

    /* Ctrl+I identifies the red line at the centre, outlines it, and its Open Case button
     * brings the case page back. */
    {
      LdMapStatus *status = LD_MAP_STATUS (child (GTK_WIDGET (window), LD_TYPE_WINDOW,
                                                  "map_status"));
      GtkWidget *open;

      ld_test_wait_for (has_size, shumate_simple_map_get_map (map), 10);
      gtk_widget_activate_action (GTK_WIDGET (status), "map.identify-centre", NULL);
      g_assert_cmpuint (ld_map_status_get_highlight_size (status), ==, 5);
      open = ld_test_find_labelled (GTK_WIDGET (shumate_simple_map_get_map (map)), GTK_TYPE_BUTTON, "打开案件");
      g_assert_nonnull (open);
      ld_case_page_show_case (LD_CASE_PAGE (page), DEMO_CASE_CLOSED);
      g_signal_emit_by_name (open, "clicked");
      g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "case");
      g_assert_cmpstr (ld_case_page_get_case_id (LD_CASE_PAGE (page)), ==, DEMO_CASE_EXAMINE);
      adw_view_stack_set_visible_child_name (stack, "map");
    }
  }

  check_map_status (window);
  switch_basemap (window);
  arrange_layers (window, fixture->store_path);
  reassign_through_dialog (window, page, timeline);
  import_redline (page);

  /* Alt+1 hides the first land layer and the choice is remembered; Alt+1 again shows it. */
  {
    GApplication *app = g_application_get_default ();
    GSettings *settings = ld_application_get_settings (LD_APPLICATION (app));
    g_auto(GStrv) before = g_settings_get_strv (settings, "hidden-layers");
    g_auto(GStrv) hidden = NULL;
    g_auto(GStrv) shown = NULL;

    g_assert_false (g_strv_contains ((const char * const *) before, "xz_dltb"));
    gtk_widget_activate_action (GTK_WIDGET (window), "layers.toggle", "u", 0);
    hidden = g_settings_get_strv (settings, "hidden-layers");
    g_assert_true (g_strv_contains ((const char * const *) hidden, "xz_dltb"));
    gtk_widget_activate_action (GTK_WIDGET (window), "layers.toggle", "u", 0);
    shown = g_settings_get_strv (settings, "hidden-layers");
    g_assert_false (g_strv_contains ((const char * const *) shown, "xz_dltb"));
  }

  ld_window_save_screenshot_async (window, png, NULL, screenshot_saved_cb, &saved);
  ld_test_wait_for (is_true, &saved, 10);
}

static void
activated_cb (GApplication *app,
              Fixture      *fixture)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  drive_window (LD_WINDOW (window), fixture);
  fixture->done = TRUE;
  gtk_window_close (window);
}

static void
test_act_through_window (void)
{
  g_autofree char *dir = g_dir_make_tmp ("landdesk-ui-XXXXXX", NULL);
  g_autofree char *demo = g_build_filename (dir, "demo.gpkg", NULL);
  g_autoptr(LdStore) store = NULL;
  g_autoptr(LdApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  Fixture fixture = { 0 };
  char *argv[4] = { (char *) "landdesk", (char *) "--store", NULL, NULL };

  fixture.store_path = g_build_filename (dir, "store.gpkg", NULL);
  fixture.png = g_test_build_filename (G_TEST_BUILT, "screenshot-case-page-zh-cn.png", NULL);
  ld_test_write_demo (demo);
  store = ld_store_create (fixture.store_path, &error);
  g_assert_no_error (error);
  g_assert_true (ld_store_import_demo (store, demo, &error));
  g_clear_object (&store);

  app = ld_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (activated_cb), &fixture);
  argv[2] = fixture.store_path;
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 3, argv), ==, 0);
  g_assert_true (fixture.done);
  g_assert_true (g_file_test (fixture.png, G_FILE_TEST_IS_REGULAR));

  /* Submit, reassign, and the red line (the parcel of the same number updated) went into the
   * outbox, once each. */
  store = ld_store_open (fixture.store_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ld_store_count_outbox (store), ==, 3);

  g_free (fixture.store_path);
  g_free (fixture.png);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *cache = NULL;
  int status;

  /* The UI under test speaks Chinese, as its users do. */
  if (setlocale (LC_ALL, "zh_CN.UTF-8") == NULL)
    g_error ("The zh_CN.UTF-8 locale is missing: build-aux/deps.sh generates it");
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  bindtextdomain (GETTEXT_PACKAGE, ld_paths_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_test_init (&argc, &argv, NULL);
  /* Overviews and downloaded tiles go to a cache of this run's own. */
  cache = g_dir_make_tmp ("landdesk-ui-cache-XXXXXX", NULL);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);

  g_test_add_func ("/app/workbench/act-through-window", test_act_through_window);

  status = g_test_run ();
  ld_test_rm_rf (cache);
  return status;
}
