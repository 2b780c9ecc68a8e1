/*
 * expression_restorer.c — FaceFusion's expression_restorer on LivePortrait
 * (see expression_restorer.h).
 *
 * Open (once a run): check the settings, load three models, build the box
 * mask. Per face: two warps, two motions, one feature volume, one
 * generator call, one paste. Read-only after open: frames may share it.
 */
#include "processors/expression_restorer.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "processors/mask.h"
#include "processors/paste.h"
#include "processors/processor.h"

#define TEMPLATE "arcface_128"

struct fu_expression_restorer {
    fu_live_portrait *lp;
    int factor;
    float mix;
    unsigned areas;
    float *box;                   /* 512² */
    const fu_face_masker *masker; /* borrowed */
};

/* FaceFusion's restrict_expression_areas keypoint sets. */
static const int upper_face[] = {1, 2, 6, 10, 11, 12, 13, 15, 16};
static const int lower_face[] = {3, 7, 14, 17, 18, 19, 20};

fu_expression_restorer_settings fu_expression_restorer_default_settings(void)
{
    fu_expression_restorer_settings s = {"live_portrait", 80, FU_AREA_UPPER_FACE | FU_AREA_LOWER_FACE, 0.3f};
    return s;
}

facefuse_status fu_expression_restorer_areas_parse(const char *const *words, int count, unsigned *areas,
                                                   fu_err *err)
{
    *areas = 0;
    for (int i = 0; i < count; i++) {
        if (strcmp(words[i], "upper-face") == 0)
            *areas |= FU_AREA_UPPER_FACE;
        else if (strcmp(words[i], "lower-face") == 0)
            *areas |= FU_AREA_LOWER_FACE;
        else
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown expression restorer area '%s' (choices: "
                           "upper-face, lower-face)", words[i]);
    }
    if (!*areas)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "expression restorer areas: name at least one of "
                       "upper-face, lower-face");
    return FACEFUSE_OK;
}

/* ---------------------------------------------------------------- arithmetic */

float fu_expression_restorer_mix(int factor)
{
    return fu_lp_interp((float)factor, 0.0f, 100.0f, 0.0f, 1.2f);
}

static void keep_current(fu_lp_points e, const fu_lp_points current, const int *keypoints, size_t n)
{
    for (size_t i = 0; i < n; i++)
        memcpy(e[keypoints[i]], current[keypoints[i]], sizeof e[0]);
}

void fu_expression_restorer_expression(unsigned areas, float mix, const fu_lp_points original,
                                       const fu_lp_points current, fu_lp_points out)
{
    static const int always_current[] = {0, 4, 5, 8, 9};
    fu_lp_points e;
    memcpy(e, original, sizeof e);
    if (!(areas & FU_AREA_UPPER_FACE))
        keep_current(e, current, upper_face, sizeof upper_face / sizeof upper_face[0]);
    if (!(areas & FU_AREA_LOWER_FACE))
        keep_current(e, current, lower_face, sizeof lower_face / sizeof lower_face[0]);
    keep_current(e, current, always_current, sizeof always_current / sizeof always_current[0]);
    for (int k = 0; k < FU_LP_POINTS; k++)
        for (int a = 0; a < 3; a++)
            out[k][a] = e[k][a] * mix + current[k][a] * (1.0f - mix);
    fu_lp_limit_expression(out);
}

void fu_expression_restorer_keypoints(unsigned areas, float mix, const fu_lp_motion *original,
                                      const fu_lp_motion *current, fu_lp_points source, fu_lp_points target)
{
    float r[3][3];
    fu_lp_points e;
    fu_lp_rotation(current->pitch, current->yaw, current->roll, r);
    fu_expression_restorer_expression(areas, mix, original->expression, current->expression, e);
    fu_lp_pose(current, r, e, source);
    fu_lp_pose(current, r, current->expression, target);
}

/* ---------------------------------------------------------------- open */

facefuse_status fu_expression_restorer_open(facefuse_context *ctx, const fu_expression_restorer_settings *settings,
                                            const fu_face_masker *masker, fu_expression_restorer **out, fu_err *err)
{
    static const int no_padding[4] = {0, 0, 0, 0};
    facefuse_status rc;
    *out = NULL;
    if (settings->model && strcmp(settings->model, "live_portrait") != 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown expression restorer model '%s' (choices: "
                       "live_portrait)", settings->model);
    if (settings->factor < 0 || settings->factor > 100)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "expression restorer factor %d is outside 0..100",
                       settings->factor);
    if (!settings->areas || (settings->areas & ~(unsigned)(FU_AREA_UPPER_FACE | FU_AREA_LOWER_FACE)))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "expression restorer areas must be upper-face, "
                       "lower-face or both");
    if (!(settings->mask_blur >= 0.0f && settings->mask_blur <= 1.0f))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "face mask blur %g is outside 0..1",
                       (double)settings->mask_blur);
    fu_expression_restorer *er = calloc(1, sizeof *er);
    if (!er)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    er->factor = settings->factor;
    er->mix = fu_expression_restorer_mix(settings->factor);
    er->areas = settings->areas;
    er->masker = masker;
    rc = fu_live_portrait_open(ctx, FU_LP_RESTORER_MODELS, &er->lp, err);
    if (rc == FACEFUSE_OK)
        rc = fu_box_mask(FU_LP_CROP_PX, settings->mask_blur, no_padding, &er->box, err);
    if (rc != FACEFUSE_OK) {
        fu_expression_restorer_close(er);
        return rc;
    }
    *out = er;
    return FACEFUSE_OK;
}

void fu_expression_restorer_close(fu_expression_restorer *er)
{
    if (!er)
        return;
    fu_live_portrait_close(er->lp);
    free(er->box);
    free(er);
}

/* ---------------------------------------------------------------- per face */

/* What one face needs, allocated per call so that frames may run in parallel. */
typedef struct work {
    facefuse_image original_crop, current_crop;
    float *original_input, *current_input; /* 3·256² each */
    float *mask;                           /* 512² */
    float *rgb;                            /* 512²·3 */
    float *volume;                         /* from the feature extractor */
} work;

static facefuse_status work_alloc(work *w, fu_err *err)
{
    const size_t crop = (size_t)FU_LP_CROP_PX * FU_LP_CROP_PX, input = (size_t)3 * FU_LP_INPUT_PX * FU_LP_INPUT_PX;
    memset(w, 0, sizeof *w);
    w->original_input = malloc(sizeof(float) * input);
    w->current_input = malloc(sizeof(float) * input);
    w->mask = malloc(sizeof(float) * crop);
    w->rgb = malloc(sizeof(float) * 3 * crop);
    if (!w->original_input || !w->current_input || !w->mask || !w->rgb ||
        facefuse_image_alloc(&w->original_crop, FU_LP_CROP_PX, FU_LP_CROP_PX, 3) != FACEFUSE_OK ||
        facefuse_image_alloc(&w->current_crop, FU_LP_CROP_PX, FU_LP_CROP_PX, 3) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a %d px face crop", FU_LP_CROP_PX);
    return FACEFUSE_OK;
}

static void work_free(work *w)
{
    facefuse_image_free(&w->original_crop);
    facefuse_image_free(&w->current_crop);
    free(w->original_input), free(w->current_input), free(w->mask), free(w->rgb), free(w->volume);
}

/* Motions of both crops and the generator's render of the mixed expression into w->rgb. */
static facefuse_status render(const fu_expression_restorer *er, work *w, fu_err *err)
{
    fu_lp_motion original, current;
    fu_lp_points source, target;
    facefuse_status rc = fu_lp_extract_feature(er->lp, w->current_input, &w->volume, err);
    if (rc == FACEFUSE_OK)
        rc = fu_lp_extract_motion(er->lp, w->original_input, &original, err);
    if (rc == FACEFUSE_OK)
        rc = fu_lp_extract_motion(er->lp, w->current_input, &current, err);
    if (rc != FACEFUSE_OK)
        return rc;
    fu_expression_restorer_keypoints(er->areas, er->mix, &original, &current, source, target);
    return fu_lp_generate(er->lp, w->volume, source, target, w->rgb, err);
}

facefuse_status fu_expression_restorer_face(const fu_expression_restorer *er, const facefuse_image *original,
                                            const facefuse_face *original_face, facefuse_image *frame,
                                            const facefuse_face *face, fu_lp_timing *timing, fu_err *err)
{
    work w;
    if (er->factor == 0)
        return FACEFUSE_OK;
    int64_t t0 = fu_now_ns(), t1 = t0, t2 = t0;
    facefuse_status rc = work_alloc(&w, err);
    if (rc == FACEFUSE_OK) {
        /* each frame is cut at the face's landmarks in its own coordinates:
         * the same part of the face when an earlier processor enlarged the frame */
        fu_affine a0 = fu_align_to_template(original_face->landmark_5_68, TEMPLATE, FU_LP_CROP_PX);
        fu_affine a = fu_align_to_template(face->landmark_5_68, TEMPLATE, FU_LP_CROP_PX);
        fu_warp_affine(original, &w.original_crop, &a0, FU_BORDER_REPLICATE);
        fu_warp_affine(frame, &w.current_crop, &a, FU_BORDER_REPLICATE);
        rc = fu_face_masker_before(er->masker, &w.current_crop, er->box, w.mask, err);
        fu_lp_prepare(&w.original_crop, w.original_input);
        fu_lp_prepare(&w.current_crop, w.current_input);
        t1 = fu_now_ns();
        if (rc == FACEFUSE_OK)
            rc = render(er, &w, err);
        t2 = fu_now_ns();
        if (rc == FACEFUSE_OK)
            fu_paste_back(frame, w.rgb, w.mask, FU_LP_CROP_PX, &a);
    }
    if (timing) {
        timing->crop_ns += t1 - t0;
        timing->model_ns += t2 - t1;
        timing->paste_ns += fu_now_ns() - t2;
        timing->faces++;
    }
    work_free(&w);
    return rc;
}

/* ---------------------------------------------------------------- processor */

typedef struct restorer_settings {
    const char *model;
    int factor;
    fu_strs areas;
} restorer_settings;

#define ER(field) offsetof(restorer_settings, field)

static const fu_option restorer_options[] = {
    {.name = "--expression-restorer-model", .section = "processors", .type = FU_OPT_STRING, .def = "live_portrait",
     .choices = "live_portrait", .offset = ER(model),
     .help = "choose the model responsible for restoring the expression"},
    {.name = "--expression-restorer-factor", .section = "processors", .type = FU_OPT_INT, .def = "80", .min = 0,
     .max = 100, .step = 1, .offset = ER(factor), .help = "restore factor of expression from the target face"},
    {.name = "--expression-restorer-areas", .section = "processors", .type = FU_OPT_STRINGS,
     .def = "upper-face lower-face", .choices = "upper-face lower-face", .offset = ER(areas),
     .help = "choose the items used for the expression areas"},
    {0}};

static const fu_option_group restorer_group = {"expression_restorer", "processors", restorer_options,
                                               sizeof(restorer_settings), NULL};

typedef struct restorer_state {
    fu_face_masker *masker; /* occlusion only; NULL without it */
    fu_expression_restorer *restorer;
} restorer_state;

static void restorer_release(void *state)
{
    restorer_state *st = state;
    if (!st)
        return;
    fu_expression_restorer_close(st->restorer);
    fu_face_masker_close(st->masker);
    free(st);
}

/* FaceFusion's expression restorer masks by box ∧ occlusion whatever else
 * --face-mask-types names: the masker opens the occluder alone (no parser
 * loaded for a region mask it would not apply). */
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

static facefuse_status restorer_prepare(const fu_processor_env *env, const void *settings, void **state, fu_err *err)
{
    const restorer_settings *set = settings;
    fu_expression_restorer_settings s = fu_expression_restorer_default_settings();
    facefuse_status rc;
    *state = NULL;
    s.model = set->model;
    s.factor = set->factor;
    s.mask_blur = env->masker->blur;
    rc = fu_expression_restorer_areas_parse(set->areas.v, set->areas.n, &s.areas, err);
    if (rc != FACEFUSE_OK)
        return rc;
    restorer_state *st = calloc(1, sizeof *st);
    if (!st)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    rc = open_occlusion(env, &st->masker, err);
    if (rc == FACEFUSE_OK)
        rc = fu_expression_restorer_open(env->ctx, &s, st->masker, &st->restorer, err);
    if (rc != FACEFUSE_OK) {
        restorer_release(st);
        return rc;
    }
    *state = st;
    return FACEFUSE_OK;
}

static facefuse_status restorer_process(fu_frame *f, fu_err *err)
{
    const restorer_state *st = f->state;
    facefuse_status rc = FACEFUSE_OK;
    if (!f->original || (f->face_count && !f->original_faces))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "expression restorer: frame %lld came without the "
                       "original frame", (long long)f->frame_index);
    for (int i = 0; i < f->face_count && rc == FACEFUSE_OK; i++)
        rc = fu_expression_restorer_face(st->restorer, f->original, &f->original_faces[i], f->frame, &f->faces[i],
                                         NULL, err);
    return rc;
}

const fu_processor fu_expression_restorer_processor = {"expression_restorer", &restorer_group,
                                                       FU_NEEDS_FACES | FU_NEEDS_ORIGINAL, restorer_prepare,
                                                       restorer_process, restorer_release, NULL, NULL};
