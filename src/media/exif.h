/*
 * exif.h — EXIF orientation: finding the tag, and turning pixels upright.
 *
 * FFmpeg 5.1 decodes JPEGs as stored, so a phone photo taken in portrait
 * comes out sideways. We read the orientation tag (0x0112) of IFD0 ourselves
 * from the TIFF structure inside a JPEG APP1 "Exif" segment (or a TIFF file),
 * and apply it to the decoded pixels. Orientation values are the EXIF ones:
 * 1 upright, 2 mirrored left-right, 3 rotated 180, 4 mirrored top-bottom,
 * 5 transposed, 6 needs 90 degrees clockwise, 7 transversed, 8 needs 90
 * degrees counter-clockwise.
 */
#ifndef FU_EXIF_H
#define FU_EXIF_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* The orientation (1..8) in a TIFF structure ("II*\0" or "MM\0*" header),
 * 1 when absent or malformed. Never reads outside [tiff, tiff + size). */
int fu_exif_orientation_tiff(const uint8_t *tiff, size_t size);
/* The orientation in the payload of a JPEG APP1 segment (starting with
 * "Exif\0\0"), 1 when it is not EXIF or has none. */
int fu_exif_orientation_app1(const uint8_t *payload, size_t size);
/* The EXIF orientation equivalent to an FFmpeg display matrix
 * (AV_FRAME_DATA_DISPLAYMATRIX), 1 when it is not a multiple of 90 degrees. */
int fu_exif_orientation_from_display_matrix(const int32_t matrix[9]);
/* Replaces *img by its upright version for the given orientation; 1 and
 * out-of-range values leave it as is. Orientations 5..8 swap width and
 * height. On failure *img is unchanged. */
facefuse_status fu_exif_apply_orientation(facefuse_image *img, int orientation, fu_err *err);

#endif
