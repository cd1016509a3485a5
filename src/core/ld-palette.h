/* ld-palette.h: a layer's class palette (data/styles/<layer>.csv)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LD_PALETTE_ERROR (ld_palette_error_quark ())

typedef enum
{
  LD_PALETTE_ERROR_OPEN,
  LD_PALETTE_ERROR_PARSE,
} LdPaletteError;

/* One row of a palette. Colours are straight (not premultiplied) RGBA in [0, 1]. */
typedef struct
{
  char     *code;       /* "0101", or "*" for the default row */
  char     *name;       /* "水田" */
  gboolean  has_fill;
  double    fill[4];
  gboolean  has_outline;
  double    outline[4];
  gboolean  label;      /* draw the class code as a label at high zoom */
} LdPaletteEntry;

#define LD_TYPE_PALETTE (ld_palette_get_type ())

G_DECLARE_FINAL_TYPE (LdPalette, ld_palette, LD, PALETTE, GObject)

GQuark                ld_palette_error_quark  (void);

LdPalette            *ld_palette_new_from_file (const char   *path,
                                                GError      **error);
LdPalette            *ld_palette_new_from_data (const char   *data,
                                                gssize        length,
                                                const char   *source_name,
                                                GError      **error);
const char           *ld_palette_get_field     (LdPalette    *self);
const char           *ld_palette_get_metadata  (LdPalette    *self,
                                                const char   *key);
guint                 ld_palette_get_n_entries (LdPalette    *self);
const LdPaletteEntry *ld_palette_get_entry     (LdPalette    *self,
                                                guint         index);
const LdPaletteEntry *ld_palette_lookup        (LdPalette    *self,
                                                const char   *code);
int                   ld_palette_lookup_index  (LdPalette    *self,
                                                const char   *code);
const char           *ld_palette_get_checksum  (LdPalette    *self);

G_END_DECLS
