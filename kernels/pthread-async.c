/* pthread-async.c — a work queue of row blocks pulled by T threads as they finish: the async
 * map of a thread pool. The queue is one atomic counter over blocks of equal work (equal pair
 * counts for the triangle); a block's results land in place whatever order blocks complete. */
#include "pairkern.h"

#include <pthread.h>
#include <stdatomic.h>

enum { BLOCKS_PER_THREAD = 16 };     /* enough blocks to even out a slow thread, few enough
                                        that the queue costs nothing */

/* The queue and what every thread shares. */
struct queue {
    const struct pb_problem *p;      /* the problem, shared read-only */
    const struct pb_bins *b;         /* binning, shared read-only (histogram) */
    struct pb_output *out;           /* matrix rows are written in place */
    size_t nblocks;                  /* blocks in the queue (0 for the empty problem) */
    atomic_size_t next;              /* next block to hand out */
    const cpu_set_t *cpus;           /* CPUs to pin to, or NULL for no pinning */
};

/* One thread: its histogram block and its index. */
struct worker {
    struct queue *q;                 /* the shared queue */
    uint64_t *h;                     /* this thread's padded histogram block */
    int w;                           /* worker index, for pinning */
};

/* Thread body: pulls blocks until the queue is drained. Returns NULL. */
static void *work(void *arg)
{
    struct worker *me = arg;
    struct queue *q = me->q;
    if (q->cpus)
        (void)pb_pin_self(q->cpus, me->w);  /* pinning is a request: a refusal is not fatal */
    for (;;) {
        size_t blk = atomic_fetch_add_explicit(&q->next, 1, memory_order_relaxed);
        if (blk >= q->nblocks)
            break;
        pb_work_rows(q->p, q->b, pb_split(q->p, q->nblocks, blk),
                     pb_split(q->p, q->nblocks, blk + 1), q->out, me->h);
    }
    return NULL;
}

/* Starts T threads on the queue, joins them, sums their histograms. Returns 0 or -errno. */
static int run_queue(struct queue *q, const struct pb_params *k)
{
    const struct pb_problem *p = q->p;
    size_t nt = (size_t)k->threads;
    struct worker *ws = calloc(nt, sizeof *ws);
    pthread_t *tid = calloc(nt, sizeof *tid);
    uint64_t *hist = p->output == PB_OUTPUT_HISTOGRAM ? pb_hist_alloc(p->nbins, nt) : NULL;
    int err = (!ws || !tid || (p->output == PB_OUTPUT_HISTOGRAM && !hist)) ? -ENOMEM : 0;
    size_t started = 0;
    for (; !err && started < nt; started++) {
        ws[started] = (struct worker){ .q = q, .w = (int)started,
                                       .h = hist ? pb_hist_block(hist, p->nbins, started) : NULL };
        err = -pthread_create(&tid[started], NULL, work, &ws[started]);
        if (err)
            break;
    }
    for (size_t w = 0; w < started; w++) {
        pthread_join(tid[w], NULL);
        if (hist && !err)
            pb_hist_reduce(ws[w].h, p->nbins, q->out->counts);
    }
    free(hist);
    free(tid);
    free(ws);
    return err;
}

/* Prepares the output and the queue of row blocks, runs it, releases the binning. */
static int run(const struct pb_problem *p, const struct pb_params *k, struct pb_output *out)
{
    struct pb_bins b;
    cpu_set_t cpus;
    int err = pb_prepare(p, out, &b, 0);
    if (err)
        return err;
    size_t nblocks = (size_t)k->threads * BLOCKS_PER_THREAD;
    struct queue q = { .p = p, .b = &b, .out = out, .cpus = k->pin ? &cpus : NULL,
                       .nblocks = nblocks < p->n ? nblocks : p->n };
    atomic_init(&q.next, 0);
    err = k->pin ? pb_cpus(&cpus) : 0;
    if (!err)
        err = run_queue(&q, k);
    pb_bins_free(&b);
    return err;
}

const struct pb_strategy pb_strategy_pthread_async = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "pthread-async",
    .summary = "T pthreads pull row blocks of equal work from an atomic queue; results land "
               "in place",
    .run = run,
};
