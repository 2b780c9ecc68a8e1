/*
 * test_quality_report.c — the quality report module, fed directly (the
 * real mobilefacenet as recognizer, faces found by scrfd):
 * - output identical to the original: identity similarity 1, PSNR outside
 *   the masks infinite, SSIM 1, jitter 0, nothing flagged;
 * - faces inverted on two frames: exactly those frames are flagged and
 *   listed, still untouched outside the masks; a pixel changed far from the
 *   face makes that frame's PSNR finite;
 * - frames observed out of order come out in order;
 * - the .html report is one page with SVG charts and the flagged frames as
 *   inline thumbnails, and nothing to run or fetch.
 */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "core/image.h"
#include "pipeline/quality_report.h"
#include "testlib.h"

#define FRAMES 6

static facefuse_context *ctx;
static facefuse_image photo;
static facefuse_face *faces;
static int face_count;

static int setup(void)
{
    ctx = tl_context();
    if (facefuse_register_recognizer(ctx, "mobilefacenet", tl_shared("models/mobilefacenet.onnx"), 112, 0.5f,
                                     0.5f) != FACEFUSE_OK)
        return 0;
    photo = tl_load(ctx, "samples/grace_hopper.jpg");
    facefuse_analysis_params a = facefuse_analysis_default_params();
    a.detector_model = "scrfd";
    a.landmarker_score = 0;
    a.recognizer_model = "mobilefacenet";
    return facefuse_detect_faces(ctx, &photo, &a, &faces, &face_count) == FACEFUSE_OK && face_count >= 1;
}

static fu_quality *new_report(const char *name)
{
    fu_quality_settings s = fu_quality_default_settings();
    s.path = tl_tmp(name);
    s.recognizer_model = "mobilefacenet";
    s.faces_embedded = 1;
    fu_quality *q = NULL;
    fu_err err;
    if (fu_quality_new(ctx, &s, NULL, 0, &q, &err) != FACEFUSE_OK)
        fprintf(stderr, "%s\n", err.msg);
    return q;
}

/* Inverts the face box of im. */
static void invert_face(facefuse_image *im, const facefuse_face *f)
{
    for (int y = (int)f->box[1]; y < (int)f->box[3]; y++)
        for (int x = (int)f->box[0]; x < (int)f->box[2]; x++) {
            uint8_t *p = fu_pixel(im, x, y);
            for (int c = 0; c < 3; c++)
                p[c] = (uint8_t)(255 - p[c]);
        }
}

static json_t *load_json(const char *name)
{
    json_error_t jerr;
    json_t *j = json_load_file(tl_tmp(name), 0, &jerr);
    if (!j)
        fprintf(stderr, "%s: %s (line %d)\n", name, jerr.text, jerr.line);
    return j;
}

static void identical_output_is_perfect(void)
{
    fu_quality *q = new_report("same.json");
    REQUIRE(q, "no report");
    fu_err err;
    for (int i = FRAMES - 1; i >= 0; i--)
        REQUIRE(fu_quality_observe(q, i, &photo, &photo, faces, face_count, NULL, 0, NULL, &err) == FACEFUSE_OK, "%s",
                err.msg);
    REQUIRE(fu_quality_finish(q, &err) == FACEFUSE_OK, "%s", err.msg);
    fu_quality_free(q);
    json_t *j = load_json("same.json");
    REQUIRE(j, "not JSON");
    json_t *s = json_object_get(j, "summary"), *frames = json_object_get(j, "frames");
    CHECK(json_integer_value(json_object_get(s, "frames")) == FRAMES, "frames");
    CHECK(json_integer_value(json_object_get(s, "faces_processed")) == FRAMES * face_count, "faces");
    CHECK(json_integer_value(json_object_get(s, "frames_untouched_outside_masks")) == FRAMES, "untouched");
    CHECK(json_array_size(json_object_get(s, "flagged_frames")) == 0, "flagged frames listed");
    CHECK(json_array_size(frames) == FRAMES, "%zu frame records", json_array_size(frames));
    for (size_t i = 0; i < json_array_size(frames); i++) {
        json_t *f = json_array_get(frames, i);
        double sim = json_number_value(json_array_get(json_object_get(f, "identity_to_target"), 0));
        CHECK(json_integer_value(json_object_get(f, "frame")) == (json_int_t)i, "frame %zu out of order", i);
        CHECK(fabs(sim - 1) < 1e-4, "frame %zu: similarity %.6f", i, sim);
        CHECK(!strcmp(json_string_value(json_object_get(f, "psnr_outside_masks_db")) ?: "", "inf"),
              "frame %zu: PSNR is not infinite", i);
        CHECK(fabs(json_number_value(json_object_get(f, "ssim_outside_masks")) - 1) < 1e-9, "frame %zu: SSIM", i);
        json_t *jit = json_object_get(f, "landmark_jitter");
        CHECK(i < 2 ? json_is_null(jit) : fabs(json_number_value(jit)) < 1e-9, "frame %zu: jitter", i);
        CHECK(json_is_false(json_object_get(f, "flagged")), "frame %zu flagged", i);
    }
    json_decref(j);
}

/* Frames 2 and 4 with inverted faces, frame 5 with a pixel changed far
 * from any face; written as JSON and as HTML. */
static void changed_faces_are_flagged(void)
{
    const char *names[] = {"changed.json", "changed.html"};
    facefuse_image inverted = {0}, speck = {0};
    fu_image_copy(&inverted, &photo);
    fu_image_copy(&speck, &photo);
    for (int i = 0; i < face_count; i++)
        invert_face(&inverted, &faces[i]);
    fu_pixel(&speck, 0, 0)[0] ^= 0x40;
    for (int n = 0; n < 2; n++) {
        fu_quality *q = new_report(names[n]);
        REQUIRE(q, "no report");
        fu_err err;
        for (int i = 0; i < FRAMES; i++) {
            const facefuse_image *out = i == 2 || i == 4 ? &inverted : i == 5 ? &speck : &photo;
            REQUIRE(fu_quality_observe(q, i, &photo, out, faces, face_count, NULL, 0, NULL, &err) == FACEFUSE_OK,
                    "%s", err.msg);
        }
        REQUIRE(fu_quality_finish(q, &err) == FACEFUSE_OK, "%s", err.msg);
        fu_quality_free(q);
    }
    json_t *j = load_json("changed.json");
    REQUIRE(j, "not JSON");
    json_t *flagged = json_object_get(json_object_get(j, "summary"), "flagged_frames");
    CHECK(json_array_size(flagged) == 2 && json_integer_value(json_array_get(flagged, 0)) == 2 &&
              json_integer_value(json_array_get(flagged, 1)) == 4,
          "flagged frames: %s", json_dumps(flagged, 0));
    json_t *frames = json_object_get(j, "frames");
    double sim2 = json_number_value(json_array_get(json_object_get(json_array_get(frames, 2), "identity_to_target"), 0));
    printf("  similarity of an inverted face to the original: %.3f\n", sim2);
    CHECK(sim2 < 0.4, "inverted face still reads %.3f", sim2);
    CHECK(!strcmp(json_string_value(json_object_get(json_array_get(frames, 2), "psnr_outside_masks_db")) ?: "", "inf"),
          "the inverted face leaked outside the masks");
    json_t *p5 = json_object_get(json_array_get(frames, 5), "psnr_outside_masks_db");
    CHECK(json_is_number(p5) && json_number_value(p5) > 60, "one changed pixel: PSNR %s", json_dumps(p5, JSON_ENCODE_ANY));
    json_decref(j);

    FILE *f = fopen(tl_tmp("changed.html"), "rb");
    REQUIRE(f, "no HTML report");
    static char html[1 << 20];
    size_t n = fread(html, 1, sizeof html - 1, f);
    html[n] = '\0';
    fclose(f);
    int thumbs = 0;
    for (const char *p = html; (p = strstr(p, "data:image/jpeg;base64,")); p++)
        thumbs++;
    CHECK(strstr(html, "<svg") && strstr(html, "</html>"), "no charts or truncated page");
    CHECK(thumbs == 2, "%d inline thumbnails, want 2", thumbs);
    CHECK(!strstr(html, "<script") && !strstr(html, "<link") && !strstr(html, "src=\"http") &&
              !strstr(html, "url("),
          "the page loads something");
    facefuse_image_free(&inverted);
    facefuse_image_free(&speck);
}

static void bad_report_name_is_refused(void)
{
    fu_quality_settings s = fu_quality_default_settings();
    s.path = tl_tmp("report.txt");
    fu_quality *q = NULL;
    fu_err err;
    CHECK(fu_quality_new(ctx, &s, NULL, 0, &q, &err) == FACEFUSE_ERR_INVALID_ARGUMENT && !q && strstr(err.msg, ".json"),
          "%s", err.msg);
}

int main(void)
{
    if (!setup()) {
        fprintf(stderr, "setup failed: %s\n", ctx ? facefuse_context_errmsg(ctx) : "no context");
        return 1;
    }
    RUN(identical_output_is_perfect);
    RUN(changed_faces_are_flagged);
    RUN(bad_report_name_is_refused);
    facefuse_faces_free(faces);
    facefuse_image_free(&photo);
    facefuse_context_free(ctx);
    return tl_finish();
}
