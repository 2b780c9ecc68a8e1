/*
 * server.c — starting and stopping the server, and libmicrohttpd's request
 * handler: checks first, then the body (a JSON document held in memory up to
 * 1 MiB, or an upload streamed to a temp file up to --ui-max-upload-mb), then
 * the route (api_*.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "pipeline/jobs/job_runner.h"
#include "server/log_ring.h"
#include "server/server_internal.h"

fu_server_settings fu_server_default_settings(void)
{
    fu_server_settings s;
    memset(&s, 0, sizeof s);
    s.host = "127.0.0.1";
    s.port = 7860;
    s.max_upload_mb = 2048;
    s.job_concurrency = 1;
    s.jobs_path = ".jobs";
    s.workflow = "instant_runner";
    s.layout = "default";
    s.timeout_s = 30;
    s.max_connections = 64;
    return s;
}

const char *fu_server_url(const fu_server *s)
{
    return s->url;
}

int fu_server_port(const fu_server *s)
{
    return s->port;
}

const char *fu_server_token(const fu_server *s)
{
    return s->token;
}

/* ------------------------------------------------------------ requests */

/* An upload's temp file, when it was not kept (renamed into the workspace). */
static void drop_upload(fu_request *req)
{
    if (req->fd >= 0)
        close(req->fd);
    req->fd = -1;
    if (req->temp_path[0])
        unlink(req->temp_path);
    req->temp_path[0] = '\0';
}

static void request_free(fu_request *req)
{
    if (!req)
        return;
    drop_upload(req);
    free(req->data);
    free(req);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)c;
    (void)code;
    request_free(*con_cls);
    *con_cls = NULL;
}

static long long content_length(struct MHD_Connection *c)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    return v ? strtoll(v, NULL, 10) : -1;
}

/* The first call for a request: checks, then how its body is taken. */
static enum MHD_Result begin_request(fu_server *s, struct MHD_Connection *c, const char *method, const char *url,
                                     fu_request *req)
{
    unsigned status;
    char why[512];
    int cookie;
    if (fu_http_check(s, c, method, &status, why, sizeof why, &cookie) != 0) {
        req->rejected = 1;
        return fu_http_error(c, status, "%s", why);
    }
    req->body = fu_api_body_kind(method, url);
    long long length = content_length(c);
    if (req->body == BODY_UPLOAD) {
        if (length > (long long)s->max_upload_bytes) {
            req->rejected = 1;
            return fu_http_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "the file is %lld MB; uploads are limited to %d MB "
                                 "(--ui-max-upload-mb)", length >> 20, s->settings.max_upload_mb);
        }
        snprintf(req->temp_path, sizeof req->temp_path, "%s/files/.upload-XXXXXX", s->ws.root);
        req->fd = mkostemp(req->temp_path, O_CLOEXEC);
        if (req->fd < 0) {
            req->temp_path[0] = '\0';
            req->rejected = 1;
            return fu_http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot store the upload: %s", strerror(errno));
        }
    } else if (req->body == BODY_JSON && length > (long long)FU_JSON_BODY_MAX) {
        req->rejected = 1;
        return fu_http_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "the request body is over %u bytes", FU_JSON_BODY_MAX);
    }
    req->set_cookie = cookie;
    return MHD_YES;
}

static void take_body(fu_server *s, fu_request *req, const char *data, size_t size)
{
    if (req->too_large)
        return;
    if (req->body == BODY_UPLOAD) {
        if (req->head_size < sizeof req->head) {
            size_t n = sizeof req->head - req->head_size < size ? sizeof req->head - req->head_size : size;
            memcpy(req->head + req->head_size, data, n);
            req->head_size += n;
        }
        req->written += size;
        if (req->written > s->max_upload_bytes) {
            req->too_large = 1;
            return;
        }
        for (size_t off = 0; off < size;) {
            ssize_t n = write(req->fd, data + off, size - off);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                req->write_failed = errno ? errno : EIO;
                req->too_large = 1;
                return;
            }
            off += (size_t)n;
        }
    } else if (req->body == BODY_JSON) {
        if (req->size + size > FU_JSON_BODY_MAX) {
            req->too_large = 1;
            return;
        }
        if (req->size + size + 1 > req->cap) {
            size_t cap = req->cap ? req->cap : 4096;
            while (cap < req->size + size + 1)
                cap *= 2;
            char *bigger = realloc(req->data, cap);
            if (!bigger) {
                req->too_large = 1;
                return;
            }
            req->data = bigger;
            req->cap = cap;
        }
        memcpy(req->data + req->size, data, size);
        req->size += size;
        req->data[req->size] = '\0';
    }
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    fu_server *s = cls;
    fu_request *req = *con_cls;
    (void)version;

    if (!req) {
        req = calloc(1, sizeof *req);
        if (!req)
            return MHD_NO;
        req->fd = -1;
        *con_cls = req;
        return begin_request(s, c, method, url, req);
    }
    if (req->rejected) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        take_body(s, req, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    req->rejected = 1; /* answered now: any later call only drops data */
    if (req->body == BODY_UPLOAD) {
        enum MHD_Result r;
        if (req->write_failed)
            r = fu_http_error(c, MHD_HTTP_INSUFFICIENT_STORAGE, "cannot store the upload: %s",
                              strerror(req->write_failed));
        else if (req->too_large)
            r = fu_http_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "uploads are limited to %d MB (--ui-max-upload-mb)",
                              s->settings.max_upload_mb);
        else
            r = fu_api_upload_done(s, c, req);
        /* A refused upload's temp file goes now, before the answer is sent
         * (this thread sends it after returning), not when the connection
         * completes: a client that looks right after the answer finds
         * nothing left. */
        drop_upload(req);
        return r;
    }
    if (req->too_large)
        return fu_http_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "the request body is over %u bytes", FU_JSON_BODY_MAX);
    return fu_api_route(s, c, method, url, req, req->set_cookie);
}

/* ------------------------------------------------------------ start / stop */

static facefuse_status resolve(fu_server *s, struct sockaddr_storage *addr, fu_err *err)
{
    struct addrinfo hints, *res = NULL, *pick = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int rc = getaddrinfo(s->host, NULL, &hints, &res);
    if (rc != 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "--ui-host %s: %s", s->host, gai_strerror(rc));
    for (struct addrinfo *a = res; a; a = a->ai_next)
        if (!pick || (a->ai_family == AF_INET && pick->ai_family != AF_INET))
            pick = a;
    memset(addr, 0, sizeof *addr);
    memcpy(addr, pick->ai_addr, pick->ai_addrlen);
    freeaddrinfo(res);
    if (addr->ss_family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)addr;
        in->sin_port = htons((uint16_t)s->settings.port);
        uint32_t ip = ntohl(in->sin_addr.s_addr);
        s->loopback = (ip >> 24) == 127;
        s->wildcard = ip == 0;
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;
        in6->sin6_port = htons((uint16_t)s->settings.port);
        s->loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
        s->wildcard = IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);
    }
    return FACEFUSE_OK;
}

static facefuse_status choose_token(fu_server *s, const char *t, fu_err *err)
{
    if (t && *t) {
        if (strlen(t) < 8 || strlen(t) >= sizeof s->token)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "--ui-token must have 8 to %zu characters",
                           sizeof s->token - 1);
        for (const char *p = t; *p; p++)
            if (!(*p >= '0' && *p <= '9') && !(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
                !strchr("-._~", *p))
                return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                               "--ui-token may hold letters, digits and - . _ ~ only");
        snprintf(s->token, sizeof s->token, "%s", t);
        return FACEFUSE_OK;
    }
    if (s->loopback) {
        s->token[0] = '\0';
        return FACEFUSE_OK;
    }
    return fu_random_hex(s->token, 16, err);
}

static int is_path_option(const char *name)
{
    static const char *const paths[] = {"--source-paths", "--target-path",    "--output-path", "--source-pattern",
                                        "--target-pattern", "--output-pattern", "--temp-path",   "--jobs-path",
                                        "--model-dir",    "--config-path"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (strcmp(name, paths[i]) == 0)
            return 1;
    return 0;
}

static facefuse_status load_options(fu_server *s, fu_err *err)
{
    char *text = NULL;
    json_error_t je;
    facefuse_status st = s->service.options(s->service.user, &text, err);
    if (st != FACEFUSE_OK)
        return st;
    json_t *all = json_loads(text ? text : "", 0, &je);
    free(text);
    if (!json_is_array(all)) {
        json_decref(all);
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "the service's option list is not a JSON array");
    }
    s->options = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(all, i, o) {
        const char *name = json_string_value(json_object_get(o, "name"));
        if (name && strncmp(name, "--", 2) == 0 && !is_path_option(name))
            json_array_append(s->options, o);
    }
    json_decref(all);
    return FACEFUSE_OK;
}

facefuse_status fu_server_start(const fu_server_settings *settings, const fu_service *service, fu_server **out,
                                fu_err *err)
{
    struct sockaddr_storage addr;
    facefuse_status st;
    fu_server *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory starting the server");
    s->settings = *settings;
    s->service = *service;
    snprintf(s->host, sizeof s->host, "%s", settings->host && *settings->host ? settings->host : "127.0.0.1");
    snprintf(s->jobs_path, sizeof s->jobs_path, "%s", settings->jobs_path ? settings->jobs_path : ".jobs");
    if (settings->lock_dir)
        snprintf(s->lock_dir, sizeof s->lock_dir, "%s", settings->lock_dir);
    snprintf(s->workflow, sizeof s->workflow, "%s", settings->workflow ? settings->workflow : "instant_runner");
    snprintf(s->layout, sizeof s->layout, "%s", settings->layout ? settings->layout : "default");
    s->settings.host = s->host;
    s->settings.jobs_path = s->jobs_path;
    s->settings.workflow = s->workflow;
    s->settings.layout = s->layout;
    s->settings.lock_dir = settings->lock_dir ? s->lock_dir : NULL;
    for (int i = 0; i < settings->layout_count && s->layout_count < 4; i++)
        if (settings->layouts[i])
            snprintf(s->layouts[s->layout_count++], sizeof s->layouts[0], "%s", settings->layouts[i]);
    if (s->layout_count == 0) {
        snprintf(s->layouts[0], sizeof s->layouts[0], "default");
        snprintf(s->layouts[1], sizeof s->layouts[1], "jobs");
        s->layout_count = 2;
    }
    snprintf(s->camera, sizeof s->camera, "%s", settings->camera ? settings->camera : "");
    snprintf(s->webcam_resolution, sizeof s->webcam_resolution, "%s",
             settings->webcam_resolution ? settings->webcam_resolution : "");
    snprintf(s->v4l2_dir, sizeof s->v4l2_dir, "%s", settings->video4linux_dir ? settings->video4linux_dir : "");
    s->settings.camera = s->camera[0] ? s->camera : NULL;
    s->settings.webcam_resolution = s->webcam_resolution[0] ? s->webcam_resolution : NULL;
    s->settings.video4linux_dir = s->v4l2_dir[0] ? s->v4l2_dir : NULL;
    s->settings.layouts = NULL;
    s->settings.token = NULL;
    if (s->settings.max_upload_mb <= 0)
        s->settings.max_upload_mb = 2048;
    if (s->settings.job_concurrency <= 0)
        s->settings.job_concurrency = 1;
    if (s->settings.timeout_s <= 0)
        s->settings.timeout_s = 30;
    if (s->settings.max_connections <= 0)
        s->settings.max_connections = 64;
    s->max_upload_bytes = (size_t)s->settings.max_upload_mb << 20;
    pthread_mutex_init(&s->service_lock, NULL);
    pthread_mutex_init(&s->work_lock, NULL);
    pthread_cond_init(&s->work_cond, NULL);

    if (settings->port < 0 || settings->port > 65535)
        st = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "--ui-port %d is not a port (0..65535)", settings->port);
    else if (!service->options || !service->validate || !service->probe || !service->frame || !service->preview ||
             !service->faces || !service->run_step)
        st = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "the processing service is incomplete");
    else
        st = resolve(s, &addr, err);
    if (st == FACEFUSE_OK)
        st = choose_token(s, settings->token, err);
    if (st == FACEFUSE_OK && !(s->log = fu_log_ring_new()))
        st = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory starting the server");
    if (st == FACEFUSE_OK) {
        fu_log_set_tap(fu_log_ring_tap, s->log);
        st = fu_runner_new(s, err);
    }
    if (st == FACEFUSE_OK)
        st = fu_job_store_open(s->jobs_path, &s->store, err);
    if (st == FACEFUSE_OK)
        st = fu_job_recover(s->store, NULL, err);
    if (st == FACEFUSE_OK)
        st = fu_workspace_open(&s->ws, s->jobs_path, err);
    if (st == FACEFUSE_OK) {
        fu_workspace_clean(&s->ws, 24 * 3600);
        st = load_options(s, err);
    }
    if (st == FACEFUSE_OK && service->live)
        st = fu_live_new(s, err);
    if (st == FACEFUSE_OK && service->benchmark)
        st = fu_bench_new(s, err);
    if (st == FACEFUSE_OK) {
        unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
        if (addr.ss_family == AF_INET6)
            flags |= MHD_USE_IPv6;
        s->daemon = MHD_start_daemon(flags, (uint16_t)settings->port, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR,
                                     (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_TIMEOUT,
                                     (unsigned)s->settings.timeout_s, MHD_OPTION_CONNECTION_LIMIT,
                                     (unsigned)s->settings.max_connections, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
                                     s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_END);
        if (!s->daemon)
            st = fu_fail(err, FACEFUSE_ERR_IO, "cannot listen on %s:%d (is the port in use?)", s->host,
                         settings->port);
    }
    if (st == FACEFUSE_OK) {
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
        s->port = info ? info->port : settings->port;
        char shown[300];
        if (s->wildcard) {
            if (gethostname(shown, sizeof shown) != 0)
                snprintf(shown, sizeof shown, "127.0.0.1");
        } else {
            snprintf(shown, sizeof shown, strchr(s->host, ':') ? "[%s]" : "%s", s->host);
        }
        snprintf(s->url, sizeof s->url, "http://%s:%d/%s%s", shown, s->port, s->token[0] ? "?token=" : "", s->token);
        st = fu_workers_start(s, err);
    }
    if (st != FACEFUSE_OK) {
        fu_server_stop(s);
        return st;
    }
    *out = s;
    return FACEFUSE_OK;
}

void fu_server_stop(fu_server *s)
{
    if (!s)
        return;
    s->stopping = 1;
    fu_workers_wake(s);
    fu_live_shutdown(s); /* the camera is released and the streams end */
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    fu_live_free(s);
    fu_bench_free(s);
    fu_workers_stop(s);
    fu_runner_free(s);
    if (s->log) {
        fu_log_clear_tap(s->log);
        fu_log_ring_free(s->log);
    }
    fu_job_store_close(s->store);
    json_decref(s->options);
    pthread_cond_destroy(&s->work_cond);
    pthread_mutex_destroy(&s->work_lock);
    pthread_mutex_destroy(&s->service_lock);
    free(s);
}
