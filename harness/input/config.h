/* config.h — one experiment as loaded from a JSON config (harness/input/config.c reads it,
 * config_check.c checks it, config_schema.c lists its keys; no file outside harness/input reads
 * config JSON). Everything downstream (plan, runner, results) sees this struct, never JSON. */
#ifndef PAIRBENCH_CONFIG_H
#define PAIRBENCH_CONFIG_H

#include "error.h"
#include "strategy.h"

#include <stddef.h>
#include <stdint.h>

enum pb_input_kind {
    PB_INPUT_UNIFORM = 0,            /* uniform in a cube [0, box)^3 from a seed */
    PB_INPUT_CLUSTERED = 1,          /* Gaussian haloes around random centres, from a seed */
    PB_INPUT_FILE = 2,               /* "x y z" per line, or a NumPy .npy (n, 3), from a file */
    PB_INPUT_POWERLAW = 3            /* Soneira-Peebles hierarchy: xi(r) ~ r^-(3-D), from a seed */
};

enum pb_order {
    PB_ORDER_RANDOM = 0,             /* runs of one n shuffled with order_seed (default) */
    PB_ORDER_CONFIG = 1              /* runs in the config's order */
};

/* One entry of "strategies": a registered strategy with its parameters resolved. */
struct pb_strategy_cfg {
    const struct pb_strategy *strategy;  /* as the lookup found it (pb_config_resolve) */
    char *label;                     /* name in CSV and figures: "label" or the strategy name */
    struct pb_kv *kv;                /* every declared parameter, defaults filled (owned) */
    size_t nkv;
    char *params;                    /* canonical "k=v;k=v" of the configured ones, "" if none
                                        (with an "rmax" sweep it ends in "rmax=R") */
    double rmax;                     /* "rmax" sweep: the last edge this entry runs with, the
                                        bins scaled to it; 0 = output.bins as given */
    size_t rmax_index;               /* its index in the "rmax" list (0 without one) */
};

/* The Soneira-Peebles hierarchy of a "powerlaw" input (see harness/input/points.c). */
struct pb_powerlaw {
    int clusters;                    /* top-level spheres, centres uniform in the box */
    int levels;                      /* levels of sub-spheres below each top-level sphere */
    int eta;                         /* sub-spheres per sphere, chosen among at each level */
    double lambda;                   /* radius ratio of a sphere to its sub-spheres, > 1 */
    double radius;                   /* radius of the top-level spheres; 0 = box / 10 */
};

struct pb_input {
    enum pb_input_kind kind;
    uint64_t seed;                   /* uniform, clustered, powerlaw */
    double box;                      /* side of the cube the points lie in (generated kinds) */
    char *path;                      /* file: as usable from the working directory (a relative
                                        path in the config is joined to the config's folder) */
    struct pb_powerlaw pl;           /* powerlaw only */
    double periodic;                 /* > 0: points are wrapped into [0, periodic)^3 when made
                                        (the experiment's periodic box); 0 = left as they are */
};

struct pb_bin_spec {
    double min, max;                 /* first and last edge */
    size_t count;                    /* number of bins */
    enum pb_bin_scale scale;         /* generated (linear, log) or PB_BINS_EXPLICIT */
    double *edges;                   /* explicit: the count+1 edges as listed (malloc'd, owned
                                        by the experiment); NULL for generated bins */
};

/* "verify": which method checks a run at each n. */
#define PB_VERIFY_MAX_REFERENCES 8
struct pb_verify_cfg {
    size_t naive_max_n;              /* largest n checked against naive; 0 (the default,
                                        "verify" absent): naive checks every n */
    const struct pb_strategy *reference[PB_VERIFY_MAX_REFERENCES];  /* in-process strategies
                                        that check runs above naive_max_n, in config order: a
                                        run of strategy S uses the first one that is not S */
    size_t nreference;               /* entries in reference (0: runs above it go unverified,
                                        with the reason in their status) */
};

/* One entry of "figures": a figure the config declares, drawn after the sweep (and by `bench
 * plot`) beside the built-in ones, as DIR/NAME_<name>.gp and its renderings. */
struct pb_figure_decl {
    char *name;                      /* the file stem after "NAME_", [A-Za-z0-9_.-] */
    char *quantity;                  /* "time" | "memory" | "throughput": what is drawn vs n */
    char **series;                   /* strategy labels drawn, in config order */
    size_t nseries;                  /* 0: every label */
    int xlog, ylog;                  /* "xscale", "yscale": 1 log (the default), 0 linear */
    char *title;                     /* "title", or NULL: the built-in figure's */
};

struct pb_experiment {
    char *name;                      /* results are DIR/<name>.csv etc. */
    char *description;               /* "description", or NULL */
    char *path;                      /* the config file as given */
    char *dir;                       /* its folder: relative paths in the config start here */
    char *text;                      /* the config file's bytes, NUL-terminated */
    char hash[17];                   /* FNV-1a 64 of text, hex: keys --resume */
    struct pb_input input;
    enum pb_output_kind output;
    struct pb_bin_spec bins;             /* histogram only */
    enum pb_precision precision;     /* "precision": "double" (default) or "float" */
    double periodic;                 /* "periodic": box side for minimum-image; 0 = open */
    size_t *sizes;                   /* n values, ascending as configured */
    size_t nsizes;
    int *threads;                    /* thread counts ("all" expands to the online cores) */
    size_t nthreads;
    int *ranks;                      /* MPI rank counts; {1} when not configured */
    size_t nranks;
    int repeats;                     /* counted runs per point, >= 1 */
    int warmup;                      /* uncounted runs per point before them, >= 0 */
    double timeout_s;                /* per run; 0 = none */
    int timeout_set;                 /* 1: the config gave timeout_s; 0: the sweep derives one
                                        per run from its time estimate (pb_estimate_timeout_s) */
    int pin;                         /* "pin": "none" (0) or "cores" (1) */
    enum pb_order order;
    uint64_t order_seed;
    int overhead;                    /* 1: also measure empty-work runs (default 1) */
    int limits;                      /* 1: measure the machine limits first (default 0) */
    struct pb_strategy_cfg *strategies;
    size_t nstrategies;
    char **plugins;                  /* shared libraries the caller loads before strategies
                                        resolve (paths resolved against dir) */
    size_t nplugins;
    struct pb_verify_cfg verify;     /* "verify"; naive at every n when absent */
    size_t nrmax;                    /* values in "rmax" (0: not swept); strategies then holds
                                        one entry per (configured entry, rmax), in that order */
    struct pb_figure_decl *figures;  /* "figures", in config order (owned) */
    size_t nfigures;
};

/* The strategies a config may name, as the caller knows them (bench: the registry, once the
 * config's plugins are loaded): find gives the one called name, or NULL; names writes the
 * known names as "a, b, c" into buf (ending with "…" when they do not all fit) for an "unknown
 * strategy" message. */
struct pb_strategy_lookup {
    const struct pb_strategy *(*find)(const char *name);
    void (*names)(char *buf, size_t size);
};

/* A config being loaded: read by pb_config_read, finished by pb_config_resolve (or ended by
 * pb_config_plugin_failed), which release it. */
struct pb_config_doc;

/* The first half of loading the config at path into e (zeroed first): reads and checks every
 * section before the strategy sections, and leaves the "plugins" paths (resolved against the
 * config's folder) in e->plugins for the caller to load. Returns 0 with *doc open, or -EINVAL
 * (-errno for I/O) with one message in err of the form "FILE:LINE:COL: FIELD: what is wrong",
 * e released and *doc NULL. */
int pb_config_read(const char *path, struct pb_experiment *e, struct pb_config_doc **doc,
                   struct pb_err *err);

/* Ends the load of doc because e->plugins[i] could not be loaded (why: the loader's message):
 * the message goes to err, placed at that entry ("FILE:LINE:COL: plugins[i]: why"); doc and e
 * are released. Returns -EINVAL. */
int pb_config_plugin_failed(struct pb_config_doc *doc, size_t i, const char *why);

/* The second half: resolves "strategies" and "verify" against the strategies lk knows, then
 * checks the sections after them and reads a points file. Releases doc. Returns 0, or an error
 * as pb_config_read's (e released). */
int pb_config_resolve(struct pb_config_doc *doc, const struct pb_strategy_lookup *lk);

/* Index of value in a parameter's choices "a|b|c", or -1 when it is not one of them. */
int pb_choice_index(const char *choices, const char *value);

/* Checks value against the parameter spec: one of its choices, or its type and range. Returns
 * 0 or -EINVAL; what (size bytes) always gets what the spec accepts, in words for a message
 * ("one of shm|pipe", "an integer from 1 to 65536", "a number >= 0"). */
int pb_param_check(const struct pb_param_spec *spec, const char *value, char *what,
                   size_t size);

/* Reads the "figures" a result set's config declared from its metadata DIR/NAME.json (meta):
 * the same parser and checks as pb_config_resolve, less the labels' check against "strategies".
 * *figs (release with pb_figure_decls_free) is NULL and *n 0 when there is no NAME.json, no
 * config in it, or no "figures". Returns 0, or -EINVAL with err naming the entry at fault. */
int pb_config_figures_read(const char *meta, struct pb_figure_decl **figs, size_t *n,
                           struct pb_err *err);

/* Releases figs[0..n) and figs. */
void pb_figure_decls_free(struct pb_figure_decl *figs, size_t n);

/* Releases everything the load allocated; safe on a zeroed or half-filled struct. */
void pb_experiment_free(struct pb_experiment *e);

#endif
