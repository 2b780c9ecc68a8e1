/*
 * video_writer.c — libavcodec encoding + libavformat muxing of RGB(A) frames
 * (see video_writer.h). Encoder options come from encoders.c; colour tags
 * are copied from the input (BT.709 limited range when unknown) and the RGB
 * to YUV conversion uses the same matrix and range, so tags match pixels.
 */
#include "media/video_writer.h"


#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "media/av_log.h"
#include "media/colorspace.h"
#include "core/log.h"
#include "media/encoders.h"

struct fu_video_writer {
    char final_path[PATH_MAX];
    char temp_path[PATH_MAX];
    char ext[16];
    const char *encoder_name;
    AVFormatContext *oc;
    AVCodecContext *enc;
    AVStream *st;
    AVFrame *frame;
    AVPacket *pkt;
    struct SwsContext *sws;
    int in_width, in_height, in_channels;
    int started;
};

/* The provenance tag goes into the container's "comment": MP4/MOV ©cmt,
 * Matroska/WebM COMMENT, AVI ICMT — the one key every one of them keeps
 * and every player and probe shows. */
static void set_provenance(AVFormatContext *oc, const char *provenance)
{
    if (provenance && *provenance)
        av_dict_set(&oc->metadata, "comment", provenance, 0);
}

static const char *av_errtext(int code, char *buf, size_t size)
{
    av_strerror(code, buf, size);
    return buf;
}

static int even_size(int size, double scale)
{
    int v = (int)lround(size * (scale > 0 ? scale : 1.0));
    v -= v % 2;
    return v < 2 ? 2 : v;
}

static void set_colour(AVCodecContext *enc, const fu_video_writer_params *p)
{
    if (fu_pix_fmt_is_rgb(enc->pix_fmt)) {
        enc->colorspace = AVCOL_SPC_RGB;
        enc->color_range = AVCOL_RANGE_JPEG;
        enc->color_primaries = p->color_primaries > 0 && p->color_primaries != AVCOL_PRI_UNSPECIFIED
                                   ? p->color_primaries : AVCOL_PRI_BT709;
        enc->color_trc = p->color_trc > 0 && p->color_trc != AVCOL_TRC_UNSPECIFIED
                             ? p->color_trc : AVCOL_TRC_BT709;
        return;
    }
    int space = p->color_space;
    if (space <= 0 || space == AVCOL_SPC_UNSPECIFIED || space == AVCOL_SPC_RGB ||
        space == AVCOL_SPC_RESERVED)
        space = AVCOL_SPC_BT709;
    enc->colorspace = space;
    enc->color_primaries = p->color_primaries > 0 && p->color_primaries != AVCOL_PRI_UNSPECIFIED
                               ? p->color_primaries : AVCOL_PRI_BT709;
    enc->color_trc = p->color_trc > 0 && p->color_trc != AVCOL_TRC_UNSPECIFIED
                         ? p->color_trc : AVCOL_TRC_BT709;
    enc->color_range = p->color_range == AVCOL_RANGE_JPEG ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
    /* prores and the hardware encoders only do limited range */
    if (strcmp(enc->codec->name, "libx264") && strcmp(enc->codec->name, "libx265") &&
        strcmp(enc->codec->name, "libvpx-vp9") && strcmp(enc->codec->name, "ffv1"))
        enc->color_range = AVCOL_RANGE_MPEG;
}

/* Picks the encoder: container fixes, availability, container acceptance. */
static facefuse_status pick_encoder(fu_video_writer *w, const char *requested,
                                    const AVCodec **codec, fu_err *err)
{
    const char *name = requested && *requested ? requested : "libx264";
    if (!fu_video_encoder_known(name))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "unknown video encoder %s (for %s)", name, w->final_path);
    const char *fixed = fu_video_encoder_for_container(name, w->ext);
    if (strcmp(fixed, name))
        fu_info("video encoder %s is not usable in .%s; using %s", name, w->ext, fixed);
    *codec = avcodec_find_encoder_by_name(fixed);
    if (!*codec)
        return fu_fail(err, FACEFUSE_ERR_UNSUPPORTED,
                       "video encoder %s is not available in this FFmpeg build", fixed);
    if (avformat_query_codec(w->oc->oformat, (*codec)->id, FF_COMPLIANCE_NORMAL) == 0) {
        fu_warn("the .%s container cannot hold %s video; using libx264", w->ext, fixed);
        fixed = "libx264";
        *codec = avcodec_find_encoder_by_name(fixed);
        if (!*codec)
            return fu_fail(err, FACEFUSE_ERR_UNSUPPORTED,
                           "video encoder libx264 is not available in this FFmpeg build");
    }
    w->encoder_name = fixed;
    return FACEFUSE_OK;
}

static int is_hardware(const char *name)
{
    return strstr(name, "_nvenc") || strstr(name, "_qsv") || strstr(name, "_amf") ||
           strstr(name, "_vaapi") || strstr(name, "_videotoolbox");
}

static facefuse_status open_encoder(fu_video_writer *w, const fu_video_writer_params *p,
                                    const AVCodec *codec, fu_err *err)
{
    char eb[128];
    AVCodecContext *enc = avcodec_alloc_context3(codec);
    if (!enc)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory creating %s", w->final_path);
    w->enc = enc;
    enc->width = even_size(p->width, p->output_scale);
    enc->height = even_size(p->height, p->output_scale);
    enc->pix_fmt = fu_video_encoder_pix_fmt(w->encoder_name, p->channels, w->ext);
    enc->time_base = (AVRational){p->tb_num, p->tb_den};
    enc->framerate = (AVRational){p->fps_num, p->fps_den};
    enc->sample_aspect_ratio = (AVRational){1, 1};
    enc->thread_count = p->thread_count > 0 ? p->thread_count : 0;
    set_colour(enc, p);
    if (w->oc->oformat->flags & AVFMT_GLOBALHEADER)
        enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    facefuse_status st = fu_video_encoder_configure(enc, w->encoder_name, p->preset, p->quality,
                                                    err);
    if (st != FACEFUSE_OK)
        return st;
    int ret = avcodec_open2(enc, codec, NULL);
    if (ret < 0) {
        if (is_hardware(w->encoder_name))
            return fu_fail(err, FACEFUSE_ERR_UNSUPPORTED,
                           "video encoder %s cannot start (no such device?): %s",
                           w->encoder_name, av_errtext(ret, eb, sizeof eb));
        return fu_fail(err, FACEFUSE_ERR_ENCODE, "cannot open video encoder %s for %s: %s",
                       w->encoder_name, w->final_path, av_errtext(ret, eb, sizeof eb));
    }
    return FACEFUSE_OK;
}

static facefuse_status add_stream(fu_video_writer *w, fu_err *err)
{
    w->st = avformat_new_stream(w->oc, NULL);
    if (!w->st || avcodec_parameters_from_context(w->st->codecpar, w->enc) < 0)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory creating %s", w->final_path);
    w->st->time_base = w->enc->time_base;
    w->st->avg_frame_rate = w->enc->framerate;
    if (w->enc->codec_id == AV_CODEC_ID_HEVC &&
        (!strcmp(w->ext, "mp4") || !strcmp(w->ext, "mov") || !strcmp(w->ext, "m4v")))
        w->st->codecpar->codec_tag = MKTAG('h', 'v', 'c', '1');
    w->frame->format = w->enc->pix_fmt;
    w->frame->width = w->enc->width;
    w->frame->height = w->enc->height;
    if (av_frame_get_buffer(w->frame, 0) < 0)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory creating %s", w->final_path);
    return FACEFUSE_OK;
}

static facefuse_status writer_init(fu_video_writer *w, const fu_video_writer_params *p,
                                   fu_err *err)
{
    const AVOutputFormat *of = av_guess_format(NULL, p->final_path, NULL);
    if (!of)
        return fu_fail(err, FACEFUSE_ERR_UNSUPPORTED, "no video container for the extension of %s",
                       p->final_path);
    if (avformat_alloc_output_context2(&w->oc, of, NULL, p->temp_path) < 0 || !w->oc)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory creating %s", p->final_path);
    set_provenance(w->oc, p->provenance);
    const AVCodec *codec;
    facefuse_status st = p->require_alpha ? fu_video_alpha_check(p->final_path, p->encoder, err) : FACEFUSE_OK;
    if (st == FACEFUSE_OK)
        st = pick_encoder(w, p->encoder, &codec, err);
    if (st == FACEFUSE_OK)
        st = open_encoder(w, p, codec, err);
    if (st == FACEFUSE_OK)
        st = add_stream(w, err);
    return st;
}

/* The encoder the writer would use for encoder in this container. */
static const char *resolved_encoder(const AVOutputFormat *of, const char *encoder, const char *ext)
{
    const char *fixed = fu_video_encoder_for_container(encoder && *encoder ? encoder : "libx264", ext);
    const AVCodec *codec = avcodec_find_encoder_by_name(fixed);
    if (codec && avformat_query_codec(of, codec->id, FF_COMPLIANCE_NORMAL) == 0)
        return "libx264";
    return fixed;
}

facefuse_status fu_video_alpha_check(const char *final_path, const char *encoder, fu_err *err)
{
    char ext[16];
    const AVOutputFormat *of = final_path ? av_guess_format(NULL, final_path, NULL) : NULL;
    if (!of)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "no video container for the extension of %s",
                       final_path ? final_path : "(null)");
    fu_path_extension(final_path, ext, sizeof ext);
    const char *used = resolved_encoder(of, encoder, ext);
    if (fu_video_encoder_known(used) && fu_pix_fmt_has_alpha(fu_video_encoder_pix_fmt(used, 4, ext)))
        return FACEFUSE_OK;
    return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                   "%s cannot keep the transparent background: %s in .%s has no alpha channel (use .mov with "
                   "prores_ks, .webm with libvpx-vp9 or .mkv with ffv1)",
                   final_path, used, ext);
}

int fu_video_path_is_writable(const char *path)
{
    const AVOutputFormat *of = path ? av_guess_format(NULL, path, NULL) : NULL;
    return of && of->video_codec != AV_CODEC_ID_NONE && !(of->flags & AVFMT_NOFILE);
}

facefuse_status fu_video_writer_open(fu_video_writer **out, const fu_video_writer_params *p,
                                     fu_err *err)
{
    *out = NULL;
    fu_av_log_init();
    if (p->width <= 0 || p->height <= 0 || (p->channels != 3 && p->channels != 4) ||
        p->tb_num <= 0 || p->tb_den <= 0 || p->fps_num <= 0 || p->fps_den <= 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "bad video parameters for %s",
                       p->final_path ? p->final_path : "(null)");
    fu_video_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->frame = av_frame_alloc()) || !(w->pkt = av_packet_alloc())) {
        fu_video_writer_free(w);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory creating %s", p->final_path);
    }
    snprintf(w->final_path, sizeof w->final_path, "%s", p->final_path);
    snprintf(w->temp_path, sizeof w->temp_path, "%s", p->temp_path);
    fu_path_extension(p->final_path, w->ext, sizeof w->ext);
    w->in_width = p->width;
    w->in_height = p->height;
    w->in_channels = p->channels;
    facefuse_status st = writer_init(w, p, err);
    if (st != FACEFUSE_OK) {
        fu_video_writer_free(w);
        return st;
    }
    *out = w;
    return FACEFUSE_OK;
}

facefuse_status fu_video_writer_open_copy(fu_video_writer **out, const fu_video_copy_params *p, fu_err *err)
{
    *out = NULL;
    fu_av_log_init();
    if (!p->par || p->par->codec_type != AVMEDIA_TYPE_VIDEO || p->tb_num <= 0 || p->tb_den <= 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "bad video stream parameters for %s",
                       p->final_path ? p->final_path : "(null)");
    const AVOutputFormat *of = av_guess_format(NULL, p->final_path, NULL);
    if (!of)
        return fu_fail(err, FACEFUSE_ERR_UNSUPPORTED, "no video container for the extension of %s", p->final_path);
    fu_video_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->pkt = av_packet_alloc())) {
        fu_video_writer_free(w);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory creating %s", p->final_path);
    }
    snprintf(w->final_path, sizeof w->final_path, "%s", p->final_path);
    snprintf(w->temp_path, sizeof w->temp_path, "%s", p->temp_path);
    fu_path_extension(p->final_path, w->ext, sizeof w->ext);
    w->encoder_name = avcodec_get_name(p->par->codec_id);
    w->in_width = p->par->width;
    w->in_height = p->par->height;
    facefuse_status st = FACEFUSE_OK;
    if (avformat_alloc_output_context2(&w->oc, of, NULL, p->temp_path) < 0 || !w->oc ||
        !(w->st = avformat_new_stream(w->oc, NULL)) || avcodec_parameters_copy(w->st->codecpar, p->par) < 0)
        st = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory creating %s", p->final_path);
    else if (avformat_query_codec(of, p->par->codec_id, FF_COMPLIANCE_NORMAL) == 0)
        st = fu_fail(err, FACEFUSE_ERR_UNSUPPORTED, "the .%s container cannot hold %s video (for %s)", w->ext,
                     w->encoder_name, p->final_path);
    if (st != FACEFUSE_OK) {
        fu_video_writer_free(w);
        return st;
    }
    w->st->codecpar->codec_tag = 0;
    w->st->time_base = (AVRational){p->tb_num, p->tb_den};
    if (p->fps_num > 0 && p->fps_den > 0)
        w->st->avg_frame_rate = (AVRational){p->fps_num, p->fps_den};
    if (w->st->codecpar->codec_id == AV_CODEC_ID_HEVC &&
        (!strcmp(w->ext, "mp4") || !strcmp(w->ext, "mov") || !strcmp(w->ext, "m4v")))
        w->st->codecpar->codec_tag = MKTAG('h', 'v', 'c', '1');
    set_provenance(w->oc, p->provenance);
    *out = w;
    return FACEFUSE_OK;
}

void fu_video_writer_time_base(const fu_video_writer *w, int *num, int *den)
{
    *num = w->st->time_base.num;
    *den = w->st->time_base.den;
}

int fu_video_writer_stream_index(const fu_video_writer *w)
{
    return w->st->index;
}

struct AVFormatContext *fu_video_writer_format(fu_video_writer *w)
{
    return w->oc;
}

const char *fu_video_writer_encoder(const fu_video_writer *w)
{
    return w->encoder_name;
}

int fu_video_writer_width(const fu_video_writer *w)
{
    return w->enc ? w->enc->width : w->st->codecpar->width;
}

int fu_video_writer_height(const fu_video_writer *w)
{
    return w->enc ? w->enc->height : w->st->codecpar->height;
}

const char *fu_video_writer_extension(const fu_video_writer *w)
{
    return w->ext;
}

facefuse_status fu_video_writer_start(fu_video_writer *w, fu_err *err)
{
    char eb[128];
    AVDictionary *opts = NULL;
    int ret = avio_open(&w->oc->pb, w->temp_path, AVIO_FLAG_WRITE);
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot write %s: %s", w->temp_path,
                       av_errtext(ret, eb, sizeof eb));
    if (!strcmp(w->ext, "mp4") || !strcmp(w->ext, "mov") || !strcmp(w->ext, "m4v"))
        av_dict_set(&opts, "movflags", "+faststart", 0);
    ret = avformat_write_header(w->oc, &opts);
    av_dict_free(&opts);
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_ENCODE, "cannot start the .%s container for %s: %s",
                       w->ext, w->final_path, av_errtext(ret, eb, sizeof eb));
    w->started = 1;
    return FACEFUSE_OK;
}

static facefuse_status drain_encoder(fu_video_writer *w, fu_err *err)
{
    char eb[128];
    for (;;) {
        int ret = avcodec_receive_packet(w->enc, w->pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return FACEFUSE_OK;
        if (ret < 0)
            return fu_fail(err, FACEFUSE_ERR_ENCODE, "video encoder %s failed for %s: %s",
                           w->encoder_name, w->final_path, av_errtext(ret, eb, sizeof eb));
        if (w->pkt->duration <= 0) /* the last frame's length, for the muxer */
            w->pkt->duration = av_rescale_q(1, av_inv_q(w->enc->framerate), w->enc->time_base);
        av_packet_rescale_ts(w->pkt, w->enc->time_base, w->st->time_base);
        w->pkt->stream_index = w->st->index;
        ret = av_interleaved_write_frame(w->oc, w->pkt);
        if (ret < 0)
            return fu_fail(err, FACEFUSE_ERR_IO, "cannot write video to %s: %s", w->temp_path,
                           av_errtext(ret, eb, sizeof eb));
    }
}

static facefuse_status convert(fu_video_writer *w, const facefuse_image *im, fu_err *err)
{
    enum AVPixelFormat src = im->channels == 4 ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB24;
    w->sws = sws_getCachedContext(w->sws, im->width, im->height, src, w->enc->width,
                                  w->enc->height, w->enc->pix_fmt,
                                  SWS_BICUBIC | SWS_FULL_CHR_H_INP, NULL, NULL,
                                  NULL);
    if (!w->sws)
        return fu_fail(err, FACEFUSE_ERR_ENCODE, "cannot convert frames to %s for %s",
                       av_get_pix_fmt_name(w->enc->pix_fmt), w->final_path);
    if (!fu_pix_fmt_is_rgb(w->enc->pix_fmt)) {
        const int *coef = sws_getCoefficients(fu_sws_colorspace(w->enc->colorspace, 1));
        sws_setColorspaceDetails(w->sws, sws_getCoefficients(SWS_CS_DEFAULT), 1, coef,
                                 w->enc->color_range == AVCOL_RANGE_JPEG, 0, 1 << 16, 1 << 16);
    }
    if (av_frame_make_writable(w->frame) < 0)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory encoding %s", w->final_path);
    const uint8_t *src_data[4] = {im->data, NULL, NULL, NULL};
    int src_stride[4] = {im->stride, 0, 0, 0};
    sws_scale(w->sws, src_data, src_stride, 0, im->height, w->frame->data, w->frame->linesize);
    return FACEFUSE_OK;
}

facefuse_status fu_video_writer_write(fu_video_writer *w, const facefuse_image *frame,
                                      int64_t pts, fu_err *err)
{
    char eb[128];
    if (!w->started || !w->enc)
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "video writer for %s not started",
                       w->final_path);
    facefuse_status st = convert(w, frame, err);
    if (st != FACEFUSE_OK)
        return st;
    w->frame->pts = pts;
    w->frame->color_range = w->enc->color_range;
    w->frame->colorspace = w->enc->colorspace;
    w->frame->color_primaries = w->enc->color_primaries;
    w->frame->color_trc = w->enc->color_trc;
    int ret = avcodec_send_frame(w->enc, w->frame);
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_ENCODE, "video encoder %s rejected a frame for %s: %s",
                       w->encoder_name, w->final_path, av_errtext(ret, eb, sizeof eb));
    return drain_encoder(w, err);
}

facefuse_status fu_video_writer_write_packet(fu_video_writer *w, struct AVPacket *pkt,
                                             fu_err *err)
{
    char eb[128];
    int ret = av_interleaved_write_frame(w->oc, pkt);
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot write audio to %s: %s", w->temp_path,
                       av_errtext(ret, eb, sizeof eb));
    return FACEFUSE_OK;
}

facefuse_status fu_video_writer_finish(fu_video_writer *w, fu_err *err)
{
    char eb[128];
    if (!w->started)
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "video writer for %s not started",
                       w->final_path);
    if (w->enc) {
        avcodec_send_frame(w->enc, NULL);
        facefuse_status st = drain_encoder(w, err);
        if (st != FACEFUSE_OK)
            return st;
    }
    int ret = av_write_trailer(w->oc);
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot finish %s: %s", w->temp_path,
                       av_errtext(ret, eb, sizeof eb));
    w->started = 0;
    ret = avio_closep(&w->oc->pb);
    if (ret < 0)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot close %s: %s", w->temp_path,
                       av_errtext(ret, eb, sizeof eb));
    return FACEFUSE_OK;
}

void fu_video_writer_free(fu_video_writer *w)
{
    if (!w)
        return;
    if (w->oc && w->oc->pb)
        avio_closep(&w->oc->pb);
    avformat_free_context(w->oc);
    avcodec_free_context(&w->enc);
    av_frame_free(&w->frame);
    av_packet_free(&w->pkt);
    sws_freeContext(w->sws);
    free(w);
}
