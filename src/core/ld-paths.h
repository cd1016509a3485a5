/* ld-paths.h: where LandDesk finds its data and keeps the user's files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *ld_paths_data_dir      (void);
const char *ld_paths_locale_dir    (void);
char       *ld_paths_data_file     (const char *first_element,
                                    ...) G_GNUC_NULL_TERMINATED;
char       *ld_paths_user_data_dir (void);
const char *ld_version_string      (void);

G_END_DECLS
