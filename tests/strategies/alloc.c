/* alloc.c — a strategy that holds a known amount of memory, for the memory accounting tests:
 * the parent touches "mib" MiB, each of "children" forked children touches its own "mib" MiB,
 * and all of them touch one MAP_SHARED region of "shared_mib" MiB, which must count once. The
 * whole tree holds its memory for "hold_ms" so the sampler sees the plateau, then the answer
 * is computed by naive, so runs verify (or, with "matrix_workers", by forked workers into
 * shared memory, as chunked-fork does). Expected peak: mib * (1 + children) + shared_mib, plus
 * the run's baseline and naive's output. */
#include "strategies.h"

#include "pairkern.h"
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
    { .name = "matrix_workers", .def = "0",
      .help = ">0: the matrix is written by this many forked workers into shared memory, "
              "which exit before the strategy returns (the shape of chunked-fork over shm)" },
    { 0 },
};

/* Writes one byte in every page of len bytes at p, so every page is really backed. The store
 * is volatile: an optimiser may otherwise drop a block that is written and never read. */
static void touch(char *p, size_t len)
{
    volatile char *v = p;
    for (size_t i = 0; p && i < len; i += 4096)
        v[i] = 1;
}

/* len bytes of fresh anonymous memory (flags: MAP_PRIVATE or MAP_SHARED), or NULL when len is
 * 0 or the mapping fails. mmap rather than malloc, so no allocator headers or arenas blur the
 * amount. */
static char *map(size_t len, int flags)
{
    if (!len)
        return NULL;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* A child: touches the shared region and its own block, reports ready, waits for release. */
static void child(char *shared, size_t shared_len, size_t len, int ready, int release)
{
    char c;
    touch(shared, shared_len);
    char *mine = map(len, MAP_PRIVATE);
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

/* Fills rows [lo, hi) of the n*n matrix m as naive does. */
static void fill_rows(const struct pb_problem *p, double *m, size_t lo, size_t hi)
{
    for (size_t i = lo; i < hi; i++)
        for (size_t j = 0; j < p->n; j++)
            m[i * p->n + j] = pb_distance(p, i, j);
}

/* The matrix written by w forked workers into a shared mapping; the workers exit (and are
 * reaped) before this returns, so no live process but this one maps the pages afterwards. */
static int shared_matrix(const struct pb_problem *p, struct pb_output *out, long w)
{
    int rc = pb_matrix_alloc(out, p->n, sizeof(double), 1);
    if (rc)
        return rc;
    for (long i = 0; i < w; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return -errno;
        if (pid == 0) {
            fill_rows(p, out->matrix, p->n * (size_t)i / (size_t)w,
                      p->n * (size_t)(i + 1) / (size_t)w);
            _exit(0);
        }
    }
    int st;
    while (wait(&st) > 0)
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            rc = -ECHILD;
    return rc;
}

/* Allocates, holds, frees, then computes the real answer with naive (or shared_matrix). */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    size_t len = (size_t)pbts_long(prm, "mib", 64) << 20;
    size_t shared_len = (size_t)pbts_long(prm, "shared_mib", 0) << 20;
    char *shared = map(shared_len, MAP_SHARED), *mine = map(len, MAP_PRIVATE);
    if ((shared_len && !shared) || (len && !mine))
        return -ENOMEM;
    touch(shared, shared_len);
    touch(mine, len);
    int rc = hold_tree(pbts_long(prm, "children", 0), shared, shared_len, len,
                       pbts_long(prm, "hold_ms", 200));
    if (mine)
        munmap(mine, len);
    if (shared)
        munmap(shared, shared_len);
    long w = pbts_long(prm, "matrix_workers", 0);
    if (rc == 0 && w > 0 && p->output == PB_OUTPUT_MATRIX)
        return shared_matrix(p, out, w);
    const struct pb_strategy *naive = pb_registry_find("naive");
    if (rc == 0)
        rc = naive ? naive->run(p, prm, out) : -ENOENT;
    return rc;
}

const struct pb_strategy pb_test_strategy_alloc = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "test-alloc",
    .summary = "touches known amounts of private and shared memory in a process tree",
    .params = params,
    .run = run,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_TILE },
};
