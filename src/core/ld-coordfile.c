/* ld-coordfile.c: the ministry boundary-point coordinate file (部标 TXT), read and written
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The format (domain.md §5): an [属性描述] section of KEY=VALUE lines, then [地块坐标] with,
 * per parcel, a header line whose last field is '@' and point lines "name,ring,X,Y" where
 * X is the northing and Y the easting. Producers differ in encoding, line ends, punctuation,
 * header width, zone prefix and column order; the reader accepts all of that and says what it
 * repaired in warnings. It depends on GLib only, so the fuzz target can build it alone.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ld-coordfile-private.h"

G_DEFINE_FINAL_TYPE (LdCoordfile, ld_coordfile, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-coordfile-error-quark, ld_coordfile_error)

/* The parser's state, one per parse. */
typedef struct
{
  LdCoordfile   *self;
  const char    *name;       /* the file name used in messages */
  LdCoordParcel *parcel;     /* the parcel being read, or NULL */
  GArray        *raw;        /* RawPoint of the current parcel */
  guint          n_point_lines;
  gboolean       skip;       /* the current parcel is a line or point parcel: not kept */
  gboolean       warned_range;
} Parser;

typedef struct
{
  double a;      /* third field, the northing when the columns are in order */
  double b;      /* fourth field, the easting */
  int    ring;
  guint  line;
} RawPoint;

enum
{
  SECTION_NONE,
  SECTION_ATTRIBUTES,
  SECTION_COORDINATES,
  SECTION_UNKNOWN,
};

/* Zhanjiang in EPSG:4525 (domain.md §4), for a warning when points lie elsewhere. */
#define ZJ_NORTH_MIN 2234000.0
#define ZJ_NORTH_MAX 2392000.0
#define ZJ_EAST_MIN  37346000.0
#define ZJ_EAST_MAX  37492000.0

/* Coordinates in messages: millimetres, but not 300 digits for 1e300. */
#define COORD_FORMAT(v) (fabs (v) < 1e12 ? "%.3f" : "%g")

static void
add_warning (LdCoordfile *self,
             const char  *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
add_warning (LdCoordfile *self,
             const char  *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (self->warnings, g_strdup_vprintf (format, args));
  va_end (args);
}

static gboolean
syntax_error (GError     **error,
              const char  *name,
              guint        line,
              const char  *field,
              const char  *format,
              ...) G_GNUC_PRINTF (5, 6);

static gboolean
syntax_error (GError     **error,
              const char  *name,
              guint        line,
              const char  *field,
              const char  *format,
              ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  if (field != NULL)
    g_set_error (error, LD_COORDFILE_ERROR, LD_COORDFILE_ERROR_SYNTAX,
                 "%s:%u: field %s: %s", name, line, field, msg);
  else
    g_set_error (error, LD_COORDFILE_ERROR, LD_COORDFILE_ERROR_SYNTAX,
                 "%s:%u: %s", name, line, msg);
  return FALSE;
}

/* Strict UTF-8 (a BOM is dropped), else UTF-16 with a BOM, else GB18030 (a superset of GBK). */
static char *
decode (const char  *data,
        gsize        length,
        const char  *name,
        GError     **error)
{
  g_autoptr(GError) local = NULL;
  char *text;
  gsize written = 0;

  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    {
      data += 3;
      length -= 3;
    }
  else if (length >= 2 && (memcmp (data, "\xFF\xFE", 2) == 0 || memcmp (data, "\xFE\xFF", 2) == 0))
    {
      text = g_convert (data + 2, length - 2, "UTF-8",
                        data[0] == '\xFF' ? "UTF-16LE" : "UTF-16BE", NULL, &written, &local);
      if (text == NULL || memchr (text, '\0', written) != NULL)
        {
          g_free (text);
          g_set_error (error, LD_COORDFILE_ERROR, LD_COORDFILE_ERROR_ENCODING,
                       "%s: the file starts like UTF-16 text but is not valid UTF-16", name);
          return NULL;
        }
      return text;
    }

  if (memchr (data, '\0', length) != NULL)
    {
      g_set_error (error, LD_COORDFILE_ERROR, LD_COORDFILE_ERROR_ENCODING,
                   "%s: this is not a text file (it contains NUL bytes)", name);
      return NULL;
    }
  if (g_utf8_validate (data, length, NULL))
    return g_strndup (data, length);

  text = g_convert (data, length, "UTF-8", "GB18030", NULL, &written, &local);
  if (text == NULL)
    {
      g_set_error (error, LD_COORDFILE_ERROR, LD_COORDFILE_ERROR_ENCODING,
                   "%s: the text is neither UTF-8 nor GBK/GB18030 (%s); save it in one of them",
                   name, local->message);
      return NULL;
    }
  return text;
}

/* Full-width punctuation and digits become ASCII, so that "J1，1，2353105．52" reads. */
static char *
normalize_width (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == 0xFF0C || c == 0xFF0E || c == 0xFF20 || c == 0xFF1D || c == 0xFF0D
          || (c >= 0xFF10 && c <= 0xFF19))
        g_string_append_c (out, (char) (c - 0xFF00 + 0x20));
      else if (c == 0x3000)
        g_string_append_c (out, ' ');
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  return g_string_free (out, FALSE);
}

static char **
split_fields (const char *line,
              guint      *n_fields)
{
  char **fields = g_strsplit (line, ",", -1);
  guint n = g_strv_length (fields);

  for (guint i = 0; i < n; i++)
    g_strstrip (fields[i]);
  /* A trailing comma ("J1,1,X,Y,") leaves empty fields: they carry nothing. */
  while (n > 0 && fields[n - 1][0] == '\0')
    {
      g_free (fields[n - 1]);
      fields[--n] = NULL;
    }
  *n_fields = n;
  return fields;
}

static gboolean
parse_number (const char *text,
              double     *value)
{
  char *end = NULL;
  double v;

  if (text[0] == '\0')
    return FALSE;
  /* Only plain decimal numbers: strtod would also take "nan", "inf" and hex. */
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && *p != '.' && *p != '-' && *p != '+' && *p != 'e' && *p != 'E')
      return FALSE;
  v = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (v))
    return FALSE;
  *value = v;
  return TRUE;
}

static gboolean
parse_int (const char *text,
           gint64      min,
           gint64      max,
           int        *value)
{
  gint64 v;

  if (!g_ascii_string_to_signed (text, 10, min, max, &v, NULL))
    return FALSE;
  *value = (int) v;
  return TRUE;
}

/* Turns a parcel's raw points into rings in GIS order with the zone prefix. */
static gboolean
finish_parcel (Parser  *p,
               GError **error)
{
  LdCoordfile *self = p->self;
  LdCoordParcel *parcel = p->parcel;
  RawPoint *raw = (RawPoint *) p->raw->data;
  guint n_in_order = 0, n_swapped = 0, start = 0;
  gboolean swapped;
  double area;

  /* On failure the parcel stays in p->parcel for the caller to free. */
  if (parcel == NULL)
    return TRUE;
  if (p->skip)
    {
      p->parcel = NULL;
      ld_coord_parcel_free (parcel);
      return TRUE;
    }

  if (p->raw->len == 0)
    {
      return syntax_error (error, p->name, parcel->line, "point_count",
                           "parcel %s has no point lines", parcel->parcel_no);
    }

  /* Northings in China are 1 000 000-9 999 999 m; eastings are below 1 000 000 without the
   * zone prefix and above 10 000 000 with it, so the magnitudes tell the columns apart. */
  for (guint i = 0; i < p->raw->len; i++)
    {
      gboolean a_north = raw[i].a >= 1e6 && raw[i].a < 1e7;
      gboolean b_north = raw[i].b >= 1e6 && raw[i].b < 1e7;

      if (a_north && !b_north)
        n_in_order++;
      else if (b_north && !a_north)
        n_swapped++;
    }
  swapped = n_swapped > n_in_order;
  if (swapped)
    add_warning (self, "%s:%u: parcel %s has X and Y swapped (X holds eastings); read as Y,X",
                 p->name, parcel->line, parcel->parcel_no);

  for (guint i = 0; i < p->raw->len; i++)
    {
      double north = swapped ? raw[i].b : raw[i].a;
      double east = swapped ? raw[i].a : raw[i].b;
      const char *north_field = swapped ? "Y" : "X", *east_field = swapped ? "X" : "Y";

      if (!(north >= 0.0 && north < 1e7))
        {
          g_autofree char *text = g_strdup_printf (COORD_FORMAT (north), north);

          return syntax_error (error, p->name, raw[i].line, north_field,
                               "%s is not a northing in metres (expected 0 to 9999999.999)",
                               text);
        }
      if (east >= 1e7 && east < 1e8)
        {
          int prefix = (int) (east / 1e6);

          if (self->zone == 0)
            self->zone = prefix;
          else if (prefix != self->zone)
            {
              return syntax_error (error, p->name, raw[i].line, east_field,
                                   "zone prefix %d of %.3f disagrees with zone %d", prefix, east,
                                   self->zone);
            }
        }
      else if (east >= 0.0 && east < 1e6)
        {
          if (self->zone == 0)
            {
              self->zone = 37;
              add_warning (self, "%s:%u: no zone (带号) and no zone prefix: zone 37 assumed",
                           p->name, raw[i].line);
            }
          raw[i].b = east + self->zone * 1e6;
          raw[i].a = north;
          continue;
        }
      else
        {
          g_autofree char *text = g_strdup_printf (COORD_FORMAT (east), east);

          return syntax_error (error, p->name, raw[i].line, east_field,
                               "%s is not an easting (expected 0 to 999999.999 without the "
                               "zone prefix or ZZxxxxxx.xxx with it)", text);
        }
      raw[i].a = north;
      raw[i].b = east;
    }

  /* Rings: runs of points with one ring number, closed if they are not. */
  while (start < p->raw->len)
    {
      guint end = start;
      g_autoptr(GArray) pts = g_array_new (FALSE, FALSE, sizeof (LdCoordPoint));
      LdCoordPoint kept[3];
      guint distinct = 0;
      LdCoordRing *ring;

      while (end < p->raw->len && raw[end].ring == raw[start].ring)
        {
          LdCoordPoint pt = { raw[end].b, raw[end].a };
          g_array_append_val (pts, pt);
          end++;
        }
      if (pts->len > 1
          && !ld_coord_same_point (&g_array_index (pts, LdCoordPoint, 0),
                          &g_array_index (pts, LdCoordPoint, pts->len - 1)))
        {
          LdCoordPoint first = g_array_index (pts, LdCoordPoint, 0);

          add_warning (self, "%s:%u: ring %d of parcel %s is not closed; closed it",
                       p->name, raw[start].line, raw[start].ring, parcel->parcel_no);
          g_array_append_val (pts, first);
        }
      for (guint i = 0; i < pts->len && distinct < 3; i++)
        {
          gboolean seen = FALSE;

          for (guint j = 0; j < distinct && !seen; j++)
            seen = ld_coord_same_point (&g_array_index (pts, LdCoordPoint, i), &kept[j]);
          if (!seen)
            kept[distinct++] = g_array_index (pts, LdCoordPoint, i);
        }
      if (distinct < 3)
        return syntax_error (error, p->name, raw[start].line, "ring",
                             "ring %d of parcel %s has fewer than 3 distinct points",
                             raw[start].ring, parcel->parcel_no);
      ring = ld_coord_parcel_add_ring (parcel, (LdCoordPoint *) pts->data, pts->len);
      ring->number = raw[start].ring;
      ring->line = raw[start].line;
      start = end;
    }
  ld_coord_parcel_assign_rings (parcel);

  if (parcel->point_count >= 0 && (guint) parcel->point_count != p->n_point_lines)
    add_warning (self, "%s:%u: parcel %s declares %d points but has %u point lines",
                 p->name, parcel->line, parcel->parcel_no, parcel->point_count,
                 p->n_point_lines);

  area = ld_coord_parcel_area (parcel);
  if (!isnan (parcel->area_ha) && fabs (parcel->area_ha - area / 1e4) > 0.01 + 1e-9)
    add_warning (self, "%s:%u: parcel %s: the header area %.4f ha differs from the area of its "
                 "points, %.4f ha, by %.4f ha", p->name, parcel->line, parcel->parcel_no,
                 parcel->area_ha, area / 1e4, fabs (parcel->area_ha - area / 1e4));

  if (!p->warned_range && self->zone == 37)
    for (guint r = 0; r < parcel->rings->len && !p->warned_range; r++)
      {
        LdCoordRing *ring = g_ptr_array_index (parcel->rings, r);

        for (guint i = 0; i < ring->points->len; i++)
          {
            LdCoordPoint *pt = &g_array_index (ring->points, LdCoordPoint, i);

            if (pt->y < ZJ_NORTH_MIN || pt->y > ZJ_NORTH_MAX
                || pt->x < ZJ_EAST_MIN || pt->x > ZJ_EAST_MAX)
              {
                add_warning (self, "%s:%u: parcel %s lies outside Zhanjiang (X %.3f, Y %.3f)",
                             p->name, ring->line, parcel->parcel_no, pt->y, pt->x);
                p->warned_range = TRUE;
                break;
              }
          }
      }

  p->parcel = NULL;
  g_ptr_array_add (self->parcels, parcel);
  return TRUE;
}

static gboolean
start_parcel (Parser      *p,
              char       **fields,
              guint        n_fields,
              guint        line,
              GError     **error)
{
  guint n = n_fields - 1;  /* without the '@' */
  LdCoordParcel *parcel;
  const char *kind;

  if (!finish_parcel (p, error))
    return FALSE;
  if (n < 7 || n > 13)
    return syntax_error (error, p->name, line, "@",
                         "the parcel header has %u fields before '@', expected 7 to 13", n);

  parcel = ld_coord_parcel_new (fields[2], fields[3]);
  parcel->line = line;
  p->parcel = parcel;
  g_array_set_size (p->raw, 0);
  p->n_point_lines = 0;
  p->skip = FALSE;

  if (fields[0][0] != '\0' && !parse_int (fields[0], 0, G_MAXINT, &parcel->point_count))
    return syntax_error (error, p->name, line, "point_count",
                         "'%s' is not a whole number of points", fields[0]);
  if (fields[1][0] != '\0'
      && (!parse_number (fields[1], &parcel->area_ha) || parcel->area_ha < 0))
    return syntax_error (error, p->name, line, "area",
                         "'%s' is not an area in hectares", fields[1]);
  if (fields[2][0] == '\0')
    {
      g_free (parcel->parcel_no);
      parcel->parcel_no = g_strdup_printf ("%u", p->self->parcels->len + 1);
    }
  kind = fields[4];
  g_free (parcel->kind);
  parcel->kind = g_strdup (kind[0] != '\0' ? kind : "面");
  if (!g_str_equal (parcel->kind, "面"))
    {
      add_warning (p->self, "%s:%u: parcel %s is a %s, not a polygon (面): left out",
                   p->name, line, parcel->parcel_no, parcel->kind);
      p->skip = TRUE;
    }
  parcel->sheet = g_strdup (fields[5]);
  parcel->use = g_strdup (fields[6]);
  parcel->class_code = g_strdup (n >= 8 ? fields[7] : "");
  return TRUE;
}

static gboolean
add_point (Parser     *p,
           char      **fields,
           guint       n_fields,
           guint       line,
           GError    **error)
{
  RawPoint pt = { 0, 0, 0, line };
  const char *pname = n_fields > 0 ? fields[0] : "";

  if (p->parcel == NULL)
    return syntax_error (error, p->name, line, NULL,
                         "point %s comes before any parcel header (a line ending in ',@')",
                         pname);
  if (n_fields != 4)
    return syntax_error (error, p->name, line, NULL,
                         "point %s has %u fields, expected 4 (name,ring,X,Y)", pname, n_fields);
  if (!parse_int (fields[1], 1, 100000, &pt.ring))
    return syntax_error (error, p->name, line, "ring",
                         "'%s' is not a ring number (1, 2, ...)", fields[1]);
  if (!parse_number (fields[2], &pt.a))
    return syntax_error (error, p->name, line, "X", "'%s' is not a number", fields[2]);
  if (!parse_number (fields[3], &pt.b))
    return syntax_error (error, p->name, line, "Y", "'%s' is not a number", fields[3]);

  if (p->raw->len > 0)
    {
      RawPoint *last = &g_array_index (p->raw, RawPoint, p->raw->len - 1);

      if (last->ring != pt.ring)
        for (guint i = 0; i < p->raw->len; i++)
          if (g_array_index (p->raw, RawPoint, i).ring == pt.ring)
            return syntax_error (error, p->name, line, "ring",
                                 "ring %d of parcel %s starts again after ring %d; "
                                 "the points of a ring must follow each other",
                                 pt.ring, p->parcel->parcel_no, last->ring);
    }
  g_array_append_val (p->raw, pt);
  p->n_point_lines++;
  return TRUE;
}

static gboolean
read_header_line (Parser     *p,
                  const char *line_text,
                  guint       line,
                  GError    **error)
{
  LdCoordfile *self = p->self;
  const char *eq = strchr (line_text, '=');
  g_autofree char *key = NULL;
  g_autofree char *value = NULL;

  if (eq == NULL)
    {
      add_warning (self, "%s:%u: '%s' is not KEY=VALUE; ignored", p->name, line, line_text);
      return TRUE;
    }
  key = g_strstrip (g_strndup (line_text, eq - line_text));
  value = g_strstrip (g_strdup (eq + 1));
  ld_coordfile_set_header (self, key, value);

  if (g_str_equal (key, "带号") && value[0] != '\0')
    {
      if (!parse_int (value, 1, 99, &self->zone))
        return syntax_error (error, p->name, line, "带号", "'%s' is not a zone number", value);
    }
  else if (g_str_equal (key, "几度分带") && value[0] != '\0')
    {
      if (!parse_int (value, 3, 6, &self->zone_width) || (self->zone_width != 3
                                                          && self->zone_width != 6))
        return syntax_error (error, p->name, line, "几度分带",
                             "'%s' is not a zone width (3 or 6)", value);
    }
  else if (g_str_equal (key, "坐标系"))
    {
      if (strstr (value, "西安") != NULL || strstr (value, "1980") != NULL
          || strstr (value, "北京") != NULL || strstr (value, "1954") != NULL)
        {
          g_set_error (error, LD_COORDFILE_ERROR, LD_COORDFILE_ERROR_CRS,
                       "%s:%u: field 坐标系: the points are in %s; turning them into CGCS2000 "
                       "needs the seven datum parameters of your survey, which LandDesk cannot "
                       "guess: convert the file to 2000国家大地坐标系 first", p->name, line, value);
          return FALSE;
        }
      if (value[0] != '\0' && strstr (value, "2000") == NULL && strstr (value, "CGCS") == NULL)
        add_warning (self, "%s:%u: coordinate system '%s' read as CGCS2000", p->name, line,
                     value);
    }
  else if (g_str_equal (key, "计量单位") && value[0] != '\0' && !g_str_equal (value, "米")
           && g_ascii_strcasecmp (value, "m") != 0)
    {
      return syntax_error (error, p->name, line, "计量单位",
                           "unit '%s' is not metres (米)", value);
    }
  return TRUE;
}

static void
ld_coordfile_finalize (GObject *object)
{
  LdCoordfile *self = LD_COORDFILE (object);

  g_clear_pointer (&self->header_keys, g_ptr_array_unref);
  g_clear_pointer (&self->header, g_hash_table_unref);
  g_clear_pointer (&self->parcels, g_ptr_array_unref);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);

  G_OBJECT_CLASS (ld_coordfile_parent_class)->finalize (object);
}

static void
ld_coordfile_class_init (LdCoordfileClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_coordfile_finalize;
}

static void
ld_coordfile_init (LdCoordfile *self)
{
  self->header_keys = g_ptr_array_new_with_free_func (g_free);
  self->header = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->parcels = g_ptr_array_new_with_free_func ((GDestroyNotify) ld_coord_parcel_free);
  self->warnings = g_ptr_array_new_with_free_func (g_free);
}

LdCoordfile *
ld_coordfile_new (void)
{
  return g_object_new (LD_TYPE_COORDFILE, NULL);
}

/**
 * ld_coordfile_load:
 * @path: a coordinate file
 *
 * Reads @path; see ld_coordfile_parse().
 */
LdCoordfile *
ld_coordfile_load (const char  *path,
                   GError     **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *data = NULL;
  g_autofree char *display = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &data, &length, &local))
    {
      g_set_error (error, LD_COORDFILE_ERROR, LD_COORDFILE_ERROR_OPEN, "%s", local->message);
      return NULL;
    }
  display = g_filename_display_name (path);
  return ld_coordfile_parse (data, length, display, error);
}

/**
 * ld_coordfile_parse:
 * @data: (array length=length): the file's bytes, in any encoding the format meets
 * @name: the file name for messages
 *
 * Parses a coordinate file. Repairs (unclosed rings, swapped columns, a missing zone prefix)
 * and disagreements (point counts, header areas) become warnings; anything that would make
 * the geometry a guess is an error naming the line and the field.
 */
LdCoordfile *
ld_coordfile_parse (const char  *data,
                    gsize        length,
                    const char  *name,
                    GError     **error)
{
  g_autoptr(LdCoordfile) self = ld_coordfile_new ();
  g_autofree char *decoded = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GArray) raw = g_array_new (FALSE, FALSE, sizeof (RawPoint));
  Parser p = { self, name != NULL ? name : "<data>", NULL, raw, 0, FALSE, FALSE };
  int section = SECTION_NONE;
  gboolean ok = TRUE;

  decoded = decode (data, length, p.name, error);
  if (decoded == NULL)
    return NULL;
  text = normalize_width (decoded);
  /* LF or CRLF; old Mac files end lines with CR alone. */
  lines = g_strsplit (text, strchr (text, '\n') == NULL ? "\r" : "\n", -1);

  for (guint i = 0; ok && lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      guint lineno = i + 1;
      g_auto(GStrv) fields = NULL;
      guint n_fields = 0;

      if (line[0] == '\0')
        continue;
      if (line[0] == '[')
        {
          char *close = strchr (line, ']');

          ok = finish_parcel (&p, error);
          if (close != NULL)
            *close = '\0';
          if (g_str_equal (line + 1, "属性描述"))
            section = SECTION_ATTRIBUTES;
          else if (g_str_equal (line + 1, "地块坐标"))
            section = SECTION_COORDINATES;
          else
            {
              /* Unknown sections before [属性描述] are normal; elsewhere, say so. */
              if (section != SECTION_NONE)
                add_warning (self, "%s:%u: unknown section [%s] ignored", p.name, lineno,
                             line + 1);
              section = SECTION_UNKNOWN;
            }
          continue;
        }

      switch (section)
        {
        case SECTION_ATTRIBUTES:
          ok = read_header_line (&p, line, lineno, error);
          break;

        case SECTION_NONE:
        case SECTION_COORDINATES:
          fields = split_fields (line, &n_fields);
          if (n_fields > 0 && g_str_equal (fields[n_fields - 1], "@"))
            {
              if (section == SECTION_NONE)
                {
                  add_warning (self, "%s:%u: parcels without a [地块坐标] section header",
                               p.name, lineno);
                  section = SECTION_COORDINATES;
                }
              ok = start_parcel (&p, fields, n_fields, lineno, error);
            }
          else if (section == SECTION_COORDINATES)
            ok = add_point (&p, fields, n_fields, lineno, error);
          else
            add_warning (self, "%s:%u: text before the first section ignored", p.name, lineno);
          break;

        default:
          break;
        }
    }
  if (ok)
    ok = finish_parcel (&p, error);
  if (!ok)
    {
      if (p.parcel != NULL)
        ld_coord_parcel_free (p.parcel);
      return NULL;
    }
  if (self->parcels->len == 0)
    {
      g_set_error (error, LD_COORDFILE_ERROR, LD_COORDFILE_ERROR_EMPTY,
                   "%s: no polygon parcel found (a parcel starts with a line ending in ',@' "
                   "after [地块坐标])", p.name);
      return NULL;
    }
  if (self->zone_width == 0)
    self->zone_width = 3;
  return g_steal_pointer (&self);
}

const char *
ld_coordfile_get_header (LdCoordfile *self,
                         const char  *key)
{
  g_return_val_if_fail (LD_IS_COORDFILE (self), NULL);

  return g_hash_table_lookup (self->header, key);
}

void
ld_coordfile_set_header (LdCoordfile *self,
                         const char  *key,
                         const char  *value)
{
  g_return_if_fail (LD_IS_COORDFILE (self));
  g_return_if_fail (key != NULL);

  if (!g_hash_table_contains (self->header, key))
    g_ptr_array_add (self->header_keys, g_strdup (key));
  g_hash_table_replace (self->header, g_strdup (key), g_strdup (value != NULL ? value : ""));
}

/* The zone of the coordinates, 0 when unknown. */
int
ld_coordfile_get_zone (LdCoordfile *self)
{
  g_return_val_if_fail (LD_IS_COORDFILE (self), 0);

  return self->zone;
}

int
ld_coordfile_get_zone_width (LdCoordfile *self)
{
  g_return_val_if_fail (LD_IS_COORDFILE (self), 3);

  return self->zone_width != 0 ? self->zone_width : 3;
}

/* The EPSG code of CGCS2000 Gauss-Krüger with the zone prefix for this file's zone, or 0 when
 * the zone is not a CGCS2000 zone (3-degree 25-45 or 6-degree 13-23). */
int
ld_coordfile_get_epsg (LdCoordfile *self)
{
  int width = ld_coordfile_get_zone_width (self);

  g_return_val_if_fail (LD_IS_COORDFILE (self), 0);

  if (width == 3 && self->zone >= 25 && self->zone <= 45)
    return 4513 + self->zone - 25;
  if (width == 6 && self->zone >= 13 && self->zone <= 23)
    return 4491 + self->zone - 13;
  return 0;
}

guint
ld_coordfile_get_n_parcels (LdCoordfile *self)
{
  g_return_val_if_fail (LD_IS_COORDFILE (self), 0);

  return self->parcels->len;
}

LdCoordParcel *
ld_coordfile_get_parcel (LdCoordfile *self,
                         guint        index)
{
  g_return_val_if_fail (LD_IS_COORDFILE (self), NULL);
  g_return_val_if_fail (index < self->parcels->len, NULL);

  return g_ptr_array_index (self->parcels, index);
}

/* Takes ownership of @parcel. */
void
ld_coordfile_add_parcel (LdCoordfile   *self,
                         LdCoordParcel *parcel)
{
  g_return_if_fail (LD_IS_COORDFILE (self));

  g_ptr_array_add (self->parcels, parcel);
}

GPtrArray *
ld_coordfile_get_warnings (LdCoordfile *self)
{
  g_return_val_if_fail (LD_IS_COORDFILE (self), NULL);

  return self->warnings;
}
