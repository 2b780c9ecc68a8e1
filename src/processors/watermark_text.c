/*
 * watermark_text.c — the visible watermark: a line of text in a corner (or
 * the centre) of the frame, white with a dark outline so it reads on any
 * picture, blended at the given opacity. Its size follows the frame: the
 * 5×7 glyphs (core/font5x7.h) are scaled to about 3 % of the frame height.
 */
#include <stdlib.h>
#include <string.h>

#include "core/font5x7.h"
#include "core/image.h"
#include "processors/watermark.h"

static void blend(facefuse_image *im, int x, int y, int value, int alpha256)
{
    if (x < 0 || y < 0 || x >= im->width || y >= im->height)
        return;
    uint8_t *p = fu_pixel(im, x, y);
    for (int c = 0; c < 3; c++)
        p[c] = (uint8_t)((p[c] * (256 - alpha256) + value * alpha256 + 128) >> 8);
}

/* Fills the scale × scale cell of glyph pixel (col, row), grown by grow. */
static void cell(facefuse_image *im, int x0, int y0, int scale, int grow, int value, int alpha256, uint8_t *mask,
                 int mw, int mh)
{
    for (int y = y0 - grow; y < y0 + scale + grow; y++)
        for (int x = x0 - grow; x < x0 + scale + grow; x++) {
            if (x < 0 || y < 0 || x >= mw || y >= mh || mask[(size_t)y * mw + x])
                continue;
            mask[(size_t)y * mw + x] = 1;
            blend(im, x, y, value, alpha256);
        }
}

/* Top-left corner of the text for a position name (bottom-right default). */
static void origin(const facefuse_image *im, const char *position, int text_w, int text_h, int *x, int *y)
{
    int margin = (im->width < im->height ? im->width : im->height) / 40 + 2;
    if (!position || !*position)
        position = "bottom-right";
    if (!strcmp(position, "center")) {
        *x = (im->width - text_w) / 2;
        *y = (im->height - text_h) / 2;
        return;
    }
    *x = strstr(position, "left") ? margin : im->width - margin - text_w;
    *y = strstr(position, "top") ? margin : im->height - margin - text_h;
}

void fu_watermark_draw_text(facefuse_image *frame, const char *text, const char *position, int opacity)
{
    if (!frame || !frame->data || frame->channels < 3 || !text || !*text || opacity <= 0)
        return;
    int scale = frame->height / 230 + 1;
    int n = (int)strlen(text);
    int text_w = n * 6 * scale - scale, text_h = 7 * scale;
    int x0, y0;
    origin(frame, position, text_w, text_h, &x0, &y0);
    int alpha = (opacity > 100 ? 100 : opacity) * 256 / 100;
    int grow = scale / 3 + 1;
    /* each pixel is blended once: the glyphs first, then their outline */
    uint8_t *mask = calloc((size_t)frame->width * frame->height, 1);
    if (!mask)
        return;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++) {
            const uint8_t *g = fu_font5x7_glyph(text[i]);
            for (int row = 0; row < 7; row++)
                for (int col = 0; col < 5; col++)
                    if (g[row] & (16 >> col))
                        cell(frame, x0 + (i * 6 + col) * scale, y0 + row * scale, scale, pass ? grow : 0,
                             pass ? 0 : 255, alpha, mask, frame->width, frame->height);
        }
    free(mask);
}
