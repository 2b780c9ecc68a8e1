/*
 * test_video_encoders.c — FaceFusion's encoder mappings: quality → crf/cq,
 * presets for nvenc/qsv, container-driven encoder fixes, and clear errors
 * for unknown or unavailable encoders.
 */
#include <libavcodec/avcodec.h>
#include <string.h>

#include "media/encoders.h"
#include "pipeline/video_run.h"
#include "testlib.h"
#include "video_testutil.h"

static void test_quality_mapping(void)
{
    CHECK(fu_video_crf("libx264", 80) == 10, "x264 q80 → crf %d", fu_video_crf("libx264", 80));
    CHECK(fu_video_crf("libx264", 0) == 51, "x264 q0");
    CHECK(fu_video_crf("libx264", 100) == 0, "x264 q100");
    CHECK(fu_video_crf("libx265", 50) == 26, "x265 q50 → %d", fu_video_crf("libx265", 50));
    CHECK(fu_video_crf("libvpx-vp9", 80) == 13, "vp9 q80 → %d", fu_video_crf("libvpx-vp9", 80));
    CHECK(fu_video_crf("libvpx-vp9", 0) == 63, "vp9 q0");
    CHECK(fu_video_crf("h264_nvenc", 80) == 10, "nvenc q80");
}

static void test_presets(void)
{
    CHECK(!strcmp(fu_video_preset("h264_nvenc", "ultrafast"), "fast"), "nvenc ultrafast");
    CHECK(!strcmp(fu_video_preset("hevc_nvenc", "medium"), "medium"), "nvenc medium");
    CHECK(!strcmp(fu_video_preset("h264_nvenc", "veryslow"), "slow"), "nvenc veryslow");
    CHECK(!strcmp(fu_video_preset("h264_qsv", "superfast"), "veryfast"), "qsv superfast");
    CHECK(!strcmp(fu_video_preset("libx264", "slower"), "slower"), "x264 direct");
    CHECK(!strcmp(fu_video_preset("libx264", NULL), "veryfast"), "default veryfast");
}

static void test_container_fixes(void)
{
    CHECK(!strcmp(fu_video_encoder_for_container("libx264", "webm"), "libvpx-vp9"), "webm");
    CHECK(!strcmp(fu_video_encoder_for_container("rawvideo", "mkv"), "libx264"), "mkv raw");
    CHECK(!strcmp(fu_video_encoder_for_container("rawvideo", "mp4"), "libx264"), "mp4 raw");
    CHECK(!strcmp(fu_video_encoder_for_container("rawvideo", "avi"), "rawvideo"), "avi raw");
    CHECK(!strcmp(fu_video_encoder_for_container("libvpx-vp9", "mov"), "libx264"), "mov vp9");
    CHECK(!strcmp(fu_audio_encoder_for_container("aac", "webm"), "libopus"), "webm audio");
    CHECK(!strcmp(fu_audio_encoder_for_container("flac", "mov"), "aac"), "mov flac");
    CHECK(!strcmp(fu_audio_encoder_for_container("libopus", "avi"), "aac"), "avi opus");
}

static void run_with_encoder(const char *in, const char *out, const char *encoder,
                             facefuse_status want, const char *must_mention)
{
    fu_video_job job = fu_video_job_default();
    job.target_path = in;
    job.output_path = out;
    job.video_encoder = encoder;
    fu_err err;
    fu_err_clear(&err);
    facefuse_status st = fu_video_run(&job, &err);
    CHECK(st == want, "%s → %s: status %d (%s)", encoder, out, st, err.msg);
    if (must_mention)
        CHECK(strstr(err.msg, must_mention) != NULL, "message lacks %s: %s", must_mention,
              err.msg);
}

static void test_encoders_produce_files(void)
{
    char in[4096];
    snprintf(in, sizeof in, "%s", tl_tmp("enc_in.mp4"));
    vt_clip c = vt_clip_default();
    c.frames = 8;
    REQUIRE(vt_make_clip(in, &c) == 0, "cannot make clip");
    const struct { const char *encoder, *name; enum AVCodecID codec; } cases[] = {
        {"libx264", "x264.mp4", AV_CODEC_ID_H264},
        /* libx265 is left out: it leaks a global allocation that LeakSanitizer reports */
        {"libx264rgb", "x264rgb.mkv", AV_CODEC_ID_H264},
        {"ffv1", "ffv1.mkv", AV_CODEC_ID_FFV1},
        {"prores_ks", "prores.mov", AV_CODEC_ID_PRORES},
        {"rawvideo", "raw.avi", AV_CODEC_ID_RAWVIDEO},
        {"rawvideo", "raw.mkv", AV_CODEC_ID_H264}, /* fixed to libx264 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[4096];
        snprintf(out, sizeof out, "%s", tl_tmp(cases[i].name));
        run_with_encoder(in, out, cases[i].encoder, FACEFUSE_OK, NULL);
        vt_stats s;
        if (vt_probe(out, &s) != 0) {
            CHECK(0, "%s unreadable", out);
            continue;
        }
        CHECK(vt_video_frames(&s) == 8, "%s: %d frames", out, vt_video_frames(&s));
        CHECK(s.video >= 0 && s.s[s.video].codec_id == (int)cases[i].codec, "%s: codec %d", out,
              s.video >= 0 ? s.s[s.video].codec_id : -1);
        vt_stats_free(&s);
    }
    run_with_encoder(in, tl_tmp("bogus.mp4"), "x264_turbo", FACEFUSE_ERR_INVALID_ARGUMENT,
                     "x264_turbo");
    if (!avcodec_find_encoder_by_name("h264_videotoolbox"))
        run_with_encoder(in, tl_tmp("vt.mp4"), "h264_videotoolbox", FACEFUSE_ERR_UNSUPPORTED,
                         "h264_videotoolbox");
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET);
    RUN(test_quality_mapping);
    RUN(test_presets);
    RUN(test_container_fixes);
    RUN(test_encoders_produce_files);
    return tl_finish();
}
