/*
 * test_cli_swap.c — `headless-run -s SOURCE -t TARGET -o OUTPUT` end to end
 * with the stand-in swapper and recognizer of the test model cache: the
 * face region changes and everything far from the face is byte-identical
 * (PNG); a source without a face is exit 2 naming it; a target without a
 * face gives the unchanged target and a warning; several sources work.
 */
#include "clitest.h"

#include "core/image.h"

static facefuse_context *ctx;

static int run_swap(const char *sources, const char *target, const char *out, char **err_text)
{
    char args[4096];
    snprintf(args, sizeof args,
             "headless-run -s %s -t '%s' -o '%s' --face-swapper-model inswapper_128 --face-detector-model scrfd "
             "--face-landmarker-score 0",
             sources, target, out);
    return tl_run_cli(args, NULL, err_text);
}

static long changed_pixels(const facefuse_image *a, const facefuse_image *b, int x0, int y0, int x1, int y1)
{
    long n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            n += memcmp(fu_pixel(a, x, y), fu_pixel(b, x, y), 3) != 0;
    return n;
}

static void swap_changes_the_face_and_nothing_far_from_it(void)
{
    char src[1024], *e = NULL;
    const char *out = tl_tmp("swapped.png"), *target = tl_tmp("target.png");
    facefuse_image t = {0}, o = {0};
    /* A lossless target so that untouched pixels compare exactly. */
    REQUIRE(facefuse_image_load(ctx, tl_shared("samples/grace_hopper.jpg"), &t) == FACEFUSE_OK, "load");
    REQUIRE(facefuse_image_save(ctx, target, &t, 100) == FACEFUSE_OK, "save");
    snprintf(src, sizeof src, "'%s'", tl_shared("samples/astronaut.png"));
    int code = run_swap(src, target, out, &e);
    REQUIRE(code == 0, "exit %d: %s", code, e);
    REQUIRE(facefuse_image_load(ctx, out, &o) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
    /* Face box of Grace Hopper ~ (178,124)-(350,333). */
    long face = changed_pixels(&t, &o, 200, 170, 330, 300);
    long far = changed_pixels(&t, &o, 0, 450, t.width, t.height) + changed_pixels(&t, &o, 0, 0, t.width, 60);
    CHECK(face > 10000, "only %ld face pixels changed", face);
    CHECK(far == 0, "%ld pixels far from the face changed", far);
    facefuse_image_free(&t);
    facefuse_image_free(&o);
    free(e);
}

static void two_sources_are_accepted(void)
{
    char src[2048], *e = NULL;
    snprintf(src, sizeof src, "'%s' '%s'", tl_shared("samples/astronaut.png"), tl_shared("samples/grace_hopper.jpg"));
    int code = run_swap(src, tl_shared("samples/astronaut.png"), tl_tmp("two.png"), &e);
    CHECK(code == 0 && path_exists(tl_tmp("two.png")), "exit %d: %s", code, e);
    free(e);
}

static void a_video_source_gives_its_first_frame(void)
{
    char src[1024], *e = NULL;
    facefuse_image t = {0}, o = {0};
    snprintf(src, sizeof src, "'%s'", tl_shared("samples/grace_hopper_zoom_2s.mp4"));
    int code = run_swap(src, tl_shared("samples/astronaut.png"), tl_tmp("from-video.png"), &e);
    REQUIRE(code == 0, "exit %d: %s", code, e);
    REQUIRE(facefuse_image_load(ctx, tl_shared("samples/astronaut.png"), &t) == FACEFUSE_OK, "load");
    REQUIRE(facefuse_image_load(ctx, tl_tmp("from-video.png"), &o) == FACEFUSE_OK, "load output");
    CHECK(changed_pixels(&t, &o, 190, 80, 260, 170) > 2000, "the face did not change");
    facefuse_image_free(&t);
    facefuse_image_free(&o);
    free(e);
}

/* An RGBA target through analysis, swap, masks, colour match, Poisson and
 * enhancer: the alpha plane comes out untouched (the debugger, which draws
 * opaque marks, is left out on purpose). This once overflowed a crop buffer. */
static void rgba_target_through_every_stage_keeps_its_alpha(void)
{
    facefuse_image t = {0}, rgba = {0}, out = {0};
    char args[4096], *e = NULL;
    const char *target = tl_tmp("rgba-target.png"), *result = tl_tmp("rgba-out.png");
    REQUIRE(facefuse_image_load(ctx, tl_shared("samples/grace_hopper.jpg"), &t) == FACEFUSE_OK, "load");
    REQUIRE(facefuse_image_alloc(&rgba, t.width, t.height, 4) == FACEFUSE_OK, "alloc");
    for (int y = 0; y < t.height; y++)
        for (int x = 0; x < t.width; x++) {
            memcpy(fu_pixel(&rgba, x, y), fu_pixel(&t, x, y), 3);
            fu_pixel(&rgba, x, y)[3] = (uint8_t)(x < t.width / 2 ? 255 : 100);
        }
    REQUIRE(facefuse_image_save(ctx, target, &rgba, 90) == FACEFUSE_OK, "save");
    snprintf(args, sizeof args,
             "headless-run -s '%s' -t '%s' -o '%s' --processors face_swapper face_enhancer "
             "--face-swapper-model inswapper_128 --face-detector-model scrfd --face-landmarker-score 0 "
             "--face-mask-types box occlusion region --face-color-match reinhard --face-blend-mode poisson "
             "--log-level error",
             tl_shared("samples/astronaut.png"), target, result);
    int code = tl_run_cli(args, NULL, &e);
    REQUIRE(code == 0, "exit %d: %s", code, e);
    REQUIRE(facefuse_image_load(ctx, result, &out) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
    CHECK(out.channels == 4, "%d channels", out.channels);
    int alpha_changed = 0;
    for (int y = 0; out.channels == 4 && y < out.height; y++)
        for (int x = 0; x < out.width; x++)
            alpha_changed += fu_pixel(&out, x, y)[3] != fu_pixel(&rgba, x, y)[3];
    CHECK(alpha_changed == 0, "%d alpha values changed", alpha_changed);
    CHECK(changed_pixels(&t, &out, 200, 170, 330, 300) > 2000, "the face did not change");
    facefuse_image_free(&t);
    facefuse_image_free(&rgba);
    facefuse_image_free(&out);
    free(e);
}

static void source_without_face_is_exit_2(void)
{
    char src[1024], *e = NULL;
    facefuse_image blank = {0};
    REQUIRE(facefuse_image_alloc(&blank, 200, 200, 3) == FACEFUSE_OK, "alloc");
    REQUIRE(facefuse_image_save(ctx, tl_tmp("blank.png"), &blank, 90) == FACEFUSE_OK, "save");
    snprintf(src, sizeof src, "'%s'", tl_tmp("blank.png"));
    int code = run_swap(src, tl_shared("samples/grace_hopper.jpg"), tl_tmp("noface.jpg"), &e);
    CHECK(code == 2, "exit %d", code);
    CHECK(error_lines(e) == 1 && strstr(e, "blank.png"), "message: %s", e);
    CHECK(!path_exists(tl_tmp("noface.jpg")), "output written");
    facefuse_image_free(&blank);
    free(e);
}

static void target_without_face_is_copied_with_a_warning(void)
{
    char src[1024], *e = NULL;
    facefuse_image blank = {0}, out = {0};
    REQUIRE(facefuse_image_alloc(&blank, 64, 48, 3) == FACEFUSE_OK, "alloc");
    for (int i = 0; i < 64 * 48 * 3; i++)
        blank.data[i] = (uint8_t)(i * 7);
    REQUIRE(facefuse_image_save(ctx, tl_tmp("empty-target.png"), &blank, 90) == FACEFUSE_OK, "save");
    snprintf(src, sizeof src, "'%s'", tl_shared("samples/astronaut.png"));
    int code = run_swap(src, tl_tmp("empty-target.png"), tl_tmp("same.png"), &e);
    CHECK(code == 0, "exit %d: %s", code, e);
    CHECK(strstr(e, "warning") && strstr(e, "no face"), "warning: %s", e);
    REQUIRE(facefuse_image_load(ctx, tl_tmp("same.png"), &out) == FACEFUSE_OK, "load");
    CHECK(out.width == 64 && memcmp(out.data, blank.data, 64 * 48 * 3) == 0, "output differs from the target");
    facefuse_image_free(&blank);
    facefuse_image_free(&out);
    free(e);
}

int main(void)
{
    ctx = tl_context();
    RUN(swap_changes_the_face_and_nothing_far_from_it);
    RUN(two_sources_are_accepted);
    RUN(a_video_source_gives_its_first_frame);
    RUN(rgba_target_through_every_stage_keeps_its_alpha);
    RUN(source_without_face_is_exit_2);
    RUN(target_without_face_is_copied_with_a_warning);
    facefuse_context_free(ctx);
    return tl_finish();
}
