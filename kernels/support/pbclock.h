/* pbclock.h — seconds on a clock as a double: how the harness and the strategies read elapsed
 * time (progress, estimates, build times, calibration loops). Two places call clock_gettime
 * themselves: the runner's wall time around the strategy call (runner.c) and the timer's own
 * calibration (envinfo.c). */
#ifndef PAIRBENCH_PBCLOCK_H
#define PAIRBENCH_PBCLOCK_H

#include <time.h>

/* The time of clock clk (CLOCK_MONOTONIC, CLOCK_THREAD_CPUTIME_ID, ...) in seconds; 0 when the
 * clock cannot be read. */
static inline double pb_clock_s(clockid_t clk)
{
    struct timespec t;
    if (clock_gettime(clk, &t) != 0)
        return 0;
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Seconds on the monotonic clock (CLOCK_MONOTONIC): differences of two readings are elapsed
 * time, unaffected by changes of the wall clock. */
static inline double pb_now_s(void)
{
    return pb_clock_s(CLOCK_MONOTONIC);
}

#endif
