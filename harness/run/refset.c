/* refset.c — which reference checks which run, and the references of one n (see refset.h).
 *
 * An independent reference runs with its strategy's declared defaults and with the largest
 * thread count the config sweeps (its counts do not depend on threads; its time is not
 * measured). Its counts are made in double precision like naive's.
 */
#include "refset.h"

#include "estimate.h"
#include "registry.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define PB_REF_MAX_PARAMS 32         /* declared parameters a reference strategy may have */

void pb_refset_init(struct pb_refset *s)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < PB_REFSET_SLOTS; i++)
        s->ref[i].matrix_fd = -1;
}

void pb_refset_free(struct pb_refset *s)
{
    for (size_t i = 0; i < PB_REFSET_SLOTS; i++)
        if (s->state[i] == 1)
            pb_reference_free(&s->ref[i]);
    pb_refset_init(s);
}

int pb_refset_pick(const struct pb_experiment *e, size_t n, const struct pb_strategy *st)
{
    const struct pb_verify_cfg *v = &e->verify;
    if (v->naive_max_n == 0 || n <= v->naive_max_n)
        return 0;
    for (size_t i = 0; i < v->nreference; i++)
        if (strcmp(v->reference[i]->name, st->name) != 0)
            return (int)i + 1;
    return -1;
}

/* The largest thread count e sweeps (1 for a serial strategy). */
static int reference_threads(const struct pb_experiment *e, const struct pb_strategy *st)
{
    int t = 1;
    for (size_t i = 0; !(st->flags & PB_SERIAL) && i < e->nthreads; i++)
        t = e->threads[i] > t ? e->threads[i] : t;
    return t;
}

/* Makes slot `slot` on p: naive (slot 0), or verify.reference[slot - 1] with its default
 * parameters, within the run's time limit (pb_estimate_reference_timeout_s). */
static void make_slot(struct pb_refset *s, const struct pb_experiment *e,
                      const struct pb_problem *p, int slot)
{
    struct pb_err err;
    int rc;
    if (slot == 0) {
        const struct pb_strategy *naive = pb_registry_find("naive");
        struct pb_params k = { .threads = 1, .ranks = 1 };
        double limit = naive ? pb_estimate_reference_timeout_s(e, p, naive, &k) : 0;
        rc = pb_reference_make_limited(p, naive, &k, limit, &s->ref[0], &err);
    } else {
        const struct pb_strategy *st = e->verify.reference[slot - 1];
        struct pb_kv kv[PB_REF_MAX_PARAMS];
        size_t nkv = 0;
        for (; st->params && st->params[nkv].name && nkv < PB_REF_MAX_PARAMS; nkv++)
            kv[nkv] = (struct pb_kv){ .key = st->params[nkv].name,
                                      .value = st->params[nkv].def ? st->params[nkv].def : "" };
        struct pb_params k = { .threads = reference_threads(e, st), .ranks = 1, .kv = kv,
                               .nkv = nkv };
        rc = pb_reference_make_limited(p, st, &k, pb_estimate_reference_timeout_s(e, p, st, &k),
                                       &s->ref[slot], &err);
    }
    s->state[slot] = rc == 0 ? 1 : rc == -ETIMEDOUT ? -2 : -1;
    if (rc != 0)
        snprintf(s->msg[slot], sizeof s->msg[slot], "%.255s", err.msg);
}

/* Compares every reference made with the first one made; records the first disagreement. */
static void cross_check(struct pb_refset *s)
{
    int first = -1;
    for (int i = 0; i < PB_REFSET_SLOTS && !s->disagree[0]; i++) {
        if (s->state[i] != 1)
            continue;
        if (first < 0) {
            first = i;
            continue;
        }
        char why[256];
        int rc = pb_reference_agree(&s->ref[first], &s->ref[i], why, sizeof why);
        if (rc == 0)
            snprintf(s->disagree, sizeof s->disagree, "%s", why);
        else if (rc < 0)
            snprintf(s->disagree, sizeof s->disagree, "%s and %s cannot be compared: %s",
                     s->ref[first].method, s->ref[i].method, strerror(-rc));
    }
}

/* Makes every reference some strategy of e needs at p->n, then cross-checks them. */
static void make_all(struct pb_refset *s, const struct pb_experiment *e,
                     const struct pb_problem *p)
{
    pb_refset_free(s);
    s->n = p->n;
    s->made = 1;
    for (size_t i = 0; i < e->nstrategies; i++) {
        int slot = pb_refset_pick(e, p->n, e->strategies[i].strategy);
        if (slot >= 0 && s->state[slot] == 0)
            make_slot(s, e, p, slot);
    }
    cross_check(s);
}

int pb_refset_get(struct pb_refset *s, const struct pb_experiment *e, const struct pb_problem *p,
                  const struct pb_strategy *st, const struct pb_reference **ref, char *why,
                  size_t whysize)
{
    int slot = pb_refset_pick(e, p->n, st);
    *ref = NULL;
    if (slot < 0) {
        snprintf(why, whysize, "n %zu > verify.naive_max_n %zu and no verify.reference other "
                 "than %s", p->n, e->verify.naive_max_n, st->name);
        return -ENOENT;
    }
    if (!s->made || s->n != p->n)
        make_all(s, e, p);
    if (s->state[slot] == 0)         /* st is not among e's strategies: make its one alone */
        make_slot(s, e, p, slot);
    if (s->state[slot] < 0) {
        snprintf(why, whysize, "%s", s->msg[slot]);
        return s->state[slot] == -2 ? -ETIMEDOUT : -EIO;
    }
    if (s->disagree[0]) {
        snprintf(why, whysize, "references disagree: %s", s->disagree);
        return -EBADMSG;
    }
    *ref = &s->ref[slot];
    return 0;
}
