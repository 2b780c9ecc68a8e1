/*
 * test_api_live_and_benchmark.c — the web UI's webcam and benchmark
 * layouts on the real pipeline (stand-in models), the shared clip as the
 * server's camera (`run --camera CLIP --camera-loop --camera-realtime`):
 * - --ui-layouts takes webcam and benchmark, and GET /api/ui lists them;
 * - a camera the client names that is not the server's (a path, a URL, a
 *   device not probed) is 400 naming it, as are a bad mode and fps, a
 *   processor that does not run on a stream, and a foreign Origin is 403;
 *   mode v4l2 without a v4l2loopback device is 409 saying what is missing;
 * - a session from POST /api/live/start streams distinct JPEG frames
 *   (multipart/x-mixed-replace) that match a camera frame away from the
 *   face and differ from every camera frame around it (the swapper ran);
 *   GET /api/live has its figures; after POST /api/live/stop the state is
 *   idle, the stream is refused and the camera file is closed;
 * - a second start while one runs is 409;
 * - a client that drops the stream mid-frame leaves the server serving it
 *   to the next;
 * - POST /api/benchmark gives FaceFusion's rows with sane figures;
 * - stopping the server ends a running session and its stream.
 */
#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <time.h>

#include "core/image.h"
#include "media/image_io.h"
#include "media/video_reader.h"
#include "pipelinetest.h"
#include "server/ui_options.h"

#define DEFAULTS                                                                                                   \
    "--processors face_swapper --face-swapper-model inswapper_128 --face-detector-model scrfd "                    \
    "--face-detector-size 320x320 --execution-thread-count 2 --log-level error"
#define CLIP "samples/grace_hopper_zoom_2s.mp4"

static pt_server p;
static const char *base;
static char source_id[128];
static char clip[1024];
static char no_loopback[1024];

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static api_reply post(const char *path, const char *body)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", base, path);
    return api_request("POST", url, NULL, body, strlen(body));
}

static json_t *get_json(const char *path)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", base, path);
    api_reply r = api_request("GET", url, NULL, NULL, 0);
    json_t *j = api_json(&r);
    api_reply_free(&r);
    return j;
}

static const char *live_state(void)
{
    static char state[32];
    json_t *j = get_json("api/live");
    snprintf(state, sizeof state, "%s", json_string_value(json_object_get(j, "state")) ?: "?");
    json_decref(j);
    return state;
}

static long start_live(const char *camera_json, const char *extra, char *why, size_t why_size)
{
    char body[2048];
    snprintf(body, sizeof body, "{\"sources\":[\"%s\"],\"camera\":%s%s}", source_id, camera_json, extra ? extra : "");
    api_reply r = post("api/live/start", body);
    api_error_text(&r, why, why_size);
    long status = r.status;
    api_reply_free(&r);
    return status;
}

static void stop_live(void)
{
    api_reply r = post("api/live/stop", "");
    api_reply_free(&r);
}

/* Descriptors of this process open on path. */
static int open_on(const char *path)
{
    char real[PATH_MAX], link[PATH_MAX + 64], target[PATH_MAX];
    int n = 0;
    if (!realpath(path, real))
        return -1;
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
        ssize_t len = readlink(link, target, sizeof target - 1);
        if (len > 0) {
            target[len] = '\0';
            n += strcmp(target, real) == 0;
        }
    }
    if (d)
        closedir(d);
    return n;
}

/* ------------------------------------------------------------ the stream */

typedef struct frames {
    char *buf;
    size_t size;
    int want;
    int count;
    facefuse_image images[8];
    int decoded_ok;
} frames;

/* Takes complete parts out of the buffer; 0 once enough (ends the transfer). */
static size_t on_stream(char *data, size_t size, size_t n, void *user)
{
    frames *f = user;
    size_t add = size * n;
    f->buf = realloc(f->buf, f->size + add + 1);
    memcpy(f->buf + f->size, data, add);
    f->size += add;
    f->buf[f->size] = '\0';
    for (;;) {
        char *len = strstr(f->buf, "Content-Length: ");
        char *body = len ? strstr(len, "\r\n\r\n") : NULL;
        if (!body)
            break;
        size_t bytes = strtoul(len + 16, NULL, 10);
        body += 4;
        size_t used = (size_t)(body - f->buf) + bytes;
        if (used > f->size)
            break;
        if (f->count < 8 &&
            fu_image_read_memory((uint8_t *)body, bytes, "part", &f->images[f->count], NULL) == FACEFUSE_OK) {
            f->count++;
            f->decoded_ok++;
        }
        memmove(f->buf, f->buf + used, f->size - used);
        f->size -= used;
        f->buf[f->size] = '\0';
    }
    return f->count >= f->want ? 0 : add;
}

/* Reads `want` JPEG parts of GET /api/live/stream; the HTTP status and the
 * Content-Type into type. */
static long read_stream(frames *f, int want, char *type, size_t type_size)
{
    char url[512];
    memset(f, 0, sizeof *f);
    f->want = want;
    snprintf(url, sizeof url, "%sapi/live/stream", base);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_stream);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_perform(c);
    long status = 0;
    char *ct = NULL;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    snprintf(type, type_size, "%s", ct ? ct : "");
    curl_easy_cleanup(c);
    return status;
}

static void frames_free(frames *f)
{
    for (int i = 0; i < f->count; i++)
        facefuse_image_free(&f->images[i]);
    free(f->buf);
}

static double mean_diff(const facefuse_image *a, const facefuse_image *b, int x0, int y0, int x1, int y1)
{
    double sum = 0;
    long n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            for (int k = 0; k < 3; k++, n++)
                sum += fabs((double)fu_pixel(a, x, y)[k] - fu_pixel(b, x, y)[k]);
    return n ? sum / n : 0;
}

/* The largest mean difference of a 16×16 block. */
static double max_block_diff(const facefuse_image *a, const facefuse_image *b)
{
    double best = 0;
    for (int y = 0; y + 16 <= a->height; y += 16)
        for (int x = 0; x + 16 <= a->width; x += 16)
            best = fmax(best, mean_diff(a, b, x, y, x + 16, y + 16));
    return best;
}

/* The clip's frames (the camera's). */
static int clip_frames(facefuse_image *out, int max)
{
    fu_video_reader *r;
    int64_t pts;
    int got, n = 0;
    if (fu_video_reader_open(&r, clip, 1, NULL) != FACEFUSE_OK)
        return 0;
    while (n < max && fu_video_reader_next(r, &out[n], &pts, &got, NULL) == FACEFUSE_OK && got)
        n++;
    fu_video_reader_close(r);
    return n;
}

static void test_layouts_webcam_and_benchmark_are_taken(void)
{
    fu_optset set;
    fu_err err;
    const fu_option_group *groups[] = {&fu_ui_options};
    const char *words[] = {"webcam", "benchmark"};
    REQUIRE(fu_optset_init(&set, groups, 1, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_optset_set(&set, "--ui-layouts", words, 2, FU_ORIGIN_ARG, &err) == FACEFUSE_OK, "refused: %s", err.msg);
    fu_optset_free(&set);
    json_t *ui = get_json("api/ui");
    json_t *layouts = json_object_get(ui, "layouts");
    CHECK(json_array_size(layouts) == 2 && !strcmp(json_string_value(json_array_get(layouts, 0)), "webcam") &&
              !strcmp(json_string_value(json_array_get(layouts, 1)), "benchmark") &&
              json_string_value(json_object_get(ui, "version")),
          "GET /api/ui: %s", json_dumps(ui, 0));
    json_decref(ui);
}

static void test_bad_live_requests_are_refused_by_name(void)
{
    char why[1024];
    static const char *const cameras[] = {"\"/etc/passwd\"", "\"../../shared/samples/grace_hopper_zoom_2s.mp4\"",
                                          "\"rtsp://example.com/cam\"", "\"/dev/video9\"", "\"lavfi:testsrc2\""};
    for (size_t i = 0; i < sizeof cameras / sizeof cameras[0]; i++) {
        long st = start_live(cameras[i], NULL, why, sizeof why);
        CHECK(st == 400 && strstr(why, "not one of this machine's"), "camera %s: %ld %s", cameras[i], st, why);
    }
    char camera[1100];
    snprintf(camera, sizeof camera, "\"%s\"", clip);
    long st = start_live(camera, ",\"mode\":\"rtmp\"", why, sizeof why);
    CHECK(st == 400 && strstr(why, "mode"), "mode: %ld %s", st, why);
    st = start_live(camera, ",\"fps\":99", why, sizeof why);
    CHECK(st == 400 && strstr(why, "--webcam-fps"), "fps: %ld %s", st, why);
    st = start_live(camera, ",\"resolution\":\"641x480\"", why, sizeof why);
    CHECK(st == 400 && strstr(why, "--webcam-resolution"), "resolution: %ld %s", st, why);
    st = start_live(camera, ",\"mode\":\"v4l2\"", why, sizeof why);
    CHECK(st == 409 && strstr(why, "v4l2loopback"), "v4l2 without a loopback device: %ld %s", st, why);
    st = start_live(camera, ",\"options\":{\"--processors\":[\"expression_restorer\"]}", why, sizeof why);
    CHECK(st == 400 && strstr(why, "expression_restorer"), "refused processor: %ld %s", st, why);
    CHECK(!strcmp(live_state(), "failed") || !strcmp(live_state(), "idle"), "state %s", live_state());

    char url[512], body[256];
    const char *origin[] = {"Origin: http://evil.example", NULL};
    snprintf(url, sizeof url, "%sapi/live/start", base);
    snprintf(body, sizeof body, "{\"sources\":[\"%s\"]}", source_id);
    api_reply r = api_request("POST", url, origin, body, strlen(body));
    CHECK(r.status == 403, "foreign Origin: %ld", r.status);
    api_reply_free(&r);
    CHECK(strcmp(live_state(), "running") != 0, "a refused request started a session");
    stop_live();
}

static void test_stream_shows_the_swapped_camera_until_stopped(void)
{
    char why[1024], camera[1100], type[256];
    frames f;
    snprintf(camera, sizeof camera, "\"%s\"", clip);
    long st = start_live(camera, NULL, why, sizeof why);
    REQUIRE(st == 200, "start: %ld %s", st, why);
    CHECK(open_on(clip) > 0, "the camera file is not open while running");
    long status = read_stream(&f, 4, type, sizeof type);
    CHECK(status == 200 && strstr(type, "multipart/x-mixed-replace"), "stream: %ld %s", status, type);
    REQUIRE(f.count == 4, "%d JPEG frames read", f.count);

    static facefuse_image cam[64];
    int n = clip_frames(cam, 64);
    REQUIRE(n > 10, "the clip has %d frames", n);
    int distinct = 0, swapped = 0;
    for (int i = 0; i < f.count; i++) {
        const facefuse_image *s = &f.images[i];
        distinct += i > 0 && mean_diff(s, &f.images[i - 1], 0, 0, s->width, s->height) > 0.5;
        /* the camera frame it came from: the closest along the border (away from the face) */
        int best = -1;
        double best_border = 1e9;
        int bw = s->width / 8;
        for (int k = 0; k < n && cam[k].width == s->width && cam[k].height == s->height; k++) {
            double d = mean_diff(s, &cam[k], 0, 0, bw, s->height) + mean_diff(s, &cam[k], s->width - bw, 0, s->width,
                                                                              s->height);
            if (d < best_border)
                best_border = d, best = k;
        }
        REQUIRE(best >= 0, "stream frame %dx%d, camera %dx%d", s->width, s->height, cam[0].width, cam[0].height);
        double block = max_block_diff(s, &cam[best]);
        printf("  part %d: camera frame %d, border diff %.2f, largest block diff %.1f\n", i, best, best_border / 2,
               block);
        swapped += best_border / 2 < 6 && block > 25;
    }
    CHECK(distinct >= 2, "only %d of 3 frames differ from the one before", distinct);
    CHECK(swapped == f.count, "%d of %d frames show a swapped face on an unchanged camera frame", swapped, f.count);
    for (int k = 0; k < n; k++)
        facefuse_image_free(&cam[k]);
    frames_free(&f);

    json_t *j = get_json("api/live");
    json_t *stats = json_object_get(j, "stats");
    CHECK(!strcmp(json_string_value(json_object_get(j, "state")) ?: "", "running") &&
              json_integer_value(json_object_get(stats, "frames")) >= 4 &&
              json_real_value(json_object_get(stats, "latency_p50_ms")) > 0 &&
              json_real_value(json_object_get(stats, "latency_p95_ms")) >=
                  json_real_value(json_object_get(stats, "latency_p50_ms")),
          "GET /api/live: %s", json_dumps(j, 0));
    json_decref(j);

    stop_live();
    CHECK(!strcmp(live_state(), "idle"), "after stop: %s", live_state());
    CHECK(open_on(clip) == 0, "the camera file is still open after stop");
    status = read_stream(&f, 1, type, sizeof type);
    CHECK(status == 409 && f.count == 0, "stream after stop: %ld, %d frames", status, f.count);
    frames_free(&f);
}

static void test_second_start_while_running_is_409(void)
{
    char why[1024], camera[1100];
    snprintf(camera, sizeof camera, "\"%s\"", clip);
    REQUIRE(start_live(camera, NULL, why, sizeof why) == 200, "start: %s", why);
    long st = start_live(camera, NULL, why, sizeof why);
    CHECK(st == 409 && strstr(why, "running"), "second start: %ld %s", st, why);
    CHECK(!strcmp(live_state(), "running"), "the first session is %s", live_state());
    stop_live();
}

static void test_a_client_leaving_mid_stream_does_not_stop_the_server(void)
{
    char why[1024], camera[1100], type[256], req[256], buf[4096];
    frames f;
    snprintf(camera, sizeof camera, "\"%s\"", clip);
    REQUIRE(start_live(camera, NULL, why, sizeof why) == 200, "start: %s", why);
    for (int round = 0; round < 3; round++) {
        int fd = api_connect(fu_server_port(p.server));
        REQUIRE(fd >= 0, "connect");
        int len = snprintf(req, sizeof req, "GET /api/live/stream HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n",
                           fu_server_port(p.server));
        CHECK(write(fd, req, (size_t)len) == len, "write");
        ssize_t got = read(fd, buf, sizeof buf); /* the headers and part of a frame, then gone */
        CHECK(got > 0, "nothing read");
        close(fd);
    }
    long status = read_stream(&f, 2, type, sizeof type);
    CHECK(status == 200 && f.count == 2, "the next client: %ld, %d frames", status, f.count);
    frames_free(&f);
    CHECK(!strcmp(live_state(), "running"), "session %s", live_state());
    stop_live();
}

static void test_benchmark_rows_have_sane_figures(void)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"sources\":[\"%s\"],\"benchmark\":{\"--benchmark-mode\":\"cold\",\"--benchmark-resolutions\":"
             "[\"240p\"],\"--benchmark-cycle-count\":2}}",
             source_id);
    api_reply r = post("api/benchmark", body);
    CHECK(r.status == 202, "start: %ld %s", r.status, r.body);
    api_reply_free(&r);
    r = post("api/benchmark", body);
    CHECK(r.status == 409, "second start: %ld", r.status);
    api_reply_free(&r);
    json_t *j = NULL;
    double t0 = now_s();
    for (;;) {
        json_decref(j);
        j = get_json("api/benchmark");
        const char *state = json_string_value(json_object_get(j, "state")) ?: "";
        if (strcmp(state, "running") != 0 || now_s() - t0 > 120)
            break;
        usleep(200000);
    }
    json_t *row = json_array_get(json_object_get(j, "rows"), 0);
    double avg = json_real_value(json_object_get(row, "average_ms")),
           fast = json_real_value(json_object_get(row, "fastest_ms")),
           slow = json_real_value(json_object_get(row, "slowest_ms")),
           fps = json_real_value(json_object_get(row, "relative_fps"));
    printf("  240p: average %.0f ms, fastest %.0f, slowest %.0f, %.1f fps\n", avg, fast, slow, fps);
    CHECK(!strcmp(json_string_value(json_object_get(j, "state")) ?: "", "completed") &&
              json_array_size(json_object_get(j, "rows")) == 1,
          "benchmark: %s", json_dumps(j, 0));
    CHECK(json_integer_value(json_object_get(row, "frames")) == 50 &&
              json_integer_value(json_object_get(row, "cycle_count")) == 2 &&
              json_integer_value(json_object_get(row, "height")) == 240 && strstr(json_string_value(json_object_get(row, "target")) ?: "", "240p"),
          "row: %s", json_dumps(row, 0));
    CHECK(fast > 0 && fast <= avg + 1e-6 && avg <= slow + 1e-6, "timings %f %f %f", fast, avg, slow);
    CHECK(fabs(fps - 50.0 / (avg / 1000)) <= 0.02 * fps, "relative fps %f, average %f ms", fps, avg);
    json_decref(j);
}

static void test_server_stop_ends_a_running_session(void)
{
    char why[1024], camera[1100];
    snprintf(camera, sizeof camera, "\"%s\"", clip);
    REQUIRE(start_live(camera, NULL, why, sizeof why) == 200, "start: %s", why);
    double t0 = now_s();
    fu_server_stop(p.server);
    p.server = NULL;
    double took = now_s() - t0;
    CHECK(took < 10, "stopping the server took %.1f s", took);
    CHECK(open_on(clip) == 0, "the camera file is still open after the server stopped");
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    snprintf(clip, sizeof clip, "%s", tl_shared(CLIP));
    snprintf(no_loopback, sizeof no_loopback, "%s", tl_tmp("no-video4linux"));
    mkdir(no_loopback, 0755);

    pt_service_new(&p, DEFAULTS);
    fu_service table = fu_pipeline_service_table(p.service);
    fu_server_settings st = fu_server_default_settings();
    const char *layouts[] = {"webcam", "benchmark"};
    fu_err err;
    char locks[1024];
    snprintf(locks, sizeof locks, "%s", tl_tmp("locks"));
    mkdir(locks, 0755);
    st.port = 0;
    st.jobs_path = tl_tmp("jobs_live");
    st.lock_dir = locks;
    st.layouts = layouts;
    st.layout_count = 2;
    st.camera = clip;
    st.camera_loop = 1;
    st.camera_realtime = 1;
    st.webcam_fps = 30;
    st.video4linux_dir = no_loopback;
    if (fu_server_start(&st, &table, &p.server, &err) != FACEFUSE_OK) {
        fprintf(stderr, "server: %s\n", err.msg);
        return 2;
    }
    base = api_base(p.server);
    api_upload(base, tl_shared("samples/grace_hopper.jpg"), "face.jpg", source_id, sizeof source_id);
    if (!source_id[0]) {
        fprintf(stderr, "upload failed\n");
        return 2;
    }

    RUN(test_layouts_webcam_and_benchmark_are_taken);
    RUN(test_bad_live_requests_are_refused_by_name);
    RUN(test_stream_shows_the_swapped_camera_until_stopped);
    RUN(test_second_start_while_running_is_409);
    RUN(test_a_client_leaving_mid_stream_does_not_stop_the_server);
    RUN(test_benchmark_rows_have_sane_figures);
    RUN(test_server_stop_ends_a_running_session);
    pt_stop(&p);
    curl_global_cleanup();
    return tl_finish();
}
