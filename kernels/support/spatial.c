/* spatial.c — the code of spatial.h compiled once: the copy's mapping, the parameter parser,
 * the task list and the count phase. */
#include "spatial.h"

#include <stdio.h>
#include <sys/mman.h>

enum { PB_HUGE_PAGE = 2 << 20 };     /* transparent huge page size on x86-64 */

int pb_spatial_copy_alloc(struct pb_spatial_copy *c, const struct pb_problem *p, size_t elem)
{
    size_t bytes = 3 * (p->n ? p->n : 1) * elem;
    memset(c, 0, sizeof *c);
    c->map_bytes = bytes + PB_HUGE_PAGE;
    c->map = mmap(NULL, c->map_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                  0);
    if (c->map == MAP_FAILED) {
        c->map = NULL;
        return -ENOMEM;
    }
    uintptr_t at = ((uintptr_t)c->map + PB_HUGE_PAGE - 1) & ~(uintptr_t)(PB_HUGE_PAGE - 1);
    c->mem = (void *)at;
#ifdef MADV_HUGEPAGE
    (void)madvise(c->mem, bytes, MADV_HUGEPAGE);          /* advisory */
#endif
    pb_populate(c->mem, 0, bytes);        /* one call, not a fault a page while writing */
    c->q = *p;
    c->q.x = c->q.y = c->q.z = NULL;
    c->q.xf = c->q.yf = c->q.zf = NULL;
    if (elem == sizeof(double)) {
        double *d = c->mem;
        c->q.x = d, c->q.y = d + p->n, c->q.z = d + 2 * p->n;
    } else {
        float *f = c->mem;
        c->q.xf = f, c->q.yf = f + p->n, c->q.zf = f + 2 * p->n;
    }
    return 0;
}

void pb_spatial_copy_free(struct pb_spatial_copy *c)
{
    if (c->map)
        munmap(c->map, c->map_bytes);
    memset(c, 0, sizeof *c);
}

int pb_spatial_scale(const struct pb_problem *p, double *scale)
{
    const double *c[3] = { p->x, p->y, p->z };
    int finite = 1;
    double m = 0;
    for (int a = 0; a < 3; a++)
        for (size_t i = 0; i < p->n; i++) {
            double v = fabs(c[a][i]);
            finite &= isfinite(v);
            m = v > m ? v : m;
        }
    *scale = m;
    return finite ? 0 : -EDOM;
}

int pb_spatial_param_int(const struct pb_params *prm, const char *key, long def, long min,
                         long max, const char *who, long *out, struct pb_output *o)
{
    const char *v = pb_param(prm, key);
    char *end = NULL;
    errno = 0;
    long x = v ? strtol(v, &end, 10) : def;
    if (v && (end == v || *end != '\0' || errno == ERANGE || x < min || x > max)) {
        snprintf(o->note, sizeof o->note, "%s: %s: expected an integer from %ld to %ld, got '%s'",
                 who, key, min, max, v);
        return -EINVAL;
    }
    *out = x;
    return 0;
}

/* Room for one more task in l. Returns 0 or -ENOMEM. */
static int tasks_grow(struct pb_tasklist *l)
{
    if (l->n < l->cap)
        return 0;
    size_t cap = l->cap ? 2 * l->cap : 256;
    struct pb_task *t = realloc(l->t, cap * sizeof *t);
    if (!t)
        return -ENOMEM;
    l->t = t, l->cap = cap;
    return 0;
}

int pb_tasks_push(struct pb_tasklist *l, const struct pb_task *t)
{
    int err = tasks_grow(l);
    if (!err)
        l->t[l->n++] = *t;
    return err;
}

int pb_tasks_heap_push(struct pb_tasklist *l, const struct pb_task *t)
{
    int err = tasks_grow(l);
    if (err)
        return err;
    size_t i = l->n++;
    for (; i > 0 && l->t[(i - 1) / 2].cost < t->cost; i = (i - 1) / 2)
        l->t[i] = l->t[(i - 1) / 2];
    l->t[i] = *t;
    return 0;
}

void pb_tasks_heap_pop(struct pb_tasklist *l, struct pb_task *out)
{
    *out = l->t[0];
    struct pb_task last = l->t[--l->n];
    size_t i = 0;
    for (size_t c = 1; c < l->n; i = c, c = 2 * c + 1) {
        if (c + 1 < l->n && l->t[c + 1].cost > l->t[c].cost)
            c++;
        if (l->t[c].cost <= last.cost)
            break;
        l->t[i] = l->t[c];
    }
    if (l->n > 0)
        l->t[i] = last;
}

/* Costliest first, then by a, b and p0 ascending (qsort comparator). */
static int by_cost_desc(const void *x, const void *y)
{
    const struct pb_task *s = x, *t = y;
    if (s->cost != t->cost)
        return s->cost < t->cost ? 1 : -1;
    if (s->a != t->a)
        return s->a < t->a ? -1 : 1;
    if (s->b != t->b)
        return s->b < t->b ? -1 : 1;
    return (s->p0 > t->p0) - (s->p0 < t->p0);
}

void pb_tasks_sort(struct pb_tasklist *l)
{
    if (l->n > 1)
        qsort(l->t, l->n, sizeof *l->t, by_cost_desc);
}

void pb_tasks_free(struct pb_tasklist *l)
{
    free(l->t);
    memset(l, 0, sizeof *l);
}

/* What the count phase's workers share. */
struct count_job {
    const struct pb_team *tm;        /* pinning */
    size_t ntasks;                   /* tasks to hand out */
    void (*task)(void *ctx, int w, size_t t);
    void *ctx;                       /* the strategy's workers */
    atomic_size_t next;              /* the next task to hand out */
};

#ifdef PB_SPATIAL_OPENMP
#include <omp.h>

int pb_spatial_count(const struct pb_team *tm, size_t nt, size_t ntasks,
                     void (*task)(void *ctx, int w, size_t t), void *ctx)
{
#pragma omp parallel num_threads((int)nt)
    {
        int w = omp_get_thread_num();
        pb_team_pin(tm, w);
#pragma omp for schedule(dynamic, 1)
        for (size_t t = 0; t < ntasks; t++)
            task(ctx, w, t);
    }
    return 0;
}
#else
/* Worker w of the count phase (job: struct count_job): pins itself, then takes tasks in order
 * until none is left. */
static void count_worker(void *job, int w)
{
    struct count_job *j = job;
    pb_team_pin(j->tm, w);
    for (size_t t; pb_team_take(&j->next, j->ntasks, &t);)
        j->task(j->ctx, w, t);
}

int pb_spatial_count(const struct pb_team *tm, size_t nt, size_t ntasks,
                     void (*task)(void *ctx, int w, size_t t), void *ctx)
{
    struct count_job j = { .tm = tm, .ntasks = ntasks, .task = task, .ctx = ctx };
    atomic_init(&j.next, 0);
    return pb_team_threads(nt, count_worker, &j);
}
#endif
