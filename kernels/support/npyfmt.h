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
 *
 * Reading is strict: numpy evaluates the dict as a Python literal, so a header it would refuse
 * or read otherwise (a key twice, of which it takes the last; "Truely"; "(50,,,3)"; a length
 * field that runs into the data) is refused here rather than guessed at.
 */
#ifndef PAIRBENCH_NPYFMT_H
#define PAIRBENCH_NPYFMT_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PB_NPY_ALIGN 64              /* numpy >= 1.14 pads the header to 64 bytes */
#define PB_NPY_MAX_HEADER 10000      /* numpy.load's max_header_size: it refuses longer */

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

/* Skips the blanks Python allows between the tokens of the header's dict. */
static inline void pb_npy_blanks(const char **p)
{
    while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
        (*p)++;
}

/* A quoted string at *p ('...' or "...": printable ASCII, no backslash) into out (size bytes,
 * non-empty). Returns 0 with *p past the closing quote, or -EINVAL. */
static inline int pb_npy_string(const char **p, char *out, size_t size)
{
    char q = **p;
    const char *s = *p + 1, *e = q == '\'' || q == '"' ? strchr(s, q) : NULL;
    if (!e || e == s || (size_t)(e - s) >= size)
        return -EINVAL;
    for (const char *c = s; c < e; c++)
        if (*c < 0x20 || *c > 0x7e || *c == '\\')
            return -EINVAL;
    memcpy(out, s, (size_t)(e - s));
    out[e - s] = '\0';
    *p = e + 1;
    return 0;
}

/* True or False at *p, as a whole word, into *v. Returns 0 with *p past it, or -EINVAL. */
static inline int pb_npy_bool(const char **p, int *v)
{
    size_t len = strncmp(*p, "True", 4) == 0 ? 4 : strncmp(*p, "False", 5) == 0 ? 5 : 0;
    char next = len ? (*p)[len] : 'x';
    if (next == '_' || (next >= '0' && next <= '9') || ((next | 0x20) >= 'a' &&
                                                         (next | 0x20) <= 'z'))
        return -EINVAL;                          /* "Truely" is no boolean */
    *v = len == 4;
    *p += len;
    return 0;
}

/* A dimension at *p as Python writes an int: "0" or digits without a leading zero (no sign,
 * no '_'), within size_t. Returns 0 with *p past it, or -EINVAL. */
static inline int pb_npy_dim(const char **p, size_t *v)
{
    const char *s = *p;
    size_t x = 0;
    if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
        return -EINVAL;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (x > ((size_t)-1 - 9) / 10)
            return -EINVAL;
        x = x * 10 + (size_t)(*s - '0');
    }
    *v = x;
    *p = s;
    return 0;
}

/* A shape tuple at *p: "()", "(a,)", "(a, b)" (a trailing comma allowed; "(a)" is an int, not a
 * tuple) into info; more than 2 dimensions are refused. Returns 0 with *p past it, or
 * -EINVAL. */
static inline int pb_npy_shape(const char **p, struct pb_npy_info *info)
{
    size_t dim[2] = {1, 1};
    int n = 0, comma = 0;
    if (*(*p)++ != '(')
        return -EINVAL;
    pb_npy_blanks(p);
    while (**p != ')') {
        if (n == 2 || pb_npy_dim(p, &dim[n++]) < 0)
            return -EINVAL;
        pb_npy_blanks(p);
        comma = **p == ',';
        if (!comma && **p != ')')
            return -EINVAL;                      /* "(50,,,3)" stops here */
        *p += comma;
        pb_npy_blanks(p);
    }
    if (n == 1 && !comma)
        return -EINVAL;
    (*p)++;
    info->ndim = n;
    info->shape[0] = dim[0];
    info->shape[1] = dim[1];
    return 0;
}

/* One "'key': value" of the dict at *p into info; bit k of *seen marks key k read. Returns 0, or
 * -EINVAL for an unknown or repeated key (numpy would take the last) or a malformed value. */
static inline int pb_npy_entry(const char **p, struct pb_npy_info *info, unsigned *seen)
{
    char key[16];
    if (pb_npy_string(p, key, sizeof key) < 0)
        return -EINVAL;
    int k = !strcmp(key, "descr") ? 0 : !strcmp(key, "fortran_order") ? 1
            : !strcmp(key, "shape") ? 2 : -1;
    if (k < 0 || (*seen & (1u << k)))
        return -EINVAL;
    *seen |= 1u << k;
    pb_npy_blanks(p);
    if (*(*p)++ != ':')
        return -EINVAL;
    pb_npy_blanks(p);
    return k == 0 ? pb_npy_string(p, info->descr, sizeof info->descr)
           : k == 1 ? pb_npy_bool(p, &info->fortran) : pb_npy_shape(p, info);
}

/* Parses the header dict (NUL-terminated) into info, as strictly as a Python literal numpy
 * would read identically: exactly the keys 'descr' (a string), 'fortran_order' (True or False)
 * and 'shape' (a tuple of at most 2 non-negative ints), each once, then only blanks. Returns 0
 * or -EINVAL. */
static inline int pb_npy_parse_dict(const char *dict, struct pb_npy_info *info)
{
    const char *p = dict;
    unsigned seen = 0;
    if (*p++ != '{')
        return -EINVAL;
    pb_npy_blanks(&p);
    while (*p != '}') {
        if (pb_npy_entry(&p, info, &seen) < 0)
            return -EINVAL;
        pb_npy_blanks(&p);
        if (*p != ',' && *p != '}')
            return -EINVAL;
        p += *p == ',';
        pb_npy_blanks(&p);
    }
    p++;
    pb_npy_blanks(&p);
    return seen == 7 && *p == '\0' ? 0 : -EINVAL;
}

/* Reads the preamble of an open .npy file, leaving f at the first data byte. Returns 0, or
 * -EINVAL when it is not a .npy file this reader understands, or -EIO on a short read. */
static inline int pb_npy_read_header(FILE *f, struct pb_npy_info *info)
{
    unsigned char pre[12];
    if (fread(pre, 1, 10, f) != 10)
        return -EIO;
    if (memcmp(pre, "\x93NUMPY", 6) != 0 || pre[6] < 1 || pre[6] > 3 || pre[7] != 0)
        return -EINVAL;                                 /* numpy knows 1.0, 2.0 and 3.0 */
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
    if (!err && memchr(dict, '\0', len))
        err = -EINVAL;                                  /* Python refuses a NUL in its source */
    if (!err)
        err = pb_npy_parse_dict(dict, info);
    free(dict);
    info->data_offset = skip + len;
    return err;
}

#endif
