/*
 * live_output.c — encoding and sending live frames (see live_output.h):
 * a virtual camera through libavdevice's v4l2 muxer, network streams and
 * recordings through libavformat, H.264 tuned for latency.
 */
#include "media/live_output.h"

#include <libavcodec/avcodec.h>
#include <libavdevice/avdevice.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "media/av_log.h"

enum output_kind { OUT_V4L2, OUT_NETWORK, OUT_FILE };

struct fu_live_output {
    enum output_kind kind;
    char target[1024];
    fu_output file;             /* recordings: the temporary file */
    AVFormatContext *oc;
    AVCodecContext *enc;
    AVStream *st;
    AVFrame *frame;
    AVPacket *pkt;
    struct SwsContext *sws;
    int in_w, in_h;
    int64_t last_pts;
    int started, finished;
    volatile int *cancel;
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

/* Only connecting can be cancelled: once started, the output must be able
 * to flush and finish after a Ctrl-C. */
static int interrupted(void *opaque)
{
    const fu_live_output *o = opaque;
    return !o->started && o->cancel && *o->cancel;
}

static int has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int fu_live_output_is_file(const char *target)
{
    return target && !has_prefix(target, "v4l2:") && !strstr(target, "://");
}

/* The muxer and the URL it writes to. */
static const char *muxer_for(fu_live_output *o, char *url, size_t size)
{
    const char *t = o->target;
    if (has_prefix(t, "v4l2:")) {
        o->kind = OUT_V4L2;
        snprintf(url, size, "%s", t + 5);
        return "v4l2";
    }
    if (strstr(t, "://")) {
        o->kind = OUT_NETWORK;
        if (has_prefix(t, "udp://") && !strstr(t, "pkt_size="))
            snprintf(url, size, "%s%spkt_size=1316", t, strchr(t, '?') ? "&" : "?");
        else
            snprintf(url, size, "%s", t);
        if (has_prefix(t, "rtmp://") || has_prefix(t, "rtmps://"))
            return "flv";
        if (has_prefix(t, "udp://") || has_prefix(t, "srt://") || has_prefix(t, "rtp://") || has_prefix(t, "tcp://"))
            return "mpegts";
        return NULL;
    }
    o->kind = OUT_FILE;
    snprintf(url, size, "%s", o->file.temp_path);
    const AVOutputFormat *of = av_guess_format(NULL, t, NULL);
    return of ? of->name : NULL;
}

static facefuse_status open_encoder(fu_live_output *o, const fu_live_output_params *p, fu_err *err)
{
    char eb[128];
    const AVCodec *codec = avcodec_find_encoder_by_name(o->kind == OUT_V4L2 ? "rawvideo" : "libx264");
    if (!codec)
        return fu_fail(err, FACEFUSE_ERR_UNSUPPORTED, "live output %s: this FFmpeg has no %s encoder", o->target,
                       o->kind == OUT_V4L2 ? "rawvideo" : "libx264");
    AVCodecContext *enc = o->enc = avcodec_alloc_context3(codec);
    if (!enc)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory opening %s", o->target);
    double fps = p->fps > 0 ? p->fps : 30;
    enc->width = p->width - p->width % 2;
    enc->height = p->height - p->height % 2;
    enc->pix_fmt = AV_PIX_FMT_YUV420P;
    enc->time_base = (AVRational){1, 1000};
    enc->framerate = av_d2q(fps, 1000);
    enc->sample_aspect_ratio = (AVRational){1, 1};
    enc->colorspace = o->kind == OUT_V4L2 ? AVCOL_SPC_SMPTE170M : AVCOL_SPC_BT709;
    enc->color_primaries = o->kind == OUT_V4L2 ? AVCOL_PRI_SMPTE170M : AVCOL_PRI_BT709;
    enc->color_trc = o->kind == OUT_V4L2 ? AVCOL_TRC_SMPTE170M : AVCOL_TRC_BT709;
    enc->color_range = AVCOL_RANGE_MPEG;
    if (o->oc->oformat->flags & AVFMT_GLOBALHEADER)
        enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (o->kind != OUT_V4L2) {
        enc->gop_size = (int)lround(fps);
        enc->max_b_frames = 0;
        av_opt_set(enc->priv_data, "preset", "ultrafast", 0);
        av_opt_set(enc->priv_data, "tune", "zerolatency", 0);
        if (o->kind == OUT_NETWORK) {
            int64_t kbps = (int64_t)(0.1 * enc->width * enc->height * fps / 1000);
            kbps = kbps < 1000 ? 1000 : kbps;
            enc->bit_rate = kbps * 1000;
            enc->rc_max_rate = enc->bit_rate;
            enc->rc_buffer_size = (int)(enc->bit_rate / 2); /* half a second */
        } else {
            av_opt_set(enc->priv_data, "crf", "23", 0);
        }
    }
    int ret = avcodec_open2(enc, codec, NULL);
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_ENCODE, "live output %s: cannot open the encoder: %s", o->target,
                       av_errtext(ret, eb, sizeof eb));
    o->st = avformat_new_stream(o->oc, NULL);
    if (!o->st || avcodec_parameters_from_context(o->st->codecpar, enc) < 0)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory opening %s", o->target);
    o->st->time_base = enc->time_base;
    o->st->avg_frame_rate = enc->framerate;
    o->frame->format = enc->pix_fmt;
    o->frame->width = enc->width;
    o->frame->height = enc->height;
    if (av_frame_get_buffer(o->frame, 0) < 0)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory opening %s", o->target);
    return FACEFUSE_OK;
}

static facefuse_status start(fu_live_output *o, const char *url, fu_err *err)
{
    char eb[128];
    int ret;
    o->oc->interrupt_callback.callback = interrupted;
    o->oc->interrupt_callback.opaque = o;
    if (!(o->oc->oformat->flags & AVFMT_NOFILE)) {
        ret = avio_open2(&o->oc->pb, url, AVIO_FLAG_WRITE, &o->oc->interrupt_callback, NULL);
        if (ret < 0)
            return fu_fail(err, FACEFUSE_ERR_IO, "cannot open live output %s: %s", o->target,
                           av_errtext(ret, eb, sizeof eb));
    }
    ret = avformat_write_header(o->oc, NULL);
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot start live output %s: %s", o->target,
                       av_errtext(ret, eb, sizeof eb));
    o->started = 1;
    return FACEFUSE_OK;
}

facefuse_status fu_live_output_open(fu_live_output **out, const fu_live_output_params *p, fu_err *err)
{
    char url[PATH_MAX + 64], eb[128];
    facefuse_status rc;

    *out = NULL;
    if (!p || !p->target || !*p->target || p->width < 2 || p->height < 2)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "live output needs a target and a frame size");
    pthread_once(&devices_once, register_devices);
    fu_av_log_init();
    fu_live_output *o = calloc(1, sizeof *o);
    if (!o || !(o->frame = av_frame_alloc()) || !(o->pkt = av_packet_alloc())) {
        fu_live_output_free(o);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory opening %s", p->target);
    }
    o->file.slot = -1;
    o->cancel = p->cancel;
    o->in_w = p->width;
    o->in_h = p->height;
    o->last_pts = INT64_MIN;
    snprintf(o->target, sizeof o->target, "%s", p->target);
    if (fu_live_output_is_file(o->target) && (rc = fu_output_begin(&o->file, o->target, err)) != FACEFUSE_OK) {
        fu_live_output_free(o);
        return rc;
    }
    const char *muxer = muxer_for(o, url, sizeof url);
    int ret = muxer ? avformat_alloc_output_context2(&o->oc, NULL, muxer, url) : -1;
    if (ret < 0 || !o->oc) {
        rc = fu_fail(err, FACEFUSE_ERR_UNSUPPORTED,
                     "live output %s: not a v4l2:/dev/videoN device, a udp/srt/rtmp URL or a video file (%s)",
                     o->target, muxer ? av_errtext(ret, eb, sizeof eb) : "no muxer for it");
        fu_live_output_free(o);
        return rc;
    }
    rc = open_encoder(o, p, err);
    if (rc == FACEFUSE_OK)
        rc = start(o, url, err);
    if (rc != FACEFUSE_OK) {
        fu_live_output_free(o);
        return rc;
    }
    *out = o;
    return FACEFUSE_OK;
}

static facefuse_status drain(fu_live_output *o, fu_err *err)
{
    char eb[128];
    for (;;) {
        int ret = avcodec_receive_packet(o->enc, o->pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return FACEFUSE_OK;
        if (ret < 0)
            return fu_fail(err, FACEFUSE_ERR_ENCODE, "live output %s: encoding failed: %s", o->target,
                           av_errtext(ret, eb, sizeof eb));
        av_packet_rescale_ts(o->pkt, o->enc->time_base, o->st->time_base);
        o->pkt->stream_index = o->st->index;
        ret = av_interleaved_write_frame(o->oc, o->pkt);
        if (ret < 0)
            return fu_fail(err, FACEFUSE_ERR_IO, "live output %s: sending failed: %s", o->target,
                           av_errtext(ret, eb, sizeof eb));
    }
}

facefuse_status fu_live_output_write(fu_live_output *o, const facefuse_image *frame, double time_s, fu_err *err)
{
    char eb[128];
    if (!o->started || o->finished)
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "live output %s is not open", o->target);
    enum AVPixelFormat src = frame->channels == 4 ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB24;
    o->sws = sws_getCachedContext(o->sws, frame->width, frame->height, src, o->enc->width, o->enc->height,
                                  o->enc->pix_fmt, SWS_BILINEAR, NULL, NULL, NULL);
    if (!o->sws || av_frame_make_writable(o->frame) < 0)
        return fu_fail(err, FACEFUSE_ERR_ENCODE, "live output %s: cannot convert frames", o->target);
    int space = o->enc->colorspace == AVCOL_SPC_BT709 ? SWS_CS_ITU709 : SWS_CS_ITU601;
    sws_setColorspaceDetails(o->sws, sws_getCoefficients(SWS_CS_DEFAULT), 1, sws_getCoefficients(space), 0, 0,
                             1 << 16, 1 << 16);
    const uint8_t *src_data[4] = {frame->data, NULL, NULL, NULL};
    int src_stride[4] = {frame->stride, 0, 0, 0};
    sws_scale(o->sws, src_data, src_stride, 0, frame->height, o->frame->data, o->frame->linesize);
    int64_t pts = llround(time_s * 1000.0);
    if (pts <= o->last_pts)
        pts = o->last_pts + 1;
    o->last_pts = pts;
    o->frame->pts = pts;
    int ret = avcodec_send_frame(o->enc, o->frame);
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_ENCODE, "live output %s: the encoder refused a frame: %s", o->target,
                       av_errtext(ret, eb, sizeof eb));
    return drain(o, err);
}

facefuse_status fu_live_output_finish(fu_live_output *o, fu_err *err)
{
    char eb[128];
    if (!o->started || o->finished)
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "live output %s is not open", o->target);
    avcodec_send_frame(o->enc, NULL);
    facefuse_status rc = drain(o, err);
    if (rc != FACEFUSE_OK)
        return rc;
    int ret = av_write_trailer(o->oc);
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_IO, "live output %s: cannot finish: %s", o->target,
                       av_errtext(ret, eb, sizeof eb));
    o->finished = 1;
    if (o->oc->pb && !(o->oc->oformat->flags & AVFMT_NOFILE) && (ret = avio_closep(&o->oc->pb)) < 0)
        return fu_fail(err, FACEFUSE_ERR_IO, "live output %s: cannot close: %s", o->target,
                       av_errtext(ret, eb, sizeof eb));
    if (o->kind == OUT_FILE)
        return fu_output_commit(&o->file, err);
    return FACEFUSE_OK;
}

void fu_live_output_free(fu_live_output *o)
{
    if (!o)
        return;
    if (o->oc && o->oc->pb && !(o->oc->oformat->flags & AVFMT_NOFILE))
        avio_closep(&o->oc->pb);
    avformat_free_context(o->oc);
    avcodec_free_context(&o->enc);
    av_frame_free(&o->frame);
    av_packet_free(&o->pkt);
    sws_freeContext(o->sws);
    fu_output_abort(&o->file);
    free(o);
}
