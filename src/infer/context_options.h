/*
 * context_options.h — the options that configure a facefuse_context, owned
 * here: the model cache (--model-dir), FaceFusion's "execution", "download",
 * "memory" and log-level options.
 */
#ifndef FU_CONTEXT_OPTIONS_H
#define FU_CONTEXT_OPTIONS_H

#include "core/option.h"

typedef struct fu_context_settings {
    const char *model_dir;           /* NULL = the default cache */
    fu_ints device_ids;
    fu_strs providers;
    int thread_count;                /* workers; 0 = number of cores */
    fu_strs download_providers;
    const char *download_scope;      /* lite full */
    const char *memory_strategy;     /* strict moderate tolerant */
    const char *log_level;
    /* derived by the checks */
    char download_providers_joined[128];
} fu_context_settings;

extern const fu_option_group fu_model_dir_options;   /* "paths" */
extern const fu_option_group fu_execution_options;   /* "execution" */
extern const fu_option_group fu_download_options;    /* "download" */
extern const fu_option_group fu_memory_options;      /* "memory" */
extern const fu_option_group fu_log_options;         /* "misc" */

/* Context parameters from the settings (strings point into them).
 * intra_op_threads: ONNX Runtime threads a session (0 = its default). */
facefuse_context_params fu_context_params_of(const fu_context_settings *s, int intra_op_threads);

/* The log level named by --log-level. */
facefuse_log_level fu_log_level_of(const char *name);

#endif
