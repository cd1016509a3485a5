/* ld-test-util.h: running the project's binaries from tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  int   status;   /* exit code, or -1 when killed by a signal */
  char *out;
  char *err;
} LdTestRun;

void        ld_test_init      (int         *argc,
                               char      ***argv);
const char *ld_test_binary    (const char *env_name);
char       *ld_test_path      (const char *name);
void        ld_test_rm_rf     (const char *path);
SoupSession *ld_test_session  (void);
LdTestRun  *ld_test_run       (const char * const *envp,
                               const char         *binary,
                               ...) G_GNUC_NULL_TERMINATED;
void        ld_test_run_free  (LdTestRun          *run);
void        ld_test_wait_for  (gboolean          (*cond) (gpointer),
                               gpointer             data,
                               guint                seconds);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LdTestRun, ld_test_run_free)

G_END_DECLS
