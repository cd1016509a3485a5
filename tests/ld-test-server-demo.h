/* ld-test-server-demo.h: a small GeoPackage in the demo's shape (data/README.md), for server tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ld-test-server.h"

G_BEGIN_DECLS

/* Case ids of the fixture, with their assignee and stage. */
#define LD_TEST_CASE_EXAMINE  "c0000000-0000-4000-8000-000000000001" /* zhang.wei, examine */
#define LD_TEST_CASE_CHECK    "c0000000-0000-4000-8000-000000000002" /* liu.yang, check */
#define LD_TEST_CASE_FIELD    "c0000000-0000-4000-8000-000000000003" /* zhao.lei, examine */
#define LD_TEST_CASE_INTAKE   "c0000000-0000-4000-8000-000000000004" /* liu.yang, intake */
#define LD_TEST_CASE_APPROVE  "c0000000-0000-4000-8000-000000000005" /* liu.yang, approve */
#define LD_TEST_N_CASES       5
#define LD_TEST_N_USERS       7   /* six in the table, plus the admin the server adds */
#define LD_TEST_N_DLTB        9
#define LD_TEST_N_REFERENCE   8   /* a palette, four matter files, three calendars */

/* Every fixture user's password on a server started by ld_test_demo_server(). */
#define LD_TEST_DEMO_PASSWORD "demo-pass-123"

char         *ld_test_demo_gpkg   (const char *name);
LdTestServer *ld_test_demo_server (const char *data_dir,
                                   const char *option,
                                   const char *value);
char         *ld_test_login_body  (const char *login,
                                   const char *password);

G_END_DECLS
