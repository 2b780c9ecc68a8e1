/*
 * face_editor.h — FaceFusion's face_editor: moves a face's eyebrows, gaze,
 * eyelids, lips, mouth and head with LivePortrait (live_portrait.h).
 *
 * Per face: the 5/68 landmarks scaled ×1.5 about the nose are aligned to
 * ffhq_512 at 512², shrunk to 256². From the motion extractor's output:
 *   target = pose(original angles, expression)               (the crop now)
 *   expression += the sliders' per-keypoint deltas (eye gaze, mouth grim,
 *                 position, pout, purse, smile, eyebrow; each slider adds
 *                 a fixed amount per unit to named keypoint axes, with
 *                 different keypoints for its positive and negative side),
 *                 then clamped to LivePortrait's bounds
 *   angles      = pitch − 20·head_pitch, yaw − 60·head_yaw,
 *                 roll + 15·head_roll, limited as FaceFusion's limit_angle
 *   source      = pose(edited angles, edited expression)
 *               + |eye_open_ratio| · eye retargeter(target, the 68-point
 *                 eye ratios, goal 0 when closing / 0.6 when opening)
 *               + |lip_open_ratio| · lip retargeter(target, lip ratio,
 *                 goal 0 / 1)
 *   source      = stitcher(source, target)
 * and the generator renders source from target; the crop is pasted under
 * the box mask alone (--face-mask-blur, no padding), as in FaceFusion.
 *
 * All fourteen sliders at 0 leave the frame untouched (FaceFusion still
 * regenerates the face, softening it for no edit).
 */
#ifndef FU_FACE_EDITOR_H
#define FU_FACE_EDITOR_H

#include "core/error.h"
#include "processors/live_portrait.h"

/* The sliders, each in −1..1 (FaceFusion's step 0.05), default 0. */
typedef struct fu_face_editor_settings {
    const char *model;                /* --face-editor-model: "live_portrait" */
    float eyebrow_direction;          /* --face-editor-eyebrow-direction */
    float eye_gaze_horizontal;        /* --face-editor-eye-gaze-horizontal */
    float eye_gaze_vertical;          /* --face-editor-eye-gaze-vertical */
    float eye_open_ratio;             /* --face-editor-eye-open-ratio */
    float lip_open_ratio;             /* --face-editor-lip-open-ratio */
    float mouth_grim;                 /* --face-editor-mouth-grim */
    float mouth_pout;                 /* --face-editor-mouth-pout */
    float mouth_purse;                /* --face-editor-mouth-purse */
    float mouth_smile;                /* --face-editor-mouth-smile */
    float mouth_position_horizontal;  /* --face-editor-mouth-position-horizontal */
    float mouth_position_vertical;    /* --face-editor-mouth-position-vertical */
    float head_pitch;                 /* --face-editor-head-pitch */
    float head_yaw;                   /* --face-editor-head-yaw */
    float head_roll;                  /* --face-editor-head-roll */
    float mask_blur;                  /* --face-mask-blur: 0..1, default 0.3 */
} fu_face_editor_settings;

fu_face_editor_settings fu_face_editor_default_settings(void);

typedef struct fu_face_editor fu_face_editor;

/* Checks the settings, loads the six models. */
facefuse_status fu_face_editor_open(facefuse_context *ctx, const fu_face_editor_settings *settings,
                                    fu_face_editor **out, fu_err *err);
void fu_face_editor_close(fu_face_editor *fe);

/* Edits one face of frame (RGB or RGBA, alpha kept). timing may be NULL. */
facefuse_status fu_face_editor_face(const fu_face_editor *fe, facefuse_image *frame, const facefuse_face *face,
                                    fu_lp_timing *timing, fu_err *err);

/* ---------------------------------------------------------------- arithmetic */

/* The seven expression sliders' deltas added to expression (not clamped). */
void fu_face_editor_edit_expression(const fu_face_editor_settings *s, fu_lp_points expression);

/* The head sliders applied to angles[3] (pitch, yaw, roll) and limited. */
void fu_face_editor_edit_angles(const fu_face_editor_settings *s, const float original[3], float edited[3]);

/* The 5 landmarks FaceFusion crops the face editor by: ×1.5 about the nose. */
void fu_face_editor_landmarks(const facefuse_point landmark_5[5], facefuse_point out[5]);

/* Source and target keypoints of a crop whose motion is m (runs the
 * retargeters when their sliders are not 0, and the stitcher). */
facefuse_status fu_face_editor_keypoints(const fu_face_editor *fe, const fu_lp_motion *m,
                                         const facefuse_point landmark_68[68], fu_lp_points source,
                                         fu_lp_points target, fu_err *err);

#endif
