/*
 * test_nonfinite_model_outputs.c — models that return NaN and infinities
 * (stand-ins from tests/models/gen_hostile.py, as an fp16 model can):
 * nothing is undefined (the suite runs with float-cast-overflow checks), a
 * swapper's or face enhancer's bad face is left as it was (the image is
 * byte-identical, not a black box), a frame enhancer's bad tiles become the
 * frame's own pixels repeated (not black), a detector's NaN or infinite
 * boxes are no faces while its good detection stays, and each model is
 * named once in a warning.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "infer/context.h"
#include "processors/frame_enhancer.h"
#include "testlib.h"

static char warnings[16384];
static int nonfinite_warnings;

static void capture(facefuse_log_level level, const char *message, void *ud)
{
    (void)ud;
    if (level != FACEFUSE_LOG_WARN || !strstr(message, "NaN"))
        return;
    nonfinite_warnings++;
    strncat(warnings, message, sizeof warnings - strlen(warnings) - 2);
    strcat(warnings, "\n");
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
    warnings[0] = '\0';
    nonfinite_warnings = 0;
    return ctx;
}

static facefuse_analysis_params analysis(const char *detector, const char *recognizer)
{
    facefuse_analysis_params p = facefuse_analysis_default_params();
    p.detector_model = detector;
    p.landmarker_model = NULL;
    p.landmark_5_to_68_model = NULL;
    p.recognizer_model = recognizer;
    return p;
}

static int same_pixels(const facefuse_image *a, const facefuse_image *b)
{
    if (a->width != b->width || a->height != b->height || a->channels != b->channels)
        return 0;
    for (int y = 0; y < a->height; y++)
        if (memcmp(fu_pixel(a, 0, y), fu_pixel(b, 0, y), (size_t)a->width * a->channels))
            return 0;
    return 1;
}

static void swapper_nan_leaves_the_face_as_it_was(void)
{
    const char *links[] = {"hostile/nan_swapper_128.onnx", "inswapper_128.onnx", NULL};
    facefuse_context *ctx = context_on(tl_model_dir("nan-swap", links));
    REQUIRE(facefuse_register_recognizer(ctx, "recognizer512", tl_test_models("recognizer512.onnx"), 112, 0.5f,
                                         0.5f) == FACEFUSE_OK, "register");
    facefuse_analysis_params ap = analysis("scrfd", "recognizer512");
    facefuse_image source = tl_load(ctx, "samples/astronaut.png"), target = tl_load(ctx, "samples/grace_hopper.jpg");
    facefuse_image original = {0};
    REQUIRE(fu_image_copy(&original, &target) == FACEFUSE_OK, "copy");
    facefuse_source_identity *id = NULL;
    facefuse_face *faces = NULL;
    int n = 0;
    REQUIRE(facefuse_source_identity_from_images(ctx, &source, 1, &ap, &id) == FACEFUSE_OK, "%s",
            facefuse_context_errmsg(ctx));
    REQUIRE(facefuse_detect_faces(ctx, &target, &ap, &faces, &n) == FACEFUSE_OK && n >= 1, "%d faces", n);
    facefuse_swapper_params sp = facefuse_swapper_default_params();
    sp.model = "inswapper_128";
    for (int round = 0; round < 2; round++)
        CHECK(facefuse_swap_faces(ctx, &sp, id, &target, faces, n) == FACEFUSE_OK, "%s",
              facefuse_context_errmsg(ctx));
    CHECK(same_pixels(&target, &original), "a NaN swap changed the image");
    CHECK(nonfinite_warnings == 1 && strstr(warnings, "inswapper_128.onnx"), "%d warnings: %s", nonfinite_warnings,
          warnings);
    facefuse_faces_free(faces);
    facefuse_source_identity_free(id);
    facefuse_image_free(&source);
    facefuse_image_free(&target);
    facefuse_image_free(&original);
    facefuse_context_free(ctx);
}

static void enhancer_nan_leaves_the_face_as_it_was(void)
{
    facefuse_context *ctx = context_on(tl_model_dir_with("nan-enhance", "gfpgan_1.4.onnx", "hostile/nan_enhancer_512.onnx"));
    facefuse_analysis_params ap = analysis("scrfd", NULL);
    facefuse_image image = tl_load(ctx, "samples/grace_hopper.jpg"), original = {0};
    REQUIRE(fu_image_copy(&original, &image) == FACEFUSE_OK, "copy");
    facefuse_face *faces = NULL;
    int n = 0;
    REQUIRE(facefuse_detect_faces(ctx, &image, &ap, &faces, &n) == FACEFUSE_OK && n >= 1, "%d faces", n);
    facefuse_enhancer_params ep = facefuse_enhancer_default_params();
    ep.model = "gfpgan_1.4";
    CHECK(facefuse_enhance_faces(ctx, &ep, &image, faces, n) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
    CHECK(same_pixels(&image, &original), "a NaN enhancement changed the image");
    CHECK(nonfinite_warnings == 1 && strstr(warnings, "gfpgan_1.4.onnx"), "%d warnings: %s", nonfinite_warnings,
          warnings);
    facefuse_faces_free(faces);
    facefuse_image_free(&image);
    facefuse_image_free(&original);
    facefuse_context_free(ctx);
}

static void frame_enhancer_nan_tiles_repeat_the_frame(void)
{
    facefuse_context *ctx = context_on(tl_model_dir_with("nan-frame", "real_esrgan_x4.onnx", "hostile/nan_frame_x4.onnx"));
    fu_session *s = NULL;
    fu_err err;
    REQUIRE(fu_context_session(ctx, "real_esrgan_x4", &s, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    facefuse_image in = {0}, out = {0};
    REQUIRE(facefuse_image_alloc(&in, 150, 90, 3) == FACEFUSE_OK, "alloc");
    for (int i = 0; i < 150 * 90 * 3; i++)
        in.data[i] = (uint8_t)(40 + (i * 7) % 200);
    REQUIRE(fu_frame_enhance(s, fu_frame_enhancer_config("real_esrgan_x4"), &in, 100, &out, NULL, &err) ==
                FACEFUSE_OK, "%s", err.msg);
    long wrong = 0;
    for (int y = 0; y < out.height; y++)
        for (int x = 0; x < out.width; x++)
            wrong += memcmp(fu_pixel(&out, x, y), fu_pixel(&in, x / 4, y / 4), 3) != 0;
    CHECK(out.width == 600 && out.height == 360 && wrong == 0, "%dx%d, %ld pixels not the frame's own", out.width,
          out.height, wrong);
    CHECK(nonfinite_warnings == 1 && strstr(warnings, "real_esrgan_x4.onnx"), "%d warnings: %s", nonfinite_warnings,
          warnings);
    facefuse_image_free(&in);
    facefuse_image_free(&out);
    facefuse_context_free(ctx);
}

static void detector_nan_boxes_are_no_faces(void)
{
    facefuse_context *ctx = context_on(tl_model_dir_with("nan-detect", "yoloface_8n.onnx", "hostile/nan_yoloface.onnx"));
    facefuse_analysis_params ap = analysis("yolo_face", NULL);
    facefuse_image canvas = {0};
    facefuse_face *faces = NULL;
    int n = 0;
    REQUIRE(facefuse_image_alloc(&canvas, 640, 640, 3) == FACEFUSE_OK, "alloc");
    REQUIRE(facefuse_detect_faces(ctx, &canvas, &ap, &faces, &n) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
    REQUIRE(n == 1, "%d faces (the NaN and infinite ones must be dropped)", n);
    CHECK(fabsf(faces[0].box[0] - 270) < 0.5f && fabsf(faces[0].box[1] - 130) < 0.5f &&
              fabsf(faces[0].box[2] - 370) < 0.5f && fabsf(faces[0].box[3] - 270) < 0.5f,
          "box %.1f %.1f %.1f %.1f", faces[0].box[0], faces[0].box[1], faces[0].box[2], faces[0].box[3]);
    for (int k = 0; k < 5; k++)
        CHECK(isfinite(faces[0].landmark_5[k].x) && isfinite(faces[0].landmark_5[k].y), "landmark %d", k);
    CHECK(nonfinite_warnings == 1 && strstr(warnings, "yoloface_8n.onnx"), "%d warnings: %s", nonfinite_warnings,
          warnings);
    facefuse_faces_free(faces);
    facefuse_image_free(&canvas);
    facefuse_context_free(ctx);
}

int main(void)
{
    RUN(swapper_nan_leaves_the_face_as_it_was);
    RUN(enhancer_nan_leaves_the_face_as_it_was);
    RUN(frame_enhancer_nan_tiles_repeat_the_frame);
    RUN(detector_nan_boxes_are_no_faces);
    return tl_finish();
}
