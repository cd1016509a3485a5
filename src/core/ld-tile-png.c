/* ld-tile-png.c: PNG tiles in and out of cairo, and over-zoom of a parent tile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ld-geo.h"
#include "ld-tile-png.h"

typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
} Reader;

static cairo_status_t
append_bytes (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static cairo_status_t
read_bytes (void          *closure,
            unsigned char *data,
            unsigned int   length)
{
  Reader *r = closure;

  if (r->len - r->pos < length)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (data, r->data + r->pos, length);
  r->pos += length;
  return CAIRO_STATUS_SUCCESS;
}

GBytes *
ld_tile_png_encode (cairo_surface_t *surface)
{
  GByteArray *png = g_byte_array_new ();

  cairo_surface_flush (surface);
  cairo_surface_write_to_png_stream (surface, append_bytes, png);
  return g_byte_array_free_to_bytes (png);
}

cairo_surface_t *
ld_tile_png_decode (GBytes  *png,
                    GError **error)
{
  Reader r = { 0 };
  cairo_surface_t *surface;

  r.data = g_bytes_get_data (png, &r.len);
  surface = cairo_image_surface_create_from_png_stream (read_bytes, &r);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Tile is not a PNG image: %s",
                   cairo_status_to_string (cairo_surface_status (surface)));
      cairo_surface_destroy (surface);
      return NULL;
    }
  return surface;
}

/**
 * ld_tile_png_zoom:
 * @parent_png: a tile @levels zoom levels above the wanted one
 * @sub_x: column of the wanted tile inside the parent, 0 .. 2^levels - 1
 * @sub_y: row of the wanted tile inside the parent
 *
 * Enlarges the part of a parent tile that covers a deeper tile, so a base map stays visible
 * past the zoom levels its file holds.
 */
GBytes *
ld_tile_png_zoom (GBytes  *parent_png,
                  int      levels,
                  int      sub_x,
                  int      sub_y,
                  GError **error)
{
  cairo_surface_t *parent, *out;
  cairo_t *cr;
  GBytes *result;
  double factor = (double) (1 << levels), part = LD_TILE_SIZE / factor;

  parent = ld_tile_png_decode (parent_png, error);
  if (parent == NULL)
    return NULL;
  out = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, LD_TILE_SIZE, LD_TILE_SIZE);
  cr = cairo_create (out);
  cairo_scale (cr, factor, factor);
  cairo_set_source_surface (cr, parent, -sub_x * part, -sub_y * part);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_BILINEAR);
  cairo_pattern_set_extend (cairo_get_source (cr), CAIRO_EXTEND_PAD);
  cairo_paint (cr);
  cairo_destroy (cr);
  result = ld_tile_png_encode (out);
  cairo_surface_destroy (out);
  cairo_surface_destroy (parent);
  return result;
}
