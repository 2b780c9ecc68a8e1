/*
 * studio.c — what segmented rendering, provenance marks and the quality
 * report cost:
 *   1. segment overhead on a generated 10-minute 720p clip (x264, aac):
 *      planning (indexing the target), the join with its piece checks
 *      (demux only, and decoding every frame), and the extra decoding a
 *      worker does to reach its segment, against a single pass-through
 *      render of the same clip;
 *   2. speed-up of 3 local worker processes against one process, with a
 *      CPU-bound frame step (the invisible watermark), on this machine's
 *      cores (printed: the speed-up cannot exceed the core count);
 *   3. cost per 1080p frame of the quality report (observe: two
 *      recognizer runs per face with the shipped mobilefacenet, PSNR and
 *      SSIM outside the masks) and of the invisible watermark (embed,
 *      detect).
 *
 * usage: bench_studio [--quick] [--only 1|2|3]   (--quick: a 1-minute clip)
 * The clip is kept in /tmp/facefuse-bench-studio/ between runs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../tests/media/video_testutil.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/image.h"
#include "core/log.h"
#include "media/image_io.h"
#include "media/resize.h"
#include "media/video_concat.h"
#include "media/video_index.h"
#include "media/video_reader.h"
#include "pipeline/quality_report.h"
#include "pipeline/segment.h"
#include "pipeline/video_run.h"
#include "processors/watermark.h"

#define DIR "/tmp/facefuse-bench-studio"

static double now_s(void)
{
    return fu_now_ns() / 1e9;
}

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int make_clip(const char *path, int seconds)
{
    if (fu_file_exists(path))
        return 0;
    vt_clip c = vt_clip_default();
    c.width = 1280;
    c.height = 720;
    c.fps = 25;
    c.frames = seconds * 25;
    c.gop = 250;
    printf("generating %s (%d s of 720p at 25 fps)...\n", path, seconds);
    fflush(stdout);
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s.tmp.mp4", path);
    if (vt_make_clip(tmp, &c) != 0)
        return -1;
    return rename(tmp, path);
}

static fu_video_job passthrough(const char *target, const char *out)
{
    fu_video_job job = fu_video_job_default();
    job.target_path = target;
    job.output_path = out;
    job.video_preset = "ultrafast";
    job.video_quality = 60;
    job.thread_count = 2;
    return job;
}

/* ------------------------------------------------------------ 1. segments */

static void bench_segments(const char *clip, int segments)
{
    fu_err err;
    fu_video_index ix;
    fu_segment_plan plan;
    char single[256], joined[256];
    snprintf(single, sizeof single, "%s/single.mkv", DIR);
    snprintf(joined, sizeof joined, "%s/joined.mp4", DIR);

    double t0 = now_s();
    if (fu_video_index_build(clip, &ix, &err) != FACEFUSE_OK || fu_segment_plan_make(&ix, segments, &plan, &err)) {
        fprintf(stderr, "plan: %s\n", err.msg);
        exit(1);
    }
    double plan_s = now_s() - t0;

    fu_video_job job = passthrough(clip, single);
    job.audio_volume = 0;
    t0 = now_s();
    if (fu_video_run(&job, &err) != FACEFUSE_OK) {
        fprintf(stderr, "single: %s\n", err.msg);
        exit(1);
    }
    double single_s = now_s() - t0;

    char **paths = calloc((size_t)plan.count, sizeof *paths);
    int64_t *starts = calloc((size_t)plan.count, sizeof *starts), *frames = calloc((size_t)plan.count, sizeof *frames);
    double pieces_s = 0;
    for (int k = 0; k < plan.count; k++) {
        paths[k] = malloc(256);
        snprintf(paths[k], 256, "%s/piece-%d.mkv", DIR, k);
        job = passthrough(clip, paths[k]);
        job.audio_volume = 0;
        job.trim_start = plan.segments[k].start;
        job.trim_end = plan.segments[k].end;
        starts[k] = plan.segments[k].start;
        frames[k] = plan.segments[k].end - plan.segments[k].start;
        t0 = now_s();
        if (fu_video_run(&job, &err) != FACEFUSE_OK) {
            fprintf(stderr, "piece %d: %s\n", k, err.msg);
            exit(1);
        }
        pieces_s += now_s() - t0;
    }

    /* decoding a worker does before its segment: every frame before it */
    fu_video_reader *r = NULL;
    int64_t decoded = 0;
    t0 = now_s();
    if (fu_video_reader_open(&r, clip, 2, &err) == FACEFUSE_OK) {
        for (int got = 1; got;) {
            int64_t pts;
            if (fu_video_reader_next(r, NULL, &pts, &got, &err) != FACEFUSE_OK)
                break;
            decoded += got;
        }
        fu_video_reader_close(r);
    }
    double decode_fps = decoded / (now_s() - t0);
    int64_t skipped = 0;
    for (int k = 0; k < plan.count; k++)
        skipped += plan.segments[k].start;

    double concat_s[2];
    for (int decode = 0; decode < 2; decode++) {
        fu_concat_params cp;
        memset(&cp, 0, sizeof cp);
        cp.output_path = joined;
        cp.pieces = (const char *const *)paths;
        cp.piece_count = plan.count;
        cp.piece_start = starts;
        cp.piece_frames = frames;
        cp.timing = &ix;
        cp.audio.path = clip;
        cp.audio.volume = 100;
        cp.check_decode = decode;
        t0 = now_s();
        if (fu_video_concat(&cp, &err) != FACEFUSE_OK) {
            fprintf(stderr, "concat: %s\n", err.msg);
            exit(1);
        }
        concat_s[decode] = now_s() - t0;
    }
    printf("\n1. segment overhead, %lld frames of 720p (%.0f s), %d segments, 2 threads a process\n",
           (long long)ix.count, fu_video_index_seconds(&ix, ix.count), plan.count);
    printf("   plan (index the target by demuxing)        %7.2f s\n", plan_s);
    printf("   concat, pieces checked by demuxing          %7.2f s\n", concat_s[0]);
    printf("   concat, pieces checked by decoding (default)%7.2f s\n", concat_s[1]);
    printf("   workers' decoding up to their segments      %7.2f s  (%lld frames at %.0f frames/s, summed over workers)\n",
           skipped / decode_fps, (long long)skipped, decode_fps);
    printf("   single pass-through render (x264 ultrafast) %7.2f s; the %d pieces one after another %.2f s\n", single_s,
           plan.count, pieces_s);
    printf("   overhead plan + concat: %.1f %% of the pass-through render; against a face swap at 10 frames/s "
           "(%.0f s) %.2f %%\n",
           100 * (plan_s + concat_s[1]) / single_s, ix.count / 10.0, 100 * (plan_s + concat_s[1]) / (ix.count / 10.0));
    for (int k = 0; k < plan.count; k++)
        free(paths[k]);
    free(paths);
    free(starts);
    free(frames);
    fu_segment_plan_free(&plan);
    fu_video_index_free(&ix);
}

/* ------------------------------------------------------------ 2. workers */

static facefuse_status watermark_step(void *user, facefuse_image *frame, int64_t index, fu_err *err)
{
    (void)index;
    return fu_watermark_apply(user, frame, err);
}

/* Renders [start, end) of clip with the watermark step, in this process. */
static int render_range(const char *clip, const char *out, int64_t start, int64_t end, int threads)
{
    fu_watermark_settings s = fu_watermark_default_settings();
    fu_watermark *wm = NULL;
    fu_err err;
    s.invisible = 1;
    if (fu_watermark_new(&s, &wm, &err) != FACEFUSE_OK)
        return 1;
    fu_video_job job = passthrough(clip, out);
    job.trim_start = start;
    job.trim_end = end;
    job.thread_count = threads;
    job.process = watermark_step;
    job.process_user = wm;
    int rc = fu_video_run(&job, &err) != FACEFUSE_OK;
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    fu_watermark_free(wm);
    return rc;
}

/* Wall time of `workers` processes each rendering an equal share. */
static double run_workers(const char *clip, int64_t frames, int workers, int threads)
{
    double t0 = now_s();
    pid_t pids[8];
    for (int w = 0; w < workers; w++) {
        pids[w] = fork();
        if (pids[w] == 0) {
            char out[256];
            snprintf(out, sizeof out, "%s/worker-%d.mkv", DIR, w);
            _exit(render_range(clip, out, frames * w / workers, frames * (w + 1) / workers, threads));
        }
    }
    int failed = 0;
    for (int w = 0; w < workers; w++) {
        int status;
        waitpid(pids[w], &status, 0);
        failed |= !WIFEXITED(status) || WEXITSTATUS(status);
    }
    if (failed)
        fprintf(stderr, "a worker failed\n");
    return now_s() - t0;
}

static void bench_workers(const char *clip)
{
    int64_t frames = 750; /* 30 s */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    double one = run_workers(clip, frames, 1, (int)cores);
    double three = run_workers(clip, frames, 3, (int)cores);
    double three_single = run_workers(clip, frames, 3, 1);
    double one_single = run_workers(clip, frames, 1, 1);
    printf("\n2. local workers, %lld frames of 720p with the invisible watermark as the frame step, %ld cores\n",
           (long long)frames, cores);
    printf("   1 process, %ld threads:       %6.2f s (%5.1f frames/s)\n", cores, one, frames / one);
    printf("   3 processes, %ld threads each: %6.2f s (%5.1f frames/s)  speed-up %.2fx\n", cores, three,
           frames / three, one / three);
    printf("   1 process, 1 thread:         %6.2f s (%5.1f frames/s)\n", one_single, frames / one_single);
    printf("   3 processes, 1 thread each:  %6.2f s (%5.1f frames/s)  speed-up %.2fx over 1 thread\n", three_single,
           frames / three_single, one_single / three_single);
    printf("   (with %ld cores no arrangement of processes can go more than %ldx faster than one thread; a single\n"
           "    process already uses every core, so local segments pay off only for resuming, not for speed)\n",
           cores, cores);
}

/* ------------------------------------------------------------ 3. per-frame costs */

static void bench_frame_costs(void)
{
    fu_err err;
    facefuse_context_params p = facefuse_context_default_params();
    facefuse_context *ctx = NULL;
    /* the shipped small models, scrfd under FaceFusion's file name */
    char models[512], shared[512], link_path[700], target[700];
    snprintf(shared, sizeof shared, "%s/../shared/models", FACEFUSE_SOURCE_DIR);
    snprintf(models, sizeof models, "%s/models", DIR);
    mkdir(models, 0755);
    snprintf(link_path, sizeof link_path, "%s/scrfd_2.5g.onnx", models);
    snprintf(target, sizeof target, "%s/scrfd_2.5g_bnkps.onnx", shared);
    unlink(link_path);
    if (symlink(target, link_path) != 0)
        perror("symlink");
    p.model_dir = models;
    p.allow_download = 0;
    p.log_level = FACEFUSE_LOG_ERROR;
    p.execution_thread_count = 1;
    facefuse_image photo = {0}, rgb = {0}, hd = {0};
    char path[512];
    snprintf(path, sizeof path, "%s/../shared/samples/grace_hopper.jpg", FACEFUSE_SOURCE_DIR);
    if (facefuse_context_new(&p, &ctx) != FACEFUSE_OK || fu_image_read(path, &photo, &err) != FACEFUSE_OK ||
        fu_image_to_rgb(&rgb, &photo) != FACEFUSE_OK || fu_resize(&rgb, &hd, 1920, 1080) != FACEFUSE_OK) {
        fprintf(stderr, "cannot load the sample\n");
        exit(1);
    }
    char mfn[600];
    snprintf(mfn, sizeof mfn, "%s/mobilefacenet.onnx", shared);
    facefuse_register_recognizer(ctx, "mobilefacenet", mfn, 112, 0.5f, 0.5f);
    facefuse_analysis_params a = facefuse_analysis_default_params();
    a.detector_model = "scrfd";
    a.landmarker_score = 0;
    a.recognizer_model = "mobilefacenet";
    facefuse_face *faces = NULL;
    int n = 0;
    if (facefuse_detect_faces(ctx, &hd, &a, &faces, &n) != FACEFUSE_OK || n < 1) {
        fprintf(stderr, "no face found: %s\n", facefuse_context_errmsg(ctx));
        exit(1);
    }
    facefuse_image out = {0};
    fu_image_copy(&out, &hd);
    for (int y = 400; y < 600; y++)
        for (int x = 900; x < 1000; x++)
            fu_pixel(&out, x, y)[0] ^= 0x20;
    enum { ROUNDS = 10 };
    fu_quality_settings qs = fu_quality_default_settings();
    char report[256];
    snprintf(report, sizeof report, "%s/report.html", DIR);
    qs.path = report;
    qs.recognizer_model = "mobilefacenet";
    fu_quality *q = NULL;
    if (fu_quality_new(ctx, &qs, NULL, 0, &q, &err) != FACEFUSE_OK) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    fu_quality_observe(q, 0, &hd, &out, faces, n, NULL, 0, NULL, &err); /* warm the session */
    double w0 = now_s(), c0 = cpu_s();
    for (int i = 1; i <= ROUNDS; i++)
        if (fu_quality_observe(q, i, &hd, &out, faces, n, NULL, 0, NULL, &err) != FACEFUSE_OK)
            fprintf(stderr, "observe: %s\n", err.msg);
    double observe_wall = (now_s() - w0) / ROUNDS, observe_cpu = (cpu_s() - c0) / ROUNDS;
    double psnr_w0 = now_s();
    facefuse_image mask = {0};
    fu_quality_face_mask(faces, n, 1920, 1080, &mask, &err);
    double mask_s = now_s() - psnr_w0;
    free(mask.data);
    w0 = now_s();
    fu_quality_finish(q, &err);
    double finish_s = now_s() - w0;
    fu_quality_free(q);

    fu_watermark_settings ws = fu_watermark_default_settings();
    ws.invisible = 1;
    fu_watermark *wm = NULL;
    fu_watermark_new(&ws, &wm, &err);
    facefuse_image frames[ROUNDS];
    for (int i = 0; i < ROUNDS; i++)
        fu_image_copy(&frames[i], &hd);
    facefuse_image warm = {0};
    fu_image_copy(&warm, &hd);
    fu_watermark_apply(wm, &warm, &err); /* builds the 1080p pattern once */
    w0 = now_s(), c0 = cpu_s();
    for (int i = 0; i < ROUNDS; i++)
        fu_watermark_apply(wm, &frames[i], &err);
    double embed_wall = (now_s() - w0) / ROUNDS, embed_cpu = (cpu_s() - c0) / ROUNDS;
    double z = 0;
    w0 = now_s(), c0 = cpu_s();
    for (int i = 0; i < ROUNDS; i++)
        fu_watermark_detect(NULL, &frames[i], &z, &err);
    double detect_wall = (now_s() - w0) / ROUNDS, detect_cpu = (cpu_s() - c0) / ROUNDS;
    double se = 0;
    for (int y = 0; y < 1080; y++)
        for (int x = 0; x < 1920 * 3; x++) {
            double d = (double)frames[0].data[(size_t)y * frames[0].stride + x] - hd.data[(size_t)y * hd.stride + x];
            se += d * d;
        }
    printf("\n3. per 1080p frame (one thread; %d face%s; recognizer mobilefacenet)\n", n, n == 1 ? "" : "s");
    printf("   quality report observe: %6.1f ms wall, %6.1f ms CPU (2 recognizer runs a face, PSNR, SSIM, mask)\n",
           observe_wall * 1e3, observe_cpu * 1e3);
    printf("     of which the face mask %.1f ms; writing the HTML report for %d frames %.1f ms\n", mask_s * 1e3,
           ROUNDS + 1, finish_s * 1e3);
    printf("   invisible watermark embed: %6.1f ms wall, %6.1f ms CPU (strength %.1f, PSNR %.1f dB)\n",
           embed_wall * 1e3, embed_cpu * 1e3, z, 10 * log10(255.0 * 255 * 1920 * 1080 * 3 / se));
    printf("   invisible watermark detect: %5.1f ms wall, %6.1f ms CPU\n", detect_wall * 1e3, detect_cpu * 1e3);
    for (int i = 0; i < ROUNDS; i++)
        facefuse_image_free(&frames[i]);
    facefuse_image_free(&warm);
    fu_watermark_free(wm);
    facefuse_image_free(&out);
    facefuse_faces_free(faces);
    facefuse_image_free(&hd);
    facefuse_image_free(&rgb);
    facefuse_image_free(&photo);
    facefuse_context_free(ctx);
}

int main(int argc, char **argv)
{
    int quick = 0, only = 0;
    char clip[256];
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = atoi(argv[++i]);
    }
    av_log_set_level(AV_LOG_QUIET);
    fu_log_set(FACEFUSE_LOG_WARN, NULL, NULL);
    mkdir(DIR, 0755);
    snprintf(clip, sizeof clip, "%s/clip-%s.mp4", DIR, quick ? "60s" : "600s");
    if (make_clip(clip, quick ? 60 : 600) != 0) {
        fprintf(stderr, "cannot make %s\n", clip);
        return 1;
    }
    printf("machine: %ld cores online (load average shown by uptime affects every figure)\n",
           sysconf(_SC_NPROCESSORS_ONLN));
    if (!only || only == 1)
        bench_segments(clip, 8);
    if (!only || only == 2)
        bench_workers(clip);
    if (!only || only == 3)
        bench_frame_costs();
    return 0;
}
