/* no-symbol.c — a shared library that is not a plugin: it lacks pb_plugin_strategies. */

/* Something to export, so the library is not empty. */
int pbt_not_a_plugin(void)
{
    return 42;
}
