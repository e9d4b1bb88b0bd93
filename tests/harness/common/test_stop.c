/* test_stop.c — the stop request (harness/common/stop.h): SIGINT, SIGTERM and SIGHUP each set
 * it instead of ending the process, and a blocking call they interrupt returns EINTR (no
 * SA_RESTART), which is how a waiting loop notices. Each case runs in a child of its own, since
 * the request cannot be withdrawn. */
#include "support.h"

#include "stop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* In a child: no request before, sig raised after pb_stop_install_signals, a request after and
 * the child still alive. Exits 0 when all holds. */
static void raise_child(int sig)
{
    int before = pb_stop_requested();
    pb_stop_install_signals();
    raise(sig);
    _exit(before == 0 && pb_stop_requested() ? 0 : 1);
}

/* Runs fn(arg) in a child and asserts that it exited 0 (not killed by a signal). */
static void in_child(void (*fn)(int), int arg)
{
    pid_t pid = fork();
    int st;
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(60);                       /* a hang ends the child, and fails the test */
        fn(arg);
        _exit(2);
    }
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_each_signal_requests_a_stop(void **state)
{
    (void)state;
    in_child(raise_child, SIGINT);
    in_child(raise_child, SIGTERM);
    in_child(raise_child, SIGHUP);
}

/* In a child: a read from a pipe nobody writes to, interrupted by SIGTERM from a timer that
 * repeats (so it also interrupts a read that starts late), returns EINTR with a stop requested.
 * Exits 0 when it does. */
static void blocked_read_child(int sig)
{
    int fds[2];
    char c;
    timer_t t;
    struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = sig };
    struct itimerspec every = { .it_value = { 0, 20000000 }, .it_interval = { 0, 20000000 } };
    pb_stop_install_signals();
    if (pipe(fds) != 0 || timer_create(CLOCK_MONOTONIC, &ev, &t) != 0 ||
        timer_settime(t, 0, &every, NULL) != 0)
        _exit(3);
    ssize_t got = read(fds[0], &c, 1);
    _exit(got < 0 && errno == EINTR && pb_stop_requested() ? 0 : 1);
}

static void test_blocking_call_interrupted(void **state)
{
    (void)state;
    in_child(blocked_read_child, SIGTERM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_signal_requests_a_stop),
        cmocka_unit_test(test_blocking_call_interrupted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
