/*
 * test_age_modifier.c — the age modifier with stand-ins of fran and
 * styleganex_age (tests/models/gen_age_modifier.py) on a smooth synthetic
 * frame and face (crop_testutil.h):
 * - crops and warps: a stand-in that gives its input back leaves the frame
 *   byte-identical outside the paste rectangle (and alpha everywhere) and
 *   within ±1 inside: fran (1024 px ffhq_512 crop) and styleganex_age
 *   (256 px + 384 px background crop, 4× output shrunk to 1024 px, colour
 *   matched, pasted with the background alignment × 1024/384);
 * - fran's direction pair [age, age + d]/100, clipped, from the mean of the
 *   classifier's age range, reaches the model's `direction` input by name
 *   (the stand-in brightens by the pair's difference);
 * - styleganex's direction interp(d, [−100, 100], [2.5, −2.5]) reaches its
 *   scalar `direction` input;
 * - direction 0 still runs the model (FaceFusion does not skip it);
 * - occlusion: fran's 1024 px mask and styleganex's (occlusion computed on
 *   the 256 px crop, warped into the 384 px one, enlarged) have the XSeg
 *   stand-in's hole where the face crop's centre lands;
 * - a face without an age, an unknown model, a direction outside −100..100
 *   are refused with a clear message.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "configlib.h"
#include "crop_testutil.h"
#include "infer/ort.h"
#include "processors/age_modifier.h"
#include "processors/face_masker.h"

static facefuse_context *ctx;

static fu_age_modifier *open_model(const char *model, int direction, const fu_face_masker *masker)
{
    fu_age_modifier_settings s = fu_age_modifier_defaults();
    fu_age_modifier *am = NULL;
    fu_err err;
    s.model = model;
    s.direction = direction;
    if (fu_age_modifier_open(ctx, &s, masker, &am, &err) != FACEFUSE_OK)
        fprintf(stderr, "    open %s: %s\n", model, err.msg), tl_fail_at(__FILE__, __LINE__, "open");
    return am;
}

/* RGBA frames: the alpha must come through untouched too. At direction 0
 * the model still runs, once a face (FaceFusion does not skip it). */
static void check_identity(const char *model)
{
    facefuse_image frame = ct_smooth_frame(640, 480, 4), out = {0};
    facefuse_face face = ct_face(320, 200, 70, 20, 29);
    fu_err err;
    int outside, worst, changed;
    fu_age_modifier *am = open_model(model, 0, NULL);
    REQUIRE(am, "no model");
    fu_image_copy(&out, &frame);
    int64_t runs = fu_ort_run_count();
    CHECK(fu_age_modifier_modify_face(am, &out, &face, NULL, &err) == FACEFUSE_OK, "%s: %s", model, err.msg);
    CHECK(fu_ort_run_count() == runs + 1, "%s at direction 0 ran the model %lld times", model,
          (long long)(fu_ort_run_count() - runs));
    fu_affine pa = fu_age_modifier_paste_align(am, &face);
    ct_compare(&frame, &out, 1024, &pa, &outside, &worst, &changed);
    CHECK(outside == 0, "%s: %d values changed outside the paste rectangle or in alpha", model, outside);
    CHECK(worst <= 1, "%s: the identity stand-in moved a value by %d levels", model, worst);
    fu_age_modifier_close(am);
    facefuse_image_free(&frame), facefuse_image_free(&out);
}

static void test_identity_standins_give_the_frame_back(void)
{
    check_identity("fran");
    check_identity("styleganex_age");
}

/* Where crop pixel (u, v) of a size-px crop aligned by a lands in the frame. */
static facefuse_point frame_point(const fu_affine *a, float u, float v)
{
    fu_affine inv = fu_affine_invert(a);
    return fu_affine_apply(&inv, (facefuse_point){u, v});
}

/* The change fran makes at the face centre for this age and direction. */
static int fran_centre_change(int age_start, int age_end, int direction, const fu_face_masker *masker)
{
    facefuse_image frame = ct_smooth_frame(640, 480, 3), out = {0};
    facefuse_face face = ct_face(320, 200, 70, age_start, age_end);
    fu_err err;
    int change = -1000;
    fu_age_modifier *am = open_model("fran", direction, masker);
    fu_image_copy(&out, &frame);
    if (am && fu_age_modifier_modify_face(am, &out, &face, NULL, &err) == FACEFUSE_OK) {
        fu_affine a = fu_age_modifier_align(am, &face);
        facefuse_point p = frame_point(&a, 512, 512);
        int x = (int)lroundf(p.x), y = (int)lroundf(p.y);
        change = fu_pixel(&out, x, y)[1] - fu_pixel(&frame, x, y)[1];
    } else if (am) {
        fprintf(stderr, "    fran: %s\n", err.msg);
    }
    fu_age_modifier_close(am);
    facefuse_image_free(&frame), facefuse_image_free(&out);
    return change;
}

static void test_fran_direction_reaches_the_model(void)
{
    /* age 20..28 (mean 24), +20: [0.24, 0.44], +0.2 · 255 = 51 levels */
    int c = fran_centre_change(20, 29, 20, NULL);
    CHECK(abs(c - 51) <= 1, "age [20, 29) + 20 brightened the face centre by %d, expected 51", c);
}

static void test_fran_direction_pair(void)
{
    facefuse_face face = ct_face(320, 200, 70, 20, 29);
    float d[2];
    fu_err err;
    REQUIRE(fu_fran_direction(&face, 20, d, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fabsf(d[0] - 0.24f) < 1e-6f && fabsf(d[1] - 0.44f) < 1e-6f, "[20, 29) + 20: (%f, %f)", d[0], d[1]);
    face.age_start = 0, face.age_end = 2; /* FaceFusion's range(0, 2): mean 0.5 */
    fu_fran_direction(&face, -100, d, &err);
    CHECK(fabsf(d[0] - 0.005f) < 1e-6f && d[1] == 0.0f, "[0, 2) − 100: (%f, %f)", d[0], d[1]);
    face.age_start = 70, face.age_end = 100;
    fu_fran_direction(&face, 100, d, &err);
    CHECK(fabsf(d[0] - 0.845f) < 1e-6f && d[1] == 1.0f, "[70, 100) + 100: (%f, %f)", d[0], d[1]);
    face.age_start = face.age_end = -1;
    CHECK(fu_fran_direction(&face, 0, d, &err) == FACEFUSE_ERR_INVALID_ARGUMENT && strstr(err.msg, "classifier"),
          "a face without an age: %s", err.msg);
}

static void test_styleganex_direction_mapping(void)
{
    const int d[6] = {-100, -40, 0, 50, 100, 7};
    const float want[6] = {2.5f, 1.0f, 0.0f, -1.25f, -2.5f, -0.175f};
    for (int i = 0; i < 6; i++)
        CHECK(fabsf(fu_styleganex_direction(d[i]) - want[i]) < 1e-6f, "direction %d → %f, expected %f", d[i],
              fu_styleganex_direction(d[i]), want[i]);

    /* The value reaches the model's scalar input: the stand-in adds it to
     * the 4× enlarged background crop, which for a flat grey crop is flat. */
    fu_age_modifier *am = open_model("styleganex_age", 0, NULL);
    REQUIRE(am, "no model");
    facefuse_image crop = {0}, back = {0};
    facefuse_image_alloc(&crop, 256, 256, 3);
    facefuse_image_alloc(&back, 384, 384, 3);
    memset(back.data, 200, (size_t)back.stride * back.height);
    const float grey = (200 / 255.0f - 0.5f) / 0.5f;
    {
        const float dir[2] = {fu_styleganex_direction(-40), 0};
        float *out = NULL, worst = 0;
        int side = 0;
        fu_err err;
        REQUIRE(fu_age_modifier_forward(am, &crop, &back, dir, &out, &side, &err) == FACEFUSE_OK, "%s", err.msg);
        CHECK(side == 1536, "output side %d, expected 4 × 384", side);
        for (size_t k = 0; k < (size_t)3 * side * side; k++)
            worst = fmaxf(worst, fabsf(out[k] - (grey + dir[0])));
        CHECK(worst < 1e-5f, "direction %f: output off by %f", dir[0], worst);
        free(out);
    }
    facefuse_image_free(&crop), facefuse_image_free(&back);
    fu_age_modifier_close(am);
}

/* box + occlusion; the XSeg stand-in has a hole on [96, 160)² of its 256 px input */
static fu_face_masker *occlusion_masker(void)
{
    tl_config c;
    fu_face_masker *m = NULL;
    fu_err err;
    const fu_run_config *cfg = tl_config_init(&c, "--face-mask-types box occlusion --face-occluder-model xseg_1");
    if (fu_face_masker_open(ctx, &cfg->masker, &m, &err) != FACEFUSE_OK)
        fprintf(stderr, "    masker: %s\n", err.msg);
    tl_config_free(&c);
    return m;
}

/* The paste masks at the frame points where face-crop pixels (u, v) land. */
static void masks_at(const char *model, const fu_face_masker *masker, const float (*uv)[2], float *value, int n)
{
    facefuse_image frame = ct_smooth_frame(640, 480, 3);
    facefuse_face face = ct_face(320, 200, 70, 30, 39);
    float *mask = malloc(sizeof(float) * 1024 * 1024);
    fu_err err;
    fu_age_modifier *am = open_model(model, 0, masker);
    for (int i = 0; i < n; i++)
        value[i] = -1;
    if (am && fu_age_modifier_paste_mask(am, &frame, &face, mask, &err) == FACEFUSE_OK) {
        fu_affine a = fu_age_modifier_align(am, &face), pa = fu_age_modifier_paste_align(am, &face);
        for (int i = 0; i < n; i++) {
            facefuse_point q = fu_affine_apply(&pa, frame_point(&a, uv[i][0], uv[i][1]));
            int x = (int)lroundf(q.x), y = (int)lroundf(q.y);
            if (x >= 0 && y >= 0 && x < 1024 && y < 1024)
                value[i] = mask[(size_t)y * 1024 + x];
        }
    }
    fu_age_modifier_close(am);
    free(mask);
    facefuse_image_free(&frame);
}

static void test_occlusion_mask_lands_on_the_face_crop(void)
{
    /* the XSeg stand-in's hole is the face crop's [96, 160)² of 256: its
     * centre and a point above it, in each model's face crop */
    static const float fran_uv[2][2] = {{512, 512}, {512, 250}}, gan_uv[2][2] = {{128, 128}, {128, 55}};
    float v[2], plain[2];
    fu_face_masker *m = occlusion_masker();
    REQUIRE(m, "no masker");
    masks_at("fran", m, fran_uv, v, 2);
    CHECK(v[0] < 0.01f && v[1] > 0.99f, "fran: mask %f in the occluder's hole, %f above it", v[0], v[1]);
    masks_at("styleganex_age", m, gan_uv, v, 2);
    masks_at("styleganex_age", NULL, gan_uv, plain, 2);
    CHECK(v[0] < 0.01f && v[1] > 0.99f, "styleganex: mask %f in the occluder's hole, %f above it", v[0], v[1]);
    CHECK(plain[0] > 0.99f && plain[1] > 0.99f, "styleganex: box mask %f, %f", plain[0], plain[1]);
    /* and fran pastes through it: the occluded centre keeps the frame */
    int c = fran_centre_change(20, 29, 20, m);
    CHECK(abs(c) <= 1, "fran with occlusion changed the occluded centre by %d", c);
    fu_face_masker_close(m);
}

static void test_refusals(void)
{
    fu_age_modifier_settings s = fu_age_modifier_defaults();
    fu_age_modifier *am = NULL;
    fu_err err;
    CHECK(strcmp(s.model, "fran") == 0 && s.direction == 0, "defaults %s %d", s.model, s.direction);
    CHECK(fu_age_modifier_needs_age("fran") && !fu_age_modifier_needs_age("styleganex_age"), "needs_age");
    s.model = "gfpgan_1.4";
    CHECK(fu_age_modifier_open(ctx, &s, NULL, &am, &err) == FACEFUSE_ERR_INVALID_ARGUMENT && strstr(err.msg, "gfpgan"),
          "a face enhancer accepted as age modifier: %s", err.msg);
    s = fu_age_modifier_defaults();
    s.direction = 101;
    CHECK(fu_age_modifier_open(ctx, &s, NULL, &am, &err) == FACEFUSE_ERR_INVALID_ARGUMENT && strstr(err.msg, "101"),
          "direction 101: %s", err.msg);
    am = open_model("fran", 10, NULL);
    REQUIRE(am, "no model");
    facefuse_image frame = ct_smooth_frame(320, 240, 3), before = {0};
    facefuse_face face = ct_face(160, 100, 40, -1, -1);
    fu_image_copy(&before, &frame);
    CHECK(fu_age_modifier_modify_face(am, &frame, &face, NULL, &err) == FACEFUSE_ERR_INVALID_ARGUMENT &&
              strstr(err.msg, "fairface"), "a face without an age: %s", err.msg);
    CHECK(memcmp(frame.data, before.data, (size_t)frame.stride * frame.height) == 0, "frame changed on error");
    fu_age_modifier_close(am);
    facefuse_image_free(&frame), facefuse_image_free(&before);
}

int main(void)
{
    ctx = tl_context();
    RUN(test_identity_standins_give_the_frame_back);
    RUN(test_fran_direction_reaches_the_model);
    RUN(test_fran_direction_pair);
    RUN(test_styleganex_direction_mapping);
    RUN(test_occlusion_mask_lands_on_the_face_crop);
    RUN(test_refusals);
    facefuse_context_free(ctx);
    return tl_finish();
}
