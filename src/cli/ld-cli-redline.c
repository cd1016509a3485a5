/* ld-cli-redline.c: landdesk-cli redline import|export, red lines in and out of files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ld-cli.h"
#include "ld-core.h"

static void
print_usage (FILE *out)
{
  fprintf (out,
           "Usage:\n"
           "  landdesk-cli redline import FILE [--format auto|txt|shp|gpkg|geojson|kml|dxf]\n"
           "                                   [--make-valid] [--json]\n"
           "                                   [--store F --case ID --as USER]\n"
           "  landdesk-cli redline export (--store F --case ID | --in FILE [--in-format F])\n"
           "                              --format txt|shp|gpkg|kml|dxf --out FILE\n"
           "                              [--encoding gbk|utf-8] [--force]\n"
           "\n"
           "import reads a red line (the ministry coordinate TXT, Shapefile, GeoPackage,\n"
           "GeoJSON, KML or DXF), turns it into EPSG:4525 and prints its parcels with their\n"
           "planar Gauss-Krüger areas; --json prints them as JSON. Invalid polygons are\n"
           "reported, and repaired only with --make-valid. With --store, --case and --as the\n"
           "red line becomes the case's (its old parcels are replaced; the ops go to the\n"
           "outbox).\n"
           "export writes a case's red line from the store (by case id or number), or any\n"
           "importable file, as TXT (GBK unless --encoding utf-8), Shapefile, GeoPackage, KML\n"
           "or DXF.\n");
}

static void
append_number (GString *out,
               double   value,
               int      decimals)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char format[8];

  g_snprintf (format, sizeof format, "%%.%df", decimals);
  g_ascii_formatd (buf, sizeof buf, format, ld_round_half_up (value, decimals));
  g_string_append (out, buf);
}

static char *
redline_to_json (LdRedline *redline)
{
  GString *out = g_string_new ("{\"crs\": ");
  GPtrArray *warnings = ld_redline_get_warnings (redline);

  ld_json_text_append_string (out, ld_redline_get_crs (redline));
  g_string_append (out, ", \"parcels\": [");
  for (guint i = 0; i < ld_redline_get_n_parcels (redline); i++)
    {
      double area = ld_redline_get_parcel_area (redline, i);
      g_autofree char *wkt = ld_redline_dup_parcel_wkt (redline, i);

      g_string_append (out, i > 0 ? ", {\"id\": " : "{\"id\": ");
      ld_json_text_append_string (out, ld_redline_get_parcel_id (redline, i));
      g_string_append (out, ", \"name\": ");
      ld_json_text_append_string (out, ld_redline_get_parcel_name (redline, i));
      g_string_append (out, ", \"area_m2\": ");
      append_number (out, area, 2);
      g_string_append (out, ", \"area_ha\": ");
      append_number (out, area / 1e4, 4);
      g_string_append (out, ", \"area_mu\": ");
      append_number (out, area * LD_MU_PER_M2, 2);
      g_string_append_printf (out, ", \"rings\": %u, \"wkt\": ",
                              ld_redline_get_parcel_n_rings (redline, i));
      ld_json_text_append_string (out, wkt);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "], \"warnings\": [");
  for (guint i = 0; i < warnings->len; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      ld_json_text_append_string (out, g_ptr_array_index (warnings, i));
    }
  g_string_append (out, "]}\n");
  return g_string_free (out, FALSE);
}

static void
print_text (LdRedline *redline)
{
  GPtrArray *warnings = ld_redline_get_warnings (redline);
  double total = 0.0;

  printf ("CRS %s (planar Gauss-Krüger areas)\n", ld_redline_get_crs (redline));
  printf ("%-12s %-24s %14s %10s %12s %5s\n", "parcel", "name", "m2", "ha", "mu", "rings");
  for (guint i = 0; i < ld_redline_get_n_parcels (redline); i++)
    {
      double area = ld_redline_get_parcel_area (redline, i);

      total += area;
      printf ("%-12s %-24s %14.2f %10.4f %12.2f %5u\n", ld_redline_get_parcel_id (redline, i),
              ld_redline_get_parcel_name (redline, i), ld_round_half_up (area, 2),
              ld_round_half_up (area / 1e4, 4), ld_round_half_up (area * LD_MU_PER_M2, 2),
              ld_redline_get_parcel_n_rings (redline, i));
    }
  printf ("%-12s %-24s %14.2f %10.4f %12.2f\n", "total", "", ld_round_half_up (total, 2),
          ld_round_half_up (total / 1e4, 4), ld_round_half_up (total * LD_MU_PER_M2, 2));
  for (guint i = 0; i < warnings->len; i++)
    fprintf (stderr, "warning: %s\n", (char *) g_ptr_array_index (warnings, i));
}

static int
run_import (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LdRedline) redline = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *format_name = NULL;
  g_autofree char *store_path = NULL;
  g_autofree char *case_ref = NULL;
  g_autofree char *login = NULL;
  gboolean json = FALSE, make_valid = FALSE;
  LdRedlineFormat format = LD_REDLINE_FORMAT_AUTO;
  int code;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_name,
      "auto (default), txt, shp, gpkg, geojson, kml or dxf", "FORMAT" },
    { "make-valid", 0, 0, G_OPTION_ARG_NONE, &make_valid,
      "Repair invalid polygons (GEOS MakeValid) and report the area change", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path,
      "Store the red line in this store (with --case and --as)", "FILE" },
    { "case", 0, 0, G_OPTION_ARG_STRING, &case_ref, "The case, by id or number", "ID" },
    { "as", 0, 0, G_OPTION_ARG_STRING, &login, "Who stores it (a login of the store)", "USER" },
    { NULL }
  };

  context = g_option_context_new ("FILE - read a red line and print its parcels");
  g_option_context_add_main_entries (context, entries, NULL);
  if ((code = ld_cli_parse (context, &argc, &argv)) >= 0)
    return code;
  if (argc != 2)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "redline import: give exactly one FILE "
                        "(see 'landdesk-cli help redline')");
  if (format_name != NULL && !ld_redline_format_from_string (format_name, &format))
    return ld_cli_fail (LD_CLI_EXIT_USAGE,
                        "redline import: unknown format '%s'; use auto, txt, shp, gpkg, "
                        "geojson, kml or dxf", format_name);

  redline = ld_redline_import (argv[1], format,
                               make_valid ? LD_REDLINE_IMPORT_MAKE_VALID
                               : LD_REDLINE_IMPORT_DEFAULT, &error);
  if (redline == NULL)
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "redline import: %s", error->message);
  if ((store_path != NULL) != (case_ref != NULL) || (store_path != NULL) != (login != NULL))
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "redline import: --store, --case and --as go "
                        "together");
  if (store_path != NULL)
    {
      g_autoptr(LdStore) store = ld_store_open (store_path, &error);

      if (store == NULL || !ld_store_set_redline (store, case_ref, redline, login, &error))
        return ld_cli_fail (LD_CLI_EXIT_FAILURE, "redline import: %s", error->message);
    }
  if (json)
    {
      g_autofree char *text = redline_to_json (redline);

      fputs (text, stdout);
    }
  else
    print_text (redline);
  return LD_CLI_EXIT_OK;
}

/* Writes into a scratch folder beside @out, then moves the file(s) over the old ones: a
 * failed export leaves the old file as it was. A Shapefile is several files. */
static gboolean
export_replacing (LdRedline        *redline,
                  const char       *out,
                  LdRedlineFormat   format,
                  const char       *encoding,
                  GError          **error)
{
  g_autofree char *dir = g_path_get_dirname (out);
  g_autofree char *base = g_path_get_basename (out);
  g_autofree char *scratch = g_build_filename (dir, ".landdesk-export-XXXXXX", NULL);
  g_autofree char *tmp_out = NULL;
  g_autoptr(GDir) listing = NULL;
  const char *name;
  gboolean ok;

  if (g_mkdtemp (scratch) == NULL)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "cannot write in %s: %s", dir, g_strerror (errno));
      return FALSE;
    }
  tmp_out = g_build_filename (scratch, base, NULL);
  ok = ld_redline_export (redline, tmp_out, format, encoding, error);
  listing = g_dir_open (scratch, 0, NULL);
  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *from = g_build_filename (scratch, name, NULL);
      g_autofree char *to = g_build_filename (dir, name, NULL);

      if (ok)
        {
#ifdef G_OS_WIN32
          g_remove (to);
#endif
          if (g_rename (from, to) != 0)
            {
              g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                           "cannot move %s to %s: %s", from, to, g_strerror (errno));
              ok = FALSE;
            }
        }
      g_remove (from);
    }
  g_rmdir (scratch);
  return ok;
}

static int
run_export (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LdRedline) redline = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *store = NULL;
  g_autofree char *case_ref = NULL;
  g_autofree char *in = NULL;
  g_autofree char *in_format_name = NULL;
  g_autofree char *format_name = NULL;
  g_autofree char *out = NULL;
  g_autofree char *encoding = NULL;
  gboolean force = FALSE;
  LdRedlineFormat format = LD_REDLINE_FORMAT_AUTO, in_format = LD_REDLINE_FORMAT_AUTO;
  const char *enc = NULL;
  int code;
  const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store, "The local store (GeoPackage)", "FILE" },
    { "case", 0, 0, G_OPTION_ARG_STRING, &case_ref, "The case, by id or number", "ID" },
    { "in", 0, 0, G_OPTION_ARG_FILENAME, &in, "Convert this red-line file instead", "FILE" },
    { "in-format", 0, 0, G_OPTION_ARG_STRING, &in_format_name,
      "Format of --in (default: by its extension)", "FORMAT" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_name,
      "txt, shp, gpkg, kml or dxf (default: by the extension of --out)", "FORMAT" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "File to write", "FILE" },
    { "encoding", 0, 0, G_OPTION_ARG_STRING, &encoding, "TXT encoding: gbk (default) or utf-8",
      "ENC" },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Overwrite FILE if it exists", NULL },
    { NULL }
  };

  context = g_option_context_new ("- write a red line as TXT, Shapefile, GeoPackage, KML or DXF");
  g_option_context_add_main_entries (context, entries, NULL);
  if ((code = ld_cli_parse (context, &argc, &argv)) >= 0)
    return code;
  if (argc != 1)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "redline export: unexpected argument '%s'", argv[1]);
  if (out == NULL)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "redline export: --out FILE is required");
  if ((in == NULL) == (store == NULL))
    return ld_cli_fail (LD_CLI_EXIT_USAGE,
                        "redline export: give either --store F --case ID or --in FILE");
  if (store != NULL && case_ref == NULL)
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "redline export: --store needs --case ID");
  if (format_name != NULL
      && (!ld_redline_format_from_string (format_name, &format)
          || format == LD_REDLINE_FORMAT_AUTO))
    return ld_cli_fail (LD_CLI_EXIT_USAGE,
                        "redline export: unknown format '%s'; use txt, shp, gpkg, kml or dxf",
                        format_name);
  if (format == LD_REDLINE_FORMAT_AUTO)
    format = ld_redline_format_guess (out);
  if (format == LD_REDLINE_FORMAT_AUTO)
    return ld_cli_fail (LD_CLI_EXIT_USAGE,
                        "redline export: give --format; the extension of %s names none", out);
  if (in_format_name != NULL && !ld_redline_format_from_string (in_format_name, &in_format))
    return ld_cli_fail (LD_CLI_EXIT_USAGE, "redline export: unknown --in-format '%s'",
                        in_format_name);
  if (encoding != NULL)
    {
      if (g_ascii_strcasecmp (encoding, "gbk") == 0)
        enc = "GBK";
      else if (g_ascii_strcasecmp (encoding, "utf-8") == 0 || g_ascii_strcasecmp (encoding, "utf8") == 0)
        enc = "UTF-8";
      else
        return ld_cli_fail (LD_CLI_EXIT_USAGE,
                            "redline export: unknown encoding '%s'; use gbk or utf-8", encoding);
      if (format != LD_REDLINE_FORMAT_TXT)
        return ld_cli_fail (LD_CLI_EXIT_USAGE,
                            "redline export: --encoding applies to txt only (Shapefiles are "
                            "written in UTF-8 with a .cpg)");
    }

  if (store != NULL)
    redline = ld_redline_load_store (store, case_ref, &error);
  else
    redline = ld_redline_import (in, in_format, LD_REDLINE_IMPORT_DEFAULT, &error);
  if (redline == NULL)
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "redline export: %s", error->message);

  if (g_file_test (out, G_FILE_TEST_EXISTS) && !force)
    return ld_cli_fail (LD_CLI_EXIT_FAILURE,
                        "redline export: %s exists; pass --force to overwrite it", out);
  if (!export_replacing (redline, out, format, enc, &error))
    return ld_cli_fail (LD_CLI_EXIT_FAILURE, "redline export: %s", error->message);
  for (guint i = 0; i < ld_redline_get_warnings (redline)->len; i++)
    fprintf (stderr, "warning: %s\n",
             (char *) g_ptr_array_index (ld_redline_get_warnings (redline), i));
  printf ("Wrote %u parcel%s (%.2f m²) to %s as %s%s%s\n", ld_redline_get_n_parcels (redline),
          ld_redline_get_n_parcels (redline) == 1 ? "" : "s",
          ld_round_half_up (ld_redline_get_area (redline), 2), out,
          ld_redline_format_to_string (format),
          format == LD_REDLINE_FORMAT_TXT ? ", " : "",
          format == LD_REDLINE_FORMAT_TXT ? (enc != NULL ? enc : "GBK") : "");
  return LD_CLI_EXIT_OK;
}

int
ld_cli_redline (int    argc,
                char **argv)
{
  g_autofree char *name = NULL;
  char **sub_argv;
  int code;

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? LD_CLI_EXIT_USAGE : LD_CLI_EXIT_OK;
    }
  if (!g_str_equal (argv[1], "import") && !g_str_equal (argv[1], "export"))
    return ld_cli_fail (LD_CLI_EXIT_USAGE,
                        "redline: unknown subcommand '%s'; use import or export "
                        "(see 'landdesk-cli help redline')", argv[1]);

  /* Messages then read "redline import: ..." and point at 'landdesk-cli help redline import',
   * which shows the redline usage. */
  sub_argv = g_new0 (char *, argc);
  name = g_strdup_printf ("redline %s", argv[1]);
  sub_argv[0] = name;
  for (int i = 2; i < argc; i++)
    sub_argv[i - 1] = argv[i];
  if (g_str_equal (argv[1], "import"))
    code = run_import (argc - 1, sub_argv);
  else
    code = run_export (argc - 1, sub_argv);
  g_free (sub_argv);
  return code;
}
