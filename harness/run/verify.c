/* verify.c — the reference for one n and output, and the check of a run against it.
 *
 * The reference is computed by the naive strategy (or, where naive would take too long, by an
 * independent in-process strategy the config names) in a child process, so the harness never holds
 * a matrix: histogram counts come back through a pipe, the matrix goes into a memfd that the
 * harness never maps. A run is checked by a verifier process the runner forks from the harness
 * once the run's memory window has closed: the run child sends its output through a pipe
 * (pb_output_send) and the verifier compares it as it comes (pb_verify_stream), reading the
 * memfd with pread. The run child never holds the reference, and everything the verdict depends
 * on (the reference, the points that give the float tolerance's scale and near-edge counts, the
 * edges) is the harness's, which no run can write: a run's strategy works on a sealed copy
 * (sealed.h).
 *
 * Tolerances (a run "verifies" when every entry passes):
 *   double matrix     |got - ref| <= 1e-12 * max(|ref|, DBL_MIN)   (the diagonal must be 0 exactly)
 *   double histogram  every bin equal
 *   float matrix      |got - ref| <= 8 * FLT_EPSILON * (|ref| + S), S = the coordinate scale
 *                     (largest |coordinate|, or the periodic box side when larger). Rounding the
 *                     coordinates to float moves each difference by up to FLT_EPSILON * S; the
 *                     float subtraction, squares, sum and sqrt add a few FLT_EPSILON * |ref|;
 *                     8 leaves headroom for fused or reordered arithmetic.
 *   float histogram   bins may differ only by pairs whose reference distance d lies within
 *                     8 * FLT_EPSILON * (d + S) of an edge: with B_k such pairs at edge k and
 *                     Δ_k the (got - ref) change in the number of pairs at or beyond edge k, the
 *                     run verifies when some choice of Δ with |Δ_k| <= B_k for every edge gives
 *                     exactly the observed bin differences. Counting B costs one more O(n²)
 *                     pass, done only when the bins are not equal outright.
 */
#include "verify.h"

#include "fdio.h"
#include "pairkern.h"
#include "registry.h"
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PB_FLOAT_TOL (8.0 * FLT_EPSILON)   /* see the header comment */
#define PB_DOUBLE_TOL 1e-12                /* the relative tolerance */
#define PB_CHUNK (64u << 20)               /* bytes per pwrite in the reference child */
#define PB_READ_CHUNK (1u << 20)           /* bytes per pread when verifying: small, because it
                                              adds to the run child's ru_maxrss */

/* Copies the child's matrix into the memfd, unmapping each chunk once written so the child
 * holds about one matrix in all: the memfd copy grows as the mapping shrinks. Consumes out->matrix.
 * Returns 0 or -errno. */
static int matrix_to_memfd(struct pb_output *out, int fd)
{
    char *m = out->matrix;
    size_t len = out->matrix_bytes, part;
    out->matrix = NULL;
    for (size_t done = 0; done < len; done += part) {
        part = len - done < PB_CHUNK ? len - done : PB_CHUNK;
        int e = pb_pwrite_all(fd, m + done, part, done);
        munmap(m + done, e ? len - done : part);  /* chunks start page aligned */
        if (e)
            return e;
    }
    return 0;
}

/* What the reference child sends first. */
struct ref_answer {
    int rc;                          /* the strategy's return code */
    char note[192];                  /* its note when it failed */
};

/* The reference child: runs s on p with k, sends its return code and (histogram) the counts
 * through wfd, or writes the matrix into mfd. Never returns. */
static void reference_child(const struct pb_problem *p, const struct pb_strategy *s,
                            const struct pb_params *k, int wfd, int mfd)
{
    struct pb_output out = { 0 };
    struct ref_answer a = { .rc = -ENOENT };
    if (p->output == PB_OUTPUT_HISTOGRAM) {
        out.counts = calloc(p->nbins ? p->nbins : 1, sizeof *out.counts);
        if (!out.counts)
            _exit(3);
    }
    if (s)
        a.rc = s->run(p, k, &out);
    if (a.rc == 0 && p->output == PB_OUTPUT_MATRIX && out.matrix)
        a.rc = matrix_to_memfd(&out, mfd);
    snprintf(a.note, sizeof a.note, "%.191s", out.note);
    if (pb_write_all(wfd, &a, sizeof a) != 0)
        _exit(4);
    if (a.rc == 0 && p->output == PB_OUTPUT_HISTOGRAM)
        if (pb_write_all(wfd, out.counts, p->nbins * sizeof *out.counts) != 0)
            _exit(4);
    _exit(0);
}

/* Makes the memfd the matrix reference will live in (n*n doubles, not mapped here). Close-on-exec
 * so external programs a strategy starts do not get it; forked run children keep it. */
static int make_memfd(size_t n, struct pb_err *err)
{
    int fd = memfd_create("pb-reference", MFD_CLOEXEC);
    if (fd < 0)
        return pb_fail(err, -errno, "reference: memfd_create: %s", strerror(errno));
    if (ftruncate(fd, (off_t)(n * n * sizeof(double))) != 0) {
        int e = errno;
        close(fd);
        return pb_fail(err, -e, "reference: cannot size a %zu x %zu matrix: %s", n, n,
                       strerror(e));
    }
    return fd;
}

/* Reads the child's answer from rfd into ref, then reaps it; an interrupted sweep, or an
 * answer not there within limit_s seconds (0: no limit), kills the child at once. Returns 0
 * or -errno (-EINTR: interrupted, -ETIMEDOUT: "reference timed out ...") with err. */
static int reference_collect(pid_t pid, int rfd, double limit_s, struct pb_reference *ref,
                             struct pb_err *err)
{
    struct ref_answer a = { 0 };
    int st = 0, w = pb_runner_wait_readable_for(rfd, limit_s);
    if (w < 0) {
        kill(pid, SIGKILL);
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        if (w == -ETIMEDOUT)
            return pb_fail(err, w, "reference timed out (%s, after %g s)", ref->method, limit_s);
        return pb_fail(err, -EINTR, "reference: interrupted");
    }
    int e = pb_read_all(rfd, &a, sizeof a);
    if (e == 0 && a.rc == 0 && ref->output == PB_OUTPUT_HISTOGRAM)
        e = pb_read_all(rfd, ref->counts, ref->nbins * sizeof *ref->counts);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    a.note[sizeof a.note - 1] = '\0';
    if (WIFSIGNALED(st))
        return pb_fail(err, -ECHILD, "reference: %s died of signal %d (%s)", ref->method,
                       WTERMSIG(st), strsignal(WTERMSIG(st)));
    if (e)
        return pb_fail(err, e, "reference: no answer from the %s child (exit status %d)",
                       ref->method, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    if (a.rc)
        return pb_fail(err, a.rc, "reference: %s failed: %s%s%s", ref->method,
                       strerror(-a.rc), a.note[0] ? ": " : "", a.note);
    return 0;
}

/* Sets up ref's storage for p: counts array or memfd. Returns 0 or -errno with err. */
static int reference_alloc(const struct pb_problem *p, const char *method,
                           struct pb_reference *ref, struct pb_err *err)
{
    *ref = (struct pb_reference){ .method = method, .output = p->output, .n = p->n,
                                  .nbins = p->nbins, .matrix_fd = -1 };
    if (p->output == PB_OUTPUT_HISTOGRAM) {
        ref->counts = calloc(p->nbins ? p->nbins : 1, sizeof *ref->counts);
        return ref->counts ? 0 : pb_fail(err, -ENOMEM, "reference: out of memory");
    }
    int fd = make_memfd(p->n, err);
    if (fd < 0)
        return fd;
    ref->matrix_fd = fd;
    return 0;
}

int pb_reference_make(const struct pb_problem *p, struct pb_reference *ref, struct pb_err *err)
{
    return pb_reference_make_limited(p, NULL, NULL, 0, ref, err);
}

int pb_reference_make_with(const struct pb_problem *p, const struct pb_strategy *s,
                           const struct pb_params *k, struct pb_reference *ref,
                           struct pb_err *err)
{
    return pb_reference_make_limited(p, s, k, 0, ref, err);
}

int pb_reference_make_limited(const struct pb_problem *p, const struct pb_strategy *s,
                              const struct pb_params *k, double limit_s,
                              struct pb_reference *ref, struct pb_err *err)
{
    static const struct pb_params serial = { .threads = 1, .ranks = 1 };
    if (!s && !(s = pb_registry_find("naive")))
        return pb_fail(err, -ENOENT, "reference: no naive strategy registered");
    k = k ? k : &serial;
    struct pb_problem dp = *p;
    dp.precision = PB_PRECISION_DOUBLE;      /* the reference never rounds */
    int e = reference_alloc(p, s->name, ref, err);
    if (e)
        return e;
    if (p->n == 0)
        return 0;                            /* nothing to compute */
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        e = pb_fail(err, -errno, "reference: pipe: %s", strerror(errno));
        goto fail;
    }
    fflush(NULL);                            /* the child must not repeat buffered output */
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        e = pb_fail(err, -errno, "reference: fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        goto fail;
    }
    if (pid == 0) {
        int keep[] = { fds[1], ref->matrix_fd };
        pb_die_with_parent(parent, SIGKILL);   /* a killed harness takes its reference along */
        pb_close_fds_except(keep, 2);          /* the child holds no CSV, lock or other pipe */
        reference_child(&dp, s, k, fds[1], ref->matrix_fd);
    }
    close(fds[1]);
    e = reference_collect(pid, fds[0], limit_s, ref, err);
    close(fds[0]);
    if (e == 0)
        return 0;
fail:
    pb_reference_free(ref);
    return e;
}

void pb_reference_free(struct pb_reference *ref)
{
    free(ref->counts);
    ref->counts = NULL;
    if (ref->matrix_fd >= 0)
        close(ref->matrix_fd);
    ref->matrix_fd = -1;
}

/* Compares the two matrix references entry by entry, read in chunks with pread. Returns 1, 0 with
 * why, or -errno. */
static int matrices_agree(const struct pb_reference *a, const struct pb_reference *b, char *why,
                          size_t whysize)
{
    size_t nn = a->n * a->n, per = PB_READ_CHUNK / sizeof(double);
    double *x = malloc(PB_READ_CHUNK), *y = malloc(PB_READ_CHUNK);
    int ok = x && y ? 1 : -ENOMEM;
    for (size_t f = 0; ok == 1 && f < nn; f += per) {
        size_t count = nn - f < per ? nn - f : per, bytes = count * sizeof(double);
        off_t off = (off_t)(f * sizeof(double));
        if (pread(a->matrix_fd, x, bytes, off) != (ssize_t)bytes ||
            pread(b->matrix_fd, y, bytes, off) != (ssize_t)bytes) {
            ok = -EIO;
            break;
        }
        for (size_t t = 0; ok == 1 && t < count; t++)
            if (!(fabs(x[t] - y[t]) <= PB_DOUBLE_TOL * fmax(fabs(x[t]), DBL_MIN))) {
                snprintf(why, whysize, "%s and %s disagree: m[%zu,%zu] = %.17g vs %.17g",
                         a->method, b->method, (f + t) / a->n, (f + t) % a->n, x[t], y[t]);
                ok = 0;
            }
    }
    free(x);
    free(y);
    return ok;
}

int pb_reference_agree(const struct pb_reference *a, const struct pb_reference *b, char *why,
                       size_t whysize)
{
    why[0] = '\0';
    if (a->output != b->output || a->n != b->n || a->nbins != b->nbins)
        return -EINVAL;
    if (a->output == PB_OUTPUT_MATRIX)
        return a->n == 0 ? 1 : matrices_agree(a, b, why, whysize);
    for (size_t k = 0; k < a->nbins; k++)
        if (a->counts[k] != b->counts[k]) {
            snprintf(why, whysize, "%s and %s disagree: bin %zu: %" PRIu64 " != %" PRIu64,
                     a->method, b->method, k, a->counts[k], b->counts[k]);
            return 0;
        }
    return 1;
}

/* The coordinate scale S of the float tolerance: largest |coordinate|, or the box if larger. */
static double coord_scale(const struct pb_problem *p)
{
    double s = p->box;
    for (size_t i = 0; i < p->n; i++) {
        s = fmax(s, fabs(p->x[i]));
        s = fmax(s, fabs(p->y[i]));
        s = fmax(s, fabs(p->z[i]));
    }
    return s;
}

/* The index of the first of the nbins+1 edges above d (nbins+1 when none is). */
static size_t first_edge_above(const double *edges, size_t nbins, double d)
{
    size_t lo = 0, hi = nbins + 1;         /* the answer lies in [lo, hi] */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (edges[mid] > d)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Adds to near[k] each pair i<j whose reference distance d lies within the float tolerance of
 * edge k (k = 0..nbins). */
static void count_near_edges(const struct pb_problem *p, double S, int64_t *near)
{
    for (size_t i = 0; i < p->n; i++)
        for (size_t j = i + 1; j < p->n; j++) {
            double d = pb_distance(p, i, j), tol = PB_FLOAT_TOL * (d + S);
            size_t k = first_edge_above(p->edges, p->nbins, d);
            if (k <= p->nbins && p->edges[k] - d <= tol)
                near[k]++;
            if (k > 0 && d - p->edges[k - 1] <= tol)
                near[k - 1]++;
        }
}

/* 1 when the float bins got differ from ref only by pairs within rounding of an edge (see the
 * header comment for the condition), else 0 with why naming the first differing bin. */
static int float_histogram_ok(const struct pb_problem *p, const uint64_t *got,
                              const uint64_t *ref, char *why, size_t whysize)
{
    size_t nb = p->nbins;
    int64_t *near = calloc(nb + 1, sizeof *near);
    if (!near)
        return -ENOMEM;
    count_near_edges(p, coord_scale(p), near);
    int64_t lo = -near[nb], hi = near[nb], s = 0;  /* bounds on Δ at the last edge */
    for (size_t k = nb; k-- > 0;) {
        s += (int64_t)got[k] - (int64_t)ref[k];   /* s = sum of differences of bins >= k */
        lo = lo > -near[k] - s ? lo : -near[k] - s;
        hi = hi < near[k] - s ? hi : near[k] - s;
    }
    free(near);
    if (lo <= hi)
        return 1;
    for (size_t k = 0; k < nb; k++)
        if (got[k] != ref[k]) {
            snprintf(why, whysize, "bin %zu: %" PRIu64 " != %" PRIu64 " (beyond float rounding "
                     "at the edges)", k, got[k], ref[k]);
            break;
        }
    return 0;
}

/* Histogram check: exact, or within float rounding of the edges for float runs. */
static int verify_histogram(const struct pb_problem *p, const struct pb_output *out,
                            const struct pb_reference *ref, char *why, size_t whysize)
{
    if (!out->counts) {
        snprintf(why, whysize, "no histogram counts");
        return 0;
    }
    for (size_t k = 0; k < p->nbins; k++) {
        if (out->counts[k] == ref->counts[k])
            continue;
        if (p->precision == PB_PRECISION_FLOAT)
            return float_histogram_ok(p, out->counts, ref->counts, why, whysize);
        snprintf(why, whysize, "bin %zu: %" PRIu64 " != %" PRIu64, k, out->counts[k],
                 ref->counts[k]);
        return 0;
    }
    return 1;
}

/* Compares the count entries of got (double or float per elem; flat indices first...) with
 * the reference values r. Returns 1, or 0 with why naming the first entry out of tolerance. */
static int compare_entries(const struct pb_problem *p, const void *got, size_t elem,
                           const double *r, size_t first, size_t count, double S,
                           char *why, size_t whysize)
{
    for (size_t t = 0; t < count; t++) {
        size_t f = first + t;
        double g = elem == sizeof(double) ? ((const double *)got)[t]
                                          : ((const float *)got)[t];
        double tol = elem == sizeof(double) ? PB_DOUBLE_TOL * fmax(fabs(r[t]), DBL_MIN)
                                            : PB_FLOAT_TOL * (fabs(r[t]) + S);
        if (fabs(g - r[t]) <= tol)
            continue;
        snprintf(why, whysize, "m[%zu,%zu] = %.17g vs %.17g", f / p->n, f % p->n, g, r[t]);
        return 0;
    }
    return 1;
}

/* Where the run's matrix entries come from: its memory (mem), or a stream (fd, read into buf
 * chunk by chunk, in order). */
struct entries {
    const char *mem;                 /* the matrix in this process, or NULL */
    int fd;                          /* else the stream it arrives on */
    char *buf;                       /* PB_READ_CHUNK bytes for a streamed chunk */
};

/* Points *chunk at bytes bytes of the run's matrix from byte off. Returns 0 or -errno
 * (-EPIPE: the stream ended early). */
static int entries_chunk(const struct entries *src, size_t off, size_t bytes, const void **chunk)
{
    if (src->mem) {
        *chunk = src->mem + off;
        return 0;
    }
    *chunk = src->buf;
    return pb_read_all(src->fd, src->buf, bytes);
}

/* Matrix check of the matrix_bytes bytes src gives: against the memfd, read in chunks with
 * pread so the reference is never mapped. Returns 1, 0 with why, or -errno when the reference
 * or the stream cannot be read. */
static int verify_matrix(const struct pb_problem *p, const struct entries *src,
                         size_t matrix_bytes, const struct pb_reference *ref, char *why,
                         size_t whysize)
{
    size_t nn = p->n * p->n, elem = p->precision == PB_PRECISION_FLOAT ? 4 : 8;
    if (matrix_bytes != nn * elem) {
        snprintf(why, whysize, "matrix is %zu bytes, expected %zu x %zu x %zu", matrix_bytes,
                 p->n, p->n, elem);
        return 0;
    }
    size_t per = PB_READ_CHUNK / sizeof(double);
    double *buf = malloc(PB_READ_CHUNK), S = elem == 4 ? coord_scale(p) : 0;
    if (!buf)
        return -ENOMEM;
    int ok = 1;
    for (size_t f = 0; ok == 1 && f < nn; f += per) {
        size_t count = nn - f < per ? nn - f : per;
        const void *got;
        ssize_t r = pread(ref->matrix_fd, buf, count * sizeof(double), (off_t)(f * sizeof(double)));
        if (r != (ssize_t)(count * sizeof(double)))
            ok = r < 0 ? -errno : -EIO;
        else if ((ok = entries_chunk(src, f * elem, count * elem, &got)) == 0)
            ok = compare_entries(p, got, elem, buf, f, count, S, why, whysize);
    }
    free(buf);
    return ok;
}

/* Checks that ref is for p. Returns 0, or -EINVAL with why. */
static int check_reference(const struct pb_problem *p, const struct pb_reference *ref, char *why,
                           size_t whysize)
{
    why[0] = '\0';
    if (!ref || ref->output != p->output || ref->n != p->n) {
        snprintf(why, whysize, "reference is for another problem");
        return -EINVAL;
    }
    if (p->n == 0)
        return 0;                            /* nothing to compare */
    if (p->output == PB_OUTPUT_HISTOGRAM && ref->nbins != p->nbins) {
        snprintf(why, whysize, "reference has %zu bins, run %zu", ref->nbins, p->nbins);
        return -EINVAL;
    }
    if (p->output == PB_OUTPUT_MATRIX && ref->matrix_fd < 0) {
        snprintf(why, whysize, "reference matrix missing");
        return -EINVAL;
    }
    return 0;
}

int pb_verify(const struct pb_problem *p, const struct pb_output *out,
              const struct pb_reference *ref, char *why, size_t whysize)
{
    int e = check_reference(p, ref, why, whysize);
    if (e || p->n == 0)
        return e ? e : 1;
    if (p->output == PB_OUTPUT_HISTOGRAM)
        return verify_histogram(p, out, ref, why, whysize);
    struct entries src = { .mem = out->matrix, .fd = -1 };
    if (!out->matrix) {
        snprintf(why, whysize, "matrix is 0 bytes, expected %zu x %zu x %d", p->n, p->n,
                 p->precision == PB_PRECISION_FLOAT ? 4 : 8);
        return 0;
    }
    return verify_matrix(p, &src, out->matrix_bytes, ref, why, whysize);
}

/* What pb_output_send sends before the output's bytes. */
struct stream_head {
    uint64_t present;                /* 1: the output exists (counts or matrix), 0: none */
    uint64_t bytes;                  /* bytes that follow */
};

int pb_output_send(int fd, const struct pb_problem *p, const struct pb_output *out)
{
    const void *data = p->output == PB_OUTPUT_HISTOGRAM ? (const void *)out->counts : out->matrix;
    size_t bytes = p->output == PB_OUTPUT_HISTOGRAM ? p->nbins * sizeof *out->counts
                                                    : out->matrix_bytes;
    struct stream_head h = { .present = data != NULL, .bytes = data ? bytes : 0 };
    int e = pb_write_all(fd, &h, sizeof h);
    return e || !data ? e : pb_write_all(fd, data, bytes);
}

/* The histogram half of pb_verify_stream: reads the counts of h from fd and checks them.
 * Returns as pb_verify_stream. */
static int verify_counts_stream(const struct pb_problem *p, int fd, const struct stream_head *h,
                                const struct pb_reference *ref, char *why, size_t whysize)
{
    if (h->present && h->bytes != p->nbins * sizeof(uint64_t)) {
        snprintf(why, whysize, "%" PRIu64 " bytes of counts, expected %zu bins", h->bytes,
                 p->nbins);
        return 0;
    }
    struct pb_output out = { 0 };
    if (h->present && !(out.counts = malloc(p->nbins ? h->bytes : 1)))
        return -ENOMEM;
    int e = h->present ? pb_read_all(fd, out.counts, h->bytes) : 0;
    int ok = e ? e : verify_histogram(p, &out, ref, why, whysize);
    free(out.counts);
    return ok;
}

int pb_verify_stream(const struct pb_problem *p, int fd, const struct pb_reference *ref,
                     char *why, size_t whysize)
{
    struct stream_head h;
    int e = check_reference(p, ref, why, whysize);
    if (e == 0)
        e = pb_read_all(fd, &h, sizeof h);
    if (e || p->n == 0)
        return e ? e : 1;
    if (p->output == PB_OUTPUT_HISTOGRAM)
        return verify_counts_stream(p, fd, &h, ref, why, whysize);
    struct entries src = { .fd = fd, .buf = malloc(PB_READ_CHUNK) };
    if (!src.buf)
        return -ENOMEM;
    int ok = verify_matrix(p, &src, h.present ? (size_t)h.bytes : 0, ref, why, whysize);
    free(src.buf);
    return ok;
}
