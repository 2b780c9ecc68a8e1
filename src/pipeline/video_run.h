/*
 * video_run.h — runs a frame processor over a whole video target.
 *
 * One decode thread → bounded ring → N worker threads calling process() →
 * the calling thread encodes and muxes frames strictly in order, with the
 * target's audio interleaved. Memory is bounded by the ring whatever the
 * video length: 2 × threads + 2 frames (plus the analysis look-ahead), fewer
 * when that many frames (at the size processing makes them) would pass the
 * memory budget. The output appears under its name only when complete; any
 * failure or cancel leaves nothing behind.
 *
 * Optional ordered analysis: when `analyse` is set, one analysis thread sees
 * every decoded frame in frame order before any worker may take it (a face
 * tracker needs frames in sequence), and `release` hands over, again in
 * order, what the workers need for a frame (its faces) once `analyse` has
 * seen `analyse_lookahead` frames past it. That per-frame data travels in
 * the frame's slot to `process_analysed`, and `free_data` frees it. Frames
 * are still decoded once, analysed once and processed in parallel: decode →
 * analyse → processors → encode, no back and forth. Without `analyse`
 * nothing changes.
 */
#ifndef FU_VIDEO_RUN_H
#define FU_VIDEO_RUN_H

#include <stdint.h>

#include "core/error.h"

/* Processes one frame in place (or replaces *frame via facefuse_image
 * functions; a different size is scaled to the output size). Called from
 * worker threads, concurrently. */
typedef facefuse_status (*fu_frame_fn)(void *user, facefuse_image *frame, int64_t frame_index,
                                       fu_err *err);
/* The same with the frame's presentation time: seconds after the first
 * frame processed (the trim start), from its timestamp. */
typedef facefuse_status (*fu_timed_frame_fn)(void *user, facefuse_image *frame, int64_t frame_index,
                                             double time_s, fu_err *err);

/* The ordered stage. analyse: every frame, in order, on one thread; time_s
 * is the frame's presentation time from the stream start. release: in order,
 * the data of frame_index (may stay NULL). */
typedef facefuse_status (*fu_analyse_fn)(void *user, const facefuse_image *frame, int64_t frame_index,
                                         double time_s, fu_err *err);
typedef facefuse_status (*fu_release_fn)(void *user, int64_t frame_index, void **frame_data, fu_err *err);
/* A worker's processing when there is an ordered stage: the frame, its
 * presentation time (as fu_timed_frame_fn's) and the data `release` gave it
 * (still owned by the run). */
typedef facefuse_status (*fu_analysed_frame_fn)(void *user, facefuse_image *frame, int64_t frame_index,
                                                double time_s, void *frame_data, fu_err *err);

typedef struct fu_video_job {
    const char *target_path, *output_path;
    const char *audio_path;          /* NULL, or an audio file replacing the soundtrack */
    int64_t trim_start, trim_end;    /* frame numbers, [start, end); -1 = none */
    const char *video_encoder;       /* NULL = libx264 */
    const char *video_preset;        /* NULL = veryfast */
    int video_quality;               /* 0–100 */
    double output_fps;               /* 0 = keep the target's timestamps (VFR stays VFR) */
    double output_scale;             /* 0 or 1.0 = target size */
    const char *audio_encoder;       /* NULL = copy when possible, else first accepted */
    int audio_quality;               /* 0–100 */
    int audio_volume;                /* 0 = no audio, 1–99 re-encodes with gain, 100 */
    int thread_count;                /* workers processing frames in parallel; 0 = 1 */
    int require_alpha;               /* 1: the frames' alpha must reach the output (the writer refuses
                                      * an encoder/container without alpha before encoding) */
    fu_frame_fn process;             /* NULL = frames pass unchanged */
    fu_timed_frame_fn process_at;    /* used instead of process when set */
    void *process_user;
    /* The optional ordered stage (see above); all NULL for none. */
    fu_analyse_fn analyse;
    fu_release_fn release;           /* required with analyse */
    int analyse_lookahead;           /* frames analysed past a frame before its release, 0..64 */
    void *analyse_user;              /* for analyse, release and free_data */
    fu_analysed_frame_fn process_analysed; /* instead of process when set; process_user */
    void (*free_data)(void *user, void *frame_data); /* NULL: free() */
    /* Called from the calling thread after each written frame. */
    void (*progress)(void *user, int64_t done, int64_t total, double fps);
    void *progress_user;
    volatile int *cancel;            /* non-zero stops the run within a second */
    int frame_scale;                 /* processing enlarges frames this many times (a frame enhancer); 0 = 1 */
    int64_t memory_budget_bytes;     /* frames in flight stay under this; 0 = FU_VIDEO_MEMORY_BUDGET */
    const char *provenance;          /* tag for the container (pipeline/provenance.h); NULL = none */
    /* Segmented output (pipeline/resume.h): target frames
     * [piece_start[i], piece_start[i + 1]) go to piece_paths[i], each a
     * complete file that appears when its last frame is written, starting
     * with a keyframe and keeping the target's timestamps. output_path is
     * then unused; trim_start/trim_end must be piece_start[0] and
     * piece_start[piece_count]. Not with output_fps or an .avi piece. */
    int piece_count;
    const int64_t *piece_start;      /* [piece_count + 1] */
    const char *const *piece_paths;  /* [piece_count] */
    void (*piece_done)(void *user, int piece); /* after piece i is committed; may be NULL */
    void *piece_user;
} fu_video_job;

/* Default memory for frames in flight (the ring). */
#define FU_VIDEO_MEMORY_BUDGET (512LL << 20)

/* Ring slots for frames of frame_bytes each: 2 × workers + 2, at most
 * budget / frame_bytes, at least 2. */
int fu_video_ring_capacity(int64_t frame_bytes, int workers, int64_t budget_bytes);

/* Checks, before any frame is decoded or model loaded, that the output can
 * be written as the run would write it: the target opens, the output size
 * is within the image limits, and the container takes the video encoder and
 * the audio (copied or encoded) — the writer is opened and its header
 * written to /dev/null. An audio_path that does not exist or is not a
 * regular file fails here (FACEFUSE_ERR_NOT_FOUND or
 * FACEFUSE_ERR_INVALID_ARGUMENT); audio that is there but cannot be decoded
 * only warns (the output is then silent, as FaceFusion). */
facefuse_status fu_video_preflight(const fu_video_job *job, fu_err *err);

/* A job with FaceFusion's defaults (quality 80, veryfast, volume 100, 4 threads). */
fu_video_job fu_video_job_default(void);

/* Fills the job's paths, encoding, audio, trim, threads and cancel flag from
 * the public video parameters (not its callbacks). */
void fu_video_job_from_params(fu_video_job *job, const char *target_path, const char *output_path,
                              const facefuse_video_params *params);

/* Runs the job. FACEFUSE_ERR_CANCELLED when *cancel became non-zero. */
facefuse_status fu_video_run(const fu_video_job *job, fu_err *err);

/* Ready-made progress callbacks. user: a fu_progress_state (or NULL for a
 * shared one; one run at a time). The bar goes to stderr, only on a TTY;
 * the JSON mode prints {"frames":..,"total":..,"fps":..,"eta_s":..} to
 * stdout once a second and once at the end. */
typedef struct fu_progress_state {
    double last_print_s;
    int finished;
    int closed;       /* the JSON stream could not be written (a closed pipe): no more progress */
} fu_progress_state;

void fu_video_progress_bar(void *user, int64_t done, int64_t total, double fps);
void fu_progress_json(void *user, int64_t done, int64_t total, double fps);

#endif
