/* experiment.h — a config loaded the way bench loads it: read and checked (harness/input), its
 * plugins loaded and its strategies resolved against the registry (harness/strategies). The
 * input stage sees neither the loader nor the registry; this is where the two meet. */
#ifndef PAIRBENCH_EXPERIMENT_H
#define PAIRBENCH_EXPERIMENT_H

#include "config.h"
#include "error.h"

/* Loads the config at path into e (zeroed first): pb_config_read, each of e->plugins loaded
 * (pb_plugin_load) in order, then pb_config_resolve against the registry. On error returns
 * -EINVAL (or -errno for I/O) with one message in err of the form "FILE:LINE:COL: FIELD: what
 * is wrong" (a plugin that fails to load: at its "plugins" entry, with the loader's words);
 * e is then released. Plugins loaded stay loaded, as --plugin's do. */
int pb_experiment_load(const char *path, struct pb_experiment *e, struct pb_err *err);

#endif
