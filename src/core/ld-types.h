/* ld-types.h: forward declarations and small types shared across the core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _LdBasemap LdBasemap;
typedef struct _LdCalendar LdCalendar;
typedef struct _LdCase LdCase;
typedef struct _LdCaseEvent LdCaseEvent;
typedef struct _LdCaseListModel LdCaseListModel;
typedef struct _LdCoordfile LdCoordfile;
typedef struct _LdDemo LdDemo;
typedef struct _LdGk LdGk;
typedef struct _LdIdentify LdIdentify;
typedef struct _LdLandclass LdLandclass;
typedef struct _LdMatter LdMatter;
typedef struct _LdMbtiles LdMbtiles;
typedef struct _LdPalette LdPalette;
typedef struct _LdRedline LdRedline;
typedef struct _LdStore LdStore;
typedef struct _LdSync LdSync;
typedef struct _LdTileRenderer LdTileRenderer;
typedef struct _LdUser LdUser;

/* Long operations report a fraction in [0, 1] and a short phrase ("rendering zoom 12"). */
typedef void (*LdProgressFunc) (double      fraction,
                                const char *what,
                                gpointer    user_data);

G_END_DECLS
