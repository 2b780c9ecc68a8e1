/*
 * test_poisson_converges.c — on a 512×512 region the multigrid solve
 * reaches its residual tolerance and the right answer, and touches nothing
 * but the masked pixels.
 *
 * src = dst + φ with φ harmonic (linear plus x² − y², whose discrete
 * Laplacian is exactly zero) has the same Laplacian as dst up to the 8-bit
 * rounding of src, so the exact solution is dst itself (±1 for rounding):
 * a solver that stopped early would leave a large smooth part of φ behind.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "core/poisson.h"
#include "testlib.h"

enum { W = 560, H = 540, X0 = 20, Y0 = 14, R = 512 };

static void test_harmonic_offset_is_removed(void)
{
    facefuse_image dst, src, out;
    float *mask = malloc(sizeof(float) * W * H);
    REQUIRE(mask, "alloc");
    REQUIRE(facefuse_image_alloc(&dst, W, H, 3) == FACEFUSE_OK, "alloc");
    REQUIRE(facefuse_image_alloc(&src, W, H, 3) == FACEFUSE_OK, "alloc");
    int inside = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double u = x - (X0 + R / 2.0), v = y - (Y0 + R / 2.0);
            double phi = 30 + 0.08 * u - 0.05 * v + 0.0003 * (u * u - v * v);
            for (int c = 0; c < 3; c++) {
                double d = 110 + 40 * sin(x / (30.0 + 7 * c)) * cos(y / 45.0);
                fu_pixel(&dst, x, y)[c] = (uint8_t)lround(d);
                fu_pixel(&src, x, y)[c] = (uint8_t)lround(d + phi * (c + 1) / 3.0);
            }
            int in = u * u / (250.0 * 250.0) + v * v / (230.0 * 230.0) <= 1.0;
            mask[(size_t)y * W + x] = in ? 0.9f : 0.1f;
            inside += in;
        }
    REQUIRE(fu_image_copy(&out, &dst) == FACEFUSE_OK, "copy");

    fu_err err;
    fu_poisson_stats stats;
    facefuse_status st = fu_poisson_blend_ex(&out, &src, mask, X0, Y0, R, R, &stats, &err);
    REQUIRE(st == FACEFUSE_OK, "blend failed: %s", err.msg);
    printf("    %d unknowns, %d cycles, residual %.5f\n", stats.unknowns, stats.cycles, stats.residual_max);
    CHECK(stats.unknowns == inside, "unknowns %d, mask has %d", stats.unknowns, inside);
    CHECK(stats.residual_max <= FU_POISSON_TOLERANCE, "residual %g above tolerance", stats.residual_max);
    CHECK(stats.cycles <= 10, "took %d cycles", stats.cycles);

    int worst = 0, changed_outside = 0;
    double sum = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < 3; c++) {
                int diff = abs((int)fu_pixel(&out, x, y)[c] - fu_pixel(&dst, x, y)[c]);
                if (mask[(size_t)y * W + x] > 0.5f) {
                    worst = diff > worst ? diff : worst;
                    sum += diff;
                } else if (diff) {
                    changed_outside++;
                }
            }
    printf("    |f - dst|: max %d, mean %.3f\n", worst, sum / (3.0 * inside));
    CHECK(worst <= 2, "max error %d vs the exact solution", worst);
    CHECK(sum / (3.0 * inside) < 0.5, "mean error %.3f", sum / (3.0 * inside));
    CHECK(changed_outside == 0, "%d channel values outside the mask changed", changed_outside);

    facefuse_image_free(&dst), facefuse_image_free(&src), facefuse_image_free(&out);
    free(mask);
}

/* Pixels outside the region never change, even where the mask says inside. */
static void test_outside_region_unchanged(void)
{
    enum { S = 64 };
    facefuse_image dst, src, out;
    float mask[S * S];
    for (int i = 0; i < S * S; i++)
        mask[i] = 1.0f;
    REQUIRE(facefuse_image_alloc(&dst, S, S, 4) == FACEFUSE_OK, "alloc");
    REQUIRE(facefuse_image_alloc(&src, S, S, 4) == FACEFUSE_OK, "alloc");
    for (int i = 0; i < S * S * 4; i++) {
        dst.data[i] = (uint8_t)(i * 7);
        src.data[i] = (uint8_t)(255 - i * 3);
    }
    REQUIRE(fu_image_copy(&out, &dst) == FACEFUSE_OK, "copy");
    fu_err err;
    REQUIRE(fu_poisson_blend(&out, &src, mask, 10, 12, 30, 20, &err) == FACEFUSE_OK, "%s", err.msg);
    int changed_outside = 0, changed_inside = 0, alpha_changed = 0;
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++) {
            int in = x > 10 && x < 39 && y > 12 && y < 31; /* region minus its border */
            for (int c = 0; c < 4; c++) {
                int diff = fu_pixel(&out, x, y)[c] != fu_pixel(&dst, x, y)[c];
                if (c == 3)
                    alpha_changed += diff;
                else if (in)
                    changed_inside += diff;
                else
                    changed_outside += diff;
            }
        }
    CHECK(changed_outside == 0, "%d values outside the region changed", changed_outside);
    CHECK(alpha_changed == 0, "alpha changed at %d pixels", alpha_changed);
    CHECK(changed_inside > 0, "nothing changed inside the region");
    facefuse_image_free(&dst), facefuse_image_free(&src), facefuse_image_free(&out);
}

int main(void)
{
    RUN(test_harmonic_offset_is_removed);
    RUN(test_outside_region_unchanged);
    return tl_finish();
}
