/*
 * options.h — the command line's option set: every run option group (see
 * pipeline/config.h) plus the groups of the other commands (the job
 * store's, pipeline/jobs/job_options.h; the web UI's, server/ui_options.h;
 * the benchmark's; live mode's) and the command line's own (the config
 * file, progress display, --json).
 */
#ifndef FU_CLI_OPTIONS_H
#define FU_CLI_OPTIONS_H

#include "core/option.h"

/* Initialises set over the command line's groups, parses argv[first..),
 * then reads the ini file: --config-path, else facefuse.ini, else (for
 * FaceFusion users moving over) facefusion.ini in the working directory.
 * Errors name the option, or the file and line. */
facefuse_status fu_cli_options_load(fu_optset *set, int argc, char **argv, int first, fu_err *err);

/* The ini file that was read, or NULL (valid after fu_cli_options_load). */
const char *fu_cli_config_path(void);

#endif
