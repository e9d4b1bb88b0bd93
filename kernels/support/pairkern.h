/* pairkern.h — the inner loops every strategy shares, so that strategies differ only in how they
 * split and schedule work. Everything is static inline: a plugin gets it by including this
 * header, which is installed with the topical headers it includes (include/pairbench/):
 *
 *   pk_dist.h      the one squared-distance expression (pb_d2, pb_d2_f), minimum image, the
 *                  reference distance, a row of squared distances; why counts are exact
 *   pk_bins.h      binning of squared distances without a square root: thresholds, look-up
 *                  table, the binary-search reference
 *   pk_hist.h      per-worker histogram blocks (lanes, padding) and their reduction
 *   pk_split.h     cutting the i<j triangle (by pairs) or the rows into parts
 *   pk_dispatch.h  kernel levels: x86-64 / -v3 / -v4 copies chosen at start-up, PB_KERNEL_LEVEL,
 *                  and which functions are multi-versioned
 *   pk_tile.h      the histogram kernels: tiles, rows of the triangle, blocks of points
 *   pk_matrix.h    the distance matrix: mapping, rows, vector square roots, page population
 *   pk_run.h       around the kernels: preparing a run, pb_work_rows, refusing a matrix, pinning
 */
#ifndef PAIRBENCH_PAIRKERN_H
#define PAIRBENCH_PAIRKERN_H

#include "strategy.h"

#include "pk_bins.h"
#include "pk_dispatch.h"
#include "pk_dist.h"
#include "pk_hist.h"
#include "pk_matrix.h"
#include "pk_run.h"
#include "pk_split.h"
#include "pk_tile.h"

#endif
