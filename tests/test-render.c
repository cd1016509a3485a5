/* test-render.c: palettes, GeoPackage geometry decoding, Gauss-Krüger, and the tile renderer
 *
 * The fixture is a grid of 90 m square patches in 100 m cells written by GDAL/OGR
 * (ld-test-gpkg.c). Expected pixels are placed with PROJ through LdGk and the slippy-map
 * formulas, never with the renderer's own transform; the reference picture is rasterised by
 * GDAL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
/* GDAL's headers test compiler macros that -Wundef flags. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <gdal.h>
#include <cpl_conv.h>
#include <gdal_alg.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

#include "ld-core.h"
#include "ld-tile-raster.h"
#include "ld-test-gpkg.h"
#include "ld-test-util.h"

#define GRID 20
#define TEST_ZOOM 16

/* helpers */

static LdPalette *
load_test_palette (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "styles", "xz_dltb.csv",
                                                 NULL);
  g_autoptr(GError) error = NULL;
  LdPalette *palette = ld_palette_new_from_file (path, &error);

  g_assert_no_error (error);
  return palette;
}

static char *
make_grid (void)
{
  char *path = ld_test_path ("grid.gpkg");
  g_autoptr(GError) error = NULL;

  g_assert_true (ld_test_grid_make (path, GRID, GRID, 1, &error));
  g_assert_no_error (error);
  return path;
}

static guint32
pixel_at (cairo_surface_t *surface,
          int              x,
          int              y)
{
  const guint8 *data = cairo_image_surface_get_data (surface);

  g_assert_true (x >= 0 && y >= 0 && x < LD_TILE_SIZE && y < LD_TILE_SIZE);
  return *(const guint32 *) (data + y * cairo_image_surface_get_stride (surface) + 4 * x);
}

static guint32
argb_of (const double rgba[4])
{
  return (guint32) lround (rgba[3] * 255) << 24 | (guint32) lround (rgba[0] * 255) << 16 |
         (guint32) lround (rgba[1] * 255) << 8 | (guint32) lround (rgba[2] * 255);
}

static gboolean
close_colour (guint32 a,
              guint32 b,
              int     tolerance)
{
  for (int shift = 0; shift < 32; shift += 8)
    if (ABS ((int) ((a >> shift) & 0xff) - (int) ((b >> shift) & 0xff)) > tolerance)
      return FALSE;
  return TRUE;
}

/* Where a point in EPSG:4525 lands in tile (zoom, tx, ty), placed with PROJ via LdGk. */
static void
gk_to_tile_pixel (LdGk   *gk,
                  double  easting,
                  double  northing,
                  int     zoom,
                  int     tx,
                  int     ty,
                  double *px,
                  double *py)
{
  double lon, lat;

  g_assert_true (ld_gk_to_lonlat (gk, northing, easting, &lon, &lat));
  ld_geo_lonlat_to_world (lon, lat, zoom, px, py);
  *px -= tx * LD_TILE_SIZE;
  *py -= ty * LD_TILE_SIZE;
}

/* The tile that holds the grid's centre. */
static void
centre_tile (LdGk *gk,
             int   zoom,
             int  *tx,
             int  *ty)
{
  double lon, lat, px, py;

  g_assert_true (ld_gk_to_lonlat (gk, LD_TEST_GRID_NORTH + GRID * LD_TEST_GRID_CELL / 2,
                                  LD_TEST_GRID_EAST + GRID * LD_TEST_GRID_CELL / 2, &lon, &lat));
  ld_geo_lonlat_to_world (lon, lat, zoom, &px, &py);
  *tx = (int) (px / LD_TILE_SIZE);
  *ty = (int) (py / LD_TILE_SIZE);
}

/* A point well inside patch (column, row): its centre, or beside the donut's hole. */
static void
interior_point (int     column,
                int     row,
                double *e,
                double *n)
{
  double off = column == LD_TEST_GRID_DONUT && row == LD_TEST_GRID_DONUT ? 10 : 45;

  *e = LD_TEST_GRID_EAST + column * LD_TEST_GRID_CELL + off;
  *n = LD_TEST_GRID_NORTH + row * LD_TEST_GRID_CELL + off;
}

/* Checks every patch whose interior point is in the tile; returns how many were checked. */
static int
check_class_colours (cairo_surface_t *tile,
                     LdPalette       *palette,
                     LdGk            *gk,
                     int              zoom,
                     int              tx,
                     int              ty)
{
  int checked = 0;

  for (int row = 0; row < GRID; row++)
    for (int column = 0; column < GRID; column++)
      {
        const LdPaletteEntry *entry = ld_palette_lookup (palette, ld_test_grid_class (column, row));
        double e, n, px, py;

        interior_point (column, row, &e, &n);
        gk_to_tile_pixel (gk, e, n, zoom, tx, ty, &px, &py);
        if (px < 1 || py < 1 || px >= LD_TILE_SIZE - 1 || py >= LD_TILE_SIZE - 1)
          continue;
        if (!close_colour (pixel_at (tile, (int) px, (int) py), argb_of (entry->fill), 1))
          g_error ("patch %d-%d (%s) at pixel %.1f,%.1f: 0x%08x, expected 0x%08x", column, row,
                   entry->code, px, py, pixel_at (tile, (int) px, (int) py),
                   argb_of (entry->fill));
        checked++;
      }
  return checked;
}

static GBytes *
wkb_polygon (gboolean little,
             guint32  type,
             int      dims)
{
  /* An outer square 0..10 with a hole 2..4, as Polygon (type 3 / 1003). */
  static const double rings[2][5][2] = {
    { { 0, 0 }, { 10, 0 }, { 10, 10 }, { 0, 10 }, { 0, 0 } },
    { { 2, 2 }, { 2, 4 }, { 4, 4 }, { 4, 2 }, { 2, 2 } },
  };
  GByteArray *b = g_byte_array_new ();
  guint8 order = little ? 1 : 0;
  guint32 v;

  g_byte_array_append (b, &order, 1);
  v = little ? GUINT32_TO_LE (type) : GUINT32_TO_BE (type);
  g_byte_array_append (b, (guint8 *) &v, 4);
  v = little ? GUINT32_TO_LE (2) : GUINT32_TO_BE (2);
  g_byte_array_append (b, (guint8 *) &v, 4);
  for (int r = 0; r < 2; r++)
    {
      v = little ? GUINT32_TO_LE (5) : GUINT32_TO_BE (5);
      g_byte_array_append (b, (guint8 *) &v, 4);
      for (int p = 0; p < 5; p++)
        for (int d = 0; d < dims; d++)
          {
            double value = d < 2 ? rings[r][p][d] : 7.0;
            guint64 bits;

            memcpy (&bits, &value, 8);
            bits = little ? GUINT64_TO_LE (bits) : GUINT64_TO_BE (bits);
            g_byte_array_append (b, (guint8 *) &bits, 8);
          }
    }
  return g_byte_array_free_to_bytes (b);
}

static GBytes *
gpkg_blob (GBytes *wkb)
{
  /* Header: "GP", version 0, flags little-endian with a 32-byte envelope, srs_id 4525. */
  static const guint8 header[8] = { 'G', 'P', 0, 0x03, 0xad, 0x11, 0, 0 };
  GByteArray *b = g_byte_array_new ();
  double envelope[4] = { 0, 10, 0, 10 };

  g_byte_array_append (b, header, 8);
  g_byte_array_append (b, (guint8 *) envelope, 32);
  g_byte_array_append (b, g_bytes_get_data (wkb, NULL), g_bytes_get_size (wkb));
  return g_byte_array_free_to_bytes (b);
}

/* palettes */

static void
test_palette_lookup (void)
{
  g_autoptr(LdPalette) palette = load_test_palette ();

  g_assert_cmpstr (ld_palette_get_field (palette), ==, "DLBM");
  g_assert_cmpstr (ld_palette_get_metadata (palette, "edition"), ==, "test");
  g_assert_cmpuint (ld_palette_get_n_entries (palette), ==, 9);
  g_assert_cmpstr (ld_palette_lookup (palette, "0101")->name, ==, "水田");
  /* Longest prefix: 0101K falls back to 0101, 0204 to 02; unknown codes take the * row. */
  g_assert_cmpstr (ld_palette_lookup (palette, "0101K")->code, ==, "0101");
  g_assert_cmpstr (ld_palette_lookup (palette, "0204")->code, ==, "02");
  g_assert_cmpstr (ld_palette_lookup (palette, "0702")->code, ==, "07");
  g_assert_cmpstr (ld_palette_lookup (palette, "9999")->code, ==, "*");
  g_assert_cmpstr (ld_palette_lookup (palette, NULL)->code, ==, "*");
  g_assert_cmpuint (argb_of (ld_palette_lookup (palette, "0101")->fill), ==, 0xfff8d072);
  g_assert_true (ld_palette_lookup (palette, "0101")->label);
  g_assert_false (ld_palette_lookup (palette, "1101")->has_outline);
}

static void
test_palette_errors (void)
{
  static const struct { const char *text; const char *message; } cases[] = {
    { "# field: DLBM\ncode,name,fill,outline,label\n0101,水田,#F8D072,,1\n0102,水浇地,#F8E7,,1\n",
      "bad.csv:4: field fill: '#F8E7' is not a colour" },
    { "code,name,fill,outline,label\n0101,水田,#F8D072,red,1\n",
      "bad.csv:2: field outline: 'red'" },
    { "code,name,fill,outline,label\n0101,水田,#F8D072,,yes\n", "bad.csv:2: field label" },
    { "code,name,fill,outline,label\n0101,a,#000000,,0\n0101,b,#000000,,0\n",
      "bad.csv:3: field code: 0101 appears twice" },
    { "code,name,fill,outline,label\n,a,#000000,,0\n", "bad.csv:2: field code: empty" },
    { "# only a comment\n", "bad.csv: no header row" },
    { "name,colour\n", "bad.csv:1: the header must name" },
    { "code,name,fill,outline,label\n\"0101,a,#000000,,0\n", "bad.csv:2: unterminated quote" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LdPalette) palette = ld_palette_new_from_data (cases[i].text, -1, "bad.csv",
                                                               &error);

      g_assert_null (palette);
      g_assert_error (error, LD_PALETTE_ERROR, LD_PALETTE_ERROR_PARSE);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: \"%s\" does not say \"%s\"", i, error->message, cases[i].message);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LdPalette) palette = ld_palette_new_from_file ("/nonexistent/x.csv", &error);

    g_assert_null (palette);
    g_assert_error (error, LD_PALETTE_ERROR, LD_PALETTE_ERROR_OPEN);
  }
}

/* geometry */

static void
test_geom_decode (void)
{
  const struct { gboolean little; guint32 type; int dims; } variants[] = {
    { TRUE, 3, 2 }, { FALSE, 3, 2 }, { TRUE, 1003, 3 }, { TRUE, 3003, 4 },
    { FALSE, 0x80000003u, 3 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autoptr(GBytes) wkb = wkb_polygon (variants[i].little, variants[i].type, variants[i].dims);
      g_autoptr(GBytes) blob = gpkg_blob (wkb);
      g_autoptr(GError) error = NULL;
      LdGeomBuffer g;
      LdGpkgHeader header;

      ld_geom_buffer_init (&g);
      g_assert_true (ld_gpkg_geom_parse_header (g_bytes_get_data (blob, NULL),
                                                g_bytes_get_size (blob), &header, &error));
      g_assert_cmpint (header.srs_id, ==, 4525);
      g_assert_true (header.has_envelope);
      g_assert_cmpfloat (header.maxx, ==, 10);
      g_assert_true (ld_gpkg_geom_decode (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob),
                                          NULL, 0, &g, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (g.n_polygons, ==, 1);
      g_assert_cmpuint (g.n_rings, ==, 2);
      g_assert_cmpuint (g.n_points, ==, 10);
      g_assert_cmpfloat_with_epsilon (ld_geom_buffer_area (&g), 100 - 4, 1e-9);
      g_assert_true (ld_geom_buffer_contains (&g, 5, 5));
      g_assert_false (ld_geom_buffer_contains (&g, 3, 3));    /* in the hole */
      g_assert_false (ld_geom_buffer_contains (&g, 11, 5));
      ld_geom_buffer_clear (&g);
    }
}

static void
test_geom_malformed (void)
{
  g_autoptr(GBytes) wkb = wkb_polygon (TRUE, 3, 2);
  g_autoptr(GBytes) blob = gpkg_blob (wkb);
  gsize size;
  const guint8 *data = g_bytes_get_data (blob, &size);
  g_autofree guint8 *copy = g_memdup2 (data, size);
  LdGeomBuffer g;

  ld_geom_buffer_init (&g);
  /* Every truncation fails cleanly and leaves the buffer empty. */
  for (gsize n = 0; n < size; n++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (ld_gpkg_geom_decode (data, n, NULL, 0, &g, &error));
      g_assert_nonnull (error);
      g_assert_cmpuint (g.n_points, ==, 0);
      g_assert_cmpuint (g.n_rings, ==, 0);
    }

  {
    /* A ring that claims four billion points. */
    g_autoptr(GError) error = NULL;

    memcpy (copy, data, size);
    copy[40 + 9] = copy[40 + 10] = copy[40 + 11] = copy[40 + 12] = 0xff;
    g_assert_false (ld_gpkg_geom_decode (copy, size, NULL, 0, &g, &error));
    g_assert_error (error, LD_GPKG_GEOM_ERROR, LD_GPKG_GEOM_ERROR_TRUNCATED);
  }
  {
    /* A Point is not a polygon. */
    g_autoptr(GError) error = NULL;

    memcpy (copy, data, size);
    copy[41] = 1;
    g_assert_false (ld_gpkg_geom_decode (copy, size, NULL, 0, &g, &error));
    g_assert_error (error, LD_GPKG_GEOM_ERROR, LD_GPKG_GEOM_ERROR_UNSUPPORTED);
  }
  {
    /* Byte order 7, a bad magic, an invalid envelope indicator. */
    g_autoptr(GError) e1 = NULL;
    g_autoptr(GError) e2 = NULL;
    g_autoptr(GError) e3 = NULL;

    memcpy (copy, data, size);
    copy[40] = 7;
    g_assert_false (ld_gpkg_geom_decode (copy, size, NULL, 0, &g, &e1));
    g_assert_error (e1, LD_GPKG_GEOM_ERROR, LD_GPKG_GEOM_ERROR_INVALID);
    memcpy (copy, data, size);
    copy[0] = 'X';
    g_assert_false (ld_gpkg_geom_decode (copy, size, NULL, 0, &g, &e2));
    g_assert_error (e2, LD_GPKG_GEOM_ERROR, LD_GPKG_GEOM_ERROR_HEADER);
    memcpy (copy, data, size);
    copy[3] = 0x0f;
    g_assert_false (ld_gpkg_geom_decode (copy, size, NULL, 0, &g, &e3));
    g_assert_error (e3, LD_GPKG_GEOM_ERROR, LD_GPKG_GEOM_ERROR_HEADER);
  }
  {
    /* Random bytes after a valid header never crash. */
    GRand *rand = g_rand_new_with_seed (7);

    for (int round = 0; round < 2000; round++)
      {
        memcpy (copy, data, size);
        for (int k = 0; k < 4; k++)
          copy[40 + g_rand_int_range (rand, 0, (int) size - 40)] = g_rand_int_range (rand, 0, 256);
        ld_geom_buffer_reset (&g);
        ld_gpkg_geom_decode (copy, size, NULL, 0, &g, NULL);
      }
    g_rand_free (rand);
  }
  ld_geom_buffer_clear (&g);
}

/* Gauss-Krüger */

static void
test_gk_check_point (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdGk) gk = ld_gk_new (&error);
  double x, y, lon, lat;

  g_assert_no_error (error);
  /* domain.md §4: 110.36°E 21.27°N -> X 2 353 105.52, Y 37 433 578.32. */
  g_assert_true (ld_gk_from_lonlat (gk, 110.36, 21.27, &x, &y));
  g_assert_cmpfloat_with_epsilon (x, 2353105.52, 0.01);
  g_assert_cmpfloat_with_epsilon (y, 37433578.32, 0.01);
  g_assert_true (ld_gk_to_lonlat (gk, x, y, &lon, &lat));
  g_assert_cmpfloat_with_epsilon (lon, 110.36, 1e-9);
  g_assert_cmpfloat_with_epsilon (lat, 21.27, 1e-9);
}

static void
test_gk_measures (void)
{
  /* A 30 m x 40 m right triangle and a 100 m square, both at GK magnitudes. */
  const double path[] = { 37433000, 2353000, 37433030, 2353000, 37433030, 2353040 };
  const double square[] = { 37433000, 2353000, 37433100, 2353000, 37433100, 2353100,
                            37433000, 2353100, 37433000, 2353000 };
  g_autofree char *text = NULL;
  g_autofree char *km = NULL;

  g_assert_cmpfloat_with_epsilon (ld_gk_length (path, 3), 70, 1e-9);
  g_assert_cmpfloat_with_epsilon (ld_gk_area (path, 3), 600, 1e-6);
  g_assert_cmpfloat_with_epsilon (ld_gk_area (square, 5), 10000, 1e-6);
  g_assert_cmpfloat_with_epsilon (ld_gk_area (square, 4), 10000, 1e-6);
  /* 1 ha = 10 000 m² = 15 mu. */
  g_assert_cmpfloat_with_epsilon (ld_area_m2_to_mu (10000), 15, 1e-12);
  g_assert_cmpfloat_with_epsilon (ld_area_m2_to_ha (10000), 1, 1e-12);
  g_assert_cmpfloat (ld_round_half_up (2.675, 2), ==, 2.68);
  g_assert_cmpfloat (ld_round_half_up (-2.675, 2), ==, -2.68);
  text = ld_area_format (8100);
  g_assert_cmpstr (text, ==, "8100.00 m² / 0.8100 ha / 12.15 亩");
  km = ld_length_format (1234.5678);
  g_assert_cmpstr (km, ==, "1.235 km");
}

/* the renderer */

static void
test_tile_class_colours (void)
{
  g_autofree char *path = make_grid ();
  g_autoptr(LdPalette) palette = load_test_palette ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LdGk) gk = ld_gk_new (NULL);
  g_autoptr(LdTileRenderer) renderer = ld_tile_renderer_new (path, "xz_dltb", palette, 2, &error);
  cairo_surface_t *tile;
  int tx, ty, checked;

  g_assert_no_error (error);
  g_assert_cmpstr (ld_tile_renderer_get_class_field (renderer), ==, "DLBM");
  centre_tile (gk, TEST_ZOOM, &tx, &ty);
  tile = ld_tile_renderer_render (renderer, TEST_ZOOM, tx, ty, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cairo_image_surface_get_width (tile), ==, LD_TILE_SIZE);
  checked = check_class_colours (tile, palette, gk, TEST_ZOOM, tx, ty);
  /* A zoom-16 tile is ~560 m wide here: it holds dozens of the grid's patches. */
  g_assert_cmpint (checked, >=, 20);

  /* A gap between patches and the donut's hole stay transparent. */
  {
    double px, py;
    const double e = LD_TEST_GRID_EAST + LD_TEST_GRID_DONUT * LD_TEST_GRID_CELL;
    const double n = LD_TEST_GRID_NORTH + LD_TEST_GRID_DONUT * LD_TEST_GRID_CELL;

    gk_to_tile_pixel (gk, e + 45, n + 45, TEST_ZOOM, tx, ty, &px, &py);
    if (px >= 0 && py >= 0 && px < LD_TILE_SIZE && py < LD_TILE_SIZE)
      g_assert_cmpuint (pixel_at (tile, (int) px, (int) py) >> 24, ==, 0);
    gk_to_tile_pixel (gk, e + 95, n + 45, TEST_ZOOM, tx, ty, &px, &py);
    if (px >= 0 && py >= 0 && px < LD_TILE_SIZE && py < LD_TILE_SIZE)
      g_assert_cmpuint (pixel_at (tile, (int) px, (int) py) >> 24, <, 0x40);
  }
  cairo_surface_destroy (tile);

  /* Far away from the data a tile is empty, and a tile that does not exist is an error. */
  tile = ld_tile_renderer_render (renderer, TEST_ZOOM, tx + 40, ty, &error);
  g_assert_no_error (error);
  /* Empty tiles share one surface: sparse layers cost no memory where they have nothing. */
  g_assert_true (ld_tile_renderer_is_empty_tile (tile));
  for (int y = 0; y < LD_TILE_SIZE; y += 15)
    for (int x = 0; x < LD_TILE_SIZE; x += 15)
      g_assert_cmpuint (pixel_at (tile, x, y), ==, 0);
  cairo_surface_destroy (tile);
  g_assert_null (ld_tile_renderer_render (renderer, 3, 8, 0, &error));
  g_assert_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_QUERY);
}

/* The reference picture: GDAL rasterises the class index (CLS) of the same layer into the
 * tile's Web Mercator square; our tile must show each pixel's class colour. Only pixels on
 * patch edges may differ (antialiasing versus GDAL's pixel-centre rule). */
static void
test_tile_reference (void)
{
  g_autofree char *path = make_grid ();
  g_autoptr(LdPalette) palette = load_test_palette ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LdGk) gk = ld_gk_new (NULL);
  g_autoptr(LdTileRenderer) renderer = ld_tile_renderer_new (path, "xz_dltb", palette, 1, &error);
  static const char * const class_codes[] = {
    "0101", "0102", "0103", "0201", "0301", "0701", "1001", "1101", "0101K", "9999",
  };
  GDALDatasetH vector, raster;
  OGRSpatialReferenceH merc;
  OGRLayerH layer;
  char *wkt = NULL;
  double gt[6], burn = 0, res = 2 * 20037508.342789244 / (256.0 * (1 << TEST_ZOOM));
  guint8 *classes = g_new0 (guint8, LD_TILE_SIZE * LD_TILE_SIZE);
  const char *options[] = { "ATTRIBUTE=CLS", NULL };
  int band = 1, tx, ty, same = 0, covered = 0;
  cairo_surface_t *tile;

  g_assert_no_error (error);
  centre_tile (gk, TEST_ZOOM, &tx, &ty);
  tile = ld_tile_renderer_render (renderer, TEST_ZOOM, tx, ty, &error);
  g_assert_no_error (error);

  GDALAllRegister ();
  vector = GDALOpenEx (path, GDAL_OF_VECTOR, NULL, NULL, NULL);
  g_assert_nonnull (vector);
  layer = GDALDatasetGetLayerByName (vector, "xz_dltb");
  raster = GDALCreate (GDALGetDriverByName ("MEM"), "", LD_TILE_SIZE, LD_TILE_SIZE, 1, GDT_Byte,
                       NULL);
  gt[0] = -20037508.342789244 + tx * 256 * res;
  gt[1] = res;
  gt[2] = 0;
  gt[3] = 20037508.342789244 - ty * 256 * res;
  gt[4] = 0;
  gt[5] = -res;
  GDALSetGeoTransform (raster, gt);
  merc = OSRNewSpatialReference (NULL);
  OSRImportFromEPSG (merc, 3857);
  OSRExportToWkt (merc, &wkt);
  GDALSetProjection (raster, wkt);
  VSIFree (wkt);
  OSRDestroySpatialReference (merc);
  g_assert_cmpint (GDALRasterizeLayers (raster, 1, &band, 1, &layer, NULL, NULL, &burn,
                                        (char **) options, NULL, NULL), ==, CE_None);
  g_assert_cmpint (GDALRasterIO (GDALGetRasterBand (raster, 1), GF_Read, 0, 0, LD_TILE_SIZE,
                                 LD_TILE_SIZE, classes, LD_TILE_SIZE, LD_TILE_SIZE, GDT_Byte, 0,
                                 0), ==, CE_None);
  GDALClose (raster);
  GDALClose (vector);

  for (int y = 0; y < LD_TILE_SIZE; y++)
    for (int x = 0; x < LD_TILE_SIZE; x++)
      {
        int cls = classes[y * LD_TILE_SIZE + x];
        guint32 want = 0;

        if (cls > 0)
          {
            want = argb_of (ld_palette_lookup (palette, class_codes[cls - 1])->fill);
            covered++;
          }
        same += close_colour (pixel_at (tile, x, y), want, 2);
      }
  g_test_message ("%d of %d pixels match GDAL's rasterisation (%d covered)", same,
                  LD_TILE_SIZE * LD_TILE_SIZE, covered);
  g_assert_cmpint (covered, >, LD_TILE_SIZE * LD_TILE_SIZE / 4);
  /* Patch edges are ~2 of every 40 pixels per axis: at most ~10% may differ. */
  g_assert_cmpint (same, >=, LD_TILE_SIZE * LD_TILE_SIZE * 88 / 100);
  cairo_surface_destroy (tile);
  g_free (classes);
}

/* Exact area of the polygon @xy (@n points) inside the unit pixel (px, py): the polygon clipped
 * to the pixel's square (Sutherland-Hodgman, exact for any simple polygon against a convex
 * window), then the shoelace formula. Independent of the rasteriser. */
static double
pixel_area (const double *xy,
            guint         n,
            int           px,
            int           py)
{
  double a[2][128], area = 0;
  guint na = n, cur = 0;

  g_assert_cmpuint (n, <=, 32);
  memcpy (a[0], xy, 2 * n * sizeof (double));
  for (int side = 0; side < 4; side++)
    {
      double *in = a[cur], *out = a[1 - cur];
      guint no = 0;

      for (guint i = 0; i < na; i++)
        {
          const double *p = in + 2 * i, *q = in + 2 * ((i + 1) % na);
          /* Signed distance inside each side: x >= px, x <= px + 1, y >= py, y <= py + 1. */
          double dp = side == 0 ? p[0] - px : side == 1 ? px + 1 - p[0] :
                      side == 2 ? p[1] - py : py + 1 - p[1];
          double dq = side == 0 ? q[0] - px : side == 1 ? px + 1 - q[0] :
                      side == 2 ? q[1] - py : py + 1 - q[1];

          if (dp >= 0)
            {
              out[2 * no] = p[0];
              out[2 * no++ + 1] = p[1];
            }
          if ((dp >= 0) != (dq >= 0))
            {
              double t = dp / (dp - dq);

              out[2 * no] = p[0] + t * (q[0] - p[0]);
              out[2 * no++ + 1] = p[1] + t * (q[1] - p[1]);
            }
        }
      na = no;
      cur = 1 - cur;
    }
  for (guint i = 0; i < na; i++)
    area += a[cur][2 * i] * a[cur][2 * ((i + 1) % na) + 1] -
            a[cur][2 * ((i + 1) % na)] * a[cur][2 * i + 1];
  return fabs (area) / 2;
}

/* Rasterises @g (one class) in opaque white over a cleared tile and compares every pixel's
 * alpha with the exact coverage @expect returns for it. */
typedef double (*CoverageFunc) (int px, int py, gpointer data);

static void
check_coverage (LdCoverage         *c,
                const LdGeomBuffer *g,
                CoverageFunc        expect,
                gpointer            data,
                const char         *what)
{
  static const double white[4] = { 1, 1, 1, 1 };
  g_autofree guint32 *pixels = g_new0 (guint32, LD_TILE_SIZE * LD_TILE_SIZE);
  double worst = 0;

  ld_coverage_add (c, g);
  ld_coverage_paint (c, white, (guint8 *) pixels, LD_TILE_SIZE * 4);
  for (int y = 0; y < LD_TILE_SIZE; y++)
    for (int x = 0; x < LD_TILE_SIZE; x++)
      {
        double want = expect (x, y, data) * 255;
        double got = pixels[y * LD_TILE_SIZE + x] >> 24;

        if (fabs (got - want) > worst)
          worst = fabs (got - want);
        if (fabs (got - want) > 2.5)
          g_error ("%s: pixel %d,%d has alpha %.0f, exact coverage %.1f", what, x, y, got, want);
      }
  g_test_message ("%s: worst alpha error %.2f", what, worst);
}

typedef struct
{
  const double *xy;
  const guint  *rings;
  const int    *signs;
  guint         n_rings;
} Rings;

static double
rings_coverage (int      px,
                int      py,
                gpointer data)
{
  const Rings *r = data;
  double area = 0;
  guint point = 0;

  for (guint i = 0; i < r->n_rings; i++)
    {
      area += r->signs[i] * pixel_area (r->xy + 2 * point, r->rings[i], px, py);
      point += r->rings[i];
    }
  return CLAMP (area, 0, 1);
}

/* The coverage rasteriser gives every pixel its exact area (to 1/255): random star-shaped
 * patches from 2 to 60 px, steep and shallow edges, inside the tile and across its edges;
 * two triangles of one class sharing an edge cover like the quad they make (no seam); and a
 * hole stored with the outer ring's orientation is still cut out. */
static void
test_raster_exact_coverage (void)
{
  LdCoverage *c = ld_coverage_new ();
  GRand *rand = g_rand_new_with_seed (17);

  for (int k = 0; k < 300; k++)
    {
      double xy[64], cx, cy, r;
      guint n = g_rand_int_range (rand, 3, 25);
      guint rings[1] = { n };
      guint polygons[1] = { 1 };
      int signs[1] = { 1 };
      LdGeomBuffer g = { xy, n, 0, rings, 1, 0, polygons, 1, 0 };
      Rings expect = { xy, rings, signs, 1 };
      g_autofree char *what = NULL;

      /* Most inside the tile, some across its edges or corners. */
      r = k % 3 == 0 ? g_rand_double_range (rand, 1, 4) : g_rand_double_range (rand, 4, 30);
      cx = g_rand_double_range (rand, k % 4 == 0 ? -25 : 35, k % 4 == 0 ? 281 : 221);
      cy = g_rand_double_range (rand, k % 5 == 0 ? -25 : 35, k % 5 == 0 ? 281 : 221);
      for (guint i = 0; i < n; i++)
        {
          double angle = 2 * G_PI * (i + g_rand_double_range (rand, 0.1, 0.9)) / n;
          double ri = r * g_rand_double_range (rand, 0.4, 1.0);

          /* Either orientation: the rasteriser must not care. */
          xy[2 * i] = cx + ri * cos (k % 2 ? angle : -angle);
          xy[2 * i + 1] = cy + ri * sin (k % 2 ? angle : -angle);
        }
      what = g_strdup_printf ("patch %d (%u vertices, radius %.1f at %.1f,%.1f)", k, n, r, cx, cy);
      check_coverage (c, &g, rings_coverage, &expect, what);
    }

  {
    /* A quad as two triangles of one class: their shared diagonal leaves no seam. */
    double quad[8] = { 10.3, 20.7, 80.2, 14.1, 90.6, 70.9, 5.5, 60.25 };
    double tri[12] = { 10.3, 20.7, 80.2, 14.1, 90.6, 70.9, 10.3, 20.7, 90.6, 70.9, 5.5, 60.25 };
    guint rings[2] = { 3, 3 }, polygons[2] = { 1, 1 }, quad_rings[1] = { 4 };
    int signs[1] = { 1 };
    LdGeomBuffer g = { tri, 6, 0, rings, 2, 0, polygons, 2, 0 };
    Rings expect = { quad, quad_rings, signs, 1 };

    check_coverage (c, &g, rings_coverage, &expect, "two triangles");
  }
  {
    /* A square with a hole stored in the same orientation as the outer ring. */
    double xy[16] = { 100.5, 100.5, 180.5, 100.5, 180.5, 180.5, 100.5, 180.5,
                      120.25, 130.75, 160.25, 130.75, 160.25, 150.75, 120.25, 150.75 };
    guint rings[2] = { 4, 4 }, polygons[1] = { 2 };
    int signs[2] = { 1, -1 };
    LdGeomBuffer g = { xy, 8, 0, rings, 2, 0, polygons, 1, 0 };
    Rings expect = { xy, rings, signs, 2 };

    check_coverage (c, &g, rings_coverage, &expect, "square with a hole");
  }
  g_rand_free (rand);
  ld_coverage_free (c);
}

/* Two patches of different classes that share an edge fill its pixels like one patch (no
 * seam of background), each pixel's colour is the two colours by their areas, and where
 * patches overlap the class painted first keeps the pixel. */
static void
test_raster_classes_meet (void)
{
  static const double red[4] = { 1, 0, 0, 1 }, blue[4] = { 0, 0, 1, 1 };
  double quad[8] = { 10.3, 20.7, 80.2, 14.1, 90.6, 70.9, 5.5, 60.25 };
  double first[6] = { 10.3, 20.7, 80.2, 14.1, 90.6, 70.9 };
  double second[6] = { 10.3, 20.7, 90.6, 70.9, 5.5, 60.25 };
  guint three[1] = { 3 }, four[1] = { 4 }, one[1] = { 1 };
  int signs[1] = { 1 };
  LdGeomBuffer a = { first, 3, 0, three, 1, 0, one, 1, 0 };
  LdGeomBuffer b = { second, 3, 0, three, 1, 0, one, 1, 0 };
  Rings whole = { quad, four, signs, 1 }, part_a = { first, three, signs, 1 };
  Rings part_b = { second, three, signs, 1 };
  LdCoverage *c = ld_coverage_new ();
  g_autofree guint32 *pixels = g_new0 (guint32, LD_TILE_SIZE * LD_TILE_SIZE);
  int on_edge = 0;

  ld_coverage_add (c, &a);
  ld_coverage_paint (c, red, (guint8 *) pixels, LD_TILE_SIZE * 4);
  ld_coverage_add (c, &b);
  ld_coverage_paint (c, blue, (guint8 *) pixels, LD_TILE_SIZE * 4);
  for (int y = 0; y < 100; y++)
    for (int x = 0; x < 100; x++)
      {
        guint32 p = pixels[y * LD_TILE_SIZE + x];
        double wa = rings_coverage (x, y, &part_a), wb = rings_coverage (x, y, &part_b);

        if (fabs ((double) (p >> 24) - rings_coverage (x, y, &whole) * 255) > 2.5 ||
            fabs ((double) ((p >> 16) & 0xff) - wa * 255) > 2.5 ||
            fabs ((double) (p & 0xff) - wb * 255) > 2.5)
          g_error ("pixel %d,%d is %08x; red covers %.3f, blue %.3f", x, y, p, wa, wb);
        on_edge += wa > 0.2 && wb > 0.2;
      }
  /* The diagonal crosses ~80 pixels, each shared by both classes. */
  g_assert_cmpint (on_edge, >, 40);

  /* Blue over the whole quad, painted second: red keeps what it covers. */
  {
    LdGeomBuffer all = { quad, 4, 0, four, 1, 0, one, 1, 0 };

    ld_coverage_add (c, &all);
    ld_coverage_paint (c, blue, (guint8 *) pixels, LD_TILE_SIZE * 4);
    g_assert_cmphex (pixels[40 * LD_TILE_SIZE + 60], ==, 0xffff0000);
    g_assert_cmphex (pixels[50 * LD_TILE_SIZE + 20], ==, 0xff0000ff);
  }
  ld_coverage_free (c);
}

static void
test_tile_transform_error (void)
{
  g_autofree char *path = make_grid ();
  g_autoptr(LdPalette) palette = load_test_palette ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LdGk) gk = ld_gk_new (NULL);
  g_autoptr(LdTileRenderer) renderer = ld_tile_renderer_new (path, "xz_dltb", palette, 1, &error);

  g_assert_no_error (error);
  for (int zoom = 6; zoom <= 20; zoom++)
    {
      int tx, ty;
      double err;

      centre_tile (gk, zoom, &tx, &ty);
      err = ld_tile_renderer_transform_error (renderer, zoom, tx, ty);
      g_test_message ("zoom %d: %.2g px", zoom, err);
      g_assert_cmpfloat (err, >=, 0);
      g_assert_cmpfloat (err, <, zoom >= 8 ? 0.01 : 0.1);
    }
}

static void
test_tile_style_change (void)
{
  g_autofree char *path = make_grid ();
  g_autoptr(LdPalette) palette = load_test_palette ();
  g_autoptr(LdPalette) restyled = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LdGk) gk = ld_gk_new (NULL);
  g_autoptr(LdTileRenderer) renderer = ld_tile_renderer_new (path, "xz_dltb", palette, 2, &error);
  cairo_surface_t *before, *after, *cached;
  guint generation;
  int tx, ty;

  g_assert_no_error (error);
  centre_tile (gk, TEST_ZOOM, &tx, &ty);
  before = ld_tile_renderer_render (renderer, TEST_ZOOM, tx, ty, &error);
  g_assert_no_error (error);
  cached = ld_tile_renderer_lookup (renderer, TEST_ZOOM, tx, ty);
  g_assert_true (cached == before);
  cairo_surface_destroy (cached);
  generation = ld_tile_renderer_get_generation (renderer);

  /* Paddy turns blue: the cached tile goes, the new one shows blue where paddy is. */
  restyled = ld_palette_new_from_data ("# field: DLBM\ncode,name,fill,outline,label\n"
                                       "0101,水田,#0000FF,,0\n*,其他,#EEEEEE,,0\n", -1, "blue.csv",
                                       &error);
  g_assert_no_error (error);
  ld_tile_renderer_set_palette (renderer, restyled);
  g_assert_cmpuint (ld_tile_renderer_get_generation (renderer), >, generation);
  g_assert_null (ld_tile_renderer_lookup (renderer, TEST_ZOOM, tx, ty));
  g_assert_cmpuint (ld_tile_renderer_get_n_cached (renderer), ==, 0);
  after = ld_tile_renderer_render (renderer, TEST_ZOOM, tx, ty, &error);
  g_assert_no_error (error);
  g_assert_cmpint (check_class_colours (after, restyled, gk, TEST_ZOOM, tx, ty), >=, 20);
  g_assert_cmpint (check_class_colours (before, palette, gk, TEST_ZOOM, tx, ty), >=, 20);
  g_assert_cmpint (memcmp (cairo_image_surface_get_data (before),
                           cairo_image_surface_get_data (after), 256 * 256 * 4), !=, 0);
  cairo_surface_destroy (before);
  cairo_surface_destroy (after);

  /* The cache stays within its bound. */
  ld_tile_renderer_set_cache_size (renderer, 3);
  for (int i = 0; i < 6; i++)
    cairo_surface_destroy (ld_tile_renderer_render (renderer, TEST_ZOOM, tx + i, ty, &error));
  g_assert_cmpuint (ld_tile_renderer_get_n_cached (renderer), ==, 3);
  g_assert_null (ld_tile_renderer_lookup (renderer, TEST_ZOOM, tx, ty));
}

static void
test_tile_data_change (void)
{
  g_autofree char *path = make_grid ();
  g_autoptr(LdPalette) palette = load_test_palette ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LdTileRenderer) renderer = ld_tile_renderer_new (path, "xz_dltb", palette, 1, &error);
  GDALDatasetH ds;
  guint generation;

  g_assert_no_error (error);
  g_assert_false (ld_tile_renderer_check_data_changed (renderer));
  generation = ld_tile_renderer_get_generation (renderer);
  /* Another program edits the layer: the renderer notices on its next check. */
  ds = GDALOpenEx (path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
  g_assert_nonnull (ds);
  GDALDatasetExecuteSQL (ds, "UPDATE xz_dltb SET DLBM = '1101' WHERE fid = 1", NULL, NULL);
  GDALClose (ds);
  g_assert_true (ld_tile_renderer_check_data_changed (renderer));
  g_assert_cmpuint (ld_tile_renderer_get_generation (renderer), >, generation);
  g_assert_false (ld_tile_renderer_check_data_changed (renderer));
}

static void
test_tile_outlines (void)
{
  g_autofree char *path = make_grid ();
  g_autoptr(LdPalette) palette = load_test_palette ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LdGk) gk = ld_gk_new (NULL);
  g_autoptr(LdTileRenderer) renderer = ld_tile_renderer_new (path, "xz_dltb", palette, 1, &error);
  const int zooms[] = { LD_TILE_RENDERER_OUTLINE_ZOOM - 1, 18 };
  int grey[2] = { 0, 0 };

  g_assert_no_error (error);
  for (int i = 0; i < 2; i++)
    {
      cairo_surface_t *tile;
      int tx, ty;

      centre_tile (gk, zooms[i], &tx, &ty);
      tile = ld_tile_renderer_render (renderer, zooms[i], tx, ty, &error);
      g_assert_no_error (error);
      for (int y = 0; y < LD_TILE_SIZE; y++)
        for (int x = 0; x < LD_TILE_SIZE; x++)
          grey[i] += pixel_at (tile, x, y) == 0xff808080;
      cairo_surface_destroy (tile);
    }
  /* Outlines (#808080, aliased) only when zoomed in. */
  g_assert_cmpint (grey[0], ==, 0);
  g_assert_cmpint (grey[1], >, 500);
}

typedef struct
{
  GMainLoop       *loop;
  int              pending;
  cairo_surface_t *surfaces[8];
} AsyncState;

static void
tile_ready_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncState *state = user_data;
  g_autoptr(GError) error = NULL;
  cairo_surface_t *surface = ld_tile_renderer_render_finish (LD_TILE_RENDERER (object), result,
                                                             &error);

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (state->surfaces); i++)
    if (state->surfaces[i] == NULL)
      {
        state->surfaces[i] = surface;
        break;
      }
  if (--state->pending == 0)
    g_main_loop_quit (state->loop);
}

static void
test_tile_async (void)
{
  g_autofree char *path = make_grid ();
  g_autoptr(LdPalette) palette = load_test_palette ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LdGk) gk = ld_gk_new (NULL);
  g_autoptr(LdTileRenderer) renderer = ld_tile_renderer_new (path, "xz_dltb", palette, 2, &error);
  AsyncState state = { g_main_loop_new (NULL, FALSE), 0, { NULL } };
  int tx, ty;

  g_assert_no_error (error);
  centre_tile (gk, TEST_ZOOM, &tx, &ty);
  /* Three requests for one tile and one for its neighbour: one render each. */
  for (int i = 0; i < 4; i++)
    {
      ld_tile_renderer_render_async (renderer, TEST_ZOOM, tx + (i == 3), ty, NULL, tile_ready_cb,
                                     &state);
      state.pending++;
    }
  g_main_loop_run (state.loop);
  g_assert_cmpuint (ld_tile_renderer_get_n_cached (renderer), ==, 2);
  for (int i = 0; i < 4; i++)
    g_assert_nonnull (state.surfaces[i]);
  {
    cairo_surface_t *centre = ld_tile_renderer_lookup (renderer, TEST_ZOOM, tx, ty);
    int same = 0;

    for (int i = 0; i < 4; i++)
      same += state.surfaces[i] == centre;
    g_assert_cmpint (same, ==, 3);
    g_assert_cmpint (check_class_colours (centre, palette, gk, TEST_ZOOM, tx, ty), >=, 20);
    cairo_surface_destroy (centre);
  }
  for (int i = 0; i < 4; i++)
    cairo_surface_destroy (state.surfaces[i]);
  g_main_loop_unref (state.loop);
}

/* Records an overview build's progress reports. */
static void
progress_cb (double   fraction,
             gpointer user_data)
{
  g_array_append_val ((GArray *) user_data, fraction);
}

static void
test_tile_overview (void)
{
  g_autoptr(GArray) fractions = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *path = make_grid ();
  g_autofree char *overview = ld_test_path ("grid-overview.mbtiles");
  g_autoptr(LdPalette) palette = load_test_palette ();
  g_autoptr(LdPalette) restyled = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LdGk) gk = ld_gk_new (NULL);
  g_autoptr(LdTileRenderer) renderer = ld_tile_renderer_new (path, "xz_dltb", palette, 2, &error);
  g_autoptr(LdTileRenderer) again = NULL;
  cairo_surface_t *direct, *from_overview;
  int tx, ty, close = 0, opaque = 0;

  g_assert_no_error (error);
  centre_tile (gk, 14, &tx, &ty);
  direct = ld_tile_renderer_render (renderer, 14, tx, ty, &error);
  g_assert_no_error (error);

  g_assert_true (ld_tile_renderer_build_overview (renderer, overview, 16, progress_cb, fractions,
                                                  NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ld_tile_renderer_get_overview_zoom (renderer), ==, 16);
  /* From 0 to 1, only rising, a report per tile of zoom 16 and per level below it. */
  g_assert_cmpuint (fractions->len, >, 16 + 4);
  g_assert_cmpfloat (g_array_index (fractions, double, 0), ==, 0);
  g_assert_cmpfloat (g_array_index (fractions, double, fractions->len - 1), ==, 1);
  for (guint i = 1; i < fractions->len; i++)
    g_assert_cmpfloat (g_array_index (fractions, double, i), >,
                       g_array_index (fractions, double, i - 1));
  g_assert_null (ld_tile_renderer_lookup (renderer, 14, tx, ty));
  from_overview = ld_tile_renderer_render (renderer, 14, tx, ty, &error);
  g_assert_no_error (error);
  /* The pyramid, halved twice from zoom 16, looks like the tile drawn directly. */
  for (int y = 0; y < LD_TILE_SIZE; y++)
    for (int x = 0; x < LD_TILE_SIZE; x++)
      {
        guint32 a = pixel_at (direct, x, y), b = pixel_at (from_overview, x, y);

        opaque += (a >> 24) == 0xff;
        close += close_colour (a, b, 40);
      }
  g_test_message ("%d of %d pixels close, %d opaque", close, 256 * 256, opaque);
  g_assert_cmpint (opaque, >, 100);
  g_assert_cmpint (close, >=, 256 * 256 * 95 / 100);
  g_assert_cmpint (memcmp (cairo_image_surface_get_data (direct),
                           cairo_image_surface_get_data (from_overview), 256 * 256 * 4), !=, 0);
  cairo_surface_destroy (direct);
  cairo_surface_destroy (from_overview);

  /* Another renderer of the same layer and palette reuses it; a new palette makes it stale. */
  again = ld_tile_renderer_new (path, "xz_dltb", palette, 1, &error);
  g_assert_true (ld_tile_renderer_open_overview (again, overview, &error));
  g_assert_no_error (error);
  restyled = ld_palette_new_from_data ("# field: DLBM\ncode,name,fill,outline,label\n"
                                       "*,其他,#EEEEEE,,0\n", -1, "grey.csv", &error);
  ld_tile_renderer_set_palette (again, restyled);
  g_assert_cmpint (ld_tile_renderer_get_overview_zoom (again), ==, -1);
  g_assert_false (ld_tile_renderer_open_overview (again, overview, &error));
  g_assert_error (error, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_OVERVIEW);
}

static void
test_renderer_errors (void)
{
  g_autofree char *path = make_grid ();
  g_autoptr(LdPalette) palette = load_test_palette ();
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autoptr(GError) e3 = NULL;
  g_autofree char *text = g_strdup ("not a database at all");
  g_autofree char *junk = ld_test_path ("junk.gpkg");

  g_assert_null (ld_tile_renderer_new ("/nonexistent.gpkg", "xz_dltb", palette, 1, &e1));
  g_assert_error (e1, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_OPEN);
  g_assert_null (ld_tile_renderer_new (path, "gh_ydyh", palette, 1, &e2));
  g_assert_error (e2, LD_TILE_RENDERER_ERROR, LD_TILE_RENDERER_ERROR_LAYER);
  g_assert_nonnull (strstr (e2->message, "gh_ydyh"));
  g_assert_true (g_file_set_contents (junk, text, -1, NULL));
  g_assert_null (ld_tile_renderer_new (junk, "xz_dltb", palette, 1, &e3));
  g_assert_nonnull (e3);
}

int
main (int    argc,
      char **argv)
{
  ld_test_init (&argc, &argv);

  g_test_add_func ("/render/palette/lookup", test_palette_lookup);
  g_test_add_func ("/render/palette/errors", test_palette_errors);
  g_test_add_func ("/render/geom/decode", test_geom_decode);
  g_test_add_func ("/render/geom/malformed", test_geom_malformed);
  g_test_add_func ("/render/gk/check-point", test_gk_check_point);
  g_test_add_func ("/render/gk/measures", test_gk_measures);
  g_test_add_func ("/render/tile/class-colours", test_tile_class_colours);
  g_test_add_func ("/render/tile/reference", test_tile_reference);
  g_test_add_func ("/render/raster/exact-coverage", test_raster_exact_coverage);
  g_test_add_func ("/render/raster/classes-meet", test_raster_classes_meet);
  g_test_add_func ("/render/tile/transform-error", test_tile_transform_error);
  g_test_add_func ("/render/tile/style-change", test_tile_style_change);
  g_test_add_func ("/render/tile/data-change", test_tile_data_change);
  g_test_add_func ("/render/tile/outlines", test_tile_outlines);
  g_test_add_func ("/render/tile/async", test_tile_async);
  g_test_add_func ("/render/tile/overview", test_tile_overview);
  g_test_add_func ("/render/errors", test_renderer_errors);

  return g_test_run ();
}
