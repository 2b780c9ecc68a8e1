/*
 * config.h — everything one run needs to know, typed, as the option tables
 * describe it.
 *
 * A run configuration is built from an option set (command line, ini, a
 * stored job step, a web form) by fu_run_config_init: each module's option
 * group fills that module's settings — the run's own (paths, output,
 * workflow), the face analysis and selection, the face masker, and every
 * processor's settings struct, which only that processor reads. Strings
 * point into the option set, which must outlive the config.
 */
#ifndef FU_CONFIG_H
#define FU_CONFIG_H

#include "core/option.h"
#include "face/face_options.h"
#include "infer/context_options.h"
#include "pipeline/provenance.h"
#include "pipeline/quality_report.h"
#include "pipeline/resume.h"
#include "processors/face_masker.h"
#include "processors/watermark.h"
#include "processors/voice_extractor.h"

#define FU_MAX_PROCESSOR_KINDS 16

typedef struct fu_paths_settings {
    fu_strs source_paths;            /* images, and an audio file */
    const char *target_path;
    const char *output_path;
    const char *temp_path;
} fu_paths_settings;

typedef struct fu_output_settings {
    int image_quality;               /* 0..100 */
    float image_scale;               /* 0.25..8 */
    const char *audio_encoder;       /* NULL = copy when possible */
    int audio_quality;
    int audio_volume;
    const char *video_encoder;       /* NULL = libx264 */
    const char *video_preset;
    int video_quality;
    float video_scale;
    float video_fps;                 /* 0 = the target's */
    int trim_frame_start;            /* -1 = none */
    int trim_frame_end;              /* -1 = none */
    const char *temp_pixel_format;   /* bgra keeps alpha, bgr24 drops it */
    const char *workflow_mode;       /* auto image-to-image image-to-video */
} fu_output_settings;

typedef struct fu_run_config {
    fu_paths_settings paths;
    fu_analysis_settings analysis_settings;
    facefuse_analysis_params analysis;   /* from analysis_settings */
    fu_selector_settings selector_settings;
    facefuse_selector_params selector;   /* from selector_settings */
    int selector_gender_auto, selector_race_auto;
    fu_face_tracker_settings tracker;    /* videos: faces followed between frames */
    fu_masker_settings masker;
    fu_voice_settings voice;             /* --voice-extractor-model (lip_syncer's audio) */
    fu_output_settings output;
    fu_context_settings context;
    fu_provenance_settings provenance;   /* --output-provenance */
    fu_watermark_settings watermark;     /* --watermark-* */
    fu_quality_settings quality;         /* --quality-report, --quality-threshold */
    fu_resume_settings resume;           /* --resume, --resume-checkpoint */
    const fu_optset *set;                /* what the config was built from (fu_run_config_fingerprint) */
    fu_strs processors;                  /* the chain, in order */
    /* Each processor's settings, indexed as fu_processor_all() (malloc'd,
     * owned by the config). */
    void *processor_settings[FU_MAX_PROCESSOR_KINDS];
    int target_is_video;                 /* set by the workflow */
} fu_run_config;

/* The option groups a run is described by, in FaceFusion's --help order
 * (front ends add their own). *count receives the number. */
const fu_option_group *const *fu_run_option_groups(int *count);

/* Fills cfg from the set, which must hold every group of
 * fu_run_option_groups. Errors name the option. */
facefuse_status fu_run_config_init(fu_run_config *cfg, const fu_optset *set, fu_err *err);
void fu_run_config_free(fu_run_config *cfg);

/* Initialises set over fu_run_option_groups, parses option words (argv
 * style, no command) into it and builds cfg: what a test, a benchmark or a
 * stored job step does. Free set (also on failure) and cfg afterwards. */
facefuse_status fu_run_config_from_args(fu_optset *set, fu_run_config *cfg, int argc, char **argv, fu_err *err);

/* The settings of the processor named `name` (NULL when unknown). */
const void *fu_run_config_processor_settings(const fu_run_config *cfg, const char *name);

/* A hash of every option that changes the output's frames (set away from
 * its default, except paths of outputs, logging, execution and the front
 * ends' own), as 16 hex digits: a resumed render continues only when it
 * matches. */
void fu_run_config_fingerprint(const fu_run_config *cfg, char out[17]);

/* 1 when a processor in the chain makes frames with alpha the output must
 * keep (a transparent background). */
int fu_run_config_makes_alpha(const fu_run_config *cfg);

/* The public video parameters the output settings describe (callbacks unset). */
facefuse_video_params fu_run_video_params(const fu_run_config *cfg);

#endif
