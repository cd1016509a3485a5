/* ld-case-page.c: one case: its data, clock, red line, opinion, actions, timeline, files
 *
 * The page reads everything from the local store, so it works with no network; every action
 * goes through ld_store_act(), which writes the change and its outbox op in one transaction.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <adwaita.h>

#include "ld-toast.h"
#include "ld-case-page.h"
#include "ld-case-row.h"
#include "ld-labels.h"

struct _LdCasePage
{
  GtkWidget        parent_instance;

  LdStore         *store;
  LdUser          *user;
  LdCase          *kase;
  LdRedline       *pending_redline;   /* imported, shown on the map, not yet accepted */

  AdwToastOverlay *toasts;
  GtkWidget       *light;
  GtkLabel        *title_label;
  GtkLabel        *subtitle_label;
  GtkLabel        *deadline_label;
  AdwActionRow    *applicant_row;
  AdwActionRow    *stage_row;
  AdwActionRow    *assignee_row;
  AdwActionRow    *dates_row;
  AdwActionRow    *deadline_row;
  GtkWidget       *redline_group;
  AdwActionRow    *area_row;
  GtkTextView     *opinion_view;
  GtkFlowBox      *action_box;
  GtkListBox      *timeline;
  GtkListBox      *attachments;
};

G_DEFINE_FINAL_TYPE (LdCasePage, ld_case_page, GTK_TYPE_WIDGET)

enum {
  ACTED,
  SHOW_ON_MAP,
  PREVIEW_REDLINE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const light_classes[] = { "light-none", "light-green", "light-yellow",
                                              "light-red" };

static void
toast (LdCasePage *self,
       const char *text)
{
  adw_toast_overlay_add_toast (self->toasts, ld_toast_new_plain (text));
}

static void
clear_list_box (GtkListBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_list_box_remove (box, child);
}

static void
clear_flow_box (GtkFlowBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_flow_box_remove (box, child);
}

static void
set_subtitle (AdwActionRow *row,
              const char   *text)
{
  adw_action_row_set_subtitle (row, text != NULL && *text != '\0' ? text : "—");
}

static LdMatter *
matter_of (LdCasePage *self)
{
  return ld_matter_list_find (ld_store_get_matters (self->store),
                              ld_case_get (self->kase, LD_CASE_MATTER));
}

static char *
format_date (const GDate *date)
{
  char buf[16];

  g_date_strftime (buf, sizeof buf, "%Y-%m-%d", date);
  return g_strdup (buf);
}

/* Areas as domain.md §6 wants them: m² to 2 decimals, ha to 4, mu to 2. */
static char *
format_area (double m2)
{
  return g_strdup_printf (_("%.2f m² · %.4f ha · %.2f mu"), m2, m2 / 10000.0, m2 * 0.0015);
}

static void
fill_header (LdCasePage *self,
             LdMatter   *matter)
{
  const LdClock *clock = ld_case_get_clock (self->kase);
  LdLight light = clock != NULL ? clock->light : LD_LIGHT_NONE;
  g_autofree char *days = ld_case_row_days_text (clock);
  g_autofree char *subtitle = g_strdup_printf ("%s · %s", ld_case_get (self->kase, LD_CASE_NUMBER),
                                               matter ? ld_matter_get_name (matter)
                                                      : ld_case_get (self->kase, LD_CASE_MATTER));
  const char *stage = ld_case_get (self->kase, LD_CASE_STAGE);
  int stage_index = matter ? ld_matter_find_stage (matter, stage) : -1;
  g_autofree char *stage_text = g_strdup_printf ("%s · %s",
                                                 stage_index >= 0
                                                 ? ld_matter_get_stage_name (matter, stage_index)
                                                 : stage,
                                                 ld_labels_status (ld_case_get (self->kase,
                                                                                LD_CASE_STATUS)));
  g_autofree char *dates = g_strdup_printf ("%s / %s",
                                            ld_case_get (self->kase, LD_CASE_RECEIVED_ON) ?: "—",
                                            ld_case_get (self->kase, LD_CASE_ACCEPTED_ON) ?: "—");
  g_autofree char *deadline = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (light_classes); i++)
    gtk_widget_remove_css_class (self->light, light_classes[i]);
  gtk_widget_add_css_class (self->light, light_classes[light]);
  gtk_widget_set_tooltip_text (self->light, ld_labels_light (ld_light_to_string (light)));

  gtk_label_set_text (self->title_label, ld_case_get (self->kase, LD_CASE_TITLE));
  gtk_label_set_text (self->subtitle_label, subtitle);
  gtk_label_set_text (self->deadline_label, days);
  set_subtitle (self->applicant_row, ld_case_get (self->kase, LD_CASE_APPLICANT));
  set_subtitle (self->stage_row, stage_text);
  set_subtitle (self->assignee_row, ld_case_get (self->kase, LD_CASE_ASSIGNEE));
  set_subtitle (self->dates_row, dates);

  if (clock != NULL && clock->has_deadline)
    {
      g_autofree char *date = format_date (&clock->deadline);

      deadline = clock->weekends_only
        ? g_strdup_printf (_("%s, %s (no official calendar for that year: only weekends counted)"),
                           date, ld_labels_light (ld_light_to_string (light)))
        : g_strdup_printf ("%s, %s", date, ld_labels_light (ld_light_to_string (light)));
    }
  set_subtitle (self->deadline_row, deadline ? deadline : _("No time limit yet"));
}

static void
reassign_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      LdCasePage       *self)
{
  GtkDropDown *people = g_object_get_data (G_OBJECT (dialog), "people");
  GListModel *users = g_object_get_data (G_OBJECT (dialog), "users");
  g_autoptr(LdUser) to = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (response, "reassign"))
    return;
  to = g_list_model_get_item (users, gtk_drop_down_get_selected (people));
  if (to != NULL && !ld_case_page_act (self, "reassign", ld_user_get (to, LD_USER_LOGIN), &error))
    toast (self, error->message);
}

/* Reassigning needs the person to hand the case over to: ask, listing the store's users. */
static void
ask_reassign (LdCasePage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) users = ld_store_list_users (self->store, &error);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  GtkWidget *dialog, *people;

  if (users == NULL)
    {
      toast (self, error->message);
      return;
    }
  for (guint i = 0; i < g_list_model_get_n_items (users); i++)
    {
      g_autoptr(LdUser) user = g_list_model_get_item (users, i);
      g_autofree char *label = g_strdup_printf ("%s · %s",
                                                ld_user_get (user, LD_USER_DISPLAY_NAME),
                                                ld_labels_role (ld_user_get (user, LD_USER_ROLE)));

      gtk_string_list_append (names, label);
    }
  people = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)), NULL);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   _("Reassign the Case"),
                                   _("The case goes to the chosen person, with the opinion "
                                     "typed on the case page."));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), people);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "reassign", _("_Reassign"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "reassign",
                                              ADW_RESPONSE_SUGGESTED);
  g_object_set_data (G_OBJECT (dialog), "people", people);
  g_object_set_data_full (G_OBJECT (dialog), "users", g_steal_pointer (&users), g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (reassign_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
action_clicked_cb (GtkButton  *button,
                   LdCasePage *self)
{
  const char *action = g_object_get_data (G_OBJECT (button), "action");
  g_autoptr(GError) error = NULL;

  if (g_str_equal (action, "reassign"))
    ask_reassign (self);
  else if (!ld_case_page_act (self, action, NULL, &error))
    toast (self, error->message);
}

static void
fill_actions (LdCasePage *self,
              LdMatter   *matter)
{
  g_auto(GStrv) allowed = NULL;

  clear_flow_box (self->action_box);
  if (self->user == NULL || matter == NULL)
    return;
  allowed = ld_workflow_allowed_actions (self->kase, matter,
                                         ld_user_get (self->user, LD_USER_LOGIN),
                                         ld_user_get (self->user, LD_USER_ROLE));
  for (guint i = 0; allowed != NULL && allowed[i] != NULL; i++)
    {
      GtkWidget *button;

      button = gtk_button_new_with_label (ld_labels_action (allowed[i]));
      g_object_set_data_full (G_OBJECT (button), "action", g_strdup (allowed[i]), g_free);
      if (g_str_equal (allowed[i], "refuse") || g_str_equal (allowed[i], "return"))
        gtk_widget_add_css_class (button, "destructive-action");
      else if (i == 0)
        gtk_widget_add_css_class (button, "suggested-action");
      g_signal_connect (button, "clicked", G_CALLBACK (action_clicked_cb), self);
      gtk_flow_box_append (self->action_box, button);
    }
}

/* "2026-11-28 17:43" in local time: logs carry different offsets (the server's, ours). */
static char *
format_when (const char *iso)
{
  g_autoptr(GDateTime) at = iso ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;
  g_autoptr(GDateTime) local = at ? g_date_time_to_local (at) : NULL;

  return local ? g_date_time_format (local, "%Y-%m-%d %H:%M") : g_strdup (iso ? iso : "—");
}

/* One logged step: action and the stage it led to; who, when, and the opinion. Plain text:
 * opinions and names may hold '&' or '<'. */
static GtkWidget *
event_row (LdMatter    *matter,
           LdCaseEvent *e)
{
  const char *to = ld_case_event_get (e, LD_CASE_EVENT_TO_STAGE);
  const char *opinion = ld_case_event_get (e, LD_CASE_EVENT_OPINION);
  int to_index = matter && to ? ld_matter_find_stage (matter, to) : -1;
  g_autofree char *when = format_when (ld_case_event_get (e, LD_CASE_EVENT_AT));
  g_autofree char *title = g_strdup_printf ("%s → %s",
                                            ld_labels_action (ld_case_event_get (e, LD_CASE_EVENT_ACTION)),
                                            to_index >= 0 ? ld_matter_get_stage_name (matter, to_index)
                                                          : (to ? to : "—"));
  g_autofree char *subtitle = g_strdup_printf ("%s · %s%s%s",
                                               ld_case_event_get (e, LD_CASE_EVENT_ACTOR), when,
                                               opinion ? "\n" : "", opinion ? opinion : "");
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  return row;
}

static void
fill_timeline (LdCasePage *self,
               LdMatter   *matter)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) events = ld_store_list_events (self->store,
                                                       ld_case_get (self->kase, LD_CASE_ID),
                                                       &error);

  clear_list_box (self->timeline);
  for (guint i = 0; events != NULL && i < g_list_model_get_n_items (events); i++)
    {
      g_autoptr(LdCaseEvent) e = g_list_model_get_item (events, i);

      gtk_list_box_append (self->timeline, event_row (matter, e));
    }
  if (error != NULL)
    toast (self, error->message);
}

static void
open_attachment_cb (GtkButton  *button,
                    LdCasePage *self)
{
  g_autofree char *path = ld_store_dup_blob_path (self->store,
                                                  g_object_get_data (G_OBJECT (button), "sha256"));
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *uri = g_file_get_uri (file);

  gtk_show_uri (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), uri, GDK_CURRENT_TIME);
}

static void
add_attachment_row (LdCasePage *self,
                    JsonObject *a)
{
  const char *sha = json_object_get_string_member (a, "sha256");
  g_autofree char *size = g_format_size (json_object_get_int_member (a, "size"));
  g_autofree char *subtitle = g_strdup_printf ("%s · SHA-256 %.16s…", size, sha);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *open = gtk_button_new_from_icon_name ("document-open-symbolic");

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 json_object_get_string_member (a, "name"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_tooltip_text (row, sha);
  gtk_widget_set_valign (open, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (open, "flat");
  gtk_widget_set_tooltip_text (open, _("Open"));
  g_object_set_data_full (G_OBJECT (open), "sha256", g_strdup (sha), g_free);
  g_signal_connect (open, "clicked", G_CALLBACK (open_attachment_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), open);
  gtk_list_box_append (self->attachments, row);
}

/* Red lines and attachments come from the store's full case record. */
static void
fill_files_and_area (LdCasePage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = ld_store_dup_case_json (self->store, self->kase, TRUE,
                                                  self->user ? ld_user_get (self->user, LD_USER_LOGIN)
                                                             : NULL, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *redlines, *files;
  double area = 0.0;

  clear_list_box (self->attachments);
  if (json == NULL || !json_parser_load_from_data (parser, json, -1, &error))
    {
      toast (self, error->message);
      return;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  redlines = json_object_get_array_member (root, "redlines");
  files = json_object_get_array_member (root, "attachments");

  for (guint i = 0; i < json_array_get_length (redlines); i++)
    area += json_object_get_double_member (json_array_get_object_element (redlines, i),
                                           "area_m2");
  if (json_array_get_length (redlines) > 0)
    {
      g_autofree char *text = format_area (area);
      g_autofree char *parcels = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u parcel",
                                                               "%u parcels",
                                                               json_array_get_length (redlines)),
                                                  json_array_get_length (redlines));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->area_row), parcels);
      adw_action_row_set_subtitle (self->area_row, text);
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->area_row), _("Area"));
      adw_action_row_set_subtitle (self->area_row, _("No red line yet"));
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "case.show-on-map",
                                 json_array_get_length (redlines) > 0);

  for (guint i = 0; i < json_array_get_length (files); i++)
    add_attachment_row (self, json_array_get_object_element (files, i));
}

static void
reload (LdCasePage *self)
{
  LdMatter *matter;

  if (self->kase == NULL || self->store == NULL)
    return;
  matter = matter_of (self);
  fill_header (self, matter);
  fill_actions (self, matter);
  fill_timeline (self, matter);
  fill_files_and_area (self);
}

static void
attachment_chosen_cb (GtkNativeDialog *dialog,
                      int              response,
                      gpointer         user_data)
{
  LdCasePage *self = user_data;
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autofree char *sha = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      path = g_file_get_path (file);
      sha = ld_store_add_attachment (self->store, ld_case_get (self->kase, LD_CASE_ID),
                                     ld_user_get (self->user, LD_USER_LOGIN), path, &error);
      if (sha == NULL)
        toast (self, error->message);
      reload (self);
    }
  g_object_unref (dialog);
}

static void
add_attachment_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  LdCasePage *self = LD_CASE_PAGE (widget);
  GtkFileChooserNative *dialog;

  if (self->kase == NULL || self->user == NULL)
    return;
  dialog = gtk_file_chooser_native_new (_("Add a File to the Case"),
                                        GTK_WINDOW (gtk_widget_get_root (widget)),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Add"), NULL);
  g_signal_connect (dialog, "response", G_CALLBACK (attachment_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

typedef struct
{
  char *store;
  char *case_id;
  char *out;
} ReportJob;

static void
report_job_free (gpointer data)
{
  ReportJob *job = data;

  g_free (job->store);
  g_free (job->case_id);
  g_free (job->out);
  g_free (job);
}

/* In a worker thread: LdReport opens its own SQLite connections to the store. */
static void
write_report_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  ReportJob *job = task_data;
  g_autoptr(LdReport) report = NULL;
  GError *error = NULL;

  report = ld_report_new (job->store, &error);
  if (report == NULL || !ld_report_write (report, job->case_id, job->out, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_strdup (job->out), g_free);
}

static void
report_written_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  LdCasePage *self = LD_CASE_PAGE (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *text = NULL;

  if (path != NULL)
    text = g_strdup_printf (_("Report written to %s"), path);
  else
    text = g_strdup_printf (_("The report was not written: %s"), error->message);
  toast (self, text);
}

static void
report_chosen_cb (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  LdCasePage *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && self->kase != NULL && self->store != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GTask) task = g_task_new (self, NULL, report_written_cb, NULL);
      ReportJob *job = g_new0 (ReportJob, 1);

      job->store = g_strdup (ld_store_get_path (self->store));
      job->case_id = g_strdup (ld_case_get (self->kase, LD_CASE_ID));
      job->out = g_file_get_path (file);
      g_task_set_source_tag (task, report_chosen_cb);
      g_task_set_task_data (task, job, report_job_free);
      g_task_run_in_thread (task, write_report_thread);
    }
  g_object_unref (dialog);
}

static void
write_report_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  LdCasePage *self = LD_CASE_PAGE (widget);
  GtkFileChooserNative *dialog;
  g_autofree char *name = NULL;

  if (self->kase == NULL)
    return;
  dialog = gtk_file_chooser_native_new (_("Save the Overlay Report"),
                                        GTK_WINDOW (gtk_widget_get_root (widget)),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), NULL);
  name = g_strdup_printf ("%s.pdf", ld_case_get (self->kase, LD_CASE_NUMBER));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_signal_connect (dialog, "response", G_CALLBACK (report_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
show_on_map_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  LdCasePage *self = LD_CASE_PAGE (widget);

  if (self->kase != NULL)
    g_signal_emit (self, signals[SHOW_ON_MAP], 0, ld_case_get (self->kase, LD_CASE_ID));
}

static void
accept_clicked_cb (AdwToast   *toast_,
                   LdCasePage *self)
{
  g_autoptr(GError) error = NULL;

  if (!ld_case_page_accept_redline (self, &error))
    toast (self, error->message);
}

/* Shows the imported red line (on the map, through the window) and offers to keep it. */
static void
offer_redline (LdCasePage *self)
{
  g_autofree char *area = ld_area_format (ld_redline_get_area (self->pending_redline));
  guint n = ld_redline_get_n_parcels (self->pending_redline);
  g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                        "Imported %u parcel, %s: use it as the red line?",
                                                        "Imported %u parcels, %s: use them as the red line?",
                                                        n), n, area);
  AdwToast *offer = ld_toast_new_plain (text);

  adw_toast_set_button_label (offer, _("_Use"));
  adw_toast_set_timeout (offer, 0);
  g_signal_connect (offer, "button-clicked", G_CALLBACK (accept_clicked_cb), self);
  adw_toast_overlay_add_toast (self->toasts, offer);
  g_signal_emit (self, signals[PREVIEW_REDLINE], 0, self->pending_redline);
}

static void import_file (LdCasePage *self,
                         GFile      *file,
                         gboolean    make_valid);

static void
repair_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    LdCasePage       *self)
{
  GFile *file = g_object_get_data (G_OBJECT (dialog), "file");

  if (g_str_equal (response, "repair"))
    import_file (self, file, TRUE);
}

/* Invalid parcels are repaired only when the reviewer says so. */
static void
ask_repair (LdCasePage *self,
            GFile      *file,
            const char *problem)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                              _("The Red Line Is Not Valid"), problem);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "repair", _("_Repair"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "repair",
                                              ADW_RESPONSE_SUGGESTED);
  g_object_set_data_full (G_OBJECT (dialog), "file", g_object_ref (file), g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (repair_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
import_file (LdCasePage *self,
             GFile      *file,
             gboolean    make_valid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdRedline) redline = ld_case_page_preview_redline (self, file, make_valid, &error);

  if (redline == NULL && error != NULL)
    {
      toast (self, error->message);
      return;
    }
  if (redline == NULL)
    {
      g_autofree char *problem = g_strdup (_("Some parcels are not valid polygons (they cross "
                                             "themselves or overlap). Repair them? The area "
                                             "change is shown with the result."));
      ask_repair (self, file, problem);
      return;
    }
  offer_redline (self);
}

static void
redline_chosen_cb (GtkNativeDialog *dialog,
                   int              response,
                   gpointer         user_data)
{
  LdCasePage *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      import_file (self, file, FALSE);
    }
  g_object_unref (dialog);
}

static void
import_redline_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  LdCasePage *self = LD_CASE_PAGE (widget);
  GtkFileChooserNative *dialog;

  if (self->kase == NULL)
    return;
  dialog = gtk_file_chooser_native_new (_("Import a Red Line"),
                                        GTK_WINDOW (gtk_widget_get_root (widget)),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), NULL);
  g_signal_connect (dialog, "response", G_CALLBACK (redline_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static gboolean
file_dropped_cb (GtkDropTarget *target,
                 const GValue  *value,
                 double         x,
                 double         y,
                 LdCasePage    *self)
{
  if (self->kase == NULL || !G_VALUE_HOLDS (value, G_TYPE_FILE))
    return FALSE;
  import_file (self, g_value_get_object (value), FALSE);
  return TRUE;
}

static void
ld_case_page_dispose (GObject *object)
{
  LdCasePage *self = LD_CASE_PAGE (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_CASE_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->store);
  g_clear_object (&self->user);
  g_clear_object (&self->kase);
  g_clear_object (&self->pending_redline);

  G_OBJECT_CLASS (ld_case_page_parent_class)->dispose (object);
}

static void
ld_case_page_class_init (LdCasePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_case_page_dispose;

  /**
   * LdCasePage::acted:
   *
   * An action changed the case: lists and counts need a refresh.
   */
  signals[ACTED] = g_signal_new ("acted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SHOW_ON_MAP] = g_signal_new ("show-on-map", G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                       G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * LdCasePage::preview-redline:
   * @redline: an imported red line, not yet the case's
   */
  signals[PREVIEW_REDLINE] = g_signal_new ("preview-redline", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 1, LD_TYPE_REDLINE);

  gtk_widget_class_install_action (widget_class, "case.add-attachment", NULL,
                                   add_attachment_action);
  gtk_widget_class_install_action (widget_class, "case.import-redline", NULL,
                                   import_redline_action);
  gtk_widget_class_install_action (widget_class, "case.show-on-map", NULL, show_on_map_action);
  gtk_widget_class_install_action (widget_class, "case.write-report", NULL,
                                   write_report_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK,
                                       "case.show-on-map", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ld-case-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LdCasePage, toasts);
  gtk_widget_class_bind_template_child (widget_class, LdCasePage, light);
  gtk_widget_class_bind_template_child (widget_class, LdCasePage, title_label);
  gtk_widget_class_bind_template_child (widget_class, LdCasePage, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, LdCasePage, deadline_label);
  gtk_widget_class_bind_template_child (widget_class, LdCasePage, applicant_row);
  gtk_widget_class_bind_template_child (widget_class, LdCasePage, stage_row);
  gtk_widget_class_bind_template_child (widget_class, LdCasePage, assignee_row);
  gtk_widget_class_bind_template_child (widget_class, LdCasePage, dates_row);
  gtk_widget_class_bind_template_child (widget_class, LdCasePage, deadline_row);
  gtk_widget_class_bind_template_child (widget_class, LdCasePage, redline_group);
  gtk_widget_class_bind_template_child (widget_class, LdCasePage, area_row);
  gtk_widget_class_bind_template_child (widget_class, LdCasePage, opinion_view);
  gtk_widget_class_bind_template_child (widget_class, LdCasePage, action_box);
  gtk_widget_class_bind_template_child (widget_class, LdCasePage, timeline);
  gtk_widget_class_bind_template_child (widget_class, LdCasePage, attachments);
}

static void
ld_case_page_init (LdCasePage *self)
{
  GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);

  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (drop, "drop", G_CALLBACK (file_dropped_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

GtkWidget *
ld_case_page_new (void)
{
  return g_object_new (LD_TYPE_CASE_PAGE, NULL);
}

void
ld_case_page_set_store (LdCasePage *self,
                        LdStore    *store)
{
  g_return_if_fail (LD_IS_CASE_PAGE (self));

  g_set_object (&self->store, store);
  g_clear_object (&self->kase);
}

void
ld_case_page_set_user (LdCasePage *self,
                       LdUser     *user)
{
  g_return_if_fail (LD_IS_CASE_PAGE (self));

  if (g_set_object (&self->user, user))
    reload (self);
}

void
ld_case_page_show_case (LdCasePage *self,
                        const char *case_id)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (LD_IS_CASE_PAGE (self));
  g_return_if_fail (self->store != NULL);

  g_clear_object (&self->kase);
  self->kase = ld_store_get_case (self->store, case_id, NULL, &error);
  if (self->kase == NULL)
    {
      toast (self, error->message);
      return;
    }
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->opinion_view), "", 0);
  reload (self);
}

const char *
ld_case_page_get_case_id (LdCasePage *self)
{
  g_return_val_if_fail (LD_IS_CASE_PAGE (self), NULL);

  return self->kase != NULL ? ld_case_get (self->kase, LD_CASE_ID) : NULL;
}

/**
 * ld_case_page_act:
 * @to: (nullable): the new assignee, for "reassign"
 *
 * Performs @action on the shown case as the current user, with the opinion typed in the
 * editor and today's date. A refused action changes nothing and says why in @error.
 */
gboolean
ld_case_page_act (LdCasePage  *self,
                  const char  *action,
                  const char  *to,
                  GError     **error)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autofree char *opinion = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autoptr(LdCase) updated = NULL;
  g_autofree char *id = NULL;

  g_return_val_if_fail (LD_IS_CASE_PAGE (self), FALSE);

  if (self->kase == NULL || self->user == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("No case or user chosen"));
      return FALSE;
    }
  buffer = gtk_text_view_get_buffer (self->opinion_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  opinion = g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
  id = g_strdup (ld_case_get (self->kase, LD_CASE_ID));

  updated = ld_store_act (self->store, id, ld_user_get (self->user, LD_USER_LOGIN), action,
                          opinion[0] != '\0' ? opinion : NULL, today, to, error);
  if (updated == NULL)
    return FALSE;

  ld_case_page_show_case (self, id);
  g_signal_emit (self, signals[ACTED], 0, id);
  return TRUE;
}

/**
 * ld_case_page_preview_redline:
 * @make_valid: repair invalid parcels (the reviewer asked for it)
 *
 * Imports @file as the shown case's next red line, without storing it. Returns %NULL with
 * @error for a file that cannot be read, and %NULL without error when parcels are invalid
 * and @make_valid is %FALSE (ask the reviewer first).
 *
 * Returns: (transfer full) (nullable): the red line, also kept for ld_case_page_accept_redline()
 */
LdRedline *
ld_case_page_preview_redline (LdCasePage  *self,
                              GFile       *file,
                              gboolean     make_valid,
                              GError     **error)
{
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(LdRedline) redline = NULL;

  g_return_val_if_fail (LD_IS_CASE_PAGE (self), NULL);

  g_clear_object (&self->pending_redline);
  redline = ld_redline_import (path, LD_REDLINE_FORMAT_AUTO,
                               make_valid ? LD_REDLINE_IMPORT_MAKE_VALID
                                          : LD_REDLINE_IMPORT_DEFAULT, error);
  if (redline == NULL)
    return NULL;
  for (guint i = 0; i < ld_redline_get_n_parcels (redline); i++)
    if (!ld_redline_get_parcel_valid (redline, i))
      return NULL;
  self->pending_redline = g_object_ref (redline);
  return g_steal_pointer (&redline);
}

/* Makes the previewed red line the case's: one transaction with its ops. */
gboolean
ld_case_page_accept_redline (LdCasePage  *self,
                             GError     **error)
{
  g_autofree char *id = NULL;

  g_return_val_if_fail (LD_IS_CASE_PAGE (self), FALSE);

  if (self->pending_redline == NULL || self->kase == NULL || self->user == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("No red line to use"));
      return FALSE;
    }
  id = g_strdup (ld_case_get (self->kase, LD_CASE_ID));
  if (!ld_store_set_redline (self->store, id, self->pending_redline,
                             ld_user_get (self->user, LD_USER_LOGIN), error))
    return FALSE;
  g_clear_object (&self->pending_redline);
  ld_case_page_show_case (self, id);
  g_signal_emit (self, signals[ACTED], 0, id);
  g_signal_emit (self, signals[SHOW_ON_MAP], 0, id);
  return TRUE;
}
