/* points.h — the haloes: generated from a seed or read from a file, structure of arrays. */
#ifndef PAIRBENCH_POINTS_H
#define PAIRBENCH_POINTS_H

#include "error.h"
#include "experiment.h"

#include <stddef.h>

struct pb_points {
    size_t n;
    double *x, *y, *z;               /* n each (owned) */
    float *xf, *yf, *zf;             /* float copies, made by pb_points_make_float (owned) */
};

/* Makes the first n points of the input: the same input and seed always give the same points,
 * and the points for a smaller n are a prefix of those for a larger one. A file input reads at
 * most n points and fails when it holds fewer. Returns 0 or -errno with err filled. */
int pb_points_make(const struct pb_input *in, size_t n, struct pb_points *pts, struct pb_err *err);

/* Reads up to max_n points from a file ("x y z" per line, separated by spaces, tabs or commas;
 * '#' lines and blank lines skipped). max_n = 0 reads all. Errors name the line. */
int pb_points_read(const char *path, size_t max_n, struct pb_points *pts, struct pb_err *err);

/* Fills xf/yf/zf from x/y/z. Returns 0 or -ENOMEM. */
int pb_points_make_float(struct pb_points *pts);

void pb_points_free(struct pb_points *pts);

#endif
