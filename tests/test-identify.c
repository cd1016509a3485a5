/* test-identify.c: hit testing on a GeoPackage layer (R-tree + point in polygon)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ld-core.h"
#include "ld-test-gpkg.h"
#include "ld-test-util.h"

#define GRID 12

static const char * const dltb[] = { "xz_dltb", NULL };

static char *
make_grid (void)
{
  char *path = ld_test_path ("identify.gpkg");
  g_autoptr(GError) error = NULL;

  g_assert_true (ld_test_grid_make (path, GRID, GRID, 1, &error));
  g_assert_no_error (error);
  return path;
}

static void
test_identify_patches (void)
{
  g_autofree char *path = make_grid ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LdIdentify) identify = ld_identify_new (path, &error);

  g_assert_no_error (error);
  for (int row = 0; row < GRID; row += 3)
    for (int column = 0; column < GRID; column += 2)
      {
        /* Near a corner of the patch, and near the middle (the donut has a hole there). */
        const double offsets[] = { 2, 60 };

        for (guint k = 0; k < G_N_ELEMENTS (offsets); k++)
          {
            double e = LD_TEST_GRID_EAST + column * LD_TEST_GRID_CELL + offsets[k];
            double n = LD_TEST_GRID_NORTH + row * LD_TEST_GRID_CELL + offsets[k] / 2;
            g_autoptr(GPtrArray) hits = ld_identify_at (identify, dltb, e, n, &error);
            g_autofree char *bsm = g_strdup_printf ("%d-%d", column, row);
            LdFeatureHit *hit;
            double want = LD_TEST_GRID_PATCH * LD_TEST_GRID_PATCH;

            g_assert_no_error (error);
            g_assert_cmpuint (hits->len, ==, 1);
            hit = hits->pdata[0];
            g_assert_cmpstr (hit->table, ==, "xz_dltb");
            g_assert_cmpint (hit->fid, ==, row * GRID + column + 1);
            g_assert_cmpstr (ld_feature_hit_get_value (hit, "BSM"), ==, bsm);
            g_assert_cmpstr (ld_feature_hit_get_value (hit, "DLBM"), ==,
                             ld_test_grid_class (column, row));
            g_assert_null (ld_feature_hit_get_value (hit, "geom"));
            g_assert_cmpfloat_with_epsilon (hit->area_m2, want, 1e-3);
            g_assert_cmpfloat_with_epsilon (hit->area_mu, want * 0.0015, 1e-6);
            g_assert_cmpuint (hit->geometry.n_polygons, ==, 1);
          }
      }
}

static void
test_identify_misses (void)
{
  g_autofree char *path = make_grid ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LdIdentify) identify = ld_identify_new (path, &error);
  const double e = LD_TEST_GRID_EAST + LD_TEST_GRID_DONUT * LD_TEST_GRID_CELL;
  const double n = LD_TEST_GRID_NORTH + LD_TEST_GRID_DONUT * LD_TEST_GRID_CELL;
  const double empty[][2] = {
    { e + 95, n + 45 },                     /* the gap between two patches */
    { e + 45, n + 95 },
    { e + 45, n + 45 },                     /* the donut's hole */
    { LD_TEST_GRID_EAST - 500, LD_TEST_GRID_NORTH },   /* outside the layer (the sea) */
  };
  g_autoptr(GPtrArray) donut = NULL;
  g_autoptr(GPtrArray) bad = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  const char *missing[] = { "xz_dltb", "gh_ydyh", NULL };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (empty); i++)
    {
      g_autoptr(GPtrArray) none = ld_identify_at (identify, dltb, empty[i][0], empty[i][1], &error);

      g_assert_no_error (error);
      g_assert_cmpuint (none->len, ==, 0);
    }

  /* The donut's ring is hit; its area excludes the hole. */
  donut = ld_identify_at (identify, dltb, e + 10, n + 45, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (donut->len, ==, 1);
  g_assert_cmpfloat_with_epsilon (((LdFeatureHit *) donut->pdata[0])->area_m2, 8100 - 2500, 1e-3);
  g_assert_cmpstr (ld_feature_hit_get_value (donut->pdata[0], "TBMJ"), ==, "5600.0");

  /* An unknown layer is an error that names it. */
  bad = ld_identify_at (identify, missing, e + 10, n + 45, &error);
  g_assert_null (bad);
  g_assert_error (error, LD_IDENTIFY_ERROR, LD_IDENTIFY_ERROR_LAYER);
  g_assert_nonnull (strstr (error->message, "gh_ydyh"));
  g_clear_error (&error);
  hits = ld_identify_at (identify, dltb, e + 10, n + 45, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);

  g_assert_null (ld_identify_new ("/nonexistent.gpkg", &error));
  g_assert_error (error, LD_IDENTIFY_ERROR, LD_IDENTIFY_ERROR_OPEN);
}

/* A click arrives as longitude/latitude: through LdGk it finds the patch under it. */
static void
test_identify_lonlat (void)
{
  g_autofree char *path = make_grid ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LdIdentify) identify = ld_identify_new (path, &error);
  g_autoptr(LdGk) gk = ld_gk_new (&error);
  g_autoptr(GPtrArray) hits = NULL;
  double lon, lat, x, y;

  g_assert_no_error (error);
  g_assert_true (ld_gk_to_lonlat (gk, LD_TEST_GRID_NORTH + 3 * LD_TEST_GRID_CELL + 45,
                                  LD_TEST_GRID_EAST + 7 * LD_TEST_GRID_CELL + 45, &lon, &lat));
  g_assert_true (ld_gk_from_lonlat (gk, lon, lat, &x, &y));
  hits = ld_identify_at (identify, dltb, y, x, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpstr (ld_feature_hit_get_value (hits->pdata[0], "BSM"), ==, "7-3");
  g_assert_cmpstr (ld_identify_field_label ("DLBM"), ==, "地类编码");
  g_assert_cmpstr (ld_identify_field_label ("NEW_FIELD"), ==, "NEW_FIELD");
}

int
main (int    argc,
      char **argv)
{
  ld_test_init (&argc, &argv);

  g_test_add_func ("/identify/patches", test_identify_patches);
  g_test_add_func ("/identify/misses", test_identify_misses);
  g_test_add_func ("/identify/lonlat", test_identify_lonlat);

  return g_test_run ();
}
