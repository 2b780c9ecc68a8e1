/*
 * test_background_remover_models.c — the background remover's plumbing
 * around its models, through stand-ins with the real contracts whose output
 * is known (tests/models/gen_background_remover.py):
 *   - a mask the model returns comes out at frame size: clipped to 0..1,
 *     truncated to bytes, scaled bilinearly (OpenCV's INTER_LINEAR, ±1);
 *     side outputs after the first are ignored;
 *   - modnet's input is the frame scaled to 512 and normalised with its
 *     mean/std, red first (the stand-in echoes the red channel);
 *   - u2net_cloth's class scores are argmax-ed, any class but 0 kept;
 *   - corridor_key gets the coarse matte as its fourth plane and its
 *     foreground output replaces the frame's colours;
 *   - FaceFusion's despill and fill on known pixels, and the alpha a fill
 *     alpha below 255 gives.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "infer/context.h"
#include "processors/background_remover.h"
#include "testlib.h"

static facefuse_context *ctx;

/* The stand-in u2netp's PATTERN at (x, y) of its 320×320 output. */
static float pattern_320(int x, int y)
{
    if (y < 160)
        return -0.2f + 1.4f * (float)x / 319.0f;
    return (float)((x / 40 + y / 40) % 2);
}

/* OpenCV INTER_LINEAR sampling of a byte plane, independently written. */
static double bilinear_at(const uint8_t *p, int sw, int sh, int dw, int dh, int x, int y)
{
    double fx = (x + 0.5) * sw / dw - 0.5, fy = (y + 0.5) * sh / dh - 0.5;
    fx = fx < 0 ? 0 : fx > sw - 1 ? sw - 1 : fx;
    fy = fy < 0 ? 0 : fy > sh - 1 ? sh - 1 : fy;
    int x0 = (int)fx, y0 = (int)fy, x1 = x0 + 1 < sw ? x0 + 1 : x0, y1 = y0 + 1 < sh ? y0 + 1 : y0;
    double ax = fx - x0, ay = fy - y0;
    double top = p[y0 * sw + x0] * (1 - ax) + p[y0 * sw + x1] * ax;
    double bottom = p[y1 * sw + x0] * (1 - ax) + p[y1 * sw + x1] * ax;
    return top * (1 - ay) + bottom * ay;
}

static facefuse_image gradient_frame(int w, int h)
{
    facefuse_image f = {0};
    facefuse_image_alloc(&f, w, h, 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = fu_pixel(&f, x, y);
            p[0] = (uint8_t)(255 * x / (w - 1));
            p[1] = (uint8_t)(255 * y / (h - 1));
            p[2] = 60;
        }
    return f;
}

static int session_of(const char *name, fu_session **s, const fu_model_def **def)
{
    fu_err err;
    facefuse_status st = fu_context_session(ctx, name, s, def, &err);
    if (st != FACEFUSE_OK)
        fprintf(stderr, "    %s: %s\n", name, err.msg);
    return st == FACEFUSE_OK;
}

static void model_mask_comes_out_at_frame_size(void)
{
    fu_session *s;
    const fu_model_def *def;
    REQUIRE(session_of("u2netp", &s, &def), "u2netp stand-in");
    const int w = 500, h = 300;
    facefuse_image f = gradient_frame(w, h);
    uint8_t *mask = malloc((size_t)w * h), small[320 * 320];
    REQUIRE(mask, "mask");
    fu_err err;
    REQUIRE(fu_background_model_mask(s, def, FU_REMOVER_MASK, &f, mask, NULL, NULL, &err) == FACEFUSE_OK, "%s",
            err.msg);
    for (int y = 0; y < 320; y++)
        for (int x = 0; x < 320; x++) {
            float v = pattern_320(x, y);
            v = v < 0 ? 0 : v > 1 ? 1 : v;
            small[y * 320 + x] = (uint8_t)(v * 255.0f);
        }
    int worst = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int want = (int)floor(bilinear_at(small, 320, 320, w, h, x, y) + 0.5);
            int d = abs(want - mask[(size_t)y * w + x]);
            worst = d > worst ? d : worst;
        }
    CHECK(worst <= 1, "mask differs from the scaled pattern by %d", worst);
    /* the ramp is clipped: the left end is 0, the right end 255 (not the 0.5 decoy) */
    CHECK(mask[10 * w + 0] == 0 && mask[10 * w + w - 1] == 255, "clip: %d %d", mask[10 * w], mask[10 * w + w - 1]);
    free(mask);
    facefuse_image_free(&f);
}

static void modnet_sees_the_normalised_frame(void)
{
    fu_session *s;
    const fu_model_def *def;
    REQUIRE(session_of("modnet", &s, &def), "modnet stand-in");
    const int w = 640, h = 360;
    facefuse_image f = gradient_frame(w, h);
    uint8_t *mask = malloc((size_t)w * h);
    REQUIRE(mask, "mask");
    fu_err err;
    REQUIRE(fu_background_model_mask(s, def, FU_REMOVER_MASK, &f, mask, NULL, NULL, &err) == FACEFUSE_OK, "%s",
            err.msg);
    int worst = 0;
    for (int y = 0; y < h; y++)
        for (int x = 2; x < w - 2; x++) { /* the red ramp, through 512 and back */
            int d = abs((int)mask[(size_t)y * w + x] - (int)fu_pixel(&f, x, y)[0]);
            worst = d > worst ? d : worst;
        }
    CHECK(worst <= 3, "mask differs from the red channel by %d", worst);
    free(mask);
    facefuse_image_free(&f);
}

static void cloth_classes_are_argmaxed(void)
{
    fu_session *s;
    const fu_model_def *def;
    REQUIRE(session_of("u2net_cloth", &s, &def), "u2net_cloth stand-in");
    const int w = 400, h = 400;
    facefuse_image f = gradient_frame(w, h);
    uint8_t *mask = malloc((size_t)w * h);
    REQUIRE(mask, "mask");
    fu_err err;
    REQUIRE(fu_background_model_mask(s, def, FU_REMOVER_CLOTH, &f, mask, NULL, NULL, &err) == FACEFUSE_OK, "%s",
            err.msg);
    long wrong = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            if (abs(x - 200) <= 1)
                continue; /* the class border, blended by the scaling */
            int want = x < 200 ? 0 : 255;
            wrong += mask[(size_t)y * w + x] != want;
        }
    CHECK(wrong == 0, "%ld pixels off", wrong);
    free(mask);
    facefuse_image_free(&f);
}

static void corridor_key_gets_the_coarse_matte_and_gives_its_foreground(void)
{
    fu_session *s;
    const fu_model_def *def;
    REQUIRE(session_of("corridor_key_1024", &s, &def), "corridor_key stand-in");
    const int w = 512, h = 256;
    facefuse_image f = {0};
    REQUIRE(facefuse_image_alloc(&f, w, h, 3) == FACEFUSE_OK, "frame");
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) { /* green screen left, grey right, a soft step between */
            uint8_t *p = fu_pixel(&f, x, y);
            int t = x < 200 ? 0 : x >= 312 ? 255 : (x - 200) * 255 / 112;
            p[0] = (uint8_t)(40 + (150 - 40) * t / 255);
            p[1] = (uint8_t)(200 + (150 - 200) * t / 255);
            p[2] = (uint8_t)(60 + (150 - 60) * t / 255);
        }
    uint8_t *mask = malloc((size_t)w * h);
    facefuse_image fg = {0};
    REQUIRE(mask, "mask");
    fu_err err;
    REQUIRE(fu_background_model_mask(s, def, FU_REMOVER_CORRIDOR, &f, mask, &fg, NULL, &err) == FACEFUSE_OK, "%s",
            err.msg);
    int worst_mask = 0, worst_fg = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const uint8_t *p = fu_pixel(&f, x, y);
            double bias = (p[1] - (p[0] > p[2] ? p[0] : p[2])) * 2.0 / 255.0;
            bias = bias < 0 ? 0 : bias > 1 ? 1 : bias;
            int want = (int)((1.0 - bias) * 255.0);
            int d = abs(want - mask[(size_t)y * w + x]);
            worst_mask = d > worst_mask ? d : worst_mask;
            for (int c = 0; c < 3; c++) {
                d = abs((int)fu_pixel(&fg, x, y)[c] - (int)p[c]);
                worst_fg = d > worst_fg ? d : worst_fg;
            }
        }
    CHECK(worst_mask <= 4, "mask differs from the coarse matte by %d", worst_mask);
    CHECK(worst_fg <= 4, "foreground differs from the frame by %d", worst_fg);
    CHECK(mask[10 * w + 20] == 0 && mask[10 * w + 500] == 255, "screen %d, grey %d", mask[10 * w + 20],
          mask[10 * w + 500]);
    free(mask);
    facefuse_image_free(&fg);
    facefuse_image_free(&f);
}

static void despill_and_fill_follow_facefusion(void)
{
    facefuse_image f = {0};
    REQUIRE(facefuse_image_alloc(&f, 2, 1, 3) == FACEFUSE_OK, "frame");
    uint8_t *p = f.data;
    p[0] = 100, p[1] = 200, p[2] = 50, p[3] = 10, p[4] = 20, p[5] = 200;
    const uint8_t green_full[4] = {0, 255, 0, 255}, green_half[4] = {0, 255, 0, 128};
    fu_background_despill(&f, green_full);
    /* G limited to the mean of R and B, R and B (weight 0) untouched */
    CHECK(p[0] == 100 && p[1] == 75 && p[2] == 50, "despill full: %d %d %d", p[0], p[1], p[2]);
    CHECK(p[3] == 10 && p[4] == 20 && p[5] == 200, "a pixel without spill changed: %d %d %d", p[3], p[4], p[5]);
    p[1] = 200;
    fu_background_despill(&f, green_half);
    /* 200 + (75 − 200)·128/255 = 137.25, truncated */
    CHECK(p[1] == 137, "despill half: %d", p[1]);

    const uint8_t mask[2] = {0, 128}, red[4] = {255, 0, 0, 255};
    p[0] = 100, p[1] = 200, p[2] = 50, p[3] = 100, p[4] = 200, p[5] = 50;
    fu_background_fill(&f, mask, red);
    CHECK(p[0] == 255 && p[1] == 0 && p[2] == 0, "fill at mask 0: %d %d %d", p[0], p[1], p[2]);
    /* w = 127/255: 100·128/255 + 255·127/255 = 177.196..., 200·128/255 = 100.39 */
    CHECK(p[3] == 177 && p[4] == 100 && p[5] == 25, "fill at mask 128: %d %d %d", p[3], p[4], p[5]);
    facefuse_image_free(&f);
}

/* The processor on an RGB frame: fill alpha 0 gives RGBA with the mask as
 * alpha and the colours untouched; an opaque fill keeps the frame RGB. */
static void fill_alpha_decides_transparency(void)
{
    fu_background_remover_settings s = fu_background_remover_defaults();
    s.model = "u2netp";
    fu_background_remover *r;
    fu_err err;
    REQUIRE(fu_background_remover_open(ctx, &s, &r, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_background_remover_makes_alpha(&s), "fill alpha 0 makes alpha");
    const int w = 320, h = 320;
    facefuse_image f = gradient_frame(w, h), orig = {0};
    REQUIRE(fu_image_copy(&orig, &f) == FACEFUSE_OK, "copy");
    REQUIRE(fu_background_remover_process(r, &f, 0, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(f.channels == 4, "%d channels", f.channels);
    long wrong_rgb = 0, wrong_alpha = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float v = pattern_320(x, y);
            int want = (int)((v < 0 ? 0 : v > 1 ? 1 : v) * 255.0f);
            wrong_alpha += abs(fu_pixel(&f, x, y)[3] - want) > 1;
            wrong_rgb += memcmp(fu_pixel(&f, x, y), fu_pixel(&orig, x, y), 3) != 0;
        }
    CHECK(wrong_alpha == 0, "%ld alpha values are not the mask", wrong_alpha);
    CHECK(wrong_rgb == 0, "%ld pixels changed colour", wrong_rgb);
    fu_background_remover_close(r);
    facefuse_image_free(&f);

    s.fill_color[0] = 0, s.fill_color[1] = 0, s.fill_color[2] = 255, s.fill_color[3] = 255;
    CHECK(!fu_background_remover_makes_alpha(&s), "an opaque fill makes no alpha");
    REQUIRE(fu_background_remover_open(ctx, &s, &r, &err) == FACEFUSE_OK, "%s", err.msg);
    f = gradient_frame(w, h);
    REQUIRE(fu_background_remover_process(r, &f, 0, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(f.channels == 3, "%d channels", f.channels);
    const uint8_t *bg = fu_pixel(&f, 45, 200), *kept = fu_pixel(&f, 5, 200); /* checker 0 and 1 */
    CHECK(bg[0] == 0 && bg[1] == 0 && bg[2] == 255, "background %d %d %d", bg[0], bg[1], bg[2]);
    CHECK(memcmp(kept, fu_pixel(&orig, 5, 200), 3) == 0, "kept pixel changed");
    fu_background_remover_close(r);
    facefuse_image_free(&f);
    facefuse_image_free(&orig);
}

static void bad_settings_are_one_line_errors(void)
{
    fu_background_remover_settings s = fu_background_remover_defaults();
    fu_background_remover *r;
    fu_err err;
    s.model = "u2net_fancy";
    CHECK(fu_background_remover_open(ctx, &s, &r, &err) == FACEFUSE_ERR_INVALID_ARGUMENT, "unknown model");
    CHECK(strstr(err.msg, "u2net_fancy") && strstr(err.msg, "chroma_key") && !strchr(err.msg, '\n'), "%s",
          err.msg);
    s = fu_background_remover_defaults();
    s.model = "chroma_key";
    s.background_image = "a.png";
    s.background_video = "b.mp4";
    CHECK(fu_background_remover_open(ctx, &s, &r, &err) == FACEFUSE_ERR_INVALID_ARGUMENT, "image and video");
    s.background_video = NULL;
    s.background_image = "/nonexistent/background.png";
    CHECK(fu_background_remover_open(ctx, &s, &r, &err) != FACEFUSE_OK, "missing background image");
    CHECK(strstr(err.msg, "/nonexistent/background.png") != NULL, "%s", err.msg);
    s = fu_background_remover_defaults();
    s.model = "ormbg"; /* no stand-in: downloads are off in tests */
    CHECK(fu_background_remover_open(ctx, &s, &r, &err) == FACEFUSE_ERR_MODEL_MISSING, "missing model: %s",
          err.msg);
}

int main(void)
{
    ctx = tl_context();
    RUN(model_mask_comes_out_at_frame_size);
    RUN(modnet_sees_the_normalised_frame);
    RUN(cloth_classes_are_argmaxed);
    RUN(corridor_key_gets_the_coarse_matte_and_gives_its_foreground);
    RUN(despill_and_fill_follow_facefusion);
    RUN(fill_alpha_decides_transparency);
    RUN(bad_settings_are_one_line_errors);
    facefuse_context_free(ctx);
    return tl_finish();
}
