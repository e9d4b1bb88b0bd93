/* plugin.h — strategies from shared libraries built outside this tree against strategy.h.
 * A plugin exports `const struct pb_strategy *const pb_plugin_strategies[]`, NULL-terminated. */
#ifndef PAIRBENCH_PLUGIN_H
#define PAIRBENCH_PLUGIN_H

#include "error.h"

/* Loads the library at path and registers each strategy it exports. A missing file or symbol
 * gives dlerror's words; a wrong ABI version names the plugin and both versions. The library
 * stays loaded for the life of the process. Returns 0 or -EINVAL with err filled. */
int pb_plugin_load(const char *path, struct pb_err *err);

#endif
