/* main_plot.c — `bench plot DIR/NAME.csv [--no-render]`: the figures and the report of a result
 * set already on disk, by the same sequence a sweep ends with (resultset.h). A CLI front-end:
 * it prints. */
#include "main_commands.h"
#include "resultset.h"
#include "runner.h"
#include "stop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void usage(FILE *f)
{
    fputs("usage: " PB_PLOT_SYNOPSIS "\n"
          "  Writes DIR/NAME_{time,memory,speedup,throughput}.gp and the config's declared\n"
          "  figures from DIR/NAME_summary.csv (rewritten first when DIR/NAME.csv is newer),\n"
          "  renders them to PNG, SVG and PDF with gnuplot unless --no-render, and writes the\n"
          "  report DIR/NAME.html: the same files, byte for byte, as the sweep's end.\n", f);
}

/* Runs the plot command. argv[0] is "plot". Returns the exit status: 0 done, 1 a figure could
 * not be drawn, 2 bad usage or unreadable input, 130 interrupted. */
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
    if (pb_resultset_lock(dir, name, &lock, &err) < 0) {
        fprintf(stderr, "bench plot: %s\n", err.msg);
        return 2;
    }
    struct pb_resultset_opts o = {.render = render, .warn = stderr,
                                  .stop = pb_stop_requested};
    struct pb_resultset_result r;
    if (pb_resultset_finish(dir, name, &o, &r, &err) < 0 || r.scripts_failed) {
        fprintf(stderr, "bench plot: %s\n", r.scripts_failed ? r.note : err.msg);
        return 2;
    }
    if (render && r.note[0])
        fprintf(stderr, "bench plot: %s%s%s\n", r.figures_failed ? "" : "note: ", r.note,
                r.figures_failed || r.interrupted ? "" : " (the .gp scripts are written; "
                "install gnuplot and run them)");
    printf("figures: %s/%s_*.gp%s\nreport:  %s/%s.html\n", dir, name,
           r.rendered ? " (.png .svg .pdf)" : "", dir, name);
    return r.interrupted ? 130 : r.figures_failed ? 1 : 0;
}
