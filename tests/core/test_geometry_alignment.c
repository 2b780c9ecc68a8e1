/*
 * test_geometry_alignment.c — the similarity fit recovers a known rotation,
 * scale and translation exactly and is the least-squares one under noise;
 * inverse and composition agree; warping by a pure translation moves pixels
 * exactly; the rotation canvas fits the rotated image; templates are
 * FaceFusion's.
 */
#include <math.h>
#include <string.h>

#include "core/geometry.h"
#include "core/image.h"
#include "testlib.h"

static void similarity_fit_recovers_known_transform(void)
{
    facefuse_point src[5] = {{10, 20}, {50, 22}, {30, 40}, {15, 60}, {45, 61}}, dst[5];
    double angle = 0.3, scale = 1.7, tx = 12.5, ty = -4;
    fu_affine truth = {{scale * cos(angle), -scale * sin(angle), tx, scale * sin(angle), scale * cos(angle), ty}};
    for (int i = 0; i < 5; i++)
        dst[i] = fu_affine_apply(&truth, src[i]);
    fu_affine fit = fu_similarity_fit(src, dst, 5);
    for (int k = 0; k < 6; k++)
        CHECK(fabs(fit.m[k] - truth.m[k]) < 1e-4, "m[%d] %.6f vs %.6f", k, fit.m[k], truth.m[k]);
    CHECK(fabs(fu_affine_scale(&fit) - scale) < 1e-5, "scale %.6f", fu_affine_scale(&fit));
}

static void similarity_fit_minimises_squared_error(void)
{
    facefuse_point src[5] = {{10, 20}, {50, 22}, {30, 40}, {15, 60}, {45, 61}};
    facefuse_point dst[5] = {{12, 19}, {55, 25}, {31, 44}, {13, 66}, {49, 62}};
    fu_affine fit = fu_similarity_fit(src, dst, 5);
    double best = 0;
    for (int i = 0; i < 5; i++) {
        facefuse_point q = fu_affine_apply(&fit, src[i]);
        best += pow(q.x - dst[i].x, 2) + pow(q.y - dst[i].y, 2);
    }
    /* Any perturbation of the 4 parameters increases the error. */
    double eps[4][4] = {{1e-3, 0, 0, 0}, {0, 1e-3, 0, 0}, {0, 0, 1e-2, 0}, {0, 0, 0, 1e-2}};
    for (int k = 0; k < 4; k++) {
        for (int sign = -1; sign <= 1; sign += 2) {
            fu_affine p = fit;
            p.m[0] += sign * eps[k][0];
            p.m[4] += sign * eps[k][0];
            p.m[1] -= sign * eps[k][1];
            p.m[3] += sign * eps[k][1];
            p.m[2] += sign * eps[k][2];
            p.m[5] += sign * eps[k][3];
            double e = 0;
            for (int i = 0; i < 5; i++) {
                facefuse_point q = fu_affine_apply(&p, src[i]);
                e += pow(q.x - dst[i].x, 2) + pow(q.y - dst[i].y, 2);
            }
            CHECK(e >= best - 1e-9, "perturbation %d/%d lowers error %.6f < %.6f", k, sign, e, best);
        }
    }
}

static void inverse_and_composition_agree(void)
{
    fu_affine a = {{1.2, -0.3, 5, 0.3, 1.2, -7}};
    fu_affine inv = fu_affine_invert(&a);
    fu_affine id = fu_affine_then(&a, &inv);
    double want[6] = {1, 0, 0, 0, 1, 0};
    for (int k = 0; k < 6; k++)
        CHECK(fabs(id.m[k] - want[k]) < 1e-9, "m[%d] = %.9f", k, id.m[k]);
}

static void integer_translation_warp_is_exact(void)
{
    facefuse_image src = {0}, dst = {0};
    facefuse_image_alloc(&src, 40, 30, 3);
    facefuse_image_alloc(&dst, 40, 30, 3);
    for (int y = 0; y < 30; y++)
        for (int x = 0; x < 40; x++)
            for (int c = 0; c < 3; c++)
                fu_pixel(&src, x, y)[c] = (uint8_t)(x * 5 + y * 3 + c * 50);
    fu_affine shift = {{1, 0, 3, 0, 1, 2}};
    fu_warp_affine(&src, &dst, &shift, FU_BORDER_REPLICATE);
    int bad = 0;
    for (int y = 2; y < 30; y++)
        for (int x = 3; x < 40; x++)
            bad += memcmp(fu_pixel(&dst, x, y), fu_pixel(&src, x - 3, y - 2), 3) != 0;
    CHECK(bad == 0, "%d pixels differ", bad);
    /* Border replicate: the first column repeats the source's first column. */
    CHECK(memcmp(fu_pixel(&dst, 0, 10), fu_pixel(&src, 0, 8), 3) == 0, "replicated border");
    facefuse_image_free(&src);
    facefuse_image_free(&dst);
}

static void rotation_canvas_fits_rotated_image(void)
{
    int w, h;
    fu_affine r = fu_rotation_fit(640, 480, 90, &w, &h);
    CHECK(w == 480 && h == 640, "canvas %dx%d", w, h);
    /* The corners land on the canvas (rotation about (w/2, h/2), as OpenCV's
     * getRotationMatrix2D in FaceFusion, so pixel centres may sit on the
     * far edge). */
    facefuse_point corners[4] = {{0, 0}, {639, 0}, {0, 479}, {639, 479}};
    for (int i = 0; i < 4; i++) {
        facefuse_point q = fu_affine_apply(&r, corners[i]);
        CHECK(q.x >= -0.01f && q.x <= w + 0.01f && q.y >= -0.01f && q.y <= h + 0.01f, "corner %d -> %.1f,%.1f", i, q.x,
              q.y);
    }
    r = fu_rotation_fit(640, 480, 180, &w, &h);
    CHECK(w == 640 && h == 480, "180 canvas %dx%d", w, h);
}

static void templates_match_facefusion_pixels(void)
{
    const facefuse_point *t = fu_template("arcface_128");
    REQUIRE(t != NULL, "arcface_128");
    CHECK(fabsf(t[0].x * 128 - 46.29f) < 0.01f && fabsf(t[0].y * 128 - 51.70f) < 0.01f, "arcface_128 left eye");
    t = fu_template("ffhq_512");
    REQUIRE(t != NULL, "ffhq_512");
    CHECK(fabsf(t[2].x * 512 - 256.63f) < 0.01f && fabsf(t[2].y * 512 - 314.02f) < 0.01f, "ffhq_512 nose");
    CHECK(fu_template("nonexistent") == NULL, "unknown template");
}

int main(void)
{
    RUN(similarity_fit_recovers_known_transform);
    RUN(similarity_fit_minimises_squared_error);
    RUN(inverse_and_composition_agree);
    RUN(integer_translation_warp_is_exact);
    RUN(rotation_canvas_fits_rotated_image);
    RUN(templates_match_facefusion_pixels);
    return tl_finish();
}
