/* pthread-async.c — a work queue of row blocks pulled by T threads as they finish: the async
 * map of a thread pool. The queue is one atomic counter over blocks of equal work (equal pair
 * counts for the triangle); a block's results land in place whatever order blocks complete. */
#include "team.h"

enum { BLOCKS_PER_THREAD = 16 };     /* enough blocks to even out a slow thread, few enough
                                        that the queue costs nothing */

/* The queue and what every thread shares. */
struct queue {
    const struct pb_problem *p;      /* the problem, shared read-only */
    const struct pb_team *tm;        /* binning, histogram blocks, pinning */
    struct pb_output *out;           /* matrix rows are written in place */
    size_t nblocks;                  /* blocks in the queue (0 for the empty problem) */
    atomic_size_t next;              /* next block to hand out */
};

/* Thread w's body: pins itself when asked, then pulls blocks until the queue is drained. */
static void work(void *ctx, int w)
{
    struct queue *q = ctx;
    uint64_t *h = pb_team_hist(q->tm, (size_t)w);
    pb_team_pin(q->tm, w);
    for (size_t blk; pb_team_take(&q->next, q->nblocks, &blk);)
        pb_work_rows(q->p, &q->tm->b, pb_split(q->p, q->nblocks, blk),
                     pb_split(q->p, q->nblocks, blk + 1), q->out, h);
}

/* Prepares the team and the queue of row blocks, runs T threads on it, sums their
 * histograms. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    struct pb_team tm;
    size_t nt = (size_t)prm->threads, nblocks = nt * BLOCKS_PER_THREAD;
    struct queue q = { .p = p, .tm = &tm, .out = out,
                       .nblocks = nblocks < p->n ? nblocks : p->n };
    atomic_init(&q.next, 0);
    int err = pb_team_begin(&tm, p, prm, out, nt, 0);
    if (!err)
        err = pb_team_threads(nt, work, &q);
    return pb_team_end(&tm, out, err);
}

const struct pb_strategy pb_strategy_pthread_async = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "pthread-async",
    .summary = "T pthreads pull row blocks of equal work from an atomic queue; results land "
               "in place",
    .run = run,
    .extra_bytes = pb_team_extra_bytes,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_TILE },
};
