/* support.c — see support.h. */
#include "support.h"

#include "registry.h"
#include "runner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *pbt_tmpdir(const char *tag)
{
    static char path[1024];
    char cmd[2200];
    snprintf(path, sizeof path, "%s/%s-%d", PB_TEST_TMP, tag, (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", path, path);
    if (system(cmd) != 0)
        fail_msg("cannot make %s", path);
    return path;
}

char *pbt_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len - 1 == 0)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

void pbt_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

int pbt_bench(char **output, const char *args_fmt, ...)
{
    char args[4096], cmd[4400];
    va_list ap;
    va_start(ap, args_fmt);
    vsnprintf(args, sizeof args, args_fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "'%s' %s 2>&1", PB_BENCH_PATH, args);
    FILE *p = popen(cmd, "r");
    if (!p)
        fail_msg("cannot run %s", cmd);
    size_t cap = 4096, len = 0, got;
    char *buf = malloc(cap);
    while ((got = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += got;
        if (cap - len - 1 == 0)
            buf = realloc(buf, cap *= 2);
    }
    buf[len] = '\0';
    int st = pclose(p);
    if (output)
        *output = buf;
    else
        free(buf);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return WEXITSTATUS(st);
}

/* Deterministic uniform numbers in [0, 1): a 64-bit LCG, top 53 bits. */
static double rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

void pbt_prob_make(struct pbt_prob *q, size_t n, enum pb_output_kind out)
{
    uint64_t s = 7;
    q->x = malloc((n + 1) * sizeof(double));
    q->y = malloc((n + 1) * sizeof(double));
    q->z = malloc((n + 1) * sizeof(double));
    for (size_t i = 0; i < n; i++)
        q->x[i] = 1000 * rnd(&s), q->y[i] = 1000 * rnd(&s), q->z[i] = 1000 * rnd(&s);
    for (int k = 0; k <= PBT_NB; k++)
        q->edges[k] = 0.1 + (1750.0 - 0.1) * k / PBT_NB;
    q->p = (struct pb_problem){ .n = n, .x = q->x, .y = q->y, .z = q->z, .output = out,
                                .nbins = PBT_NB, .edges = q->edges };
}

void pbt_prob_free(struct pbt_prob *q)
{
    free(q->x), free(q->y), free(q->z);
}

int pbt_run(const char *name, const struct pbt_prob *q, int threads, const char *const *over,
            const struct pb_reference *ref, double timeout_s, struct pb_measure *m)
{
    const struct pb_strategy *s = pb_registry_find(name);
    assert_non_null(s);
    struct pb_kv kv[16];
    size_t nkv = 0;
    for (const struct pb_param_spec *ps = s->params; ps && ps->name && nkv < 16; ps++) {
        kv[nkv] = (struct pb_kv){ .key = ps->name, .value = ps->def };
        for (const char *const *o = over; o && o[0]; o += 2)
            if (strcmp(o[0], ps->name) == 0)
                kv[nkv].value = o[1];
        nkv++;
    }
    struct pb_strategy_cfg cfg = { .strategy = s, .label = (char *)name, .kv = kv, .nkv = nkv };
    struct pb_params k = { .threads = threads, .ranks = 1, .kv = kv, .nkv = nkv };
    return pb_runner_run(&q->p, &cfg, &k, ref, timeout_s, m);
}

void pbt_assert_no_children(void)
{
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}
