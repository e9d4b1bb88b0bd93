/* pipeline.c — summary, scripts, rendering and report of a result set (see pipeline.h). */
#include "pipeline.h"

#include "csv.h"
#include "plots.h"
#include "report.h"
#include "summary.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Modification time of path in ns, or -1 when it does not exist. */
static long long mtime(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

/* Writes DIR/NAME_summary.csv from DIR/NAME.csv when fresh, when it is missing or when the
 * runs are newer. Returns 0 or -errno with err filled (-ENOENT: neither file exists). */
static int write_summary(const char *dir, const char *name, int fresh, FILE *warn,
                         struct pb_err *err)
{
    char csv[4096], summary[4096];
    if (snprintf(csv, sizeof csv, "%s/%s.csv", dir, name) >= (int)sizeof csv - 16)
        return pb_fail(err, -ENAMETOOLONG, "%.60s...: the folder and name are too long", dir);
    snprintf(summary, sizeof summary, "%s/%s_summary.csv", dir, name);
    long long runs = mtime(csv), sum = mtime(summary);
    if (runs < 0 && sum < 0)
        return pb_fail(err, -ENOENT, "%s: no such file", csv);
    if (runs < 0 || (!fresh && sum >= runs))
        return 0;
    struct pb_row *rows = NULL;
    size_t nrows = 0;
    int rc = pb_csv_read(csv, &rows, &nrows, err);
    if (rc == 0)
        rc = pb_summary_write(rows, nrows, summary, warn, err);
    free(rows);
    return rc;
}

/* One thread's measured peak pairs/s from NAME.json (meta): the latest session's
 * extra.limit_bound_pairs_per_s, else the document's own; 0 when none was measured. */
static double measured_peak(const char *meta)
{
    json_error_t jerr;
    json_t *root = json_load_file(meta, 0, &jerr);
    json_t *sessions = json_object_get(root, "sessions");
    json_t *last = json_array_get(sessions, json_array_size(sessions) - 1);
    json_t *v = json_object_get(json_object_get(last, "extra"), "limit_bound_pairs_per_s");
    if (!json_is_number(v))
        v = json_object_get(json_object_get(root, "extra"), "limit_bound_pairs_per_s");
    double peak = json_is_number(v) ? json_number_value(v) : 0;
    json_decref(root);
    return peak;
}

/* Writes the scripts and renders them (when asked) with po, noting failures in r. */
static void draw(const char *dir, const char *name, const struct pb_plot_opts *po, int render,
                 struct pb_pipeline_result *r)
{
    struct pb_err pe = {{0}};
    int rc = pb_plots_write(dir, name, po, &pe);
    r->scripts_failed = rc < 0;
    if (rc == 0 && render)
        rc = pb_plots_render(dir, name, po, &pe);
    else if (rc == 0)
        pb_fit(pe.msg, sizeof pe.msg, "not rendered (--no-render): run gnuplot on the scripts");
    r->rendered = rc == 0 && render;
    r->interrupted = rc == -EINTR;
    r->figures_failed = rc < 0 && rc != -ENOENT && rc != -EINTR;
    if (!r->rendered)
        snprintf(r->note, sizeof r->note, "%s", pe.msg);
}

int pb_pipeline_run(const char *dir, const char *name, const struct pb_pipeline_opts *o,
                    struct pb_pipeline_result *r, struct pb_err *err)
{
    char meta[4096];
    struct pb_figure_decl *figs = NULL;
    size_t nfigs = 0;
    memset(r, 0, sizeof *r);
    int rc = write_summary(dir, name, o->fresh, o->warn, err);
    if (rc < 0)
        return rc;
    snprintf(meta, sizeof meta, "%s/%s.json", dir, name);
    if ((rc = pb_config_figures_read(meta, &figs, &nfigs, err)) < 0)
        return rc;
    struct pb_plot_opts po = {.peak_pairs_per_s = measured_peak(meta), .figures = figs,
                              .nfigures = nfigs};
    draw(dir, name, &po, o->render, r);
    rc = pb_report_write_figures(dir, name, &po, r->note[0] ? r->note : NULL, err);
    pb_figure_decls_free(figs, nfigs);
    return rc;
}
