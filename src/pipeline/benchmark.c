/*
 * benchmark.c — targets made locally, timed runs, the figures (see
 * benchmark.h).
 */
#include "pipeline/benchmark.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/file.h"
#include "core/image.h"
#include "core/log.h"
#include "media/image_io.h"
#include "media/resize.h"
#include "media/video_writer.h"
#include "pipeline/run.h"

#define B(field) offsetof(fu_benchmark_settings, field)
#define TARGET_FPS 25

static const fu_option benchmark_options[] = {
    {.name = "--benchmark-mode", .section = "benchmark", .type = FU_OPT_STRING, .def = "warm",
     .choices = "warm cold", .flags = FU_OPTF_FRONT, .offset = B(mode),
     .help = "warm: one untimed run before the timed ones; cold: none"},
    {.name = "--benchmark-resolutions", .section = "benchmark", .type = FU_OPT_STRINGS, .def = "240p",
     .choices = "240p 360p 540p 720p 1080p 1440p 2160p", .count_max = 7, .flags = FU_OPTF_FRONT,
     .offset = B(resolutions), .help = "target resolutions to time"},
    {.name = "--benchmark-cycle-count", .section = "benchmark", .type = FU_OPT_INT, .def = "5", .min = 1, .max = 10,
     .step = 1, .flags = FU_OPTF_FRONT, .offset = B(cycle_count), .help = "timed runs per resolution"},
    {0}};

const fu_option_group fu_benchmark_options = {"benchmark", "benchmark", benchmark_options,
                                              sizeof(fu_benchmark_settings), NULL};

/* ---------------------------------------------------------------- targets */

/* The first source that is an image. */
static const char *source_image(const fu_run_config *cfg)
{
    for (int i = 0; i < cfg->paths.source_paths.n; i++)
        if (fu_image_path_is_image(cfg->paths.source_paths.v[i]))
            return cfg->paths.source_paths.v[i];
    return NULL;
}

/* Frame i: a moving diagonal gradient with the face photo, 60 % of the
 * height, drifting from left to right. */
static void draw_frame(facefuse_image *frame, const facefuse_image *face, int i)
{
    for (int y = 0; y < frame->height; y++) {
        uint8_t *row = fu_pixel(frame, 0, y);
        for (int x = 0; x < frame->width; x++) {
            int v = (x + y + 4 * i) & 255;
            row[3 * x] = (uint8_t)v, row[3 * x + 1] = (uint8_t)(255 - v), row[3 * x + 2] = (uint8_t)(v / 2 + 64);
        }
    }
    int span = frame->width - face->width;
    int x0 = span > 0 ? span / 4 + (span / 2) * i / FU_BENCHMARK_FRAMES : 0;
    int y0 = (frame->height - face->height) / 2;
    for (int y = 0; y < face->height; y++)
        memcpy(fu_pixel(frame, x0, y0 + y), fu_pixel(face, 0, y), (size_t)face->width * 3);
}

static facefuse_status make_target(const char *path, const facefuse_image *photo, int w, int h, fu_err *err)
{
    facefuse_image rgb = {0}, face = {0}, frame = {0};
    fu_video_writer *vw = NULL;
    fu_output out;
    facefuse_status rc;

    int fh = h * 3 / 5, fw = photo->width * fh / photo->height;
    if (fw > w)
        fw = w, fh = photo->height * w / photo->width;
    if ((rc = fu_output_begin(&out, path, err)) != FACEFUSE_OK)
        return rc;
    if (fu_image_to_rgb(&rgb, photo) != FACEFUSE_OK || fu_resize(&rgb, &face, fw > 1 ? fw : 2, fh > 1 ? fh : 2) ||
        facefuse_image_alloc(&frame, w, h, 3) != FACEFUSE_OK) {
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory making a %dx%d benchmark target", w, h);
        goto done;
    }
    fu_video_writer_params p = {.final_path = path, .temp_path = out.temp_path, .width = w, .height = h,
                                .channels = 3, .encoder = "libx264", .preset = "ultrafast", .quality = 90,
                                .tb_num = 1, .tb_den = TARGET_FPS, .fps_num = TARGET_FPS, .fps_den = 1};
    if ((rc = fu_video_writer_open(&vw, &p, err)) != FACEFUSE_OK || (rc = fu_video_writer_start(vw, err)) != FACEFUSE_OK)
        goto done;
    for (int i = 0; i < FU_BENCHMARK_FRAMES && rc == FACEFUSE_OK; i++) {
        draw_frame(&frame, &face, i);
        rc = fu_video_writer_write(vw, &frame, i, err);
    }
    if (rc == FACEFUSE_OK)
        rc = fu_video_writer_finish(vw, err);
    fu_video_writer_free(vw);
    vw = NULL;
    if (rc == FACEFUSE_OK)
        rc = fu_output_commit(&out, err);
done:
    fu_video_writer_free(vw);
    if (rc != FACEFUSE_OK)
        fu_output_abort(&out);
    facefuse_image_free(&rgb), facefuse_image_free(&face), facefuse_image_free(&frame);
    return rc;
}

/* ---------------------------------------------------------------- runs */

/* The output's extension: mp4, unless the chain makes a transparent
 * background (the remover's default fill), which needs an output that keeps
 * alpha: the chosen encoder's container, or ffv1 in .mkv when the encoder
 * has no alpha (a real run with it would be refused). */
static const char *output_extension(fu_run_config *cfg)
{
    const char *e = cfg->output.video_encoder;
    if (!fu_run_config_makes_alpha(cfg))
        return "mp4";
    if (e && (strcmp(e, "prores_ks") == 0 || strcmp(e, "rawvideo") == 0))
        return "mov";
    if (e && strcmp(e, "libvpx-vp9") == 0)
        return "webm";
    cfg->output.video_encoder = "ffv1";
    return "mkv";
}

static int height_of(const char *resolution)
{
    return atoi(resolution);
}

static facefuse_status time_resolution(facefuse_context *ctx, const fu_run_config *base, const char *resolution,
                                       const facefuse_image *photo, const char *dir, const fu_benchmark_settings *b,
                                       volatile int *cancel, fu_benchmark_row *row, fu_err *err)
{
    char target[PATH_MAX], output[PATH_MAX];
    int h = height_of(resolution), w = ((h * 16 / 9) + 1) & ~1;
    fu_run_hooks hooks = {cancel, NULL, NULL};
    fu_run_config cfg = *base;
    facefuse_status rc;

    memset(row, 0, sizeof *row);
    snprintf(row->resolution, sizeof row->resolution, "%s", resolution);
    row->width = w, row->height = h, row->frames = FU_BENCHMARK_FRAMES, row->cycle_count = b->cycle_count;
    snprintf(target, sizeof target, "%s/target-%s.mp4", dir, resolution);
    snprintf(output, sizeof output, "%s/output-%s.%s", dir, resolution, output_extension(&cfg));
    if ((rc = make_target(target, photo, w, h, err)) != FACEFUSE_OK)
        return rc;
    /* FaceFusion's benchmark settings */
    cfg.paths.target_path = target;
    cfg.paths.output_path = output;
    cfg.analysis.landmarker_score = 0;
    cfg.output.audio_volume = 0;
    cfg.output.video_preset = "ultrafast";
    cfg.output.video_fps = TARGET_FPS;
    cfg.output.trim_frame_start = cfg.output.trim_frame_end = -1;
    cfg.output.workflow_mode = "auto";

    double total = 0, fastest = DBL_MAX, slowest = 0;
    if (strcmp(b->mode, "warm") == 0)
        rc = fu_run_target(ctx, &cfg, &hooks, NULL, err);
    for (int c = 0; c < b->cycle_count && rc == FACEFUSE_OK; c++) {
        int64_t t0 = fu_now_ns();
        rc = fu_run_target(ctx, &cfg, &hooks, NULL, err);
        double s = (fu_now_ns() - t0) / 1e9;
        total += s;
        fastest = fmin(fastest, s);
        slowest = fmax(slowest, s);
    }
    unlink(output);
    unlink(target);
    if (rc != FACEFUSE_OK)
        return rc;
    row->average_s = total / b->cycle_count;
    row->fastest_s = fastest;
    row->slowest_s = slowest;
    row->relative_fps = total > 0 ? (double)FU_BENCHMARK_FRAMES * b->cycle_count / total : 0;
    row->realtime_factor = row->relative_fps / TARGET_FPS;
    return FACEFUSE_OK;
}

facefuse_status fu_benchmark_run(facefuse_context *ctx, const fu_run_config *cfg, const fu_benchmark_settings *b,
                                 const char *work_dir, volatile int *cancel, fu_benchmark_report report, void *user,
                                 fu_benchmark_row *rows, int *n_rows, fu_err *err)
{
    const char *src = source_image(cfg);
    const char *tmp = work_dir ? work_dir : getenv("TMPDIR");
    char dir[PATH_MAX];
    facefuse_image photo = {0};
    facefuse_status rc;

    *n_rows = 0;
    if (!src)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "benchmark needs -s SOURCE: a face photo, used as the source and pasted into the targets");
    if ((rc = fu_image_read(src, &photo, err)) != FACEFUSE_OK)
        return rc;
    snprintf(dir, sizeof dir, "%s/facefuse-benchmark-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        facefuse_image_free(&photo);
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot make a work directory %s: %s", dir, strerror(errno));
    }
    for (int i = 0; i < b->resolutions.n && i < FU_BENCHMARK_MAX_ROWS && rc == FACEFUSE_OK; i++) {
        rc = time_resolution(ctx, cfg, b->resolutions.v[i], &photo, dir, b, cancel, &rows[i], err);
        if (rc == FACEFUSE_OK) {
            *n_rows = i + 1;
            if (report)
                report(user, &rows[i]);
        }
    }
    rmdir(dir);
    facefuse_image_free(&photo);
    return rc;
}
