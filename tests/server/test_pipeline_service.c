/*
 * test_pipeline_service.c — the web UI's service on the real pipeline
 * (server/pipeline_service.h), called directly, with the stand-in models:
 * - options come from the tables: processing options with their group,
 *   module, type, choices (less refused values, only processors this build
 *   has), range and step, the `run` defaults as defaults; no path, job or
 *   front-end option;
 * - validate completes a step from the run's defaults and names a bad option;
 * - the reference-face gallery lists faces in --reference-face-position
 *   order (large-small and small-large give opposite orders);
 * - preview caches: with the target and the source deleted, the same
 *   options preview again (decoded frame and prepared chain kept), also at
 *   a smaller preview resolution; a moved slider prepares the chain again
 *   (the source is needed, and missing);
 * - a job step runs in process: a video step reports progress to its total,
 *   stops on the cancel flag leaving no output, two steps run at once on
 *   the one context with the same result, and between jobs
 *   --video-memory-strategy strict unloads every model, moderate keeps the
 *   face analysers, tolerant keeps all.
 */
#include <pthread.h>

#include <jansson.h>

#include "core/image.h"
#include "infer/context.h"
#include "media/image_io.h"
#include "media/resize.h"
#include "pipelinetest.h"
#include "processors/processor.h"

#define SWAP "--processors face_swapper --face-swapper-model inswapper_128 --face-detector-model scrfd"

static json_t *option_named(json_t *list, const char *name)
{
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o) if (!strcmp(json_string_value(json_object_get(o, "name")), name)) return o;
    return NULL;
}

static void test_options_come_from_the_tables(void)
{
    pt_server p;
    fu_service t;
    char *text = NULL;
    fu_err err;
    pt_service_new(&p, SWAP " --face-swapper-weight 0.7 --execution-thread-count 2");
    t = fu_pipeline_service_table(p.service);
    REQUIRE(t.options(t.user, &text, &err) == FACEFUSE_OK, "%s", err.msg);
    json_t *list = json_loads(text, 0, NULL);
    REQUIRE(json_is_array(list) && json_array_size(list) > 50, "options: %.200s", text);
    json_t *w = option_named(list, "--face-swapper-weight");
    REQUIRE(w, "no --face-swapper-weight");
    CHECK(!strcmp(json_string_value(json_object_get(w, "type")), "float") &&
              json_real_value(json_object_get(w, "default")) > 0.69 &&
              json_real_value(json_object_get(w, "default")) < 0.71 &&
              json_number_value(json_object_get(w, "max")) == 1 && json_number_value(json_object_get(w, "step")) > 0 &&
              !strcmp(json_string_value(json_object_get(w, "module")), "face_swapper") &&
              !strcmp(json_string_value(json_object_get(w, "group")), "processors"),
          "weight: %s", json_dumps(w, 0));
    json_t *procs = json_object_get(option_named(list, "--processors"), "choices");
    size_t i;
    json_t *c;
    int has_swapper = 0, built = 0;
    json_array_foreach(procs, i, c) {
        has_swapper |= !strcmp(json_string_value(c), "face_swapper");
        CHECK(fu_processor_find(json_string_value(c)) != NULL, "%s is offered but not built", json_string_value(c));
    }
    fu_processor_all(&built);
    CHECK(has_swapper, "face_swapper not offered");
    CHECK((int)json_array_size(procs) == built, "%zu processors offered, %d built", json_array_size(procs), built);
    json_t *angles = option_named(list, "--face-detector-angles");
    CHECK(angles && json_is_integer(json_array_get(json_object_get(angles, "choices"), 0)) &&
              json_is_integer(json_array_get(json_object_get(angles, "default"), 0)) &&
              json_is_true(json_object_get(angles, "multiple")),
          "angles are a list of numbers");
    json_t *strategy = json_object_get(option_named(list, "--workflow-strategy"), "choices");
    CHECK(json_array_size(strategy) == 1, "a refused value (disk) is offered");
    const char *hidden[] = {"--target-path", "--source-paths", "--output-path", "--execution-thread-count",
                            "--execution-providers", "--video-memory-strategy", "--temp-path", "--model-dir",
                            "--log-level", NULL};
    for (int k = 0; hidden[k]; k++)
        CHECK(!option_named(list, hidden[k]), "%s is offered to the page", hidden[k]);
    json_decref(list);
    free(text);

    /* validate: the step completed from the run's defaults; errors name the option */
    char *step = NULL, req[2048];
    snprintf(req, sizeof req, "{\"--target-path\":[\"%s\"],\"--face-mask-blur\":[\"0.5\"]}",
             tl_shared("samples/astronaut.png"));
    REQUIRE(t.validate(t.user, req, &step, &err) == FACEFUSE_OK, "%s", err.msg);
    json_t *s = json_loads(step, 0, NULL);
    CHECK(!strcmp(json_string_value(json_array_get(json_object_get(s, "--face-swapper-weight"), 0)) ?: "", "0.7") &&
              !strcmp(json_string_value(json_array_get(json_object_get(s, "--face-mask-blur"), 0)) ?: "", "0.5") &&
              !strcmp(json_string_value(json_array_get(json_object_get(s, "--face-swapper-model"), 0)) ?: "",
                      "inswapper_128") &&
              !json_object_get(s, "--execution-thread-count"),
          "completed step: %s", step);
    json_decref(s);
    free(step);
    CHECK(t.validate(t.user, "{\"--face-mask-blur\":[\"2\"]}", NULL, &err) != FACEFUSE_OK &&
              strstr(err.msg, "--face-mask-blur"),
          "bad value: %s", err.msg);
    CHECK(t.validate(t.user, "{\"--execution-providers\":[\"cpu\"]}", NULL, &err) != FACEFUSE_OK &&
              strstr(err.msg, "--execution-providers"),
          "job key: %s", err.msg);
    pt_stop(&p);
}

/* grace_hopper at full size on the left and at half size on the right. */
static const char *two_faces(void)
{
    facefuse_image g = {0}, half = {0}, both = {0};
    const char *path = tl_tmp("two faces.png");
    if (fu_image_read(tl_shared("samples/grace_hopper.jpg"), &g, NULL) != FACEFUSE_OK ||
        fu_resize(&g, &half, g.width / 2, g.height / 2) != FACEFUSE_OK ||
        facefuse_image_alloc(&both, g.width + half.width, g.height, 3) != FACEFUSE_OK)
        return NULL;
    memset(both.data, 40, (size_t)both.stride * both.height);
    for (int y = 0; y < g.height; y++)
        memcpy(fu_pixel(&both, 0, y), fu_pixel(&g, 0, y), (size_t)g.width * 3);
    for (int y = 0; y < half.height; y++)
        memcpy(fu_pixel(&both, g.width, y + g.height / 4), fu_pixel(&half, 0, y), (size_t)half.width * 3);
    fu_image_write(path, &both, 100, NULL);
    facefuse_image_free(&g);
    facefuse_image_free(&half);
    facefuse_image_free(&both);
    return path;
}

static void test_gallery_in_reference_position_order(void)
{
    pt_server p;
    fu_service_face *faces = NULL;
    int n = 0;
    fu_err err;
    char req[2048];
    const char *path = two_faces();
    REQUIRE(path, "cannot make the two-face image");
    pt_service_new(&p, SWAP);
    fu_service t = fu_pipeline_service_table(p.service);
    const char *orders[] = {"large-small", "small-large"};
    float first_width[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        snprintf(req, sizeof req, "{\"--target-path\":[\"%s\"],\"--face-selector-order\":[\"%s\"]}", path, orders[k]);
        REQUIRE(t.faces(t.user, req, 0, &faces, &n, &err) == FACEFUSE_OK, "%s", err.msg);
        CHECK(n == 2, "%s: %d faces", orders[k], n);
        if (n == 2) {
            first_width[k] = faces[0].box[2] - faces[0].box[0];
            CHECK(faces[0].thumbnail.size > 100 && !strcmp(faces[0].thumbnail.mime, "image/jpeg"), "thumbnail");
        }
        fu_service_faces_free(faces, n);
    }
    CHECK(first_width[0] > 1.5f * first_width[1], "face 0 is %.0f px wide large-small, %.0f small-large",
          first_width[0], first_width[1]);
    pt_stop(&p);
}

/* An encoded image the service returned, decoded. */
static facefuse_status decode(const fu_service_image *im, facefuse_image *out)
{
    return fu_image_read_memory(im->data, im->size, "preview", out, NULL);
}

static long pixels_differing(const fu_service_image *a, const fu_service_image *b)
{
    facefuse_image x = {0}, y = {0};
    long n = -1;
    if (decode(a, &x) == FACEFUSE_OK && decode(b, &y) == FACEFUSE_OK && x.width == y.width && x.height == y.height) {
        n = 0;
        for (int r = 0; r < x.height; r++)
            for (int c = 0; c < x.width; c++) {
                const uint8_t *p = fu_pixel(&x, c, r), *q = fu_pixel(&y, c, r);
                n += abs(p[0] - q[0]) + abs(p[1] - q[1]) + abs(p[2] - q[2]) > 24;
            }
    }
    facefuse_image_free(&x);
    facefuse_image_free(&y);
    return n;
}

static void test_preview_caches_frame_and_chain(void)
{
    pt_server p;
    fu_service_image frame = {0}, first = {0}, again = {0}, moved = {0};
    fu_err err;
    char req[4096], target[1024], source[1024], cmd[2200];
    snprintf(target, sizeof target, "%s", tl_tmp("target copy.png"));
    snprintf(source, sizeof source, "%s", tl_tmp("source copy.jpg"));
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && cp '%s' '%s'", tl_shared("samples/astronaut.png"), target,
             tl_shared("samples/grace_hopper.jpg"), source);
    REQUIRE(system(cmd) == 0, "copies");
    pt_service_new(&p, SWAP);
    fu_service t = fu_pipeline_service_table(p.service);
    snprintf(req, sizeof req, "{\"--source-paths\":[\"%s\"],\"--target-path\":[\"%s\"]}", source, target);
    REQUIRE(t.frame(t.user, target, 0, &frame, &err) == FACEFUSE_OK, "frame: %s", err.msg);
    REQUIRE(t.preview(t.user, req, 0, 0, &first, &err) == FACEFUSE_OK, "preview: %s", err.msg);
    long changed = pixels_differing(&frame, &first);
    CHECK(changed > 1000, "the preview differs from the frame in %ld pixels", changed);

    unlink(target);
    unlink(source);
    CHECK(t.preview(t.user, req, 0, 0, &again, &err) == FACEFUSE_OK, "the same preview without the files: %s", err.msg);
    CHECK(again.size == first.size && !memcmp(again.data, first.data, first.size), "the repeated preview differs");
    facefuse_image small = {0};
    fu_service_image_free(&again);
    CHECK(t.preview(t.user, req, 0, 256, &again, &err) == FACEFUSE_OK && decode(&again, &small) == FACEFUSE_OK &&
              small.width == 256 && small.height == 256,
          "a 256 px preview is %dx%d", small.width, small.height);
    facefuse_image_free(&small);
    snprintf(req, sizeof req,
             "{\"--source-paths\":[\"%s\"],\"--target-path\":[\"%s\"],\"--face-swapper-weight\":[\"0.9\"]}", source,
             target);
    facefuse_status st = t.preview(t.user, req, 0, 0, &moved, &err);
    CHECK(st != FACEFUSE_OK && strstr(err.msg, "source copy"),
          "a moved slider did not prepare the chain again (status %d: %s)", st, err.msg);
    fu_service_image_free(&frame);
    fu_service_image_free(&first);
    fu_service_image_free(&again);
    fu_service_image_free(&moved);
    pt_stop(&p);
}

/* A step as the server stores it: the request completed by validate. */
static facefuse_status run_step(fu_service *t, const char *req, const fu_job_progress *progress, volatile int *cancel,
                                fu_err *err)
{
    char *step = NULL;
    facefuse_status st = t->validate(t->user, req, &step, err);
    if (st == FACEFUSE_OK)
        st = t->run_step(t->user, step, progress, cancel, err);
    free(step);
    return st;
}

typedef struct progress_seen {
    int64_t last_done, total;
    int calls;
    volatile int *cancel_at_3;
} progress_seen;

static void on_progress(void *user, int64_t done, int64_t total, double fps)
{
    progress_seen *s = user;
    (void)fps;
    s->calls++;
    s->last_done = done;
    s->total = total;
    if (s->cancel_at_3 && done >= 3)
        *s->cancel_at_3 = 1;
}

static void test_video_step_progress_and_cancel(void)
{
    pt_server p;
    fu_err err;
    char req[4096];
    volatile int cancel = 0;
    progress_seen seen = {0};
    fu_job_progress progress = {on_progress, &seen};
    pt_service_new(&p, "--processors face_debugger --face-detector-model scrfd");
    fu_service t = fu_pipeline_service_table(p.service);
    snprintf(req, sizeof req,
             "{\"--target-path\":[\"%s\"],\"--output-path\":[\"%s\"],\"--trim-frame-end\":[\"4\"]}",
             tl_shared("samples/grace_hopper_zoom_2s.mp4"), tl_tmp("step.mp4"));
    REQUIRE(run_step(&t, req, &progress, &cancel, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(seen.calls > 0 && seen.total == 4 && seen.last_done == 4, "progress %lld of %lld (%d calls)",
          (long long)seen.last_done, (long long)seen.total, seen.calls);
    CHECK(access(tl_tmp("step.mp4"), F_OK) == 0, "no output");

    snprintf(req, sizeof req, "{\"--target-path\":[\"%s\"],\"--output-path\":[\"%s\"]}",
             tl_shared("samples/grace_hopper_zoom_2s.mp4"), tl_tmp("cancelled.mp4"));
    memset(&seen, 0, sizeof seen);
    seen.cancel_at_3 = &cancel;
    facefuse_status st = run_step(&t, req, &progress, &cancel, &err);
    CHECK(st == FACEFUSE_ERR_CANCELLED, "status %d: %s", st, err.msg);
    CHECK(access(tl_tmp("cancelled.mp4"), F_OK) != 0, "a cancelled step left its output");
    pt_stop(&p);
}

typedef struct concurrent_step {
    fu_service *t;
    char req[4096];
    facefuse_status st;
    fu_err err;
} concurrent_step;

static void *run_concurrent(void *p)
{
    concurrent_step *c = p;
    volatile int cancel = 0;
    c->st = run_step(c->t, c->req, NULL, &cancel, &c->err);
    return NULL;
}

/* Two jobs at once (--ui-job-concurrency 2) on the one context: both
 * complete, with the same pixels. */
static void test_steps_run_concurrently(void)
{
    pt_server p;
    concurrent_step c[2];
    pthread_t th[2];
    facefuse_image a = {0}, b = {0};
    pt_service_new(&p, "--processors face_debugger --face-detector-model scrfd");
    fu_service t = fu_pipeline_service_table(p.service);
    for (int i = 0; i < 2; i++) {
        char out[32];
        snprintf(out, sizeof out, "concurrent%d.png", i);
        c[i].t = &t;
        snprintf(c[i].req, sizeof c[i].req, "{\"--target-path\":[\"%s\"],\"--output-path\":[\"%s\"]}",
                 tl_shared("samples/astronaut.png"), tl_tmp(out));
        pthread_create(&th[i], NULL, run_concurrent, &c[i]);
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        CHECK(c[i].st == FACEFUSE_OK, "step %d: %s", i, c[i].err.msg);
    }
    if (fu_image_read(tl_tmp("concurrent0.png"), &a, NULL) == FACEFUSE_OK &&
        fu_image_read(tl_tmp("concurrent1.png"), &b, NULL) == FACEFUSE_OK)
        CHECK(a.width == b.width && a.height == b.height && !memcmp(a.data, b.data, (size_t)a.stride * a.height),
              "the two outputs differ");
    else
        CHECK(0, "outputs missing");
    facefuse_image_free(&a);
    facefuse_image_free(&b);
    pt_stop(&p);
}

/* Sessions open after one image step with the strategy. */
static void sessions_after_a_job(const char *strategy, int *open, int *processors_open)
{
    pt_server p;
    fu_err err;
    char args[512], req[4096];
    volatile int cancel = 0;
    snprintf(args, sizeof args, SWAP " --video-memory-strategy %s", strategy);
    pt_service_new(&p, args);
    fu_service t = fu_pipeline_service_table(p.service);
    snprintf(req, sizeof req, "{\"--source-paths\":[\"%s\"],\"--target-path\":[\"%s\"],\"--output-path\":[\"%s\"]}",
             tl_shared("samples/grace_hopper.jpg"), tl_shared("samples/astronaut.png"), tl_tmp("swapped.png"));
    *open = *processors_open = -1;
    if (run_step(&t, req, NULL, &cancel, &err) != FACEFUSE_OK) {
        CHECK(0, "%s: %s", strategy, err.msg);
        pt_stop(&p);
        return;
    }
    *open = *processors_open = 0;
    for (int i = 0; i < p.ctx->n_sessions; i++) {
        if (!p.ctx->sessions[i].session)
            continue;
        (*open)++;
        *processors_open += p.ctx->sessions[i].def->kind == FACEFUSE_MODEL_SWAPPER;
    }
    /* a preview still works after the unloading (the models load again) */
    fu_service_image im = {0};
    if (!strcmp(strategy, "strict"))
        CHECK(t.preview(t.user, req, 0, 1024, &im, &err) == FACEFUSE_OK, "preview after %s: %s", strategy, err.msg);
    fu_service_image_free(&im);
    pt_stop(&p);
}

static void test_memory_strategy_between_jobs(void)
{
    int open, swappers;
    sessions_after_a_job("strict", &open, &swappers);
    CHECK(open == 0, "strict: %d sessions left", open);
    sessions_after_a_job("moderate", &open, &swappers);
    CHECK(open > 0 && swappers == 0, "moderate: %d sessions, %d swappers", open, swappers);
    sessions_after_a_job("tolerant", &open, &swappers);
    CHECK(swappers == 1, "tolerant: %d sessions, %d swappers", open, swappers);
}

/* A preview whose chain makes alpha (the chroma keyer with a transparent
 * fill) comes back as PNG with the screen transparent and the subject
 * opaque; an opaque preview stays JPEG. */
static void test_transparent_preview_is_png(void)
{
    pt_server p;
    facefuse_image screen = {0}, got = {0};
    fu_service_image im = {0};
    fu_err err;
    char req[2048], target[1024];
    snprintf(target, sizeof target, "%s", tl_tmp("green screen.png"));
    REQUIRE(facefuse_image_alloc(&screen, 200, 160, 3) == FACEFUSE_OK, "alloc");
    for (int y = 0; y < screen.height; y++)
        for (int x = 0; x < screen.width; x++) {
            uint8_t *px = screen.data + (size_t)y * screen.stride + (size_t)x * 3;
            int subject = x >= 70 && x < 130 && y >= 50 && y < 110;
            px[0] = subject ? 180 : 20;
            px[1] = subject ? 120 : 200;
            px[2] = subject ? 100 : 30;
        }
    REQUIRE(fu_image_write(target, &screen, 95, &err) == FACEFUSE_OK, "write: %s", err.msg);
    facefuse_image_free(&screen);
    pt_service_new(&p, "--processors background_remover --background-remover-model chroma_key "
                       "--background-remover-fill-color 0 0 0 0");
    fu_service t = fu_pipeline_service_table(p.service);
    snprintf(req, sizeof req, "{\"--target-path\":[\"%s\"]}", target);
    REQUIRE(t.preview(t.user, req, 0, 0, &im, &err) == FACEFUSE_OK, "preview: %s", err.msg);
    CHECK(!strcmp(im.mime, "image/png"), "a transparent preview is %s", im.mime);
    REQUIRE(decode(&im, &got) == FACEFUSE_OK && got.channels == 4, "the preview has %d channels", got.channels);
    CHECK(got.data[3] == 0, "the screen's corner has alpha %d", got.data[3]);
    CHECK(got.data[(size_t)80 * got.stride + 100 * 4 + 3] == 255, "the subject has alpha %d",
          got.data[(size_t)80 * got.stride + 100 * 4 + 3]);
    facefuse_image_free(&got);
    fu_service_image_free(&im);
    pt_stop(&p);
}

int main(void)
{
    RUN(test_options_come_from_the_tables);
    RUN(test_gallery_in_reference_position_order);
    RUN(test_preview_caches_frame_and_chain);
    RUN(test_transparent_preview_is_png);
    RUN(test_video_step_progress_and_cancel);
    RUN(test_steps_run_concurrently);
    RUN(test_memory_strategy_between_jobs);
    return tl_finish();
}
