/* report.h — DIR/NAME.html: one self-contained page a person reads instead of the CSV: the
 * rendered figures (embedded as data URIs), the summary table with the best strategy per n
 * marked and failed or unverified points marked, the failed runs, the environment and the
 * config. No external file, font or script: it opens from a mail attachment or an archive. */
#ifndef PAIRBENCH_REPORT_H
#define PAIRBENCH_REPORT_H

#include "error.h"

/* Writes DIR/NAME.html (replacing it atomically) from DIR/NAME_summary.csv (required),
 * DIR/NAME.csv (the runs, optional: lists the failed ones), DIR/NAME.json (environment and
 * config, optional) and DIR/NAME_<figure>.svg or .png (optional: a figure not rendered is
 * named as missing). Every string from those files is HTML-escaped. The page's body carries
 * data-figures="N" and, once loaded, data-figures-ok="K": how many figures decoded.
 * Returns 0 or -errno with err naming the file (-ENOENT: no summary). */
int pb_report_write(const char *dir, const char *name, struct pb_err *err);

/* pb_report_write showing the figures of o (plots.h; NULL: the built-in ones, and the rmax one
 * when its script exists), in that order; a missing one is named with note (why the figures
 * were not all drawn), or NULL when nothing is known. */
struct pb_plot_opts;
int pb_report_write_figures(const char *dir, const char *name, const struct pb_plot_opts *o,
                            const char *note, struct pb_err *err);

#endif
