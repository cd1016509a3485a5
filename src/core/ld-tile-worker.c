/* ld-tile-worker.c: one worker of the tile renderer: its connection, the per-tile transform and
 * the drawing of a tile
 *
 * How a tile is drawn (ld_tile_worker_render):
 * 1. The tile's Web Mercator square is transformed to the layer's CRS once with PROJ
 *    (proj_trans_bounds) to query the layer's R-tree.
 * 2. At the first feature, a biquadratic transform from layer coordinates to tile pixels is
 *    fitted at a 3 x 3 grid of points transformed exactly by PROJ. Its error against PROJ is far below a pixel at every
 *    zoom the map shows (tests/test-render.c checks < 0.01 px from zoom 8 up), and it costs
 *    a few multiply-adds per vertex instead of a PROJ call.
 * 3. Each feature's WKB is decoded straight into pixels (ld-gpkg-geom.c), into its class's
 *    polygons, dropping vertices closer than a quarter pixel.
 * 4. Each class is painted once through the coverage buffer (ld-tile-raster.c); aliased
 *    one-pixel outlines and class-code labels (cairo text) follow when zoomed in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ld-tile-renderer-private.h"

#define MIN_STEP_PX     0.25
#define MARGIN_PX       2.0
#define LABEL_MIN_PX    28.0

typedef struct
{
  double x, y;
  int    entry;
  char   code[24];
} Label;

void
ld_tile_worker_free (LdTileWorker *w)
{
  if (w == NULL)
    return;
  for (guint i = 0; i < w->n_classes; i++)
    ld_geom_buffer_clear (&w->classes[i]);
  g_free (w->classes);
  g_clear_object (&w->palette);
  g_clear_pointer (&w->codes, g_hash_table_unref);
  g_clear_pointer (&w->labels, g_array_unref);
  g_clear_pointer (&w->coverage, ld_coverage_free);
  g_clear_pointer (&w->query, sqlite3_finalize);
  g_clear_pointer (&w->count, sqlite3_finalize);
  g_clear_pointer (&w->db, sqlite3_close);
  g_clear_pointer (&w->to_mercator, proj_destroy);
  g_clear_pointer (&w->ctx, proj_context_destroy);
  g_free (w);
}

LdTileWorker *
ld_tile_worker_new (LdTileRenderer  *self,
                    GError         **error)
{
  LdTileWorker *w = g_new0 (LdTileWorker, 1);
  PJ *raw;

  w->db = ld_tile_open_readonly (self->path, error);
  if (w->db == NULL)
    goto fail;
  if (sqlite3_prepare_v3 (w->db, self->query_sql, -1, SQLITE_PREPARE_PERSISTENT, &w->query,
                          NULL) != SQLITE_OK ||
      sqlite3_prepare_v3 (w->db, self->count_sql, -1, SQLITE_PREPARE_PERSISTENT, &w->count,
                          NULL) != SQLITE_OK)
    {
      g_set_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_LAYER,
                   "%s: layer %s cannot be queried: %s", self->path, self->table,
                   sqlite3_errmsg (w->db));
      goto fail;
    }
  w->ctx = proj_context_create ();
  raw = proj_create_crs_to_crs (w->ctx, self->source_crs, "EPSG:3857", NULL);
  if (raw != NULL)
    {
      w->to_mercator = proj_normalize_for_visualization (w->ctx, raw);
      proj_destroy (raw);
    }
  if (w->to_mercator == NULL)
    {
      g_set_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_PROJ,
                   "%s: layer %s: PROJ cannot transform %s to Web Mercator", self->path,
                   self->table, self->source_crs);
      goto fail;
    }
  w->labels = g_array_new (FALSE, FALSE, sizeof (Label));
  w->coverage = ld_coverage_new ();
  return w;

fail:
  ld_tile_worker_free (w);
  return NULL;
}

/* Makes the worker's per-class buffers and code lookup match @palette. */
static void
worker_use_palette (LdTileWorker *w,
                    LdPalette    *palette)
{
  guint n = ld_palette_get_n_entries (palette);

  if (w->palette == palette)
    return;
  for (guint i = 0; i < w->n_classes; i++)
    ld_geom_buffer_clear (&w->classes[i]);
  g_free (w->classes);
  w->classes = g_new0 (LdGeomBuffer, n);
  w->n_classes = n;
  g_set_object (&w->palette, palette);
  g_clear_pointer (&w->codes, g_hash_table_unref);
  w->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static int
worker_class_index (LdTileWorker *w,
                    const char   *code)
{
  gpointer value;

  if (code == NULL)
    code = "";
  if (g_hash_table_lookup_extended (w->codes, code, NULL, &value))
    return GPOINTER_TO_INT (value) - 1;
  value = GINT_TO_POINTER (ld_palette_lookup_index (w->palette, code) + 1);
  g_hash_table_insert (w->codes, g_strdup (code), value);
  return GPOINTER_TO_INT (value) - 1;
}

/* Fits the biquadratic layer -> tile pixel transform on a 3 x 3 grid over the tile's extent
 * in layer coordinates, transformed exactly by PROJ. */
gboolean
ld_tile_worker_fit_transform (LdTileWorker    *w,
                              double           bx0,
                              double           by0,
                              double           bx1,
                              double           by1,
                              double           mx0,
                              double           my0,
                              double           res,
                              LdGeomTransform *t)
{
  double fx[3][3], fy[3][3], ax[3][3], ay[3][3];

  t->x0 = (bx0 + bx1) / 2;
  t->y0 = (by0 + by1) / 2;
  t->sx = 2.0 / MAX (bx1 - bx0, 1e-9);
  t->sy = 2.0 / MAX (by1 - by0, 1e-9);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      {
        PJ_COORD c = proj_trans (w->to_mercator, PJ_FWD,
                                 proj_coord (t->x0 + (i - 1) / t->sx, t->y0 + (j - 1) / t->sy,
                                             0, 0));

        if (!isfinite (c.xy.x) || !isfinite (c.xy.y))
          return FALSE;
        fx[i][j] = (c.xy.x - mx0) / res;
        fy[i][j] = (my0 - c.xy.y) / res;
      }
  /* Lagrange on the nodes -1, 0, 1 in u, then in v: c0 = f0, c1 = (f1 - f-1) / 2,
   * c2 = (f1 + f-1) / 2 - f0. */
  for (int j = 0; j < 3; j++)
    {
      ax[0][j] = fx[1][j];
      ax[1][j] = (fx[2][j] - fx[0][j]) / 2;
      ax[2][j] = (fx[2][j] + fx[0][j]) / 2 - fx[1][j];
      ay[0][j] = fy[1][j];
      ay[1][j] = (fy[2][j] - fy[0][j]) / 2;
      ay[2][j] = (fy[2][j] + fy[0][j]) / 2 - fy[1][j];
    }
  for (int i = 0; i < 3; i++)
    {
      t->cx[i][0] = ax[i][1];
      t->cx[i][1] = (ax[i][2] - ax[i][0]) / 2;
      t->cx[i][2] = (ax[i][2] + ax[i][0]) / 2 - ax[i][1];
      t->cy[i][0] = ay[i][1];
      t->cy[i][1] = (ay[i][2] - ay[i][0]) / 2;
      t->cy[i][2] = (ay[i][2] + ay[i][0]) / 2 - ay[i][1];
    }
  return TRUE;
}

/* The tile's Web Mercator origin (top left) and metres per pixel. */
void
ld_tile_mercator (int     zoom,
                  int     x,
                  int     y,
                  double *mx0,
                  double *my0,
                  double *res)
{
  *res = 2 * MERCATOR_HALF / (LD_TILE_SIZE * (double) (1u << zoom));
  *mx0 = -MERCATOR_HALF + x * LD_TILE_SIZE * *res;
  *my0 = MERCATOR_HALF - y * LD_TILE_SIZE * *res;
}

/* The tile's extent in layer coordinates, with a margin for antialiasing and outlines. */
gboolean
ld_tile_worker_source_bounds (LdTileWorker *w,
                              int           zoom,
                              int           x,
                              int           y,
                              double       *bx0,
                              double       *by0,
                              double       *bx1,
                              double       *by1)
{
  double mx0, my0, res, m;

  ld_tile_mercator (zoom, x, y, &mx0, &my0, &res);
  m = MARGIN_PX * res;
  /* 4 points between corners: against 21, the box shrinks by < 0.02 px at zoom 5 and
   * < 0.001 px from zoom 11 on, far inside the margin; a quarter of the PROJ calls. */
  return proj_trans_bounds (w->ctx, w->to_mercator, PJ_INV,
                            mx0 - m, my0 - LD_TILE_SIZE * res - m,
                            mx0 + LD_TILE_SIZE * res + m, my0 + m,
                            bx0, by0, bx1, by1, 4) != 0;
}

static void
add_label (LdTileWorker       *w,
           const LdGeomBuffer *g,
           int                 entry,
           const char         *code)
{
  double x0, y0, x1, y1;
  Label label;

  ld_geom_buffer_bounds (g, &x0, &y0, &x1, &y1);
  if (x1 - x0 < LABEL_MIN_PX || y1 - y0 < LABEL_MIN_PX / 2 ||
      x1 < 0 || y1 < 0 || x0 > LD_TILE_SIZE || y0 > LD_TILE_SIZE)
    return;
  label.x = (x0 + x1) / 2;
  label.y = (y0 + y1) / 2;
  if (!ld_geom_buffer_contains (g, label.x, label.y))
    return;
  label.entry = entry;
  g_strlcpy (label.code, code, sizeof label.code);
  g_array_append_val (w->labels, label);
}

/* Decodes a feature straight into its class's polygons (no copy); a malformed feature is
 * skipped, leaving the class as it was: one bad row must not blank the map. */
static gboolean
decode_into_class (LdTileWorker          *w,
                   const guint8          *blob,
                   int                    length,
                   const LdGeomTransform *t,
                   int                    entry,
                   const char            *label_code)
{
  LdGeomBuffer *to = &w->classes[entry];
  guint points = to->n_points, rings = to->n_rings, polygons = to->n_polygons;

  if (!ld_gpkg_geom_decode (blob, length, t, MIN_STEP_PX, to, NULL))
    {
      to->n_points = points;
      to->n_rings = rings;
      to->n_polygons = polygons;
      return FALSE;
    }
  if (label_code != NULL)
    {
      /* The feature alone: a view of what was just appended. */
      LdGeomBuffer feature = { to->xy + 2 * (gsize) points, to->n_points - points, 0,
                               to->rings + rings, to->n_rings - rings, 0,
                               to->polygons + polygons, to->n_polygons - polygons, 0 };

      add_label (w, &feature, entry, label_code);
    }
  return TRUE;
}

static void
draw_labels (LdTileWorker *w,
             cairo_t      *cr)
{
  if (w->labels->len == 0)
    return;
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 10);
  for (guint i = 0; i < w->labels->len; i++)
    {
      const Label *l = &g_array_index (w->labels, Label, i);
      cairo_text_extents_t ext;

      cairo_text_extents (cr, l->code, &ext);
      cairo_move_to (cr, l->x - ext.width / 2 - ext.x_bearing, l->y - ext.height / 2 - ext.y_bearing);
      cairo_text_path (cr, l->code);
      cairo_set_source_rgba (cr, 1, 1, 1, 0.8);
      cairo_set_line_width (cr, 2.5);
      cairo_stroke_preserve (cr);
      cairo_set_source_rgb (cr, 0.15, 0.15, 0.15);
      cairo_fill (cr);
    }
}

/* Draws one tile with worker @w; @details adds outlines and labels at their zooms (not in
 * overviews, which are shrunk). Returns a new ARGB32 surface, or NULL with @error set. */
cairo_surface_t *
ld_tile_worker_render (LdTileRenderer  *self,
                       LdTileWorker    *w,
                       LdPalette       *palette,
                       int              zoom,
                       int              x,
                       int              y,
                       gboolean         details,
                       GError         **error)
{
  double bx0, by0, bx1, by1, mx0, my0, res;
  LdGeomTransform t;
  cairo_surface_t *surface;
  cairo_t *cr;
  gboolean outlines = details && zoom >= LD_TILE_RENDERER_OUTLINE_ZOOM;
  gboolean labels = details && zoom >= LD_TILE_RENDERER_LABEL_ZOOM;
  gboolean fitted = FALSE;
  int rc;

  worker_use_palette (w, palette);
  for (guint i = 0; i < w->n_classes; i++)
    ld_geom_buffer_reset (&w->classes[i]);
  g_array_set_size (w->labels, 0);

  ld_tile_mercator (zoom, x, y, &mx0, &my0, &res);
  if (!ld_tile_worker_source_bounds (w, zoom, x, y, &bx0, &by0, &bx1, &by1))
    goto no_transform;

  sqlite3_bind_double (w->query, 1, bx1);
  sqlite3_bind_double (w->query, 2, bx0);
  sqlite3_bind_double (w->query, 3, by1);
  sqlite3_bind_double (w->query, 4, by0);
  while ((rc = sqlite3_step (w->query)) == SQLITE_ROW)
    {
      const guint8 *blob = sqlite3_column_blob (w->query, 0);
      int length = sqlite3_column_bytes (w->query, 0);
      const char *code = self->class_field ? (const char *) sqlite3_column_text (w->query, 1) : NULL;
      int entry = worker_class_index (w, code);
      const LdPaletteEntry *e;

      /* Fitted at the first feature: empty tiles (sea, outside the layer) skip PROJ. */
      if (!fitted)
        {
          if (!ld_tile_worker_fit_transform (w, bx0, by0, bx1, by1, mx0, my0, res, &t))
            {
              sqlite3_reset (w->query);
              goto no_transform;
            }
          fitted = TRUE;
        }
      if (entry < 0)
        continue;
      e = ld_palette_get_entry (palette, entry);
      if (!e->has_fill && !(outlines && e->has_outline))
        continue;
      decode_into_class (w, blob, length, &t, entry, labels && e->label ? code : NULL);
    }
  sqlite3_reset (w->query);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_QUERY,
                   "%s: layer %s, tile %d/%d/%d: %s", self->path, self->table, zoom, x, y,
                   sqlite3_errmsg (w->db));
      return NULL;
    }

  {
    gboolean any = FALSE;

    for (guint i = 0; i < w->n_classes && !any; i++)
      any = w->classes[i].n_polygons > 0;
    if (!any)
      return ld_tile_renderer_empty_tile ();
  }
  surface = ld_tile_surface_new ();
  cairo_surface_flush (surface);
  for (guint i = 0; i < w->n_classes; i++)
    if (w->classes[i].n_polygons > 0 && ld_palette_get_entry (palette, i)->has_fill)
      {
        ld_coverage_add (w->coverage, &w->classes[i]);
        ld_coverage_paint (w->coverage, ld_palette_get_entry (palette, i)->fill,
                           cairo_image_surface_get_data (surface),
                           cairo_image_surface_get_stride (surface));
      }
  if (outlines)
    for (guint i = 0; i < w->n_classes; i++)
      {
        const LdPaletteEntry *e = ld_palette_get_entry (palette, i);

        if (w->classes[i].n_points > 0 && e->has_outline)
          ld_tile_draw_outlines (&w->classes[i], e->outline,
                                 cairo_image_surface_get_data (surface),
                                 cairo_image_surface_get_stride (surface));
      }
  cairo_surface_mark_dirty (surface);
  if (labels)
    {
      cr = cairo_create (surface);
      draw_labels (w, cr);
      cairo_destroy (cr);
    }
  cairo_surface_flush (surface);
  ld_tile_set_classes (surface, w->classes, w->n_classes);
  return surface;

no_transform:
  g_set_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_PROJ,
               "tile %d/%d/%d cannot be transformed to %s", zoom, x, y, self->source_crs);
  return NULL;
}

