/*
 * test_blend_color_match.c — --face-color-match in the swap path, with a
 * swapper stand-in whose output is a colour-shifted copy of its crop
 * (swap_tint_128: R·0.8 + 0.1, G − 0.05, B·1.2): after Reinhard matching the
 * swapped crop's Lab means over mask > 0.5 equal the target crop's within
 * 1 % of the channel's range, its standard deviations within 1 % plus a
 * quarter Lab unit (the crop is 8-bit again after matching: on a face of
 * little chroma, a std of ~3.6, rounding adds ~0.2); histogram matching brings them close too; and in the
 * frame the pasted face ends nearer the original colours than unmatched.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/colour.h"
#include "core/image.h"
#include "enhance_testutil.h"
#include "processors/swap_model.h"

static facefuse_context *ctx;
static facefuse_image image;
static facefuse_face face;
static const float zero_latent[512];

static void lab_stats(const facefuse_image *im, const float *mask, double mean[3], double std[3])
{
    float *lab = NULL, *w = malloc(sizeof(float) * (size_t)im->width * im->height);
    fu_err err;
    for (int i = 0; i < im->width * im->height; i++)
        w[i] = mask[i] > 0.5f;
    if (fu_image_to_lab(im, &lab, &err) == FACEFUSE_OK)
        fu_channel_stats(lab, w, (size_t)im->width * im->height, mean, std);
    free(lab), free(w);
}

/* Swaps the face's crop and finishes it with mode; out is the result crop. */
static void swapped_crop(fu_color_match_mode mode, facefuse_image *crop, facefuse_image *out, float *mask)
{
    fu_swapper *sw = NULL;
    fu_err err;
    if (fu_swapper_open(ctx, "inswapper_128", 0, 0.3f, NULL, &sw, &err) != FACEFUSE_OK) {
        fprintf(stderr, "%s\n", err.msg);
        exit(2);
    }
    fu_swapper_set_finish(sw, NULL, mode, FU_BLEND_LINEAR);
    fu_affine a = fu_swapper_align(sw, &face);
    float *f = malloc(sizeof(float) * 128 * 128 * 3);
    facefuse_image_alloc(crop, 128, 128, 3);
    facefuse_image_alloc(out, 128, 128, 3);
    memcpy(mask, fu_swapper_mask(sw), sizeof(float) * 128 * 128);
    fu_warp_affine(&image, crop, &a, FU_BORDER_REPLICATE);
    if (fu_swapper_swap_crop(sw, crop, zero_latent, f, &err) != FACEFUSE_OK ||
        fu_swapper_finish_crop(sw, crop, &face, &a, f, mask, &err) != FACEFUSE_OK)
        fprintf(stderr, "%s\n", err.msg), tl_fail_at(__FILE__, __LINE__, "swap");
    for (int i = 0; i < 128 * 128 * 3; i++)
        out->data[i] = (uint8_t)(f[i] + 0.5f);
    free(f);
    fu_swapper_close(sw);
}

static void test_reinhard_matches_target_statistics(void)
{
    static const double range[3] = {100, 255, 255}; /* L, a, b */
    static float mask[128 * 128];
    facefuse_image crop = {0}, out = {0};
    double tm[3], ts[3], om[3], os[3];
    swapped_crop(FU_COLOR_MATCH_NONE, &crop, &out, mask);
    lab_stats(&crop, mask, tm, ts);
    lab_stats(&out, mask, om, os);
    CHECK(fabs(om[1] - tm[1]) > 3 || fabs(om[2] - tm[2]) > 3, "the stand-in did not shift colours");
    facefuse_image_free(&crop), facefuse_image_free(&out);

    swapped_crop(FU_COLOR_MATCH_REINHARD, &crop, &out, mask);
    lab_stats(&out, mask, om, os);
    for (int c = 0; c < 3; c++) {
        printf("    channel %d: mean %.3f vs %.3f, std %.3f vs %.3f\n", c, om[c], tm[c], os[c], ts[c]);
        CHECK(fabs(om[c] - tm[c]) <= 0.01 * range[c], "channel %d mean %.3f, target %.3f", c, om[c], tm[c]);
        CHECK(fabs(os[c] - ts[c]) <= 0.01 * ts[c] + 0.25, "channel %d std %.3f, target %.3f", c, os[c], ts[c]);
    }
    facefuse_image_free(&crop), facefuse_image_free(&out);

    swapped_crop(FU_COLOR_MATCH_HISTOGRAM, &crop, &out, mask);
    lab_stats(&out, mask, om, os);
    for (int c = 0; c < 3; c++)
        CHECK(fabs(om[c] - tm[c]) <= fmax(0.03 * fabs(tm[c]), 1.5), "histogram: channel %d mean %.3f, target %.3f",
              c, om[c], tm[c]);
    facefuse_image_free(&crop), facefuse_image_free(&out);
}

/* Mean |frame − image| over the face box after a swap with mode. */
static double frame_difference(fu_color_match_mode mode)
{
    fu_swapper *sw = NULL;
    fu_err err;
    facefuse_image out = et_copy(&image);
    double sum = 0;
    int n = 0;
    if (fu_swapper_open(ctx, "inswapper_128", 0, 0.3f, NULL, &sw, &err) == FACEFUSE_OK) {
        fu_swapper_set_finish(sw, NULL, mode, FU_BLEND_LINEAR);
        if (fu_swapper_swap_face(sw, &out, &face, zero_latent, NULL, &err) != FACEFUSE_OK)
            fprintf(stderr, "%s\n", err.msg);
    }
    for (int y = (int)face.box[1]; y < (int)face.box[3]; y++)
        for (int x = (int)face.box[0]; x < (int)face.box[2]; x++)
            for (int c = 0; c < 3; c++, n++)
                sum += abs(fu_pixel(&out, x, y)[c] - fu_pixel(&image, x, y)[c]);
    fu_swapper_close(sw);
    facefuse_image_free(&out);
    return sum / n;
}

static void test_matched_face_is_nearer_the_original(void)
{
    double none = frame_difference(FU_COLOR_MATCH_NONE), reinhard = frame_difference(FU_COLOR_MATCH_REINHARD);
    CHECK(reinhard < none * 0.5, "mean difference to the original face: none %.2f, reinhard %.2f", none, reinhard);
}

int main(void)
{
    const char *const links[] = {"swap_tint_128.onnx", "inswapper_128.onnx", NULL};
    ctx = tl_context_at(tl_model_dir("models", links), FACEFUSE_LOG_ERROR);
    image = tl_load(ctx, "samples/astronaut.png");
    face = et_largest_face(ctx, &image);
    RUN(test_reinhard_matches_target_statistics);
    RUN(test_matched_face_is_nearer_the_original);
    facefuse_image_free(&image);
    facefuse_context_free(ctx);
    return tl_finish();
}
