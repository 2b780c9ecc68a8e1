/*
 * video_pipeline.c — the whole video workflow on clips with one face:
 * decode → SCRFD-2.5G detection + recognizer + swapper → encode (libx264),
 * through the same code as `facefuse headless-run`.
 *
 *   bench_video_pipeline MODEL_DIR [SECONDS] [PRESET]
 *
 * Prints, for 720p and 1080p: frames/s end to end; the model time per frame
 * (ONNX Runtime Run wall time summed over all calls / frames); the bound set
 * by model time alone with W workers running models side by side,
 * W / model-ms; and the ratio of the two. Then peak resident memory for a
 * 10-second and a 60-second 720p clip (each in its own process). MODEL_DIR
 * is a model cache with scrfd_2.5g.onnx, arcface_w600k_r50.onnx and
 * inswapper_128.onnx (the test suite's stand-ins work: build-test/test-models).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/image.h"
#include "core/geometry.h"
#include "infer/context.h"
#include "infer/ort.h"
#include "media/image_io.h"
#include "media/resize.h"
#include "media/video_writer.h"
#include "pipeline/config.h"
#include "media/video_reader.h"
#include "pipeline/video_workflow.h"

/* A clip of the Grace Hopper portrait drifting over a gradient. */
static int make_clip(const char *path, int w, int h, int frames)
{
    facefuse_image face = {0}, scaled = {0}, frame = {0};
    fu_video_writer *wr = NULL;
    fu_err err;
    char temp[600];
    snprintf(temp, sizeof temp, "%s.tmp.mp4", path);
    if (fu_image_read(FACEFUSE_SOURCE_DIR "/../shared/samples/grace_hopper.jpg", &face, &err) ||
        fu_resize(&face, &scaled, face.width * h / 1080, face.height * h / 1080))
        return 1;
    fu_video_writer_params p = {0};
    p.final_path = path;
    p.temp_path = temp;
    p.width = w;
    p.height = h;
    p.channels = 3;
    p.output_scale = 1;
    p.quality = 80;
    p.tb_num = 1;
    p.tb_den = 25;
    p.fps_num = 25;
    p.fps_den = 1;
    if (fu_video_writer_open(&wr, &p, &err) || fu_video_writer_start(wr, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    facefuse_image_alloc(&frame, w, h, 3);
    for (int i = 0; i < frames; i++) {
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                uint8_t *px = fu_pixel(&frame, x, y);
                px[0] = (uint8_t)(x * 255 / w);
                px[1] = (uint8_t)(y * 255 / h);
                px[2] = (uint8_t)(i * 3);
            }
        int ox = (w - scaled.width) / 2 + (int)(100 * (i % 50) / 50.0) - 50, oy = (h - scaled.height) / 2;
        for (int y = 0; y < scaled.height; y++)
            memcpy(fu_pixel(&frame, ox, oy + y), fu_pixel(&scaled, 0, y), (size_t)scaled.width * 3);
        if (fu_video_writer_write(wr, &frame, i, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
    }
    int rc = fu_video_writer_finish(wr, &err) != FACEFUSE_OK;
    fu_video_writer_free(wr);
    rename(temp, path);
    facefuse_image_free(&frame);
    facefuse_image_free(&face);
    facefuse_image_free(&scaled);
    return rc;
}

static const char *preset = "veryfast";

static int run(const char *model_dir, const char *clip, double *fps, double *model_ms, int *workers, int *frames)
{
    facefuse_context_params cp = facefuse_context_default_params();
    facefuse_context *ctx;
    fu_optset set;
    fu_run_config cfg;
    fu_err err;
    volatile int cancel = 0;
    fu_run_hooks hooks = {&cancel, NULL, NULL};
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    cp.model_dir = model_dir;
    cp.allow_download = 0;
    cp.log_level = FACEFUSE_LOG_ERROR;
    cp.execution_thread_count = 1; /* one intra-op thread a worker: workers = cores */
    if (facefuse_context_new(&cp, &ctx) != FACEFUSE_OK)
        return 1;
    char threads[16];
    snprintf(threads, sizeof threads, "%ld", cores);
    char *args[] = {"--face-detector-model", "scrfd", "--face-landmarker-score", "0", "--face-selector-mode", "many",
                    "--processors", "face_swapper", "--face-swapper-model", "inswapper_128", "-s",
                    FACEFUSE_SOURCE_DIR "/../shared/samples/astronaut.png", "-t", (char *)clip, "-o",
                    "/tmp/facefuse-bench-out.mp4", "--output-video-preset", (char *)preset,
                    "--execution-thread-count", threads};
    if (fu_run_config_from_args(&set, &cfg, (int)(sizeof args / sizeof args[0]), args, &err) != FACEFUSE_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    cfg.analysis.landmarker_model = NULL;
    cfg.analysis.landmark_5_to_68_model = NULL;
    cfg.target_is_video = 1;
    fu_video_info info;
    if (fu_video_probe(clip, &info, &err))
        return 1;
    int64_t ort0 = fu_ort_run_ns();
    double t0 = (fu_now_ns() / 1e9);
    if (fu_run_video(ctx, &cfg, &hooks, &err) != FACEFUSE_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    double wall = (fu_now_ns() / 1e9) - t0;
    *frames = (int)info.frame_count;
    *fps = info.frame_count / wall;
    *model_ms = (fu_ort_run_ns() - ort0) / 1e6 / info.frame_count;
    *workers = (int)cores;
    fu_run_config_free(&cfg);
    fu_optset_free(&set);
    facefuse_context_free(ctx);
    return 0;
}

static long peak_rss_kb(const char *model_dir, const char *clip)
{
    pid_t pid = fork();
    if (pid == 0) {
        double fps, ms;
        int w, n;
        _exit(run(model_dir, clip, &fps, &ms, &w, &n));
    }
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s MODEL_DIR [SECONDS]\n", argv[0]);
        return 2;
    }
    int seconds = argc > 2 ? atoi(argv[2]) : 4;
    if (argc > 3)
        preset = argv[3];
    printf("libx264 preset %s, quality 80 (crf 10)\n", preset);
    const int sizes[2][2] = {{1280, 720}, {1920, 1080}};
    printf("%-6s %7s %9s %13s %12s %7s\n", "clip", "frames", "fps", "model ms/frame", "model bound", "ratio");
    for (int s = 0; s < 2; s++) {
        char clip[256];
        double fps, ms;
        int workers, frames;
        snprintf(clip, sizeof clip, "/tmp/facefuse-bench-%dp.mp4", sizes[s][1]);
        if (make_clip(clip, sizes[s][0], sizes[s][1], seconds * 25) || run(argv[1], clip, &fps, &ms, &workers, &frames))
            return 1;
        double bound = workers * 1000.0 / ms;
        printf("%4dp  %7d %9.2f %13.2f %12.2f %7.2f\n", sizes[s][1], frames, fps, ms, bound, fps / bound);
    }
    if (make_clip("/tmp/facefuse-bench-10s.mp4", 1280, 720, 250) || make_clip("/tmp/facefuse-bench-60s.mp4", 1280, 720, 1500))
        return 1;
    long a = peak_rss_kb(argv[1], "/tmp/facefuse-bench-10s.mp4");
    long b = peak_rss_kb(argv[1], "/tmp/facefuse-bench-60s.mp4");
    printf("peak RSS 720p: 10 s clip %.1f MiB, 60 s clip %.1f MiB (%+.1f %%)\n", a / 1024.0, b / 1024.0,
           100.0 * (b - a) / a);
    return 0;
}
