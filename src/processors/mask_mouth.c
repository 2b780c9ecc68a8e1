/*
 * mask_mouth.c — the keep-the-mouth mask (see mask_mouth.h).
 */
#include "processors/mask_mouth.h"

#include <math.h>
#include <stdlib.h>

#include "core/blur.h"
#include "processors/mask_area.h"

#define LIP_FIRST 48
#define LIP_COUNT 12   /* the outer lip line, 48..59 */

fu_mouth_mask_settings fu_mouth_mask_default_settings(void)
{
    fu_mouth_mask_settings s;
    s.grow = 0.1f;
    s.feather = 0.3f;
    return s;
}

facefuse_status fu_mouth_keep_mask(float *mask, int size, const facefuse_point lm68[68], const fu_affine *to_crop,
                                   const fu_mouth_mask_settings *s, fu_err *err)
{
    facefuse_point lip[LIP_COUNT];
    int xy[2 * LIP_COUNT], hull[4 * LIP_COUNT];
    float cx = 0, cy = 0;

    if (!mask || size <= 0 || !lm68 || !to_crop || !s || s->grow < 0 || s->feather < 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "mouth mask: bad arguments (size %d)", size);
    for (int i = 0; i < LIP_COUNT; i++) {
        lip[i] = fu_affine_apply(to_crop, lm68[LIP_FIRST + i]);
        cx += lip[i].x / LIP_COUNT;
        cy += lip[i].y / LIP_COUNT;
    }
    float width = hypotf(lip[6].x - lip[0].x, lip[6].y - lip[0].y); /* points 54 and 48: the corners */
    if (!(width >= 1.0f))
        return FACEFUSE_OK; /* no mouth to keep (landmarks missing or degenerate) */
    for (int i = 0; i < LIP_COUNT; i++) {
        float dx = lip[i].x - cx, dy = lip[i].y - cy, len = hypotf(dx, dy);
        float out = len > 1e-3f ? s->grow * width / len : 0;
        xy[2 * i] = (int)lroundf(lip[i].x + dx * out);
        xy[2 * i + 1] = (int)lroundf(lip[i].y + dy * out);
    }
    float *mouth = calloc((size_t)size * size, sizeof *mouth);
    if (!mouth)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a %d px mouth mask", size);
    int k = fu_convex_hull(xy, LIP_COUNT, hull);
    fu_fill_convex_polygon(mouth, size, size, hull, k, 1.0f);
    facefuse_status rc = fu_gaussian_blur_f32(mouth, size, size, 0.5f * s->feather * width, err);
    if (rc == FACEFUSE_OK) {
        for (size_t i = 0; i < (size_t)size * size; i++) {
            float m = 2.0f * mouth[i];
            float keep = 1.0f - (m > 1.0f ? 1.0f : m);
            if (keep < mask[i])
                mask[i] = keep;
        }
    }
    free(mouth);
    return rc;
}
