/* resultset.c — the files of one result set: their lock, the checks before a sweep writes,
 * and the sequence that ends it (see resultset.h). */
#include "resultset.h"

#include "csv.h"
#include "fdio.h"
#include "plots.h"
#include "report.h"
#include "results.h"
#include "summary.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- the lock */

/* See resultset.h. The file stays: removing it would let two processes lock two different
 * files. */
int pb_resultset_lock(const char *dir, const char *name, int *fd_out, struct pb_err *err)
{
    char path[PATH_MAX], pid[32] = "";
    snprintf(path, sizeof path, "%s/.%s.lock", dir, name);
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return pb_fail(err, -errno, "%s: cannot make the lock file: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        ssize_t got = pread(fd, pid, sizeof pid - 1, 0);
        pid[got > 0 ? got : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        close(fd);
        if (e != EWOULDBLOCK)
            return pb_fail(err, -e, "%s: cannot lock: %s", path, strerror(e));
        return pb_fail(err, -EBUSY, "%s/%s: another sweep (or bench plot)%s%s is writing these "
                       "results now; wait until it ends or give another --out", dir, name,
                       pid[0] ? " (pid " : "", pid[0] ? strcat(pid, ")") : "");
    }
    int len = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
    if (ftruncate(fd, 0) == 0)
        (void)!pwrite(fd, pid, (size_t)len, 0);
    *fd_out = fd;
    return 0;
}

/* ---------------------------------------------------------------- before the first byte */

/* Creates dir (one level) when missing and checks it is a writable folder. */
static int prepare_outdir(const char *dir, struct pb_err *err)
{
    struct stat st;
    if (stat(dir, &st) != 0 && mkdir(dir, 0777) != 0)
        return pb_fail(err, -errno, "%s: cannot create output folder: %s", dir, strerror(errno));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return pb_fail(err, -ENOTDIR, "%s: output path is not a folder", dir);
    if (access(dir, W_OK | X_OK) != 0)
        return pb_fail(err, -EACCES, "%s: output folder is not writable", dir);
    return 0;
}

/* The paths of DIR/NAME's four files into p. Returns 0, or -ENAMETOOLONG with err set when one
 * does not fit (a cut path would name another file). */
static int set_paths(const char *dir, const char *name, struct pb_resultset_paths *p,
                     struct pb_err *err)
{
    snprintf(p->csv, sizeof p->csv, "%s/%s.csv", dir, name);
    snprintf(p->meta, sizeof p->meta, "%s/%s.json", dir, name);
    snprintf(p->report, sizeof p->report, "%s/%s.html", dir, name);
    if (snprintf(p->summary, sizeof p->summary, "%s/%s_summary.csv", dir, name) >=
        (int)sizeof p->summary)
        return pb_fail(err, -ENAMETOOLONG, "--out %.60s...: the folder and name come to more "
                       "than %zu bytes", dir, sizeof p->summary - 16);
    return 0;
}

/* 1 when path starts with the results CSV header (the raw rows of some sweep). */
static int is_results_csv(const char *path)
{
    char head[64] = "";
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, head, sizeof head - 1) : -1;
    if (fd >= 0)
        close(fd);
    head[got > 0 ? got : 0] = '\0';
    return strncmp(head, PB_CSV_HEADER, strlen(head)) == 0 && got > 40;
}

/* 1 when path is one of w's inputs. */
static int is_input(const struct pb_resultset_writer *w, const char *path)
{
    for (size_t i = 0; i < sizeof w->inputs / sizeof *w->inputs; i++)
        if (w->inputs[i] && pb_same_file(path, w->inputs[i]))
            return 1;
    return 0;
}

/* Checks one file the sweep will write, DIR/NAME<suffix> (temporary when tmp): see
 * pb_resultset_prepare; fresh = 0 when the sweep continues NAME.csv. Returns 0 or -errno with
 * err. */
static int check_output(const char *dir, const char *name, const struct pb_resultset_writer *w,
                        const char *suffix, int tmp, int fresh, struct pb_err *err)
{
    char path[PATH_MAX];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s%s", dir, name, suffix);
    if (lstat(path, &st) != 0)
        return 0;
    if (S_ISLNK(st.st_mode))
        return pb_fail(err, -ELOOP, "%s is a symbolic link: bench writes results only into "
                       "files of its own, never through a link; remove it", path);
    if (!S_ISREG(st.st_mode))
        return pb_fail(err, -EEXIST, "%s exists and is not a regular file; remove it", path);
    if (is_input(w, path))
        return pb_fail(err, -EEXIST, "%s is an input of this sweep (its config or points file) "
                       "and a sweep of \"%s\" would replace it: keep inputs outside --out or "
                       "rename them", path, name);
    if (tmp || w->force)
        return 0;
    if (fresh && strcmp(suffix, ".csv") == 0)
        return pb_fail(err, -EEXIST, "%s already exists: pass --resume to continue it or "
                       "--force to replace it", path);
    if (fresh || (strcmp(suffix, ".csv") != 0 && is_results_csv(path)))
        return pb_fail(err, -EEXIST, "%s already exists and a sweep of \"%s\" would replace it "
                       "(another result set's file?); move it away, give another --out, or "
                       "pass --force", path, name);
    return 0;
}

/* Checks every file of one figure, DIR/NAME_<stem><pb_figure_files[i]>. */
static int check_figure(const char *dir, const char *name, const struct pb_resultset_writer *w,
                        const char *stem, int fresh, struct pb_err *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < PB_FIGURE_NFILES; i++) {
        char suffix[128];
        snprintf(suffix, sizeof suffix, "_%s%s", stem, pb_figure_files[i]);
        rc = check_output(dir, name, w, suffix, 0, fresh, err);
    }
    return rc;
}

/* Every file the sweep writes: the four, their temporary ones, every row of the table of
 * figures (a conditional one included) and the declared figures. */
static int check_outputs(const char *dir, const char *name, const struct pb_resultset_writer *w,
                         const char *csv, struct pb_err *err)
{
    static const char *const files[] = {".csv", "_summary.csv", ".json", ".html"};
    static const char *const tmps[] = {"_summary.csv.tmp", ".html.tmp"};
    int fresh = !(w->resume && access(csv, F_OK) == 0);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof files / sizeof *files; i++)
        rc = check_output(dir, name, w, files[i], 0, fresh, err);
    for (size_t i = 0; rc == 0 && i < sizeof tmps / sizeof *tmps; i++)
        rc = check_output(dir, name, w, tmps[i], 1, fresh, err);
    for (size_t i = 0; rc == 0 && i < pb_figure_count(); i++)
        rc = check_figure(dir, name, w, pb_figure_stem(i), fresh, err);
    for (size_t i = 0; rc == 0 && i < w->nfigures; i++)
        rc = check_figure(dir, name, w, w->figures[i].name, fresh, err);
    return rc;
}

/* See resultset.h. */
int pb_resultset_prepare(const char *dir, const char *name, const struct pb_resultset_writer *w,
                         struct pb_resultset_paths *p, int *lock_fd, struct pb_err *err)
{
    int rc = prepare_outdir(dir, err);
    if (rc == 0)
        rc = set_paths(dir, name, p, err);
    if (rc == 0)
        rc = pb_resultset_lock(dir, name, lock_fd, err);
    return rc < 0 ? rc : check_outputs(dir, name, w, p->csv, err);
}

/* ---------------------------------------------------------------- the runs' CSV */

/* See resultset.h. */
int pb_resultset_resume(const char *csv, const char *hash, FILE *warn, struct pb_row **rows,
                        size_t *nrows, struct pb_err *err)
{
    long dropped = 0;
    struct pb_err e;
    if (access(csv, F_OK) != 0)
        return 0;
    int rc = pb_csv_trim_partial(csv, &dropped);
    if (rc < 0)
        return pb_fail(err, rc, "--resume: %s: %s", csv, strerror(-rc));
    if (rc > 0 && warn)
        fprintf(warn, "warning: %s: dropped an incomplete last line (%ld bytes) left by "
                "an interrupted write\n", csv, dropped);
    if (pb_csv_read(csv, rows, nrows, &e) < 0)
        return pb_fail(err, -EINVAL, "--resume: %s", e.msg);
    for (size_t i = 0; i < *nrows; i++)
        if (strcmp((*rows)[i].config_hash, hash) != 0)
            return pb_fail(err, -EINVAL, "--resume: %s was written by another config (hash %s, "
                           "this config is %s); use --force to start over", csv,
                           (*rows)[i].config_hash, hash);
    return 0;
}

/* See resultset.h. */
int pb_resultset_open_csv(const char *csv, int resume, int force, FILE **f, int *made,
                          struct pb_err *err)
{
    int append = resume && access(csv, F_OK) == 0;
    int fd = append ? open(csv, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)
                    : pb_create_file(csv, force);
    if (fd < 0 && !append)
        errno = -fd;
    *made = !append && fd >= 0;
    *f = fd >= 0 ? fdopen(fd, "a") : NULL;
    if (!*f) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return pb_fail(err, -e, "%s: cannot write: %s", csv, pb_write_error(e));
    }
    int rc = append ? 0 : pb_csv_write_header(*f);
    if (rc < 0)
        return pb_fail(err, rc, "%s: cannot write the header: %s", csv, pb_write_error(rc));
    return 0;
}

/* ---------------------------------------------------------------- the end of a result set */

/* Modification time of path in ns, or -1 when it does not exist. */
static long long mtime(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

/* Writes DIR/NAME_summary.csv from DIR/NAME.csv when fresh, when it is missing or when the
 * runs are newer. Returns 0 or -errno with err filled (-ENOENT: neither file exists). */
static int write_summary(const char *dir, const char *name, int fresh, FILE *warn,
                         struct pb_err *err)
{
    char csv[4096], summary[4096];
    if (snprintf(csv, sizeof csv, "%s/%s.csv", dir, name) >= (int)sizeof csv - 16)
        return pb_fail(err, -ENAMETOOLONG, "%.60s...: the folder and name are too long", dir);
    snprintf(summary, sizeof summary, "%s/%s_summary.csv", dir, name);
    long long runs = mtime(csv), sum = mtime(summary);
    if (runs < 0 && sum < 0)
        return pb_fail(err, -ENOENT, "%s: no such file", csv);
    if (runs < 0 || (!fresh && sum >= runs))
        return 0;
    struct pb_row *rows = NULL;
    size_t nrows = 0;
    int rc = pb_csv_read(csv, &rows, &nrows, err);
    if (rc == 0)
        rc = pb_summary_write(rows, nrows, summary, warn, err);
    free(rows);
    return rc;
}

/* One thread's measured peak pairs/s from NAME.json (meta): the latest session's
 * extra.limit_bound_pairs_per_s, else the document's own; 0 when none was measured. */
static double measured_peak(const char *meta)
{
    json_error_t jerr;
    json_t *root = json_load_file(meta, 0, &jerr);
    json_t *sessions = json_object_get(root, "sessions");
    json_t *last = json_array_get(sessions, json_array_size(sessions) - 1);
    json_t *v = json_object_get(json_object_get(last, "extra"), "limit_bound_pairs_per_s");
    if (!json_is_number(v))
        v = json_object_get(json_object_get(root, "extra"), "limit_bound_pairs_per_s");
    double peak = json_is_number(v) ? json_number_value(v) : 0;
    json_decref(root);
    return peak;
}

/* Writes the scripts and renders them (when asked) with po, noting failures in r. */
static void draw(const char *dir, const char *name, const struct pb_plot_opts *po, int render,
                 struct pb_resultset_result *r)
{
    struct pb_err pe = {{0}};
    int rc = pb_plots_write(dir, name, po, &pe);
    r->scripts_failed = rc < 0;
    if (rc == 0 && render)
        rc = pb_plots_render(dir, name, po, &pe);
    else if (rc == 0)
        pb_fit(pe.msg, sizeof pe.msg, "not rendered (--no-render): run gnuplot on the scripts");
    r->rendered = rc == 0 && render;
    r->interrupted = rc == -EINTR;
    r->figures_failed = rc < 0 && rc != -ENOENT && rc != -EINTR;
    if (!r->rendered)
        snprintf(r->note, sizeof r->note, "%s", pe.msg);
}

/* See resultset.h. */
int pb_resultset_finish(const char *dir, const char *name, const struct pb_resultset_opts *o,
                        struct pb_resultset_result *r, struct pb_err *err)
{
    char meta[4096];
    struct pb_figure_decl *figs = NULL;
    size_t nfigs = 0;
    memset(r, 0, sizeof *r);
    int rc = write_summary(dir, name, o->fresh, o->warn, err);
    if (rc < 0)
        return rc;
    snprintf(meta, sizeof meta, "%s/%s.json", dir, name);
    if ((rc = pb_config_figures_read(meta, &figs, &nfigs, err)) < 0)
        return rc;
    struct pb_plot_opts po = {.peak_pairs_per_s = measured_peak(meta), .figures = figs,
                              .nfigures = nfigs, .stop = o->stop};
    draw(dir, name, &po, o->render, r);
    rc = pb_report_write_figures(dir, name, &po, r->note[0] ? r->note : NULL, err);
    pb_figure_decls_free(figs, nfigs);
    return rc;
}
