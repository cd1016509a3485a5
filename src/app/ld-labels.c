/* ld-labels.c: the words the interface shows for the core's identifiers
 *
 * Stage and matter names are data (data/matters, in Chinese, edited by administrators);
 * actions, roles, statuses and lights are the program's own vocabulary and are translated.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ld-labels.h"

typedef struct
{
  const char *id;
  const char *label;
} Label;

static const Label actions[] = {
  { "accept", N_("Accept") },
  { "submit", N_("Submit to Next Stage") },
  { "return", N_("Return to Previous Stage") },
  { "request-correction", N_("Request Correction") },
  { "resume", N_("Resume") },
  { "start-special", N_("Start Special Procedure") },
  { "end-special", N_("End Special Procedure") },
  { "approve", N_("Approve") },
  { "refuse", N_("Refuse") },
  { "close", N_("Close and Issue") },
  { "reassign", N_("Reassign") },
};

static const Label roles[] = {
  { "reviewer", N_("Reviewer") },
  { "section-head", N_("Section Head") },
  { "leader", N_("Bureau Leader") },
  { "field-staff", N_("Field Staff") },
  { "gis-officer", N_("GIS Officer") },
  { "admin", N_("Administrator") },
};

static const Label statuses[] = {
  { "active", N_("Active") },
  { "suspended", N_("Suspended") },
  { "closed", N_("Closed") },
  { "refused", N_("Refused") },
};

static const Label lights[] = {
  { "green", N_("On time") },
  { "yellow", N_("Deadline near") },
  { "red", N_("Overdue") },
  { "none", N_("No time limit yet") },
};

static const Label layers[] = {
  { "xz_dltb", N_("Current land use") },
  { "gh_ydyh", N_("Planned land use") },
  { "sx_yjjbnt", N_("Permanent basic farmland") },
  { "sx_stbhhx", N_("Ecological protection red line") },
  { "sx_czkfbj", N_("Urban development boundary") },
  { "case_redlines", N_("Case red line") },
};

/* Unknown ids (a newer server, an administrator's new matter) show as they are. */
static const char *
lookup (const Label *table,
        gsize        n,
        const char  *id)
{
  for (gsize i = 0; i < n; i++)
    if (g_strcmp0 (table[i].id, id) == 0)
      return _(table[i].label);
  return id != NULL ? id : "";
}

const char *
ld_labels_action (const char *action_id)
{
  return lookup (actions, G_N_ELEMENTS (actions), action_id);
}

const char *
ld_labels_role (const char *role_id)
{
  return lookup (roles, G_N_ELEMENTS (roles), role_id);
}

const char *
ld_labels_status (const char *status_id)
{
  return lookup (statuses, G_N_ELEMENTS (statuses), status_id);
}

const char *
ld_labels_light (const char *light_id)
{
  return lookup (lights, G_N_ELEMENTS (lights), light_id);
}

const char *
ld_labels_layer (const char *table)
{
  return lookup (layers, G_N_ELEMENTS (layers), table);
}
