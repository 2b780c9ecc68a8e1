/*
 * test_deep_swapper.c — the deep swapper with DeepFaceLive stand-ins
 * (tests/models/gen_deep_swapper.py) on a smooth synthetic frame and face:
 * - the input size comes from the model's in_face:0 (224, 320, and 256 for
 *   the custom/ model), and so does the morph input;
 * - crops and warps: a stand-in that gives its input back leaves the frame
 *   byte-identical outside the paste rectangle (and alpha everywhere) and
 *   within ±1 inside, at 224 and 320 px;
 * - morph reaches morph_value:0 as morph/100: the stand-in's source mask is
 *   the morph, so the model mask is 0 at morph 0 (the frame stays as it
 *   was), 1 at 100, 0.4 at 40;
 * - the model sees BGR: a stand-in whose target mask is its first channel
 *   gives the crop's blue back;
 * - FaceFusion's sharpening (1.75·x − 0.75·blur, σ 2, 13 taps, bytes) and
 *   mask preparation (two erosions by a 3×3 cross, then σ 6.25) against
 *   hand-computed values;
 * - the box padding and the occlusion mask keep the frame where they are 0
 *   (an inverting stand-in shows where the swap lands);
 * - custom/ models are listed and opened as FaceFusion names them;
 * - unknown models, a morph outside 0..100 and a missing model offline are
 *   refused with one clear line.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/blur.h"
#include "configlib.h"
#include "crop_testutil.h"
#include "processors/deep_swapper.h"
#include "processors/face_masker.h"

static facefuse_context *ctx;

static fu_deep_swapper *open_model(const char *model, int morph, const int padding[4], const fu_face_masker *m)
{
    fu_deep_swapper_settings s = fu_deep_swapper_defaults();
    fu_deep_swapper *ds = NULL;
    fu_err err;
    s.model = model;
    s.morph = morph;
    if (padding)
        memcpy(s.mask_padding, padding, sizeof s.mask_padding);
    if (fu_deep_swapper_open(ctx, &s, m, &ds, &err) != FACEFUSE_OK)
        fprintf(stderr, "    open %s: %s\n", model, err.msg), tl_fail_at(__FILE__, __LINE__, "open");
    return ds;
}

static void test_size_and_morph_input_come_from_the_model(void)
{
    const char *models[3] = {"iperov/elon_musk_224", "iperov/jason_statham_320", "custom/my_model"};
    const int sizes[3] = {224, 320, 256}, morphs[3] = {1, 0, 0};
    for (int i = 0; i < 3; i++) {
        fu_deep_swapper *ds = open_model(models[i], 100, NULL, NULL);
        if (!ds)
            continue;
        CHECK(fu_deep_swapper_size(ds) == sizes[i], "%s: size %d, expected %d", models[i], fu_deep_swapper_size(ds),
              sizes[i]);
        CHECK(fu_deep_swapper_has_morph(ds) == morphs[i], "%s: morph input %d", models[i],
              fu_deep_swapper_has_morph(ds));
        /* the crop is dfl_whole_face at that size: the face's landmarks land on the template */
        facefuse_face face = ct_face(320, 200, 70, -1, -1);
        fu_affine a = fu_deep_swapper_align(ds, &face);
        const facefuse_point *t = fu_template("dfl_whole_face");
        double worst = 0;
        for (int k = 0; k < 5; k++) {
            facefuse_point p = fu_affine_apply(&a, face.landmark_5_68[k]);
            worst = fmax(worst, hypot(p.x - t[k].x * sizes[i], p.y - t[k].y * sizes[i]));
        }
        /* ffhq_512 and dfl_whole_face are not exact similarities of each other: a few px */
        CHECK(worst < 0.05 * sizes[i], "%s: landmarks %.1f px off the dfl_whole_face template", models[i], worst);
        fu_deep_swapper_close(ds);
    }
}

static void check_identity(const char *model, int channels)
{
    facefuse_image frame = ct_smooth_frame(640, 480, channels), out = {0};
    facefuse_face face = ct_face(320, 200, 70, -1, -1);
    fu_err err;
    int outside, worst, changed;
    fu_deep_swapper *ds = open_model(model, 100, NULL, NULL);
    REQUIRE(ds, "no model");
    fu_image_copy(&out, &frame);
    CHECK(fu_deep_swapper_swap_face(ds, &out, &face, NULL, &err) == FACEFUSE_OK, "%s: %s", model, err.msg);
    fu_affine a = fu_deep_swapper_align(ds, &face);
    ct_compare(&frame, &out, fu_deep_swapper_size(ds), &a, &outside, &worst, &changed);
    CHECK(outside == 0, "%s, %d channels: %d values changed outside the paste rectangle or in alpha", model, channels,
          outside);
    CHECK(worst <= 1, "%s, %d channels: the identity stand-in moved a value by %d levels", model, channels, worst);
    fu_deep_swapper_close(ds);
    facefuse_image_free(&frame), facefuse_image_free(&out);
}

static void test_identity_standins_give_the_frame_back(void)
{
    check_identity("iperov/elon_musk_224", 3);
    check_identity("iperov/jason_statham_320", 4);
}

/* A size×size RGB crop of one colour. */
static facefuse_image flat_crop(int size, int r, int g, int b)
{
    facefuse_image im = {0};
    facefuse_image_alloc(&im, size, size, 3);
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
            uint8_t *p = fu_pixel(&im, x, y);
            p[0] = (uint8_t)r, p[1] = (uint8_t)g, p[2] = (uint8_t)b;
        }
    return im;
}

static void test_morph_reaches_the_model(void)
{
    const int morphs[3] = {0, 40, 100};
    facefuse_image crop = flat_crop(224, 90, 140, 200);
    for (int i = 0; i < 3; i++) {
        fu_deep_swapper *ds = open_model("iperov/elon_musk_224", morphs[i], NULL, NULL);
        REQUIRE(ds, "no model");
        facefuse_image face = {0};
        float *mask = malloc(sizeof(float) * 224 * 224), worst = 0;
        fu_err err;
        REQUIRE(fu_deep_swapper_forward(ds, &crop, &face, mask, &err) == FACEFUSE_OK, "%s", err.msg);
        for (int k = 0; k < 224 * 224; k++)
            worst = fmaxf(worst, fabsf(mask[k] - morphs[i] / 100.0f));
        CHECK(worst < 1e-5f, "morph %d: the model mask is off morph/100 by %f", morphs[i], worst);
        CHECK(memcmp(face.data, crop.data, (size_t)crop.stride * 224) == 0, "morph %d: the face did not come back",
              morphs[i]);
        facefuse_image_free(&face);
        free(mask);
        fu_deep_swapper_close(ds);
    }
    facefuse_image_free(&crop);

    /* morph 0: nothing of the swap shows */
    facefuse_image frame = ct_smooth_frame(640, 480, 3), out = {0};
    facefuse_face face = ct_face(320, 200, 70, -1, -1);
    fu_err err;
    fu_deep_swapper *ds = open_model("iperov/elon_musk_224", 0, NULL, NULL);
    REQUIRE(ds, "no model");
    fu_image_copy(&out, &frame);
    CHECK(fu_deep_swapper_swap_face(ds, &out, &face, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(memcmp(out.data, frame.data, (size_t)frame.stride * frame.height) == 0, "morph 0 changed the frame");
    fu_deep_swapper_close(ds);
    facefuse_image_free(&frame), facefuse_image_free(&out);
}

static void test_model_sees_bgr(void)
{
    fu_deep_swapper *ds = open_model("iperov/jason_statham_320", 100, NULL, NULL);
    REQUIRE(ds, "no model");
    facefuse_image crop = flat_crop(320, 20, 100, 230), face = {0};
    float *mask = malloc(sizeof(float) * 320 * 320), worst = 0;
    fu_err err;
    REQUIRE(fu_deep_swapper_forward(ds, &crop, &face, mask, &err) == FACEFUSE_OK, "%s", err.msg);
    for (int k = 0; k < 320 * 320; k++)
        worst = fmaxf(worst, fabsf(mask[k] - 230 / 255.0f));
    CHECK(worst < 1e-5f, "the first input channel is not blue: mask off 230/255 by %f", worst);
    const uint8_t *p = fu_pixel(&face, 160, 160);
    CHECK(p[0] == 20 && p[1] == 100 && p[2] == 230, "the face came back as (%d, %d, %d)", p[0], p[1], p[2]);
    facefuse_image_free(&crop), facefuse_image_free(&face);
    free(mask);
    fu_deep_swapper_close(ds);
}

static void test_sharpen_matches_hand_values(void)
{
    const int n = 64, c0 = 32;
    double sum = 0, k[13];
    CHECK(fu_gaussian_ksize_u8(2.0f) == 13, "8-bit kernel size for sigma 2: %d", fu_gaussian_ksize_u8(2.0f));
    for (int i = 0; i < 13; i++)
        sum += k[i] = exp(-(i - 6) * (i - 6) / 8.0);
    for (int i = 0; i < 13; i++)
        k[i] /= sum;
    facefuse_image im = flat_crop(n, 100, 100, 100);
    memset(fu_pixel(&im, c0, c0), 160, 3);
    fu_err err;
    REQUIRE(fu_deep_swapper_sharpen(&im, &err) == FACEFUSE_OK, "%s", err.msg);
    /* blur at the peak: 100 + 60·k0², a neighbour: 100 + 60·k0·k1; both rounded to bytes */
    long blur_peak = lrint(100 + 60 * k[6] * k[6]), blur_next = lrint(100 + 60 * k[6] * k[7]);
    long want_peak = lrint(1.75 * 160 - 0.75 * blur_peak), want_next = lrint(1.75 * 100 - 0.75 * blur_next);
    CHECK(fu_pixel(&im, c0, c0)[0] == want_peak, "peak %d, expected %ld", fu_pixel(&im, c0, c0)[0], want_peak);
    CHECK(fu_pixel(&im, c0 + 1, c0)[1] == want_next, "neighbour %d, expected %ld", fu_pixel(&im, c0 + 1, c0)[1],
          want_next);
    CHECK(fu_pixel(&im, 5, 5)[2] == 100, "far away %d, expected 100", fu_pixel(&im, 5, 5)[2]);
    facefuse_image_free(&im);
}

static void test_mask_erodes_by_a_cross_twice(void)
{
    const int n = 64;
    float *m = malloc(sizeof(float) * n * n);
    fu_err err;
    for (int i = 0; i < n * n; i++)
        m[i] = 1;
    REQUIRE(fu_deep_swapper_prepare_mask(m, n, &err) == FACEFUSE_OK, "%s", err.msg);
    double lost = 0;
    for (int i = 0; i < n * n; i++)
        lost += 1 - m[i];
    CHECK(fabs(lost) < 1e-3, "an all-ones mask lost %f: the border eroded", lost);
    for (int i = 0; i < n * n; i++)
        m[i] = 1;
    m[32 * n + 32] = -0.5f; /* clipped to 0 first */
    fu_deep_swapper_prepare_mask(m, n, &err);
    lost = 0;
    for (int i = 0; i < n * n; i++)
        lost += 1 - m[i];
    /* two erosions by a cross grow one zero into a diamond of 13 (a 3×3 square would make 25, one erosion 5);
     * the blur keeps the sum */
    CHECK(fabs(lost - 13) < 1e-2, "one zero grew into %.3f zeros, expected 13", lost);
    /* σ 6.25 spreads the 13 zeros: the centre loses about 13/(2π·6.25²) */
    double want = 1 - 13 / (2 * M_PI * 6.25 * 6.25);
    CHECK(fabs(m[32 * n + 32] - want) < 0.01, "centre %f after the blur, expected about %f", m[32 * n + 32], want);
    free(m);
}

/* box + occlusion; the XSeg stand-in has a hole on [96, 160)² of its 256 px input: [84, 140)² of 224 */
static fu_face_masker *occlusion_masker(void)
{
    tl_config c;
    fu_face_masker *m = NULL;
    fu_err err;
    const fu_run_config *cfg =
        tl_config_init(&c, "--face-mask-types box occlusion --face-occluder-model xseg_1 --face-mask-blur 0");
    if (fu_face_masker_open(ctx, &cfg->masker, &m, &err) != FACEFUSE_OK)
        fprintf(stderr, "    masker: %s\n", err.msg);
    tl_config_free(&c);
    return m;
}

/* The change at the frame points where crop pixels (u, v) land, inverting stand-in. */
static void changes_at(const int padding[4], const fu_face_masker *masker, const float (*uv)[2], int *change, int n)
{
    facefuse_image frame = ct_smooth_frame(640, 480, 3), out = {0};
    facefuse_face face = ct_face(320, 200, 70, -1, -1);
    fu_err err;
    fu_deep_swapper *ds = open_model("custom/invert_224", 100, padding, masker);
    fu_image_copy(&out, &frame);
    for (int i = 0; i < n; i++)
        change[i] = -1;
    if (ds && fu_deep_swapper_swap_face(ds, &out, &face, NULL, &err) == FACEFUSE_OK) {
        fu_affine a = fu_deep_swapper_align(ds, &face), inv = fu_affine_invert(&a);
        for (int i = 0; i < n; i++) {
            facefuse_point p = fu_affine_apply(&inv, (facefuse_point){uv[i][0], uv[i][1]});
            int x = (int)lroundf(p.x), y = (int)lroundf(p.y), d = 0;
            for (int c = 0; c < 3; c++)
                d += abs(fu_pixel(&out, x, y)[c] - fu_pixel(&frame, x, y)[c]);
            change[i] = d;
        }
    } else if (ds) {
        fprintf(stderr, "    swap: %s\n", err.msg);
    }
    fu_deep_swapper_close(ds);
    facefuse_image_free(&frame), facefuse_image_free(&out);
}

static void test_padding_and_occlusion_keep_the_frame(void)
{
    static const float uv[3][2] = {{112, 50}, {112, 112}, {112, 175}}; /* above, centre, below */
    static const int top_half[4] = {50, 0, 0, 0};
    int plain[3], padded[3], occluded[3];
    changes_at(NULL, NULL, uv, plain, 3);
    changes_at(top_half, NULL, uv, padded, 3);
    fu_face_masker *m = occlusion_masker();
    REQUIRE(m, "no masker");
    changes_at(NULL, m, uv, occluded, 3);
    fu_face_masker_close(m);
    CHECK(plain[0] > 30 && plain[1] > 30 && plain[2] > 30, "the swap changed only %d, %d, %d", plain[0], plain[1],
          plain[2]);
    CHECK(padded[0] == 0 && padded[2] > 30, "50%% top padding: change %d above, %d below", padded[0], padded[2]);
    CHECK(occluded[1] == 0 && occluded[0] > 30 && occluded[2] > 30, "occlusion: change %d in the hole, %d and %d "
          "around it", occluded[1], occluded[0], occluded[2]);
}

static void write_file(const char *path)
{
    FILE *f = fopen(path, "wb");
    if (f)
        fputs("x", f), fclose(f);
}

static void test_custom_models_as_facefuse_names_them(void)
{
    char **ids = NULL, dir[1024], custom[1100], path[1200];
    int n = 0;
    fu_err err;
    /* the test cache's own custom/ folder */
    REQUIRE(fu_deep_swapper_custom_models(tl_test_models(""), &ids, &n, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(n == 2 && strcmp(ids[0], "custom/invert_224") == 0 && strcmp(ids[1], "custom/my_model") == 0,
          "test cache: %d custom models, first %s", n, n ? ids[0] : "-");
    fu_deep_swapper_free_ids(ids, n);
    /* hidden and __ names skipped, sorted, extension dropped; no folder: none */
    snprintf(dir, sizeof dir, "%s", tl_tmp("cache"));
    mkdir(dir, 0755);
    CHECK(fu_deep_swapper_custom_models(dir, &ids, &n, &err) == FACEFUSE_OK && n == 0 && !ids, "no folder: %d", n);
    snprintf(custom, sizeof custom, "%s/custom", dir);
    mkdir(custom, 0755);
    const char *names[4] = {"b_model.dfm", "a_model.onnx", ".hidden.dfm", "__init__.py"};
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", custom, names[i]);
        if (i == 0)
            symlink(tl_test_models("custom/my_model.dfm"), path);
        else
            write_file(path);
    }
    REQUIRE(fu_deep_swapper_custom_models(dir, &ids, &n, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(n == 2 && strcmp(ids[0], "custom/a_model") == 0 && strcmp(ids[1], "custom/b_model") == 0,
          "%d custom models: %s, %s", n, n > 0 ? ids[0] : "-", n > 1 ? ids[1] : "-");
    fu_deep_swapper_free_ids(ids, n);
    facefuse_context *other = tl_context_at(dir, FACEFUSE_LOG_ERROR);
    fu_deep_swapper_settings s = fu_deep_swapper_defaults();
    fu_deep_swapper *ds = NULL;
    s.model = "custom/b_model";
    CHECK(fu_deep_swapper_open(other, &s, NULL, &ds, &err) == FACEFUSE_OK && fu_deep_swapper_size(ds) == 256,
          "custom/b_model: %s", err.msg);
    fu_deep_swapper_close(ds);
    s.model = "custom/nothing";
    CHECK(fu_deep_swapper_open(other, &s, NULL, &ds, &err) == FACEFUSE_ERR_INVALID_ARGUMENT &&
              strstr(err.msg, custom), "custom/nothing: %s", err.msg);
    facefuse_context_free(other);
}

static void test_refusals(void)
{
    fu_deep_swapper_settings s = fu_deep_swapper_defaults();
    fu_deep_swapper *ds = NULL;
    fu_err err;
    CHECK(strcmp(s.model, "iperov/elon_musk_224") == 0 && s.morph == 100, "defaults %s %d", s.model, s.morph);
    s.model = "iperov/nobody_224";
    CHECK(fu_deep_swapper_open(ctx, &s, NULL, &ds, &err) == FACEFUSE_ERR_INVALID_ARGUMENT &&
              strstr(err.msg, "nobody"), "unknown model: %s", err.msg);
    s.model = "fran";
    CHECK(fu_deep_swapper_open(ctx, &s, NULL, &ds, &err) == FACEFUSE_ERR_INVALID_ARGUMENT, "fran accepted");
    s = fu_deep_swapper_defaults();
    s.morph = 101;
    CHECK(fu_deep_swapper_open(ctx, &s, NULL, &ds, &err) == FACEFUSE_ERR_INVALID_ARGUMENT && strstr(err.msg, "101"),
          "morph 101: %s", err.msg);
    /* offline, not in the cache: the one-line error naming the file and where it goes */
    char dir[1024], want[1200];
    snprintf(dir, sizeof dir, "%s", tl_tmp("empty"));
    mkdir(dir, 0755);
    facefuse_context *offline = tl_context_at(dir, FACEFUSE_LOG_ERROR);
    s = fu_deep_swapper_defaults();
    snprintf(want, sizeof want, "%s/iperov/elon_musk_224.dfm", dir);
    CHECK(fu_deep_swapper_open(offline, &s, NULL, &ds, &err) == FACEFUSE_ERR_MODEL_MISSING && strstr(err.msg, want) &&
              !strchr(err.msg, '\n'), "offline: %s", err.msg);
    facefuse_context_free(offline);
}

int main(void)
{
    ctx = tl_context();
    RUN(test_size_and_morph_input_come_from_the_model);
    RUN(test_identity_standins_give_the_frame_back);
    RUN(test_morph_reaches_the_model);
    RUN(test_model_sees_bgr);
    RUN(test_sharpen_matches_hand_values);
    RUN(test_mask_erodes_by_a_cross_twice);
    RUN(test_padding_and_occlusion_keep_the_frame);
    RUN(test_custom_models_as_facefuse_names_them);
    RUN(test_refusals);
    facefuse_context_free(ctx);
    return tl_finish();
}
