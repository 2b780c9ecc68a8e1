/*
 * test_blur_matches_opencv.c — fu_gaussian_blur_f32 gives what
 * cv2.GaussianBlur(img, (0, 0), sigma) gives on a float32 image (values
 * taken from OpenCV 4.6), including BORDER_REFLECT_101 reflected more than
 * once when the kernel is wider than the image.
 */
#include <math.h>
#include <string.h>

#include "core/blur.h"
#include "testlib.h"

static const float input[35] = {3, 10, 5, 1, 11, 9, 8, 8, 9, 11, 1, 5, 10, 3, 10, 5, 1, 11,
                                9, 8, 8, 9, 11, 1, 5, 10, 3, 10, 5, 1, 11, 9, 8, 8, 9};

static const float sigma_1_3[35] = {
    7.49871f, 7.21806f, 6.56497f, 6.27536f, 6.77167f, 7.36102f, 7.53720f, 7.41150f, 7.11811f,
    6.53211f, 6.37738f, 6.87482f, 7.36955f, 7.50471f, 7.16360f, 6.86940f, 6.45440f, 6.58431f,
    7.08773f, 7.39807f, 7.45577f, 6.84964f, 6.62397f, 6.42887f, 6.77152f, 7.25004f, 7.42611f,
    7.43702f, 6.69139f, 6.52340f, 6.44736f, 6.85626f, 7.30636f, 7.43780f, 7.43819f};

static const float sigma_5[35] = {
    6.93544f, 6.93708f, 6.94164f, 6.94791f, 6.95419f, 6.95879f, 6.96049f, 6.93542f, 6.93706f,
    6.94162f, 6.94790f, 6.95418f, 6.95878f, 6.96047f, 6.93542f, 6.93706f, 6.94163f, 6.94790f,
    6.95419f, 6.95879f, 6.96048f, 6.93541f, 6.93705f, 6.94161f, 6.94789f, 6.95418f, 6.95878f,
    6.96048f, 6.93540f, 6.93705f, 6.94161f, 6.94789f, 6.95418f, 6.95879f, 6.96048f};

static void check_blur(float sigma, const float *expected)
{
    float img[35];
    fu_err err;
    memcpy(img, input, sizeof img);
    REQUIRE(fu_gaussian_blur_f32(img, 7, 5, sigma, &err) == FACEFUSE_OK, "%s", err.msg);
    float worst = 0;
    for (int i = 0; i < 35; i++)
        worst = fmaxf(worst, fabsf(img[i] - expected[i]));
    CHECK(worst < 1e-4f, "sigma %.1f: max difference from OpenCV %g", sigma, worst);
}

static void test_matches_opencv(void)
{
    check_blur(1.3f, sigma_1_3);
    check_blur(5.0f, sigma_5);
}

static void test_kernel_size_rule(void)
{
    CHECK(fu_gaussian_ksize_f32(5.0f) == 41, "sigma 5: %d", fu_gaussian_ksize_f32(5.0f));
    CHECK(fu_gaussian_ksize_f32(1.0f) == 9, "sigma 1: %d", fu_gaussian_ksize_f32(1.0f));
    CHECK(fu_gaussian_ksize_f32(4.75f) == 39, "sigma 4.75: %d", fu_gaussian_ksize_f32(4.75f));
}

static void test_zero_sigma_is_identity(void)
{
    float img[35];
    fu_err err;
    memcpy(img, input, sizeof img);
    CHECK(fu_gaussian_blur_f32(img, 7, 5, 0.0f, &err) == FACEFUSE_OK, "sigma 0");
    CHECK(memcmp(img, input, sizeof img) == 0, "sigma 0 changed the plane");
}

int main(void)
{
    RUN(test_matches_opencv);
    RUN(test_kernel_size_rule);
    RUN(test_zero_sigma_is_identity);
    return tl_finish();
}
