/*
 * video_join.c — joins videos end to end by stream copy (see video_join.h).
 *
 * What FaceFusion does with `ffmpeg -f concat -safe 0 -i list -c:v copy -c:a
 * copy -movflags +faststart`: every input must have the same streams (codec
 * and order); packets are copied unchanged, each input's timestamps shifted
 * so it starts where the previous one ended (the longest of its streams).
 */
#include "media/video_join.h"

#include <string.h>

#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/mem.h>

#include "core/file.h"
#include "media/av_log.h"

static const char *errtext(int code, char *buf, size_t size)
{
    av_strerror(code, buf, size);
    return buf;
}

static facefuse_status open_input(const char *path, AVFormatContext **ic, fu_err *err)
{
    char eb[128];
    int ret = avformat_open_input(ic, path, NULL, NULL);
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot open %s to join it: %s", path, errtext(ret, eb, sizeof eb));
    if ((ret = avformat_find_stream_info(*ic, NULL)) < 0) {
        avformat_close_input(ic);
        return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot read the streams of %s: %s", path,
                       errtext(ret, eb, sizeof eb));
    }
    return FACEFUSE_OK;
}

/* The output streams copy the first input's. */
static facefuse_status add_streams(AVFormatContext *oc, AVFormatContext *first, const char *output, fu_err *err)
{
    for (unsigned i = 0; i < first->nb_streams; i++) {
        AVStream *in = first->streams[i];
        AVStream *out = avformat_new_stream(oc, NULL);
        if (!out || avcodec_parameters_copy(out->codecpar, in->codecpar) < 0)
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory joining into %s", output);
        out->codecpar->codec_tag = 0;
        out->time_base = in->time_base;
        out->avg_frame_rate = in->avg_frame_rate;
        out->r_frame_rate = in->r_frame_rate;
        av_dict_copy(&out->metadata, in->metadata, 0);
    }
    return FACEFUSE_OK;
}

static facefuse_status same_streams(AVFormatContext *a, AVFormatContext *b, const char *path_a, const char *path_b,
                                    fu_err *err)
{
    if (a->nb_streams != b->nb_streams)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "cannot join %s after %s: %u streams against %u", path_b,
                       path_a, b->nb_streams, a->nb_streams);
    for (unsigned i = 0; i < a->nb_streams; i++)
        if (a->streams[i]->codecpar->codec_id != b->streams[i]->codecpar->codec_id)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                           "cannot join %s after %s by stream copy: stream %u is %s, not %s", path_b, path_a, i,
                           avcodec_get_name(b->streams[i]->codecpar->codec_id),
                           avcodec_get_name(a->streams[i]->codecpar->codec_id));
    return FACEFUSE_OK;
}

/* Copies every packet of ic, shifted by offset_us; *end_us receives where
 * its longest stream ends (relative to the output start). */
static facefuse_status copy_packets(AVFormatContext *ic, AVFormatContext *oc, const char *path, int64_t offset_us,
                                    int64_t *last_dts, int64_t *end_us, fu_err *err)
{
    char eb[128];
    AVPacket *pkt = av_packet_alloc();
    int64_t start_us = ic->start_time == AV_NOPTS_VALUE ? 0 : ic->start_time;
    facefuse_status st = FACEFUSE_OK;
    int ret;

    if (!pkt)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory joining %s", path);
    *end_us = offset_us;
    while ((ret = av_read_frame(ic, pkt)) >= 0) {
        AVStream *in = ic->streams[pkt->stream_index];
        AVStream *out = oc->streams[pkt->stream_index];
        int64_t shift = av_rescale_q(offset_us - start_us, AV_TIME_BASE_Q, in->time_base);
        if (pkt->pts != AV_NOPTS_VALUE)
            pkt->pts += shift;
        if (pkt->dts != AV_NOPTS_VALUE)
            pkt->dts += shift;
        int64_t at = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
        if (at != AV_NOPTS_VALUE) {
            int64_t stream_end = av_rescale_q(at + (pkt->duration > 0 ? pkt->duration : 0), in->time_base,
                                              AV_TIME_BASE_Q);
            if (stream_end > *end_us)
                *end_us = stream_end;
        }
        av_packet_rescale_ts(pkt, in->time_base, out->time_base);
        pkt->pos = -1;
        /* A part's first packets (e.g. AAC priming at a negative time) can
         * fall before the previous part's last one: nudge them forward, as
         * ffmpeg does for non-monotonic timestamps, so the muxer takes them. */
        int64_t *last = &last_dts[pkt->stream_index];
        if (pkt->dts != AV_NOPTS_VALUE && *last != AV_NOPTS_VALUE && pkt->dts <= *last) {
            int64_t bump = *last + 1 - pkt->dts;
            pkt->dts += bump;
            if (pkt->pts != AV_NOPTS_VALUE && pkt->pts < pkt->dts)
                pkt->pts = pkt->dts;
        }
        if (pkt->dts != AV_NOPTS_VALUE)
            *last = pkt->dts;
        if ((ret = av_interleaved_write_frame(oc, pkt)) < 0) {
            st = fu_fail(err, FACEFUSE_ERR_IO, "cannot write joined packets from %s: %s", path,
                         errtext(ret, eb, sizeof eb));
            break;
        }
    }
    if (st == FACEFUSE_OK && ret != AVERROR_EOF)
        st = fu_fail(err, FACEFUSE_ERR_DECODE, "cannot read %s to the end: %s", path, errtext(ret, eb, sizeof eb));
    av_packet_free(&pkt);
    return st;
}

facefuse_status fu_video_join(const char *output_path, const char *const *inputs, int count, fu_err *err)
{
    char eb[128], ext[16];
    AVFormatContext *first = NULL, *oc = NULL;
    AVDictionary *opts = NULL;
    fu_output out;
    facefuse_status st;
    int64_t offset_us = 0, *last_dts = NULL;
    int ret;

    if (count < 1)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "nothing to join into %s", output_path);
    fu_av_log_init();
    const AVOutputFormat *of = av_guess_format(NULL, output_path, NULL);
    if (!of)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "no container for %s", output_path);
    if ((st = open_input(inputs[0], &first, err)) != FACEFUSE_OK)
        return st;
    if ((st = fu_output_begin(&out, output_path, err)) != FACEFUSE_OK) {
        avformat_close_input(&first);
        return st;
    }
    if (avformat_alloc_output_context2(&oc, of, NULL, out.temp_path) < 0 || !oc) {
        st = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory joining into %s", output_path);
        goto done;
    }
    if ((st = add_streams(oc, first, output_path, err)) != FACEFUSE_OK)
        goto done;
    last_dts = av_malloc_array(first->nb_streams, sizeof *last_dts);
    if (!last_dts) {
        st = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory joining into %s", output_path);
        goto done;
    }
    for (unsigned k = 0; k < first->nb_streams; k++)
        last_dts[k] = AV_NOPTS_VALUE;
    if ((ret = avio_open(&oc->pb, out.temp_path, AVIO_FLAG_WRITE)) < 0) {
        st = fu_fail(err, FACEFUSE_ERR_IO, "cannot write %s: %s", out.temp_path, errtext(ret, eb, sizeof eb));
        goto done;
    }
    fu_path_extension(output_path, ext, sizeof ext);
    if (!strcmp(ext, "mp4") || !strcmp(ext, "mov") || !strcmp(ext, "m4v"))
        av_dict_set(&opts, "movflags", "+faststart", 0);
    ret = avformat_write_header(oc, &opts);
    av_dict_free(&opts);
    if (ret < 0) {
        st = fu_fail(err, FACEFUSE_ERR_ENCODE, "cannot start %s: %s", output_path, errtext(ret, eb, sizeof eb));
        goto done;
    }
    for (int i = 0; i < count && st == FACEFUSE_OK; i++) {
        AVFormatContext *ic = NULL;
        int64_t end_us = offset_us;
        if (i > 0 && (st = open_input(inputs[i], &ic, err)) != FACEFUSE_OK)
            break;
        if (i > 0)
            st = same_streams(first, ic, inputs[0], inputs[i], err);
        if (st == FACEFUSE_OK)
            st = copy_packets(i ? ic : first, oc, inputs[i], offset_us, last_dts, &end_us, err);
        if (st == FACEFUSE_OK)
            offset_us = end_us;
        if (ic)
            avformat_close_input(&ic);
    }
    if (st == FACEFUSE_OK && (ret = av_write_trailer(oc)) < 0)
        st = fu_fail(err, FACEFUSE_ERR_IO, "cannot finish %s: %s", output_path, errtext(ret, eb, sizeof eb));
done:
    av_free(last_dts);
    if (oc) {
        if (oc->pb)
            avio_closep(&oc->pb);
        avformat_free_context(oc);
    }
    avformat_close_input(&first);
    if (st == FACEFUSE_OK)
        st = fu_output_commit(&out, err);
    else
        fu_output_abort(&out);
    return st;
}
