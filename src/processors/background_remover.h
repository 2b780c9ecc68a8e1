/*
 * background_remover.h — FaceFusion's background_remover (15 models) plus
 * facefuse's own screen keyer (`chroma_key`) and background replacement.
 *
 * Per frame, as FaceFusion's remove_background:
 *   1. the mask (255 = keep): a model run on the whole frame, or the keyer
 *      (whose sampled screen colour is remembered for frames whose border
 *      hides the screen).
 *      Models: the frame scaled to the model's size (area when shrinking),
 *      RGB/255, (x − mean)/std, NCHW; corridor_key takes a fourth channel,
 *      FaceFusion's coarse matte 1 − clip(2·(G − max(R, B))) computed at
 *      frame size and scaled bilinearly. The first output is squeezed,
 *      clipped to 0..1, ×255 and truncated to bytes (u2net_cloth: the
 *      argmax over its classes, any class but 0 kept), then scaled to the
 *      frame bilinearly (OpenCV's INTER_LINEAR). corridor_key's second output
 *      (the unmixed foreground RGB, 0..1) and the keyer's foreground replace
 *      the frame's colours.
 *   2. despill (--background-remover-despill-color R G B A): each channel c
 *      moves toward min(c, mean of the other two) by A/255 · colour_c /
 *      max(R, G, B), truncated.
 *   3. the background: with a background image or video, frame·m + bg·(1 − m)
 *      (rounded); otherwise FaceFusion's fill: w = (1 − m)·A/255,
 *      frame·(1 − w) + fill·w, truncated (exact integer arithmetic).
 *   4. alpha: without a background picture and with fill alpha A < 255 the
 *      frame gets alpha min(alpha_in, max(m, A)) (an RGB frame becomes RGBA):
 *      A = 0 is a transparent background. Otherwise alpha is untouched.
 */
#ifndef FU_BACKGROUND_REMOVER_H
#define FU_BACKGROUND_REMOVER_H

#include <stdint.h>

#include "core/error.h"
#include "infer/ort.h"
#include "infer/registry.h"
#include "processors/chroma_key.h"

typedef enum fu_remover_type {
    FU_REMOVER_MASK = 0,      /* one mask output */
    FU_REMOVER_CLOTH,         /* class scores, argmax */
    FU_REMOVER_CORRIDOR,      /* RGB + coarse matte in; mask and foreground out */
    FU_REMOVER_CHROMA_KEY     /* facefuse's keyer, no model */
} fu_remover_type;

#define FU_BACKGROUND_REMOVER_DEFAULT_MODEL "modnet"

/* The type of a --background-remover-model name; -1 when unknown. */
int fu_background_remover_type(const char *model);
/* All model names, space-separated (FaceFusion's 15, then chroma_key). */
const char *fu_background_remover_models(void);

typedef struct fu_background_remover_settings {
    const char *model;               /* NULL = modnet */
    uint8_t fill_color[4];           /* R G B A, FaceFusion's default 0 0 0 0 */
    uint8_t despill_color[4];        /* R G B A, default 0 0 0 0 (off) */
    fu_chroma_key_settings key;      /* chroma_key only */
    const char *background_image;    /* replaces the background; NULL = none */
    const char *background_video;    /* looped; NULL = none (image and video exclusive) */
    int threads;                     /* per-frame threads for the pixel work; <= 1: one */
} fu_background_remover_settings;

fu_background_remover_settings fu_background_remover_defaults(void);

/* 1 when frames come out with alpha (a transparent or translucent
 * background): fill alpha < 255 and no background picture. Outputs must
 * then be able to carry alpha (png/webp; mov prores_ks, webm libvpx-vp9,
 * mkv ffv1). */
int fu_background_remover_makes_alpha(const fu_background_remover_settings *s);

/* ---------------------------------------------------------------- the processor */

typedef struct fu_background_remover fu_background_remover;

/* Checks the settings, loads the model (through the context's cache) and
 * opens the background picture. Errors name the bad setting or file. */
facefuse_status fu_background_remover_open(facefuse_context *ctx, const fu_background_remover_settings *s,
                                           fu_background_remover **out, fu_err *err);
void fu_background_remover_close(fu_background_remover *r);

/* Where the time of one frame went (accumulated into). */
typedef struct fu_background_remover_stats {
    int64_t pre_ns;    /* scaling, normalising, the coarse matte */
    int64_t run_ns;    /* the model (fu_session_run) */
    int64_t post_ns;   /* mask and foreground to frame size, keyer, despill, fill, alpha */
} fu_background_remover_stats;

/* Removes the background of *frame (RGB or RGBA) in place; *frame is
 * replaced by an RGBA image when alpha is made and it was RGB. time_s is the
 * frame's time in the target (for a background video). Thread-safe for
 * different frames. stats may be NULL. */
facefuse_status fu_background_remover_process(fu_background_remover *r, facefuse_image *frame, double time_s,
                                              fu_background_remover_stats *stats, fu_err *err);

/* ---------------------------------------------------------------- the steps, for tests and other callers */

/* The mask of frame from a model session (type MASK, CLOTH or CORRIDOR):
 * mask receives width·height bytes. For CORRIDOR, foreground (allocated,
 * frame-sized RGB) receives the model's foreground; pass NULL otherwise. */
facefuse_status fu_background_model_mask(fu_session *session, const fu_model_def *def, fu_remover_type type,
                                         const facefuse_image *frame, uint8_t *mask, facefuse_image *foreground,
                                         fu_background_remover_stats *stats, fu_err *err);

/* FaceFusion's apply_despill_color on the RGB channels. */
void fu_background_despill(facefuse_image *frame, const uint8_t color[4]);
/* FaceFusion's apply_fill_color on the RGB channels. */
void fu_background_fill(facefuse_image *frame, const uint8_t *mask, const uint8_t color[4]);
/* frame·m + background·(1 − m) on the RGB channels, rounded; background is
 * frame-sized RGB. */
void fu_background_replace(facefuse_image *frame, const uint8_t *mask, const facefuse_image *background);
/* alpha = min(alpha, max(m, floor)) on an RGBA frame. */
void fu_background_alpha(facefuse_image *frame, const uint8_t *mask, uint8_t floor);

#endif
