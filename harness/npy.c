/* npy.c — .npy files on disk for the harness; see harness/npy.h and kernels/npyfmt.h. */
#include "npyfmt.h"
#include "npy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    FILE *f = fopen(path, "wbe");
    if (!f)
        return pb_fail(err, -errno, "%s: %s", path, strerror(errno));
    int rc = fwrite(head, 1, hl, f) == hl ? write_data(f, data, elem, rows * cols) : -EIO;
    if (fclose(f) != 0 && rc == 0)
        rc = -EIO;
    if (rc)
        return pb_fail(err, rc, "%s: write failed (disk full?)", path);
    return 0;
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
    memcpy(a->descr, info->descr, sizeof a->descr);
    a->ndim = info->ndim;
    a->rows = info->shape[0];
    a->cols = info->ndim == 2 ? info->shape[1] : 1;
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
