/*
 * test_track_refill_missed_detections.c — FaceFusion's --face-tracker-score
 * with --target-frame-amount k = 2: a face missing from a few frames is
 * refilled on exactly the frames whose ±2 window holds a detection on both
 * sides (FaceFusion's track_faces/refill_faces), with box and landmarks
 * interpolated linearly between the two detections; with the score at 0
 * nothing is refilled. Results come out k frames after their frame went in.
 * Real SCRFD-2.5G; the face is blanked from frames 10–11 (both refilled) and
 * 20–22 (only 21, the middle one, has both ends within ±2).
 */
#include "trackclip.h"

#include "face/track.h"

#define W 320
#define H 180
#define FRAMES 26

static facefuse_context *ctx;
static tc_sprite sprites[2];

static int blank(int i)
{
    return i == 10 || i == 11 || (i >= 20 && i <= 22);
}

static void run(float score, fu_track_frame out[FRAMES])
{
    facefuse_analysis_params ap = detector_only("scrfd");
    fu_track_settings s = fu_track_default_settings();
    fu_tracker *t = NULL;
    facefuse_image frame = {0};
    fu_err err;
    int popped = 0;

    ap.detector_size = 320;
    s.tracker_score = score;
    s.frame_amount = 2;
    REQUIRE(fu_tracker_new(ctx, &ap, &s, &t, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_tracker_lookahead(t) == (score > 0 ? 2 : 0), "look-ahead %d", fu_tracker_lookahead(t));
    facefuse_image_alloc(&frame, W, H, 3);
    for (int i = 0; i < FRAMES; i++) {
        tc_background(&frame);
        if (!blank(i))
            tc_paste(&frame, &sprites[1], 20 + 5 * i, 30 + i);
        REQUIRE(fu_tracker_push(t, &frame, i, i / 25.0, &err) == FACEFUSE_OK, "%s", err.msg);
        while (popped < FRAMES && fu_tracker_pop(t, 0, &out[popped])) {
            if (score > 0)
                CHECK(out[popped].frame_index == i - 2, "frame %lld came out after pushing frame %d",
                      (long long)out[popped].frame_index, i);
            popped++;
        }
    }
    while (popped < FRAMES && fu_tracker_pop(t, 1, &out[popped]))
        popped++;
    CHECK(popped == FRAMES, "%d frames came out", popped);
    facefuse_image_free(&frame);
    fu_tracker_free(t);
}

static void check_interpolated(fu_track_frame r[FRAMES], int x, int before, int after)
{
    REQUIRE(r[x].count == 1, "frame %d: %d faces", x, r[x].count);
    REQUIRE(r[before].count == 1 && r[after].count == 1, "anchors %d and %d", before, after);
    CHECK(r[x].origins[0] == FU_FACE_REFILLED, "frame %d: origin %d", x, r[x].origins[0]);
    CHECK(r[x].track_ids[0] == r[before].track_ids[0] && r[x].track_ids[0] == r[after].track_ids[0],
          "frame %d: track %d between %d and %d", x, r[x].track_ids[0], r[before].track_ids[0],
          r[after].track_ids[0]);
    float f = (float)(x - before) / (float)(after - before);
    const facefuse_face *a = &r[before].faces[0], *b = &r[after].faces[0], *m = &r[x].faces[0];
    for (int k = 0; k < 4; k++)
        CHECK(fabsf(m->box[k] - (a->box[k] + (b->box[k] - a->box[k]) * f)) < 1e-3f, "frame %d box[%d]", x, k);
    for (int k = 0; k < 5; k++) {
        facefuse_point want = {a->landmark_5_68[k].x + (b->landmark_5_68[k].x - a->landmark_5_68[k].x) * f,
                               a->landmark_5_68[k].y + (b->landmark_5_68[k].y - a->landmark_5_68[k].y) * f};
        CHECK(point_distance(want, m->landmark_5_68[k]) < 1e-3f, "frame %d landmark %d", x, k);
    }
}

static void refills_frames_within_the_window(void)
{
    static fu_track_frame r[FRAMES];
    run(0.3f, r);
    for (int i = 0; i < FRAMES; i++) {
        if (!blank(i))
            CHECK(r[i].count == 1 && r[i].origins[0] != FU_FACE_REFILLED, "frame %d: %d faces", i, r[i].count);
    }
    check_interpolated(r, 10, 9, 12);
    check_interpolated(r, 11, 9, 12);
    check_interpolated(r, 21, 19, 23);
    CHECK(r[20].count == 0, "frame 20 refilled: frame 23 is outside its window");
    CHECK(r[22].count == 0, "frame 22 refilled: frame 19 is outside its window");
    for (int i = 0; i < FRAMES; i++)
        fu_track_frame_clear(&r[i]);
}

static void no_refill_without_tracker_score(void)
{
    static fu_track_frame r[FRAMES];
    run(0.0f, r);
    for (int i = 0; i < FRAMES; i++) {
        CHECK(r[i].count == (blank(i) ? 0 : 1), "frame %d: %d faces", i, r[i].count);
        fu_track_frame_clear(&r[i]);
    }
}

int main(void)
{
    ctx = tl_context();
    tc_sprites(ctx, 96, sprites);
    RUN(refills_frames_within_the_window);
    RUN(no_refill_without_tracker_score);
    tc_sprites_free(sprites);
    facefuse_context_free(ctx);
    return tl_finish();
}
