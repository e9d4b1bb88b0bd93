/* stop.h — the stop request: SIGINT, SIGTERM or SIGHUP asks the whole process to stop. The
 * handlers only record the signal; every stage that waits or loops (the runner, the sweep,
 * gnuplot's rendering, a computation's children) asks pb_stop_requested and winds down. */
#ifndef PAIRBENCH_STOP_H
#define PAIRBENCH_STOP_H

/* Installs SIGINT, SIGTERM and SIGHUP handlers that record a stop request, without
 * SA_RESTART, so a blocking call they interrupt returns EINTR. Called once by a command
 * before it starts runs or children. */
void pb_stop_install_signals(void);

/* Nonzero once SIGINT, SIGTERM or SIGHUP arrived after pb_stop_install_signals. */
int pb_stop_requested(void);

#endif
