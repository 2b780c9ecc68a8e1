/*
 * test_face_editor_sliders.c — every face_editor slider moves only what it
 * names, by FaceFusion 3.8.1's amounts (face_editor/core.py edit_*, worked
 * out by hand as a·v for interp(v, [−1, 1], [−a, a])):
 * - each of the nine expression sliders, alone at +0.5 and at −0.5, adds
 *   exactly the listed amounts to exactly the listed keypoint axes, and
 *   leaves the head angles alone;
 * - the head sliders change only their angle (pitch −20°, yaw −60°,
 *   roll +15° per unit) and are limited as limit_angle does;
 * - the eye and lip open ratios touch neither expression nor angles;
 * - the ×1.5 crop landmarks scale about the nose;
 * - settings outside −1..1 are refused, naming the option.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "processors/face_editor.h"
#include "testlib.h"

typedef struct change {
    int keypoint, axis;
    float amount; /* at the slider value tested */
} change;

typedef struct expectation {
    const char *name;
    size_t offset;
    float value;
    change changes[8];
} expectation;

#define AT(field) offsetof(fu_face_editor_settings, field)

/* FaceFusion's edits at ±0.5: "+= interp(v, [−1,1], [−a,a])" adds a·v, "−=" subtracts it. */
static const expectation expected[] = {
    {"eyebrow +0.5", AT(eyebrow_direction), 0.5f, {{1, 1, 0.0075f}, {2, 1, -0.01f}}},
    {"eyebrow -0.5", AT(eyebrow_direction), -0.5f,
     {{1, 0, 0.0075f}, {2, 0, -0.01f}, {1, 1, -0.0025f}, {2, 1, 0.0025f}}},
    {"gaze horizontal +0.5", AT(eye_gaze_horizontal), 0.5f, {{11, 0, 0.0075f}, {15, 0, 0.01f}}},
    {"gaze horizontal -0.5", AT(eye_gaze_horizontal), -0.5f, {{11, 0, -0.01f}, {15, 0, -0.0075f}}},
    {"gaze vertical +0.5", AT(eye_gaze_vertical), 0.5f,
     {{1, 1, 0.00125f}, {2, 1, -0.00125f}, {11, 1, -0.005f}, {13, 1, -0.0025f}, {15, 1, -0.005f}, {16, 1, -0.0025f}}},
    {"gaze vertical -0.5", AT(eye_gaze_vertical), -0.5f,
     {{1, 1, -0.00125f}, {2, 1, 0.00125f}, {11, 1, 0.005f}, {13, 1, 0.0025f}, {15, 1, 0.005f}, {16, 1, 0.0025f}}},
    {"grim +0.5", AT(mouth_grim), 0.5f, {{17, 2, -0.0025f}, {19, 2, 0.005f}, {20, 1, -0.03f}, {20, 2, -0.015f}}},
    {"grim -0.5", AT(mouth_grim), -0.5f, {{19, 1, 0.025f}, {19, 2, 0.01f}, {20, 2, 0.015f}}},
    {"position horizontal +0.5", AT(mouth_position_horizontal), 0.5f, {{19, 0, 0.025f}, {20, 0, 0.02f}}},
    {"position horizontal -0.5", AT(mouth_position_horizontal), -0.5f, {{19, 0, -0.025f}, {20, 0, -0.02f}}},
    {"position vertical +0.5", AT(mouth_position_vertical), 0.5f, {{19, 1, -0.02f}, {20, 1, -0.01f}}},
    {"position vertical -0.5", AT(mouth_position_vertical), -0.5f, {{19, 1, 0.025f}, {20, 1, 0.02f}}},
    {"pout +0.5", AT(mouth_pout), 0.5f, {{19, 1, -0.011f}, {19, 2, 0.0125f}, {20, 2, -0.001f}}},
    {"pout -0.5", AT(mouth_pout), -0.5f, {{19, 1, -0.011f}, {19, 2, -0.0125f}, {20, 2, 0.001f}}},
    {"purse +0.5", AT(mouth_purse), 0.5f, {{19, 1, -0.02f}, {19, 2, -0.01f}}},
    {"purse -0.5", AT(mouth_purse), -0.5f, {{14, 1, 0.01f}, {17, 2, -0.005f}, {19, 2, 0.0075f}, {20, 2, 0.001f}}},
    {"smile +0.5", AT(mouth_smile), 0.5f,
     {{20, 1, -0.0075f}, {14, 1, -0.0125f}, {17, 1, 0.005f}, {17, 2, 0.002f}, {3, 1, -0.00225f}, {7, 1, -0.00225f}}},
    {"smile -0.5", AT(mouth_smile), -0.5f,
     {{14, 1, 0.01f}, {17, 1, -0.0015f}, {19, 1, -0.01f}, {19, 2, 0.0025f}, {20, 2, -0.005f}, {3, 1, -0.00225f},
      {7, 1, -0.00225f}}},
};

static void set_slider(fu_face_editor_settings *s, size_t offset, float v)
{
    memcpy((char *)s + offset, &v, sizeof v);
}

static float expected_change(const expectation *x, int k, int a)
{
    float sum = 0;
    for (int i = 0; i < 8 && x->changes[i].amount != 0.0f; i++)
        if (x->changes[i].keypoint == k && x->changes[i].axis == a)
            sum += x->changes[i].amount;
    return sum;
}

static void test_each_expression_slider_moves_only_its_keypoints(void)
{
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        fu_face_editor_settings s = fu_face_editor_default_settings();
        fu_lp_points e;
        const float angles[3] = {5, -10, 3};
        float edited[3];
        set_slider(&s, expected[i].offset, expected[i].value);
        for (int k = 0; k < FU_LP_POINTS; k++)
            for (int a = 0; a < 3; a++)
                e[k][a] = 0.001f * (float)(k - a);
        fu_face_editor_edit_expression(&s, e);
        for (int k = 0; k < FU_LP_POINTS; k++)
            for (int a = 0; a < 3; a++) {
                float got = e[k][a] - 0.001f * (float)(k - a), want = expected_change(&expected[i], k, a);
                CHECK(fabsf(got - want) < 1e-7f, "%s: keypoint %d axis %d moved by %.6g, expected %.6g",
                      expected[i].name, k, a, got, want);
            }
        fu_face_editor_edit_angles(&s, angles, edited);
        CHECK(memcmp(angles, edited, sizeof edited) == 0, "%s turned the head", expected[i].name);
    }
}

static void check_head(size_t offset, float value, const float original[3], const float want[3], const char *name)
{
    fu_face_editor_settings s = fu_face_editor_default_settings();
    fu_lp_points e, before;
    float edited[3];
    set_slider(&s, offset, value);
    fu_face_editor_edit_angles(&s, original, edited);
    for (int i = 0; i < 3; i++)
        CHECK(fabsf(edited[i] - want[i]) < 1e-5f, "%s: angle %d = %g, expected %g", name, i, edited[i], want[i]);
    memset(e, 0, sizeof e);
    memcpy(before, e, sizeof e);
    fu_face_editor_edit_expression(&s, e);
    CHECK(memcmp(before, e, sizeof e) == 0, "%s changed the expression", name);
}

static void test_head_sliders_turn_only_their_angle_and_are_limited(void)
{
    const float straight[3] = {5, -10, 3}, tilted[3] = {-25, 50, -18}, beyond[3] = {-40, 70, -25};
    check_head(AT(head_pitch), 0.5f, straight, (const float[3]){-5, -10, 3}, "pitch +0.5: −10°");
    check_head(AT(head_pitch), -1.0f, straight, (const float[3]){25, -10, 3}, "pitch −1: +20°");
    check_head(AT(head_yaw), 0.5f, straight, (const float[3]){5, -40, 3}, "yaw +0.5: −30°");
    check_head(AT(head_roll), 0.5f, straight, (const float[3]){5, -10, 10.5f}, "roll +0.5: +7.5°");
    check_head(AT(head_pitch), 1.0f, tilted, (const float[3]){-30, 50, -18}, "pitch −20° from −25 stops at −30");
    check_head(AT(head_yaw), -1.0f, tilted, (const float[3]){-25, 60, -18}, "yaw +60° from 50 stops at 60");
    check_head(AT(head_roll), -1.0f, tilted, (const float[3]){-25, 50, -20}, "roll −15° from −18 stops at −20");
    check_head(AT(head_pitch), 1.0f, beyond, (const float[3]){-40, 70, -25}, "a head beyond the bound stays at it");
    check_head(AT(head_yaw), 1.0f, beyond, (const float[3]){-40, 10, -25}, "turning back inside is free");
}

static void test_open_ratios_touch_neither_expression_nor_angles(void)
{
    static const size_t offsets[2] = {AT(eye_open_ratio), AT(lip_open_ratio)};
    for (int i = 0; i < 2; i++) {
        fu_face_editor_settings s = fu_face_editor_default_settings();
        fu_lp_points e, before;
        const float angles[3] = {1, 2, 3};
        float edited[3];
        set_slider(&s, offsets[i], -0.7f);
        memset(e, 0, sizeof e);
        memcpy(before, e, sizeof e);
        fu_face_editor_edit_expression(&s, e);
        fu_face_editor_edit_angles(&s, angles, edited);
        CHECK(memcmp(before, e, sizeof e) == 0 && memcmp(angles, edited, sizeof edited) == 0,
              "%s ratio changed the expression or the angles", i ? "lip" : "eye");
    }
}

static void test_crop_landmarks_scale_about_the_nose(void)
{
    const facefuse_point lm[5] = {{100, 100}, {140, 100}, {120, 120}, {104, 140}, {136, 140}};
    facefuse_point out[5];
    fu_face_editor_landmarks(lm, out);
    CHECK(out[2].x == 120 && out[2].y == 120, "the nose stays");
    CHECK(out[0].x == 90 && out[0].y == 90, "left eye (%g, %g), expected (90, 90)", out[0].x, out[0].y);
    CHECK(out[4].x == 144 && out[4].y == 150, "right mouth (%g, %g), expected (144, 150)", out[4].x, out[4].y);
}

static void test_settings_checked(void)
{
    fu_face_editor_settings s = fu_face_editor_default_settings();
    fu_face_editor *fe = NULL;
    fu_err err;
    s.mouth_smile = 1.05f;
    CHECK(fu_face_editor_open(NULL, &s, &fe, &err) == FACEFUSE_ERR_INVALID_ARGUMENT && !fe &&
              strstr(err.msg, "--face-editor-mouth-smile"),
          "smile 1.05 is refused naming the option: %s", err.msg);
    s = fu_face_editor_default_settings();
    s.head_yaw = NAN;
    CHECK(fu_face_editor_open(NULL, &s, &fe, &err) == FACEFUSE_ERR_INVALID_ARGUMENT && strstr(err.msg, "head-yaw"),
          "NaN is refused: %s", err.msg);
}

int main(void)
{
    RUN(test_each_expression_slider_moves_only_its_keypoints);
    RUN(test_head_sliders_turn_only_their_angle_and_are_limited);
    RUN(test_open_ratios_touch_neither_expression_nor_angles);
    RUN(test_crop_landmarks_scale_about_the_nose);
    RUN(test_settings_checked);
    return tl_finish();
}
