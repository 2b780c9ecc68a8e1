/*
 * swap_model.c — a face swapper model applied to faces (see swap_model.h).
 */
#include "processors/swap_model.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/geometry.h"
#include "core/numeric.h"
#include "infer/context.h"
#include "processors/mask.h"
#include "processors/paste.h"

/* What tells the model types apart (FaceFusion's model set and
 * normalize_crop_frame): the pixel boosts it takes, and whether its output is
 * de-normalised with the model's mean/std or taken as 0..1 as it is. */
typedef struct swap_type {
    const char *prefix; /* of the model name */
    fu_swap_kind kind;
    const int *boosts;  /* 0-terminated */
    int denormalise;
} swap_type;

/* The source image an image-source model is fed, set by fu_swapper_latent
 * (see swap_model.h); a separate allocation so that const swappers can set it. */
typedef struct source_binding {
    pthread_mutex_t lock;
    const float *image; /* borrowed from the identity */
} source_binding;

struct fu_swapper {
    const fu_model_def *def;
    const swap_type *type;
    fu_session *session;          /* owned by the context */
    fu_session *converter;        /* the CrossFace embedding converter (owned by the context), or NULL */
    fu_swap_kind kind;
    int size;                     /* S */
    int boost;                    /* k */
    int crop_size;                /* P = k·S */
    int target_input, source_input;
    int latent_dim;               /* 0 for the image-source models */
    int source_size;              /* their source crop side, else 0 */
    source_binding *source;       /* image-source models only */
    float *mask;                  /* P×P box mask */
    const fu_face_masker *masker; /* borrowed; NULL = box only */
    fu_color_match_mode color;
    fu_blend_mode blend;
};

/* FaceFusion's face_swapper_set, less the sizes its pixel-boost reshape
 * cannot do (not multiples of the model size: 384 for blendswap_256, 768 for
 * simswap_unofficial_512). */
static const int inswapper_boosts[] = {128, 256, 384, 512, 768, 1024, 0};
static const int boosts_256[] = {256, 512, 768, 1024, 0};
static const int boosts_512[] = {512, 1024, 0};

/* First match wins: simswap_unofficial_512 before simswap_. */
static const swap_type swap_types[] = {
    {"inswapper_", FU_SWAP_INSWAPPER, inswapper_boosts, 0},
    {"hyperswap_", FU_SWAP_HYPERSWAP, boosts_256, 1},
    {"simswap_unofficial_512", FU_SWAP_SIMSWAP, boosts_512, 0},
    {"simswap_", FU_SWAP_SIMSWAP, boosts_256, 0},
    {"ghost_", FU_SWAP_GHOST, boosts_256, 1},
    {"hififace_", FU_SWAP_HIFIFACE, boosts_256, 1},
    {"blendswap_", FU_SWAP_BLENDSWAP, boosts_256, 0},
    {"uniface_", FU_SWAP_UNIFACE, boosts_256, 1},
};

static const float zero_mean[3] = {0, 0, 0}, unit_std[3] = {1, 1, 1};

static int is_image_source(fu_swap_kind kind)
{
    return kind == FU_SWAP_BLENDSWAP || kind == FU_SWAP_UNIFACE;
}

static int has_converter(fu_swap_kind kind)
{
    return kind == FU_SWAP_SIMSWAP || kind == FU_SWAP_GHOST || kind == FU_SWAP_HIFIFACE;
}

static facefuse_status type_of(const fu_model_def *def, const swap_type **type, fu_err *err)
{
    if (def->kind != FACEFUSE_MODEL_SWAPPER)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "%s is not a face swapper model", def->name);
    for (size_t i = 0; i < sizeof swap_types / sizeof swap_types[0]; i++)
        if (strncmp(def->name, swap_types[i].prefix, strlen(swap_types[i].prefix)) == 0) {
            *type = &swap_types[i];
            return FACEFUSE_OK;
        }
    return fu_fail(err, FACEFUSE_ERR_UNSUPPORTED,
                   "face swapper model %s is not supported (facefuse runs inswapper, hyperswap, simswap, ghost, "
                   "hififace, blendswap and uniface models)", def->name);
}

static facefuse_status check_boost(const fu_model_def *def, const int *boosts, int boost, fu_err *err)
{
    char list[64] = "";
    for (int i = 0; boosts[i]; i++) {
        if (boosts[i] == boost)
            return FACEFUSE_OK;
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%d", i ? " " : "", boosts[i]);
    }
    return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "--face-swapper-pixel-boost %d is not one of %s for %s",
                   boost, list, def->name);
}

/* 1 when the square [1,3,size,size] input may be in (symbolic dims pass). */
static int image_input_fits(const fu_tensor_info *in, int size)
{
    const int64_t want[4] = {1, 3, size, size};
    if (in->rank != 4)
        return 0;
    for (int d = 0; d < 4; d++)
        if (in->dims[d] > 0 && in->dims[d] != want[d])
            return 0;
    return 1;
}

/* blendswap and uniface: two image inputs. Told apart by size when the
 * sizes differ and are fixed (blendswap: source 112, target 256), else by
 * FaceFusion's input names "source" and "target" (which is how FaceFusion
 * itself binds them, so every export it runs has them; uniface's two inputs
 * are both 256). */
static facefuse_status bind_image_inputs(fu_swapper *sw, fu_err *err)
{
    const char *path = fu_session_path(sw->session);
    const fu_tensor_info *in[2] = {fu_session_input(sw->session, 0), fu_session_input(sw->session, 1)};
    const int ss = sw->source_size, ts = sw->size;

    sw->target_input = sw->source_input = -1;
    if (ss != ts) {
        for (int i = 0; i < 2; i++)
            if (image_input_fits(in[i], ts) && !image_input_fits(in[i], ss) && image_input_fits(in[1 - i], ss) &&
                !image_input_fits(in[1 - i], ts)) {
                sw->target_input = i;
                sw->source_input = 1 - i;
            }
    }
    if (sw->target_input < 0) {
        for (int i = 0; i < 2; i++) {
            if (strcmp(in[i]->name, "target") == 0)
                sw->target_input = i;
            else if (strcmp(in[i]->name, "source") == 0)
                sw->source_input = i;
        }
        if (sw->target_input < 0 || sw->source_input < 0)
            return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT,
                           "%s: cannot tell the source image input from the target crop input (neither their "
                           "sizes, %d and %d, nor their names 'source' and 'target' tell)", path, ss, ts);
    }
    if (!image_input_fits(in[sw->target_input], ts) || !image_input_fits(in[sw->source_input], ss))
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "%s: expected a [1,3,%d,%d] source image and a "
                       "[1,3,%d,%d] target crop", path, ss, ss, ts, ts);
    sw->latent_dim = 0;
    return FACEFUSE_OK;
}

/* Finds the rank-4 crop input and the rank-2 identity input and checks them. */
static facefuse_status bind_vector_inputs(fu_swapper *sw, fu_err *err)
{
    const char *path = fu_session_path(sw->session);
    sw->target_input = sw->source_input = -1;
    for (int i = 0; i < 2; i++) {
        const fu_tensor_info *in = fu_session_input(sw->session, i);
        if (in->rank == 4)
            sw->target_input = i;
        else if (in->rank == 2)
            sw->source_input = i;
    }
    if (sw->target_input < 0 || sw->source_input < 0)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT,
                       "%s: expected a [1,3,%d,%d] crop input and a [1,N] identity input", path, sw->size,
                       sw->size);
    const fu_tensor_info *t = fu_session_input(sw->session, sw->target_input);
    const fu_tensor_info *s = fu_session_input(sw->session, sw->source_input);
    const int64_t want[4] = {1, 3, sw->size, sw->size};
    for (int d = 0; d < 4; d++)
        if (t->dims[d] > 0 && t->dims[d] != want[d])
            return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "%s: crop input %s is not [1,3,%d,%d]", path, t->name,
                           sw->size, sw->size);
    sw->latent_dim = s->dims[1] > 0 ? (int)s->dims[1] : 512;
    if (sw->latent_dim > FACEFUSE_EMBEDDING_MAX)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "%s: identity input of %d values (at most %d)", path,
                       sw->latent_dim, FACEFUSE_EMBEDDING_MAX);
    return FACEFUSE_OK;
}

static facefuse_status bind_inputs(fu_swapper *sw, fu_err *err)
{
    const char *path = fu_session_path(sw->session);
    facefuse_status rc;
    if (fu_session_input_count(sw->session) != 2)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "%s: a face swapper takes 2 inputs, this model %d", path,
                       fu_session_input_count(sw->session));
    rc = is_image_source(sw->kind) ? bind_image_inputs(sw, err) : bind_vector_inputs(sw, err);
    if (rc != FACEFUSE_OK)
        return rc;
    const fu_tensor_info *o = fu_session_output(sw->session, 0);
    if (o->rank != 4 || (o->dims[1] > 0 && o->dims[1] != 3))
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "%s: first output %s is not a [1,3,%d,%d] crop", path,
                       o->name, sw->size, sw->size);
    return FACEFUSE_OK;
}

facefuse_status fu_swapper_open(facefuse_context *ctx, const char *model, int pixel_boost, float mask_blur,
                                const int mask_padding[4], fu_swapper **out, fu_err *err)
{
    const fu_model_def *def = fu_context_model(ctx, model);
    const swap_type *type = NULL;
    facefuse_status rc;

    *out = NULL;
    if (!def)
        return fu_fail(err, FACEFUSE_ERR_NOT_FOUND, "unknown face swapper model '%s'", model ? model : "(null)");
    if ((rc = type_of(def, &type, err)) != FACEFUSE_OK)
        return rc;
    if (has_converter(type->kind) && !def->extra_model)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "%s: no embedding converter model is named for it",
                       def->name);
    int boost = pixel_boost > 0 ? pixel_boost : def->size;
    if ((rc = check_boost(def, type->boosts, boost, err)) != FACEFUSE_OK)
        return rc;
    if (boost % def->size != 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "pixel boost %d is not a multiple of %d", boost,
                       def->size);
    fu_swapper *sw = calloc(1, sizeof *sw);
    if (!sw)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    sw->def = def;
    sw->type = type;
    sw->kind = type->kind;
    sw->size = def->size;
    sw->crop_size = boost;
    sw->boost = boost / def->size;
    sw->source_size = fu_identity_source_size(type->kind);
    rc = fu_context_session(ctx, model, &sw->session, NULL, err);
    if (rc == FACEFUSE_OK && has_converter(sw->kind))
        rc = fu_context_session(ctx, def->extra_model, &sw->converter, NULL, err);
    if (rc == FACEFUSE_OK && is_image_source(sw->kind)) {
        sw->source = calloc(1, sizeof *sw->source);
        if (sw->source)
            pthread_mutex_init(&sw->source->lock, NULL);
        else
            rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    }
    if (rc == FACEFUSE_OK)
        rc = bind_inputs(sw, err);
    if (rc == FACEFUSE_OK)
        rc = fu_box_mask(sw->crop_size, mask_blur, mask_padding, &sw->mask, err);
    if (rc != FACEFUSE_OK) {
        fu_swapper_close(sw);
        return rc;
    }
    *out = sw;
    return FACEFUSE_OK;
}

void fu_swapper_close(fu_swapper *sw)
{
    if (!sw)
        return;
    if (sw->source) {
        pthread_mutex_destroy(&sw->source->lock);
        free(sw->source);
    }
    free(sw->mask);
    free(sw);
}

void fu_swapper_set_finish(fu_swapper *sw, const fu_face_masker *masker, fu_color_match_mode color,
                           fu_blend_mode blend)
{
    sw->masker = masker;
    sw->color = color;
    sw->blend = blend;
}

fu_swap_kind fu_swapper_kind(const fu_swapper *sw)
{
    return sw->kind;
}

int fu_swapper_model_size(const fu_swapper *sw)
{
    return sw->size;
}

int fu_swapper_crop_size(const fu_swapper *sw)
{
    return sw->crop_size;
}

int fu_swapper_latent_dim(const fu_swapper *sw)
{
    return sw->latent_dim;
}

const char *fu_swapper_model_path(const fu_swapper *sw)
{
    return fu_session_path(sw->session);
}

const float *fu_swapper_mask(const fu_swapper *sw)
{
    return sw->mask;
}

fu_affine fu_swapper_align(const fu_swapper *sw, const facefuse_face *face)
{
    return fu_align_to_template(face->landmark_5_68, sw->def->template_name, sw->crop_size);
}

facefuse_status fu_swapper_latent(const fu_swapper *sw, facefuse_source_identity *id, const facefuse_face *target,
                                  float weight, float *latent, fu_err *err)
{
    if (is_image_source(sw->kind)) {
        const float *image = fu_identity_source_image(id, sw->kind);
        if (!image)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                           "%s needs the source face's image, and this source identity was made without it",
                           sw->def->name);
        pthread_mutex_lock(&sw->source->lock);
        sw->source->image = image;
        pthread_mutex_unlock(&sw->source->lock);
        return FACEFUSE_OK;
    }
    facefuse_status rc = fu_identity_latent(id, sw->kind, fu_session_path(sw->session), sw->converter,
                                            sw->latent_dim, latent, err);
    if (rc != FACEFUSE_OK)
        return rc;
    return fu_latent_balance(sw->kind, latent, sw->latent_dim, target, weight, err);
}

void fu_pixel_boost_split(const facefuse_image *crop, int k, int index, const float mean[3], const float std[3],
                          float *planar)
{
    int s = crop->width / k, row0 = index / k, col0 = index % k;
    size_t plane = (size_t)s * s;
    float scale[3], offset[3];
    for (int c = 0; c < 3; c++) {
        scale[c] = 1.0f / (255.0f * std[c]);
        offset[c] = mean[c] / std[c];
    }
    for (int y = 0; y < s; y++) {
        const uint8_t *row = crop->data + (size_t)(y * k + row0) * crop->stride;
        for (int x = 0; x < s; x++) {
            const uint8_t *px = row + (size_t)(x * k + col0) * crop->channels;
            for (int c = 0; c < 3; c++)
                planar[c * plane + (size_t)y * s + x] = px[c] * scale[c] - offset[c];
        }
    }
}

void fu_pixel_boost_merge(const float *planar, int s, int k, int index, const float mean[3], const float std[3],
                          float *out)
{
    int p = s * k, row0 = index / k, col0 = index % k;
    size_t plane = (size_t)s * s;
    for (int y = 0; y < s; y++) {
        float *row = out + (size_t)(y * k + row0) * p * 3;
        for (int x = 0; x < s; x++) {
            float *px = row + (size_t)(x * k + col0) * 3;
            for (int c = 0; c < 3; c++) {
                float v = planar[c * plane + (size_t)y * s + x] * std[c] + mean[c];
                px[c] = (!(v > 0) ? 0 : v > 1 ? 1 : v) * 255.0f; /* NaN: 0 */
            }
        }
    }
}

/* The model on the crop; *unusable is set when the model gave NaN or
 * infinities (the face must then be left as it is). */
static facefuse_status swap_crop(const fu_swapper *sw, const facefuse_image *crop, const float *latent, float *out,
                                 int *unusable, fu_err *err)
{
    const int s = sw->size, k = sw->boost;
    const size_t n = (size_t)3 * s * s;
    const float *out_mean = sw->type->denormalise ? sw->def->mean : zero_mean;
    const float *out_std = sw->type->denormalise ? sw->def->std : unit_std;
    const float *source_image = NULL;
    fu_tensor in[2], res;
    facefuse_status rc = FACEFUSE_OK;

    if (crop->width != sw->crop_size || crop->height != sw->crop_size || crop->channels < 3)
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "swap crop is %dx%d, expected %dx%d", crop->width, crop->height,
                       sw->crop_size, sw->crop_size);
    if (sw->source) {
        pthread_mutex_lock(&sw->source->lock);
        source_image = sw->source->image;
        pthread_mutex_unlock(&sw->source->lock);
        if (!source_image)
            return fu_fail(err, FACEFUSE_ERR_INTERNAL, "%s: no source face image given (fu_swapper_latent first)",
                           sw->def->name);
    }
    float *planar = malloc(sizeof(float) * n);
    if (!planar)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the swapper input");
    memset(in, 0, sizeof in);
    fu_tensor *t = &in[sw->target_input], *src = &in[sw->source_input];
    t->rank = 4;
    t->dims[0] = 1;
    t->dims[1] = 3;
    t->dims[2] = s;
    t->dims[3] = s;
    t->data = planar;
    if (source_image) { /* [1,3,ss,ss], the identity's crop */
        src->rank = 4;
        src->dims[0] = 1;
        src->dims[1] = 3;
        src->dims[2] = sw->source_size;
        src->dims[3] = sw->source_size;
        src->data = (float *)source_image;
    } else {
        src->rank = 2;
        src->dims[0] = 1;
        src->dims[1] = sw->latent_dim;
        src->data = (float *)latent;
    }
    for (int index = 0; index < k * k && rc == FACEFUSE_OK; index++) {
        fu_pixel_boost_split(crop, k, index, sw->def->mean, sw->def->std, planar);
        rc = fu_session_run(sw->session, in, 2, &res, 1, err);
        if (rc != FACEFUSE_OK)
            break;
        if ((size_t)fu_tensor_numel(&res) != n)
            rc = fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "%s gave %lld values, expected 3×%d×%d",
                         fu_session_path(sw->session), (long long)fu_tensor_numel(&res), s, s);
        else
            fu_pixel_boost_merge(res.data, s, k, index, out_mean, out_std, out);
        if (res.nonfinite)
            *unusable = 1;
        fu_tensor_free(&res);
    }
    free(planar);
    return rc;
}

facefuse_status fu_swapper_swap_crop(const fu_swapper *sw, const facefuse_image *crop, const float *latent,
                                     float *out, fu_err *err)
{
    int unusable = 0;
    return swap_crop(sw, crop, latent, out, &unusable, err);
}

/* The swapped floats as a rounded 3-channel image. */
static void floats_to_image(const float *f, facefuse_image *im)
{
    for (int y = 0; y < im->height; y++) {
        uint8_t *row = im->data + (size_t)y * im->stride;
        const float *src = f + (size_t)y * im->width * 3;
        for (int i = 0; i < im->width * 3; i++)
            row[i] = fu_u8_round(src[i]);
    }
}

static void image_to_floats(const facefuse_image *im, float *f)
{
    for (int y = 0; y < im->height; y++) {
        const uint8_t *row = im->data + (size_t)y * im->stride;
        float *dst = f + (size_t)y * im->width * 3;
        for (int i = 0; i < im->width * 3; i++)
            dst[i] = row[i];
    }
}

facefuse_status fu_swapper_finish_crop(const fu_swapper *sw, const facefuse_image *crop, const facefuse_face *face,
                                   const fu_affine *a, float *swapped, float *mask, fu_err *err)
{
    const int p = sw->crop_size;
    if (!fu_face_masker_has_after(sw->masker) && sw->color == FU_COLOR_MATCH_NONE)
        return FACEFUSE_OK;
    facefuse_image result = {0};
    if (facefuse_image_alloc(&result, p, p, 3) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a %d px face crop", p);
    floats_to_image(swapped, &result);
    facefuse_status rc = fu_face_masker_after(sw->masker, &result, face, a, mask, err);
    if (rc == FACEFUSE_OK && sw->color != FU_COLOR_MATCH_NONE) {
        rc = fu_crop_color_match(&result, crop, mask, sw->color, err);
        if (rc == FACEFUSE_OK)
            image_to_floats(&result, swapped);
    }
    facefuse_image_free(&result);
    return rc;
}

facefuse_status fu_swapper_swap_face(const fu_swapper *sw, facefuse_image *frame, const facefuse_face *face,
                                     const float *latent, fu_swap_timing *timing, fu_err *err)
{
    const int p = sw->crop_size;
    const size_t n = (size_t)p * p;
    facefuse_image crop = {0};
    facefuse_status rc;
    int64_t t0 = fu_now_ns(), t1, t2, t3, t4;
    /* The box mask alone is used as is; anything more gets its own plane. */
    const int own_mask = sw->masker && fu_face_masker_types(sw->masker) != FU_MASK_BOX;
    const float *box = fu_face_masker_types(sw->masker) & FU_MASK_BOX ? sw->mask : NULL;

    fu_affine a = fu_swapper_align(sw, face);
    float *swapped = malloc(sizeof(float) * 3 * n);
    float *mask = own_mask ? malloc(sizeof(float) * n) : NULL;
    if (!swapped || (own_mask && !mask) || facefuse_image_alloc(&crop, p, p, frame->channels) != FACEFUSE_OK) {
        free(swapped), free(mask);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a %d px face crop", p);
    }
    fu_warp_affine(frame, &crop, &a, FU_BORDER_REPLICATE);
    t1 = fu_now_ns();
    rc = own_mask ? fu_face_masker_before(sw->masker, &crop, box, mask, err) : FACEFUSE_OK;
    t2 = fu_now_ns();
    int unusable = 0; /* the model gave NaN or infinities: the face stays as it is */
    if (rc == FACEFUSE_OK)
        rc = swap_crop(sw, &crop, latent, swapped, &unusable, err);
    t3 = fu_now_ns();
    if (rc == FACEFUSE_OK && !unusable)
        rc = fu_swapper_finish_crop(sw, &crop, face, &a, swapped, own_mask ? mask : sw->mask, err);
    t4 = fu_now_ns();
    if (rc == FACEFUSE_OK && !unusable)
        rc = fu_blend_crop(frame, swapped, own_mask ? mask : sw->mask, p, &a, sw->blend, err);
    if (timing) {
        timing->align_ns += t1 - t0;
        timing->mask_ns += (t2 - t1) + (t4 - t3);
        timing->model_ns += t3 - t2;
        timing->paste_ns += fu_now_ns() - t4;
    }
    facefuse_image_free(&crop);
    free(swapped), free(mask);
    return rc;
}
