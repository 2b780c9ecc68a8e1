/*
 * capture.c — camera, stream and file input for live mode (see capture.h):
 * libavdevice/libavformat demuxing, low-delay decoding, cover-fit scaling to
 * RGB with the source's colour matrix, pacing and looping of files.
 */
#include "media/capture.h"

#include <libavcodec/avcodec.h>
#include <libavdevice/avdevice.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "media/av_log.h"
#include "media/colorspace.h"

struct fu_capture {
    fu_capture_params p;
    char source[1024];
    fu_capture_kind kind;
    AVFormatContext *ic;
    AVCodecContext *dec;
    int stream;
    AVPacket *pkt;
    AVFrame *frame;
    struct SwsContext *sws;
    int out_w, out_h;
    double src_fps;
    int64_t opened_ns;
    int flushing;               /* the demuxer is at its end: draining the decoder */
    /* the file timeline */
    int pass_started;           /* a frame of the current pass was seen */
    int pass_frames;
    double pass_first_s;        /* pts of the pass's first frame */
    double pass_offset_s;       /* time of the passes before */
    double last_time_s;         /* time of the last frame decoded */
    double frame_s;             /* a frame's duration */
    int64_t pace_origin_ns;     /* wall time of timeline 0, for realtime files */
    double next_due_s;          /* fps cap */
};

static pthread_once_t devices_once = PTHREAD_ONCE_INIT;

static void register_devices(void)
{
    avdevice_register_all();
}

static const char *av_errtext(int code, char *buf, size_t size)
{
    av_strerror(code, buf, size);
    return buf;
}

static int interrupted(void *opaque)
{
    const fu_capture *c = opaque;
    return c->p.cancel && *c->p.cancel;
}

/* ------------------------------------------------------------ sources */

static int has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Splits "<demuxer>:<url>" when the prefix names an input format; the url
 * part goes to *url. NULL when the source is not of that form. */
static const AVInputFormat *device_format(const char *source, const char **url)
{
    char name[32];
    const char *colon = strchr(source, ':');
    if (has_prefix(source, "/dev/video")) {
        *url = source;
        return av_find_input_format("v4l2");
    }
    if (!colon || strstr(source, "://") || colon == source || (size_t)(colon - source) >= sizeof name)
        return NULL;
    memcpy(name, source, (size_t)(colon - source));
    name[colon - source] = '\0';
    *url = colon + 1;
    return av_find_input_format(name);
}

static fu_capture_kind kind_of(const char *source, const AVInputFormat *fmt)
{
    static const char *live[] = {"rtsp://", "rtsps://", "rtmp://", "rtmps://", "udp://", "srt://", "rtp://",
                                 "tcp://", NULL};
    if (fmt)
        return strcmp(fmt->name, "lavfi") == 0 ? FU_CAPTURE_FILE : FU_CAPTURE_DEVICE;
    for (int i = 0; live[i]; i++)
        if (has_prefix(source, live[i]))
            return FU_CAPTURE_STREAM;
    return FU_CAPTURE_FILE;
}

static facefuse_status open_input(fu_capture *c, const AVInputFormat *fmt, const char *url, int mjpeg,
                                  fu_err *err)
{
    char eb[128], buf[64];
    AVDictionary *opts = NULL;
    c->ic = avformat_alloc_context();
    if (!c->ic)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory opening camera %s", c->source);
    c->ic->interrupt_callback.callback = interrupted;
    c->ic->interrupt_callback.opaque = c;
    if (c->kind == FU_CAPTURE_DEVICE) {
        if (c->p.width > 0 && c->p.height > 0) {
            snprintf(buf, sizeof buf, "%dx%d", c->p.width, c->p.height);
            av_dict_set(&opts, "video_size", buf, 0);
        }
        if (c->p.fps > 0) {
            snprintf(buf, sizeof buf, "%g", c->p.fps);
            av_dict_set(&opts, "framerate", buf, 0);
        }
        if (mjpeg)
            av_dict_set(&opts, "input_format", "mjpeg", 0);
    } else if (c->kind == FU_CAPTURE_STREAM) {
        av_dict_set(&opts, "fflags", "nobuffer", 0);
        av_dict_set(&opts, "rw_timeout", "10000000", 0);
    }
    int ret = avformat_open_input(&c->ic, url, fmt, &opts);
    av_dict_free(&opts);
    if (ret < 0) /* avformat_open_input freed the context */
        return fu_fail(err, c->kind == FU_CAPTURE_FILE ? FACEFUSE_ERR_DECODE : FACEFUSE_ERR_IO,
                       "cannot open camera %s: %s", c->source, av_errtext(ret, eb, sizeof eb));
    return FACEFUSE_OK;
}

static facefuse_status open_decoder(fu_capture *c, fu_err *err)
{
    char eb[128];
    int ret = avformat_find_stream_info(c->ic, NULL);
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot read camera %s: %s", c->source,
                       av_errtext(ret, eb, sizeof eb));
    const AVCodec *codec = NULL;
    c->stream = av_find_best_stream(c->ic, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (c->stream < 0 || !codec)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "camera %s has no video it can decode", c->source);
    AVStream *st = c->ic->streams[c->stream];
    c->dec = avcodec_alloc_context3(codec);
    if (!c->dec || avcodec_parameters_to_context(c->dec, st->codecpar) < 0)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory opening camera %s", c->source);
    if (c->kind == FU_CAPTURE_FILE) {
        c->dec->thread_count = 0;
    } else { /* frame threads hold frames back: slices only, low delay */
        c->dec->thread_count = 0;
        c->dec->thread_type = FF_THREAD_SLICE;
        c->dec->flags |= AV_CODEC_FLAG_LOW_DELAY;
    }
    if ((ret = avcodec_open2(c->dec, codec, NULL)) < 0)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot decode camera %s: %s", c->source,
                       av_errtext(ret, eb, sizeof eb));
    AVRational r = st->avg_frame_rate.num > 0 ? st->avg_frame_rate : st->r_frame_rate;
    c->src_fps = r.num > 0 && r.den > 0 ? av_q2d(r) : 0;
    c->frame_s = c->src_fps > 0 ? 1.0 / c->src_fps : 1.0 / 30;
    c->out_w = c->p.width > 0 ? c->p.width : c->dec->width;
    c->out_h = c->p.height > 0 ? c->p.height : c->dec->height;
    if (c->out_w <= 0 || c->out_h <= 0)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "camera %s has no frame size", c->source);
    return FACEFUSE_OK;
}

facefuse_status fu_capture_open(fu_capture **out, const fu_capture_params *p, fu_err *err)
{
    const char *url = NULL;
    facefuse_status rc;

    *out = NULL;
    if (!p || !p->source || !*p->source)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "no camera given");
    if (p->width < 0 || p->height < 0 || (p->width > 0) != (p->height > 0) || p->fps < 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "bad camera resolution %dx%d or fps %g for %s",
                       p->width, p->height, p->fps, p->source);
    pthread_once(&devices_once, register_devices);
    fu_av_log_init();
    fu_capture *c = calloc(1, sizeof *c);
    if (!c || !(c->pkt = av_packet_alloc()) || !(c->frame = av_frame_alloc())) {
        fu_capture_close(c);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory opening camera %s", p->source);
    }
    c->p = *p;
    snprintf(c->source, sizeof c->source, "%s", p->source);
    c->p.source = c->source;
    const AVInputFormat *fmt = device_format(c->source, &url);
    if (!fmt && has_prefix(c->source, "v4l2:")) {
        fu_capture_close(c);
        return fu_fail(err, FACEFUSE_ERR_UNSUPPORTED, "camera %s: this FFmpeg has no v4l2 input", p->source);
    }
    if (!fmt)
        url = c->source;
    c->kind = kind_of(c->source, fmt);
    int mjpeg = fmt && strcmp(fmt->name, "v4l2") == 0 && p->width * p->height > 640 * 480;
    rc = open_input(c, fmt, url, mjpeg, err);
    if (rc != FACEFUSE_OK && mjpeg) { /* a camera without MJPEG: its own format */
        fu_err_clear(err);
        rc = open_input(c, fmt, url, 0, err);
    }
    if (rc == FACEFUSE_OK)
        rc = open_decoder(c, err);
    if (rc != FACEFUSE_OK) {
        fu_capture_close(c);
        return rc;
    }
    c->opened_ns = fu_now_ns();
    *out = c;
    return FACEFUSE_OK;
}

void fu_capture_close(fu_capture *c)
{
    if (!c)
        return;
    avcodec_free_context(&c->dec);
    avformat_close_input(&c->ic);
    av_packet_free(&c->pkt);
    av_frame_free(&c->frame);
    sws_freeContext(c->sws);
    free(c);
}

fu_capture_kind fu_capture_kind_of(const fu_capture *c)
{
    return c->kind;
}

void fu_capture_size(const fu_capture *c, int *width, int *height)
{
    *width = c->out_w;
    *height = c->out_h;
}

double fu_capture_fps(const fu_capture *c)
{
    return c->p.fps > 0 && (c->src_fps <= 0 || c->p.fps < c->src_fps) ? c->p.fps : c->src_fps;
}

int fu_capture_is_paced(const fu_capture *c)
{
    return c->kind != FU_CAPTURE_FILE || c->p.realtime;
}

/* ------------------------------------------------------------ decoding */

static int cancelled(const fu_capture *c)
{
    return c->p.cancel && *c->p.cancel;
}

/* The next decoded frame into c->frame: 1, or 0 at the end / on cancel. */
static facefuse_status decode_next(fu_capture *c, int *got, fu_err *err)
{
    char eb[128];
    *got = 0;
    for (;;) {
        int ret = avcodec_receive_frame(c->dec, c->frame);
        if (ret == 0) {
            *got = 1;
            return FACEFUSE_OK;
        }
        if (ret == AVERROR_EOF)
            return FACEFUSE_OK;
        if (ret != AVERROR(EAGAIN))
            return fu_fail(err, FACEFUSE_ERR_DECODE, "camera %s: decoding failed: %s", c->source,
                           av_errtext(ret, eb, sizeof eb));
        if (c->flushing)
            return FACEFUSE_OK;
        if (cancelled(c))
            return FACEFUSE_OK;
        ret = av_read_frame(c->ic, c->pkt);
        if (ret == AVERROR(EAGAIN)) {
            struct timespec ts = {0, 2 * 1000 * 1000};
            nanosleep(&ts, NULL);
            continue;
        }
        if (ret == AVERROR_EOF || ret == AVERROR_EXIT || (ret < 0 && cancelled(c))) {
            if (cancelled(c))
                return FACEFUSE_OK;
            c->flushing = 1;
            avcodec_send_packet(c->dec, NULL);
            continue;
        }
        if (ret < 0)
            return fu_fail(err, FACEFUSE_ERR_IO, "camera %s: reading failed: %s", c->source,
                           av_errtext(ret, eb, sizeof eb));
        if (c->pkt->stream_index == c->stream) {
            ret = avcodec_send_packet(c->dec, c->pkt);
            if (ret < 0 && ret != AVERROR(EAGAIN) && ret != AVERROR_INVALIDDATA)
                fu_debug("camera %s: a packet was refused: %s", c->source, av_errtext(ret, eb, sizeof eb));
        }
        av_packet_unref(c->pkt);
    }
}

/* Back to the start of a looped file. 0 when it cannot seek. */
static int rewind_file(fu_capture *c)
{
    AVStream *st = c->ic->streams[c->stream];
    int64_t start = st->start_time != AV_NOPTS_VALUE ? st->start_time : 0;
    if (av_seek_frame(c->ic, c->stream, start, AVSEEK_FLAG_BACKWARD) < 0)
        return 0;
    avcodec_flush_buffers(c->dec);
    c->flushing = 0;
    c->pass_offset_s = c->last_time_s + c->frame_s;
    c->pass_started = 0;
    c->pass_frames = 0;
    return 1;
}

/* The frame's time on the file timeline (passes of a loop add up). */
static double file_time(fu_capture *c)
{
    AVStream *st = c->ic->streams[c->stream];
    int64_t pts = c->frame->best_effort_timestamp != AV_NOPTS_VALUE ? c->frame->best_effort_timestamp
                                                                    : c->frame->pts;
    double t;
    if (pts == AV_NOPTS_VALUE) {
        t = c->pass_started ? c->last_time_s + c->frame_s : c->pass_offset_s;
    } else {
        double s = pts * av_q2d(st->time_base);
        if (!c->pass_started)
            c->pass_first_s = s;
        t = c->pass_offset_s + (s - c->pass_first_s);
    }
    c->pass_started = 1;
    return t;
}

static facefuse_status ensure_image(facefuse_image *im, int w, int h)
{
    if (im->data && im->width == w && im->height == h && im->channels == 3)
        return FACEFUSE_OK;
    facefuse_image_free(im);
    return facefuse_image_alloc(im, w, h, 3);
}

static int is_full_range(const AVFrame *f)
{
    return f->color_range == AVCOL_RANGE_JPEG || f->format == AV_PIX_FMT_YUVJ420P ||
           f->format == AV_PIX_FMT_YUVJ422P || f->format == AV_PIX_FMT_YUVJ444P;
}

/* Scales the decoded frame to cover out_w × out_h and crops the centre. */
static facefuse_status convert(fu_capture *c, facefuse_image *im, fu_err *err)
{
    AVFrame *f = c->frame;
    double scale = fmax((double)c->out_w / f->width, (double)c->out_h / f->height);
    int cw = (int)lround(c->out_w / scale), ch = (int)lround(c->out_h / scale);
    cw = cw > f->width ? f->width : cw < 1 ? 1 : cw;
    ch = ch > f->height ? f->height : ch < 1 ? 1 : ch;
    f->crop_left = (size_t)(f->width - cw) / 2;
    f->crop_right = (size_t)(f->width - cw) - f->crop_left;
    f->crop_top = (size_t)(f->height - ch) / 2;
    f->crop_bottom = (size_t)(f->height - ch) - f->crop_top;
    if (av_frame_apply_cropping(f, AV_FRAME_CROP_UNALIGNED) < 0)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "camera %s: cannot crop its frames", c->source);
    if (ensure_image(im, c->out_w, c->out_h) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for camera frames");
    c->sws = sws_getCachedContext(c->sws, f->width, f->height, f->format, c->out_w, c->out_h, AV_PIX_FMT_RGB24,
                                  SWS_BILINEAR, NULL, NULL, NULL);
    if (!c->sws)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "camera %s: cannot convert pixel format %s", c->source,
                       av_get_pix_fmt_name(f->format));
    const int *coef = sws_getCoefficients(fu_sws_colorspace(f->colorspace, f->height > 576));
    sws_setColorspaceDetails(c->sws, coef, is_full_range(f), sws_getCoefficients(SWS_CS_DEFAULT), 1, 0,
                             1 << 16, 1 << 16);
    uint8_t *dst[4] = {im->data, NULL, NULL, NULL};
    int dst_stride[4] = {im->stride, 0, 0, 0};
    sws_scale(c->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst, dst_stride);
    return FACEFUSE_OK;
}

/* Sleeps until wall time due_ns, waking for a cancel. */
static void sleep_until(const fu_capture *c, int64_t due_ns)
{
    for (;;) {
        int64_t left = due_ns - fu_now_ns();
        if (left <= 0 || cancelled(c))
            return;
        if (left > 20 * 1000 * 1000)
            left = 20 * 1000 * 1000;
        struct timespec ts = {0, (long)left};
        nanosleep(&ts, NULL);
    }
}

/* Drops frames above the fps cap; 1 when this frame is kept. */
static int keep_for_rate(fu_capture *c, double t)
{
    if (c->p.fps <= 0 || c->kind == FU_CAPTURE_DEVICE || (c->src_fps > 0 && c->p.fps >= c->src_fps * 0.99))
        return 1;
    double period = 1.0 / c->p.fps, slack = 0.5 * fmin(c->frame_s, period);
    if (t < c->next_due_s - slack) /* half a source frame early still counts */
        return 0;
    c->next_due_s += period;
    if (c->next_due_s < t) /* after a gap: a new cadence from here */
        c->next_due_s = t + period;
    return 1;
}

facefuse_status fu_capture_read(fu_capture *c, facefuse_image *image, fu_capture_frame *info, int *got,
                                fu_err *err)
{
    facefuse_status rc;
    *got = 0;
    for (;;) {
        int have = 0;
        if ((rc = decode_next(c, &have, err)) != FACEFUSE_OK)
            return rc;
        if (!have) {
            if (cancelled(c) || c->kind != FU_CAPTURE_FILE || !c->p.loop || c->pass_frames == 0 ||
                !rewind_file(c))
                return FACEFUSE_OK;
            continue;
        }
        double t;
        if (c->kind == FU_CAPTURE_FILE) {
            t = file_time(c);
            c->last_time_s = t;
            c->pass_frames++;
        } else {
            t = (fu_now_ns() - c->opened_ns) / 1e9;
        }
        if (!keep_for_rate(c, t))
            continue;
        if (c->kind == FU_CAPTURE_FILE && c->p.realtime) {
            if (!c->pace_origin_ns)
                c->pace_origin_ns = fu_now_ns() - (int64_t)(t * 1e9);
            sleep_until(c, c->pace_origin_ns + (int64_t)(t * 1e9));
            if (cancelled(c))
                return FACEFUSE_OK;
        }
        if ((rc = convert(c, image, err)) != FACEFUSE_OK)
            return rc;
        info->time_s = t;
        info->arrived_ns = fu_now_ns();
        *got = 1;
        return FACEFUSE_OK;
    }
}
