/*
 * frame_colorizer.h — FaceFusion's frame_colorizer: a whole-frame model
 * predicts colour from the frame's grey, and the prediction is merged with
 * the original's lightness in CIE Lab, then blended with the original.
 *
 * Per frame, as FaceFusion's colorize_frame:
 *   - grey: OpenCV's BGR2GRAY, (4899·R + 9617·G + 1868·B + 2¹³) >> 14;
 *   - ddcolor: the grey as Lab L with a = b = 0, back to RGB floats in 0..1
 *     (the grey itself over 255, to float rounding); deoldify: the grey as
 *     RGB floats 0..255. Scaled to size × size (--frame-colorizer-size;
 *     area when shrinking), three equal planes, NCHW;
 *   - ddcolor predicts a, b [1,2,S,S]; they are scaled to the frame
 *     bilinearly and joined with the original's L; deoldify predicts an RGB
 *     image [1,3,S,S] (0..255, truncated to bytes as FaceFusion does), whose
 *     a, b (computed at the model's size, then scaled bilinearly) are
 *     joined with the original's L. Lab → RGB, clipped, rounded;
 *   - blend: round(original·(1 − blend/100) + colour·blend/100).
 * Alpha is kept. Differences from FaceFusion: deoldify's lightness is the
 * original's L* (FaceFusion's code reads the frame's blue channel as the
 * 8-bit L, which darkens mid-greys, 128 → 119), and its a, b are taken at
 * the model's size rather than after scaling (the same up to the scaling's
 * smoothing; a ×12 smaller conversion).
 */
#ifndef FU_FRAME_COLORIZER_H
#define FU_FRAME_COLORIZER_H

#include "core/error.h"
#include "infer/ort.h"

typedef enum fu_colorizer_type { FU_COLORIZER_DDCOLOR = 0, FU_COLORIZER_DEOLDIFY = 1 } fu_colorizer_type;

#define FU_FRAME_COLORIZER_DEFAULT_MODEL "ddcolor"

/* The type of a --frame-colorizer-model name; -1 when unknown. */
int fu_frame_colorizer_type(const char *model);
/* All model names, space-separated. */
const char *fu_frame_colorizer_models(void);

typedef struct fu_frame_colorizer_settings {
    const char *model;    /* NULL = ddcolor */
    int size;             /* 192, 256, 384 or 512 (FaceFusion's "256x256" → 256); default 256 */
    int blend;            /* 0..100, default 100 */
    int threads;          /* per-frame threads for the colour merge; <= 1: one */
} fu_frame_colorizer_settings;

fu_frame_colorizer_settings fu_frame_colorizer_defaults(void);
/* Parses FaceFusion's "256x256" (or "256"); 0 when not one of the sizes. */
int fu_frame_colorizer_parse_size(const char *text);
facefuse_status fu_frame_colorizer_check(const fu_frame_colorizer_settings *s, fu_err *err);

typedef struct fu_frame_colorizer_stats {
    int64_t pre_ns, run_ns, post_ns;
} fu_frame_colorizer_stats;

/* Colorizes frame (RGB or RGBA) in place with an open session of a model of
 * that type. stats may be NULL. */
facefuse_status fu_frame_colorize(fu_session *session, fu_colorizer_type type, const fu_frame_colorizer_settings *s,
                                  facefuse_image *frame, fu_frame_colorizer_stats *stats, fu_err *err);

/* The processor: the settings checked and the model loaded through ctx. */
typedef struct fu_frame_colorizer fu_frame_colorizer;
facefuse_status fu_frame_colorizer_open(facefuse_context *ctx, const fu_frame_colorizer_settings *s,
                                        fu_frame_colorizer **out, fu_err *err);
void fu_frame_colorizer_close(fu_frame_colorizer *c);
facefuse_status fu_frame_colorizer_process(fu_frame_colorizer *c, facefuse_image *frame,
                                           fu_frame_colorizer_stats *stats, fu_err *err);

#endif
