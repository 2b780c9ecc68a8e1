/*
 * swap_identity.c — the source identity and the latent it gives each model
 * type (see swap_identity.h), and its public API.
 */
#include "processors/swap_identity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/geometry.h"
#include "core/image.h"
#include "core/log.h"
#include "face/analyse.h"
#include "infer/context.h"
#include "infer/onnx_initializer.h"
#include "media/image_io.h"
#include "media/video_reader.h"

static facefuse_source_identity *identity_alloc(void)
{
    facefuse_source_identity *id = calloc(1, sizeof *id);
    if (id)
        pthread_mutex_init(&id->lock, NULL);
    return id;
}

void facefuse_source_identity_free(facefuse_source_identity *id)
{
    if (!id)
        return;
    pthread_mutex_destroy(&id->lock);
    free(id->blendswap_source);
    free(id->uniface_source);
    free(id);
}

facefuse_status fu_identity_from_faces(const facefuse_face *faces, int n, facefuse_source_identity **out,
                                       fu_err *err)
{
    *out = NULL;
    if (n < 1)
        return fu_fail(err, FACEFUSE_ERR_NO_FACE, "no source face to take the identity from");
    int dim = faces[0].embedding_dim;
    if (dim < 1)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "the source face has no embedding (no recognizer ran)");
    for (int i = 1; i < n; i++)
        if (faces[i].embedding_dim != dim)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                           "source faces have embeddings of different lengths (%d and %d)", dim,
                           faces[i].embedding_dim);
    facefuse_source_identity *id = identity_alloc();
    if (!id)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the source identity");
    id->dim = dim;
    id->face_count = n;
    for (int k = 0; k < dim; k++) {
        double raw = 0, normed = 0;
        for (int i = 0; i < n; i++) {
            raw += faces[i].embedding[k];
            normed += faces[i].normed_embedding[k];
        }
        id->embedding[k] = (float)(raw / n);
        id->normed_embedding[k] = (float)(normed / n);
    }
    *out = id;
    return FACEFUSE_OK;
}

static float box_area(const float box[4])
{
    return (box[2] - box[0]) * (box[3] - box[1]);
}

/* The largest face of one RGB image, analysed; *found = 0 when there is none. */
static facefuse_status largest_face(facefuse_context *ctx, const facefuse_image *frame,
                                    const facefuse_analysis_params *p, facefuse_face *face, int *found,
                                    fu_err *err)
{
    fu_detection *dets = NULL;
    int n = 0, best = 0;
    facefuse_status rc;

    *found = 0;
    rc = fu_detect_faces(ctx, frame, p, &dets, &n, err);
    if (rc == FACEFUSE_OK && n > 0) {
        for (int i = 1; i < n; i++)
            if (box_area(dets[i].box) > box_area(dets[best].box))
                best = i;
        rc = fu_analyse_face(ctx, frame, p, &dets[best], face, err);
        *found = rc == FACEFUSE_OK;
    }
    free(dets);
    return rc;
}

/* The source crops of the image-source kinds (see the header's top). */
typedef struct source_crop_spec {
    fu_swap_kind kind;
    const char *template_name;
    int size;
} source_crop_spec;

static const source_crop_spec source_crop_specs[] = {
    {FU_SWAP_BLENDSWAP, "arcface_112_v2", 112},
    {FU_SWAP_UNIFACE, "ffhq_512", 256},
};
#define SOURCE_CROP_COUNT ((int)(sizeof source_crop_specs / sizeof source_crop_specs[0]))

static const source_crop_spec *crop_spec(fu_swap_kind kind)
{
    for (int i = 0; i < SOURCE_CROP_COUNT; i++)
        if (source_crop_specs[i].kind == kind)
            return &source_crop_specs[i];
    return NULL;
}

/* The face of the RGB frame aligned to spec, as planar RGB x/255 (malloc'd). */
static facefuse_status source_crop(const facefuse_image *frame, const facefuse_face *face,
                                   const source_crop_spec *spec, float **out, fu_err *err)
{
    const int s = spec->size;
    const size_t plane = (size_t)s * s;
    facefuse_image crop = {0};

    *out = malloc(sizeof(float) * 3 * plane);
    if (!*out || facefuse_image_alloc(&crop, s, s, 3) != FACEFUSE_OK) {
        free(*out);
        *out = NULL;
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the %d px source face crop", s);
    }
    fu_affine a = fu_align_to_template(face->landmark_5_68, spec->template_name, s);
    fu_warp_affine(frame, &crop, &a, FU_BORDER_REPLICATE);
    for (int y = 0; y < s; y++) {
        const uint8_t *row = crop.data + (size_t)y * crop.stride;
        for (int x = 0; x < s; x++)
            for (int c = 0; c < 3; c++)
                (*out)[c * plane + (size_t)y * s + x] = row[x * 3 + c] / 255.0f;
    }
    facefuse_image_free(&crop);
    return FACEFUSE_OK;
}

static facefuse_status source_crops(const facefuse_image *frame, const facefuse_face *face,
                                    float *crops[SOURCE_CROP_COUNT], fu_err *err)
{
    facefuse_status rc = FACEFUSE_OK;
    for (int i = 0; i < SOURCE_CROP_COUNT && rc == FACEFUSE_OK; i++)
        rc = source_crop(frame, face, &source_crop_specs[i], &crops[i], err);
    return rc;
}

static float **crop_slot(facefuse_source_identity *id, fu_swap_kind kind)
{
    if (kind == FU_SWAP_BLENDSWAP)
        return &id->blendswap_source;
    if (kind == FU_SWAP_UNIFACE)
        return &id->uniface_source;
    return NULL;
}

int fu_identity_source_size(fu_swap_kind kind)
{
    const source_crop_spec *spec = crop_spec(kind);
    return spec ? spec->size : 0;
}

const float *fu_identity_source_image(const facefuse_source_identity *id, fu_swap_kind kind)
{
    if (kind == FU_SWAP_BLENDSWAP)
        return id->blendswap_source;
    if (kind == FU_SWAP_UNIFACE)
        return id->uniface_source;
    return NULL;
}

/* Appends name to a "a, b, c" list in buf, shortening when full. */
static void append_name(char *buf, size_t size, const char *name)
{
    size_t len = strlen(buf);
    if (len + 8 >= size)
        return;
    snprintf(buf + len, size - len, "%s%s", len ? ", " : "", name);
}

facefuse_status fu_identity_from_images(facefuse_context *ctx, const facefuse_image *images,
                                        const char *const *names, int n, const facefuse_analysis_params *p,
                                        facefuse_source_identity **out, fu_err *err)
{
    char missing[600] = "";
    float *crops[SOURCE_CROP_COUNT] = {NULL};
    facefuse_status rc = FACEFUSE_OK;
    int found, count = 0;

    *out = NULL;
    if (n < 1)
        return fu_fail(err, FACEFUSE_ERR_NO_FACE, "no source image given");
    if (!p->recognizer_model)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "the source identity needs a recognizer model");
    facefuse_face *faces = calloc((size_t)n, sizeof *faces);
    if (!faces)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for source faces");
    for (int i = 0; i < n && rc == FACEFUSE_OK; i++) {
        char label[32];
        snprintf(label, sizeof label, "source image %d", i + 1);
        const char *name = names && names[i] ? names[i] : label;
        facefuse_image rgb = {0};
        const facefuse_image *frame = &images[i];
        if (frame->channels != 3) {
            if (fu_image_to_rgb(&rgb, frame) != FACEFUSE_OK) {
                rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory converting %s", name);
                break;
            }
            frame = &rgb;
        }
        rc = largest_face(ctx, frame, p, &faces[count], &found, err);
        if (rc == FACEFUSE_OK && found && count == 0) /* the first source face gives the source crops */
            rc = source_crops(frame, &faces[0], crops, err);
        facefuse_image_free(&rgb);
        if (rc == FACEFUSE_OK && found)
            count++;
        else if (rc == FACEFUSE_OK)
            append_name(missing, sizeof missing, name);
    }
    if (rc == FACEFUSE_OK && count == 0)
        rc = fu_fail(err, FACEFUSE_ERR_NO_FACE, "no face found in the source %s %s",
                     n == 1 ? "image" : "images", missing);
    else if (rc == FACEFUSE_OK && missing[0])
        fu_warn("no face found in source %s; using the other sources", missing);
    if (rc == FACEFUSE_OK)
        rc = fu_identity_from_faces(faces, count, out, err);
    for (int i = 0; i < SOURCE_CROP_COUNT; i++) {
        float **slot = rc == FACEFUSE_OK ? crop_slot(*out, source_crop_specs[i].kind) : NULL;
        if (slot)
            *slot = crops[i];
        else
            free(crops[i]);
    }
    free(faces);
    return rc;
}

/* A source photo: an image file, or the first frame of a video. */
static facefuse_status read_source(const char *path, facefuse_image *out, fu_err *err)
{
    if (fu_image_path_is_image(path))
        return fu_image_read(path, out, err);
    return fu_video_read_frame_at(path, 0, out, err);
}

facefuse_status fu_identity_from_paths(facefuse_context *ctx, const char *const *paths, int n,
                                       const facefuse_analysis_params *p, facefuse_source_identity **out,
                                       fu_err *err)
{
    facefuse_image *images = calloc((size_t)(n > 0 ? n : 1), sizeof *images);
    const char **names = calloc((size_t)(n > 0 ? n : 1), sizeof *names);
    facefuse_status rc = FACEFUSE_OK;
    int count = 0;

    *out = NULL;
    if (!images || !names) {
        free(images);
        free(names);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for source images");
    }
    for (int i = 0; i < n && rc == FACEFUSE_OK; i++) {
        if (fu_path_is_audio(paths[i]))
            continue;
        rc = read_source(paths[i], &images[count], err);
        if (rc == FACEFUSE_OK)
            names[count++] = paths[i];
    }
    if (rc == FACEFUSE_OK && count == 0)
        rc = fu_fail(err, FACEFUSE_ERR_NO_FACE, "the face swapper needs a source image (-s) with a face");
    if (rc == FACEFUSE_OK)
        rc = fu_identity_from_images(ctx, images, names, count, p, out, err);
    for (int i = 0; i < count; i++)
        facefuse_image_free(&images[i]);
    free(images);
    free(names);
    return rc;
}

static void normalise(float *v, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += (double)v[i] * v[i];
    s = sqrt(s);
    if (s > 0)
        for (int i = 0; i < n; i++)
            v[i] = (float)(v[i] / s);
}

/* (e / ‖e‖)·emap, normalised; emap is dim_in × dim, row-major. */
static void project(const float *e, int dim_in, const float *emap, int dim, float *latent)
{
    double norm = 0;
    for (int i = 0; i < dim_in; i++)
        norm += (double)e[i] * e[i];
    norm = norm > 0 ? sqrt(norm) : 1;
    for (int j = 0; j < dim; j++) {
        double s = 0;
        for (int i = 0; i < dim_in; i++)
            s += (double)e[i] * emap[(size_t)i * dim + j];
        latent[j] = (float)(s / norm);
    }
    normalise(latent, dim);
}

/* The cached vector for model_path into latent: 1 when there was one. */
static int cache_get(facefuse_source_identity *id, const char *model_path, int dim, float *latent)
{
    int hit;
    pthread_mutex_lock(&id->lock);
    hit = strcmp(id->cached_path, model_path) == 0;
    if (hit)
        memcpy(latent, id->cached_latent, sizeof(float) * (size_t)dim);
    pthread_mutex_unlock(&id->lock);
    return hit;
}

static void cache_put(facefuse_source_identity *id, const char *model_path, int dim, const float *latent)
{
    pthread_mutex_lock(&id->lock);
    snprintf(id->cached_path, sizeof id->cached_path, "%s", model_path);
    memcpy(id->cached_latent, latent, sizeof(float) * (size_t)dim);
    pthread_mutex_unlock(&id->lock);
}

static facefuse_status inswapper_latent(facefuse_source_identity *id, const char *model_path, int dim,
                                        float *latent, fu_err *err)
{
    fu_initializer emap;
    facefuse_status rc;

    if (cache_get(id, model_path, dim, latent))
        return FACEFUSE_OK;
    if ((rc = fu_onnx_last_initializer(model_path, &emap, err)) != FACEFUSE_OK)
        return rc;
    if (emap.rank != 2 || emap.dims[0] != id->dim || emap.dims[1] != dim) {
        rc = fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT,
                     "%s: the last initializer (%s) is not a %d×%d projection for a %d-value source embedding",
                     model_path, emap.name, id->dim, dim, id->dim);
        fu_initializer_free(&emap);
        return rc;
    }
    project(id->embedding, id->dim, emap.data, dim, latent);
    fu_initializer_free(&emap);
    cache_put(id, model_path, dim, latent);
    return FACEFUSE_OK;
}

/* The averaged raw embedding through the CrossFace converter (cached raw). */
static facefuse_status converted_latent(facefuse_source_identity *id, fu_session *converter, int dim,
                                        float *latent, fu_err *err)
{
    const char *path = fu_session_path(converter);
    const fu_tensor_info *info = fu_session_input(converter, 0);
    fu_tensor in, out;
    facefuse_status rc;

    if (cache_get(id, path, dim, latent))
        return FACEFUSE_OK;
    int want = info->rank == 2 && info->dims[1] > 0 ? (int)info->dims[1] : id->dim;
    if (want != id->dim)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT,
                       "%s converts a %d-value embedding but the recognizer gives %d", path, want, id->dim);
    memset(&in, 0, sizeof in);
    in.rank = 2;
    in.dims[0] = 1;
    in.dims[1] = id->dim;
    in.data = id->embedding;
    if ((rc = fu_session_run(converter, &in, 1, &out, 1, err)) != FACEFUSE_OK)
        return rc;
    if (fu_tensor_numel(&out) != dim)
        rc = fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "%s gave %lld values, the swapper takes %d", path,
                     (long long)fu_tensor_numel(&out), dim);
    else
        memcpy(latent, out.data, sizeof(float) * (size_t)dim);
    fu_tensor_free(&out);
    if (rc == FACEFUSE_OK)
        cache_put(id, path, dim, latent);
    return rc;
}

facefuse_status fu_identity_latent(facefuse_source_identity *id, fu_swap_kind kind, const char *model_path,
                                   fu_session *converter, int dim, float *latent, fu_err *err)
{
    facefuse_status rc;

    if (dim < 1 || dim > FACEFUSE_EMBEDDING_MAX)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "%s: source input of %d values", model_path, dim);
    switch (kind) {
    case FU_SWAP_INSWAPPER:
        return inswapper_latent(id, model_path, dim, latent, err);
    case FU_SWAP_SIMSWAP:
    case FU_SWAP_HIFIFACE:
    case FU_SWAP_GHOST:
        if (!converter)
            return fu_fail(err, FACEFUSE_ERR_INTERNAL, "%s needs its embedding converter", model_path);
        rc = converted_latent(id, converter, dim, latent, err);
        if (rc == FACEFUSE_OK && kind != FU_SWAP_GHOST)
            normalise(latent, dim);
        return rc;
    case FU_SWAP_BLENDSWAP:
    case FU_SWAP_UNIFACE:
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "%s takes a source image, not an embedding", model_path);
    case FU_SWAP_HYPERSWAP:
        break;
    }
    if (id->dim != dim)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT,
                       "%s takes a %d-value source embedding but the recognizer gives %d", model_path, dim,
                       id->dim);
    memcpy(latent, id->normed_embedding, sizeof(float) * (size_t)dim);
    return FACEFUSE_OK;
}

facefuse_status fu_latent_balance(fu_swap_kind kind, float *latent, int dim, const facefuse_face *target,
                                  float weight, fu_err *err)
{
    double w = weight < 0 ? 0 : weight > 1 ? 1 : weight;
    float shift = (float)(0.35 + w * (-0.35 - 0.35));
    if (shift == 0)
        return FACEFUSE_OK;
    if (!target || target->embedding_dim != dim)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "face swapper weight %.2f needs the target face's %d-value embedding (it has %d)",
                       weight, dim, target ? target->embedding_dim : 0);
    float t[FACEFUSE_EMBEDDING_MAX];
    if (kind == FU_SWAP_GHOST) { /* FaceFusion blends ghost's latent with the raw embedding */
        memcpy(t, target->embedding, sizeof(float) * (size_t)dim);
    } else {
        memcpy(t, target->normed_embedding, sizeof(float) * (size_t)dim);
        normalise(t, dim);
    }
    for (int i = 0; i < dim; i++)
        latent[i] = latent[i] * (1 - shift) + t[i] * shift;
    return FACEFUSE_OK;
}

facefuse_status facefuse_source_identity_from_images(facefuse_context *ctx, const facefuse_image *images,
                                                     int n, const facefuse_analysis_params *params,
                                                     facefuse_source_identity **out)
{
    facefuse_analysis_params p = params ? *params : facefuse_analysis_default_params();
    fu_err err;

    fu_err_clear(&err);
    if (!ctx || !out || (n > 0 && !images))
        return FACEFUSE_ERR_INVALID_ARGUMENT;
    *out = NULL;
    for (int i = 0; i < n; i++)
        if (!images[i].data)
            return FACEFUSE_ERR_INVALID_ARGUMENT;
    if (!p.recognizer_model)
        p.recognizer_model = "arcface_w600k_r50";
    if (fu_identity_from_images(ctx, images, NULL, n, &p, out, &err) != FACEFUSE_OK)
        return fu_context_fail(ctx, &err);
    return FACEFUSE_OK;
}
