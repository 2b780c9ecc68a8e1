/*
 * cmd_studio.c — commands for rendering a long video across processes and
 * machines, and for checking where a file came from:
 *
 *   segment-plan -t TARGET --segments N [--json]
 *       keyframe-aligned frame ranges, one line "INDEX START END" each, or
 *       a JSON list of {"index","trim_frame_start","trim_frame_end"}
 *   segment-run (--segments N | --plan PLAN.json) --segment K [headless-run options, with -t and -o]
 *       renders segment K with an ordinary headless-run (this program, run
 *       again with --trim-frame-start/--trim-frame-end), unless its piece
 *       is already complete and verified: the batch-engine worker command
 *   concat -t TARGET -o OUTPUT [--segments N | --plan PLAN.json] [--no-decode-check] PIECE...
 *       joins the pieces in order by stream copy with the target's audio;
 *       the pieces are checked against the plan the workers used (default:
 *       as many segments as pieces)
 *   provenance-check FILE [--json] [--watermark-key KEY]
 *       the provenance tag and the invisible watermark of a file
 *
 * Their few options are parsed here, not by the option table (they are
 * not processing options); exit codes as main.c's: 0 ok, 1 failure, 2
 * invalid input, 4 stopped. provenance-check exits 1 when it finds neither
 * tag nor watermark.
 */
#include "cli/cmd_studio.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "core/log.h"
#include "media/video_concat.h"
#include "media/video_index.h"
#include "pipeline/provenance_check.h"
#include "pipeline/segment.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_INVALID = 2, EXIT_STOPPED = 4 };

static volatile int stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    if (stop_requested) {
        fu_output_remove_all_partial();
        _exit(EXIT_STOPPED);
    }
    stop_requested = 1;
}

static int fail_line(const fu_err *err)
{
    fprintf(stderr, "facefuse: error: %s\n", err->msg[0] ? err->msg : facefuse_strerror(err->code));
    switch (err->code) {
    case FACEFUSE_ERR_CANCELLED: return EXIT_STOPPED;
    case FACEFUSE_ERR_INVALID_ARGUMENT:
    case FACEFUSE_ERR_NOT_FOUND:
    case FACEFUSE_ERR_UNSUPPORTED: return EXIT_INVALID;
    default: return EXIT_FAIL;
    }
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "facefuse: error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see facefuse --help)\n");
    return EXIT_INVALID;
}

/* A whole positive number, or -1. */
static long parse_count(const char *s)
{
    char *end;
    long v = s ? strtol(s, &end, 10) : -1;
    return s && *s && !*end && v >= 0 ? v : -1;
}

static int is_opt(const char *arg, const char *a, const char *b)
{
    return !strcmp(arg, a) || (b && !strcmp(arg, b));
}

/* Takes --log-level LEVEL (error warn info debug) out of argv; 0 when bad. */
static int take_log_level(int *argc, char **argv)
{
    for (int i = 2; i < *argc; i++) {
        if (strcmp(argv[i], "--log-level") || i + 1 >= *argc)
            continue;
        static const char *const names[] = {"error", "warn", "info", "debug"};
        int level = -1;
        for (int k = 0; k < 4; k++)
            if (!strcmp(argv[i + 1], names[k]))
                level = k;
        if (level < 0)
            return 0;
        fu_log_set((facefuse_log_level)level, NULL, NULL);
        return 1;
    }
    return 1;
}

/* ------------------------------------------------------------ segment-plan */

static int cmd_segment_plan(int argc, char **argv)
{
    const char *target = NULL;
    long segments = -1;
    int json = 0;
    fu_err err;
    fu_segment_plan plan;

    fu_err_clear(&err);
    for (int i = 2; i < argc; i++) {
        if (is_opt(argv[i], "-t", "--target-path") && i + 1 < argc)
            target = argv[++i];
        else if (is_opt(argv[i], "--segments", NULL) && i + 1 < argc)
            segments = parse_count(argv[++i]);
        else if (is_opt(argv[i], "--json", NULL))
            json = 1;
        else
            return usage_error("segment-plan: unexpected argument '%s'", argv[i]);
    }
    if (!target)
        return usage_error("segment-plan needs a target (-t)%s", "");
    if (segments < 1 || segments > 100000)
        return usage_error("segment-plan needs --segments N with N from 1 to 100000%s", "");
    if (fu_segment_plan_file(target, (int)segments, &plan, &err) != FACEFUSE_OK)
        return fail_line(&err);
    if (plan.count < segments)
        fprintf(stderr, "facefuse: %s has too few keyframes for %ld segments: planned %d\n", target, segments,
                plan.count);
    if (json) {
        char *s = fu_segment_plan_json(&plan);
        if (s)
            printf("%s\n", s);
        free(s);
    } else {
        for (int i = 0; i < plan.count; i++)
            printf("%d %lld %lld\n", plan.segments[i].index, (long long)plan.segments[i].start,
                   (long long)plan.segments[i].end);
    }
    fu_segment_plan_free(&plan);
    return EXIT_OK;
}

/* ------------------------------------------------------------ segment-run */

typedef struct segment_run_args {
    const char *plan_path, *target, *output;
    long segments, segment;
    char **rest;            /* headless-run's arguments */
    int rest_count;
} segment_run_args;

static int parse_segment_run(int argc, char **argv, segment_run_args *a)
{
    memset(a, 0, sizeof *a);
    a->segments = a->segment = -1;
    a->rest = calloc((size_t)argc + 8, sizeof *a->rest);
    if (!a->rest)
        return usage_error("out of memory%s", "");
    for (int i = 2; i < argc; i++) {
        if (is_opt(argv[i], "--segments", NULL) && i + 1 < argc) {
            a->segments = parse_count(argv[++i]);
        } else if (is_opt(argv[i], "--segment", NULL) && i + 1 < argc) {
            a->segment = parse_count(argv[++i]);
        } else if (is_opt(argv[i], "--plan", NULL) && i + 1 < argc) {
            a->plan_path = argv[++i];
        } else if (!strncmp(argv[i], "--trim-frame-", 13)) {
            return usage_error("segment-run sets %s itself", argv[i]);
        } else {
            if (is_opt(argv[i], "-t", "--target-path") && i + 1 < argc)
                a->target = argv[i + 1];
            if (is_opt(argv[i], "-o", "--output-path") && i + 1 < argc)
                a->output = argv[i + 1];
            a->rest[a->rest_count++] = argv[i];
        }
    }
    if (!a->target || !a->output)
        return usage_error("segment-run needs the target (-t) and this segment's output (-o)%s", "");
    struct stat st;
    if (stat(a->output, &st) == 0 && S_ISDIR(st.st_mode))
        return usage_error("segment-run: -o %s is a directory; give each segment's piece its own file name", a->output);
    if (a->segment < 0 || (a->segments < 1 && !a->plan_path))
        return usage_error("segment-run needs --segment K and --segments N (or --plan FILE)%s", "");
    return EXIT_OK;
}

static int cmd_segment_run(int argc, char **argv)
{
    segment_run_args a;
    fu_segment_plan plan;
    fu_err err;
    char start[32], end[32];

    fu_err_clear(&err);
    int code = parse_segment_run(argc, argv, &a);
    if (code != EXIT_OK) {
        free(a.rest);
        return code;
    }
    facefuse_status rc = a.plan_path ? fu_segment_plan_read_json(a.plan_path, &plan, &err)
                                     : fu_segment_plan_file(a.target, (int)a.segments, &plan, &err);
    if (rc != FACEFUSE_OK) {
        free(a.rest);
        return fail_line(&err);
    }
    if (a.segment >= plan.count) {
        fprintf(stderr, "facefuse: the plan of %s has %d segments: nothing to do for segment %ld\n", a.target,
                plan.count, a.segment);
        fu_segment_plan_free(&plan);
        free(a.rest);
        return EXIT_OK;
    }
    const fu_segment *s = &plan.segments[a.segment];
    int stale = fu_output_remove_stale(a.output, 600);
    if (stale)
        fprintf(stderr, "facefuse: removed %d partial file%s of %s left by a stopped worker\n", stale,
                stale == 1 ? "" : "s", a.output);
    fu_err check;
    fu_err_clear(&check);
    if (fu_file_exists(a.output) && fu_video_piece_check(a.output, s->end - s->start, 1, NULL, &check) == FACEFUSE_OK) {
        fprintf(stderr, "facefuse: segment %ld (frames %lld-%lld): %s is complete and verified, skipping\n",
                a.segment, (long long)s->start, (long long)s->end, a.output);
        fu_segment_plan_free(&plan);
        free(a.rest);
        return EXIT_OK;
    }
    if (check.msg[0])
        fprintf(stderr, "facefuse: %s; rendering it again\n", check.msg);
    snprintf(start, sizeof start, "%lld", (long long)s->start);
    snprintf(end, sizeof end, "%lld", (long long)s->end);
    fu_segment_plan_free(&plan);
    /* an ordinary headless-run of this range, in place of this process */
    char **args = calloc((size_t)a.rest_count + 8, sizeof *args);
    if (!args) {
        free(a.rest);
        return usage_error("out of memory%s", "");
    }
    int n = 0;
    args[n++] = argv[0];
    args[n++] = "headless-run";
    for (int i = 0; i < a.rest_count; i++)
        args[n++] = a.rest[i];
    args[n++] = "--trim-frame-start";
    args[n++] = start;
    args[n++] = "--trim-frame-end";
    args[n++] = end;
    args[n] = NULL;
    fflush(NULL);
    execv("/proc/self/exe", args);
    execvp(argv[0], args);
    fprintf(stderr, "facefuse: error: cannot run headless-run for segment %ld: %s\n", a.segment, strerror(errno));
    free(args);
    free(a.rest);
    return EXIT_FAIL;
}

/* ------------------------------------------------------------ concat */

static int cmd_concat(int argc, char **argv)
{
    const char *target = NULL, *output = NULL, *plan_path = NULL;
    const char **pieces = calloc((size_t)argc, sizeof *pieces);
    int count = 0, decode = 1, code = EXIT_OK;
    long segments = 0;
    fu_err err;
    fu_video_index ix;
    fu_segment_plan plan;

    fu_err_clear(&err);
    memset(&plan, 0, sizeof plan);
    memset(&ix, 0, sizeof ix);
    if (!pieces)
        return usage_error("out of memory%s", "");
    for (int i = 2; i < argc; i++) {
        if (is_opt(argv[i], "-t", "--target-path") && i + 1 < argc)
            target = argv[++i];
        else if (is_opt(argv[i], "-o", "--output-path") && i + 1 < argc)
            output = argv[++i];
        else if (is_opt(argv[i], "--plan", NULL) && i + 1 < argc)
            plan_path = argv[++i];
        else if (is_opt(argv[i], "--segments", NULL) && i + 1 < argc) {
            if ((segments = parse_count(argv[++i])) < 1)
                code = usage_error("concat: --segments needs a number from 1 (got '%s')", argv[i]);
        } else if (is_opt(argv[i], "--no-decode-check", NULL))
            decode = 0;
        else if (argv[i][0] == '-' && argv[i][1])
            code = usage_error("concat: unknown option '%s'", argv[i]);
        else
            pieces[count++] = argv[i];
    }
    if (code == EXIT_OK && (!target || !output || count < 1))
        code = usage_error("concat needs -t TARGET -o OUTPUT and the pieces in order%s", "");
    if (code == EXIT_OK && fu_output_check(output, &err) != FACEFUSE_OK) {
        err.code = FACEFUSE_ERR_INVALID_ARGUMENT;
        code = fail_line(&err);
    }
    facefuse_status rc = FACEFUSE_OK;
    if (code == EXIT_OK) {
        rc = fu_video_index_build(target, &ix, &err);
        if (rc == FACEFUSE_OK)
            rc = plan_path ? fu_segment_plan_read_json(plan_path, &plan, &err)
                           : fu_segment_plan_make(&ix, segments > 0 ? (int)segments : count, &plan, &err);
        if (rc == FACEFUSE_OK && (plan.count != count || plan.frames != ix.count))
            rc = fu_fail(&err, FACEFUSE_ERR_INVALID_ARGUMENT,
                         "the %s of %s has %d segments over %lld frames, but %d pieces were given (%lld frames)",
                         plan_path ? "plan" : "keyframe plan", target, plan.count, (long long)plan.frames, count,
                         (long long)ix.count);
        if (rc != FACEFUSE_OK)
            code = fail_line(&err);
    }
    if (code == EXIT_OK) {
        int64_t *starts = malloc((size_t)count * sizeof *starts), *frames = malloc((size_t)count * sizeof *frames);
        for (int k = 0; starts && frames && k < count; k++) {
            starts[k] = plan.segments[k].start;
            frames[k] = plan.segments[k].end - plan.segments[k].start;
        }
        fu_concat_params cp;
        memset(&cp, 0, sizeof cp);
        cp.output_path = output;
        cp.pieces = pieces;
        cp.piece_count = count;
        cp.piece_start = starts;
        cp.piece_frames = frames;
        cp.timing = &ix;
        cp.audio.path = target;
        cp.audio.volume = 100;
        cp.audio.quality = 80;
        cp.check_decode = decode;
        cp.cancel = &stop_requested;
        rc = starts && frames ? fu_video_concat(&cp, &err) : fu_fail(&err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
        code = rc == FACEFUSE_OK ? EXIT_OK : fail_line(&err);
        if (rc == FACEFUSE_OK)
            fu_info("wrote %s from %d pieces", output, count);
        free(starts);
        free(frames);
    }
    fu_segment_plan_free(&plan);
    fu_video_index_free(&ix);
    free(pieces);
    return code;
}

/* ------------------------------------------------------------ provenance-check */

static void print_json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            printf("\\u%04x", (unsigned char)*s);
        else
            putchar(*s);
    }
    putchar('"');
}

static int cmd_provenance_check(int argc, char **argv)
{
    const char *path = NULL, *key = NULL;
    int json = 0;
    fu_err err;
    fu_provenance_report r;

    fu_err_clear(&err);
    for (int i = 2; i < argc; i++) {
        if (is_opt(argv[i], "--json", NULL))
            json = 1;
        else if (is_opt(argv[i], "--watermark-key", NULL) && i + 1 < argc)
            key = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1])
            return usage_error("provenance-check: unknown option '%s'", argv[i]);
        else if (!path)
            path = argv[i];
        else
            return usage_error("provenance-check takes one file (also got '%s')", argv[i]);
    }
    if (!path)
        return usage_error("provenance-check needs a file%s", "");
    if (!fu_file_exists(path)) {
        fu_fail(&err, FACEFUSE_ERR_INVALID_ARGUMENT, "%s does not exist", path);
        return fail_line(&err);
    }
    if (fu_provenance_inspect(path, key, &r, &err) != FACEFUSE_OK) {
        err.code = FACEFUSE_ERR_INVALID_ARGUMENT;
        return fail_line(&err);
    }
    if (json) {
        printf("{\"path\": ");
        print_json_string(path);
        printf(", \"tag\": %s, \"watermark\": {\"found\": %s, \"strength\": %.2f, \"strength_min\": %.2f, "
               "\"strength_max\": %.2f, \"threshold\": %.1f, \"frames\": %d}}\n",
               r.tag ? r.tag : "null", r.watermark_found ? "true" : "false", r.strength, r.strength_min,
               r.strength_max, r.threshold, r.frames);
    } else {
        printf("%s\n  provenance tag: %s\n", path, r.tag ? r.tag : "none");
        printf("  invisible watermark: %s, strength %.1f (threshold %.1f; %d picture%s, %.1f to %.1f)\n",
               r.watermark_found ? "found" : "not found", r.strength, r.threshold, r.frames, r.frames == 1 ? "" : "s",
               r.strength_min, r.strength_max);
    }
    int found = r.tag || r.watermark_found;
    fu_provenance_report_free(&r);
    return found ? EXIT_OK : EXIT_FAIL;
}

/* ------------------------------------------------------------ dispatch */

int fu_cli_studio_is_command(const char *name)
{
    return !strcmp(name, "segment-plan") || !strcmp(name, "segment-run") || !strcmp(name, "concat") ||
           !strcmp(name, "provenance-check");
}

void fu_cli_studio_usage(FILE *out)
{
    fprintf(out,
            "  segment-plan -t TARGET --segments N [--json]              keyframe-aligned frame ranges\n"
            "  segment-run --segments N --segment K [headless-run options] render one segment (skips a verified piece)\n"
            "  concat -t TARGET -o OUTPUT [--segments N] PIECE...         join pieces in order, target audio back\n"
            "  provenance-check FILE [--json]                             provenance tag and invisible watermark\n");
}

int fu_cli_studio_main(int argc, char **argv)
{
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGXFSZ, SIG_IGN);
    /* segment-run hands --log-level on to headless-run */
    if (strcmp(argv[1], "segment-run") && !take_log_level(&argc, argv))
        return usage_error("--log-level takes error, warn, info or debug%s", "");
    if (strcmp(argv[1], "segment-run")) {
        for (int i = 2; i + 1 < argc; i++)
            if (!strcmp(argv[i], "--log-level")) {
                memmove(&argv[i], &argv[i + 2], (size_t)(argc - i - 1) * sizeof *argv);
                argc -= 2;
                break;
            }
    }
    if (!strcmp(argv[1], "segment-plan"))
        return cmd_segment_plan(argc, argv);
    if (!strcmp(argv[1], "segment-run"))
        return cmd_segment_run(argc, argv);
    if (!strcmp(argv[1], "concat"))
        return cmd_concat(argc, argv);
    return cmd_provenance_check(argc, argv);
}
