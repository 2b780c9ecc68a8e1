/*
 * live_workflow.c — the live options and a live session through the
 * processor chain (see live_workflow.h).
 */
#include "pipeline/live_workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "infer/context.h"
#include "pipeline/chain.h"
#include "pipeline/track_stage.h"

#define L(field) offsetof(fu_live_settings, field)

static facefuse_status check_live(void *settings, fu_err *err)
{
    fu_live_settings *s = settings;
    int w = 0, h = 0;
    char tail = 0;
    s->width = s->height = 0;
    if (!s->resolution)
        return FACEFUSE_OK;
    if (sscanf(s->resolution, "%dx%d%c", &w, &h, &tail) != 2 || w < 16 || h < 16 || w > 7680 || h > 4320 ||
        w % 2 || h % 2)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "invalid value '%s' for --webcam-resolution (WIDTHxHEIGHT, even, 16x16 to 7680x4320, "
                       "e.g. 640x480 or 1280x720)", s->resolution);
    s->width = w;
    s->height = h;
    return FACEFUSE_OK;
}

static const fu_option live_options[] = {
    {.name = "--camera", .section = "live", .flags = FU_OPTF_FRONT, .type = FU_OPT_STRING, .def = "/dev/video0", .offset = L(camera),
     .help = "live input: a camera (/dev/video0), an FFmpeg device or graph (lavfi:testsrc2=size=1280x720:rate=30, "
             "x11grab::0.0), a stream URL (rtsp://, udp://, srt://, http://) or a video file"},
    {.name = "--camera-realtime", .section = "live", .flags = FU_OPTF_FRONT, .type = FU_OPT_BOOL, .offset = L(camera_realtime),
     .help = "a file or lavfi camera plays at its own pace (frames are dropped when processing falls behind); "
             "without it every frame is processed, as fast as it goes"},
    {.name = "--camera-loop", .section = "live", .flags = FU_OPTF_FRONT, .type = FU_OPT_BOOL, .offset = L(camera_loop),
     .help = "a file camera starts again at its end"},
    {.name = "--live-output", .section = "live", .flags = FU_OPTF_FRONT, .type = FU_OPT_STRING, .def = "udp://127.0.0.1:27000",
     .offset = L(output),
     .help = "where the live frames go: v4l2:/dev/videoN (a v4l2loopback virtual camera for OBS, Zoom, Meet), "
             "udp://HOST:PORT or srt:// (MPEG-TS, as FaceFusion streams), rtmp://… (FLV), or a file recording "
             "(.mkv, .mp4; complete after Ctrl-C)"},
    {.name = "--webcam-resolution", .section = "live", .flags = FU_OPTF_FRONT, .type = FU_OPT_STRING, .offset = L(resolution),
     .help = "frame size asked of the camera, frames scaled to cover it and centre-cropped (FaceFusion's "
             "320x240 640x480 800x600 1024x768 1280x720 1280x960 1920x1080, or any even WxH; default: the "
             "camera's own)"},
    {.name = "--webcam-fps", .section = "live", .flags = FU_OPTF_FRONT, .type = FU_OPT_INT, .def = "30", .min = 1, .max = 30, .step = 1,
     .offset = L(fps), .help = "frame rate asked of the camera (faster sources are thinned to it)"},
    {.name = "--live-stats", .section = "live", .flags = FU_OPTF_FRONT, .type = FU_OPT_STRING, .offset = L(stats_path),
     .help = "write one JSON line a second (frames in, out, dropped, latency p50/p95/max ms, faces) and a summary "
             "line at the end to FILE ('-': stdout)"},
    {.name = "--live-thread-spinning", .section = "live", .flags = FU_OPTF_FRONT, .type = FU_OPT_BOOL, .offset = L(thread_spinning),
     .help = "let ONNX Runtime's threads spin between frames, as it does by default, instead of sleeping "
             "while the camera delivers the next (off by default: sleeping threads took 35-46% less CPU a frame "
             "and left the rest of the pipeline the cores, bench_live on 2 cores)"},
    {0}};

const fu_option_group fu_live_options = {"live", "live", live_options, sizeof(fu_live_settings), check_live};

const char *fu_live_refused_processor(const fu_run_config *cfg)
{
    static const char *const refused[] = {"expression_restorer"};
    for (int i = 0; i < cfg->processors.n; i++)
        for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++)
            if (strcmp(cfg->processors.v[i], refused[k]) == 0)
                return refused[k];
    return NULL;
}

/* ------------------------------------------------------------ the session */

typedef struct live_chain {
    fu_chain *chain;
    int reference_pending;        /* reference mode: no reference face yet */
    int64_t reference_from;       /* --reference-frame-number, in camera frames */
    int64_t frames;
} live_chain;

/* The first frame from reference_from on that shows a face becomes the
 * reference frame (the camera has no frame chosen in advance). */
static facefuse_status take_reference(live_chain *lc, const facefuse_image *frame, const fu_track_frame *f,
                                      fu_err *err)
{
    if (!lc->reference_pending || f->count == 0 || lc->frames < lc->reference_from)
        return FACEFUSE_OK;
    lc->reference_pending = 0;
    fu_info("live: reference face taken from camera frame %lld", (long long)lc->frames);
    return fu_chain_set_reference(lc->chain, frame, err);
}

static facefuse_status apply_chain(void *user, facefuse_image *frame, const fu_track_frame *f, int *used,
                                   fu_err *err)
{
    live_chain *lc = user;
    fu_frame_faces faces;
    facefuse_status rc = take_reference(lc, frame, f, err);
    if (rc == FACEFUSE_OK)
        rc = fu_chain_select(lc->chain, f->faces, f->count, f->track_ids, &faces, err);
    if (rc != FACEFUSE_OK)
        return rc;
    rc = fu_chain_apply(lc->chain, frame, &faces, lc->frames++, err);
    *used = faces.selected_count;
    fu_frame_faces_free(&faces);
    return rc;
}

/* A chain whose processors need no faces (frame enhancer alone). */
static facefuse_status process_frame(void *user, facefuse_image *frame, double time_s, int *faces, fu_err *err)
{
    live_chain *lc = user;
    (void)time_s;
    *faces = 0;
    return fu_chain_process(lc->chain, frame, lc->frames++, NULL, err);
}

facefuse_status fu_run_live(facefuse_context *ctx, const fu_run_config *cfg, const fu_live_settings *live,
                            volatile int *cancel, fu_live_summary *summary, fu_err *err)
{
    fu_chain_target target = {1, live->fps > 0 ? live->fps : 30, 0};
    fu_live_session s;
    live_chain lc;
    const char *refused = fu_live_refused_processor(cfg);
    facefuse_status rc;

    if (refused)
        return fu_fail(err, FACEFUSE_ERR_UNSUPPORTED, "the %s processor does not run on a live stream (as in "
                       "FaceFusion); leave it out of --processors", refused);
    memset(&lc, 0, sizeof lc);
    fu_context_set_no_spinning(ctx, !live->thread_spinning); /* before any session opens */
    if ((rc = fu_chain_new(ctx, cfg, &target, &lc.chain, err)) != FACEFUSE_OK)
        return rc;
    lc.reference_pending = fu_chain_uses_faces(lc.chain) && cfg->selector.mode == FACEFUSE_SELECT_REFERENCE;
    lc.reference_from = cfg->selector_settings.reference_frame_number;

    memset(&s, 0, sizeof s);
    s.live.camera.source = live->camera;
    s.live.camera.width = live->width;
    s.live.camera.height = live->height;
    s.live.camera.fps = live->fps;
    s.live.camera.realtime = live->camera_realtime;
    s.live.camera.loop = live->camera_loop;
    s.live.output = live->output;
    s.live.stats_path = live->stats_path;
    s.live.cancel = cancel;
    s.live.sink = live->sink;
    s.live.on_stats = live->on_stats;
    s.live.sink_user = live->sink_user;
    s.analysis = *fu_chain_analysis(lc.chain);
    s.track = fu_track_settings_of(&cfg->tracker);
    if (fu_chain_uses_faces(lc.chain)) {
        s.apply = apply_chain;
        s.apply_user = &lc;
        rc = fu_live_session_run(ctx, &s, summary, err);
    } else { /* no face to find: frames straight through the chain */
        s.live.process = process_frame;
        s.live.process_user = &lc;
        rc = fu_live_run(&s.live, summary, err);
    }
    fu_chain_free(lc.chain);
    return rc;
}
