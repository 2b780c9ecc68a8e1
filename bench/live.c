/*
 * live.c — live mode end to end: output frames/s and capture→output latency
 * from a 30 fps camera, on this machine's cores.
 *
 *   bench_live [MODEL_DIR] [SECONDS] [MODEL_MS] [INTERVALS...]
 *
 * The camera is a generated clip (two faces a quarter of the frame high,
 * walking) played in real time and looped, at 640×360 and 1280×720. Each
 * frame goes through fu_live_session_run: the tracker (SCRFD-2.5G or YuNet,
 * landmark smoothing on) and a stand-in swapper per face — its CPU work
 * (aligned 128 px crop, box mask, paste back) plus MODEL_MS of sleep for the
 * model itself as if it ran on a GPU (default 0) — then libx264
 * (ultrafast, zerolatency) into a recording. For each detector interval
 * (default 1 and 4) it prints frames out per second, dropped frames, the
 * latency p50/p95/max and the CPU time spent per frame sent (all threads:
 * the frame's cost whatever else the machine runs; a session holds 30 fps
 * on two free cores only if this is well under 66 ms). The goal: 30 fps
 * held with p95 under 100 ms at 720p with YuNet.
 *
 * Every row runs twice: ONNX Runtime's threads spinning between Runs (its
 * default) and sleeping (session.intra_op.allow_spinning=0, what
 * `facefuse live` uses unless --live-thread-spinning), each on a fresh
 * context since the setting is fixed when a session opens.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "benchutil.h"
#include "facesclip.h"

#include "infer/context.h"

#include "pipeline/track_stage.h"

static double cpu_s(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

typedef struct swap_cost {
    double model_ms;
} swap_cost;

static facefuse_status standin_swap(void *user, facefuse_image *frame, const fu_track_frame *f, int *used,
                                    fu_err *err)
{
    const swap_cost *c = user;
    for (int i = 0; i < f->count; i++)
        fc_standin_swap(frame, &f->faces[i], c->model_ms);
    *used = f->count;
    return FACEFUSE_OK;
}

static void session(facefuse_context *ctx, const char *clip, const char *model, int interval, double seconds,
                    double model_ms, int height, int spin)
{
    swap_cost cost = {model_ms};
    fu_live_session s;
    fu_live_summary sum;
    fu_err err;
    memset(&s, 0, sizeof s);
    s.live.camera.source = clip;
    s.live.camera.realtime = 1;
    s.live.camera.loop = 1;
    s.live.output = "/tmp/facefuse-bench-live-out.mkv";
    s.live.max_seconds = seconds;
    s.analysis = facefuse_analysis_default_params();
    s.analysis.detector_model = model;
    s.analysis.landmarker_model = NULL;
    s.analysis.landmark_5_to_68_model = NULL;
    s.analysis.recognizer_model = NULL;
    s.track = fu_live_track_defaults();
    s.track.detector_interval = interval;
    s.apply = standin_swap;
    s.apply_user = &cost;
    double c0 = cpu_s();
    if (fu_live_session_run(ctx, &s, &sum, &err) != FACEFUSE_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return;
    }
    double cpu_ms = (cpu_s() - c0) * 1000 / (sum.frames_out > 0 ? sum.frames_out : 1);
    printf("  %4dp  %-5s  %8d  %-5s  %7.1f  %6.1f%%  %6.1f  %6.1f  %6.1f  %12.1f\n", height, model, interval,
           spin ? "spin" : "sleep", sum.fps_out,
           sum.frames_in ? 100.0 * sum.dropped / sum.frames_in : 0, sum.latency_p50_ms, sum.latency_p95_ms,
           sum.latency_max_ms, cpu_ms);
    fflush(stdout);
    remove(s.live.output);
}

int main(int argc, char **argv)
{
    char dir[512];
    double seconds = argc > 2 ? atof(argv[2]) : 6, model_ms = argc > 3 ? atof(argv[3]) : 0;
    int intervals[8] = {1, 4}, n_intervals = 2;
    static const int sizes[2][2] = {{640, 360}, {1280, 720}};
    if (argc > 4) {
        n_intervals = 0;
        for (int i = 4; i < argc && n_intervals < 8; i++)
            intervals[n_intervals++] = atoi(argv[i]);
    }
    if (bench_model_dir(argc, argv, dir, sizeof dir))
        return 1;
    printf("bench_live: %.0f s sessions from a 30 fps camera, stand-in swapper (CPU work + %.0f ms model sleep)\n",
           seconds, model_ms);
    printf("  size   det    interval  ort    fps out  dropped  p50 ms  p95 ms  max ms  CPU ms/frame\n");
    for (int r = 0; r < 2; r++) {
        char clip[256];
        snprintf(clip, sizeof clip, "/tmp/facefuse-bench-live-%dp.mp4", sizes[r][1]);
        if (!fc_make_clip(clip, sizes[r][0], sizes[r][1], 240, 30))
            return 1;
        const char *models[2] = {"scrfd", "yunet"};
        for (int m = 0; m < 2; m++)
            for (int k = 0; k < n_intervals; k++)
                for (int spin = 1; spin >= 0; spin--) {
                    if (m == 1 && intervals[k] != 1) /* YuNet detects every frame whatever the interval */
                        continue;
                    facefuse_context *ctx = bench_open_context(dir);
                    fu_context_set_no_spinning(ctx, !spin);
                    session(ctx, clip, models[m], intervals[k], seconds, model_ms, sizes[r][1], spin);
                    facefuse_context_free(ctx);
                }
        remove(clip);
    }
    return 0;
}
