/* ld-matter.c: a business matter (业务事项) of the catalogue: stages, roles, actions, limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "ld-matter.h"
#include "ld-paths.h"

typedef struct
{
  char  *id;
  char  *name;
  char  *role;
  int    limit;
  GStrv  actions;
} Stage;

struct _LdMatter
{
  GObject  parent_instance;

  char    *id;
  char    *name;
  char    *case_type;
  char    *case_type_name;
  char    *json;
  int      limit;
  int      special_limit;
  int      yellow_remaining;
  double   yellow_used_ratio;
  GStrv    clock_stops;
  GStrv    opinion_required;
  GArray  *stages;   /* of Stage */
};

G_DEFINE_FINAL_TYPE (LdMatter, ld_matter, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-matter-error-quark, ld_matter_error)

static const char * const known_actions[] = {
  "accept", "submit", "return", "request-correction", "resume", "start-special",
  "end-special", "approve", "refuse", "close", "reassign", NULL
};

static const char * const known_roles[] = {
  "reviewer", "section-head", "leader", "field-staff", "gis-officer", "admin", NULL
};

static void
stage_clear (gpointer data)
{
  Stage *s = data;

  g_free (s->id);
  g_free (s->name);
  g_free (s->role);
  g_strfreev (s->actions);
}

/* Reads an array of known ids; on error names the field. */
static GStrv
read_ids (JsonObject          *obj,
          const char          *member,
          const char * const  *known,
          const char          *origin,
          const char          *where,
          GError             **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *node = json_object_get_member (obj, member);
  JsonArray *arr;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strv_builder_end (builder);
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, LD_MATTER_ERROR, LD_MATTER_ERROR_FORMAT,
                   "%s: %s%s: expected an array of ids", origin, where, member);
      return NULL;
    }
  arr = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonNode *e = json_array_get_element (arr, i);
      const char *id = JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING
                       ? json_node_get_string (e) : NULL;

      if (id == NULL || !g_strv_contains (known, id))
        {
          g_autofree char *list = g_strjoinv (", ", (GStrv) known);

          g_set_error (error, LD_MATTER_ERROR, LD_MATTER_ERROR_FORMAT,
                       "%s: %s%s[%u]: '%s' is not one of %s", origin, where, member, i,
                       id ? id : "(not a string)", list);
          return NULL;
        }
      g_strv_builder_add (builder, id);
    }
  return g_strv_builder_end (builder);
}

static char *
read_string (JsonObject  *obj,
             const char  *member,
             const char  *origin,
             const char  *where,
             GError     **error)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING || *json_node_get_string (node) == 0)
    {
      g_set_error (error, LD_MATTER_ERROR, LD_MATTER_ERROR_FORMAT,
                   "%s: %s%s: missing or not a non-empty string", origin, where, member);
      return NULL;
    }
  return g_strdup (json_node_get_string (node));
}

static gboolean
read_int (JsonObject  *obj,
          const char  *member,
          int          fallback,
          int         *out,
          const char  *origin,
          const char  *where,
          GError     **error)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (fallback < -1)
        {
          g_set_error (error, LD_MATTER_ERROR, LD_MATTER_ERROR_FORMAT,
                       "%s: %s%s: missing; give a number of working days", origin, where, member);
          return FALSE;
        }
      *out = fallback;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < 0 || json_node_get_int (node) > 10000)
    {
      g_set_error (error, LD_MATTER_ERROR, LD_MATTER_ERROR_FORMAT,
                   "%s: %s%s: expected a whole number of working days, 0 to 10000",
                   origin, where, member);
      return FALSE;
    }
  *out = (int) json_node_get_int (node);
  return TRUE;
}

static void
ld_matter_finalize (GObject *object)
{
  LdMatter *self = LD_MATTER (object);

  g_free (self->id);
  g_free (self->name);
  g_free (self->case_type);
  g_free (self->case_type_name);
  g_free (self->json);
  g_strfreev (self->clock_stops);
  g_strfreev (self->opinion_required);
  g_clear_pointer (&self->stages, g_array_unref);

  G_OBJECT_CLASS (ld_matter_parent_class)->finalize (object);
}

static void
ld_matter_class_init (LdMatterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_matter_finalize;
}

static void
ld_matter_init (LdMatter *self)
{
  self->stages = g_array_new (FALSE, TRUE, sizeof (Stage));
  g_array_set_clear_func (self->stages, stage_clear);
}

const char * const *
ld_matter_known_actions (void)
{
  return known_actions;
}

const char * const *
ld_matter_known_roles (void)
{
  return known_roles;
}

/**
 * ld_matter_new_from_json:
 * @origin: where @json comes from (a file name), for messages
 */
LdMatter *
ld_matter_new_from_json (const char  *json,
                         const char  *origin,
                         GError     **error)
{
  g_autoptr(LdMatter) self = g_object_new (LD_TYPE_MATTER, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  JsonObject *root;
  JsonNode *node;
  JsonArray *stages;

  if (!json_parser_load_from_data (parser, json, -1, &local))
    {
      g_set_error (error, LD_MATTER_ERROR, LD_MATTER_ERROR_FORMAT,
                   "%s: not valid JSON: %s", origin, local->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, LD_MATTER_ERROR, LD_MATTER_ERROR_FORMAT,
                   "%s: expected a JSON object describing one matter", origin);
      return NULL;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  self->json = g_strdup (json);
  if ((self->id = read_string (root, "id", origin, "", error)) == NULL
      || (self->name = read_string (root, "name", origin, "", error)) == NULL
      || (self->case_type = read_string (root, "case_type", origin, "", error)) == NULL
      || (self->case_type_name = read_string (root, "case_type_name", origin, "", error)) == NULL
      || !read_int (root, "limit_workdays", -2, &self->limit, origin, "", error)
      || !read_int (root, "special_limit_workdays", -1, &self->special_limit, origin, "", error)
      || !read_int (root, "yellow_remaining_workdays", 2, &self->yellow_remaining, origin, "",
                    error)
      || (self->clock_stops = read_ids (root, "clock_stops", known_actions, origin, "",
                                        error)) == NULL
      || (self->opinion_required = read_ids (root, "opinion_required", known_actions, origin, "",
                                             error)) == NULL)
    return NULL;

  self->yellow_used_ratio = 0.8;
  node = json_object_get_member (root, "yellow_used_ratio");
  if (node != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (node)
          || (json_node_get_value_type (node) != G_TYPE_DOUBLE
              && json_node_get_value_type (node) != G_TYPE_INT64)
          || json_node_get_double (node) <= 0 || json_node_get_double (node) > 1)
        {
          g_set_error (error, LD_MATTER_ERROR, LD_MATTER_ERROR_FORMAT,
                       "%s: yellow_used_ratio: expected a number in (0, 1]", origin);
          return NULL;
        }
      self->yellow_used_ratio = json_node_get_double (node);
    }

  node = json_object_get_member (root, "stages");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node)
      || json_array_get_length (json_node_get_array (node)) == 0)
    {
      g_set_error (error, LD_MATTER_ERROR, LD_MATTER_ERROR_FORMAT,
                   "%s: stages: expected a non-empty array of stages", origin);
      return NULL;
    }
  stages = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (stages); i++)
    {
      g_autofree char *where = g_strdup_printf ("stages[%u].", i);
      JsonNode *e = json_array_get_element (stages, i);
      JsonObject *o;
      Stage s = { 0 };

      if (!JSON_NODE_HOLDS_OBJECT (e))
        {
          g_set_error (error, LD_MATTER_ERROR, LD_MATTER_ERROR_FORMAT,
                       "%s: stages[%u]: expected an object", origin, i);
          return NULL;
        }
      o = json_node_get_object (e);
      g_array_append_val (self->stages, s);
      {
        Stage *st = &g_array_index (self->stages, Stage, self->stages->len - 1);

        if ((st->id = read_string (o, "id", origin, where, error)) == NULL
            || (st->name = read_string (o, "name", origin, where, error)) == NULL
            || (st->role = read_string (o, "role", origin, where, error)) == NULL
            || !read_int (o, "limit_workdays", -1, &st->limit, origin, where, error)
            || (st->actions = read_ids (o, "actions", known_actions, origin, where,
                                        error)) == NULL)
          return NULL;
        if (!g_strv_contains (known_roles, st->role))
          {
            g_autofree char *list = g_strjoinv (", ", (GStrv) known_roles);

            g_set_error (error, LD_MATTER_ERROR, LD_MATTER_ERROR_FORMAT,
                         "%s: %srole: '%s' is not one of %s", origin, where, st->role, list);
            return NULL;
          }
        if (ld_matter_find_stage (self, st->id) != (int) i)
          {
            g_set_error (error, LD_MATTER_ERROR, LD_MATTER_ERROR_FORMAT,
                         "%s: %sid: stage '%s' appears twice", origin, where, st->id);
            return NULL;
          }
      }
    }
  return g_steal_pointer (&self);
}

static int
compare_matters (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return g_strcmp0 (LD_MATTER ((gpointer) a)->id, LD_MATTER ((gpointer) b)->id);
}

/**
 * ld_matter_load_dir:
 *
 * Returns: (transfer full): a list of #LdMatter sorted by id, from every `*.json` in @dir
 */
GListModel *
ld_matter_load_dir (const char  *dir,
                    GError     **error)
{
  g_autoptr(GListStore) store = g_list_store_new (LD_TYPE_MATTER);
  g_autoptr(GDir) d = g_dir_open (dir, 0, error);
  const char *name;

  if (d == NULL)
    return NULL;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *text = NULL;
      g_autoptr(LdMatter) matter = NULL;
      g_autofree char *expected = NULL;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      path = g_build_filename (dir, name, NULL);
      if (!g_file_get_contents (path, &text, NULL, error))
        return NULL;
      matter = ld_matter_new_from_json (text, path, error);
      if (matter == NULL)
        return NULL;
      expected = g_strconcat (matter->id, ".json", NULL);
      if (!g_str_equal (expected, name))
        {
          g_set_error (error, LD_MATTER_ERROR, LD_MATTER_ERROR_FORMAT,
                       "%s: id: '%s' does not match the file name; name it %s",
                       path, matter->id, expected);
          return NULL;
        }
      g_list_store_insert_sorted (store, matter, compare_matters, NULL);
    }
  return G_LIST_MODEL (g_steal_pointer (&store));
}

GListModel *
ld_matter_load_default (GError **error)
{
  g_autofree char *dir = ld_paths_data_file ("matters", NULL);

  return ld_matter_load_dir (dir, error);
}

/**
 * ld_matter_list_find:
 *
 * Returns: (transfer none) (nullable): the matter with @id in @matters
 */
LdMatter *
ld_matter_list_find (GListModel *matters,
                     const char *id)
{
  guint n = g_list_model_get_n_items (matters);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LdMatter) m = g_list_model_get_item (matters, i);

      if (g_strcmp0 (m->id, id) == 0)
        return m;   /* the list keeps its reference */
    }
  return NULL;
}

const char *ld_matter_get_id (LdMatter *self) { return self->id; }
const char *ld_matter_get_name (LdMatter *self) { return self->name; }
const char *ld_matter_get_case_type (LdMatter *self) { return self->case_type; }
const char *ld_matter_get_case_type_name (LdMatter *self) { return self->case_type_name; }
const char *ld_matter_get_json (LdMatter *self) { return self->json; }
int ld_matter_get_limit_workdays (LdMatter *self) { return self->limit; }
int ld_matter_get_special_limit_workdays (LdMatter *self) { return self->special_limit; }
int ld_matter_get_yellow_remaining (LdMatter *self) { return self->yellow_remaining; }
double ld_matter_get_yellow_used_ratio (LdMatter *self) { return self->yellow_used_ratio; }

gboolean
ld_matter_action_stops_clock (LdMatter   *self,
                              const char *action)
{
  return g_strv_contains ((const char * const *) self->clock_stops, action);
}

gboolean
ld_matter_action_needs_opinion (LdMatter   *self,
                                const char *action)
{
  return g_strv_contains ((const char * const *) self->opinion_required, action);
}

guint
ld_matter_get_n_stages (LdMatter *self)
{
  return self->stages->len;
}

/* Returns: the stage's index, or -1 */
int
ld_matter_find_stage (LdMatter   *self,
                      const char *stage_id)
{
  for (guint i = 0; i < self->stages->len; i++)
    if (g_strcmp0 (g_array_index (self->stages, Stage, i).id, stage_id) == 0)
      return (int) i;
  return -1;
}

#define STAGE(self, i) (g_array_index ((self)->stages, Stage, (i)))

const char *
ld_matter_get_stage_id (LdMatter *self, guint index)
{
  g_return_val_if_fail (index < self->stages->len, NULL);
  return STAGE (self, index).id;
}

const char *
ld_matter_get_stage_name (LdMatter *self, guint index)
{
  g_return_val_if_fail (index < self->stages->len, NULL);
  return STAGE (self, index).name;
}

const char *
ld_matter_get_stage_role (LdMatter *self, guint index)
{
  g_return_val_if_fail (index < self->stages->len, NULL);
  return STAGE (self, index).role;
}

/* Returns: the stage's limit in working days, or -1 when it has none */
int
ld_matter_get_stage_limit (LdMatter *self, guint index)
{
  g_return_val_if_fail (index < self->stages->len, -1);
  return STAGE (self, index).limit;
}

gboolean
ld_matter_stage_has_action (LdMatter   *self,
                            guint       index,
                            const char *action)
{
  g_return_val_if_fail (index < self->stages->len, FALSE);
  return g_strv_contains ((const char * const *) STAGE (self, index).actions, action);
}
