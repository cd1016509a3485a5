/* ld-test-demo.c: a small demo-shaped GeoPackage (data/README.md) written with GDAL
 *
 * Until the demo generator lands, the workbench tests load this: five cases (one per state
 * the lists tell apart), their stage log, red lines, users of every role and one land-use layer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

#include "ld-test-demo.h"

static const char *users[][4] = {
  { "zhang.wei", "张伟", "reviewer", "用地审查科" },
  { "li.na", "李娜", "reviewer", "用地审查科" },
  { "wang.fang", "王芳", "section-head", "用地审查科" },
  { "liu.yang", "刘洋", "leader", "局领导" },
  { "chen.jing", "陈静", "field-staff", "执法监察支队" },
  { "zhao.lei", "赵磊", "gis-officer", "信息中心" },
  { "admin", "系统管理员", "admin", "信息中心" },
};

static const char *case_fields[] = {
  "id", "number", "matter", "title", "applicant", "project_use", "stage", "status",
  "suspend_kind", "suspended_on", "assignee", "received_on", "accepted_on", "closed_on",
  "supply_method", NULL
};

static const char *cases[][15] = {
  { DEMO_CASE_EXAMINE, "ZJYS-2025-0001", "land-prereview", "东海岛钢铁配套码头项目",
    "湛江港（集团）股份有限公司", "1208", "examine", "active", NULL, NULL, "zhang.wei",
    "2025-03-03", "2025-03-04", NULL, NULL },
  { DEMO_CASE_CHECK, "ZJHB-2025-0002", "supply-allocation", "麻章区第三中学新建工程",
    "湛江市麻章区教育局", "0803", "check", "active", NULL, NULL, NULL,
    "2025-03-07", "2025-03-10", NULL, "allocation" },
  { DEMO_CASE_INTAKE, "ZJCR-2025-0003", "supply-grant", "霞山区商业综合体地块出让",
    "湛江市土地储备中心", "0901", "intake", "active", NULL, NULL, NULL,
    "2025-03-14", NULL, NULL, "listing" },
  { DEMO_CASE_SUSPENDED, "ZJHS-2025-0004", "planning-verification", "赤坎区滨海花园住宅小区",
    "湛江滨海置业有限公司", "0701", "examine", "suspended", "correction", "2025-03-12",
    "li.na", "2025-03-04", "2025-03-05", NULL, NULL },
  { DEMO_CASE_CLOSED, "ZJYS-2024-0005", "land-prereview", "遂溪县风电场升压站项目",
    "广东粤电湛江风力发电有限公司", "1301", "close", "closed", NULL, NULL, "zhang.wei",
    "2024-11-29", "2024-12-02", "2024-12-20", NULL },
};

static const char *event_fields[] = {
  "id", "case_id", "action", "from_stage", "to_stage", "actor", "at", "opinion", NULL
};

static const char *events[][8] = {
  { "22222222-2222-4222-8222-000000000001", DEMO_CASE_EXAMINE, "accept", "accept", "examine",
    "zhang.wei", "2025-03-04T09:30:00+08:00", NULL },
  { "22222222-2222-4222-8222-000000000002", DEMO_CASE_CHECK, "accept", "accept", "examine",
    "li.na", "2025-03-10T10:00:00+08:00", NULL },
  { "22222222-2222-4222-8222-000000000003", DEMO_CASE_CHECK, "submit", "examine", "check",
    "li.na", "2025-03-13T16:00:00+08:00", "材料齐全，建议同意。" },
  { "22222222-2222-4222-8222-000000000004", DEMO_CASE_SUSPENDED, "accept", "accept", "examine",
    "li.na", "2025-03-05T09:00:00+08:00", NULL },
  { "22222222-2222-4222-8222-000000000005", DEMO_CASE_SUSPENDED, "request-correction",
    "examine", "examine", "li.na", "2025-03-12T11:00:00+08:00", "请补充竣工测量报告。" },
  { "22222222-2222-4222-8222-000000000006", DEMO_CASE_CLOSED, "accept", "accept", "examine",
    "zhang.wei", "2024-12-02T09:00:00+08:00", NULL },
  { "22222222-2222-4222-8222-000000000007", DEMO_CASE_CLOSED, "close", "close", "close",
    "zhang.wei", "2024-12-20T15:00:00+08:00", "准予发证。" },
};

static OGRLayerH
text_layer (GDALDatasetH  ds,
            const char   *name,
            OGRSpatialReferenceH srs,
            OGRwkbGeometryType type,
            const char  **fields)
{
  const char *options[] = { "GEOMETRY_NAME=geom", "FID=fid", NULL };
  OGRLayerH layer = GDALDatasetCreateLayer (ds, name, srs, type, (char **) options);

  g_assert_nonnull (layer);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      OGRFieldDefnH f = OGR_Fld_Create (fields[i], OFTString);

      g_assert_cmpint (OGR_L_CreateField (layer, f, TRUE), ==, OGRERR_NONE);
      OGR_Fld_Destroy (f);
    }
  return layer;
}

static void
add_feature (OGRLayerH    layer,
             const char **values,
             const char  *wkt)
{
  OGRFeatureH f = OGR_F_Create (OGR_L_GetLayerDefn (layer));

  for (int i = 0; i < OGR_F_GetFieldCount (f); i++)
    if (values[i] != NULL)
      OGR_F_SetFieldString (f, i, values[i]);
  if (wkt != NULL)
    {
      OGRGeometryH g = NULL;
      char *text = (char *) wkt;

      g_assert_cmpint (OGR_G_CreateFromWkt (&text, OGR_L_GetSpatialRef (layer), &g), ==,
                       OGRERR_NONE);
      OGR_F_SetGeometryDirectly (f, g);
    }
  g_assert_cmpint (OGR_L_CreateFeature (layer, f), ==, OGRERR_NONE);
  OGR_F_Destroy (f);
}

/* A square of @side metres at (x, y) in EPSG:4525, as a MultiPolygon. */
static char *
square (double x,
        double y,
        double side)
{
  return g_strdup_printf ("MULTIPOLYGON (((%.3f %.3f, %.3f %.3f, %.3f %.3f, %.3f %.3f, "
                          "%.3f %.3f)))", x, y, x + side, y, x + side, y + side, x, y + side,
                          x, y);
}

void
ld_test_write_demo (const char *path)
{
  static const char *user_fields[] = { "login", "display_name", "role", "unit", NULL };
  static const char *redline_fields[] = { "id", "case_id", "parcel_no", "name", "area_m2", NULL };
  static const char *dltb_fields[] = { "BSM", "DLBM", "DLMC", "TBMJ", NULL };
  OGRSpatialReferenceH srs;
  GDALDatasetH ds;
  OGRLayerH layer;

  GDALAllRegister ();
  ds = GDALCreate (GDALGetDriverByName ("GPKG"), path, 0, 0, 0, GDT_Unknown, NULL);
  g_assert_nonnull (ds);
  srs = OSRNewSpatialReference (NULL);
  g_assert_cmpint (OSRImportFromEPSG (srs, 4525), ==, OGRERR_NONE);

  layer = text_layer (ds, "users", NULL, wkbNone, user_fields);
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    add_feature (layer, users[i], NULL);

  layer = text_layer (ds, "cases", NULL, wkbNone, case_fields);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    add_feature (layer, cases[i], NULL);

  layer = text_layer (ds, "case_events", NULL, wkbNone, event_fields);
  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    add_feature (layer, events[i], NULL);

  layer = text_layer (ds, "case_redlines", srs, wkbMultiPolygon, redline_fields);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *id = g_strdup_printf ("33333333-3333-4333-8333-00000000000%u", i + 1);
      g_autofree char *wkt = square (37433000.0 + 1000.0 * i, 2353000.0, 100.0 + 10.0 * i);
      g_autofree char *area = g_strdup_printf ("%.2f", (100.0 + 10.0 * i) * (100.0 + 10.0 * i));
      const char *name = i == 0 ? "东海岛港池地块" : "主地块";
      const char *values[] = { id, cases[i][0], "DK01", name, area };

      add_feature (layer, values, wkt);
    }

  layer = text_layer (ds, "xz_dltb", srs, wkbMultiPolygon, dltb_fields);
  {
    g_autofree char *wkt = square (37432900.0, 2352900.0, 5000.0);
    const char *values[] = { "440800000001", "0101", "水田", "25000000.00" };

    add_feature (layer, values, wkt);
  }
  OSRDestroySpatialReference (srs);
  GDALClose (ds);
}
