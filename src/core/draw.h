/*
 * draw.h — minimal raster drawing for the face debugger: lines, circles,
 * rectangles and a 5×7 bitmap font for numbers. Colours are RGB.
 */
#ifndef FU_DRAW_H
#define FU_DRAW_H

#include "facefuse.h"

typedef struct fu_rgb {
    uint8_t r, g, b;
} fu_rgb;

void fu_draw_line(facefuse_image *im, float x0, float y0, float x1, float y1, int thickness, fu_rgb c);
void fu_draw_rect(facefuse_image *im, float x1, float y1, float x2, float y2, int thickness, fu_rgb c);
void fu_draw_disc(facefuse_image *im, float cx, float cy, float radius, fu_rgb c);
/* Draws text (digits, '.', '-', '%', letters a–z as blocks) with its top-left
 * at (x, y), each glyph 5×7 pixels times scale. */
void fu_draw_text(facefuse_image *im, int x, int y, const char *text, int scale, fu_rgb c);

#endif
