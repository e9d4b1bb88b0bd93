/* pairbench.c — libpairbench's C API (pairbench.h) over the compute core
 * (harness/run/compute.h): arrays of any layout in, the core's histogram out, its message kept
 * per thread. */
#include "pairbench.h"

#include "compute.h"
#include "points.h"
#include "registry.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local struct pb_err last_error;

int pairbench_api_version(void)
{
    return PAIRBENCH_API_VERSION;
}

const char *pairbench_error(void)
{
    return last_error.msg;
}

size_t pairbench_strategy_count(void)
{
    return pb_registry_count();
}

const char *pairbench_strategy_name(size_t i)
{
    return i < pb_registry_count() ? pb_registry_get(i)->name : NULL;
}

const char *pairbench_strategy_summary(size_t i)
{
    return i < pb_registry_count() ? pb_registry_get(i)->summary : NULL;
}

int pairbench_strategy_in_process(size_t i)
{
    if (i >= pb_registry_count())
        return -1;
    return pb_compute_in_process(pb_registry_get(i), NULL) == 0;
}

int pairbench_default_threads(void)
{
    return pb_compute_default_threads();
}

int pairbench_edges(double lo, double hi, size_t count, int log, double *edges)
{
    double *e = NULL;
    int rc = pb_compute_edges(lo, hi, count, log ? PB_BINS_LOG : PB_BINS_LINEAR, "edges", &e,
                              &last_error);
    if (rc == 0)
        memcpy(edges, e, (count + 1) * sizeof *e);
    free(e);
    return rc;
}

/* The coordinate d of point i of the array described as in pairbench_count. */
static double coord(const char *base, size_t i, int d, ptrdiff_t rs, ptrdiff_t cs, int itemsize)
{
    const char *at = base + (ptrdiff_t)i * rs + d * cs;
    if (itemsize == 4) {
        float f;
        memcpy(&f, at, sizeof f);
        return f;
    }
    double v;
    memcpy(&v, at, sizeof v);
    return v;
}

/* 1 when some coordinate of pts lies outside [0, box). */
static int outside_box(const struct pb_points *pts, double box)
{
    const double *c[3] = {pts->x, pts->y, pts->z};
    for (int d = 0; d < 3; d++)
        for (size_t i = 0; i < pts->n; i++)
            if (!(c[d][i] >= 0 && c[d][i] < box))
                return 1;
    return 0;
}

/* Copies the array into *own (structure of arrays, doubles) and points view at it. Returns 0
 * or -ENOMEM. */
static int copy_points(const char *base, size_t n, ptrdiff_t rs, ptrdiff_t cs, int itemsize,
                       struct pb_points *own, struct pb_points *view)
{
    double *all = malloc((n ? n : 1) * 3 * sizeof *all);
    if (!all)
        return pb_fail(&last_error, -ENOMEM, "points: no memory for a copy of %zu points", n);
    *own = (struct pb_points){.n = n, .x = all, .y = all + n, .z = all + 2 * n};
    double *c[3] = {own->x, own->y, own->z};
    for (int d = 0; d < 3; d++)
        for (size_t i = 0; i < n; i++)
            c[d][i] = coord(base, i, d, rs, cs, itemsize);
    *view = *own;
    return 0;
}

/* The points as structure of arrays into *view: the caller's float64 columns in place when
 * their stride is 8 and nothing needs wrapping into the box, else a copy (all->x, freed by the
 * caller). Checks every coordinate (finite, within PB_COORD_MAX). Returns 0 or -errno. */
static int take_points(const void *points, size_t n, ptrdiff_t rs, ptrdiff_t cs, int itemsize,
                       double box, double **all, struct pb_points *view)
{
    struct pb_points own = {0};
    const char *base = points;
    *all = NULL;
    if (itemsize != 8 && itemsize != 4)
        return pb_fail(&last_error, -EINVAL, "points: itemsize %d is neither float64 (8) nor "
                       "float32 (4)", itemsize);
    int in_place = itemsize == 8 && rs == 8;
    if (in_place)
        *view = (struct pb_points){.n = n, .x = (double *)base, .y = (double *)(base + cs),
                                   .z = (double *)(base + 2 * cs)};
    else if (copy_points(base, n, rs, cs, itemsize, &own, view) < 0)
        return -ENOMEM;
    *all = own.x;
    int rc = pb_points_check_range(view, PB_COORD_MAX, "points", &last_error);
    if (rc == 0 && in_place && box > 0 && outside_box(view, box) &&
        (rc = copy_points(base, n, rs, cs, itemsize, &own, view)) == 0)
        *all = own.x;
    return rc;
}

int pairbench_count(const void *points, size_t n, ptrdiff_t row_stride, ptrdiff_t col_stride,
                    int itemsize, const double *edges, size_t nedges, const char *strategy,
                    int threads, double box, const char *const *params, size_t nparams,
                    uint64_t *counts, struct pairbench_info *info)
{
    struct pb_compute_info used;
    struct pb_points pts;
    double *all = NULL;
    struct pb_compute_opts o = {.strategy = strategy ? strategy : "auto", .threads = threads,
                                .box = box, .output = PB_OUTPUT_HISTOGRAM,
                                .kv_text = (char *const *)params, .nkv_text = nparams,
                                .param_label = "params"};
    last_error.msg[0] = '\0';
    if (threads < 0 || threads > PB_COMPUTE_MAX_THREADS)
        return pb_fail(&last_error, -EINVAL, "threads: expected from 1 to %d, got %d",
                       PB_COMPUTE_MAX_THREADS, threads);
    if (!(box >= 0) || box > PB_COORD_MAX)
        return pb_fail(&last_error, -EINVAL, "box: expected a side from 0 (open) to %g, got %g",
                       PB_COORD_MAX, box);
    if (nparams > PB_COMPUTE_MAX_PARAMS)
        return pb_fail(&last_error, -EINVAL, "params: at most %d, got %zu",
                       PB_COMPUTE_MAX_PARAMS, nparams);
    int rc = pb_compute_check_edges(edges, nedges, "edges", &last_error);
    if (rc == 0)
        rc = take_points(points, n, row_stride, col_stride, itemsize, box, &all, &pts);
    if (rc == 0)
        rc = pb_compute_histogram(&o, &pts, edges, nedges - 1, counts, &used, &last_error);
    free(all);
    if (rc == 0 && info) {
        snprintf(info->strategy, sizeof info->strategy, "%s", used.strategy->name);
        snprintf(info->why, sizeof info->why, "%s", used.why);
        info->threads = used.threads;
        info->seconds = used.wall_s;
    }
    return rc;
}
