/*
 * test_expression_restorer_face.c — the expression restorer on a frame,
 * with the LivePortrait stand-ins (tests/models/gen_live_portrait.py):
 * - crops and warps: when the original and the processed frame are the
 *   same, the stand-ins give the crop back and the frame stays
 *   byte-identical outside the paste and within ±1 level inside it;
 * - factor 0 is a no-op: the frame is untouched and no model runs;
 * - the restored expression comes from the ORIGINAL frame's arcface_128
 *   crop, posed with the processed frame's motion, for the chosen areas
 *   only: the pasted shift equals the one predicted from the two crops'
 *   motions (the stand-in generator turns source − target into colour);
 * - the paste mask is box ∧ occlusion only (the occluder stand-in hides
 *   the crop's centre; the parser's region mask is not applied, as in
 *   FaceFusion);
 * - RGBA frames keep their alpha;
 * - on a frame an earlier processor enlarged, the original expression still
 *   comes from the same part of the face (the original cut at its own
 *   landmarks).
 */
#include "configlib.h"
#include "infer/ort.h"
#include "media/resize.h"
#include "live_portrait_testutil.h"
#include "processors/expression_restorer.h"

static facefuse_context *ctx;
static facefuse_image frame;
static facefuse_face face;

static fu_affine crop_affine(void)
{
    return fu_align_to_template(face.landmark_5_68, "arcface_128", FU_LP_CROP_PX);
}

/* Runs the restorer with `settings` on a copy of current, the original being `original`. */
static facefuse_image restored(const fu_expression_restorer_settings *s, const facefuse_image *original,
                               const facefuse_image *current)
{
    fu_expression_restorer *er = NULL;
    fu_err err;
    facefuse_image out = lp_copy(current);
    if (fu_expression_restorer_open(ctx, s, NULL, &er, &err) != FACEFUSE_OK ||
        fu_expression_restorer_face(er, original, &face, &out, &face, NULL, &err) != FACEFUSE_OK)
        fprintf(stderr, "    restore: %s\n", err.msg), tl_fail_at(__FILE__, __LINE__, "restore");
    fu_expression_restorer_close(er);
    return out;
}

static void test_round_trip_is_exact_to_a_level(void)
{
    const double none[3] = {0, 0, 0};
    fu_expression_restorer_settings s = fu_expression_restorer_default_settings();
    fu_affine a = crop_affine();
    int64_t runs = fu_ort_run_count();
    facefuse_image out = restored(&s, &frame, &frame);
    CHECK(fu_ort_run_count() - runs == 4, "%lld model runs, expected 4 (feature, 2 motions, generator)",
          (long long)(fu_ort_run_count() - runs));
    lp_diff d = lp_compare(&frame, &out, &a, none);
    CHECK(d.outside_changed == 0, "%d pixels changed outside the paste", d.outside_changed);
    CHECK(d.inside_n > 10000, "only %d pixels under the full mask", d.inside_n);
    /* everywhere inside the rectangle, not only under the full mask */
    int worst = 0;
    for (int y = 0; y < frame.height; y++)
        for (int x = 0; x < frame.width; x++)
            for (int c = 0; c < 3; c++)
                worst = abs(fu_pixel(&out, x, y)[c] - fu_pixel(&frame, x, y)[c]) > worst
                            ? abs(fu_pixel(&out, x, y)[c] - fu_pixel(&frame, x, y)[c])
                            : worst;
    CHECK(worst <= 1, "the round trip moved a pixel by %d levels", worst);
    facefuse_image_free(&out);
}

static void test_factor_zero_is_a_no_op(void)
{
    fu_expression_restorer_settings s = fu_expression_restorer_default_settings();
    facefuse_image original = lp_copy(&frame);
    for (int y = 0; y < original.height; y++)
        for (int x = 0; x < original.width; x++)
            fu_pixel(&original, x, y)[0] ^= 0x40;
    s.factor = 0;
    int64_t runs = fu_ort_run_count();
    facefuse_image out = restored(&s, &original, &frame);
    CHECK(memcmp(out.data, frame.data, (size_t)frame.stride * frame.height) == 0, "factor 0 changed the frame");
    CHECK(fu_ort_run_count() == runs, "factor 0 ran %lld models", (long long)(fu_ort_run_count() - runs));
    facefuse_image_free(&out);
    facefuse_image_free(&original);
}

/* The original frame with more red and less blue: the stand-in motion
 * extractor reads a different expression from it. */
static facefuse_image other_expression(void)
{
    facefuse_image o = lp_copy(&frame);
    for (int y = 0; y < o.height; y++)
        for (int x = 0; x < o.width; x++) {
            uint8_t *p = fu_pixel(&o, x, y);
            p[0] = (uint8_t)(p[0] + 60);
            p[2] = (uint8_t)(p[2] - 60);
        }
    return o;
}

static void check_restores(unsigned areas, int factor, const char *name)
{
    fu_expression_restorer_settings s = fu_expression_restorer_default_settings();
    fu_live_portrait *lp = NULL;
    fu_lp_motion original_motion, current_motion;
    fu_lp_points source, target;
    fu_err err;
    double shift[3];
    fu_affine a = crop_affine();
    facefuse_image original = other_expression();
    REQUIRE(fu_live_portrait_open(ctx, FU_LP_MOTION, &lp, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(lp_motion_of(lp, &original, &a, &original_motion) && lp_motion_of(lp, &frame, &a, &current_motion),
            "motions");
    fu_expression_restorer_keypoints(areas, fu_expression_restorer_mix(factor), &original_motion, &current_motion,
                                     source, target);
    lp_expected_shift(source, target, shift);
    s.areas = areas;
    s.factor = factor;
    facefuse_image out = restored(&s, &original, &frame);
    lp_diff d = lp_compare(&frame, &out, &a, shift);
    CHECK(fabs(shift[0]) > 3 || fabs(shift[1]) > 3, "%s: the test's shift (%.2f, %.2f, %.2f) is too small to see",
          name, shift[0], shift[1], shift[2]);
    CHECK(d.outside_changed == 0, "%s: %d pixels changed outside the paste", name, d.outside_changed);
    /* the blurred box mask is about 5% there */
    CHECK(d.edge_worst <= 1 + 0.08 * fmax(fabs(shift[0]), fmax(fabs(shift[1]), fabs(shift[2]))),
          "%s: the crop's edge, where the box mask is about 0, moved by %d levels", name, d.edge_worst);
    for (int c = 0; c < 3; c++)
        CHECK(d.worst[c] <= 1.5 && fabs(d.mean[c]) < 0.5,
              "%s: channel %d moved by shift %.2f %+.2f on average (worst %.2f off) under the full mask", name, c,
              shift[c], d.mean[c], d.worst[c]);
    fu_live_portrait_close(lp);
    facefuse_image_free(&out);
    facefuse_image_free(&original);
}

static void test_restores_the_original_expression(void)
{
    check_restores(FU_AREA_UPPER_FACE | FU_AREA_LOWER_FACE, 80, "both areas, factor 80");
    check_restores(FU_AREA_UPPER_FACE, 100, "upper-face, factor 100");
    check_restores(FU_AREA_LOWER_FACE, 35, "lower-face, factor 35");
}

/* xseg_1 stand-in: 0 on crop rows and columns [192, 320) (its [96, 160) of 256); bisenet stand-in:
 * background (masked out if regions applied) in the crop's bottom-right quarter. */
static void test_mask_is_box_and_occlusion_only(void)
{
    tl_config config;
    const fu_run_config *cfg = tl_config_init(&config, "--face-mask-types box occlusion region --face-mask-blur 0.3");
    fu_face_masker *m = NULL;
    fu_expression_restorer *er = NULL;
    fu_live_portrait *lp = NULL;
    fu_lp_motion om, cm;
    fu_lp_points source, target;
    fu_err err;
    double shift[3];
    fu_affine a = crop_affine();
    facefuse_image original = other_expression(), out = lp_copy(&frame);
    fu_expression_restorer_settings s = fu_expression_restorer_default_settings();
    REQUIRE(fu_face_masker_open(ctx, &cfg->masker, &m, &err) == FACEFUSE_OK, "masker: %s", err.msg);
    REQUIRE(fu_expression_restorer_open(ctx, &s, m, &er, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_expression_restorer_face(er, &original, &face, &out, &face, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_live_portrait_open(ctx, FU_LP_MOTION, &lp, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(lp_motion_of(lp, &original, &a, &om) && lp_motion_of(lp, &frame, &a, &cm), "motions");
    fu_expression_restorer_keypoints(s.areas, fu_expression_restorer_mix(s.factor), &om, &cm, source, target);
    lp_expected_shift(source, target, shift);
    int occluded = 0, shown = 0, bad_occluded = 0, bad_shown = 0;
    for (int y = 0; y < frame.height; y++)
        for (int x = 0; x < frame.width; x++) {
            facefuse_point c = fu_affine_apply(&a, (facefuse_point){(float)x, (float)y});
            const uint8_t *p = fu_pixel(&frame, x, y), *q = fu_pixel(&out, x, y);
            if (c.x >= 205 && c.y >= 205 && c.x < 307 && c.y < 307) {
                occluded++;
                bad_occluded += abs(q[0] - p[0]) > 1 || abs(q[1] - p[1]) > 1 || abs(q[2] - p[2]) > 1;
            } else if (c.x >= 120 && c.y >= 120 && c.x <= 392 && c.y <= 392 &&
                       !(c.x >= 170 && c.y >= 170 && c.x < 342 && c.y < 342)) {
                shown++;
                for (int ch = 0; ch < 3; ch++)
                    bad_shown += fabs(q[ch] - p[ch] - shift[ch]) > 1.5;
            }
        }
    CHECK(occluded > 1000 && bad_occluded == 0, "%d of %d occluded pixels changed", bad_occluded, occluded);
    CHECK(shown > 1000 && bad_shown == 0, "%d of %d unoccluded values (bottom-right, where the parser says "
          "background, included) are off the shift (%.1f, %.1f, %.1f)", bad_shown, shown, shift[0], shift[1],
          shift[2]);
    fu_live_portrait_close(lp);
    fu_expression_restorer_close(er);
    fu_face_masker_close(m);
    tl_config_free(&config);
    facefuse_image_free(&original), facefuse_image_free(&out);
}

static void test_rgba_keeps_alpha(void)
{
    fu_expression_restorer_settings s = fu_expression_restorer_default_settings();
    fu_expression_restorer *er = NULL;
    facefuse_image rgba = lp_frame(4);
    facefuse_image out = lp_copy(&rgba);
    fu_err err;
    REQUIRE(fu_expression_restorer_open(ctx, &s, NULL, &er, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_expression_restorer_face(er, &rgba, &face, &out, &face, NULL, &err) == FACEFUSE_OK, "rgba: %s",
          err.msg);
    fu_affine a = crop_affine();
    const double none[3] = {0, 0, 0};
    lp_diff d = lp_compare(&rgba, &out, &a, none);
    CHECK(d.alpha_changed == 0 && d.outside_changed == 0 && d.worst[0] <= 1 && d.worst[2] <= 1,
          "RGBA: alpha changed at %d, outside at %d, worst %.0f", d.alpha_changed, d.outside_changed, d.worst[0]);
    fu_expression_restorer_close(er);
    facefuse_image_free(&rgba), facefuse_image_free(&out);
}

static facefuse_face scaled(facefuse_face f, float k)
{
    for (int i = 0; i < 4; i++)
        f.box[i] *= k;
    for (int i = 0; i < 5; i++) {
        f.landmark_5[i].x *= k, f.landmark_5[i].y *= k;
        f.landmark_5_68[i].x *= k, f.landmark_5_68[i].y *= k;
    }
    for (int i = 0; i < 68; i++)
        f.landmark_68[i].x *= k, f.landmark_68[i].y *= k;
    return f;
}

/* After frame_enhancer the frame is larger than the original: the original
 * crop is cut at the face's landmarks in the original's coordinates, so it
 * shows the same part of the face (FaceFusion cuts the smaller original at
 * the enlarged frame's landmarks: another region, another expression). */
static void test_enlarged_frame_restores_from_the_same_face(void)
{
    fu_expression_restorer_settings s = fu_expression_restorer_default_settings();
    fu_expression_restorer *er = NULL;
    fu_live_portrait *lp = NULL;
    fu_lp_motion om, cm, wrong;
    fu_lp_points source, target;
    fu_err err;
    double shift[3], wrong_shift[3];
    facefuse_image original = lp_copy(&frame), big = {0};
    /* another expression on the face only (within 90 px of its centre) */
    for (int y = 0; y < original.height; y++)
        for (int x = 0; x < original.width; x++)
            if ((x - 200) * (x - 200) + (y - 210) * (y - 210) < 90 * 90) {
                uint8_t *p = fu_pixel(&original, x, y);
                p[0] = (uint8_t)(p[0] + 60);
                p[2] = (uint8_t)(p[2] - 60);
            }
    const facefuse_face big_face = scaled(face, 2.0f);
    REQUIRE(fu_resize(&frame, &big, 2 * LP_FRAME_PX, 2 * LP_FRAME_PX) == FACEFUSE_OK, "resize");
    facefuse_image out = lp_copy(&big);
    fu_affine a0 = crop_affine(), a = fu_align_to_template(big_face.landmark_5_68, "arcface_128", FU_LP_CROP_PX);
    REQUIRE(fu_expression_restorer_open(ctx, &s, NULL, &er, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_expression_restorer_face(er, &original, &face, &out, &big_face, NULL, &err) == FACEFUSE_OK, "%s",
            err.msg);
    REQUIRE(fu_live_portrait_open(ctx, FU_LP_MOTION, &lp, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(lp_motion_of(lp, &original, &a0, &om) && lp_motion_of(lp, &big, &a, &cm) &&
                lp_motion_of(lp, &original, &a, &wrong),
            "motions");
    fu_expression_restorer_keypoints(s.areas, fu_expression_restorer_mix(s.factor), &om, &cm, source, target);
    lp_expected_shift(source, target, shift);
    fu_expression_restorer_keypoints(s.areas, fu_expression_restorer_mix(s.factor), &wrong, &cm, source, target);
    lp_expected_shift(source, target, wrong_shift);
    CHECK(fabs(shift[0] - wrong_shift[0]) > 3 || fabs(shift[1] - wrong_shift[1]) > 3,
          "the test cannot tell the right crop (%.2f, %.2f) from the wrong one (%.2f, %.2f)", shift[0], shift[1],
          wrong_shift[0], wrong_shift[1]);
    lp_diff d = lp_compare(&big, &out, &a, shift);
    CHECK(d.outside_changed == 0, "%d pixels changed outside the paste", d.outside_changed);
    CHECK(d.inside_n > 10000, "only %d pixels under the full mask", d.inside_n);
    for (int c = 0; c < 3; c++)
        CHECK(d.worst[c] <= 1.5 && fabs(d.mean[c]) < 0.5,
              "channel %d: shift %.2f %+.2f on average (worst %.2f off) under the full mask", c, shift[c], d.mean[c],
              d.worst[c]);
    fu_live_portrait_close(lp);
    fu_expression_restorer_close(er);
    facefuse_image_free(&original), facefuse_image_free(&big), facefuse_image_free(&out);
}

int main(void)
{
    ctx = tl_context();
    frame = lp_frame(3);
    face = lp_face();
    RUN(test_round_trip_is_exact_to_a_level);
    RUN(test_factor_zero_is_a_no_op);
    RUN(test_restores_the_original_expression);
    RUN(test_mask_is_box_and_occlusion_only);
    RUN(test_rgba_keeps_alpha);
    RUN(test_enlarged_frame_restores_from_the_same_face);
    facefuse_image_free(&frame);
    facefuse_context_free(ctx);
    return tl_finish();
}
