/* npy.h (harness) — writing and reading NumPy .npy files: `bench compute --save m.npy` writes the
 * distance matrix (or the histogram's records) so numpy.load reads it, and tests read files
 * back. The header format itself lives in kernels/support/npyfmt.h, shared with the exec
 * strategy. */
#ifndef PAIRBENCH_HARNESS_NPY_H
#define PAIRBENCH_HARNESS_NPY_H

#include "error.h"

#include <stddef.h>
#include <stdio.h>

struct pb_npy_array {
    char descr[16];                  /* dtype as numpy spells it: "<f8", "<f4" */
    size_t rows, cols;               /* 2-D shape; a 1-D array has cols = 1 */
    int ndim;                        /* 1 or 2 */
    void *data;                      /* rows*cols elements, C order (owned, malloc'd) */
    size_t elem;                     /* bytes per element */
};

/* Bytes per element of a descr this module handles ("<f8", "<f4", "<u8", "<i8"), or 0. */
size_t pb_npy_elem(const char *descr);

/* Writes a C-order rows x cols array of descr elements (ndim 1: cols must be 1) to path,
 * replacing it. Returns 0 or -errno with err naming the path. */
int pb_npy_write(const char *path, const void *data, const char *descr, int ndim, size_t rows,
                 size_t cols, struct pb_err *err);

/* Writes rows records of record bytes each (C structs laid out as fields says, no padding)
 * as a 1-D .npy of a structured dtype to path, replacing it. fields is the dtype as a Python
 * list literal, e.g. "[('lo', '<f8'), ('hi', '<f8'), ('count', '<u8')]"; numpy.load reads the
 * file directly (a["count"]). Returns 0 or -errno with err naming the path. */
int pb_npy_write_records(const char *path, const void *data, const char *fields,
                         size_t record, size_t rows, struct pb_err *err);

/* Reads a 1-D or 2-D C-order .npy of a descr pb_npy_elem knows into a (data malloc'd; release
 * with pb_npy_free). Returns 0, -EINVAL for a file it does not understand, or -errno. */
int pb_npy_read(const char *path, struct pb_npy_array *a, struct pb_err *err);

void pb_npy_free(struct pb_npy_array *a);

struct pb_npy_info;

/* Reads the header of the .npy file open as f (at its start) and checks that it holds a
 * (rows, cols) table of little-endian float64 or float32, C or Fortran order, with all of its
 * data present. Fills info (info->shape[0] is the number of rows). Returns 0, or -EINVAL with
 * err naming path and what is wrong (dtype, shape, truncated data), or -errno. */
int pb_npy_table_open(FILE *f, const char *path, size_t cols, struct pb_npy_info *info,
                      struct pb_err *err);

/* Reads the first rows rows of the table pb_npy_table_open accepted into doubles: column c goes
 * to out[c][0..rows). Reads the data in large blocks with pread (no per-element parsing); the
 * position of f is not used. Returns 0 or -errno with err filled. */
int pb_npy_table_read(FILE *f, const char *path, const struct pb_npy_info *info, size_t rows,
                      double *const *out, struct pb_err *err);

#endif
