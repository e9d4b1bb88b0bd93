/* config_schema.c — the table of config keys (see config_schema.h) and its rendering as the
 * reference table in docs/config.md or as plain text for `bench --list-keys`. Rows are in the order the
 * loader reads them; the keys of one object keep that order in "did you mean" and "known:"
 * lists. */
#include "config_schema.h"
#include "config.h"
#include "points.h"
#include "label.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PB_MAX_SIZE 1000000000LL     /* a larger n could not be held in memory anyway */
#define PB_MAX_WORKERS 4096          /* threads and ranks */
#define PB_MAX_REPEATS 1000000

static const struct pb_config_key keys[] = {
    { .path = "name", .type = PB_KEY_STRING, .doc = "`[A-Za-z0-9_.-]+`", .imax = 200,
      .def_doc = "the file's stem", .help = "names the outputs `DIR/NAME.*`" },
    { .path = "description", .type = PB_KEY_STRING,
      .help = "free text, copied into the metadata" },
    { .path = "input", .type = PB_KEY_OBJECT, .def_doc = "uniform, the defaults below",
      .help = "where the points come from (see Inputs)" },
    { .path = "input.kind", .type = PB_KEY_CHOICE, .flags = PB_KEY_REQUIRED,
      .choices = "uniform|clustered|file|powerlaw", .help = "the kind of input (see Inputs)" },
    { .path = "input.seed", .type = PB_KEY_INT, .imin = 0, .imax = LLONG_MAX, .def = 42,
      .help = "generated kinds: the same seed gives the same points for every strategy and "
              "thread count; a smaller n is a prefix of a larger one" },
    { .path = "input.box", .type = PB_KEY_NUMBER, .lo = 0, .hi = PB_COORD_MAX,
      .hi_why = "squared distances would overflow", .def = 1000.0,
      .help = "side of the cube the generated points fill" },
    { .path = "input.path", .type = PB_KEY_STRING, .def_doc = "required for `file`",
      .help = "file: a text file (one halo per line, exactly three numbers `x y z` separated "
              "by spaces, tabs or commas, `#` lines ignored) or a NumPy `.npy` (n, 3) "
              "float64/float32 array; relative to the config's folder; the first n points "
              "are used" },
    { .path = "input.clusters", .only = "powerlaw", .type = PB_KEY_INT, .imin = 1, .imax = 1000000, .def = 100,
      .help = "powerlaw: top-level spheres, centres uniform in the box" },
    { .path = "input.levels", .only = "powerlaw", .type = PB_KEY_INT, .imin = 1, .imax = 30, .def = 9,
      .help = "powerlaw: levels of sub-spheres below each top-level sphere" },
    { .path = "input.eta", .only = "powerlaw", .type = PB_KEY_INT, .imin = 2, .imax = 1000, .def = 2,
      .help = "powerlaw: sub-spheres per sphere (η)" },
    { .path = "input.lambda", .only = "powerlaw", .type = PB_KEY_NUMBER, .lo = 1, .def = 1.7817974362806785,
      .def_doc = "2^(1/1.2) ≈ 1.782",
      .help = "powerlaw: radius ratio per level (λ); needs log η / log λ < 3" },
    { .path = "input.radius", .only = "powerlaw", .type = PB_KEY_NUMBER, .lo = 0, .hi = PB_COORD_MAX,
      .def_doc = "`box` / 10", .help = "powerlaw: radius of the top-level spheres" },
    { .path = "output", .type = PB_KEY_OBJECT, .flags = PB_KEY_REQUIRED,
      .help = "what each run computes" },
    { .path = "output.kind", .type = PB_KEY_CHOICE, .flags = PB_KEY_REQUIRED,
      .choices = "matrix|histogram",
      .help = "every pairwise distance, or the pair counts in bins" },
    { .path = "output.bins", .type = PB_KEY_OBJECT, .def_doc = "required for `histogram`",
      .help = "the histogram's bins; `matrix` has none" },
    { .path = "output.bins.min", .type = PB_KEY_NUMBER, .flags = PB_KEY_LO_INCLUSIVE, .lo = 0,
      .def_doc = "required without `edges`",
      .help = "first edge of generated bins; a log scale needs min > 0" },
    { .path = "output.bins.max", .type = PB_KEY_NUMBER, .flags = PB_KEY_LO_INCLUSIVE, .lo = 0,
      .def_doc = "required without `edges`", .help = "last edge of generated bins, above min" },
    { .path = "output.bins.count", .type = PB_KEY_INT, .imin = 1, .imax = 100000000,
      .def_doc = "required without `edges`", .help = "number of generated bins" },
    { .path = "output.bins.scale", .type = PB_KEY_CHOICE, .choices = "linear|log",
      .help = "generated edges, bit for bit as NumPy makes them: `linear` is "
              "`numpy.linspace(min, max, count + 1)`, `log` is `numpy.geomspace(min, max, "
              "count + 1)` (see Bin edges)" },
    { .path = "output.bins.edges", .type = PB_KEY_LIST, .item = PB_KEY_NUMBER,
      .flags = PB_KEY_LO_INCLUSIVE, .lo = 0, .max_items = 100000001, .def_doc = "none",
      .help = "explicit edges instead of `min`, `max`, `count` and `scale`: count + 1 "
              "strictly increasing numbers, used exactly as written" },
    { .path = "precision", .type = PB_KEY_CHOICE, .choices = "double|float",
      .help = "float runs are verified against the double reference within a stated "
              "tolerance" },
    { .path = "periodic", .type = PB_KEY_NUMBER, .lo = 0, .def_doc = "none",
      .help = "minimum-image distances in a periodic box of that side" },
    { .path = "sizes", .type = PB_KEY_LIST, .item = PB_KEY_INT, .flags = PB_KEY_REQUIRED,
      .imin = 1, .imax = PB_MAX_SIZE, .alt = "a range `{\"from\", \"to\", \"steps\", \"scale\"}`",
      .help = "the n values; an array is sorted and may not repeat a value" },
    { .path = "sizes.from", .type = PB_KEY_INT, .flags = PB_KEY_REQUIRED, .imin = 1,
      .imax = PB_MAX_SIZE, .help = "range: the first n" },
    { .path = "sizes.to", .type = PB_KEY_INT, .flags = PB_KEY_REQUIRED, .imin = 1,
      .imax = PB_MAX_SIZE, .help = "range: the last n, at least `from`" },
    { .path = "sizes.steps", .type = PB_KEY_INT, .flags = PB_KEY_REQUIRED, .imin = 1,
      .imax = 100000, .help = "range: values from `from` to `to`, rounded to integers and "
                              "deduplicated (at least 2 unless `from` = `to`)" },
    { .path = "sizes.scale", .type = PB_KEY_CHOICE, .choices = "linear|log",
      .help = "range: values evenly spaced, or in a constant ratio" },
    { .path = "threads", .type = PB_KEY_LIST, .item = PB_KEY_INT, .imin = 1,
      .imax = PB_MAX_WORKERS, .alt = "`\"all\"`", .def_doc = "`[1]`",
      .help = "thread (or worker process) counts; `\"all\"` is 1, 2, 4, ... up to and "
              "including the online cores; serial strategies run once per n" },
    { .path = "ranks", .type = PB_KEY_LIST, .item = PB_KEY_INT, .imin = 1,
      .imax = PB_MAX_WORKERS, .def_doc = "`[1]`",
      .help = "MPI rank counts, swept for distributed strategies only" },
    { .path = "repeats", .type = PB_KEY_INT, .imin = 1, .imax = PB_MAX_REPEATS, .def = 3,
      .help = "counted runs per point" },
    { .path = "warmup", .type = PB_KEY_INT, .imin = 0, .imax = PB_MAX_REPEATS, .def = 1,
      .help = "runs per point before the counted ones: measured and written (`kind` "
              "`warmup`), not counted" },
    { .path = "timeout_s", .type = PB_KEY_NUMBER, .flags = PB_KEY_LO_INCLUSIVE, .lo = 0,
      .def_doc = "10 × the run's estimate + 60 s",
      .help = "a run still going after this is killed and recorded as `timeout`; `0` means no "
              "timeout at all; `--dry-run` shows each run's. When set explicitly, a "
              "brute-force run (or an `exec` run with a `cost_factor`) whose estimated time "
              "exceeds it is not started (`skipped: estimated 412 s > timeout_s 120 s`)" },
    { .path = "pin", .type = PB_KEY_CHOICE, .choices = "none|cores",
      .help = "one worker per core (`pthread_setaffinity_np`; `OMP_PLACES=cores "
              "OMP_PROC_BIND=close`)" },
    { .path = "order", .type = PB_KEY_CHOICE, .choices = "random|config",
      .help = "runs of one n are shuffled (seeded) so drift spreads across strategies; "
              "`--order config` overrides" },
    { .path = "order_seed", .type = PB_KEY_INT, .imin = 0, .imax = LLONG_MAX, .def = 1,
      .help = "the shuffle's seed" },
    { .path = "overhead", .type = PB_KEY_BOOL, .def = 1,
      .help = "also measure each strategy's fixed cost on empty work (`kind` `overhead`, "
              "n = 0)" },
    { .path = "limits", .type = PB_KEY_BOOL, .def = 0,
      .help = "measure the machine's limits first and fill `fraction_of_limit`" },
    { .path = "plugins", .type = PB_KEY_LIST, .item = PB_KEY_STRING, .doc = "paths",
      .help = "strategy libraries to load (relative to the config's folder), before "
              "`strategies` is read" },
    { .path = "strategies", .type = PB_KEY_LIST, .item = PB_KEY_OBJECT, .flags =
      PB_KEY_REQUIRED, .doc = "names or objects", .help = "non-empty; a name is "
      "`{\"name\": NAME}`; an object may also set any parameter its strategy declares "
      "(`bench --list`); every entry needs a distinct (label, parameters) pair" },
    { .path = "strategies[].name", .type = PB_KEY_STRING, .flags = PB_KEY_REQUIRED,
      .help = "a registered strategy (`bench --list`)" },
    { .path = "strategies[].label", .type = PB_KEY_STRING,
      .doc = "of letters, digits, spaces or `_.-+()/:[]@`", .imax = PB_LABEL_MAX - 1,
      .def_doc = "the strategy's name", .help = "names the series in CSV and figures" },
    { .path = "verify", .type = PB_KEY_OBJECT, .def_doc = "naive at every n",
      .help = "how runs are checked (see Spatial strategies)" },
    { .path = "verify.naive_max_n", .type = PB_KEY_INT, .flags = PB_KEY_REQUIRED, .imin = 1,
      .imax = PB_MAX_SIZE, .help = "the largest n checked against naive" },
    { .path = "verify.reference", .type = PB_KEY_LIST, .item = PB_KEY_STRING,
      .max_items = PB_VERIFY_MAX_REFERENCES, .doc = "in-process strategy names",
      .def_doc = "`[]`", .help = "above `naive_max_n` a run of strategy S is checked by the "
      "first of these that is not S (e.g. `[\"grid\", \"kdtree\"]`); none: unverified" },
    { .path = "rmax", .type = PB_KEY_LIST, .item = PB_KEY_NUMBER, .lo = 0, .max_items = 64,
      .def_doc = "none", .help = "histogram only, increasing: every strategy runs at each "
      "value with `output.bins` scaled by rmax ÷ `bins.max` (same count and, for log bins, "
      "ratio); the `params` column gains `rmax=R`, and the crossover figure `NAME_rmax` (time "
      "vs rmax per strategy) is drawn" },
    { .path = "figures", .type = PB_KEY_LIST, .item = PB_KEY_OBJECT, .max_items = 16,
      .doc = "figure objects", .def_doc = "`[]`", .help = "figures drawn after the sweep (and "
      "by `bench plot`) beside the built-in ones, each as `DIR/NAME_<name>.gp` and its `.png`, "
      "`.svg` and `.pdf`: one quantity vs n for the chosen series" },
    { .path = "figures[].name", .type = PB_KEY_STRING, .flags = PB_KEY_REQUIRED,
      .doc = "`[A-Za-z0-9_.-]+`", .imax = 64, .help = "the file stem after `NAME_`; distinct, "
      "and none of `time`, `memory`, `speedup`, `throughput`, `rmax`, `summary`" },
    { .path = "figures[].quantity", .type = PB_KEY_CHOICE, .flags = PB_KEY_REQUIRED,
      .choices = "time|memory|throughput", .help = "what is drawn vs n, as the built-in figure "
      "of that name draws it (median wall time with its 95% CI, peak memory, pairs per second)" },
    { .path = "figures[].series", .type = PB_KEY_LIST, .item = PB_KEY_STRING,
      .doc = "strategy labels", .def_doc = "every label", .help = "the strategies drawn, by "
      "label (the strategy's name when it has no label), each at every thread count" },
    { .path = "figures[].xscale", .type = PB_KEY_CHOICE, .choices = "log|linear",
      .help = "the n axis" },
    { .path = "figures[].yscale", .type = PB_KEY_CHOICE, .choices = "log|linear",
      .help = "the quantity's axis" },
    { .path = "figures[].title", .type = PB_KEY_STRING, .imax = 200,
      .def_doc = "`NAME: QUANTITY vs n`", .help = "the figure's title" },
};

/* See config_schema.h. */
size_t pb_config_key_count(void)
{
    return sizeof keys / sizeof keys[0];
}

/* See config_schema.h. */
const struct pb_config_key *pb_config_key_at(size_t i)
{
    return i < pb_config_key_count() ? &keys[i] : NULL;
}

/* See config_schema.h. */
const struct pb_config_key *pb_config_key_find(const char *path)
{
    for (size_t i = 0; i < pb_config_key_count(); i++)
        if (strcmp(keys[i].path, path) == 0)
            return &keys[i];
    return NULL;
}

/* The name of path's key when path is directly inside parent, else NULL. */
static const char *child_name(const char *path, const char *parent)
{
    size_t lp = strlen(parent);
    if (lp && (strncmp(path, parent, lp) != 0 || path[lp] != '.'))
        return NULL;
    const char *name = lp ? path + lp + 1 : path;
    return strchr(name, '.') ? NULL : name;
}

/* See config_schema.h. */
size_t pb_config_key_children(const char *parent, const char **names, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < pb_config_key_count() && n + 1 < cap; i++) {
        const char *name = child_name(keys[i].path, parent);
        if (name)
            names[n++] = name;
    }
    names[n] = NULL;
    return n;
}

/* Writes x to f, a power of ten from 10^6 up as "10^k". */
static void put_value(FILE *f, double x)
{
    double k = log10(x);
    if (x >= 1e6 && k == floor(k))
        fprintf(f, "10^%.0f", k);
    else
        fprintf(f, "%g", x);
}

/* Writes the range of an integer key: "≥ min" or "min–max". */
static void put_int_range(FILE *f, const struct pb_config_key *k)
{
    if (k->imax == LLONG_MAX) {
        fprintf(f, "≥ %lld", k->imin);
        return;
    }
    put_value(f, (double)k->imin);
    fputs("–", f);
    put_value(f, (double)k->imax);
}

/* Writes the range of a number key: "> lo", "≥ lo" or "in (lo, hi]". */
static void put_number_range(FILE *f, const struct pb_config_key *k)
{
    int incl = (k->flags & PB_KEY_LO_INCLUSIVE) != 0;
    if (k->hi > 0) {
        fprintf(f, "in %c%g, ", incl ? '[' : '(', k->lo);
        put_value(f, k->hi);
        fputs("]", f);
    } else {
        fprintf(f, "%s %g", incl ? "≥" : ">", k->lo);
    }
}

/* Writes choices "a|b" as `"a"`, `"b"`. */
static void put_choices(FILE *f, const char *choices)
{
    while (*choices) {
        size_t l = strcspn(choices, "|");
        fprintf(f, "`\"%.*s\"`%s", (int)l, choices, choices[l] ? ", " : "");
        choices += l + (choices[l] == '|');
    }
}

/* Writes the type column of k (Markdown). */
static void put_type(FILE *f, const struct pb_config_key *k)
{
    static const char *const plain[] = { [PB_KEY_BOOL] = "boolean", [PB_KEY_STRING] = "string",
                                         [PB_KEY_OBJECT] = "object" };
    enum pb_key_type t = k->type == PB_KEY_LIST ? k->item : k->type;
    if (k->type == PB_KEY_LIST)
        fputs("array of ", f);
    if (k->type == PB_KEY_LIST && k->max_items)
        fprintf(f, "up to %zu ", k->max_items);
    if (t == PB_KEY_INT || t == PB_KEY_NUMBER)
        fprintf(f, "%s%s ", t == PB_KEY_INT ? "integer" : "number",
                k->type == PB_KEY_LIST ? "s" : "");
    if (t == PB_KEY_INT)
        put_int_range(f, k);
    else if (t == PB_KEY_NUMBER)
        put_number_range(f, k);
    else if (t == PB_KEY_CHOICE)
        put_choices(f, k->choices);
    else if (k->type != PB_KEY_LIST || !k->doc)
        fputs(plain[t], f);
    if (k->doc)
        fprintf(f, "%s%s", k->type == PB_KEY_LIST ? "" : " ", k->doc);
    if (k->type == PB_KEY_STRING && k->imax)
        fprintf(f, ", at most %lld bytes", k->imax);
    if (k->alt)
        fprintf(f, ", or %s", k->alt);
}

/* Writes the default column of k (Markdown). */
static void put_default(FILE *f, const struct pb_config_key *k)
{
    if (k->def_doc)
        fputs(k->def_doc, f);
    else if (k->flags & PB_KEY_REQUIRED)
        fputs("required", f);
    else if (k->type == PB_KEY_INT || k->type == PB_KEY_NUMBER)
        fprintf(f, "%g", k->def);
    else if (k->type == PB_KEY_BOOL)
        fputs(k->def ? "true" : "false", f);
    else if (k->type == PB_KEY_CHOICE)
        fprintf(f, "`\"%.*s\"`", (int)strcspn(k->choices, "|"), k->choices);
    else
        fputs("—", f);
}

/* Writes one key as a Markdown table row or as plain text (see pb_config_reference). */
static void put_key(FILE *f, const struct pb_config_key *k, int markdown)
{
    fprintf(f, markdown ? "| `%s` | " : "%-20s ", k->path);
    put_type(f, k);
    fputs(markdown ? " | " : "  (default: ", f);
    put_default(f, k);
    fprintf(f, markdown ? " | %s |\n" : ")\n    %s\n", k->help);
}

/* Removes the backticks of text in place: plain text shows code spans as they read. */
static void drop_backticks(char *text)
{
    char *to = text;
    for (; *text; text++)
        if (*text != '`')
            *to++ = *text;
    *to = '\0';
}

/* See config_schema.h. */
char *pb_config_reference(int markdown)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    if (markdown)
        fputs("| key | type | default | meaning |\n|---|---|---|---|\n", f);
    for (size_t i = 0; i < pb_config_key_count(); i++)
        put_key(f, &keys[i], markdown);
    if (ferror(f)) {
        fclose(f);
        free(text);
        return NULL;
    }
    fclose(f);
    if (!markdown)
        drop_backticks(text);
    return text;
}
