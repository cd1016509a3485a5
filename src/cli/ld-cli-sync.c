/* ld-cli-sync.c: landdesk-cli sync, one sync of a local store with landdesk-server
 *
 *   landdesk-cli sync --store F --server URL --user U --password-file P [--json]
 *   landdesk-cli sync --store F --status [--json]
 *   landdesk-cli sync --store F --resolve ID --take mine|theirs|value [--value V] --user U
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

#include "ld-cli.h"
#include "ld-core.h"

static void
print_counts (const LdSyncCounts *c,
              LdStore            *store,
              gboolean            json)
{
  guint pending, failed, conflicts;

  ld_store_sync_count (store, &pending, &failed, &conflicts);
  if (json)
    printf ("{\"pushed\": %u, \"applied\": %u, \"duplicates\": %u, \"conflicts\": %u,"
            " \"rejected\": %u, \"pulled\": %u, \"skipped\": %u, \"uploaded\": %u,"
            " \"downloaded\": %u, \"pending\": %u, \"failed\": %u, \"open_conflicts\": %u,"
            " \"cursor\": %" G_GINT64_FORMAT "}\n",
            c->pushed, c->applied, c->duplicates, c->conflicts, c->rejected, c->pulled,
            c->skipped, c->uploaded, c->downloaded, pending, failed, conflicts,
            ld_store_sync_get_cursor (store));
  else
    printf ("pushed %u ops: %u applied, %u duplicates, %u conflicts, %u rejected\n"
            "pulled %u changes (%u skipped); blobs: %u uploaded, %u downloaded\n"
            "left: %u pending, %u failed, %u open conflicts\n",
            c->pushed, c->applied, c->duplicates, c->conflicts, c->rejected, c->pulled,
            c->skipped, c->uploaded, c->downloaded, pending, failed, conflicts);
}

static int
print_status (LdStore  *store,
              gboolean  json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = ld_store_sync_list_outbox (store, &error);
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *last = ld_store_sync_get_state (store, "last_sync");
  g_autofree char *last_error = ld_store_sync_get_state (store, "last_error");

  if (items == NULL || (conflicts = ld_store_sync_list_conflicts (store, &error)) == NULL)
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "sync: %s", error->message);
  if (!json)
    {
      printf ("last sync: %s\n", last ? last : "never");
      if (last_error)
        printf ("last error: %s\n", last_error);
      for (guint i = 0; i < items->len; i++)
        {
          LdSyncItem *it = items->pdata[i];

          printf ("op %s: %s %s %s: %s%s%s\n", it->op_id, it->kind, it->entity, it->entity_id,
                  it->state, it->reason ? ": " : "", it->reason ? it->reason : "");
        }
      for (guint i = 0; i < conflicts->len; i++)
        {
          LdSyncConflict *c = conflicts->pdata[i];

          printf ("conflict %" G_GINT64_FORMAT ": %s %s field %s: base %s, mine %s, theirs %s\n",
                  c->id, c->entity, c->entity_id, c->field, c->base, c->mine, c->theirs);
        }
      return LD_CLI_EXIT_OK;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "last_sync");
  last ? json_builder_add_string_value (b, last) : json_builder_add_null_value (b);
  json_builder_set_member_name (b, "last_error");
  last_error ? json_builder_add_string_value (b, last_error) : json_builder_add_null_value (b);
  json_builder_set_member_name (b, "outbox");
  json_builder_begin_array (b);
  for (guint i = 0; i < items->len; i++)
    {
      LdSyncItem *it = items->pdata[i];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "op_id");
      json_builder_add_string_value (b, it->op_id);
      json_builder_set_member_name (b, "entity");
      json_builder_add_string_value (b, it->entity);
      json_builder_set_member_name (b, "entity_id");
      json_builder_add_string_value (b, it->entity_id);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, it->kind);
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, it->state);
      json_builder_set_member_name (b, "reason");
      it->reason ? json_builder_add_string_value (b, it->reason)
                 : json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "conflicts");
  json_builder_begin_array (b);
  for (guint i = 0; i < conflicts->len; i++)
    {
      LdSyncConflict *c = conflicts->pdata[i];
      const char *names[] = { "base", "mine", "theirs" };
      const char *values[] = { c->base, c->mine, c->theirs };

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, c->id);
      json_builder_set_member_name (b, "entity");
      json_builder_add_string_value (b, c->entity);
      json_builder_set_member_name (b, "entity_id");
      json_builder_add_string_value (b, c->entity_id);
      json_builder_set_member_name (b, "field");
      json_builder_add_string_value (b, c->field);
      for (guint k = 0; k < 3; k++)
        {
          g_autoptr(JsonParser) p = json_parser_new ();

          json_builder_set_member_name (b, names[k]);
          if (values[k] && json_parser_load_from_data (p, values[k], -1, NULL))
            json_builder_add_value (b, json_parser_steal_root (p));
          else
            json_builder_add_null_value (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, TRUE);
  printf ("%s\n", text);
  return LD_CLI_EXIT_OK;
}

int
ld_cli_sync (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LdStore) store = NULL;
  g_autoptr(LdSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *store_path = NULL;
  g_autofree char *server = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *password = NULL;
  g_autofree char *take = NULL;
  g_autofree char *value = NULL;
  gint64 resolve = 0;
  int retries = 4;
  gboolean json = FALSE, status = FALSE, retry = FALSE;
  LdSyncCounts counts = { 0 };
  int code;
  const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path,
      "The local store (created when missing or empty)", "FILE" },
    { "server", 0, 0, G_OPTION_ARG_STRING, &server, "The server, e.g. http://127.0.0.1:8470",
      "URL" },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, "Login name, e.g. zhang.wei", "LOGIN" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
      "A file whose first line is the password", "FILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the counts (or the status) as JSON", NULL },
    { "status", 0, 0, G_OPTION_ARG_NONE, &status,
      "Show the outbox and open conflicts; no network", NULL },
    { "retries", 0, 0, G_OPTION_ARG_INT, &retries,
      "Retries of a request after a network error (default 4, with backoff)", "N" },
    { "retry-failed", 0, 0, G_OPTION_ARG_NONE, &retry,
      "Send rejected ops again at this sync", NULL },
    { "resolve", 0, 0, G_OPTION_ARG_INT64, &resolve,
      "Resolve the open conflict ID (see --status); no network", "ID" },
    { "take", 0, 0, G_OPTION_ARG_STRING, &take, "With --resolve: mine, theirs or value", "WHICH" },
    { "value", 0, 0, G_OPTION_ARG_STRING, &value, "With --take value: the text to keep", "TEXT" },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
    "Send the store's outbox to landdesk-server, then fetch what changed there. Nothing is\n"
    "lost when the network or a program fails midway: run it again.");
  g_option_context_add_main_entries (context, entries, NULL);
  if ((code = ld_cli_parse (context, &argc, &argv)) >= 0)
    return code;
  if (store_path == NULL)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "sync: --store FILE is required");

  if (status || resolve != 0)
    {
      store = ld_store_open (store_path, &error);
      if (store == NULL)
        return ld_cli_fail (LD_CLI_EXIT_FAILURE, "sync: %s", error->message);
      if (status)
        return print_status (store, json);
      {
        LdSyncChoice choice;
        g_autoptr(JsonNode) node = NULL;

        if (!ld_sync_choice_from_string (take, &choice))
          return ld_cli_fail (LD_CLI_EXIT_USAGE, "sync: --resolve needs --take mine, theirs or"
                              " value");
        if (choice == LD_SYNC_CHOICE_VALUE)
          {
            if (value == NULL)
              return ld_cli_fail (LD_CLI_EXIT_USAGE, "sync: --take value needs --value TEXT");
            node = json_node_init_string (json_node_alloc (), value);
          }
        if (user == NULL)
          return ld_cli_fail (LD_CLI_EXIT_USAGE, "sync: --resolve needs --user LOGIN");
        if (!ld_store_sync_resolve (store, resolve, choice, node, user, &error))
          return ld_cli_fail (LD_CLI_EXIT_FAILURE, "sync: %s", error->message);
        return LD_CLI_EXIT_OK;
      }
    }

  if (server == NULL || user == NULL || password_file == NULL)
    return ld_cli_fail (LD_CLI_EXIT_USAGE,
                        "sync: --server URL, --user LOGIN and --password-file FILE are required");
  if (!g_str_has_prefix (server, "http://") && !g_str_has_prefix (server, "https://"))
    return ld_cli_fail (LD_CLI_EXIT_USAGE,
                        "sync: --server '%s' must start with http:// or https://", server);
  password = ld_cli_read_password_file (password_file, &error);
  if (password == NULL)
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "sync: %s", error->message);
  store = ld_cli_open_store (store_path, &error);
  if (store == NULL)
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "sync: %s", error->message);
  if (retry && !ld_store_sync_retry_failed (store, &error))
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "sync: %s", error->message);

  if (retries < 0 || retries > 20)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "sync: --retries %d must be 0 to 20", retries);
  sync = ld_sync_new (server);
  ld_sync_set_credentials (sync, user, password);
  ld_sync_set_retries (sync, (guint) retries, 250);
  if (!ld_sync_run (sync, store, &counts, NULL, &error))
    {
      print_counts (&counts, store, json);
      return ld_cli_fail (LD_CLI_EXIT_FAILURE, "sync: %s", error->message);
    }
  print_counts (&counts, store, json);
  return LD_CLI_EXIT_OK;
}
