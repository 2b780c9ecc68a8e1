/*
 * lip_syncer.c — wav2lip and EDTalk lip sync of one face (see
 * lip_syncer.h).
 *
 * Open binds the model's inputs (by FaceFusion's names, else by shape),
 * checks their shapes and, for EDTalk, builds the 512 px box mask once.
 * Per face everything is allocated on the call, so one syncer serves
 * frames on several threads.
 *
 * Where this differs from FaceFusion, on purpose: the landmark box is
 * shrunk to 96² with an area filter (fu_warp_affine supersamples beyond 2×;
 * OpenCV's warpAffine treats INTER_AREA as bilinear and aliases), the
 * model's output stays float until the paste instead of being truncated to
 * bytes twice, and the paste rounds (paste.h).
 */
#include "processors/lip_syncer.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/file.h"
#include "core/geometry.h"
#include "core/image.h"
#include "face/analyse.h"
#include "infer/context.h"
#include "media/audio_mel.h"
#include "media/resize.h"
#include "processors/mask.h"
#include "processors/mask_area.h"
#include "processors/lip_audio.h"
#include "processors/paste.h"
#include "processors/processor.h"

#define CROP 512
#define AUDIO_FLOOR 1e-5f /* numpy.exp(−5·log(10)) */

typedef enum lip_type { LIP_WAV2LIP, LIP_EDTALK } lip_type;

typedef struct lip_model {
    const char *name;
    lip_type type;
    int size;
} lip_model;

static const lip_model lip_models[] = {
    {"edtalk_256", LIP_EDTALK, 256},
    {"wav2lip_96", LIP_WAV2LIP, 96},
    {"wav2lip_gan_96", LIP_WAV2LIP, 96},
};

struct fu_lip_syncer {
    const lip_model *model;
    fu_session *session;          /* owned by the context */
    int n_inputs;
    int source_input, target_input, weight_input; /* weight_input −1: wav2lip */
    float weight;
    float *box;                   /* EDTalk: CROP×CROP box mask */
    const fu_face_masker *masker; /* borrowed */
};

fu_lip_syncer_settings fu_lip_syncer_default_settings(void)
{
    fu_lip_syncer_settings s = {FU_LIP_SYNCER_DEFAULT_MODEL, 0.5f, 0.3f, {0, 0, 0, 0}, NULL};
    return s;
}

static const lip_model *find_model(const char *name)
{
    for (size_t i = 0; name && i < sizeof lip_models / sizeof lip_models[0]; i++)
        if (strcmp(name, lip_models[i].name) == 0)
            return &lip_models[i];
    return NULL;
}

int fu_lip_syncer_known(const char *name)
{
    return find_model(name) != NULL;
}

/* 1 when the model's dims agree with want (a symbolic dim agrees with anything). */
static int dims_fit(const fu_tensor_info *t, int rank, const int64_t *want)
{
    if (t->rank != rank)
        return 0;
    for (int d = 0; d < rank; d++)
        if (t->dims[d] > 0 && t->dims[d] != want[d])
            return 0;
    return 1;
}

/* Inputs by FaceFusion's names "source", "target", "weight"; any left
 * unnamed by shape (rank ≤ 2: weight; 80 rows: source; else target). */
static facefuse_status bind_inputs(fu_lip_syncer *ls, fu_err *err)
{
    const char *path = fu_session_path(ls->session);
    const int edtalk = ls->model->type == LIP_EDTALK, s = ls->model->size;
    int *slot[3] = {&ls->source_input, &ls->target_input, &ls->weight_input};
    static const char *const names[3] = {"source", "target", "weight"};
    ls->n_inputs = fu_session_input_count(ls->session);
    ls->source_input = ls->target_input = ls->weight_input = -1;
    if (ls->n_inputs != (edtalk ? 3 : 2))
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "lip syncer %s has %d inputs, expected %d", path,
                       ls->n_inputs, edtalk ? 3 : 2);
    for (int i = 0; i < ls->n_inputs; i++)
        for (int k = 0; k < 3; k++)
            if (strcmp(fu_session_input(ls->session, i)->name, names[k]) == 0 && *slot[k] < 0)
                *slot[k] = i;
    for (int i = 0; i < ls->n_inputs; i++) {
        const fu_tensor_info *in = fu_session_input(ls->session, i);
        if (i == ls->source_input || i == ls->target_input || i == ls->weight_input)
            continue;
        int k = in->rank <= 2 ? 2 : in->rank == 4 && in->dims[2] == FU_MEL_BANDS ? 0 : 1;
        if (*slot[k] < 0)
            *slot[k] = i;
    }
    const int64_t source_dims[4] = {1, 1, FU_MEL_BANDS, FU_MEL_WINDOW};
    const int64_t target_dims[4] = {1, edtalk ? 3 : 6, s, s};
    if (ls->source_input < 0 || !dims_fit(fu_session_input(ls->session, ls->source_input), 4, source_dims))
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "lip syncer %s: no audio input [1, 1, %d, %d]", path,
                       FU_MEL_BANDS, FU_MEL_WINDOW);
    if (ls->target_input < 0 || !dims_fit(fu_session_input(ls->session, ls->target_input), 4, target_dims))
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "lip syncer %s: no image input [1, %d, %d, %d]", path,
                       edtalk ? 3 : 6, s, s);
    if (edtalk) {
        const fu_tensor_info *w = ls->weight_input >= 0 ? fu_session_input(ls->session, ls->weight_input) : NULL;
        int64_t numel = 1;
        for (int d = 0; w && d < w->rank; d++)
            numel *= w->dims[d] > 0 ? w->dims[d] : 1;
        if (!w || w->rank > 2 || numel != 1)
            return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "lip syncer %s: no weight input [1]", path);
    }
    const fu_tensor_info *o = fu_session_output_count(ls->session) ? fu_session_output(ls->session, 0) : NULL;
    const int64_t out_dims[4] = {1, 3, s, s};
    if (!o || !dims_fit(o, 4, out_dims))
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "lip syncer %s: first output is not [1, 3, %d, %d]", path, s,
                       s);
    return FACEFUSE_OK;
}

facefuse_status fu_lip_syncer_open(facefuse_context *ctx, const fu_lip_syncer_settings *s, fu_lip_syncer **out,
                                   fu_err *err)
{
    const char *name = s->model ? s->model : FU_LIP_SYNCER_DEFAULT_MODEL;
    const lip_model *model = find_model(name);
    *out = NULL;
    if (!model)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "'%s' is not a lip syncer model (edtalk_256, wav2lip_96, wav2lip_gan_96)", name);
    if (!(s->weight >= 0.0f && s->weight <= 1.0f))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "lip syncer weight %g is outside 0..1", s->weight);
    fu_lip_syncer *ls = calloc(1, sizeof *ls);
    if (!ls)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    ls->model = model;
    ls->weight = s->weight;
    ls->masker = s->masker;
    facefuse_status rc = fu_context_session(ctx, name, &ls->session, NULL, err);
    if (rc == FACEFUSE_OK)
        rc = bind_inputs(ls, err);
    if (rc == FACEFUSE_OK && model->type == LIP_EDTALK)
        rc = fu_box_mask(CROP, s->mask_blur, s->mask_padding, &ls->box, err);
    if (rc != FACEFUSE_OK) {
        fu_lip_syncer_close(ls);
        return rc;
    }
    *out = ls;
    return FACEFUSE_OK;
}

void fu_lip_syncer_close(fu_lip_syncer *ls)
{
    if (!ls)
        return;
    free(ls->box);
    free(ls);
}

int fu_lip_syncer_size(const fu_lip_syncer *ls)
{
    return ls->model->size;
}

void fu_lip_syncer_audio_feature(const fu_lip_syncer *ls, const float *mel_window, float *out)
{
    const int n = FU_MEL_BANDS * FU_MEL_WINDOW;
    const float gain = ls->model->type == LIP_WAV2LIP ? ls->weight * 2.0f : 1.0f;
    for (int i = 0; i < n; i++) {
        float x = mel_window ? mel_window[i] : 0.0f;
        float v = log10f(x > AUDIO_FLOOR ? x : AUDIO_FLOOR) * 1.6f + 3.2f;
        v = v < -4.0f ? -4.0f : v > 4.0f ? 4.0f : v;
        out[i] = v * gain;
    }
}

/* Per-face buffers. */
typedef struct lip_work {
    facefuse_image crop;   /* RGB: the CROP² crop, or (wav2lip without occlusion) only
                            * the window of it at (ox, oy) the landmark box needs */
    int ox, oy;
    float *mask;           /* CROP² */
    float *pasted;         /* CROP² × 3, RGB floats 0..255: what is pasted */
    float audio[FU_MEL_BANDS * FU_MEL_WINDOW];
    float *target;         /* the model's image input */
    fu_tensor out;
} lip_work;

static void work_free(lip_work *w)
{
    facefuse_image_free(&w->crop);
    free(w->mask);
    free(w->pasted);
    free(w->target);
    fu_tensor_free(&w->out);
}

/* Runs the model on w->target and w->audio into w->out. */
static facefuse_status run_model(const fu_lip_syncer *ls, lip_work *w, fu_err *err)
{
    const int s = ls->model->size, c = ls->model->type == LIP_EDTALK ? 3 : 6;
    float weight = ls->weight;
    fu_tensor in[3];
    memset(in, 0, sizeof in);
    in[ls->source_input] = (fu_tensor){.rank = 4, .dims = {1, 1, FU_MEL_BANDS, FU_MEL_WINDOW}, .data = w->audio};
    in[ls->target_input] = (fu_tensor){.rank = 4, .dims = {1, c, s, s}, .data = w->target};
    if (ls->weight_input >= 0) {
        const fu_tensor_info *wi = fu_session_input(ls->session, ls->weight_input);
        in[ls->weight_input] = (fu_tensor){.rank = wi->rank, .dims = {1, 1}, .data = &weight};
    }
    facefuse_status rc = fu_session_run(ls->session, in, ls->n_inputs, &w->out, 1, err);
    if (rc == FACEFUSE_OK && fu_tensor_numel(&w->out) != (int64_t)3 * s * s)
        rc = fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "lip syncer %s gave %lld values, expected 3×%d×%d",
                     fu_session_path(ls->session), (long long)fu_tensor_numel(&w->out), s, s);
    return rc;
}

static float unit_to_level(float v)
{
    return (v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v) * 255.0f;
}

/* The landmark box (x1, y1, x2, y2) in crop pixels. */
static void landmark_box(const facefuse_face *face, const fu_affine *to_crop, float box[4])
{
    box[0] = box[1] = INFINITY, box[2] = box[3] = -INFINITY;
    for (int i = 0; i < 68; i++) {
        facefuse_point p = fu_affine_apply(to_crop, face->landmark_68[i]);
        box[0] = fminf(box[0], p.x), box[1] = fminf(box[1], p.y);
        box[2] = fmaxf(box[2], p.x), box[3] = fmaxf(box[3], p.y);
    }
}

/* Only the window of the crop the 96² warp reads: the box plus a margin
 * wider than its bilinear and supersampling reach (no occlusion model needs
 * the rest), warped straight from the frame. */
static facefuse_status crop_window(const facefuse_image *frame, const fu_affine *to_crop, const float box[4],
                                   lip_work *w, fu_err *err)
{
    const int margin = 4;
    int x0 = (int)floorf(box[0]) - margin, y0 = (int)floorf(box[1]) - margin;
    int x1 = (int)ceilf(box[2]) + margin + 1, y1 = (int)ceilf(box[3]) + margin + 1;
    x0 = x0 < 0 ? 0 : x0, y0 = y0 < 0 ? 0 : y0, x1 = x1 > CROP ? CROP : x1, y1 = y1 > CROP ? CROP : y1;
    if (x1 <= x0 || y1 <= y0)
        x0 = y0 = 0, x1 = y1 = 1; /* the box lies off the crop: a 1 px window, all border */
    const fu_affine shift = {{1, 0, -x0, 0, 1, -y0}};
    const fu_affine to_window = fu_affine_then(to_crop, &shift);
    if (facefuse_image_alloc(&w->crop, x1 - x0, y1 - y0, 3) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a face crop");
    w->ox = x0, w->oy = y0;
    fu_warp_affine(frame, &w->crop, &to_window, FU_BORDER_REPLICATE);
    return FACEFUSE_OK;
}

/* wav2lip before the model: lower-face area into the mask, the landmark
 * box, and the 6-channel BGR input. *skip when the box is degenerate. */
static facefuse_status wav2lip_prepare(const facefuse_image *frame, const facefuse_face *face,
                                       const fu_affine *to_crop, lip_work *w, fu_affine *to_area, int *skip,
                                       fu_err *err)
{
    static const char *const lower_face[] = {"lower-face"};
    const int s = 96, half = s / 2;
    const size_t n = (size_t)CROP * CROP, plane = (size_t)s * s;
    float box[4];
    facefuse_image area = {0};
    float *hull = malloc(sizeof(float) * n);
    if (!hull)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the lower-face mask");
    facefuse_status rc = fu_area_mask(hull, CROP, face->landmark_68, to_crop, lower_face, 1, err);
    for (size_t i = 0; rc == FACEFUSE_OK && i < n; i++)
        w->mask[i] = fminf(w->mask[i], hull[i]);
    free(hull);
    if (rc != FACEFUSE_OK)
        return rc;
    landmark_box(face, to_crop, box);
    *skip = !(box[2] - box[0] >= 1.0f && box[3] - box[1] >= 1.0f);
    if (*skip)
        return FACEFUSE_OK;
    if (!w->crop.data && (rc = crop_window(frame, to_crop, box, w, err)) != FACEFUSE_OK)
        return rc;
    /* cv2.getAffineTransform of (x1,y1), (x2,y1), (x1,y2) onto (0,0), (96,0), (0,96) */
    const double sx = s / (double)(box[2] - box[0]), sy = s / (double)(box[3] - box[1]);
    *to_area = (fu_affine){{sx, 0, -box[0] * sx, 0, sy, -box[1] * sy}};
    const fu_affine from_window = {{1, 0, w->ox, 0, 1, w->oy}};
    const fu_affine window_to_area = fu_affine_then(&from_window, to_area);
    if (facefuse_image_alloc(&area, s, s, 3) != FACEFUSE_OK || !(w->target = malloc(sizeof(float) * 6 * plane))) {
        facefuse_image_free(&area);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the wav2lip input");
    }
    fu_warp_affine(&w->crop, &area, &window_to_area, FU_BORDER_CONSTANT);
    for (int y = 0; y < s; y++)
        for (int x = 0; x < s; x++) {
            const uint8_t *px = fu_pixel(&area, x, y);
            const size_t at = (size_t)y * s + x;
            for (int c = 0; c < 3; c++) { /* BGR: channel c is px[2 − c] */
                float v = px[2 - c] / 255.0f;
                w->target[(size_t)(3 + c) * plane + at] = v;
                w->target[(size_t)c * plane + at] = y < half ? v : 0.0f;
            }
        }
    facefuse_image_free(&area);
    return FACEFUSE_OK;
}

/* The crop rectangle [r0, r1) × [c0, c1) where the mask is not 0, grown by
 * `grow` px (paste-back samples the crop bilinearly); empty when all 0. */
static void mask_extent(const float *mask, int grow, int r[4])
{
    r[0] = r[1] = CROP, r[2] = r[3] = 0;
    for (int y = 0; y < CROP; y++)
        for (int x = 0; x < CROP; x++)
            if (mask[(size_t)y * CROP + x] > 0) {
                r[0] = x < r[0] ? x : r[0], r[1] = y < r[1] ? y : r[1];
                r[2] = x + 1 > r[2] ? x + 1 : r[2], r[3] = y + 1 > r[3] ? y + 1 : r[3];
            }
    r[0] = r[0] - grow > 0 ? r[0] - grow : 0, r[1] = r[1] - grow > 0 ? r[1] - grow : 0;
    r[2] = r[2] + grow < CROP ? r[2] + grow : CROP, r[3] = r[3] + grow < CROP ? r[3] + grow : CROP;
}

/* wav2lip after the model: the BGR output stretched back over the box,
 * computed only where the paste can see it (the mask's extent). */
static facefuse_status wav2lip_finish(lip_work *w, const fu_affine *to_area, fu_err *err)
{
    const int s = 96;
    const size_t plane = (size_t)s * s;
    int r[4];
    mask_extent(w->mask, 2, r);
    const int ww = r[2] - r[0], wh = r[3] - r[1];
    if (ww <= 0 || wh <= 0)
        return FACEFUSE_OK;
    /* area → the window of the crop: from_area, then shifted by the window's corner */
    const fu_affine shift = {{1, 0, -r[0], 0, 1, -r[1]}}, from_area = fu_affine_invert(to_area);
    const fu_affine to_window = fu_affine_then(&from_area, &shift);
    float *levels = malloc(sizeof(float) * plane), *back = malloc(sizeof(float) * (size_t)ww * (size_t)wh);
    if (!levels || !back) {
        free(levels), free(back);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the wav2lip output");
    }
    memset(w->pasted, 0, sizeof(float) * 3 * CROP * CROP);
    for (int c = 0; c < 3; c++) { /* output channel c is B, G, R */
        for (size_t i = 0; i < plane; i++)
            levels[i] = unit_to_level(w->out.data[(size_t)c * plane + i]);
        fu_warp_affine_f32(levels, s, s, back, ww, wh, &to_window, FU_BORDER_REPLICATE);
        for (int y = 0; y < wh; y++)
            for (int x = 0; x < ww; x++)
                w->pasted[3 * ((size_t)(r[1] + y) * CROP + (size_t)(r[0] + x)) + (size_t)(2 - c)] =
                    back[(size_t)y * ww + x];
    }
    free(levels), free(back);
    return FACEFUSE_OK;
}

/* EDTalk before the model: the crop at 256 (area), RGB/255. */
static facefuse_status edtalk_prepare(lip_work *w, fu_err *err)
{
    static const float zero[3] = {0, 0, 0}, one[3] = {1, 1, 1};
    facefuse_image small = {0};
    if (fu_resize(&w->crop, &small, 256, 256) != FACEFUSE_OK ||
        !(w->target = malloc(sizeof(float) * 3 * 256 * 256))) {
        facefuse_image_free(&small);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the EDTalk input");
    }
    fu_image_to_planar(&small, zero, one, 0, w->target);
    facefuse_image_free(&small);
    return FACEFUSE_OK;
}

/* EDTalk after the model: RGB output rounded to bytes, enlarged to 512 (bicubic). */
static facefuse_status edtalk_finish(lip_work *w, fu_err *err)
{
    const size_t plane = 256 * 256;
    facefuse_image small = {0}, big = {0};
    facefuse_status rc = facefuse_image_alloc(&small, 256, 256, 3);
    if (rc == FACEFUSE_OK) {
        for (int y = 0; y < 256; y++)
            for (int x = 0; x < 256; x++)
                for (int c = 0; c < 3; c++)
                    fu_pixel(&small, x, y)[c] =
                        (uint8_t)(unit_to_level(w->out.data[(size_t)c * plane + (size_t)y * 256 + x]) + 0.5f);
        rc = fu_resize(&small, &big, CROP, CROP);
    }
    if (rc == FACEFUSE_OK)
        for (int y = 0; y < CROP; y++)
            for (int i = 0; i < 3 * CROP; i++)
                w->pasted[(size_t)y * 3 * CROP + i] = big.data[(size_t)y * big.stride + i];
    facefuse_image_free(&small);
    facefuse_image_free(&big);
    return rc == FACEFUSE_OK ? FACEFUSE_OK : fu_fail(err, rc, "cannot resize the EDTalk output");
}

facefuse_status fu_lip_syncer_sync_face(const fu_lip_syncer *ls, facefuse_image *frame, const facefuse_face *face,
                                        const float *mel_window, fu_lip_timing *timing, fu_err *err)
{
    const int wav2lip = ls->model->type == LIP_WAV2LIP;
    const size_t n = (size_t)CROP * CROP;
    lip_work w;
    fu_affine to_area = fu_affine_identity();
    int skip = 0;
    int64_t t0 = fu_now_ns(), t1 = t0, t2 = t0;

    if (wav2lip && !face->has_landmark_68)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "the lip syncer needs the face's 68 landmarks, and none "
                       "were found (is fan_68_5 or a landmarker model available?)");
    memset(&w, 0, sizeof w);
    const fu_affine to_crop = fu_align_to_template(face->landmark_5_68, "ffhq_512", CROP);
    /* the whole crop for EDTalk and for the occlusion model; else wav2lip cuts a window */
    const int whole = !wav2lip || (fu_face_masker_types(ls->masker) & FU_MASK_OCCLUSION);
    facefuse_status rc = whole ? facefuse_image_alloc(&w.crop, CROP, CROP, 3) : FACEFUSE_OK;
    w.mask = malloc(sizeof(float) * n);
    w.pasted = malloc(sizeof(float) * 3 * n);
    if (rc != FACEFUSE_OK || !w.mask || !w.pasted) {
        work_free(&w);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a %d px face crop", CROP);
    }
    if (whole) {
        fu_warp_affine(frame, &w.crop, &to_crop, FU_BORDER_REPLICATE);
        rc = fu_face_masker_before(ls->masker, &w.crop, wav2lip ? NULL : ls->box, w.mask, err);
    } else {
        for (size_t i = 0; i < n; i++)
            w.mask[i] = 1.0f;
    }
    if (rc == FACEFUSE_OK)
        rc = wav2lip ? wav2lip_prepare(frame, face, &to_crop, &w, &to_area, &skip, err) : edtalk_prepare(&w, err);
    fu_lip_syncer_audio_feature(ls, mel_window, w.audio);
    t1 = fu_now_ns();
    if (rc == FACEFUSE_OK && !skip)
        rc = run_model(ls, &w, err);
    t2 = fu_now_ns();
    if (rc == FACEFUSE_OK && !skip)
        rc = wav2lip ? wav2lip_finish(&w, &to_area, err) : edtalk_finish(&w, err);
    if (rc == FACEFUSE_OK && !skip)
        fu_paste_back(frame, w.pasted, w.mask, CROP, &to_crop);
    if (timing) {
        timing->crop_ns += t1 - t0;
        timing->model_ns += t2 - t1;
        timing->paste_ns += fu_now_ns() - t2;
    }
    work_free(&w);
    return rc;
}

/* ---------------------------------------------------------------- processor */

typedef struct lip_settings {
    const char *model;
    float weight;
} lip_settings;

#define LS(field) offsetof(lip_settings, field)

static const fu_option lip_options[] = {
    {.name = "--lip-syncer-model", .section = "processors", .type = FU_OPT_STRING, .def = FU_LIP_SYNCER_DEFAULT_MODEL,
     .choices = "edtalk_256 wav2lip_96 wav2lip_gan_96", .offset = LS(model),
     .help = "choose the model responsible for syncing the lips"},
    {.name = "--lip-syncer-weight", .section = "processors", .type = FU_OPT_FLOAT, .def = "0.5", .min = 0, .max = 1,
     .step = 0.05, .offset = LS(weight), .help = "specify the degree of weight applied to the lips"},
    {0}};

static const fu_option_group lip_group = {"lip_syncer", "processors", lip_options, sizeof(lip_settings), NULL};

typedef struct lip_state {
    fu_face_masker *masker; /* occlusion only; NULL without it */
    fu_lip_syncer *syncer;
    fu_lip_audio *audio;    /* NULL for an image target: every face hears silence */
    double fps;             /* the window grid: the target's rate */
} lip_state;

static void lip_release(void *state)
{
    lip_state *st = state;
    if (!st)
        return;
    fu_lip_audio_close(st->audio);
    fu_lip_syncer_close(st->syncer);
    fu_face_masker_close(st->masker);
    free(st);
}

/* The audio among the sources: the first audio file, the same one the
 * output's soundtrack is taken from (FaceFusion's filter_audio_paths). */
static const char *audio_source(fu_strs sources)
{
    return fu_first_audio_path(sources.v, sources.n);
}

static facefuse_status no_audio(int n, fu_err *err)
{
    return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "lip_syncer needs an audio file among the sources "
                   "(-s face.jpg voice.wav); none of the %d source paths is one", n);
}

/* Before any model is loaded (FaceFusion's pre_process: "choose an audio
 * for the source"). */
static facefuse_status lip_check(const void *settings, const fu_processor_target *t, fu_err *err)
{
    (void)settings;
    return audio_source(t->source_paths) ? FACEFUSE_OK : no_audio(t->source_paths.n, err);
}

/* FaceFusion's lip syncer masks by occlusion (when --face-mask-types has
 * it) and its own box or lower-face area: the masker opens the occluder
 * alone. */
static facefuse_status open_occlusion(const fu_processor_env *env, fu_face_masker **out, fu_err *err)
{
    static const char *const occlusion[] = {"occlusion"};
    fu_masker_settings ms = *env->masker;
    *out = NULL;
    if (!fu_strs_has(ms.types, "occlusion"))
        return FACEFUSE_OK;
    ms.types = (fu_strs){occlusion, 1};
    return fu_face_masker_open(env->ctx, &ms, out, err);
}

static facefuse_status lip_prepare(const fu_processor_env *env, const void *settings, void **state, fu_err *err)
{
    const lip_settings *set = settings;
    const char *path = audio_source(env->source_paths);
    fu_lip_syncer_settings s = fu_lip_syncer_default_settings();
    facefuse_status rc;
    *state = NULL;
    if (!path)
        return no_audio(env->source_paths.n, err);
    lip_state *st = calloc(1, sizeof *st);
    if (!st)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    s.model = set->model;
    s.weight = set->weight;
    s.mask_blur = env->masker->blur;
    memcpy(s.mask_padding, env->masker->padding.v, sizeof s.mask_padding);
    rc = open_occlusion(env, &st->masker, err);
    s.masker = st->masker;
    if (rc == FACEFUSE_OK)
        rc = fu_lip_syncer_open(env->ctx, &s, &st->syncer, err);
    if (rc == FACEFUSE_OK && env->target_is_video) {
        fu_lip_audio_settings as = {path, env->voice_extractor_model, env->target_fps};
        st->fps = env->target_fps;
        rc = fu_lip_audio_open(env->ctx, &as, &st->audio, NULL, err);
    }
    if (rc != FACEFUSE_OK) {
        lip_release(st);
        return rc;
    }
    *state = st;
    return FACEFUSE_OK;
}

/* Frame n of the window grid is the one at the frame's time, so a trimmed
 * or variable-rate target hears the audio at its own timestamps. */
static facefuse_status lip_process(fu_frame *f, fu_err *err)
{
    const lip_state *st = f->state;
    float window[FU_MEL_BANDS * FU_MEL_WINDOW];
    facefuse_status rc = FACEFUSE_OK;
    if (!f->face_count)
        return FACEFUSE_OK;
    memset(window, 0, sizeof window);
    if (st->audio) {
        int64_t n = llround(f->time_s * st->fps);
        fu_lip_audio_window(st->audio, n < 0 ? 0 : n, window);
    }
    for (int i = 0; i < f->face_count && rc == FACEFUSE_OK; i++)
        rc = fu_lip_syncer_sync_face(st->syncer, f->frame, &f->faces[i], window, NULL, err);
    return rc;
}

const fu_processor fu_lip_syncer_processor = {"lip_syncer", &lip_group, FU_NEEDS_FACES, lip_prepare, lip_process,
                                             lip_release, lip_check, NULL};
