/* registry.c — lookup over the generated built-in table plus strategies added at run time. */
#include "registry.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define PB_MAX_EXTRA 64

static const struct pb_strategy *extra[PB_MAX_EXTRA];  /* plugins and test strategies */
static const char *origin[PB_MAX_EXTRA];             /* the file each came from, or NULL */
static size_t nextra;

/* Built-ins counted once; the table never changes after link time. */
static size_t builtin_count(void)
{
    size_t n = 0;
    while (pb_builtin_strategies[n])
        n++;
    return n;
}

size_t pb_registry_count(void)
{
    return builtin_count() + nextra;
}

const struct pb_strategy *pb_registry_get(size_t i)
{
    size_t nb = builtin_count();
    if (i < nb)
        return pb_builtin_strategies[i];
    return i - nb < nextra ? extra[i - nb] : NULL;
}

const struct pb_strategy *pb_registry_find(const char *name)
{
    for (size_t i = 0; i < pb_registry_count(); i++)
        if (strcmp(pb_registry_get(i)->name, name) == 0)
            return pb_registry_get(i);
    return NULL;
}

/* 1 when name is 1 to PB_LABEL_MAX - 1 bytes of [A-Za-z0-9_.-] not starting with '-'. */
static int valid_strategy_name(const char *name)
{
    size_t len = strnlen(name, PB_LABEL_MAX);
    return len > 0 && len < PB_LABEL_MAX && name[0] != '-' &&
           strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == len;
}

int pb_registry_check(const struct pb_strategy *s, struct pb_err *e)
{
    if (s->abi_version != PB_STRATEGY_ABI)
        return pb_fail(e, -EINVAL, "strategy ABI version %d, this bench expects %d: rebuild it "
                       "against this bench's strategy.h", s->abi_version, PB_STRATEGY_ABI);
    if (!s->name || !*s->name || !s->run)
        return pb_fail(e, -EINVAL, "strategy has no name or no run function");
    if (!valid_strategy_name(s->name))
        return pb_fail(e, -EINVAL, "strategy name \"%.*s%s\" is not a valid label: 1 to %d "
                       "letters, digits, '_', '.' or '-', not starting with '-'",
                       PB_LABEL_MAX, s->name, strlen(s->name) > PB_LABEL_MAX ? "..." : "",
                       PB_LABEL_MAX - 1);
    if (pb_registry_find(s->name))
        return pb_fail(e, -EINVAL, "a strategy named '%s' is already registered", s->name);
    return 0;
}

int pb_registry_add_from(const struct pb_strategy *s, const char *from, struct pb_err *e)
{
    int rc = pb_registry_check(s, e);
    if (rc)
        return rc;
    if (nextra == PB_MAX_EXTRA)
        return pb_fail(e, -EINVAL, "too many strategies (at most %d added)", PB_MAX_EXTRA);
    origin[nextra] = from;
    extra[nextra++] = s;
    return 0;
}

int pb_registry_add(const struct pb_strategy *s, struct pb_err *e)
{
    return pb_registry_add_from(s, NULL, e);
}

const char *pb_registry_origin(size_t i)
{
    size_t nb = builtin_count();
    return i >= nb && i - nb < nextra ? origin[i - nb] : NULL;
}

void pb_registry_names(char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < pb_registry_count() && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                                 pb_registry_get(i)->name);
    if (used >= size && size > 4)
        memcpy(buf + size - 4, "\xE2\x80\xA6", 4);   /* cut: say so ("…") */
}
