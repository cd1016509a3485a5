/* ld-matter.h: a business matter (业务事项) of the catalogue: stages, roles, actions, limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LD_MATTER_ERROR (ld_matter_error_quark ())

typedef enum
{
  LD_MATTER_ERROR_FORMAT,
  LD_MATTER_ERROR_NOT_FOUND,
} LdMatterError;

#define LD_TYPE_MATTER (ld_matter_get_type ())

G_DECLARE_FINAL_TYPE (LdMatter, ld_matter, LD, MATTER, GObject)

GQuark              ld_matter_error_quark            (void);
const char * const *ld_matter_known_actions          (void);
const char * const *ld_matter_known_roles            (void);

LdMatter    *ld_matter_new_from_json           (const char  *json,
                                                const char  *origin,
                                                GError     **error);
GListModel  *ld_matter_load_dir                (const char  *dir,
                                                GError     **error);
GListModel  *ld_matter_load_default            (GError     **error);
LdMatter    *ld_matter_list_find               (GListModel  *matters,
                                                const char  *id);

const char  *ld_matter_get_id                  (LdMatter    *self);
const char  *ld_matter_get_name                (LdMatter    *self);
const char  *ld_matter_get_case_type           (LdMatter    *self);
const char  *ld_matter_get_case_type_name      (LdMatter    *self);
const char  *ld_matter_get_json                (LdMatter    *self);
int          ld_matter_get_limit_workdays      (LdMatter    *self);
int          ld_matter_get_special_limit_workdays (LdMatter *self);
int          ld_matter_get_yellow_remaining    (LdMatter    *self);
double       ld_matter_get_yellow_used_ratio   (LdMatter    *self);
gboolean     ld_matter_action_stops_clock      (LdMatter    *self,
                                                const char  *action);
gboolean     ld_matter_action_needs_opinion    (LdMatter    *self,
                                                const char  *action);

guint        ld_matter_get_n_stages            (LdMatter    *self);
int          ld_matter_find_stage              (LdMatter    *self,
                                                const char  *stage_id);
const char  *ld_matter_get_stage_id            (LdMatter    *self,
                                                guint        index);
const char  *ld_matter_get_stage_name          (LdMatter    *self,
                                                guint        index);
const char  *ld_matter_get_stage_role          (LdMatter    *self,
                                                guint        index);
int          ld_matter_get_stage_limit         (LdMatter    *self,
                                                guint        index);
gboolean     ld_matter_stage_has_action        (LdMatter    *self,
                                                guint        index,
                                                const char  *action);

G_END_DECLS
