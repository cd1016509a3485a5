/* ld-module.h: the module landdesk-full, for processes linked with the base part only
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

/* The module's file name without its directory: landdesk-full.so, landdesk-full.dll. */
#define LD_MODULE_NAME "landdesk-full"

GQuark   ld_module_error_quark (void);
gpointer ld_module_lookup      (const char  *symbol,
                                GError     **error);

G_END_DECLS
