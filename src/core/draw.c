/*
 * draw.c — see draw.h. Pixels outside the image are clipped.
 */
#include "core/draw.h"

#include <math.h>

#include "core/image.h"
#include "core/numeric.h"

static void put(facefuse_image *im, int x, int y, fu_rgb c)
{
    if (x < 0 || y < 0 || x >= im->width || y >= im->height)
        return;
    uint8_t *p = fu_pixel(im, x, y);
    p[0] = c.r;
    if (im->channels >= 3) {
        p[1] = c.g;
        p[2] = c.b;
    }
    if (im->channels == 4)
        p[3] = 255;
}

void fu_draw_disc(facefuse_image *im, float cx, float cy, float radius, fu_rgb c)
{
    int r = fu_int_clamp(ceilf(radius), 0, 64);
    /* Far outside (or not a number): nothing to draw. */
    if (!(cx > -r - 1 && cy > -r - 1 && cx < im->width + r + 1 && cy < im->height + r + 1))
        return;
    int x = (int)lroundf(cx), y = (int)lroundf(cy);
    for (int dy = -r; dy <= r; dy++)
        for (int dx = -r; dx <= r; dx++)
            if (dx * dx + dy * dy <= radius * radius + 0.5f)
                put(im, x + dx, y + dy, c);
}

/* Clips the segment to the rectangle [lo, hi]² by Liang–Barsky; 0 when
 * nothing of it is inside (or a coordinate is not a number). */
static int clip_segment(float *x0, float *y0, float *x1, float *y1, float lo_x, float lo_y, float hi_x, float hi_y)
{
    double t0 = 0, t1 = 1, dx = (double)*x1 - *x0, dy = (double)*y1 - *y0;
    const double p[4] = {-dx, dx, -dy, dy};
    const double q[4] = {*x0 - (double)lo_x, hi_x - (double)*x0, *y0 - (double)lo_y, hi_y - (double)*y0};
    if (!(isfinite(dx) && isfinite(dy) && isfinite(q[0]) && isfinite(q[1]) && isfinite(q[2]) && isfinite(q[3])))
        return 0;
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return 0;
            continue;
        }
        double t = q[i] / p[i];
        if (p[i] < 0 && t > t0)
            t0 = t;
        if (p[i] > 0 && t < t1)
            t1 = t;
    }
    if (t0 > t1)
        return 0;
    float nx0 = (float)(*x0 + t0 * dx), ny0 = (float)(*y0 + t0 * dy);
    *x1 = (float)(*x0 + t1 * dx);
    *y1 = (float)(*y0 + t1 * dy);
    *x0 = nx0;
    *y0 = ny0;
    return 1;
}

void fu_draw_line(facefuse_image *im, float x0, float y0, float x1, float y1, int thickness, fu_rgb c)
{
    /* Only the part that can touch the image is walked: a point far away
     * must not turn into billions of steps. */
    float m = (float)(thickness > 1 ? thickness : 1) + 1;
    if (!clip_segment(&x0, &y0, &x1, &y1, -m, -m, (float)im->width + m, (float)im->height + m))
        return;
    float dx = x1 - x0, dy = y1 - y0;
    int steps = fu_int_clamp(ceilf(fmaxf(fabsf(dx), fabsf(dy))), 1, 1 << 20);
    if (steps < 1)
        steps = 1;
    for (int i = 0; i <= steps; i++) {
        float t = (float)i / steps;
        if (thickness <= 1)
            put(im, (int)lroundf(x0 + t * dx), (int)lroundf(y0 + t * dy), c);
        else
            fu_draw_disc(im, x0 + t * dx, y0 + t * dy, thickness / 2.0f, c);
    }
}

void fu_draw_rect(facefuse_image *im, float x1, float y1, float x2, float y2, int thickness, fu_rgb c)
{
    fu_draw_line(im, x1, y1, x2, y1, thickness, c);
    fu_draw_line(im, x2, y1, x2, y2, thickness, c);
    fu_draw_line(im, x2, y2, x1, y2, thickness, c);
    fu_draw_line(im, x1, y2, x1, y1, thickness, c);
}

/* 5×7 glyphs, one byte a row, low 5 bits, MSB on the left. */
static const uint8_t *glyph(char ch)
{
    static const uint8_t digits[10][7] = {
        {14, 17, 19, 21, 25, 17, 14}, {4, 12, 4, 4, 4, 4, 14},   {14, 17, 1, 2, 4, 8, 31},
        {31, 2, 4, 2, 1, 17, 14},     {2, 6, 10, 18, 31, 2, 2},  {31, 16, 30, 1, 1, 17, 14},
        {6, 8, 16, 30, 17, 17, 14},   {31, 1, 2, 4, 8, 8, 8},    {14, 17, 17, 14, 17, 17, 14},
        {14, 17, 17, 15, 1, 2, 12}};
    static const uint8_t dot[7] = {0, 0, 0, 0, 0, 12, 12};
    static const uint8_t minus[7] = {0, 0, 0, 31, 0, 0, 0};
    static const uint8_t percent[7] = {24, 25, 2, 4, 8, 19, 3};
    static const uint8_t block[7] = {31, 17, 17, 17, 17, 17, 31};
    static const uint8_t space[7] = {0};
    if (ch >= '0' && ch <= '9')
        return digits[ch - '0'];
    if (ch == '.')
        return dot;
    if (ch == '-')
        return minus;
    if (ch == '%')
        return percent;
    if (ch == ' ')
        return space;
    return block;
}

void fu_draw_text(facefuse_image *im, int x, int y, const char *text, int scale, fu_rgb c)
{
    for (; *text; text++, x += 6 * scale) {
        const uint8_t *g = glyph(*text);
        for (int row = 0; row < 7; row++)
            for (int col = 0; col < 5; col++)
                if (g[row] & (16 >> col))
                    for (int sy = 0; sy < scale; sy++)
                        for (int sx = 0; sx < scale; sx++)
                            put(im, x + col * scale + sx, y + row * scale + sy, c);
    }
}
