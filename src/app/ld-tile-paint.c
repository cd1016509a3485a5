/* ld-tile-paint.c: how the map's layers paint their 256 px tiles
 *
 * LdBasemapLayer and LdOverlayLayer draw their tiles alike. GPU renderers get a texture per
 * tile, kept from frame to frame. GTK 4.8's cairo renderer (software, as under Xvfb) would
 * convert a texture into a new surface every frame, through floats: it gets a cairo node per
 * tile that paints the tile's surface. One node per tile, not one for all, because the cairo
 * renderer replays a node through a temporary image of its size, which for the whole view is
 * new memory every frame. GTK records cairo nodes, and a recording copies each image it is
 * given unless a snapshot of the image is still alive: the tile's own recording (its pin)
 * keeps one, so frames after the first copy nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "ld-core.h"
#include "ld-tile-paint.h"

/* Returns: (transfer full): a texture sharing the pixels of an ARGB32 image @surface */
GdkTexture *
ld_tile_paint_texture_new (cairo_surface_t *surface)
{
  int stride = cairo_image_surface_get_stride (surface);
  int height = cairo_image_surface_get_height (surface);
  g_autoptr(GBytes) bytes = NULL;

  cairo_surface_flush (surface);
  /* No copy: the bytes keep the surface alive. Cairo's ARGB32 is GDK_MEMORY_DEFAULT. */
  bytes = g_bytes_new_with_free_func (cairo_image_surface_get_data (surface),
                                      (gsize) stride * height,
                                      (GDestroyNotify) cairo_surface_destroy,
                                      cairo_surface_reference (surface));
  return gdk_memory_texture_new (cairo_image_surface_get_width (surface), height,
                                 GDK_MEMORY_DEFAULT, bytes, stride);
}


/**
 * ld_tile_paint_surface:
 * @pin: (inout): the surface's pin, made on the first call
 *
 * Draws a tile's @surface at (@x, @y), @w x @h, as a cairo node of its own: at scale 1 a
 * plain copy; scaled, one pixel more to the right and below, covered again by the next tile,
 * with the extra pixels repeating the tile's edge, because where the picture is scaled once
 * more a seam would show between two nodes. A @translucent tile keeps to its box, as that
 * pixel would be blended twice.
 *
 * Returns: whether the pin was made now
 */
gboolean
ld_tile_paint_surface (GtkSnapshot      *snapshot,
                       cairo_surface_t  *surface,
                       cairo_surface_t **pin,
                       double            x,
                       double            y,
                       double            w,
                       double            h,
                       gboolean          translucent)
{
  gboolean pinned = FALSE;
  double extra = translucent ? 0 : 1;
  cairo_t *cr;

  if (*pin == NULL)
    {
      *pin = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);
      cr = cairo_create (*pin);
      cairo_set_source_surface (cr, surface, 0, 0);
      cairo_paint (cr);
      cairo_destroy (cr);
      pinned = TRUE;
    }
  if (w == LD_TILE_SIZE && h == LD_TILE_SIZE)
    {
      /* 1:1 on whole pixels: pixman's plain copy. */
      cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT ((float) x, (float) y,
                                                                      (float) w, (float) h));
      cairo_set_source_surface (cr, surface, x, y);
      cairo_paint (cr);
      cairo_destroy (cr);
      return pinned;
    }
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT ((float) x, (float) y,
                                                                  (float) (w + extra),
                                                                  (float) (h + extra)));
  cairo_translate (cr, x, y);
  cairo_rectangle (cr, 0, 0, w + extra, h + extra);
  cairo_scale (cr, w / LD_TILE_SIZE, h / LD_TILE_SIZE);
  cairo_set_source_surface (cr, surface, 0, 0);
  cairo_pattern_set_extend (cairo_get_source (cr), CAIRO_EXTEND_PAD);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_FAST);
  cairo_fill (cr);
  cairo_destroy (cr);
  return pinned;
}


/**
 * ld_tile_paint_faded:
 *
 * Returns: (transfer full): a new copy of the tile @surface at opacity @alpha. Painting a
 * tile with an alpha inside a cairo node costs four times a plain paint once GTK replays the
 * node's recording, and GtkWidget:opacity makes the cairo renderer draw the whole view into
 * a temporary image every frame; a faded copy is painted like any tile.
 */
cairo_surface_t *
ld_tile_paint_faded (cairo_surface_t *surface,
                     double           alpha)
{
  cairo_surface_t *faded = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                                       cairo_image_surface_get_width (surface),
                                                       cairo_image_surface_get_height (surface));
  cairo_t *cr = cairo_create (faded);

  cairo_set_source_surface (cr, surface, 0, 0);
  cairo_paint_with_alpha (cr, alpha);
  cairo_destroy (cr);
  return faded;
}

/**
 * ld_tile_paint_snap:
 * @box: (out): the pixels the tile at (@x, @y), @size wide, covers
 *
 * A tile's box on whole pixels: neighbours then meet without a seam (two half-covered
 * edge pixels would let what lies beneath show through), and at scale 1 no tile is
 * resampled. Boxes of one zoom may differ by a pixel in size.
 */
void
ld_tile_paint_snap (double           x,
                    double           y,
                    double           size,
                    graphene_rect_t *box)
{
  double x0 = round (x), y0 = round (y);

  graphene_rect_init (box, (float) x0, (float) y0, (float) (round (x + size) - x0),
                      (float) (round (y + size) - y0));
}

/**
 * ld_tile_paint_prune:
 * @tiles: a layer's kept tiles: values are structs holding a guint "last frame drawn"
 * @frame_offset: where that guint is in them (G_STRUCT_OFFSET)
 *
 * Keeps the tiles of recent frames, up to @max_tiles: drops those not drawn for 1 000 frames,
 * then 500, 250... until few enough are left.
 */
void
ld_tile_paint_prune (GHashTable *tiles,
                     guint       max_tiles,
                     guint       frame,
                     gsize       frame_offset)
{
  GHashTableIter iter;
  gpointer value;
  guint age = 1;

  while (g_hash_table_size (tiles) > max_tiles && age < 1000)
    {
      g_hash_table_iter_init (&iter, tiles);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (frame - G_STRUCT_MEMBER (guint, value, frame_offset) >= 1000 / age)
          g_hash_table_iter_remove (&iter);
      age *= 2;
    }
}
