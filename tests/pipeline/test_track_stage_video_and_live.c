/*
 * test_track_stage_video_and_live.c — the tracker wired into both runners,
 * on a generated clip of two moving faces (real SCRFD-2.5G at 320):
 * - video: fu_track_stage_attach on a 2-worker fu_video_run with
 *   --face-tracker-score 0.3 and --target-frame-amount 2 (a look-ahead of
 *   2): every worker gets the faces of its own frame (frame_index matches),
 *   both faces on every frame, full detections on about a quarter of the
 *   frames at interval 4;
 * - live: fu_live_session_run (what `facefuse live` calls) with the live
 *   defaults, the clip as an unpaced camera and a recording as output: the
 *   apply callback gets both faces on every frame with two stable track
 *   ids, and its changes (the face boxes painted) are in the recording.
 */
#include <pthread.h>

#include "../face/trackclip.h"

#include "media/video_reader.h"
#include "media/video_writer.h"
#include "pipeline/track_stage.h"

#define W 320
#define H 180
#define FRAMES 24

static facefuse_context *ctx;
static tc_sprite sprites[2];

static void render(facefuse_image *im, int i)
{
    tc_background(im);
    tc_paste(im, &sprites[1], 10 + 4 * i, 30);
    tc_paste(im, &sprites[0], 200 - 2 * i, 60);
}

static int make_clip(const char *path)
{
    fu_video_writer *w;
    fu_video_writer_params p = {0};
    facefuse_image frame = {0};
    fu_err err;
    p.final_path = p.temp_path = path;
    p.width = W;
    p.height = H;
    p.channels = 3;
    p.encoder = "ffv1";
    p.quality = 80;
    p.tb_num = 1;
    p.tb_den = 30;
    p.fps_num = 30;
    p.fps_den = 1;
    if (fu_video_writer_open(&w, &p, &err) != FACEFUSE_OK || fu_video_writer_start(w, &err) != FACEFUSE_OK)
        return 0;
    facefuse_image_alloc(&frame, W, H, 3);
    int ok = 1;
    for (int i = 0; i < FRAMES && ok; i++) {
        render(&frame, i);
        ok = fu_video_writer_write(w, &frame, i, &err) == FACEFUSE_OK;
    }
    ok = ok && fu_video_writer_finish(w, &err) == FACEFUSE_OK;
    fu_video_writer_free(w);
    facefuse_image_free(&frame);
    return ok;
}

static facefuse_analysis_params analysis(void)
{
    facefuse_analysis_params ap = detector_only("scrfd");
    ap.detector_size = 320;
    return ap;
}

typedef struct seen {
    pthread_mutex_t lock;
    int faces[FRAMES], index_ok[FRAMES], calls[FRAMES];
    int detected, ids[2], id_changes, frames;
} seen;

static facefuse_status video_process(void *user, facefuse_image *frame, int64_t index, double time_s, void *data,
                                     fu_err *err)
{
    (void)time_s;
    seen *s = user;
    const fu_track_frame *f = data;
    pthread_mutex_lock(&s->lock);
    if (index >= 0 && index < FRAMES) {
        s->calls[index]++;
        s->faces[index] = f ? f->count : -1;
        s->index_ok[index] = f && f->frame_index == index;
        for (int i = 0; f && i < f->count; i++)
            s->detected += f->origins[i] == FU_FACE_DETECTED;
    }
    pthread_mutex_unlock(&s->lock);
    return FACEFUSE_OK;
}

static void video_workers_get_their_frames_faces(void)
{
    const char *clip = tl_tmp("faces.mkv");
    REQUIRE(make_clip(clip), "clip");
    facefuse_analysis_params ap = analysis();
    fu_track_settings ts = fu_track_default_settings();
    ts.detector_interval = 4;
    ts.tracker_score = 0.3f;
    ts.frame_amount = 2;
    fu_tracker *t;
    fu_err err;
    REQUIRE(fu_tracker_new(ctx, &ap, &ts, &t, &err) == FACEFUSE_OK, "%s", err.msg);
    seen s;
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.lock, NULL);
    fu_video_job job = fu_video_job_default();
    job.target_path = clip;
    job.output_path = tl_tmp("faces_out.mkv");
    job.video_encoder = "ffv1";
    job.thread_count = 2;
    fu_track_stage_attach(&job, t);
    job.process_analysed = video_process;
    job.process_user = &s;
    CHECK(job.analyse_lookahead == 2, "look-ahead %d", job.analyse_lookahead);
    REQUIRE(fu_video_run(&job, &err) == FACEFUSE_OK, "%s", err.msg);
    for (int i = 0; i < FRAMES; i++) {
        CHECK(s.calls[i] == 1 && s.index_ok[i], "frame %d: %d calls, its own faces %d", i, s.calls[i], s.index_ok[i]);
        CHECK(s.faces[i] == 2, "frame %d: %d faces", i, s.faces[i]);
    }
    fu_track_stats st = fu_tracker_stats(t);
    printf("  video: %lld full detections, %lld regions over %d frames\n", (long long)st.full_detections,
           (long long)st.region_detections, FRAMES);
    CHECK(st.full_detections <= FRAMES / 4 + 1, "%lld full detections", (long long)st.full_detections);
    CHECK(s.detected == 2 * st.full_detections, "%d detected faces for %lld full detections", s.detected,
          (long long)st.full_detections);
    fu_tracker_free(t);
    pthread_mutex_destroy(&s.lock);
}

static facefuse_status paint_faces(void *user, facefuse_image *frame, const fu_track_frame *f, int *used, fu_err *err)
{
    seen *s = user;
    int i = s->frames++;
    if (i < FRAMES)
        s->faces[i] = f->count;
    for (int k = 0; k < f->count; k++) {
        int slot = s->ids[0] == f->track_ids[k] ? 0 : s->ids[1] == f->track_ids[k] ? 1 : -1;
        if (slot < 0) {
            if (!s->ids[0])
                s->ids[0] = f->track_ids[k];
            else if (!s->ids[1])
                s->ids[1] = f->track_ids[k];
            else
                s->id_changes++;
        }
        /* paint the middle of the face box pure red */
        int cx = (int)((f->faces[k].box[0] + f->faces[k].box[2]) / 2), cy = (int)((f->faces[k].box[1] + f->faces[k].box[3]) / 2);
        for (int y = cy - 8; y < cy + 8; y++)
            for (int x = cx - 8; x < cx + 8; x++)
                if (x >= 0 && y >= 0 && x < frame->width && y < frame->height) {
                    uint8_t *p = fu_pixel(frame, x, y);
                    p[0] = 255, p[1] = 0, p[2] = 0;
                }
    }
    *used = f->count;
    return FACEFUSE_OK;
}

static void live_session_tracks_and_applies(void)
{
    const char *clip = tl_tmp("faces.mkv");
    REQUIRE(make_clip(clip), "clip");
    seen s;
    memset(&s, 0, sizeof s);
    fu_live_session ls;
    memset(&ls, 0, sizeof ls);
    ls.live.camera.source = clip;
    ls.live.output = tl_tmp("live_rec.mkv");
    ls.analysis = analysis();
    ls.track = fu_live_track_defaults();
    ls.apply = paint_faces;
    ls.apply_user = &s;
    fu_live_summary sum;
    fu_err err;
    REQUIRE(fu_live_session_run(ctx, &ls, &sum, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(sum.frames_out == FRAMES && sum.faces == 2, "%lld frames out, %d faces", (long long)sum.frames_out,
          sum.faces);
    for (int i = 0; i < FRAMES; i++)
        CHECK(s.faces[i] == 2, "live frame %d: %d faces", i, s.faces[i]);
    CHECK(s.ids[0] && s.ids[1] && s.id_changes == 0, "track ids %d %d, %d changes", s.ids[0], s.ids[1],
          s.id_changes);

    /* The recording shows the painted faces. */
    fu_video_reader *r;
    REQUIRE(fu_video_reader_open(&r, ls.live.output, 1, &err) == FACEFUSE_OK, "%s", err.msg);
    facefuse_image im = {0};
    int64_t pts;
    int got, red_frames = 0, n = 0;
    while (fu_video_reader_next(r, &im, &pts, &got, &err) == FACEFUSE_OK && got) {
        int red = 0;
        for (int y = 0; y < im.height; y++)
            for (int x = 0; x < im.width; x++) {
                const uint8_t *p = fu_pixel(&im, x, y);
                red += p[0] > 200 && p[1] < 60 && p[2] < 60;
            }
        red_frames += red >= 2 * 100;
        n++;
    }
    fu_video_reader_close(r);
    facefuse_image_free(&im);
    CHECK(n == FRAMES && red_frames == FRAMES, "%d frames recorded, %d show both painted faces", n, red_frames);
}

int main(void)
{
    ctx = tl_context();
    tc_sprites(ctx, 96, sprites);
    RUN(video_workers_get_their_frames_faces);
    RUN(live_session_tracks_and_applies);
    tc_sprites_free(sprites);
    facefuse_context_free(ctx);
    return tl_finish();
}
