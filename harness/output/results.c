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
    { #name, T_##type, offsetof(struct pb_row, name), sizeof(((struct pb_row *)0)->name), dflt },

/* In PB_RUN_COLUMNS order (enum pb_run_col indexes it); the writer emits exactly these, the
 * reader finds them by name. */
static const struct col cols[] = { PB_RUN_COLUMNS(COL, COL) };
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

char *pb_csv_format(const struct pb_row *r, enum pb_run_col col, char *buf, size_t cap)
{
    const struct col *c = &cols[col];
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
    return buf;
}

const char *pb_csv_col_name(enum pb_run_col c)
{
    return cols[c].name;
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
        pb_csv_format(r, (enum pb_run_col)i, buf, sizeof buf);
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
    enum { CHUNK = 65536 };
    char *chunk = malloc(CHUNK);           /* not on the stack, which may be small */
    if (!chunk) {
        close(fd);
        return -ENOMEM;
    }
    off_t pos = 0, end_of_record = 0;
    int quoted = 0;
    ssize_t got;
    while ((got = read(fd, chunk, CHUNK)) > 0 || (got < 0 && errno == EINTR)) {
        for (ssize_t i = 0; i < got; i++) {
            quoted ^= chunk[i] == '"';   /* "" inside a quoted field toggles twice */
            if (chunk[i] == '\n' && !quoted)
                end_of_record = pos + i + 1;
        }
        pos += got > 0 ? got : 0;
    }
    int rc = got < 0 ? -errno : 0;
    free(chunk);
    *dropped = rc == 0 ? (long)(pos - end_of_record) : 0;
    if (rc == 0 && *dropped > 0 && ftruncate(fd, end_of_record) != 0)
        rc = -errno;
    close(fd);
    return rc < 0 ? rc : *dropped > 0;
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
static int map_header(const struct pb_csv *r, int *idx, struct pb_err *err)
{
    for (size_t i = 0; i < NCOLS; i++) {
        idx[i] = -1;
        for (size_t j = 0; j < r->nf && idx[i] < 0; j++)
            if (strcmp(r->fields[j], cols[i].name) == 0)
                idx[i] = (int)j;
        if (idx[i] < 0 && cols[i].dflt == NULL)
            return pb_fail(err, -EINVAL, "%s:%ld: header lacks the required column '%s'",
                           r->path, r->line, cols[i].name);
    }
    return 0;
}

/* Fills row from the current record using the header map. Returns 0 or -EINVAL. */
static int parse_row(const struct pb_csv *r, const int *idx, struct pb_row *row,
                     struct pb_err *err)
{
    memset(row, 0, sizeof *row);
    for (size_t i = 0; i < NCOLS; i++) {
        const char *text = idx[i] >= 0 ? r->fields[idx[i]] : cols[i].dflt;
        const char *why = "";
        if (parse_value(&cols[i], text, row, &why) != 0)
            return pb_fail(err, -EINVAL, "%s:%ld: column '%s': %s, got '%.64s'", r->path,
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

/* Reads every data record of a reader whose header is already mapped. */
static int read_rows(struct pb_csv *r, const int *idx, struct pb_row **rows, size_t *nrows,
                     struct pb_err *err)
{
    size_t cap = 0;
    struct pb_row row;
    int rc;
    while ((rc = pb_csv_next(r, err)) == 1) {
        if ((rc = parse_row(r, idx, &row, err)) != 0)
            return rc;
        if ((rc = add_row(rows, nrows, &cap, &row)) != 0)
            return pb_fail(err, rc, "%s: out of memory", r->path);
    }
    return rc;
}

int pb_csv_read(const char *path, struct pb_row **rows, size_t *nrows, struct pb_err *err)
{
    struct pb_csv r;
    int idx[NCOLS];
    *rows = NULL;
    *nrows = 0;
    int rc = pb_csv_open(&r, path, err);
    if (rc == 0)
        rc = pb_csv_header(&r, err);
    if (rc == 0)
        rc = map_header(&r, idx, err);
    if (rc == 0)
        rc = read_rows(&r, idx, rows, nrows, err);
    pb_csv_close(&r);
    if (rc != 0) {
        free(*rows);
        *rows = NULL;
        *nrows = 0;
    }
    return rc;
}

int pb_verified_ok(const char *verified)
{
    size_t len = strlen(verified), yes = strlen(PB_VERIFIED_YES);
    if (strcmp(verified, PB_VERIFIED_YES) == 0)
        return 1;
    return len > yes + 4 && strncmp(verified, PB_VERIFIED_YES " (", yes + 2) == 0 &&
           verified[len - 1] == ')';
}

int pb_status_ok(const char *status)
{
    return strcmp(status, PB_STATUS_OK) == 0;
}

int pb_row_ok(const struct pb_row *r)
{
    return pb_status_ok(r->status);
}

int pb_row_timed(const struct pb_row *r)
{
    return pb_row_ok(r) && isfinite(r->wall_s);
}

int pb_row_flagged(const struct pb_row *r, const char *word)
{
    size_t len = strlen(word);
    for (const char *p = r->flag; (p = strstr(p, word)) != NULL; p += len)
        if ((p == r->flag || p[-1] == ';') && (p[len] == '\0' || p[len] == ';'))
            return 1;
    return 0;
}

int pb_row_is(const struct pb_row *r, const char *kind)
{
    return strcmp(r->kind, kind) == 0;
}

int pb_status_skipped(const char *status)
{
    return strncmp(status, PB_STATUS_SKIPPED, strlen(PB_STATUS_SKIPPED)) == 0;
}

int pb_row_bad(const struct pb_row *r)
{
    return !pb_row_ok(r) || (!pb_verified_ok(r->verified) && !pb_row_is(r, PB_KIND_OVERHEAD));
}

char *pb_row_label(const struct pb_row *r, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s%s%s%s", r->strategy, r->params[0] ? "[" : "", r->params,
             r->params[0] ? "]" : "");
    return buf;
}

int pb_row_cmp_key(const struct pb_row *a, const struct pb_row *b, int with_threads)
{
    int c;
    if ((c = strcmp(a->strategy, b->strategy)) || (c = strcmp(a->params, b->params)) ||
        (c = strcmp(a->output, b->output)) || (c = strcmp(a->kind, b->kind)) ||
        (c = strcmp(a->precision, b->precision)))
        return c;
    if (a->ranks != b->ranks)
        return a->ranks < b->ranks ? -1 : 1;
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    if (with_threads && a->threads != b->threads)
        return a->threads < b->threads ? -1 : 1;
    return 0;
}

/* The counted ok runs of the point of key (its threads included) into *runs; returns how many
 * of them carry flag word (NULL: any flag). */
static size_t point_flagged(const struct pb_row *rows, size_t nrows, const struct pb_row *key,
                            const char *word, size_t *runs)
{
    size_t k = 0;
    *runs = 0;
    for (size_t i = 0; i < nrows; i++) {
        const struct pb_row *r = &rows[i];
        if (!pb_row_is(r, PB_KIND_RUN) || !pb_row_ok(r) || pb_row_cmp_key(r, key, 1) != 0)
            continue;
        ++*runs;
        k += word ? pb_row_flagged(r, word) : r->flag[0] != '\0';
    }
    return k;
}

/* 1 when rows[i] is the first counted ok row of its point and that point has a flagged run,
 * so each flagged point is counted once. */
static int first_of_flagged_point(const struct pb_row *rows, size_t nrows, size_t i)
{
    size_t runs;
    if (!pb_row_is(&rows[i], PB_KIND_RUN) || !pb_row_ok(&rows[i]))
        return 0;
    for (size_t j = 0; j < i; j++)
        if (pb_row_is(&rows[j], PB_KIND_RUN) && pb_row_ok(&rows[j]) &&
            pb_row_cmp_key(&rows[j], &rows[i], 1) == 0)
            return 0;
    return point_flagged(rows, nrows, &rows[i], NULL, &runs) > 0;
}

char *pb_rows_point_flags(const struct pb_row *rows, size_t nrows, const struct pb_row *pick,
                          char *buf, size_t cap)
{
    size_t runs, busy = point_flagged(rows, nrows, pick, PB_FLAG_BUSY, &runs), others = 0;
    size_t capped = point_flagged(rows, nrows, pick, PB_FLAG_CAPPED, &runs), len = 0;
    for (size_t i = 0; i < nrows; i++)
        others += rows[i].n == pick->n && pb_row_cmp_key(&rows[i], pick, 1) != 0 &&
                  first_of_flagged_point(rows, nrows, i);
    buf[0] = '\0';
    if (busy)
        len += (size_t)snprintf(buf, cap, "%s %zu/%zu runs", PB_FLAG_BUSY, busy, runs);
    if (capped && len < cap)
        len += (size_t)snprintf(buf + len, cap - len, "%s%s: %g CPU%s", len ? "; " : "",
                                PB_FLAG_CAPPED, pick->cpus_avail,
                                pick->cpus_avail == 1 ? "" : "s");
    if (others && len < cap)
        snprintf(buf + len, cap - len, "%s%zu other point%s flagged", len ? "; " : "", others,
                 others > 1 ? "s" : "");
    return buf;
}
