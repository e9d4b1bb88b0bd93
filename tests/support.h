/* support.h — helpers shared by the tests: cmocka's required includes, scratch directories,
 * running bench as a subprocess, and small problems built in memory. */
#ifndef PAIRBENCH_TEST_SUPPORT_H
#define PAIRBENCH_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* A fresh empty directory under the build's testtmp/, named after tag; returns a static path. */
const char *pbt_tmpdir(const char *tag);

/* Runs "PB_BENCH_PATH args..." through the shell with stdout+stderr captured into *output
 * (malloc'd, NUL-terminated). Returns the exit status (or 128+signal). */
int pbt_bench(char **output, const char *args_fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reads a whole file into a malloc'd NUL-terminated string, or NULL. */
char *pbt_slurp(const char *path);

/* Writes text to path; fails the test on error. */
void pbt_write(const char *path, const char *text);

#endif
