/*
 * extra_options.c — see extra_options.h.
 */
#include "cli/extra_options.h"

#include <string.h>

static fu_extra_option *match(fu_extra_option *options, int count, const char *arg, const char **inline_value)
{
    *inline_value = NULL;
    for (int i = 0; i < count; i++) {
        size_t n = strlen(options[i].name);
        if (strncmp(arg, options[i].name, n) != 0)
            continue;
        if (arg[n] == '\0')
            return &options[i];
        if (arg[n] == '=' && options[i].takes_value) {
            *inline_value = arg + n + 1;
            return &options[i];
        }
    }
    return NULL;
}

facefuse_status fu_extra_take(int *argc, char **argv, int first, fu_extra_option *options, int count, fu_err *err)
{
    int out = first;
    for (int i = first; i < *argc; i++) {
        const char *inline_value;
        fu_extra_option *o = match(options, count, argv[i], &inline_value);
        if (!o) {
            argv[out++] = argv[i];
            continue;
        }
        if (!o->takes_value)
            o->value = "1";
        else if (inline_value)
            o->value = inline_value;
        else if (i + 1 < *argc)
            o->value = argv[++i];
        else
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "option %s needs a value", o->name);
    }
    argv[out] = NULL;
    *argc = out;
    return FACEFUSE_OK;
}
