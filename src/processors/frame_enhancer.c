/*
 * frame_enhancer.c — the frame_enhancer processor: tiled super-resolution
 * of the whole frame and the blend with the resized original (see
 * frame_enhancer.h for the tiling).
 */
#include "processors/frame_enhancer.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "infer/context.h"
#include "media/resize.h"
#include "processors/processor.h"

/* FaceFusion's model set: (size, pad, overlap) and scale per model. */
static const fu_tile_config configs[] = {
    {"clear_reality_x4", 4, 128, 8, 4},      {"face_dat_x4", 4, 128, 8, 4},
    {"nomos8k_sc_x4", 4, 128, 8, 4},         {"real_esrgan_x2", 2, 256, 16, 8},
    {"real_esrgan_x2_fp16", 2, 256, 16, 8},  {"real_esrgan_x4", 4, 256, 16, 8},
    {"real_esrgan_x4_fp16", 4, 256, 16, 8},  {"real_esrgan_x8", 8, 256, 16, 8},
    {"real_esrgan_x8_fp16", 8, 256, 16, 8},  {"real_hatgan_x4", 4, 256, 16, 8},
    {"real_web_photo_x4", 4, 64, 4, 2},      {"realistic_rescaler_x4", 4, 128, 8, 4},
    {"remacri_x4", 4, 128, 8, 4},            {"siax_x4", 4, 128, 8, 4},
    {"span_kendata_x4", 4, 128, 8, 4},       {"swin2_sr_x4", 4, 128, 8, 4},
    {"tghq_face_x8", 8, 128, 8, 4},          {"ultra_sharp_x4", 4, 128, 8, 4},
    {"ultra_sharp_2_x4", 4, 1024, 64, 32},
};

#define DEFAULT_MODEL "span_kendata_x4"

typedef struct enhancer_settings {
    const char *model;
    int blend;
} enhancer_settings;

static const fu_option enhancer_options[] = {
    {.name = "--frame-enhancer-model", .section = "processors", .type = FU_OPT_STRING, .def = DEFAULT_MODEL,
     .choices = "clear_reality_x4 face_dat_x4 nomos8k_sc_x4 real_esrgan_x2 real_esrgan_x2_fp16 real_esrgan_x4 "
                "real_esrgan_x4_fp16 real_esrgan_x8 real_esrgan_x8_fp16 real_hatgan_x4 real_web_photo_x4 "
                "realistic_rescaler_x4 remacri_x4 siax_x4 span_kendata_x4 swin2_sr_x4 tghq_face_x8 ultra_sharp_x4 "
                "ultra_sharp_2_x4",
     .offset = offsetof(enhancer_settings, model), .help = "frame enhancer (super-resolution) model"},
    {.name = "--frame-enhancer-blend", .section = "processors", .type = FU_OPT_INT, .def = "80", .min = 0, .max = 100,
     .step = 1, .offset = offsetof(enhancer_settings, blend), .help = "share of the enhanced frame"},
    {0}};

static const fu_option_group enhancer_group = {"frame_enhancer", "processors", enhancer_options,
                                               sizeof(enhancer_settings), NULL};

const fu_tile_config *fu_frame_enhancer_config(const char *model)
{
    for (size_t i = 0; model && i < sizeof configs / sizeof configs[0]; i++)
        if (strcmp(configs[i].model, model) == 0)
            return &configs[i];
    return NULL;
}

/* ---------------------------------------------------------------- tiles */

/* The tile grid: tiles step by `step` over the frame padded by pad + overlap
 * at the top/left; `origin` is the frame's offset inside that padding. */
typedef struct tile_grid {
    int step, origin, cols, rows;
} tile_grid;

static tile_grid plan_tiles(const fu_tile_config *tc, int w, int h)
{
    tile_grid g;
    g.step = tc->size - 2 * tc->overlap;
    g.origin = tc->overlap + tc->pad;
    int w1 = w + 2 * tc->pad, h1 = h + 2 * tc->pad;
    /* FaceFusion pads right/bottom by overlap + step − w1 % step, then
     * tiles start every `step` from `overlap` to padded size − overlap. */
    g.cols = w1 / g.step + 1;
    g.rows = h1 / g.step + 1;
    return g;
}

/* Tile (col, row) of the zero-padded frame as a 1×3×size×size RGB/255 tensor. */
static void fill_tile(float *t, const facefuse_image *in, const fu_tile_config *tc, const tile_grid *g,
                      int col, int row)
{
    const int s = tc->size;
    const size_t plane = (size_t)s * s;
    for (int ty = 0; ty < s; ty++) {
        int fy = row * g->step + ty - g->origin;
        float *r = t + (size_t)ty * s, *gr = r + plane, *b = r + 2 * plane;
        if (fy < 0 || fy >= in->height) {
            memset(r, 0, sizeof(float) * s), memset(gr, 0, sizeof(float) * s), memset(b, 0, sizeof(float) * s);
            continue;
        }
        const uint8_t *src = in->data + (size_t)fy * in->stride;
        for (int tx = 0; tx < s; tx++) {
            int fx = col * g->step + tx - g->origin;
            if (fx < 0 || fx >= in->width) {
                r[tx] = gr[tx] = b[tx] = 0;
                continue;
            }
            const uint8_t *p = src + (size_t)fx * in->channels;
            r[tx] = p[0] * (1.0f / 255.0f);
            gr[tx] = p[1] * (1.0f / 255.0f);
            b[tx] = p[2] * (1.0f / 255.0f);
        }
    }
}

/* Branch-free clip (compiles to maxss/minss) and round half up. */
static uint8_t to_byte(float v)
{
    float x = v * 255.0f + 0.5f;
    x = x > 0.0f ? x : 0.0f;
    x = x < 255.0f ? x : 255.0f;
    return (uint8_t)(int)x;
}

/* Row of floats in [0, 1] to bytes: contiguous, so it vectorises. */
static void row_to_bytes(const float *v, uint8_t *out, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = to_byte(v[i]);
}

/* Writes the kept centre of the tile's output into out (frame pixels × scale).
 * rows: scratch of 3 × size·scale bytes. */
static void store_tile(const float *o, facefuse_image *out, const fu_tile_config *tc, const tile_grid *g,
                       int col, int row, uint8_t *rows)
{
    const int k = tc->scale, so = tc->size * k, keep0 = tc->overlap * k, keep1 = (tc->overlap + g->step) * k;
    const size_t plane = (size_t)so * so;
    const int x_at = (col * g->step - g->origin) * k;
    int ox0 = keep0, ox1 = keep1;
    if (x_at + ox0 < 0)
        ox0 = -x_at;
    if (x_at + ox1 > out->width)
        ox1 = out->width - x_at;
    const int n = ox1 - ox0, ch = out->channels;
    for (int oy = keep0; oy < keep1 && n > 0; oy++) {
        int y = (row * g->step - g->origin) * k + oy;
        if (y < 0 || y >= out->height)
            continue;
        const float *r = o + (size_t)oy * so + ox0;
        for (int c = 0; c < 3; c++)
            row_to_bytes(r + c * plane, rows + c * so, n);
        uint8_t *d = out->data + (size_t)y * out->stride + (size_t)(x_at + ox0) * ch;
        for (int i = 0; i < n; i++, d += ch) {
            d[0] = rows[i], d[1] = rows[so + i], d[2] = rows[2 * so + i];
        }
    }
}

/* 1 when the tile's kept centre reaches into the frame. */
static int tile_needed(const fu_tile_config *tc, const tile_grid *g, int col, int row, int w, int h)
{
    int x0 = col * g->step - g->origin + tc->overlap, y0 = row * g->step - g->origin + tc->overlap;
    return x0 < w && x0 + g->step > 0 && y0 < h && y0 + g->step > 0;
}

static facefuse_status run_tiles(fu_session *session, const fu_tile_config *tc, const facefuse_image *in,
                                 facefuse_image *out, fu_frame_enhance_stats *stats, fu_err *err)
{
    const int s = tc->size, so = s * tc->scale;
    tile_grid g = plan_tiles(tc, in->width, in->height);
    float *t = malloc(sizeof(float) * 3 * (size_t)s * s);
    uint8_t *rows = malloc(3 * (size_t)so);
    if (!t || !rows) {
        free(t), free(rows);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "frame enhancer %s: out of memory for a tile", tc->model);
    }
    fu_tensor input = {.rank = 4, .dims = {1, 3, s, s}, .data = t};
    facefuse_status st = FACEFUSE_OK;
    for (int row = 0; row < g.rows && st == FACEFUSE_OK; row++)
        for (int col = 0; col < g.cols && st == FACEFUSE_OK; col++) {
            if (!tile_needed(tc, &g, col, row, in->width, in->height))
                continue;
            int64_t t0 = fu_now_ns();
            fill_tile(t, in, tc, &g, col, row);
            fu_tensor output = {0};
            int64_t t1 = fu_now_ns();
            st = fu_session_run(session, &input, 1, &output, 1, err);
            int64_t t2 = fu_now_ns();
            if (st != FACEFUSE_OK)
                break;
            if (output.rank != 4 || output.dims[1] != 3 || output.dims[2] != so || output.dims[3] != so)
                st = fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT,
                             "frame enhancer %s (%s): a %dx%d tile gave output [%lld,%lld,%lld,%lld], expected [1,3,%d,%d]",
                             tc->model, fu_session_path(session), s, s, (long long)output.dims[0],
                             (long long)output.dims[1], (long long)output.dims[2], (long long)output.dims[3],
                             so, so);
            else
                store_tile(output.data, out, tc, &g, col, row, rows);
            fu_tensor_free(&output);
            if (stats) {
                stats->tiles++;
                stats->fill_ns += t1 - t0;
                stats->run_ns += t2 - t1;
                stats->store_ns += fu_now_ns() - t2;
            }
        }
    free(t), free(rows);
    return st;
}

/* ---------------------------------------------------------------- blend */

/* enhanced = resized·(1 − b) + enhanced·b on RGB, rounded (integer
 * arithmetic, exact); alpha from resized. */
static void blend_into(facefuse_image *enhanced, const facefuse_image *resized, int blend)
{
    const unsigned wb = (unsigned)blend, wa = 100u - wb;
    const int ch = enhanced->channels;
    for (int y = 0; y < enhanced->height; y++) {
        uint8_t *e = enhanced->data + (size_t)y * enhanced->stride;
        const uint8_t *r = resized->data + (size_t)y * resized->stride;
        if (ch == 3) {
            for (int i = 0; i < 3 * enhanced->width; i++)
                e[i] = (uint8_t)((r[i] * wa + e[i] * wb + 50u) / 100u);
            continue;
        }
        for (int x = 0; x < enhanced->width; x++, e += ch, r += ch) {
            for (int c = 0; c < 3; c++)
                e[c] = (uint8_t)((r[c] * wa + e[c] * wb + 50u) / 100u);
            e[3] = r[3];
        }
    }
}

facefuse_status fu_frame_enhance(fu_session *session, const fu_tile_config *tc,
                                 const facefuse_image *in, int blend, facefuse_image *out,
                                 fu_frame_enhance_stats *stats, fu_err *err)
{
    memset(out, 0, sizeof *out);
    if (!tc || !in || !in->data || in->channels < 3 || blend < 0 || blend > 100 || (!session && blend > 0))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "frame enhancer: bad arguments");
    if (in->width > 65536 / tc->scale || in->height > 65536 / tc->scale)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "frame enhancer %s: a %dx%d frame is too large to scale by %d",
                       tc->model, in->width, in->height, tc->scale);
    int w = in->width * tc->scale, h = in->height * tc->scale;
    facefuse_image resized = {0};
    if ((blend < 100 || in->channels == 4) && fu_resize(in, &resized, w, h) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "frame enhancer %s: out of memory for %dx%d", tc->model, w, h);
    if (blend == 0) {
        *out = resized;
        return FACEFUSE_OK;
    }
    if (facefuse_image_alloc(out, w, h, in->channels) != FACEFUSE_OK) {
        facefuse_image_free(&resized);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "frame enhancer %s: out of memory for %dx%d", tc->model, w, h);
    }
    facefuse_status st = run_tiles(session, tc, in, out, stats, err);
    if (st == FACEFUSE_OK && resized.data)
        blend_into(out, &resized, blend);
    facefuse_image_free(&resized);
    if (st != FACEFUSE_OK)
        facefuse_image_free(out);
    return st;
}

/* ---------------------------------------------------------------- processor */

typedef struct enhancer_state {
    fu_session *session; /* owned by the context */
    const fu_tile_config *tc;
    int blend;
} enhancer_state;

/* The model must take [1,3,H,W] with H and W symbolic or the tile size. */
static facefuse_status check_model(const fu_session *s, const fu_tile_config *tc, fu_err *err)
{
    const fu_tensor_info *i = fu_session_input_count(s) == 1 ? fu_session_input(s, 0) : NULL;
    const fu_tensor_info *o = fu_session_output_count(s) >= 1 ? fu_session_output(s, 0) : NULL;
    int ok = i && o && i->rank == 4 && o->rank == 4;
    for (int d = 2; ok && d < 4; d++)
        ok = i->dims[d] == -1 || i->dims[d] == tc->size;
    if (ok && i->dims[1] != -1 && i->dims[1] != 3)
        ok = 0;
    if (!ok)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT,
                       "frame enhancer %s (%s): expected one [1,3,H,W] input with H, W symbolic or %d",
                       tc->model, fu_session_path(s), tc->size);
    return FACEFUSE_OK;
}

static facefuse_status enhancer_prepare(const fu_processor_env *env, const void *settings, void **state,
                                        fu_err *err)
{
    const enhancer_settings *set = settings;
    const fu_tile_config *tc = fu_frame_enhancer_config(set->model);
    if (!tc)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown frame enhancer model '%s'", set->model);
    fu_session *session;
    facefuse_status st = fu_context_session(env->ctx, set->model, &session, NULL, err);
    if (st == FACEFUSE_OK)
        st = check_model(session, tc, err);
    if (st != FACEFUSE_OK)
        return st;
    enhancer_state *es = malloc(sizeof *es);
    if (!es)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "frame enhancer: out of memory");
    es->session = session;
    es->tc = tc;
    es->blend = set->blend;
    *state = es;
    return FACEFUSE_OK;
}

/* Replaces f->frame with the enhanced, larger frame. */
static facefuse_status enhancer_process(fu_frame *f, fu_err *err)
{
    const enhancer_state *es = f->state;
    facefuse_image out;
    if (!es)
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "frame enhancer: not prepared");
    facefuse_status st = fu_frame_enhance(es->session, es->tc, f->frame, es->blend, &out,
                                          NULL, err);
    if (st != FACEFUSE_OK)
        return st;
    facefuse_image_free(f->frame);
    *f->frame = out;
    return FACEFUSE_OK;
}

static void enhancer_release(void *state)
{
    free(state);
}

const fu_processor fu_frame_enhancer = {"frame_enhancer", &enhancer_group, 0, enhancer_prepare, enhancer_process,
                                        enhancer_release, NULL, NULL};
