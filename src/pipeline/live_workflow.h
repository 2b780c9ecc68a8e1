/*
 * live_workflow.h — `facefuse live`: a camera through the processor chain
 * to a virtual camera, a stream or a recording, in real time.
 *
 * The live options (facefuse's own, ini section [live]) are owned here;
 * FaceFusion sets its webcam up in its UI only, with the resolutions and
 * rates kept as --webcam-resolution and --webcam-fps. The run is the chain
 * of the run config (swap, masks, colour match, enhancers; the source
 * identity computed once) on the faces a tracker follows (live settings:
 * One-Euro smoothing, no look-ahead), in the real-time loop of live_run.h:
 * newest frame always, drops counted, output timestamps = capture times.
 *
 * Face selection follows people (fu_chain_select with track ids): in `one`
 * mode (what the CLI uses unless told otherwise, as FaceFusion's webcam)
 * the face first chosen stays chosen while it is tracked; in `reference`
 * mode the reference face is the one at --reference-face-position on the
 * first camera frame from --reference-frame-number on that shows a face.
 */
#ifndef FU_LIVE_WORKFLOW_H
#define FU_LIVE_WORKFLOW_H

#include "core/option.h"
#include "pipeline/config.h"
#include "pipeline/live_run.h"

typedef struct fu_live_settings {
    const char *camera;          /* --camera: device, lavfi:…, URL or file */
    int camera_realtime;         /* a file camera at its own pace */
    int camera_loop;             /* a file camera starts again at its end */
    const char *output;          /* --live-output: v4l2:/dev/videoN, udp://, srt://, rtmp://, a file */
    const char *resolution;      /* --webcam-resolution WxH, NULL = the camera's own */
    int fps;                     /* --webcam-fps */
    const char *stats_path;      /* --live-stats FILE, "-" = stdout, NULL = none */
    int thread_spinning;         /* --live-thread-spinning: ORT's threads spin between frames */
    int width, height;           /* from resolution (0 = the camera's) */
    /* not options: set by a front end that shows the frames (the web UI) */
    fu_live_sink_fn sink;        /* each processed frame (live_run.h) */
    fu_live_stats_fn on_stats;   /* the figures of each second */
    void *sink_user;
} fu_live_settings;

extern const fu_option_group fu_live_options;

/* Processors FaceFusion skips on a stream (their pre_process refuses
 * 'stream'); a live run names them in its error. NULL when all can run. */
const char *fu_live_refused_processor(const fu_run_config *cfg);

/* Runs a live session until the camera ends or *cancel (Ctrl-C) is set —
 * both a normal end, FACEFUSE_OK, with a recording complete. A camera or
 * output that cannot be opened fails at once with one message naming it.
 * summary may be NULL. */
facefuse_status fu_run_live(facefuse_context *ctx, const fu_run_config *cfg, const fu_live_settings *live,
                            volatile int *cancel, fu_live_summary *summary, fu_err *err);

#endif
