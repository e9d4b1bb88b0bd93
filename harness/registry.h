/* registry.h — the strategies bench knows: the built-in table generated from the kernels/ files, plus
 * any added at run time (plugins, test-only strategies). */
#ifndef PAIRBENCH_REGISTRY_H
#define PAIRBENCH_REGISTRY_H

#include "error.h"
#include "strategy.h"

#include <stddef.h>

/* The generated, NULL-terminated table of built-in strategies. */
extern const struct pb_strategy *const pb_builtin_strategies[];

/* Adds s (not copied: it must outlive the registry). Refuses a wrong ABI version, a missing
 * name or run function, or a name already taken. Returns 0 or -EINVAL with e filled. */
int pb_registry_add(const struct pb_strategy *s, struct pb_err *e);

/* The strategy called name, or NULL. */
const struct pb_strategy *pb_registry_find(const char *name);

/* Number of strategies known, and the i-th of them (built-ins first, in file-name order). */
size_t pb_registry_count(void);
const struct pb_strategy *pb_registry_get(size_t i);

/* Writes the known names as "a, b, c" into buf (for "unknown strategy" messages). */
void pb_registry_names(char *buf, size_t size);

#endif
