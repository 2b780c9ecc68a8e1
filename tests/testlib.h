/*
 * testlib.h — the tiny test harness shared by every test program.
 *
 * A test file defines static functions and lists them in main with RUN(fn).
 * CHECK(cond, fmt, ...) records a failure with file:line and goes on;
 * REQUIRE stops the current test function. main returns tl_finish(), which
 * prints "N passed, N failed" and returns non-zero on any failure.
 * tl_skip(reason) marks the current test skipped (printed, not counted failed);
 * a program whose tests all skipped exits TL_SKIP_EXIT, which ctest reports as
 * skipped.
 */
#ifndef FU_TESTLIB_H
#define FU_TESTLIB_H

#include <stdio.h>

#include "facefuse.h"

extern int tl_failed_checks;

#define CHECK(cond, ...)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            tl_fail_at(__FILE__, __LINE__, #cond);                                         \
            fprintf(stderr, "    " __VA_ARGS__);                                           \
            fprintf(stderr, "\n");                                                         \
        }                                                                                  \
    } while (0)

#define REQUIRE(cond, ...)                                                                 \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            CHECK(cond, __VA_ARGS__);                                                      \
            return;                                                                        \
        }                                                                                  \
    } while (0)

#define RUN(fn) tl_run(#fn, fn)

void tl_fail_at(const char *file, int line, const char *expr);
void tl_run(const char *name, void (*fn)(void));
#define TL_SKIP_EXIT 77
void tl_skip(const char *reason);
int tl_finish(void);

/* Paths. */
const char *tl_shared(const char *rel);      /* <source>/../shared/<rel>, static buffer ring */
const char *tl_test_models(const char *rel); /* the generated test models dir */
const char *tl_tmpdir(void);                 /* a fresh directory for this test program */
const char *tl_tmp(const char *name);        /* <tmpdir>/<name> */

/* The facefuse program the CLI tests run: $FACEFUSE_CLI when set (the
 * suite runs the hostile corpus a second time against a Release build that
 * way), else the program of this build. */
const char *tl_cli_binary(void);
/* Runs the facefuse binary with args (a shell-quoted string); returns its exit
 * code and captures stdout and stderr into malloc'd strings (may pass NULL). */
int tl_run_cli(const char *args, char **out, char **err);
/* The same, killed after `seconds` (exit code 137 then): a hang fails the
 * test instead of blocking the suite. */
int tl_run_cli_within(int seconds, const char *args, char **out, char **err);

/* The whole file as a malloc'd string ("" when it cannot be read). */
char *tl_slurp(const char *path);

/* A context whose model dir is the test model cache and downloads disabled. */
facefuse_context *tl_context(void);
/* The same on another model dir, logging at `level`; exits on failure. */
facefuse_context *tl_context_at(const char *model_dir, facefuse_log_level level);
/* A fresh model dir <tmpdir>/<name> holding scrfd and, for each pair of
 * links[] (NULL-terminated), test model links[i] under the name links[i+1]. */
const char *tl_model_dir(const char *name, const char *const *links);
/* The same with one stand-in, linked as link_as. */
const char *tl_model_dir_with(const char *name, const char *link_as, const char *stand_in);
/* ../shared/<rel> decoded; exits on failure. */
facefuse_image tl_load(facefuse_context *ctx, const char *rel);

#endif
