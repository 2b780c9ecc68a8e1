/*
 * ui_options.c — the web UI's option table (see ui_options.h).
 *
 * FaceFusion's layouts are default, jobs, benchmark and webcam; each
 * chosen is a tab of the page (the run panel and the job list are always
 * there; benchmark and webcam join when asked for), the first the one it
 * opens on. The webcam tab runs live mode on this machine's cameras
 * (api_live.c), the benchmark tab `facefuse benchmark` (api_benchmark.c).
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
     .help = "launch a single or multiple UI layouts (default jobs benchmark webcam), each a tab of the page, the "
             "first the one it opens on; webcam processes a camera of this machine (--camera and /dev/video0..9) "
             "live in the page, benchmark times your settings"},
    {.name = "--ui-workflow", .section = "uis", .type = FU_OPT_STRING, .def = "instant_runner",
     .choices = "instant_runner job_runner job_manager", .flags = FU_OPTF_FRONT, .offset = U(workflow),
     .help = "choose the ui workflow: instant_runner (Start runs the job now), job_runner (Start queues it; the "
             "Jobs tab runs queued jobs), job_manager (Start adds a step to a drafted job)"},
    {0}};

const fu_option_group fu_ui_options = {"uis", "uis", ui_options, sizeof(fu_ui_settings), NULL};
