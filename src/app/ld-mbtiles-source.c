/* ld-mbtiles-source.c: a ShumateDataSource that serves tiles from a local MBTiles file
 *
 * Tiles are read on worker threads; "received-data" is emitted on the main thread before the
 * request completes, as libshumate's renderers expect. Past the file's deepest zoom the
 * deepest tile is enlarged, so the base map never goes blank when zooming in on a parcel.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ld-mbtiles-source.h"

struct _LdMbtilesSource
{
  ShumateDataSource  parent_instance;

  LdMbtiles         *mbtiles;
  int                min_zoom;
  int                max_zoom;
  guint              pending;
  guint              received;
};

typedef struct
{
  LdMbtiles *mbtiles;
  int        x;
  int        y;
  int        zoom;
  int        max_zoom;
} TileRequest;

G_DEFINE_FINAL_TYPE (LdMbtilesSource, ld_mbtiles_source, SHUMATE_TYPE_DATA_SOURCE)

enum {
  PROP_0,
  PROP_PENDING,
  PROP_RECEIVED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tile_request_free (gpointer data)
{
  TileRequest *req = data;

  g_object_unref (req->mbtiles);
  g_free (req);
}

static int
metadata_int (LdMbtiles  *mbtiles,
              const char *name,
              int         fallback)
{
  g_autofree char *value = ld_mbtiles_dup_metadata (mbtiles, name);
  gint64 n;

  if (value == NULL || !g_ascii_string_to_signed (value, 10, 0, 30, &n, NULL))
    return fallback;
  return (int) n;
}

static void
read_tile_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  TileRequest *req = task_data;
  GError *error = NULL;
  GBytes *bytes;

  if (req->zoom <= req->max_zoom)
    {
      bytes = ld_mbtiles_read_tile (req->mbtiles, req->zoom, req->x, req->y, &error);
    }
  else
    {
      int levels = req->zoom - req->max_zoom;
      g_autoptr(GBytes) parent = ld_mbtiles_read_tile (req->mbtiles, req->max_zoom,
                                                        req->x >> levels, req->y >> levels,
                                                        &error);
      int mask = (1 << levels) - 1;

      bytes = parent ? ld_tile_png_zoom (parent, levels, req->x & mask, req->y & mask, &error)
                     : NULL;
    }

  if (bytes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

static void
set_pending (LdMbtilesSource *self,
             guint            pending)
{
  if (self->pending == pending)
    return;
  self->pending = pending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
}

/* Back on the main thread: announce the data, then finish the caller's request. */
static void
tile_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  LdMbtilesSource *self = LD_MBTILES_SOURCE (object);
  g_autoptr(GTask) outer = user_data;
  TileRequest *req = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;
  g_autoptr(GBytes) bytes = g_task_propagate_pointer (G_TASK (result), &error);

  set_pending (self, self->pending - 1);
  if (bytes == NULL)
    {
      g_task_return_error (outer, error);
      return;
    }
  self->received++;
  g_signal_emit_by_name (self, "received-data", req->x, req->y, req->zoom, bytes);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECEIVED]);
  g_task_return_pointer (outer, g_steal_pointer (&bytes), (GDestroyNotify) g_bytes_unref);
}

static void
ld_mbtiles_source_get_tile_data_async (ShumateDataSource   *source,
                                       int                  x,
                                       int                  y,
                                       int                  zoom,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  LdMbtilesSource *self = LD_MBTILES_SOURCE (source);
  g_autoptr(GTask) outer = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) inner = NULL;
  TileRequest *req;

  g_task_set_source_tag (outer, ld_mbtiles_source_get_tile_data_async);
  if (self->mbtiles == NULL)
    {
      g_task_return_new_error (outer, LD_MBTILES_ERROR, LD_MBTILES_ERROR_NOT_FOUND,
                               "No base map");
      return;
    }
  if (zoom < self->min_zoom)
    {
      g_task_return_new_error (outer, LD_MBTILES_ERROR, LD_MBTILES_ERROR_NOT_FOUND,
                               "The base map starts at zoom %d", self->min_zoom);
      return;
    }

  req = g_new0 (TileRequest, 1);
  req->mbtiles = g_object_ref (self->mbtiles);
  req->x = x;
  req->y = y;
  req->zoom = zoom;
  req->max_zoom = self->max_zoom;

  set_pending (self, self->pending + 1);
  inner = g_task_new (self, cancellable, tile_read_cb, g_steal_pointer (&outer));
  g_task_set_source_tag (inner, ld_mbtiles_source_get_tile_data_async);
  g_task_set_task_data (inner, req, tile_request_free);
  g_task_run_in_thread (inner, read_tile_thread);
}

static GBytes *
ld_mbtiles_source_get_tile_data_finish (ShumateDataSource  *source,
                                        GAsyncResult       *result,
                                        GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, source), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
ld_mbtiles_source_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  LdMbtilesSource *self = LD_MBTILES_SOURCE (object);

  switch (prop_id)
    {
    case PROP_PENDING:
      g_value_set_uint (value, self->pending);
      break;
    case PROP_RECEIVED:
      g_value_set_uint (value, self->received);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_mbtiles_source_dispose (GObject *object)
{
  LdMbtilesSource *self = LD_MBTILES_SOURCE (object);

  g_clear_object (&self->mbtiles);

  G_OBJECT_CLASS (ld_mbtiles_source_parent_class)->dispose (object);
}

static void
ld_mbtiles_source_class_init (LdMbtilesSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ShumateDataSourceClass *source_class = SHUMATE_DATA_SOURCE_CLASS (klass);

  object_class->dispose = ld_mbtiles_source_dispose;
  object_class->get_property = ld_mbtiles_source_get_property;
  source_class->get_tile_data_async = ld_mbtiles_source_get_tile_data_async;
  source_class->get_tile_data_finish = ld_mbtiles_source_get_tile_data_finish;

  properties[PROP_PENDING] =
    g_param_spec_uint ("pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RECEIVED] =
    g_param_spec_uint ("received", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ld_mbtiles_source_init (LdMbtilesSource *self)
{
}

/**
 * ld_mbtiles_source_new:
 * @mbtiles: (nullable): the file; %NULL gives a source without tiles, which still serves the
 *   map as its reference for projection and zoom range when there is no base map
 */
LdMbtilesSource *
ld_mbtiles_source_new (LdMbtiles *mbtiles)
{
  LdMbtilesSource *self;

  g_return_val_if_fail (mbtiles == NULL || LD_IS_MBTILES (mbtiles), NULL);

  self = g_object_new (LD_TYPE_MBTILES_SOURCE, NULL);
  self->max_zoom = 19;
  if (mbtiles == NULL)
    return self;
  self->mbtiles = g_object_ref (mbtiles);
  self->min_zoom = metadata_int (mbtiles, "minzoom", 0);
  self->max_zoom = metadata_int (mbtiles, "maxzoom", 14);
  return self;
}

LdMbtiles *
ld_mbtiles_source_get_mbtiles (LdMbtilesSource *self)
{
  g_return_val_if_fail (LD_IS_MBTILES_SOURCE (self), NULL);
  return self->mbtiles;
}

int
ld_mbtiles_source_get_min_zoom (LdMbtilesSource *self)
{
  g_return_val_if_fail (LD_IS_MBTILES_SOURCE (self), 0);
  return self->min_zoom;
}

int
ld_mbtiles_source_get_max_zoom (LdMbtilesSource *self)
{
  g_return_val_if_fail (LD_IS_MBTILES_SOURCE (self), 0);
  return self->max_zoom;
}

guint
ld_mbtiles_source_get_pending (LdMbtilesSource *self)
{
  g_return_val_if_fail (LD_IS_MBTILES_SOURCE (self), 0);
  return self->pending;
}

guint
ld_mbtiles_source_get_received (LdMbtilesSource *self)
{
  g_return_val_if_fail (LD_IS_MBTILES_SOURCE (self), 0);
  return self->received;
}
