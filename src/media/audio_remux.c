/*
 * audio_remux.c — audio of the target (or a replacing file) into the output
 * video, copied packet-for-packet or re-encoded (see audio_remux.h).
 *
 * The source is opened with its own demuxer so the video decode thread never
 * shares one. Packets are read only up to the time the video has reached, so
 * the muxer can interleave by dts with little buffering.
 */
#include "media/audio_remux.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/log.h"
#include "media/encoders.h"

typedef struct audio_track {
    AVStream *in, *out;
    int copy;
    AVCodecContext *dec, *enc;
    SwrContext *swr;
    AVAudioFifo *fifo;
    int64_t next_pts;    /* in samples (the encoder's time base) */
    int started;
} audio_track;

struct fu_audio_remux {
    char *path;
    char ext[16];
    AVFormatContext *ic;
    fu_video_writer *w;
    AVFormatContext *oc;
    audio_track *tracks;
    int track_count;
    int *track_of_stream;  /* input stream index → track, -1 when not kept */
    AVPacket *pkt, *out_pkt;
    AVFrame *frame, *enc_frame;
    double start_s;
    int cut_start;
    double end_s;          /* < 0: no end */
    int volume;
    int matroska_out;      /* Matroska in and out (see write_copy) */
    int has_pending;       /* pkt holds a packet read but not yet due */
    int eof;
};

static const char *av_errtext(int code, char *buf, size_t size)
{
    av_strerror(code, buf, size);
    return buf;
}

static int is(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* FaceFusion's default order is flac first; flac and opus in MP4 are still
 * experimental in FFmpeg 5.1, so aac leads here. */
static const char *const default_audio_encoders[] = {
    "aac", "libopus", "libvorbis", "flac", "libmp3lame", "pcm_s16le", "pcm_s32le", NULL};

static int mp4_family(const char *ext)
{
    return is(ext, "mp4") || is(ext, "mov") || is(ext, "m4v");
}

static int container_takes(const fu_audio_remux *a, enum AVCodecID id)
{
    if (mp4_family(a->ext) &&
        (id == AV_CODEC_ID_VORBIS || id == AV_CODEC_ID_FLAC || id == AV_CODEC_ID_OPUS))
        return 0;
    /* 1 yes, 0 no, negative: the muxer does not say (MPEG-TS, which does
     * take AAC); then it is tried, and the header (written to /dev/null by
     * the pre-flight before any work) decides. */
    return avformat_query_codec(a->oc->oformat, id, FF_COMPLIANCE_NORMAL) != 0;
}

static const AVCodec *pick_encoder(fu_audio_remux *a, const char *requested, fu_err *err,
                                   facefuse_status *st)
{
    *st = FACEFUSE_OK;
    if (requested && *requested) {
        const char *name = fu_audio_encoder_for_container(requested, a->ext);
        const AVCodec *c = avcodec_find_encoder_by_name(name);
        if (!c) {
            *st = fu_fail(err, FACEFUSE_ERR_UNSUPPORTED,
                          "audio encoder %s is not available in this FFmpeg build", name);
            return NULL;
        }
        if (container_takes(a, c->id))
            return c;
        fu_warn("the .%s container cannot hold %s audio; choosing another encoder", a->ext,
                name);
    }
    const char *fixed = fu_audio_encoder_for_container(NULL, a->ext);
    if (fixed) {
        const AVCodec *c = avcodec_find_encoder_by_name(fixed);
        if (c && container_takes(a, c->id))
            return c;
    }
    for (int i = 0; default_audio_encoders[i]; i++) {
        const AVCodec *c = avcodec_find_encoder_by_name(default_audio_encoders[i]);
        if (c && container_takes(a, c->id))
            return c;
    }
    *st = fu_fail(err, FACEFUSE_ERR_UNSUPPORTED, "no audio encoder fits the .%s container",
                  a->ext);
    return NULL;
}

static int pick_sample_rate(const AVCodec *c, int wanted)
{
    if (!c->supported_samplerates)
        return wanted;
    int best = c->supported_samplerates[0];
    for (const int *r = c->supported_samplerates; *r; r++) {
        if (*r == wanted)
            return wanted;
        if (*r == 48000)
            best = 48000;
    }
    return best;
}

static void pick_layout(const AVCodec *c, const AVChannelLayout *in, AVChannelLayout *out)
{
    AVChannelLayout want;
    if (in->order == AV_CHANNEL_ORDER_UNSPEC || in->nb_channels <= 0)
        av_channel_layout_default(&want, in->nb_channels > 0 ? in->nb_channels : 2);
    else
        av_channel_layout_copy(&want, in);
    if (!c->ch_layouts) {
        *out = want;
        return;
    }
    for (const AVChannelLayout *l = c->ch_layouts; l->nb_channels; l++) {
        if (!av_channel_layout_compare(l, &want)) {
            *out = want;
            return;
        }
    }
    av_channel_layout_uninit(&want);
    AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;
    for (const AVChannelLayout *l = c->ch_layouts; l->nb_channels; l++) {
        if (!av_channel_layout_compare(l, &stereo)) {
            av_channel_layout_copy(out, &stereo);
            return;
        }
    }
    av_channel_layout_copy(out, &c->ch_layouts[0]);
}

static enum AVSampleFormat pick_sample_fmt(const AVCodec *c, enum AVSampleFormat wanted)
{
    if (!c->sample_fmts)
        return wanted;
    for (const enum AVSampleFormat *f = c->sample_fmts; *f != AV_SAMPLE_FMT_NONE; f++)
        if (*f == wanted)
            return wanted;
    return c->sample_fmts[0];
}

static facefuse_status open_decoder(fu_audio_remux *a, audio_track *t, fu_err *err)
{
    char eb[128];
    const AVCodec *dc = avcodec_find_decoder(t->in->codecpar->codec_id);
    if (!dc)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "no decoder for the audio codec %s of %s",
                       avcodec_get_name(t->in->codecpar->codec_id), a->path);
    t->dec = avcodec_alloc_context3(dc);
    if (!t->dec)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory reading %s", a->path);
    int ret = avcodec_parameters_to_context(t->dec, t->in->codecpar);
    if (ret >= 0) {
        t->dec->pkt_timebase = t->in->time_base;
        ret = avcodec_open2(t->dec, dc, NULL);
    }
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot open the audio decoder of %s: %s",
                       a->path, av_errtext(ret, eb, sizeof eb));
    return FACEFUSE_OK;
}

static facefuse_status open_encoder(fu_audio_remux *a, audio_track *t, const fu_audio_params *p,
                                    fu_err *err)
{
    char eb[128];
    facefuse_status st;
    const AVCodec *ec = pick_encoder(a, p->encoder, err, &st);
    if (!ec)
        return st;
    t->enc = avcodec_alloc_context3(ec);
    if (!t->enc)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory encoding audio of %s", a->path);
    t->enc->sample_rate = pick_sample_rate(ec, t->dec->sample_rate);
    pick_layout(ec, &t->dec->ch_layout, &t->enc->ch_layout);
    t->enc->sample_fmt = pick_sample_fmt(ec, t->dec->sample_fmt);
    t->enc->time_base = (AVRational){1, t->enc->sample_rate};
    if (a->oc->oformat->flags & AVFMT_GLOBALHEADER)
        t->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    fu_audio_encoder_configure(t->enc, ec->name, p->quality);
    int ret = avcodec_open2(t->enc, ec, NULL);
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_ENCODE, "cannot open audio encoder %s for %s: %s",
                       ec->name, a->path, av_errtext(ret, eb, sizeof eb));
    t->fifo = av_audio_fifo_alloc(t->enc->sample_fmt, t->enc->ch_layout.nb_channels, 4096);
    if (!t->fifo || avcodec_parameters_from_context(t->out->codecpar, t->enc) < 0)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory encoding audio of %s", a->path);
    t->out->time_base = t->enc->time_base;
    return FACEFUSE_OK;
}

static facefuse_status add_track(fu_audio_remux *a, AVStream *in, const fu_audio_params *p,
                                 fu_err *err)
{
    audio_track *t = &a->tracks[a->track_count];
    memset(t, 0, sizeof *t);
    t->in = in;
    t->out = avformat_new_stream(a->oc, NULL);
    if (!t->out)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory adding audio of %s", a->path);
    a->track_of_stream[in->index] = a->track_count++;
    t->out->disposition = in->disposition;
    av_dict_copy(&t->out->metadata, in->metadata, 0);
    t->copy = !p->force_encode && (p->volume <= 0 || p->volume >= 100) &&
              container_takes(a, in->codecpar->codec_id);
    if (t->copy) {
        if (avcodec_parameters_copy(t->out->codecpar, in->codecpar) < 0)
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory adding audio of %s",
                           a->path);
        t->out->codecpar->codec_tag = 0;
        t->out->time_base = in->time_base;
        return FACEFUSE_OK;
    }
    facefuse_status st = open_decoder(a, t, err);
    if (st == FACEFUSE_OK)
        st = open_encoder(a, t, p, err);
    return st;
}

static facefuse_status open_source(fu_audio_remux *a, const fu_audio_params *p, fu_err *err)
{
    char eb[128];
    int ret = avformat_open_input(&a->ic, a->path, NULL, NULL);
    if (ret >= 0)
        ret = avformat_find_stream_info(a->ic, NULL);
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot read audio of %s: %s", a->path,
                       av_errtext(ret, eb, sizeof eb));
    a->matroska_out = strstr(a->ic->iformat->name, "matroska") &&
                      (is(a->ext, "mkv") || is(a->ext, "webm"));
    int n = (int)a->ic->nb_streams;
    a->tracks = calloc((size_t)n, sizeof *a->tracks);
    a->track_of_stream = malloc((size_t)n * sizeof *a->track_of_stream);
    if (!a->tracks || !a->track_of_stream)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory reading %s", a->path);
    int best = av_find_best_stream(a->ic, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    for (int i = 0; i < n; i++) {
        AVStream *s = a->ic->streams[i];
        a->track_of_stream[i] = -1;
        int keep = s->codecpar->codec_type == AVMEDIA_TYPE_AUDIO && (!p->replace || i == best);
        s->discard = keep ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
        if (!keep)
            continue;
        facefuse_status st = add_track(a, s, p, err);
        if (st != FACEFUSE_OK)
            return st;
    }
    return FACEFUSE_OK;
}

static void track_free(audio_track *t)
{
    avcodec_free_context(&t->dec);
    avcodec_free_context(&t->enc);
    swr_free(&t->swr);
    if (t->fifo)
        av_audio_fifo_free(t->fifo);
}

void fu_audio_remux_free(fu_audio_remux *a)
{
    if (!a)
        return;
    for (int i = 0; i < a->track_count; i++)
        track_free(&a->tracks[i]);
    free(a->tracks);
    free(a->track_of_stream);
    avformat_close_input(&a->ic);
    av_packet_free(&a->pkt);
    av_packet_free(&a->out_pkt);
    av_frame_free(&a->frame);
    av_frame_free(&a->enc_frame);
    free(a->path);
    free(a);
}

facefuse_status fu_audio_remux_open(fu_audio_remux **out, const fu_audio_params *p,
                                    fu_video_writer *w, fu_err *err)
{
    *out = NULL;
    fu_audio_remux *a = calloc(1, sizeof *a);
    if (!a || !(a->path = strdup(p->path)) || !(a->pkt = av_packet_alloc()) ||
        !(a->out_pkt = av_packet_alloc()) || !(a->frame = av_frame_alloc()) ||
        !(a->enc_frame = av_frame_alloc())) {
        fu_audio_remux_free(a);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory reading audio of %s", p->path);
    }
    a->w = w;
    a->oc = fu_video_writer_format(w);
    snprintf(a->ext, sizeof a->ext, "%s", fu_video_writer_extension(w));
    a->start_s = p->start_s;
    a->cut_start = p->cut_start;
    a->end_s = -1;
    a->volume = p->volume;
    facefuse_status st = open_source(a, p, err);
    if (st != FACEFUSE_OK || a->track_count == 0) {
        fu_audio_remux_free(a);
        return st;
    }
    *out = a;
    return FACEFUSE_OK;
}

int fu_audio_remux_copies(const fu_audio_remux *a)
{
    for (int i = 0; a && i < a->track_count; i++)
        if (a->tracks[i].copy)
            return 1;
    return 0;
}

/* Output time of a source packet. */
static double packet_time(const fu_audio_remux *a, const AVPacket *pkt)
{
    int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    if (ts == AV_NOPTS_VALUE)
        return 0;
    return ts * av_q2d(a->ic->streams[pkt->stream_index]->time_base) - a->start_s;
}

static facefuse_status write_copy(fu_audio_remux *a, audio_track *t, AVPacket *pkt, fu_err *err)
{
    double tm = packet_time(a, pkt);
    if ((a->cut_start && tm < -1e-6) || (a->end_s >= 0 && tm >= a->end_s - 1e-6))
        return FACEFUSE_OK;
    int64_t shift = av_rescale_q(llround(a->start_s * AV_TIME_BASE), AV_TIME_BASE_Q,
                                 t->in->time_base);
    /* The Matroska demuxer takes the codec delay (CodecDelay) off audio
     * timestamps but the 5.1 muxer does not put it back: do it here, or the
     * muxer's shift to non-negative times moves the video against the audio. */
    if (a->matroska_out && t->in->codecpar->initial_padding > 0)
        shift -= av_rescale_q(t->in->codecpar->initial_padding,
                              (AVRational){1, t->in->codecpar->sample_rate}, t->in->time_base);
    if (pkt->pts != AV_NOPTS_VALUE)
        pkt->pts -= shift;
    if (pkt->dts != AV_NOPTS_VALUE)
        pkt->dts -= shift;
    av_packet_rescale_ts(pkt, t->in->time_base, t->out->time_base);
    pkt->stream_index = t->out->index;
    pkt->pos = -1;
    return fu_video_writer_write_packet(a->w, pkt, err);
}

static facefuse_status drain_encoder(fu_audio_remux *a, audio_track *t, fu_err *err)
{
    char eb[128];
    for (;;) {
        int ret = avcodec_receive_packet(t->enc, a->out_pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return FACEFUSE_OK;
        if (ret < 0)
            return fu_fail(err, FACEFUSE_ERR_ENCODE, "audio encoder failed for %s: %s",
                           a->path, av_errtext(ret, eb, sizeof eb));
        av_packet_rescale_ts(a->out_pkt, t->enc->time_base, t->out->time_base);
        a->out_pkt->stream_index = t->out->index;
        facefuse_status st = fu_video_writer_write_packet(a->w, a->out_pkt, err);
        if (st != FACEFUSE_OK)
            return st;
    }
}

/* Encodes whole encoder frames from the fifo; at the end also the rest. */
static facefuse_status encode_fifo(fu_audio_remux *a, audio_track *t, int final, fu_err *err)
{
    char eb[128];
    int frame_size = t->enc->frame_size > 0 ? t->enc->frame_size : 1024;
    while (av_audio_fifo_size(t->fifo) >= frame_size ||
           (final && av_audio_fifo_size(t->fifo) > 0)) {
        int n = av_audio_fifo_size(t->fifo) < frame_size ? av_audio_fifo_size(t->fifo)
                                                         : frame_size;
        int pad = t->enc->frame_size > 0 && n < frame_size &&
                  !(t->enc->codec->capabilities &
                    (AV_CODEC_CAP_SMALL_LAST_FRAME | AV_CODEC_CAP_VARIABLE_FRAME_SIZE));
        AVFrame *f = a->enc_frame;
        av_frame_unref(f);
        f->nb_samples = pad ? frame_size : n;
        f->format = t->enc->sample_fmt;
        f->sample_rate = t->enc->sample_rate;
        if (av_channel_layout_copy(&f->ch_layout, &t->enc->ch_layout) < 0 ||
            av_frame_get_buffer(f, 0) < 0)
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory encoding audio of %s",
                           a->path);
        if (pad)
            av_samples_set_silence(f->data, 0, f->nb_samples, f->ch_layout.nb_channels,
                                   f->format);
        av_audio_fifo_read(t->fifo, (void **)f->data, n);
        f->pts = t->next_pts;
        t->next_pts += f->nb_samples;
        int ret = avcodec_send_frame(t->enc, f);
        if (ret < 0)
            return fu_fail(err, FACEFUSE_ERR_ENCODE, "audio encoder rejected samples of %s: %s",
                           a->path, av_errtext(ret, eb, sizeof eb));
        facefuse_status st = drain_encoder(a, t, err);
        if (st != FACEFUSE_OK)
            return st;
    }
    return FACEFUSE_OK;
}

/* Multiplies every sample of a decoded frame by volume/100. */
static void apply_gain(AVFrame *f, int volume)
{
    double g = volume / 100.0;
    int planar = av_sample_fmt_is_planar(f->format);
    int planes = planar ? f->ch_layout.nb_channels : 1;
    int count = planar ? f->nb_samples : f->nb_samples * f->ch_layout.nb_channels;
    for (int p = 0; p < planes; p++) {
        uint8_t *d = f->extended_data[p];
        for (int i = 0; i < count; i++) {
            switch (av_get_packed_sample_fmt(f->format)) {
            case AV_SAMPLE_FMT_FLT: ((float *)d)[i] = (float)(((float *)d)[i] * g); break;
            case AV_SAMPLE_FMT_DBL: ((double *)d)[i] *= g; break;
            case AV_SAMPLE_FMT_S16: ((int16_t *)d)[i] = (int16_t)lrint(((int16_t *)d)[i] * g); break;
            case AV_SAMPLE_FMT_S32: ((int32_t *)d)[i] = (int32_t)llrint(((int32_t *)d)[i] * g); break;
            case AV_SAMPLE_FMT_U8: d[i] = (uint8_t)lrint((d[i] - 128) * g + 128); break;
            default: break;
            }
        }
    }
}

static facefuse_status init_resampler(fu_audio_remux *a, audio_track *t, const AVFrame *f,
                                      fu_err *err)
{
    AVChannelLayout in_layout;
    if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
        av_channel_layout_default(&in_layout, f->ch_layout.nb_channels);
    else
        av_channel_layout_copy(&in_layout, &f->ch_layout);
    int ret = swr_alloc_set_opts2(&t->swr, &t->enc->ch_layout, t->enc->sample_fmt,
                                  t->enc->sample_rate, &in_layout, f->format, f->sample_rate, 0,
                                  NULL);
    av_channel_layout_uninit(&in_layout);
    if (ret < 0 || swr_init(t->swr) < 0)
        return fu_fail(err, FACEFUSE_ERR_ENCODE, "cannot resample the audio of %s", a->path);
    return FACEFUSE_OK;
}

/* Resamples [skip, skip+count) of f (f NULL: flush) into the fifo. */
static facefuse_status resample_into_fifo(fu_audio_remux *a, audio_track *t, const AVFrame *f,
                                          int skip, int count, fu_err *err)
{
    const uint8_t *in[AV_NUM_DATA_POINTERS] = {0};
    if (f) {
        int bps = av_get_bytes_per_sample(f->format);
        int planar = av_sample_fmt_is_planar(f->format);
        int nch = f->ch_layout.nb_channels;
        for (int c = 0; c < (planar ? nch : 1) && c < AV_NUM_DATA_POINTERS; c++)
            in[c] = f->extended_data[c] + (size_t)skip * bps * (planar ? 1 : nch);
    }
    int out_max = swr_get_out_samples(t->swr, f ? count : 0);
    if (out_max <= 0)
        return FACEFUSE_OK;
    uint8_t **buf = NULL;
    if (av_samples_alloc_array_and_samples(&buf, NULL, t->enc->ch_layout.nb_channels, out_max,
                                           t->enc->sample_fmt, 0) < 0)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory resampling %s", a->path);
    int got = swr_convert(t->swr, buf, out_max, f ? in : NULL, f ? count : 0);
    int ok = got < 0 || av_audio_fifo_write(t->fifo, (void **)buf, got) >= got;
    av_freep(&buf[0]);
    av_freep(&buf);
    if (got < 0)
        return fu_fail(err, FACEFUSE_ERR_ENCODE, "cannot resample the audio of %s", a->path);
    if (!ok)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory resampling %s", a->path);
    return FACEFUSE_OK;
}

/* Cuts a decoded frame to [start, end) of the output clock and queues it. */
static facefuse_status queue_frame(fu_audio_remux *a, audio_track *t, AVFrame *f, fu_err *err)
{
    int64_t ts = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
    double t0 = ts == AV_NOPTS_VALUE
                    ? (double)t->next_pts / t->enc->sample_rate
                    : ts * av_q2d(t->in->time_base) - a->start_s;
    int skip = 0, count = f->nb_samples;
    if (a->cut_start && t0 < 0)
        skip = (int)ceil(-t0 * f->sample_rate);
    if (a->end_s >= 0) {
        int64_t keep = (int64_t)floor((a->end_s - t0) * f->sample_rate);
        if (keep < count)
            count = keep < 0 ? 0 : (int)keep;
    }
    if (skip >= count)
        return FACEFUSE_OK;
    if (!t->started) {
        double first = t0 + (double)skip / f->sample_rate;
        t->next_pts = first > 0 ? llround(first * t->enc->sample_rate) : 0;
        t->started = 1;
    }
    if (!t->swr) {
        facefuse_status st = init_resampler(a, t, f, err);
        if (st != FACEFUSE_OK)
            return st;
    }
    if (a->volume > 0 && a->volume < 100 && av_frame_make_writable(f) >= 0)
        apply_gain(f, a->volume);
    facefuse_status st = resample_into_fifo(a, t, f, skip, count - skip, err);
    return st == FACEFUSE_OK ? encode_fifo(a, t, 0, err) : st;
}

static facefuse_status decode_packet(fu_audio_remux *a, audio_track *t, const AVPacket *pkt,
                                     fu_err *err)
{
    int ret = avcodec_send_packet(t->dec, pkt);
    if (ret < 0 && ret != AVERROR_EOF) {
        fu_warn("skipping corrupt audio data in %s", a->path);
        return FACEFUSE_OK;
    }
    for (;;) {
        ret = avcodec_receive_frame(t->dec, a->frame);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return FACEFUSE_OK;
        if (ret < 0) {
            fu_warn("skipping corrupt audio data in %s", a->path);
            return FACEFUSE_OK;
        }
        facefuse_status st = queue_frame(a, t, a->frame, err);
        av_frame_unref(a->frame);
        if (st != FACEFUSE_OK)
            return st;
    }
}

static facefuse_status handle_packet(fu_audio_remux *a, AVPacket *pkt, fu_err *err)
{
    int idx = a->track_of_stream[pkt->stream_index];
    audio_track *t = &a->tracks[idx];
    if (t->copy)
        return write_copy(a, t, pkt, err);
    return decode_packet(a, t, pkt, err);
}

/* Reads the next kept packet into a->pkt; sets a->eof at the end. */
static void read_next(fu_audio_remux *a)
{
    for (;;) {
        int ret = av_read_frame(a->ic, a->pkt);
        if (ret < 0) {
            if (ret != AVERROR_EOF)
                fu_warn("audio of %s ends early (read error)", a->path);
            a->eof = 1;
            return;
        }
        if (a->track_of_stream[a->pkt->stream_index] >= 0) {
            a->has_pending = 1;
            return;
        }
        av_packet_unref(a->pkt);
    }
}

static facefuse_status pump(fu_audio_remux *a, double until_s, fu_err *err)
{
    for (;;) {
        if (!a->has_pending && !a->eof)
            read_next(a);
        if (!a->has_pending)
            return FACEFUSE_OK;
        if (until_s >= 0 && packet_time(a, a->pkt) >= until_s)
            return FACEFUSE_OK;
        a->has_pending = 0;
        facefuse_status st = handle_packet(a, a->pkt, err);
        av_packet_unref(a->pkt);
        if (st != FACEFUSE_OK)
            return st;
    }
}

facefuse_status fu_audio_remux_write_until(fu_audio_remux *a, double t_s, fu_err *err)
{
    if (!a)
        return FACEFUSE_OK;
    return pump(a, t_s < 0 ? 0 : t_s, err);
}

static facefuse_status flush_track(fu_audio_remux *a, audio_track *t, fu_err *err)
{
    if (t->copy)
        return FACEFUSE_OK;
    facefuse_status st = decode_packet(a, t, NULL, err);
    if (st == FACEFUSE_OK && t->swr)
        st = resample_into_fifo(a, t, NULL, 0, 0, err);
    if (st == FACEFUSE_OK)
        st = encode_fifo(a, t, 1, err);
    if (st != FACEFUSE_OK)
        return st;
    avcodec_send_frame(t->enc, NULL);
    return drain_encoder(a, t, err);
}

facefuse_status fu_audio_remux_finish(fu_audio_remux *a, double end_s, fu_err *err)
{
    if (!a)
        return FACEFUSE_OK;
    a->end_s = end_s;
    /* a little past the end so re-encoded frames straddling it are cut exactly */
    facefuse_status st = pump(a, end_s >= 0 ? end_s + 1.0 : -1, err);
    for (int i = 0; st == FACEFUSE_OK && i < a->track_count; i++)
        st = flush_track(a, &a->tracks[i], err);
    return st;
}
