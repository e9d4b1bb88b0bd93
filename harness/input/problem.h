/* problem.h — builds the struct pb_problem a strategy sees from the experiment and the points. */
#ifndef PAIRBENCH_PROBLEM_H
#define PAIRBENCH_PROBLEM_H

#include "config.h"
#include "points.h"

/* Makes the count+1 edges of b into *edges (malloc'd): linear lo + k(hi-lo)/count, log
 * lo (hi/lo)^(k/count); the last edge is exactly max. Returns 0, -EINVAL for bins that cannot
 * make strictly increasing edges, or -ENOMEM. */
int pb_edges_make(const struct pb_bin_spec *b, double **edges);

/* Fills p for the points pts under experiment e (edges must outlive p; NULL for matrix output).
 * For n == 0 (empty work) pts may be NULL. */
void pb_problem_init(struct pb_problem *p, const struct pb_experiment *e,
                     const struct pb_points *pts, size_t n, const double *edges);

/* Unique pairs i<j of n points: n(n-1)/2. */
double pb_pairs(size_t n);

#endif
