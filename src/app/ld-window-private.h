/* ld-window-private.h: the main window's state, shared by its source files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <shumate/shumate.h>

#include "ld-basemap-layer.h"
#include "ld-case-list-row.h"
#include "ld-case-page.h"
#include "ld-layer-panel.h"
#include "ld-map-legend.h"
#include "ld-map-status.h"
#include "ld-mbtiles-source.h"
#include "ld-window.h"

G_BEGIN_DECLS

struct _LdWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  LdMbtilesSource      *basemap_source;
  LdBasemapLayer       *basemap_layer;   /* draws the base map, see ld-basemap-layer.c */
  LdBasemapLayer       *annotation_layer;   /* Tianditu's place names, over the overlays */
  guint                 basemap_apply_id;   /* a key or URL typed: basemap_text_changed_cb */
  gint64                download_toast_at;  /* when the last failed-download toast showed */
  ShumatePathLayer     *outline_layer;
  GPtrArray            *overlays;     /* LdOverlayLayer, one per store layer */
  LdLayerPanel         *layer_panel;
  char                 *server_url;   /* from ld_window_connect_server(), for offline areas */
  LdMapLegend          *legend;

  /* The workbench (ld-window-workbench.c) */
  LdStore              *store;
  GListModel           *users;
  LdUser               *user;
  LdCaseList            list;
  GPtrArray            *type_ids;    /* filter ids behind the drop-downs; NULL = any */
  GPtrArray            *stage_ids;
  GListStore           *cases;
  GtkSingleSelection   *selection;

  /* Template children */
  AdwToastOverlay      *toasts;
  AdwHeaderBar         *header_bar;
  AdwFlap              *flap;
  GtkListBox           *case_lists;
  LdCaseListRow        *todo_row;
  LdCaseListRow        *doing_row;
  LdCaseListRow        *done_row;
  LdCaseListRow        *closed_row;
  LdCaseListRow        *suspended_row;
  GtkDropDown          *user_dropdown;
  GtkSearchEntry       *search_entry;
  GtkDropDown          *type_filter;
  GtkDropDown          *stage_filter;
  GtkDropDown          *light_filter;
  GtkStack             *list_stack;
  AdwStatusPage        *empty_page;
  GtkListView          *case_view;
  GtkLabel             *count_label;
  AdwViewStack         *view_stack;
  GtkStack             *case_stack;
  LdCasePage           *case_page;
  GtkOverlay           *map_overlay;
  ShumateSimpleMap     *map;
  LdMapStatus          *map_status;
  GtkMenuButton        *layers_button;
};

void ld_window_workbench_class_init (GtkWidgetClass *widget_class);
void ld_window_workbench_init       (LdWindow       *self);
void ld_window_workbench_dispose    (LdWindow       *self);
void ld_window_preview_redline      (LdWindow       *self,
                                     LdRedline      *redline);
void ld_window_show_outline         (LdWindow       *self,
                                     const char     *case_id,
                                     gboolean        announce);
void ld_window_refresh_lists        (LdWindow       *self);

G_END_DECLS
