/* render.c — the rendering of a result set's figures: gnuplot run on each script (plots.h's
 * pb_plots_render), its complaint kept, and every output checked, an empty one removed. The
 * caller says when SIGINT asks to stop (pb_plot_opts.stop): this file knows no signal. */
#include "plots.h"

#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* 1 when the caller asks rendering to stop (o->stop, when set). */
static int stopped(const struct pb_plot_opts *o)
{
    return o && o->stop && o->stop();
}

/* gnuplot's path into buf (cap bytes): PB_GNUPLOT, else the first on PATH. Returns 0 or
 * -ENOENT. */
static int find_gnuplot(char *buf, size_t cap)
{
    const char *env = getenv("PB_GNUPLOT");
    if (env && *env) {
        snprintf(buf, cap, "%s", env);
        return access(buf, X_OK) == 0 ? 0 : -ENOENT;
    }
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t len = strcspn(path, ":");
        snprintf(buf, cap, "%.*s/gnuplot", (int)len, path);
        if (len > 0 && access(buf, X_OK) == 0)
            return 0;
        path += len + (path[len] == ':');
    }
    return -ENOENT;
}

/* Runs `gnuplot script`, its stdout discarded and its stderr's tail kept in msg; gnuplot dies
 * with this process. Returns the exit status, 128+signal, -EINTR when o asks to stop (gnuplot
 * killed), or -errno when it could not be started. */
static int run_gnuplot(const char *gnuplot, const char *script, const struct pb_plot_opts *o,
                       char *msg, size_t cap)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -errno;
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        return -e;
    }
    if (pid == 0) {
        pb_die_with_parent(parent, SIGKILL);   /* gnuplot dies with bench */
        FILE *null = freopen("/dev/null", "w", stdout);
        (void)null;
        dup2(fds[1], 2);
        close(fds[0]);
        execl(gnuplot, "gnuplot", script, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    pb_read_tail(fds[0], msg, cap, o ? o->stop : NULL);   /* SIGINT: stop reading */
    close(fds[0]);
    if (stopped(o))
        kill(pid, SIGKILL);                  /* SIGINT: stop rendering at once */
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -errno;
    return stopped(o) ? -EINTR : WIFSIGNALED(st) ? 128 + WTERMSIG(st)
                                                             : WEXITSTATUS(st);
}

/* Checks DIR/NAME_stem.{png,svg,pdf} after gnuplot ran: each must exist and hold something.
 * An empty one is removed (a failed gnuplot leaves it so, and no empty figure stays behind).
 * Returns 0, or -EIO with why naming the first that is missing or empty. */
static int check_rendered(const char *dir, const char *name, const char *stem, char *why,
                          size_t cap)
{
    int rc = 0;
    for (size_t i = 1; i < PB_FIGURE_NFILES; i++) {   /* every file but the script */
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s_%s%s", dir, name, stem, pb_figure_files[i]);
        int missing = stat(path, &st) != 0;
        if (!missing && st.st_size > 0)
            continue;
        if (!missing)
            unlink(path);
        if (rc == 0)
            pb_fit(why, cap, "%s: %s by gnuplot", path, missing ? "not written" : "left empty");
        rc = -EIO;
    }
    return rc;
}

/* Renders DIR/NAME_stem.gp with gnuplot. Returns 0, -EINTR, or -errno with why naming the
 * script and gnuplot's last line of complaint. */
static int render_one(const char *gnuplot, const char *dir, const char *name, const char *stem,
                      const struct pb_plot_opts *o, char *why, size_t cap)
{
    char script[4096], tail[4096], line[512];
    if (snprintf(script, sizeof script, "%s/%s_%s.gp", dir, name, stem) >= (int)sizeof script)
        return -ENAMETOOLONG;
    int st = stopped(o) ? -EINTR : run_gnuplot(gnuplot, script, o, tail, sizeof tail);
    if (st == -EINTR)
        return st;
    if (st < 0) {
        pb_fit(why, cap, "%s: cannot run gnuplot: %s", script, strerror(-st));
        return st;
    }
    if (st != 0) {
        pb_last_line(tail, strlen(tail), line, sizeof line);
        pb_fit(why, cap, "%s: gnuplot exited with %d: %s", script, st, line);
        check_rendered(dir, name, stem, tail, sizeof tail);   /* removes empty outputs */
        return -EIO;
    }
    return check_rendered(dir, name, stem, why, cap);
}

/* See plots.h. */
int pb_plots_render(const char *dir, const char *name, const struct pb_plot_opts *o,
                    struct pb_err *err)
{
    char gnuplot[4096], why[1024] = "", failed[512] = "";
    const char *stems[64];               /* the table's rows and the declared figures */
    size_t nfailed = 0, n = pb_plots_stems(dir, name, o, stems, sizeof stems / sizeof *stems);
    if (strlen(dir) + strlen(name) > 3900)
        return pb_fail(err, -ENAMETOOLONG, "%.60s...: the folder and name are too long", dir);
    if (find_gnuplot(gnuplot, sizeof gnuplot) < 0)
        return pb_fail(err, -ENOENT, "gnuplot not found on PATH: figures not rendered");
    for (size_t i = 0; i < n; i++) {
        char one[1024];
        int rc = render_one(gnuplot, dir, name, stems[i], o, one, sizeof one);
        if (rc == -EINTR)
            return pb_fail(err, rc, "interrupted: figures not rendered");
        if (rc == 0)
            continue;
        if (nfailed++ == 0)
            memcpy(why, one, sizeof why);
        else
            pb_fit(failed + strlen(failed), sizeof failed - strlen(failed), "%s%s_%s",
                   nfailed > 2 ? ", " : "", name, stems[i]);
    }
    if (nfailed > 1)
        return pb_fail(err, -EIO, "%s; %zu more figures not drawn: %s", why, nfailed - 1,
                       failed);
    return nfailed ? pb_fail(err, -EIO, "%s", why) : 0;
}