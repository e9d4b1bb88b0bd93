/* scratch.h — the scratch file both fuzz targets hand their input through: the functions under
 * test take a path, so each input is written to one file in a private temporary folder (made
 * under $TMPDIR, removed at exit). Header-only because each target is a single file. */
#ifndef PAIRBENCH_FUZZ_SCRATCH_H
#define PAIRBENCH_FUZZ_SCRATCH_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct scratch {
    char dir[512];                   /* mkdtemp folder: relative paths in inputs land here */
    char path[600];                  /* dir/<name>: the file each input is written to */
};

static struct scratch scratch_state;

/* Removes the scratch file and its folder; registered with atexit by scratch_init. */
static void scratch_cleanup(void)
{
    unlink(scratch_state.path);
    rmdir(scratch_state.dir);
}

/* Makes the private folder and names the file in it; aborts when it cannot, because no input
 * could be tried. Also points stdin at /dev/null, so that an input naming /dev/stdin as a
 * file to read ends at once instead of blocking the fuzzer. */
static void scratch_init(const char *name)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch_state.dir, sizeof scratch_state.dir, "%s/pbfuzz-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(scratch_state.dir))
        abort();
    snprintf(scratch_state.path, sizeof scratch_state.path, "%s/%s", scratch_state.dir, name);
    atexit(scratch_cleanup);
    int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, STDIN_FILENO) < 0)
        abort();
    close(null);
}

/* Replaces the scratch file's contents with data; returns its path. Aborts on a write error,
 * which is the machine failing, not the code under test. */
static const char *scratch_write(const uint8_t *data, size_t size)
{
    int fd = open(scratch_state.path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        abort();
    for (size_t done = 0; done < size;) {
        ssize_t got = write(fd, data + done, size - done);
        if (got <= 0)
            abort();
        done += (size_t)got;
    }
    close(fd);
    return scratch_state.path;
}

/* Fails the input, loudly, when a contract of the code under test does not hold: libFuzzer
 * records the abort as a crash and saves the input. */
#define FUZZ_CHECK(cond)                                                                      \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "%s:%d: contract broken: %s\n", __FILE__, __LINE__, #cond);       \
            abort();                                                                          \
        }                                                                                     \
    } while (0)

#endif
