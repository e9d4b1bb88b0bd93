/* test_launch.c — the launcher of kernels/support/launch.h: command templates (every
 * placeholder of a table, quoting that survives /bin/sh, unknown and unclosed placeholders,
 * refused ones, templates that keep the shell's own braces, exec's placeholder set), runs
 * (output captured, stdin empty, no inherited descriptor, environment), exit statuses decoded
 * (0, 77, a failure, a missing command, a signal), a timeout killing the command's whole
 * group, death with the caller, and the "needs X (...)" skip note. */
#include "support.h"

#include "exec.h"
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[1024], logpath[1100];

/* A fresh scratch folder and the log path in it. */
static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s", pbt_tmpdir("launch"));
    snprintf(logpath, sizeof logpath, "%s/log.txt", dir);
    return 0;
}

/* Expands tpl with vals and flags; asserts the return code; returns the command (or NULL). */
static char *expand(const char *tpl, const struct pb_placeholder *vals, unsigned flags,
                    int want, char *why, size_t size)
{
    char *cmd = NULL;
    why[0] = '\0';
    assert_int_equal(pb_template_expand(tpl, vals, flags, &cmd, why, size), want);
    if (want) {
        free(cmd);
        return NULL;
    }
    assert_non_null(cmd);
    return cmd;
}

/* Runs cmd with the log at logpath; returns pb_launch_run's code, the status in *st. */
static int launch(const char *cmd, const char *const *env, double timeout_s, int group, int *st)
{
    struct pb_launch l = {.cmd = cmd, .log = logpath, .env = env, .timeout_s = timeout_s,
                          .own_group = group};
    *st = -1;
    return pb_launch_run(&l, st);
}

/* The log's whole text (malloc'd). */
static char *log_text(void)
{
    char *t = pbt_slurp(logpath);
    assert_non_null(t);
    return t;
}

static const struct pb_placeholder TABLE[] = {
    {.name = "n", .value = "42"},
    {.name = "path", .value = "/tmp/a b/it's", .quote = 1},
    {.name = "empty", .value = NULL},
    {.name = "empty_quoted", .value = NULL, .quote = 1},
    {.name = "threads", .value = "4", .refuse = "no {threads} here"},
    {.name = NULL},
};

/* Every placeholder of a table is substituted: numbers as written, paths single-quoted (a quote
 * in a value becomes '\''), a NULL value as nothing (or ''); text between is kept. */
static void test_expand_every_placeholder(void **state)
{
    (void)state;
    char why[256];
    char *cmd = expand("run {n} --p {path} [{empty}] [{empty_quoted}] end", TABLE, 0, 0, why,
                       sizeof why);
    assert_string_equal(cmd, "run 42 --p '/tmp/a b/it'\\''s' [] [''] end");
    free(cmd);
    cmd = expand("no placeholder at all", TABLE, 0, 0, why, sizeof why);
    assert_string_equal(cmd, "no placeholder at all");
    free(cmd);
    cmd = expand("", TABLE, 0, 0, why, sizeof why);
    assert_string_equal(cmd, "");
    free(cmd);
}

/* A quoted value reaches the command byte for byte through /bin/sh, whatever it holds. */
static void test_quoting_survives_the_shell(void **state)
{
    (void)state;
    static const char *const hostile = "a'b\"c $HOME `id` ; rm -rf x \\ '' {n} *";
    const struct pb_placeholder v[] = {{.name = "v", .value = hostile, .quote = 1},
                                       {.name = NULL}};
    char why[256];
    int st;
    char *cmd = expand("printf %s {v}", v, 0, 0, why, sizeof why);
    assert_int_equal(launch(cmd, NULL, 0, 0, &st), 0);
    free(cmd);
    char *out = log_text();
    assert_string_equal(out, hostile);
    free(out);
}

/* Unknown and unclosed placeholders are refused with their words; a refused name gives its
 * reason; PB_TEMPLATE_KEEP_UNKNOWN leaves them (the shell's ${VAR}) as written. */
static void test_expand_errors_and_keep(void **state)
{
    (void)state;
    char why[256];
    expand("a {nope} b", TABLE, 0, -EINVAL, why, sizeof why);
    assert_string_equal(why, "unknown placeholder {nope}");
    expand("a {n} {open", TABLE, 0, -EINVAL, why, sizeof why);
    assert_string_equal(why, "unclosed '{' in \"{open\"");
    expand("x {threads}", TABLE, 0, -EINVAL, why, sizeof why);
    assert_string_equal(why, "no {threads} here");
    char *cmd = expand("echo ${HOME} {n} {nope} {open", TABLE, PB_TEMPLATE_KEEP_UNKNOWN, 0, why,
                       sizeof why);
    assert_string_equal(cmd, "echo ${HOME} 42 {nope} {open");
    free(cmd);
}

/* The check without values: the first fault in template order, unknown names listed with
 * every known one. */
static void test_template_check(void **state)
{
    (void)state;
    char why[256];
    assert_int_equal(pb_template_check("{n} {path} {empty}", TABLE, why, sizeof why), 0);
    assert_int_equal(pb_template_check("{n} {bad} {threads}", TABLE, why, sizeof why), -EINVAL);
    assert_string_equal(why, "unknown placeholder {bad} (known: {n} {path} {empty} "
                             "{empty_quoted} {threads})");
    assert_int_equal(pb_template_check("{threads} {bad}", TABLE, why, sizeof why), -EINVAL);
    assert_string_equal(why, "no {threads} here");
    assert_int_equal(pb_template_check("{n {x}", TABLE, why, sizeof why), -EINVAL);
    assert_string_equal(why, "unknown placeholder {n {x} (known: {n} {path} {empty} "
                             "{empty_quoted} {threads})");
    assert_int_equal(pb_template_check("{n", TABLE, why, sizeof why), -EINVAL);
    assert_string_equal(why, "unclosed '{' in \"{n\"");
}

/* exec's placeholders: all thirteen accepted by exec-parallel; {threads} refused for exec
 * alone; an unknown one listed against all of them. */
static void test_exec_placeholders(void **state)
{
    (void)state;
    static const char *const all = "{n} {threads} {points} {edges} {out} {output} {bins} {box} "
                                   "{python} {scripts} {time} {tmpdir} {setup}";
    char why[512];
    assert_int_equal(pb_exec_template_check(all, 1, why, sizeof why), 0);
    assert_int_equal(pb_exec_template_check(all, 0, why, sizeof why), -EINVAL);
    assert_string_equal(why, "exec runs its command once at 1 thread; a command that takes "
                             "{threads} belongs to exec-parallel");
    assert_int_equal(pb_exec_template_check("x {nbins}", 0, why, sizeof why), -EINVAL);
    assert_string_equal(why, "unknown placeholder {nbins} (known: {n} {threads} {points} {edges} "
                             "{out} {output} {bins} {box} {python} {scripts} {time} {tmpdir} "
                             "{setup})");
    assert_int_equal(pb_exec_template_check("", 1, why, sizeof why), -EINVAL);
    assert_string_equal(why, "exec needs a \"command\" parameter");
}

/* stdout and stderr land in the log; stdin is empty; a descriptor the caller holds is not
 * inherited; the environment asked for is set. */
static void test_run_capture_env_fds(void **state)
{
    (void)state;
    int fds[2], st;
    char cmd[256];
    assert_int_equal(pipe(fds), 0);        /* not close-on-exec: only the launcher closes it */
    snprintf(cmd, sizeof cmd, "echo out; echo err >&2; cat; echo \"x=$PBT_X\"; "
             "[ -e /proc/$$/fd/%d ] && echo leaked; exit 0", fds[1]);
    const char *const env[] = {"PBT_X=hello", NULL};
    assert_int_equal(launch(cmd, env, 0, 0, &st), 0);
    close(fds[0]);
    close(fds[1]);
    int code;
    assert_int_equal(pb_exit_decode(st, &code), PB_EXIT_OK);
    assert_int_equal(code, 0);
    char *out = log_text();
    assert_string_equal(out, "out\nerr\nx=hello\n");
    free(out);
    assert_null(getenv("PBT_X"));          /* set in the child only */
}

/* Runs cmd, asserts its kind, code and description. */
static void check_status(const char *cmd, enum pb_exit_kind kind, int want_code,
                         const char *describe)
{
    int st, code;
    char how[64];
    assert_int_equal(launch(cmd, NULL, 0, 0, &st), 0);
    assert_int_equal(pb_exit_decode(st, &code), kind);
    assert_int_equal(code, want_code);
    assert_string_equal(pb_exit_describe(st, how, sizeof how), describe);
}

/* Exit statuses: a failure, 77 (a dependency is missing), 126 and 127 (the shell could not run
 * it), a signal. */
static void test_exit_statuses(void **state)
{
    (void)state;
    check_status("exit 3", PB_EXIT_FAILED, 3, "exited 3");
    check_status("exit 77", PB_EXIT_MISSING, 77, "exited 77");
    check_status("exit 126", PB_EXIT_NOSTART, 126, "exited 126");
    char killed[64];
    snprintf(killed, sizeof killed, "killed by signal %d (%s)", SIGKILL, strsignal(SIGKILL));
    check_status("kill -9 $$", PB_EXIT_KILLED, SIGKILL, killed);
}

/* A command that does not exist: the shell's 127, its words in the log. */
static void test_missing_command(void **state)
{
    (void)state;
    check_status("pbt-no-such-command --flag", PB_EXIT_NOSTART, 127, "exited 127");
    char *out = log_text();
    assert_non_null(strstr(out, "pbt-no-such-command"));
    assert_non_null(strstr(out, "not found"));
    free(out);
}

/* 1 when pid is gone or a zombie, polling up to 10 s (its reaper may take a moment). */
static int gone(pid_t pid)
{
    char path[64], stat[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    for (int i = 0; i < 1000; i++) {
        FILE *f = fopen(path, "r");
        size_t n = f ? fread(stat, 1, sizeof stat - 1, f) : 0;
        if (f)
            fclose(f);
        stat[n] = '\0';
        const char *rp = strrchr(stat, ')');
        if (!f || (rp && rp[1] == ' ' && rp[2] == 'Z'))
            return 1;
        usleep(10000);
    }
    return 0;
}

/* The pid the command wrote to dir/name, waiting up to 10 s for it. */
static pid_t read_pid(const char *name)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    for (int i = 0; i < 1000; i++) {
        char *t = pbt_slurp(path);
        int pid = t && strchr(t, '\n') ? atoi(t) : 0;
        free(t);
        if (pid > 0)
            return pid;
        usleep(10000);
    }
    fail_msg("no pid in %s", path);
    return -1;
}

/* Past its timeout the command is killed, with what it started (its own group): the run
 * returns -ETIMEDOUT and the status says SIGKILL. */
static void test_timeout_kills_group(void **state)
{
    (void)state;
    char cmd[1400];
    int st, code;
    snprintf(cmd, sizeof cmd, "sleep 300 & echo $! > '%s/bg.pid'; wait", dir);
    assert_int_equal(launch(cmd, NULL, 0.3, 1, &st), -ETIMEDOUT);
    assert_int_equal(pb_exit_decode(st, &code), PB_EXIT_KILLED);
    assert_int_equal(code, SIGKILL);
    assert_true(gone(read_pid("bg.pid")));
    pbt_assert_no_children();
}

/* A command dies with the process that launched it: the launching process is killed while the
 * command sleeps, and the command goes too. */
static void test_dies_with_parent(void **state)
{
    (void)state;
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "echo $$ > '%s/cmd.pid'; exec sleep 300", dir);
    pid_t mid = fork();
    assert_true(mid >= 0);
    if (mid == 0) {
        int st;
        launch(cmd, NULL, 0, 0, &st);
        _exit(0);
    }
    pid_t sleeper = read_pid("cmd.pid");
    kill(mid, SIGKILL);
    int st;
    assert_int_equal(waitpid(mid, &st, 0), mid);
    assert_true(gone(sleeper));
}

/* A failure's note and a missing dependency's "needs X (...)" with -ENOTSUP. */
static void test_notes(void **state)
{
    (void)state;
    struct pb_output out = {0};
    assert_int_equal(pb_out_note(&out, -EIO, "command exited %d: %s", 3, "bad"), -EIO);
    assert_string_equal(out.note, "command exited 3: bad");
    assert_int_equal(pb_out_needs(&out, "python3-numba", "%s cannot import %s", "/usr/bin/python3",
                                  "numba"), -ENOTSUP);
    assert_string_equal(out.note, "needs python3-numba (/usr/bin/python3 cannot import numba)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_expand_every_placeholder, setup),
        cmocka_unit_test_setup(test_quoting_survives_the_shell, setup),
        cmocka_unit_test_setup(test_expand_errors_and_keep, setup),
        cmocka_unit_test_setup(test_template_check, setup),
        cmocka_unit_test_setup(test_exec_placeholders, setup),
        cmocka_unit_test_setup(test_run_capture_env_fds, setup),
        cmocka_unit_test_setup(test_exit_statuses, setup),
        cmocka_unit_test_setup(test_missing_command, setup),
        cmocka_unit_test_setup(test_timeout_kills_group, setup),
        cmocka_unit_test_setup(test_dies_with_parent, setup),
        cmocka_unit_test_setup(test_notes, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
