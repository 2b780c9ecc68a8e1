/*
 * audio_reader.c — decode a file's audio to float at a chosen rate (see
 * audio_reader.h).
 *
 * One pass: demux the best audio stream, decode every packet, and push the
 * frames through one SwrContext (rebuilt if the stream changes format
 * midway) into a growing interleaved float buffer. The first decoded
 * sample is time zero, as for the ffmpeg command FaceFusion runs. A packet
 * the decoder rejects becomes silence of its duration (swr_inject_silence)
 * so what follows keeps its time, unless such packets are more than a tenth
 * of the stream: that is corrupt audio, an error. A frame whose timestamp
 * jumps more than MIN_GAP_S past the samples so far (a hole in the stream)
 * gets silence before it too, up to MAX_GAP_S; smaller differences are
 * timestamp jitter (Ogg pages) and are left alone, as ffmpeg does.
 * Channels are mixed as ffmpeg mixes for 16-bit output (rematrix_maxval
 * 1: stereo → mono is the mean).
 */
#include "media/audio_reader.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/log.h"
#include "media/av_log.h"

#define MIN_GAP_S 0.1
#define MAX_GAP_S 10.0

typedef struct decoder {
    const char *path;
    AVFormatContext *fmt;
    AVStream *st;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame;
    SwrContext *swr;
    AVChannelLayout swr_in_layout;
    int swr_in_format, swr_in_rate;
    int rate_hz, channels;
    int64_t origin_pts;      /* the first frame's pts, AV_NOPTS_VALUE before it */
    int64_t in_samples;      /* input samples fed to swr (at the input rate), silence included */
    int64_t packets, bad_packets;
    int64_t lost_samples;    /* silence owed for rejected packets, at the input rate */
    float *buf;
    int64_t frames, capacity; /* output frames held and room for */
} decoder;

static const char *av_errtext(int code, char *buf, size_t size)
{
    av_strerror(code, buf, size);
    return buf;
}

void fu_audio_pcm_free(fu_audio_pcm *pcm)
{
    if (!pcm)
        return;
    free(pcm->samples);
    memset(pcm, 0, sizeof *pcm);
}

static void decoder_close(decoder *d)
{
    swr_free(&d->swr);
    av_channel_layout_uninit(&d->swr_in_layout);
    avcodec_free_context(&d->dec);
    avformat_close_input(&d->fmt);
    av_packet_free(&d->pkt);
    av_frame_free(&d->frame);
    free(d->buf);
    d->buf = NULL;
}

static facefuse_status open_input(decoder *d, fu_err *err)
{
    char eb[128];
    const AVCodec *codec = NULL;
    int ret = avformat_open_input(&d->fmt, d->path, NULL, NULL);
    if (ret == AVERROR_INVALIDDATA || ret == AVERROR(EINVAL))
        return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot read audio from %s: not a media file FFmpeg can read (%s)",
                       d->path, av_errtext(ret, eb, sizeof eb));
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot read audio from %s: %s", d->path,
                       av_errtext(ret, eb, sizeof eb));
    ret = avformat_find_stream_info(d->fmt, NULL);
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot read the streams of %s: %s", d->path,
                       av_errtext(ret, eb, sizeof eb));
    ret = av_find_best_stream(d->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
    if (ret == AVERROR_STREAM_NOT_FOUND)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "no audio stream in %s", d->path);
    if (ret < 0 || !codec)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "no decoder for the audio of %s (%s)", d->path,
                       avcodec_get_name(d->fmt->streams[ret < 0 ? 0 : ret]->codecpar->codec_id));
    d->st = d->fmt->streams[ret];
    if (!(d->dec = avcodec_alloc_context3(codec)))
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory opening %s", d->path);
    ret = avcodec_parameters_to_context(d->dec, d->st->codecpar);
    d->dec->pkt_timebase = d->st->time_base;
    if (ret >= 0)
        ret = avcodec_open2(d->dec, codec, NULL);
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot open the %s decoder for %s: %s", codec->name, d->path,
                       av_errtext(ret, eb, sizeof eb));
    return FACEFUSE_OK;
}

/* Room for `more` output frames. */
static facefuse_status reserve(decoder *d, int64_t more, fu_err *err)
{
    if (d->frames + more <= d->capacity)
        return FACEFUSE_OK;
    int64_t cap = d->capacity ? d->capacity : 65536;
    while (cap < d->frames + more)
        cap *= 2;
    float *grown = realloc(d->buf, sizeof(float) * (size_t)cap * (size_t)d->channels);
    if (!grown)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the audio of %s (%lld samples)", d->path,
                       (long long)cap);
    d->buf = grown;
    d->capacity = cap;
    return FACEFUSE_OK;
}

/* Runs swr on n input frames (NULL: flush) and appends what comes out. */
static facefuse_status convert(decoder *d, const uint8_t **in, int n, fu_err *err)
{
    char eb[128];
    for (;;) {
        int room = swr_get_out_samples(d->swr, n);
        if (room <= 0)
            room = 4096;
        facefuse_status st = reserve(d, room, err);
        if (st != FACEFUSE_OK)
            return st;
        uint8_t *out = (uint8_t *)(d->buf + d->frames * d->channels);
        int got = swr_convert(d->swr, &out, room, in, n);
        if (got < 0)
            return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot resample the audio of %s: %s", d->path,
                           av_errtext(got, eb, sizeof eb));
        d->frames += got;
        if (in || got == 0)
            return FACEFUSE_OK;
    }
}

/* An SwrContext from the frame's format to float at the wanted rate and
 * channels, flushing the previous one when the input format changed. */
static facefuse_status ensure_swr(decoder *d, const AVFrame *f, fu_err *err)
{
    char eb[128];
    AVChannelLayout in_layout = {0}, out_layout = {0};
    if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || f->ch_layout.order == AV_CHANNEL_ORDER_CUSTOM)
        av_channel_layout_default(&in_layout, f->ch_layout.nb_channels);
    else
        av_channel_layout_copy(&in_layout, &f->ch_layout);
    if (d->swr && d->swr_in_format == f->format && d->swr_in_rate == f->sample_rate &&
        !av_channel_layout_compare(&d->swr_in_layout, &in_layout)) {
        av_channel_layout_uninit(&in_layout);
        return FACEFUSE_OK;
    }
    if (d->swr) {
        facefuse_status st = convert(d, NULL, 0, err);
        swr_free(&d->swr);
        if (st != FACEFUSE_OK) {
            av_channel_layout_uninit(&in_layout);
            return st;
        }
    }
    av_channel_layout_default(&out_layout, d->channels);
    int ret = swr_alloc_set_opts2(&d->swr, &out_layout, AV_SAMPLE_FMT_FLT, d->rate_hz, &in_layout, f->format,
                                  f->sample_rate, 0, NULL);
    if (ret >= 0)
        ret = av_opt_set_double(d->swr, "rematrix_maxval", 1.0, 0);
    if (ret >= 0)
        ret = swr_init(d->swr);
    av_channel_layout_uninit(&d->swr_in_layout);
    d->swr_in_layout = in_layout;
    d->swr_in_format = f->format;
    d->swr_in_rate = f->sample_rate;
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot convert the audio of %s (%d channels, %d Hz): %s", d->path,
                       f->ch_layout.nb_channels, f->sample_rate, av_errtext(ret, eb, sizeof eb));
    return FACEFUSE_OK;
}

/* Silence before the frame when it starts later than the samples fed so far reach. */
static void fill_gap(decoder *d, const AVFrame *f)
{
    int64_t pts = f->best_effort_timestamp;
    if (pts == AV_NOPTS_VALUE || f->sample_rate <= 0)
        return;
    if (d->origin_pts == AV_NOPTS_VALUE) {
        d->origin_pts = pts;
        return;
    }
    int64_t at = av_rescale_q(pts - d->origin_pts, d->st->time_base, (AVRational){1, f->sample_rate});
    int64_t gap = at - d->in_samples;
    if (gap < (int64_t)(MIN_GAP_S * f->sample_rate) || gap > (int64_t)(MAX_GAP_S * f->sample_rate))
        return;
    if (swr_inject_silence(d->swr, (int)gap) >= 0)
        d->in_samples += gap;
}

/* The silence owed for rejected packets, before the next decoded frame. */
static void pay_lost(decoder *d)
{
    if (d->lost_samples > 0 && d->lost_samples <= (int64_t)(MAX_GAP_S * d->swr_in_rate) &&
        swr_inject_silence(d->swr, (int)d->lost_samples) >= 0)
        d->in_samples += d->lost_samples;
    d->lost_samples = 0;
}

static facefuse_status take_frames(decoder *d, fu_err *err)
{
    char eb[128];
    for (;;) {
        int ret = avcodec_receive_frame(d->dec, d->frame);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return FACEFUSE_OK;
        if (ret < 0) {
            d->bad_packets++;
            fu_debug("audio of %s: %s", d->path, av_errtext(ret, eb, sizeof eb));
            continue;
        }
        facefuse_status st = ensure_swr(d, d->frame, err);
        if (st == FACEFUSE_OK) {
            if (d->origin_pts != AV_NOPTS_VALUE)
                pay_lost(d);
            fill_gap(d, d->frame);
            st = convert(d, (const uint8_t **)d->frame->extended_data, d->frame->nb_samples, err);
            d->in_samples += d->frame->nb_samples;
        }
        av_frame_unref(d->frame);
        if (st != FACEFUSE_OK)
            return st;
    }
}

static facefuse_status decode_all(decoder *d, fu_err *err)
{
    char eb[128];
    facefuse_status st = FACEFUSE_OK;
    for (;;) {
        int ret = av_read_frame(d->fmt, d->pkt);
        if (ret == AVERROR_EOF)
            break;
        if (ret < 0)
            return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot read audio from %s: %s", d->path,
                           av_errtext(ret, eb, sizeof eb));
        if (d->pkt->stream_index != d->st->index) {
            av_packet_unref(d->pkt);
            continue;
        }
        d->packets++;
        const int64_t duration = d->pkt->duration;
        ret = avcodec_send_packet(d->dec, d->pkt);
        av_packet_unref(d->pkt);
        if (ret < 0 && ret != AVERROR(EAGAIN)) {
            d->bad_packets++;
            if (duration > 0 && d->dec->sample_rate > 0)
                d->lost_samples += av_rescale_q(duration, d->st->time_base, (AVRational){1, d->dec->sample_rate});
            fu_debug("audio of %s: %s", d->path, av_errtext(ret, eb, sizeof eb));
        }
        if ((st = take_frames(d, err)) != FACEFUSE_OK)
            return st;
    }
    avcodec_send_packet(d->dec, NULL);
    if ((st = take_frames(d, err)) != FACEFUSE_OK)
        return st;
    if (d->swr && (st = convert(d, NULL, 0, err)) != FACEFUSE_OK)
        return st;
    if (d->bad_packets > 0 && (d->frames == 0 || d->bad_packets * 10 > d->packets))
        return fu_fail(err, FACEFUSE_ERR_DECODE, "corrupt audio in %s: %lld of %lld packets cannot be decoded",
                       d->path, (long long)d->bad_packets, (long long)d->packets);
    if (d->frames == 0)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "the audio stream of %s holds no samples", d->path);
    if (d->bad_packets > 0)
        fu_warn("%lld of %lld audio packets of %s cannot be decoded; silence takes their place",
                (long long)d->bad_packets, (long long)d->packets, d->path);
    return FACEFUSE_OK;
}

facefuse_status fu_audio_read(const char *path, int rate_hz, int channels, fu_audio_pcm *out, fu_err *err)
{
    decoder d;
    memset(out, 0, sizeof *out);
    memset(&d, 0, sizeof d);
    fu_av_log_init();
    if (!path || !*path)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "no audio path given");
    if (rate_hz < 8000 || rate_hz > 384000 || (channels != 1 && channels != 2))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "audio of %s: cannot convert to %d Hz, %d channels",
                       path, rate_hz, channels);
    if (!fu_file_exists(path))
        return fu_fail(err, FACEFUSE_ERR_NOT_FOUND, "audio file %s does not exist", path);
    d.path = path;
    d.rate_hz = rate_hz;
    d.channels = channels;
    d.origin_pts = AV_NOPTS_VALUE;
    facefuse_status st = FACEFUSE_OK;
    if (!(d.pkt = av_packet_alloc()) || !(d.frame = av_frame_alloc()))
        st = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory opening %s", path);
    if (st == FACEFUSE_OK)
        st = open_input(&d, err);
    if (st == FACEFUSE_OK)
        st = decode_all(&d, err);
    if (st == FACEFUSE_OK) {
        out->samples = d.buf;
        out->frames = d.frames;
        out->channels = channels;
        out->rate_hz = rate_hz;
        d.buf = NULL;
    }
    decoder_close(&d);
    return st;
}

facefuse_status fu_audio_convert(const fu_audio_pcm *in, int rate_hz, int channels, fu_audio_pcm *out, fu_err *err)
{
    decoder d;
    AVFrame f;
    memset(out, 0, sizeof *out);
    memset(&d, 0, sizeof d);
    if (rate_hz < 8000 || rate_hz > 384000 || (channels != 1 && channels != 2) || !in ||
        (in->channels != 1 && in->channels != 2) || in->rate_hz <= 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "cannot convert audio to %d Hz, %d channels", rate_hz,
                       channels);
    d.path = "memory";
    d.rate_hz = rate_hz;
    d.channels = channels;
    memset(&f, 0, sizeof f);
    f.format = AV_SAMPLE_FMT_FLT;
    f.sample_rate = in->rate_hz;
    av_channel_layout_default(&f.ch_layout, in->channels);
    facefuse_status st = ensure_swr(&d, &f, err);
    /* in chunks, so swr's own buffers stay small */
    for (int64_t at = 0; st == FACEFUSE_OK && at < in->frames; at += 1 << 16) {
        int n = (int)(in->frames - at < (1 << 16) ? in->frames - at : (1 << 16));
        const uint8_t *src = (const uint8_t *)(in->samples + at * in->channels);
        st = convert(&d, &src, n, err);
    }
    if (st == FACEFUSE_OK)
        st = convert(&d, NULL, 0, err);
    if (st == FACEFUSE_OK) {
        out->samples = d.buf;
        out->frames = d.frames;
        out->channels = channels;
        out->rate_hz = rate_hz;
        d.buf = NULL;
    }
    av_channel_layout_uninit(&f.ch_layout);
    decoder_close(&d);
    return st;
}

void fu_audio_probe(const char *path, int *has_audio, int *has_video)
{
    AVFormatContext *fmt = NULL;
    *has_audio = *has_video = 0;
    fu_av_log_init();
    if (!path || !fu_file_exists(path) || avformat_open_input(&fmt, path, NULL, NULL) < 0)
        return;
    if (avformat_find_stream_info(fmt, NULL) >= 0) {
        for (unsigned i = 0; i < fmt->nb_streams; i++) {
            const AVStream *s = fmt->streams[i];
            if (s->codecpar->codec_type == AVMEDIA_TYPE_AUDIO)
                *has_audio = 1;
            if (s->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(s->disposition & AV_DISPOSITION_ATTACHED_PIC))
                *has_video = 1;
        }
    }
    avformat_close_input(&fmt);
}
