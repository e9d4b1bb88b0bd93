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
 * and every entry is checked before any is registered. Names must be valid labels.
 *
 * Each library loaded is recorded (struct pb_plugin_id): the file (real path, device and
 * inode, size, mtime, hash) and how it was compiled (its pb_plugin_build_info), with a warning
 * when that build cannot be compared fairly with the built-in kernels. The same file named
 * twice (by --plugin and by the config) is loaded once. */
#include "plugin.h"
#include "registry.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PB_PLUGIN_MAX_ENTRIES 64     /* strategies one plugin may list */
#define PB_PLUGIN_MAX_PARAMS 64      /* parameters one strategy may declare */
#define PB_PLUGIN_MAX_TEXT 4096      /* longest summary, help or default text */
#define PB_PAGE 4096                 /* granularity of the image check */
#define PB_PLUGIN_MAX 32             /* libraries one process may load */

static struct pb_plugin_id loaded[PB_PLUGIN_MAX];  /* every library loaded, in load order */
static size_t nloaded;

/* How this file, compiled like the built-in kernels, was compiled. */
static const struct pb_build_info builtin_build = PB_BUILD_INFO_INIT;

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

size_t pb_plugin_count(void)
{
    return nloaded;
}

const struct pb_plugin_id *pb_plugin_get(size_t i)
{
    return i < nloaded ? &loaded[i] : NULL;
}

const char *pb_plugin_isa_name(int isa)
{
    static const char *const names[] = {
        [PB_ISA_OTHER] = "other", [PB_ISA_SSE2] = "sse2", [PB_ISA_AVX] = "avx",
        [PB_ISA_AVX2] = "avx2", [PB_ISA_AVX512] = "avx512",
    };
    return isa >= 0 && (size_t)isa < sizeof names / sizeof names[0] ? names[isa] : "other";
}

void pb_plugin_builtin_build(int *optimized, int *isa)
{
    *optimized = builtin_build.optimized;
    *isa = builtin_build.isa;
}

/* The loaded library that is the same file as id (device and inode, or real path), or NULL. */
static const struct pb_plugin_id *find_loaded(const struct pb_plugin_id *id)
{
    for (size_t i = 0; i < nloaded; i++)
        if (loaded[i].real[0] && ((loaded[i].dev == id->dev && loaded[i].ino == id->ino) ||
                                  strcmp(loaded[i].real, id->real) == 0))
            return &loaded[i];
    return NULL;
}

/* Fills id's file fields from file (the path dlopen loaded, or the one given): real path,
 * device, inode, size, mtime and hash. Returns 0, or -errno when it cannot be read. */
static int identify_file(const char *file, struct pb_plugin_id *id)
{
    struct stat st;
    if (!realpath(file, id->real) || stat(id->real, &st) != 0)
        return -errno;
    id->dev = (unsigned long long)st.st_dev;
    id->ino = (unsigned long long)st.st_ino;
    return pb_file_identify(id->real, &id->file);
}

/* The file dlopen loaded for handle h (a bare name is searched for), or NULL. */
static const char *loaded_file(void *h)
{
    struct link_map *lm = NULL;
    return dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm && lm->l_name[0] ? lm->l_name : NULL;
}

/* Reads the library's pb_plugin_build_info into id when it exports a readable one of this
 * ABI; leaves has_build 0 otherwise. */
static void read_build(void *h, struct pb_plugin_id *id)
{
    const struct pb_build_info *b = dlsym(h, "pb_plugin_build_info");
    if (!b || !in_image(b, sizeof *b) || b->abi_version != PB_STRATEGY_ABI ||
        !text_ok(b->compiler, 0, PB_PLUGIN_MAX_TEXT))
        return;
    id->has_build = 1;
    id->optimized = b->optimized;
    id->isa = b->isa;
    id->fast_math = b->fast_math;
    snprintf(id->compiler, sizeof id->compiler, "%s", b->compiler);
}

/* Says in id->warning why the library's times may not be comparable with the built-in
 * kernels': no build record, no optimisation, a lower ISA, or -ffast-math. */
static void judge_build(struct pb_plugin_id *id)
{
    size_t len = 0, cap = sizeof id->warning;
    char *w = id->warning;
    w[0] = '\0';
    if (!id->has_build) {
        snprintf(w, cap, "records no build information (pb_plugin_build_info): how it was "
                 "compiled is unknown");
        return;
    }
    if (!id->optimized && builtin_build.optimized)
        len += (size_t)snprintf(w + len, cap - len, "built without optimisation (-O0), the "
                                "built-in kernels with it");
    if (id->isa < builtin_build.isa && len < cap)
        len += (size_t)snprintf(w + len, cap - len, "%scompiled for %s, the built-in kernels "
                                "for %s", len ? "; " : "", pb_plugin_isa_name(id->isa),
                                pb_plugin_isa_name(builtin_build.isa));
    if (id->fast_math && len < cap)
        snprintf(w + len, cap - len, "%scompiled with -ffast-math", len ? "; " : "");
}

/* Checks the library at h (loaded from id->path) and registers its strategies under
 * id->path. Returns 0 or -EINVAL with err; on failure nothing is registered. */
static int register_all(void *h, struct pb_plugin_id *id, struct pb_err *err)
{
    const char *path = id->path;
    (void)dlerror();                  /* clear, so a NULL from dlsym is explained by it */
    const struct pb_strategy *const *list = dlsym(h, "pb_plugin_strategies");
    if (!list) {
        const char *why = dlerror();
        return pb_fail(err, -EINVAL, "plugin %s: does not export pb_plugin_strategies (%s)",
                       path, why ? why : "the symbol is NULL");
    }
    struct pb_err e;
    int rc = check_list(path, list, err);
    for (size_t i = 0; !rc && list[i]; i++)
        if (pb_registry_check(list[i], &e) < 0)
            rc = pb_fail(err, -EINVAL, "plugin %s: strategy #%zu: %s", path, i, e.msg);
    for (size_t i = 0, len = 0; !rc && list[i]; i++) {
        if (pb_registry_add_from(list[i], id->path, &e) < 0)
            return pb_fail(err, -EINVAL, "plugin %s: %s: %s", path, list[i]->name, e.msg);
        if (len < sizeof id->strategies)
            len += (size_t)snprintf(id->strategies + len, sizeof id->strategies - len, "%s%s",
                                    i ? " " : "", list[i]->name);
    }
    return rc;
}

int pb_plugin_load(const char *path, struct pb_err *err)
{
    struct stat st;                   /* a FIFO would block dlopen's open for a writer */
    if (strchr(path, '/') && stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return pb_fail(err, -EINVAL, "plugin %s: not a regular file", path);
    if (nloaded == PB_PLUGIN_MAX)
        return pb_fail(err, -EINVAL, "plugin %s: too many plugins (at most %d)", path,
                       PB_PLUGIN_MAX);
    struct pb_plugin_id *id = &loaded[nloaded];
    *id = (struct pb_plugin_id){ .dev = 0 };
    snprintf(id->path, sizeof id->path, "%s", path);
    if (strchr(path, '/') && identify_file(path, id) == 0 && find_loaded(id))
        return 0;                     /* the same file, named again: loaded once */
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return pb_fail(err, -EINVAL, "plugin %s: %s", path, dlerror());
    const char *file = loaded_file(h);
    if (identify_file(file ? file : path, id) == 0 && find_loaded(id)) {
        dlclose(h);                   /* drops the reference this call took */
        return 0;
    }
    int rc = register_all(h, id, err);
    if (rc) {
        if (!id->strategies[0])       /* nothing of it registered: safe to unload */
            dlclose(h);
        return rc;
    }
    /* From here the library stays loaded: a registered entry points into it. */
    read_build(h, id);
    judge_build(id);
    nloaded++;
    return 0;
}
