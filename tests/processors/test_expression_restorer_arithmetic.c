/*
 * test_expression_restorer_arithmetic.c — the expression restorer's mixing
 * against FaceFusion 3.8.1's restore_expression / apply_restore /
 * restrict_expression_areas, worked out by hand:
 * - factor → mix is interp(0..100 → 0..1.2): 0, 0.6, 0.96, 1.2;
 * - each area takes the original's values on exactly its keypoints
 *   (upper-face 1 2 6 10 11 12 13 15 16, lower-face 3 7 14 17 18 19 20),
 *   keypoints 0 4 5 8 9 always keep the current value;
 * - e = mix·original + (1 − mix)·current, then clamped (mix 1.2 overshoots);
 * - factor 0 renders the current expression (the keypoints the generator
 *   moves from and to are equal);
 * - the keypoints: both posed with the CURRENT crop's angles, scale,
 *   translation and canonical points; only the expression differs;
 * - area words and settings out of range are refused.
 */
#include <math.h>
#include <string.h>

#include "processors/expression_restorer.h"
#include "testlib.h"

static const int upper[] = {1, 2, 6, 10, 11, 12, 13, 15, 16};
static const int lower[] = {3, 7, 14, 17, 18, 19, 20};

static int in_set(int k, const int *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (set[i] == k)
            return 1;
    return 0;
}

/* Values inside every bound (the tightest, keypoint 6 z, is −8.2e-6..3.4e-6):
 * original +1e-7·(k+1), current −1e-7·(k+1). */
static void fill(fu_lp_points original, fu_lp_points current)
{
    for (int k = 0; k < FU_LP_POINTS; k++)
        for (int a = 0; a < 3; a++) {
            original[k][a] = 1e-7f * (float)(k + 1);
            current[k][a] = -1e-7f * (float)(k + 1);
        }
}

static void test_factor_to_mix(void)
{
    CHECK(fu_expression_restorer_mix(0) == 0.0f, "factor 0 → %g", fu_expression_restorer_mix(0));
    CHECK(fabsf(fu_expression_restorer_mix(50) - 0.6f) < 1e-6f, "factor 50 → %g", fu_expression_restorer_mix(50));
    CHECK(fabsf(fu_expression_restorer_mix(80) - 0.96f) < 1e-6f, "factor 80 (default) → %g",
          fu_expression_restorer_mix(80));
    CHECK(fabsf(fu_expression_restorer_mix(100) - 1.2f) < 1e-6f, "factor 100 → %g", fu_expression_restorer_mix(100));
}

static void check_areas(unsigned areas, const char *name)
{
    fu_lp_points original, current, out;
    fill(original, current);
    fu_expression_restorer_expression(areas, 1.0f, original, current, out);
    for (int k = 0; k < FU_LP_POINTS; k++) {
        int restored = ((areas & FU_AREA_UPPER_FACE) && in_set(k, upper, 9)) ||
                       ((areas & FU_AREA_LOWER_FACE) && in_set(k, lower, 7));
        for (int a = 0; a < 3; a++) {
            float want = restored ? original[k][a] : current[k][a];
            CHECK(out[k][a] == want, "%s: keypoint %d axis %d = %g, expected the %s value %g", name, k, a, out[k][a],
                  restored ? "original" : "current", want);
        }
    }
}

static void test_areas_select_only_their_keypoints(void)
{
    check_areas(FU_AREA_UPPER_FACE, "upper-face");
    check_areas(FU_AREA_LOWER_FACE, "lower-face");
    check_areas(FU_AREA_UPPER_FACE | FU_AREA_LOWER_FACE, "both");
}

static void test_mixing_and_clamping(void)
{
    fu_lp_points original, current, out;
    fill(original, current);
    fu_expression_restorer_expression(FU_AREA_UPPER_FACE | FU_AREA_LOWER_FACE, 0.96f, original, current, out);
    /* keypoint 1 y: 0.96·2e-7 + 0.04·(−2e-7) = 1.84e-7 */
    CHECK(fabsf(out[1][1] - 1.84e-7f) < 1e-13f, "keypoint 1 y = %g, expected 1.84e-7", out[1][1]);
    /* keypoint 20 x: 0.96·21e-7 − 0.04·21e-7 = 19.32e-7 */
    CHECK(fabsf(out[20][0] - 19.32e-7f) < 1e-12f, "keypoint 20 x = %g, expected 19.32e-7", out[20][0]);
    CHECK(out[4][0] == current[4][0], "keypoint 4 is never restored");

    /* mix 1.2 overshoots: keypoint 10 z of 0.03 and −0.01 → 1.2·0.03 + 0.2·0.01 = 0.038,
     * above EXPRESSION_MAX[10][2] = 3.22353356e-02 */
    original[10][2] = 0.03f, current[10][2] = -0.01f;
    original[19][1] = -0.07f, current[19][1] = 0.05f; /* 1.2·−0.07 − 0.2·0.05 = −0.094 < −7.43824020e-02 */
    original[12][1] = 0.005f, current[12][1] = 0.0f;  /* 0.006 inside [−4.0e-3, 6.82212645e-03] */
    fu_expression_restorer_expression(FU_AREA_UPPER_FACE | FU_AREA_LOWER_FACE, 1.2f, original, current, out);
    CHECK(out[10][2] == 3.22353356e-02f, "keypoint 10 z = %.9g, expected the bound 3.22353356e-02", out[10][2]);
    CHECK(out[19][1] == -7.43824020e-02f, "keypoint 19 y = %.9g, expected the bound -7.43824020e-02", out[19][1]);
    CHECK(fabsf(out[12][1] - 0.006f) < 1e-8f, "keypoint 12 y = %.9g, expected 0.006", out[12][1]);
}

static void test_factor_zero_keeps_the_current_expression(void)
{
    fu_lp_motion original, current;
    fu_lp_points source, target;
    memset(&original, 0, sizeof original);
    memset(&current, 0, sizeof current);
    fill(original.expression, current.expression);
    current.pitch = 10, current.yaw = -20, current.roll = 5, current.scale = 1.5f;
    current.translation[1] = 0.2f;
    for (int k = 0; k < FU_LP_POINTS; k++)
        current.points[k][0] = 0.01f * (float)k, current.points[k][2] = -0.02f * (float)k;
    fu_expression_restorer_keypoints(FU_AREA_UPPER_FACE | FU_AREA_LOWER_FACE, fu_expression_restorer_mix(0),
                                     &original, &current, source, target);
    CHECK(memcmp(source, target, sizeof source) == 0, "factor 0: the generator is asked to move the keypoints");
}

static void test_keypoints_use_the_current_pose(void)
{
    fu_lp_motion original, current;
    fu_lp_points source, target;
    memset(&original, 0, sizeof original);
    memset(&current, 0, sizeof current);
    fill(original.expression, current.expression);
    /* the original's pose must not matter: give it a wild one */
    original.pitch = 80, original.yaw = 80, original.roll = 80, original.scale = 9;
    original.translation[0] = 5;
    current.roll = 90, current.scale = 2, current.translation[2] = 1;
    current.points[3][0] = 0.5f; /* posed: Rz(90)·(0.5,0,0) = (0,0.5,0) */
    fu_expression_restorer_keypoints(FU_AREA_LOWER_FACE, 1.0f, &original, &current, source, target);
    /* keypoint 3 (lower-face) target: 2·((0,0.5,0) + (−4e-7)) + (0,0,1) */
    CHECK(fabsf(target[3][0] - 2 * -4e-7f) < 1e-10f && fabsf(target[3][1] - 2 * (0.5f - 4e-7f)) < 1e-7f &&
              fabsf(target[3][2] - (1 + 2 * -4e-7f)) < 1e-7f,
          "target keypoint 3 = (%g, %g, %g)", target[3][0], target[3][1], target[3][2]);
    /* source differs only by 2·(expression difference) = 2·8e-7 on each axis */
    for (int a = 0; a < 3; a++)
        CHECK(fabsf(source[3][a] - target[3][a] - 16e-7f) < 2e-7f, "source − target on keypoint 3 axis %d = %g", a,
              source[3][a] - target[3][a]);
    CHECK(memcmp(source[1], target[1], sizeof source[1]) == 0, "keypoint 1 (upper-face, not chosen) moved");
}

static void test_settings_checked(void)
{
    fu_err err;
    unsigned areas = 0;
    const char *both[] = {"lower-face", "upper-face"}, *bad[] = {"upper-face", "eyes"};
    CHECK(fu_expression_restorer_areas_parse(both, 2, &areas, &err) == FACEFUSE_OK &&
              areas == (FU_AREA_UPPER_FACE | FU_AREA_LOWER_FACE),
          "both areas parse");
    CHECK(fu_expression_restorer_areas_parse(bad, 2, &areas, &err) == FACEFUSE_ERR_INVALID_ARGUMENT &&
              strstr(err.msg, "'eyes'"),
          "an unknown area is refused by name: %s", err.msg);
    CHECK(fu_expression_restorer_areas_parse(both, 0, &areas, &err) == FACEFUSE_ERR_INVALID_ARGUMENT,
          "no area is refused");
    fu_expression_restorer_settings s = fu_expression_restorer_default_settings();
    CHECK(s.factor == 80 && s.areas == (FU_AREA_UPPER_FACE | FU_AREA_LOWER_FACE) &&
              strcmp(s.model, "live_portrait") == 0,
          "FaceFusion's defaults");
    fu_expression_restorer *er = NULL;
    s.factor = 101;
    CHECK(fu_expression_restorer_open(NULL, &s, NULL, &er, &err) == FACEFUSE_ERR_INVALID_ARGUMENT && !er &&
              strstr(err.msg, "101"),
          "factor 101 is refused: %s", err.msg);
    s = fu_expression_restorer_default_settings();
    s.model = "live_portrait_v2";
    CHECK(fu_expression_restorer_open(NULL, &s, NULL, &er, &err) == FACEFUSE_ERR_INVALID_ARGUMENT && !er,
          "an unknown model is refused");
}

int main(void)
{
    RUN(test_factor_to_mix);
    RUN(test_areas_select_only_their_keypoints);
    RUN(test_mixing_and_clamping);
    RUN(test_factor_zero_keeps_the_current_expression);
    RUN(test_keypoints_use_the_current_pose);
    RUN(test_settings_checked);
    return tl_finish();
}
