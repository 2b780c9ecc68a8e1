/*
 * test_resample_matches_opencv.c — the area and cubic resizes give the
 * values OpenCV's cv2.resize gives, computed by hand from its rules:
 * - INTER_AREA shrinking averages the cells, partial pixels weighted by
 *   the part covered (2:1 blocks; 3 → 2 with a shared middle pixel);
 * - INTER_AREA enlarging is nearest with a linear step at the seams
 *   ([a, b] → [a, a, (a+b)/2, b, b]);
 * - INTER_CUBIC is Keys' kernel with a = −0.75 on half-pixel centres (an
 *   impulse enlarged 2× gives the kernel's weights at 0.25 and 0.75);
 * - a flat image stays flat whatever the sizes.
 */
#include <math.h>

#include "core/resample.h"
#include "testlib.h"

static int close_to(float a, double b)
{
    return fabs(a - b) < 1e-5;
}

static void test_area_shrink_averages_cells(void)
{
    const float src[16] = {1, 3, 5, 7, 9, 11, 13, 15, 2, 4, 6, 8, 10, 12, 14, 16};
    float dst[4], row[2];
    fu_err err;
    REQUIRE(fu_resize_area_f32(src, 4, 4, dst, 2, 2, 1, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(close_to(dst[0], (1 + 3 + 9 + 11) / 4.0) && close_to(dst[3], (6 + 8 + 14 + 16) / 4.0),
          "2:1 blocks: %f %f", dst[0], dst[3]);
    const float three[3] = {3, 6, 12};
    fu_resize_area_f32(three, 3, 1, row, 2, 1, 1, &err);
    CHECK(close_to(row[0], (3 + 0.5 * 6) / 1.5) && close_to(row[1], (0.5 * 6 + 12) / 1.5), "3 → 2: %f %f", row[0],
          row[1]);
}

static void test_area_enlarge_is_nearest_with_linear_seams(void)
{
    const float two[2] = {10, 20};
    float five[5];
    fu_err err;
    REQUIRE(fu_resize_area_f32(two, 2, 1, five, 5, 1, 1, &err) == FACEFUSE_OK, "%s", err.msg);
    const double want[5] = {10, 10, 15, 20, 20};
    for (int i = 0; i < 5; i++)
        CHECK(close_to(five[i], want[i]), "[10, 20] → 5: value %d is %f, expected %f", i, five[i], want[i]);
}

static void test_cubic_impulse_gives_keys_weights(void)
{
    const float impulse[5] = {0, 0, 1, 0, 0};
    float out[10];
    fu_err err;
    REQUIRE(fu_resize_cubic_f32(impulse, 5, 1, out, 10, 1, 1, &err) == FACEFUSE_OK, "%s", err.msg);
    /* Keys, a = −0.75: w(0.25) = 0.87890625, w(0.75) = 0.26171875, w(1.25) = −0.10546875, w(1.75) = −0.03515625 */
    const double want[10] = {0, -0.03515625, -0.10546875, 0.26171875, 0.87890625,
                             0.87890625, 0.26171875, -0.10546875, -0.03515625, 0};
    for (int i = 0; i < 10; i++)
        CHECK(close_to(out[i], want[i]), "impulse ×2: value %d is %f, expected %f", i, out[i], want[i]);
}

static void test_flat_stays_flat(void)
{
    float src[7 * 5 * 3], a[3 * 11 * 3], c[3 * 11 * 3];
    fu_err err;
    for (int i = 0; i < 7 * 5 * 3; i++)
        src[i] = (float)(40 + (i % 3) * 30);
    REQUIRE(fu_resize_area_f32(src, 7, 5, a, 3, 11, 3, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_resize_cubic_f32(src, 7, 5, c, 3, 11, 3, &err) == FACEFUSE_OK, "%s", err.msg);
    int off = 0;
    for (int i = 0; i < 3 * 11 * 3; i++)
        off += !close_to(a[i], 40 + (i % 3) * 30) || !close_to(c[i], 40 + (i % 3) * 30);
    CHECK(off == 0, "%d values of a flat RGB image changed", off);
}

int main(void)
{
    RUN(test_area_shrink_averages_cells);
    RUN(test_area_enlarge_is_nearest_with_linear_seams);
    RUN(test_cubic_impulse_gives_keys_weights);
    RUN(test_flat_stays_flat);
    return tl_finish();
}
