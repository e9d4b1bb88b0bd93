/* sealed.h — the copy of a run's inputs that its strategy receives, read-only in fact.
 *
 * A strategy gets a struct pb_problem and a struct pb_params by const pointer, but const is a
 * promise the compiler keeps, not the machine: a strategy (a plugin above all) can cast it away
 * and write into the points, the edges or its parameters. Nothing a strategy writes may change
 * what its run is checked against, so the runner hands it a copy in a sealed memfd (F_SEAL_WRITE:
 * no process can write it, mprotect cannot make a mapping of it writable, /proc/PID/mem cannot
 * write through it) mapped read-only at a page-aligned address: the problem and parameter
 * structs themselves, the kv pairs and their strings, the points (double and float) and the
 * edges. The harness's own arrays stay the pristine copy the verdict is computed from.
 *
 * Memory: the harness maps the copy's pages as well, so the run's PSS counts half of them, and
 * the run child drops its inherited view of the harness's points: a run's memory figure holds
 * its input as it did before the copy existed (half of it, shared with the harness).
 *
 * A write into the copy faults (SIGSEGV). The run child arms a handler that records which part
 * the address fell in, in a shared page the harness reads after the run, then lets the signal
 * kill the process as before: the run's status names the part ("crashed: wrote into its input
 * points"). Fork workers inherit the mapping and the handler; exec'd programs get neither (they
 * read the inputs from files the strategy writes).
 */
#ifndef PAIRBENCH_SEALED_H
#define PAIRBENCH_SEALED_H

#include "strategy.h"

#include <stddef.h>

enum pb_sealed_part {
    PB_SEALED_PROBLEM = 0,           /* the struct pb_problem */
    PB_SEALED_PARAMS,                /* the struct pb_params, its kv pairs and their strings */
    PB_SEALED_POINTS,                /* x, y, z and xf, yf, zf */
    PB_SEALED_EDGES,                 /* the nbins + 1 edges */
    PB_SEALED_NPARTS
};

struct pb_sealed {
    char *base;                      /* the read-only mapping (NULL: none), page aligned */
    size_t bytes;                    /* its length */
    size_t end[PB_SEALED_NPARTS];    /* offset just past each part; parts lie in enum order */
    int *fault;                      /* shared page: 1 + the part a write hit, 0 none */
    const struct pb_problem *p;      /* the problem as the strategy sees it, inside base */
    const struct pb_params *k;       /* its parameters, inside base */
};

/* Copies p and k (everything they point to) into a sealed memfd mapped read-only in this
 * process, so that a child forked afterwards inherits it; s->p and s->k point into it. The
 * caller keeps p and k, the pristine copy. Returns 0 or -errno (s left empty). */
int pb_sealed_make(struct pb_sealed *s, const struct pb_problem *p, const struct pb_params *k);

/* In the run child, before the strategy call: maps every page of s (so that the call and the
 * memory floor find the input mapped, as inherited arrays are), and arms a SIGSEGV handler that
 * records in s->fault which part of s a faulting address lies in, then lets the signal take its
 * default action. Returns 0 or -errno. */
int pb_sealed_arm(const struct pb_sealed *s);

/* In the run child, before the strategy call: drops the child's view of p's point arrays (the
 * harness's pristine copy, inherited at fork), whole pages only, so that the run's memory
 * figure counts its input once, in the sealed copy, as it counted the inherited arrays before
 * there was a copy. Nothing in the child may read p's points afterwards. */
void pb_sealed_drop_original(const struct pb_problem *p);

/* The name of the part a write was caught in ("points", "edges", "parameters", "problem"), or
 * NULL when none was. */
const char *pb_sealed_written(const struct pb_sealed *s);

/* Unmaps what pb_sealed_make mapped and sets s empty. */
void pb_sealed_free(struct pb_sealed *s);

#endif
