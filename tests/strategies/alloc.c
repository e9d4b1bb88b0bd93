/* alloc.c — a strategy that holds a known amount of memory, for the memory accounting tests:
 * the parent touches "mib" MiB, each of "children" forked children touches its own "mib" MiB,
 * and all of them touch one MAP_SHARED region of "shared_mib" MiB, which must count once. The
 * whole tree holds its memory for "hold_ms" so the sampler sees the plateau, then the answer
 * is computed by naive, so runs verify. Expected peak: mib * (1 + children) + shared_mib, plus
 * the run's baseline and naive's output. */
#include "strategies.h"

#include "registry.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct pb_param_spec params[] = {
    { .name = "mib", .def = "64", .help = "MiB each process touches privately" },
    { .name = "children", .def = "0", .help = "forked children" },
    { .name = "shared_mib", .def = "0", .help = "MiB of one MAP_SHARED region all touch" },
    { .name = "hold_ms", .def = "200", .help = "how long the tree holds its memory" },
    { 0 },
};

/* Writes every byte of len bytes at p, so every page is really backed. */
static void touch(char *p, size_t len)
{
    if (p)
        memset(p, 1, len);
}

/* A child: touches the shared region and its own block, reports ready, waits for release. */
static void child(char *shared, size_t shared_len, size_t len, int ready, int release)
{
    char c;
    touch(shared, shared_len);
    char *mine = len ? malloc(len) : NULL;
    touch(mine, len);
    (void)!write(ready, "r", 1);
    (void)!read(release, &c, 1);           /* returns at end of file: the parent let go */
    _exit(0);
}

/* Forks nchild children, waits until all hold their memory, holds hold_ms, releases, reaps. */
static int hold_tree(long nchild, char *shared, size_t shared_len, size_t len, long hold_ms)
{
    int ready[2], release[2];
    char c;
    if (pipe(ready) != 0 || pipe(release) != 0)
        return -errno;
    for (long i = 0; i < nchild; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            close(release[1]);
            child(shared, shared_len, len, ready[1], release[0]);
        }
    }
    for (long i = 0; i < nchild; i++)
        (void)!read(ready[0], &c, 1);
    usleep((useconds_t)hold_ms * 1000);
    close(release[1]);
    while (wait(NULL) > 0)
        ;
    close(ready[0]);
    close(ready[1]);
    close(release[0]);
    return 0;
}

/* Allocates, holds, frees, then computes the real answer with naive. */
static int run(const struct pb_problem *p, const struct pb_params *k, struct pb_output *out)
{
    size_t len = (size_t)pbts_long(k, "mib", 64) << 20;
    size_t shared_len = (size_t)pbts_long(k, "shared_mib", 0) << 20;
    char *shared = NULL;
    if (shared_len) {
        shared = mmap(NULL, shared_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                      -1, 0);
        if (shared == MAP_FAILED)
            return -errno;
    }
    touch(shared, shared_len);
    char *mine = len ? malloc(len) : NULL;
    touch(mine, len);
    int rc = hold_tree(pbts_long(k, "children", 0), shared, shared_len, len,
                       pbts_long(k, "hold_ms", 200));
    free(mine);
    if (shared)
        munmap(shared, shared_len);
    const struct pb_strategy *naive = pb_registry_find("naive");
    if (rc == 0)
        rc = naive ? naive->run(p, k, out) : -ENOENT;
    return rc;
}

const struct pb_strategy pb_test_strategy_alloc = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "test-alloc",
    .summary = "touches known amounts of private and shared memory in a process tree",
    .params = params,
    .run = run,
};
