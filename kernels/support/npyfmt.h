/* npyfmt.h — the NumPy .npy header (format 1.0 to write; 1.0, 2.0 and 3.0 to read), for 1-D and
 * 2-D C-order arrays. Shared by the exec strategy (reads what a script saved) and the harness
 * (writes `bench compute --save m.npy`), so both agree byte for byte. Static inline and stdio
 * only: a kernel includes it without depending on the harness. Little-endian hosts only, which is
 * what the "<f8" / "<f4" descriptors written here claim.
 *
 * Layout (numpy.lib.format): "\x93NUMPY", major, minor, header length (uint16 for 1.0, uint32
 * for 2.0/3.0, little-endian), then an ASCII dict such as
 * "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }" padded with spaces and ended by
 * '\n' so that the data starts on a 64-byte boundary, then the data.
 */
#ifndef PAIRBENCH_NPYFMT_H
#define PAIRBENCH_NPYFMT_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PB_NPY_ALIGN 64              /* numpy >= 1.14 pads the header to 64 bytes */
#define PB_NPY_MAX_HEADER 65536      /* larger dicts are not arrays this project writes */

struct pb_npy_info {
    char descr[16];                  /* dtype string, e.g. "<f8" */
    int fortran;                     /* 1: column-major (refused by the readers here) */
    int ndim;                        /* 0, 1 or 2 */
    size_t shape[2];                 /* extents; unused ones are 1 */
    size_t data_offset;              /* bytes before the data: magic + length + dict */
};

/* Writes the full .npy preamble for a C-order array of the given descr ("<f8", "<f4", "<u8")
 * and shape (ndim 1: rows only; ndim 2: rows x cols) into buf. Returns its length (a multiple
 * of PB_NPY_ALIGN), or 0 when buf is too small. */
static inline size_t pb_npy_header(char *buf, size_t size, const char *descr, int ndim,
                                   size_t rows, size_t cols)
{
    char dict[256], shape[64];
    if (ndim == 1)
        snprintf(shape, sizeof shape, "(%zu,)", rows);
    else
        snprintf(shape, sizeof shape, "(%zu, %zu)", rows, cols);
    int len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                       descr, shape);
    size_t total = 10 + (size_t)len + 1;               /* magic, version, length, dict, '\n' */
    total = (total + PB_NPY_ALIGN - 1) / PB_NPY_ALIGN * PB_NPY_ALIGN;
    if (len < 0 || total > size || total - 10 > 65535)
        return 0;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (char)((total - 10) & 0xff);
    buf[9] = (char)((total - 10) >> 8);
    memset(buf + 10, ' ', total - 10);
    memcpy(buf + 10, dict, (size_t)len);
    buf[total - 1] = '\n';
    return total;
}

/* The text after "'key':" in dict (skipping blanks), or NULL when the key is absent. */
static inline const char *pb_npy_value(const char *dict, const char *key)
{
    char quoted[32];
    snprintf(quoted, sizeof quoted, "'%s'", key);
    const char *p = strstr(dict, quoted);
    if (!p)
        return NULL;
    p += strlen(quoted);
    while (*p == ' ' || *p == ':')
        p++;
    return p;
}

/* Parses a shape tuple "(a, b)", "(a,)" or "()" at s into info. Returns 0 or -EINVAL. */
static inline int pb_npy_parse_shape(const char *s, struct pb_npy_info *info)
{
    if (*s++ != '(')
        return -EINVAL;
    info->ndim = 0;
    info->shape[0] = info->shape[1] = 1;
    while (*s == ' ')
        s++;
    while (*s != ')') {
        char *end;
        unsigned long long v = strtoull(s, &end, 10);
        if (end == s || info->ndim == 2)
            return -EINVAL;
        info->shape[info->ndim++] = (size_t)v;
        s = end;
        while (*s == ' ' || *s == ',')
            s++;
    }
    return 0;
}

/* Parses the header dict (NUL-terminated) into info. Returns 0 or -EINVAL. */
static inline int pb_npy_parse_dict(const char *dict, struct pb_npy_info *info)
{
    const char *d = pb_npy_value(dict, "descr");
    const char *f = pb_npy_value(dict, "fortran_order");
    const char *s = pb_npy_value(dict, "shape");
    if (!d || !f || !s || *d != '\'')
        return -EINVAL;
    size_t dl = strcspn(d + 1, "'");
    if (dl == 0 || dl >= sizeof info->descr)
        return -EINVAL;
    memcpy(info->descr, d + 1, dl);
    info->descr[dl] = '\0';
    info->fortran = strncmp(f, "True", 4) == 0;
    return pb_npy_parse_shape(s, info);
}

/* Reads the preamble of an open .npy file, leaving f at the first data byte. Returns 0, or
 * -EINVAL when it is not a .npy file this reader understands, or -EIO on a short read. */
static inline int pb_npy_read_header(FILE *f, struct pb_npy_info *info)
{
    unsigned char pre[12];
    if (fread(pre, 1, 10, f) != 10)
        return -EIO;
    if (memcmp(pre, "\x93NUMPY", 6) != 0 || pre[6] < 1 || pre[6] > 3)
        return -EINVAL;
    size_t len = (size_t)pre[8] | (size_t)pre[9] << 8, skip = 10;
    if (pre[6] >= 2) {                                  /* 2.0/3.0: 4-byte length */
        if (fread(pre + 10, 1, 2, f) != 2)
            return -EIO;
        len |= (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
        skip = 12;
    }
    if (len > PB_NPY_MAX_HEADER)
        return -EINVAL;
    char *dict = malloc(len + 1);
    if (!dict)
        return -ENOMEM;
    int err = fread(dict, 1, len, f) == len ? 0 : -EIO;
    dict[len] = '\0';
    if (!err)
        err = pb_npy_parse_dict(dict, info);
    free(dict);
    info->data_offset = skip + len;
    return err;
}

#endif
