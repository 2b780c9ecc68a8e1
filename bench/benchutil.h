/*
 * benchutil.h — what the benchmark programs share: a model directory (the
 * one given, or the test suite's stand-ins generated into a fresh temp dir)
 * and a context on it.
 */
#ifndef FU_BENCHUTIL_H
#define FU_BENCHUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "facefuse.h"

/* argv[1] if given, else a temp dir filled by tests/models/make_models.py. */
static inline int bench_model_dir(int argc, char **argv, char *dir, size_t size)
{
    char cmd[2400];
    if (argc > 1) {
        snprintf(dir, size, "%s", argv[1]);
        return 0;
    }
    snprintf(dir, size, "/tmp/facefuse-bench-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/tests/models/make_models.py' '%s' >/dev/null",
             FACEFUSE_SOURCE_DIR, dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not generate the stand-in models into %s\n", dir);
        return 1;
    }
    return 0;
}

/* A context on dir with no downloads and two intra-op threads; exits on failure. */
static inline facefuse_context *bench_open_context(const char *dir)
{
    facefuse_context_params p = facefuse_context_default_params();
    facefuse_context *ctx = NULL;
    p.model_dir = dir;
    p.allow_download = 0;
    p.log_level = FACEFUSE_LOG_ERROR;
    p.execution_thread_count = 2;
    if (facefuse_context_new(&p, &ctx) != FACEFUSE_OK) {
        fprintf(stderr, "cannot create a context on %s\n", dir);
        exit(1);
    }
    return ctx;
}

#endif
