/* rng.h — the pseudo-random generator of the harness: the generated points (points.c),
 * the shuffled run order (plan.c) and the bootstrap resamples of the summary and compare
 * (stats.c) all draw from it, so each repeats from its seed on any machine. splitmix64
 * expands the seed into the state of xoshiro256** (Blackman & Vigna, 2018). Not for
 * cryptography. (The microbenchmarks of machine_limits.c draw their keys and points from a
 * fixed LCG of their own.) */
#ifndef PAIRBENCH_RNG_H
#define PAIRBENCH_RNG_H

#include <stdint.h>

struct pb_rng {
    uint64_t s[4];                   /* xoshiro256** state; never all zero after seeding */
};

/* splitmix64: advances *x and returns the next output (also used to mix seeds). */
static inline uint64_t pb_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Seeds r with four successive splitmix64 outputs of seed. */
static inline void pb_rng_seed(struct pb_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = pb_splitmix64(&seed);
}

/* x rotated left by k bits, 0 < k < 64. */
static inline uint64_t pb_rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* The next 64 random bits (xoshiro256**). */
static inline uint64_t pb_rng_next(struct pb_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = pb_rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = pb_rotl64(s[3], 45);
    return result;
}

/* A double in [0, 1) from the top 53 bits. */
static inline double pb_rng_unit(struct pb_rng *r)
{
    return (double)(pb_rng_next(r) >> 11) * 0x1.0p-53;
}

/* An unbiased integer in [0, bound), bound >= 1, by rejecting the short last interval. */
static inline uint64_t pb_rng_below(struct pb_rng *r, uint64_t bound)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t x;
    do
        x = pb_rng_next(r);
    while (x >= limit);
    return x % bound;
}

#endif
