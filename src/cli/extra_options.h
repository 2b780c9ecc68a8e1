/*
 * extra_options.h — options the job commands and `run` need that the option
 * table (options.c) does not declare yet: --jobs-path, --halt-on-error and the
 * --ui-* options. They are taken out of argv before the table's parser sees
 * the rest.
 *
 * ADAPTER: goes away when the per-module option tables declare these rows
 * (see the rows listed in cmd_jobs.h / cmd_run.h).
 */
#ifndef FU_EXTRA_OPTIONS_H
#define FU_EXTRA_OPTIONS_H

#include "core/error.h"

typedef struct fu_extra_option {
    const char *name;           /* "--jobs-path" */
    int takes_value;            /* 0: a flag */
    const char *value;          /* set by fu_extra_take: the value, "1" for a flag, NULL if absent */
} fu_extra_option;

/* Removes every occurrence of each option (and its value) from argv[first..),
 * compacting argv and updating *argc; the last occurrence wins. A missing
 * value is FACEFUSE_ERR_INVALID_ARGUMENT. Values point into argv. */
facefuse_status fu_extra_take(int *argc, char **argv, int first, fu_extra_option *options, int count, fu_err *err);

#endif
