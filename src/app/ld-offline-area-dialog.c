/* ld-offline-area-dialog.c: estimate, download and resume an offline area
 *
 * Opened with the corners drawn on the map (or, for an interrupted download, with none): the
 * dialog signs in with the user's password, asks the server for the estimate at the chosen
 * zooms, downloads in a worker thread (LdOfflineArea, its own store connection) with a
 * progress bar, and can be cancelled; a cancelled or failed download is kept in the store and
 * the button then says Resume. When done it emits ::finished with the MBTiles path.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ld-offline-area-dialog.h"

struct _LdOfflineAreaDialog
{
  AdwWindow       parent_instance;

  LdOfflineArea  *area;
  LdStore        *store;
  char           *server_url;
  GCancellable   *cancellable;
  gboolean        busy;
  gboolean        done;
  gboolean        estimated;
  gboolean        resuming;
  char           *token_login;   /* whose saved sync token the area uses, if any */

  AdwEntryRow    *user_row;
  AdwPasswordEntryRow *password_row;
  AdwActionRow   *size_row;
  AdwActionRow   *estimate_row;
  GtkSpinButton  *min_zoom;
  GtkSpinButton  *max_zoom;
  GtkProgressBar *progress;
  GtkLabel       *status;
  GtkButton      *estimate_button;
  GtkButton      *start_button;
  GtkButton      *cancel_button;
};

G_DEFINE_FINAL_TYPE (LdOfflineAreaDialog, ld_offline_area_dialog, ADW_TYPE_WINDOW)

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_status (LdOfflineAreaDialog *self,
            const char          *text)
{
  gtk_label_set_text (self->status, text);
}

static void
update_buttons (LdOfflineAreaDialog *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), !self->busy && !self->done);
  gtk_widget_set_sensitive (GTK_WIDGET (self->estimate_button), !self->busy && !self->resuming);
  gtk_widget_set_sensitive (GTK_WIDGET (self->min_zoom), !self->busy && !self->resuming);
  gtk_widget_set_sensitive (GTK_WIDGET (self->max_zoom), !self->busy && !self->resuming);
  gtk_button_set_label (self->start_button, self->resuming ? _("Resume Download") : _("Download"));
  gtk_button_set_label (self->cancel_button, self->busy ? _("Stop") : _("Close"));
}

/* The password from the row; FALSE (with a hint) when it is empty. */
static gboolean
apply_credentials (LdOfflineAreaDialog *self)
{
  const char *login = gtk_editable_get_text (GTK_EDITABLE (self->user_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  /* The sync's saved sign-in serves while its user is the one asked for. */
  if (*password == '\0' && g_strcmp0 (login, self->token_login) == 0)
    return TRUE;
  if (*login == '\0' || *password == '\0')
    {
      set_status (self, _("Enter your user name and password for the server."));
      return FALSE;
    }
  ld_offline_area_set_credentials (self->area, login, password);
  return TRUE;
}

static char *
format_bytes (gint64 bytes)
{
  return g_format_size ((guint64) MAX (bytes, 0));
}

static void
estimated_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LdOfflineAreaDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  LdOfflineAreaEstimate e;

  self->busy = FALSE;
  if (!ld_offline_area_estimate_finish (self->area, result, &e, &error))
    {
      g_autofree char *text = g_strdup_printf (_("No estimate: %s"), error->message);

      set_status (self, text);
    }
  else
    {
      g_autofree char *size = format_bytes (e.feature_bytes + e.tile_bytes);
      g_autofree char *text = NULL;

      /* The first estimate takes the base map's zooms; later ones keep the user's. */
      if (!self->estimated && e.basemap_max_zoom >= 0)
        {
          gtk_spin_button_set_range (self->min_zoom, e.basemap_min_zoom, e.basemap_max_zoom);
          gtk_spin_button_set_range (self->max_zoom, e.basemap_min_zoom, e.basemap_max_zoom);
          gtk_spin_button_set_value (self->min_zoom, e.basemap_min_zoom);
          gtk_spin_button_set_value (self->max_zoom, e.basemap_max_zoom);
        }
      g_autofree char *features = g_strdup_printf ("%" G_GINT64_FORMAT, e.features);
      g_autofree char *tiles = g_strdup_printf ("%" G_GINT64_FORMAT, e.tiles);

      /* TRANSLATORS: the download's size, then counts of features and tiles */
      text = g_strdup_printf (_("%s: %s features, %s base-map tiles"), size, features, tiles);
      adw_action_row_set_subtitle (self->estimate_row, text);
      self->estimated = TRUE;
      set_status (self, _("Ready to download."));
    }
  update_buttons (self);
}

static void
progress_cb (const LdOfflineAreaProgress *p,
             gpointer                     user_data)
{
  LdOfflineAreaDialog *self = user_data;
  gint64 total = p->features_total + p->tiles_total;
  g_autofree char *text = NULL;

  if (total > 0)
    gtk_progress_bar_set_fraction (self->progress,
                                   (double) (p->features_done + p->tiles_done) / (double) total);
  {
    g_autofree char *fd = g_strdup_printf ("%" G_GINT64_FORMAT, p->features_done);
    g_autofree char *ft = g_strdup_printf ("%" G_GINT64_FORMAT, p->features_total);
    g_autofree char *td = g_strdup_printf ("%" G_GINT64_FORMAT, p->tiles_done);
    g_autofree char *tt = g_strdup_printf ("%" G_GINT64_FORMAT, p->tiles_total);

    text = g_strdup_printf (_("Features %s of %s · tiles %s of %s"), fd, ft, td, tt);
  }
  gtk_progress_bar_set_text (self->progress, text);
}

static void
downloaded_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LdOfflineAreaDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  self->busy = FALSE;
  g_clear_object (&self->cancellable);
  if (!ld_offline_area_download_finish (self->area, result, &error))
    {
      g_autofree char *text = NULL;

      /* The job stays in the store: the same button continues it. */
      self->resuming = TRUE;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        text = g_strdup (_("Stopped. What was downloaded is kept; “Resume Download” continues."));
      else
        text = g_strdup_printf (_("The download stopped: %s"), error->message);
      set_status (self, text);
    }
  else
    {
      g_autofree char *mbtiles = ld_offline_area_basemap_path (ld_store_get_path (self->store));

      self->done = TRUE;
      self->resuming = FALSE;
      gtk_progress_bar_set_fraction (self->progress, 1.0);
      set_status (self, _("Downloaded. The layers and the base map work offline now."));
      g_signal_emit (self, signals[FINISHED], 0, mbtiles);
    }
  update_buttons (self);
}

static void
estimate_clicked_cb (GtkButton           *button,
                     LdOfflineAreaDialog *self)
{
  ld_offline_area_dialog_estimate (self);
}

static void
start_clicked_cb (GtkButton           *button,
                  LdOfflineAreaDialog *self)
{
  ld_offline_area_dialog_start (self);
}

static void
cancel_clicked_cb (GtkButton           *button,
                   LdOfflineAreaDialog *self)
{
  if (self->busy && self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  else
    gtk_window_close (GTK_WINDOW (self));
}

static void
zoom_changed_cb (GtkSpinButton       *spin,
                 LdOfflineAreaDialog *self)
{
  /* Keep min <= max; the estimate is redone on demand. */
  if (spin == self->min_zoom && gtk_spin_button_get_value (self->max_zoom)
                                < gtk_spin_button_get_value (spin))
    gtk_spin_button_set_value (self->max_zoom, gtk_spin_button_get_value (spin));
  else if (spin == self->max_zoom && gtk_spin_button_get_value (self->min_zoom)
                                     > gtk_spin_button_get_value (spin))
    gtk_spin_button_set_value (self->min_zoom, gtk_spin_button_get_value (spin));
}

static gboolean
close_request_cb (GtkWindow           *window,
                  LdOfflineAreaDialog *self)
{
  /* Closing stops a running download; it stays resumable. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  return FALSE;
}

static GtkSpinButton *
zoom_spin (void)
{
  GtkSpinButton *spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0, 22, 1));

  gtk_widget_set_valign (GTK_WIDGET (spin), GTK_ALIGN_CENTER);
  return spin;
}

static void
build (LdOfflineAreaDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkWidget *header = adw_header_bar_new ();
  AdwPreferencesGroup *sign_in = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  AdwPreferencesGroup *area = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  AdwActionRow *zoom_row = ADW_ACTION_ROW (adw_action_row_new ());
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  gtk_window_set_title (GTK_WINDOW (self), _("Download Offline Area"));
  gtk_window_set_default_size (GTK_WINDOW (self), 460, -1);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_box_append (GTK_BOX (box), header);
  gtk_widget_set_margin_start (content, 18);
  gtk_widget_set_margin_end (content, 18);
  gtk_widget_set_margin_top (content, 12);
  gtk_widget_set_margin_bottom (content, 18);
  gtk_box_append (GTK_BOX (box), content);

  adw_preferences_group_set_title (sign_in, _("Server"));
  self->user_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->user_row), _("User"));
  self->password_row = ADW_PASSWORD_ENTRY_ROW (adw_password_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row), _("Password"));
  adw_preferences_group_add (sign_in, GTK_WIDGET (self->user_row));
  adw_preferences_group_add (sign_in, GTK_WIDGET (self->password_row));
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (sign_in));

  adw_preferences_group_set_title (area, _("Area to Download"));
  self->size_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->size_row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->size_row), _("Size"));
  adw_preferences_group_add (area, GTK_WIDGET (self->size_row));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (zoom_row), _("Base-map zoom levels"));
  self->min_zoom = zoom_spin ();
  self->max_zoom = zoom_spin ();
  gtk_spin_button_set_value (self->max_zoom, 14);
  adw_action_row_add_suffix (zoom_row, GTK_WIDGET (self->min_zoom));
  adw_action_row_add_suffix (zoom_row, gtk_label_new ("–"));
  adw_action_row_add_suffix (zoom_row, GTK_WIDGET (self->max_zoom));
  adw_preferences_group_add (area, GTK_WIDGET (zoom_row));
  self->estimate_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->estimate_row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->estimate_row),
                                 _("Estimated download"));
  adw_action_row_set_subtitle (self->estimate_row, _("Not estimated yet"));
  self->estimate_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Estimate")));
  gtk_widget_set_valign (GTK_WIDGET (self->estimate_button), GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (self->estimate_row, GTK_WIDGET (self->estimate_button));
  adw_preferences_group_add (area, GTK_WIDGET (self->estimate_row));
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (area));

  self->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_progress_bar_set_show_text (self->progress, TRUE);
  gtk_progress_bar_set_text (self->progress, "");
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->progress));
  self->status = GTK_LABEL (gtk_label_new (""));
  gtk_label_set_wrap (self->status, TRUE);
  gtk_label_set_xalign (self->status, 0);
  gtk_label_set_selectable (self->status, TRUE);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->status));

  self->cancel_button = GTK_BUTTON (gtk_button_new_with_label (_("Close")));
  self->start_button = GTK_BUTTON (gtk_button_new_with_label (_("Download")));
  gtk_widget_add_css_class (GTK_WIDGET (self->start_button), "suggested-action");
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->cancel_button));
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->start_button));
  gtk_box_append (GTK_BOX (content), buttons);
  adw_window_set_content (ADW_WINDOW (self), box);

  g_signal_connect (self->estimate_button, "clicked", G_CALLBACK (estimate_clicked_cb), self);
  g_signal_connect (self->start_button, "clicked", G_CALLBACK (start_clicked_cb), self);
  g_signal_connect (self->cancel_button, "clicked", G_CALLBACK (cancel_clicked_cb), self);
  g_signal_connect (self->min_zoom, "value-changed", G_CALLBACK (zoom_changed_cb), self);
  g_signal_connect (self->max_zoom, "value-changed", G_CALLBACK (zoom_changed_cb), self);
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), self);
}

/* The token the sync indicator saved for this server (its last login), so a signed-in user
 * is not asked for the password again; @login becomes that user. */
static void
use_saved_token (LdOfflineAreaDialog  *self,
                 const char          **login)
{
  g_autoptr(LdSync) sync = ld_sync_new (self->server_url);
  g_autofree char *token = NULL;

  if (!ld_sync_load_token (sync) || (token = ld_sync_dup_token (sync)) == NULL)
    return;
  self->token_login = g_strdup (ld_sync_get_login (sync));
  ld_offline_area_set_token (self->area, token);
  *login = self->token_login;
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row),
                                 _("Password (signed in: not needed)"));
}

static void
ld_offline_area_dialog_dispose (GObject *object)
{
  LdOfflineAreaDialog *self = LD_OFFLINE_AREA_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->area);
  g_clear_object (&self->store);
  g_clear_pointer (&self->server_url, g_free);
  g_clear_pointer (&self->token_login, g_free);

  G_OBJECT_CLASS (ld_offline_area_dialog_parent_class)->dispose (object);
}

static void
ld_offline_area_dialog_class_init (LdOfflineAreaDialogClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ld_offline_area_dialog_dispose;

  /**
   * LdOfflineAreaDialog::finished:
   * @mbtiles: the base map downloaded beside the store
   */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ld_offline_area_dialog_init (LdOfflineAreaDialog *self)
{
  build (self);
}

/**
 * ld_offline_area_dialog_new:
 * @corners: (nullable): "a(dd)" (longitude, latitude) corners drawn on the map; %NULL
 *   resumes the store's interrupted download
 *
 * Returns: (nullable) (transfer none): the dialog, or %NULL with @error when the area cannot be used (too
 *   small, too large, no job to resume).
 */
LdOfflineAreaDialog *
ld_offline_area_dialog_new (GtkWindow   *parent,
                            const char  *server_url,
                            LdStore     *store,
                            const char  *login,
                            GVariant    *corners,
                            GError     **error)
{
  /* GTK owns a toplevel: destroyed on error, closed by the user otherwise. */
  LdOfflineAreaDialog *self = g_object_new (LD_TYPE_OFFLINE_AREA_DIALOG, NULL);
  g_autofree char *size = NULL;

  self->server_url = g_strdup (server_url);
  self->store = g_object_ref (store);
  self->area = ld_offline_area_new (server_url);
  if (corners != NULL)
    {
      gsize n = g_variant_n_children (corners);
      g_autofree double *lonlat = g_new (double, 2 * MAX (n, 1));

      for (gsize i = 0; i < n; i++)
        g_variant_get_child (corners, i, "(dd)", &lonlat[2 * i], &lonlat[2 * i + 1]);
      if (!ld_offline_area_set_lonlat_ring (self->area, lonlat, (guint) n, error))
        {
          gtk_window_destroy (GTK_WINDOW (self));
          return NULL;
        }
    }
  else
    {
      if (!ld_offline_area_load_pending (self->area, store, error))
        {
          gtk_window_destroy (GTK_WINDOW (self));
          return NULL;
        }
      self->resuming = TRUE;
      set_status (self, _("An earlier download of this area was interrupted. “Resume Download” continues"
                          " it where it stopped."));
    }
  use_saved_token (self, &login);
  size = ld_area_format (ld_offline_area_get_area_m2 (self->area));
  adw_action_row_set_subtitle (self->size_row, size);
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), login ? login : "");
  gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  update_buttons (self);
  return self;
}

void
ld_offline_area_dialog_set_password (LdOfflineAreaDialog *self,
                                     const char          *password)
{
  g_return_if_fail (LD_IS_OFFLINE_AREA_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
}

void
ld_offline_area_dialog_estimate (LdOfflineAreaDialog *self)
{
  g_return_if_fail (LD_IS_OFFLINE_AREA_DIALOG (self));

  if (self->busy || !apply_credentials (self))
    return;
  if (self->estimated)
    ld_offline_area_set_zooms (self->area, gtk_spin_button_get_value_as_int (self->min_zoom),
                               gtk_spin_button_get_value_as_int (self->max_zoom));
  self->busy = TRUE;
  set_status (self, _("Asking the server…"));
  update_buttons (self);
  ld_offline_area_estimate_async (self->area, NULL, estimated_cb, g_object_ref (self));
}

void
ld_offline_area_dialog_start (LdOfflineAreaDialog *self)
{
  g_return_if_fail (LD_IS_OFFLINE_AREA_DIALOG (self));

  if (self->busy || self->done || !apply_credentials (self))
    return;
  if (!self->resuming && self->estimated)
    ld_offline_area_set_zooms (self->area, gtk_spin_button_get_value_as_int (self->min_zoom),
                               gtk_spin_button_get_value_as_int (self->max_zoom));
  self->busy = TRUE;
  self->cancellable = g_cancellable_new ();
  set_status (self, _("Downloading…"));
  update_buttons (self);
  ld_offline_area_download_async (self->area, ld_store_get_path (self->store), progress_cb, self,
                                  self->cancellable, downloaded_cb, g_object_ref (self));
}

gboolean
ld_offline_area_dialog_get_busy (LdOfflineAreaDialog *self)
{
  g_return_val_if_fail (LD_IS_OFFLINE_AREA_DIALOG (self), FALSE);
  return self->busy;
}

const char *
ld_offline_area_dialog_get_status (LdOfflineAreaDialog *self)
{
  g_return_val_if_fail (LD_IS_OFFLINE_AREA_DIALOG (self), NULL);
  return gtk_label_get_text (self->status);
}

const char *
ld_offline_area_dialog_get_estimate_text (LdOfflineAreaDialog *self)
{
  g_return_val_if_fail (LD_IS_OFFLINE_AREA_DIALOG (self), NULL);
  return adw_action_row_get_subtitle (self->estimate_row);
}

double
ld_offline_area_dialog_get_fraction (LdOfflineAreaDialog *self)
{
  g_return_val_if_fail (LD_IS_OFFLINE_AREA_DIALOG (self), 0);
  return gtk_progress_bar_get_fraction (self->progress);
}
