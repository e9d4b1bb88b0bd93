/* plugin.h — strategies from shared libraries built outside this tree against strategy.h.
 * A plugin exports `const struct pb_strategy *const pb_plugin_strategies[]`, NULL-terminated,
 * and (every file that includes strategy.h defines it) `pb_plugin_build_info`, how it was
 * compiled. Each library loaded is recorded with its identity, for NAME.json and the report. */
#ifndef PAIRBENCH_PLUGIN_H
#define PAIRBENCH_PLUGIN_H

#include "error.h"
#include "fileid.h"

#include <limits.h>
#include <stddef.h>

/* One loaded library: which file, and how it was built. */
struct pb_plugin_id {
    char path[PATH_MAX];             /* as given (--plugin, or the config's entry resolved) */
    char real[PATH_MAX];             /* the file dlopen loaded, canonical */
    unsigned long long dev, ino;     /* that file: the same library is loaded once */
    struct pb_file_id file;          /* its size, mtime and FNV-1a 64 hash when loaded */
    int has_build;                   /* 1: it exports pb_plugin_build_info (fields below) */
    int optimized;                   /* 1: compiled with optimisation (__OPTIMIZE__) */
    int isa;                         /* enum pb_build_isa it was compiled for */
    int fast_math;                   /* 1: compiled with -ffast-math */
    char compiler[128];              /* its __VERSION__ */
    char strategies[512];            /* the names it registered, "a b" */
    char warning[512];               /* why its times may not compare with the built-in
                                        strategies' (unoptimised, lower ISA, unknown); "" */
};

/* Loads the library at path and registers each strategy it exports. A library already loaded
 * (the same file: device and inode, or real path) is not loaded again: 0, nothing added. A
 * missing file or symbol gives dlerror's words; a wrong ABI version names the plugin and both
 * versions. The library stays loaded for the life of the process. Returns 0 or -EINVAL with
 * err filled. */
int pb_plugin_load(const char *path, struct pb_err *err);

/* Number of libraries loaded, and the i-th of them in load order (NULL past the end). */
size_t pb_plugin_count(void);
const struct pb_plugin_id *pb_plugin_get(size_t i);

/* The name of an enum pb_build_isa value: "sse2", "avx", "avx2", "avx512", "other". */
const char *pb_plugin_isa_name(int isa);

/* How this bench's own files (the built-in kernels) were compiled: the yardstick a plugin's
 * build is judged by. */
void pb_plugin_builtin_build(int *optimized, int *isa);

#endif
