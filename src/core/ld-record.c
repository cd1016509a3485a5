/* ld-record.c: a row of a synced table as text fields plus a version
 *
 * Cases, stage-log events and users are all rows whose columns the store, the change feed and
 * the ops address by name; they share this one implementation of fields, properties and copy.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ld-record.h"

typedef struct
{
  char   **fields;    /* n_fields of the instance's class, allocated on the first set */
  gint64   version;
} LdRecordPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (LdRecord, ld_record, G_TYPE_OBJECT)

static guint
n_fields_of (LdRecord *self)
{
  return LD_RECORD_GET_CLASS (self)->n_fields;
}

static void
ld_record_finalize (GObject *object)
{
  LdRecord *self = LD_RECORD (object);
  LdRecordPrivate *priv = ld_record_get_instance_private (self);

  if (priv->fields != NULL)
    for (guint i = 0; i < n_fields_of (self); i++)
      g_free (priv->fields[i]);
  g_free (priv->fields);

  G_OBJECT_CLASS (ld_record_parent_class)->finalize (object);
}

static void
ld_record_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  LdRecord *self = LD_RECORD (object);
  guint n_fields = n_fields_of (self);

  if (prop_id >= 1 && prop_id <= n_fields)
    g_value_set_string (value, ld_record_get (self, prop_id - 1));
  else if (prop_id == n_fields + 1)
    g_value_set_int64 (value, ld_record_get_version (self));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ld_record_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  LdRecord *self = LD_RECORD (object);
  guint n_fields = n_fields_of (self);

  if (prop_id >= 1 && prop_id <= n_fields)
    ld_record_set (self, prop_id - 1, g_value_get_string (value));
  else if (prop_id == n_fields + 1)
    ld_record_set_version (self, g_value_get_int64 (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ld_record_class_init (LdRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  /* Subclasses with properties of their own chain up to these */
  object_class->finalize = ld_record_finalize;
  object_class->get_property = ld_record_get_property;
  object_class->set_property = ld_record_set_property;
}

static void
ld_record_init (LdRecord *self)
{
}

/* Call from a subclass's class_init; the pspecs live as long as the class. */
void
ld_record_class_install_fields (LdRecordClass      *klass,
                                const char * const *field_names,
                                guint               n_fields)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  /* GObject does not inherit get/set_property: a class installing properties brings them */
  if (object_class->get_property == NULL)
    object_class->get_property = ld_record_get_property;
  if (object_class->set_property == NULL)
    object_class->set_property = ld_record_set_property;
  klass->field_names = field_names;
  klass->n_fields = n_fields;
  klass->field_props = g_new0 (GParamSpec *, n_fields + 1);
  for (guint i = 0; i < n_fields; i++)
    {
      g_autofree char *name = g_strdelimit (g_strdup (field_names[i]), "_", '-');

      klass->field_props[i] =
        g_param_spec_string (g_intern_string (name), NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                             | G_PARAM_STATIC_STRINGS);
      g_object_class_install_property (object_class, i + 1, klass->field_props[i]);
    }
  klass->field_props[n_fields] =
    g_param_spec_int64 ("version", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_property (object_class, n_fields + 1, klass->field_props[n_fields]);
}

/* Returns: the index of the field named @column, or -1 */
int
ld_record_names_find (const char * const *field_names,
                      guint               n_fields,
                      const char         *column)
{
  for (guint i = 0; i < n_fields; i++)
    if (g_strcmp0 (field_names[i], column) == 0)
      return (int) i;
  return -1;
}

/* Returns: (transfer full): a new record of the same type with the same fields and version;
 * a subclass copies its own state on top. */
LdRecord *
ld_record_copy (LdRecord *self)
{
  LdRecordPrivate *priv = ld_record_get_instance_private (self);
  LdRecord *copy = g_object_new (G_OBJECT_TYPE (self), NULL);
  LdRecordPrivate *copy_priv = ld_record_get_instance_private (copy);

  if (priv->fields != NULL)
    {
      copy_priv->fields = g_new0 (char *, n_fields_of (self));
      for (guint i = 0; i < n_fields_of (self); i++)
        copy_priv->fields[i] = g_strdup (priv->fields[i]);
    }
  copy_priv->version = priv->version;
  return copy;
}

const char *
ld_record_get (LdRecord *self,
               guint     field)
{
  LdRecordPrivate *priv = ld_record_get_instance_private (self);

  g_return_val_if_fail (field < n_fields_of (self), NULL);
  return priv->fields != NULL ? priv->fields[field] : NULL;
}

/* Sets a field; an empty string is stored as NULL (SQL NULL). */
void
ld_record_set (LdRecord   *self,
               guint       field,
               const char *value)
{
  LdRecordPrivate *priv = ld_record_get_instance_private (self);

  g_return_if_fail (field < n_fields_of (self));

  if (value != NULL && *value == '\0')
    value = NULL;
  if (g_strcmp0 (ld_record_get (self, field), value) == 0)
    return;
  if (priv->fields == NULL)
    priv->fields = g_new0 (char *, n_fields_of (self));
  g_free (priv->fields[field]);
  priv->fields[field] = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), LD_RECORD_GET_CLASS (self)->field_props[field]);
}

gint64
ld_record_get_version (LdRecord *self)
{
  LdRecordPrivate *priv = ld_record_get_instance_private (self);

  return priv->version;
}

void
ld_record_set_version (LdRecord *self,
                       gint64    version)
{
  LdRecordPrivate *priv = ld_record_get_instance_private (self);
  LdRecordClass *klass = LD_RECORD_GET_CLASS (self);

  if (priv->version == version)
    return;
  priv->version = version;
  g_object_notify_by_pspec (G_OBJECT (self), klass->field_props[klass->n_fields]);
}
