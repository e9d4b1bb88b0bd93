/* csv.c — the CSV field writer, the one CSV reader and the string table (see csv.h).
 *
 * The reader holds the whole file and unquotes each field in place: a field's text is never
 * longer than its bytes in the file, so the write position never passes the read position and
 * every field ends with a NUL written over a byte already read. */
#include "csv.h"

#include "fdio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

/* ---------------------------------------------------------------- records */

enum { REC_MORE, REC_END, REC_EOF };  /* what ended a field: ',', newline, end of file */

int pb_csv_open(struct pb_csv *c, const char *path, struct pb_err *err)
{
    memset(c, 0, sizeof *c);
    c->path = path;
    c->next_line = 1;
    int rc = pb_read_file(path, &c->buf, &c->len);
    if (rc < 0)
        return pb_fail(err, rc, "%s: cannot read: %s", path,
                       rc == -EINVAL ? "not a regular file" : strerror(-rc));
    return 0;
}

/* The next byte of the file, or EOF; counts lines. */
static int next(struct pb_csv *c)
{
    if (c->pos >= c->len)
        return EOF;
    int ch = (unsigned char)c->buf[c->pos++];
    c->next_line += ch == '\n';
    return ch;
}

/* What a field ended with, from the byte after it. */
static int stop_of(int ch)
{
    return ch == ',' ? REC_MORE : ch == '\n' ? REC_END : REC_EOF;
}

/* Reads the rest of an unquoted field whose first byte is ch, writing it at *w. A CR is
 * dropped (CRLF line ends). Returns 0 or -EBADMSG with *why set. */
static int read_plain(struct pb_csv *c, int ch, size_t *w, int *stop, const char **why)
{
    for (;; ch = next(c)) {
        if (ch == ',' || ch == '\n' || ch == EOF) {
            *stop = stop_of(ch);
            return 0;
        }
        if (ch == '"') {
            *why = "quote inside an unquoted field";
            return -EBADMSG;
        }
        if (ch != '\r')
            c->buf[(*w)++] = (char)ch;
    }
}

/* Reads a quoted field after its opening quote, writing it at *w; "" stands for one quote.
 * Returns 0 or -EBADMSG with *why set. */
static int read_quoted(struct pb_csv *c, size_t *w, int *stop, const char **why)
{
    for (;;) {
        int ch = next(c);
        if (ch == EOF) {
            *why = "quoted field not closed before the end of the file";
            return -EBADMSG;
        }
        if (ch == '"' && (ch = next(c)) != '"') {
            if (ch == '\r')
                ch = next(c);
            *stop = stop_of(ch);
            if (ch == ',' || ch == '\n' || ch == EOF)
                return 0;
            *why = "text after a closing quote";
            return -EBADMSG;
        }
        c->buf[(*w)++] = (char)ch;
    }
}

/* Appends a field starting at buf + at to the current record. Returns 0 or -ENOMEM. */
static int add_field(struct pb_csv *c, size_t at)
{
    if (c->nf == c->capf) {
        size_t cap = c->capf ? 2 * c->capf : 32;
        char **v = realloc(c->fields, cap * sizeof *v);
        if (!v)
            return -ENOMEM;
        c->fields = v;
        c->capf = cap;
    }
    c->fields[c->nf++] = c->buf + at;
    return 0;
}

/* Splits one record (blank or not) from the current position. Returns REC_END or REC_EOF for
 * what ended it, or a negative errno (-EBADMSG with *why set). */
static int split_record(struct pb_csv *c, const char **why)
{
    int stop = REC_MORE;
    c->nf = 0;
    c->line = c->next_line;
    while (stop == REC_MORE) {
        size_t w = c->pos;
        int rc = add_field(c, w);
        int ch = rc == 0 ? next(c) : EOF;
        if (rc == 0)
            rc = ch == '"' ? read_quoted(c, &w, &stop, why) : read_plain(c, ch, &w, &stop, why);
        if (rc != 0)
            return rc;
        c->buf[w] = '\0';
    }
    return stop;
}

int pb_csv_next(struct pb_csv *c, struct pb_err *err)
{
    for (;;) {
        const char *why = "";
        size_t start = c->pos;
        int rc = split_record(c, &why);
        if (rc == -EBADMSG)
            return pb_fail(err, -EINVAL, "%s:%ld: %s", c->path, c->line, why);
        if (rc < 0)
            return pb_fail(err, rc, "%s:%ld: %s", c->path, c->line, strerror(-rc));
        size_t used = c->pos - start;
        if (rc == REC_EOF && used == 0)
            return 0;
        if (c->nf == 1 && c->fields[0][0] == '\0' && used <= 2) {   /* a blank line */
            if (rc == REC_EOF)
                return 0;
            continue;
        }
        if (c->width && c->nf != c->width)
            return pb_fail(err, -EINVAL, "%s:%ld: %zu fields, but the header has %zu", c->path,
                           c->line, c->nf, c->width);
        return 1;
    }
}

int pb_csv_header(struct pb_csv *c, struct pb_err *err)
{
    int rc = pb_csv_next(c, err);
    if (rc == 0)
        return pb_fail(err, -EINVAL, "%s:1: empty file, expected the header line", c->path);
    if (rc < 0)
        return rc;
    c->width = c->nf;
    return 0;
}

void pb_csv_close(struct pb_csv *c)
{
    free(c->buf);
    free(c->fields);
    memset(c, 0, sizeof *c);
}

/* ---------------------------------------------------------------- the table */

/* Appends the current record's fields to the cells of t (cap: cells allocated). Returns 0 or
 * -ENOMEM. */
static int add_cells(struct pb_table *t, size_t *cap, const struct pb_csv *c)
{
    if ((t->nrows + 1) * t->ncols > *cap) {
        size_t n = *cap ? 2 * *cap : 64 * t->ncols;
        char **v = realloc(t->cells, n * sizeof *v);
        if (!v)
            return -ENOMEM;
        t->cells = v;
        *cap = n;
    }
    memcpy(t->cells + t->nrows++ * t->ncols, c->fields, t->ncols * sizeof *c->fields);
    return 0;
}

int pb_table_read(const char *path, struct pb_table *t, struct pb_err *err)
{
    struct pb_csv c;
    size_t cap = 0;
    memset(t, 0, sizeof *t);
    int rc = pb_csv_open(&c, path, err);
    if (rc == 0)
        rc = pb_csv_header(&c, err);
    if (rc == 0) {
        t->ncols = c.nf;
        t->head = malloc(c.nf * sizeof *t->head);
        rc = t->head ? 0 : pb_fail(err, -ENOMEM, "%s: out of memory", path);
    }
    if (rc == 0)
        memcpy(t->head, c.fields, c.nf * sizeof *t->head);
    while (rc == 0 && (rc = pb_csv_next(&c, err)) == 1)
        if ((rc = add_cells(t, &cap, &c)) < 0)
            pb_fail(err, rc, "%s: out of memory", path);
    t->buf = c.buf;                  /* the cells point into it */
    c.buf = NULL;
    pb_csv_close(&c);
    if (rc < 0)
        pb_table_free(t);
    return rc < 0 ? rc : 0;
}

int pb_table_col(const struct pb_table *t, const char *name)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (strcmp(t->head[c], name) == 0)
            return (int)c;
    return -1;
}

const char *pb_table_get(const struct pb_table *t, size_t row, int col)
{
    if (col < 0 || (size_t)col >= t->ncols || row >= t->nrows)
        return "";
    return t->cells[row * t->ncols + (size_t)col];
}

void pb_table_free(struct pb_table *t)
{
    free(t->head);
    free(t->cells);
    free(t->buf);
    memset(t, 0, sizeof *t);
}
