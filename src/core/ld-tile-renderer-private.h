/* ld-tile-renderer-private.h: what the tile renderer's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <proj.h>
#include <sqlite3.h>

#include "ld-gpkg-geom.h"
#include "ld-mbtiles.h"
#include "ld-tile-raster.h"
#include "ld-tile-renderer.h"

G_BEGIN_DECLS

#define MERCATOR_HALF   20037508.342789244

/* One worker thread's state: a read-only connection with its prepared statements, a PROJ
 * context and scratch buffers, so the steady state allocates little. */
typedef struct _LdTileWorker LdTileWorker;

struct _LdTileWorker
{
  sqlite3          *db;
  sqlite3_stmt     *query;
  sqlite3_stmt     *count;
  PJ_CONTEXT       *ctx;
  PJ               *to_mercator;
  LdPalette        *palette;   /* the palette the buffers below follow */
  /* Per palette entry: the tile's polygons of that class, in pixels. Classes are painted one
   * after the other through one coverage buffer, which stays in the CPU cache. */
  LdGeomBuffer     *classes;
  guint             n_classes;
  LdCoverage       *coverage;
  GHashTable       *codes;     /* class code -> palette index + 1, for the palette above */
  GArray           *labels;    /* the tile's class-code labels */
};

struct _LdTileRenderer
{
  GObject       parent_instance;

  char         *path;
  char         *table;
  char         *geom_column;
  char         *class_field;
  char         *source_crs;
  char         *query_sql;
  char         *count_sql;

  GThreadPool  *pool;
  GAsyncQueue  *workers;     /* idle LdTileWorker */
  guint         n_workers;

  GMutex        lock;        /* everything below */
  LdPalette    *palette;
  guint         generation;
  GHashTable   *cache;       /* key -> CacheNode */
  GQueue        lru;         /* most recent first */
  guint         max_tiles;
  GHashTable   *pending;     /* key -> GPtrArray of GTask */

  sqlite3      *watch;       /* notices commits by other connections */
  gint64        watch_version;

  LdMbtiles    *overview;
  int           overview_zoom;
};

/* Tile keys: zoom, x and y in one integer. */
static inline guint64
ld_tile_key (int zoom,
             int x,
             int y)
{
  return ((guint64) zoom << 58) | ((guint64) (guint32) x << 29) | (guint64) (guint32) y;
}

static inline void
ld_tile_key_split (guint64  key,
                   int     *zoom,
                   int     *x,
                   int     *y)
{
  *zoom = (int) (key >> 58);
  *x = (int) ((key >> 29) & 0x1fffffff);
  *y = (int) (key & 0x1fffffff);
}

char            *ld_tile_quote_ident            (const char      *name);
gint64           ld_tile_data_version           (sqlite3         *db);
sqlite3         *ld_tile_open_readonly          (const char      *path,
                                                 GError         **error);
gboolean         ld_tile_check                  (int              zoom,
                                                 int              x,
                                                 int              y,
                                                 GError         **error);
void             ld_tile_renderer_cache_clear   (LdTileRenderer  *self);
void             ld_tile_set_classes            (cairo_surface_t    *surface,
                                                 const LdGeomBuffer *classes,
                                                 guint               n_classes);

LdTileWorker    *ld_tile_worker_new             (LdTileRenderer  *self,
                                                 GError         **error);
void             ld_tile_worker_free            (LdTileWorker    *w);
void             ld_tile_mercator               (int              zoom,
                                                 int              x,
                                                 int              y,
                                                 double          *mx0,
                                                 double          *my0,
                                                 double          *res);
gboolean         ld_tile_worker_source_bounds   (LdTileWorker    *w,
                                                 int              zoom,
                                                 int              x,
                                                 int              y,
                                                 double          *bx0,
                                                 double          *by0,
                                                 double          *bx1,
                                                 double          *by1);
gboolean         ld_tile_worker_fit_transform   (LdTileWorker    *w,
                                                 double           bx0,
                                                 double           by0,
                                                 double           bx1,
                                                 double           by1,
                                                 double           mx0,
                                                 double           my0,
                                                 double           res,
                                                 LdGeomTransform *t);
cairo_surface_t *ld_tile_worker_render          (LdTileRenderer  *self,
                                                 LdTileWorker    *w,
                                                 LdPalette       *palette,
                                                 int              zoom,
                                                 int              x,
                                                 int              y,
                                                 gboolean         details,
                                                 GError         **error);

cairo_surface_t *ld_tile_overview_tile          (LdTileRenderer  *self,
                                                 LdMbtiles       *overview,
                                                 int              zoom,
                                                 int              x,
                                                 int              y,
                                                 GError         **error);

G_END_DECLS
