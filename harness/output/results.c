/* results.c — the per-run CSV (see results.h). One column table drives both the writer and the
 * reader, so a format chosen for a column is the format parsed back: the file round-trips. */
#include "results.h"

#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How one column is written and parsed. */
enum col_type {
    T_STR,                           /* char array, quoted when needed */
    T_SIZE,                          /* size_t, decimal */
    T_INT,                           /* int, decimal */
    T_KIB,                           /* long, decimal; negative (unknown) <-> "" (kib figures
                                        and other counts that may be unknown) */
    T_DBL9,                          /* double "%.9g"; non-finite <-> "" */
    T_DBL6,                          /* double "%.6g"; non-finite <-> "" */
    T_FRAC                           /* double "%.4g"; negative (none) <-> "" read as -1 */
};

struct col {
    const char *name;                /* header name */
    enum col_type type;
    size_t off;                      /* offset of the field in struct pb_row */
    size_t size;                     /* sizeof the field (string capacity for T_STR) */
    const char *dflt;                /* value of an absent optional column; NULL: required */
};

#define COL(name, type, dflt) \
    { #name, type, offsetof(struct pb_row, name), sizeof(((struct pb_row *)0)->name), dflt }

/* In PB_CSV_HEADER order; the writer emits exactly these, the reader finds them by name. */
static const struct col cols[] = {
    COL(strategy, T_STR, NULL),
    COL(params, T_STR, NULL),
    COL(output, T_STR, NULL),
    COL(n, T_SIZE, NULL),
    COL(threads, T_INT, NULL),
    COL(repeat, T_INT, NULL),
    COL(wall_s, T_DBL9, NULL),
    COL(user_s, T_DBL9, NULL),
    COL(sys_s, T_DBL9, NULL),
    COL(peak_rss_kib, T_KIB, NULL),
    COL(pairs_per_s, T_DBL6, NULL),
    COL(verified, T_STR, NULL),
    COL(status, T_STR, NULL),
    COL(kind, T_STR, "run"),
    COL(ranks, T_INT, "1"),
    COL(precision, T_STR, "double"),
    COL(pin, T_STR, "none"),
    COL(maxrss_kib, T_KIB, ""),
    COL(cgroup_peak_kib, T_KIB, ""),
    COL(fraction_of_limit, T_FRAC, ""),
    COL(config_hash, T_STR, ""),
    COL(rank_max_kib, T_KIB, ""),
    COL(rank_sum_kib, T_KIB, ""),
    COL(build_s, T_DBL9, ""),
    COL(dist_evals, T_KIB, ""),
    COL(pairs_counted, T_KIB, ""),
};
#define NCOLS (sizeof cols / sizeof cols[0])

/* ---- writing ---------------------------------------------------------------------------- */

/* Flushes f and forces it to disk. Streams that cannot be synced (pipes, terminals, memory
 * streams) are only flushed: there is no disk copy to protect. Returns 0 or -errno. */
static int flush_sync(FILE *f)
{
    if (fflush(f) != 0)
        return -errno;
    int fd = fileno(f);
    if (fd < 0 || fsync(fd) == 0)
        return 0;
    if (errno == EINVAL || errno == EROFS || errno == ENOTSUP)
        return 0;
    return -errno;
}

int pb_csv_put_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL)
        return fputs(s, f) < 0 ? -EIO : 0;
    if (putc('"', f) == EOF)
        return -EIO;
    for (; *s; s++) {
        if (*s == '"' && putc('"', f) == EOF)
            return -EIO;
        if (putc(*s, f) == EOF)
            return -EIO;
    }
    return putc('"', f) == EOF ? -EIO : 0;
}

/* Formats column c of r into buf (cap bytes) as the file shows it, before quoting. */
static void format_value(const struct col *c, const struct pb_row *r, char *buf, size_t cap)
{
    const char *p = (const char *)r + c->off;
    double d;
    buf[0] = '\0';
    switch (c->type) {
    case T_STR:
        snprintf(buf, cap, "%s", p);
        break;
    case T_SIZE:
        snprintf(buf, cap, "%zu", *(const size_t *)p);
        break;
    case T_INT:
        snprintf(buf, cap, "%d", *(const int *)p);
        break;
    case T_KIB:
        if (*(const long *)p >= 0)
            snprintf(buf, cap, "%ld", *(const long *)p);
        break;
    case T_DBL9:
    case T_DBL6:
        d = *(const double *)p;
        if (isfinite(d))
            snprintf(buf, cap, c->type == T_DBL9 ? "%.9g" : "%.6g", d);
        break;
    case T_FRAC:
        d = *(const double *)p;
        if (isfinite(d) && d >= 0)
            snprintf(buf, cap, "%.4g", d);
        break;
    }
}

/* Appends the len bytes of line to f as one write of its descriptor, so a full disk or a
 * signal never leaves part of a row: on failure the file is cut back to where it ended.
 * Streams without a descriptor (memory streams) take it through stdio. Then flushes and
 * fsyncs. Returns 0 or -errno. */
static int put_line(FILE *f, const char *line, size_t len)
{
    int fd = fileno(f);
    if (fd < 0)
        return fwrite(line, 1, len, f) == len ? flush_sync(f) : -EIO;
    if (fflush(f) != 0)
        return -errno;
    off_t at = lseek(fd, 0, SEEK_END);
    int rc = pb_write_all(fd, line, len);
    if (rc < 0 && at >= 0 && ftruncate(fd, at) == 0)
        lseek(fd, at, SEEK_SET);
    return rc < 0 ? rc : flush_sync(f);
}

int pb_csv_write_header(FILE *f)
{
    static const char header[] = PB_CSV_HEADER "\n";
    return put_line(f, header, sizeof header - 1);
}

int pb_csv_append(FILE *f, const struct pb_row *r)
{
    char buf[sizeof(struct pb_row)]; /* larger than any T_STR field */
    char *line = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&line, &len);
    int rc = m ? 0 : -ENOMEM;
    for (size_t i = 0; rc == 0 && i < NCOLS; i++) {
        format_value(&cols[i], r, buf, sizeof buf);
        if (i > 0 && putc(',', m) == EOF)
            rc = -EIO;
        if (rc == 0 && pb_csv_put_field(m, buf) != 0)
            rc = -EIO;
    }
    if (rc == 0 && putc('\n', m) == EOF)
        rc = -EIO;
    if (m && fclose(m) != 0 && rc == 0)
        rc = -ENOMEM;
    if (rc == 0)
        rc = put_line(f, line, len);
    free(line);
    return rc;
}

int pb_csv_trim_partial(const char *path, long *dropped)
{
    int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -errno;
    char chunk[65536];
    off_t pos = 0, end_of_record = 0;
    int quoted = 0;
    ssize_t got;
    while ((got = read(fd, chunk, sizeof chunk)) > 0 || (got < 0 && errno == EINTR)) {
        for (ssize_t i = 0; i < got; i++) {
            quoted ^= chunk[i] == '"';   /* "" inside a quoted field toggles twice */
            if (chunk[i] == '\n' && !quoted)
                end_of_record = pos + i + 1;
        }
        pos += got > 0 ? got : 0;
    }
    int rc = got < 0 ? -errno : 0;
    *dropped = rc == 0 ? (long)(pos - end_of_record) : 0;
    if (rc == 0 && *dropped > 0 && ftruncate(fd, end_of_record) != 0)
        rc = -errno;
    close(fd);
    return rc < 0 ? rc : *dropped > 0;
}

/* ---- reading: records ------------------------------------------------------------------- */

enum { REC_MORE, REC_END, REC_EOF };  /* what ended a field: ',', newline, end of file */

/* One RFC 4180 record at a time: fields are stored NUL-terminated, back to back, in buf. */
struct rdr {
    FILE *f;
    long line;                       /* line where the current record starts (1-based) */
    long next_line;                  /* line the next character belongs to */
    char *buf;                       /* field bytes */
    size_t len, cap;
    size_t *offs;                    /* start of each field in buf */
    size_t nf, capf;
    size_t consumed;                 /* characters read for this record */
    const char *why;                 /* reason of the last -EBADMSG */
};

/* Appends one byte to the field being read. Returns 0 or -ENOMEM. */
static int push(struct rdr *r, char c)
{
    if (r->len + 1 >= r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 256;
        char *b = realloc(r->buf, cap);
        if (!b)
            return -ENOMEM;
        r->buf = b;
        r->cap = cap;
    }
    r->buf[r->len++] = c;
    return 0;
}

/* Reads the next character, counting lines and characters. */
static int next(struct rdr *r)
{
    int c = getc(r->f);
    if (c != EOF)
        r->consumed++;
    if (c == '\n')
        r->next_line++;
    return c;
}

/* Reads the rest of an unquoted field whose first character is c. */
static int read_plain(struct rdr *r, int c, int *stop)
{
    for (;; c = next(r)) {
        if (c == ',' || c == '\n' || c == EOF) {
            *stop = c == ',' ? REC_MORE : c == '\n' ? REC_END : REC_EOF;
            return 0;
        }
        if (c == '"') {
            r->why = "quote inside an unquoted field";
            return -EBADMSG;
        }
        if (c != '\r' && push(r, (char)c) != 0)
            return -ENOMEM;
    }
}

/* Reads a quoted field after its opening quote; "" stands for one quote. */
static int read_quoted(struct rdr *r, int *stop)
{
    for (;;) {
        int c = next(r);
        if (c == EOF) {
            r->why = "quoted field not closed before the end of the file";
            return -EBADMSG;
        }
        if (c == '"' && (c = next(r)) != '"') {
            if (c == '\r')
                c = next(r);
            *stop = c == ',' ? REC_MORE : c == '\n' ? REC_END : REC_EOF;
            if (c == ',' || c == '\n' || c == EOF)
                return 0;
            r->why = "text after a closing quote";
            return -EBADMSG;
        }
        if (push(r, (char)c) != 0)
            return -ENOMEM;
    }
}

/* Starts a new field at the end of buf. Returns 0 or -ENOMEM. */
static int open_field(struct rdr *r)
{
    if (r->nf == r->capf) {
        size_t capf = r->capf ? 2 * r->capf : 32;
        size_t *o = realloc(r->offs, capf * sizeof *o);
        if (!o)
            return -ENOMEM;
        r->offs = o;
        r->capf = capf;
    }
    r->offs[r->nf++] = r->len;
    return 0;
}

/* Reads one record into r. Returns 1 for a record, 0 at the end of the file, or a negative
 * errno (-EBADMSG with r->why set for malformed text). Blank lines are skipped. */
static int read_record(struct rdr *r)
{
    for (;;) {
        int stop = REC_MORE, rc = 0;
        r->len = r->nf = r->consumed = 0;
        r->line = r->next_line;
        while (stop == REC_MORE && rc == 0) {
            rc = open_field(r);
            int c = rc == 0 ? next(r) : EOF;
            if (rc == 0)
                rc = c == '"' ? read_quoted(r, &stop) : read_plain(r, c, &stop);
            if (rc == 0)
                rc = push(r, '\0');
        }
        if (rc != 0)
            return rc;
        int blank = r->nf == 1 && r->buf[0] == '\0' && r->consumed <= 2;
        if (stop == REC_EOF && r->consumed == 0)
            return 0;
        if (!blank)
            return 1;
        if (stop == REC_EOF)
            return 0;
    }
}

/* ---- reading: values -------------------------------------------------------------------- */

/* Parses text into column c of row. Returns 0 or -EINVAL with why set. */
static int parse_value(const struct col *c, const char *text, struct pb_row *row,
                       const char **why)
{
    char *p = (char *)row + c->off, *end = NULL;
    errno = 0;
    if (c->type == T_STR) {
        *why = "value too long";
        if (strlen(text) >= c->size)
            return -EINVAL;
        memcpy(p, text, strlen(text) + 1);
        return 0;
    }
    if (text[0] == '\0' && c->type != T_SIZE && c->type != T_INT) {
        if (c->type == T_KIB)
            *(long *)p = -1;
        else
            *(double *)p = c->type == T_FRAC ? -1.0 : NAN;
        return 0;
    }
    *why = c->type == T_DBL9 || c->type == T_DBL6 || c->type == T_FRAC
               ? "expected a number" : "expected an integer";
    if (c->type == T_SIZE && strchr(text, '-') == NULL) {
        unsigned long long v = strtoull(text, &end, 10);
        *(size_t *)p = (size_t)v;
    } else if (c->type == T_INT) {
        long v = strtol(text, &end, 10);
        *(int *)p = (int)v;
        if (v < INT32_MIN || v > INT32_MAX)
            errno = ERANGE;
    } else if (c->type == T_KIB) {
        *(long *)p = strtol(text, &end, 10);
    } else if (c->type != T_SIZE) {
        *(double *)p = strtod(text, &end);
    }
    return end && end != text && *end == '\0' && errno == 0 ? 0 : -EINVAL;
}

/* Maps every column of cols to its field index in the header record (-1: absent). Returns 0,
 * or -EINVAL naming the first missing required column. */
static int map_header(const struct rdr *r, int *idx, const char *path, struct pb_err *err)
{
    for (size_t i = 0; i < NCOLS; i++) {
        idx[i] = -1;
        for (size_t j = 0; j < r->nf && idx[i] < 0; j++)
            if (strcmp(r->buf + r->offs[j], cols[i].name) == 0)
                idx[i] = (int)j;
        if (idx[i] < 0 && cols[i].dflt == NULL)
            return pb_fail(err, -EINVAL, "%s:%ld: header lacks the required column '%s'",
                           path, r->line, cols[i].name);
    }
    return 0;
}

/* Fills row from the current record using the header map. Returns 0 or -EINVAL. */
static int parse_row(const struct rdr *r, size_t nheader, const int *idx, struct pb_row *row,
                     const char *path, struct pb_err *err)
{
    if (r->nf != nheader)
        return pb_fail(err, -EINVAL, "%s:%ld: %zu fields, but the header has %zu", path,
                       r->line, r->nf, nheader);
    memset(row, 0, sizeof *row);
    for (size_t i = 0; i < NCOLS; i++) {
        const char *text = idx[i] >= 0 ? r->buf + r->offs[idx[i]] : cols[i].dflt;
        const char *why = "";
        if (parse_value(&cols[i], text, row, &why) != 0)
            return pb_fail(err, -EINVAL, "%s:%ld: column '%s': %s, got '%.64s'", path,
                           r->line, cols[i].name, why, text);
    }
    return 0;
}

/* Appends row to the growing array *rows. Returns 0 or -ENOMEM. */
static int add_row(struct pb_row **rows, size_t *nrows, size_t *cap, const struct pb_row *row)
{
    if (*nrows == *cap) {
        size_t c = *cap ? 2 * *cap : 64;
        struct pb_row *p = realloc(*rows, c * sizeof *p);
        if (!p)
            return -ENOMEM;
        *rows = p;
        *cap = c;
    }
    (*rows)[(*nrows)++] = *row;
    return 0;
}

/* Reads every data record of an open reader whose header is already mapped. */
static int read_rows(struct rdr *r, size_t nheader, const int *idx, struct pb_row **rows,
                     size_t *nrows, const char *path, struct pb_err *err)
{
    size_t cap = 0;
    struct pb_row row;
    int rc;
    while ((rc = read_record(r)) == 1) {
        if ((rc = parse_row(r, nheader, idx, &row, path, err)) != 0)
            return rc;
        if ((rc = add_row(rows, nrows, &cap, &row)) != 0)
            return pb_fail(err, rc, "%s: out of memory", path);
    }
    if (rc == -EBADMSG)
        return pb_fail(err, -EINVAL, "%s:%ld: %s", path, r->line, r->why);
    if (rc < 0)
        return pb_fail(err, rc, "%s:%ld: %s", path, r->line, strerror(-rc));
    return ferror(r->f) ? pb_fail(err, -EIO, "%s: read error", path) : 0;
}

int pb_csv_read(const char *path, struct pb_row **rows, size_t *nrows, struct pb_err *err)
{
    struct rdr r = { .next_line = 1 };
    int idx[NCOLS];
    int rc;
    *rows = NULL;
    *nrows = 0;
    r.f = fopen(path, "rbe");
    if (!r.f)
        return pb_fail(err, -errno, "%s: %s", path, strerror(errno));
    rc = read_record(&r);
    if (rc == 0)
        rc = pb_fail(err, -EINVAL, "%s:1: empty file, expected the header line", path);
    else if (rc == -EBADMSG)
        rc = pb_fail(err, -EINVAL, "%s:%ld: %s", path, r.line, r.why);
    else if (rc < 0)
        rc = pb_fail(err, rc, "%s:%ld: %s", path, r.line, strerror(-rc));
    else
        rc = map_header(&r, idx, path, err);
    if (rc == 0)
        rc = read_rows(&r, r.nf, idx, rows, nrows, path, err);
    fclose(r.f);
    free(r.buf);
    free(r.offs);
    if (rc != 0) {
        free(*rows);
        *rows = NULL;
        *nrows = 0;
    }
    return rc;
}

int pb_verified_ok(const char *verified)
{
    size_t len = strlen(verified);
    if (strcmp(verified, "yes") == 0)
        return 1;
    return len > 7 && strncmp(verified, "yes (", 5) == 0 && verified[len - 1] == ')';
}
