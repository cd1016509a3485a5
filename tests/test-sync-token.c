/* test-sync-token.c: the login token in a real keyring, or in a 0600 file without one
 *
 * Each case runs in a subprocess whose session bus the parent chose: a private dbus-daemon
 * with a real gnome-keyring-daemon (unlocked with a password on its stdin, secrets only), the
 * same bus without any Secret Service, or no bus at all. The private bus has no service
 * directories, so nothing is started behind the test's back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#if HAVE_LIBSECRET
#include <libsecret/secret.h>
#endif

#include "ld-core.h"
#include "ld-test-util.h"

#define SERVER "http://127.0.0.1:8470/"
#define TOKEN  "tok-0123456789abcdef"

/* ---- the child's side ------------------------------------------------------------------- */

#if HAVE_LIBSECRET
/* The keyring read directly, with the schema the app documents. */
static char *
keyring_lookup (void)
{
  static const SecretSchema schema = {
    "io.github.landdesk.LandDesk", SECRET_SCHEMA_NONE,
    { { "server", SECRET_SCHEMA_ATTRIBUTE_STRING }, { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 } },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };
  g_autoptr(GError) error = NULL;
  char *secret = secret_password_lookup_sync (&schema, NULL, &error, "server", SERVER,
                                              "user", "zhang.wei", NULL);
  char *copy;

  g_assert_no_error (error);
  copy = g_strdup (secret);
  secret_password_free (secret);
  return copy;
}
#endif

static LdSync *
logged_in (void)
{
  LdSync *sync = ld_sync_new (SERVER);

  ld_sync_set_credentials (sync, "zhang.wei", NULL);
  ld_sync_set_token (sync, TOKEN);
  return sync;
}

/* Saved, loaded by a new LdSync, forgotten: the common part of every case. */
static void
load_and_forget (void)
{
  g_autoptr(LdSync) again = ld_sync_new (SERVER);
  g_autoptr(LdSync) other = ld_sync_new ("http://127.0.0.1:9/");
  g_autoptr(GError) error = NULL;
  g_autofree char *loaded = NULL;
  g_autofree char *file = ld_sync_token_path (SERVER, "zhang.wei");
  g_autofree char *who = ld_sync_token_path (SERVER, "");

  g_assert_true (ld_sync_load_token (again));
  g_assert_cmpstr (ld_sync_get_login (again), ==, "zhang.wei");
  loaded = ld_sync_dup_token (again);
  g_assert_cmpstr (loaded, ==, TOKEN);
  g_assert_false (ld_sync_load_token (other));   /* kept per server */

  /* logging out deletes it wherever it was */
  g_assert_true (ld_sync_forget_token (again, &error));
  g_assert_no_error (error);
  g_assert_null (ld_sync_dup_token (again));
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (who, G_FILE_TEST_EXISTS));
  {
    g_autoptr(LdSync) third = ld_sync_new (SERVER);

    g_assert_false (ld_sync_load_token (third));
  }
}

static void
child_file (void)
{
  g_autoptr(LdSync) sync = logged_in ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ld_sync_token_path (SERVER, "zhang.wei");
  g_autofree char *kept = NULL;
  GStatBuf st;

  g_assert_true (ld_sync_save_token (sync, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (path, g_get_user_config_dir ()));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &kept, NULL, NULL));
  g_assert_cmpstr (kept, ==, TOKEN);
  load_and_forget ();
}

static void
child_keyring (void)
{
#if HAVE_LIBSECRET
  g_autoptr(LdSync) sync = logged_in ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ld_sync_token_path (SERVER, "zhang.wei");
  g_autofree char *stale = NULL;
  g_autofree char *in_keyring = NULL;
  g_autofree char *after = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  /* a token file from a run without a keyring is removed once the keyring takes it */
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "old-token", -1, NULL));

  g_assert_true (ld_sync_save_token (sync, &error));
  g_assert_no_error (error);
  in_keyring = keyring_lookup ();
  g_assert_cmpstr (in_keyring, ==, TOKEN);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));   /* never in a file as well */
  load_and_forget ();
  after = keyring_lookup ();
  g_assert_null (after);
#endif
}

/* ---- the parent's side: the buses --------------------------------------------------------- */

typedef struct
{
  GSubprocess *process;
  char        *address;
} Bus;

static void
bus_stop (Bus *bus)
{
  if (bus->process != NULL)
    {
      g_subprocess_force_exit (bus->process);
      g_subprocess_wait (bus->process, NULL, NULL);
    }
  g_clear_object (&bus->process);
  g_clear_pointer (&bus->address, g_free);
}

/* A private session bus that activates nothing. */
static void
bus_start (Bus *bus)
{
  g_autofree char *dir = ld_test_path ("bus");
  g_autofree char *config = g_build_filename (dir, "session.conf", NULL);
  g_autofree char *text = g_strdup_printf (
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig><type>session</type><listen>unix:dir=%s</listen>\n"
    "<policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
    "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n", dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (config, text, -1, NULL));
  bus->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "dbus-daemon",
                                   "--nofork", "--print-address=1", "--config-file", config,
                                   NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bus->process));
  bus->address = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bus->address);
}

/* gnome-keyring-daemon on @bus, its login keyring created and unlocked with a password. */
static GSubprocess *
keyring_start (Bus *bus)
{
  g_autofree char *home = ld_test_path ("keyring-home");
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
    | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  GSubprocess *keyring;
  GOutputStream *in;

  g_assert_cmpint (g_mkdir_with_parents (home, 0700), ==, 0);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", bus->address, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", home, TRUE);
  keyring = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon",
                                         "--foreground", "--unlock", "--components=secrets",
                                         NULL);
  g_assert_no_error (error);
  in = g_subprocess_get_stdin_pipe (keyring);
  g_assert_true (g_output_stream_write_all (in, "keyring-test-pass", 17, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (in, NULL, &error));
  g_assert_no_error (error);

  /* ready once it owns the Secret Service's name */
  connection = g_dbus_connection_new_for_address_sync (
    bus->address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
    | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 100; i++)
    {
      g_autoptr(GVariant) owner = g_dbus_connection_call_sync (
        connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
        "NameHasOwner", g_variant_new ("(s)", "org.freedesktop.secrets"), G_VARIANT_TYPE ("(b)"),
        G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
      gboolean has = FALSE;

      if (owner != NULL)
        g_variant_get (owner, "(b)", &has);
      if (has)
        return keyring;
      g_usleep (50000);
    }
  g_error ("gnome-keyring-daemon did not take org.freedesktop.secrets within 5 s");
}

static void
run_child (const char *path,
           const char *bus_address,
           const char *expect_in_log)
{
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", bus_address, TRUE);
  g_test_trap_subprocess (path, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr (expect_in_log);
}

static gboolean
have (const char *program)
{
  g_autofree char *path = g_find_program_in_path (program);

  if (path == NULL)
    g_test_skip_printf ("%s is missing: build-aux/deps.sh installs it", program);
  return path != NULL;
}

static void
test_keyring (void)
{
  Bus bus = { 0 };
  GSubprocess *keyring;

  if (g_test_subprocess ())
    {
      child_keyring ();
      return;
    }
#if !HAVE_LIBSECRET
  g_test_skip ("built without libsecret: tokens are kept in files only");
  return;
#endif
  if (!have ("dbus-daemon") || !have ("gnome-keyring-daemon"))
    return;
  bus_start (&bus);
  keyring = keyring_start (&bus);
  run_child ("/sync-token/keyring", bus.address, "*kept in the keyring (Secret Service)*");
  g_subprocess_force_exit (keyring);
  g_subprocess_wait (keyring, NULL, NULL);
  g_object_unref (keyring);
  bus_stop (&bus);
}

static void
test_bus_without_keyring (void)
{
  Bus bus = { 0 };

  if (g_test_subprocess ())
    {
      child_file ();
      return;
    }
  if (!have ("dbus-daemon"))
    return;
  bus_start (&bus);
#if HAVE_LIBSECRET
  run_child ("/sync-token/bus-without-keyring", bus.address,
             "*the keyring did not take it*kept in the 0600 file*");
#else
  run_child ("/sync-token/bus-without-keyring", bus.address, "*kept in the 0600 file*");
#endif
  bus_stop (&bus);
}

static void
test_no_bus (void)
{
  if (g_test_subprocess ())
    {
      child_file ();
      return;
    }
  run_child ("/sync-token/no-bus", "unix:path=/nonexistent/landdesk-test-bus",
             "*kept in the 0600 file*");
}

int
main (int    argc,
      char **argv)
{
  ld_test_init (&argc, &argv);

  g_test_add_func ("/sync-token/keyring", test_keyring);
  g_test_add_func ("/sync-token/bus-without-keyring", test_bus_without_keyring);
  g_test_add_func ("/sync-token/no-bus", test_no_bus);

  return g_test_run ();
}
