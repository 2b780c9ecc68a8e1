/*
 * test_video_workflow_tracks_faces.c — an ordinary video run (headless-run's
 * fu_run_target, face debugger on the shared clip's first 20 frames) finds
 * its faces with the tracker:
 * - with --face-detector-interval 5 the tracker sees every frame and runs the
 *   full detector on fewer than half of them (every 5th, plus when unsure);
 * - with --face-detector-interval 1 it runs the detector on every frame.
 */
#include <string.h>

#include "configlib.h"
#include "pipeline/run.h"
#include "testlib.h"

static fu_run_result run_with(facefuse_context *ctx, const char *extra, const char *out_name)
{
    char args[2048];
    tl_config c;
    fu_run_result res;
    fu_err err;
    memset(&res, 0, sizeof res);
    snprintf(args, sizeof args,
             "-t %s -o %s --trim-frame-end 20 --face-detector-model scrfd --face-selector-mode many "
             "--face-landmarker-score 0 --output-video-encoder ffv1 %s",
             tl_shared("samples/grace_hopper_zoom_2s.mp4"), tl_tmp(out_name), extra);
    fu_run_config *cfg = tl_config_init(&c, args);
    facefuse_status rc = fu_run_target(ctx, cfg, NULL, &res, &err);
    CHECK(rc == FACEFUSE_OK, "%s: %s", extra, err.msg);
    tl_config_free(&c);
    printf("  %s: %lld frames tracked, %lld full detections\n", extra, (long long)res.tracked_frames,
           (long long)res.full_detections);
    return res;
}

static void interval_5_detects_on_fewer_frames(void)
{
    facefuse_context *ctx = tl_context();
    fu_run_result r5 = run_with(ctx, "--processors face_debugger --face-detector-interval 5", "i5.mkv");
    fu_run_result r1 = run_with(ctx, "--processors face_debugger --face-detector-interval 1", "i1.mkv");
    CHECK(r5.tracked_frames == 20, "interval 5: the tracker saw %lld of 20 frames", (long long)r5.tracked_frames);
    CHECK(r5.full_detections >= 4 && r5.full_detections < 10, "interval 5: %lld full detections in 20 frames",
          (long long)r5.full_detections);
    CHECK(r1.tracked_frames == 20 && r1.full_detections == 20, "interval 1: %lld detections in %lld frames",
          (long long)r1.full_detections, (long long)r1.tracked_frames);
    facefuse_context_free(ctx);
}

int main(void)
{
    RUN(interval_5_detects_on_fewer_frames);
    return tl_finish();
}
