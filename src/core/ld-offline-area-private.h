/* ld-offline-area-private.h: what the parts of LdOfflineArea share
 *
 * ld-offline-area.c (the object, the area and the job), ld-offline-area-http.c (requests to
 * the server), ld-offline-area-features.c (clipped features into the store's layer tables) and
 * ld-offline-area-tiles.c (the base map's tiles into STORE-offline.mbtiles).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <geos_c.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ld-offline-area.h"
#include "ld-store-private.h"

G_BEGIN_DECLS

typedef struct
{
  char      *name;
  JsonArray *fields;     /* [{name, type}] from the estimate */
  gint64     features;
  gint64     bytes;
} LayerInfo;

struct _LdOfflineArea
{
  GObject               parent_instance;

  char                 *server_url;
  char                 *login;
  char                 *password;
  char                 *token;
  SoupSession          *session;
  GThread              *session_thread; /* libsoup: one session per thread */
  guint                 feature_page;
  guint                 tile_batch;
  guint                 page_delay_ms; /* LANDDESK_OFFLINE_AREA_PAGE_DELAY_MS: the kill tests' window */

  GEOSContextHandle_t   geos;
  GEOSGeometry         *area;        /* EPSG:4525, x easting, y northing */
  const GEOSPreparedGeometry *prepared;
  LdLonLatBox           lonlat;
  double                box[4];      /* the area's envelope in EPSG:4525 */
  int                   min_zoom, max_zoom;

  gint64                job;         /* offline_areas.id, 0 before the job exists */
  GPtrArray            *layers;      /* LayerInfo, from the estimate */
  LdOfflineAreaEstimate estimate;
  gboolean              estimated;
};

typedef struct
{
  GPtrArray    *columns;
  sqlite3_stmt *select;
  sqlite3_stmt *update;
  sqlite3_stmt *insert;
} LayerWriter;

/* ld-offline-area.c: the job */
void ld_offline_area_report (LdOfflineArea             *self,
                             LdStore                   *store,
                             const char                *layer,
                             LdOfflineAreaProgressFunc  progress,
                             gpointer                   user_data);

/* ld-offline-area-http.c: the server */
GBytes *ld_offline_area_http_get (LdOfflineArea  *self,
                                  const char     *path,
                                  gboolean        missing_ok,
                                  guint          *status,
                                  GCancellable   *cancellable,
                                  GError        **error);
JsonNode *ld_offline_area_get_json (LdOfflineArea  *self,
                                    const char     *path,
                                    GCancellable   *cancellable,
                                    GError        **error);
char *ld_offline_area_feature_box_param (LdOfflineArea *self);
char *ld_offline_area_lonlat_param (const LdLonLatBox *ll);

/* ld-offline-area-features.c: the store's layer tables */
GEOSGeometry *ld_offline_area_polygonal (GEOSContextHandle_t  geos,
                                         GEOSGeometry        *g);
gboolean ld_offline_area_store_error (LdStore  *store,
                                      GError  **error,
                                      GError   *local);
gboolean ld_offline_area_table_exists (LdStore    *store,
                                       const char *name);
gboolean ld_offline_area_create_layer_table (LdStore    *store,
                                             LayerInfo  *info,
                                             GError    **error);
void ld_offline_area_layer_writer_clear (LayerWriter *w);
gboolean ld_offline_area_layer_writer_init (LayerWriter  *w,
                                            LdStore      *store,
                                            const char   *layer,
                                            GError      **error);
gboolean ld_offline_area_write_feature (LdOfflineArea  *self,
                                        LdStore        *store,
                                        LayerWriter    *w,
                                        JsonObject     *feature,
                                        gboolean       *kept,
                                        GError        **error);
gboolean ld_offline_area_remove_vanished (LdOfflineArea  *self,
                                          LdStore        *store,
                                          const char     *layer,
                                          GError        **error);

/* ld-offline-area-tiles.c: the base map */
gboolean ld_offline_area_download_tiles (LdOfflineArea              *self,
                                         LdStore                    *store,
                                         LdOfflineAreaProgressFunc   progress,
                                         gpointer                    user_data,
                                         GCancellable               *cancellable,
                                         GError                    **error);

G_END_DECLS
