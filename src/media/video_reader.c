/*
 * video_reader.c — FFmpeg demuxing + decoding of one video stream into
 * upright RGB(A) facefuse_images (see video_reader.h).
 *
 * Colour conversion goes through libswscale with the stream's own matrix
 * (BT.601/709/2020...) and range, so limited-range BT.709 HD video and
 * full-range JPEG-style video both come out with correct RGB levels.
 */
#include "media/video_reader.h"


#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "media/av_log.h"
#include "media/colorspace.h"
#include "core/image.h"
#include "core/log.h"

struct fu_video_reader {
    char *path;
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVStream *st;
    AVPacket *pkt;
    AVFrame *frame;
    struct SwsContext *sws;
    facefuse_image scratch;   /* unrotated frame when a rotation applies */
    fu_video_info info;
    int draining;             /* the demuxer hit EOF; decoder is being flushed */
    int64_t packets_read;     /* video packets read since open (no seek) */
    int seeked;
    int64_t skip_before_pts;  /* after a seek: frames before this are dropped */
    int64_t last_pts;
};

static const char *av_errtext(int code, char *buf, size_t size)
{
    av_strerror(code, buf, size);
    return buf;
}

static int rotation_of(const AVStream *st)
{
    const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    if (!m)
        return 0;
    double theta = -av_display_rotation_get((const int32_t *)m);
    if (isnan(theta))
        return 0;
    theta -= 360.0 * floor(theta / 360.0 + 0.9 / 360.0);
    int deg = (int)lround(theta / 90.0) * 90;
    return ((deg % 360) + 360) % 360;
}

static int pix_fmt_has_alpha(int fmt)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get((enum AVPixelFormat)fmt);
    return d && (d->flags & AV_PIX_FMT_FLAG_ALPHA);
}

/* VP8/VP9 in WebM/Matroska keep alpha beside the picture (BlockAdditional,
 * flagged by the track's alpha_mode); only libvpx's decoders read it. */
static int has_vpx_alpha(const AVStream *st)
{
    const AVDictionaryEntry *e = av_dict_get(st->metadata, "alpha_mode", NULL, 0);
    enum AVCodecID id = st->codecpar->codec_id;
    return e && atoi(e->value) == 1 && (id == AV_CODEC_ID_VP8 || id == AV_CODEC_ID_VP9);
}

static const AVCodec *vpx_alpha_decoder(const AVStream *st)
{
    return avcodec_find_decoder_by_name(st->codecpar->codec_id == AV_CODEC_ID_VP9 ? "libvpx-vp9" : "libvpx");
}

static void fill_info(fu_video_reader *r)
{
    fu_video_info *in = &r->info;
    AVStream *st = r->st;
    AVCodecParameters *par = st->codecpar;
    AVRational fps = st->avg_frame_rate;

    if (fps.num <= 0 || fps.den <= 0)
        fps = st->r_frame_rate;
    if (fps.num <= 0 || fps.den <= 0)
        fps = (AVRational){25, 1};
    in->coded_width = par->width;
    in->coded_height = par->height;
    in->rotation_deg = rotation_of(st);
    in->width = (in->rotation_deg % 180) ? par->height : par->width;
    in->height = (in->rotation_deg % 180) ? par->width : par->height;
    in->channels = pix_fmt_has_alpha(par->format) || (has_vpx_alpha(st) && vpx_alpha_decoder(st)) ? 4 : 3;
    in->fps_num = fps.num;
    in->fps_den = fps.den;
    in->fps = av_q2d(fps);
    in->tb_num = st->time_base.num;
    in->tb_den = st->time_base.den;
    in->start_pts = st->start_time != AV_NOPTS_VALUE ? st->start_time : 0;
    if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
        in->duration_s = (double)st->duration * av_q2d(st->time_base);
    else if (r->fmt->duration != AV_NOPTS_VALUE && r->fmt->duration > 0)
        in->duration_s = (double)r->fmt->duration / AV_TIME_BASE;
    in->frame_count = st->nb_frames > 0 ? st->nb_frames : llround(in->duration_s * in->fps);
    in->color_primaries = par->color_primaries;
    in->color_trc = par->color_trc;
    in->color_space = par->color_space;
    in->color_range = par->color_range;
    in->stream_index = st->index;
    in->codec_id = par->codec_id;
}

static facefuse_status open_decoder(fu_video_reader *r, int thread_count, fu_err *err)
{
    char eb[128];
    const AVCodec *codec = avcodec_find_decoder(r->st->codecpar->codec_id);
    if (has_vpx_alpha(r->st)) {
        if (vpx_alpha_decoder(r->st))
            codec = vpx_alpha_decoder(r->st);
        else
            fu_warn("%s has an alpha channel, but this FFmpeg has no libvpx decoder to read it", r->path);
    }
    if (!codec)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "no decoder for the video codec %s of %s",
                       avcodec_get_name(r->st->codecpar->codec_id), r->path);
    r->dec = avcodec_alloc_context3(codec);
    if (!r->dec)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory opening %s", r->path);
    int ret = avcodec_parameters_to_context(r->dec, r->st->codecpar);
    if (ret >= 0) {
        r->dec->thread_count = thread_count > 0 ? thread_count : 0;
        r->dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
        r->dec->pkt_timebase = r->st->time_base;
        ret = avcodec_open2(r->dec, codec, NULL);
    }
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot open the %s decoder for %s: %s",
                       codec->name, r->path, av_errtext(ret, eb, sizeof eb));
    return FACEFUSE_OK;
}

static facefuse_status open_input(fu_video_reader *r, int thread_count, fu_err *err)
{
    char eb[128];
    int ret = avformat_open_input(&r->fmt, r->path, NULL, NULL);
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot read video %s: %s", r->path,
                       av_errtext(ret, eb, sizeof eb));
    ret = avformat_find_stream_info(r->fmt, NULL);
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot read the streams of video %s: %s",
                       r->path, av_errtext(ret, eb, sizeof eb));
    ret = av_find_best_stream(r->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (ret < 0 || (r->fmt->streams[ret]->disposition & AV_DISPOSITION_ATTACHED_PIC))
        return fu_fail(err, FACEFUSE_ERR_DECODE, "no video stream in %s", r->path);
    r->st = r->fmt->streams[ret];
    if (r->st->codecpar->width <= 0 || r->st->codecpar->height <= 0)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "video stream of %s has no frame size",
                       r->path);
    for (unsigned i = 0; i < r->fmt->nb_streams; i++)
        if ((int)i != r->st->index)
            r->fmt->streams[i]->discard = AVDISCARD_ALL;
    fill_info(r);
    return open_decoder(r, thread_count, err);
}

facefuse_status fu_video_reader_open(fu_video_reader **out, const char *path, int thread_count,
                                     fu_err *err)
{
    *out = NULL;
    fu_av_log_init();
    if (!path || !*path)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "no video path given");
    if (!fu_file_exists(path))
        return fu_fail(err, FACEFUSE_ERR_NOT_FOUND, "video %s does not exist", path);
    fu_video_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(path)) || !(r->pkt = av_packet_alloc()) ||
        !(r->frame = av_frame_alloc())) {
        fu_video_reader_close(r);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory opening %s", path);
    }
    r->skip_before_pts = AV_NOPTS_VALUE;
    r->last_pts = AV_NOPTS_VALUE;
    facefuse_status st = open_input(r, thread_count, err);
    if (st != FACEFUSE_OK) {
        fu_video_reader_close(r);
        return st;
    }
    *out = r;
    return FACEFUSE_OK;
}

void fu_video_reader_close(fu_video_reader *r)
{
    if (!r)
        return;
    sws_freeContext(r->sws);
    av_frame_free(&r->frame);
    av_packet_free(&r->pkt);
    avcodec_free_context(&r->dec);
    avformat_close_input(&r->fmt);
    facefuse_image_free(&r->scratch);
    free(r->path);
    free(r);
}

const fu_video_info *fu_video_reader_info(const fu_video_reader *r)
{
    return &r->info;
}

const char *fu_video_reader_path(const fu_video_reader *r)
{
    return r->path;
}

double fu_video_reader_pts_seconds(const fu_video_reader *r, int64_t pts)
{
    return (double)(pts - r->info.start_pts) * av_q2d(r->st->time_base);
}

static int is_full_range(const AVFrame *f)
{
    if (f->color_range == AVCOL_RANGE_JPEG)
        return 1;
    switch (f->format) {
    case AV_PIX_FMT_YUVJ420P:
    case AV_PIX_FMT_YUVJ422P:
    case AV_PIX_FMT_YUVJ444P:
    case AV_PIX_FMT_YUVJ440P:
    case AV_PIX_FMT_YUVJ411P: return 1;
    default: return 0;
    }
}

static facefuse_status ensure_image(facefuse_image *im, int w, int h, int channels)
{
    if (im->data && im->width == w && im->height == h && im->channels == channels)
        return FACEFUSE_OK;
    facefuse_image_free(im);
    return facefuse_image_alloc(im, w, h, channels);
}

/* Copies src rotated clockwise by deg (90/180/270) into dst (already sized). */
static void rotate_image(facefuse_image *dst, const facefuse_image *src, int deg)
{
    int c = src->channels;
    for (int y = 0; y < src->height; y++) {
        const uint8_t *s = src->data + (size_t)y * src->stride;
        for (int x = 0; x < src->width; x++) {
            int dx, dy;
            if (deg == 90) {
                dx = src->height - 1 - y;
                dy = x;
            } else if (deg == 180) {
                dx = src->width - 1 - x;
                dy = src->height - 1 - y;
            } else {
                dx = y;
                dy = src->width - 1 - x;
            }
            memcpy(fu_pixel(dst, dx, dy), s + (size_t)x * c, (size_t)c);
        }
    }
}

static facefuse_status convert_frame(fu_video_reader *r, facefuse_image *out, fu_err *err)
{
    AVFrame *f = r->frame;
    int channels = (r->info.channels == 4 && pix_fmt_has_alpha(f->format)) ? 4 : 3;
    int rot = r->info.rotation_deg;
    int ow = (rot % 180) ? f->height : f->width, oh = (rot % 180) ? f->width : f->height;
    facefuse_image *target = rot ? &r->scratch : out;

    if (ensure_image(out, ow, oh, channels) != FACEFUSE_OK ||
        (rot && ensure_image(&r->scratch, f->width, f->height, channels) != FACEFUSE_OK))
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory decoding %s", r->path);
    r->sws = sws_getCachedContext(r->sws, f->width, f->height, f->format, f->width, f->height,
                                  channels == 4 ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB24,
                                  /* no SWS_ACCURATE_RND: it disables the SIMD path
                                   * (25 ms instead of 0.6 ms a 1080p frame) */
                                  SWS_BICUBIC | SWS_FULL_CHR_H_INT, NULL,
                                  NULL, NULL);
    if (!r->sws)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot convert pixel format %s of %s",
                       av_get_pix_fmt_name(f->format), r->path);
    const int *coef = sws_getCoefficients(fu_sws_colorspace(f->colorspace, f->height > 576));
    sws_setColorspaceDetails(r->sws, coef, is_full_range(f), sws_getCoefficients(SWS_CS_DEFAULT),
                             1, 0, 1 << 16, 1 << 16);
    uint8_t *dst[4] = {target->data, NULL, NULL, NULL};
    int dst_stride[4] = {target->stride, 0, 0, 0};
    sws_scale(r->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst,
              dst_stride);
    if (rot)
        rotate_image(out, &r->scratch, rot);
    return FACEFUSE_OK;
}

/* Feeds the decoder one more packet of our stream (or the flush packet at
 * EOF). *exhausted is set when nothing is left to feed. */
static facefuse_status feed_decoder(fu_video_reader *r, int *exhausted, fu_err *err)
{
    char eb[128];
    *exhausted = 0;
    if (r->draining) {
        *exhausted = 1;
        return FACEFUSE_OK;
    }
    for (;;) {
        int ret = av_read_frame(r->fmt, r->pkt);
        if (ret == AVERROR_EOF) {
            r->draining = 1;
            avcodec_send_packet(r->dec, NULL);
            return FACEFUSE_OK;
        }
        if (ret < 0)
            return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot read video %s: %s", r->path,
                           av_errtext(ret, eb, sizeof eb));
        if (r->pkt->stream_index != r->st->index) {
            av_packet_unref(r->pkt);
            continue;
        }
        r->packets_read++;
        if (r->pkt->flags & AV_PKT_FLAG_CORRUPT) {
            av_packet_unref(r->pkt);
            return fu_fail(err, FACEFUSE_ERR_DECODE, "corrupt video data in %s", r->path);
        }
        ret = avcodec_send_packet(r->dec, r->pkt);
        av_packet_unref(r->pkt);
        if (ret < 0 && ret != AVERROR(EAGAIN))
            return fu_fail(err, FACEFUSE_ERR_DECODE, "corrupt video data in %s: %s", r->path,
                           av_errtext(ret, eb, sizeof eb));
        return FACEFUSE_OK;
    }
}

/* At the end of the stream: a file whose index promises more frames than
 * it holds was cut short. */
static facefuse_status check_complete(fu_video_reader *r, fu_err *err)
{
    int64_t expected = r->st->nb_frames;
    if (r->seeked || expected <= 0)
        return FACEFUSE_OK;
    int64_t slack = expected / 50 > 2 ? expected / 50 : 2;
    if (r->packets_read < expected - slack)
        return fu_fail(err, FACEFUSE_ERR_DECODE,
                       "video %s is truncated: %lld of %lld frames present", r->path,
                       (long long)r->packets_read, (long long)expected);
    return FACEFUSE_OK;
}

static int64_t frame_pts(fu_video_reader *r)
{
    int64_t pts = r->frame->best_effort_timestamp;
    if (pts == AV_NOPTS_VALUE)
        pts = r->frame->pts;
    if (pts == AV_NOPTS_VALUE || (r->last_pts != AV_NOPTS_VALUE && pts <= r->last_pts)) {
        AVRational fr = {r->info.fps_den, r->info.fps_num};
        int64_t step = av_rescale_q(1, fr, r->st->time_base);
        pts = r->last_pts == AV_NOPTS_VALUE ? r->info.start_pts
                                             : r->last_pts + (step > 0 ? step : 1);
    }
    r->last_pts = pts;
    return pts;
}

facefuse_status fu_video_reader_next(fu_video_reader *r, facefuse_image *frame, int64_t *pts,
                                     int *got, fu_err *err)
{
    char eb[128];
    *got = 0;
    for (;;) {
        int ret = avcodec_receive_frame(r->dec, r->frame);
        if (ret == 0) {
            if (r->frame->decode_error_flags || (r->frame->flags & AV_FRAME_FLAG_CORRUPT)) {
                av_frame_unref(r->frame);
                return fu_fail(err, FACEFUSE_ERR_DECODE, "corrupt video frame in %s", r->path);
            }
            int64_t p = frame_pts(r);
            if (r->skip_before_pts != AV_NOPTS_VALUE && p < r->skip_before_pts) {
                av_frame_unref(r->frame);
                continue;
            }
            r->skip_before_pts = AV_NOPTS_VALUE;
            facefuse_status st = frame ? convert_frame(r, frame, err) : FACEFUSE_OK;
            av_frame_unref(r->frame);
            if (st != FACEFUSE_OK)
                return st;
            *pts = p;
            *got = 1;
            return FACEFUSE_OK;
        }
        if (ret == AVERROR_EOF)
            return check_complete(r, err);
        if (ret != AVERROR(EAGAIN))
            return fu_fail(err, FACEFUSE_ERR_DECODE, "corrupt video data in %s: %s", r->path,
                           av_errtext(ret, eb, sizeof eb));
        int exhausted;
        facefuse_status st = feed_decoder(r, &exhausted, err);
        if (st != FACEFUSE_OK)
            return st;
        if (exhausted)
            return check_complete(r, err);
    }
}

facefuse_status fu_video_reader_seek_frame(fu_video_reader *r, int64_t frame_index, fu_err *err)
{
    char eb[128];
    if (frame_index < 0)
        frame_index = 0;
    AVRational frame_dur = {r->info.fps_den, r->info.fps_num};
    int64_t target = r->info.start_pts + av_rescale_q(frame_index, frame_dur, r->st->time_base);
    int64_t half = av_rescale_q(1, frame_dur, r->st->time_base) / 2;
    int ret = avformat_seek_file(r->fmt, r->st->index, INT64_MIN, target, target, 0);
    if (ret < 0)
        ret = av_seek_frame(r->fmt, r->st->index, target, AVSEEK_FLAG_BACKWARD);
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot seek to frame %lld of %s: %s",
                       (long long)frame_index, r->path, av_errtext(ret, eb, sizeof eb));
    avcodec_flush_buffers(r->dec);
    r->draining = 0;
    r->seeked = 1;
    r->last_pts = AV_NOPTS_VALUE;
    r->skip_before_pts = frame_index > 0 ? target - half : AV_NOPTS_VALUE;
    return FACEFUSE_OK;
}

facefuse_status fu_video_read_frame_at(const char *path, int64_t frame_index,
                                       facefuse_image *out, fu_err *err)
{
    fu_video_reader *r;
    facefuse_image frame = {0};
    int64_t pts;
    int got = 0;

    memset(out, 0, sizeof *out);
    facefuse_status st = fu_video_reader_open(&r, path, 0, err);
    if (st != FACEFUSE_OK)
        return st;
    if (frame_index > 0)
        st = fu_video_reader_seek_frame(r, frame_index, err);
    if (st == FACEFUSE_OK)
        st = fu_video_reader_next(r, &frame, &pts, &got, err);
    if (st == FACEFUSE_OK && !got) {
        /* Past the end: decode from the start and keep the last frame. */
        st = fu_video_reader_seek_frame(r, 0, err);
        facefuse_image next = {0};
        while (st == FACEFUSE_OK) {
            int got_next = 0;
            st = fu_video_reader_next(r, &next, &pts, &got_next, err);
            if (st != FACEFUSE_OK || !got_next)
                break;
            facefuse_image_free(&frame);
            frame = next;
            memset(&next, 0, sizeof next);
            got = 1;
        }
        facefuse_image_free(&next);
    }
    fu_video_reader_close(r);
    if (st == FACEFUSE_OK && !got)
        st = fu_fail(err, FACEFUSE_ERR_DECODE, "video %s has no decodable frame", path);
    if (st != FACEFUSE_OK) {
        facefuse_image_free(&frame);
        return st;
    }
    *out = frame;
    return FACEFUSE_OK;
}

facefuse_status fu_video_probe(const char *path, fu_video_info *info, fu_err *err)
{
    fu_video_reader *r;
    facefuse_status st = fu_video_reader_open(&r, path, 1, err);
    if (st != FACEFUSE_OK)
        return st;
    *info = r->info;
    fu_video_reader_close(r);
    return FACEFUSE_OK;
}
