/* main.c: landdesk entry point
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ld-application.h"
#include "ld-core.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(LdApplication) app = NULL;
  int status;

  /* GTK probes OpenGL at start even when the cairo renderer is chosen, which never uses it;
   * without a GPU (Xvfb, remote desktops) that loads Mesa's llvmpipe and LLVM, ~50 MB. */
  if (g_strcmp0 (g_getenv ("GSK_RENDERER"), "cairo") == 0 && g_getenv ("GDK_DEBUG") == NULL)
    g_setenv ("GDK_DEBUG", "gl-disable", FALSE);

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, ld_paths_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  ld_redline_ogr_install ();

  app = ld_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);
  return status != 0 ? status : ld_application_get_exit_status (app);
}
