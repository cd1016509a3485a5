/* ld-case-list-model.c: a lazy GListModel of a case list, read from the store page by page
 *
 * A GtkListView over 100 000 cases asks only for the rows it shows: the model knows the count
 * and fetches pages of PAGE_SIZE cases on demand, keeping a few. Set the query, then refresh:
 * items-changed replaces everything (the view keeps its scroll position where it can).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ld-case.h"
#include "ld-case-list-model.h"

#define PAGE_SIZE 100
#define MAX_PAGES 16

struct _LdCaseListModel
{
  GObject      parent_instance;

  LdStore     *store;
  LdCaseQuery  query;        /* strings owned below; offset and limit unused */
  char        *user;
  char        *search;
  char        *case_type;
  char        *stage;
  char        *light;
  GDate        today;
  gboolean     has_today;
  guint        n_items;
  GHashTable  *pages;        /* page index -> GListModel of LdCase */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LdCaseListModel, ld_case_list_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return LD_TYPE_CASE;
}

static guint
get_n_items (GListModel *model)
{
  return LD_CASE_LIST_MODEL (model)->n_items;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  LdCaseListModel *self = LD_CASE_LIST_MODEL (model);
  guint index = position / PAGE_SIZE;
  GListModel *page;

  if (position >= self->n_items)
    return NULL;
  page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));
  if (page == NULL)
    {
      g_autoptr(GError) error = NULL;
      LdCaseQuery q = self->query;

      q.offset = index * PAGE_SIZE;
      q.limit = PAGE_SIZE;
      page = ld_store_query_cases (self->store, &q, NULL, &error);
      if (page == NULL)
        {
          g_warning ("cannot read cases %u-%u: %s", q.offset, q.offset + PAGE_SIZE - 1,
                     error->message);
          return NULL;
        }
      if (g_hash_table_size (self->pages) >= MAX_PAGES)
        g_hash_table_remove_all (self->pages);
      g_hash_table_insert (self->pages, GUINT_TO_POINTER (index), page);
    }
  /* NULL when the store shrank since the count: refresh() will say so */
  return g_list_model_get_item (page, position % PAGE_SIZE);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
ld_case_list_model_dispose (GObject *object)
{
  LdCaseListModel *self = LD_CASE_LIST_MODEL (object);

  g_clear_object (&self->store);
  g_hash_table_remove_all (self->pages);

  G_OBJECT_CLASS (ld_case_list_model_parent_class)->dispose (object);
}

static void
ld_case_list_model_finalize (GObject *object)
{
  LdCaseListModel *self = LD_CASE_LIST_MODEL (object);

  g_free (self->user);
  g_free (self->search);
  g_free (self->case_type);
  g_free (self->stage);
  g_free (self->light);
  g_hash_table_unref (self->pages);

  G_OBJECT_CLASS (ld_case_list_model_parent_class)->finalize (object);
}

static void
ld_case_list_model_class_init (LdCaseListModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ld_case_list_model_dispose;
  object_class->finalize = ld_case_list_model_finalize;
}

static void
ld_case_list_model_init (LdCaseListModel *self)
{
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
}

/**
 * ld_case_list_model_new:
 *
 * An empty model over @store; set a query and refresh it.
 */
LdCaseListModel *
ld_case_list_model_new (LdStore *store)
{
  LdCaseListModel *self = g_object_new (LD_TYPE_CASE_LIST_MODEL, NULL);

  self->store = g_object_ref (store);
  return self;
}

/**
 * ld_case_list_model_set_query:
 *
 * Copies @query (its offset and limit are ignored). Takes effect at the next refresh.
 */
void
ld_case_list_model_set_query (LdCaseListModel   *self,
                              const LdCaseQuery *query)
{
  g_return_if_fail (LD_IS_CASE_LIST_MODEL (self));

  g_free (self->user);
  g_free (self->search);
  g_free (self->case_type);
  g_free (self->stage);
  g_free (self->light);
  self->user = g_strdup (query->user);
  self->search = g_strdup (query->search);
  self->case_type = g_strdup (query->case_type);
  self->stage = g_strdup (query->stage);
  self->light = g_strdup (query->light);
  self->has_today = query->today != NULL;
  if (self->has_today)
    self->today = *query->today;
  self->query.list = query->list;
  self->query.user = self->user;
  self->query.search = self->search;
  self->query.case_type = self->case_type;
  self->query.stage = self->stage;
  self->query.light = self->light;
  self->query.today = self->has_today ? &self->today : NULL;
}

/**
 * ld_case_list_model_refresh:
 *
 * Counts the list again and drops the cached pages; emits items-changed for the whole list.
 * On failure the model keeps its old contents.
 */
gboolean
ld_case_list_model_refresh (LdCaseListModel  *self,
                            GError          **error)
{
  g_autoptr(GListModel) first = NULL;
  LdCaseQuery q = self->query;
  guint old = self->n_items, total = 0;

  g_return_val_if_fail (LD_IS_CASE_LIST_MODEL (self), FALSE);

  q.offset = 0;
  q.limit = PAGE_SIZE;
  first = ld_store_query_cases (self->store, &q, &total, error);
  if (first == NULL)
    return FALSE;
  g_hash_table_remove_all (self->pages);
  g_hash_table_insert (self->pages, GUINT_TO_POINTER (0), g_steal_pointer (&first));
  self->n_items = total;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old, total);
  return TRUE;
}
