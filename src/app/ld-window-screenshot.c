/* ld-window-screenshot.c: saving the main window as a PNG once its map has loaded
 *
 * Used by tests and for the documentation's pictures: the window is captured only when the
 * base map has delivered its tiles and gone quiet, so the picture shows what a user sees.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ld-overlay-layer.h"
#include "ld-window-private.h"

#define POLL_MS        100
#define QUIET_MS       400
/* A first start on a million-patch store builds its overviews first: 20-30 s on two cores. */
#define TIMEOUT_MS     120000

typedef struct
{
  GFile *file;
  gint64 started;
  gint64 last_change;
  guint  last_received;
  guint  poll_id;
} Capture;

static void
capture_free (gpointer data)
{
  Capture *capture = data;

  g_clear_handle_id (&capture->poll_id, g_source_remove);
  g_clear_object (&capture->file);
  g_free (capture);
}

/* The whole surface, client-side decorations included: what a user sees on screen. */
static gboolean
render_to_png (LdWindow  *self,
               GFile     *file,
               GError   **error)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (self));
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_file_get_path (file);
  graphene_rect_t bounds;
  double dx, dy;

  /* The paintable draws the widget's bounds (decorations and anything drawn outside the
   * window, e.g. a shadow) at the size it is given: at their own size it draws 1:1, where the
   * widget's size would scale the window down a little and tile edges show as faint lines.
   * The widget's origin is then at -bounds.origin in the picture. */
  if (!gtk_widget_compute_bounds (widget, widget, &bounds))
    graphene_rect_init (&bounds, 0, 0, gtk_widget_get_width (widget),
                        gtk_widget_get_height (widget));
  gtk_native_get_surface_transform (GTK_NATIVE (self), &dx, &dy);
  gdk_paintable_snapshot (paintable, snapshot, bounds.size.width, bounds.size.height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The window drew nothing");
      return FALSE;
    }
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (self)), node,
                                         &GRAPHENE_RECT_INIT (-dx - bounds.origin.x,
                                                              -dy - bounds.origin.y,
                                                              gdk_surface_get_width (surface),
                                                              gdk_surface_get_height (surface)));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot write the screenshot %s", path);
      return FALSE;
    }
  return TRUE;
}

/* Ready when at least one tile arrived, none is pending and nothing changed for a while. */
static gboolean
map_is_settled (LdWindow *self,
                Capture  *capture,
                gint64    now)
{
  guint received, pending;

  for (guint i = 0; self->overlays != NULL && i < self->overlays->len; i++)
    if (ld_overlay_layer_is_busy (self->overlays->pdata[i]))
      capture->last_change = now;
  if (self->basemap_layer != NULL && ld_basemap_layer_is_busy (self->basemap_layer))
    capture->last_change = now;
  if (self->basemap_source == NULL)
    return now - capture->last_change > QUIET_MS * 1000;

  received = ld_mbtiles_source_get_received (self->basemap_source);
  pending = ld_mbtiles_source_get_pending (self->basemap_source);
  if (received != capture->last_received)
    {
      capture->last_received = received;
      capture->last_change = now;
    }
  return received > 0 && pending == 0 && now - capture->last_change > QUIET_MS * 1000;
}

static gboolean
poll_cb (gpointer user_data)
{
  GTask *task = user_data;
  LdWindow *self = g_task_get_source_object (task);
  Capture *capture = g_task_get_task_data (task);
  gint64 now = g_get_monotonic_time ();
  GError *error = NULL;

  if (!map_is_settled (self, capture, now))
    {
      if (now - capture->started < TIMEOUT_MS * 1000)
        return G_SOURCE_CONTINUE;
      capture->poll_id = 0;
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               "The base map's tiles did not arrive within %d s",
                               TIMEOUT_MS / 1000);
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }

  capture->poll_id = 0;
  if (render_to_png (self, capture->file, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

void
ld_window_save_screenshot_async (LdWindow            *self,
                                 GFile               *file,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;
  Capture *capture;

  g_return_if_fail (LD_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_window_save_screenshot_async);
  capture = g_new0 (Capture, 1);
  capture->file = g_object_ref (file);
  capture->started = capture->last_change = g_get_monotonic_time ();
  g_task_set_task_data (task, capture, capture_free);
  capture->poll_id = g_timeout_add (POLL_MS, poll_cb, task);
}

gboolean
ld_window_save_screenshot_finish (LdWindow      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
