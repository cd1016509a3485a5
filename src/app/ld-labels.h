/* ld-labels.h: the words the interface shows for the core's identifiers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *ld_labels_action (const char *action_id);
const char *ld_labels_role   (const char *role_id);
const char *ld_labels_status (const char *status_id);
const char *ld_labels_light  (const char *light_id);
const char *ld_labels_layer  (const char *table);

G_END_DECLS
