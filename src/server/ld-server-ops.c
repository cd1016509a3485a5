/* ld-server-ops.c: POST /api/v1/ops, the push half of the sync contract
 *
 * A batch is applied in one transaction; each op gets one result:
 * - applied: written, with the record's new version (the op id is remembered);
 * - duplicate: the op id was applied before, nothing is done again;
 * - conflict: a field the op changes was changed on the server since the op's base (the
 *   server's value is neither the op's base nor its new value): base, theirs and mine are
 *   returned and NOTHING of the op is written. Fields changed only on one side merge;
 * - rejected: role, validation or missing blob, with the reason; nothing written, and the op
 *   id is not remembered, so the same op may be sent again once the cause is gone (a blob
 *   uploaded, say).
 * Conflicts are detected by value (three-way: base, theirs, mine), which also treats a field
 * changed and changed back on the server as unchanged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "ld-core.h"
#include "ld-server-gdal.h"
#include "ld-server-log.h"
#include "ld-server-private.h"

#define MAX_OPS_PER_BATCH 5000

typedef struct
{
  const char        *name;
  const char * const fields[16];   /* { NULL } = any field */
  gboolean           case_child;   /* belongs to a case through its case_id */
} EntityDef;

static const EntityDef entities[] = {
  { "case", { "number", "matter", "title", "applicant", "project_use", "stage", "status",
              "suspend_kind", "suspended_on", "assignee", "received_on", "accepted_on",
              "closed_on", "supply_method", NULL }, FALSE },
  { "case_event", { "case_id", "action", "from_stage", "to_stage", "actor", "at", "opinion",
                    NULL }, TRUE },
  { "opinion", { "case_id", "stage", "author", "text", "at", NULL }, TRUE },
  { "attachment", { "case_id", "name", "sha256", "size", "mime", "at", "note", NULL }, TRUE },
  { "case_redline", { "case_id", "parcel_no", "name", "area_m2", "geom", NULL }, TRUE },
  { "matter", { NULL }, FALSE },
  { "calendar", { NULL }, FALSE },
  { "palette", { NULL }, FALSE },
  { "user", { "display_name", "role", "unit", NULL }, FALSE },
};

/* Case fields that only workflow actions change. */
static const char * const workflow_fields[] = {
  "stage", "status", "suspend_kind", "suspended_on", "closed_on", "assignee", NULL,
};

static const char * const stages[] = {
  "intake", "accept", "examine", "check", "approve", "close", NULL,
};

static const char * const statuses[] = {
  "active", "suspended", "closed", "refused", NULL,
};

typedef struct
{
  const char *result;
  gint64      version;
  char       *reason;
  JsonArray  *conflicts;
} OpResult;

static const EntityDef *
find_entity (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
    if (g_strcmp0 (entities[i].name, name) == 0)
      return &entities[i];
  return NULL;
}

static gboolean
entity_has_field (const EntityDef *def,
                  const char      *field)
{
  if (def->fields[0] == NULL)
    return TRUE;
  return g_strv_contains ((const char * const *) def->fields, field);
}

static const char *
member_string (JsonObject *obj,
               const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
is_id (const char *text)
{
  gsize len = text ? strlen (text) : 0;

  if (len == 0 || len > 128)
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

static gboolean
is_sha256 (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

static gboolean
is_date (const char *text)
{
  g_autoptr(GDate) date = NULL;
  guint y, m, d;

  if (text == NULL || strlen (text) != 10 || sscanf (text, "%4u-%2u-%2u", &y, &m, &d) != 3)
    return FALSE;
  return g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);
}

/* Same shape, every vertex within a millimetre: one geometry written by two WKT writers
 * (GEOS on the client, OGR on the server) with different digits. */
static gboolean
geometries_match (OGRGeometryH a,
                  OGRGeometryH b)
{
  int n = OGR_G_GetGeometryCount (a);

  if (wkbFlatten (OGR_G_GetGeometryType (a)) != wkbFlatten (OGR_G_GetGeometryType (b))
      || n != OGR_G_GetGeometryCount (b) || OGR_G_GetPointCount (a) != OGR_G_GetPointCount (b))
    return FALSE;
  for (int i = 0; i < n; i++)
    if (!geometries_match (OGR_G_GetGeometryRef (a, i), OGR_G_GetGeometryRef (b, i)))
      return FALSE;
  for (int i = 0; i < OGR_G_GetPointCount (a); i++)
    if (fabs (OGR_G_GetX (a, i) - OGR_G_GetX (b, i)) > 1e-3
        || fabs (OGR_G_GetY (a, i) - OGR_G_GetY (b, i)) > 1e-3)
      return FALSE;
  return TRUE;
}

static gboolean
wkt_equal (const char *a,
           const char *b)
{
  OGRGeometryH ga = NULL, gb = NULL;
  char *ca = (char *) a, *cb = (char *) b;
  gboolean equal;

  if (g_str_equal (a, b))
    return TRUE;
  if (OGR_G_CreateFromWkt (&ca, NULL, &ga) != OGRERR_NONE
      || OGR_G_CreateFromWkt (&cb, NULL, &gb) != OGRERR_NONE)
    {
      OGR_G_DestroyGeometry (ga);
      return FALSE;
    }
  equal = geometries_match (ga, gb);
  OGR_G_DestroyGeometry (ga);
  OGR_G_DestroyGeometry (gb);
  return equal;
}

static gboolean
is_number (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && (json_node_get_value_type (node) == G_TYPE_INT64
                                          || json_node_get_value_type (node) == G_TYPE_DOUBLE);
}

static gboolean
is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

/* Field values compared as what they mean: numbers as numbers (8100 is 8100.0), geometries
 * to the millimetre. */
static gboolean
values_equal_field (const char *field,
                    JsonNode   *a,
                    JsonNode   *b)
{
  gboolean a_null = a == NULL || JSON_NODE_HOLDS_NULL (a);
  gboolean b_null = b == NULL || JSON_NODE_HOLDS_NULL (b);

  if (a_null || b_null)
    return a_null && b_null;
  if (is_number (a) && is_number (b))
    {
      double x = json_node_get_double (a), y = json_node_get_double (b);

      return fabs (x - y) <= 1e-9 * MAX (1.0, MAX (fabs (x), fabs (y)));
    }
  if (field != NULL && g_str_equal (field, "geom") && is_string (a) && is_string (b))
    return wkt_equal (json_node_get_string (a), json_node_get_string (b));
  return json_node_equal (a, b);
}

static JsonNode *
null_node (void)
{
  return json_node_init_null (json_node_alloc ());
}

static JsonNode *
copy_or_null (JsonNode *node)
{
  return node ? json_node_copy (node) : null_node ();
}

/* Checks one field's new value; returns the reason it is refused, or NULL. */
static char *
check_value (LdServer        *self,
             const EntityDef *def,
             const char      *field,
             JsonNode        *value,
             gboolean        *missing_blob)
{
  const char *text;

  if (!JSON_NODE_HOLDS_VALUE (value) && !JSON_NODE_HOLDS_NULL (value)
      && !(def->fields[0] == NULL && !g_str_equal (def->name, "user")))
    return g_strdup_printf ("validation: field %s must be a string, number, boolean or null",
                            field);
  text = JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING
         ? json_node_get_string (value) : NULL;

  if (g_str_equal (field, "stage") || g_str_equal (field, "from_stage")
      || g_str_equal (field, "to_stage"))
    {
      if (JSON_NODE_HOLDS_NULL (value) && !g_str_equal (field, "stage"))
        return NULL;
      if (text == NULL || !g_strv_contains (stages, text))
        return g_strdup_printf ("validation: field %s must be one of intake, accept, examine,"
                                " check, approve, close", field);
    }
  else if (g_str_equal (def->name, "case") && g_str_equal (field, "status"))
    {
      if (text == NULL || !g_strv_contains (statuses, text))
        return g_strdup ("validation: field status must be active, suspended, closed or refused");
    }
  else if (g_str_has_suffix (field, "_on"))
    {
      if (!JSON_NODE_HOLDS_NULL (value) && !is_date (text))
        return g_strdup_printf ("validation: field %s must be a date YYYY-MM-DD or null", field);
    }
  else if (g_str_equal (field, "case_id"))
    {
      if (!is_id (text))
        return g_strdup ("validation: field case_id must be the id of a case");
    }
  else if (g_str_equal (field, "sha256"))
    {
      if (!is_sha256 (text))
        return g_strdup ("validation: field sha256 must be 64 lowercase hexadecimal digits");
      if (!ld_server_blob_exists (self, text))
        {
          *missing_blob = TRUE;
          return g_strdup_printf ("missing blob: %s has not been uploaded yet; PUT it to"
                                  " /api/v1/blobs/%s and send the op again", text, text);
        }
    }
  else if (g_str_equal (field, "geom"))
    {
      OGRGeometryH geom = NULL;
      char *wkt = (char *) text;

      if (JSON_NODE_HOLDS_NULL (value))
        return NULL;
      if (text == NULL || OGR_G_CreateFromWkt (&wkt, NULL, &geom) != OGRERR_NONE || geom == NULL)
        return g_strdup ("validation: field geom must be WKT in EPSG:4525");
      OGR_G_DestroyGeometry (geom);
    }
  else if (g_str_equal (field, "role") && g_str_equal (def->name, "user"))
    {
      if (!ld_server_role_is_valid (text))
        return g_strdup ("validation: field role must be reviewer, section-head, leader,"
                         " field-staff, gis-officer or admin");
    }
  else if (g_str_equal (field, "assignee") && text != NULL)
    {
      g_autoptr(LdServerUser) assignee = ld_server_store_get_user (self->store, text, NULL, NULL);

      if (assignee == NULL)
        return g_strdup_printf ("validation: field assignee: no user '%s'", text);
    }
  return NULL;
}

/* May @user write this op? Returns the reason if not. */
static char *
check_role (LdServer           *self,
            const LdServerUser *user,
            const EntityDef    *def,
            const char         *kind,
            const char         *case_id,
            LdServerRecord     *current,
            JsonObject         *fields)
{
  LdServerViewer viewer;
  gboolean admin = g_str_equal (user->role, "admin");

  if (admin)
    return NULL;
  ld_server_viewer_init (&viewer, user);
  if (g_str_equal (def->name, "user"))
    return g_strdup ("role: users are managed by an administrator");
  if (g_str_equal (def->name, "matter") || g_str_equal (def->name, "calendar"))
    return g_strdup_printf ("role: only an administrator changes %ss", def->name);
  if (g_str_equal (def->name, "palette"))
    return g_str_equal (user->role, "gis-officer")
           ? NULL : g_strdup ("role: only a GIS officer or an administrator changes palettes");
  if (g_str_equal (def->name, "case_event"))
    return g_strdup ("role: the stage log is written by workflow actions only");
  if (g_str_equal (def->name, "case"))
    {
      if (g_str_equal (kind, "delete"))
        return g_strdup ("role: only an administrator deletes a case");
      if (g_str_equal (kind, "insert"))
        {
          static const char * const starts[][2] = { { "stage", "intake" }, { "status", "active" } };

          if (!g_str_equal (user->role, "reviewer"))
            return g_strdup_printf ("role: a %s does not register new cases", user->role);
          /* A new case starts at intake, active; the workflow moves it on. */
          for (guint i = 0; i < G_N_ELEMENTS (starts); i++)
            {
              JsonObject *f = fields && json_object_has_member (fields, starts[i][0])
                              ? json_object_get_object_member (fields, starts[i][0]) : NULL;
              JsonNode *v = f ? json_object_get_member (f, "value") : NULL;

              if (v != NULL && g_strcmp0 (json_node_get_string (v), starts[i][1]) != 0)
                return g_strdup_printf ("role: a new case starts with %s %s; workflow actions"
                                        " change it", starts[i][0], starts[i][1]);
            }
          return NULL;
        }
      if (g_str_equal (user->role, "gis-officer"))
        return g_strdup ("role: a GIS officer edits red lines, not case records");
      if (fields != NULL)
        for (guint i = 0; workflow_fields[i] != NULL; i++)
          if (json_object_has_member (fields, workflow_fields[i]))
            return g_strdup_printf ("role: field %s changes only through a workflow action",
                                    workflow_fields[i]);
    }
  else
    {
      if (g_str_equal (user->role, "gis-officer") && !g_str_equal (def->name, "case_redline"))
        return g_strdup ("role: a GIS officer edits red lines only");
      if (g_str_equal (kind, "delete") && current != NULL
          && g_strcmp0 (current->owner, user->login) != 0)
        return g_strdup_printf ("role: only its author or an administrator deletes this %s",
                                def->name);
    }
  if (case_id != NULL && !ld_server_store_case_visible (self->store, &viewer, case_id))
    return g_strdup_printf ("role: case %s is not assigned to %s nor at a stage a %s acts on",
                            case_id, user->login, user->role);
  return NULL;
}

static void
add_conflict (OpResult   *res,
              const char *field,
              JsonNode   *base,
              JsonNode   *theirs,
              JsonNode   *mine)
{
  JsonObject *c = json_object_new ();

  json_object_set_string_member (c, "field", field);
  json_object_set_member (c, "base", copy_or_null (base));
  json_object_set_member (c, "theirs", copy_or_null (theirs));
  json_object_set_member (c, "mine", copy_or_null (mine));
  if (res->conflicts == NULL)
    res->conflicts = json_array_new ();
  json_array_add_object_element (res->conflicts, c);
}

static LdCase *
case_from_record (LdServerRecord *record)
{
  LdCase *kase = ld_case_new ();

  for (int f = 0; f < LD_CASE_N_FIELDS; f++)
    {
      JsonNode *node = json_object_get_member (record->data, ld_case_field_name (f));

      if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
          && json_node_get_value_type (node) == G_TYPE_STRING)
        ld_case_set (kase, f, json_node_get_string (node));
    }
  ld_case_set (kase, LD_CASE_ID, record->id);
  ld_case_set_version (kase, record->version);
  return kase;
}

static void
set_string_or_null (JsonObject *obj,
                    const char *name,
                    const char *value)
{
  if (value != NULL)
    json_object_set_string_member (obj, name, value);
  else
    json_object_set_null_member (obj, name);
}

/* The matters the workflow rules read, from the data directory (as the clients' stores). */
static GListModel *
matters (GError **error)
{
  static GListModel *loaded;

  if (loaded == NULL)
    loaded = ld_matter_load_default (error);
  return loaded;
}

/* A workflow action: validated and applied by the same core rules as the client
 * (ld_workflow_apply()), against the case as the server has it now. The action is an
 * intent, not a field change: if the case moved on since the op's base, the rules decide
 * whether it still applies. It writes the case and its stage-log event, whose id is the op's. */
static gboolean
apply_action (LdServer           *self,
              const LdServerUser *user,
              JsonObject         *op,
              const char         *entity_id,
              OpResult           *res,
              gboolean           *changed,
              GError            **error)
{
  const char *op_id = member_string (op, "op_id");
  JsonNode *action_node = json_object_get_member (op, "action");
  JsonObject *action;
  g_autoptr(LdServerRecord) current = NULL;
  g_autoptr(LdServerRecord) event_record = NULL;
  g_autoptr(LdServerUser) target = NULL;
  g_autoptr(LdCase) kase = NULL;
  g_autoptr(LdCase) next = NULL;
  g_autoptr(LdCaseEvent) event = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *now_iso = g_date_time_format_iso8601 (now);
  LdActionRequest request = { 0 };
  LdMatter *matter;
  const char *old_stage, *old_assignee;

  if (g_strcmp0 (member_string (op, "entity"), "case") != 0)
    {
      res->reason = g_strdup ("validation: workflow actions act on a case");
      return TRUE;
    }
  if (action_node == NULL || !JSON_NODE_HOLDS_OBJECT (action_node)
      || member_string (json_node_get_object (action_node), "id") == NULL)
    {
      res->reason = g_strdup ("validation: an action op needs \"action\": {\"id\": ACTION, ...}");
      return TRUE;
    }
  action = json_node_get_object (action_node);

  current = ld_server_store_get_record (self->store, "case", entity_id, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (current == NULL || current->deleted)
    {
      res->reason = g_strdup_printf ("validation: no case %s on the server", entity_id);
      return TRUE;
    }
  kase = case_from_record (current);
  matter = ld_matter_list_find (matters (&local), ld_case_get (kase, LD_CASE_MATTER));
  if (matter == NULL)
    {
      res->reason = g_strdup_printf ("validation: the server knows no matter '%s'%s%s",
                                     ld_case_get (kase, LD_CASE_MATTER) ?: "",
                                     local ? ": " : "", local ? local->message : "");
      return TRUE;
    }

  request.action = member_string (action, "id");
  request.opinion = member_string (action, "opinion");
  request.date = member_string (action, "date") ?: today;
  request.at = member_string (op, "at") ?: now_iso;
  request.to = member_string (action, "to");
  request.event_id = op_id;
  if (request.to != NULL
      && (target = ld_server_store_get_user (self->store, request.to, NULL, NULL)) != NULL)
    request.to_role = target->role;

  next = ld_workflow_apply (kase, matter, user->login, user->role, &request, &event, &local);
  if (next == NULL)
    {
      res->reason = g_strdup_printf ("%s: %s",
                                     g_error_matches (local, LD_WORKFLOW_ERROR,
                                                      LD_WORKFLOW_ERROR_ROLE)
                                     || g_error_matches (local, LD_WORKFLOW_ERROR,
                                                         LD_WORKFLOW_ERROR_ASSIGNEE)
                                     ? "role" : "validation", local->message);
      return TRUE;
    }

  old_stage = ld_case_get (kase, LD_CASE_STAGE);
  old_assignee = ld_case_get (kase, LD_CASE_ASSIGNEE);
  for (int f = 0; f < LD_CASE_N_FIELDS; f++)
    if (f != LD_CASE_ID)
      set_string_or_null (current->data, ld_case_field_name (f), ld_case_get (next, f));
  current->version++;

  event_record = ld_server_record_new ("case_event", op_id);
  event_record->version = 1;
  event_record->owner = g_strdup (user->login);
  event_record->case_id = g_strdup (entity_id);
  json_object_set_string_member (event_record->data, "id", op_id);
  for (int f = 0; f < LD_CASE_EVENT_N_FIELDS; f++)
    if (f != LD_CASE_EVENT_ID)
      set_string_or_null (event_record->data, ld_case_event_field_name (f),
                          ld_case_event_get (event, f));
  json_object_set_string_member (event_record->data, "case_id", entity_id);

  if (ld_server_store_put_record (self->store, current, error) < 0
      || ld_server_store_put_record (self->store, event_record, error) < 0
      || !ld_server_store_put_op (self->store, op_id, user->login, "case", entity_id,
                                  current->version, error))
    return FALSE;
  if ((g_strcmp0 (old_stage, ld_case_get (next, LD_CASE_STAGE)) != 0
       || g_strcmp0 (old_assignee, ld_case_get (next, LD_CASE_ASSIGNEE)) != 0)
      && !ld_server_store_reemit_case (self->store, entity_id, error))
    return FALSE;
  res->result = "applied";
  res->version = current->version;
  *changed = TRUE;
  return TRUE;
}

/* Applies one op inside the batch's transaction. FALSE only on a store failure. */
static gboolean
apply_op (LdServer            *self,
          const LdServerUser  *user,
          JsonObject          *op,
          OpResult            *res,
          gboolean            *changed,
          GError             **error)
{
  const char *op_id = member_string (op, "op_id");
  const char *entity = member_string (op, "entity");
  const char *entity_id = member_string (op, "entity_id");
  const char *kind = member_string (op, "kind");
  JsonNode *base_node = json_object_get_member (op, "base_version");
  JsonNode *fields_node = json_object_get_member (op, "fields");
  JsonObject *fields = NULL;
  const EntityDef *def;
  g_autoptr(LdServerRecord) current = NULL;
  g_autoptr(LdServerRecord) next = NULL;
  g_autoptr(GList) names = NULL;
  g_autoptr(GError) local = NULL;
  const char *case_id = NULL;
  gint64 base_version = 0;
  gint64 done_version;
  gboolean missing_blob = FALSE;

  if (ld_server_store_get_op (self->store, op_id, &done_version, NULL))
    {
      res->result = "duplicate";
      res->version = done_version;
      return TRUE;
    }
  res->result = "rejected";
  def = find_entity (entity);
  if (def == NULL)
    {
      res->reason = g_strdup_printf ("validation: unknown entity '%s'", entity ? entity : "");
      return TRUE;
    }
  if (!is_id (entity_id))
    {
      res->reason = g_strdup ("validation: entity_id must be 1-128 letters, digits, '-', '_' or"
                              " '.'");
      return TRUE;
    }
  if (g_strcmp0 (kind, "action") == 0)
    return apply_action (self, user, op, entity_id, res, changed, error);
  if (kind == NULL || !(g_str_equal (kind, "insert") || g_str_equal (kind, "update")
                        || g_str_equal (kind, "delete")))
    {
      res->reason = g_strdup ("validation: kind must be insert, update, delete or action");
      return TRUE;
    }
  if (base_node != NULL && !(JSON_NODE_HOLDS_VALUE (base_node)
                             && json_node_get_value_type (base_node) == G_TYPE_INT64
                             && json_node_get_int (base_node) >= 0))
    {
      res->reason = g_strdup ("validation: base_version must be a whole number >= 0");
      return TRUE;
    }
  base_version = base_node ? json_node_get_int (base_node) : 0;
  if (fields_node != NULL && !JSON_NODE_HOLDS_OBJECT (fields_node))
    {
      res->reason = g_strdup ("validation: fields must be an object {NAME: {base, value}}");
      return TRUE;
    }
  if (fields_node == NULL && !g_str_equal (kind, "delete"))
    {
      res->reason = g_strdup_printf ("validation: an %s needs fields", kind);
      return TRUE;
    }
  fields = fields_node ? json_node_get_object (fields_node) : NULL;

  /* Every field: known, shaped {base, value}, with a valid value. */
  names = fields ? json_object_get_members (fields) : NULL;
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *f = json_object_get_member (fields, l->data);
      JsonNode *value;

      if (!entity_has_field (def, l->data) || g_str_equal (l->data, "id"))
        {
          res->reason = g_strdup_printf ("validation: a %s has no field %s", def->name,
                                         (char *) l->data);
          return TRUE;
        }
      if (!JSON_NODE_HOLDS_OBJECT (f)
          || (value = json_object_get_member (json_node_get_object (f), "value")) == NULL)
        {
          res->reason = g_strdup_printf ("validation: field %s must be {\"base\": OLD, \"value\":"
                                         " NEW}", (char *) l->data);
          return TRUE;
        }
      res->reason = check_value (self, def, l->data, value, &missing_blob);
      if (res->reason != NULL)
        return TRUE;
    }

  current = ld_server_store_get_record (self->store, def->name, entity_id, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (!g_str_equal (kind, "insert") && current == NULL)
    {
      res->reason = g_strdup_printf ("validation: no %s %s on the server", def->name, entity_id);
      return TRUE;
    }
  if (g_str_equal (def->name, "case"))
    case_id = entity_id;
  else if (def->case_child && current != NULL)
    case_id = current->case_id;
  else if (def->case_child && fields != NULL && json_object_has_member (fields, "case_id"))
    case_id = json_node_get_string (json_object_get_member (
        json_object_get_object_member (fields, "case_id"), "value"));
  if (def->case_child && case_id == NULL)
    {
      res->reason = g_strdup_printf ("validation: a new %s needs field case_id", def->name);
      return TRUE;
    }
  if (def->case_child && current == NULL)
    {
      g_autoptr(LdServerRecord) parent = ld_server_store_get_record (self->store, "case",
                                                                     case_id, NULL);
      if (parent == NULL || parent->deleted)
        {
          res->reason = g_strdup_printf ("validation: no case %s", case_id);
          return TRUE;
        }
    }
  if (g_str_equal (kind, "insert") && g_str_equal (def->name, "case"))
    case_id = NULL;   /* a new case is visible to its author */
  res->reason = check_role (self, user, def, kind, case_id, current, fields);
  if (res->reason != NULL)
    return TRUE;

  if (g_str_equal (kind, "insert"))
    {
      if (current != NULL)
        {
          res->reason = g_strdup_printf ("validation: %s %s already exists (version %"
                                         G_GINT64_FORMAT ")", def->name, entity_id,
                                         current->version);
          return TRUE;
        }
      if (g_str_equal (def->name, "attachment") && !json_object_has_member (fields, "sha256"))
        {
          res->reason = g_strdup ("validation: a new attachment needs field sha256");
          return TRUE;
        }
      next = ld_server_record_new (def->name, entity_id);
      next->version = 1;
      next->owner = g_strdup (user->login);
      next->case_id = g_strdup (g_str_equal (def->name, "case") ? entity_id : case_id);
      json_object_set_string_member (next->data, "id", entity_id);
      for (GList *l = names; l != NULL; l = l->next)
        json_object_set_member (next->data, l->data, json_node_copy (json_object_get_member (
            json_object_get_object_member (fields, l->data), "value")));
      if (g_str_equal (def->name, "case") && !json_object_has_member (next->data, "assignee"))
        json_object_set_string_member (next->data, "assignee", user->login);
      if (g_str_equal (def->name, "case") && !json_object_has_member (next->data, "stage"))
        json_object_set_string_member (next->data, "stage", "intake");
      if (g_str_equal (def->name, "case") && !json_object_has_member (next->data, "status"))
        json_object_set_string_member (next->data, "status", "active");
    }
  else if (current == NULL)
    {
      res->reason = g_strdup_printf ("validation: no %s %s on the server", def->name, entity_id);
      return TRUE;
    }
  else if (g_str_equal (kind, "delete"))
    {
      if (current->deleted)
        {
          res->result = "applied";
          res->version = current->version;
          return ld_server_store_put_op (self->store, op_id, user->login, def->name, entity_id,
                                         current->version, error);
        }
      if (base_version != current->version)
        {
          g_autoptr(JsonNode) b = json_node_init_int (json_node_alloc (), base_version);
          g_autoptr(JsonNode) t = json_node_init_int (json_node_alloc (), current->version);
          g_autoptr(JsonNode) m = json_node_init_string (json_node_alloc (), "deleted");

          res->result = "conflict";
          res->version = current->version;
          add_conflict (res, "version", b, t, m);
          return TRUE;
        }
      next = g_steal_pointer (&current);
      next->deleted = TRUE;
      next->version++;
    }
  else /* update */
    {
      gboolean any = FALSE;

      if (current->deleted)
        {
          g_autoptr(JsonNode) f = json_node_init_boolean (json_node_alloc (), FALSE);
          g_autoptr(JsonNode) t = json_node_init_boolean (json_node_alloc (), TRUE);

          res->result = "conflict";
          res->version = current->version;
          add_conflict (res, "deleted", f, t, f);
          return TRUE;
        }
      for (GList *l = names; l != NULL; l = l->next)
        {
          JsonObject *f = json_object_get_object_member (fields, l->data);
          JsonNode *theirs = json_object_get_member (current->data, l->data);
          JsonNode *base = json_object_get_member (f, "base");
          JsonNode *mine = json_object_get_member (f, "value");

          if (values_equal_field (l->data, theirs, mine))
            continue;
          if (!values_equal_field (l->data, theirs, base))
            add_conflict (res, l->data, base, theirs, mine);
          any = TRUE;
        }
      if (res->conflicts != NULL)
        {
          res->result = "conflict";
          res->version = current->version;
          return TRUE;
        }
      next = g_steal_pointer (&current);
      if (any)
        {
          for (GList *l = names; l != NULL; l = l->next)
            json_object_set_member (next->data, l->data, json_node_copy (json_object_get_member (
                json_object_get_object_member (fields, l->data), "value")));
          next->version++;
        }
      else
        {
          /* Both sides already agree: nothing to write, the op is done. */
          res->result = "applied";
          res->version = next->version;
          return ld_server_store_put_op (self->store, op_id, user->login, def->name, entity_id,
                                         next->version, error);
        }
    }

  if (ld_server_store_put_record (self->store, next, error) < 0
      || !ld_server_store_put_op (self->store, op_id, user->login, def->name, entity_id,
                                  next->version, error))
    return FALSE;
  /* Who sees the case may have changed: its records go out again for the new viewers. */
  if (g_str_equal (def->name, "case") && g_str_equal (kind, "update")
      && (json_object_has_member (fields, "assignee") || json_object_has_member (fields, "stage"))
      && !ld_server_store_reemit_case (self->store, entity_id, error))
    return FALSE;
  res->result = "applied";
  res->version = next->version;
  *changed = TRUE;
  return TRUE;
}

/* Fault injection for the tests: LANDDESK_SERVER_FAULT_AFTER_COMMIT_MS holds the answer back
 * after the commit, so a test can kill the server between the commit and the reply. */
static void
fault_pause (void)
{
  const char *ms = g_getenv ("LANDDESK_SERVER_FAULT_AFTER_COMMIT_MS");
  guint64 value;

  if (ms != NULL && g_ascii_string_to_unsigned (ms, 10, 0, 60000, &value, NULL))
    g_usleep (value * 1000);
}

static void
handle_ops (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  LdServer *self = user_data;
  g_autoptr(LdServerUser) user = ld_server_authenticate (self, msg);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree OpResult *results = NULL;
  JsonNode *ops_node;
  JsonArray *ops;
  gboolean changed = FALSE;
  guint n;

  if (user == NULL)
    return;
  if (!ld_server_method_is (msg, SOUP_METHOD_POST))
    {
      ld_server_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "%s answers POST only", path);
      return;
    }
  root = ld_server_parse_body (msg);
  if (root == NULL)
    return;
  ops_node = JSON_NODE_HOLDS_OBJECT (root)
             ? json_object_get_member (json_node_get_object (root), "ops") : NULL;
  if (ops_node == NULL || !JSON_NODE_HOLDS_ARRAY (ops_node))
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST, "Send {\"ops\": [OP, ...]}");
      return;
    }
  ops = json_node_get_array (ops_node);
  n = json_array_get_length (ops);
  if (n > MAX_OPS_PER_BATCH)
    {
      ld_server_send_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                            "A batch holds at most %d ops; this one has %u", MAX_OPS_PER_BATCH, n);
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      JsonNode *op = json_array_get_element (ops, i);
      const char *op_id = JSON_NODE_HOLDS_OBJECT (op)
                          ? member_string (json_node_get_object (op), "op_id") : NULL;

      if (op_id == NULL || *op_id == '\0' || strlen (op_id) > 64)
        {
          ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                                "ops[%u] must be an object with a string op_id (a UUID)", i);
          return;
        }
    }

  results = g_new0 (OpResult, MAX (n, 1));
  if (!ld_server_store_begin (self->store, &error))
    goto failed;
  for (guint i = 0; i < n; i++)
    if (!apply_op (self, user, json_array_get_object_element (ops, i), &results[i], &changed,
                   &error))
      {
        ld_server_store_rollback (self->store);
        goto failed;
      }
  if (!ld_server_store_commit (self->store, &error))
    {
      ld_server_store_rollback (self->store);
      goto failed;
    }
  fault_pause ();

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "results");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      OpResult *r = &results[i];

      ld_server_metrics_op (self->metrics, r->result);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "op_id");
      json_builder_add_string_value (b, member_string (json_array_get_object_element (ops, i),
                                                       "op_id"));
      json_builder_set_member_name (b, "result");
      json_builder_add_string_value (b, r->result);
      if (r->version > 0)
        {
          json_builder_set_member_name (b, "version");
          json_builder_add_int_value (b, r->version);
        }
      if (r->reason != NULL)
        {
          json_builder_set_member_name (b, "reason");
          json_builder_add_string_value (b, r->reason);
        }
      if (r->conflicts != NULL)
        {
          g_autoptr(JsonNode) c = json_node_init_array (json_node_alloc (), r->conflicts);

          json_builder_set_member_name (b, "conflicts");
          json_builder_add_value (b, g_steal_pointer (&c));
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  ld_server_send_json (msg, SOUP_STATUS_OK, b);
  if (changed)
    ld_server_events_notify (self);

out:
  for (guint i = 0; i < n; i++)
    {
      g_free (results[i].reason);
      g_clear_pointer (&results[i].conflicts, json_array_unref);
    }
  return;

failed:
  ld_server_log ("ops: %s", error->message);
  ld_server_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                        "The batch was not applied (nothing was written): %s", error->message);
  goto out;
}

void
ld_server_ops_register (LdServer *self)
{
  ld_server_route (self, "/api/v1/ops", handle_ops);
}
