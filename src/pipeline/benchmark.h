/*
 * benchmark.h — FaceFusion's benchmark: timed runs of the user's own
 * processors and models over targets of several resolutions, so users can
 * compare machines and settings.
 *
 * FaceFusion downloads example clips; facefuse makes its targets locally:
 * for each resolution (16:9, 240p … 2160p) a clip of FU_BENCHMARK_FRAMES
 * frames at 25 fps in which the first source photo drifts over a moving
 * background, so the detector, the swapper and the encoder all have work.
 * As FaceFusion's, a run skips the 68-point landmarker, drops the audio,
 * encodes with the ultrafast preset at the target's rate, and writes to a
 * temporary file; warm mode does one untimed run first.
 */
#ifndef FU_BENCHMARK_H
#define FU_BENCHMARK_H

#include <limits.h>

#include "core/option.h"
#include "pipeline/config.h"

#define FU_BENCHMARK_FRAMES 50
#define FU_BENCHMARK_MAX_ROWS 7

typedef struct fu_benchmark_settings {
    const char *mode;          /* warm cold */
    fu_strs resolutions;       /* 240p 360p 540p 720p 1080p 1440p 2160p */
    int cycle_count;           /* 1..10 */
} fu_benchmark_settings;

extern const fu_option_group fu_benchmark_options;

typedef struct fu_benchmark_row {
    char resolution[8];
    int width, height;
    int frames;
    int cycle_count;
    double average_s, fastest_s, slowest_s;
    double relative_fps;       /* frames × cycles / total time, FaceFusion's figure */
    double realtime_factor;    /* relative_fps / the target's 25 fps */
} fu_benchmark_row;

/* Called after each resolution (may be NULL). */
typedef void (*fu_benchmark_report)(void *user, const fu_benchmark_row *row);

/* Runs the benchmark with cfg's processors and options; targets and
 * outputs live in a fresh directory under work_dir (NULL: $TMPDIR or /tmp)
 * that is removed afterwards. rows receives up to FU_BENCHMARK_MAX_ROWS. */
facefuse_status fu_benchmark_run(facefuse_context *ctx, const fu_run_config *cfg, const fu_benchmark_settings *b,
                                 const char *work_dir, volatile int *cancel, fu_benchmark_report report, void *user,
                                 fu_benchmark_row *rows, int *n_rows, fu_err *err);

#endif
