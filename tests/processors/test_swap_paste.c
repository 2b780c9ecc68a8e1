/*
 * test_swap_paste.c — where the swapped face lands.
 * With a stand-in that outputs white, out = in + (255 − in)·m, so the mask
 * that was pasted can be read back from the image: every pixel outside it
 * must be byte-identical, its values must be the box mask mapped through the
 * alignment, and its centroid must sit within 2 px of the crop centre mapped
 * back to the frame, i.e. on the face — upright and for a portrait turned
 * 90° (detected with angles 0 and 90). With an identity stand-in the pasted
 * crop is the face itself, so the frame must come back almost unchanged:
 * the crop went in and came back with the right orientation.
 */
#include <math.h>

#include "core/geometry.h"
#include "processors/mask.h"
#include "processors/paste.h"
#include "swap_testutil.h"

/* astronaut, darkened to ≤ 127 (so 255 − in is large), on a 200 px grey border,
 * turned 90° when rotate. */
static facefuse_image make_target(facefuse_context *ctx, int rotate)
{
    facefuse_image src = tl_load(ctx, "samples/astronaut.png"), canvas = {0};
    const int border = 200;
    facefuse_image_alloc(&canvas, src.width + 2 * border, src.height + 2 * border, 3);
    memset(canvas.data, 60, (size_t)canvas.stride * canvas.height);
    for (int y = 0; y < src.height; y++)
        for (int x = 0; x < src.width * 3; x++)
            canvas.data[(size_t)(y + border) * canvas.stride + border * 3 + x] = src.data[(size_t)y * src.stride + x] / 2;
    facefuse_image_free(&src);
    if (!rotate)
        return canvas;
    facefuse_image turned = st_rotate90(&canvas);
    facefuse_image_free(&canvas);
    return turned;
}

static int detect_one(facefuse_context *ctx, const facefuse_image *im, int rotate, facefuse_face *face)
{
    facefuse_analysis_params ap = st_analysis(NULL);
    facefuse_face *faces = NULL;
    int n = 0;
    if (rotate) {
        ap.detector_angles[0] = 0;
        ap.detector_angles[1] = 90;
        ap.detector_angle_count = 2;
    }
    if (facefuse_detect_faces(ctx, im, &ap, &faces, &n) != FACEFUSE_OK || n == 0)
        return 0;
    *face = *st_largest(faces, n);
    facefuse_faces_free(faces);
    return 1;
}

static facefuse_source_identity *identity(facefuse_context *ctx)
{
    facefuse_image src = tl_load(ctx, "samples/grace_hopper.jpg");
    facefuse_analysis_params ap = st_analysis(ST_RECOGNIZER);
    facefuse_source_identity *id = NULL;
    if (facefuse_source_identity_from_images(ctx, &src, 1, &ap, &id) != FACEFUSE_OK)
        fprintf(stderr, "identity: %s\n", facefuse_context_errmsg(ctx));
    facefuse_image_free(&src);
    return id;
}

static float bilinear_zero(const float *m, int size, double u, double v)
{
    int x0 = (int)floor(u), y0 = (int)floor(v);
    double fx = u - x0, fy = v - y0, s = 0;
    for (int dy = 0; dy < 2; dy++)
        for (int dx = 0; dx < 2; dx++) {
            int x = x0 + dx, y = y0 + dy;
            if (x >= 0 && y >= 0 && x < size && y < size)
                s += (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy) * m[y * size + x];
        }
    return (float)s;
}

static void check_white_paste(int rotate)
{
    facefuse_context *ctx = st_context_with(rotate ? "const-rot" : "const-up", "swap_const_128.onnx");
    facefuse_source_identity *id = identity(ctx);
    facefuse_image in = make_target(ctx, rotate), out = st_copy(&in);
    facefuse_swapper_params sp = facefuse_swapper_default_params();
    facefuse_face face;
    float *mask = NULL;
    fu_err err;
    fu_err_clear(&err);

    REQUIRE(id, "no identity");
    REQUIRE(detect_one(ctx, &in, rotate, &face), "no face in the %s target", rotate ? "rotated" : "upright");
    if (rotate)
        CHECK(face.angle_deg == 90 || face.angle_deg == 270, "rotated face reported at %d°", face.angle_deg);
    sp.model = "inswapper_128";
    REQUIRE(facefuse_swap_faces(ctx, &sp, id, &out, &face, 1) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));

    fu_affine a = fu_align_to_template(face.landmark_5_68, "arcface_128", 128), inv = fu_affine_invert(&a);
    int r[4];
    fu_paste_rect(in.width, in.height, 128, &a, r);
    REQUIRE(r[0] > 0 && r[1] > 0 && r[2] < in.width && r[3] < in.height, "crop quad leaves the frame");
    fu_box_mask(128, 0.3f, sp.mask_padding, &mask, &err);
    long outside_changed = 0, inside = 0;
    double sum_m = 0, sx = 0, sy = 0, worst_mask = 0;
    for (int y = 0; y < in.height; y++)
        for (int x = 0; x < in.width; x++) {
            const uint8_t *p = in.data + (size_t)y * in.stride + (size_t)x * 3;
            const uint8_t *q = out.data + (size_t)y * out.stride + (size_t)x * 3;
            facefuse_point c = fu_affine_apply(&a, (facefuse_point){(float)x, (float)y});
            int in_rect = x >= r[0] && x < r[2] && y >= r[1] && y < r[3];
            int in_quad = in_rect && c.x > -1 && c.y > -1 && c.x < 128 && c.y < 128;
            if (!in_quad) {
                outside_changed += memcmp(p, q, 3) != 0;
                continue;
            }
            inside++;
            double m = 0;
            for (int ch = 0; ch < 3; ch++)
                m += (q[ch] - p[ch]) / (255.0 - p[ch]) / 3;
            worst_mask = fmax(worst_mask, fabs(m - bilinear_zero(mask, 128, c.x, c.y)));
            sum_m += m;
            sx += m * x;
            sy += m * y;
        }
    facefuse_point centre = fu_affine_apply(&inv, (facefuse_point){63.5f, 63.5f});
    double cx = sx / sum_m, cy = sy / sum_m;
    double lx = 0, ly = 0;
    for (int i = 0; i < 5; i++) {
        lx += face.landmark_5_68[i].x / 5;
        ly += face.landmark_5_68[i].y / 5;
    }
    printf("  %s: pasted centroid (%.2f, %.2f), crop centre (%.2f, %.2f), landmarks' centroid (%.2f, %.2f)\n",
           rotate ? "rotated" : "upright", cx, cy, centre.x, centre.y, lx, ly);
    CHECK(outside_changed == 0, "%ld pixels outside the pasted crop changed", outside_changed);
    CHECK(inside > 10000, "only %ld pixels under the crop", inside);
    CHECK(worst_mask < 0.02, "pasted mask differs from the box mask by %g", worst_mask);
    CHECK(hypot(cx - centre.x, cy - centre.y) < 2, "pasted region centred %.2f px from the aligned crop centre",
          hypot(cx - centre.x, cy - centre.y));
    CHECK(cx > face.box[0] && cx < face.box[2] && cy > face.box[1] && cy < face.box[3],
          "pasted region not on the face box");
    /* The template's own landmark centroid maps onto the detected landmarks' centroid. */
    const facefuse_point *t = fu_template("arcface_128");
    facefuse_point tc = {0, 0};
    for (int i = 0; i < 5; i++) {
        tc.x += t[i].x * 128 / 5;
        tc.y += t[i].y * 128 / 5;
    }
    facefuse_point tl = fu_affine_apply(&inv, tc);
    CHECK(hypot(tl.x - lx, tl.y - ly) < 2, "aligned landmarks' centroid %.2f px off", hypot(tl.x - lx, tl.y - ly));
    free(mask);
    facefuse_image_free(&in);
    facefuse_image_free(&out);
    facefuse_source_identity_free(id);
    facefuse_context_free(ctx);
}

static void test_white_paste_upright(void)
{
    check_white_paste(0);
}

static void test_white_paste_rotated_90(void)
{
    check_white_paste(1);
}

static void check_identity_paste(int rotate)
{
    facefuse_context *ctx = st_context_with(rotate ? "id-rot" : "id-up", "swap_identity_128.onnx");
    facefuse_source_identity *id = identity(ctx);
    facefuse_image in = make_target(ctx, rotate), out = st_copy(&in);
    facefuse_swapper_params sp = facefuse_swapper_default_params();
    facefuse_face face;

    REQUIRE(id && detect_one(ctx, &in, rotate, &face), "setup failed");
    sp.model = "inswapper_128";
    sp.pixel_boost = 256;
    REQUIRE(facefuse_swap_faces(ctx, &sp, id, &out, &face, 1) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
    double sum = 0;
    long n = 0;
    for (int y = (int)face.box[1]; y < (int)face.box[3]; y++)
        for (int x = (int)face.box[0]; x < (int)face.box[2]; x++)
            for (int c = 0; c < 3; c++, n++)
                sum += abs(in.data[(size_t)y * in.stride + x * 3 + c] - out.data[(size_t)y * out.stride + x * 3 + c]);
    printf("  %s: mean |change| over the face box with the identity model: %.3f\n", rotate ? "rotated" : "upright",
           sum / n);
    CHECK(sum / n < 1.5, "the identity model changed the face by %.3f levels on average", sum / n);
    facefuse_image_free(&in);
    facefuse_image_free(&out);
    facefuse_source_identity_free(id);
    facefuse_context_free(ctx);
}

static void test_identity_model_keeps_face_upright(void)
{
    check_identity_paste(0);
}

static void test_identity_model_keeps_face_rotated(void)
{
    check_identity_paste(1);
}

int main(void)
{
    RUN(test_white_paste_upright);
    RUN(test_white_paste_rotated_90);
    RUN(test_identity_model_keeps_face_upright);
    RUN(test_identity_model_keeps_face_rotated);
    return tl_finish();
}
