/* main.c — the bench command line (placeholder until the driver lands). */
#include "registry.h"

#include <stdio.h>

int main(void)
{
    for (size_t i = 0; i < pb_registry_count(); i++)
        printf("%-16s %s\n", pb_registry_get(i)->name, pb_registry_get(i)->summary);
    return 0;
}
