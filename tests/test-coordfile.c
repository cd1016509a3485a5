/* test-coordfile.c: the ministry coordinate file (部标 TXT): a corpus of producers' variants
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every file is built here from the rules of domain.md §5. The expected geometry is a
 * 100 m x 100 m square (1 ha, 15 mu) and rectangles whose areas are plain arithmetic, never
 * figures the code under test computed.
 */
#include "config.h"

#include <math.h>

#include "ld-core.h"
#include "ld-test-util.h"

#define HEADER \
  "[属性描述]\n" \
  "格式版本号=1.01版本\n" \
  "数据产生单位=湛江市自然资源局\n" \
  "数据产生日期=2024-05-01\n" \
  "坐标系=2000国家大地坐标系\n" \
  "几度分带=3\n" \
  "投影类型=高斯克吕格\n" \
  "计量单位=米\n" \
  "带号=37\n" \
  "精度=0.001\n" \
  "转换参数=,,,,,,\n" \
  "[地块坐标]\n"
/* Header lines 1-12; the first parcel header is line 13, its points start on line 14. */

#define SQUARE \
  "J1,1,2353100.000,37433500.000\n" \
  "J2,1,2353100.000,37433600.000\n" \
  "J3,1,2353200.000,37433600.000\n" \
  "J4,1,2353200.000,37433500.000\n" \
  "J1,1,2353100.000,37433500.000\n"

/* A 20 m x 20 m hole inside the square. */
#define HOLE(ring) \
  "J5," ring ",2353120.000,37433520.000\n" \
  "J6," ring ",2353140.000,37433520.000\n" \
  "J7," ring ",2353140.000,37433540.000\n" \
  "J8," ring ",2353120.000,37433540.000\n" \
  "J5," ring ",2353120.000,37433520.000\n"

static LdCoordfile *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  LdCoordfile *file = ld_coordfile_parse (text, strlen (text), "t.txt", &error);

  g_assert_no_error (error);
  g_assert_nonnull (file);
  return file;
}

/* Parses @text expecting an error whose message starts with "t.txt:LINE: field FIELD:". */
static void
assert_parse_error (const char *text,
                    gssize      length,
                    int         code,
                    const char *prefix)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdCoordfile) file = NULL;

  file = ld_coordfile_parse (text, length < 0 ? strlen (text) : (gsize) length, "t.txt", &error);
  g_assert_null (file);
  g_assert_error (error, LD_COORDFILE_ERROR, code);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("expected an error starting with '%s', got '%s'", prefix, error->message);
}

static gboolean
has_warning (LdCoordfile *file,
             const char  *needle)
{
  GPtrArray *warnings = ld_coordfile_get_warnings (file);

  for (guint i = 0; i < warnings->len; i++)
    if (strstr (g_ptr_array_index (warnings, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
assert_square (LdCoordParcel *parcel)
{
  LdCoordRing *ring = g_ptr_array_index (parcel->rings, 0);
  LdCoordPoint *p = (LdCoordPoint *) ring->points->data;

  g_assert_cmpuint (ring->points->len, ==, 5);
  /* GIS order: x is the easting with the zone prefix, y the northing. */
  g_assert_cmpfloat_with_epsilon (p[0].x, 37433500.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (p[0].y, 2353100.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (p[2].x, 37433600.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (p[2].y, 2353200.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (ld_coord_parcel_area (parcel), 10000.0, 1e-6);
}

static void
test_basic (void)
{
  g_autoptr(LdCoordfile) file = parse_ok (HEADER "9,1.0000,DK01,某某项目地块,面,,工业用地,,@\n" SQUARE);
  LdCoordParcel *parcel;

  g_assert_cmpuint (ld_coordfile_get_n_parcels (file), ==, 1);
  g_assert_cmpuint (ld_coordfile_get_warnings (file)->len, ==, 1);  /* 9 points declared, 5 */
  g_assert_true (has_warning (file, "t.txt:13: parcel DK01 declares 9 points but has 5"));
  parcel = ld_coordfile_get_parcel (file, 0);
  g_assert_cmpstr (parcel->parcel_no, ==, "DK01");
  g_assert_cmpstr (parcel->name, ==, "某某项目地块");
  g_assert_cmpstr (parcel->kind, ==, "面");
  g_assert_cmpstr (parcel->use, ==, "工业用地");
  g_assert_cmpfloat (parcel->area_ha, ==, 1.0);
  g_assert_cmpint (parcel->line, ==, 13);
  assert_square (parcel);
  g_assert_cmpstr (ld_coordfile_get_header (file, "数据产生单位"), ==, "湛江市自然资源局");
  g_assert_cmpint (ld_coordfile_get_zone (file), ==, 37);
  g_assert_cmpint (ld_coordfile_get_epsg (file), ==, 4525);
}

static void
test_encodings_and_line_ends (void)
{
  const char *utf8 = HEADER "5,1.0000,DK01,某某项目地块,面,,工业用地,,@\n" SQUARE;
  g_autofree char *gbk = NULL;
  g_autofree char *bom = g_strconcat ("\xEF\xBB\xBF", utf8, NULL);
  g_auto(GStrv) lines = g_strsplit (utf8, "\n", -1);
  g_autofree char *crlf = g_strjoinv ("\r\n", lines);
  g_autofree char *cr = g_strjoinv ("\r", lines);
  g_autofree char *gbk_crlf = NULL;
  gsize gbk_len = 0, gbk_crlf_len = 0;
  struct { const char *what; const char *data; gsize len; } cases[5];

  gbk = g_convert (utf8, -1, "GBK", "UTF-8", NULL, &gbk_len, NULL);
  gbk_crlf = g_convert (crlf, -1, "GBK", "UTF-8", NULL, &gbk_crlf_len, NULL);
  g_assert_nonnull (gbk);
  g_assert_false (g_utf8_validate (gbk, gbk_len, NULL));
  cases[0] = (typeof (cases[0])) { "gbk", gbk, gbk_len };
  cases[1] = (typeof (cases[0])) { "gbk-crlf", gbk_crlf, gbk_crlf_len };
  cases[2] = (typeof (cases[0])) { "bom", bom, strlen (bom) };
  cases[3] = (typeof (cases[0])) { "crlf", crlf, strlen (crlf) };
  cases[4] = (typeof (cases[0])) { "cr", cr, strlen (cr) };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LdCoordfile) file = ld_coordfile_parse (cases[i].data, cases[i].len, "t.txt",
                                                        &error);
      LdCoordParcel *parcel;

      g_test_message ("variant %s", cases[i].what);
      g_assert_no_error (error);
      g_assert_cmpuint (ld_coordfile_get_warnings (file)->len, ==, 0);
      parcel = ld_coordfile_get_parcel (file, 0);
      g_assert_cmpstr (parcel->name, ==, "某某项目地块");
      g_assert_cmpstr (parcel->use, ==, "工业用地");
      g_assert_cmpstr (ld_coordfile_get_header (file, "坐标系"), ==, "2000国家大地坐标系");
      assert_square (parcel);
    }
}

static void
test_full_width_punctuation (void)
{
  g_autoptr(LdCoordfile) file = parse_ok (
    HEADER
    "5，1．0000，DK01，地块，面，，，，＠\n"
    "J1，1，2353100．000，37433500．000\n"
    "J2，1，2353100．000，37433600．000\n"
    "J3，1，2353200．000，37433600．000\n"
    "J4，1，２３５３２００．０００，37433500．000\n"
    "J1，1，2353100．000，37433500．000\n");

  g_assert_cmpuint (ld_coordfile_get_warnings (file)->len, ==, 0);
  assert_square (ld_coordfile_get_parcel (file, 0));
}

static void
test_header_widths (void)
{
  /* 7 fields before '@' (no class code), and 13 (five extra). */
  g_autoptr(LdCoordfile) seven = parse_ok (HEADER "5,1.0000,DK01,地块,面,,工业用地,@\n" SQUARE);
  g_autoptr(LdCoordfile) thirteen = parse_ok (HEADER "5,1.0000,DK01,地块,面,,工业用地,0601,a,b,c,d,e,@\n" SQUARE);

  g_assert_cmpstr (ld_coordfile_get_parcel (seven, 0)->class_code, ==, "");
  g_assert_cmpstr (ld_coordfile_get_parcel (thirteen, 0)->class_code, ==, "0601");
  assert_parse_error (HEADER "5,1.0000,DK01,地块,面,,@\n" SQUARE, -1, LD_COORDFILE_ERROR_SYNTAX,
                      "t.txt:13: field @: the parcel header has 6 fields before '@'");
  assert_parse_error (HEADER "5,1,DK01,地块,面,,a,b,c,d,e,f,g,h,@\n" SQUARE, -1,
                      LD_COORDFILE_ERROR_SYNTAX,
                      "t.txt:13: field @: the parcel header has 14 fields before '@'");
}

static void
test_several_parcels (void)
{
  g_autoptr(LdCoordfile) file = parse_ok (
    HEADER
    "5,1.0000,DK01,一号地块,面,,,,@\n" SQUARE
    "5,0.0200,DK02,二号地块,面,,,,@\n"
    "J1,1,2354000.000,37434000.000\n"
    "J2,1,2354000.000,37434020.000\n"
    "J3,1,2354010.000,37434020.000\n"
    "J4,1,2354010.000,37434000.000\n"
    "J1,1,2354000.000,37434000.000\n");

  g_assert_cmpuint (ld_coordfile_get_n_parcels (file), ==, 2);
  g_assert_cmpuint (ld_coordfile_get_warnings (file)->len, ==, 0);
  g_assert_cmpstr (ld_coordfile_get_parcel (file, 1)->parcel_no, ==, "DK02");
  g_assert_cmpstr (ld_coordfile_get_parcel (file, 1)->name, ==, "二号地块");
  g_assert_cmpint (ld_coordfile_get_parcel (file, 1)->line, ==, 19);
  g_assert_cmpfloat_with_epsilon (ld_coord_parcel_area (ld_coordfile_get_parcel (file, 1)), 200.0,
                                  1e-6);
}

static void
test_rings_by_containment (void)
{
  /* The hole is ring 2 ... */
  g_autoptr(LdCoordfile) hole = parse_ok (HEADER "10,0.9600,DK01,a,面,,,,@\n" SQUARE HOLE ("2"));
  /* ... or ring 1, listed before its shell: containment decides, not the number. */
  g_autoptr(LdCoordfile) first = parse_ok (
    HEADER "10,0.9600,DK01,a,面,,,,@\n" HOLE ("1")
    "J1,2,2353100.000,37433500.000\n"
    "J2,2,2353100.000,37433600.000\n"
    "J3,2,2353200.000,37433600.000\n"
    "J4,2,2353200.000,37433500.000\n"
    "J1,2,2353100.000,37433500.000\n");
  /* A "hole" outside its shell is another part. */
  g_autoptr(LdCoordfile) part = parse_ok (
    HEADER "10,1.0100,DK01,a,面,,,,@\n" SQUARE
    "J5,2,2353300.000,37433500.000\n"
    "J6,2,2353300.000,37433510.000\n"
    "J7,2,2353310.000,37433510.000\n"
    "J8,2,2353310.000,37433500.000\n"
    "J5,2,2353300.000,37433500.000\n");
  /* An island inside the hole is an outer ring again. */
  g_autoptr(LdCoordfile) island = parse_ok (
    HEADER "15,0.9625,DK01,a,面,,,,@\n" SQUARE HOLE ("2")
    "J9,3,2353125.000,37433525.000\n"
    "J10,3,2353130.000,37433525.000\n"
    "J11,3,2353130.000,37433530.000\n"
    "J12,3,2353125.000,37433530.000\n"
    "J9,3,2353125.000,37433525.000\n");
  /* A triangular hole with two vertices on the shell's edge: still a hole. */
  g_autoptr(LdCoordfile) touching = parse_ok (
    HEADER "9,0.9800,DK01,a,面,,,,@\n" SQUARE
    "J5,2,2353100.000,37433540.000\n"
    "J6,2,2353120.000,37433550.000\n"
    "J7,2,2353100.000,37433560.000\n"
    "J5,2,2353100.000,37433540.000\n");
  LdCoordParcel *p;

  p = ld_coordfile_get_parcel (touching, 0);
  g_assert_cmpint (((LdCoordRing *) g_ptr_array_index (p->rings, 1))->shell, ==, 0);
  g_assert_cmpfloat_with_epsilon (ld_coord_parcel_area (p), 10000.0 - 20.0 * 20.0 / 2.0, 1e-6);

  p = ld_coordfile_get_parcel (hole, 0);
  g_assert_cmpint (((LdCoordRing *) g_ptr_array_index (p->rings, 0))->shell, ==, -1);
  g_assert_cmpint (((LdCoordRing *) g_ptr_array_index (p->rings, 1))->shell, ==, 0);
  g_assert_cmpfloat_with_epsilon (ld_coord_parcel_area (p), 10000.0 - 400.0, 1e-6);
  g_assert_cmpuint (ld_coordfile_get_warnings (hole)->len, ==, 0);

  p = ld_coordfile_get_parcel (first, 0);
  g_assert_cmpint (((LdCoordRing *) g_ptr_array_index (p->rings, 0))->shell, ==, 1);
  g_assert_cmpint (((LdCoordRing *) g_ptr_array_index (p->rings, 1))->shell, ==, -1);
  g_assert_cmpfloat_with_epsilon (ld_coord_parcel_area (p), 9600.0, 1e-6);

  p = ld_coordfile_get_parcel (part, 0);
  g_assert_cmpint (((LdCoordRing *) g_ptr_array_index (p->rings, 1))->shell, ==, -1);
  g_assert_cmpfloat_with_epsilon (ld_coord_parcel_area (p), 10100.0, 1e-6);

  p = ld_coordfile_get_parcel (island, 0);
  g_assert_cmpint (((LdCoordRing *) g_ptr_array_index (p->rings, 2))->shell, ==, -1);
  g_assert_cmpfloat_with_epsilon (ld_coord_parcel_area (p), 10000.0 - 400.0 + 25.0, 1e-6);
}

static void
test_repairs_are_warnings (void)
{
  /* Unclosed ring: closed, with a warning naming the ring's first line. */
  g_autoptr(LdCoordfile) unclosed = parse_ok (
    HEADER "4,1.0000,DK01,a,面,,,,@\n"
    "J1,1,2353100.000,37433500.000\n"
    "J2,1,2353100.000,37433600.000\n"
    "J3,1,2353200.000,37433600.000\n"
    "J4,1,2353200.000,37433500.000\n");
  /* Y without the zone prefix. */
  g_autoptr(LdCoordfile) no_prefix = parse_ok (
    HEADER "5,1.0000,DK01,a,面,,,,@\n"
    "J1,1,2353100.000,433500.000\n"
    "J2,1,2353100.000,433600.000\n"
    "J3,1,2353200.000,433600.000\n"
    "J4,1,2353200.000,433500.000\n"
    "J1,1,2353100.000,433500.000\n");
  /* X and Y swapped, with and without the prefix. */
  g_autoptr(LdCoordfile) swapped = parse_ok (
    HEADER "5,1.0000,DK01,a,面,,,,@\n"
    "J1,1,37433500.000,2353100.000\n"
    "J2,1,37433600.000,2353100.000\n"
    "J3,1,37433600.000,2353200.000\n"
    "J4,1,37433500.000,2353200.000\n"
    "J1,1,37433500.000,2353100.000\n");
  g_autoptr(LdCoordfile) swapped_no_prefix = parse_ok (
    HEADER "5,1.0000,DK01,a,面,,,,@\n"
    "J1,1,433500.000,2353100.000\n"
    "J2,1,433600.000,2353100.000\n"
    "J3,1,433600.000,2353200.000\n"
    "J4,1,433500.000,2353200.000\n"
    "J1,1,433500.000,2353100.000\n");
  /* The header says 2.1735 ha, the points make 1 ha. 0.009 ha off is still fine. */
  g_autoptr(LdCoordfile) area = parse_ok (HEADER "5,2.1735,DK01,a,面,,,,@\n" SQUARE);
  g_autoptr(LdCoordfile) area_ok = parse_ok (HEADER "5,1.0090,DK01,a,面,,,,@\n" SQUARE);
  g_autoptr(LdCoordfile) no_area = parse_ok (HEADER ",,DK01,a,面,,,,@\n" SQUARE);
  /* Zone 37, but 150 km north of Zhanjiang (X 2 500 000). */
  g_autoptr(LdCoordfile) elsewhere = parse_ok (
    HEADER "5,1.0000,DK01,a,面,,,,@\n"
    "J1,1,2500100.000,37433500.000\n"
    "J2,1,2500100.000,37433600.000\n"
    "J3,1,2500200.000,37433600.000\n"
    "J4,1,2500200.000,37433500.000\n"
    "J1,1,2500100.000,37433500.000\n");

  g_assert_true (has_warning (unclosed, "t.txt:14: ring 1 of parcel DK01 is not closed"));
  g_assert_cmpuint (ld_coordfile_get_warnings (unclosed)->len, ==, 1);
  assert_square (ld_coordfile_get_parcel (unclosed, 0));

  g_assert_cmpuint (ld_coordfile_get_warnings (no_prefix)->len, ==, 0);
  assert_square (ld_coordfile_get_parcel (no_prefix, 0));

  g_assert_true (has_warning (swapped, "t.txt:13: parcel DK01 has X and Y swapped"));
  assert_square (ld_coordfile_get_parcel (swapped, 0));
  g_assert_true (has_warning (swapped_no_prefix, "swapped"));
  assert_square (ld_coordfile_get_parcel (swapped_no_prefix, 0));

  g_assert_true (has_warning (area, "t.txt:13: parcel DK01: the header area 2.1735 ha differs"));
  g_assert_true (has_warning (area, "by 1.1735 ha"));
  g_assert_cmpuint (ld_coordfile_get_warnings (area_ok)->len, ==, 0);
  g_assert_cmpuint (ld_coordfile_get_warnings (no_area)->len, ==, 0);
  g_assert_cmpuint (ld_coordfile_get_warnings (elsewhere)->len, ==, 1);
  g_assert_true (has_warning (elsewhere, "t.txt:14: parcel DK01 lies outside Zhanjiang"));
}

static void
test_sections (void)
{
  /* Unknown sections before [属性描述] are normal; after it they are ignored with a warning,
   * even when their lines look like points. '=' splits at the first one. */
  g_autoptr(LdCoordfile) file = parse_ok (
    "[文件说明]\n来源=某软件\n"
    HEADER "5,1.0000,DK01,a,面,,,,@\n" SQUARE
    "[附加信息]\nJ9,1,1,1\n");
  g_autoptr(LdCoordfile) eq = parse_ok (
    "[属性描述]\n转换参数=a=b\n带号=37\n[地块坐标]\n5,1.0000,DK01,a,面,,,,@\n" SQUARE);
  /* No [地块坐标] line at all: the parcel header is recognised, with a warning. */
  g_autoptr(LdCoordfile) bare = parse_ok ("5,1.0000,DK01,a,面,,,,@\n" SQUARE);

  g_assert_cmpuint (ld_coordfile_get_warnings (file)->len, ==, 1);
  g_assert_true (has_warning (file, "t.txt:21: unknown section [附加信息] ignored"));
  assert_square (ld_coordfile_get_parcel (file, 0));
  g_assert_cmpstr (ld_coordfile_get_header (file, "来源"), ==, NULL);

  g_assert_cmpstr (ld_coordfile_get_header (eq, "转换参数"), ==, "a=b");
  assert_square (ld_coordfile_get_parcel (eq, 0));

  g_assert_true (has_warning (bare, "t.txt:1: parcels without a [地块坐标] section header"));
  g_assert_false (has_warning (bare, "no zone (带号) and no zone prefix"));
  assert_square (ld_coordfile_get_parcel (bare, 0));
}

static void
test_line_parcels_left_out (void)
{
  g_autoptr(LdCoordfile) file = parse_ok (
    HEADER
    "2,,L1,a road,线,,,,@\n"
    "J1,1,2353000.000,37433000.000\n"
    "J2,1,2353050.000,37433000.000\n"
    "5,1.0000,DK01,a,面,,,,@\n" SQUARE);

  g_assert_cmpuint (ld_coordfile_get_n_parcels (file), ==, 1);
  g_assert_true (has_warning (file, "t.txt:13: parcel L1 is a 线, not a polygon"));
  assert_square (ld_coordfile_get_parcel (file, 0));
}

static void
test_errors_name_line_and_field (void)
{
  static const struct
  {
    const char *text;
    int         code;
    const char *prefix;
  } cases[] = {
    { "", LD_COORDFILE_ERROR_EMPTY, "t.txt: no polygon parcel found" },
    { HEADER, LD_COORDFILE_ERROR_EMPTY, "t.txt: no polygon parcel found" },
    { HEADER "5,1,DK01,a,面,,,,@\n", LD_COORDFILE_ERROR_SYNTAX,
      "t.txt:13: field point_count: parcel DK01 has no point lines" },
    { HEADER "x,1,DK01,a,面,,,,@\n" SQUARE, LD_COORDFILE_ERROR_SYNTAX,
      "t.txt:13: field point_count: 'x' is not a whole number" },
    { HEADER "5,abc,DK01,a,面,,,,@\n" SQUARE, LD_COORDFILE_ERROR_SYNTAX,
      "t.txt:13: field area: 'abc' is not an area" },
    { HEADER "5,1,DK01,a,面,,,,@\nJ1,1,nan,37433500\n", LD_COORDFILE_ERROR_SYNTAX,
      "t.txt:14: field X: 'nan' is not a number" },
    { HEADER "5,1,DK01,a,面,,,,@\nJ1,1,2353100,3743x500\n", LD_COORDFILE_ERROR_SYNTAX,
      "t.txt:14: field Y: '3743x500' is not a number" },
    { HEADER "5,1,DK01,a,面,,,,@\nJ1,1,inf,37433500\n", LD_COORDFILE_ERROR_SYNTAX,
      "t.txt:14: field X: 'inf' is not a number" },
    { HEADER "5,1,DK01,a,面,,,,@\n"
      "J1,1,2353100,37433500\nJ2,1,1e300,37433600\nJ3,1,2353200,37433600\n",
      LD_COORDFILE_ERROR_SYNTAX, "t.txt:15: field X: " },
    { HEADER "5,1,DK01,a,面,,,,@\n"
      "J1,1,2353100,37433500\nJ2,1,2353100,1e300\nJ3,1,2353200,37433600\n",
      LD_COORDFILE_ERROR_SYNTAX, "t.txt:15: field Y: " },
    { HEADER "5,1,DK01,a,面,,,,@\nJ1,1,2353100\n", LD_COORDFILE_ERROR_SYNTAX,
      "t.txt:14: point J1 has 3 fields, expected 4" },
    { HEADER "5,1,DK01,a,面,,,,@\nJ1,one,2353100,37433500\n", LD_COORDFILE_ERROR_SYNTAX,
      "t.txt:14: field ring: 'one' is not a ring number" },
    { HEADER "5,1,DK01,a,面,,,,@\nJ1,0,2353100,37433500\n", LD_COORDFILE_ERROR_SYNTAX,
      "t.txt:14: field ring: '0' is not a ring number" },
    { HEADER "3,1,DK01,a,面,,,,@\nJ1,1,2353100,37433500\nJ2,1,2353100,37433600\n"
      "J1,1,2353100,37433500\n", LD_COORDFILE_ERROR_SYNTAX,
      "t.txt:14: field ring: ring 1 of parcel DK01 has fewer than 3 distinct points" },
    { HEADER "5,1,DK01,a,面,,,,@\n" SQUARE HOLE ("2") SQUARE, LD_COORDFILE_ERROR_SYNTAX,
      "t.txt:24: field ring: ring 1 of parcel DK01 starts again after ring 2" },
    { HEADER "J1,1,2353100,37433500\n", LD_COORDFILE_ERROR_SYNTAX,
      "t.txt:13: point J1 comes before any parcel header" },
    { HEADER "5,1,DK01,a,面,,,,@\nJ1,1,2353100,38433500\n", LD_COORDFILE_ERROR_SYNTAX,
      "t.txt:14: field Y: zone prefix 38 of 38433500.000 disagrees with zone 37" },
    { HEADER "5,1,DK01,a,面,,,,@\nJ1,1,2353100,3433500\n", LD_COORDFILE_ERROR_SYNTAX,
      "t.txt:14: field Y: 3433500.000 is not an easting" },
    { "[属性描述]\n坐标系=1980西安坐标系\n[地块坐标]\n5,1,DK01,a,面,,,,@\n" SQUARE,
      LD_COORDFILE_ERROR_CRS, "t.txt:2: field 坐标系: the points are in 1980西安坐标系" },
    { "[属性描述]\n坐标系=1954北京坐标系\n[地块坐标]\n5,1,DK01,a,面,,,,@\n" SQUARE,
      LD_COORDFILE_ERROR_CRS, "t.txt:2: field 坐标系: the points are in 1954北京坐标系" },
    { "[属性描述]\n带号=abc\n", LD_COORDFILE_ERROR_SYNTAX,
      "t.txt:2: field 带号: 'abc' is not a zone number" },
    { "[属性描述]\n几度分带=5\n", LD_COORDFILE_ERROR_SYNTAX,
      "t.txt:2: field 几度分带: '5' is not a zone width" },
    { "[属性描述]\n计量单位=公里\n", LD_COORDFILE_ERROR_SYNTAX,
      "t.txt:2: field 计量单位: unit '公里' is not metres" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u: %s", i, cases[i].prefix);
      assert_parse_error (cases[i].text, -1, cases[i].code, cases[i].prefix);
    }
  /* Binary data and invalid UTF-16. */
  assert_parse_error ("[属性描述]\n\0\0\0", 17, LD_COORDFILE_ERROR_ENCODING,
                      "t.txt: this is not a text file");
  assert_parse_error ("\xFF\xFE\x00\xD8", 4, LD_COORDFILE_ERROR_ENCODING, "t.txt: the file starts like UTF-16");
}

static void
test_load_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdCoordfile) file = ld_coordfile_load ("/nonexistent/x.txt", &error);

  g_assert_null (file);
  g_assert_error (error, LD_COORDFILE_ERROR, LD_COORDFILE_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, "/nonexistent/x.txt"));
}

static void
test_write_and_read_back (void)
{
  g_autoptr(LdCoordfile) file = parse_ok (
    HEADER "10,0.9600,DK01,某某项目地块,面,,工业用地,0601,@\n" SQUARE HOLE ("2")
    "5,0.0200,DK02,二号,面,,,,@\n"
    "J1,1,2354000.123,37434000.456\n"
    "J2,1,2354000.123,37434020.456\n"
    "J3,1,2354010.123,37434020.456\n"
    "J4,1,2354010.123,37434000.456\n"
    "J1,1,2354000.123,37434000.456\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *gbk = NULL;
  g_autofree char *utf8 = NULL;
  g_autofree char *path = ld_test_path ("out.txt");
  g_autoptr(LdCoordfile) back = NULL;
  g_autoptr(LdCoordfile) loaded = NULL;
  gsize gbk_len = 0, utf8_len = 0;

  gbk = ld_coordfile_to_data (file, NULL, &gbk_len, &error);
  g_assert_no_error (error);
  utf8 = ld_coordfile_to_data (file, "UTF-8", &utf8_len, &error);
  g_assert_no_error (error);
  /* GBK by default: not UTF-8, and the same text once converted. */
  g_assert_false (g_utf8_validate (gbk, gbk_len, NULL));
  {
    g_autofree char *converted = g_convert (gbk, gbk_len, "UTF-8", "GBK", NULL, NULL, NULL);
    g_assert_cmpstr (converted, ==, utf8);
  }
  /* The layout of domain.md §5: CRLF, J1.. numbering, closing repeats, area in ha to 4
   * decimals, X = northing first. */
  g_assert_nonnull (strstr (utf8, "[属性描述]\r\n格式版本号=1.01版本\r\n"));
  g_assert_nonnull (strstr (utf8, "数据产生单位=湛江市自然资源局\r\n"));
  g_assert_nonnull (strstr (utf8, "带号=37\r\n"));
  g_assert_nonnull (strstr (utf8, "[地块坐标]\r\n10,0.9600,DK01,某某项目地块,面,,工业用地,0601,@\r\n"
                                  "J1,1,2353100.000,37433500.000\r\n"));
  g_assert_nonnull (strstr (utf8, "J4,1,2353200.000,37433500.000\r\nJ1,1,2353100.000,37433500.000\r\n"
                                  "J5,2,2353120.000,37433520.000\r\n"));
  g_assert_nonnull (strstr (utf8, "J8,2,2353120.000,37433540.000\r\nJ5,2,2353120.000,37433520.000\r\n"
                                  "5,0.0200,DK02,二号,面,,,,@\r\nJ1,1,2354000.123,37434000.456\r\n"));

  g_assert_true (ld_coordfile_save (file, path, NULL, &error));
  g_assert_no_error (error);
  loaded = ld_coordfile_load (path, &error);
  g_assert_no_error (error);
  back = parse_ok (utf8);
  for (LdCoordfile **f = (LdCoordfile *[]) { back, loaded, NULL }; *f != NULL; f++)
    {
      g_assert_cmpuint (ld_coordfile_get_warnings (*f)->len, ==, 0);
      g_assert_cmpuint (ld_coordfile_get_n_parcels (*f), ==, 2);
      g_assert_cmpstr (ld_coordfile_get_parcel (*f, 0)->name, ==, "某某项目地块");
      g_assert_cmpfloat_with_epsilon (ld_coord_parcel_area (ld_coordfile_get_parcel (*f, 0)), 9600.0,
                                      1e-6);
      g_assert_cmpfloat_with_epsilon (ld_coord_parcel_area (ld_coordfile_get_parcel (*f, 1)), 200.0,
                                      1e-6);
    }
}

static void
test_write_refuses_what_gbk_cannot_hold (void)
{
  g_autoptr(LdCoordfile) file = ld_coordfile_new ();
  LdCoordParcel *parcel = ld_coord_parcel_new ("DK01", "emoji \xF0\x9F\x98\x80 name");
  const LdCoordPoint pts[] = { { 37433500, 2353100 }, { 37433600, 2353100 }, { 37433600, 2353200 } };
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *utf8 = NULL;

  ld_coord_parcel_add_ring (parcel, pts, G_N_ELEMENTS (pts));
  ld_coord_parcel_assign_rings (parcel);
  ld_coordfile_add_parcel (file, parcel);
  data = ld_coordfile_to_data (file, "GBK", NULL, &error);
  g_assert_null (data);
  g_assert_error (error, LD_COORDFILE_ERROR, LD_COORDFILE_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, "UTF-8"));
  g_clear_error (&error);
  utf8 = ld_coordfile_to_data (file, "UTF-8", NULL, &error);
  g_assert_no_error (error);
  /* The ring was closed on the way in; the triangle is half of 100 x 100. */
  g_assert_nonnull (strstr (utf8, "4,0.5000,DK01,emoji"));
}

int
main (int    argc,
      char **argv)
{
  ld_test_init (&argc, &argv);

  g_test_add_func ("/coordfile/basic", test_basic);
  g_test_add_func ("/coordfile/encodings", test_encodings_and_line_ends);
  g_test_add_func ("/coordfile/full-width", test_full_width_punctuation);
  g_test_add_func ("/coordfile/header-widths", test_header_widths);
  g_test_add_func ("/coordfile/several-parcels", test_several_parcels);
  g_test_add_func ("/coordfile/rings", test_rings_by_containment);
  g_test_add_func ("/coordfile/repairs", test_repairs_are_warnings);
  g_test_add_func ("/coordfile/sections", test_sections);
  g_test_add_func ("/coordfile/line-parcels", test_line_parcels_left_out);
  g_test_add_func ("/coordfile/errors", test_errors_name_line_and_field);
  g_test_add_func ("/coordfile/missing-file", test_load_missing_file);
  g_test_add_func ("/coordfile/write", test_write_and_read_back);
  g_test_add_func ("/coordfile/write-gbk-refusal", test_write_refuses_what_gbk_cannot_hold);

  return g_test_run ();
}
