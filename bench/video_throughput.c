/*
 * video_throughput.c — end-to-end frames/s of fu_video_run with a simulated
 * model (a fixed time per frame), against the bound threads / model time,
 * and peak memory per clip length (each run in a forked child so the peaks
 * are separate).
 *
 * usage: bench_video_throughput [--model-ms 20] [--threads 4] [--sleep] [--quick]
 *   --sleep  the model sleeps (like waiting on a GPU) instead of busy-waiting
 *   --quick  only the short clips
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "core/clock.h"
#include "core/file.h"
#include "media/video_writer.h"
#include "pipeline/video_run.h"

typedef struct bench_opts {
    double model_ms;
    int threads;
    int sleep_model;
    int quick;
} bench_opts;

static void fill_pattern(facefuse_image *im, int i)
{
    for (int y = 0; y < im->height; y++) {
        uint8_t *row = im->data + (size_t)y * im->stride;
        for (int x = 0; x < im->width; x++) {
            row[x * 3] = (uint8_t)(x + i);
            row[x * 3 + 1] = (uint8_t)(y + 2 * i);
            row[x * 3 + 2] = (uint8_t)((x ^ y) + i);
        }
    }
}

/* Writes a 30 fps clip of the given size and length (no audio), unless it exists. */
static int make_clip(const char *path, int w, int h, int seconds)
{
    if (fu_file_exists(path))
        return 0;
    fu_err err;
    fu_output out;
    fu_video_writer *vw = NULL;
    facefuse_image im;
    if (fu_output_begin(&out, path, &err) != FACEFUSE_OK ||
        facefuse_image_alloc(&im, w, h, 3) != FACEFUSE_OK)
        return -1;
    fu_video_writer_params p = {0};
    p.final_path = path;
    p.temp_path = out.temp_path;
    p.width = w;
    p.height = h;
    p.channels = 3;
    p.encoder = "libx264";
    p.preset = "ultrafast";
    p.quality = 70;
    p.tb_num = 1;
    p.tb_den = 30;
    p.fps_num = 30;
    p.fps_den = 1;
    facefuse_status st = fu_video_writer_open(&vw, &p, &err);
    if (st == FACEFUSE_OK)
        st = fu_video_writer_start(vw, &err);
    for (int i = 0; st == FACEFUSE_OK && i < seconds * 30; i++) {
        fill_pattern(&im, i);
        st = fu_video_writer_write(vw, &im, i, &err);
    }
    if (st == FACEFUSE_OK)
        st = fu_video_writer_finish(vw, &err);
    fu_video_writer_free(vw);
    facefuse_image_free(&im);
    if (st == FACEFUSE_OK)
        st = fu_output_commit(&out, &err);
    else
        fu_output_abort(&out);
    if (st != FACEFUSE_OK)
        fprintf(stderr, "cannot make %s: %s\n", path, err.msg);
    return st == FACEFUSE_OK ? 0 : -1;
}

static facefuse_status model(void *user, facefuse_image *frame, int64_t index, fu_err *err)
{
    const bench_opts *o = user;
    if (o->sleep_model) {
        usleep((useconds_t)(o->model_ms * 1000));
    } else {
        double end = (fu_now_ns() / 1e9) + o->model_ms / 1000.0;
        while ((fu_now_ns() / 1e9) < end)
            ;
    }
    frame->data[0] ^= 1; /* touch the frame */
    return FACEFUSE_OK;
}

/* In a child: runs the job and reports frames, seconds and peak RSS. */
static void run_child(const char *clip, const bench_opts *o, int pipe_fd)
{
    fu_video_job job = fu_video_job_default();
    job.target_path = clip;
    job.output_path = "/tmp/facefuse-bench-out.mp4";
    job.video_preset = "ultrafast";
    job.thread_count = o->threads;
    job.process = model;
    job.process_user = (void *)o;
    fu_err err;
    double t0 = (fu_now_ns() / 1e9);
    facefuse_status st = fu_video_run(&job, &err);
    double secs = (fu_now_ns() / 1e9) - t0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double result[3] = {st == FACEFUSE_OK ? secs : -1, (double)ru.ru_maxrss, 0};
    if (st != FACEFUSE_OK)
        fprintf(stderr, "run failed: %s\n", err.msg);
    if (write(pipe_fd, result, sizeof result) != (ssize_t)sizeof result)
        _exit(1);
    unlink(job.output_path);
    _exit(0);
}

static void bench_clip(const char *label, const char *clip, int frames, const bench_opts *o)
{
    int fds[2];
    if (pipe(fds) != 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        run_child(clip, o, fds[1]);
    }
    close(fds[1]);
    double result[3] = {-1, 0, 0};
    ssize_t got = read(fds[0], result, sizeof result);
    close(fds[0]);
    waitpid(pid, NULL, 0);
    if (got != (ssize_t)sizeof result || result[0] < 0) {
        printf("%-14s failed\n", label);
        return;
    }
    double fps = frames / result[0];
    double bound = o->threads * 1000.0 / o->model_ms;
    printf("%-14s %6d frames %8.2f s %8.1f fps  bound %6.1f  ratio %5.2f  peak RSS %7.1f MiB\n",
           label, frames, result[0], fps, bound, fps / bound, result[1] / 1024.0);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    bench_opts o = {20.0, 4, 0, 0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--model-ms") && i + 1 < argc)
            o.model_ms = atof(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            o.threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--sleep"))
            o.sleep_model = 1;
        else if (!strcmp(argv[i], "--quick"))
            o.quick = 1;
        else {
            fprintf(stderr, "usage: %s [--model-ms MS] [--threads N] [--sleep] [--quick]\n",
                    argv[0]);
            return 2;
        }
    }
    av_log_set_level(AV_LOG_ERROR);
    struct { const char *label, *path; int w, h, seconds, slow; } clips[] = {
        {"720p 5s", "/tmp/facefuse-bench-720p-5s.mp4", 1280, 720, 5, 0},
        {"1080p 5s", "/tmp/facefuse-bench-1080p-5s.mp4", 1920, 1080, 5, 0},
        {"720p 10s", "/tmp/facefuse-bench-720p-10s.mp4", 1280, 720, 10, 1},
        {"1080p 10s", "/tmp/facefuse-bench-1080p-10s.mp4", 1920, 1080, 10, 1},
        {"720p 60s", "/tmp/facefuse-bench-720p-60s.mp4", 1280, 720, 60, 1},
    };
    printf("video_throughput: model %.1f ms/frame (%s), %d worker threads, %ld CPUs\n",
           o.model_ms, o.sleep_model ? "sleep" : "busy-wait", o.threads,
           sysconf(_SC_NPROCESSORS_ONLN));
    printf("bound = threads x 1000 / model_ms frames/s; a busy-wait model cannot beat the CPU count\n");
    for (size_t i = 0; i < sizeof clips / sizeof clips[0]; i++) {
        if (o.quick && clips[i].slow)
            continue;
        if (make_clip(clips[i].path, clips[i].w, clips[i].h, clips[i].seconds) != 0)
            return 1;
        bench_clip(clips[i].label, clips[i].path, clips[i].seconds * 30, &o);
    }
    printf("memory: compare peak RSS of 720p 10s and 720p 60s; equal means no growth with length\n");
    return 0;
}
