/*
 * fake_service.h — a processing service (server/service.h) for testing the
 * server and the page without the pipeline: faces are found by the real
 * SCRFD detector (../shared/models), and "processing" inverts the colours
 * inside each face box — a visible, deterministic change that leaves every
 * pixel outside the faces as it was. Its option table is small but has one
 * of each kind (choices, int and float ranges with steps, a flag, lists), and
 * lists two path options the server must hide. Steps report progress in
 * `fake.step_count` parts, `fake.step_ms` apart, and honour cancel.
 */
#ifndef FU_FAKE_SERVICE_H
#define FU_FAKE_SERVICE_H

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/file.h"
#include "media/image_io.h"
#include "media/video_reader.h"
#include "pipeline/jobs/job_args.h"
#include "server/service.h"
#include "testlib.h"

typedef struct fake_service {
    facefuse_context *ctx;
    int step_count;             /* progress reports a step */
    int step_ms;                /* sleep between them */
    int steps_run;
    int previews;
} fake_service;

static const char fake_options_json[] =
    "["
    "{\"name\":\"--processors\",\"group\":\"processors\",\"type\":\"list\",\"choices\":[\"face_swapper\","
    "\"face_enhancer\"],\"min\":null,\"max\":null,\"step\":null,\"default\":[\"face_swapper\"],\"help\":\"processor "
    "chain\",\"multiple\":true},"
    "{\"name\":\"--face-swapper-model\",\"group\":\"face_swapper\",\"type\":\"string\",\"choices\":[\"inswapper_128\","
    "\"hyperswap_1a_256\"],\"min\":null,\"max\":null,\"step\":null,\"default\":\"hyperswap_1a_256\",\"help\":\"face "
    "swapper model\",\"multiple\":false},"
    "{\"name\":\"--face-swapper-weight\",\"group\":\"face_swapper\",\"type\":\"float\",\"choices\":null,\"min\":0,"
    "\"max\":1,\"step\":0.05,\"default\":0.5,\"help\":\"identity weight\",\"multiple\":false},"
    "{\"name\":\"--face-enhancer-blend\",\"group\":\"face_enhancer\",\"type\":\"int\",\"choices\":null,\"min\":0,"
    "\"max\":100,\"step\":1,\"default\":80,\"help\":\"share of the enhanced face\",\"multiple\":false},"
    "{\"name\":\"--face-mask-types\",\"group\":\"face_masker\",\"type\":\"list\",\"choices\":[\"box\",\"occlusion\","
    "\"area\",\"region\"],\"min\":null,\"max\":null,\"step\":null,\"default\":[\"box\"],\"help\":\"masks\","
    "\"multiple\":true},"
    "{\"name\":\"--face-mask-padding\",\"group\":\"face_masker\",\"type\":\"list\",\"choices\":null,\"min\":0,"
    "\"max\":100,\"step\":1,\"default\":[0,0,0,0],\"help\":\"padding top right bottom left\",\"multiple\":true},"
    "{\"name\":\"--face-selector-mode\",\"group\":\"face_selector\",\"type\":\"string\",\"choices\":[\"many\","
    "\"one\",\"reference\"],\"min\":null,\"max\":null,\"step\":null,\"default\":\"reference\",\"help\":\"which "
    "faces\",\"multiple\":false},"
    "{\"name\":\"--reference-face-position\",\"group\":\"face_selector\",\"type\":\"int\",\"choices\":null,\"min\":0,"
    "\"max\":1000,\"step\":1,\"default\":0,\"help\":\"reference face\",\"multiple\":false},"
    "{\"name\":\"--reference-frame-number\",\"group\":\"face_selector\",\"type\":\"int\",\"choices\":null,\"min\":0,"
    "\"max\":1000000000,\"step\":1,\"default\":0,\"help\":\"reference frame\",\"multiple\":false},"
    "{\"name\":\"--face-detector-score\",\"group\":\"face_detector\",\"type\":\"float\",\"choices\":null,\"min\":0,"
    "\"max\":1,\"step\":0.05,\"default\":0.5,\"help\":\"detector score\",\"multiple\":false},"
    "{\"name\":\"--trim-frame-start\",\"group\":\"frame_extraction\",\"type\":\"int\",\"choices\":null,\"min\":0,"
    "\"max\":1000000000,\"step\":1,\"default\":null,\"help\":\"first frame\",\"multiple\":false},"
    "{\"name\":\"--trim-frame-end\",\"group\":\"frame_extraction\",\"type\":\"int\",\"choices\":null,\"min\":0,"
    "\"max\":1000000000,\"step\":1,\"default\":null,\"help\":\"end frame\",\"multiple\":false},"
    "{\"name\":\"--output-image-quality\",\"group\":\"output_creation\",\"type\":\"int\",\"choices\":null,\"min\":0,"
    "\"max\":100,\"step\":1,\"default\":80,\"help\":\"image quality\",\"multiple\":false},"
    "{\"name\":\"--keep-temp\",\"group\":\"misc\",\"type\":\"bool\",\"choices\":null,\"min\":null,\"max\":null,"
    "\"step\":null,\"default\":false,\"help\":\"a flag\",\"multiple\":false},"
    "{\"name\":\"--output-path\",\"group\":\"paths\",\"type\":\"string\",\"choices\":null,\"min\":null,\"max\":null,"
    "\"step\":null,\"default\":null,\"help\":\"must be hidden by the server\",\"multiple\":false},"
    "{\"name\":\"--model-dir\",\"group\":\"paths\",\"type\":\"string\",\"choices\":null,\"min\":null,\"max\":null,"
    "\"step\":null,\"default\":null,\"help\":\"must be hidden by the server\",\"multiple\":false}"
    "]";

static inline void fake_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static inline facefuse_status fake_options(void *user, char **json, fu_err *err)
{
    (void)user;
    *json = strdup(fake_options_json);
    return *json ? FACEFUSE_OK : fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "oom");
}

/* Every key must be a listed option (or a path the server sets); values
 * within choices and ranges. */
static inline facefuse_status fake_validate(void *user, const char *args_json, char **step_json, fu_err *err)
{
    json_t *opts = json_loads(fake_options_json, 0, NULL), *args = json_loads(args_json, 0, NULL), *value;
    const char *key;
    facefuse_status st = fu_job_args_check(args_json, err);
    (void)user;
    json_object_foreach(args, key, value) {
        if (st != FACEFUSE_OK)
            break;
        if (!strcmp(key, "--source-paths") || !strcmp(key, "--target-path") || !strcmp(key, "--output-path"))
            continue;
        json_t *def = NULL, *o;
        size_t i, k;
        json_array_foreach(opts, i, o) if (!strcmp(json_string_value(json_object_get(o, "name")), key)) def = o;
        if (!def) {
            st = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown option %s", key);
            break;
        }
        json_t *choices = json_object_get(def, "choices"), *w;
        json_array_foreach(value, k, w) {
            const char *word = json_string_value(w);
            int ok = 1;
            if (json_is_array(choices)) {
                ok = 0;
                size_t m;
                json_t *c;
                json_array_foreach(choices, m, c) ok |= !strcmp(json_string_value(c), word);
            } else if (json_is_number(json_object_get(def, "min"))) {
                char *end;
                double v = strtod(word, &end);
                ok = end != word && !*end && v >= json_number_value(json_object_get(def, "min")) &&
                     v <= json_number_value(json_object_get(def, "max"));
            }
            if (!ok) {
                st = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "invalid value '%s' for %s", word, key);
                break;
            }
        }
    }
    json_decref(opts);
    json_decref(args);
    if (st == FACEFUSE_OK && step_json && !(*step_json = strdup(args_json)))
        st = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    return st;
}

static inline facefuse_status fake_read_frame(const char *path, int64_t frame, facefuse_image *im, fu_err *err)
{
    return fu_image_path_is_image(path) ? fu_image_read(path, im, err) : fu_video_read_frame_at(path, frame, im, err);
}

static inline facefuse_status fake_probe(void *user, const char *path, fu_service_media *m, fu_err *err)
{
    (void)user;
    if (fu_image_path_is_image(path)) {
        facefuse_image im = {0};
        facefuse_status st = fu_image_read(path, &im, err);
        if (st == FACEFUSE_OK) {
            snprintf(m->kind, sizeof m->kind, "image");
            m->width = im.width;
            m->height = im.height;
            m->frame_count = 1;
        }
        facefuse_image_free(&im);
        return st;
    }
    if (fu_path_is_audio(path)) {
        snprintf(m->kind, sizeof m->kind, "audio");
        return FACEFUSE_OK;
    }
    fu_video_info info;
    facefuse_status st = fu_video_probe(path, &info, err);
    if (st == FACEFUSE_OK) {
        snprintf(m->kind, sizeof m->kind, "video");
        m->width = info.width;
        m->height = info.height;
        m->frame_count = info.frame_count;
        m->fps = info.fps;
        m->duration_s = info.duration_s;
    }
    return st;
}

static inline facefuse_status fake_encode(const facefuse_image *im, const char *format, fu_service_image *out,
                                          fu_err *err)
{
    snprintf(out->mime, sizeof out->mime, "image/%s", !strcmp(format, "jpg") ? "jpeg" : format);
    return fu_image_encode(format, im, 90, &out->data, &out->size, err);
}

static inline facefuse_status fake_frame(void *user, const char *path, int64_t frame, fu_service_image *out,
                                         fu_err *err)
{
    facefuse_image im = {0};
    (void)user;
    facefuse_status st = fake_read_frame(path, frame, &im, err);
    if (st == FACEFUSE_OK)
        st = fake_encode(&im, "png", out, err);
    facefuse_image_free(&im);
    return st;
}

static inline facefuse_status fake_detect(fake_service *f, const facefuse_image *im, facefuse_face **faces, int *n,
                                          fu_err *err)
{
    facefuse_analysis_params a = facefuse_analysis_default_params();
    a.detector_model = "scrfd";
    a.landmarker_model = NULL;
    a.landmarker_score = 0;
    a.recognizer_model = NULL;
    a.classifier_model = NULL;
    if (facefuse_detect_faces(f->ctx, im, &a, faces, n) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_INFERENCE, "%s", facefuse_context_errmsg(f->ctx));
    return FACEFUSE_OK;
}

/* The fake processing: colours inverted inside every face box. */
static inline facefuse_status fake_process(fake_service *f, facefuse_image *im, fu_err *err)
{
    facefuse_face *faces = NULL;
    int n = 0;
    facefuse_status st = fake_detect(f, im, &faces, &n, err);
    for (int i = 0; st == FACEFUSE_OK && i < n; i++) {
        int x0 = (int)fmaxf(0, faces[i].box[0]), y0 = (int)fmaxf(0, faces[i].box[1]);
        int x1 = (int)fminf((float)im->width, faces[i].box[2]), y1 = (int)fminf((float)im->height, faces[i].box[3]);
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
                for (int c = 0; c < 3; c++)
                    im->data[(size_t)y * im->stride + (size_t)x * im->channels + c] ^= 0xFF;
    }
    facefuse_faces_free(faces);
    return st;
}

static inline facefuse_status fake_preview(void *user, const char *args_json, int64_t frame, int max_px,
                                           fu_service_image *out, fu_err *err)
{
    fake_service *f = user;
    (void)max_px;
    char target[PATH_MAX];
    int found;
    facefuse_image im = {0};
    facefuse_status st = fu_job_args_first(args_json, FU_ARG_TARGET_PATH, target, sizeof target, &found, err);
    if (st == FACEFUSE_OK)
        st = fake_read_frame(target, frame, &im, err);
    if (st == FACEFUSE_OK)
        st = fake_process(f, &im, err);
    if (st == FACEFUSE_OK)
        st = fake_encode(&im, "png", out, err);
    f->previews++;
    facefuse_image_free(&im);
    return st;
}

static inline facefuse_status fake_faces(void *user, const char *args_json, int64_t frame, fu_service_face **faces,
                                         int *count, fu_err *err)
{
    fake_service *f = user;
    char target[PATH_MAX];
    int found, n = 0;
    facefuse_image im = {0};
    facefuse_face *found_faces = NULL;
    *faces = NULL;
    *count = 0;
    facefuse_status st = fu_job_args_first(args_json, FU_ARG_TARGET_PATH, target, sizeof target, &found, err);
    if (st == FACEFUSE_OK)
        st = fake_read_frame(target, frame, &im, err);
    if (st == FACEFUSE_OK)
        st = fake_detect(f, &im, &found_faces, &n, err);
    if (st == FACEFUSE_OK && n > 0) {
        *faces = calloc((size_t)n, sizeof **faces);
        for (int i = 0; i < n && st == FACEFUSE_OK; i++) {
            facefuse_image crop = {0};
            int x0 = (int)fmaxf(0, found_faces[i].box[0]), y0 = (int)fmaxf(0, found_faces[i].box[1]);
            int x1 = (int)fminf((float)im.width, found_faces[i].box[2]);
            int y1 = (int)fminf((float)im.height, found_faces[i].box[3]);
            memcpy((*faces)[i].box, found_faces[i].box, sizeof found_faces[i].box);
            (*faces)[i].score = found_faces[i].detector_score;
            facefuse_image_alloc(&crop, x1 - x0, y1 - y0, im.channels);
            for (int y = 0; y < crop.height; y++)
                memcpy(crop.data + (size_t)y * crop.stride,
                       im.data + (size_t)(y0 + y) * im.stride + (size_t)x0 * im.channels,
                       (size_t)crop.width * im.channels);
            st = fake_encode(&crop, "jpg", &(*faces)[i].thumbnail, err);
            facefuse_image_free(&crop);
        }
        *count = n;
    }
    facefuse_faces_free(found_faces);
    facefuse_image_free(&im);
    return st;
}

static inline facefuse_status fake_run_step(void *user, const char *args_json, const fu_job_progress *progress,
                                            volatile int *cancel, fu_err *err)
{
    fake_service *f = user;
    char target[PATH_MAX], output[PATH_MAX];
    int found;
    facefuse_image im = {0};
    facefuse_status st = fu_job_args_first(args_json, FU_ARG_TARGET_PATH, target, sizeof target, &found, err);
    if (st == FACEFUSE_OK)
        st = fu_job_args_first(args_json, FU_ARG_OUTPUT_PATH, output, sizeof output, &found, err);
    f->steps_run++;
    int parts = f->step_count > 0 ? f->step_count : 1;
    for (int i = 0; st == FACEFUSE_OK && i < parts; i++) {
        if (*cancel)
            return fu_fail(err, FACEFUSE_ERR_CANCELLED, "cancelled");
        fake_sleep_ms(f->step_ms);
        if (progress)
            progress->fn(progress->ctx, i + 1, parts, 1000.0 / (f->step_ms > 0 ? f->step_ms : 1));
    }
    if (st == FACEFUSE_OK)
        st = fake_read_frame(target, 0, &im, err);
    if (st == FACEFUSE_OK)
        st = fake_process(f, &im, err);
    if (st == FACEFUSE_OK)
        st = fu_image_write(output, &im, 90, err);
    facefuse_image_free(&im);
    return st;
}

static inline fu_service fake_service_table(fake_service *f)
{
    fu_service s = {f, fake_options, fake_validate, fake_probe, fake_frame, fake_preview, fake_faces, fake_run_step, NULL};
    return s;
}

static inline void fake_service_init(fake_service *f)
{
    memset(f, 0, sizeof *f);
    f->ctx = tl_context();
    f->step_count = 10;
    f->step_ms = 20;
}

static inline void fake_service_free(fake_service *f)
{
    facefuse_context_free(f->ctx);
}

#endif
