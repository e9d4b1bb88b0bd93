/* strategies.h — strategies that exist only for the tests: they crash, hang, leak, fail, lie and
 * allocate on purpose. Tests register the ones they need with pb_registry_add; bench never
 * links them. Each records what the test must check afterwards (pids, paths) by appending lines
 * to the file named by its "record" parameter, since the run's own tmpdir is gone by then. */
#ifndef PAIRBENCH_TEST_STRATEGIES_H
#define PAIRBENCH_TEST_STRATEGIES_H

#include "strategy.h"

#include <stdio.h>
#include <stdlib.h>

extern const struct pb_strategy pb_test_strategy_crash;       /* "test-crash": SIGSEGV */
extern const struct pb_strategy pb_test_strategy_abort;       /* "test-abort": abort() */
extern const struct pb_strategy pb_test_strategy_hang;        /* "test-hang": sleeps forever */
extern const struct pb_strategy pb_test_strategy_hang_child;  /* "test-hang-child": a child in
                                                                 its own session hangs too */
extern const struct pb_strategy pb_test_strategy_leak;        /* "test-leak": temp file + POSIX
                                                                 shm object, then SIGSEGV */
extern const struct pb_strategy pb_test_strategy_error;       /* "test-error": -EIO with a note */
extern const struct pb_strategy pb_test_strategy_wrong;       /* "test-wrong": naive's answer,
                                                                 one entry off */
extern const struct pb_strategy pb_test_strategy_alloc;       /* "test-alloc": known memory in
                                                                 the parent and in children */
extern const struct pb_strategy pb_test_strategy_spin;        /* "test-spin": burns cpu_ms of
                                                                 its own CPU time */
extern const struct pb_strategy pb_test_strategy_scribble;    /* "test-scribble": writes into
                                                                 its input, answers wrong */

/* The parameter every recording test strategy declares. */
#define PBTS_RECORD_PARAM { .name = "record", .def = "", .help = "file to append pids/paths to" }

/* Appends one formatted line to the file named by prm's "record" parameter (when set). */
static inline void pbts_record(const struct pb_params *prm, const char *fmt, const char *s, long v)
{
    const char *path = pb_param(prm, "record");
    FILE *f = path && *path ? fopen(path, "a") : NULL;
    if (!f)
        return;
    fprintf(f, fmt, s, v);
    fclose(f);
}

/* k's parameter key as a non-negative integer, or def when unset. */
static inline long pbts_long(const struct pb_params *prm, const char *key, long def)
{
    const char *v = pb_param(prm, key);
    return v && *v ? strtol(v, NULL, 10) : def;
}

#endif
