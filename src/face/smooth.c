/*
 * smooth.c — the One-Euro filter over a face's geometry (see smooth.h).
 */
#include "face/smooth.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

fu_smooth_settings fu_smooth_default_settings(void)
{
    fu_smooth_settings p;
    p.min_cutoff_hz = 0.7f;
    p.beta = 16.0f;
    p.d_cutoff_hz = 1.0f;
    return p;
}

void fu_face_smoother_reset(fu_face_smoother *s)
{
    memset(s, 0, sizeof *s);
}

/* The smoothing factor of a first-order low-pass at cutoff_hz over dt_s. */
static float alpha_of(float cutoff_hz, double dt_s)
{
    double tau = 1.0 / (2.0 * M_PI * cutoff_hz);
    return (float)(1.0 / (1.0 + tau / dt_s));
}

static float face_size_px(const facefuse_face *f)
{
    float w = f->box[2] - f->box[0], h = f->box[3] - f->box[1];
    float size = w > h ? w : h;
    return size > 1.0f ? size : 1.0f;
}

/* Motion of the points from prev to cur, in px over the step: translation
 * x/y, then the mean radial (scaling) and tangential (rotation) components
 * of what is left, each a mean of signed terms. */
static void point_motion(const facefuse_point *prev, const facefuse_point *cur, int n, float out[4])
{
    float cx = 0, cy = 0, tx = 0, ty = 0, radial = 0, tangential = 0;
    for (int i = 0; i < n; i++) {
        cx += prev[i].x / n;
        cy += prev[i].y / n;
        tx += (cur[i].x - prev[i].x) / n;
        ty += (cur[i].y - prev[i].y) / n;
    }
    for (int i = 0; i < n; i++) {
        float ux = prev[i].x - cx, uy = prev[i].y - cy, len = hypotf(ux, uy);
        if (len < 1e-3f)
            continue;
        float dx = cur[i].x - prev[i].x - tx, dy = cur[i].y - prev[i].y - ty;
        radial += (dx * ux + dy * uy) / len / n;
        tangential += (dy * ux - dx * uy) / len / n;
    }
    out[0] = tx;
    out[1] = ty;
    out[2] = radial;
    out[3] = tangential;
}

static void blend_points(facefuse_point *cur, const facefuse_point *last, int n, float a)
{
    for (int i = 0; i < n; i++) {
        cur[i].x = last[i].x + a * (cur[i].x - last[i].x);
        cur[i].y = last[i].y + a * (cur[i].y - last[i].y);
    }
}

void fu_face_smooth(fu_face_smoother *s, const fu_smooth_settings *p, facefuse_face *face, double time_s)
{
    double dt = time_s - s->last_time_s;
    if (!s->primed || dt <= 0 || dt > 0.5) {
        memset(s->motion, 0, sizeof s->motion);
        s->primed = 1;
        s->last_time_s = time_s;
        s->last = *face;
        return;
    }
    int dense = face->has_landmark_68 && s->last.has_landmark_68;
    float step[4];
    if (dense)
        point_motion(s->last.landmark_68, face->landmark_68, 68, step);
    else
        point_motion(s->last.landmark_5_68, face->landmark_5_68, 5, step);
    float ad = alpha_of(p->d_cutoff_hz, dt), speed2 = 0;
    for (int k = 0; k < 4; k++) {
        s->motion[k] += ad * ((float)(step[k] / dt) - s->motion[k]);
        speed2 += s->motion[k] * s->motion[k];
    }
    float speed = sqrtf(speed2) / face_size_px(face); /* face sizes per second */
    float a = alpha_of(p->min_cutoff_hz + p->beta * speed, dt);

    for (int k = 0; k < 4; k++)
        face->box[k] = s->last.box[k] + a * (face->box[k] - s->last.box[k]);
    blend_points(face->landmark_5, s->last.landmark_5, 5, a);
    blend_points(face->landmark_5_68, s->last.landmark_5_68, 5, a);
    if (dense)
        blend_points(face->landmark_68, s->last.landmark_68, 68, a);
    blend_points(face->landmark_68_5, s->last.landmark_68_5, 68, a);
    s->last_time_s = time_s;
    s->last = *face;
}

/* ------------------------------------------------------------ zero-lag line fit */

void fu_face_geometry_of(const facefuse_face *face, fu_face_geometry *g)
{
    memcpy(g->box, face->box, sizeof g->box);
    memcpy(g->landmark_5, face->landmark_5, sizeof g->landmark_5);
    memcpy(g->landmark_5_68, face->landmark_5_68, sizeof g->landmark_5_68);
    memcpy(g->landmark_68, face->landmark_68, sizeof g->landmark_68);
    memcpy(g->landmark_68_5, face->landmark_68_5, sizeof g->landmark_68_5);
    g->has_landmark_68 = face->has_landmark_68;
}

/* The intercept at 0 of the least-squares line through (offsets[i], v[i]). */
static float line_at_zero(const float *v, size_t stride, const int *offsets, int n)
{
    double st = 0, sv = 0, stt = 0, stv = 0;
    for (int i = 0; i < n; i++) {
        double t = offsets[i], x = *(const float *)((const char *)v + stride * (size_t)i);
        st += t;
        sv += x;
        stt += t * t;
        stv += t * x;
    }
    double den = n * stt - st * st;
    if (n < 2 || fabs(den) < 1e-9)
        return (float)(sv / n);
    double slope = (n * stv - st * sv) / den;
    return (float)((sv - slope * st) / n);
}

static void fit_points(facefuse_point *out, const fu_face_geometry *s, size_t field, int count, const int *offsets,
                       int n)
{
    for (int k = 0; k < count; k++) {
        const facefuse_point *p = (const facefuse_point *)((const char *)&s[0] + field) + k;
        out[k].x = line_at_zero(&p->x, sizeof *s, offsets, n);
        out[k].y = line_at_zero(&p->y, sizeof *s, offsets, n);
    }
}

void fu_face_fit_line(facefuse_face *face, const fu_face_geometry *samples, const int *offsets, int n)
{
    int dense = face->has_landmark_68;
    for (int i = 0; i < n; i++)
        dense &= samples[i].has_landmark_68;
    if (n < 2)
        return;
    for (int k = 0; k < 4; k++)
        face->box[k] = line_at_zero(&samples[0].box[k], sizeof *samples, offsets, n);
    fit_points(face->landmark_5, samples, offsetof(fu_face_geometry, landmark_5), 5, offsets, n);
    fit_points(face->landmark_5_68, samples, offsetof(fu_face_geometry, landmark_5_68), 5, offsets, n);
    if (dense)
        fit_points(face->landmark_68, samples, offsetof(fu_face_geometry, landmark_68), 68, offsets, n);
    fit_points(face->landmark_68_5, samples, offsetof(fu_face_geometry, landmark_68_5), 68, offsets, n);
}
