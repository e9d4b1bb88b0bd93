/* naive.c — the plain serial double loop. Every other strategy is verified against it, so it
 * stays obviously correct: no tiling, no tricks, one pair at a time. */
#include "pairkern.h"

/* Fills the whole n*n matrix, both triangles and the zero diagonal, row by row. */
static int run_matrix(const struct pb_problem *p, struct pb_output *out)
{
    int err = pb_matrix_alloc(out, p->n, sizeof(double), 0);
    if (err)
        return err;
    double *m = out->matrix;
    for (size_t i = 0; i < p->n; i++)
        for (size_t j = 0; j < p->n; j++)
            m[i * p->n + j] = pb_distance(p, i, j);
    return 0;
}

/* Counts each unique pair i<j once in the bin its distance falls in. */
static int run_histogram(const struct pb_problem *p, struct pb_output *out)
{
    for (size_t i = 0; i < p->n; i++)
        for (size_t j = i + 1; j < p->n; j++) {
            long b = pb_bin_search(p->edges, p->nbins, pb_distance(p, i, j));
            if (b >= 0)
                out->counts[b]++;
        }
    return 0;
}

/* Always double precision: the reference does not round. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    (void)prm;
    return p->output == PB_OUTPUT_MATRIX ? run_matrix(p, out) : run_histogram(p, out);
}

const struct pb_strategy pb_strategy_naive = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "naive",
    .summary = "plain serial double loop; the reference every result is checked against",
    .flags = PB_SERIAL,
    .run = run,
};
