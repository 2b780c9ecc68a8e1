/*
 * test_chroma_key_matte.c — the chroma keyer against a ground truth this
 * test makes (keyer_testutil.h: a portrait with a soft edge and hair
 * strands composited onto a lit green or blue screen, with spill and
 * sensor noise), with the default settings and the key sampled from the
 * border. Bounds:
 *   - matte IoU (alpha ≥ ½ against true alpha ≥ ½)                 ≥ 0.98
 *   - mean |alpha − true alpha| over the edge band (0.02 < true < 0.98,
 *     the soft rim and the strands)                                 ≤ 0.12
 *   - residual spill: the screen channel's mean excess over the mean of
 *     the other two, beyond the true foreground's own, on near-neutral
 *     solid foreground that got spill (+16 levels)                  ≤ 2 levels
 *   - solid foreground without spill keeps its colour: mean |Δ|     ≤ 2 levels
 * A frame without a screen colour in its border comes back unchanged.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "keyer_testutil.h"
#include "processors/chroma_key.h"
#include "testlib.h"

static facefuse_context *ctx;
static facefuse_image portrait;

typedef struct key_scores {
    double iou, edge_error, spill_in, spill_out, interior_error;
} key_scores;

/* A foreground colour without much chroma of its own (greys, whites, dark
 * clothes): there spill shows as a colour cast and all of it can be told
 * apart (on a saturated colour part of it reads as that colour's own). */
static int kt_neutral(const uint8_t *p)
{
    int hi = p[0], lo = p[0];
    for (int c = 1; c < 3; c++)
        hi = p[c] > hi ? p[c] : hi, lo = p[c] < lo ? p[c] : lo;
    return hi - lo <= 24;
}

static key_scores score(const kt_shot *k, const facefuse_image *out, const uint8_t *matte)
{
    key_scores sc = {0};
    const int w = out->width, h = out->height;
    double inter = 0, uni = 0, edge = 0, truth_sum = 0, in_sum = 0, out_sum = 0, int_sum = 0;
    long edge_n = 0, spill_n = 0, int_n = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            double a = k->alpha[i], m = matte[i] / 255.0;
            int t = a >= 0.5, p = matte[i] >= 128;
            inter += t && p;
            uni += t || p;
            if (a > 0.02 && a < 0.98) {
                edge += fabs(m - a);
                edge_n++;
            }
            const uint8_t *f = fu_pixel(&k->fg, x, y), *o = fu_pixel(out, x, y), *s = fu_pixel(&k->shot, x, y);
            if (a >= 0.98 && k->spill_weight[i] > 0.5 && kt_neutral(f)) {
                double et = kt_excess(f, k->screen_channel), ein = kt_excess(s, k->screen_channel),
                       eout = kt_excess(o, k->screen_channel);
                truth_sum += et > 0 ? et : 0;
                in_sum += ein > 0 ? ein : 0;
                out_sum += eout > 0 ? eout : 0;
                spill_n++;
            }
            if (a >= 1.0 && k->spill_weight[i] == 0) {
                for (int c = 0; c < 3; c++)
                    int_sum += abs((int)o[c] - (int)f[c]);
                int_n += 3;
            }
        }
    sc.iou = uni > 0 ? inter / uni : 0;
    sc.edge_error = edge_n ? edge / edge_n : 1;
    sc.spill_in = spill_n ? (in_sum - truth_sum) / spill_n : 0;
    sc.spill_out = spill_n ? (out_sum - truth_sum) / spill_n : 99;
    sc.interior_error = int_n ? int_sum / int_n : 99;
    return sc;
}

static void key_screen(const uint8_t screen[3], int channel, const char *name)
{
    kt_shot k;
    REQUIRE(kt_make(&portrait, screen, channel, 16.0, &k), "shot");
    facefuse_image out = {0};
    REQUIRE(fu_image_copy(&out, &k.shot) == FACEFUSE_OK, "copy");
    uint8_t *matte = malloc((size_t)out.width * out.height);
    REQUIRE(matte, "matte");
    fu_chroma_key_settings s = fu_chroma_key_defaults();
    fu_chroma_key_result res;
    fu_err err;
    fu_err_clear(&err);
    REQUIRE(fu_chroma_key(&s, &out, matte, &res, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(res.keyed, "%s: no key colour found", name);
    for (int c = 0; c < 3; c++)
        CHECK(abs((int)res.key_rgb[c] - screen[c]) <= 12, "%s: key %d %d %d, screen %d %d %d", name, res.key_rgb[0],
              res.key_rgb[1], res.key_rgb[2], screen[0], screen[1], screen[2]);
    key_scores sc = score(&k, &out, matte);
    printf("  %s screen: IoU %.4f, edge alpha error %.4f, spill %.2f -> %.2f levels, interior error %.2f\n", name,
           sc.iou, sc.edge_error, sc.spill_in, sc.spill_out, sc.interior_error);
    CHECK(sc.iou >= 0.98, "%s: IoU %.4f", name, sc.iou);
    CHECK(sc.edge_error <= 0.12, "%s: edge alpha error %.4f", name, sc.edge_error);
    CHECK(sc.spill_in > 5, "%s: the shot should carry spill (%.2f)", name, sc.spill_in);
    CHECK(sc.spill_out <= 2.0, "%s: residual spill %.2f levels", name, sc.spill_out);
    CHECK(sc.interior_error <= 2.0, "%s: foreground changed by %.2f levels", name, sc.interior_error);
    free(matte);
    facefuse_image_free(&out);
    kt_free(&k);
}

static void green_screen_matches_the_ground_truth(void)
{
    const uint8_t green[3] = {52, 178, 72};
    key_screen(green, 1, "green");
}

static void blue_screen_matches_the_ground_truth(void)
{
    const uint8_t blue[3] = {38, 72, 196};
    key_screen(blue, 2, "blue");
}

static void frame_without_a_screen_is_unchanged(void)
{
    facefuse_image out = {0};
    REQUIRE(fu_image_copy(&out, &portrait) == FACEFUSE_OK, "copy");
    uint8_t *matte = malloc((size_t)out.width * out.height);
    REQUIRE(matte, "matte");
    memset(matte, 7, (size_t)out.width * out.height);
    fu_chroma_key_settings s = fu_chroma_key_defaults();
    fu_chroma_key_result res;
    fu_err err;
    REQUIRE(fu_chroma_key(&s, &out, matte, &res, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(!res.keyed, "keyed with %d %d %d", res.key_rgb[0], res.key_rgb[1], res.key_rgb[2]);
    CHECK(memcmp(out.data, portrait.data, (size_t)out.stride * out.height) == 0, "the frame changed");
    int opaque = 1;
    for (size_t i = 0; i < (size_t)out.width * out.height; i++)
        opaque &= matte[i] == 255;
    CHECK(opaque, "the matte is not all 255");
    free(matte);
    facefuse_image_free(&out);
}

/* The same key with two threads gives the same bytes, choke included. */
static void threads_give_the_same_result(void)
{
    const uint8_t green[3] = {52, 178, 72};
    kt_shot k;
    REQUIRE(kt_make(&portrait, green, 1, 25.0, &k), "shot");
    facefuse_image a = {0}, b = {0};
    REQUIRE(fu_image_copy(&a, &k.shot) == FACEFUSE_OK && fu_image_copy(&b, &k.shot) == FACEFUSE_OK, "copy");
    size_t n = (size_t)a.width * a.height;
    uint8_t *ma = malloc(n), *mb = malloc(n);
    REQUIRE(ma && mb, "mattes");
    fu_chroma_key_settings s = fu_chroma_key_defaults();
    s.choke_px = 2;
    s.feather_px = 3;
    fu_err err;
    REQUIRE(fu_chroma_key(&s, &a, ma, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    s.threads = 3;
    REQUIRE(fu_chroma_key(&s, &b, mb, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(memcmp(a.data, b.data, (size_t)a.stride * a.height) == 0, "frames differ");
    CHECK(memcmp(ma, mb, n) == 0, "mattes differ");
    free(ma), free(mb);
    facefuse_image_free(&a), facefuse_image_free(&b);
    kt_free(&k);
}

/* Choke by r: the matte is the r-pixel erosion of the plain matte; a
 * negative choke is the dilation. Feather turns a hard key's step into a
 * ramp of about twice its radius without moving the half-way point. */
static void choke_and_feather_shape_the_matte(void)
{
    const uint8_t green[3] = {52, 178, 72};
    kt_shot k;
    REQUIRE(kt_make(&portrait, green, 1, 0.0, &k), "shot");
    const int w = k.shot.width, h = k.shot.height, r = 3;
    size_t n = (size_t)w * h;
    uint8_t *plain = malloc(n), *choked = malloc(n), *grown = malloc(n);
    REQUIRE(plain && choked && grown, "mattes");
    facefuse_image f = {0};
    fu_chroma_key_settings s = fu_chroma_key_defaults();
    uint8_t *dst[3] = {plain, choked, grown};
    int chokes[3] = {0, r, -r};
    fu_err err;
    for (int i = 0; i < 3; i++) {
        s.choke_px = chokes[i];
        REQUIRE(fu_image_copy(&f, &k.shot) == FACEFUSE_OK, "copy");
        REQUIRE(fu_chroma_key(&s, &f, dst[i], NULL, &err) == FACEFUSE_OK, "%s", err.msg);
        facefuse_image_free(&f);
    }
    long wrong = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int lo = 255, hi = 0;
            for (int dy = -r; dy <= r; dy++)
                for (int dx = -r; dx <= r; dx++) {
                    int yy = y + dy, xx = x + dx;
                    if (yy < 0 || yy >= h || xx < 0 || xx >= w)
                        continue;
                    int v = plain[(size_t)yy * w + xx];
                    lo = v < lo ? v : lo;
                    hi = v > hi ? v : hi;
                }
            wrong += choked[(size_t)y * w + x] != lo;
            wrong += grown[(size_t)y * w + x] != hi;
        }
    CHECK(wrong == 0, "%ld pixels differ from the brute-force erosion/dilation", wrong);

    /* Feather on a hard key of a hard-edged disc. */
    facefuse_image disc = {0};
    REQUIRE(facefuse_image_alloc(&disc, 200, 100, 3) == FACEFUSE_OK, "disc");
    for (int y = 0; y < 100; y++)
        for (int x = 0; x < 200; x++) {
            uint8_t *p = fu_pixel(&disc, x, y);
            int in = x >= 100;
            p[0] = in ? 200 : green[0], p[1] = in ? 120 : green[1], p[2] = in ? 90 : green[2];
        }
    uint8_t *m = malloc(200 * 100);
    REQUIRE(m, "matte");
    s = fu_chroma_key_defaults();
    s.key_set = 1;
    memcpy(s.key_rgb, green, 3);
    s.softness = 0;
    s.feather_px = 8;
    REQUIRE(fu_chroma_key(&s, &disc, m, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    const uint8_t *row = m + 50 * 200;
    CHECK(row[90] == 0 && row[109] == 255, "feather reaches too far: %d %d", row[90], row[109]);
    CHECK(row[96] > 0 && row[96] < 128 && row[103] > 128 && row[103] < 255, "no ramp: %d %d", row[96], row[103]);
    CHECK(abs((int)row[99] + (int)row[100] - 255) <= 2, "the edge moved: %d %d", row[99], row[100]);
    free(m);
    facefuse_image_free(&disc);
    free(plain), free(choked), free(grown);
    kt_free(&k);
}

static void bad_settings_are_refused(void)
{
    fu_chroma_key_settings s = fu_chroma_key_defaults();
    fu_err err;
    s.tolerance = 101;
    CHECK(fu_chroma_key_check(&s, &err) == FACEFUSE_ERR_INVALID_ARGUMENT, "tolerance 101");
    s = fu_chroma_key_defaults();
    s.key_set = 1;
    s.key_rgb[0] = s.key_rgb[1] = s.key_rgb[2] = 128;
    CHECK(fu_chroma_key_check(&s, &err) == FACEFUSE_ERR_INVALID_ARGUMENT, "a grey key");
    CHECK(strstr(err.msg, "128 128 128") != NULL, "message: %s", err.msg);
    s = fu_chroma_key_defaults();
    s.choke_px = -33;
    CHECK(fu_chroma_key_check(&s, &err) == FACEFUSE_ERR_INVALID_ARGUMENT, "choke -33");
}

int main(void)
{
    ctx = tl_context();
    portrait = tl_load(ctx, "samples/astronaut.png");
    RUN(green_screen_matches_the_ground_truth);
    RUN(blue_screen_matches_the_ground_truth);
    RUN(frame_without_a_screen_is_unchanged);
    RUN(threads_give_the_same_result);
    RUN(choke_and_feather_shape_the_matte);
    RUN(bad_settings_are_refused);
    facefuse_image_free(&portrait);
    facefuse_context_free(ctx);
    return tl_finish();
}
