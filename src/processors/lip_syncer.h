/*
 * lip_syncer.h — re-drawing a face's mouth to follow a voice, as
 * FaceFusion's lip_syncer: wav2lip_96, wav2lip_gan_96 (default), edtalk_256.
 *
 * Per face: the face aligned to ffhq_512 at 512 px (its 5/68 landmarks),
 * the occlusion mask when the masker selects it, and the audio window (an
 * 80×16 mel window, lip_audio.h) turned into the model's feature:
 * clip(log10(max(x, 1e−5))·1.6 + 3.2, −4, 4), times weight·2 for wav2lip.
 *   wav2lip: the 68 landmarks mapped into the crop bound a box that is
 *     stretched to 96×96; the model sees it twice, in BGR/255, first with
 *     its lower half (rows 48..95) zeroed, then whole ([1, 6, 96, 96],
 *     input "target"; the audio is "source" [1, 1, 80, 16]). Its BGR output
 *     is stretched back over the box into the 512 crop, and pasted through
 *     the lower-face area mask (hull of points 3..13 and 31..35, softened)
 *     ∧ occlusion.
 *   edtalk: the crop shrunk to 256 (area), RGB/255 as "target"
 *     [1, 3, 256, 256], the audio as "source" [1, 1, 80, 16] and the weight
 *     as "weight" [1]; the RGB output enlarged to 512 (bicubic) is pasted
 *     through the box mask (the run's blur and padding) ∧ occlusion.
 * Inputs are bound by name as FaceFusion binds them (by shape when a file
 * names them otherwise). Weight 0 is not "off": wav2lip then hears an
 * all-zero feature and edtalk gets weight 0, and both still re-draw.
 * The paste leaves every pixel outside the mask byte-identical and keeps
 * alpha.
 *
 * The processor (fu_lip_syncer_processor, lip_syncer.c): --lip-syncer-model
 * and --lip-syncer-weight; the voice is the first audio file among the
 * sources (refused before any work when there is none), read at prepare
 * with --voice-extractor-model (lip_audio.h); each frame hears the window
 * at its time (fu_frame.time_s), an image target silence.
 */
#ifndef FU_LIP_SYNCER_H
#define FU_LIP_SYNCER_H

#include <stdint.h>

#include "core/error.h"
#include "processors/face_masker.h"

#define FU_LIP_SYNCER_DEFAULT_MODEL "wav2lip_gan_96"

typedef struct fu_lip_syncer_settings {
    const char *model;            /* NULL: wav2lip_gan_96 */
    float weight;                 /* --lip-syncer-weight, 0..1 (0.5) */
    float mask_blur;              /* --face-mask-blur: edtalk's box mask (0.3) */
    int mask_padding[4];          /* --face-mask-padding: edtalk's box mask (0 0 0 0) */
    const fu_face_masker *masker; /* borrowed; its occlusion is used when selected; NULL: none */
} fu_lip_syncer_settings;

/* FaceFusion's defaults: wav2lip_gan_96, weight 0.5, blur 0.3, no padding, no masker. */
fu_lip_syncer_settings fu_lip_syncer_default_settings(void);

/* Where the time of a face went, in nanoseconds (accumulated into). */
typedef struct fu_lip_timing {
    int64_t crop_ns;   /* align, crop, occlusion/box/area masks, the model's input */
    int64_t model_ns;  /* fu_session_run */
    int64_t paste_ns;  /* output back into the crop, paste-back */
} fu_lip_timing;

typedef struct fu_lip_syncer fu_lip_syncer;

/* 1 when name is one of the lip syncer models. */
int fu_lip_syncer_known(const char *name);

facefuse_status fu_lip_syncer_open(facefuse_context *ctx, const fu_lip_syncer_settings *s, fu_lip_syncer **out,
                                   fu_err *err);
void fu_lip_syncer_close(fu_lip_syncer *ls);

/* The model's input size (96 or 256). */
int fu_lip_syncer_size(const fu_lip_syncer *ls);

/* Syncs one face of frame (RGB or RGBA) to mel_window (FU_MEL_BANDS ×
 * FU_MEL_WINDOW raw mel values, e.g. fu_lip_audio_window; NULL: the empty
 * window). The face needs its 68 landmarks (a landmarker or fan_68_5).
 * timing may be NULL. Read-only on ls: threads may share it. */
facefuse_status fu_lip_syncer_sync_face(const fu_lip_syncer *ls, facefuse_image *frame, const facefuse_face *face,
                                        const float *mel_window, fu_lip_timing *timing, fu_err *err);

/* The model's audio feature from a mel window, as above (out: 80×16). */
void fu_lip_syncer_audio_feature(const fu_lip_syncer *ls, const float *mel_window, float *out);

#endif
