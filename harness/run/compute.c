/* compute.c — one computation of the all-pairs problem, shared by `bench compute` and
 * libpairbench. See compute.h. */
#include "compute.h"

#include "config.h"
#include "cpuload.h"
#include "memory.h"
#include "pbclock.h"
#include "plan.h"
#include "problem.h"
#include "registry.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AUTO_ALL_RANGE_SERIAL "blocked"     /* auto, every pair in range, 1 thread: the fastest
                                               1-thread histogram measured (README) */
#define AUTO_ALL_RANGE "pthread-async"      /* auto, every pair in range, threads > 1 */
#define AUTO_MATRIX "pthread-async"         /* auto, a matrix: the fastest measured */

int pb_compute_default_threads(void)
{
    struct pb_cpu_avail av;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    double t = online > 0 ? (double)online : 1;
    pb_cpus_available(NULL, &av);
    if (av.cpus > 0 && av.cpus < t)
        t = floor(av.cpus) >= 1 ? floor(av.cpus) : 1;
    return t > PB_COMPUTE_MAX_THREADS ? PB_COMPUTE_MAX_THREADS : (int)t;
}

const struct pb_strategy *pb_compute_find(const char *name, struct pb_err *err)
{
    char names[1024];
    const struct pb_strategy *s = pb_registry_find(name);
    if (!s) {
        pb_registry_names(names, sizeof names);
        pb_fail(err, -EINVAL, "unknown strategy '%s' (known: %s)", name, names);
    }
    return s;
}

int pb_compute_in_process(const struct pb_strategy *s, struct pb_err *err)
{
    if (s->flags & PB_DISTRIBUTED)
        return pb_fail(err, -ENOTSUP, "%s runs as a distributed program of its own: it cannot "
                       "run inside this process (use bench compute --strategy %s)", s->name,
                       s->name);
    if (s->flags & PB_EXTERNAL)
        return pb_fail(err, -ENOTSUP, "%s runs an external program: it cannot run inside this "
                       "process (use bench compute --strategy %s)", s->name, s->name);
    return 0;
}

/* Sets the one given value text ("KEY=VALUE") of a parameter of s in kv (nkv entries); given
 * counts the values each parameter got. Returns 0 or -EINVAL with err. */
static int set_param(const struct pb_strategy *s, const char *label, const char *text,
                     struct pb_kv *kv, size_t nkv, int *given, struct pb_err *err)
{
    const char *eq = strchr(text, '=');
    int klen = eq ? (int)(eq - text) : (int)strlen(text);
    size_t j = 0;
    if (!eq)
        return pb_fail(err, -EINVAL, "%s: expected KEY=VALUE, got '%s'", label, text);
    while (j < nkv && (strncmp(kv[j].key, text, (size_t)klen) || kv[j].key[klen]))
        j++;
    if (j == nkv)
        return pb_fail(err, -EINVAL, "%s: %s has no parameter '%.*s'", label, s->name, klen,
                       text);
    char what[256];
    if (pb_param_check(&s->params[j], eq + 1, what, sizeof what) < 0)
        return pb_fail(err, -EINVAL, "%s: %.*s: '%s' is not %s", label, klen, text, eq + 1,
                       what);
    if (given[j]++)
        return pb_fail(err, -EINVAL, "%s: %s given twice ('%s', then '%s')", label, kv[j].key,
                       kv[j].value, eq + 1);
    kv[j].value = eq + 1;
    return 0;
}

int pb_compute_params(const struct pb_strategy *s, const struct pb_compute_opts *o,
                      struct pb_kv *kv, size_t *nkv, struct pb_err *err)
{
    int given[PB_COMPUTE_MAX_PARAMS] = {0};
    const char *label = o->param_label ? o->param_label : "param";
    *nkv = 0;
    for (const struct pb_param_spec *p = s->params;
         p && p->name && *nkv < PB_COMPUTE_MAX_PARAMS; p++)
        kv[(*nkv)++] = (struct pb_kv){.key = p->name, .value = p->def};
    for (size_t i = 0; i < o->nkv_text; i++) {
        int rc = set_param(s, label, o->kv_text[i], kv, *nkv, given, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The largest side of the bounding box of pts (0 for fewer than two distinct points). */
static double points_extent(const struct pb_points *pts)
{
    const double *axis[3] = {pts->x, pts->y, pts->z};
    double ext = 0;
    for (int d = 0; d < 3 && pts->n > 0; d++) {
        double lo = axis[d][0], hi = axis[d][0];
        for (size_t i = 1; i < pts->n; i++) {
            lo = axis[d][i] < lo ? axis[d][i] : lo;
            hi = axis[d][i] > hi ? axis[d][i] : hi;
        }
        ext = hi - lo > ext ? hi - lo : ext;
    }
    return ext;
}

/* auto for a histogram whose last edge is rmax: see pb_compute_choose. */
static const char *choose_histogram(const struct pb_compute_opts *o,
                                    const struct pb_points *pts, double rmax, char *why,
                                    size_t cap)
{
    double ext = o->box > 0 ? o->box : points_extent(pts);
    const char *of = o->box > 0 ? "the box side" : "the points' extent";
    int spatial = ext > 0 && rmax < PB_COMPUTE_AUTO_SHARE * ext;
    if (ext > 0)
        snprintf(why, cap, "last edge %g is %.3g%% of %s %g (%s %g%%%s)", rmax,
                 100 * rmax / ext, of, ext, spatial ? "below" : "not below",
                 100 * PB_COMPUTE_AUTO_SHARE, spatial ? ": a spatial strategy pays"
                 : ": nearly every pair is in range");
    else
        snprintf(why, cap, "%s is 0: every pair is in range", of);
    return spatial ? "grid" : o->threads == 1 ? AUTO_ALL_RANGE_SERIAL : AUTO_ALL_RANGE;
}

const char *pb_compute_choose(const struct pb_compute_opts *o, const struct pb_points *pts,
                              const double *edges, size_t nbins, char *why, size_t cap)
{
    if (o->output == PB_OUTPUT_HISTOGRAM)
        return choose_histogram(o, pts, edges[nbins], why, cap);
    snprintf(why, cap, "--output matrix writes every distance; %s was the fastest matrix "
             "strategy measured (README)", AUTO_MATRIX);
    return AUTO_MATRIX;
}

int pb_compute_edges(double min, double max, size_t count, enum pb_bin_scale scale,
                     const char *label, double **edges, struct pb_err *err)
{
    if (count == 0 || count > PB_COMPUTE_MAX_BINS)
        return pb_fail(err, -EINVAL, "%s: the count must be from 1 to %d, got %zu", label,
                       PB_COMPUTE_MAX_BINS, count);
    if (!isfinite(min) || !isfinite(max) || !(min >= 0) || !(max > min) ||
        (scale == PB_BINS_LOG && !(min > 0)))
        return pb_fail(err, -EINVAL, "%s: need finite 0 <= MIN < MAX%s, got %g, %g", label,
                       scale == PB_BINS_LOG ? " and MIN > 0 for log bins" : "", min, max);
    struct pb_bin_spec b = {.min = min, .max = max, .count = count, .scale = scale};
    int rc = pb_edges_make(&b, edges);
    if (rc == -EINVAL)
        return pb_fail(err, rc, "%s: %zu bins between %g and %g are narrower than a double's "
                       "spacing", label, count, min, max);
    return rc < 0 ? pb_fail(err, rc, "out of memory for the bin edges") : 0;
}

int pb_compute_check_edges(const double *edges, size_t n, const char *label,
                           struct pb_err *err)
{
    if (n < 2 || n > PB_COMPUTE_MAX_BINS + 1)
        return pb_fail(err, -EINVAL, "%s: expected from 2 to %d edges, got %zu", label,
                       PB_COMPUTE_MAX_BINS + 1, n);
    for (size_t k = 0; k < n; k++)
        if (!isfinite(edges[k]) || edges[k] < 0)
            return pb_fail(err, -EINVAL, "%s[%zu]: %g is not a finite number >= 0", label, k,
                           edges[k]);
    size_t k = pb_edges_unordered(edges, n);
    if (k < n)
        return pb_fail(err, -EINVAL, "%s[%zu]: %.17g is not above the edge before it (%.17g): "
                       "edges must increase strictly", label, k, edges[k], edges[k - 1]);
    return 0;
}

int pb_compute_prepare(struct pb_points *pts, const struct pb_compute_opts *o,
                       const char *what, struct pb_err *err)
{
    if (o->box > 0)
        pb_points_wrap(pts, o->box);
    if (!o->single)
        return 0;
    int rc = pb_points_check_range(pts, PB_COORD_MAX_FLOAT, what, err);
    if (rc < 0)
        return rc;
    if (pb_points_make_float(pts) < 0)
        return pb_fail(err, -ENOMEM, "no memory for float copies of %zu points", pts->n);
    return 0;
}

int pb_compute_memory(const struct pb_compute_opts *o, const struct pb_strategy *s,
                      struct pb_kv *kv, size_t nkv, size_t n, const double *edges,
                      size_t nbins, struct pb_err *err)
{
    struct pb_strategy_cfg sc = {.strategy = s, .kv = kv, .nkv = nkv};
    struct pb_experiment e = {
        .output = o->output, .periodic = o->box, .strategies = &sc, .nstrategies = 1,
        .precision = o->single ? PB_PRECISION_FLOAT : PB_PRECISION_DOUBLE,
        .bins = {.count = nbins, .min = edges ? edges[0] : 0, .max = edges ? edges[nbins] : 0},
    };
    struct pb_run run = {.n = n, .threads = o->threads, .ranks = 1};
    char why[160];
    if (pb_memory_guard(&e, &run, 0, why, sizeof why) == 0)
        return 0;
    return pb_fail(err, -ENOMEM, "%s", why);
}

int pb_compute_run(const struct pb_strategy *s, const struct pb_problem *p,
                   const struct pb_params *k, struct pb_output *out, double *wall_s,
                   struct pb_err *err)
{
    double t0 = pb_now_s();
    int rc = s->run(p, k, out);
    *wall_s = pb_now_s() - t0;
    pb_safe_text(out->note, sizeof out->note);   /* a command's output: no escapes */
    if (rc == -ENOTSUP)
        return pb_fail(err, rc, "%s cannot run here: %s", s->name,
                       out->note[0] ? out->note : "not supported");
    if (rc < 0)
        return pb_fail(err, rc, "%s failed: %s", s->name, out->note[0] ? out->note
                       : strerror(-rc));
    return 0;
}

/* The strategy of o for pts and the edges into info, its parameters into kv, the threads it
 * uses into o->threads, why auto chose it into info. Returns 0 or -errno with err. */
static int pick(struct pb_compute_opts *o, const struct pb_points *pts, const double *edges,
                size_t nbins, struct pb_kv *kv, size_t *nkv, struct pb_compute_info *info,
                struct pb_err *err)
{
    const char *name = o->strategy ? o->strategy : "auto";
    if (!o->threads)
        o->threads = pb_compute_default_threads();
    if (!strcmp(name, "auto") && o->nkv_text > 0)
        return pb_fail(err, -EINVAL, "%s %s: strategy auto chooses the strategy, so its "
                       "parameters are unknown: name the strategy",
                       o->param_label ? o->param_label : "param", o->kv_text[0]);
    if (!strcmp(name, "auto"))
        name = pb_compute_choose(o, pts, edges, nbins, info->why, sizeof info->why);
    const struct pb_strategy *s = info->strategy = pb_compute_find(name, err);
    int rc = !s ? -EINVAL : pb_compute_in_process(s, err);
    if (rc == 0)
        rc = pb_compute_params(s, o, kv, nkv, err);
    if (rc == 0 && (s->flags & PB_SERIAL))
        o->threads = 1;
    return rc;
}

int pb_compute_histogram(const struct pb_compute_opts *opts, struct pb_points *pts,
                         const double *edges, size_t nbins, uint64_t *counts,
                         struct pb_compute_info *info, struct pb_err *err)
{
    struct pb_compute_opts o = *opts;
    struct pb_kv kv[PB_COMPUTE_MAX_PARAMS];
    struct pb_params k = {.ranks = 1, .kv = kv};
    *info = (struct pb_compute_info){0};
    o.output = PB_OUTPUT_HISTOGRAM;
    int rc = pb_compute_prepare(pts, &o, "points", err);
    if (rc == 0)
        rc = pick(&o, pts, edges, nbins, kv, &k.nkv, info, err);
    const struct pb_strategy *s = info->strategy;
    if (rc == 0)
        rc = pb_compute_memory(&o, s, kv, k.nkv, pts->n, edges, nbins, err);
    if (rc < 0)
        return rc;
    k.threads = info->threads = o.threads;
    struct pb_problem p = {.n = pts->n, .x = pts->x, .y = pts->y, .z = pts->z, .xf = pts->xf,
                           .yf = pts->yf, .zf = pts->zf, .precision = o.single, .box = o.box,
                           .output = PB_OUTPUT_HISTOGRAM, .nbins = nbins, .edges = edges,
                           .scale = PB_BINS_EXPLICIT};
    struct pb_output out = {.counts = calloc(nbins + 1, sizeof *counts)};
    if (!out.counts)
        return pb_fail(err, -ENOMEM, "no memory for %zu bins", nbins);
    rc = pb_compute_run(s, &p, &k, &out, &info->wall_s, err);
    if (rc == 0)
        memcpy(counts, out.counts, nbins * sizeof *counts);
    free(out.counts);
    return rc;
}
