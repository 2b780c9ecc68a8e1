/*
 * test_resize_area.c — shrinking is area resampling: by a whole factor each
 * output pixel is the rounded mean of its k × k block (checked against a
 * direct computation), and other sizes (libswscale's area filter) keep a
 * flat colour flat and land within one level of the block path on a smooth
 * image (200 rows to 66 is not a whole factor).
 */
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "media/resize.h"
#include "testlib.h"

static void fill_random(facefuse_image *im, unsigned seed)
{
    for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width * im->channels; x++) {
            seed = seed * 1103515245u + 12345u;
            im->data[(size_t)y * im->stride + x] = (uint8_t)(seed >> 16);
        }
}

static void whole_factor_is_the_block_mean(void)
{
    const int ks[3] = {2, 3, 6}, channels[2] = {3, 4};
    for (int ci = 0; ci < 2; ci++) {
        for (int ki = 0; ki < 3; ki++) {
            int k = ks[ki], c = channels[ci], w = 64, h = 36;
            facefuse_image src = {0}, dst = {0};
            REQUIRE(facefuse_image_alloc(&src, w * k, h * k, c) == FACEFUSE_OK, "alloc");
            fill_random(&src, (unsigned)(k * 7 + c));
            REQUIRE(fu_resize(&src, &dst, w, h) == FACEFUSE_OK, "resize");
            int bad = 0;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int ch = 0; ch < c; ch++) {
                        unsigned sum = 0;
                        for (int dy = 0; dy < k; dy++)
                            for (int dx = 0; dx < k; dx++)
                                sum += fu_pixel(&src, x * k + dx, y * k + dy)[ch];
                        unsigned want = (sum + (unsigned)(k * k) / 2) / (unsigned)(k * k);
                        bad += fu_pixel(&dst, x, y)[ch] != want;
                    }
            CHECK(bad == 0, "k %d, %d channels: %d values differ from the block mean", k, c, bad);
            facefuse_image_free(&src);
            facefuse_image_free(&dst);
        }
    }
}

static void other_sizes_agree_with_the_block_path(void)
{
    facefuse_image src = {0}, a = {0};
    REQUIRE(facefuse_image_alloc(&src, 300, 200, 3) == FACEFUSE_OK, "alloc");
    for (int y = 0; y < 200; y++)
        for (int x = 0; x < 300; x++) {
            uint8_t *p = fu_pixel(&src, x, y);
            p[0] = (uint8_t)(x * 255 / 299);
            p[1] = (uint8_t)(y * 255 / 199);
            p[2] = 90;
        }
    REQUIRE(fu_resize(&src, &a, 100, 66) == FACEFUSE_OK && a.width == 100 && a.height == 66, "non-integer");
    /* Flat channel stays flat; the smooth ramps agree with a 3x box within 2 levels. */
    int flat_bad = 0, ramp_bad = 0;
    for (int y = 0; y < a.height; y++)
        for (int x = 0; x < a.width; x++) {
            const uint8_t *p = fu_pixel(&a, x, y);
            flat_bad += p[2] != 90;
            int want_r = (x * 3 + 1) * 255 / 299;
            ramp_bad += abs(p[0] - want_r) > 2;
        }
    CHECK(flat_bad == 0, "%d flat pixels changed", flat_bad);
    CHECK(ramp_bad == 0, "%d ramp pixels off by more than 2", ramp_bad);
    facefuse_image_free(&src);
    facefuse_image_free(&a);
}

int main(void)
{
    RUN(whole_factor_is_the_block_mean);
    RUN(other_sizes_agree_with_the_block_path);
    return tl_finish();
}
