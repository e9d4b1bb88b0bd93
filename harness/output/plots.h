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

#include "error.h"

#include <stddef.h>

/* The figures, in the order they are written, rendered and shown. */
#define PB_FIGURE_COUNT 4
extern const char *const pb_figure_names[PB_FIGURE_COUNT];  /* "time", "memory", ... */

struct pb_plot_opts {
    double peak_pairs_per_s;         /* one thread's measured peak pairs/s; <= 0: none known.
                                        The throughput figure draws peak x T per thread count T */
};

/* The crossover figure of an "rmax" sweep (median time vs rmax per strategy), written as
 * DIR/NAME_rmax.gp beside the others only when the summary's params hold "rmax=". */
#define PB_FIGURE_RMAX "rmax"

/* Writes DIR/NAME_{time,memory,speedup,throughput}.gp (and NAME_rmax.gp for an "rmax" sweep,
 * removing a stale one otherwise) from DIR/NAME_summary.csv (which must
 * exist: write the summary first). o may be NULL (no limit line). Returns 0, or -errno with err
 * naming the file (-ENOENT when the summary is missing, -EINVAL when it lacks a column or holds
 * no counted rows). */
int pb_plots_write(const char *dir, const char *name, const struct pb_plot_opts *o,
                   struct pb_err *err);

/* Runs gnuplot on each script pb_plots_write wrote (NAME_rmax.gp when present), leaving NAME_<figure>.{png,svg,pdf}.
 * gnuplot is looked up on PATH (or taken from the environment variable PB_GNUPLOT). Returns 0;
 * -ENOENT when gnuplot is not installed (the sweep still succeeded: the caller notes it); or
 * -EIO with err naming the failing script and gnuplot's last line of complaint. */
int pb_plots_render(const char *dir, const char *name, struct pb_err *err);

#endif
