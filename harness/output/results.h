/* results.h — the per-run CSV: one row appended and flushed as each run ends, read back for the
 * summary (after a sweep and by `bench plot`), compare, resume and the report's failed runs. */
#ifndef PAIRBENCH_RESULTS_H
#define PAIRBENCH_RESULTS_H

#include "csv.h"
#include "error.h"
#include "label.h"

#include <stddef.h>
#include <stdio.h>

/* NAME.csv's columns in file order, X(field of struct pb_row, how it is written, its value
 * when the column is absent: NULL when required); LAST is the last one. The first thirteen are
 * the documented contract; the rest follow. The writer, the reader, PB_CSV_HEADER and
 * enum pb_run_col are all made from this one list. Formats: STR text, quoted when needed; SIZE
 * and INT decimal; KIB decimal, negative (unknown) <-> ""; DBL9 "%.9g", DBL6 "%.6g",
 * non-finite <-> ""; FRAC "%.4g", negative (none) <-> "" read as -1. */
#define PB_RUN_COLUMNS(X, LAST) \
    X(strategy, STR, NULL) X(params, STR, NULL) X(output, STR, NULL) X(n, SIZE, NULL) \
    X(threads, INT, NULL) X(repeat, INT, NULL) X(wall_s, DBL9, NULL) X(user_s, DBL9, NULL) \
    X(sys_s, DBL9, NULL) X(peak_rss_kib, KIB, NULL) X(pairs_per_s, DBL6, NULL) \
    X(verified, STR, NULL) X(status, STR, NULL) X(kind, STR, PB_KIND_RUN) X(ranks, INT, "1") \
    X(precision, STR, "double") X(pin, STR, "none") X(maxrss_kib, KIB, "") \
    X(cgroup_peak_kib, KIB, "") X(fraction_of_limit, FRAC, "") X(config_hash, STR, "") \
    X(rank_max_kib, KIB, "") X(rank_sum_kib, KIB, "") X(build_s, DBL9, "") \
    X(dist_evals, KIB, "") X(pairs_counted, KIB, "") X(other_cpu_s, DBL6, "") \
    X(steal_s, DBL6, "") X(cpus_avail, DBL6, "") LAST(flag, STR, "")

/* The header line of NAME.csv (without its newline): the names above, comma-separated. */
#define PB_CSV_NAME_(name, type, dflt) #name ","
#define PB_CSV_LAST_(name, type, dflt) #name
#define PB_CSV_HEADER PB_RUN_COLUMNS(PB_CSV_NAME_, PB_CSV_LAST_)

/* A column of NAME.csv: PB_COL_<field>, in file order. */
enum pb_run_col {
#define PB_COL_ENUM_(name, type, dflt) PB_COL_##name,
    PB_RUN_COLUMNS(PB_COL_ENUM_, PB_COL_ENUM_)
#undef PB_COL_ENUM_
    PB_COL_COUNT
};

/* The words of the status, kind and verified columns; every reader compares with these (or
 * asks the accessors below) rather than with literals. */
#define PB_STATUS_OK "ok"            /* status of a run that ended well; anything else says why
                                        not ("ok; mismatch: ..." is not ok) */
#define PB_KIND_RUN "run"            /* a counted, timed run */
#define PB_KIND_WARMUP "warmup"      /* run before the counted ones, never summarised */
#define PB_KIND_OVERHEAD "overhead"  /* the empty-work run measuring fixed costs (n = 0) */
#define PB_VERIFIED_YES "yes"        /* verified; "yes (METHOD)" by an independent method */
#define PB_VERIFIED_NO "no"          /* checked and wrong; "" when not checked */
#define PB_FLAG_BUSY "busy"          /* flag word: other processes or steal used the run's CPUs
                                        (cpuload.h's threshold) */
#define PB_FLAG_CAPPED "capped"      /* flag word: threads x ranks exceeded cpus_avail */

struct pb_row {
    char strategy[PB_LABEL_MAX];     /* label */
    char params[PB_PARAMS_MAX];      /* "k=v;k=v" or ""; the config loader refuses longer */
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
    double other_cpu_s;              /* CPU seconds other processes used on this process's
                                        CPUs during the run (cpuload.h); NAN unknown */
    double steal_s;                  /* CPU seconds stolen by the hypervisor then; NAN unknown */
    double cpus_avail;               /* CPUs the run could use: affinity, cgroup quota,
                                        OMP_THREAD_LIMIT (cpuload.h); NAN unknown */
    char flag[32];                   /* "" clean, or PB_FLAG_BUSY and/or PB_FLAG_CAPPED joined
                                        by ";" */
};

/* Writes the header line (PB_CSV_HEADER), then flushes and fsyncs. Returns 0 or -errno. */
int pb_csv_write_header(FILE *f);

/* Writes one row as a CSV line (fields quoted where they hold commas or quotes), then flushes
 * and fsyncs, so a killed sweep keeps every finished row. The line is formatted whole and
 * written with one write(2); when that fails (a full disk: -ENOSPC) the file is cut back to
 * where it ended, so it never holds part of a row. Returns 0 or -errno. */
int pb_csv_append(FILE *f, const struct pb_row *r);

/* Cuts off an incomplete last record (bytes after the last newline outside quotes), as a
 * write interrupted by a crash of the machine may leave. *dropped gets how many bytes went.
 * Returns 1 when something was cut, 0 when the file ended with a whole record, or -errno. */
int pb_csv_trim_partial(const char *path, long *dropped);

/* Writes column c of r into buf (cap bytes) as NAME.csv shows it, before quoting (the formats
 * of PB_RUN_COLUMNS, kept symmetric with pb_csv_read). Returns buf. */
char *pb_csv_format(const struct pb_row *r, enum pb_run_col c, char *buf, size_t cap);

/* The header name of column c. */
const char *pb_csv_col_name(enum pb_run_col c);

/* Reads a CSV written by pb_csv_append (header first; columns found by name, so older or
 * reordered files still read; unknown columns are ignored; the first thirteen columns are
 * required, the others take their defaults: kind "run", ranks 1, precision "double", pin
 * "none", kib -1, fraction -1, config_hash ""). *rows is malloc'd (the caller frees it; NULL
 * when there are no rows). The text is split by the one CSV reader (csv.h). Returns 0, or
 * -errno with err as "PATH: cannot read: why" (-ENOENT; -EINVAL: not a regular file) or
 * "PATH:LINE: what is wrong" (-EINVAL). */
int pb_csv_read(const char *path, struct pb_row **rows, size_t *nrows, struct pb_err *err);

/* 1 when a verified cell says the run verified: "yes", or "yes (METHOD)" when an independent
 * method checked it instead of naive; 0 for "no", "no (METHOD)", "" and anything else. Every
 * reader of the column asks this rather than comparing with "yes". */
int pb_verified_ok(const char *verified);

/* 1 when status says the run was never started (PB_STATUS_SKIPPED, then the reason): neither
 * ok nor failed, counted apart from both. */
#define PB_STATUS_SKIPPED "skipped"
int pb_status_skipped(const char *status);

/* 1 when status is exactly PB_STATUS_OK. */
int pb_status_ok(const char *status);

/* 1 when r ended ok (pb_status_ok); pb_row_timed also asks for a finite wall time, as every
 * timing figure does. */
int pb_row_ok(const struct pb_row *r);
int pb_row_timed(const struct pb_row *r);

/* 1 when r's flag column holds word (PB_FLAG_BUSY, PB_FLAG_CAPPED). */
int pb_row_flagged(const struct pb_row *r, const char *word);

/* Describes into buf (cap bytes) the CPU-load flags at the point of pick (its key with
 * threads) among rows, for the closing table: "busy K/M runs" (its counted ok runs flagged
 * busy, of all of them), "capped: C CPUs" (pick's cpus_avail, when a run was capped) and "N
 * other points flagged" (points at pick's n with a flagged counted ok run), joined by "; ";
 * "" when no point at that n has a flag. Returns buf. */
char *pb_rows_point_flags(const struct pb_row *rows, size_t nrows, const struct pb_row *pick,
                          char *buf, size_t cap);

/* 1 when r is of kind kind (PB_KIND_RUN, PB_KIND_WARMUP, PB_KIND_OVERHEAD). A counted run, the
 * one every summary, comparison and closing table times, is pb_row_is(r, PB_KIND_RUN). */
int pb_row_is(const struct pb_row *r, const char *kind);

/* 1 when r is worth a line of its own: not ok, or not verified when it had an answer to verify
 * (every kind but overhead). */
int pb_row_bad(const struct pb_row *r);

/* Orders rows by the key of one measured point: strategy, params, output, kind, precision,
 * ranks, n, then threads when with_threads (so a key's thread counts sit together). 0: the same
 * point, as the summary groups runs and a comparison matches them. */
int pb_row_cmp_key(const struct pb_row *a, const struct pb_row *b, int with_threads);

/* The label of r's strategy as the progress lines and tables print it: "strategy", or
 * "strategy[params]" when it has params, into buf (cap bytes; 1100 never cut). Returns buf. */
char *pb_row_label(const struct pb_row *r, char *buf, size_t cap);

#endif
