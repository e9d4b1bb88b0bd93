/* launch.h — how a strategy runs an external command: the command template with {placeholders}
 * expanded (values single-quoted for /bin/sh where asked), the command run by /bin/sh -c in a
 * forked child (its output into a log file, no stdin, no descriptor of the caller, dying with
 * the caller, optionally in a process group of its own and killed after a timeout), its wait
 * status decoded, and the two ways a run reports why it did not give a result: a failure
 * (pb_out_note) or a missing dependency, "needs X (...)", which the runner shows as
 * "skipped: needs X (...)" (pb_out_needs). Used by the exec strategies, the named Python
 * methods (exec.h, exec-method.h) and the mpi strategy. */
#ifndef PAIRBENCH_LAUNCH_H
#define PAIRBENCH_LAUNCH_H

#include "strategy.h"

#include <stddef.h>

#define PB_EXIT_DEPENDENCY_MISSING 77      /* the automake "skip" exit status */

/* A growing NUL-terminated string: {NULL, 0, 0} is empty; the owner frees s. */
struct pb_strbuf {
    char *s;
    size_t len, cap;
};

/* Appends n bytes of src to b. Returns 0 or -ENOMEM (b is kept as it was). */
int pb_strbuf_add(struct pb_strbuf *b, const char *src, size_t n);

/* Appends s single-quoted for /bin/sh (' becomes '\'') to b, whatever it holds. Returns 0 or
 * -ENOMEM; nothing is ever cut. */
int pb_strbuf_add_quoted(struct pb_strbuf *b, const char *s);

/* One placeholder a command template may use: {name} becomes value. A table of them ends with
 * a NULL name. */
struct pb_placeholder {
    const char *name;                      /* "points", written {points} in a template */
    const char *value;                     /* its text (NULL: known, but expands to "") */
    int quote;                             /* 1: substituted single-quoted for /bin/sh */
    const char *refuse;                    /* non-NULL: known, but refused with this reason */
};

/* Leaves an unknown {name} or an unclosed '{' in the command as it is written, for templates
 * where the shell's own braces (${VAR}) may appear; without it they are refused. */
#define PB_TEMPLATE_KEEP_UNKNOWN 1u

/* Checks tpl against the names of the table known without expanding it: every '{' closed by a
 * '}' that ends a known name that is not refused. Returns 0, or -EINVAL with the reason of the
 * first fault in why (size bytes): "unclosed '{' in \"...\"", "unknown placeholder {x}
 * (known: {a} {b} ...)" or the refused name's reason. */
int pb_template_check(const char *tpl, const struct pb_placeholder *known, char *why,
                      size_t size);

/* Expands tpl with the values of vals into *cmd (malloc'd, the caller frees it, also on
 * error). flags: 0 or PB_TEMPLATE_KEEP_UNKNOWN. Returns 0, -ENOMEM, or -EINVAL with why
 * (size bytes) naming an unclosed '{' or an unknown placeholder, or a refused one's reason. */
int pb_template_expand(const char *tpl, const struct pb_placeholder *vals, unsigned flags,
                       char **cmd, char *why, size_t size);

/* One external command to run. */
struct pb_launch {
    const char *cmd;                       /* run as /bin/sh -c cmd */
    const char *log;                       /* its stdout and stderr (the file is truncated);
                                              NULL: /dev/null */
    const char *const *env;                /* "NAME=VALUE" set in the child, NULL-ended; or NULL */
    double timeout_s;                      /* > 0: SIGKILL after this many seconds; 0: none */
    int own_group;                         /* 1: a process group of its own, killed whole on a
                                              timeout; 0: the caller's group, so the runner's
                                              memory sampling and kill reach it */
};

/* Runs l->cmd in a forked child (stdin /dev/null, stdout and stderr into l->log, descriptors
 * >= 3 closed, killed when the caller dies) and waits for it. Returns 0 with its wait status
 * in *status; -ETIMEDOUT when it ran past l->timeout_s and was killed (*status is the kill's);
 * or -errno when it could not be forked or waited for. A child that cannot open the log exits
 * 126, one that cannot exec /bin/sh 127. */
int pb_launch_run(const struct pb_launch *l, int *status);

/* What a wait status says. */
enum pb_exit_kind {
    PB_EXIT_OK,                            /* exited 0 */
    PB_EXIT_MISSING,                       /* exited 77: a dependency is missing */
    PB_EXIT_NOSTART,                       /* exited 126 or 127: the shell could not run it */
    PB_EXIT_FAILED,                        /* exited with another status */
    PB_EXIT_KILLED,                        /* killed by a signal */
};

/* Decodes status (from waitpid): its kind, and in *code the exit status or the signal. */
enum pb_exit_kind pb_exit_decode(int status, int *code);

/* "exited N" or "killed by signal N (name)" for status into buf (size bytes). Returns buf. */
char *pb_exit_describe(int status, char *buf, size_t size);

/* Formats out->note and returns code: how a run reports a failure,
 * `return pb_out_note(out, -EINVAL, "...", ...)`. */
__attribute__((format(printf, 3, 4)))
int pb_out_note(struct pb_output *out, int code, const char *fmt, ...);

/* A missing dependency: out->note becomes "needs WHAT (DETAIL)" (fmt formats the detail) and
 * the run returns -ENOTSUP, which the runner shows as "skipped: needs WHAT (DETAIL)". */
__attribute__((format(printf, 3, 4)))
int pb_out_needs(struct pb_output *out, const char *what, const char *fmt, ...);

#endif
