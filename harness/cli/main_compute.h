/* main_compute.h — what `bench compute` (main_compute.c) hands to the code that saves its
 * answer (main_compute_save.c): the parsed arguments and what was computed. Internal to
 * harness/cli. */
#ifndef PAIRBENCH_MAIN_COMPUTE_H
#define PAIRBENCH_MAIN_COMPUTE_H

#include "compute.h"
#include "strategy.h"

#include <stddef.h>
#include <stdint.h>

#define PB_COMPUTE_NPY_RECORD "[('lo', '<f8'), ('hi', '<f8'), ('count', '<u8')]"

enum save_format { FORMAT_DEFAULT, FORMAT_CSV, FORMAT_NPY };

/* One bin of a histogram saved with --format npy: a record of NPY_RECORD (24 bytes). */
struct npy_bin {
    double lo, hi;
    uint64_t count;
};
_Static_assert(sizeof(struct npy_bin) == 24, "NPY_RECORD has no padding");

/* The parsed command line. */
struct compute_args {
    const char *points, *strategy, *save; /* required paths; the name, "auto" by default */
    int threads;                     /* >= 1; 0 until given or defaulted (pb_compute_default_threads) */
    int format;                      /* enum save_format */
    int output;                      /* enum pb_output_kind, -1 until given */
    double min, max;                 /* --bins range */
    size_t count;                    /* --bins count; 0: not given */
    enum pb_bin_scale scale;
    const char *edges;               /* --edges as given (a list or a file), or NULL */
    double box;                      /* 0: open */
    int single;                      /* --float */
    int force;                       /* --force: --save may replace an existing file */
    char *kv_text[PB_COMPUTE_MAX_PARAMS];       /* "KEY=VALUE" as given (argv storage) */
    char sidecar[4096];              /* matrix or npy: SAVE.json, the description; else "" */
    char chosen[256];                /* --strategy auto: what it chose and why; else "" */
    size_t nkv_text;
};

/* What was computed, for the saved file to describe itself: the strategy and its resolved
 * parameters beside the arguments and the problem. */
struct computed {
    const struct compute_args *a;
    const struct pb_strategy *s;
    const struct pb_params *k;       /* threads and every parameter, defaults included */
    const struct pb_problem *p;
};

/* Writes the answer of a successful run to tmp, the private file beside --save that the caller
 * moves into place, and for a .npy its description to tmp_json (the same beside SAVE.json):
 * CSV with '#' description lines, a structured .npy of (lo, hi, count) records, or the
 * matrix as .npy (float32 with --float when the strategy made one). Returns 0 or -errno
 * (printed). */
int pb_compute_save(const char *tmp, const char *tmp_json, const struct computed *c,
                    const struct pb_output *out);

#endif
