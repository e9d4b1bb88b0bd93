/* verify.h — the reference answer (naive, double; or an independent in-process strategy where
 * naive would take too long) for one n and output, and the comparison of a run's output
 * against it: histogram counts exactly, matrix entries within 1e-12 relative
 * (float precision: within the tolerance verify.c states). */
#ifndef PAIRBENCH_VERIFY_H
#define PAIRBENCH_VERIFY_H

#include "error.h"
#include "strategy.h"

#include <stddef.h>
#include <stdint.h>

struct pb_reference {
    const char *method;              /* name of the strategy that computed it ("naive") */
    enum pb_output_kind output;
    size_t n;
    size_t nbins;
    uint64_t *counts;                /* histogram: nbins reference counts (owned) */
    int matrix_fd;                   /* matrix: memfd of n*n doubles, -1 otherwise; it is not
                                        mapped in the harness, so runs do not inherit its pages */
};

/* Computes the reference for p with the naive strategy in a child process (so the harness's
 * own memory stays small). Returns 0 or -errno with err filled. */
int pb_reference_make(const struct pb_problem *p, struct pb_reference *ref, struct pb_err *err);

/* The same with strategy s run with k (threads, parameters) instead of naive: an independent
 * reference where naive would take too long. s must run in-process. Returns 0 or -errno with
 * err filled ("reference: kdtree failed: ..."). */
int pb_reference_make_with(const struct pb_problem *p, const struct pb_strategy *s,
                           const struct pb_params *k, struct pb_reference *ref,
                           struct pb_err *err);

/* The same with a time limit: s NULL means naive (k NULL: one thread); a reference not done
 * within limit_s seconds (0: no limit) is killed and -ETIMEDOUT returned, err reading
 * "reference timed out (METHOD, after S s)". */
int pb_reference_make_limited(const struct pb_problem *p, const struct pb_strategy *s,
                              const struct pb_params *k, double limit_s,
                              struct pb_reference *ref, struct pb_err *err);

/* Compares two references of one problem: histogram counts exactly, matrix entries within the
 * double tolerance. Returns 1 when they agree, 0 when not (why names the first difference and
 * both methods), negative errno when they cannot be compared. */
int pb_reference_agree(const struct pb_reference *a, const struct pb_reference *b, char *why,
                       size_t whysize);

void pb_reference_free(struct pb_reference *ref);

/* Compares out with ref for problem p. Returns 1 when it matches, 0 when not (why says where,
 * e.g. "bin 7: 1203 != 1204" or "m[3,17] = 4.2 vs 4.3"), negative errno when it cannot check. */
int pb_verify(const struct pb_problem *p, const struct pb_output *out,
              const struct pb_reference *ref, char *why, size_t whysize);

/* In the run child, once the strategy has returned: sends out (the counts, or the matrix) of
 * problem p through fd to pb_verify_stream in another process, a header and then the bytes.
 * Returns 0 or -errno. */
int pb_output_send(int fd, const struct pb_problem *p, const struct pb_output *out);

/* pb_verify of the output pb_output_send sends through fd, read as it comes (a matrix in
 * chunks, never whole). p is the problem as the harness holds it: its points, untouched by the
 * run, give the float tolerance's scale and near-edge counts. Returns as pb_verify, or -EPIPE
 * when the stream ended before the output did. */
int pb_verify_stream(const struct pb_problem *p, int fd, const struct pb_reference *ref,
                     char *why, size_t whysize);

#endif
