/* ld-application.c: the LandDesk desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ld-application.h"
#include "ld-core.h"
#include "ld-preferences-window.h"
#include "ld-window.h"

struct _LdApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  char           *screenshot_path;
  char           *basemap_path;
  char           *store_path;
  char           *view;
  char           *server_url;
  int             exit_status;
};

G_DEFINE_FINAL_TYPE (LdApplication, ld_application, ADW_TYPE_APPLICATION)

static const char * const developers[] = { "LandDesk contributors", NULL };

/* The store named on the command line is opened and remembered; else the remembered one;
 * else the profile's default store, created empty on first start. */
static char *
store_path (LdApplication *self)
{
  g_autofree char *saved = NULL;

  if (self->store_path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (self->store_path);
      char *path = g_file_get_path (file);

      g_settings_set_string (self->settings, "store-file", path);
      return path;
    }
  saved = g_settings_get_string (self->settings, "store-file");
  if (saved[0] != '\0')
    return g_steal_pointer (&saved);
  return ld_store_default_path ();
}

static void
screenshot_saved_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(LdApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ld_window_save_screenshot_finish (LD_WINDOW (object), result, &error))
    {
      g_printerr ("landdesk: %s\n", error->message);
      self->exit_status = 1;
    }
  g_application_quit (G_APPLICATION (self));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  LdApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  adw_show_about_window (window,
                         "application-name", _("LandDesk"),
                         "application-icon", APP_ID,
                         "developer-name", _("LandDesk contributors"),
                         "version", PACKAGE_VERSION,
                         "comments", _("Review land and planning cases, offline and on the map"),
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  LdApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  gtk_window_present (GTK_WINDOW (ld_preferences_window_new (window, self->settings)));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  /* Closing the window first lets it save its size and map view. */
  if (window != NULL)
    gtk_window_close (window);
  g_application_quit (G_APPLICATION (user_data));
}

static int
ld_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  LdApplication *self = LD_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("landdesk %s\n", PACKAGE_VERSION);
      return 0;
    }
  g_variant_dict_lookup (options, "screenshot", "^ay", &self->screenshot_path);
  g_variant_dict_lookup (options, "basemap", "^ay", &self->basemap_path);
  g_variant_dict_lookup (options, "store", "^ay", &self->store_path);
  g_variant_dict_lookup (options, "view", "s", &self->view);
  g_variant_dict_lookup (options, "server", "s", &self->server_url);
  /* A screenshot run must not hand its work to an instance that is already open. */
  if (self->screenshot_path != NULL)
    g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
  return -1;
}

static void
ld_application_startup (GApplication *app)
{
  LdApplication *self = LD_APPLICATION (app);
  const GActionEntry entries[] = {
    { "about", about_action },
    { "preferences", preferences_action },
    { "quit", quit_action },
  };
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (ld_application_parent_class)->startup (app);

  self->settings = g_settings_new (BASE_ID);
  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
}

static void
ld_application_activate (GApplication *app)
{
  LdApplication *self = LD_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  /* A base map named on the command line is shown and remembered. */
  if (self->basemap_path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (self->basemap_path);
      g_autofree char *path = g_file_get_path (file);

      g_settings_set_string (self->settings, "basemap-file", path);
      g_settings_set_string (self->settings, "basemap", "offline");
      g_clear_pointer (&self->basemap_path, g_free);
    }
  if (window == NULL)
    {
      g_autofree char *store = store_path (self);

      window = GTK_WINDOW (ld_window_new (self));
      ld_window_open_store (LD_WINDOW (window), store);
      /* A screenshot run shows no login dialog. */
      if (self->server_url != NULL && self->screenshot_path == NULL)
        ld_window_connect_server (LD_WINDOW (window), self->server_url);
    }
  if (self->view != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!ld_window_set_view (LD_WINDOW (window), self->view, &error))
        {
          g_printerr ("landdesk: --view: %s\n", error->message);
          self->exit_status = 2;
          g_application_quit (app);
          return;
        }
      g_clear_pointer (&self->view, g_free);
    }
  gtk_window_present (window);

  if (self->screenshot_path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (self->screenshot_path);

      g_clear_pointer (&self->screenshot_path, g_free);
      ld_window_save_screenshot_async (LD_WINDOW (window), file, NULL,
                                       screenshot_saved_cb, g_object_ref (self));
    }
}

static void
ld_application_finalize (GObject *object)
{
  LdApplication *self = LD_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->screenshot_path, g_free);
  g_clear_pointer (&self->basemap_path, g_free);
  g_clear_pointer (&self->store_path, g_free);
  g_clear_pointer (&self->view, g_free);
  g_clear_pointer (&self->server_url, g_free);

  G_OBJECT_CLASS (ld_application_parent_class)->finalize (object);
}

static void
ld_application_class_init (LdApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = ld_application_finalize;
  app_class->handle_local_options = ld_application_handle_local_options;
  app_class->startup = ld_application_startup;
  app_class->activate = ld_application_activate;
}

static void
ld_application_init (LdApplication *self)
{
  const GOptionEntry options[] = {
    { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Save the main window as a PNG once the map has loaded, then quit"), N_("FILE") },
    { "basemap", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Show this MBTiles file as the base map"), N_("FILE") },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Open this case store (a GeoPackage file)"), N_("FILE") },
    { "view", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Show the map at this latitude, longitude and zoom, e.g. 21.27,110.36,13"),
      N_("LAT,LON,ZOOM") },
    { "server", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Central server to sync with"), N_("URL") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

LdApplication *
ld_application_new (void)
{
  return g_object_new (LD_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "resource-base-path", RESOURCE_PATH,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}

GSettings *
ld_application_get_settings (LdApplication *self)
{
  g_return_val_if_fail (LD_IS_APPLICATION (self), NULL);
  return self->settings;
}

int
ld_application_get_exit_status (LdApplication *self)
{
  g_return_val_if_fail (LD_IS_APPLICATION (self), 1);
  return self->exit_status;
}
