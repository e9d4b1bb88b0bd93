/* machine_limits.c — the machine limits of machine_limits.h, measured STREAM-style: best of
 * several timed passes, bytes written only, and a volatile read of the buffer afterwards so no
 * store can be optimised away. Stores go through glibc memset, which switches to non-temporal (streaming)
 * stores for buffers larger than its threshold (a fraction of the last-level cache): the
 * fastest way this machine writes a large buffer, which is the bound a matrix writer faces. */
#include "machine_limits.h"
#include "pairkern.h"
#include "pbclock.h"
#include "registry.h"
#include "runner.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define STORE_PASSES 5               /* timed passes on touched memory, after one warm-up */
#define TOUCH_PASSES 2               /* fresh mappings per first-touch figure */
#define PEAK_BINS 32
#define PEAK_MIN_PASSES 3
#define PB_HUGE_PAGE ((size_t)2 << 20) /* x86-64 transparent huge page */
#define MICRO_PASSES 21              /* timed passes per microbenchmark (each well under a
                                        millisecond, so some escape a busy scheduler); the best
                                        is kept */
#define FP_CHAINS 8                  /* independent d2 chains: enough to hide the latency of
                                        sub -> mul -> add -> add on 2-4 pipes */
#define FP_ITERS 4096                /* iterations of all chains per pass */
#define BIN_KEYS 4096                /* keys per increment pass: 16 KiB, in L1 */
#define BIN_TABLE 34                 /* 32 bins + below + above, as the kernels' extended bins */
#define BIN_REPEAT 64                /* sweeps of the keys per pass */

/* Writes every byte of buf with `threads` threads, each its own contiguous slice, and returns
 * the seconds between the barrier before the first store and the barrier after the last. */
static double store_pass(char *buf, size_t bytes, int threads, int value)
{
    double t0 = 0, t1 = 0;
#pragma omp parallel num_threads(threads)
    {
        size_t t = (size_t)omp_get_thread_num(), nt = (size_t)omp_get_num_threads();
        size_t lo = bytes / nt * t, hi = t + 1 == nt ? bytes : bytes / nt * (t + 1);
#pragma omp barrier
#pragma omp master
        t0 = pb_now_s();
#pragma omp barrier
        memset(buf + lo, value, hi - lo);
#pragma omp barrier
#pragma omp master
        t1 = pb_now_s();
    }
    volatile char sink = buf[bytes - 1];   /* the stores are observable */
    (void)sink;
    return t1 - t0;
}

/* Maps bytes of fresh anonymous memory, with transparent huge pages when huge. NULL on failure. */
static char *fresh(size_t bytes, int huge)
{
    void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
#ifdef MADV_HUGEPAGE
    if (huge)
        (void)madvise(m, bytes, MADV_HUGEPAGE);
#else
    (void)huge;
#endif
    return m;
}

/* Best GB/s of stores to memory already touched, at `threads` threads. */
static int touched_gbs(size_t bytes, int threads, double *gbs)
{
    char *buf = fresh(bytes, 1);
    if (!buf)
        return -ENOMEM;
    double best = INFINITY;
    store_pass(buf, bytes, threads, 1);     /* warm-up: faults every page in */
    for (int r = 0; r < STORE_PASSES; r++)
        best = fmin(best, store_pass(buf, bytes, threads, 2 + r));
    munmap(buf, bytes);
    *gbs = (double)bytes / best / 1e9;
    return 0;
}

/* Best GB/s of first writes to a fresh mapping (page faults included), at `threads` threads. */
static int first_touch_gbs(size_t bytes, int threads, int huge, double *gbs)
{
    double best = INFINITY;
    for (int r = 0; r < TOUCH_PASSES; r++) {
        char *buf = fresh(bytes, huge);
        if (!buf)
            return -ENOMEM;
        best = fmin(best, store_pass(buf, bytes, threads, 1 + r));
        munmap(buf, bytes);
    }
    *gbs = (double)bytes / best / 1e9;
    return 0;
}

/* ---- microbenchmarks: what this core can do, not what pairbench's kernels do --------------
 *
 * (a) Vector arithmetic. The d2 of a pair is 3 subtractions, 3 multiplications and 2 additions
 * (no FMA: contraction is off so counts match naive); the minimum image adds, per axis, an
 * absolute value, a compare, a subtraction and a select. fp_mix runs that exact mix on
 * FP_CHAINS independent vectors, x <- (x-a)^2 + (x-b)^2 + (x-c)^2, so every operation is a
 * real vector operation the compiler cannot fold (values overflow to inf after a few dozen
 * iterations and stay there: inf costs nothing on x86, unlike denormals). One copy per vector
 * width, each in the instruction set that has it. */

typedef double pb_v2d __attribute__((vector_size(16)));
typedef double pb_v4d __attribute__((vector_size(32)));
typedef double pb_v8d __attribute__((vector_size(64)));
typedef float pb_v4f __attribute__((vector_size(16)));
typedef float pb_v8f __attribute__((vector_size(32)));
typedef float pb_v16f __attribute__((vector_size(64)));

/* Defines `static double name(long iters)`: iters iterations of the d2 mix on FP_CHAINS
 * vectors of type T, returning a lane sum so nothing is dead. */
#define PB_FP_MIX(name, T, E, attr)                                                         \
    attr __attribute__((noinline)) static double name(long iters)                           \
    {                                                                                       \
        T x[FP_CHAINS], a, b, c;                                                            \
        for (size_t l = 0; l < sizeof a / sizeof a[0]; l++)                                 \
            a[l] = (E)0.25 + (E)l, b[l] = (E)0.5 - (E)l, c[l] = (E)0.75;                    \
        for (int k = 0; k < FP_CHAINS; k++)                                                 \
            x[k] = a * (E)(k + 1);                                                          \
        for (long it = 0; it < iters; it++) {                                               \
            for (int k = 0; k < FP_CHAINS; k++) {                                           \
                T dx = x[k] - a, dy = x[k] - b, dz = x[k] - c;                              \
                x[k] = dx * dx + dy * dy + dz * dz;                                         \
            }                                                                               \
        }                                                                                   \
        double sum = 0;                                                                     \
        for (int k = 0; k < FP_CHAINS; k++)                                                 \
            for (size_t l = 0; l < sizeof a / sizeof a[0]; l++)                             \
                sum += (double)x[k][l];                                                     \
        return sum;                                                                         \
    }

PB_FP_MIX(fp_mix_128d, pb_v2d, double, )
PB_FP_MIX(fp_mix_128f, pb_v4f, float, )
#ifdef __x86_64__
#define PB_TARGET(isa) __attribute__((target(isa)))
#else
#define PB_TARGET(isa)               /* elsewhere the compiler splits wide vectors itself */
#endif
PB_FP_MIX(fp_mix_256d, pb_v4d, double, PB_TARGET("avx"))
PB_FP_MIX(fp_mix_256f, pb_v8f, float, PB_TARGET("avx"))
PB_FP_MIX(fp_mix_512d, pb_v8d, double, PB_TARGET("avx512f"))
PB_FP_MIX(fp_mix_512f, pb_v16f, float, PB_TARGET("avx512f"))

/* Vector widths in bits, widest first, with their double and float mixes. */
static const struct fp_width {
    int bits;                        /* vector width */
    double (*mix_d)(long), (*mix_f)(long);  /* the mix in double and in float */
} fp_widths[] = {
    {512, fp_mix_512d, fp_mix_512f},
    {256, fp_mix_256d, fp_mix_256f},
    {128, fp_mix_128d, fp_mix_128f},
};

/* 1 when this CPU (and its OS) runs vectors of `bits` bits. */
static int has_width(int bits)
{
#ifdef __x86_64__
    __builtin_cpu_init();
    if (bits == 512)
        return __builtin_cpu_supports("avx512f");
    return bits == 256 ? __builtin_cpu_supports("avx") : 1;
#else
    return bits == 128;              /* no portable way to ask: the one width every SIMD has */
#endif
}

/* The slot of fp_ops_per_s for a width in bits; -1 for none measured. */
static int width_slot(int bits)
{
    return bits == 512 ? 2 : bits == 256 ? 1 : bits == 128 ? 0 : -1;
}

/* Best vector FP operations per second (lanes x instructions) of mix at `lanes` lanes. */
static double fp_rate(double (*mix)(long), int lanes)
{
    volatile double sink = mix(FP_ITERS * 8);  /* warm-up: clocks up, code in cache */
    double best = INFINITY;
    for (int r = 0; r < MICRO_PASSES; r++) {
        double t0 = pb_now_s();
        sink = mix(FP_ITERS);
        best = fmin(best, pb_now_s() - t0);
    }
    (void)sink;
    return (double)FP_ITERS * FP_CHAINS * PB_D2_OPS * lanes / best;
}

/* (a) for every vector width this CPU runs: ops/s per core, double and float. */
static void measure_fp(struct pb_limits *l)
{
    for (size_t w = 0; w < sizeof fp_widths / sizeof *fp_widths; w++) {
        const struct fp_width *f = &fp_widths[w];
        int slot = width_slot(f->bits);
        if (!has_width(f->bits))
            continue;
        l->fp_ops_per_s[slot] = fp_rate(f->mix_d, f->bits / 64);
        l->fp_ops_per_s_float[slot] = fp_rate(f->mix_f, f->bits / 32);
        if (!l->vector_bits)
            l->vector_bits = f->bits;
    }
}

/* (b) Binning. Each pair ends in one read-modify-write of a counter in a small table, and the
 * next pair's counter may be the same one (store-to-load forwarding then sets the pace). bin_pass
 * increments BIN_TABLE counters at keys uniform over the table, BIN_REPEAT sweeps of BIN_KEYS
 * keys, into `tables` tables used in turn (1: the plain loop; 4: consecutive keys in different
 * tables, the usual remedy). Returns a checksum. */
__attribute__((noinline)) static uint64_t bin_pass(const uint8_t *keys, uint64_t *t, int tables)
{
    for (int r = 0; r < BIN_REPEAT; r++) {
        if (tables == 1) {
            for (size_t i = 0; i < BIN_KEYS; i++)
                t[keys[i]]++;
            continue;
        }
        for (size_t i = 0; i < BIN_KEYS; i += 4) {
            t[keys[i]]++;
            t[BIN_TABLE + keys[i + 1]]++;
            t[2 * BIN_TABLE + keys[i + 2]]++;
            t[3 * BIN_TABLE + keys[i + 3]]++;
        }
    }
    return t[keys[0]];
}

/* (b): the best increments per second over both arrangements (the bound is what the hardware
 * allows the best of them). */
static void measure_bins(struct pb_limits *l)
{
    static uint8_t keys[BIN_KEYS];
    uint64_t t[4 * BIN_TABLE] = {0}, st = 0x2545f4914f6cdd1dull;
    for (size_t i = 0; i < BIN_KEYS; i++) {
        st = st * 6364136223846793005ull + 1442695040888963407ull;
        keys[i] = (uint8_t)((st >> 33) % BIN_TABLE);
    }
    volatile uint64_t sink = bin_pass(keys, t, 1);   /* warm-up */
    double best = INFINITY;
    for (int r = 0; r < 2 * MICRO_PASSES; r++) {
        double t0 = pb_now_s();
        sink = bin_pass(keys, t, 1 + 3 * (r & 1));
        best = fmin(best, pb_now_s() - t0);
    }
    (void)sink;
    l->bin_incr_per_s = (double)BIN_KEYS * BIN_REPEAT / best;
}

const struct pb_strategy *pb_limits_kernel(const char *name, struct pb_err *err)
{
    const struct pb_strategy *s = pb_registry_find(name ? name : "blocked");
    if (!s && !name)
        s = pb_registry_find("naive");
    if (!s) {
        pb_fail(err, -EINVAL, "limits: no strategy named '%s' for the peak pairs/s", name);
        return NULL;
    }
    if (s->flags & (PB_EXTERNAL | PB_DISTRIBUTED)) {
        pb_fail(err, -EINVAL, "limits: '%s' runs outside this process; the peak needs an "
                "in-process kernel", s->name);
        return NULL;
    }
    return s;
}

/* Points for the peak: uniform in the unit cube from a fixed LCG, with float copies. */
struct peak_data {
    double *x, *y, *z;               /* n each, one allocation */
    float *xf, *yf, *zf;             /* n each, one allocation */
    double edges[PEAK_BINS + 1];     /* 1e-4 to sqrt(3), linear */
    uint64_t counts[PEAK_BINS];
    struct pb_kv *kv;                /* the strategy's parameter defaults */
    size_t nkv;
};

static void peak_free(struct peak_data *d)
{
    free(d->x);
    free(d->xf);
    free(d->kv);
}

/* Fills d for n points and strategy s. Returns 0 or -ENOMEM. */
static int peak_init(struct peak_data *d, size_t n, const struct pb_strategy *s)
{
    d->x = malloc(3 * n * sizeof *d->x);
    d->xf = malloc(3 * n * sizeof *d->xf);
    for (d->nkv = 0; s->params && s->params[d->nkv].name; d->nkv++)
        ;
    d->kv = calloc(d->nkv + 1, sizeof *d->kv);
    if (!d->x || !d->xf || !d->kv)
        return -ENOMEM;
    for (size_t i = 0; i < d->nkv; i++)
        d->kv[i] = (struct pb_kv){.key = s->params[i].name, .value = s->params[i].def};
    d->y = d->x + n;
    d->z = d->y + n;
    d->yf = d->xf + n;
    d->zf = d->yf + n;
    uint64_t st = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < 3 * n; i++) {
        st = st * 6364136223846793005ull + 1442695040888963407ull;
        d->x[i] = (double)(st >> 11) / 9007199254740992.0;
        d->xf[i] = (float)d->x[i];
    }
    /* Like the shipped configs (0.1 to 1750 in a box of 1000): a first edge above zero, so the
     * bin table spans the exponents distances really take, as in a real run. */
    for (int k = 0; k <= PEAK_BINS; k++)
        d->edges[k] = 1e-4 + (sqrt(3.0) - 1e-4) * k / PEAK_BINS;
    return 0;
}

/* Best pairs/s of s over passes totalling at least min_time_s (and PEAK_MIN_PASSES). */
static int peak_rate(const struct pb_strategy *s, struct peak_data *d, size_t n,
                     enum pb_precision prec, double min_time_s, double *pps, struct pb_err *err)
{
    struct pb_problem p = {.n = n, .x = d->x, .y = d->y, .z = d->z, .precision = prec,
                           .xf = prec ? d->xf : NULL, .yf = prec ? d->yf : NULL,
                           .zf = prec ? d->zf : NULL, .output = PB_OUTPUT_HISTOGRAM,
                           .nbins = PEAK_BINS, .edges = d->edges, .scale = PB_BINS_LINEAR};
    struct pb_params k = {.threads = 1, .ranks = 1, .kv = d->kv, .nkv = d->nkv,
                          .tmpdir = pb_runner_tmp_root()};
    double best = INFINITY, spent = 0;
    for (int pass = 0; pass < PEAK_MIN_PASSES || spent < min_time_s; pass++) {
        struct pb_output out = {.counts = d->counts};
        memset(d->counts, 0, sizeof d->counts);
        double t0 = pb_now_s();
        int rc = s->run(&p, &k, &out);
        double t = pb_now_s() - t0;
        if (rc < 0)
            return pb_fail(err, rc, "limits: %s failed on %zu points: %s", s->name, n,
                           out.note[0] ? out.note : strerror(-rc));
        best = fmin(best, t);
        spent += t;
    }
    *pps = (double)n * (double)(n - 1) / 2 / best;
    return 0;
}

/* Both peak figures (double and float) into l. */
static int measure_peak(const struct pb_limits_opts *o, struct pb_limits *l, struct pb_err *err)
{
    const struct pb_strategy *s = pb_limits_kernel(o->strategy, err);
    struct peak_data d = {0};
    if (!s)
        return -EINVAL;
    snprintf(l->kernel, sizeof l->kernel, "%s", s->name);
    int rc = peak_init(&d, l->kernel_n, s);
    if (rc)
        rc = pb_fail(err, rc, "limits: no memory for %zu points", l->kernel_n);
    double t = o->min_time_s > 0 ? o->min_time_s : 0.3;
    if (!rc)
        rc = peak_rate(s, &d, l->kernel_n, PB_PRECISION_DOUBLE, t, &l->peak_pairs_per_s, err);
    if (!rc)
        rc = peak_rate(s, &d, l->kernel_n, PB_PRECISION_FLOAT, t, &l->peak_pairs_per_s_float,
                       err);
    peak_free(&d);
    return rc;
}

/* The four bandwidth figures into l. */
static int measure_bandwidth(struct pb_limits *l, struct pb_err *err)
{
    int rc = touched_gbs(l->bytes, 1, &l->store_gbs);
    if (!rc)
        rc = touched_gbs(l->bytes, l->threads_all, &l->store_gbs_all);
    if (!rc)
        rc = first_touch_gbs(l->touch_bytes, l->threads_all, 0, &l->first_touch_gbs);
    if (!rc)
        rc = first_touch_gbs(l->touch_bytes, l->threads_all, 1, &l->first_touch_huge_gbs);
    return rc ? pb_fail(err, rc, "limits: cannot map %zu bytes for the bandwidth passes",
                        l->bytes) : 0;
}

int pb_limits_measure_with(const struct pb_limits_opts *o, struct pb_limits *l,
                           struct pb_err *err)
{
    static const struct pb_limits_opts defaults = {0};
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (!o)
        o = &defaults;
    *l = (struct pb_limits){
        .bytes = o->bytes ? o->bytes : (size_t)1 << 30,
        .threads_all = o->threads_all > 0 ? o->threads_all : (online > 0 ? (int)online : 1),
        .kernel_n = o->kernel_n ? o->kernel_n : 1024,
    };
    l->touch_bytes = l->bytes / 4 / PB_HUGE_PAGE * PB_HUGE_PAGE;
    if (l->touch_bytes == 0)
        l->touch_bytes = l->bytes;
    if (l->kernel_n < 2)
        return pb_fail(err, -EINVAL, "limits: the peak needs at least 2 points, got %zu",
                       l->kernel_n);
    int rc = measure_bandwidth(l, err);
    if (rc)
        return rc;
    measure_fp(l);
    measure_bins(l);
    int slot = width_slot(l->vector_bits);
    l->arith_pairs_per_s = slot < 0 ? 0 : l->fp_ops_per_s[slot] / PB_D2_OPS;
    l->bound_pairs_per_s = pb_limits_pair_bound(l, PB_PRECISION_DOUBLE, 0, 0);
    snprintf(l->level, sizeof l->level, "%s", pb_kern_level_name(pb_kern_level()));
    return measure_peak(o, l, err);
}

int pb_limits_measure(struct pb_limits *l, struct pb_err *err)
{
    return pb_limits_measure_with(NULL, l, err);
}

double pb_limits_store_gbs(const struct pb_limits *l, int threads)
{
    if (threads <= 1)
        return l->store_gbs;
    if (threads >= l->threads_all)
        return l->store_gbs_all;
    return fmin(threads * l->store_gbs, l->store_gbs_all);
}

double pb_limits_pair_bound(const struct pb_limits *l, enum pb_precision prec, int periodic,
                            int bits)
{
    int slot = width_slot(bits ? bits : l->vector_bits);
    if (slot < 0)
        return 0;
    double ops = prec == PB_PRECISION_FLOAT ? l->fp_ops_per_s_float[slot] : l->fp_ops_per_s[slot];
    double arith = ops / (PB_D2_OPS + (periodic ? PB_MIN_IMAGE_OPS : 0));
    return arith > 0 && l->bin_incr_per_s > 0 ? fmin(arith, l->bin_incr_per_s) : 0;
}

double pb_limits_fraction(const struct pb_limits *l, enum pb_output_kind out, size_t n,
                          int threads, double wall_s, enum pb_precision prec, int periodic,
                          uint64_t evals)
{
    if (!(wall_s > 0) || threads < 1)
        return NAN;
    if (out == PB_OUTPUT_MATRIX) {
        double gbs = pb_limits_store_gbs(l, threads);
        double bytes = (double)n * (double)n * (prec == PB_PRECISION_FLOAT ? 4 : 8);
        return gbs > 0 ? bytes / (gbs * 1e9) / wall_s : NAN;
    }
    double bound = pb_limits_pair_bound(l, prec, periodic, 0);
    double pairs = evals ? (double)evals : n < 2 ? 0 : (double)n * (double)(n - 1) / 2;
    return bound > 0 ? pairs / wall_s / (bound * threads) : NAN;
}

void pb_limits_write_json(const struct pb_limits *l, FILE *f)
{
    fprintf(f, "{\"store_gbs\": %.6g, \"store_gbs_all\": %.6g, \"first_touch_gbs\": %.6g, "
            "\"first_touch_huge_gbs\": %.6g, \"peak_pairs_per_s\": %.6g, "
            "\"peak_pairs_per_s_float\": %.6g, \"threads_all\": %d, \"bytes\": %zu, "
            "\"touch_bytes\": %zu, \"kernel\": \"%s\", \"kernel_n\": %zu", l->store_gbs,
            l->store_gbs_all, l->first_touch_gbs, l->first_touch_huge_gbs, l->peak_pairs_per_s,
            l->peak_pairs_per_s_float, l->threads_all, l->bytes, l->touch_bytes, l->kernel,
            l->kernel_n);
    fprintf(f, ", \"arith_pairs_per_s\": %.6g", l->arith_pairs_per_s);
    fprintf(f, ", \"fp_ops_per_s\": {\"128\": %.6g, \"256\": %.6g, \"512\": %.6g}, "
            "\"fp_ops_per_s_float\": {\"128\": %.6g, \"256\": %.6g, \"512\": %.6g}, "
            "\"vector_bits\": %d, \"d2_ops_per_pair\": %d, \"min_image_ops_per_pair\": %d, "
            "\"bin_incr_per_s\": %.6g, \"bound_pairs_per_s\": %.6g, "
            "\"bound_pairs_per_s_float\": %.6g, \"bound_pairs_per_s_periodic\": %.6g, "
            "\"kernel_level\": \"%s\"}", l->fp_ops_per_s[0], l->fp_ops_per_s[1], l->fp_ops_per_s[2],
            l->fp_ops_per_s_float[0], l->fp_ops_per_s_float[1], l->fp_ops_per_s_float[2],
            l->vector_bits, PB_D2_OPS, PB_MIN_IMAGE_OPS, l->bin_incr_per_s, l->bound_pairs_per_s,
            pb_limits_pair_bound(l, PB_PRECISION_FLOAT, 0, 0),
            pb_limits_pair_bound(l, PB_PRECISION_DOUBLE, 1, 0), l->level);
}

/* The pair-rate part of the table: (a) per width, (b), the bounds, the kernel check. */
static void print_pairs(const struct pb_limits *l, FILE *f)
{
    for (int bits = 512; bits >= 128; bits /= 2) {
        int k = width_slot(bits);
        if (l->fp_ops_per_s[k] > 0)
            fprintf(f, "d2 arithmetic, %3d-bit, 1 core      %8.3g ops/s  (%.3g float; %.3g "
                    "pairs/s at %d ops)\n", bits, l->fp_ops_per_s[k], l->fp_ops_per_s_float[k],
                    l->fp_ops_per_s[k] / PB_D2_OPS, PB_D2_OPS);
    }
    fprintf(f, "histogram increments, L1, 1 core     %8.3g /s\n", l->bin_incr_per_s);
    fprintf(f, "pair-rate bound, double, 1 core       %8.3g pairs/s  (min of the two, %d-bit; "
            "periodic %.3g)\n", l->bound_pairs_per_s, l->vector_bits,
            pb_limits_pair_bound(l, PB_PRECISION_DOUBLE, 1, 0));
    fprintf(f, "pair-rate bound, float, 1 core        %8.3g pairs/s\n",
            pb_limits_pair_bound(l, PB_PRECISION_FLOAT, 0, 0));
    fprintf(f, "kernel peak, double, 1 thread         %8.3g pairs/s  (%s at %s, %zu points; "
            "%.0f%% of the bound)\n", l->peak_pairs_per_s, l->kernel, l->level, l->kernel_n,
            l->bound_pairs_per_s > 0 ? 100 * l->peak_pairs_per_s / l->bound_pairs_per_s : 0);
    fprintf(f, "kernel peak, float, 1 thread          %8.3g pairs/s\n",
            l->peak_pairs_per_s_float);
}

void pb_limits_print(const struct pb_limits *l, FILE *f)
{
    double mib = (double)l->bytes / (1 << 20);
    fprintf(f, "store, touched memory, 1 thread       %8.2f GB/s   (%.0f MiB buffer)\n",
            l->store_gbs, mib);
    fprintf(f, "store, touched memory, %2d threads     %8.2f GB/s\n", l->threads_all,
            l->store_gbs_all);
    fprintf(f, "first touch, %2d threads               %8.2f GB/s   (%.0f MiB mappings)\n",
            l->threads_all, l->first_touch_gbs, (double)l->touch_bytes / (1 << 20));
    fprintf(f, "first touch, huge pages, %2d threads   %8.2f GB/s\n", l->threads_all,
            l->first_touch_huge_gbs);
    print_pairs(l, f);
}
