/* points.h — the haloes: generated from a seed or read from a file, structure of arrays. */
#ifndef PAIRBENCH_POINTS_H
#define PAIRBENCH_POINTS_H

#include "error.h"
#include "config.h"

#include <stddef.h>

struct pb_points {
    size_t n;
    double *x, *y, *z;               /* n each (owned) */
    float *xf, *yf, *zf;             /* float copies, made by pb_points_make_float (owned) */
};

/* The largest |coordinate| accepted from a file: beyond it a squared distance (three squared
 * differences of up to 2 * PB_COORD_MAX) could overflow a double. */
#define PB_COORD_MAX 1e150

/* The same for single precision: squared differences of up to 2e18 stay below FLT_MAX. */
#define PB_COORD_MAX_FLOAT 1e18

/* Makes the first n points of the input: the same input and seed always give the same points,
 * and the points for a smaller n are a prefix of those for a larger one. A file input reads at
 * most n points and fails when it holds fewer. Returns 0 or -errno with err filled. */
int pb_points_make(const struct pb_input *in, size_t n, struct pb_points *pts, struct pb_err *err);

/* Reads up to max_n points from a regular file: a NumPy .npy (n, 3) array of float64 or float32
 * (recognised by its magic bytes), or text ("x y z" per line, separated by spaces, tabs or
 * commas; '#' lines and blank lines skipped). A text line of more or fewer than three numbers,
 * with an empty field (",,") or with commas and blanks both between its numbers (decimal
 * commas) is an error naming the line: it is never truncated or re-split. max_n = 0 reads all. A FIFO, device or folder is
 * refused without blocking. A coordinate that is not finite or whose magnitude exceeds
 * PB_COORD_MAX is an error naming the line (text) or the 0-based row (.npy). */
int pb_points_read(const char *path, size_t max_n, struct pb_points *pts, struct pb_err *err);

/* Checks that every coordinate of pts (read from path) lies within +-limit. Returns 0, or
 * -EINVAL with err naming path, the first point beyond (0-based, in file order) and its
 * coordinate. */
int pb_points_check_range(const struct pb_points *pts, double limit, const char *path,
                          struct pb_err *err);

/* Fills xf/yf/zf from x/y/z. Returns 0 or -ENOMEM. */
int pb_points_make_float(struct pb_points *pts);

/* Wraps every coordinate into [0, box): periodic images, so that minimum-image distances hold
 * whatever the file said. Points already inside are left bit for bit as they are. */
void pb_points_wrap(struct pb_points *pts, double box);

void pb_points_free(struct pb_points *pts);

#endif
