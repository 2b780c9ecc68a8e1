/*
 * image_scan.h — a structural walk over JPEG and PNG files before decoding.
 *
 * FFmpeg decodes a truncated JPEG or PNG without complaint when enough rows
 * are there (it "emulates" the missing end marker and fills the rest with
 * grey), so completeness is checked here from the container structure: a
 * JPEG must reach its EOI marker, a PNG its IEND chunk. The JPEG walk also
 * hands back the EXIF APP1 segment, which FFmpeg 5.1 does not apply.
 */
#ifndef FU_IMAGE_SCAN_H
#define FU_IMAGE_SCAN_H

#include <stddef.h>
#include <stdint.h>

typedef struct fu_jpeg_scan {
    int complete;              /* the segments run from SOI to an EOI */
    const uint8_t *exif;       /* payload of the first APP1 "Exif" segment, or NULL */
    size_t exif_size;
    const char *problem;       /* static text saying what is wrong when !complete */
} fu_jpeg_scan;

/* 1 if data starts with the JPEG SOI marker (FF D8 FF). */
int fu_is_jpeg(const uint8_t *data, size_t size);
/* 1 if data starts with the 8-byte PNG signature. */
int fu_is_png(const uint8_t *data, size_t size);
/* Walks a JPEG's markers; out points into data. */
void fu_jpeg_scan_segments(const uint8_t *data, size_t size, fu_jpeg_scan *out);
/* NULL if the PNG's chunks run to IEND, else static text saying what is wrong. */
const char *fu_png_scan_problem(const uint8_t *data, size_t size);

#endif
