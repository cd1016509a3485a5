/* ld-coordfile.h: the ministry boundary-point coordinate file (部标 TXT), read and written
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LD_COORDFILE_ERROR (ld_coordfile_error_quark ())

typedef enum
{
  LD_COORDFILE_ERROR_OPEN,      /* the file cannot be read */
  LD_COORDFILE_ERROR_ENCODING,  /* neither UTF-8 nor GB18030 */
  LD_COORDFILE_ERROR_SYNTAX,    /* a line or field is wrong: the message names both */
  LD_COORDFILE_ERROR_CRS,       /* a coordinate system LandDesk cannot use as it is */
  LD_COORDFILE_ERROR_EMPTY,     /* no parcel in the file */
  LD_COORDFILE_ERROR_WRITE,
} LdCoordfileError;

/* A point in GIS order: x = easting (with the zone prefix), y = northing. The file itself
 * holds them the other way round (X = northing), as surveyors write them. */
typedef struct
{
  double x;
  double y;
} LdCoordPoint;

typedef struct
{
  GArray *points;  /* LdCoordPoint, closed: the last point repeats the first */
  int     number;  /* ring number in the file (1..n) */
  guint   line;    /* line of its first point, 0 when built in code */
  int     shell;   /* -1 when the ring is an outer ring, else the index of the ring it is a hole of */
} LdCoordRing;

typedef struct
{
  char      *parcel_no;
  char      *name;
  char      *kind;         /* 面, 线 or 点 */
  char      *sheet;
  char      *use;
  char      *class_code;
  int        point_count;  /* from the header; -1 when it was empty */
  double     area_ha;      /* from the header; NAN when it was empty */
  guint      line;         /* line of the parcel header */
  GPtrArray *rings;        /* LdCoordRing */
} LdCoordParcel;

#define LD_TYPE_COORDFILE (ld_coordfile_get_type ())

G_DECLARE_FINAL_TYPE (LdCoordfile, ld_coordfile, LD, COORDFILE, GObject)

GQuark         ld_coordfile_error_quark      (void);

LdCoordParcel *ld_coord_parcel_new           (const char     *parcel_no,
                                              const char     *name);
void           ld_coord_parcel_free          (LdCoordParcel  *parcel);
LdCoordRing   *ld_coord_parcel_add_ring      (LdCoordParcel  *parcel,
                                              const LdCoordPoint *points,
                                              guint           n_points);
void           ld_coord_parcel_assign_rings  (LdCoordParcel  *parcel);
double         ld_coord_parcel_area          (const LdCoordParcel *parcel);
double         ld_coord_ring_signed_area     (const LdCoordRing *ring);

LdCoordfile   *ld_coordfile_new              (void);
LdCoordfile   *ld_coordfile_load             (const char     *path,
                                              GError        **error);
LdCoordfile   *ld_coordfile_parse            (const char     *data,
                                              gsize           length,
                                              const char     *name,
                                              GError        **error);
const char    *ld_coordfile_get_header       (LdCoordfile    *self,
                                              const char     *key);
void           ld_coordfile_set_header       (LdCoordfile    *self,
                                              const char     *key,
                                              const char     *value);
int            ld_coordfile_get_zone         (LdCoordfile    *self);
int            ld_coordfile_get_zone_width   (LdCoordfile    *self);
int            ld_coordfile_get_epsg         (LdCoordfile    *self);
guint          ld_coordfile_get_n_parcels    (LdCoordfile    *self);
LdCoordParcel *ld_coordfile_get_parcel       (LdCoordfile    *self,
                                              guint           index);
void           ld_coordfile_add_parcel       (LdCoordfile    *self,
                                              LdCoordParcel  *parcel);
GPtrArray     *ld_coordfile_get_warnings     (LdCoordfile    *self);
char          *ld_coordfile_to_data          (LdCoordfile    *self,
                                              const char     *encoding,
                                              gsize          *length,
                                              GError        **error);
gboolean       ld_coordfile_save             (LdCoordfile    *self,
                                              const char     *path,
                                              const char     *encoding,
                                              GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LdCoordParcel, ld_coord_parcel_free)

G_END_DECLS
