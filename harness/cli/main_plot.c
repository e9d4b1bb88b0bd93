/* main_plot.c — `bench plot DIR/NAME.csv [--no-render]`: the figures and the report of a result
 * set already on disk, the same steps a sweep takes at its end. A CLI front-end: it prints. */
#include "main_commands.h"
#include "plots.h"
#include "report.h"
#include "results.h"
#include "summary.h"
#include "sweep.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int pb_main_plot(int argc, char **argv);

/* Splits "DIR/NAME.csv" (or "DIR/NAME_summary.csv") into dir and name. NAME must be a result
 * name as a config gives it (letters, digits, '_', '.', '-'): it goes into file names, gnuplot
 * scripts and the report, so a line break or a quote in it is refused, and so is a DIR or NAME
 * too long for its buffer (never cut). Returns 0 or -EINVAL. */
static int split_path(const char *arg, char *dir, size_t dcap, char *name, size_t ncap)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
    size_t len = strlen(arg);
    if (len < 5 || strcmp(arg + len - 4, ".csv") != 0)
        return -EINVAL;
    len -= 4;
    if (len > 8 && strncmp(arg + len - 8, "_summary", 8) == 0)
        len -= 8;
    const char *slash = memrchr(arg, '/', len);
    size_t base = slash ? (size_t)(slash - arg) + 1 : 0;
    if (base == len || strspn(arg + base, ok) < len - base || len - base >= ncap ||
        (slash && (size_t)(slash - arg) >= dcap))
        return -EINVAL;
    if (!slash)
        snprintf(dir, dcap, ".");
    else if (slash == arg)
        snprintf(dir, dcap, "/");
    else
        snprintf(dir, dcap, "%.*s", (int)(slash - arg), arg);
    snprintf(name, ncap, "%.*s", (int)(len - base), arg + base);
    return 0;
}

/* Modification time of path, or -1 when it does not exist. */
static long long mtime(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

/* (Re)writes DIR/NAME_summary.csv from DIR/NAME.csv when the summary is missing or older.
 * Returns 0 or -errno with err filled. */
static int refresh_summary(const char *dir, const char *name, struct pb_err *err)
{
    char csv[4096], summary[4096];
    snprintf(csv, sizeof csv, "%s/%s.csv", dir, name);
    snprintf(summary, sizeof summary, "%s/%s_summary.csv", dir, name);
    long long runs = mtime(csv), sum = mtime(summary);
    if (runs < 0 && sum < 0)
        return pb_fail(err, -ENOENT, "%s: no such file", csv);
    if (runs < 0 || sum >= runs)
        return 0;
    struct pb_row *rows = NULL;
    size_t nrows = 0;
    int rc = pb_csv_read(csv, &rows, &nrows, err);
    if (rc == 0)
        rc = pb_summary_write(rows, nrows, summary, stderr, err);
    free(rows);
    return rc;
}

static void usage(FILE *f)
{
    fputs("usage: " PB_PLOT_SYNOPSIS "\n"
          "  Writes DIR/NAME_{time,memory,speedup,throughput}.gp from DIR/NAME_summary.csv\n"
          "  (rewritten first when DIR/NAME.csv is newer), renders them to PNG, SVG and PDF\n"
          "  with gnuplot unless --no-render, and writes the report DIR/NAME.html.\n", f);
}

/* Runs the plot command. argv[0] is "plot". Returns the exit status: 0 done, 1 a figure failed
 * to render, 2 bad usage or unreadable input. */
int pb_main_plot(int argc, char **argv)
{
    const char *path = NULL;
    int render = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--no-render") == 0) {
            render = 0;
        } else if (!path && argv[i][0] != '-') {
            path = argv[i];
        } else {
            fprintf(stderr, "bench plot: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    char dir[2048], name[1024];
    if (!path || split_path(path, dir, sizeof dir, name, sizeof name) < 0) {
        fprintf(stderr, "bench plot: expected DIR/NAME.csv with NAME of letters, digits, '_', "
                "'.' or '-' (as a config's \"name\"), got '%s'\n", path ? path : "");
        usage(stderr);
        return 2;
    }
    struct pb_err err = {{0}};
    int lock;                        /* held until exit: a sweep must not rewrite NAME* now */
    if (pb_sweep_lock(dir, name, &lock, &err) < 0) {
        fprintf(stderr, "bench plot: %s\n", err.msg);
        return 2;
    }
    if (refresh_summary(dir, name, &err) < 0 || pb_plots_write(dir, name, NULL, &err) < 0) {
        fprintf(stderr, "bench plot: %s\n", err.msg);
        return 2;
    }
    int status = 0, rc = render ? pb_plots_render(dir, name, &err) : 0;
    if (rc == -ENOENT)
        fprintf(stderr, "bench plot: note: %s (the .gp scripts are written; install gnuplot "
                        "and run them)\n", err.msg);
    if (rc < 0 && rc != -ENOENT) {
        fprintf(stderr, "bench plot: %s\n", err.msg);
        status = 1;
    }
    if (pb_report_write(dir, name, &err) < 0) {
        fprintf(stderr, "bench plot: %s\n", err.msg);
        return 2;
    }
    printf("figures: %s/%s_{time,memory,speedup,throughput}.gp%s\nreport:  %s/%s.html\n", dir,
           name, render && rc == 0 ? " (.png .svg .pdf)" : "", dir, name);
    return status;
}
