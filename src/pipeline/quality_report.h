/*
 * quality_report.h — `--quality-report report.json|report.html`: how well
 * each frame came out, so a user finds the bad frames without watching the
 * whole video.
 *
 * Per frame: the faces processed; the identity similarity (cosine of the
 * recognizer's normalised embeddings, 1 = same identity) of each output
 * face to the source identity and to the original target face, the output
 * face read at the target face's landmarks; PSNR and SSIM of the frame
 * against the original outside the face masks (pixels no processor may
 * touch: an untouched outside has infinite PSNR); the landmark jitter
 * (second difference of the main face's landmarks over three frames,
 * relative to its eye distance: smooth motion scores 0, shaking scores
 * high). Frames whose lowest face similarity — to the source when there is
 * one, else to the target face — falls below the threshold are flagged and
 * listed. A .html report is one self-contained page: inline SVG charts of
 * the per-frame curves and the flagged frames as inline JPEG thumbnails,
 * no scripts, nothing fetched.
 *
 * Use: new → observe every processed frame (from any thread, in any order)
 * → finish (writes the report through fu_output) → free.
 */
#ifndef FU_QUALITY_REPORT_H
#define FU_QUALITY_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "core/option.h"

#define FU_QUALITY_MAX_FACES 8

typedef struct fu_quality_settings {
    const char *path;              /* --quality-report: the report, .json or .html */
    float threshold;               /* --quality-threshold: flag below this similarity (0.4) */
    const char *recognizer_model;  /* the run's recognizer (NULL = arcface_w600k_r50) */
    int faces_embedded;            /* the faces given to observe carry embeddings of that recognizer */
    int thumbnail_px;              /* width of a flagged frame's thumbnail (160) */
    int max_thumbnails;            /* thumbnails kept (60) */
} fu_quality_settings;

fu_quality_settings fu_quality_default_settings(void);

/* --quality-report, --quality-threshold (section quality_report); the other
 * fields keep their defaults when 0. */
extern const fu_option_group fu_quality_options;      /* into fu_quality_settings */

typedef struct fu_quality fu_quality;

/* source: the source identity's normalised embedding (source_dim values,
 * from the same recognizer), or NULL when the run has no source face. */
facefuse_status fu_quality_new(facefuse_context *ctx, const fu_quality_settings *s, const float *source,
                               int source_dim, fu_quality **out, fu_err *err);
void fu_quality_free(fu_quality *q);

/* One processed frame: original and output (same size, RGB or RGBA), the
 * faces the processors worked on (found in the original), optionally the
 * faces found in the output (for the jitter; NULL: the original's), and the
 * union of the face masks (1 channel, non-zero inside; NULL: the faces'
 * paste areas, fu_quality_face_mask). Thread-safe. */
facefuse_status fu_quality_observe(fu_quality *q, int64_t frame_index, const facefuse_image *original,
                                   const facefuse_image *output, const facefuse_face *faces, int face_count,
                                   const facefuse_face *output_faces, int output_face_count,
                                   const facefuse_image *mask, fu_err *err);

/* Writes the report to settings.path. */
facefuse_status fu_quality_finish(fu_quality *q, fu_err *err);

/* The area a face processor may change around each face: the aligned
 * 512-pixel FFHQ crop square mapped back to the frame, grown by 10 %.
 * *mask is allocated (1 channel, 255 inside). */
facefuse_status fu_quality_face_mask(const facefuse_face *faces, int count, int width, int height,
                                     facefuse_image *mask, fu_err *err);

/* ------------------------------------------------------------ for the writers */

typedef struct fu_quality_frame {
    int64_t index;
    int faces;
    int face_values;                                   /* faces with values below (≤ FU_QUALITY_MAX_FACES) */
    float identity_source[FU_QUALITY_MAX_FACES];       /* NAN without a source */
    float identity_target[FU_QUALITY_MAX_FACES];
    double psnr_outside, ssim_outside;                 /* INFINITY / NAN as image_metrics.h */
    double jitter;                                     /* NAN without three frames of the main face */
    int flagged;
    uint8_t *thumbnail;                                /* JPEG of a flagged frame, or NULL */
    size_t thumbnail_size;
    /* the main face's landmarks, for the jitter */
    int has_landmarks;
    float landmarks[5][2];
    float eye_distance;
} fu_quality_frame;

typedef struct fu_quality_stats {
    double mean, min, max;
    int64_t count;
} fu_quality_stats;

typedef struct fu_quality_result {
    const fu_quality_settings *settings;
    const char *recognizer;
    int has_source;
    const fu_quality_frame *frames;   /* in frame order */
    int64_t frame_count;
    int64_t faces;
    fu_quality_stats identity_source, identity_target, psnr, ssim, jitter;  /* psnr: finite values only */
    int64_t untouched_frames;         /* frames with infinite PSNR outside the masks */
    int64_t flagged;
} fu_quality_result;

/* The one-line lowest similarity of a frame used for flagging (NAN: no face). */
double fu_quality_frame_score(const fu_quality_result *r, const fu_quality_frame *f);

/* Writers (quality_report.c, quality_html.c). */
facefuse_status fu_quality_write_json(const fu_quality_result *r, FILE *out, fu_err *err);
facefuse_status fu_quality_write_html(const fu_quality_result *r, FILE *out, fu_err *err);

#endif
