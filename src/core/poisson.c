/*
 * poisson.c — seamless cloning by a multigrid Poisson solve on the mask.
 *
 * We solve for the correction u = f − dst, which is zero wherever the pixel
 * is not an unknown (outside the mask, on the region border):
 *     4 u_p − Σ_{q ∈ N(p), q unknown} u_q = L(src − dst)_p   for unknown p,
 * where L is the 5-point Laplacian 4 s_p − Σ s_q. That is Δf = Δsrc inside
 * with f = dst on the boundary. All three colour channels are solved at once:
 * each cell holds 4 floats (R, G, B, unused), so every update is one SIMD
 * operation.
 *
 * Multigrid, cell-centred: a coarse cell covers 2×2 fine cells and is an
 * unknown only when all four are (a coarse domain larger than the fine one
 * over-corrects near the boundary, and over several levels diverges; a
 * smaller one only slows convergence a little). Restriction sums the children's residuals
 * (the coarse grid's h² is 4× the fine one's); prolongation is bilinear.
 * Smoothing is red-black Gauss–Seidel, 2 sweeps before and after; the
 * coarsest grid (≤ 4 cells a side) is smoothed to convergence. The solve
 * starts with one full-multigrid pass (coarse-to-fine, one V-cycle a level),
 * then V-cycles until the residual is below FU_POISSON_TOLERANCE; a disc
 * mask on 512×512 takes 4 cycles in all, each cutting the residual ~4×.
 * Each level stores its grid with a ring of zero ghost cells so no stencil
 * needs a bounds test; cells that are not unknowns always hold u = 0.
 */
#include "core/poisson.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"

/* One cell: R, G, B and an unused lane, updated as one SIMD value (the GCC and
 * Clang vector extension). */
typedef float v4f __attribute__((vector_size(16)));
typedef int v4i __attribute__((vector_size(16)));

static inline v4f v4_max(v4f a, v4f b)
{
    v4i gt = a > b; /* all ones where a > b */
    return (v4f)(((v4i)a & gt) | ((v4i)b & ~gt));
}
#define MAX_LEVELS 16
#define MAX_CYCLES 30
#define PRE_SWEEPS 2
#define POST_SWEEPS 2
#define COARSEST_SWEEPS 64

typedef struct mg_level {
    int w, h, stride;     /* interior size; stride = w + 2 cells */
    v4f *u, *rhs, *res;   /* (w + 2)·(h + 2) cells each */
    uint8_t *inside;      /* (w + 2)·(h + 2): 1 = unknown */
} mg_level;

typedef struct mg_solver {
    mg_level lv[MAX_LEVELS];
    int n_levels;
} mg_solver;

static size_t cell(const mg_level *l, int x, int y)
{
    return (size_t)(y + 1) * (size_t)l->stride + (size_t)(x + 1);
}

/* ---------------------------------------------------------------- levels */

static int level_alloc(mg_level *l, int w, int h)
{
    size_t cells = (size_t)(w + 2) * (size_t)(h + 2);
    l->w = w, l->h = h, l->stride = w + 2;
    l->u = aligned_alloc(sizeof(v4f), cells * sizeof(v4f));
    l->rhs = aligned_alloc(sizeof(v4f), cells * sizeof(v4f));
    l->res = aligned_alloc(sizeof(v4f), cells * sizeof(v4f));
    if (l->u)
        memset(l->u, 0, cells * sizeof(v4f));
    if (l->rhs)
        memset(l->rhs, 0, cells * sizeof(v4f));
    if (l->res)
        memset(l->res, 0, cells * sizeof(v4f));
    l->inside = calloc(cells, 1);
    return l->u && l->rhs && l->res && l->inside;
}

static void solver_free(mg_solver *s)
{
    for (int i = 0; i < s->n_levels; i++) {
        free(s->lv[i].u), free(s->lv[i].rhs), free(s->lv[i].res), free(s->lv[i].inside);
    }
    s->n_levels = 0;
}

/* Builds the coarse levels below level 0 (whose `inside` is set). */
static int build_hierarchy(mg_solver *s)
{
    while (s->n_levels < MAX_LEVELS) {
        const mg_level *f = &s->lv[s->n_levels - 1];
        if (f->w <= 4 || f->h <= 4)
            return 1;
        mg_level *c = &s->lv[s->n_levels];
        int ok = level_alloc(c, (f->w + 1) / 2, (f->h + 1) / 2);
        s->n_levels++;
        if (!ok)
            return 0;
        for (int y = 0; y < f->h; y++)
            for (int x = 0; x < f->w; x++)
                if (f->inside[cell(f, x, y)])
                    c->inside[cell(c, x / 2, y / 2)]++;
        for (int y = 0; y < c->h; y++)
            for (int x = 0; x < c->w; x++) {
                uint8_t *in = &c->inside[cell(c, x, y)];
                *in = *in == 4; /* all four children are unknowns */
            }
    }
    return 1;
}

/* ---------------------------------------------------------------- kernels */

static void smooth(mg_level *l, int sweeps)
{
    const int st = l->stride;
    for (int s = 0; s < 2 * sweeps; s++) {
        int colour = s & 1;
        for (int y = 0; y < l->h; y++) {
            size_t i = cell(l, (y + colour) & 1, y);
            const uint8_t *in = l->inside;
            for (int x = (y + colour) & 1; x < l->w; x += 2, i += 2) {
                if (!in[i])
                    continue;
                v4f *u = l->u + i;
                u[0] = 0.25f * (l->rhs[i] + u[-1] + u[1] + u[-st] + u[st]);
            }
        }
    }
}

/* res = rhs − A u on unknowns (0 elsewhere); returns max |res|. */
static float residual(mg_level *l)
{
    const int st = l->stride;
    const v4f zero = {0, 0, 0, 0};
    v4f worst = zero;
    for (int y = 0; y < l->h; y++) {
        size_t i = cell(l, 0, y);
        for (int x = 0; x < l->w; x++, i++) {
            if (!l->inside[i]) {
                l->res[i] = zero;
                continue;
            }
            const v4f *u = l->u + i;
            v4f r = l->rhs[i] - (4.0f * u[0] - u[-1] - u[1] - u[-st] - u[st]);
            l->res[i] = r;
            worst = v4_max(worst, r * r);
        }
    }
    float m = worst[0] > worst[1] ? worst[0] : worst[1];
    return sqrtf(m > worst[2] ? m : worst[2]);
}

static void restrict_residual(const mg_level *f, mg_level *c)
{
    memset(c->rhs, 0, sizeof(v4f) * (size_t)(c->w + 2) * (size_t)(c->h + 2));
    memset(c->u, 0, sizeof(v4f) * (size_t)(c->w + 2) * (size_t)(c->h + 2));
    for (int y = 0; y < f->h; y++) {
        size_t i = cell(f, 0, y);
        for (int x = 0; x < f->w; x++, i++) {
            c->rhs[cell(c, x / 2, y / 2)] += f->res[i];
        }
    }
}

/* c->rhs = the children's rhs summed, c->u = 0: the coarse problem FMG starts from. */
static void restrict_rhs(const mg_level *f, mg_level *c)
{
    memset(c->rhs, 0, sizeof(v4f) * (size_t)(c->w + 2) * (size_t)(c->h + 2));
    memset(c->u, 0, sizeof(v4f) * (size_t)(c->w + 2) * (size_t)(c->h + 2));
    for (int y = 0; y < f->h; y++) {
        size_t i = cell(f, 0, y);
        for (int x = 0; x < f->w; x++, i++) {
            c->rhs[cell(c, x / 2, y / 2)] += f->rhs[i];
        }
    }
}

/* f->u += bilinear interpolation of c->u, on f's unknowns. */
static void prolong_add(mg_level *f, const mg_level *c)
{
    for (int y = 0; y < f->h; y++) {
        int cy = y / 2, dy = (y & 1) ? 1 : -1;
        size_t i = cell(f, 0, y);
        for (int x = 0; x < f->w; x++, i++) {
            if (!f->inside[i])
                continue;
            int cx = x / 2, dx = (x & 1) ? 1 : -1;
            v4f e00 = c->u[cell(c, cx, cy)], e10 = c->u[cell(c, cx + dx, cy)];
            v4f e01 = c->u[cell(c, cx, cy + dy)], e11 = c->u[cell(c, cx + dx, cy + dy)];
            f->u[i] += 0.5625f * e00 + 0.1875f * (e10 + e01) + 0.0625f * e11;
        }
    }
}

static void v_cycle(mg_solver *s, int k)
{
    mg_level *l = &s->lv[k];
    if (k == s->n_levels - 1) {
        smooth(l, COARSEST_SWEEPS);
        return;
    }
    smooth(l, PRE_SWEEPS);
    residual(l);
    restrict_residual(l, &s->lv[k + 1]);
    v_cycle(s, k + 1);
    prolong_add(l, &s->lv[k + 1]);
    smooth(l, POST_SWEEPS);
}

/* Full multigrid: solve the coarsest version of the problem, then each finer
 * one starting from the interpolated coarser solution, one V-cycle each. */
static void full_multigrid(mg_solver *s)
{
    for (int k = 0; k + 1 < s->n_levels; k++)
        restrict_rhs(&s->lv[k], &s->lv[k + 1]);
    smooth(&s->lv[s->n_levels - 1], COARSEST_SWEEPS);
    for (int k = s->n_levels - 2; k >= 0; k--) {
        prolong_add(&s->lv[k], &s->lv[k + 1]);
        v_cycle(s, k);
    }
}

/* ---------------------------------------------------------------- blend */

static facefuse_status check_args(const facefuse_image *dst, const facefuse_image *src, const float *mask,
                                  int x0, int y0, int w, int h, fu_err *err)
{
    if (!dst || !src || !mask || !dst->data || !src->data)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "poisson blend: missing image or mask");
    if (src->width != dst->width || src->height != dst->height || src->channels != dst->channels ||
        dst->channels < 3)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "poisson blend: source %dx%dx%d does not match destination %dx%dx%d", src->width,
                       src->height, src->channels, dst->width, dst->height, dst->channels);
    if (w <= 0 || h <= 0 || x0 < 0 || y0 < 0 || x0 + w > dst->width || y0 + h > dst->height)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "poisson blend: region %dx%d at (%d,%d) is outside the %dx%d image", w, h, x0, y0,
                       dst->width, dst->height);
    return FACEFUSE_OK;
}

/* Level 0: unknowns from the mask, rhs = L(src − dst) there. */
static int setup_fine(mg_level *l, const facefuse_image *dst, const facefuse_image *src,
                      const float *mask, int x0, int y0)
{
    int n = 0;
    for (int y = 1; y < l->h - 1; y++)
        for (int x = 1; x < l->w - 1; x++) {
            if (!(mask[(size_t)(y0 + y) * dst->width + (x0 + x)] > 0.5f))
                continue;
            size_t i = cell(l, x, y);
            l->inside[i] = 1;
            n++;
            const uint8_t *d = fu_pixel(dst, x0 + x, y0 + y), *s = fu_pixel(src, x0 + x, y0 + y);
            const uint8_t *nb_d[4] = {d - dst->channels, d + dst->channels, d - dst->stride, d + dst->stride};
            const uint8_t *nb_s[4] = {s - src->channels, s + src->channels, s - src->stride, s + src->stride};
            for (int c = 0; c < 3; c++) {
                float lap = 4.0f * ((float)s[c] - (float)d[c]);
                for (int q = 0; q < 4; q++)
                    lap -= (float)nb_s[q][c] - (float)nb_d[q][c];
                l->rhs[i][c] = lap;
            }
        }
    return n;
}

facefuse_status fu_poisson_blend_ex(facefuse_image *dst, const facefuse_image *src, const float *mask,
                                    int x0, int y0, int w, int h, fu_poisson_stats *stats,
                                    fu_err *err)
{
    facefuse_status st = check_args(dst, src, mask, x0, y0, w, h, err);
    if (st != FACEFUSE_OK)
        return st;
    mg_solver s;
    memset(&s, 0, sizeof s);
    int ok = level_alloc(&s.lv[0], w, h);
    s.n_levels = 1;
    int unknowns = ok ? setup_fine(&s.lv[0], dst, src, mask, x0, y0) : 0;
    if (!ok || !build_hierarchy(&s)) {
        solver_free(&s);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "poisson blend: out of memory for a %dx%d region", w, h);
    }
    mg_level *l = &s.lv[0];
    int cycles = 0;
    if (unknowns) {
        full_multigrid(&s);
        cycles++;
    }
    float res = unknowns ? residual(l) : 0;
    while (res > FU_POISSON_TOLERANCE && cycles < MAX_CYCLES) {
        v_cycle(&s, 0);
        res = residual(l);
        cycles++;
    }
    for (int y = 1; y < h - 1; y++)
        for (int x = 1; x < w - 1; x++) {
            size_t i = cell(l, x, y);
            if (!l->inside[i])
                continue;
            uint8_t *d = fu_pixel(dst, x0 + x, y0 + y);
            for (int c = 0; c < 3; c++) {
                float v = (float)d[c] + l->u[i][c] + 0.5f;
                d[c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
        }
    if (stats) {
        stats->unknowns = unknowns;
        stats->cycles = cycles;
        stats->residual_max = res;
    }
    solver_free(&s);
    return FACEFUSE_OK;
}

facefuse_status fu_poisson_blend(facefuse_image *dst, const facefuse_image *src, const float *mask,
                                 int x0, int y0, int w, int h, fu_err *err)
{
    return fu_poisson_blend_ex(dst, src, mask, x0, y0, w, h, NULL, err);
}
