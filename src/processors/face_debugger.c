/*
 * face_debugger.c — draws what face analysis found, as FaceFusion's
 * face_debugger: bounding-box (with the detector score), face-landmark-5,
 * face-landmark-5/68, face-landmark-68, face-landmark-68/5, face-mask (the
 * contour of the run's combined face mask — box without blur, padding
 * included, occlusion, area and region as selected — computed as FaceFusion
 * does on the arcface_128 crop at 512 px, mapped into the frame and
 * thresholded at 100/255; green, or cyan when the 5 alignment points are the
 * detector's own).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/draw.h"
#include "core/geometry.h"
#include "core/image.h"
#include "processors/face_masker.h"
#include "processors/mask.h"
#include "processors/paste.h"
#include "processors/processor.h"

#define MASK_CROP_PX 512

typedef struct debugger_settings {
    fu_strs items;
} debugger_settings;

static const fu_option debugger_options[] = {
    {.name = "--face-debugger-items", .section = "processors", .type = FU_OPT_STRINGS,
     .def = "face-landmark-5/68 face-mask",
     .choices = "bounding-box face-landmark-5 face-landmark-5/68 face-landmark-68 face-landmark-68/5 face-mask",
     .count_max = 6, .offset = offsetof(debugger_settings, items), .help = "what face_debugger draws"},
    {0}};

static const fu_option_group debugger_group = {"face_debugger", "processors", debugger_options,
                                               sizeof(debugger_settings), NULL};

/* Bits of the items drawn, in the order of the option's choices. */
enum { ITEM_BOX = 1, ITEM_LM5 = 2, ITEM_LM5_68 = 4, ITEM_LM68 = 8, ITEM_LM68_5 = 16, ITEM_MASK = 32 };

static unsigned items_of(fu_strs items)
{
    unsigned bits = 0;
    for (int i = 0; i < items.n; i++) {
        int k = fu_word_index(debugger_options[0].choices, items.v[i]);
        if (k >= 0)
            bits |= 1u << k;
    }
    return bits;
}

static void draw_points(facefuse_image *im, const facefuse_point *p, int n, float radius, fu_rgb c)
{
    for (int i = 0; i < n; i++)
        if (p[i].x != 0 || p[i].y != 0)
            fu_draw_disc(im, p[i].x, p[i].y, radius, c);
}

typedef struct debugger_state {
    unsigned items;       /* ITEM_* */
    fu_face_masker *masker;
    float *box;           /* MASK_CROP_PX² box mask, blur 0; NULL when box is not selected */
} debugger_state;

static void debugger_release(void *state)
{
    debugger_state *st = state;
    if (!st)
        return;
    fu_face_masker_close(st->masker);
    free(st->box);
    free(st);
}

static facefuse_status debugger_prepare(const fu_processor_env *env, const void *settings, void **state,
                                        fu_err *err)
{
    const debugger_settings *set = settings;
    facefuse_status rc = FACEFUSE_OK;
    *state = NULL;
    debugger_state *st = calloc(1, sizeof *st);
    if (!st)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    st->items = items_of(set->items);
    if (st->items & ITEM_MASK)
        rc = fu_face_masker_open(env->ctx, env->masker, &st->masker, err);
    if (rc == FACEFUSE_OK && st->masker && (fu_face_masker_types(st->masker) & FU_MASK_BOX))
        rc = fu_box_mask(MASK_CROP_PX, 0.0f, env->masker->padding.v, &st->box, err);
    if (rc != FACEFUSE_OK) {
        debugger_release(st);
        return rc;
    }
    *state = st;
    return FACEFUSE_OK;
}

/* 1 where the mask over rect (w×h) is in and a 4-neighbour is out. */
static int on_contour(const uint8_t *in, int w, int h, int x, int y)
{
    if (!in[(size_t)y * w + x])
        return 0;
    return x == 0 || y == 0 || x == w - 1 || y == h - 1 || !in[(size_t)y * w + x - 1] ||
           !in[(size_t)y * w + x + 1] || !in[(size_t)(y - 1) * w + x] || !in[(size_t)(y + 1) * w + x];
}

/* The combined mask of the face's crop, mapped to the frame, as a contour. */
/* Computes the face's combined mask on `source` and draws its contour on im. */
static facefuse_status draw_face_mask(facefuse_image *im, const facefuse_image *source, const debugger_state *st,
                                      const facefuse_face *face, int thickness, fu_err *err)
{
    const int size = MASK_CROP_PX;
    fu_rgb colour = {0, 255, 0};
    facefuse_image crop = {0};
    int r[4];
    if (memcmp(face->landmark_5, face->landmark_5_68, sizeof face->landmark_5) == 0)
        colour = (fu_rgb){0, 255, 255};
    fu_affine a = fu_align_to_template(face->landmark_5_68, "arcface_128", size);
    fu_paste_rect(im->width, im->height, size, &a, r);
    const int w = r[2] - r[0], h = r[3] - r[1];
    if (w <= 0 || h <= 0)
        return FACEFUSE_OK;
    float *mask = malloc(sizeof(float) * size * size), *framed = malloc(sizeof(float) * (size_t)w * h);
    uint8_t *in = malloc((size_t)w * h);
    facefuse_status rc = FACEFUSE_OK;
    if (!mask || !framed || !in || facefuse_image_alloc(&crop, size, size, im->channels) != FACEFUSE_OK) {
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "face debugger: out of memory for the face mask");
        goto done;
    }
    fu_warp_affine(source, &crop, &a, FU_BORDER_REPLICATE);
    rc = fu_face_masker_before(st->masker, &crop, st->box, mask, err);
    if (rc == FACEFUSE_OK)
        rc = fu_face_masker_after(st->masker, &crop, face, &a, mask, err);
    if (rc != FACEFUSE_OK)
        goto done;
    fu_affine to_crop = fu_affine_invert(&a), shift = {{1, 0, -r[0], 0, 1, -r[1]}};
    fu_affine crop_to_rect = fu_affine_then(&to_crop, &shift);
    fu_warp_affine_f32(mask, size, size, framed, w, h, &crop_to_rect, FU_BORDER_CONSTANT);
    for (size_t i = 0; i < (size_t)w * h; i++)
        in[i] = framed[i] * 255.0f > 100.0f;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (on_contour(in, w, h, x, y))
                fu_draw_disc(im, (float)(r[0] + x), (float)(r[1] + y), thickness * 0.5f, colour);
done:
    facefuse_image_free(&crop);
    free(mask), free(framed), free(in);
    return rc;
}

static facefuse_status debug_frame(fu_frame *f, fu_err *err)
{
    const fu_rgb red = {255, 0, 0}, green = {0, 255, 0}, blue = {0, 120, 255}, yellow = {255, 255, 0};
    facefuse_image *im = f->frame, pristine = {0};
    const debugger_state *st = f->state;
    const unsigned items = st->items;
    facefuse_status rc = FACEFUSE_OK;

    /* Masks are computed on the frame as it came, not on what was already
     * drawn for the faces before. */
    if ((items & ITEM_MASK) && f->face_count > 1 && fu_image_copy(&pristine, im) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "face debugger: out of memory copying the frame");
    for (int i = 0; i < f->face_count && rc == FACEFUSE_OK; i++) {
        const facefuse_face *face = &f->faces[i];
        float w = face->box[2] - face->box[0];
        int thick = w > 200 ? 3 : 2;
        float radius = w > 200 ? 3.0f : 2.0f;
        if (items & ITEM_BOX) {
            char score[16];
            fu_draw_rect(im, face->box[0], face->box[1], face->box[2], face->box[3], thick, red);
            snprintf(score, sizeof score, "%.2f", face->detector_score);
            fu_draw_text(im, (int)face->box[0], (int)face->box[1] - 18, score, 2, red);
        }
        if ((items & ITEM_MASK) &&
            (rc = draw_face_mask(im, pristine.data ? &pristine : im, st, face, thick, err)) != FACEFUSE_OK)
            break;
        if (items & ITEM_LM5)
            draw_points(im, face->landmark_5, 5, radius + 1, red);
        if (items & ITEM_LM5_68)
            draw_points(im, face->landmark_5_68, 5, radius + 1, green);
        if ((items & ITEM_LM68) && face->has_landmark_68)
            draw_points(im, face->landmark_68, 68, radius, yellow);
        if (items & ITEM_LM68_5)
            draw_points(im, face->landmark_68_5, 68, radius, blue);
    }
    facefuse_image_free(&pristine);
    return rc;
}

const fu_processor fu_face_debugger = {"face_debugger", &debugger_group, FU_NEEDS_FACES, debugger_prepare, debug_frame,
                                      debugger_release, NULL, NULL};
