/* ld-units.c: areas in m², ha and mu, and half-up rounding at output (domain.md §6)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <float.h>
#include <math.h>

#include "ld-units.h"

double
ld_area_m2_to_mu (double m2)
{
  return m2 * LD_MU_PER_M2;
}

double
ld_area_m2_to_ha (double m2)
{
  return m2 / 10000.0;
}

/* Half away from zero at @decimals. A few ulps of slack make 2.675 (stored as
 * 2.67499999...) round as the decimal number it stands for. */
double
ld_round_half_up (double value,
                  int    decimals)
{
  double scale = pow (10.0, decimals);
  double x = fabs (value) * scale * (1.0 + 8 * DBL_EPSILON);

  return copysign (floor (x + 0.5) / scale, value);
}

/* "1234.50 m² / 0.1235 ha / 1.85 亩": planar figures, each rounded on its own. */
char *
ld_area_format (double m2)
{
  return g_strdup_printf ("%.2f m² / %.4f ha / %.2f 亩",
                          ld_round_half_up (m2, 2),
                          ld_round_half_up (ld_area_m2_to_ha (m2), 4),
                          ld_round_half_up (ld_area_m2_to_mu (m2), 2));
}
