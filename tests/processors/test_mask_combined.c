/*
 * test_mask_combined.c — the face masker: occlusion (XSeg stand-ins with
 * known holes), region (a BiSeNet stand-in with known class areas) and
 * area (hulls of known 68 points) masks, softened as FaceFusion does, and
 * combined with the box by element-wise minimum.
 *
 * Stand-ins (tests/models/gen_masker.py), at a 128 px crop: xseg_1 is 0 on
 * [48, 80)², xseg_2 on rows [16, 40) × columns [88, 112); the parser says
 * skin for x < 64, nose for x ≥ 64 and y < 64, background elsewhere. The
 * soft threshold (σ = 5, kernel radius 20) keeps a hard 0 inside a hole from
 * 4 px off its edges (its corners blur most) and 1 from 20 px outside it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/config.h"
#include "processors/face_masker.h"
#include "processors/mask.h"
#include "configlib.h"
#include "testlib.h"

#define C 128

static facefuse_context *ctx;

/* Masker settings from option words; the config is kept so its strings live. */
static tl_config configs[16];
static int n_configs;

static const fu_masker_settings *config_of(const char *types, const char *occluder, const char *region)
{
    char args[256];
    snprintf(args, sizeof args, "--face-mask-types %s%s%s%s%s", types, occluder ? " --face-occluder-model " : "",
             occluder ? occluder : "", region ? " --face-mask-regions " : "", region ? region : "");
    return &tl_config_init(&configs[n_configs++ % 16], args)->masker;
}

static facefuse_image test_crop(void)
{
    facefuse_image im = {0};
    facefuse_image_alloc(&im, C, C, 3);
    for (int y = 0; y < C; y++)
        for (int x = 0; x < C; x++) {
            uint8_t *p = im.data + (size_t)y * im.stride + x * 3;
            p[0] = (uint8_t)(x * 2), p[1] = (uint8_t)(y * 2), p[2] = 90;
        }
    return im;
}

/* Runs both steps of the masker for cfg on the test crop. */
static int masked(const fu_masker_settings *cfg, const float *box, const facefuse_face *face, float *mask)
{
    fu_face_masker *m = NULL;
    fu_err err;
    facefuse_image crop = test_crop();
    fu_affine id = fu_affine_identity();
    int ok = fu_face_masker_open(ctx, cfg, &m, &err) == FACEFUSE_OK;
    if (!ok)
        fprintf(stderr, "    open: %s\n", err.msg);
    ok = ok && fu_face_masker_before(m, &crop, box, mask, &err) == FACEFUSE_OK;
    ok = ok && fu_face_masker_after(m, &crop, face, &id, mask, &err) == FACEFUSE_OK;
    if (!ok)
        fprintf(stderr, "    masker: %s\n", err.msg);
    fu_face_masker_close(m);
    facefuse_image_free(&crop);
    return ok;
}

/* max |v − want| over the rectangle [x0, x1) × [y0, y1). */
static float worst(const float *m, int x0, int y0, int x1, int y1, float want)
{
    float w = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            w = fmaxf(w, fabsf(m[y * C + x] - want));
    return w;
}

static void test_occlusion_holes_and_many(void)
{
    float *box = NULL, mask[C * C];
    fu_err err;
    const int pad[4] = {0, 0, 0, 0};
    REQUIRE(fu_box_mask(C, 0.3f, pad, &box, &err) == FACEFUSE_OK, "%s", err.msg);
    const fu_masker_settings *cfg = config_of("box occlusion", "xseg_1", NULL);
    REQUIRE(masked(cfg, box, NULL, mask), "xseg_1");
    CHECK(worst(mask, 52, 52, 76, 76, 0) == 0, "xseg_1 hole not 0: %g", worst(mask, 52, 52, 76, 76, 0));
    int bad = 0;
    for (int y = 0; y < C; y++)
        for (int x = 0; x < C; x++) {
            int far = x < 28 || x >= 100 || y < 28 || y >= 100;
            bad += mask[y * C + x] > box[y * C + x] + 1e-6f || (far && fabsf(mask[y * C + x] - box[y * C + x]) > 1e-5f);
        }
    CHECK(bad == 0, "%d pixels are not min(box, occlusion)", bad);
    cfg = config_of("occlusion", "many", NULL);
    REQUIRE(masked(cfg, NULL, NULL, mask), "many");
    CHECK(worst(mask, 52, 52, 76, 76, 0) == 0 && worst(mask, 92, 20, 108, 36, 0) == 0,
          "many: the holes of xseg_1 and xseg_2 are not both 0");
    CHECK(worst(mask, 0, 100, C, C, 1) < 1e-5f && worst(mask, 0, 0, 28, 28, 1) < 1e-5f,
          "many: far from the holes the mask is not 1 (no box selected)");
    free(box);
}

static void test_region_classes(void)
{
    float mask[C * C];
    const fu_masker_settings *cfg = config_of("region", NULL, "skin");
    REQUIRE(masked(cfg, NULL, NULL, mask), "skin");
    CHECK(worst(mask, 0, 0, 44, C, 1) < 1e-5f, "skin (x < 64) is not 1 away from its edge: %g",
          worst(mask, 0, 0, 44, C, 1));
    CHECK(worst(mask, 64, 0, C, C, 0) == 0, "right of the skin edge is not 0");
    cfg = config_of("region", NULL, "nose");
    REQUIRE(masked(cfg, NULL, NULL, mask), "nose");
    CHECK(worst(mask, 84, 0, C, 44, 1) < 1e-5f && worst(mask, 0, 0, 64, C, 0) == 0 && worst(mask, 0, 64, C, C, 0) == 0,
          "nose is not the top-right quarter");
    /* All regions (none named): skin and nose, not the background quarter. */
    cfg = config_of("region", NULL, NULL);
    REQUIRE(masked(cfg, NULL, NULL, mask), "all");
    CHECK(worst(mask, 0, 0, 44, C, 1) < 1e-5f && worst(mask, 84, 84, C, C, 0) == 0, "all regions");
}

static void test_minimum_of_box_occlusion_region(void)
{
    float *box = NULL, mask[C * C];
    fu_err err;
    const int pad[4] = {0, 0, 0, 0};
    REQUIRE(fu_box_mask(C, 0.3f, pad, &box, &err) == FACEFUSE_OK, "%s", err.msg);
    const fu_masker_settings *cfg = config_of("box occlusion region", "xseg_1", "skin");
    REQUIRE(masked(cfg, box, NULL, mask), "combined");
    CHECK(fabsf(mask[64 * C + 20] - box[64 * C + 20]) < 1e-5f, "skin, no hole: box");
    CHECK(mask[64 * C + 60] == 0, "in the hole: 0");
    CHECK(mask[30 * C + 100] == 0 && mask[100 * C + 100] == 0, "outside skin: 0");
    CHECK(fabsf(mask[20 * C + 30] - box[20 * C + 30]) < 1e-5f && box[20 * C + 30] > 0.5f, "skin corner: box");
    free(box);
}

static void test_area_follows_hull(void)
{
    float mask[C * C];
    facefuse_face face;
    memset(&face, 0, sizeof face);
    /* Mouth points 48..67 on a circle of radius 30 about (64, 80). */
    for (int i = 48; i < 68; i++) {
        double t = 2 * M_PI * (i - 48) / 20.0;
        face.landmark_68[i] = (facefuse_point){(float)(64 + 30 * cos(t)), (float)(80 + 30 * sin(t))};
    }
    face.has_landmark_68 = 1;
    const fu_masker_settings *cfg = &tl_config_init(&configs[n_configs++ % 16],
                                                    "--face-mask-types area --face-mask-areas mouth")->masker;
    REQUIRE(masked(cfg, NULL, &face, mask), "area");
    CHECK(mask[80 * C + 64] > 0.99f, "hull centre %g", mask[80 * C + 64]);
    CHECK(mask[80 * C + 64 + 32] == 0 && mask[(80 - 33) * C + 64] == 0 && mask[20 * C + 20] == 0,
          "outside the hull is 0");
    face.has_landmark_68 = 0;
    fu_face_masker *m = NULL;
    fu_err err;
    fu_affine id = fu_affine_identity();
    facefuse_image crop = test_crop();
    REQUIRE(fu_face_masker_open(ctx, cfg, &m, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_face_masker_after(m, &crop, &face, &id, mask, &err) == FACEFUSE_ERR_INVALID_ARGUMENT &&
              strstr(err.msg, "68"), "no 68 points: %s", err.msg);
    fu_face_masker_close(m);
    facefuse_image_free(&crop);
}

static void test_bad_names_fail(void)
{
    /* The option tables refuse these names first; the masker itself must
     * too, for callers that fill the settings directly. */
    static const char *const wobble[] = {"box", "wobble"}, *const region[] = {"region"}, *const ears[] = {"ears"},
                             *const occlusion[] = {"occlusion"};
    fu_face_masker *m = NULL;
    fu_err err;
    fu_masker_settings s = *config_of("box", NULL, NULL);
    s.types = (fu_strs){wobble, 2};
    CHECK(fu_face_masker_open(ctx, &s, &m, &err) == FACEFUSE_ERR_INVALID_ARGUMENT && strstr(err.msg, "wobble"),
          "unknown type: %s", err.msg);
    s.types = (fu_strs){region, 1};
    s.regions = (fu_strs){ears, 1};
    CHECK(fu_face_masker_open(ctx, &s, &m, &err) == FACEFUSE_ERR_INVALID_ARGUMENT && strstr(err.msg, "ears"),
          "unknown region: %s", err.msg);
    s.types = (fu_strs){occlusion, 1};
    s.occluder_model = "xseg_9";
    CHECK(fu_face_masker_open(ctx, &s, &m, &err) != FACEFUSE_OK, "unknown occluder accepted");
    tl_config c;
    CHECK(tl_config_try(&c, "--face-mask-types box wobble", &err) == FACEFUSE_ERR_INVALID_ARGUMENT &&
              strstr(err.msg, "wobble") && strstr(err.msg, "--face-mask-types"),
          "the option table accepted a bad type: %s", err.msg);
    tl_config_free(&c);
}

int main(void)
{
    ctx = tl_context();
    RUN(test_occlusion_holes_and_many);
    RUN(test_region_classes);
    RUN(test_minimum_of_box_occlusion_region);
    RUN(test_area_follows_hull);
    RUN(test_bad_names_fail);
    for (int i = 0; i < n_configs && i < 16; i++)
        tl_config_free(&configs[i]);
    facefuse_context_free(ctx);
    return tl_finish();
}
