/*
 * config.h — everything one run needs to know, typed.
 *
 * The command line and the ini file fill a fu_run_config through the option
 * table (src/cli/options.c); the pipeline and the processors only read it.
 * Strings point into storage owned by whoever filled the config (the option
 * set) and outlive the run.
 */
#ifndef FU_CONFIG_H
#define FU_CONFIG_H

#include "facefuse.h"

#define FU_MAX_SOURCES 32
#define FU_MAX_PROCESSORS 8
#define FU_MAX_ITEMS 16

typedef struct fu_run_config {
    /* paths */
    const char *source_paths[FU_MAX_SOURCES];
    int source_count;
    const char *target_path;
    const char *output_path;
    const char *temp_path;
    int target_is_video;            /* set by the workflow: the reference frame differs from the target */

    /* analysis and selection */
    facefuse_analysis_params analysis;
    facefuse_selector_params selector;
    int reference_frame_number;

    /* processors, in order */
    const char *processors[FU_MAX_PROCESSORS];
    int processor_count;

    /* face_debugger */
    const char *debugger_items[FU_MAX_ITEMS];
    int debugger_item_count;

    /* face_swapper */
    const char *swapper_model;
    int swapper_pixel_boost;        /* 0 = model's size */
    float swapper_weight;

    /* face masker */
    const char *mask_types[4];
    int mask_type_count;
    float mask_blur;
    int mask_padding[4];            /* top right bottom left, percent */

    /* output */
    int output_image_quality;
    float output_image_scale;
    /* video output: encoder, quality, fps, scale, audio, trim (the public
     * struct, so the CLI and the C API describe a video run the same way;
     * its callbacks are unused here) */
    facefuse_video_params video;
    int execution_thread_count;
    const char *progress_mode;      /* "bar", "json", "none" */

    /* frame_enhancer */
    const char *frame_enhancer_model; /* NULL = span_kendata_x4 */
    int frame_enhancer_blend;       /* 0..100, share of the enhanced frame (FaceFusion default 80) */

    /* face masker: models and selections of the occlusion, region and area types */
    const char *occluder_model;     /* xseg_1 xseg_2 xseg_3 many (NULL = xseg_1) */
    const char *parser_model;       /* bisenet_resnet_18 bisenet_resnet_34 (NULL = 34) */
    const char *mask_regions[10];   /* none = all ten */
    int mask_region_count;
    const char *mask_areas[3];      /* none = all three */
    int mask_area_count;

    /* face blending (facefuse's own): colour transfer and paste mode */
    const char *color_match;        /* none reinhard histogram (NULL = none) */
    const char *blend_mode;         /* linear poisson (NULL = linear) */

    /* face_enhancer */
    const char *face_enhancer_model; /* NULL = gfpgan_1.4 */
    int face_enhancer_blend;        /* 0..100 (80) */
    float face_enhancer_weight;     /* CodeFormer's fidelity 0..1 (0.5) */
} fu_run_config;

#endif
