/* main_limits.c — `bench limits`: measures and prints this machine's limits
 * (harness/run/machine_limits.h), optionally also as JSON for scripts and reports. */
#include "fdio.h"
#include "machine_limits.h"
#include "main_commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: " PB_LIMITS_SYNOPSIS "\n"
    "  --json PATH      also write the figures as one JSON object to PATH\n"
    "  --force          replace an existing PATH\n"
    "  --bytes MIB      buffer per bandwidth pass (default 1024)\n"
    "  --strategy NAME  in-process histogram kernel for the peak pairs/s (default blocked,\n"
    "                   else naive)\n"
    "  --points N       points for the peak, small enough for L1 (default 1024)\n";

/* Parses a positive integer option value; returns 0 or -EINVAL with a message printed. */
static int positive(const char *opt, const char *text, size_t *v)
{
    char *end = NULL;
    errno = 0;                       /* digits only: strtoull takes " -5" and saturates */
    unsigned long long x = text && *text >= '0' && *text <= '9' ? strtoull(text, &end, 10) : 0;
    if (!end || *end || x == 0 || errno == ERANGE) {
        fprintf(stderr, "bench limits: %s: expected a positive integer, got '%s'\n", opt,
                text ? text : "");
        return -EINVAL;
    }
    *v = (size_t)x;
    return 0;
}

/* Prints the usage after naming the argument it does not know; returns -EINVAL. */
static int unexpected(const char *arg)
{
    fprintf(stderr, "bench limits: unexpected argument '%s'\n%s", arg, usage);
    return -EINVAL;
}

/* Reads argv into o, *json and *force. Returns 0, 1 for --help, or -EINVAL after printing
 * why. */
static int parse(int argc, char **argv, struct pb_limits_opts *o, const char **json, int *force)
{
    const char *seen[4] = {0};           /* --json, --strategy, --bytes, --points as given */
    static const char *const once[4] = {"--json", "--strategy", "--bytes", "--points"};
    for (int i = 1; i < argc; i += 2) {   /* option, value */
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        size_t mib = 0;
        int rc = 0;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return 1;
        if (strcmp(a, "--force") == 0) {
            *force = 1;
            i--;                          /* a flag: no value follows */
            continue;
        }
        if (!v && (!strcmp(a, "--json") || !strcmp(a, "--strategy"))) {
            fprintf(stderr, "bench limits: %s needs a value\n", a);
            return -EINVAL;
        }
        for (int k = 0; k < 4 && v; k++) {
            if (strcmp(a, once[k]) != 0)
                continue;
            if (seen[k]) {                /* the last value would silently win */
                fprintf(stderr, "bench limits: %s given twice ('%s', then '%s')\n", a, seen[k], v);
                return -EINVAL;
            }
            seen[k] = v;
        }
        if (strcmp(a, "--json") == 0)
            *json = v;
        else if (strcmp(a, "--strategy") == 0)
            o->strategy = v;
        else if (strcmp(a, "--bytes") == 0)
            rc = positive(a, v, &mib);
        else if (strcmp(a, "--points") == 0)
            rc = positive(a, v, &o->kernel_n);
        else
            rc = unexpected(a);
        if (rc)
            return rc;
        o->bytes = mib ? mib << 20 : o->bytes;
    }
    return 0;
}

/* --json may be written: no existing file without --force. Returns 0 or -EEXIST (printed). */
static int check_json(const char *path, int force)
{
    int rc = pb_save_check(path, NULL, force);
    if (rc == -EEXIST)
        fprintf(stderr, "bench limits: --json %s already exists: pass --force to replace it\n",
                path);
    else if (rc < 0)
        fprintf(stderr, "bench limits: --json %s exists and is not a regular file\n", path);
    return rc;
}

/* Writes l as JSON to path (beside, then moved into place); returns 0 or -errno after
 * printing why. */
static int write_json(const char *path, const struct pb_limits *l, int force)
{
    char tmp[4096];
    int fd = pb_save_begin(path, tmp, sizeof tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        int e = fd < 0 ? -fd : errno;
        if (fd >= 0)
            close(fd), unlink(tmp);
        fprintf(stderr, "bench limits: %s: %s\n", path, strerror(e));
        return -e;
    }
    pb_limits_write_json(l, f);
    fputc('\n', f);
    errno = 0;
    int e = ferror(f) || fflush(f) != 0 ? (errno ? errno : EIO) : 0;
    if (fclose(f) != 0 && !e)
        e = errno;
    int rc = e ? -e : pb_save_commit(tmp, path, force);
    if (e)
        unlink(tmp);
    if (rc < 0)
        fprintf(stderr, "bench limits: %s: cannot write: %s\n", path, pb_write_error(rc));
    return rc;
}

/* Entry from main: argv[0] is "limits", options follow. Exit status: 0 measured, 1 a
 * measurement failed, 2 bad arguments. */
int pb_main_limits(int argc, char **argv)
{
    struct pb_limits_opts o = {0};
    struct pb_limits l;
    struct pb_err err = {0};
    const char *json = NULL;
    int force = 0;
    int rc = parse(argc, argv, &o, &json, &force);
    if (rc > 0)
        fputs(usage, stdout);
    if (rc)
        return rc > 0 ? 0 : 2;
    if (json && check_json(json, force) < 0)
        return 2;                         /* before minutes of measuring */
    if (!pb_limits_kernel(o.strategy, &err)) {
        fprintf(stderr, "bench %s\n", err.msg);
        return 2;
    }
    if (pb_limits_measure_with(&o, &l, &err) < 0) {
        fprintf(stderr, "bench %s\n", err.msg);
        return 1;
    }
    pb_limits_print(&l, stdout);
    return json && write_json(json, &l, force) < 0 ? 1 : 0;
}
