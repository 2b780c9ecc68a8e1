/*
 * track.h — faces followed from frame to frame, for videos and live input.
 *
 * Detecting every face from scratch on every frame is most of the analysis
 * time on a CPU and makes landmarks jitter. A fu_tracker takes the frames of
 * one video in order and keeps a track per face:
 *
 * - The full detector (the run's detector, angles and margins) runs every
 *   `detector_interval` frames, and at once whenever tracking is unsure: a
 *   track not found where it should be, a scene cut (the frame's 32×18 grey
 *   thumbnail differs from the last by more than `cut_threshold` levels on
 *   average), or, with a recognizer, two tracks overlapping.
 * - In between, each face is looked for only in a square region around where
 *   its track predicts it (last box + velocity, twice the face size plus the
 *   motion), cut from the detector's own downscaled frame on the detector's
 *   32-pixel grid, so a region sees exactly the pixels and anchors the full
 *   detector saw there: a 192-pixel region costs about a tenth of a 640
 *   detection. yolo_face and "many" take only a 640 input; they track with
 *   scrfd regions and apply scrfd's motion (per point, since the last full
 *   detection) to their own landmarks, so the two detectors' habits never
 *   mix. YuNet (also 640 only) is itself cheaper than two scrfd regions
 *   (bench_track_video), so with it the full detector runs on every frame.
 *   `region_detector` overrides the choice.
 * - Detections join tracks by box overlap (IoU above `tracker_score`, or
 *   0.2 when that is 0) with the velocity-predicted box; with a recognizer,
 *   embeddings decide when overlap alone is ambiguous, and a detection that
 *   joins no live track may take back a lost track of the same person
 *   (distance under 0.3). The embedding and classification (gender, age,
 *   race) belong to the track: computed when a track starts, when overlap is
 *   ambiguous and at least once a second, and carried on every other frame,
 *   so `reference` selection sees the same identity for the same person.
 *   At detector interval 1 every face of every frame is analysed in full,
 *   as without tracking: with smoothing and refill off, the faces are
 *   exactly those of detecting each frame on its own.
 *   Landmarks (68-point models) run on every face of every frame as set.
 * - FaceFusion's --face-tracker-score with --target-frame-amount k: when a
 *   track is missed and found again, the frames in between get faces
 *   interpolated between the two detections (box and landmarks; identity of
 *   the nearer one), for each frame whose ±k window holds both ends, as
 *   FaceFusion's refill. This needs k frames of look-ahead, so results come
 *   out k frames after their frame went in (live runs use k = 0).
 *   fu_tracker_lookahead says how many frames in all.
 * - With smoothing on, each track's geometry is smoothed as results come
 *   out (face/smooth.h): for files without lag, by a straight line fitted
 *   through the `smooth_window` frames on each side (this much look-ahead);
 *   live, by a One-Euro filter. A cut or a track restart starts afresh.
 *
 * Use: push frames in order, pop results in order. Not thread-safe (one
 * video, one thread); model sessions are the context's, shared as usual.
 */
#ifndef FU_TRACK_H
#define FU_TRACK_H

#include <stdint.h>

#include "core/error.h"
#include "face/face_options.h"
#include "face/smooth.h"

typedef struct fu_track_settings {
    int detector_interval;     /* full detection every N frames, >= 1 (1: every frame) */
    float tracker_score;       /* --face-tracker-score 0..0.5: IoU to link; > 0 also refills */
    int frame_amount;          /* --target-frame-amount: refill window ±k, 0..10 */
    int live;                  /* no look-ahead: refill off */
    int smoothing;             /* smooth each track's geometry */
    int smooth_window;         /* files: frames each side of the line fit, 1..10 (3) */
    fu_smooth_settings smooth; /* live: the One-Euro filter */
    float cut_threshold;       /* mean grey-level difference of a scene cut (24) */
    const char *region_detector; /* NULL: automatic (above); else "scrfd" or "retinaface" */
} fu_track_settings;

/* Interval 1, no refill, no smoothing: what detecting every frame gives. */
fu_track_settings fu_track_default_settings(void);

/* The settings the run's options describe (--face-detector-interval,
 * --face-landmark-smoothing, --face-tracker-score, --target-frame-amount);
 * live is left 0. */
fu_track_settings fu_track_settings_of(const fu_face_tracker_settings *o);

typedef enum fu_face_origin {
    FU_FACE_DETECTED = 0,      /* full detector on this frame */
    FU_FACE_TRACKED = 1,       /* found in its track's region */
    FU_FACE_REFILLED = 2       /* interpolated between two detections */
} fu_face_origin;

/* The faces of one frame, as popped. Arrays of `count`, malloc'd; free with
 * fu_track_frame_clear. */
typedef struct fu_track_frame {
    int64_t frame_index;
    double time_s;
    facefuse_face *faces;
    int *track_ids;            /* stable per person while tracked, from 1 */
    unsigned char *origins;    /* fu_face_origin */
    int count;
    int full_detection;        /* the full detector ran on this frame */
} fu_track_frame;

void fu_track_frame_clear(fu_track_frame *f);

typedef struct fu_tracker fu_tracker;

/* analysis: the run's detection and analysis settings (copied; its strings
 * must outlive the tracker). */
facefuse_status fu_tracker_new(facefuse_context *ctx, const facefuse_analysis_params *analysis,
                               const fu_track_settings *settings, fu_tracker **out, fu_err *err);
void fu_tracker_free(fu_tracker *t);

/* Frames a result lags behind its push (the refill window, or 0). */
int fu_tracker_lookahead(const fu_tracker *t);

/* Analyses the next frame (RGB or RGBA) of the sequence; time_s is its
 * presentation time in seconds. */
facefuse_status fu_tracker_push(fu_tracker *t, const facefuse_image *frame, int64_t frame_index,
                                double time_s, fu_err *err);

/* Takes the oldest frame whose result is final (`lookahead` frames have
 * been pushed after it, or flush is set at the end): 1 and *out filled, or
 * 0 when none is ready. */
int fu_tracker_pop(fu_tracker *t, int flush, fu_track_frame *out);

/* Counters since creation, for benchmarks and stats. */
typedef struct fu_track_stats {
    int64_t frames, full_detections, region_detections, embeddings, lost, cuts, refilled;
} fu_track_stats;

fu_track_stats fu_tracker_stats(const fu_tracker *t);

#endif
