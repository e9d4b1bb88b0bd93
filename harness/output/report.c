/* report.c — the HTML report of a result set (see report.h).
 *
 * The page is written in one pass into NAME.html.tmp and renamed, so a reader never sees half a
 * report. Figures are embedded as base64 data URIs (SVG preferred: it stays sharp when
 * zoomed), and a Content-Security-Policy forbids every network load, so "self-contained" is
 * enforced by the browser rather than hoped for. */
#include "report.h"

#include "fdio.h"
#include "results.h"
#include "plots.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- small helpers */

/* Writes len bytes of s HTML-escaped (text and attribute safe). */
static void esc_n(FILE *f, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        switch (s[i]) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(s[i], f);
        }
    }
}

static void esc(FILE *f, const char *s)
{
    esc_n(f, s, strlen(s));
}

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

/* ---------------------------------------------------------------- JSON as text */

/* Offset just past the JSON string starting at s[i] == '"'. */
static size_t skip_string(const char *s, size_t i)
{
    for (i++; s[i] && s[i] != '"'; i++)
        if (s[i] == '\\' && s[i + 1])
            i++;
    return s[i] ? i + 1 : i;
}

/* Offset just past the JSON value starting at s[i] (any kind; strings and nesting honoured). */
static size_t skip_value(const char *s, size_t i)
{
    int depth = 0;
    for (; s[i]; i++) {
        char c = s[i];
        if (c == '"') {
            i = skip_string(s, i) - 1;
            if (depth == 0)
                return i + 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return i;
            if (--depth == 0)
                return i + 1;
        } else if (depth == 0 && c == ',') {
            return i;
        }
    }
    return i;
}

/* Finds the top-level member key of the JSON object in s: [*kstart, *vend) spans from the key's
 * quote to the end of its value, *vstart is where the value starts. Returns 1 when found. */
static int find_member(const char *s, const char *key, size_t *kstart, size_t *vstart,
                       size_t *vend)
{
    size_t i = strspn(s, " \t\r\n"), klen = strlen(key);
    if (s[i] != '{')
        return 0;
    for (i++; s[i];) {
        i += strspn(s + i, " \t\r\n,");
        if (s[i] != '"')
            return 0;
        size_t k = i, kend = skip_string(s, i);
        i = kend + strspn(s + kend, " \t\r\n");
        if (s[i] != ':')
            return 0;
        i += 1 + strspn(s + i + 1, " \t\r\n");
        size_t v = i;
        i = skip_value(s, i);
        if (kend - k == klen + 2 && strncmp(s + k + 1, key, klen) == 0) {
            *kstart = k;
            *vstart = v;
            *vend = i;
            return 1;
        }
    }
    return 0;
}

/* The value of top-level member key of the JSON object at s, as text into out: a string without
 * its quotes (escapes kept), anything else as written. "?" when absent. */
static void member_text(const char *s, const char *key, char *out, size_t cap)
{
    size_t k, v, e;
    if (!s || !find_member(s, key, &k, &v, &e)) {
        snprintf(out, cap, "?");
        return;
    }
    if (s[v] == '"' && e > v + 1)
        v++, e--;
    snprintf(out, cap, "%.*s", (int)(e - v), s + v);
}

/* Writes one line naming the CPU (model, family, model number) and the kernel level the numbers
 * came from, read from NAME.json: results from different CPUs must not be compared blind. */
static void write_cpu_line(FILE *f, const char *json)
{
    char model[256], family[32], number[32], level[64];
    size_t k, v = 0, e;
    const char *cpu = json && find_member(json, "cpu", &k, &v, &e) ? json + v : NULL;
    if (!cpu)
        return;
    member_text(cpu, "model", model, sizeof model);
    member_text(cpu, "family", family, sizeof family);
    member_text(cpu, "model_number", number, sizeof number);
    member_text(json, "kernel_level", level, sizeof level);
    fputs("<p class=\"cpu\">CPU: ", f);
    esc(f, model);
    fputs(" (family ", f);
    esc(f, family);
    fputs(", model ", f);
    esc(f, number);
    fputs("); kernels: ", f);
    esc(f, level);
    fputs("</p>\n", f);
}

/* Writes a newline and two spaces per level. */
static void indent(FILE *f, int level)
{
    fputc('\n', f);
    for (int i = 0; i < level; i++)
        fputs("  ", f);
}

/* Writes JSON text s[0..len) re-indented from nesting level, HTML-escaped; returns the level
 * at its end, so a document can be written in pieces. Tolerant: text that is not JSON comes out
 * with its characters intact, only its layout changed. */
static int json_pretty(FILE *f, const char *s, size_t len, int level)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '"') {
            size_t end = skip_string(s, i);
            esc_n(f, s + i, (end > len ? len : end) - i);
            i = end - 1;
        } else if (c == '{' || c == '[') {
            size_t j = i + 1 + strspn(s + i + 1, " \t\r\n");
            if (s[j] == (c == '{' ? '}' : ']')) {
                fprintf(f, "%c%c", c, s[j]);
                i = j;
                continue;
            }
            fputc(c, f);
            indent(f, ++level);
        } else if (c == '}' || c == ']') {
            indent(f, level > 0 ? --level : 0);
            fputc(c, f);
        } else if (c == ',') {
            fputc(c, f);
            indent(f, level);
        } else if (c == ':') {
            fputs(": ", f);
        } else if (!strchr(" \t\r\n", c)) {
            esc_n(f, &c, 1);
        }
    }
    return level;
}

/* Writes code point cp (below 0x10000) as UTF-8, HTML-escaped. */
static void utf8(FILE *f, unsigned cp)
{
    char u[3];
    size_t n = 1;
    if (cp < 0x80) {
        u[0] = (char)cp;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 63));
        n = 2;
    } else {
        u[0] = (char)(0xE0 | cp >> 12);
        u[1] = (char)(0x80 | (cp >> 6 & 63));
        u[2] = (char)(0x80 | (cp & 63));
        n = 3;
    }
    esc_n(f, u, n);
}

/* Writes the JSON string literal s[0..len) (quotes included) decoded, HTML-escaped. */
static void json_string_text(FILE *f, const char *s, size_t len)
{
    for (size_t i = 1; i + 1 < len; i++) {
        char c = s[i];
        if (c == '\\' && s[i + 1] == 'u' && i + 6 < len) {
            char hex[5] = {s[i + 2], s[i + 3], s[i + 4], s[i + 5], 0};
            utf8(f, (unsigned)strtoul(hex, NULL, 16));
            i += 5;
            continue;
        }
        if (c == '\\' && i + 2 < len) {
            c = s[++i];
            c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
        }
        esc_n(f, &c, 1);
    }
}

/* ---------------------------------------------------------------- the summary table */

/* The summary's columns a reader needs, in display order. */
static const struct column {
    const char *csv;                 /* column name in NAME_summary.csv */
    const char *head;                /* table heading, with unit */
} columns[] = {
    {"strategy", "strategy"}, {"params", "params"}, {"n", "n"}, {"threads", "threads"},
    {"runs", "runs"}, {"wall_median_s", "median (s)"}, {"wall_ci95_lo_s", "95% CI low (s)"},
    {"wall_ci95_hi_s", "95% CI high (s)"}, {"wall_min_s", "min (s)"},
    {"peak_rss_kib", "peak PSS (KiB)"}, {"speedup", "speedup (x)"},
    {"efficiency", "efficiency"}, {"pairs_per_s", "pairs/s"},
    {"fraction_of_limit", "fraction of limit"},
    {"build_median_s", "structure build (s, in the median)"},
    {"evals_per_pair", "distance evals / counted pair"}, {"flag", "spread flag"},
};
#define NCOLUMNS (sizeof columns / sizeof columns[0])

/* What the report knows of one summary row. */
struct rowinfo {
    size_t row;                      /* index in the summary table */
    long n;
    int threads;
    double median;                   /* wall_median_s; <= 0 or NaN when none */
    int counted;                     /* 1: kind run (not overhead), n > 0 */
    int failed;                      /* runs whose status was not ok */
    int unverified;                  /* 1: verified is not "yes" */
    int best;                        /* 1: lowest median of the good rows at this n */
};

/* Orders rows by n, then median (missing last), then threads. */
static int cmp_rowinfo(const void *a, const void *b)
{
    const struct rowinfo *x = a, *y = b;
    if (x->n != y->n)
        return (x->n > y->n) - (x->n < y->n);
    int xm = x->median > 0, ym = y->median > 0;
    if (xm != ym)
        return ym - xm;
    if (xm && x->median != y->median)
        return (x->median > y->median) - (x->median < y->median);
    return (x->threads > y->threads) - (x->threads < y->threads);
}

/* 1 when the row measured cleanly: every run ok and verified, with a median. */
static int row_good(const struct rowinfo *r)
{
    return r->counted && !r->failed && !r->unverified && r->median > 0;
}

/* Reads summary t into a malloc'd, sorted array of row facts (*out, t->nrows long) and marks
 * the best row per n. Returns 0 or -ENOMEM. */
static int analyse(const struct pb_table *t, struct rowinfo **out)
{
    struct rowinfo *ri = calloc(t->nrows + 1, sizeof *ri);
    if (!ri)
        return -ENOMEM;
    int kind = pb_table_col(t, "kind"), ver = pb_table_col(t, "verified");
    for (size_t r = 0; r < t->nrows; r++) {
        const char *med = pb_table_get(t, r, pb_table_col(t, "wall_median_s"));
        ri[r] = (struct rowinfo){
            .row = r,
            .n = atol(pb_table_get(t, r, pb_table_col(t, "n"))),
            .threads = atoi(pb_table_get(t, r, pb_table_col(t, "threads"))),
            .median = *med ? strtod(med, NULL) : 0,
            .failed = atoi(pb_table_get(t, r, pb_table_col(t, "failed"))),
            .unverified = ver >= 0 && !pb_verified_ok(pb_table_get(t, r, ver)),
        };
        ri[r].counted = ri[r].n > 0 && strcmp(pb_table_get(t, r, kind), "overhead") != 0;
    }
    qsort(ri, t->nrows, sizeof *ri, cmp_rowinfo);
    for (size_t a = 0, b; a < t->nrows; a = b) {
        double best = 0;
        for (b = a; b < t->nrows && ri[b].n == ri[a].n; b++)
            if (row_good(&ri[b]) && (best == 0 || ri[b].median < best))
                best = ri[b].median;
        for (size_t i = a; i < b; i++)
            ri[i].best = row_good(&ri[i]) && ri[i].median == best;
    }
    *out = ri;
    return 0;
}

/* Writes the status cell of a row: best, failed, not verified, or verified. */
static void status_cell(FILE *f, const struct pb_table *t, const struct rowinfo *r)
{
    const char *ver = pb_table_get(t, r->row, pb_table_col(t, "verified"));
    fputs("<td class=\"status\">", f);
    if (r->failed) {
        fprintf(f, "<strong>FAILED</strong> (%d run%s not ok)", r->failed,
                r->failed == 1 ? "" : "s");
    } else if (r->unverified) {
        fputs(*ver ? "<strong>NOT VERIFIED</strong>" : "<strong>not checked</strong>", f);
    } else {
        fputs("verified", f);
        if (strlen(ver) > 3)
            esc_n(f, ver + 3, strlen(ver) - 3);   /* " (kdtree)": the independent method */
    }
    if (r->best)
        fputs(" <span class=\"star\">&#9733; best at this n</span>", f);
    fputs("</td>", f);
}

/* 1 when column c is shown: always, except the spatial strategies' columns (build time, work
 * efficiency), shown only when some row of t has a value. */
static int column_shown(const struct pb_table *t, size_t c)
{
    int col = pb_table_col(t, columns[c].csv);
    int optional = !strcmp(columns[c].csv, "build_median_s") ||
                   !strcmp(columns[c].csv, "evals_per_pair");
    for (size_t r = 0; optional && r < t->nrows; r++)
        if (*pb_table_get(t, r, col))
            return 1;
    return !optional;
}

/* Writes one <tr> of the summary table. */
static void table_row(FILE *f, const struct pb_table *t, const struct rowinfo *r)
{
    const char *cls = r->best ? "best" : (r->failed || r->unverified) ? "bad" : "";
    if (*pb_table_get(t, r->row, pb_table_col(t, "flag")) && !*cls)
        cls = "flagged";
    fprintf(f, "<tr class=\"%s\">", cls);
    status_cell(f, t, r);
    for (size_t c = 0; c < NCOLUMNS; c++) {
        if (!column_shown(t, c))
            continue;
        fputs(c == 0 ? "<th scope=\"row\">" : "<td>", f);
        esc(f, pb_table_get(t, r->row, pb_table_col(t, columns[c].csv)));
        fputs(c == 0 ? "</th>" : "</td>", f);
    }
    fputs("</tr>\n", f);
}

/* Writes the rows of ri[0..n) for which counted == want as one table. */
static void write_table(FILE *f, const struct pb_table *t, const struct rowinfo *ri, size_t n,
                        int want)
{
    fputs("<div class=\"scroll\"><table>\n<thead><tr><th>status</th>", f);
    for (size_t c = 0; c < NCOLUMNS; c++)
        if (column_shown(t, c))
            fprintf(f, "<th>%s</th>", columns[c].head);
    fputs("</tr></thead>\n<tbody>\n", f);
    for (size_t i = 0; i < n; i++)
        if (ri[i].counted == want)
            table_row(f, t, &ri[i]);
    fputs("</tbody></table></div>\n", f);
}

/* ---------------------------------------------------------------- the other sections */

/* Writes the counts a reader wants first: points, failures, the fastest at the largest n. */
static void write_headline(FILE *f, const struct pb_table *t, const struct rowinfo *ri, size_t n)
{
    size_t points = 0, failed = 0, unverified = 0;
    const struct rowinfo *top = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!ri[i].counted)
            continue;
        points++;
        failed += ri[i].failed > 0;
        unverified += !ri[i].failed && ri[i].unverified;
        if (ri[i].best)
            top = &ri[i];
    }
    fprintf(f, "<p class=\"headline\">%zu measured points; <span class=\"%s\">%zu failed, %zu "
               "not verified</span>.", points, failed + unverified ? "badtext" : "", failed,
            unverified);
    if (top) {
        fputs(" Fastest at the largest n measured cleanly (n = ", f);
        esc(f, pb_table_get(t, top->row, pb_table_col(t, "n")));
        fputs("): <strong>", f);
        esc(f, pb_table_get(t, top->row, pb_table_col(t, "strategy")));
        fputs("</strong>, ", f);
        esc(f, pb_table_get(t, top->row, pb_table_col(t, "threads")));
        fputs(" thread(s), median ", f);
        esc(f, pb_table_get(t, top->row, pb_table_col(t, "wall_median_s")));
        fputs(" s.", f);
    }
    fputs("</p>\n", f);
}

/* The run CSV's columns listed for each failed or unverified run. */
static const char *const run_columns[] = {
    "strategy", "params", "n", "threads", "repeat", "kind", "verified", "status",
};
#define NRUNCOLUMNS (sizeof run_columns / sizeof run_columns[0])

/* 1 when run row r of t did not end ok and verified. */
static int run_bad(const struct pb_table *t, size_t r)
{
    const char *status = pb_table_get(t, r, pb_table_col(t, "status"));
    const char *ver = pb_table_get(t, r, pb_table_col(t, "verified"));
    return strcmp(status, "ok") != 0 || (*ver && !pb_verified_ok(ver));
}

/* Lists the failed and unverified runs of DIR/NAME.csv (when it exists) with their status. */
static void write_failed_runs(FILE *f, const char *csv_path)
{
    struct pb_table t;
    fputs("<h2 id=\"failed\">Failed or unverified runs</h2>\n", f);
    if (pb_table_read(csv_path, &t, NULL) < 0) {
        fputs("<p>The per-run CSV could not be read beside the summary.</p>\n", f);
        return;
    }
    size_t count = 0;
    for (size_t r = 0; r < t.nrows; r++) {
        if (!run_bad(&t, r))
            continue;
        if (count++ == 0) {
            fputs("<div class=\"scroll\"><table>\n<thead><tr>", f);
            for (size_t c = 0; c < NRUNCOLUMNS; c++)
                fprintf(f, "<th>%s</th>", run_columns[c]);
            fputs("</tr></thead>\n<tbody>\n", f);
        }
        fputs("<tr class=\"bad\">", f);
        for (size_t c = 0; c < NRUNCOLUMNS; c++) {
            fputs("<td>", f);
            esc(f, pb_table_get(&t, r, pb_table_col(&t, run_columns[c])));
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs(count ? "</tbody></table></div>\n" : "<p>None: every run ended ok and verified.</p>\n",
          f);
    pb_table_free(&t);
}

/* Embeds DIR/NAME_fig.svg (or .png) as an <img> with a data URI. Returns 1 when embedded,
 * 0 when neither file exists (the figure is then named as missing). */
static int write_figure(FILE *f, const char *dir, const char *name, const char *fig)
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
        esc(f, name);
        fprintf(f, "_%s.%s &mdash; script: ", fig, kinds[k][0]);
        esc(f, name);
        fprintf(f, "_%s.gp</figcaption></figure>\n", fig);
        free(data);
        return 1;
    }
    fprintf(f, "<figure class=\"missing\"><p>Figure &ldquo;%s&rdquo; was not rendered (is gnuplot "
               "installed?). Render it with <code>gnuplot ", fig);
    esc(f, name);
    fprintf(f, "_%s.gp</code>.</p></figure>\n", fig);
    return 0;
}

/* Writes the environment (NAME.json without its "config" or "config_text" member) and the config
 * (that member: a JSON string is shown as the file's text, an object re-indented). */
static void write_environment(FILE *f, const char *json, size_t len)
{
    size_t k, v, e;
    fputs("<h2 id=\"environment\">Environment</h2>\n<pre class=\"json\">", f);
    if (!json) {
        fputs("</pre><p>No environment file (NAME.json) beside the CSV.</p>\n", f);
        return;
    }
    if (!find_member(json, "config", &k, &v, &e)
        && !find_member(json, "config_text", &k, &v, &e)) {
        json_pretty(f, json, len, 0);
        fputs("</pre>\n<h2 id=\"config\">Config</h2>\n<p>The environment file holds no "
              "&ldquo;config&rdquo; member.</p>\n", f);
        return;
    }
    size_t cut = k, resume = e;
    while (cut > 0 && strchr(" \t\r\n", json[cut - 1]))
        cut--;
    if (cut > 0 && json[cut - 1] == ',')
        cut--;
    else
        resume += strspn(json + resume, " \t\r\n,");
    json_pretty(f, json + resume, len - resume, json_pretty(f, json, cut, 0));
    fputs("</pre>\n<h2 id=\"config\">Config</h2>\n<pre class=\"json\">", f);
    if (json[v] == '"')
        json_string_text(f, json + v, e - v);
    else
        json_pretty(f, json + v, e - v, 0);
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

/* Writes the figures section; returns how many figures were embedded. */
static int write_figures(FILE *f, const char *dir, const char *name)
{
    int count = 0;
    fputs("<h2 id=\"figures\">Figures</h2>\n", f);
    for (size_t i = 0; i < PB_FIGURE_COUNT; i++)
        count += write_figure(f, dir, name, pb_figure_names[i]);
    char rmax[4096];                 /* the crossover figure of an "rmax" sweep */
    snprintf(rmax, sizeof rmax, "%s/%s_%s.gp", dir, name, PB_FIGURE_RMAX);
    if (access(rmax, F_OK) == 0)
        count += write_figure(f, dir, name, PB_FIGURE_RMAX);
    return count;
}

/* Writes the whole page into f. */
static void write_page(FILE *f, const char *dir, const char *name, const struct pb_table *t,
                       const struct rowinfo *ri, const char *json, size_t jlen)
{
    char path[4096];
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<title>pairbench: ", f);
    esc(f, name);
    fprintf(f, "</title>\n%s</head>\n<body>\n<h1>pairbench report: ", page_head);
    esc(f, name);
    fputs("</h1>\n<nav><a href=\"#figures\">Figures</a><a href=\"#summary\">Summary</a>"
          "<a href=\"#failed\">Failed runs</a><a href=\"#overhead\">Fixed costs</a>"
          "<a href=\"#environment\">Environment</a><a href=\"#config\">Config</a></nav>\n", f);
    write_cpu_line(f, json);
    write_headline(f, t, ri, t->nrows);
    int figures = write_figures(f, dir, name);
    fputs("<h2 id=\"summary\">Summary</h2>\n<p>One row per point, sorted by n then median time. "
          "Green: the lowest median at that n among the points whose every run ended ok and "
          "verified. Red: a point with a failed or unverified run. Yellow: a spread flag.</p>\n",
          f);
    write_table(f, t, ri, t->nrows, 1);
    snprintf(path, sizeof path, "%s/%s.csv", dir, name);
    write_failed_runs(f, path);
    fputs("<h2 id=\"overhead\">Fixed costs (empty-work runs)</h2>\n", f);
    write_table(f, t, ri, t->nrows, 0);
    write_environment(f, json, jlen);
    /* set last, so the attribute exists only once the whole body has been written */
    fprintf(f, "<script>document.body.setAttribute('data-figures', '%d');</script>\n", figures);
    fputs("</body>\n</html>\n", f);
}

int pb_report_write(const char *dir, const char *name, struct pb_err *err)
{
    char path[4096], tmp[4200], final[4096];
    if (strlen(dir) + strlen(name) + 32 > sizeof path)   /* room for every file's suffix */
        return pb_fail(err, -ENAMETOOLONG, "%.60s...: the folder and name are too long", dir);
    snprintf(path, sizeof path, "%s/%s_summary.csv", dir, name);
    struct pb_table t;
    int rc = pb_table_read(path, &t, err);
    if (rc < 0)
        return rc;
    struct rowinfo *ri = NULL;
    if (analyse(&t, &ri) < 0) {
        pb_table_free(&t);
        return pb_fail(err, -ENOMEM, "%s: out of memory", path);
    }
    size_t jlen = 0;
    snprintf(path, sizeof path, "%s/%s.json", dir, name);
    char *json = NULL;
    pb_read_file(path, &json, &jlen);
    snprintf(final, sizeof final, "%s/%s.html", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", final);
    FILE *f = pb_fcreate(tmp, 1);             /* never through a link planted in DIR */
    if (!f) {
        rc = pb_fail(err, -errno, "%s: cannot write: %s", tmp, strerror(errno));
    } else {
        errno = 0;
        write_page(f, dir, name, &t, ri, json, jlen);
        int bad = ferror(f) || fflush(f) != 0 ? (errno ? errno : EIO) : 0;
        if (fclose(f) != 0 || bad) {
            rc = pb_fail(err, -EIO, "%s: write failed: %s", tmp, pb_write_error(bad ? bad : errno));
            remove(tmp);
        }
        else if (rename(tmp, final) < 0)
            rc = pb_fail(err, -errno, "%s: cannot rename to %s", tmp, final);
    }
    free(json);
    free(ri);
    pb_table_free(&t);
    return rc;
}
