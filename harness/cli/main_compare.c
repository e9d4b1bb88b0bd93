/* main_compare.c — `bench compare OLD NEW [--threshold F] [--alpha F] [--json]`: the
 * command-line front of compare.c. OLD and NEW are CSV files or result folders (a run folder,
 * a result set DIR/NAME of `bench --history` runs, a bare NAME for results/NAME); `bench compare
 * SET` compares a result set's latest run with the run before it. Exit status is the CI contract: 0 no significant slowdown, 1
 * at least one key significantly slower beyond the threshold (or failing in NEW where OLD ran),
 * or nothing to judge (a file with no ok run, no key ok on both sides), 2 usage error, a file
 * that cannot be read, or two result sets of different workloads (their NAME.json files). */
#include "compare.h"
#include "history.h"
#include "main_commands.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define COMPARE_USAGE \
    "usage: " PB_COMPARE_SYNOPSIS "\n" \
    "  Compares the median wall time of every (strategy, params, output, n, threads, ranks,\n" \
    "  precision) present in both files (kind \"run\" rows whose status is ok).\n" \
    "  OLD and NEW are each a CSV (DIR/NAME.csv), a run folder holding one NAME.csv beside\n" \
    "  its NAME.json, a result set of bench --history runs (DIR/NAME: its latest run) or a\n" \
    "  bare NAME (results/NAME). One SET alone compares its latest run with the one before.\n" \
    "  --threshold F  relative slowdown tolerated (default 0.05 = 5%)\n" \
    "  --alpha F      significance level of the Mann-Whitney U test (default 0.05)\n" \
    "  --json         the table as one JSON document on stdout\n" \
    "  The NAME.json beside each CSV must record the same workload (input, seed, box or\n" \
    "  file hash, output, bins, precision, periodic); a different CPU, kernel level,\n" \
    "  compiler, commit or plugin build is warned about. A key whose 95% CI of new/old\n" \
    "  reaches across 1 + F (or 1 - F) without being slower or faster is inconclusive.\n" \
    "  Exit: 0 no significant slowdown, 1 a key slower (p < alpha and new/old > 1 + F),\n" \
    "  failing in NEW, or nothing to compare (a file with no ok run, no key ok on both\n" \
    "  sides), 2 usage error, unreadable file or different workloads.\n"

/* Parses text as a number in [lo, hi) into *out. Returns 0 or -EINVAL. */
static int parse_fraction(const char *text, double lo, double hi, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno != 0 || !(v >= lo && v < hi))
        return -EINVAL;
    *out = v;
    return 0;
}

/* Reads "--name VALUE" or "--name=VALUE" at argv[*i] into *out when it names opt; *seen counts
 * the times opt was given. Returns 1 when consumed, 0 when argv[*i] is another argument,
 * -EINVAL when malformed or given a second time (the last value would silently win). */
static int take_option(int argc, char **argv, int *i, const char *opt, double lo, double hi,
                       double *out, int *seen)
{
    size_t len = strlen(opt);
    const char *value = NULL;
    if (strncmp(argv[*i], opt, len) != 0)
        return 0;
    if (argv[*i][len] == '=')
        value = argv[*i] + len + 1;
    else if (argv[*i][len] == '\0' && *i + 1 < argc)
        value = argv[++*i];
    else if (argv[*i][len] != '\0')
        return 0;
    if (!value || parse_fraction(value, lo, hi, out) != 0) {
        fprintf(stderr, "bench compare: %s: expected a number in [%g, %g), got '%s'\n", opt,
                lo, hi, value ? value : "(nothing)");
        return -EINVAL;
    }
    if ((*seen)++) {
        fprintf(stderr, "bench compare: %s given twice: give it once\n", opt);
        return -EINVAL;
    }
    return 1;
}

/* Fills o, *json and the two paths from argv[1..argc) (argv[0] is "compare"). Returns 0, 1 for
 * --help, or -EINVAL after printing why. */
static int parse_args(int argc, char **argv, struct pb_cmp_opts *o, int *json,
                      const char **paths)
{
    int npaths = 0, rc, seen[2] = {0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
        if (strcmp(argv[i], "--json") == 0) {
            *json = 1;
            continue;
        }
        if ((rc = take_option(argc, argv, &i, "--threshold", 0, 10, &o->threshold, &seen[0])) ||
            (rc = take_option(argc, argv, &i, "--alpha", 1e-12, 1, &o->alpha, &seen[1]))) {
            if (rc < 0)
                return rc;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "bench compare: unknown option '%s'\n%s", argv[i], COMPARE_USAGE);
            return -EINVAL;
        }
        if (npaths == 2) {
            fprintf(stderr, "bench compare: unexpected argument '%s'\n%s", argv[i], COMPARE_USAGE);
            return -EINVAL;
        }
        paths[npaths++] = argv[i];
    }
    if (npaths == 2 || npaths == 1)
        return 0;
    fprintf(stderr, "bench compare: expected OLD and NEW, or one result set\n%s",
            COMPARE_USAGE);
    return -EINVAL;
}

/* The results CSV of run folder dir: its one NAME.csv that has a NAME.json beside it, as a
 * path into csv. Returns 0, or -ENOENT after printing that there is none or several. */
static int run_folder_csv(const char *dir, char *csv, size_t size)
{
    DIR *d = opendir(dir);
    int found = 0;
    struct stat st;
    char path[PATH_MAX];
    for (struct dirent *de; d && (de = readdir(d)) != NULL;) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%.*s.csv", dir, (int)(len - 5), de->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && found++ == 0)
            snprintf(csv, size, "%s", path);
    }
    if (d)
        closedir(d);
    if (found == 1)
        return 0;
    fprintf(stderr, "bench compare: %s: %s: give the CSV itself\n", dir, found
            ? "holds several result sets (NAME.csv beside NAME.json)"
            : "holds no result set (NAME.csv beside NAME.json) and no bench --history runs");
    return -ENOENT;
}

/* The CSV name of result set set (a DIR/NAME folder): "NAME.csv", into csv. */
static void set_csv_name(const char *set, char csv[NAME_MAX + 8])
{
    const char *slash = strrchr(set, '/');
    snprintf(csv, NAME_MAX + 8, "%.*s.csv", NAME_MAX, slash ? slash + 1 : set);
}

/* The latest run of result set set into run: the one set/latest names, else the newest run
 * folder holding NAME.csv (NAME the set's folder name). Returns 1, 0 when set holds no run. */
static int set_latest(const char *set, char *run, size_t size)
{
    char csv[NAME_MAX + 8];
    set_csv_name(set, csv);
    if (pb_history_latest(set, run, size) == 1)
        return 1;
    return pb_history_newest(set, csv, NULL, run, size) == 1;
}

/* The folder arg names: arg itself when it is a folder, else results/ARG for a bare name that
 * is a folder there. Returns 1 (folder path in dir), 0 when arg is a file, -ENOENT after
 * printing that it names nothing. */
static int operand_folder(const char *arg, char *dir, size_t size)
{
    struct stat st;
    if (stat(arg, &st) == 0) {
        snprintf(dir, size, "%s", arg);
        return S_ISDIR(st.st_mode);
    }
    snprintf(dir, size, "results/%s", arg);
    if (!strchr(arg, '/') && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return 1;
    fprintf(stderr, "bench compare: %s: no such file or folder%s%s%s\n", arg,
            strchr(arg, '/') ? "" : " (nor a result set ", strchr(arg, '/') ? "" : dir,
            strchr(arg, '/') ? "" : ")");
    return -ENOENT;
}

/* Resolves one compare operand (see COMPARE_USAGE) to its CSV path in csv. Returns 0, or
 * -ENOENT after printing why. */
static int resolve_operand(const char *arg, char *csv, size_t size)
{
    char dir[PATH_MAX], run[PATH_MAX];
    int rc = operand_folder(arg, dir, sizeof dir);
    if (rc <= 0) {
        snprintf(csv, size, "%s", arg);
        return rc;
    }
    if (set_latest(dir, run, sizeof run))
        return run_folder_csv(run, csv, size);
    return run_folder_csv(dir, csv, size);
}

/* `bench compare SET`: the latest run of result set arg and the run before it, as CSV paths
 * into old and new. Returns 0, or -ENOENT after printing why there are not two. */
static int resolve_set(const char *arg, char *old, char *new, size_t size)
{
    char set[PATH_MAX], run[PATH_MAX], prev[PATH_MAX], csv[NAME_MAX + 8];
    int rc = operand_folder(arg, set, sizeof set);
    if (rc <= 0 || !set_latest(set, run, sizeof run)) {
        if (rc >= 0)
            fprintf(stderr, "bench compare: %s: not a result set of bench --history runs "
                    "(DIR/NAME/<UTC time>/NAME.csv); give OLD and NEW\n", arg);
        return -ENOENT;
    }
    set_csv_name(set, csv);
    if (pb_history_newest(set, csv, strrchr(run, '/') + 1, prev, sizeof prev) != 1) {
        fprintf(stderr, "bench compare: %s holds one run (%s): nothing to compare it with\n",
                set, run);
        return -ENOENT;
    }
    return run_folder_csv(prev, old, size) || run_folder_csv(run, new, size) ? -ENOENT : 0;
}

/* Resolves the operands in paths (one result set, or OLD and NEW) to CSV paths in bufs, and
 * points paths at them. Returns 0 or -ENOENT after printing why. */
static int resolve_operands(const char **paths, char bufs[2][PATH_MAX])
{
    if (!paths[1]) {
        if (resolve_set(paths[0], bufs[0], bufs[1], PATH_MAX) < 0)
            return -ENOENT;
    } else if (resolve_operand(paths[0], bufs[0], PATH_MAX) < 0 ||
               resolve_operand(paths[1], bufs[1], PATH_MAX) < 0)
        return -ENOENT;
    paths[0] = bufs[0];
    paths[1] = bufs[1];
    return 0;
}

/* Checks that the two result sets measured the same workload, and warns (stderr) about what
 * differs in where or how they were measured. Returns 0, or -EINVAL after printing one message
 * naming every workload difference. */
static int check_like_with_like(const char *const *paths, struct pb_cmp_context *ctx)
{
    pb_compare_context(paths[0], paths[1], ctx);
    for (size_t i = 0; i < ctx->warnings.n && i < PB_CMP_MAX_NOTES; i++)
        fprintf(stderr, "bench compare: warning: %s\n", ctx->warnings.text[i]);
    if (ctx->workload.n == 0)
        return 0;
    fprintf(stderr, "bench compare: %s and %s measured different workloads, so their times "
            "cannot be compared:", paths[0], paths[1]);
    for (size_t i = 0; i < ctx->workload.n && i < PB_CMP_MAX_NOTES; i++)
        fprintf(stderr, "%s %s", i ? ";" : "", ctx->workload.text[i]);
    fputs("\n", stderr);
    return -EINVAL;
}

/* Entry point of `bench compare`; argv[0] is the subcommand name. Returns the exit status. */
int pb_main_compare(int argc, char **argv)
{
    struct pb_cmp_opts o = PB_CMP_OPTS_DEFAULT;
    const char *paths[2] = { NULL, NULL };
    struct pb_cmp_result *res = NULL;
    struct pb_err err = { .msg = "" };
    static struct pb_cmp_context ctx; /* 24 KiB of notes: not on the stack */
    size_t n = 0;
    int json = 0, rc = parse_args(argc, argv, &o, &json, paths);
    if (rc == 1) {
        fputs(COMPARE_USAGE, stdout);
        return 0;
    }
    static char resolved[2][PATH_MAX];
    if (rc < 0 || resolve_operands(paths, resolved) < 0)
        return 2;
    if (pb_compare_files(paths[0], paths[1], &o, &res, &n, &err) != 0) {
        fprintf(stderr, "bench compare: %s\n", err.msg);
        return 2;
    }
    if (check_like_with_like(paths, &ctx) != 0) {
        free(res);
        return 2;
    }
    if (json)
        pb_compare_write_json(stdout, paths[0], paths[1], res, n, &o, &ctx);
    else {
        printf("OLD %s\nNEW %s\n", paths[0], paths[1]);
        pb_compare_write_table(stdout, res, n, &o);
    }
    rc = pb_compare_count(res, n, PB_CMP_SLOWER) + pb_compare_count(res, n, PB_CMP_FAILED) +
         pb_compare_count(res, n, PB_CMP_NO_OK_RUN) > 0;
    if (pb_compare_gate_data(res, n, paths[0], paths[1], &err) < 0) {
        fprintf(stderr, "bench compare: %s\n", err.msg);
        rc = 1;                           /* an empty or all-failed set never passes */
    }
    free(res);
    return rc;
}
