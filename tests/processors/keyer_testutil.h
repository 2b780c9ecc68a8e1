/*
 * keyer_testutil.h — a green- (or blue-) screen shot with a known answer,
 * made from a sample portrait (static, header-only).
 *
 * The foreground is the portrait inside an ellipse around the head with a
 * soft edge (alpha ramps over 8 px), plus twelve semi-transparent hair
 * strands (alpha 0.3–0.6, 1.5 px wide) reaching 60 px out. The screen has a
 * ±8% lighting gradient; foreground within 10 px of the edge (and the
 * strands) gets screen-coloured spill (+spill on the screen's channel),
 * fading out by 20 px; the composite is alpha·F + (1 − alpha)·screen plus
 * Gaussian sensor noise (σ = 2 levels per channel), rounded.
 */
#ifndef FU_KEYER_TESTUTIL_H
#define FU_KEYER_TESTUTIL_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"

typedef struct kt_shot {
    facefuse_image shot;     /* the composite, RGB */
    facefuse_image fg;       /* the true foreground colours (no spill), RGB */
    float *alpha;            /* true alpha, w·h */
    float *spill_weight;     /* 0..1: how much spill each pixel got */
    int screen_channel;      /* 1 green, 2 blue */
} kt_shot;

static double kt_noise_sigma = 2.0;

#define KT_CX 228.0
#define KT_CY 160.0
#define KT_RX 120.0
#define KT_RY 150.0

/* Deterministic Gaussian noise (Box–Muller on a 64-bit LCG). */
static inline double kt_gauss(unsigned long long *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    double u1 = ((*state >> 11) + 1.0) / 9007199254740993.0;
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    double u2 = (*state >> 11) / 9007199254740992.0;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Signed distance in px outside the ellipse (negative inside), approximately. */
static inline double kt_ellipse_distance(double x, double y)
{
    double dx = (x - KT_CX) / KT_RX, dy = (y - KT_CY) / KT_RY;
    return (sqrt(dx * dx + dy * dy) - 1.0) * (KT_RX < KT_RY ? KT_RX : KT_RY);
}

static inline double kt_segment_distance(double px, double py, double ax, double ay, double bx, double by)
{
    double vx = bx - ax, vy = by - ay, t = ((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double dx = px - (ax + t * vx), dy = py - (ay + t * vy);
    return sqrt(dx * dx + dy * dy);
}

/* Strand i: from the ellipse's upper rim outwards. */
static inline void kt_strand(int i, double *ax, double *ay, double *bx, double *by, double *peak)
{
    double angle = -2.6 + i * (2.0 / 11.0) * 1.0; /* spread over the top of the head */
    double c = cos(angle), s = sin(angle);
    *ax = KT_CX + KT_RX * 0.95 * c;
    *ay = KT_CY + KT_RY * 0.95 * s;
    *bx = KT_CX + (KT_RX + 60) * c;
    *by = KT_CY + (KT_RY + 60) * s;
    *peak = 0.3 + 0.3 * ((i * 7) % 12) / 11.0;
}

static inline void kt_free(kt_shot *k)
{
    facefuse_image_free(&k->shot);
    facefuse_image_free(&k->fg);
    free(k->alpha);
    free(k->spill_weight);
    memset(k, 0, sizeof *k);
}

/* screen: the screen colour at the centre; spill: levels added on its channel. */
static inline int kt_make(const facefuse_image *portrait, const uint8_t screen[3], int screen_channel, double spill,
                          kt_shot *k)
{
    const int w = portrait->width, h = portrait->height;
    const uint8_t hair[3] = {150, 112, 64};
    memset(k, 0, sizeof *k);
    k->screen_channel = screen_channel;
    k->alpha = calloc((size_t)w * h, sizeof(float));
    k->spill_weight = calloc((size_t)w * h, sizeof(float));
    if (!k->alpha || !k->spill_weight || facefuse_image_alloc(&k->shot, w, h, 3) != FACEFUSE_OK ||
        facefuse_image_alloc(&k->fg, w, h, 3) != FACEFUSE_OK) {
        kt_free(k);
        return 0;
    }
    unsigned long long rng = 12345;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            double d = kt_ellipse_distance(x, y);
            double a = 0.5 - d / 8.0; /* 8 px ramp centred on the rim */
            a = a < 0 ? 0 : a > 1 ? 1 : a;
            double strand = 0;
            for (int s = 0; s < 12; s++) {
                double ax, ay, bx, by, peak;
                kt_strand(s, &ax, &ay, &bx, &by, &peak);
                double sd = kt_segment_distance(x, y, ax, ay, bx, by);
                double v = peak * (1.0 - sd / 1.5);
                if (v > strand)
                    strand = v;
            }
            const uint8_t *src = fu_pixel(portrait, x, y);
            uint8_t *fg = fu_pixel(&k->fg, x, y);
            int is_strand = strand > a;
            for (int c = 0; c < 3; c++)
                fg[c] = is_strand ? hair[c] : src[c];
            if (is_strand)
                a = strand;
            k->alpha[i] = (float)a;
            double inside = -d; /* px inside the rim */
            double wsp = is_strand ? 1.0 : inside < 10 ? 1.0 : inside < 20 ? (20 - inside) / 10 : 0;
            k->spill_weight[i] = a > 0 ? (float)wsp : 0.0f;
            double light = 1.0 + 0.08 * (2.0 * x / w - 1.0) * (1.0 - 2.0 * y / h); /* a saddle, ±8% */
            uint8_t *out = fu_pixel(&k->shot, x, y);
            for (int c = 0; c < 3; c++) {
                double f = fg[c] + (c == screen_channel ? spill * k->spill_weight[i] : 0);
                f = f > 255 ? 255 : f;
                double v = a * f + (1 - a) * screen[c] * light + kt_noise_sigma * kt_gauss(&rng);
                v = floor(v + 0.5);
                out[c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
        }
    return 1;
}

/* The screen channel's excess over the mean of the other two. */
static inline double kt_excess(const uint8_t *p, int channel)
{
    int o1 = (channel + 1) % 3, o2 = (channel + 2) % 3;
    return (double)p[channel] - 0.5 * (p[o1] + p[o2]);
}

#endif
