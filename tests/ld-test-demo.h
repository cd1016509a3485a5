/* ld-test-demo.h: a small demo-shaped GeoPackage (data/README.md) written with GDAL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Case UUIDs and numbers of the small demo. */
#define DEMO_CASE_EXAMINE   "11111111-1111-4111-8111-000000000001"   /* ZJYS-2025-0001 */
#define DEMO_CASE_CHECK     "11111111-1111-4111-8111-000000000002"   /* ZJHB-2025-0002 */
#define DEMO_CASE_INTAKE    "11111111-1111-4111-8111-000000000003"   /* ZJCR-2025-0003 */
#define DEMO_CASE_SUSPENDED "11111111-1111-4111-8111-000000000004"   /* ZJHS-2025-0004 */
#define DEMO_CASE_CLOSED    "11111111-1111-4111-8111-000000000005"   /* ZJYS-2024-0005 */

void  ld_test_write_demo (const char *path);

G_END_DECLS
