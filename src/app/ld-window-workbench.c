/* ld-window-workbench.c: the main window's case lists, filters, user switcher and case page
 *
 * Everything here reads the local store, so the workbench works with no network. After an
 * action the counts and the list are read again: the store is the one source of truth.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ld-toast.h"
#include "ld-case-row.h"
#include "ld-labels.h"
#include "ld-window-private.h"

/* A list shows this many cases at most; the label says when there are more. */
#define PAGE_SIZE 2000

static const char * const light_ids[] = { NULL, "green", "yellow", "red" };

/* The id arrays start with NULL ("any"), which g_str_equal() cannot take. */
static gboolean
str_equal0 (gconstpointer a,
            gconstpointer b)
{
  return g_strcmp0 (a, b) == 0;
}

static const char *
selected_id (GtkDropDown *dropdown,
             GPtrArray   *ids)
{
  guint i = gtk_drop_down_get_selected (dropdown);

  return ids != NULL && i < ids->len ? g_ptr_array_index (ids, i) : NULL;
}

static void
show_error (LdWindow   *self,
            const char *message)
{
  adw_toast_overlay_add_toast (self->toasts, ld_toast_new_plain (message));
}

static void
refresh_counts (LdWindow *self)
{
  LdCaseListRow *rows[] = { NULL, self->todo_row, self->doing_row, self->done_row,
                            self->closed_row, self->suspended_row };
  guint counts[6] = { 0 };
  g_autoptr(GError) error = NULL;

  if (self->store != NULL && self->user != NULL
      && !ld_store_count_lists (self->store, ld_user_get (self->user, LD_USER_LOGIN), counts,
                                &error))
    show_error (self, error->message);
  for (guint i = 1; i < G_N_ELEMENTS (rows); i++)
    ld_case_list_row_set_count (rows[i], counts[i]);
}

static void
refresh_cases (LdWindow *self)
{
  g_autoptr(GListModel) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  LdCaseQuery query = { 0 };
  guint total = 0, n;

  g_list_store_remove_all (self->cases);
  if (self->store == NULL || self->user == NULL)
    {
      gtk_stack_set_visible_child_name (self->list_stack, "empty");
      gtk_label_set_text (self->count_label, "");
      return;
    }

  query.list = self->list;
  query.user = ld_user_get (self->user, LD_USER_LOGIN);
  query.search = search[0] != '\0' ? search : NULL;
  query.case_type = selected_id (self->type_filter, self->type_ids);
  query.stage = selected_id (self->stage_filter, self->stage_ids);
  query.light = light_ids[MIN (gtk_drop_down_get_selected (self->light_filter),
                               G_N_ELEMENTS (light_ids) - 1)];
  query.limit = PAGE_SIZE;
  page = ld_store_query_cases (self->store, &query, &total, &error);
  if (page == NULL)
    {
      show_error (self, error->message);
      return;
    }

  n = g_list_model_get_n_items (page);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (page, i);

      g_list_store_append (self->cases, item);
    }
  gtk_stack_set_visible_child_name (self->list_stack, n > 0 ? "cases" : "empty");
  adw_status_page_set_description (self->empty_page, query.search || query.case_type
                                   || query.stage || query.light
                                   ? _("No case matches the search and filters.")
                                   : _("This list is empty."));
  label = n < total
    ? g_strdup_printf (_("Showing %u of %u cases, by deadline"), n, total)
    : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u case, by deadline",
                                    "%u cases, by deadline", total), total);
  gtk_label_set_text (self->count_label, label);
}

static void
refresh (LdWindow *self)
{
  refresh_counts (self);
  refresh_cases (self);
}

static void
fill_filters (LdWindow *self)
{
  g_autoptr(GtkStringList) types = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) stages = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) lights = gtk_string_list_new (NULL);
  GListModel *matters = self->store ? ld_store_get_matters (self->store) : NULL;
  guint n = matters ? g_list_model_get_n_items (matters) : 0;

  g_clear_pointer (&self->type_ids, g_ptr_array_unref);
  g_clear_pointer (&self->stage_ids, g_ptr_array_unref);
  self->type_ids = g_ptr_array_new_with_free_func (g_free);
  self->stage_ids = g_ptr_array_new_with_free_func (g_free);

  gtk_string_list_append (types, _("All types"));
  g_ptr_array_add (self->type_ids, NULL);
  gtk_string_list_append (stages, _("All stages"));
  g_ptr_array_add (self->stage_ids, NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LdMatter) matter = g_list_model_get_item (matters, i);

      if (!g_ptr_array_find_with_equal_func (self->type_ids, ld_matter_get_case_type (matter),
                                             str_equal0, NULL))
        {
          gtk_string_list_append (types, ld_matter_get_case_type_name (matter));
          g_ptr_array_add (self->type_ids, g_strdup (ld_matter_get_case_type (matter)));
        }
      for (guint s = 0; s < ld_matter_get_n_stages (matter); s++)
        if (!g_ptr_array_find_with_equal_func (self->stage_ids,
                                               ld_matter_get_stage_id (matter, s),
                                               str_equal0, NULL))
          {
            gtk_string_list_append (stages, ld_matter_get_stage_name (matter, s));
            g_ptr_array_add (self->stage_ids, g_strdup (ld_matter_get_stage_id (matter, s)));
          }
    }
  gtk_string_list_append (lights, _("All deadlines"));
  for (guint i = 1; i < G_N_ELEMENTS (light_ids); i++)
    gtk_string_list_append (lights, ld_labels_light (light_ids[i]));

  gtk_drop_down_set_model (self->type_filter, G_LIST_MODEL (types));
  gtk_drop_down_set_model (self->stage_filter, G_LIST_MODEL (stages));
  gtk_drop_down_set_model (self->light_filter, G_LIST_MODEL (lights));
}

/* The demo has users for every role; a real profile has one, and the switcher stays. */
static void
fill_users (LdWindow *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = g_settings_get_string (self->settings, "user");
  guint n, chosen = GTK_INVALID_LIST_POSITION;

  g_clear_object (&self->users);
  self->users = self->store ? ld_store_list_users (self->store, &error) : NULL;
  if (error != NULL)
    show_error (self, error->message);
  n = self->users ? g_list_model_get_n_items (self->users) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LdUser) user = g_list_model_get_item (self->users, i);
      g_autofree char *label = g_strdup_printf ("%s · %s",
                                                ld_user_get (user, LD_USER_DISPLAY_NAME),
                                                ld_labels_role (ld_user_get (user, LD_USER_ROLE)));

      gtk_string_list_append (names, label);
      if (g_strcmp0 (saved, ld_user_get (user, LD_USER_LOGIN)) == 0
          || (chosen == GTK_INVALID_LIST_POSITION
              && g_strcmp0 (ld_user_get (user, LD_USER_ROLE), "reviewer") == 0))
        chosen = i;
    }
  gtk_drop_down_set_model (self->user_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->user_dropdown, chosen != GTK_INVALID_LIST_POSITION ? chosen : 0);
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  gtk_list_item_set_child (item, ld_case_row_new ());
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  LdWindow *self = user_data;
  LdCase *kase = gtk_list_item_get_item (item);
  LdMatter *matter = ld_matter_list_find (ld_store_get_matters (self->store),
                                          ld_case_get (kase, LD_CASE_MATTER));

  ld_case_row_set_case (LD_CASE_ROW (gtk_list_item_get_child (item)), kase, matter);
}

static void
case_activated_cb (GtkSingleSelection *selection,
                   GParamSpec         *pspec,
                   LdWindow           *self)
{
  LdCase *kase = gtk_single_selection_get_selected_item (selection);

  if (kase == NULL)
    return;
  ld_case_page_show_case (self->case_page, ld_case_get (kase, LD_CASE_ID));
  gtk_stack_set_visible_child_name (self->case_stack, "case");
  adw_view_stack_set_visible_child_name (self->view_stack, "case");
  /* The map follows the selection, ready when the reviewer switches to it. */
  ld_window_show_outline (self, ld_case_get (kase, LD_CASE_ID), FALSE);
}

static void
preview_redline_cb (LdCasePage *page,
                    LdRedline  *redline,
                    LdWindow   *self)
{
  ld_window_preview_redline (self, redline);
}

/* A red line clicked on the map opens its case. */
static void
open_case_cb (LdMapStatus *status,
              const char  *case_id,
              LdWindow    *self)
{
  if (self->store == NULL)
    return;
  ld_case_page_show_case (self->case_page, case_id);
  gtk_stack_set_visible_child_name (self->case_stack, "case");
  adw_view_stack_set_visible_child_name (self->view_stack, "case");
}

static void
case_list_selected_cb (GtkListBox    *box,
                       GtkListBoxRow *row,
                       LdWindow      *self)
{
  LdCaseList lists[] = { LD_CASE_LIST_TODO, LD_CASE_LIST_DOING, LD_CASE_LIST_DONE,
                         LD_CASE_LIST_CLOSED, LD_CASE_LIST_SUSPENDED };
  int i = row ? gtk_list_box_row_get_index (row) : -1;

  if (i < 0 || i >= (int) G_N_ELEMENTS (lists))
    return;
  self->list = lists[i];
  refresh_cases (self);
}

static void
filters_changed_cb (LdWindow *self)
{
  refresh_cases (self);
}

static void
user_selected_cb (GtkDropDown *dropdown,
                  GParamSpec  *pspec,
                  LdWindow    *self)
{
  guint i = gtk_drop_down_get_selected (dropdown);

  if (self->users == NULL || i >= g_list_model_get_n_items (self->users))
    return;
  g_clear_object (&self->user);
  self->user = g_list_model_get_item (self->users, i);
  g_settings_set_string (self->settings, "user", ld_user_get (self->user, LD_USER_LOGIN));
  ld_case_page_set_user (self->case_page, self->user);
  refresh (self);
}

static void
case_acted_cb (LdCasePage *page,
               const char *case_id,
               LdWindow   *self)
{
  refresh (self);
}

static void
show_on_map_cb (LdCasePage *page,
                const char *case_id,
                LdWindow   *self)
{
  adw_view_stack_set_visible_child_name (self->view_stack, "map");
  ld_window_show_outline (self, case_id, TRUE);
}

static void
focus_search_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (LD_WINDOW (widget)->search_entry));
}

void
ld_window_workbench_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, LdWindow, case_lists);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, todo_row);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, doing_row);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, done_row);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, closed_row);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, suspended_row);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, user_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, type_filter);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, stage_filter);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, light_filter);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, case_view);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, count_label);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, case_stack);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, case_page);
  gtk_widget_class_bind_template_callback (widget_class, case_list_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, filters_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, user_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, case_acted_cb);
  gtk_widget_class_bind_template_callback (widget_class, show_on_map_cb);
  gtk_widget_class_bind_template_callback (widget_class, open_case_cb);
  gtk_widget_class_bind_template_callback (widget_class, preview_redline_cb);

  gtk_widget_class_install_action (widget_class, "win.focus-search", NULL, focus_search_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.focus-search", NULL);
}

void
ld_window_workbench_init (LdWindow *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  self->list = LD_CASE_LIST_TODO;
  self->cases = g_list_store_new (LD_TYPE_CASE);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->cases)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect (self->selection, "notify::selected-item", G_CALLBACK (case_activated_cb),
                    self);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  gtk_list_view_set_model (self->case_view, GTK_SELECTION_MODEL (self->selection));
  gtk_list_view_set_factory (self->case_view, factory);
  g_object_unref (factory);
}

void
ld_window_workbench_dispose (LdWindow *self)
{
  g_clear_object (&self->store);
  g_clear_object (&self->users);
  g_clear_object (&self->user);
  g_clear_object (&self->cases);
  g_clear_object (&self->selection);
  g_clear_pointer (&self->type_ids, g_ptr_array_unref);
  g_clear_pointer (&self->stage_ids, g_ptr_array_unref);
}

/**
 * ld_window_open_store:
 * @path: a store file; created (empty) when it does not exist yet
 *
 * Shows the store's cases. Failing to open it leaves the workbench empty and says why.
 */
gboolean
ld_window_open_store (LdWindow   *self,
                      const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_return_val_if_fail (LD_IS_WINDOW (self), FALSE);

  g_clear_object (&self->store);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    self->store = ld_store_open (path, &error);
  else if (g_mkdir_with_parents (dir, 0700) == 0)
    self->store = ld_store_create (path, &error);
  else
    g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (errno),
                 _("Cannot create the folder %s: %s"), dir, g_strerror (errno));

  ld_case_page_set_store (self->case_page, self->store);
  ld_map_status_set_store_path (self->map_status, self->store ? path : NULL);
  if (self->store != NULL)
    ld_window_add_overlays (self, path);
  gtk_stack_set_visible_child_name (self->case_stack, "none");
  if (self->store == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Cannot open the case store: %s"),
                                               error->message);
      show_error (self, text);
    }
  fill_filters (self);
  fill_users (self);
  gtk_list_box_select_row (self->case_lists, GTK_LIST_BOX_ROW (self->todo_row));
  refresh (self);
  return self->store != NULL;
}

/* For tests and scripted demos: the case list row of the list named @list. */
LdCaseListRow *
ld_window_get_list_row (LdWindow   *self,
                        LdCaseList  list)
{
  switch (list)
    {
    case LD_CASE_LIST_TODO: return self->todo_row;
    case LD_CASE_LIST_DOING: return self->doing_row;
    case LD_CASE_LIST_DONE: return self->done_row;
    case LD_CASE_LIST_CLOSED: return self->closed_row;
    case LD_CASE_LIST_SUSPENDED: return self->suspended_row;
    case LD_CASE_LIST_ALL:
    default: return NULL;
    }
}

/* After a sync brought changes: the lists and counts read the store again (the same
 * connection sees what the sync committed); the open case page and its editor are left as
 * they are, so nothing being typed is lost. */
void
ld_window_refresh_lists (LdWindow *self)
{
  refresh (self);
}
