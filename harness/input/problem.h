/* problem.h — builds the struct pb_problem a strategy sees from the experiment and the points. */
#ifndef PAIRBENCH_PROBLEM_H
#define PAIRBENCH_PROBLEM_H

#include "config.h"
#include "points.h"

/* Makes the count+1 edges of b into *edges (malloc'd), bit for bit what users compute with
 * NumPy: linear bins are numpy.linspace(min, max, count + 1) (edge k = k * ((max - min) / count)
 * + min, the last exactly max), log bins numpy.geomspace(min, max, count + 1) (edge k =
 * pow(10, k * ((log10(max) - log10(min)) / count) + log10(min)) with the C library's log10 and
 * pow, the first and last exactly min and max); explicit bins are b->edges as listed (scaled by
 * max / their last edge when max differs from it, as an rmax sweep asks). Returns 0, -EINVAL
 * for bins that cannot make strictly increasing edges, or -ENOMEM. */
int pb_edges_make(const struct pb_bin_spec *b, double **edges);

/* The index of the first of the n edges e[] that is not above the one before it (NaN
 * included), or n when they strictly increase. */
size_t pb_edges_unordered(const double *e, size_t n);

/* Fills p for the points pts under experiment e (edges must outlive p; NULL for matrix output).
 * For n == 0 (empty work) pts may be NULL. */
void pb_problem_init(struct pb_problem *p, const struct pb_experiment *e,
                     const struct pb_points *pts, size_t n, const double *edges);

/* Unique pairs i<j of n points: n(n-1)/2. */
double pb_pairs(size_t n);

#endif
