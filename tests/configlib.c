/*
 * configlib.c — run configurations for tests (see configlib.h).
 */
#include "configlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

facefuse_status tl_config_try(tl_config *c, const char *args, fu_err *err)
{
    char *copy = strdup(args ? args : ""), *argv[256];
    int argc = 0;

    memset(c, 0, sizeof *c);
    for (char *save = NULL, *w = strtok_r(copy, " ", &save); w && argc < 256; w = strtok_r(NULL, " ", &save))
        argv[argc++] = w;
    facefuse_status rc = fu_run_config_from_args(&c->set, &c->cfg, argc, argv, err);
    free(copy);
    return rc;
}

fu_run_config *tl_config_init(tl_config *c, const char *args)
{
    fu_err err;
    if (tl_config_try(c, args, &err) != FACEFUSE_OK) {
        fprintf(stderr, "test configuration '%s': %s\n", args, err.msg);
        exit(2);
    }
    return &c->cfg;
}

void tl_config_free(tl_config *c)
{
    fu_run_config_free(&c->cfg);
    fu_optset_free(&c->set);
}

const void *tl_processor_settings(const tl_config *c, const char *processor)
{
    const void *s = fu_run_config_processor_settings(&c->cfg, processor);
    if (!s) {
        fprintf(stderr, "no processor %s\n", processor);
        exit(2);
    }
    return s;
}
