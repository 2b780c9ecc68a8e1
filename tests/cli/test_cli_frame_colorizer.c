/*
 * test_cli_frame_colorizer.c — frame_colorizer through the whole program on
 * a grey image, with the ddcolor stand-in (tests/models/gen_frame_colorizer.py:
 * a = 40·(grey/255 − 0.5), b = −30): every output pixel is Lab (L of the
 * grey, a, b) within 2 levels, so the options reached the processor and
 * the chain ran it; --frame-colorizer-blend 50 gives the rounded midpoint
 * with the grey. Expected colours come from core/colour.c's Lab.
 */
#include <math.h>

#include "clitest.h"
#include "core/colour.h"
#include "core/image.h"
#include "media/image_io.h"

/* A smooth grey ramp (the stand-in sees it at 192..512 px). */
static facefuse_image grey_ramp(int w, int h)
{
    facefuse_image im = {0};
    facefuse_image_alloc(&im, w, h, 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            memset(fu_pixel(&im, x, y), 40 + 170 * x / (w - 1), 3);
    return im;
}

/* The colour the stand-in's prediction gives a grey g: Lab (L(g), a, b). */
static void expected(int g, int out[3])
{
    float rgb[3] = {g / 255.0f, g / 255.0f, g / 255.0f}, lab[3];
    fu_rgb_to_lab(rgb, lab);
    lab[1] = (float)(40.0 * (g / 255.0 - 0.5));
    lab[2] = -30.0f;
    fu_lab_to_rgb(lab, rgb);
    for (int c = 0; c < 3; c++) {
        double v = rgb[c] < 0 ? 0 : rgb[c] > 1 ? 1 : rgb[c];
        out[c] = (int)floor(v * 255.0 + 0.5);
    }
}

/* The worst difference of out from the grey colorized and blended. */
static int worst_difference(const facefuse_image *grey, const facefuse_image *out, int blend)
{
    int worst = 0;
    for (int y = 0; y < out->height; y++)
        for (int x = 0; x < out->width; x++) {
            int g = fu_pixel(grey, x, y)[0], want[3];
            expected(g, want);
            for (int c = 0; c < 3; c++) {
                int v = (int)floor(g * (1.0 - blend / 100.0) + want[c] * blend / 100.0 + 0.5);
                int d = abs(v - fu_pixel(out, x, y)[c]);
                worst = d > worst ? d : worst;
            }
        }
    return worst;
}

static void run_and_compare(const char *in, const facefuse_image *grey, int blend)
{
    char args[2048], *e = NULL, name[64];
    snprintf(name, sizeof name, "colour-%d.png", blend);
    const char *out = tl_tmp(name);
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors frame_colorizer --frame-colorizer-model ddcolor "
             "--frame-colorizer-size 192x192 --frame-colorizer-blend %d --log-level error",
             in, out, blend);
    int code = tl_run_cli(args, NULL, &e);
    REQUIRE(code == 0, "exit %d: %s", code, e ? e : "");
    free(e);
    facefuse_image got = {0};
    fu_err err;
    REQUIRE(fu_image_read(out, &got, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(got.width == grey->width && got.height == grey->height, "%dx%d", got.width, got.height);
    int worst = worst_difference(grey, &got, blend);
    printf("    blend %d: worst difference %d levels\n", blend, worst);
    CHECK(worst <= 2, "blend %d: off the expected colour by %d levels", blend, worst);
    /* and it is colour: b = −30 is blue, well apart from the grey */
    const uint8_t *mid = fu_pixel(&got, got.width / 2, got.height / 2);
    CHECK(mid[2] - mid[0] > (blend == 100 ? 30 : 15), "blend %d: the middle is %d %d %d", blend, mid[0], mid[1],
          mid[2]);
    facefuse_image_free(&got);
}

static void grey_image_is_colorized_by_the_chain(void)
{
    facefuse_image grey = grey_ramp(160, 96);
    const char *in = tl_tmp("grey.png");
    fu_err err;
    REQUIRE(fu_image_write(in, &grey, 100, &err) == FACEFUSE_OK, "%s", err.msg);
    run_and_compare(in, &grey, 100);
    run_and_compare(in, &grey, 50);
    facefuse_image_free(&grey);
}

int main(void)
{
    RUN(grey_image_is_colorized_by_the_chain);
    return tl_finish();
}
