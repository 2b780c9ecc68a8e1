/*
 * test_smooth_jitter_and_lag.c — the One-Euro landmark filter with its
 * default settings, at 30 fps, on a synthetic 120-px face (68 points, and
 * the 5-point case without a 68-point landmarker):
 * - a still face with Gaussian noise (σ = 1 px on every coordinate, a
 *   detector's typical jitter): the mean frame-to-frame movement of the
 *   points drops at least 3×;
 * - a face moving steadily at 1, 2 and 4 px a frame (head movements from
 *   slow to brisk), with and without that noise: once the filter has seen
 *   the motion for a second, the smoothed points trail the raw ones by less
 *   than one frame's worth of motion;
 * - a gap of more than half a second restarts the filter (no glide from an
 *   old position);
 * - the files' zero-lag line fit over ±3 frames: the same still-face jitter
 *   drops at least 3×, and a face moving steadily at 1, 4 or 8 px a frame
 *   has no lag (under 0.1 frame with noise, none without).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "face/smooth.h"
#include "testlib.h"

#define FPS 30.0

static uint64_t rng_state = 88172645463325252ull;

static double uniform(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return ((rng_state >> 11) + 0.5) / 9007199254740992.0;
}

static float gauss(void)
{
    return (float)(sqrt(-2.0 * log(uniform())) * cos(2 * M_PI * uniform()));
}

/* A face of 120 px at (cx, cy): 68 points on nested ellipses, 5 alignment points. */
static void make_face(facefuse_face *f, float cx, float cy, int dense)
{
    memset(f, 0, sizeof *f);
    for (int i = 0; i < 68; i++) {
        float r = 20.0f + 40.0f * (float)(i % 4) / 3.0f, a = (float)i * 0.37f;
        f->landmark_68[i].x = cx + r * cosf(a);
        f->landmark_68[i].y = cy + 1.2f * r * sinf(a);
    }
    static const float five[5][2] = {{-22, -15}, {22, -15}, {0, 5}, {-18, 28}, {18, 28}};
    for (int i = 0; i < 5; i++) {
        f->landmark_5[i].x = f->landmark_5_68[i].x = cx + five[i][0];
        f->landmark_5[i].y = f->landmark_5_68[i].y = cy + five[i][1];
    }
    f->box[0] = cx - 50;
    f->box[1] = cy - 60;
    f->box[2] = cx + 50;
    f->box[3] = cy + 60;
    f->has_landmark_68 = dense;
}

static void add_noise(facefuse_face *f, float sigma)
{
    for (int i = 0; i < 68; i++) {
        f->landmark_68[i].x += sigma * gauss();
        f->landmark_68[i].y += sigma * gauss();
    }
    for (int i = 0; i < 5; i++) {
        f->landmark_5_68[i].x += sigma * gauss();
        f->landmark_5_68[i].y += sigma * gauss();
    }
}

/* The points the test measures: the 68 when present, else the 5. */
static const facefuse_point *points(const facefuse_face *f, int *n)
{
    *n = f->has_landmark_68 ? 68 : 5;
    return f->has_landmark_68 ? f->landmark_68 : f->landmark_5_68;
}

static void still_face_jitter_drops(int dense)
{
    fu_smooth_settings p = fu_smooth_default_settings();
    fu_face_smoother s;
    facefuse_face raw, prev_raw, out, prev_out;
    double raw_move = 0, out_move = 0;
    fu_face_smoother_reset(&s);
    for (int t = 0; t < 150; t++) {
        make_face(&raw, 300, 200, dense);
        add_noise(&raw, 1.0f);
        out = raw;
        fu_face_smooth(&s, &p, &out, t / FPS);
        if (t > 0) {
            int n;
            const facefuse_point *a = points(&raw, &n), *b = points(&prev_raw, &n);
            const facefuse_point *c = points(&out, &n), *d = points(&prev_out, &n);
            for (int i = 0; i < n; i++) {
                raw_move += hypot(a[i].x - b[i].x, a[i].y - b[i].y);
                out_move += hypot(c[i].x - d[i].x, c[i].y - d[i].y);
            }
        }
        prev_raw = raw;
        prev_out = out;
    }
    printf("  %s points: jitter %.3f -> %.3f (%.1fx less)\n", dense ? "68" : "5", raw_move, out_move,
           raw_move / out_move);
    CHECK(raw_move >= 3 * out_move, "jitter only drops %.2fx", raw_move / out_move);
}

static void still_face_jitter_drops_3x(void)
{
    still_face_jitter_drops(1);
    still_face_jitter_drops(0);
}

/* Lag in frames of a face moving at v px a frame (diagonal), averaged over
 * the points and the frames after the first second. */
static double moving_lag_frames(float v, float sigma, int dense)
{
    fu_smooth_settings p = fu_smooth_default_settings();
    fu_face_smoother s;
    facefuse_face truth, raw, out;
    double lag = 0;
    int counted = 0;
    float dx = v * 0.8f, dy = v * 0.6f;
    fu_face_smoother_reset(&s);
    for (int t = 0; t < 90; t++) {
        make_face(&truth, 100 + dx * t, 100 + dy * t, dense);
        raw = truth;
        add_noise(&raw, sigma);
        out = raw;
        fu_face_smooth(&s, &p, &out, t / FPS);
        if (t >= 30) {
            int n;
            const facefuse_point *a = points(&truth, &n), *c = points(&out, &n);
            for (int i = 0; i < n; i++) /* along the motion, in frames */
                lag += ((a[i].x - c[i].x) * 0.8 + (a[i].y - c[i].y) * 0.6) / v;
            counted += n;
        }
    }
    return lag / counted;
}

static void moving_face_lags_under_a_frame(void)
{
    static const float speeds[3] = {1, 2, 4};
    for (int dense = 0; dense < 2; dense++)
        for (int k = 0; k < 3; k++)
            for (int noisy = 0; noisy < 2; noisy++) {
                double lag = moving_lag_frames(speeds[k], noisy ? 1.0f : 0.0f, dense);
                printf("  %s points, %.0f px/frame%s: lag %.2f frames\n", dense ? "68" : "5", speeds[k],
                       noisy ? " + noise" : "", lag);
                CHECK(lag < 1.0, "lag %.2f frames at %.0f px/frame", lag, speeds[k]);
                CHECK(lag > -0.2, "overshoot %.2f frames at %.0f px/frame", lag, speeds[k]);
            }
}

static void gap_restarts_the_filter(void)
{
    fu_smooth_settings p = fu_smooth_default_settings();
    fu_face_smoother s;
    facefuse_face f;
    fu_face_smoother_reset(&s);
    for (int t = 0; t < 10; t++) {
        make_face(&f, 100, 100, 1);
        fu_face_smooth(&s, &p, &f, t / FPS);
    }
    make_face(&f, 400, 300, 1);
    fu_face_smooth(&s, &p, &f, 10 / FPS + 0.6);
    CHECK(fabsf(f.landmark_68[0].x - (400 + 20)) < 1e-3f, "after a gap the face glides: x %.2f",
          f.landmark_68[0].x);
}

/* The line fit at frame t over the frames t−3..t+3 of seq (clipped to [0, n)). */
static void fit_at(const facefuse_face *seq, int n, int t, facefuse_face *out)
{
    fu_face_geometry g[7];
    int off[7], k = 0;
    for (int d = -3; d <= 3; d++)
        if (t + d >= 0 && t + d < n) {
            fu_face_geometry_of(&seq[t + d], &g[k]);
            off[k++] = d;
        }
    *out = seq[t];
    fu_face_fit_line(out, g, off, k);
}

static void line_fit_still_jitter_and_no_lag(void)
{
    static facefuse_face seq[150];
    facefuse_face a, b;
    double raw = 0, fitted = 0;
    for (int t = 0; t < 150; t++) {
        make_face(&seq[t], 300, 200, 1);
        add_noise(&seq[t], 1.0f);
    }
    for (int t = 1; t < 150; t++) {
        fit_at(seq, 150, t - 1, &a);
        fit_at(seq, 150, t, &b);
        for (int i = 0; i < 68; i++) {
            raw += hypot(seq[t].landmark_68[i].x - seq[t - 1].landmark_68[i].x,
                         seq[t].landmark_68[i].y - seq[t - 1].landmark_68[i].y);
            fitted += hypot(b.landmark_68[i].x - a.landmark_68[i].x, b.landmark_68[i].y - a.landmark_68[i].y);
        }
    }
    printf("  line fit: still-face jitter %.1fx less\n", raw / fitted);
    CHECK(raw >= 3 * fitted, "line fit: jitter only drops %.2fx", raw / fitted);

    static const float speeds[3] = {1, 4, 8};
    for (int k = 0; k < 3; k++)
        for (int noisy = 0; noisy < 2; noisy++) {
            static facefuse_face truth[90], moving[90];
            float v = speeds[k];
            double lag = 0;
            int counted = 0;
            for (int t = 0; t < 90; t++) {
                make_face(&truth[t], 100 + v * 0.8f * t, 100 + v * 0.6f * t, 1);
                moving[t] = truth[t];
                if (noisy)
                    add_noise(&moving[t], 1.0f);
            }
            for (int t = 0; t < 90; t++) {
                fit_at(moving, 90, t, &a);
                for (int i = 0; i < 68; i++, counted++)
                    lag += ((truth[t].landmark_68[i].x - a.landmark_68[i].x) * 0.8 +
                            (truth[t].landmark_68[i].y - a.landmark_68[i].y) * 0.6) / v;
            }
            lag /= counted;
            printf("  line fit, %.0f px/frame%s: lag %.3f frames\n", v, noisy ? " + noise" : "", lag);
            CHECK(fabs(lag) < (noisy ? 0.1 : 1e-3), "line fit lags %.3f frames at %.0f px/frame", lag, v);
        }
}

int main(void)
{
    RUN(still_face_jitter_drops_3x);
    RUN(line_fit_still_jitter_and_no_lag);
    RUN(moving_face_lags_under_a_frame);
    RUN(gap_restarts_the_filter);
    return tl_finish();
}
