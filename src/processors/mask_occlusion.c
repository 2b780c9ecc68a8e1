/*
 * mask_occlusion.c — the XSeg occlusion mask (see mask_occlusion.h).
 */
#include "processors/mask_occlusion.h"

#include <stdlib.h>
#include <string.h>

#include "core/geometry.h"
#include "core/image.h"
#include "processors/mask.h"

facefuse_status fu_occluder_check(const fu_session *s, int size, fu_err *err)
{
    const fu_tensor_info *in = fu_session_input_count(s) == 1 ? fu_session_input(s, 0) : NULL;
    const int64_t want[4] = {1, size, size, 3};
    int ok = in && in->rank == 4 && fu_session_output_count(s) >= 1;
    for (int d = 0; ok && d < 4; d++)
        ok = in->dims[d] <= 0 || in->dims[d] == want[d];
    if (!ok)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "occluder %s: expected one [1,%d,%d,3] input",
                       fu_session_path(s), size, size);
    return FACEFUSE_OK;
}

/* The size×size resized crop as a [1,size,size,3] tensor, B, G, R / 255. */
static facefuse_status fill_input(const facefuse_image *crop, int size, float *t, fu_err *err)
{
    facefuse_image small = {0};
    if (facefuse_image_alloc(&small, size, size, crop->channels) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the occluder input");
    fu_affine a = fu_resize_affine(crop->width, crop->height, size, size);
    fu_warp_affine(crop, &small, &a, FU_BORDER_REPLICATE);
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
            const uint8_t *p = fu_pixel(&small, x, y);
            float *o = t + ((size_t)y * size + x) * 3;
            o[0] = p[2] / 255.0f, o[1] = p[1] / 255.0f, o[2] = p[0] / 255.0f;
        }
    facefuse_image_free(&small);
    return FACEFUSE_OK;
}

facefuse_status fu_occlusion_mask(fu_session *const *sessions, int n, int size, const facefuse_image *crop,
                                  float *mask, fu_err *err)
{
    const size_t plane = (size_t)size * size;
    float *t = malloc(sizeof(float) * 3 * plane), *low = malloc(sizeof(float) * plane);
    facefuse_status rc = FACEFUSE_OK;

    if (!t || !low) {
        free(t), free(low);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the occlusion mask");
    }
    for (size_t i = 0; i < plane; i++)
        low[i] = 1.0f;
    rc = fill_input(crop, size, t, err);
    fu_tensor in = {.rank = 4, .dims = {1, size, size, 3}, .data = t};
    for (int m = 0; m < n && rc == FACEFUSE_OK; m++) {
        fu_tensor out = {0};
        rc = fu_session_run(sessions[m], &in, 1, &out, 1, err);
        if (rc != FACEFUSE_OK)
            break;
        if ((size_t)fu_tensor_numel(&out) != plane)
            rc = fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "occluder %s gave %lld values, expected %d×%d",
                         fu_session_path(sessions[m]), (long long)fu_tensor_numel(&out), size, size);
        for (size_t i = 0; rc == FACEFUSE_OK && i < plane; i++) {
            float v = out.data[i] < 0 ? 0 : out.data[i] > 1 ? 1 : out.data[i];
            low[i] = v < low[i] ? v : low[i];
        }
        fu_tensor_free(&out);
    }
    if (rc == FACEFUSE_OK) {
        fu_affine a = fu_resize_affine(size, size, crop->width, crop->height);
        fu_warp_affine_f32(low, size, size, mask, crop->width, crop->height, &a, FU_BORDER_REPLICATE);
        rc = fu_mask_soften(mask, crop->width, crop->height, err);
    }
    free(t), free(low);
    return rc;
}
