/* test_report.c — the HTML report: its content from the fixtures in tests/data/plots/ (best per
 * n, failures, escaping, environment and config), and the page in headless Chromium: no console
 * error, every figure decoded, a valid screenshot. Chromium is a test dependency (Debian's
 * chromium package); tests/browser/headless.sh drives it. */
#include "support.h"

#include "plots.h"
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define FIXTURES "tests/data/plots"

/* Copies the three fixture files into dir as NAME.csv, NAME_summary.csv and NAME.json. */
static void copy_fixtures(const char *dir, const char *name)
{
    static const char *const files[][2] = {
        {"sweep.csv", ".csv"}, {"sweep_summary.csv", "_summary.csv"}, {"sweep.json", ".json"},
    };
    for (size_t i = 0; i < 3; i++) {
        char path[2048];
        snprintf(path, sizeof path, FIXTURES "/%s", files[i][0]);
        char *text = pbt_slurp(path);
        assert_non_null(text);
        snprintf(path, sizeof path, "%s/%s%s", dir, name, files[i][1]);
        pbt_write(path, text);
        free(text);
    }
}

/* Writes, renders and reports the fixtures in a fresh dir; returns the report's text. */
static char *full_report(const char *tag, char *dir, size_t cap)
{
    snprintf(dir, cap, "%s", pbt_tmpdir(tag));
    copy_fixtures(dir, "sweep");
    struct pb_err err = {{0}};
    assert_int_equal(pb_plots_write(dir, "sweep", NULL, &err), 0);
    int rc = pb_plots_render(dir, "sweep", NULL, &err);
    if (rc != 0)
        fail_msg("render: %d %s", rc, err.msg);
    rc = pb_report_write(dir, "sweep", &err);
    if (rc != 0)
        fail_msg("report: %d %s", rc, err.msg);
    char path[2048];
    snprintf(path, sizeof path, "%s/sweep.html", dir);
    char *html = pbt_slurp(path);
    assert_non_null(html);
    return html;
}

/* Number of times needle occurs in hay. */
static size_t count(const char *hay, const char *needle)
{
    size_t k = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        k++;
    return k;
}

/* The <tr> of the summary table that holds text, copied (static buffer). */
static const char *row_with(const char *html, const char *text)
{
    static char row[4096];
    const char *p = strstr(html, text);
    assert_non_null(p);
    const char *start = p;
    while (start > html && strncmp(start, "<tr", 3) != 0)
        start--;
    const char *end = strstr(p, "</tr>");
    assert_non_null(end);
    snprintf(row, sizeof row, "%.*s", (int)(end - start), start);
    return row;
}

static void test_report_content(void **state)
{
    (void)state;
    char dir[1024];
    char *html = full_report("report-content", dir, sizeof dir);
    assert_int_equal(count(html, "<img class=\"figure\""), 4);
    assert_int_equal(count(html, "src=\"data:image/svg+xml;base64,"), 4);
    assert_non_null(strstr(html, "default-src 'none'"));        /* nothing loads from outside */
    assert_null(strstr(html, "src=\"http"));
    /* openmp with 2 threads is the fastest clean point at n = 4000 */
    const char *best = row_with(strstr(html, "<h2 id=\"summary\">"), "<td>0.0199556</td>");
    assert_non_null(strstr(best, "class=\"best\""));
    assert_non_null(strstr(best, "<th scope=\"row\">openmp</th>"));
    assert_int_equal(count(html, "&#9733; best at this n"), 4);   /* one per n with a clean point */
    /* the failed point and the unverified one are marked, and say why */
    assert_non_null(strstr(html, "<strong>FAILED</strong> (3 runs not ok)"));
    assert_non_null(strstr(row_with(html, "<strong>NOT VERIFIED</strong>"), "class=\"bad\""));
    assert_non_null(strstr(html, "1 failed, 1 not verified"));
    assert_non_null(strstr(html, "killed by signal 9, out of memory"));
    assert_non_null(strstr(html, "verify: entry 17,3 differs by 2e-9"));
    /* strings from the files are escaped */
    assert_null(strstr(html, "<script>alert(1)"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(html, "AMD EPYC 9R14 &lt;Zen 4&gt; &amp; \\&quot;test\\&quot;"));
    assert_non_null(strstr(html, "cv 7.2% &gt; 5%"));
    /* the CPU the numbers came from, above the figures (this NAME.json predates family,
     * model number and kernel level: they read "?") */
    const char *cpu = strstr(html, "<p class=\"cpu\">CPU: AMD EPYC 9R14 &lt;Zen 4&gt;");
    assert_true(cpu && cpu < strstr(html, "<h2 id=\"figures\">"));
    assert_non_null(strstr(cpu, "(family ?, model ?); kernels: ?</p>"));
    assert_non_null(strstr(cpu, "&lt;Zen 4&gt; &amp; &quot;test&quot; (family"));  /* decoded */
    /* environment and config are separate, re-indented sections */
    const char *env = strstr(html, "<h2 id=\"environment\">");
    const char *cfg = strstr(html, "<h2 id=\"config\">");
    assert_true(env && cfg && env < cfg);
    assert_non_null(strstr(env, "\n    &quot;cores_online&quot;: 2,"));
    assert_true(strstr(env, "&quot;sizes&quot;") > cfg);         /* the config is not repeated */
    assert_non_null(strstr(cfg, "\n  &quot;sizes&quot;: [\n    500,"));
    free(html);
}

static void test_report_without_figures_or_environment(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("report-bare");
    char path[2048];
    snprintf(path, sizeof path, FIXTURES "/sweep_summary.csv");
    char *text = pbt_slurp(path);
    snprintf(path, sizeof path, "%s/bare_summary.csv", dir);
    pbt_write(path, text);
    free(text);
    struct pb_err err = {{0}};
    assert_int_equal(pb_report_write(dir, "bare", &err), 0);
    snprintf(path, sizeof path, "%s/bare.html", dir);
    char *html = pbt_slurp(path);
    assert_non_null(html);
    assert_int_equal(count(html, "was not rendered"), 4);
    assert_non_null(strstr(html, "gnuplot bare_time.gp"));
    assert_non_null(strstr(html, "No environment file"));
    assert_non_null(strstr(html, "The per-run CSV could not be read"));
    assert_non_null(strstr(html, "setAttribute('data-figures', '0')"));
    free(html);
}

/* A spatial strategy's build time and work efficiency get columns (absent without them), and a
 * point checked by an independent method says which. */
static void test_report_spatial_columns(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("report-spatial");
    char path[2048];
    snprintf(path, sizeof path, "%s/sp_summary.csv", dir);
    pbt_write(path, "strategy,params,output,n,threads,runs,wall_median_s,failed,kind,verified,"
                    "flag,build_median_s,evals_per_pair\n"
                    "grid,,histogram,1000000,2,3,1.25,0,run,yes (kdtree),,0.125,4.75\n"
                    "pthread-map,,histogram,1000,2,3,0.01,0,run,yes,,,\n");
    struct pb_err err = {{0}};
    assert_int_equal(pb_report_write(dir, "sp", &err), 0);
    snprintf(path, sizeof path, "%s/sp.html", dir);
    char *html = pbt_slurp(path);
    assert_non_null(strstr(html, "<th>structure build (s, in the median)</th>"));
    assert_non_null(strstr(html, "<th>distance evals / counted pair</th>"));
    const char *grid = row_with(html, "<th scope=\"row\">grid</th>");
    assert_non_null(strstr(grid, "verified (kdtree)"));
    assert_non_null(strstr(grid, "<td>0.125</td><td>4.75</td>"));
    assert_null(strstr(row_with(html, "<th scope=\"row\">pthread-map</th>"), "(kdtree)"));
    free(html);
    char *plain = full_report("report-no-spatial", path, sizeof path);
    assert_null(strstr(plain, "structure build"));             /* no strategy reports one */
    free(plain);
}

/* Writes dir/TAG_summary.csv holding summary (a header with the columns it names, then rows)
 * and, when json is non-NULL, dir/TAG.json; writes the report and returns its text (the
 * caller frees it). */
static char *report_of(const char *tag, const char *summary, const char *json)
{
    const char *dir = pbt_tmpdir(tag);
    char path[2048];
    snprintf(path, sizeof path, "%s/%s_summary.csv", dir, tag);
    pbt_write(path, summary);
    snprintf(path, sizeof path, "%s/%s.json", dir, tag);
    if (json)
        pbt_write(path, json);
    struct pb_err err = {{0}};
    assert_int_equal(pb_report_write(dir, tag, &err), 0);
    snprintf(path, sizeof path, "%s/%s.html", dir, tag);
    return pbt_slurp(path);
}

#define LOAD_HEAD "strategy,params,output,n,threads,runs,wall_median_s,failed,kind,verified,flag\n"

/* A fastest point that is flagged is never called clean: the headline and its star say it is
 * flagged and why, and how many other points at that n are; a busy start is named. A clean
 * fastest point keeps "measured cleanly" and still names the flagged point beside it. */
static void test_report_flagged_fastest(void **state)
{
    (void)state;
    char *html = report_of("busyrep", LOAD_HEAD
                           "openmp,,histogram,1000,1,3,1.0,0,run,yes,busy 3/3 runs\n"
                           "openmp,,histogram,1000,2,3,1.5,0,run,yes,busy 2/3 runs\n",
                           "{\"extra\": {\"start_busy\": 1, \"start_other_cpus\": 1.875, "
                           "\"start_cpus_counted\": 2}}");
    assert_null(strstr(html, "measured cleanly ("));
    assert_non_null(strstr(html, "Fastest at the largest n, <strong>not measured cleanly"));
    assert_non_null(strstr(html, "(flagged: busy 3/3 runs)"));
    assert_non_null(strstr(html, "1 other point at this n is flagged"));
    assert_non_null(strstr(html, "fastest at this n, flagged: not measured cleanly"));
    assert_null(strstr(html, "best at this n"));
    assert_non_null(strstr(html, "busy before the first run: other processes used 1.88 of 2 "
                                 "CPUs"));
    free(html);
    html = report_of("cleanrep", LOAD_HEAD
                     "openmp,,histogram,1000,1,3,1.0,0,run,yes,\n"
                     "openmp,,histogram,1000,2,3,1.5,0,run,yes,capped: 1 CPU for 2 threads\n",
                     NULL);
    assert_non_null(strstr(html, "Fastest at the largest n measured cleanly (n = 1000)"));
    assert_non_null(strstr(html, "1 other point at this n is flagged"));
    assert_non_null(strstr(html, "<td>capped: 1 CPU for 2 threads</td>"));
    assert_null(strstr(html, "busy before the first run"));
    free(html);
    html = report_of("resumedrep", LOAD_HEAD "openmp,,histogram,1000,1,3,1.0,0,run,yes,\n",
                     "{\"extra\": {\"start_busy\": 0}, \"sessions\": [{\"extra\": {}}, "
                     "{\"extra\": {\"start_busy\": 1, \"start_other_cpus\": 0.5, "
                     "\"start_cpus_counted\": 2}}]}");
    assert_non_null(strstr(html, "busy before the first run of a resumed session: other "
                                 "processes used 0.50 of 2 CPUs"));
    free(html);
}

/* Writes dir/NAME_summary.csv (the fixture's) and dir/NAME.json (json), writes the report and
 * returns its text (the caller frees it). */
static char *report_with_json(const char *tag, const char *json)
{
    const char *dir = pbt_tmpdir(tag);
    char path[2048];
    char *text = pbt_slurp(FIXTURES "/sweep_summary.csv");
    snprintf(path, sizeof path, "%s/j_summary.csv", dir);
    pbt_write(path, text);
    free(text);
    snprintf(path, sizeof path, "%s/j.json", dir);
    pbt_write(path, json);
    struct pb_err err = {{0}};
    assert_int_equal(pb_report_write(dir, "j", &err), 0);
    snprintf(path, sizeof path, "%s/j.html", dir);
    return pbt_slurp(path);
}

#define PICK_HEAD "strategy,params,output,n,threads,runs,wall_median_s,peak_rss_kib,efficiency," \
                  "failed,kind,verified,flag\n"

/* The recommendation, above the figures, names per n the fastest point that is clean (ok,
 * verified, no flag) and why: how much faster than the best other strategy, the memory
 * against it, and the faster points left out for their flag. A flagged fastest point is never
 * recommended; an n whose points are all flagged gets no recommendation and says so. */
static void test_report_recommendation(void **state)
{
    (void)state;
    char *html = report_of("pick", PICK_HEAD
        "openmp,,histogram,1000,2,3,0.5,4096,0.9,0,run,yes,busy 3/3 runs\n"
        "openmp,,histogram,1000,1,3,0.9,2048,1.0,0,run,yes,\n"
        "pthread-map,,histogram,1000,2,3,0.6,3072,0.8,0,run,yes,\n"
        "fork-shm,transport=shm,histogram,1000,2,3,1.2,1024,0.4,0,run,yes,\n"
        "naive,,histogram,1000,1,3,2.0,1024,1.0,0,run,yes,\n"
        "openmp,,histogram,2000,2,3,2.0,8192,0.9,0,run,yes,cv 9% > 5%\n"
        "naive,,histogram,2000,1,3,8.0,4096,1.0,0,run,yes,capped: 1 CPU for 2 threads\n"
        "blocked,,histogram,2000,1,3,1.0,4096,1.0,1,run,yes,\n"
        "openmp,,histogram,0,2,3,0.001,1024,,0,overhead,,\n", NULL);
    const char *rec = strstr(html, "<h2 id=\"recommendation\">");
    assert_non_null(rec);
    assert_true(rec < strstr(html, "<h2 id=\"figures\">"));        /* on the first screen */
    assert_non_null(strstr(rec, "(histogram output)"));
    const char *end = strstr(rec, "</table>");
    char pick[4096];
    snprintf(pick, sizeof pick, "%.*s", (int)(end - rec), rec);
    /* n = 1000: the busy openmp x2 is fastest but flagged; pthread-map x2 wins over openmp x1
     * (the best other strategy), 0.9 / 0.6 = 1.5 times, with 3072 against 2048 KiB */
    assert_non_null(strstr(pick, "<tr><td>1000</td><th scope=\"row\">pthread-map x2</th>"
                                 "<td>0.6</td><td>3.0</td><td>openmp x1, 0.9 s</td>"));
    assert_non_null(strstr(pick, "1.50&times; faster than openmp x1; 50% more memory; "
                                 "efficiency 0.8 on 2 threads; 1 faster point flagged, not "
                                 "counted</td>"));
    assert_null(strstr(pick, "scope=\"row\">openmp x2"));
    /* n = 2000: both points that ran ok are flagged, the clean-looking one failed */
    assert_non_null(strstr(pick, "<tr><td>2000</td><td colspan=\"5\" class=\"nopick\">no "
                                 "recommendation: every point at this n that ran ok is "
                                 "flagged; rerun it on a quiet machine (fastest, not measured "
                                 "cleanly: openmp x2, 2.0 s, flagged: cv 9% &gt; 5%)</td>"));
    assert_null(strstr(pick, "<td>0</td>"));                      /* overhead rows have no n */
    /* a fixed-cost row is not marked as a failure */
    const char *fixed = row_with(strstr(html, "<h2 id=\"overhead\">"), "<td>0.001</td>");
    assert_non_null(strstr(fixed, "fixed cost (no result to verify)"));
    assert_null(strstr(fixed, "class=\"bad\""));
    assert_null(strstr(fixed, "not checked"));
    free(html);
    html = report_of("picknone", PICK_HEAD
        "blocked,,histogram,2000,1,3,1.0,4096,1.0,1,run,yes,\n", NULL);
    assert_non_null(strstr(html, "no recommendation: no point at this n ran ok and verified"
                                 "</td>"));
    free(html);
    html = report_of("pickone", PICK_HEAD
        "fork-shm,transport=shm,histogram,500,2,3,0.25,1024,0.4,0,run,yes,\n", NULL);
    assert_non_null(strstr(html, "<th scope=\"row\">fork-shm (transport=shm) x2</th>"));
    assert_non_null(strstr(html, "the only point measured cleanly at this n; efficiency 0.4 "
                                 "on 2 threads</td>"));
    free(html);
}

/* The environment is collapsed, and the CPU flags are listed once: the copies in the top level
 * and in each session that match are replaced by a pointer; a session with other flags keeps
 * them. */
static void test_report_environment_collapsed(void **state)
{
    (void)state;
    char *html = report_of("envflags", PICK_HEAD "naive,,histogram,10,1,3,0.5,1,1,0,run,yes,\n",
        "{\"cpu\": {\"model\": \"m\", \"flags\": [\"fpu\", \"avx2\", \"zz_unique\"]}, "
        "\"sessions\": [{\"cpu\": {\"flags\": [\"fpu\", \"avx2\", \"zz_unique\"]}}, "
        "{\"cpu\": {\"flags\": [\"fpu\", \"zz_other\"]}}], \"config\": {}}");
    const char *env = strstr(html, "<h2 id=\"environment\">");
    assert_non_null(env);
    assert_non_null(strstr(env, "Environment</h2>\n<details><summary>"));
    assert_true(strstr(env, "</details>") < strstr(env, "<h2 id=\"config\">"));
    assert_non_null(strstr(env, "<strong>CPU flags</strong> (3): fpu avx2 zz_unique</p>"));
    assert_int_equal(count(html, "zz_unique"), 1);
    assert_int_equal(count(html, "(listed once above)"), 2);
    assert_int_equal(count(html, "zz_other"), 1);                 /* different: kept */
    free(html);
}

static void test_report_config_as_text(void **state)
{
    (void)state;
    char *html = report_with_json("report-text", "{\"config_text\": \"{\\\"name\\\": "
                                  "\\\"t\\\",\\n \\\"sizes\\\": [1]}\\n\", \"cores\": 2}");
    assert_non_null(strstr(html, "{\n  &quot;cores&quot;: 2\n}"));
    assert_non_null(strstr(html, "{&quot;name&quot;: &quot;t&quot;,\n &quot;sizes&quot;: [1]}"));
    free(html);
}

/* A NAME.json without a config member is shown whole; one that is not JSON is named as such
 * (where jansson stopped), never half-shown. */
static void test_report_environment_edge_cases(void **state)
{
    (void)state;
    char *html = report_with_json("report-noconfig", "{\"cores\": 2, \"tags\": [], \"x\": {}}");
    assert_non_null(strstr(html, "{\n  &quot;cores&quot;: 2,\n  &quot;tags&quot;: [],\n"
                                 "  &quot;x&quot;: {}\n}"));
    assert_non_null(strstr(html, "holds no &ldquo;config&rdquo; member"));
    assert_null(strstr(html, "<p class=\"cpu\">"));                /* no cpu member */
    free(html);
    html = report_with_json("report-notjson", "{\"cores\": 2,");
    assert_non_null(strstr(html, "The environment file (NAME.json) is not JSON: line 1:"));
    assert_null(strstr(html, "&quot;cores&quot;"));
    free(html);
}

static void test_report_needs_a_summary(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("report-none");
    struct pb_err err = {{0}};
    assert_int_equal(pb_report_write(dir, "none", &err), -ENOENT);
    assert_non_null(strstr(err.msg, "none_summary.csv"));
}

/* Loads page in headless Chromium; returns the driver's exit status. */
static int browse(const char *page, const char *png, const char *dom, const char *log)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "sh tests/browser/headless.sh '%s' '%s' '%s' '%s'", page, png, dom,
             log);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Fails when the browser log holds a console message, a script error or a failed load. */
static void assert_clean_log(const char *log_path)
{
    char *log = pbt_slurp(log_path);
    assert_non_null(log);
    static const char *const bad[] = {
        "CONSOLE", "Uncaught", "Refused to", "Failed to load resource", "net::ERR_",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (strstr(log, bad[i]))
            fail_msg("%s: browser log holds \"%s\":\n%s", log_path, bad[i], strstr(log, bad[i]));
    free(log);
}

/* Checks the PNG signature and its IHDR size (1280 x 2000) and that it is not trivially
 * small (a blank page compresses to a few KiB). */
static void assert_screenshot(const char *png)
{
    struct stat st;
    assert_int_equal(stat(png, &st), 0);
    assert_true(st.st_size > 50000);
    unsigned char h[24];
    FILE *f = fopen(png, "rb");
    assert_non_null(f);
    assert_int_equal(fread(h, 1, sizeof h, f), sizeof h);
    fclose(f);
    assert_memory_equal(h, "\x89PNG\r\n\x1a\n", 8);
    assert_memory_equal(h + 12, "IHDR", 4);
    assert_int_equal((h[16] << 24 | h[17] << 16 | h[18] << 8 | h[19]), 1280);
    assert_int_equal((h[20] << 24 | h[21] << 16 | h[22] << 8 | h[23]), 2000);
}

static void test_report_in_headless_chromium(void **state)
{
    (void)state;
    char dir[1024], page[1200], png[1200], dom[1200], log[1200];
    char *html = full_report("report-browser", dir, sizeof dir);
    free(html);
    snprintf(page, sizeof page, "%s/sweep.html", dir);
    snprintf(png, sizeof png, "%s/screenshot.png", dir);
    snprintf(dom, sizeof dom, "%s/dom.html", dir);
    snprintf(log, sizeof log, "%s/browser.log", dir);
    int rc = browse(page, png, dom, log);
    if (rc == 127)
        fail_msg("headless Chromium is a test dependency: apt-get install chromium");
    assert_int_equal(rc, 0);
    assert_clean_log(log);
    char *text = pbt_slurp(dom);
    assert_non_null(text);
    assert_non_null(strstr(text, "data-figures=\"4\""));
    assert_non_null(strstr(text, "data-figures-ok=\"4\""));
    assert_null(strstr(text, " broken\""));
    free(text);
    assert_screenshot(png);
}

/* The log check above would see a broken page: a script error reaches the log. */
static void test_browser_log_shows_page_errors(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("report-browser-bad");
    char page[1200], png[1200], dom[1200], log[1200];
    snprintf(page, sizeof page, "%s/bad.html", dir);
    snprintf(png, sizeof png, "%s/bad.png", dir);
    snprintf(dom, sizeof dom, "%s/bad.dom", dir);
    snprintf(log, sizeof log, "%s/bad.log", dir);
    pbt_write(page, "<!DOCTYPE html><html><body><script>undefinedFunction();</script>"
                    "</body></html>\n");
    assert_int_equal(browse(page, png, dom, log), 0);
    char *text = pbt_slurp(log);
    assert_non_null(text);
    assert_non_null(strstr(text, "Uncaught ReferenceError: undefinedFunction"));
    free(text);
}

/* A point skipped by the estimate is counted skipped, not failed or unverified, as the sweep's
 * tally counts it; a missing figure says why when the caller knows (not "is gnuplot
 * installed?"). */
static void test_report_skipped_point_and_figure_note(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("report-skipped");
    char path[2048];
    snprintf(path, sizeof path, "%s/sk_summary.csv", dir);
    pbt_write(path, "strategy,params,output,n,threads,runs,wall_min_s,wall_median_s,wall_mean_s,"
              "wall_stddev_s,wall_ci95_lo_s,wall_ci95_hi_s,peak_rss_kib,speedup,efficiency,"
              "kind,pairs_per_s,verified,failed,flag\n"
              "naive,,matrix,100,1,2,.01,.01,.01,0,.01,.01,900,1,1,run,5e5,yes,0,\n"
              "naive,,matrix,4000,1,0,,,,,,,,,,run,,,0,skipped: estimated 2.25 s > timeout_s "
              "2 s\n");
    struct pb_err err = {{0}};
    assert_int_equal(pb_report_write_figures(dir, "sk", NULL, "sk_time.gp: gnuplot exited "
                                             "with 1: boom", &err), 0);
    snprintf(path, sizeof path, "%s/sk.html", dir);
    char *html = pbt_slurp(path);
    assert_non_null(strstr(html, "0 failed, 0 not verified</span>, 1 skipped"));
    assert_non_null(strstr(html, "<strong>skipped</strong>"));
    assert_non_null(strstr(html, "was not rendered: sk_time.gp: gnuplot exited with 1: boom"));
    assert_null(strstr(html, "is gnuplot installed"));
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_content),
        cmocka_unit_test(test_report_without_figures_or_environment),
        cmocka_unit_test(test_report_config_as_text),
        cmocka_unit_test(test_report_environment_edge_cases),
        cmocka_unit_test(test_report_spatial_columns),
        cmocka_unit_test(test_report_flagged_fastest),
        cmocka_unit_test(test_report_recommendation),
        cmocka_unit_test(test_report_environment_collapsed),
        cmocka_unit_test(test_report_needs_a_summary),
        cmocka_unit_test(test_report_skipped_point_and_figure_note),
        cmocka_unit_test(test_report_in_headless_chromium),
        cmocka_unit_test(test_browser_log_shows_page_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
