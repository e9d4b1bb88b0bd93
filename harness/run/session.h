/* session.h — what a sweep records of its session besides the runs: the machine limits,
 * measured in a child process; the CPU load of other processes just before the first run; and
 * NAME.json's session record (environment, config, start time, the points file's identity,
 * those two). Run stage; it never prints but to the warn stream it is given. */
#ifndef PAIRBENCH_SESSION_H
#define PAIRBENCH_SESSION_H

#include "config.h"
#include "cpuload.h"
#include "envinfo.h"
#include "error.h"
#include "machine_limits.h"

#include <stdio.h>

/* Measures the machine limits into l in a child process. The bandwidth passes start an OpenMP
 * team, and a process whose OpenMP runtime has threads cannot fork children that use OpenMP
 * again (they wait forever on the parent's team): the sweep's own process must never start
 * one. SIGINT stops it at once (-EINTR). Returns 0 or -errno with err filled. */
int pb_session_limits(struct pb_limits *l, struct pb_err *err);

/* Samples what other processes use of the CPUs for PB_CPULOAD_SAMPLE_S into l, and warns on
 * warn (when not NULL) when it passes the busy threshold of a run as wide as the CPUs counted
 * (cpuload.h): every run would then share its CPUs, flagged in csv. */
void pb_session_busy_start(FILE *warn, const char *csv, struct pb_cpuload *l);

/* One session of a sweep, for NAME.json. */
struct pb_session {
    const struct pb_experiment *e;
    const struct pb_limits *limits;  /* measured limits, or NULL */
    const struct pb_cpuload *start_load;   /* pb_session_busy_start's sample */
    const struct pb_file_id *input; /* the points file's identity (e's input.path), or NULL */
    int resume;                      /* 1: append this session to the existing document */
};

/* Writes NAME.json at path: environment, config, start time, the input's identity, the start
 * load and the limits when measured; a resumed sweep keeps the first session's and appends its
 * own (pb_env_write_session). Returns 0 or -errno with err. */
int pb_session_write(const char *path, const struct pb_session *s, struct pb_err *err);

#endif
