/* ld-test-server-demo.c: a small GeoPackage in the demo's shape (data/README.md), for server tests
 *
 * Written with GDAL/OGR like the real generator: EPSG:4525 layers with R-tree indexes and the
 * attribute tables users, cases, case_events, case_redlines.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

#include "ld-test-server-demo.h"
#include "ld-test-util.h"

/* Around 110.36°E 21.27°N: X (easting with the zone prefix) 37 433 578, Y 2 353 105. */
#define X0 37433000.0
#define Y0 2353000.0

static OGRLayerH
add_layer (GDALDatasetH          ds,
           const char           *name,
           OGRSpatialReferenceH  srs,
           OGRwkbGeometryType    type,
           const char * const   *fields)
{
  char **options = NULL;
  OGRLayerH layer;

  if (type != wkbNone)
    options = CSLAddString (options, "GEOMETRY_NAME=geom");
  else
    options = CSLAddString (options, "ASPATIAL_VARIANT=GPKG_ATTRIBUTES");
  layer = GDALDatasetCreateLayer (ds, name, type != wkbNone ? srs : NULL, type, options);
  CSLDestroy (options);
  g_assert_nonnull (layer);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      g_auto(GStrv) nt = g_strsplit (fields[i], ":", 2);
      OGRFieldType ft = g_str_equal (nt[1], "real") ? OFTReal
                        : g_str_equal (nt[1], "int") ? OFTInteger : OFTString;
      OGRFieldDefnH fd = OGR_Fld_Create (nt[0], ft);

      g_assert_cmpint (OGR_L_CreateField (layer, fd, TRUE), ==, OGRERR_NONE);
      OGR_Fld_Destroy (fd);
    }
  return layer;
}

/* Adds a feature: @values is "NAME=VALUE" pairs, @wkt may be NULL. */
static void
add_feature (OGRLayerH           layer,
             const char         *wkt,
             const char * const *values)
{
  OGRFeatureH f = OGR_F_Create (OGR_L_GetLayerDefn (layer));

  for (guint i = 0; values[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (values[i], "=", 2);
      int idx = OGR_F_GetFieldIndex (f, kv[0]);

      g_assert_cmpint (idx, >=, 0);
      if (kv[1][0] != '\0')
        OGR_F_SetFieldString (f, idx, kv[1]);
    }
  if (wkt != NULL)
    {
      OGRGeometryH g = NULL;
      char *p = (char *) wkt;

      g_assert_cmpint (OGR_G_CreateFromWkt (&p, OGR_L_GetSpatialRef (layer), &g), ==,
                       OGRERR_NONE);
      OGR_F_SetGeometryDirectly (f, g);
    }
  g_assert_cmpint (OGR_L_CreateFeature (layer, f), ==, OGRERR_NONE);
  OGR_F_Destroy (f);
}

static char *
square (double x,
        double y,
        double size)
{
  return g_strdup_printf ("MULTIPOLYGON (((%.3f %.3f, %.3f %.3f, %.3f %.3f, %.3f %.3f, %.3f %.3f)))",
                          x, y, x + size, y, x + size, y + size, x, y + size, x, y);
}

/* Copies @name from the source tree's data/@dir into @root/@dir. */
static void
copy_data_file (const char *root,
                const char *dir,
                const char *name)
{
  /* Benchmarks use this helper outside g_test: they name the data dir (LANDDESK_DATADIR). */
  g_autofree char *source = g_test_initialized ()
                            ? g_test_build_filename (G_TEST_DIST, "..", "data", dir, name, NULL)
                            : g_build_filename (g_getenv ("LANDDESK_DATADIR") ? g_getenv (
                                                  "LANDDESK_DATADIR") : "data", dir, name,
                                                NULL);
  g_autofree char *target_dir = g_build_filename (root, dir, NULL);
  g_autofree char *target = g_build_filename (target_dir, name, NULL);
  g_autofree char *text = NULL;

  g_assert_cmpint (g_mkdir_with_parents (target_dir, 0700), ==, 0);
  g_assert_true (g_file_get_contents (source, &text, NULL, NULL));
  g_assert_true (g_file_set_contents (target, text, -1, NULL));
}

/* A data directory with one palette, the four matters and the three calendars: the server's
 * reference data, and enough for a client store (its workflow rules and clock). */
static void
write_reference_data (void)
{
  g_autofree char *root = ld_test_path ("demo-data");
  g_autofree char *styles = g_build_filename (root, "styles", NULL);
  g_autofree char *palette = g_build_filename (styles, "xz_dltb.csv", NULL);
  const char *years[] = { "2024.json", "2025.json", "2026.json" };
  const char *matters[] = { "land-prereview.json", "planning-verification.json",
                            "supply-allocation.json", "supply-grant.json" };

  g_assert_cmpint (g_mkdir_with_parents (styles, 0700), ==, 0);
  g_assert_true (g_file_set_contents (palette, "# field: DLBM\ncode,name,fill,outline,label\n"
                                      "0101,水田,#F8D072,#8C8C8C,1\n*,其他,#EEEEEE,,0\n", -1, NULL));
  /* The real matter files: the server's workflow rules read them. */
  for (guint i = 0; i < G_N_ELEMENTS (matters); i++)
    copy_data_file (root, "matters", matters[i]);
  for (guint i = 0; i < G_N_ELEMENTS (years); i++)
    copy_data_file (root, "calendars", years[i]);
  g_setenv ("LANDDESK_DATADIR", root, TRUE);
}

/* Writes the GeoPackage, and points LANDDESK_DATADIR (inherited by the servers the test
 * starts) at a reference-data directory of LD_TEST_N_REFERENCE files. */
char *
ld_test_demo_gpkg (const char *name)
{
  char *path = ld_test_path (name);
  static const char * const user_fields[] = { "login:text", "display_name:text", "role:text",
                                              "unit:text", NULL };
  static const char * const case_fields[] = {
    "id:text", "number:text", "matter:text", "title:text", "applicant:text", "project_use:text",
    "stage:text", "status:text", "suspend_kind:text", "suspended_on:text", "assignee:text",
    "received_on:text", "accepted_on:text", "closed_on:text", "supply_method:text", NULL };
  static const char * const event_fields[] = { "id:text", "case_id:text", "action:text",
                                               "from_stage:text", "to_stage:text", "actor:text",
                                               "at:text", "opinion:text", NULL };
  static const char * const redline_fields[] = { "id:text", "case_id:text", "parcel_no:text",
                                                 "name:text", "area_m2:real", NULL };
  static const char * const dltb_fields[] = { "BSM:text", "DLBM:text", "DLMC:text", "QSXZ:text",
                                              "ZLDWDM:text", "TBMJ:real", "KCDLBM:text",
                                              "KCXS:real", "KCMJ:real", "TBDLMJ:real", NULL };
  static const char * const ydyh_fields[] = { "BSM:text", "YDYHFLDM:text", "YDYHFLMC:text",
                                              "MJ:real", NULL };
  static const char * const sx_fields[] = { "BSM:text", "MJ:real", NULL };
  static const char * const classes[][2] = {
    { "0101", "水田" }, { "0102", "水浇地" }, { "0103", "旱地" }, { "0301", "乔木林地" },
    { "0701", "城镇住宅用地" }, { "1003", "公路用地" }, { "1104", "坑塘水面" },
    { "0601", "工业用地" }, { "1201", "空闲地" },
  };
  static const struct { const char *id, *assignee, *stage, *matter; } cases[] = {
    { LD_TEST_CASE_EXAMINE, "zhang.wei", "examine", "land-prereview" },
    { LD_TEST_CASE_CHECK, "liu.yang", "check", "supply-grant" },
    { LD_TEST_CASE_FIELD, "zhao.lei", "examine", "planning-verification" },
    { LD_TEST_CASE_INTAKE, "liu.yang", "intake", "supply-allocation" },
    { LD_TEST_CASE_APPROVE, "liu.yang", "approve", "land-prereview" },
  };
  GDALDriverH driver;
  GDALDatasetH ds;
  OGRSpatialReferenceH srs;
  OGRLayerH layer;

  write_reference_data ();
  GDALAllRegister ();
  driver = GDALGetDriverByName ("GPKG");
  g_assert_nonnull (driver);
  ds = GDALCreate (driver, path, 0, 0, 0, GDT_Unknown, NULL);
  g_assert_nonnull (ds);
  srs = OSRNewSpatialReference (NULL);
  OSRImportFromEPSG (srs, 4525);
  OSRSetAxisMappingStrategy (srs, OAMS_TRADITIONAL_GIS_ORDER);

  layer = add_layer (ds, "users", srs, wkbNone, user_fields);
  add_feature (layer, NULL, (const char *[]) { "login=zhang.wei", "display_name=张伟",
                                               "role=reviewer", "unit=用地审批科", NULL });
  add_feature (layer, NULL, (const char *[]) { "login=liu.yang", "display_name=刘洋",
                                               "role=reviewer", "unit=用地审批科", NULL });
  add_feature (layer, NULL, (const char *[]) { "login=li.na", "display_name=李娜",
                                               "role=section-head", "unit=用地审批科", NULL });
  add_feature (layer, NULL, (const char *[]) { "login=wang.fang", "display_name=王芳",
                                               "role=leader", "unit=局领导", NULL });
  add_feature (layer, NULL, (const char *[]) { "login=zhao.lei", "display_name=赵磊",
                                               "role=field-staff", "unit=执法监察支队", NULL });
  add_feature (layer, NULL, (const char *[]) { "login=chen.gang", "display_name=陈刚",
                                               "role=gis-officer", "unit=信息中心", NULL });

  layer = add_layer (ds, "cases", srs, wkbNone, case_fields);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *id = g_strconcat ("id=", cases[i].id, NULL);
      g_autofree char *number = g_strdup_printf ("number=ZJYS-2025-%04u", i + 1);
      g_autofree char *assignee = g_strconcat ("assignee=", cases[i].assignee, NULL);
      g_autofree char *stage = g_strconcat ("stage=", cases[i].stage, NULL);
      g_autofree char *matter = g_strconcat ("matter=", cases[i].matter, NULL);
      g_autofree char *title = g_strdup_printf ("title=湛江项目%u", i + 1);

      add_feature (layer, NULL, (const char *[]) { id, number, matter, title,
                                                   "applicant=湛江市某公司", "project_use=1001",
                                                   stage, "status=active", assignee,
                                                   "received_on=2025-03-03",
                                                   "accepted_on=2025-03-04", NULL });
    }

  layer = add_layer (ds, "case_events", srs, wkbNone, event_fields);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *id = g_strdup_printf ("id=e0000000-0000-4000-8000-00000000000%u", i + 1);
      g_autofree char *case_id = g_strconcat ("case_id=", cases[i].id, NULL);

      add_feature (layer, NULL, (const char *[]) { id, case_id, "action=accept",
                                                   "from_stage=intake", "to_stage=accept",
                                                   "actor=liu.yang",
                                                   "at=2025-03-04T09:30:00+08:00",
                                                   "opinion=材料齐全，予以受理", NULL });
    }

  layer = add_layer (ds, "case_redlines", srs, wkbMultiPolygon, redline_fields);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *wkt = square (X0 + 50 + i * 100, Y0 + 50, 80);
      g_autofree char *id = g_strdup_printf ("id=r0000000-0000-4000-8000-00000000000%u", i + 1);
      g_autofree char *case_id = g_strconcat ("case_id=", cases[i].id, NULL);

      add_feature (layer, wkt, (const char *[]) { id, case_id, "parcel_no=DK01", "name=地块一",
                                                  "area_m2=6400", NULL });
    }

  layer = add_layer (ds, "xz_dltb", srs, wkbMultiPolygon, dltb_fields);
  for (guint i = 0; i < LD_TEST_N_DLTB; i++)
    {
      g_autofree char *wkt = square (X0 + (i % 3) * 100, Y0 + (i / 3) * 100, 100);
      g_autofree char *bsm = g_strdup_printf ("BSM=44080000%04u", i);
      g_autofree char *dlbm = g_strconcat ("DLBM=", classes[i][0], NULL);
      g_autofree char *dlmc = g_strconcat ("DLMC=", classes[i][1], NULL);

      add_feature (layer, wkt, (const char *[]) { bsm, dlbm, dlmc, "QSXZ=30",
                                                  "ZLDWDM=440802001001", "TBMJ=10000",
                                                  "KCXS=0", "KCMJ=0", "TBDLMJ=10000", NULL });
    }

  layer = add_layer (ds, "gh_ydyh", srs, wkbMultiPolygon, ydyh_fields);
  {
    g_autofree char *a = square (X0, Y0, 150);
    g_autofree char *b = square (X0 + 150, Y0, 150);

    add_feature (layer, a, (const char *[]) { "BSM=1", "YDYHFLDM=1001", "YDYHFLMC=工业用地",
                                              "MJ=22500", NULL });
    add_feature (layer, b, (const char *[]) { "BSM=2", "YDYHFLDM=0101", "YDYHFLMC=耕地",
                                              "MJ=22500", NULL });
  }
  layer = add_layer (ds, "sx_yjjbnt", srs, wkbMultiPolygon, sx_fields);
  {
    g_autofree char *a = square (X0 + 200, Y0 + 200, 100);

    add_feature (layer, a, (const char *[]) { "BSM=1", "MJ=10000", NULL });
  }

  OSRDestroySpatialReference (srs);
  GDALClose (ds);
  return path;
}

/* A server on @data_dir (NULL: "server-data" in the test's directory) loaded with the fixture,
 * every user's password LD_TEST_DEMO_PASSWORD, and one more option when @option is given. */
LdTestServer *
ld_test_demo_server (const char *data_dir,
                     const char *option,
                     const char *value)
{
  g_autofree char *dir = data_dir != NULL ? g_strdup (data_dir) : ld_test_path ("server-data");
  g_autofree char *gpkg = ld_test_demo_gpkg ("demo.gpkg");

  return ld_test_server_start (dir, "--init-demo", gpkg, "--demo-password",
                               LD_TEST_DEMO_PASSWORD, option, value, NULL);
}

/* The body of POST /api/v1/login; test logins and passwords need no JSON escaping. */
char *
ld_test_login_body (const char *login,
                    const char *password)
{
  return g_strdup_printf ("{\"login\": \"%s\", \"password\": \"%s\"}", login, password);
}
