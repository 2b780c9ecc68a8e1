/*
 * processor.h — the processors and their table.
 *
 * A processor is one entry in a table: its name (as FaceFusion's
 * --processors), its option group (its options and the settings struct they
 * fill: the processor owns both), what it needs the chain to provide, a
 * prepare run once before any frame (models present and valid, sources
 * usable), and a frame function; optionally a pre-check of its settings
 * against the target and output (before any work) and whether its frames
 * carry alpha the output must keep. Faces are analysed once a frame, before
 * the chain, and shared by every processor.
 *
 * Adding a processor = its files + one entry in processor.c's table.
 */
#ifndef FU_PROCESSOR_H
#define FU_PROCESSOR_H

#include <stdint.h>

#include "core/error.h"
#include "core/option.h"
#include "processors/face_masker.h"

/* What the chain must provide a processor. */
enum {
    FU_NEEDS_FACES = 1u << 0,      /* the frame's faces (detection, landmarks) */
    FU_NEEDS_IDENTITY = 1u << 1,   /* faces with embeddings (the recognizer) */
    FU_NEEDS_AGE = 1u << 2,        /* faces with gender/age/race (the classifier) */
    FU_NEEDS_ORIGINAL = 1u << 3    /* the frame as it was before the chain */
};

/* What a processor's prepare sees of the run. */
typedef struct fu_processor_env {
    facefuse_context *ctx;
    fu_strs source_paths;                     /* -s: images, an audio file */
    const facefuse_analysis_params *analysis; /* the run's detector/landmarker (recognizer set when used) */
    const fu_masker_settings *masker;         /* the run's face masker and blending */
    int target_is_video;
    double target_fps;                        /* 0 for an image */
    int64_t trim_frame_start;                 /* first frame processed (0 when not trimmed) */
    const char *voice_extractor_model;        /* --voice-extractor-model (NULL: kim_vocal_2) */
} fu_processor_env;

/* What a processor sees of one frame. `frame` is RGB or RGBA and is changed
 * in place (or replaced, e.g. enlarged); `faces` are the selected target
 * faces in the frame's current coordinates. */
typedef struct fu_frame {
    facefuse_context *ctx;
    facefuse_image *frame;
    const facefuse_face *faces;
    int face_count;
    const facefuse_face *all_faces;  /* every detected face, before selection */
    int all_face_count;
    /* FU_NEEDS_ORIGINAL: the frame before the chain and the selected faces
     * in its coordinates (same order as faces); NULL otherwise. */
    const facefuse_image *original;
    const facefuse_face *original_faces;
    int64_t frame_index;             /* in the target (0 for an image) */
    void *state;                     /* the processor's prepared state */
    /* Presentation time, seconds after the first frame processed (the
     * first kept by a trim): what a processor that follows the audio reads
     * (0 for an image). */
    double time_s;
} fu_frame;

/* What a processor's pre-check sees of the run: enough to refuse settings
 * that cannot work with this target and output before any model is loaded
 * or frame decoded. */
typedef struct fu_processor_target {
    const char *target_path;
    const char *output_path;         /* resolved (a directory already joined with the target's name) */
    int is_video;
    const char *video_encoder;       /* --output-video-encoder; NULL = the default (libx264) */
    int drop_alpha;                  /* --temp-pixel-format bgr24 */
    fu_strs source_paths;            /* -s */
} fu_processor_target;

typedef struct fu_processor {
    const char *name;
    const fu_option_group *options;  /* its options; settings_size bytes of settings */
    unsigned needs;                  /* FU_NEEDS_* */
    /* Once before the run: load/verify models, prepare per-run state (e.g.
     * the source identity). *state is freed with release. May be NULL. */
    facefuse_status (*prepare)(const fu_processor_env *env, const void *settings, void **state, fu_err *err);
    facefuse_status (*process)(fu_frame *f, fu_err *err);
    void (*release)(void *state);
    /* Before any work, for the processors in --processors: refuses settings
     * this target and output cannot take (one line naming the options).
     * May be NULL. */
    facefuse_status (*check)(const void *settings, const fu_processor_target *t, fu_err *err);
    /* 1 when these settings make frames with an alpha channel the output
     * must keep (e.g. a transparent background). May be NULL (never). */
    int (*makes_alpha)(const void *settings);
} fu_processor;

/* The processor named `name`, or NULL. */
const fu_processor *fu_processor_find(const char *name);
/* The table, in --help order; *count receives its length. */
const fu_processor *const *fu_processor_all(int *count);
/* FaceFusion's eleven processor names, space-separated (--processors' choices). */
const char *fu_processor_names(void);

/* Option groups of FaceFusion's processors that facefuse does not have yet:
 * each option refused by name with that reason. */
extern const fu_option_group fu_pending_processor_options;

#endif
