/* test_main.c — the bench command line end to end: the smoke sweep's files and rows, exit
 * statuses, refusal to overwrite, dry run, bad input, and a strategy added by copying one file. */
/* ctest-labels: slow */
#include "support.h"

#include "results.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Number of lines in text that contain needle. */
static int count_lines_with(const char *text, const char *needle)
{
    int n = 0;
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char buf[4096];
        snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), line);
        n += strstr(buf, needle) != NULL;
        line = end ? end + 1 : NULL;
    }
    return n;
}

static int file_exists(const char *dir, const char *name)
{
    char path[2048];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 && st.st_size > 0;
}

/* The smoke sweep: every row ok and verified, every output file present and non-empty. */
static void test_smoke_sweep(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("main-smoke");
    char *out;
    int rc = pbt_bench(&out, "--config configs/smoke.json --out '%s' --quiet", dir);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "0 failed, 0 not verified, 0 skipped"));
    free(out);
    char path[2048];
    snprintf(path, sizeof path, "%s/smoke.csv", dir);
    char *csv = pbt_slurp(path);
    assert_non_null(csv);
    assert_true(strncmp(csv, "strategy,params,output,n,threads,repeat,wall_s,user_s,sys_s,"
                        "peak_rss_kib,pairs_per_s,verified,status", 96) == 0);
    /* 6 strategies; sizes 1,7,200,1001; serial ones at 1 thread, parallel at 1 and 2 */
    int per_size = 2 + 4 * 2, runs = 4 * per_size * 2, warm = 4 * per_size;
    assert_int_equal(count_lines_with(csv, ",run,"), runs);
    assert_int_equal(count_lines_with(csv, ",warmup,"), warm);
    assert_int_equal(count_lines_with(csv, ",overhead,"), per_size * 2);
    assert_int_equal(count_lines_with(csv, ",yes,ok,run,"), runs);
    free(csv);
    const char *files[] = {"smoke_summary.csv", "smoke.json", "smoke.html", "smoke_time.gp",
                           "smoke_memory.gp", "smoke_speedup.gp", "smoke_throughput.gp",
                           "smoke_time.png", "smoke_time.svg", "smoke_memory.png"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        if (!file_exists(dir, files[i]))
            fail_msg("missing or empty: %s/%s", dir, files[i]);
    snprintf(path, sizeof path, "%s/smoke_time.gp", dir);
    char *gp = pbt_slurp(path);
    assert_non_null(strstr(gp, "smoke_summary.csv"));
    free(gp);
}

/* A second sweep into the same folder is refused, and the first results stay as they were. */
static void test_refuses_overwrite(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("main-overwrite");
    char path[2048], *out;
    snprintf(path, sizeof path, "%s/smoke.csv", dir);
    pbt_write(path, "keep me\n");
    int rc = pbt_bench(&out, "--config configs/smoke.json --out '%s' --quiet", dir);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "already exists"));
    assert_non_null(strstr(out, "--resume"));
    free(out);
    char *kept = pbt_slurp(path);
    assert_string_equal(kept, "keep me\n");
    free(kept);
}

/* Bad input: exit 2, one message naming the place, and no file written. */
static void test_bad_input(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("main-bad");
    char cfg[2048], out_dir[2048], *out;
    snprintf(cfg, sizeof cfg, "%s/bad.json", dir);
    snprintf(out_dir, sizeof out_dir, "%s/out", dir);
    pbt_write(cfg, "{\"name\": \"bad\", \"output\": {\"kind\": \"histogram\",\n"
                   " \"bins\": {\"min\": 1, \"max\": 2, \"count\": 4}},\n"
                   " \"sizes\": [10, -5], \"strategies\": [\"naive\"]}\n");
    assert_int_equal(pbt_bench(&out, "--config '%s' --out '%s'", cfg, out_dir), 2);
    assert_non_null(strstr(out, "bad.json:3:"));
    assert_non_null(strstr(out, "sizes[1]"));
    free(out);
    assert_int_equal(access(out_dir, F_OK), -1);
    assert_int_equal(pbt_bench(&out, "--config '%s/missing.json'", dir), 2);
    assert_non_null(strstr(out, "missing.json"));
    free(out);
    assert_int_equal(pbt_bench(&out, "--frobnicate"), 2);
    assert_non_null(strstr(out, "unknown argument: --frobnicate"));
    free(out);
    /* an output path below a regular file cannot be a folder */
    assert_int_equal(pbt_bench(&out, "--config configs/smoke.json --out '%s/sub'", cfg), 2);
    assert_non_null(strstr(out, "cannot create output folder"));
    free(out);
}

/* A single-valued option given twice is refused with both values, nothing written: the last
 * one used to win silently (--config a --config b ran b alone). --plugin repeats. */
static void test_repeated_options(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("main-twice");
    static const char *const cases[][2] = {
        {"--config configs/smoke.json --config configs/paper.json",
         "--config given twice ('configs/smoke.json', then 'configs/paper.json')"},
        {"--config configs/smoke.json --out '%1$s/a' --out '%1$s/b'", "--out given twice"},
        {"--config configs/smoke.json --order config --order random", "--order given twice"},
    };
    char fmt[512], *out;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(fmt, sizeof fmt, "%s --dry-run", cases[i][0]);
        assert_int_equal(pbt_bench(&out, fmt, dir), 2);
        if (!strstr(out, cases[i][1]))
            fail_msg("'%s' printed \"%s\", expected '%s'", cases[i][0], out, cases[i][1]);
        free(out);
    }
    assert_int_equal(access(dir, F_OK), 0);
    char sub[1200];
    snprintf(sub, sizeof sub, "%s/a", dir);
    assert_int_equal(access(sub, F_OK), -1);
}

/* --dry-run prints the plan with estimates and writes nothing. */
static void test_dry_run(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("main-dry");
    char *out;
    assert_int_equal(pbt_bench(&out, "--config configs/smoke.json --out '%s/x' --dry-run", dir), 0);
    assert_non_null(strstr(out, "est. MiB"));
    assert_non_null(strstr(out, "140 runs"));
    free(out);
    char path[2048];
    snprintf(path, sizeof path, "%s/x", dir);
    assert_int_equal(access(path, F_OK), -1);
}

/* --list names the six core strategies with their summaries and parameters. */
static void test_list(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(pbt_bench(&out, "--list"), 0);
    const char *names[] = {"naive ", "blocked ", "chunked-fork ", "pthread-map ",
                           "pthread-async ", "openmp "};
    for (size_t i = 0; i < 6; i++)
        if (!strstr(out, names[i]))
            fail_msg("--list lacks %s:\n%s", names[i], out);
    assert_non_null(strstr(out, "transport = shm"));
    free(out);
    assert_int_equal(pbt_bench(&out, "--version"), 0);
    assert_non_null(strstr(out, "pairbench"));
    free(out);
}

/* Writes config text as DIR/NAME.config in a fresh folder for tag, runs a quiet sweep of it into
 * that folder, checks the exit status, and returns the CSV (malloc'd). *out gets bench's
 * output and *dir (when dir is non-NULL) the folder, both for further checks. */
static char *sweep_text(const char *tag, const char *name, const char *text, int status,
                        char **out, const char **dir)
{
    char cfg[2048], path[2048];
    const char *d = pbt_tmpdir(tag);
    if (dir)
        *dir = d;
    snprintf(cfg, sizeof cfg, "%s/%s.config", d, name);    /* not NAME.json: an output */
    pbt_write(cfg, text);
    assert_int_equal(pbt_bench(out, "--config '%s' --out '%s' --quiet", cfg, d), status);
    snprintf(path, sizeof path, "%s/%s.csv", d, name);
    char *csv = pbt_slurp(path);
    assert_non_null(csv);
    return csv;
}

/* The path after "results: " in a sweep's output, into buf; fails the test when absent. */
static void results_path(const char *out, char *buf, size_t size)
{
    const char *p = strstr(out, "results: ");
    if (!p)
        fail_msg("no results line in: %s", out);
    p += strlen("results: ");
    snprintf(buf, size, "%.*s", (int)strcspn(p, "\n"), p);
}

/* --history: two sweeps of one config into one folder keep both result sets, each in a run
 * folder of its own; latest names the second; the compare command the second prints runs
 * (exit 0 or 1, never 2), and so does `bench compare SET`. --resume continues the newest run
 * folder; --force is refused. The first sweep's results used to be replaced (--force). */
static void test_history_accumulates(void **state)
{
    (void)state;
    const char *d = pbt_tmpdir("main-history");
    char dir[1024], cfg[2048], first[2048], second[2048], link[2048], target[256], *out;
    snprintf(dir, sizeof dir, "%s", d);
    snprintf(cfg, sizeof cfg, "%s/hist.config", dir);
    pbt_write(cfg, "{\"name\": \"hist\", \"output\": {\"kind\": \"histogram\",\n"
                   " \"bins\": {\"min\": 0, \"max\": 2000, \"count\": 8}}, \"sizes\": [60],\n"
                   " \"repeats\": 2, \"warmup\": 0, \"overhead\": false,\n"
                   " \"strategies\": [\"naive\"]}\n");
    const char *args = "--config '%s' --out '%s/res' --history --quiet --no-render";
    assert_int_equal(pbt_bench(&out, args, cfg, dir), 0);
    results_path(out, first, sizeof first);
    assert_non_null(strstr(out, "nothing to compare it with yet"));
    free(out);
    assert_int_equal(pbt_bench(&out, args, cfg, dir), 0);
    results_path(out, second, sizeof second);
    assert_string_not_equal(first, second);
    assert_int_equal(access(first, R_OK), 0);         /* both result sets remain */
    assert_int_equal(access(second, R_OK), 0);
    snprintf(link, sizeof link, "%s/res/hist/latest", dir);
    ssize_t len = readlink(link, target, sizeof target - 1);
    assert_true(len > 0);
    target[len] = '\0';
    *strrchr(second, '/') = '\0';                      /* the run folder */
    assert_string_equal(strrchr(second, '/') + 1, target);
    const char *cmd = strstr(out, "compare with the previous run:\n  ");
    assert_non_null(cmd);
    cmd += strlen("compare with the previous run:\n  ");
    char line[8192];
    snprintf(line, sizeof line, "%.*s >/dev/null 2>&1", (int)strcspn(cmd, "\n"), cmd);
    assert_non_null(strstr(line, second));
    int st = system(line);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) <= 1);
    free(out);
    int rc = pbt_bench(&out, "compare '%s/res/hist'", dir);
    assert_true(rc == 0 || rc == 1);
    assert_non_null(strstr(out, second));
    free(out);
    assert_int_equal(pbt_bench(&out, "--config '%s' --out '%s/res' --history --resume --quiet "
                               "--no-render", cfg, dir), 0);
    assert_non_null(strstr(out, second));              /* continued, no third folder */
    free(out);
    assert_int_equal(pbt_bench(&out, "--config '%s' --out '%s/res' --history --force", cfg,
                               dir), 2);
    assert_non_null(strstr(out, "--history never replaces results"));
    free(out);
    assert_int_equal(pbt_bench(&out, "compare '%s/res/hist/none'", dir), 2);
    free(out);
    /* a sweep refused before its first row leaves no run folder behind */
    snprintf(line, sizeof line, "TMPDIR='%s/none' '%s' --config '%s' --out '%s/res2' "
             "--history >/dev/null 2>&1", dir, PB_BENCH_PATH, cfg, dir);
    st = system(line);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 2);
    snprintf(line, sizeof line, "%s/res2/hist", dir);
    assert_int_equal(access(line, F_OK), -1);
}

/* A bare config name from another folder is the shipped one, and bench says which file it
 * used: the source tree's configs/ for this build, share/pairbench/configs for an installed
 * tree, whose exec rows then run the installed scripts. A name found nowhere still fails. */
static void test_shipped_config_by_name(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("main-shipped");
    char *out, cmd[8192], path[2048];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' --config smoke --dry-run > plan.txt 2>&1 && "
             "'%s' --install '%s' --prefix '%s/prefix' > /dev/null && "
             "'%s/prefix/bin/bench' --config paper.json --dry-run > installed.txt 2>&1",
             dir, PB_BENCH_PATH, PB_CMAKE, PB_BINARY_DIR, dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/plan.txt", dir);
    char *plan = pbt_slurp(path);
    snprintf(cmd, sizeof cmd, "using the shipped %s/configs/smoke.json\n", PB_SOURCE_DIR);
    assert_non_null(strstr(plan, cmd));
    assert_non_null(strstr(plan, "140 runs"));
    free(plan);
    snprintf(path, sizeof path, "%s/installed.txt", dir);
    plan = pbt_slurp(path);
    assert_non_null(strstr(plan, "/prefix/share/pairbench/configs/paper.json\n"));
    free(plan);
    snprintf(path, sizeof path, "%s/loop.json", dir);
    pbt_write(path, "{\"input\": {\"kind\": \"uniform\"}, \"output\": {\"kind\": \"matrix\"},"
              " \"sizes\": [20], \"repeats\": 1, \"warmup\": 0, \"overhead\": false,"
              " \"strategies\": [{\"name\": \"exec\", \"command\": \"expr {scripts} :"
              " '.*/prefix/share/pairbench/python$' && {python}"
              " {scripts}/python_loop.py --output {output} --points {points} --out {out}\"}]}");
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s/prefix/bin/bench' --config loop.json --out r "
             "--quiet > /dev/null 2>&1 && grep -c ',yes,ok,run,' r/loop.csv", dir, dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(pbt_bench(&out, "--config no-such-config.json --dry-run"), 2);
    assert_non_null(strstr(out, "no-such-config.json: cannot open config"));
    free(out);
}

/* A run that fails costs its row, the sweep goes on, and the exit status is 1. */
static void test_failed_run_exit_1(void **state)
{
    (void)state;
    char *out;
    char *csv = sweep_text("main-fail", "fail",
        "{\"name\": \"fail\", \"output\": {\"kind\": \"histogram\",\n"
        " \"bins\": {\"min\": 0, \"max\": 2000, \"count\": 8}}, \"sizes\": [50],\n"
        " \"repeats\": 1, \"warmup\": 0, \"overhead\": false, \"strategies\": [\"naive\",\n"
        " {\"name\": \"exec\", \"label\": \"broken\", \"command\": \"exit 3\"}]}\n", 1, &out, NULL);
    assert_non_null(strstr(out, "1 failed"));
    free(out);
    assert_int_equal(count_lines_with(csv, "naive,,histogram,50,1,0,"), 1);
    assert_int_equal(count_lines_with(csv, "broken,"), 1);
    assert_int_equal(count_lines_with(csv, ",error"), 1);
    free(csv);
}

/* The memory guard: a matrix that cannot fit is not started; its row says why. */
static void test_memory_guard(void **state)
{
    (void)state;
    char *out;
    char *csv = sweep_text("main-guard", "huge",
        "{\"name\": \"huge\", \"output\": {\"kind\": \"matrix\"}, \"sizes\": [3000000],\n"
        " \"repeats\": 1, \"warmup\": 0, \"overhead\": false, \"strategies\": [\"blocked\"]}\n",
        0, &out, NULL);
    assert_non_null(strstr(out, "1 skipped"));
    free(out);
    assert_non_null(strstr(csv, "skipped: needs 134110"));   /* run + reference matrix */
    assert_non_null(strstr(csv, "GiB available"));
    free(csv);
}

/* The time estimate knows an exec row's cost_factor: the pure loop at 100 times naive's cost
 * runs, the same loop declared 10^5 times slower is estimated past timeout_s and not started
 * (its row says the estimate), and --dry-run marks it. */
static void test_cost_factor_skips(void **state)
{
    (void)state;
    char *out;
    const char *text =
        "{\"name\": \"slow\", \"output\": {\"kind\": \"histogram\",\n"
        " \"bins\": {\"min\": 0, \"max\": 2000, \"count\": 8}}, \"sizes\": [300],\n"
        " \"repeats\": 1, \"warmup\": 0, \"overhead\": false, \"timeout_s\": 20,\n"
        " \"strategies\": [{\"name\": \"exec\", \"label\": \"loop\", \"cost_factor\": 100,\n"
        "  \"command\": \"{python} {scripts}/python_loop.py --output {output} --points {points}"
        " --edges {edges} --out {out}\"},\n"
        " {\"name\": \"exec\", \"label\": \"glacial\", \"cost_factor\": 1e5,"
        " \"command\": \"sleep 60\"}]}\n";
    const char *dir;
    char *csv = sweep_text("main-cost", "slow", text, 0, &out, &dir);
    assert_non_null(strstr(out, "1 skipped"));
    free(out);
    assert_int_equal(count_lines_with(csv, ";cost_factor=100,histogram,300,1,0,"), 1);
    assert_int_equal(count_lines_with(csv, ",yes,ok,run,"), 1);
    assert_int_equal(count_lines_with(csv, ",skipped: estimated 224 s > timeout_s 20 s,"), 1);
    free(csv);
    char path[2048];
    snprintf(path, sizeof path, "%s/plan.json", dir);   /* slow.json is now the metadata */
    pbt_write(path, text);
    assert_int_equal(pbt_bench(&out, "--config '%s' --dry-run", path), 0);
    assert_int_equal(count_lines_with(out, "would be skipped: estimate > timeout_s"), 1);
    free(out);
}

/* An exec command longer than 255 bytes runs whole. It was cut to 255 bytes, and this one,
 * cut there, redirected into D/notes instead of D/notes_50.bak, overwriting it. */
static void test_long_exec_command_whole(void **state)
{
    (void)state;
    const char *d = pbt_tmpdir("main-long-notes");   /* apart: sweep_text makes its own */
    char notes[1024], bak[1100], cmd[2048], text[4096], *out;
    snprintf(notes, sizeof notes, "%s/notes", d);
    snprintf(bak, sizeof bak, "%s/notes_50.bak", d);
    pbt_write(notes, "precious\n");
    int n = snprintf(cmd, sizeof cmd, "echo ran");
    while (n + strlen(" > ") + strlen(notes) < 255)
        cmd[n++] = ' ';
    snprintf(cmd + n, sizeof cmd - (size_t)n, " > %s_{n}.bak", notes);
    assert_int_equal(strstr(cmd, "_{n}") - cmd, 255);    /* the old cut fell right there */
    snprintf(text, sizeof text, "{\"name\": \"long\", \"output\": {\"kind\": \"histogram\",\n"
             " \"bins\": {\"min\": 0, \"max\": 2000, \"count\": 8}}, \"sizes\": [50],\n"
             " \"repeats\": 1, \"warmup\": 0, \"overhead\": false, \"strategies\": [\"naive\",\n"
             " {\"name\": \"exec\", \"label\": \"long\", \"command\": \"%s\"}]}\n", cmd);
    free(sweep_text("main-long-command", "long", text, 1, &out, NULL));   /* no out.csv: 1 */
    free(out);
    char *kept = pbt_slurp(notes), *ran = pbt_slurp(bak);
    assert_string_equal(kept, "precious\n");
    assert_non_null(ran);
    assert_string_equal(ran, "ran\n");
    free(kept);
    free(ran);
}

/* The config text of a histogram sweep at n = 60 and 2 threads of the given strategies. */
static void named_config(char *buf, size_t size, const char *strategies)
{
    snprintf(buf, size, "{\"name\": \"named\", \"output\": {\"kind\": \"histogram\",\n"
             " \"bins\": {\"min\": 0, \"max\": 2000, \"count\": 8}}, \"sizes\": [60],\n"
             " \"threads\": [2], \"repeats\": 1, \"warmup\": 0, \"overhead\": false,\n"
             " \"strategies\": [%s]}\n", strategies);
}

/* The study's methods by name: "numba" and pool-map with tasks=rows run and verify beside
 * naive, and the CSV and the progress name them by label ("numba", "pool-map" with params
 * "tasks=rows"), never by a command template. */
static void test_named_methods_run(void **state)
{
    (void)state;
    char text[1024], *out;
    named_config(text, sizeof text, "\"naive\", \"numba\", {\"name\": \"pool-map\", "
                 "\"tasks\": \"rows\"}");
    char *csv = sweep_text("main-named", "named", text, 0, &out, NULL);
    if (!strstr(csv, "\nnumba,") || !strstr(csv, "\npool-map,") || !strstr(csv, "tasks=rows"))
        fail_msg("no numba or pool-map tasks=rows rows in:\n%s", csv);
    assert_null(strstr(csv, "{python}"));
    assert_null(strstr(out, "{python}"));
    assert_null(strstr(csv, "skipped"));
    assert_null(strstr(csv, ",no,"));
    free(csv);
    free(out);
    assert_int_equal(pbt_bench(&out, "--list"), 0);
    const char *names[] = {"python-loop ", "numba ", "numba-parallel ", "scipy-cdist ",
                           "scipy-pdist ", "ckdtree ", "sklearn ", "pool-map ", "pool-async ",
                           "process-queue ", "cython ", "needs python3-numba",
                           "needs python3-scipy", "tasks = rows"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strstr(out, names[i]))
            fail_msg("--list lacks %s:\n%s", names[i], out);
    free(out);
}

/* A method whose interpreter lacks its package is skipped with "needs PACKAGE" (here the
 * interpreter itself is missing); an unknown tasks value is refused at load with exit 2. */
static void test_named_methods_refused(void **state)
{
    (void)state;
    char text[1024], *out;
    named_config(text, sizeof text, "\"naive\", {\"name\": \"numba\", \"python\": "
                 "\"/nonexistent/python3\"}");
    char *csv = sweep_text("main-named-missing", "named", text, 0, &out, NULL);
    if (!strstr(csv, "skipped: needs python3-numba"))
        fail_msg("numba not skipped with its need:\n%s", csv);
    free(csv);
    free(out);
    const char *d = pbt_tmpdir("main-named-tasks");
    char cfg[2048];
    snprintf(cfg, sizeof cfg, "%s/named.config", d);
    named_config(text, sizeof text, "{\"name\": \"pool-map\", \"tasks\": \"chunks\"}");
    pbt_write(cfg, text);
    assert_int_equal(pbt_bench(&out, "--config '%s' --out '%s' --quiet", cfg, d), 2);
    if (!strstr(out, "strategies[0].tasks") || !strstr(out, "rows, workers or a positive count"))
        fail_msg("no clear tasks message:\n%s", out);
    free(out);
}

/* What a command prints reaches the terminal, NAME.csv and NAME.html escaped: no terminal
 * escape sequence (title set, clear screen) gets through, and bytes that are no UTF-8 do not
 * make NAME.csv unreadable to Python's csv module. */
static void test_external_text_made_safe(void **state)
{
    (void)state;
    const char *d = pbt_tmpdir("main-unsafe-script"), *dir;
    char script[1024], text[2048], path[2100], cmd[4400], *out;
    snprintf(script, sizeof script, "%s/bad.sh", d);
    pbt_write(script, "printf 'x\\033]0;pwned\\007 \\033[2J bad \\377\\376 end\\n' >&2\nexit 3\n");
    snprintf(text, sizeof text, "{\"name\": \"unsafe\", \"output\": {\"kind\": \"histogram\",\n"
             " \"bins\": {\"min\": 1, \"max\": 50, \"count\": 4}}, \"sizes\": [20],\n"
             " \"repeats\": 1, \"warmup\": 0, \"overhead\": false, \"strategies\": [\n"
             " {\"name\": \"exec\", \"command\": \"sh %s\"}]}\n", script);
    char *csv = sweep_text("main-unsafe", "unsafe", text, 1, &out, &dir);
    assert_non_null(strstr(csv, "command exited 3: x\\x1b]0;pwned\\x07 \\x1b[2J bad \\xff\\xfe end"));
    assert_null(strpbrk(csv, "\033\007\377\376"));
    assert_non_null(strstr(out, "x\\x1b]0;pwned"));             /* the failed run's line */
    assert_null(strpbrk(out, "\033\007\377\376"));
    snprintf(path, sizeof path, "%s/unsafe.html", dir);
    char *html = pbt_slurp(path);
    assert_non_null(html);
    assert_null(strpbrk(html, "\033\007\377\376"));
    snprintf(path, sizeof path, "%s/unsafe.csv", dir);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c 'import csv, sys; rows = list(csv.DictReader("
             "open(sys.argv[1], encoding=\"utf-8\", newline=\"\"))); "
             "sys.exit(0 if \"pwned\" in rows[0][\"status\"] else 1)' '%s'", path);
    assert_int_equal(system(cmd), 0);
    free(html);
    free(csv);
    free(out);
}

/* With "limits": true the machine is measured first (OpenMP bandwidth passes) and OpenMP runs
 * after it still complete, with fraction_of_limit filled and the limits in NAME.json. */
static void test_limits_then_openmp(void **state)
{
    (void)state;
    const char *dir;
    char path[2048], *out;
    char *csv = sweep_text("main-limits", "lim",
        "{\"name\": \"lim\", \"output\": {\"kind\": \"histogram\",\n"
        " \"bins\": {\"min\": 0.1, \"max\": 1750, \"count\": 32}}, \"sizes\": [3000],\n"
        " \"threads\": [2], \"repeats\": 2, \"warmup\": 0, \"overhead\": false,"
        " \"limits\": true, \"timeout_s\": 60, \"strategies\": [\"openmp\"]}\n", 0, &out, &dir);
    free(out);
    assert_int_equal(count_lines_with(csv, "openmp,,histogram,3000,2,"), 2);
    assert_int_equal(count_lines_with(csv, ",yes,ok,run,"), 2);
    free(csv);
    struct pb_row *rows;
    size_t nrows;
    struct pb_err err;
    snprintf(path, sizeof path, "%s/lim.csv", dir);
    assert_int_equal(pb_csv_read(path, &rows, &nrows, &err), 0);
    for (size_t i = 0; i < nrows; i++)
        assert_true(rows[i].fraction_of_limit > 0 && rows[i].fraction_of_limit <= 1);
    free(rows);
    snprintf(path, sizeof path, "%s/lim.json", dir);
    char *meta = pbt_slurp(path);
    assert_non_null(strstr(meta, "limit_peak_pairs_per_s"));
    free(meta);
}

/* Adding a strategy is one file, as README "Adding a strategy" says: a renamed copy of
 * kernels/pthread-map.c appears in --list beside the original (one strategy more, nothing
 * else) and runs verified at every thread count, with no other file touched (built from a
 * copy of the source tree). */
static void test_add_strategy_by_copy(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("main-copy");
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "set -e; cd '%s'; git ls-files -z | xargs -0 cp --parents -t '%s'; cd '%s';"
             "sed -e 's/pb_strategy_pthread_map/pb_strategy_mine/' -e 's/\"pthread-map\"/\"mine\"/'"
             " kernels/pthread-map.c > kernels/mine.c;"
             "cmake -S . -B b -DPB_TESTS=OFF >/dev/null && cmake --build b -j2 --target bench"
             " >/dev/null 2>&1 && ./b/bench --list | grep -q '^mine ' &&"
             " ./b/bench --list | grep -q '^pthread-map ' &&"
             " echo $(( $(./b/bench --list | grep -c '^[a-z]') - $('%s' --list | grep -c '^[a-z]')"
             " )) > added.txt &&"
             " sed 's/\"blocked\",/\"mine\",/' configs/smoke.json > mine.json &&"
             " ./b/bench --config mine.json --out r --quiet >/dev/null &&"
             " grep -c '^mine,.*,yes,ok,run,' r/smoke.csv > count.txt",
             PB_SOURCE_DIR, dir, dir, PB_BENCH_PATH);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/added.txt", dir);
    char *added = pbt_slurp(cmd);
    assert_int_equal(atoi(added), 1);   /* one file, one strategy more */
    free(added);
    snprintf(cmd, sizeof cmd, "%s/count.txt", dir);
    char *count = pbt_slurp(cmd);
    assert_int_equal(atoi(count), 16);  /* 4 sizes × 2 thread counts × 2 repeats */
    free(count);
}


/* A plan too large to hold (10^12 runs): exit 2 with a message naming the config, and no
 * output folder made (nothing written before the plan is known valid). The dry run says the
 * same. */
static void test_plan_too_large(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("main-bigplan");
    char cfg[2048], out_dir[2048], *text = malloc(1 << 16), *out;
    size_t len = (size_t)snprintf(text, 1 << 16, "{\"name\": \"big\", \"output\": {\"kind\": "
        "\"histogram\", \"bins\": {\"min\": 0, \"max\": 9, \"count\": 2}}, \"repeats\": "
        "1000000, \"warmup\": 0, \"overhead\": false, \"strategies\": [\"openmp\", "
        "\"pthread-map\", \"chunked-fork\"], \"sizes\": [10");
    for (int i = 2; i <= 100; i++)
        len += (size_t)snprintf(text + len, (1 << 16) - len, ", %d", 10 * i);
    len += (size_t)snprintf(text + len, (1 << 16) - len, "], \"threads\": [1");
    for (int i = 2; i <= 1000; i++)
        len += (size_t)snprintf(text + len, (1 << 16) - len, ", %d", i);
    snprintf(text + len, (1 << 16) - len, "]}\n");
    snprintf(cfg, sizeof cfg, "%s/big.config", dir);
    snprintf(out_dir, sizeof out_dir, "%s/out", dir);
    pbt_write(cfg, text);
    free(text);
    assert_int_equal(pbt_bench(&out, "--config '%s' --out '%s' --quiet", cfg, out_dir), 2);
    assert_non_null(strstr(out, "the plan"));
    assert_non_null(strstr(out, "too large"));
    free(out);
    assert_int_equal(access(out_dir, F_OK), -1);
    assert_int_equal(pbt_bench(&out, "--config '%s' --dry-run", cfg), 2);
    assert_non_null(strstr(out, "too large"));
    free(out);
}

/* A reference that cannot be made (naive cannot map its matrix under a 400 MB address-space
 * limit) makes a failed row and exit 1, never a quiet skip with exit 0. Not in sanitizer builds,
 * whose shadow memory needs a larger address space. */
static void test_reference_failure_fails(void **state)
{
    (void)state;
#if defined(PB_SANITIZED)
    skip();
#endif
    const char *dir = pbt_tmpdir("main-reffail");
    char cfg[2048];
    snprintf(cfg, sizeof cfg, "%s/rf.config", dir);
    pbt_write(cfg, "{\"name\": \"rf\", \"output\": {\"kind\": \"matrix\"}, \"sizes\": [8000],\n"
              " \"repeats\": 1, \"warmup\": 0, \"overhead\": false, \"strategies\": "
              "[\"blocked\"]}\n");
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "ulimit -v 400000; '%s' --config '%s' --out '%s' --quiet "
             "--no-render > '%s/log' 2>&1", PB_BENCH_PATH, cfg, dir, dir);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), 1);
    char path[2100];
    snprintf(path, sizeof path, "%s/rf.csv", dir);
    char *csv = pbt_slurp(path);
    assert_non_null(strstr(csv, "error: reference"));
    free(csv);
}

/* On a terminal (a pseudo-terminal from script(1)) every warning starts its own line: the
 * moving progress line is cleared first, never left with a warning glued to its end. The
 * threads exceed the CPUs, so the summary warns of capped points after the last run. */
static void test_warnings_clear_progress_line(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("main-ttywarn");
    char cfg[2048], cmd[8192];
    snprintf(cfg, sizeof cfg, "%s/tw.config", dir);
    snprintf(cmd, sizeof cmd, "{\"name\": \"tw\", \"output\": {\"kind\": \"matrix\"}, "
             "\"sizes\": [64], \"threads\": [%ld], \"repeats\": 1, \"warmup\": 0, "
             "\"overhead\": false, \"strategies\": [\"openmp\"]}\n",
             sysconf(_SC_NPROCESSORS_ONLN) + 1);
    pbt_write(cfg, cmd);
    snprintf(cmd, sizeof cmd, "script -qec \"'%s' --config '%s' --out '%s'\" /dev/null "
             "</dev/null 2>&1", PB_BENCH_PATH, cfg, dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *out = calloc(1, 1 << 16);
    size_t len = fread(out, 1, (1 << 16) - 1, p);
    pclose(p);
    out[len] = '\0';
    assert_non_null(strstr(out, "ETA "));                       /* a progress line was shown */
    size_t warnings = 0;
    for (const char *w = out; (w = strstr(w, "warning: ")) != NULL; w++, warnings++)
        if (!(w == out || w[-1] == '\n') &&
            !(w - out >= 4 && strncmp(w - 4, "\r\033[K", 4) == 0))
            fail_msg("warning not on a clean line: ...%.60s", w > out + 40 ? w - 40 : out);
    assert_true(warnings >= 1);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_smoke_sweep),
        cmocka_unit_test(test_refuses_overwrite),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_repeated_options),
        cmocka_unit_test(test_dry_run),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_shipped_config_by_name),
        cmocka_unit_test(test_history_accumulates),
        cmocka_unit_test(test_failed_run_exit_1),
        cmocka_unit_test(test_long_exec_command_whole),
        cmocka_unit_test(test_named_methods_run),
        cmocka_unit_test(test_named_methods_refused),
        cmocka_unit_test(test_memory_guard),
        cmocka_unit_test(test_cost_factor_skips),
        cmocka_unit_test(test_limits_then_openmp),
        cmocka_unit_test(test_external_text_made_safe),
        cmocka_unit_test(test_plan_too_large),
        cmocka_unit_test(test_warnings_clear_progress_line),
        cmocka_unit_test(test_reference_failure_fails),
        cmocka_unit_test(test_add_strategy_by_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
