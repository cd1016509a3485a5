/* ld-record.h: a row of a synced table as text fields plus a version
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define LD_TYPE_RECORD (ld_record_get_type ())

G_DECLARE_DERIVABLE_TYPE (LdRecord, ld_record, LD, RECORD, GObject)

/* A subclass names its fields once, in class_init, with ld_record_class_install_fields();
 * they become string properties 1..n ('_' turned into '-') and "version" is property n + 1,
 * so a subclass's own properties start at n + 2. */
struct _LdRecordClass
{
  GObjectClass parent_class;

  /*< private >*/
  const char * const *field_names;
  guint               n_fields;
  GParamSpec        **field_props;
};

void          ld_record_class_install_fields (LdRecordClass      *klass,
                                              const char * const *field_names,
                                              guint               n_fields);
int           ld_record_names_find           (const char * const *field_names,
                                              guint               n_fields,
                                              const char         *column);

LdRecord     *ld_record_copy                 (LdRecord   *self);
const char   *ld_record_get                  (LdRecord   *self,
                                              guint       field);
void          ld_record_set                  (LdRecord   *self,
                                              guint       field,
                                              const char *value);
gint64        ld_record_get_version          (LdRecord   *self);
void          ld_record_set_version          (LdRecord   *self,
                                              gint64      version);

G_END_DECLS
