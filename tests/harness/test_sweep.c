/* test_sweep.c — durability of a sweep: SIGINT midway leaves a valid CSV of finished runs,
 * --resume completes it to exactly the rows of an uninterrupted sweep, and a resume against
 * another config is refused. */
#include "support.h"

#include "results.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KEY 1600                     /* bytes per row key: label, params (< 1024) and more */

/* Lines in the file at path (0 when missing). */
static int count_lines(const char *path)
{
    char *text = pbt_slurp(path);
    int n = 0;
    for (const char *p = text; p && *p; p++)
        n += *p == '\n';
    free(text);
    return n;
}

/* Starts bench on the smoke config into dir, in the config's order; returns its pid. */
static pid_t start_bench(const char *dir, const char *extra)
{
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execl(PB_BENCH_PATH, "bench", "--config", "configs/smoke.json", "--out", dir, "--quiet",
              "--order", "config", extra, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Exit status of pid (128 + signal when killed). */
static int wait_status(pid_t pid)
{
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The identifying key of a row, for comparing sweeps. */
static void row_key(const struct pb_row *r, char *buf, size_t size)
{
    snprintf(buf, size, "%s|%s|%zu|%d|%d|%d|%s", r->strategy, r->params, r->n, r->threads,
             r->ranks, r->repeat, r->kind);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Reads the CSV at path and returns its sorted keys (malloc'd, KEY bytes each). */
static char *sorted_keys(const char *path, size_t *n)
{
    struct pb_row *rows;
    struct pb_err err;
    if (pb_csv_read(path, &rows, n, &err) < 0)
        fail_msg("%s", err.msg);
    char *keys = calloc(*n + 1, KEY);
    for (size_t i = 0; i < *n; i++) {
        row_key(&rows[i], keys + KEY * i, KEY);
        if (strcmp(rows[i].status, "ok") != 0)
            fail_msg("%s: row %zu: status %s", path, i + 1, rows[i].status);
    }
    qsort(keys, *n, KEY, cmp_str);
    free(rows);
    return keys;
}

/* Interrupt at about a third of the runs, resume, compare with a sweep never interrupted. */
static void test_interrupt_then_resume(void **state)
{
    (void)state;
    char dir_a[1024], dir_b[1024], csv_a[1100], csv_b[1100];
    snprintf(dir_a, sizeof dir_a, "%s", pbt_tmpdir("sweep-interrupted"));
    snprintf(dir_b, sizeof dir_b, "%s", pbt_tmpdir("sweep-whole"));
    snprintf(csv_a, sizeof csv_a, "%s/smoke.csv", dir_a);
    snprintf(csv_b, sizeof csv_b, "%s/smoke.csv", dir_b);
    pid_t pid = start_bench(dir_a, NULL);
    for (int i = 0; i < 6000 && count_lines(csv_a) < 50; i++)
        usleep(5000);
    kill(pid, SIGINT);
    assert_int_equal(wait_status(pid), 130);
    int partial = count_lines(csv_a) - 1;
    assert_true(partial >= 49 && partial < 140);
    size_t n_partial;
    free(sorted_keys(csv_a, &n_partial));      /* the interrupted CSV parses, every row ok */
    assert_int_equal((int)n_partial, partial);
    assert_int_equal(wait_status(start_bench(dir_a, "--resume")), 0);
    assert_int_equal(wait_status(start_bench(dir_b, NULL)), 0);
    size_t na, nb;
    char *ka = sorted_keys(csv_a, &na), *kb = sorted_keys(csv_b, &nb);
    assert_int_equal(na, 140);
    assert_int_equal(na, nb);
    assert_memory_equal(ka, kb, KEY * na);
    for (size_t i = 1; i < na; i++)             /* no run recorded twice */
        assert_true(strcmp(ka + KEY * (i - 1), ka + KEY * i) != 0);
    free(ka);
    free(kb);
}

/* --resume of results written by another config is refused with exit 2, file untouched. */
static void test_resume_other_config(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("sweep-other");
    char csv[1100], *out;
    snprintf(csv, sizeof csv, "%s/smoke.csv", dir);
    pbt_write(csv, PB_CSV_HEADER "\n"
              "naive,,histogram,7,1,0,1e-05,0,0,500,2.1e6,yes,ok,run,1,double,none,900,,,"
              "0123456789abcdef,,,,\n");
    char *before = pbt_slurp(csv);
    assert_int_equal(pbt_bench(&out, "--config configs/smoke.json --out '%s' --resume", dir), 2);
    assert_non_null(strstr(out, "another config"));
    free(out);
    char *after = pbt_slurp(csv);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interrupt_then_resume),
        cmocka_unit_test(test_resume_other_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
