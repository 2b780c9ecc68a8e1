/*
 * age_modifier.c — fran and styleganex_age applied to faces (see
 * age_modifier.h).
 *
 * Open: the model's session (owned by the context), its inputs bound by
 * name and checked, the box mask for the crop that is pasted (1024 px fran,
 * 384 px styleganex_age). Per face: crops, masks before the model, the
 * model, then the model-specific way back into the frame. Read-only after
 * open, so frames may share one age modifier across threads.
 */
#include "processors/age_modifier.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/colour_equalize.h"
#include "core/image.h"
#include "core/resample.h"
#include "face/analyse.h"
#include "infer/context.h"
#include "processors/mask.h"
#include "processors/paste.h"
#include "processors/processor.h"

enum { FRAN_SIZE = 1024, STYLEGANEX_SIZE = 256, BACKGROUND_SIZE = 384, PASTE_SIZE = 1024 };
#define BACKGROUND_SCALE 0.875 /* the landmarks' spread for the background crop */

typedef enum age_model { AGE_FRAN = 0, AGE_STYLEGANEX = 1 } age_model;

struct fu_age_modifier {
    age_model model;
    const fu_model_def *def;
    fu_session *session;       /* owned by the context */
    int direction;
    int size;                  /* the face crop: 1024 fran, 256 styleganex */
    int in_target, in_background, in_direction; /* input positions; −1 none */
    float *box;                /* fran 1024², styleganex 384² */
    int box_size;
    const fu_face_masker *masker; /* borrowed */
};

fu_age_modifier_settings fu_age_modifier_defaults(void)
{
    fu_age_modifier_settings s = {"fran", 0, 0.3f};
    return s;
}

int fu_age_modifier_needs_age(const char *model)
{
    return !model || strcmp(model, "fran") == 0;
}

/* ---------------------------------------------------------------- directions */

facefuse_status fu_fran_direction(const facefuse_face *face, int direction, float out[2], fu_err *err)
{
    if (face->age_start < 0 || face->age_end < 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "age modifier fran needs each face's age, and this "
                       "face has none: the face classifier (fairface) must run");
    /* numpy.mean(range(start, end)); FaceFusion's ranges are never empty */
    double age = face->age_end > face->age_start ? (face->age_start + face->age_end - 1) / 2.0 : face->age_start;
    double v[2] = {age / 100.0, (age + direction) / 100.0};
    for (int i = 0; i < 2; i++)
        out[i] = (float)(v[i] < 0 ? 0 : v[i] > 1 ? 1 : v[i]);
    return FACEFUSE_OK;
}

float fu_styleganex_direction(int direction)
{
    double d = direction < -100 ? -100 : direction > 100 ? 100 : direction;
    return (float)(2.5 - (d + 100) * 5.0 / 200.0); /* −100 → 2.5, 100 → −2.5 */
}

/* ---------------------------------------------------------------- open */

/* The element count of a fixed shape; 0 when a dimension is symbolic. */
static int64_t numel_of(const fu_tensor_info *t)
{
    int64_t n = 1;
    for (int d = 0; d < t->rank; d++)
        n = t->dims[d] > 0 ? n * t->dims[d] : 0;
    return n;
}

/* An image input must be [1,3,size,size] (symbolic dimensions accepted). */
static facefuse_status check_image_input(const fu_session *s, int index, int size, fu_err *err)
{
    const fu_tensor_info *in = fu_session_input(s, index);
    const int64_t want[4] = {1, 3, size, size};
    for (int d = 0; d < 4; d++)
        if (in->rank != 4 || (in->dims[d] > 0 && in->dims[d] != want[d]))
            return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "age modifier %s: input '%s' is not [1,3,%d,%d]",
                           fu_session_path(s), in->name, size, size);
    return FACEFUSE_OK;
}

static facefuse_status bind_inputs(fu_age_modifier *am, fu_err *err)
{
    const char *path = fu_session_path(am->session);
    const int n = fu_session_input_count(am->session);
    am->in_target = am->in_background = am->in_direction = -1;
    for (int i = 0; i < n; i++) {
        const char *name = fu_session_input(am->session, i)->name;
        if (strcmp(name, "target") == 0)
            am->in_target = i;
        else if (strcmp(name, "target_with_background") == 0 && am->model == AGE_STYLEGANEX)
            am->in_background = i;
        else if (strcmp(name, "direction") == 0)
            am->in_direction = i;
        else
            return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "age modifier %s: unexpected input '%s'", path, name);
    }
    if (am->in_target < 0 || am->in_direction < 0 || (am->model == AGE_STYLEGANEX && am->in_background < 0))
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "age modifier %s: expected the inputs 'target', %s"
                       "'direction'", path, am->model == AGE_STYLEGANEX ? "'target_with_background', " : "");
    facefuse_status rc = check_image_input(am->session, am->in_target, am->size, err);
    if (rc == FACEFUSE_OK && am->in_background >= 0)
        rc = check_image_input(am->session, am->in_background, BACKGROUND_SIZE, err);
    const fu_tensor_info *d = fu_session_input(am->session, am->in_direction);
    int64_t want = am->model == AGE_FRAN ? 2 : 1;
    if (rc == FACEFUSE_OK && (d->rank > 2 || (numel_of(d) && numel_of(d) != want)))
        rc = fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "age modifier %s: input 'direction' should hold %lld "
                     "value%s", path, (long long)want, want > 1 ? "s" : "");
    return rc;
}

facefuse_status fu_age_modifier_open(facefuse_context *ctx, const fu_age_modifier_settings *s,
                                     const fu_face_masker *masker, fu_age_modifier **out, fu_err *err)
{
    static const int no_padding[4] = {0, 0, 0, 0};
    fu_age_modifier_settings defaults = fu_age_modifier_defaults();
    facefuse_status rc;

    *out = NULL;
    if (!s)
        s = &defaults;
    const char *model = s->model ? s->model : defaults.model;
    const fu_model_def *def = fu_context_model(ctx, model);
    if (!def || def->kind != FACEFUSE_MODEL_AGE_MODIFIER)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "'%s' is not an age modifier model (fran, "
                       "styleganex_age)", model);
    if (s->direction < -100 || s->direction > 100)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "age modifier direction %d is outside -100..100",
                       s->direction);
    fu_age_modifier *am = calloc(1, sizeof *am);
    if (!am)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    am->def = def;
    am->model = strcmp(def->name, "styleganex_age") == 0 ? AGE_STYLEGANEX : AGE_FRAN;
    am->size = am->model == AGE_FRAN ? FRAN_SIZE : STYLEGANEX_SIZE;
    am->box_size = am->model == AGE_FRAN ? FRAN_SIZE : BACKGROUND_SIZE;
    am->direction = s->direction;
    am->masker = masker;
    rc = fu_context_session(ctx, model, &am->session, NULL, err);
    if (rc == FACEFUSE_OK)
        rc = bind_inputs(am, err);
    if (rc == FACEFUSE_OK)
        rc = fu_box_mask(am->box_size, s->mask_blur, no_padding, &am->box, err);
    if (rc != FACEFUSE_OK) {
        fu_age_modifier_close(am);
        return rc;
    }
    *out = am;
    return FACEFUSE_OK;
}

void fu_age_modifier_close(fu_age_modifier *am)
{
    if (!am)
        return;
    free(am->box);
    free(am);
}

/* ---------------------------------------------------------------- geometry */

fu_affine fu_age_modifier_align(const fu_age_modifier *am, const facefuse_face *face)
{
    return fu_align_to_template(face->landmark_5_68, "ffhq_512", am->size);
}

fu_affine fu_styleganex_background_align(const facefuse_face *face)
{
    facefuse_point lm[5];
    const facefuse_point nose = face->landmark_5_68[2];
    for (int i = 0; i < 5; i++) {
        lm[i].x = (float)(nose.x + (face->landmark_5_68[i].x - nose.x) * BACKGROUND_SCALE);
        lm[i].y = (float)(nose.y + (face->landmark_5_68[i].y - nose.y) * BACKGROUND_SCALE);
    }
    return fu_align_to_template(lm, "styleganex_384", BACKGROUND_SIZE);
}

/* ---------------------------------------------------------------- the model */

facefuse_status fu_age_modifier_forward(const fu_age_modifier *am, const facefuse_image *crop,
                                        const facefuse_image *background, const float direction_in[2],
                                        float **out, int *out_side, fu_err *err)
{
    static const float zero[3] = {0, 0, 0}, one[3] = {1, 1, 1}, half[3] = {0.5f, 0.5f, 0.5f};
    const float *mean = am->model == AGE_FRAN ? zero : half, *std = am->model == AGE_FRAN ? one : half;
    const size_t crop_n = (size_t)3 * am->size * am->size, back_n = (size_t)3 * BACKGROUND_SIZE * BACKGROUND_SIZE;
    fu_tensor in[3], result = {0};
    float direction[2] = {direction_in[0], direction_in[1]};
    facefuse_status rc = FACEFUSE_OK;

    *out = NULL;
    *out_side = 0;
    if (am->model == AGE_STYLEGANEX && !background)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "styleganex_age needs the background crop");
    float *target = malloc(sizeof(float) * crop_n);
    float *back = am->model == AGE_STYLEGANEX ? malloc(sizeof(float) * back_n) : NULL;
    if (!target || (am->model == AGE_STYLEGANEX && !back)) {
        free(target), free(back);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the age modifier's input");
    }
    memset(in, 0, sizeof in);
    fu_image_to_planar(crop, mean, std, 0, target);
    in[am->in_target] = (fu_tensor){.rank = 4, .dims = {1, 3, am->size, am->size}, .data = target};
    if (back) {
        fu_image_to_planar(background, mean, std, 0, back);
        in[am->in_background] = (fu_tensor){.rank = 4, .dims = {1, 3, BACKGROUND_SIZE, BACKGROUND_SIZE}, .data = back};
    }
    /* the model's own rank for direction: [2] or [1,2] (fran), scalar or [1] (styleganex) */
    const fu_tensor_info *d = fu_session_input(am->session, am->in_direction);
    fu_tensor dir = {.rank = d->rank, .data = direction};
    for (int i = 0; i < d->rank; i++)
        dir.dims[i] = i == d->rank - 1 ? (am->model == AGE_FRAN ? 2 : 1) : 1;
    in[am->in_direction] = dir;
    rc = fu_session_run(am->session, in, fu_session_input_count(am->session), &result, 1, err);
    free(target), free(back);
    if (rc != FACEFUSE_OK)
        return rc;
    int side = (int)result.dims[3];
    if (result.rank != 4 || result.dims[1] != 3 || result.dims[2] != result.dims[3] || side <= 0 ||
        (am->model == AGE_FRAN && side != FRAN_SIZE)) {
        rc = fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "age modifier %s gave an output that is not [1,3,S,S]%s",
                     fu_session_path(am->session), am->model == AGE_FRAN ? " with S = 1024" : "");
        fu_tensor_free(&result);
        return rc;
    }
    *out = result.data; /* ownership passes to the caller */
    *out_side = side;
    return FACEFUSE_OK;
}

/* fran's output (planar RGB in [0, 1]) as interleaved 0..255 floats. */
static void fran_output(const float *planar, int s, float *rgb)
{
    const size_t plane = (size_t)s * s;
    for (size_t i = 0; i < plane; i++)
        for (int c = 0; c < 3; c++) {
            float v = planar[c * plane + i];
            rgb[i * 3 + c] = (v < 0 ? 0 : v > 1 ? 1 : v) * 255.0f;
        }
}

/* styleganex's output (planar RGB in [−1, 1], side s; rewritten in place)
 * → bytes → 1024 px by area, rounded to bytes as cv2.resize on uint8 does,
 * into result. One plane at a time: no interleaved copy of the 4× output. */
static facefuse_status styleganex_output(float *planar, int s, facefuse_image *result, fu_err *err)
{
    const size_t plane = (size_t)s * s, n = (size_t)PASTE_SIZE * PASTE_SIZE;
    float *small = malloc(sizeof(float) * n);
    facefuse_status rc = FACEFUSE_OK;
    if (!small)
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a %d px styleganex output", s);
    for (int c = 0; c < 3 && rc == FACEFUSE_OK; c++) {
        float *p = planar + c * plane;
        for (size_t i = 0; i < plane; i++) {
            float v = p[i] < -1 ? -1 : p[i] > 1 ? 1 : p[i];
            p[i] = (float)lrintf((v + 1) * 0.5f * 255.0f);
        }
        rc = fu_resize_area_f32(p, s, s, small, PASTE_SIZE, PASTE_SIZE, 1, err);
        for (int y = 0; rc == FACEFUSE_OK && y < PASTE_SIZE; y++) {
            uint8_t *row = result->data + (size_t)y * result->stride + c;
            const float *in = small + (size_t)y * PASTE_SIZE;
            for (int x = 0; x < PASTE_SIZE; x++)
                row[(size_t)x * result->channels] = (uint8_t)(in[x] < 0 ? 0 : in[x] > 255 ? 255 : lrintf(in[x]));
        }
    }
    free(small);
    return rc;
}

static void image_to_floats(const facefuse_image *im, float *rgb)
{
    for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width; x++)
            for (int c = 0; c < 3; c++)
                rgb[((size_t)y * im->width + x) * 3 + c] = fu_pixel(im, x, y)[c];
}

/* ---------------------------------------------------------------- per face */

static facefuse_status modify_fran(const fu_age_modifier *am, facefuse_image *frame, const facefuse_face *face,
                                   fu_age_timing *timing, fu_err *err)
{
    const int s = FRAN_SIZE;
    const size_t n = (size_t)s * s;
    facefuse_image crop = {0};
    float direction[2], *mask = NULL, *rgb = NULL, *raw = NULL;
    int side = 0;
    int64_t t0 = fu_now_ns(), t1 = t0, t2 = t0;

    facefuse_status rc = fu_fran_direction(face, am->direction, direction, err);
    if (rc != FACEFUSE_OK)
        return rc;
    fu_affine a = fu_age_modifier_align(am, face);
    mask = malloc(sizeof(float) * n);
    rgb = malloc(sizeof(float) * n * 3);
    if (!mask || !rgb || facefuse_image_alloc(&crop, s, s, frame->channels) != FACEFUSE_OK) {
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a %d px face crop", s);
        goto done;
    }
    fu_warp_affine(frame, &crop, &a, FU_BORDER_REPLICATE);
    rc = fu_face_masker_before(am->masker, &crop, am->box, mask, err);
    t1 = fu_now_ns();
    if (rc == FACEFUSE_OK)
        rc = fu_age_modifier_forward(am, &crop, NULL, direction, &raw, &side, err);
    if (rc == FACEFUSE_OK)
        fran_output(raw, s, rgb);
    t2 = fu_now_ns();
    if (rc == FACEFUSE_OK)
        fu_paste_back(frame, rgb, mask, s, &a);
    if (timing) {
        timing->crop_ns += t1 - t0;
        timing->model_ns += t2 - t1;
        timing->paste_ns += fu_now_ns() - t2;
    }
done:
    facefuse_image_free(&crop);
    free(mask), free(rgb), free(raw);
    return rc;
}

/* The styleganex mask, 1024 px: in the 384 px background crop the box min
 * the occlusion (computed on the 256 px face crop and warped across), then
 * enlarged as cv2.resize does (bilinear). */
static facefuse_status styleganex_mask(const fu_age_modifier *am, const facefuse_image *crop, const fu_affine *a,
                                       const fu_affine *ab, float *big_mask, fu_err *err)
{
    const size_t n = (size_t)BACKGROUND_SIZE * BACKGROUND_SIZE;
    const int occlusion = (fu_face_masker_types(am->masker) & FU_MASK_OCCLUSION) != 0;
    float *mask = malloc(sizeof(float) * n);
    float *occ = occlusion ? malloc(sizeof(float) * (size_t)am->size * am->size) : NULL;
    float *warped = occlusion ? malloc(sizeof(float) * n) : NULL;
    facefuse_status rc = FACEFUSE_OK;
    if (!mask || (occlusion && (!occ || !warped)))
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the styleganex mask");
    if (rc == FACEFUSE_OK)
        memcpy(mask, am->box, sizeof(float) * n);
    if (rc == FACEFUSE_OK && occlusion)
        rc = fu_face_masker_before(am->masker, crop, NULL, occ, err);
    if (rc == FACEFUSE_OK && occlusion) {
        fu_affine inv = fu_affine_invert(a), crop_to_back = fu_affine_then(&inv, ab);
        fu_warp_affine_f32(occ, am->size, am->size, warped, BACKGROUND_SIZE, BACKGROUND_SIZE, &crop_to_back,
                           FU_BORDER_CONSTANT);
        for (size_t i = 0; i < n; i++)
            mask[i] = warped[i] < mask[i] ? warped[i] : mask[i];
    }
    if (rc == FACEFUSE_OK) {
        fu_affine up = fu_resize_affine(BACKGROUND_SIZE, BACKGROUND_SIZE, PASTE_SIZE, PASTE_SIZE);
        fu_warp_affine_f32(mask, BACKGROUND_SIZE, BACKGROUND_SIZE, big_mask, PASTE_SIZE, PASTE_SIZE, &up,
                           FU_BORDER_REPLICATE);
    }
    free(mask), free(occ), free(warped);
    return rc;
}

/* Frame → the 1024 px crop styleganex's result is pasted from: the
 * background crop's alignment, then the 384 → 1024 px enlargement about
 * pixel centres (as the mask's cv2.resize and the output's area resize
 * place pixels). FaceFusion multiplies the matrix by 1024/384 instead,
 * which puts the result (1024/384 − 1)/2 crop pixels, about a third of a
 * frame pixel, off the face. */
static fu_affine styleganex_paste_align(const fu_affine *ab)
{
    fu_affine up = fu_resize_affine(BACKGROUND_SIZE, BACKGROUND_SIZE, PASTE_SIZE, PASTE_SIZE);
    return fu_affine_then(ab, &up);
}

static facefuse_status modify_styleganex(const fu_age_modifier *am, facefuse_image *frame,
                                         const facefuse_face *face, fu_age_timing *timing, fu_err *err)
{
    const size_t paste_n = (size_t)PASTE_SIZE * PASTE_SIZE;
    facefuse_image crop = {0}, back = {0}, result = {0};
    float *big_mask = NULL, *rgb = NULL, *raw = NULL;
    const float direction[2] = {fu_styleganex_direction(am->direction), 0};
    int side = 0;
    facefuse_status rc = FACEFUSE_OK;
    int64_t t0 = fu_now_ns(), t1 = t0, t2 = t0;

    fu_affine a = fu_age_modifier_align(am, face), ab = fu_styleganex_background_align(face);
    big_mask = malloc(sizeof(float) * paste_n);
    rgb = malloc(sizeof(float) * paste_n * 3);
    if (!big_mask || !rgb || facefuse_image_alloc(&crop, am->size, am->size, 3) != FACEFUSE_OK ||
        facefuse_image_alloc(&back, BACKGROUND_SIZE, BACKGROUND_SIZE, 3) != FACEFUSE_OK ||
        facefuse_image_alloc(&result, PASTE_SIZE, PASTE_SIZE, 3) != FACEFUSE_OK) {
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the styleganex crops");
        goto done;
    }
    fu_warp_affine(frame, &crop, &a, FU_BORDER_REPLICATE);
    fu_warp_affine(frame, &back, &ab, FU_BORDER_REPLICATE);
    rc = styleganex_mask(am, &crop, &a, &ab, big_mask, err);
    t1 = fu_now_ns();
    if (rc == FACEFUSE_OK)
        rc = fu_age_modifier_forward(am, &crop, &back, direction, &raw, &side, err);
    if (rc == FACEFUSE_OK)
        rc = styleganex_output(raw, side, &result, err);
    t2 = fu_now_ns();
    if (rc == FACEFUSE_OK)
        rc = fu_match_frame_color(&back, &result, err);
    if (rc == FACEFUSE_OK) {
        fu_affine paste = styleganex_paste_align(&ab);
        image_to_floats(&result, rgb);
        fu_paste_back(frame, rgb, big_mask, PASTE_SIZE, &paste);
    }
    if (timing) {
        timing->crop_ns += t1 - t0;
        timing->model_ns += t2 - t1;
        timing->paste_ns += fu_now_ns() - t2;
    }
done:
    facefuse_image_free(&crop), facefuse_image_free(&back), facefuse_image_free(&result);
    free(big_mask), free(rgb), free(raw);
    return rc;
}

fu_affine fu_age_modifier_paste_align(const fu_age_modifier *am, const facefuse_face *face)
{
    if (am->model == AGE_FRAN)
        return fu_age_modifier_align(am, face);
    fu_affine ab = fu_styleganex_background_align(face);
    return styleganex_paste_align(&ab);
}

facefuse_status fu_age_modifier_paste_mask(const fu_age_modifier *am, const facefuse_image *frame,
                                           const facefuse_face *face, float *mask, fu_err *err)
{
    facefuse_image crop = {0};
    fu_affine a = fu_age_modifier_align(am, face);
    facefuse_status rc = FACEFUSE_OK;
    if (facefuse_image_alloc(&crop, am->size, am->size, 3) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a %d px face crop", am->size);
    fu_warp_affine(frame, &crop, &a, FU_BORDER_REPLICATE);
    if (am->model == AGE_FRAN) {
        rc = fu_face_masker_before(am->masker, &crop, am->box, mask, err);
    } else {
        fu_affine ab = fu_styleganex_background_align(face);
        rc = styleganex_mask(am, &crop, &a, &ab, mask, err);
    }
    facefuse_image_free(&crop);
    return rc;
}

facefuse_status fu_age_modifier_modify_face(const fu_age_modifier *am, facefuse_image *frame,
                                            const facefuse_face *face, fu_age_timing *timing, fu_err *err)
{
    if (!am || !frame || !frame->data || !face || frame->channels < 3)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "age modifier: no frame or face");
    return am->model == AGE_FRAN ? modify_fran(am, frame, face, timing, err)
                                 : modify_styleganex(am, frame, face, timing, err);
}

/* ---------------------------------------------------------------- processor */

typedef struct age_settings {
    const char *model;
    int direction;
} age_settings;

#define AS(field) offsetof(age_settings, field)

static const fu_option age_options[] = {
    {.name = "--age-modifier-model", .section = "processors", .type = FU_OPT_STRING, .def = "fran",
     .choices = "fran styleganex_age", .offset = AS(model), .help = "choose the model responsible for aging the face"},
    {.name = "--age-modifier-direction", .section = "processors", .type = FU_OPT_INT, .def = "0", .min = -100,
     .max = 100, .step = 1, .offset = AS(direction),
     .help = "specify the direction in which the age should be modified"},
    {0}};

static const fu_option_group age_group = {"age_modifier", "processors", age_options, sizeof(age_settings), NULL};

typedef struct age_state {
    fu_face_masker *masker;
    fu_age_modifier *modifier;
} age_state;

static void age_release(void *state)
{
    age_state *st = state;
    if (!st)
        return;
    fu_age_modifier_close(st->modifier);
    fu_face_masker_close(st->masker);
    free(st);
}

/* The classifier the chain runs on every face for FU_NEEDS_AGE is loaded
 * here, so a missing fairface stops the run before its first frame rather
 * than at its first face; fran cannot work without it. */
static facefuse_status check_classifier(const fu_processor_env *env, const char *model, fu_err *err)
{
    fu_session *s;
    if (env->analysis && env->analysis->classifier_model)
        return fu_classifier_open(env->ctx, env->analysis->classifier_model, &s, err);
    if (fu_age_modifier_needs_age(model))
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "age modifier %s needs each face's age, and the face analysis "
                       "runs no classifier", model);
    return FACEFUSE_OK;
}

static facefuse_status age_prepare(const fu_processor_env *env, const void *settings, void **state, fu_err *err)
{
    const age_settings *set = settings;
    fu_age_modifier_settings s = {set->model, set->direction, env->masker->blur};
    facefuse_status rc;
    *state = NULL;
    age_state *st = calloc(1, sizeof *st);
    if (!st)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    rc = check_classifier(env, set->model, err);
    if (rc == FACEFUSE_OK)
        rc = fu_face_masker_open(env->ctx, env->masker, &st->masker, err);
    if (rc == FACEFUSE_OK)
        rc = fu_age_modifier_open(env->ctx, &s, st->masker, &st->modifier, err);
    if (rc != FACEFUSE_OK) {
        age_release(st);
        return rc;
    }
    *state = st;
    return FACEFUSE_OK;
}

static facefuse_status age_process(fu_frame *f, fu_err *err)
{
    const age_state *st = f->state;
    facefuse_status rc = FACEFUSE_OK;
    for (int i = 0; i < f->face_count && rc == FACEFUSE_OK; i++)
        rc = fu_age_modifier_modify_face(st->modifier, f->frame, &f->faces[i], NULL, err);
    return rc;
}

const fu_processor fu_age_modifier_processor = {
    .name = "age_modifier", .options = &age_group, .needs = FU_NEEDS_FACES | FU_NEEDS_AGE,
    .prepare = age_prepare, .process = age_process, .release = age_release};
