/*
 * chroma_key.c — the screen keyer: key sampling, the per-pixel matte with
 * unmixing and spill suppression, and the matte's choke and feather (see
 * chroma_key.h for the model).
 */
#include "processors/chroma_key.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "core/parallel.h"

#define HUE_SELECTIVITY 0.5f   /* β: how strongly hues beside the key are kept */
#define MIN_KEY_CHROMA 16.0f   /* levels of chroma a key colour needs */
#define SAMPLE_SHARE 0.30      /* share of the border band the key must cover */
#define MAX_MATTE_RADIUS 32

/* BT.709 luma weights; Cb = (B − Y')/1.8556, Cr = (R − Y')/1.5748. */
static const float wr = 0.2126f, wg = 0.7152f, wb = 0.0722f;

static void chroma_of(const float rgb[3], float *cb, float *cr)
{
    float y = wr * rgb[0] + wg * rgb[1] + wb * rgb[2];
    *cb = (rgb[2] - y) / 1.8556f;
    *cr = (rgb[0] - y) / 1.5748f;
}

fu_chroma_key_settings fu_chroma_key_defaults(void)
{
    fu_chroma_key_settings s = {0};
    s.tolerance = 10;
    s.softness = 80;
    s.spill = 100;
    return s;
}

static float key_chroma(const uint8_t key[3])
{
    float rgb[3] = {key[0], key[1], key[2]}, cb, cr;
    chroma_of(rgb, &cb, &cr);
    return sqrtf(cb * cb + cr * cr);
}

facefuse_status fu_chroma_key_check(const fu_chroma_key_settings *s, fu_err *err)
{
    if (s->tolerance < 0 || s->tolerance > 100)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "chroma key tolerance %d is outside 0..100", s->tolerance);
    if (s->softness < 0 || s->softness > 100)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "chroma key softness %d is outside 0..100", s->softness);
    if (s->spill < 0 || s->spill > 100)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "chroma key spill %d is outside 0..100", s->spill);
    if (s->choke_px < -MAX_MATTE_RADIUS || s->choke_px > MAX_MATTE_RADIUS)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "chroma key choke %d px is outside -%d..%d",
                       s->choke_px, MAX_MATTE_RADIUS, MAX_MATTE_RADIUS);
    if (s->feather_px < 0 || s->feather_px > MAX_MATTE_RADIUS)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "chroma key feather %d px is outside 0..%d",
                       s->feather_px, MAX_MATTE_RADIUS);
    if (s->key_set && key_chroma(s->key_rgb) < MIN_KEY_CHROMA)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "key colour %d %d %d is too grey to key (give a saturated screen colour)", s->key_rgb[0],
                       s->key_rgb[1], s->key_rgb[2]);
    return FACEFUSE_OK;
}

/* ---------------------------------------------------------------- sampling */

#define BINS 32

typedef struct border_hist {
    unsigned count[BINS][BINS];
    double sum[BINS][BINS][3];
    unsigned total;
} border_hist;

static int chroma_bin(float c)
{
    int b = (int)floorf((c + 128.0f) * (BINS / 256.0f));
    return b < 0 ? 0 : b >= BINS ? BINS - 1 : b;
}

static void add_pixel(border_hist *h, const uint8_t *p)
{
    float rgb[3] = {p[0], p[1], p[2]}, cb, cr;
    chroma_of(rgb, &cb, &cr);
    h->total++;
    if (cb * cb + cr * cr < MIN_KEY_CHROMA * MIN_KEY_CHROMA)
        return;
    int i = chroma_bin(cb), j = chroma_bin(cr);
    h->count[i][j]++;
    for (int c = 0; c < 3; c++)
        h->sum[i][j][c] += p[c];
}

int fu_chroma_key_sample(const facefuse_image *frame, uint8_t key_rgb[3])
{
    const int w = frame->width, h = frame->height;
    int band = (w < h ? w : h) / 40;
    if (band < 2)
        band = 2;
    border_hist *hist = calloc(1, sizeof *hist);
    if (!hist)
        return 0;
    for (int y = 0; y < h; y++) {
        int edge_row = y < band || y >= h - band;
        for (int x = 0; x < w; x++) {
            if (!edge_row && x == band)
                x = w - band; /* only the left and right bands of a middle row */
            add_pixel(hist, fu_pixel(frame, x, y));
        }
    }
    /* The 3×3 block of bins with the most pixels. */
    unsigned best = 0;
    int bi = 0, bj = 0;
    for (int i = 1; i < BINS - 1; i++)
        for (int j = 1; j < BINS - 1; j++) {
            unsigned n = 0;
            for (int di = -1; di <= 1; di++)
                for (int dj = -1; dj <= 1; dj++)
                    n += hist->count[i + di][j + dj];
            if (n > best)
                best = n, bi = i, bj = j;
        }
    int found = hist->total > 0 && best >= SAMPLE_SHARE * hist->total;
    if (found) {
        double sum[3] = {0, 0, 0};
        for (int di = -1; di <= 1; di++)
            for (int dj = -1; dj <= 1; dj++)
                for (int c = 0; c < 3; c++)
                    sum[c] += hist->sum[bi + di][bj + dj][c];
        for (int c = 0; c < 3; c++)
            key_rgb[c] = (uint8_t)lround(sum[c] / best);
        found = key_chroma(key_rgb) >= MIN_KEY_CHROMA;
    }
    free(hist);
    return found;
}

/* ---------------------------------------------------------------- the key */

/* Everything the per-pixel pass needs, derived once from key and settings. */
typedef struct key_model {
    float a[3], p[3];     /* s = a·rgb − β|p·rgb| */
    float key[3];         /* K */
    float cast[3];        /* K − Y'(K): the key's colour at zero luma */
    float s_hi, s_lo;     /* s at alpha 0 and at alpha 1 */
    float inv_ramp;       /* plain ramp: alpha = clamp((s_hi − s)·inv_ramp) */
    int hard;             /* softness 0: alpha = s < s_hi */
    float spill;
} key_model;

static void build_model(key_model *m, const uint8_t key[3], const fu_chroma_key_settings *s)
{
    float k[3] = {key[0], key[1], key[2]}, kcb, kcr;
    chroma_of(k, &kcb, &kcr);
    float len = sqrtf(kcb * kcb + kcr * kcr);
    float ux = kcb / len, uy = kcr / len;
    /* Cb and Cr as linear functions of (R, G, B). */
    const float cbv[3] = {-wr / 1.8556f, -wg / 1.8556f, (1 - wb) / 1.8556f};
    const float crv[3] = {(1 - wr) / 1.5748f, -wg / 1.5748f, -wb / 1.5748f};
    float yk = wr * k[0] + wg * k[1] + wb * k[2];
    for (int c = 0; c < 3; c++) {
        m->a[c] = (ux * cbv[c] + uy * crv[c]) / len;
        m->p[c] = HUE_SELECTIVITY * (-uy * cbv[c] + ux * crv[c]) / len;
        m->key[c] = k[c];
        m->cast[c] = k[c] - yk;
    }
    m->s_hi = 1.0f - s->tolerance / 100.0f;
    m->s_lo = m->s_hi - s->softness / 100.0f;
    m->hard = s->softness == 0;
    m->inv_ramp = m->hard ? 0.0f : 100.0f / (float)s->softness;
    m->spill = s->spill / 100.0f;
}

static inline float screen_amount(const key_model *m, float r, float g, float b)
{
    float u = m->a[0] * r + m->a[1] * g + m->a[2] * b;
    float v = m->p[0] * r + m->p[1] * g + m->p[2] * b;
    return u - fabsf(v);
}

static inline float clamp01(float v)
{
    v = v > 0.0f ? v : 0.0f;
    return v < 1.0f ? v : 1.0f;
}

static inline uint8_t to_byte(float v)
{
    v += 0.5f;
    v = v > 0.0f ? v : 0.0f;
    v = v < 255.0f ? v : 255.0f;
    return (uint8_t)v;
}

/* ---------------------------------------------------------------- grids */

/* A coarse field over the frame: one value per cell×cell block, read back
 * bilinearly between block centres. The horizontal taps of every frame
 * column are computed once. */
typedef struct grid {
    int gw, gh, cell;
    float *v;             /* gw·gh */
    int *x0, *x1;         /* per frame column: the two cells */
    float *wx;            /* and the weight of x1 */
} grid;

static void grid_taps(float f, int n, int *i0, int *i1, float *t)
{
    int i = (int)floorf(f);
    float frac = f - (float)i;
    if (i < 0)
        i = 0, frac = 0;
    if (i >= n - 1)
        i = n - 1, frac = 0;
    *i0 = i;
    *i1 = i + 1 < n ? i + 1 : i;
    *t = frac;
}

static facefuse_status grid_alloc(grid *g, int w, int h, int cell)
{
    g->cell = cell;
    g->gw = (w + cell - 1) / cell;
    g->gh = (h + cell - 1) / cell;
    g->v = calloc((size_t)g->gw * g->gh, sizeof(float));
    g->x0 = malloc(sizeof(int) * (size_t)w);
    g->x1 = malloc(sizeof(int) * (size_t)w);
    g->wx = malloc(sizeof(float) * (size_t)w);
    if (!g->v || !g->x0 || !g->x1 || !g->wx)
        return FACEFUSE_ERR_NO_MEMORY;
    for (int x = 0; x < w; x++)
        grid_taps((x + 0.5f) / cell - 0.5f, g->gw, &g->x0[x], &g->x1[x], &g->wx[x]);
    return FACEFUSE_OK;
}

static void grid_free(grid *g)
{
    free(g->v), free(g->x0), free(g->x1), free(g->wx);
    memset(g, 0, sizeof *g);
}

/* The field at every pixel of row y (w pixels); mix: gw floats of scratch. */
static void grid_row(const grid *g, int y, int w, float *mix, float *out)
{
    int y0, y1;
    float wy;
    grid_taps((y + 0.5f) / g->cell - 0.5f, g->gh, &y0, &y1, &wy);
    const float *r0 = g->v + (size_t)y0 * g->gw, *r1 = g->v + (size_t)y1 * g->gw;
    for (int i = 0; i < g->gw; i++)
        mix[i] = r0[i] + wy * (r1[i] - r0[i]);
    for (int x = 0; x < w; x++) {
        float a = mix[g->x0[x]], b = mix[g->x1[x]];
        out[x] = a + g->wx[x] * (b - a);
    }
}

/* Fills cells whose weight is 0 from the nearest filled ones, by a
 * push–pull pyramid: sums and weights are halved level by level until
 * every cell of a level has weight, then the coarser means are pushed down
 * into the empty cells. With no weight anywhere, every cell gets `empty`. */
static facefuse_status push_pull(grid *g, float *sum, float *weight, float empty)
{
    const int gw = g->gw, gh = g->gh;
    int any = 0;
    for (int i = 0; i < gw * gh; i++)
        any |= weight[i] > 0;
    if (!any) {
        for (int i = 0; i < gw * gh; i++)
            g->v[i] = empty;
        return FACEFUSE_OK;
    }
    for (int i = 0; i < gw * gh; i++)
        g->v[i] = weight[i] > 0 ? sum[i] / weight[i] : 0.0f;
    if (gw == 1 && gh == 1)
        return FACEFUSE_OK;
    grid coarse = {0};
    int cw = (gw + 1) / 2, chh = (gh + 1) / 2;
    float *csum = calloc((size_t)cw * chh, sizeof(float)), *cweight = calloc((size_t)cw * chh, sizeof(float));
    coarse.gw = cw, coarse.gh = chh, coarse.cell = 2 * g->cell;
    coarse.v = malloc(sizeof(float) * (size_t)cw * chh);
    facefuse_status st = FACEFUSE_ERR_NO_MEMORY;
    if (csum && cweight && coarse.v) {
        for (int y = 0; y < gh; y++)
            for (int x = 0; x < gw; x++) {
                size_t c = (size_t)(y / 2) * cw + x / 2;
                csum[c] += sum[(size_t)y * gw + x];
                cweight[c] += weight[(size_t)y * gw + x];
            }
        st = push_pull(&coarse, csum, cweight, empty);
        for (int y = 0; st == FACEFUSE_OK && y < gh; y++)
            for (int x = 0; x < gw; x++)
                if (!(weight[(size_t)y * gw + x] > 0))
                    g->v[(size_t)y * gw + x] = coarse.v[(size_t)(y / 2) * cw + x / 2];
    }
    free(csum), free(cweight), free(coarse.v);
    return st;
}

/* ---------------------------------------------------------------- screen level and foreground reference */

/* A screen is rarely lit evenly: where it is darker its chroma, and so s,
 * is lower. The level grid holds, per 32×32 block, the mean s of the
 * block's screen pixels (s > 0.6, at least a quarter of the block), blocks
 * without screen taking their neighbours' level. The key then works on
 * s / level and unmixes with level·K, so tolerance only has to cover noise.
 *
 * A pixel that mixes screen and foreground F has s = (1 − alpha) + alpha·s(F).
 * The plain ramp assumes s(F) = s_lo; a foreground far from the key in
 * colour (orange skin, a red shirt) has s(F) well below it, and its edges
 * come out too opaque. In the edge band (4×4 cells within two cells of a
 * screen pixel) the key uses the local foreground instead: the mean s of
 * the solid foreground pixels of the 4×4 cells just inside the band,
 * spread into the band by push–pull, so alpha = (s_hi − s)/(s_hi − s_ref).
 * Away from the screen the plain ramp keeps solid foreground solid. */
#define SCREEN_BLOCK 32
#define SCREEN_MIN_S 0.6f
#define FG_CELL 4
#define BAND_CELLS 2      /* the edge band: cells within this many cells of screen */

typedef struct key_fields {
    grid level;           /* screen level, SCREEN_BLOCK cells */
    grid span;            /* 1 / (s_hi − s_ref), FG_CELL cells */
    grid band;            /* 1 where screen is within a cell, FG_CELL cells */
} key_fields;

typedef struct field_job {
    const key_model *m;
    const facefuse_image *frame;
    key_fields *f;
    float *sum, *weight;  /* per cell of the grid being built */
    int *sampled;
} field_job;

/* Block rows [by0, by1) of the level grid: s summed over screen pixels,
 * every other pixel. */
static void level_stats(void *ud, int worker, int by0, int by1)
{
    const field_job *j = ud;
    const int w = j->frame->width, h = j->frame->height, ch = j->frame->channels, gw = j->f->level.gw;
    (void)worker;
    for (int y = by0 * SCREEN_BLOCK; y < by1 * SCREEN_BLOCK && y < h; y += 2) {
        const uint8_t *px = j->frame->data + (size_t)y * j->frame->stride;
        size_t row = (size_t)(y / SCREEN_BLOCK) * gw;
        for (int x = 0; x < w; x += 2) {
            const uint8_t *p = px + (size_t)x * ch;
            float s = screen_amount(j->m, p[0], p[1], p[2]);
            size_t cell = row + (size_t)(x / SCREEN_BLOCK);
            j->sampled[cell]++;
            if (s > SCREEN_MIN_S) {
                j->sum[cell] += s;
                j->weight[cell] += 1.0f;
            }
        }
    }
}

/* Cell rows [cy0, cy1) of the foreground grids: s / level summed over solid
 * foreground, and whether any screen was seen, every other pixel. */
static void foreground_stats(void *ud, int worker, int cy0, int cy1)
{
    const field_job *j = ud;
    const key_model *m = j->m;
    const int w = j->frame->width, h = j->frame->height, ch = j->frame->channels, gw = j->f->span.gw;
    const grid *level = &j->f->level;
    (void)worker;
    for (int y = cy0 * FG_CELL; y < cy1 * FG_CELL && y < h; y += 2) {
        const uint8_t *px = j->frame->data + (size_t)y * j->frame->stride;
        const float *lv = level->v + (size_t)(y / SCREEN_BLOCK) * level->gw;
        size_t row = (size_t)(y / FG_CELL) * gw;
        for (int x = 0; x < w; x += 2) {
            const uint8_t *p = px + (size_t)x * ch;
            float s = screen_amount(m, p[0], p[1], p[2]) / lv[x / SCREEN_BLOCK];
            size_t cell = row + (size_t)(x / FG_CELL);
            if (s <= m->s_lo) {
                j->sum[cell] += s;
                j->weight[cell] += 1.0f;
            }
            if (s >= m->s_hi)
                j->sampled[cell] = 1;
        }
    }
}

static void free_fields(key_fields *f)
{
    grid_free(&f->level), grid_free(&f->span), grid_free(&f->band);
}

static facefuse_status build_fields(const key_model *m, const facefuse_image *frame, int threads, key_fields *f,
                                    fu_err *err)
{
    const int w = frame->width, h = frame->height;
    memset(f, 0, sizeof *f);
    facefuse_status st = grid_alloc(&f->level, w, h, SCREEN_BLOCK);
    if (st == FACEFUSE_OK)
        st = grid_alloc(&f->span, w, h, FG_CELL);
    if (st == FACEFUSE_OK)
        st = grid_alloc(&f->band, w, h, FG_CELL);
    size_t n = (size_t)f->span.gw * f->span.gh; /* the larger grid */
    float *sum = calloc(n, sizeof(float)), *weight = calloc(n, sizeof(float));
    int *sampled = calloc(n, sizeof(int));
    if (st != FACEFUSE_OK || !sum || !weight || !sampled) {
        free(sum), free(weight), free(sampled);
        free_fields(f);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "chroma key: out of memory for a %dx%d frame", w, h);
    }
    field_job job = {m, frame, f, sum, weight, sampled};

    /* Screen level: blocks with too little screen are filled from others. */
    size_t nl = (size_t)f->level.gw * f->level.gh;
    fu_parallel_for(f->level.gh, threads, level_stats, &job);
    for (size_t i = 0; i < nl; i++)
        if (weight[i] < 0.9f * sampled[i])
            sum[i] = weight[i] = 0;
    st = push_pull(&f->level, sum, weight, 1.0f);

    /* Foreground reference and the band near the screen. */
    if (st == FACEFUSE_OK) {
        memset(sum, 0, n * sizeof(float));
        memset(weight, 0, n * sizeof(float));
        memset(sampled, 0, n * sizeof(int));
        fu_parallel_for(f->span.gh, threads, foreground_stats, &job);
        const int gw = f->band.gw, gh = f->band.gh;
        for (int y = 0; y < gh; y++)
            for (int x = 0; x < gw; x++) {
                int near = 0;
                for (int dy = -BAND_CELLS; dy <= BAND_CELLS && !near; dy++)
                    for (int dx = -BAND_CELLS; dx <= BAND_CELLS && !near; dx++) {
                        int yy = y + dy, xx = x + dx;
                        near = yy >= 0 && yy < gh && xx >= 0 && xx < gw && (sampled[(size_t)yy * gw + xx] & 1);
                    }
                f->band.v[(size_t)y * gw + x] = near ? 1.0f : 0.0f;
                if (near) /* edge pixels are mixes: the reference comes from further in */
                    sum[(size_t)y * gw + x] = weight[(size_t)y * gw + x] = 0;
            }
        st = push_pull(&f->span, sum, weight, m->s_lo);
        for (size_t i = 0; st == FACEFUSE_OK && i < n; i++) { /* s_ref, then 1 / (s_hi − s_ref) */
            float ref = f->span.v[i] < m->s_lo ? f->span.v[i] : m->s_lo;
            f->span.v[i] = m->hard ? 0.0f : 1.0f / (m->s_hi - ref);
        }
    }
    free(sum), free(weight), free(sampled);
    if (st != FACEFUSE_OK) {
        free_fields(f);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "chroma key: out of memory for a %dx%d frame", w, h);
    }
    return FACEFUSE_OK;
}

/* ---------------------------------------------------------------- the pixel pass */

/* Per worker: rows of levels, spans and band weights, of R, G, B and
 * alpha, and a row of the finest grid. */
#define ROW_SCRATCH(w) (7 * (size_t)(w) + (size_t)(w) / FG_CELL + 1)

typedef struct key_job {
    const key_model *m;
    const key_fields *f;
    facefuse_image *frame;
    uint8_t *matte;
    float *rows;          /* per worker: ROW_SCRATCH(w) floats */
} key_job;

/* The row passes of the key, each a branch-free loop over planar floats
 * (restrict: the planes never overlap) that the compiler can vectorise. */

/* alpha = s_hi − s / level: how far below pure screen the pixel is. */
static void screen_distance(int w, const key_model *m, const float *restrict r, const float *restrict g,
                            const float *restrict b, const float *restrict level, float *restrict d)
{
    const float a0 = m->a[0], a1 = m->a[1], a2 = m->a[2], p0 = m->p[0], p1 = m->p[1], p2 = m->p[2];
    const float s_hi = m->s_hi;
    for (int x = 0; x < w; x++) {
        float u = a0 * r[x] + a1 * g[x] + a2 * b[x], v = p0 * r[x] + p1 * g[x] + p2 * b[x];
        d[x] = s_hi - (u - fabsf(v)) / level[x];
    }
}

/* The distance to alpha in 0..255 (whole numbers): the plain ramp, moved
 * toward the local one by the band weight; or a hard step. */
static void distance_to_alpha(int w, const key_model *m, const float *restrict span, const float *restrict band,
                              float *restrict alpha)
{
    const float inv_ramp = m->inv_ramp;
    if (m->hard) {
        for (int x = 0; x < w; x++)
            alpha[x] = alpha[x] > 0.0f ? 255.0f : 0.0f;
        return;
    }
    for (int x = 0; x < w; x++) {
        float plain = clamp01(alpha[x] * inv_ramp), local = clamp01(alpha[x] * span[x]);
        alpha[x] = (float)(int)((plain + band[x] * (local - plain)) * 255.0f + 0.5f); /* ≥ 0: rounds */
    }
}

/* F = (I − (1 − a)·level·K)/a where 0 < a < 1 (a = alpha/255), then the
 * spill: F −= spill·max(0, u(F))·(K − Y'(K)). */
static void unmix_and_despill(int w, const key_model *m, const float *restrict alpha, const float *restrict level,
                              float *restrict r, float *restrict g, float *restrict b)
{
    const float a0 = m->a[0], a1 = m->a[1], a2 = m->a[2], spill = m->spill;
    const float k0 = m->key[0], k1 = m->key[1], k2 = m->key[2], c0 = m->cast[0], c1 = m->cast[1], c2 = m->cast[2];
    for (int x = 0; x < w; x++) {
        float aq = alpha[x], keep = aq > 0.0f ? 1.0f : 0.0f;
        float inv = 255.0f / (aq > 1.0f ? aq : 1.0f); /* computed always, so the loop has no branch */
        inv = keep * inv + (1.0f - keep);                 /* 1 where alpha is 0 */
        float rest = keep * (1.0f - aq * (1.0f / 255.0f)) * level[x];
        float rr = (r[x] - rest * k0) * inv, gg = (g[x] - rest * k1) * inv, bb = (b[x] - rest * k2) * inv;
        float cast = a0 * rr + a1 * gg + a2 * bb, t = spill * (cast > 0.0f ? cast : 0.0f);
        r[x] = rr - t * c0, g[x] = gg - t * c1, b[x] = bb - t * c2;
    }
}

/* Matte, unmix and spill for rows [y0, y1), a row at a time. */
static void key_rows(void *ud, int worker, int y0, int y1)
{
    const key_job *j = ud;
    const key_model *m = j->m;
    const int w = j->frame->width, ch = j->frame->channels;
    float *level = j->rows + (size_t)worker * ROW_SCRATCH(w), *span = level + w, *band = span + w;
    float *r = band + w, *g = r + w, *b = g + w, *alpha = b + w, *mix = alpha + w;
    for (int y = y0; y < y1; y++) {
        uint8_t *px = j->frame->data + (size_t)y * j->frame->stride;
        uint8_t *mt = j->matte + (size_t)y * w;
        grid_row(&j->f->level, y, w, mix, level);
        grid_row(&j->f->span, y, w, mix, span);
        grid_row(&j->f->band, y, w, mix, band);
        for (int x = 0; x < w; x++) {
            const uint8_t *p = px + (size_t)x * ch;
            r[x] = p[0], g[x] = p[1], b[x] = p[2];
        }
        screen_distance(w, m, r, g, b, level, alpha);
        distance_to_alpha(w, m, span, band, alpha);
        unmix_and_despill(w, m, alpha, level, r, g, b);
        for (int x = 0; x < w; x++) {
            uint8_t *p = px + (size_t)x * ch;
            p[0] = to_byte(r[x]), p[1] = to_byte(g[x]), p[2] = to_byte(b[x]);
            mt[x] = (uint8_t)alpha[x];
        }
    }
}

/* ---------------------------------------------------------------- matte operations */

/* A filter over the matte: along rows, each worker with its own scratch of
 * 3 × (width + 2·radius + 1) bytes; down columns, from a copy of the matte,
 * with one running sum per column for the box. */
typedef struct line_job {
    uint8_t *matte;
    int w, h;
    int radius;
    int op;               /* OP_MIN, OP_MAX or OP_BOX */
    uint8_t *scratch;
    size_t scratch_len;   /* per worker, a third each for pad, prefix, suffix */
    uint8_t *source;      /* the matte before the column pass */
    uint32_t *sums;       /* w running sums */
} line_job;

enum { OP_MIN, OP_MAX, OP_BOX };

/* Min or max over a centred window of 2r+1 on one line of n values (the
 * window is cut at the ends), in O(1) per value: van Herk / Gil–Werman
 * block prefix and suffix extrema over the line padded by r neutral values. */
static void minmax_line(uint8_t *line, int n, int r, int is_max, uint8_t *pad, uint8_t *pre, uint8_t *suf)
{
    const int k = 2 * r + 1, len = n + 2 * r;
    const uint8_t neutral = is_max ? 0 : 255;
    for (int i = 0; i < len; i++)
        pad[i] = (i < r || i >= n + r) ? neutral : line[i - r];
    for (int i = 0; i < len; i++) {
        uint8_t v = pad[i];
        if (i % k && (is_max ? pre[i - 1] > v : pre[i - 1] < v))
            v = pre[i - 1];
        pre[i] = v;
    }
    for (int i = len - 1; i >= 0; i--) {
        uint8_t v = pad[i];
        if ((i + 1) % k && i + 1 < len && (is_max ? suf[i + 1] > v : suf[i + 1] < v))
            v = suf[i + 1];
        suf[i] = v;
    }
    for (int i = 0; i < n; i++) { /* window [i, i + 2r] of pad */
        uint8_t a = suf[i], b = pre[i + 2 * r];
        line[i] = is_max ? (a > b ? a : b) : (a < b ? a : b);
    }
}

/* Box mean over a centred window of 2r+1 (ends replicated), rounded. */
static void box_line(uint8_t *line, int n, int r, uint8_t *copy)
{
    const unsigned k = 2u * (unsigned)r + 1u;
    for (int i = 0; i < n; i++)
        copy[i] = line[i];
    unsigned sum = 0;
    for (int i = -r; i <= r; i++)
        sum += copy[i < 0 ? 0 : i >= n ? n - 1 : i];
    for (int i = 0; i < n; i++) {
        line[i] = (uint8_t)((sum + k / 2) / k);
        int out = i - r, in = i + r + 1;
        sum += copy[in >= n ? n - 1 : in];
        sum -= copy[out < 0 ? 0 : out];
    }
}

/* Rows [begin, end): the filter along each row. */
static void row_range(void *ud, int worker, int begin, int end)
{
    const line_job *j = ud;
    uint8_t *pad = j->scratch + (size_t)worker * 3 * j->scratch_len;
    uint8_t *pre = pad + j->scratch_len, *suf = pre + j->scratch_len;
    for (int l = begin; l < end; l++) {
        uint8_t *line = j->matte + (size_t)l * j->w;
        if (j->op == OP_BOX)
            box_line(line, j->w, j->radius, pad);
        else
            minmax_line(line, j->w, j->radius, j->op == OP_MAX, pad, pre, suf);
    }
}

/* Columns [x0, x1): the filter down the columns, a whole row segment at a
 * time (contiguous, so it vectorises), reading the copy in `source`. */
static void column_range(void *ud, int worker, int x0, int x1)
{
    const line_job *j = ud;
    const int w = j->w, h = j->h, r = j->radius, n = x1 - x0;
    const uint8_t *src = j->source;
    (void)worker;
    if (j->op == OP_BOX) {
        uint32_t *sum = j->sums + x0;
        const uint32_t k = 2u * (uint32_t)r + 1u;
        for (int i = 0; i < n; i++)
            sum[i] = 0;
        for (int yy = -r; yy <= r; yy++) {
            const uint8_t *row = src + (size_t)(yy < 0 ? 0 : yy >= h ? h - 1 : yy) * w + x0;
            for (int i = 0; i < n; i++)
                sum[i] += row[i];
        }
        for (int y = 0; y < h; y++) {
            uint8_t *out = j->matte + (size_t)y * w + x0;
            for (int i = 0; i < n; i++)
                out[i] = (uint8_t)((sum[i] + k / 2) / k);
            int in = y + r + 1, gone = y - r;
            const uint8_t *add = src + (size_t)(in >= h ? h - 1 : in) * w + x0;
            const uint8_t *sub = src + (size_t)(gone < 0 ? 0 : gone) * w + x0;
            for (int i = 0; i < n; i++)
                sum[i] += (uint32_t)add[i] - sub[i];
        }
        return;
    }
    const int is_max = j->op == OP_MAX;
    for (int y = 0; y < h; y++) {
        int lo = y - r < 0 ? 0 : y - r, hi = y + r >= h ? h - 1 : y + r;
        uint8_t *out = j->matte + (size_t)y * w + x0;
        memcpy(out, src + (size_t)lo * w + x0, (size_t)n);
        for (int yy = lo + 1; yy <= hi; yy++) {
            const uint8_t *row = src + (size_t)yy * w + x0;
            if (is_max)
                for (int i = 0; i < n; i++)
                    out[i] = row[i] > out[i] ? row[i] : out[i];
            else
                for (int i = 0; i < n; i++)
                    out[i] = row[i] < out[i] ? row[i] : out[i];
        }
    }
}

/* One filter along the rows, then down the columns. */
static facefuse_status filter_matte(uint8_t *matte, int w, int h, int op, int radius, int threads, fu_err *err)
{
    int workers = threads < 1 ? 1 : threads > FU_MAX_THREADS ? FU_MAX_THREADS : threads;
    size_t len = (size_t)w + 2 * (size_t)radius + 1;
    uint8_t *scratch = malloc((size_t)workers * 3 * len), *source = malloc((size_t)w * h);
    uint32_t *sums = malloc(sizeof(uint32_t) * (size_t)w);
    if (!scratch || !source || !sums) {
        free(scratch), free(source), free(sums);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "chroma key: out of memory for the matte filter");
    }
    line_job job = {matte, w, h, radius, op, scratch, len, source, sums};
    fu_parallel_for(h, workers, row_range, &job);
    memcpy(source, matte, (size_t)w * h);
    fu_parallel_for(w, workers, column_range, &job);
    free(scratch), free(source), free(sums);
    return FACEFUSE_OK;
}

/* ---------------------------------------------------------------- keying */

facefuse_status fu_chroma_key(const fu_chroma_key_settings *s, facefuse_image *frame, uint8_t *matte,
                              fu_chroma_key_result *res, fu_err *err)
{
    fu_chroma_key_result local;
    if (!res)
        res = &local;
    memset(res, 0, sizeof *res);
    if (!s || !frame || !frame->data || frame->channels < 3 || !matte)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "chroma key: needs an RGB or RGBA frame and a matte");
    facefuse_status st = fu_chroma_key_check(s, err);
    if (st != FACEFUSE_OK)
        return st;
    const int w = frame->width, h = frame->height;
    uint8_t key[3];
    if (s->key_set)
        memcpy(key, s->key_rgb, 3);
    else if (!fu_chroma_key_sample(frame, key)) {
        memset(matte, 255, (size_t)w * h);
        return FACEFUSE_OK;
    }
    res->keyed = 1;
    memcpy(res->key_rgb, key, 3);

    key_model m;
    build_model(&m, key, s);
    int workers = s->threads < 1 ? 1 : s->threads > FU_MAX_THREADS ? FU_MAX_THREADS : s->threads;
    key_fields fields;
    st = build_fields(&m, frame, workers, &fields, err);
    if (st != FACEFUSE_OK)
        return st;
    float *rows = malloc(sizeof(float) * ROW_SCRATCH(w) * (size_t)workers);
    if (!rows) {
        free_fields(&fields);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "chroma key: out of memory");
    }
    key_job job = {&m, &fields, frame, matte, rows};
    fu_parallel_for(h, workers, key_rows, &job);
    free(rows);
    free_fields(&fields);
    if (s->choke_px)
        st = filter_matte(matte, w, h, s->choke_px > 0 ? OP_MIN : OP_MAX, abs(s->choke_px), s->threads, err);
    if (st == FACEFUSE_OK && s->feather_px) {
        int r = (s->feather_px + 1) / 2; /* two boxes of radius r: a tent of radius 2r */
        st = filter_matte(matte, w, h, OP_BOX, r, s->threads, err);
        if (st == FACEFUSE_OK)
            st = filter_matte(matte, w, h, OP_BOX, r, s->threads, err);
    }
    return st;
}
