/*
 * watermark.h — marks on output frames that say they were made with
 * facefuse: a visible text label, and an invisible keyed watermark that
 * survives re-encoding at normal quality (x264 crf 23) and rescaling.
 *
 * Invisible mark (watermark_invisible.c): the frame's luma is averaged
 * down to a fixed 256×256 canonical grid, cut into 8×8 blocks, and the 15
 * DCT coefficients of every block with u + v = 3..5 (N = 15360) are pushed
 * along a keyed ±1 pattern, spread spectrum. The pattern lives on the
 * canonical grid, so it scales with the frame: at 1080p one canonical block
 * is 60×34 pixels, frequencies a video codec keeps. Embedding is informed
 * (it measures the frame's own correlation with the pattern and adds just
 * enough for a target strength) and dithered (adds integers whose mean is
 * the real-valued pattern). Detection needs only the key: the strength is
 * the normalised correlation of the coefficients with the pattern times
 * sqrt(N). For a frame without the mark it is a sum of the frame's
 * coefficients under independent random signs, so by Hoeffding's bound
 * P(strength > t) <= exp(-t²/2) whatever the picture: the threshold 6 gives
 * at most 1.5e-8 false positives a frame. Embedded at strength 14 (about
 * 43 dB PSNR), measured 10-13 after x264 crf 23 and 50 % scaling of 720p
 * and 1080p pictures (bench/studio.c, tests/processors/test_watermark.c).
 * Crops, rotations and aspect changes destroy the canonical grid and with
 * it the mark.
 *
 * One fu_watermark serves all frames of a run, from several threads.
 */
#ifndef FU_WATERMARK_H
#define FU_WATERMARK_H

#include "core/error.h"
#include "core/option.h"

#define FU_WATERMARK_THRESHOLD 6.0   /* strength above which the mark is present */
#define FU_WATERMARK_STRENGTH 14.0   /* strength the embedder aims for */
#define FU_WATERMARK_KEY "facefuse"

typedef struct fu_watermark_settings {
    const char *text;            /* --watermark-text: visible label; NULL or "" = none */
    const char *position;        /* --watermark-position: top-left top-right bottom-left bottom-right center
                                    (NULL = bottom-right) */
    int opacity;                 /* --watermark-opacity: 0..100 (NULL-equivalent 0 → 60) */
    int invisible;               /* --watermark-invisible: embed the invisible mark */
    const char *key;             /* its key (NULL = FU_WATERMARK_KEY, what provenance-check looks for) */
    double strength;             /* target strength (0 = FU_WATERMARK_STRENGTH) */
} fu_watermark_settings;

fu_watermark_settings fu_watermark_default_settings(void);

/* --watermark-text, -position, -opacity, -invisible, -key (section watermark). */
extern const fu_option_group fu_watermark_options;    /* into fu_watermark_settings */

typedef struct fu_watermark fu_watermark;

/* NULL *out (and FACEFUSE_OK) when the settings ask for no mark. */
facefuse_status fu_watermark_new(const fu_watermark_settings *s, fu_watermark **out, fu_err *err);
void fu_watermark_free(fu_watermark *wm);
/* Marks an RGB or RGBA frame in place (invisible first, then the label). */
facefuse_status fu_watermark_apply(fu_watermark *wm, facefuse_image *frame, fu_err *err);

/* The visible label alone. */
void fu_watermark_draw_text(facefuse_image *frame, const char *text, const char *position, int opacity);

/* Strength of the invisible mark of key (NULL = default) in an image. */
facefuse_status fu_watermark_detect(const char *key, const facefuse_image *image, double *strength, fu_err *err);

#endif
