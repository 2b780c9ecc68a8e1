/*
 * ui_options.c — the web UI's option table (see ui_options.h).
 *
 * FaceFusion's layouts are default, jobs, benchmark and webcam; the page
 * has the first two (the default layout with its run panel, and the job
 * list). benchmark and webcam are refused by name: the first is
 * `facefuse benchmark`, the second comes with live mode.
 */
#include "server/ui_options.h"

#include <stddef.h>

#define U(field) offsetof(fu_ui_settings, field)

static const fu_option ui_options[] = {
    {.name = "--ui-host", .section = "uis", .type = FU_OPT_STRING, .def = "127.0.0.1", .flags = FU_OPTF_FRONT,
     .offset = U(host), .help = "address the web UI listens on; any other than loopback requires a token"},
    {.name = "--ui-port", .section = "uis", .type = FU_OPT_INT, .def = "7860", .min = 0, .max = 65535, .step = 1,
     .flags = FU_OPTF_FRONT, .offset = U(port), .help = "port of the web UI (0 = any free port)"},
    {.name = "--ui-token", .section = "uis", .type = FU_OPT_STRING, .flags = FU_OPTF_FRONT, .offset = U(token),
     .help = "token the web UI requires (generated and printed when --ui-host is not loopback)"},
    {.name = "--ui-max-upload-mb", .section = "uis", .type = FU_OPT_INT, .def = "2048", .min = 1, .max = 1048576,
     .step = 1, .flags = FU_OPTF_FRONT, .offset = U(max_upload_mb), .help = "largest upload the web UI accepts, MB"},
    {.name = "--ui-job-concurrency", .section = "uis", .type = FU_OPT_INT, .def = "1", .min = 1, .max = 64,
     .step = 1, .flags = FU_OPTF_FRONT, .offset = U(job_concurrency),
     .help = "jobs running at once on this machine, across facefuse programs"},
    {.name = "--open-browser", .section = "uis", .type = FU_OPT_BOOL, .flags = FU_OPTF_FRONT,
     .offset = U(open_browser), .help = "open the browser once the program is ready"},
    {.name = "--ui-layouts", .section = "uis", .type = FU_OPT_STRINGS, .def = "default",
     .choices = "default jobs benchmark webcam", .count_max = 4, .flags = FU_OPTF_FRONT, .offset = U(layouts),
     .unsupported = "benchmark webcam",
     .reject = "facefuse's page has the default and jobs layouts; benchmark is `facefuse benchmark`, webcam comes "
               "with live mode",
     .help = "launch a single or multiple UI layouts (default jobs): the first is the page's opening tab"},
    {.name = "--ui-workflow", .section = "uis", .type = FU_OPT_STRING, .def = "instant_runner",
     .choices = "instant_runner job_runner job_manager", .flags = FU_OPTF_FRONT, .offset = U(workflow),
     .help = "choose the ui workflow: instant_runner (Start runs the job now), job_runner (Start queues it; the "
             "Jobs tab runs queued jobs), job_manager (Start adds a step to a drafted job)"},
    {0}};

const fu_option_group fu_ui_options = {"uis", "uis", ui_options, sizeof(fu_ui_settings), NULL};
