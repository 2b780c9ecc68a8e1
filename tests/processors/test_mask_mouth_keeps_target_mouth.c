/*
 * test_mask_mouth_keeps_target_mouth.c — the keep-the-mouth mask on a
 * synthetic face (mouth 60 px wide) in a 256 px crop, pasted with the
 * paste-back FaceFusion's processors use:
 * - inside the lips the mask is exactly 0, so the target frame's own mouth
 *   comes through byte-identical after the paste;
 * - well away from the mouth (beyond the growth and three blur σ) the mask
 *   is 1, so the swapped crop replaces the frame there;
 * - in between it rises monotonically along any ray from the mouth centre;
 * - it only ever lowers the mask it is combined with (minimum);
 * - a face without landmarks (all zero) leaves the mask alone.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "processors/mask_mouth.h"
#include "processors/paste.h"
#include "testlib.h"

#define SIZE 256
#define MCX 128.0f
#define MCY 165.0f
#define MW 60.0f /* corner to corner */
#define MH 25.0f

static void face_landmarks(facefuse_point lm[68])
{
    memset(lm, 0, 68 * sizeof *lm);
    for (int i = 0; i < 48; i++) { /* jaw, brows, nose, eyes: somewhere above */
        lm[i].x = 75 + (float)(i % 12) * 9;
        lm[i].y = 50 + (float)(i / 12) * 20;
    }
    for (int i = 0; i < 12; i++) { /* outer lips: 48 is the left corner, 54 the right */
        float a = (float)M_PI * (1.0f + i / 6.0f);
        lm[48 + i].x = MCX + MW / 2 * cosf(a);
        lm[48 + i].y = MCY + MH / 2 * sinf(a);
    }
    for (int i = 0; i < 8; i++) { /* inner lips */
        float a = (float)M_PI * (1.0f + i / 4.0f);
        lm[60 + i].x = MCX + MW / 3 * cosf(a);
        lm[60 + i].y = MCY + MH / 4 * sinf(a);
    }
}

static float *ones(void)
{
    float *m = malloc(sizeof(float) * SIZE * SIZE);
    for (int i = 0; i < SIZE * SIZE; i++)
        m[i] = 1.0f;
    return m;
}

static void inside_zero_far_one_monotonic(void)
{
    facefuse_point lm[68];
    fu_affine id = fu_affine_identity();
    fu_mouth_mask_settings s = fu_mouth_mask_default_settings();
    fu_err err;
    float *m = ones();
    face_landmarks(lm);
    REQUIRE(fu_mouth_keep_mask(m, SIZE, lm, &id, &s, &err) == FACEFUSE_OK, "%s", err.msg);
    int inside_bad = 0, far_bad = 0, rays_bad = 0;
    for (int y = 0; y < SIZE; y++)
        for (int x = 0; x < SIZE; x++) {
            float ex = (x - MCX) / (MW / 2), ey = (y - MCY) / (MH / 2), r = sqrtf(ex * ex + ey * ey);
            if (r < 0.9f && m[y * SIZE + x] != 0.0f)
                inside_bad++;
            float far = s.grow * MW + 3 * 0.5f * s.feather * MW + 4;
            float dx = fabsf(x - MCX) - MW / 2, dy = fabsf(y - MCY) - MH / 2;
            if ((dx > far || dy > far) && m[y * SIZE + x] < 0.999f)
                far_bad++;
        }
    for (int a = 0; a < 36; a++) {
        float c = cosf(a * 10 * (float)M_PI / 180), sn = sinf(a * 10 * (float)M_PI / 180), prev = -1;
        for (int r = 0; r < 75; r++) {
            int x = (int)lroundf(MCX + c * r), y = (int)lroundf(MCY + sn * r);
            if (x < 0 || y < 0 || x >= SIZE || y >= SIZE)
                break;
            float v = m[y * SIZE + x];
            rays_bad += v < prev - 1e-4f;
            prev = v;
        }
    }
    CHECK(inside_bad == 0, "%d pixels inside the lips are not 0", inside_bad);
    CHECK(far_bad == 0, "%d pixels far from the mouth are not 1", far_bad);
    CHECK(rays_bad == 0, "the mask falls %d times going outwards", rays_bad);
    free(m);
}

static void paste_keeps_the_frame_mouth(void)
{
    facefuse_point lm[68];
    fu_affine id = fu_affine_identity();
    fu_mouth_mask_settings s = fu_mouth_mask_default_settings();
    fu_err err;
    facefuse_image frame = {0}, original = {0};
    float *m = ones();
    float *crop = malloc(sizeof(float) * 3 * SIZE * SIZE);
    face_landmarks(lm);
    REQUIRE(fu_mouth_keep_mask(m, SIZE, lm, &id, &s, &err) == FACEFUSE_OK, "%s", err.msg);
    facefuse_image_alloc(&frame, SIZE, SIZE, 3);
    for (int y = 0; y < SIZE; y++)
        for (int x = 0; x < SIZE; x++) {
            uint8_t *p = fu_pixel(&frame, x, y);
            p[0] = (uint8_t)x, p[1] = (uint8_t)y, p[2] = (uint8_t)((x + y) / 2);
        }
    fu_image_copy(&original, &frame);
    for (int i = 0; i < SIZE * SIZE; i++) { /* the "swapped face": flat purple */
        crop[3 * i] = 200;
        crop[3 * i + 1] = 40;
        crop[3 * i + 2] = 220;
    }
    fu_paste_back(&frame, crop, m, SIZE, &id);
    int mouth_changed = 0, far_kept = 0;
    for (int y = 0; y < SIZE; y++)
        for (int x = 0; x < SIZE; x++) {
            float ex = (x - MCX) / (MW / 2), ey = (y - MCY) / (MH / 2);
            const uint8_t *p = fu_pixel(&frame, x, y), *o = fu_pixel(&original, x, y);
            if (ex * ex + ey * ey < 0.81f)
                mouth_changed += memcmp(p, o, 3) != 0;
            if (y < 75 && !(p[0] == 200 && p[1] == 40 && p[2] == 220))
                far_kept++;
        }
    CHECK(mouth_changed == 0, "%d mouth pixels changed by the paste", mouth_changed);
    CHECK(far_kept == 0, "%d pixels far from the mouth were not swapped", far_kept);
    facefuse_image_free(&frame);
    facefuse_image_free(&original);
    free(crop);
    free(m);
}

static void only_lowers_and_ignores_missing_landmarks(void)
{
    facefuse_point lm[68];
    fu_affine id = fu_affine_identity();
    fu_mouth_mask_settings s = fu_mouth_mask_default_settings();
    fu_err err;
    float *m = malloc(sizeof(float) * SIZE * SIZE), *before = malloc(sizeof(float) * SIZE * SIZE);
    for (int i = 0; i < SIZE * SIZE; i++)
        m[i] = before[i] = (float)(i % 7) / 6.0f;
    face_landmarks(lm);
    REQUIRE(fu_mouth_keep_mask(m, SIZE, lm, &id, &s, &err) == FACEFUSE_OK, "%s", err.msg);
    int raised = 0;
    for (int i = 0; i < SIZE * SIZE; i++)
        raised += m[i] > before[i];
    CHECK(raised == 0, "%d mask values raised", raised);
    memset(lm, 0, sizeof lm);
    memcpy(m, before, sizeof(float) * SIZE * SIZE);
    REQUIRE(fu_mouth_keep_mask(m, SIZE, lm, &id, &s, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(memcmp(m, before, sizeof(float) * SIZE * SIZE) == 0, "a face without landmarks changed the mask");
    free(m);
    free(before);
}

int main(void)
{
    RUN(inside_zero_far_one_monotonic);
    RUN(paste_keeps_the_frame_mouth);
    RUN(only_lowers_and_ignores_missing_landmarks);
    return tl_finish();
}
