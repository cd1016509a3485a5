/* ld-mbtiles.h: an MBTiles 1.3 tile store (SQLite)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LD_MBTILES_ERROR (ld_mbtiles_error_quark ())

typedef enum
{
  LD_MBTILES_ERROR_OPEN,
  LD_MBTILES_ERROR_FORMAT,
  LD_MBTILES_ERROR_NOT_FOUND,
  LD_MBTILES_ERROR_WRITE,
} LdMbtilesError;

#define LD_TYPE_MBTILES (ld_mbtiles_get_type ())

G_DECLARE_FINAL_TYPE (LdMbtiles, ld_mbtiles, LD, MBTILES, GObject)

GQuark      ld_mbtiles_error_quark    (void);

LdMbtiles  *ld_mbtiles_open           (const char    *path,
                                       GError       **error);
LdMbtiles  *ld_mbtiles_create         (const char    *path,
                                       GError       **error);
const char *ld_mbtiles_get_path       (LdMbtiles     *self);
char       *ld_mbtiles_dup_metadata   (LdMbtiles     *self,
                                       const char    *name);
gboolean    ld_mbtiles_set_metadata   (LdMbtiles     *self,
                                       const char    *name,
                                       const char    *value,
                                       GError       **error);
GBytes     *ld_mbtiles_read_tile      (LdMbtiles     *self,
                                       int            zoom,
                                       int            x,
                                       int            y,
                                       GError       **error);
gboolean    ld_mbtiles_write_tile     (LdMbtiles     *self,
                                       int            zoom,
                                       int            x,
                                       int            y,
                                       GBytes        *data,
                                       GError       **error);
gboolean    ld_mbtiles_begin          (LdMbtiles     *self,
                                       GError       **error);
gboolean    ld_mbtiles_commit         (LdMbtiles     *self,
                                       GError       **error);
gint64      ld_mbtiles_count_tiles    (LdMbtiles     *self);

G_END_DECLS
