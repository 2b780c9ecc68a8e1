/*
 * test_track_reentry_and_crossing.c — tracking with the full detector every
 * 5th frame (real SCRFD-2.5G at 320, real mobilefacenet as recognizer):
 * - a face that walks out of the picture is dropped (no ghost face while it
 *   is away) and, when it walks back in, is picked up within 5 frames, under
 *   its old track id (recognised by its embedding);
 * - two faces that cross, one passing in front of the other, keep their
 *   track ids and their identities: every face the tracker reports on a
 *   frame belongs to the person its id started with, and `reference`
 *   selection with one person's face as reference picks that person on
 *   every frame where they are visible, never the other.
 */
#include "trackclip.h"

#include "face/track.h"

#define W 320
#define H 180
#define SIDE 96

static facefuse_context *ctx;
static tc_sprite sprites[2];

static facefuse_analysis_params analysis(void)
{
    facefuse_analysis_params ap = detector_only("scrfd");
    ap.detector_size = 320;
    ap.recognizer_model = "mobilefacenet";
    return ap;
}

static fu_tracker *tracker(int interval)
{
    facefuse_analysis_params ap = analysis();
    fu_track_settings s = fu_track_default_settings();
    fu_tracker *t = NULL;
    fu_err err;
    s.detector_interval = interval;
    if (fu_tracker_new(ctx, &ap, &s, &t, &err) != FACEFUSE_OK)
        fprintf(stderr, "%s\n", err.msg);
    return t;
}

/* Pushes one frame and pops its result (no look-ahead). */
static int step(fu_tracker *t, const facefuse_image *frame, int i, fu_track_frame *out)
{
    fu_err err;
    if (fu_tracker_push(t, frame, i, i / 30.0, &err) != FACEFUSE_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 0;
    }
    return fu_tracker_pop(t, 0, out);
}

/* Grace walks right out of the picture (gone from frame 17 to 29), then
 * walks back in from the left from frame 30 on. */
static int reentry_x(int i)
{
    if (i < 17)
        return 150 + 10 * i;            /* x >= 320 from frame 17 */
    if (i < 30)
        return -1000;
    return -SIDE + 40 + 8 * (i - 30);   /* half in at frame 30 */
}

static void face_leaving_and_reentering_is_picked_up(void)
{
    fu_tracker *t = tracker(5);
    facefuse_image frame = {0};
    int first_id = 0, back_at = -1, frames = 44;
    REQUIRE(t, "tracker");
    facefuse_image_alloc(&frame, W, H, 3);
    for (int i = 0; i < frames; i++) {
        fu_track_frame r;
        tc_background(&frame);
        int x = reentry_x(i);
        tc_paste(&frame, &sprites[1], x, 40);
        REQUIRE(step(t, &frame, i, &r), "frame %d", i);
        int face_x = x + SIDE / 2;
        int fully_in = x >= 0 && x + SIDE <= W, away = face_x - SIDE / 3 >= W || face_x + SIDE / 3 < 0;
        if (i == 0) {
            CHECK(r.count == 1, "frame 0: %d faces", r.count);
            first_id = r.count ? r.track_ids[0] : 0;
        }
        if (fully_in && i < 17)
            CHECK(r.count == 1 && r.track_ids[0] == first_id, "frame %d: %d faces, id %d", i, r.count,
                  r.count ? r.track_ids[0] : 0);
        if (away)
            CHECK(r.count == 0, "frame %d: the face is gone but %d faces are reported", i, r.count);
        if (i >= 30 && back_at < 0 && r.count == 1) {
            back_at = i;
            CHECK(r.track_ids[0] == first_id, "re-entered face has id %d, it left as %d", r.track_ids[0], first_id);
            CHECK(fabsf(tc_box_cx(&r.faces[0]) - face_x) < 15, "re-entered face at x %.0f, expected %d",
                  tc_box_cx(&r.faces[0]), face_x);
        }
        if (back_at >= 0 && fully_in)
            CHECK(r.count == 1, "frame %d: the face is back but %d faces are reported", i, r.count);
        fu_track_frame_clear(&r);
    }
    /* Half of the face is in from frame 30; it is found by frame 30 + 4. */
    printf("  face back in the picture from frame 30, picked up at frame %d\n", back_at);
    CHECK(back_at >= 30 && back_at <= 34, "re-entered face picked up at frame %d", back_at);
    fu_track_stats st = fu_tracker_stats(t);
    CHECK(st.full_detections < frames / 2, "%lld full detections in %d frames", (long long)st.full_detections,
          frames);
    facefuse_image_free(&frame);
    fu_tracker_free(t);
}

/* Grace from the left, the astronaut from the right, on the same row; the
 * astronaut is drawn last, in front. */
static void crossing_x(int i, int x[2])
{
    x[1] = 0 + 6 * i;
    x[0] = W - SIDE - 6 * i;
}

static void crossing_faces_keep_identities(void)
{
    facefuse_analysis_params ap = analysis();
    facefuse_face *refs = NULL;
    int n_refs = 0;
    /* The reference: Grace's own portrait, as a user would pick her. */
    facefuse_image grace = tl_load(ctx, "samples/grace_hopper.jpg");
    REQUIRE(facefuse_detect_faces(ctx, &grace, &ap, &refs, &n_refs) == FACEFUSE_OK && n_refs == 1, "reference");

    fu_tracker *t = tracker(5);
    facefuse_image frame = {0};
    int id_of[2] = {0, 0}, visible[2] = {0, 0}, selected_right[2] = {0, 0}, frames = 40;
    REQUIRE(t, "tracker");
    facefuse_image_alloc(&frame, W, H, 3);
    for (int i = 0; i < frames; i++) {
        fu_track_frame r;
        int x[2];
        crossing_x(i, x);
        tc_background(&frame);
        tc_paste(&frame, &sprites[1], x[1], 40);
        tc_paste(&frame, &sprites[0], x[0], 40);
        REQUIRE(step(t, &frame, i, &r), "frame %d", i);
        /* Grace is hidden while the astronaut's sprite covers her face. */
        int grace_hidden = abs(x[1] - x[0]) < SIDE * 3 / 4;
        for (int f = 0; f < r.count; f++) {
            float cx = tc_box_cx(&r.faces[f]);
            int who = fabsf(cx - (x[0] + SIDE / 2)) < fabsf(cx - (x[1] + SIDE / 2)) ? 0 : 1;
            if (who == 1 && grace_hidden)
                continue;
            if (!id_of[who])
                id_of[who] = r.track_ids[f];
            CHECK(r.track_ids[f] == id_of[who], "frame %d: %s has track id %d, started as %d", i,
                  who ? "Grace" : "the astronaut", r.track_ids[f], id_of[who]);
        }
        /* Reference selection: Grace and only Grace. */
        int n = r.count;
        facefuse_selector_params sp = facefuse_selector_default_params();
        sp.mode = FACEFUSE_SELECT_REFERENCE;
        REQUIRE(facefuse_select_faces(ctx, &sp, refs, n_refs, r.faces, &n) == FACEFUSE_OK, "select");
        for (int f = 0; f < n; f++) {
            float cx = tc_box_cx(&r.faces[f]);
            int who = fabsf(cx - (x[0] + SIDE / 2)) < fabsf(cx - (x[1] + SIDE / 2)) ? 0 : 1;
            CHECK(who == 1, "frame %d: reference selection picked the astronaut", i);
            selected_right[who] += !grace_hidden;
        }
        visible[1] += !grace_hidden;
        fu_track_frame_clear(&r);
    }
    printf("  ids: astronaut %d, Grace %d; Grace selected on %d of the %d frames she is visible\n", id_of[0], id_of[1],
           selected_right[1], visible[1]);
    CHECK(id_of[0] && id_of[1] && id_of[0] != id_of[1], "track ids %d and %d", id_of[0], id_of[1]);
    CHECK(selected_right[1] >= visible[1] * 9 / 10, "Grace selected on %d of %d frames", selected_right[1], visible[1]);
    facefuse_faces_free(refs);
    facefuse_image_free(&grace);
    facefuse_image_free(&frame);
    fu_tracker_free(t);
}

int main(void)
{
    ctx = tl_context();
    if (facefuse_register_recognizer(ctx, "mobilefacenet", tl_test_models("mobilefacenet.onnx"), 112, 0.5f, 0.5f) !=
        FACEFUSE_OK) {
        fprintf(stderr, "register: %s\n", facefuse_context_errmsg(ctx));
        return 1;
    }
    tc_sprites(ctx, SIDE, sprites);
    RUN(face_leaving_and_reentering_is_picked_up);
    RUN(crossing_faces_keep_identities);
    tc_sprites_free(sprites);
    facefuse_context_free(ctx);
    return tl_finish();
}
