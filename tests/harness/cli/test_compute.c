/* test_compute.c — `bench compute` end to end: a points file in, the saved answer out, compared
 * with naive computed here (histogram counts exactly, matrix within 1e-12), the .npy read by
 * numpy.load, and bad arguments refused with exit status 2 and a message naming the option.
 * Points come as text or .npy; --box wraps them into the box; FIFOs and coordinates that would
 * overflow are refused; the time spent loading, building and counting is printed. */
/* ctest-labels: slow */
#include "support.h"

#include "cpuload.h"
#include "npy.h"
#include "problem.h"
#include "registry.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define N 300
#define NBINS 12
#define BOX 100.0

static double X[N], Y[N], Z[N];
static char dir[1024], points[1100];

/* Writes N points of a fixed LCG, uniform in [0, BOX)^3, to points.txt (%.17g: exact). */
static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s", pbt_tmpdir("compute"));
    snprintf(points, sizeof points, "%s/points.txt", dir);
    FILE *f = fopen(points, "w");
    uint64_t s = 2024;
    double *c[3] = {X, Y, Z};
    fprintf(f, "# x y z\n");
    for (size_t i = 0; i < N; i++) {
        for (int a = 0; a < 3; a++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            c[a][i] = (double)(s >> 11) / 9007199254740992.0 * BOX;
        }
        fprintf(f, "%.17g %.17g %.17g\n", X[i], Y[i], Z[i]);
    }
    fclose(f);
    return 0;
}

/* naive's answer computed here: counts (nbins) or the matrix (caller munmaps out->matrix). */
static void reference(enum pb_output_kind kind, const double *edges, double box,
                      uint64_t *counts, struct pb_output *out)
{
    struct pb_problem p = {.n = N, .x = X, .y = Y, .z = Z, .output = kind, .box = box,
                           .nbins = NBINS, .edges = edges};
    struct pb_params k = {.threads = 1, .ranks = 1};
    memset(out, 0, sizeof *out);
    memset(counts, 0, NBINS * sizeof *counts);
    out->counts = counts;
    assert_int_equal(pb_registry_find("naive")->run(&p, &k, out), 0);
}

/* Reads a saved "lo,hi,count" CSV of nb bins, skipping the '#' lines of the description: the
 * printed edges must read back as e exactly. */
static void read_bins(const char *path, const double *e, size_t nb, uint64_t *counts)
{
    char *text = pbt_slurp(path), *line, *save = NULL;
    assert_non_null(text);
    assert_string_equal(strtok_r(text, "\n", &save), "lo,hi,count");
    while ((line = strtok_r(NULL, "\n", &save)) != NULL && line[0] == '#')
        ;                                 /* the description */
    for (size_t b = 0; b < nb; b++) {
        double lo, hi;
        unsigned long long c;
        if (b > 0)
            line = strtok_r(NULL, "\n", &save);
        assert_non_null(line);
        assert_int_equal(sscanf(line, "%lf,%lf,%llu", &lo, &hi, &c), 3);
        if (lo != e[b] || hi != e[b + 1])
            fail_msg("%s: bin %zu reads [%.17g, %.17g), expected [%.17g, %.17g)", path, b, lo,
                     hi, e[b], e[b + 1]);
        counts[b] = c;
    }
    assert_null(strtok_r(NULL, "\n", &save));
    free(text);
}

/* Reads a saved CSV of NBINS bins into counts (read_bins). */
static void read_csv(const char *path, const double *edges, uint64_t *counts)
{
    read_bins(path, edges, NBINS, counts);
}

/* The NBINS+1 edges --bins LO,HI,NBINS[,log] makes (pb_edges_make: numpy.linspace or
 * numpy.geomspace), into e. */
static void bins_edges(double *e, double lo, double hi, enum pb_bin_scale scale)
{
    struct pb_bin_spec b = {.min = lo, .max = hi, .count = NBINS, .scale = scale};
    double *made = NULL;
    assert_int_equal(pb_edges_make(&b, &made), 0);
    memcpy(e, made, (NBINS + 1) * sizeof *e);
    free(made);
}

static void linear_edges(double *e, double lo, double hi)
{
    bins_edges(e, lo, hi, PB_BINS_LINEAR);
}

/* Every in-process strategy, 2 threads: the saved counts are naive's, bin for bin. */
static void histogram_every_strategy(void **state)
{
    (void)state;
    double e[NBINS + 1];
    uint64_t ref[NBINS], got[NBINS];
    struct pb_output out;
    linear_edges(e, 5, 150);
    reference(PB_OUTPUT_HISTOGRAM, e, 0, ref, &out);
    for (size_t i = 0; i < pb_registry_count(); i++) {
        const struct pb_strategy *s = pb_registry_get(i);
        char save[1200];
        if (s->flags & (PB_EXTERNAL | PB_DISTRIBUTED))
            continue;                     /* exec and mpi have tests of their own */
        snprintf(save, sizeof save, "%s/h-%s.csv", dir, s->name);
        assert_int_equal(pbt_bench(NULL, "compute --points '%s' --strategy %s --threads 2 "
                                   "--output histogram --bins 5,150,%d --save '%s'", points,
                                   s->name, NBINS, save), 0);
        read_csv(save, e, got);
        assert_memory_equal(got, ref, sizeof ref);
    }
}

/* The saved CSV describes itself in '#' lines after the header ("# key: JSON value"): n, box,
 * precision, bins, strategy with every parameter, threads, kernel level and version, so that
 * xi can be computed from the file alone; numpy.loadtxt (skipping the header) reads the same
 * counts. */
static void histogram_describes_itself(void **state)
{
    (void)state;
    double e[NBINS + 1];
    uint64_t got[NBINS];
    char save[1200], cmd[3000], want[1400];
    bins_edges(e, 2, 60, PB_BINS_LOG);
    snprintf(save, sizeof save, "%s/described.csv", dir);
    assert_int_equal(pbt_bench(NULL, "compute --points '%s' --strategy grid --threads 2 --box 100 "
                               "--output histogram --bins 2,60,%d,log --save '%s'", points,
                               NBINS, save), 0);
    read_csv(save, e, got);
    char *text = pbt_slurp(save);
    snprintf(want, sizeof want, "\n# points: \"%s\"\n# n: %d\n# box: 100.0\n", points, N);
    const char *lines[] = {
        want, "\n# periodic: true\n# precision: \"double\"\n# output: \"histogram\"\n",
        "\n# bins: {\"count\":12,\"scale\":\"log\",\"min\":2.0,\"max\":60.0,",
        "\n# strategy: \"grid\"\n# params: {\"refine\":\"2\"}\n# threads: 2\n",
        "\n# kernel_level: \"", "\n# version: \"", "\n# strategy_abi: ",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        if (!strstr(text, lines[i]))
            fail_msg("%s lacks \"%s\":\n%s", save, lines[i], text);
    free(text);
    char list[512];
    size_t len = 0;
    for (int b = 0; b < NBINS; b++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%llu", b ? "," : "",
                                (unsigned long long)got[b]);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c \"import numpy, sys; "
             "h = numpy.loadtxt('%s', delimiter=',', skiprows=1); "
             "sys.exit(0 if h.shape == (%d, 3) and list(h[:, 2]) == [%s] and h[0, 0] == 2 "
             "and h[-1, 1] == 60 else 1)\"", save, NBINS, list);
    assert_int_equal(system(cmd), 0);
}

/* Log bins and a periodic box, through the exec strategy and the shipped pool_map script. */
static void histogram_log_box_exec(void **state)
{
    (void)state;
    double e[NBINS + 1];
    uint64_t ref[NBINS], got[NBINS];
    struct pb_output out;
    bins_edges(e, 1, 90, PB_BINS_LOG);
    reference(PB_OUTPUT_HISTOGRAM, e, BOX, ref, &out);
    char save[1200];
    snprintf(save, sizeof save, "%s/h-box.csv", dir);
    assert_int_equal(pbt_bench(NULL, "compute --points '%s' --strategy exec-parallel --param "
                               "'command={python} {scripts}/pool_map.py --threads {threads} "
                               "--output {output} --points {points} --edges {edges} --box {box} "
                               "--out {out}' --threads 2 --output histogram --bins 1,90,%d,log "
                               "--box %g --save '%s'", points, NBINS, BOX, save), 0);
    read_csv(save, e, got);
    assert_memory_equal(got, ref, sizeof ref);
}

/* The matrix .npy: our reader sees naive's values; numpy.load agrees with scipy's cdist; the
 * sidecar SAVE.json describes it (n, box, precision, dtype, strategy, threads, version). */
static void matrix_npy(void **state)
{
    (void)state;
    uint64_t c[NBINS];
    struct pb_output ref;
    char save[1200], cmd[3000];
    reference(PB_OUTPUT_MATRIX, NULL, 0, c, &ref);
    snprintf(save, sizeof save, "%s/m.npy", dir);
    assert_int_equal(pbt_bench(NULL, "compute --points '%s' --strategy naive --threads 1 "
                               "--output matrix --save '%s'", points, save), 0);
    struct pb_npy_array a;
    assert_int_equal(pb_npy_read(save, &a, NULL), 0);
    assert_string_equal(a.descr, "<f8");
    assert_int_equal(a.rows, N);
    assert_int_equal(a.cols, N);
    for (size_t i = 0; i < (size_t)N * N; i++)
        assert_true(fabs(((double *)a.data)[i] - ((double *)ref.matrix)[i]) <=
                    1e-12 * ((double *)ref.matrix)[i]);
    pb_npy_free(&a);
    munmap(ref.matrix, ref.matrix_bytes);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c \"import numpy, sys; "
             "from scipy.spatial.distance import cdist; m = numpy.load('%s'); "
             "x = numpy.loadtxt('%s'); "
             "sys.exit(0 if m.shape == (%d, %d) and m.dtype == numpy.float64 and "
             "numpy.allclose(m, cdist(x, x), rtol=1e-12, atol=0) else 1)\"", save, points, N, N);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c \"import json, sys; "
             "d = json.load(open('%s.json')); sys.exit(0 if d['n'] == %d and d['dtype'] == '<f8' "
             "and d['output'] == 'matrix' and d['box'] is None and d['periodic'] is False and "
             "d['precision'] == 'double' and d['strategy'] == 'naive' and d['threads'] == 1 "
             "and d['points'] == '%s' and d['kernel_level'] and d['version'] else 1)\"", save, N,
             points);
    assert_int_equal(system(cmd), 0);         /* the description the .npy has no room for */
}

/* --float: every in-process strategy's saved matrix loads in numpy and matches cdist within
 * float precision (float32 where the strategy computed in float; naive always uses double, so
 * either dtype is right here: the saved dtype follows what the strategy produced). */
static void matrix_float(void **state)
{
    (void)state;
    char save[1200], cmd[3000];
    for (size_t i = 0; i < pb_registry_count(); i++) {
        const struct pb_strategy *s = pb_registry_get(i);
        if (s->flags & (PB_EXTERNAL | PB_DISTRIBUTED | PB_HISTOGRAM_ONLY))
            continue;                     /* histogram-only: the matrix is skipped, not made */
        snprintf(save, sizeof save, "%s/mf-%s.npy", dir, s->name);
        assert_int_equal(pbt_bench(NULL, "compute --points '%s' --strategy %s --threads 2 "
                                   "--output matrix --float --save '%s'", points, s->name,
                                   save), 0);
        snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c \"import numpy, sys; "
                 "from scipy.spatial.distance import cdist; m = numpy.load('%s'); "
                 "x = numpy.loadtxt('%s'); d = cdist(x, x); "
                 "sys.exit(0 if m.dtype in (numpy.float32, numpy.float64) and "
                 "m.shape == (%d, %d) and numpy.allclose(m, d, rtol=1e-5, atol=1e-4) "
                 "else 1)\"", save, points, N, N);
        if (system(cmd) != 0)
            fail_msg("%s --float: %s does not match cdist in float precision", s->name, save);
    }
}

/* The value of "# threads: N" in the description of the saved CSV path. */
static int saved_threads(const char *path)
{
    char *text = pbt_slurp(path);
    assert_non_null(text);
    const char *at = strstr(text, "\n# threads: ");
    if (!at)
        fail_msg("%s has no threads line:\n%s", path, text);
    int t = atoi(at + strlen("\n# threads: "));
    free(text);
    return t;
}

/* Without --threads: the online CPUs capped by those this process may use (pb_cpus_available:
 * affinity set, cgroup quota, OMP_THREAD_LIMIT), as the description records; OMP_THREAD_LIMIT=1
 * caps it to 1; a serial strategy records the 1 thread it used. */
static void default_threads(void **state)
{
    (void)state;
    struct pb_cpu_avail av;
    char save[1200];
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    assert_int_equal(pb_cpus_available(NULL, &av), 0);
    int want = av.cpus > 0 && av.cpus < (double)online ? (int)floor(av.cpus) : (int)online;
    want = want < 1 ? 1 : want;
    snprintf(save, sizeof save, "%s/threads.csv", dir);
    const char *args = "compute --points '%s' --strategy grid --output histogram "
                       "--bins 5,50,%d --force --save '%s'";
    assert_int_equal(pbt_bench(NULL, args, points, NBINS, save), 0);
    assert_int_equal(saved_threads(save), want);
    setenv("OMP_THREAD_LIMIT", "1", 1);
    assert_int_equal(pbt_bench(NULL, args, points, NBINS, save), 0);
    unsetenv("OMP_THREAD_LIMIT");
    assert_int_equal(saved_threads(save), 1);
    assert_int_equal(pbt_bench(NULL, "compute --points '%s' --strategy blocked --threads 4 "
                               "--output histogram --bins 5,50,%d --force --save '%s'", points,
                               NBINS, save), 0);
    assert_int_equal(saved_threads(save), 1);   /* serial: the threads actually used */
}

/* Runs bench compute with args (no --strategy: auto), expects exit 0, the one-line reason
 * "strategy auto → NAME: why" on its output and the saved CSV's description naming NAME. */
static void auto_chooses(const char *args, const char *name, const char *why)
{
    char save[1200], *out = NULL, want[256];
    snprintf(save, sizeof save, "%s/auto.csv", dir);
    assert_int_equal(pbt_bench(&out, "compute --points '%s' %s --force --save '%s'", points,
                               args, save), 0);
    snprintf(want, sizeof want, "bench compute: strategy auto → %s: %s", name, why);
    if (!strstr(out, want))
        fail_msg("'%s' printed \"%s\", expected \"%s\"", args, out, want);
    free(out);
    char *text = pbt_slurp(save);
    snprintf(want, sizeof want, "\n# strategy: \"%s\"\n", name);
    if (!strstr(text, want) || !strstr(text, "\n# strategy_auto: \"last edge "))
        fail_msg("%s lacks the strategy %s and why it was chosen:\n%s", save, name, text);
    free(text);
}

/* --strategy auto (and none at all): grid for a last edge well below the points' extent (about
 * 100 here) or the --box side, the all-range strategy for a last edge beyond it (blocked on 1
 * thread, pthread-async on more), pthread-async for a matrix; the counts are naive's. */
static void auto_strategy(void **state)
{
    (void)state;
    double e[NBINS + 1];
    uint64_t ref[NBINS], got[NBINS];
    struct pb_output out;
    char save[1200], *text = NULL;
    auto_chooses("--output histogram --bins 1,10,12 --threads 2", "grid", "last edge 10 is ");
    auto_chooses("--strategy auto --output histogram --bins 5,150,12 --threads 1", "blocked",
                 "last edge 150 is ");
    auto_chooses("--output histogram --bins 5,150,12 --threads 2", "pthread-async",
                 "last edge 150 is ");
    auto_chooses("--output histogram --bins 5,150,12 --box 1000 --threads 2", "grid",
                 "last edge 150 is 15% of the box side 1000");
    linear_edges(e, 5, 150);
    reference(PB_OUTPUT_HISTOGRAM, e, 0, ref, &out);
    snprintf(save, sizeof save, "%s/auto.csv", dir);
    read_csv(save, e, got);                     /* the last run: grid in a box of 1000 */
    assert_memory_equal(got, ref, sizeof ref);
    snprintf(save, sizeof save, "%s/auto-m.npy", dir);
    assert_int_equal(pbt_bench(&text, "compute --points '%s' --output matrix --threads 2 "
                               "--save '%s'", points, save), 0);
    assert_non_null(strstr(text, "strategy auto → pthread-async: --output matrix"));
    free(text);
}

/* --format npy: a structured .npy of (lo, hi, count) records that numpy.load reads directly,
 * with the edges bit for bit and the counts exactly those of the CSV (uint64); SAVE.json
 * describes it (dtype, strategy, threads). */
static void histogram_npy(void **state)
{
    (void)state;
    double e[NBINS + 1];
    uint64_t got[NBINS];
    char csv[1200], npy[1200], cmd[4000], counts[512], edges[1024];
    bins_edges(e, 2, 60, PB_BINS_LOG);
    snprintf(csv, sizeof csv, "%s/hist.csv", dir);
    snprintf(npy, sizeof npy, "%s/hist.npy", dir);
    const char *args = "compute --points '%s' --strategy kdtree --threads 2 --output histogram "
                       "--bins 2,60,%d,log --box 100 --format %s --save '%s'";
    assert_int_equal(pbt_bench(NULL, args, points, NBINS, "csv", csv), 0);
    assert_int_equal(pbt_bench(NULL, args, points, NBINS, "npy", npy), 0);
    read_csv(csv, e, got);
    size_t lc = 0, le = 0;
    for (int b = 0; b < NBINS; b++) {
        lc += (size_t)snprintf(counts + lc, sizeof counts - lc, "%s%llu", b ? "," : "",
                               (unsigned long long)got[b]);
        le += (size_t)snprintf(edges + le, sizeof edges - le, "%s%.17g", b ? "," : "", e[b]);
    }
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c \"import numpy, sys; a = numpy.load('%s'); "
             "sys.exit(0 if a.shape == (%d,) and a.dtype.names == ('lo', 'hi', 'count') and "
             "a['count'].dtype == numpy.uint64 and a['count'].tolist() == [%s] and "
             "a['lo'].tolist() == [%s] and a['hi'][-1] == %.17g and "
             "(a['hi'][:-1] == a['lo'][1:]).all() else 1)\"", npy, NBINS, counts, edges,
             e[NBINS]);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c \"import json, sys; "
             "d = json.load(open('%s.json')); sys.exit(0 if d['output'] == 'histogram' and "
             "d['dtype'] == \\\"[('lo', '<f8'), ('hi', '<f8'), ('count', '<u8')]\\\" and "
             "d['bins']['count'] == %d and d['strategy'] == 'kdtree' and d['threads'] == 2 and "
             "d['box'] == 100 else 1)\"", npy, NBINS);
    assert_int_equal(system(cmd), 0);
}

/* Runs bench compute with args; expects exit 2 and a message containing what. */
static void refused(const char *args, const char *what)
{
    char *output = NULL;
    assert_int_equal(pbt_bench(&output, "compute %s", args), 2);
    if (!strstr(output, what))
        fail_msg("'%s' printed \"%s\", expected it to mention '%s'", args, output, what);
    free(output);
}

/* Bad arguments: exit 2, one message naming the option or the input. */
static void bad_arguments(void **state)
{
    (void)state;
    static const char *const cases[][2] = {   /* arguments after the base, what to mention */
        {"--strategy naive --output histogram", "--bins"},
        {"--strategy naive --output matrix --bins 0,1,4", "--bins"},
        {"--strategy naive --output cube", "--output"},
        {"--strategy nope --output matrix", "nope"},
        {"--strategy naive --output histogram --bins 5,1,4", "MIN < MAX"},
        {"--strategy naive --output histogram --bins 0,10,4,log", "MIN > 0"},
        {"--strategy naive --output histogram --bins 0,10,x", "COUNT"},
        {"--strategy naive --output matrix --box -3", "--box"},
        {"--strategy naive --output matrix --box 1e200", "--box: 1e+200 is beyond 1e+150"},
        {"--strategy grid --output histogram --bins 1,10,4 --param refine=abc",
         "refine: 'abc' is not one of 1|2|3"},
        {"--strategy naive --output matrix --param x=1", "'x'"},
        {"--strategy kdtree --output histogram --bins 1,10,4 --param leaf=0",
         "leaf: '0' is not an integer from 1 to 65536"},
        {"--strategy kdtree --output histogram --bins 1,10,4 --param leaf=12abc",
         "leaf: '12abc' is not an integer from 1 to 65536"},
        {"--strategy naive --output matrix --frobnicate", "--frobnicate"},
        {"--strategy naive --output histogram --bins 0,1,4 --edges 0,1", "pass one of them"},
        {"--strategy naive --output matrix --edges 0,1", "--edges applies to --output histogram"},
        {"--strategy naive --output histogram --edges 0,2,2,5",
         "--edges: edges[2]: edges must strictly increase: got 2 after 2"},
        {"--strategy naive --output histogram --edges 0,1,x",
         "--edges: edges[2]: expected a finite number >= 0, got 'x'"},
        {"--strategy naive --output histogram --edges -1,1", "edges[0]: expected a finite"},
        {"--strategy naive --output histogram --edges 0,inf", "edges[1]: expected a finite"},
        {"--strategy naive --output histogram --edges 0,", "edges[1]: expected a finite"},
        {"--strategy naive --output histogram --edges /nonexistent/e.txt",
         "/nonexistent/e.txt: cannot read the edges"},
        {"--strategy naive --output matrix --threads 0", "--threads: expected an integer"},
        {"--strategy naive --output histogram --bins 0,1,4 --format xml",
         "--format: expected csv or npy, got 'xml'"},
        {"--strategy naive --output matrix --format csv", "--format csv applies to --output "
         "histogram only"},
        {"--output histogram --bins 1,10,4 --param refine=2",
         "--param refine=2: --strategy auto chooses the strategy"},
    };
    char args[4096];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(args, sizeof args, "--points '%s' --save '%s/x' %s%s", points, dir,
                 strstr(cases[i][0], "--threads") ? "" : "--threads 1 ", cases[i][0]);
        refused(args, cases[i][1]);
    }
    refused("--strategy naive --threads 1 --output matrix --save x", "--points");
    refused("--points /nonexistent/p.txt --strategy naive --threads 1 --output matrix --save x",
            "/nonexistent/p.txt");
}

/* A points file on a unit grid (G^3 integer points): many pairs at exactly integer distances. */
#define G 7
static void write_lattice(const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < G * G * G; i++)
        fprintf(f, "%d %d %d\n", i % G, i / G % G, i / (G * G));
    fclose(f);
}

/* Pairs of the lattice per bin [e[k], e[k+1]) for integer-squared edges, in exact integers. */
static void lattice_counts(const double *e, size_t nb, uint64_t *want)
{
    memset(want, 0, nb * sizeof *want);
    for (int i = 0; i < G * G * G; i++)
        for (int j = i + 1; j < G * G * G; j++) {
            long dx = i % G - j % G, dy = i / G % G - j / G % G, dz = i / (G * G) - j / (G * G);
            double d2 = (double)(dx * dx + dy * dy + dz * dz);   /* exact */
            for (size_t k = 0; k < nb; k++)
                want[k] += e[k] * e[k] <= d2 && d2 < e[k + 1] * e[k + 1];
        }
}

/* The --param a strategy needs to run in bench compute: the exec strategies bin through the
 * shipped NumPy scripts, which read the {edges} file; "" for the others. */
static const char *lattice_param(const struct pb_strategy *s)
{
    if (strcmp(s->name, "exec") == 0)
        return "--param python=/usr/bin/python3 --param 'command={python} "
               "{scripts}/pdist_hist.py --output {output} --points {points} --edges {edges} "
               "--out {out}'";
    if (strcmp(s->name, "exec-parallel") == 0)
        return "--param python=/usr/bin/python3 --param 'command={python} "
               "{scripts}/pool_map.py --threads {threads} --output {output} --points {points} "
               "--edges {edges} --out {out}'";
    return "";
}

/* --bins 0,25,25 on a unit lattice, every strategy (the external ones through the NumPy
 * scripts, mpi through its worker; the matrix-only scipy-cdist is refused, exit 1): the edges
 * are the integers 0..25 (as numpy.linspace(0, 25, 26) gives them) and a pair at exactly
 * distance k counts in bin [k, k+1). */
static void lattice_integer_edges(void **state)
{
    (void)state;
    char lat[1200], save[1200];
    double e[26];
    uint64_t want[25], got[25];
    snprintf(lat, sizeof lat, "%s/lattice.txt", dir);
    write_lattice(lat);
    for (int k = 0; k <= 25; k++)
        e[k] = k;
    lattice_counts(e, 25, want);
    assert_true(want[7] > 0);
    for (size_t i = 0; i < pb_registry_count(); i++) {
        const struct pb_strategy *s = pb_registry_get(i);
        int matrix_only = strcmp(s->name, "scipy-cdist") == 0;   /* refused: exit 1 */
        snprintf(save, sizeof save, "%s/lat-%s.csv", dir, s->name);
        assert_int_equal(pbt_bench(NULL, "compute --points '%s' --strategy %s --threads 2 %s "
                                   "--output histogram --bins 0,25,25 --save '%s'", lat,
                                   s->name, lattice_param(s), save), matrix_only);
        if (matrix_only)
            continue;
        read_bins(save, e, 25, got);
        for (int k = 0; k < 25; k++)
            if (got[k] != want[k])
                fail_msg("%s: bin [%d, %d) has %llu pairs, expected %llu", s->name, k, k + 1,
                         (unsigned long long)got[k], (unsigned long long)want[k]);
    }
}

/* --edges as a list, as a file of edges and as a file of touching "lo hi" bins: saved exactly
 * (edges that are no short decimals included, a hex float too), counted exactly (no lattice
 * distance is within rounding of an edge but the integer ones); bins that do not
 * touch, or a file of mixed shapes, are refused naming the line. */
static void explicit_edges(void **state)
{
    (void)state;
    static const double e[] = { 0, 0.5, 1.2345678901234567, 3, 0x1.9p+2, 7 };
    char lat[1200], file[1200], save[1200], args[4096], msg[1400];
    uint64_t want[5], got[5];
    snprintf(lat, sizeof lat, "%s/lattice.txt", dir);
    write_lattice(lat);
    lattice_counts(e, 5, want);
    const char *forms[] = { "0,0.5,1.2345678901234567,3,6.25,7",
                            "# r\n0\n0.5\n\n1.2345678901234567\n3\n0x1.9p+2\n7\n",
                            "0 0.5\n0.5 1.2345678901234567\n1.2345678901234567 3\n"
                            "3 6.25\n# last\n6.25\t7\n" };
    for (int i = 0; i < 3; i++) {
        snprintf(file, sizeof file, "%s/edges%d.txt", dir, i);
        if (i > 0)
            pbt_write(file, forms[i]);
        snprintf(save, sizeof save, "%s/explicit%d.csv", dir, i);
        assert_int_equal(pbt_bench(NULL, "compute --points '%s' --strategy grid --threads 2 "
                                   "--output histogram --edges '%s' --save '%s'", lat,
                                   i ? file : forms[0], save), 0);
        read_bins(save, e, 5, got);
        assert_memory_equal(got, want, sizeof want);
    }
    pbt_write(file, "0 1\n1 2\n2.5 3\n");
    snprintf(args, sizeof args, "--points '%s' --save '%s/x' --threads 1 --strategy naive "
             "--output histogram --edges '%s'", lat, dir, file);
    snprintf(msg, sizeof msg, "%s:3: this bin starts at 2.5 but the bin before ends at 2: "
             "bins must touch", file);
    refused(args, msg);
    pbt_write(file, "0\n1 2\n");
    snprintf(msg, sizeof msg, "%s:2: expected one edge per line, got 2 numbers", file);
    refused(args, msg);
    pbt_write(file, "# nothing\n5\n");
    refused(args, "expected at least 2 edges (one bin), got 1");
}

/* An option given twice is refused, naming both values: the last one used to win silently
 * (--points a --points b computed the auto-correlation of b). --param repeats, but not for one
 * parameter; flags may. */
static void repeated_options(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"--points '%1$s' --points '%1$s' --strategy naive --threads 1", "--points given twice"},
        {"--points '%1$s' --strategy naive --strategy grid --threads 1",
         "--strategy given twice ('naive', then 'grid')"},
        {"--points '%1$s' --strategy naive --threads 1 --threads 2",
         "--threads given twice ('1', then '2')"},
        {"--points '%1$s' --strategy naive --threads 1 --bins 0,9,3", "--bins given twice"},
        {"--points '%1$s' --strategy naive --threads 1 --box 50 --box 60", "--box given twice"},
        {"--points '%1$s' --strategy naive --threads 1 --save '%2$s/y.csv'", "--save given twice"},
        {"--points '%1$s' --strategy grid --threads 1 --param refine=2 --param refine=3",
         "--param: refine given twice ('2', then '3')"},
    };
    char fmt[1024], args[4096], save[1200];
    snprintf(save, sizeof save, "%s/twice.csv", dir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(fmt, sizeof fmt, "%s --output histogram --bins 0,20,4 --save '%%2$s/x.csv'",
                 cases[i][0]);
        snprintf(args, sizeof args, fmt, points, dir);
        refused(args, cases[i][1]);
    }
    assert_int_equal(pbt_bench(NULL, "compute --points '%s' --strategy grid --threads 1 --output "
                               "histogram --bins 5,150,4 --param refine=2 --force --force "
                               "--save '%s'", points, save), 0);
    assert_int_equal(access(save, F_OK), 0);
}

/* The same points as a float64 .npy (n, 3): the same counts as from the text file, and the
 * timings line names loading, building (none for a strategy without a structure) and
 * counting. */
static void npy_points_and_timings(void **state)
{
    (void)state;
    double e[NBINS + 1], *xyz = malloc(3 * N * sizeof *xyz);
    uint64_t ref[NBINS], got[NBINS];
    struct pb_output out;
    char npy[1200], save[1200], *output = NULL;
    for (size_t i = 0; i < N; i++)
        xyz[3 * i] = X[i], xyz[3 * i + 1] = Y[i], xyz[3 * i + 2] = Z[i];
    snprintf(npy, sizeof npy, "%s/points.npy", dir);
    assert_int_equal(pb_npy_write(npy, xyz, "<f8", 2, N, 3, NULL), 0);
    free(xyz);
    linear_edges(e, 5, 150);
    reference(PB_OUTPUT_HISTOGRAM, e, 0, ref, &out);
    snprintf(save, sizeof save, "%s/h-npy.csv", dir);
    assert_int_equal(pbt_bench(&output, "compute --points '%s' --strategy blocked --threads 1 "
                               "--output histogram --bins 5,150,%d --save '%s'", npy, NBINS,
                               save), 0);
    read_csv(save, e, got);
    assert_memory_equal(got, ref, sizeof ref);
    double load, build, count;
    char *t = strstr(output, "time: load ");
    assert_non_null(t);
    assert_int_equal(sscanf(t, "time: load %lf s, build %lf s (no structure), count %lf s",
                            &load, &build, &count), 3);
    assert_true(load > 0 && build == 0 && count > 0);
    assert_null(strstr(output, "work:"));           /* blocked does not count evaluations */
    free(output);
}

/* --box wraps the points into [0, L) first: (0,0,0) and (350,0,0) in a box of 100 are 50
 * apart (minimum image), not 250 or 150. */
static void box_wraps_points(void **state)
{
    (void)state;
    char pts[1200], save[1200];
    uint64_t got[NBINS];
    double e[NBINS + 1];
    snprintf(pts, sizeof pts, "%s/outside.txt", dir);
    snprintf(save, sizeof save, "%s/h-outside.csv", dir);
    pbt_write(pts, "0 0 0\n350 0 0\n");
    linear_edges(e, 0, 120);                         /* bins 10 wide */
    assert_int_equal(pbt_bench(NULL, "compute --points '%s' --strategy naive --threads 1 "
                               "--output histogram --bins 0,120,%d --box 100 --save '%s'", pts,
                               NBINS, save), 0);
    read_csv(save, e, got);
    for (int b = 0; b < NBINS; b++)
        assert_int_equal(got[b], b == 5);           /* [50, 60) */
}

/* A FIFO as --points is refused at once (an ordinary open would block forever), and so are
 * coordinates whose squared distances could overflow, naming the line (double) or the point
 * (--float, whose range is smaller). */
static void bad_points_files(void **state)
{
    (void)state;
    char fifo[1200], big[1200], args[3000], cmd[4000], output[4096];
    snprintf(fifo, sizeof fifo, "%s/p.fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    snprintf(args, sizeof args, "--points '%s' --strategy naive --threads 1 --output matrix "
             "--save '%s/x.npy'", fifo, dir);
    snprintf(cmd, sizeof cmd, "timeout 20 '%s' compute %s 2>&1", PB_BENCH_PATH, args);
    FILE *p = popen(cmd, "r");                      /* timeout: a hang fails, with 124 */
    assert_non_null(p);
    size_t got = fread(output, 1, sizeof output - 1, p);
    output[got] = '\0';
    int st = pclose(p);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 2);
    assert_non_null(strstr(output, "p.fifo: not a regular file but a FIFO"));
    snprintf(big, sizeof big, "%s/big.txt", dir);
    pbt_write(big, "0 0 0\n1 2 3\n1e300 0 0\n");
    snprintf(args, sizeof args, "--points '%s' --strategy naive --threads 1 --output matrix "
             "--save '%s/x.npy'", big, dir);
    refused(args, "big.txt:3: coordinate 1e300 beyond");
    pbt_write(big, "0 0 0\n1 2 3\n3e19 0 0\n");     /* fine in double, not in float */
    snprintf(args, sizeof args, "--points '%s' --strategy naive --threads 1 --output matrix "
             "--float --save '%s/x.npy'", big, dir);
    refused(args, "big.txt: point 2 (0-based), x: coordinate 3e+19 beyond +-1e+18");
}

/* --save never replaces an existing file without --force, never the --points input (not even
 * with --force, not even through a symlink), and --force replaces a file. */
static void save_no_overwrite(void **state)
{
    (void)state;
    char save[1200], link[1200], *text;
    const char *base = "--strategy naive --threads 1 --output histogram --bins 1,100,4";
    snprintf(save, sizeof save, "%s/keep.txt", dir);
    pbt_write(save, "keep me\n");
    char args[4096];
    snprintf(args, sizeof args, "--points '%s' %s --save '%s'", points, base, save);
    refused(args, "already exists");
    text = pbt_slurp(save);
    assert_string_equal(text, "keep me\n");
    free(text);
    char *before = pbt_slurp(points);
    snprintf(args, sizeof args, "--points '%s' %s --save '%s' --force", points, base, points);
    refused(args, "is the --points input");
    snprintf(link, sizeof link, "%s/points-link.txt", dir);
    assert_int_equal(symlink(points, link), 0);
    snprintf(args, sizeof args, "--points '%s' %s --save '%s' --force", points, base, link);
    refused(args, "is the --points input");
    text = pbt_slurp(points);
    assert_string_equal(text, before);
    free(text);
    free(before);
    assert_int_equal(pbt_bench(NULL, "compute --points '%s' %s --save '%s' --force", points,
                               base, save), 0);
    text = pbt_slurp(save);
    assert_true(strncmp(text, "lo,hi,count\n", 12) == 0);
    free(text);
}

/* The sweep's memory guard: a matrix of 10^6 points (7451 GiB) is refused before anything
 * starts, exit 2, saying what it needs and what is available; nothing is saved. It used to
 * reach the strategy and fail there with "Cannot allocate memory" (exit 1). */
static void memory_guard(void **state)
{
    (void)state;
    char big[1200], save[1200], *out;
    snprintf(big, sizeof big, "%s/million.txt", dir);
    snprintf(save, sizeof save, "%s/million.npy", dir);
    FILE *f = fopen(big, "w");
    assert_non_null(f);
    for (int i = 0; i < 1000000; i++)
        fputs("1 2 3\n", f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(pbt_bench(&out, "compute --points '%s' --strategy openmp --threads 2 "
                               "--output matrix --save '%s'", big, save), 2);
    if (!strstr(out, "(1000000 points, --output matrix, openmp): needs 745") ||
        !strstr(out, " GiB available"))
        fail_msg("expected the guard's message, got \"%s\"", out);
    free(out);
    assert_int_equal(access(save, F_OK), -1);
    unlink(big);
}

/* Starts bench compute with TMPDIR=tmp on the exec strategy with a command that leaves a
 * `sleep 300` running and writes its pid to pidfile; returns bench's pid. */
static pid_t start_hanging(const char *tmp, const char *pidfile, const char *save)
{
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "command=sleep 300 & echo $! > '%s'; wait", pidfile);
    unlink(pidfile);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setenv("TMPDIR", tmp, 1);
        execl(PB_BENCH_PATH, "bench", "compute", "--points", points, "--strategy", "exec",
              "--threads", "1", "--output", "histogram", "--bins", "1,50,4", "--param", cmd,
              "--save", save, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* The pid the command wrote to pidfile, waiting for it (at most a minute: a bound, not a
 * measurement). */
static pid_t wait_pidfile(const char *pidfile)
{
    long pid = 0;
    for (int i = 0; i < 6000 && pid <= 0; i++) {
        char *text = access(pidfile, R_OK) == 0 ? pbt_slurp(pidfile) : NULL;
        pid = text && strchr(text, '\n') ? strtol(text, NULL, 10) : 0;
        free(text);
        if (pid <= 0)
            usleep(10000);
    }
    assert_true(pid > 0);
    return (pid_t)pid;
}

/* How many entries of folder start with prefix. */
static int count_entries(const char *folder, const char *prefix)
{
    DIR *d = opendir(folder);
    int n = 0;
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

/* SIGTERM, SIGINT and SIGHUP stop a computation the way they stop a sweep: the command it
 * started (a `sleep` grandchild) is killed, its private folder under $TMPDIR (with the copy of
 * the points) and the unfinished file beside --save are removed, nothing is saved, exit 130.
 * It used to die at once, leaving the command running and /tmp/pbcompute-XXXXXX behind. */
static void signals_stop_and_clean(void **state)
{
    (void)state;
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
    char tmp[1200], pidfile[1200], save[1200], prefix[64], copy[1400];
    snprintf(tmp, sizeof tmp, "%s", pbt_tmpdir("compute-signals"));
    snprintf(pidfile, sizeof pidfile, "%s/sleep.pid", dir);
    snprintf(save, sizeof save, "%s/stopped.csv", dir);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        int st;
        pid_t bench = start_hanging(tmp, pidfile, save), sleeper = wait_pidfile(pidfile);
        snprintf(prefix, sizeof prefix, "pb-run-%d-", (int)bench);
        assert_int_equal(count_entries(tmp, prefix), 1);      /* under $TMPDIR, pid named */
        assert_int_equal(kill(bench, sigs[i]), 0);
        assert_int_equal(waitpid(bench, &st, 0), bench);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 130);
        assert_true(kill(sleeper, 0) != 0 && errno == ESRCH);  /* the command's child too */
        assert_int_equal(count_entries(tmp, "pb-run-"), 0);
        assert_int_equal(count_entries(dir, "stopped.csv"), 0);  /* nor PATH.XXXXXX beside */
    }
    snprintf(copy, sizeof copy, "%s/points.txt", tmp);
    assert_int_equal(access(copy, F_OK), -1);
}

/* Makes folder tmp/pb-run-PID-NAME holding a copy of points. */
static void plant(const char *tmp, pid_t pid, const char *name, char *path, size_t cap)
{
    char file[1400];
    snprintf(path, cap, "%s/pb-run-%d-%s", tmp, (int)pid, name);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(file, sizeof file, "%s/points.txt", path);
    pbt_write(file, "1 2 3\n");
}

/* A computation removes the folders that killed computations left under $TMPDIR (their pid is
 * gone) and never a live process's. */
static void stale_folders_swept(void **state)
{
    (void)state;
    char tmp[1200], dead_dir[1300], live_dir[1300], save[1200];
    snprintf(tmp, sizeof tmp, "%s", pbt_tmpdir("compute-stale"));
    snprintf(save, sizeof save, "%s/after-stale.csv", dir);
    pid_t dead = fork();
    if (dead == 0)
        _exit(0);
    assert_int_equal(waitpid(dead, NULL, 0), dead);
    plant(tmp, dead, "AbCdEf", dead_dir, sizeof dead_dir);
    plant(tmp, getpid(), "GhIjKl", live_dir, sizeof live_dir);
    setenv("TMPDIR", tmp, 1);
    int rc = pbt_bench(NULL, "compute --points '%s' --strategy naive --threads 1 --output "
                       "histogram --bins 1,50,4 --save '%s'", points, save);
    unsetenv("TMPDIR");
    assert_int_equal(rc, 0);
    assert_int_equal(access(dead_dir, F_OK), -1);
    assert_int_equal(access(live_dir, F_OK), 0);
}

/* bench limits --json refuses an existing file before measuring anything. */
static void limits_json_no_overwrite(void **state)
{
    (void)state;
    char json[1200], *out;
    snprintf(json, sizeof json, "%s/limits.json", dir);
    pbt_write(json, "keep me\n");
    assert_int_equal(pbt_bench(&out, "limits --json '%s'", json), 2);
    assert_non_null(strstr(out, "already exists"));
    free(out);
    char *text = pbt_slurp(json);
    assert_string_equal(text, "keep me\n");
    free(text);
}

/* bench limits takes a count as digits only: a sign after a blank or a value beyond 64 bits
 * is refused (strtoull made " -5" 2^64 - 5 points and saturated the overflow). */
static void limits_counts_checked(void **state)
{
    (void)state;
    static const char *const bad[] = {"' -5'", "99999999999999999999", "-1", "+4", "0"};
    char *out;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(pbt_bench(&out, "limits --points %s", bad[i]), 2);
        if (!strstr(out, "--points: expected a positive integer"))
            fail_msg("--points %s: %s", bad[i], out);
        free(out);
    }
}

/* bench limits refuses an option given twice before measuring anything: the last value would
 * silently win. */
static void limits_repeated_options(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(pbt_bench(&out, "limits --json '%1$s/l1.json' --json '%1$s/l2.json'", dir),
                     2);
    assert_non_null(strstr(out, "--json given twice"));
    free(out);
    assert_int_equal(pbt_bench(&out, "limits --points 1000 --bytes 64 --points 2000"), 2);
    assert_non_null(strstr(out, "--points given twice ('1000', then '2000')"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(histogram_every_strategy),
        cmocka_unit_test(histogram_log_box_exec),
        cmocka_unit_test(histogram_describes_itself),
        cmocka_unit_test(matrix_npy),
        cmocka_unit_test(matrix_float),
        cmocka_unit_test(default_threads),
        cmocka_unit_test(auto_strategy),
        cmocka_unit_test(histogram_npy),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(repeated_options),
        cmocka_unit_test(npy_points_and_timings),
        cmocka_unit_test(lattice_integer_edges),
        cmocka_unit_test(explicit_edges),
        cmocka_unit_test(box_wraps_points),
        cmocka_unit_test(bad_points_files),
        cmocka_unit_test(save_no_overwrite),
        cmocka_unit_test(memory_guard),
        cmocka_unit_test(signals_stop_and_clean),
        cmocka_unit_test(stale_folders_swept),
        cmocka_unit_test(limits_json_no_overwrite),
        cmocka_unit_test(limits_counts_checked),
        cmocka_unit_test(limits_repeated_options),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
