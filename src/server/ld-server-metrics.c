/* ld-server-metrics.c: GET /metrics, Prometheus text exposition format 0.0.4
 *
 * Requests by route and status, a latency histogram by route, ops by result and the change
 * feed's head sequence (a client's sync lag is head minus its cursor). Admins only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ld-server-private.h"

static const double buckets[] = { 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5 };

typedef struct
{
  guint64 counts[G_N_ELEMENTS (buckets) + 1];
  guint64 total;
  double  sum;
} Histogram;

struct _LdServerMetrics
{
  GMutex      lock;
  GHashTable *requests;   /* "route\tstatus" -> guint64* */
  GHashTable *latency;    /* route -> Histogram* */
  GHashTable *ops;        /* result -> guint64* */
};

LdServerMetrics *
ld_server_metrics_new (void)
{
  LdServerMetrics *m = g_new0 (LdServerMetrics, 1);

  g_mutex_init (&m->lock);
  m->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  m->latency = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  m->ops = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return m;
}

void
ld_server_metrics_free (LdServerMetrics *m)
{
  g_hash_table_unref (m->requests);
  g_hash_table_unref (m->latency);
  g_hash_table_unref (m->ops);
  g_mutex_clear (&m->lock);
  g_free (m);
}

static void
bump (GHashTable *table,
      const char *key)
{
  guint64 *n = g_hash_table_lookup (table, key);

  if (n == NULL)
    {
      n = g_new0 (guint64, 1);
      g_hash_table_insert (table, g_strdup (key), n);
    }
  (*n)++;
}

void
ld_server_metrics_request (LdServerMetrics *m,
                           const char      *route,
                           guint            status,
                           double           seconds)
{
  g_autofree char *key = g_strdup_printf ("%s\t%u", route, status);
  Histogram *h;
  guint i;

  g_mutex_lock (&m->lock);
  h = g_hash_table_lookup (m->latency, route);
  bump (m->requests, key);
  if (h == NULL)
    {
      h = g_new0 (Histogram, 1);
      g_hash_table_insert (m->latency, g_strdup (route), h);
    }
  for (i = 0; i < G_N_ELEMENTS (buckets) && seconds > buckets[i]; i++)
    ;
  h->counts[i]++;
  h->total++;
  h->sum += seconds;
  g_mutex_unlock (&m->lock);
}

void
ld_server_metrics_op (LdServerMetrics *m,
                      const char      *result)
{
  g_mutex_lock (&m->lock);
  bump (m->ops, result);
  g_mutex_unlock (&m->lock);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

static GPtrArray *
sorted_keys (GHashTable *table)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_strings);
  return keys;
}

static void
handle_metrics (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  LdServer *self = user_data;
  LdServerMetrics *m = self->metrics;
  g_autoptr(LdServerUser) user = ld_server_authenticate (self, msg);
  g_autoptr(GPtrArray) keys = NULL;
  GString *out;
  char num[G_ASCII_DTOSTR_BUF_SIZE];

  if (user == NULL)
    return;
  if (!g_str_equal (user->role, "admin"))
    {
      ld_server_send_error (msg, SOUP_STATUS_FORBIDDEN, "/metrics is for administrators");
      return;
    }
  out = g_string_new (NULL);
  g_mutex_lock (&m->lock);
  g_string_append (out, "# HELP landdesk_http_requests_total HTTP requests by route and status.\n"
                        "# TYPE landdesk_http_requests_total counter\n");
  keys = sorted_keys (m->requests);
  for (guint i = 0; i < keys->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (keys->pdata[i], "\t", 2);

      g_string_append_printf (out, "landdesk_http_requests_total{route=\"%s\",status=\"%s\"} %"
                              G_GUINT64_FORMAT "\n", parts[0], parts[1],
                              *(guint64 *) g_hash_table_lookup (m->requests, keys->pdata[i]));
    }
  g_clear_pointer (&keys, g_ptr_array_unref);

  g_string_append (out, "# HELP landdesk_http_request_duration_seconds Time to answer a"
                        " request.\n# TYPE landdesk_http_request_duration_seconds histogram\n");
  keys = sorted_keys (m->latency);
  for (guint i = 0; i < keys->len; i++)
    {
      Histogram *h = g_hash_table_lookup (m->latency, keys->pdata[i]);
      guint64 cumulative = 0;

      for (guint b = 0; b < G_N_ELEMENTS (buckets); b++)
        {
          cumulative += h->counts[b];
          g_string_append_printf (out, "landdesk_http_request_duration_seconds_bucket{route=\"%s\","
                                  "le=\"%s\"} %" G_GUINT64_FORMAT "\n", (char *) keys->pdata[i],
                                  g_ascii_dtostr (num, sizeof num, buckets[b]), cumulative);
        }
      g_string_append_printf (out, "landdesk_http_request_duration_seconds_bucket{route=\"%s\","
                              "le=\"+Inf\"} %" G_GUINT64_FORMAT "\n", (char *) keys->pdata[i],
                              h->total);
      g_string_append_printf (out, "landdesk_http_request_duration_seconds_sum{route=\"%s\"} %s\n",
                              (char *) keys->pdata[i], g_ascii_dtostr (num, sizeof num, h->sum));
      g_string_append_printf (out, "landdesk_http_request_duration_seconds_count{route=\"%s\"} %"
                              G_GUINT64_FORMAT "\n", (char *) keys->pdata[i], h->total);
    }
  g_clear_pointer (&keys, g_ptr_array_unref);

  g_string_append (out, "# HELP landdesk_sync_ops_total Pushed ops by result.\n"
                        "# TYPE landdesk_sync_ops_total counter\n");
  {
    static const char * const results[] = { "applied", "duplicate", "conflict", "rejected" };

    for (guint i = 0; i < G_N_ELEMENTS (results); i++)
      {
        guint64 *n = g_hash_table_lookup (m->ops, results[i]);

        g_string_append_printf (out, "landdesk_sync_ops_total{result=\"%s\"} %" G_GUINT64_FORMAT
                                "\n", results[i], n ? *n : 0);
      }
  }
  g_mutex_unlock (&m->lock);
  g_string_append_printf (out, "# HELP landdesk_changes_head_seq The change feed's newest"
                          " sequence; a client's lag is this minus its cursor.\n"
                          "# TYPE landdesk_changes_head_seq gauge\n"
                          "landdesk_changes_head_seq %" G_GINT64_FORMAT "\n",
                          ld_server_store_head_seq (self->store));
  g_string_append_printf (out, "# HELP landdesk_event_listeners Connected /api/v1/events"
                          " clients of the worker that answers.\n# TYPE landdesk_event_listeners gauge\n"
                          "landdesk_event_listeners %u\n", self->sockets->len);
  g_string_append_printf (out, "# HELP landdesk_requests_in_flight Requests being answered by"
                          " the worker that answers.\n"
                          "# TYPE landdesk_requests_in_flight gauge\n"
                          "landdesk_requests_in_flight %u\n", self->in_flight);
  ld_server_send_json_text (msg, SOUP_STATUS_OK, "text/plain; version=0.0.4; charset=utf-8",
                            g_string_free (out, FALSE));
}

void
ld_server_metrics_register (LdServer *self)
{
  ld_server_route (self, "/metrics", handle_metrics);
}
