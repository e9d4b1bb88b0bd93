/* history.c — run folders that accumulate under DIR/NAME (see history.h). */
#include "history.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Creates folder path when missing and checks it is one. Returns 0 or -errno with err. */
static int ensure_dir(const char *path, struct pb_err *err)
{
    struct stat st;
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return pb_fail(err, -errno, "%s: cannot create output folder: %s", path,
                       strerror(errno));
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return pb_fail(err, -ENOTDIR, "%s: output path is not a folder", path);
    return 0;
}

int pb_history_is_stamp(const char *b)
{
    static const char shape[] = "dddd-dd-ddTdd-dd-ddZ";
    size_t i;
    for (i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? (b[i] < '0' || b[i] > '9') : b[i] != shape[i])
            return 0;
    if (b[i] == '\0')
        return 1;
    if (b[i] != '-' || b[i + 1] < '2' || b[i + 1] > '9')
        return 0;
    return b[i + 2] == '\0';
}

int pb_history_new_run(const char *dir, const char *name, char *run, size_t size,
                       struct pb_err *err)
{
    char set[PATH_MAX], stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    int rc;
    if ((rc = ensure_dir(dir, err)) < 0)
        return rc;
    snprintf(set, sizeof set, "%s/%s", dir, name);
    if ((rc = ensure_dir(set, err)) < 0)
        return rc;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H-%M-%SZ", &tm);
    for (int k = 1; k <= 9; k++) {       /* "-2".."-9": sweeps started in the same second */
        if (k == 1)
            snprintf(run, size, "%s/%s", set, stamp);
        else
            snprintf(run, size, "%s/%s-%d", set, stamp, k);
        if (mkdir(run, 0777) == 0)
            return 0;
        if (errno != EEXIST)
            return pb_fail(err, -errno, "%s: cannot create the run folder: %s", run,
                           strerror(errno));
    }
    return pb_fail(err, -EEXIST, "%s: nine run folders already started this second", set);
}

/* Whether set/base is a run folder (not a link) holding csv_name (when not NULL). */
static int is_run(const char *set, const char *base, const char *csv_name)
{
    char path[PATH_MAX];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", set, base);
    if (!pb_history_is_stamp(base) || lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0;
    if (!csv_name)
        return 1;
    snprintf(path, sizeof path, "%s/%s/%s", set, base, csv_name);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int pb_history_newest(const char *set, const char *csv_name, const char *before, char *run,
                      size_t size)
{
    DIR *d = opendir(set);
    char best[NAME_MAX + 1] = "";
    if (!d)
        return -errno;
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        /* names sort as start times: a stamp is a prefix of its "-K" variants */
        if (before && strcmp(de->d_name, before) >= 0)
            continue;
        if ((!best[0] || strcmp(de->d_name, best) > 0) && is_run(set, de->d_name, csv_name))
            snprintf(best, sizeof best, "%s", de->d_name);
    }
    closedir(d);
    if (!best[0])
        return 0;
    snprintf(run, size, "%s/%s", set, best);
    return 1;
}

int pb_history_mark_latest(const char *set, const char *stamp, struct pb_err *err)
{
    char tmp[PATH_MAX], link[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/.%s.%ld.tmp", set, PB_HISTORY_LATEST, (long)getpid());
    snprintf(link, sizeof link, "%s/%s", set, PB_HISTORY_LATEST);
    unlink(tmp);
    if (symlink(stamp, tmp) != 0)
        return pb_fail(err, -errno, "%s: cannot make the link: %s", tmp, strerror(errno));
    if (rename(tmp, link) != 0) {
        int e = errno;
        unlink(tmp);
        return pb_fail(err, -e, "%s: cannot replace the link: %s", link, strerror(e));
    }
    return 0;
}

int pb_history_latest(const char *set, char *run, size_t size)
{
    char link[PATH_MAX], target[NAME_MAX + 1];
    snprintf(link, sizeof link, "%s/%s", set, PB_HISTORY_LATEST);
    ssize_t len = readlink(link, target, sizeof target - 1);
    if (len < 0)
        return errno == ENOENT ? 0 : -errno;
    target[len] = '\0';
    if (!is_run(set, target, NULL))
        return -ENOENT;
    snprintf(run, size, "%s/%s", set, target);
    return 1;
}

int pb_history_drop_empty(const char *run, const char *name)
{
    char lock[PATH_MAX];
    snprintf(lock, sizeof lock, "%s/.%s.lock", run, name);
    unlink(lock);
    if (rmdir(run) != 0)
        return -errno;
    char *slash = strrchr(lock, '/');    /* the set folder too, when that was its only run */
    *slash = '\0';
    if ((slash = strrchr(lock, '/')) != NULL) {
        *slash = '\0';
        rmdir(lock);
    }
    return 0;
}
