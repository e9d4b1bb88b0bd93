/* leak.c — a strategy that leaves temporary state behind and crashes: a file in its tmpdir, a
 * POSIX shared-memory object named after the tmpdir (the convention runner.c documents), and
 * the per-process registration object the LLVM OpenMP runtime leaves when a process dies. */
#include "strategies.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const struct pb_param_spec params[] = { PBTS_RECORD_PARAM, { 0 } };
static int *volatile nowhere;

/* Makes the file and the shm object, records their names, then dies of SIGSEGV. */
/* no_sanitize: the null store must reach the kernel as SIGSEGV, not as a UBSan report. */
__attribute__((no_sanitize("null")))
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    (void)p;
    (void)out;
    char path[4096], name[300];
    const char *base = strrchr(prm->tmpdir, '/') ? strrchr(prm->tmpdir, '/') + 1 : prm->tmpdir;
    snprintf(path, sizeof path, "%s/leak.dat", prm->tmpdir);
    snprintf(name, sizeof name, "/%.200s-%ld", base, (long)getpid());
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    if (fd >= 0)
        (void)!write(fd, "leak", 4), close(fd);
    fd = shm_open(name, O_RDWR | O_CREAT, 0600);
    if (fd >= 0)
        (void)!ftruncate(fd, 1 << 20), close(fd);
    pbts_record(prm, "%s %ld\n", prm->tmpdir, 0);
    pbts_record(prm, "%s %ld\n", name, 1);
    snprintf(name, sizeof name, "/__KMP_REGISTERED_LIB_%ld_%ld", (long)getpid(), (long)getuid());
    fd = shm_open(name, O_RDWR | O_CREAT, 0600);
    if (fd >= 0)
        close(fd);
    pbts_record(prm, "%s %ld\n", name, 2);
    *nowhere = 1;
    return 0;
}

const struct pb_strategy pb_test_strategy_leak = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "test-leak",
    .summary = "leaves a temp file and a POSIX shm object, then crashes",
    .params = params,
    .run = run,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_TILE },
};
