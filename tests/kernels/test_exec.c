/* test_exec.c — the exec strategies (kernels/support/exec.h): template expansion, the files exchanged
 * with the command, the exit-77 skip, failures with their notes, and the shipped scipy/numpy
 * (and scikit-learn) scripts in kernels/python checked against naive. */
/* ctest-labels: slow */
#include "support.h"

#include "registry.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define NMAX 256
#define SCRIPTS "{python} {scripts}/"

static double X[NMAX], Y[NMAX], Z[NMAX];
static double EDGES[] = {0, 10, 20, 40, 80, 120, 160, 200};   /* 7 uneven bins */

/* n points from a fixed LCG, uniform in [0, 100)^3. */
static struct pb_problem problem(size_t n, enum pb_output_kind output, double box)
{
    uint64_t s = 12345;
    double *c[3] = {X, Y, Z};
    for (size_t i = 0; i < n; i++)
        for (int a = 0; a < 3; a++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            c[a][i] = (double)(s >> 11) / 9007199254740992.0 * 100.0;
        }
    return (struct pb_problem){.n = n, .x = X, .y = Y, .z = Z, .output = output, .box = box,
                               .nbins = 7, .edges = EDGES, .scale = PB_BINS_LINEAR};
}

/* Runs strategy name with parameters kv[nkv] at threads workers; fills out and counts. */
static int run_kv(const char *name, const struct pb_problem *p, const struct pb_kv *kv,
                  size_t nkv, int threads, struct pb_output *out, uint64_t *counts)
{
    struct pb_params prm = {.threads = threads, .ranks = 1, .kv = kv, .nkv = nkv,
                            .tmpdir = pbt_tmpdir(name)};
    memset(out, 0, sizeof *out);
    memset(counts, 0, 16 * sizeof *counts);
    out->counts = counts;
    const struct pb_strategy *s = pb_registry_find(name);
    assert_non_null(s);
    return s->run(p, &prm, out);
}

/* Runs strategy name with the given command at threads workers; fills out. */
static int run_exec(const char *name, const struct pb_problem *p, const char *cmd, int threads,
                    const char *timing, struct pb_output *out, uint64_t *counts)
{
    struct pb_kv kv[] = {{"command", cmd}, {"python", "/usr/bin/python3"}, {"timing", timing}};
    return run_kv(name, p, kv, 3, threads, out, counts);
}

static void release(struct pb_output *out)
{
    if (out->matrix)
        munmap(out->matrix, out->matrix_bytes);
    out->matrix = NULL;
}

/* The registered flags: exec is serial, exec-parallel is swept over threads; both external. */
static void flags(void **state)
{
    (void)state;
    assert_int_equal(pb_registry_find("exec")->flags, PB_EXTERNAL | PB_SERIAL);
    assert_int_equal(pb_registry_find("exec-parallel")->flags, PB_EXTERNAL);
}

/* A shell command's CSV is read bin by bin, header skipped; placeholders expand as documented. */
static void shell_histogram(void **state)
{
    (void)state;
    struct pb_problem p = problem(5, PB_OUTPUT_HISTOGRAM, 0);
    struct pb_output out;
    uint64_t c[16];
    const char *cmd = "printf 'lo,hi,count\\n0,10,1\\n10,20,2\\n20,40,3\\n40,80,4\\n80,120,5\\n"
                      "120,160,6\\n\\n160,200,7\\n' > {out}";
    assert_int_equal(run_exec("exec-parallel", &p, cmd, 3, "process", &out, c), 0);
    for (int b = 0; b < 7; b++)
        assert_int_equal(c[b], b + 1);
}

/* What the placeholders expand to for p: the text the command wrote (malloc'd). */
static char *placeholders_seen(const struct pb_problem *p)
{
    struct pb_kv kv[] = {{"command", "printf '%s|' {n} {threads} {output} {bins} {box} > "
                          "{tmpdir}/seen; wc -l < {points} >> {tmpdir}/seen; "
                          "wc -l < {edges} >> {tmpdir}/seen; exit 5"},
                         {"python", "/usr/bin/python3"}, {"timing", "process"}};
    const char *dir = pbt_tmpdir("exec-values");
    struct pb_params prm = {.threads = 3, .ranks = 1, .kv = kv, .nkv = 3, .tmpdir = dir};
    struct pb_output out = {0};
    uint64_t c[16] = {0};
    out.counts = c;
    assert_int_equal(pb_registry_find("exec-parallel")->run(p, &prm, &out), -EIO);
    assert_non_null(strstr(out.note, "exited 5"));
    char path[1100];
    snprintf(path, sizeof path, "%s/seen", dir);
    return pbt_slurp(path);
}

/* The placeholder values themselves, read back from a file the command wrote; {bins} names
 * explicit edges as such (they are only in {edges}). */
static void placeholder_values(void **state)
{
    (void)state;
    struct pb_problem p = problem(5, PB_OUTPUT_HISTOGRAM, 250);
    p.scale = PB_BINS_LOG;
    char *seen = placeholders_seen(&p);
    assert_non_null(seen);
    assert_string_equal(seen, "5|3|histogram|0,200,7,log|250|5\n8\n");
    free(seen);
    p.scale = PB_BINS_EXPLICIT;
    seen = placeholders_seen(&p);
    assert_non_null(seen);
    assert_string_equal(seen, "5|3|histogram|0,200,7,explicit|250|5\n8\n");
    free(seen);
}

/* A matrix written by numpy.save is read into the output mapping, value for value. */
static void python_matrix(void **state)
{
    (void)state;
    struct pb_problem p = problem(3, PB_OUTPUT_MATRIX, 0);
    struct pb_output out;
    uint64_t c[16];
    const char *cmd = "{python} -c \"import numpy, sys; "
                      "numpy.save(sys.argv[1], numpy.arange(9.0).reshape(3, 3) / 4)\" {out}";
    assert_int_equal(run_exec("exec", &p, cmd, 1, "process", &out, c), 0);
    assert_non_null(out.matrix);
    for (int i = 0; i < 9; i++)
        assert_true(((double *)out.matrix)[i] == i / 4.0);
    release(&out);
}

/* Exit 77 is "cannot run here": -ENOTSUP with the command's last output line as the note. */
static void exit77_skips(void **state)
{
    (void)state;
    struct pb_problem p = problem(4, PB_OUTPUT_HISTOGRAM, 0);
    struct pb_output out;
    uint64_t c[16];
    const char *cmd = "echo starting; echo 'python3-scipy not installed' >&2; exit 77";
    assert_int_equal(run_exec("exec", &p, cmd, 1, "process", &out, c), -ENOTSUP);
    assert_string_equal(out.note, "python3-scipy not installed");
}

/* Failures: no output file, a wrong shape, a bad CSV, an unknown placeholder, {threads} in a
 * serial command, no command, a signal. Each returns an error with a note that says which. */
static void failures(void **state)
{
    (void)state;
    struct pb_problem h = problem(4, PB_OUTPUT_HISTOGRAM, 0), m = problem(4, PB_OUTPUT_MATRIX, 0);
    struct pb_output out;
    uint64_t c[16];
    assert_int_equal(run_exec("exec", &h, "true", 1, "process", &out, c), -ENOENT);
    assert_non_null(strstr(out.note, "wrote no"));
    assert_int_equal(run_exec("exec", &m, "{python} -c \"import numpy, sys; numpy.save("
                              "sys.argv[1], numpy.zeros((3, 4)))\" {out}", 1, "process", &out, c),
                     -EINVAL);
    assert_non_null(strstr(out.note, "(4, 4)"));
    release(&out);
    assert_int_equal(run_exec("exec", &h, "printf '0,10,1\\n10,20,x\\n' > {out}", 1, "process",
                              &out, c), -EINVAL);
    assert_non_null(strstr(out.note, "bin 1"));
    assert_int_equal(run_exec("exec", &h, "printf '0,11,1\\n' > {out}", 1, "process", &out, c),
                     -EINVAL);
    assert_non_null(strstr(out.note, "bin 0 is [0, 11)"));
    assert_int_equal(run_exec("exec", &h, "echo {nope} > {out}", 1, "process", &out, c), -EINVAL);
    assert_non_null(strstr(out.note, "command: unknown placeholder {nope} (known: {n} "));
    assert_int_equal(run_exec("exec", &h, "echo {threads}", 1, "process", &out, c), -EINVAL);
    assert_non_null(strstr(out.note, "exec-parallel"));
    assert_int_equal(run_exec("exec", &h, "", 1, "process", &out, c), -EINVAL);
    assert_non_null(strstr(out.note, "command"));
    assert_int_equal(run_exec("exec", &h, "kill -TERM $$", 1, "process", &out, c), -EIO);
    assert_non_null(strstr(out.note, "signal 15"));
}

/* A count with a sign or beyond 64 bits is no count: the run fails with the line quoted, never
 * reads "-1" as 2^64 - 1 or saturates an overflow. Blanks before a count are allowed. */
static void bad_counts(void **state)
{
    (void)state;
    struct pb_problem h = problem(4, PB_OUTPUT_HISTOGRAM, 0);
    struct pb_output out;
    uint64_t c[16];
    static const char *const bad[] = {"-1", "+3", "18446744073709551616", "99999999999999999999999",
                                      "0x10", ""};
    char cmd[200];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(cmd, sizeof cmd, "printf '0,10,%s\\n' > {out}", bad[i]);
        assert_int_equal(run_exec("exec", &h, cmd, 1, "process", &out, c), -EINVAL);
        if (!strstr(out.note, "out.csv line for bin 0 is not \"lo,hi,count\""))
            fail_msg("count '%s': %s", bad[i], out.note);
        assert_int_equal(c[0], 0);
    }
    assert_int_equal(run_exec("exec", &h, "printf '0,10, 18446744073709551615\\n10,20,0\\n"
                              "20,40,0\\n40,80,0\\n80,120,0\\n120,160,0\\n160,200,0\\n' > {out}",
                              1, "process", &out, c), 0);
    assert_true(c[0] == UINT64_MAX);
}

/* timing=script reports the seconds the command wrote to {time}; missing seconds fail. */
static void script_timing(void **state)
{
    (void)state;
    struct pb_problem p = problem(0, PB_OUTPUT_MATRIX, 0);
    struct pb_output out;
    uint64_t c[16];
    const char *cmd = SCRIPTS "cdist.py --output {output} --points {points} --out {out} "
                      "--time {time} && echo 0.25 > {time}";
    assert_int_equal(run_exec("exec", &p, cmd, 1, "script", &out, c), 0);
    assert_true(out.self_wall_s == 0.25);
    release(&out);
    cmd = SCRIPTS "cdist.py --output {output} --points {points} --out {out}";
    assert_int_equal(run_exec("exec", &p, cmd, 1, "script", &out, c), -EIO);
    release(&out);
}

/* naive's answer for p: counts into ref, or the matrix into *mref (caller munmaps). */
static void naive(const struct pb_problem *p, uint64_t *ref, struct pb_output *mref)
{
    struct pb_params prm = {.threads = 1, .ranks = 1};
    memset(mref, 0, sizeof *mref);
    memset(ref, 0, 16 * sizeof *ref);
    mref->counts = ref;
    assert_int_equal(pb_registry_find("naive")->run(p, &prm, mref), 0);
}

/* A script's histogram equals naive's counts exactly. */
static void check_hist(const char *name, const char *cmd, double box, int threads)
{
    struct pb_problem p = problem(200, PB_OUTPUT_HISTOGRAM, box);
    struct pb_output out, ref_out;
    uint64_t c[16], ref[16];
    naive(&p, ref, &ref_out);
    assert_int_equal(run_exec(name, &p, cmd, threads, "process", &out, c), 0);
    assert_memory_equal(c, ref, 7 * sizeof *c);
    uint64_t total = 0;
    for (int b = 0; b < 7; b++)
        total += c[b];
    assert_true(total > 0);
}

/* A script's matrix equals naive's within 1e-12 relative. */
static void check_matrix(const char *name, const char *cmd, double box, int threads)
{
    struct pb_problem p = problem(200, PB_OUTPUT_MATRIX, box);
    struct pb_output out, ref_out;
    uint64_t c[16], ref[16];
    naive(&p, ref, &ref_out);
    assert_int_equal(run_exec(name, &p, cmd, threads, "process", &out, c), 0);
    const double *a = out.matrix, *b = ref_out.matrix;
    for (size_t i = 0; i < 200 * 200; i++)
        assert_true(fabs(a[i] - b[i]) <= 1e-12 * fabs(b[i]));
    release(&out);
    release(&ref_out);
}

#define ARGS "--output {output} --points {points} --edges {edges} --box {box} --out {out}"

/* The shipped scripts against naive at n = 200 (uneven bins, some distances past the last). */
static void scipy_scripts(void **state)
{
    (void)state;
    check_hist("exec", SCRIPTS "pdist_hist.py " ARGS, 0, 1);
    check_matrix("exec", SCRIPTS "cdist.py " ARGS, 0, 1);
    check_hist("exec-parallel", SCRIPTS "pool_map.py --threads {threads} " ARGS, 0, 2);
    check_matrix("exec-parallel", SCRIPTS "pool_map.py --threads {threads} " ARGS, 0, 2);
    check_hist("exec-parallel", SCRIPTS "pool_map.py --threads {threads} " ARGS, 60, 2);
    check_matrix("exec-parallel", SCRIPTS "pool_map.py --threads {threads} " ARGS, 60, 1);
}

/* The study's methods against naive: the pure loop, Numba serial and parallel, and Pool.map,
 * apply_async and Process + Queue with per-row tasks, one chunk per worker and a count; with
 * and without a periodic box. */
static void study_scripts(void **state)
{
    (void)state;
    static const char *const pools[] = {"pool_map.py", "pool_async.py", "process_queue.py"};
    static const char *const tasks[] = {"rows", "workers", "3"};
    char cmd[512];
    check_hist("exec", SCRIPTS "python_loop.py " ARGS, 0, 1);
    check_matrix("exec", SCRIPTS "python_loop.py " ARGS, 60, 1);
    check_hist("exec", SCRIPTS "numba_loop.py " ARGS, 60, 1);
    check_matrix("exec", SCRIPTS "numba_loop.py " ARGS, 0, 1);
    check_hist("exec-parallel", SCRIPTS "numba_loop.py --parallel --threads {threads} " ARGS, 0, 3);
    check_matrix("exec-parallel", SCRIPTS "numba_loop.py --parallel --threads {threads} " ARGS,
                 60, 2);
    for (int s = 0; s < 3; s++)
        for (int t = 0; t < 3; t++) {
            snprintf(cmd, sizeof cmd, SCRIPTS "%s --threads {threads} --tasks %s " ARGS,
                     pools[s], tasks[t]);
            check_hist("exec-parallel", cmd, t == 1 ? 60 : 0, 2);
            check_matrix("exec-parallel", cmd, t == 2 ? 60 : 0, t + 1);
        }
}

/* The optional Cython build of the loop: translated and compiled per run (build_s), counts
 * equal naive's in a periodic box; without cython3 on PATH the row is skipped with the reason. */
static void cython_loop(void **state)
{
    (void)state;
    struct pb_problem p = problem(200, PB_OUTPUT_HISTOGRAM, 60);
    struct pb_output out, ref_out;
    uint64_t c[16], ref[16];
    naive(&p, ref, &ref_out);
    assert_int_equal(run_exec("exec", &p, SCRIPTS "cython_loop.py --setup {setup} " ARGS, 1,
                              "process", &out, c), 0);
    assert_memory_equal(c, ref, 7 * sizeof *c);
    print_message("cython: translate and compile %.2f s\n", out.build_s);
    assert_true(out.build_s > 0);
    assert_int_equal(run_exec("exec", &p, "PATH=/nonexistent " SCRIPTS "cython_loop.py " ARGS, 1,
                              "process", &out, c), -ENOTSUP);
    assert_string_equal(out.note, "cython3 not installed");
}

/* A --tasks value that is neither rows, workers nor a count is refused by the script. */
static void bad_tasks(void **state)
{
    (void)state;
    struct pb_problem p = problem(10, PB_OUTPUT_MATRIX, 0);
    struct pb_output out;
    uint64_t c[16];
    assert_int_equal(run_exec("exec-parallel", &p, SCRIPTS "pool_map.py --tasks 0 " ARGS, 2,
                              "process", &out, c), -EIO);
    assert_non_null(strstr(out.note, "--tasks takes rows, workers or a positive count"));
}

/* Numba's JIT compile and its steady-state compute are two numbers: the compile (warm-up call)
 * in build_s from {setup}, the timed call as the row's time from {time}. */
static void numba_jit_apart(void **state)
{
    (void)state;
    struct pb_problem p = problem(100, PB_OUTPUT_HISTOGRAM, 0);
    struct pb_output out;
    uint64_t c[16];
    assert_int_equal(run_exec("exec-parallel", &p, SCRIPTS "numba_loop.py --parallel --threads "
                              "{threads} --setup {setup} --time {time} " ARGS, 2, "script", &out,
                              c), 0);
    print_message("numba-parallel n=100: JIT %.3f s, compute %.6f s\n", out.build_s,
                  out.self_wall_s);
    assert_true(out.build_s > 0 && out.self_wall_s > 0);
    assert_true(out.build_s > out.self_wall_s);   /* compiling costs more than 4950 pairs */
    assert_int_equal(run_exec("exec", &p, SCRIPTS "pdist_hist.py " ARGS, 1, "process", &out, c),
                     0);
    assert_true(out.build_s == 0);                /* no {setup} written: no setup reported */
    assert_int_equal(run_exec("exec", &p, "echo soon > {setup}; " SCRIPTS "pdist_hist.py " ARGS,
                              1, "process", &out, c), -EIO);
    assert_non_null(strstr(out.note, "{setup}"));
}

/* Runs the named method name on p at threads workers with interpreter python and tasks
 * (NULL: not given); fills out and counts. */
static int run_method(const char *name, const struct pb_problem *p, const char *python,
                      const char *tasks, int threads, struct pb_output *out, uint64_t *counts)
{
    struct pb_kv kv[] = {{"python", python}, {"timing", "script"}, {"cost_factor", "0"},
                         {"tasks", tasks}};
    return run_kv(name, p, kv, tasks ? 4 : 3, threads, out, counts);
}

/* The named methods run their script without a configured command and equal naive; a missing
 * dependency (here the interpreter) skips the run with "needs PACKAGE"; a tasks value that is
 * no rows, workers or count is refused before anything runs. */
static void named_methods(void **state)
{
    (void)state;
    struct pb_problem p = problem(80, PB_OUTPUT_HISTOGRAM, 0);
    struct pb_output out, ref_out;
    uint64_t c[16], ref[16];
    naive(&p, ref, &ref_out);
    assert_true(pb_registry_find("numba")->flags & PB_SERIAL);
    assert_false(pb_registry_find("pool-map")->flags & PB_SERIAL);
    assert_int_equal(run_method("numba", &p, "/usr/bin/python3", NULL, 1, &out, c), 0);
    assert_memory_equal(c, ref, 7 * sizeof *c);
    assert_true(out.self_wall_s > 0 && out.build_s > 0);
    assert_int_equal(run_method("pool-map", &p, "/usr/bin/python3", "7", 2, &out, c), 0);
    assert_memory_equal(c, ref, 7 * sizeof *c);
    assert_int_equal(run_method("numba", &p, "/nonexistent/python3", NULL, 1, &out, c),
                     -ENOTSUP);
    assert_string_equal(out.note, "needs python3-numba (/nonexistent/python3 cannot import "
                        "numba)");
    assert_int_equal(run_method("pool-map", &p, "/usr/bin/python3", "0", 2, &out, c), -EINVAL);
    assert_non_null(strstr(out.note, "rows, workers or a positive count"));
}

/* A shell prefix that runs what follows with each of the modules (space-separated) replaced by
 * a package that fails to import, ahead on PYTHONPATH: the machine then lacks them. */
static void hiding(const char *modules, char *buf, size_t size)
{
    snprintf(buf, size, "for m in %s; do mkdir -p {tmpdir}/hide/$m && echo 'raise "
             "ImportError(\"hidden\")' > {tmpdir}/hide/$m/__init__.py; done; "
             "PYTHONPATH={tmpdir}/hide ", modules);
}

/* Without numba the Numba rows are skipped with the reason; the pure loop, which needs neither
 * numba nor numpy, still runs and verifies. */
static void numba_missing_skips(void **state)
{
    (void)state;
    struct pb_problem p = problem(50, PB_OUTPUT_HISTOGRAM, 0);
    struct pb_output out, ref_out;
    uint64_t c[16], ref[16];
    char hide[256], cmd[1024];
    hiding("numba", hide, sizeof hide);
    snprintf(cmd, sizeof cmd, "%s" SCRIPTS "numba_loop.py --parallel --threads {threads} " ARGS,
             hide);
    assert_int_equal(run_exec("exec-parallel", &p, cmd, 2, "process", &out, c), -ENOTSUP);
    assert_non_null(strstr(out.note, "python3-numba not installed"));
    hiding("numba numpy scipy", hide, sizeof hide);
    snprintf(cmd, sizeof cmd, "%s" SCRIPTS "python_loop.py " ARGS, hide);
    naive(&p, ref, &ref_out);
    assert_int_equal(run_exec("exec", &p, cmd, 1, "process", &out, c), 0);
    assert_memory_equal(c, ref, 7 * sizeof *c);
    snprintf(cmd, sizeof cmd, "%s" SCRIPTS "pool_async.py " ARGS, hide);
    assert_int_equal(run_exec("exec-parallel", &p, cmd, 1, "process", &out, c), -ENOTSUP);
    assert_non_null(strstr(out.note, "python3-numpy not installed"));
}

/* cdist has no periodic box: the script exits 77 and the run is skipped with that reason. */
static void scipy_box_skipped(void **state)
{
    (void)state;
    struct pb_problem p = problem(10, PB_OUTPUT_MATRIX, 60);
    struct pb_output out;
    uint64_t c[16];
    assert_int_equal(run_exec("exec", &p, SCRIPTS "cdist.py " ARGS, 1, "process", &out, c),
                     -ENOTSUP);
    assert_non_null(strstr(out.note, "periodic"));
}

/* The tree-code baselines (scipy cKDTree.count_neighbors, scikit-learn two_point_correlation)
 * equal naive at n = 200, open and (cKDTree) periodic, with the first edge at 0; n = 0 and 1 give
 * empty bins; with exit 77, sklearn refuses a periodic box, cKDTree points outside it, and both
 * a matrix. */
static void tree_scripts(void **state)
{
    (void)state;
    struct pb_problem p;
    struct pb_output out;
    uint64_t c[16];
    check_hist("exec", SCRIPTS "ckdtree.py " ARGS, 0, 1);
    check_hist("exec", SCRIPTS "ckdtree.py " ARGS, 100, 1);
    check_hist("exec", SCRIPTS "sklearn_2pcf.py " ARGS, 0, 1);
    for (size_t n = 0; n < 2; n++) {
        p = problem(n, PB_OUTPUT_HISTOGRAM, 0);
        assert_int_equal(run_exec("exec", &p, SCRIPTS "ckdtree.py " ARGS, 1, "process", &out, c),
                         0);
        for (int b = 0; b < 7; b++)
            assert_int_equal(c[b], 0);
    }
    p = problem(10, PB_OUTPUT_HISTOGRAM, 60);
    assert_int_equal(run_exec("exec", &p, SCRIPTS "sklearn_2pcf.py " ARGS, 1, "process", &out, c),
                     -ENOTSUP);
    assert_non_null(strstr(out.note, "periodic"));
    assert_int_equal(run_exec("exec", &p, SCRIPTS "ckdtree.py " ARGS, 1, "process", &out, c),
                     -ENOTSUP);
    assert_non_null(strstr(out.note, "needs points in [0, 60)"));
    p = problem(10, PB_OUTPUT_MATRIX, 0);
    assert_int_equal(run_exec("exec", &p, SCRIPTS "ckdtree.py " ARGS, 1, "process", &out, c),
                     -ENOTSUP);
    assert_non_null(strstr(out.note, "histogram output"));
}

/* A distance exactly on an edge counts in the bin it opens; one exactly on the last edge is
 * out of range (half-open bins), though numpy.histogram alone would count it. */
static void edge_ties(void **state)
{
    (void)state;
    struct pb_problem p = problem(3, PB_OUTPUT_HISTOGRAM, 0);
    X[0] = Y[0] = Z[0] = 0;
    X[1] = 20; Y[1] = Z[1] = 0;                   /* 0-1: 20, an inner edge */
    X[2] = 0; Y[2] = 200; Z[2] = 0;               /* 0-2: 200, the last edge */
    struct pb_output out, ref_out;
    uint64_t c[16], ref[16];
    naive(&p, ref, &ref_out);
    assert_int_equal(run_exec("exec", &p, SCRIPTS "pdist_hist.py " ARGS, 1, "process", &out, c), 0);
    assert_memory_equal(c, ref, 7 * sizeof *c);
    assert_int_equal(run_exec("exec", &p, SCRIPTS "ckdtree.py " ARGS, 1, "process", &out, c), 0);
    assert_memory_equal(c, ref, 7 * sizeof *c);   /* the tree counts d < edge the same way */
    assert_int_equal(c[2], 1);                    /* [20, 40) */
    assert_int_equal(c[6], 0);                    /* 0-2 is 200, 1-2 is 201: both outside */
    assert_int_equal(c[0] + c[1] + c[3] + c[4] + c[5], 0);
}

/* A quoted substitution is never cut: a {scripts} folder of 9,000 bytes, half of them single
 * quotes (each written as '\'' for the shell, 22,500 bytes in all), reaches the command
 * whole. A fixed buffer once held 8,200 bytes of it. */
static void long_quoted_value_whole(void **state)
{
    (void)state;
    struct pb_problem h = problem(4, PB_OUTPUT_HISTOGRAM, 0);
    struct pb_output out;
    uint64_t c[16];
    char *dir = malloc(9001), seen[1100], cmd[1300];
    assert_non_null(dir);
    for (int i = 0; i < 9000; i++)
        dir[i] = i % 2 ? '\'' : 'q';
    dir[0] = '/';
    dir[9000] = '\0';
    snprintf(seen, sizeof seen, "%s/seen.txt", pbt_tmpdir("exec-quoted"));
    snprintf(cmd, sizeof cmd, "printf '%%s' {scripts} > '%s' && exit 3", seen);
    setenv("PB_SCRIPTS_DIR", dir, 1);
    assert_int_equal(run_exec("exec", &h, cmd, 1, "process", &out, c), -EIO);
    unsetenv("PB_SCRIPTS_DIR");
    char *got = pbt_slurp(seen);
    assert_non_null(got);
    assert_int_equal(strlen(got), 9000);
    assert_string_equal(got, dir);
    free(got);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flags),
        cmocka_unit_test(shell_histogram),
        cmocka_unit_test(placeholder_values),
        cmocka_unit_test(python_matrix),
        cmocka_unit_test(exit77_skips),
        cmocka_unit_test(failures),
        cmocka_unit_test(bad_counts),
        cmocka_unit_test(script_timing),
        cmocka_unit_test(scipy_scripts),
        cmocka_unit_test(scipy_box_skipped),
        cmocka_unit_test(tree_scripts),
        cmocka_unit_test(study_scripts),
        cmocka_unit_test(bad_tasks),
        cmocka_unit_test(cython_loop),
        cmocka_unit_test(numba_jit_apart),
        cmocka_unit_test(numba_missing_skips),
        cmocka_unit_test(named_methods),
        cmocka_unit_test(edge_ties),
        cmocka_unit_test(long_quoted_value_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
