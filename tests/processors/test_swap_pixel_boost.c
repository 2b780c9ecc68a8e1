/*
 * test_swap_pixel_boost.c — pixel boost is FaceFusion's polyphase split:
 * a P×P crop (P = k·128) goes to the model as k² sub-images, sub-image
 * i·k + j holding every k-th pixel from row i, column j; each is one model
 * call; the outputs are re-interleaved. Checked on the split itself, by
 * counting model calls, with an identity stand-in (the boosted crop comes
 * back unchanged) and with a left-right mirror stand-in (each output pixel
 * comes from the mirrored position *inside its own sub-image*, which tiles
 * or a wrong interleave would not give).
 */
#include <math.h>

#include "infer/ort.h"
#include "processors/swap_model.h"
#include "swap_testutil.h"

static facefuse_image pattern_crop(int p)
{
    facefuse_image crop = {0};
    facefuse_image_alloc(&crop, p, p, 3);
    for (int y = 0; y < p; y++)
        for (int x = 0; x < p; x++)
            for (int c = 0; c < 3; c++)
                crop.data[(size_t)y * crop.stride + (size_t)x * 3 + c] = (uint8_t)((x * 7 + y * 13 + c * 50) % 251);
    return crop;
}

static void test_split_and_merge_are_polyphase(void)
{
    const float mean[3] = {0.5f, 0.25f, 0}, std[3] = {0.5f, 2, 1};
    const int k = 3, s = 16, p = k * s;
    facefuse_image crop = pattern_crop(p);
    float *planar = malloc(sizeof(float) * 3 * s * s), *out = calloc((size_t)p * p * 3, sizeof(float));
    double worst_split = 0, worst_merge = 0;
    for (int index = 0; index < k * k; index++) {
        int i = index / k, j = index % k;
        fu_pixel_boost_split(&crop, k, index, mean, std, planar);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < s; y++)
                for (int x = 0; x < s; x++) {
                    float v = crop.data[(size_t)(y * k + i) * crop.stride + (size_t)(x * k + j) * 3 + c] / 255.0f;
                    worst_split = fmax(worst_split, fabs(planar[(c * s + y) * s + x] - (v - mean[c]) / std[c]));
                }
        fu_pixel_boost_merge(planar, s, k, index, mean, std, out);
    }
    for (int n = 0; n < p * p * 3; n++)
        worst_merge = fmax(worst_merge, fabs(out[n] - crop.data[(size_t)(n / 3 / p) * crop.stride + n % (p * 3)]));
    CHECK(worst_split < 1e-6, "split differs from the polyphase definition by %g", worst_split);
    CHECK(worst_merge < 1e-3, "merge(split(x)) differs from x by %g", worst_merge);
    free(planar);
    free(out);
    facefuse_image_free(&crop);
}

/* Runs the stand-in at pixel boost p on the pattern; returns the model calls. */
static int64_t run_boosted(facefuse_context *ctx, int p, float **out)
{
    fu_swapper *sw = NULL;
    fu_err err;
    float latent[512] = {0};
    facefuse_image crop = pattern_crop(p);
    fu_err_clear(&err);
    *out = malloc(sizeof(float) * (size_t)p * p * 3);
    if (fu_swapper_open(ctx, "inswapper_128", p, 0.3f, NULL, &sw, &err) != FACEFUSE_OK) {
        fprintf(stderr, "open: %s\n", err.msg);
        facefuse_image_free(&crop);
        return -1;
    }
    latent[0] = 1;
    int64_t before = fu_ort_run_count();
    if (fu_swapper_swap_crop(sw, &crop, latent, *out, &err) != FACEFUSE_OK)
        fprintf(stderr, "swap: %s\n", err.msg);
    int64_t calls = fu_ort_run_count() - before;
    fu_swapper_close(sw);
    facefuse_image_free(&crop);
    return calls;
}

static void test_identity_model_round_trip(void)
{
    facefuse_context *ctx = st_context_with("identity-models", "swap_identity_128.onnx");
    const int boosts[3] = {128, 256, 512};
    const int64_t want_calls[3] = {1, 4, 16};
    for (int b = 0; b < 3; b++) {
        int p = boosts[b];
        float *out = NULL;
        int64_t calls = run_boosted(ctx, p, &out);
        facefuse_image crop = pattern_crop(p);
        CHECK(calls == want_calls[b], "boost %d: %lld model calls, expected %lld", p, (long long)calls,
              (long long)want_calls[b]);
        double worst = 0;
        for (int y = 0; y < p; y++)
            for (int x = 0; x < p * 3; x++)
                worst = fmax(worst, fabs(out[(size_t)y * p * 3 + x] - crop.data[(size_t)y * crop.stride + x]));
        CHECK(worst < 0.01, "boost %d: the identity model's re-interleaved crop differs by %g", p, worst);
        free(out);
        facefuse_image_free(&crop);
    }
    facefuse_context_free(ctx);
}

static void test_mirror_model_sees_sub_images(void)
{
    facefuse_context *ctx = st_context_with("flip-models", "swap_flip_128.onnx");
    const int p = 256, k = 2, s = 128;
    float *out = NULL;
    int64_t calls = run_boosted(ctx, p, &out);
    facefuse_image crop = pattern_crop(p);
    CHECK(calls == 4, "%lld model calls at boost 256", (long long)calls);
    double worst = 0;
    for (int y = 0; y < p; y++)
        for (int x = 0; x < p; x++) {
            /* pixel (y, x) is (y/k, x/k) of sub-image (y%k, x%k), mirrored inside it */
            int src_x = (s - 1 - x / k) * k + x % k;
            for (int c = 0; c < 3; c++)
                worst = fmax(worst, fabs(out[((size_t)y * p + x) * 3 + c] -
                                         crop.data[(size_t)y * crop.stride + (size_t)src_x * 3 + c]));
        }
    CHECK(worst < 0.01, "mirrored sub-images re-interleaved wrongly (worst %g)", worst);
    free(out);
    facefuse_image_free(&crop);
    facefuse_context_free(ctx);
}

static void test_boost_domain(void)
{
    facefuse_context *ctx = tl_context();
    fu_swapper *sw = NULL;
    fu_err err;
    fu_err_clear(&err);
    CHECK(fu_swapper_open(ctx, "inswapper_128", 200, 0.3f, NULL, &sw, &err) == FACEFUSE_ERR_INVALID_ARGUMENT,
          "inswapper boost 200 accepted");
    CHECK(strstr(err.msg, "128 256 384 512 768 1024") != NULL, "message lists the values: %s", err.msg);
    CHECK(fu_swapper_open(ctx, "hyperswap_1a_256", 128, 0.3f, NULL, &sw, &err) == FACEFUSE_ERR_INVALID_ARGUMENT,
          "hyperswap boost 128 accepted");
    REQUIRE(fu_swapper_open(ctx, "inswapper_128", 384, 0.3f, NULL, &sw, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_swapper_crop_size(sw) == 384 && fu_swapper_model_size(sw) == 128, "crop %d model %d",
          fu_swapper_crop_size(sw), fu_swapper_model_size(sw));
    fu_swapper_close(sw);
    REQUIRE(fu_swapper_open(ctx, "hyperswap_1a_256", 0, 0.3f, NULL, &sw, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_swapper_crop_size(sw) == 256, "hyperswap default boost %d", fu_swapper_crop_size(sw));
    fu_swapper_close(sw);
    facefuse_context_free(ctx);
}

int main(void)
{
    RUN(test_split_and_merge_are_polyphase);
    RUN(test_identity_model_round_trip);
    RUN(test_mirror_model_sees_sub_images);
    RUN(test_boost_domain);
    return tl_finish();
}
