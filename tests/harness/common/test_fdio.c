/* test_fdio.c — the I/O helpers of harness/common/fdio.h: whole-buffer transfers through a
 * pipe (short reads and writes, a read interrupted by signals), pwrite at an offset, whole
 * files with and without a cap, small proc-style files, the tail of a file or a pipe, and the
 * last line of a log (trailing newlines, CRLF, blank lines, an empty file, a line longer than
 * the buffer, UTF-8 cut on a character boundary). */
#include "support.h"

#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define BIG (1u << 20)               /* more than a pipe holds: transfers come in pieces */

/* BIG bytes of a pattern that repeats only every 251 bytes. */
static char *pattern(void)
{
    char *b = malloc(BIG);
    assert_non_null(b);
    for (size_t i = 0; i < BIG; i++)
        b[i] = (char)(i % 251);
    return b;
}

/* Forks a child that writes len bytes of buf to the pipe's write end in pieces of piece bytes,
 * pausing pause_us between them, then exits. The parent gets the read end; returns the pid. */
static pid_t writer(const char *buf, size_t len, size_t piece, unsigned pause_us, int *rfd)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        for (size_t off = 0; off < len; off += piece) {
            size_t n = len - off < piece ? len - off : piece;
            if (pb_write_all(p[1], buf + off, n) != 0)
                _exit(1);
            if (pause_us)
                usleep(pause_us);
        }
        _exit(0);
    }
    close(p[1]);
    *rfd = p[0];
    return pid;
}

/* Waits for pid and asserts it exited 0. */
static void reap(pid_t pid)
{
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* A path in the test's scratch folder. */
static const char *scratch(const char *name)
{
    static char dir[4096], path[sizeof dir + 64];
    if (!dir[0])
        snprintf(dir, sizeof dir, "%s", pbt_tmpdir("fdio"));   /* its buffer is reused */
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static void test_write_read_all_round_trip_through_a_pipe(void **state)
{
    (void)state;
    char *src = pattern(), *dst = malloc(BIG);
    assert_non_null(dst);
    int rfd;
    pid_t pid = writer(src, BIG, 3000, 0, &rfd);     /* odd pieces: reads come back short */
    assert_int_equal(pb_read_all(rfd, dst, BIG), 0);
    assert_memory_equal(src, dst, BIG);
    char more;
    assert_int_equal(pb_read_all(rfd, &more, 1), -EPIPE);   /* the writer is done */
    close(rfd);
    reap(pid);
    free(src);
    free(dst);
}

static void test_read_all_short_stream_is_epipe(void **state)
{
    (void)state;
    int rfd;
    pid_t pid = writer("abc", 3, 3, 0, &rfd);
    char buf[8];
    assert_int_equal(pb_read_all(rfd, buf, sizeof buf), -EPIPE);
    close(rfd);
    reap(pid);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

/* Installs on_alarm for SIGALRM without SA_RESTART, so blocked reads fail with EINTR, and
 * starts a timer that repeats every period_us. */
static void interrupt_every(unsigned period_us)
{
    struct sigaction sa = { .sa_handler = on_alarm };
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
    struct itimerval it = { { 0, period_us }, { 0, period_us } };
    alarms = 0;
    assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
}

/* Stops the timer and restores SIGALRM's default action. */
static void stop_interrupts(void)
{
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    signal(SIGALRM, SIG_DFL);
}

static void test_read_all_survives_interrupted_reads(void **state)
{
    (void)state;
    const char text[] = "slow writer: its pieces arrive between signals";
    char got[sizeof text];
    int rfd;
    pid_t pid = writer(text, sizeof text, 7, 20000, &rfd);
    interrupt_every(3000);                        /* reads wait and are interrupted */
    int rc = pb_read_all(rfd, got, sizeof got);
    stop_interrupts();
    assert_int_equal(rc, 0);
    assert_string_equal(got, text);
    close(rfd);
    reap(pid);
}

static void test_pwrite_all_writes_at_offset_and_leaves_the_offset(void **state)
{
    (void)state;
    const char *path = scratch("pwrite.bin");
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(pb_write_all(fd, "0123456789", 10), 0);
    assert_int_equal(pb_pwrite_all(fd, "abc", 3, 4), 0);
    assert_int_equal(pb_pwrite_all(fd, "XY", 2, 12), 0);    /* past the end: a hole */
    assert_int_equal(lseek(fd, 0, SEEK_CUR), 10);
    close(fd);
    char *text;
    size_t len;
    assert_int_equal(pb_read_file(path, &text, &len), 0);
    assert_int_equal(len, 14);
    assert_memory_equal(text, "0123abc789\0\0XY", 14);
    free(text);
}

static void test_read_fd_whole_and_capped(void **state)
{
    (void)state;
    char *src = pattern(), *got;
    size_t len;
    int rfd;
    pid_t pid = writer(src, BIG, 5000, 0, &rfd);
    assert_int_equal(pb_read_fd(rfd, BIG, &got, &len), 0);  /* exactly the cap is fine */
    assert_int_equal(len, BIG);
    assert_memory_equal(got, src, BIG);
    assert_int_equal(got[BIG], '\0');
    free(got);
    close(rfd);
    reap(pid);
    pid = writer(src, BIG, 5000, 0, &rfd);
    got = NULL;
    assert_int_equal(pb_read_fd(rfd, BIG - 1, &got, &len), -EFBIG);
    assert_null(got);
    close(rfd);
    waitpid(pid, NULL, 0);                        /* it may have died of SIGPIPE */
    free(src);
}

static void test_read_file_cases(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 99;
    pbt_write(scratch("empty.txt"), "");
    assert_int_equal(pb_read_file(scratch("empty.txt"), &text, &len), 0);
    assert_int_equal(len, 0);
    assert_string_equal(text, "");
    free(text);
    pbt_write(scratch("some.txt"), "line one\nline two\n");
    assert_int_equal(pb_read_file(scratch("some.txt"), &text, NULL), 0);
    assert_string_equal(text, "line one\nline two\n");
    free(text);
    assert_int_equal(pb_read_file(scratch("missing.txt"), &text, &len), -ENOENT);
    assert_int_equal(pb_read_file(pbt_tmpdir("fdio-dir"), &text, &len), -EINVAL);
    assert_int_equal(mkfifo(scratch("fifo"), 0600), 0);     /* refused, and without blocking */
    assert_int_equal(pb_read_file(scratch("fifo"), &text, &len), -EINVAL);
}

static void test_read_and_write_text(void **state)
{
    (void)state;
    char buf[8];
    pbt_write(scratch("knob"), "old");
    assert_int_equal(pb_write_text(scratch("knob"), "12345678901"), 0);
    assert_int_equal(pb_read_text(scratch("knob"), buf, sizeof buf), 7);   /* size-1 bytes */
    assert_string_equal(buf, "1234567");
    assert_int_equal(pb_write_text(scratch("absent"), "x"), -ENOENT);       /* never created */
    assert_int_equal(access(scratch("absent"), F_OK), -1);
    assert_int_equal(pb_read_text(scratch("absent"), buf, sizeof buf), -ENOENT);
    assert_string_equal(buf, "");
}

static void test_tail_of_a_file_and_of_a_pipe(void **state)
{
    (void)state;
    char *src = pattern(), tail[1000];
    const char *path = scratch("big.bin");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(pb_write_all(fd, src, BIG), 0);
    close(fd);
    assert_int_equal(pb_file_tail(path, tail, sizeof tail), 999);
    assert_memory_equal(tail, src + BIG - 999, 999);
    assert_int_equal(tail[999], '\0');
    int rfd;
    pid_t pid = writer(src, BIG, 777, 0, &rfd);   /* pieces that straddle the kept tail */
    assert_int_equal(pb_read_tail(rfd, tail, sizeof tail, NULL), 999);
    assert_memory_equal(tail, src + BIG - 999, 999);
    close(rfd);
    reap(pid);
    pid = writer("short", 5, 2, 0, &rfd);         /* fewer bytes than the buffer: all */
    assert_int_equal(pb_read_tail(rfd, tail, sizeof tail, NULL), 5);
    assert_string_equal(tail, "short");
    close(rfd);
    reap(pid);
    assert_int_equal(pb_file_tail(scratch("missing.log"), tail, sizeof tail), -ENOENT);
    assert_string_equal(tail, "");
    free(src);
}

/* Stops a pipe tail once three signals have interrupted it. */
static int three_alarms(void)
{
    return alarms >= 3;
}

static void test_tail_of_a_pipe_stops_when_asked(void **state)
{
    (void)state;
    int p[2];
    char tail[64];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(pb_write_all(p[1], "kept so far", 11), 0);  /* the writer stays open */
    interrupt_every(2000);
    ssize_t n = pb_read_tail(p[0], tail, sizeof tail, three_alarms);
    stop_interrupts();
    assert_int_equal(n, 11);                      /* earlier interruptions were retried */
    assert_string_equal(tail, "kept so far");
    assert_true(alarms >= 3);
    close(p[0]);
    close(p[1]);
}

static void test_copy_fit(void **state)
{
    (void)state;
    char buf[8];
    assert_string_equal(pb_copy_fit(buf, sizeof buf, "1234567", 7), "1234567");  /* fits */
    assert_string_equal(pb_copy_fit(buf, sizeof buf, "12345678", 8), "1234\xE2\x80\xA6");
    /* "aé" + "é": the cut at byte 4 would split the second é, so it backs up to byte 3 */
    assert_string_equal(pb_copy_fit(buf, sizeof buf, "a\xC3\xA9\xC3\xA9xyz", 8),
                        "a\xC3\xA9\xE2\x80\xA6");
    assert_string_equal(pb_copy_fit(buf, sizeof buf, "", 0), "");
}

/* pb_last_line of text into a buffer of size bytes. */
static const char *last(const char *text, size_t size)
{
    static char buf[256];
    assert_true(size <= sizeof buf);
    return pb_last_line(text, strlen(text), buf, size);
}

static void test_last_line_cases(void **state)
{
    (void)state;
    assert_string_equal(last("first\nsecond\n", 64), "second");
    assert_string_equal(last("first\nsecond", 64), "second");          /* no final newline */
    assert_string_equal(last("first\nsecond\n\n\n", 64), "second");    /* trailing newlines */
    assert_string_equal(last("a\r\nthe end\r\n\r\n", 64), "the end");    /* CRLF */
    assert_string_equal(last("reason\n  \t\n\r\n \n", 64), "reason");  /* blank lines skipped */
    assert_string_equal(last("  indented, trailing  \n", 64), "  indented, trailing");
    assert_string_equal(last("only", 64), "only");
    assert_string_equal(last("", 64), "");
    assert_string_equal(last("\n \n\t\r\n", 64), "");
    assert_string_equal(last("x\nabcdefghijkl\n", 8), "abcd\xE2\x80\xA6");  /* its start, cut */
}

static void test_file_last_line_cases(void **state)
{
    (void)state;
    char buf[32];
    pbt_write(scratch("empty.log"), "");
    assert_int_equal(pb_file_last_line(scratch("empty.log"), buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    pbt_write(scratch("crlf.log"), "starting\r\nerror: no such file\r\n\r\n");
    assert_int_equal(pb_file_last_line(scratch("crlf.log"), buf, sizeof buf), 0);
    assert_string_equal(buf, "error: no such file");
    pbt_write(scratch("long.log"), "ok\nTraceback: a line much longer than the note holds\n");
    assert_int_equal(pb_file_last_line(scratch("long.log"), buf, sizeof buf), 0);
    assert_string_equal(buf, "Traceback: a line much longe\xE2\x80\xA6");
    assert_int_equal(pb_file_last_line(scratch("missing.log"), buf, sizeof buf), -ENOENT);
    assert_string_equal(buf, "");
}

static void test_file_last_line_of_a_log_longer_than_the_window(void **state)
{
    (void)state;
    const char *path = scratch("chatty.log");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 20000; i++)               /* about 5 windows of output */
        fprintf(f, "progress %05d\n", i);
    fputs("done: 42 pairs\n\n", f);
    fclose(f);
    char buf[64];
    assert_int_equal(pb_file_last_line(path, buf, sizeof buf), 0);
    assert_string_equal(buf, "done: 42 pairs");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_read_all_round_trip_through_a_pipe),
        cmocka_unit_test(test_read_all_short_stream_is_epipe),
        cmocka_unit_test(test_read_all_survives_interrupted_reads),
        cmocka_unit_test(test_pwrite_all_writes_at_offset_and_leaves_the_offset),
        cmocka_unit_test(test_read_fd_whole_and_capped),
        cmocka_unit_test(test_read_file_cases),
        cmocka_unit_test(test_read_and_write_text),
        cmocka_unit_test(test_tail_of_a_file_and_of_a_pipe),
        cmocka_unit_test(test_tail_of_a_pipe_stops_when_asked),
        cmocka_unit_test(test_copy_fit),
        cmocka_unit_test(test_last_line_cases),
        cmocka_unit_test(test_file_last_line_cases),
        cmocka_unit_test(test_file_last_line_of_a_log_longer_than_the_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
