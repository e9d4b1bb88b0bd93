/* closing.h — the closing table of a sweep: the fastest configuration at each n, from the whole
 * of NAME.csv (this session's rows and resumed ones), with its memory, its speedup over naive
 * and the flags that make its timing doubtful. Run stage; main prints it. */
#ifndef PAIRBENCH_CLOSING_H
#define PAIRBENCH_CLOSING_H

#include "results.h"

#include <stddef.h>

/* The fastest strategy at one n, for the closing table. */
struct pb_best {
    size_t n;
    char label[1200];                /* "strategy[params] xT": label < 64 and params < 1024
                                        bytes (results.h), so it is never cut */
    double median_s;
    long peak_kib;
    double speedup_vs_naive;         /* naive's median / this median; 0 when naive absent */
    char flags[200];                 /* "" when no point at n was flagged, else this point's
                                        summary flag ("cv 7.2% > 5%", "busy 3/3 runs",
                                        "capped: 2 CPUs for 4 threads") and how many other
                                        points at n the summary flags */
    char strategy[64], params[1024]; /* the point's key in NAME_summary.csv */
    int threads, ranks;
};

/* The fastest configuration (least median wall time of its counted ok runs) at each of
 * sizes[0..nsizes) among rows, into *best (malloc'd, the caller frees it; NULL when out of
 * memory), with the rows' busy and capped flags. Returns how many sizes had one. */
size_t pb_closing_table(const struct pb_row *rows, size_t nrows, const size_t *sizes,
                        size_t nsizes, struct pb_best **best);

/* Rewrites each best[i].flags from DIR/NAME_summary.csv, whose flag column holds every reason a
 * point's timing is doubtful (spread and outliers as well as busy and capped): the picked
 * point's flag, then how many other measured points at n are flagged. Without a summary, or
 * when it lacks the point, the flags stay as they are. */
void pb_closing_flags(const char *dir, const char *name, struct pb_best *best, size_t nbest);

#endif
