/* ld-server-changes.c: GET /api/v1/changes?since=SEQ&limit=N, the ordered change feed
 *
 * Every write appends one entry per changed record with a monotonic sequence; a client pulls
 * from its cursor and stores `next`. The feed is filtered to what the user may see: admins
 * and GIS officers everything, others the cases assigned to them or at a stage their role
 * acts on, the records they created, and all reference data. Red-line geometry travels as WKT
 * in EPSG:4525 (field `geom`).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ld-server-log.h"
#include "ld-server-private.h"

#define DEFAULT_LIMIT 1000
#define MAX_LIMIT     10000
#define MAX_PAGES     512     /* cached feed pages */

static gboolean
parse_param (SoupServerMessage *msg,
             GHashTable        *query,
             const char        *name,
             guint64            min,
             guint64            max,
             guint64            fallback,
             guint64           *out)
{
  const char *text = query ? g_hash_table_lookup (query, name) : NULL;
  g_autoptr(GError) error = NULL;

  if (text == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, min, max, out, &error))
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                            "Query parameter %s='%s' must be a whole number from %" G_GUINT64_FORMAT
                            " to %" G_GUINT64_FORMAT, name, text, min, max);
      return FALSE;
    }
  return TRUE;
}

static void
send_page (SoupServerMessage *msg,
           GBytes            *page)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg),
                                         "application/json", NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), page);
}

static void
handle_changes (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  LdServer *self = user_data;
  g_autoptr(LdServerUser) user = ld_server_authenticate (self, msg);
  g_autoptr(GError) error = NULL;
  LdServerViewer viewer;
  GString *page;
  guint64 since, limit;
  gint64 next = 0, head;
  gboolean more = FALSE;
  g_autofree char *key = NULL;
  GBytes *cached;

  if (user == NULL)
    return;
  if (!ld_server_method_is (msg, SOUP_METHOD_GET))
    {
      ld_server_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "%s answers GET only", path);
      return;
    }
  if (!parse_param (msg, query, "since", 0, G_MAXINT64, 0, &since)
      || !parse_param (msg, query, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT, &limit))
    return;

  /* Pages below the head never change: they are kept until the feed grows. Visibility depends
   * on the login (its role and its cases), and a change of either grows the feed too. */
  head = ld_server_store_head_seq (self->store);
  if (head != self->pages_head || g_hash_table_size (self->pages) >= MAX_PAGES)
    {
      g_hash_table_remove_all (self->pages);
      self->pages_head = head;
    }
  ld_server_viewer_init (&viewer, user);
  key = g_strdup_printf ("%s|%" G_GUINT64_FORMAT "|%" G_GUINT64_FORMAT,
                         viewer.sees_all ? "*" : user->login, since, limit);
  cached = g_hash_table_lookup (self->pages, key);
  if (cached != NULL)
    {
      send_page (msg, cached);
      return;
    }
  page = ld_server_store_list_changes (self->store, &viewer, (gint64) since, (guint) limit,
                                       &next, &more, &error);
  if (page == NULL)
    {
      ld_server_log ("changes: %s", error->message);
      ld_server_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                            "The change feed cannot be read: %s", error->message);
      return;
    }
  g_string_prepend (page, "{\"changes\":");
  g_string_append_printf (page, ",\"next\":%" G_GINT64_FORMAT ",\"more\":%s}", next,
                          more ? "true" : "false");
  cached = g_string_free_to_bytes (page);
  g_hash_table_replace (self->pages, g_steal_pointer (&key), cached);
  send_page (msg, cached);
}

void
ld_server_changes_register (LdServer *self)
{
  self->pages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_bytes_unref);
  self->pages_head = -1;
  ld_server_route (self, "/api/v1/changes", handle_changes);
}
