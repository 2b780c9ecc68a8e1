/*
 * track_video.c — headless video with face tracking against detecting every
 * frame, and the measurements behind the tracking and smoothing defaults.
 *
 *   bench_track_video [MODEL_DIR] [FRAMES] [INTERVALS...]   (interval 0 alone: smoothing only)
 *
 * On generated 720p and 1080p clips (30 fps, two faces a quarter of the
 * frame high walking across), with the real SCRFD-2.5G (and YuNet, which
 * the tracker runs on every frame, for comparison):
 * - frames/s of the whole video run (decode → tracker as the ordered stage
 *   → 2 workers doing a swapper's CPU work per face without its model →
 *   libx264 veryfast) for each detector interval (default 1 2 4 8), and the
 *   CPU time it spent a frame (all threads: what the frame costs whatever
 *   else the machine runs);
 * - full detections and region detections made;
 * - landmark distance to the detect-every-frame run (mean and max px);
 * - the ratio to the naive bound: CPU ms of one full detection ÷ CPU ms a
 *   frame of the run. A pipeline that detects every frame stays below 1
 *   whatever else it does; above 1 is beyond what it could ever reach.
 * Then smoothing: on the 720p clip (true motion known) and on the shared
 * grace_hopper_zoom_2s.mp4, the landmarks' jitter (mean |second difference|,
 * px) and the mean distance to the true motion, with and without smoothing.
 * MODEL_DIR: a model cache with scrfd_2.5g.onnx and yunet_2023_mar.onnx
 * (default: the test suite's, generated into a temp dir).
 */
#include <math.h>
#include <pthread.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "facesclip.h"

#include "core/clock.h"
#include "face/analyse.h"
#include "face/track.h"
#include "media/video_reader.h"
#include "pipeline/track_stage.h"

#define MAX_FRAMES 600

typedef struct run_record {
    pthread_mutex_t lock;
    facefuse_point lm[MAX_FRAMES][2][5]; /* per frame, per face (by x order), landmark_5_68 */
    int count[MAX_FRAMES];
} run_record;

static facefuse_context *ctx;

/* CPU seconds this process has used, all threads. */
static double cpu_s(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static int by_x(const facefuse_face *faces, int n, int k)
{
    /* index of the k-th face from the left (n <= 2) */
    if (n < 2)
        return 0;
    int left = faces[0].box[0] <= faces[1].box[0] ? 0 : 1;
    return k == 0 ? left : 1 - left;
}

static facefuse_status swap_faces(void *user, facefuse_image *frame, int64_t index, double time_s, void *data,
                                  fu_err *err)
{
    (void)time_s;
    run_record *r = user;
    const fu_track_frame *f = data;
    for (int i = 0; i < f->count; i++)
        fc_standin_swap(frame, &f->faces[i], 0);
    if (index >= 0 && index < MAX_FRAMES) {
        int n = f->count < 2 ? f->count : 2;
        r->count[index] = f->count;
        for (int k = 0; k < n; k++)
            memcpy(r->lm[index][k], f->faces[by_x(f->faces, n, k)].landmark_5_68, sizeof r->lm[index][k]);
    }
    return FACEFUSE_OK;
}

static facefuse_analysis_params analysis(const char *model)
{
    facefuse_analysis_params ap = facefuse_analysis_default_params();
    ap.detector_model = model;
    ap.landmarker_model = NULL;
    ap.landmark_5_to_68_model = NULL;
    ap.recognizer_model = NULL;
    return ap;
}

/* Mean CPU ms of a full detection on the clip's first frames. */
static double detect_ms(const char *clip, const char *model)
{
    facefuse_analysis_params ap = analysis(model);
    fu_video_reader *r;
    facefuse_image im = {0};
    fu_err err;
    int64_t pts;
    double total = 0;
    int got, n = 0;
    if (fu_video_reader_open(&r, clip, 1, &err) != FACEFUSE_OK)
        return -1;
    for (int i = 0; i < 9 && fu_video_reader_next(r, &im, &pts, &got, &err) == FACEFUSE_OK && got; i++) {
        fu_detection *d = NULL;
        int nd;
        double t0 = cpu_s();
        fu_detect_faces(ctx, &im, &ap, &d, &nd, &err);
        if (i > 0) { /* the first warms up */
            total += cpu_s() - t0;
            n++;
        }
        free(d);
    }
    fu_video_reader_close(r);
    facefuse_image_free(&im);
    return n ? total * 1000 / n : -1;
}

static double run_video(const char *clip, const char *out, const char *model, int interval, run_record *rec,
                        fu_track_stats *stats, double *cpu_ms_frame)
{
    facefuse_analysis_params ap = analysis(model);
    fu_track_settings ts = fu_track_default_settings();
    fu_tracker *t;
    fu_err err;
    ts.detector_interval = interval;
    if (fu_tracker_new(ctx, &ap, &ts, &t, &err) != FACEFUSE_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    memset(rec->count, 0, sizeof rec->count);
    fu_video_job job = fu_video_job_default();
    job.target_path = clip;
    job.output_path = out;
    job.thread_count = 2;
    fu_track_stage_attach(&job, t);
    job.process_analysed = swap_faces;
    job.process_user = rec;
    int64_t t0 = fu_now_ns();
    double c0 = cpu_s();
    facefuse_status rc = fu_video_run(&job, &err);
    double secs = (fu_now_ns() - t0) / 1e9;
    *stats = fu_tracker_stats(t);
    *cpu_ms_frame = (cpu_s() - c0) * 1000 / (stats->frames > 0 ? stats->frames : 1);
    fu_tracker_free(t);
    if (rc != FACEFUSE_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return stats->frames / secs;
}

static void compare(const run_record *a, const run_record *b, int frames, double *mean, double *worst)
{
    double sum = 0;
    int n = 0;
    *worst = 0;
    for (int i = 0; i < frames && i < MAX_FRAMES; i++) {
        if (a->count[i] != b->count[i] || a->count[i] > 2)
            continue;
        for (int k = 0; k < a->count[i]; k++)
            for (int p = 0; p < 5; p++) {
                double d = hypot(a->lm[i][k][p].x - b->lm[i][k][p].x, a->lm[i][k][p].y - b->lm[i][k][p].y);
                sum += d;
                n++;
                *worst = d > *worst ? d : *worst;
            }
    }
    *mean = n ? sum / n : -1;
}

static void speed_table(int w, int h, int frames, const int *intervals, int n_intervals)
{
    char clip[256], out[256];
    snprintf(clip, sizeof clip, "/tmp/facefuse-bench-track-%dp.mp4", h);
    snprintf(out, sizeof out, "/tmp/facefuse-bench-track-%dp-out.mp4", h);
    if (!fc_make_clip(clip, w, h, frames, 30)) {
        fprintf(stderr, "cannot make %s\n", clip);
        return;
    }
    static run_record base, rec;
    const char *models[2] = {"scrfd", "yunet"};
    for (int m = 0; m < 2; m++) {
        double det = detect_ms(clip, models[m]);
        printf("\n%dp, %s: full detection %.1f CPU ms\n", h, models[m], det);
        printf("  interval  frames/s  CPU ms/frame  x bound  full det  regions  landmarks vs every frame (mean / max px)\n");
        for (int k = 0; k < n_intervals; k++) {
            fu_track_stats st;
            if (m == 1 && intervals[k] != 1)
                continue; /* YuNet detects every frame whatever the interval */
            double cpu = 0;
            run_record *r = intervals[k] == 1 ? &base : &rec;
            double fps = run_video(clip, out, models[m], intervals[k], r, &st, &cpu);
            double mean = 0, worst = 0;
            if (intervals[k] != 1)
                compare(&base, &rec, frames, &mean, &worst);
            printf("  %8d  %8.2f  %12.1f  %7.2f  %8lld  %7lld  %.2f / %.2f\n", intervals[k], fps, cpu, det / cpu,
                   (long long)st.full_detections, (long long)st.region_detections, mean, worst);
            fflush(stdout);
        }
    }
    remove(clip);
    remove(out);
}

/* ------------------------------------------------------------ smoothing */

typedef struct smooth_figures {
    double jitter, truth_error;
    int frames;
} smooth_figures;

/* Runs the tracker (interval 1) over a clip and follows the left face's
 * landmark_5_68. Jitter: the mean |second difference|, px, of the points, or
 * when the true motion is known (truth_side > 0: the generated clip, whose
 * left face is Grace's sprite) of their error from it (the true motion moves
 * by whole pixels, which is not jitter). Error: the mean distance to the
 * true motion (the sprite's, from the face's mean position on it). */
/* mode: 0 no smoothing, 1 the files' zero-lag line fit, 2 live's One-Euro. */
static smooth_figures smooth_run(const char *clip, int mode, int truth_side)
{
    smooth_figures f = {0, 0, 0};
    facefuse_analysis_params ap = analysis("scrfd");
    fu_track_settings ts = fu_track_default_settings();
    fu_tracker *t;
    fu_video_reader *r;
    facefuse_image im = {0};
    fu_err err;
    int64_t pts;
    int got, n = 0, jn = 0, tn = 0;
    static facefuse_point hist[MAX_FRAMES][5], truth[MAX_FRAMES][5];
    static int have[MAX_FRAMES];
    ts.smoothing = mode > 0;
    ts.live = mode == 2;
    if (fu_tracker_new(ctx, &ap, &ts, &t, &err) != FACEFUSE_OK || fu_video_reader_open(&r, clip, 1, &err) != FACEFUSE_OK)
        return f;
    double fps = fu_video_reader_info(r)->fps;
    int x0 = 0, y0 = 0, w = fu_video_reader_info(r)->width, h = fu_video_reader_info(r)->height;
    int more = 1;
    while (more) {
        fu_track_frame tf;
        more = n < MAX_FRAMES && fu_video_reader_next(r, &im, &pts, &got, &err) == FACEFUSE_OK && got;
        if (more) {
            fu_tracker_push(t, &im, n, n / fps, &err);
            n++;
        }
        while (fu_tracker_pop(t, !more, &tf)) {
            int64_t i = tf.frame_index;
            have[i] = tf.count > 0;
            if (tf.count > 0)
                memcpy(hist[i], tf.faces[by_x(tf.faces, tf.count < 2 ? tf.count : 2, 0)].landmark_5_68,
                       sizeof hist[i]);
            fu_track_frame_clear(&tf);
        }
    }
    /* The true motion is the sprite's; where the detector puts each point on
     * the face is its own business: the anchor is the mean over the clip of
     * point − displacement, the same for every mode. */
    facefuse_point anchor[5] = {{0, 0}};
    int na = 0;
    fc_position(1, 0, w, h, truth_side, &x0, &y0);
    for (int i = 0; truth_side > 0 && i < n; i++) { /* the left face is Grace's sprite (1) */
        int x, y;
        if (!have[i])
            continue;
        fc_position(1, i, w, h, truth_side, &x, &y);
        for (int p = 0; p < 5; p++) {
            anchor[p].x += hist[i][p].x - (float)(x - x0);
            anchor[p].y += hist[i][p].y - (float)(y - y0);
        }
        na++;
    }
    for (int i = 0; truth_side > 0 && na && i < n; i++) {
        int x, y;
        if (!have[i])
            continue;
        fc_position(1, i, w, h, truth_side, &x, &y);
        for (int p = 0; p < 5; p++) {
            truth[i][p].x = anchor[p].x / na + (float)(x - x0);
            truth[i][p].y = anchor[p].y / na + (float)(y - y0);
            f.truth_error += hypot(hist[i][p].x - truth[i][p].x, hist[i][p].y - truth[i][p].y);
            tn++;
        }
    }
    if (truth_side <= 0)
        memset(truth, 0, sizeof truth);
    for (int i = 1; i + 1 < n; i++)
        if (have[i - 1] && have[i] && have[i + 1])
            for (int p = 0; p < 5; p++) {
                double ex[3], ey[3];
                for (int d = 0; d < 3; d++) {
                    ex[d] = hist[i - 1 + d][p].x - truth[i - 1 + d][p].x;
                    ey[d] = hist[i - 1 + d][p].y - truth[i - 1 + d][p].y;
                }
                f.jitter += hypot(ex[2] - 2 * ex[1] + ex[0], ey[2] - 2 * ey[1] + ey[0]);
                jn++;
            }
    f.jitter = jn ? f.jitter / jn : -1;
    f.truth_error = tn ? f.truth_error / tn : -1;
    f.frames = n;
    fu_video_reader_close(r);
    fu_tracker_free(t);
    facefuse_image_free(&im);
    return f;
}

static void smoothing_table(int frames)
{
    char clip[256];
    snprintf(clip, sizeof clip, "/tmp/facefuse-bench-smooth-720p.mp4");
    if (!fc_make_clip(clip, 1280, 720, frames, 30))
        return;
    printf("\nsmoothing (SCRFD-2.5G every frame), jitter = mean |2nd difference| px, error = mean px from true motion\n");
    static const char *names[3] = {"off", "line fit +-3 (files)", "One-Euro (live)"};
    for (int s = 0; s < 3; s++) {
        smooth_figures f = smooth_run(clip, s, 720 * 2 / 5);
        printf("  generated 720p, %d frames, smoothing %-20s: jitter %.2f, error %.2f\n", f.frames, names[s],
               f.jitter, f.truth_error);
    }
    for (int s = 0; s < 3; s++) {
        smooth_figures f = smooth_run(FACEFUSE_SOURCE_DIR "/../shared/samples/grace_hopper_zoom_2s.mp4", s, 0);
        printf("  grace_hopper_zoom_2s.mp4, %d frames, smoothing %-20s: jitter %.2f\n", f.frames, names[s], f.jitter);
    }
    remove(clip);
}

int main(int argc, char **argv)
{
    char dir[512];
    int frames = argc > 2 ? atoi(argv[2]) : 60, intervals[8] = {1, 2, 4, 8}, n_intervals = 4;
    if (argc > 3) { /* "0" alone: only the smoothing figures */
        n_intervals = 0;
        for (int i = 3; i < argc && n_intervals < 8; i++)
            if (atoi(argv[i]) > 0)
                intervals[n_intervals++] = atoi(argv[i]);
    }
    if (frames < 10 || frames > MAX_FRAMES || bench_model_dir(argc, argv, dir, sizeof dir))
        return 1;
    ctx = bench_open_context(dir);
    printf("bench_track_video: %d frames a clip, 2 workers, ORT on 2 threads\n", frames);
    if (n_intervals > 0) {
        speed_table(1280, 720, frames, intervals, n_intervals);
        speed_table(1920, 1080, frames, intervals, n_intervals);
    }
    smoothing_table(frames);
    facefuse_context_free(ctx);
    return 0;
}
