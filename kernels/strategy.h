/* strategy.h — the one header a pairbench strategy includes, in-tree or as a plugin.
 *
 * A strategy computes one all-pairs problem (struct pb_problem) with the workers it is given
 * (struct pb_params) and leaves the answer in struct pb_output. It knows nothing of JSON, CSV
 * or memory accounting, and times only what the harness cannot see from outside (a spatial
 * structure's build_s, a distributed run's self_wall_s): the harness does the rest around one
 * call of ->run. The inner loops strategies share are in pairkern.h.
 *
 * The ops struct is versioned like sqlite3_vfs.iVersion: the harness refuses a strategy whose
 * abi_version differs from the PB_STRATEGY_ABI it was built with. Change the layout of any
 * struct below and bump PB_STRATEGY_ABI. ABI 3 added struct pb_build_info (end of this file)
 * and the type and range of struct pb_param_spec; ABI 4 the cost model (struct pb_cost).
 */
#ifndef PAIRBENCH_STRATEGY_H
#define PAIRBENCH_STRATEGY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PB_STRATEGY_ABI 4

enum pb_output_kind {
    PB_OUTPUT_MATRIX = 0,            /* full n*n row-major distance matrix */
    PB_OUTPUT_HISTOGRAM = 1          /* counts of unique pairs i<j per distance bin */
};

enum pb_precision {
    PB_PRECISION_DOUBLE = 0,         /* compute and store in double */
    PB_PRECISION_FLOAT = 1           /* compute in float from xf/yf/zf; matrix holds float */
};

/* How the histogram's edges were made. A strategy bins by the edges[] it is given and never
 * rebuilds them from the scale: the harness computes them once, the same for every strategy,
 * bit for bit as NumPy would (harness/input/problem.h, pb_edges_make). */
enum pb_bin_scale {
    PB_BINS_LINEAR = 0,              /* numpy.linspace(lo, hi, nbins+1): edges[k] =
                                        k * ((hi - lo) / nbins) + lo, edges[nbins] = hi */
    PB_BINS_LOG = 1,                 /* numpy.geomspace(lo, hi, nbins+1): edges[k] = pow(10,
                                        k * ((log10(hi) - log10(lo)) / nbins) + log10(lo)),
                                        edges[0] = lo, edges[nbins] = hi */
    PB_BINS_EXPLICIT = 2             /* listed by the user, used exactly as written */
};

/* The problem, read-only for the strategy. n == 0 is the empty-work problem the harness uses to
 * measure fixed costs: a strategy must still start and stop its workers for it. The harness
 * hands the problem, its arrays and the params below in read-only pages no process can make
 * writable: a write into them kills the run ("crashed: wrote into its input points"). */
struct pb_problem {
    size_t n;                        /* number of points (0: empty work, see above) */
    const double *x, *y, *z;         /* coordinates, structure of arrays, n each */
    const float *xf, *yf, *zf;       /* the same rounded to float; read only for float */
    enum pb_precision precision;     /* which arrays to use and what the matrix holds */
    double box;                      /* periodic box side: minimum-image distances; 0 = open */
    enum pb_output_kind output;      /* what to compute */
    size_t nbins;                    /* histogram: number of bins */
    const double *edges;             /* histogram: nbins+1 strictly increasing edges; bin k
                                        is [edges[k], edges[k+1]) */
    enum pb_bin_scale scale;         /* histogram: how the edges were made (information only) */
};

/* One strategy parameter as a string pair; values are validated against the spec first. */
struct pb_kv {
    const char *key;                 /* a name from the strategy's params[] */
    const char *value;               /* its value, or the spec's default when not configured */
};

/* How the strategy may run. */
struct pb_params {
    int threads;                     /* workers (threads or processes) to use, >= 1 */
    int ranks;                       /* MPI ranks for distributed strategies; 1 otherwise */
    int pin;                         /* 1: pin worker w to the w-th CPU the caller may use
                                        (modulo their count) */
    const struct pb_kv *kv;          /* every declared parameter, defaults filled in */
    size_t nkv;                      /* entries in kv */
    const char *tmpdir;              /* a private directory, removed by the harness afterwards */
};

/* The answer. The harness zeroes counts before the call and releases the matrix after it. */
struct pb_output {
    void *matrix;                    /* matrix: n*n row-major (double or float per precision),
                                        set by the strategy, from an mmap of matrix_bytes */
    size_t matrix_bytes;             /* length of that mapping; the harness munmaps it */
    uint64_t *counts;                /* histogram: nbins counters, zeroed by the harness */
    double self_wall_s;              /* > 0: the strategy timed its own compute (distributed
                                        runs: the slowest rank, between barriers); reported as
                                        wall_s instead of the harness's time around ->run */
    long rank_max_kib;               /* distributed runs: largest peak RSS of one rank, else 0 */
    long rank_sum_kib;               /* distributed runs: peak RSS summed over ranks, else 0 */
    char note[256];                  /* why the run failed or was skipped, set by the strategy */
    /* Added in ABI 2, for strategies that build a spatial structure (grid, tree): */
    double build_s;                  /* > 0: seconds spent building it, inside the timed call
                                        (part of wall_s, also reported on its own) */
    uint64_t dist_evals;             /* > 0: pair distances the strategy evaluated (work
                                        efficiency: evaluations per counted pair); 0 = unknown */
};

/* What a parameter's value must be (struct pb_param_spec.type). */
enum pb_param_type {
    PB_PARAM_TEXT = 0,               /* any text, or one of choices when it has some */
    PB_PARAM_INT = 1,                /* a decimal integer from min to max */
    PB_PARAM_NUMBER = 2              /* a finite decimal number from min to max */
};

/* A declared strategy parameter: shown by `bench --list`, checked when a config or `bench
 * compute --param` gives a value (before anything runs or is written), so a strategy reads
 * only values its spec allows. */
struct pb_param_spec {
    const char *name;                /* key in the config's strategy object; NULL ends the list */
    const char *def;                 /* default value as a string */
    const char *choices;             /* "shm|pipe" for an enumeration, NULL for free text */
    const char *help;                /* one line for --list */
    /* Added in ABI 3: the type and inclusive range a value is checked against at load. */
    int type;                        /* enum pb_param_type; 0 (text) when not set */
    double min, max;                 /* PB_PARAM_INT/NUMBER: inclusive range; -HUGE_VAL or
                                        HUGE_VAL for no bound */
};

enum {
    PB_SERIAL = 1u << 0,             /* ignores threads: runs once per n, at threads = 1 */
    PB_EXTERNAL = 1u << 1,           /* runs an external program (its processes count too);
                                        never a verification reference or the limits kernel */
    PB_DISTRIBUTED = 1u << 2,        /* swept over the config's ranks as well as threads; runs
                                        outside the harness process, like PB_EXTERNAL */
    PB_HISTOGRAM_ONLY = 1u << 3      /* pair counts only (spatial strategies): a matrix run
                                        returns -ENOTSUP with a note and its row reads
                                        "skipped: <note>"; never a matrix config's reference */
};

/* Which pairs a strategy evaluates, for the harness's time model (struct pb_cost.model). */
enum pb_cost_model {
    PB_COST_ALL_PAIRS = 0,           /* every unique pair, n(n-1)/2 (brute force) */
    PB_COST_NEAR_PAIRS = 1           /* histogram runs: about the pairs within the last edge
                                        (a cell list or tree): 6.4 times those of points
                                        uniform in the input's volume, plus 10 a point for
                                        the structure; matrix runs: every pair */
};

/* Seconds per pair evaluation, as a multiple of serial naive's (struct pb_cost.pair_cost). */
#define PB_PAIR_COST_NAIVE 1.0       /* naive: one distance and a binary search per pair */
#define PB_PAIR_COST_TILE 0.1        /* the tile kernels of pairkern.h, per worker */

/* What the harness's time model charges for a run (ETAs, default timeouts, and the runs an
 * explicit timeout_s skips): the pairs `model` says at 2e7 / pair_cost pairs a second per
 * worker (threads x ranks). The model sizes plans; it never changes a result. An estimate is
 * trusted to skip a run beyond timeout_s only when it counts every pair at a known cost:
 * PB_COST_ALL_PAIRS with a pair_cost > 0 (declared, or from pair_cost_of). */
struct pb_cost {
    int model;                       /* enum pb_cost_model; 0: every pair */
    double pair_cost;                /* seconds per pair as a multiple of serial naive's
                                        (PB_PAIR_COST_*); 0: unknown (an external program),
                                        estimated at PB_PAIR_COST_TILE, never skips a run */
    /* Optional: the pair cost the run's parameters state (exec's cost_factor), replacing
     * pair_cost when > 0; 0 when they state none. NULL: pair_cost alone. */
    double (*pair_cost_of)(const struct pb_params *prm);
};

struct pb_strategy {
    int abi_version;                 /* PB_STRATEGY_ABI at build time */
    const char *name;                /* name in configs, CSV and --list */
    const char *summary;             /* one line for --list */
    unsigned flags;                  /* PB_SERIAL, PB_EXTERNAL, PB_DISTRIBUTED, PB_HISTOGRAM_ONLY */
    const struct pb_param_spec *params;  /* declared parameters, or NULL for none */
    /* Computes p into out with prm's workers. Returns 0, or a negative errno on failure
     * (out->note may say why); -ENOTSUP means "cannot run here" and the row reads
     * "skipped: <note>". */
    int (*run)(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out);
    /* Optional: bytes the run allocates beyond the output itself (copies, buffers), for the
     * memory guard. NULL means none. */
    size_t (*extra_bytes)(const struct pb_problem *p, const struct pb_params *prm);
    /* Added in ABI 4: what the time model charges for a run (see struct pb_cost). */
    struct pb_cost cost;
};

/* The value of parameter key, or NULL when the strategy did not declare it. */
static inline const char *pb_param(const struct pb_params *prm, const char *key)
{
    for (size_t i = 0; i < prm->nkv; i++)
        if (strcmp(prm->kv[i].key, key) == 0)
            return prm->kv[i].value;
    return NULL;
}


/* ---------------------------------------------------------------------------------------------
 * How a translation unit was compiled (ABI 3). Timings of a plugin built at -O0, or for a lower
 * instruction set than the built-in kernels, are not comparable with theirs, and nothing in the
 * library's file says so. So every file that includes this header defines
 * pb_plugin_build_info from its own predefined macros (__OPTIMIZE__, the ISA macros,
 * __VERSION__) as a weak, exported object: one per library (the linker keeps one when several
 * files define it), read by the loader with dlsym and recorded in NAME.json and the report.
 */
enum pb_build_isa {
    PB_ISA_OTHER = 0,                /* not x86-64, or not known */
    PB_ISA_SSE2 = 1,                 /* the x86-64 baseline */
    PB_ISA_AVX = 2,                  /* __AVX__ */
    PB_ISA_AVX2 = 3,                 /* __AVX2__ (x86-64-v3) */
    PB_ISA_AVX512 = 4                /* __AVX512F__ (x86-64-v4) */
};

struct pb_build_info {
    int abi_version;                 /* PB_STRATEGY_ABI of the header it was compiled with */
    int optimized;                   /* 1: __OPTIMIZE__ (-O1 and above), 0: -O0 */
    int isa;                         /* enum pb_build_isa: the widest vector ISA compiled for */
    int fast_math;                   /* 1: __FAST_MATH__ (results may not verify) */
    const char *compiler;            /* __VERSION__, e.g. "12.2.0" or "Debian Clang 14.0.6" */
};

#if defined(__AVX512F__)
#define PB_BUILD_ISA PB_ISA_AVX512
#elif defined(__AVX2__)
#define PB_BUILD_ISA PB_ISA_AVX2
#elif defined(__AVX__)
#define PB_BUILD_ISA PB_ISA_AVX
#elif defined(__x86_64__)
#define PB_BUILD_ISA PB_ISA_SSE2
#else
#define PB_BUILD_ISA PB_ISA_OTHER
#endif
#if defined(__OPTIMIZE__)
#define PB_BUILD_OPTIMIZED 1
#else
#define PB_BUILD_OPTIMIZED 0
#endif
#if defined(__FAST_MATH__)
#define PB_BUILD_FAST_MATH 1
#else
#define PB_BUILD_FAST_MATH 0
#endif
#if defined(__VERSION__)
#define PB_BUILD_COMPILER __VERSION__
#else
#define PB_BUILD_COMPILER "unknown"
#endif

/* The build info of the file being compiled, as an initializer. */
#define PB_BUILD_INFO_INIT { .abi_version = PB_STRATEGY_ABI, .optimized = PB_BUILD_OPTIMIZED,    \
                             .isa = PB_BUILD_ISA, .fast_math = PB_BUILD_FAST_MATH,              \
                             .compiler = PB_BUILD_COMPILER }

#if defined(__GNUC__) && !defined(PB_NO_BUILD_INFO)
__attribute__((weak, used, visibility("default"))) const struct pb_build_info
    pb_plugin_build_info = PB_BUILD_INFO_INIT;
#endif

#endif
