/* registry.h — the strategies bench knows: the built-in table generated from the kernels/ files, plus
 * any added at run time (plugins, test-only strategies). */
#ifndef PAIRBENCH_REGISTRY_H
#define PAIRBENCH_REGISTRY_H

#include "error.h"
#include "label.h"
#include "strategy.h"

#include <stddef.h>

/* The generated, NULL-terminated table of built-in strategies. */
extern const struct pb_strategy *const pb_builtin_strategies[];

/* Checks s without adding it: this ABI version, a run function, a name that is a valid label
 * (1 to PB_LABEL_MAX - 1 bytes of [A-Za-z0-9_.-], not starting with '-', so that it can name
 * CSV rows and files and no spreadsheet reads it as a formula), not already taken. Returns 0
 * or -EINVAL with e saying what is wrong. */
int pb_registry_check(const struct pb_strategy *s, struct pb_err *e);

/* Adds s (not copied: it must outlive the registry) after pb_registry_check. Returns 0 or
 * -EINVAL with e filled. */
int pb_registry_add(const struct pb_strategy *s, struct pb_err *e);

/* pb_registry_add for a strategy that came from the file origin (a plugin's path, kept as a
 * pointer: it must outlive the registry), which --list shows. */
int pb_registry_add_from(const struct pb_strategy *s, const char *origin, struct pb_err *e);

/* The file the i-th strategy came from (pb_registry_add_from), or NULL for a built-in one or
 * one added without an origin. */
const char *pb_registry_origin(size_t i);

/* The strategy called name, or NULL. */
const struct pb_strategy *pb_registry_find(const char *name);

/* Number of strategies known, and the i-th of them (built-ins first, in file-name order). */
size_t pb_registry_count(void);
const struct pb_strategy *pb_registry_get(size_t i);

/* Writes the known names as "a, b, c" into buf (for "unknown strategy" messages), ending
 * with "…" when they do not all fit. */
void pb_registry_names(char *buf, size_t size);

#endif
