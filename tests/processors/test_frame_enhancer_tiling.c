/*
 * test_frame_enhancer_tiling.c — tiled enhancement puts every pixel back
 * where it belongs: with stand-in models that upscale by exact nearest
 * neighbour, the tiled, padded, overlapped and stitched result equals the
 * nearest-neighbour upscaling of the whole frame, for frame sizes that are
 * no multiple of the tile step. Blend 0 is the plainly resized frame. The
 * ×2 stand-in only accepts 256×256 inputs, so passing through it proves the
 * model never sees more than one tile at a time (bounded memory).
 */
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "infer/context.h"
#include "media/resize.h"
#include "processors/frame_enhancer.h"
#include "processors/processor.h"
#include "configlib.h"
#include "testlib.h"

static void make_frame(facefuse_image *im, int w, int h, int channels)
{
    facefuse_image_alloc(im, w, h, channels);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < channels; c++) /* never 0, so zero padding leaking in would show */
                fu_pixel(im, x, y)[c] = (uint8_t)(1 + (x * 7 + y * 13 + c * 71 + (x * y) % 17) % 254);
}

/* Count of channel values where out differs from in upscaled by nearest × k. */
static long nearest_mismatches(const facefuse_image *in, const facefuse_image *out, int k, int channels)
{
    long bad = 0;
    for (int y = 0; y < out->height; y++)
        for (int x = 0; x < out->width; x++)
            for (int c = 0; c < channels; c++)
                bad += fu_pixel(out, x, y)[c] != fu_pixel(in, x / k, y / k)[c];
    return bad;
}

static fu_session *session_for(facefuse_context *ctx, const char *model)
{
    fu_session *s = NULL;
    fu_err err;
    if (fu_context_session(ctx, model, &s, NULL, &err) != FACEFUSE_OK)
        fprintf(stderr, "    %s\n", err.msg);
    return s;
}

static void test_tiles_stitch_exactly(void)
{
    facefuse_context *ctx = tl_context();
    fu_session *s = session_for(ctx, "real_esrgan_x4");
    REQUIRE(s, "real_esrgan_x4 stand-in did not load");
    const fu_tile_config *tc = fu_frame_enhancer_config("real_esrgan_x4");
    REQUIRE(tc && tc->scale == 4 && tc->size == 256 && tc->pad == 16 && tc->overlap == 8, "tile config");
    const int sizes[][2] = {{300, 170}, {513, 257}, {240, 240}, {17, 9}};
    for (int i = 0; i < 4; i++) {
        facefuse_image in, out;
        fu_err err;
        make_frame(&in, sizes[i][0], sizes[i][1], 3);
        fu_frame_enhance_stats stats = {0};
        REQUIRE(fu_frame_enhance(s, tc, &in, 100, &out, &stats, &err) == FACEFUSE_OK, "%s", err.msg);
        CHECK(out.width == 4 * in.width && out.height == 4 * in.height, "size %dx%d", out.width, out.height);
        long bad = nearest_mismatches(&in, &out, 4, 3);
        CHECK(bad == 0, "%dx%d: %ld values differ from nearest x4", in.width, in.height, bad);
        printf("    %dx%d: %d tiles, %ld mismatches\n", in.width, in.height, stats.tiles, bad);
        facefuse_image_free(&in), facefuse_image_free(&out);
    }
    facefuse_context_free(ctx);
}

static void test_fixed_size_model_sees_single_tiles(void)
{
    facefuse_context *ctx = tl_context();
    fu_session *s = session_for(ctx, "real_esrgan_x2");
    REQUIRE(s, "real_esrgan_x2 stand-in did not load");
    const fu_tile_config *tc = fu_frame_enhancer_config("real_esrgan_x2");
    facefuse_image in, out;
    fu_err err;
    make_frame(&in, 513, 257, 3);
    fu_frame_enhance_stats stats = {0};
    REQUIRE(fu_frame_enhance(s, tc, &in, 100, &out, &stats, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(nearest_mismatches(&in, &out, 2, 3) == 0, "differs from nearest x2");
    /* Padded width 513 + 32 = 545 over a step of 240: 3 columns; height 289: 2 rows. */
    CHECK(stats.tiles == 6, "%d tiles", stats.tiles);
    facefuse_image_free(&in), facefuse_image_free(&out);
    facefuse_context_free(ctx);
}

static void test_blend_zero_is_resized_original(void)
{
    facefuse_context *ctx = tl_context();
    fu_session *s = session_for(ctx, "real_esrgan_x4");
    REQUIRE(s, "stand-in did not load");
    const fu_tile_config *tc = fu_frame_enhancer_config("real_esrgan_x4");
    facefuse_image in, out, resized, half;
    fu_err err;
    make_frame(&in, 300, 170, 3);
    REQUIRE(fu_frame_enhance(s, tc, &in, 0, &out, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_resize(&in, &resized, 1200, 680) == FACEFUSE_OK, "resize");
    CHECK(out.width == 1200 && out.height == 680, "size");
    CHECK(memcmp(out.data, resized.data, (size_t)resized.stride * resized.height) == 0,
          "blend 0 differs from the resized frame");
    REQUIRE(fu_frame_enhance(s, tc, &in, 50, &half, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    int worst = 0;
    for (int y = 0; y < 680; y++)
        for (int x = 0; x < 1200; x++)
            for (int c = 0; c < 3; c++) {
                int want = (fu_pixel(&resized, x, y)[c] + fu_pixel(&in, x / 4, y / 4)[c] + 1) / 2;
                int d = abs(fu_pixel(&half, x, y)[c] - want);
                worst = d > worst ? d : worst;
            }
    CHECK(worst <= 1, "blend 50 is off the average by %d", worst);
    facefuse_image_free(&in), facefuse_image_free(&out), facefuse_image_free(&resized);
    facefuse_image_free(&half);
    facefuse_context_free(ctx);
}

static void test_processor_replaces_frame(void)
{
    facefuse_context *ctx = tl_context();
    const fu_processor *p = fu_processor_find("frame_enhancer");
    REQUIRE(p && p->prepare && p->process, "frame_enhancer is not registered");
    tl_config c;
    const fu_run_config *cfg =
        tl_config_init(&c, "--processors frame_enhancer --frame-enhancer-model real_esrgan_x4 --frame-enhancer-blend 100");
    fu_processor_env env = {ctx, cfg->paths.source_paths, &cfg->analysis, &cfg->masker, 0, 0, 0, NULL};
    void *state = NULL;
    fu_err err;
    REQUIRE(p->prepare(&env, tl_processor_settings(&c, "frame_enhancer"), &state, &err) == FACEFUSE_OK, "%s",
            err.msg);
    facefuse_image frame, original;
    make_frame(&frame, 130, 75, 4); /* RGBA: alpha is resized, not enhanced */
    REQUIRE(fu_image_copy(&original, &frame) == FACEFUSE_OK, "copy");
    fu_frame f = {.ctx = ctx, .frame = &frame, .state = state};
    REQUIRE(p->process(&f, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(frame.width == 520 && frame.height == 300 && frame.channels == 4, "frame %dx%dx%d", frame.width,
          frame.height, frame.channels);
    CHECK(nearest_mismatches(&original, &frame, 4, 3) == 0, "RGB differs from nearest x4");
    facefuse_image_free(&frame), facefuse_image_free(&original);
    p->release(state);

    tl_config_free(&c);
    tl_config bad;
    CHECK(tl_config_try(&bad, "--frame-enhancer-model no_such_x4", &err) == FACEFUSE_ERR_INVALID_ARGUMENT,
          "unknown model accepted");
    CHECK(strstr(err.msg, "no_such_x4") != NULL, "message: %s", err.msg);
    tl_config_free(&bad);
    facefuse_context_free(ctx);
}

int main(void)
{
    RUN(test_tiles_stitch_exactly);
    RUN(test_fixed_size_model_sees_single_tiles);
    RUN(test_blend_zero_is_resized_original);
    RUN(test_processor_replaces_frame);
    return tl_finish();
}
