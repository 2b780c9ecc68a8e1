/*
 * encoders.c — encoder names, container fixes and option mappings as
 * FaceFusion's ffmpeg_builder does them (see encoders.h).
 */
#include "media/encoders.h"

#include <libavcodec/avcodec.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <math.h>
#include <string.h>

static const char *const known_video[] = {
    "libx264",     "libx264rgb", "libx265",    "libvpx-vp9",      "ffv1",
    "prores_ks",   "rawvideo",   "h264_nvenc", "hevc_nvenc",      "h264_amf",
    "hevc_amf",    "h264_qsv",   "hevc_qsv",   "h264_vaapi",      "hevc_vaapi",
    "h264_videotoolbox", "hevc_videotoolbox", NULL};

static int is(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int fu_video_encoder_known(const char *name)
{
    for (int i = 0; known_video[i]; i++)
        if (is(name, known_video[i]))
            return 1;
    return 0;
}

const char *fu_video_encoder_for_container(const char *encoder, const char *ext)
{
    if (is(ext, "webm") && !is(encoder, "libvpx-vp9"))
        return "libvpx-vp9";
    if (is(ext, "mxf") || is(ext, "m4v") || is(ext, "mpeg") || is(ext, "wmv"))
        return "libx264";
    if (is(ext, "mov") && is(encoder, "libvpx-vp9"))
        return "libx264";
    if ((is(ext, "mkv") || is(ext, "mp4")) && is(encoder, "rawvideo"))
        return "libx264";
    return encoder;
}

const char *fu_audio_encoder_for_container(const char *encoder, const char *ext)
{
    if (is(ext, "webm"))
        return "libopus";
    if (is(ext, "mxf"))
        return "pcm_s16le";
    if (is(ext, "m4v") || is(ext, "mpeg") || is(ext, "wmv"))
        return "aac";
    if (is(ext, "mov") && (is(encoder, "flac") || is(encoder, "libopus")))
        return "aac";
    if (is(ext, "avi") && is(encoder, "libopus"))
        return "aac";
    return encoder;
}

static double interp(int quality, double at0, double at100)
{
    if (quality < 0)
        quality = 0;
    if (quality > 100)
        quality = 100;
    return at0 + (at100 - at0) * quality / 100.0;
}

int fu_video_crf(const char *encoder, int quality)
{
    if (is(encoder, "libvpx-vp9"))
        return (int)lround(interp(quality, 63, 0));
    return (int)lround(interp(quality, 51, 0));
}

const char *fu_video_preset(const char *encoder, const char *preset)
{
    if (!preset || !*preset)
        preset = "veryfast";
    if (ends_with(encoder, "_nvenc")) {
        if (is(preset, "ultrafast") || is(preset, "superfast") || is(preset, "veryfast") ||
            is(preset, "faster") || is(preset, "fast"))
            return "fast";
        if (is(preset, "medium"))
            return "medium";
        return "slow";
    }
    if (ends_with(encoder, "_amf")) {
        if (is(preset, "ultrafast") || is(preset, "superfast") || is(preset, "veryfast"))
            return "speed";
        if (is(preset, "faster") || is(preset, "fast") || is(preset, "medium"))
            return "balanced";
        return "quality";
    }
    if (ends_with(encoder, "_qsv") && (is(preset, "ultrafast") || is(preset, "superfast")))
        return "veryfast";
    return preset;
}

int fu_video_encoder_pix_fmt(const char *encoder, int channels, const char *ext)
{
    if (is(encoder, "libx264rgb"))
        return AV_PIX_FMT_RGB24;
    if (is(encoder, "libvpx-vp9"))
        return channels == 4 ? AV_PIX_FMT_YUVA420P : AV_PIX_FMT_YUV420P;
    if (is(encoder, "ffv1"))
        return channels == 4 ? AV_PIX_FMT_RGB32 : AV_PIX_FMT_0RGB32;
    if (is(encoder, "prores_ks"))
        return channels == 4 ? AV_PIX_FMT_YUVA444P10 : AV_PIX_FMT_YUV422P10;
    if (is(encoder, "rawvideo")) {
        if (is(ext, "avi"))
            return AV_PIX_FMT_BGR24;
        return channels == 4 ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB24;
    }
    if (ends_with(encoder, "_qsv"))
        return AV_PIX_FMT_NV12;
    return AV_PIX_FMT_YUV420P;
}

int fu_pix_fmt_is_rgb(int pix_fmt)
{
    switch (pix_fmt) {
    case AV_PIX_FMT_RGB24:
    case AV_PIX_FMT_BGR24:
    case AV_PIX_FMT_RGBA:
    case AV_PIX_FMT_BGRA:
    case AV_PIX_FMT_0RGB32: return 1; /* BGR0 / BGRA on little-endian */
    default: return 0;
    }
}

int fu_pix_fmt_has_alpha(int pix_fmt)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get((enum AVPixelFormat)pix_fmt);
    return d && (d->flags & AV_PIX_FMT_FLAG_ALPHA);
}

static void set_priv(struct AVCodecContext *enc, const char *key, const char *value)
{
    av_opt_set(enc->priv_data, key, value, 0);
}

static void set_priv_int(struct AVCodecContext *enc, const char *key, int64_t value)
{
    av_opt_set_int(enc->priv_data, key, value, 0);
}

/* libvpx has no presets: map speed to deadline + cpu-used. */
static void configure_vp9(struct AVCodecContext *enc, const char *preset, int quality)
{
    int fast = is(preset, "ultrafast") || is(preset, "superfast") || is(preset, "veryfast");
    int cpu_used = fast ? 8 : (is(preset, "faster") || is(preset, "fast")) ? 4
                                : is(preset, "medium") ? 2 : 1;
    enc->bit_rate = 0;
    set_priv_int(enc, "crf", fu_video_crf("libvpx-vp9", quality));
    set_priv(enc, "deadline", fast ? "realtime" : "good");
    set_priv_int(enc, "cpu-used", cpu_used);
    set_priv_int(enc, "row-mt", 1);
}

facefuse_status fu_video_encoder_configure(struct AVCodecContext *enc, const char *encoder,
                                           const char *preset, int quality, fu_err *err)
{
    const char *p = fu_video_preset(encoder, preset);
    int crf = fu_video_crf(encoder, quality);

    if (is(encoder, "libx264") || is(encoder, "libx264rgb") || is(encoder, "libx265")) {
        set_priv(enc, "preset", p);
        set_priv_int(enc, "crf", crf);
        if (is(encoder, "libx265"))
            set_priv(enc, "x265-params", "log-level=error");
    } else if (is(encoder, "libvpx-vp9")) {
        configure_vp9(enc, p, quality);
    } else if (ends_with(encoder, "_nvenc")) {
        set_priv(enc, "preset", p);
        set_priv_int(enc, "cq", crf);
    } else if (ends_with(encoder, "_qsv")) {
        set_priv(enc, "preset", p);
        enc->global_quality = crf;
    } else if (ends_with(encoder, "_amf")) {
        set_priv(enc, "quality", p);
        set_priv(enc, "rc", "cqp");
        set_priv_int(enc, "qp_i", crf);
        set_priv_int(enc, "qp_p", crf);
        set_priv_int(enc, "qp_b", crf);
    } else if (ends_with(encoder, "_videotoolbox")) {
        enc->bit_rate = (int64_t)lround(interp(quality, 1024, 50512)) * 1000;
    } else if (ends_with(encoder, "_vaapi")) {
        return fu_fail(err, FACEFUSE_ERR_UNSUPPORTED,
                       "video encoder %s needs a VA-API device, which facefuse does not set up",
                       encoder);
    } else if (is(encoder, "ffv1")) {
        enc->level = 3;
        set_priv_int(enc, "slicecrc", 1);
    }
    return FACEFUSE_OK;
}

void fu_audio_encoder_configure(struct AVCodecContext *enc, const char *encoder, int quality)
{
    if (is(encoder, "aac")) {
        enc->flags |= AV_CODEC_FLAG_QSCALE;
        enc->global_quality = (int)lround(round(interp(quality, 0.1, 2.0) * 10) / 10 * FF_QP2LAMBDA);
    } else if (is(encoder, "libmp3lame")) {
        enc->flags |= AV_CODEC_FLAG_QSCALE;
        enc->global_quality = (int)lround(interp(quality, 9, 0)) * FF_QP2LAMBDA;
    } else if (is(encoder, "libopus")) {
        enc->bit_rate = lround(interp(quality, 64, 256)) * 1000;
    } else if (is(encoder, "libvorbis")) {
        enc->flags |= AV_CODEC_FLAG_QSCALE;
        enc->global_quality = (int)lround(round(interp(quality, -1, 10) * 10) / 10 * FF_QP2LAMBDA);
    }
}
