/*
 * video_testutil.h — test helpers (static, header-only) that make small video
 * clips with FFmpeg's libraries and measure files: frames, timestamps and
 * audio packets per stream. Independent of src/media so the tests do not
 * check our writer with itself.
 */
#ifndef FU_VIDEO_TESTUTIL_H
#define FU_VIDEO_TESTUTIL_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/display.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facefuse.h"

typedef struct vt_clip {
    int width, height;
    int frames;
    int fps;
    const char *vcodec;       /* "libx264", "libvpx-vp9", "ffv1", "mpeg4" */
    int audio_tracks;         /* 0, 1 or 2 */
    const char *acodec;       /* "aac", "libopus", "libvorbis" */
    int vfr;                  /* irregular frame durations (tb 1/1000) */
    int rotation_deg;         /* display matrix (clockwise rotation to apply) */
    int faststart;            /* mp4/mov: index at the front */
    const uint8_t *still;     /* packed RGB width×height: every frame shows it; NULL: vt_pattern */
    /* Paints frame i as RGB (NULL: still, else vt_pattern); before still. */
    void (*paint)(void *user, uint8_t *rgb, int stride, int w, int h, int i);
    void *paint_user;
    int gop;                  /* keyframe interval; 0 = 12 */
} vt_clip;

static inline vt_clip vt_clip_default(void)
{
    vt_clip c = {160, 120, 30, 15, "libx264", 1, "aac", 0, 0, 0, NULL, NULL, NULL, 12};
    return c;
}

/* VFR pattern: frame durations in ms. */
static inline int vt_vfr_duration_ms(int i)
{
    static const int pattern[] = {40, 40, 80, 40, 120, 60, 40, 100};
    return pattern[i % 8];
}

static inline int64_t vt_vfr_pts_ms(int i)
{
    int64_t t = 0;
    for (int k = 0; k < i; k++)
        t += vt_vfr_duration_ms(k);
    return t;
}

/* Synthetic frame i: gradient + a moving white square. */
static inline void vt_pattern(uint8_t *rgb, int stride, int w, int h, int i)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = rgb + (size_t)y * stride + (size_t)x * 3;
            p[0] = (uint8_t)(x * 255 / w);
            p[1] = (uint8_t)(y * 255 / h);
            p[2] = (uint8_t)((i * 8) & 255);
            int sx = (i * 4) % (w - 16);
            if (x >= sx && x < sx + 16 && y >= h / 2 && y < h / 2 + 16)
                p[0] = p[1] = p[2] = 255;
        }
}

typedef struct vt_audio {
    AVCodecContext *enc;
    AVStream *st;
    AVFrame *frame;
    int64_t samples;
    double freq;
} vt_audio;

/* Packet duration in the encoder time base: 1 frame (CFR, tb 1/fps), the
 * pattern's duration (VFR, tb 1/1000), or what the audio encoder set. */
static inline int64_t vt_packet_duration(const AVCodecContext *enc, const AVPacket *pkt, int vfr)
{
    if (enc->codec_type != AVMEDIA_TYPE_VIDEO)
        return pkt->duration;
    if (!vfr)
        return 1;
    for (int i = 0; i < 100000; i++)
        if (vt_vfr_pts_ms(i) >= pkt->pts)
            return vt_vfr_duration_ms(i);
    return 40;
}

static inline int vt_encode_write(AVFormatContext *oc, AVCodecContext *enc, AVStream *st, AVFrame *f,
                                  int vfr)
{
    AVPacket *pkt = av_packet_alloc();
    int ret = avcodec_send_frame(enc, f);
    while (ret >= 0) {
        ret = avcodec_receive_packet(enc, pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) {
            ret = 0;
            break;
        }
        if (ret < 0)
            break;
        pkt->duration = vt_packet_duration(enc, pkt, vfr);
        av_packet_rescale_ts(pkt, enc->time_base, st->time_base);
        pkt->stream_index = st->index;
        ret = av_interleaved_write_frame(oc, pkt);
    }
    av_packet_free(&pkt);
    return ret;
}

static inline int vt_audio_open(AVFormatContext *oc, vt_audio *a, const char *name, double freq)
{
    const AVCodec *c = avcodec_find_encoder_by_name(name);
    if (!c)
        return -1;
    a->enc = avcodec_alloc_context3(c);
    a->enc->sample_rate = 48000;
    a->enc->sample_fmt = c->sample_fmts ? c->sample_fmts[0] : AV_SAMPLE_FMT_FLTP;
    AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;
    av_channel_layout_copy(&a->enc->ch_layout, &stereo);
    a->enc->time_base = (AVRational){1, 48000};
    a->enc->bit_rate = 96000;
    if (oc->oformat->flags & AVFMT_GLOBALHEADER)
        a->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (avcodec_open2(a->enc, c, NULL) < 0)
        return -1;
    a->st = avformat_new_stream(oc, NULL);
    avcodec_parameters_from_context(a->st->codecpar, a->enc);
    a->st->time_base = a->enc->time_base;
    a->frame = av_frame_alloc();
    a->freq = freq;
    return 0;
}

/* Encodes sine samples up to time t_s. */
static inline int vt_audio_until(AVFormatContext *oc, vt_audio *a, double t_s)
{
    int n = a->enc->frame_size > 0 ? a->enc->frame_size : 1024;
    while ((double)a->samples / 48000 < t_s) {
        AVFrame *f = a->frame;
        av_frame_unref(f);
        f->nb_samples = n;
        f->format = a->enc->sample_fmt;
        f->sample_rate = 48000;
        av_channel_layout_copy(&f->ch_layout, &a->enc->ch_layout);
        if (av_frame_get_buffer(f, 0) < 0)
            return -1;
        for (int i = 0; i < n; i++) {
            double v = 0.3 * sin(2 * M_PI * a->freq * (double)(a->samples + i) / 48000);
            for (int ch = 0; ch < 2; ch++) {
                switch (a->enc->sample_fmt) {
                case AV_SAMPLE_FMT_FLTP: ((float *)f->data[ch])[i] = (float)v; break;
                case AV_SAMPLE_FMT_FLT: ((float *)f->data[0])[i * 2 + ch] = (float)v; break;
                case AV_SAMPLE_FMT_S16: ((int16_t *)f->data[0])[i * 2 + ch] = (int16_t)(v * 32767); break;
                case AV_SAMPLE_FMT_S16P: ((int16_t *)f->data[ch])[i] = (int16_t)(v * 32767); break;
                default: break;
                }
            }
        }
        f->pts = a->samples;
        a->samples += n;
        if (vt_encode_write(oc, a->enc, a->st, f, 0) < 0)
            return -1;
    }
    return 0;
}

static inline void vt_audio_close(vt_audio *a)
{
    avcodec_free_context(&a->enc);
    av_frame_free(&a->frame);
}

/* Writes the clip; 0 on success. */
static inline int vt_make_clip(const char *path, const vt_clip *c)
{
    AVFormatContext *oc = NULL;
    vt_audio audio[2];
    int ret = -1;
    memset(audio, 0, sizeof audio);
    if (avformat_alloc_output_context2(&oc, NULL, NULL, path) < 0)
        return -1;
    const AVCodec *vc = avcodec_find_encoder_by_name(c->vcodec);
    AVCodecContext *enc = avcodec_alloc_context3(vc);
    enc->width = c->width;
    enc->height = c->height;
    enc->pix_fmt = !strcmp(c->vcodec, "ffv1") ? AV_PIX_FMT_YUV444P : AV_PIX_FMT_YUV420P;
    enc->time_base = c->vfr ? (AVRational){1, 1000} : (AVRational){1, c->fps};
    enc->framerate = (AVRational){c->fps, 1};
    enc->gop_size = c->gop > 0 ? c->gop : 12;
    enc->colorspace = AVCOL_SPC_BT709;
    enc->color_primaries = AVCOL_PRI_BT709;
    enc->color_trc = AVCOL_TRC_BT709;
    enc->color_range = AVCOL_RANGE_MPEG;
    if (oc->oformat->flags & AVFMT_GLOBALHEADER)
        enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (!strcmp(c->vcodec, "libx264"))
        av_opt_set(enc->priv_data, "preset", "ultrafast", 0);
    if (!strcmp(c->vcodec, "libvpx-vp9")) {
        av_opt_set(enc->priv_data, "deadline", "realtime", 0);
        av_opt_set_int(enc->priv_data, "cpu-used", 8, 0);
    }
    AVStream *vs = NULL;
    AVFrame *frame = av_frame_alloc();
    struct SwsContext *sws = NULL;
    uint8_t *rgb = malloc((size_t)c->width * c->height * 3);
    if (avcodec_open2(enc, vc, NULL) < 0)
        goto done;
    vs = avformat_new_stream(oc, NULL);
    avcodec_parameters_from_context(vs->codecpar, enc);
    vs->time_base = enc->time_base;
    if (c->rotation_deg) {
        uint8_t *m = av_stream_new_side_data(vs, AV_PKT_DATA_DISPLAYMATRIX, 36);
        /* FFmpeg 5.1 reads a matrix set with +angle as a clockwise turn of angle */
        av_display_rotation_set((int32_t *)m, c->rotation_deg);
    }
    for (int t = 0; t < c->audio_tracks && t < 2; t++)
        if (vt_audio_open(oc, &audio[t], c->acodec, t ? 660.0 : 440.0) < 0)
            goto done;
    if (avio_open(&oc->pb, path, AVIO_FLAG_WRITE) < 0)
        goto done;
    AVDictionary *opts = NULL;
    if (c->faststart)
        av_dict_set(&opts, "movflags", "+faststart", 0);
    ret = avformat_write_header(oc, &opts);
    av_dict_free(&opts);
    if (ret < 0)
        goto done;
    ret = -1;
    frame->format = enc->pix_fmt;
    frame->width = c->width;
    frame->height = c->height;
    av_frame_get_buffer(frame, 0);
    sws = sws_getContext(c->width, c->height, AV_PIX_FMT_RGB24, c->width, c->height,
                         enc->pix_fmt, SWS_BICUBIC | SWS_ACCURATE_RND, NULL, NULL, NULL);
    sws_setColorspaceDetails(sws, sws_getCoefficients(SWS_CS_DEFAULT), 1,
                             sws_getCoefficients(SWS_CS_ITU709), 0, 0, 1 << 16, 1 << 16);
    for (int i = 0; i < c->frames; i++) {
        int64_t pts = c->vfr ? vt_vfr_pts_ms(i) : i;
        double t = c->vfr ? pts / 1000.0 : (double)i / c->fps;
        for (int a = 0; a < c->audio_tracks; a++)
            if (vt_audio_until(oc, &audio[a], t) < 0)
                goto done;
        if (c->paint)
            c->paint(c->paint_user, rgb, c->width * 3, c->width, c->height, i);
        else if (c->still)
            memcpy(rgb, c->still, (size_t)c->width * c->height * 3);
        else
            vt_pattern(rgb, c->width * 3, c->width, c->height, i);
        av_frame_make_writable(frame);
        const uint8_t *src[1] = {rgb};
        int stride[1] = {c->width * 3};
        sws_scale(sws, src, stride, 0, c->height, frame->data, frame->linesize);
        frame->pts = pts;
        if (vt_encode_write(oc, enc, vs, frame, c->vfr) < 0)
            goto done;
    }
    double end = c->vfr ? vt_vfr_pts_ms(c->frames) / 1000.0 : (double)c->frames / c->fps;
    for (int a = 0; a < c->audio_tracks; a++) {
        if (vt_audio_until(oc, &audio[a], end) < 0 ||
            vt_encode_write(oc, audio[a].enc, audio[a].st, NULL, 0) < 0)
            goto done;
    }
    if (vt_encode_write(oc, enc, vs, NULL, c->vfr) < 0)
        goto done;
    ret = av_write_trailer(oc) < 0 ? -1 : 0;
done:
    for (int a = 0; a < 2; a++)
        vt_audio_close(&audio[a]);
    sws_freeContext(sws);
    free(rgb);
    av_frame_free(&frame);
    avcodec_free_context(&enc);
    if (oc && oc->pb)
        avio_closep(&oc->pb);
    avformat_free_context(oc);
    return ret;
}

/* ------------------------------------------------------------ measuring */

#define VT_MAX_STREAMS 4

typedef struct vt_stream_stats {
    int type;                 /* AVMEDIA_TYPE_* */
    int codec_id;
    int packets;
    uint64_t *hashes;         /* per packet, in file order */
    double *pts_s;            /* per packet pts in seconds */
    double first_s, end_s;    /* min pts, max pts+duration */
} vt_stream_stats;

typedef struct vt_stats {
    int streams;
    vt_stream_stats s[VT_MAX_STREAMS];
    int video;                /* index of the first video stream, -1 none */
    int audio[VT_MAX_STREAMS];
    int audio_count;
} vt_stats;

static inline uint64_t vt_hash(const uint8_t *d, int n)
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < n; i++)
        h = (h ^ d[i]) * 1099511628211ULL;
    return h ^ (uint64_t)n;
}

static inline int vt_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static inline void vt_stats_free(vt_stats *s)
{
    for (int i = 0; i < VT_MAX_STREAMS; i++) {
        free(s->s[i].hashes);
        free(s->s[i].pts_s);
    }
    memset(s, 0, sizeof *s);
}

/* Reads every packet of path; 0 on success. Video pts lists are sorted. */
static inline int vt_probe(const char *path, vt_stats *out)
{
    AVFormatContext *ic = NULL;
    memset(out, 0, sizeof *out);
    out->video = -1;
    if (avformat_open_input(&ic, path, NULL, NULL) < 0)
        return -1;
    if (avformat_find_stream_info(ic, NULL) < 0) {
        avformat_close_input(&ic);
        return -1;
    }
    out->streams = ic->nb_streams < VT_MAX_STREAMS ? (int)ic->nb_streams : VT_MAX_STREAMS;
    for (int i = 0; i < out->streams; i++) {
        vt_stream_stats *s = &out->s[i];
        s->type = ic->streams[i]->codecpar->codec_type;
        s->codec_id = ic->streams[i]->codecpar->codec_id;
        s->first_s = 1e30;
        if (s->type == AVMEDIA_TYPE_VIDEO && out->video < 0)
            out->video = i;
        if (s->type == AVMEDIA_TYPE_AUDIO)
            out->audio[out->audio_count++] = i;
    }
    AVPacket *pkt = av_packet_alloc();
    int cap[VT_MAX_STREAMS] = {0};
    double stream_end[VT_MAX_STREAMS] = {0};
    for (int i = 0; i < out->streams; i++) {
        AVStream *st = ic->streams[i];
        if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
            stream_end[i] = (double)((st->start_time != AV_NOPTS_VALUE ? st->start_time : 0) +
                                     st->duration) * av_q2d(st->time_base);
    }
    while (av_read_frame(ic, pkt) >= 0) {
        int i = pkt->stream_index;
        if (i < out->streams) {
            vt_stream_stats *s = &out->s[i];
            if (s->packets == cap[i]) {
                cap[i] = cap[i] ? cap[i] * 2 : 64;
                s->hashes = realloc(s->hashes, (size_t)cap[i] * sizeof *s->hashes);
                s->pts_s = realloc(s->pts_s, (size_t)cap[i] * sizeof *s->pts_s);
            }
            double tb = av_q2d(ic->streams[i]->time_base);
            int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
            double t = ts * tb;
            s->hashes[s->packets] = vt_hash(pkt->data, pkt->size);
            s->pts_s[s->packets] = t;
            s->packets++;
            if (t < s->first_s)
                s->first_s = t;
            if (t + pkt->duration * tb > s->end_s)
                s->end_s = t + pkt->duration * tb;
        }
        av_packet_unref(pkt);
    }
    av_packet_free(&pkt);
    /* mp4 packets carry no duration: the stream's own end is better */
    for (int i = 0; i < out->streams; i++)
        if (out->s[i].packets && stream_end[i] > out->s[i].end_s)
            out->s[i].end_s = stream_end[i];
    if (out->video >= 0 && out->s[out->video].packets)
        qsort(out->s[out->video].pts_s, (size_t)out->s[out->video].packets, sizeof(double),
              vt_cmp_double);
    avformat_close_input(&ic);
    return 0;
}

/* Video frame count (one packet a frame for the codecs used here). */
static inline int vt_video_frames(const vt_stats *s)
{
    return s->video >= 0 ? s->s[s->video].packets : 0;
}

static inline double vt_stream_duration(const vt_stats *s, int stream)
{
    const vt_stream_stats *t = &s->s[stream];
    return t->packets ? t->end_s - t->first_s : 0;
}

/* Stamps index as 16 bits of 8×8 black/white blocks along the top rows. */
static inline void vt_stamp(facefuse_image *im, int64_t index)
{
    for (int bit = 0; bit < 16; bit++) {
        uint8_t v = (index >> bit) & 1 ? 255 : 0;
        for (int y = 0; y < 8; y++)
            for (int x = bit * 8; x < bit * 8 + 8 && x < im->width; x++)
                memset(im->data + (size_t)y * im->stride + (size_t)x * im->channels, v, 3);
    }
}

static inline int64_t vt_read_stamp(const facefuse_image *im)
{
    int64_t index = 0;
    for (int bit = 0; bit < 16; bit++) {
        const uint8_t *p = im->data + (size_t)4 * im->stride + (size_t)(bit * 8 + 4) * im->channels;
        if (p[1] > 128)
            index |= (int64_t)1 << bit;
    }
    return index;
}

/* Copies the first n bytes of src into dst; zeroes [zero_from, zero_to) when given. */
static inline int vt_copy_bytes(const char *src, const char *dst, double keep_fraction, double zero_from,
                         double zero_to)
{
    FILE *f = fopen(src, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    long keep = (long)(n * keep_fraction);
    if (zero_to > zero_from)
        memset(buf + (long)(n * zero_from), 0, (size_t)((long)(n * zero_to) - (long)(n * zero_from)));
    FILE *o = fopen(dst, "wb");
    if (!o) {
        free(buf);
        return -1;
    }
    fwrite(buf, 1, (size_t)keep, o);
    fclose(o);
    free(buf);
    return 0;
}

#endif
