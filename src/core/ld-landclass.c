/* ld-landclass.c: the land classification tables of data/classes/
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ld-landclass.h"
#include "ld-paths.h"

struct _LdLandclass
{
  GObject     parent_instance;

  GHashTable *gbt2017;     /* code -> LdLandclassEntry* (owned) */
  GHashTable *landsea;     /* code -> LdLandclassEntry* (owned) */
  GHashTable *map2007;     /* old code -> new code */
  GPtrArray  *gbt2017_list;
  GPtrArray  *landsea_list;
  char       *edition_gbt2017;
  char       *edition_landsea;
};

G_DEFINE_FINAL_TYPE (LdLandclass, ld_landclass, G_TYPE_OBJECT)
G_DEFINE_QUARK (ld-landclass-error-quark, ld_landclass_error)

/* One table row: the fields and the line they came from. */
typedef struct
{
  guint   line;
  GStrv   fields;
} Row;

static void
row_free (gpointer data)
{
  Row *row = data;

  g_strfreev (row->fields);
  g_free (row);
}

static void
entry_free (gpointer data)
{
  LdLandclassEntry *e = data;

  g_free (e->code);
  g_free (e->name);
  g_free (e->parent);
  g_free (e);
}

/* Reads a data/ CSV file: `#` comments (with `# key: value` metadata), a header that must be
 * @header, then rows of exactly as many fields. No quoting: class names hold no commas. */
static GPtrArray *
read_csv (const char  *path,
          const char  *header,
          char       **edition,
          GError     **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (row_free);
  g_auto(GStrv) lines = NULL;
  g_autofree char *basename = g_path_get_basename (path);
  guint n_columns = 0;
  gboolean seen_header = FALSE;
  char *body;

  if (!g_file_get_contents (path, &text, NULL, &local))
    {
      g_set_error (error, LD_LANDCLASS_ERROR, LD_LANDCLASS_ERROR_IO,
                   "cannot read the class table %s: %s", path, local->message);
      return NULL;
    }
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, LD_LANDCLASS_ERROR, LD_LANDCLASS_ERROR_PARSE,
                   "%s: the file is not UTF-8", path);
      return NULL;
    }
  body = g_str_has_prefix (text, "\xEF\xBB\xBF") ? text + 3 : text;
  lines = g_strsplit (body, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      gsize len = strlen (line);
      g_auto(GStrv) fields = NULL;

      if (len > 0 && line[len - 1] == '\r')
        line[len - 1] = '\0';
      if (line[0] == '\0')
        continue;
      if (line[0] == '#')
        {
          const char *v = strstr (line, "edition:");

          if (v != NULL && edition != NULL && *edition == NULL && v == line + 2)
            *edition = g_strstrip (g_strdup (v + strlen ("edition:")));
          continue;
        }
      fields = g_strsplit (line, ",", -1);
      if (!seen_header)
        {
          if (g_strcmp0 (line, header) != 0)
            {
              g_set_error (error, LD_LANDCLASS_ERROR, LD_LANDCLASS_ERROR_PARSE,
                           "%s:%u: header is '%s', expected '%s'", basename, i + 1, line, header);
              return NULL;
            }
          n_columns = g_strv_length (fields);
          seen_header = TRUE;
          continue;
        }
      if (g_strv_length (fields) != n_columns)
        {
          g_set_error (error, LD_LANDCLASS_ERROR, LD_LANDCLASS_ERROR_PARSE,
                       "%s:%u: %u fields, expected %u (%s)", basename, i + 1,
                       g_strv_length (fields), n_columns, header);
          return NULL;
        }
      for (guint f = 0; fields[f] != NULL; f++)
        g_strstrip (fields[f]);
      {
        Row *row = g_new0 (Row, 1);

        row->line = i + 1;
        row->fields = g_steal_pointer (&fields);
        g_ptr_array_add (rows, row);
      }
    }
  if (!seen_header)
    {
      g_set_error (error, LD_LANDCLASS_ERROR, LD_LANDCLASS_ERROR_PARSE,
                   "%s: no header row '%s'", basename, header);
      return NULL;
    }
  if (edition != NULL && *edition == NULL)
    {
      g_set_error (error, LD_LANDCLASS_ERROR, LD_LANDCLASS_ERROR_PARSE,
                   "%s: no '# edition:' line; every class table names its edition", basename);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

static gboolean
parse_category (const char     *text,
                LdLandCategory *category)
{
  static const char *names[] = { "", "agricultural", "construction", "unused" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (text, names[i]))
      {
        *category = (LdLandCategory) i;
        return TRUE;
      }
  return FALSE;
}

static gboolean
load_classes (const char  *path,
              gboolean     with_category,
              GHashTable  *table,
              GPtrArray   *list,
              char       **edition,
              GError     **error)
{
  g_autofree char *basename = g_path_get_basename (path);
  g_autoptr(GPtrArray) rows = read_csv (path, with_category ? "code,name,level,parent,category"
                                                            : "code,name,level,parent",
                                        edition, error);

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = g_ptr_array_index (rows, i);
      char **f = row->fields;
      LdLandclassEntry *e;
      const char *problem = NULL, *field = NULL;
      guint64 level = 0;
      LdLandCategory category = LD_LAND_CATEGORY_NONE;

      if (f[0][0] == '\0' || !g_str_is_ascii (f[0]))
        field = "code", problem = "must be a non-empty ASCII code";
      else if (g_hash_table_contains (table, f[0]))
        field = "code", problem = "is listed twice";
      else if (f[1][0] == '\0')
        field = "name", problem = "is empty";
      else if (!g_ascii_string_to_unsigned (f[2], 10, 1, 3, &level, NULL))
        field = "level", problem = "must be 1, 2 or 3";
      else if ((level == 1) != (f[3][0] == '\0'))
        field = "parent", problem = "must be empty on level 1 and set below it";
      else if (level > 1 && !g_hash_table_contains (table, f[3]))
        field = "parent", problem = "names a class not listed above this row";
      else if (with_category && !parse_category (f[4], &category))
        field = "category", problem = "must be agricultural, construction or unused";
      else if (with_category && level > 1 && category == LD_LAND_CATEGORY_NONE)
        field = "category", problem = "is required below level 1";
      if (problem != NULL)
        {
          g_set_error (error, LD_LANDCLASS_ERROR, LD_LANDCLASS_ERROR_PARSE,
                       "%s:%u: field %s: '%s' %s", basename, row->line, field,
                       g_str_equal (field, "code") ? f[0] : g_str_equal (field, "name") ? f[1]
                       : g_str_equal (field, "level") ? f[2] : g_str_equal (field, "parent") ? f[3]
                       : f[4], problem);
          return FALSE;
        }
      e = g_new0 (LdLandclassEntry, 1);
      e->code = g_strdup (f[0]);
      e->name = g_strdup (f[1]);
      e->level = (int) level;
      e->parent = level > 1 ? g_strdup (f[3]) : NULL;
      e->category = category;
      g_hash_table_insert (table, e->code, e);
      g_ptr_array_add (list, e);
    }
  return TRUE;
}

static gboolean
load_map (LdLandclass *self,
          const char  *path,
          GError     **error)
{
  g_autofree char *basename = g_path_get_basename (path);
  g_autoptr(GPtrArray) rows = read_csv (path, "old_code,old_name,new_code", NULL, error);

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = g_ptr_array_index (rows, i);
      char **f = row->fields;

      if (strlen (f[0]) != 3 || !g_ascii_isdigit (f[0][0]) || !g_ascii_isdigit (f[0][1])
          || !g_ascii_isdigit (f[0][2]))
        {
          g_set_error (error, LD_LANDCLASS_ERROR, LD_LANDCLASS_ERROR_PARSE,
                       "%s:%u: field old_code: '%s' is not a three-digit 2007 code",
                       basename, row->line, f[0]);
          return FALSE;
        }
      if (!g_hash_table_contains (self->gbt2017, f[2]))
        {
          g_set_error (error, LD_LANDCLASS_ERROR, LD_LANDCLASS_ERROR_PARSE,
                       "%s:%u: field new_code: '%s' is not in gbt21010-2017.csv",
                       basename, row->line, f[2]);
          return FALSE;
        }
      g_hash_table_insert (self->map2007, g_strdup (f[0]), g_strdup (f[2]));
    }
  return TRUE;
}

static void
ld_landclass_finalize (GObject *object)
{
  LdLandclass *self = LD_LANDCLASS (object);

  g_clear_pointer (&self->gbt2017_list, g_ptr_array_unref);
  g_clear_pointer (&self->landsea_list, g_ptr_array_unref);
  g_clear_pointer (&self->gbt2017, g_hash_table_unref);
  g_clear_pointer (&self->landsea, g_hash_table_unref);
  g_clear_pointer (&self->map2007, g_hash_table_unref);
  g_free (self->edition_gbt2017);
  g_free (self->edition_landsea);

  G_OBJECT_CLASS (ld_landclass_parent_class)->finalize (object);
}

static void
ld_landclass_class_init (LdLandclassClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_landclass_finalize;
}

static void
ld_landclass_init (LdLandclass *self)
{
  self->gbt2017 = g_hash_table_new (g_str_hash, g_str_equal);
  self->landsea = g_hash_table_new (g_str_hash, g_str_equal);
  self->map2007 = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->gbt2017_list = g_ptr_array_new_with_free_func (entry_free);
  self->landsea_list = g_ptr_array_new_with_free_func (entry_free);
}

/* Loads the tables from the installed (or LANDDESK_DATADIR) data/classes/. */
LdLandclass *
ld_landclass_load (GError **error)
{
  g_autofree char *dir = ld_paths_data_file ("classes", NULL);

  return ld_landclass_load_from_dir (dir, error);
}

LdLandclass *
ld_landclass_load_from_dir (const char  *dir,
                            GError     **error)
{
  g_autoptr(LdLandclass) self = g_object_new (LD_TYPE_LANDCLASS, NULL);
  g_autofree char *gbt = g_build_filename (dir, "gbt21010-2017.csv", NULL);
  g_autofree char *map = g_build_filename (dir, "gbt21010-2007-map.csv", NULL);
  g_autofree char *landsea = g_build_filename (dir, "landsea-2023.csv", NULL);

  g_return_val_if_fail (dir != NULL, NULL);

  if (!load_classes (gbt, TRUE, self->gbt2017, self->gbt2017_list, &self->edition_gbt2017, error)
      || !load_classes (landsea, FALSE, self->landsea, self->landsea_list,
                        &self->edition_landsea, error)
      || !load_map (self, map, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* Returns: (nullable): the class, or NULL when @code is not in the table. */
const LdLandclassEntry *
ld_landclass_lookup (LdLandclass       *self,
                     LdLandclassScheme  scheme,
                     const char        *code)
{
  g_return_val_if_fail (LD_IS_LANDCLASS (self), NULL);

  if (code == NULL)
    return NULL;
  return g_hash_table_lookup (scheme == LD_LANDCLASS_GBT21010_2017 ? self->gbt2017
                                                                   : self->landsea, code);
}

/* The `# edition:` of the table, e.g. "GB/T 21010-2017". */
const char *
ld_landclass_get_edition (LdLandclass       *self,
                          LdLandclassScheme  scheme)
{
  g_return_val_if_fail (LD_IS_LANDCLASS (self), NULL);

  return scheme == LD_LANDCLASS_GBT21010_2017 ? self->edition_gbt2017 : self->edition_landsea;
}

/* Returns: (nullable): the 2017 code of a three-digit 2007 code, NULL when there is no
 * one-to-one mapping (the caller must ask a person, never guess). */
const char *
ld_landclass_map_2007 (LdLandclass *self,
                       const char  *old_code)
{
  g_return_val_if_fail (LD_IS_LANDCLASS (self), NULL);

  return old_code != NULL ? g_hash_table_lookup (self->map2007, old_code) : NULL;
}

/* The category of a GB/T 21010-2017 code (NONE for unknown codes and mixed first levels). */
LdLandCategory
ld_landclass_category (LdLandclass *self,
                       const char  *code)
{
  const LdLandclassEntry *e = ld_landclass_lookup (self, LD_LANDCLASS_GBT21010_2017, code);

  return e != NULL ? e->category : LD_LAND_CATEGORY_NONE;
}

/* Returns: (transfer container) (element-type LdLandclassEntry): the rows in file order. */
GPtrArray *
ld_landclass_list (LdLandclass       *self,
                   LdLandclassScheme  scheme)
{
  GPtrArray *src;
  GPtrArray *out;

  g_return_val_if_fail (LD_IS_LANDCLASS (self), NULL);

  src = scheme == LD_LANDCLASS_GBT21010_2017 ? self->gbt2017_list : self->landsea_list;
  out = g_ptr_array_sized_new (src->len);
  for (guint i = 0; i < src->len; i++)
    g_ptr_array_add (out, g_ptr_array_index (src, i));
  return out;
}

const char *
ld_land_category_to_string (LdLandCategory category)
{
  switch (category)
    {
    case LD_LAND_CATEGORY_AGRICULTURAL:
      return "agricultural";
    case LD_LAND_CATEGORY_CONSTRUCTION:
      return "construction";
    case LD_LAND_CATEGORY_UNUSED:
      return "unused";
    case LD_LAND_CATEGORY_NONE:
    default:
      return "";
    }
}
