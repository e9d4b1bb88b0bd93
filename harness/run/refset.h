/* refset.h — the references that check the runs at one n. Up to verify.naive_max_n that is naive,
 * as always; above it, where naive would take too long, the independent in-process strategies
 * that verify.reference names: a run of strategy S is checked by the first listed one that is
 * not S, so no run is ever checked by itself. Every reference some strategy needs at an n is made
 * when the first run at that n asks (lazily, in the reference child of verify.c), and when two or
 * more were made they are compared with each other: if they disagree, no run at that n verifies.
 */
#ifndef PAIRBENCH_REFSET_H
#define PAIRBENCH_REFSET_H

#include "config.h"
#include "verify.h"

#define PB_REFSET_SLOTS (PB_VERIFY_MAX_REFERENCES + 1)

struct pb_refset {
    size_t n;                        /* the n the slots hold references for */
    int made;                        /* 1 once the references for n were attempted */
    struct pb_reference ref[PB_REFSET_SLOTS];  /* [0] naive, [1 + i] verify.reference[i] */
    int state[PB_REFSET_SLOTS];      /* 0 not needed, 1 made, -1 failed, -2 timed out (msg
                                        says why) */
    char msg[PB_REFSET_SLOTS][256];  /* why a reference could not be made */
    char disagree[256];              /* "" or how the references made at n disagree */
};

/* Sets s empty (nothing made). */
void pb_refset_init(struct pb_refset *s);

/* Releases every reference s holds and sets it empty. */
void pb_refset_free(struct pb_refset *s);

/* The slot that checks a run of strategy st at n under e: 0 (naive) when n <= naive_max_n or no
 * limit is set, 1 + i for verify.reference[i], or -1 when no listed reference differs from st. */
int pb_refset_pick(const struct pb_experiment *e, size_t n, const struct pb_strategy *st);

/* The reference that checks a run of strategy st on p (p->n > 0), making the references for
 * p->n first when s holds another n; each is made within the run's time limit (timeout_s, or
 * the default derived from its estimate: pb_estimate_reference_timeout_s). Returns 0 with *ref
 * set, or a negative errno with why filled and *ref NULL: -ENOENT no independent reference for
 * st, -EIO its reference could not be made, -ETIMEDOUT it was killed at the time limit ("reference
 * timed out ..."), -EBADMSG the references made at this n disagree. */
int pb_refset_get(struct pb_refset *s, const struct pb_experiment *e, const struct pb_problem *p,
                  const struct pb_strategy *st, const struct pb_reference **ref, char *why,
                  size_t whysize);

#endif
