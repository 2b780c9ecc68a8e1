/*
 * font5x7.h — a 5×7 dot-matrix font for printable ASCII (letters in upper
 * case, digits, common punctuation), drawn for facefuse: short labels such
 * as a visible watermark need no font file or text library.
 */
#ifndef FU_FONT5X7_H
#define FU_FONT5X7_H

#include <stdint.h>

/* The 7 rows of c's glyph, top first, 5 bits each (bit 4 = leftmost).
 * Lower case maps to upper case; characters without a glyph get a box. */
const uint8_t *fu_font5x7_glyph(char c);

#endif
