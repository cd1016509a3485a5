/* ld-rng.h: a seeded pseudo-random generator and smooth noise, identical on every platform
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* xoshiro256** seeded through splitmix64: the same seed gives the same stream everywhere,
 * unlike rand() or GRand's platform-independent-but-unspecified future. */
typedef struct
{
  guint64 s[4];
} LdRng;

void    ld_rng_init     (LdRng   *rng,
                         guint64  seed);
guint64 ld_rng_next     (LdRng   *rng);
double  ld_rng_double   (LdRng   *rng);
int     ld_rng_int      (LdRng   *rng,
                         int      lo,
                         int      hi);
double  ld_rng_range    (LdRng   *rng,
                         double   lo,
                         double   hi);

guint64 ld_hash64       (guint64  a,
                         guint64  b,
                         guint64  c);
double  ld_hash_double  (guint64  a,
                         guint64  b,
                         guint64  c);
double  ld_noise2       (guint64  seed,
                         double   x,
                         double   y);
double  ld_fbm2         (guint64  seed,
                         double   x,
                         double   y,
                         int      octaves);

G_END_DECLS
