/* npy.c — .npy files on disk for the harness; see harness/input/npy.h and kernels/support/npyfmt.h. */
#include "npyfmt.h"
#include "npy.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PB_NPY_CHUNK (1u << 18)      /* bytes per pread when a table is converted on the way:
                                        small enough to stay in L2 while it is split */

size_t pb_npy_elem(const char *descr)
{
    if (strcmp(descr, "<f8") == 0 || strcmp(descr, "<u8") == 0 || strcmp(descr, "<i8") == 0)
        return 8;
    if (strcmp(descr, "<f4") == 0)
        return 4;
    return 0;
}

/* Writes count elements of elem bytes in large pieces; returns 0 or -EIO. */
static int write_data(FILE *f, const void *data, size_t elem, size_t count)
{
    const char *p = data;
    size_t left = count * elem;
    while (left > 0) {
        size_t piece = left < (64u << 20) ? left : (64u << 20);
        if (fwrite(p, 1, piece, f) != piece)
            return -EIO;
        p += piece;
        left -= piece;
    }
    return 0;
}

/* Writes the preamble head (hl bytes) and then bytes of data to path, replacing it. Returns 0
 * or -errno with err naming the path. */
static int write_file(const char *path, const char *head, size_t hl, const void *data,
                      size_t bytes, struct pb_err *err)
{
    FILE *f = fopen(path, "wbe");
    if (!f)
        return pb_fail(err, -errno, "%s: %s", path, strerror(errno));
    int rc = fwrite(head, 1, hl, f) == hl ? write_data(f, data, 1, bytes) : -EIO;
    if (fclose(f) != 0 && rc == 0)
        rc = -EIO;
    if (rc)
        return pb_fail(err, rc, "%s: write failed (disk full?)", path);
    return 0;
}

int pb_npy_write(const char *path, const void *data, const char *descr, int ndim, size_t rows,
                 size_t cols, struct pb_err *err)
{
    size_t elem = pb_npy_elem(descr);
    char head[512];
    size_t hl = elem && (ndim == 2 || cols == 1)
                    ? pb_npy_header(head, sizeof head, descr, ndim, rows, cols) : 0;
    if (hl == 0)
        return pb_fail(err, -EINVAL, "%s: cannot describe a %s array of %zu x %zu", path, descr,
                       rows, cols);
    return write_file(path, head, hl, data, rows * cols * elem, err);
}

/* The format 1.0 preamble of rows records of the structured dtype fields (a Python list
 * literal) into head (cap bytes), padded with spaces and '\n' to PB_NPY_ALIGN. Returns its
 * length, or 0 when it does not fit. */
static size_t record_header(char *head, size_t cap, const char *fields, size_t rows)
{
    int len = snprintf(head + 10, cap > 10 ? cap - 10 : 0,
                       "{'descr': %s, 'fortran_order': False, 'shape': (%zu,), }", fields, rows);
    size_t total = (10 + (size_t)len + 1 + PB_NPY_ALIGN - 1) / PB_NPY_ALIGN * PB_NPY_ALIGN;
    if (len < 0 || total > cap || total - 10 > 65535)
        return 0;
    memcpy(head, "\x93NUMPY\x01\x00", 8);
    head[8] = (char)((total - 10) & 0xff);
    head[9] = (char)((total - 10) >> 8);
    memset(head + 10 + len, ' ', total - 10 - (size_t)len);
    head[total - 1] = '\n';
    return total;
}

int pb_npy_write_records(const char *path, const void *data, const char *fields,
                         size_t record, size_t rows, struct pb_err *err)
{
    char head[1024];
    size_t hl = record_header(head, sizeof head, fields, rows);
    if (hl == 0 || (record && rows > SIZE_MAX / record))
        return pb_fail(err, -EINVAL, "%s: cannot describe %zu records of %s", path, rows,
                       fields);
    return write_file(path, head, hl, data, rows * record, err);
}

/* Checks that info describes an array pb_npy_read can load into a. Returns 0 or -EINVAL. */
static int accept_info(const char *path, const struct pb_npy_info *info, struct pb_npy_array *a,
                       struct pb_err *err)
{
    a->elem = pb_npy_elem(info->descr);
    if (!a->elem || info->fortran || info->ndim < 1)
        return pb_fail(err, -EINVAL, "%s: not a 1-D/2-D C-order array of <f8/<f4/<u8/<i8 "
                       "(descr '%s', fortran_order %d, %d dimensions)", path, info->descr,
                       info->fortran, info->ndim);
    size_t rows = info->shape[0], cols = info->ndim == 2 ? info->shape[1] : 1;
    if (cols && rows > SIZE_MAX / cols / a->elem)
        return pb_fail(err, -EINVAL, "%s: shape (%zu, %zu) is too large", path, rows, cols);
    memcpy(a->descr, info->descr, sizeof a->descr);
    a->ndim = info->ndim;
    a->rows = rows;
    a->cols = cols;
    return 0;
}

int pb_npy_read(const char *path, struct pb_npy_array *a, struct pb_err *err)
{
    struct pb_npy_info info = {0};
    memset(a, 0, sizeof *a);
    FILE *f = fopen(path, "rbe");
    if (!f)
        return pb_fail(err, -errno, "%s: %s", path, strerror(errno));
    int rc = pb_npy_read_header(f, &info);
    if (rc)
        rc = pb_fail(err, rc, "%s: not a .npy file this reader understands", path);
    else
        rc = accept_info(path, &info, a, err);
    size_t bytes = a->rows * a->cols * a->elem;
    if (!rc && !(a->data = malloc(bytes ? bytes : 1)))
        rc = pb_fail(err, -ENOMEM, "%s: no memory for %zu bytes", path, bytes);
    if (!rc && fread(a->data, 1, bytes, f) != bytes)
        rc = pb_fail(err, -EIO, "%s: shorter than its header says", path);
    fclose(f);
    if (rc)
        pb_npy_free(a);
    return rc;
}

void pb_npy_free(struct pb_npy_array *a)
{
    free(a->data);
    a->data = NULL;
}

/* Checks descr and shape of a points-like table: "<f8"/"<f4", 2-D (rows, cols). */
static int table_shape(const char *path, const struct pb_npy_info *info, size_t cols,
                       struct pb_err *err)
{
    if (strcmp(info->descr, "<f8") != 0 && strcmp(info->descr, "<f4") != 0)
        return pb_fail(err, -EINVAL, "%s: dtype '%s' is not little-endian float64 ('<f8') or "
                       "float32 ('<f4')", path, info->descr);
    if (info->ndim == 2 && info->shape[1] == cols)
        return 0;
    if (info->ndim == 2)
        return pb_fail(err, -EINVAL, "%s: shape (%zu, %zu) is not (n, %zu)", path,
                       info->shape[0], info->shape[1], cols);
    if (info->ndim == 1)
        return pb_fail(err, -EINVAL, "%s: shape (%zu,) is not (n, %zu)", path, info->shape[0],
                       cols);
    return pb_fail(err, -EINVAL, "%s: shape () is not (n, %zu)", path, cols);
}

int pb_npy_table_open(FILE *f, const char *path, size_t cols, struct pb_npy_info *info,
                      struct pb_err *err)
{
    struct stat st;
    *info = (struct pb_npy_info){ 0 };
    int rc = pb_npy_read_header(f, info);
    if (rc == -EIO)
        return pb_fail(err, -EINVAL, "%s: truncated .npy header", path);
    if (rc)
        return pb_fail(err, rc, "%s: not a .npy header this reader understands (format 1.0 to "
                       "3.0, a dict of 'descr', 'fortran_order' (True or False) and a 'shape' "
                       "tuple of at most 2 dimensions, each once, as numpy.save writes it)",
                       path);
    if ((rc = table_shape(path, info, cols, err)))
        return rc;
    size_t elem = pb_npy_elem(info->descr), rows = info->shape[0];
    if (rows > SIZE_MAX / cols / elem)
        return pb_fail(err, -EINVAL, "%s: shape (%zu, %zu) is too large", path, rows, cols);
    if (fstat(fileno(f), &st) != 0)
        return pb_fail(err, -errno, "%s: %s", path, strerror(errno));
    size_t need = rows * cols * elem;
    size_t have = (size_t)st.st_size > info->data_offset ? (size_t)st.st_size - info->data_offset
                                                        : 0;
    if (have < need)
        return pb_fail(err, -EINVAL, "%s: truncated: shape (%zu, %zu) of %s needs %zu bytes of "
                       "data, the file holds %zu", path, rows, cols, info->descr, need, have);
    return 0;
}

/* pread of exactly len bytes at off, retrying short reads. Returns 0, -EIO at end of file,
 * or -errno. */
static int pread_full(int fd, void *buf, size_t len, off_t off)
{
    char *p = buf;
    while (len > 0) {
        ssize_t got = pread(fd, p, len, off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return got < 0 ? -errno : -EIO;
        p += got, off += got, len -= (size_t)got;
    }
    return 0;
}

/* Converts count elements of elem bytes (8: double, 4: float), step bytes apart from src,
 * into doubles at out[0..count). */
static void to_doubles(const char *src, size_t elem, size_t step, size_t count, double *out)
{
    for (size_t i = 0; i < count; i++, src += step) {
        if (elem == sizeof(double)) {
            memcpy(&out[i], src, sizeof(double));
        } else {
            float v;
            memcpy(&v, src, sizeof v);
            out[i] = v;
        }
    }
}

/* One Fortran-order column: rows elements at off, into out (directly for float64). */
static int read_column(int fd, off_t off, size_t elem, size_t rows, double *out, char *buf)
{
    if (elem == sizeof(double))
        return pread_full(fd, out, rows * elem, off);
    size_t per = PB_NPY_CHUNK / elem;
    for (size_t r = 0; r < rows; r += per) {
        size_t k = rows - r < per ? rows - r : per;
        int rc = pread_full(fd, buf, k * elem, off + (off_t)(r * elem));
        if (rc)
            return rc;
        to_doubles(buf, elem, elem, k, out + r);
    }
    return 0;
}

/* Splits k rows of cols elements (elem bytes each) at buf into out[c][0..k), one pass. */
static void split_rows(const char *buf, size_t elem, size_t cols, size_t k, double *const *out,
                       size_t r0)
{
    for (size_t i = 0; i < k; i++)
        for (size_t c = 0; c < cols; c++)
            to_doubles(buf + (i * cols + c) * elem, elem, elem, 1, out[c] + r0 + i);
}

/* The first rows rows of a C-order table, read in blocks of whole rows and split into out. */
static int read_rows(int fd, off_t off, size_t elem, size_t cols, size_t rows,
                     double *const *out, char *buf)
{
    size_t per = PB_NPY_CHUNK / (elem * cols);
    for (size_t r = 0; r < rows; r += per) {
        size_t k = rows - r < per ? rows - r : per;
        int rc = pread_full(fd, buf, k * cols * elem, off + (off_t)(r * cols * elem));
        if (rc)
            return rc;
        split_rows(buf, elem, cols, k, out, r);
    }
    return 0;
}

int pb_npy_table_read(FILE *f, const char *path, const struct pb_npy_info *info, size_t rows,
                      double *const *out, struct pb_err *err)
{
    size_t elem = pb_npy_elem(info->descr), cols = info->shape[1];
    int fd = fileno(f), rc = 0;
    char *buf = malloc(PB_NPY_CHUNK);
    if (!buf)
        return pb_fail(err, -ENOMEM, "%s: out of memory", path);
    off_t base = (off_t)info->data_offset;
    if (!info->fortran)
        rc = read_rows(fd, base, elem, cols, rows, out, buf);
    for (size_t c = 0; info->fortran && c < cols && rc == 0; c++)
        rc = read_column(fd, base + (off_t)(c * info->shape[0] * elem), elem, rows, out[c],
                         buf);
    free(buf);
    if (rc == -EIO)
        return pb_fail(err, rc, "%s: truncated: the data ends before the shape says", path);
    if (rc)
        return pb_fail(err, rc, "%s: cannot read: %s", path, strerror(-rc));
    return 0;
}
