/*
 * pipeline_service.c — the web UI's service on the pipeline (see
 * pipeline_service.h): options from the tables, steps checked and
 * completed through an option set, previews and faces through one cached
 * chain, job steps through the step runner.
 *
 * The server calls everything but run_step one at a time; run_step runs on
 * the job workers. `lock` guards the preview cache, which holds model
 * sessions (through the chain), against the step runner's unloading
 * between jobs (release()).
 */
#include "server/pipeline_service.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/file.h"
#include "core/image.h"
#include "face/analyse.h"
#include "infer/context.h"
#include "media/image_io.h"
#include "media/resize.h"
#include "media/video_reader.h"
#include "pipeline/chain.h"
#include "pipeline/jobs/job_step.h"
#include "processors/deep_swapper.h"
#include "processors/processor.h"

#define PREVIEW_JPEG_QUALITY 90
#define CACHED_FRAMES 2

typedef struct cached_frame {
    char path[PATH_MAX];
    int64_t index;
    facefuse_image image;       /* data NULL when empty */
    unsigned used;              /* last use, for replacing the oldest */
} cached_frame;

struct fu_pipeline_service {
    facefuse_context *ctx;
    fu_optset base;             /* the run's values, paths left out: every step starts here */
    fu_step_runner *runner;
    pthread_mutex_t lock;
    cached_frame frames[CACHED_FRAMES];
    unsigned clock;
    /* the prepared chain and the step it was prepared for */
    char *chain_key;
    fu_optset chain_set;
    fu_run_config chain_cfg;
    fu_chain *chain;
    /* the reference frame's faces and what they depend on (frame, analysis) */
    char reference_key[PATH_MAX + 512];
    facefuse_face *reference_faces;
    int reference_count;
};

/* ------------------------------------------------------------ steps */

/* set and cfg for a step's JSON over the run's values (free set, also on
 * failure, and cfg). */
static facefuse_status build(fu_pipeline_service *s, const char *json, fu_optset *set, fu_run_config *cfg, fu_err *err)
{
    int n;
    const fu_option_group *const *groups = fu_run_option_groups(&n);
    facefuse_status rc = fu_optset_init(set, groups, n, err);
    memset(cfg, 0, sizeof *cfg);
    if (rc == FACEFUSE_OK)
        rc = fu_optset_copy(set, &s->base, 0, 0, err);
    if (rc == FACEFUSE_OK)
        rc = fu_job_step_apply(set, json, err);
    if (rc == FACEFUSE_OK)
        rc = fu_run_config_init(cfg, set, err);
    return rc;
}

static facefuse_status svc_validate(void *user, const char *json, char **step_json, fu_err *err)
{
    fu_optset set;
    fu_run_config cfg;
    facefuse_status rc = build(user, json, &set, &cfg, err);
    if (rc == FACEFUSE_OK && step_json)
        rc = fu_job_step_json(&set, step_json, err);
    fu_run_config_free(&cfg);
    fu_optset_free(&set);
    return rc;
}

/* ------------------------------------------------------------ options */

static json_t *word_json(const fu_option *o, const char *w)
{
    if (o->type == FU_OPT_INT || o->type == FU_OPT_INTS)
        return json_integer((json_int_t)strtoll(w, NULL, 10));
    if (o->type == FU_OPT_FLOAT)
        return json_real(strtod(w, NULL));
    if (o->type == FU_OPT_BOOL)
        return json_boolean(strcmp(w, "true") == 0);
    return json_string(w);
}

static json_t *value_json(const fu_option *o, const fu_optval *v)
{
    if (o->type == FU_OPT_STRINGS || o->type == FU_OPT_INTS) {
        json_t *a = json_array();
        for (int i = 0; a && i < v->n; i++)
            json_array_append_new(a, word_json(o, v->words[i]));
        return a;
    }
    return v->n ? word_json(o, v->words[0]) : json_null();
}

/* The user's own deep swapper models (<model dir>/custom/NAME.*), as
 * "custom/NAME" after FaceFusion's: its model dropdown lists them too. */
static void add_custom_models(fu_pipeline_service *s, json_t *choices)
{
    char **ids = NULL;
    int n = 0;
    if (fu_deep_swapper_custom_models(s->ctx->store.dir, &ids, &n, NULL) != FACEFUSE_OK)
        return;
    for (int i = 0; i < n; i++) {
        json_t *id = json_string(ids[i]); /* NULL for a name that is not UTF-8: left out */
        if (id)
            json_array_append_new(choices, id);
    }
    fu_deep_swapper_free_ids(ids, n);
}

/* The choices the page may offer: the table's, less the values this build
 * refuses, and for the processor list those this build has. */
static json_t *choices_json(fu_pipeline_service *s, const fu_option *o)
{
    const char *choices = fu_option_choices(o); /* the table's, or those the module builds */
    char *buf, *save = NULL;
    if (!choices)
        return json_null();
    if (!(buf = strdup(choices)))
        return NULL;
    json_t *a = json_array();
    for (char *w = strtok_r(buf, " ", &save); a && w; w = strtok_r(NULL, " ", &save)) {
        if (o->unsupported && fu_word_index(o->unsupported, w) >= 0)
            continue;
        if (!strcmp(o->name, "--processors") && !fu_processor_find(w))
            continue;
        json_array_append_new(a, word_json(o, w));
    }
    free(buf);
    if (a && !strcmp(o->name, "--deep-swapper-model"))
        add_custom_models(s, a);
    return a;
}

static json_t *number_or_null(int ranged, double v)
{
    return ranged ? json_real(v) : json_null();
}

static facefuse_status svc_options(void *user, char **out, fu_err *err)
{
    fu_pipeline_service *s = user;
    json_t *list = json_array();
    for (int i = 0; list && i < s->base.count; i++) {
        const fu_option *o = fu_optset_option(&s->base, i);
        const fu_option_group *g = fu_optset_group_of(&s->base, i);
        if ((o->flags & (FU_OPTF_JOB | FU_OPTF_FRONT | FU_OPTF_PATH)) || !fu_job_step_option(o))
            continue;
        if (!strcmp(o->name, "--quality-report")) /* a path: the server names it ("report": true) */
            continue;
        int ranged = o->min < o->max;
        json_t *e = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:s,s:b}", "name", o->name, "group", g->title,
                              "module", g->id, "type", fu_option_type_name(o), "choices", choices_json(s, o), "min",
                              number_or_null(ranged, o->min), "max", number_or_null(ranged, o->max), "step",
                              number_or_null(ranged && o->step > 0, o->step), "default",
                              value_json(o, &s->base.vals[i]), "help", o->help ? o->help : "", "multiple",
                              o->type == FU_OPT_STRINGS || o->type == FU_OPT_INTS);
        if (!e || json_array_append_new(list, e) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    *out = list ? json_dumps(list, JSON_COMPACT) : NULL;
    json_decref(list);
    return *out ? FACEFUSE_OK : fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory listing the options");
}

/* ------------------------------------------------------------ media */

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

/* Frame `index` of an image or video, decoded once and kept (the last two
 * asked for). The image belongs to the cache; call with s->lock held. */
static facefuse_status frame_of(fu_pipeline_service *s, const char *path, int64_t index, const facefuse_image **out,
                                fu_err *err)
{
    cached_frame *slot = &s->frames[0];
    int image = fu_image_path_is_image(path);
    if (image)
        index = 0;
    for (int i = 0; i < CACHED_FRAMES; i++) {
        cached_frame *f = &s->frames[i];
        if (f->image.data && f->index == index && !strcmp(f->path, path)) {
            f->used = ++s->clock;
            *out = &f->image;
            return FACEFUSE_OK;
        }
        if (!f->image.data || (slot->image.data && f->used < slot->used))
            slot = f;
    }
    facefuse_image_free(&slot->image);
    memset(&slot->image, 0, sizeof slot->image);
    facefuse_status st = image ? fu_image_read(path, &slot->image, err)
                               : fu_video_read_frame_at(path, index, &slot->image, err);
    if (st != FACEFUSE_OK) {
        facefuse_image_free(&slot->image);
        memset(&slot->image, 0, sizeof slot->image);
        return st;
    }
    snprintf(slot->path, sizeof slot->path, "%s", path);
    slot->index = index;
    slot->used = ++s->clock;
    *out = &slot->image;
    return FACEFUSE_OK;
}

/* JPEG, or PNG for a frame with alpha (a transparent background the
 * background remover made shows as such). */
static facefuse_status encode(const facefuse_image *im, fu_service_image *out, fu_err *err)
{
    int alpha = im->channels == 4;
    facefuse_status st = fu_image_encode(alpha ? "png" : "jpg", im, PREVIEW_JPEG_QUALITY, &out->data, &out->size, err);
    snprintf(out->mime, sizeof out->mime, alpha ? "image/png" : "image/jpeg");
    return st;
}

static facefuse_status svc_frame(void *user, const char *path, int64_t index, fu_service_image *out, fu_err *err)
{
    fu_pipeline_service *s = user;
    const facefuse_image *im;
    pthread_mutex_lock(&s->lock);
    facefuse_status st = frame_of(s, path, index, &im, err);
    if (st == FACEFUSE_OK)
        st = encode(im, out, err);
    pthread_mutex_unlock(&s->lock);
    return st;
}

/* ------------------------------------------------------------ preview */

static void drop_chain(fu_pipeline_service *s)
{
    fu_chain_free(s->chain);
    s->chain = NULL;
    if (s->chain_key) {
        fu_run_config_free(&s->chain_cfg);
        fu_optset_free(&s->chain_set);
    }
    free(s->chain_key);
    s->chain_key = NULL;
}

/* What the reference faces depend on: the frame and the analysis. */
static void reference_key(const char *target, int frame, const facefuse_analysis_params *a, char *key, size_t size)
{
    snprintf(key, size, "%s#%d#%s/%d/%g/%d:%d,%d,%d,%d/%d,%d,%d,%d#%s/%g/%s#%s#%s", target, frame,
             a->detector_model ? a->detector_model : "", a->detector_size, a->detector_score, a->detector_angle_count,
             a->detector_angles[0], a->detector_angles[1], a->detector_angles[2], a->detector_angles[3],
             a->detector_margin[0], a->detector_margin[1], a->detector_margin[2], a->detector_margin[3],
             a->landmarker_model ? a->landmarker_model : "", a->landmarker_score,
             a->landmark_5_to_68_model ? a->landmark_5_to_68_model : "",
             a->recognizer_model ? a->recognizer_model : "", a->classifier_model ? a->classifier_model : "");
}

/* The chain's reference faces: those found before for the same frame and
 * analysis (a moved slider does not analyse the reference frame again),
 * else analysed now and kept. */
static facefuse_status set_reference(fu_pipeline_service *s, const char *target, fu_err *err)
{
    char key[sizeof s->reference_key];
    const facefuse_image *frame;
    int frame_number = s->chain_cfg.selector_settings.reference_frame_number;
    int n = 0;
    if (!fu_chain_uses_faces(s->chain))
        return FACEFUSE_OK;
    reference_key(target, frame_number, fu_chain_analysis(s->chain), key, sizeof key);
    if (s->reference_key[0] && !strcmp(key, s->reference_key))
        return fu_chain_set_reference_faces(s->chain, s->reference_faces, s->reference_count, err);
    facefuse_status rc = frame_of(s, target, frame_number, &frame, err);
    if (rc == FACEFUSE_OK)
        rc = fu_chain_set_reference(s->chain, frame, err);
    if (rc != FACEFUSE_OK)
        return rc;
    const facefuse_face *faces = fu_chain_reference_faces(s->chain, &n);
    facefuse_face *copy = n > 0 ? malloc((size_t)n * sizeof *copy) : NULL;
    free(s->reference_faces);
    s->reference_faces = copy;
    s->reference_count = copy ? n : 0;
    s->reference_key[0] = '\0';
    if (copy) {
        memcpy(copy, faces, (size_t)n * sizeof *copy);
        snprintf(s->reference_key, sizeof s->reference_key, "%s", key);
    } else if (n == 0) {
        snprintf(s->reference_key, sizeof s->reference_key, "%s", key);
    }
    return FACEFUSE_OK;
}

/* The chain for a step, prepared again only when the step changed. Call
 * with s->lock held. */
static facefuse_status chain_for(fu_pipeline_service *s, const char *json, fu_err *err)
{
    fu_optset set;
    fu_run_config cfg;
    char *key = NULL;
    facefuse_status rc = build(s, json, &set, &cfg, err);
    if (rc == FACEFUSE_OK)
        rc = fu_job_step_json(&set, &key, err);
    if (rc == FACEFUSE_OK && s->chain_key && !strcmp(key, s->chain_key)) {
        free(key);
        fu_run_config_free(&cfg);
        fu_optset_free(&set);
        return FACEFUSE_OK;
    }
    drop_chain(s);
    const char *target = cfg.paths.target_path;
    fu_chain_target t = {0, 0, cfg.output.trim_frame_start > 0 ? cfg.output.trim_frame_start : 0};
    if (rc == FACEFUSE_OK && !target)
        rc = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "no target given (--target-path)");
    if (rc == FACEFUSE_OK && !fu_image_path_is_image(target)) {
        fu_video_info info;
        t.is_video = 1;
        rc = fu_video_probe(target, &info, err);
        t.fps = rc == FACEFUSE_OK ? info.fps : 0;
    }
    if (rc != FACEFUSE_OK) {
        free(key);
        fu_run_config_free(&cfg);
        fu_optset_free(&set);
        return rc;
    }
    /* The chain keeps pointers into cfg, and cfg into set: they move into
     * the cache together. */
    s->chain_set = set;
    s->chain_cfg = cfg;
    s->chain_key = key;
    rc = fu_chain_new(s->ctx, &s->chain_cfg, &t, &s->chain, err);
    if (rc == FACEFUSE_OK)
        rc = set_reference(s, s->chain_cfg.paths.target_path, err);
    if (rc != FACEFUSE_OK)
        drop_chain(s);
    return rc;
}

/* The frame scaled down to fit max_px × max_px, as FaceFusion's
 * restrict_frame (never enlarged). */
static facefuse_status restrict_frame(facefuse_image *frame, int max_px, fu_err *err)
{
    facefuse_image small = {0};
    if (max_px <= 0 || (frame->width <= max_px && frame->height <= max_px))
        return FACEFUSE_OK;
    double scale = (double)max_px / (frame->width > frame->height ? frame->width : frame->height);
    int w = (int)lround(frame->width * scale), h = (int)lround(frame->height * scale);
    if (fu_resize(frame, &small, w > 0 ? w : 1, h > 0 ? h : 1) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory scaling the preview");
    facefuse_image_free(frame);
    *frame = small;
    return FACEFUSE_OK;
}

/* ------------------------------------------------------------ face by face */

#define FACE_PAIRS_MAX 8

/* The face's box padded by a quarter on each side (FaceFusion's
 * extract_crop_frame), cut to a centred square (fit_cover_frame), scaled to
 * side × side into dst at (x, y). */
static facefuse_status paste_face(const facefuse_image *src, const float box[4], facefuse_image *dst, int x, int y,
                                  int side)
{
    float w = box[2] - box[0], h = box[3] - box[1];
    int x0 = (int)fmaxf(0, box[0] - w * 0.25f), y0 = (int)fmaxf(0, box[1] - h * 0.25f);
    int x1 = (int)fminf((float)src->width, box[2] + w * 0.25f), y1 = (int)fminf((float)src->height, box[3] + h * 0.25f);
    int sq = x1 - x0 < y1 - y0 ? x1 - x0 : y1 - y0;
    if (sq <= 0)
        return FACEFUSE_OK; /* a box outside the frame: left black */
    x0 += (x1 - x0 - sq) / 2;
    y0 += (y1 - y0 - sq) / 2;
    facefuse_image crop = {0}, scaled = {0};
    if (facefuse_image_alloc(&crop, sq, sq, src->channels) != FACEFUSE_OK)
        return FACEFUSE_ERR_NO_MEMORY;
    for (int r = 0; r < sq; r++)
        memcpy(crop.data + (size_t)r * crop.stride, src->data + (size_t)(y0 + r) * src->stride + (size_t)x0 * src->channels,
               (size_t)sq * src->channels);
    facefuse_status st = fu_resize(&crop, &scaled, side, side);
    for (int r = 0; st == FACEFUSE_OK && r < side; r++)
        memcpy(dst->data + (size_t)(y + r) * dst->stride + (size_t)x * dst->channels,
               scaled.data + (size_t)r * scaled.stride, (size_t)side * dst->channels);
    facefuse_image_free(&crop);
    facefuse_image_free(&scaled);
    return st;
}

/* Each selected face, before | after, one row a face (FaceFusion's
 * face-by-face preview, for every face rather than the first); no face
 * gives a black 1024 × 512 pair, as FaceFusion's empty frames. */
static facefuse_status face_pairs(const facefuse_image *before, const facefuse_image *after,
                                  const fu_frame_faces *faces, facefuse_image *out, fu_err *err)
{
    int n = faces->selected_count < FACE_PAIRS_MAX ? faces->selected_count : FACE_PAIRS_MAX;
    int side = 512;
    if (n > 0) {
        const float *b = faces->selected[0].box;
        float w = (b[2] - b[0]) * 1.5f, h = (b[3] - b[1]) * 1.5f;
        side = (int)(w < h ? w : h);
        side = side < 64 ? 64 : side > 512 ? 512 : side;
    }
    if (facefuse_image_alloc(out, 2 * side, (n > 0 ? n : 1) * side, after->channels) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the face-by-face preview");
    memset(out->data, 0, (size_t)out->stride * out->height);
    if (out->channels == 4) /* opaque black */
        for (int y = 0; y < out->height; y++)
            for (int x = 0; x < out->width; x++)
                out->data[(size_t)y * out->stride + (size_t)x * 4 + 3] = 255;
    for (int i = 0; i < n; i++)
        if (paste_face(before, faces->selected[i].box, out, 0, i * side, side) != FACEFUSE_OK ||
            paste_face(after, faces->selected[i].box, out, side, i * side, side) != FACEFUSE_OK)
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the face-by-face preview");
    return FACEFUSE_OK;
}

static facefuse_status preview(fu_pipeline_service *s, const char *json, int64_t index, int max_px,
                               int face_by_face, fu_service_image *out, fu_err *err)
{
    const facefuse_image *frame;
    facefuse_image work = {0}, before = {0}, pairs = {0};
    fu_frame_faces faces = {0};
    pthread_mutex_lock(&s->lock);
    facefuse_status rc = chain_for(s, json, err);
    if (rc == FACEFUSE_OK)
        rc = frame_of(s, s->chain_cfg.paths.target_path, index, &frame, err);
    if (rc == FACEFUSE_OK) {
        const char *format = s->chain_cfg.output.temp_pixel_format;
        int drop_alpha = frame->channels == 4 && format && !strcmp(format, "bgr24");
        if ((drop_alpha ? fu_image_to_rgb(&work, frame) : fu_image_copy(&work, frame)) != FACEFUSE_OK)
            rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the preview");
    }
    if (rc == FACEFUSE_OK)
        rc = restrict_frame(&work, max_px, err);
    if (rc == FACEFUSE_OK && !face_by_face)
        rc = fu_chain_process(s->chain, &work, index, NULL, err);
    if (rc == FACEFUSE_OK && face_by_face) {
        if (fu_image_copy(&before, &work) != FACEFUSE_OK)
            rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the preview");
        if (rc == FACEFUSE_OK)
            rc = fu_chain_analyse(s->chain, &work, &faces, err);
        if (rc == FACEFUSE_OK)
            rc = fu_chain_apply(s->chain, &work, &faces, index, err);
        /* a processor that resizes the frame (frame enhancer) moves the
         * faces: crop the result where they are now */
        if (rc == FACEFUSE_OK && (work.width != before.width || work.height != before.height)) {
            facefuse_image scaled = {0};
            if (fu_resize(&work, &scaled, before.width, before.height) != FACEFUSE_OK)
                rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the preview");
            facefuse_image_free(&work);
            work = scaled;
        }
        if (rc == FACEFUSE_OK)
            rc = face_pairs(&before, &work, &faces, &pairs, err);
    }
    if (rc == FACEFUSE_OK)
        rc = encode(face_by_face ? &pairs : &work, out, err);
    pthread_mutex_unlock(&s->lock);
    fu_frame_faces_free(&faces);
    facefuse_image_free(&work);
    facefuse_image_free(&before);
    facefuse_image_free(&pairs);
    return rc;
}

static facefuse_status svc_preview(void *user, const char *json, int64_t index, int max_px, fu_service_image *out,
                                   fu_err *err)
{
    return preview(user, json, index, max_px, 0, out, err);
}

static facefuse_status svc_preview_faces(void *user, const char *json, int64_t index, int max_px,
                                         fu_service_image *out, fu_err *err)
{
    return preview(user, json, index, max_px, 1, out, err);
}

/* ------------------------------------------------------------ faces */

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
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a face thumbnail");
    for (int y = 0; y < crop.height; y++)
        memcpy(crop.data + (size_t)y * crop.stride,
               im->data + (size_t)(y0 + y) * im->stride + (size_t)x0 * im->channels, (size_t)crop.width * im->channels);
    facefuse_status st = encode(&crop, out, err);
    facefuse_image_free(&crop);
    return st;
}

/* The faces of the frame, sorted and filtered as the selector does before
 * it counts --reference-face-position. */
static facefuse_status svc_faces(void *user, const char *json, int64_t index, fu_service_face **faces, int *count,
                                 fu_err *err)
{
    fu_pipeline_service *s = user;
    fu_optset set;
    fu_run_config cfg;
    const facefuse_image *frame = NULL;
    facefuse_face *found = NULL;
    int n = 0;

    *faces = NULL;
    *count = 0;
    pthread_mutex_lock(&s->lock);
    facefuse_status rc = build(s, json, &set, &cfg, err);
    if (rc == FACEFUSE_OK && !cfg.paths.target_path)
        rc = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "no target given (--target-path)");
    if (rc == FACEFUSE_OK)
        rc = frame_of(s, cfg.paths.target_path, index, &frame, err);
    if (rc == FACEFUSE_OK) {
        facefuse_analysis_params a = cfg.analysis;
        a.recognizer_model = NULL; /* boxes only; the classifier stays when a filter needs it */
        rc = fu_analyse_frame(s->ctx, frame, &a, &found, &n, err);
    }
    if (rc == FACEFUSE_OK && n > 0) {
        facefuse_selector_params sel = cfg.selector;
        sel.mode = FACEFUSE_SELECT_MANY;
        if (facefuse_select_faces(s->ctx, &sel, NULL, 0, found, &n) != FACEFUSE_OK)
            rc = fu_fail(err, FACEFUSE_ERR_INTERNAL, "sorting the faces failed");
    }
    if (rc == FACEFUSE_OK && n > 0) {
        *faces = calloc((size_t)n, sizeof **faces);
        if (!*faces)
            rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for faces");
        for (int i = 0; *faces && i < n && rc == FACEFUSE_OK; i++) {
            memcpy((*faces)[i].box, found[i].box, sizeof found[i].box);
            (*faces)[i].score = found[i].detector_score;
            rc = thumbnail(frame, found[i].box, &(*faces)[i].thumbnail, err);
            *count = i + 1;
        }
    }
    pthread_mutex_unlock(&s->lock);
    free(found);
    fu_run_config_free(&cfg);
    fu_optset_free(&set);
    if (rc != FACEFUSE_OK) {
        fu_service_faces_free(*faces, *count);
        *faces = NULL;
        *count = 0;
    }
    return rc;
}

/* ------------------------------------------------------------ jobs */

/* The step runner's unloading between jobs: the preview's chain holds
 * sessions, so it goes first. */
static void release(void *user, facefuse_context *ctx, int keep)
{
    fu_pipeline_service *s = user;
    pthread_mutex_lock(&s->lock);
    drop_chain(s);
    fu_context_release_sessions(ctx, keep);
    pthread_mutex_unlock(&s->lock);
}

facefuse_status fu_pipeline_service_new(facefuse_context *ctx, const fu_optset *defaults, fu_pipeline_service **out,
                                        fu_err *err)
{
    int n;
    const fu_option_group *const *groups = fu_run_option_groups(&n);
    fu_pipeline_service *s = calloc(1, sizeof *s);
    facefuse_status rc;

    *out = NULL;
    if (!s)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the UI's service");
    s->ctx = ctx;
    pthread_mutex_init(&s->lock, NULL);
    rc = fu_optset_init(&s->base, groups, n, err);
    if (rc == FACEFUSE_OK)
        rc = fu_optset_copy(&s->base, defaults, 0, FU_OPTF_PATH, err);
    if (rc == FACEFUSE_OK)
        rc = fu_step_runner_new(ctx, defaults, &s->runner, err);
    if (rc != FACEFUSE_OK) {
        fu_pipeline_service_free(s);
        return rc;
    }
    fu_step_runner_on_release(s->runner, release, s);
    *out = s;
    return FACEFUSE_OK;
}

void fu_pipeline_service_free(fu_pipeline_service *s)
{
    if (!s)
        return;
    drop_chain(s);
    free(s->reference_faces);
    for (int i = 0; i < CACHED_FRAMES; i++)
        facefuse_image_free(&s->frames[i].image);
    fu_step_runner_free(s->runner);
    fu_optset_free(&s->base);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static facefuse_status svc_run_step(void *user, const char *json, const fu_job_progress *progress,
                                    volatile int *cancel, fu_err *err)
{
    fu_pipeline_service *s = user;
    return fu_step_runner_run(s->runner, json, progress, cancel, err);
}

fu_service fu_pipeline_service_table(fu_pipeline_service *s)
{
    fu_service t = {s, svc_options, svc_validate, svc_probe, svc_frame, svc_preview, svc_faces, svc_run_step,
                    svc_preview_faces};
    return t;
}
