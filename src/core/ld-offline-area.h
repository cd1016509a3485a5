/* ld-offline-area.h: download the layers and the base map of an area, for work offline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-geo.h"
#include "ld-store.h"

G_BEGIN_DECLS

#define LD_OFFLINE_AREA_ERROR (ld_offline_area_error_quark ())

typedef enum
{
  LD_OFFLINE_AREA_ERROR_INPUT,     /* empty or too large an area, zooms out of range */
  LD_OFFLINE_AREA_ERROR_NETWORK,   /* the server cannot be reached: the job is kept */
  LD_OFFLINE_AREA_ERROR_AUTH,      /* wrong user or password */
  LD_OFFLINE_AREA_ERROR_SERVER,    /* the server refused or failed */
  LD_OFFLINE_AREA_ERROR_PROTOCOL,  /* the answer is not what the server should send */
  LD_OFFLINE_AREA_ERROR_STORE,     /* writing the store or the MBTiles file failed */
  LD_OFFLINE_AREA_ERROR_NO_JOB,    /* nothing to resume */
} LdOfflineAreaError;

/* Limits, the same on the server and the client: a field area, not a county. */
#define LD_OFFLINE_AREA_MAX_KM2    100.0
#define LD_OFFLINE_AREA_MAX_TILES  20000
#define LD_OFFLINE_AREA_MAX_ZOOM   22

typedef struct
{
  gint64 features;         /* candidate features (envelope meets the area's box) */
  gint64 feature_bytes;
  gint64 tiles;            /* tiles the base map has in the box at the zooms */
  gint64 tile_positions;   /* tile positions asked for (some may be sea without a tile) */
  gint64 tile_bytes;
  int    basemap_min_zoom;
  int    basemap_max_zoom; /* -1: the server has no base map */
} LdOfflineAreaEstimate;

typedef struct
{
  const char *layer;       /* the layer being downloaded, NULL while tiles are */
  gint64      features_done, features_total;
  gint64      tiles_done, tiles_total;   /* positions */
  gint64      bytes_done, bytes_total;
} LdOfflineAreaProgress;

typedef void (*LdOfflineAreaProgressFunc) (const LdOfflineAreaProgress *progress,
                                           gpointer                     user_data);

#define LD_TYPE_OFFLINE_AREA (ld_offline_area_get_type ())

G_DECLARE_FINAL_TYPE (LdOfflineArea, ld_offline_area, LD, OFFLINE_AREA, GObject)

GQuark              ld_offline_area_error_quark      (void);

/* shared with the server */
const char * const *ld_offline_area_layers           (void);
gboolean            ld_offline_area_is_layer         (const char        *name);
gboolean            ld_offline_area_check_box        (const double       box[4],
                                                      GError           **error);
gboolean            ld_offline_area_check_zooms      (int                min_zoom,
                                                      int                max_zoom,
                                                      int                basemap_min,
                                                      int                basemap_max,
                                                      GError           **error);
gboolean            ld_offline_area_check_tiles      (const LdLonLatBox *box,
                                                      int                min_zoom,
                                                      int                max_zoom,
                                                      GError           **error);
char               *ld_offline_area_basemap_path     (const char        *store_path);

LdOfflineArea      *ld_offline_area_new              (const char        *server_url);
void                ld_offline_area_set_credentials  (LdOfflineArea     *self,
                                                      const char        *login,
                                                      const char        *password);
void                ld_offline_area_set_token        (LdOfflineArea     *self,
                                                      const char        *token);
void                ld_offline_area_set_page_size    (LdOfflineArea     *self,
                                                      guint              features,
                                                      guint              tiles);
gboolean            ld_offline_area_set_lonlat_box   (LdOfflineArea     *self,
                                                      const LdLonLatBox *box,
                                                      GError           **error);
gboolean            ld_offline_area_set_lonlat_ring  (LdOfflineArea     *self,
                                                      const double      *lonlat,
                                                      guint              n_points,
                                                      GError           **error);
gboolean            ld_offline_area_set_polygon_file (LdOfflineArea     *self,
                                                      const char        *path,
                                                      GError           **error);
void                ld_offline_area_set_zooms        (LdOfflineArea     *self,
                                                      int                min_zoom,
                                                      int                max_zoom);
void                ld_offline_area_get_lonlat_box   (LdOfflineArea     *self,
                                                      LdLonLatBox       *box);
double              ld_offline_area_get_area_m2      (LdOfflineArea     *self);
GBytes             *ld_offline_area_dup_wkb          (LdOfflineArea     *self);

gboolean            ld_offline_area_estimate         (LdOfflineArea     *self,
                                                      LdOfflineAreaEstimate *estimate,
                                                      GCancellable      *cancellable,
                                                      GError           **error);
gboolean            ld_offline_area_download         (LdOfflineArea     *self,
                                                      LdStore           *store,
                                                      LdOfflineAreaProgressFunc progress,
                                                      gpointer           user_data,
                                                      GCancellable      *cancellable,
                                                      GError           **error);
gboolean            ld_offline_area_load_pending     (LdOfflineArea     *self,
                                                      LdStore           *store,
                                                      GError           **error);
gboolean            ld_offline_area_get_progress     (LdOfflineArea     *self,
                                                      LdStore           *store,
                                                      LdOfflineAreaProgress *progress);
gboolean            ld_offline_area_has_pending      (LdStore           *store);

void                ld_offline_area_estimate_async   (LdOfflineArea     *self,
                                                      GCancellable      *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer           user_data);
gboolean            ld_offline_area_estimate_finish  (LdOfflineArea     *self,
                                                      GAsyncResult      *result,
                                                      LdOfflineAreaEstimate *estimate,
                                                      GError           **error);
void                ld_offline_area_download_async   (LdOfflineArea     *self,
                                                      const char        *store_path,
                                                      LdOfflineAreaProgressFunc progress,
                                                      gpointer           user_data,
                                                      GCancellable      *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer           callback_data);
gboolean            ld_offline_area_download_finish  (LdOfflineArea     *self,
                                                      GAsyncResult      *result,
                                                      GError           **error);

G_END_DECLS
