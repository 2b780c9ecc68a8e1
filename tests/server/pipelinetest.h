/*
 * pipelinetest.h — the web server on the real pipeline (pipeline_service.h)
 * for tests: a context on the test suite's stand-in models, the `run`
 * defaults from option words, the service and the server.
 */
#ifndef FU_PIPELINETEST_H
#define FU_PIPELINETEST_H

#include "apitest.h"
#include "pipeline/config.h"
#include "server/pipeline_service.h"

typedef struct pt_server {
    facefuse_context *ctx;
    fu_optset defaults;
    fu_pipeline_service *service;
    fu_server *server;
} pt_server;

/* The pipeline's service over `run` option words (split at spaces), e.g.
 * "--processors face_debugger --face-detector-model scrfd". Exits on failure. */
static inline void pt_service_new(pt_server *p, const char *args)
{
    char buf[2048], *argv[64], *save = NULL;
    int argc = 0, n;
    fu_err err;
    const fu_option_group *const *groups = fu_run_option_groups(&n);
    memset(p, 0, sizeof *p);
    snprintf(buf, sizeof buf, "%s", args);
    for (char *w = strtok_r(buf, " ", &save); w && argc < 63; w = strtok_r(NULL, " ", &save))
        argv[argc++] = w;
    if (fu_optset_init(&p->defaults, groups, n, &err) != FACEFUSE_OK ||
        fu_optset_parse_args(&p->defaults, argc, argv, 0, &err) != FACEFUSE_OK) {
        fprintf(stderr, "options: %s\n", err.msg);
        exit(2);
    }
    p->ctx = tl_context_at(tl_test_models(""), FACEFUSE_LOG_WARN);
    if (fu_pipeline_service_new(p->ctx, &p->defaults, &p->service, &err) != FACEFUSE_OK) {
        fprintf(stderr, "service: %s\n", err.msg);
        exit(2);
    }
}

/* The same, serving on a free port with jobs under <tmp>/<name>. */
static inline void pt_start(pt_server *p, const char *name, const char *args)
{
    pt_service_new(p, args);
    fu_service table = fu_pipeline_service_table(p->service);
    p->server = api_start_service(&table, name, NULL, 30, 64, 64);
}

/* The same with the webcam layout as a tab (--ui-layouts default jobs
 * webcam) and camera (a file, looped, in real time) as the --camera of run. */
static inline void pt_start_webcam(pt_server *p, const char *name, const char *args, const char *camera)
{
    static const char *const layouts[] = {"default", "jobs", "webcam"};
    fu_server_settings st = fu_server_default_settings();
    fu_err err;
    char locks[1024];
    pt_service_new(p, args);
    fu_service table = fu_pipeline_service_table(p->service);
    snprintf(locks, sizeof locks, "%s", tl_tmp("locks"));
    mkdir(locks, 0755);
    st.port = 0;
    st.jobs_path = tl_tmp(name);
    st.lock_dir = locks;
    st.layouts = layouts;
    st.layout_count = 3;
    st.camera = camera;
    st.camera_loop = 1;
    st.camera_realtime = 1;
    st.webcam_fps = 30;
    if (fu_server_start(&st, &table, &p->server, &err) != FACEFUSE_OK) {
        fprintf(stderr, "server: %s\n", err.msg);
        exit(2);
    }
}

static inline void pt_stop(pt_server *p)
{
    fu_server_stop(p->server);
    fu_pipeline_service_free(p->service);
    facefuse_context_free(p->ctx);
    fu_optset_free(&p->defaults);
    memset(p, 0, sizeof *p);
}

#endif
