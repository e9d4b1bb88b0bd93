/* runtmp.c — the temporary state of runs (see runtmp.h): each run's private folder, its
 * removal with the run's shared-memory objects, and the leftovers of killed harnesses. */
#include "runtmp.h"

#include "fdio.h"
#include "runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* nftw callback: removes one entry, depth first. */
static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;                          /* go on whatever could not be removed */
}

/* 1 when /dev/shm entry name belongs to the run: named after its tmpdir (base, bl), or the
 * registration file the LLVM OpenMP runtime makes per process and removes only in exit(),
 * which run processes ending in _exit() or a signal never reach. */
static int run_shm_object(const char *name, const char *base, size_t bl,
                          const struct pb_memory_sampler *mem)
{
    static const char kmp[] = "__KMP_REGISTERED_LIB_";
    if (strncmp(name, base, bl) == 0)
        return 1;
    if (strncmp(name, kmp, sizeof kmp - 1) != 0)
        return 0;
    return pb_memory_seen(mem, (pid_t)strtol(name + sizeof kmp - 1, NULL, 10));
}

/* See runtmp.h. */
void pb_runtmp_remove(const char *tmpdir, const struct pb_memory_sampler *mem)
{
    const char *base = strrchr(tmpdir, '/') ? strrchr(tmpdir, '/') + 1 : tmpdir;
    size_t bl = strlen(base);
    nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    DIR *d = opendir("/dev/shm");
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!run_shm_object(e->d_name, base, bl, mem))
            continue;
        char name[300];
        snprintf(name, sizeof name, "/%.250s", e->d_name);
        shm_unlink(name);
    }
    closedir(d);
}

/* See runner.h. */
const char *pb_runner_tmp_root(void)
{
    const char *t = getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

/* See runtmp.h. */
int pb_runtmp_make(char *dir, size_t size, int *owner_fd)
{
    char path[PATH_MAX + 8];
    snprintf(dir, size, "%s/pb-run-%d-XXXXXX", pb_runner_tmp_root(), (int)getpid());
    if (!mkdtemp(dir))
        return -errno;
    snprintf(path, sizeof path, "%s/.owner", dir);
    *owner_fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (*owner_fd >= 0)
        flock(*owner_fd, LOCK_EX);
    return 0;
}

/* 1 when the run directory path is still in use: its .owner file is locked by a live harness
 * (a directory without one is judged by its pid alone). */
static int dir_in_use(const char *path)
{
    char owner[PATH_MAX + 8];
    snprintf(owner, sizeof owner, "%s/.owner", path);
    int fd = open(owner, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int busy = flock(fd, LOCK_EX | LOCK_NB) != 0;
    close(fd);
    return busy;
}

/* The owner pid in a "pb-run-PID-..." name, or 0 when name is not one. */
static pid_t stale_owner(const char *name)
{
    char *end;
    if (strncmp(name, "pb-run-", 7) != 0)
        return 0;
    long pid = strtol(name + 7, &end, 10);
    return pid > 0 && *end == '-' ? (pid_t)pid : 0;
}

/* 1 when the pid in name is of a process that no longer exists. */
static int owner_dead(const char *name)
{
    pid_t pid = stale_owner(name);
    return pid > 0 && pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH;
}

/* Removes the entries "pb-run-PID-..." of dead owners in folder dir: kind 0 directories with
 * their contents, 1 empty directories (cgroups), 2 files (/dev/shm). Returns how many. */
static int clean_folder(const char *dir, int kind)
{
    DIR *d = opendir(dir);
    int removed = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        char path[PATH_MAX];
        struct stat st;
        if (!owner_dead(e->d_name))
            continue;
        snprintf(path, sizeof path, "%s/%.200s", dir, e->d_name);
        if (lstat(path, &st) != 0 || st.st_uid != geteuid() || (kind == 0 && dir_in_use(path)))
            continue;                    /* not ours, or a live run of another pid namespace */
        if (kind == 0)
            removed += nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0;
        else if (kind == 1)
            removed += rmdir(path) == 0;
        else
            removed += unlink(path) == 0;
    }
    if (d)
        closedir(d);
    return removed;
}

/* See runner.h. */
int pb_runner_clean_stale(void)
{
    char base[PATH_MAX - 64];
    int n = clean_folder(pb_runner_tmp_root(), 0) + clean_folder("/dev/shm", 2);
    if (pb_memory_cgroup_find("", base, sizeof base))
        n += clean_folder(base, 1);
    return n;
}

/* See runtmp.h. */
void pb_runtmp_tail(const char *tmpdir, char *tail, size_t size)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/output.log", tmpdir);
    pb_file_last_line(path, tail, size);
}
