/* ld-overlay-layer.c: a map layer that shows LdTileRenderer tiles
 *
 * The layer never draws a polygon itself: each frame it draws the textures of the tiles that
 * cover the view at the current integer zoom, scaled to the fractional zoom. Missing tiles are
 * requested from the renderer's worker pool (never blocking the main thread) and meanwhile
 * shown as the nearest ancestor tile we have, scaled up. Textures wrap the renderer's cairo
 * surfaces without copying, and stay the same objects from frame to frame so that GSK can
 * keep them on the GPU. With the cairo renderer (software, as under Xvfb) tiles are painted
 * from their surfaces in one cairo node; each keeps a pinned cairo snapshot so that GTK's
 * recording of the node does not copy every tile every frame (panning went from 10 to 22 fps
 * at 1920 x 1080, for one more copy of each tile on screen).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "ld-basemap-layer.h"
#include "ld-overlay-layer.h"
#include "ld-tile-paint.h"

#define MAX_ANCESTORS 5
#define MAX_TEXTURES  128

typedef struct
{
  gboolean         empty;     /* nothing to draw */
  GdkTexture      *texture;   /* for GPU renderers */
  cairo_surface_t *surface;   /* for the cairo renderer, which would copy a texture per frame */
  cairo_surface_t *pin;       /* holds cairo's snapshot of it, see draw_tile */
  cairo_surface_t *faded;     /* the surface at faded_alpha, below full opacity */
  cairo_surface_t *faded_pin;
  double           faded_alpha;
  guint            generation;
  guint       frame;      /* last frame that used it */
} Entry;

struct _LdOverlayLayer
{
  ShumateLayer    parent_instance;

  LdTileRenderer *renderer;
  GHashTable     *textures;    /* key -> Entry */
  GHashTable     *requested;   /* key -> generation requested */
  GCancellable   *cancellable; /* requests for the current integer zoom */
  int             request_zoom;
  int             min_zoom, max_zoom;
  double          layer_opacity;
  gint            overview_permille;   /* set by the build's threads (atomic) */
  double          overview_progress;   /* as last notified: -1 when not building */
  guint           progress_id;
  guint           frame;
  guint           drawn;       /* tile draws so far (for tests) */
  guint           prepared;    /* cairo snapshots pinned so far (for tests) */
  /* While the overview is being built, tiles below this zoom are not drawn (each would hold
   * too many features to draw directly). */
  int             building_below;
  GCancellable   *overview_cancellable;
  /* The palette entries the last frame showed, for the map's legend. */
  GByteArray     *in_view;
  guint           classes_idle;
};

G_DEFINE_FINAL_TYPE (LdOverlayLayer, ld_overlay_layer, SHUMATE_TYPE_LAYER)

enum {
  PROP_0,
  PROP_RENDERER,
  PROP_LAYER_OPACITY,
  PROP_OVERVIEW_PROGRESS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CLASSES_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  GWeakRef layer;
  guint64  key;
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
  g_clear_pointer (&entry->faded_pin, cairo_surface_destroy);
  g_clear_pointer (&entry->faded, cairo_surface_destroy);
  g_free (entry);
}

static void
store_texture (LdOverlayLayer  *self,
               guint64          key,
               cairo_surface_t *surface,
               guint            generation)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->empty = ld_tile_renderer_is_empty_tile (surface);
  if (!entry->empty)
    {
      entry->texture = ld_tile_paint_texture_new (surface);
      entry->surface = cairo_surface_reference (surface);
    }
  entry->generation = generation;
  entry->frame = self->frame;
  g_hash_table_insert (self->textures, g_memdup2 (&key, sizeof key), entry);
}

/* A texture for the tile: ours, else from the renderer's cache (no rendering). */
static Entry *
find_texture (LdOverlayLayer *self,
              int             zoom,
              int             x,
              int             y,
              guint           generation)
{
  guint64 key = tile_key (zoom, x, y);
  Entry *entry = g_hash_table_lookup (self->textures, &key);
  cairo_surface_t *surface;

  if (entry != NULL && entry->generation == generation)
    return entry;
  surface = ld_tile_renderer_lookup (self->renderer, zoom, x, y);
  if (surface == NULL)
    return entry;   /* stale or NULL: the caller decides */
  store_texture (self, key, surface, generation);
  cairo_surface_destroy (surface);
  return g_hash_table_lookup (self->textures, &key);
}

static void
tile_rendered_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(LdOverlayLayer) self = g_weak_ref_get (&request->layer);
  g_autoptr(GError) error = NULL;
  cairo_surface_t *surface = ld_tile_renderer_render_finish (LD_TILE_RENDERER (object), result,
                                                             &error);

  if (self != NULL)
    {
      g_hash_table_remove (self->requested, &request->key);
      if (surface != NULL)
        gtk_widget_queue_draw (GTK_WIDGET (self));
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Overlay %s: %s", ld_tile_renderer_get_table (LD_TILE_RENDERER (object)),
                   error->message);
    }
  g_clear_pointer (&surface, cairo_surface_destroy);
  g_weak_ref_clear (&request->layer);
  g_free (request);
}

static void
request_tile (LdOverlayLayer *self,
              int             zoom,
              int             x,
              int             y,
              guint           generation)
{
  guint64 key = tile_key (zoom, x, y);
  gpointer value;
  Request *request;

  if (g_hash_table_lookup_extended (self->requested, &key, NULL, &value) &&
      GPOINTER_TO_UINT (value) == generation)
    return;
  /* Panning to another zoom level drops the requests the view no longer needs. */
  if (zoom != self->request_zoom)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
      self->request_zoom = zoom;
      g_hash_table_remove_all (self->requested);
    }
  g_hash_table_insert (self->requested, g_memdup2 (&key, sizeof key), GUINT_TO_POINTER (generation));
  request = g_new0 (Request, 1);
  g_weak_ref_init (&request->layer, self);
  request->key = key;
  ld_tile_renderer_render_async (self->renderer, zoom, x, y, self->cancellable,
                                 tile_rendered_cb, request);
}

/* Adds the classes a drawn tile shows; a tile that does not say (an overview's) shows all. */
static void
note_classes (GByteArray *shown,
              Entry      *entry)
{
  const guint8 *flags;
  guint n;

  if (entry->empty)
    return;
  flags = ld_tile_renderer_get_tile_classes (entry->surface, &n);
  for (guint i = 0; i < shown->len; i++)
    shown->data[i] |= flags == NULL || (i < n && flags[i]);
}

static void
emit_classes_changed (gpointer data)
{
  LdOverlayLayer *self = data;

  self->classes_idle = 0;
  g_signal_emit (self, signals[CLASSES_CHANGED], 0);
}

/* Keeps what the frame showed; the legend hears of a change after the frame (a snapshot must
 * not change widgets). */
static void
update_classes (LdOverlayLayer *self,
                GByteArray     *shown)
{
  if (self->in_view->len == shown->len &&
      memcmp (self->in_view->data, shown->data, shown->len) == 0)
    return;
  g_byte_array_set_size (self->in_view, 0);
  g_byte_array_append (self->in_view, shown->data, shown->len);
  if (self->classes_idle == 0)
    self->classes_idle = g_idle_add_once (emit_classes_changed, self);
}

static GByteArray *
no_classes (LdOverlayLayer *self)
{
  LdPalette *palette = ld_tile_renderer_get_palette (self->renderer);
  GByteArray *shown = g_byte_array_sized_new (ld_palette_get_n_entries (palette));

  g_byte_array_set_size (shown, ld_palette_get_n_entries (palette));
  memset (shown->data, 0, shown->len);
  return shown;
}

/* Keeps the textures of recent frames, up to a bound. */
/* Draws a tile at (x, y), w x h. With the cairo renderer (software, as under Xvfb) each
 * tile is a cairo node that paints its surface: a texture node there would convert the
 * texture into a new surface every frame. One node per tile, not one for all: GTK's cairo
 * renderer replays a cairo node through a temporary image of the node's size, and one of
 * 256 px comes from the heap while one of the whole view is new memory every frame. */
static void
draw_tile (LdOverlayLayer *self,
           GtkSnapshot    *snapshot,
           gboolean        use_cairo,
           Entry          *entry,
           double          x,
           double          y,
           double          w,
           double          h)
{
  graphene_rect_t bounds = GRAPHENE_RECT_INIT ((float) x, (float) y, (float) w, (float) h);

  if (entry->empty)
    return;
  self->drawn++;
  if (!use_cairo)
    {
      gtk_snapshot_append_texture (snapshot, entry->texture, &bounds);
      return;
    }
  /* GTK records cairo nodes, and a recording copies each image it is given unless a snapshot
   * of that image is still alive: painting the tile once into a recording of our own keeps
   * one, so frames after the first reuse it instead of copying 256 KiB per tile. */
  if (self->layer_opacity >= 1)
    {
      g_clear_pointer (&entry->faded_pin, cairo_surface_destroy);
      g_clear_pointer (&entry->faded, cairo_surface_destroy);
      if (ld_tile_paint_surface (snapshot, entry->surface, &entry->pin, x, y, w, h, FALSE))
        self->prepared++;
      return;
    }
  if (entry->faded == NULL || entry->faded_alpha != self->layer_opacity)
    {
      g_clear_pointer (&entry->faded_pin, cairo_surface_destroy);
      g_clear_pointer (&entry->faded, cairo_surface_destroy);
      entry->faded = ld_tile_paint_faded (entry->surface, self->layer_opacity);
      entry->faded_alpha = self->layer_opacity;
    }
  if (ld_tile_paint_surface (snapshot, entry->faded, &entry->faded_pin, x, y, w, h, TRUE))
    self->prepared++;
}

static void
ld_overlay_layer_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  LdOverlayLayer *self = LD_OVERLAY_LAYER (widget);
  ShumateViewport *viewport = shumate_layer_get_viewport (SHUMATE_LAYER (self));
  double zoom_level = shumate_viewport_get_zoom_level (viewport);
  double rotation = shumate_viewport_get_rotation (viewport);
  double lat = shumate_location_get_latitude (SHUMATE_LOCATION (viewport));
  double lon = shumate_location_get_longitude (SHUMATE_LOCATION (viewport));
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  guint generation = ld_tile_renderer_get_generation (self->renderer);
  GtkNative *native = gtk_widget_get_native (widget);
  GskRenderer *renderer = native ? gtk_native_get_renderer (native) : NULL;
  g_autoptr(GByteArray) shown = no_classes (self);
  gboolean use_cairo = renderer != NULL && GSK_IS_CAIRO_RENDERER (renderer);
  double cx, cy, scale, tile, radius;
  int zoom, last, x0, x1, y0, y1;

  if (width <= 0 || height <= 0 || !ld_overlay_layer_shows_zoom (self, zoom_level) ||
      zoom_level < self->building_below)
    {
      update_classes (self, shown);
      return;
    }
  self->frame++;
  zoom = CLAMP ((int) floor (zoom_level + 1e-6), 0, 24);
  scale = pow (2.0, zoom_level - zoom);
  tile = LD_TILE_SIZE * scale;
  last = (1 << zoom) - 1;
  ld_geo_lonlat_to_world (lon, lat, zoom, &cx, &cy);
  /* Rotated views need the circle around the widget. */
  radius = rotation != 0 ? hypot (width, height) / 2 : 0;
  x0 = (int) floor ((cx - (radius ? radius : width / 2.0) / scale) / LD_TILE_SIZE);
  x1 = (int) floor ((cx + (radius ? radius : width / 2.0) / scale) / LD_TILE_SIZE);
  y0 = (int) floor ((cy - (radius ? radius : height / 2.0) / scale) / LD_TILE_SIZE);
  y1 = (int) floor ((cy + (radius ? radius : height / 2.0) / scale) / LD_TILE_SIZE);
  y0 = MAX (y0, 0);
  y1 = MIN (y1, last);

  /* GPU renderers draw the layer through one opacity node; the cairo renderer would make a
   * temporary image of the whole view for it every frame, so there each tile is painted from
   * a faded copy instead (draw_tile). */
  if (!use_cairo && self->layer_opacity < 1)
    gtk_snapshot_push_opacity (snapshot, self->layer_opacity);
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
        Entry *entry = find_texture (self, zoom, wx, ty, generation);
        graphene_rect_t box;

        ld_tile_paint_snap (sx, sy, tile, &box);
        if (entry != NULL)
          {
            entry->frame = self->frame;
            draw_tile (self, snapshot, use_cairo, entry, box.origin.x, box.origin.y, box.size.width,
                       box.size.height);
            note_classes (shown, entry);
            if (entry->generation == generation)
              continue;
          }
        request_tile (self, zoom, wx, ty, generation);
        if (entry != NULL)
          continue;   /* the stale tile stands in */

        /* Meanwhile, the nearest ancestor we have, scaled up and clipped to this tile. */
        for (int up = 1; up <= MAX_ANCESTORS && up <= zoom; up++)
          {
            Entry *parent = find_texture (self, zoom - up, wx >> up, ty >> up, generation);
            double size = tile * (1 << up);

            if (parent == NULL)
              continue;
            parent->frame = self->frame;
            gtk_snapshot_push_clip (snapshot, &box);
            draw_tile (self, snapshot, use_cairo, parent, sx - (wx - ((wx >> up) << up)) * tile,
                       sy - (ty - ((ty >> up) << up)) * tile, size, size);
            note_classes (shown, parent);
            gtk_snapshot_pop (snapshot);
            break;
          }
      }
  if (rotation != 0)
    gtk_snapshot_restore (snapshot);
  if (!use_cairo && self->layer_opacity < 1)
    gtk_snapshot_pop (snapshot);
  ld_tile_paint_prune (self->textures, MAX_TEXTURES, self->frame, G_STRUCT_OFFSET (Entry, frame));
  update_classes (self, shown);
}

/* The lowest zoom whose tile at the layer's centre holds at most a few thousand features. */
static int
choose_overview_zoom (LdTileRenderer *renderer)
{
  LdLonLatBox box;

  if (!ld_tile_renderer_get_extent (renderer, &box))
    return -1;
  for (int zoom = 8; zoom <= 15; zoom++)
    {
      double px, py;
      gint64 n;

      ld_geo_lonlat_to_world ((box.west + box.east) / 2, (box.south + box.north) / 2, zoom,
                              &px, &py);
      n = ld_tile_renderer_count_features (renderer, zoom, (int) (px / LD_TILE_SIZE),
                                           (int) (py / LD_TILE_SIZE), NULL);
      if (n >= 0 && n <= 3000)
        return zoom;
    }
  return 15;
}

static char *
overview_path (LdTileRenderer *renderer,
               const char     *gpkg_path)
{
  g_autofree char *absolute = g_canonicalize_filename (gpkg_path, NULL);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, absolute, -1);
  g_autofree char *name = g_strdup_printf ("%.16s-%s.mbtiles", hash,
                                           ld_tile_renderer_get_table (renderer));

  return g_build_filename (g_get_user_cache_dir (), "landdesk", "overviews", name, NULL);
}

/* From the build's threads: only an atomic store, the main loop reads it. */
static void
overview_progress_cb (double   fraction,
                      gpointer user_data)
{
  LdOverlayLayer *self = user_data;

  g_atomic_int_set (&self->overview_permille, (gint) (fraction * 1000));
}

static void
set_overview_progress (LdOverlayLayer *self,
                       double          progress)
{
  if (progress == self->overview_progress)
    return;
  self->overview_progress = progress;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OVERVIEW_PROGRESS]);
}

static gboolean
poll_progress_cb (gpointer user_data)
{
  LdOverlayLayer *self = user_data;

  set_overview_progress (self, g_atomic_int_get (&self->overview_permille) / 1000.0);
  return G_SOURCE_CONTINUE;
}

static void
build_overview_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  LdOverlayLayer *self = source_object;
  const char *path = task_data;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0700);
  if (!ld_tile_renderer_build_overview (self->renderer, path, self->building_below,
                                        overview_progress_cb, self, cancellable, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
overview_built_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  LdOverlayLayer *self = LD_OVERLAY_LAYER (object);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Overview of %s: %s", ld_tile_renderer_get_table (self->renderer), error->message);
  /* Built or not, draw low zooms now (directly, if the overview failed). */
  self->building_below = -1;
  g_clear_handle_id (&self->progress_id, g_source_remove);
  set_overview_progress (self, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * ld_overlay_layer_prepare_overview:
 * @gpkg_path: the GeoPackage the layer's renderer reads
 *
 * Opens the layer's overview from the cache, or builds it in a thread when it is missing or
 * stale (the data or the palette changed); LdOverlayLayer:overview-progress follows the
 * build. A small layer needs none.
 */
void
ld_overlay_layer_prepare_overview (LdOverlayLayer *self,
                                   const char     *gpkg_path)
{
  g_autofree char *path = overview_path (self->renderer, gpkg_path);
  g_autoptr(GTask) task = NULL;
  int zoom;

  if (ld_tile_renderer_open_overview (self->renderer, path, NULL))
    return;
  zoom = choose_overview_zoom (self->renderer);
  if (zoom <= 8)
    return;   /* a small layer: every zoom can be drawn directly */
  self->building_below = zoom;
  g_atomic_int_set (&self->overview_permille, 0);
  set_overview_progress (self, 0);
  self->progress_id = g_timeout_add (250, poll_progress_cb, self);
  self->overview_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->overview_cancellable, overview_built_cb, NULL);
  g_task_set_source_tag (task, ld_overlay_layer_prepare_overview);
  g_task_set_task_data (task, g_steal_pointer (&path), g_free);
  g_task_run_in_thread (task, build_overview_thread);
}

static void
viewport_changed_cb (LdOverlayLayer *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
ld_overlay_layer_constructed (GObject *object)
{
  LdOverlayLayer *self = LD_OVERLAY_LAYER (object);
  ShumateViewport *viewport = shumate_layer_get_viewport (SHUMATE_LAYER (self));

  G_OBJECT_CLASS (ld_overlay_layer_parent_class)->constructed (object);

  g_signal_connect_object (viewport, "notify::latitude", G_CALLBACK (viewport_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (viewport, "notify::longitude", G_CALLBACK (viewport_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (viewport, "notify::zoom-level", G_CALLBACK (viewport_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewport, "notify::rotation", G_CALLBACK (viewport_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
ld_overlay_layer_dispose (GObject *object)
{
  LdOverlayLayer *self = LD_OVERLAY_LAYER (object);

  g_clear_handle_id (&self->classes_idle, g_source_remove);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->overview_cancellable);
  g_clear_object (&self->overview_cancellable);
  g_clear_pointer (&self->textures, g_hash_table_unref);
  g_clear_pointer (&self->requested, g_hash_table_unref);
  g_clear_pointer (&self->in_view, g_byte_array_unref);
  g_clear_object (&self->renderer);

  G_OBJECT_CLASS (ld_overlay_layer_parent_class)->dispose (object);
}

static void
ld_overlay_layer_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  LdOverlayLayer *self = LD_OVERLAY_LAYER (object);

  switch (prop_id)
    {
    case PROP_RENDERER:
      g_value_set_object (value, self->renderer);
      break;
    case PROP_LAYER_OPACITY:
      g_value_set_double (value, self->layer_opacity);
      break;
    case PROP_OVERVIEW_PROGRESS:
      g_value_set_double (value, self->overview_progress);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_overlay_layer_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  LdOverlayLayer *self = LD_OVERLAY_LAYER (object);

  switch (prop_id)
    {
    case PROP_RENDERER:
      self->renderer = g_value_dup_object (value);
      break;
    case PROP_LAYER_OPACITY:
      ld_overlay_layer_set_layer_opacity (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_overlay_layer_class_init (LdOverlayLayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ld_overlay_layer_constructed;
  object_class->dispose = ld_overlay_layer_dispose;
  object_class->get_property = ld_overlay_layer_get_property;
  object_class->set_property = ld_overlay_layer_set_property;
  widget_class->snapshot = ld_overlay_layer_snapshot;

  properties[PROP_RENDERER] =
    g_param_spec_object ("renderer", NULL, NULL, LD_TYPE_TILE_RENDERER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * LdOverlayLayer:layer-opacity:
   *
   * How opaque the layer is drawn, from 0 to 1. Use this rather than GtkWidget:opacity,
   * which under the cairo renderer costs a temporary image of the whole view every frame
   * (panning at 1920 x 1080 dropped from about 57 to 48 fps at 0.6).
   */
  properties[PROP_LAYER_OPACITY] =
    g_param_spec_double ("layer-opacity", NULL, NULL, 0.0, 1.0, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LdOverlayLayer:overview-progress:
   *
   * How far the build of the layer's overview has come, 0 to 1, updated four times a second;
   * -1 when none is being built. Below the overview zoom the layer shows nothing meanwhile
   * (a 1M-patch layer takes about 20 s the first time), so the map's legend shows this.
   */
  properties[PROP_OVERVIEW_PROGRESS] =
    g_param_spec_double ("overview-progress", NULL, NULL, -1.0, 1.0, -1.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LdOverlayLayer::classes-changed:
   *
   * The palette entries the layer shows in the view changed (ld_overlay_layer_get_classes_in_view()).
   */
  signals[CLASSES_CHANGED] =
    g_signal_new ("classes-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
ld_overlay_layer_init (LdOverlayLayer *self)
{
  self->textures = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, entry_free);
  self->requested = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
  self->request_zoom = -1;
  self->min_zoom = 0;
  self->max_zoom = 24;
  self->layer_opacity = 1.0;
  self->overview_progress = -1;
  self->building_below = -1;
  self->in_view = g_byte_array_new ();
  /* Clicks go through to the map: identify is done from the R-tree, not from widgets. */
  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
}

LdOverlayLayer *
ld_overlay_layer_new (ShumateViewport *viewport,
                      LdTileRenderer  *renderer)
{
  g_return_val_if_fail (SHUMATE_IS_VIEWPORT (viewport), NULL);
  g_return_val_if_fail (LD_IS_TILE_RENDERER (renderer), NULL);

  return g_object_new (LD_TYPE_OVERLAY_LAYER, "viewport", viewport, "renderer", renderer, NULL);
}

void
ld_overlay_layer_set_layer_opacity (LdOverlayLayer *self,
                                    double          opacity)
{
  g_return_if_fail (LD_IS_OVERLAY_LAYER (self));

  opacity = CLAMP (opacity, 0.0, 1.0);
  if (opacity == self->layer_opacity)
    return;
  self->layer_opacity = opacity;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAYER_OPACITY]);
}

double
ld_overlay_layer_get_overview_progress (LdOverlayLayer *self)
{
  g_return_val_if_fail (LD_IS_OVERLAY_LAYER (self), -1);

  return self->overview_progress;
}

double
ld_overlay_layer_get_layer_opacity (LdOverlayLayer *self)
{
  g_return_val_if_fail (LD_IS_OVERLAY_LAYER (self), 1.0);

  return self->layer_opacity;
}

LdTileRenderer *
ld_overlay_layer_get_renderer (LdOverlayLayer *self)
{
  g_return_val_if_fail (LD_IS_OVERLAY_LAYER (self), NULL);
  return self->renderer;
}

/* The layer shows only between these zooms (the layer panel's per-layer zoom range). */
void
ld_overlay_layer_set_zoom_range (LdOverlayLayer *self,
                                 int             min_zoom,
                                 int             max_zoom)
{
  g_return_if_fail (LD_IS_OVERLAY_LAYER (self));
  self->min_zoom = min_zoom;
  self->max_zoom = max_zoom;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Whether the layer's zoom range takes in @zoom_level (it shows from half a level below its
 * lowest zoom, as tiles of that zoom are then drawn at most twice their size). */
gboolean
ld_overlay_layer_shows_zoom (LdOverlayLayer *self,
                             double          zoom_level)
{
  g_return_val_if_fail (LD_IS_OVERLAY_LAYER (self), FALSE);

  return zoom_level >= self->min_zoom - 0.5 && zoom_level <= self->max_zoom + 0.999;
}

/**
 * ld_overlay_layer_get_classes_in_view:
 * @n_entries: (out): the palette's number of entries
 *
 * Which entries of the layer's palette the last frame showed (all of them where tiles come from
 * an overview, which does not say); none while the layer is not drawn.
 *
 * Returns: (transfer none): one flag per entry
 */
const guint8 *
ld_overlay_layer_get_classes_in_view (LdOverlayLayer *self,
                                      guint          *n_entries)
{
  g_return_val_if_fail (LD_IS_OVERLAY_LAYER (self), NULL);

  *n_entries = self->in_view->len;
  return self->in_view->data;
}

/* Frames drawn so far: a frame-rate benchmark divides it by the time. */
guint
ld_overlay_layer_get_frames_drawn (LdOverlayLayer *self)
{
  g_return_val_if_fail (LD_IS_OVERLAY_LAYER (self), 0);
  return self->frame;
}

/* Tile draws so far, and cairo snapshots pinned for them: panning over drawn tiles adds to
 * the first only. */
guint
ld_overlay_layer_get_tiles_drawn (LdOverlayLayer *self)
{
  g_return_val_if_fail (LD_IS_OVERLAY_LAYER (self), 0);
  return self->drawn;
}

guint
ld_overlay_layer_get_tiles_prepared (LdOverlayLayer *self)
{
  g_return_val_if_fail (LD_IS_OVERLAY_LAYER (self), 0);
  return self->prepared;
}

/**
 * ld_overlay_layers_new_for_store:
 * @gpkg_path: a local store or any GeoPackage with LandDesk's layers (data/README.md)
 *
 * One overlay layer per layer of the store that has a palette in data/styles, bottom first:
 * current land use, planned land use, then the three control lines and the case red lines.
 * The workers are shared out: two threads for the current land use, one for the others.
 * Each layer's low-zoom overview is opened from the user's cache, or built in a thread.
 *
 * Returns: (transfer container) (element-type LdOverlayLayer): possibly empty; %NULL with
 *   @error set when @gpkg_path cannot be opened
 */
GPtrArray *
ld_overlay_layers_new_for_store (ShumateViewport  *viewport,
                                 const char       *gpkg_path,
                                 GError          **error)
{
  static const char * const tables[] = {
    "xz_dltb", "gh_ydyh", "sx_yjjbnt", "sx_stbhhx", "sx_czkfbj", "case_redlines",
  };
  g_autoptr(GPtrArray) layers = g_ptr_array_new_with_free_func (g_object_unref);

  if (!g_file_test (gpkg_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s does not exist", gpkg_path);
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autoptr(LdPalette) palette = NULL;
      g_autoptr(LdTileRenderer) renderer = NULL;
      g_autoptr(GError) local_error = NULL;
      LdOverlayLayer *layer;

      /* the server's palette when the store has one, else the shipped file */
      palette = ld_store_sync_load_palette (gpkg_path, tables[i], &local_error);
      if (palette != NULL)
        renderer = ld_tile_renderer_new (gpkg_path, tables[i], palette, i == 0 ? 2 : 1,
                                         &local_error);
      if (renderer == NULL)
        {
          g_debug ("No overlay for %s: %s", tables[i], local_error->message);
          continue;
        }
      layer = g_object_ref_sink (ld_overlay_layer_new (viewport, renderer));
      ld_overlay_layer_prepare_overview (layer, gpkg_path);
      g_ptr_array_add (layers, layer);
    }
  return g_steal_pointer (&layers);
}

/* Still working: its overview is being built, or tiles it asked for have not arrived. The
 * screenshot waits for this to end, so pictures show the layers a user would see. */
gboolean
ld_overlay_layer_is_busy (LdOverlayLayer *self)
{
  g_return_val_if_fail (LD_IS_OVERLAY_LAYER (self), FALSE);

  return self->building_below >= 0 || g_hash_table_size (self->requested) > 0;
}
