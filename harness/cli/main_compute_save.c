/* main_compute_save.c — how `bench compute` saves its answer for people and other tools: the
 * pair counts as CSV (lo,hi,count per bin, the description as '#' lines after the header) or
 * as a structured .npy of records with SAVE.json beside it, the matrix as .npy with SAVE.json.
 * See main_compute.h. */
#include "main_compute.h"

#include "fdio.h"
#include "npy.h"
#include "pairkern.h"

#include <jansson.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sets key of d to v (a new reference, NULL when it could not be made). Returns 0 or -ENOMEM. */
static int put(json_t *d, const char *key, json_t *v)
{
    return v && json_object_set_new(d, key, v) == 0 ? 0 : -ENOMEM;
}

/* The object of the bins: count, scale, first and last edge, and what the counts are (explicit
 * edges are in the lo/hi columns). */
static json_t *bins_json(const struct compute_args *a)
{
    const char *scale = a->scale == PB_BINS_LOG ? "log"
                        : a->scale == PB_BINS_EXPLICIT ? "explicit" : "linear";
    return json_pack("{s:I, s:s, s:f, s:f, s:s}", "count", (json_int_t)a->count,
                     "scale", scale, "min", a->min, "max", a->max, "counts", "unique pairs i<j in half-open bins [lo, hi)");
}

/* The strategy's parameters, every one, defaults included, as strings. */
static json_t *params_json(const struct pb_params *k)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < k->nkv; i++)
        if (put(o, k->kv[i].key, json_string(k->kv[i].value ? k->kv[i].value : "")) < 0) {
            json_decref(o);
            return NULL;
        }
    return o;
}

/* What c computed, as a JSON object (the caller owns it; NULL when out of memory): enough to
 * compute ξ from the saved file alone (n, box, precision, bins) and to say how it was made
 * (strategy, threads used, and why --strategy auto chose it). dtype: the saved .npy's, or NULL
 * for CSV. */
static json_t *description(const struct computed *c, const char *dtype)
{
    const struct compute_args *a = c->a;
    int matrix = a->output == PB_OUTPUT_MATRIX;
    json_t *d = json_object();
    int rc = !d || put(d, "points", json_string(a->points)) ||
             put(d, "n", json_integer((json_int_t)c->p->n)) ||
             put(d, "box", a->box > 0 ? json_real(a->box) : json_null()) ||
             put(d, "periodic", json_boolean(a->box > 0)) ||
             put(d, "precision", json_string(a->single ? "float" : "double")) ||
             put(d, "output", json_string(matrix ? "matrix" : "histogram")) ||
             put(d, matrix ? "dtype" : "bins", matrix ? json_string(dtype) : bins_json(a)) ||
             (!matrix && dtype && put(d, "dtype", json_string(dtype))) ||
             put(d, "strategy", json_string(c->s->name)) || put(d, "params", params_json(c->k)) ||
             put(d, "threads", json_integer(c->k->threads)) ||
             put(d, "kernel_level", json_string(pb_kern_level_name(pb_kern_level()))) ||
             put(d, "version", json_string(PB_VERSION)) ||
             put(d, "strategy_abi", json_integer(PB_STRATEGY_ABI)) ||
             (a->chosen[0] && put(d, "strategy_auto", json_string(a->chosen)));
    if (rc && d)
        json_decref(d);
    return rc ? NULL : d;
}

/* Writes the description of c to f as "# key: JSON value" lines. Returns 0 or -ENOMEM. */
static int describe(FILE *f, const struct computed *c)
{
    json_t *d = description(c, NULL), *v;
    const char *key;
    if (!d)
        return -ENOMEM;
    json_object_foreach(d, key, v) {
        char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(17));
        fprintf(f, "# %s: %s\n", key, text ? text : "?");
        free(text);
    }
    json_decref(d);
    return 0;
}

/* Writes the description of the .npy c saved as dtype to path, as JSON (the sidecar
 * SAVE.json that the .npy itself has no room for). Returns 0 or -errno (printed). */
static int save_sidecar(const char *path, const struct computed *c, const char *dtype)
{
    json_t *d = description(c, dtype);
    int rc = d ? json_dump_file(d, path, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) : -1;
    json_decref(d);
    if (rc == 0)
        return 0;
    fprintf(stderr, "bench compute: %s: cannot write the description\n", path);
    return -EIO;
}

/* Writes the pair counts as CSV: the header line, the description as '#' lines (which
 * numpy.loadtxt and pandas' read_csv(comment='#') skip), then one line per bin. Returns 0 or
 * -errno (printed). */
static int save_csv(const char *path, const struct computed *c, const uint64_t *counts)
{
    const struct pb_problem *p = c->p;
    FILE *f = fopen(path, "we");
    if (!f) {
        int e = errno;
        fprintf(stderr, "bench compute: %s: %s\n", path, strerror(e));
        return -e;
    }
    fputs("lo,hi,count\n", f);
    int e = describe(f, c) < 0 ? ENOMEM : 0;
    for (size_t b = 0; b < p->nbins; b++)
        fprintf(f, "%.17g,%.17g,%llu\n", p->edges[b], p->edges[b + 1],
                (unsigned long long)counts[b]);
    errno = 0;
    if (!e && (ferror(f) || fflush(f) != 0))
        e = errno ? errno : EIO;
    if (fclose(f) != 0 && !e)
        e = errno;
    if (e) {
        fprintf(stderr, "bench compute: %s: cannot write: %s\n", path, pb_write_error(e));
        return -e;
    }
    return 0;
}

/* Writes the pair counts as a .npy of PB_COMPUTE_NPY_RECORD records (lo, hi, count per bin: the edges
 * exactly, the counts as exact integers) to path and their description to json. Returns 0 or
 * -errno (printed). */
static int save_npy_hist(const char *path, const char *json, const struct computed *c,
                         const uint64_t *counts)
{
    const struct pb_problem *p = c->p;
    struct pb_err err = {0};
    struct npy_bin *r = malloc((p->nbins ? p->nbins : 1) * sizeof *r);
    if (!r) {
        fprintf(stderr, "bench compute: no memory for %zu bins\n", p->nbins);
        return -ENOMEM;
    }
    for (size_t b = 0; b < p->nbins; b++)
        r[b] = (struct npy_bin){.lo = p->edges[b], .hi = p->edges[b + 1], .count = counts[b]};
    int rc = pb_npy_write_records(path, r, PB_COMPUTE_NPY_RECORD, sizeof *r, p->nbins, &err);
    free(r);
    if (rc < 0)
        fprintf(stderr, "bench compute: %s\n", err.msg);
    return rc < 0 ? rc : save_sidecar(json, c, PB_COMPUTE_NPY_RECORD);
}

int pb_compute_save(const char *tmp, const char *tmp_json, const struct computed *c,
                   const struct pb_output *out)
{
    struct pb_err err = {0};
    const struct pb_problem *p = c->p;
    size_t cells = p->n * p->n;
    int f4 = c->a->single && cells > 0 && out->matrix_bytes < cells * sizeof(double);
    if (p->output == PB_OUTPUT_HISTOGRAM && c->a->format == FORMAT_NPY)
        return save_npy_hist(tmp, tmp_json, c, out->counts);
    if (p->output == PB_OUTPUT_HISTOGRAM)
        return save_csv(tmp, c, out->counts);
    int rc = pb_npy_write(tmp, out->matrix, f4 ? "<f4" : "<f8", 2, p->n, p->n, &err);
    if (rc < 0)
        fprintf(stderr, "bench compute: %s\n", err.msg);
    return rc < 0 ? rc : save_sidecar(tmp_json, c, f4 ? "<f4" : "<f8");
}
