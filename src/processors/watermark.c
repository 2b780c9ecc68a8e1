/*
 * watermark.c — the watermark context and the invisible, keyed
 * spread-spectrum mark (see watermark.h for the design).
 *
 * Per frame size the context keeps the pattern as it lands on frames of
 * that size (the canonical pattern resampled up) and its gain (how much of
 * it the detector sees after resampling back), so a frame costs one luma
 * pass, one resampling to 256×256, 1024 small DCTs and one pass adding the
 * pattern. The added integers are dithered by a fixed table tiled by pixel
 * position, so the same frame always gets the same mark (pieces of a
 * segmented render equal a single render).
 */
#include "processors/watermark.h"

#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"

#define W(field) offsetof(fu_watermark_settings, field)

static const fu_option watermark_options[] = {
    {.name = "--watermark-text", .section = "watermark", .type = FU_OPT_STRING, .offset = W(text),
     .help = "visible label drawn on every output frame (default: none)"},
    {.name = "--watermark-position", .section = "watermark", .type = FU_OPT_STRING, .def = "bottom-right",
     .choices = "top-left top-right bottom-left bottom-right center", .offset = W(position),
     .help = "where the visible label goes"},
    {.name = "--watermark-opacity", .section = "watermark", .type = FU_OPT_INT, .def = "60", .min = 0, .max = 100,
     .step = 1, .offset = W(opacity), .help = "opacity of the visible label, percent"},
    {.name = "--watermark-invisible", .section = "watermark", .type = FU_OPT_BOOL, .offset = W(invisible),
     .help = "embed the invisible watermark (survives re-encoding and 50 % scaling; facefuse provenance-check "
             "finds it)"},
    {.name = "--watermark-key", .section = "watermark", .type = FU_OPT_STRING, .offset = W(key),
     .help = "key of the invisible watermark (default: facefuse's own; provenance-check needs the same key)"},
    {0}};

const fu_option_group fu_watermark_options = {"watermark", "watermark", watermark_options,
                                              sizeof(fu_watermark_settings), NULL};

#define CANON 256
#define BLOCK 8
#define BLOCKS (CANON / BLOCK)
#define BAND 15
#define NCOEF (BLOCKS * BLOCKS * BAND)
#define MAX_SIZES 4
#define MAX_AMPLITUDE 10.0 /* pattern scale cap: about 4 grey levels RMS */

/* (u, v): horizontal and vertical frequency of the marked coefficients */
static const uint8_t band_uv[BAND][2] = {{0, 3}, {1, 2}, {2, 1}, {3, 0}, {0, 4}, {1, 3}, {2, 2}, {3, 1}, {4, 0},
                                         {0, 5}, {1, 4}, {2, 3}, {3, 2}, {4, 1}, {5, 0}};

static double basis[BLOCK][BLOCK]; /* basis[k][x], orthonormal DCT-II */
static pthread_once_t basis_once = PTHREAD_ONCE_INIT;

static void init_basis(void)
{
    for (int k = 0; k < BLOCK; k++)
        for (int x = 0; x < BLOCK; x++)
            basis[k][x] = (k ? sqrt(2.0 / BLOCK) : sqrt(1.0 / BLOCK)) * cos((2 * x + 1) * k * M_PI / (2 * BLOCK));
}

typedef struct size_entry {
    int w, h;
    float *pattern;       /* w × h: the canonical pattern resampled to the frame */
    double gain;          /* detector response to it, per coefficient */
} size_entry;

struct fu_watermark {
    fu_watermark_settings s;
    char *text, *position, *key;
    int8_t sign[NCOEF];
    pthread_mutex_t lock;
    size_entry sizes[MAX_SIZES];
    int size_count;
};

fu_watermark_settings fu_watermark_default_settings(void)
{
    fu_watermark_settings s;
    memset(&s, 0, sizeof s);
    s.position = "bottom-right";
    s.opacity = 60;
    return s;
}

/* ------------------------------------------------------------ key pattern */

static uint64_t splitmix(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void make_signs(const char *key, int8_t *sign)
{
    uint64_t state = 1469598103934665603ULL;
    for (const char *c = key; *c; c++)
        state = (state ^ (uint8_t)*c) * 1099511628211ULL;
    for (int i = 0; i < NCOEF; i += 64) {
        uint64_t bits = splitmix(&state);
        for (int b = 0; b < 64 && i + b < NCOEF; b++)
            sign[i + b] = (bits >> b) & 1 ? 1 : -1;
    }
}

/* ------------------------------------------------------------ resampling */

/* 1-D resampling taps: averaging the covered source pixels when shrinking,
 * linear interpolation between pixel centres when enlarging. */
typedef struct taps {
    int n;          /* taps per output */
    int *first;     /* [dst] */
    float *w;       /* [dst × n] */
} taps;

static int taps_make(taps *t, int src, int dst)
{
    double scale = (double)src / dst;
    t->n = scale > 1 ? (int)ceil(scale) + 1 : 2;
    t->first = malloc((size_t)dst * sizeof *t->first);
    t->w = calloc((size_t)dst * (size_t)t->n, sizeof *t->w);
    if (!t->first || !t->w)
        return 0;
    for (int i = 0; i < dst; i++) {
        float *w = t->w + (size_t)i * t->n;
        if (scale > 1) {
            double a = i * scale, b = (i + 1) * scale;
            int f = (int)floor(a);
            t->first[i] = f;
            for (int k = 0; k < t->n && f + k < src; k++) {
                double lo = fmax(a, f + k), hi = fmin(b, f + k + 1);
                w[k] = hi > lo ? (float)((hi - lo) / scale) : 0;
            }
        } else {
            double x = (i + 0.5) * scale - 0.5;
            if (x < 0)
                x = 0;
            if (x > src - 1)
                x = src - 1;
            int f = (int)floor(x);
            if (f > src - 2)
                f = src > 1 ? src - 2 : 0;
            t->first[i] = f;
            w[0] = (float)(1 - (x - f));
            w[1] = src > 1 ? (float)(x - f) : 0;
        }
    }
    return 1;
}

static void taps_free(taps *t)
{
    free(t->first);
    free(t->w);
}

/* One source row (sw values) resampled into out (dw values). */
static void resample_row(const taps *tx, const float *row, int sw, float *out, int dw)
{
    for (int x = 0; x < dw; x++) {
        const float *w = tx->w + (size_t)x * tx->n;
        float s = 0;
        for (int k = 0; k < tx->n && tx->first[x] + k < sw; k++)
            s += w[k] * row[tx->first[x] + k];
        out[x] = s;
    }
}

/* Rows of tmp (sh × dw) resampled down the columns into dst (dh × dw). */
static void resample_columns(const taps *ty, const float *tmp, int sh, float *dst, int dw, int dh)
{
    for (int y = 0; y < dh; y++) {
        const float *w = ty->w + (size_t)y * ty->n;
        float *out = dst + (size_t)y * dw;
        memset(out, 0, (size_t)dw * sizeof *out);
        for (int k = 0; k < ty->n && ty->first[y] + k < sh; k++) {
            const float *row = tmp + (size_t)(ty->first[y] + k) * dw;
            for (int x = 0; x < dw; x++)
                out[x] += w[k] * row[x];
        }
    }
}

/* dst (dw × dh) from src (sw × sh); 0 when out of memory. */
static int resample(const float *src, int sw, int sh, float *dst, int dw, int dh)
{
    taps tx = {0}, ty = {0};
    float *tmp = malloc((size_t)sh * dw * sizeof *tmp);
    int ok = tmp && taps_make(&tx, sw, dw) && taps_make(&ty, sh, dh);
    if (ok) {
        for (int y = 0; y < sh; y++)
            resample_row(&tx, src + (size_t)y * sw, sw, tmp + (size_t)y * dw, dw);
        resample_columns(&ty, tmp, sh, dst, dw, dh);
    }
    taps_free(&tx);
    taps_free(&ty);
    free(tmp);
    return ok;
}

/* ------------------------------------------------------------ coefficients */

static void luma_row(const facefuse_image *im, int r, float *y)
{
    const uint8_t *p = fu_pixel(im, 0, r);
    if (im->channels < 3) {
        for (int x = 0; x < im->width; x++)
            y[x] = p[(size_t)x * im->channels];
        return;
    }
    for (int x = 0; x < im->width; x++, p += im->channels)
        y[x] = 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2];
}

/* The image's luma on the canonical grid (row by row: no full-size plane). */
static int canonical_luma(const facefuse_image *im, float *canon)
{
    taps tx = {0}, ty = {0};
    float *row = malloc((size_t)im->width * sizeof *row);
    float *tmp = malloc((size_t)im->height * CANON * sizeof *tmp);
    int ok = row && tmp && taps_make(&tx, im->width, CANON) && taps_make(&ty, im->height, CANON);
    if (ok) {
        for (int y = 0; y < im->height; y++) {
            luma_row(im, y, row);
            resample_row(&tx, row, im->width, tmp + (size_t)y * CANON, CANON);
        }
        resample_columns(&ty, tmp, im->height, canon, CANON, CANON);
    }
    taps_free(&tx);
    taps_free(&ty);
    free(row);
    free(tmp);
    return ok;
}

/* The marked coefficients of a canonical plane. */
static void coefficients(const float *canon, float *c)
{
    for (int by = 0; by < BLOCKS; by++)
        for (int bx = 0; bx < BLOCKS; bx++) {
            float *out = c + (size_t)(by * BLOCKS + bx) * BAND;
            for (int j = 0; j < BAND; j++) {
                int u = band_uv[j][0], v = band_uv[j][1];
                double s = 0;
                for (int y = 0; y < BLOCK; y++) {
                    const float *row = canon + (size_t)(by * BLOCK + y) * CANON + bx * BLOCK;
                    double r = 0;
                    for (int x = 0; x < BLOCK; x++)
                        r += row[x] * basis[u][x];
                    s += r * basis[v][y];
                }
                out[j] = (float)s;
            }
        }
}

/* The canonical plane whose marked coefficients are the signs, others 0. */
static void pattern_plane(const int8_t *sign, float *canon)
{
    for (int by = 0; by < BLOCKS; by++)
        for (int bx = 0; bx < BLOCKS; bx++) {
            const int8_t *s = sign + (size_t)(by * BLOCKS + bx) * BAND;
            for (int y = 0; y < BLOCK; y++)
                for (int x = 0; x < BLOCK; x++) {
                    double v = 0;
                    for (int j = 0; j < BAND; j++)
                        v += s[j] * basis[band_uv[j][0]][x] * basis[band_uv[j][1]][y];
                    canon[(size_t)(by * BLOCK + y) * CANON + bx * BLOCK + x] = (float)v;
                }
        }
}

/* Correlation sum S = <c, sign> and energy E = <c, c> of an image. */
static facefuse_status measure(const facefuse_image *im, const int8_t *sign, double *S, double *E, fu_err *err)
{
    float *canon = malloc((size_t)CANON * CANON * sizeof *canon);
    float *c = malloc((size_t)NCOEF * sizeof *c);
    facefuse_status rc = FACEFUSE_OK;
    if (!canon || !c || !canonical_luma(im, canon)) {
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the watermark");
    } else {
        coefficients(canon, c);
        double s = 0, e = 0;
        for (int i = 0; i < NCOEF; i++) {
            s += (double)c[i] * sign[i];
            e += (double)c[i] * c[i];
        }
        *S = s;
        *E = e;
    }
    free(canon);
    free(c);
    return rc;
}

facefuse_status fu_watermark_detect(const char *key, const facefuse_image *image, double *strength, fu_err *err)
{
    int8_t *sign = malloc(NCOEF);
    double S = 0, E = 0;
    *strength = 0;
    if (!sign)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the watermark");
    if (!image || !image->data || image->width < 16 || image->height < 16) {
        free(sign);
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "image too small to hold a watermark");
    }
    pthread_once(&basis_once, init_basis);
    make_signs(key ? key : FU_WATERMARK_KEY, sign);
    facefuse_status rc = measure(image, sign, &S, &E, err);
    if (rc == FACEFUSE_OK)
        *strength = E > 0 ? S / sqrt(E) : 0;
    free(sign);
    return rc;
}

/* ------------------------------------------------------------ embedding */

/* The pattern at w × h and its gain, built once per size. */
static facefuse_status size_entry_for(fu_watermark *wm, int w, int h, const size_entry **out, fu_err *err)
{
    facefuse_status rc = FACEFUSE_OK;
    pthread_mutex_lock(&wm->lock);
    for (int i = 0; i < wm->size_count; i++)
        if (wm->sizes[i].w == w && wm->sizes[i].h == h) {
            *out = &wm->sizes[i];
            pthread_mutex_unlock(&wm->lock);
            return FACEFUSE_OK;
        }
    float *canon = malloc((size_t)CANON * CANON * sizeof *canon);
    float *back = malloc((size_t)CANON * CANON * sizeof *back);
    float *c = malloc((size_t)NCOEF * sizeof *c);
    float *pattern = malloc((size_t)w * h * sizeof *pattern);
    if (wm->size_count == MAX_SIZES) {
        rc = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "watermark: frames of more than %d sizes in one run",
                     MAX_SIZES);
    } else if (!canon || !back || !c || !pattern) {
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the watermark");
    } else {
        pattern_plane(wm->sign, canon);
        if (!resample(canon, CANON, CANON, pattern, w, h) || !resample(pattern, w, h, back, CANON, CANON)) {
            rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the watermark");
        } else {
            coefficients(back, c);
            double g = 0;
            for (int i = 0; i < NCOEF; i++)
                g += (double)c[i] * wm->sign[i];
            size_entry *e = &wm->sizes[wm->size_count++];
            e->w = w;
            e->h = h;
            e->pattern = pattern;
            e->gain = g / NCOEF;
            pattern = NULL;
            *out = e;
        }
    }
    pthread_mutex_unlock(&wm->lock);
    free(canon);
    free(back);
    free(c);
    free(pattern);
    return rc;
}

/* The pattern scale giving strength z on a frame with sums S and E. */
static double amplitude(double S, double E, double z, double gain)
{
    double n = NCOEF;
    double under = (n * E - S * S) / (n - z * z);
    double b = (-S + z * sqrt(under > 0 ? under : 0)) / n;
    double a = gain > 1e-6 ? b / gain : 0;
    return a < 0 ? 0 : a > MAX_AMPLITUDE ? MAX_AMPLITUDE : a;
}

/* Dither offsets, uniform in [0, 1), tiled over the frame by position:
 * floor(v + u) has mean v, so small pattern values survive rounding. */
#define DITHER 64
static float dither_table[DITHER * DITHER];
static pthread_once_t dither_once = PTHREAD_ONCE_INIT;

static void init_dither(void)
{
    uint64_t state = 0x5EED;
    for (int i = 0; i < DITHER * DITHER; i++)
        dither_table[i] = (float)(splitmix(&state) >> 40) / (float)(1 << 24);
}

static facefuse_status embed(fu_watermark *wm, facefuse_image *frame, fu_err *err)
{
    const size_entry *e = NULL;
    double S = 0, E = 0;
    facefuse_status rc = size_entry_for(wm, frame->width, frame->height, &e, err);
    if (rc == FACEFUSE_OK)
        rc = measure(frame, wm->sign, &S, &E, err);
    if (rc != FACEFUSE_OK)
        return rc;
    double z = wm->s.strength > 0 ? wm->s.strength : FU_WATERMARK_STRENGTH;
    float a = (float)amplitude(S, E, z, e->gain);
    if (a <= 0)
        return FACEFUSE_OK;
    int channels = frame->channels < 3 ? frame->channels : 3;
    pthread_once(&dither_once, init_dither);
    for (int y = 0; y < frame->height; y++) {
        const float *pat = e->pattern + (size_t)y * frame->width;
        const float *u = dither_table + (size_t)(y % DITHER) * DITHER;
        for (int x = 0; x < frame->width; x++) {
            int d = (int)floorf(a * pat[x] + u[x % DITHER]);
            if (!d)
                continue;
            uint8_t *p = fu_pixel(frame, x, y);
            for (int ch = 0; ch < channels; ch++) {
                int v = p[ch] + d;
                p[ch] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
        }
    }
    return FACEFUSE_OK;
}

/* ------------------------------------------------------------ context */

static char *dup_or_null(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

facefuse_status fu_watermark_new(const fu_watermark_settings *s, fu_watermark **out, fu_err *err)
{
    *out = NULL;
    if (!s || (!s->invisible && (!s->text || !*s->text)))
        return FACEFUSE_OK;
    if (s->opacity < 0 || s->opacity > 100)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "--watermark-opacity must be 0..100 (got %d)", s->opacity);
    if (s->strength < 0 || s->strength > 60)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "watermark strength must be 0..60 (got %g)", s->strength);
    fu_watermark *wm = calloc(1, sizeof *wm);
    if (!wm)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the watermark");
    wm->s = *s;
    wm->text = dup_or_null(s->text);
    wm->position = dup_or_null(s->position);
    wm->key = strdup(s->key && *s->key ? s->key : FU_WATERMARK_KEY);
    wm->s.text = wm->text;
    wm->s.position = wm->position;
    wm->s.key = wm->key;
    pthread_mutex_init(&wm->lock, NULL);
    pthread_once(&basis_once, init_basis);
    make_signs(wm->key ? wm->key : FU_WATERMARK_KEY, wm->sign);
    *out = wm;
    return FACEFUSE_OK;
}

void fu_watermark_free(fu_watermark *wm)
{
    if (!wm)
        return;
    for (int i = 0; i < wm->size_count; i++)
        free(wm->sizes[i].pattern);
    pthread_mutex_destroy(&wm->lock);
    free(wm->text);
    free(wm->position);
    free(wm->key);
    free(wm);
}

facefuse_status fu_watermark_apply(fu_watermark *wm, facefuse_image *frame, fu_err *err)
{
    if (!wm)
        return FACEFUSE_OK;
    if (!frame || !frame->data || frame->channels < 3)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "watermark: not an RGB frame");
    if (wm->s.invisible && frame->width >= 16 && frame->height >= 16) {
        facefuse_status rc = embed(wm, frame, err);
        if (rc != FACEFUSE_OK)
            return rc;
    }
    if (wm->s.text)
        fu_watermark_draw_text(frame, wm->s.text, wm->s.position, wm->s.opacity);
    return FACEFUSE_OK;
}
