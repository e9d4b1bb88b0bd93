/* pipeline.h — the end of a result set, one sequence for the end of a sweep and for `bench
 * plot`: the summary from NAME.csv, the figure scripts, their rendering, then the report. What
 * the figures need besides the summary (the measured limit, the config's declared figures) is
 * read from NAME.json in both cases, so `bench plot DIR/NAME.csv` rewrites every script of the
 * sweep byte for byte. */
#ifndef PAIRBENCH_PIPELINE_H
#define PAIRBENCH_PIPELINE_H

#include "error.h"

#include <stdio.h>

struct pb_pipeline_opts {
    int render;                      /* 1: run gnuplot on the scripts */
    int fresh;                       /* 1: write the summary from NAME.csv; 0: only when
                                        NAME.csv is newer than it or it is missing */
    FILE *warn;                      /* the summary's flagged points, a line each; or NULL */
};

struct pb_pipeline_result {
    int scripts_failed;              /* 1: the scripts could not be written (note says why) */
    int figures_failed;              /* 1: a figure could not be drawn (note names them) */
    int rendered;                    /* 1: every figure rendered */
    int interrupted;                 /* 1: SIGINT while rendering: the rest was not drawn */
    char note[1024];                 /* why figures are missing; "" when none is */
};

/* Runs the sequence for DIR/NAME into r (zeroed first). The scripts' and the figures' failures
 * do not stop it: they are in r, and the report names them. Returns 0, or -errno with err
 * filled when the summary, NAME.json's figures or the report could not be read or written. */
int pb_pipeline_run(const char *dir, const char *name, const struct pb_pipeline_opts *o,
                    struct pb_pipeline_result *r, struct pb_err *err);

#endif
