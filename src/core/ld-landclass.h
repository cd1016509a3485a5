/* ld-landclass.h: the land classification tables of data/classes/
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-types.h"

G_BEGIN_DECLS

#define LD_LANDCLASS_ERROR (ld_landclass_error_quark ())

typedef enum
{
  LD_LANDCLASS_ERROR_IO,
  LD_LANDCLASS_ERROR_PARSE,
} LdLandclassError;

typedef enum
{
  LD_LANDCLASS_GBT21010_2017,
  LD_LANDCLASS_LANDSEA_2023,
} LdLandclassScheme;

/* The three categories of GB/T 21010-2017; NONE on first-level classes whose children differ. */
typedef enum
{
  LD_LAND_CATEGORY_NONE,
  LD_LAND_CATEGORY_AGRICULTURAL,
  LD_LAND_CATEGORY_CONSTRUCTION,
  LD_LAND_CATEGORY_UNUSED,
} LdLandCategory;

typedef struct
{
  char           *code;
  char           *name;
  int             level;
  char           *parent;     /* NULL on first-level classes */
  LdLandCategory  category;   /* NONE in the 2023 table */
} LdLandclassEntry;

#define LD_TYPE_LANDCLASS (ld_landclass_get_type ())

G_DECLARE_FINAL_TYPE (LdLandclass, ld_landclass, LD, LANDCLASS, GObject)

GQuark                  ld_landclass_error_quark   (void);
LdLandclass            *ld_landclass_load          (GError           **error);
LdLandclass            *ld_landclass_load_from_dir (const char        *dir,
                                                    GError           **error);
const LdLandclassEntry *ld_landclass_lookup        (LdLandclass       *self,
                                                    LdLandclassScheme  scheme,
                                                    const char        *code);
const char             *ld_landclass_get_edition   (LdLandclass       *self,
                                                    LdLandclassScheme  scheme);
const char             *ld_landclass_map_2007      (LdLandclass       *self,
                                                    const char        *old_code);
LdLandCategory          ld_landclass_category      (LdLandclass       *self,
                                                    const char        *code);
GPtrArray              *ld_landclass_list          (LdLandclass       *self,
                                                    LdLandclassScheme  scheme);
const char             *ld_land_category_to_string (LdLandCategory     category);

G_END_DECLS
