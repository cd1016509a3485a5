/* ld-report.c: the pre-review overlay report, a PDF for the case file
 *
 * A4 pages drawn with cairo and laid out with Pango (no GTK); cairo embeds the subsets of the
 * fonts it uses, so the Chinese text reads the same on any machine. Contents: the case data,
 * the headline figures, the checks and their verdicts, a map of the red line over current and
 * over planned use (legend, scale bar, north arrow), the class tables, and the boundary-point
 * coordinate table numbered J1.. as the coordinate-file export numbers them.
 *
 * The report's wording is Chinese, fixed in this file and in ld-analysis.c (reason_zh): it is
 * a document for the Chinese case file, like the coordinate file's header, not UI text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sqlite3.h>
#include <glib/gstdio.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "ld-analysis.h"
#include "ld-gpkg-geom.h"
#include "ld-landclass.h"
#include "ld-palette.h"
#include "ld-paths.h"
#include "ld-redline-private.h"
#include "ld-report.h"
#include "ld-units.h"

#define PAGE_W 595.276
#define PAGE_H 841.89
#define MARGIN 48.0
#define FONT "WenQuanYi Micro Hei"

struct _LdReport
{
  GObject      parent_instance;

  char        *store;
  LdAnalysis  *analysis;
  sqlite3     *db;
  LdLandclass *classes;
};

typedef struct
{
  cairo_t *cr;
  double   y;
  int      page;
  const char *footer;
} Doc;

G_DEFINE_FINAL_TYPE (LdReport, ld_report, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-report-error-quark, ld_report_error)

/* ---- layout helpers --------------------------------------------------------------------- */

static PangoLayout *
make_layout (cairo_t    *cr,
             const char *text,
             double      size,
             gboolean    bold,
             double      width)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_from_string (FONT);

  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  if (width > 0)
    {
      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    }
  pango_layout_set_text (layout, text != NULL ? text : "", -1);
  return layout;
}

/* Draws @text at (@x, @y); returns its height. */
static double
draw_text (cairo_t        *cr,
           double          x,
           double          y,
           double          width,
           const char     *text,
           double          size,
           gboolean        bold,
           PangoAlignment  align)
{
  PangoLayout *layout = make_layout (cr, text, size, bold, width);
  int w, h;

  pango_layout_set_alignment (layout, align);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
  return h;
}

static double
text_height (cairo_t    *cr,
             const char *text,
             double      size,
             double      width)
{
  PangoLayout *layout = make_layout (cr, text, size, FALSE, width);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  g_object_unref (layout);
  return h;
}

static void
new_page (Doc *doc)
{
  if (doc->page > 0)
    cairo_show_page (doc->cr);
  doc->page++;
  doc->y = MARGIN;
  cairo_set_source_rgb (doc->cr, 0.4, 0.4, 0.4);
  {
    g_autofree char *footer = g_strdup_printf ("%s    第 %d 页", doc->footer, doc->page);

    draw_text (doc->cr, MARGIN, PAGE_H - MARGIN + 14, PAGE_W - 2 * MARGIN, footer, 8, FALSE,
               PANGO_ALIGN_CENTER);
  }
  cairo_set_source_rgb (doc->cr, 0, 0, 0);
}

static void
ensure_space (Doc    *doc,
              double  height)
{
  if (doc->y + height > PAGE_H - MARGIN)
    new_page (doc);
}

static void
heading (Doc        *doc,
         const char *text)
{
  ensure_space (doc, 60);
  doc->y += 8;
  doc->y += draw_text (doc->cr, MARGIN, doc->y, -1, text, 13, TRUE, PANGO_ALIGN_LEFT) + 6;
}

/* A table row: cells in columns of @widths (fractions of the text width); the last column
 * wraps. Returns the row height. Header rows are grey. */
static void
table_row (Doc                *doc,
           const char * const *cells,
           const double       *widths,
           guint               n,
           gboolean            header,
           const double       *swatch)
{
  double total = PAGE_W - 2 * MARGIN, x = MARGIN, h = 0, pad = 3, size = header ? 9 : 9;

  for (guint i = 0; i < n; i++)
    h = MAX (h, text_height (doc->cr, cells[i], size, widths[i] * total - 2 * pad));
  h += 2 * pad;
  ensure_space (doc, h);
  if (header)
    {
      cairo_set_source_rgb (doc->cr, 0.9, 0.9, 0.9);
      cairo_rectangle (doc->cr, MARGIN, doc->y, total, h);
      cairo_fill (doc->cr);
    }
  for (guint i = 0; i < n; i++)
    {
      double w = widths[i] * total;
      double tx = x + pad;

      if (i == 0 && swatch != NULL)
        {
          cairo_set_source_rgba (doc->cr, swatch[0], swatch[1], swatch[2], 1.0);
          cairo_rectangle (doc->cr, tx, doc->y + pad + 1, 14, h - 2 * pad - 2);
          cairo_fill_preserve (doc->cr);
          cairo_set_source_rgb (doc->cr, 0.3, 0.3, 0.3);
          cairo_set_line_width (doc->cr, 0.4);
          cairo_stroke (doc->cr);
          tx += 18;
        }
      cairo_set_source_rgb (doc->cr, 0, 0, 0);
      draw_text (doc->cr, tx, doc->y + pad, w - 2 * pad - (tx - x - pad), cells[i], size,
                 header, PANGO_ALIGN_LEFT);
      cairo_set_line_width (doc->cr, 0.5);
      cairo_set_source_rgb (doc->cr, 0.5, 0.5, 0.5);
      cairo_rectangle (doc->cr, x, doc->y, w, h);
      cairo_stroke (doc->cr);
      x += w;
    }
  cairo_set_source_rgb (doc->cr, 0, 0, 0);
  doc->y += h;
}

static char *
fmt (double value,
     int    decimals)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char format[8];

  g_snprintf (format, sizeof format, "%%.%df", decimals);
  g_ascii_formatd (buf, sizeof buf, format, ld_round_half_up (value, decimals));
  return g_strdup (buf);
}

/* ---- the map ---------------------------------------------------------------------------- */

typedef struct
{
  double minx, miny, scale, ox, oy, h;   /* ground to page: px = ox + (x - minx) * scale */
} View;

static void
path_buffer (cairo_t            *cr,
             const LdGeomBuffer *b,
             const View         *v)
{
  guint point = 0, ring = 0;

  for (guint p = 0; p < b->n_polygons; p++)
    for (guint r = 0; r < b->polygons[p]; r++, ring++)
      {
        for (guint k = 0; k < b->rings[ring]; k++, point++)
          {
            double x = v->ox + (b->xy[2 * point] - v->minx) * v->scale;
            double y = v->oy + v->h - (b->xy[2 * point + 1] - v->miny) * v->scale;

            if (k == 0)
              cairo_move_to (cr, x, y);
            else
              cairo_line_to (cr, x, y);
          }
        cairo_close_path (cr);
      }
}

static gboolean
draw_layer (LdReport    *self,
            cairo_t     *cr,
            const char  *layer,
            const char  *field,
            LdPalette   *palette,
            const View  *v,
            double       maxx,
            double       maxy,
            GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT t.geom, t.%s FROM rtree_%s_geom r JOIN %s t"
                                          " ON t.fid = r.id WHERE r.minx <= ?2 AND r.maxx >= ?1"
                                          " AND r.miny <= ?4 AND r.maxy >= ?3", field, layer,
                                          layer);
  sqlite3_stmt *stmt = NULL;
  LdGeomBuffer buffer;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, LD_REPORT_ERROR, LD_REPORT_ERROR_OPEN, "%s: cannot read layer %s: %s",
                   self->store, layer, sqlite3_errmsg (self->db));
      return FALSE;
    }
  sqlite3_bind_double (stmt, 1, v->minx);
  sqlite3_bind_double (stmt, 2, maxx);
  sqlite3_bind_double (stmt, 3, v->miny);
  sqlite3_bind_double (stmt, 4, maxy);
  ld_geom_buffer_init (&buffer);
  cairo_set_fill_rule (cr, CAIRO_FILL_RULE_EVEN_ODD);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const LdPaletteEntry *e = ld_palette_lookup (palette,
                                                   (const char *) sqlite3_column_text (stmt, 1));

      ld_geom_buffer_reset (&buffer);
      if (!ld_gpkg_geom_decode (sqlite3_column_blob (stmt, 0),
                                (gsize) sqlite3_column_bytes (stmt, 0), NULL, 0.0, &buffer, NULL))
        continue;
      path_buffer (cr, &buffer, v);
      if (e != NULL && e->has_fill)
        cairo_set_source_rgb (cr, e->fill[0], e->fill[1], e->fill[2]);
      else
        cairo_set_source_rgb (cr, 0.85, 0.85, 0.85);
      cairo_fill_preserve (cr);
      cairo_set_source_rgba (cr, 0.35, 0.35, 0.35, 0.8);
      cairo_set_line_width (cr, 0.3);
      cairo_stroke (cr);
    }
  sqlite3_finalize (stmt);
  ld_geom_buffer_clear (&buffer);
  return TRUE;
}

static double
nice_length (double metres)
{
  double p = pow (10.0, floor (log10 (metres)));

  if (metres / p >= 5)
    return 5 * p;
  if (metres / p >= 2)
    return 2 * p;
  return p;
}

static gboolean
draw_map (LdReport          *self,
          Doc               *doc,
          LdRedline         *redline,
          LdAnalysisResult  *r,
          const char        *layer,
          const char        *field,
          const char        *title,
          GError           **error)
{
  g_autofree char *palette_path = g_strdup_printf ("%s.csv", layer);
  g_autofree char *file = ld_paths_data_file ("styles", palette_path, NULL);
  g_autoptr(LdPalette) palette = ld_palette_new_from_file (file, error);
  cairo_t *cr = doc->cr;
  double box_w = PAGE_W - 2 * MARGIN, box_h = 330, pad = 0.12;
  double w = r->maxx - r->minx, h = r->maxy - r->miny, cx, cy, span_x, span_y;
  View v;
  LdGeomBuffer buffer;
  const LdAnalysisLayer *rows = ld_analysis_result_get_layer (r, layer);

  if (palette == NULL)
    return FALSE;
  heading (doc, title);
  ensure_space (doc, box_h + 40);
  /* ground extent: the red line and a margin, in the box's aspect */
  cx = (r->minx + r->maxx) / 2;
  cy = (r->miny + r->maxy) / 2;
  span_x = w * (1 + 2 * pad);
  span_y = h * (1 + 2 * pad);
  if (span_x / span_y > box_w / box_h)
    span_y = span_x * box_h / box_w;
  else
    span_x = span_y * box_w / box_h;
  v.scale = box_w / span_x;
  v.minx = cx - span_x / 2;
  v.miny = cy - span_y / 2;
  v.ox = MARGIN;
  v.oy = doc->y;
  v.h = box_h;

  cairo_save (cr);
  cairo_rectangle (cr, MARGIN, doc->y, box_w, box_h);
  cairo_clip (cr);
  cairo_set_source_rgb (cr, 0.8, 0.9, 1.0);   /* what no patch covers: the sea */
  cairo_paint (cr);
  if (!draw_layer (self, cr, layer, field, palette, &v, v.minx + span_x, v.miny + span_y,
                   error))
    {
      cairo_restore (cr);
      return FALSE;
    }
  /* the red line */
  ld_geom_buffer_init (&buffer);
  for (guint i = 0; i < ld_redline_get_n_parcels (redline); i++)
    {
      g_autoptr(GBytes) wkb = ld_redline_dup_parcel_wkb (redline, i);

      ld_geom_buffer_reset (&buffer);
      if (wkb != NULL && ld_wkb_decode_polygons (g_bytes_get_data (wkb, NULL),
                                                 g_bytes_get_size (wkb), NULL, 0.0, &buffer,
                                                 NULL))
        {
          path_buffer (cr, &buffer, &v);
          cairo_set_source_rgb (cr, 1.0, 0.0, 0.0);
          cairo_set_line_width (cr, 2.0);
          cairo_stroke (cr);
        }
    }
  ld_geom_buffer_clear (&buffer);
  cairo_restore (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_set_line_width (cr, 0.8);
  cairo_rectangle (cr, MARGIN, doc->y, box_w, box_h);
  cairo_stroke (cr);

  /* scale bar, bottom left */
  {
    double metres = nice_length (span_x / 4), len = metres * v.scale;
    double x = MARGIN + 12, y = doc->y + box_h - 16;
    g_autofree char *label = metres >= 1000 ? g_strdup_printf ("%g 千米", metres / 1000)
                                            : g_strdup_printf ("%g 米", metres);

    cairo_set_source_rgba (cr, 1, 1, 1, 0.8);
    cairo_rectangle (cr, x - 6, y - 16, len + 12, 26);
    cairo_fill (cr);
    cairo_set_source_rgb (cr, 0, 0, 0);
    cairo_rectangle (cr, x, y, len / 2, 4);
    cairo_fill (cr);
    cairo_rectangle (cr, x, y, len, 4);
    cairo_set_line_width (cr, 0.8);
    cairo_stroke (cr);
    draw_text (cr, x, y - 14, len, label, 8, FALSE, PANGO_ALIGN_CENTER);
  }
  /* north arrow, top right */
  {
    double x = MARGIN + box_w - 22, y = doc->y + 12;

    cairo_set_source_rgba (cr, 1, 1, 1, 0.8);
    cairo_rectangle (cr, x - 10, y - 4, 20, 38);
    cairo_fill (cr);
    cairo_set_source_rgb (cr, 0, 0, 0);
    cairo_move_to (cr, x, y + 12);
    cairo_line_to (cr, x - 6, y + 30);
    cairo_line_to (cr, x, y + 25);
    cairo_line_to (cr, x + 6, y + 30);
    cairo_close_path (cr);
    cairo_fill (cr);
    draw_text (cr, x - 10, y - 3, 20, "N", 9, TRUE, PANGO_ALIGN_CENTER);
  }
  doc->y += box_h + 4;
  doc->y += draw_text (cr, MARGIN, doc->y, box_w,
                       "红色线为用地红线；底色为图层地类（颜色见图例）；浅蓝为无图斑覆盖区域。"
                       "CGCS2000 / 3 度带高斯-克吕格第 37 带（EPSG:4525）。", 8, FALSE,
                       PANGO_ALIGN_LEFT) + 6;

  /* legend and class table in one: the classes inside the red line */
  {
    const double widths[] = { 0.38, 0.2, 0.16, 0.13, 0.13 };
    const char *head[] = { "图例 / 地类", "面积（平方米）", "面积（公顷）", "面积（亩）", "占比" };

    table_row (doc, head, widths, 5, TRUE, NULL);
    for (guint i = 0; rows != NULL && i < rows->classes->len; i++)
      {
        LdAnalysisRow *c = g_ptr_array_index (rows->classes, i);
        const LdPaletteEntry *e = c->code[0] ? ld_palette_lookup (palette, c->code) : NULL;
        double sea[3] = { 0.8, 0.9, 1.0 };
        g_autofree char *name = c->code[0] ? g_strdup_printf ("%s %s", c->code, c->name)
                                           : g_strdup ("无图斑覆盖");
        g_autofree char *m2 = fmt (c->round_m2, 2), *ha = fmt (c->round_ha, 4);
        g_autofree char *mu = fmt (c->round_mu, 2);
        g_autofree char *share = g_strdup_printf ("%.2f%%", c->area_m2 / rows->total_m2 * 100);
        const char *cells[] = { name, m2, ha, mu, share };

        table_row (doc, cells, widths, 5, FALSE,
                   e != NULL && e->has_fill ? e->fill : (c->code[0] ? NULL : sea));
      }
    if (rows != NULL)
      {
        g_autofree char *m2 = fmt (rows->total_m2, 2), *ha = fmt (rows->total_m2 / 1e4, 4);
        g_autofree char *mu = fmt (rows->total_m2 * LD_MU_PER_M2, 2);
        const char *cells[] = { "合计", m2, ha, mu, "100.00%" };

        table_row (doc, cells, widths, 5, TRUE, NULL);
      }
  }
  return TRUE;
}

/* ---- sections --------------------------------------------------------------------------- */

static void
case_section (LdReport          *self,
              Doc               *doc,
              const char        *case_id,
              LdAnalysisResult  *r)
{
  static const char *fields[][2] = {
    { "number", "案件编号" }, { "title", "项目名称" }, { "applicant", "申请单位" },
    { "matter", "办理事项" }, { "project_use", "项目用途" }, { "stage", "办理环节" },
    { "received_on", "收件日期" }, { "assignee", "承办人" },
  };
  const double widths[] = { 0.25, 0.75 };
  sqlite3_stmt *stmt = NULL;

  heading (doc, "一、项目与案件信息");
  if (sqlite3_prepare_v2 (self->db, "SELECT number, title, applicant, matter, project_use, stage,"
                          " received_on, assignee FROM cases WHERE id = ?", -1, &stmt, NULL)
      != SQLITE_OK)
    return;
  sqlite3_bind_text (stmt, 1, case_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
      {
        const char *value = (const char *) sqlite3_column_text (stmt, (int) i);
        g_autofree char *text = NULL;

        if (i == 4 && value != NULL && self->classes != NULL)
          {
            const LdLandclassEntry *e = ld_landclass_lookup (self->classes,
                                                             LD_LANDCLASS_LANDSEA_2023, value);

            text = g_strdup_printf ("%s %s", value, e != NULL ? e->name : "");
          }
        else
          text = g_strdup (value != NULL ? value : "—");
        {
          const char *cells[] = { fields[i][1], text };

          table_row (doc, cells, widths, 2, FALSE, NULL);
        }
      }
  sqlite3_finalize (stmt);
  {
    g_autofree char *m2 = fmt (r->redline_area_m2, 2), *ha = fmt (r->redline_area_m2 / 1e4, 4);
    g_autofree char *mu = fmt (r->redline_area_m2 * LD_MU_PER_M2, 2);
    g_autofree char *ell = fmt (r->redline_area_m2 * r->ellipsoid_factor, 2);
    g_autofree char *area = g_strdup_printf ("%s 平方米（%s 公顷，%s 亩）", m2, ha, mu);
    g_autofree char *basis = g_strdup_printf ("平面面积（高斯-克吕格投影，EPSG:4525）；"
                                              "按椭球面换算约 %s 平方米（比例 %.6f，同三调图斑面积"
                                              " TBMJ 口径）", ell, r->ellipsoid_factor);
    const char *a[] = { "用地总面积", area };
    const char *b[] = { "面积口径", basis };

    table_row (doc, a, widths, 2, FALSE, NULL);
    table_row (doc, b, widths, 2, FALSE, NULL);
  }
}

static void
headline_section (Doc              *doc,
                  LdAnalysisResult *r)
{
  const double widths[] = { 0.34, 0.24, 0.22, 0.20 };
  const char *head[] = { "指标", "面积（平方米）", "面积（公顷）", "面积（亩）" };
  struct { const char *name; double m2; } rows[] = {
    { "用地总面积", r->redline_area_m2 },
    { "新增建设用地", r->checks[LD_CHECK_NEW_CONSTRUCTION].area_m2 },
    { "耕地（扣除田坎）", r->checks[LD_CHECK_CULTIVATED].area_m2 },
    { "　其中：水田", r->paddy_m2 },
    { "永久基本农田", r->checks[LD_CHECK_PBF].area_m2 },
    { "生态保护红线", r->checks[LD_CHECK_EPR].area_m2 },
    { "城镇开发边界内", r->checks[LD_CHECK_UDB].area_m2 },
  };

  heading (doc, "二、主要指标");
  table_row (doc, head, widths, 4, TRUE, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *m2 = fmt (rows[i].m2, 2), *ha = fmt (rows[i].m2 / 1e4, 4);
      g_autofree char *mu = fmt (rows[i].m2 * LD_MU_PER_M2, 2);
      const char *cells[] = { rows[i].name, m2, ha, mu };

      table_row (doc, cells, widths, 4, FALSE, NULL);
    }
}

static void
checks_section (Doc              *doc,
                LdAnalysisResult *r)
{
  const double widths[] = { 0.2, 0.12, 0.68 };
  const char *head[] = { "审查要点", "结论", "说明" };

  heading (doc, "三、预审核查结论");
  table_row (doc, head, widths, 3, TRUE, NULL);
  for (guint i = 0; i < LD_N_CHECKS; i++)
    {
      const char *cells[] = { ld_check_title_zh (r->checks[i].id),
                              ld_check_status_zh (r->checks[i].status), r->checks[i].reason_zh };

      table_row (doc, cells, widths, 3, FALSE, NULL);
    }
}

static void
points_section (Doc       *doc,
                LdRedline *redline)
{
  const double widths[] = { 0.16, 0.16, 0.34, 0.34 };
  const char *head[] = { "点号", "圈号", "X（北坐标，米）", "Y（东坐标，含带号 37，米）" };
  LdGeomBuffer b;

  heading (doc, "六、界址点坐标表");
  doc->y += draw_text (doc->cr, MARGIN, doc->y, PAGE_W - 2 * MARGIN,
                       "2000 国家大地坐标系，3 度分带高斯-克吕格投影，第 37 带，单位米；"
                       "点号与部标坐标文件导出一致，各圈首尾点相同。", 9, FALSE,
                       PANGO_ALIGN_LEFT) + 4;
  ld_geom_buffer_init (&b);
  for (guint i = 0; i < ld_redline_get_n_parcels (redline); i++)
    {
      g_autoptr(GBytes) wkb = ld_redline_dup_parcel_wkb (redline, i);
      g_autofree char *title = g_strdup_printf ("地块 %s %s", ld_redline_get_parcel_id (redline, i),
                                                ld_redline_get_parcel_name (redline, i));
      guint point = 0, ring = 0, no = 1;

      ld_geom_buffer_reset (&b);
      if (wkb == NULL || !ld_wkb_decode_polygons (g_bytes_get_data (wkb, NULL),
                                                  g_bytes_get_size (wkb), NULL, 0.0, &b, NULL))
        continue;
      ensure_space (doc, 40);
      doc->y += draw_text (doc->cr, MARGIN, doc->y, -1, title, 10, TRUE, PANGO_ALIGN_LEFT) + 3;
      table_row (doc, head, widths, 4, TRUE, NULL);
      for (guint p = 0; p < b.n_polygons; p++)
        for (guint rr = 0; rr < b.polygons[p]; rr++, ring++)
          {
            guint n = b.rings[ring], first = no, start = point;
            gboolean closed = n > 1 && b.xy[2 * start] == b.xy[2 * (start + n - 1)]
                              && b.xy[2 * start + 1] == b.xy[2 * (start + n - 1) + 1];

            for (guint k = 0; k <= (closed ? n - 1 : n); k++)
              {
                gboolean closing = k == (closed ? n - 1 : n);
                guint idx = closing ? start : start + k;
                g_autofree char *name = g_strdup_printf ("J%u", closing ? first : no++);
                g_autofree char *ring_no = g_strdup_printf ("%u", ring + 1);
                g_autofree char *x = fmt (b.xy[2 * idx + 1], 3), *y = fmt (b.xy[2 * idx], 3);
                const char *cells[] = { name, ring_no, x, y };

                table_row (doc, cells, widths, 4, FALSE, NULL);
              }
            point += n;
          }
    }
  ld_geom_buffer_clear (&b);
}

/* ---- GObject ---------------------------------------------------------------------------- */

static void
ld_report_finalize (GObject *object)
{
  LdReport *self = LD_REPORT (object);

  g_clear_pointer (&self->db, sqlite3_close);
  g_clear_object (&self->analysis);
  g_clear_object (&self->classes);
  g_free (self->store);

  G_OBJECT_CLASS (ld_report_parent_class)->finalize (object);
}

static void
ld_report_class_init (LdReportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_report_finalize;
}

static void
ld_report_init (LdReport *self)
{
}

/* ---- public API ------------------------------------------------------------------------- */

LdReport *
ld_report_new (const char  *store,
               GError     **error)
{
  g_autoptr(LdReport) self = g_object_new (LD_TYPE_REPORT, NULL);

  g_return_val_if_fail (store != NULL, NULL);

  self->store = g_strdup (store);
  self->analysis = ld_analysis_new (store, error);
  if (self->analysis == NULL)
    return NULL;
  if (sqlite3_open_v2 (store, &self->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      g_set_error (error, LD_REPORT_ERROR, LD_REPORT_ERROR_OPEN, "cannot open %s: %s", store,
                   sqlite3_errmsg (self->db));
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 5000);
  self->classes = ld_landclass_load (NULL);
  return g_steal_pointer (&self);
}

/**
 * ld_report_write:
 * @case_ref: a case's id or number
 * @pdf: the file to write; written beside it first and renamed, so a failure leaves no
 *   half-written report
 *
 * Analyses the case's red line afresh and writes the report.
 */
gboolean
ld_report_write (LdReport    *self,
                 const char  *case_ref,
                 const char  *pdf,
                 GError     **error)
{
  g_autoptr(LdRedline) redline = NULL;
  g_autoptr(LdAnalysisResult) r = NULL;
  g_autofree char *case_id = NULL, *use = NULL, *tmp = NULL, *number = NULL, *title = NULL;
  g_autofree char *footer = NULL, *subtitle = NULL, *when = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  cairo_surface_t *surface;
  cairo_status_t status;
  Doc doc = { 0 };
  gboolean ok = TRUE;

  g_return_val_if_fail (LD_IS_REPORT (self), FALSE);

  redline = ld_analysis_load_case (self->analysis, case_ref, &case_id, &use, error);
  if (redline == NULL)
    return FALSE;
  r = ld_analysis_run (self->analysis, redline, use, error);
  if (r == NULL)
    return FALSE;
  {
    sqlite3_stmt *stmt = NULL;

    if (sqlite3_prepare_v2 (self->db, "SELECT number, title FROM cases WHERE id = ?", -1, &stmt,
                            NULL) == SQLITE_OK)
      {
        sqlite3_bind_text (stmt, 1, case_id, -1, SQLITE_TRANSIENT);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          {
            number = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
            title = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
          }
      }
    sqlite3_finalize (stmt);
  }

  tmp = g_strdup_printf ("%s.part", pdf);
  surface = cairo_pdf_surface_create (tmp, PAGE_W, PAGE_H);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, LD_REPORT_ERROR, LD_REPORT_ERROR_WRITE, "cannot write %s: %s", pdf,
                   cairo_status_to_string (cairo_surface_status (surface)));
      cairo_surface_destroy (surface);
      g_remove (tmp);
      return FALSE;
    }
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, "用地预审红线叠加分析报告");
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "LandDesk");
  doc.cr = cairo_create (surface);
  when = g_date_time_format (now, "%Y-%m-%d %H:%M");
  footer = g_strdup_printf ("%s  用地预审红线叠加分析报告  LandDesk %s 生成于 %s",
                            number ? number : "", ld_version_string (), when);
  doc.footer = footer;
  new_page (&doc);
  doc.y += draw_text (doc.cr, MARGIN, doc.y, PAGE_W - 2 * MARGIN, "建设项目用地预审红线叠加分析报告",
                      18, TRUE, PANGO_ALIGN_CENTER) + 4;
  subtitle = g_strdup_printf ("%s  %s", number ? number : "", title ? title : "");
  doc.y += draw_text (doc.cr, MARGIN, doc.y, PAGE_W - 2 * MARGIN, subtitle, 11, FALSE,
                      PANGO_ALIGN_CENTER) + 8;
  case_section (self, &doc, case_id, r);
  headline_section (&doc, r);
  checks_section (&doc, r);
  new_page (&doc);
  ok = draw_map (self, &doc, redline, r, "xz_dltb", "DLBM", "四、现状地类（三调）叠加图及分类面积",
                 error);
  if (ok)
    {
      new_page (&doc);
      ok = draw_map (self, &doc, redline, r, "gh_ydyh", "YDYHFLDM",
                     "五、规划用途叠加图及分类面积", error);
    }
  if (ok)
    {
      new_page (&doc);
      points_section (&doc, redline);
      doc.y += 8;
      draw_text (doc.cr, MARGIN, doc.y, PAGE_W - 2 * MARGIN,
                 "说明：面积为平面面积，平方米保留 2 位、公顷 4 位、亩 2 位小数（1 公顷 = 15 亩），"
                 "各地类面积四舍五入后按最大余数法调整，使分项之和等于合计。耕地面积已按扣除系数"
                 "（KCXS）扣除田坎；新增建设用地为红线内农用地与未利用地面积。", 8, FALSE,
                 PANGO_ALIGN_LEFT);
    }
  cairo_show_page (doc.cr);
  cairo_destroy (doc.cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (ok && status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, LD_REPORT_ERROR, LD_REPORT_ERROR_WRITE, "writing %s: %s", pdf,
                   cairo_status_to_string (status));
      ok = FALSE;
    }
  if (ok && g_rename (tmp, pdf) != 0)
    {
      g_set_error (error, LD_REPORT_ERROR, LD_REPORT_ERROR_WRITE, "cannot move %s to %s: %s",
                   tmp, pdf, g_strerror (errno));
      ok = FALSE;
    }
  if (!ok)
    g_remove (tmp);
  return ok;
}
