/* test_results.c — the per-run CSV: rows round-trip through pb_csv_append / pb_csv_read, with
 * awkward text quoted; columns are found by name; bad files fail with the line named. */
#include "support.h"

#include "results.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A fully populated row whose text fields are plain. */
static struct pb_row sample_row(int repeat)
{
    struct pb_row r = {
        .strategy = "openmp", .params = "", .output = "histogram", .n = 1000, .threads = 2,
        .repeat = repeat, .wall_s = 0.123456789, .user_s = 0.24, .sys_s = 0.001,
        .peak_rss_kib = 4096, .pairs_per_s = 4.04595e6, .verified = "yes", .status = "ok",
        .kind = "run", .ranks = 1, .precision = "double", .pin = "none", .maxrss_kib = 3900,
        .cgroup_peak_kib = -1, .fraction_of_limit = -1, .config_hash = "0123456789abcdef",
        .other_cpu_s = 0.75, .steal_s = 0.01, .cpus_avail = 1.5, .flag = "busy;capped",
    };
    return r;
}

static void assert_rows_equal(const struct pb_row *a, const struct pb_row *b)
{
    assert_string_equal(a->strategy, b->strategy);
    assert_string_equal(a->params, b->params);
    assert_string_equal(a->output, b->output);
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->threads, b->threads);
    assert_int_equal(a->repeat, b->repeat);
    assert_true(fabs(a->wall_s - b->wall_s) <= 1e-8 * fabs(a->wall_s));
    assert_true(fabs(a->user_s - b->user_s) <= 1e-8 * fabs(a->user_s));
    assert_true(fabs(a->sys_s - b->sys_s) <= 1e-8 * fabs(a->sys_s));
    assert_int_equal(a->peak_rss_kib, b->peak_rss_kib);
    assert_true(fabs(a->pairs_per_s - b->pairs_per_s) <= 1e-5 * fabs(a->pairs_per_s));
    assert_string_equal(a->verified, b->verified);
    assert_string_equal(a->status, b->status);
    assert_string_equal(a->kind, b->kind);
    assert_int_equal(a->ranks, b->ranks);
    assert_string_equal(a->precision, b->precision);
    assert_string_equal(a->pin, b->pin);
    assert_int_equal(a->maxrss_kib, b->maxrss_kib);
    assert_int_equal(a->cgroup_peak_kib, b->cgroup_peak_kib);
    assert_true(fabs(a->fraction_of_limit - b->fraction_of_limit) <= 1e-3);
    assert_string_equal(a->config_hash, b->config_hash);
    assert_true(fabs(a->other_cpu_s - b->other_cpu_s) <= 1e-5 * fabs(a->other_cpu_s));
    assert_true(fabs(a->steal_s - b->steal_s) <= 1e-5 * fabs(a->steal_s));
    assert_true(fabs(a->cpus_avail - b->cpus_avail) <= 1e-5 * fabs(a->cpus_avail));
    assert_string_equal(a->flag, b->flag);
}

/* Reads path expecting success; returns the rows (caller frees). */
static struct pb_row *read_ok(const char *path, size_t *n)
{
    struct pb_row *rows = NULL;
    struct pb_err err = { .msg = "" };
    int rc = pb_csv_read(path, &rows, n, &err);
    if (rc != 0)
        fail_msg("pb_csv_read(%s) = %d: %s", path, rc, err.msg);
    return rows;
}

/* Reads path expecting failure; returns the message. */
static const char *read_bad(const char *path)
{
    static struct pb_err err;
    struct pb_row *rows = NULL;
    size_t n = 0;
    err.msg[0] = '\0';
    assert_int_equal(pb_csv_read(path, &rows, &n, &err), -EINVAL);
    assert_null(rows);
    return err.msg;
}

static void test_round_trip_awkward_text(void **state)
{
    (void)state;
    char path[1100];
    snprintf(path, sizeof path, "%s/rows.csv", pbt_tmpdir("results-rt"));
    struct pb_row in[3] = { sample_row(0), sample_row(1), sample_row(2) };
    strcpy(in[0].params, "transport=shm;note=a,b");
    strcpy(in[1].params, "label=\"quoted\", too");
    strcpy(in[1].status, "failed: signal 9, \"Killed\"\nsecond line");
    strcpy(in[1].verified, "no");
    in[1].cgroup_peak_kib = 123456;
    in[1].fraction_of_limit = 0.4375;
    in[2].wall_s = NAN;
    in[2].verified[0] = '\0';
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(pb_csv_write_header(f), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(pb_csv_append(f, &in[i]), 0);
    fclose(f);

    char *text = pbt_slurp(path);
    assert_non_null(strstr(text, "\"transport=shm;note=a,b\""));
    assert_non_null(strstr(text, "\"label=\"\"quoted\"\", too\""));
    free(text);

    size_t n = 0;
    struct pb_row *out = read_ok(path, &n);
    assert_int_equal(n, 3);
    assert_rows_equal(&in[0], &out[0]);
    assert_rows_equal(&in[1], &out[1]);
    assert_true(isnan(out[2].wall_s));
    assert_string_equal(out[2].verified, "");
    assert_int_equal(out[0].cgroup_peak_kib, -1);
    assert_true(out[0].fraction_of_limit < 0);
    free(out);
}

static void test_append_keeps_earlier_rows(void **state)
{
    (void)state;
    char path[1100];
    snprintf(path, sizeof path, "%s/rows.csv", pbt_tmpdir("results-append"));
    FILE *f = fopen(path, "w");
    assert_int_equal(pb_csv_write_header(f), 0);
    struct pb_row a = sample_row(0);
    assert_int_equal(pb_csv_append(f, &a), 0);
    fclose(f);

    size_t n = 0;
    struct pb_row *rows = read_ok(path, &n);   /* readable between appends: flushed */
    assert_int_equal(n, 1);
    free(rows);

    f = fopen(path, "a");
    struct pb_row b = sample_row(1);
    strcpy(b.strategy, "blocked");
    assert_int_equal(pb_csv_append(f, &b), 0);
    fclose(f);
    rows = read_ok(path, &n);
    assert_int_equal(n, 2);
    assert_rows_equal(&a, &rows[0]);
    assert_rows_equal(&b, &rows[1]);
    free(rows);
}

static void test_reordered_and_older_columns(void **state)
{
    (void)state;
    char path[1100];
    snprintf(path, sizeof path, "%s/old.csv", pbt_tmpdir("results-order"));
    /* the thirteen contract columns shuffled, one unknown column, no optional ones */
    pbt_write(path, "status,verified,extra,pairs_per_s,peak_rss_kib,sys_s,user_s,wall_s,"
                    "repeat,threads,n,output,params,strategy\r\n"
                    "ok,yes,ignored,2.5e7,2048,0.01,0.5,0.25,3,2,5000,matrix,\"a=1,b=2\","
                    "pthread-map\r\n"
                    "\n");
    size_t n = 0;
    struct pb_row *rows = read_ok(path, &n);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].strategy, "pthread-map");
    assert_string_equal(rows[0].params, "a=1,b=2");
    assert_string_equal(rows[0].output, "matrix");
    assert_int_equal(rows[0].n, 5000);
    assert_int_equal(rows[0].threads, 2);
    assert_int_equal(rows[0].repeat, 3);
    assert_true(rows[0].wall_s == 0.25);
    assert_true(rows[0].user_s == 0.5);
    assert_int_equal(rows[0].peak_rss_kib, 2048);
    assert_string_equal(rows[0].status, "ok");
    assert_string_equal(rows[0].kind, "run");         /* defaults for absent columns */
    assert_int_equal(rows[0].ranks, 1);
    assert_string_equal(rows[0].precision, "double");
    assert_string_equal(rows[0].pin, "none");
    assert_int_equal(rows[0].maxrss_kib, -1);
    assert_int_equal(rows[0].cgroup_peak_kib, -1);
    assert_true(isnan(rows[0].other_cpu_s) && isnan(rows[0].steal_s));  /* load unknown */
    assert_true(isnan(rows[0].cpus_avail));
    assert_string_equal(rows[0].flag, "");
    free(rows);
}

static void test_missing_column_named(void **state)
{
    (void)state;
    char path[1100];
    snprintf(path, sizeof path, "%s/missing.csv", pbt_tmpdir("results-missing"));
    pbt_write(path, "strategy,params,output,n,threads,repeat,user_s,sys_s,peak_rss_kib,"
                    "pairs_per_s,verified,status\nnaive,,matrix,10,1,0,0.1,0,1,1,yes,ok\n");
    const char *msg = read_bad(path);
    assert_non_null(strstr(msg, "missing.csv:1:"));
    assert_non_null(strstr(msg, "'wall_s'"));
}

static void test_malformed_lines_named(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("results-bad");
    char path[1100];
    char text[2048];
    snprintf(text, sizeof text, "%s\nnaive,,matrix,10,1,0,0.1,0.1,0,1,45,yes,ok,run,1,double,"
             "none,,,,,,,,,,,,,\nnaive,,matrix,10,1,1,0.1\n", PB_CSV_HEADER);
    snprintf(path, sizeof path, "%s/short.csv", dir);
    pbt_write(path, text);
    const char *msg = read_bad(path);
    assert_non_null(strstr(msg, "short.csv:3:"));
    assert_non_null(strstr(msg, "7 fields"));

    snprintf(text, sizeof text, "%s\nnaive,,matrix,10,1,0,fast,0.1,0,1,45,yes,ok,run,1,double,"
             "none,,,,,,,,,,,,,\n", PB_CSV_HEADER);
    snprintf(path, sizeof path, "%s/number.csv", dir);
    pbt_write(path, text);
    msg = read_bad(path);
    assert_non_null(strstr(msg, "number.csv:2: column 'wall_s'"));
    assert_non_null(strstr(msg, "'fast'"));

    /* a quoted field holding a newline moves the line count on */
    snprintf(text, sizeof text, "%s\nnaive,\"x\ny\",matrix,10,1,0,0.1,0.1,0,1,45,yes,ok,run,1,"
             "double,none,,,,,,,,,,,,,\nnaive,\"open,matrix,10\n", PB_CSV_HEADER);
    snprintf(path, sizeof path, "%s/quote.csv", dir);
    pbt_write(path, text);
    msg = read_bad(path);
    assert_non_null(strstr(msg, "quote.csv:4:"));
    assert_non_null(strstr(msg, "not closed"));
}

static void test_unreadable_file_named(void **state)
{
    (void)state;
    struct pb_err err = { .msg = "" };
    struct pb_row *rows = NULL;
    size_t n = 0;
    assert_int_equal(pb_csv_read("/nonexistent/x.csv", &rows, &n, &err), -ENOENT);
    assert_non_null(strstr(err.msg, "/nonexistent/x.csv: cannot read"));
    char path[2048];                 /* a FIFO is refused at once, never waited on */
    snprintf(path, sizeof path, "%s/runs.fifo", pbt_tmpdir("results-fifo"));
    assert_int_equal(mkfifo(path, 0600), 0);
    alarm(20);
    assert_int_equal(pb_csv_read(path, &rows, &n, &err), -EINVAL);
    alarm(0);
    assert_null(rows);
    assert_non_null(strstr(err.msg, "runs.fifo: cannot read: not a regular file"));
}

/* The closing table's flags for a point: its busy runs of all its counted ok runs, capped with
 * its CPUs, and the other flagged points at its n (each once, however many of its runs are
 * flagged); warm-ups, failed runs and other n do not count; nothing flagged gives "". */
static void test_point_flags(void **state)
{
    (void)state;
    struct pb_row rows[8];
    const int threads[] = { 1, 1, 1, 2, 2, 4, 1, 2 };
    const char *flag[] = { "busy", "", "busy", "capped", "busy;capped", "", "busy", "busy" };
    for (int i = 0; i < 8; i++) {
        rows[i] = sample_row(i);
        rows[i].threads = threads[i];
        rows[i].cpus_avail = 1;
        snprintf(rows[i].flag, sizeof rows[i].flag, "%s", flag[i]);
    }
    snprintf(rows[5].status, sizeof rows[5].status, "crashed: SIGSEGV");
    snprintf(rows[6].kind, sizeof rows[6].kind, PB_KIND_WARMUP);
    rows[7].n = 2000;
    char buf[160];
    assert_string_equal(pb_rows_point_flags(rows, 8, &rows[0], buf, sizeof buf),
                        "busy 2/3 runs; 1 other point flagged");
    assert_string_equal(pb_rows_point_flags(rows, 8, &rows[3], buf, sizeof buf),
                        "busy 1/2 runs; capped: 1 CPU; 1 other point flagged");
    for (int i = 0; i < 8; i++)
        rows[i].flag[0] = '\0';
    assert_string_equal(pb_rows_point_flags(rows, 8, &rows[0], buf, sizeof buf), "");
}

/* The header made from the column list is the documented one, column by column. */
static void test_header_is_the_column_list(void **state)
{
    (void)state;
    assert_string_equal(PB_CSV_HEADER,
        "strategy,params,output,n,threads,repeat,wall_s,user_s,sys_s,peak_rss_kib,pairs_per_s,"
        "verified,status,kind,ranks,precision,pin,maxrss_kib,cgroup_peak_kib,fraction_of_limit,"
        "config_hash,rank_max_kib,rank_sum_kib,build_s,dist_evals,pairs_counted,other_cpu_s,"
        "steal_s,cpus_avail,flag");
    assert_int_equal(PB_COL_COUNT, 30);
    assert_string_equal(pb_csv_col_name(PB_COL_strategy), "strategy");
    assert_string_equal(pb_csv_col_name(PB_COL_status), "status");
    assert_string_equal(pb_csv_col_name(PB_COL_pairs_counted), "pairs_counted");
    char buf[64];
    struct pb_row r = sample_row(3);
    r.fraction_of_limit = 0.25;
    assert_string_equal(pb_csv_format(&r, PB_COL_wall_s, buf, sizeof buf), "0.123456789");
    assert_string_equal(pb_csv_format(&r, PB_COL_repeat, buf, sizeof buf), "3");
    assert_string_equal(pb_csv_format(&r, PB_COL_cgroup_peak_kib, buf, sizeof buf), "");
    assert_string_equal(pb_csv_format(&r, PB_COL_fraction_of_limit, buf, sizeof buf), "0.25");
}

/* What a row is: ok (exactly "ok"), timed (ok with a finite wall time), of a kind, bad (not ok,
 * or unverified unless it is the overhead run), and its label. */
static void test_row_accessors(void **state)
{
    (void)state;
    char label[1100];
    struct pb_row r = sample_row(0);
    assert_true(pb_row_ok(&r) && pb_row_timed(&r) && !pb_row_bad(&r));
    assert_true(pb_row_is(&r, PB_KIND_RUN) && !pb_row_is(&r, PB_KIND_OVERHEAD));
    assert_string_equal(pb_row_label(&r, label, sizeof label), "openmp");
    strcpy(r.params, "transport=shm");
    assert_string_equal(pb_row_label(&r, label, sizeof label), "openmp[transport=shm]");
    r.wall_s = NAN;
    assert_true(pb_row_ok(&r) && !pb_row_timed(&r));
    strcpy(r.status, "ok; mismatch: entry 3,4");
    assert_true(!pb_row_ok(&r) && pb_row_bad(&r));
    strcpy(r.status, PB_STATUS_OK);
    strcpy(r.verified, "");
    assert_true(pb_row_bad(&r));                       /* a run with no verdict */
    strcpy(r.kind, PB_KIND_OVERHEAD);
    assert_false(pb_row_bad(&r));                      /* empty work has nothing to verify */
    assert_true(pb_status_ok("ok") && !pb_status_ok("okay") && !pb_status_ok(""));
}

/* "yes" and "yes (METHOD)" verify; "no", "no (METHOD)", "" and look-alikes do not. */
static void test_verified_ok(void **state)
{
    (void)state;
    assert_true(pb_verified_ok("yes"));
    assert_true(pb_verified_ok("yes (kdtree)"));
    assert_false(pb_verified_ok("no"));
    assert_false(pb_verified_ok("no (grid)"));
    assert_false(pb_verified_ok(""));
    assert_false(pb_verified_ok("yes ("));
    assert_false(pb_verified_ok("yes ()"));
    assert_false(pb_verified_ok("yesterday"));
}

/* A file that takes only part of a row (the size limit of RLIMIT_FSIZE stands in for a full
 * disk: the write is cut short, then fails): pb_csv_append fails and leaves whole rows only,
 * in a child so the limit stays there. */
static void test_no_partial_row_when_disk_fills(void **state)
{
    (void)state;
    char path[1100];
    snprintf(path, sizeof path, "%s/full.csv", pbt_tmpdir("results-full"));
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        FILE *f = fopen(path, "w");
        struct pb_row r = sample_row(0);
        if (!f || pb_csv_write_header(f) != 0 || pb_csv_append(f, &r) != 0)
            _exit(10);
        long one_row = ftell(f) - (long)strlen(PB_CSV_HEADER "\n");
        struct rlimit lim = { (rlim_t)(ftell(f) + one_row / 2), RLIM_INFINITY };
        setrlimit(RLIMIT_FSIZE, &lim);                  /* room for half a row more */
        r.repeat = 1;
        int rc = pb_csv_append(f, &r);
        _exit(rc == -EFBIG || rc == -ENOSPC ? 0 : 11);
    }
    int st;
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    size_t n;
    struct pb_row *rows = read_ok(path, &n);           /* no partial line */
    assert_int_equal(n, 1);
    free(rows);
}

/* pb_csv_trim_partial cuts an incomplete last record (a quoted newline inside it does not
 * count as its end) and leaves a whole file alone. */
static void test_trim_partial(void **state)
{
    (void)state;
    char path[1100];
    long dropped = 0;
    snprintf(path, sizeof path, "%s/p.csv", pbt_tmpdir("results-trim"));
    pbt_write(path, "a,b\n1,2\n3,\"x\ny");
    assert_int_equal(pb_csv_trim_partial(path, &dropped), 1);
    assert_int_equal(dropped, 6);
    char *text = pbt_slurp(path);
    assert_string_equal(text, "a,b\n1,2\n");
    free(text);
    assert_int_equal(pb_csv_trim_partial(path, &dropped), 0);
    assert_int_equal(dropped, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_partial_row_when_disk_fills),
        cmocka_unit_test(test_trim_partial),
        cmocka_unit_test(test_round_trip_awkward_text),
        cmocka_unit_test(test_append_keeps_earlier_rows),
        cmocka_unit_test(test_reordered_and_older_columns),
        cmocka_unit_test(test_missing_column_named),
        cmocka_unit_test(test_malformed_lines_named),
        cmocka_unit_test(test_unreadable_file_named),
        cmocka_unit_test(test_verified_ok),
        cmocka_unit_test(test_header_is_the_column_list),
        cmocka_unit_test(test_point_flags),
        cmocka_unit_test(test_row_accessors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
