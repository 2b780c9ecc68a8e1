/*
 * test_expression_restorer_cli.c — expression_restorer from the command
 * line, after face_swapper, with the stand-ins of the test model cache
 * (the LivePortrait stand-ins read an expression from the crop's colours, so
 * the swapped face and the original target face differ in expression):
 * - `face_swapper expression_restorer` changes the swapped face, and not
 *   one pixel outside the rectangle its 512² crop pastes into;
 * - --expression-restorer-factor 0 writes the same file, byte for byte, as
 *   `face_swapper` alone.
 * (The chain on a video with audio: tests/cli/test_cli_video_face_chain_keeps_audio.c.)
 */
#include "live_portrait_clitest.h"
#include "live_portrait_testutil.h"
#include "processors/expression_restorer.h"

static facefuse_context *ctx;

#define SWAP "-s '" FACEFUSE_SOURCE_DIR "/../shared/samples/grace_hopper.jpg' --face-swapper-model inswapper_128"

/* The astronaut warmed (red up, blue down): the stand-in swapper halves the
 * crop's colours, so the swapped face reads as another expression. */
static const char *warm_target(void)
{
    facefuse_image im = tl_load(ctx, "samples/astronaut.png");
    const char *path = tl_tmp("warm.png");
    for (int y = 0; y < im.height; y++)
        for (int x = 0; x < im.width; x++) {
            uint8_t *p = fu_pixel(&im, x, y);
            p[0] = (uint8_t)(p[0] > 195 ? 255 : p[0] + 60);
            p[2] = (uint8_t)(p[2] < 30 ? 0 : p[2] - 30);
        }
    if (facefuse_image_save(ctx, path, &im, 100) != FACEFUSE_OK) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    facefuse_image_free(&im);
    return path;
}

static void test_restorer_after_swap(void)
{
    const char *target = warm_target();
    const char *swapped = tl_tmp("swapped.png"), *restored = tl_tmp("restored.png"), *zero = tl_tmp("zero.png");
    facefuse_image a = {0}, b = {0}, t = {0};
    int rect[4];
    REQUIRE(lc_run(target, swapped, SWAP " --processors face_swapper") == 0, "run");
    REQUIRE(lc_run(target, restored, SWAP " --processors face_swapper expression_restorer") == 0, "run");
    REQUIRE(lc_run(target, zero, SWAP " --processors face_swapper expression_restorer --expression-restorer-factor 0 "
                   "--expression-restorer-areas lower-face") == 0,
            "run");
    CHECK(lc_same_file(swapped, zero), "factor 0 changed the swapped output");

    REQUIRE(facefuse_image_load(ctx, target, &t) == FACEFUSE_OK, "load target");
    REQUIRE(facefuse_image_load(ctx, swapped, &a) == FACEFUSE_OK && facefuse_image_load(ctx, restored, &b) == FACEFUSE_OK,
            "load outputs");
    facefuse_face face = lc_selected_face(ctx, &t, "--processors expression_restorer");
    fu_affine to_crop = fu_align_to_template(face.landmark_5_68, "arcface_128", FU_LP_CROP_PX);
    lc_paste_rect(&t, face.landmark_5_68, "arcface_128", rect);
    lc_changes c = lc_compare(&a, &b, rect);
    printf("    restored: %ld pixels changed inside (%d,%d)-(%d,%d); %ld outside\n", c.inside, rect[0], rect[1],
           rect[2], rect[3], c.outside);
    CHECK(rect[0] > 0 || rect[1] > 0 || rect[2] < t.width || rect[3] < t.height,
          "the paste covers the whole frame: nothing to compare outside");
    CHECK(c.outside == 0, "%ld pixels changed outside the paste rectangle", c.outside);

    /* Under the full box mask the stand-in generator gives the swapped crop
     * back (blurred by the 256² round trip, which keeps the mean) plus a
     * shift set by the expression read from the ORIGINAL target's crop
     * against the swapped one's (the same crop of both would give 0). */
    fu_live_portrait *lp = NULL;
    fu_lp_motion om, cm;
    fu_lp_points source, goal;
    fu_err err;
    double shift[3];
    REQUIRE(fu_live_portrait_open(ctx, FU_LP_MOTION, &lp, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(lp_motion_of(lp, &t, &to_crop, &om) && lp_motion_of(lp, &a, &to_crop, &cm), "motions");
    fu_live_portrait_close(lp);
    fu_expression_restorer_keypoints(FU_AREA_UPPER_FACE | FU_AREA_LOWER_FACE, fu_expression_restorer_mix(80), &om,
                                     &cm, source, goal);
    lp_expected_shift(source, goal, shift);
    lp_diff d = lp_compare(&a, &b, &to_crop, shift);
    printf("    expected shift (%.2f, %.2f, %.2f); measured mean off by (%.2f, %.2f, %.2f) over %d pixels\n", shift[0],
           shift[1], shift[2], d.mean[0], d.mean[1], d.mean[2], d.inside_n);
    CHECK(fabs(shift[0]) > 1.5 || fabs(shift[1]) > 1.5 || fabs(shift[2]) > 1.5,
          "the test's shift (%.2f, %.2f, %.2f) is too small to see", shift[0], shift[1], shift[2]);
    for (int ch = 0; ch < 3; ch++)
        CHECK(d.inside_n > 5000 && fabs(d.mean[ch]) < 0.5, "channel %d moved by %.2f %+.2f, expected %.2f", ch,
              shift[ch], d.mean[ch], shift[ch]);
    facefuse_image_free(&a), facefuse_image_free(&b), facefuse_image_free(&t);
}

int main(void)
{
    ctx = tl_context();
    RUN(test_restorer_after_swap);
    facefuse_context_free(ctx);
    return tl_finish();
}
