/* experiment.h — one experiment as loaded from a JSON config (harness/config.c is the only file
 * that reads JSON). Everything downstream (plan, runner, results) sees this struct, never JSON. */
#ifndef PAIRBENCH_EXPERIMENT_H
#define PAIRBENCH_EXPERIMENT_H

#include "error.h"
#include "strategy.h"

#include <stddef.h>
#include <stdint.h>

enum pb_input_kind {
    PB_INPUT_UNIFORM = 0,            /* uniform in a cube [0, box)^3 from a seed */
    PB_INPUT_CLUSTERED = 1,          /* Gaussian haloes around random centres, from a seed */
    PB_INPUT_FILE = 2                /* "x y z" per line from a file */
};

enum pb_order {
    PB_ORDER_RANDOM = 0,             /* runs of one n shuffled with order_seed (default) */
    PB_ORDER_CONFIG = 1              /* runs in the config's order */
};

/* One entry of "strategies": a registered strategy with its parameters resolved. */
struct pb_strategy_cfg {
    const struct pb_strategy *strategy;  /* from the registry */
    char *label;                     /* name in CSV and figures: "label" or the strategy name */
    struct pb_kv *kv;                /* every declared parameter, defaults filled (owned) */
    size_t nkv;
    char *params;                    /* canonical "k=v;k=v" of the configured ones, "" if none */
};

struct pb_input {
    enum pb_input_kind kind;
    uint64_t seed;                   /* uniform, clustered */
    double box;                      /* side of the cube the points lie in (uniform, clustered) */
    char *path;                      /* file: as usable from the working directory (a relative
                                        path in the config is joined to the config's folder) */
};

struct pb_bins {
    double min, max;                 /* first and last edge */
    size_t count;                    /* number of bins */
    enum pb_bin_scale scale;
};

struct pb_experiment {
    char *name;                      /* results are DIR/<name>.csv etc. */
    char *description;               /* "description", or NULL */
    char *path;                      /* the config file as given */
    char *dir;                       /* its folder: relative paths in the config start here */
    char *text;                      /* the config file's bytes, NUL-terminated */
    char hash[17];                   /* FNV-1a 64 of text, hex: keys --resume */
    struct pb_input input;
    enum pb_output_kind output;
    struct pb_bins bins;             /* histogram only */
    enum pb_precision precision;     /* "precision": "double" (default) or "float" */
    double periodic;                 /* "periodic": box side for minimum-image; 0 = open */
    size_t *sizes;                   /* n values, ascending as configured */
    size_t nsizes;
    int *threads;                    /* thread counts ("all" expands to the online cores) */
    size_t nthreads;
    int *ranks;                      /* MPI rank counts; {1} when not configured */
    size_t nranks;
    int repeats;                     /* counted runs per point, >= 1 */
    int warmup;                      /* uncounted runs per point before them, >= 0 */
    double timeout_s;                /* per run; 0 = none */
    int timeout_set;                 /* 1: the config gave timeout_s; 0: the sweep derives one
                                        per run from its time estimate (pb_sweep_timeout_s) */
    int pin;                         /* "pin": "none" (0) or "cores" (1) */
    enum pb_order order;
    uint64_t order_seed;
    int overhead;                    /* 1: also measure empty-work runs (default 1) */
    int limits;                      /* 1: measure the machine limits first (default 0) */
    struct pb_strategy_cfg *strategies;
    size_t nstrategies;
    char **plugins;                  /* shared libraries loaded before strategies resolve */
    size_t nplugins;
};

/* Loads and validates the config at path into e (zeroed first). On error returns -EINVAL (or
 * -errno for I/O) with one message in err of the form "FILE:LINE:COL: FIELD: what is wrong". */
int pb_config_load(const char *path, struct pb_experiment *e, struct pb_err *err);

/* Releases everything pb_config_load allocated; safe on a zeroed or half-filled struct. */
void pb_experiment_free(struct pb_experiment *e);

#endif
