/* main_commands.h — the subcommands' front-ends (each prints, like main). argv[0] is the
 * subcommand's name; each returns the exit status: 0 ok, 1 a finding (e.g. a slowdown), 2 a
 * usage or input error. */
#ifndef PAIRBENCH_MAIN_COMMANDS_H
#define PAIRBENCH_MAIN_COMMANDS_H

int pb_main_compare(int argc, char **argv);   /* bench compare OLD.csv NEW.csv */
int pb_main_plot(int argc, char **argv);      /* bench plot DIR/NAME.csv */
int pb_main_limits(int argc, char **argv);    /* bench limits */
int pb_main_compute(int argc, char **argv);   /* bench compute --points ... --save PATH */

#endif
