/* summary.h — NAME_summary.csv: one row per (strategy, params, output, n, threads, ranks) over the
 * counted runs (kind "run"), plus one per overhead point (kind "overhead", n = 0).
 *
 * Columns, in this order:
 *   strategy,params,output,n,threads,runs,wall_min_s,wall_median_s,wall_mean_s,wall_stddev_s,
 *   wall_ci95_lo_s,wall_ci95_hi_s,peak_rss_kib,speedup,efficiency,
 *   kind,ranks,precision,cv,mad_outliers,flag,maxrss_kib,cgroup_peak_kib,pairs_per_s,
 *   verified,failed,fraction_of_limit,build_median_s,evals_per_pair
 * peak_rss_kib is the median of the runs' peaks; speedup is the same strategy+params+output+n at its
 * lowest thread count divided by this median; efficiency = speedup / threads; flag is "" or a
 * reason ("cv 7.2% > 5%", "2 MAD outliers"); verified is "yes" only when every run verified;
 * failed counts runs whose status was not ok; verified reads "yes (kdtree)" when every run was
 * checked by that independent method. build_median_s is the median over ok runs of the time a
 * spatial strategy spent building its structure (already part of the wall times: reported on its
 * own so the structure's cost shows); evals_per_pair the median of dist_evals / pairs_counted,
 * distance evaluations per pair counted within the last edge (1 for brute force with every pair
 * in range; a cell list of side rmax about 6); both empty where a strategy reports none.
 */
#ifndef PAIRBENCH_SUMMARY_H
#define PAIRBENCH_SUMMARY_H

#include "error.h"
#include "results.h"

#include <stdio.h>

/* Writes the summary of rows[0..nrows) to path (replacing it); a row whose label begins with
 * =, +, - or @ (a spreadsheet formula; bench never writes one) is refused. Each flagged row is
 * also described in one line on warn (when non-NULL). Returns 0 or -errno with err filled. */
int pb_summary_write(const struct pb_row *rows, size_t nrows, const char *path, FILE *warn,
                     struct pb_err *err);

#endif
