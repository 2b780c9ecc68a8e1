/*
 * webcam_stream.c — the web UI's webcam layout in inline mode, end to end:
 * `facefuse run --camera CLIP --camera-loop --camera-realtime` on the real
 * pipeline (server/pipeline_service.h), POST /api/live/start, then one
 * client reading GET /api/live/stream (MJPEG) for SECONDS.
 *
 *   bench_webcam_stream [MODEL_DIR] [SECONDS (8)] [RESOLUTIONS... (640x480 1280x720)]
 *
 * Per resolution it prints the camera's frames in the last second, the
 * frames the client received per second, the
 * live run's frames out per second and drops (the last second, GET
 * /api/live), and the latency from the capture to the JPEG ready in the
 * stream (p50/p95 of the last 128 frames, measured by the server). The
 * camera is the shared 2 s clip of a face, scaled to cover each
 * resolution; the chain is face_swapper (inswapper_128) with SCRFD 320x320
 * on 2 threads. Without MODEL_DIR the test suite's stand-in models are
 * generated: the figures are then the server's, the decoder's, detection's,
 * the chain's and JPEG's share, not a real swapper's inference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "benchutil.h"

#include "core/option.h"
#include "pipeline/config.h"
#include "server/pipeline_service.h"
#include "server/server.h"

typedef struct reader {
    double until;
    long frames;
    size_t bytes;
} reader;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static size_t sink(char *data, size_t size, size_t n, void *user)
{
    reader *r = user;
    size_t add = size * n;
    /* each part starts with the boundary line */
    for (size_t i = 0; i + 15 <= add; i++)
        if (data[i] == '-' && memcmp(data + i, "--facefuseframe", 15) == 0)
            r->frames++;
    r->bytes += add;
    return now_s() < r->until ? add : 0;
}

static size_t collect(char *data, size_t size, size_t n, void *user)
{
    char **buf = user;
    size_t old = *buf ? strlen(*buf) : 0, add = size * n;
    *buf = realloc(*buf, old + add + 1);
    memcpy(*buf + old, data, add);
    (*buf)[old + add] = '\0';
    return add;
}

static json_t *request(const char *method, const char *url, const void *body, size_t size, long *status)
{
    char *text = NULL;
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &text);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)size);
    }
    curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(c);
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    if (!j && text)
        fprintf(stderr, "%s %s: %s\n", method, url, text);
    free(text);
    return j;
}

static void *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *d = malloc((size_t)n);
    *size = fread(d, 1, (size_t)n, f);
    fclose(f);
    return d;
}

int main(int argc, char **argv)
{
    char dir[1024], url[512], clip[1200], face[1200], body[1024];
    const char *resolutions_default[] = {"640x480", "1280x720"};
    const char **resolutions = resolutions_default;
    int n_res = 2;
    double seconds = argc > 2 ? atof(argv[2]) : 8;
    long status;
    fu_err err;

    if (argc > 3) {
        resolutions = (const char **)argv + 3;
        n_res = argc - 3;
    }
    if (bench_model_dir(argc, argv, dir, sizeof dir) != 0)
        return 1;
    snprintf(clip, sizeof clip, "%s/../shared/samples/grace_hopper_zoom_2s.mp4", FACEFUSE_SOURCE_DIR);
    snprintf(face, sizeof face, "%s/../shared/samples/grace_hopper.jpg", FACEFUSE_SOURCE_DIR);
    curl_global_init(CURL_GLOBAL_DEFAULT);

    facefuse_context *ctx = bench_open_context(dir);
    fu_optset set;
    int ng;
    const fu_option_group *const *groups = fu_run_option_groups(&ng);
    char *args[] = {"--processors", "face_swapper", "--face-swapper-model", "inswapper_128",
                    "--face-detector-model", "scrfd", "--face-detector-size", "320x320",
                    "--execution-thread-count", "2"};
    fu_pipeline_service *service;
    fu_server *server;
    if (fu_optset_init(&set, groups, ng, &err) != FACEFUSE_OK ||
        fu_optset_parse_args(&set, 10, args, 0, &err) != FACEFUSE_OK ||
        fu_pipeline_service_new(ctx, &set, &service, &err) != FACEFUSE_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    fu_service table = fu_pipeline_service_table(service);
    fu_server_settings st = fu_server_default_settings();
    char jobs[] = "/tmp/facefuse-bench-webcam-XXXXXX";
    if (!mkdtemp(jobs))
        return 1;
    const char *layouts[] = {"webcam"};
    st.port = 0;
    st.jobs_path = jobs;
    st.layouts = layouts;
    st.layout_count = 1;
    st.camera = clip;
    st.camera_loop = 1;
    st.camera_realtime = 1;
    st.webcam_fps = 30;
    if (fu_server_start(&st, &table, &server, &err) != FACEFUSE_OK) {
        fprintf(stderr, "server: %s\n", err.msg);
        return 1;
    }
    int port = fu_server_port(server);

    size_t size;
    void *photo = slurp(face, &size);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/files?name=face.jpg", port);
    json_t *up = request("POST", url, photo, size, &status);
    free(photo);
    const char *id = json_string_value(json_object_get(up, "id"));
    if (!id) {
        fprintf(stderr, "upload failed (%ld)\n", status);
        return 1;
    }

    printf("webcam inline mode: camera = %s (looped, real time), face_swapper + scrfd 320, %.0f s each\n",
           "grace_hopper_zoom_2s.mp4", seconds);
    printf("%-10s %10s %12s %10s %10s %14s %14s\n", "resolution", "camera fps", "client fps", "run fps", "dropped/s",
           "latency p50 ms", "latency p95 ms");
    for (int i = 0; i < n_res; i++) {
        snprintf(url, sizeof url, "http://127.0.0.1:%d/api/live/start", port);
        snprintf(body, sizeof body, "{\"sources\":[\"%s\"],\"camera\":\"%s\",\"resolution\":\"%s\",\"fps\":30}", id,
                 clip, resolutions[i]);
        json_t *j = request("POST", url, body, strlen(body), &status);
        json_decref(j);
        if (status != 200) {
            fprintf(stderr, "start %s: %ld\n", resolutions[i], status);
            continue;
        }
        reader r = {now_s() + seconds, 0, 0};
        snprintf(url, sizeof url, "http://127.0.0.1:%d/api/live/stream", port);
        CURL *c = curl_easy_init();
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
        double t0 = now_s();
        curl_easy_perform(c);
        double took = now_s() - t0;
        curl_easy_cleanup(c);
        snprintf(url, sizeof url, "http://127.0.0.1:%d/api/live", port);
        j = request("GET", url, NULL, 0, &status);
        json_t *s = json_object_get(j, "stats");
        printf("%-10s %10lld %12.1f %10.1f %10lld %14.0f %14.0f\n", resolutions[i],
               (long long)json_integer_value(json_object_get(s, "frames_in")), r.frames / took,
               json_number_value(json_object_get(s, "fps")), (long long)json_integer_value(json_object_get(s, "dropped")),
               json_number_value(json_object_get(s, "latency_p50_ms")),
               json_number_value(json_object_get(s, "latency_p95_ms")));
        json_decref(j);
        snprintf(url, sizeof url, "http://127.0.0.1:%d/api/live/stop", port);
        j = request("POST", url, "", 0, &status);
        json_decref(j);
    }
    json_decref(up);
    fu_server_stop(server);
    fu_pipeline_service_free(service);
    facefuse_context_free(ctx);
    fu_optset_free(&set);
    curl_global_cleanup();
    return 0;
}
