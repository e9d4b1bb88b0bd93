/* pk_dispatch.h — kernel levels: how the hot kernels are compiled for several instruction sets
 * and one is chosen at start-up. Part of pairkern.h.
 *
 * An installed bench must run on any x86-64 and be fast on each, so when a file is compiled
 * for the plain x86-64 baseline (no -march beyond it: PB_NATIVE=OFF, or a plugin built with
 * default flags) the hot functions are compiled three times — x86-64 (SSE2), x86-64-v3 (AVX2,
 * FMA; FMA unused: contraction stays off, so d2 is the same on every level) and x86-64-v4
 * (AVX-512 F/BW/CD/DQ/VL) — and each call goes to the highest level this CPU reports, chosen
 * once per file on first use. A file compiled for more than the baseline (-march=native, the
 * default local build) has one level, its own: the binary runs only on CPUs like the one that
 * built it anyway, its tuning is that CPU's, and a lower-level copy could not inline the bodies
 * compiled for the higher one.
 *
 * Multi-versioned (one copy per level, defined with PB_KERN_DISPATCH from NAME_body):
 *   pk_tile.h    pb_tile_d2, pb_tile_d2_f, pb_tile_count, pb_tile_count_f, pb_hist_rows_d,
 *                pb_hist_rows_f (so pb_hist_rows), pb_hist_cross, pb_hist_self
 *   pk_matrix.h  pb_matrix_rows (so pb_work_rows for a matrix); its square roots use the
 *                level's vector instruction (pb_sqrt_inplace)
 * Everything else (set-up, thresholds, tables, reductions, splits) runs once per run or per
 * worker and is compiled for the baseline only. Each level's copy must vectorise its d2 loop:
 * the "portable" job of .ci/hardening disassembles every copy in a portable bench and fails
 * when one lacks packed multiplies of its width (xmm, ymm, zmm).
 *
 * GCC/Clang target_clones would do the dispatch with an ifunc, but clang 14 emits the resolver
 * of a static function as a global symbol (two files including this header clash) and drops
 * "arch=x86-64-v3"; and an ifunc cannot be pointed at a lower level for a test or a
 * comparison. So: target attributes, one wrapper per level, and a switch on a cached level.
 *
 * The environment variable PB_KERNEL_LEVEL (x86-64, x86-64-v3 or x86-64-v4) caps the level,
 * for comparing levels on one machine; pb_kern_set_level sets it for the calling file (tests).
 */
#ifndef PAIRBENCH_PK_DISPATCH_H
#define PAIRBENCH_PK_DISPATCH_H

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && !defined(__AVX__) && !defined(PB_KERN_SINGLE)
#define PB_KERN_MULTI 1              /* this file carries the three levels */
#else
#define PB_KERN_MULTI 0              /* this file carries one: what it is compiled for */
#endif

enum pb_kern_level {
    PB_KERN_BUILD = 0,               /* the single level of a file built beyond the baseline */
    PB_KERN_V1 = 1,                  /* x86-64 baseline: SSE2, 128-bit vectors */
    PB_KERN_V3 = 3,                  /* x86-64-v3: AVX2, 256-bit vectors */
    PB_KERN_V4 = 4                   /* x86-64-v4: AVX-512, 512-bit vectors */
};

/* The level this file's hot functions dispatch to; -1 until chosen (relaxed atomics: every
 * thread that races to choose it chooses the same value). */
static _Atomic int pb_kern_cur __attribute__((unused)) = -1;

/* 1 when this file carries `level` and this CPU (and its OS) can run it, else 0. v3 is asked
 * for by the features the compiler uses here; the rest of v3 (F16C, LZCNT, MOVBE) comes with
 * every AVX2 CPU. */
static inline int pb_kern_supported(int level)
{
#if PB_KERN_MULTI
    __builtin_cpu_init();
    int v3 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
             && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
    int v4 = v3 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
             && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq")
             && __builtin_cpu_supports("avx512vl");
    return level == PB_KERN_V1 || (level == PB_KERN_V3 && v3) || (level == PB_KERN_V4 && v4);
#else
    return level == PB_KERN_BUILD;
#endif
}

/* The level's name: "x86-64", "x86-64-v3", "x86-64-v4", or for a single-level file "build"
 * with the widest vector extension it was compiled with. */
static inline const char *pb_kern_level_name(int level)
{
    switch (level) {
    case PB_KERN_V1: return "x86-64";
    case PB_KERN_V3: return "x86-64-v3";
    case PB_KERN_V4: return "x86-64-v4";
    default: break;
    }
#if defined(__AVX512F__)
    return "build (avx512)";
#elif defined(__AVX2__)
    return "build (avx2)";
#elif defined(__AVX__)
    return "build (avx)";
#else
    return "build";
#endif
}

/* The highest level this file carries and this CPU runs, capped by PB_KERNEL_LEVEL when that
 * names a level of this file (any other value is ignored). */
static inline int pb_kern_choose(void)
{
    if (!PB_KERN_MULTI)
        return PB_KERN_BUILD;
    const char *cap = getenv("PB_KERNEL_LEVEL");
    int top = PB_KERN_V4;
    for (int l = PB_KERN_V1; cap && l <= PB_KERN_V4; l++)
        if (l != 2 && strcmp(cap, pb_kern_level_name(l)) == 0)
            top = l;
    for (int l = top; l > PB_KERN_V1; l--)
        if (l != 2 && pb_kern_supported(l))
            return l;
    return PB_KERN_V1;
}

/* The level this file's hot functions run at (chosen on the first call). */
static inline int pb_kern_level(void)
{
    int l = atomic_load_explicit(&pb_kern_cur, memory_order_relaxed);
    if (l < 0) {
        l = pb_kern_choose();
        atomic_store_explicit(&pb_kern_cur, l, memory_order_relaxed);
    }
    return l;
}

/* Makes this file's hot functions run at `level` from now on (tests, comparisons); a negative
 * level restores the automatic choice. Returns 0, or -ENOTSUP when the file does not carry the
 * level or the CPU cannot run it. */
static inline int pb_kern_set_level(int level)
{
    if (level >= 0 && !pb_kern_supported(level))
        return -ENOTSUP;
    atomic_store_explicit(&pb_kern_cur, level < 0 ? -1 : level, memory_order_relaxed);
    return 0;
}

/* Defines the public function `name` from name##_body: one copy per level and a switch on the
 * level in a multi-level file; the body itself otherwise. The copies are unused in files that
 * never call `name`, and the compiler drops them there. */
#if PB_KERN_MULTI
/* The attributes that compile a function for level v3 or v4 (a multi-level file only). */
#define PB_TARGET_V3 __attribute__((target("arch=x86-64-v3")))
#define PB_TARGET_V4 __attribute__((target("arch=x86-64-v4")))

#define PB_KERN_DISPATCH(name, params, args)                                                      \
    PB_TARGET_V4 __attribute__((unused)) static void name##_v4 params                            \
    {                                                                                             \
        name##_body args;                                                                         \
    }                                                                                             \
    PB_TARGET_V3 __attribute__((unused)) static void name##_v3 params                            \
    {                                                                                             \
        name##_body args;                                                                         \
    }                                                                                             \
    __attribute__((unused)) static void name##_v1 params                                         \
    {                                                                                             \
        name##_body args;                                                                         \
    }                                                                                             \
    static inline void name params                                                                \
    {                                                                                             \
        int level_ = pb_kern_level();                                                             \
        if (level_ == PB_KERN_V4)                                                                 \
            name##_v4 args;                                                                       \
        else if (level_ == PB_KERN_V3)                                                            \
            name##_v3 args;                                                                       \
        else                                                                                      \
            name##_v1 args;                                                                       \
    }
#else
#define PB_KERN_DISPATCH(name, params, args)                                                      \
    static inline void name params                                                                \
    {                                                                                             \
        name##_body args;                                                                         \
    }
#endif

#endif
