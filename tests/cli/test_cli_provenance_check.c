/*
 * test_cli_provenance_check.c — `facefuse provenance-check FILE`: an output
 * of headless-run carries the provenance tag naming facefuse and its
 * processor (exit 0, text and JSON); a file made elsewhere has neither tag
 * nor watermark (exit 1); a picture with only the invisible watermark is
 * found by it (exit 0); a missing file is one error line (exit 2). The
 * studio options work from the command line and the ini file:
 * --output-provenance none leaves the tag out and says so; [watermark] and
 * [quality_report] keys mark the output (found by provenance-check, named in
 * the tag) and write the report.
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

static void provenance_none_leaves_the_tag_out(void)
{
    char args[4096], *out = NULL, *e = NULL;
    const char *png = tl_tmp("untagged.png");
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors face_debugger --face-detector-model scrfd "
             "--face-landmarker-score 0 --log-level info --output-provenance none",
             tl_shared("samples/grace_hopper.jpg"), png);
    int code = tl_run_cli(args, NULL, &e);
    REQUIRE(code == 0, "headless-run: exit %d: %s", code, e);
    CHECK(e && strstr(e, "--output-provenance none"), "the log does not say the tag is off: %s", e);
    free(e);
    snprintf(args, sizeof args, "provenance-check '%s'", png);
    code = tl_run_cli(args, &out, NULL);
    CHECK(code == 1 && out && strstr(out, "provenance tag: none"), "exit %d: %s", code, out);
    free(out);
}

static void ini_watermarks_and_report(void)
{
    char args[4096], *out = NULL, *e = NULL;
    const char *ini = tl_tmp("studio.ini"), *jpg = tl_tmp("marked-run.jpg"), *report = tl_tmp("report.json");
    FILE *f = fopen(ini, "w");
    REQUIRE(f, "cannot write %s", ini);
    fprintf(f, "[watermark]\nwatermark_text = MADE WITH AI\nwatermark_invisible = true\n"
               "[quality_report]\nquality_report = %s\n", report);
    fclose(f);
    snprintf(args, sizeof args,
             "headless-run --config-path '%s' -t '%s' -o '%s' --processors face_debugger --face-detector-model scrfd "
             "--face-landmarker-score 0 --log-level error",
             ini, tl_shared("samples/grace_hopper.jpg"), jpg);
    int code = tl_run_cli(args, NULL, &e);
    REQUIRE(code == 0, "headless-run: exit %d: %s", code, e);
    free(e);
    snprintf(args, sizeof args, "provenance-check '%s'", jpg);
    code = tl_run_cli(args, &out, NULL);
    CHECK(code == 0 && out && strstr(out, "\"watermark\":\"visible+invisible\"") &&
              strstr(out, "invisible watermark: found"),
          "exit %d: %s", code, out);
    free(out);
    json_error_t jerr;
    json_t *j = json_load_file(report, 0, &jerr);
    CHECK(j, "no report at %s: %s", report, jerr.text);
    if (j) {
        json_t *summary = json_object_get(j, "summary");
        CHECK(json_integer_value(json_object_get(summary, "frames")) == 1 &&
                  json_integer_value(json_object_get(summary, "faces_processed")) >= 1,
              "report summary");
        json_decref(j);
    }
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
    RUN(provenance_none_leaves_the_tag_out);
    RUN(ini_watermarks_and_report);
    return tl_finish();
}
