/*
 * options.h — FaceFusion's options, declared once in a table.
 *
 * The table gives each option its name, ini section and key, kind, default,
 * domain and help. The command-line parser, the ini reader, range checks and
 * --help all come from it. An option FaceFusion has that facefuse does not
 * implement yet is in the table marked as such, and using it is an error
 * that names it — never silently ignored.
 *
 * Values are kept as strings in a fu_optset (lists space-separated) and
 * converted once into a typed fu_run_config by fu_options_to_config.
 */
#ifndef FU_OPTIONS_H
#define FU_OPTIONS_H

#include <stdio.h>

#include "core/error.h"
#include "pipeline/config.h"

typedef enum fu_opt_kind {
    FU_OPT_STRING,
    FU_OPT_INT,
    FU_OPT_FLOAT,
    FU_OPT_FLAG,
    FU_OPT_LIST       /* one or more values (nargs +) */
} fu_opt_kind;

typedef struct fu_option {
    const char *name;       /* "--face-detector-model" */
    const char *alias;      /* "-s", or NULL */
    const char *section;    /* ini section, e.g. "face_detector"; NULL = not in ini */
    fu_opt_kind kind;
    const char *default_value; /* NULL = none */
    const char *choices;    /* space-separated domain, or NULL */
    double min, max;        /* numeric range when min < max */
    int implemented;
    const char *help;
} fu_option;

#define FU_MAX_OPTIONS 160

typedef struct fu_optset {
    char *values[FU_MAX_OPTIONS];   /* malloc'd; NULL = default */
    char *words[FU_MAX_OPTIONS];    /* tokenised copies handed out by fu_options_to_config */
    char *positional[8];            /* arguments that are not options */
    int positional_count;
} fu_optset;

const fu_option *fu_option_table(int *count);
const fu_option *fu_option_find(const char *name);

/* Parses argv[first..argc). Later values replace earlier ones. Errors name
 * the option: unknown, not implemented, missing value, out of domain. */
facefuse_status fu_optset_parse(fu_optset *set, int argc, char **argv, int first, fu_err *err);
/* Reads FaceFusion-style ini ([section] key = value; empty value = default).
 * Values already set (from the command line) are kept. */
facefuse_status fu_optset_load_ini(fu_optset *set, const char *path, fu_err *err);
void fu_optset_free(fu_optset *set);

/* The value (set or default) of an option, or NULL. */
const char *fu_optset_get(const fu_optset *set, const char *name);
int fu_optset_is_set(const fu_optset *set, const char *name);
/* Sets a value (copied). */
facefuse_status fu_optset_set(fu_optset *set, const char *name, const char *value, fu_err *err);

/* Converts into cfg. The config's strings (list values split into words)
 * belong to the set and are valid until fu_optset_free. */
facefuse_status fu_options_to_config(fu_optset *set, fu_run_config *cfg, fu_err *err);

/* Prints --help for every implemented option. */
void fu_options_print_help(FILE *out);

#endif
