/* compare.c — matching two result sets and judging each key (see compare.h). A key is called
 * slower only when the rank test rejects "same distribution" at alpha AND the median ratio
 * exceeds 1 + threshold: significance alone flags harmless 1% shifts on quiet machines, the
 * ratio alone flags noise. A key that is neither, but whose interval reaches across the
 * threshold, is inconclusive rather than the same.
 *
 * Only like is compared with like: the NAME.json beside each CSV records the workload and the
 * environment, and this file reads them (with jansson, as envinfo.c writes them) to say how two
 * sets differ; the caller refuses different workloads and warns about the rest. */
#include "compare.h"
#include "stats.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* A row and the file it came from. */
struct tagged {
    const struct pb_row *row;
    int is_new;                      /* 0: OLD, 1: NEW */
};

/* Orders rows by the comparison key: the summary's point (kind is "run" on both sides). */
static int cmp_key(const struct pb_row *a, const struct pb_row *b)
{
    return pb_row_cmp_key(a, b, 1);
}

static int cmp_tagged(const void *p, const void *q)
{
    return cmp_key(((const struct tagged *)p)->row, ((const struct tagged *)q)->row);
}

const char *pb_compare_verdict_name(enum pb_cmp_verdict v)
{
    static const char *const names[] = {
        [PB_CMP_SAME] = "same", [PB_CMP_SLOWER] = "slower", [PB_CMP_FASTER] = "faster",
        [PB_CMP_ONLY_OLD] = "only in OLD", [PB_CMP_ONLY_NEW] = "only in NEW",
        [PB_CMP_FAILED] = "failed in NEW", [PB_CMP_NO_OK_RUN] = "no ok run",
        [PB_CMP_INCONCLUSIVE] = "inconclusive",
    };
    return (unsigned)v < sizeof names / sizeof names[0] ? names[v] : "?";
}

size_t pb_compare_count(const struct pb_cmp_result *res, size_t n, enum pb_cmp_verdict v)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += res[i].verdict == v;
    return k;
}

/* The smallest p the test can give for samples of na and nb: complete separation. */
static double smallest_p(size_t na, size_t nb, double *tmp)
{
    for (size_t i = 0; i < na + nb; i++)
        tmp[i] = (double)i;
    return pb_mann_whitney_p(tmp, na, tmp + na, nb);
}

/* 1 when the interval [lo, hi] holds values on both sides of limit. */
static int spans(double lo, double hi, double limit)
{
    return lo < limit && hi > limit;
}

/* Medians, ratio, interval, test and verdict of r from the ok wall times a (old) and b (new);
 * tmp holds na + nb doubles. */
static void judge(struct pb_cmp_result *r, const double *a, size_t na, const double *b,
                  size_t nb, const struct pb_cmp_opts *o, double *tmp)
{
    r->old_median = na ? pb_median(a, na) : NAN;
    r->new_median = nb ? pb_median(b, nb) : NAN;
    r->ratio = r->ratio_lo = r->ratio_hi = r->p = r->p_min = NAN;
    if (na == 0 || nb == 0) {
        int failed = na > 0 && r->failed_new > 0;
        r->verdict = failed ? PB_CMP_FAILED : na ? PB_CMP_ONLY_OLD : PB_CMP_ONLY_NEW;
        if (na == 0 && nb == 0)          /* failed runs on one or both sides, ok ones on none */
            r->verdict = r->failed_new > 0 ? PB_CMP_NO_OK_RUN : PB_CMP_ONLY_OLD;
        return;
    }
    r->ratio = r->new_median / r->old_median;
    pb_bootstrap_ratio_ci(a, na, b, nb, o->seed, &r->ratio_lo, &r->ratio_hi);
    r->p = pb_mann_whitney_p(a, na, b, nb);
    r->p_min = smallest_p(na, nb, tmp);
    r->verdict = PB_CMP_SAME;
    if (r->p < o->alpha && r->ratio > 1 + o->threshold)
        r->verdict = PB_CMP_SLOWER;
    else if (r->p < o->alpha && r->ratio < 1 - o->threshold)
        r->verdict = PB_CMP_FASTER;
    else if (spans(r->ratio_lo, r->ratio_hi, 1 + o->threshold) ||
             spans(r->ratio_lo, r->ratio_hi, 1 - o->threshold))
        r->verdict = PB_CMP_INCONCLUSIVE;
}

/* Compares one key: the tagged rows t[0..n) all share it. a, b and tmp hold n doubles each
 * (tmp 2n). */
static void compare_group(const struct tagged *t, size_t n, const struct pb_cmp_opts *o,
                          double *a, double *b, double *tmp, struct pb_cmp_result *r)
{
    size_t na = 0, nb = 0;
    *r = (struct pb_cmp_result){ .key = *t[0].row };
    for (size_t i = 0; i < n; i++) {
        if (!pb_row_timed(t[i].row))
            *(t[i].is_new ? &r->failed_new : &r->failed_old) += 1;
        else if (t[i].is_new)
            b[nb++] = t[i].row->wall_s;
        else
            a[na++] = t[i].row->wall_s;
    }
    r->runs_old = na;
    r->runs_new = nb;
    judge(r, a, na, b, nb, o, tmp);
}

/* Collects the kind "run" rows of both sets, tagged, into t; returns how many. */
static size_t collect(const struct pb_row *old, size_t nold, const struct pb_row *new,
                      size_t nnew, struct tagged *t)
{
    size_t k = 0;
    for (size_t i = 0; i < nold; i++)
        if (pb_row_is(&old[i], PB_KIND_RUN))
            t[k++] = (struct tagged){ .row = &old[i], .is_new = 0 };
    for (size_t i = 0; i < nnew; i++)
        if (pb_row_is(&new[i], PB_KIND_RUN))
            t[k++] = (struct tagged){ .row = &new[i], .is_new = 1 };
    return k;
}

int pb_compare_rows(const struct pb_row *old, size_t nold, const struct pb_row *new,
                    size_t nnew, const struct pb_cmp_opts *o, struct pb_cmp_result **res,
                    size_t *nres)
{
    size_t cap = nold + nnew ? nold + nnew : 1, n = 0;
    struct tagged *t = malloc(cap * sizeof *t);
    double *buf = malloc(4 * cap * sizeof *buf);  /* old, new, and 2 * cap of scratch */
    *res = malloc(cap * sizeof **res);
    *nres = 0;
    int rc = t && buf && *res ? 0 : -ENOMEM;
    if (rc == 0) {
        n = collect(old, nold, new, nnew, t);
        qsort(t, n, sizeof *t, cmp_tagged);
    }
    for (size_t i = 0, j; rc == 0 && i < n; i = j) {
        for (j = i + 1; j < n && cmp_key(t[j].row, t[i].row) == 0; j++)
            ;
        compare_group(t + i, j - i, o, buf, buf + cap, buf + 2 * cap, &(*res)[(*nres)++]);
    }
    free(t);
    free(buf);
    if (rc != 0) {
        free(*res);
        *res = NULL;
    }
    return rc;
}

int pb_compare_files(const char *old_path, const char *new_path, const struct pb_cmp_opts *o,
                     struct pb_cmp_result **res, size_t *nres, struct pb_err *err)
{
    struct pb_row *old = NULL, *new = NULL;
    size_t nold = 0, nnew = 0;
    *res = NULL;
    *nres = 0;
    int rc = pb_csv_read(old_path, &old, &nold, err);
    if (rc == 0)
        rc = pb_csv_read(new_path, &new, &nnew, err);
    if (rc == 0 && (rc = pb_compare_rows(old, nold, new, nnew, o, res, nres)) != 0)
        pb_fail(err, rc, "comparing %s with %s: out of memory", old_path, new_path);
    free(old);
    free(new);
    return rc;
}

int pb_compare_gate_data(const struct pb_cmp_result *res, size_t n, const char *old_path,
                         const char *new_path, struct pb_err *err)
{
    size_t ok_old = 0, ok_new = 0, both = 0;
    for (size_t i = 0; i < n; i++) {
        ok_old += res[i].runs_old;
        ok_new += res[i].runs_new;
        both += res[i].runs_old > 0 && res[i].runs_new > 0;
    }
    if (ok_new == 0)
        return pb_fail(err, -ENODATA, "%s holds no ok counted run (empty, or every run failed): "
                       "nothing passes this gate", new_path);
    if (ok_old == 0)
        return pb_fail(err, -ENODATA, "%s holds no ok counted run (empty, or every run failed): "
                       "nothing to compare against", old_path);
    if (both == 0)
        return pb_fail(err, -ENODATA, "no key has ok runs in both %s and %s: nothing was "
                       "compared", old_path, new_path);
    return 0;
}

/* Writes d with fmt into buf, or "-" when d is not finite; returns buf. */
static const char *num(char *buf, size_t cap, const char *fmt, double d)
{
    if (isfinite(d))
        snprintf(buf, cap, fmt, d);
    else
        snprintf(buf, cap, "-");
    return buf;
}

/* Writes one key's line of the table. */
static void write_line(FILE *f, const struct pb_cmp_result *r)
{
    char om[32], nm[32], ra[32], lo[32], hi[32], p[32], runs[48];
    const struct pb_row *k = &r->key;
    snprintf(runs, sizeof runs, "%zu/%zu", r->runs_old, r->runs_new);
    if (r->failed_old || r->failed_new)
        snprintf(runs + strlen(runs), sizeof runs - strlen(runs), " (%zu/%zu failed)",
                 r->failed_old, r->failed_new);
    fprintf(f, "%-16s %-20s %-9s %9zu %7d %5d %-9s %-10s %12s %12s %7s [%s, %s] %9s  %s\n",
            k->strategy, k->params[0] ? k->params : "-", k->output, k->n, k->threads, k->ranks,
            k->precision, runs, num(om, sizeof om, "%.6g", r->old_median),
            num(nm, sizeof nm, "%.6g", r->new_median), num(ra, sizeof ra, "%.3f", r->ratio),
            num(lo, sizeof lo, "%.3f", r->ratio_lo), num(hi, sizeof hi, "%.3f", r->ratio_hi),
            num(p, sizeof p, "%.3g", r->p), pb_compare_verdict_name(r->verdict));
}

/* Writes the totals line and, when some key's sample sizes cannot reach alpha, a note. */
static void write_totals(FILE *f, const struct pb_cmp_result *res, size_t n,
                         const struct pb_cmp_opts *o)
{
    size_t weak = 0;
    for (size_t i = 0; i < n; i++)
        weak += res[i].p_min >= o->alpha;
    fprintf(f, "%zu keys: %zu slower, %zu faster, %zu same, %zu inconclusive, %zu failed in NEW, "
            "%zu only in OLD, %zu only in NEW, %zu with no ok run (slower = p < %g and ratio > "
            "%g; inconclusive = the 95%% CI reaches across the threshold)\n", n,
            pb_compare_count(res, n, PB_CMP_SLOWER), pb_compare_count(res, n, PB_CMP_FASTER),
            pb_compare_count(res, n, PB_CMP_SAME), pb_compare_count(res, n, PB_CMP_INCONCLUSIVE),
            pb_compare_count(res, n, PB_CMP_FAILED),
            pb_compare_count(res, n, PB_CMP_ONLY_OLD), pb_compare_count(res, n, PB_CMP_ONLY_NEW),
            pb_compare_count(res, n, PB_CMP_NO_OK_RUN), o->alpha, 1 + o->threshold);
    if (weak)
        fprintf(f, "note: %zu keys have too few runs for any p below %g (Mann-Whitney needs "
                "at least 4 runs a side at alpha 0.05); raise repeats\n", weak, o->alpha);
}

int pb_compare_write_table(FILE *f, const struct pb_cmp_result *res, size_t n,
                           const struct pb_cmp_opts *o)
{
    fprintf(f, "%-16s %-20s %-9s %9s %7s %5s %-9s %-10s %12s %12s %7s %-16s %9s  %s\n",
            "strategy", "params", "output", "n", "threads", "ranks", "precision", "runs o/n",
            "old median s", "new median s", "new/old", "95% CI", "p", "verdict");
    for (size_t i = 0; i < n; i++)
        write_line(f, &res[i]);
    write_totals(f, res, n, o);
    return ferror(f) ? -EIO : 0;
}

/* ---------------------------------------------------------------- like with like */

/* Appends one line to notes (cut to fit); past the last slot, the last line counts the rest. */
static void note(struct pb_cmp_notes *notes, const char *fmt, ...)
{
    va_list ap;
    if (notes->n >= PB_CMP_MAX_NOTES) {
        snprintf(notes->text[PB_CMP_MAX_NOTES - 1], sizeof notes->text[0],
                 "... and %zu more differences", notes->n - PB_CMP_MAX_NOTES + 2);
        notes->n++;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(notes->text[notes->n++], sizeof notes->text[0], fmt, ap);
    va_end(ap);
}

char *pb_compare_meta_path(const char *csv_path, char *buf, size_t cap)
{
    size_t len = strlen(csv_path);
    int csv = len >= 4 && strcmp(csv_path + len - 4, ".csv") == 0;
    snprintf(buf, cap, "%.*s.json", (int)(csv ? len - 4 : len), csv_path);
    return buf;
}

/* v as compact JSON into buf ("absent" for NULL). Returns buf. */
static const char *compact(const json_t *v, char *buf, size_t cap)
{
    char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17))
                   : NULL;
    snprintf(buf, cap, "%s", v ? (text ? text : "?") : "absent");
    free(text);
    return buf;
}

/* Notes every leaf where a (OLD) and b (NEW) differ, named by its dotted path under name:
 * objects are walked key by key (a key absent on one side differs), anything else is compared
 * whole. */
static void diff_json(const char *name, const json_t *a, const json_t *b, struct pb_cmp_notes *out)
{
    char path[256], x[160], y[160];
    const char *key;
    const json_t *v;
    if (json_is_object(a) && json_is_object(b)) {
        json_object_foreach((json_t *)a, key, v) {
            snprintf(path, sizeof path, "%s%s%s", name, *name ? "." : "", key);
            diff_json(path, v, json_object_get(b, key), out);
        }
        json_object_foreach((json_t *)b, key, v)
            if (!json_object_get(a, key)) {
                snprintf(path, sizeof path, "%s%s%s", name, *name ? "." : "", key);
                diff_json(path, NULL, v, out);
            }
        return;
    }
    if ((a || b) && !(a && b && json_equal((json_t *)a, (json_t *)b)))
        note(out, "%s: %s in OLD, %s in NEW", name, compact(a, x, sizeof x),
             compact(b, y, sizeof y));
}

/* The members of root that say where and how it was measured, as one object: the CPU, the
 * kernel level, the compiler, the commit, and each plugin's hash and build by its strategies.
 * NULL when out of memory. */
static json_t *environment_of(const json_t *root)
{
    const json_t *cpu = json_object_get(root, "cpu"), *git = json_object_get(root, "git"), *p;
    json_t *plugins = json_object();
    size_t i;
    json_array_foreach(json_object_get(root, "plugins"), i, p) {
        char label[512];
        compact(json_object_get(p, "strategies"), label, sizeof label);
        json_object_set_new(plugins, label, json_pack("{s:O?, s:O?}", "hash",
                            json_object_get(p, "hash"), "build", json_object_get(p, "build")));
    }
    return json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:o}",
                     "cpu.model", json_object_get(cpu, "model"),
                     "cpu.family", json_object_get(cpu, "family"),
                     "cpu.model_number", json_object_get(cpu, "model_number"),
                     "kernel_level", json_object_get(root, "kernel_level"),
                     "compiler", json_object_get(root, "compiler"),
                     "git.commit", json_object_get(git, "commit"),
                     "git.dirty", json_object_get(git, "dirty"),
                     "bench_version", json_object_get(root, "bench_version"), "plugins", plugins);
}

/* Reads the NAME.json beside csv; NULL with a warning in ctx when there is none or it is not
 * JSON. side is "OLD" or "NEW". */
static json_t *read_meta(const char *csv, const char *side, struct pb_cmp_context *ctx)
{
    char path[4096];
    json_error_t jerr;
    json_t *root = json_load_file(pb_compare_meta_path(csv, path, sizeof path), 0, &jerr);
    if (!json_is_object(root)) {
        note(&ctx->warnings, "%s: %s cannot be read (%s): its workload and environment are not "
             "checked", side, path, jerr.text);
        json_decref(root);
        return NULL;
    }
    if (!json_object_get(root, "workload"))
        note(&ctx->warnings, "%s: %s records no workload (written by an older bench): the "
             "workloads are not checked", side, path);
    return root;
}

void pb_compare_context(const char *old_csv, const char *new_csv, struct pb_cmp_context *ctx)
{
    *ctx = (struct pb_cmp_context){ .workload.n = 0 };
    json_t *a = read_meta(old_csv, "OLD", ctx), *b = read_meta(new_csv, "NEW", ctx);
    if (a && b) {
        const json_t *wa = json_object_get(a, "workload"), *wb = json_object_get(b, "workload");
        if (wa && wb)
            diff_json("", wa, wb, &ctx->workload);
        json_t *ea = environment_of(a), *eb = environment_of(b);
        diff_json("", ea, eb, &ctx->warnings);
        json_decref(ea);
        json_decref(eb);
    }
    json_decref(a);
    json_decref(b);
}

/* d as a JSON number, or null when it is not finite. */
static json_t *real_or_null(double d)
{
    return isfinite(d) ? json_real(d) : json_null();
}

/* One key of the comparison as a JSON object. */
static json_t *result_json(const struct pb_cmp_result *r)
{
    const struct pb_row *k = &r->key;
    return json_pack("{s:s, s:s, s:s, s:I, s:i, s:i, s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o,"
                     " s:o, s:o, s:s}", "strategy", k->strategy, "params", k->params, "output",
                     k->output, "n", (json_int_t)k->n, "threads", k->threads, "ranks", k->ranks,
                     "precision", k->precision, "runs_old", (json_int_t)r->runs_old, "runs_new",
                     (json_int_t)r->runs_new, "failed_old", (json_int_t)r->failed_old,
                     "failed_new", (json_int_t)r->failed_new, "old_median_s",
                     real_or_null(r->old_median), "new_median_s", real_or_null(r->new_median),
                     "ratio", real_or_null(r->ratio), "ratio_ci_lo", real_or_null(r->ratio_lo),
                     "ratio_ci_hi", real_or_null(r->ratio_hi), "p", real_or_null(r->p),
                     "verdict", pb_compare_verdict_name(r->verdict));
}

/* The lines of notes as a JSON array of strings. */
static json_t *notes_json(const struct pb_cmp_notes *notes)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < notes->n && i < PB_CMP_MAX_NOTES; i++)
        json_array_append_new(a, json_string(notes->text[i]));
    return a;
}

/* The count of each verdict, by its printed name. */
static json_t *totals_json(const struct pb_cmp_result *res, size_t n)
{
    json_t *o = json_object();
    for (int v = PB_CMP_SAME; o && v <= PB_CMP_INCONCLUSIVE; v++)
        json_object_set_new(o, pb_compare_verdict_name(v),
                            json_integer((json_int_t)pb_compare_count(res, n, v)));
    return o;
}

int pb_compare_write_json(FILE *f, const char *old_path, const char *new_path,
                          const struct pb_cmp_result *res, size_t n, const struct pb_cmp_opts *o,
                          const struct pb_cmp_context *ctx)
{
    json_t *keys = json_array();
    for (size_t i = 0; keys && i < n; i++)
        json_array_append_new(keys, result_json(&res[i]));
    json_t *doc = json_pack("{s:s, s:s, s:f, s:f, s:o, s:o, s:o}", "old", old_path, "new",
                            new_path, "threshold", o->threshold, "alpha", o->alpha, "warnings",
                            notes_json(&ctx->warnings), "keys", keys, "totals",
                            totals_json(res, n));
    if (!doc)
        return -ENOMEM;
    int rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    json_decref(doc);
    fputc('\n', f);
    return rc != 0 || ferror(f) ? -EIO : 0;
}
