/*
 * exif.c — EXIF orientation parsing and application (see exif.h).
 *
 * The parser reads only what it needs: the TIFF byte order, the offset of
 * IFD0 and its entries, looking for tag 0x0112 of type SHORT. Every read is
 * bounds-checked against the buffer, since EXIF blocks in the wild are often
 * damaged; a damaged block simply means "upright".
 */
#include "media/exif.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/display.h>

#include "core/image.h"

#define EXIF_TAG_ORIENTATION 0x0112
#define EXIF_TYPE_SHORT 3

static unsigned read_u16(const uint8_t *p, int big_endian)
{
    return big_endian ? (unsigned)(p[0] << 8 | p[1]) : (unsigned)(p[1] << 8 | p[0]);
}

static uint32_t read_u32(const uint8_t *p, int big_endian)
{
    if (big_endian)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

int fu_exif_orientation_tiff(const uint8_t *tiff, size_t size)
{
    int big_endian;

    if (!tiff || size < 8)
        return 1;
    if (tiff[0] == 'I' && tiff[1] == 'I')
        big_endian = 0;
    else if (tiff[0] == 'M' && tiff[1] == 'M')
        big_endian = 1;
    else
        return 1;
    if (read_u16(tiff + 2, big_endian) != 42)
        return 1;
    uint32_t ifd = read_u32(tiff + 4, big_endian);
    if (ifd > size || size - ifd < 2)
        return 1;
    unsigned count = read_u16(tiff + ifd, big_endian);
    const uint8_t *entry = tiff + ifd + 2;
    size_t left = size - ifd - 2;
    for (unsigned i = 0; i < count && left >= 12; i++, entry += 12, left -= 12) {
        if (read_u16(entry, big_endian) != EXIF_TAG_ORIENTATION)
            continue;
        if (read_u16(entry + 2, big_endian) != EXIF_TYPE_SHORT || read_u32(entry + 4, big_endian) < 1)
            return 1;
        unsigned value = read_u16(entry + 8, big_endian); /* a SHORT sits left-aligned in the value field */
        return value >= 1 && value <= 8 ? (int)value : 1;
    }
    return 1;
}

int fu_exif_orientation_app1(const uint8_t *payload, size_t size)
{
    if (!payload || size < 6 || memcmp(payload, "Exif\0\0", 6) != 0)
        return 1;
    return fu_exif_orientation_tiff(payload + 6, size - 6);
}

int fu_exif_orientation_from_display_matrix(const int32_t matrix[9])
{
    int32_t m[9];
    memcpy(m, matrix, sizeof m);
    /* A negative determinant means a mirror; take it out (FFmpeg models
     * mirrored orientations as rotation then horizontal flip) and read the
     * rotation that is left. */
    int64_t det = (int64_t)m[0] * m[4] - (int64_t)m[1] * m[3];
    int flip = det < 0;
    if (flip)
        av_display_matrix_flip(m, 1, 0);
    double angle = av_display_rotation_get(m);
    if (isnan(angle))
        return 1;
    long deg = lround(angle);
    deg = ((deg % 360) + 360) % 360;
    if (deg % 90 != 0)
        return 1;
    /* The inverse of FFmpeg's own EXIF -> matrix mapping: 2: 0+flip, 3: 180,
     * 4: 180+flip, 5: 90+flip, 6: 90, 7: -90+flip, 8: -90 (angles as passed
     * to av_display_rotation_set, which av_display_rotation_get negates). */
    static const int plain[4] = {1, 8, 3, 6};   /* by get() angle 0, 90, 180, 270 */
    static const int flipped[4] = {2, 7, 4, 5};
    return flip ? flipped[deg / 90] : plain[deg / 90];
}

/* Where the output pixel (x, y) comes from in a w x h source. */
static void source_of(int orientation, int w, int h, int x, int y, int *sx, int *sy)
{
    switch (orientation) {
    case 2: *sx = w - 1 - x; *sy = y; break;
    case 3: *sx = w - 1 - x; *sy = h - 1 - y; break;
    case 4: *sx = x; *sy = h - 1 - y; break;
    case 5: *sx = y; *sy = x; break;
    case 6: *sx = y; *sy = h - 1 - x; break;
    case 7: *sx = w - 1 - y; *sy = h - 1 - x; break;
    case 8: *sx = w - 1 - y; *sy = x; break;
    default: *sx = x; *sy = y; break;
    }
}

facefuse_status fu_exif_apply_orientation(facefuse_image *img, int orientation, fu_err *err)
{
    facefuse_image out;

    if (orientation < 2 || orientation > 8)
        return FACEFUSE_OK;
    int swap = orientation >= 5;
    int ow = swap ? img->height : img->width;
    int oh = swap ? img->width : img->height;
    facefuse_status st = facefuse_image_alloc(&out, ow, oh, img->channels);
    if (st != FACEFUSE_OK)
        return fu_fail(err, st, "cannot allocate %dx%d image to apply EXIF orientation %d", ow, oh,
                       orientation);
    size_t px = (size_t)img->channels;
    for (int y = 0; y < oh; y++) {
        uint8_t *d = fu_pixel(&out, 0, y);
        for (int x = 0; x < ow; x++, d += px) {
            int sx, sy;
            source_of(orientation, img->width, img->height, x, y, &sx, &sy);
            memcpy(d, fu_pixel(img, sx, sy), px);
        }
    }
    facefuse_image_free(img);
    *img = out;
    return FACEFUSE_OK;
}
