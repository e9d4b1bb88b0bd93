/* naive.c — the plain serial loop, one pair at a time. Every other strategy is verified against
 * it, so it stays obviously correct: no tiling, no tricks. It computes in the problem's
 * precision: double, or float from xf/yf/zf against the edges rounded to float, the rule every
 * float strategy follows (pairkern.h, "Exactness"). The reference is its double run. */
#include "pairkern.h"

/* Fills the whole n*n matrix, both triangles and the zero diagonal, row by row. */
static int run_matrix(const struct pb_problem *p, struct pb_output *out)
{
    int fl = p->precision == PB_PRECISION_FLOAT;
    int err = pb_matrix_alloc(out, p->n, pb_elem_bytes(p), 0);
    if (err)
        return err;
    for (size_t i = 0; i < p->n; i++)
        for (size_t j = 0; j < p->n; j++) {
            if (fl)
                ((float *)out->matrix)[i * p->n + j] = pb_distance_f(p, i, j);
            else
                ((double *)out->matrix)[i * p->n + j] = pb_distance(p, i, j);
        }
    return 0;
}

/* The edges a float run bins against: each rounded to float (exactly representable as a
 * double, so a float distance compares with it as it would in float). Returns NULL when out
 * of memory. */
static double *float_edges(const struct pb_problem *p)
{
    double *e = malloc((p->nbins + 1) * sizeof *e);
    for (size_t k = 0; e && k <= p->nbins; k++)
        e[k] = (double)(float)p->edges[k];
    return e;
}

/* Counts each unique pair i<j once in the bin its distance falls in. */
static int run_histogram(const struct pb_problem *p, struct pb_output *out)
{
    int fl = p->precision == PB_PRECISION_FLOAT;
    double *ef = fl ? float_edges(p) : NULL;
    if (fl && !ef)
        return -ENOMEM;
    for (size_t i = 0; i < p->n; i++)
        for (size_t j = i + 1; j < p->n; j++) {
            long b = fl ? pb_bin_search(ef, p->nbins, pb_distance_f(p, i, j))
                        : pb_bin_search(p->edges, p->nbins, pb_distance(p, i, j));
            if (b >= 0)
                out->counts[b]++;
        }
    free(ef);
    return 0;
}

/* One call: the matrix or the histogram, in p's precision. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    (void)prm;
    return p->output == PB_OUTPUT_MATRIX ? run_matrix(p, out) : run_histogram(p, out);
}

const struct pb_strategy pb_strategy_naive = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "naive",
    .summary = "plain serial loop in the run's precision; its double run is the reference "
               "every result is checked against",
    .flags = PB_SERIAL,
    .run = run,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_NAIVE },
};
