/*
 * image_io.h — still images to and from files, through FFmpeg's libraries.
 *
 * Reading decodes the whole file as one packet (as FFmpeg's image2 demuxer
 * does for a single file), after libavformat has identified it by content,
 * and returns upright 8-bit RGB or RGBA. Writing encodes with libavcodec
 * into memory and writes the bytes through fu_output, so a file appears
 * under its final name only when complete.
 */
#ifndef FU_IMAGE_IO_H
#define FU_IMAGE_IO_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Decodes a still image file to 8-bit RGB (channels=3), or RGBA (channels=4)
 * when the file has alpha. JPEG, PNG (8/16-bit, alpha, palette, grey), WebP,
 * BMP, TIFF. EXIF orientation (JPEG APP1, TIFF IFD0, or FFmpeg's display
 * matrix / "Orientation" metadata) is applied so the pixels are upright.
 * *out is allocated by the call (free with facefuse_image_free) and left
 * zeroed on failure.
 * Errors: FACEFUSE_ERR_IO (cannot open or read: path and strerror),
 * FACEFUSE_ERR_DECODE (zero bytes, not an image, truncated or corrupt data:
 * the path and what was wrong), FACEFUSE_ERR_NO_MEMORY. */
facefuse_status fu_image_read(const char *path, facefuse_image *out, fu_err *err);
/* The same from size bytes at data; name is used in messages only. */
facefuse_status fu_image_read_memory(const uint8_t *data, size_t size, const char *name,
                                     facefuse_image *out, fu_err *err);
/* Encodes img (1, 3 or 4 channels) by the extension of path: jpg/jpeg
 * (mjpeg, yuvj444p, qscale = round(31 - 0.31 * quality) clamped to 1..31 as
 * FaceFusion maps --output-image-quality), png (lossless rgb24/rgba/gray,
 * quality ignored) or webp (libwebp, quality 0..100 used directly). Alpha
 * is kept for png and webp and dropped for jpeg. Written through
 * fu_output_begin/commit: on any failure nothing is left under path.
 * Errors: FACEFUSE_ERR_INVALID_ARGUMENT (unknown extension, bad image),
 * fu_output_begin's errors (missing directory), FACEFUSE_ERR_ENCODE,
 * FACEFUSE_ERR_UNSUPPORTED (webp without a libwebp encoder), FACEFUSE_ERR_IO. */
facefuse_status fu_image_write(const char *path, const facefuse_image *img, int quality, fu_err *err);
/* The same with a provenance tag stored in the file (media/provenance_tag.h:
 * PNG iTXt XMP, JPEG XMP + COM, WebP XMP); tag NULL = none. */
facefuse_status fu_image_write_tagged(const char *path, const facefuse_image *img, int quality, const char *tag,
                                      fu_err *err);
/* Encodes img as ext ("jpg", "png", "webp") into memory; *data is malloc'd. */
facefuse_status fu_image_encode(const char *ext, const facefuse_image *img, int quality, uint8_t **data,
                                size_t *size, fu_err *err);
/* 1 if the extension of path is one we read as a still image (jpg jpeg png
 * webp bmp tif tiff, any case). */
int fu_image_path_is_image(const char *path);
/* 1 if the extension is one we write (jpg jpeg png webp). */
int fu_image_path_is_writable(const char *path);
/* FACEFUSE_OK when an image written to path keeps alpha (png, webp), else
 * FACEFUSE_ERR_INVALID_ARGUMENT with one line saying so. */
facefuse_status fu_image_alpha_check(const char *path, fu_err *err);

#endif
