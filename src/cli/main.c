/*
 * main.c — the facefuse command-line program.
 *
 * Commands follow FaceFusion's: headless-run, batch-run, force-download,
 * benchmark, run (the web UI, cmd_run.c) and the job-* commands
 * (cmd_jobs.c), plus facefuse's own `detect` for scripting and `live`
 * (FaceFusion's webcam mode without its UI, live.c). Exit codes as FaceFusion:
 *   0 success, 1 failure, 2 invalid input or failed pre-check
 *   (bad option, unreadable media, no face in a source, missing/corrupt model),
 *   4 stopped by the user (Ctrl-C).
 * Every failure prints one line on stderr: "facefuse: error: <what and where>".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/batch.h"
#include "cli/cli_context.h"
#include "cli/cmd_jobs.h"
#include "cli/cmd_run.h"
#include "cli/cmd_studio.h"
#include "cli/live.h"
#include "cli/options.h"
#include "core/alloc_policy.h"
#include "core/file.h"
#include "core/log.h"
#include "core/stop.h"
#include "face/analyse.h"
#include "infer/context.h"
#include "infer/context_options.h"
#include "infer/download.h"
#include "infer/registry.h"
#include "media/image_io.h"
#include "pipeline/benchmark.h"
#include "pipeline/run.h"
#include "pipeline/video_run.h"

enum { EXIT_OK = 0, EXIT_FAILURE_ = 1, EXIT_INVALID = 2, EXIT_STOPPED = 4 };

/* Set by SIGINT/SIGTERM/SIGHUP (core/stop.h); the video engine, model
 * sessions and downloads poll it and stop within a second. */
static volatile int stop_requested;

static int exit_code_of(facefuse_status rc)
{
    switch (rc) {
    case FACEFUSE_OK: return EXIT_OK;
    case FACEFUSE_ERR_CANCELLED: return EXIT_STOPPED;
    case FACEFUSE_ERR_INVALID_ARGUMENT:
    case FACEFUSE_ERR_DECODE:
    case FACEFUSE_ERR_NO_FACE:
    case FACEFUSE_ERR_MODEL_MISSING:
    case FACEFUSE_ERR_MODEL_CORRUPT:
    case FACEFUSE_ERR_MODEL_CONTRACT:
    case FACEFUSE_ERR_PROVIDER:
    case FACEFUSE_ERR_UNSUPPORTED:
    case FACEFUSE_ERR_NOT_FOUND:
        return EXIT_INVALID;
    default: return EXIT_FAILURE_;
    }
}

static int fail(const fu_err *err)
{
    if (err->code == FACEFUSE_ERR_CANCELLED && fu_stop_signal()) {
        fprintf(stderr, "facefuse: error: stopped by %s: %s\n", fu_stop_reason(), err->msg);
        fu_stop_mark_reported();
    } else
        fprintf(stderr, "facefuse: error: %s\n", err->msg[0] ? err->msg : facefuse_strerror(err->code));
    return exit_code_of(err->code);
}

static void usage(FILE *out, const fu_optset *set)
{
    fprintf(out,
            "usage: facefuse <command> [options]\n"
            "\n"
            "commands:\n"
            "  headless-run -s SOURCE... -t TARGET -o OUTPUT [options]   process a target without UI\n"
            "  batch-run -s 'SRC*' -t 'TGT*' -o 'out/{source_name}-{target_name}.{target_extension}'\n"
            "  detect IMAGE [--json] [options]                           print the faces found\n"
            "  live -s FACE.jpg [--camera /dev/video0] [--live-output v4l2:/dev/video10|udp://…|rtmp://…|rec.mkv]\n"
            "                                                            swap faces on a camera in real time\n"
            "  force-download                                             fetch and verify every model\n"
            "  benchmark -s FACE.jpg [--benchmark-resolutions 240p 720p] [options]   time your settings\n"
            "  run [options]                                              the web UI and API (127.0.0.1:7860)\n");
    fu_cmd_jobs_usage(out);
    fprintf(out,
            "  --list-execution-providers                                 what this build can run on\n"
            "  -v, --version\n");
    fu_cli_studio_usage(out);
    fprintf(out, "\n"
            "options (FaceFusion 3.8.1's, grouped as it groups them; every one also readable from the ini\n"
            "file's [section] key, see --config-path). FaceFusion's content analyser (nsfw_1/2/3) is not part\n"
            "of facefuse.\n");
    if (set)
        fu_options_print_help(set, out);
    fprintf(out, "\nexit codes: 0 ok, 1 failure, 2 invalid input or pre-check, 4 stopped\n");
}

static int list_providers(void)
{
    int n;
    const char *const *names = facefuse_available_providers(&n);
    printf("execution providers of ONNX Runtime %s:", fu_ort_version());
    for (int i = 0; i < n; i++)
        printf(" %s", names[i]);
    printf("\n");
    return EXIT_OK;
}

/* ------------------------------------------------------------ detect */

static void print_points_json(const facefuse_point *p, int n)
{
    printf("[");
    for (int i = 0; i < n; i++)
        printf("%s[%.2f,%.2f]", i ? "," : "", p[i].x, p[i].y);
    printf("]");
}

static void print_faces_json(const char *path, const facefuse_face *faces, int n)
{
    static const char *genders[] = {"male", "female"};
    static const char *races[] = {"white", "black", "latino", "asian", "indian", "arabic"};
    printf("{\"path\":\"");
    for (const char *c = path; *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) /* a control character in a file name */
            printf("\\u%04x", (unsigned)(unsigned char)*c);
        else
            printf(*c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
    }
    printf("\",\"faces\":[");
    for (int i = 0; i < n; i++) {
        const facefuse_face *f = &faces[i];
        double norm = 0;
        for (int k = 0; k < f->embedding_dim; k++)
            norm += (double)f->embedding[k] * f->embedding[k];
        printf("%s{\"box\":[%.2f,%.2f,%.2f,%.2f],\"score\":%.4f,\"landmark_5\":", i ? "," : "", f->box[0],
               f->box[1], f->box[2], f->box[3], f->detector_score);
        print_points_json(f->landmark_5, 5);
        printf(",\"landmark_5_68\":");
        print_points_json(f->landmark_5_68, 5);
        printf(",\"landmark_68\":");
        if (f->has_landmark_68)
            print_points_json(f->landmark_68, 68);
        else
            printf("null");
        printf(",\"landmarker_score\":%.4f,\"angle\":%d", f->landmarker_score, f->angle_deg);
        if (f->embedding_dim)
            printf(",\"embedding_dim\":%d,\"embedding_norm\":%.4f", f->embedding_dim, sqrt(norm));
        else
            printf(",\"embedding_dim\":0,\"embedding_norm\":null");
        printf(",\"gender\":%s%s%s", f->gender >= 0 ? "\"" : "", f->gender >= 0 ? genders[f->gender] : "null",
               f->gender >= 0 ? "\"" : "");
        if (f->age_start >= 0)
            printf(",\"age\":[%d,%d]", f->age_start, f->age_end);
        else
            printf(",\"age\":null");
        printf(",\"race\":%s%s%s}", f->race >= 0 ? "\"" : "", f->race >= 0 ? races[f->race] : "null",
               f->race >= 0 ? "\"" : "");
    }
    printf("]}\n");
}

/* The recognizer and classifier are optional for `detect`: used when they
 * can be had, skipped with a warning otherwise. */
static void optional_models(facefuse_context *ctx, facefuse_analysis_params *a)
{
    char path[PATH_MAX + 256];
    const fu_model_def *classifier = fu_model_find("fairface");
    if (a->recognizer_model && facefuse_model_ensure(ctx, a->recognizer_model, NULL, NULL) != FACEFUSE_OK) {
        fu_warn("%s; faces are listed without embeddings", facefuse_context_errmsg(ctx));
        a->recognizer_model = NULL;
    }
    snprintf(path, sizeof path, "%s/%s", ctx->store.dir, classifier ? classifier->file : "");
    a->classifier_model = classifier && fu_file_exists(path) ? "fairface" : NULL;
}

static int cmd_detect(facefuse_context *ctx, const fu_optset *set, const fu_run_config *cfg)
{
    facefuse_image image = {0};
    facefuse_face *faces = NULL;
    facefuse_analysis_params a = cfg->analysis;
    int n = 0;
    fu_err err;

    fu_err_clear(&err);
    const char *path = set->positional_count > 0 ? set->positional[0] : cfg->paths.target_path;
    if (!path) {
        fu_fail(&err, FACEFUSE_ERR_INVALID_ARGUMENT, "detect needs an image path");
        return fail(&err);
    }
    if (fu_input_check(path, "image", &err) != FACEFUSE_OK || fu_image_read(path, &image, &err) != FACEFUSE_OK)
        return fail(&err);
    optional_models(ctx, &a);
    if (facefuse_detect_faces(ctx, &image, &a, &faces, &n) != FACEFUSE_OK) {
        fu_fail(&err, ctx->err.code, "%s", facefuse_context_errmsg(ctx));
        facefuse_image_free(&image);
        return fail(&err);
    }
    if (strcmp(fu_optset_str(set, "--json"), "true") == 0) {
        print_faces_json(path, faces, n);
    } else {
        char shown[FU_ERRMSG_MAX];
        fu_one_line(shown, sizeof shown, path); /* control characters in the name escaped */
        printf("%s: %d face%s\n", shown, n, n == 1 ? "" : "s");
        for (int i = 0; i < n; i++)
            printf("  face %d: box %.1f,%.1f,%.1f,%.1f score %.3f angle %d\n", i, faces[i].box[0], faces[i].box[1],
                   faces[i].box[2], faces[i].box[3], faces[i].detector_score, faces[i].angle_deg);
    }
    facefuse_faces_free(faces);
    facefuse_image_free(&image);
    return EXIT_OK;
}

/* ------------------------------------------------------------ force-download */

static int cmd_force_download(facefuse_context *ctx, const char *scope_name)
{
    const fu_model_def *const *all = fu_model_all();
    fu_download_scope scope;
    int failed = 0, total = 0;
    fu_err err;

    if (fu_download_scope_parse(scope_name, &scope, &err) != FACEFUSE_OK)
        return fail(&err);
    for (int i = 0; all[i]; i++) {
        if (!fu_model_in_scope(all[i], scope))
            continue;
        total++;
        if (facefuse_model_ensure(ctx, all[i]->name, fu_progress_bar, NULL) != FACEFUSE_OK) {
            fprintf(stderr, "facefuse: error: %s\n", facefuse_context_errmsg(ctx));
            failed++;
        }
    }
    if (failed) {
        fu_fail(&err, FACEFUSE_ERR_DOWNLOAD, "%d of %d models could not be fetched into %s", failed, total,
                ctx->store.dir);
        fail(&err);
        return EXIT_FAILURE_;
    }
    fprintf(stderr, "facefuse: all %d models present and verified in %s\n", total, ctx->store.dir);
    return EXIT_OK;
}

/* ------------------------------------------------------------ headless-run */

static int cmd_headless_run(facefuse_context *ctx, const fu_optset *set, fu_run_config *cfg)
{
    fu_progress_state progress = {0};
    fu_run_hooks hooks = {&stop_requested, NULL, &progress};
    fu_run_result result;
    const char *mode = fu_optset_str(set, "--progress");
    fu_err err;

    fu_err_clear(&err);
    if (strcmp(mode, "json") == 0)
        hooks.progress = fu_progress_json;
    else if (strcmp(mode, "bar") == 0)
        hooks.progress = fu_video_progress_bar;
    if (fu_run_target(ctx, cfg, &hooks, &result, &err) != FACEFUSE_OK)
        return fail(&err);
    if (stop_requested) {
        fu_fail(&err, FACEFUSE_ERR_CANCELLED, "stopped while processing %s", cfg->paths.target_path);
        return fail(&err);
    }
    fu_info("wrote %s", result.output_path);
    return EXIT_OK;
}

/* ------------------------------------------------------------ benchmark */

static void print_benchmark_row(void *user, const fu_benchmark_row *r)
{
    if (*(int *)user) /* JSON: printed at the end */
        return;
    printf("%-7s %9dx%-5d %6d %6d %12.2f %12.2f %12.2f %13.2f %9.2fx\n", r->resolution, r->width, r->height, r->frames,
           r->cycle_count, r->average_s, r->fastest_s, r->slowest_s, r->relative_fps, r->realtime_factor);
    fflush(stdout);
}

static int cmd_benchmark(facefuse_context *ctx, const fu_optset *set, const fu_run_config *cfg)
{
    fu_benchmark_settings b;
    fu_benchmark_row rows[FU_BENCHMARK_MAX_ROWS];
    int n = 0, json = strcmp(fu_optset_str(set, "--json"), "true") == 0;
    fu_err err;

    fu_err_clear(&err);
    if (fu_options_apply(set, &fu_benchmark_options, &b, &err) != FACEFUSE_OK)
        return fail(&err);
    if (!json)
        printf("%-7s %15s %6s %6s %12s %12s %12s %13s %10s\n", "target", "size", "frames", "cycles", "average_run",
               "fastest_run", "slowest_run", "relative_fps", "real time");
    if (fu_benchmark_run(ctx, cfg, &b, cfg->paths.temp_path, &stop_requested, print_benchmark_row, &json, rows, &n,
                         &err) != FACEFUSE_OK)
        return fail(&err);
    if (json) {
        printf("[");
        for (int i = 0; i < n; i++)
            printf("%s{\"resolution\":\"%s\",\"width\":%d,\"height\":%d,\"frames\":%d,\"cycle_count\":%d,"
                   "\"average_run\":%.3f,\"fastest_run\":%.3f,\"slowest_run\":%.3f,\"relative_fps\":%.2f,"
                   "\"realtime_factor\":%.3f}",
                   i ? "," : "", rows[i].resolution, rows[i].width, rows[i].height, rows[i].frames, rows[i].cycle_count,
                   rows[i].average_s, rows[i].fastest_s, rows[i].slowest_s, rows[i].relative_fps,
                   rows[i].realtime_factor);
        printf("]\n");
    }
    return EXIT_OK;
}

/* ------------------------------------------------------------ batch-run */

/* A pattern option: --X-pattern, else the -s/-t/-o value. */
static const char *pattern_of(const fu_optset *set, const char *pattern_name, const char *path_name)
{
    const char *v = fu_optset_str(set, pattern_name);
    return v ? v : fu_optset_str(set, path_name);
}

static int cmd_batch_run(facefuse_context *ctx, const fu_optset *set, const fu_run_config *base)
{
    fu_batch_item *items = NULL;
    int n = 0, failed = 0, last_code = EXIT_OK;
    fu_err err;

    fu_err_clear(&err);
    if (fu_batch_expand(pattern_of(set, "--source-pattern", "--source-paths"),
                        pattern_of(set, "--target-pattern", "--target-path"),
                        pattern_of(set, "--output-pattern", "--output-path"), &items, &n, &err) != FACEFUSE_OK ||
        fu_batch_check(items, n, &err) != FACEFUSE_OK) {
        free(items);
        return fail(&err);
    }
    for (int i = 0; i < n && !stop_requested; i++) {
        fu_run_config cfg = *base;
        const char *source = items[i].source;
        cfg.paths.source_paths.v = &source;
        cfg.paths.source_paths.n = source[0] ? 1 : 0;
        cfg.paths.target_path = items[i].target;
        cfg.paths.output_path = items[i].output;
        fu_info("batch %d/%d: %s%s%s -> %s", i + 1, n, items[i].source, items[i].source[0] ? " + " : "",
                items[i].target, items[i].output);
        int code = cmd_headless_run(ctx, set, &cfg);
        if (code != EXIT_OK) {
            failed++;
            last_code = code;
        }
    }
    free(items);
    if (stop_requested)
        return EXIT_STOPPED;
    if (failed)
        fprintf(stderr, "facefuse: error: %d of %d batch steps failed\n", failed, n);
    return failed ? (last_code == EXIT_INVALID ? EXIT_INVALID : EXIT_FAILURE_) : EXIT_OK;
}

/* ------------------------------------------------------------ main */

static int is_command(const char *s)
{
    return strcmp(s, "headless-run") == 0 || strcmp(s, "batch-run") == 0 || strcmp(s, "detect") == 0 ||
           strcmp(s, "force-download") == 0 || strcmp(s, "benchmark") == 0 || strcmp(s, "live") == 0;
}

int main(int argc, char **argv)
{
    fu_optset set;
    fu_run_config cfg;
    facefuse_context *ctx = NULL;
    fu_err err;
    int code;

    memset(&set, 0, sizeof set);
    memset(&cfg, 0, sizeof cfg);
    fu_err_clear(&err);
    if (argc < 2) {
        fprintf(stderr, "usage: facefuse headless-run -s SOURCE... -t TARGET -o OUTPUT [options]\n"
                        "       facefuse batch-run | benchmark | detect IMAGE | force-download | --list-execution-providers\n"
                        "facefuse --help lists the commands and options\n");
        return EXIT_INVALID;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        if (fu_cli_options_load(&set, 0, argv, 0, &err) != FACEFUSE_OK)
            return fail(&err);
        usage(stdout, &set);
        fu_optset_free(&set);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "-v") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("facefuse %s (ONNX Runtime %s)\n", facefuse_version(), fu_ort_version());
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--list-execution-providers") == 0)
        return list_providers();
    if (fu_cmd_jobs_is(argv[1]))
        return fu_cmd_jobs(argc, argv);
    if (strcmp(argv[1], "run") == 0)
        return fu_cmd_run(argc, argv);
    if (fu_cli_studio_is_command(argv[1]))
        return fu_cli_studio_main(argc, argv);
    if (!is_command(argv[1])) {
        fu_fail(&err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown command '%s' (see facefuse --help)", argv[1]);
        return fail(&err);
    }

    fu_stop_install(&stop_requested);
    fu_alloc_keep_freed_memory();
    if (fu_cli_options_load(&set, argc, argv, 2, &err) != FACEFUSE_OK ||
        fu_run_config_init(&cfg, &set, &err) != FACEFUSE_OK || fu_cli_context_new(&cfg, strcmp(argv[1], "benchmark") == 0, &ctx, &err) != FACEFUSE_OK) {
        code = fail(&err);
        goto done;
    }
    /* A stop interrupts model runs, except live mode's: its session ends
     * after the frame in hand, with the recording complete (exit 0). */
    if (strcmp(argv[1], "live") != 0)
        fu_context_set_cancel(ctx, &stop_requested);
    if (fu_cli_config_path())
        fu_debug("options read from %s", fu_cli_config_path());
    if (strcmp(argv[1], "detect") == 0)
        code = cmd_detect(ctx, &set, &cfg);
    else if (strcmp(argv[1], "force-download") == 0)
        code = cmd_force_download(ctx, cfg.context.download_scope);
    else if (strcmp(argv[1], "batch-run") == 0)
        code = cmd_batch_run(ctx, &set, &cfg);
    else if (strcmp(argv[1], "benchmark") == 0)
        code = cmd_benchmark(ctx, &set, &cfg);
    else if (strcmp(argv[1], "live") == 0)
        code = fu_cli_live(ctx, &set, &cfg, &stop_requested, &err) == FACEFUSE_OK ? EXIT_OK : fail(&err);
    else
        code = cmd_headless_run(ctx, &set, &cfg);
done:
    facefuse_context_free(ctx);
    fu_run_config_free(&cfg);
    fu_optset_free(&set);
    return code;
}
