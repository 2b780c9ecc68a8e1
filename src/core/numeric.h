/*
 * numeric.h — float to integer conversions that cannot go wrong.
 *
 * A float cast to an integer type is undefined behaviour when the value is
 * NaN, infinite or out of range, and a model (an fp16 model above all) can
 * return such values. Every conversion of a model output to a pixel or a
 * coordinate goes through these: NaN becomes the low bound, everything else
 * is clamped before the cast.
 */
#ifndef FU_NUMERIC_H
#define FU_NUMERIC_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* v rounded half up and clamped to 0..255; NaN gives 0. */
static inline uint8_t fu_u8_round(float v)
{
    float x = v + 0.5f;
    if (!(x > 0.0f)) /* also NaN */
        return 0;
    return x >= 255.0f ? 255 : (uint8_t)x;
}

/* v truncated toward zero into lo..hi; NaN gives lo. */
static inline int fu_int_clamp(double v, int lo, int hi)
{
    if (!(v > lo)) /* also NaN */
        return lo;
    return v >= hi ? hi : (int)v;
}

/* floor(v) as an int, clamped to ±2^30 so that any coordinate, even a NaN
 * (the low bound) or one an absurd transform gives, converts defined and
 * lands outside every image. */
static inline int fu_floor_int(double v)
{
    if (!(v > -1073741824.0))
        return -1073741824;
    if (v > 1073741824.0)
        return 1073741824;
    return (int)floor(v);
}

/* Replaces each NaN or infinity of v by 0; returns how many there were. */
static inline int64_t fu_floats_make_finite(float *v, size_t n)
{
    int64_t bad = 0;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) {
            v[i] = 0.0f;
            bad++;
        }
    return bad;
}

#endif
