/*
 * frame_enhancer.h — FaceFusion's frame_enhancer: a super-resolution model
 * run over the whole frame in tiles, then blended with the plainly resized
 * original. The frame grows by the model's scale.
 *
 * Tiling follows FaceFusion's create_tile_frames/merge_tile_frames for a
 * model's (size, pad, overlap): the frame is surrounded by `pad` zero pixels,
 * cut into size×size tiles that step by size − 2·overlap, each tile's output
 * loses overlap·scale pixels on every side, and the kept centres abut
 * exactly. Tiles are read from the frame and written into the output one at
 * a time, so memory beyond the output image is one tile's tensors.
 * Input RGB / 255, NCHW; output × 255, clipped and rounded.
 */
#ifndef FU_FRAME_ENHANCER_H
#define FU_FRAME_ENHANCER_H

#include "core/error.h"
#include "infer/ort.h"

typedef struct fu_tile_config {
    const char *model;   /* FaceFusion's model name */
    int scale;           /* output pixels per input pixel */
    int size;            /* tile side fed to the model */
    int pad;             /* zero border around the frame */
    int overlap;         /* context discarded from each tile side */
} fu_tile_config;

/* The tile configuration of a frame enhancer model, or NULL. */
const fu_tile_config *fu_frame_enhancer_config(const char *model);
/* How many times the model (NULL: the default span_kendata_x4) enlarges a
 * frame; 1 for an unknown name. */
int fu_frame_enhancer_scale(const char *model);
/* The same for the processor's settings (fu_run_config_processor_settings(cfg,
 * "frame_enhancer")); 1 when settings is NULL. */
int fu_frame_enhancer_settings_scale(const void *settings);

/* What fu_frame_enhance did (accumulated into; pass NULL to skip). */
typedef struct fu_frame_enhance_stats {
    int tiles;
    int64_t fill_ns;   /* building tile tensors */
    int64_t run_ns;    /* wall time of fu_session_run (OrtRun and its tensor copies) */
    int64_t store_ns;  /* writing tile centres into the output */
} fu_frame_enhance_stats;

/* out = enhance(in) blended with resize(in): out is allocated, in's width
 * and height × scale, with in's channels (alpha is resized, not enhanced).
 * blend 0..100 is the share of the enhanced image; 0 skips the model. */
facefuse_status fu_frame_enhance(fu_session *session, const fu_tile_config *tc,
                                 const facefuse_image *in, int blend, facefuse_image *out,
                                 fu_frame_enhance_stats *stats, fu_err *err);

#endif
