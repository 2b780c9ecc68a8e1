/*
 * option.h — options declared once, in tables owned by the modules they
 * configure (FFmpeg's AVOption is the model).
 *
 * A module (a processor, the face detector, the face masker, the output
 * writer…) declares an fu_option_group: its options — FaceFusion's name, ini
 * section and key, type, choices or numeric range with its step, default,
 * one-line help — and the size of its own settings struct, into which each
 * option's value is stored at `offset`. The command-line parser, --help, the
 * ini loader, the web UI's forms and stored job steps all read these tables;
 * nothing else lists options.
 *
 * Values are held in an fu_optset as lists of whole words (one command-line
 * argument, one ini word, one JSON string each), never re-split, so a path
 * with a space stays one path. Every value is checked when it is set (type,
 * choices, range, count, finite), so errors name the option at once;
 * fu_options_apply then converts the words into a module's settings struct.
 *
 * Strings in a settings struct point into the option set (or the static
 * table): they are valid as long as the set.
 */
#ifndef FU_OPTION_H
#define FU_OPTION_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"

typedef enum fu_opt_type {
    FU_OPT_STRING,   /* const char * (NULL when unset and without default) */
    FU_OPT_INT,      /* int (-1 when unset and without default) */
    FU_OPT_FLOAT,    /* float (0 when unset and without default) */
    FU_OPT_BOOL,     /* int 0/1; a flag on the command line, true/false in ini and JSON */
    FU_OPT_STRINGS,  /* fu_strs: one or more words */
    FU_OPT_INTS      /* fu_ints: one or more integers */
} fu_opt_type;

#define FU_OPT_MAX_INTS 16

/* A list of words; v points into the option set. */
typedef struct fu_strs {
    const char *const *v;
    int n;
} fu_strs;

typedef struct fu_ints {
    int v[FU_OPT_MAX_INTS];
    int n;
} fu_ints;

enum {
    /* INTS: 1 to 4 values read as CSS/FaceFusion margins: top right bottom
     * left; a → a a a a, a b → a b a b, a b c → a b c b. Always 4 stored. */
    FU_OPTF_TRBL = 1u << 0,
    /* A job-level key (execution, download, memory, log): kept out of a job's
     * stored steps, as FaceFusion's job keys. */
    FU_OPTF_JOB = 1u << 1,
    /* Not a processing setting: the CLI's own (config path, progress), not
     * shown as a UI control and not stored in job steps. */
    FU_OPTF_FRONT = 1u << 2,
    /* A path the web UI fills from its own uploads, not a form control. */
    FU_OPTF_PATH = 1u << 3
};

typedef struct fu_option {
    const char *name;          /* "--face-swapper-model" */
    const char *alias;         /* "-s", or NULL */
    const char *section;       /* ini section, NULL = not read from ini */
    const char *key;           /* ini key, NULL = the name without "--", '-' → '_' */
    fu_opt_type type;
    const char *def;           /* default, words separated by spaces; NULL = unset */
    const char *choices;       /* allowed words, space-separated; NULL = any */
    double min, max, step;     /* numeric range when min < max; step for UIs */
    int count_min, count_max;  /* list length; 0 = 1 and unlimited */
    unsigned flags;            /* FU_OPTF_* */
    ptrdiff_t offset;          /* field in the owner's settings struct; FU_OPT_NONE = not stored */
    /* facefuse refuses this option, or just the `unsupported` values of it,
     * with this reason (exit 2); NULL = fully supported. */
    const char *reject;
    const char *unsupported;   /* space-separated values refused with `reject`; NULL = all */
    const char *help;
    /* Choices too many to write out (e.g. the registry's deep swapper
     * models), built by the module once, when `choices` is NULL: listed by
     * --help and UIs through fu_option_choices. Values are not checked
     * against them (the group's check decides, so values found at run time
     * can be taken too). NULL = none. */
    const char *(*choices_fn)(void);
} fu_option;

#define FU_OPT_NONE ((ptrdiff_t)-1)

/* One module's options and settings. The options array ends with a zeroed
 * entry (name NULL). */
typedef struct fu_option_group {
    const char *id;            /* unique: "face_detector", "face_swapper", … */
    const char *title;         /* --help heading, FaceFusion's group ("face detector", "processors") */
    const fu_option *options;
    size_t settings_size;      /* 0 when nothing is stored */
    /* Checks across options and normalises after apply (e.g. a model's sizes);
     * may be NULL. */
    facefuse_status (*check)(void *settings, fu_err *err);
} fu_option_group;

/* Where a value came from, for messages. */
typedef enum fu_opt_origin { FU_ORIGIN_DEFAULT = 0, FU_ORIGIN_INI, FU_ORIGIN_ARG } fu_opt_origin;

typedef struct fu_optval {
    char **words;
    int n;
    fu_opt_origin origin;
} fu_optval;

#define FU_MAX_POSITIONAL 64

/* Values of every option of a list of groups. Create with fu_optset_init. */
typedef struct fu_optset {
    const fu_option_group *const *groups;
    int group_count;
    int count;                 /* options over all groups */
    fu_optval *vals;           /* by global index */
    char *positional[FU_MAX_POSITIONAL];
    int positional_count;
} fu_optset;

/* Sets every option to its default. groups must outlive the set. */
facefuse_status fu_optset_init(fu_optset *set, const fu_option_group *const *groups, int group_count,
                               fu_err *err);
void fu_optset_free(fu_optset *set);

/* The global index of an option by name or alias ("-s"), or -1. *group and
 * *opt receive where it is declared (may be NULL). */
int fu_optset_find(const fu_optset *set, const char *name, const fu_option **opt);
/* By ini section and key (keys compared without case, as ConfigParser). */
int fu_optset_find_key(const fu_optset *set, const char *section, const char *key, const fu_option **opt);
const fu_option *fu_optset_option(const fu_optset *set, int index);
const fu_option_group *fu_optset_group_of(const fu_optset *set, int index);

/* Replaces an option's value by n words (copied), after checking them:
 * FACEFUSE_ERR_INVALID_ARGUMENT naming the option (unknown, wrong type, not
 * a choice, out of range, not finite, wrong count), FACEFUSE_ERR_UNSUPPORTED
 * with the reason for a refused option or value. */
facefuse_status fu_optset_set(fu_optset *set, const char *name, const char *const *words, int n,
                              fu_opt_origin origin, fu_err *err);
facefuse_status fu_optset_set_index(fu_optset *set, int index, const char *const *words, int n,
                                    fu_opt_origin origin, fu_err *err);
/* The same for one space-free value (or, for BOOL, "true"/"false"). */
facefuse_status fu_optset_set1(fu_optset *set, const char *name, const char *value, fu_err *err);
/* Back to the default. */
void fu_optset_reset(fu_optset *set, int index);

/* The current words of an option (the default's when not set); NULL when
 * the name is unknown. */
const fu_optval *fu_optset_get(const fu_optset *set, const char *name);
/* The first word, or NULL when unknown or empty. */
const char *fu_optset_str(const fu_optset *set, const char *name);
/* 1 when set from an argument or the ini (not the default). */
int fu_optset_is_set(const fu_optset *set, const char *name);

/* Parses argv[first..argc): "--name value…", "--name=value", aliases,
 * flags; a list takes every following word that is not an option ("-5" and
 * "-0.5" are values). Words that belong to no option are positional. */
facefuse_status fu_optset_parse_args(fu_optset *set, int argc, char **argv, int first, fu_err *err);

/* Reads an ini file as Python's ConfigParser reads FaceFusion's: [section]
 * headers; "key = value" or "key: value"; keys without case; lines
 * starting with # or ; are comments; an indented line continues the value
 * before it; an empty value means the default. List values are split on
 * whitespace, with "double" or 'single' quotes keeping a word with spaces
 * together. Options already set from arguments are kept (the command line
 * wins). Errors name file:line. */
facefuse_status fu_optset_load_ini(fu_optset *set, const char *path, fu_err *err);

/* Converts the values of group g's options into their fields of settings
 * (several groups may share one struct; fields no option names are left as
 * they are), then runs the group's check. */
facefuse_status fu_options_apply(const fu_optset *set, const fu_option_group *g, void *settings, fu_err *err);

/* Prints --help: options grouped by title, in table order. */
void fu_options_print_help(const fu_optset *set, FILE *out);

/* Helpers for modules. */
int fu_strs_has(fu_strs s, const char *word);
/* Index of word in a space-separated list, or -1. */
int fu_word_index(const char *words, const char *word);
/* The ini key of an option (its `key`, or derived from its name) into buf. */
const char *fu_option_key(const fu_option *o, char *buf, size_t size);
/* The option's choices, space-separated: `choices`, else what choices_fn
 * builds; NULL when it has none. */
const char *fu_option_choices(const fu_option *o);
/* Type name for UIs: "string" "int" "float" "bool" "list". */
const char *fu_option_type_name(const fu_option *o);

#endif
