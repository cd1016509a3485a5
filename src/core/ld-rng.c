/* ld-rng.c: a seeded pseudo-random generator and smooth noise, identical on every platform
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "ld-rng.h"

static guint64
splitmix64 (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

static double
smooth (double t)
{
  return t * t * (3.0 - 2.0 * t);
}

void
ld_rng_init (LdRng   *rng,
             guint64  seed)
{
  guint64 state = seed;

  for (guint i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&state);
}

guint64
ld_rng_next (LdRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

/* In [0, 1). */
double
ld_rng_double (LdRng *rng)
{
  return (double) (ld_rng_next (rng) >> 11) * (1.0 / 9007199254740992.0);
}

/* In [lo, hi], both included. */
int
ld_rng_int (LdRng *rng,
            int    lo,
            int    hi)
{
  return lo + (int) (ld_rng_next (rng) % (guint64) (hi - lo + 1));
}

double
ld_rng_range (LdRng  *rng,
              double  lo,
              double  hi)
{
  return lo + (hi - lo) * ld_rng_double (rng);
}

/* A well-mixed hash of three integers, for values tied to a place (a lattice node, an edge). */
guint64
ld_hash64 (guint64 a,
           guint64 b,
           guint64 c)
{
  guint64 state = a * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15) ^ rotl (b, 21)
                  ^ rotl (c * G_GUINT64_CONSTANT (0xc2b2ae3d27d4eb4f), 42);

  splitmix64 (&state);
  return splitmix64 (&state);
}

double
ld_hash_double (guint64 a,
                guint64 b,
                guint64 c)
{
  return (double) (ld_hash64 (a, b, c) >> 11) * (1.0 / 9007199254740992.0);
}

/* Value noise in [0, 1], smooth, with features about one unit apart. */
double
ld_noise2 (guint64 seed,
           double  x,
           double  y)
{
  double fx = floor (x), fy = floor (y);
  gint64 ix = (gint64) fx, iy = (gint64) fy;
  double tx = smooth (x - fx), ty = smooth (y - fy);
  double v00 = ld_hash_double (seed, (guint64) ix, (guint64) iy);
  double v10 = ld_hash_double (seed, (guint64) (ix + 1), (guint64) iy);
  double v01 = ld_hash_double (seed, (guint64) ix, (guint64) (iy + 1));
  double v11 = ld_hash_double (seed, (guint64) (ix + 1), (guint64) (iy + 1));
  double a = v00 + (v10 - v00) * tx, b = v01 + (v11 - v01) * tx;

  return a + (b - a) * ty;
}

/* Fractal sum of @octaves noises, normalised back to [0, 1]. */
double
ld_fbm2 (guint64 seed,
         double  x,
         double  y,
         int     octaves)
{
  double sum = 0.0, norm = 0.0, amp = 1.0, freq = 1.0;

  for (int o = 0; o < octaves; o++)
    {
      sum += amp * ld_noise2 (seed + (guint64) o * 7919, x * freq + o * 17.31, y * freq - o * 9.73);
      norm += amp;
      amp *= 0.5;
      freq *= 2.0;
    }
  return sum / norm;
}
