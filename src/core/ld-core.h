/* ld-core.h: the public face of liblanddesk, the domain core shared by app, server and CLI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ld-types.h"
#include "ld-paths.h"
#include "ld-geo.h"
#include "ld-mbtiles.h"
#include "ld-basemap.h"
#include "ld-tile-png.h"
#include "ld-gk.h"
#include "ld-gpkg-geom.h"
#include "ld-identify.h"
#include "ld-palette.h"
#include "ld-tile-renderer.h"
