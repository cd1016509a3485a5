/* test-server-data.c: blobs and the OGC API of a real landdesk-server, read by GDAL's ogrinfo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>

#include "ld-test-server-demo.h"
#include "ld-test-server.h"
#include "ld-test-util.h"

#define PW LD_TEST_DEMO_PASSWORD
#define CRS84 "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
#define EPSG_4525 "http://www.opengis.net/def/crs/EPSG/0/4525"

static char *
sha256_of (const char *data,
           gsize       len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      n += g_file_test (path, G_FILE_TEST_IS_DIR) ? count_files (path) : 1;
    }
  return n;
}

static void
test_blob_whole (void)
{
  g_autofree char *dir = ld_test_path ("server-data");
  g_autoptr(LdTestServer) server = ld_test_demo_server (dir, NULL, NULL);
  g_autofree char *zhang = ld_test_server_login (server, "zhang.wei", PW);
  g_autofree char *lina = ld_test_server_login (server, "li.na", PW);
  g_autofree char *admin = ld_test_server_login (server, "admin", PW);
  const char *content = "现场照片 site photo";
  g_autofree char *sha = sha256_of (content, strlen (content));
  g_autofree char *path = g_strconcat ("/api/v1/blobs/", sha, NULL);
  g_autofree char *other = sha256_of ("something else", 14);
  g_autofree char *wrong_path = g_strconcat ("/api/v1/blobs/", other, NULL);
  g_autoptr(LdTestResponse) put = NULL;
  g_autoptr(LdTestResponse) again = NULL;
  g_autoptr(LdTestResponse) get = NULL;
  g_autoptr(LdTestResponse) head = NULL;
  g_autoptr(LdTestResponse) hidden = NULL;
  g_autoptr(LdTestResponse) by_admin = NULL;
  g_autoptr(LdTestResponse) mismatch = NULL;
  g_autoptr(LdTestResponse) gone = NULL;
  guint files;

  put = ld_test_server_call (server, "PUT", path, zhang, "application/octet-stream", content, -1,
                             NULL);
  g_assert_cmpuint (put->status, ==, 201);
  g_assert_true (json_object_get_boolean_member (ld_test_response_object (put), "complete"));
  g_assert_cmpint (json_object_get_int_member (ld_test_response_object (put), "received"), ==,
                   strlen (content));
  again = ld_test_server_call (server, "PUT", path, zhang, "application/octet-stream", content,
                               -1, NULL);
  g_assert_cmpuint (again->status, ==, 200);

  get = ld_test_server_call (server, "GET", path, zhang, NULL, NULL, 0, NULL);
  g_assert_cmpuint (get->status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (get->body), ==, strlen (content));
  g_assert_cmpmem (g_bytes_get_data (get->body, NULL), g_bytes_get_size (get->body), content,
                   strlen (content));
  head = ld_test_server_call (server, "HEAD", path, zhang, NULL, NULL, 0, NULL);
  g_assert_cmpuint (head->status, ==, 200);

  /* Nobody's attachment refers to it yet: only its uploader and admins may read it. */
  hidden = ld_test_server_call (server, "GET", path, lina, NULL, NULL, 0, NULL);
  g_assert_cmpuint (hidden->status, ==, 404);
  by_admin = ld_test_server_call (server, "GET", path, admin, NULL, NULL, 0, NULL);
  g_assert_cmpuint (by_admin->status, ==, 200);

  /* Bytes that do not hash to the name: refused, nothing kept. */
  files = count_files (dir);
  mismatch = ld_test_server_call (server, "PUT", wrong_path, zhang, "application/octet-stream",
                                  content, -1, NULL);
  g_assert_cmpuint (mismatch->status, ==, 400);
  g_assert_nonnull (strstr (ld_test_response_message (mismatch), "hash to"));
  gone = ld_test_server_call (server, "GET", wrong_path, zhang, NULL, NULL, 0, NULL);
  g_assert_cmpuint (gone->status, ==, 404);
  g_assert_cmpuint (count_files (dir), <=, files);
}

static void
test_blob_names (void)
{
  g_autofree char *dir = ld_test_path ("server-data");
  g_autoptr(LdTestServer) server = ld_test_demo_server (dir, NULL, NULL);
  g_autofree char *token = ld_test_server_login (server, "zhang.wei", PW);
  g_autofree char *upper = g_strconcat ("/api/v1/blobs/", "2CF24DBA5FB0A30E26E83B2AC5B9E29E"
                                        "1B161E5C1FA7425E73043362938B9824", NULL);
  const char *bad[] = {
    "/api/v1/blobs/abc",
    "/api/v1/blobs/..%2F..%2Flanddesk-server.db",
    "/api/v1/blobs/%2e%2e/%2e%2e/etc/passwd",
    "/api/v1/blobs/2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824/x",
    "/api/v1/blobs/2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982g",
    upper,
  };
  guint files = count_files (dir);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    for (guint m = 0; m < 2; m++)
      {
        g_autoptr(LdTestResponse) res = ld_test_server_call (server, m ? "PUT" : "GET", bad[i],
                                                             token, "application/octet-stream",
                                                             m ? "hello" : NULL, -1, NULL);

        /* 400, or 404 when the client already resolved the dots away; JSON either way. */
        if (res->status != 400 && res->status != 404)
          g_error ("%s %s: %u, expected 400", m ? "PUT" : "GET", bad[i], res->status);
        g_assert_nonnull (ld_test_response_message (res));
      }
  g_assert_cmpuint (count_files (dir), ==, files);
}

static void
test_blob_resume (void)
{
  g_autofree char *dir = ld_test_path ("server-data");
  g_autofree char *gpkg = ld_test_demo_gpkg ("demo.gpkg");
  const gsize size = 300 * 1000;
  g_autofree char *data = g_malloc (size);
  g_autofree char *sha = NULL;
  g_autofree char *path = NULL;
  g_autofree char *token = NULL;

  for (gsize i = 0; i < size; i++)
    data[i] = (char) g_random_int_range (0, 256);
  sha = sha256_of (data, size);
  path = g_strconcat ("/api/v1/blobs/", sha, NULL);

  {
    g_autoptr(LdTestServer) server = ld_test_demo_server (dir, NULL, NULL);
    g_autoptr(LdTestResponse) first = NULL;
    g_autoptr(LdTestResponse) head = NULL;

    token = ld_test_server_login (server, "zhao.lei", PW);
    first = ld_test_server_call (server, "PUT", path, token, "application/octet-stream", data,
                                 100000, "Content-Range", "bytes 0-99999/300000", NULL);
    g_assert_cmpuint (first->status, ==, 200);
    g_assert_false (json_object_get_boolean_member (ld_test_response_object (first), "complete"));
    g_assert_cmpint (json_object_get_int_member (ld_test_response_object (first), "received"), ==,
                     100000);
    head = ld_test_server_call (server, "HEAD", path, token, NULL, NULL, 0, NULL);
    g_assert_cmpuint (head->status, ==, 404);
    g_assert_cmpstr (soup_message_headers_get_one (head->headers, "Upload-Offset"), ==, "100000");
    /* The connection drops: the server is killed. */
    g_subprocess_send_signal (server->process, SIGKILL);
  }
  {
    g_autoptr(LdTestServer) server = ld_test_server_start (dir, "--init-demo", gpkg, NULL);
    g_autoptr(LdTestResponse) head = NULL;
    g_autoptr(LdTestResponse) skip = NULL;
    g_autoptr(LdTestResponse) short_body = NULL;
    g_autoptr(LdTestResponse) second = NULL;
    g_autoptr(LdTestResponse) third = NULL;
    g_autoptr(LdTestResponse) get = NULL;

    /* The token and the partial upload survived the restart. */
    head = ld_test_server_call (server, "HEAD", path, token, NULL, NULL, 0, NULL);
    g_assert_cmpuint (head->status, ==, 404);
    g_assert_cmpstr (soup_message_headers_get_one (head->headers, "Upload-Offset"), ==, "100000");
    skip = ld_test_server_call (server, "PUT", path, token, "application/octet-stream",
                                data + 150000, 150000, "Content-Range",
                                "bytes 150000-299999/300000", NULL);
    g_assert_cmpuint (skip->status, ==, 409);
    g_assert_cmpstr (soup_message_headers_get_one (skip->headers, "Upload-Offset"), ==, "100000");
    short_body = ld_test_server_call (server, "PUT", path, token, "application/octet-stream",
                                      data + 100000, 10, "Content-Range",
                                      "bytes 100000-199999/300000", NULL);
    g_assert_cmpuint (short_body->status, ==, 400);
    second = ld_test_server_call (server, "PUT", path, token, "application/octet-stream",
                                  data + 100000, 100000, "Content-Range",
                                  "bytes 100000-199999/300000", NULL);
    g_assert_cmpuint (second->status, ==, 200);
    third = ld_test_server_call (server, "PUT", path, token, "application/octet-stream",
                                 data + 200000, 100000, "Content-Range",
                                 "bytes 200000-299999/300000", NULL);
    g_assert_cmpuint (third->status, ==, 201);
    g_assert_true (json_object_get_boolean_member (ld_test_response_object (third), "complete"));
    get = ld_test_server_call (server, "GET", path, token, NULL, NULL, 0, NULL);
    g_assert_cmpuint (get->status, ==, 200);
    g_assert_cmpmem (g_bytes_get_data (get->body, NULL), g_bytes_get_size (get->body), data,
                     size);
  }
}

static JsonObject *
get_object (LdTestServer *server,
            const char   *token,
            const char   *path,
            const char   *content_type)
{
  g_autoptr(LdTestResponse) res = ld_test_server_call (server, "GET", path, token, NULL, NULL, 0,
                                                       NULL);

  if (res->status != 200)
    g_error ("GET %s: %u", path, res->status);
  g_assert_cmpstr (soup_message_headers_get_content_type (res->headers, NULL), ==, content_type);
  return json_object_ref (ld_test_response_object (res));
}

static gboolean
has_link (JsonObject *obj,
          const char *rel)
{
  JsonArray *links = json_object_get_array_member (obj, "links");

  for (guint i = 0; i < json_array_get_length (links); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (links, i),
                                                    "rel"), rel))
      return TRUE;
  return FALSE;
}

static char *
link_path (JsonObject *obj,
           const char *rel)
{
  JsonArray *links = json_object_get_array_member (obj, "links");

  for (guint i = 0; i < json_array_get_length (links); i++)
    {
      JsonObject *l = json_array_get_object_element (links, i);

      if (g_str_equal (json_object_get_string_member (l, "rel"), rel))
        {
          g_autoptr(GUri) uri = g_uri_parse (json_object_get_string_member (l, "href"),
                                             G_URI_FLAGS_ENCODED, NULL);

          return g_strconcat (g_uri_get_path (uri), "?", g_uri_get_query (uri), NULL);
        }
    }
  return NULL;
}

/* The first coordinate pair of a MultiPolygon feature. */
static void
first_xy (JsonObject *feature,
          double     *x,
          double     *y)
{
  JsonArray *c = json_object_get_array_member (json_object_get_object_member (feature, "geometry"),
                                               "coordinates");
  JsonArray *pt = json_array_get_array_element (json_array_get_array_element (
      json_array_get_array_element (c, 0), 0), 0);

  *x = json_array_get_double_element (pt, 0);
  *y = json_array_get_double_element (pt, 1);
}

static void
test_ogc_api (void)
{
  g_autofree char *dir = ld_test_path ("server-data");
  g_autoptr(LdTestServer) server = ld_test_demo_server (dir, NULL, NULL);
  g_autofree char *token = ld_test_server_login (server, "zhao.lei", PW);
  g_autoptr(JsonObject) landing = NULL;
  g_autoptr(JsonObject) conf = NULL;
  g_autoptr(JsonObject) colls = NULL;
  g_autoptr(JsonObject) dltb = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, NULL);
  g_autofree char *next = NULL;
  JsonArray *arr, *bbox;
  double x, y;

  landing = get_object (server, token, "/ogc", "application/json");
  g_assert_true (has_link (landing, "self") && has_link (landing, "service-desc")
                 && has_link (landing, "conformance") && has_link (landing, "data"));
  conf = get_object (server, token, "/ogc/conformance", "application/json");
  arr = json_object_get_array_member (conf, "conformsTo");
  g_assert_cmpstr (json_array_get_string_element (arr, 0), ==,
                   "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core");
  g_assert_cmpuint (json_array_get_length (arr), ==, 4);
  {
    g_autoptr(JsonObject) api = get_object (server, token, "/ogc/api",
                                            "application/vnd.oai.openapi+json");
    g_assert_cmpstr (json_object_get_string_member (api, "openapi"), ==, "3.0.3");
  }

  colls = get_object (server, token, "/ogc/collections", "application/json");
  arr = json_object_get_array_member (colls, "collections");
  /* The map layers, never the case data nor attribute tables. */
  g_assert_cmpuint (json_array_get_length (arr), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (arr, 0), "id"),
                   ==, "xz_dltb");

  dltb = get_object (server, token, "/ogc/collections/xz_dltb", "application/json");
  bbox = json_array_get_array_element (json_object_get_array_member (
      json_object_get_object_member (json_object_get_object_member (dltb, "extent"), "spatial"),
      "bbox"), 0);
  /* The fixture sits 300 m square beside 110.36°E 21.27°N (domain.md's check point). */
  g_assert_cmpfloat (json_array_get_double_element (bbox, 0), >, 110.35);
  g_assert_cmpfloat (json_array_get_double_element (bbox, 2), <, 110.37);
  g_assert_cmpfloat (json_array_get_double_element (bbox, 0), <,
                     json_array_get_double_element (bbox, 2));
  g_assert_cmpfloat (json_array_get_double_element (bbox, 1), >, 21.26);
  g_assert_cmpfloat (json_array_get_double_element (bbox, 3), <, 21.28);

  /* Paging by 4 over 9 features with next links. */
  next = g_strdup ("/ogc/collections/xz_dltb/items?limit=4");
  for (guint page = 0; next != NULL; page++)
    {
      g_autoptr(JsonObject) fc = get_object (server, token, next, "application/geo+json");
      JsonArray *features = json_object_get_array_member (fc, "features");

      g_assert_cmpstr (json_object_get_string_member (fc, "type"), ==, "FeatureCollection");
      g_assert_cmpint (json_object_get_int_member (fc, "numberMatched"), ==, LD_TEST_N_DLTB);
      g_assert_cmpint (json_object_get_int_member (fc, "numberReturned"), ==,
                       json_array_get_length (features));
      g_assert_cmpuint (json_array_get_length (features), ==, page < 2 ? 4 : 1);
      for (guint i = 0; i < json_array_get_length (features); i++)
        {
          JsonObject *f = json_array_get_object_element (features, i);

          g_hash_table_add (seen, GINT_TO_POINTER (json_object_get_int_member (f, "id")));
          first_xy (f, &x, &y);
          g_assert_cmpfloat (x, >, 110.35);   /* longitude first */
          g_assert_cmpfloat (x, <, 110.37);
          g_assert_cmpfloat (y, >, 21.26);
        }
      g_free (next);
      next = link_path (fc, "next");
      g_assert_cmpuint (page, <, 3);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, LD_TEST_N_DLTB);

  /* Part 2: the storage CRS on request, and a bbox in it hitting the middle cell only. */
  {
    g_autoptr(LdTestResponse) res = ld_test_server_call (
        server, "GET", "/ogc/collections/xz_dltb/items?crs=" EPSG_4525 "&bbox-crs=" EPSG_4525
        "&bbox=37433140,2353140,37433160,2353160", token, NULL, NULL, 0, NULL);
    JsonObject *fc = ld_test_response_object (res);
    JsonObject *f;

    g_assert_cmpuint (res->status, ==, 200);
    g_assert_cmpstr (soup_message_headers_get_one (res->headers, "Content-Crs"), ==,
                     "<" EPSG_4525 ">");
    g_assert_cmpint (json_object_get_int_member (fc, "numberMatched"), ==, 1);
    f = json_array_get_object_element (json_object_get_array_member (fc, "features"), 0);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (f, "properties"),
                                                    "DLBM"), ==, "0701");
    first_xy (f, &x, &y);
    g_assert_cmpfloat_with_epsilon (x, 37433100.0, 0.001);
    g_assert_cmpfloat_with_epsilon (y, 2353100.0, 0.001);
  }
  {
    g_autoptr(JsonObject) far = get_object (server, token,
                                            "/ogc/collections/xz_dltb/items?bbox=0,0,1,1",
                                            "application/geo+json");
    g_assert_cmpint (json_object_get_int_member (far, "numberMatched"), ==, 0);
    g_assert_false (has_link (far, "next"));
  }

  /* Wrong parameters and names. */
  {
    static const struct { const char *path; guint status; } bad[] = {
      { "/ogc/collections/xz_dltb/items?limit=0", 400 },
      { "/ogc/collections/xz_dltb/items?limit=1001", 400 },
      { "/ogc/collections/xz_dltb/items?bbox=1,2,3", 400 },
      { "/ogc/collections/xz_dltb/items?bbox=3,2,1,4", 400 },
      { "/ogc/collections/xz_dltb/items?bbox=a,b,c,d", 400 },
      { "/ogc/collections/xz_dltb/items?crs=EPSG:9999", 400 },
      { "/ogc/collections/case_redlines", 404 },
      { "/ogc/collections/users/items", 404 },
      { "/ogc/collections/nothing", 404 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(LdTestResponse) res = ld_test_server_call (server, "GET", bad[i].path, token,
                                                             NULL, NULL, 0, NULL);

        if (res->status != bad[i].status)
          g_error ("GET %s: %u, expected %u", bad[i].path, res->status, bad[i].status);
        g_assert_nonnull (ld_test_response_message (res));
      }
  }
}

/* GDAL's own OGC API client lists and reads the collections. */
static void
test_ogc_ogrinfo (void)
{
  g_autofree char *dir = ld_test_path ("server-data");
  g_autoptr(LdTestServer) server = ld_test_demo_server (dir, NULL, NULL);
  g_autofree char *token = ld_test_server_login (server, "chen.gang", PW);
  g_autofree char *ogrinfo = g_find_program_in_path ("ogrinfo");
  g_autofree char *header = g_strconcat ("Authorization: Bearer ", token, NULL);
  g_autofree char *base = ld_test_server_url (server, "/ogc");
  g_autofree char *source = g_strconcat ("OAPIF:", base, NULL);
  g_autoptr(LdTestRun) list = NULL;
  g_autoptr(LdTestRun) read = NULL;
  g_autoptr(LdTestRun) anon = NULL;

  if (ogrinfo == NULL)
    {
      g_test_skip ("ogrinfo is not installed (gdal-bin, in build-aux/deps.sh)");
      return;
    }
  list = ld_test_run (NULL, ogrinfo, "--config", "GDAL_HTTP_HEADERS", header, "-ro", "-q",
                      source, NULL);
  if (list->status != 0)
    g_error ("ogrinfo failed: %s", list->err);
  g_assert_nonnull (strstr (list->out, "xz_dltb"));
  g_assert_nonnull (strstr (list->out, "gh_ydyh"));
  g_assert_nonnull (strstr (list->out, "sx_yjjbnt"));
  g_assert_null (strstr (list->out, "case_redlines"));

  read = ld_test_run (NULL, ogrinfo, "--config", "GDAL_HTTP_HEADERS", header, "-ro", source,
                      "xz_dltb", NULL);
  if (read->status != 0)
    g_error ("ogrinfo xz_dltb failed: %s", read->err);
  g_assert_nonnull (strstr (read->out, "Feature Count: 9"));
  g_assert_nonnull (strstr (read->out, "DLBM (String) = 0101"));
  g_assert_nonnull (strstr (read->out, "DLMC (String) = 城镇住宅用地"));
  g_assert_nonnull (strstr (read->out, "MULTIPOLYGON (((110.3"));

  anon = ld_test_run (NULL, ogrinfo, "-ro", "-q", source, NULL);
  g_assert_cmpint (anon->status, !=, 0);
}

int
main (int    argc,
      char **argv)
{
  ld_test_init (&argc, &argv);

  g_test_add_func ("/server-data/blob-whole", test_blob_whole);
  g_test_add_func ("/server-data/blob-names", test_blob_names);
  g_test_add_func ("/server-data/blob-resume", test_blob_resume);
  g_test_add_func ("/server-data/ogc-api", test_ogc_api);
  g_test_add_func ("/server-data/ogc-ogrinfo", test_ogc_ogrinfo);

  return g_test_run ();
}
