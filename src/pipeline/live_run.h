/*
 * live_run.h — the real-time loop of live mode: camera → process → output.
 *
 * Three threads and two one-frame mailboxes, so no queue can grow:
 *   capture  reads the camera and leaves the newest frame in the first
 *            mailbox, replacing (and counting as dropped) one not yet taken;
 *   process  (the calling thread) always takes the newest frame, runs the
 *            frame callback (analysis + processors) on it and leaves the
 *            result in the second mailbox, again replacing an unsent one;
 *   output   encodes and sends (live_output.h) with the frame's capture time
 *            as its timestamp, so the output never drifts from the camera.
 * A file read without --camera-realtime is not paced: then nothing is
 * dropped, the reader waits for the processing instead (every frame, as
 * fast as it goes).
 *
 * Latency is measured per frame from its arrival at the capture to the end
 * of its output write. With stats_path, one JSON line a second:
 *   {"time_s":3.00,"frames_in":30,"frames_out":21,"dropped":9,"fps_out":21.0,
 *    "latency_ms":{"p50":88.1,"p95":97.0,"max":101.2},"faces":1}
 * (counts over that second; faces on the last processed frame), and at the
 * end one summary line with "summary":true and the totals.
 * A cancel (Ctrl-C) stops the capture, lets the frame in hand finish and the
 * output flush — a recording is complete and under its final name — and is
 * a normal end (FACEFUSE_OK, summary.cancelled).
 */
#ifndef FU_LIVE_RUN_H
#define FU_LIVE_RUN_H

#include <stdint.h>

#include "core/error.h"
#include "media/capture.h"

/* Processes one camera frame in place (RGB); time_s is its capture time in
 * seconds from the start (increasing). *faces: the faces it worked on (for
 * the stats; may be left alone). Called on one thread, frames in order. */
typedef facefuse_status (*fu_live_frame_fn)(void *user, facefuse_image *frame, double time_s, int *faces,
                                            fu_err *err);

/* Receives each processed frame (RGB) once the output has it, on the
 * output thread; arrived_ns is its arrival at the capture (fu_now_ns), for
 * measuring latency. The frame is only lent for the call. */
typedef void (*fu_live_sink_fn)(void *user, const facefuse_image *frame, double time_s, int64_t arrived_ns);

struct fu_live_summary;
/* The figures of the second that just ended (what a stats line prints:
 * frames_in/out, dropped, fps_out, latency p50/p95/max, faces; seconds =
 * the span), once a second, on the processing thread. */
typedef void (*fu_live_stats_fn)(void *user, const struct fu_live_summary *window);

typedef struct fu_live_job {
    fu_capture_params camera;    /* its cancel is set to the job's */
    const char *output;          /* --live-output; NULL: frames are processed and counted only */
    const char *stats_path;      /* --live-stats FILE, "-" for stdout; NULL: none */
    fu_live_frame_fn process;    /* NULL: frames pass unchanged */
    void *process_user;
    volatile int *cancel;        /* set non-zero to end the session (Ctrl-C) */
    double max_seconds;          /* > 0: end after this long */
    int64_t max_frames;          /* > 0: end after this many frames out */
    fu_live_sink_fn sink;        /* NULL: none (e.g. the web UI's stream: every frame out also goes here) */
    fu_live_stats_fn on_stats;   /* NULL: none */
    void *sink_user;             /* for sink and on_stats */
} fu_live_job;

typedef struct fu_live_summary {
    double seconds;                              /* session length */
    int64_t frames_in, frames_out, dropped;      /* captured, sent, never sent */
    double fps_out;
    double latency_p50_ms, latency_p95_ms, latency_max_ms;
    int faces;                                   /* on the last processed frame */
    int cancelled;
} fu_live_summary;

/* Runs a session until the camera ends, the limits are reached or cancel.
 * A failure (camera lost, output refused, callback error) also finishes
 * the output first; its status is returned. summary may be NULL. */
facefuse_status fu_live_run(const fu_live_job *job, fu_live_summary *summary, fu_err *err);

#endif
