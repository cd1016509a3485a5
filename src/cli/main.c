/* main.c: landdesk-cli entry point
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include "ld-cli.h"

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  return ld_cli_main (argc, argv);
}
