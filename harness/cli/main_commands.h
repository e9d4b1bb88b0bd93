/* main_commands.h — the subcommands' front-ends (each prints, like main). argv[0] is the
 * subcommand's name; each returns the exit status: 0 ok, 1 a finding (e.g. a slowdown), 2 a
 * usage or input error. */
#ifndef PAIRBENCH_MAIN_COMMANDS_H
#define PAIRBENCH_MAIN_COMMANDS_H

/* Each subcommand's synopsis, written once: its own usage and bench --help print it (and the
 * README's Commands block shows bench --help's, checked by tests/scripts/test_docs.sh). A
 * continued line is indented to sit under the first argument after "usage: bench ". */
#define PB_SYNOPSIS_MORE "             "
#define PB_COMPARE_SYNOPSIS \
    "bench compare OLD NEW | SET [--threshold F] [--alpha F] [--json]"
#define PB_PLOT_SYNOPSIS "bench plot DIR/NAME.csv [--no-render]"
#define PB_LIMITS_SYNOPSIS \
    "bench limits [--json PATH [--force]] [--bytes MIB] [--strategy NAME] [--points N]"
#define PB_COMPUTE_SYNOPSIS \
    "bench compute --points FILE --output histogram|matrix --save PATH [--force]\n" \
    PB_SYNOPSIS_MORE "[--strategy NAME|auto] [--threads T] [--format csv|npy] [--box L]\n" \
    PB_SYNOPSIS_MORE "[--bins MIN,MAX,COUNT[,log|linear] | --edges FILE|E0,E1,...]\n" \
    PB_SYNOPSIS_MORE "[--float] [--param KEY=VALUE]..."

/* bench compare: prints the table on stdout; 1 also for a key significantly slower than
 * 1 + threshold, failing in NEW, or nothing to compare (a file with no ok run, no key ok on
 * both sides). */
int pb_main_compare(int argc, char **argv);
int pb_main_plot(int argc, char **argv);      /* bench plot DIR/NAME.csv */
int pb_main_limits(int argc, char **argv);    /* bench limits */
int pb_main_compute(int argc, char **argv);   /* bench compute --points ... --save PATH */

#endif
