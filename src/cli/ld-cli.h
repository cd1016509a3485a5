/* ld-cli.h: the landdesk-cli subcommand table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <gmodule.h>

#include "ld-store.h"

G_BEGIN_DECLS

/* Exit codes every subcommand keeps to. */
enum
{
  LD_CLI_EXIT_OK = 0,
  LD_CLI_EXIT_FAILURE = 1,
  LD_CLI_EXIT_USAGE = 2,
};

/* Runs with argv[0] set to the command name; returns an exit code. */
typedef int (*LdCliRun) (int    argc,
                         char **argv);

typedef struct
{
  const char *name;
  const char *summary;
  LdCliRun    run;
  /* Or the module that holds ld_cli_NAME (src/cli/meson.build). */
  const char *module;
} LdCliCommand;

int  ld_cli_main           (int          argc,
                            char       **argv);
int  ld_cli_fail           (int          code,
                            const char  *format,
                            ...) G_GNUC_PRINTF (2, 3);
int  ld_cli_parse          (GOptionContext *context,
                            int         *argc,
                            char      ***argv);
void ld_cli_progress       (double       fraction,
                            const char  *what,
                            gpointer     user_data);
char *ld_cli_read_password_file (const char  *file,
                                 GError     **error);
LdStore *ld_cli_open_store       (const char  *path,
                                  GError     **error);

/* In landdesk-cli. */
int  ld_cli_analyze        (int          argc,
                            char       **argv);
int  ld_cli_calendar       (int          argc,
                            char       **argv);
int  ld_cli_case           (int          argc,
                            char       **argv);
int  ld_cli_cases          (int          argc,
                            char       **argv);
int  ld_cli_redline        (int          argc,
                            char       **argv);

/* In the modules: landdesk-gdal, */
G_MODULE_EXPORT int ld_cli_basemap   (int    argc,
                                      char **argv);
G_MODULE_EXPORT int ld_cli_demo_data (int    argc,
                                      char **argv);
G_MODULE_EXPORT int ld_cli_offline_area (int    argc,
                                         char **argv);
G_MODULE_EXPORT int ld_cli_store     (int    argc,
                                      char **argv);
/* landdesk-report, */
G_MODULE_EXPORT int ld_cli_report    (int    argc,
                                      char **argv);
/* landdesk-sync. */
G_MODULE_EXPORT int ld_cli_sync      (int    argc,
                                      char **argv);

G_END_DECLS
