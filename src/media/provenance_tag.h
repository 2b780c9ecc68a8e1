/*
 * provenance_tag.h — storing a provenance tag (a short JSON text, see
 * pipeline/provenance.h) in encoded files and finding it again.
 *
 * Where it goes, so common tools show it:
 * - PNG: an iTXt chunk "XML:com.adobe.xmp" (XMP, the standard place), right
 *   after IHDR;
 * - JPEG: an APP1 XMP segment and a COM segment holding the JSON itself,
 *   after the JFIF header;
 * - WebP: an "XMP " chunk (the file becomes the extended VP8X format);
 * - video containers: the "comment" metadata (video_writer.c).
 * The XMP packet carries the JSON as facefuse:Provenance, plus
 * xmp:CreatorTool and IPTC's Iptc4xmpExt:DigitalSourceType
 * (compositeWithTrainedAlgorithmicMedia).
 */
#ifndef FU_PROVENANCE_TAG_H
#define FU_PROVENANCE_TAG_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* A copy of the encoded image in[0..n) (JPEG, PNG or WebP, told by its
 * signature) with the tag added; *out is malloc'd. FACEFUSE_ERR_UNSUPPORTED
 * for another format, FACEFUSE_ERR_DECODE for a malformed file. */
facefuse_status fu_tag_image_bytes(const uint8_t *in, size_t n, const char *tag, uint8_t **out, size_t *out_n,
                                   fu_err *err);

/* The tag of an image's bytes, or NULL (malloc'd). */
char *fu_tag_find_in_image(const uint8_t *data, size_t n);

/* The tag of a file: an image's (above) or a video container's comment.
 * *tag is malloc'd, or NULL when the file has none. FACEFUSE_ERR_IO /
 * FACEFUSE_ERR_DECODE when the file cannot be read at all. */
facefuse_status fu_tag_read_file(const char *path, char **tag, fu_err *err);

#endif
