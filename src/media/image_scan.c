/*
 * image_scan.c — JPEG marker and PNG chunk walks (see image_scan.h).
 *
 * JPEG: after SOI come length-prefixed segments; after each SOS comes
 * entropy-coded data in which 0xFF is followed by 0x00 (a stuffed byte),
 * RST0..7, or fill bytes 0xFF, and any other marker ends the scan. The file
 * is complete when EOI is reached. PNG: the signature, then chunks of
 * length, type, data and CRC up to IEND.
 */
#include "media/image_scan.h"

#include <string.h>

static const uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

int fu_is_jpeg(const uint8_t *data, size_t size)
{
    return size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;
}

int fu_is_png(const uint8_t *data, size_t size)
{
    return size >= 8 && memcmp(data, png_signature, 8) == 0;
}

/* Skips entropy-coded data from pos; returns the index of the 0xFF of the
 * marker that ends it, or size when the data runs out first. */
static size_t skip_entropy_data(const uint8_t *data, size_t size, size_t pos)
{
    while (pos + 1 < size) {
        if (data[pos] != 0xFF) {
            pos++;
            continue;
        }
        uint8_t next = data[pos + 1];
        if (next == 0x00 || (next >= 0xD0 && next <= 0xD7))
            pos += 2;
        else if (next == 0xFF)
            pos++;
        else
            return pos;
    }
    return size;
}

static void note_app1(fu_jpeg_scan *out, const uint8_t *payload, size_t size)
{
    if (!out->exif && size >= 6 && memcmp(payload, "Exif\0\0", 6) == 0) {
        out->exif = payload;
        out->exif_size = size;
    }
}

void fu_jpeg_scan_segments(const uint8_t *data, size_t size, fu_jpeg_scan *out)
{
    memset(out, 0, sizeof *out);
    if (!fu_is_jpeg(data, size)) {
        out->problem = "no JPEG start-of-image marker";
        return;
    }
    size_t pos = 2;
    for (;;) {
        while (pos < size && data[pos] == 0xFF && pos + 1 < size && data[pos + 1] == 0xFF)
            pos++; /* fill bytes before a marker */
        if (pos + 2 > size) {
            out->problem = "truncated JPEG: data ends before the end-of-image marker";
            return;
        }
        if (data[pos] != 0xFF) {
            out->problem = "corrupt JPEG: expected a marker";
            return;
        }
        uint8_t marker = data[pos + 1];
        if (marker == 0xD9) {
            out->complete = 1;
            return;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
            pos += 2; /* markers without a length */
            continue;
        }
        if (pos + 4 > size) {
            out->problem = "truncated JPEG: data ends inside a segment header";
            return;
        }
        size_t length = (size_t)data[pos + 2] << 8 | data[pos + 3];
        if (length < 2) {
            out->problem = "corrupt JPEG: segment length below 2";
            return;
        }
        if (pos + 2 + length > size) {
            out->problem = "truncated JPEG: data ends inside a segment";
            return;
        }
        if (marker == 0xE1)
            note_app1(out, data + pos + 4, length - 2);
        pos += 2 + length;
        if (marker == 0xDA)
            pos = skip_entropy_data(data, size, pos);
    }
}

static uint32_t read_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

const char *fu_png_scan_problem(const uint8_t *data, size_t size)
{
    if (!fu_is_png(data, size))
        return "no PNG signature";
    size_t pos = 8;
    for (;;) {
        if (size - pos < 12)
            return "truncated PNG: data ends before the IEND chunk";
        size_t length = read_be32(data + pos);
        if (length > 0x7fffffffu)
            return "corrupt PNG: chunk length out of range";
        if (size - pos - 12 < length)
            return "truncated PNG: data ends inside a chunk";
        if (memcmp(data + pos + 4, "IEND", 4) == 0)
            return NULL;
        pos += 12 + length;
    }
}
