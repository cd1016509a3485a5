/* ld-coordfile-write.c: writing the ministry coordinate file (部标 TXT)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ld-coordfile-private.h"

/* A field must not carry the separators. */
static void
append_field (GString    *out,
              const char *value)
{
  for (const char *p = value != NULL ? value : ""; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == ',' || c == 0xFF0C)
        g_string_append (out, "、");
      else if (c == '\r' || c == '\n' || c == '@' || c == 0xFF20)
        g_string_append_c (out, ' ');
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  g_string_append_c (out, ',');
}

static void
append_ring (GString           *out,
             const LdCoordRing *ring,
             int                number,
             guint             *point_no)
{
  guint first = *point_no;

  for (guint i = 0; i < ring->points->len; i++)
    {
      const LdCoordPoint *pt = &g_array_index (ring->points, LdCoordPoint, i);
      gboolean closing = i + 1 == ring->points->len;
      char x[G_ASCII_DTOSTR_BUF_SIZE], y[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (x, sizeof x, "%.3f", pt->y);
      g_ascii_formatd (y, sizeof y, "%.3f", pt->x);
      g_string_append_printf (out, "J%u,%d,%s,%s\r\n", closing ? first : (*point_no)++,
                              number, x, y);
    }
}

/* Half-up at the 4th decimal, as domain.md §6 asks; the epsilon absorbs binary noise. */
static double
round_ha (double m2)
{
  return floor (m2 + 0.5 + 1e-7) / 1e4;
}

/**
 * ld_coordfile_to_data:
 * @encoding: (nullable): "GBK" (the default) or "UTF-8"
 *
 * Writes the file: the header (the standard keys, then any others set), each parcel with its
 * area in hectares and its points numbered J1.. in survey order (X = northing), outer rings
 * each followed by their holes, every ring closed. Lines end in CRLF, as the ministry's tools
 * expect.
 */
char *
ld_coordfile_to_data (LdCoordfile  *self,
                      const char   *encoding,
                      gsize        *length,
                      GError      **error)
{
  static const char *const standard[][2] = {
    { "格式版本号", "1.01版本" },
    { "数据产生单位", "LandDesk" },
    { "数据产生日期", NULL },
    { "坐标系", "2000国家大地坐标系" },
    { "几度分带", "3" },
    { "投影类型", "高斯克吕格" },
    { "计量单位", "米" },
    { "带号", "37" },
    { "精度", "0.001" },
    { "转换参数", ",,,,,," },
  };
  g_autoptr(GString) out = g_string_new ("[属性描述]\r\n");
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autoptr(GError) local = NULL;
  gsize written = 0;
  char *converted;

  g_return_val_if_fail (LD_IS_COORDFILE (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (standard); i++)
    {
      const char *value = g_hash_table_lookup (self->header, standard[i][0]);

      if (value == NULL)
        value = standard[i][1] != NULL ? standard[i][1] : today;
      g_string_append_printf (out, "%s=%s\r\n", standard[i][0], value);
    }
  for (guint i = 0; i < self->header_keys->len; i++)
    {
      const char *key = g_ptr_array_index (self->header_keys, i);
      gboolean is_standard = FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (standard) && !is_standard; j++)
        is_standard = g_str_equal (key, standard[j][0]);
      if (!is_standard)
        g_string_append_printf (out, "%s=%s\r\n", key,
                                (char *) g_hash_table_lookup (self->header, key));
    }
  g_string_append (out, "[地块坐标]\r\n");

  for (guint i = 0; i < self->parcels->len; i++)
    {
      LdCoordParcel *parcel = g_ptr_array_index (self->parcels, i);
      guint n_points = 0, point_no = 1;
      int number = 1;
      char area[G_ASCII_DTOSTR_BUF_SIZE];

      for (guint r = 0; r < parcel->rings->len; r++)
        n_points += ((LdCoordRing *) g_ptr_array_index (parcel->rings, r))->points->len;
      g_ascii_formatd (area, sizeof area, "%.4f", round_ha (ld_coord_parcel_area (parcel)));
      g_string_append_printf (out, "%u,%s,", n_points, area);
      append_field (out, parcel->parcel_no);
      append_field (out, parcel->name);
      append_field (out, "面");
      append_field (out, parcel->sheet);
      append_field (out, parcel->use);
      append_field (out, parcel->class_code);
      g_string_append (out, "@\r\n");

      for (guint r = 0; r < parcel->rings->len; r++)
        {
          LdCoordRing *shell = g_ptr_array_index (parcel->rings, r);

          if (shell->shell >= 0)
            continue;
          append_ring (out, shell, number++, &point_no);
          for (guint h = 0; h < parcel->rings->len; h++)
            {
              LdCoordRing *hole = g_ptr_array_index (parcel->rings, h);

              if (hole->shell == (int) r)
                append_ring (out, hole, number++, &point_no);
            }
        }
    }

  if (encoding == NULL || g_ascii_strcasecmp (encoding, "GBK") == 0)
    {
      converted = g_convert (out->str, out->len, "GBK", "UTF-8", NULL, &written, &local);
      if (converted == NULL)
        {
          g_set_error (error, LD_COORDFILE_ERROR, LD_COORDFILE_ERROR_WRITE,
                       "the text cannot be written in GBK (%s); write it as UTF-8 instead",
                       local->message);
          return NULL;
        }
      if (length != NULL)
        *length = written;
      return converted;
    }
  if (g_ascii_strcasecmp (encoding, "UTF-8") == 0 || g_ascii_strcasecmp (encoding, "UTF8") == 0)
    {
      if (length != NULL)
        *length = out->len;
      return g_string_free (g_steal_pointer (&out), FALSE);
    }
  g_set_error (error, LD_COORDFILE_ERROR, LD_COORDFILE_ERROR_WRITE,
               "unknown encoding '%s'; use GBK or UTF-8", encoding);
  return NULL;
}

gboolean
ld_coordfile_save (LdCoordfile  *self,
                   const char   *path,
                   const char   *encoding,
                   GError      **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  data = ld_coordfile_to_data (self, encoding, &length, error);
  if (data == NULL)
    return FALSE;
  if (!g_file_set_contents (path, data, length, &local))
    {
      g_set_error (error, LD_COORDFILE_ERROR, LD_COORDFILE_ERROR_WRITE, "%s", local->message);
      return FALSE;
    }
  return TRUE;
}
