/* pthread-map.c — rows partitioned statically across T threads, joined in order: the map of a
 * thread pool. For the histogram's i<j triangle the cut is by pair counts, so each part holds
 * the same work and the threads finish together; for the matrix every row costs the same. */
#include "pairkern.h"

#include <pthread.h>

/* One thread's share: rows [i0, i1) and where its histogram goes. */
struct task {
    const struct pb_problem *p;      /* the problem, shared read-only */
    const struct pb_bins *b;         /* binning, shared read-only (histogram) */
    struct pb_output *out;           /* matrix rows are written in place */
    uint64_t *h;                     /* this thread's padded histogram block */
    size_t i0, i1;                   /* rows of this part */
    const cpu_set_t *cpus;           /* CPUs to pin to, or NULL for no pinning */
    int w;                           /* worker index, for pinning */
};

/* Thread body: pins itself when asked, then computes its rows. Returns NULL. */
static void *work(void *arg)
{
    struct task *t = arg;
    if (t->cpus)
        (void)pb_pin_self(t->cpus, t->w);   /* pinning is a request: a refusal is not fatal */
    pb_work_rows(t->p, t->b, t->i0, t->i1, t->out, t->h);
    return NULL;
}

/* Starts T threads on the T parts, joins them in order, and sums their histograms. Returns 0
 * or -errno (thread creation or memory); threads already started are joined either way. */
static int run_threads(const struct pb_problem *p, const struct pb_params *k,
                       struct pb_output *out, const struct pb_bins *b)
{
    size_t nt = (size_t)k->threads;
    struct task *tasks = calloc(nt, sizeof *tasks);
    pthread_t *tid = calloc(nt, sizeof *tid);
    uint64_t *hist = p->output == PB_OUTPUT_HISTOGRAM ? pb_hist_alloc(p->nbins, nt) : NULL;
    cpu_set_t cpus;
    int err = (!tasks || !tid || (p->output == PB_OUTPUT_HISTOGRAM && !hist)) ? -ENOMEM : 0;
    if (!err && k->pin)
        err = pb_cpus(&cpus);
    size_t started = 0;
    for (; !err && started < nt; started++) {
        size_t w = started;
        tasks[w] = (struct task){ .p = p, .b = b, .out = out, .i0 = pb_split(p, nt, w),
                                  .i1 = pb_split(p, nt, w + 1), .cpus = k->pin ? &cpus : NULL,
                                  .w = (int)w, .h = hist ? pb_hist_block(hist, p->nbins, w) : NULL };
        err = -pthread_create(&tid[w], NULL, work, &tasks[w]);
        if (err)
            break;
    }
    for (size_t w = 0; w < started; w++) {
        pthread_join(tid[w], NULL);
        if (hist && !err)
            pb_hist_reduce(tasks[w].h, p->nbins, out->counts);
    }
    free(hist);
    free(tid);
    free(tasks);
    return err;
}

/* Prepares the output, runs the threads, releases the binning. */
static int run(const struct pb_problem *p, const struct pb_params *k, struct pb_output *out)
{
    struct pb_bins b;
    int err = pb_prepare(p, out, &b, 0);
    if (err)
        return err;
    err = run_threads(p, k, out, &b);
    pb_bins_free(&b);
    return err;
}

const struct pb_strategy pb_strategy_pthread_map = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "pthread-map",
    .summary = "rows split statically across T pthreads (by pair count for the triangle), "
               "joined in order",
    .run = run,
};
