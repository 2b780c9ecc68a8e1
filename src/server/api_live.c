/*
 * api_live.c — the webcam layout: GET /api/live (the session's state, its
 * figures and the choices the page offers), POST /api/live/start,
 * POST /api/live/stop and GET /api/live/stream (the processed camera as
 * MJPEG: multipart/x-mixed-replace, one JPEG a part).
 *
 * One session at a time, on a thread of its own, through the service's
 * live (fu_run_live on the pipeline). Its frames come back through the live
 * run's sink, are encoded to JPEG once and kept: only the newest, so a
 * slow browser skips frames and never builds a queue. The figures are the
 * live run's of the last second (fps, dropped) and, measured here, the
 * latency from the capture to the JPEG ready for the stream.
 *
 * The camera is never a client's path: it must be one of the devices
 * probed here (/dev/video0..9 that are not v4l2loopback outputs) or the
 * --camera `run` was given. FaceFusion's webcam modes: inline (the page
 * only), udp (also to udp://127.0.0.1:27000) and v4l2 (also to the first
 * v4l2loopback device). As FaceFusion's webcam, the face selector works in
 * `one` mode unless the page says otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/clock.h"
#include "media/image_io.h"
#include "pipeline/jobs/job_args.h"
#include "server/api.h"

#define LIVE_JPEG_QUALITY 80
#define LIVE_START_WAIT_S 30      /* POST /api/live/start waits this long for the first frame */
#define LATENCY_RING 128          /* the last frames' capture → JPEG latencies */
#define MAX_CAMERAS 11
#define UDP_OUTPUT "udp://127.0.0.1:27000"
#define BOUNDARY "facefuseframe"

/* FaceFusion's webcam resolutions (any even WxH is taken). */
static const char *const resolutions[] = {"320x240",  "640x480",  "800x600",   "1024x768",
                                          "1280x720", "1280x960", "1920x1080", NULL};

typedef enum { LIVE_IDLE, LIVE_STARTING, LIVE_RUNNING, LIVE_FAILED } live_state;

struct fu_live {
    fu_server *s;
    pthread_mutex_t control;    /* start and stop, one at a time */
    pthread_mutex_t lock;       /* everything below */
    pthread_cond_t cond;
    pthread_t thread;
    int joinable;
    live_state state;
    int ended;                  /* the session's thread has returned */
    facefuse_status failure;
    char error[FU_ERRMSG_MAX];
    volatile int cancel;
    unsigned session;           /* counts starts: a stream follows one session */
    /* the session's settings (strings point into set) and step */
    fu_optset set;
    int set_live;
    fu_live_settings settings;
    char *args_json;
    char camera[PATH_MAX], mode[8], output[PATH_MAX];
    /* the newest frame */
    unsigned char *jpeg;
    size_t jpeg_size;
    unsigned long long seq;
    /* figures */
    fu_live_summary window;     /* the live run's last second */
    int have_window;
    double latency_ms[LATENCY_RING];
    int latency_count, latency_next;
    long long frames;           /* JPEGs made this session */
    int64_t started_ns;
};

/* ------------------------------------------------------------ devices */

static const char *v4l2_sys_dir(const fu_server *s)
{
    return s->settings.video4linux_dir ? s->settings.video4linux_dir : "/sys/devices/virtual/video4linux";
}

/* A v4l2loopback device (an output, not a camera). */
static int is_loopback(const fu_server *s, int n)
{
    char path[PATH_MAX];
    struct stat st;
    snprintf(path, sizeof path, "%s/video%d", v4l2_sys_dir(s), n);
    return stat(path, &st) == 0;
}

/* The cameras offered: /dev/video0..9 that exist and are not loopback
 * outputs, then the --camera of `run` when it is not one of them. */
static int cameras(const fu_server *s, char list[MAX_CAMERAS][PATH_MAX])
{
    int n = 0;
    struct stat st;
    for (int i = 0; i < 10; i++) {
        char path[32];
        snprintf(path, sizeof path, "/dev/video%d", i);
        if (stat(path, &st) == 0 && S_ISCHR(st.st_mode) && !is_loopback(s, i))
            snprintf(list[n++], PATH_MAX, "%s", path);
    }
    const char *given = s->settings.camera;
    int listed = 0;
    for (int i = 0; given && i < n; i++)
        listed |= strcmp(list[i], given) == 0;
    if (given && *given && !listed)
        snprintf(list[n++], PATH_MAX, "%s", given);
    return n;
}

/* The first v4l2loopback device, "v4l2:/dev/videoN", or -1. */
static int loopback_output(const fu_server *s, char *out, size_t size)
{
    int best = -1;
    DIR *d = opendir(v4l2_sys_dir(s));
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char *end;
        if (strncmp(e->d_name, "video", 5) != 0)
            continue;
        long n = strtol(e->d_name + 5, &end, 10);
        if (end != e->d_name + 5 && !*end && n >= 0 && n < 1000 && (best < 0 || n < best))
            best = (int)n;
    }
    if (d)
        closedir(d);
    if (best < 0)
        return -1;
    snprintf(out, size, "v4l2:/dev/video%d", best);
    return 0;
}

/* ------------------------------------------------------------ the session */

static const char *state_name(live_state st)
{
    static const char *const names[] = {"idle", "starting", "running", "failed"};
    return names[st];
}

static double ring_quantile(const fu_live *l, double q)
{
    double v[LATENCY_RING];
    int n = l->latency_count;
    if (n == 0)
        return 0;
    memcpy(v, l->latency_ms, (size_t)n * sizeof v[0]);
    for (int i = 1; i < n; i++) /* insertion sort: at most 128 */
        for (int k = i; k > 0 && v[k - 1] > v[k]; k--) {
            double t = v[k];
            v[k] = v[k - 1];
            v[k - 1] = t;
        }
    int at = (int)(q * (n - 1) + 0.5);
    return v[at];
}

/* The live run's sink: each processed frame, on its output thread. */
static void on_frame(void *user, const facefuse_image *frame, double time_s, int64_t arrived_ns)
{
    fu_live *l = user;
    uint8_t *data = NULL;
    size_t size = 0;
    fu_err err;
    (void)time_s;
    if (fu_image_encode("jpg", frame, LIVE_JPEG_QUALITY, &data, &size, &err) != FACEFUSE_OK)
        return; /* a frame the stream goes without */
    double ms = (fu_now_ns() - arrived_ns) / 1e6;
    pthread_mutex_lock(&l->lock);
    free(l->jpeg);
    l->jpeg = data;
    l->jpeg_size = size;
    l->seq++;
    l->frames++;
    l->latency_ms[l->latency_next] = ms;
    l->latency_next = (l->latency_next + 1) % LATENCY_RING;
    if (l->latency_count < LATENCY_RING)
        l->latency_count++;
    if (l->state == LIVE_STARTING)
        l->state = LIVE_RUNNING;
    pthread_cond_broadcast(&l->cond);
    pthread_mutex_unlock(&l->lock);
}

static void on_stats(void *user, const fu_live_summary *window)
{
    fu_live *l = user;
    pthread_mutex_lock(&l->lock);
    l->window = *window;
    l->have_window = 1;
    pthread_mutex_unlock(&l->lock);
}

static void *session_main(void *p)
{
    fu_live *l = p;
    fu_server *s = l->s;
    fu_err err;
    fu_err_clear(&err);
    facefuse_status st = s->service.live(s->service.user, l->args_json, &l->settings, &l->cancel, &err);
    pthread_mutex_lock(&l->lock);
    l->ended = 1;
    if (st != FACEFUSE_OK) {
        l->state = LIVE_FAILED;
        l->failure = st;
        snprintf(l->error, sizeof l->error, "%s", err.msg[0] ? err.msg : facefuse_strerror(st));
    } else {
        l->state = LIVE_IDLE; /* the camera ended, or stopped */
    }
    pthread_cond_broadcast(&l->cond);
    pthread_mutex_unlock(&l->lock);
    return NULL;
}

/* Ends the session (if any) and frees what it held. With l->control held. */
static void session_end(fu_live *l)
{
    pthread_mutex_lock(&l->lock);
    l->cancel = 1;
    pthread_cond_broadcast(&l->cond);
    pthread_mutex_unlock(&l->lock);
    if (l->joinable)
        pthread_join(l->thread, NULL);
    l->joinable = 0;
    pthread_mutex_lock(&l->lock);
    if (l->state != LIVE_FAILED)
        l->state = LIVE_IDLE;
    l->session++; /* streams of this session end */
    free(l->jpeg);
    l->jpeg = NULL;
    l->jpeg_size = 0;
    pthread_cond_broadcast(&l->cond);
    pthread_mutex_unlock(&l->lock);
    free(l->args_json);
    l->args_json = NULL;
    if (l->set_live)
        fu_optset_free(&l->set);
    l->set_live = 0;
}

facefuse_status fu_live_new(fu_server *s, fu_err *err)
{
    fu_live *l = calloc(1, sizeof *l);
    if (!l)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the webcam layout");
    l->s = s;
    pthread_mutex_init(&l->control, NULL);
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->cond, NULL);
    s->live = l;
    return FACEFUSE_OK;
}

void fu_live_free(fu_server *s)
{
    fu_live *l = s->live;
    if (!l)
        return;
    pthread_mutex_lock(&l->control);
    session_end(l);
    pthread_mutex_unlock(&l->control);
    pthread_cond_destroy(&l->cond);
    pthread_mutex_destroy(&l->lock);
    pthread_mutex_destroy(&l->control);
    free(l);
    s->live = NULL;
}

void fu_live_shutdown(fu_server *s)
{
    if (!s->live)
        return;
    pthread_mutex_lock(&s->live->control);
    session_end(s->live);
    pthread_mutex_unlock(&s->live->control);
}

/* ------------------------------------------------------------ GET /api/live */

static json_t *status_json(fu_live *l)
{
    fu_server *s = l->s;
    char list[MAX_CAMERAS][PATH_MAX], loop[64];
    int n = cameras(s, list);
    json_t *devices = json_array(), *res = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(devices, json_string(list[i]));
    for (int i = 0; resolutions[i]; i++)
        json_array_append_new(res, json_string(resolutions[i]));
    int have_loopback = loopback_output(s, loop, sizeof loop) == 0;

    pthread_mutex_lock(&l->lock);
    int active = l->state == LIVE_STARTING || l->state == LIVE_RUNNING;
    json_t *stats = json_null();
    if (active || l->frames > 0)
        stats = json_pack("{s:I,s:f,s:I,s:I,s:f,s:f,s:i}", "frames", (json_int_t)l->frames, "fps",
                          l->have_window ? l->window.fps_out : 0.0, "dropped",
                          (json_int_t)(l->have_window ? l->window.dropped : 0), "frames_in",
                          (json_int_t)(l->have_window ? l->window.frames_in : 0), "latency_p50_ms",
                          ring_quantile(l, 0.5), "latency_p95_ms", ring_quantile(l, 0.95), "faces",
                          l->have_window ? l->window.faces : 0);
    json_t *out = json_pack("{s:s,s:s?,s:s?,s:s?,s:s?,s:o,s:o,s:o,s:[sss],s:o,s:s?,s:{s:i,s:i,s:i},s:s?}", "state",
                            state_name(l->state), "error", l->state == LIVE_FAILED ? l->error : NULL, "camera",
                            active ? l->camera : NULL, "mode", active ? l->mode : NULL, "output",
                            active && l->output[0] ? l->output : NULL, "stats", stats, "devices", devices,
                            "resolutions", res, "modes", "inline", "udp", "v4l2", "v4l2_available",
                            json_boolean(have_loopback), "resolution", s->settings.webcam_resolution, "fps", "min", 1,
                            "max", 30, "default", s->settings.webcam_fps > 0 ? s->settings.webcam_fps : 30,
                            "stream", active ? "/api/live/stream" : NULL);
    pthread_mutex_unlock(&l->lock);
    return out;
}

/* ------------------------------------------------------------ POST /api/live/start */

static int body_string(json_t *body, const char *key, const char **out, char *why, size_t why_size)
{
    json_t *v = json_object_get(body, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        snprintf(why, why_size, "\"%s\" must be a string", key);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

/* The session's live options from the request, checked by the live table
 * (fu_live_options). 0, or -1 with the status and the reason. */
static int live_settings(fu_live *l, json_t *body, unsigned *status, char *why, size_t why_size)
{
    fu_server *s = l->s;
    char list[MAX_CAMERAS][PATH_MAX];
    const char *camera, *mode, *resolution;
    const fu_option_group *groups[] = {&fu_live_options};
    fu_err err;
    char fps[16];

    *status = MHD_HTTP_BAD_REQUEST;
    if (body_string(body, "camera", &camera, why, why_size) || body_string(body, "mode", &mode, why, why_size) ||
        body_string(body, "resolution", &resolution, why, why_size))
        return -1;
    json_t *f = json_object_get(body, "fps");
    if (f && !json_is_null(f) && !json_is_integer(f)) {
        snprintf(why, why_size, "\"fps\" must be a whole number (1..30)");
        return -1;
    }
    int n = cameras(s, list), found = -1;
    if (!camera && n > 0)
        camera = list[0];
    for (int i = 0; camera && i < n; i++)
        if (strcmp(list[i], camera) == 0)
            found = i;
    if (found < 0) {
        snprintf(why, why_size, camera ? "camera '%.200s' is not one of this machine's (GET /api/live lists them)"
                                       : "no camera on this machine (start `facefuse run --camera ...`)%.0s",
                 camera ? camera : "");
        return -1;
    }
    mode = mode ? mode : "inline";
    if (strcmp(mode, "inline") != 0 && strcmp(mode, "udp") != 0 && strcmp(mode, "v4l2") != 0) {
        snprintf(why, why_size, "mode '%.40s' is not one of inline, udp, v4l2", mode);
        return -1;
    }
    snprintf(l->camera, sizeof l->camera, "%s", list[found]);
    snprintf(l->mode, sizeof l->mode, "%s", mode);
    l->output[0] = '\0';
    if (!strcmp(mode, "udp")) {
        snprintf(l->output, sizeof l->output, UDP_OUTPUT);
    } else if (!strcmp(mode, "v4l2") && loopback_output(s, l->output, sizeof l->output) != 0) {
        *status = MHD_HTTP_CONFLICT;
        snprintf(why, why_size, "mode v4l2 needs a v4l2loopback virtual camera and this machine has none (sudo "
                                "modprobe v4l2loopback, then start again)");
        return -1;
    }
    if (!resolution)
        resolution = s->settings.webcam_resolution;
    snprintf(fps, sizeof fps, "%d", f && json_is_integer(f) ? (int)json_integer_value(f)
                                    : s->settings.webcam_fps > 0 ? s->settings.webcam_fps : 30);
    if (fu_optset_init(&l->set, groups, 1, &err) != FACEFUSE_OK) {
        *status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        snprintf(why, why_size, "%s", err.msg);
        return -1;
    }
    l->set_live = 1;
    const char *no = "false", *yes = "true";
    if (fu_optset_set1(&l->set, "--camera", l->camera, &err) != FACEFUSE_OK ||
        fu_optset_set1(&l->set, "--camera-realtime", s->settings.camera_realtime ? yes : no, &err) != FACEFUSE_OK ||
        fu_optset_set1(&l->set, "--camera-loop", s->settings.camera_loop ? yes : no, &err) != FACEFUSE_OK ||
        (resolution && fu_optset_set1(&l->set, "--webcam-resolution", resolution, &err) != FACEFUSE_OK) ||
        fu_optset_set1(&l->set, "--webcam-fps", fps, &err) != FACEFUSE_OK ||
        fu_options_apply(&l->set, &fu_live_options, &l->settings, &err) != FACEFUSE_OK) {
        snprintf(why, why_size, "%s", err.msg);
        return -1;
    }
    l->settings.output = l->output[0] ? l->output : NULL;
    l->settings.stats_path = NULL;
    l->settings.sink = on_frame;
    l->settings.on_stats = on_stats;
    l->settings.sink_user = l;
    return 0;
}

/* The step: sources and options, the face selector in `one` mode unless
 * the page chose. NULL with the status and reason. */
static char *live_step(fu_server *s, json_t *body, unsigned *status, char *why, size_t why_size)
{
    fu_err err;
    json_t *args = fu_api_request_sources(s, body, status, why, why_size);
    if (!args)
        return NULL;
    if (!json_object_get(args, "--face-selector-mode"))
        json_object_set_new(args, "--face-selector-mode", json_pack("[s]", "one"));
    if (fu_api_validate(s, args, NULL, &err) != FACEFUSE_OK) {
        *status = fu_http_status_of(err.code);
        snprintf(why, why_size, "%s", err.msg);
        json_decref(args);
        return NULL;
    }
    char *text = json_dumps(args, JSON_COMPACT);
    json_decref(args);
    if (!text) {
        *status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        snprintf(why, why_size, "out of memory");
    }
    return text;
}

/* Waits for the first frame, a failure or LIVE_START_WAIT_S. l->lock held. */
static void wait_started(fu_live *l)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += LIVE_START_WAIT_S;
    while (l->state == LIVE_STARTING && !l->ended && !l->s->stopping)
        if (pthread_cond_timedwait(&l->cond, &l->lock, &until) == ETIMEDOUT)
            break;
}

static enum MHD_Result start(fu_server *s, struct MHD_Connection *c, fu_request *req)
{
    fu_live *l = s->live;
    char why[FU_ERRMSG_MAX];
    unsigned status = MHD_HTTP_BAD_REQUEST;
    json_error_t je;
    json_t *body = req->data ? json_loadb(req->data, req->size, JSON_REJECT_DUPLICATES, &je) : json_object();
    if (!json_is_object(body)) {
        json_decref(body);
        return fu_http_error(c, MHD_HTTP_BAD_REQUEST, "the body must be a JSON object%s%s", body ? "" : ": ",
                             body ? "" : je.text);
    }
    pthread_mutex_lock(&l->control);
    pthread_mutex_lock(&l->lock);
    int busy = l->state == LIVE_STARTING || l->state == LIVE_RUNNING;
    pthread_mutex_unlock(&l->lock);
    if (busy) {
        pthread_mutex_unlock(&l->control);
        json_decref(body);
        return fu_http_error(c, MHD_HTTP_CONFLICT, "a live session is running (POST /api/live/stop first)");
    }
    session_end(l); /* a session that ended by itself */
    char *step = live_step(s, body, &status, why, sizeof why);
    int ok = step && live_settings(l, body, &status, why, sizeof why) == 0;
    json_decref(body);
    if (!ok) {
        free(step);
        if (l->set_live)
            fu_optset_free(&l->set);
        l->set_live = 0;
        pthread_mutex_unlock(&l->control);
        return fu_http_error(c, status, "%s", why);
    }
    pthread_mutex_lock(&l->lock);
    l->args_json = step;
    l->state = LIVE_STARTING;
    l->ended = 0;
    l->cancel = 0;
    l->error[0] = '\0';
    l->frames = 0;
    l->have_window = 0;
    l->latency_count = l->latency_next = 0;
    l->started_ns = fu_now_ns();
    pthread_mutex_unlock(&l->lock);
    if (pthread_create(&l->thread, NULL, session_main, l) != 0) {
        pthread_mutex_lock(&l->lock);
        l->state = LIVE_IDLE;
        pthread_mutex_unlock(&l->lock);
        session_end(l);
        pthread_mutex_unlock(&l->control);
        return fu_http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot start the live session's thread");
    }
    l->joinable = 1;
    pthread_mutex_lock(&l->lock);
    unsigned session = l->session;
    pthread_mutex_unlock(&l->lock);
    pthread_mutex_unlock(&l->control); /* a stop may come while this waits */
    pthread_mutex_lock(&l->lock);
    wait_started(l);
    int failed = l->state == LIVE_FAILED && l->session == session;
    facefuse_status failure = l->failure;
    snprintf(why, sizeof why, "%s", l->error);
    pthread_mutex_unlock(&l->lock);
    if (failed) {
        pthread_mutex_lock(&l->control);
        pthread_mutex_lock(&l->lock);
        int same = l->session == session;
        pthread_mutex_unlock(&l->lock);
        if (same)
            session_end(l); /* joined; the failure stays the state */
        pthread_mutex_unlock(&l->control);
        return fu_http_error(c, fu_http_status_of(failure), "%s", why);
    }
    json_t *st = status_json(l);
    const char *state = json_string_value(json_object_get(st, "state"));
    return fu_http_json(c, state && !strcmp(state, "running") ? MHD_HTTP_OK : MHD_HTTP_ACCEPTED, st);
}

static enum MHD_Result stop(fu_server *s, struct MHD_Connection *c)
{
    fu_live *l = s->live;
    pthread_mutex_lock(&l->control);
    session_end(l);
    pthread_mutex_lock(&l->lock);
    if (l->state == LIVE_FAILED) /* seen: the next status is idle */
        l->state = LIVE_IDLE;
    pthread_mutex_unlock(&l->lock);
    pthread_mutex_unlock(&l->control);
    return fu_http_json(c, MHD_HTTP_OK, status_json(l));
}

/* ------------------------------------------------------------ GET /api/live/stream */

typedef struct stream {
    fu_live *l;
    unsigned session;
    unsigned long long seq;
    char *part;
    size_t size, off;
} stream;

/* The next part: the newest frame not sent yet, waiting for one; 0 at the
 * session's end. l->lock held. */
static int next_part(stream *st)
{
    fu_live *l = st->l;
    char head[160];
    for (;;) {
        int live = l->state == LIVE_STARTING || l->state == LIVE_RUNNING;
        if (l->s->stopping || l->session != st->session || !live)
            return 0;
        if (l->jpeg && l->seq != st->seq)
            break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&l->cond, &l->lock, &until);
    }
    int n = snprintf(head, sizeof head, "--" BOUNDARY "\r\nContent-Type: image/jpeg\r\nContent-Length: %zu\r\n\r\n",
                     l->jpeg_size);
    char *part = malloc((size_t)n + l->jpeg_size + 2);
    if (!part)
        return 0;
    memcpy(part, head, (size_t)n);
    memcpy(part + n, l->jpeg, l->jpeg_size);
    memcpy(part + n + l->jpeg_size, "\r\n", 2);
    st->part = part;
    st->size = (size_t)n + l->jpeg_size + 2;
    st->off = 0;
    st->seq = l->seq;
    return 1;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    stream *st = cls;
    (void)pos;
    if (st->off == st->size) {
        free(st->part);
        st->part = NULL;
        st->size = st->off = 0;
        pthread_mutex_lock(&st->l->lock);
        int more = next_part(st);
        pthread_mutex_unlock(&st->l->lock);
        if (!more)
            return MHD_CONTENT_READER_END_OF_STREAM;
    }
    size_t n = st->size - st->off < max ? st->size - st->off : max;
    memcpy(buf, st->part + st->off, n);
    st->off += n;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    stream *st = cls;
    free(st->part);
    free(st);
}

static enum MHD_Result stream_respond(fu_server *s, struct MHD_Connection *c)
{
    fu_live *l = s->live;
    pthread_mutex_lock(&l->lock);
    int live = l->state == LIVE_STARTING || l->state == LIVE_RUNNING;
    unsigned session = l->session;
    pthread_mutex_unlock(&l->lock);
    if (!live)
        return fu_http_error(c, MHD_HTTP_CONFLICT, "no live session runs (POST /api/live/start)");
    stream *st = calloc(1, sizeof *st);
    if (!st)
        return fu_http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    st->l = l;
    st->session = session;
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_read, st,
                                                               stream_free);
    if (!r) {
        free(st);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "multipart/x-mixed-replace; boundary=" BOUNDARY);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    fu_http_security_headers(r, 0);
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* ------------------------------------------------------------ routes */

enum MHD_Result fu_api_live(fu_server *s, struct MHD_Connection *c, const char *method, const char *action,
                            fu_request *req)
{
    const char *takes = !action || !strcmp(action, "stream") ? "GET"
                        : !strcmp(action, "start") || !strcmp(action, "stop") ? "POST"
                                                                               : NULL;
    if (!takes)
        return fu_http_error(c, MHD_HTTP_NOT_FOUND, "no such address");
    if (strcmp(method, takes) != 0)
        return fu_api_method_not_allowed(c, takes);
    if (!s->service.live || !s->live)
        return fu_http_error(c, MHD_HTTP_NOT_IMPLEMENTED, "this server has no live mode");
    if (!action)
        return fu_http_json(c, MHD_HTTP_OK, status_json(s->live));
    if (!strcmp(action, "stream"))
        return stream_respond(s, c);
    return !strcmp(action, "start") ? start(s, c, req) : stop(s, c);
}
