/*
 * video_concat.c — piece checks and the stream-copy join (see
 * video_concat.h).
 *
 * The join reads each piece twice: the check pass (which also collects the
 * piece's presentation timestamps, so a packet's rank among them says which
 * target frame it is) and the copy pass. A joined frame's pts is the
 * target's pts of that frame, rescaled exactly as the encoder path of a
 * single render rescales it, so joined and single renders carry the same
 * timestamps. Decode timestamps are made afresh (pieces from Matroska carry
 * none for their first packets): packet j in decode order gets the pts of
 * the frame D places before it in display order, D being the largest
 * reordering (B-frame delay) of any piece — what an encoder does, and
 * monotonic across the joins.
 */
#include "media/video_concat.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/file.h"
#include "core/log.h"
#include "media/av_log.h"
#include "media/video_writer.h"

static const char *av_errtext(int code, char *buf, size_t size)
{
    av_strerror(code, buf, size);
    return buf;
}

/* Opens a piece for reading with CRC checking; *vs = its video stream.
 * watch: an error counter for the demuxer's complaints, or NULL. */
static facefuse_status open_piece(const char *path, AVFormatContext **out, int *vs, int *watch, fu_err *err)
{
    char eb[128];
    *out = NULL;
    if (!fu_file_exists(path))
        return fu_fail(err, FACEFUSE_ERR_NOT_FOUND, "piece %s does not exist", path);
    fu_av_log_init();
    AVFormatContext *ic = avformat_alloc_context();
    if (!ic)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory opening %s", path);
    ic->error_recognition = AV_EF_CRCCHECK;
    ic->opaque = watch;
    int ret = avformat_open_input(&ic, path, NULL, NULL);
    if (ret >= 0)
        ret = avformat_find_stream_info(ic, NULL);
    if (ret < 0) {
        avformat_close_input(&ic);
        return fu_fail(err, FACEFUSE_ERR_DECODE, "piece %s is damaged: %s", path, av_errtext(ret, eb, sizeof eb));
    }
    *vs = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (*vs < 0) {
        avformat_close_input(&ic);
        return fu_fail(err, FACEFUSE_ERR_DECODE, "piece %s is damaged: no video stream", path);
    }
    for (unsigned i = 0; i < ic->nb_streams; i++)
        ic->streams[i]->discard = (int)i == *vs ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    *out = ic;
    return FACEFUSE_OK;
}

static void describe(const AVCodecParameters *par, fu_piece_info *info)
{
    const char *fmt = av_get_pix_fmt_name((enum AVPixelFormat)par->format);
    info->codec_id = par->codec_id;
    info->width = par->width;
    info->height = par->height;
    info->format = par->format;
    info->extradata_crc = par->extradata_size > 0
                              ? (uint32_t)crc32(0L, par->extradata, (uInt)par->extradata_size) : 0;
    snprintf(info->describe, sizeof info->describe, "%s %dx%d %s", avcodec_get_name(par->codec_id), par->width,
             par->height, fmt ? fmt : "?");
}

static facefuse_status open_decoder(const char *path, const AVStream *st, int *watch, AVCodecContext **out,
                                    fu_err *err)
{
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    AVCodecContext *dec = codec ? avcodec_alloc_context3(codec) : NULL;
    *out = NULL;
    if (!dec)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "piece %s: no decoder for %s", path,
                       avcodec_get_name(st->codecpar->codec_id));
    if (avcodec_parameters_to_context(dec, st->codecpar) < 0 ||
        (dec->pkt_timebase = st->time_base, dec->opaque = watch, dec->err_recognition = AV_EF_CRCCHECK | AV_EF_EXPLODE,
         dec->thread_count = 0, avcodec_open2(dec, codec, NULL)) < 0) {
        avcodec_free_context(&dec);
        return fu_fail(err, FACEFUSE_ERR_DECODE, "piece %s: cannot open its %s decoder", path, codec->name);
    }
    *out = dec;
    return FACEFUSE_OK;
}

/* Receives the frames the decoder has; counts them; fails on a bad one. */
static facefuse_status drain(const char *path, AVCodecContext *dec, AVFrame *f, int64_t *decoded, fu_err *err)
{
    char eb[128];
    for (;;) {
        int ret = avcodec_receive_frame(dec, f);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return FACEFUSE_OK;
        if (ret < 0)
            return fu_fail(err, FACEFUSE_ERR_DECODE, "piece %s is damaged: frame %lld does not decode (%s)", path,
                           (long long)*decoded, av_errtext(ret, eb, sizeof eb));
        int bad = f->decode_error_flags || (f->flags & AV_FRAME_FLAG_CORRUPT);
        av_frame_unref(f);
        if (bad)
            return fu_fail(err, FACEFUSE_ERR_DECODE, "piece %s is damaged: frame %lld decodes with errors", path,
                           (long long)*decoded);
        (*decoded)++;
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Rank of ts among the n sorted pts of a piece, -1 when absent. */
static int64_t rank_of(const int64_t *sorted, int64_t n, int64_t ts)
{
    int64_t lo = 0, hi = n - 1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] == ts)
            return mid;
        if (sorted[mid] < ts)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* The check; *pts_out (optional) receives the piece's sorted pts. */
static facefuse_status check_piece(const char *path, int64_t expected, int decode, fu_piece_info *info,
                                   int64_t **pts_out, fu_err *err)
{
    AVFormatContext *ic = NULL;
    AVCodecContext *dec = NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    int64_t *pts = NULL, cap = 0, n = 0, decoded = 0;
    char eb[128];
    int vs = -1, ret = 0, errors = 0;
    fu_piece_info local;

    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    fu_av_log_watch(&errors, &errors);
    facefuse_status rc = pkt && frame ? open_piece(path, &ic, &vs, &errors, err)
                                      : fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory checking %s", path);
    if (rc == FACEFUSE_OK) {
        describe(ic->streams[vs]->codecpar, info);
        if (decode)
            rc = open_decoder(path, ic->streams[vs], &errors, &dec, err);
    }
    while (rc == FACEFUSE_OK && (ret = av_read_frame(ic, pkt)) >= 0) {
        if (pkt->stream_index == vs) {
            if (n == 0 && !(pkt->flags & AV_PKT_FLAG_KEY))
                rc = fu_fail(err, FACEFUSE_ERR_DECODE, "piece %s does not start with a keyframe", path);
            if (rc == FACEFUSE_OK && n == cap) {
                cap = cap ? cap * 2 : 1024;
                int64_t *bigger = realloc(pts, (size_t)cap * sizeof *pts);
                if (!bigger)
                    rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory checking %s", path);
                else
                    pts = bigger;
            }
            if (rc == FACEFUSE_OK)
                pts[n++] = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
            if (rc == FACEFUSE_OK && dec) {
                ret = avcodec_send_packet(dec, pkt);
                if (ret < 0 && ret != AVERROR(EAGAIN))
                    rc = fu_fail(err, FACEFUSE_ERR_DECODE, "piece %s is damaged: packet %lld does not decode (%s)",
                                 path, (long long)(n - 1), av_errtext(ret, eb, sizeof eb));
                else
                    rc = drain(path, dec, frame, &decoded, err);
            }
            if (rc == FACEFUSE_OK && errors)
                rc = fu_fail(err, FACEFUSE_ERR_DECODE, "piece %s is damaged: %s reports errors at frame %lld", path,
                             dec ? "its decoder" : "its demuxer", (long long)(n - 1));
        }
        av_packet_unref(pkt);
    }
    if (rc == FACEFUSE_OK && ret != AVERROR_EOF)
        rc = fu_fail(err, FACEFUSE_ERR_DECODE, "piece %s is damaged: unreadable after frame %lld (%s)", path,
                     (long long)n, av_errtext(ret, eb, sizeof eb));
    if (rc == FACEFUSE_OK && dec) {
        avcodec_send_packet(dec, NULL);
        rc = drain(path, dec, frame, &decoded, err);
        if (rc == FACEFUSE_OK && errors)
            rc = fu_fail(err, FACEFUSE_ERR_DECODE, "piece %s is damaged: its decoder reports errors", path);
        if (rc == FACEFUSE_OK && decoded != n)
            rc = fu_fail(err, FACEFUSE_ERR_DECODE, "piece %s is damaged: %lld of its %lld frames decode", path,
                         (long long)decoded, (long long)n);
    }
    if (rc == FACEFUSE_OK && expected >= 0 && n != expected)
        rc = fu_fail(err, FACEFUSE_ERR_DECODE, "piece %s is incomplete or from another plan: %lld frames, its segment "
                     "has %lld", path, (long long)n, (long long)expected);
    info->frames = n;
    info->decoded = decoded;
    if (rc == FACEFUSE_OK && n > 0) {
        int64_t *sorted = malloc((size_t)n * sizeof *sorted);
        if (!sorted) {
            rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory checking %s", path);
        } else {
            memcpy(sorted, pts, (size_t)n * sizeof *pts);
            qsort(sorted, (size_t)n, sizeof *sorted, cmp_i64);
            for (int64_t j = 0; j < n; j++) {
                int64_t rank = rank_of(sorted, n, pts[j]);
                if (j - rank > info->reorder_frames)
                    info->reorder_frames = (int)(j - rank);
            }
            if (pts_out) {
                *pts_out = sorted;
                sorted = NULL;
            }
            free(sorted);
        }
    }
    free(pts);
    avcodec_free_context(&dec);
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avformat_close_input(&ic);
    fu_av_log_unwatch(&errors);
    return rc;
}

facefuse_status fu_video_piece_check(const char *path, int64_t expected_frames, int decode, fu_piece_info *info,
                                     fu_err *err)
{
    return check_piece(path, expected_frames, decode, info, NULL, err);
}

/* ------------------------------------------------------------ the join */

typedef struct join_state {
    const fu_concat_params *p;
    fu_output out;
    fu_video_writer *w;
    fu_audio_remux *audio;
    AVPacket *pkt;
    AVRational target_tb, out_tb;
    int reorder;           /* D: the largest reordering of any piece */
    int64_t frame_ticks;   /* a nominal frame in the target's time base */
    int silent;
} join_state;

/* Appends "name (why)" to list for a piece that failed its check. */
static void list_problem(char *list, size_t size, int *count, const char *why)
{
    size_t len = strlen(list);
    if (len + 8 < size)
        snprintf(list + len, size - len, "%s%s", *count ? "; " : "", why);
    (*count)++;
}

/* Checks every piece; one error listing all the bad ones. */
static facefuse_status check_all(const fu_concat_params *p, int64_t **pts, fu_piece_info *first, int *reorder,
                                 char **comment, fu_err *err)
{
    char problems[FU_ERRMSG_MAX - 64] = "";
    int bad = 0;
    for (int k = 0; k < p->piece_count; k++) {
        fu_err e;
        fu_piece_info info;
        fu_err_clear(&e);
        fu_info("checking piece %d/%d: %s", k + 1, p->piece_count, p->pieces[k]);
        facefuse_status rc = check_piece(p->pieces[k], p->piece_frames[k], p->check_decode, &info, &pts[k], &e);
        if (rc == FACEFUSE_ERR_NO_MEMORY)
            return fu_fail(err, rc, "%s", e.msg);
        if (rc != FACEFUSE_OK) {
            list_problem(problems, sizeof problems, &bad, e.msg);
            continue;
        }
        if (info.reorder_frames > *reorder)
            *reorder = info.reorder_frames;
        if (k == 0 || !first->describe[0]) {
            *first = info;
        } else if (info.codec_id != first->codec_id || info.width != first->width || info.height != first->height ||
                   info.format != first->format || info.extradata_crc != first->extradata_crc) {
            char why[512];
            snprintf(why, sizeof why, "piece %s was encoded differently from piece %s (%s%s vs %s)", p->pieces[k],
                     p->pieces[0], info.describe, info.extradata_crc != first->extradata_crc ? ", other settings" : "",
                     first->describe);
            list_problem(problems, sizeof problems, &bad, why);
        }
    }
    if (bad)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot join: %d of %d pieces unusable: %s", bad, p->piece_count,
                       problems);
    /* the provenance tag of piece 0 carries over */
    AVFormatContext *ic = NULL;
    int vs;
    if (!p->provenance && open_piece(p->pieces[0], &ic, &vs, NULL, err) == FACEFUSE_OK) {
        AVDictionaryEntry *e = av_dict_get(ic->metadata, "comment", NULL, 0);
        if (e && strstr(e->value, "\"generator\":\"facefuse\""))
            *comment = strdup(e->value);
        avformat_close_input(&ic);
    }
    return FACEFUSE_OK;
}

static void close_output(join_state *js)
{
    fu_audio_remux_free(js->audio);
    js->audio = NULL;
    fu_video_writer_free(js->w);
    js->w = NULL;
}

/* Writer and audio; unusable audio gives a silent output, as a single render. */
static facefuse_status open_output(join_state *js, const AVCodecParameters *par, const char *provenance,
                                   int force_audio, fu_err *err)
{
    const fu_concat_params *p = js->p;
    fu_video_copy_params cp;
    memset(&cp, 0, sizeof cp);
    cp.final_path = p->output_path;
    cp.temp_path = js->out.temp_path;
    cp.par = par;
    cp.tb_num = p->timing->tb_num;
    cp.tb_den = p->timing->tb_den;
    cp.fps_num = p->timing->fps_num;
    cp.fps_den = p->timing->fps_den;
    cp.provenance = provenance;
    facefuse_status rc = fu_video_writer_open_copy(&js->w, &cp, err);
    if (rc != FACEFUSE_OK || !p->audio.path || js->silent)
        return rc;
    fu_audio_params ap = p->audio;
    fu_err aerr;
    fu_err_clear(&aerr);
    ap.force_encode = force_audio;
    rc = fu_audio_remux_open(&js->audio, &ap, js->w, &aerr);
    if (rc == FACEFUSE_ERR_UNSUPPORTED || rc == FACEFUSE_ERR_NO_MEMORY)
        return fu_fail(err, rc, "%s", aerr.msg);
    if (rc != FACEFUSE_OK) {
        fu_warn("output %s will have no audio: %s", p->output_path, aerr.msg);
        close_output(js);
        js->silent = 1;
        return fu_video_writer_open_copy(&js->w, &cp, err);
    }
    return FACEFUSE_OK;
}

/* Opens and starts the output; a container refusing copied audio retries
 * with it re-encoded (as the single render does). */
static facefuse_status start_output(join_state *js, const AVCodecParameters *par, const char *provenance,
                                    fu_err *err)
{
    facefuse_status rc = FACEFUSE_OK;
    for (int force = 0; force < 2; force++) {
        rc = open_output(js, par, provenance, force, err);
        if (rc != FACEFUSE_OK) {
            close_output(js);
            return rc;
        }
        int copies = fu_audio_remux_copies(js->audio);
        rc = fu_video_writer_start(js->w, err);
        if (rc == FACEFUSE_OK) {
            int num, den;
            fu_video_writer_time_base(js->w, &num, &den);
            js->out_tb = (AVRational){num, den};
            return FACEFUSE_OK;
        }
        close_output(js);
        if (!copies || force)
            return rc;
        fu_warn("%s; re-encoding the audio instead", err->msg);
    }
    return rc;
}

/* The decode timestamp of joined packet number g in decode order. */
static int64_t joined_dts(const join_state *js, int64_t g)
{
    int64_t shown = g - js->reorder;
    if (shown >= 0)
        return js->p->timing->pts[shown];
    return js->p->timing->pts[0] + shown * js->frame_ticks;
}

/* Rewrites packet j (decode order) of piece k to the joined timeline and
 * muxes it. */
static facefuse_status write_packet(join_state *js, int k, int64_t j, const AVStream *in, const int64_t *sorted,
                                    fu_err *err)
{
    const fu_concat_params *p = js->p;
    AVPacket *pkt = js->pkt;
    int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    int64_t rank = rank_of(sorted, p->piece_frames[k], ts);
    int64_t g = p->piece_start[k] + rank;
    if (rank < 0 || g >= p->timing->count || j >= p->piece_frames[k])
        return fu_fail(err, FACEFUSE_ERR_DECODE, "piece %s changed while it was joined", p->pieces[k]);
    int64_t pts = p->timing->pts[g];
    facefuse_status rc = fu_audio_remux_write_until(js->audio, pts * av_q2d(js->target_tb), err);
    if (rc != FACEFUSE_OK)
        return rc;
    pkt->duration = av_rescale_q(pkt->duration, in->time_base, js->target_tb);
    pkt->pts = pts;
    pkt->dts = joined_dts(js, p->piece_start[k] + j);
    av_packet_rescale_ts(pkt, js->target_tb, js->out_tb);
    pkt->stream_index = fu_video_writer_stream_index(js->w);
    pkt->pos = -1;
    return fu_video_writer_write_packet(js->w, pkt, err);
}

static facefuse_status copy_piece(join_state *js, int k, const int64_t *sorted, fu_err *err)
{
    const fu_concat_params *p = js->p;
    AVFormatContext *ic = NULL;
    char eb[128];
    int vs, ret = 0;
    int64_t j = 0;
    facefuse_status rc = open_piece(p->pieces[k], &ic, &vs, NULL, err);
    while (rc == FACEFUSE_OK && (ret = av_read_frame(ic, js->pkt)) >= 0) {
        if (p->cancel && *p->cancel)
            rc = fu_fail(err, FACEFUSE_ERR_CANCELLED, "cancelled while joining %s", p->output_path);
        else if (js->pkt->stream_index == vs)
            rc = write_packet(js, k, j++, ic->streams[vs], sorted, err);
        av_packet_unref(js->pkt);
    }
    if (rc == FACEFUSE_OK && ret != AVERROR_EOF)
        rc = fu_fail(err, FACEFUSE_ERR_DECODE, "piece %s: read error while joining (%s)", p->pieces[k],
                     av_errtext(ret, eb, sizeof eb));
    avformat_close_input(&ic);
    return rc;
}

/* Writes every piece, then the rest of the audio, and commits. */
static facefuse_status join(join_state *js, int64_t **sorted, const char *provenance, fu_err *err)
{
    const fu_concat_params *p = js->p;
    AVFormatContext *ic = NULL;
    int vs;
    facefuse_status rc = open_piece(p->pieces[0], &ic, &vs, NULL, err);
    if (rc == FACEFUSE_OK)
        rc = start_output(js, ic->streams[vs]->codecpar, provenance, err);
    avformat_close_input(&ic);
    for (int k = 0; rc == FACEFUSE_OK && k < p->piece_count; k++)
        rc = copy_piece(js, k, sorted[k], err);
    if (rc == FACEFUSE_OK) {
        double end_s = -1;
        if (p->audio_cut_end) {
            int64_t last = p->piece_start[p->piece_count - 1] + p->piece_frames[p->piece_count - 1] - 1;
            end_s = p->timing->pts[last] * av_q2d(js->target_tb) + (double)p->timing->fps_den / p->timing->fps_num;
        }
        rc = fu_audio_remux_finish(js->audio, end_s, err);
    }
    if (rc == FACEFUSE_OK)
        rc = fu_video_writer_finish(js->w, err);
    close_output(js);
    if (rc == FACEFUSE_OK)
        rc = fu_output_commit(&js->out, err);
    return rc;
}

facefuse_status fu_video_concat(const fu_concat_params *p, fu_err *err)
{
    join_state js;
    fu_piece_info first;
    char *comment = NULL;

    if (!p || !p->output_path || p->piece_count < 1 || !p->pieces || !p->piece_start || !p->piece_frames ||
        !p->timing || p->timing->count < 1)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "nothing to join");
    for (int k = 0; k < p->piece_count; k++)
        if (p->piece_start[k] < 0 || p->piece_frames[k] < 1 ||
            p->piece_start[k] + p->piece_frames[k] > p->timing->count)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "piece %s: its range lies outside the target's %lld "
                           "frames", p->pieces[k], (long long)p->timing->count);
    int64_t **sorted = calloc((size_t)p->piece_count, sizeof *sorted);
    if (!sorted)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory joining %s", p->output_path);
    memset(&js, 0, sizeof js);
    memset(&first, 0, sizeof first);
    js.p = p;
    js.target_tb = (AVRational){p->timing->tb_num, p->timing->tb_den};
    js.frame_ticks = av_rescale_q(1, (AVRational){p->timing->fps_den, p->timing->fps_num}, js.target_tb);
    if (js.frame_ticks < 1)
        js.frame_ticks = 1;
    facefuse_status rc = check_all(p, sorted, &first, &js.reorder, &comment, err);
    if (rc == FACEFUSE_OK)
        rc = fu_output_begin(&js.out, p->output_path, err);
    if (rc == FACEFUSE_OK) {
        if (!(js.pkt = av_packet_alloc()))
            rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory joining %s", p->output_path);
        else
            rc = join(&js, sorted, p->provenance ? p->provenance : comment, err);
        if (rc != FACEFUSE_OK) {
            close_output(&js);
            fu_output_abort(&js.out);
        }
    }
    av_packet_free(&js.pkt);
    for (int k = 0; k < p->piece_count; k++)
        free(sorted[k]);
    free(sorted);
    free(comment);
    return rc;
}
