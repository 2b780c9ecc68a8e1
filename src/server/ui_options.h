/*
 * ui_options.h — the web UI's options (FaceFusion's "uis" group, ini
 * section [uis]), owned by the server: where it listens, its token, upload
 * limit, how many jobs run at once, the browser, layouts and workflow.
 * None is a processing setting (FU_OPTF_FRONT): never a page control, never
 * stored in a job step.
 */
#ifndef FU_UI_OPTIONS_H
#define FU_UI_OPTIONS_H

#include "core/option.h"

typedef struct fu_ui_settings {
    const char *host;           /* 127.0.0.1 */
    int port;                   /* 7860; 0 = any free port */
    const char *token;          /* NULL: none on loopback, generated otherwise */
    int max_upload_mb;          /* 2048 */
    int job_concurrency;        /* 1 */
    int open_browser;
    fu_strs layouts;            /* default jobs */
    const char *workflow;       /* instant_runner job_runner job_manager */
} fu_ui_settings;

extern const fu_option_group fu_ui_options;

#endif
