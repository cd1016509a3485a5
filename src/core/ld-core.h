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
#include "ld-calendar.h"
#include "ld-case.h"
#include "ld-case-event.h"
#include "ld-case-list-model.h"
#include "ld-clock.h"
#include "ld-matter.h"
#include "ld-store.h"
#include "ld-user.h"
#include "ld-workflow.h"
