/*
 * test_enhancer_cli.c — the enhancers from the command line:
 * - face_enhancer alone restores an old photo (no source, no swap) with the
 *   stand-in gfpgan_1.4 of the test model cache; with the coordinate-ramp
 *   stand-in in its place the face visibly changes and the corners do not;
 * - frame_enhancer writes the image at the model's scale;
 * - frame_enhancer before a face processor: that processor works on the
 *   enlarged frame with the faces scaled to it (FaceFusion's scale_face).
 */
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "media/resize.h"
#include "enhance_testutil.h"

static facefuse_context *ctx;

static void test_enhance_old_photo_without_swap(void)
{
    facefuse_image im = tl_load(ctx, "samples/astronaut.png"), out = {0};
    char args[4096], *err_text = NULL;
    const char *old = tl_tmp("old.jpg"), *res = tl_tmp("restored.jpg");
    REQUIRE(facefuse_image_save(ctx, old, &im, 95) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' --processors face_enhancer --face-enhancer-model "
             "gfpgan_1.4 --face-detector-model scrfd --face-landmarker-score 0 --log-level error", old, res);
    int code = tl_run_cli(args, NULL, &err_text);
    CHECK(code == 0, "exit %d: %s", code, err_text ? err_text : "");
    free(err_text);
    REQUIRE(facefuse_image_load(ctx, res, &out) == FACEFUSE_OK, "no output: %s", facefuse_context_errmsg(ctx));
    CHECK(out.width == im.width && out.height == im.height, "output %dx%d", out.width, out.height);
    facefuse_image_free(&out);

    /* The ramp stand-in as gfpgan_1.4: the face centre loses its blue. */
    const char *const links[] = {"enhancer_ramp_512.onnx", "gfpgan_1.4.onnx", NULL};
    const char *dir = tl_model_dir("ramp", links);
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' --processors face_enhancer --face-enhancer-blend 100 "
             "--face-detector-model scrfd --face-landmarker-score 0 --log-level error --model-dir '%s'", old, res,
             dir);
    code = tl_run_cli(args, NULL, &err_text);
    CHECK(code == 0, "exit %d: %s", code, err_text ? err_text : "");
    free(err_text);
    REQUIRE(facefuse_image_load(ctx, res, &out) == FACEFUSE_OK, "no output");
    facefuse_face face = et_largest_face(ctx, &im);
    int cx = (int)((face.box[0] + face.box[2]) / 2), cy = (int)((face.box[1] + face.box[3]) / 2);
    CHECK(fu_pixel(&out, cx, cy)[2] < 12, "face centre blue %d, expected ~0", fu_pixel(&out, cx, cy)[2]);
    int corner = abs(fu_pixel(&out, 2, 2)[2] - fu_pixel(&im, 2, 2)[2]);
    CHECK(corner < 12, "a corner changed by %d", corner);
    facefuse_image_free(&out);
    facefuse_image_free(&im);
}

static void test_frame_enhancer_enlarges(void)
{
    facefuse_image im = {0}, out = {0};
    char args[4096], *err_text = NULL;
    const char *in = tl_tmp("small.png"), *res = tl_tmp("large.png");
    facefuse_image_alloc(&im, 40, 30, 3);
    for (int i = 0; i < 40 * 30 * 3; i++)
        im.data[i] = (uint8_t)(i * 7);
    REQUIRE(facefuse_image_save(ctx, in, &im, 90) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' --processors frame_enhancer --frame-enhancer-model "
             "real_esrgan_x4 --frame-enhancer-blend 100 --face-detector-model scrfd --face-landmarker-score 0 "
             "--log-level error", in, res);
    int code = tl_run_cli(args, NULL, &err_text);
    CHECK(code == 0, "exit %d: %s", code, err_text ? err_text : "");
    free(err_text);
    REQUIRE(facefuse_image_load(ctx, res, &out) == FACEFUSE_OK, "no output");
    CHECK(out.width == 160 && out.height == 120, "output %dx%d, expected 160x120", out.width, out.height);
    /* nearest ×4 stand-in at blend 100: pixel (4x+1, 4y+2) is input (x, y) */
    CHECK(memcmp(fu_pixel(&out, 4 * 13 + 1, 4 * 7 + 2), fu_pixel(&im, 13, 7), 3) == 0, "enlarged pixel differs");
    facefuse_image_free(&out);
    facefuse_image_free(&im);
}

/* 1 when a pure red pixel (the debugger's box colour) lies within r px of (x, y). */
static int red_near(const facefuse_image *im, int x, int y, int r)
{
    for (int v = y - r; v <= y + r; v++)
        for (int u = x - r; u <= x + r; u++)
            if (u >= 0 && v >= 0 && u < im->width && v < im->height) {
                const uint8_t *p = fu_pixel(im, u, v);
                if (p[0] > 240 && p[1] < 20 && p[2] < 20)
                    return 1;
            }
    return 0;
}

static void test_face_processor_after_frame_enhancer_sees_scaled_faces(void)
{
    facefuse_image big = tl_load(ctx, "samples/astronaut.png"), im = {0}, out = {0};
    char args[4096], *err_text = NULL;
    const char *in = tl_tmp("face256.png"), *res = tl_tmp("face1024.png");
    REQUIRE(fu_resize(&big, &im, 256, 256) == FACEFUSE_OK, "resize");
    REQUIRE(facefuse_image_save(ctx, in, &im, 95) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
    facefuse_face face = et_largest_face(ctx, &im);
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' --processors frame_enhancer face_debugger "
             "--face-debugger-items bounding-box --frame-enhancer-model real_esrgan_x4 --frame-enhancer-blend 100 "
             "--face-detector-model scrfd --face-landmarker-score 0 --log-level error", in, res);
    int code = tl_run_cli(args, NULL, &err_text);
    CHECK(code == 0, "exit %d: %s", code, err_text ? err_text : "");
    free(err_text);
    REQUIRE(facefuse_image_load(ctx, res, &out) == FACEFUSE_OK, "no output");
    REQUIRE(out.width == 1024 && out.height == 1024, "output %dx%d", out.width, out.height);
    int x1 = (int)face.box[0], y1 = (int)face.box[1], x2 = (int)face.box[2], y2 = (int)face.box[3];
    /* the box is drawn where the face is on the enlarged frame ... */
    CHECK(red_near(&out, 4 * x1, 2 * (y1 + y2), 4) && red_near(&out, 4 * x2, 2 * (y1 + y2), 4) &&
              red_near(&out, 2 * (x1 + x2), 4 * y2, 4),
          "no box edge at the scaled face box (%d,%d)-(%d,%d)", 4 * x1, 4 * y1, 4 * x2, 4 * y2);
    /* ... and not where the unscaled box would have been */
    CHECK(!red_near(&out, x2, (y1 + y2) / 2, 2) && !red_near(&out, (x1 + x2) / 2, y2, 2),
          "a box edge at the unscaled face coordinates");
    facefuse_image_free(&out);
    facefuse_image_free(&im);
    facefuse_image_free(&big);
}

int main(void)
{
    ctx = tl_context();
    RUN(test_enhance_old_photo_without_swap);
    RUN(test_frame_enhancer_enlarges);
    RUN(test_face_processor_after_frame_enhancer_sees_scaled_faces);
    facefuse_context_free(ctx);
    return tl_finish();
}
