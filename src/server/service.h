/*
 * service.h — what the HTTP server needs from the processing pipeline, as a
 * table of functions, so the server can be built and tested on its own (the
 * tests use a fake) and the real pipeline plugs in without the server
 * knowing it.
 *
 * Options travel as a step's {option: [words]} JSON (pipeline/jobs/job_args.h):
 * the server puts the uploaded files' workspace paths in --source-paths and
 * --target-path (and --output-path for a job) and the page's option values
 * beside them. Buffers the service returns are malloc'd; the server frees
 * them (fu_service_image_free, fu_service_faces_free).
 *
 * Threads: options, validate, probe, frame, preview and faces are called one
 * at a time (the server serialises them); run_step is called from the job
 * worker threads, concurrently with those and, with --ui-job-concurrency > 1,
 * with itself. The pipeline's service is server/pipeline_service.h.
 */
#ifndef FU_SERVICE_H
#define FU_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "pipeline/jobs/job_runner.h"

typedef struct fu_service_image {
    unsigned char *data;        /* an encoded image (JPEG, PNG or WebP), malloc'd */
    size_t size;
    char mime[32];              /* "image/jpeg" */
} fu_service_image;

typedef struct fu_service_media {
    char kind[8];               /* "image", "video" or "audio" */
    int width, height;          /* 0 for audio */
    int64_t frame_count;        /* 1 for an image, 0 for audio */
    double fps;                 /* 0 for images and audio */
    double duration_s;
} fu_service_media;

typedef struct fu_service_face {
    float box[4];               /* x1 y1 x2 y2 in frame pixels */
    float score;                /* detector score */
    fu_service_image thumbnail; /* the face cropped, for the reference gallery */
} fu_service_face;

typedef struct fu_service {
    void *user;
    /* Every option the page may set, as a JSON array (malloc'd text) of
     *   {"name": "--face-swapper-model", "group": "processors" (the --help
     *    group), "module": "face_swapper" (the table's owner),
     *    "type": "string|int|float|bool|list", "choices": [..] | null,
     *    "min": n|null, "max": n|null, "step": n|null, "default": value|null,
     *    "help": "...", "multiple": bool}
     * with the defaults the program was started with. Path options
     * (--source-paths, --target-path, --output-path), job options and the
     * program's own are not listed. */
    facefuse_status (*options)(void *user, char **json, fu_err *err);
    /* Checks a step's options: an unknown option or a bad value is
     * FACEFUSE_ERR_INVALID_ARGUMENT with a message naming the option. When
     * step_json is not NULL it receives (malloc'd) the complete step to
     * store: the program's defaults with the request's values over them
     * (pipeline/jobs/job_step.h). */
    facefuse_status (*validate)(void *user, const char *args_json, char **step_json, fu_err *err);
    /* What an uploaded file is (FACEFUSE_ERR_DECODE when unreadable). */
    facefuse_status (*probe)(void *user, const char *path, fu_service_media *media, fu_err *err);
    /* Frame `frame` of an image or video, unprocessed, encoded. */
    facefuse_status (*frame)(void *user, const char *path, int64_t frame, fu_service_image *image, fu_err *err);
    /* Frame `frame` of --target-path processed with the step's options
     * (no --output-path), encoded; as FaceFusion's preview resolution, a
     * frame larger than max_px on a side is first scaled down to fit
     * (0 = full size). */
    facefuse_status (*preview)(void *user, const char *args_json, int64_t frame, int max_px, fu_service_image *image,
                               fu_err *err);
    /* The faces of frame `frame` of --target-path, in the order
     * --reference-face-position counts them (the detector and selector
     * options of args_json apply). *faces malloc'd. */
    facefuse_status (*faces)(void *user, const char *args_json, int64_t frame, fu_service_face **faces, int *count,
                             fu_err *err);
    /* Runs one job step (see job_runner.h). */
    fu_job_step_fn run_step;
    /* As preview, FaceFusion's face-by-face mode: each selected face's crop
     * of the frame before and after processing, side by side, a row per
     * face. May be NULL (the preview answers 501). */
    facefuse_status (*preview_faces)(void *user, const char *args_json, int64_t frame, int max_px,
                                     fu_service_image *image, fu_err *err);
} fu_service;

void fu_service_image_free(fu_service_image *image);
void fu_service_faces_free(fu_service_face *faces, int count);

#endif
