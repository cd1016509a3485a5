/* ld-sync-indicator.c: the header bar's sync indicator and its panel
 *
 * The button shows online/offline, syncing, trouble, and how many edits wait; its popover
 * says the same in plain words (last sync, the last error), lists every op not yet
 * acknowledged (waiting, rejected with the server's reason, in conflict) and resolves
 * conflicts field by field: keep mine, take theirs, or type a value; a parcel's geometry (with
 * its area) is one row whose two versions are compared side by side on two maps. A resolution is a new op,
 * sent at once. Syncs run in a worker thread (ld_sync_run_async) every minute while online,
 * when the network comes back, when the server announces changes (WebSocket), and on demand. Never silent: every failure is shown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ld-redline-conflict-view.h"
#include "ld-sync-indicator.h"

#define SYNC_INTERVAL_S 60

struct _LdSyncIndicator
{
  AdwBin         parent_instance;

  LdSync        *sync;
  LdStore       *store;
  ShumateMapSource *basemap;   /* the main map's, for a red-line conflict's two maps */
  char          *error;
  char          *status;
  gboolean       syncing;
  gboolean       again;     /* the server announced changes during a sync */
  guint          timer;
  GCancellable  *cancellable;

  /* Template children */
  GtkMenuButton *button;
  GtkImage      *icon;
  GtkLabel      *badge;
  GtkLabel      *status_label;
  GtkLabel      *detail_label;
  GtkButton     *sync_button;
  GtkButton     *logout_button;
  GtkListBox    *items;
};

G_DEFINE_FINAL_TYPE (LdSyncIndicator, ld_sync_indicator, ADW_TYPE_BIN)

enum
{
  SYNCED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- helpers ---------------------------------------------------------------------------- */

/* A stored JSON value as a person reads it. */
static char *
plain_value (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL))
    return g_strdup (json ? json : "");
  root = json_parser_get_root (parser);
  if (JSON_NODE_HOLDS_NULL (root))
    return g_strdup (_("(empty)"));
  if (JSON_NODE_HOLDS_VALUE (root) && json_node_get_value_type (root) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (root));
  return g_strdup (json);
}

static void start_sync (LdSyncIndicator *self);
static void refresh (LdSyncIndicator *self);
static void show_login (LdSyncIndicator *self);

static gboolean
refresh_idle_cb (gpointer user_data)
{
  LdSyncIndicator *self = user_data;

  refresh (self);
  start_sync (self);
  return G_SOURCE_REMOVE;
}

/* The rows (and the button being clicked) are rebuilt once the click is over. */
static void
refresh_later (LdSyncIndicator *self)
{
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, refresh_idle_cb, g_object_ref (self),
                   g_object_unref);
}

static void
resolve (LdSyncIndicator *self,
         gint64           id,
         LdSyncChoice     choice,
         const char      *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = value ? json_node_init_string (json_node_alloc (), value) : NULL;

  if (self->store == NULL)
    return;
  /* Offline too: the resolution waits in the outbox like any edit. */
  if (!ld_store_sync_resolve (self->store, id, choice, node,
                              self->sync ? ld_sync_get_login (self->sync) : NULL, &error))
    {
      g_free (self->error);
      self->error = g_strdup_printf (_("Could not resolve the conflict: %s"), error->message);
    }
  refresh_later (self);
}

static gint64
conflict_id (GtkWidget *button)
{
  return *(gint64 *) g_object_get_data (G_OBJECT (button), "conflict-id");
}

static void
mine_clicked_cb (GtkButton       *button,
                 LdSyncIndicator *self)
{
  resolve (self, conflict_id (GTK_WIDGET (button)), LD_SYNC_CHOICE_MINE, NULL);
}

static void
theirs_clicked_cb (GtkButton       *button,
                   LdSyncIndicator *self)
{
  resolve (self, conflict_id (GTK_WIDGET (button)), LD_SYNC_CHOICE_THEIRS, NULL);
}

static void
edit_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  LdSyncIndicator  *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  gint64 *id = g_object_get_data (G_OBJECT (dialog), "conflict-id");

  if (g_strcmp0 (response, "keep") == 0)
    resolve (self, *id, LD_SYNC_CHOICE_VALUE, gtk_editable_get_text (entry));
}

static void
edit_clicked_cb (GtkButton       *button,
                 LdSyncIndicator *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *field = g_object_get_data (G_OBJECT (button), "field");
  const char *mine = g_object_get_data (G_OBJECT (button), "mine");
  GtkWidget *entry = gtk_entry_new ();
  g_autofree char *body = g_strdup_printf (_("The value to keep for %s"), field);
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root)
                                                                            : NULL,
                                                       _("Resolve the Conflict"), body));
  gtk_editable_set_text (GTK_EDITABLE (entry), mine);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog, "cancel", _("Cancel"), "keep", _("Keep This Value"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "keep", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "keep");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_object_set_data_full (G_OBJECT (dialog), "conflict-id",
                          g_memdup2 (g_object_get_data (G_OBJECT (button), "conflict-id"),
                                     sizeof (gint64)), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (edit_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A parcel geometry's conflict, and the area conflict that goes with it, settle together. */
static gboolean
is_geometry (LdSyncConflict *c)
{
  return g_str_equal (c->entity, "case_redline") && g_str_equal (c->field, "geom");
}

static void
resolve_geometry (LdSyncIndicator *self,
                  const char      *op_id,
                  LdSyncChoice     choice)
{
  g_autoptr(GPtrArray) conflicts = ld_store_sync_list_conflicts (self->store, NULL);

  /* the area first: the geometry's resolution, last, writes the op with both */
  for (int pass = 0; pass < 2 && conflicts != NULL; pass++)
    for (guint i = 0; i < conflicts->len; i++)
      {
        LdSyncConflict *c = conflicts->pdata[i];

        if (g_str_equal (c->op_id, op_id)
            && g_str_equal (c->field, pass == 0 ? "area_m2" : "geom"))
          resolve (self, c->id, choice, NULL);
      }
}

static void
geometry_chosen_cb (LdRedlineConflictView *view,
                    int                    choice,
                    LdSyncIndicator       *self)
{
  resolve_geometry (self, g_object_get_data (G_OBJECT (view), "op-id"), choice);
}

static void
geometry_clicked_cb (GtkButton       *button,
                     LdSyncIndicator *self)
{
  resolve_geometry (self, g_object_get_data (G_OBJECT (button), "op-id"),
                    GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "choice")));
}

static void
compare_clicked_cb (GtkButton       *button,
                    LdSyncIndicator *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GError) error = NULL;
  LdRedlineConflictView *view;

  view = ld_redline_conflict_view_new (g_object_get_data (G_OBJECT (button), "mine"),
                                       g_object_get_data (G_OBJECT (button), "theirs"),
                                       self->basemap, &error);
  if (view == NULL)
    {
      g_free (self->error);
      self->error = g_strdup_printf (_("Cannot show the red lines: %s"), error->message);
      refresh (self);
      return;
    }
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (view), GTK_WINDOW (root));
  g_object_set_data_full (G_OBJECT (view), "op-id",
                          g_strdup (g_object_get_data (G_OBJECT (button), "op-id")), g_free);
  g_signal_connect_object (view, "chosen", G_CALLBACK (geometry_chosen_cb), self, 0);
  gtk_window_present (GTK_WINDOW (view));
}

static GtkWidget *
geometry_button (LdSyncIndicator *self,
                 const char      *label,
                 LdSyncConflict  *c,
                 int              choice,
                 GCallback        callback)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (button), "op-id", g_strdup (c->op_id), g_free);
  g_object_set_data_full (G_OBJECT (button), "mine", plain_value (c->mine), g_free);
  g_object_set_data_full (G_OBJECT (button), "theirs", plain_value (c->theirs), g_free);
  g_object_set_data (G_OBJECT (button), "choice", GINT_TO_POINTER (choice));
  g_signal_connect (button, "clicked", callback, self);
  return button;
}

/* A parcel's area from its WKT, for the row's subtitle. */
static char *
wkt_area (const char *json)
{
  g_autofree char *wkt = plain_value (json);
  g_autoptr(LdRedline) redline = ld_redline_new ();

  if (!ld_redline_add_parcel_wkt (redline, NULL, NULL, wkt, NULL))
    return g_strdup ("?");
  return ld_area_format (ld_redline_get_parcel_area (redline, 0));
}

static GtkWidget *
geometry_row (LdSyncIndicator *self,
              LdSyncConflict  *c)
{
  g_autofree char *mine = wkt_area (c->mine);
  g_autofree char *theirs = wkt_area (c->theirs);
  g_autofree char *subtitle = g_strdup_printf (_("Mine: %s · Theirs: %s"), mine, theirs);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Conflict in the red line"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  gtk_box_append (GTK_BOX (box), geometry_button (self, _("Compare on the Map…"), c, 0,
                                                  G_CALLBACK (compare_clicked_cb)));
  gtk_box_append (GTK_BOX (box), geometry_button (self, _("Keep Mine"), c, LD_SYNC_CHOICE_MINE,
                                                  G_CALLBACK (geometry_clicked_cb)));
  gtk_box_append (GTK_BOX (box), geometry_button (self, _("Take Theirs"), c,
                                                  LD_SYNC_CHOICE_THEIRS,
                                                  G_CALLBACK (geometry_clicked_cb)));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);
  return row;
}

static GtkWidget *
conflict_button (LdSyncIndicator *self,
                 const char      *label,
                 LdSyncConflict  *c,
                 GCallback        callback)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (button), "conflict-id", g_memdup2 (&c->id, sizeof c->id),
                          g_free);
  g_object_set_data_full (G_OBJECT (button), "field", g_strdup (c->field), g_free);
  g_object_set_data_full (G_OBJECT (button), "mine", plain_value (c->mine), g_free);
  g_signal_connect (button, "clicked", callback, self);
  return button;
}

static void
fill_items (LdSyncIndicator *self)
{
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(GHashTable) geometry_ops = g_hash_table_new (g_str_hash, g_str_equal);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->items))) != NULL)
    gtk_list_box_remove (self->items, child);
  if (self->store == NULL)
    return;
  conflicts = ld_store_sync_list_conflicts (self->store, NULL);
  outbox = ld_store_sync_list_outbox (self->store, NULL);
  for (guint i = 0; conflicts != NULL && i < conflicts->len; i++)
    {
      LdSyncConflict *c = conflicts->pdata[i];

      if (is_geometry (c))
        {
          g_hash_table_add (geometry_ops, c->op_id);
          gtk_list_box_append (self->items, geometry_row (self, c));
        }
    }
  for (guint i = 0; conflicts != NULL && i < conflicts->len; i++)
    {
      LdSyncConflict *c = conflicts->pdata[i];
      g_autofree char *mine = NULL;
      g_autofree char *theirs = NULL;
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      GtkWidget *row, *box;

      /* the geometry and its area: one row above */
      if (is_geometry (c) || (g_str_equal (c->field, "area_m2")
                              && g_hash_table_contains (geometry_ops, c->op_id)))
        continue;
      mine = plain_value (c->mine);
      theirs = plain_value (c->theirs);
      title = g_strdup_printf (_("Conflict in %s"), c->field);
      subtitle = g_strdup_printf (_("Mine: %s · Theirs: %s"), mine, theirs);
      row = adw_action_row_new ();
      box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_box_append (GTK_BOX (box), conflict_button (self, _("Keep Mine"), c,
                                                      G_CALLBACK (mine_clicked_cb)));
      gtk_box_append (GTK_BOX (box), conflict_button (self, _("Take Theirs"), c,
                                                      G_CALLBACK (theirs_clicked_cb)));
      gtk_box_append (GTK_BOX (box), conflict_button (self, _("Edit…"), c,
                                                      G_CALLBACK (edit_clicked_cb)));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);
      gtk_list_box_append (self->items, row);
    }
  for (guint i = 0; outbox != NULL && i < outbox->len; i++)
    {
      LdSyncItem *it = outbox->pdata[i];
      g_autofree char *title = g_strdup_printf ("%s %s · %s", it->kind, it->entity,
                                                it->entity_id);
      g_autofree char *subtitle = NULL;
      GtkWidget *row;

      if (g_strcmp0 (it->state, "conflict") == 0)
        continue;   /* shown above, field by field */
      if (g_strcmp0 (it->state, "rejected") == 0)
        subtitle = g_strdup_printf (_("Rejected by the server: %s"), it->reason);
      else if (it->reason != NULL)
        subtitle = g_strdup_printf (_("Waiting to be sent: %s"), it->reason);
      else
        subtitle = g_strdup (_("Waiting to be sent"));
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_append (self->items, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->items),
                          gtk_widget_get_first_child (GTK_WIDGET (self->items)) != NULL);
}

static void
refresh (LdSyncIndicator *self)
{
  g_autoptr(GString) detail = g_string_new (NULL);
  g_autofree char *last = NULL;
  guint pending = 0, failed = 0, conflicts = 0;
  gboolean online = self->sync == NULL || ld_sync_get_online (self->sync);
  const char *icon;

  if (self->store != NULL)
    {
      ld_store_sync_count (self->store, &pending, &failed, &conflicts);
      last = ld_store_sync_get_state (self->store, "last_sync");
    }
  g_free (self->status);
  if (self->sync == NULL)
    self->status = g_strdup (_("Not connected to a server"));
  else if (self->syncing)
    self->status = g_strdup (_("Syncing…"));
  else if (!online)
    self->status = g_strdup (_("Offline: edits are kept and sent when the network returns"));
  else if (self->error != NULL)
    self->status = g_strdup_printf (_("Sync failed: %s"), self->error);
  else
    self->status = g_strdup_printf (_("Online: %s"), ld_sync_get_server_url (self->sync));
  gtk_label_set_text (self->status_label, self->status);

  if (pending > 0)
    {
      g_string_append_printf (detail, ngettext ("%u edit waiting to be sent",
                                                "%u edits waiting to be sent", pending), pending);
      g_string_append_c (detail, '\n');
    }
  if (failed > 0)
    {
      g_string_append_printf (detail, ngettext ("%u edit rejected by the server",
                                                "%u edits rejected by the server", failed), failed);
      g_string_append_c (detail, '\n');
    }
  if (conflicts > 0)
    {
      g_string_append_printf (detail, ngettext ("%u conflict to resolve",
                                                "%u conflicts to resolve", conflicts), conflicts);
      g_string_append_c (detail, '\n');
    }
  if (last != NULL)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (last, NULL);
      g_autoptr(GDateTime) local = when ? g_date_time_to_local (when) : NULL;
      g_autofree char *text = local ? g_date_time_format (local, "%Y-%m-%d %H:%M") : NULL;

      g_string_append_printf (detail, _("Last sync: %s"), text ? text : last);
    }
  else
    g_string_append (detail, _("Never synced"));
  gtk_label_set_text (self->detail_label, detail->str);

  if (!online || self->sync == NULL)
    icon = "network-offline-symbolic";
  else if (self->syncing)
    icon = "emblem-synchronizing-symbolic";
  else if (self->error != NULL || failed > 0 || conflicts > 0)
    icon = "dialog-warning-symbolic";
  else
    icon = "emblem-ok-symbolic";
  gtk_image_set_from_icon_name (self->icon, icon);
  if (pending + failed + conflicts > 0)
    {
      g_autofree char *n = g_strdup_printf ("%u", pending + failed + conflicts);

      gtk_label_set_text (self->badge, n);
      gtk_widget_set_visible (GTK_WIDGET (self->badge), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->badge), FALSE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), self->status);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sync_button),
                            self->sync != NULL && !self->syncing && online);
  gtk_widget_set_visible (GTK_WIDGET (self->logout_button), self->sync != NULL);
  fill_items (self);
}

static void
sync_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LdSyncIndicator) self = user_data;
  g_autoptr(GError) error = NULL;
  LdSyncCounts counts = { 0 };

  self->syncing = FALSE;
  g_clear_pointer (&self->error, g_free);
  if (!ld_sync_run_finish (LD_SYNC (source), result, &counts, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->error = g_strdup (error->message);
      /* A kept token expired and no password is known: ask for it. */
      if (g_error_matches (error, LD_SYNC_ERROR, LD_SYNC_ERROR_AUTH))
        show_login (self);
    }
  refresh (self);
  if (error == NULL)
    g_signal_emit (self, signals[SYNCED], 0, counts.pulled);
  if (self->again && error == NULL)
    {
      self->again = FALSE;
      start_sync (self);
    }
}

static void
new_changes_cb (LdSync          *sync,
                gint64           seq,
                LdSyncIndicator *self)
{
  /* Pull at once when the server has more than the store. */
  if (self->store != NULL && seq > ld_store_sync_get_cursor (self->store))
    start_sync (self);
}

static void
start_sync (LdSyncIndicator *self)
{
  if (self->syncing)
    self->again = TRUE;
  if (self->sync == NULL || self->store == NULL || self->syncing)
    return;
  self->syncing = TRUE;
  refresh (self);
  ld_sync_run_async (self->sync, ld_store_get_path (self->store), self->cancellable,
                     sync_done_cb, g_object_ref (self));
}

static gboolean
tick_cb (gpointer user_data)
{
  LdSyncIndicator *self = user_data;

  if (ld_sync_get_online (self->sync))
    start_sync (self);
  return G_SOURCE_CONTINUE;
}

static void
online_changed_cb (LdSync          *sync,
                   GParamSpec      *pspec,
                   LdSyncIndicator *self)
{
  refresh (self);
  if (ld_sync_get_online (sync))
    start_sync (self);
}

static void
sync_clicked_cb (LdSyncIndicator *self)
{
  start_sync (self);
}

/* Logs out on this device: the kept token is deleted (keyring and file); edits stay in the
 * outbox until the next login. */
static void
logout_clicked_cb (LdSyncIndicator *self)
{
  g_autoptr(GError) error = NULL;

  if (self->sync == NULL)
    return;
  g_clear_handle_id (&self->timer, g_source_remove);
  ld_sync_unwatch (self->sync);
  if (!ld_sync_forget_token (self->sync, &error))
    {
      g_free (self->error);
      self->error = g_strdup_printf (_("Could not log out: %s"), error->message);
    }
  refresh (self);
  show_login (self);
}

static void
login_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;

  if (!ld_sync_login (LD_SYNC (task_data), cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* here, not on the main loop: a keyring may take seconds to answer */
  if (!ld_sync_save_token (LD_SYNC (task_data), &error))
    {
      g_warning ("the login token cannot be kept: %s", error->message);
      g_clear_error (&error);
    }
  g_task_return_boolean (task, TRUE);
}

static void
login_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  LdSyncIndicator *self = LD_SYNC_INDICATOR (source);
  g_autoptr(GError) error = NULL;

  self->syncing = FALSE;
  g_clear_pointer (&self->error, g_free);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      self->error = g_strdup_printf (_("Login failed: %s"), error->message);
      refresh (self);
      return;
    }
  start_sync (self);
  ld_sync_watch (self->sync);
  if (self->timer == 0)
    self->timer = g_timeout_add_seconds (SYNC_INTERVAL_S, tick_cb, self);
}

static void
login_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   LdSyncIndicator  *self)
{
  GtkEditable *user = g_object_get_data (G_OBJECT (dialog), "user");
  GtkEditable *password = g_object_get_data (G_OBJECT (dialog), "password");
  g_autoptr(GTask) task = NULL;

  if (g_strcmp0 (response, "login") != 0)
    {
      refresh (self);
      return;
    }
  ld_sync_set_credentials (self->sync, gtk_editable_get_text (user),
                           gtk_editable_get_text (password));
  self->syncing = TRUE;
  refresh (self);
  gtk_label_set_text (self->status_label, _("Logging in…"));
  task = g_task_new (self, self->cancellable, login_done_cb, NULL);
  g_task_set_task_data (task, g_object_ref (self->sync), g_object_unref);
  g_task_run_in_thread (task, login_thread);
}

static void
show_login (LdSyncIndicator *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *body = g_strdup_printf (_("Sync with %s"),
                                           ld_sync_get_server_url (self->sync));
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *user = adw_entry_row_new ();
  GtkWidget *password = adw_password_entry_row_new ();
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root)
                                                                            : NULL,
                                                       _("Log In to the Server"), body));
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (user), _("User Name"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (password), _("Password"));
  if (ld_sync_get_login (self->sync) != NULL)
    gtk_editable_set_text (GTK_EDITABLE (user), ld_sync_get_login (self->sync));
  gtk_list_box_append (GTK_LIST_BOX (list), user);
  gtk_list_box_append (GTK_LIST_BOX (list), password);
  adw_message_dialog_set_extra_child (dialog, list);
  adw_message_dialog_add_responses (dialog, "cancel", _("Cancel"), "login", _("Log In"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "login", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "login");
  g_object_set_data (G_OBJECT (dialog), "user", user);
  g_object_set_data (G_OBJECT (dialog), "password", password);
  g_signal_connect (dialog, "response", G_CALLBACK (login_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- GObject ---------------------------------------------------------------------------- */

static void
ld_sync_indicator_dispose (GObject *object)
{
  LdSyncIndicator *self = LD_SYNC_INDICATOR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer, g_source_remove);
  if (self->sync != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->sync, self);
      ld_sync_unwatch (self->sync);
    }
  g_clear_object (&self->sync);
  g_clear_object (&self->store);
  g_clear_object (&self->basemap);

  G_OBJECT_CLASS (ld_sync_indicator_parent_class)->dispose (object);
}

static void
ld_sync_indicator_finalize (GObject *object)
{
  LdSyncIndicator *self = LD_SYNC_INDICATOR (object);

  g_clear_object (&self->cancellable);
  g_free (self->error);
  g_free (self->status);

  G_OBJECT_CLASS (ld_sync_indicator_parent_class)->finalize (object);
}

static void
ld_sync_indicator_class_init (LdSyncIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_sync_indicator_dispose;
  object_class->finalize = ld_sync_indicator_finalize;

  /**
   * LdSyncIndicator::synced:
   * @pulled: how many changes the sync brought
   */
  signals[SYNCED] = g_signal_new ("synced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH
                                               "/ld-sync-indicator.ui");
  gtk_widget_class_bind_template_child (widget_class, LdSyncIndicator, button);
  gtk_widget_class_bind_template_child (widget_class, LdSyncIndicator, icon);
  gtk_widget_class_bind_template_child (widget_class, LdSyncIndicator, badge);
  gtk_widget_class_bind_template_child (widget_class, LdSyncIndicator, status_label);
  gtk_widget_class_bind_template_child (widget_class, LdSyncIndicator, detail_label);
  gtk_widget_class_bind_template_child (widget_class, LdSyncIndicator, sync_button);
  gtk_widget_class_bind_template_child (widget_class, LdSyncIndicator, logout_button);
  gtk_widget_class_bind_template_child (widget_class, LdSyncIndicator, items);
  gtk_widget_class_bind_template_callback (widget_class, sync_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, logout_clicked_cb);
}

static void
ld_sync_indicator_init (LdSyncIndicator *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  refresh (self);
}

/* ---- public API ------------------------------------------------------------------------- */

LdSyncIndicator *
ld_sync_indicator_new (void)
{
  return g_object_new (LD_TYPE_SYNC_INDICATOR, NULL);
}

/* The store the panel reads and resolves conflicts in (the window's connection). */
void
ld_sync_indicator_set_store (LdSyncIndicator *self,
                             LdStore         *store)
{
  g_return_if_fail (LD_IS_SYNC_INDICATOR (self));

  g_set_object (&self->store, store);
  refresh (self);
}

/* The base map a red-line conflict's two maps show (the main map's source). */
void
ld_sync_indicator_set_map_source (LdSyncIndicator  *self,
                                  ShumateMapSource *basemap)
{
  g_return_if_fail (LD_IS_SYNC_INDICATOR (self));

  g_set_object (&self->basemap, basemap);
}

/**
 * ld_sync_indicator_connect:
 *
 * Syncs with @server_url from now on: takes the token kept from the last login, or asks for
 * the user and password (a login dialog) and keeps the token (keyring, else a 0600 file; never
 * in the store),
 * then syncs every minute while online and whenever the server announces changes.
 */
void
ld_sync_indicator_connect (LdSyncIndicator *self,
                           const char      *server_url)
{
  g_return_if_fail (LD_IS_SYNC_INDICATOR (self));

  if (self->sync != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->sync, self);
      ld_sync_unwatch (self->sync);
    }
  g_clear_object (&self->sync);
  self->sync = ld_sync_new (server_url);
  g_signal_connect (self->sync, "notify::online", G_CALLBACK (online_changed_cb), self);
  g_signal_connect (self->sync, "new-changes", G_CALLBACK (new_changes_cb), self);
  refresh (self);
  if (ld_sync_load_token (self->sync))
    {
      /* logged in before: sync at once; an expired token brings the login dialog */
      start_sync (self);
      ld_sync_watch (self->sync);
      if (self->timer == 0)
        self->timer = g_timeout_add_seconds (SYNC_INTERVAL_S, tick_cb, self);
    }
  else
    show_login (self);
}

void
ld_sync_indicator_sync_now (LdSyncIndicator *self)
{
  g_return_if_fail (LD_IS_SYNC_INDICATOR (self));

  start_sync (self);
}

/* What the indicator says now, in plain words (for tests). */
const char *
ld_sync_indicator_get_status (LdSyncIndicator *self)
{
  return self->status;
}
