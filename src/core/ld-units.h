/* ld-units.h: areas in m², ha and mu, and half-up rounding at output (domain.md §6)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* 1 ha = 10 000 m² = 15 mu: mu = m² x 0.0015 (not / 666.67). */
#define LD_MU_PER_M2 0.0015

double ld_area_m2_to_mu (double m2);
double ld_area_m2_to_ha (double m2);
double ld_round_half_up (double value,
                         int    decimals);
char  *ld_area_format   (double m2);

G_END_DECLS
