/* stop.c — the stop request (see stop.h): one flag, set by a signal handler. */
#include "stop.h"

#include <signal.h>

static volatile sig_atomic_t stop_flag;   /* SIGINT, SIGTERM or SIGHUP arrived */

/* The signal handler: only records the signal; the loops that wait act on it. */
static void on_stop_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

void pb_stop_install_signals(void)
{
    struct sigaction sa = { .sa_handler = on_stop_signal, .sa_flags = 0 };  /* no SA_RESTART */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);    /* a closed terminal stops the sweep the same way */
}

int pb_stop_requested(void)
{
    return stop_flag != 0;
}
