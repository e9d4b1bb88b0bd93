/* plugin.c — dlopen a strategy library and register what it exports.
 *
 * A plugin built against another strategy.h may lay its structs out differently, so every
 * entry's abi_version (the first field, where every version keeps it) is checked before
 * anything else in it is read, and before any entry is registered. */
#include "plugin.h"
#include "registry.h"

#include <dlfcn.h>
#include <errno.h>

/* Checks that list is non-empty and that every entry was built for this bench's ABI.
 * Returns 0 or -EINVAL with err naming the plugin, the entry and both versions. */
static int check_list(const char *path, const struct pb_strategy *const *list, struct pb_err *err)
{
    if (!list[0])
        return pb_fail(err, -EINVAL, "plugin %s: pb_plugin_strategies lists no strategy", path);
    for (size_t i = 0; list[i]; i++)
        if (list[i]->abi_version != PB_STRATEGY_ABI)
            return pb_fail(err, -EINVAL, "plugin %s: strategy #%zu was built for strategy ABI "
                           "version %d, this bench expects version %d: rebuild the plugin "
                           "against this bench's strategy.h", path, i, list[i]->abi_version,
                           PB_STRATEGY_ABI);
    return 0;
}

int pb_plugin_load(const char *path, struct pb_err *err)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return pb_fail(err, -EINVAL, "plugin %s: %s", path, dlerror());
    (void)dlerror();                  /* clear, so a NULL from dlsym is explained by it */
    const struct pb_strategy *const *list = dlsym(h, "pb_plugin_strategies");
    if (!list) {
        const char *why = dlerror();
        pb_fail(err, -EINVAL, "plugin %s: does not export pb_plugin_strategies (%s)", path,
                why ? why : "the symbol is NULL");
        dlclose(h);
        return -EINVAL;
    }
    int rc = check_list(path, list, err);
    if (rc) {
        dlclose(h);
        return rc;
    }
    /* From here the library stays loaded: a registered entry points into it. */
    for (size_t i = 0; list[i]; i++) {
        struct pb_err e;
        if (pb_registry_add(list[i], &e) < 0)
            return pb_fail(err, -EINVAL, "plugin %s: %s: %s", path,
                           list[i]->name ? list[i]->name : "(unnamed)", e.msg);
    }
    return 0;
}
