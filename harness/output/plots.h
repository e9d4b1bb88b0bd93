/* plots.h — the figures of a result set: gnuplot scripts written beside NAME_summary.csv that read
 * it (never a copy of its numbers), and their rendering to PNG, SVG and PDF.
 *
 * Each script locates the CSV relative to itself, so `gnuplot DIR/NAME_time.gp` works from any
 * working directory and a results folder can be moved. The series (one per strategy label,
 * params and thread count) and their styles are fixed when the script is written, from the
 * summary then present: one colour and point type per strategy label (sorted order, fixed
 * palette) in every figure; the thread count sets the dash pattern. */
#ifndef PAIRBENCH_PLOTS_H
#define PAIRBENCH_PLOTS_H

#include "config.h"
#include "error.h"

#include <stddef.h>

/* The table of figures (plots.c), in the order they are written, rendered and shown: one row
 * per figure. A conditional row (the rmax one) is drawn only for a summary that has it. */
size_t pb_figure_count(void);                /* rows in the table */
const char *pb_figure_stem(size_t i);        /* row i's stem ("time", ...); NULL past the end */
int pb_figure_conditional(size_t i);         /* 1: row i is drawn only when the summary has it */

/* The files of one figure DIR/NAME_<stem><suffix>: its script, then what rendering makes. */
#define PB_FIGURE_NFILES 4
extern const char *const pb_figure_files[PB_FIGURE_NFILES];   /* ".gp", ".png", ".svg", ".pdf" */

/* What the figures need besides the summary; peak and figures come from the result set's
 * NAME.json (see resultset.h), so a sweep and `bench plot` write the same scripts. */
struct pb_plot_opts {
    double peak_pairs_per_s;         /* one thread's measured peak pairs/s; <= 0: none known.
                                        The throughput figure draws peak x T per thread count T */
    const struct pb_figure_decl *figures;  /* the config's declared figures (not owned) */
    size_t nfigures;
    int (*stop)(void);               /* rendering: 1 when SIGINT asks to stop; NULL: never */
};

/* The stem of the crossover figure of an "rmax" sweep (median time vs rmax per strategy), the
 * table's conditional row: DIR/NAME_rmax.gp is written only when the summary's params hold
 * "rmax=". */
#define PB_FIGURE_RMAX "rmax"

/* Writes DIR/NAME_<stem>.gp for each row of the table of figures (a conditional row's only when
 * the summary has it, removing a stale one otherwise: NAME_rmax.gp for an "rmax" sweep), then
 * DIR/NAME_<name>.gp for each of o's declared figures, from DIR/NAME_summary.csv (which must
 * exist: write the summary first). o may be NULL (no
 * limit line, no declared figure). A point without a value to draw (skipped, failed, timed
 * out) is left out and named in a note under its figure; a figure with no point at all says
 * so in an empty frame. Returns 0, or -errno with err naming the file (-ENOENT when the
 * summary is missing, -EINVAL when it lacks a column or holds no counted rows). */
int pb_plots_write(const char *dir, const char *name, const struct pb_plot_opts *o,
                   struct pb_err *err);

/* The stems of the figures of DIR/NAME, in the order they are written, rendered and shown: the
 * table's rows (a conditional one when its script DIR/NAME_<stem>.gp exists), then o's
 * declared figures (o may be NULL). Writes up to cap into stems (pointers into static text or
 * o); returns how many. */
size_t pb_plots_stems(const char *dir, const char *name, const struct pb_plot_opts *o,
                      const char **stems, size_t cap);

/* Runs gnuplot on each script of pb_plots_stems, leaving NAME_<stem>.{png,svg,pdf}; a figure
 * that fails does not stop the others, and an empty output is removed, never left behind.
 * gnuplot is looked up on PATH (or taken from the environment variable PB_GNUPLOT); it dies
 * with this process. Returns 0; -ENOENT when gnuplot is not installed (the caller notes it);
 * -EINTR when o->stop says so (gnuplot is killed); or -EIO with err naming the first failing
 * script with gnuplot's last line of complaint, and the other figures not drawn. */
int pb_plots_render(const char *dir, const char *name, const struct pb_plot_opts *o,
                    struct pb_err *err);

#endif
