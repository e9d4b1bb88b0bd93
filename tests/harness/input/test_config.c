/* test_config.c — the config loader: valid configs give the expected experiment, and every bad
 * config in tests/configs/invalid/ fails with the message fragments in its .expect file. */
#include "support.h"

#include "config.h"
#include "experiment.h"
#include "problem.h"
#include "registry.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INVALID_DIR "tests/configs/invalid"

/* Does nothing: these strategies are only parsed, never run. */
static int dummy_run(const struct pb_problem *p, const struct pb_params *k, struct pb_output *o)
{
    (void)p;
    (void)k;
    (void)o;
    return 0;
}

static const struct pb_param_spec fork_params[] = {
    { .name = "transport", .def = "shm", .choices = "shm|pipe", .help = "result path" },
    { .name = "chunk", .def = "64", .help = "rows per chunk" },
    { 0 },
};

/* Test-only stand-ins: names that no kernel file will ever take. */
static const struct pb_strategy t_fork = {
    .abi_version = PB_STRATEGY_ABI, .name = "t-fork", .summary = "test: parameters",
    .params = fork_params, .run = dummy_run,
};
static const struct pb_strategy t_dist = {
    .abi_version = PB_STRATEGY_ABI, .name = "t-dist", .summary = "test: distributed",
    .flags = PB_DISTRIBUTED, .run = dummy_run,
};

static const struct pb_param_spec transport_param[] = {
    { .name = "transport", .def = "shm", .choices = "shm|pipe", .help = "result path" },
    { 0 },
};

/* Stand-ins for the strategies configs/ name, registered only while no real one is, so the
 * shipped configs can be checked in a tree that lacks some kernels. */
static struct pb_strategy standins[] = {
    { .abi_version = PB_STRATEGY_ABI, .name = "blocked", .flags = PB_SERIAL, .run = dummy_run },
    { .abi_version = PB_STRATEGY_ABI, .name = "chunked-fork", .params = transport_param,
      .run = dummy_run },
    { .abi_version = PB_STRATEGY_ABI, .name = "pthread-map", .run = dummy_run },
    { .abi_version = PB_STRATEGY_ABI, .name = "pthread-async", .run = dummy_run },
    { .abi_version = PB_STRATEGY_ABI, .name = "openmp", .run = dummy_run },
    { .abi_version = PB_STRATEGY_ABI, .name = "grid", .flags = PB_HISTOGRAM_ONLY,
      .run = dummy_run },
    { .abi_version = PB_STRATEGY_ABI, .name = "kdtree", .flags = PB_HISTOGRAM_ONLY,
      .run = dummy_run },
};

/* Registers the test strategies once for the whole group. */
static int setup(void **state)
{
    struct pb_err err;
    (void)state;
    if (pb_registry_add(&t_fork, &err) || pb_registry_add(&t_dist, &err))
        return -1;
    for (size_t i = 0; i < sizeof standins / sizeof standins[0]; i++)
        if (!pb_registry_find(standins[i].name) && pb_registry_add(&standins[i], &err))
            return -1;
    return 0;
}

/* Writes text to DIR/name and loads it; the load must succeed. */
static void load_ok(const char *dir, const char *name, const char *text, struct pb_experiment *e)
{
    char path[1400];
    struct pb_err err = { "" };
    snprintf(path, sizeof path, "%s/%s", dir, name);
    pbt_write(path, text);
    int rc = pb_experiment_load(path, e, &err);
    if (rc != 0)
        fail_msg("%s: %s", path, err.msg);
}

/* Writes text to DIR/name and loads it; the load must fail with fragment in the message. */
static void load_bad(const char *dir, const char *name, const char *text, const char *fragment)
{
    char path[1400];
    struct pb_experiment e;
    struct pb_err err = { "" };
    snprintf(path, sizeof path, "%s/%s", dir, name);
    pbt_write(path, text);
    assert_int_not_equal(pb_experiment_load(path, &e, &err), 0);
    if (!strstr(err.msg, fragment))
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, fragment);
    assert_null(e.name);             /* freed and zeroed on failure */
}

static void test_defaults(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("config-defaults");
    struct pb_experiment e;
    load_ok(dir, "my-run.json",
            "{\"output\": {\"kind\": \"matrix\"}, \"sizes\": [300, 100, 200],\n"
            " \"strategies\": [\"naive\"]}\n", &e);
    assert_string_equal(e.name, "my-run");
    assert_string_equal(e.dir, dir);
    assert_int_equal(e.input.kind, PB_INPUT_UNIFORM);
    assert_int_equal(e.input.seed, 42);
    assert_true(e.input.box == 1000.0);
    assert_int_equal(e.output, PB_OUTPUT_MATRIX);
    assert_int_equal(e.precision, PB_PRECISION_DOUBLE);
    assert_true(e.periodic == 0.0);
    assert_int_equal(e.nsizes, 3);
    assert_int_equal(e.sizes[0], 100);   /* sorted ascending */
    assert_int_equal(e.sizes[2], 300);
    assert_int_equal(e.nthreads, 1);
    assert_int_equal(e.threads[0], 1);
    assert_int_equal(e.nranks, 1);
    assert_int_equal(e.ranks[0], 1);
    assert_int_equal(e.repeats, 3);
    assert_int_equal(e.warmup, 1);
    assert_true(e.timeout_s == 0.0);
    assert_int_equal(e.pin, 0);
    assert_int_equal(e.order, PB_ORDER_RANDOM);
    assert_int_equal(e.order_seed, 1);
    assert_int_equal(e.overhead, 1);
    assert_int_equal(e.limits, 0);
    assert_int_equal(e.nstrategies, 1);
    assert_string_equal(e.strategies[0].label, "naive");
    assert_string_equal(e.strategies[0].params, "");
    assert_int_equal(strlen(e.hash), 16);
    assert_non_null(strstr(e.text, "\"sizes\""));
    pb_experiment_free(&e);
}

static void test_full(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("config-full");
    struct pb_experiment e;
    load_ok(dir, "full.json",
            "{\"name\": \"x.1_y-z\", \"description\": \"d\",\n"
            " \"input\": {\"kind\": \"clustered\", \"seed\": 9, \"box\": 50},\n"
            " \"output\": {\"kind\": \"histogram\",\n"
            "   \"bins\": {\"min\": 0.5, \"max\": 40, \"count\": 12, \"scale\": \"log\"}},\n"
            " \"precision\": \"float\", \"periodic\": 50,\n"
            " \"sizes\": {\"from\": 10, \"to\": 1000, \"steps\": 3, \"scale\": \"log\"},\n"
            " \"threads\": [2, 1], \"ranks\": [1, 4], \"repeats\": 5, \"warmup\": 0,\n"
            " \"timeout_s\": 2.5, \"pin\": \"cores\", \"order\": \"config\", \"order_seed\": 77,\n"
            " \"overhead\": false, \"limits\": true,\n"
            " \"strategies\": [\"naive\", {\"name\": \"t-fork\", \"transport\": \"pipe\"},\n"
            "   {\"name\": \"t-fork\", \"label\": \"big\", \"chunk\": 256, \"transport\": \"shm\"},\n"
            "   \"t-dist\"]}\n", &e);
    assert_string_equal(e.name, "x.1_y-z");
    assert_string_equal(e.description, "d");
    assert_int_equal(e.input.kind, PB_INPUT_CLUSTERED);
    assert_int_equal(e.input.seed, 9);
    assert_true(e.input.box == 50.0);
    assert_int_equal(e.output, PB_OUTPUT_HISTOGRAM);
    assert_true(e.bins.min == 0.5 && e.bins.max == 40.0);
    assert_int_equal(e.bins.count, 12);
    assert_int_equal(e.bins.scale, PB_BINS_LOG);
    assert_int_equal(e.precision, PB_PRECISION_FLOAT);
    assert_true(e.periodic == 50.0);
    assert_int_equal(e.nsizes, 3);   /* 10, 100, 1000 */
    assert_int_equal(e.sizes[0], 10);
    assert_int_equal(e.sizes[1], 100);
    assert_int_equal(e.sizes[2], 1000);
    assert_int_equal(e.nthreads, 2);
    assert_int_equal(e.threads[0], 2);   /* threads keep the configured order */
    assert_int_equal(e.nranks, 2);
    assert_int_equal(e.ranks[1], 4);
    assert_int_equal(e.repeats, 5);
    assert_int_equal(e.warmup, 0);
    assert_true(e.timeout_s == 2.5);
    assert_int_equal(e.pin, 1);
    assert_int_equal(e.order, PB_ORDER_CONFIG);
    assert_int_equal(e.order_seed, 77);
    assert_int_equal(e.overhead, 0);
    assert_int_equal(e.limits, 1);
    assert_int_equal(e.nstrategies, 4);
    pb_experiment_free(&e);
}

static void test_params_canonical(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("config-params");
    struct pb_experiment e;
    load_ok(dir, "p.json",
            "{\"output\": {\"kind\": \"matrix\"}, \"sizes\": [5],\n"
            " \"strategies\": [\"t-fork\", {\"name\": \"t-fork\", \"transport\": \"pipe\"},\n"
            "   {\"chunk\": 256, \"label\": \"big\", \"transport\": \"shm\", \"name\": \"t-fork\"}]}\n",
            &e);
    struct pb_strategy_cfg *s = e.strategies;
    assert_string_equal(s[0].label, "t-fork");
    assert_string_equal(s[0].params, "");            /* nothing configured */
    assert_int_equal(s[0].nkv, 2);                   /* every declared one, defaults filled */
    assert_string_equal(s[0].kv[0].key, "transport");
    assert_string_equal(s[0].kv[0].value, "shm");
    assert_string_equal(s[0].kv[1].key, "chunk");
    assert_string_equal(s[0].kv[1].value, "64");
    assert_string_equal(s[1].params, "transport=pipe");
    assert_string_equal(s[1].kv[0].value, "pipe");
    assert_string_equal(s[2].label, "big");
    assert_string_equal(s[2].params, "transport=shm;chunk=256");  /* spec order, not file order */
    assert_string_equal(s[2].kv[1].value, "256");
    pb_experiment_free(&e);
}

/* Declared figures load with their defaults (log axes, every label) and what they set. */
static void test_figures_declared(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("config-figures");
    struct pb_experiment e;
    load_ok(dir, "figs.json",
            "{\"output\": {\"kind\": \"matrix\"}, \"sizes\": [10], \"strategies\": "
            "[\"naive\", {\"name\": \"blocked\", \"label\": \"tiled\"}], \"figures\": ["
            "{\"name\": \"all_memory\", \"quantity\": \"memory\"}, "
            "{\"name\": \"t\", \"quantity\": \"time\", \"series\": [\"tiled\"], "
            "\"xscale\": \"linear\", \"title\": \"Tiled\"}]}", &e);
    assert_int_equal(e.nfigures, 2);
    assert_string_equal(e.figures[0].name, "all_memory");
    assert_string_equal(e.figures[0].quantity, "memory");
    assert_int_equal(e.figures[0].nseries, 0);
    assert_true(e.figures[0].xlog && e.figures[0].ylog);
    assert_null(e.figures[0].title);
    assert_int_equal(e.figures[1].nseries, 1);
    assert_string_equal(e.figures[1].series[0], "tiled");
    assert_true(!e.figures[1].xlog && e.figures[1].ylog);
    assert_string_equal(e.figures[1].title, "Tiled");
    pb_experiment_free(&e);
}

static void test_ranges(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("config-ranges");
    struct pb_experiment e;
    load_ok(dir, "lin.json",
            "{\"output\": {\"kind\": \"matrix\"}, \"sizes\": {\"from\": 1000, \"to\": 2000, "
            "\"steps\": 3}, \"strategies\": [\"naive\"]}", &e);
    assert_int_equal(e.nsizes, 3);
    assert_int_equal(e.sizes[0], 1000);
    assert_int_equal(e.sizes[1], 1500);
    assert_int_equal(e.sizes[2], 2000);
    pb_experiment_free(&e);
    /* 1..4 in 6 log steps: 1, 1.32, 1.74, 2.30, 3.03, 4 round to 1, 1, 2, 2, 3, 4. */
    load_ok(dir, "dedup.json",
            "{\"output\": {\"kind\": \"matrix\"}, \"sizes\": {\"from\": 1, \"to\": 4, "
            "\"steps\": 6, \"scale\": \"log\"}, \"strategies\": [\"naive\"]}", &e);
    assert_int_equal(e.nsizes, 4);
    assert_int_equal(e.sizes[0], 1);
    assert_int_equal(e.sizes[1], 2);
    assert_int_equal(e.sizes[2], 3);
    assert_int_equal(e.sizes[3], 4);
    pb_experiment_free(&e);
    load_ok(dir, "one.json",
            "{\"output\": {\"kind\": \"matrix\"}, \"sizes\": {\"from\": 7, \"to\": 7, "
            "\"steps\": 1}, \"strategies\": [\"naive\"]}", &e);
    assert_int_equal(e.nsizes, 1);
    assert_int_equal(e.sizes[0], 7);
    pb_experiment_free(&e);
}

static void test_threads_all(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("config-all");
    struct pb_experiment e;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    load_ok(dir, "all.json",
            "{\"output\": {\"kind\": \"matrix\"}, \"sizes\": [3], \"threads\": \"all\",\n"
            " \"strategies\": [\"naive\"]}", &e);
    assert_true(e.nthreads >= 1);
    assert_int_equal(e.threads[0], 1);
    assert_int_equal(e.threads[e.nthreads - 1], cores);
    for (size_t i = 1; i + 1 < e.nthreads; i++)
        assert_int_equal(e.threads[i], 2 * e.threads[i - 1]);
    pb_experiment_free(&e);
}

static void test_file_input_relative(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("config-file");
    char sub[1200], pts[1300], expect[1300];
    struct pb_experiment e;
    snprintf(sub, sizeof sub, "%s/cfg", dir);
    snprintf(pts, sizeof pts, "%s/halos.txt", sub);
    assert_int_equal(mkdir(sub, 0755), 0);
    pbt_write(pts, "# x y z\n1 2 3\n4,5,6\n7 8 9\n");
    load_ok(sub, "f.json",
            "{\"input\": {\"kind\": \"file\", \"path\": \"halos.txt\"},\n"
            " \"output\": {\"kind\": \"matrix\"}, \"sizes\": [1, 3], \"strategies\": [\"naive\"]}",
            &e);
    snprintf(expect, sizeof expect, "%s/halos.txt", sub);
    assert_int_equal(e.input.kind, PB_INPUT_FILE);
    assert_string_equal(e.input.path, expect);
    pb_experiment_free(&e);
    load_bad(sub, "g.json",
             "{\"input\": {\"kind\": \"file\", \"path\": \"halos.txt\"},\n"
             " \"output\": {\"kind\": \"matrix\"}, \"sizes\": [1, 4], \"strategies\": [\"naive\"]}",
             "g.json:2:45: sizes[1]: 4 points requested but halos.txt holds 3");
}

/* A powerlaw input: its keys as given, the others at their defaults; the periodic box reaches
 * the input, so that the points are wrapped into it when made. */
static void test_powerlaw_input(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("config-powerlaw");
    struct pb_experiment e;
    load_ok(dir, "p.json",
            "{\"input\": {\"kind\": \"powerlaw\", \"seed\": 3, \"levels\": 6, \"eta\": 3,\n"
            "   \"lambda\": 2.5, \"radius\": 40},\n"
            " \"output\": {\"kind\": \"matrix\"}, \"periodic\": 1000, \"sizes\": [10],\n"
            " \"strategies\": [\"naive\"]}", &e);
    assert_int_equal(e.input.kind, PB_INPUT_POWERLAW);
    assert_int_equal(e.input.seed, 3);
    assert_int_equal(e.input.pl.clusters, 100);
    assert_int_equal(e.input.pl.levels, 6);
    assert_int_equal(e.input.pl.eta, 3);
    assert_true(e.input.pl.lambda == 2.5 && e.input.pl.radius == 40.0);
    assert_true(e.input.periodic == 1000.0);
    pb_experiment_free(&e);
    load_ok(dir, "q.json",
            "{\"input\": {\"kind\": \"powerlaw\"}, \"output\": {\"kind\": \"matrix\"},\n"
            " \"sizes\": [10], \"strategies\": [\"naive\"]}", &e);
    assert_int_equal(e.input.pl.levels, 9);
    assert_int_equal(e.input.pl.eta, 2);
    assert_true(fabs(e.input.pl.lambda - pow(2.0, 1 / 1.2)) < 1e-15);
    assert_true(e.input.pl.radius == 0.0);            /* box / 10 when the points are made */
    assert_true(e.input.periodic == 0.0);
    pb_experiment_free(&e);
}

/* "output.bins.edges": kept exactly as written (count, min, max follow them, scale explicit),
 * and pb_edges_make hands every strategy those doubles; an "edges" of the wrong kind is refused
 * at its place, and so are the generated bins' keys beside it. */
static void test_explicit_edges(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("config-edges");
    static const double want[] = { 0, 0.1, 0.1234567890123456, 1.0 / 3, 7, 1750 };
    struct pb_experiment e;
    double *made = NULL;
    load_ok(dir, "e.json",
            "{\"output\": {\"kind\": \"histogram\", \"bins\": {\"edges\":\n"
            "   [0, 0.1, 0.1234567890123456, 0.33333333333333331, 7, 1.75e3]}},\n"
            " \"sizes\": [10], \"strategies\": [\"naive\"]}", &e);
    assert_int_equal(e.bins.scale, PB_BINS_EXPLICIT);
    assert_int_equal(e.bins.count, 5);
    assert_true(e.bins.min == 0 && e.bins.max == 1750);
    assert_memory_equal(e.bins.edges, want, sizeof want);
    assert_int_equal(pb_edges_make(&e.bins, &made), 0);
    assert_memory_equal(made, want, sizeof want);
    free(made);
    pb_experiment_free(&e);
    load_bad(dir, "f.json", "{\"output\": {\"kind\": \"histogram\", \"bins\": {\"edges\": 5}},"
             " \"sizes\": [10], \"strategies\": [\"naive\"]}",
             "f.json:1:52: output.bins.edges: expected an array of 2 to 100000001 numbers");
    load_bad(dir, "g.json", "{\"output\": {\"kind\": \"histogram\", \"bins\": {\"scale\": "
             "\"log\", \"edges\": [1, 2]}}, \"sizes\": [10], \"strategies\": [\"naive\"]}",
             "output.bins.scale: \"edges\" lists every edge");
}

/* A points file that is a FIFO fails at once (an ordinary open waits for a writer forever);
 * a .npy points file is read like a text one. */
static void test_points_fifo_and_npy(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("config-fifo");
    char fifo[1200], npy[1200];
    struct pb_experiment e;
    snprintf(fifo, sizeof fifo, "%s/halos.fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    alarm(20);
    load_bad(dir, "f.json",
             "{\"input\": {\"kind\": \"file\", \"path\": \"halos.fifo\"},\n"
             " \"output\": {\"kind\": \"matrix\"}, \"sizes\": [1], \"strategies\": [\"naive\"]}",
             "halos.fifo: not a regular file but a FIFO");
    alarm(0);
    snprintf(npy, sizeof npy, "/usr/bin/python3 -c \"import numpy; numpy.save('%s/h.npy', "
             "numpy.ones((5, 3), dtype=numpy.float32))\"", dir);
    assert_int_equal(system(npy), 0);
    load_ok(dir, "n.json",
            "{\"input\": {\"kind\": \"file\", \"path\": \"h.npy\"},\n"
            " \"output\": {\"kind\": \"matrix\"}, \"sizes\": [5], \"strategies\": [\"naive\"]}",
            &e);
    pb_experiment_free(&e);
    load_bad(dir, "m.json",
             "{\"input\": {\"kind\": \"file\", \"path\": \"h.npy\"},\n"
             " \"output\": {\"kind\": \"matrix\"}, \"sizes\": [6], \"strategies\": [\"naive\"]}",
             "6 points requested but h.npy holds 5");
}

static void test_misc_errors(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("config-errors");
    char path[1200];
    struct pb_experiment e;
    struct pb_err err;
    snprintf(path, sizeof path, "%s/absent.json", dir);
    assert_int_equal(pb_experiment_load(path, &e, &err), -ENOENT);
    assert_non_null(strstr(err.msg, "absent.json: cannot open config: No such file"));
    load_bad(dir, "k.json", "{\"output\": {\"kind\": \"matrix\"}, \"sizes\": [1],\n"
             " \"strategies\": [\"nope\"]}", "known: ");
    load_bad(dir, "k2.json", "{\"output\": {\"kind\": \"matrix\"}, \"sizes\": [1],\n"
             " \"strategies\": [\"nope\"]}", "t-fork");
    load_bad(dir, "k3.json", "{\"output\": {\"kind\": \"matrix\"}, \"sizes\": [1],\n"
             " \"strategies\": [\"nope\"]}", "naive");
    load_bad(dir, "nn.json", "{\"output\": {\"kind\": \"matrix\"}, \"sizes\": [1],\n"
             " \"strategies\": [{\"name\": \"naive\", \"x\": 1}]}",
             "nn.json:2:35: strategies[0]: unknown parameter \"x\": naive declares no parameters");
    load_bad(dir, "bad stem.json", "{\"output\": {\"kind\": \"matrix\"}, \"sizes\": [1],\n"
             " \"strategies\": [\"naive\"]}", "bad stem.json:1:1: the file name \"bad stem\"");
}

/* The capacity cat keeps for n bytes: a power of two, at least 4096. */
static size_t cap_for(size_t n)
{
    size_t cap = 4096;
    while (cap < n)
        cap *= 2;
    return cap;
}

/* A string builder for the big configs below: appends formatted text to *buf, whose
 * capacity doubles (a realloc per append is quadratic where realloc always copies, as under
 * AddressSanitizer). */
__attribute__((format(printf, 3, 4)))
static void cat(char **buf, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int add = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    size_t need = *len + (size_t)add + 1;
    if (!*buf || need > cap_for(*len + 1))  /* the buffer holds cap_for(*len + 1) bytes */
        *buf = realloc(*buf, cap_for(need));
    assert_non_null(*buf);
    va_start(ap, fmt);
    vsnprintf(*buf + *len, (size_t)add + 1, fmt, ap);
    va_end(ap);
    *len += (size_t)add;
}

/* A command far past the 255 bytes a fixed buffer once cut it to (the cut one redirected into
 * another file) is kept whole, in the parameter the run gets and in the params string. */
static void test_long_command_whole(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("config-long");
    char cmd[700], text[1200];
    struct pb_experiment e;
    int n = snprintf(cmd, sizeof cmd, "{python} {scripts}/pdist_hist.py --points {points} "
                     "--edges {edges} --out {out}");
    while (n < 560)
        n += snprintf(cmd + n, sizeof cmd - (size_t)n, " --verbose");
    snprintf(cmd + n, sizeof cmd - (size_t)n, " && cp {out} some/dir/notes_{n}.bak");
    snprintf(text, sizeof text, "{\"output\": {\"kind\": \"matrix\"}, \"sizes\": [1],\n"
             " \"strategies\": [{\"name\": \"exec\", \"command\": \"%s\"}]}", cmd);
    load_ok(dir, "long.json", text, &e);
    const struct pb_strategy_cfg *sc = &e.strategies[0];
    assert_string_equal(pb_param(&(struct pb_params){.kv = sc->kv, .nkv = sc->nkv}, "command"),
                        cmd);
    assert_non_null(strstr(sc->params, "notes_{n}.bak"));
    pb_experiment_free(&e);
}

/* Runs pb_experiment_load on path in this process under a 20 s alarm (a hang kills the test
 * instead of holding it): it must fail with -EINVAL and a message holding fragment. */
static void load_refused(const char *path, const char *fragment)
{
    struct pb_experiment e;
    struct pb_err err = { "" };
    alarm(20);
    int rc = pb_experiment_load(path, &e, &err);
    alarm(0);
    print_message("%s\n", err.msg);
    assert_int_equal(rc, -EINVAL);
    if (!strstr(err.msg, fragment))
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, fragment);
}

/* A FIFO, a device or a folder as the config is refused at once (a FIFO's open blocked
 * forever, /dev/zero was read without bound); a regular file past the size cap too. */
static void test_config_not_regular_or_huge(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("config-special");
    char path[1200];
    snprintf(path, sizeof path, "%s/fifo.json", dir);
    unlink(path);
    assert_int_equal(mkfifo(path, 0600), 0);
    load_refused(path, "not a regular file (a FIFO)");
    load_refused("/dev/zero", "/dev/zero: not a regular file (a device)");
    load_refused(dir, "not a regular file (a directory)");
    snprintf(path, sizeof path, "%s/huge.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"description\": \"", f);
    for (int i = 0; i < 5 * 1024; i++)
        fprintf(f, "%01023d", 0);
    fputs("\"}\n", f);
    fclose(f);
    load_refused(path, "more than the 4 MiB a config may hold");
}

/* A config with sizes 200000, 199999, ..., 1 and, when repeat, 77 once more at the end. */
static char *many_sizes(int repeat)
{
    char *text = NULL;
    size_t len = 0;
    cat(&text, &len, "{\"output\": {\"kind\": \"matrix\"}, \"strategies\": [\"naive\"],\n"
        " \"sizes\": [");
    for (int i = 200000; i >= 1; i--)
        cat(&text, &len, "%d%s", i, i > 1 || repeat ? ", " : "");
    cat(&text, &len, "%s]}\n", repeat ? "77" : "");
    return text;
}

/* 200,000 explicit sizes (18 s when each was compared with every earlier one) load, and a
 * repeat at the very end is found and named with its first place; the same for strategies. */
static void test_many_sizes(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("config-many");
    char *text = many_sizes(1);
    size_t len = 0;
    struct pb_experiment e;
    load_bad(dir, "many.json", text, "sizes[200000]: 77 is already listed at sizes[199923]");
    free(text);
    text = many_sizes(0);
    load_ok(dir, "many.json", text, &e);
    assert_int_equal(e.nsizes, 200000);
    assert_int_equal(e.sizes[0], 1);
    assert_int_equal(e.sizes[199999], 200000);
    pb_experiment_free(&e);
    free(text);
    text = NULL;
    cat(&text, &len, "{\"output\": {\"kind\": \"matrix\"}, \"sizes\": [1],\n"
        " \"strategies\": [");
    for (int i = 0; i < 20000; i++)
        cat(&text, &len, "{\"name\": \"naive\", \"label\": \"n%d\"}, ", i % 19999);
    cat(&text, &len, "\"naive\"]}\n");
    load_bad(dir, "dup.json", text, "strategies[19999]: same label \"n0\" and parameters \"\" "
             "as strategies[0]");
    free(text);
}

/* Every shipped config (each .json in configs/) loads, names itself after its file, and sweeps at
 * least one strategy; the four core configs sweep at least four. */
static void test_shipped_configs(void **state)
{
    (void)state;
    DIR *d = opendir("configs");
    assert_non_null(d);
    struct dirent *de;
    int seen = 0;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
            continue;
        char path[512], stem[256];
        struct pb_experiment e;
        struct pb_err err = { "" };
        snprintf(path, sizeof path, "configs/%s", de->d_name);
        snprintf(stem, sizeof stem, "%.*s", (int)(len - 5), de->d_name);
        if (pb_experiment_load(path, &e, &err) != 0)
            fail_msg("%s", err.msg);
        assert_string_equal(e.name, stem);
        int core = !strcmp(stem, "scaling") || !strcmp(stem, "chunking_vs_workers") ||
                   !strcmp(stem, "threads") || !strcmp(stem, "smoke");
        assert_true(e.nstrategies >= (core ? 4u : 1u));
        if (!strcmp(stem, "rmax")) {                /* naive below, grid and kdtree above */
            assert_int_equal(e.verify.naive_max_n, 20000);
            assert_int_equal(e.verify.nreference, 2);
            assert_string_equal(e.verify.reference[1]->name, "kdtree");
        }
        if (!strcmp(stem, "paper")) {               /* docs/study.md's three figures, by name */
            assert_int_equal(e.nfigures, 3);
            assert_string_equal(e.figures[0].name, "distances_time");
            assert_string_equal(e.figures[1].name, "chunking_time");
            assert_string_equal(e.figures[2].name, "chunking_memory");
            assert_string_equal(e.figures[2].quantity, "memory");
        }
        if (!strcmp(stem, "scaling"))               /* no "verify": naive at every n */
            assert_int_equal(e.verify.naive_max_n, 0);
        pb_experiment_free(&e);
        seen++;
    }
    closedir(d);
    assert_true(seen >= 4);
}

/* Reads DIR/<case>.expect: one message fragment per non-empty line. */
static void check_case(const char *name)
{
    char json[600], expect[600];
    struct pb_experiment e;
    struct pb_err err = { "" };
    snprintf(json, sizeof json, "%s/%s", INVALID_DIR, name);
    snprintf(expect, sizeof expect, "%s/%.*s.expect", INVALID_DIR, (int)(strlen(name) - 5), name);
    char *want = pbt_slurp(expect);
    if (!want)
        fail_msg("%s: no .expect file beside it", json);
    int rc = pb_experiment_load(json, &e, &err);
    if (rc == 0)
        fail_msg("%s: loaded, but it should fail with: %s", json, want);
    for (char *line = strtok(want, "\n"); line; line = strtok(NULL, "\n"))
        if (!strstr(err.msg, line))
            fail_msg("%s: message\n  %s\nlacks\n  %s", json, err.msg, line);
    assert_null(e.strategies);
    free(want);
}

/* 1 when s ends with tail. */
static int ends_with(const char *s, const char *tail)
{
    size_t ls = strlen(s), lt = strlen(tail);
    return ls >= lt && strcmp(s + ls - lt, tail) == 0;
}

static void test_invalid_dir(void **state)
{
    (void)state;
    DIR *d = opendir(INVALID_DIR);
    struct dirent *ent;
    int cases = 0;
    assert_non_null(d);
    while ((ent = readdir(d)))
        if (ends_with(ent->d_name, ".json")) {
            check_case(ent->d_name);
            cases++;
        }
    closedir(d);
    assert_true(cases >= 30);
}

/* A parameter's type and range are checked by its spec: integers are digits only and in
 * range, numbers are finite decimals in range, choices are exact; every default of every
 * registered strategy passes its own spec. */
static void test_param_spec_checks(void **state)
{
    (void)state;
    const struct pb_param_spec leaf = {.name = "leaf", .def = "64", .type = PB_PARAM_INT,
                                       .min = 1, .max = 65536};
    const struct pb_param_spec cost = {.name = "cost", .def = "0", .type = PB_PARAM_NUMBER,
                                       .min = 0, .max = HUGE_VAL};
    const struct pb_param_spec pick = {.name = "t", .def = "a", .choices = "a|b"};
    const struct pb_param_spec text = {.name = "x", .def = ""};
    const struct pb_param_spec odd = {.name = "y", .def = "1", .type = 9};
    static const char *const bad_int[] = {"0", "65537", "12abc", "1.5", "", " 5", "+5", "-",
                                          "0x10", "99999999999999999999"};
    static const char *const bad_num[] = {"-1", "abc", "inf", "nan", "1e999", "0x1p3", " 1", ""};
    char what[256];
    for (size_t i = 0; i < sizeof bad_int / sizeof bad_int[0]; i++)
        if (pb_param_check(&leaf, bad_int[i], what, sizeof what) != -EINVAL)
            fail_msg("leaf '%s' accepted", bad_int[i]);
    assert_string_equal(what, "an integer from 1 to 65536");
    for (size_t i = 0; i < sizeof bad_num / sizeof bad_num[0]; i++)
        if (pb_param_check(&cost, bad_num[i], what, sizeof what) != -EINVAL)
            fail_msg("cost '%s' accepted", bad_num[i]);
    assert_string_equal(what, "a number >= 0");
    assert_int_equal(pb_param_check(&leaf, "65536", what, sizeof what), 0);
    assert_int_equal(pb_param_check(&leaf, "1", what, sizeof what), 0);
    assert_int_equal(pb_param_check(&cost, "2.5e2", what, sizeof what), 0);
    assert_int_equal(pb_param_check(&cost, ".5", what, sizeof what), 0);
    assert_int_equal(pb_param_check(&pick, "c", what, sizeof what), -EINVAL);
    assert_string_equal(what, "one of a|b");
    assert_int_equal(pb_param_check(&text, "anything at all", what, sizeof what), 0);
    assert_int_equal(pb_param_check(&odd, "1", what, sizeof what), -EINVAL);
    for (size_t i = 0; i < pb_registry_count(); i++) {
        const struct pb_strategy *s = pb_registry_get(i);
        for (const struct pb_param_spec *p = s->params; p && p->name; p++)
            if (pb_param_check(p, p->def ? p->def : "", what, sizeof what) != 0 &&
                strcmp(p->name, "command") != 0)  /* exec: no default command */
                fail_msg("%s: default %s = '%s' is not %s", s->name, p->name, p->def, what);
    }
}

/* The one strategy the lookup of test_read_then_resolve knows, whatever the registry holds. */
static const struct pb_strategy *only_mine(const char *name)
{
    static const struct pb_strategy mine = {
        .abi_version = PB_STRATEGY_ABI, .name = "mine", .run = dummy_run,
    };
    return strcmp(name, "mine") == 0 ? &mine : NULL;
}

static void mine_names(char *buf, size_t size)
{
    snprintf(buf, size, "mine");
}

/* The input stage alone: pb_config_read returns the plugin paths, resolved against the
 * config's folder, without loading them (none exists); pb_config_resolve then resolves names
 * against the lookup it is given, not the registry. */
static void test_read_then_resolve(void **state)
{
    (void)state;
    const struct pb_strategy_lookup lk = { .find = only_mine, .names = mine_names };
    const char *dir = pbt_tmpdir("config-halves");
    char path[1400], want[1500];
    struct pb_experiment e;
    struct pb_config_doc *doc;
    struct pb_err err = { "" };
    snprintf(path, sizeof path, "%s/halves.json", dir);
    pbt_write(path, "{\"plugins\": [\"lib/none.so\", \"/abs/none.so\"], \"output\": {\"kind\": "
              "\"matrix\"}, \"sizes\": [10], \"strategies\": [\"mine\"]}");
    assert_int_equal(pb_config_read(path, &e, &doc, &err), 0);
    assert_int_equal(e.nplugins, 2);
    snprintf(want, sizeof want, "%s/lib/none.so", dir);
    assert_string_equal(e.plugins[0], want);
    assert_string_equal(e.plugins[1], "/abs/none.so");
    assert_int_equal(e.nstrategies, 0);               /* not resolved yet */
    assert_int_equal(pb_config_resolve(doc, &lk), 0);
    assert_int_equal(e.nstrategies, 1);
    assert_ptr_equal(e.strategies[0].strategy, only_mine("mine"));
    pb_experiment_free(&e);

    /* A plugin the caller could not load: the message sits at its entry of "plugins". */
    assert_int_equal(pb_config_read(path, &e, &doc, &err), 0);
    assert_int_equal(pb_config_plugin_failed(doc, 1, "cannot load it"), -EINVAL);
    snprintf(want, sizeof want, "%s:1:29: plugins[1]: cannot load it", path);
    assert_string_equal(err.msg, want);
    assert_null(e.name);                              /* released */

    /* A built-in name the lookup does not know is unknown, with the lookup's names listed. */
    pbt_write(path, "{\"output\": {\"kind\": \"matrix\"}, \"sizes\": [10], \"strategies\": "
              "[\"naive\"]}");
    assert_int_equal(pb_config_read(path, &e, &doc, &err), 0);
    assert_int_equal(pb_config_resolve(doc, &lk), -EINVAL);
    assert_non_null(strstr(err.msg, "strategies[0]: unknown strategy \"naive\" (known: mine)"));
    assert_null(e.name);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_params_canonical),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_figures_declared),
        cmocka_unit_test(test_threads_all),
        cmocka_unit_test(test_file_input_relative),
        cmocka_unit_test(test_misc_errors),
        cmocka_unit_test(test_long_command_whole),
        cmocka_unit_test(test_config_not_regular_or_huge),
        cmocka_unit_test(test_many_sizes),
        cmocka_unit_test(test_shipped_configs),
        cmocka_unit_test(test_invalid_dir),
        cmocka_unit_test(test_param_spec_checks),
        cmocka_unit_test(test_powerlaw_input),
        cmocka_unit_test(test_explicit_edges),
        cmocka_unit_test(test_points_fifo_and_npy),
        cmocka_unit_test(test_read_then_resolve),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
