/* resultset.h — the files of one result set DIR/NAME in one place: NAME.csv (the runs),
 * NAME_summary.csv, NAME.json (environment and config), NAME.html (the report) and each
 * figure's DIR/NAME_<stem>.gp, .png, .svg and .pdf (plots.h's table of figures, then the
 * config's declared ones); the lock DIR/.NAME.lock a writer holds; the checks made before a
 * sweep writes its first byte; and the sequence that ends a result set — the summary from
 * NAME.csv, the figure scripts, their rendering, then the report — run by the end of a sweep
 * and by `bench plot` alike. What the figures need besides the summary (the measured limit,
 * the config's declared figures) is read from NAME.json in both cases, so `bench plot
 * DIR/NAME.csv` rewrites every script of the sweep byte for byte. */
#ifndef PAIRBENCH_RESULTSET_H
#define PAIRBENCH_RESULTSET_H

#include "config.h"
#include "error.h"
#include "results.h"

#include <stddef.h>
#include <stdio.h>

/* The paths of a result set's four files. */
struct pb_resultset_paths {
    char csv[1024], summary[1024], meta[1024], report[1024];
};

/* What a sweep is about to write into DIR/NAME, for pb_resultset_prepare. */
struct pb_resultset_writer {
    int resume;                      /* --resume: an existing NAME.csv is continued */
    int force;                       /* --force: existing files of NAME are replaced */
    const char *inputs[2];           /* files the sweep reads (its config, its points file),
                                        never replaced by an output; NULL: none */
    const struct pb_figure_decl *figures;   /* the config's declared figures (not owned) */
    size_t nfigures;
};

/* Takes DIR/.NAME.lock (flock, close-on-exec; the file holds the owner's pid) without waiting:
 * what a sweep holds while it writes DIR/NAME*, and `bench plot` while it rewrites the
 * summary, figures and report. *fd receives the descriptor; closing it (or exiting) releases
 * the lock. Returns 0, -EBUSY with err naming the holder's pid when another process holds it,
 * or -errno with err. */
int pb_resultset_lock(const char *dir, const char *name, int *fd, struct pb_err *err);

/* Everything that must hold before a sweep writes its first byte into DIR/NAME: DIR created
 * (one level) when missing and a writable folder; the paths into p (-ENAMETOOLONG when one does
 * not fit: a cut path would name another file); the lock taken into *lock_fd (-1 until then;
 * the caller closes it, whatever this returns); then every file of the result set checked: a
 * symbolic link or anything but a regular file is refused always, and so is one of w's inputs;
 * an existing file is refused unless w continues NAME.csv (--resume with NAME.csv present) or
 * w->force replaces it; another sweep's results CSV under one of NAME's other names is refused
 * unless w->force. Returns 0 or -errno with err naming the file and what to do. */
int pb_resultset_prepare(const char *dir, const char *name, const struct pb_resultset_writer *w,
                         struct pb_resultset_paths *p, int *lock_fd, struct pb_err *err);

/* --resume: the rows already in the runs' CSV at path csv (*rows malloc'd, the caller frees
 * it), after cutting off an incomplete last line that an interrupted write left (warned about
 * on warn, when not NULL). Rows written by another config (their config_hash is not hash) are
 * refused. Returns 0 (no rows when csv does not exist), or -errno with err. */
int pb_resultset_resume(const char *csv, const char *hash, FILE *warn, struct pb_row **rows,
                        size_t *nrows, struct pb_err *err);

/* Opens the runs' CSV at path csv into *f for a sweep's rows: appended to when resume and it
 * exists, else created new with its header (force: replacing the old one), never through a
 * symlink, close-on-exec so no run or command inherits it. *made: 1 when it was created anew.
 * *f may be set even when the header could not be written: the caller closes it. Returns 0
 * or -errno with err. */
int pb_resultset_open_csv(const char *csv, int resume, int force, FILE **f, int *made,
                          struct pb_err *err);

/* How pb_resultset_finish runs. */
struct pb_resultset_opts {
    int render;                      /* 1: run gnuplot on the scripts */
    int fresh;                       /* 1: write the summary from NAME.csv; 0: only when
                                        NAME.csv is newer than it or it is missing */
    FILE *warn;                      /* the summary's flagged points, a line each; or NULL */
    int (*stop)(void);               /* 1 when SIGINT asks rendering to stop; NULL: never */
};

/* What pb_resultset_finish did. */
struct pb_resultset_result {
    int scripts_failed;              /* 1: the scripts could not be written (note says why) */
    int figures_failed;              /* 1: a figure could not be drawn (note names them) */
    int rendered;                    /* 1: every figure rendered */
    int interrupted;                 /* 1: stopped while rendering: the rest was not drawn */
    char note[1024];                 /* why figures are missing; "" when none is */
};

/* Ends result set DIR/NAME into r (zeroed first): the summary, the scripts, their rendering
 * (when o->render), the report. The scripts' and the figures' failures do not stop it: they
 * are in r, and the report names them. Returns 0, or -errno with err filled when the summary,
 * NAME.json's figures or the report could not be read or written. */
int pb_resultset_finish(const char *dir, const char *name, const struct pb_resultset_opts *o,
                        struct pb_resultset_result *r, struct pb_err *err);

#endif
