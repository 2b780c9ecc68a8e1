/*
 * server.h — the local web UI and HTTP API (`facefuse run`), on libmicrohttpd.
 *
 * One thread per connection (at most max_connections; an idle or slow
 * connection is closed after timeout_s), the page and its scripts compiled
 * into the program (web_assets.h), JSON through jansson, jobs through the
 * shared SQLite job store (so `facefuse job-list` sees the UI's jobs and the
 * UI sees the command line's), processing through a fu_service.
 *
 * Security: the default host is loopback. Any other host requires a token
 * (given, or generated and printed once as a URL); a token, when set, is
 * checked on every request (Authorization: Bearer, the cookie the page gets,
 * or ?token=). The Host header must name this server (no DNS rebinding) and
 * a request carrying a foreign Origin is refused (no cross-site requests).
 * Uploads are limited in size and identified by content; client names never
 * become paths (workspace.h); there are no directory listings; outputs are
 * served only from the workspace. The API is described in docs/openapi.yaml.
 */
#ifndef FU_SERVER_H
#define FU_SERVER_H

#include "core/error.h"
#include "server/service.h"

typedef struct fu_server_settings {
    const char *host;           /* "127.0.0.1" (--ui-host); "0.0.0.0" for every interface */
    int port;                   /* 7860 (--ui-port); 0 picks a free one */
    const char *token;          /* --ui-token; NULL: none on loopback, generated otherwise */
    int max_upload_mb;          /* --ui-max-upload-mb (2048) */
    int job_concurrency;        /* --ui-job-concurrency (1): jobs running at once on this machine */
    const char *jobs_path;      /* --jobs-path (.jobs): the job store and the workspace */
    const char *workflow;       /* --ui-workflow: instant_runner, job_runner or job_manager (GET /api/ui) */
    const char *layout;         /* the page's opening layout: default or jobs */
    const char *lock_dir;       /* NULL: the machine's (job_lock.h) */
    int timeout_s;              /* idle connections are closed after this (30) */
    int max_connections;        /* 64 */
    /* --ui-layouts: the page's tabs (NULL/0: default and jobs) */
    const char *const *layouts;
    int layout_count;
    /* the webcam layout (live_workflow.h's options of `run`) */
    const char *camera;         /* --camera: offered beside the probed /dev/video0..9 (NULL: none) */
    int camera_realtime;        /* --camera-realtime, --camera-loop: how a file camera plays */
    int camera_loop;
    const char *webcam_resolution; /* --webcam-resolution default (NULL: the camera's own) */
    int webcam_fps;             /* --webcam-fps default (30) */
    const char *video4linux_dir; /* where v4l2loopback devices show (NULL: /sys/devices/virtual/video4linux) */
} fu_server_settings;

typedef struct fu_server fu_server;

fu_server_settings fu_server_default_settings(void);

/* Opens the job store and the workspace, recovers interrupted jobs, asks the
 * service for its options, starts listening and the job workers. The service
 * table is copied; its user pointer must outlive the server. */
facefuse_status fu_server_start(const fu_server_settings *settings, const fu_service *service, fu_server **out,
                                fu_err *err);
/* Stops listening, ends open connections and the workers (a running job is
 * stopped and fails; retry runs it again) and frees the server. */
void fu_server_stop(fu_server *server);

/* "http://127.0.0.1:7860/" (with ?token=... when a token is required). */
const char *fu_server_url(const fu_server *server);
int fu_server_port(const fu_server *server);
/* The token in force, or "" when none is required. */
const char *fu_server_token(const fu_server *server);

#endif
