/* ld-window-private.h: the main window's state, shared by its source files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <shumate/shumate.h>

#include "ld-mbtiles-source.h"
#include "ld-window.h"

G_BEGIN_DECLS

struct _LdWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  LdMbtilesSource      *basemap_source;
  ShumateMapLayer      *annotation_layer;

  /* Template children */
  AdwFlap              *flap;
  GtkListBox           *case_lists;
  ShumateSimpleMap     *map;
  AdwToastOverlay      *toasts;
};

G_END_DECLS
