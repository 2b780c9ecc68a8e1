/*
 * mask_region.c — the BiSeNet region mask (see mask_region.h).
 */
#include "processors/mask_region.h"

#include <stdlib.h>
#include <string.h>

#include "core/geometry.h"
#include "core/image.h"
#include "face/analyse.h"
#include "processors/mask.h"

static const struct {
    const char *name;
    int class_index;
} regions[FU_REGION_COUNT] = {
    {"skin", 1},  {"left-eyebrow", 2}, {"right-eyebrow", 3}, {"left-eye", 4},   {"right-eye", 5},
    {"glasses", 6}, {"nose", 10},      {"mouth", 11},        {"upper-lip", 12}, {"lower-lip", 13},
};

int fu_mask_region_class(const char *name)
{
    for (int i = 0; name && i < FU_REGION_COUNT; i++)
        if (strcmp(regions[i].name, name) == 0)
            return regions[i].class_index;
    return -1;
}

const char *fu_mask_region_name(int i)
{
    return i >= 0 && i < FU_REGION_COUNT ? regions[i].name : NULL;
}

facefuse_status fu_parser_check(const fu_session *s, int size, fu_err *err)
{
    const fu_tensor_info *in = fu_session_input_count(s) == 1 ? fu_session_input(s, 0) : NULL;
    const fu_tensor_info *out = fu_session_output_count(s) >= 1 ? fu_session_output(s, 0) : NULL;
    const int64_t want_in[4] = {1, 3, size, size}, want_out[4] = {1, FU_PARSER_CLASSES, size, size};
    int ok = in && out && in->rank == 4 && out->rank == 4;
    for (int d = 0; ok && d < 4; d++)
        ok = (in->dims[d] <= 0 || in->dims[d] == want_in[d]) && (out->dims[d] <= 0 || out->dims[d] == want_out[d]);
    if (!ok)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "face parser %s: expected a [1,3,%d,%d] input and a "
                       "[1,%d,%d,%d] first output", fu_session_path(s), size, size, FU_PARSER_CLASSES, size, size);
    return FACEFUSE_OK;
}

/* Class map of the logits (classes × plane) to a 0/1 plane. */
static void select_classes(const float *logits, size_t plane, const int *classes, int n, float *out)
{
    for (size_t i = 0; i < plane; i++) {
        int best = 0;
        float best_v = logits[i];
        for (int c = 1; c < FU_PARSER_CLASSES; c++)
            if (logits[(size_t)c * plane + i] > best_v)
                best_v = logits[(size_t)c * plane + i], best = c;
        float v = 0;
        for (int k = 0; k < n; k++)
            if (classes[k] == best)
                v = 1;
        out[i] = v;
    }
}

facefuse_status fu_region_mask(fu_session *s, int size, const facefuse_image *crop, const int *classes, int n,
                               float *mask, fu_err *err)
{
    static const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
    const size_t plane = (size_t)size * size;
    facefuse_image big = {0};
    float *t = malloc(sizeof(float) * 3 * plane), *low = malloc(sizeof(float) * plane);
    facefuse_status rc = FACEFUSE_OK;

    if (!t || !low || facefuse_image_alloc(&big, size, size, crop->channels) != FACEFUSE_OK) {
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the region mask");
        goto done;
    }
    fu_affine a = fu_resize_affine(crop->width, crop->height, size, size);
    fu_warp_affine(crop, &big, &a, FU_BORDER_REPLICATE);
    fu_image_to_planar(&big, mean, std, 0, t); /* reads the first three channels */
    fu_tensor in = {.rank = 4, .dims = {1, 3, size, size}, .data = t}, out = {0};
    rc = fu_session_run(s, &in, 1, &out, 1, err);
    if (rc != FACEFUSE_OK)
        goto done;
    if ((size_t)fu_tensor_numel(&out) != FU_PARSER_CLASSES * plane)
        rc = fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "face parser %s gave %lld values, expected %d×%d×%d",
                     fu_session_path(s), (long long)fu_tensor_numel(&out), FU_PARSER_CLASSES, size, size);
    else
        select_classes(out.data, plane, classes, n, low);
    fu_tensor_free(&out);
    if (rc == FACEFUSE_OK) {
        fu_affine back = fu_resize_affine(size, size, crop->width, crop->height);
        fu_warp_affine_f32(low, size, size, mask, crop->width, crop->height, &back, FU_BORDER_REPLICATE);
        rc = fu_mask_soften(mask, crop->width, crop->height, err);
    }
done:
    facefuse_image_free(&big);
    free(t), free(low);
    return rc;
}
