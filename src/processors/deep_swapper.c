/*
 * deep_swapper.c — DeepFaceLive models applied to faces (see
 * deep_swapper.h).
 *
 * Open: find the model (the registry's "<author>/<name>", or a file of the
 * cache's custom/ folder registered with the context under "custom/<name>"),
 * take its session from the context, bind `in_face:0` and `morph_value:0` by
 * name, read S from `in_face:0`, make the box mask. Per face: crop, masks,
 * sharpen, model, colour match, masks after, paste.
 */
#include "processors/deep_swapper.h"

#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/blur.h"
#include "core/clock.h"
#include "core/colour_equalize.h"
#include "core/file.h"
#include "core/image.h"
#include "infer/context.h"
#include "processors/mask.h"
#include "processors/paste.h"
#include "processors/processor.h"

#define SHARPEN_SIGMA 2.0f
#define MASK_SIGMA 6.25f
#define CUSTOM_PREFIX "custom/"

struct fu_deep_swapper {
    const fu_model_def *def;
    fu_session *session;          /* owned by the context */
    int size;                     /* S */
    int in_face, in_morph;        /* input positions; in_morph −1: none */
    float morph;                  /* 0..1 */
    float *box;                   /* S×S */
    const fu_face_masker *masker; /* borrowed */
};

fu_deep_swapper_settings fu_deep_swapper_defaults(void)
{
    fu_deep_swapper_settings s = {FU_DEEP_SWAPPER_DEFAULT_MODEL, 100, 0.3f, {0, 0, 0, 0}};
    return s;
}

/* ---------------------------------------------------------------- custom models */

static int is_listed(const char *dir, const char *name)
{
    char path[PATH_MAX];
    struct stat st;
    if (name[0] == '.' || strncmp(name, "__", 2) == 0)
        return 0;
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return 0;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The file names of <model_dir>/custom that count as models, sorted. */
static facefuse_status custom_files(const char *model_dir, char ***names, int *count, fu_err *err)
{
    char dir[PATH_MAX];
    struct dirent *e;
    int cap = 0;
    *names = NULL;
    *count = 0;
    snprintf(dir, sizeof dir, "%s/custom", model_dir);
    DIR *d = opendir(dir);
    if (!d)
        return FACEFUSE_OK;
    while ((e = readdir(d))) {
        if (!is_listed(dir, e->d_name))
            continue;
        if (*count == cap) {
            cap = cap ? cap * 2 : 16;
            char **grown = realloc(*names, sizeof(char *) * (size_t)cap);
            if (!grown)
                break;
            *names = grown;
        }
        if (!((*names)[*count] = strdup(e->d_name)))
            break;
        (*count)++;
    }
    int failed = e != NULL;
    closedir(d);
    if (failed) {
        fu_deep_swapper_free_ids(*names, *count);
        *names = NULL, *count = 0;
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory listing %s", dir);
    }
    if (*count > 1)
        qsort(*names, (size_t)*count, sizeof(char *), by_name);
    return FACEFUSE_OK;
}

void fu_deep_swapper_free_ids(char **ids, int count)
{
    for (int i = 0; i < count; i++)
        free(ids[i]);
    free(ids);
}

facefuse_status fu_deep_swapper_custom_models(const char *model_dir, char ***ids, int *count, fu_err *err)
{
    facefuse_status rc = custom_files(model_dir, ids, count, err);
    for (int i = 0; rc == FACEFUSE_OK && i < *count; i++) {
        char stem[PATH_MAX];
        fu_path_stem((*ids)[i], stem, sizeof stem);
        size_t len = strlen(CUSTOM_PREFIX) + strlen(stem) + 1;
        char *id = malloc(len);
        if (!id) {
            rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory listing the custom models");
            break;
        }
        snprintf(id, len, "%s%s", CUSTOM_PREFIX, stem);
        free((*ids)[i]);
        (*ids)[i] = id;
    }
    if (rc != FACEFUSE_OK) {
        fu_deep_swapper_free_ids(*ids, *count);
        *ids = NULL, *count = 0;
    }
    return rc;
}

/* custom/<name>: the file of the custom folder whose name without its
 * extension is <name> (the last in sorted order when several are, as
 * FaceFusion's model set keeps the last), registered with the context
 * under that id; *def its definition. */
static facefuse_status find_custom(facefuse_context *ctx, const char *model, const fu_model_def **def, fu_err *err)
{
    static const fu_model_def like = {.kind = FACEFUSE_MODEL_DEEP_SWAPPER, .template_name = "dfl_whole_face",
                                      .std = {1, 1, 1}};
    const char *want = model + strlen(CUSTOM_PREFIX);
    char **names = NULL, path[PATH_MAX], stem[PATH_MAX];
    int count = 0, found = -1;
    facefuse_status rc = custom_files(ctx->store.dir, &names, &count, err);
    for (int i = 0; rc == FACEFUSE_OK && i < count; i++)
        if (strcmp(fu_path_stem(names[i], stem, sizeof stem), want) == 0)
            found = i;
    if (rc == FACEFUSE_OK && found < 0)
        rc = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "deep swapper model '%s': no file named %s.* in %s/custom",
                     model, want, ctx->store.dir);
    if (rc == FACEFUSE_OK && snprintf(path, sizeof path, "%s/custom/%s", ctx->store.dir, names[found]) >=
                                 (int)sizeof path)
        rc = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "deep swapper model '%s': path too long", model);
    if (rc == FACEFUSE_OK)
        rc = fu_context_add_model(ctx, model, path, &like, def, err);
    fu_deep_swapper_free_ids(names, count);
    return rc;
}

/* ---------------------------------------------------------------- open */

static facefuse_status bind_model(fu_deep_swapper *ds, fu_err *err)
{
    const char *path = fu_session_path(ds->session);
    const int n = fu_session_input_count(ds->session);
    ds->in_face = ds->in_morph = -1;
    for (int i = 0; i < n; i++) {
        const char *name = fu_session_input(ds->session, i)->name;
        if (strcmp(name, "in_face:0") == 0)
            ds->in_face = i;
        else if (strcmp(name, "morph_value:0") == 0)
            ds->in_morph = i;
        else
            return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "deep swapper %s: unexpected input '%s' (a .dfm model "
                           "takes in_face:0 and maybe morph_value:0)", path, name);
    }
    if (ds->in_face < 0)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "deep swapper %s has no input 'in_face:0'", path);
    const fu_tensor_info *in = fu_session_input(ds->session, ds->in_face);
    if (in->rank != 4 || in->dims[1] <= 0 || in->dims[1] != in->dims[2] || (in->dims[3] > 0 && in->dims[3] != 3))
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "deep swapper %s: in_face:0 is not [N,S,S,3] with a "
                       "fixed size S", path);
    ds->size = (int)in->dims[1];
    if (ds->in_morph >= 0) {
        const fu_tensor_info *m = fu_session_input(ds->session, ds->in_morph);
        if (m->rank > 1 || (m->rank == 1 && m->dims[0] > 1))
            return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "deep swapper %s: morph_value:0 is not [1]", path);
    }
    if (fu_session_output_count(ds->session) < 3)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "deep swapper %s gives %d outputs, expected 3 (face mask, "
                       "face, source mask)", path, fu_session_output_count(ds->session));
    return FACEFUSE_OK;
}

facefuse_status fu_deep_swapper_open(facefuse_context *ctx, const fu_deep_swapper_settings *s,
                                     const fu_face_masker *masker, fu_deep_swapper **out, fu_err *err)
{
    fu_deep_swapper_settings defaults = fu_deep_swapper_defaults();
    const fu_model_def *def = NULL;
    facefuse_status rc = FACEFUSE_OK;

    *out = NULL;
    if (!s)
        s = &defaults;
    const char *model = s->model ? s->model : defaults.model;
    if (s->morph < 0 || s->morph > 100)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "deep swapper morph %d is outside 0..100", s->morph);
    if (strncmp(model, CUSTOM_PREFIX, strlen(CUSTOM_PREFIX)) == 0)
        rc = find_custom(ctx, model, &def, err);
    else if (!(def = fu_context_model(ctx, model)) || def->kind != FACEFUSE_MODEL_DEEP_SWAPPER)
        rc = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "'%s' is not a deep swapper model (<author>/<name> of "
                     "FaceFusion's set, or custom/<name> from %s/custom)", model, ctx->store.dir);
    if (rc != FACEFUSE_OK)
        return rc;
    fu_deep_swapper *ds = calloc(1, sizeof *ds);
    if (!ds)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    ds->def = def;
    ds->morph = s->morph / 100.0f;
    ds->masker = masker;
    rc = fu_context_session(ctx, def->name, &ds->session, NULL, err);
    if (rc == FACEFUSE_OK)
        rc = bind_model(ds, err);
    if (rc == FACEFUSE_OK)
        rc = fu_box_mask(ds->size, s->mask_blur, s->mask_padding, &ds->box, err);
    if (rc != FACEFUSE_OK) {
        fu_deep_swapper_close(ds);
        return rc;
    }
    *out = ds;
    return FACEFUSE_OK;
}

void fu_deep_swapper_close(fu_deep_swapper *ds)
{
    if (!ds)
        return;
    free(ds->box);
    free(ds);
}

int fu_deep_swapper_size(const fu_deep_swapper *ds)
{
    return ds->size;
}

int fu_deep_swapper_has_morph(const fu_deep_swapper *ds)
{
    return ds->in_morph >= 0;
}

const char *fu_deep_swapper_model_path(const fu_deep_swapper *ds)
{
    return fu_session_path(ds->session);
}

fu_affine fu_deep_swapper_align(const fu_deep_swapper *ds, const facefuse_face *face)
{
    return fu_align_to_template(face->landmark_5_68, ds->def->template_name, ds->size);
}

/* ---------------------------------------------------------------- steps */

static uint8_t to_byte(float v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : lrintf(v));
}

facefuse_status fu_deep_swapper_sharpen(facefuse_image *crop, fu_err *err)
{
    const int w = crop->width, h = crop->height;
    const size_t n = (size_t)w * h;
    float *plane = malloc(sizeof(float) * n);
    facefuse_status rc = plane ? FACEFUSE_OK : fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory to sharpen");
    for (int c = 0; c < 3 && rc == FACEFUSE_OK; c++) {
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                plane[(size_t)y * w + x] = fu_pixel(crop, x, y)[c];
        rc = fu_gaussian_blur_f32_k(plane, w, h, SHARPEN_SIGMA, fu_gaussian_ksize_u8(SHARPEN_SIGMA), err);
        for (int y = 0; rc == FACEFUSE_OK && y < h; y++)
            for (int x = 0; x < w; x++) {
                uint8_t *p = fu_pixel(crop, x, y) + c;
                float blurred = to_byte(plane[(size_t)y * w + x]); /* GaussianBlur gives bytes */
                *p = to_byte(1.75f * *p - 0.75f * blurred);
            }
    }
    free(plane);
    return rc;
}

/* One erosion by the 3×3 cross; neighbours outside the plane do not count
 * (OpenCV's default border for erode). */
static void erode_cross(const float *in, float *out, int s)
{
    for (int y = 0; y < s; y++)
        for (int x = 0; x < s; x++) {
            float m = in[(size_t)y * s + x];
            if (x > 0 && in[(size_t)y * s + x - 1] < m)
                m = in[(size_t)y * s + x - 1];
            if (x + 1 < s && in[(size_t)y * s + x + 1] < m)
                m = in[(size_t)y * s + x + 1];
            if (y > 0 && in[(size_t)(y - 1) * s + x] < m)
                m = in[(size_t)(y - 1) * s + x];
            if (y + 1 < s && in[(size_t)(y + 1) * s + x] < m)
                m = in[(size_t)(y + 1) * s + x];
            out[(size_t)y * s + x] = m;
        }
}

facefuse_status fu_deep_swapper_prepare_mask(float *mask, int size, fu_err *err)
{
    const size_t n = (size_t)size * size;
    float *tmp = malloc(sizeof(float) * n);
    if (!tmp)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the deep swapper mask");
    for (size_t i = 0; i < n; i++)
        mask[i] = mask[i] < 0 ? 0 : mask[i] > 1 ? 1 : mask[i];
    erode_cross(mask, tmp, size);
    erode_cross(tmp, mask, size);
    free(tmp);
    return fu_gaussian_blur_f32(mask, size, size, MASK_SIGMA, err);
}

/* in_face:0: the sharpened crop as BGR/255, NHWC. */
static void fill_face_input(const facefuse_image *sharp, float *t)
{
    for (int y = 0; y < sharp->height; y++)
        for (int x = 0; x < sharp->width; x++) {
            const uint8_t *p = fu_pixel(sharp, x, y);
            float *o = t + ((size_t)y * sharp->width + x) * 3;
            o[0] = p[2] / 255.0f, o[1] = p[1] / 255.0f, o[2] = p[0] / 255.0f;
        }
}

facefuse_status fu_deep_swapper_forward(const fu_deep_swapper *ds, const facefuse_image *crop,
                                        facefuse_image *face, float *mask, fu_err *err)
{
    const int s = ds->size;
    const size_t n = (size_t)s * s;
    facefuse_image sharp = {0};
    fu_tensor in[2], out[3];
    float morph = ds->morph;
    float *t = malloc(sizeof(float) * n * 3);
    facefuse_status rc = FACEFUSE_OK;

    memset(face, 0, sizeof *face);
    memset(out, 0, sizeof out);
    if (!t || fu_image_copy(&sharp, crop) != FACEFUSE_OK || facefuse_image_alloc(face, s, s, 3) != FACEFUSE_OK) {
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a %d px deep swapper crop", s);
        goto done;
    }
    rc = fu_deep_swapper_sharpen(&sharp, err);
    if (rc != FACEFUSE_OK)
        goto done;
    fill_face_input(&sharp, t);
    memset(in, 0, sizeof in);
    in[ds->in_face] = (fu_tensor){.rank = 4, .dims = {1, s, s, 3}, .data = t};
    if (ds->in_morph >= 0) {
        const fu_tensor_info *m = fu_session_input(ds->session, ds->in_morph);
        in[ds->in_morph] = (fu_tensor){.rank = m->rank, .dims = {1}, .data = &morph};
    }
    rc = fu_session_run(ds->session, in, ds->in_morph >= 0 ? 2 : 1, out, 3, err);
    if (rc != FACEFUSE_OK)
        goto done;
    if ((size_t)fu_tensor_numel(&out[0]) != n || (size_t)fu_tensor_numel(&out[1]) != 3 * n ||
        (size_t)fu_tensor_numel(&out[2]) != n) {
        rc = fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "deep swapper %s: outputs are not [1,%d,%d,1], [1,%d,%d,3], "
                     "[1,%d,%d,1]", fu_session_path(ds->session), s, s, s, s, s, s);
        goto done;
    }
    for (size_t i = 0; i < n; i++) { /* BGR → RGB bytes */
        uint8_t *p = face->data + (i / s) * face->stride + (i % s) * 3;
        const float *o = out[1].data + i * 3;
        p[0] = to_byte(o[2] * 255.0f), p[1] = to_byte(o[1] * 255.0f), p[2] = to_byte(o[0] * 255.0f);
        mask[i] = out[0].data[i] < out[2].data[i] ? out[0].data[i] : out[2].data[i];
    }
    rc = fu_deep_swapper_prepare_mask(mask, s, err);
done:
    for (int i = 0; i < 3; i++)
        fu_tensor_free(&out[i]);
    if (rc != FACEFUSE_OK)
        facefuse_image_free(face);
    facefuse_image_free(&sharp);
    free(t);
    return rc;
}

/* ---------------------------------------------------------------- per face */

facefuse_status fu_deep_swapper_swap_face(const fu_deep_swapper *ds, facefuse_image *frame,
                                          const facefuse_face *face, fu_deep_swap_timing *timing, fu_err *err)
{
    const int s = ds->size;
    const size_t n = (size_t)s * s;
    facefuse_image crop = {0}, swapped = {0};
    facefuse_status rc = FACEFUSE_OK;
    int64_t t0 = fu_now_ns(), t1 = t0, t2 = t0;

    if (!frame || !frame->data || !face || frame->channels < 3)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "deep swapper: no frame or face");
    fu_affine a = fu_deep_swapper_align(ds, face);
    float *mask = malloc(sizeof(float) * n), *model_mask = malloc(sizeof(float) * n);
    float *rgb = malloc(sizeof(float) * n * 3);
    if (!mask || !model_mask || !rgb || facefuse_image_alloc(&crop, s, s, 3) != FACEFUSE_OK) {
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a %d px face crop", s);
        goto done;
    }
    fu_warp_affine(frame, &crop, &a, FU_BORDER_REPLICATE);
    rc = fu_face_masker_before(ds->masker, &crop, ds->box, mask, err);
    t1 = fu_now_ns();
    if (rc == FACEFUSE_OK)
        rc = fu_deep_swapper_forward(ds, &crop, &swapped, model_mask, err);
    t2 = fu_now_ns();
    if (rc == FACEFUSE_OK)
        rc = fu_conditional_match_frame_color(&crop, &swapped, err);
    if (rc == FACEFUSE_OK) {
        for (size_t i = 0; i < n; i++)
            mask[i] = model_mask[i] < mask[i] ? model_mask[i] : mask[i];
        rc = fu_face_masker_after(ds->masker, &swapped, face, &a, mask, err);
    }
    if (rc == FACEFUSE_OK) {
        for (int y = 0; y < s; y++)
            for (int i = 0; i < 3 * s; i++)
                rgb[(size_t)y * 3 * s + i] = swapped.data[(size_t)y * swapped.stride + i];
        fu_paste_back(frame, rgb, mask, s, &a);
    }
    if (timing) {
        timing->crop_ns += t1 - t0;
        timing->model_ns += t2 - t1;
        timing->paste_ns += fu_now_ns() - t2;
    }
done:
    facefuse_image_free(&crop), facefuse_image_free(&swapped);
    free(mask), free(model_mask), free(rgb);
    return rc;
}

/* ---------------------------------------------------------------- processor */

typedef struct deep_settings {
    const char *model;
    int morph;
} deep_settings;

#define DS(field) offsetof(deep_settings, field)

/* FaceFusion's 157 "<author>/<name>" ids in its order, built once. */
static pthread_once_t choices_once = PTHREAD_ONCE_INIT;
static char *choices_text;

static void build_choices(void)
{
    const fu_model_def *const *all = fu_model_all();
    size_t len = 0;
    for (int i = 0; all[i]; i++)
        if (all[i]->kind == FACEFUSE_MODEL_DEEP_SWAPPER)
            len += strlen(all[i]->name) + 1;
    if (len == 0 || !(choices_text = malloc(len)))
        return;
    choices_text[0] = '\0';
    for (int i = 0, o = 0; all[i]; i++)
        if (all[i]->kind == FACEFUSE_MODEL_DEEP_SWAPPER)
            o += sprintf(choices_text + o, "%s%s", o ? " " : "", all[i]->name);
}

static const char *deep_swapper_choices(void)
{
    pthread_once(&choices_once, build_choices);
    return choices_text;
}

/* custom/<name>: a name a file of the custom folder can give (as the
 * folder is listed: not hidden, not "__", no '/'; printable). */
static int is_custom_id(const char *model)
{
    const char *name = model + strlen(CUSTOM_PREFIX);
    if (strncmp(model, CUSTOM_PREFIX, strlen(CUSTOM_PREFIX)) != 0 || !*name || name[0] == '.' ||
        strncmp(name, "__", 2) == 0)
        return 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '/')
            return 0;
    return 1;
}

/* A registry deep swapper or a custom/<name>; whether a custom model's
 * file exists is known only with the model cache, at prepare. */
static facefuse_status check_deep_swapper(void *settings, fu_err *err)
{
    const deep_settings *s = settings;
    const fu_model_def *def = fu_model_find(s->model);
    char shown[96];
    size_t o = 0;
    if (is_custom_id(s->model) || (def && def->kind == FACEFUSE_MODEL_DEEP_SWAPPER))
        return FACEFUSE_OK;
    for (const unsigned char *p = (const unsigned char *)s->model; *p && o + 1 < sizeof shown; p++)
        shown[o++] = *p >= 0x20 && *p < 0x7f ? (char)*p : '?';
    shown[o] = '\0';
    return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "invalid value '%s' for --deep-swapper-model (one of "
                   "FaceFusion's <author>/<name> models listed by --help, or custom/<name> for a file of the model "
                   "cache's custom/ folder)", shown);
}

static const fu_option deep_options[] = {
    {.name = "--deep-swapper-model", .section = "processors", .type = FU_OPT_STRING,
     .def = FU_DEEP_SWAPPER_DEFAULT_MODEL, .choices_fn = deep_swapper_choices, .offset = DS(model),
     .help = "choose the model responsible for swapping the face (also custom/<name>: a model file in the model "
             "cache's custom/ folder)"},
    {.name = "--deep-swapper-morph", .section = "processors", .type = FU_OPT_INT, .def = "100", .min = 0,
     .max = 100, .step = 1, .offset = DS(morph), .help = "morph between source face and target faces"},
    {0}};

static const fu_option_group deep_group = {"deep_swapper", "processors", deep_options, sizeof(deep_settings),
                                           check_deep_swapper};

typedef struct deep_state {
    fu_face_masker *masker;
    fu_deep_swapper *swapper;
} deep_state;

static void deep_release(void *state)
{
    deep_state *st = state;
    if (!st)
        return;
    fu_deep_swapper_close(st->swapper);
    fu_face_masker_close(st->masker);
    free(st);
}

static facefuse_status deep_prepare(const fu_processor_env *env, const void *settings, void **state, fu_err *err)
{
    const deep_settings *set = settings;
    fu_deep_swapper_settings s = {set->model, set->morph, env->masker->blur, {0, 0, 0, 0}};
    facefuse_status rc;
    *state = NULL;
    for (int i = 0; i < 4 && i < env->masker->padding.n; i++)
        s.mask_padding[i] = env->masker->padding.v[i];
    deep_state *st = calloc(1, sizeof *st);
    if (!st)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    rc = fu_face_masker_open(env->ctx, env->masker, &st->masker, err);
    if (rc == FACEFUSE_OK)
        rc = fu_deep_swapper_open(env->ctx, &s, st->masker, &st->swapper, err);
    if (rc != FACEFUSE_OK) {
        deep_release(st);
        return rc;
    }
    *state = st;
    return FACEFUSE_OK;
}

static facefuse_status deep_process(fu_frame *f, fu_err *err)
{
    const deep_state *st = f->state;
    facefuse_status rc = FACEFUSE_OK;
    for (int i = 0; i < f->face_count && rc == FACEFUSE_OK; i++)
        rc = fu_deep_swapper_swap_face(st->swapper, f->frame, &f->faces[i], NULL, err);
    return rc;
}

const fu_processor fu_deep_swapper_processor = {
    .name = "deep_swapper", .options = &deep_group, .needs = FU_NEEDS_FACES,
    .prepare = deep_prepare, .process = deep_process, .release = deep_release};
