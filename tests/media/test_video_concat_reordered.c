/*
 * test_video_concat_reordered.c — joining pieces whose codec reorders
 * frames (x264 with B-frames) by stream copy: Matroska pieces (which carry
 * no decode timestamps for their first packets) joined into MP4 and MOV
 * give a file with strictly increasing decode timestamps, every frame
 * decodable, the presentation timestamps of a single render and the
 * target's audio packets; a piece made with another encoder is refused by
 * name.
 */
#include "core/file.h"
#include "media/video_concat.h"
#include "media/video_index.h"
#include "pipeline/segment.h"
#include "pipeline/video_run.h"
#include "testlib.h"
#include "video_testutil.h"

#define FRAMES 30

static char clip[4096];
static fu_segment_plan plan;
static fu_video_index ix;
static char piece_paths[3][4096];

static int render(const char *out, int64_t start, int64_t end, const char *encoder)
{
    fu_video_job job = fu_video_job_default();
    fu_err err;
    job.target_path = clip;
    job.output_path = out;
    job.trim_start = start;
    job.trim_end = end;
    job.video_encoder = encoder;
    job.thread_count = 1;
    if (fu_video_run(&job, &err) != FACEFUSE_OK) {
        fprintf(stderr, "%s: %s\n", out, err.msg);
        return -1;
    }
    return 0;
}

static facefuse_status join(const char *out, const char *const *pieces, fu_err *err)
{
    int64_t starts[3], frames[3];
    for (int k = 0; k < plan.count; k++) {
        starts[k] = plan.segments[k].start;
        frames[k] = plan.segments[k].end - plan.segments[k].start;
    }
    fu_concat_params cp;
    memset(&cp, 0, sizeof cp);
    cp.output_path = out;
    cp.pieces = pieces;
    cp.piece_count = plan.count;
    cp.piece_start = starts;
    cp.piece_frames = frames;
    cp.timing = &ix;
    cp.audio.path = clip;
    cp.audio.volume = 100;
    cp.check_decode = 1;
    return fu_video_concat(&cp, err);
}

/* Decode timestamps of the video packets of path in file order increase. */
static int dts_increasing(const char *path)
{
    AVFormatContext *ic = NULL;
    if (avformat_open_input(&ic, path, NULL, NULL) < 0 || avformat_find_stream_info(ic, NULL) < 0)
        return 0;
    AVPacket *pkt = av_packet_alloc();
    int64_t last = INT64_MIN;
    int ok = 1, reordered = 0;
    while (av_read_frame(ic, pkt) >= 0) {
        if (ic->streams[pkt->stream_index]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
            ok &= pkt->dts != AV_NOPTS_VALUE && pkt->dts > last && pkt->pts >= pkt->dts;
            reordered |= pkt->pts != pkt->dts;
            last = pkt->dts;
        }
        av_packet_unref(pkt);
    }
    av_packet_free(&pkt);
    avformat_close_input(&ic);
    return ok && reordered;
}

static void x264_pieces_join_into_mp4_and_mov(void)
{
    REQUIRE(clip[0] && plan.count == 3, "setup");
    const char *single = tl_tmp("single.mp4");
    REQUIRE(render(single, -1, -1, "libx264") == 0, "single render");
    const char *pieces[3] = {piece_paths[0], piece_paths[1], piece_paths[2]};
    const char *outs[2] = {"joined.mp4", "joined.mov"};
    for (int o = 0; o < 2; o++) {
        fu_err err;
        const char *out = tl_tmp(outs[o]);
        REQUIRE(join(out, pieces, &err) == FACEFUSE_OK, "%s: %s", outs[o], err.msg);
        CHECK(dts_increasing(out), "%s: decode timestamps not increasing (or no reordering)", outs[o]);
        fu_piece_info info;
        CHECK(fu_video_piece_check(out, FRAMES, 1, &info, &err) == FACEFUSE_OK, "%s does not decode: %s", outs[o],
              err.msg);
        vt_stats a, b;
        REQUIRE(vt_probe(single, &a) == 0 && vt_probe(out, &b) == 0, "probe");
        int same_pts = vt_video_frames(&a) == FRAMES && vt_video_frames(&b) == FRAMES;
        for (int i = 0; same_pts && i < FRAMES; i++)
            same_pts = fabs(a.s[a.video].pts_s[i] - b.s[b.video].pts_s[i]) < 1e-6;
        CHECK(same_pts, "%s: frames or timestamps differ from the single render", outs[o]);
        const vt_stream_stats *xa = &a.s[a.audio[0]], *xb = &b.s[b.audio[0]];
        int same_audio = b.audio_count == 1 && xa->packets == xb->packets;
        for (int i = 0; same_audio && i < xa->packets; i++)
            same_audio = xa->hashes[i] == xb->hashes[i];
        CHECK(same_audio, "%s: audio packets differ", outs[o]);
        vt_stats_free(&a);
        vt_stats_free(&b);
    }
}

static void piece_of_another_encoder_is_refused(void)
{
    const char *other = tl_tmp("other-1.mkv");
    REQUIRE(render(other, plan.segments[1].start, plan.segments[1].end, "ffv1") == 0, "ffv1 piece");
    const char *pieces[3] = {piece_paths[0], other, piece_paths[2]};
    fu_err err;
    const char *out = tl_tmp("mixed.mp4");
    CHECK(join(out, pieces, &err) == FACEFUSE_ERR_DECODE && strstr(err.msg, "other-1.mkv") &&
              strstr(err.msg, "encoded differently"),
          "%s", err.msg);
    CHECK(!fu_file_exists(out), "an output was written");
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET);
    snprintf(clip, sizeof clip, "%s", tl_tmp("clip.mp4"));
    vt_clip c = vt_clip_default();
    c.frames = FRAMES;
    c.gop = 6;
    fu_err err;
    if (vt_make_clip(clip, &c) != 0 || fu_video_index_build(clip, &ix, &err) != FACEFUSE_OK ||
        fu_segment_plan_make(&ix, 3, &plan, &err) != FACEFUSE_OK)
        clip[0] = '\0';
    for (int k = 0; clip[0] && k < plan.count && k < 3; k++) {
        snprintf(piece_paths[k], sizeof piece_paths[k], "%s", tl_tmp(k == 0 ? "p0.mkv" : k == 1 ? "p1.mkv" : "p2.mkv"));
        if (render(piece_paths[k], plan.segments[k].start, plan.segments[k].end, "libx264") != 0)
            clip[0] = '\0';
    }
    RUN(x264_pieces_join_into_mp4_and_mov);
    RUN(piece_of_another_encoder_is_refused);
    fu_segment_plan_free(&plan);
    fu_video_index_free(&ix);
    return tl_finish();
}
