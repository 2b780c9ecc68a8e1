/*
 * test_colour_equalize.c — FaceFusion's match_frame_color as facefuse does
 * it:
 * - the pass sizes are linspace(16, H, 3, endpoint=False) made even with
 *   Python's round (half to even: H = 31 gives 20, not 22);
 * - a crop matched to itself comes back unchanged;
 * - a colour cast is taken out: a crop 20 levels too bright, matched to the
 *   crop it came from, comes back within a level of it, also when the
 *   source is a smaller crop of the same scene (styleganex: 384 → 1024);
 * - the histogram similarity is 1 for the same crop, lower for an
 *   unrelated one, and the conditional match of a crop to itself changes
 *   nothing.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/colour_equalize.h"
#include "core/image.h"
#include "testlib.h"

/* A smooth scene sampled on a size×size grid covering [0, 1)² (pixel
 * centres at (i + 0.5)/size), plus offset. */
static facefuse_image scene(int size, int offset)
{
    facefuse_image im = {0};
    facefuse_image_alloc(&im, size, size, 3);
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
            double u = (x + 0.5) / size, v = (y + 0.5) / size;
            uint8_t *p = fu_pixel(&im, x, y);
            p[0] = (uint8_t)lround(110 + offset + 50 * sin(2 * M_PI * u * 1.3));
            p[1] = (uint8_t)lround(120 + offset + 40 * cos(2 * M_PI * v * 1.1));
            p[2] = (uint8_t)lround(100 + offset + 30 * sin(2 * M_PI * (u + v) * 0.9));
        }
    return im;
}

static int max_difference(const facefuse_image *a, const facefuse_image *b)
{
    int worst = 0;
    for (int y = 0; y < a->height; y++)
        for (int x = 0; x < a->width; x++)
            for (int c = 0; c < 3; c++) {
                int d = abs(fu_pixel(a, x, y)[c] - fu_pixel(b, x, y)[c]);
                worst = d > worst ? d : worst;
            }
    return worst;
}

static void test_pass_sizes(void)
{
    const int heights[5] = {224, 1024, 320, 256, 31};
    const int want[5][3] = {{16, 86, 154}, {16, 352, 688}, {16, 118, 218}, {16, 96, 176}, {16, 20, 26}};
    for (int i = 0; i < 5; i++) {
        int s[3];
        fu_match_frame_color_sizes(heights[i], s);
        CHECK(s[0] == want[i][0] && s[1] == want[i][1] && s[2] == want[i][2], "H %d: %d %d %d, expected %d %d %d",
              heights[i], s[0], s[1], s[2], want[i][0], want[i][1], want[i][2]);
    }
}

static void test_matched_to_itself_unchanged(void)
{
    facefuse_image a = scene(224, 0), b = scene(224, 0);
    fu_err err;
    REQUIRE(fu_match_frame_color(&a, &b, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(max_difference(&a, &b) == 0, "a crop matched to itself moved by %d", max_difference(&a, &b));
    REQUIRE(fu_conditional_match_frame_color(&a, &b, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(max_difference(&a, &b) == 0, "conditional: moved by %d", max_difference(&a, &b));
    facefuse_image_free(&a), facefuse_image_free(&b);
}

static void test_colour_cast_taken_out(void)
{
    fu_err err;
    facefuse_image src = scene(224, 0), cast = scene(224, 20);
    REQUIRE(fu_match_frame_color(&src, &cast, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(max_difference(&src, &cast) <= 1, "224 px: %d levels left of a 20 level cast", max_difference(&src, &cast));
    facefuse_image_free(&src), facefuse_image_free(&cast);

    facefuse_image small = scene(384, 0), big = scene(1024, 25), want = scene(1024, 0);
    REQUIRE(fu_match_frame_color(&small, &big, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(max_difference(&want, &big) <= 1, "384 → 1024 px: %d levels off the scene", max_difference(&want, &big));
    facefuse_image_free(&small), facefuse_image_free(&big), facefuse_image_free(&want);
}

static void test_histogram_similarity(void)
{
    facefuse_image a = scene(128, 0), inverse = scene(128, 0);
    for (int y = 0; y < 128; y++)
        for (int x = 0; x < 128; x++) {
            uint8_t *p = fu_pixel(&inverse, x, y);
            uint8_t r = p[0];
            p[0] = p[2], p[2] = r; /* hues move: red ↔ blue */
        }
    double same = fu_histogram_similarity(&a, &a), other = fu_histogram_similarity(&a, &inverse);
    CHECK(fabs(same - 1) < 1e-9, "similarity to itself %f", same);
    CHECK(other < 0.75, "similarity to a hue-swapped copy %f", other);
    facefuse_image_free(&a), facefuse_image_free(&inverse);
}

int main(void)
{
    RUN(test_pass_sizes);
    RUN(test_matched_to_itself_unchanged);
    RUN(test_colour_cast_taken_out);
    RUN(test_histogram_similarity);
    return tl_finish();
}
