/* ld-module.h: the modules of the core, for processes linked with its base part only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LD_MODULE_ERROR (ld_module_error_quark ())

typedef enum
{
  LD_MODULE_ERROR_MISSING,
  LD_MODULE_ERROR_LOAD,
  LD_MODULE_ERROR_SYMBOL,
} LdModuleError;

GQuark   ld_module_error_quark (void);
gpointer ld_module_lookup      (const char  *module,
                                const char  *symbol,
                                GError     **error);

G_END_DECLS
