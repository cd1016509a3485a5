/* ld-test-gpkg.h: GeoPackages of known square patches for the renderer's tests and benchmark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The grid's south-west corner in EPSG:4525 (Chikan, Zhanjiang) and its cells. */
#define LD_TEST_GRID_EAST   37433000.0
#define LD_TEST_GRID_NORTH  2353000.0
#define LD_TEST_GRID_CELL   100.0
#define LD_TEST_GRID_PATCH  90.0
/* Patches fill 90% of their cell; the patch at this column and row has a square hole from
 * 20% to 70% of the cell (20 m to 70 m with the default cell). */
#define LD_TEST_GRID_DONUT  5

const char *ld_test_grid_class    (int          column,
                                   int          row);
gboolean    ld_test_grid_make     (const char  *path,
                                   int          columns,
                                   int          rows,
                                   int          vertices_per_side,
                                   GError     **error);
gboolean    ld_test_grid_make_full (const char *path,
                                   int          columns,
                                   int          rows,
                                   int          vertices_per_side,
                                   double       cell,
                                   GError     **error);

G_END_DECLS
