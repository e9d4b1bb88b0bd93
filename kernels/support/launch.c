/* launch.c — command templates, the launcher and exit statuses for the strategies that run an
 * external command (see launch.h). */
#include "launch.h"
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int pb_strbuf_add(struct pb_strbuf *b, const char *src, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t want = (b->len + n + 1) * 2;
        char *s = realloc(b->s, want);
        if (!s)
            return -ENOMEM;
        b->s = s;
        b->cap = want;
    }
    memcpy(b->s + b->len, src, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

int pb_strbuf_add_quoted(struct pb_strbuf *b, const char *s)
{
    int err = pb_strbuf_add(b, "'", 1);
    while (!err && *s) {
        size_t run = strcspn(s, "'");
        err = pb_strbuf_add(b, s, run);
        if (!err && s[run] == '\'')
            err = pb_strbuf_add(b, "'\\''", 4);
        s += run + (s[run] == '\'');
    }
    return err ? err : pb_strbuf_add(b, "'", 1);
}

/* Formats why (size bytes) and returns -EINVAL. */
__attribute__((format(printf, 3, 4)))
static int refuse(char *why, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

/* The entry of table named by name[0..len), or NULL. */
static const struct pb_placeholder *lookup(const struct pb_placeholder *table, const char *name,
                                           size_t len)
{
    for (; table->name; table++)
        if (strlen(table->name) == len && strncmp(table->name, name, len) == 0)
            return table;
    return NULL;
}

/* "{a} {b} ..." for the names of table into buf (size bytes). Returns buf. */
static char *known_names(const struct pb_placeholder *table, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (; table->name && used < size; table++) {
        int w = snprintf(buf + used, size - used, "%s{%s}", used ? " " : "", table->name);
        used += w > 0 ? (size_t)w : 0;
    }
    return buf;
}

int pb_template_check(const char *tpl, const struct pb_placeholder *known, char *why,
                      size_t size)
{
    char names[256];
    for (const char *lb = strchr(tpl, '{'); lb; lb = strchr(lb + 1, '{')) {
        const char *rb = strchr(lb, '}');
        size_t len = rb ? (size_t)(rb - lb - 1) : 0;
        if (!rb)
            return refuse(why, size, "unclosed '{' in \"%.60s%s\"", lb,
                          strlen(lb) > 60 ? "..." : "");
        const struct pb_placeholder *k = lookup(known, lb + 1, len);
        if (!k)
            return refuse(why, size, "unknown placeholder %.*s (known: %s)",
                          len > 60 ? 62 : (int)len + 2, lb,
                          known_names(known, names, sizeof names));
        if (k->refuse)
            return refuse(why, size, "%s", k->refuse);
    }
    return 0;
}

/* Appends {name} at lb..rb of a template to b: its value from vals, or the text as written
 * when unknown and flags keep it. Returns 0, -ENOMEM or -EINVAL (unknown) with why. */
static int expand_one(struct pb_strbuf *b, const char *lb, const char *rb,
                      const struct pb_placeholder *vals, unsigned flags, char *why, size_t size)
{
    const struct pb_placeholder *v = lookup(vals, lb + 1, (size_t)(rb - lb - 1));
    const char *text = v && v->value ? v->value : "";
    if (!v && (flags & PB_TEMPLATE_KEEP_UNKNOWN))
        return pb_strbuf_add(b, lb, (size_t)(rb - lb + 1));
    if (!v)
        return refuse(why, size, "unknown placeholder %.*s", (int)(rb - lb + 1), lb);
    if (v->refuse)
        return refuse(why, size, "%s", v->refuse);
    return v->quote ? pb_strbuf_add_quoted(b, text) : pb_strbuf_add(b, text, strlen(text));
}

int pb_template_expand(const char *tpl, const struct pb_placeholder *vals, unsigned flags,
                       char **cmd, char *why, size_t size)
{
    struct pb_strbuf b = {0};
    int err = pb_strbuf_add(&b, "", 0);
    while (!err && *tpl) {
        const char *lb = strchr(tpl, '{');
        const char *rb = lb ? strchr(lb, '}') : NULL;
        if (!rb || !lb) {
            if (lb && !(flags & PB_TEMPLATE_KEEP_UNKNOWN))
                err = refuse(why, size, "unclosed '{' in \"%s\"", lb);
            else
                err = pb_strbuf_add(&b, tpl, strlen(tpl));
            break;
        }
        err = pb_strbuf_add(&b, tpl, (size_t)(lb - tpl));
        if (!err)
            err = expand_one(&b, lb, rb, vals, flags, why, size);
        tpl = rb + 1;
    }
    *cmd = b.s;
    return err;
}

/* In the forked child: l's log as stdout and stderr, /dev/null as stdin, no other descriptor
 * (the command must reach nothing its caller holds), l's environment, dying with parent, then
 * /bin/sh -c. Never returns. */
static void child(const struct pb_launch *l, pid_t parent)
{
    int fd = open(l->log ? l->log : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || null < 0)
        _exit(126);
    if (l->own_group)
        setpgid(0, 0);
    dup2(null, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    pb_close_fds_except(NULL, 0);
    for (const char *const *e = l->env; e && *e; e++)
        putenv((char *)*e);                /* the strings outlive the exec: the caller's */
    pb_die_with_parent(parent, SIGKILL);
    execl("/bin/sh", "sh", "-c", l->cmd, (char *)NULL);
    _exit(127);
}

/* Waits for pid without a deadline. Returns 0 with *status or -errno. */
static int wait_child(pid_t pid, int *status)
{
    while (waitpid(pid, status, 0) < 0)
        if (errno != EINTR)
            return -errno;
    return 0;
}

/* Seconds on the monotonic clock. */
static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Waits for pid at most timeout_s seconds, polling at 1 to 20 ms; past that, kills it (its
 * group when group) and reaps it. Returns 0, -ETIMEDOUT or -errno, *status set. */
static int wait_deadline(pid_t pid, int group, double timeout_s, int *status)
{
    double end = now_s() + timeout_s;
    long pause_ns = 1000000;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -errno;
        if (now_s() >= end)
            break;
        nanosleep(&(struct timespec){.tv_nsec = pause_ns}, NULL);
        pause_ns = pause_ns < 20000000 ? pause_ns * 2 : pause_ns;
    }
    kill(group ? -pid : pid, SIGKILL);
    int err = wait_child(pid, status);
    return err ? err : -ETIMEDOUT;
}

int pb_launch_run(const struct pb_launch *l, int *status)
{
    fflush(NULL);                          /* the child must not repeat buffered output */
    pid_t parent = getpid(), pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0)
        child(l, parent);
    if (l->own_group)
        setpgid(pid, pid);                 /* also done by the child: whichever runs first */
    if (l->timeout_s > 0)
        return wait_deadline(pid, l->own_group, l->timeout_s, status);
    return wait_child(pid, status);
}

enum pb_exit_kind pb_exit_decode(int status, int *code)
{
    if (WIFSIGNALED(status)) {
        *code = WTERMSIG(status);
        return PB_EXIT_KILLED;
    }
    *code = WEXITSTATUS(status);
    if (*code == 0)
        return PB_EXIT_OK;
    if (*code == PB_EXIT_DEPENDENCY_MISSING)
        return PB_EXIT_MISSING;
    return *code == 126 || *code == 127 ? PB_EXIT_NOSTART : PB_EXIT_FAILED;
}

char *pb_exit_describe(int status, char *buf, size_t size)
{
    int code;
    if (pb_exit_decode(status, &code) == PB_EXIT_KILLED)
        snprintf(buf, size, "killed by signal %d (%s)", code, strsignal(code));
    else
        snprintf(buf, size, "exited %d", code);
    return buf;
}

int pb_out_note(struct pb_output *out, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->note, sizeof out->note, fmt, ap);
    va_end(ap);
    return code;
}

int pb_out_needs(struct pb_output *out, const char *what, const char *fmt, ...)
{
    char detail[sizeof out->note];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return pb_out_note(out, -ENOTSUP, "needs %s (%s)", what, detail);
}
