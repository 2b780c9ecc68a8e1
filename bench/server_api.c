/*
 * server_api.c — figures for the web server and its API:
 *   1. time from Start (POST /api/jobs) to the first progress event on the
 *      job's server-sent events stream;
 *   2. 20 clients polling the API (GET /api/jobs/ID and GET /api/jobs, one
 *      keep-alive connection each) while a job runs: requests/s, median and
 *      p95 latency, errors;
 *   3. preview latency of a 1080p frame on the real pipeline
 *      (server/pipeline_service.h), POST /api/preview to the whole image:
 *      the first preview (models loaded, frame decoded, chain prepared),
 *      the same again (all cached), a moved slider (--face-swapper-weight:
 *      the chain prepared again on loaded models, the frame not decoded),
 *      and another frame of a 1080p video (decoded, chain kept); the same
 *      frame in FaceFusion's face-by-face mode (crops before | after);
 *   4. a page job on the real pipeline (a 1080p clip, face_swapper),
 *      request to completed, without and with "report": true (the quality
 *      report, --quality-report HTML): what the report costs a job.
 * 1 and 2 run with a stand-in processing service whose steps only report
 * progress (300 frames at 100 frames/s), so those figures are the server's
 * and the job store's, not the pipeline's. 3 runs face_swapper with the
 * models of $FACEFUSE_MODEL_DIR (the test suite's stand-ins in
 * build-test/test-models give the server's, decoding's, detection's and the
 * chain's share; a real inswapper_128 adds its own inference time).
 *
 *   bench_server_api [clients (20)] [seconds (5)] [preview runs (5)]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "core/clock.h"
#include "infer/context.h"
#include "media/image_io.h"
#include "media/resize.h"
#include "media/video_writer.h"
#include "pipeline/config.h"
#include "pipeline/jobs/job_args.h"
#include "server/pipeline_service.h"
#include "server/server.h"

#define FRAMES 300
#define FPS 100

/* ------------------------------------------------------------ stand-in service */

static facefuse_status svc_options(void *u, char **json, fu_err *err)
{
    (void)u;
    *json = strdup("[{\"name\":\"--face-swapper-model\",\"group\":\"face_swapper\",\"type\":\"string\","
                   "\"choices\":[\"inswapper_128\"],\"min\":null,\"max\":null,\"step\":null,\"default\":"
                   "\"inswapper_128\",\"help\":\"\",\"multiple\":false}]");
    return *json ? FACEFUSE_OK : fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "oom");
}

static facefuse_status svc_validate(void *u, const char *args, char **step, fu_err *err)
{
    (void)u;
    facefuse_status st = fu_job_args_check(args, err);
    if (st == FACEFUSE_OK && step)
        *step = strdup(args);
    return st;
}

static facefuse_status svc_probe(void *u, const char *path, fu_service_media *m, fu_err *err)
{
    (void)u;
    (void)path;
    (void)err;
    snprintf(m->kind, sizeof m->kind, "image");
    m->width = m->height = 64;
    m->frame_count = 1;
    return FACEFUSE_OK;
}

static facefuse_status svc_image(void *u, const char *a, int64_t f, fu_service_image *im, fu_err *err)
{
    (void)u;
    (void)a;
    (void)f;
    return fu_fail(err, FACEFUSE_ERR_UNSUPPORTED, "not in this benchmark");
}

static facefuse_status svc_preview(void *u, const char *a, int64_t f, int max_px, fu_service_image *im, fu_err *err)
{
    (void)max_px;
    return svc_image(u, a, f, im, err);
}

static facefuse_status svc_faces(void *u, const char *a, int64_t f, fu_service_face **faces, int *n, fu_err *err)
{
    (void)u;
    (void)a;
    (void)f;
    (void)err;
    *faces = NULL;
    *n = 0;
    return FACEFUSE_OK;
}

/* FRAMES frames at FPS, then the target copied to the output. */
static facefuse_status svc_run_step(void *u, const char *args, const fu_job_progress *p, volatile int *cancel,
                                    fu_err *err)
{
    char target[4096], output[4096];
    int found;
    (void)u;
    fu_job_args_first(args, "--target-path", target, sizeof target, &found, err);
    fu_job_args_first(args, "--output-path", output, sizeof output, &found, err);
    for (int i = 1; i <= FRAMES; i++) {
        if (*cancel)
            return fu_fail(err, FACEFUSE_ERR_CANCELLED, "cancelled");
        struct timespec ts = {0, 1000000000L / FPS};
        nanosleep(&ts, NULL);
        p->fn(p->ctx, i, FRAMES, FPS);
    }
    facefuse_image im = {0};
    facefuse_status st = fu_image_read(target, &im, err);
    if (st == FACEFUSE_OK)
        st = fu_image_write(output, &im, 90, err);
    facefuse_image_free(&im);
    return st;
}

/* ------------------------------------------------------------ HTTP */

typedef struct buf {
    char *data;
    size_t size;
} buf;

static size_t collect(char *d, size_t s, size_t n, void *u)
{
    buf *b = u;
    char *bigger = realloc(b->data, b->size + s * n + 1);
    if (!bigger)
        return 0;
    b->data = bigger;
    memcpy(b->data + b->size, d, s * n);
    b->size += s * n;
    b->data[b->size] = '\0';
    return s * n;
}

static long request(CURL *c, const char *method, const char *url, const void *body, size_t size, buf *out)
{
    long status = 0;
    out->size = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)size);
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    }
    if (curl_easy_perform(c) != CURLE_OK)
        return -1;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

static char base[64], target_id[64];

static char *create_job(CURL *c)
{
    char url[128], body[256];
    buf out = {0};
    snprintf(url, sizeof url, "%sapi/jobs", base);
    snprintf(body, sizeof body, "{\"target\":\"%s\"}", target_id);
    long status = request(c, "POST", url, body, strlen(body), &out);
    json_t *j = status == 201 ? json_loads(out.data, 0, NULL) : NULL;
    char *id = j ? strdup(json_string_value(json_object_get(j, "id"))) : NULL;
    json_decref(j);
    free(out.data);
    return id;
}

/* SSE: stop at the first event whose frames > 0. */
typedef struct first_event {
    int64_t at_ns;
} first_event;

static size_t on_event(char *d, size_t s, size_t n, void *u)
{
    first_event *f = u;
    if (!f->at_ns && strstr(d, "\"frames\":") && !strstr(d, "\"frames\":0,"))
        f->at_ns = fu_now_ns();
    return f->at_ns ? 0 : s * n; /* 0 aborts the transfer */
}

static double start_to_first_event_ms(CURL *c)
{
    char url[256];
    int64_t t0 = fu_now_ns();
    char *id = create_job(c);
    if (!id)
        return -1;
    first_event f = {0};
    CURL *e = curl_easy_init();
    snprintf(url, sizeof url, "%sapi/jobs/%s/events", base, id);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_event);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &f);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, 30L);
    curl_easy_perform(e);
    curl_easy_cleanup(e);
    /* stop the job so the next one starts at once */
    snprintf(url, sizeof url, "%sapi/jobs/%s/cancel", base, id);
    buf out = {0};
    request(c, "POST", url, "", 0, &out);
    snprintf(url, sizeof url, "%sapi/jobs/%s", base, id);
    for (int i = 0; i < 200 && request(c, "GET", url, NULL, 0, &out) == 200 && strstr(out.data, "\"running\""); i++) {
        struct timespec ts = {0, 10000000L}; /* the next run starts on an idle server */
        nanosleep(&ts, NULL);
    }
    free(out.data);
    free(id);
    return f.at_ns ? (f.at_ns - t0) / 1e6 : -1;
}

/* ------------------------------------------------------------ pollers */

typedef struct poller {
    const char *job;
    int64_t until_ns;
    double *lat_ms;
    int count, cap, errors;
} poller;

static void *poll_api(void *p)
{
    poller *q = p;
    CURL *c = curl_easy_init();
    char one[256], all[128];
    buf out = {0};
    snprintf(one, sizeof one, "%sapi/jobs/%s", base, q->job);
    snprintf(all, sizeof all, "%sapi/jobs", base);
    for (int i = 0; fu_now_ns() < q->until_ns; i++) {
        int64_t t0 = fu_now_ns();
        long status = request(c, "GET", i % 4 == 3 ? all : one, NULL, 0, &out);
        double ms = (fu_now_ns() - t0) / 1e6;
        if (status != 200) {
            q->errors++;
            continue;
        }
        if (q->count == q->cap) {
            q->cap = q->cap ? q->cap * 2 : 1024;
            q->lat_ms = realloc(q->lat_ms, (size_t)q->cap * sizeof *q->lat_ms);
        }
        q->lat_ms[q->count++] = ms;
    }
    free(out.data);
    curl_easy_cleanup(c);
    return NULL;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ------------------------------------------------------------ preview latency */

/* A 1920x1080 frame: the photo scaled to the frame's height, centred on grey. */
static facefuse_status frame_1080p(const char *photo, facefuse_image *out, fu_err *err)
{
    facefuse_image im = {0}, scaled = {0};
    facefuse_status st = fu_image_read(photo, &im, err);
    if (st == FACEFUSE_OK && fu_resize(&im, &scaled, im.width * 1080 / im.height, 1080) != FACEFUSE_OK)
        st = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "resize");
    if (st == FACEFUSE_OK && facefuse_image_alloc(out, 1920, 1080, 3) != FACEFUSE_OK)
        st = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "alloc");
    if (st == FACEFUSE_OK) {
        memset(out->data, 96, (size_t)out->stride * out->height);
        int x0 = (1920 - scaled.width) / 2, w = scaled.width < 1920 ? scaled.width : 1920;
        for (int y = 0; y < 1080; y++)
            memcpy(out->data + (size_t)y * out->stride + (size_t)(x0 > 0 ? x0 : 0) * 3,
                   scaled.data + (size_t)y * scaled.stride, (size_t)w * 3);
    }
    facefuse_image_free(&im);
    facefuse_image_free(&scaled);
    return st;
}

/* A 1080p H.264 clip of `frames` frames of that frame (x264, medium-size GOPs:
 * a frame in the middle costs a seek and some decoding, as a user's clip). */
static facefuse_status video_1080p(const facefuse_image *frame, const char *path, int frames, fu_err *err)
{
    fu_video_writer *w = NULL;
    fu_video_writer_params p = {.final_path = path, .temp_path = path, .width = frame->width,
                                .height = frame->height, .channels = 3, .encoder = "libx264", .preset = "ultrafast",
                                .quality = 80, .tb_num = 1, .tb_den = 25, .fps_num = 25, .fps_den = 1};
    facefuse_status st = fu_video_writer_open(&w, &p, err);
    if (st == FACEFUSE_OK)
        st = fu_video_writer_start(w, err);
    for (int i = 0; st == FACEFUSE_OK && i < frames; i++)
        st = fu_video_writer_write(w, frame, i, err);
    if (st == FACEFUSE_OK)
        st = fu_video_writer_finish(w, err);
    fu_video_writer_free(w);
    return st;
}

static long upload_file(CURL *c, const char *path, const char *name, char *id, size_t id_size)
{
    char url[256];
    buf out = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)n);
    size_t got = fread(data, 1, (size_t)n, f);
    fclose(f);
    snprintf(url, sizeof url, "%sapi/files?name=%s", base, name);
    long status = request(c, "POST", url, data, got, &out);
    json_t *j = status == 201 ? json_loads(out.data, 0, NULL) : NULL;
    snprintf(id, id_size, "%s", j ? json_string_value(json_object_get(j, "id")) : "");
    json_decref(j);
    free(data);
    free(out.data);
    return status;
}

/* POST /api/preview until the whole image is in: ms, or -1. */
static double preview_mode_ms(CURL *c, const char *source, const char *target, int frame, const char *weight,
                              int resolution, const char *mode)
{
    char url[128], body[512];
    buf out = {0};
    snprintf(url, sizeof url, "%sapi/preview", base);
    snprintf(body, sizeof body,
             "{\"sources\":[\"%s\"],\"target\":\"%s\",\"frame\":%d,\"resolution\":%d,\"mode\":\"%s\","
             "\"options\":{\"--face-swapper-weight\":%s}}",
             source, target, frame, resolution, mode, weight);
    int64_t t0 = fu_now_ns();
    long status = request(c, "POST", url, body, strlen(body), &out);
    double ms = (fu_now_ns() - t0) / 1e6;
    if (status != 200)
        fprintf(stderr, "preview: %ld %s\n", status, out.data ? out.data : "");
    free(out.data);
    return status == 200 && out.size > 1000 ? ms : -1;
}

static double preview_ms(CURL *c, const char *source, const char *target, int frame, const char *weight, int resolution)
{
    return preview_mode_ms(c, source, target, frame, weight, resolution, "default");
}

/* A page job on target, POST /api/jobs to completed: ms, or -1. */
static double job_ms(CURL *c, const char *source, const char *target, int report)
{
    char url[256], body[512], id[160];
    buf out = {0};
    snprintf(url, sizeof url, "%sapi/jobs", base);
    snprintf(body, sizeof body, "{\"sources\":[\"%s\"],\"target\":\"%s\",\"report\":%s}", source, target,
             report ? "true" : "false");
    int64_t t0 = fu_now_ns();
    long status = request(c, "POST", url, body, strlen(body), &out);
    json_t *j = status == 201 ? json_loads(out.data, 0, NULL) : NULL;
    snprintf(id, sizeof id, "%s", j ? json_string_value(json_object_get(j, "id")) : "");
    json_decref(j);
    free(out.data);
    if (!id[0])
        return -1;
    snprintf(url, sizeof url, "%sapi/jobs/%s", base, id);
    for (;;) {
        buf now = {0};
        struct timespec ts = {0, 20000000};
        request(c, "GET", url, NULL, 0, &now);
        json_t *o = now.data ? json_loads(now.data, 0, NULL) : NULL;
        const char *st = json_string_value(json_object_get(o, "status"));
        int done = !st || (strcmp(st, "queued") && strcmp(st, "running"));
        int ok = st && !strcmp(st, "completed") && (!report || json_string_value(json_object_get(o, "report")));
        if (done && !ok)
            fprintf(stderr, "job: %s\n", now.data ? now.data : "");
        json_decref(o);
        free(now.data);
        if (done)
            return ok ? (fu_now_ns() - t0) / 1e6 : -1;
        nanosleep(&ts, NULL);
    }
}

static int bench_preview(const char *dir, int runs)
{
    char *argv[] = {"--processors", "face_swapper", "--face-swapper-model", "inswapper_128",
                    "--face-detector-model", "scrfd"};
    char image_path[512], video_path[512], source_id[128], locks[600];
    facefuse_image frame = {0};
    facefuse_context *ctx = NULL;
    fu_pipeline_service *svc = NULL;
    fu_server *server = NULL;
    fu_optset set;
    fu_err err;
    int n;
    const fu_option_group *const *groups = fu_run_option_groups(&n);
    const char *photo = "../shared/samples/astronaut.png", *face = "../shared/samples/grace_hopper.jpg";

    snprintf(image_path, sizeof image_path, "%s/frame-1080p.png", dir);
    snprintf(video_path, sizeof video_path, "%s/clip-1080p.mp4", dir);
    snprintf(locks, sizeof locks, "%s/preview-locks", dir);
    mkdir(locks, 0755);
    if (frame_1080p(photo, &frame, &err) != FACEFUSE_OK || fu_image_write(image_path, &frame, 90, &err) != FACEFUSE_OK ||
        video_1080p(&frame, video_path, 50, &err) != FACEFUSE_OK) {
        fprintf(stderr, "preview targets (run from the repository root): %s\n", err.msg);
        facefuse_image_free(&frame);
        return 1;
    }
    facefuse_image_free(&frame);
    facefuse_context_params p = facefuse_context_default_params();
    p.allow_download = 0;
    p.log_level = FACEFUSE_LOG_ERROR;
    if (fu_optset_init(&set, groups, n, &err) != FACEFUSE_OK ||
        fu_optset_parse_args(&set, 6, argv, 0, &err) != FACEFUSE_OK || facefuse_context_new(&p, &ctx) != FACEFUSE_OK ||
        fu_pipeline_service_new(ctx, &set, &svc, &err) != FACEFUSE_OK) {
        fprintf(stderr, "pipeline service: %s\n", err.msg);
        return 1;
    }
    fu_service table = fu_pipeline_service_table(svc);
    fu_server_settings st = fu_server_default_settings();
    st.port = 0;
    st.jobs_path = dir;
    st.lock_dir = locks;
    if (fu_server_start(&st, &table, &server, &err) != FACEFUSE_OK) {
        fprintf(stderr, "server: %s\n", err.msg);
        return 1;
    }
    snprintf(base, sizeof base, "http://127.0.0.1:%d/", fu_server_port(server));
    CURL *c = curl_easy_init();
    if (upload_file(c, face, "face.jpg", source_id, sizeof source_id) != 201) {
        fprintf(stderr, "uploads failed\n");
        return 1;
    }
    printf("preview of a 1080p frame (face_swapper inswapper_128, scrfd; models in %s), request to image, best of "
           "%d:\n",
           ctx->store.dir, runs);
    double worst = 0;
    for (int pass = 0; pass < 2; pass++) {
        int res = pass == 0 ? 0 : 1024;
        /* a fresh start for each pass: other files, so nothing is cached */
        char img[128], vid[128];
        if (upload_file(c, image_path, "frame.png", img, sizeof img) != 201 ||
            upload_file(c, video_path, "clip.mp4", vid, sizeof vid) != 201)
            return 1;
        double first = preview_ms(c, source_id, img, 0, "0.5", res);
        double same = 1e9, moved = 1e9, video_first, video_frame = 1e9;
        for (int i = 0; i < runs; i++) {
            double a = preview_ms(c, source_id, img, 0, "0.5", res);
            double b = preview_ms(c, source_id, img, 0, "0.6", res);
            same = a >= 0 && a < same ? a : same;
            moved = b >= 0 && b < moved ? b : moved;
        }
        video_first = preview_ms(c, source_id, vid, 0, "0.5", res);
        for (int i = 0; i < runs; i++) {
            double v = preview_ms(c, source_id, vid, 5 + 7 * i, "0.5", res);
            video_frame = v >= 0 && v < video_frame ? v : video_frame;
        }
        double faces = 1e9;
        for (int i = 0; i < runs; i++) {
            double v = preview_mode_ms(c, source_id, img, 0, "0.5", res, "face-by-face");
            faces = v >= 0 && v < faces ? v : faces;
        }
        printf("  %s: first preview %.0f ms · same options again %.0f ms · slider moved (--face-swapper-weight) "
               "%.0f ms · 1080p video: first preview %.0f ms, another frame (decoded, chain kept) %.0f ms · "
               "face-by-face (same options) %.0f ms\n",
               res ? "at the page's 1024 px" : "full 1920x1080", first, same, moved, video_first, video_frame, faces);
        if (first < 0 || same > 1e8 || moved > 1e8 || video_first < 0 || video_frame > 1e8 || faces > 1e8)
            worst = -1;
    }
    /* 4. the quality report's cost to a job: the 50-frame 1080p clip */
    char vid[128];
    if (upload_file(c, video_path, "clip.mp4", vid, sizeof vid) == 201) {
        double plain = 1e9, reported = 1e9;
        for (int i = 0; i < 2; i++) {
            double a = job_ms(c, source_id, vid, 0), b = job_ms(c, source_id, vid, 1);
            plain = a >= 0 && a < plain ? a : plain;
            reported = b >= 0 && b < reported ? b : reported;
        }
        printf("page job, 50-frame 1080p clip (face_swapper), request to completed, best of 2: %.0f ms without the "
               "quality report, %.0f ms with it (+%.0f %%)\n",
               plain, reported, plain > 0 && plain < 1e8 ? (reported - plain) * 100 / plain : -1.0);
        if (plain > 1e8 || reported > 1e8)
            worst = -1;
    }
    curl_easy_cleanup(c);
    fu_server_stop(server);
    fu_pipeline_service_free(svc);
    facefuse_context_free(ctx);
    fu_optset_free(&set);
    return worst < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
    int clients = argc > 1 ? atoi(argv[1]) : 20;
    int seconds = argc > 2 ? atoi(argv[2]) : 5;
    int preview_runs = argc > 3 ? atoi(argv[3]) : 5;
    char dir[] = "/tmp/facefuse-bench-server-XXXXXX", path[256], locks[300], url[256];
    fu_err err;
    if (!mkdtemp(dir))
        return 1;
    snprintf(locks, sizeof locks, "%s/locks", dir);
    mkdir(locks, 0755);
    curl_global_init(CURL_GLOBAL_DEFAULT);

    fu_service svc = {NULL, svc_options, svc_validate, svc_probe, svc_image, svc_preview, svc_faces, svc_run_step, NULL};
    fu_server_settings st = fu_server_default_settings();
    st.port = 0;
    st.jobs_path = dir;
    st.lock_dir = locks;
    st.max_connections = 128;
    fu_server *server = NULL;
    if (fu_server_start(&st, &svc, &server, &err) != FACEFUSE_OK) {
        fprintf(stderr, "server: %s\n", err.msg);
        return 1;
    }
    snprintf(base, sizeof base, "http://127.0.0.1:%d/", fu_server_port(server));

    /* a small target to upload */
    facefuse_image im = {0};
    facefuse_image_alloc(&im, 64, 64, 3);
    memset(im.data, 128, (size_t)im.stride * 64);
    snprintf(path, sizeof path, "%s/target.png", dir);
    fu_image_write(path, &im, 90, &err);
    facefuse_image_free(&im);
    FILE *f = fopen(path, "rb");
    char data[65536];
    size_t size = fread(data, 1, sizeof data, f);
    fclose(f);
    CURL *c = curl_easy_init();
    buf out = {0};
    snprintf(url, sizeof url, "%sapi/files?name=t.png", base);
    if (request(c, "POST", url, data, size, &out) != 201) {
        fprintf(stderr, "upload failed: %s\n", out.data ? out.data : "");
        return 1;
    }
    json_t *j = json_loads(out.data, 0, NULL);
    snprintf(target_id, sizeof target_id, "%s", json_string_value(json_object_get(j, "id")));
    json_decref(j);

    /* 1. Start → first progress event */
    double t[10];
    int n = 0;
    for (int i = 0; i < 10; i++) {
        double ms = start_to_first_event_ms(c);
        if (ms >= 0)
            t[n++] = ms;
    }
    qsort(t, (size_t)n, sizeof t[0], by_value);
    printf("start → first progress event: median %.1f ms, max %.1f ms (%d runs)\n", n ? t[n / 2] : -1.0,
           n ? t[n - 1] : -1.0, n);

    /* 2. clients polling while a job runs */
    char *job = create_job(c);
    pthread_t threads[256];
    poller q[256];
    if (clients > 256)
        clients = 256;
    int64_t t0 = fu_now_ns();
    for (int i = 0; i < clients; i++) {
        memset(&q[i], 0, sizeof q[i]);
        q[i].job = job;
        q[i].until_ns = t0 + (int64_t)seconds * 1000000000LL;
        pthread_create(&threads[i], NULL, poll_api, &q[i]);
    }
    int total = 0, errors = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join(threads[i], NULL);
        total += q[i].count;
        errors += q[i].errors;
    }
    double elapsed = (fu_now_ns() - t0) / 1e9;
    double *all = malloc((size_t)(total > 0 ? total : 1) * sizeof *all);
    int k = 0;
    for (int i = 0; i < clients; i++) {
        memcpy(all + k, q[i].lat_ms, (size_t)q[i].count * sizeof *all);
        k += q[i].count;
        free(q[i].lat_ms);
    }
    qsort(all, (size_t)total, sizeof *all, by_value);
    printf("%d clients polling for %.1f s while a job runs: %.0f requests/s, latency median %.2f ms, p95 %.2f ms, "
           "max %.2f ms, %d errors\n",
           clients, elapsed, total / elapsed, total ? all[total / 2] : -1.0,
           total ? all[(int)(total * 0.95)] : -1.0, total ? all[total - 1] : -1.0, errors);
    free(all);
    free(job);
    free(out.data);
    curl_easy_cleanup(c);
    fu_server_stop(server);
    if (preview_runs > 0 && bench_preview(dir, preview_runs) != 0)
        errors++;
    curl_global_cleanup();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return errors ? 1 : 0;
}
