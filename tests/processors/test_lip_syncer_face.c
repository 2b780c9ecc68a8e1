/*
 * test_lip_syncer_face.c — the lip syncer on a synthetic face (known
 * landmarks, lip_testutil.h) with stand-in models (gen_lip_syncer.py):
 * - wav2lip identity on an exactly linear frame: every pixel outside the
 *   paste rectangle is byte-identical and every pixel inside within ±1
 *   (crop, landmark box → 96², back, paste all undo each other); RGBA keeps
 *   its alpha byte for byte;
 * - the model sees BGR and its output is read as BGR: a stand-in returning
 *   [input channel 3, 0, 0] paints the mouth area in the face's own blue,
 *   and nothing above the lower-face area (the paste mask) changes;
 * - the first three input channels are the face with its lower half (rows
 *   48..95 of the 96² box) zeroed: a stand-in returning them blackens the
 *   lower face and leaves everything above the box's middle as it was;
 * - the audio feature is FaceFusion's clip(log10(max(x, 1e−5))·1.6 + 3.2,
 *   −4, 4)·weight·2 and reaches the model: a stand-in painting
 *   mean(audio)/8 + 0.5 paints the predicted level; weight 0 does not skip
 *   the face (FaceFusion still runs the model, on an all-zero feature);
 * - EDTalk (inputs declared weight, target, source: bound by name) with
 *   weight 0 gives the face back (±2 through 256 px and bicubic back) and
 *   with weight 0.5 the predicted mix, only inside the box mask's rectangle;
 * - the occlusion mask (a masker selecting it) keeps occluded pixels as
 *   they were; without it wav2lip warps only the crop window its landmark
 *   box needs, and that gives the very bytes the whole crop gives;
 * - a wrong model, name or weight, or a face without 68 landmarks, is one
 *   clear error and leaves the frame untouched.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "lip_testutil.h"
#include "media/audio_mel.h"
#include "processors/lip_syncer.h"
#include "processors/paste.h"

#define CX 120.0
#define CY 112.0
#define SCALE 0.4
#define ANGLE 8.0

static facefuse_face face;

static float ones[FU_MEL_BANDS * FU_MEL_WINDOW];

/* Opens `model` from a private model dir where its file is `stand_in`. */
static fu_lip_syncer *open_with(facefuse_context **ctx, const char *model, const char *stand_in, float weight)
{
    char file[128];
    fu_lip_syncer_settings s = fu_lip_syncer_default_settings();
    fu_lip_syncer *ls = NULL;
    fu_err err;
    snprintf(file, sizeof file, "%s.onnx", model);
    *ctx = tl_context_at(tl_model_dir_with(stand_in, file, stand_in), FACEFUSE_LOG_ERROR);
    s.model = model;
    s.weight = weight;
    if (fu_lip_syncer_open(*ctx, &s, &ls, &err) != FACEFUSE_OK)
        fprintf(stderr, "    open %s as %s: %s\n", stand_in, model, err.msg);
    return ls;
}

/* Syncs a copy of frame; the copy is returned (frame unchanged). */
static facefuse_image synced(const fu_lip_syncer *ls, const facefuse_image *frame, const facefuse_face *f,
                             const float *window)
{
    facefuse_image out = {0};
    fu_err err;
    fu_image_copy(&out, frame);
    if (fu_lip_syncer_sync_face(ls, &out, f, window, NULL, &err) != FACEFUSE_OK)
        CHECK(0, "sync: %s", err.msg);
    return out;
}

static void paste_rect(int rect[4])
{
    fu_affine a = fu_align_to_template(face.landmark_5_68, "ffhq_512", 512);
    fu_paste_rect(240, 240, 512, &a, rect);
}

static int inside(const int r[4], int x, int y)
{
    return x >= r[0] && x < r[2] && y >= r[1] && y < r[3];
}

static void identity_case(int channels)
{
    facefuse_context *ctx;
    fu_lip_syncer *ls = open_with(&ctx, "wav2lip_96", "wav2lip_96.onnx", 0.5f);
    REQUIRE(ls, "no syncer");
    facefuse_image in = lt_gradient(channels), out = synced(ls, &in, &face, ones);
    int rect[4], outside_changed = 0, inside_n = 0, worst = 0, alpha_changed = 0;
    paste_rect(rect);
    for (int y = 0; y < 240; y++)
        for (int x = 0; x < 240; x++) {
            const uint8_t *a = fu_pixel(&in, x, y), *b = fu_pixel(&out, x, y);
            for (int c = 0; c < 3; c++) {
                if (!inside(rect, x, y))
                    outside_changed += a[c] != b[c];
                else
                    worst = abs(a[c] - b[c]) > worst ? abs(a[c] - b[c]) : worst;
            }
            inside_n += inside(rect, x, y);
            if (channels == 4)
                alpha_changed += a[3] != b[3];
        }
    printf("    wav2lip identity, %d channels: paste rectangle %d px, worst change inside %d\n", channels, inside_n,
           worst);
    CHECK(inside_n > 5000, "paste rectangle of only %d px", inside_n);
    CHECK(outside_changed == 0, "%d values changed outside the paste rectangle", outside_changed);
    CHECK(worst <= 1, "identity model changed a pixel by %d inside the paste", worst);
    CHECK(alpha_changed == 0, "%d alpha values changed", alpha_changed);
    facefuse_image_free(&in), facefuse_image_free(&out);
    fu_lip_syncer_close(ls);
    facefuse_context_free(ctx);
}

static void test_identity_leaves_the_frame(void)
{
    identity_case(3);
    identity_case(4);
}

/* The row of the 96² landmark box that frame pixel (x, y) falls on. */
static double box_row(int x, int y)
{
    fu_affine a = fu_align_to_template(face.landmark_5_68, "ffhq_512", 512);
    float y1 = 1e9f, y2 = -1e9f;
    for (int i = 0; i < 68; i++) {
        facefuse_point p = fu_affine_apply(&a, face.landmark_68[i]);
        y1 = fminf(y1, p.y), y2 = fmaxf(y2, p.y);
    }
    facefuse_point c = fu_affine_apply(&a, (facefuse_point){(float)x, (float)y});
    return (c.y - y1) * 96.0 / (y2 - y1);
}

static void test_model_sees_and_gives_bgr(void)
{
    facefuse_context *ctx;
    fu_lip_syncer *ls = open_with(&ctx, "wav2lip_96", "lip_wav2lip_probe.onnx", 0.5f);
    REQUIRE(ls, "no syncer");
    facefuse_image in = lt_gradient(3), out = synced(ls, &in, &face, ones);
    int core = 0, good = 0, high = 0;
    for (int y = 0; y < 240; y++)
        for (int x = 0; x < 240; x++) {
            const uint8_t *a = fu_pixel(&in, x, y), *b = fu_pixel(&out, x, y);
            high += memcmp(a, b, 3) != 0 && box_row(x, y) < 40; /* above the lower-face hull (nose, row ≈ 47) */
            if (b[1] > 2) /* where the mask is 1, green is 0 */
                continue;
            core++;
            good += b[0] <= 2 && abs(b[2] - a[2]) <= 2;
        }
    printf("    probe: %d fully replaced pixels, %d of them R = 0 and B = the face's blue; %d changed above the "
           "lower face\n", core, good, high);
    CHECK(core > 300, "only %d pixels fully replaced", core);
    CHECK(high == 0, "%d pixels above the lower-face area changed: the mask is not the lower face", high);
    CHECK(good >= core * 95 / 100, "%d of %d replaced pixels are not (0, 0, the face's blue)", core - good, core);
    facefuse_image_free(&in), facefuse_image_free(&out);
    fu_lip_syncer_close(ls);
    facefuse_context_free(ctx);
}

static void test_lower_half_is_zeroed(void)
{
    facefuse_context *ctx;
    fu_lip_syncer *ls = open_with(&ctx, "wav2lip_96", "lip_wav2lip_masked.onnx", 0.5f);
    REQUIRE(ls, "no syncer");
    facefuse_image in = lt_uniform(200), out = synced(ls, &in, &face, ones);
    int upper_changed = 0, upper_n = 0, dark = 0, lowest = 255;
    for (int y = 0; y < 240; y++)
        for (int x = 0; x < 240; x++) {
            const uint8_t *b = fu_pixel(&out, x, y);
            double row = box_row(x, y);
            if (row < 46) {
                upper_n++;
                upper_changed += abs(b[0] - 200) > 1 || abs(b[1] - 200) > 1 || abs(b[2] - 200) > 1;
            } else if (row > 50) {
                dark += b[0] < 100;
                lowest = b[0] < lowest ? b[0] : lowest;
            }
        }
    printf("    masked half: %d darkened pixels below the box's middle (darkest %d), %d changed above it\n", dark,
           lowest, upper_changed);
    CHECK(upper_n > 1000 && upper_changed == 0, "%d of %d pixels above the box's middle changed", upper_changed,
          upper_n);
    CHECK(dark > 300 && lowest <= 2, "lower face not blackened: %d dark pixels, darkest %d", dark, lowest);
    facefuse_image_free(&in), facefuse_image_free(&out);
    fu_lip_syncer_close(ls);
    facefuse_context_free(ctx);
}

static float feature(float x, float weight)
{
    float v = log10f(fmaxf(x, 1e-5f)) * 1.6f + 3.2f;
    return fminf(4.0f, fmaxf(-4.0f, v)) * weight * 2.0f;
}

/* The extreme (max, or min when darker) of frame after syncing a uniform 100 frame. */
static int extreme_level(const fu_lip_syncer *ls, const float *window, int darker)
{
    facefuse_image in = lt_uniform(100), out = synced(ls, &in, &face, window);
    int e = darker ? 255 : 0;
    for (int y = 0; y < 240; y++)
        for (int x = 0; x < 240; x++) {
            int v = fu_pixel(&out, x, y)[1];
            e = darker ? (v < e ? v : e) : (v > e ? v : e);
        }
    facefuse_image_free(&in), facefuse_image_free(&out);
    return e;
}

static void test_audio_feature_and_weight(void)
{
    static const float probes[] = {1e-7f, 1e-5f, 0.01f, 1.0f, 30.0f, 1e4f};
    float window[FU_MEL_BANDS * FU_MEL_WINDOW], got[FU_MEL_BANDS * FU_MEL_WINDOW];
    const float weights[] = {0.0f, 0.25f, 0.5f, 1.0f};
    for (int wi = 0; wi < 4; wi++) {
        facefuse_context *ctx;
        fu_lip_syncer *ls = open_with(&ctx, "wav2lip_96", "lip_wav2lip_audio.onnx", weights[wi]);
        REQUIRE(ls, "no syncer");
        for (int p = 0; p < 6; p++) {
            for (int i = 0; i < FU_MEL_BANDS * FU_MEL_WINDOW; i++)
                window[i] = probes[p];
            fu_lip_syncer_audio_feature(ls, window, got);
            CHECK(fabsf(got[7] - feature(probes[p], weights[wi])) < 1e-5f, "weight %.2f, mel %g: feature %g, want %g",
                  weights[wi], probes[p], got[7], feature(probes[p], weights[wi]));
        }
        /* the feature reaches the model: level = (mean feature / 8 + 0.5)·255 */
        for (int i = 0; i < FU_MEL_BANDS * FU_MEL_WINDOW; i++)
            window[i] = 0.1f; /* feature 1.6·weight·2: four distinct levels */
        double want = (feature(0.1f, weights[wi]) / 8 + 0.5) * 255;
        int level = extreme_level(ls, window, want < 100);
        printf("    weight %.2f, mel 0.1: painted %d, predicted %.1f\n", weights[wi], level, want);
        CHECK(fabs(level - want) <= 1.0, "weight %.2f: painted %d, want %.1f", weights[wi], level, want);
        if (weights[wi] == 0.5f) { /* the empty window is silence: −4 */
            want = (feature(0.0f, 0.5f) / 8 + 0.5) * 255;
            level = extreme_level(ls, NULL, 1);
            CHECK(fabs(level - want) <= 1.0, "empty window: painted %d, want %.1f", level, want);
        }
        fu_lip_syncer_close(ls);
        facefuse_context_free(ctx);
    }
}

static void test_edtalk_binds_by_name(void)
{
    facefuse_context *ctx;
    fu_lip_syncer *ls = open_with(&ctx, "edtalk_256", "edtalk_256.onnx", 0.0f);
    REQUIRE(ls, "no EDTalk syncer");
    CHECK(fu_lip_syncer_size(ls) == 256, "EDTalk size %d", fu_lip_syncer_size(ls));
    facefuse_image in = lt_gradient(3), out = synced(ls, &in, &face, ones);
    int rect[4], outside_changed = 0, worst = 0;
    paste_rect(rect);
    for (int y = 0; y < 240; y++)
        for (int x = 0; x < 240; x++)
            for (int c = 0; c < 3; c++) {
                int d = abs(fu_pixel(&in, x, y)[c] - fu_pixel(&out, x, y)[c]);
                if (!inside(rect, x, y))
                    outside_changed += d != 0;
                else
                    worst = d > worst ? d : worst;
            }
    printf("    EDTalk weight 0: worst change inside the paste %d\n", worst);
    CHECK(outside_changed == 0 && worst <= 2, "EDTalk weight 0: %d changed outside, worst %d inside", outside_changed,
          worst);
    facefuse_image_free(&in), facefuse_image_free(&out);
    fu_lip_syncer_close(ls);
    facefuse_context_free(ctx);

    ls = open_with(&ctx, "edtalk_256", "edtalk_256.onnx", 0.5f);
    REQUIRE(ls, "no EDTalk syncer");
    double want = (0.5 * 100 / 255.0 + 0.5 * ((log10(1.0) * 1.6 + 3.2) / 8 + 0.5)) * 255;
    int level = extreme_level(ls, ones, 0);
    printf("    EDTalk weight 0.5, window of ones: painted %d, predicted %.1f\n", level, want);
    CHECK(fabs(level - want) <= 1.0, "EDTalk weight 0.5: painted %d, want %.1f", level, want);
    fu_lip_syncer_close(ls);
    facefuse_context_free(ctx);
}

/* With the occlusion mask (xseg_1 stand-in: 0 on the crop's central square
 * [192, 320)², 1 elsewhere), that square keeps the frame; the box mask's
 * core elsewhere is painted. */
static void test_occlusion_limits_the_paste(void)
{
    const char *links[] = {"edtalk_256.onnx", "edtalk_256.onnx", "xseg_1.onnx", "xseg_1.onnx", NULL};
    facefuse_context *ctx = tl_context_at(tl_model_dir("lip_occlusion", links), FACEFUSE_LOG_ERROR);
    static const char *const types[] = {"box", "occlusion"};
    fu_masker_settings ms;
    fu_face_masker *masker = NULL;
    fu_lip_syncer *ls = NULL;
    fu_err err;
    memset(&ms, 0, sizeof ms);
    ms.occluder_model = "xseg_1";
    ms.types = (fu_strs){types, 2};
    REQUIRE(fu_face_masker_open(ctx, &ms, &masker, &err) == FACEFUSE_OK, "%s", err.msg);
    fu_lip_syncer_settings s = fu_lip_syncer_default_settings();
    s.model = "edtalk_256";
    s.masker = masker;
    REQUIRE(fu_lip_syncer_open(ctx, &s, &ls, &err) == FACEFUSE_OK, "%s", err.msg);
    facefuse_image in = lt_uniform(100), out = synced(ls, &in, &face, ones);
    fu_affine a = fu_align_to_template(face.landmark_5_68, "ffhq_512", 512);
    int occluded = 0, occluded_changed = 0, open_n = 0, open_painted = 0;
    for (int y = 0; y < 240; y++)
        for (int x = 0; x < 240; x++) {
            facefuse_point c = fu_affine_apply(&a, (facefuse_point){(float)x, (float)y});
            int v = fu_pixel(&out, x, y)[1];
            if (c.x > 205 && c.x < 307 && c.y > 205 && c.y < 307) {
                occluded++;
                occluded_changed += v != 100;
            } else if (c.x > 120 && c.x < 180 && c.y > 120 && c.y < 180) {
                open_n++;
                open_painted += abs(v - 165) <= 1;
            }
        }
    printf("    occlusion: %d of %d occluded pixels changed, %d of %d open ones painted\n", occluded_changed, occluded,
           open_painted, open_n);
    CHECK(occluded > 500 && occluded_changed == 0, "%d of %d occluded pixels changed", occluded_changed, occluded);
    CHECK(open_n > 200 && open_painted == open_n, "only %d of %d unoccluded pixels painted", open_painted, open_n);
    facefuse_image_free(&in), facefuse_image_free(&out);
    fu_lip_syncer_close(ls);
    fu_face_masker_close(masker);
    facefuse_context_free(ctx);
}

/* wav2lip without occlusion warps only the crop window its landmark box
 * needs; with an occluder that occludes nothing (xseg_3 stand-in: 1
 * everywhere) it warps the whole crop. Both must give the same frame. */
static void test_window_equals_whole_crop(void)
{
    static const char *const types[] = {"occlusion"};
    const char *links[] = {"lip_wav2lip_probe.onnx", "wav2lip_96.onnx", "xseg_3.onnx", "xseg_3.onnx", NULL};
    facefuse_context *ctx = tl_context_at(tl_model_dir("lip_window", links), FACEFUSE_LOG_ERROR);
    fu_masker_settings ms;
    fu_face_masker *masker = NULL;
    fu_lip_syncer *plain = NULL, *occluded = NULL;
    fu_err err;
    memset(&ms, 0, sizeof ms);
    ms.occluder_model = "xseg_3";
    ms.types = (fu_strs){types, 1};
    REQUIRE(fu_face_masker_open(ctx, &ms, &masker, &err) == FACEFUSE_OK, "%s", err.msg);
    fu_lip_syncer_settings s = fu_lip_syncer_default_settings();
    s.model = "wav2lip_96";
    REQUIRE(fu_lip_syncer_open(ctx, &s, &plain, &err) == FACEFUSE_OK, "%s", err.msg);
    s.masker = masker;
    REQUIRE(fu_lip_syncer_open(ctx, &s, &occluded, &err) == FACEFUSE_OK, "%s", err.msg);
    facefuse_image in = lt_gradient(3), a = synced(plain, &in, &face, ones), b = synced(occluded, &in, &face, ones);
    int differ = 0, changed = 0;
    for (size_t i = 0; i < (size_t)in.stride * 240; i++) {
        differ += a.data[i] != b.data[i];
        changed += a.data[i] != in.data[i];
    }
    printf("    window vs whole crop: %d bytes differ (%d changed by the probe)\n", differ, changed);
    CHECK(changed > 1000 && differ == 0, "window and whole crop differ in %d bytes", differ);
    facefuse_image_free(&in), facefuse_image_free(&a), facefuse_image_free(&b);
    fu_lip_syncer_close(plain), fu_lip_syncer_close(occluded);
    fu_face_masker_close(masker);
    facefuse_context_free(ctx);
}

static void test_bad_input(void)
{
    facefuse_context *ctx = tl_context_at(tl_model_dir_with("lip_wrong", "wav2lip_96.onnx", "lip_wav2lip_wrong.onnx"),
                                          FACEFUSE_LOG_ERROR);
    fu_lip_syncer_settings s = fu_lip_syncer_default_settings();
    fu_lip_syncer *ls = NULL;
    fu_err err;
    s.model = "wav2lip_96";
    CHECK(fu_lip_syncer_open(ctx, &s, &ls, &err) == FACEFUSE_ERR_MODEL_CONTRACT && !ls &&
              strstr(err.msg, "wav2lip_96.onnx"),
          "a 3-channel wav2lip opened: %s", err.msg);
    s.model = "wav2lip_192";
    CHECK(fu_lip_syncer_open(ctx, &s, &ls, &err) == FACEFUSE_ERR_INVALID_ARGUMENT && strstr(err.msg, "wav2lip_192"),
          "unknown model: %s", err.msg);
    s.model = "wav2lip_gan_96";
    s.weight = 1.5f;
    CHECK(fu_lip_syncer_open(ctx, &s, &ls, &err) == FACEFUSE_ERR_INVALID_ARGUMENT, "weight 1.5 accepted");
    facefuse_context_free(ctx);

    ls = open_with(&ctx, "wav2lip_gan_96", "wav2lip_gan_96.onnx", 0.5f);
    REQUIRE(ls, "no syncer");
    facefuse_face no68 = face;
    no68.has_landmark_68 = 0;
    facefuse_image in = lt_gradient(3), out = {0};
    fu_image_copy(&out, &in);
    CHECK(fu_lip_syncer_sync_face(ls, &out, &no68, ones, NULL, &err) == FACEFUSE_ERR_INVALID_ARGUMENT &&
              strstr(err.msg, "68 landmarks"),
          "a face without 68 landmarks: %s", err.msg);
    CHECK(memcmp(in.data, out.data, (size_t)in.stride * 240) == 0, "the frame changed on failure");
    facefuse_image_free(&in), facefuse_image_free(&out);
    fu_lip_syncer_close(ls);
    facefuse_context_free(ctx);
}

int main(void)
{
    face = lt_face(CX, CY, SCALE, ANGLE);
    for (int i = 0; i < FU_MEL_BANDS * FU_MEL_WINDOW; i++)
        ones[i] = 1.0f;
    RUN(test_identity_leaves_the_frame);
    RUN(test_model_sees_and_gives_bgr);
    RUN(test_lower_half_is_zeroed);
    RUN(test_audio_feature_and_weight);
    RUN(test_edtalk_binds_by_name);
    RUN(test_occlusion_limits_the_paste);
    RUN(test_window_equals_whole_crop);
    RUN(test_bad_input);
    return tl_finish();
}
