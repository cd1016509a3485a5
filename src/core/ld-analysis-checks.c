/* ld-analysis-checks.c: class rows, their rounding and the six pre-review checks
 *
 * Rows are summed unrounded; a layer's total is rounded half-up and its rows by largest
 * remainder so that they add up to it. The checks of domain.md §2, each pass, attention or
 * fail with its reason, in English for JSON and in fixed Chinese for the report.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ld-analysis-private.h"
#include "ld-units.h"

/* Planned use: an incompatible share below this is "attention" (boundary slivers), above it
 * "fail". */
#define PLANNED_SLIVER_SHARE 0.01

static const char * const check_ids[LD_N_CHECKS] = {
  "planned_use", "udb", "pbf", "epr", "cultivated", "new_construction",
};

static const char * const check_titles_zh[LD_N_CHECKS] = {
  "规划用途符合性", "城镇开发边界", "永久基本农田", "生态保护红线", "占用耕地", "新增建设用地",
};

static void
reconcile (GPtrArray *classes,
           double     total_m2)
{
  static const struct { double factor; int decimals; gsize offset; } units[] = {
    { 1.0, 2, G_STRUCT_OFFSET (LdAnalysisRow, round_m2) },
    { 1.0e-4, 4, G_STRUCT_OFFSET (LdAnalysisRow, round_ha) },
    { LD_MU_PER_M2, 2, G_STRUCT_OFFSET (LdAnalysisRow, round_mu) },
  };

  for (guint u = 0; u < G_N_ELEMENTS (units); u++)
    {
      double scale = pow (10.0, units[u].decimals);
      gint64 target = llround (ld_round_half_up (total_m2 * units[u].factor, units[u].decimals)
                               * scale);
      gint64 sum = 0;
      g_autofree double *rem = g_new0 (double, MAX (classes->len, 1));
      g_autofree gint64 *units_of = g_new0 (gint64, MAX (classes->len, 1));

      for (guint i = 0; i < classes->len; i++)
        {
          LdAnalysisRow *c = g_ptr_array_index (classes, i);
          double v = c->area_m2 * units[u].factor * scale;
          /* Values a hair under an integer (0.29 x 100) are that integer. */
          double fl = floor (v + 1e-7);

          units_of[i] = (gint64) fl;
          rem[i] = v - fl;
          sum += units_of[i];
        }
      for (gint64 missing = target - sum; missing != 0;)
        {
          int best = -1;

          for (guint i = 0; i < classes->len; i++)
            if (best < 0 || (missing > 0 ? rem[i] > rem[best] : rem[i] < rem[best]))
              best = (int) i;
          if (best < 0)
            break;
          units_of[best] += missing > 0 ? 1 : -1;
          rem[best] = missing > 0 ? -2.0 : 2.0;
          missing += missing > 0 ? -1 : 1;
        }
      for (guint i = 0; i < classes->len; i++)
        G_STRUCT_MEMBER (double, g_ptr_array_index (classes, i), units[u].offset) =
          (double) units_of[i] / scale;
    }
}

static int
compare_classes (gconstpointer a,
                 gconstpointer b)
{
  const LdAnalysisRow *x = *(LdAnalysisRow * const *) a, *y = *(LdAnalysisRow * const *) b;

  /* "not covered" last, then largest first, then by code */
  if ((x->code[0] == '\0') != (y->code[0] == '\0'))
    return x->code[0] == '\0' ? 1 : -1;
  if (x->area_m2 != y->area_m2)
    return x->area_m2 > y->area_m2 ? -1 : 1;
  return strcmp (x->code, y->code);
}

LdAnalysisLayer *
ld_analysis_make_layer (const char *name,
                        GHashTable *accs,
                        double      redline_area)
{
  LdAnalysisLayer *layer = g_new0 (LdAnalysisLayer, 1);
  GHashTableIter iter;
  gpointer value;
  double uncovered;

  layer->layer = g_strdup (name);
  layer->classes = g_ptr_array_new_with_free_func (ld_analysis_class_free);
  g_hash_table_iter_init (&iter, accs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Acc *acc = value;
      LdAnalysisRow *c = g_new0 (LdAnalysisRow, 1);

      c->code = g_strdup (acc->code);
      c->name = g_strdup (acc->name);
      c->area_m2 = acc->area;
      c->net_m2 = acc->net;
      layer->total_m2 += acc->area;
      g_ptr_array_add (layer->classes, c);
    }
  /* Area no patch of the layer covers (the sea, a gap): its own row, so the rows add up to
   * the red line. Below a hundredth of a m² it is rounding noise. */
  uncovered = redline_area - layer->total_m2;
  if (uncovered >= 0.005)
    {
      LdAnalysisRow *c = g_new0 (LdAnalysisRow, 1);

      c->code = g_strdup ("");
      c->name = g_strdup ("未覆盖");
      c->area_m2 = c->net_m2 = uncovered;
      layer->total_m2 += uncovered;
      g_ptr_array_add (layer->classes, c);
    }
  g_ptr_array_sort (layer->classes, compare_classes);
  reconcile (layer->classes, layer->total_m2);
  return layer;
}

static char *
format_area (double m2)
{
  return g_strdup_printf ("%.2f m² (%.4f ha, %.2f mu)", ld_round_half_up (m2, 2),
                          ld_round_half_up (m2 / 10000.0, 4),
                          ld_round_half_up (m2 * LD_MU_PER_M2, 2));
}

static char *
format_area_zh (double m2)
{
  return g_strdup_printf ("%.2f 平方米（%.4f 公顷，%.2f 亩）", ld_round_half_up (m2, 2),
                          ld_round_half_up (m2 / 10000.0, 4),
                          ld_round_half_up (m2 * LD_MU_PER_M2, 2));
}

static gboolean
is_zero (double m2)
{
  return ld_round_half_up (m2, 2) == 0.0;
}

static void
set_check (LdAnalysisCheck *check,
           LdCheckId        id,
           LdCheckStatus    status,
           double           area,
           char            *reason,
           char            *reason_zh)
{
  check->id = id;
  check->status = status;
  check->area_m2 = area;
  check->reason = reason;
  check->reason_zh = reason_zh;
}

/* Planned-use conformity: a planned class is compatible with the project's use when both
 * share their first-level class of the 2023 classification (the first two digits). */
static void
check_planned_use (LdAnalysisResult *r,
                   double            planned_covered)
{
  LdAnalysisCheck *check = &r->checks[LD_CHECK_PLANNED_USE];
  const LdAnalysisLayer *ydyh = ld_analysis_result_get_layer (r, "gh_ydyh");
  double bad = 0.0, none = r->redline_area_m2 - planned_covered;
  g_autoptr(GString) bad_list = g_string_new ("");
  g_autoptr(GString) bad_list_zh = g_string_new ("");
  g_autofree char *bad_text = NULL, *bad_zh = NULL, *none_text = NULL, *none_zh = NULL;
  char first[3] = { 0 };

  if (r->project_use == NULL || strlen (r->project_use) < 2)
    {
      set_check (check, LD_CHECK_PLANNED_USE, LD_CHECK_ATTENTION, 0.0,
                 g_strdup ("the case states no project use (2023 class code), so planned-use "
                           "conformity was not checked"),
                 g_strdup ("案件未填写项目用途（用地用海分类代码），未核对规划用途符合性"));
      return;
    }
  memcpy (first, r->project_use, 2);
  for (guint i = 0; ydyh != NULL && i < ydyh->classes->len; i++)
    {
      LdAnalysisRow *c = g_ptr_array_index (ydyh->classes, i);

      if (c->code[0] == '\0' || strncmp (c->code, first, 2) == 0 || is_zero (c->area_m2))
        continue;
      bad += c->area_m2;
      g_string_append_printf (bad_list, "%s%s %s %.2f m²", bad_list->len ? ", " : "", c->code,
                              c->name, ld_round_half_up (c->area_m2, 2));
      g_string_append_printf (bad_list_zh, "%s%s %s %.2f 平方米", bad_list_zh->len ? "、" : "",
                              c->code, c->name, ld_round_half_up (c->area_m2, 2));
    }
  if (none < 0.0)
    none = 0.0;
  if (is_zero (bad) && is_zero (none))
    {
      set_check (check, LD_CHECK_PLANNED_USE, LD_CHECK_PASS, 0.0,
                 g_strdup_printf ("all planned use inside the red line is in first-level class "
                                  "%s, the project's use %s", first, r->project_use),
                 g_strdup_printf ("红线内规划用途均属一级类 %s，与项目用途 %s 相符", first,
                                  r->project_use));
      return;
    }
  bad_text = format_area (bad);
  bad_zh = format_area_zh (bad);
  if (!is_zero (bad))
    {
      double share = bad / r->redline_area_m2;
      gboolean sliver = share < PLANNED_SLIVER_SHARE;

      set_check (check, LD_CHECK_PLANNED_USE, sliver ? LD_CHECK_ATTENTION : LD_CHECK_FAIL, bad,
                 g_strdup_printf ("%s (%.2f%% of the red line) is planned for other uses than "
                                  "the project's %s: %s%s", bad_text, share * 100.0,
                                  r->project_use, bad_list->str,
                                  sliver ? "; under 1%: check the boundary" : ""),
                 g_strdup_printf ("%s（占红线 %.2f%%）规划用途与项目用途 %s 不符：%s%s", bad_zh,
                                  share * 100.0, r->project_use, bad_list_zh->str,
                                  sliver ? "；不足 1%，请核对边界" : ""));
      return;
    }
  none_text = format_area (none);
  none_zh = format_area_zh (none);
  set_check (check, LD_CHECK_PLANNED_USE, LD_CHECK_ATTENTION, none,
             g_strdup_printf ("%s of the red line has no planned use in gh_ydyh", none_text),
             g_strdup_printf ("红线内 %s 无规划用途数据", none_zh));
}

void
ld_analysis_run_checks (LdAnalysisResult *r,
                        double            sums[N_LAYERS],
                        double            cultivated_net,
                        double            new_construction)
{
  double area = r->redline_area_m2, inside = sums[LAYER_UDB];
  g_autofree char *a = NULL, *a_zh = NULL;

  check_planned_use (r, sums[LAYER_YDYH]);

  if (inside > area)
    inside = area;
  a = format_area (inside);
  a_zh = format_area_zh (inside);
  if (is_zero (area - inside))
    set_check (&r->checks[LD_CHECK_UDB], LD_CHECK_UDB, LD_CHECK_PASS, inside,
               g_strdup ("the red line lies wholly inside the urban development boundary"),
               g_strdup ("红线全部位于城镇开发边界内"));
  else if (is_zero (inside))
    set_check (&r->checks[LD_CHECK_UDB], LD_CHECK_UDB, LD_CHECK_ATTENTION, 0.0,
               g_strdup ("the red line lies wholly outside the urban development boundary: only "
                         "projects allowed outside it (e.g. linear infrastructure) may be sited "
                         "there"),
               g_strdup ("红线全部位于城镇开发边界外：仅允许在边界外选址的项目（如线性基础设施）可在此选址"));
  else
    set_check (&r->checks[LD_CHECK_UDB], LD_CHECK_UDB, LD_CHECK_ATTENTION, inside,
               g_strdup_printf ("%s (%.2f%%) of the red line is inside the urban development "
                                "boundary, the rest outside", a, inside / area * 100.0),
               g_strdup_printf ("红线内 %s（%.2f%%）位于城镇开发边界内，其余位于边界外", a_zh,
                                inside / area * 100.0));

  g_clear_pointer (&a, g_free);
  g_clear_pointer (&a_zh, g_free);
  a = format_area (sums[LAYER_PBF]);
  a_zh = format_area_zh (sums[LAYER_PBF]);
  if (is_zero (sums[LAYER_PBF]))
    set_check (&r->checks[LD_CHECK_PBF], LD_CHECK_PBF, LD_CHECK_PASS, sums[LAYER_PBF],
               g_strdup ("no permanent basic farmland inside the red line"),
               g_strdup ("红线内不涉及永久基本农田"));
  else
    set_check (&r->checks[LD_CHECK_PBF], LD_CHECK_PBF, LD_CHECK_FAIL, sums[LAYER_PBF],
               g_strdup_printf ("%s of permanent basic farmland inside the red line: only major "
                                "projects may occupy it", a),
               g_strdup_printf ("红线内涉及永久基本农田 %s：仅重大建设项目可占用", a_zh));

  g_clear_pointer (&a, g_free);
  g_clear_pointer (&a_zh, g_free);
  a = format_area (sums[LAYER_EPR]);
  a_zh = format_area_zh (sums[LAYER_EPR]);
  if (is_zero (sums[LAYER_EPR]))
    set_check (&r->checks[LD_CHECK_EPR], LD_CHECK_EPR, LD_CHECK_PASS, sums[LAYER_EPR],
               g_strdup ("no ecological protection red line inside the red line"),
               g_strdup ("红线内不涉及生态保护红线"));
  else
    set_check (&r->checks[LD_CHECK_EPR], LD_CHECK_EPR, LD_CHECK_FAIL, sums[LAYER_EPR],
               g_strdup_printf ("%s of the ecological protection red line inside the red line: "
                                "construction is not allowed there", a),
               g_strdup_printf ("红线内涉及生态保护红线 %s：不得进行开发建设", a_zh));

  g_clear_pointer (&a, g_free);
  g_clear_pointer (&a_zh, g_free);
  a = format_area (cultivated_net);
  a_zh = format_area_zh (cultivated_net);
  if (is_zero (cultivated_net))
    set_check (&r->checks[LD_CHECK_CULTIVATED], LD_CHECK_CULTIVATED, LD_CHECK_PASS,
               cultivated_net, g_strdup ("no cultivated land inside the red line"),
               g_strdup ("红线内不占用耕地"));
  else
    {
      g_autofree char *p = format_area (r->paddy_m2), *p_zh = format_area_zh (r->paddy_m2);

      set_check (&r->checks[LD_CHECK_CULTIVATED], LD_CHECK_CULTIVATED, LD_CHECK_ATTENTION,
                 cultivated_net,
                 g_strdup_printf ("%s of cultivated land net of field ridges (paddy %s): the "
                                  "occupation must be compensated", a, p),
                 g_strdup_printf ("占用耕地 %s（扣除田坎，其中水田 %s），须落实占补平衡", a_zh,
                                  p_zh));
    }

  g_clear_pointer (&a, g_free);
  g_clear_pointer (&a_zh, g_free);
  a = format_area (new_construction);
  a_zh = format_area_zh (new_construction);
  if (is_zero (new_construction))
    set_check (&r->checks[LD_CHECK_NEW_CONSTRUCTION], LD_CHECK_NEW_CONSTRUCTION, LD_CHECK_PASS,
               new_construction,
               g_strdup ("no agricultural or unused land inside the red line: no new "
                         "construction land"),
               g_strdup ("红线内无农用地和未利用地，不涉及新增建设用地"));
  else
    set_check (&r->checks[LD_CHECK_NEW_CONSTRUCTION], LD_CHECK_NEW_CONSTRUCTION,
               LD_CHECK_ATTENTION, new_construction,
               g_strdup_printf ("%s of agricultural and unused land becomes construction land: "
                                "it needs a construction-land quota and conversion approval", a),
               g_strdup_printf ("新增建设用地 %s（农用地和未利用地），须落实用地指标并办理农转用",
                                a_zh));
}

const char *
ld_check_id_to_string (LdCheckId id)
{
  g_return_val_if_fail (id < LD_N_CHECKS, NULL);
  return check_ids[id];
}

const char *
ld_check_title_zh (LdCheckId id)
{
  g_return_val_if_fail (id < LD_N_CHECKS, NULL);
  return check_titles_zh[id];
}

const char *
ld_check_status_to_string (LdCheckStatus status)
{
  switch (status)
    {
    case LD_CHECK_PASS: return "pass";
    case LD_CHECK_ATTENTION: return "attention";
    case LD_CHECK_FAIL: return "fail";
    default: return NULL;
    }
}

const char *
ld_check_status_zh (LdCheckStatus status)
{
  switch (status)
    {
    case LD_CHECK_PASS: return "通过";
    case LD_CHECK_ATTENTION: return "需关注";
    case LD_CHECK_FAIL: return "不通过";
    default: return NULL;
    }
}
