/*
 * test_frame_colorizer_lab.c — the colorizer's pre- and post-processing
 * through stand-ins (tests/models/gen_frame_colorizer.py) whose predicted
 * colour is a known function of the grey they are given:
 *   - ddcolor predicts a = 40·(grey/255 − 0.5), b = −30: every pixel must
 *     come out as Lab (L of the original, a, b), which proves the grey
 *     conversion and scaling of the input, the a/b planes scaled back to the
 *     frame, and the merge with the original's lightness (within 2 levels);
 *   - deoldify predicts the sepia (g, 0.8g, 0.55g): the output carries its
 *     a, b with the original's L;
 *   - blend 0 leaves the frame as it was, blend 50 is the rounded midpoint;
 *   - every --frame-colorizer-size works, others are refused; alpha is kept.
 * The expected colours come from core/colour.c's double-precision Lab, not
 * from the colorizer's float tables.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/colour.h"
#include "core/image.h"
#include "infer/context.h"
#include "processors/frame_colorizer.h"
#include "testlib.h"

static facefuse_context *ctx;

/* A smooth colourful frame, so the model's low resolution loses nothing. */
static facefuse_image test_frame(int w, int h, int channels)
{
    facefuse_image f = {0};
    facefuse_image_alloc(&f, w, h, channels);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = fu_pixel(&f, x, y);
            p[0] = (uint8_t)(30 + 200 * x / (w - 1));
            p[1] = (uint8_t)(40 + 180 * y / (h - 1));
            p[2] = (uint8_t)(90 + 60 * (x + y) / (w + h - 2));
            if (channels == 4)
                p[3] = (uint8_t)((x * 13 + y * 7) % 256);
        }
    return f;
}

static double grey_of(const uint8_t *p)
{
    return floor(0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2] + 0.5);
}

/* The pixel of Lab (L of p, a, b), rounded. */
static void expected(const uint8_t *p, float a, float b, int out[3])
{
    float rgb[3] = {p[0] / 255.0f, p[1] / 255.0f, p[2] / 255.0f}, lab[3];
    fu_rgb_to_lab(rgb, lab);
    lab[1] = a, lab[2] = b;
    fu_lab_to_rgb(lab, rgb);
    for (int c = 0; c < 3; c++) {
        double v = rgb[c] < 0 ? 0 : rgb[c] > 1 ? 1 : rgb[c];
        out[c] = (int)floor(v * 255.0 + 0.5);
    }
}

static fu_session *session(const char *name)
{
    fu_session *s = NULL;
    fu_err err;
    if (fu_context_session(ctx, name, &s, NULL, &err) != FACEFUSE_OK)
        fprintf(stderr, "    %s: %s\n", name, err.msg);
    return s;
}

static int worst_difference(const facefuse_image *orig, const facefuse_image *out, fu_colorizer_type type)
{
    int worst = 0;
    for (int y = 0; y < out->height; y++)
        for (int x = 0; x < out->width; x++) {
            const uint8_t *p = fu_pixel(orig, x, y);
            double g = grey_of(p);
            float a, b;
            if (type == FU_COLORIZER_DDCOLOR) {
                a = (float)(40.0 * (g / 255.0 - 0.5));
                b = -30.0f;
            } else {
                float sepia[3] = {(float)floor(g) / 255.0f, (float)floor(0.8 * g) / 255.0f,
                                  (float)floor(0.55 * g) / 255.0f},
                      lab[3];
                fu_rgb_to_lab(sepia, lab);
                a = lab[1], b = lab[2];
            }
            int want[3];
            expected(p, a, b, want);
            for (int c = 0; c < 3; c++) {
                int d = abs(want[c] - fu_pixel(out, x, y)[c]);
                worst = d > worst ? d : worst;
            }
        }
    return worst;
}

static void colorize_and_compare(const char *model, fu_colorizer_type type)
{
    fu_session *s = session(model);
    REQUIRE(s, "%s stand-in", model);
    facefuse_image orig = test_frame(320, 240, 3), out = {0};
    REQUIRE(fu_image_copy(&out, &orig) == FACEFUSE_OK, "copy");
    fu_frame_colorizer_settings set = fu_frame_colorizer_defaults();
    set.model = model;
    fu_err err;
    REQUIRE(fu_frame_colorize(s, type, &set, &out, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    int worst = worst_difference(&orig, &out, type);
    CHECK(worst <= 2, "%s: off the expected Lab colour by %d levels", model, worst);
    facefuse_image_free(&orig);
    facefuse_image_free(&out);
}

static void ddcolor_chroma_joins_the_original_lightness(void)
{
    colorize_and_compare("ddcolor", FU_COLORIZER_DDCOLOR);
}

static void deoldify_colour_gives_its_chroma(void)
{
    colorize_and_compare("deoldify", FU_COLORIZER_DEOLDIFY);
}

static void blend_mixes_with_the_original(void)
{
    fu_session *s = session("ddcolor");
    REQUIRE(s, "ddcolor stand-in");
    facefuse_image orig = test_frame(200, 150, 3), full = {0}, half = {0}, none = {0};
    REQUIRE(fu_image_copy(&full, &orig) == FACEFUSE_OK && fu_image_copy(&half, &orig) == FACEFUSE_OK &&
                fu_image_copy(&none, &orig) == FACEFUSE_OK,
            "copies");
    fu_frame_colorizer_settings set = fu_frame_colorizer_defaults();
    fu_err err;
    REQUIRE(fu_frame_colorize(s, FU_COLORIZER_DDCOLOR, &set, &full, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    set.blend = 50;
    REQUIRE(fu_frame_colorize(s, FU_COLORIZER_DDCOLOR, &set, &half, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    set.blend = 0;
    int64_t runs = fu_ort_run_count();
    REQUIRE(fu_frame_colorize(s, FU_COLORIZER_DDCOLOR, &set, &none, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_ort_run_count() == runs, "blend 0 ran the model");
    CHECK(memcmp(none.data, orig.data, (size_t)orig.stride * orig.height) == 0, "blend 0 changed the frame");
    int worst = 0;
    for (size_t i = 0; i < (size_t)orig.stride * orig.height; i++) {
        int want = (orig.data[i] + full.data[i] + 1) / 2, d = abs(want - half.data[i]);
        worst = d > worst ? d : worst;
    }
    CHECK(worst <= 1, "blend 50 is off the midpoint by %d", worst);
    facefuse_image_free(&orig), facefuse_image_free(&full), facefuse_image_free(&half), facefuse_image_free(&none);
}

static void every_size_works_and_alpha_is_kept(void)
{
    fu_session *s = session("deoldify");
    REQUIRE(s, "deoldify stand-in");
    const int sizes[] = {192, 256, 384, 512};
    for (int i = 0; i < 4; i++) {
        facefuse_image orig = test_frame(300, 200, 4), out = {0};
        REQUIRE(fu_image_copy(&out, &orig) == FACEFUSE_OK, "copy");
        fu_frame_colorizer_settings set = fu_frame_colorizer_defaults();
        set.model = "deoldify";
        set.size = sizes[i];
        set.threads = 2;
        fu_err err;
        REQUIRE(fu_frame_colorize(s, FU_COLORIZER_DEOLDIFY, &set, &out, NULL, &err) == FACEFUSE_OK, "%d: %s",
                sizes[i], err.msg);
        int alpha_changed = 0;
        for (int y = 0; y < 200; y++)
            for (int x = 0; x < 300; x++)
                alpha_changed += fu_pixel(&out, x, y)[3] != fu_pixel(&orig, x, y)[3];
        CHECK(alpha_changed == 0, "size %d: %d alpha values changed", sizes[i], alpha_changed);
        int worst = worst_difference(&orig, &out, FU_COLORIZER_DEOLDIFY);
        CHECK(worst <= 2, "size %d: off by %d", sizes[i], worst);
        facefuse_image_free(&orig), facefuse_image_free(&out);
    }
    CHECK(fu_frame_colorizer_parse_size("384x384") == 384 && fu_frame_colorizer_parse_size("256") == 256,
          "parse sizes");
    CHECK(fu_frame_colorizer_parse_size("300x300") == 0 && fu_frame_colorizer_parse_size("256x192") == 0 &&
              fu_frame_colorizer_parse_size("big") == 0,
          "bad sizes parsed");
    fu_frame_colorizer_settings set = fu_frame_colorizer_defaults();
    fu_err err;
    set.size = 300;
    CHECK(fu_frame_colorizer_check(&set, &err) == FACEFUSE_ERR_INVALID_ARGUMENT && strstr(err.msg, "300"),
          "size 300 accepted");
    set = fu_frame_colorizer_defaults();
    set.model = "deoldify_ultra";
    fu_frame_colorizer *c;
    CHECK(fu_frame_colorizer_open(ctx, &set, &c, &err) == FACEFUSE_ERR_INVALID_ARGUMENT &&
              strstr(err.msg, "deoldify_stable"),
          "unknown model: %s", err.msg);
}

int main(void)
{
    ctx = tl_context();
    RUN(ddcolor_chroma_joins_the_original_lightness);
    RUN(deoldify_colour_gives_its_chroma);
    RUN(blend_mixes_with_the_original);
    RUN(every_size_works_and_alpha_is_kept);
    facefuse_context_free(ctx);
    return tl_finish();
}
