/*
 * audio_testutil.h — test helpers (static, header-only): write a float
 * signal as an audio file with FFmpeg's libraries (any encoder and
 * container: pcm_s16le .wav, flac, aac .m4a, libmp3lame .mp3, libvorbis
 * .ogg), and measure a tone's frequency. Independent of src/media, so the
 * reader is not checked against itself.
 */
#ifndef FU_AUDIO_TESTUTIL_H
#define FU_AUDIO_TESTUTIL_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline int at_pick_format(const AVCodec *c)
{
    static const enum AVSampleFormat wanted[] = {AV_SAMPLE_FMT_FLT, AV_SAMPLE_FMT_FLTP, AV_SAMPLE_FMT_S16,
                                                 AV_SAMPLE_FMT_S16P, AV_SAMPLE_FMT_S32, AV_SAMPLE_FMT_S32P};
    if (!c->sample_fmts)
        return AV_SAMPLE_FMT_S16;
    for (int w = 0; w < 6; w++)
        for (const enum AVSampleFormat *f = c->sample_fmts; *f != AV_SAMPLE_FMT_NONE; f++)
            if (*f == wanted[w])
                return *f;
    return -1;
}

/* Sample i of channel ch into frame slot `at`. */
static inline void at_put(AVFrame *f, int at, int ch, int channels, float v)
{
    int planar = av_sample_fmt_is_planar(f->format);
    int idx = planar ? at : at * channels + ch;
    uint8_t *base = f->extended_data[planar ? ch : 0];
    v = v > 1 ? 1 : v < -1 ? -1 : v;
    switch (av_get_packed_sample_fmt(f->format)) {
    case AV_SAMPLE_FMT_FLT: ((float *)base)[idx] = v; break;
    case AV_SAMPLE_FMT_S16: ((int16_t *)base)[idx] = (int16_t)lrintf(v * 32767.0f); break;
    case AV_SAMPLE_FMT_S32: ((int32_t *)base)[idx] = (int32_t)lrint(v * 2147483647.0); break;
    default: break;
    }
}

static inline int at_encode(AVFormatContext *oc, AVCodecContext *enc, AVStream *st, AVFrame *f, AVPacket *pkt)
{
    int ret = avcodec_send_frame(enc, f);
    while (ret >= 0) {
        ret = avcodec_receive_packet(enc, pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0)
            return ret;
        av_packet_rescale_ts(pkt, enc->time_base, st->time_base);
        pkt->stream_index = st->index;
        if ((ret = av_interleaved_write_frame(oc, pkt)) < 0)
            return ret;
    }
    return ret;
}

/* Writes samples (frames × channels, interleaved, in [−1, 1]) at rate with
 * the named encoder into path (container from its extension). 0 on success;
 * 1 when the encoder is not in this FFmpeg build; −1 on failure. */
static inline int at_write(const char *path, const char *encoder, int rate, int channels, const float *samples,
                           int64_t frames)
{
    const AVCodec *c = avcodec_find_encoder_by_name(encoder);
    AVFormatContext *oc = NULL;
    AVCodecContext *enc = NULL;
    AVFrame *f = av_frame_alloc();
    AVPacket *pkt = av_packet_alloc();
    int ret = -1, fmt;
    if (!c) {
        av_frame_free(&f), av_packet_free(&pkt);
        return 1;
    }
    if ((fmt = at_pick_format(c)) < 0 || avformat_alloc_output_context2(&oc, NULL, NULL, path) < 0 || !f || !pkt)
        goto done;
    AVStream *st = avformat_new_stream(oc, NULL);
    enc = avcodec_alloc_context3(c);
    if (!st || !enc)
        goto done;
    enc->sample_fmt = fmt;
    enc->sample_rate = rate;
    av_channel_layout_default(&enc->ch_layout, channels);
    enc->time_base = (AVRational){1, rate};
    enc->bit_rate = 192000;
    enc->strict_std_compliance = FF_COMPLIANCE_EXPERIMENTAL;
    if (oc->oformat->flags & AVFMT_GLOBALHEADER)
        enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (avcodec_open2(enc, c, NULL) < 0 || avcodec_parameters_from_context(st->codecpar, enc) < 0)
        goto done;
    st->time_base = enc->time_base;
    if (avio_open(&oc->pb, path, AVIO_FLAG_WRITE) < 0 || avformat_write_header(oc, NULL) < 0)
        goto done;
    const int chunk = enc->frame_size > 0 ? enc->frame_size : 1024;
    for (int64_t at = 0; at < frames; at += chunk) {
        int n = (int)(frames - at < chunk ? frames - at : chunk);
        av_frame_unref(f);
        f->format = fmt;
        f->sample_rate = rate;
        f->nb_samples = c->capabilities & (AV_CODEC_CAP_VARIABLE_FRAME_SIZE | AV_CODEC_CAP_SMALL_LAST_FRAME) ? n : chunk;
        av_channel_layout_copy(&f->ch_layout, &enc->ch_layout);
        if (av_frame_get_buffer(f, 0) < 0)
            goto done;
        av_samples_set_silence(f->extended_data, 0, f->nb_samples, channels, fmt);
        for (int i = 0; i < n; i++)
            for (int ch = 0; ch < channels; ch++)
                at_put(f, i, ch, channels, samples[(at + i) * channels + ch]);
        f->pts = at;
        if (at_encode(oc, enc, st, f, pkt) < 0)
            goto done;
    }
    if (at_encode(oc, enc, st, NULL, pkt) < 0 || av_write_trailer(oc) < 0)
        goto done;
    ret = 0;
done:
    avcodec_free_context(&enc);
    if (oc && oc->pb)
        avio_closep(&oc->pb);
    avformat_free_context(oc);
    av_frame_free(&f);
    av_packet_free(&pkt);
    return ret;
}

/* Copies src to dst with the payload of every nth audio packet (from
 * `first`) overwritten by random bytes; n = 1: all of them. Returns how many
 * packets were overwritten, −1 on failure. */
static inline int at_corrupt_packets(const char *src, const char *dst, int first, int nth)
{
    AVFormatContext *ic = NULL;
    AVPacket *pkt = av_packet_alloc();
    FILE *f = fopen(src, "rb");
    long size = 0;
    uint8_t *buf = NULL;
    int index = 0, done = 0;
    uint32_t lcg = 7;
    if (f && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && (buf = malloc((size_t)size)) &&
        fseek(f, 0, SEEK_SET) == 0 && fread(buf, 1, (size_t)size, f) == (size_t)size &&
        avformat_open_input(&ic, src, NULL, NULL) >= 0 && avformat_find_stream_info(ic, NULL) >= 0) {
        while (pkt && av_read_frame(ic, pkt) >= 0) {
            if (ic->streams[pkt->stream_index]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO && pkt->pos >= 0 &&
                index++ >= first && (index - 1 - first) % nth == 0 && pkt->pos + pkt->size <= size) {
                for (int i = 0; i < pkt->size; i++) {
                    lcg = lcg * 1664525u + 1013904223u;
                    buf[pkt->pos + i] = (uint8_t)(lcg >> 24);
                }
                done++;
            }
            av_packet_unref(pkt);
        }
    }
    avformat_close_input(&ic);
    av_packet_free(&pkt);
    if (f)
        fclose(f);
    FILE *o = buf ? fopen(dst, "wb") : NULL;
    if (!o || fwrite(buf, 1, (size_t)size, o) != (size_t)size)
        done = -1;
    if (o)
        fclose(o);
    free(buf);
    return done;
}

/* The frequency of the strongest sinusoid in x (n samples at rate) between
 * lo and hi Hz: a coarse DFT scan, then golden-section refinement to 0.01 Hz. */
static inline double at_power_at(const float *x, int64_t n, int rate, double hz)
{
    double re = 0, im = 0;
    for (int64_t i = 0; i < n; i++) {
        double w = 0.5 - 0.5 * cos(2 * M_PI * i / (double)n), a = 2 * M_PI * hz * (double)i / rate;
        re += x[i] * w * cos(a);
        im -= x[i] * w * sin(a);
    }
    return re * re + im * im;
}

static inline double at_tone_hz(const float *x, int64_t n, int rate, double lo, double hi)
{
    double best = lo, best_p = -1;
    for (double f = lo; f <= hi; f += 0.25 * rate / (double)n) {
        double p = at_power_at(x, n, rate, f);
        if (p > best_p)
            best_p = p, best = f;
    }
    double a = best - 0.5 * rate / (double)n, b = best + 0.5 * rate / (double)n;
    const double g = (sqrt(5.0) - 1) / 2;
    while (b - a > 0.01) {
        double c = b - g * (b - a), d = a + g * (b - a);
        if (at_power_at(x, n, rate, c) > at_power_at(x, n, rate, d))
            b = d;
        else
            a = c;
    }
    return (a + b) / 2;
}

#endif
