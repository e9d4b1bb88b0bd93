/* config.c — a JSON config file turned into a validated struct pb_experiment: reads the file,
 * parses it with jansson and walks the document section by section (the strategy sections in
 * config_strategies.c). The keys, their types, ranges, defaults and help are in one table,
 * config_schema.c (also behind `bench --list-keys` and the config reference in docs/config.md); the
 * checks and the one error shape ("FILE:LINE:COL: FIELD: what is wrong") are in
 * config_check.c; the file's bytes are read and parsed in config_text.c. Only harness/input
 * reads config JSON (NAME.json, the result set's record, is written by envinfo.c and read back
 * by envinfo.c and report.c).
 *
 * Loading is in two halves around the "plugins": pb_config_read checks everything before
 * them and hands their paths to the caller, who loads them; pb_config_resolve then resolves
 * the strategy sections against the strategies the caller knows (struct pb_strategy_lookup),
 * so this stage needs neither the plugin loader nor the registry.
 *
 * Keys are checked: an unknown one is an error that suggests the nearest known key. For a
 * file input, the file is read here once, so that a bad or short file fails before any run
 * starts. */
#include "config.h"
#include "config_check.h"
#include "config_schema.h"
#include "config_figures.h"
#include "config_strategies.h"
#include "config_text.h"
#include "hash.h"
#include "points.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A copy of s, or NULL (the caller reports -ENOMEM). */
static char *dup_str(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* rel joined to dir unless it is absolute; malloc'd or NULL. */
static char *resolve(const char *dir, const char *rel)
{
    if (rel[0] == '/')
        return strdup(rel);
    size_t len = strlen(dir) + strlen(rel) + 2;
    char *out = malloc(len);
    if (out)
        snprintf(out, len, "%s/%s", dir, rel);
    return out;
}

/* "name", or the file's stem; either must be usable in file names. */
static int parse_name(struct cfg *c, json_t *root)
{
    json_t *v = json_object_get(root, "name");
    const char *name = NULL;
    const struct pb_config_key *k = cfg_schema(c, "name");
    long long max = k ? k->imax : 0;
    char stem[PB_FIELD];
    if (!k)
        return -EINVAL;
    if (v) {
        int rc = cfg_string(c, v, "name", &name);
        if (rc)
            return rc;
        if (!cfg_valid_name(name, ""))
            return cfg_fail(c, "name", "expected letters, digits, '_', '.' or '-' only (it "
                            "names the result files), got %s", cfg_describe(c, v));
        if ((long long)strlen(name) > max)
            return cfg_fail(c, "name", "a name takes at most %lld bytes (it names the result "
                            "files, NAME_throughput.svg and others), got %zu bytes", max,
                            strlen(name));
    } else {
        const char *base = strrchr(c->path, '/') ? strrchr(c->path, '/') + 1 : c->path;
        snprintf(stem, sizeof stem, "%s", base);
        char *dot = strrchr(stem, '.');
        if (dot && dot != stem)
            *dot = '\0';
        if (!cfg_valid_name(stem, "") || (long long)strlen(stem) > max)
            return cfg_fail(c, "", "the file name \"%.*s\" cannot name results: give a "
                            "\"name\" of at most %lld letters, digits, '_', '.' or '-'",
                            (int)max, stem, max);
        name = stem;
    }
    c->e->name = dup_str(name);
    return c->e->name ? 0 : -ENOMEM;
}

/* "description": an optional string. */
static int parse_description(struct cfg *c, json_t *root)
{
    json_t *v = json_object_get(root, "description");
    const char *s = NULL;
    if (!v)
        return 0;
    int rc = cfg_string(c, v, "description", &s);
    if (rc)
        return rc;
    c->e->description = dup_str(s);
    return c->e->description ? 0 : -ENOMEM;
}

/* input.path for a file input: resolved against the config's folder. */
static int parse_input_path(struct cfg *c, json_t *in)
{
    json_t *v;
    const char *rel = NULL;
    int rc = cfg_require(c, in, "input", "path", &v);   /* required for a file input */
    if (!rc)
        rc = cfg_string(c, v, "input.path", &rel);
    if (!rc && !*rel)
        rc = cfg_fail(c, "input.path", "expected a file name, got \"\"");
    if (rc)
        return rc;
    c->e->input.path = resolve(c->e->dir, rel);
    return c->e->input.path ? 0 : -ENOMEM;
}

/* The power-law keys of input: integers in range, lambda > 1 with a correlation dimension
 * log(eta)/log(lambda) below 3, radius in (0, PB_COORD_MAX] (0 in pl means box / 10). */
static int parse_powerlaw(struct cfg *c, json_t *in, struct pb_powerlaw *pl)
{
    long long clusters, levels, eta;
    int rc;
    if ((rc = cfg_key_int(c, in, "input.clusters", &clusters)) ||
        (rc = cfg_key_int(c, in, "input.levels", &levels)) ||
        (rc = cfg_key_int(c, in, "input.eta", &eta)) ||
        (rc = cfg_key_number(c, in, "input.radius", &pl->radius)) ||  /* sums stay finite */
        (rc = cfg_key_number(c, in, "input.lambda", &pl->lambda)))
        return rc;
    pl->clusters = (int)clusters, pl->levels = (int)levels, pl->eta = (int)eta;
    double dim = log((double)eta) / log(pl->lambda);
    if (!(dim < 3))
        return cfg_fail(c, json_object_get(in, "lambda") ? "input.lambda" : "input.eta",
                        "correlation dimension log(eta)/log(lambda) = log(%lld)/log(%g) = %g "
                        "must be below 3: raise lambda above eta^(1/3) = %g", eta, pl->lambda,
                        dim, cbrt((double)eta));
    return 0;
}

/* Keys of input that only the powerlaw kind takes (the schema's "only"): refused elsewhere. */
static int refuse_powerlaw_keys(struct cfg *c, json_t *in)
{
    const char *names[64];
    char field[PB_FIELD];
    pb_config_key_children("input", names, 64);
    for (const char *const *k = names; *k; k++) {
        cfg_join(field, "input", *k);
        const struct pb_config_key *row = pb_config_key_find(field);
        if (!row->only || strcmp(row->only, "powerlaw") || !json_object_get(in, *k))
            continue;
        return cfg_fail(c, field, "only a \"powerlaw\" input has \"%s\"", *k);
    }
    return 0;
}

/* "input": kind, seed, box, path, and the power-law keys. Absent means uniform with the
 * defaults. */
static int parse_input(struct cfg *c, json_t *root)
{
    struct pb_input *p = &c->e->input;
    json_t *in = json_object_get(root, "input");
    long long seed;
    int kind = PB_INPUT_UNIFORM, rc;
    *p = (struct pb_input){ .kind = PB_INPUT_UNIFORM };
    if (in && ((rc = cfg_object(c, in, "input")) || (rc = cfg_check_keys(c, in, "input")) ||
               (rc = cfg_key_choice(c, in, "input.kind", &kind))))
        return rc;
    if ((rc = cfg_key_int(c, in, "input.seed", &seed)) ||      /* absent input: the defaults */
        (rc = cfg_key_number(c, in, "input.box", &p->box)))
        return rc;
    p->kind = (enum pb_input_kind)kind;
    p->seed = (uint64_t)seed;
    if (!in)
        return 0;
    rc = p->kind == PB_INPUT_POWERLAW ? parse_powerlaw(c, in, &p->pl)
                                      : refuse_powerlaw_keys(c, in);
    if (rc)
        return rc;
    if (p->kind == PB_INPUT_FILE)
        return parse_input_path(c, in);
    if (json_object_get(in, "path"))
        return cfg_fail(c, "input.path", "only a \"file\" input has a path");
    return 0;
}

/* "output.bins.edges": count+1 explicit edges, each a number >= 0 (JSON has no infinities),
 * strictly increasing; kept as listed. */
static int parse_edges(struct cfg *c, json_t *arr)
{
    struct pb_bin_spec *b = &c->e->bins;
    const struct pb_config_key *k = cfg_schema(c, "output.bins.edges");
    char field[PB_FIELD];
    size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
    if (!k)
        return -EINVAL;
    if (!json_is_array(arr))
        return cfg_fail(c, "output.bins.edges", "expected an array of 2 to %zu numbers >= 0 "
                        "(count + 1 edges), got %s", k->max_items, cfg_describe(c, arr));
    if (n < 2 || n > k->max_items)
        return cfg_fail(c, "output.bins.edges", "expected 2 to %zu edges (count + 1), got %zu",
                        k->max_items, n);
    if (!(b->edges = malloc(n * sizeof *b->edges)))
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        snprintf(field, sizeof field, "output.bins.edges[%zu]", i);
        int rc = cfg_item_number(c, json_array_get(arr, i), field, "output.bins.edges",
                                 &b->edges[i]);
        if (rc)
            return rc;
        if (i > 0 && !(b->edges[i] > b->edges[i - 1]))
            return cfg_fail(c, field, "edges must strictly increase: got %.17g after %.17g",
                            b->edges[i], b->edges[i - 1]);
    }
    b->count = n - 1, b->min = b->edges[0], b->max = b->edges[n - 1];
    b->scale = PB_BINS_EXPLICIT;
    return 0;
}

/* With "edges", the keys of generated bins (min, max, count, scale) are refused; without, min,
 * max and count are required. */
static int bins_keys_agree(struct cfg *c, json_t *bins)
{
    static const char *const generated[] = { "min", "max", "count", "scale", NULL };
    char field[PB_FIELD];
    json_t *v;
    int explicit = json_object_get(bins, "edges") != NULL, rc;
    for (const char *const *k = generated; *k; k++) {
        cfg_join(field, "output.bins", *k);
        if (explicit && json_object_get(bins, *k))
            return cfg_fail(c, field, "\"edges\" lists every edge: \"%s\" belongs to generated "
                            "bins (min, max, count, scale) and cannot go with it", *k);
        if (!explicit && strcmp(*k, "scale") && (rc = cfg_require(c, bins, "output.bins", *k, &v)))
            return rc;
    }
    return 0;
}

/* "output.bins": min, max, count, scale, or the explicit edges. */
static int parse_bins(struct cfg *c, json_t *bins)
{
    struct pb_bin_spec *b = &c->e->bins;
    long long count;
    int scale, rc;
    if ((rc = cfg_object(c, bins, "output.bins")) ||
        (rc = cfg_check_keys(c, bins, "output.bins")) ||
        (rc = bins_keys_agree(c, bins)))
        return rc;
    if (json_object_get(bins, "edges"))
        return parse_edges(c, json_object_get(bins, "edges"));
    if ((rc = cfg_key_number(c, bins, "output.bins.min", &b->min)) ||
        (rc = cfg_key_number(c, bins, "output.bins.max", &b->max)) ||
        (rc = cfg_key_int(c, bins, "output.bins.count", &count)) ||
        (rc = cfg_key_choice(c, bins, "output.bins.scale", &scale)))
        return rc;
    b->count = (size_t)count;
    b->scale = (enum pb_bin_scale)scale;
    if (!(b->max > b->min))
        return cfg_fail(c, "output.bins.max", "expected an edge above min = %g, got %s", b->min,
                        cfg_describe(c, json_object_get(bins, "max")));
    if (b->scale == PB_BINS_LOG && !(b->min > 0))
        return cfg_fail(c, "output.bins.min", "a log scale needs min > 0, got %s",
                        cfg_describe(c, json_object_get(bins, "min")));
    return 0;
}

/* "output": kind and, for a histogram, bins. */
static int parse_output(struct cfg *c, json_t *root)
{
    json_t *out, *v;
    int kind, rc;
    if ((rc = cfg_key(c, root, "output", &out)) || (rc = cfg_object(c, out, "output")) ||
        (rc = cfg_check_keys(c, out, "output")) ||
        (rc = cfg_key_choice(c, out, "output.kind", &kind)))
        return rc;
    c->e->output = (enum pb_output_kind)kind;
    v = json_object_get(out, "bins");
    if (c->e->output == PB_OUTPUT_MATRIX)
        return v ? cfg_fail(c, "output.bins", "only a \"histogram\" output has bins") : 0;
    if ((rc = cfg_require(c, out, "output", "bins", &v)))   /* required for a histogram */
        return rc;
    return parse_bins(c, v);
}

/* qsort order for size_t, ascending. */
static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* cfg_entry_cmp over a size_t array. */
static int cmp_size_at(size_t a, size_t b, void *list)
{
    return cmp_size((const size_t *)list + a, (const size_t *)list + b);
}

/* cfg_entry_cmp over an int array. */
static int cmp_int_at(size_t a, size_t b, void *list)
{
    int x = ((const int *)list)[a], y = ((const int *)list)[b];
    return (x > y) - (x < y);
}

/* "sizes" as an array: positive integers, each at most once; stored sorted. */
static int sizes_array(struct cfg *c, json_t *arr)
{
    char field[PB_FIELD];
    size_t n = json_array_size(arr), i = 0, j = 0;
    if (n == 0)
        return cfg_fail(c, "sizes", "expected at least one size");
    if (!(c->e->sizes = malloc(n * sizeof *c->e->sizes)))
        return -ENOMEM;
    for (i = 0; i < n; i++) {
        long long x = 0;
        snprintf(field, sizeof field, "sizes[%zu]", i);
        int rc = cfg_item_int(c, json_array_get(arr, i), field, "sizes", &x);
        if (rc)
            return rc;
        c->e->sizes[c->e->nsizes++] = (size_t)x;
    }
    int rep = cfg_first_repeat(n, cmp_size_at, c->e->sizes, &i, &j);
    if (rep < 0)
        return rep;
    if (rep) {
        snprintf(field, sizeof field, "sizes[%zu]", i);
        return cfg_fail(c, field, "%zu is already listed at sizes[%zu]", c->e->sizes[i], j);
    }
    qsort(c->e->sizes, n, sizeof *c->e->sizes, cmp_size);
    return 0;
}

/* "sizes" as {"from", "to", "steps", "scale"}: steps values spaced linearly or
 * logarithmically from from to to, rounded to integers, deduplicated, ascending. */
static int sizes_range(struct cfg *c, json_t *obj)
{
    const struct pb_config_key *kto = cfg_schema(c, "sizes.to");
    long long from, to, steps;
    int scale, rc;
    if (!kto)
        return -EINVAL;
    if ((rc = cfg_check_keys(c, obj, "sizes")) || (rc = cfg_check_required(c, obj, "sizes")) ||
        (rc = cfg_key_int(c, obj, "sizes.from", &from)) ||
        (rc = cfg_int(c, json_object_get(obj, "to"), "sizes.to", from, kto->imax, &to)) ||
        (rc = cfg_key_int(c, obj, "sizes.steps", &steps)) ||
        (rc = cfg_key_choice(c, obj, "sizes.scale", &scale)))
        return rc;
    if (steps == 1 && to != from)
        return cfg_fail(c, "sizes.steps", "expected at least 2 steps to go from %lld to %lld",
                        from, to);
    if (!(c->e->sizes = malloc((size_t)steps * sizeof *c->e->sizes)))
        return -ENOMEM;
    for (long long k = 0; k < steps; k++) {
        double t = steps > 1 ? (double)k / (double)(steps - 1) : 0.0;
        double v = scale ? from * pow((double)to / from, t) : from + t * (double)(to - from);
        size_t n = k == steps - 1 ? (size_t)to : (size_t)llround(v);
        if (c->e->nsizes == 0 || c->e->sizes[c->e->nsizes - 1] < n)
            c->e->sizes[c->e->nsizes++] = n;
    }
    return 0;
}

/* "sizes": required, an array or a range object. */
static int parse_sizes(struct cfg *c, json_t *root)
{
    json_t *v;
    int rc = cfg_key(c, root, "sizes", &v);
    if (rc)
        return rc;
    if (json_is_array(v))
        return sizes_array(c, v);
    if (json_is_object(v))
        return sizes_range(c, v);
    return cfg_fail(c, "sizes", "expected an array of positive integers or a range object "
                    "{\"from\", \"to\", \"steps\"}, got %s", cfg_describe(c, v));
}

/* An array of distinct positive ints at key (default {1}) into *out, *n; the schema row of
 * key bounds them. */
static int int_list(struct cfg *c, json_t *root, const char *key, int **out, size_t *n)
{
    char field[PB_FIELD];
    json_t *arr = json_object_get(root, key);
    size_t len = arr ? json_array_size(arr) : 1;
    if (arr && (!json_is_array(arr) || len == 0))
        return cfg_fail(c, key, "expected a non-empty array of positive integers, got %s",
                        cfg_describe(c, arr));
    if (!(*out = malloc(len * sizeof **out)))
        return -ENOMEM;
    (*out)[0] = 1;
    *n = arr ? 0 : 1;
    for (size_t i = 0; arr && i < len; i++) {
        long long x = 0;
        snprintf(field, sizeof field, "%s[%zu]", key, i);
        int rc = cfg_item_int(c, json_array_get(arr, i), field, key, &x);
        if (rc)
            return rc;
        (*out)[(*n)++] = (int)x;
    }
    size_t i = 0, j = 0;
    int rep = cfg_first_repeat(*n, cmp_int_at, *out, &i, &j);
    if (rep <= 0)
        return rep;
    snprintf(field, sizeof field, "%s[%zu]", key, i);
    return cfg_fail(c, field, "%d is already listed at %s[%zu]", (*out)[i], key, j);
}

/* "threads": "all" is 1, 2, 4, ... below the online core count, then that count. */
static int parse_threads(struct cfg *c, json_t *root)
{
    json_t *v = json_object_get(root, "threads");
    const struct pb_config_key *k = cfg_schema(c, "threads");
    if (!k)
        return -EINVAL;
    if (!json_is_string(v))
        return int_list(c, root, "threads", &c->e->threads, &c->e->nthreads);
    if (strcmp(json_string_value(v), "all") != 0)
        return cfg_fail(c, "threads", "expected an array of positive integers or \"all\", got "
                        "%s", cfg_describe(c, v));
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cores = cores < 1 ? 1 : cores > k->imax ? (long)k->imax : cores;
    if (!(c->e->threads = malloc(32 * sizeof *c->e->threads)))
        return -ENOMEM;
    for (long t = 1; t < cores; t *= 2)
        c->e->threads[c->e->nthreads++] = (int)t;
    c->e->threads[c->e->nthreads++] = (int)cores;
    return 0;
}

/* The scalar run settings: precision, periodic, repeats, warmup, timeout_s, pin, order,
 * order_seed, overhead, limits. */
static int parse_scalars(struct cfg *c, json_t *root)
{
    struct pb_experiment *e = c->e;
    long long reps, warm, oseed;
    int prec, pin, order, rc;
    if ((rc = cfg_key_choice(c, root, "precision", &prec)) ||
        (rc = cfg_key_int(c, root, "repeats", &reps)) ||
        (rc = cfg_key_int(c, root, "warmup", &warm)) ||
        (rc = cfg_key_choice(c, root, "pin", &pin)) ||
        (rc = cfg_key_choice(c, root, "order", &order)) ||
        (rc = cfg_key_int(c, root, "order_seed", &oseed)) ||
        (rc = cfg_key_bool(c, root, "overhead", &e->overhead)) ||
        (rc = cfg_key_bool(c, root, "limits", &e->limits)) ||
        (rc = cfg_key_number(c, root, "periodic", &e->periodic)) ||
        (rc = cfg_key_number(c, root, "timeout_s", &e->timeout_s)))
        return rc;
    e->precision = (enum pb_precision)prec;
    e->repeats = (int)reps;
    e->warmup = (int)warm;
    e->pin = pin;
    e->order = (enum pb_order)order;
    e->order_seed = (uint64_t)oseed;
    e->timeout_set = json_object_get(root, "timeout_s") != NULL;
    return 0;
}

/* "plugins": each path resolved against the config's folder into e->plugins, for the caller
 * to load before the strategies are resolved (pb_config_resolve). */
static int parse_plugins(struct cfg *c, json_t *root)
{
    char field[PB_FIELD];
    json_t *arr = json_object_get(root, "plugins");
    if (!arr)
        return 0;
    if (!json_is_array(arr))
        return cfg_fail(c, "plugins", "expected an array of paths, got %s",
                        cfg_describe(c, arr));
    if (!(c->e->plugins = calloc(json_array_size(arr) + 1, sizeof *c->e->plugins)))
        return -ENOMEM;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const char *rel = NULL;
        snprintf(field, sizeof field, "plugins[%zu]", i);
        int rc = cfg_string(c, json_array_get(arr, i), field, &rel);
        if (rc)
            return rc;
        char *path = resolve(c->e->dir, rel);
        if (!path)
            return -ENOMEM;
        c->e->plugins[c->e->nplugins++] = path;
    }
    return 0;
}

/* For a file input: the file must be readable, well formed, and hold the largest size. Any
 * input of a periodic experiment learns the box its points are wrapped into. In single
 * precision, coordinates (after wrapping) must stay within PB_COORD_MAX_FLOAT. */
static int check_points_file(struct cfg *c, json_t *root)
{
    struct pb_experiment *e = c->e;
    struct pb_points pts;
    struct pb_err perr;
    size_t largest = e->sizes[e->nsizes - 1];
    e->input.periodic = e->periodic;  /* points are wrapped into the periodic box when made */
    double reach = e->periodic > 0 && e->periodic < e->input.box ? e->periodic : e->input.box;
    if (e->input.kind != PB_INPUT_FILE && e->precision == PB_PRECISION_FLOAT &&
        reach > PB_COORD_MAX_FLOAT)
        return cfg_fail(c, "input.box", "%g is beyond %g: squared distances would overflow in "
                        "single precision (\"precision\": \"float\")", reach, PB_COORD_MAX_FLOAT);
    if (e->input.kind != PB_INPUT_FILE)
        return 0;
    int rc = pb_points_read(e->input.path, largest, &pts, &perr);
    if (rc < 0) {
        cfg_fail(c, "input.path", "%s", perr.msg);
        return rc;                   /* keeps the errno of an I/O failure */
    }
    if (e->periodic > 0)
        pb_points_wrap(&pts, e->periodic);
    if (e->precision == PB_PRECISION_FLOAT)
        rc = pb_points_check_range(&pts, PB_COORD_MAX_FLOAT, e->input.path, &perr);
    size_t have = pts.n;
    pb_points_free(&pts);
    if (rc < 0)
        return cfg_fail(c, "input.path", "%s", perr.msg);
    if (have >= largest)
        return 0;
    json_t *sizes = json_object_get(root, "sizes");
    const char *shown = json_string_value(json_object_get(json_object_get(root, "input"),
                                                          "path"));
    char field[PB_FIELD] = "sizes.to";
    size_t want = largest;
    for (size_t i = 0; json_is_array(sizes) && i < json_array_size(sizes); i++) {
        want = (size_t)json_integer_value(json_array_get(sizes, i));
        if (want > have) {
            snprintf(field, sizeof field, "sizes[%zu]", i);
            break;
        }
    }
    return cfg_fail(c, field, "%zu points requested but %s holds %zu", want, shown, have);
}

/* path's folder ("." when it has none), malloc'd. */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* A config being loaded, between pb_config_read and pb_config_resolve. */
struct pb_config_doc {
    struct cfg c;                    /* where messages go, the experiment being filled */
    json_t *root;                    /* the parsed document */
};

/* Ends a load that failed with rc: the out-of-memory message, then d and its experiment
 * released. Returns rc. */
static int load_failed(struct pb_config_doc *d, int rc)
{
    if (rc == -ENOMEM)
        pb_fail(d->c.err, rc, "%s: out of memory while loading the config", d->c.path);
    pb_experiment_free(d->c.e);
    json_decref(d->root);
    free(d);
    return rc;
}

/* The sections before the strategies, in the order the fields depend on each other. */
static int parse_head(struct cfg *c, json_t *root)
{
    int rc;
    if ((rc = cfg_check_keys(c, root, "")) || (rc = parse_name(c, root)) ||
        (rc = parse_description(c, root)) || (rc = parse_input(c, root)) ||
        (rc = parse_output(c, root)) || (rc = parse_sizes(c, root)) ||
        (rc = parse_threads(c, root)) ||
        (rc = int_list(c, root, "ranks", &c->e->ranks, &c->e->nranks)) ||
        (rc = parse_scalars(c, root)))
        return rc;
    return parse_plugins(c, root);
}

int pb_config_read(const char *path, struct pb_experiment *e, struct pb_config_doc **doc,
                   struct pb_err *err)
{
    struct pb_config_doc *d = calloc(1, sizeof *d);
    *doc = NULL;
    *e = (struct pb_experiment){ 0 };
    if (!d)
        return pb_fail(err, -ENOMEM, "%s: out of memory while loading the config", path);
    d->c = (struct cfg){ .path = path, .err = err, .e = e };
    e->path = strdup(path);
    e->dir = folder_of(path);
    int rc = !e->path || !e->dir ? -ENOMEM : cfg_read_text(&d->c, &d->root);
    if (!rc) {
        pb_fnv1a64_hex(pb_fnv1a64(PB_FNV1A64_INIT, d->c.text, d->c.len), e->hash);
        rc = parse_head(&d->c, d->root);
    }
    if (rc)
        return load_failed(d, rc);
    d->c.path = e->path;             /* the caller's path need not outlive this call */
    *doc = d;
    return 0;
}

int pb_config_plugin_failed(struct pb_config_doc *doc, size_t i, const char *why)
{
    char field[PB_FIELD];
    snprintf(field, sizeof field, "plugins[%zu]", i);
    return load_failed(doc, cfg_fail(&doc->c, field, "%s", why));
}

/* The sections that name strategies, then those after them; the points file last. */
int pb_config_resolve(struct pb_config_doc *doc, const struct pb_strategy_lookup *lk)
{
    struct cfg *c = &doc->c;
    int rc;
    c->lk = lk;
    if ((rc = cfg_parse_strategies(c, doc->root)) || (rc = cfg_parse_verify(c, doc->root)) ||
        (rc = cfg_parse_rmax(c, doc->root)) || (rc = cfg_parse_figures(c, doc->root)) ||
        (rc = check_points_file(c, doc->root)))
        return load_failed(doc, rc);
    json_decref(doc->root);
    free(doc);
    return 0;
}

void pb_experiment_free(struct pb_experiment *e)
{
    for (size_t i = 0; i < e->nstrategies; i++)
        cfg_entry_free(&e->strategies[i]);
    for (size_t i = 0; i < e->nplugins; i++)
        free(e->plugins[i]);
    free(e->plugins);
    free(e->bins.edges);
    free(e->strategies);
    free(e->name);
    free(e->description);
    free(e->path);
    free(e->dir);
    free(e->text);
    free(e->input.path);
    free(e->sizes);
    free(e->threads);
    free(e->ranks);
    pb_figure_decls_free(e->figures, e->nfigures);
    *e = (struct pb_experiment){ 0 };
}
