/*
 * smooth.h — temporal smoothing of a tracked face's landmarks against
 * flicker: a One-Euro filter (Casiez, Roussel, Vogel, CHI 2012).
 *
 * Each point is low-pass filtered with a cutoff that rises with the face's
 * speed: still faces are held steady (low cutoff, jitter removed), moving
 * faces follow with little lag (high cutoff). One speed serves the whole
 * face: the frame-to-frame motion of its alignment points split into
 * translation, scaling and rotation (each a mean of signed per-point terms,
 * so detector noise averages out instead of adding up), expressed in face
 * sizes per second so the settings hold at any resolution. The box, the four
 * landmark sets and nothing else are filtered; identity fields pass through.
 *
 * The defaults were chosen with tests/face/test_smooth_jitter_and_lag.c at
 * 30 fps: σ = 1 px jitter on a still 120-px face drops 8× (68 points) or
 * 5.6× (5 points); a face moving 1 px a frame (a quarter of its size a
 * second) trails by 0.65 frames, at 4 px a frame by under 0.4. Slower
 * motion trails by more frames but by less than a pixel.
 */
#ifndef FU_SMOOTH_H
#define FU_SMOOTH_H

#include "facefuse.h"

typedef struct fu_smooth_settings {
    float min_cutoff_hz;   /* cutoff of a still face (0.7) */
    float beta;            /* cutoff increase per face size per second of motion (16) */
    float d_cutoff_hz;     /* cutoff of the speed estimate (1.0) */
} fu_smooth_settings;

fu_smooth_settings fu_smooth_default_settings(void);

typedef struct fu_face_smoother {
    int primed;
    double last_time_s;
    float motion[4];       /* filtered translation x/y, scale and rotation rates, px/s */
    facefuse_face last;    /* the previous output (geometry only is used) */
} fu_face_smoother;

/* Forgets the history: the next face passes unchanged (a new track, a cut). */
void fu_face_smoother_reset(fu_face_smoother *s);

/* Filters face's geometry in place; time_s is its timestamp (seconds,
 * increasing). A face after a gap of more than 0.5 s or with a
 * non-increasing time restarts the filter. */
void fu_face_smooth(fu_face_smoother *s, const fu_smooth_settings *p, facefuse_face *face, double time_s);

/* Zero-lag smoothing, for files where the frames after a face are known:
 * every coordinate replaced by the least-squares line through its values
 * over the neighbouring frames, taken at the face's own frame. A face moving
 * steadily stays exactly where it is (no lag at any speed); detector noise
 * averages out over the window. */
typedef struct fu_face_geometry {
    float box[4];
    facefuse_point landmark_5[5], landmark_5_68[5], landmark_68[68], landmark_68_5[68];
    int has_landmark_68;
} fu_face_geometry;

void fu_face_geometry_of(const facefuse_face *face, fu_face_geometry *g);

/* samples[i] was seen offsets[i] frames from the face (0 for the face
 * itself, which must be among them); n >= 1. */
void fu_face_fit_line(facefuse_face *face, const fu_face_geometry *samples, const int *offsets, int n);

#endif
