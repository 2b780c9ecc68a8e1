/*
 * main.c — the facefuse command-line program.
 *
 * Commands follow FaceFusion's: headless-run, force-download, plus
 * facefuse's own `detect` for scripting. Exit codes as FaceFusion:
 *   0 success, 1 failure, 2 invalid input or failed pre-check
 *   (bad option, unreadable media, no face in a source, missing/corrupt model),
 *   4 stopped by the user (Ctrl-C).
 * Every failure prints one line on stderr: "facefuse: error: <what and where>".
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/batch.h"
#include "cli/cmd_studio.h"
#include "cli/options.h"
#include "core/file.h"
#include "core/log.h"
#include "face/analyse.h"
#include "infer/context.h"
#include "infer/download.h"
#include "infer/registry.h"
#include "media/image_io.h"
#include "media/video_writer.h"
#include "pipeline/image_run.h"
#include "pipeline/video_workflow.h"

enum { EXIT_OK = 0, EXIT_FAILURE_ = 1, EXIT_INVALID = 2, EXIT_STOPPED = 4 };

/* Set by SIGINT/SIGTERM; the video engine polls it and stops within a second. */
static volatile int stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    if (stop_requested) {
        /* Second Ctrl-C: leave now, without partial files. */
        fu_output_remove_all_partial();
        _exit(EXIT_STOPPED);
    }
    stop_requested = 1;
}

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
    fprintf(stderr, "facefuse: error: %s\n", err->msg[0] ? err->msg : facefuse_strerror(err->code));
    return exit_code_of(err->code);
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: facefuse <command> [options]\n"
            "\n"
            "commands:\n"
            "  headless-run -s SOURCE... -t TARGET -o OUTPUT [options]   process a target without UI\n"
            "  batch-run -s 'SRC*' -t 'TGT*' -o 'out/{source_name}-{target_name}.{target_extension}'\n"
            "  detect IMAGE [--json] [options]                           print the faces found\n"
            "  force-download                                             fetch and verify every model\n"
            "  --list-execution-providers                                 what this build can run on\n"
            "  -v, --version\n");
    fu_cli_studio_usage(out);
    fprintf(out, "\noptions:\n");
    fu_options_print_help(out);
    fprintf(out, "\nexit codes: 0 ok, 1 failure, 2 invalid input or pre-check, 4 stopped\n");
}

static facefuse_log_level level_of(const char *name)
{
    if (strcmp(name, "error") == 0)
        return FACEFUSE_LOG_ERROR;
    if (strcmp(name, "warn") == 0)
        return FACEFUSE_LOG_WARN;
    if (strcmp(name, "debug") == 0)
        return FACEFUSE_LOG_DEBUG;
    return FACEFUSE_LOG_INFO;
}

/* ONNX Runtime's intra-op threads a session: for a video, frames are
 * processed by several workers, so each Run gets cores / workers threads
 * (no oversubscription); for an image, ORT's default (all cores). */
static int intra_op_threads(const fu_run_config *cfg)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int workers = cfg->execution_thread_count > 0 ? cfg->execution_thread_count : (int)cores;
    if (!cfg->target_path || fu_image_path_is_image(cfg->target_path) || workers <= 0)
        return 0;
    return cores / workers > 1 ? (int)(cores / workers) : 1;
}

/* Context from the execution, download and path options. */
static facefuse_status make_context(const fu_optset *set, const fu_run_config *cfg, facefuse_context **ctx,
                                    fu_err *err)
{
    facefuse_context_params p = facefuse_context_default_params();
    const char *providers = fu_optset_get(set, "--execution-providers");
    const char *device_ids = fu_optset_get(set, "--execution-device-ids");
    char buf[256];
    int n = 0;

    p.model_dir = fu_optset_get(set, "--model-dir");
    p.log_level = level_of(fu_optset_get(set, "--log-level"));
    p.download_providers = fu_optset_get(set, "--download-providers");
    p.execution_thread_count = intra_op_threads(cfg);
    p.execution_device_id = device_ids ? atoi(device_ids) : 0;
    snprintf(buf, sizeof buf, "%s", providers ? providers : "cpu");
    static char names[FACEFUSE_MAX_PROVIDERS][16];
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w && n < FACEFUSE_MAX_PROVIDERS;
         w = strtok_r(NULL, " ", &save)) {
        snprintf(names[n], sizeof names[n], "%s", w);
        p.execution_providers[n] = names[n];
        n++;
    }
    p.execution_providers[n] = NULL;
    {
        fu_providers check = {{0}, 0, 0};
        for (int i = 0; i < n; i++)
            check.names[i] = p.execution_providers[i];
        if (fu_ort_check_providers(&check, err) != FACEFUSE_OK)
            return err->code;
    }
    if (facefuse_context_new(&p, ctx) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "cannot create the facefuse context");
    /* Models fetched on first use show a progress bar (on a terminal). */
    (*ctx)->store.progress = fu_progress_bar;
    return FACEFUSE_OK;
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
    for (const char *c = path; *c; c++)
        printf(*c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
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
    const char *path = set->positional_count > 1 ? set->positional[1] : cfg->target_path;
    if (!path) {
        fu_fail(&err, FACEFUSE_ERR_INVALID_ARGUMENT, "detect needs an image path");
        return fail(&err);
    }
    if (fu_image_read(path, &image, &err) != FACEFUSE_OK)
        return fail(&err);
    optional_models(ctx, &a);
    if (facefuse_detect_faces(ctx, &image, &a, &faces, &n) != FACEFUSE_OK) {
        fu_fail(&err, ctx->err.code, "%s", facefuse_context_errmsg(ctx));
        facefuse_image_free(&image);
        return fail(&err);
    }
    if (fu_optset_is_set(set, "--json")) {
        print_faces_json(path, faces, n);
    } else {
        printf("%s: %d face%s\n", path, n, n == 1 ? "" : "s");
        for (int i = 0; i < n; i++)
            printf("  face %d: box %.1f,%.1f,%.1f,%.1f score %.3f angle %d\n", i, faces[i].box[0], faces[i].box[1],
                   faces[i].box[2], faces[i].box[3], faces[i].detector_score, faces[i].angle_deg);
    }
    facefuse_faces_free(faces);
    facefuse_image_free(&image);
    return EXIT_OK;
}

/* ------------------------------------------------------------ force-download */

static int cmd_force_download(facefuse_context *ctx)
{
    const fu_model_def *const *all = fu_model_all();
    int failed = 0, total = 0;
    fu_err err;

    for (int i = 0; all[i]; i++) {
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

/* -o may name a directory: the output is then <dir>/<target name>. */
static const char *resolve_output(const char *output, const char *target, char *buf, size_t size)
{
    struct stat st;
    if (output && stat(output, &st) == 0 && S_ISDIR(st.st_mode)) {
        const char *slash = strrchr(target, '/');
        snprintf(buf, size, "%s/%s", output, slash ? slash + 1 : target);
        return buf;
    }
    return output;
}

static int cmd_headless_run(facefuse_context *ctx, fu_run_config *cfg)
{
    char output[PATH_MAX + 256];
    fu_err err;
    int selected = 0;

    fu_err_clear(&err);
    if (!cfg->target_path) {
        fu_fail(&err, FACEFUSE_ERR_INVALID_ARGUMENT, "no target given (-t/--target-path)");
        return fail(&err);
    }
    if (!cfg->output_path) {
        fu_fail(&err, FACEFUSE_ERR_INVALID_ARGUMENT, "no output given (-o/--output-path)");
        return fail(&err);
    }
    cfg->output_path = resolve_output(cfg->output_path, cfg->target_path, output, sizeof output);
    if (!fu_file_exists(cfg->target_path)) {
        fu_fail(&err, FACEFUSE_ERR_INVALID_ARGUMENT, "target %s does not exist", cfg->target_path);
        return fail(&err);
    }
    if (fu_output_check(cfg->output_path, &err) != FACEFUSE_OK) {
        err.code = FACEFUSE_ERR_INVALID_ARGUMENT; /* a pre-check, as FaceFusion's */
        return fail(&err);
    }
    /* Output formats are checked before any work is done. */
    int target_is_image = fu_image_path_is_image(cfg->target_path);
    if (target_is_image && !fu_image_path_is_writable(cfg->output_path)) {
        fu_fail(&err, FACEFUSE_ERR_INVALID_ARGUMENT,
                "output %s: an image target is written as .jpg, .png or .webp", cfg->output_path);
        return fail(&err);
    }
    if (!target_is_image && (fu_image_path_is_image(cfg->output_path) || !fu_video_path_is_writable(cfg->output_path))) {
        fu_fail(&err, FACEFUSE_ERR_INVALID_ARGUMENT,
                "output %s: a video target is written as a video (.mp4, .mov, .mkv, .webm, .avi, ...)",
                cfg->output_path);
        return fail(&err);
    }
    if (!target_is_image) {
        cfg->target_is_video = 1;
        if (fu_run_video(ctx, cfg, &stop_requested, &err) != FACEFUSE_OK)
            return fail(&err);
    } else if (fu_run_image(ctx, cfg, &selected, &err) != FACEFUSE_OK) {
        return fail(&err);
    }
    if (stop_requested) {
        fu_fail(&err, FACEFUSE_ERR_CANCELLED, "stopped");
        return fail(&err);
    }
    fu_info("wrote %s", cfg->output_path);
    return EXIT_OK;
}

/* ------------------------------------------------------------ batch-run */

/* A pattern option: --X-pattern, else the -s/-t/-o value. */
static const char *pattern_of(const fu_optset *set, const char *pattern_name, const char *path_name)
{
    const char *v = fu_optset_get(set, pattern_name);
    return v ? v : fu_optset_get(set, path_name);
}

static int cmd_batch_run(facefuse_context *ctx, const fu_optset *set, const fu_run_config *base)
{
    fu_batch_item *items = NULL;
    int n = 0, failed = 0, last_code = EXIT_OK;
    fu_err err;

    fu_err_clear(&err);
    if (fu_batch_expand(pattern_of(set, "--source-pattern", "--source-paths"),
                        pattern_of(set, "--target-pattern", "--target-path"),
                        pattern_of(set, "--output-pattern", "--output-path"), &items, &n, &err) != FACEFUSE_OK)
        return fail(&err);
    for (int i = 0; i < n && !stop_requested; i++) {
        fu_run_config cfg = *base;
        cfg.source_count = items[i].source[0] ? 1 : 0;
        cfg.source_paths[0] = items[i].source;
        cfg.target_path = items[i].target;
        cfg.output_path = items[i].output;
        fu_info("batch %d/%d: %s%s%s -> %s", i + 1, n, items[i].source, items[i].source[0] ? " + " : "",
                items[i].target, items[i].output);
        int code = cmd_headless_run(ctx, &cfg);
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
           strcmp(s, "force-download") == 0;
}

int main(int argc, char **argv)
{
    fu_optset set;
    fu_run_config cfg;
    facefuse_context *ctx = NULL;
    fu_err err;
    int code;

    memset(&set, 0, sizeof set);
    fu_err_clear(&err);
    if (argc < 2) {
        usage(stderr);
        return EXIT_INVALID;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "-v") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("facefuse %s (ONNX Runtime %s)\n", facefuse_version(), fu_ort_version());
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--list-execution-providers") == 0)
        return list_providers();
    if (fu_cli_studio_is_command(argv[1]))
        return fu_cli_studio_main(argc, argv);
    if (!is_command(argv[1])) {
        fu_fail(&err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown command '%s' (see facefuse --help)", argv[1]);
        return fail(&err);
    }

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    /* A file-size limit (or a full quota) must fail the write, not kill us
     * with a partial file left behind. */
    signal(SIGXFSZ, SIG_IGN);
    if (fu_optset_parse(&set, argc, argv, 1, &err) != FACEFUSE_OK) {
        code = fail(&err);
        goto done;
    }
    const char *ini = fu_optset_get(&set, "--config-path");
    if ((fu_optset_is_set(&set, "--config-path") || fu_file_exists(ini)) &&
        fu_optset_load_ini(&set, ini, &err) != FACEFUSE_OK) {
        code = fail(&err);
        goto done;
    }
    if (fu_options_to_config(&set, &cfg, &err) != FACEFUSE_OK) {
        code = fail(&err);
        goto done;
    }
    if (make_context(&set, &cfg, &ctx, &err) != FACEFUSE_OK) {
        code = fail(&err);
        goto done;
    }
    if (strcmp(argv[1], "detect") == 0)
        code = cmd_detect(ctx, &set, &cfg);
    else if (strcmp(argv[1], "force-download") == 0)
        code = cmd_force_download(ctx);
    else if (strcmp(argv[1], "batch-run") == 0)
        code = cmd_batch_run(ctx, &set, &cfg);
    else
        code = cmd_headless_run(ctx, &cfg);
done:
    facefuse_context_free(ctx);
    fu_optset_free(&set);
    return code;
}
