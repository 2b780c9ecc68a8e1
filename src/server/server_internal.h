/*
 * server_internal.h — the server's state and the pieces its files share
 * (http.c: responses and request checks; api_*.c: the routes; events.c:
 * server-sent events; worker.c: the job workers). Not for use outside
 * src/server.
 */
#ifndef FU_SERVER_INTERNAL_H
#define FU_SERVER_INTERNAL_H

#include <limits.h>
#include <pthread.h>
#include <stddef.h>

#include <jansson.h>
#include <microhttpd.h>

#include "pipeline/jobs/job_store.h"
#include "server/server.h"
#include "server/workspace.h"

#define FU_JSON_BODY_MAX (1u << 20)

struct fu_server {
    fu_server_settings settings;
    char host[256];
    char jobs_path[PATH_MAX];
    char workflow[32];
    char layout[16];
    char lock_dir[PATH_MAX];
    fu_service service;
    fu_job_store *store;
    fu_workspace ws;
    struct MHD_Daemon *daemon;
    char token[80];             /* "" when none is required */
    int loopback;               /* bound to a loopback address */
    int wildcard;               /* bound to every interface */
    int port;
    char url[512];
    size_t max_upload_bytes;

    pthread_mutex_t service_lock; /* the service's non-job calls, one at a time */
    json_t *options;            /* the service's options, path options removed */

    pthread_t *workers;
    int worker_count;
    pthread_mutex_t work_lock;
    pthread_cond_t work_cond;
    char (*taken)[FU_JOB_ID_MAX]; /* the job each worker runs, "" when idle */
    volatile int stopping;

    struct fu_log_ring *log;    /* recent log lines (log_ring.h, api_log.c) */
    struct fu_ui_runner *runner; /* the job_runner component (api_runner.c) */
};

/* One request's state between libmicrohttpd's calls of the handler. */
typedef enum { BODY_NONE, BODY_JSON, BODY_UPLOAD } body_kind;

typedef struct fu_request {
    body_kind body;
    int rejected;               /* a response is queued already: drop the body */
    char *data;                 /* BODY_JSON */
    size_t size, cap;
    int too_large;
    int write_failed;           /* errno of a failed upload write, 0 if none */
    int set_cookie;             /* the token came in the page's query: give the cookie */
    int fd;                     /* BODY_UPLOAD: the temp file, -1 when none */
    char temp_path[PATH_MAX + 64];
    size_t written;
    unsigned char head[64];     /* the first bytes, for sniffing */
    size_t head_size;
} fu_request;

/* ---- http.c */
enum MHD_Result fu_http_json(struct MHD_Connection *c, unsigned status, json_t *body);
enum MHD_Result fu_http_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The HTTP status for a facefuse_status, and the error response for err. */
unsigned fu_http_status_of(facefuse_status st);
enum MHD_Result fu_http_fail(struct MHD_Connection *c, const fu_err *err);
/* Takes ownership of data (free()). */
enum MHD_Result fu_http_bytes(struct MHD_Connection *c, unsigned status, const char *mime, void *data, size_t size);
/* A static buffer (never freed). */
enum MHD_Result fu_http_static(struct MHD_Connection *c, const char *mime, const void *data, size_t size,
                               const char *set_cookie);
/* A file with Range support; download_name non-NULL adds Content-Disposition. */
enum MHD_Result fu_http_file(struct MHD_Connection *c, const char *path, const char *mime, const char *download_name);
void fu_http_security_headers(struct MHD_Response *r, int html);
/* Checks Host, Origin and the token. 0 when the request may go on; else the
 * status to answer and why. *set_cookie = 1 when the token came in the query
 * of a page load (the page then gets the cookie). */
int fu_http_check(fu_server *s, struct MHD_Connection *c, const char *method, unsigned *status, char *why,
                  size_t why_size, int *set_cookie);
/* A query argument, or NULL. */
const char *fu_http_arg(struct MHD_Connection *c, const char *name);

/* ---- api_*.c */
enum MHD_Result fu_api_route(fu_server *s, struct MHD_Connection *c, const char *method, const char *url,
                             fu_request *req, int set_cookie);
/* Which body a route takes (decides how the handler collects it). */
body_kind fu_api_body_kind(const char *method, const char *url);
enum MHD_Result fu_api_upload_done(fu_server *s, struct MHD_Connection *c, fu_request *req);
/* A job as the API shows it (also the server-sent events' data). */
json_t *fu_api_job_json(fu_server *s, const fu_job_info *j);

/* ---- events.c */
enum MHD_Result fu_events_respond(fu_server *s, struct MHD_Connection *c, const char *job_id);

/* ---- api_runner.c */
typedef struct fu_ui_runner fu_ui_runner;
facefuse_status fu_runner_new(fu_server *s, fu_err *err);
void fu_runner_free(fu_server *s);

/* ---- worker.c */
facefuse_status fu_workers_start(fu_server *s, fu_err *err);
void fu_workers_wake(fu_server *s);
void fu_workers_stop(fu_server *s);

#endif
