/* config_figures.c — the config's "figures": the figures a study declares beside the built-in
 * ones (which series, which quantity vs n, which axis scales). Parsed once here, both when a
 * config loads (config.c, every label checked against "strategies") and when a result set's
 * figures are drawn again from the copy of its config in NAME.json (pb_config_figures_read),
 * so a sweep and `bench plot` draw the same figures. Keys and limits come from the schema. */
#include "config_figures.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* File stems a declared figure may not take: the built-in figures' and the summary's. */
static const char *const reserved[] = {"time", "memory", "speedup", "throughput", "rmax",
                                       "summary", NULL};

/* A string member key of obj (figure field), NULL when absent; *out gets a copy. Returns 0 or
 * -EINVAL/-ENOMEM. */
static int figure_string(struct cfg *c, json_t *obj, const char *field, const char *key,
                         char **out)
{
    char path[PB_FIELD], at[PB_FIELD + 16];
    const char *s;
    json_t *v = json_object_get(obj, key);
    snprintf(path, sizeof path, "figures[].%s", key);
    const struct pb_config_key *k = cfg_schema(c, path);
    if (!k)
        return -EINVAL;
    snprintf(at, sizeof at, "%s.%s", field, key);
    if (!v)
        return k->flags & PB_KEY_REQUIRED ? cfg_require(c, obj, field, key, &v) : 0;
    int rc = cfg_string(c, v, at, &s);
    if (rc)
        return rc;
    if (k->type == PB_KEY_CHOICE && pb_choice_index(k->choices, s) < 0)
        return cfg_fail(c, at, "expected one of %s, got %s", k->choices, cfg_describe(c, v));
    if (k->imax && (long long)strlen(s) > k->imax)
        return cfg_fail(c, at, "longer than %lld bytes", k->imax);
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return cfg_fail(c, at, "holds a control character: a figure cannot show it");
    *out = strdup(s);
    return *out ? 0 : -ENOMEM;
}

/* The figure's name at field: a file stem, not reserved, not taken by an earlier figure. */
static int check_name(struct cfg *c, const char *field, const char *name, size_t i)
{
    char at[PB_FIELD + 16];
    snprintf(at, sizeof at, "%s.name", field);
    if (!cfg_valid_name(name, ""))
        return cfg_fail(c, at, "\"%s\" is not a file stem of letters, digits, '_', '.' or '-'",
                        name);
    for (size_t k = 0; reserved[k]; k++)
        if (strcmp(reserved[k], name) == 0)
            return cfg_fail(c, at, "\"%s\" is a built-in figure's name (or the summary's): "
                            "choose another", name);
    for (size_t k = 0; k < i; k++)
        if (strcmp(c->e->figures[k].name, name) == 0)
            return cfg_fail(c, at, "\"%s\" is already figures[%zu]'s name", name, k);
    return 0;
}

/* 1 when label names an entry of "strategies" (any when none were parsed: NAME.json). */
static int known_label(const struct pb_experiment *e, const char *label)
{
    for (size_t i = 0; i < e->nstrategies; i++)
        if (strcmp(e->strategies[i].label, label) == 0)
            return 1;
    return e->nstrategies == 0;
}

/* "series" of figure obj (at field) into d: strategy labels, distinct, each in "strategies". */
static int parse_series(struct cfg *c, json_t *obj, const char *field, struct pb_figure_decl *d)
{
    char at[PB_FIELD + 48];
    json_t *arr = json_object_get(obj, "series");
    snprintf(at, sizeof at, "%s.series", field);
    if (!arr)
        return 0;
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return cfg_fail(c, at, "expected a non-empty array of strategy labels, got %s",
                        cfg_describe(c, arr));
    d->series = calloc(json_array_size(arr), sizeof *d->series);
    if (!d->series)
        return -ENOMEM;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const char *s;
        snprintf(at, sizeof at, "%s.series[%zu]", field, i);
        int rc = cfg_string(c, json_array_get(arr, i), at, &s);
        if (rc)
            return rc;
        if (!known_label(c->e, s))
            return cfg_fail(c, at, "no strategy is labelled \"%s\" (a label, or the strategy's "
                            "name when it has none)", s);
        for (size_t k = 0; k < d->nseries; k++)
            if (strcmp(d->series[k], s) == 0)
                return cfg_fail(c, at, "\"%s\" is already series[%zu]", s, k);
        if (!(d->series[d->nseries++] = strdup(s)))
            return -ENOMEM;
    }
    return 0;
}

/* Figure i (obj) into c->e->figures[i], counted in nfigures once it is filled. */
static int parse_figure(struct cfg *c, json_t *obj, size_t i)
{
    char field[PB_FIELD];
    char *xscale = NULL, *yscale = NULL;
    struct pb_figure_decl *d = &c->e->figures[i];
    snprintf(field, sizeof field, "figures[%zu]", i);
    *d = (struct pb_figure_decl){.xlog = 1, .ylog = 1};
    c->e->nfigures = i + 1;              /* freed with the experiment from here on */
    int rc = cfg_object(c, obj, field);
    if (!rc)
        rc = cfg_check_keys_at(c, obj, "figures[]", field);
    if (!rc)
        rc = figure_string(c, obj, field, "name", &d->name);
    if (!rc)
        rc = check_name(c, field, d->name, i);
    if (!rc)
        rc = figure_string(c, obj, field, "quantity", &d->quantity);
    if (!rc)
        rc = parse_series(c, obj, field, d);
    if (!rc)
        rc = figure_string(c, obj, field, "xscale", &xscale);
    if (!rc)
        rc = figure_string(c, obj, field, "yscale", &yscale);
    if (!rc)
        rc = figure_string(c, obj, field, "title", &d->title);
    d->xlog = !xscale || strcmp(xscale, "log") == 0;
    d->ylog = !yscale || strcmp(yscale, "log") == 0;
    free(xscale);
    free(yscale);
    return rc;
}

/* See config_figures.h. */
int cfg_parse_figures(struct cfg *c, json_t *root)
{
    const struct pb_config_key *k = cfg_schema(c, "figures");
    json_t *arr = json_object_get(root, "figures");
    if (!k || !arr)
        return k ? 0 : -EINVAL;
    if (!json_is_array(arr) || json_array_size(arr) > k->max_items)
        return cfg_fail(c, "figures", "expected an array of at most %zu figure objects, got %s",
                        k->max_items, cfg_describe(c, arr));
    if (json_array_size(arr) == 0)
        return 0;
    c->e->figures = calloc(json_array_size(arr), sizeof *c->e->figures);
    if (!c->e->figures)
        return -ENOMEM;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        int rc = parse_figure(c, json_array_get(arr, i), i);
        if (rc)
            return rc;
    }
    return 0;
}

/* See config.h. */
int pb_config_figures_read(const char *meta, struct pb_figure_decl **figs, size_t *n,
                           struct pb_err *err)
{
    struct pb_experiment e = {0};
    json_error_t jerr;
    *figs = NULL;
    *n = 0;
    json_t *root = json_load_file(meta, 0, &jerr);
    json_t *config = json_object_get(root, "config");
    char *text = json_is_object(config) ? json_dumps(config, JSON_INDENT(1)) : NULL;
    struct cfg c = {.path = meta, .text = text, .len = text ? strlen(text) : 0, .err = err,
                    .e = &e};
    int rc = text ? cfg_parse_figures(&c, config) : 0;
    if (rc == -ENOMEM)
        pb_fail(err, rc, "%s: out of memory while reading its figures", meta);
    if (rc == 0) {
        *figs = e.figures;
        *n = e.nfigures;
    } else {
        pb_figure_decls_free(e.figures, e.nfigures);
    }
    free(text);
    json_decref(root);
    return rc;
}

/* See config.h. */
void pb_figure_decls_free(struct pb_figure_decl *figs, size_t n)
{
    for (size_t i = 0; figs && i < n; i++) {
        for (size_t k = 0; k < figs[i].nseries; k++)
            free(figs[i].series[k]);
        free(figs[i].series);
        free(figs[i].name);
        free(figs[i].quantity);
        free(figs[i].title);
    }
    free(figs);
}
