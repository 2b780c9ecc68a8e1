/*
 * live_portrait.c — LivePortrait's models and arithmetic for the
 * expression restorer and the face editor (see live_portrait.h).
 *
 * The constants (EXPRESSION_MIN/MAX, the angle limits, the input layout of
 * the retargeters) are FaceFusion 3.8.1's; the models are its exports of
 * KwaiVGI's LivePortrait (models-3.0.0).
 */
#include "processors/live_portrait.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "infer/context.h"
#include "infer/ort.h"

/* LivePortrait's expression bounds per keypoint and axis (x, y, z). */
static const float expression_min[FU_LP_POINTS][3] = {
    {-2.88067125e-02f, -8.12731311e-02f, -1.70541159e-03f},
    {-4.88598682e-02f, -3.32196616e-02f, -1.67431499e-04f},
    {-6.75425082e-02f, -4.28681746e-02f, -1.98950816e-04f},
    {-7.23103955e-02f, -3.28503326e-02f, -7.31324719e-04f},
    {-3.87073644e-02f, -6.01546466e-02f, -5.50269964e-04f},
    {-6.38048723e-02f, -2.23840728e-01f, -7.13261834e-04f},
    {-3.02710701e-02f, -3.93195450e-02f, -8.24086510e-06f},
    {-2.95799859e-02f, -5.39318882e-02f, -1.74219604e-04f},
    {-2.92359516e-02f, -1.53050944e-02f, -6.30460854e-05f},
    {-5.56493877e-03f, -2.34344602e-02f, -1.26858242e-04f},
    {-4.37593013e-02f, -2.77768299e-02f, -2.70503685e-02f},
    {-1.76926646e-02f, -1.91676542e-02f, -1.15090821e-04f},
    {-8.34268332e-03f, -3.99775570e-03f, -3.27481248e-05f},
    {-3.40162888e-02f, -2.81868968e-02f, -1.96679524e-04f},
    {-2.91855410e-02f, -3.97511162e-02f, -2.81230678e-05f},
    {-1.50395725e-02f, -2.49494594e-02f, -9.42573533e-05f},
    {-1.67938769e-02f, -2.00953931e-02f, -4.00750607e-04f},
    {-1.86435618e-02f, -2.48535164e-02f, -2.74416432e-02f},
    {-4.61211195e-03f, -1.21660791e-02f, -2.93173041e-04f},
    {-4.10017073e-02f, -7.43824020e-02f, -4.42762971e-02f},
    {-1.90370996e-02f, -3.74363363e-02f, -1.34740388e-02f},
};

static const float expression_max[FU_LP_POINTS][3] = {
    {4.46682945e-02f, 7.08772913e-02f, 4.08344204e-04f},
    {2.14308221e-02f, 6.15894832e-02f, 4.85319615e-05f},
    {3.02363783e-02f, 4.45043296e-02f, 1.28298725e-05f},
    {3.05869691e-02f, 3.79812494e-02f, 6.57040102e-04f},
    {4.45670523e-02f, 3.97259220e-02f, 7.10966764e-04f},
    {9.43699256e-02f, 9.85926315e-02f, 2.02551950e-04f},
    {1.61131397e-02f, 2.92906128e-02f, 3.44733417e-06f},
    {5.23825921e-02f, 1.07065082e-01f, 6.61510974e-04f},
    {2.85718683e-03f, 8.32320191e-03f, 2.39314613e-04f},
    {2.57947259e-02f, 1.60935968e-02f, 2.41853559e-05f},
    {4.90833223e-02f, 3.43903080e-02f, 3.22353356e-02f},
    {1.44766076e-02f, 3.39248963e-02f, 1.42291479e-04f},
    {8.75749043e-04f, 6.82212645e-03f, 2.76097053e-05f},
    {1.86958015e-02f, 3.84016186e-02f, 7.33085908e-05f},
    {2.01714113e-02f, 4.90544215e-02f, 2.34028921e-05f},
    {2.46518422e-02f, 3.29151377e-02f, 3.48571630e-05f},
    {2.22457591e-02f, 1.21796541e-02f, 1.56396593e-04f},
    {1.72109623e-02f, 3.01626958e-02f, 1.36556877e-02f},
    {1.83460284e-02f, 1.61141958e-02f, 2.87440169e-04f},
    {3.57594155e-02f, 1.80554688e-01f, 2.75554154e-02f},
    {2.17450950e-02f, 8.66811201e-02f, 3.34241726e-02f},
};

#define POINT_FLOATS (FU_LP_POINTS * 3)
#define MOTION_OUTPUTS 7

/* The motion extractor's outputs, in order, and how many values each holds. */
static const char *const motion_what[MOTION_OUTPUTS] = {"pitch", "yaw", "roll", "scale", "translation",
                                                        "expression", "motion points"};
static const int64_t motion_numel[MOTION_OUTPUTS] = {1, 1, 1, 1, 3, POINT_FLOATS, POINT_FLOATS};

struct fu_live_portrait {
    fu_session *feature, *motion, *generator, *eye, *lip, *stitcher; /* owned by the context */
    int generator_in[3]; /* model positions of feature_volume, source, target */
    int stitcher_in[2];  /* model positions of source, target */
};

/* ---------------------------------------------------------------- arithmetic */

float fu_lp_interp(float x, float x0, float x1, float y0, float y1)
{
    if (x <= x0)
        return y0;
    if (x >= x1)
        return y1;
    return y0 + (x - x0) * (y1 - y0) / (x1 - x0);
}

void fu_lp_rotation(float pitch, float yaw, float roll, float r[3][3])
{
    const double d = M_PI / 180.0;
    const double cx = cos(pitch * d), sx = sin(pitch * d);
    const double cy = cos(yaw * d), sy = sin(yaw * d);
    const double cz = cos(roll * d), sz = sin(roll * d);
    /* Rz·Ry·Rx written out */
    r[0][0] = (float)(cz * cy);
    r[0][1] = (float)(cz * sy * sx - sz * cx);
    r[0][2] = (float)(cz * sy * cx + sz * sx);
    r[1][0] = (float)(sz * cy);
    r[1][1] = (float)(sz * sy * sx + cz * cx);
    r[1][2] = (float)(sz * sy * cx - cz * sx);
    r[2][0] = (float)(-sy);
    r[2][1] = (float)(cy * sx);
    r[2][2] = (float)(cy * cx);
}

void fu_lp_pose(const fu_lp_motion *m, const float r[3][3], const fu_lp_points expression, fu_lp_points out)
{
    for (int k = 0; k < FU_LP_POINTS; k++) {
        const float *p = m->points[k];
        for (int a = 0; a < 3; a++) {
            float turned = p[0] * r[a][0] + p[1] * r[a][1] + p[2] * r[a][2];
            out[k][a] = m->scale * (turned + expression[k][a]) + m->translation[a];
        }
    }
}

void fu_lp_limit_expression(fu_lp_points e)
{
    for (int k = 0; k < FU_LP_POINTS; k++)
        for (int a = 0; a < 3; a++) {
            if (e[k][a] < expression_min[k][a])
                e[k][a] = expression_min[k][a];
            else if (e[k][a] > expression_max[k][a])
                e[k][a] = expression_max[k][a];
        }
}

void fu_lp_limit_angles(const float original[3], float edited[3])
{
    static const float bound[3] = {30.0f, 60.0f, 20.0f}; /* pitch, yaw, roll */
    for (int i = 0; i < 3; i++) {
        float lo = -bound[i], hi = bound[i];
        if (original[i] < 0)
            lo = fminf(original[i], lo);
        else
            hi = fmaxf(original[i], hi);
        edited[i] = edited[i] < lo ? lo : edited[i] > hi ? hi : edited[i];
    }
}

float fu_lp_distance_ratio(const facefuse_point lm68[68], int top, int bottom, int left, int right)
{
    double vertical = hypot(lm68[top].x - lm68[bottom].x, lm68[top].y - lm68[bottom].y);
    double horizontal = hypot(lm68[left].x - lm68[right].x, lm68[left].y - lm68[right].y);
    return (float)(vertical / (horizontal + 1e-6));
}

/* ---------------------------------------------------------------- tensors */

void fu_lp_prepare(const facefuse_image *crop, float *input)
{
    const int n = FU_LP_INPUT_PX;
    const size_t plane = (size_t)n * n;
    for (int y = 0; y < n; y++) {
        const uint8_t *r0 = fu_pixel(crop, 0, 2 * y), *r1 = fu_pixel(crop, 0, 2 * y + 1);
        const int ch = crop->channels;
        for (int x = 0; x < n; x++) {
            const uint8_t *a = r0 + 2 * x * ch, *b = r1 + 2 * x * ch;
            for (int c = 0; c < 3; c++) {
                unsigned sum = (unsigned)a[c] + a[ch + c] + b[c] + b[ch + c];
                input[c * plane + (size_t)y * n + x] = (float)((sum + 2) >> 2) / 255.0f;
            }
        }
    }
}

/* ---------------------------------------------------------------- open */

static int64_t known_numel(const fu_tensor_info *t)
{
    int64_t n = 1;
    for (int d = 0; d < t->rank; d++)
        n *= t->dims[d] > 0 ? t->dims[d] : 1;
    return n;
}

/* The motion extractor's outputs hold 1, 1, 1, 1, 3, 63, 63 values. */
static facefuse_status check_motion_outputs(fu_session *s, fu_err *err)
{
    for (int i = 0; i < MOTION_OUTPUTS; i++) {
        const fu_tensor_info *o = fu_session_output(s, i);
        if (known_numel(o) != motion_numel[i])
            return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "model %s: output %d (%s) holds %lld values, "
                           "expected %lld for the %s", fu_session_path(s), i, o->name,
                           (long long)known_numel(o), (long long)motion_numel[i], motion_what[i]);
    }
    return FACEFUSE_OK;
}

/* Finds each of names[] among the session's inputs; pos[i] = its position. */
static facefuse_status bind_by_name(fu_session *s, const char *const *names, int n, int *pos, const char *what,
                                    fu_err *err)
{
    for (int i = 0; i < n; i++) {
        pos[i] = -1;
        for (int j = 0; j < fu_session_input_count(s); j++)
            if (strcmp(fu_session_input(s, j)->name, names[i]) == 0)
                pos[i] = j;
        if (pos[i] < 0)
            return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "%s %s has no input named '%s' (FaceFusion binds "
                           "its inputs by name)", what, fu_session_path(s), names[i]);
    }
    return FACEFUSE_OK;
}

static facefuse_status check_generator(fu_live_portrait *lp, fu_err *err)
{
    static const char *const names[3] = {"feature_volume", "source", "target"};
    static const int rank[3] = {5, 3, 3};
    facefuse_status rc = bind_by_name(lp->generator, names, 3, lp->generator_in, "generator", err);
    for (int i = 0; i < 3 && rc == FACEFUSE_OK; i++) {
        const fu_tensor_info *in = fu_session_input(lp->generator, lp->generator_in[i]);
        int64_t want = i == 0 ? FU_LP_VOLUME_FLOATS : POINT_FLOATS;
        if (in->rank != rank[i] || known_numel(in) != want)
            rc = fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "generator %s: input '%s' is not %s",
                         fu_session_path(lp->generator), names[i], i == 0 ? "[1,32,16,64,64]" : "[1,21,3]");
    }
    return rc;
}

static facefuse_status open_one(facefuse_context *ctx, const char *name, fu_session **s, fu_err *err)
{
    return fu_context_session(ctx, name, s, NULL, err);
}

facefuse_status fu_live_portrait_open(facefuse_context *ctx, unsigned models, fu_live_portrait **out, fu_err *err)
{
    static const char *const stitcher_names[2] = {"source", "target"};
    facefuse_status rc = FACEFUSE_OK;
    *out = NULL;
    fu_live_portrait *lp = calloc(1, sizeof *lp);
    if (!lp)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    if (models & FU_LP_FEATURE)
        rc = open_one(ctx, "live_portrait_feature_extractor", &lp->feature, err);
    if (rc == FACEFUSE_OK && (models & FU_LP_MOTION)) {
        rc = open_one(ctx, "live_portrait_motion_extractor", &lp->motion, err);
        if (rc == FACEFUSE_OK)
            rc = check_motion_outputs(lp->motion, err);
    }
    if (rc == FACEFUSE_OK && (models & FU_LP_GENERATOR)) {
        rc = open_one(ctx, "live_portrait_generator", &lp->generator, err);
        if (rc == FACEFUSE_OK)
            rc = check_generator(lp, err);
    }
    if (rc == FACEFUSE_OK && (models & FU_LP_EYE))
        rc = open_one(ctx, "live_portrait_eye_retargeter", &lp->eye, err);
    if (rc == FACEFUSE_OK && (models & FU_LP_LIP))
        rc = open_one(ctx, "live_portrait_lip_retargeter", &lp->lip, err);
    if (rc == FACEFUSE_OK && (models & FU_LP_STITCHER)) {
        rc = open_one(ctx, "live_portrait_stitcher", &lp->stitcher, err);
        if (rc == FACEFUSE_OK)
            rc = bind_by_name(lp->stitcher, stitcher_names, 2, lp->stitcher_in, "stitcher", err);
    }
    if (rc != FACEFUSE_OK) {
        free(lp);
        return rc;
    }
    *out = lp;
    return FACEFUSE_OK;
}

void fu_live_portrait_close(fu_live_portrait *lp)
{
    free(lp);
}

/* ---------------------------------------------------------------- models */

static facefuse_status need(const fu_session *s, const char *what, fu_err *err)
{
    return s ? FACEFUSE_OK
             : fu_fail(err, FACEFUSE_ERR_INTERNAL, "the LivePortrait %s was not opened", what);
}

static facefuse_status numel_is(const fu_session *s, const fu_tensor *t, int64_t want, const char *what, fu_err *err)
{
    if (fu_tensor_numel(t) == want)
        return FACEFUSE_OK;
    return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "model %s gave %lld values for the %s, expected %lld",
                   fu_session_path(s), (long long)fu_tensor_numel(t), what, (long long)want);
}

static fu_tensor image_tensor(const float *input)
{
    return (fu_tensor){.rank = 4, .dims = {1, 3, FU_LP_INPUT_PX, FU_LP_INPUT_PX}, .data = (float *)input};
}

static fu_tensor points_tensor(const fu_lp_points p)
{
    return (fu_tensor){.rank = 3, .dims = {1, FU_LP_POINTS, 3}, .data = (float *)&p[0][0]};
}

facefuse_status fu_lp_extract_feature(const fu_live_portrait *lp, const float *input, float **volume, fu_err *err)
{
    fu_tensor in = image_tensor(input), out = {0};
    facefuse_status rc = need(lp->feature, "feature extractor", err);
    *volume = NULL;
    if (rc == FACEFUSE_OK)
        rc = fu_session_run(lp->feature, &in, 1, &out, 1, err);
    if (rc == FACEFUSE_OK)
        rc = numel_is(lp->feature, &out, FU_LP_VOLUME_FLOATS, "feature volume", err);
    if (rc != FACEFUSE_OK) {
        fu_tensor_free(&out);
        return rc;
    }
    *volume = out.data; /* ownership moves to the caller */
    return FACEFUSE_OK;
}

facefuse_status fu_lp_extract_motion(const fu_live_portrait *lp, const float *input, fu_lp_motion *m, fu_err *err)
{
    fu_tensor in = image_tensor(input), out[MOTION_OUTPUTS];
    facefuse_status rc = need(lp->motion, "motion extractor", err);
    memset(out, 0, sizeof out);
    if (rc == FACEFUSE_OK)
        rc = fu_session_run(lp->motion, &in, 1, out, MOTION_OUTPUTS, err);
    for (int i = 0; i < MOTION_OUTPUTS && rc == FACEFUSE_OK; i++)
        rc = numel_is(lp->motion, &out[i], motion_numel[i], motion_what[i], err);
    if (rc == FACEFUSE_OK) {
        m->pitch = out[0].data[0];
        m->yaw = out[1].data[0];
        m->roll = out[2].data[0];
        m->scale = out[3].data[0];
        memcpy(m->translation, out[4].data, sizeof m->translation);
        memcpy(m->expression, out[5].data, sizeof m->expression);
        memcpy(m->points, out[6].data, sizeof m->points);
    }
    for (int i = 0; i < MOTION_OUTPUTS; i++)
        fu_tensor_free(&out[i]);
    return rc;
}

/* Runs a retargeter on [posed keypoints, extra...] and takes its 63 values. */
static facefuse_status retarget(fu_session *s, const char *what, const fu_lp_points posed, const float *extra,
                                int n_extra, fu_lp_points delta, fu_err *err)
{
    float row[POINT_FLOATS + 3];
    fu_tensor in = {.rank = 2, .dims = {1, POINT_FLOATS + n_extra}, .data = row}, out = {0};
    facefuse_status rc = need(s, what, err);
    if (rc != FACEFUSE_OK)
        return rc;
    memcpy(row, &posed[0][0], sizeof(float) * POINT_FLOATS);
    memcpy(row + POINT_FLOATS, extra, sizeof(float) * (size_t)n_extra);
    rc = fu_session_run(s, &in, 1, &out, 1, err);
    if (rc == FACEFUSE_OK)
        rc = numel_is(s, &out, POINT_FLOATS, what, err);
    if (rc == FACEFUSE_OK)
        memcpy(&delta[0][0], out.data, sizeof(float) * POINT_FLOATS);
    fu_tensor_free(&out);
    return rc;
}

facefuse_status fu_lp_retarget_eye(const fu_live_portrait *lp, const fu_lp_points posed, float left_ratio,
                                   float right_ratio, float goal, fu_lp_points delta, fu_err *err)
{
    const float extra[3] = {left_ratio, right_ratio, goal};
    return retarget(lp->eye, "eye retargeter", posed, extra, 3, delta, err);
}

facefuse_status fu_lp_retarget_lip(const fu_live_portrait *lp, const fu_lp_points posed, float lip_ratio, float goal,
                                   fu_lp_points delta, fu_err *err)
{
    const float extra[2] = {lip_ratio, goal};
    return retarget(lp->lip, "lip retargeter", posed, extra, 2, delta, err);
}

facefuse_status fu_lp_stitch(const fu_live_portrait *lp, const fu_lp_points source, const fu_lp_points target,
                             fu_lp_points out, fu_err *err)
{
    fu_tensor in[2], result = {0};
    facefuse_status rc = need(lp->stitcher, "stitcher", err);
    if (rc != FACEFUSE_OK)
        return rc;
    in[lp->stitcher_in[0]] = points_tensor(source);
    in[lp->stitcher_in[1]] = points_tensor(target);
    rc = fu_session_run(lp->stitcher, in, 2, &result, 1, err);
    if (rc == FACEFUSE_OK)
        rc = numel_is(lp->stitcher, &result, POINT_FLOATS, "stitched keypoints", err);
    if (rc == FACEFUSE_OK)
        memcpy(&out[0][0], result.data, sizeof(float) * POINT_FLOATS);
    fu_tensor_free(&result);
    return rc;
}

facefuse_status fu_lp_generate(const fu_live_portrait *lp, const float *volume, const fu_lp_points source,
                               const fu_lp_points target, float *rgb, fu_err *err)
{
    const int s = FU_LP_CROP_PX;
    const size_t plane = (size_t)s * s;
    fu_tensor in[3], out = {0};
    facefuse_status rc = need(lp->generator, "generator", err);
    if (rc != FACEFUSE_OK)
        return rc;
    in[lp->generator_in[0]] = (fu_tensor){.rank = 5, .dims = {1, 32, 16, 64, 64}, .data = (float *)volume};
    in[lp->generator_in[1]] = points_tensor(source);
    in[lp->generator_in[2]] = points_tensor(target);
    rc = fu_session_run(lp->generator, in, 3, &out, 1, err);
    if (rc == FACEFUSE_OK)
        rc = numel_is(lp->generator, &out, (int64_t)(3 * plane), "512x512 crop", err);
    if (rc == FACEFUSE_OK)
        for (size_t i = 0; i < plane; i++)
            for (int c = 0; c < 3; c++) {
                float v = out.data[c * plane + i];
                rgb[i * 3 + c] = (v < 0 ? 0 : v > 1 ? 1 : v) * 255.0f;
            }
    fu_tensor_free(&out);
    return rc;
}
