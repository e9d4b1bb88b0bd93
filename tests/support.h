/* support.h — helpers shared by the tests: cmocka's required includes, scratch directories,
 * running bench as a subprocess, and small problems built in memory. */
#ifndef PAIRBENCH_TEST_SUPPORT_H
#define PAIRBENCH_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "strategy.h"

/* A fresh empty directory under the build's testtmp/, named after tag; returns a static path. */
const char *pbt_tmpdir(const char *tag);

/* Runs "PB_BENCH_PATH args..." through the shell with stdout+stderr captured into *output
 * (malloc'd, NUL-terminated). Returns the exit status (or 128+signal). */
int pbt_bench(char **output, const char *args_fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reads a whole file into a malloc'd NUL-terminated string, or NULL. */
char *pbt_slurp(const char *path);

/* Writes text to path; fails the test on error. */
void pbt_write(const char *path, const char *text);

/* ---- one run of a strategy on a small problem (the runner and memory tests) ---- */

struct pb_measure;
struct pb_reference;

#define PBT_NB 32                      /* histogram bins of a pbt_prob */

/* A problem with its own storage. */
struct pbt_prob {
    struct pb_problem p;
    double *x, *y, *z;                 /* the points */
    double edges[PBT_NB + 1];          /* the bin edges */
};

/* n uniform points in a 1000-side cube (a fixed seed); PBT_NB linear bins over [0.1, 1750). */
void pbt_prob_make(struct pbt_prob *q, size_t n, enum pb_output_kind out);

/* Frees what pbt_prob_make allocated. */
void pbt_prob_free(struct pbt_prob *q);

/* Runs strategy name on q with threads and "k=v" overrides (NULL-terminated pairs) of its
 * declared parameters' defaults, verifying against ref when given. Returns pb_runner_run's. */
int pbt_run(const char *name, const struct pbt_prob *q, int threads, const char *const *over,
            const struct pb_reference *ref, double timeout_s, struct pb_measure *m);

/* The run left no child of this process behind, zombie or alive. */
void pbt_assert_no_children(void);

#endif
