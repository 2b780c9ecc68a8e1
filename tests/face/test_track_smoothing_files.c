/*
 * test_track_smoothing_files.c — landmark smoothing for files inside the
 * tracker (real SCRFD-2.5G at 320, detection every frame), on a face
 * walking steadily, then a scene cut after which it stands 15 px further on
 * another background (its box still overlaps, so the track goes on):
 * - smoothing asks for 3 frames of look-ahead, and results wait for them;
 * - before the cut the smoothed landmarks are closer to the true motion and
 *   jitter less (second difference of their error) than the raw ones;
 * - no smoothing across the cut: the frames on either side stay within
 *   1.5 px of the raw detections (nothing is pulled towards the other shot).
 */
#include "trackclip.h"

#include "face/track.h"

#define W 320
#define H 180
#define FRAMES 26
#define CUT 16

static facefuse_context *ctx;
static tc_sprite sprites[2];

static void render(facefuse_image *im, int i, int *x, int *y)
{
    tc_background(im);
    if (i >= CUT) { /* another shot: darker background, the face 15 px on and still (the
                     * same track, as its box still overlaps) */
        for (int p = 0; p < im->width * im->height * 3; p++)
            im->data[p] = (uint8_t)(im->data[p] / 3);
        *x = 100;
        *y = 50;
    } else {
        *x = 10 + 5 * i;
        *y = 40 + i;
    }
    tc_paste(im, &sprites[1], *x, *y);
}

static void run(int smoothing, facefuse_point out[FRAMES][5], int pos[FRAMES][2])
{
    facefuse_analysis_params ap = detector_only("scrfd");
    fu_track_settings s = fu_track_default_settings();
    fu_tracker *t;
    facefuse_image frame = {0};
    fu_err err;
    int popped = 0;
    ap.detector_size = 320;
    s.smoothing = smoothing;
    REQUIRE(fu_tracker_new(ctx, &ap, &s, &t, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_tracker_lookahead(t) == (smoothing ? 3 : 0), "look-ahead %d", fu_tracker_lookahead(t));
    facefuse_image_alloc(&frame, W, H, 3);
    for (int i = 0; i < FRAMES + 1; i++) {
        fu_track_frame f;
        if (i < FRAMES) {
            render(&frame, i, &pos[i][0], &pos[i][1]);
            REQUIRE(fu_tracker_push(t, &frame, i, i / 30.0, &err) == FACEFUSE_OK, "%s", err.msg);
        }
        while (popped < FRAMES && fu_tracker_pop(t, i == FRAMES, &f)) {
            if (i < FRAMES)
                CHECK(f.frame_index == i - fu_tracker_lookahead(t), "frame %lld out after pushing %d",
                      (long long)f.frame_index, i);
            CHECK(f.count == 1, "frame %lld: %d faces", (long long)f.frame_index, f.count);
            if (f.count == 1)
                memcpy(out[f.frame_index], f.faces[0].landmark_5_68, sizeof out[0]);
            fu_track_frame_clear(&f);
            popped++;
        }
    }
    CHECK(popped == FRAMES, "%d frames out", popped);
    facefuse_image_free(&frame);
    fu_tracker_free(t);
}

/* Mean error from the true motion and jitter (mean |2nd difference| of the
 * error) over frames [0, CUT): the anchor is the mean of point − motion. */
static void figures(facefuse_point lm[FRAMES][5], int pos[FRAMES][2], double *error, double *jitter)
{
    double ax[5] = {0}, ay[5] = {0}, ex[CUT][5], ey[CUT][5];
    *error = *jitter = 0;
    for (int i = 0; i < CUT; i++)
        for (int p = 0; p < 5; p++) {
            ax[p] += (lm[i][p].x - pos[i][0]) / CUT;
            ay[p] += (lm[i][p].y - pos[i][1]) / CUT;
        }
    for (int i = 0; i < CUT; i++)
        for (int p = 0; p < 5; p++) {
            ex[i][p] = lm[i][p].x - pos[i][0] - ax[p];
            ey[i][p] = lm[i][p].y - pos[i][1] - ay[p];
            *error += hypot(ex[i][p], ey[i][p]) / (CUT * 5);
        }
    for (int i = 1; i + 1 < CUT; i++)
        for (int p = 0; p < 5; p++)
            *jitter += hypot(ex[i + 1][p] - 2 * ex[i][p] + ex[i - 1][p], ey[i + 1][p] - 2 * ey[i][p] + ey[i - 1][p]) /
                       ((CUT - 2) * 5);
}

static void smoothing_follows_motion_and_stops_at_cuts(void)
{
    static facefuse_point raw[FRAMES][5], smooth[FRAMES][5];
    static int pos[FRAMES][2];
    run(0, raw, pos);
    run(1, smooth, pos);
    double raw_error, raw_jitter, smooth_error, smooth_jitter;
    figures(raw, pos, &raw_error, &raw_jitter);
    figures(smooth, pos, &smooth_error, &smooth_jitter);
    printf("  raw: error %.2f px, jitter %.2f px; smoothed: error %.2f px, jitter %.2f px\n", raw_error, raw_jitter,
           smooth_error, smooth_jitter);
    CHECK(smooth_error <= raw_error, "smoothed landmarks are further from the motion (%.2f > %.2f px)", smooth_error,
          raw_error);
    CHECK(smooth_jitter * 1.5 <= raw_jitter, "jitter only %.2f -> %.2f px", raw_jitter, smooth_jitter);
    for (int i = CUT - 1; i <= CUT; i++)
        for (int p = 0; p < 5; p++)
            CHECK(point_distance(raw[i][p], smooth[i][p]) < 1.5f, "frame %d point %d moved %.2f px by smoothing", i,
                  p, point_distance(raw[i][p], smooth[i][p]));
}

int main(void)
{
    ctx = tl_context();
    tc_sprites(ctx, 96, sprites);
    RUN(smoothing_follows_motion_and_stops_at_cuts);
    tc_sprites_free(sprites);
    facefuse_context_free(ctx);
    return tl_finish();
}
