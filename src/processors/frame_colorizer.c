/*
 * frame_colorizer.c — grey in, colour predicted, merged with the original's
 * lightness in Lab (see frame_colorizer.h). The Lab arithmetic is OpenCV's
 * float cvtColor (as core/colour.c), in float32 with tables: sRGB codes to
 * linear, L*(Y) interpolated over 4096 steps, and linear to sRGB codes over
 * 65536 steps (±1 level next to a rounding boundary), so the merge of a
 * 1080p frame is a few multiplications and table reads a pixel. At the
 * end: the processor's options and its entry in the processor table.
 */
#include "processors/frame_colorizer.h"

#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/colour.h"
#include "core/image.h"
#include "core/parallel.h"
#include "core/resample.h"
#include "infer/context.h"
#include "media/resize.h"
#include "processors/processor.h"

static const struct {
    const char *name;
    fu_colorizer_type type;
} models[] = {
    {"ddcolor", FU_COLORIZER_DDCOLOR},   {"ddcolor_artistic", FU_COLORIZER_DDCOLOR},
    {"deoldify", FU_COLORIZER_DEOLDIFY}, {"deoldify_artistic", FU_COLORIZER_DEOLDIFY},
    {"deoldify_stable", FU_COLORIZER_DEOLDIFY},
};

int fu_frame_colorizer_type(const char *model)
{
    for (size_t i = 0; model && i < sizeof models / sizeof models[0]; i++)
        if (strcmp(models[i].name, model) == 0)
            return (int)models[i].type;
    return -1;
}

const char *fu_frame_colorizer_models(void)
{
    return "ddcolor ddcolor_artistic deoldify deoldify_artistic deoldify_stable";
}

fu_frame_colorizer_settings fu_frame_colorizer_defaults(void)
{
    fu_frame_colorizer_settings s = {FU_FRAME_COLORIZER_DEFAULT_MODEL, 256, 100, 0};
    return s;
}

static int size_allowed(int size)
{
    return size == 192 || size == 256 || size == 384 || size == 512;
}

int fu_frame_colorizer_parse_size(const char *text)
{
    char *end;
    if (!text)
        return 0;
    long w = strtol(text, &end, 10);
    if (*end == 'x') {
        long h = strtol(end + 1, &end, 10);
        if (h != w)
            return 0;
    }
    return *end == '\0' && size_allowed((int)w) ? (int)w : 0;
}

facefuse_status fu_frame_colorizer_check(const fu_frame_colorizer_settings *s, fu_err *err)
{
    const char *model = s->model ? s->model : FU_FRAME_COLORIZER_DEFAULT_MODEL;
    if (fu_frame_colorizer_type(model) < 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown frame colorizer model '%s' (choose from %s)", model,
                       fu_frame_colorizer_models());
    if (!size_allowed(s->size))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "frame colorizer size %d is not one of 192x192 256x256 384x384 512x512", s->size);
    if (s->blend < 0 || s->blend > 100)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "frame colorizer blend %d is outside 0..100", s->blend);
    return FACEFUSE_OK;
}

/* ---------------------------------------------------------------- Lab, float32 */

/* OpenCV's sRGB → XYZ (D65) and back, and the white point. */
static const float xn = 0.950456f, zn = 1.088754f;
static const float m_rgb2xyz[9] = {0.412453f, 0.357580f, 0.180423f, 0.212671f, 0.715160f,
                                   0.072169f, 0.019334f, 0.119193f, 0.950227f};
static const float m_xyz2rgb[9] = {3.240479f, -1.53715f, -0.498535f, -0.969256f, 1.875991f,
                                   0.041556f, 0.055648f, -0.204043f, 1.057311f};

#define Y_STEPS 4096       /* L* tabulated over Y in [0, 1], interpolated */
#define LINEAR_STEPS 65536 /* 8-bit sRGB codes tabulated over linear light in [0, 1] */

typedef struct lab_tables {
    float linear[256];                   /* sRGB code → linear */
    float lightness[Y_STEPS + 2];        /* L*(i / Y_STEPS) */
    uint8_t code[LINEAR_STEPS + 1];      /* round(255·srgb(i / LINEAR_STEPS)) */
    float ddcolor_in[3][256];            /* ddcolor's input for grey g: RGB of (L(g), 0, 0) */
} lab_tables;

static lab_tables tables;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static double srgb_to_linear(double c)
{
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double linear_to_srgb(double c)
{
    return c <= 0.0031308 ? c * 12.92 : 1.055 * pow(c, 1.0 / 2.4) - 0.055;
}

static void build_tables(void)
{
    for (int i = 0; i < 256; i++) {
        tables.linear[i] = (float)srgb_to_linear(i / 255.0);
        float grey[3] = {i / 255.0f, i / 255.0f, i / 255.0f}, lab[3], rgb[3];
        fu_rgb_to_lab(grey, lab);
        lab[1] = lab[2] = 0;
        fu_lab_to_rgb(lab, rgb);
        for (int c = 0; c < 3; c++)
            tables.ddcolor_in[c][i] = rgb[c];
    }
    for (int i = 0; i <= Y_STEPS + 1; i++) {
        double y = (double)i / Y_STEPS;
        tables.lightness[i] = (float)(y > 0.008856 ? 116.0 * cbrt(y) - 16.0 : 903.3 * y);
    }
    for (int i = 0; i <= LINEAR_STEPS; i++)
        tables.code[i] = (uint8_t)floor(255.0 * linear_to_srgb((double)i / LINEAR_STEPS) + 0.5);
}

/* round(255·srgb(c)) for linear c, clipped (to the table's 1/65536 steps). */
static inline uint8_t linear_to_code(float c)
{
    c = c > 0.0f ? c : 0.0f;
    c = c < 1.0f ? c : 1.0f;
    return tables.code[(int)(c * (float)LINEAR_STEPS + 0.5f)];
}

static inline float lab_f(float t)
{
    return t > 0.008856f ? cbrtf(t) : 7.787f * t + 16.0f / 116.0f;
}

static inline float lab_f_inv(float f)
{
    return f > 0.206893f ? f * f * f : (f - 16.0f / 116.0f) / 7.787f;
}

/* L* of an 8-bit RGB pixel: Y from the tables, L*(Y) interpolated. */
static inline float lightness(const uint8_t *p)
{
    float y = m_rgb2xyz[3] * tables.linear[p[0]] + m_rgb2xyz[4] * tables.linear[p[1]] + m_rgb2xyz[5] * tables.linear[p[2]];
    float f = y * (float)Y_STEPS;
    f = f > 0.0f ? f : 0.0f;
    f = f < (float)Y_STEPS ? f : (float)Y_STEPS;
    int i = (int)f;
    return tables.lightness[i] + (f - (float)i) * (tables.lightness[i + 1] - tables.lightness[i]);
}

/* a*, b* of an 8-bit RGB pixel. */
static inline void chroma_ab(const uint8_t *p, float *a, float *b)
{
    float l[3] = {tables.linear[p[0]], tables.linear[p[1]], tables.linear[p[2]]}, xyz[3];
    for (int i = 0; i < 3; i++)
        xyz[i] = m_rgb2xyz[3 * i] * l[0] + m_rgb2xyz[3 * i + 1] * l[1] + m_rgb2xyz[3 * i + 2] * l[2];
    float fx = lab_f(xyz[0] / xn), fy = lab_f(xyz[1]), fz = lab_f(xyz[2] / zn);
    *a = 500.0f * (fx - fy);
    *b = 200.0f * (fy - fz);
}

/* Lab → 8-bit RGB, clipped and rounded. */
static inline void lab_to_code(float L, float a, float b, uint8_t *out)
{
    float y, fy;
    if (L <= 8.0f) {
        y = L / 903.3f;
        fy = 7.787f * y + 16.0f / 116.0f;
    } else {
        fy = (L + 16.0f) / 116.0f;
        y = fy * fy * fy;
    }
    float x = xn * lab_f_inv(fy + a / 500.0f), z = zn * lab_f_inv(fy - b / 200.0f);
    for (int i = 0; i < 3; i++)
        out[i] = linear_to_code(m_xyz2rgb[3 * i] * x + m_xyz2rgb[3 * i + 1] * y + m_xyz2rgb[3 * i + 2] * z);
}

/* ---------------------------------------------------------------- pre-processing */

/* OpenCV's BGR2GRAY on 8 bits. */
static inline uint8_t grey_of(const uint8_t *p)
{
    return (uint8_t)((4899u * p[0] + 9617u * p[1] + 1868u * p[2] + 8192u) >> 14);
}

/* The model's input: the grey frame at size × size, three planes. */
static facefuse_status fill_input(const facefuse_image *frame, fu_colorizer_type type, int size, float *t, fu_err *err)
{
    const int w = frame->width, h = frame->height;
    facefuse_image grey = {0}, scaled = {0};
    if (facefuse_image_alloc(&grey, w, h, 1) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "frame colorizer: out of memory for %dx%d", w, h);
    for (int y = 0; y < h; y++) {
        const uint8_t *p = frame->data + (size_t)y * frame->stride;
        uint8_t *g = grey.data + (size_t)y * grey.stride;
        for (int x = 0; x < w; x++, p += frame->channels)
            g[x] = grey_of(p);
    }
    facefuse_status st = fu_resize(&grey, &scaled, size, size);
    facefuse_image_free(&grey);
    if (st != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "frame colorizer: out of memory");
    const size_t plane = (size_t)size * size;
    for (int y = 0; y < size; y++) {
        const uint8_t *g = scaled.data + (size_t)y * scaled.stride;
        for (int c = 0; c < 3; c++) {
            float *o = t + c * plane + (size_t)y * size;
            if (type == FU_COLORIZER_DDCOLOR)
                for (int x = 0; x < size; x++)
                    o[x] = tables.ddcolor_in[c][g[x]];
            else
                for (int x = 0; x < size; x++)
                    o[x] = (float)g[x];
        }
    }
    facefuse_image_free(&scaled);
    return FACEFUSE_OK;
}

/* deoldify's RGB prediction (0..255 floats, truncated to bytes as FaceFusion
 * does) to a, b planes at the model's size. */
static void deoldify_ab(const float *rgb, size_t n, float *a, float *b)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t p[3];
        for (int c = 0; c < 3; c++) {
            float v = rgb[c * n + i];
            p[c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
        chroma_ab(p, &a[i], &b[i]);
    }
}

/* ---------------------------------------------------------------- merge and blend */

typedef struct merge_job {
    facefuse_image *frame;
    const float *a, *b;   /* frame-sized planes */
    int blend;
} merge_job;

static void merge_rows(void *ud, int worker, int y0, int y1)
{
    const merge_job *j = ud;
    const int w = j->frame->width, ch = j->frame->channels;
    const unsigned wb = (unsigned)j->blend, wa = 100u - wb;
    (void)worker;
    for (int y = y0; y < y1; y++) {
        uint8_t *p = j->frame->data + (size_t)y * j->frame->stride;
        const float *a = j->a + (size_t)y * w, *b = j->b + (size_t)y * w;
        for (int x = 0; x < w; x++, p += ch) {
            uint8_t colour[3];
            lab_to_code(lightness(p), a[x], b[x], colour);
            for (int c = 0; c < 3; c++)
                p[c] = (uint8_t)((p[c] * wa + colour[c] * wb + 50u) / 100u);
        }
    }
}

facefuse_status fu_frame_colorize(fu_session *session, fu_colorizer_type type, const fu_frame_colorizer_settings *s,
                                  facefuse_image *frame, fu_frame_colorizer_stats *stats, fu_err *err)
{
    if (!session || !s || !frame || !frame->data || frame->channels < 3)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "frame colorizer: needs a model and an RGB or RGBA frame");
    facefuse_status st = fu_frame_colorizer_check(s, err);
    if (st != FACEFUSE_OK || s->blend == 0)
        return st;
    pthread_once(&tables_once, build_tables);
    const int size = s->size, w = frame->width, h = frame->height;
    const size_t plane = (size_t)size * size, frame_n = (size_t)w * h;
    int64_t t0 = fu_now_ns();
    float *t = malloc(sizeof(float) * 3 * plane);
    if (!t)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "frame colorizer: out of memory");
    st = fill_input(frame, type, size, t, err);
    fu_tensor input = {.rank = 4, .dims = {1, 3, size, size}, .data = t}, out = {0};
    int64_t t1 = fu_now_ns();
    if (st == FACEFUSE_OK)
        st = fu_session_run(session, &input, 1, &out, 1, err);
    int64_t t2 = fu_now_ns();
    free(t);
    const int want = type == FU_COLORIZER_DDCOLOR ? 2 : 3;
    if (st == FACEFUSE_OK && (out.rank != 4 || out.dims[0] != 1 || out.dims[1] != want || out.dims[2] <= 0 ||
                              out.dims[3] <= 0))
        st = fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "frame colorizer (%s): output is not [1,%d,H,W]",
                     fu_session_path(session), want);
    float *ab = NULL, *small = NULL;
    if (st == FACEFUSE_OK) {
        const int oh = (int)out.dims[2], ow = (int)out.dims[3];
        const size_t on = (size_t)oh * ow;
        const float *src = out.data;
        ab = malloc(sizeof(float) * 2 * frame_n);
        if (type == FU_COLORIZER_DEOLDIFY && (small = malloc(sizeof(float) * 2 * on)) != NULL) {
            deoldify_ab(out.data, on, small, small + on);
            src = small;
        }
        if (!ab || (type == FU_COLORIZER_DEOLDIFY && !small) ||
            fu_resize_bilinear_f32(src, ow, oh, ow, ab, w, h, w) != FACEFUSE_OK ||
            fu_resize_bilinear_f32(src + on, ow, oh, ow, ab + frame_n, w, h, w) != FACEFUSE_OK)
            st = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "frame colorizer: out of memory for %dx%d", w, h);
    }
    if (st == FACEFUSE_OK) {
        merge_job job = {frame, ab, ab + frame_n, s->blend};
        fu_parallel_for(h, s->threads, merge_rows, &job);
    }
    free(ab);
    free(small);
    fu_tensor_free(&out);
    if (stats) {
        stats->pre_ns += t1 - t0;
        stats->run_ns += t2 - t1;
        stats->post_ns += fu_now_ns() - t2;
    }
    return st;
}

/* ---------------------------------------------------------------- the processor */

struct fu_frame_colorizer {
    fu_frame_colorizer_settings s;
    fu_colorizer_type type;
    fu_session *session; /* owned by the context */
};

facefuse_status fu_frame_colorizer_open(facefuse_context *ctx, const fu_frame_colorizer_settings *s,
                                        fu_frame_colorizer **out, fu_err *err)
{
    *out = NULL;
    facefuse_status st = fu_frame_colorizer_check(s, err);
    if (st != FACEFUSE_OK)
        return st;
    fu_frame_colorizer *c = calloc(1, sizeof *c);
    if (!c)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "frame colorizer: out of memory");
    c->s = *s;
    c->s.model = s->model ? s->model : FU_FRAME_COLORIZER_DEFAULT_MODEL;
    c->type = (fu_colorizer_type)fu_frame_colorizer_type(c->s.model);
    st = fu_context_session(ctx, c->s.model, &c->session, NULL, err);
    if (st != FACEFUSE_OK) {
        free(c);
        return st;
    }
    *out = c;
    return FACEFUSE_OK;
}

void fu_frame_colorizer_close(fu_frame_colorizer *c)
{
    free(c);
}

facefuse_status fu_frame_colorizer_process(fu_frame_colorizer *c, facefuse_image *frame,
                                           fu_frame_colorizer_stats *stats, fu_err *err)
{
    if (!c)
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "frame colorizer: not open");
    return fu_frame_colorize(c->session, c->type, &c->s, frame, stats, err);
}

/* ---------------------------------------------------------------- options and the processor glue */

typedef struct colorizer_options {
    const char *model;
    const char *size;     /* "256x256" */
    int blend;
} colorizer_options;

static const fu_option colorizer_option_rows[] = {
    {.name = "--frame-colorizer-model", .section = "processors", .type = FU_OPT_STRING,
     .def = FU_FRAME_COLORIZER_DEFAULT_MODEL,
     .choices = "ddcolor ddcolor_artistic deoldify deoldify_artistic deoldify_stable",
     .offset = offsetof(colorizer_options, model), .help = "choose the model responsible for colorizing the frame"},
    {.name = "--frame-colorizer-size", .section = "processors", .type = FU_OPT_STRING, .def = "256x256",
     .choices = "192x192 256x256 384x384 512x512", .offset = offsetof(colorizer_options, size),
     .help = "specify the frame size provided to the frame colorizer"},
    {.name = "--frame-colorizer-blend", .section = "processors", .type = FU_OPT_INT, .def = "100", .min = 0,
     .max = 100, .step = 1, .offset = offsetof(colorizer_options, blend),
     .help = "blend the colorized into the previous frame"},
    {0}};

static const fu_option_group colorizer_group = {"frame_colorizer", "processors", colorizer_option_rows,
                                                sizeof(colorizer_options), NULL};

static facefuse_status colorizer_prepare(const fu_processor_env *env, const void *settings, void **state,
                                         fu_err *err)
{
    const colorizer_options *o = settings;
    fu_frame_colorizer_settings s = fu_frame_colorizer_defaults();
    s.model = o->model;
    s.size = fu_frame_colorizer_parse_size(o->size);
    s.blend = o->blend;
    /* a video's frames already run on parallel workers; an image is one frame */
    s.threads = env->target_is_video ? 1 : fu_cpu_count();
    return fu_frame_colorizer_open(env->ctx, &s, (fu_frame_colorizer **)state, err);
}

static facefuse_status colorizer_process(fu_frame *f, fu_err *err)
{
    return fu_frame_colorizer_process(f->state, f->frame, NULL, err);
}

static void colorizer_release(void *state)
{
    fu_frame_colorizer_close(state);
}

const fu_processor fu_frame_colorizer_processor = {"frame_colorizer", &colorizer_group, 0, colorizer_prepare,
                                                   colorizer_process, colorizer_release, NULL, NULL};
