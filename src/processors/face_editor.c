/*
 * face_editor.c — FaceFusion's face_editor on LivePortrait (see
 * face_editor.h).
 *
 * The expression sliders are data: for each, the keypoint axes it moves
 * and by how much per unit, for its positive side and for its negative
 * side (FaceFusion's edit_* functions, which add interp(v, [−1, 1], [−a, a])
 * = a·v to each). Open checks the settings and loads the six models;
 * per face there is one warp, one feature volume, one motion, up to two
 * retargeter runs, one stitch, one generator call and one paste.
 */
#include "processors/face_editor.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "processors/mask.h"
#include "processors/paste.h"
#include "processors/processor.h"

#define TEMPLATE "ffhq_512"
#define MAX_DELTAS 7

typedef struct delta {
    int keypoint, axis;
    float per_unit; /* added per unit of the slider */
} delta;

typedef struct slider_edit {
    size_t offset;                /* of the slider in fu_face_editor_settings */
    delta positive[MAX_DELTAS];   /* when the slider is > 0 */
    delta negative[MAX_DELTAS];   /* otherwise */
} slider_edit;

#define SLIDER(field) offsetof(fu_face_editor_settings, field)

/* In FaceFusion's order: eye gaze, mouth grim, mouth position, pout, purse,
 * smile, eyebrow. A zero per_unit ends a list. */
static const slider_edit expression_edits[] = {
    {SLIDER(eye_gaze_horizontal), {{11, 0, 0.015f}, {15, 0, 0.020f}}, {{11, 0, 0.020f}, {15, 0, 0.015f}}},
    {SLIDER(eye_gaze_vertical),
     {{1, 1, 0.0025f}, {2, 1, -0.0025f}, {11, 1, -0.010f}, {13, 1, -0.005f}, {15, 1, -0.010f}, {16, 1, -0.005f}},
     {{1, 1, 0.0025f}, {2, 1, -0.0025f}, {11, 1, -0.010f}, {13, 1, -0.005f}, {15, 1, -0.010f}, {16, 1, -0.005f}}},
    {SLIDER(mouth_grim), {{17, 2, -0.005f}, {19, 2, 0.01f}, {20, 1, -0.06f}, {20, 2, -0.03f}},
     {{19, 1, -0.05f}, {19, 2, -0.02f}, {20, 2, -0.03f}}},
    {SLIDER(mouth_position_horizontal), {{19, 0, 0.05f}, {20, 0, 0.04f}}, {{19, 0, 0.05f}, {20, 0, 0.04f}}},
    {SLIDER(mouth_position_vertical), {{19, 1, -0.04f}, {20, 1, -0.02f}}, {{19, 1, -0.05f}, {20, 1, -0.04f}}},
    {SLIDER(mouth_pout), {{19, 1, -0.022f}, {19, 2, 0.025f}, {20, 2, -0.002f}},
     {{19, 1, 0.022f}, {19, 2, 0.025f}, {20, 2, -0.002f}}},
    {SLIDER(mouth_purse), {{19, 1, -0.04f}, {19, 2, -0.02f}},
     {{14, 1, -0.02f}, {17, 2, 0.01f}, {19, 2, -0.015f}, {20, 2, -0.002f}}},
    {SLIDER(mouth_smile),
     {{20, 1, -0.015f}, {14, 1, -0.025f}, {17, 1, 0.01f}, {17, 2, 0.004f}, {3, 1, -0.0045f}, {7, 1, -0.0045f}},
     {{14, 1, -0.02f}, {17, 1, 0.003f}, {19, 1, 0.02f}, {19, 2, -0.005f}, {20, 2, 0.01f}, {3, 1, 0.0045f},
      {7, 1, 0.0045f}}},
    {SLIDER(eyebrow_direction), {{1, 1, 0.015f}, {2, 1, -0.020f}},
     {{1, 0, -0.015f}, {2, 0, 0.020f}, {1, 1, 0.005f}, {2, 1, -0.005f}}},
};

/* Every slider, for the range check and the all-zero test. */
static const struct {
    size_t offset;
    const char *option;
} sliders[] = {
    {SLIDER(eyebrow_direction), "eyebrow-direction"},
    {SLIDER(eye_gaze_horizontal), "eye-gaze-horizontal"},
    {SLIDER(eye_gaze_vertical), "eye-gaze-vertical"},
    {SLIDER(eye_open_ratio), "eye-open-ratio"},
    {SLIDER(lip_open_ratio), "lip-open-ratio"},
    {SLIDER(mouth_grim), "mouth-grim"},
    {SLIDER(mouth_pout), "mouth-pout"},
    {SLIDER(mouth_purse), "mouth-purse"},
    {SLIDER(mouth_smile), "mouth-smile"},
    {SLIDER(mouth_position_horizontal), "mouth-position-horizontal"},
    {SLIDER(mouth_position_vertical), "mouth-position-vertical"},
    {SLIDER(head_pitch), "head-pitch"},
    {SLIDER(head_yaw), "head-yaw"},
    {SLIDER(head_roll), "head-roll"},
};

#define N_SLIDERS (sizeof sliders / sizeof sliders[0])

struct fu_face_editor {
    fu_live_portrait *lp;
    fu_face_editor_settings settings;
    int edits;  /* some slider is not 0 */
    float *box; /* 512² */
};

static float slider_value(const fu_face_editor_settings *s, size_t offset)
{
    float v;
    memcpy(&v, (const char *)s + offset, sizeof v);
    return v < -1.0f ? -1.0f : v > 1.0f ? 1.0f : v; /* numpy.interp clamps */
}

fu_face_editor_settings fu_face_editor_default_settings(void)
{
    fu_face_editor_settings s;
    memset(&s, 0, sizeof s);
    s.model = "live_portrait";
    s.mask_blur = 0.3f;
    return s;
}

/* ---------------------------------------------------------------- arithmetic */

void fu_face_editor_edit_expression(const fu_face_editor_settings *s, fu_lp_points expression)
{
    for (size_t i = 0; i < sizeof expression_edits / sizeof expression_edits[0]; i++) {
        const slider_edit *edit = &expression_edits[i];
        const float v = slider_value(s, edit->offset);
        const delta *list = v > 0 ? edit->positive : edit->negative;
        for (int j = 0; j < MAX_DELTAS && list[j].per_unit != 0.0f; j++) {
            float *e = &expression[list[j].keypoint][list[j].axis];
            *e = (float)(*e + (double)list[j].per_unit * v);
        }
    }
}

void fu_face_editor_edit_angles(const fu_face_editor_settings *s, const float original[3], float edited[3])
{
    edited[0] = original[0] + fu_lp_interp(slider_value(s, SLIDER(head_pitch)), -1, 1, 20, -20);
    edited[1] = original[1] + fu_lp_interp(slider_value(s, SLIDER(head_yaw)), -1, 1, 60, -60);
    edited[2] = original[2] + fu_lp_interp(slider_value(s, SLIDER(head_roll)), -1, 1, -15, 15);
    fu_lp_limit_angles(original, edited);
}

void fu_face_editor_landmarks(const facefuse_point landmark_5[5], facefuse_point out[5])
{
    const facefuse_point nose = landmark_5[2];
    for (int i = 0; i < 5; i++) {
        out[i].x = (landmark_5[i].x - nose.x) * 1.5f + nose.x;
        out[i].y = (landmark_5[i].y - nose.y) * 1.5f + nose.y;
    }
}

/* source += |ratio|·delta */
static void add_scaled(fu_lp_points source, const fu_lp_points change, float ratio)
{
    for (int k = 0; k < FU_LP_POINTS; k++)
        for (int a = 0; a < 3; a++)
            source[k][a] += change[k][a] * fabsf(ratio);
}

/* The eye and lip retargeters' deltas, each when its slider is not 0
 * (FaceFusion runs them anyway and multiplies by 0). */
static facefuse_status retarget(const fu_face_editor *fe, const fu_lp_points target,
                                const facefuse_point lm68[68], fu_lp_points source, fu_err *err)
{
    const float eye = slider_value(&fe->settings, SLIDER(eye_open_ratio));
    const float lip = slider_value(&fe->settings, SLIDER(lip_open_ratio));
    fu_lp_points d;
    facefuse_status rc = FACEFUSE_OK;
    if (eye != 0.0f) {
        float left = fu_lp_distance_ratio(lm68, 37, 40, 39, 36), right = fu_lp_distance_ratio(lm68, 43, 46, 45, 42);
        rc = fu_lp_retarget_eye(fe->lp, target, left, right, eye < 0 ? 0.0f : 0.6f, d, err);
        if (rc == FACEFUSE_OK)
            add_scaled(source, d, eye);
    }
    if (rc == FACEFUSE_OK && lip != 0.0f) {
        rc = fu_lp_retarget_lip(fe->lp, target, fu_lp_distance_ratio(lm68, 62, 66, 54, 48), lip < 0 ? 0.0f : 1.0f,
                                d, err);
        if (rc == FACEFUSE_OK)
            add_scaled(source, d, lip);
    }
    return rc;
}

facefuse_status fu_face_editor_keypoints(const fu_face_editor *fe, const fu_lp_motion *m,
                                         const facefuse_point landmark_68[68], fu_lp_points source,
                                         fu_lp_points target, fu_err *err)
{
    const float original[3] = {m->pitch, m->yaw, m->roll};
    float edited[3], r[3][3];
    fu_lp_points e;

    fu_lp_rotation(m->pitch, m->yaw, m->roll, r);
    fu_lp_pose(m, r, m->expression, target);
    memcpy(e, m->expression, sizeof e);
    fu_face_editor_edit_expression(&fe->settings, e);
    fu_lp_limit_expression(e);
    fu_face_editor_edit_angles(&fe->settings, original, edited);
    fu_lp_rotation(edited[0], edited[1], edited[2], r);
    fu_lp_pose(m, r, e, source);
    facefuse_status rc = retarget(fe, target, landmark_68, source, err);
    if (rc == FACEFUSE_OK)
        rc = fu_lp_stitch(fe->lp, source, target, source, err);
    return rc;
}

/* ---------------------------------------------------------------- open */

facefuse_status fu_face_editor_open(facefuse_context *ctx, const fu_face_editor_settings *settings,
                                    fu_face_editor **out, fu_err *err)
{
    static const int no_padding[4] = {0, 0, 0, 0};
    facefuse_status rc;
    *out = NULL;
    if (settings->model && strcmp(settings->model, "live_portrait") != 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown face editor model '%s' (choices: live_portrait)",
                       settings->model);
    for (size_t i = 0; i < N_SLIDERS; i++) {
        float v;
        memcpy(&v, (const char *)settings + sliders[i].offset, sizeof v);
        if (!(v >= -1.0f && v <= 1.0f))
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "--face-editor-%s %g is outside -1..1",
                           sliders[i].option, (double)v);
    }
    if (!(settings->mask_blur >= 0.0f && settings->mask_blur <= 1.0f))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "face mask blur %g is outside 0..1",
                       (double)settings->mask_blur);
    fu_face_editor *fe = calloc(1, sizeof *fe);
    if (!fe)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    fe->settings = *settings;
    fe->settings.model = "live_portrait";
    for (size_t i = 0; i < N_SLIDERS; i++)
        fe->edits |= slider_value(settings, sliders[i].offset) != 0.0f;
    rc = fu_live_portrait_open(ctx, FU_LP_EDITOR_MODELS, &fe->lp, err);
    if (rc == FACEFUSE_OK)
        rc = fu_box_mask(FU_LP_CROP_PX, settings->mask_blur, no_padding, &fe->box, err);
    if (rc != FACEFUSE_OK) {
        fu_face_editor_close(fe);
        return rc;
    }
    *out = fe;
    return FACEFUSE_OK;
}

void fu_face_editor_close(fu_face_editor *fe)
{
    if (!fe)
        return;
    fu_live_portrait_close(fe->lp);
    free(fe->box);
    free(fe);
}

/* ---------------------------------------------------------------- per face */

/* The motion and feature volume of the crop, and the edited render into rgb. */
static facefuse_status render(const fu_face_editor *fe, const float *input, const facefuse_face *face, float *rgb,
                              fu_err *err)
{
    fu_lp_motion m;
    fu_lp_points source, target;
    float *volume = NULL;
    facefuse_status rc = fu_lp_extract_feature(fe->lp, input, &volume, err);
    if (rc == FACEFUSE_OK)
        rc = fu_lp_extract_motion(fe->lp, input, &m, err);
    if (rc == FACEFUSE_OK)
        rc = fu_face_editor_keypoints(fe, &m, face->landmark_68, source, target, err);
    if (rc == FACEFUSE_OK)
        rc = fu_lp_generate(fe->lp, volume, source, target, rgb, err);
    free(volume);
    return rc;
}

facefuse_status fu_face_editor_face(const fu_face_editor *fe, facefuse_image *frame, const facefuse_face *face,
                                    fu_lp_timing *timing, fu_err *err)
{
    const size_t crop_px = (size_t)FU_LP_CROP_PX * FU_LP_CROP_PX;
    facefuse_image crop = {0};
    facefuse_point lm5[5];
    facefuse_status rc = FACEFUSE_OK;

    if (!fe->edits)
        return FACEFUSE_OK;
    int64_t t0 = fu_now_ns(), t1 = t0, t2 = t0;
    float *input = malloc(sizeof(float) * 3 * FU_LP_INPUT_PX * FU_LP_INPUT_PX);
    float *rgb = malloc(sizeof(float) * 3 * crop_px);
    if (!input || !rgb || facefuse_image_alloc(&crop, FU_LP_CROP_PX, FU_LP_CROP_PX, 3) != FACEFUSE_OK) {
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a %d px face crop", FU_LP_CROP_PX);
    } else {
        fu_face_editor_landmarks(face->landmark_5_68, lm5);
        fu_affine a = fu_align_to_template(lm5, TEMPLATE, FU_LP_CROP_PX);
        fu_warp_affine(frame, &crop, &a, FU_BORDER_REPLICATE);
        fu_lp_prepare(&crop, input);
        t1 = fu_now_ns();
        rc = render(fe, input, face, rgb, err);
        t2 = fu_now_ns();
        if (rc == FACEFUSE_OK)
            fu_paste_back(frame, rgb, fe->box, FU_LP_CROP_PX, &a);
    }
    if (timing) {
        timing->crop_ns += t1 - t0;
        timing->model_ns += t2 - t1;
        timing->paste_ns += fu_now_ns() - t2;
        timing->faces++;
    }
    facefuse_image_free(&crop);
    free(input), free(rgb);
    return rc;
}

/* ---------------------------------------------------------------- processor */

/* The processor's settings are fu_face_editor_settings; mask_blur, not an
 * option of this group, comes from the run's --face-mask-blur in prepare. */
static const fu_option editor_options[] = {
    {.name = "--face-editor-model", .section = "processors", .type = FU_OPT_STRING, .def = "live_portrait",
     .choices = "live_portrait", .offset = SLIDER(model), .help = "choose the model responsible for editing the face"},
    {.name = "--face-editor-eyebrow-direction", .section = "processors", .type = FU_OPT_FLOAT, .def = "0", .min = -1,
     .max = 1, .step = 0.05, .offset = SLIDER(eyebrow_direction), .help = "specify the eyebrow direction"},
    {.name = "--face-editor-eye-gaze-horizontal", .section = "processors", .type = FU_OPT_FLOAT, .def = "0", .min = -1,
     .max = 1, .step = 0.05, .offset = SLIDER(eye_gaze_horizontal), .help = "specify the horizontal eye gaze"},
    {.name = "--face-editor-eye-gaze-vertical", .section = "processors", .type = FU_OPT_FLOAT, .def = "0", .min = -1,
     .max = 1, .step = 0.05, .offset = SLIDER(eye_gaze_vertical), .help = "specify the vertical eye gaze"},
    {.name = "--face-editor-eye-open-ratio", .section = "processors", .type = FU_OPT_FLOAT, .def = "0", .min = -1,
     .max = 1, .step = 0.05, .offset = SLIDER(eye_open_ratio), .help = "specify the ratio of eye opening"},
    {.name = "--face-editor-lip-open-ratio", .section = "processors", .type = FU_OPT_FLOAT, .def = "0", .min = -1,
     .max = 1, .step = 0.05, .offset = SLIDER(lip_open_ratio), .help = "specify the ratio of lip opening"},
    {.name = "--face-editor-mouth-grim", .section = "processors", .type = FU_OPT_FLOAT, .def = "0", .min = -1,
     .max = 1, .step = 0.05, .offset = SLIDER(mouth_grim), .help = "specify the mouth grim"},
    {.name = "--face-editor-mouth-pout", .section = "processors", .type = FU_OPT_FLOAT, .def = "0", .min = -1,
     .max = 1, .step = 0.05, .offset = SLIDER(mouth_pout), .help = "specify the mouth pout"},
    {.name = "--face-editor-mouth-purse", .section = "processors", .type = FU_OPT_FLOAT, .def = "0", .min = -1,
     .max = 1, .step = 0.05, .offset = SLIDER(mouth_purse), .help = "specify the mouth purse"},
    {.name = "--face-editor-mouth-smile", .section = "processors", .type = FU_OPT_FLOAT, .def = "0", .min = -1,
     .max = 1, .step = 0.05, .offset = SLIDER(mouth_smile), .help = "specify the mouth smile"},
    {.name = "--face-editor-mouth-position-horizontal", .section = "processors", .type = FU_OPT_FLOAT, .def = "0",
     .min = -1, .max = 1, .step = 0.05, .offset = SLIDER(mouth_position_horizontal),
     .help = "specify the horizontal mouth position"},
    {.name = "--face-editor-mouth-position-vertical", .section = "processors", .type = FU_OPT_FLOAT, .def = "0",
     .min = -1, .max = 1, .step = 0.05, .offset = SLIDER(mouth_position_vertical),
     .help = "specify the vertical mouth position"},
    {.name = "--face-editor-head-pitch", .section = "processors", .type = FU_OPT_FLOAT, .def = "0", .min = -1,
     .max = 1, .step = 0.05, .offset = SLIDER(head_pitch), .help = "specify the head pitch"},
    {.name = "--face-editor-head-yaw", .section = "processors", .type = FU_OPT_FLOAT, .def = "0", .min = -1,
     .max = 1, .step = 0.05, .offset = SLIDER(head_yaw), .help = "specify the head yaw"},
    {.name = "--face-editor-head-roll", .section = "processors", .type = FU_OPT_FLOAT, .def = "0", .min = -1,
     .max = 1, .step = 0.05, .offset = SLIDER(head_roll), .help = "specify the head roll"},
    {0}};

static const fu_option_group editor_group = {"face_editor", "processors", editor_options,
                                             sizeof(fu_face_editor_settings), NULL};

static void editor_release(void *state)
{
    fu_face_editor_close(state);
}

static facefuse_status editor_prepare(const fu_processor_env *env, const void *settings, void **state, fu_err *err)
{
    fu_face_editor_settings s = *(const fu_face_editor_settings *)settings;
    fu_face_editor *fe = NULL;
    s.mask_blur = env->masker->blur;
    facefuse_status rc = fu_face_editor_open(env->ctx, &s, &fe, err);
    *state = fe;
    return rc;
}

static facefuse_status editor_process(fu_frame *f, fu_err *err)
{
    facefuse_status rc = FACEFUSE_OK;
    for (int i = 0; i < f->face_count && rc == FACEFUSE_OK; i++)
        rc = fu_face_editor_face(f->state, f->frame, &f->faces[i], NULL, err);
    return rc;
}

const fu_processor fu_face_editor_processor = {"face_editor", &editor_group, FU_NEEDS_FACES, editor_prepare,
                                               editor_process, editor_release, NULL, NULL};
