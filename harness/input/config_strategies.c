/* config_strategies.c — the strategy sections of a config (see config_strategies.h): each
 * entry's strategy, label and parameters, the "rmax" sweep that multiplies the entries, and
 * the "verify" references. Keys and limits come from the schema (config_schema.c).
 *
 * A strategy object may set any parameter its strategy declares (bench --list shows them);
 * a value may be a string, number or boolean and must be one of the parameter's choices when
 * it has some; an exec command template is checked now, not at the first run. Every entry
 * needs a distinct (label, parameters) pair. */
#include "config_strategies.h"
#include "exec-check.h"
#include "label.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The names of s's declared parameters, NULL-terminated, into names[cap]. */
static void param_names(const struct pb_strategy *s, const char **names, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; s->params && s->params[i].name && n + 1 < cap; i++)
        names[n++] = s->params[i].name;
    names[n] = NULL;
}

/* The "unknown parameter" error for key of the strategy object at field. */
static int unknown_param(struct cfg *c, const char *field, const struct pb_strategy *s,
                         const char *key)
{
    const char *names[64];
    char list[512], kfield[PB_FIELD];
    param_names(s, names, 64);
    cfg_list_names(list, sizeof list, names);
    cfg_join(kfield, field, key);
    const char *near = cfg_suggest(key, names);
    if (!names[0])
        return cfg_fail_key(c, kfield, field, "unknown parameter \"%s\": %s declares no parameters",
                            key, s->name);
    return cfg_fail_key(c, kfield, field, "unknown parameter \"%s\" for %s (%s%s%sdeclared: %s)",
                        key, s->name, near ? "did you mean \"" : "", near ? near : "",
                        near ? "\"? " : "", list);
}

/* What spec accepts, in words for a message: "one of a|b", "an integer from 1 to 65536",
 * "a number >= 0", "any text". */
static void param_expected(const struct pb_param_spec *spec, char *buf, size_t size)
{
    const char *what = spec->type == PB_PARAM_INT ? "an integer" : "a number";
    int lo = spec->min > -HUGE_VAL, hi = spec->max < HUGE_VAL;
    if (spec->choices)
        snprintf(buf, size, "one of %s", spec->choices);
    else if (spec->type == PB_PARAM_TEXT)
        snprintf(buf, size, "any text");
    else if (spec->type != PB_PARAM_INT && spec->type != PB_PARAM_NUMBER)
        snprintf(buf, size, "a value of parameter type %d, which this program does not know",
                 spec->type);
    else if (lo && hi)
        snprintf(buf, size, "%s from %.17g to %.17g", what, spec->min, spec->max);
    else if (lo || hi)
        snprintf(buf, size, "%s %s %.17g", what, lo ? ">=" : "<=", lo ? spec->min : spec->max);
    else
        snprintf(buf, size, "%s", what);
}

/* The number in text as spec's type reads it: an integer is an optional '-' and digits only;
 * a number is what strtod reads in decimal, finite (no blanks, '+', hex, inf or nan). Returns
 * 0 or -EINVAL. */
static int param_number(const struct pb_param_spec *spec, const char *text, double *v)
{
    char *end = NULL;
    const char *first = text + (*text == '-');
    if (!*first || !strchr("0123456789.", *first) || strpbrk(text, "xXpP"))
        return -EINVAL;
    errno = 0;
    *v = spec->type == PB_PARAM_INT ? (double)strtoll(text, &end, 10) : strtod(text, &end);
    return *end || errno == ERANGE || !isfinite(*v) ? -EINVAL : 0;
}

int pb_param_check(const struct pb_param_spec *spec, const char *value, char *what,
                   size_t size)
{
    double v = 0;
    param_expected(spec, what, size);
    if (spec->choices)
        return pb_choice_index(spec->choices, value) < 0 ? -EINVAL : 0;
    if (spec->type == PB_PARAM_TEXT)
        return 0;
    if ((spec->type != PB_PARAM_INT && spec->type != PB_PARAM_NUMBER) ||
        param_number(spec, value, &v) < 0)
        return -EINVAL;
    return v < spec->min || v > spec->max ? -EINVAL : 0;
}

/* The value v of parameter spec as a string, whole, into *out (malloc'd; the caller frees
 * it, also on error), checked against the spec (pb_param_check). */
static int param_value(struct cfg *c, json_t *v, const char *field,
                       const struct pb_param_spec *spec, char **out)
{
    char num[64];
    const char *text = num;
    int rc = 0;
    if (json_is_string(v))
        rc = cfg_string(c, v, field, &text);
    else if (json_is_integer(v))
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        snprintf(num, sizeof num, "%.17g", json_real_value(v));
    else if (json_is_boolean(v))
        snprintf(num, sizeof num, "%s", json_is_true(v) ? "true" : "false");
    else
        return cfg_fail(c, field, "expected a string, number or boolean, got %s",
                        cfg_describe(c, v));
    if (rc)
        return rc;
    if (!(*out = strdup(text)))
        return -ENOMEM;
    const char *buf = *out;
    char what[256];
    if (pb_param_check(spec, buf, what, sizeof what) < 0)
        return cfg_fail(c, field, "expected %s, got %s", what, cfg_describe(c, v));
    if (strpbrk(buf, ";=\n\r\t\"") || !*buf)
        return cfg_fail(c, field, "a parameter value must be non-empty and hold no ';', '=', '\"' "
                        "or control characters, got %s", cfg_describe(c, v));
    return 0;
}

/* Appends "k=v" to the canonical params string *params (realloc'd). */
static int append_param(char **params, const char *k, const char *v)
{
    size_t old = strlen(*params), add = strlen(k) + strlen(v) + 3;
    char *p = realloc(*params, old + add);
    if (!p)
        return -ENOMEM;
    snprintf(p + old, add, "%s%s=%s", old ? ";" : "", k, v);
    *params = p;
    return 0;
}

/* The value of parameter key in sc->kv, or NULL when its strategy does not declare it. */
static const char *entry_value(const struct pb_strategy_cfg *sc, const char *key)
{
    for (size_t i = 0; i < sc->nkv; i++)
        if (strcmp(sc->kv[i].key, key) == 0)
            return sc->kv[i].value;
    return NULL;
}

/* An exec strategy's command template and a named method's tasks, checked now: a mistake in
 * either would fail every run. */
static int check_command(struct cfg *c, const char *field, struct pb_strategy_cfg *sc)
{
    char why[512], cfield[PB_FIELD];
    const char *command = entry_value(sc, "command"), *tasks = entry_value(sc, "tasks");
    if (pb_exec_check_tasks(sc->strategy, tasks, why, sizeof why) < 0) {
        cfg_join(cfield, field, "tasks");
        return cfg_fail(c, cfield, "%s", why);
    }
    if (pb_exec_check_command(sc->strategy, command, why, sizeof why) == 0)
        return 0;
    cfg_join(cfield, field, "command");
    return cfg_fail(c, command && *command ? cfield : field, "%s", why);
}

/* Fills sc->kv with every declared parameter (configured value or default) and sc->params
 * with the configured ones; obj may be NULL for the string form. */
static int fill_params(struct cfg *c, json_t *obj, const char *field, struct pb_strategy_cfg *sc)
{
    const struct pb_param_spec *ps = sc->strategy->params;
    char vfield[PB_FIELD];
    size_t np = 0;
    while (ps && ps[np].name)
        np++;
    sc->params = calloc(1, 1);
    sc->kv = calloc(np ? np : 1, sizeof *sc->kv);
    if (!sc->params || !sc->kv)
        return -ENOMEM;
    for (size_t i = 0; i < np; i++) {
        json_t *v = obj ? json_object_get(obj, ps[i].name) : NULL;
        char *buf = NULL;
        cfg_join(vfield, field, ps[i].name);
        int rc = v ? param_value(c, v, vfield, &ps[i], &buf) : 0;
        if (!rc && v)
            rc = append_param(&sc->params, ps[i].name, buf);
        if (!rc && strlen(sc->params) >= PB_PARAMS_MAX)
            rc = cfg_fail(c, vfield, "the parameters come to %zu bytes, more than the %zu the "
                          "results' params column holds: shorten the value (a long command can "
                          "live in a script)", strlen(sc->params),
                          (size_t)PB_PARAMS_MAX - 1);
        sc->kv[i].key = rc ? NULL : strdup(ps[i].name);
        sc->kv[i].value = rc ? NULL : v ? buf : strdup(ps[i].def ? ps[i].def : "");
        if (rc || !v)
            free(buf);
        if (rc)
            return rc;
        sc->nkv = i + 1;
        if (!sc->kv[i].key || !sc->kv[i].value)
            return -ENOMEM;
    }
    return check_command(c, field, sc);
}

/* The strategy named by v (a string at field); unknown names list the known ones. */
static int find_strategy(struct cfg *c, json_t *v, const char *field,
                         const struct pb_strategy **s)
{
    const char *name = NULL;
    char known[1024];
    int rc = cfg_string(c, v, field, &name);
    if (rc)
        return rc;
    if ((*s = c->lk->find(name)))
        return 0;
    c->lk->names(known, sizeof known);
    return cfg_fail(c, field, "unknown strategy \"%s\" (known: %s)", name, known);
}

/* Checks the keys of a strategy object: those the schema lists below "strategies[]" (name,
 * label), or a parameter s declares. */
static int check_strategy_keys(struct cfg *c, json_t *obj, const char *field,
                               const struct pb_strategy *s)
{
    const char *fixed[8], *key;
    json_t *v;
    pb_config_key_children("strategies[]", fixed, 8);
    json_object_foreach(obj, key, v) {
        int known = 0;
        for (size_t i = 0; !known && fixed[i]; i++)
            known = !strcmp(key, fixed[i]);
        for (size_t i = 0; !known && s->params && s->params[i].name; i++)
            known = !strcmp(key, s->params[i].name);
        if (!known)
            return unknown_param(c, field, s, key);
    }
    return 0;
}

/* The label of an entry: "label" when given (checked), else the strategy's name. */
static int set_label(struct cfg *c, json_t *obj, const char *field, struct pb_strategy_cfg *sc)
{
    char lfield[PB_FIELD];
    json_t *v = obj ? json_object_get(obj, "label") : NULL;
    const char *label = sc->strategy->name;
    const struct pb_config_key *k = cfg_schema(c, "strategies[].label");
    cfg_join(lfield, field, "label");
    int rc = !k ? -EINVAL : v ? cfg_string(c, v, lfield, &label) : 0;
    if (rc)
        return rc;
    if (!v && !cfg_valid_name(label, ""))       /* a plugin's name the registry let through */
        return cfg_fail(c, field, "strategy name \"%.70s\" cannot be a label: give a \"label\"",
                        label);
    if (!cfg_valid_name(label, " +()/:[]@"))
        return cfg_fail(c, lfield, "expected letters, digits, spaces or _.-+()/:[]@ only, got %s",
                        cfg_describe(c, v));
    if (strchr("=+-@ ", label[0]))
        return cfg_fail(c, lfield, "a label may not begin with '%c' (spreadsheets read a CSV field "
                        "that begins with '=', '+', '-' or '@' as a formula; a space is lost): "
                        "got %s", label[0], cfg_describe(c, v));
    if ((long long)strlen(label) > k->imax)
        return cfg_fail(c, lfield, "a label takes at most %lld bytes (the results' strategy "
                        "column holds no more, and a cut label would merge two series), got %zu "
                        "bytes", k->imax, strlen(label));
    sc->label = strdup(label);
    return sc->label ? 0 : -ENOMEM;
}

/* One entry of "strategies" at index i: a name, or an object with name, label, parameters. */
static int parse_strategy(struct cfg *c, json_t *v, size_t i, struct pb_strategy_cfg *sc)
{
    char field[PB_FIELD], nfield[PB_FIELD];
    json_t *obj = json_is_object(v) ? v : NULL, *name = v;
    int rc;
    snprintf(field, sizeof field, "strategies[%zu]", i);
    snprintf(nfield, sizeof nfield, "%s", field);
    if (!obj && !json_is_string(v))
        return cfg_fail(c, field, "expected a strategy name or an object with \"name\", got %s",
                        cfg_describe(c, v));
    if (obj && (rc = cfg_require(c, obj, field, "name", &name)))
        return rc;
    if (obj)
        cfg_join(nfield, field, "name");
    if ((rc = find_strategy(c, name, nfield, &sc->strategy)) ||
        (obj && (rc = check_strategy_keys(c, obj, field, sc->strategy))) ||
        (rc = fill_params(c, obj, field, sc)))
        return rc;
    return set_label(c, obj, field, sc);
}

/* cfg_entry_cmp over strategy entries: by label, then parameters. */
static int cmp_strategy_at(size_t a, size_t b, void *list)
{
    const struct pb_strategy_cfg *x = (const struct pb_strategy_cfg *)list + a;
    const struct pb_strategy_cfg *y = (const struct pb_strategy_cfg *)list + b;
    int c = strcmp(x->label, y->label);
    return c ? c : strcmp(x->params, y->params);
}

/* "strategies": required, non-empty; every (label, params) pair distinct. */
int cfg_parse_strategies(struct cfg *c, json_t *root)
{
    struct pb_experiment *e = c->e;
    json_t *arr;
    int rc = cfg_key(c, root, "strategies", &arr);
    if (rc)
        return rc;
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return cfg_fail(c, "strategies", "expected a non-empty array of strategies, got %s",
                        cfg_describe(c, arr));
    if (!(e->strategies = calloc(json_array_size(arr), sizeof *e->strategies)))
        return -ENOMEM;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        struct pb_strategy_cfg *sc = &e->strategies[e->nstrategies++];
        if ((rc = parse_strategy(c, json_array_get(arr, i), i, sc)))
            return rc;
    }
    size_t i = 0, j = 0;
    char field[PB_FIELD];
    if ((rc = cfg_first_repeat(e->nstrategies, cmp_strategy_at, e->strategies, &i, &j)) <= 0)
        return rc;
    snprintf(field, sizeof field, "strategies[%zu]", i);
    return cfg_fail(c, field, "same label \"%s\" and parameters \"%s\" as strategies[%zu]: give "
                    "one a distinct \"label\"", e->strategies[i].label, e->strategies[i].params,
                    j);
}

/* Releases what one strategy entry owns. */
void cfg_entry_free(struct pb_strategy_cfg *sc)
{
    for (size_t k = 0; k < sc->nkv; k++) {
        free((char *)sc->kv[k].key);
        free((char *)sc->kv[k].value);
    }
    free(sc->kv);
    free(sc->label);
    free(sc->params);
}

/* *to = a deep copy of from running at rmax (index i): params gain "rmax=R". */
static int entry_at_rmax(const struct pb_strategy_cfg *from, double rmax, size_t i,
                         struct pb_strategy_cfg *to)
{
    char r[32];
    *to = (struct pb_strategy_cfg){ .strategy = from->strategy, .rmax = rmax, .rmax_index = i,
                                    .label = strdup(from->label),
                                    .params = strdup(from->params),
                                    .kv = calloc(from->nkv ? from->nkv : 1, sizeof *to->kv) };
    if (!to->label || !to->params || !to->kv)
        return -ENOMEM;
    for (; to->nkv < from->nkv; to->nkv++) {
        to->kv[to->nkv].key = strdup(from->kv[to->nkv].key);
        to->kv[to->nkv].value = strdup(from->kv[to->nkv].value);
        if (!to->kv[to->nkv].key || !to->kv[to->nkv].value)
            return -ENOMEM;
    }
    snprintf(r, sizeof r, "%.10g", rmax);
    return append_param(&to->params, "rmax", r);
}

/* Replaces every strategy entry by one per value of rmax[0..nr). */
static int expand_rmax(struct pb_experiment *e, const double *rmax, size_t nr)
{
    struct pb_strategy_cfg *all = calloc(e->nstrategies * nr, sizeof *all);
    size_t made = 0;
    int rc = all ? 0 : -ENOMEM;
    for (size_t j = 0; rc == 0 && j < e->nstrategies; j++)
        for (size_t i = 0; rc == 0 && i < nr; i++)
            rc = entry_at_rmax(&e->strategies[j], rmax[i], i, &all[made++]);
    for (size_t j = 0; j < (rc ? made : e->nstrategies); j++)
        cfg_entry_free(rc ? &all[j] : &e->strategies[j]);
    if (rc) {
        free(all);
        return rc;
    }
    free(e->strategies);
    e->strategies = all;
    e->nstrategies = made;
    e->nrmax = nr;
    return 0;
}

/* The n values of the "rmax" array arr into v: numbers in the schema's range, increasing. */
static int rmax_values(struct cfg *c, json_t *arr, double *v, size_t n)
{
    char field[PB_FIELD];
    for (size_t i = 0; i < n; i++) {
        snprintf(field, sizeof field, "rmax[%zu]", i);
        int rc = cfg_item_number(c, json_array_get(arr, i), field, "rmax", &v[i]);
        if (rc)
            return rc;
        if (i > 0 && !(v[i] > v[i - 1]))
            return cfg_fail(c, field, "expected values in increasing order, got %g after %g",
                            v[i], v[i - 1]);
    }
    return 0;
}

/* "rmax": a histogram's last edge swept over increasing values (see config_schema.c). */
int cfg_parse_rmax(struct cfg *c, json_t *root)
{
    json_t *arr = json_object_get(root, "rmax");
    const struct pb_config_key *k = cfg_schema(c, "rmax");
    size_t n = arr && json_is_array(arr) ? json_array_size(arr) : 0;
    if (!arr || !k)
        return k ? 0 : -EINVAL;
    if (c->e->output != PB_OUTPUT_HISTOGRAM)
        return cfg_fail(c, "rmax", "only a \"histogram\" output has an rmax to sweep");
    if (n == 0 || n > k->max_items)
        return cfg_fail(c, "rmax", "expected an array of 1 to %zu numbers > %g, got %s",
                        k->max_items, k->lo, cfg_describe(c, arr));
    double *v = malloc(n * sizeof *v);
    int rc = v ? rmax_values(c, arr, v, n) : -ENOMEM;
    if (!rc)
        rc = expand_rmax(c->e, v, n);
    free(v);
    return rc;
}

/* One name of verify.reference at field: an in-process strategy that can compute this config's
 * output, not listed before. */
static int check_reference(struct cfg *c, json_t *v, const char *field, size_t i)
{
    struct pb_verify_cfg *vc = &c->e->verify;
    const struct pb_strategy *s;
    int rc = find_strategy(c, v, field, &s);
    if (rc)
        return rc;
    if (s->flags & (PB_EXTERNAL | PB_DISTRIBUTED))
        return cfg_fail(c, field, "%s runs outside the harness process: a reference must be an "
                        "in-process strategy", s->name);
    if ((s->flags & PB_HISTOGRAM_ONLY) && c->e->output == PB_OUTPUT_MATRIX)
        return cfg_fail(c, field, "%s computes histograms only and this config's output is a "
                        "matrix", s->name);
    for (size_t j = 0; j < i; j++)
        if (vc->reference[j] == s)
            return cfg_fail(c, field, "%s is listed twice (first at verify.reference[%zu])",
                            s->name, j);
    vc->reference[vc->nreference++] = s;
    return 0;
}

/* "verify": naive_max_n (required there) and reference, the independent methods above it. */
int cfg_parse_verify(struct cfg *c, json_t *root)
{
    json_t *v = json_object_get(root, "verify"), *arr;
    const struct pb_config_key *k = cfg_schema(c, "verify.reference");
    long long naive_max;
    int rc;
    c->e->verify = (struct pb_verify_cfg){ 0 };
    if (!v || !k)
        return k ? 0 : -EINVAL;
    if ((rc = cfg_object(c, v, "verify")) || (rc = cfg_check_keys(c, v, "verify")) ||
        (rc = cfg_key_int(c, v, "verify.naive_max_n", &naive_max)))
        return rc;
    c->e->verify.naive_max_n = (size_t)naive_max;
    if (!(arr = json_object_get(v, "reference")))
        return 0;
    if (!json_is_array(arr) || json_array_size(arr) > k->max_items)
        return cfg_fail(c, "verify.reference", "expected an array of at most %zu strategy "
                        "names, got %s", k->max_items, cfg_describe(c, arr));
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char field[PB_FIELD];
        snprintf(field, sizeof field, "verify.reference[%zu]", i);
        if ((rc = check_reference(c, json_array_get(arr, i), field, i)))
            return rc;
    }
    return 0;
}
