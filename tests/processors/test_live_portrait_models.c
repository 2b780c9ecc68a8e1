/*
 * test_live_portrait_models.c — the six LivePortrait models are called as
 * FaceFusion calls them, with the stand-ins of tests/models/gen_live_portrait.py
 * (real files' contracts; outputs known functions of the inputs):
 * - the motion extractor's seven outputs are read in FaceFusion's order
 *   (pitch, yaw, roll, scale, translation, expression, motion points);
 * - the feature volume reaches the generator intact, and the generator's
 *   [0, 1] planar output comes back as interleaved 0..255 floats;
 * - the generator's and the stitcher's inputs are bound by NAME (the
 *   stand-ins declare them in an order a positional binding gets wrong);
 * - the retargeters get [posed keypoints, ratios..., goal];
 * - a generator whose inputs are not named as FaceFusion's is refused.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "processors/live_portrait.h"
#include "testlib.h"

#define IN_PX FU_LP_INPUT_PX
#define PLANE ((size_t)IN_PX * IN_PX)

static facefuse_context *ctx;
static fu_live_portrait *lp;
static float input[3 * IN_PX * IN_PX];
static float rgb[3 * FU_LP_CROP_PX * FU_LP_CROP_PX];

static void fill_constant(float r, float g, float b)
{
    for (size_t i = 0; i < PLANE; i++)
        input[i] = r, input[PLANE + i] = g, input[2 * PLANE + i] = b;
}

static int near(double a, double b, double tol)
{
    return fabs(a - b) <= tol;
}

static void test_motion_outputs_in_facefusion_order(void)
{
    fu_lp_motion m;
    fu_err err;
    fill_constant(0.2f, 0.6f, 0.9f);
    REQUIRE(fu_lp_extract_motion(lp, input, &m, &err) == FACEFUSE_OK, "motion: %s", err.msg);
    /* pitch 60(0.2−0.5), yaw 120(0.6−0.5), roll 40(0.9−0.5), scale 0.5+0.6 (the stand-in's float
     * mean of 65536 values is good to about 1e-4) */
    CHECK(near(m.pitch, -18, 0.01) && near(m.yaw, 12, 0.01) && near(m.roll, 16, 0.01),
          "angles (%g, %g, %g), expected (-18, 12, 16)", m.pitch, m.yaw, m.roll);
    CHECK(near(m.scale, 1.1, 1e-4), "scale %g, expected 1.1", m.scale);
    CHECK(near(m.translation[0], -0.03, 1e-5) && near(m.translation[1], 0.01, 1e-5) &&
              near(m.translation[2], 0.04, 1e-5),
          "translation (%g, %g, %g)", m.translation[0], m.translation[1], m.translation[2]);
    /* expression = pattern·(0.2 − 0.9); pattern[0][0] = 0.01 + 0.03·(0 − 5)/5 = −0.02,
     * pattern[1][2] = 0.01 + 0.03·((7+6)%11 − 5)/5 = −0.008 */
    CHECK(near(m.expression[0][0], 0.014, 1e-5) && near(m.expression[1][2], 0.0056, 1e-5),
          "expression[0][0] %g (expected 0.014), [1][2] %g (expected 0.0056)", m.expression[0][0],
          m.expression[1][2]);
    /* canonical keypoint 0 = (0.1 + 0.3, 0.05, 0.02 − 0.05) */
    CHECK(near(m.points[0][0], 0.4, 1e-6) && near(m.points[0][1], 0.05, 1e-6) && near(m.points[0][2], -0.03, 1e-6),
          "keypoint 0 (%g, %g, %g)", m.points[0][0], m.points[0][1], m.points[0][2]);
}

static void test_feature_volume_reaches_the_generator(void)
{
    fu_lp_points same;
    float *volume = NULL;
    fu_err err;
    for (int y = 0; y < IN_PX; y++)
        for (int x = 0; x < IN_PX; x++) {
            input[(size_t)y * IN_PX + x] = (float)x / 255.0f;          /* R: ramp in x */
            input[PLANE + (size_t)y * IN_PX + x] = (float)y / 255.0f;  /* G: ramp in y */
            input[2 * PLANE + (size_t)y * IN_PX + x] = 0.25f;          /* B */
        }
    memset(same, 0, sizeof same);
    REQUIRE(fu_lp_extract_feature(lp, input, &volume, &err) == FACEFUSE_OK, "feature: %s", err.msg);
    REQUIRE(fu_lp_generate(lp, volume, same, same, rgb, &err) == FACEFUSE_OK, "generate: %s", err.msg);
    /* 2× bilinear, half-pixel: crop pixel X samples input (X + 0.5)/2 − 0.5 */
    double worst = 0;
    for (int y = 2; y < FU_LP_CROP_PX - 2; y += 7)
        for (int x = 2; x < FU_LP_CROP_PX - 2; x += 5) {
            const float *p = rgb + ((size_t)y * FU_LP_CROP_PX + x) * 3;
            worst = fmax(worst, fabs(p[0] - ((x + 0.5) / 2 - 0.5)));
            worst = fmax(worst, fabs(p[1] - ((y + 0.5) / 2 - 0.5)));
            worst = fmax(worst, fabs(p[2] - 63.75));
        }
    CHECK(worst < 1e-3, "the rendered crop is off the input by %g levels", worst);
    free(volume);
}

static void test_generator_binds_source_and_target_by_name(void)
{
    fu_lp_points source, target;
    float *volume = NULL;
    fu_err err;
    fill_constant(0.5f, 0.5f, 0.5f);
    for (int k = 0; k < FU_LP_POINTS; k++) {
        target[k][0] = 0.1f * (float)k, target[k][1] = 0.2f, target[k][2] = -0.3f;
        source[k][0] = target[k][0] + 0.01f, source[k][1] = target[k][1], source[k][2] = target[k][2] - 0.02f;
    }
    REQUIRE(fu_lp_extract_feature(lp, input, &volume, &err) == FACEFUSE_OK, "feature: %s", err.msg);
    REQUIRE(fu_lp_generate(lp, volume, source, target, rgb, &err) == FACEFUSE_OK, "generate: %s", err.msg);
    /* stand-in: + 10·mean(source − target) = (0.1, 0, −0.2) → 127.5 + (25.5, 0, −51) */
    const float *p = rgb + ((size_t)300 * FU_LP_CROP_PX + 200) * 3;
    CHECK(near(p[0], 153, 0.01) && near(p[1], 127.5, 0.01) && near(p[2], 76.5, 0.01),
          "rendered (%g, %g, %g), expected (153, 127.5, 76.5): source and target swapped?", p[0], p[1], p[2]);
    free(volume);
}

static void test_stitcher_binds_by_name(void)
{
    fu_lp_points source, target, out;
    fu_err err;
    for (int k = 0; k < FU_LP_POINTS; k++)
        for (int a = 0; a < 3; a++)
            source[k][a] = 1.0f, target[k][a] = 2.0f;
    REQUIRE(fu_lp_stitch(lp, source, target, out, &err) == FACEFUSE_OK, "stitch: %s", err.msg);
    /* stand-in: source + 0.1·(target − source) */
    CHECK(near(out[7][1], 1.1, 1e-6), "stitched %g, expected 1.1 (1.9 if source and target were swapped)", out[7][1]);
}

static void test_retargeter_inputs(void)
{
    fu_lp_points posed, delta;
    fu_err err;
    for (int k = 0; k < FU_LP_POINTS; k++)
        for (int a = 0; a < 3; a++)
            posed[k][a] = 0.01f * (float)(3 * k + a);
    REQUIRE(fu_lp_retarget_eye(lp, posed, 0.31f, 0.29f, 0.6f, delta, &err) == FACEFUSE_OK, "eye: %s", err.msg);
    CHECK(near(delta[0][0], 0.31, 1e-6) && near(delta[0][1], 0.29, 1e-6) && near(delta[0][2], 0.6, 1e-6),
          "eye retargeter saw ratios (%g, %g) and goal %g", delta[0][0], delta[0][1], delta[0][2]);
    CHECK(near(delta[5][2], 0.5 * 0.17, 1e-6), "eye retargeter saw keypoint 5 z as %g", delta[5][2] / 0.5);
    REQUIRE(fu_lp_retarget_lip(lp, posed, 0.25f, 1.0f, delta, &err) == FACEFUSE_OK, "lip: %s", err.msg);
    CHECK(near(delta[0][0], 0.25, 1e-6) && near(delta[0][1], 1.0, 1e-6), "lip retargeter saw ratio %g, goal %g",
          delta[0][0], delta[0][1]);
    CHECK(near(delta[0][2], 0.25 * 0.02, 1e-6) && near(delta[20][2], 0.25 * 0.62, 1e-6),
          "lip retargeter saw keypoints %g, %g", delta[0][2] / 0.25, delta[20][2] / 0.25);
}

static void test_unnamed_generator_is_refused(void)
{
    static const char *const links[] = {
        "live_portrait_feature_extractor.onnx", "live_portrait_feature_extractor.onnx",
        "live_portrait_motion_extractor.onnx", "live_portrait_motion_extractor.onnx",
        "broken/live_portrait_generator_unnamed.onnx", "live_portrait_generator.onnx", NULL};
    facefuse_context *c = tl_context_at(tl_model_dir("unnamed", links), FACEFUSE_LOG_ERROR);
    fu_live_portrait *bad = NULL;
    fu_err err;
    CHECK(fu_live_portrait_open(c, FU_LP_RESTORER_MODELS, &bad, &err) == FACEFUSE_ERR_MODEL_CONTRACT && !bad &&
              strstr(err.msg, "'feature_volume'"),
          "a generator without FaceFusion's input names was accepted: %s", err.msg);
    fu_live_portrait_close(bad);
    facefuse_context_free(c);
}

int main(void)
{
    fu_err err;
    ctx = tl_context();
    if (fu_live_portrait_open(ctx, FU_LP_EDITOR_MODELS, &lp, &err) != FACEFUSE_OK) {
        fprintf(stderr, "cannot open the LivePortrait stand-ins: %s\n", err.msg);
        return 1;
    }
    RUN(test_motion_outputs_in_facefusion_order);
    RUN(test_feature_volume_reaches_the_generator);
    RUN(test_generator_binds_source_and_target_by_name);
    RUN(test_stitcher_binds_by_name);
    RUN(test_retargeter_inputs);
    RUN(test_unnamed_generator_is_refused);
    fu_live_portrait_close(lp);
    facefuse_context_free(ctx);
    return tl_finish();
}
