/*
 * chroma_key.h — facefuse's own green/blue-screen keyer: the background
 * remover's `chroma_key` model, which needs no model file.
 *
 * Colour space. Each pixel's chroma is taken in Y'CbCr (BT.709) of the
 * gamma-encoded values: an opponent space whose axes follow perceived
 * lightness and colour difference, and which is linear in the code values,
 * so a pixel that mixes foreground F and screen K by alpha (a hair strand, a
 * blurred edge) has chroma alpha·c(F) + (1 − alpha)·c(K). With k the key's
 * chroma, a pixel's "screen amount" is
 *     s = (c·k̂ − β·|c·k̂⊥|) / |k|          (β = 0.5)
 * 1 on the screen, about 0 on neutral colours, below 0 on colours opposite
 * the key; the β term keeps hues beside the key (yellow and cyan beside
 * green) out of it. s is linear in the mix, so the matte is a ramp on s:
 *     alpha = clamp((s_hi − s) / (s_hi − s_lo)),
 *     s_hi = 1 − tolerance/100,  s_lo = s_hi − softness/100.
 * Tolerance takes in screen that is noisier than the key; softness is the
 * width of the transition (softness 0: a hard key). Two refinements, both
 * from coarse per-frame statistics:
 *   - screen level: s is divided by the screen's own level around the
 *     pixel (the mean s of pure-screen 32×32 blocks, spread over the rest),
 *     so a screen lit unevenly keys as evenly as the key colour itself, and
 *     the screen's share is taken out as level·K;
 *   - edge band: near the screen (4×4 cells within two cells of a screen
 *     pixel) s(F) of a mix is not assumed to be s_lo but taken from the
 *     solid foreground just inside (push–pull over 4×4 cells), so
 *     alpha = (s_hi − s)/(s_hi − s_ref) follows the true mix even for
 *     colours far from the key (orange skin against green).
 *
 * Foreground colour. The screen's share is taken out of each pixel,
 * F = (I − (1 − alpha)·K) / alpha, so an edge or strand keeps its own colour
 * instead of a green tint; then spill suppression removes what is left of
 * the key's cast: with u(F) = c(F)·k̂ / |k| the share of the key's chroma in
 * F, F −= spill/100 · max(0, u(F)) · (K − Y'(K)), which moves the colour
 * off the key direction at constant luma (u becomes 0 at spill 100).
 * Colours with no cast toward the key (u ≤ 0) are not touched; as with any
 * despill, colours beside the key (yellow and cyan for a green screen) lose
 * some of their key-ward part, so spill is a setting.
 *
 * Matte. choke_px > 0 erodes the matte (a square min filter of that
 * radius), < 0 dilates it; feather_px softens it with a tent filter of that
 * radius. Both act on the matte only: the foreground colours come from the
 * un-choked, un-feathered matte.
 *
 * Key colour. Unless given, it is sampled from a band along the four frame
 * borders: the most common chroma (a 32×32 histogram of Cb, Cr over
 * saturated pixels) that covers at least 30% of the band, averaged. A frame
 * whose border has no such colour is not keyed: it comes back unchanged,
 * with a matte of 255.
 *
 * Speed: two sampling passes over every other pixel for the statistics,
 * then one pass for matte, unmix and spill (float32, per row), all split
 * across `threads`. Choke and feather: along rows O(1) a pixel whatever the
 * radius (van Herk/Gil–Werman extrema, running box sums), down columns by
 * whole-row vector operations.
 */
#ifndef FU_CHROMA_KEY_H
#define FU_CHROMA_KEY_H

#include <stdint.h>

#include "core/error.h"

typedef struct fu_chroma_key_settings {
    int key_set;          /* 1: key_rgb is the screen colour; 0: sample it from the frame border */
    uint8_t key_rgb[3];
    int tolerance;        /* 0..100, default 10 */
    int softness;         /* 0..100, default 80 */
    int spill;            /* 0..100, default 100 */
    int choke_px;         /* -32..32, default 0 */
    int feather_px;       /* 0..32, default 0 */
    int threads;          /* threads for one frame; <= 1: the calling thread only */
} fu_chroma_key_settings;

/* The defaults above (key sampled, one thread). */
fu_chroma_key_settings fu_chroma_key_defaults(void);

/* FACEFUSE_ERR_INVALID_ARGUMENT naming the first setting out of range, or
 * a given key colour too grey to key (chroma under 16 levels). */
facefuse_status fu_chroma_key_check(const fu_chroma_key_settings *s, fu_err *err);

/* The screen colour of frame (RGB or RGBA) sampled from its border; 0 when
 * the border has no dominant saturated colour. */
int fu_chroma_key_sample(const facefuse_image *frame, uint8_t key_rgb[3]);

typedef struct fu_chroma_key_result {
    int keyed;            /* 0: no key colour in the border, nothing changed */
    uint8_t key_rgb[3];   /* the key colour used */
} fu_chroma_key_result;

/* Keys frame (RGB or RGBA) in place: its RGB becomes the foreground colour
 * (alpha channel untouched), and matte (width·height bytes, row-major,
 * caller-owned) receives the matte, 255 = foreground. res may be NULL. */
facefuse_status fu_chroma_key(const fu_chroma_key_settings *s, facefuse_image *frame, uint8_t *matte,
                              fu_chroma_key_result *res, fu_err *err);

#endif
