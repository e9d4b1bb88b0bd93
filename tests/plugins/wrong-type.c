/* wrong-type.c — a plugin whose pb_plugin_strategies is a function, not the array of
 * pointers bench reads: bench must refuse it instead of reading code as pointers. */

/* Exported under the name bench looks up. */
int pb_plugin_strategies(void)
{
    return 7;
}
