/*
 * test_mask_swap_and_debugger.c — the combined mask where it is used:
 * - the swapper pastes through min(box, occlusion): with a white stand-in
 *   swapper (swap_const_128) and the XSeg stand-in that occludes the crop's
 *   centre square, the face centre keeps its pixels and the face around
 *   the hole turns white;
 * - face_debugger's face-mask item draws the contour of the combined mask:
 *   with occlusion selected a contour appears around the hole (frame
 *   position of the 512 px arcface_128 crop's centre), without it none.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "configlib.h"
#include "enhance_testutil.h"
#include "processors/face_masker.h"
#include "processors/processor.h"
#include "processors/swap_model.h"

static facefuse_context *ctx;
static facefuse_image image;
static facefuse_face face;

static const char *mask_args(int occlusion)
{
    return occlusion ? "--face-mask-types box occlusion --face-occluder-model xseg_1 --face-debugger-items face-mask"
                     : "--face-mask-types box --face-debugger-items face-mask";
}

static void test_swap_keeps_the_occluded_centre(void)
{
    static const float zero_latent[512];
    tl_config c;
    const fu_run_config *cfg = tl_config_init(&c, mask_args(1));
    fu_face_masker *m = NULL;
    fu_swapper *sw = NULL;
    fu_err err;
    facefuse_image out = et_copy(&image);
    REQUIRE(fu_face_masker_open(ctx, &cfg->masker, &m, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_swapper_open(ctx, "inswapper_128", 0, 0.3f, NULL, &sw, &err) == FACEFUSE_OK, "%s", err.msg);
    fu_swapper_set_finish(sw, m, FU_COLOR_MATCH_NONE, FU_BLEND_LINEAR);
    REQUIRE(fu_swapper_swap_face(sw, &out, &face, zero_latent, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    fu_affine a = fu_swapper_align(sw, &face), inv = fu_affine_invert(&a);
    int kept = 0, white = 0, total = 0;
    for (int v = 54; v < 74; v += 4)
        for (int u = 54; u < 74; u += 4, total++) {
            facefuse_point p = fu_affine_apply(&inv, (facefuse_point){(float)u, (float)v});
            kept += memcmp(fu_pixel(&out, (int)p.x, (int)p.y), fu_pixel(&image, (int)p.x, (int)p.y), 3) == 0;
            p = fu_affine_apply(&inv, (facefuse_point){21.0f + (u - 54) / 2, (float)v}); /* 20+ px left of the hole, box ~1 */
            const uint8_t *q = fu_pixel(&out, (int)lroundf(p.x), (int)lroundf(p.y));
            white += q[0] >= 250 && q[1] >= 250 && q[2] >= 250;
        }
    CHECK(kept == total, "only %d of %d pixels of the occluded centre kept", kept, total);
    CHECK(white == total, "only %d of %d pixels left of the hole turned white", white, total);
    fu_swapper_close(sw);
    fu_face_masker_close(m);
    facefuse_image_free(&out);
    tl_config_free(&c);
}

/* Green or cyan pixels (the debugger's mask colours) along the row through
 * the crop centre, from the centre out to 120 crop px, of the debugged grey frame. */
static int contour_pixels_right_of_centre(int occlusion, int *centre_drawn)
{
    const fu_processor *dbg = fu_processor_find("face_debugger");
    tl_config c;
    const fu_run_config *cfg = tl_config_init(&c, mask_args(occlusion));
    fu_processor_env env = {ctx, cfg->paths.source_paths, &cfg->analysis, &cfg->masker, 0, 0, 0, NULL};
    facefuse_image grey = {0};
    void *state = NULL;
    fu_err err;
    int n = 0;
    facefuse_image_alloc(&grey, image.width, image.height, 3);
    memset(grey.data, 128, (size_t)grey.stride * grey.height);
    if (dbg->prepare(&env, tl_processor_settings(&c, "face_debugger"), &state, &err) != FACEFUSE_OK) {
        fprintf(stderr, "    prepare: %s\n", err.msg);
        tl_config_free(&c);
        return -1;
    }
    fu_frame f = {.ctx = ctx, .frame = &grey, .faces = &face, .face_count = 1, .all_faces = &face,
                  .all_face_count = 1, .state = state};
    if (dbg->process(&f, &err) != FACEFUSE_OK)
        fprintf(stderr, "    process: %s\n", err.msg), n = -1;
    fu_affine a = fu_align_to_template(face.landmark_5_68, "arcface_128", 512), inv = fu_affine_invert(&a);
    for (int u = 256; u < 376 && n >= 0; u++) {
        facefuse_point p = fu_affine_apply(&inv, (facefuse_point){(float)u, 256});
        const uint8_t *q = fu_pixel(&grey, (int)lroundf(p.x), (int)lroundf(p.y));
        int drawn = q[0] != 128 || q[1] != 128 || q[2] != 128;
        if (u == 256)
            *centre_drawn = drawn;
        n += drawn;
    }
    dbg->release(state);
    facefuse_image_free(&grey);
    tl_config_free(&c);
    return n;
}

static void test_debugger_draws_the_combined_mask(void)
{
    int centre = 0;
    int with = contour_pixels_right_of_centre(1, &centre);
    CHECK(with > 0 && !centre, "with occlusion: %d contour pixels right of the hole's centre (centre drawn %d)", with,
          centre);
    int without = contour_pixels_right_of_centre(0, &centre);
    CHECK(without == 0, "box only: %d pixels drawn inside the box", without);
}

int main(void)
{
    const char *const links[] = {"swap_const_128.onnx", "inswapper_128.onnx", "xseg_1.onnx", "xseg_1.onnx", NULL};
    ctx = tl_context_at(tl_model_dir("models", links), FACEFUSE_LOG_ERROR);
    image = tl_load(ctx, "samples/astronaut.png");
    face = et_largest_face(ctx, &image);
    RUN(test_swap_keeps_the_occluded_centre);
    RUN(test_debugger_draws_the_combined_mask);
    facefuse_image_free(&image);
    facefuse_context_free(ctx);
    return tl_finish();
}
