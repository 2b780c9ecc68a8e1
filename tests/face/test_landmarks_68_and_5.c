/*
 * test_landmarks_68_and_5.c — FaceFusion's four landmark sets through
 * stand-in fan_68_5 and 2dfan4 models (tests/models/gen_landmarkers.py):
 * fan_68_5's points are mapped into the unit ffhq_512 frame and back (its
 * stand-in copies point i % 5, so every 68/5 point must land on a detector
 * point); 2dfan4's grid points are mapped back through the 195/max(w,h)
 * crop; a landmarker score above the threshold makes "68" the landmarker's
 * and "5/68" the eye means / nose / mouth corners of those 68, a score
 * below it keeps the detector's 5 and the 68/5 estimate.
 */
#include "facetest.h"

#include "core/geometry.h"

static int analyse(facefuse_context *ctx, facefuse_face **faces)
{
    facefuse_image img = {0};
    facefuse_analysis_params p = facefuse_analysis_default_params();
    int n = 0;
    p.detector_model = "scrfd";
    p.recognizer_model = NULL;
    if (facefuse_image_load(ctx, tl_shared("samples/grace_hopper.jpg"), &img) != FACEFUSE_OK ||
        facefuse_detect_faces(ctx, &img, &p, faces, &n) != FACEFUSE_OK) {
        fprintf(stderr, "%s\n", facefuse_context_errmsg(ctx));
        n = -1;
    }
    facefuse_image_free(&img);
    return n;
}

/* Where the stand-in 2dfan4's point i lands in the frame for this box. */
static facefuse_point expected_68(const facefuse_face *f, int i)
{
    float bw = f->box[2] - f->box[0], bh = f->box[3] - f->box[1];
    float scale = 195.0f / fmaxf(bw, bh);
    float tx = (256 - (f->box[0] + f->box[2]) * scale) * 0.5f, ty = (256 - (f->box[1] + f->box[3]) * scale) * 0.5f;
    float gx = (8 + (i % 12) * 4) * 4.0f, gy = (8 + (i / 12) * 8) * 4.0f;
    facefuse_point p = {(gx - tx) / scale, (gy - ty) / scale};
    return p;
}

static void fan_68_5_round_trips_through_the_ffhq_frame(void)
{
    facefuse_context *ctx = tl_context_at(tl_test_models("landmarkers_low"), FACEFUSE_LOG_ERROR);
    facefuse_face *f = NULL;
    REQUIRE(ctx && analyse(ctx, &f) == 1, "one face");
    for (int i = 0; i < 68; i++)
        CHECK(point_distance(f[0].landmark_68_5[i], f[0].landmark_5[i % 5]) < 0.05f, "68/5 point %d off by %.3f", i,
              point_distance(f[0].landmark_68_5[i], f[0].landmark_5[i % 5]));
    /* points 0 and 16 are the two eyes here: an upright face */
    CHECK(f[0].angle_deg == 0, "angle %d", f[0].angle_deg);
    facefuse_faces_free(f);
    facefuse_context_free(ctx);
}

static void low_landmarker_score_keeps_the_detector_points(void)
{
    facefuse_context *ctx = tl_context_at(tl_test_models("landmarkers_low"), FACEFUSE_LOG_ERROR);
    facefuse_face *f = NULL;
    REQUIRE(ctx && analyse(ctx, &f) == 1, "one face");
    CHECK(fabsf(f[0].landmarker_score - 0.3f) < 1e-4f, "score %.4f", f[0].landmarker_score);
    for (int i = 0; i < 5; i++)
        CHECK(point_distance(f[0].landmark_5_68[i], f[0].landmark_5[i]) < 1e-4f, "5/68 point %d moved", i);
    /* "68" falls back to the 68/5 estimate */
    for (int i = 0; i < 68; i++)
        CHECK(point_distance(f[0].landmark_68[i], f[0].landmark_68_5[i]) < 1e-4f, "68 point %d", i);
    facefuse_faces_free(f);
    facefuse_context_free(ctx);
}

static void high_landmarker_score_uses_the_68_points(void)
{
    facefuse_context *ctx = tl_context_at(tl_test_models("landmarkers_high"), FACEFUSE_LOG_ERROR);
    facefuse_face *f = NULL;
    REQUIRE(ctx && analyse(ctx, &f) == 1, "one face");
    CHECK(fabsf(f[0].landmarker_score - 0.8f) < 1e-4f, "score %.4f", f[0].landmarker_score);
    for (int i = 0; i < 68; i++)
        CHECK(point_distance(f[0].landmark_68[i], expected_68(&f[0], i)) < 0.05f, "68 point %d at (%.2f,%.2f)", i,
              f[0].landmark_68[i].x, f[0].landmark_68[i].y);
    facefuse_point eye = {0, 0};
    for (int i = 36; i < 42; i++) {
        eye.x += f[0].landmark_68[i].x / 6;
        eye.y += f[0].landmark_68[i].y / 6;
    }
    CHECK(point_distance(f[0].landmark_5_68[0], eye) < 1e-3f, "left eye is the mean of 36-41");
    CHECK(point_distance(f[0].landmark_5_68[2], f[0].landmark_68[30]) < 1e-4f, "nose is point 30");
    CHECK(point_distance(f[0].landmark_5_68[3], f[0].landmark_68[48]) < 1e-4f, "mouth corner is point 48");
    CHECK(point_distance(f[0].landmark_5_68[4], f[0].landmark_68[54]) < 1e-4f, "mouth corner is point 54");
    facefuse_faces_free(f);
    facefuse_context_free(ctx);
}

int main(void)
{
    RUN(fan_68_5_round_trips_through_the_ffhq_frame);
    RUN(low_landmarker_score_keeps_the_detector_points);
    RUN(high_landmarker_score_uses_the_68_points);
    return tl_finish();
}
