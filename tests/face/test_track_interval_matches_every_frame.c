/*
 * test_track_interval_matches_every_frame.c — with the full detector only
 * every 5th frame and region tracking in between, on a clip of two faces
 * moving diagonally by known steps:
 * - real SCRFD-2.5G (regions cut on its own grid): every landmark stays
 *   within 2 px of detecting every frame;
 * - real YuNet (fixed 640 input; made to track through SCRFD's motion, which
 *   it would not do by itself): its
 *   own every-frame landmarks jitter by up to ~4 px around the true motion,
 *   so the property checked is that the tracked landmarks are on average as
 *   close to the true motion (frame 0's landmarks moved as the sprite
 *   moved) as every-frame detection.
 * Both: the tracked run must actually have skipped full detections and used
 * regions, and found the same faces on every frame.
 */
#include "trackclip.h"

#include "face/track.h"

#define FRAMES 20
#define W 320
#define H 180

static facefuse_context *ctx;
static tc_sprite sprites[2];

/* Where sprite s is at frame i (top-left corner). */
static void position(int s, int i, int *x, int *y)
{
    if (s == 1) { /* Grace: right and down */
        *x = 8 + 3 * i;
        *y = 20 + (3 * i) / 2;
    } else {      /* astronaut: left and up */
        *x = 210 - 2 * i;
        *y = 70 - i;
    }
}

static void render(facefuse_image *im, int i)
{
    int x, y;
    tc_background(im);
    position(1, i, &x, &y);
    tc_paste(im, &sprites[1], x, y);
    position(0, i, &x, &y);
    tc_paste(im, &sprites[0], x, y);
}

/* The sprite whose face centre is nearest the face's box centre at frame i. */
static int person_of(const facefuse_face *f, int i)
{
    int best = 0;
    float best_d = 1e9f;
    for (int s = 0; s < 2; s++) {
        int x, y;
        position(s, i, &x, &y);
        float d = hypotf(tc_box_cx(f) - (x + sprites[s].face_cx), tc_box_cy(f) - (y + sprites[s].face_cy));
        if (d < best_d)
            best_d = d, best = s;
    }
    return best;
}

/* Mean and worst distance of the faces' landmarks from the true motion:
 * frame 0's landmarks of the same person moved as the sprite moved. */
static void truth_error(fu_track_frame run[FRAMES], float *mean, float *worst)
{
    double sum = 0;
    int n = 0;
    *worst = 0;
    for (int i = 1; i < FRAMES; i++) {
        for (int a = 0; a < run[i].count; a++) {
            const facefuse_face *f = &run[i].faces[a];
            int s = person_of(f, i), x0, y0, x, y;
            const facefuse_face *first = NULL;
            for (int b = 0; b < run[0].count; b++)
                if (person_of(&run[0].faces[b], 0) == s)
                    first = &run[0].faces[b];
            if (!first)
                continue;
            position(s, 0, &x0, &y0);
            position(s, i, &x, &y);
            for (int k = 0; k < 5; k++) {
                facefuse_point truth = {first->landmark_5_68[k].x + (float)(x - x0),
                                        first->landmark_5_68[k].y + (float)(y - y0)};
                float d = point_distance(truth, f->landmark_5_68[k]);
                sum += d;
                n++;
                *worst = d > *worst ? d : *worst;
            }
        }
    }
    *mean = n ? (float)(sum / n) : 1e9f;
}

/* Runs the tracker over the clip; faces[i] gets frame i's faces. */
static int run(const facefuse_analysis_params *ap, int interval, fu_track_frame out[FRAMES], fu_track_stats *stats)
{
    fu_track_settings s = fu_track_default_settings();
    s.region_detector = "scrfd"; /* automatic would not track YuNet at all */
    fu_tracker *t = NULL;
    facefuse_image frame = {0};
    fu_err err;
    int popped = 0;

    s.detector_interval = interval;
    if (fu_tracker_new(ctx, ap, &s, &t, &err) != FACEFUSE_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 0;
    }
    facefuse_image_alloc(&frame, W, H, 3);
    for (int i = 0; i < FRAMES; i++) {
        render(&frame, i);
        if (fu_tracker_push(t, &frame, i, i / 30.0, &err) != FACEFUSE_OK) {
            fprintf(stderr, "%s\n", err.msg);
            break;
        }
        while (popped < FRAMES && fu_tracker_pop(t, 0, &out[popped]))
            popped++;
    }
    while (popped < FRAMES && fu_tracker_pop(t, 1, &out[popped]))
        popped++;
    *stats = fu_tracker_stats(t);
    fu_tracker_free(t);
    facefuse_image_free(&frame);
    return popped;
}

static void compare(const char *model, int size, int same_detector)
{
    static fu_track_frame every[FRAMES], tracked[FRAMES];
    fu_track_stats s1, s5;
    facefuse_analysis_params ap = detector_only(model);
    ap.detector_size = size;

    REQUIRE(run(&ap, 1, every, &s1) == FRAMES, "every-frame run");
    REQUIRE(run(&ap, 5, tracked, &s5) == FRAMES, "tracked run");
    printf("  %s: every frame %lld full detections; interval 5: %lld full, %lld regions\n", model,
           (long long)s1.full_detections, (long long)s5.full_detections, (long long)s5.region_detections);
    CHECK(s1.full_detections == FRAMES, "every-frame run made %lld full detections", (long long)s1.full_detections);
    CHECK(s5.full_detections <= FRAMES / 5 + 2, "interval 5 made %lld full detections", (long long)s5.full_detections);
    CHECK(s5.region_detections >= FRAMES / 2, "interval 5 made only %lld region detections",
          (long long)s5.region_detections);

    float worst = 0;
    int matched = 0;
    for (int i = 0; i < FRAMES; i++) {
        CHECK(every[i].frame_index == i && tracked[i].frame_index == i, "frame order");
        CHECK(every[i].count == 2, "frame %d: %d faces detected every frame", i, every[i].count);
        CHECK(tracked[i].count == every[i].count, "frame %d: %d faces tracked, %d detected", i, tracked[i].count,
              every[i].count);
        for (int a = 0; a < every[i].count; a++) {
            const facefuse_face *e = &every[i].faces[a];
            int best = -1;
            float best_d = 1e9f;
            for (int b = 0; b < tracked[i].count; b++) {
                float d = hypotf(tc_box_cx(e) - tc_box_cx(&tracked[i].faces[b]),
                                 tc_box_cy(e) - tc_box_cy(&tracked[i].faces[b]));
                if (d < best_d)
                    best_d = d, best = b;
            }
            if (best < 0)
                continue;
            matched++;
            if (getenv("DBG")) printf("f%d face(%.0f) ev %.2f,%.2f tr %.2f,%.2f  ev0 %.2f,%.2f\n", i, tc_box_cx(e), e->landmark_5_68[2].x, e->landmark_5_68[2].y, tracked[i].faces[best].landmark_5_68[2].x, tracked[i].faces[best].landmark_5_68[2].y, e->landmark_5_68[0].x, e->landmark_5_68[0].y);
            for (int k = 0; k < 5; k++) {
                float d = point_distance(e->landmark_5_68[k], tracked[i].faces[best].landmark_5_68[k]);
                worst = d > worst ? d : worst;
            }
        }
    }
    float ev_mean, ev_worst, tr_mean, tr_worst;
    truth_error(every, &ev_mean, &ev_worst);
    truth_error(tracked, &tr_mean, &tr_worst);
    printf("  %s: worst landmark distance to every-frame detection %.2f px over %d faces\n", model, worst, matched);
    printf("  %s: distance to the true motion: every frame mean %.2f worst %.2f px; interval 5 mean %.2f worst %.2f px\n",
           model, ev_mean, ev_worst, tr_mean, tr_worst);
    CHECK(matched >= 2 * FRAMES, "only %d faces compared", matched);
    if (same_detector)
        CHECK(worst < 2.0f, "%s landmarks drift %.2f px from every-frame detection", model, worst);
    CHECK(tr_mean <= ev_mean * 1.1f + 0.1f, "%s tracked landmarks are further from the true motion (%.2f px) than "
          "every-frame detection (%.2f px)", model, tr_mean, ev_mean);
    for (int i = 0; i < FRAMES; i++) {
        fu_track_frame_clear(&every[i]);
        fu_track_frame_clear(&tracked[i]);
    }
}

static void scrfd_interval_5_within_2px(void)
{
    compare("scrfd", 320, 1);
}

static void yunet_interval_5_as_close_to_true_motion(void)
{
    compare("yunet", 640, 0);
}

int main(void)
{
    ctx = tl_context();
    tc_sprites(ctx, 96, sprites);
    RUN(scrfd_interval_5_within_2px);
    RUN(yunet_interval_5_as_close_to_true_motion);
    tc_sprites_free(sprites);
    facefuse_context_free(ctx);
    return tl_finish();
}
