/* summary.h — NAME_summary.csv: one row per (strategy, params, output, n, threads, ranks) over the
 * counted runs (kind "run"), plus one per overhead point (kind "overhead", n = 0).
 *
 * The columns, in order, are PB_SUMMARY_COLUMNS below. peak_rss_kib is the median of the runs'
 * peaks; speedup is the same strategy+params+output+n at its lowest thread count divided by this
 * median; efficiency = speedup / threads; flag is "" or the reasons ("cv 7.2% > 5%", "2 MAD
 * outliers", "busy 2/3 runs": ok runs that shared their CPUs with other processes, "capped: 2
 * CPUs for 4 threads": threads x ranks above the CPUs the runs could use, see cpuload.h;
 * "skipped: REASON" for a point no run of which started); verified is "yes" only when every run
 * verified; failed counts runs whose status was neither ok nor skipped (a skipped run is counted
 * apart); verified reads "yes (kdtree)" when every run was checked by that independent method.
 * build_median_s is the median over ok runs of the time a spatial strategy spent building its
 * structure (already part of the wall times: reported on its own so the structure's cost shows);
 * evals_per_pair the median of dist_evals / pairs_counted, distance evaluations per pair counted
 * within the last edge (1 for brute force with every pair in range; a cell list of side rmax
 * about 6); both empty where a strategy reports none.
 */
#ifndef PAIRBENCH_SUMMARY_H
#define PAIRBENCH_SUMMARY_H

#include "csv.h"
#include "error.h"
#include "results.h"

#include <stdio.h>

/* NAME_summary.csv's columns in file order, X(name, format): format is how a
 * number column is written (printf, of a double; a non-finite value is written ""), NULL for a
 * text column (quoted when needed). LAST is the last one. The writer, PB_SUMMARY_HEADER,
 * enum pb_sum_col and every reader's look-up are made from it. */
#define PB_SUMMARY_COLUMNS(X, LAST) \
    X(strategy, NULL) X(params, NULL) X(output, NULL) X(n, "%.0f") X(threads, "%.0f") \
    X(runs, "%.0f") X(wall_min_s, "%.9g") X(wall_median_s, "%.9g") X(wall_mean_s, "%.9g") \
    X(wall_stddev_s, "%.9g") X(wall_ci95_lo_s, "%.9g") X(wall_ci95_hi_s, "%.9g") \
    X(peak_rss_kib, "%.9g") X(speedup, "%.6g") X(efficiency, "%.6g") X(kind, NULL) \
    X(ranks, "%.0f") X(precision, NULL) X(cv, "%.4g") X(mad_outliers, "%.0f") X(flag, NULL) \
    X(maxrss_kib, "%.9g") X(cgroup_peak_kib, "%.9g") X(pairs_per_s, "%.6g") X(verified, NULL) \
    X(failed, "%.0f") X(fraction_of_limit, "%.4g") X(build_median_s, "%.9g") \
    LAST(evals_per_pair, "%.4g")

/* The header line of NAME_summary.csv (without its newline). */
#define PB_SUM_NAME_(name, format) #name ","
#define PB_SUM_LAST_(name, format) #name
#define PB_SUMMARY_HEADER PB_SUMMARY_COLUMNS(PB_SUM_NAME_, PB_SUM_LAST_)

/* A column of NAME_summary.csv: PB_SUM_<name>, in file order. */
enum pb_sum_col {
#define PB_SUM_ENUM_(name, format) PB_SUM_##name,
    PB_SUMMARY_COLUMNS(PB_SUM_ENUM_, PB_SUM_ENUM_)
#undef PB_SUM_ENUM_
    PB_SUM_COUNT
};

/* The name of column PB_SUM_<name> as a string literal, for text built at compile time (the
 * gnuplot scripts); pb_summary_name gives it at run time. */
#define PB_SUM_TEXT(name) #name

/* The header name of column c. */
const char *pb_summary_name(enum pb_sum_col c);

/* Writes the summary of rows[0..nrows) to path (replacing it); a row whose label begins with
 * =, +, - or @ (a spreadsheet formula; bench never writes one) is refused. Each flagged row is
 * also described in one line on warn (when non-NULL). Returns 0 or -errno with err filled. */
int pb_summary_write(const struct pb_row *rows, size_t nrows, const char *path, FILE *warn,
                     struct pb_err *err);

/* Reads DIR/NAME_summary.csv into t (release with pb_table_free); path (cap >= 4096 bytes) gets
 * its path. Returns 0, or -errno with err naming the file (-ENOENT: no summary), or
 * -ENAMETOOLONG when DIR and NAME leave no room for the result set's file names. */
int pb_summary_read(const char *dir, const char *name, struct pb_table *t, char *path,
                    size_t cap, struct pb_err *err);

/* Index in summary table t of column c, or -1 when t lacks it. */
int pb_summary_col(const struct pb_table *t, enum pb_sum_col c);

/* Cell (row, c) of summary table t; "" when t lacks the column. */
const char *pb_summary_get(const struct pb_table *t, size_t row, enum pb_sum_col c);

/* 1 when summary row r is a counted point: not the overhead point, n > 0. */
int pb_summary_counted(const struct pb_table *t, size_t r);

/* Runs of summary row r whose status was not ok (its failed column). */
int pb_summary_failed(const struct pb_table *t, size_t r);

/* 1 when summary row r is a point none of whose runs started: no ok run, none failed, and its
 * flag gives the skip's reason. */
int pb_summary_skipped(const struct pb_table *t, size_t r);

/* 1 when summary row r has a verified column that does not say it verified (pb_verified_ok). */
int pb_summary_unverified(const struct pb_table *t, size_t r);

#endif
