/* report.c — the HTML report of a result set (see report.h).
 *
 * The page is written in one pass into NAME.html.tmp and renamed, so a reader never sees half a
 * report. Figures are embedded as base64 data URIs (SVG preferred: it stays sharp when
 * zoomed), and a Content-Security-Policy forbids every network load, so "self-contained" is
 * enforced by the browser rather than hoped for. The summary table and the recommendation are
 * report_table.c's; this file writes the page around them. */
#include "report.h"

#include "fdio.h"
#include "plots.h"
#include "report_table.h"
#include "results.h"
#include "summary.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- small helpers */

/* Writes data[0..len) in base64. */
static void base64(FILE *f, const unsigned char *data, size_t len)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)data[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)data[i + 1] << 8;
        if (i + 2 < len)
            v |= data[i + 2];
        fputc(tab[v >> 18 & 63], f);
        fputc(tab[v >> 12 & 63], f);
        fputc(i + 1 < len ? tab[v >> 6 & 63] : '=', f);
        fputc(i + 2 < len ? tab[v & 63] : '=', f);
    }
}

/* ---------------------------------------------------------------- NAME.json */

/* Writes JSON value v pretty-printed as bench writes NAME.json (two-space indent, reals to 17
 * significant digits, which read back as the same doubles), HTML-escaped. */
static void write_json(FILE *f, const json_t *v)
{
    char *text = json_dumps(v, JSON_INDENT(2) | JSON_REAL_PRECISION(17) | JSON_ENCODE_ANY);
    pb_html_esc(f, text ? text : "?");
    free(text);
}

/* Writes v for a line of prose, HTML-escaped: a string as it reads, anything else as compact
 * JSON, "?" when v is NULL. */
static void write_member_value(FILE *f, const json_t *v)
{
    if (json_is_string(v)) {
        pb_html_esc_n(f, json_string_value(v), json_string_length(v));
        return;
    }
    char *text = v ? json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(17) | JSON_ENCODE_ANY)
                   : NULL;
    pb_html_esc(f, text ? text : "?");
    free(text);
}

/* Writes member key of object o as write_member_value does ("?" when absent, or o is not an
 * object). */
static void write_member(FILE *f, const json_t *o, const char *key)
{
    write_member_value(f, json_object_get(o, key));
}

/* Writes one line naming the CPU (model, family, model number) and the kernel level the numbers
 * came from, read from NAME.json (root may be NULL): results from different CPUs must not be
 * compared blind. */
static void write_cpu_line(FILE *f, const json_t *root)
{
    const json_t *cpu = json_object_get(root, "cpu");
    if (!cpu)
        return;
    fputs("<p class=\"cpu\">CPU: ", f);
    write_member(f, cpu, "model");
    fputs(" (family ", f);
    write_member(f, cpu, "family");
    fputs(", model ", f);
    write_member(f, cpu, "model_number");
    fputs("); kernels: ", f);
    write_member(f, root, "kernel_level");
    fputs("</p>\n", f);
}

/* Writes one note per plugin whose build NAME.json (root, may be NULL) marks as not comparable
 * with the built-in strategies (its "warning"): which library, which strategies, and why. */
static void write_plugin_notes(FILE *f, const json_t *root)
{
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(root, "plugins"), i, p) {
        if (!json_is_string(json_object_get(p, "warning")))
            continue;
        fputs("<p class=\"plugin-note badtext\">Plugin ", f);
        write_member(f, p, "path");
        fputs(" (strategies ", f);
        write_member(f, p, "strategies");
        fputs("): ", f);
        write_member(f, p, "warning");
        fputs(": its times are not comparable with the built-in strategies'.</p>\n", f);
    }
}

/* Reads DIR/NAME.json (path) into *root (NULL when absent or unreadable). Returns 0, or -EINVAL
 * with why (cap bytes) saying where it is not JSON; an absent file is 0 with *root NULL. */
static int read_json(const char *path, json_t **root, char *why, size_t cap)
{
    size_t len = 0;
    char *text = NULL;
    if (pb_read_file(path, &text, &len) != 0)
        text = NULL;
    json_error_t e;
    *root = text ? json_loadb(text, len, 0, &e) : NULL;
    free(text);
    if (!text || *root)
        return 0;
    snprintf(why, cap, "line %d: %s", e.line, e.text);
    return -EINVAL;
}

/* ---------------------------------------------------------------- the other sections */

/* Points at n (counted) other than top that are flagged. */
static size_t flagged_beside(const struct pb_report_row *ri, size_t n,
                             const struct pb_report_row *top)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ri[i].counted && ri[i].n == top->n && &ri[i] != top && ri[i].flagged;
    return k;
}

/* Writes the fastest point at the largest n: "measured cleanly" only when its summary row has
 * no flag; otherwise its flag, and how many other points at that n are flagged. */
static void write_fastest(FILE *f, const struct pb_table *t, const struct pb_report_row *ri,
                          size_t n, const struct pb_report_row *top)
{
    size_t beside = flagged_beside(ri, n, top);
    fputs(top->flagged ? " Fastest at the largest n, <strong>not measured cleanly</strong> (n = "
                       : " Fastest at the largest n measured cleanly (n = ", f);
    pb_html_esc(f, pb_summary_get(t, top->row, PB_SUM_n));
    fputs("): <strong>", f);
    pb_html_esc(f, pb_summary_get(t, top->row, PB_SUM_strategy));
    fputs("</strong>, ", f);
    pb_html_esc(f, pb_summary_get(t, top->row, PB_SUM_threads));
    fputs(" thread(s), median ", f);
    pb_html_esc(f, pb_summary_get(t, top->row, PB_SUM_wall_median_s));
    fputs(" s", f);
    if (top->flagged) {
        fputs(" (flagged: ", f);
        pb_html_esc(f, pb_summary_get(t, top->row, PB_SUM_flag));
        fputs(")", f);
    }
    fputs(".", f);
    if (beside)
        fprintf(f, " <span class=\"badtext\">%zu other point%s at this n %s flagged.</span>",
                beside, beside > 1 ? "s" : "", beside > 1 ? "are" : "is");
}

/* The "extra" object of NAME.json (json) whose "start_busy" says the machine was busy before
 * the first run: the first session's, else a resumed session's; NULL when none says so. */
static const json_t *busy_start(const json_t *json)
{
    const json_t *extra = json_object_get(json, "extra");
    if (json_number_value(json_object_get(extra, "start_busy")) > 0)
        return extra;
    const json_t *sessions = json_object_get(json, "sessions");
    for (size_t i = 0; i < json_array_size(sessions); i++) {
        extra = json_object_get(json_array_get(sessions, i), "extra");
        if (json_number_value(json_object_get(extra, "start_busy")) > 0)
            return extra;
    }
    return NULL;
}

/* Writes the counts a reader wants first: points, failures, the fastest at the largest n, and
 * a machine found busy before the first run (NAME.json's "start_busy", busy_start). */
static void write_headline(FILE *f, const struct pb_table *t, const struct pb_report_row *ri,
                           size_t n, const json_t *json)
{
    size_t points = 0, failed = 0, unverified = 0, skipped = 0;
    const struct pb_report_row *top = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!ri[i].counted)
            continue;
        points++;
        failed += ri[i].failed > 0;
        unverified += !ri[i].failed && ri[i].unverified;
        skipped += ri[i].skipped;
        if (ri[i].best)
            top = &ri[i];
    }
    fprintf(f, "<p class=\"headline\">%zu measured points; <span class=\"%s\">%zu failed, %zu "
               "not verified</span>, %zu skipped (not started).", points,
            failed + unverified ? "badtext" : "", failed, unverified, skipped);
    if (top)
        write_fastest(f, t, ri, n, top);
    const json_t *busy = busy_start(json);
    if (busy)
        fprintf(f, " <span class=\"badtext\">The machine was busy before the first run%s: other "
                   "processes used %.2f of %.0f CPUs.</span>",
                busy == json_object_get(json, "extra") ? "" : " of a resumed session",
                json_number_value(json_object_get(busy, "start_other_cpus")),
                json_number_value(json_object_get(busy, "start_cpus_counted")));
    fputs("</p>\n", f);
}

/* The run CSV's columns listed for each failed or unverified run. */
static const enum pb_run_col run_columns[] = {
    PB_COL_strategy, PB_COL_params, PB_COL_n, PB_COL_threads, PB_COL_repeat, PB_COL_kind,
    PB_COL_verified, PB_COL_status,
};
#define NRUNCOLUMNS (sizeof run_columns / sizeof run_columns[0])

/* 1 when run r did not end ok, or was checked and did not verify. */
static int run_bad(const struct pb_row *r)
{
    return !pb_row_ok(r) || (r->verified[0] && !pb_verified_ok(r->verified));
}

/* Writes the failed run r as a table row of run_columns, each cell as NAME.csv shows it. */
static void failed_run_row(FILE *f, const struct pb_row *r)
{
    char cell[sizeof r->params];     /* the longest column */
    fputs("<tr class=\"bad\">", f);
    for (size_t c = 0; c < NRUNCOLUMNS; c++) {
        fputs("<td>", f);
        pb_html_esc(f, pb_csv_format(r, run_columns[c], cell, sizeof cell));
        fputs("</td>", f);
    }
    fputs("</tr>\n", f);
}

/* Lists the failed and unverified runs of DIR/NAME.csv (when it exists) with their status. */
static void write_failed_runs(FILE *f, const char *csv_path)
{
    struct pb_row *rows;
    size_t nrows, count = 0;
    fputs("<h2 id=\"failed\">Failed or unverified runs</h2>\n", f);
    if (pb_csv_read(csv_path, &rows, &nrows, NULL) < 0) {
        fputs("<p>The per-run CSV could not be read beside the summary.</p>\n", f);
        return;
    }
    for (size_t r = 0; r < nrows; r++) {
        if (!run_bad(&rows[r]))
            continue;
        if (count++ == 0) {
            fputs("<div class=\"scroll\"><table>\n<thead><tr>", f);
            for (size_t c = 0; c < NRUNCOLUMNS; c++)
                fprintf(f, "<th>%s</th>", pb_csv_col_name(run_columns[c]));
            fputs("</tr></thead>\n<tbody>\n", f);
        }
        failed_run_row(f, &rows[r]);
    }
    fputs(count ? "</tbody></table></div>\n" : "<p>None: every run ended ok and verified.</p>\n",
          f);
    free(rows);
}

/* Embeds DIR/NAME_fig.svg (or .png) as an <img> with a data URI. Returns 1 when embedded,
 * 0 when neither file exists (the figure is then named as missing, with note: why the figures
 * were not all drawn, or NULL when nothing is known). */
static int write_figure(FILE *f, const char *dir, const char *name, const char *fig,
                        const char *note)
{
    static const char *const kinds[][2] = {{"svg", "image/svg+xml"}, {"png", "image/png"}};
    for (size_t k = 0; k < 2; k++) {
        char path[4096];
        size_t len;
        snprintf(path, sizeof path, "%s/%s_%s.%s", dir, name, fig, kinds[k][0]);
        char *data = NULL;
        if (pb_read_file(path, &data, &len) != 0)
            continue;
        fprintf(f, "<figure id=\"fig-%s\"><img class=\"figure\" alt=\"%s figure\" "
                   "src=\"data:%s;base64,", fig, fig, kinds[k][1]);
        base64(f, (const unsigned char *)data, len);
        fputs("\"><figcaption>", f);
        pb_html_esc(f, name);
        fprintf(f, "_%s.%s &mdash; script: ", fig, kinds[k][0]);
        pb_html_esc(f, name);
        fprintf(f, "_%s.gp</figcaption></figure>\n", fig);
        free(data);
        return 1;
    }
    fprintf(f, "<figure class=\"missing\"><p>Figure &ldquo;%s&rdquo; was not rendered", fig);
    if (note) {
        fputs(": ", f);
        pb_html_esc(f, note);
    } else {
        fputs(" (is gnuplot installed?)", f);
    }
    fputs(". Render it with <code>gnuplot ", f);
    pb_html_esc(f, name);
    fprintf(f, "_%s.gp</code>.</p></figure>\n", fig);
    return 0;
}

/* Writes the CPU flags of NAME.json (its cpu.flags: an array of words, or anything else as
 * JSON) once, as one wrapped line, and replaces every equal copy in env (the top level's and
 * each session's "cpu") with a pointer to that line; a session whose flags differ keeps them. */
static void write_cpu_flags(FILE *f, json_t *env)
{
    json_t *flags = json_object_get(json_object_get(env, "cpu"), "flags");
    if (!flags)
        return;
    json_incref(flags);
    fprintf(f, "<p class=\"cpuflags\"><strong>CPU flags</strong> (%zu): ", json_array_size(flags));
    size_t i;
    json_t *w;
    if (!json_is_array(flags))
        write_json(f, flags);
    json_array_foreach(flags, i, w) {
        if (i)
            fputc(' ', f);
        write_member_value(f, w);
    }
    fputs("</p>\n", f);
    json_t *note = json_string("(listed once above)");
    json_object_set(json_object_get(env, "cpu"), "flags", note);
    json_array_foreach(json_object_get(env, "sessions"), i, w) {
        json_t *cpu = json_object_get(w, "cpu");
        if (json_equal(json_object_get(cpu, "flags"), flags))
            json_object_set(cpu, "flags", note);
    }
    json_decref(note);
    json_decref(flags);
}

/* Writes the environment (NAME.json without its "config" or "config_text" member) and the config
 * (that member: a JSON string is shown as the file's text, anything else pretty-printed). root
 * is NULL when there is no NAME.json; bad says why one could not be read (or is NULL). */
static void write_environment(FILE *f, const json_t *root, const char *bad)
{
    fputs("<h2 id=\"environment\">Environment</h2>\n", f);
    if (!root) {
        fputs("<p>", f);
        if (!bad)
            fputs("No environment file (NAME.json) beside the CSV.", f);
        else {
            fputs("The environment file (NAME.json) is not JSON: ", f);
            pb_html_esc(f, bad);
        }
        fputs("</p>\n", f);
        return;
    }
    const char *key = json_object_get(root, "config") ? "config" : "config_text";
    const json_t *config = json_object_get(root, key);
    json_t *env = json_deep_copy(root);
    json_object_del(env, key);
    fputs("<details><summary>NAME.json: the machine, compiler, OpenMP and git state of the "
          "runs</summary>\n", f);
    write_cpu_flags(f, env);
    fputs("<pre class=\"json\">", f);
    write_json(f, env);
    json_decref(env);
    fputs("</pre>\n</details>\n<h2 id=\"config\">Config</h2>\n", f);
    if (!config) {
        fputs("<p>The environment file holds no &ldquo;config&rdquo; member.</p>\n", f);
        return;
    }
    fputs("<pre class=\"json\">", f);
    if (json_is_string(config))
        pb_html_esc_n(f, json_string_value(config), json_string_length(config));
    else
        write_json(f, config);
    fputs("</pre>\n", f);
}

/* ---------------------------------------------------------------- the page */

/* Style and the one inline script: it counts the figures that decoded (naturalWidth > 0) into
 * body[data-figures-ok], which the browser test reads from the dumped DOM. */
static const char page_head[] =
    "<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
    "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
    "<style>\n"
    "body{font:15px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:1300px;padding:0 1em;"
    "color:#222}\n"
    "h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}\n"
    "nav a{margin-right:1em}figure{margin:1em 0}figure img{max-width:100%;height:auto;"
    "border:1px solid #eee}\n"
    "figcaption{color:#666;font-size:.9em}.missing,.broken{background:#fff4e5;padding:.5em}\n"
    ".scroll{overflow-x:auto}table{border-collapse:collapse;font-size:.85em;"
    "font-variant-numeric:tabular-nums}\n"
    "th,td{border:1px solid #ddd;padding:.25em .5em;text-align:right;white-space:nowrap}\n"
    "thead th{background:#f3f3f3;position:sticky;top:0}tbody th{text-align:left}\n"
    "td.status{text-align:left}tr.best{background:#e3f4e6}tr.best .star{color:#176f2c;"
    "font-weight:bold}\n"
    "tr.bad{background:#fde2e2;color:#7a1010}tr.flagged{background:#fff8dc}"
    ".badtext{color:#a01010;font-weight:bold}\n"
    "pre.json{background:#f7f7f7;padding:1em;overflow-x:auto;font-size:.85em}\n"
    "p.cpuflags{overflow-wrap:anywhere;font-size:.85em}summary{cursor:pointer}\n"
    "table.pick td.why,table.pick td.nopick{white-space:normal;text-align:left;min-width:20em}\n"
    "td.nopick{color:#7a4a00}\n"
    "</style>\n"
    "<script>\n"
    "window.addEventListener('load', function () {\n"
    "  var imgs = document.querySelectorAll('img.figure'), ok = 0;\n"
    "  for (var i = 0; i < imgs.length; i++) {\n"
    "    if (imgs[i].complete && imgs[i].naturalWidth > 0) ok++;\n"
    "    else imgs[i].parentNode.className += ' broken';\n"
    "  }\n"
    "  document.body.setAttribute('data-figures-ok', String(ok));\n"
    "});\n"
    "</script>\n";

/* What the page shows of the figures: which (o, or the built-in ones when NULL) and why some
 * are missing (note, or NULL). */
struct figs {
    const struct pb_plot_opts *o;
    const char *note;
};

/* Writes the figures section, in pb_plots_stems order; returns how many were embedded. */
static int write_figures(FILE *f, const char *dir, const char *name, const struct figs *g)
{
    const char *stems[64];
    size_t n = pb_plots_stems(dir, name, g->o, stems, 64);
    int count = 0;
    fputs("<h2 id=\"figures\">Figures</h2>\n", f);
    for (size_t i = 0; i < n; i++)
        count += write_figure(f, dir, name, stems[i], g->note);
    return count;
}

/* Writes the whole page into f. */
static void write_page(FILE *f, const char *dir, const char *name, const struct pb_table *t,
                       const struct pb_report_row *ri, const json_t *json, const char *json_bad,
                       const struct figs *g)
{
    char path[4096];
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<title>pairbench: ", f);
    pb_html_esc(f, name);
    fprintf(f, "</title>\n%s</head>\n<body>\n<h1>pairbench report: ", page_head);
    pb_html_esc(f, name);
    fputs("</h1>\n<nav><a href=\"#recommendation\">Recommendation</a>"
          "<a href=\"#figures\">Figures</a><a href=\"#summary\">Summary</a>"
          "<a href=\"#failed\">Failed runs</a><a href=\"#overhead\">Fixed costs</a>"
          "<a href=\"#environment\">Environment</a><a href=\"#config\">Config</a></nav>\n", f);
    write_cpu_line(f, json);
    write_plugin_notes(f, json);
    write_headline(f, t, ri, t->nrows, json);
    pb_report_recommendation(f, t, ri, t->nrows);
    int figures = write_figures(f, dir, name, g);
    fputs("<h2 id=\"summary\">Summary</h2>\n<p>One row per point, sorted by n then median time. "
          "Green: the lowest median at that n among the points whose every run ended ok and "
          "verified (flagged or not). Red: a point with a failed or unverified run. Yellow: a "
          "flag: wide spread, runs that shared their CPUs with other processes (busy) or had "
          "fewer CPUs than threads (capped).</p>\n",
          f);
    pb_report_table(f, t, ri, t->nrows, 1);
    snprintf(path, sizeof path, "%s/%s.csv", dir, name);
    write_failed_runs(f, path);
    fputs("<h2 id=\"overhead\">Fixed costs (empty-work runs)</h2>\n", f);
    pb_report_table(f, t, ri, t->nrows, 0);
    write_environment(f, json, json_bad);
    /* set last, so the attribute exists only once the whole body has been written */
    fprintf(f, "<script>document.body.setAttribute('data-figures', '%d');</script>\n", figures);
    fputs("</body>\n</html>\n", f);
}

int pb_report_write(const char *dir, const char *name, struct pb_err *err)
{
    return pb_report_write_figures(dir, name, NULL, NULL, err);
}

int pb_report_write_figures(const char *dir, const char *name, const struct pb_plot_opts *o,
                            const char *note, struct pb_err *err)
{
    const struct figs g = {.o = o, .note = note};
    char path[4096], tmp[4200], final[4096];
    struct pb_table t;
    int rc = pb_summary_read(dir, name, &t, path, sizeof path, err);
    if (rc < 0)
        return rc;
    struct pb_report_row *ri = NULL;
    if (pb_report_analyse(&t, &ri) < 0) {
        pb_table_free(&t);
        return pb_fail(err, -ENOMEM, "%s: out of memory", path);
    }
    char why[256];
    json_t *json = NULL;
    snprintf(path, sizeof path, "%s/%s.json", dir, name);
    int json_ok = read_json(path, &json, why, sizeof why) == 0;
    snprintf(final, sizeof final, "%s/%s.html", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", final);
    FILE *f = pb_fcreate(tmp, 1);             /* never through a link planted in DIR */
    if (!f) {
        rc = pb_fail(err, -errno, "%s: cannot write: %s", tmp, strerror(errno));
    } else {
        errno = 0;
        write_page(f, dir, name, &t, ri, json, json_ok ? NULL : why, &g);
        int bad = ferror(f) || fflush(f) != 0 ? (errno ? errno : EIO) : 0;
        if (fclose(f) != 0 || bad) {
            rc = pb_fail(err, -EIO, "%s: write failed: %s", tmp, pb_write_error(bad ? bad : errno));
            remove(tmp);
        }
        else if (rename(tmp, final) < 0)
            rc = pb_fail(err, -errno, "%s: cannot rename to %s", tmp, final);
    }
    json_decref(json);
    free(ri);
    pb_table_free(&t);
    return rc;
}
