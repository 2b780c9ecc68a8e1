/*
 * analyse.c — from detections to face records: landmarks, angle, embedding
 * and classification, as FaceFusion builds its Face objects.
 *
 * Landmarks: "68/5" from fan_68_5 (when that model is given); "68" from the
 * 68-point landmarker (2dfan4 / peppa_wutz) on a 256×256 crop scaled by
 * 195 / max(box w, h) and rotated by the face angle; the landmarker's score
 * decides whether the alignment points "5/68" come from the 68 points or
 * from the detector. A landmarker model that cannot be had (offline) is a
 * one-time warning and the detector's points are used, as when it scores low.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "core/log.h"
#include "face/analyse.h"
#include "infer/context.h"

facefuse_analysis_params facefuse_analysis_default_params(void)
{
    facefuse_analysis_params p;
    memset(&p, 0, sizeof p);
    p.detector_model = "yolo_face";
    p.detector_size = 640;
    p.detector_score = 0.5f;
    p.detector_angles[0] = 0;
    p.detector_angle_count = 1;
    p.landmarker_model = "2dfan4";
    p.landmarker_score = 0.5f;
    p.landmark_5_to_68_model = "fan_68_5";
    p.recognizer_model = "arcface_w600k_r50";
    p.classifier_model = NULL;
    return p;
}

/* Models that could not be had are reported once, then skipped. */
static pthread_mutex_t warned_lock = PTHREAD_MUTEX_INITIALIZER;
static char warned[16][64];
static int n_warned;

static int optional_model_unavailable(const char *name, const fu_err *why)
{
    int seen = 0;
    pthread_mutex_lock(&warned_lock);
    for (int i = 0; i < n_warned; i++)
        seen |= strcmp(warned[i], name) == 0;
    if (!seen && n_warned < 16) {
        snprintf(warned[n_warned++], sizeof warned[0], "%s", name);
        fu_warn("%s; using the detector's landmarks instead", why->msg);
    }
    pthread_mutex_unlock(&warned_lock);
    return 1;
}

static int is_unavailable(facefuse_status rc)
{
    return rc == FACEFUSE_ERR_MODEL_MISSING || rc == FACEFUSE_ERR_DOWNLOAD;
}

/* Warps the face to template × size and fills a 1×3×size×size tensor. */
static facefuse_status crop_tensor(const facefuse_image *rgb, const facefuse_point lm5[5],
                                   const char *template_name, int size, const float mean[3],
                                   const float std[3], float **out, fu_err *err)
{
    facefuse_image crop = {0};
    fu_affine a = fu_align_to_template(lm5, template_name, size);
    if (facefuse_image_alloc(&crop, size, size, 3) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for face crop");
    fu_warp_affine(rgb, &crop, &a, FU_BORDER_REPLICATE);
    *out = malloc(sizeof(float) * 3 * size * size);
    if (!*out) {
        facefuse_image_free(&crop);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for face crop");
    }
    fu_image_to_planar(&crop, mean, std, 0, *out);
    facefuse_image_free(&crop);
    return FACEFUSE_OK;
}

static void set_dims4(fu_tensor *t, float *data, int c, int h, int w)
{
    memset(t, 0, sizeof *t);
    t->rank = 4;
    t->dims[0] = 1;
    t->dims[1] = c;
    t->dims[2] = h;
    t->dims[3] = w;
    t->data = data;
}

facefuse_status fu_embed_face(facefuse_context *ctx, const facefuse_image *rgb, const char *model,
                              facefuse_face *face, fu_err *err)
{
    static const float half[3] = {0.5f, 0.5f, 0.5f};
    const fu_model_def *def;
    fu_session *s;
    fu_tensor in, out;
    float *data;
    facefuse_status rc;

    if ((rc = fu_context_session(ctx, model, &s, &def, err)) != FACEFUSE_OK)
        return rc;
    int size = def->size > 0 ? def->size : 112;
    const float *mean = def->std[0] > 0 ? def->mean : half;
    const float *std = def->std[0] > 0 ? def->std : half;
    rc = crop_tensor(rgb, face->landmark_5_68, def->template_name ? def->template_name : "arcface_112_v2",
                     size, mean, std, &data, err);
    if (rc != FACEFUSE_OK)
        return rc;
    set_dims4(&in, data, 3, size, size);
    rc = fu_session_run(s, &in, 1, &out, 1, err);
    free(data);
    if (rc != FACEFUSE_OK)
        return rc;
    int64_t n = fu_tensor_numel(&out);
    if (n < 1 || n > FACEFUSE_EMBEDDING_MAX) {
        fu_tensor_free(&out);
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "recognizer %s gives %lld values (max %d)",
                       model, (long long)n, FACEFUSE_EMBEDDING_MAX);
    }
    double norm = 0;
    for (int64_t i = 0; i < n; i++)
        norm += (double)out.data[i] * out.data[i];
    norm = sqrt(norm);
    face->embedding_dim = (int)n;
    for (int64_t i = 0; i < n; i++) {
        face->embedding[i] = out.data[i];
        face->normed_embedding[i] = norm > 0 ? (float)(out.data[i] / norm) : 0;
    }
    fu_tensor_free(&out);
    return FACEFUSE_OK;
}

/* fan_68_5: the 5 points mapped into the unit ffhq_512 frame, 68 out. */
static facefuse_status estimate_68_from_5(facefuse_context *ctx, const char *model,
                                          const facefuse_point lm5[5], facefuse_point lm68[68],
                                          fu_err *err)
{
    fu_session *s;
    fu_tensor in, out;
    float pts[10];
    facefuse_status rc;

    if ((rc = fu_context_session(ctx, model, &s, NULL, err)) != FACEFUSE_OK)
        return rc;
    fu_affine a = fu_align_to_template(lm5, "ffhq_512", 1);
    fu_affine inv = fu_affine_invert(&a);
    for (int i = 0; i < 5; i++) {
        facefuse_point q = fu_affine_apply(&a, lm5[i]);
        pts[2 * i] = q.x;
        pts[2 * i + 1] = q.y;
    }
    memset(&in, 0, sizeof in);
    in.rank = 3;
    in.dims[0] = 1;
    in.dims[1] = 5;
    in.dims[2] = 2;
    in.data = pts;
    if ((rc = fu_session_run(s, &in, 1, &out, 1, err)) != FACEFUSE_OK)
        return rc;
    if (fu_tensor_numel(&out) < 136) {
        fu_tensor_free(&out);
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "fan_68_5 gives fewer than 68 points");
    }
    for (int i = 0; i < 68; i++) {
        facefuse_point q = {out.data[2 * i], out.data[2 * i + 1]};
        lm68[i] = fu_affine_apply(&inv, q);
    }
    fu_tensor_free(&out);
    return FACEFUSE_OK;
}

/* 2dfan4 / peppa_wutz on a 256 crop around the box, rotated by angle. */
static facefuse_status landmark_68(facefuse_context *ctx, const char *model, const facefuse_image *rgb,
                                   const float box[4], int angle, facefuse_point lm68[68],
                                   float *score, fu_err *err)
{
    static const float zero[3] = {0, 0, 0}, one[3] = {1, 1, 1};
    fu_session *s;
    fu_tensor in, out[2];
    facefuse_image crop = {0};
    facefuse_status rc;
    int peppa = strcmp(model, "peppa_wutz") == 0;

    if ((rc = fu_context_session(ctx, model, &s, NULL, err)) != FACEFUSE_OK)
        return rc;
    float bw = box[2] - box[0], bh = box[3] - box[1];
    float scale = 195.0f / fmaxf(1.0f, fmaxf(bw, bh));
    fu_affine translate = {{scale, 0, (256 - (box[0] + box[2]) * scale) * 0.5,
                            0, scale, (256 - (box[1] + box[3]) * scale) * 0.5}};
    int rw, rh;
    fu_affine rot = fu_rotation_fit(256, 256, angle, &rw, &rh);
    fu_affine full = fu_affine_then(&translate, &rot);
    if (facefuse_image_alloc(&crop, 256, 256, 3) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for landmark crop");
    fu_warp_affine(rgb, &crop, &full, FU_BORDER_REPLICATE);
    float *data = malloc(sizeof(float) * 3 * 256 * 256);
    if (!data) {
        facefuse_image_free(&crop);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for landmark input");
    }
    fu_image_to_planar(&crop, zero, one, 0, data);
    facefuse_image_free(&crop);
    set_dims4(&in, data, 3, 256, 256);
    int n_out = fu_session_output_count(s) >= 2 && !peppa ? 2 : 1;
    rc = fu_session_run(s, &in, 1, out, n_out, err);
    free(data);
    if (rc != FACEFUSE_OK)
        return rc;
    if (fu_tensor_numel(&out[0]) < 68 * 3) {
        for (int i = 0; i < n_out; i++)
            fu_tensor_free(&out[i]);
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "landmarker %s gives too few values", model);
    }
    fu_affine inv = fu_affine_invert(&full);
    double conf = 0;
    for (int i = 0; i < 68; i++) {
        facefuse_point q = {out[0].data[3 * i] / 64.0f * 256.0f, out[0].data[3 * i + 1] / 64.0f * 256.0f};
        lm68[i] = fu_affine_apply(&inv, q);
        conf += out[0].data[3 * i + 2];
    }
    if (n_out == 2 && out[1].rank == 4) {
        /* 2dfan4: mean over points of each heatmap's maximum, [0, 0.9] → [0, 1]. */
        int64_t plane = out[1].dims[2] * out[1].dims[3];
        double sum = 0;
        for (int64_t k = 0; k < out[1].dims[1]; k++) {
            float m = -INFINITY;
            for (int64_t j = 0; j < plane; j++)
                m = fmaxf(m, out[1].data[k * plane + j]);
            sum += m;
        }
        *score = (float)fmin(1.0, fmax(0.0, sum / (double)out[1].dims[1] / 0.9));
    } else {
        *score = (float)fmin(1.0, fmax(0.0, conf / 68.0 / (peppa ? 0.95 : 0.9)));
    }
    for (int i = 0; i < n_out; i++)
        fu_tensor_free(&out[i]);
    return FACEFUSE_OK;
}

static void five_from_68(const facefuse_point lm68[68], facefuse_point lm5[5])
{
    memset(lm5, 0, 5 * sizeof *lm5);
    for (int i = 36; i < 42; i++) {
        lm5[0].x += lm68[i].x / 6;
        lm5[0].y += lm68[i].y / 6;
        lm5[1].x += lm68[i + 6].x / 6;
        lm5[1].y += lm68[i + 6].y / 6;
    }
    lm5[2] = lm68[30];
    lm5[3] = lm68[48];
    lm5[4] = lm68[54];
}

/* Direction from a to b snapped to 0/90/180/270, as FaceFusion's estimate_face_angle. */
static int angle_of(facefuse_point a, facefuse_point b)
{
    double theta = atan2(b.y - a.y, b.x - a.x) * 180.0 / M_PI;
    theta = fmod(theta + 360.0, 360.0);
    int snapped = (int)(lround(theta / 90.0) * 90) % 360;
    return snapped;
}

facefuse_status fu_classifier_open(facefuse_context *ctx, const char *model, fu_session **out, fu_err *err)
{
    facefuse_status rc = fu_context_session(ctx, model, out, NULL, err);
    if (rc == FACEFUSE_OK && fu_session_output_count(*out) < 3)
        rc = fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "classifier %s needs 3 outputs", model);
    return rc;
}

static facefuse_status classify(facefuse_context *ctx, const facefuse_image *rgb, const char *model,
                                facefuse_face *face, fu_err *err)
{
    static const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
    static const int age_start[9] = {0, 3, 10, 20, 30, 40, 50, 60, 70};
    static const int age_end[9] = {2, 9, 19, 29, 39, 49, 59, 69, 100};
    static const facefuse_race races[7] = {FACEFUSE_RACE_WHITE, FACEFUSE_RACE_BLACK,
                                           FACEFUSE_RACE_LATINO, FACEFUSE_RACE_ASIAN,
                                           FACEFUSE_RACE_ASIAN, FACEFUSE_RACE_INDIAN,
                                           FACEFUSE_RACE_ARABIC};
    fu_session *s;
    fu_tensor in, out[3];
    float *data;
    facefuse_status rc;

    if ((rc = fu_classifier_open(ctx, model, &s, err)) != FACEFUSE_OK)
        return rc;
    if ((rc = crop_tensor(rgb, face->landmark_5_68, "arcface_112_v2", 224, mean, std, &data, err)) != FACEFUSE_OK)
        return rc;
    set_dims4(&in, data, 3, 224, 224);
    rc = fu_session_run(s, &in, 1, out, 3, err);
    free(data);
    if (rc != FACEFUSE_OK)
        return rc;
    int ids[3];
    for (int k = 0; k < 3; k++) {
        int64_t n = fu_tensor_numel(&out[k]), best = 0;
        for (int64_t i = 1; i < n; i++)
            if (out[k].data[i] > out[k].data[best])
                best = i;
        ids[k] = n == 1 ? (int)lroundf(out[k].data[0]) : (int)best;
        fu_tensor_free(&out[k]);
    }
    face->race = ids[0] >= 0 && ids[0] < 7 ? races[ids[0]] : FACEFUSE_RACE_UNKNOWN;
    face->gender = ids[1] == 0 ? FACEFUSE_GENDER_MALE : FACEFUSE_GENDER_FEMALE;
    if (ids[2] >= 0 && ids[2] < 9) {
        face->age_start = age_start[ids[2]];
        face->age_end = age_end[ids[2]];
    }
    return FACEFUSE_OK;
}

facefuse_status fu_analyse_face(facefuse_context *ctx, const facefuse_image *rgb,
                                const facefuse_analysis_params *p, const fu_detection *d,
                                facefuse_face *face, fu_err *err)
{
    facefuse_status rc;
    fu_err why;

    memset(face, 0, sizeof *face);
    memcpy(face->box, d->box, sizeof face->box);
    face->detector_score = d->score;
    memcpy(face->landmark_5, d->landmark_5, sizeof face->landmark_5);
    memcpy(face->landmark_5_68, d->landmark_5, sizeof face->landmark_5_68);
    face->gender = FACEFUSE_GENDER_UNKNOWN;
    face->race = FACEFUSE_RACE_UNKNOWN;
    face->age_start = face->age_end = -1;
    /* Without 68 points, the angle comes from the eye line. */
    face->angle_deg = angle_of(d->landmark_5[0], d->landmark_5[1]);

    if (p->landmark_5_to_68_model) {
        fu_err_clear(&why);
        rc = estimate_68_from_5(ctx, p->landmark_5_to_68_model, d->landmark_5, face->landmark_68_5, &why);
        if (rc == FACEFUSE_OK) {
            face->angle_deg = angle_of(face->landmark_68_5[0], face->landmark_68_5[16]);
            memcpy(face->landmark_68, face->landmark_68_5, sizeof face->landmark_68);
            face->has_landmark_68 = 1;
        } else if (!is_unavailable(rc)) {
            *err = why;
            return rc;
        } else {
            optional_model_unavailable(p->landmark_5_to_68_model, &why);
        }
    }
    if (p->landmarker_model && p->landmarker_score > 0) {
        facefuse_point lm68[68];
        float score = 0;
        fu_err_clear(&why);
        rc = landmark_68(ctx, p->landmarker_model, rgb, d->box, face->angle_deg, lm68, &score, &why);
        if (rc == FACEFUSE_OK) {
            face->landmarker_score = score;
            if (score > p->landmarker_score) {
                memcpy(face->landmark_68, lm68, sizeof face->landmark_68);
                face->has_landmark_68 = 1;
                five_from_68(lm68, face->landmark_5_68);
            }
        } else if (!is_unavailable(rc)) {
            *err = why;
            return rc;
        } else {
            optional_model_unavailable(p->landmarker_model, &why);
        }
    }
    if (p->recognizer_model && (rc = fu_embed_face(ctx, rgb, p->recognizer_model, face, err)) != FACEFUSE_OK)
        return rc;
    if (p->classifier_model && (rc = classify(ctx, rgb, p->classifier_model, face, err)) != FACEFUSE_OK)
        return rc;
    return FACEFUSE_OK;
}

facefuse_status fu_analyse_frame(facefuse_context *ctx, const facefuse_image *image,
                                 const facefuse_analysis_params *params, facefuse_face **faces, int *count,
                                 fu_err *err)
{
    fu_detection *dets = NULL;
    facefuse_image rgb = {0};
    const facefuse_image *frame = image;
    facefuse_face *out = NULL;
    int n = 0;
    facefuse_status rc;

    *faces = NULL;
    *count = 0;
    if (image->channels != 3) {
        if (fu_image_to_rgb(&rgb, image) != FACEFUSE_OK)
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory converting the frame to RGB");
        frame = &rgb;
    }
    rc = fu_detect_faces(ctx, frame, params, &dets, &n, err);
    if (rc == FACEFUSE_OK && n > 0) {
        out = calloc((size_t)n, sizeof *out);
        if (!out)
            rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for %d faces", n);
    }
    for (int i = 0; i < n && rc == FACEFUSE_OK; i++)
        rc = fu_analyse_face(ctx, frame, params, &dets[i], &out[i], err);
    free(dets);
    facefuse_image_free(&rgb);
    if (rc != FACEFUSE_OK) {
        free(out);
        return rc;
    }
    *faces = out;
    *count = n;
    return FACEFUSE_OK;
}

facefuse_status facefuse_detect_faces(facefuse_context *ctx, const facefuse_image *image,
                                      const facefuse_analysis_params *params, facefuse_face **faces,
                                      int *count)
{
    facefuse_analysis_params defaults = facefuse_analysis_default_params();
    fu_err err;

    fu_err_clear(&err);
    if (!ctx || !image || !image->data || !faces || !count)
        return FACEFUSE_ERR_INVALID_ARGUMENT;
    if (fu_analyse_frame(ctx, image, params ? params : &defaults, faces, count, &err) != FACEFUSE_OK)
        return fu_context_fail(ctx, &err);
    return FACEFUSE_OK;
}

void facefuse_faces_free(facefuse_face *faces)
{
    free(faces);
}

float facefuse_face_distance(const facefuse_face *a, const facefuse_face *b)
{
    if (!a || !b)
        return 1.0f;
    if (a->embedding_dim == 0 && b->embedding_dim == 0) {
        /* No recognizer ran: a face matches only itself. */
        for (int i = 0; i < 4; i++)
            if (fabsf(a->box[i] - b->box[i]) > 0.5f)
                return 1.0f;
        return 0.0f;
    }
    if (a->embedding_dim != b->embedding_dim)
        return 1.0f;
    double dot = 0;
    for (int i = 0; i < a->embedding_dim; i++)
        dot += (double)a->normed_embedding[i] * b->normed_embedding[i];
    return (float)((1.0 - dot) / 2.0);
}
