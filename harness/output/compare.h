/* compare.h — two result sets side by side: per (strategy, params, output, n, threads, ranks,
 * precision), the ratio of median wall times new/old with a bootstrap interval and a
 * Mann-Whitney U test, and a verdict a CI job can gate on. Only counted runs (kind "run") take
 * part; runs whose status is not ok are counted, never timed. */
#ifndef PAIRBENCH_COMPARE_H
#define PAIRBENCH_COMPARE_H

#include "error.h"
#include "results.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum pb_cmp_verdict {
    PB_CMP_SAME = 0,                 /* not significant, or within the threshold */
    PB_CMP_SLOWER = 1,               /* p < alpha and ratio > 1 + threshold */
    PB_CMP_FASTER = 2,               /* p < alpha and ratio < 1 - threshold */
    PB_CMP_ONLY_OLD = 3,             /* no run of this key in NEW */
    PB_CMP_ONLY_NEW = 4,             /* no run of this key in OLD */
    PB_CMP_FAILED = 5,               /* OLD has ok runs, NEW only failed ones */
    PB_CMP_NO_OK_RUN = 6,            /* neither side has an ok run of this key (NEW has failed
                                        ones): fails the gate like PB_CMP_FAILED */
    PB_CMP_INCONCLUSIVE = 7          /* neither slower nor faster, but the ratio's interval
                                        reaches across 1 + threshold (or 1 - threshold): the
                                        runs cannot tell "same" from a change that matters */
};

struct pb_cmp_opts {
    double threshold;                /* relative slowdown tolerated, e.g. 0.05 */
    double alpha;                    /* significance level of the test, e.g. 0.05 */
    uint64_t seed;                   /* bootstrap seed, so a comparison repeats */
};

#define PB_CMP_OPTS_DEFAULT { .threshold = 0.05, .alpha = 0.05, .seed = 0x5eedc0de }

struct pb_cmp_result {
    struct pb_row key;               /* strategy..precision of the key (a copy of one row) */
    size_t runs_old, runs_new;       /* ok runs compared */
    size_t failed_old, failed_new;   /* runs whose status was not ok */
    double old_median, new_median;   /* seconds; NAN when that side has no ok run */
    double ratio;                    /* new_median / old_median; NAN unless both sides ran */
    double ratio_lo, ratio_hi;       /* 95% bootstrap interval of the ratio */
    double p;                        /* two-sided Mann-Whitney p; NAN unless both sides ran */
    double p_min;                    /* smallest p these sample sizes can give (exact test) */
    enum pb_cmp_verdict verdict;
};

/* Matches the kind "run" rows of old[] and new[] by key and fills *res (malloc'd, sorted by
 * key; the caller frees it). Returns 0 or -ENOMEM. */
int pb_compare_rows(const struct pb_row *old, size_t nold, const struct pb_row *new,
                    size_t nnew, const struct pb_cmp_opts *o, struct pb_cmp_result **res,
                    size_t *nres);

/* Reads both CSV files and compares them. Returns 0, or -errno with err naming the file and
 * line that could not be read. */
int pb_compare_files(const char *old_path, const char *new_path, const struct pb_cmp_opts *o,
                     struct pb_cmp_result **res, size_t *nres, struct pb_err *err);

/* The verdict as printed: "same", "slower", "faster", "only in OLD", "only in NEW",
 * "failed in NEW", "no ok run", "inconclusive". */
const char *pb_compare_verdict_name(enum pb_cmp_verdict v);

/* Number of results with verdict v. */
size_t pb_compare_count(const struct pb_cmp_result *res, size_t n, enum pb_cmp_verdict v);

/* Writes the comparison as an aligned table, one key a line, then a totals line (and a note
 * when the sample sizes cannot reach alpha), to f. Returns 0 or -EIO. */
int pb_compare_write_table(FILE *f, const struct pb_cmp_result *res, size_t n,
                           const struct pb_cmp_opts *o);

/* Whether a comparison may pass a gate: 0 when it may, else -ENODATA with why in err: a file
 * without one ok counted run (empty, header only, all failed), or no key with ok runs on both
 * sides. A gate must never pass on nothing. */
int pb_compare_gate_data(const struct pb_cmp_result *res, size_t n, const char *old_path,
                         const char *new_path, struct pb_err *err);

/* Notes on two result sets, one line each. */
#define PB_CMP_MAX_NOTES 32
struct pb_cmp_notes {
    char text[PB_CMP_MAX_NOTES][384];
    size_t n;                        /* lines used; a line past the last says how many more */
};

/* What the two result sets' NAME.json files (beside each CSV) say about comparing them. */
struct pb_cmp_context {
    struct pb_cmp_notes workload;    /* how the workloads differ ("input.seed: 42 in OLD, 43 in
                                        NEW"): the comparison is refused when any does */
    struct pb_cmp_notes warnings;    /* where or how they were measured differs (CPU, kernel
                                        level, compiler, commit, plugin builds), or what could
                                        not be checked (no NAME.json, no workload record) */
};

/* The NAME.json beside a result CSV: the path with ".csv" replaced by ".json" (or ".json"
 * appended) into buf. Returns buf. */
char *pb_compare_meta_path(const char *csv_path, char *buf, size_t cap);

/* Reads the NAME.json beside each CSV and fills ctx (zeroed first): differences of the
 * "workload" objects (input kind, seed, box or file hash, output, bins, precision, periodic),
 * and warnings for differences of cpu model/family/model number, kernel_level, compiler,
 * git commit or dirtiness, and the plugins' hashes and builds. A missing or unreadable
 * NAME.json, or one without a workload record, is a warning: nothing is known to differ. */
void pb_compare_context(const char *old_csv, const char *new_csv, struct pb_cmp_context *ctx);

/* Writes the comparison as one JSON document to f: the files, options, the warnings, every
 * key (numbers that do not exist are null) and the totals. Returns 0 or -EIO/-ENOMEM. */
int pb_compare_write_json(FILE *f, const char *old_path, const char *new_path,
                          const struct pb_cmp_result *res, size_t n, const struct pb_cmp_opts *o,
                          const struct pb_cmp_context *ctx);

#endif
