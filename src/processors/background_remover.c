/*
 * background_remover.c — the background_remover processor: its frame work
 * (model masks and corridor_key's foreground, the keyer, FaceFusion's
 * despill and fill, background replacement and alpha; see
 * background_remover.h), its options, and its entry in the processor table
 * (a pre-check refusing a transparent background the output cannot keep).
 */
#include "processors/background_remover.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/image.h"
#include "core/parallel.h"
#include "core/resample.h"
#include "infer/context.h"
#include "media/image_io.h"
#include "media/resize.h"
#include "media/video_writer.h"
#include "processors/background_source.h"
#include "processors/processor.h"

/* FaceFusion's model types, by name; everything else is a plain mask. */
static const struct {
    const char *name;
    fu_remover_type type;
} models[] = {
    {"ben_2", FU_REMOVER_MASK},         {"birefnet_general", FU_REMOVER_MASK},
    {"birefnet_portrait", FU_REMOVER_MASK}, {"corridor_key_1024", FU_REMOVER_CORRIDOR},
    {"corridor_key_2048", FU_REMOVER_CORRIDOR}, {"isnet_general", FU_REMOVER_MASK},
    {"modnet", FU_REMOVER_MASK},        {"ormbg", FU_REMOVER_MASK},
    {"rmbg_1.4", FU_REMOVER_MASK},      {"rmbg_2.0", FU_REMOVER_MASK},
    {"silueta", FU_REMOVER_MASK},       {"u2net_cloth", FU_REMOVER_CLOTH},
    {"u2net_general", FU_REMOVER_MASK}, {"u2net_human", FU_REMOVER_MASK},
    {"u2netp", FU_REMOVER_MASK},        {"chroma_key", FU_REMOVER_CHROMA_KEY},
};

#define MODEL_COUNT (sizeof models / sizeof models[0])

int fu_background_remover_type(const char *model)
{
    for (size_t i = 0; model && i < MODEL_COUNT; i++)
        if (strcmp(models[i].name, model) == 0)
            return (int)models[i].type;
    return -1;
}

const char *fu_background_remover_models(void)
{
    return "ben_2 birefnet_general birefnet_portrait corridor_key_1024 corridor_key_2048 isnet_general modnet "
           "ormbg rmbg_1.4 rmbg_2.0 silueta u2net_cloth u2net_general u2net_human u2netp chroma_key";
}

fu_background_remover_settings fu_background_remover_defaults(void)
{
    fu_background_remover_settings s;
    memset(&s, 0, sizeof s);
    s.model = FU_BACKGROUND_REMOVER_DEFAULT_MODEL;
    s.key = fu_chroma_key_defaults();
    return s;
}

static int has_picture(const fu_background_remover_settings *s)
{
    return (s->background_image && *s->background_image) || (s->background_video && *s->background_video);
}

int fu_background_remover_makes_alpha(const fu_background_remover_settings *s)
{
    return !has_picture(s) && s->fill_color[3] < 255;
}

/* ---------------------------------------------------------------- the model's mask */

/* The frame at size × size as a normalised NCHW tensor of `planes` planes
 * (the fourth, for corridor_key, is left to the caller). */
static facefuse_status fill_input(const facefuse_image *frame, const fu_model_def *def, float *t, fu_err *err)
{
    const int s = def->size;
    const size_t plane = (size_t)s * s;
    facefuse_image scaled = {0};
    if (fu_resize(frame, &scaled, s, s) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "background remover %s: out of memory", def->name);
    float scale[3], offset[3];
    for (int c = 0; c < 3; c++) { /* (x/255 − mean)/std = x·scale + offset */
        scale[c] = 1.0f / (255.0f * def->std[c]);
        offset[c] = -def->mean[c] / def->std[c];
    }
    for (int y = 0; y < s; y++) {
        const uint8_t *p = scaled.data + (size_t)y * scaled.stride;
        float *r = t + (size_t)y * s, *g = r + plane, *b = g + plane;
        for (int x = 0; x < s; x++, p += scaled.channels) {
            r[x] = p[0] * scale[0] + offset[0];
            g[x] = p[1] * scale[1] + offset[1];
            b[x] = p[2] * scale[2] + offset[2];
        }
    }
    facefuse_image_free(&scaled);
    return FACEFUSE_OK;
}

/* corridor_key's fourth plane: 1 − clip(2·(G − max(R, B))/255, 0, 1) at
 * frame size, scaled bilinearly to size × size. */
static facefuse_status fill_coarse_matte(const facefuse_image *frame, int size, float *plane, fu_err *err)
{
    const int w = frame->width, h = frame->height;
    float *coarse = malloc(sizeof(float) * (size_t)w * h);
    if (!coarse)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "background remover: out of memory for the coarse matte");
    for (int y = 0; y < h; y++) {
        const uint8_t *p = frame->data + (size_t)y * frame->stride;
        float *o = coarse + (size_t)y * w;
        for (int x = 0; x < w; x++, p += frame->channels) {
            int other = p[0] > p[2] ? p[0] : p[2];
            float bias = (float)(p[1] - other) * (2.0f / 255.0f);
            bias = bias < 0 ? 0 : bias > 1 ? 1 : bias;
            o[x] = 1.0f - bias;
        }
    }
    facefuse_status st = fu_resize_bilinear_f32(coarse, w, h, w, plane, size, size, size);
    free(coarse);
    if (st != FACEFUSE_OK)
        return fu_fail(err, st, "background remover: out of memory for the coarse matte");
    return FACEFUSE_OK;
}

/* FaceFusion's normalize_vision_mask: clip to 0..1, ×255, truncated. */
static uint8_t mask_byte(float v)
{
    v = v > 0.0f ? v : 0.0f;
    v = v < 1.0f ? v : 1.0f;
    return (uint8_t)(v * 255.0f);
}

/* The spatial size of an output: its last two dimensions, every other 1
 * (but the class axis of u2net_cloth, dims[1], when `classes`). */
static int output_plane(const fu_tensor *t, int classes, int *oh, int *ow, int *oc)
{
    if (t->rank < 2)
        return 0;
    *oh = (int)t->dims[t->rank - 2];
    *ow = (int)t->dims[t->rank - 1];
    *oc = 1;
    for (int d = 0; d < t->rank - 2; d++) {
        if (classes && d == 1 && t->rank == 4)
            *oc = (int)t->dims[1];
        else if (t->dims[d] != 1)
            return 0;
    }
    return *oh > 0 && *ow > 0 && *oc > 0;
}

/* The first output as a mask of oh × ow bytes. */
static facefuse_status output_mask(const fu_tensor *t, fu_remover_type type, const fu_model_def *def,
                                   uint8_t **mask, int *oh, int *ow, fu_err *err)
{
    int classes;
    if (!output_plane(t, type == FU_REMOVER_CLOTH, oh, ow, &classes))
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT,
                       "background remover %s: its mask output has rank %d, not a single plane", def->name, t->rank);
    const size_t n = (size_t)*oh * *ow;
    *mask = malloc(n);
    if (!*mask)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "background remover %s: out of memory", def->name);
    if (type != FU_REMOVER_CLOTH) {
        for (size_t i = 0; i < n; i++)
            (*mask)[i] = mask_byte(t->data[i]);
        return FACEFUSE_OK;
    }
    for (size_t i = 0; i < n; i++) { /* argmax over the classes; any class but 0 is kept */
        int best = 0;
        for (int c = 1; c < classes; c++)
            if (t->data[(size_t)c * n + i] > t->data[(size_t)best * n + i])
                best = c;
        (*mask)[i] = best > 0 ? 255 : 0;
    }
    return FACEFUSE_OK;
}

/* corridor_key's second output, RGB in 0..1, into foreground (frame-sized). */
static facefuse_status output_foreground(const fu_tensor *t, const fu_model_def *def, int w, int h,
                                         facefuse_image *foreground, fu_err *err)
{
    if (t->rank != 4 || t->dims[0] != 1 || t->dims[1] != 3)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT,
                       "background remover %s: its foreground output is not [1,3,H,W]", def->name);
    const int oh = (int)t->dims[2], ow = (int)t->dims[3];
    const size_t n = (size_t)oh * ow, frame_n = (size_t)w * h;
    uint8_t *small = malloc(n), *big = malloc(frame_n);
    facefuse_status st = small && big ? facefuse_image_alloc(foreground, w, h, 3) : FACEFUSE_ERR_NO_MEMORY;
    for (int c = 0; st == FACEFUSE_OK && c < 3; c++) {
        const float *src = t->data + (size_t)c * n;
        for (size_t i = 0; i < n; i++) { /* ×255, clipped, truncated */
            float v = src[i] * 255.0f;
            small[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
        st = fu_resize_bilinear_u8(small, ow, oh, ow, big, w, h, w);
        for (int y = 0; st == FACEFUSE_OK && y < h; y++) {
            uint8_t *d = foreground->data + (size_t)y * foreground->stride + c;
            const uint8_t *s = big + (size_t)y * w;
            for (int x = 0; x < w; x++, d += 3)
                *d = s[x];
        }
    }
    free(small);
    free(big);
    if (st != FACEFUSE_OK) {
        facefuse_image_free(foreground);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "background remover %s: out of memory", def->name);
    }
    return FACEFUSE_OK;
}

facefuse_status fu_background_model_mask(fu_session *session, const fu_model_def *def, fu_remover_type type,
                                         const facefuse_image *frame, uint8_t *mask, facefuse_image *foreground,
                                         fu_background_remover_stats *stats, fu_err *err)
{
    if (!session || !def || def->size <= 0 || !frame || !frame->data || frame->channels < 3 || !mask ||
        type == FU_REMOVER_CHROMA_KEY || (type == FU_REMOVER_CORRIDOR) != (foreground != NULL))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "background remover: bad arguments");
    const int s = def->size, planes = type == FU_REMOVER_CORRIDOR ? 4 : 3, n_out = planes == 4 ? 2 : 1;
    const size_t plane = (size_t)s * s;
    int64_t t0 = fu_now_ns();
    float *t = malloc(sizeof(float) * planes * plane);
    if (!t)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "background remover %s: out of memory", def->name);
    facefuse_status st = fill_input(frame, def, t, err);
    if (st == FACEFUSE_OK && planes == 4)
        st = fill_coarse_matte(frame, s, t + 3 * plane, err);
    fu_tensor input = {.rank = 4, .dims = {1, planes, s, s}, .data = t};
    fu_tensor out[2] = {{0}, {0}};
    int64_t t1 = fu_now_ns();
    if (st == FACEFUSE_OK)
        st = fu_session_run(session, &input, 1, out, n_out, err);
    int64_t t2 = fu_now_ns();
    free(t);
    uint8_t *small = NULL;
    int oh = 0, ow = 0;
    if (st == FACEFUSE_OK)
        st = output_mask(&out[0], type, def, &small, &oh, &ow, err);
    if (st == FACEFUSE_OK && fu_resize_bilinear_u8(small, ow, oh, ow, mask, frame->width, frame->height,
                                                   frame->width) != FACEFUSE_OK)
        st = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "background remover %s: out of memory", def->name);
    if (st == FACEFUSE_OK && type == FU_REMOVER_CORRIDOR)
        st = output_foreground(&out[1], def, frame->width, frame->height, foreground, err);
    free(small);
    fu_tensor_free(&out[0]);
    fu_tensor_free(&out[1]);
    if (stats) {
        stats->pre_ns += t1 - t0;
        stats->run_ns += t2 - t1;
        stats->post_ns += fu_now_ns() - t2;
    }
    return st;
}

/* ---------------------------------------------------------------- despill, fill, replace, alpha */

void fu_background_despill(facefuse_image *frame, const uint8_t color[4])
{
    if (color[3] == 0)
        return;
    int top = color[0] > color[1] ? color[0] : color[1];
    top = color[2] > top ? color[2] : top;
    float k[3];
    for (int c = 0; c < 3; c++)
        k[c] = (color[3] / 255.0f) * ((float)color[c] / (float)(top > 1 ? top : 1));
    for (int y = 0; y < frame->height; y++) {
        uint8_t *p = frame->data + (size_t)y * frame->stride;
        for (int x = 0; x < frame->width; x++, p += frame->channels) {
            float v[3] = {p[0], p[1], p[2]};
            for (int c = 0; c < 3; c++) {
                float limit = 0.5f * (v[(c + 1) % 3] + v[(c + 2) % 3]);
                limit = limit < v[c] ? limit : v[c];
                p[c] = (uint8_t)(v[c] + (limit - v[c]) * k[c]);
            }
        }
    }
}

void fu_background_fill(facefuse_image *frame, const uint8_t *mask, const uint8_t color[4])
{
    const uint32_t a = color[3], full = 255u * 255u;
    if (a == 0)
        return;
    for (int y = 0; y < frame->height; y++) {
        uint8_t *p = frame->data + (size_t)y * frame->stride;
        const uint8_t *m = mask + (size_t)y * frame->width;
        for (int x = 0; x < frame->width; x++, p += frame->channels) {
            uint32_t w = (255u - m[x]) * a; /* (1 − m)·A/255, in 1/65025ths */
            for (int c = 0; c < 3; c++)
                p[c] = (uint8_t)((p[c] * (full - w) + color[c] * w) / full);
        }
    }
}

void fu_background_replace(facefuse_image *frame, const uint8_t *mask, const facefuse_image *background)
{
    for (int y = 0; y < frame->height; y++) {
        uint8_t *p = frame->data + (size_t)y * frame->stride;
        const uint8_t *b = background->data + (size_t)y * background->stride;
        const uint8_t *m = mask + (size_t)y * frame->width;
        for (int x = 0; x < frame->width; x++, p += frame->channels, b += background->channels) {
            uint32_t k = m[x], rest = 255u - k;
            for (int c = 0; c < 3; c++)
                p[c] = (uint8_t)((p[c] * k + b[c] * rest + 127u) / 255u);
        }
    }
}

void fu_background_alpha(facefuse_image *frame, const uint8_t *mask, uint8_t floor)
{
    if (frame->channels != 4)
        return;
    for (int y = 0; y < frame->height; y++) {
        uint8_t *p = frame->data + (size_t)y * frame->stride + 3;
        const uint8_t *m = mask + (size_t)y * frame->width;
        for (int x = 0; x < frame->width; x++, p += 4) {
            uint8_t v = m[x] > floor ? m[x] : floor;
            *p = v < *p ? v : *p;
        }
    }
}

/* ---------------------------------------------------------------- the processor */

struct fu_background_remover {
    fu_background_remover_settings s;
    pthread_mutex_t key_lock;         /* guards the remembered screen colour */
    int have_key;
    uint8_t key_rgb[3];               /* the last screen colour sampled */
    fu_remover_type type;
    fu_session *session;              /* owned by the context; NULL for chroma_key */
    const fu_model_def *def;
    fu_background_source *background; /* NULL: fill colour */
};

static facefuse_status check_settings(const fu_background_remover_settings *s, fu_err *err)
{
    const char *model = s->model ? s->model : FU_BACKGROUND_REMOVER_DEFAULT_MODEL;
    if (fu_background_remover_type(model) < 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown background remover model '%s' (choose from %s)",
                       model, fu_background_remover_models());
    if (s->background_image && *s->background_image && s->background_video && *s->background_video)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "give either --background-image or --background-video, not both");
    if (fu_background_remover_type(model) == FU_REMOVER_CHROMA_KEY)
        return fu_chroma_key_check(&s->key, err);
    return FACEFUSE_OK;
}

facefuse_status fu_background_remover_open(facefuse_context *ctx, const fu_background_remover_settings *s,
                                           fu_background_remover **out, fu_err *err)
{
    *out = NULL;
    facefuse_status st = check_settings(s, err);
    if (st != FACEFUSE_OK)
        return st;
    fu_background_remover *r = calloc(1, sizeof *r);
    if (!r)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "background remover: out of memory");
    r->s = *s;
    pthread_mutex_init(&r->key_lock, NULL);
    r->s.model = s->model ? s->model : FU_BACKGROUND_REMOVER_DEFAULT_MODEL;
    r->s.key.threads = s->threads;
    r->type = (fu_remover_type)fu_background_remover_type(r->s.model);
    if (r->type != FU_REMOVER_CHROMA_KEY)
        st = fu_context_session(ctx, r->s.model, &r->session, &r->def, err);
    if (st == FACEFUSE_OK && s->background_image && *s->background_image)
        st = fu_background_source_open(s->background_image, 0, &r->background, err);
    else if (st == FACEFUSE_OK && s->background_video && *s->background_video)
        st = fu_background_source_open(s->background_video, 1, &r->background, err);
    if (st != FACEFUSE_OK) {
        fu_background_remover_close(r);
        return st;
    }
    r->s.background_image = r->s.background_video = NULL; /* not kept: the source holds what it needs */
    *out = r;
    return FACEFUSE_OK;
}

void fu_background_remover_close(fu_background_remover *r)
{
    if (!r)
        return;
    fu_background_source_close(r->background);
    pthread_mutex_destroy(&r->key_lock);
    free(r);
}

/* *frame as RGBA (alpha 255 when it was RGB). */
static facefuse_status ensure_alpha(facefuse_image *frame, fu_err *err)
{
    if (frame->channels == 4)
        return FACEFUSE_OK;
    facefuse_image rgba;
    if (facefuse_image_alloc(&rgba, frame->width, frame->height, 4) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "background remover: out of memory for %dx%d", frame->width,
                       frame->height);
    for (int y = 0; y < frame->height; y++) {
        const uint8_t *s = frame->data + (size_t)y * frame->stride;
        uint8_t *d = rgba.data + (size_t)y * rgba.stride;
        for (int x = 0; x < frame->width; x++, s += frame->channels, d += 4) {
            d[0] = s[0], d[1] = s[1], d[2] = s[2];
            d[3] = 255;
        }
    }
    facefuse_image_free(frame);
    *frame = rgba;
    return FACEFUSE_OK;
}

/* The keyer's settings for this frame: a sampled key is remembered, so a
 * frame whose border hides the screen (a close-up) keys with the colour
 * seen before instead of not at all. */
static fu_chroma_key_settings frame_key(fu_background_remover *r, const facefuse_image *frame)
{
    fu_chroma_key_settings ks = r->s.key;
    if (ks.key_set)
        return ks;
    uint8_t key[3];
    int found = fu_chroma_key_sample(frame, key);
    pthread_mutex_lock(&r->key_lock);
    if (found) {
        memcpy(r->key_rgb, key, 3);
        r->have_key = 1;
    }
    if (r->have_key) {
        memcpy(ks.key_rgb, r->key_rgb, 3);
        ks.key_set = 1;
    }
    pthread_mutex_unlock(&r->key_lock);
    if (found) /* this frame's own colour, even if another thread just stored its own */
        memcpy(ks.key_rgb, key, 3);
    return ks;
}

/* The frame's RGB from a frame-sized RGB foreground. */
static void take_foreground(facefuse_image *frame, const facefuse_image *fg)
{
    for (int y = 0; y < frame->height; y++) {
        uint8_t *d = frame->data + (size_t)y * frame->stride;
        const uint8_t *s = fg->data + (size_t)y * fg->stride;
        for (int x = 0; x < frame->width; x++, d += frame->channels, s += 3)
            d[0] = s[0], d[1] = s[1], d[2] = s[2];
    }
}

facefuse_status fu_background_remover_process(fu_background_remover *r, facefuse_image *frame, double time_s,
                                              fu_background_remover_stats *stats, fu_err *err)
{
    if (!r || !frame || !frame->data || frame->channels < 3)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "background remover: needs an RGB or RGBA frame");
    const int w = frame->width, h = frame->height;
    uint8_t *mask = malloc((size_t)w * h);
    if (!mask)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "background remover: out of memory for %dx%d", w, h);
    facefuse_status st;
    int64_t t0 = fu_now_ns();
    if (r->type == FU_REMOVER_CHROMA_KEY) {
        fu_chroma_key_settings ks = frame_key(r, frame);
        st = fu_chroma_key(&ks, frame, mask, NULL, err);
    } else {
        facefuse_image fg = {0};
        st = fu_background_model_mask(r->session, r->def, r->type, frame, mask,
                                      r->type == FU_REMOVER_CORRIDOR ? &fg : NULL, stats, err);
        if (st == FACEFUSE_OK && fg.data)
            take_foreground(frame, &fg);
        facefuse_image_free(&fg);
        t0 = fu_now_ns();
    }
    if (st == FACEFUSE_OK)
        fu_background_despill(frame, r->s.despill_color);
    if (st == FACEFUSE_OK && r->background) {
        facefuse_image bg = {0};
        st = fu_background_source_frame(r->background, time_s, w, h, &bg, err);
        if (st == FACEFUSE_OK)
            fu_background_replace(frame, mask, &bg);
        facefuse_image_free(&bg);
    } else if (st == FACEFUSE_OK) {
        fu_background_fill(frame, mask, r->s.fill_color);
        if (r->s.fill_color[3] < 255)
            st = ensure_alpha(frame, err);
        if (st == FACEFUSE_OK)
            fu_background_alpha(frame, mask, r->s.fill_color[3]);
    }
    if (stats)
        stats->post_ns += fu_now_ns() - t0;
    free(mask);
    return st;
}

/* ---------------------------------------------------------------- options and the processor glue */

/* The processor's settings as its options fill them; turned into
 * fu_background_remover_settings by prepare. */
typedef struct remover_options {
    const char *model;
    fu_ints fill_color, despill_color;   /* 4 values after the group check */
    fu_ints key_color;                   /* 0 or 3 values */
    int key_tolerance, key_softness, key_spill, key_choke, key_feather;
    const char *background_image, *background_video;
} remover_options;

#define OWN "facefuse's own, chroma_key: "

static const fu_option remover_option_rows[] = {
    {.name = "--background-remover-model", .section = "processors", .type = FU_OPT_STRING,
     .def = FU_BACKGROUND_REMOVER_DEFAULT_MODEL,
     .choices = "ben_2 birefnet_general birefnet_portrait corridor_key_1024 corridor_key_2048 isnet_general modnet "
                "ormbg rmbg_1.4 rmbg_2.0 silueta u2net_cloth u2net_general u2net_human u2netp chroma_key",
     .offset = offsetof(remover_options, model),
     .help = "choose the model responsible for removing the background (chroma_key: facefuse's own "
             "green/blue-screen keyer, no model file)"},
    {.name = "--background-remover-fill-color", .section = "processors", .type = FU_OPT_INTS, .def = "0 0 0 0",
     .min = 0, .max = 255, .step = 1, .count_min = 1, .count_max = 4,
     .offset = offsetof(remover_options, fill_color),
     .help = "apply red, green, blue and alpha values to the background (v: grey, r g b: opaque; alpha 0 is a "
             "transparent background, written to .png/.webp or a video encoder with alpha)"},
    {.name = "--background-remover-despill-color", .section = "processors", .type = FU_OPT_INTS, .def = "0 0 0 0",
     .min = 0, .max = 255, .step = 1, .count_min = 1, .count_max = 4,
     .offset = offsetof(remover_options, despill_color),
     .help = "remove red, green, blue and alpha values from the foreground"},
    {.name = "--background-remover-key-color", .section = "processors", .type = FU_OPT_INTS, .min = 0, .max = 255,
     .step = 1, .count_min = 3, .count_max = 3, .offset = offsetof(remover_options, key_color),
     .help = OWN "the screen colour R G B (default: sampled from the frame border)"},
    {.name = "--background-remover-key-tolerance", .section = "processors", .type = FU_OPT_INT, .def = "10",
     .min = 0, .max = 100, .step = 1, .offset = offsetof(remover_options, key_tolerance),
     .help = OWN "how far from the screen colour still counts as screen"},
    {.name = "--background-remover-key-softness", .section = "processors", .type = FU_OPT_INT, .def = "80",
     .min = 0, .max = 100, .step = 1, .offset = offsetof(remover_options, key_softness),
     .help = OWN "width of the soft edge between screen and foreground (0: a hard key)"},
    {.name = "--background-remover-key-spill", .section = "processors", .type = FU_OPT_INT, .def = "100",
     .min = 0, .max = 100, .step = 1, .offset = offsetof(remover_options, key_spill),
     .help = OWN "share of the screen's colour cast removed from the foreground"},
    {.name = "--background-remover-key-choke", .section = "processors", .type = FU_OPT_INT, .def = "0",
     .min = -32, .max = 32, .step = 1, .offset = offsetof(remover_options, key_choke),
     .help = OWN "shrink (> 0) or grow (< 0) the matte by this many pixels"},
    {.name = "--background-remover-key-feather", .section = "processors", .type = FU_OPT_INT, .def = "0",
     .min = 0, .max = 32, .step = 1, .offset = offsetof(remover_options, key_feather),
     .help = OWN "soften the matte's edge over this many pixels"},
    {.name = "--background-image", .section = "processors", .type = FU_OPT_STRING, .flags = FU_OPTF_PATH,
     .offset = offsetof(remover_options, background_image),
     .help = "facefuse's own: replace the removed background with this image, scaled to cover the frame (the "
             "fill colour is then ignored; the output is opaque)"},
    {.name = "--background-video", .section = "processors", .type = FU_OPT_STRING, .flags = FU_OPTF_PATH,
     .offset = offsetof(remover_options, background_video),
     .help = "facefuse's own: replace the removed background with this video, scaled to cover the frame and "
             "looped to the target's length (the fill colour is then ignored; the output is opaque)"},
    {0}};

#undef OWN

/* FaceFusion's normalize_color: v → v v v 255, a b → a b a 255,
 * r g b → r g b 255. */
static void normalize_color(fu_ints *c)
{
    if (c->n == 1)
        c->v[1] = c->v[2] = c->v[0];
    else if (c->n == 2)
        c->v[2] = c->v[0];
    if (c->n >= 1 && c->n < 4)
        c->v[3] = 255;
    c->n = 4;
}

static int opt_set(const char *path)
{
    return path && *path;
}

static facefuse_status remover_check_options(void *settings, fu_err *err)
{
    remover_options *o = settings;
    normalize_color(&o->fill_color);
    normalize_color(&o->despill_color);
    if (opt_set(o->background_image) && opt_set(o->background_video))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "give either --background-image or --background-video, not both");
    if (o->key_color.n == 3) {
        fu_chroma_key_settings k = fu_chroma_key_defaults();
        k.key_set = 1;
        for (int c = 0; c < 3; c++)
            k.key_rgb[c] = (uint8_t)o->key_color.v[c];
        if (fu_chroma_key_check(&k, err) != FACEFUSE_OK)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "--background-remover-key-color %d %d %d is too grey "
                           "to key (give a saturated screen colour)", k.key_rgb[0], k.key_rgb[1], k.key_rgb[2]);
    }
    return FACEFUSE_OK;
}

static const fu_option_group remover_group = {"background_remover", "processors", remover_option_rows,
                                              sizeof(remover_options), remover_check_options};

static fu_background_remover_settings settings_of(const remover_options *o)
{
    fu_background_remover_settings s = fu_background_remover_defaults();
    s.model = o->model;
    for (int c = 0; c < 4; c++) {
        s.fill_color[c] = (uint8_t)(o->fill_color.n == 4 ? o->fill_color.v[c] : 0);
        s.despill_color[c] = (uint8_t)(o->despill_color.n == 4 ? o->despill_color.v[c] : 0);
    }
    s.key.key_set = o->key_color.n == 3;
    for (int c = 0; c < 3 && s.key.key_set; c++)
        s.key.key_rgb[c] = (uint8_t)o->key_color.v[c];
    s.key.tolerance = o->key_tolerance;
    s.key.softness = o->key_softness;
    s.key.spill = o->key_spill;
    s.key.choke_px = o->key_choke;
    s.key.feather_px = o->key_feather;
    s.background_image = opt_set(o->background_image) ? o->background_image : NULL;
    s.background_video = opt_set(o->background_video) ? o->background_video : NULL;
    return s;
}

static int remover_makes_alpha(const void *settings)
{
    fu_background_remover_settings s = settings_of(settings);
    return fu_background_remover_makes_alpha(&s);
}

/* A transparent background needs an output that keeps alpha, and a run
 * that does not drop it: refused before any work, naming the options. */
static facefuse_status remover_check(const void *settings, const fu_processor_target *t, fu_err *err)
{
    const remover_options *o = settings;
    char why[FU_ERRMSG_MAX];
    if (!remover_makes_alpha(settings))
        return FACEFUSE_OK;
    if (t->drop_alpha)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "--background-remover-fill-color with alpha %d makes a transparent background, but "
                       "--temp-pixel-format bgr24 drops alpha (use bgra, an opaque fill with alpha 255, or "
                       "--background-image)", o->fill_color.v[3]);
    facefuse_status st = t->is_video ? fu_video_alpha_check(t->output_path, t->video_encoder, err)
                                     : fu_image_alpha_check(t->output_path, err);
    if (st == FACEFUSE_OK)
        return FACEFUSE_OK;
    snprintf(why, sizeof why, "%s", err->msg);
    return fu_fail(err, st, "%s; or give --background-remover-fill-color an alpha of 255 (now %d)", why,
                   o->fill_color.v[3]);
}

/* Per-frame state: the open remover and how frame numbers become times. */
typedef struct remover_state {
    fu_background_remover *remover;
    double fps;                 /* the target's; 0 for an image */
} remover_state;

static void remover_release(void *state)
{
    remover_state *rs = state;
    if (!rs)
        return;
    fu_background_remover_close(rs->remover);
    free(rs);
}

static facefuse_status remover_prepare(const fu_processor_env *env, const void *settings, void **state,
                                       fu_err *err)
{
    fu_background_remover_settings s = settings_of(settings);
    /* a video's frames already run on parallel workers; an image is one frame */
    s.threads = env->target_is_video ? 1 : fu_cpu_count();
    remover_state *rs = calloc(1, sizeof *rs);
    if (!rs)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "background remover: out of memory");
    rs->fps = env->target_is_video ? env->target_fps : 0;
    facefuse_status st = fu_background_remover_open(env->ctx, &s, &rs->remover, err);
    if (st != FACEFUSE_OK) {
        free(rs);
        return st;
    }
    *state = rs;
    return FACEFUSE_OK;
}

static facefuse_status remover_process(fu_frame *f, fu_err *err)
{
    const remover_state *rs = f->state;
    if (!rs)
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "background remover: not prepared");
    /* the background video starts with the output (the first frame kept) */
    /* the frame's own time from the trim start (its timestamp on a video run) */
    double time_s = rs->fps > 0 ? f->time_s : 0;
    return fu_background_remover_process(rs->remover, f->frame, time_s > 0 ? time_s : 0, NULL, err);
}

const fu_processor fu_background_remover_processor = {
    "background_remover", &remover_group, 0, remover_prepare, remover_process, remover_release,
    remover_check, remover_makes_alpha};
