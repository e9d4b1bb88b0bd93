/* team.h — the bookkeeping every parallel strategy shares around its split of the work, so a
 * strategy file keeps only how it divides the rows, blocks, cells or tree nodes:
 *
 *   pb_team_begin    the output (matrix mapping or binning), one padded histogram block per
 *                    worker, and the CPUs to pin to, read before anyone is pinned;
 *   pb_team_hist     worker w's histogram block;
 *   pb_team_pin      pins the calling worker w when the run asks for it;
 *   pb_team_threads  runs body(ctx, w) on T pthreads, w = 0..T-1, and joins them;
 *   pb_team_take     the next item of a shared queue (an atomic counter), for dynamic splits;
 *   pb_team_end      adds the workers' blocks into out->counts (when the run succeeded),
 *                    restores the calling thread's CPUs, releases what begin took.
 *
 * None of it runs per pair: a worker asks for its block and pins itself once. In-tree only
 * (not installed): plugins get the kernels from pairkern.h and may copy this as they like.
 */
#ifndef PAIRBENCH_TEAM_H
#define PAIRBENCH_TEAM_H

#include "pairkern.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

/* What a run's workers share besides the problem. Zeroed by pb_team_begin. */
struct pb_team {
    struct pb_bins b;                /* binning, read-only for workers (histogram runs) */
    uint64_t *hist;                  /* nblocks padded histogram blocks, or NULL */
    size_t nbins;                    /* bins per block (histogram runs), else 0 */
    size_t nblocks;                  /* histogram blocks allocated */
    int pin;                         /* 1: workers pin themselves to cpus */
    cpu_set_t cpus;                  /* the CPUs the caller may use, when pin */
};

/* Prepares a run of p by workers of prm: the output (pb_prepare; shared: MAP_SHARED matrix for
 * forked writers), nblocks zeroed histogram blocks for a histogram run (nblocks may be 0 when
 * the strategy keeps its counts elsewhere), and the CPU set when prm->pin. Returns 0 or -errno;
 * on failure pb_team_end(tm, out, err) still releases what was taken. */
static inline int pb_team_begin(struct pb_team *tm, const struct pb_problem *p,
                                const struct pb_params *prm, struct pb_output *out,
                                size_t nblocks, int shared)
{
    memset(tm, 0, sizeof *tm);
    int err = pb_prepare(p, out, &tm->b, shared);
    if (!err && p->output == PB_OUTPUT_HISTOGRAM && nblocks > 0) {
        tm->nbins = p->nbins;
        tm->nblocks = nblocks;
        if (!(tm->hist = pb_hist_alloc(p->nbins, nblocks)))
            err = -ENOMEM;
    }
    if (!err && prm->pin && !(err = pb_cpus(&tm->cpus)))
        tm->pin = 1;
    return err;
}

/* Bytes pb_team_begin takes for a histogram run of p with nblocks blocks, beyond the output
 * itself: the blocks (PB_HIST_LANES lanes of nbins + 2 counters each) and the binning. 0 for
 * a matrix run, whose mapping is the output. A strategy's extra_bytes adds this to its own. */
static inline size_t pb_team_bytes(const struct pb_problem *p, size_t nblocks)
{
    if (p->output != PB_OUTPUT_HISTOGRAM)
        return 0;
    return nblocks * pb_hist_bytes(p->nbins) + pb_bins_bytes(p);
}

/* extra_bytes for a strategy that takes one histogram block per worker thread through
 * pb_team_begin and allocates nothing else of its own. */
static inline size_t pb_team_extra_bytes(const struct pb_problem *p, const struct pb_params *prm)
{
    return pb_team_bytes(p, (size_t)(prm->threads > 0 ? prm->threads : 1));
}

/* Worker w's histogram block (w < nblocks), or NULL for a matrix run. */
static inline uint64_t *pb_team_hist(const struct pb_team *tm, size_t w)
{
    return tm->hist ? pb_hist_block(tm->hist, tm->nbins, w) : NULL;
}

/* Pins the calling thread or process, worker w, to the w-th CPU of the caller's set when the
 * run asked for pinning. Pinning is a request: a refusal is not fatal. */
static inline void pb_team_pin(const struct pb_team *tm, int w)
{
    if (tm->pin)
        (void)pb_pin_self(&tm->cpus, w);
}

/* One thread of pb_team_threads: what it runs and its worker index. */
struct pb_team_thread {
    void (*body)(void *ctx, int w);  /* the worker's function */
    void *ctx;                       /* shared by every worker */
    int w;                           /* this worker's index */
};

/* pthread entry of pb_team_threads: calls the body. Returns NULL. */
static inline void *pb_team_thread_main(void *arg)
{
    struct pb_team_thread *t = arg;
    t->body(t->ctx, t->w);
    return NULL;
}

/* Runs body(ctx, w) on nt pthreads, w = 0..nt-1, and joins them. Returns 0, or -errno when a
 * thread could not be started (or memory); those already started are joined either way. */
static inline int pb_team_threads(size_t nt, void (*body)(void *ctx, int w), void *ctx)
{
    pthread_t *tid = calloc(nt ? nt : 1, sizeof *tid);
    struct pb_team_thread *ts = calloc(nt ? nt : 1, sizeof *ts);
    int err = tid && ts ? 0 : -ENOMEM;
    size_t started = 0;
    for (; !err && started < nt; started++) {
        ts[started] = (struct pb_team_thread){ .body = body, .ctx = ctx, .w = (int)started };
        if ((err = -pthread_create(&tid[started], NULL, pb_team_thread_main, &ts[started])))
            break;
    }
    for (size_t w = 0; w < started; w++)
        pthread_join(tid[w], NULL);
    free(ts);
    free(tid);
    return err;
}

/* Takes the next item of a queue of n items shared through the counter next: 1 with the item
 * in *item, or 0 when the queue is drained. One relaxed atomic add a call: call it per block
 * of work, not per pair. */
static inline int pb_team_take(atomic_size_t *next, size_t n, size_t *item)
{
    *item = atomic_fetch_add_explicit(next, 1, memory_order_relaxed);
    return *item < n;
}

/* Ends the run: when err is 0, adds every histogram block into out->counts; when pinning was
 * asked, gives the calling thread back the CPUs it had (an OpenMP team's first thread is the
 * caller); releases the blocks and the binning. Returns err. */
static inline int pb_team_end(struct pb_team *tm, struct pb_output *out, int err)
{
    for (size_t w = 0; !err && w < tm->nblocks; w++)
        pb_hist_reduce(pb_team_hist(tm, w), tm->nbins, out->counts);
    if (tm->pin)
        (void)pthread_setaffinity_np(pthread_self(), sizeof tm->cpus, &tm->cpus);
    free(tm->hist);
    pb_bins_free(&tm->b);
    memset(tm, 0, sizeof *tm);
    return err;
}

#endif
