/* ld-coordfile-private.h: what the coordinate-file reader, writer and rings share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ld-coordfile.h"

G_BEGIN_DECLS

struct _LdCoordfile
{
  GObject    parent_instance;

  GPtrArray *header_keys;    /* char *, in file order */
  GHashTable *header;        /* key -> value */
  GPtrArray *parcels;        /* LdCoordParcel */
  GPtrArray *warnings;       /* char * */
  int        zone;
  int        zone_width;
};

/* Tolerance for "the same point", below the format's 1 mm precision. */
#define LD_COORD_SAME_POINT 0.0005

gboolean ld_coord_same_point (const LdCoordPoint *a,
                              const LdCoordPoint *b);

G_END_DECLS
