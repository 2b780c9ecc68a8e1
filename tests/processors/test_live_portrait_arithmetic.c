/*
 * test_live_portrait_arithmetic.c — the LivePortrait arithmetic shared by
 * expression_restorer and face_editor, against values worked out by hand
 * from FaceFusion 3.8.1's live_portrait.py:
 * - the rotation is scipy's extrinsic "xyz" (Rz·Ry·Rx), with degrees;
 * - posing: scale·(points·Rᵀ + expression) + translation;
 * - expression clamping to EXPRESSION_MIN/MAX per keypoint and axis;
 * - limit_angle's bounds (±30/±60/±20, widened to the original angle);
 * - numpy.interp's clamping; the landmark distance ratio;
 * - the model input: 2×2 area average rounded as OpenCV does on bytes,
 *   /255, planar RGB.
 */
#include <math.h>
#include <string.h>

#include "core/image.h"
#include "processors/live_portrait.h"
#include "testlib.h"

static int near(double a, double b, double tol)
{
    return fabs(a - b) <= tol;
}

static void check_matrix(const float r[3][3], const float want[3][3], const char *what)
{
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            CHECK(near(r[i][j], want[i][j], 1e-6), "%s: r[%d][%d] = %g, expected %g", what, i, j, r[i][j],
                  want[i][j]);
}

static void test_rotation_single_axes(void)
{
    float r[3][3];
    const float rx[3][3] = {{1, 0, 0}, {0, 0, -1}, {0, 1, 0}};
    const float ry[3][3] = {{0, 0, 1}, {0, 1, 0}, {-1, 0, 0}};
    const float rz[3][3] = {{0, -1, 0}, {1, 0, 0}, {0, 0, 1}};
    fu_lp_rotation(90, 0, 0, r);
    check_matrix(r, rx, "pitch 90 is a rotation about x");
    fu_lp_rotation(0, 90, 0, r);
    check_matrix(r, ry, "yaw 90 is a rotation about y");
    fu_lp_rotation(0, 0, 90, r);
    check_matrix(r, rz, "roll 90 is a rotation about z");
}

static void test_rotation_order_is_extrinsic_xyz(void)
{
    float r[3][3];
    /* Ry(90)·Rx(90): x first, then y about the fixed axes */
    const float yx[3][3] = {{0, 1, 0}, {0, 0, -1}, {-1, 0, 0}};
    /* Rz(90)·Ry(90) */
    const float zy[3][3] = {{0, -1, 0}, {0, 0, 1}, {-1, 0, 0}};
    fu_lp_rotation(90, 90, 0, r);
    check_matrix(r, yx, "pitch 90 then yaw 90");
    fu_lp_rotation(0, 90, 90, r);
    check_matrix(r, zy, "yaw 90 then roll 90");
    /* pitch 30, yaw 0, roll 0: cos 30 = 0.8660254, sin 30 = 0.5 */
    const float x30[3][3] = {{1, 0, 0}, {0, 0.8660254f, -0.5f}, {0, 0.5f, 0.8660254f}};
    fu_lp_rotation(30, 0, 0, r);
    check_matrix(r, x30, "pitch 30");
}

static void test_pose(void)
{
    fu_lp_motion m;
    fu_lp_points e, out;
    float r[3][3];
    memset(&m, 0, sizeof m);
    memset(e, 0, sizeof e);
    m.scale = 2.0f;
    m.translation[0] = 1, m.translation[1] = 2, m.translation[2] = 3;
    m.points[0][0] = 1;                      /* (1, 0, 0) */
    m.points[1][1] = 1, m.points[1][2] = -1; /* (0, 1, −1) */
    e[0][0] = 0.1f, e[0][1] = 0.2f, e[0][2] = 0.3f;
    fu_lp_rotation(0, 0, 90, r); /* x → y, y → −x */
    fu_lp_pose(&m, r, e, out);
    /* keypoint 0: R·(1,0,0) = (0,1,0); + (0.1,0.2,0.3) = (0.1,1.2,0.3); ×2 + (1,2,3) = (1.2, 4.4, 3.6) */
    CHECK(near(out[0][0], 1.2, 1e-5) && near(out[0][1], 4.4, 1e-5) && near(out[0][2], 3.6, 1e-5),
          "keypoint 0 posed to (%g, %g, %g), expected (1.2, 4.4, 3.6)", out[0][0], out[0][1], out[0][2]);
    /* keypoint 1: R·(0,1,−1) = (−1,0,−1); ×2 + (1,2,3) = (−1, 2, 1) */
    CHECK(near(out[1][0], -1, 1e-5) && near(out[1][1], 2, 1e-5) && near(out[1][2], 1, 1e-5),
          "keypoint 1 posed to (%g, %g, %g), expected (-1, 2, 1)", out[1][0], out[1][1], out[1][2]);
    /* keypoint 2 (origin, no expression) is the translation */
    CHECK(out[2][0] == 1 && out[2][1] == 2 && out[2][2] == 3, "keypoint 2 posed to (%g, %g, %g)", out[2][0],
          out[2][1], out[2][2]);
}

static void test_limit_expression(void)
{
    fu_lp_points e;
    memset(e, 0, sizeof e);
    e[5][1] = -0.5f;   /* EXPRESSION_MIN[5][1] = -2.23840728e-01 */
    e[19][1] = 0.5f;   /* EXPRESSION_MAX[19][1] = 1.80554688e-01 */
    e[0][2] = 0.01f;   /* EXPRESSION_MAX[0][2] = 4.08344204e-04 */
    e[10][2] = -0.02f; /* inside [-2.70503685e-02, 3.22353356e-02] */
    e[6][2] = 1e-5f;   /* EXPRESSION_MAX[6][2] = 3.44733417e-06 */
    fu_lp_limit_expression(e);
    CHECK(e[5][1] == -2.23840728e-01f, "e[5][1] = %.9g", e[5][1]);
    CHECK(e[19][1] == 1.80554688e-01f, "e[19][1] = %.9g", e[19][1]);
    CHECK(e[0][2] == 4.08344204e-04f, "e[0][2] = %.9g", e[0][2]);
    CHECK(e[10][2] == -0.02f, "e[10][2] = %.9g changed though inside its bounds", e[10][2]);
    CHECK(e[6][2] == 3.44733417e-06f, "e[6][2] = %.9g", e[6][2]);
    CHECK(e[3][0] == 0 && e[20][2] == 0, "zero is inside every bound");
}

static void check_angles(float op, float oy, float orr, float ep, float ey, float er, float wp, float wy, float wr)
{
    const float original[3] = {op, oy, orr};
    float edited[3] = {ep, ey, er};
    fu_lp_limit_angles(original, edited);
    CHECK(edited[0] == wp && edited[1] == wy && edited[2] == wr,
          "original (%g, %g, %g), edited (%g, %g, %g) limited to (%g, %g, %g), expected (%g, %g, %g)", op, oy, orr,
          ep, ey, er, edited[0], edited[1], edited[2], wp, wy, wr);
}

static void test_limit_angles(void)
{
    check_angles(0, 0, 0, 10, -20, 5, 10, -20, 5);      /* inside: unchanged */
    check_angles(0, 0, 0, 45, -90, 25, 30, -60, 20);    /* clamped to ±30, ±60, ±20 */
    check_angles(0, 0, 0, -45, 90, -25, -30, 60, -20);
    check_angles(-40, 70, -25, -60, 90, -30, -40, 70, -25); /* bounds widened to the original */
    check_angles(-40, 70, -25, 45, -90, 25, 30, -60, 20);   /* only on the original's own side */
    check_angles(35, -65, 22, 50, -80, 40, 35, -65, 22);
}

static void test_interp_and_ratio(void)
{
    CHECK(fu_lp_interp(0.5f, -1, 1, -0.02f, 0.02f) == 0.01f, "interp(0.5, [-1,1], [-0.02,0.02])");
    CHECK(fu_lp_interp(2.0f, -1, 1, 20, -20) == -20, "interp clamps above");
    CHECK(fu_lp_interp(-3.0f, 0, 100, 0, 1.2f) == 0, "interp clamps below");
    facefuse_point lm[68];
    memset(lm, 0, sizeof lm);
    lm[36] = (facefuse_point){0, 0}, lm[39] = (facefuse_point){10, 0};
    lm[37] = (facefuse_point){3, -1}, lm[40] = (facefuse_point){3, 2};
    CHECK(near(fu_lp_distance_ratio(lm, 37, 40, 39, 36), 0.3, 1e-6), "eye ratio 3/10 gave %g",
          fu_lp_distance_ratio(lm, 37, 40, 39, 36));
    lm[48] = (facefuse_point){0, 10}, lm[54] = (facefuse_point){20, 10};
    lm[62] = (facefuse_point){10, 8}, lm[66] = (facefuse_point){13, 12};
    CHECK(near(fu_lp_distance_ratio(lm, 62, 66, 54, 48), 0.25, 1e-6), "lip ratio 5/20 gave %g",
          fu_lp_distance_ratio(lm, 62, 66, 54, 48));
    CHECK(fu_lp_distance_ratio(lm, 1, 2, 3, 4) == 0, "all-zero landmarks give 0, not a division by zero");
}

static void test_prepare_area_average(void)
{
    facefuse_image crop = {0};
    static float input[3 * FU_LP_INPUT_PX * FU_LP_INPUT_PX];
    const size_t plane = (size_t)FU_LP_INPUT_PX * FU_LP_INPUT_PX;
    REQUIRE(facefuse_image_alloc(&crop, FU_LP_CROP_PX, FU_LP_CROP_PX, 3) == FACEFUSE_OK, "alloc");
    for (int y = 0; y < FU_LP_CROP_PX; y++)
        for (int x = 0; x < FU_LP_CROP_PX; x++) {
            uint8_t *p = fu_pixel(&crop, x, y);
            p[0] = 200, p[1] = (uint8_t)(x & 1), p[2] = (uint8_t)(x / 2);
        }
    /* block (0,0): R 1,2,2,2 → (7+2)>>2 = 2; G 0,1,0,1 → (2+2)>>2 = 1 */
    fu_pixel(&crop, 0, 0)[0] = 1;
    fu_pixel(&crop, 1, 0)[0] = 2;
    fu_pixel(&crop, 0, 1)[0] = 2;
    fu_pixel(&crop, 1, 1)[0] = 2;
    fu_lp_prepare(&crop, input);
    CHECK(input[0] == 2 / 255.0f, "R of block (0,0) = %g·255, expected 2 ((1+2+2+2+2)>>2)", input[0] * 255);
    CHECK(input[plane] == 1 / 255.0f, "G of block (0,0) = %g·255, expected 1 ((0+1+0+1+2)>>2)",
          input[plane] * 255);
    CHECK(input[1] == 200 / 255.0f, "R of block (1,0) = %g·255", input[1] * 255);
    CHECK(input[2 * plane + 37] == 37 / 255.0f, "B of block (37,0) = %g·255, expected 37",
          input[2 * plane + 37] * 255);
    CHECK(input[2 * plane + 255 * FU_LP_INPUT_PX + 200] == 200 / 255.0f, "B of block (200,255) = %g·255",
          input[2 * plane + 255 * FU_LP_INPUT_PX + 200] * 255);
    facefuse_image_free(&crop);
}

int main(void)
{
    RUN(test_rotation_single_axes);
    RUN(test_rotation_order_is_extrinsic_xyz);
    RUN(test_pose);
    RUN(test_limit_expression);
    RUN(test_limit_angles);
    RUN(test_interp_and_ratio);
    RUN(test_prepare_area_average);
    return tl_finish();
}
