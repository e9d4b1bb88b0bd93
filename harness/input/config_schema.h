/* config_schema.h — every key a config may hold, in one table (config_schema.c): its type, range,
 * default, choices and one line of help. The loader takes its known keys (unknown-key errors and
 * their suggestions), required keys, ranges and defaults from it; `bench --list-keys` and the
 * config reference (docs/config.md) are rendered from it. Adding a key is one row there, plus a parser
 * when the key has structure (sizes, strategies, rmax, verify.reference). */
#ifndef PAIRBENCH_CONFIG_SCHEMA_H
#define PAIRBENCH_CONFIG_SCHEMA_H

#include <stddef.h>

enum pb_key_type {
    PB_KEY_INT,                      /* an integer in [imin, imax] */
    PB_KEY_NUMBER,                   /* a number above lo (at it too with PB_KEY_LO_INCLUSIVE),
                                        at most hi when hi > 0 */
    PB_KEY_BOOL,                     /* true or false; def 0 or 1 */
    PB_KEY_CHOICE,                   /* a string among choices; def is the default's index */
    PB_KEY_STRING,
    PB_KEY_OBJECT,                   /* its keys are the rows whose path continues it */
    PB_KEY_LIST                      /* an array read by its own parser; item says what its
                                        items are, with their range in imin..imax or lo..hi */
};

#define PB_KEY_REQUIRED 1u           /* must be present in its object */
#define PB_KEY_LO_INCLUSIVE 2u       /* a number (or number item) may equal lo */

struct pb_config_key {
    const char *path;                /* "input.seed"; keys of an array's objects go below
                                        "NAME[]", as "strategies[].label" */
    enum pb_key_type type;
    enum pb_key_type item;           /* PB_KEY_LIST: PB_KEY_INT or PB_KEY_NUMBER items take
                                        the range below; anything else is described by doc */
    unsigned flags;                  /* PB_KEY_REQUIRED, PB_KEY_LO_INCLUSIVE */
    long long imin, imax;            /* integers: inclusive range; strings: imax = most bytes
                                        (0: no limit) */
    double lo, hi;                   /* numbers: lower bound, upper bound (0: none) */
    const char *hi_why;              /* said after "X is beyond hi", or NULL */
    double def;                      /* default of an int, number, bool or choice (index) */
    size_t max_items;                /* PB_KEY_LIST: most items, 0 = no limit */
    const char *choices;             /* PB_KEY_CHOICE: "a|b|c" */
    const char *only;                /* the one kind of its object that takes the key (an
                                        input's "powerlaw" keys), or NULL */
    const char *doc;                 /* Markdown: a string's form, an object's or list items'
                                        kind when the fields above cannot say it, or NULL */
    const char *alt;                 /* Markdown: another form the key may take, or NULL */
    const char *def_doc;             /* Markdown: the default when it is not def, or NULL */
    const char *help;                /* Markdown, one line */
};

/* The row of path ("input.seed"), or NULL when no key has that path. */
const struct pb_config_key *pb_config_key_find(const char *path);

/* Number of rows, and row i (i < pb_config_key_count()) in table order. */
size_t pb_config_key_count(void);
const struct pb_config_key *pb_config_key_at(size_t i);

/* The names of the keys directly inside the object at parent ("" = the top level, "input",
 * "strategies[]"), in table order, NULL-terminated, into names[cap]. Returns how many. */
size_t pb_config_key_children(const char *parent, const char **names, size_t cap);

/* The reference of every key, malloc'd (the caller frees it), or NULL when out of memory:
 * markdown 1 gives the table of docs/config.md (header, one row per key), 0 plain text for a terminal
 * (key, type, default, then the help indented below). */
char *pb_config_reference(int markdown);

#endif
