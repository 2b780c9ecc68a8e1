/*
 * geometry.c — affine maths, alignment templates and warping (see geometry.h).
 */
#include "core/geometry.h"

#include <math.h>
#include <string.h>

#include "core/image.h"
#include "core/numeric.h"

fu_affine fu_affine_identity(void)
{
    fu_affine a = {{1, 0, 0, 0, 1, 0}};
    return a;
}

facefuse_point fu_affine_apply(const fu_affine *a, facefuse_point p)
{
    facefuse_point q;
    q.x = (float)(a->m[0] * p.x + a->m[1] * p.y + a->m[2]);
    q.y = (float)(a->m[3] * p.x + a->m[4] * p.y + a->m[5]);
    return q;
}

fu_affine fu_affine_invert(const fu_affine *a)
{
    const double *m = a->m;
    double det = m[0] * m[4] - m[1] * m[3];
    fu_affine r;
    if (fabs(det) < 1e-12)
        return fu_affine_identity();
    r.m[0] = m[4] / det;
    r.m[1] = -m[1] / det;
    r.m[3] = -m[3] / det;
    r.m[4] = m[0] / det;
    r.m[2] = -(r.m[0] * m[2] + r.m[1] * m[5]);
    r.m[5] = -(r.m[3] * m[2] + r.m[4] * m[5]);
    return r;
}

fu_affine fu_affine_then(const fu_affine *a, const fu_affine *b)
{
    const double *p = a->m, *q = b->m;
    fu_affine r;
    r.m[0] = q[0] * p[0] + q[1] * p[3];
    r.m[1] = q[0] * p[1] + q[1] * p[4];
    r.m[2] = q[0] * p[2] + q[1] * p[5] + q[2];
    r.m[3] = q[3] * p[0] + q[4] * p[3];
    r.m[4] = q[3] * p[1] + q[4] * p[4];
    r.m[5] = q[3] * p[2] + q[4] * p[5] + q[5];
    return r;
}

double fu_affine_scale(const fu_affine *a)
{
    return sqrt(fabs(a->m[0] * a->m[4] - a->m[1] * a->m[3]));
}

fu_affine fu_similarity_fit(const facefuse_point *src, const facefuse_point *dst, int n)
{
    double sx = 0, sy = 0, dx = 0, dy = 0, num_a = 0, num_b = 0, den = 0;
    fu_affine r;

    for (int i = 0; i < n; i++) {
        sx += src[i].x;
        sy += src[i].y;
        dx += dst[i].x;
        dy += dst[i].y;
    }
    sx /= n;
    sy /= n;
    dx /= n;
    dy /= n;
    for (int i = 0; i < n; i++) {
        double px = src[i].x - sx, py = src[i].y - sy;
        double qx = dst[i].x - dx, qy = dst[i].y - dy;
        num_a += px * qx + py * qy;
        num_b += px * qy - py * qx;
        den += px * px + py * py;
    }
    if (den < 1e-12)
        return fu_affine_identity();
    double a = num_a / den, b = num_b / den;
    r.m[0] = a;
    r.m[1] = -b;
    r.m[2] = dx - (a * sx - b * sy);
    r.m[3] = b;
    r.m[4] = a;
    r.m[5] = dy - (b * sx + a * sy);
    return r;
}

static const struct {
    const char *name;
    facefuse_point points[5];
} templates[] = {
    {"arcface_112_v1", {{0.35473214f, 0.45658929f}, {0.64526786f, 0.45658929f}, {0.50000000f, 0.61154464f},
                        {0.37913393f, 0.77687500f}, {0.62086607f, 0.77687500f}}},
    {"arcface_112_v2", {{0.34191607f, 0.46157411f}, {0.65653393f, 0.45983393f}, {0.50022500f, 0.64050536f},
                        {0.37097589f, 0.82469196f}, {0.63151696f, 0.82325089f}}},
    {"arcface_128", {{0.36167656f, 0.40387734f}, {0.63696719f, 0.40235469f}, {0.50019687f, 0.56044219f},
                     {0.38710391f, 0.72160547f}, {0.61507734f, 0.72034453f}}},
    {"dfl_whole_face", {{0.35342266f, 0.39285716f}, {0.62797622f, 0.39285716f}, {0.48660713f, 0.54017860f},
                        {0.38839287f, 0.68750011f}, {0.59821427f, 0.68750011f}}},
    {"ffhq_512", {{0.37691676f, 0.46864664f}, {0.62285697f, 0.46912813f}, {0.50123859f, 0.61331904f},
                  {0.39308822f, 0.72541100f}, {0.61150205f, 0.72490465f}}},
    {"mtcnn_512", {{0.36562865f, 0.46733799f}, {0.63305391f, 0.46585885f}, {0.50019127f, 0.61942959f},
                   {0.39032951f, 0.77598822f}, {0.61178945f, 0.77476328f}}},
    {"styleganex_384", {{0.42353745f, 0.52289879f}, {0.57725008f, 0.52319972f}, {0.50123859f, 0.61331904f},
                        {0.43364461f, 0.68337652f}, {0.57015325f, 0.68306005f}}},
};

const facefuse_point *fu_template(const char *name)
{
    for (size_t i = 0; name && i < sizeof templates / sizeof templates[0]; i++)
        if (strcmp(templates[i].name, name) == 0)
            return templates[i].points;
    return NULL;
}

fu_affine fu_align_to_template(const facefuse_point landmarks[5], const char *template_name, int size)
{
    const facefuse_point *t = fu_template(template_name);
    facefuse_point dst[5];
    if (!t)
        t = fu_template("arcface_112_v2");
    for (int i = 0; i < 5; i++) {
        dst[i].x = t[i].x * (float)size;
        dst[i].y = t[i].y * (float)size;
    }
    return fu_similarity_fit(landmarks, dst, 5);
}

static inline int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Bilinear sample of all channels at (x, y); returns 0 when outside and the
 * border is constant (zero). */
static inline int sample_bilinear(const facefuse_image *src, double x, double y, fu_border border,
                                  float *out)
{
    int c = src->channels, w = src->width, h = src->height;
    int x0 = fu_floor_int(x), y0 = fu_floor_int(y);
    float fx = (float)(x - x0), fy = (float)(y - y0);

    if (border == FU_BORDER_CONSTANT && (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h)) {
        for (int k = 0; k < c; k++)
            out[k] = 0;
        return 0;
    }
    int xs[2] = {x0, x0 + 1}, ys[2] = {y0, y0 + 1};
    float wx[2] = {1 - fx, fx}, wy[2] = {1 - fy, fy};
    for (int k = 0; k < c; k++)
        out[k] = 0;
    for (int j = 0; j < 2; j++) {
        for (int i = 0; i < 2; i++) {
            int sx = xs[i], sy = ys[j];
            float wgt = wx[i] * wy[j];
            if (sx < 0 || sy < 0 || sx >= w || sy >= h) {
                if (border == FU_BORDER_CONSTANT)
                    continue;
                sx = clampi(sx, 0, w - 1);
                sy = clampi(sy, 0, h - 1);
            }
            const uint8_t *p = src->data + (size_t)sy * src->stride + (size_t)sx * c;
            for (int k = 0; k < c; k++)
                out[k] += wgt * p[k];
        }
    }
    return 1;
}

/* One destination row, bilinear, no supersampling. Source coordinates step
 * by (dx, dy) per pixel from (sx, sy); pixels whose 2×2 neighbourhood is
 * inside the source take the fast path without border handling. */
static void warp_row_bilinear(const facefuse_image *src, uint8_t *row, int width, int out_channels, double sx,
                              double sy, double dx, double dy, fu_border border)
{
    int c = src->channels, w = src->width, h = src->height;
    int oc = out_channels, common = c < oc ? c : oc;
    size_t stride = (size_t)src->stride;
    float s[4];

    for (int x = 0; x < width; x++, sx += dx, sy += dy) {
        int x0 = fu_floor_int(sx), y0 = fu_floor_int(sy);
        uint8_t *out = row + (size_t)x * oc;
        if (oc == 4 && c == 3)
            out[3] = 255;
        if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h) {
            float fx = (float)(sx - x0), fy = (float)(sy - y0);
            float w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
            const uint8_t *p = src->data + (size_t)y0 * stride + (size_t)x0 * c, *q = p + stride;
            for (int k = 0; k < common; k++) {
                float v = w00 * p[k] + w01 * p[c + k] + w10 * q[k] + w11 * q[c + k] + 0.5f;
                out[k] = (uint8_t)(v > 255 ? 255 : v);
            }
            continue;
        }
        sample_bilinear(src, sx, sy, border, s);
        for (int k = 0; k < common; k++)
            out[k] = fu_u8_round(s[k]);
    }
}

void fu_warp_affine(const facefuse_image *src, facefuse_image *dst, const fu_affine *a, fu_border border)
{
    fu_affine inv = fu_affine_invert(a);
    double scale = fu_affine_scale(a);
    int c = src->channels, oc = dst->channels, common = c < oc ? c : oc;
    /* Supersampling grid: 1 for magnification or mild shrinking. */
    int grid = !(scale < 0.5) ? 1 : scale < 0.125 ? 8 : (int)ceil(1.0 / scale);
    float acc[4], s[4];

    if (grid == 1) {
        for (int y = 0; y < dst->height; y++)
            warp_row_bilinear(src, dst->data + (size_t)y * dst->stride, dst->width, oc, inv.m[1] * y + inv.m[2],
                              inv.m[4] * y + inv.m[5], inv.m[0], inv.m[3], border);
        return;
    }
    for (int y = 0; y < dst->height; y++) {
        uint8_t *row = dst->data + (size_t)y * dst->stride;
        for (int x = 0; x < dst->width; x++) {
            for (int k = 0; k < c; k++)
                acc[k] = 0;
            for (int gy = 0; gy < grid; gy++) {
                for (int gx = 0; gx < grid; gx++) {
                    double px = x + (gx + 0.5) / grid - 0.5;
                    double py = y + (gy + 0.5) / grid - 0.5;
                    double sx = inv.m[0] * px + inv.m[1] * py + inv.m[2];
                    double sy = inv.m[3] * px + inv.m[4] * py + inv.m[5];
                    sample_bilinear(src, sx, sy, border, s);
                    for (int k = 0; k < c; k++)
                        acc[k] += s[k];
                }
            }
            float norm = 1.0f / (float)(grid * grid);
            for (int k = 0; k < common; k++)
                row[x * oc + k] = fu_u8_round(acc[k] * norm);
            if (oc == 4 && c == 3)
                row[x * oc + 3] = 255;
        }
    }
}

void fu_warp_affine_f32(const float *src, int sw, int sh, float *dst, int dw, int dh,
                        const fu_affine *a, fu_border border)
{
    fu_affine inv = fu_affine_invert(a);
    for (int y = 0; y < dh; y++) {
        for (int x = 0; x < dw; x++) {
            double sx = inv.m[0] * x + inv.m[1] * y + inv.m[2];
            double sy = inv.m[3] * x + inv.m[4] * y + inv.m[5];
            int x0 = fu_floor_int(sx), y0 = fu_floor_int(sy);
            float fx = (float)(sx - x0), fy = (float)(sy - y0), v = 0;
            for (int j = 0; j < 2; j++) {
                for (int i = 0; i < 2; i++) {
                    int px = x0 + i, py = y0 + j;
                    float wgt = (i ? fx : 1 - fx) * (j ? fy : 1 - fy);
                    if (px < 0 || py < 0 || px >= sw || py >= sh) {
                        if (border == FU_BORDER_CONSTANT)
                            continue;
                        px = clampi(px, 0, sw - 1);
                        py = clampi(py, 0, sh - 1);
                    }
                    v += wgt * src[(size_t)py * sw + px];
                }
            }
            dst[(size_t)y * dw + x] = v;
        }
    }
}

fu_affine fu_rotation_fit(int w, int h, int angle_deg, int *out_w, int *out_h)
{
    double rad = angle_deg * M_PI / 180.0;
    double alpha = cos(rad), beta = sin(rad);
    double cx = w / 2.0, cy = h / 2.0;
    fu_affine r = {{alpha, beta, (1 - alpha) * cx - beta * cy, -beta, alpha, beta * cx + (1 - alpha) * cy}};
    double nw = fabs(alpha) * w + fabs(beta) * h;
    double nh = fabs(beta) * w + fabs(alpha) * h;
    r.m[2] += (nw - w) * 0.5;
    r.m[5] += (nh - h) * 0.5;
    *out_w = (int)(nw + 1e-6);
    *out_h = (int)(nh + 1e-6);
    return r;
}
