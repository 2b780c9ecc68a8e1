/*
 * test_face_editor_face.c — the face editor on a frame, with the
 * LivePortrait stand-ins (tests/models/gen_live_portrait.py):
 * - all sliders at 0 is a no-op: the frame is untouched, no model runs;
 * - the crop is the 5/68 landmarks ×1.5 about the nose, aligned to
 *   ffhq_512 at 512²; outside its paste nothing changes, under the full box
 *   mask the frame moves by exactly the shift the stand-in generator makes
 *   of the edited keypoints (predicted from the crop's motion), for an
 *   expression slider, a head slider, and the eye and lip retargeters
 *   (fed the 68-point ratios);
 * - the stitcher runs: its stand-in pulls the source 10% towards the target.
 */
#include "infer/ort.h"
#include "live_portrait_testutil.h"
#include "processors/face_editor.h"

static facefuse_context *ctx;
static facefuse_image frame;
static facefuse_face face;

static fu_affine crop_affine(void)
{
    facefuse_point lm5[5];
    fu_face_editor_landmarks(face.landmark_5_68, lm5);
    return fu_align_to_template(lm5, "ffhq_512", FU_LP_CROP_PX);
}

static void test_all_sliders_zero_is_a_no_op(void)
{
    fu_face_editor_settings s = fu_face_editor_default_settings();
    fu_face_editor *fe = NULL;
    fu_err err;
    facefuse_image out = lp_copy(&frame);
    REQUIRE(fu_face_editor_open(ctx, &s, &fe, &err) == FACEFUSE_OK, "%s", err.msg);
    int64_t runs = fu_ort_run_count();
    CHECK(fu_face_editor_face(fe, &out, &face, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(memcmp(out.data, frame.data, (size_t)frame.stride * frame.height) == 0, "no edit changed the frame");
    CHECK(fu_ort_run_count() == runs, "no edit ran %lld models", (long long)(fu_ort_run_count() - runs));
    fu_face_editor_close(fe);
    facefuse_image_free(&out);
}

static void check_edit(const fu_face_editor_settings *s, const char *name, int runs_expected)
{
    fu_face_editor *fe = NULL;
    fu_live_portrait *lp = NULL;
    fu_lp_motion m;
    fu_lp_points source, target;
    fu_err err;
    double shift[3];
    fu_affine a = crop_affine();
    facefuse_image out = lp_copy(&frame);
    REQUIRE(fu_face_editor_open(ctx, s, &fe, &err) == FACEFUSE_OK, "%s: %s", name, err.msg);
    REQUIRE(fu_live_portrait_open(ctx, FU_LP_MOTION, &lp, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(lp_motion_of(lp, &frame, &a, &m), "motion");
    REQUIRE(fu_face_editor_keypoints(fe, &m, face.landmark_68, source, target, &err) == FACEFUSE_OK, "%s", err.msg);
    lp_expected_shift(source, target, shift);
    int64_t runs = fu_ort_run_count();
    REQUIRE(fu_face_editor_face(fe, &out, &face, NULL, &err) == FACEFUSE_OK, "%s: %s", name, err.msg);
    CHECK(fu_ort_run_count() - runs == runs_expected, "%s: %lld model runs, expected %d", name,
          (long long)(fu_ort_run_count() - runs), runs_expected);
    lp_diff d = lp_compare(&frame, &out, &a, shift);
    CHECK(fabs(shift[0]) + fabs(shift[1]) + fabs(shift[2]) > 3, "%s: the shift (%.2f, %.2f, %.2f) is too small to see",
          name, shift[0], shift[1], shift[2]);
    CHECK(d.outside_changed == 0, "%s: %d pixels changed outside the paste", name, d.outside_changed);
    /* the blurred box mask is about 5% there */
    CHECK(d.edge_worst <= 1 + 0.08 * fmax(fabs(shift[0]), fmax(fabs(shift[1]), fabs(shift[2]))),
          "%s: the crop's edge, where the box mask is about 0, moved by %d levels", name, d.edge_worst);
    CHECK(d.inside_n > 5000, "%s: only %d pixels under the full mask", name, d.inside_n);
    for (int c = 0; c < 3; c++)
        CHECK(d.worst[c] <= 1.5 && fabs(d.mean[c]) < 0.5,
              "%s: channel %d moved by shift %.2f %+.2f on average (worst %.2f off) under the full mask", name, c,
              shift[c], d.mean[c], d.worst[c]);
    fu_live_portrait_close(lp);
    fu_face_editor_close(fe);
    facefuse_image_free(&out);
}

static void test_edits_render_the_edited_keypoints(void)
{
    fu_face_editor_settings s = fu_face_editor_default_settings();
    s.mouth_position_horizontal = 1.0f;
    check_edit(&s, "mouth position horizontal 1", 4); /* feature, motion, stitcher, generator */
    s = fu_face_editor_default_settings();
    s.head_yaw = -0.1f;
    check_edit(&s, "head yaw -0.1", 4);
    s = fu_face_editor_default_settings();
    s.eye_open_ratio = 0.2f;
    check_edit(&s, "eye open 0.2", 5);
    s = fu_face_editor_default_settings();
    s.lip_open_ratio = -0.3f;
    s.eyebrow_direction = 0.5f;
    check_edit(&s, "lip open -0.3 with eyebrow 0.5", 5);
}

/* The keypoints themselves, by hand from the stand-ins: source = stitch(pose(edited) + |r|·retarget). */
static void test_retargeters_and_stitcher_in_the_keypoints(void)
{
    fu_face_editor_settings s = fu_face_editor_default_settings();
    fu_face_editor *fe = NULL, *plain = NULL;
    fu_lp_motion m;
    fu_lp_points source, target, source0, target0;
    fu_err err;
    memset(&m, 0, sizeof m);
    m.scale = 1;
    for (int k = 0; k < FU_LP_POINTS; k++)
        m.points[k][0] = 0.01f * (float)k, m.points[k][1] = -0.02f, m.points[k][2] = 0.03f;
    s.eye_open_ratio = -0.5f; /* closing: goal 0 */
    REQUIRE(fu_face_editor_open(ctx, &s, &fe, &err) == FACEFUSE_OK, "%s", err.msg);
    s = fu_face_editor_default_settings(); /* no edit */
    REQUIRE(fu_face_editor_open(ctx, &s, &plain, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_face_editor_keypoints(fe, &m, face.landmark_68, source, target, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_face_editor_keypoints(plain, &m, face.landmark_68, source0, target0, &err) == FACEFUSE_OK, "%s",
            err.msg);
    CHECK(memcmp(target, target0, sizeof target) == 0, "the eye slider changed the target keypoints");
    CHECK(memcmp(source0, target0, sizeof source0) == 0, "without an edit, source is not the target");
    /* eye retargeter stand-in: keypoint 0 = (left 0.3, right 1/3, goal 0), others 0.5·target;
     * ×|−0.5|, then the stitcher keeps 90% of the change */
    CHECK(fabsf(source[0][0] - target[0][0] - 0.9f * 0.5f * 0.3f) < 1e-5f &&
              fabsf(source[0][1] - target[0][1] - 0.9f * 0.5f / 3.0f) < 1e-5f &&
              fabsf(source[0][2] - target[0][2]) < 1e-6f,
          "keypoint 0 moved by (%g, %g, %g), expected (0.135, 0.15, 0)", source[0][0] - target[0][0],
          source[0][1] - target[0][1], source[0][2] - target[0][2]);
    CHECK(fabsf(source[9][0] - target[9][0] - 0.9f * 0.5f * 0.5f * target[9][0]) < 1e-6f,
          "keypoint 9 x moved by %g, expected %g", source[9][0] - target[9][0], 0.225 * target[9][0]);
    fu_face_editor_close(fe);
    fu_face_editor_close(plain);
}

int main(void)
{
    ctx = tl_context();
    frame = lp_frame(3);
    face = lp_face();
    RUN(test_all_sliders_zero_is_a_no_op);
    RUN(test_edits_render_the_edited_keypoints);
    RUN(test_retargeters_and_stitcher_in_the_keypoints);
    facefuse_image_free(&frame);
    facefuse_context_free(ctx);
    return tl_finish();
}
