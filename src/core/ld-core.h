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
#include "ld-basemap-preset.h"
#include "ld-demo.h"
#include "ld-landclass.h"
#include "ld-rng.h"
#include "ld-tile-png.h"
#include "ld-calendar.h"
#include "ld-case.h"
#include "ld-case-event.h"
#include "ld-clock.h"
#include "ld-matter.h"
#include "ld-store.h"
#include "ld-user.h"
#include "ld-workflow.h"
#include "ld-case-outline.h"
#include "ld-coordfile.h"
#include "ld-redline.h"
#include "ld-gk.h"
#include "ld-gpkg-geom.h"
#include "ld-identify.h"
#include "ld-palette.h"
#include "ld-tile-renderer.h"
#include "ld-units.h"
#include "ld-analysis.h"
