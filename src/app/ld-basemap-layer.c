/* ld-basemap-layer.c: a map layer that shows a ShumateDataSource's raster tiles
 *
 * Replaces libshumate's ShumateMapLayer for our base maps because of how GTK 4.8 draws
 * textures in software (the cairo renderer, as under Xvfb): every frame it downloads each
 * texture into a new cairo surface, converting libshumate's decoded PNG (8-bit RGB, not
 * premultiplied) pixel by pixel, about a third of a frame's time at 1920 x 1080. Here each
 * tile is decoded once, on a worker thread, into GDK's default memory format (cairo's
 * premultiplied ARGB32), so GTK's download is a plain copy; the texture objects stay the same
 * from frame to frame, so GL renderers upload each tile once. Panning only moves the tiles:
 * nothing is decoded or converted again while the view stays at one zoom.
 *
 * A tile not loaded yet shows its nearest loaded ancestor, scaled up. Online sources come
 * through libshumate's tile downloader and its file cache; a failed download is tried again
 * after a while.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ld-basemap-layer.h"
#include "ld-tile-paint.h"

#define MAX_ANCESTORS 6
#define MIN_TILES     48   /* tiles kept at least; more when the view needs more */

typedef struct
{
  gboolean         missing;   /* the source has no such tile */
  gint64           retry_at;  /* missing as the download failed: ask again from then on */
  cairo_surface_t *surface;   /* for the cairo renderer */
  GdkTexture      *texture;   /* for GPU renderers */
  cairo_surface_t *pin;       /* for the cairo renderer, see draw() */
  guint            frame;     /* last frame that drew it */
} Entry;

struct _LdBasemapLayer
{
  ShumateLayer       parent_instance;

  ShumateDataSource *source;
  int                min_zoom, max_zoom;
  GHashTable        *tiles;        /* key -> Entry */
  GHashTable        *requested;    /* key -> NULL, in flight */
  GCancellable      *cancellable;  /* requests for request_zoom */
  int                request_zoom;
  guint              frame;
  guint              max_tiles;
  guint              retry_delay;  /* seconds before a failed download is asked for again */
  guint              retry_id;     /* redraws once failed downloads may be retried */
  guint              decoded;      /* tiles decoded so far (for tests) */
  guint              drawn;        /* tile draws so far (for tests) */
  guint              prepared;     /* pins and textures made for a renderer (for tests) */
};

G_DEFINE_FINAL_TYPE (LdBasemapLayer, ld_basemap_layer, SHUMATE_TYPE_LAYER)

enum {
  PROP_0,
  PROP_SOURCE,
  PROP_MIN_ZOOM,
  PROP_MAX_ZOOM,
  PROP_RETRY_DELAY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  DOWNLOAD_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  GWeakRef         layer;
  guint64          key;
  gboolean         for_cairo;
  cairo_surface_t *surface;   /* decoded, for cairo */
  GdkTexture      *texture;   /* decoded, for GPU renderers */
} Request;

static inline guint64
tile_key (int zoom,
          int x,
          int y)
{
  return ((guint64) zoom << 58) | ((guint64) (guint32) x << 29) | (guint64) (guint32) y;
}

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_clear_object (&entry->texture);
  g_clear_pointer (&entry->pin, cairo_surface_destroy);
  g_clear_pointer (&entry->surface, cairo_surface_destroy);
  g_free (entry);
}

static void
request_free (Request *request)
{
  g_weak_ref_clear (&request->layer);
  g_clear_pointer (&request->surface, cairo_surface_destroy);
  g_clear_object (&request->texture);
  g_free (request);
}

/* The tile's pixels for cairo: RGB24 when every pixel is opaque (imagery, most base maps),
 * which pixman paints as a plain copy, three times as fast as blending ARGB32 (about 0.4 ms of
 * each 1920 x 1080 frame); ARGB32 where some are not (place-name layers). The alpha bytes stay
 * 0xff, so the same pixels also serve as GDK's default memory format. */
static cairo_surface_t *
surface_from_texture (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture), height = gdk_texture_get_height (texture);
  cairo_surface_t *argb = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  int stride = cairo_image_surface_get_stride (argb);
  guint8 *data = cairo_image_surface_get_data (argb);
  cairo_surface_t *rgb;
  guint32 all = 0xffffffffu;

  gdk_texture_download (texture, data, stride);
  for (int y = 0; y < height; y++)
    {
      const guint32 *row = (const guint32 *) (data + (gsize) y * stride);

      for (int x = 0; x < width; x++)
        all &= row[x];
    }
  if (all >> 24 != 0xff)
    {
      cairo_surface_mark_dirty (argb);
      return argb;
    }
  rgb = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  g_assert (cairo_image_surface_get_stride (rgb) == stride);
  cairo_surface_flush (rgb);
  memcpy (cairo_image_surface_get_data (rgb), data, (gsize) stride * height);
  cairo_surface_mark_dirty (rgb);
  cairo_surface_destroy (argb);
  return rgb;
}

/* On a worker: the encoded tile (PNG, JPEG...) as a cairo image surface or, for GPU renderers,
 * as GDK's loader gives it (opaque tiles stay RGB, which GL draws without blending). */
static void
decode_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Request *request = g_task_get_task_data (task);
  GBytes *encoded = g_object_get_data (G_OBJECT (task), "encoded");
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) decoded = gdk_texture_new_from_bytes (encoded, &error);

  if (decoded == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (request->for_cairo)
    {
      request->surface = surface_from_texture (decoded);
    }
  else
    request->texture = g_steal_pointer (&decoded);
  g_task_return_boolean (task, TRUE);
}

static gboolean
retry_cb (gpointer user_data)
{
  LdBasemapLayer *self = user_data;

  self->retry_id = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return G_SOURCE_REMOVE;
}

/* Takes the decoded tile from @request; none: the source has no such tile, or (@failed) an
 * online source could not send it, to be asked for again later. */
static void
store (LdBasemapLayer *self,
       guint64         key,
       Request        *request,
       gboolean        failed)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->missing = request == NULL;
  if (failed)
    {
      entry->retry_at = g_get_monotonic_time () + self->retry_delay * G_USEC_PER_SEC;
      if (self->retry_id == 0)
        self->retry_id = g_timeout_add (self->retry_delay * 1000 + 100, retry_cb, self);
    }
  if (request != NULL)
    {
      entry->surface = g_steal_pointer (&request->surface);
      entry->texture = g_steal_pointer (&request->texture);
    }
  entry->frame = self->frame;
  g_hash_table_insert (self->tiles, g_memdup2 (&key, sizeof key), entry);
}

static void
decoded_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Request *request = g_task_get_task_data (G_TASK (result));
  g_autoptr(LdBasemapLayer) self = g_weak_ref_get (&request->layer);
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  if (self != NULL && g_hash_table_remove (self->requested, &request->key))
    {
      if (!ok)
        g_debug ("Base map tile %" G_GINT64_MODIFIER "x: %s", request->key, error->message);
      else
        self->decoded++;
      store (self, request->key, ok ? request : NULL, FALSE);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
tile_data_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(LdBasemapLayer) self = g_weak_ref_get (&request->layer);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = shumate_data_source_get_tile_data_finish (SHUMATE_DATA_SOURCE (object),
                                                                      result, &error);
  g_autoptr(GTask) task = NULL;

  if (self == NULL || !g_hash_table_contains (self->requested, &request->key))
    {
      request_free (request);
      return;
    }
  if (bytes == NULL)
    {
      g_hash_table_remove (self->requested, &request->key);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* No such tile: remember, so that it is not asked for every frame. A download
           * that failed (no network, a server error) is retried later: the view must not
           * keep its holes once the network is back. */
          gboolean failed = error->domain == SHUMATE_TILE_DOWNLOADER_ERROR;

          g_debug ("Base map tile %" G_GINT64_MODIFIER "x: %s", request->key, error->message);
          store (self, request->key, NULL, failed);
          if (failed)
            g_signal_emit (self, signals[DOWNLOAD_FAILED], 0, error->message);
          gtk_widget_queue_draw (GTK_WIDGET (self));
        }
      request_free (request);
      return;
    }
  task = g_task_new (NULL, self->cancellable, decoded_cb, NULL);
  g_task_set_source_tag (task, tile_data_cb);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  g_object_set_data_full (G_OBJECT (task), "encoded", g_steal_pointer (&bytes),
                          (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, decode_thread);
}

static void
request_tile (LdBasemapLayer *self,
              gboolean        for_cairo,
              int             zoom,
              int             x,
              int             y)
{
  guint64 key = tile_key (zoom, x, y);
  Request *request;

  if (g_hash_table_contains (self->requested, &key))
    return;
  /* Another zoom level: drop what the view no longer needs. */
  if (zoom != self->request_zoom)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
      self->request_zoom = zoom;
      g_hash_table_remove_all (self->requested);
    }
  g_hash_table_add (self->requested, g_memdup2 (&key, sizeof key));
  request = g_new0 (Request, 1);
  g_weak_ref_init (&request->layer, self);
  request->key = key;
  request->for_cairo = for_cairo;
  shumate_data_source_get_tile_data_async (self->source, x, y, zoom, self->cancellable,
                                           tile_data_cb, request);
}

/* Draws a tile at (x, y), w x h. GPU renderers get a texture, kept from frame to frame.
 * GTK 4.8's cairo renderer would convert a texture into a new surface every frame (through
 * floats, whatever its format): it gets a cairo node per tile that paints the tile's surface,
 * which stays in place; GTK records cairo nodes, and a recording copies each image it is given
 * unless a snapshot of the image is still alive, so the tile's own recording (the pin) keeps
 * one and frames after the first do not copy it. */
static void
draw (LdBasemapLayer *self,
      GtkSnapshot    *snapshot,
      gboolean        use_cairo,
      Entry          *entry,
      double          x,
      double          y,
      double          w,
      double          h)
{
  graphene_rect_t bounds = GRAPHENE_RECT_INIT ((float) x, (float) y, (float) w, (float) h);

  entry->frame = self->frame;
  if (entry->missing)
    return;
  self->drawn++;
  if (!use_cairo)
    {
      if (entry->texture == NULL)   /* decoded for another renderer */
        {
          entry->texture = ld_tile_paint_texture_new (entry->surface);
          self->prepared++;
        }
      gtk_snapshot_append_texture (snapshot, entry->texture, &bounds);
      return;
    }
  if (entry->surface == NULL)
    {
      entry->surface = surface_from_texture (entry->texture);
    }
  if (ld_tile_paint_surface (snapshot, entry->surface, &entry->pin, x, y, w, h, FALSE))
    self->prepared++;
}

/* The nearest ancestor we have, scaled up and clipped to the tile's box. */
static void
draw_ancestor (LdBasemapLayer        *self,
               GtkSnapshot           *snapshot,
               gboolean               use_cairo,
               int                    zoom,
               int                    x,
               int                    y,
               const graphene_rect_t *box,
               double                 sx,
               double                 sy,
               double                 tile)
{
  for (int up = 1; up <= MAX_ANCESTORS && zoom - up >= self->min_zoom; up++)
    {
      guint64 key = tile_key (zoom - up, x >> up, y >> up);
      Entry *parent = g_hash_table_lookup (self->tiles, &key);

      if (parent == NULL)
        continue;
      gtk_snapshot_push_clip (snapshot, box);
      draw (self, snapshot, use_cairo, parent, sx - (x - ((x >> up) << up)) * tile,
            sy - (y - ((y >> up) << up)) * tile, tile * (1 << up), tile * (1 << up));
      gtk_snapshot_pop (snapshot);
      return;
    }
}

static void
ld_basemap_layer_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  LdBasemapLayer *self = LD_BASEMAP_LAYER (widget);
  ShumateViewport *viewport = shumate_layer_get_viewport (SHUMATE_LAYER (self));
  double zoom_level = shumate_viewport_get_zoom_level (viewport);
  double rotation = shumate_viewport_get_rotation (viewport);
  double lat = shumate_location_get_latitude (SHUMATE_LOCATION (viewport));
  double lon = shumate_location_get_longitude (SHUMATE_LOCATION (viewport));
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  GtkNative *native = gtk_widget_get_native (widget);
  GskRenderer *renderer = native ? gtk_native_get_renderer (native) : NULL;
  gboolean use_cairo = renderer != NULL && GSK_IS_CAIRO_RENDERER (renderer);
  double cx, cy, scale, tile, rx, ry;
  int zoom, last, x0, x1, y0, y1;

  /* Far below the source's zooms a view would need thousands of its tiles: show nothing, as
   * libshumate does (the viewport's reference source normally keeps the zoom in range). */
  if (width <= 0 || height <= 0 || zoom_level < self->min_zoom - 1)
    return;
  self->frame++;
  zoom = CLAMP ((int) floor (zoom_level + 1e-6), self->min_zoom, self->max_zoom);
  scale = pow (2.0, zoom_level - zoom);
  tile = LD_TILE_SIZE * scale;
  last = (1 << zoom) - 1;
  ld_geo_lonlat_to_world (lon, lat, zoom, &cx, &cy);
  /* Rotated views need the circle around the widget. */
  rx = rotation != 0 ? hypot (width, height) / 2 : width / 2.0;
  ry = rotation != 0 ? hypot (width, height) / 2 : height / 2.0;
  x0 = (int) floor ((cx - rx / scale) / LD_TILE_SIZE);
  x1 = (int) floor ((cx + rx / scale) / LD_TILE_SIZE);
  y0 = MAX ((int) floor ((cy - ry / scale) / LD_TILE_SIZE), 0);
  y1 = MIN ((int) floor ((cy + ry / scale) / LD_TILE_SIZE), last);
  self->max_tiles = MAX (MIN_TILES, 2 * (guint) ((x1 - x0 + 1) * MAX (y1 - y0 + 1, 1)));

  if (rotation != 0)
    {
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (width / 2.0f, height / 2.0f));
      gtk_snapshot_rotate (snapshot, (float) (rotation * 180.0 / G_PI));
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-width / 2.0f, -height / 2.0f));
    }
  for (int ty = y0; ty <= y1; ty++)
    for (int tx = x0; tx <= x1; tx++)
      {
        int wx = ((tx % (last + 1)) + last + 1) % (last + 1);   /* wrap around the world */
        double sx = width / 2.0 + (tx * LD_TILE_SIZE - cx) * scale;
        double sy = height / 2.0 + (ty * LD_TILE_SIZE - cy) * scale;
        graphene_rect_t box;
        guint64 key = tile_key (zoom, wx, ty);
        Entry *entry = g_hash_table_lookup (self->tiles, &key);

        ld_tile_paint_snap (sx, sy, tile, &box);
        if (entry != NULL && entry->retry_at != 0 && g_get_monotonic_time () >= entry->retry_at)
          {
            g_hash_table_remove (self->tiles, &key);
            entry = NULL;
          }
        if (entry != NULL)
          {
            draw (self, snapshot, use_cairo, entry, box.origin.x, box.origin.y, box.size.width,
                  box.size.height);
            continue;
          }
        request_tile (self, use_cairo, zoom, wx, ty);
        draw_ancestor (self, snapshot, use_cairo, zoom, wx, ty, &box, sx, sy, tile);
      }
  if (rotation != 0)
    gtk_snapshot_restore (snapshot);
  ld_tile_paint_prune (self->tiles, self->max_tiles, self->frame, G_STRUCT_OFFSET (Entry, frame));
}

static void
viewport_changed_cb (LdBasemapLayer *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
ld_basemap_layer_constructed (GObject *object)
{
  LdBasemapLayer *self = LD_BASEMAP_LAYER (object);
  ShumateViewport *viewport = shumate_layer_get_viewport (SHUMATE_LAYER (self));
  static const char * const props[] = {
    "notify::latitude", "notify::longitude", "notify::zoom-level", "notify::rotation",
  };

  G_OBJECT_CLASS (ld_basemap_layer_parent_class)->constructed (object);

  for (guint i = 0; i < G_N_ELEMENTS (props); i++)
    g_signal_connect_object (viewport, props[i], G_CALLBACK (viewport_changed_cb), self,
                             G_CONNECT_SWAPPED);
}

static void
ld_basemap_layer_dispose (GObject *object)
{
  LdBasemapLayer *self = LD_BASEMAP_LAYER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_pointer (&self->tiles, g_hash_table_unref);
  g_clear_pointer (&self->requested, g_hash_table_unref);
  g_clear_object (&self->source);

  G_OBJECT_CLASS (ld_basemap_layer_parent_class)->dispose (object);
}

static void
ld_basemap_layer_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  LdBasemapLayer *self = LD_BASEMAP_LAYER (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;
    case PROP_MIN_ZOOM:
      g_value_set_int (value, self->min_zoom);
      break;
    case PROP_MAX_ZOOM:
      g_value_set_int (value, self->max_zoom);
      break;
    case PROP_RETRY_DELAY:
      g_value_set_uint (value, self->retry_delay);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_basemap_layer_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  LdBasemapLayer *self = LD_BASEMAP_LAYER (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      self->source = g_value_dup_object (value);
      break;
    case PROP_MIN_ZOOM:
      self->min_zoom = g_value_get_int (value);
      break;
    case PROP_MAX_ZOOM:
      self->max_zoom = g_value_get_int (value);
      break;
    case PROP_RETRY_DELAY:
      self->retry_delay = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_basemap_layer_class_init (LdBasemapLayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ld_basemap_layer_constructed;
  object_class->dispose = ld_basemap_layer_dispose;
  object_class->get_property = ld_basemap_layer_get_property;
  object_class->set_property = ld_basemap_layer_set_property;
  widget_class->snapshot = ld_basemap_layer_snapshot;

  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, SHUMATE_TYPE_DATA_SOURCE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MIN_ZOOM] =
    g_param_spec_int ("min-zoom", NULL, NULL, 0, 30, 0,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_ZOOM] =
    g_param_spec_int ("max-zoom", NULL, NULL, 0, 30, 19,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * LdBasemapLayer:retry-delay:
   *
   * Seconds after which a tile whose download failed (no network, a server error) is asked
   * for again, so that the view does not keep its holes once the network is back.
   */
  properties[PROP_RETRY_DELAY] =
    g_param_spec_uint ("retry-delay", NULL, NULL, 1, 3600, 30,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LdBasemapLayer::download-failed:
   * @message: what went wrong, from libshumate's downloader
   *
   * A tile could not be downloaded (no network, a server error); it is asked for again after
   * LdBasemapLayer:retry-delay. Emitted for every such tile: whoever tells the user should
   * not do so each time.
   */
  signals[DOWNLOAD_FAILED] =
    g_signal_new ("download-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ld_basemap_layer_init (LdBasemapLayer *self)
{
  self->tiles = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, entry_free);
  self->requested = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
  self->request_zoom = -1;
  self->max_tiles = MIN_TILES;
  self->retry_delay = 30;
  /* Clicks and drags go through to the map. */
  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
}

/**
 * ld_basemap_layer_new:
 * @source: where the encoded tiles come from (an LdMbtilesSource, libshumate's downloader...)
 * @min_zoom: the shallowest zoom the source serves
 * @max_zoom: the deepest; deeper views show its tiles enlarged
 */
LdBasemapLayer *
ld_basemap_layer_new (ShumateViewport   *viewport,
                      ShumateDataSource *source,
                      int                min_zoom,
                      int                max_zoom)
{
  g_return_val_if_fail (SHUMATE_IS_VIEWPORT (viewport), NULL);
  g_return_val_if_fail (SHUMATE_IS_DATA_SOURCE (source), NULL);
  g_return_val_if_fail (0 <= min_zoom && min_zoom <= max_zoom && max_zoom <= 30, NULL);

  return g_object_new (LD_TYPE_BASEMAP_LAYER, "viewport", viewport, "source", source,
                       "min-zoom", min_zoom, "max-zoom", max_zoom, NULL);
}

/* Tiles decoded so far: panning over loaded tiles must not add to it. */
guint
ld_basemap_layer_get_tiles_decoded (LdBasemapLayer *self)
{
  g_return_val_if_fail (LD_IS_BASEMAP_LAYER (self), 0);
  return self->decoded;
}

/* Tile draws so far, each from a texture decoded once. */
guint
ld_basemap_layer_get_tiles_drawn (LdBasemapLayer *self)
{
  g_return_val_if_fail (LD_IS_BASEMAP_LAYER (self), 0);
  return self->drawn;
}

/* Cairo snapshots pinned and textures made so far: panning over drawn tiles must not add to
 * it, as it reuses what earlier frames made. */
guint
ld_basemap_layer_get_tiles_prepared (LdBasemapLayer *self)
{
  g_return_val_if_fail (LD_IS_BASEMAP_LAYER (self), 0);
  return self->prepared;
}

/* Waiting for tiles: a screenshot waits until this is over. */
gboolean
ld_basemap_layer_is_busy (LdBasemapLayer *self)
{
  g_return_val_if_fail (LD_IS_BASEMAP_LAYER (self), FALSE);
  return g_hash_table_size (self->requested) > 0;
}

/**
 * ld_basemap_layer_install:
 * @map_source: the base map as libshumate knows it: the viewport's reference for projection
 *   and zoom range, and the licence text
 * @source: where its encoded tiles come from
 *
 * Shows @map_source in @map through a new LdBasemapLayer instead of libshumate's map layer,
 * which stays in the map (the simple map owns it) but hidden, so it never loads or draws.
 *
 * Returns: (transfer none): the layer, at the bottom of @map
 */
LdBasemapLayer *
ld_basemap_layer_install (ShumateSimpleMap  *map,
                          ShumateMapSource  *map_source,
                          ShumateDataSource *source)
{
  ShumateMap *inner;
  ShumateViewport *viewport;
  LdBasemapLayer *layer;
  GtkWidget *shumate_layer = NULL;

  g_return_val_if_fail (SHUMATE_IS_SIMPLE_MAP (map), NULL);
  g_return_val_if_fail (SHUMATE_IS_MAP_SOURCE (map_source), NULL);

  shumate_simple_map_set_map_source (map, map_source);
  inner = shumate_simple_map_get_map (map);
  viewport = shumate_simple_map_get_viewport (map);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (inner)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (SHUMATE_IS_MAP_LAYER (child))
      {
        g_autoptr(ShumateMapSource) shown = NULL;

        g_object_get (child, "map-source", &shown, NULL);
        if (shown == map_source)
          shumate_layer = child;
      }
  if (shumate_layer != NULL)
    gtk_widget_set_visible (shumate_layer, FALSE);
  layer = ld_basemap_layer_new (viewport, source, shumate_map_source_get_min_zoom_level (map_source),
                                shumate_map_source_get_max_zoom_level (map_source));
  shumate_map_insert_layer_behind (inner, SHUMATE_LAYER (layer), SHUMATE_LAYER (shumate_layer));
  return layer;
}
