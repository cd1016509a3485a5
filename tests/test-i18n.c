/* test-i18n.c: the built Chinese catalogue loads and translates the interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>

#include "ld-core.h"

static void
test_zh_cn_catalogue (void)
{
  struct { const char *msgid; const char *zh; } expected[] = {
    { "To Do", "待办" },
    { "In Progress", "在办" },
    { "Done", "已办" },
    { "Closed", "办结" },
    { "Suspended", "挂起" },
  };

  if (setlocale (LC_ALL, "zh_CN.UTF-8") == NULL)
    g_error ("The zh_CN.UTF-8 locale is missing: build-aux/deps.sh generates it");
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  bindtextdomain (GETTEXT_PACKAGE, ld_paths_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, expected[i].msgid), ==, expected[i].zh);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/i18n/zh-cn-catalogue", test_zh_cn_catalogue);

  return g_test_run ();
}
