/*
 * image_io.c — still-image decoding and encoding with libav* (see image_io.h).
 *
 * Reading: the file is read whole; JPEG and PNG are first walked by
 * image_scan.c, because FFmpeg happily decodes a truncated one; libavformat
 * identifies the format from the bytes alone (never the extension, so a text
 * file named .png is caught); the decoder gets the whole file as one packet;
 * libswscale converts to RGB24/RGBA with accurate rounding and full chroma
 * interpolation, honouring full-range (JPEG) YUV; then EXIF orientation.
 *
 * Writing: libswscale converts to the encoder's format, libavcodec encodes
 * into a packet, and the packet's bytes go to a fu_output temp file that is
 * renamed into place only when written and synced.
 */
#include "media/image_io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "core/file.h"
#include "core/image.h"
#include "media/av_log.h"
#include "media/exif.h"
#include "media/provenance_tag.h"
#include "media/image_scan.h"

#define PROBE_IO_BUFFER_BYTES 4096
/* Full-resolution chroma interpolation; no SWS_ACCURATE_RND, which turns
 * off swscale's SIMD paths (25 ms instead of 0.6 ms for a 1080p frame) for
 * at most one level of rounding difference. */
#define SWS_QUALITY_FLAGS (SWS_BICUBIC | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP)

static const char *av_error_text(int code, char *buf, size_t size)
{
    if (av_strerror(code, buf, size) < 0)
        snprintf(buf, size, "error %d", code);
    return buf;
}

/* ------------------------------------------------------------ identifying */

/* A read-only AVIOContext source over a memory buffer, for probing. */
typedef struct mem_reader {
    const uint8_t *data;
    size_t size;
    size_t pos;
} mem_reader;

static int mem_read(void *opaque, uint8_t *buf, int buf_size)
{
    mem_reader *r = opaque;
    size_t left = r->size - r->pos;
    if (left == 0)
        return AVERROR_EOF;
    size_t n = (size_t)buf_size < left ? (size_t)buf_size : left;
    memcpy(buf, r->data + r->pos, n);
    r->pos += n;
    return (int)n;
}

static int64_t mem_seek(void *opaque, int64_t offset, int whence)
{
    mem_reader *r = opaque;
    int64_t base;

    if (whence & AVSEEK_SIZE)
        return (int64_t)r->size;
    switch (whence & ~AVSEEK_FORCE) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (int64_t)r->pos; break;
    case SEEK_END: base = (int64_t)r->size; break;
    default: return AVERROR(EINVAL);
    }
    if (offset > (int64_t)r->size - base || base + offset < 0)
        return AVERROR(EINVAL);
    r->pos = (size_t)(base + offset);
    return (int64_t)r->pos;
}

static int is_still_image_codec(enum AVCodecID id)
{
    switch (id) {
    case AV_CODEC_ID_MJPEG:
    case AV_CODEC_ID_JPEGLS:
    case AV_CODEC_ID_PNG:
    case AV_CODEC_ID_WEBP:
    case AV_CODEC_ID_BMP:
    case AV_CODEC_ID_TIFF:
    case AV_CODEC_ID_GIF:
    case AV_CODEC_ID_PPM:
    case AV_CODEC_ID_PGM:
    case AV_CODEC_ID_PBM:
    case AV_CODEC_ID_PAM:
    case AV_CODEC_ID_QOI:
        return 1;
    default:
        return 0;
    }
}

/* The codec of the common still formats by their magic bytes. Probing them
 * through libavformat costs more than decoding them: with a low probe score
 * it re-runs every demuxer's probe on ever larger prefixes of the file. */
static enum AVCodecID codec_by_magic(const uint8_t *d, size_t n)
{
    if (fu_is_jpeg(d, n))
        return AV_CODEC_ID_MJPEG;
    if (fu_is_png(d, n))
        return AV_CODEC_ID_PNG;
    if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
        return AV_CODEC_ID_WEBP;
    if (n >= 4 && (memcmp(d, "II*\0", 4) == 0 || memcmp(d, "MM\0*", 4) == 0))
        return AV_CODEC_ID_TIFF;
    return AV_CODEC_ID_NONE;
}

/* Identifies the bytes (content only: no file name is given), by magic or
 * else by libavformat's probe, and returns the codec of the image. */
static facefuse_status identify_codec(const uint8_t *data, size_t size, const char *name,
                                      enum AVCodecID *codec_id, fu_err *err)
{
    if ((*codec_id = codec_by_magic(data, size)) != AV_CODEC_ID_NONE)
        return FACEFUSE_OK;

    mem_reader reader = {data, size, 0};
    AVFormatContext *fmt = NULL;
    AVIOContext *io = NULL;
    uint8_t *io_buffer = NULL;
    facefuse_status st = FACEFUSE_OK;
    char why[128];

    io_buffer = av_malloc(PROBE_IO_BUFFER_BYTES);
    if (io_buffer)
        io = avio_alloc_context(io_buffer, PROBE_IO_BUFFER_BYTES, 0, &reader, mem_read, NULL, mem_seek);
    fmt = io ? avformat_alloc_context() : NULL;
    if (!fmt) {
        st = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "%s: out of memory while probing", name);
        goto done;
    }
    fmt->pb = io;
    fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    int ret = avformat_open_input(&fmt, "", NULL, NULL); /* frees fmt on failure */
    if (ret < 0) {
        st = fu_fail(err, FACEFUSE_ERR_DECODE, "%s: not a recognised image format (%s)", name,
                     av_error_text(ret, why, sizeof why));
        goto done;
    }
    *codec_id = AV_CODEC_ID_NONE;
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        if (fmt->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
            *codec_id = fmt->streams[i]->codecpar->codec_id;
            break;
        }
    }
    if (!is_still_image_codec(*codec_id))
        st = fu_fail(err, FACEFUSE_ERR_DECODE, "%s: not a still image (looks like %s, codec %s)", name,
                     fmt->iformat->name, avcodec_get_name(*codec_id));
done:
    avformat_close_input(&fmt);
    if (io) {
        av_freep(&io->buffer); /* may have been replaced by avio */
        avio_context_free(&io);
    } else {
        av_free(io_buffer);
    }
    return st;
}

/* -------------------------------------------------------------- decoding */

/* Decodes the whole buffer as one packet into frame. */
static facefuse_status decode_frame(const uint8_t *data, size_t size, const char *name,
                                    enum AVCodecID codec_id, AVFrame *frame, fu_err *err)
{
    const AVCodec *codec = avcodec_find_decoder(codec_id);
    AVCodecContext *cc = NULL;
    AVPacket *pkt = NULL;
    facefuse_status st = FACEFUSE_OK;
    char why[128];
    int ret;

    if (!codec)
        return fu_fail(err, FACEFUSE_ERR_UNSUPPORTED, "%s: this FFmpeg has no %s decoder", name,
                       avcodec_get_name(codec_id));
    if (size > (size_t)INT_MAX - AV_INPUT_BUFFER_PADDING_SIZE)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "%s: file too large (%zu bytes)", name, size);
    cc = avcodec_alloc_context3(codec);
    pkt = av_packet_alloc();
    if (!cc || !pkt || av_new_packet(pkt, (int)size) < 0) {
        st = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "%s: out of memory before decoding", name);
        goto done;
    }
    memcpy(pkt->data, data, size);
    cc->thread_count = 1;
    /* A header may claim any size: the decoder refuses pictures past the
     * image limit before allocating them. */
    cc->max_pixels = FU_MAX_IMAGE_PIXELS;
    if ((ret = avcodec_open2(cc, codec, NULL)) < 0) {
        st = fu_fail(err, FACEFUSE_ERR_DECODE, "%s: cannot open the %s decoder (%s)", name, codec->name,
                     av_error_text(ret, why, sizeof why));
        goto done;
    }
    ret = avcodec_send_packet(cc, pkt);
    if (ret >= 0)
        ret = avcodec_send_packet(cc, NULL);
    if (ret >= 0 || ret == AVERROR_EOF)
        ret = avcodec_receive_frame(cc, frame);
    if (ret < 0) {
        st = fu_fail(err, FACEFUSE_ERR_DECODE, "%s: corrupt %s data (%s)", name, codec->name,
                     ret == AVERROR_EOF ? "no picture in it" : av_error_text(ret, why, sizeof why));
        goto done;
    }
    if ((frame->flags & AV_FRAME_FLAG_CORRUPT) || frame->decode_error_flags) {
        st = fu_fail(err, FACEFUSE_ERR_DECODE, "%s: corrupt %s data (decoder flagged errors 0x%x)", name,
                     codec->name, (unsigned)frame->decode_error_flags);
        goto done;
    }
    if (frame->width <= 0 || frame->height <= 0)
        st = fu_fail(err, FACEFUSE_ERR_DECODE, "%s: decoded picture has no size", name);
done:
    av_packet_free(&pkt);
    avcodec_free_context(&cc);
    return st;
}

static int is_yuv(const AVPixFmtDescriptor *desc)
{
    return !(desc->flags & AV_PIX_FMT_FLAG_RGB) && !(desc->flags & AV_PIX_FMT_FLAG_PAL) &&
           desc->nb_components >= 3;
}

/* Tells libswscale the YUV source's matrix and range (JPEG is full range;
 * yuvj formats and AVCOL_RANGE_JPEG both say so). RGB output is full range. */
static void set_yuv_source_details(struct SwsContext *sws, const AVFrame *frame)
{
    enum AVPixelFormat f = frame->format;
    int full = frame->color_range == AVCOL_RANGE_JPEG || f == AV_PIX_FMT_YUVJ420P ||
               f == AV_PIX_FMT_YUVJ422P || f == AV_PIX_FMT_YUVJ444P || f == AV_PIX_FMT_YUVJ440P ||
               f == AV_PIX_FMT_YUVJ411P;
    int space = frame->colorspace;
    if (space == AVCOL_SPC_UNSPECIFIED || space == AVCOL_SPC_RGB || space > AVCOL_SPC_BT2020_CL)
        space = SWS_CS_ITU601;
    sws_setColorspaceDetails(sws, sws_getCoefficients(space), full, sws_getCoefficients(SWS_CS_DEFAULT),
                             1, 0, 1 << 16, 1 << 16);
}

/* Scales nothing, converts frame into dst (planes/strides) in dst_fmt. */
static facefuse_status convert_frame(const AVFrame *frame, enum AVPixelFormat dst_fmt, uint8_t *const dst[4],
                                     const int dst_stride[4], const char *name, fu_err *err)
{
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(frame->format);
    struct SwsContext *sws = sws_getContext(frame->width, frame->height, frame->format, frame->width,
                                            frame->height, dst_fmt, SWS_QUALITY_FLAGS, NULL, NULL, NULL);
    if (!sws)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "%s: cannot convert pixel format %s to %s", name,
                       desc->name, av_get_pix_fmt_name(dst_fmt));
    if (is_yuv(desc))
        set_yuv_source_details(sws, frame);
    sws_scale(sws, (const uint8_t *const *)frame->data, frame->linesize, 0, frame->height, dst,
              dst_stride);
    sws_freeContext(sws);
    return FACEFUSE_OK;
}

/* Deep RGB and grey (16-bit PNG, TIFF) go through native 16-bit RGB, which
 * libswscale reaches exactly, and are then rounded to 8 bits here: the
 * direct path passes through YUV and error diffusion and is off by up to 2. */
static facefuse_status convert_deep_rgb(const AVFrame *frame, facefuse_image *out, const char *name,
                                        fu_err *err)
{
    enum AVPixelFormat wide_fmt = out->channels == 4 ? AV_PIX_FMT_RGBA64 : AV_PIX_FMT_RGB48;
    uint8_t *wide[4];
    int wide_stride[4];
    if (av_image_alloc(wide, wide_stride, frame->width, frame->height, wide_fmt, 16) < 0)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "%s: cannot allocate a 16-bit %dx%d buffer", name,
                       frame->width, frame->height);
    facefuse_status st = convert_frame(frame, wide_fmt, wide, wide_stride, name, err);
    if (st == FACEFUSE_OK) {
        size_t samples = (size_t)out->width * (size_t)out->channels;
        for (int y = 0; y < out->height; y++) {
            const uint16_t *s = (const uint16_t *)(wide[0] + (size_t)y * wide_stride[0]);
            uint8_t *d = fu_pixel(out, 0, y);
            for (size_t i = 0; i < samples; i++)
                d[i] = (uint8_t)((s[i] * 255u + 32767u) / 65535u);
        }
    }
    av_freep(&wide[0]);
    return st;
}

/* 8-bit 4:4:4 YUV (full-quality JPEGs, such as our own) through planar GBR:
 * libswscale 5.1 has a SIMD path for YUV444 → GBRP but not → RGB24 (4 ms
 * against 19 ms at 1080p); interleaving the planes afterwards is cheap. */
static facefuse_status convert_yuv444(const AVFrame *frame, facefuse_image *out, const char *name, fu_err *err)
{
    uint8_t *planes[4];
    int strides[4];
    if (av_image_alloc(planes, strides, frame->width, frame->height, AV_PIX_FMT_GBRP, 16) < 0)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "%s: cannot allocate a %dx%d buffer", name, frame->width,
                       frame->height);
    facefuse_status st = convert_frame(frame, AV_PIX_FMT_GBRP, planes, strides, name, err);
    for (int y = 0; st == FACEFUSE_OK && y < out->height; y++) {
        const uint8_t *g = planes[0] + (size_t)y * strides[0], *b = planes[1] + (size_t)y * strides[1],
                      *r = planes[2] + (size_t)y * strides[2];
        uint8_t *d = fu_pixel(out, 0, y);
        for (int x = 0; x < out->width; x++, d += 3) {
            d[0] = r[x];
            d[1] = g[x];
            d[2] = b[x];
        }
    }
    av_freep(&planes[0]);
    return st;
}

/* Converts a decoded frame to an RGB24 or RGBA image. */
static facefuse_status frame_to_image(const AVFrame *frame, const char *name, facefuse_image *out,
                                      fu_err *err)
{
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(frame->format);
    if (!desc)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "%s: decoder gave an unknown pixel format", name);
    int alpha = (desc->flags & AV_PIX_FMT_FLAG_ALPHA) != 0;
    enum AVPixelFormat dst_fmt = alpha ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB24;
    facefuse_status st = fu_image_size_check(frame->width, frame->height, name, err);
    if (st != FACEFUSE_OK)
        return st;
    st = facefuse_image_alloc(out, frame->width, frame->height, alpha ? 4 : 3);
    if (st != FACEFUSE_OK)
        return fu_fail(err, st, "%s: cannot allocate %dx%d image", name, frame->width, frame->height);

    if (frame->format == dst_fmt) {
        size_t row = (size_t)out->width * (size_t)out->channels;
        for (int y = 0; y < out->height; y++)
            memcpy(fu_pixel(out, 0, y), frame->data[0] + (size_t)y * frame->linesize[0], row);
        return FACEFUSE_OK;
    }
    uint8_t *const dst[4] = {out->data, NULL, NULL, NULL};
    const int dst_stride[4] = {out->stride, 0, 0, 0};
    if (!is_yuv(desc) && desc->comp[0].depth > 8)
        st = convert_deep_rgb(frame, out, name, err);
    else if (!alpha && (frame->format == AV_PIX_FMT_YUV444P || frame->format == AV_PIX_FMT_YUVJ444P))
        st = convert_yuv444(frame, out, name, err);
    else
        st = convert_frame(frame, dst_fmt, dst, dst_stride, name, err);
    if (st != FACEFUSE_OK)
        facefuse_image_free(out);
    return st;
}

static int alpha_all_equal(const facefuse_image *img, uint8_t value)
{
    for (int y = 0; y < img->height; y++) {
        const uint8_t *p = fu_pixel(img, 0, y);
        for (int x = 0; x < img->width; x++, p += 4)
            if (p[3] != value)
                return 0;
    }
    return 1;
}

/* Formats whose "alpha" often is not one: a palette without transparent
 * entries, and 32-bit BMPs whose fourth byte is padding (all zero). */
static facefuse_status drop_meaningless_alpha(facefuse_image *img, enum AVPixelFormat decoded_fmt,
                                              enum AVCodecID codec_id, const char *name, fu_err *err)
{
    int drop = 0;
    if (img->channels != 4)
        return FACEFUSE_OK;
    if (decoded_fmt == AV_PIX_FMT_PAL8 && alpha_all_equal(img, 255))
        drop = 1;
    if (codec_id == AV_CODEC_ID_BMP && (alpha_all_equal(img, 0) || alpha_all_equal(img, 255)))
        drop = 1;
    if (!drop)
        return FACEFUSE_OK;
    facefuse_image rgb;
    facefuse_status st = fu_image_to_rgb(&rgb, img);
    if (st != FACEFUSE_OK)
        return fu_fail(err, st, "%s: cannot allocate RGB image", name);
    facefuse_image_free(img);
    *img = rgb;
    return FACEFUSE_OK;
}

/* The orientation to apply: what FFmpeg attached as a display matrix, else
 * our own reading of the JPEG APP1 or TIFF IFD0, else the decoder's
 * "Orientation" metadata (e.g. from a WebP EXIF chunk). */
static int frame_orientation(const AVFrame *frame, enum AVCodecID codec_id, const uint8_t *data,
                             size_t size, const fu_jpeg_scan *scan)
{
    const AVFrameSideData *sd = av_frame_get_side_data(frame, AV_FRAME_DATA_DISPLAYMATRIX);
    if (sd && sd->size >= 9 * sizeof(int32_t))
        return fu_exif_orientation_from_display_matrix((const int32_t *)sd->data);
    if (codec_id == AV_CODEC_ID_MJPEG && scan->exif)
        return fu_exif_orientation_app1(scan->exif, scan->exif_size);
    if (codec_id == AV_CODEC_ID_TIFF)
        return fu_exif_orientation_tiff(data, size);
    const AVDictionaryEntry *e = av_dict_get(frame->metadata, "Orientation", NULL, 0);
    if (e) {
        char *end;
        long v = strtol(e->value, &end, 10);
        if (end != e->value && v >= 1 && v <= 8)
            return (int)v;
    }
    return 1;
}

/* Rejects JPEG and PNG files whose structure stops short. */
static facefuse_status check_structure(const uint8_t *data, size_t size, const char *name,
                                       fu_jpeg_scan *scan, fu_err *err)
{
    memset(scan, 0, sizeof *scan);
    if (fu_is_jpeg(data, size)) {
        fu_jpeg_scan_segments(data, size, scan);
        if (!scan->complete)
            return fu_fail(err, FACEFUSE_ERR_DECODE, "%s: %s", name, scan->problem);
    } else if (fu_is_png(data, size)) {
        const char *problem = fu_png_scan_problem(data, size);
        if (problem)
            return fu_fail(err, FACEFUSE_ERR_DECODE, "%s: %s", name, problem);
    }
    return FACEFUSE_OK;
}

facefuse_status fu_image_read_memory(const uint8_t *data, size_t size, const char *name,
                                     facefuse_image *out, fu_err *err)
{
    enum AVCodecID codec_id = AV_CODEC_ID_NONE;
    fu_jpeg_scan scan;
    facefuse_status st;

    if (!out)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "no output image given");
    memset(out, 0, sizeof *out);
    if (!name)
        name = "(memory)";
    if (!data || size == 0)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "%s: empty file (0 bytes)", name);
    fu_av_log_init();
    if ((st = check_structure(data, size, name, &scan, err)) != FACEFUSE_OK)
        return st;
    if ((st = identify_codec(data, size, name, &codec_id, err)) != FACEFUSE_OK)
        return st;

    AVFrame *frame = av_frame_alloc();
    if (!frame)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "%s: out of memory before decoding", name);
    st = decode_frame(data, size, name, codec_id, frame, err);
    if (st == FACEFUSE_OK)
        st = frame_to_image(frame, name, out, err);
    if (st == FACEFUSE_OK)
        st = drop_meaningless_alpha(out, frame->format, codec_id, name, err);
    if (st == FACEFUSE_OK)
        st = fu_exif_apply_orientation(out, frame_orientation(frame, codec_id, data, size, &scan), err);
    av_frame_free(&frame);
    if (st != FACEFUSE_OK)
        facefuse_image_free(out);
    return st;
}

/* Reads the whole regular file at path into a malloc'd buffer. */
static facefuse_status read_whole_file(const char *path, uint8_t **data, size_t *size, fu_err *err)
{
    struct stat sb = {0};
    /* O_NONBLOCK: a FIFO without a writer must not block the open; it is
     * then refused as not a regular file. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        int e = errno;
        close(fd);
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot read %s: %s", path,
                       S_ISDIR(sb.st_mode)    ? "is a directory"
                       : S_ISFIFO(sb.st_mode) ? "is a FIFO, not a regular file"
                       : e                    ? strerror(e)
                                              : "not a regular file");
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    *size = (size_t)sb.st_size;
    *data = malloc(*size ? *size : 1);
    if (!*data) {
        close(fd);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "cannot allocate %zu bytes to read %s", *size, path);
    }
    size_t got = 0;
    while (got < *size) {
        ssize_t n = read(fd, *data + got, *size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : 0;
            close(fd);
            free(*data);
            *data = NULL;
            return fu_fail(err, FACEFUSE_ERR_IO, "cannot read %s: %s", path,
                           e ? strerror(e) : "file shrank while reading");
        }
        got += (size_t)n;
    }
    close(fd);
    return FACEFUSE_OK;
}

facefuse_status fu_image_read(const char *path, facefuse_image *out, fu_err *err)
{
    uint8_t *data = NULL;
    size_t size = 0;

    if (!out)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "no output image given");
    memset(out, 0, sizeof *out);
    if (!path || !*path)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "no image path given");
    facefuse_status st = read_whole_file(path, &data, &size, err);
    if (st != FACEFUSE_OK)
        return st;
    st = fu_image_read_memory(data, size, path, out, err);
    free(data);
    return st;
}

/* -------------------------------------------------------------- encoding */

typedef enum image_kind { KIND_UNKNOWN, KIND_JPEG, KIND_PNG, KIND_WEBP } image_kind;

static image_kind kind_of_extension(const char *ext)
{
    if (!strcmp(ext, "jpg") || !strcmp(ext, "jpeg"))
        return KIND_JPEG;
    if (!strcmp(ext, "png"))
        return KIND_PNG;
    if (!strcmp(ext, "webp"))
        return KIND_WEBP;
    return KIND_UNKNOWN;
}

/* FaceFusion's mapping of --output-image-quality to ffmpeg's -q:v. */
static int jpeg_qscale(int quality)
{
    int q = (int)lround(31.0 - 0.31 * quality);
    return q < 1 ? 1 : q > 31 ? 31 : q;
}

static enum AVPixelFormat pix_fmt_of_channels(int channels)
{
    return channels == 1 ? AV_PIX_FMT_GRAY8 : channels == 3 ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_RGBA;
}

/* A new frame in dst_fmt holding img's pixels. */
static facefuse_status image_to_frame(const facefuse_image *img, enum AVPixelFormat dst_fmt,
                                      const char *path, AVFrame **out, fu_err *err)
{
    enum AVPixelFormat src_fmt = pix_fmt_of_channels(img->channels);
    AVFrame *frame = av_frame_alloc();
    if (!frame)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "%s: out of memory before encoding", path);
    frame->format = dst_fmt;
    frame->width = img->width;
    frame->height = img->height;
    if (av_frame_get_buffer(frame, 0) < 0) {
        av_frame_free(&frame);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "%s: out of memory for a %dx%d frame", path,
                       img->width, img->height);
    }
    if (src_fmt == dst_fmt) {
        size_t row = (size_t)img->width * (size_t)img->channels;
        for (int y = 0; y < img->height; y++)
            memcpy(frame->data[0] + (size_t)y * frame->linesize[0], fu_pixel(img, 0, y), row);
        *out = frame;
        return FACEFUSE_OK;
    }
    struct SwsContext *sws = sws_getContext(img->width, img->height, src_fmt, img->width, img->height,
                                            dst_fmt, SWS_QUALITY_FLAGS, NULL, NULL, NULL);
    if (!sws) {
        av_frame_free(&frame);
        return fu_fail(err, FACEFUSE_ERR_ENCODE, "%s: cannot convert %s to %s", path,
                       av_get_pix_fmt_name(src_fmt), av_get_pix_fmt_name(dst_fmt));
    }
    if (dst_fmt == AV_PIX_FMT_YUVJ444P) /* JFIF: BT.601 matrix, full range */
        sws_setColorspaceDetails(sws, sws_getCoefficients(SWS_CS_ITU601), 1,
                                 sws_getCoefficients(SWS_CS_ITU601), 1, 0, 1 << 16, 1 << 16);
    const uint8_t *src[4] = {img->data, NULL, NULL, NULL};
    int src_stride[4] = {img->stride, 0, 0, 0};
    sws_scale(sws, src, src_stride, 0, img->height, frame->data, frame->linesize);
    sws_freeContext(sws);
    *out = frame;
    return FACEFUSE_OK;
}

/* Picks the encoder and its input format for kind and img. */
static facefuse_status choose_encoder(image_kind kind, const facefuse_image *img, const char *path,
                                      const AVCodec **codec, enum AVPixelFormat *fmt, fu_err *err)
{
    switch (kind) {
    case KIND_JPEG:
        *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
        *fmt = AV_PIX_FMT_YUVJ444P;
        break;
    case KIND_PNG:
        *codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
        *fmt = pix_fmt_of_channels(img->channels);
        break;
    case KIND_WEBP:
        *codec = avcodec_find_encoder_by_name("libwebp");
        *fmt = AV_PIX_FMT_RGB32; /* libwebp's ARGB input keeps alpha; opaque images get none */
        break;
    default:
        *codec = NULL;
        break;
    }
    if (!*codec)
        return fu_fail(err, FACEFUSE_ERR_UNSUPPORTED, "%s: this FFmpeg has no encoder for this format%s",
                       path, kind == KIND_WEBP ? " (libwebp)" : "");
    return FACEFUSE_OK;
}

/* Encodes img into pkt. */
static facefuse_status encode_image(image_kind kind, const facefuse_image *img, int quality,
                                    const char *path, AVPacket *pkt, fu_err *err)
{
    const AVCodec *codec;
    enum AVPixelFormat fmt = AV_PIX_FMT_NONE;
    AVCodecContext *cc = NULL;
    AVFrame *frame = NULL;
    char why[128];
    int ret;

    facefuse_status st = choose_encoder(kind, img, path, &codec, &fmt, err);
    if (st != FACEFUSE_OK)
        return st;
    if ((st = image_to_frame(img, fmt, path, &frame, err)) != FACEFUSE_OK)
        return st;
    cc = avcodec_alloc_context3(codec);
    if (!cc) {
        st = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "%s: out of memory for the %s encoder", path, codec->name);
        goto done;
    }
    cc->width = img->width;
    cc->height = img->height;
    cc->pix_fmt = fmt;
    cc->time_base = (AVRational){1, 25};
    cc->thread_count = 1;
    if (kind == KIND_JPEG) {
        cc->color_range = AVCOL_RANGE_JPEG;
        cc->flags |= AV_CODEC_FLAG_QSCALE;
        cc->global_quality = FF_QP2LAMBDA * jpeg_qscale(quality);
        cc->qmin = 1;
        cc->qmax = 31;
        frame->quality = cc->global_quality;
    } else if (kind == KIND_WEBP) {
        int q = quality < 0 ? 0 : quality > 100 ? 100 : quality;
        cc->global_quality = FF_QP2LAMBDA * q;
        cc->compression_level = 4; /* libwebp's default method */
    }
    if ((ret = avcodec_open2(cc, codec, NULL)) < 0) {
        st = fu_fail(err, FACEFUSE_ERR_ENCODE, "%s: cannot open the %s encoder (%s)", path, codec->name,
                     av_error_text(ret, why, sizeof why));
        goto done;
    }
    frame->pts = 0;
    ret = avcodec_send_frame(cc, frame);
    if (ret >= 0)
        ret = avcodec_send_frame(cc, NULL);
    if (ret >= 0)
        ret = avcodec_receive_packet(cc, pkt);
    if (ret < 0)
        st = fu_fail(err, FACEFUSE_ERR_ENCODE, "%s: %s encoding failed (%s)", path, codec->name,
                     av_error_text(ret, why, sizeof why));
done:
    av_frame_free(&frame);
    avcodec_free_context(&cc);
    return st;
}

/* Writes size bytes to path through a fu_output temp file. */
static facefuse_status write_file_atomically(const char *path, const uint8_t *data, size_t size,
                                             fu_err *err)
{
    fu_output out;
    facefuse_status st = fu_output_begin(&out, path, err);
    if (st != FACEFUSE_OK)
        return st;
    FILE *f = fopen(out.temp_path, "wb");
    if (!f) {
        st = fu_fail(err, FACEFUSE_ERR_IO, "cannot open %s: %s", out.temp_path, strerror(errno));
        fu_output_abort(&out);
        return st;
    }
    int ok = fwrite(data, 1, size, f) == size && fflush(f) == 0 && fsync(fileno(f)) == 0;
    int e = errno;
    if (fclose(f) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (!ok) {
        fu_output_abort(&out);
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot write %s: %s", path, strerror(e));
    }
    return fu_output_commit(&out, err);
}

/* Checks img and encodes it as kind into pkt. */
static facefuse_status encode_checked(image_kind kind, const char *name, const facefuse_image *img, int quality,
                                      AVPacket *pkt, fu_err *err)
{
    if (!img || !img->data || img->width <= 0 || img->height <= 0 ||
        (img->channels != 1 && img->channels != 3 && img->channels != 4) ||
        img->stride < img->width * img->channels)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "cannot write %s: invalid image", name);
    fu_av_log_init();
    return encode_image(kind, img, quality, name, pkt, err);
}

facefuse_status fu_image_write_tagged(const char *path, const facefuse_image *img, int quality, const char *tag,
                                      fu_err *err)
{
    char ext[16];

    if (!path || !*path)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "no output image path given");
    image_kind kind = kind_of_extension(fu_path_extension(path, ext, sizeof ext));
    if (kind == KIND_UNKNOWN)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "cannot write %s: unknown image extension \"%s\" (use jpg, jpeg, png or webp)", path,
                       ext);
    AVPacket *pkt = av_packet_alloc();
    if (!pkt)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "%s: out of memory before encoding", path);
    facefuse_status st = encode_checked(kind, path, img, quality, pkt, err);
    if (st == FACEFUSE_OK && tag && *tag) {
        uint8_t *tagged = NULL;
        size_t tagged_size = 0;
        st = fu_tag_image_bytes(pkt->data, (size_t)pkt->size, tag, &tagged, &tagged_size, err);
        if (st == FACEFUSE_OK)
            st = write_file_atomically(path, tagged, tagged_size, err);
        free(tagged);
    } else if (st == FACEFUSE_OK) {
        st = write_file_atomically(path, pkt->data, (size_t)pkt->size, err);
    }
    av_packet_free(&pkt);
    return st;
}

facefuse_status fu_image_write(const char *path, const facefuse_image *img, int quality, fu_err *err)
{
    return fu_image_write_tagged(path, img, quality, NULL, err);
}

facefuse_status fu_image_encode(const char *ext, const facefuse_image *img, int quality, uint8_t **data,
                                size_t *size, fu_err *err)
{
    *data = NULL;
    *size = 0;
    image_kind kind = kind_of_extension(ext ? ext : "");
    if (kind == KIND_UNKNOWN)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "cannot encode images as \"%s\"", ext ? ext : "");
    AVPacket *pkt = av_packet_alloc();
    if (!pkt)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory before encoding");
    facefuse_status st = encode_checked(kind, ext, img, quality, pkt, err);
    if (st == FACEFUSE_OK && !(*data = malloc((size_t)pkt->size)))
        st = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory encoding an image");
    if (st == FACEFUSE_OK) {
        memcpy(*data, pkt->data, (size_t)pkt->size);
        *size = (size_t)pkt->size;
    }
    av_packet_free(&pkt);
    return st;
}

int fu_image_path_is_writable(const char *path)
{
    char ext[16];
    return path && kind_of_extension(fu_path_extension(path, ext, sizeof ext)) != KIND_UNKNOWN;
}

facefuse_status fu_image_alpha_check(const char *path, fu_err *err)
{
    char ext[16];
    image_kind kind = path ? kind_of_extension(fu_path_extension(path, ext, sizeof ext)) : KIND_UNKNOWN;
    if (kind == KIND_PNG || kind == KIND_WEBP)
        return FACEFUSE_OK;
    return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                   "%s cannot keep the transparent background: use a .png or .webp output",
                   path ? path : "(null)");
}

int fu_image_path_is_image(const char *path)
{
    static const char *const known[] = {"jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff"};
    char ext[16];

    if (!path)
        return 0;
    fu_path_extension(path, ext, sizeof ext);
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(ext, known[i]))
            return 1;
    return 0;
}
