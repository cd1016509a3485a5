/* ld-analysis-result.c: an analysis result: freeing it, its layers, its JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ld-analysis-private.h"
#include "ld-json-text.h"
#include "ld-units.h"


void
ld_analysis_class_free (gpointer data)
{
  LdAnalysisRow *c = data;

  g_free (c->code);
  g_free (c->name);
  g_free (c);
}

void
ld_analysis_layer_free (gpointer data)
{
  LdAnalysisLayer *l = data;

  g_free (l->layer);
  g_ptr_array_unref (l->classes);
  g_free (l);
}

void
ld_analysis_result_free (LdAnalysisResult *result)
{
  if (result == NULL)
    return;
  for (guint i = 0; i < LD_N_CHECKS; i++)
    {
      g_free (result->checks[i].reason);
      g_free (result->checks[i].reason_zh);
    }
  g_clear_pointer (&result->layers, g_ptr_array_unref);
  g_free (result->project_use);
  g_free (result);
}

const LdAnalysisLayer *
ld_analysis_result_get_layer (LdAnalysisResult *result,
                              const char       *layer)
{
  for (guint i = 0; result->layers != NULL && i < result->layers->len; i++)
    {
      LdAnalysisLayer *l = g_ptr_array_index (result->layers, i);

      if (g_strcmp0 (l->layer, layer) == 0)
        return l;
    }
  return NULL;
}

static void
json_number (GString *out,
             double   value,
             int      decimals)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char format[8];

  g_snprintf (format, sizeof format, "%%.%df", decimals);
  g_ascii_formatd (buf, sizeof buf, format, value);
  g_string_append (out, buf);
}

static void
json_areas (GString *out,
            double   m2,
            double   ha,
            double   mu)
{
  g_string_append (out, "\"area_m2\": ");
  json_number (out, m2, 2);
  g_string_append (out, ", \"area_ha\": ");
  json_number (out, ha, 4);
  g_string_append (out, ", \"area_mu\": ");
  json_number (out, mu, 2);
}

/* The JSON of `landdesk-cli analyze --json`. Areas are rounded (m² 2, ha 4, mu 2 decimals);
 * the class rows of a layer add up to its total. */
char *
ld_analysis_result_to_json (LdAnalysisResult *r)
{
  GString *out = g_string_new ("{\"redline\": {");
  double a = r->redline_area_m2;

  json_areas (out, ld_round_half_up (a, 2), ld_round_half_up (a / 10000.0, 4),
              ld_round_half_up (a * LD_MU_PER_M2, 2));
  g_string_append (out, ", \"area_basis\": \"planar\", \"crs\": \"EPSG:4525\", "
                        "\"ellipsoidal_area_m2\": ");
  json_number (out, ld_round_half_up (a * r->ellipsoid_factor, 2), 2);
  g_string_append (out, ", \"ellipsoid_factor\": ");
  json_number (out, r->ellipsoid_factor, 9);
  g_string_append (out, ", \"project_use\": ");
  if (r->project_use)
    ld_json_text_append_string (out, r->project_use);
  else
    g_string_append (out, "null");
  g_string_append (out, "}, \"layers\": [");
  for (guint i = 0; i < r->layers->len; i++)
    {
      LdAnalysisLayer *l = g_ptr_array_index (r->layers, i);

      g_string_append (out, i ? ", {\"layer\": " : "{\"layer\": ");
      ld_json_text_append_string (out, l->layer);
      g_string_append (out, ", \"total\": {");
      json_areas (out, ld_round_half_up (l->total_m2, 2),
                  ld_round_half_up (l->total_m2 / 10000.0, 4),
                  ld_round_half_up (l->total_m2 * LD_MU_PER_M2, 2));
      g_string_append (out, "}, \"classes\": [");
      for (guint k = 0; k < l->classes->len; k++)
        {
          LdAnalysisRow *c = g_ptr_array_index (l->classes, k);

          g_string_append (out, k ? ", {\"code\": " : "{\"code\": ");
          ld_json_text_append_string (out, c->code);
          g_string_append (out, ", \"name\": ");
          ld_json_text_append_string (out, c->name);
          g_string_append (out, ", ");
          json_areas (out, c->round_m2, c->round_ha, c->round_mu);
          if (strcmp (l->layer, "xz_dltb") == 0)
            {
              g_string_append (out, ", \"net_area_m2\": ");
              json_number (out, ld_round_half_up (c->net_m2, 2), 2);
            }
          g_string_append_c (out, '}');
        }
      g_string_append (out, "]}");
    }
  g_string_append (out, "], \"checks\": [");
  for (guint i = 0; i < LD_N_CHECKS; i++)
    {
      LdAnalysisCheck *c = &r->checks[i];

      g_string_append (out, i ? ", {\"id\": " : "{\"id\": ");
      ld_json_text_append_string (out, ld_check_id_to_string (c->id));
      g_string_append (out, ", \"status\": ");
      ld_json_text_append_string (out, ld_check_status_to_string (c->status));
      g_string_append (out, ", \"area_m2\": ");
      json_number (out, ld_round_half_up (c->area_m2, 2), 2);
      g_string_append (out, ", \"area_ha\": ");
      json_number (out, ld_round_half_up (c->area_m2 / 10000.0, 4), 4);
      g_string_append (out, ", \"area_mu\": ");
      json_number (out, ld_round_half_up (c->area_m2 * LD_MU_PER_M2, 2), 2);
      g_string_append (out, ", \"reason\": ");
      ld_json_text_append_string (out, c->reason);
      g_string_append_c (out, '}');
    }
  g_string_append_printf (out, "], \"paddy_m2\": ");
  json_number (out, ld_round_half_up (r->paddy_m2, 2), 2);
  g_string_append_printf (out, ", \"patches\": {\"candidates\": %u, \"whole\": %u, "
                          "\"clipped\": %u, \"clipped_by_geos\": %u}}", r->n_candidates,
                          r->n_whole,
                          r->n_clipped, r->n_geos);
  return g_string_free (out, FALSE);
}
