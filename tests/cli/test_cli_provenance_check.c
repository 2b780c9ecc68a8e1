/*
 * test_cli_provenance_check.c — `facefuse provenance-check FILE`: an output
 * of headless-run carries the provenance tag naming facefuse and its
 * processor (exit 0, text and JSON); a file made elsewhere has neither tag
 * nor watermark (exit 1); a picture with only the invisible watermark is
 * found by it (exit 0); a missing file is one error line (exit 2).
 */
#include <jansson.h>

#include "clitest.h"
#include "core/image.h"
#include "media/image_io.h"
#include "media/resize.h"
#include "processors/watermark.h"

static void headless_run_output_is_tagged(void)
{
    char args[4096], *out = NULL, *e = NULL;
    const char *png = tl_tmp("debugged.png");
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors face_debugger --face-detector-model scrfd "
             "--face-landmarker-score 0 --log-level error",
             tl_shared("samples/grace_hopper.jpg"), png);
    int code = tl_run_cli(args, NULL, &e);
    REQUIRE(code == 0, "headless-run: exit %d: %s", code, e);
    free(e);
    snprintf(args, sizeof args, "provenance-check '%s'", png);
    code = tl_run_cli(args, &out, NULL);
    CHECK(code == 0, "exit %d", code);
    CHECK(out && strstr(out, "provenance tag: {\"generator\":\"facefuse\"") && strstr(out, "face_debugger") &&
              strstr(out, "invisible watermark: not found"),
          "%s", out);
    free(out);
    snprintf(args, sizeof args, "provenance-check --json '%s'", png);
    code = tl_run_cli(args, &out, NULL);
    json_error_t jerr;
    json_t *j = out ? json_loads(out, 0, &jerr) : NULL;
    CHECK(code == 0 && j, "exit %d, not JSON: %s", code, out);
    if (j) {
        json_t *tag = json_object_get(j, "tag"), *wm = json_object_get(j, "watermark");
        CHECK(!strcmp(json_string_value(json_object_get(tag, "generator")) ?: "", "facefuse"), "generator");
        CHECK(!strcmp(json_string_value(json_object_get(tag, "version")) ?: "", facefuse_version()), "version");
        CHECK(json_is_false(json_object_get(wm, "found")) && json_is_number(json_object_get(wm, "strength")),
              "watermark object");
        json_decref(j);
    }
    free(out);
}

static void foreign_file_has_no_provenance(void)
{
    char args[4096], *out = NULL;
    snprintf(args, sizeof args, "provenance-check '%s'", tl_shared("samples/grace_hopper.jpg"));
    int code = tl_run_cli(args, &out, NULL);
    CHECK(code == 1, "exit %d", code);
    CHECK(out && strstr(out, "provenance tag: none") && strstr(out, "invisible watermark: not found"), "%s", out);
    free(out);
}

static void watermark_alone_is_found(void)
{
    facefuse_image im = {0}, hd = {0};
    fu_err err;
    REQUIRE(fu_image_read(tl_shared("samples/astronaut.png"), &im, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_resize(&im, &hd, 640, 640) == FACEFUSE_OK, "resize");
    fu_watermark_settings s = fu_watermark_default_settings();
    s.invisible = 1;
    fu_watermark *wm = NULL;
    REQUIRE(fu_watermark_new(&s, &wm, &err) == FACEFUSE_OK && fu_watermark_apply(wm, &hd, &err) == FACEFUSE_OK,
            "%s", err.msg);
    const char *jpg = tl_tmp("marked.jpg");
    REQUIRE(fu_image_write(jpg, &hd, 90, &err) == FACEFUSE_OK, "%s", err.msg);
    char args[4096], *out = NULL;
    snprintf(args, sizeof args, "provenance-check '%s'", jpg);
    int code = tl_run_cli(args, &out, NULL);
    CHECK(code == 0, "exit %d", code);
    CHECK(out && strstr(out, "provenance tag: none") && strstr(out, "invisible watermark: found"), "%s", out);
    free(out);
    fu_watermark_free(wm);
    facefuse_image_free(&hd);
    facefuse_image_free(&im);
}

static void missing_file_is_one_error(void)
{
    char args[4096], *e = NULL;
    snprintf(args, sizeof args, "provenance-check '%s'", tl_tmp("nothing-here.mp4"));
    int code = tl_run_cli(args, NULL, &e);
    CHECK(code == 2 && e && error_lines(e) == 1 && strstr(e, "nothing-here.mp4"), "exit %d: %s", code, e);
    free(e);
}

int main(void)
{
    RUN(headless_run_output_is_tagged);
    RUN(foreign_file_has_no_provenance);
    RUN(watermark_alone_is_found);
    RUN(missing_file_is_one_error);
    return tl_finish();
}
