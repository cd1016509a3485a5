/* ld-server-gdal.h: GDAL/OGR's C API, included without tripping our -Werror=undef
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop
