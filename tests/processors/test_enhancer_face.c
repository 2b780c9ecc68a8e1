/*
 * test_enhancer_face.c — the face enhancer on a real face (astronaut,
 * scrfd) with stand-in models (tests/models/gen_enhancer.py):
 * - the crop it feeds the model is the face aligned to ffhq_512 at 512 px:
 *   a stand-in whose output encodes crop coordinates (R = x, G = y) makes
 *   the pasted frame say which crop pixel landed on each frame pixel, which
 *   must be our own ffhq_512 alignment of the face;
 * - the input is RGB in [−1, 1]: an identity stand-in gives the face back;
 * - the whole-frame blend: 0 leaves the frame as it was, 100 is the pasted
 *   frame, 50 their midpoint (±1 per pixel);
 * - CodeFormer's weight reaches its float64 `weight` input.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/geometry.h"
#include "core/image.h"
#include "enhance_testutil.h"
#include "processors/face_enhancer.h"

static facefuse_context *ctx;
static facefuse_image image;
static facefuse_face face;

static facefuse_image enhanced(const char *model, float weight, int blend)
{
    fu_face_enhancer *fe = NULL;
    fu_err err;
    facefuse_image out = et_copy(&image);
    if (fu_face_enhancer_open(ctx, model, 0.3f, weight, NULL, &fe, &err) != FACEFUSE_OK ||
        fu_face_enhancer_enhance_face(fe, &out, &face, blend, NULL, &err) != FACEFUSE_OK)
        fprintf(stderr, "    enhance %s: %s\n", model, err.msg), tl_fail_at(__FILE__, __LINE__, "enhance");
    fu_face_enhancer_close(fe);
    return out;
}

static void test_model_sees_the_ffhq_512_crop(void)
{
    facefuse_image out = enhanced("gfpgan_1.4", 0.5f, 100);
    fu_affine a = fu_align_to_template(face.landmark_5_68, "ffhq_512", 512);
    double worst = 0;
    int n = 0;
    for (int y = 0; y < out.height; y++)
        for (int x = 0; x < out.width; x++) {
            facefuse_point c = fu_affine_apply(&a, (facefuse_point){(float)x, (float)y});
            /* where the box mask (38 px strip, σ 19) is 1 */
            if (c.x < 100 || c.y < 100 || c.x > 411 || c.y > 411)
                continue;
            const uint8_t *p = fu_pixel(&out, x, y);
            double dx = fabs(p[0] - c.x * 255.0 / 511.0), dy = fabs(p[1] - c.y * 255.0 / 511.0);
            worst = fmax(worst, fmax(dx, dy));
            worst = fmax(worst, p[2]);
            n++;
        }
    CHECK(n > 5000, "only %d frame pixels inside the crop's full-mask area", n);
    CHECK(worst <= 1.0, "frame pixels disagree with the ffhq_512 crop coordinates by %.2f levels", worst);
    facefuse_image_free(&out);
}

static void test_identity_model_gives_the_face_back(void)
{
    facefuse_image out = enhanced("gfpgan_1.4", 0.5f, 100);
    double sum = 0;
    int n = 0;
    for (int y = (int)face.box[1]; y < (int)face.box[3]; y++)
        for (int x = (int)face.box[0]; x < (int)face.box[2]; x++)
            for (int c = 0; c < 3; c++, n++)
                sum += abs(fu_pixel(&out, x, y)[c] - fu_pixel(&image, x, y)[c]);
    CHECK(n > 0 && sum / n < 3.0, "identity enhancer changed the face by %.2f levels on average", sum / n);
    facefuse_image_free(&out);
}

static void test_blend_0_50_100(void)
{
    facefuse_image b0 = enhanced("gfpgan_1.4", 0.5f, 0), b50 = enhanced("gfpgan_1.4", 0.5f, 50);
    facefuse_image b100 = enhanced("gfpgan_1.4", 0.5f, 100);
    int changed0 = 0, off50 = 0, changed100 = 0;
    for (int y = 0; y < image.height; y++)
        for (int x = 0; x < image.width; x++)
            for (int c = 0; c < 3; c++) {
                int o = fu_pixel(&image, x, y)[c], p = fu_pixel(&b100, x, y)[c], m = fu_pixel(&b50, x, y)[c];
                changed0 += fu_pixel(&b0, x, y)[c] != o;
                changed100 += p != o;
                off50 += fabs(m - (o + p) / 2.0) > 1.0;
            }
    CHECK(changed0 == 0, "blend 0 changed %d values", changed0);
    CHECK(changed100 > 10000, "blend 100 changed only %d values", changed100);
    CHECK(off50 == 0, "blend 50: %d values are more than 1 from the midpoint", off50);
    facefuse_image_free(&b0), facefuse_image_free(&b50), facefuse_image_free(&b100);
}

static void test_codeformer_weight_reaches_the_model(void)
{
    const float weights[2] = {0.2f, 0.8f};
    fu_face_enhancer *fe = NULL;
    fu_err err;
    REQUIRE(fu_face_enhancer_open(ctx, "codeformer", 0.3f, 0.5f, NULL, &fe, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_face_enhancer_has_weight(fe), "codeformer's weight input not found");
    fu_face_enhancer_close(fe);
    fu_affine a = fu_align_to_template(face.landmark_5_68, "ffhq_512", 512);
    facefuse_point centre = fu_affine_apply((fu_affine[]){fu_affine_invert(&a)}, (facefuse_point){256, 256});
    for (int i = 0; i < 2; i++) {
        facefuse_image out = enhanced("codeformer", weights[i], 100);
        const uint8_t *p = fu_pixel(&out, (int)centre.x, (int)centre.y);
        int want = (int)lroundf(weights[i] * 255);
        CHECK(abs(p[0] - want) <= 1 && abs(p[1] - want) <= 1 && abs(p[2] - want) <= 1,
              "weight %.1f: face centre (%d, %d, %d), expected %d", weights[i], p[0], p[1], p[2], want);
        facefuse_image_free(&out);
    }
}

int main(void)
{
    const char *const links[] = {"enhancer_ramp_512.onnx", "gfpgan_1.4.onnx", "codeformer.onnx", "codeformer.onnx",
                                 NULL};
    ctx = tl_context_at(tl_model_dir("models", links), FACEFUSE_LOG_ERROR);
    image = tl_load(ctx, "samples/astronaut.png");
    face = et_largest_face(ctx, &image);
    RUN(test_model_sees_the_ffhq_512_crop);
    RUN(test_blend_0_50_100);
    RUN(test_codeformer_weight_reaches_the_model);
    facefuse_image_free(&image);
    facefuse_context_free(ctx);

    /* The identity stand-in is the cache's own gfpgan_1.4. */
    ctx = tl_context();
    image = tl_load(ctx, "samples/astronaut.png");
    face = et_largest_face(ctx, &image);
    RUN(test_identity_model_gives_the_face_back);
    facefuse_image_free(&image);
    facefuse_context_free(ctx);
    return tl_finish();
}
