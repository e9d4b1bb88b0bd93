/* csv.h — the CSV text format of NAME.csv and NAME_summary.csv: the one field writer, the one
 * reader (RFC 4180 records: quoted fields with commas, quotes and line breaks, CRLF line ends),
 * and the table of string cells built on that reader for files read by column name.
 *
 * The typed reader of NAME.csv (pb_csv_read in results.h) and the table are both built on
 * pb_csv_open / pb_csv_header / pb_csv_next, so every CSV is split the same way and a malformed
 * one is refused with the same "PATH:LINE: what is wrong" message. */
#ifndef PAIRBENCH_CSV_H
#define PAIRBENCH_CSV_H

#include "error.h"

#include <stddef.h>
#include <stdio.h>

/* Writes s as one CSV field, quoted RFC 4180 style when it holds a comma, quote, CR or LF.
 * Returns 0 or -EIO. */
int pb_csv_put_field(FILE *f, const char *s);

/* A CSV file being read: the whole file in memory, split one record at a time in place. */
struct pb_csv {
    const char *path;                /* for messages */
    char *buf;                       /* the file's bytes (+ NUL); fields are unquoted in place */
    size_t len, pos;                 /* its length; the next byte to read */
    long line;                       /* line where the current record starts (1-based) */
    long next_line;                  /* line the next byte belongs to */
    char **fields;                   /* the current record's nf fields, NUL-terminated in buf */
    size_t nf, capf;
    size_t width;                    /* fields every record must have (the header's); 0: any */
};

/* Reads the regular file at path into c (zeroed first). Returns 0, or -errno with err as
 * "PATH: cannot read: why" (-ENOENT: no such file; -EINVAL: not a regular file). Release
 * with pb_csv_close. */
int pb_csv_open(struct pb_csv *c, const char *path, struct pb_err *err);

/* Reads the next record into c->fields[0..c->nf); blank lines are skipped. The fields stay
 * valid until pb_csv_close. Returns 1 for a record, 0 at the end of the file, or -EINVAL with
 * err as "PATH:LINE: why" for malformed text (a quote inside an unquoted field, text after a
 * closing quote, a quoted field not closed) or a record whose field count differs from
 * c->width ("N fields, but the header has M"); -ENOMEM. */
int pb_csv_next(struct pb_csv *c, struct pb_err *err);

/* Reads the header record and sets c->width to its field count, so that every later record
 * must have as many. Returns 0, or -EINVAL for an empty file ("PATH:1: empty file, expected the
 * header line") or a malformed header, as pb_csv_next. */
int pb_csv_header(struct pb_csv *c, struct pb_err *err);

/* Releases what pb_csv_open allocated; safe on a zeroed reader. */
void pb_csv_close(struct pb_csv *c);

/* A CSV file held in memory: a header and rows of string cells, every row as wide as the
 * header. */
struct pb_table {
    char **head;                     /* ncols column names */
    char **cells;                    /* nrows * ncols cells, row-major */
    size_t nrows, ncols;
    char *buf;                       /* owns every string above */
};

/* Reads path into t (zeroed first) with the reader above. Returns 0, or -errno with err as the
 * reader's messages (-ENOENT: no such file). Release with pb_table_free. */
int pb_table_read(const char *path, struct pb_table *t, struct pb_err *err);

/* Index of the column named name, or -1. */
int pb_table_col(const struct pb_table *t, const char *name);

/* Cell (row, col); "" when col < 0 so a missing optional column reads as empty. */
const char *pb_table_get(const struct pb_table *t, size_t row, int col);

/* Releases what pb_table_read allocated; safe on a zeroed table. */
void pb_table_free(struct pb_table *t);

#endif
