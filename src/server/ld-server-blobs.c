/* ld-server-blobs.c: PUT/HEAD/GET /api/v1/blobs/{sha256}, content-addressed attachments
 *
 * A blob's name is its SHA-256 (64 lowercase hex digits; anything else is refused before a
 * path is built). A whole upload is one PUT; a large one goes in pieces, each a PUT with
 * "Content-Range: bytes START-END/TOTAL" appended to DIR/blobs/partial/NAME.part (kept across
 * restarts). HEAD on an unfinished blob answers 404 with "Upload-Offset: N", where to resume.
 * The finished file is hashed and only moved into DIR/blobs/AB/NAME when the hash matches.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "ld-server-log.h"
#include "ld-server-private.h"

#define PREFIX "/api/v1/blobs/"

static gboolean
valid_name (const char *name)
{
  if (strlen (name) != 64)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

static char *
blob_path (LdServer   *self,
           const char *sha)
{
  char sub[3] = { sha[0], sha[1], '\0' };

  return g_build_filename (self->data_dir, "blobs", sub, sha, NULL);
}

static char *
partial_path (LdServer   *self,
              const char *sha)
{
  g_autofree char *name = g_strconcat (sha, ".part", NULL);

  return g_build_filename (self->data_dir, "blobs", "partial", name, NULL);
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : -1;
}

static char *
hash_file (const char  *path,
           GError     **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, error);
  g_autofree guchar *buf = g_malloc (1 << 20);
  gssize n;

  if (in == NULL)
    return NULL;
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buf, 1 << 20, NULL, error)) > 0)
    g_checksum_update (sum, buf, n);
  if (n < 0)
    return NULL;
  return g_strdup (g_checksum_get_string (sum));
}

/* "bytes START-END/TOTAL" */
static gboolean
parse_range (const char *text,
             gint64     *start,
             gint64     *end,
             gint64     *total)
{
  char tail;

  return text != NULL
         && sscanf (text, "bytes %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "%c",
                    start, end, total, &tail) == 3
         && *start >= 0 && *end >= *start && *total > *end;
}

static void
send_state (SoupServerMessage *msg,
            guint              status,
            const char        *sha,
            gint64             received,
            gint64             total,
            gboolean           complete)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, sha);
  json_builder_set_member_name (b, "received");
  json_builder_add_int_value (b, received);
  if (total >= 0)
    {
      json_builder_set_member_name (b, "total");
      json_builder_add_int_value (b, total);
    }
  json_builder_set_member_name (b, "complete");
  json_builder_add_boolean_value (b, complete);
  json_builder_end_object (b);
  ld_server_send_json (msg, status, b);
}

/* Verifies @from against @sha and moves it into place; records it in the store. */
static gboolean
finish_blob (LdServer           *self,
             SoupServerMessage  *msg,
             const LdServerUser *user,
             const char         *sha,
             const char         *from)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *actual = hash_file (from, &error);
  g_autofree char *to = blob_path (self, sha);
  g_autofree char *dir = g_path_get_dirname (to);
  gint64 size = file_size (from);

  if (actual == NULL)
    {
      ld_server_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "Cannot read back %s: %s",
                            from, error->message);
      return FALSE;
    }
  if (!g_str_equal (actual, sha))
    {
      g_unlink (from);
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                            "The uploaded bytes hash to %s, not %s: nothing was kept, upload"
                            " again", actual, sha);
      return FALSE;
    }
  if (g_mkdir_with_parents (dir, 0700) != 0 || g_rename (from, to) != 0)
    {
      int saved = errno;

      ld_server_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "Cannot store %s: %s", to,
                            g_strerror (saved));
      return FALSE;
    }
  if (!ld_server_store_put_blob (self->store, sha, size, user->login, &error))
    {
      ld_server_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "%s", error->message);
      return FALSE;
    }
  send_state (msg, SOUP_STATUS_CREATED, sha, size, size, TRUE);
  return TRUE;
}

static gboolean
append_bytes (const char  *path,
              GBytes      *bytes,
              gboolean     truncate,
              GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) out = NULL;
  gsize len;
  const guchar *data = g_bytes_get_data (bytes, &len);

  out = truncate ? g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, error)
                 : g_file_append_to (file, G_FILE_CREATE_PRIVATE, NULL, error);
  if (out == NULL)
    return FALSE;
  return g_output_stream_write_all (G_OUTPUT_STREAM (out), data, len, NULL, NULL, error)
         && g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error);
}

static void
put_blob (LdServer           *self,
          SoupServerMessage  *msg,
          const LdServerUser *user,
          const char         *sha)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *range = soup_message_headers_get_one (headers, "Content-Range");
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autofree char *final = blob_path (self, sha);
  g_autofree char *part = partial_path (self, sha);
  g_autofree char *partdir = g_path_get_dirname (part);
  g_autoptr(GError) error = NULL;
  gint64 start = 0, end = 0, total = 0, have;

  if (ld_server_blob_exists (self, sha))
    {
      gint64 size = file_size (final);

      send_state (msg, SOUP_STATUS_OK, sha, size, size, TRUE);
      return;
    }
  g_mkdir_with_parents (partdir, 0700);
  if (range == NULL)
    {
      /* The whole blob in one request. */
      if (!append_bytes (part, body, TRUE, &error))
        {
          ld_server_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "%s", error->message);
          return;
        }
      finish_blob (self, msg, user, sha, part);
      return;
    }
  if (!parse_range (range, &start, &end, &total))
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                            "Content-Range '%s' is not 'bytes START-END/TOTAL'", range);
      return;
    }
  if (total > LD_SERVER_MAX_BLOB_SIZE)
    {
      ld_server_send_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                            "A blob may have at most %" G_GINT64_FORMAT " bytes; this one has %"
                            G_GINT64_FORMAT, LD_SERVER_MAX_BLOB_SIZE, total);
      return;
    }
  if ((gint64) g_bytes_get_size (body) != end - start + 1)
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                            "Content-Range '%s' announces %" G_GINT64_FORMAT " bytes but the body"
                            " has %" G_GSIZE_FORMAT, range, end - start + 1,
                            g_bytes_get_size (body));
      return;
    }
  have = MAX (file_size (part), 0);
  if (start != have)
    {
      g_autofree char *offset = g_strdup_printf ("%" G_GINT64_FORMAT, have);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Upload-Offset", offset);
      ld_server_send_error (msg, SOUP_STATUS_CONFLICT,
                            "This piece starts at byte %" G_GINT64_FORMAT " but the server has %"
                            G_GINT64_FORMAT " bytes of %s: resume from byte %" G_GINT64_FORMAT,
                            start, have, sha, have);
      return;
    }
  if (!append_bytes (part, body, start == 0, &error))
    {
      ld_server_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "%s", error->message);
      return;
    }
  if (end + 1 == total)
    finish_blob (self, msg, user, sha, part);
  else
    send_state (msg, SOUP_STATUS_OK, sha, end + 1, total, FALSE);
}

static void
handle_blob (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  LdServer *self = user_data;
  g_autoptr(LdServerUser) user = ld_server_authenticate (self, msg);
  const char *sha = path + strlen (PREFIX);
  LdServerViewer viewer;
  g_autofree char *file = NULL;

  if (user == NULL)
    return;
  if (!g_str_has_prefix (path, PREFIX) || !valid_name (sha))
    {
      ld_server_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                            "A blob is named by its SHA-256: 64 lowercase hexadecimal digits,"
                            " e.g. /api/v1/blobs/e3b0c442...b855");
      return;
    }
  if (ld_server_method_is (msg, SOUP_METHOD_PUT))
    {
      if (g_str_equal (user->role, "leader"))
        {
          ld_server_send_error (msg, SOUP_STATUS_FORBIDDEN, "A leader does not upload"
                                " attachments");
          return;
        }
      put_blob (self, msg, user, sha);
      return;
    }
  if (!ld_server_method_is (msg, SOUP_METHOD_GET) && !ld_server_method_is (msg, SOUP_METHOD_HEAD))
    {
      ld_server_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                            "Blobs answer PUT, HEAD and GET");
      return;
    }
  ld_server_viewer_init (&viewer, user);
  file = blob_path (self, sha);
  if (!ld_server_blob_exists (self, sha) || !ld_server_store_blob_visible (self->store, &viewer, sha))
    {
      g_autofree char *part = partial_path (self, sha);
      gint64 have = file_size (part);

      if (have >= 0)
        {
          g_autofree char *offset = g_strdup_printf ("%" G_GINT64_FORMAT, have);

          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Upload-Offset", offset);
        }
      ld_server_send_error (msg, SOUP_STATUS_NOT_FOUND, "No blob %s that %s may read", sha,
                            user->login);
      return;
    }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GMappedFile) mapped = g_mapped_file_new (file, FALSE, &error);
    g_autoptr(GBytes) bytes = NULL;

    if (mapped == NULL)
      {
        ld_server_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "%s", error->message);
        return;
      }
    bytes = g_mapped_file_get_bytes (mapped);
    soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
    soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg),
                                           "application/octet-stream", NULL);
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "ETag",
                                  sha);
    soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
  }
}

gboolean
ld_server_blob_exists (LdServer   *self,
                       const char *sha256)
{
  g_autofree char *path = NULL;

  if (!ld_server_store_has_blob (self->store, sha256))
    return FALSE;
  path = blob_path (self, sha256);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

void
ld_server_blobs_register (LdServer *self)
{
  ld_server_route (self, "/api/v1/blobs", handle_blob);
}
