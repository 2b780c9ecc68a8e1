/*
 * test_blend_poisson_seam.c — --face-blend-mode poisson against linear:
 * - synthetic: a crop with the frame's own gradients but 60 levels brighter,
 *   pasted through a blurred box mask: linear leaves a brightness ramp (a
 *   gradient error) across the mask's soft edge, Poisson almost none; no
 *   pixel where the mask is ≤ 0.5 changes;
 * - in the swap path (astronaut, colour-shifting swapper stand-in): the
 *   gradient error over the mask's edge band is lower with Poisson, and
 *   nothing outside the pasted rectangle changes.
 * Gradient error of a pixel: |∂x r − ∂x o| + |∂y r − ∂y o| (forward
 * differences), r the result and o the image the gradients should follow.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "enhance_testutil.h"
#include "processors/blend.h"
#include "processors/mask.h"
#include "processors/paste.h"
#include "processors/swap_model.h"

static double gradient_error(const facefuse_image *r, const facefuse_image *o, int x, int y)
{
    double e = 0;
    for (int c = 0; c < 3; c++) {
        double rx = fu_pixel(r, x + 1, y)[c] - fu_pixel(r, x, y)[c], ox = fu_pixel(o, x + 1, y)[c] - fu_pixel(o, x, y)[c];
        double ry = fu_pixel(r, x, y + 1)[c] - fu_pixel(r, x, y)[c], oy = fu_pixel(o, x, y + 1)[c] - fu_pixel(o, x, y)[c];
        e += fabs(rx - ox) + fabs(ry - oy);
    }
    return e / 3;
}

/* Mean gradient error over rect pixels whose mask m (rect-sized) is in (lo, hi). */
static double band_error(const facefuse_image *r, const facefuse_image *o, const int rect[4], const float *m,
                         float lo, float hi)
{
    double sum = 0;
    int n = 0, w = rect[2] - rect[0];
    for (int y = rect[1]; y < rect[3] - 1; y++)
        for (int x = rect[0]; x < rect[2] - 1; x++) {
            float v = m[(size_t)(y - rect[1]) * w + (x - rect[0])];
            if (v > lo && v < hi)
                sum += gradient_error(r, o, x, y), n++;
        }
    return n ? sum / n : 0;
}

static void test_synthetic_seam(void)
{
    const int W = 200, S = 100, pad[4] = {0, 0, 0, 0};
    facefuse_image frame = {0};
    float *mask = NULL, *crop = malloc(sizeof(float) * S * S * 3);
    fu_err err;
    facefuse_image_alloc(&frame, W, W, 3);
    for (int y = 0; y < W; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < 3; c++)
                fu_pixel(&frame, x, y)[c] = (uint8_t)(20 + x / 2 + y / 4 + 10 * c);
    /* The crop sits at (50, 50): the same gradients, 60 levels brighter. */
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++)
            for (int c = 0; c < 3; c++)
                crop[(y * S + x) * 3 + c] = (float)fu_pixel(&frame, x + 50, y + 50)[c] + 60;
    REQUIRE(fu_box_mask(S, 0.3f, pad, &mask, &err) == FACEFUSE_OK, "%s", err.msg);
    fu_affine a = {{1, 0, -50, 0, 1, -50}};
    facefuse_image lin = et_copy(&frame), poi = et_copy(&frame);
    REQUIRE(fu_blend_crop(&lin, crop, mask, S, &a, FU_BLEND_LINEAR, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_blend_crop(&poi, crop, mask, S, &a, FU_BLEND_POISSON, &err) == FACEFUSE_OK, "%s", err.msg);
    int rect[4];
    fu_paste_rect(W, W, S, &a, rect);
    float *m = malloc(sizeof(float) * S * S), *rgb = malloc(sizeof(float) * S * S * 3);
    fu_paste_sample(crop, mask, S, &a, rect, rgb, m);
    double e_lin = band_error(&lin, &frame, rect, m, 0.05f, 0.95f), e_poi = band_error(&poi, &frame, rect, m, 0.05f, 0.95f);
    printf("    seam gradient error: linear %.3f, poisson %.3f\n", e_lin, e_poi);
    CHECK(e_poi < e_lin * 0.25, "Poisson seam %.3f is not well below linear's %.3f", e_poi, e_lin);
    int changed = 0;
    for (int y = 0; y < W; y++)
        for (int x = 0; x < W; x++) {
            int inside = x >= rect[0] && x < rect[2] && y >= rect[1] && y < rect[3];
            float v = inside ? m[(y - rect[1]) * (rect[2] - rect[0]) + x - rect[0]] : 0;
            if (v <= 0.5f)
                changed += memcmp(fu_pixel(&poi, x, y), fu_pixel(&frame, x, y), 3) != 0;
        }
    CHECK(changed == 0, "Poisson changed %d pixels where the mask is <= 0.5", changed);
    free(mask), free(crop), free(m), free(rgb);
    facefuse_image_free(&frame), facefuse_image_free(&lin), facefuse_image_free(&poi);
}

static void test_swap_path_seam(void)
{
    const char *const links[] = {"swap_tint_128.onnx", "inswapper_128.onnx", NULL};
    static const float zero_latent[512];
    facefuse_context *ctx = tl_context_at(tl_model_dir("models", links), FACEFUSE_LOG_ERROR);
    facefuse_image image = tl_load(ctx, "samples/astronaut.png");
    facefuse_face face = et_largest_face(ctx, &image);
    facefuse_image out[2] = {et_copy(&image), et_copy(&image)};
    fu_swapper *sw = NULL;
    fu_err err;
    REQUIRE(fu_swapper_open(ctx, "inswapper_128", 256, 0.3f, NULL, &sw, &err) == FACEFUSE_OK, "%s", err.msg);
    for (int i = 0; i < 2; i++) {
        fu_swapper_set_finish(sw, NULL, FU_COLOR_MATCH_NONE, i ? FU_BLEND_POISSON : FU_BLEND_LINEAR);
        CHECK(fu_swapper_swap_face(sw, &out[i], &face, zero_latent, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    }
    const int p = fu_swapper_crop_size(sw);
    fu_affine a = fu_swapper_align(sw, &face);
    int rect[4];
    fu_paste_rect(image.width, image.height, p, &a, rect);
    size_t n = (size_t)(rect[2] - rect[0]) * (rect[3] - rect[1]);
    float *m = malloc(sizeof(float) * n), *rgb = malloc(sizeof(float) * n * 3), *dummy = calloc((size_t)p * p * 3, sizeof(float));
    fu_paste_sample(dummy, fu_swapper_mask(sw), p, &a, rect, rgb, m);
    double e_lin = band_error(&out[0], &image, rect, m, 0.05f, 0.95f);
    double e_poi = band_error(&out[1], &image, rect, m, 0.05f, 0.95f);
    printf("    swap seam gradient error: linear %.3f, poisson %.3f\n", e_lin, e_poi);
    CHECK(e_poi < e_lin, "Poisson seam %.3f is not below linear's %.3f", e_poi, e_lin);
    int changed = 0;
    for (int y = 0; y < image.height; y++)
        for (int x = 0; x < image.width; x++)
            if (x < rect[0] || x >= rect[2] || y < rect[1] || y >= rect[3])
                changed += memcmp(fu_pixel(&out[1], x, y), fu_pixel(&image, x, y), 3) != 0;
    CHECK(changed == 0, "%d pixels outside the pasted rectangle changed", changed);
    free(m), free(rgb), free(dummy);
    fu_swapper_close(sw);
    facefuse_image_free(&out[0]), facefuse_image_free(&out[1]), facefuse_image_free(&image);
    facefuse_context_free(ctx);
}

int main(void)
{
    RUN(test_synthetic_seam);
    RUN(test_swap_path_seam);
    return tl_finish();
}
