/* ld-demo-cases.c: the demo's users, cases, stage logs and red lines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ld-demo-private.h"

typedef struct
{
  const char *login;
  const char *display_name;
  const char *role;
  const char *unit;
} User;

static const User users[] = {
  { "admin", "系统管理员", "admin", "信息中心" },
  { "zhang.wei", "张伟", "reviewer", "用地审批科" },
  { "li.na", "李娜", "reviewer", "用地审批科" },
  { "wang.fang", "王芳", "reviewer", "国土空间规划科" },
  { "liu.yang", "刘洋", "reviewer", "土地利用科" },
  { "chen.jie", "陈杰", "section-head", "用地审批科" },
  { "yang.li", "杨丽", "section-head", "国土空间规划科" },
  { "huang.min", "黄敏", "section-head", "土地利用科" },
  { "zhao.qiang", "赵强", "leader", "局领导" },
  { "lin.hai", "林海", "leader", "局领导" },
  { "zhou.jun", "周军", "field-staff", "执法监察支队" },
  { "wu.tao", "吴涛", "field-staff", "测绘地理信息科" },
  { "xu.jing", "徐静", "gis-officer", "信息中心" },
  { "sun.lei", "孙磊", "gis-officer", "测绘地理信息科" },
};

typedef struct
{
  const char *id;
  const char *prefix;
  const char *reviewers[2];
  const char *section_head;
  double      min_ha;
  double      max_ha;
  gboolean    special;   /* offers the special procedure at examine (data/matters) */
} Matter;

static const Matter matters[] = {
  { "land-prereview", "ZJYS", { "zhang.wei", "li.na" }, "chen.jie", 2.0, 300.0, TRUE },
  { "supply-allocation", "ZJHB", { "liu.yang", "li.na" }, "huang.min", 0.5, 30.0, FALSE },
  { "supply-grant", "ZJCR", { "liu.yang", "zhang.wei" }, "huang.min", 0.5, 20.0, TRUE },
  { "planning-verification", "ZJHS", { "wang.fang", "zhang.wei" }, "yang.li", 0.5, 10.0, FALSE },
};

static const char *stages[] = { "intake", "accept", "examine", "check", "approve", "close" };
enum { INTAKE, ACCEPT, EXAMINE, CHECK, APPROVE, CLOSE, N_STAGES };

typedef struct
{
  const char *title;      /* printf with the town name */
  const char *use;        /* 2023 class code */
  const char *applicant;  /* printf with the town name */
} Project;

static const Project prereview_projects[] = {
  { "%s临港钢铁配套产业园基础设施项目", "100101", "湛江市%s产业园开发建设有限公司" },
  { "G228国道%s段改建工程", "1202", "湛江市公路事务中心" },
  { "%s110千伏输变电工程", "1303", "广东电网有限责任公司湛江供电局" },
  { "%s第二中学新建项目", "080403", "湛江市%s区教育局" },
  { "%s污水处理厂扩建工程", "1302", "湛江市%s水务投资有限公司" },
  { "%s滨海旅游公路工程", "1202", "湛江市交通投资集团有限公司" },
};
static const Project allocation_projects[] = {
  { "%s人民医院住院综合楼", "080601", "%s人民医院" },
  { "%s第三小学扩建工程", "080403", "湛江市%s区教育局" },
  { "%s城区道路改造工程", "1207", "湛江市%s区住房和城乡建设局" },
  { "%s滨江公园建设项目", "1401", "湛江市%s区城市管理和综合执法局" },
  { "%s消防救援站", "1310", "湛江市消防救援支队" },
};
static const Project grant_projects[] = {
  { "%s·海湾花园住宅项目", "070102", "湛江%s置业有限公司" },
  { "%s商业综合体项目", "0901", "湛江市%s商业发展有限公司" },
  { "%s食品加工厂项目", "100101", "广东%s食品有限公司" },
  { "%s冷链物流仓储中心", "110101", "湛江%s冷链物流有限公司" },
  { "%s水产品加工园项目", "100102", "湛江%s海洋科技有限公司" },
};
static const Project verification_projects[] = {
  { "%s·滨海壹号住宅小区", "070102", "湛江%s房地产开发有限公司" },
  { "%s电子元器件厂房", "100101", "湛江%s电子科技有限公司" },
  { "%s中心商务大厦", "0902", "湛江%s投资集团有限公司" },
  { "%s物流园一期仓库", "110101", "湛江%s供应链管理有限公司" },
};

static const struct
{
  const Project *list;
  guint          n;
} projects[] = {
  { prereview_projects, G_N_ELEMENTS (prereview_projects) },
  { allocation_projects, G_N_ELEMENTS (allocation_projects) },
  { grant_projects, G_N_ELEMENTS (grant_projects) },
  { verification_projects, G_N_ELEMENTS (verification_projects) },
};

static const char *grant_methods[] = { "listing", "auction", "tender", "agreement", "listing" };

static const char *examine_findings[] = {
  "项目用地符合国土空间总体规划，位于城镇开发边界内，不占用生态保护红线",
  "用地范围与勘测定界成果一致，权属清晰，无争议",
  "地块已完成土地征收和补偿安置，具备供地条件",
  "现场核实建设内容与建设工程规划许可证一致，容积率、建筑密度符合规划条件",
  "项目符合供地政策和用地标准，耕地占补平衡已落实",
};

typedef struct
{
  const char *action;
  int         from;
  int         to;
  const char *actor;
  char       *opinion;
  GDateTime  *at;
} Event;

/* Dates run until the demo's "today". */
#define END_YEAR  2026
#define END_MONTH 11
#define END_DAY   28

static void
uuid_from (LdRng *rng,
           char   out[37])
{
  guint8 b[16];
  guint64 a = ld_rng_next (rng), c = ld_rng_next (rng);

  for (int i = 0; i < 8; i++)
    {
      b[i] = (guint8) (a >> (8 * i));
      b[8 + i] = (guint8) (c >> (8 * i));
    }
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  g_snprintf (out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
              b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
              b[13], b[14], b[15]);
}

/* Adds @days working days (Monday to Friday) and sets a plausible office time. */
static GDateTime *
later (GDateTime *t,
       int        days,
       LdRng     *rng)
{
  GDateTime *d = g_date_time_add_days (t, 0);

  while (days > 0)
    {
      GDateTime *n = g_date_time_add_days (d, 1);

      g_date_time_unref (d);
      d = n;
      if (g_date_time_get_day_of_week (d) <= 5)
        days--;
    }
  {
    GDateTime *out = g_date_time_new (g_date_time_get_timezone (d), g_date_time_get_year (d),
                                      g_date_time_get_month (d), g_date_time_get_day_of_month (d),
                                      8 + ld_rng_int (rng, 0, 8), ld_rng_int (rng, 0, 59),
                                      ld_rng_int (rng, 0, 59));
    g_date_time_unref (d);
    return out;
  }
}

static OGRLayerH
attr_layer (GDALDatasetH        ds,
            const char         *name,
            OGRSpatialReferenceH srs,
            gboolean            spatial,
            const char         *description,
            const char * const *fields,
            const OGRFieldType *types,
            GError            **error)
{
  g_autofree char *desc = g_strdup_printf ("DESCRIPTION=%s", description);
  const char *options[] = { "GEOMETRY_NAME=geom", "FID=fid", desc, NULL };
  OGRLayerH layer = GDALDatasetCreateLayer (ds, name, spatial ? srs : NULL,
                                            spatial ? wkbMultiPolygon : wkbNone,
                                            (char **) options);

  if (layer == NULL)
    {
      g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED, "cannot create table %s: %s",
                   name, CPLGetLastErrorMsg ());
      return NULL;
    }
  for (guint i = 0; fields[i] != NULL; i++)
    {
      OGRFieldDefnH fd = OGR_Fld_Create (fields[i], types[i]);
      OGRErr err = OGR_L_CreateField (layer, fd, TRUE);

      OGR_Fld_Destroy (fd);
      if (!ld_demo_ogr_check (err, name, error))
        return NULL;
    }
  return layer;
}

static void
set_date (OGRFeatureH  f,
          int          field,
          GDateTime   *t)
{
  if (t == NULL)
    OGR_F_SetFieldNull (f, field);
  else
    OGR_F_SetFieldDateTime (f, field, g_date_time_get_year (t), g_date_time_get_month (t),
                            g_date_time_get_day_of_month (t), 0, 0, 0, 0);
}

static gboolean
create_feature (OGRLayerH   layer,
                OGRFeatureH f,
                GError    **error)
{
  OGRErr err = OGR_L_CreateFeature (layer, f);

  OGR_F_Destroy (f);
  return ld_demo_ogr_check (err, OGR_L_GetName (layer), error);
}

/* A star-shaped parcel of @area m² around (x, y): always a simple polygon. */
static GEOSGeometry *
parcel_polygon (GEOSContextHandle_t geos,
                LdRng              *rng,
                double              x,
                double              y,
                double              area)
{
  int n = ld_rng_int (rng, 7, 14);
  double radii[14], angles[14], a2 = 0, scale;
  GEOSCoordSequence *seq = GEOSCoordSeq_create_r (geos, (unsigned int) n + 1, 2);

  for (int k = 0; k < n; k++)
    {
      angles[k] = 2 * G_PI * (k + ld_rng_range (rng, -0.3, 0.3)) / n;
      radii[k] = ld_rng_range (rng, 0.7, 1.3);
    }
  for (int k = 0; k < n; k++)
    a2 += radii[k] * radii[(k + 1) % n] * sin (angles[(k + 1) % n] - angles[k]
                                              + (k + 1 == n ? 2 * G_PI : 0));
  scale = sqrt (area / (a2 / 2));
  for (int k = 0; k <= n; k++)
    GEOSCoordSeq_setXY_r (geos, seq, (unsigned int) k,
                          round ((x + scale * radii[k % n] * cos (angles[k % n])) * 1000) / 1000,
                          round ((y + scale * radii[k % n] * sin (angles[k % n])) * 1000) / 1000);
  return GEOSGeom_createPolygon_r (geos, GEOSGeom_createLinearRing_r (geos, seq), NULL, 0);
}

/* A parcel of the wanted kind inside the land, or NULL when no spot fits. */
static GEOSGeometry *
place_parcel (GEOSContextHandle_t         geos,
              const GEOSPreparedGeometry *land,
              const LdDemoSpots          *spots,
              LdRng                      *rng,
              LdDemoSpotKind              kind,
              double                      area)
{
  for (int attempt = 0; attempt < 40; attempt++)
    {
      LdDemoSpotKind k = (LdDemoSpotKind) ((kind + attempt / 8) % LD_DEMO_N_SPOTS);
      guint have = MIN (spots->seen[k], LD_DEMO_SPOTS_PER_KIND);
      guint pick;
      GEOSGeometry *poly;
      double a = attempt < 20 ? area : area / (1 << (attempt / 5 - 3));

      if (have == 0)
        continue;
      pick = (guint) (ld_rng_next (rng) % have);
      /* Never under 0.5 ha, whatever rounding the coordinates to millimetres does. */
      poly = parcel_polygon (geos, rng, spots->x[k][pick], spots->y[k][pick], MAX (a, 5050.0));
      if (GEOSPreparedContainsProperly_r (geos, land, poly) == 1 && GEOSisValid_r (geos, poly) == 1)
        return poly;
      GEOSGeom_destroy_r (geos, poly);
    }
  return NULL;
}

static const char *
town_near (double x,
           double y)
{
  double best = G_MAXDOUBLE;
  const char *name = ld_demo_towns[0].name;

  for (guint i = 0; i < ld_demo_n_towns; i++)
    {
      double d = hypot (x - ld_demo_towns[i].x, y - ld_demo_towns[i].y);

      if (d < best)
        best = d, name = ld_demo_towns[i].name;
    }
  return name;
}

/* Puts the town's name where the template says %s. */
static char *
fill_town (const char *template,
           const char *town)
{
  g_auto(GStrv) parts = g_strsplit (template, "%s", -1);

  return g_strjoinv (town, parts);
}

static void
events_clear (GArray *events)
{
  for (guint i = 0; i < events->len; i++)
    {
      g_date_time_unref (g_array_index (events, Event, i).at);
      g_free (g_array_index (events, Event, i).opinion);
    }
  g_array_set_size (events, 0);
}

static void
add_event (GArray     *events,
           const char *action,
           int         from,
           int         to,
           const char *actor,
           const char *opinion,
           GDateTime  *at)
{
  Event e = { action, from, to, actor, g_strdup (opinion), g_date_time_ref (at) };

  g_array_append_val (events, e);
}

/**
 * ld_demo_write_cases:
 *
 * Fills users, cases, case_events and case_redlines in one transaction: the four matters in
 * every stage and status, with a history that leads to the current stage and red lines placed
 * on each kind of spot (PBF, EPR, inside and outside the UDB, farmland, built land).
 */
gboolean
ld_demo_write_cases (GDALDatasetH                ds,
                     OGRSpatialReferenceH        srs,
                     GEOSContextHandle_t         geos,
                     const GEOSPreparedGeometry *land,
                     const LdDemoSpots          *spots,
                     guint64                     seed,
                     guint                       n_cases,
                     GError                    **error)
{
  static const char *user_fields[] = { "login", "display_name", "role", "unit", NULL };
  static const OGRFieldType user_types[] = { OFTString, OFTString, OFTString, OFTString };
  static const char *case_fields[] = {
    "id", "number", "matter", "title", "applicant", "project_use", "stage", "status",
    "suspend_kind", "suspended_on", "assignee", "received_on", "accepted_on", "closed_on",
    "supply_method", NULL
  };
  static const OGRFieldType case_types[] = {
    OFTString, OFTString, OFTString, OFTString, OFTString, OFTString, OFTString, OFTString,
    OFTString, OFTDate, OFTString, OFTDate, OFTDate, OFTDate, OFTString
  };
  static const char *event_fields[] = {
    "id", "case_id", "action", "from_stage", "to_stage", "actor", "at", "opinion", NULL
  };
  static const OGRFieldType event_types[] = {
    OFTString, OFTString, OFTString, OFTString, OFTString, OFTString, OFTString, OFTString
  };
  static const char *redline_fields[] = { "id", "case_id", "parcel_no", "name", "area_m2", NULL };
  static const OGRFieldType redline_types[] = {
    OFTString, OFTString, OFTString, OFTString, OFTReal
  };
  OGRLayerH l_users, l_cases, l_events, l_redlines;
  g_autoptr(GTimeZone) tz = g_time_zone_new_offset (8 * 3600);
  g_autoptr(GDateTime) first_day = g_date_time_new (tz, 2024, 1, 2, 9, 0, 0);
  g_autoptr(GDateTime) last_day = g_date_time_new (tz, END_YEAR, END_MONTH, END_DAY, 17, 0, 0);
  g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (Event));
  guint serial[4][3] = { { 0 } };
  LdRng rng;
  gboolean ok = FALSE;

  ld_rng_init (&rng, seed ^ G_GUINT64_CONSTANT (0xca5e5));

  if ((l_users = attr_layer (ds, "users", srs, FALSE, "用户 (users)", user_fields, user_types,
                             error)) == NULL
      || (l_cases = attr_layer (ds, "cases", srs, FALSE, "案件 (cases)", case_fields, case_types,
                                error)) == NULL
      || (l_events = attr_layer (ds, "case_events", srs, FALSE, "办理过程 (stage log)",
                                 event_fields, event_types, error)) == NULL
      || (l_redlines = attr_layer (ds, "case_redlines", srs, TRUE, "用地红线 (case red lines)",
                                   redline_fields, redline_types, error)) == NULL)
    return FALSE;

  if (GDALDatasetStartTransaction (ds, FALSE) != OGRERR_NONE)
    return ld_demo_ogr_check (OGRERR_FAILURE, "cannot start a transaction", error);

  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      OGRFeatureH f = OGR_F_Create (OGR_L_GetLayerDefn (l_users));

      OGR_F_SetFieldString (f, 0, users[i].login);
      OGR_F_SetFieldString (f, 1, users[i].display_name);
      OGR_F_SetFieldString (f, 2, users[i].role);
      OGR_F_SetFieldString (f, 3, users[i].unit);
      if (!create_feature (l_users, f, error))
        goto out;
    }

  for (guint i = 0; i < n_cases; i++)
    {
      const Matter *m = &matters[i % 4];
      int stage = (int) ((i / 4) % N_STAGES), round_ = (int) ((i / 24) % 4);
      const char *status = "active", *suspend_kind = NULL, *supply = NULL;
      const Project *project = &projects[i % 4].list[ld_rng_int (&rng, 0,
                                                                 (int) projects[i % 4].n - 1)];
      const char *reviewer = m->reviewers[ld_rng_int (&rng, 0, 1)];
      const char *leader = ld_rng_double (&rng) < 0.5 ? "zhao.qiang" : "lin.hai";
      const char *actors[N_STAGES];
      char case_id[37];
      g_autoptr(GDateTime) received = NULL;
      g_autoptr(GDateTime) t = NULL;
      GDateTime *accepted = NULL, *suspended = NULL, *closed = NULL;
      g_autofree char *title = NULL, *applicant = NULL, *number = NULL;
      GEOSGeometry *parcels[2] = { NULL, NULL };
      int n_parcels = ld_rng_double (&rng) < 0.2 ? 2 : 1;
      gboolean failed = FALSE;
      double area_ha;
      const char *town;
      OGRFeatureH f;

      actors[INTAKE] = actors[ACCEPT] = actors[EXAMINE] = actors[CLOSE] = reviewer;
      actors[CHECK] = m->section_head;
      actors[APPROVE] = leader;

      /* The status: every one appears in the first 48 cases, then a plausible mix. */
      if (round_ == 3)
        round_ = ld_rng_int (&rng, 0, 2);
      if (stage == CLOSE)
        status = round_ == 1 ? "closed" : round_ == 2 && ld_rng_double (&rng) < 0.5 ? "closed"
                 : "active";
      else if (round_ == 1)
        {
          /* Suspended the ways the matter allows: a correction request at accept or
           * examine, the special procedure only at examine and where the matter has it. */
          if (stage == ACCEPT || stage == EXAMINE)
            status = "suspended", suspend_kind = stage == EXAMINE && m->special && i % 8 < 4
                                                 ? "special" : "correction";
          else if (stage == APPROVE)
            status = "refused";
        }
      else if (round_ == 2)
        {
          if (stage == EXAMINE && m->special)
            status = "suspended", suspend_kind = "special";
          else if (stage == INTAKE && i % 4 == 1)
            status = "refused";
        }

      /* Red lines first: their place names the project. */
      area_ha = exp (ld_rng_range (&rng, log (m->min_ha), log (m->max_ha)));
      if (area_ha < 2 * 0.51)
        n_parcels = 1;
      for (int p = 0; p < n_parcels; p++)
        {
          LdDemoSpotKind kind = (LdDemoSpotKind) ((i + (guint) p * 3) % LD_DEMO_N_SPOTS);

          parcels[p] = place_parcel (geos, land, spots, &rng, kind,
                                     area_ha * 10000.0 / n_parcels);
        }
      if (parcels[0] == NULL)
        {
          if (parcels[1] != NULL)
            GEOSGeom_destroy_r (geos, parcels[1]);
          g_set_error (error, LD_DEMO_ERROR, LD_DEMO_ERROR_FAILED,
                       "cannot place the red line of case %u: too few patches on land; "
                       "use more --patches", i + 1);
          goto out;
        }
      {
        double xmin = 0, ymin = 0;

        GEOSGeom_getXMin_r (geos, parcels[0], &xmin);
        GEOSGeom_getYMin_r (geos, parcels[0], &ymin);
        town = town_near (xmin, ymin);
      }
      title = fill_town (project->title, town);
      applicant = fill_town (project->applicant, town);
      if (i % 4 == 1)
        supply = "allocation";
      else if (i % 4 == 2)
        supply = grant_methods[ld_rng_int (&rng, 0, G_N_ELEMENTS (grant_methods) - 1)];

      /* The history, from intake to the current stage. */
      {
        int limit = g_str_equal (status, "active") || g_str_equal (status, "suspended") ? 150 : 1000;
        int days_back = ld_rng_int (&rng, 10 + stage * 12, MAX (limit, 30 + stage * 12));
        g_autoptr(GDateTime) start = g_date_time_add_days (last_day, -days_back - stage * 14);

        if (g_date_time_compare (start, first_day) < 0)
          received = g_date_time_add_days (first_day, ld_rng_int (&rng, 0, 20));
        else
          received = later (start, 0, &rng);
      }
      events_clear (events);
      t = g_date_time_ref (received);
      for (int s = 0; s < stage; s++)
        {
          GDateTime *next;
          /* the action each stage moves on with, as data/matters says */
          const char *action = s == ACCEPT ? "accept" : s == APPROVE ? "approve" : "submit";
          const char *opinion;
          g_autofree char *finding = NULL;

          if (s == EXAMINE && ld_rng_double (&rng) < 0.25)
            {
              next = later (t, ld_rng_int (&rng, 1, 4), &rng);
              add_event (events, "request-correction", s, s, actors[s],
                         "请申请人补正勘测定界图及土地权属证明材料。", next);
              g_date_time_unref (t);
              t = next;
              next = later (t, ld_rng_int (&rng, 3, 12), &rng);
              add_event (events, "resume", s, s, actors[s], "申请人已补正材料，恢复办理。", next);
              g_date_time_unref (t);
              t = next;
            }
          if (s == CHECK && ld_rng_double (&rng) < 0.2)
            {
              next = later (t, ld_rng_int (&rng, 1, 3), &rng);
              add_event (events, "return", CHECK, EXAMINE, actors[CHECK],
                         "用地面积与勘测定界报告不一致，请核实后重新提交。", next);
              g_date_time_unref (t);
              t = next;
              next = later (t, ld_rng_int (&rng, 1, 4), &rng);
              add_event (events, "submit", EXAMINE, CHECK, actors[EXAMINE],
                         "已按审核意见核实用地面积，重新提交审核。", next);
              g_date_time_unref (t);
              t = next;
            }
          next = later (t, s == INTAKE ? ld_rng_int (&rng, 0, 2) : ld_rng_int (&rng, 1, 6), &rng);
          switch (s)
            {
            case INTAKE:
              opinion = "申请材料齐全，符合法定形式，予以受理。";
              break;
            case ACCEPT:
              opinion = "已受理，转承办人审查。";
              break;
            case EXAMINE:
              finding = g_strdup_printf ("经审查，%s，拟同意，提请审核。",
                                         examine_findings[ld_rng_int (&rng, 0,
                                                                      G_N_ELEMENTS (examine_findings) - 1)]);
              opinion = finding;
              break;
            case CHECK:
              opinion = "审核同意，报局领导审批。";
              break;
            default:
              opinion = "同意。";
              break;
            }
          add_event (events, action, s, s + 1, actors[s], opinion, next);
          if (s == INTAKE)
            accepted = next;
          g_date_time_unref (t);
          t = next;
        }
      if (g_str_equal (status, "suspended"))
        {
          GDateTime *next = later (t, ld_rng_int (&rng, 1, 4), &rng);

          if (g_str_equal (suspend_kind, "correction"))
            add_event (events, "request-correction", stage, stage, actors[stage],
                       "请申请人补正勘测定界图及土地权属证明材料。", next);
          else
            add_event (events, "start-special", stage, stage, actors[stage],
                       "项目需组织专家论证并公示，进入特别程序。", next);
          suspended = next;
          g_date_time_unref (t);
          t = next;
        }
      else if (g_str_equal (status, "refused"))
        {
          GDateTime *next = later (t, ld_rng_int (&rng, 1, 5), &rng);

          add_event (events, "refuse", stage, stage, actors[stage],
                     stage == INTAKE ? "申请材料不符合法定形式，不予受理。"
                     : i % 4 == 0 ? "项目用地占用永久基本农田，不符合用地预审要求，不予许可。"
                     : "项目不符合供地政策和用地标准，不予许可。", next);
          closed = next;
          g_date_time_unref (t);
          t = next;
        }
      else if (g_str_equal (status, "closed"))
        {
          GDateTime *next = later (t, ld_rng_int (&rng, 1, 3), &rng);

          add_event (events, "close", CLOSE, CLOSE, actors[CLOSE],
                     i % 4 == 0 ? "已核发建设项目用地预审与选址意见书，办结。"
                     : i % 4 == 3 ? "已核发规划条件核实合格证，办结。" : "已签订合同（核发决定书），办结。",
                     next);
          closed = next;
          g_date_time_unref (t);
          t = next;
        }

      uuid_from (&rng, case_id);
      {
        int year = g_date_time_get_year (received);
        guint *counter = &serial[i % 4][CLAMP (year - 2024, 0, 2)];

        number = g_strdup_printf ("%s-%d-%04u", m->prefix, year, ++*counter);
      }
      f = OGR_F_Create (OGR_L_GetLayerDefn (l_cases));
      OGR_F_SetFieldString (f, 0, case_id);
      OGR_F_SetFieldString (f, 1, number);
      OGR_F_SetFieldString (f, 2, m->id);
      OGR_F_SetFieldString (f, 3, title);
      OGR_F_SetFieldString (f, 4, applicant);
      OGR_F_SetFieldString (f, 5, project->use);
      OGR_F_SetFieldString (f, 6, stages[stage]);
      OGR_F_SetFieldString (f, 7, status);
      if (suspend_kind != NULL)
        OGR_F_SetFieldString (f, 8, suspend_kind);
      else
        OGR_F_SetFieldNull (f, 8);
      set_date (f, 9, suspended);
      OGR_F_SetFieldString (f, 10, g_str_equal (status, "refused") || g_str_equal (status, "closed")
                                   ? events->len > 0 ? g_array_index (events, Event,
                                                                      events->len - 1).actor
                                                     : actors[stage]
                                   : actors[stage]);
      set_date (f, 11, received);
      set_date (f, 12, accepted);
      set_date (f, 13, closed);
      if (supply != NULL)
        OGR_F_SetFieldString (f, 14, supply);
      else
        OGR_F_SetFieldNull (f, 14);
      if (!create_feature (l_cases, f, error))
        {
          for (int p = 0; p < 2; p++)
            if (parcels[p] != NULL)
              GEOSGeom_destroy_r (geos, parcels[p]);
          goto out;
        }

      for (guint e = 0; e < events->len; e++)
        {
          const Event *ev = &g_array_index (events, Event, e);
          g_autofree char *at = g_date_time_format (ev->at, "%Y-%m-%dT%H:%M:%S%:z");
          char event_id[37];

          uuid_from (&rng, event_id);
          f = OGR_F_Create (OGR_L_GetLayerDefn (l_events));
          OGR_F_SetFieldString (f, 0, event_id);
          OGR_F_SetFieldString (f, 1, case_id);
          OGR_F_SetFieldString (f, 2, ev->action);
          OGR_F_SetFieldString (f, 3, stages[ev->from]);
          OGR_F_SetFieldString (f, 4, stages[ev->to]);
          OGR_F_SetFieldString (f, 5, ev->actor);
          OGR_F_SetFieldString (f, 6, at);
          OGR_F_SetFieldString (f, 7, ev->opinion);
          if (!create_feature (l_events, f, error))
            {
              failed = TRUE;
              break;
            }
        }

      for (int p = 0; p < n_parcels; p++)
        {
          char redline_id[37];
          g_autofree char *parcel_no = g_strdup_printf ("DK%02d", p + 1);
          g_autofree char *name = g_strdup_printf ("%s%s", title, p == 0 ? "地块一" : "地块二");
          double area = 0;
          OGRGeometryH geom;

          if (parcels[p] == NULL)
            continue;
          GEOSArea_r (geos, parcels[p], &area);
          geom = ld_demo_geos_to_ogr (geos, parcels[p]);
          GEOSGeom_destroy_r (geos, parcels[p]);
          parcels[p] = NULL;
          uuid_from (&rng, redline_id);
          f = OGR_F_Create (OGR_L_GetLayerDefn (l_redlines));
          OGR_F_SetFieldString (f, 0, redline_id);
          OGR_F_SetFieldString (f, 1, case_id);
          OGR_F_SetFieldString (f, 2, parcel_no);
          OGR_F_SetFieldString (f, 3, name);
          OGR_F_SetFieldDouble (f, 4, round (area * 100) / 100);
          OGR_F_SetGeometryDirectly (f, geom);
          if (!failed && !create_feature (l_redlines, f, error))
            failed = TRUE;
        }
      for (int p = 0; p < 2; p++)
        if (parcels[p] != NULL)
          GEOSGeom_destroy_r (geos, parcels[p]);
      if (failed)
        goto out;
    }
  ok = ld_demo_ogr_check (GDALDatasetCommitTransaction (ds), "cannot commit the cases", error);

out:
  events_clear (events);
  if (!ok)
    GDALDatasetRollbackTransaction (ds);
  return ok;
}
