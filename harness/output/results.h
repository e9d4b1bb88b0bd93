/* results.h — the per-run CSV: one row appended and flushed as each run ends, read back for the
 * summary, compare, resume and plots. */
#ifndef PAIRBENCH_RESULTS_H
#define PAIRBENCH_RESULTS_H

#include "error.h"

#include <stddef.h>
#include <stdio.h>

/* Column order of NAME.csv. The first thirteen are the documented contract; the rest follow. */
#define PB_CSV_HEADER \
    "strategy,params,output,n,threads,repeat,wall_s,user_s,sys_s,peak_rss_kib,pairs_per_s," \
    "verified,status,kind,ranks,precision,pin,maxrss_kib,cgroup_peak_kib,fraction_of_limit," \
    "config_hash,rank_max_kib,rank_sum_kib,build_s,dist_evals,pairs_counted"

struct pb_row {
    char strategy[64];               /* label */
    char params[1024];               /* "k=v;k=v" or ""; the config loader refuses longer */
    char output[16];                 /* "matrix" | "histogram" */
    size_t n;
    int threads;
    int repeat;
    double wall_s, user_s, sys_s;
    long peak_rss_kib;               /* = peak PSS of the run's process tree */
    double pairs_per_s;              /* n(n-1)/2 / wall_s; 0 when the run failed */
    char verified[32];               /* "yes", "yes (METHOD)" when checked by an independent
                                        method instead of naive, "no", "" (not checked) */
    char status[192];                /* "ok" or why not */
    char kind[16];                   /* "run" | "warmup" | "overhead" */
    int ranks;
    char precision[8];               /* "double" | "float" */
    char pin[8];                     /* "none" | "cores" */
    long maxrss_kib;
    long cgroup_peak_kib;            /* -1: unavailable */
    double fraction_of_limit;        /* < 0: no limit measured */
    char config_hash[17];
    long rank_max_kib;               /* distributed runs: one rank's peak RSS; -1 otherwise */
    long rank_sum_kib;               /* distributed runs: ranks' peak RSS summed; -1 otherwise */
    double build_s;                  /* spatial strategies: structure build time inside wall_s;
                                        NAN (written "") when none */
    long dist_evals;                 /* pair distances evaluated; -1 (written "") unknown */
    long pairs_counted;              /* histogram: pairs the run counted over its bins (the
                                        denominator of evaluations per counted pair); -1 ("")
                                        unknown or a matrix */
};

/* Writes the header line (PB_CSV_HEADER), then flushes and fsyncs. Returns 0 or -errno. */
int pb_csv_write_header(FILE *f);

/* Writes s as one CSV field, quoted RFC 4180 style when it holds a comma, quote, CR or LF (the
 * summary writer shares it so both files quote alike). Returns 0 or -EIO. */
int pb_csv_put_field(FILE *f, const char *s);

/* Writes one row as a CSV line (fields quoted where they hold commas or quotes), then flushes
 * and fsyncs, so a killed sweep keeps every finished row. The line is formatted whole and
 * written with one write(2); when that fails (a full disk: -ENOSPC) the file is cut back to
 * where it ended, so it never holds part of a row. Returns 0 or -errno. */
int pb_csv_append(FILE *f, const struct pb_row *r);

/* Cuts off an incomplete last record (bytes after the last newline outside quotes), as a
 * write interrupted by a crash of the machine may leave. *dropped gets how many bytes went.
 * Returns 1 when something was cut, 0 when the file ended with a whole record, or -errno. */
int pb_csv_trim_partial(const char *path, long *dropped);

/* Number formats, kept symmetric with pb_csv_read: wall_s/user_s/sys_s "%.9g", pairs_per_s
 * "%.6g", fraction_of_limit "%.4g"; a non-finite double, a negative fraction_of_limit and a
 * negative kib figure (-1: unknown) are written as an empty field and read back as NAN, -1, -1. */

/* Reads a CSV written by pb_csv_append (header first; columns found by name, so older or
 * reordered files still read; unknown columns are ignored; the first thirteen columns are
 * required, the others take their defaults: kind "run", ranks 1, precision "double", pin
 * "none", kib -1, fraction -1, config_hash ""). *rows is malloc'd (the caller frees it; NULL
 * when there are no rows). Returns 0, or -errno with err as "PATH:LINE: what is wrong". */
int pb_csv_read(const char *path, struct pb_row **rows, size_t *nrows, struct pb_err *err);

/* 1 when a verified cell says the run verified: "yes", or "yes (METHOD)" when an independent
 * method checked it instead of naive; 0 for "no", "no (METHOD)", "" and anything else. Every
 * reader of the column asks this rather than comparing with "yes". */
int pb_verified_ok(const char *verified);

#endif
