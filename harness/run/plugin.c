/* plugin.c — dlopen a strategy library and register what it exports.
 *
 * A plugin is code written elsewhere, and what it hands over is checked before it is trusted:
 * pb_plugin_strategies must be a data symbol (an array of pointers, NULL-terminated within its
 * size), and every pointer read through it — the entries, their names, summaries, parameter
 * tables and functions — must point into a loaded object's image (the plugin's own static data
 * and code, as `const struct pb_strategy *const pb_plugin_strategies[]` gives), so a wrong type
 * or a wild pointer is refused with a message instead of a crash. A plugin built against
 * another strategy.h may lay its structs out differently, so every entry's abi_version (the
 * first field, where every version keeps it) is checked before anything else in it is read,
 * and every entry is checked before any is registered. Names must be valid labels. */
#include "plugin.h"
#include "registry.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#define PB_PLUGIN_MAX_ENTRIES 64     /* strategies one plugin may list */
#define PB_PLUGIN_MAX_PARAMS 64      /* parameters one strategy may declare */
#define PB_PLUGIN_MAX_TEXT 4096      /* longest summary, help or default text */
#define PB_PAGE 4096                 /* granularity of the image check */

/* 1 when the len (> 0) bytes at p lie inside the images of loaded objects (the program or a
 * library: their mapped segments), checked page by page; 0 for NULL or anything else. */
static int in_image(const void *p, size_t len)
{
    Dl_info info;
    uintptr_t a = (uintptr_t)p, end = a + len;
    if (!p || !len || end < a)
        return 0;
    for (uintptr_t q = a; q < end; q = (q | (PB_PAGE - 1)) + 1)
        if (!dladdr((const void *)q, &info) || !info.dli_fbase)
            return 0;
    return dladdr((const void *)(end - 1), &info) != 0;
}

/* Length of the NUL-terminated string at s when every byte up to its end lies in an image and
 * it is shorter than max; -1 otherwise. */
static long image_strlen(const char *s, size_t max)
{
    for (size_t i = 0; i < max; i++) {
        if ((i == 0 || ((uintptr_t)(s + i) & (PB_PAGE - 1)) == 0) && !in_image(s + i, 1))
            return -1;
        if (!s[i])
            return (long)i;
    }
    return -1;
}

/* 1 when s is NULL (allowed when optional) or a readable string shorter than max, of
 * printable UTF-8: `bench --list` prints it on a terminal. */
static int text_ok(const char *s, int optional, size_t max)
{
    return s ? image_strlen(s, max) >= 0 && pb_safe_text_ok(s) : optional;
}

/* Checks the parameter table of entry i: readable entries, readable strings. */
static int check_params(const char *path, size_t i, const struct pb_param_spec *ps,
                        struct pb_err *err)
{
    for (size_t k = 0; ps; k++) {
        if (k == PB_PLUGIN_MAX_PARAMS || !in_image(&ps[k], sizeof ps[k]))
            return pb_fail(err, -EINVAL, "plugin %s: strategy #%zu: its parameter table is not "
                           "readable or not NULL-terminated within %d entries", path, i,
                           PB_PLUGIN_MAX_PARAMS);
        if (!ps[k].name)
            return 0;
        if (!text_ok(ps[k].name, 0, 64) || !text_ok(ps[k].def, 1, PB_PLUGIN_MAX_TEXT) ||
            !text_ok(ps[k].choices, 1, PB_PLUGIN_MAX_TEXT) ||
            !text_ok(ps[k].help, 1, PB_PLUGIN_MAX_TEXT))
            return pb_fail(err, -EINVAL, "plugin %s: strategy #%zu: parameter #%zu holds a "
                           "pointer that is not a readable string of printable UTF-8 and "
                           "bounded length", path, i, k);
    }
    return 0;
}

/* Checks entry i (s, read from the list): readable, this ABI, then its fields. */
static int check_entry(const char *path, size_t i, const struct pb_strategy *s,
                       struct pb_err *err)
{
    if (!in_image(s, sizeof s->abi_version))
        return pb_fail(err, -EINVAL, "plugin %s: strategy #%zu is not a pointer to a struct "
                       "pb_strategy in a loaded image (%p)", path, i, (const void *)s);
    if (s->abi_version != PB_STRATEGY_ABI)
        return pb_fail(err, -EINVAL, "plugin %s: strategy #%zu was built for strategy ABI "
                       "version %d, this bench expects version %d: rebuild the plugin "
                       "against this bench's strategy.h", path, i, s->abi_version,
                       PB_STRATEGY_ABI);
    if (!in_image(s, sizeof *s))
        return pb_fail(err, -EINVAL, "plugin %s: strategy #%zu is cut short: not a whole "
                       "struct pb_strategy", path, i);
    if (!text_ok(s->name, 0, PB_PLUGIN_MAX_TEXT) || !text_ok(s->summary, 1, PB_PLUGIN_MAX_TEXT))
        return pb_fail(err, -EINVAL, "plugin %s: strategy #%zu: its name or summary is not a "
                       "readable string of printable UTF-8", path, i);
    if (!s->run || !in_image((const void *)(uintptr_t)s->run, 1) ||
        (s->extra_bytes && !in_image((const void *)(uintptr_t)s->extra_bytes, 1)))
        return pb_fail(err, -EINVAL, "plugin %s: strategy #%zu (%s): its run or extra_bytes "
                       "function is not in a loaded image", path, i, s->name);
    return check_params(path, i, s->params, err);
}

/* Checks that sym (the address of pb_plugin_strategies) is a data object of pointers, and
 * returns in *max how many slots it may hold (its size, or the cap when the size is unknown). */
static int check_symbol(const char *path, const void *sym, size_t *max, struct pb_err *err)
{
    Dl_info info;
    const ElfW(Sym) *es = NULL;
    *max = PB_PLUGIN_MAX_ENTRIES + 1;
    if (!dladdr1(sym, &info, (void **)&es, RTLD_DL_SYMENT) || !es || info.dli_saddr != sym)
        return 0;                    /* no symbol table entry to judge by: slots are checked */
    if (ELF64_ST_TYPE(es->st_info) != STT_OBJECT)
        return pb_fail(err, -EINVAL, "plugin %s: pb_plugin_strategies is not an array (a %s "
                       "symbol): it must be `const struct pb_strategy *const "
                       "pb_plugin_strategies[]`, NULL-terminated", path,
                       ELF64_ST_TYPE(es->st_info) == STT_FUNC ? "function" : "non-data");
    if (es->st_size && es->st_size / sizeof(void *) < *max)
        *max = es->st_size / sizeof(void *);
    return 0;
}

/* Checks that list is a non-empty, NULL-terminated array of valid entries of this ABI.
 * Returns 0 or -EINVAL with err naming the plugin, the entry and what is wrong. */
static int check_list(const char *path, const struct pb_strategy *const *list, struct pb_err *err)
{
    size_t max;
    int rc = check_symbol(path, list, &max, err);
    for (size_t i = 0; !rc; i++) {
        if (i == max || !in_image(&list[i], sizeof list[i]))
            return pb_fail(err, -EINVAL, "plugin %s: pb_plugin_strategies is not a "
                           "NULL-terminated array of at most %d strategies", path,
                           PB_PLUGIN_MAX_ENTRIES);
        if (!list[i])
            return i ? 0 : pb_fail(err, -EINVAL, "plugin %s: pb_plugin_strategies lists no "
                                   "strategy", path);
        rc = check_entry(path, i, list[i], err);
    }
    return rc;
}

int pb_plugin_load(const char *path, struct pb_err *err)
{
    struct stat st;                   /* a FIFO would block dlopen's open for a writer */
    if (strchr(path, '/') && stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return pb_fail(err, -EINVAL, "plugin %s: not a regular file", path);
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
    struct pb_err e;
    int rc = check_list(path, list, err);
    for (size_t i = 0; !rc && list[i]; i++)
        if (pb_registry_check(list[i], &e) < 0)
            rc = pb_fail(err, -EINVAL, "plugin %s: strategy #%zu: %s", path, i, e.msg);
    if (rc) {
        dlclose(h);
        return rc;
    }
    /* From here the library stays loaded: a registered entry points into it. */
    for (size_t i = 0; list[i]; i++) {
        if (pb_registry_add(list[i], &e) < 0)
            return pb_fail(err, -EINVAL, "plugin %s: %s: %s", path, list[i]->name, e.msg);
    }
    return 0;
}
