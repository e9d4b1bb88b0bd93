/* experiment.c — bench's config loading (see experiment.h): the input stage's two halves with
 * the plugin loader and the registry between them. */
#include "experiment.h"
#include "plugin.h"
#include "registry.h"

/* The strategies a config may name: the registry, built-in ones and plugins'. */
static const struct pb_strategy_lookup registry_lookup = {
    .find = pb_registry_find,
    .names = pb_registry_names,
};

int pb_experiment_load(const char *path, struct pb_experiment *e, struct pb_err *err)
{
    struct pb_config_doc *doc;
    int rc = pb_config_read(path, e, &doc, err);
    for (size_t i = 0; rc == 0 && i < e->nplugins; i++) {
        struct pb_err perr;
        if (pb_plugin_load(e->plugins[i], &perr) < 0)
            return pb_config_plugin_failed(doc, i, perr.msg);
    }
    return rc ? rc : pb_config_resolve(doc, &registry_lookup);
}
