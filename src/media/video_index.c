/*
 * video_index.c — frame timestamps and keyframes of a video by demuxing
 * (see video_index.h). Packets arrive in decode order; sorting their
 * presentation timestamps gives the frames in the order a decoder hands
 * them out. Packets without a pts fall back to their dts, and a packet with
 * neither follows its predecessor by one frame duration.
 */
#include "media/video_index.h"

#include <libavformat/avformat.h>
#include <stdlib.h>
#include <string.h>

#include "media/av_log.h"

typedef struct index_entry {
    int64_t pts;
    int key;
} index_entry;

static int cmp_entry(const void *a, const void *b)
{
    const index_entry *x = a, *y = b;
    return (x->pts > y->pts) - (x->pts < y->pts);
}

static facefuse_status grow(index_entry **e, int64_t *cap, int64_t need, const char *path, fu_err *err)
{
    if (need <= *cap)
        return FACEFUSE_OK;
    int64_t n = *cap ? *cap * 2 : 4096;
    index_entry *bigger = realloc(*e, (size_t)n * sizeof **e);
    if (!bigger)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory indexing %s", path);
    *e = bigger;
    *cap = n;
    return FACEFUSE_OK;
}

static facefuse_status read_entries(AVFormatContext *ic, AVStream *st, const char *path, index_entry **out,
                                    int64_t *count, fu_err *err)
{
    AVPacket *pkt = av_packet_alloc();
    index_entry *e = NULL;
    int64_t n = 0, cap = 0, last = AV_NOPTS_VALUE;
    int64_t step = av_rescale_q(1, av_inv_q(st->avg_frame_rate.num > 0 ? st->avg_frame_rate
                                                                        : (AVRational){25, 1}),
                                st->time_base);
    facefuse_status rc = pkt ? FACEFUSE_OK : fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory indexing %s", path);
    int ret = 0;

    while (rc == FACEFUSE_OK && (ret = av_read_frame(ic, pkt)) >= 0) {
        if (pkt->stream_index == st->index && !(pkt->flags & AV_PKT_FLAG_DISCARD)) {
            rc = grow(&e, &cap, n + 1, path, err);
            if (rc == FACEFUSE_OK) {
                int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
                if (ts == AV_NOPTS_VALUE)
                    ts = last == AV_NOPTS_VALUE ? 0 : last + (step > 0 ? step : 1);
                e[n].pts = ts;
                e[n].key = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
                last = ts;
                n++;
            }
        }
        av_packet_unref(pkt);
    }
    av_packet_free(&pkt);
    if (rc == FACEFUSE_OK && ret != AVERROR_EOF) {
        char eb[128];
        av_strerror(ret, eb, sizeof eb);
        rc = fu_fail(err, FACEFUSE_ERR_DECODE, "cannot read %s: %s", path, eb);
    }
    if (rc == FACEFUSE_OK && n == 0)
        rc = fu_fail(err, FACEFUSE_ERR_DECODE, "video %s has no frame", path);
    if (rc != FACEFUSE_OK) {
        free(e);
        return rc;
    }
    *out = e;
    *count = n;
    return FACEFUSE_OK;
}

facefuse_status fu_video_index_build(const char *path, fu_video_index *out, fu_err *err)
{
    AVFormatContext *ic = NULL;
    index_entry *e = NULL;
    char eb[128];
    int64_t n = 0;

    memset(out, 0, sizeof *out);
    fu_av_log_init();
    int ret = avformat_open_input(&ic, path, NULL, NULL);
    if (ret >= 0)
        ret = avformat_find_stream_info(ic, NULL);
    if (ret < 0) {
        av_strerror(ret, eb, sizeof eb);
        avformat_close_input(&ic);
        return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot read %s: %s", path, eb);
    }
    int best = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (best < 0) {
        avformat_close_input(&ic);
        return fu_fail(err, FACEFUSE_ERR_DECODE, "%s has no video stream", path);
    }
    for (unsigned i = 0; i < ic->nb_streams; i++)
        ic->streams[i]->discard = (int)i == best ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    AVStream *st = ic->streams[best];
    facefuse_status rc = read_entries(ic, st, path, &e, &n, err);
    if (rc == FACEFUSE_OK) {
        out->pts = malloc((size_t)n * sizeof *out->pts);
        out->keyframe = malloc((size_t)n);
        if (!out->pts || !out->keyframe)
            rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory indexing %s", path);
    }
    if (rc == FACEFUSE_OK) {
        qsort(e, (size_t)n, sizeof *e, cmp_entry);
        for (int64_t i = 0; i < n; i++) {
            out->pts[i] = e[i].pts;
            out->keyframe[i] = (uint8_t)e[i].key;
        }
        out->count = n;
        out->tb_num = st->time_base.num;
        out->tb_den = st->time_base.den;
        AVRational fps = st->avg_frame_rate.num > 0 ? st->avg_frame_rate : st->r_frame_rate;
        if (fps.num <= 0 || fps.den <= 0)
            fps = (AVRational){25, 1};
        out->fps_num = fps.num;
        out->fps_den = fps.den;
        out->stream_index = best;
    } else {
        fu_video_index_free(out);
    }
    free(e);
    avformat_close_input(&ic);
    return rc;
}

void fu_video_index_free(fu_video_index *ix)
{
    if (!ix)
        return;
    free(ix->pts);
    free(ix->keyframe);
    memset(ix, 0, sizeof *ix);
}

double fu_video_index_seconds(const fu_video_index *ix, int64_t i)
{
    if (!ix->count)
        return 0;
    if (i >= ix->count) {
        double frame_s = (double)ix->fps_den / ix->fps_num;
        return (ix->pts[ix->count - 1] - ix->pts[0]) * ((double)ix->tb_num / ix->tb_den) +
               (double)(i - ix->count + 1) * frame_s;
    }
    return (ix->pts[i] - ix->pts[0]) * ((double)ix->tb_num / ix->tb_den);
}
