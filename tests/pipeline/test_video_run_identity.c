/*
 * test_video_run_identity.c — a no-op processor keeps the video: same frame
 * count and duration in mp4, mov, mkv and webm; audio copied byte for byte;
 * two audio tracks both kept; no audio works; volume < 100 re-encodes; a
 * replacing audio file is cut to the video's length.
 */
#include <string.h>

#include "media/video_reader.h"
#include "pipeline/video_run.h"
#include "testlib.h"
#include "../media/video_testutil.h"

static void check_same_audio(const vt_stats *in, int in_stream, const vt_stats *out,
                             int out_stream, const char *what)
{
    const vt_stream_stats *a = &in->s[in_stream], *b = &out->s[out_stream];
    CHECK(a->packets == b->packets, "%s: %d audio packets in, %d out", what, a->packets,
          b->packets);
    int same = a->packets == b->packets;
    for (int i = 0; same && i < a->packets; i++)
        same = a->hashes[i] == b->hashes[i];
    CHECK(same, "%s: audio packets differ from the input's", what);
}

static int run_identity(const char *in_path, const char *out_path, int threads, fu_err *err)
{
    fu_video_job job = fu_video_job_default();
    job.target_path = in_path;
    job.output_path = out_path;
    job.thread_count = threads;
    job.video_preset = "ultrafast";
    return fu_video_run(&job, err);
}

static void identity_case2(const char *in_ext, const char *ext, const char *vcodec,
                           const char *acodec, int tracks)
{
    char in_name[64], out_name[64];
    snprintf(in_name, sizeof in_name, "in_%s_%d.%s", acodec, tracks, in_ext);
    snprintf(out_name, sizeof out_name, "out_%s_%d.%s", acodec, tracks, ext);
    char in_path[4096], out_path[4096];
    snprintf(in_path, sizeof in_path, "%s", tl_tmp(in_name));
    snprintf(out_path, sizeof out_path, "%s", tl_tmp(out_name));

    vt_clip c = vt_clip_default();
    c.vcodec = vcodec;
    c.acodec = acodec;
    c.audio_tracks = tracks;
    REQUIRE(vt_make_clip(in_path, &c) == 0, "cannot make %s", in_path);
    fu_err err;
    facefuse_status st = run_identity(in_path, out_path, 2, &err);
    REQUIRE(st == FACEFUSE_OK, "%s: %s", ext, err.msg);

    vt_stats in, out;
    REQUIRE(vt_probe(in_path, &in) == 0 && vt_probe(out_path, &out) == 0, "probe");
    CHECK(vt_video_frames(&out) == vt_video_frames(&in), "%s: %d frames in, %d out", ext,
          vt_video_frames(&in), vt_video_frames(&out));
    double din = vt_stream_duration(&in, in.video), dout = vt_stream_duration(&out, out.video);
    CHECK(fabs(din - dout) <= 1.0 / c.fps + 1e-3, "%s: duration %.3f in, %.3f out", ext, din,
          dout);
    CHECK(out.audio_count == tracks, "%s: %d audio streams out, want %d", ext, out.audio_count,
          tracks);
    for (int t = 0; t < tracks && t < out.audio_count; t++)
        check_same_audio(&in, in.audio[t], &out, out.audio[t], ext);
    vt_stats_free(&in);
    vt_stats_free(&out);
}

static void identity_case(const char *ext, const char *vcodec, const char *acodec, int tracks)
{
    identity_case2(ext, ext, vcodec, acodec, tracks);
}

static void test_mp4_aac(void) { identity_case("mp4", "libx264", "aac", 1); }
static void test_mov_aac(void) { identity_case("mov", "libx264", "aac", 1); }
static void test_mkv_opus(void) { identity_case("mkv", "libx264", "libopus", 1); }
static void test_webm_opus(void) { identity_case("webm", "libvpx-vp9", "libopus", 1); }
static void test_mkv_two_vorbis_tracks(void) { identity_case("mkv", "libx264", "libvorbis", 2); }
static void test_mp4_no_audio(void) { identity_case("mp4", "libx264", "aac", 0); }
static void test_mp4_aac_into_mkv(void) { identity_case2("mp4", "mkv", "libx264", "aac", 1); }
static void test_mkv_opus_into_mp4(void) { identity_case2("mkv", "mp4", "libx264", "libopus", 0); }

static void test_volume_reencodes(void)
{
    const char *in_path = tl_tmp("vol_in.mp4"), *out_path = tl_tmp("vol_out.mp4");
    char in_copy[4096];
    snprintf(in_copy, sizeof in_copy, "%s", in_path);
    vt_clip c = vt_clip_default();
    REQUIRE(vt_make_clip(in_copy, &c) == 0, "cannot make clip");
    fu_video_job job = fu_video_job_default();
    job.target_path = in_copy;
    job.output_path = out_path;
    job.audio_volume = 50;
    fu_err err;
    REQUIRE(fu_video_run(&job, &err) == FACEFUSE_OK, "%s", err.msg);
    vt_stats in, out;
    REQUIRE(vt_probe(in_copy, &in) == 0 && vt_probe(out_path, &out) == 0, "probe");
    REQUIRE(out.audio_count == 1, "audio streams %d", out.audio_count);
    const vt_stream_stats *a = &in.s[in.audio[0]], *b = &out.s[out.audio[0]];
    int same = a->packets == b->packets;
    for (int i = 0; same && i < a->packets; i++)
        same = a->hashes[i] == b->hashes[i];
    CHECK(!same, "volume 50 must re-encode, but packets are identical");
    double da = vt_stream_duration(&in, in.audio[0]), db = vt_stream_duration(&out, out.audio[0]);
    CHECK(fabs(da - db) < 0.05, "audio duration %.3f in, %.3f out", da, db);
    vt_stats_free(&in);
    vt_stats_free(&out);

    job.audio_volume = 0;
    REQUIRE(fu_video_run(&job, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(vt_probe(out_path, &out) == 0, "probe");
    CHECK(out.audio_count == 0, "volume 0 keeps %d audio streams", out.audio_count);
    vt_stats_free(&out);
}

static void test_replacing_audio_cut_to_video(void)
{
    char video[4096], sound[4096];
    snprintf(video, sizeof video, "%s", tl_tmp("short_video.mp4"));
    snprintf(sound, sizeof sound, "%s", tl_tmp("long_sound.mkv"));
    vt_clip c = vt_clip_default();
    c.frames = 15; /* 1 s */
    c.audio_tracks = 0;
    REQUIRE(vt_make_clip(video, &c) == 0, "cannot make video");
    c.frames = 45; /* 3 s of vorbis */
    c.audio_tracks = 1;
    c.acodec = "libvorbis";
    REQUIRE(vt_make_clip(sound, &c) == 0, "cannot make sound");
    fu_video_job job = fu_video_job_default();
    job.target_path = video;
    job.audio_path = sound;
    job.output_path = tl_tmp("replaced.mp4");
    fu_err err;
    REQUIRE(fu_video_run(&job, &err) == FACEFUSE_OK, "%s", err.msg);
    vt_stats out;
    REQUIRE(vt_probe(job.output_path, &out) == 0, "probe");
    REQUIRE(out.audio_count == 1, "audio streams %d", out.audio_count);
    CHECK(out.s[out.audio[0]].codec_id == AV_CODEC_ID_AAC, "vorbis should become aac in mp4");
    double d = vt_stream_duration(&out, out.audio[0]);
    CHECK(fabs(d - 1.0) < 0.05, "replacing audio lasts %.3f s, video 1 s", d);
    vt_stats_free(&out);
}

static void test_unreadable_audio_gives_silent_video(void)
{
    char video[4096], junk[4096];
    snprintf(video, sizeof video, "%s", tl_tmp("silent_in.mp4"));
    snprintf(junk, sizeof junk, "%s", tl_tmp("junk.mp3"));
    vt_clip c = vt_clip_default();
    REQUIRE(vt_make_clip(video, &c) == 0, "cannot make video");
    FILE *f = fopen(junk, "w");
    REQUIRE(f, "write");
    fputs("no sound here\n", f);
    fclose(f);
    fu_video_job job = fu_video_job_default();
    job.target_path = video;
    job.audio_path = junk;
    job.output_path = tl_tmp("silent_out.mp4");
    fu_err err;
    REQUIRE(fu_video_run(&job, &err) == FACEFUSE_OK, "%s", err.msg);
    vt_stats out;
    REQUIRE(vt_probe(job.output_path, &out) == 0, "probe");
    CHECK(out.audio_count == 0 && vt_video_frames(&out) == 30, "%d audio, %d frames",
          out.audio_count, vt_video_frames(&out));
    vt_stats_free(&out);
}

int main(void)
{
    av_log_set_level(AV_LOG_ERROR);
    RUN(test_mp4_aac);
    RUN(test_mov_aac);
    RUN(test_mkv_opus);
    RUN(test_webm_opus);
    RUN(test_mkv_two_vorbis_tracks);
    RUN(test_mp4_no_audio);
    RUN(test_mp4_aac_into_mkv);
    RUN(test_mkv_opus_into_mp4);
    RUN(test_volume_reencodes);
    RUN(test_replacing_audio_cut_to_video);
    RUN(test_unreadable_audio_gives_silent_video);
    return tl_finish();
}
