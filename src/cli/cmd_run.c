/*
 * cmd_run.c — `facefuse run` (see cmd_run.h): options, one context, the
 * pipeline's service, the server, the printed address, and waiting for
 * Ctrl-C.
 */
#include "cli/cmd_run.h"

#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_context.h"
#include "cli/cmd_jobs.h"
#include "cli/options.h"
#include "core/log.h"
#include "pipeline/live_workflow.h"
#include "pipeline/jobs/job_options.h"
#include "server/pipeline_service.h"
#include "server/server.h"
#include "server/ui_options.h"

extern char **environ;

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_INVALID = 2 };

static int fail(const fu_err *err, int code)
{
    fprintf(stderr, "facefuse: error: %s\n", err->msg[0] ? err->msg : facefuse_strerror(err->code));
    return code;
}

static void open_browser(const char *url)
{
    pid_t pid;
    char *argv[] = {"xdg-open", (char *)url, NULL};
    if (posix_spawnp(&pid, "xdg-open", NULL, NULL, argv, environ) != 0)
        fu_warn("cannot open a browser (xdg-open); open %s yourself", url);
}

int fu_cmd_run(int argc, char **argv)
{
    fu_server_settings settings = fu_server_default_settings();
    fu_ui_settings ui;
    fu_job_settings jobs;
    fu_live_settings live;
    fu_optset set;
    fu_run_config cfg;
    fu_err err;
    facefuse_context *ctx = NULL;
    fu_pipeline_service *service = NULL;
    fu_server *server = NULL;
    int code = EXIT_INVALID;

    memset(&set, 0, sizeof set);
    memset(&cfg, 0, sizeof cfg);
    memset(&live, 0, sizeof live);
    fu_err_clear(&err);
    if (fu_cli_options_load(&set, argc, argv, 2, &err) != FACEFUSE_OK ||
        fu_options_apply(&set, &fu_ui_options, &ui, &err) != FACEFUSE_OK ||
        fu_options_apply(&set, &fu_live_options, &live, &err) != FACEFUSE_OK ||
        fu_options_apply(&set, &fu_jobs_path_options, &jobs, &err) != FACEFUSE_OK ||
        fu_run_config_init(&cfg, &set, &err) != FACEFUSE_OK) {
        code = fail(&err, EXIT_INVALID);
        goto done;
    }
    if (set.positional_count > 0) {
        fprintf(stderr, "facefuse: error: unexpected argument '%s' for run\n", set.positional[0]);
        goto done;
    }
    if (fu_cli_context_new(&cfg, 1, &ctx, &err) != FACEFUSE_OK) {
        code = fail(&err, EXIT_INVALID);
        goto done;
    }
    if (fu_pipeline_service_new(ctx, &set, &service, &err) != FACEFUSE_OK) {
        code = fail(&err, EXIT_FAILED);
        goto done;
    }
    settings.host = ui.host;
    settings.port = ui.port;
    settings.token = ui.token;
    settings.max_upload_mb = ui.max_upload_mb;
    settings.job_concurrency = ui.job_concurrency;
    settings.jobs_path = jobs.jobs_path;
    settings.workflow = ui.workflow;
    settings.layout = ui.layouts.n > 0 ? ui.layouts.v[0] : "default";
    settings.layouts = ui.layouts.v;
    settings.layout_count = ui.layouts.n;
    /* the webcam tab offers --camera beside the probed devices; a file
     * camera plays as the command line says */
    settings.camera = fu_optset_is_set(&set, "--camera") ? live.camera : NULL;
    settings.camera_realtime = live.camera_realtime;
    settings.camera_loop = live.camera_loop;
    settings.webcam_resolution = live.resolution;
    settings.webcam_fps = live.fps;
    volatile int *stop = fu_cli_install_stop();
    signal(SIGPIPE, SIG_IGN); /* a live stream's reader that went away is an error, not a signal */
    fu_service table = fu_pipeline_service_table(service);
    if (fu_server_start(&settings, &table, &server, &err) != FACEFUSE_OK) {
        code = fail(&err, err.code == FACEFUSE_ERR_INVALID_ARGUMENT ? EXIT_INVALID : EXIT_FAILED);
        goto done;
    }
    /* The first layout is the page's opening tab (--ui-layouts jobs: the job list, webcam, benchmark). */
    char url[600];
    snprintf(url, sizeof url, "%s%s%s", fu_server_url(server), strcmp(settings.layout, "default") != 0 ? "#" : "",
             strcmp(settings.layout, "default") != 0 ? settings.layout : "");
    fprintf(stderr, "facefuse: the UI is at %s  (jobs in %s, workflow %s; Ctrl-C stops)\n", url, settings.jobs_path,
            settings.workflow);
    if (ui.open_browser)
        open_browser(url);
    while (!*stop) {
        struct timespec ts = {0, 200000000L};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "facefuse: stopping the UI\n");
    code = EXIT_OK;
done:
    fu_server_stop(server);
    fu_pipeline_service_free(service);
    facefuse_context_free(ctx);
    fu_run_config_free(&cfg);
    fu_optset_free(&set);
    return code;
}
