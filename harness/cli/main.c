/* main.c — the bench command line: parses arguments, loads the config, runs the sweep and
 * prints progress, warnings and the closing table. Exit status: 0 every run ok and verified,
 * 1 some run failed or did not verify, 2 usage or config error, 130 interrupted. */
#include "envinfo.h"
#include "history.h"
#include "config.h"
#include "experiment.h"
#include "config_schema.h"
#include "estimate.h"
#include "main_commands.h"
#include "memory.h"
#include "pbclock.h"
#include "plugin.h"
#include "registry.h"
#include "runner.h"
#include "stop.h"
#include "sweep.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130
#define CONFIG_PATH_MAX (2 * PATH_MAX + NAME_MAX + 16)   /* a shipped folder, a name, ".json" */

struct cli {
    const char *config;              /* --config FILE */
    const char *out;                 /* --out DIR, default results */
    int list, list_keys, markdown, dry_run, resume, force, quiet, config_order, no_render, help, version;
    const char *plugins[16];         /* --plugin PATH, repeatable */
    int nplugins;
    int history;                     /* --history: a run folder DIR/NAME/STAMP per sweep */
    const char *argv0;               /* how bench was called, for the printed compare command */
};

static const char usage_text[] =
    "usage: bench --config FILE [--out DIR] [--history] [--resume | --force] [--dry-run]\n"
    "             [--quiet] [--order config] [--no-render] [--plugin LIB.so]...\n"
    "       bench --list [--plugin LIB.so]...\n"
    "       bench --list-keys [--markdown]\n"
    "       " PB_COMPARE_SYNOPSIS "\n"
    "       " PB_PLOT_SYNOPSIS "\n"
    "       " PB_LIMITS_SYNOPSIS "\n"
    "       " PB_COMPUTE_SYNOPSIS "\n"
    "       bench --help | --version\n";

static const char help_text[] =
    "\nbench runs all-pairs distance strategies over the sizes and thread counts of a JSON\n"
    "config, one child process per run, and writes DIR/NAME.csv (one row per run, appended as\n"
    "it ends), DIR/NAME_summary.csv, DIR/NAME.json (environment), gnuplot scripts and figures,\n"
    "and DIR/NAME.html.\n\n"
    "  --config FILE   the experiment (see docs/config.md)\n"
    "  --out DIR       results folder (default: results)\n"
    "  --history       keep every sweep: write DIR/NAME/<UTC time>/NAME.csv ..., point\n"
    "                  DIR/NAME/latest at it, print the command comparing it with the\n"
    "                  previous run (--resume: continue the newest run folder)\n"
    "  --resume        continue DIR/NAME.csv: skip the runs it already holds for this config\n"
    "  --force         replace existing results of this config\n"
    "  --dry-run       print the plan with estimated memory and time; run nothing\n"
    "  --quiet         no progress output\n"
    "  --order config  run in the config's order instead of the seeded shuffle\n"
    "  --no-render     write gnuplot scripts but do not render figures\n"
    "  --plugin LIB    load strategies from a shared library (repeatable)\n"
    "  --list          the strategies, their parameters and defaults\n"
    "  --list-keys     the config keys: type, default, meaning (--markdown: docs/config.md table)\n\n"
    "Exit status: 0 all runs ok and verified; 1 a run failed or did not verify;\n"
    "2 usage or config error; 130 interrupted (the CSV keeps every finished run).\n";

/* Prints msg and the usage to stderr; returns the usage exit status. */
static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "bench: %s%s%s\n%s", msg, arg ? ": " : "", arg ? arg : "", usage_text);
    return EXIT_USAGE;
}

/* The value after option argv[*i], advancing *i; NULL when missing. */
static const char *option_value(int argc, char **argv, int *i)
{
    return *i + 1 < argc ? argv[++*i] : NULL;
}

/* Records v as the value of the single-valued option a in *seen. Returns 0, or EXIT_USAGE after
 * printing that a was given twice: the last value would silently win. */
static int note_once(const char **seen, const char *a, const char *v)
{
    if (*seen) {
        fprintf(stderr, "bench: %s given twice ('%s', then '%s'): give it once\n%s", a, *seen,
                v, usage_text);
        return EXIT_USAGE;
    }
    *seen = v;
    return 0;
}

/* Parses the sweep options into c. Returns 0, or EXIT_USAGE after printing why. */
static int parse_cli(int argc, char **argv, struct cli *c)
{
    const char *seen[3] = {0};           /* --config, --out, --order as given */
    c->out = "results";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--config") || !strcmp(a, "--out") || !strcmp(a, "--plugin") ||
            !strcmp(a, "--order")) {
            const char *v = option_value(argc, argv, &i);
            int once = !strcmp(a, "--config") ? 0 : !strcmp(a, "--out") ? 1
                       : !strcmp(a, "--order") ? 2 : -1;
            if (!v)
                return usage_error("missing value after", a);
            if (once >= 0 && note_once(&seen[once], a, v))
                return EXIT_USAGE;
            if (!strcmp(a, "--config"))
                c->config = v;
            else if (!strcmp(a, "--out"))
                c->out = v;
            else if (!strcmp(a, "--order") && strcmp(v, "config") && strcmp(v, "random"))
                return usage_error("--order takes config or random, got", v);
            else if (!strcmp(a, "--order"))
                c->config_order = !strcmp(v, "config");
            else if (c->nplugins == 16)
                return usage_error("too many --plugin options (at most 16)", NULL);
            else
                c->plugins[c->nplugins++] = v;
        } else if (!strcmp(a, "--list"))
            c->list = 1;
        else if (!strcmp(a, "--list-keys"))
            c->list_keys = 1;
        else if (!strcmp(a, "--markdown"))
            c->markdown = 1;
        else if (!strcmp(a, "--dry-run"))
            c->dry_run = 1;
        else if (!strcmp(a, "--resume"))
            c->resume = 1;
        else if (!strcmp(a, "--force"))
            c->force = 1;
        else if (!strcmp(a, "--history"))
            c->history = 1;
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q"))
            c->quiet = 1;
        else if (!strcmp(a, "--no-render"))
            c->no_render = 1;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            c->help = 1;
        else if (!strcmp(a, "--version"))
            c->version = 1;
        else
            return usage_error("unknown argument", a);
    }
    if (c->resume && c->force)
        return usage_error("--resume and --force exclude each other", NULL);
    if (c->history && c->force)
        return usage_error("--history never replaces results: drop --force", NULL);
    if (c->markdown && !c->list_keys)
        return usage_error("--markdown goes with --list-keys", NULL);
    if (!c->list && !c->list_keys && !c->help && !c->version && !c->config)
        return usage_error("nothing to do: give --config FILE", NULL);
    return 0;
}

/* `bench --list`: one strategy per line, name then summary, its parameters indented below. */
static int cmd_list(void)
{
    for (size_t i = 0; i < pb_registry_count(); i++) {
        const struct pb_strategy *s = pb_registry_get(i);
        const char *from = pb_registry_origin(i);
        printf("%-16s %s%s%s%s\n", s->name, s->summary ? s->summary : "",
               from ? "  [plugin " : "", from ? from : "", from ? "]" : "");
        for (const struct pb_param_spec *p = s->params; p && p->name; p++)
            printf("    %s = %s%s%s%s  %s\n", p->name, p->def ? p->def : "",
                   p->choices ? "  (" : "", p->choices ? p->choices : "", p->choices ? ")" : "",
                   p->help ? p->help : "");
    }
    return 0;
}

/* `bench --list-keys [--markdown]`: the config reference from the schema table. */
static int cmd_list_keys(int markdown)
{
    char *text = pb_config_reference(markdown);
    if (!text) {
        fprintf(stderr, "bench: out of memory\n");
        return EXIT_USAGE;
    }
    fputs(text, stdout);
    free(text);
    return 0;
}

/* Warns, once per library, about each plugin loaded so far whose build makes its times
 * incomparable with the built-in strategies' (unoptimised, a lower ISA): the report notes it
 * too, from NAME.json. */
static void warn_plugins(void)
{
    static size_t warned;
    for (; warned < pb_plugin_count(); warned++) {
        const struct pb_plugin_id *p = pb_plugin_get(warned);
        if (p->warning[0])
            fprintf(stderr, "warning: plugin %s (%s): %s: its times are not comparable with "
                    "the built-in strategies' (docs/plugins.md, \"Build the strategy\")\n",
                    p->path, p->strategies, p->warning);
    }
}

/* Loads every --plugin library. Returns 0 or EXIT_USAGE after printing the loader's message. */
static int load_plugins(const struct cli *c)
{
    for (int i = 0; i < c->nplugins; i++) {
        struct pb_err e;
        if (pb_plugin_load(c->plugins[i], &e) < 0) {
            fprintf(stderr, "bench: %s\n", e.msg);
            return EXIT_USAGE;
        }
    }
    warn_plugins();
    return 0;
}

/* `--dry-run`: the plan as a table with estimated memory and time; starts nothing. */
static int cmd_dry_run(const struct pb_experiment *e)
{
    struct pb_run *runs;
    size_t nruns;
    if (pb_plan_build(e, &runs, &nruns) < 0) {
        fprintf(stderr, "bench: %s: the plan (sizes x threads x ranks x strategies x runs per "
                "point) is too large: more than 10^8 runs, or more than memory holds\n", e->path);
        return EXIT_USAGE;
    }
    double avail = pb_memory_room(), total_s = 0, peak = 0;
    printf("%5s  %-8s  %-28s  %8s  %3s  %3s  %3s  %10s  %9s  %9s\n", "#", "kind", "strategy",
           "n", "T", "R", "rep", "est. MiB", "est. s", "timeout");
    for (size_t i = 0; i < nruns; i++) {
        const struct pb_run *r = &runs[i];
        const struct pb_strategy_cfg *sc = &e->strategies[r->strategy];
        double b = pb_memory_estimate_bytes(e, r), t = pb_estimate_seconds(e, r);
        char name[sizeof(((struct pb_row *)0)->strategy) + sizeof(((struct pb_row *)0)->params)
                  + 2];              /* "label[params]" whole: both are capped at load */
        snprintf(name, sizeof name, "%s%s%s%s", sc->label, sc->params[0] ? "[" : "",
                 sc->params, sc->params[0] ? "]" : "");
        int slow = pb_estimate_beyond_timeout(e, r, NULL, 0);
        double to = pb_estimate_timeout_s(e, r);
        char tbuf[32] = "none";
        if (to > 0)
            snprintf(tbuf, sizeof tbuf, "%.0f s", to);
        printf("%5zu  %-8s  %-28s  %8zu  %3d  %3d  %3d  %10.1f  %9.3f  %9s%s\n", i + 1,
               pb_run_kind_word(r->kind), name, r->n, r->threads, r->ranks, r->repeat,
               b / 1048576.0, t, tbuf, b > avail ? "  would be skipped: not enough memory"
                                 : slow ? "  would be skipped: estimate > timeout_s" : "");
        total_s += slow ? 0 : t;
        peak = b > peak ? b : peak;
    }
    printf("%zu runs; largest run ~%.1f MiB of %.1f MiB available; estimated %.0f s "
           "(a rough model, see docs/spatial.md)\n", nruns, peak / 1048576.0, avail / 1048576.0, total_s);
    if (e->timeout_set)
        printf("timeout: %s per run (timeout_s in the config)\n", e->timeout_s > 0 ? "as shown"
                                                                                  : "none");
    else
        printf("timeout: 10 x the estimate + 60 s per run (no timeout_s in the config; "
               "\"timeout_s\": 0 turns it off)\n");
    free(runs);
    return 0;
}

/* Progress state for the hooks. */
struct progress {
    int tty, quiet;
    int line_up;                     /* 1: the moving progress line is on the terminal */
    double t0;
};

/* Clears the moving progress line when one is up, so the next text starts a clean line. */
static void clear_line(struct progress *p)
{
    if (p->line_up)
        fputs("\r\033[K", stderr);
    p->line_up = 0;
}

/* Writes of the sweep's warn stream (warn_stream): to stderr, after clearing the progress line.
 * Returns the bytes written. */
static ssize_t warn_write(void *ctx, const char *buf, size_t len)
{
    clear_line(ctx);
    size_t put = fwrite(buf, 1, len, stderr);
    fflush(stderr);
    return (ssize_t)put;
}

/* The stream the sweep warns on: unbuffered, clearing the progress line of p before each
 * write; stderr itself when the stream cannot be made. The caller fcloses it unless stderr. */
static FILE *warn_stream(struct progress *p)
{
    FILE *f = fopencookie(p, "w", (cookie_io_functions_t){.write = warn_write});
    if (!f)
        return stderr;
    setvbuf(f, NULL, _IONBF, 0);
    return f;
}

/* Formats seconds as "1h02m", "3m05s" or "12.3s". */
static const char *fmt_dur(double s, char *buf, size_t size)
{
    if (s >= 3600)
        snprintf(buf, size, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
    else if (s >= 60)
        snprintf(buf, size, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else
        snprintf(buf, size, "%.1fs", s);
    return buf;
}

static void on_begin(void *ctx, size_t total, size_t resumed)
{
    struct progress *p = ctx;
    p->t0 = pb_now_s();
    if (!p->quiet && resumed)
        fprintf(stderr, "resuming: %zu runs already recorded, %zu to go\n", resumed, total);
}

/* The moving line on a terminal: run k of N, what, elapsed, ETA. */
static void on_start(void *ctx, size_t k, size_t total, const struct pb_row *r, double eta)
{
    struct progress *p = ctx;
    if (p->quiet || !p->tty)
        return;
    char el[32], et[32], label[1100];
    fprintf(stderr, "\r\033[K[%zu/%zu] %s n=%zu T=%d %s  elapsed %s  ETA %s", k, total,
            pb_row_label(r, label, sizeof label), r->n,
            r->threads, r->kind, fmt_dur(pb_now_s() - p->t0, el, sizeof el),
            fmt_dur(eta, et, sizeof et));
    p->line_up = 1;
    fflush(stderr);
}

/* One plain line per finished run off a terminal; on a terminal only the ones not ok. */
static void on_end(void *ctx, size_t k, size_t total, const struct pb_row *r)
{
    struct progress *p = ctx;
    char label[1100];
    int bad = pb_row_bad(r);
    if (p->quiet && !bad)
        return;
    if (p->tty && !bad)
        return;
    clear_line(p);
    if (pb_status_skipped(r->status)) {   /* never started: no time or memory to show */
        fprintf(stderr, "[%zu/%zu] %s %s n=%zu T=%d R=%d rep=%d: %s\n",
                k, total, pb_row_label(r, label, sizeof label),
                r->kind, r->n, r->threads, r->ranks, r->repeat, r->status);
        return;
    }
    fprintf(stderr, "[%zu/%zu] %s %s n=%zu T=%d R=%d rep=%d: %.6f s, %.1f MiB, %s, "
            "verified=%s\n", k, total,
            pb_row_label(r, label, sizeof label), r->kind, r->n,
            r->threads, r->ranks, r->repeat, r->wall_s, r->peak_rss_kib / 1024.0, r->status,
            r->verified[0] ? r->verified : "-");
}

/* Warns when a thread count exceeds the CPUs this process may run on. */
static void warn_threads(const struct pb_experiment *e)
{
    int cpus = pb_env_allowed_cpus();
    for (size_t i = 0; i < e->nthreads; i++)
        if (cpus > 0 && e->threads[i] > cpus)
            fprintf(stderr, "warning: threads %d exceeds the %d CPUs this process may use: "
                    "those runs oversubscribe\n", e->threads[i], cpus);
}

/* The closing table: per n, the fastest strategy, its time and memory, speedup over naive. */
static void print_best(const struct pb_sweep_result *r)
{
    if (!r->nbest)
        return;
    int flagged = 0;
    printf("\n%10s  %-40s  %12s  %10s  %10s  %s\n", "n", "fastest", "median s", "peak MiB",
           "vs naive", "flags");
    for (size_t i = 0; i < r->nbest; i++) {
        const struct pb_best *b = &r->best[i];
        char sp[32] = "-";
        if (b->speedup_vs_naive > 0)
            snprintf(sp, sizeof sp, "%.1fx", b->speedup_vs_naive);
        printf("%10zu  %-40s  %12.6f  %10.1f  %10s  %s\n", b->n, b->label, b->median_s,
               b->peak_kib / 1024.0, sp, b->flags[0] ? b->flags : "-");
        flagged |= b->flags[0] != '\0';
    }
    if (flagged)
        printf("flags: the summary's flag column: cv = spread over 5%%; MAD outlier = a run far "
               "from the median; busy = other processes or the hypervisor used the run's CPUs; "
               "capped = more threads than CPUs available: those times were not measured "
               "cleanly\n");
}

/* Prints where the results went and the tally; returns the exit status. */
static int report_outcome(const struct pb_sweep_result *r, const struct cli *c)
{
    if (!c->quiet)
        print_best(r);
    printf("\n%zu runs: %zu failed, %zu not verified, %zu skipped\n", r->runs, r->failed,
           r->unverified, r->skipped);
    printf("results: %s\nsummary: %s\nreport:  %s\n", r->csv, r->summary, r->report);
    if (r->render_note[0])
        fprintf(stderr, "%s: %s\n", r->figures_failed ? "error: figures not drawn"
                                                      : "note: figures not rendered",
                r->render_note);
    if (r->interrupted) {
        fprintf(stderr, "interrupted: the CSV holds every finished run; --resume continues\n");
        return EXIT_INTERRUPTED;
    }
    return r->failed || r->unverified || r->figures_failed ? 1 : 0;
}

/* The installed tree's data folder share/pairbench/SUB, found beside this executable's bin/,
 * into path (canonical). Returns 1 when that folder exists, 0 otherwise. */
static int installed_dir(const char *sub, char *path, size_t size)
{
    char exe[PATH_MAX], dir[PATH_MAX + 64], real[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash = len > 0 ? (exe[len] = '\0', strrchr(exe, '/')) : NULL;
    struct stat st;
    if (!slash)
        return 0;
    *slash = '\0';
    snprintf(dir, sizeof dir, "%s/../share/pairbench/%s", exe, sub);
    if (!realpath(dir, real) || stat(real, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0;
    snprintf(path, size, "%s", real);
    return 1;
}

/* The config file --config names: a path that exists, or one with a '/', as given; a bare
 * name that is not in the working folder is looked up (as typed, then with ".json") in the
 * installed tree's share/pairbench/configs, then in the source tree's configs/. Returns name
 * or buf (the shipped file found); name when there is none, so loading reports it missing. */
static const char *resolve_config(const char *name, char buf[CONFIG_PATH_MAX])
{
    char dirs[2][PATH_MAX];
    int nd = 0;
    if (access(name, F_OK) == 0 || strchr(name, '/'))
        return name;
    nd += installed_dir("configs", dirs[nd], sizeof dirs[nd]);
    snprintf(dirs[nd++], sizeof dirs[0], "%s/configs", PB_SOURCE_DIR);
    for (int d = 0; d < nd; d++)
        for (int json = 0; json < 2; json++) {
            snprintf(buf, CONFIG_PATH_MAX, "%s/%.*s%s", dirs[d], NAME_MAX, name,
                     json ? ".json" : "");
            if (access(buf, R_OK) == 0)
                return buf;
        }
    return name;
}

/* An installed bench runs the scripts installed beside it (share/pairbench/python) unless
 * PB_SCRIPTS_DIR says otherwise; a bench in its build tree keeps the source tree's. */
static void use_installed_scripts(void)
{
    char dir[PATH_MAX];
    const char *set = getenv("PB_SCRIPTS_DIR");
    if ((!set || !*set) && installed_dir("python", dir, sizeof dir))
        setenv("PB_SCRIPTS_DIR", dir, 1);
}

/* Prints text for a POSIX shell: as is when it holds only safe characters, else quoted. */
static void print_shell_word(const char *text)
{
    if (*text && strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "0123456789/._+:=,-") == strlen(text)) {
        fputs(text, stdout);
        return;
    }
    putchar('\'');
    for (const char *p = text; *p; p++)
        fputs(*p == '\'' ? "'\\''" : (char[2]){*p, '\0'}, stdout);
    putchar('\'');
}

/* --history: the run folder this sweep writes into, as a path into run: a new one under
 * OUT/NAME (*made = 1), or with --resume the newest one holding NAME.csv (*made = 0) when
 * there is one. Returns 0, or EXIT_USAGE after printing why no folder could be made. */
static int history_run_dir(const struct cli *c, const char *name, char *run, size_t size,
                           int *made)
{
    static char set[PATH_MAX], csv[PATH_MAX];   /* once per process: not on the stack */
    static struct pb_err err;
    snprintf(set, sizeof set, "%s/%s", c->out, name);
    snprintf(csv, sizeof csv, "%s.csv", name);
    *made = 0;
    if (c->resume && pb_history_newest(set, csv, NULL, run, size) == 1)
        return 0;
    if (pb_history_new_run(c->out, name, run, size, &err) < 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return EXIT_USAGE;
    }
    *made = 1;
    return 0;
}

/* --history, after a sweep that ran to its end in run folder run (OUT/NAME/STAMP): points
 * OUT/NAME/latest at it and prints the command that compares it with the run before it (the
 * newest earlier run folder holding NAME.csv), when there is one. Returns 0, or 1 after
 * printing why the link could not be set. */
static int history_finish(const struct cli *c, const char *name, const char *run)
{
    static char set[PATH_MAX], prev[PATH_MAX], csv[PATH_MAX];   /* not on the stack */
    static struct pb_err err;
    const char *stamp = strrchr(run, '/') + 1;
    snprintf(set, sizeof set, "%.*s", (int)(stamp - run - 1), run);
    snprintf(csv, sizeof csv, "%s.csv", name);
    if (pb_history_mark_latest(set, stamp, &err) < 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    printf("latest:  %s/%s -> %s\n", set, PB_HISTORY_LATEST, stamp);
    if (pb_history_newest(set, csv, stamp, prev, sizeof prev) != 1) {
        printf("first run of %s in %s: nothing to compare it with yet\n", name, set);
        return 0;
    }
    printf("compare with the previous run:\n  ");
    print_shell_word(c->argv0);
    printf(" compare ");
    print_shell_word(prev);
    putchar(' ');
    print_shell_word(run);
    putchar('\n');
    return 0;
}

/* `bench --config FILE`: load, check, run, report. */
static int cmd_sweep(const struct cli *c)
{
    struct pb_experiment e;
    struct pb_err err;
    static char shipped[CONFIG_PATH_MAX];   /* 8.5 KB, once per process: not on the stack */
    const char *path = resolve_config(c->config, shipped);
    if (path != c->config)
        fprintf(stderr, "bench: config %s: using the shipped %s\n", c->config, path);
    use_installed_scripts();
    if (pb_experiment_load(path, &e, &err) < 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        pb_experiment_free(&e);
        return EXIT_USAGE;
    }
    if (c->config_order)
        e.order = PB_ORDER_CONFIG;
    warn_plugins();
    warn_threads(&e);
    if (c->dry_run) {
        int rc = cmd_dry_run(&e);
        pb_experiment_free(&e);
        return rc;
    }
    if (e.pin) {
        setenv("OMP_PLACES", "cores", 1);
        setenv("OMP_PROC_BIND", "close", 1);
    }
    struct progress pr = {.tty = isatty(2), .quiet = c->quiet};
    struct pb_sweep_hooks hooks = {.ctx = &pr, .begin = on_begin, .run_start = on_start,
                                   .run_end = on_end};
    static char run[PATH_MAX];       /* --history: the run folder */
    int made = 0;
    if (c->history && history_run_dir(c, e.name, run, sizeof run, &made) != 0) {
        pb_experiment_free(&e);
        return EXIT_USAGE;
    }
    struct pb_sweep_opts o = {.outdir = c->history ? run : c->out, .resume = c->resume,
                              .force = c->force, .render = !c->no_render,
                              .warn = warn_stream(&pr)};
    struct pb_sweep_result r;
    pb_stop_install_signals();
    int rc = pb_sweep_run(&e, &o, &hooks, &r, &err);
    if (o.warn != stderr)
        fclose(o.warn);
    clear_line(&pr);
    if (rc < 0 && !r.interrupted) {
        fprintf(stderr, "bench: %s\n", err.msg);
        if (made && !r.runs)
            pb_history_drop_empty(run, e.name);
        rc = r.runs ? 1 : EXIT_USAGE;
    } else {
        int ended = rc == 0 && !r.interrupted;
        rc = report_outcome(&r, c);
        if (c->history && ended && history_finish(c, e.name, run) && rc == 0)
            rc = 1;
    }
    pb_sweep_result_free(&r);
    pb_experiment_free(&e);
    return rc;
}

/* Subcommands that own their arguments. Returns -1 when argv[1] names none. */
static int dispatch_subcommand(int argc, char **argv)
{
    if (argc < 2)
        return -1;
    if (!strcmp(argv[1], "compare"))
        return pb_main_compare(argc - 1, argv + 1);
    if (!strcmp(argv[1], "plot"))
        return pb_main_plot(argc - 1, argv + 1);
    if (!strcmp(argv[1], "limits"))
        return pb_main_limits(argc - 1, argv + 1);
    if (!strcmp(argv[1], "compute"))
        return pb_main_compute(argc - 1, argv + 1);
    return -1;
}

int main(int argc, char **argv)
{
    int rc = dispatch_subcommand(argc, argv);
    if (rc >= 0)
        return rc;
    struct cli c = {.argv0 = argv[0]};
    if ((rc = parse_cli(argc, argv, &c)) != 0)
        return rc;
    if (c.help) {
        printf("%s%s", usage_text, help_text);
        return 0;
    }
    if (c.list_keys)
        return cmd_list_keys(c.markdown);
    if (c.version) {
        printf("bench (pairbench) %s, strategy ABI %d\n", PB_VERSION, PB_STRATEGY_ABI);
        return 0;
    }
    if ((rc = load_plugins(&c)) != 0)
        return rc;
    return c.list ? cmd_list() : cmd_sweep(&c);
}
