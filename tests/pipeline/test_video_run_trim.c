/*
 * test_video_run_trim.c — timing: a trim keeps exactly the requested frames
 * with audio cut in sync (copy and re-encode); variable-frame-rate input
 * keeps its timestamps; an output fps resamples to a constant rate.
 */
#include <string.h>

#include "core/image.h"
#include "media/video_reader.h"
#include "pipeline/video_run.h"
#include "testlib.h"
#include "../media/video_testutil.h"

static char clip[4096];

static const char *trim_clip(void)
{
    if (!clip[0]) {
        snprintf(clip, sizeof clip, "%s", tl_tmp("trim_in.mp4"));
        vt_clip c = vt_clip_default(); /* 30 frames at 15 fps, aac */
        if (vt_make_clip(clip, &c) != 0)
            clip[0] = '\0';
    }
    return clip;
}

/* Mean of the blue channel: the pattern sets it to 8 × frame index. */
static double mean_blue(const facefuse_image *im)
{
    double sum = 0;
    for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width; x++)
            sum += fu_pixel(im, x, y)[2];
    return sum / (im->width * im->height);
}

static void trim_case(int volume, const char *out_name)
{
    const char *in_path = trim_clip();
    REQUIRE(in_path[0], "no clip");
    fu_video_job job = fu_video_job_default();
    job.target_path = in_path;
    job.output_path = tl_tmp(out_name);
    job.trim_start = 6;
    job.trim_end = 21;
    job.audio_volume = volume;
    fu_err err;
    REQUIRE(fu_video_run(&job, &err) == FACEFUSE_OK, "%s", err.msg);

    vt_stats out;
    REQUIRE(vt_probe(job.output_path, &out) == 0, "probe");
    CHECK(vt_video_frames(&out) == 15, "%d frames, want 15", vt_video_frames(&out));
    double vd = vt_stream_duration(&out, out.video);
    CHECK(fabs(vd - 1.0) <= 1.0 / 15 + 1e-3, "video lasts %.3f s, want 1.0", vd);
    CHECK(fabs(out.s[out.video].first_s) < 1e-3, "video starts at %.3f", out.s[out.video].first_s);
    REQUIRE(out.audio_count == 1, "audio streams %d", out.audio_count);
    double ad = vt_stream_duration(&out, out.audio[0]);
    double tolerance = 1.0 / 15 + (volume == 100 ? 1024.0 / 48000 : 0) + 1e-3;
    CHECK(fabs(ad - vd) <= tolerance, "audio lasts %.3f s, video %.3f s", ad, vd);
    CHECK(fabs(out.s[out.audio[0]].first_s) <= 1024.0 / 48000 + 1e-3, "audio starts at %.3f",
          out.s[out.audio[0]].first_s);
    vt_stats_free(&out);

    facefuse_image first = {0};
    REQUIRE(fu_video_read_frame_at(job.output_path, 0, &first, &err) == FACEFUSE_OK, "%s",
            err.msg);
    double blue = mean_blue(&first);
    CHECK(fabs(blue - 6 * 8) < 3, "first frame is not target frame 6 (blue %.1f)", blue);
    facefuse_image_free(&first);
}

static void test_trim_copy_audio(void) { trim_case(100, "trim_copy.mp4"); }
static void test_trim_reencoded_audio(void) { trim_case(80, "trim_encoded.mp4"); }

static void vfr_case(const char *in_name, const char *out_name, int audio_tracks)
{
    char in_path[4096];
    snprintf(in_path, sizeof in_path, "%s", tl_tmp(in_name));
    vt_clip c = vt_clip_default();
    c.vfr = 1;
    c.frames = 20;
    c.acodec = "libopus";
    c.audio_tracks = audio_tracks;
    REQUIRE(vt_make_clip(in_path, &c) == 0, "cannot make clip");
    fu_video_job job = fu_video_job_default();
    job.target_path = in_path;
    job.output_path = tl_tmp(out_name);
    fu_err err;
    REQUIRE(fu_video_run(&job, &err) == FACEFUSE_OK, "%s", err.msg);
    vt_stats in, out;
    REQUIRE(vt_probe(in_path, &in) == 0 && vt_probe(job.output_path, &out) == 0, "probe");
    REQUIRE(vt_video_frames(&out) == 20, "%d frames", vt_video_frames(&out));
    const double *pi = in.s[in.video].pts_s, *po = out.s[out.video].pts_s;
    /* Without audio the timestamps are equal; with Opus the muxer shifts
     * all streams by the codec delay, so the gaps and the A/V offset are. */
    double shift = audio_tracks ? po[0] - pi[0] : 0;
    for (int i = 0; i < 20; i++)
        if (fabs(pi[i] + shift - po[i]) > 1e-3) {
            CHECK(0, "frame %d at %.3f s in, %.3f s out", i, pi[i], po[i]);
            break;
        }
    CHECK(fabs(po[5] - po[4] - 0.120) < 1e-3, "gap 4→5 should be 120 ms, is %.3f", po[5] - po[4]);
    if (audio_tracks) {
        double av_in = pi[0] - in.s[in.audio[0]].first_s;
        double av_out = po[0] - out.s[out.audio[0]].first_s;
        CHECK(fabs(av_in - av_out) < 1e-3, "A/V offset %.4f in, %.4f out", av_in, av_out);
    }
    vt_stats_free(&in);
    vt_stats_free(&out);
}

static void test_vfr_timestamps_kept(void) { vfr_case("vfr_in.mkv", "vfr_out.mkv", 0); }
static void test_vfr_with_opus_in_sync(void) { vfr_case("vfr_opus_in.mkv", "vfr_opus_out.mkv", 1); }

static void test_output_fps_doubles_frames(void)
{
    const char *in_path = trim_clip();
    REQUIRE(in_path[0], "no clip");
    fu_video_job job = fu_video_job_default();
    job.target_path = in_path;
    job.output_path = tl_tmp("fps30.mp4");
    job.output_fps = 30;
    job.output_scale = 0.5;
    fu_err err;
    REQUIRE(fu_video_run(&job, &err) == FACEFUSE_OK, "%s", err.msg);
    vt_stats out;
    REQUIRE(vt_probe(job.output_path, &out) == 0, "probe");
    CHECK(vt_video_frames(&out) == 60, "%d frames at 30 fps, want 60", vt_video_frames(&out));
    double vd = vt_stream_duration(&out, out.video);
    CHECK(fabs(vd - 2.0) < 1.0 / 30 + 1e-3, "lasts %.3f s", vd);
    vt_stats_free(&out);
    fu_video_info info;
    REQUIRE(fu_video_probe(job.output_path, &info, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(info.width == 80 && info.height == 60, "scaled size %dx%d", info.width, info.height);
}

int main(void)
{
    av_log_set_level(AV_LOG_ERROR);
    RUN(test_trim_copy_audio);
    RUN(test_trim_reencoded_audio);
    RUN(test_vfr_timestamps_kept);
    RUN(test_vfr_with_opus_in_sync);
    RUN(test_output_fps_doubles_frames);
    return tl_finish();
}
