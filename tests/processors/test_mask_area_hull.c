/*
 * test_mask_area_hull.c — the area mask is the filled convex hull of the
 * area's landmarks, mapped into the crop and softened: ≥ 0.99 wherever a
 * disc of 16 px around the pixel lies inside the hull, ≤ 0.01 farther than
 * 3 px outside it; landmarks inside the hull do not change it; a union of
 * areas covers each of them; unknown names fail; computing it on the hull's
 * neighbourhood only gives exactly the whole-plane blur, edges included.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "processors/mask.h"
#include "processors/mask_area.h"
#include "testlib.h"

enum { SIZE = 256, RIM = 11 };

static const double cx = 128, cy = 140, radius = 80;

/* Crop-space landmarks: lower-face's jaw points 3..13 on a circle (the hull
 * is that 11-gon), its nose points 31..35 inside; mouth points 48..67 on a
 * small circle below the centre; everything else far away (unused). */
static void crop_landmarks(facefuse_point crop[68], facefuse_point rim[RIM])
{
    for (int i = 0; i < 68; i++)
        crop[i] = (facefuse_point){5, 5};
    for (int k = 0; k < RIM; k++) {
        double a = 2 * M_PI * k / RIM + 0.1;
        rim[k] = (facefuse_point){(float)(cx + radius * cos(a)), (float)(cy + radius * sin(a))};
        crop[3 + k] = rim[k];
    }
    for (int i = 31; i <= 35; i++)
        crop[i] = (facefuse_point){(float)(cx - 20 + 10 * (i - 31)), (float)(cy - 15)};
    for (int i = 48; i <= 67; i++) {
        double a = 2 * M_PI * (i - 48) / 20;
        crop[i] = (facefuse_point){(float)(cx + 30 * cos(a)), (float)(cy + 95 + 12 * sin(a))};
    }
}

/* Signed distance of p to the convex polygon's edges: > 0 inside (the
 * smallest distance to an edge line), < 0 outside (a lower bound on the
 * true distance, negated). Vertices in angular order around (cx, cy). */
static double signed_distance(const facefuse_point *poly, int n, double px, double py)
{
    double inside = INFINITY, outside = 0;
    for (int i = 0; i < n; i++) {
        facefuse_point a = poly[i], b = poly[(i + 1) % n];
        double ex = b.x - a.x, ey = b.y - a.y, len = hypot(ex, ey);
        double nx = -ey / len, ny = ex / len; /* points inward for this winding */
        if (nx * (cx - a.x) + ny * (cy - a.y) < 0)
            nx = -nx, ny = -ny;
        double d = nx * (px - a.x) + ny * (py - a.y);
        inside = fmin(inside, d);
        outside = fmin(outside, d);
    }
    return inside >= 0 ? inside : outside;
}

static void test_mask_follows_hull(void)
{
    facefuse_point crop[68], rim[RIM], frame[68];
    crop_landmarks(crop, rim);
    /* The frame's landmarks are the crop's through the inverse of a similarity. */
    double s = 0.8, th = 20 * M_PI / 180;
    fu_affine to_crop = {{s * cos(th), -s * sin(th), 30, s * sin(th), s * cos(th), -10}};
    fu_affine to_frame = fu_affine_invert(&to_crop);
    for (int i = 0; i < 68; i++)
        frame[i] = fu_affine_apply(&to_frame, crop[i]);

    float *mask = malloc(sizeof(float) * SIZE * SIZE);
    REQUIRE(mask, "alloc");
    fu_err err;
    const char *areas[] = {"lower-face"};
    REQUIRE(fu_area_mask(mask, SIZE, frame, &to_crop, areas, 1, &err) == FACEFUSE_OK, "%s", err.msg);
    int bad_in = 0, bad_out = 0, n_in = 0, n_out = 0;
    for (int y = 0; y < SIZE; y++)
        for (int x = 0; x < SIZE; x++) {
            double d = signed_distance(rim, RIM, x, y);
            float m = mask[y * SIZE + x];
            if (d >= 16)
                n_in++, bad_in += m < 0.99f;
            else if (d <= -3)
                n_out++, bad_out += m > 0.01f;
        }
    CHECK(n_in > 1000 && n_out > 1000, "geometry: %d inside, %d outside", n_in, n_out);
    CHECK(bad_in == 0, "%d of %d pixels deep inside the hull below 0.99", bad_in, n_in);
    CHECK(bad_out == 0, "%d of %d pixels outside the hull above 0.01", bad_out, n_out);
    CHECK(mask[(int)cy * SIZE + (int)cx] > 0.9999f, "centre %.5f", mask[(int)cy * SIZE + (int)cx]);
    CHECK(mask[0] == 0.0f && mask[SIZE * SIZE - 1] == 0.0f, "corners");
    /* The soft edge: some pixels near the hull are strictly between. */
    int soft = 0;
    for (int i = 0; i < SIZE * SIZE; i++)
        soft += mask[i] > 0.05f && mask[i] < 0.95f;
    CHECK(soft > 100, "only %d soft edge pixels", soft);

    /* Adding the mouth (below the jaw circle) can only grow the mask. */
    float *both = malloc(sizeof(float) * SIZE * SIZE);
    REQUIRE(both, "alloc");
    const char *two[] = {"lower-face", "mouth"};
    REQUIRE(fu_area_mask(both, SIZE, frame, &to_crop, two, 2, &err) == FACEFUSE_OK, "%s", err.msg);
    int shrunk = 0;
    for (int i = 0; i < SIZE * SIZE; i++)
        shrunk += both[i] < mask[i] - 1e-6f;
    CHECK(shrunk == 0, "the union is smaller than one area at %d pixels", shrunk);
    int mx = (int)cx, my = (int)(cy + 95 - 12); /* inside the mouth, outside the jaw circle */
    CHECK(mask[my * SIZE + mx] == 0.0f && both[my * SIZE + mx] > 0.5f, "mouth region %.2f / %.2f",
          mask[my * SIZE + mx], both[my * SIZE + mx]);
    free(both);
    free(mask);
}

static void test_unknown_area_fails(void)
{
    facefuse_point lm[68] = {{0, 0}};
    float mask[16 * 16];
    fu_affine id = fu_affine_identity();
    const char *areas[] = {"left-ear"};
    fu_err err;
    CHECK(fu_area_mask(mask, 16, lm, &id, areas, 1, &err) == FACEFUSE_ERR_INVALID_ARGUMENT, "accepted");
    CHECK(strstr(err.msg, "left-ear") != NULL, "message: %s", err.msg);
    CHECK(fu_mask_area_known("upper-face") && fu_mask_area_known("mouth") && !fu_mask_area_known("nose"), "names");
}

static void test_hull_drops_interior_points(void)
{
    int pts[] = {0, 0, 10, 0, 10, 10, 0, 10, 5, 5, 3, 7, 5, 0};
    int hull[2 * 2 * 7];
    int n = fu_convex_hull(pts, 7, hull);
    CHECK(n == 4, "hull of a square with inner and edge points has %d vertices", n);
}

/* The mask is computed on the hull's neighbourhood only; it must equal
 * filling and softening the whole plane, for a hull in the middle and for
 * hulls that cross the crop's edges. */
static void whole_plane_case(double shift_x, double shift_y)
{
    facefuse_point crop[68], rim[RIM];
    crop_landmarks(crop, rim);
    fu_affine to_crop = {{1, 0, shift_x, 0, 1, shift_y}};
    const char *areas[] = {"lower-face"};
    int xy[2 * 16], hull[4 * 16], n = 0;
    static const int lower[] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 35, 34, 33, 32, 31};
    float *mask = malloc(sizeof(float) * SIZE * SIZE), *ref = calloc(SIZE * SIZE, sizeof(float));
    fu_err err;
    REQUIRE(mask && ref, "alloc");
    for (int i = 0; i < 16; i++, n++) {
        facefuse_point p = fu_affine_apply(&to_crop, crop[lower[i]]);
        xy[2 * n] = (int)p.x, xy[2 * n + 1] = (int)p.y;
    }
    int k = fu_convex_hull(xy, n, hull);
    fu_fill_convex_polygon(ref, SIZE, SIZE, hull, k, 1.0f);
    REQUIRE(fu_mask_soften(ref, SIZE, SIZE, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_area_mask(mask, SIZE, crop, &to_crop, areas, 1, &err) == FACEFUSE_OK, "%s", err.msg);
    int differ = 0, lit = 0;
    for (int i = 0; i < SIZE * SIZE; i++) {
        differ += mask[i] != ref[i];
        lit += mask[i] > 0;
    }
    CHECK(lit > 500 && differ == 0, "shift (%.0f, %.0f): %d of %d values differ from the whole-plane mask", shift_x,
          shift_y, differ, SIZE * SIZE);
    free(mask), free(ref);
}

static void test_window_equals_whole_plane(void)
{
    whole_plane_case(0, 0);
    whole_plane_case(-70, 0);  /* crosses the left edge */
    whole_plane_case(60, 55);  /* crosses the right and bottom edges */
}

int main(void)
{
    RUN(test_mask_follows_hull);
    RUN(test_window_equals_whole_plane);
    RUN(test_unknown_area_fails);
    RUN(test_hull_drops_interior_points);
    return tl_finish();
}
