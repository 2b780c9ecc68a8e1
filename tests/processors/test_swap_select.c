/*
 * test_swap_select.c — the face_swapper processor in the processor chain:
 * `many` swaps every face of a two-person image, `reference` only the chosen
 * person (selected by the mobilefacenet-based recognizer), a source without
 * a face is FACEFUSE_ERR_NO_FACE naming the file, audio among the sources is
 * ignored, unsupported models are refused by name, and a target without a
 * face comes back unchanged.
 */
#include <math.h>

#include "core/geometry.h"
#include "media/image_io.h"
#include "pipeline/chain.h"
#include "processors/paste.h"
#include "configlib.h"
#include "processors/swap_model.h"
#include "swap_testutil.h"

static facefuse_context *ctx;

/* A face_swapper run with the stand-in inswapper and recognizer; extra
 * option words may follow. sources (NULL-terminated) may hold spaces. */
static fu_run_config *config(tl_config *c, const char *const *sources, const char *extra)
{
    char args[512];
    snprintf(args, sizeof args,
             "--processors face_swapper --face-swapper-model inswapper_128 --face-swapper-weight 0.5 "
             "--face-mask-blur 0.3 %s", extra ? extra : "");
    fu_run_config *cfg = tl_config_init(c, args);
    int n = 0;
    while (sources[n])
        n++;
    cfg->paths.source_paths = (fu_strs){sources, n};
    cfg->analysis = st_analysis(ST_RECOGNIZER);
    return cfg;
}

/* Runs the chain on a copy of target with target as the reference frame. */
static facefuse_status run_chain(const fu_run_config *cfg, const facefuse_image *target, facefuse_image *out,
                                 int *selected, fu_err *err)
{
    fu_chain *chain = NULL;
    facefuse_status rc = fu_chain_new(ctx, cfg, NULL, &chain, err);
    *out = st_copy(target);
    if (rc == FACEFUSE_OK)
        rc = fu_chain_set_reference(chain, target, err);
    if (rc == FACEFUSE_OK)
        rc = fu_chain_process(chain, out, 0, selected, err);
    fu_chain_free(chain);
    return rc;
}

/* Changed pixels inside [x0, x1) columns. */
static long changed_in(const facefuse_image *a, const facefuse_image *b, int x0, int x1)
{
    long n = 0;
    for (int y = 0; y < a->height; y++)
        n += memcmp(a->data + (size_t)y * a->stride + x0 * 3, b->data + (size_t)y * b->stride + x0 * 3,
                    (size_t)(x1 - x0) * 3) != 0;
    return n;
}

static facefuse_image group(void)
{
    facefuse_image a = tl_load(ctx, "samples/astronaut.png"), b = tl_load(ctx, "samples/grace_hopper.jpg");
    facefuse_image g = st_side_by_side(&a, &b);
    facefuse_image_free(&a);
    facefuse_image_free(&b);
    return g;
}

static void test_many_swaps_every_face(void)
{
    facefuse_image g = group(), out = {0};
    const char *sources[] = {tl_shared("samples/grace_hopper.jpg"), NULL};
    tl_config c;
    fu_run_config *cfg = config(&c, sources, "--face-selector-mode many");
    fu_err err;
    int selected = 0;
    fu_err_clear(&err);
    REQUIRE(run_chain(cfg, &g, &out, &selected, &err) == FACEFUSE_OK, "%s", err.msg);
    tl_config_free(&c);
    CHECK(selected == 2, "%d faces selected in the group image", selected);
    CHECK(changed_in(&g, &out, 0, 512) > 50, "the left person was not swapped");
    CHECK(changed_in(&g, &out, 512, g.width) > 50, "the right person was not swapped");
    facefuse_image_free(&g);
    facefuse_image_free(&out);
}

static void test_reference_swaps_only_the_chosen_person(void)
{
    facefuse_image g = group(), out = {0};
    fu_err err;
    int selected = 0;
    const char *sources[] = {tl_shared("samples/astronaut.png"), NULL};
    for (int pos = 0; pos < 2; pos++) {
        char extra[128];
        tl_config c;
        snprintf(extra, sizeof extra,
                 "--face-selector-mode reference --face-selector-order left-right --reference-face-position %d", pos);
        fu_run_config *cfg = config(&c, sources, extra);
        fu_err_clear(&err);
        facefuse_status rc = run_chain(cfg, &g, &out, &selected, &err);
        tl_config_free(&c);
        REQUIRE(rc == FACEFUSE_OK, "%s", err.msg);
        CHECK(selected == 1, "reference position %d selected %d faces", pos, selected);
        long left = changed_in(&g, &out, 0, 512), right = changed_in(&g, &out, 512, g.width);
        if (pos == 0)
            CHECK(left > 50 && right == 0, "position 0 (left person): %ld rows changed left, %ld right", left, right);
        else
            CHECK(left == 0 && right > 50, "position 1 (right person): %ld rows changed left, %ld right", left, right);
        facefuse_image_free(&out);
    }
    facefuse_image_free(&g);
}

static void test_source_without_face_is_an_error(void)
{
    facefuse_image blank = {0}, target = tl_load(ctx, "samples/astronaut.png"), out = {0};
    fu_err err;
    fu_err_clear(&err);
    facefuse_image_alloc(&blank, 200, 150, 3);
    memset(blank.data, 90, (size_t)blank.stride * blank.height);
    const char *path = tl_tmp("blank source.png");
    REQUIRE(fu_image_write(path, &blank, 90, &err) == FACEFUSE_OK, "%s", err.msg);
    const char *sources[] = {path, NULL, NULL};
    tl_config c;
    fu_run_config *cfg = config(&c, sources, NULL);
    facefuse_status rc = run_chain(cfg, &target, &out, NULL, &err);
    CHECK(rc == FACEFUSE_ERR_NO_FACE, "status %d: %s", rc, err.msg);
    CHECK(strstr(err.msg, path) != NULL, "the message names the source: %s", err.msg);
    /* two sources, neither with a face: both named */
    const char *path2 = tl_tmp("blank2.png");
    fu_image_write(path2, &blank, 90, &err);
    sources[1] = path2;
    cfg->paths.source_paths.n = 2;
    fu_err_clear(&err);
    facefuse_image_free(&out);
    rc = run_chain(cfg, &target, &out, NULL, &err);
    tl_config_free(&c);
    CHECK(rc == FACEFUSE_ERR_NO_FACE && strstr(err.msg, path) && strstr(err.msg, path2), "status %d: %s", rc,
          err.msg);
    facefuse_image_free(&out);
    facefuse_image_free(&blank);
    facefuse_image_free(&target);
}

static void test_audio_sources_are_ignored(void)
{
    facefuse_image target = tl_load(ctx, "samples/astronaut.png"), out = {0};
    const char *sources[] = {tl_tmp("voice.mp3") /* does not even exist */, tl_shared("samples/grace_hopper.jpg"),
                             NULL};
    tl_config c;
    fu_run_config *cfg = config(&c, sources, "--face-selector-mode one");
    fu_err err;
    int selected = 0;
    fu_err_clear(&err);
    CHECK(run_chain(cfg, &target, &out, &selected, &err) == FACEFUSE_OK, "%s", err.msg);
    tl_config_free(&c);
    CHECK(selected == 1 && changed_in(&target, &out, 0, target.width) > 50, "face not swapped");
    facefuse_image_free(&out);
    facefuse_image_free(&target);
}

static void test_models_that_are_not_swappers_are_refused(void)
{
    facefuse_image target = tl_load(ctx, "samples/astronaut.png");
    fu_err err;
    const char *models[] = {"gfpgan_1.4", "scrfd"};
    const int pad[4] = {0, 0, 0, 0};
    /* the swapper refuses other kinds of models itself ... */
    for (int i = 0; i < 2; i++) {
        fu_swapper *sw = NULL;
        fu_err_clear(&err);
        facefuse_status rc = fu_swapper_open(ctx, models[i], 0, 0.3f, pad, &sw, &err);
        CHECK(rc != FACEFUSE_OK && strstr(err.msg, models[i]) && strstr(err.msg, "not a face swapper"),
              "%s: status %d: %s", models[i], rc, err.msg);
        fu_swapper_close(sw);
    }
    /* ... and the option table refuses names that are not swappers */
    tl_config c;
    for (int i = 0; i < 2; i++) {
        char args[128];
        snprintf(args, sizeof args, "--face-swapper-model %s", i ? "no_such_swapper" : models[0]);
        CHECK(tl_config_try(&c, args, &err) == FACEFUSE_ERR_INVALID_ARGUMENT &&
                  strstr(err.msg, i ? "no_such_swapper" : models[0]) && strstr(err.msg, "--face-swapper-model"),
              "%s", err.msg);
        tl_config_free(&c);
    }
    facefuse_image_free(&target);
}

static void test_target_without_face_is_unchanged(void)
{
    facefuse_image target = {0}, out = {0};
    const char *sources[] = {tl_shared("samples/grace_hopper.jpg"), NULL};
    tl_config c;
    fu_run_config *cfg = config(&c, sources, "--face-selector-mode many");
    fu_err err;
    int selected = -1;
    fu_err_clear(&err);
    facefuse_image_alloc(&target, 320, 240, 3);
    for (size_t i = 0; i < (size_t)target.stride * target.height; i++)
        target.data[i] = (uint8_t)(i * 31 % 97);
    CHECK(run_chain(cfg, &target, &out, &selected, &err) == FACEFUSE_OK, "%s", err.msg);
    tl_config_free(&c);
    CHECK(selected == 0 && changed_in(&target, &out, 0, target.width) == 0, "faceless target changed");
    facefuse_image_free(&out);
    facefuse_image_free(&target);
}

/* Through the command line: exit code 2 and the source named. */
static void test_cli_no_face_exit_code(void)
{
    facefuse_image blank = {0};
    fu_err err;
    char args[4096], *out = NULL, *errs = NULL;
    fu_err_clear(&err);
    facefuse_image_alloc(&blank, 64, 48, 3);
    const char *path = tl_tmp("faceless.png");
    REQUIRE(fu_image_write(path, &blank, 90, &err) == FACEFUSE_OK, "%s", err.msg);
    snprintf(args, sizeof args,
             "headless-run -s '%s' -t '%s' -o '%s' --model-dir '%s' --face-detector-model scrfd "
             "--face-swapper-model inswapper_128",
             path, tl_shared("samples/astronaut.png"), tl_tmp("out.png"), tl_test_models(""));
    int code = tl_run_cli(args, &out, &errs);
    CHECK(code == 2, "exit code %d: %s", code, errs);
    CHECK(strstr(errs, path) != NULL, "stderr does not name %s: %s", path, errs);
    free(out);
    free(errs);
    facefuse_image_free(&blank);
}

int main(void)
{
    ctx = tl_context();
    st_register(ctx);
    RUN(test_many_swaps_every_face);
    RUN(test_reference_swaps_only_the_chosen_person);
    RUN(test_source_without_face_is_an_error);
    RUN(test_audio_sources_are_ignored);
    RUN(test_models_that_are_not_swappers_are_refused);
    RUN(test_target_without_face_is_unchanged);
    RUN(test_cli_no_face_exit_code);
    facefuse_context_free(ctx);
    return tl_finish();
}
