/*
 * test_swap_mask.c — the box mask follows FaceFusion's blur and padding
 * formula: zero strips of max(max(int(C·0.5·b)//2, 1), int(C·p/100)) px,
 * Gaussian σ = 0.25·int(C·0.5·b) with OpenCV's float kernel size, reflect-101
 * border. Checked against a direct 2-D convolution written here.
 */
#include <math.h>
#include <stdlib.h>

#include "processors/mask.h"
#include "testlib.h"

static int reflect(int i, int n)
{
    while (i < 0 || i >= n)
        i = i < 0 ? -i : 2 * (n - 1) - i;
    return i;
}

/* Direct 2-D Gaussian of the zero-bordered box at (x, y). */
static double reference_value(int size, const int strip[4], double sigma, int ksize, int x, int y)
{
    double sum = 0, wsum = 0;
    int r = ksize / 2;
    for (int dy = -r; dy <= r; dy++)
        for (int dx = -r; dx <= r; dx++) {
            double w = exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
            int sx = reflect(x + dx, size), sy = reflect(y + dy, size);
            int inside = sy >= strip[0] && sy < size - strip[2] && sx >= strip[3] && sx < size - strip[1];
            sum += w * inside;
            wsum += w;
        }
    return sum / wsum;
}

static void test_geometry_defaults(void)
{
    const int pad0[4] = {0, 0, 0, 0};
    fu_box_mask_geometry g = fu_box_mask_geometry_of(128, 0.3f, pad0);
    CHECK(g.blur_amount == 19 && g.border_px == 9, "128: blur %d border %d", g.blur_amount, g.border_px);
    CHECK(fabs(g.sigma - 4.75) < 1e-12 && g.ksize == 39, "128: sigma %g ksize %d", g.sigma, g.ksize);
    for (int i = 0; i < 4; i++)
        CHECK(g.strip_px[i] == 9, "128: strip %d = %d", i, g.strip_px[i]);
    g = fu_box_mask_geometry_of(512, 0.3f, pad0);
    CHECK(g.blur_amount == 76 && g.border_px == 38, "512: blur %d border %d", g.blur_amount, g.border_px);
    CHECK(fabs(g.sigma - 19) < 1e-12 && g.ksize == 153, "512: sigma %g ksize %d", g.sigma, g.ksize);
    g = fu_box_mask_geometry_of(128, 0.0f, pad0);
    CHECK(g.blur_amount == 0 && g.border_px == 1 && g.ksize == 0, "no blur: border %d ksize %d", g.border_px, g.ksize);
    const int pad[4] = {10, 0, 50, 3};
    g = fu_box_mask_geometry_of(128, 0.3f, pad);
    CHECK(g.strip_px[0] == 12 && g.strip_px[1] == 9 && g.strip_px[2] == 64 && g.strip_px[3] == 9,
          "padding strips %d %d %d %d", g.strip_px[0], g.strip_px[1], g.strip_px[2], g.strip_px[3]);
}

static void check_against_reference(int size, float blur, const int pad[4], int step)
{
    float *m = NULL;
    fu_err err;
    fu_err_clear(&err);
    REQUIRE(fu_box_mask(size, blur, pad, &m, &err) == FACEFUSE_OK, "%s", err.msg);
    fu_box_mask_geometry g = fu_box_mask_geometry_of(size, blur, pad);
    double worst = 0;
    for (int y = 0; y < size; y += step)
        for (int x = 0; x < size; x += step) {
            double want = reference_value(size, g.strip_px, g.sigma, g.ksize, x, y);
            double d = fabs(want - m[y * size + x]);
            if (d > worst)
                worst = d;
        }
    CHECK(worst < 2e-6, "C=%d blur %.2f: worst difference %g", size, blur, worst);
    /* Symmetric box and padding: the mask is symmetric about the centre. */
    if (pad[0] == pad[2] && pad[1] == pad[3])
        CHECK(fabsf(m[5 * size + 7] - m[(size - 6) * size + (size - 8)]) < 1e-6, "C=%d not symmetric", size);
    free(m);
}

static void test_mask_matches_direct_convolution(void)
{
    const int pad0[4] = {0, 0, 0, 0}, pad[4] = {10, 20, 0, 5};
    check_against_reference(128, 0.3f, pad0, 1);
    check_against_reference(128, 0.6f, pad, 1);
    check_against_reference(512, 0.3f, pad0, 37);
}

static void test_unblurred_mask_is_a_hard_box(void)
{
    const int pad[4] = {0, 0, 25, 0};
    float *m = NULL;
    fu_err err;
    fu_err_clear(&err);
    REQUIRE(fu_box_mask(64, 0.0f, pad, &m, &err) == FACEFUSE_OK, "%s", err.msg);
    int wrong = 0;
    for (int y = 0; y < 64; y++)
        for (int x = 0; x < 64; x++) {
            float want = y >= 1 && y < 64 - 16 && x >= 1 && x < 63 ? 1.0f : 0.0f;
            wrong += m[y * 64 + x] != want;
        }
    CHECK(wrong == 0, "%d pixels differ from the 1 px bordered box with 16 px bottom padding", wrong);
    free(m);
}

int main(void)
{
    RUN(test_geometry_defaults);
    RUN(test_mask_matches_direct_convolution);
    RUN(test_unblurred_mask_is_a_hard_box);
    return tl_finish();
}
