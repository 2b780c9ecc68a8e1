/*
 * test_poisson_seam.c — a patch whose colour is offset from a smooth
 * background lands without a seam under Poisson blending: the gradient
 * error across the mask boundary (against the smooth background, what the
 * eye expects) is at least 5× lower than plain alpha blending's.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "core/poisson.h"
#include "testlib.h"

enum { W = 200, H = 180, CX = 100, CY = 90, RADIUS = 50 };

static void make_scene(facefuse_image *dst, facefuse_image *src, float *mask)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t *d = fu_pixel(dst, x, y), *s = fu_pixel(src, x, y);
            double texture = 5.0 * sin(x * 0.3) * sin(y * 0.2);
            for (int c = 0; c < 3; c++) {
                double smooth = 40 + (0.4 + 0.1 * c) * x + (0.3 - 0.1 * c) * y;
                d[c] = (uint8_t)lround(smooth);
                s[c] = (uint8_t)lround(smooth + 60 - 20 * c + texture);
            }
            double dx = x - CX, dy = y - CY;
            mask[(size_t)y * W + x] = dx * dx + dy * dy <= RADIUS * RADIUS ? 1.0f : 0.0f;
        }
}

/* Mean over boundary edges (inside pixel p, outside 4-neighbour q) and
 * channels of |(res_p − res_q) − (exp_p − exp_q)|. */
static double seam_error(const facefuse_image *res, const facefuse_image *expected, const float *mask)
{
    static const int off[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
    double sum = 0;
    long n = 0;
    for (int y = 1; y < H - 1; y++)
        for (int x = 1; x < W - 1; x++) {
            if (mask[(size_t)y * W + x] <= 0.5f)
                continue;
            for (int k = 0; k < 4; k++) {
                int qx = x + off[k][0], qy = y + off[k][1];
                if (mask[(size_t)qy * W + qx] > 0.5f)
                    continue;
                for (int c = 0; c < 3; c++) {
                    double gr = (double)fu_pixel(res, x, y)[c] - fu_pixel(res, qx, qy)[c];
                    double ge = (double)fu_pixel(expected, x, y)[c] - fu_pixel(expected, qx, qy)[c];
                    sum += fabs(gr - ge);
                    n++;
                }
            }
        }
    return n ? sum / n : 0;
}

static void test_seam_much_lower_than_alpha_blend(void)
{
    facefuse_image dst, src, poisson, alpha;
    float *mask = malloc(sizeof(float) * W * H);
    REQUIRE(mask, "alloc");
    REQUIRE(facefuse_image_alloc(&dst, W, H, 3) == FACEFUSE_OK, "alloc");
    REQUIRE(facefuse_image_alloc(&src, W, H, 3) == FACEFUSE_OK, "alloc");
    make_scene(&dst, &src, mask);
    REQUIRE(fu_image_copy(&poisson, &dst) == FACEFUSE_OK, "copy");
    REQUIRE(fu_image_copy(&alpha, &dst) == FACEFUSE_OK, "copy");

    fu_err err;
    int x0 = CX - RADIUS - 3, y0 = CY - RADIUS - 3, rw = 2 * RADIUS + 7, rh = 2 * RADIUS + 7;
    fu_poisson_stats stats;
    facefuse_status st = fu_poisson_blend_ex(&poisson, &src, mask, x0, y0, rw, rh, &stats, &err);
    REQUIRE(st == FACEFUSE_OK, "blend failed: %s", err.msg);
    CHECK(stats.residual_max <= FU_POISSON_TOLERANCE, "residual %g", stats.residual_max);

    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            float m = mask[(size_t)y * W + x];
            for (int c = 0; c < 3; c++)
                fu_pixel(&alpha, x, y)[c] =
                    (uint8_t)lroundf(fu_pixel(&dst, x, y)[c] * (1 - m) + fu_pixel(&src, x, y)[c] * m);
        }

    double e_poisson = seam_error(&poisson, &dst, mask), e_alpha = seam_error(&alpha, &dst, mask);
    printf("    seam gradient error: poisson %.3f, alpha %.3f (ratio %.1f)\n", e_poisson, e_alpha,
           e_alpha / (e_poisson > 1e-9 ? e_poisson : 1e-9));
    CHECK(e_alpha > 20, "alpha blending should leave a visible seam (%.3f)", e_alpha);
    CHECK(e_poisson * 5 <= e_alpha, "poisson seam error %.3f not 5x below alpha %.3f", e_poisson, e_alpha);

    /* Inside, the patch keeps its texture: the blend follows the source's
     * gradients, not the background's. */
    double tex_err = 0;
    long n = 0;
    for (int y = CY - 20; y < CY + 20; y++)
        for (int x = CX - 20; x < CX + 20; x++) {
            int gr = fu_pixel(&poisson, x + 1, y)[1] - fu_pixel(&poisson, x, y)[1];
            int gs = fu_pixel(&src, x + 1, y)[1] - fu_pixel(&src, x, y)[1];
            tex_err += abs(gr - gs);
            n++;
        }
    CHECK(tex_err / n < 1.0, "interior gradients differ from the source's by %.3f", tex_err / n);

    facefuse_image_free(&dst), facefuse_image_free(&src);
    facefuse_image_free(&poisson), facefuse_image_free(&alpha);
    free(mask);
}

static void test_bad_region_is_rejected(void)
{
    facefuse_image a, b;
    float mask[16 * 16] = {0};
    fu_err err;
    REQUIRE(facefuse_image_alloc(&a, 16, 16, 3) == FACEFUSE_OK, "alloc");
    REQUIRE(facefuse_image_alloc(&b, 16, 8, 3) == FACEFUSE_OK, "alloc");
    CHECK(fu_poisson_blend(&a, &a, mask, 8, 8, 9, 4, &err) == FACEFUSE_ERR_INVALID_ARGUMENT, "region past the edge");
    CHECK(strstr(err.msg, "region") != NULL, "message: %s", err.msg);
    CHECK(fu_poisson_blend(&a, &b, mask, 0, 0, 4, 4, &err) == FACEFUSE_ERR_INVALID_ARGUMENT, "size mismatch");
    facefuse_image_free(&a), facefuse_image_free(&b);
}

int main(void)
{
    RUN(test_seam_much_lower_than_alpha_blend);
    RUN(test_bad_region_is_rejected);
    return tl_finish();
}
