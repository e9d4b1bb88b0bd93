/* plugin.c — dlopen a strategy library and register what it exports. */
#include "plugin.h"
#include "registry.h"

#include <dlfcn.h>
#include <errno.h>

int pb_plugin_load(const char *path, struct pb_err *err)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return pb_fail(err, -EINVAL, "plugin %s: %s", path, dlerror());
    const struct pb_strategy *const *list = dlsym(h, "pb_plugin_strategies");
    if (!list)
        return pb_fail(err, -EINVAL, "plugin %s: does not export pb_plugin_strategies: %s",
                       path, dlerror());
    for (size_t i = 0; list[i]; i++) {
        struct pb_err e;
        if (pb_registry_add(list[i], &e) < 0)
            return pb_fail(err, -EINVAL, "plugin %s: %s: %s", path,
                           list[i]->name ? list[i]->name : "(unnamed)", e.msg);
    }
    return 0;
}
