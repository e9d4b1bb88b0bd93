/* config_check.h — the checks the config loader (config.c) applies to JSON values, and the one
 * shape of its errors: "FILE:LINE:COL: FIELD: what is wrong", placed by jsonpos. The cfg_key_*
 * checks take the key's type, range, default and requiredness from the schema
 * (config_schema.h); the others take them from their caller. Used by config.c and
 * config_strategies.c only. */
#ifndef PAIRBENCH_CONFIG_CHECK_H
#define PAIRBENCH_CONFIG_CHECK_H

#include "config.h"
#include "config_schema.h"

#include <jansson.h>
#include <stddef.h>

#define PB_FIELD 256                 /* longest field path in a message */

/* Everything a check needs to report an error at the right place. */
struct cfg {
    const char *path;                /* the config file as given */
    const char *text;                /* its bytes */
    size_t len;
    struct pb_err *err;
    struct pb_experiment *e;         /* filled as validation goes */
    const struct pb_strategy_lookup *lk;  /* the strategies names may refer to (resolve) */
    char got[96];                    /* scratch for cfg_describe() */
};

/* An error about the value at field, labelled with field. Returns -EINVAL. */
__attribute__((format(printf, 3, 4)))
int cfg_fail(struct cfg *c, const char *field, const char *fmt, ...);

/* An error placed at field's key but labelled with its enclosing object parent (unknown
 * keys). Returns -EINVAL. */
__attribute__((format(printf, 4, 5)))
int cfg_fail_key(struct cfg *c, const char *field, const char *parent, const char *fmt, ...);

/* A short description of v for "got ..." in messages; valid until the next call. */
const char *cfg_describe(struct cfg *c, const json_t *v);

/* out[PB_FIELD] = parent + "." + key (or key alone at the top level). */
void cfg_join(char *out, const char *parent, const char *key);

/* The entry of known[] (NULL-terminated) nearest to key when near enough to be a typo, or
 * NULL. */
const char *cfg_suggest(const char *key, const char *const *known);

/* Writes known[] as "a, b, c" into buf, ending with "…" when they do not all fit. */
void cfg_list_names(char *buf, size_t size, const char *const *known);

/* Checks that obj (the object at parent) has only the keys the schema lists below parent;
 * an unknown one fails with the nearest known key, or the list of them. */
int cfg_check_keys(struct cfg *c, json_t *obj, const char *parent);

/* The same for an object of an array: its keys are the schema's below schema ("figures[]"),
 * its errors are placed and labelled at parent ("figures[2]"). */
int cfg_check_keys_at(struct cfg *c, json_t *obj, const char *schema, const char *parent);

/* Checks that obj (at parent) has every key the schema marks required below parent, in
 * table order: "missing required field" at parent for the first one absent. */
int cfg_check_required(struct cfg *c, json_t *obj, const char *parent);

/* The member of obj for the schema key path (its last component), NULL when absent; a
 * required key that is absent fails with "missing required field". */
int cfg_key(struct cfg *c, json_t *obj, const char *path, json_t **v);

/* Schema-driven scalars: the member of obj for key path, checked against its type and range,
 * into *out; its schema default when absent (a required one fails). */
int cfg_key_int(struct cfg *c, json_t *obj, const char *path, long long *out);
int cfg_key_number(struct cfg *c, json_t *obj, const char *path, double *out);
int cfg_key_choice(struct cfg *c, json_t *obj, const char *path, int *out);
int cfg_key_bool(struct cfg *c, json_t *obj, const char *path, int *out);

/* An item v (at field, e.g. "sizes[2]") of the schema list path, checked against the range
 * the schema gives its items. */
int cfg_item_int(struct cfg *c, json_t *v, const char *field, const char *path, long long *out);
int cfg_item_number(struct cfg *c, json_t *v, const char *field, const char *path, double *out);

/* Compares entries a and b of a list (by whatever the list holds) for cfg_first_repeat. */
typedef int (*cfg_entry_cmp)(size_t a, size_t b, void *list);

/* Finds the first entry (lowest *i) of an n-entry list equal to an earlier one (*j, the
 * first of them). Returns 1 when there is one, 0 when all entries differ, -ENOMEM. */
int cfg_first_repeat(size_t n, cfg_entry_cmp cmp, void *list, size_t *i, size_t *j);

/* The schema row of path; NULL (with an error in c) for a path the table lacks. */
const struct pb_config_key *cfg_schema(struct cfg *c, const char *path);

/* Member key of obj (at parent) into *v; absent fails with "missing required field". */
int cfg_require(struct cfg *c, json_t *obj, const char *parent, const char *key, json_t **v);

/* v must be an object; field names it. */
int cfg_object(struct cfg *c, json_t *v, const char *field);

/* An integer in [min, max] at field. */
int cfg_int(struct cfg *c, json_t *v, const char *field, long long min, long long max,
            long long *out);

/* A number (integer or real) at field, > lo (or >= lo when inclusive). */
int cfg_number(struct cfg *c, json_t *v, const char *field, double lo, int inclusive,
               double *out);

/* A string at field (never with a NUL inside: the parser refuses \u0000). */
int cfg_string(struct cfg *c, json_t *v, const char *field, const char **out);

/* 1 when s is a non-empty string of [A-Za-z0-9_.-] and the characters in extra. */
int cfg_valid_name(const char *s, const char *extra);

#endif
