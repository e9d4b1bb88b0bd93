/* scribble.c — a strategy that answers wrong (test-wrong's answer: naive's with one entry
 * off), then writes into the input it was given. A strategy must
 * never be able to change what its verdict is computed from, so the run must fail whatever the
 * write would have done to the check. */
#include "strategies.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct pb_param_spec params[] = {
    { .name = "into", .def = "points", .choices = "points|edges|params|problem|none",
      .help = "what to write into (none: only the wrong answer)" },
    { .name = "unprotect", .def = "0", .help = "1: first try to make the pages writable" },
    { .name = "worker", .def = "0", .help = "1: the write is done by a forked worker" },
    { 0 },
};

/* The address the "into" parameter names, or NULL for none. */
static void *target(const struct pb_problem *p, const struct pb_params *prm)
{
    const char *into = pb_param(prm, "into");
    if (strcmp(into, "points") == 0)
        return (void *)p->x;
    if (strcmp(into, "edges") == 0)
        return (void *)p->edges;
    if (strcmp(into, "params") == 0)
        return (void *)prm->kv[0].value;
    if (strcmp(into, "problem") == 0)
        return (void *)&p->box;
    return NULL;
}

/* Writes 1e150 at t (a double) or 'X' (a parameter string), after mprotect when asked. */
static void scribble(void *t, const struct pb_params *prm)
{
    if (pbts_long(prm, "unprotect", 0)) {
        uintptr_t page = (uintptr_t)t & ~(uintptr_t)(sysconf(_SC_PAGESIZE) - 1);
        mprotect((void *)page, (size_t)sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE);
    }
    if (t == (void *)prm->kv[0].value)
        *(volatile char *)t = 'X';
    else
        *(volatile double *)t = 1e150;   /* the coordinate scale a float check would read */
}

/* Writes into the input (in this process, or in a forked worker it waits for). Returns 0, or
 * -ECHILD when the worker died. */
static int write_input(const struct pb_problem *p, const struct pb_params *prm,
                       struct pb_output *out)
{
    void *t = target(p, prm);
    if (!t)
        return 0;
    if (!pbts_long(prm, "worker", 0)) {
        scribble(t, prm);
        return 0;
    }
    pid_t w = fork();
    if (w == 0) {
        scribble(t, prm);
        _exit(0);
    }
    int st = 0;
    if (w < 0 || waitpid(w, &st, 0) != w || !WIFEXITED(st))
        return snprintf(out->note, sizeof out->note, "worker died"), -ECHILD;
    return 0;
}

/* Answers as test-wrong does, then writes into the input, as a check computed from the input
 * after the call would see it. Returns test-wrong's code or write_input's. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    int rc = pb_test_strategy_wrong.run(p, prm, out);
    return rc ? rc : write_input(p, prm, out);
}

const struct pb_strategy pb_test_strategy_scribble = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "test-scribble",
    .summary = "writes into its input, then answers wrong",
    .params = params,
    .run = run,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_TILE },
};
