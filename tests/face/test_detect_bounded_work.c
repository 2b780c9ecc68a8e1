/*
 * test_detect_bounded_work.c — a detector firing everywhere (8400 boxes that
 * never overlap, tests/models/gen_hostile.py) gives at most
 * FU_MAX_FACES_PER_FRAME faces, the best-scoring, quickly and with one
 * warning; detector margins that would make a padded frame past the image
 * size limit are an error naming the limit, before anything is allocated.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/image.h"
#include "face/analyse.h"
#include "testlib.h"

static char warnings[4096];

static void capture(facefuse_log_level level, const char *message, void *ud)
{
    (void)ud;
    if (level == FACEFUSE_LOG_WARN && strstr(message, "faces"))
        strncat(warnings, message, sizeof warnings - strlen(warnings) - 1);
}

static facefuse_context *context_on(const char *dir)
{
    facefuse_context_params p = facefuse_context_default_params();
    facefuse_context *ctx = NULL;
    p.model_dir = dir;
    p.allow_download = 0;
    p.log_level = FACEFUSE_LOG_WARN;
    p.log_callback = capture;
    if (facefuse_context_new(&p, &ctx) != FACEFUSE_OK)
        exit(2);
    return ctx;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void a_detector_firing_everywhere_is_capped(void)
{
    facefuse_context *ctx =
        context_on(tl_model_dir_with("everywhere", "yoloface_8n.onnx", "hostile/everywhere_yoloface.onnx"));
    facefuse_analysis_params ap = facefuse_analysis_default_params();
    ap.detector_model = "yolo_face";
    ap.landmarker_model = NULL;
    ap.landmark_5_to_68_model = NULL;
    ap.recognizer_model = NULL;
    facefuse_image canvas = {0};
    facefuse_face *faces = NULL;
    int n = 0;
    REQUIRE(facefuse_image_alloc(&canvas, 640, 640, 3) == FACEFUSE_OK, "alloc");
    double t0 = now_s();
    REQUIRE(facefuse_detect_faces(ctx, &canvas, &ap, &faces, &n) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
    double took = now_s() - t0;
    CHECK(n == FU_MAX_FACES_PER_FRAME, "%d faces", n);
    CHECK(strstr(warnings, "only the 128") != NULL, "no warning about the cap: %s", warnings);
    CHECK(took < 30, "took %.1f s", took);
    printf("    8400 detections → %d faces in %.2f s\n", n, took);
    facefuse_faces_free(faces);
    facefuse_image_free(&canvas);
    facefuse_context_free(ctx);
}

static void margins_past_the_size_limit_are_refused(void)
{
    facefuse_context *ctx = context_on(tl_test_models(""));
    facefuse_analysis_params ap = facefuse_analysis_default_params();
    ap.detector_model = "scrfd";
    ap.landmarker_model = NULL;
    ap.landmark_5_to_68_model = NULL;
    ap.recognizer_model = NULL;
    for (int i = 0; i < 4; i++)
        ap.detector_margin[i] = 100;
    facefuse_image big = {0};
    facefuse_face *faces = NULL;
    int n = 0;
    /* 7500² pixels; padded by half its size on every side: 15000², 225 MP */
    REQUIRE(facefuse_image_alloc(&big, 7500, 7500, 3) == FACEFUSE_OK, "alloc");
    facefuse_status st = facefuse_detect_faces(ctx, &big, &ap, &faces, &n);
    CHECK(st == FACEFUSE_ERR_INVALID_ARGUMENT, "status %d", st);
    CHECK(strstr(facefuse_context_errmsg(ctx), "margins") && strstr(facefuse_context_errmsg(ctx), "15000x15000") &&
              strstr(facefuse_context_errmsg(ctx), "200 megapixels"),
          "message: %s", facefuse_context_errmsg(ctx));
    facefuse_image_free(&big);
    facefuse_context_free(ctx);
}

static void the_size_check_names_the_limit(void)
{
    fu_err err;
    CHECK(fu_image_size_check(16000, 12000, "x", &err) == FACEFUSE_OK, "192 MP is allowed");
    CHECK(fu_image_size_check(28800, 28800, "out.png", &err) == FACEFUSE_ERR_INVALID_ARGUMENT &&
              strstr(err.msg, "out.png") && strstr(err.msg, "28800x28800"),
          "%s", err.msg);
    CHECK(fu_image_size_check(70000, 10, "wide", &err) == FACEFUSE_ERR_INVALID_ARGUMENT, "65535 px a side");
    facefuse_image im = {0};
    CHECK(facefuse_image_alloc(&im, 30000, 30000, 3) == FACEFUSE_ERR_INVALID_ARGUMENT && !im.data,
          "an image past the limit was allocated");
}

int main(void)
{
    RUN(a_detector_firing_everywhere_is_capped);
    RUN(margins_past_the_size_limit_are_refused);
    RUN(the_size_check_names_the_limit);
    return tl_finish();
}
