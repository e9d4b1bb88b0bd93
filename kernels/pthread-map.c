/* pthread-map.c — rows partitioned statically across T threads, joined in order: the map of a
 * thread pool. For the histogram's i<j triangle the cut is by pair counts, so each part holds
 * the same work and the threads finish together; for the matrix every row costs the same. */
#include "team.h"

/* What every thread shares. */
struct job {
    const struct pb_problem *p;      /* the problem, read-only */
    const struct pb_team *tm;        /* binning, histogram blocks, pinning */
    struct pb_output *out;           /* matrix rows are written in place */
    size_t nt;                       /* threads, and parts of the rows */
};

/* Thread w's body: pins itself when asked, then computes part w of the rows. */
static void work(void *ctx, int w)
{
    const struct job *j = ctx;
    size_t i0 = pb_split(j->p, j->nt, (size_t)w), i1 = pb_split(j->p, j->nt, (size_t)w + 1);
    pb_team_pin(j->tm, w);
    pb_work_rows(j->p, &j->tm->b, i0, i1, j->out, pb_team_hist(j->tm, (size_t)w));
}

/* Prepares the team, runs T threads on the T parts, sums their histograms. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    struct pb_team tm;
    struct job j = { .p = p, .tm = &tm, .out = out, .nt = (size_t)prm->threads };
    int err = pb_team_begin(&tm, p, prm, out, j.nt, 0);
    if (!err)
        err = pb_team_threads(j.nt, work, &j);
    return pb_team_end(&tm, out, err);
}

const struct pb_strategy pb_strategy_pthread_map = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "pthread-map",
    .summary = "rows split statically across T pthreads (by pair count for the triangle), "
               "joined in order",
    .run = run,
    .extra_bytes = pb_team_extra_bytes,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_TILE },
};
