/* ld-tile-renderer.h: vector overlays of a GeoPackage layer rendered into 256 px XYZ tiles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "ld-geo.h"
#include "ld-palette.h"

G_BEGIN_DECLS

#define LD_TILE_RENDERER_ERROR (ld_tile_renderer_error_quark ())

typedef enum
{
  LD_TILE_RENDERER_ERROR_OPEN,
  LD_TILE_RENDERER_ERROR_LAYER,
  LD_TILE_RENDERER_ERROR_QUERY,
  LD_TILE_RENDERER_ERROR_PROJ,
  LD_TILE_RENDERER_ERROR_OVERVIEW,
} LdTileRendererError;

/* Zooms from which outlines and class-code labels are drawn (by default). */
#define LD_TILE_RENDERER_OUTLINE_ZOOM 15
#define LD_TILE_RENDERER_LABEL_ZOOM   17

#define LD_TYPE_TILE_RENDERER (ld_tile_renderer_get_type ())

G_DECLARE_FINAL_TYPE (LdTileRenderer, ld_tile_renderer, LD, TILE_RENDERER, GObject)

GQuark           ld_tile_renderer_error_quark       (void);

LdTileRenderer  *ld_tile_renderer_new               (const char           *gpkg_path,
                                                     const char           *table,
                                                     LdPalette            *palette,
                                                     guint                 n_threads,
                                                     GError              **error);
const char      *ld_tile_renderer_get_table         (LdTileRenderer       *self);
const char      *ld_tile_renderer_get_class_field   (LdTileRenderer       *self);
LdPalette       *ld_tile_renderer_get_palette       (LdTileRenderer       *self);
void             ld_tile_renderer_set_palette       (LdTileRenderer       *self,
                                                     LdPalette            *palette);
guint            ld_tile_renderer_get_generation    (LdTileRenderer       *self);
void             ld_tile_renderer_invalidate        (LdTileRenderer       *self);
gboolean         ld_tile_renderer_check_data_changed (LdTileRenderer      *self);
void             ld_tile_renderer_set_cache_size    (LdTileRenderer       *self,
                                                     guint                 max_tiles);
guint            ld_tile_renderer_get_n_cached      (LdTileRenderer       *self);
gboolean         ld_tile_renderer_get_extent        (LdTileRenderer       *self,
                                                     LdLonLatBox          *box);

cairo_surface_t *ld_tile_renderer_lookup            (LdTileRenderer       *self,
                                                     int                   zoom,
                                                     int                   x,
                                                     int                   y);
cairo_surface_t *ld_tile_renderer_render            (LdTileRenderer       *self,
                                                     int                   zoom,
                                                     int                   x,
                                                     int                   y,
                                                     GError              **error);
void             ld_tile_renderer_render_async      (LdTileRenderer       *self,
                                                     int                   zoom,
                                                     int                   x,
                                                     int                   y,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
cairo_surface_t *ld_tile_renderer_render_finish     (LdTileRenderer       *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
cairo_surface_t *ld_tile_renderer_empty_tile        (void);
gboolean         ld_tile_renderer_is_empty_tile     (cairo_surface_t      *surface);
const guint8    *ld_tile_renderer_get_tile_classes  (cairo_surface_t      *surface,
                                                     guint                *n_entries);
double           ld_tile_renderer_transform_error   (LdTileRenderer       *self,
                                                     int                   zoom,
                                                     int                   x,
                                                     int                   y);
gint64           ld_tile_renderer_count_features    (LdTileRenderer       *self,
                                                     int                   zoom,
                                                     int                   x,
                                                     int                   y,
                                                     GError              **error);

/* Overviews: at zooms below the overview zoom, tiles come from a raster pyramid built once.
 * A build reports the fraction done, 0 to 1, from its own threads. */
typedef void (*LdTileRendererProgress) (double   fraction,
                                        gpointer user_data);

gboolean         ld_tile_renderer_build_overview    (LdTileRenderer       *self,
                                                     const char           *mbtiles_path,
                                                     int                   overview_zoom,
                                                     LdTileRendererProgress progress,
                                                     gpointer              progress_data,
                                                     GCancellable         *cancellable,
                                                     GError              **error);
gboolean         ld_tile_renderer_open_overview     (LdTileRenderer       *self,
                                                     const char           *mbtiles_path,
                                                     GError              **error);
int              ld_tile_renderer_get_overview_zoom (LdTileRenderer       *self);

G_END_DECLS
