/*
 * cli_service.c — ADAPTER: the web server's processing service (service.h)
 * over today's option table (options.c) and headless-run, so `facefuse run`
 * works before the real service exists. The lead replaces this file with a
 * service over the per-module option tables and the pipeline:
 *   - options:  the table's step options, defaults from the run command line;
 *   - validate: the table's parser on the step's words;
 *   - probe, frame: the media layer;
 *   - preview:  frame N written as a PNG, then headless-run on it (models are
 *               loaded for each preview: slow, but the real result);
 *   - faces:    facefuse_detect_faces on frame N, thumbnails cropped;
 *   - run_step: fu_cli_run_step (headless-run in this process).
 * Everything goes through headless-run one call at a time.
 */
#include "cli/cli_service.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/options.h"
#include "core/file.h"
#include "media/image_io.h"
#include "media/video_reader.h"
#include "pipeline/jobs/job_args.h"
#include "processors/processor.h"

struct fu_cli_service {
    fu_optset *run_options;     /* the run command's (defaults for the page) */
    fu_cli_step_adapter step;
    char temp_dir[PATH_MAX];
    facefuse_context *ctx;      /* for faces, made on first use */
};

static int is_step_section(const fu_option *o)
{
    static const char *const sections[] = {"face_detector", "face_landmarker", "face_selector", "face_tracker",
                                           "face_masker",   "output_creation", "frame_extraction", "processors",
                                           "workflow"};
    for (size_t i = 0; o->section && i < sizeof sections / sizeof sections[0]; i++)
        if (!strcmp(o->section, sections[i]))
            return 1;
    return 0;
}

static json_t *number_or_string(const char *w, fu_opt_kind kind)
{
    char *end;
    double v = strtod(w, &end);
    if (end != w && !*end && (kind == FU_OPT_INT || kind == FU_OPT_FLOAT || kind == FU_OPT_LIST))
        return kind == FU_OPT_INT || (kind == FU_OPT_LIST && v == floor(v)) ? json_integer((json_int_t)v)
                                                                           : json_real(v);
    return json_string(w);
}

static json_t *split_json(const char *text, fu_opt_kind kind)
{
    json_t *a = json_array();
    char *copy = strdup(text ? text : ""), *save = NULL;
    for (char *w = copy ? strtok_r(copy, " ", &save) : NULL; w; w = strtok_r(NULL, " ", &save))
        json_array_append_new(a, number_or_string(w, kind));
    free(copy);
    return a;
}

static facefuse_status svc_options(void *user, char **json, fu_err *err)
{
    fu_cli_service *c = user;
    int n;
    const fu_option *table = fu_option_table(&n);
    json_t *list = json_array();
    for (int i = 0; i < n; i++) {
        const fu_option *o = &table[i];
        if (!o->implemented || !is_step_section(o))
            continue;
        const char *type = o->kind == FU_OPT_INT ? "int" : o->kind == FU_OPT_FLOAT ? "float"
                         : o->kind == FU_OPT_FLAG ? "bool" : o->kind == FU_OPT_LIST ? "list" : "string";
        const char *value = fu_optset_get(c->run_options, o->name);
        const char *choices = o->choices;
        if (!strcmp(o->name, "--processors"))
            choices = fu_processor_names();
        json_t *def = !value ? json_null()
                    : o->kind == FU_OPT_LIST ? split_json(value, o->kind)
                    : o->kind == FU_OPT_FLAG ? json_boolean(fu_optset_is_set(c->run_options, o->name))
                    : number_or_string(value, o->kind);
        int ranged = o->min < o->max;
        double step = o->kind == FU_OPT_FLOAT ? (o->max - o->min <= 1 ? 0.05 : 0.25) : 1;
        json_t *entry = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:s,s:b}", "name", o->name, "group",
                                  o->section, "type", type, "choices",
                                  choices ? split_json(choices, FU_OPT_STRING) : json_null(), "min",
                                  ranged ? json_real(o->min) : json_null(), "max",
                                  ranged ? json_real(o->max) : json_null(), "step",
                                  ranged ? json_real(step) : json_null(), "default", def, "help", o->help,
                                  "multiple", o->kind == FU_OPT_LIST);
        json_array_append_new(list, entry);
    }
    *json = json_dumps(list, JSON_COMPACT);
    json_decref(list);
    return *json ? FACEFUSE_OK : fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
}

static facefuse_status svc_validate(void *user, const char *args_json, fu_err *err)
{
    char **words = NULL;
    int count = 0;
    fu_optset set;
    (void)user;
    facefuse_status st = fu_job_args_to_argv(args_json, &words, &count, err);
    if (st != FACEFUSE_OK)
        return st;
    for (int i = 0; i < count; i++) {
        const fu_option *o = words[i][0] == '-' && words[i][1] == '-' ? fu_option_find(words[i]) : NULL;
        if (words[i][0] == '-' && words[i][1] == '-' && (!o || !o->implemented)) {
            st = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown option %s", words[i]);
            free(words);
            return st;
        }
    }
    char **argv = calloc((size_t)count + 2, sizeof *argv);
    if (!argv) {
        free(words);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    }
    argv[0] = "facefuse";
    for (int i = 0; i < count; i++)
        argv[i + 1] = words[i];
    memset(&set, 0, sizeof set);
    st = fu_optset_parse(&set, count + 1, argv, 1, err);
    fu_optset_free(&set);
    free(argv);
    free(words);
    return st;
}

static facefuse_status svc_probe(void *user, const char *path, fu_service_media *m, fu_err *err)
{
    (void)user;
    if (fu_image_path_is_image(path)) {
        facefuse_image im = {0};
        facefuse_status st = fu_image_read(path, &im, err);
        if (st != FACEFUSE_OK)
            return st;
        snprintf(m->kind, sizeof m->kind, "image");
        m->width = im.width;
        m->height = im.height;
        m->frame_count = 1;
        facefuse_image_free(&im);
        return FACEFUSE_OK;
    }
    if (fu_path_is_audio(path)) {
        snprintf(m->kind, sizeof m->kind, "audio");
        return FACEFUSE_OK;
    }
    fu_video_info info;
    facefuse_status st = fu_video_probe(path, &info, err);
    if (st != FACEFUSE_OK)
        return st;
    snprintf(m->kind, sizeof m->kind, "video");
    m->width = info.width;
    m->height = info.height;
    m->frame_count = info.frame_count;
    m->fps = info.fps;
    m->duration_s = info.duration_s;
    return FACEFUSE_OK;
}

static facefuse_status read_frame(const char *path, int64_t frame, facefuse_image *im, fu_err *err)
{
    if (fu_image_path_is_image(path))
        return fu_image_read(path, im, err);
    return fu_video_read_frame_at(path, frame, im, err);
}

static facefuse_status encode(const facefuse_image *im, fu_service_image *out, fu_err *err)
{
    facefuse_status st = fu_image_encode(im, "jpg", 90, &out->data, &out->size, err);
    snprintf(out->mime, sizeof out->mime, "image/jpeg");
    return st;
}

static facefuse_status svc_frame(void *user, const char *path, int64_t frame, fu_service_image *out, fu_err *err)
{
    facefuse_image im = {0};
    (void)user;
    facefuse_status st = read_frame(path, frame, &im, err);
    if (st == FACEFUSE_OK)
        st = encode(&im, out, err);
    facefuse_image_free(&im);
    return st;
}

static facefuse_status read_bytes(const char *path, fu_service_image *out, fu_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot read the preview %s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    out->data = n > 0 ? malloc((size_t)n) : NULL;
    out->size = out->data && fread(out->data, 1, (size_t)n, f) == (size_t)n ? (size_t)n : 0;
    fclose(f);
    snprintf(out->mime, sizeof out->mime, "image/jpeg");
    return out->size ? FACEFUSE_OK : fu_fail(err, FACEFUSE_ERR_IO, "cannot read the preview %s", path);
}

static facefuse_status svc_preview(void *user, const char *args_json, int64_t frame, fu_service_image *out,
                                   fu_err *err)
{
    fu_cli_service *c = user;
    char target[PATH_MAX], still[PATH_MAX + 32], result[PATH_MAX + 32], *a = NULL, *b = NULL, *d = NULL;
    int found;
    facefuse_image im = {0};
    facefuse_status st = fu_job_args_first(args_json, FU_ARG_TARGET_PATH, target, sizeof target, &found, err);
    if (st != FACEFUSE_OK)
        return st;
    snprintf(still, sizeof still, "%s/frame.png", c->temp_dir);
    snprintf(result, sizeof result, "%s/preview.jpg", c->temp_dir);
    st = read_frame(target, frame, &im, err);
    if (st == FACEFUSE_OK)
        st = fu_image_write(still, &im, 100, err);
    facefuse_image_free(&im);
    /* The still is the target now: a video's trim and reference frame do not apply. */
    const char *still_words[1] = {still}, *result_words[1] = {result};
    if (st == FACEFUSE_OK)
        st = fu_job_args_set(args_json, FU_ARG_TARGET_PATH, still_words, 1, &a, err);
    if (st == FACEFUSE_OK)
        st = fu_job_args_set(a, FU_ARG_OUTPUT_PATH, result_words, 1, &b, err);
    if (st == FACEFUSE_OK) {
        json_t *o = json_loads(b, 0, NULL);
        json_object_del(o, "--trim-frame-start");
        json_object_del(o, "--trim-frame-end");
        json_object_del(o, "--reference-frame-number");
        d = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
        volatile int cancel = 0;
        st = d ? fu_cli_run_step(&c->step, d, NULL, &cancel, err) : fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "oom");
    }
    if (st == FACEFUSE_OK)
        st = read_bytes(result, out, err);
    unlink(still);
    unlink(result);
    free(a);
    free(b);
    free(d);
    return st;
}

static facefuse_status context(fu_cli_service *c, fu_err *err)
{
    if (c->ctx)
        return FACEFUSE_OK;
    facefuse_context_params p = facefuse_context_default_params();
    p.model_dir = fu_optset_get(c->run_options, "--model-dir");
    p.log_level = FACEFUSE_LOG_WARN;
    if (facefuse_context_new(&p, &c->ctx) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "cannot create the facefuse context");
    return FACEFUSE_OK;
}

/* The face's box with a margin, clamped, cropped into a thumbnail. */
static facefuse_status thumbnail(const facefuse_image *im, const float box[4], fu_service_image *out, fu_err *err)
{
    float w = box[2] - box[0], h = box[3] - box[1];
    int x0 = (int)fmaxf(0, box[0] - w * 0.2f), y0 = (int)fmaxf(0, box[1] - h * 0.2f);
    int x1 = (int)fminf((float)im->width, box[2] + w * 0.2f), y1 = (int)fminf((float)im->height, box[3] + h * 0.2f);
    facefuse_image crop = {0};
    if (x1 <= x0 || y1 <= y0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "empty face box");
    if (facefuse_image_alloc(&crop, x1 - x0, y1 - y0, im->channels) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    for (int y = 0; y < crop.height; y++)
        memcpy(crop.data + (size_t)y * crop.stride, im->data + (size_t)(y0 + y) * im->stride + (size_t)x0 * im->channels,
               (size_t)crop.width * im->channels);
    facefuse_status st = encode(&crop, out, err);
    facefuse_image_free(&crop);
    return st;
}

static facefuse_status svc_faces(void *user, const char *args_json, int64_t frame, fu_service_face **faces,
                                 int *count, fu_err *err)
{
    fu_cli_service *c = user;
    char target[PATH_MAX], **words = NULL;
    int found, nwords = 0, n = 0;
    fu_optset set;
    fu_run_config cfg;
    facefuse_image im = {0};
    facefuse_face *found_faces = NULL;
    *faces = NULL;
    *count = 0;
    memset(&set, 0, sizeof set);
    facefuse_status st = fu_job_args_first(args_json, FU_ARG_TARGET_PATH, target, sizeof target, &found, err);
    if (st == FACEFUSE_OK)
        st = fu_job_args_to_argv(args_json, &words, &nwords, err);
    if (st == FACEFUSE_OK) {
        char **argv = calloc((size_t)nwords + 2, sizeof *argv);
        argv[0] = "facefuse";
        for (int i = 0; i < nwords; i++)
            argv[i + 1] = words[i];
        st = fu_optset_parse(&set, nwords + 1, argv, 1, err);
        free(argv);
    }
    if (st == FACEFUSE_OK)
        st = fu_options_to_config(&set, &cfg, err);
    if (st == FACEFUSE_OK)
        st = context(c, err);
    if (st == FACEFUSE_OK)
        st = read_frame(target, frame, &im, err);
    if (st == FACEFUSE_OK && facefuse_detect_faces(c->ctx, &im, &cfg.analysis, &found_faces, &n) != FACEFUSE_OK)
        st = fu_fail(err, FACEFUSE_ERR_INFERENCE, "%s", facefuse_context_errmsg(c->ctx));
    if (st == FACEFUSE_OK && n > 0) {
        *faces = calloc((size_t)n, sizeof **faces);
        for (int i = 0; *faces && i < n && st == FACEFUSE_OK; i++) {
            memcpy((*faces)[i].box, found_faces[i].box, sizeof found_faces[i].box);
            (*faces)[i].score = found_faces[i].detector_score;
            st = thumbnail(&im, found_faces[i].box, &(*faces)[i].thumbnail, err);
        }
        *count = *faces ? n : 0;
    }
    facefuse_faces_free(found_faces);
    facefuse_image_free(&im);
    fu_optset_free(&set);
    free(words);
    return st;
}

facefuse_status fu_cli_service_new(fu_optset *run_options, const fu_cli_step_adapter *step, fu_cli_service **out,
                                   fu_err *err)
{
    fu_cli_service *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    c->run_options = run_options;
    c->step = *step;
    const char *tmp = getenv("TMPDIR");
    snprintf(c->temp_dir, sizeof c->temp_dir, "%s/facefuse-preview-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(c->temp_dir)) {
        free(c);
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot make a preview directory: %s", strerror(errno));
    }
    *out = c;
    return FACEFUSE_OK;
}

void fu_cli_service_free(fu_cli_service *c)
{
    if (!c)
        return;
    facefuse_context_free(c->ctx);
    rmdir(c->temp_dir);
    free(c);
}

static facefuse_status svc_run_step(void *user, const char *args_json, const fu_job_progress *progress,
                                    volatile int *cancel, fu_err *err)
{
    fu_cli_service *c = user;
    return fu_cli_run_step(&c->step, args_json, progress, cancel, err);
}

fu_service fu_cli_service_table(fu_cli_service *c)
{
    fu_service s = {c, svc_options, svc_validate, svc_probe, svc_frame, svc_preview, svc_faces, svc_run_step};
    return s;
}
