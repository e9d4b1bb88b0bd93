/* plan.c — an experiment unrolled into the ordered list of runs.
 *
 * Order: the overhead block (n = 0) first when enabled, then one block per n in the
 * experiment's order. Within a block the runs are shuffled when the order is random, so that
 * slow drifts of the machine (thermal, other tenants) spread over all strategies instead of
 * biasing whichever ran last. The shuffle is Fisher–Yates driven by rng.h seeded from
 * order_seed mixed with n, so a block's order depends only on the seed and its n. After the
 * shuffle, each point's (strategy, threads, ranks) slots are handed out in time order: warm-ups
 * take its earliest slots and repeats follow in ascending order, so a warm-up always precedes
 * the measured runs it warms. */
#include "plan.h"
#include "rng.h"

#include <errno.h>
#include <stdlib.h>

/* One (strategy, threads, ranks) combination of an experiment. */
struct point {
    size_t strategy;
    int threads;
    int ranks;
};

/* Appends every point of e to pts (NULL to count only). Serial strategies get threads = 1
 * once; only distributed ones sweep the ranks. Returns the number of points. */
static size_t list_points(const struct pb_experiment *e, struct point *pts)
{
    size_t np = 0;
    for (size_t s = 0; s < e->nstrategies; s++) {
        unsigned flags = e->strategies[s].strategy->flags;
        size_t nt = flags & PB_SERIAL ? 1 : e->nthreads;
        size_t nr = flags & PB_DISTRIBUTED ? e->nranks : 1;
        for (size_t t = 0; t < nt; t++)
            for (size_t r = 0; r < nr; r++, np++)
                if (pts)
                    pts[np] = (struct point){
                        .strategy = s,
                        .threads = flags & PB_SERIAL ? 1 : e->threads[t],
                        .ranks = flags & PB_DISTRIBUTED ? e->ranks[r] : 1,
                    };
    }
    return np;
}

/* Fisher–Yates over runs[0..n) with a generator seeded from seed and the block's n. */
static void shuffle(struct pb_run *runs, size_t n, uint64_t seed, size_t block_n)
{
    struct pb_rng r;
    uint64_t mix = seed ^ (0x9E3779B97F4A7C15ull * (uint64_t)(block_n + 1));
    pb_rng_seed(&r, pb_splitmix64(&mix));
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)pb_rng_below(&r, i);
        struct pb_run t = runs[i - 1];
        runs[i - 1] = runs[j];
        runs[j] = t;
    }
}

/* Within a shuffled block, reassigns kinds and repeat numbers per point in slot order:
 * the first `warm` slots of a point are its warm-ups, the rest its repeats 0, 1, ... of kind. */
static void renumber(struct pb_run *runs, size_t n, int warm, enum pb_run_kind kind)
{
    for (size_t i = 0; i < n; i++) {
        if (runs[i].repeat < 0)
            continue;                /* already renumbered as part of an earlier point */
        int seen = 0;
        for (size_t j = i; j < n; j++) {
            struct pb_run *q = &runs[j];
            if (q->repeat < 0 || q->strategy != runs[i].strategy ||
                q->threads != runs[i].threads || q->ranks != runs[i].ranks)
                continue;
            q->kind = seen < warm ? PB_RUN_WARMUP : kind;
            q->repeat = -1 - (seen < warm ? seen : seen - warm);  /* marked done */
            seen++;
        }
    }
    for (size_t i = 0; i < n; i++)
        runs[i].repeat = -1 - runs[i].repeat;
}

/* Writes one block: for each point, warm-ups then repeats (kind per warm/reps). Returns the
 * number of runs written. */
static size_t fill_block(struct pb_run *out, const struct point *pts, size_t np, size_t n,
                         int warm, int reps, enum pb_run_kind kind)
{
    size_t k = 0;
    for (size_t p = 0; p < np; p++)
        for (int i = 0; i < warm + reps; i++)
            out[k++] = (struct pb_run){
                .strategy = pts[p].strategy,
                .n = n,
                .threads = pts[p].threads,
                .ranks = pts[p].ranks,
                .repeat = i < warm ? i : i - warm,
                .kind = i < warm ? PB_RUN_WARMUP : kind,
            };
    return k;
}

/* Total runs of the plan, or SIZE_MAX when it would overflow. */
static size_t plan_length(const struct pb_experiment *e, size_t np)
{
    size_t per_n = (size_t)e->warmup + (size_t)e->repeats;
    size_t blocks = e->nsizes;
    if (np && per_n > SIZE_MAX / np)
        return SIZE_MAX;
    size_t total = np * per_n;
    if (blocks && total > SIZE_MAX / blocks)
        return SIZE_MAX;
    total *= blocks;
    size_t over = e->overhead ? np * (size_t)e->repeats : 0;
    return total > SIZE_MAX - over ? SIZE_MAX : total + over;
}

/* The most runs a plan may hold: at a millisecond a run, more would take over a day, and the
 * list alone would need gigabytes. Larger plans are refused before any allocation, so the
 * answer does not depend on how the allocator (or a sanitizer's) treats a huge request. */
#define PB_PLAN_MAX_RUNS ((size_t)100000000)

int pb_plan_build(const struct pb_experiment *e, struct pb_run **runs, size_t *nruns)
{
    *runs = NULL;
    *nruns = 0;
    size_t np = list_points(e, NULL);
    size_t total = plan_length(e, np);
    if (total == SIZE_MAX || total > PB_PLAN_MAX_RUNS)
        return -ENOMEM;                 /* refused before asking the allocator for it */
    struct point *pts = malloc((np ? np : 1) * sizeof *pts);
    struct pb_run *out = malloc((total ? total : 1) * sizeof *out);
    if (!pts || !out) {
        free(pts);
        free(out);
        return -ENOMEM;
    }
    list_points(e, pts);
    size_t k = 0;
    for (size_t b = 0; b < e->nsizes + 1; b++) {
        int over = b == 0;
        if (over && !e->overhead)
            continue;
        size_t n = over ? 0 : e->sizes[b - 1];
        int warm = over ? 0 : e->warmup;
        enum pb_run_kind kind = over ? PB_RUN_OVERHEAD : PB_RUN_MEASURED;
        size_t len = fill_block(out + k, pts, np, n, warm, e->repeats, kind);
        if (e->order == PB_ORDER_RANDOM && len > 1) {
            shuffle(out + k, len, e->order_seed, n);
            renumber(out + k, len, warm, kind);
        }
        k += len;
    }
    free(pts);
    *runs = out;
    *nruns = k;
    return 0;
}
