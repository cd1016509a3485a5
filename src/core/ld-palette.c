/* ld-palette.c: a layer's class palette (data/styles/<layer>.csv)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ld-palette.h"

struct _LdPalette
{
  GObject     parent_instance;

  GArray     *entries;    /* LdPaletteEntry */
  GHashTable *metadata;   /* "field" -> "DLBM" */
  char       *checksum;   /* of the file's bytes: style changes invalidate rendered tiles */
};

G_DEFINE_FINAL_TYPE (LdPalette, ld_palette, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-palette-error-quark, ld_palette_error)

enum { COL_CODE, COL_NAME, COL_FILL, COL_OUTLINE, COL_LABEL, N_COLS };

static const char * const column_names[N_COLS] = { "code", "name", "fill", "outline", "label" };

static void
clear_entry (gpointer data)
{
  LdPaletteEntry *entry = data;

  g_free (entry->code);
  g_free (entry->name);
}

/* Splits one CSV line; fields may be double-quoted with "" as an escaped quote. */
static GPtrArray *
split_csv (const char *line,
           gboolean   *ok)
{
  GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);
  const char *p = line;

  *ok = TRUE;
  for (;;)
    {
      GString *field = g_string_new (NULL);

      if (*p == '"')
        {
          p++;
          for (;;)
            {
              if (*p == '\0')
                {
                  *ok = FALSE;
                  break;
                }
              if (*p == '"' && p[1] == '"')
                {
                  g_string_append_c (field, '"');
                  p += 2;
                }
              else if (*p == '"')
                {
                  p++;
                  break;
                }
              else
                g_string_append_c (field, *p++);
            }
          while (*p != ',' && *p != '\0')
            p++;
        }
      else
        {
          while (*p != ',' && *p != '\0')
            g_string_append_c (field, *p++);
        }
      g_ptr_array_add (fields, g_strstrip (g_string_free (field, FALSE)));
      if (*p != ',')
        break;
      p++;
    }
  return fields;
}

static gboolean
parse_colour (const char *text,
              double      rgba[4])
{
  size_t len = strlen (text);
  guint v[4] = { 0, 0, 0, 255 };

  if (text[0] != '#' || (len != 7 && len != 9))
    return FALSE;
  for (size_t i = 1; i < len; i++)
    if (!g_ascii_isxdigit (text[i]))
      return FALSE;
  for (guint i = 0; i < (len - 1) / 2; i++)
    v[i] = g_ascii_xdigit_value (text[1 + 2 * i]) * 16 + g_ascii_xdigit_value (text[2 + 2 * i]);
  for (guint i = 0; i < 4; i++)
    rgba[i] = v[i] / 255.0;
  return TRUE;
}

static gboolean
parse_line (LdPalette   *self,
            const char  *source,
            guint        lineno,
            GPtrArray   *fields,
            const int    cols[N_COLS],
            GError     **error)
{
  LdPaletteEntry entry = { 0 };
  const char *text;

#define FIELD(c) (cols[c] >= 0 && (guint) cols[c] < fields->len ? (const char *) fields->pdata[cols[c]] : "")

  text = FIELD (COL_CODE);
  if (text[0] == '\0')
    {
      g_set_error (error, LD_PALETTE_ERROR, LD_PALETTE_ERROR_PARSE,
                   "%s:%u: field code: empty (use * for the default row)", source, lineno);
      return FALSE;
    }
  for (guint i = 0; i < self->entries->len; i++)
    if (g_strcmp0 (g_array_index (self->entries, LdPaletteEntry, i).code, text) == 0)
      {
        g_set_error (error, LD_PALETTE_ERROR, LD_PALETTE_ERROR_PARSE,
                     "%s:%u: field code: %s appears twice", source, lineno, text);
        return FALSE;
      }

  text = FIELD (COL_FILL);
  entry.has_fill = text[0] != '\0';
  if (entry.has_fill && !parse_colour (text, entry.fill))
    {
      g_set_error (error, LD_PALETTE_ERROR, LD_PALETTE_ERROR_PARSE,
                   "%s:%u: field fill: '%s' is not a colour like #RRGGBB or #RRGGBBAA",
                   source, lineno, text);
      return FALSE;
    }
  text = FIELD (COL_OUTLINE);
  entry.has_outline = text[0] != '\0';
  if (entry.has_outline && !parse_colour (text, entry.outline))
    {
      g_set_error (error, LD_PALETTE_ERROR, LD_PALETTE_ERROR_PARSE,
                   "%s:%u: field outline: '%s' is not a colour like #RRGGBB or #RRGGBBAA",
                   source, lineno, text);
      return FALSE;
    }
  text = FIELD (COL_LABEL);
  if (text[0] != '\0' && g_strcmp0 (text, "0") != 0 && g_strcmp0 (text, "1") != 0)
    {
      g_set_error (error, LD_PALETTE_ERROR, LD_PALETTE_ERROR_PARSE,
                   "%s:%u: field label: '%s' must be 0 or 1", source, lineno, text);
      return FALSE;
    }
  entry.label = g_strcmp0 (text, "1") == 0;
  entry.code = g_strdup (FIELD (COL_CODE));
  entry.name = g_strdup (FIELD (COL_NAME));
  g_array_append_val (self->entries, entry);
  return TRUE;
#undef FIELD
}

static gboolean
parse (LdPalette   *self,
       const char  *data,
       gsize        length,
       const char  *source,
       GError     **error)
{
  g_auto(GStrv) lines = NULL;
  g_autofree char *text = g_strndup (data, length);
  int cols[N_COLS] = { -1, -1, -1, -1, -1 };
  gboolean have_header = FALSE;

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, LD_PALETTE_ERROR, LD_PALETTE_ERROR_PARSE,
                   "%s: not UTF-8 text", source);
      return FALSE;
    }
  self->checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);
  lines = g_strsplit (g_str_has_prefix (text, "\xEF\xBB\xBF") ? text + 3 : text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      g_autoptr(GPtrArray) fields = NULL;
      gboolean ok;

      if (line[0] == '\0')
        continue;
      if (line[0] == '#')
        {
          char *colon = strchr (line, ':');

          if (colon != NULL)
            {
              g_autofree char *key = g_strstrip (g_strndup (line + 1, colon - line - 1));
              g_autofree char *value = g_strstrip (g_strdup (colon + 1));

              if (key[0] != '\0' && strchr (key, ' ') == NULL)
                g_hash_table_replace (self->metadata, g_steal_pointer (&key),
                                      g_steal_pointer (&value));
            }
          continue;
        }
      fields = split_csv (line, &ok);
      if (!ok)
        {
          g_set_error (error, LD_PALETTE_ERROR, LD_PALETTE_ERROR_PARSE,
                       "%s:%u: unterminated quote", source, i + 1);
          return FALSE;
        }
      if (!have_header)
        {
          for (guint f = 0; f < fields->len; f++)
            for (guint c = 0; c < N_COLS; c++)
              if (g_ascii_strcasecmp (fields->pdata[f], column_names[c]) == 0)
                cols[c] = f;
          if (cols[COL_CODE] < 0 || cols[COL_FILL] < 0)
            {
              g_set_error (error, LD_PALETTE_ERROR, LD_PALETTE_ERROR_PARSE,
                           "%s:%u: the header must name the columns code,name,fill,outline,label",
                           source, i + 1);
              return FALSE;
            }
          have_header = TRUE;
          continue;
        }
      if (!parse_line (self, source, i + 1, fields, cols, error))
        return FALSE;
    }
  if (!have_header)
    {
      g_set_error (error, LD_PALETTE_ERROR, LD_PALETTE_ERROR_PARSE,
                   "%s: no header row (code,name,fill,outline,label)", source);
      return FALSE;
    }
  return TRUE;
}

static void
ld_palette_finalize (GObject *object)
{
  LdPalette *self = LD_PALETTE (object);

  g_clear_pointer (&self->entries, g_array_unref);
  g_clear_pointer (&self->metadata, g_hash_table_unref);
  g_clear_pointer (&self->checksum, g_free);

  G_OBJECT_CLASS (ld_palette_parent_class)->finalize (object);
}

static void
ld_palette_class_init (LdPaletteClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_palette_finalize;
}

static void
ld_palette_init (LdPalette *self)
{
  self->entries = g_array_new (FALSE, TRUE, sizeof (LdPaletteEntry));
  g_array_set_clear_func (self->entries, clear_entry);
  self->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * ld_palette_new_from_file:
 * @path: a palette CSV in the format of data/README.md
 *
 * Errors name the file and line: "xz_dltb.csv:7: field fill: '#12' is not a colour".
 */
LdPalette *
ld_palette_new_from_file (const char  *path,
                          GError     **error)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      g_set_error (error, LD_PALETTE_ERROR, LD_PALETTE_ERROR_OPEN,
                   "Cannot read palette: %s", local_error->message);
      return NULL;
    }
  return ld_palette_new_from_data (data, length, path, error);
}

/**
 * ld_palette_new_from_data:
 * @source_name: names the data in error messages (usually the file name)
 */
LdPalette *
ld_palette_new_from_data (const char  *data,
                          gssize       length,
                          const char  *source_name,
                          GError     **error)
{
  g_autoptr(LdPalette) self = g_object_new (LD_TYPE_PALETTE, NULL);

  g_return_val_if_fail (data != NULL, NULL);

  if (length < 0)
    length = strlen (data);
  if (!parse (self, data, length, source_name ? source_name : "palette", error))
    return NULL;
  return g_steal_pointer (&self);
}

/* The layer's class field, from "# field: DLBM"; NULL when the file does not say. */
const char *
ld_palette_get_field (LdPalette *self)
{
  return ld_palette_get_metadata (self, "field");
}

const char *
ld_palette_get_metadata (LdPalette  *self,
                         const char *key)
{
  g_return_val_if_fail (LD_IS_PALETTE (self), NULL);
  return g_hash_table_lookup (self->metadata, key);
}

guint
ld_palette_get_n_entries (LdPalette *self)
{
  g_return_val_if_fail (LD_IS_PALETTE (self), 0);
  return self->entries->len;
}

const LdPaletteEntry *
ld_palette_get_entry (LdPalette *self,
                      guint      index)
{
  g_return_val_if_fail (LD_IS_PALETTE (self), NULL);
  g_return_val_if_fail (index < self->entries->len, NULL);
  return &g_array_index (self->entries, LdPaletteEntry, index);
}

/**
 * ld_palette_lookup_index:
 * @code: (nullable): a feature's class code
 *
 * The row whose code is the longest prefix of @code, else the `*` row, else -1.
 */
int
ld_palette_lookup_index (LdPalette  *self,
                         const char *code)
{
  int best = -1, fallback = -1;
  size_t best_len = 0;

  g_return_val_if_fail (LD_IS_PALETTE (self), -1);

  for (guint i = 0; i < self->entries->len; i++)
    {
      const char *c = g_array_index (self->entries, LdPaletteEntry, i).code;
      size_t len = strlen (c);

      if (strcmp (c, "*") == 0)
        fallback = i;
      else if (code != NULL && len > best_len && strncmp (code, c, len) == 0)
        {
          best = i;
          best_len = len;
        }
    }
  return best >= 0 ? best : fallback;
}

const LdPaletteEntry *
ld_palette_lookup (LdPalette  *self,
                   const char *code)
{
  int index = ld_palette_lookup_index (self, code);

  return index < 0 ? NULL : &g_array_index (self->entries, LdPaletteEntry, index);
}

/* A SHA-256 of the palette's bytes: the same file gives the same tiles. */
const char *
ld_palette_get_checksum (LdPalette *self)
{
  g_return_val_if_fail (LD_IS_PALETTE (self), NULL);
  return self->checksum;
}
