/*
 * options.h — the command line's option set: every run option group (see
 * pipeline/config.h) plus the groups only the command line has (the config
 * file, progress display, detect's --json, the benchmark's, and FaceFusion's
 * UI and job options until those commands exist).
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
