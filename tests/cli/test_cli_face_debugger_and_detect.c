/*
 * test_cli_face_debugger_and_detect.c — the program end to end on a real
 * portrait: `headless-run --processors face_debugger` draws the detector's
 * landmarks where they are (and nothing far from the face), and
 * `detect --json` prints the face within 3 px of the reference.
 */
#include "clitest.h"

#include "../face/facetest.h"

static facefuse_context *ctx;

static void debugger_draws_landmarks_on_the_face(void)
{
    const char *out = tl_tmp("debug.png");
    char args[2048], *e = NULL;
    facefuse_image before = {0}, after = {0};
    ref_face ref;
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors face_debugger --face-debugger-items bounding-box "
             "face-landmark-5 --face-detector-model scrfd --face-landmarker-score 0 --log-level error",
             tl_shared("samples/astronaut.png"), out);
    int code = tl_run_cli(args, NULL, &e);
    REQUIRE(code == 0, "exit %d: %s", code, e);
    REQUIRE(load_reference("astronaut.png", &ref), "reference");
    REQUIRE(facefuse_image_load(ctx, tl_shared("samples/astronaut.png"), &before) == FACEFUSE_OK, "load");
    REQUIRE(facefuse_image_load(ctx, out, &after) == FACEFUSE_OK, "load output: %s", facefuse_context_errmsg(ctx));
    REQUIRE(after.width == before.width && after.height == before.height, "size changed");
    /* Each landmark is a red disc. */
    for (int i = 0; i < 5; i++) {
        const uint8_t *p = fu_pixel(&after, (int)lroundf(ref.lm[i].x), (int)lroundf(ref.lm[i].y));
        CHECK(p[0] == 255 && p[1] == 0 && p[2] == 0, "landmark %d pixel is %d,%d,%d", i, p[0], p[1], p[2]);
    }
    /* The box's left edge at mid-height is drawn. */
    int bx = (int)lroundf(ref.box[0]), by = (int)lroundf((ref.box[1] + ref.box[3]) / 2);
    const uint8_t *edge = fu_pixel(&after, bx, by);
    CHECK(edge[0] == 255 && edge[1] == 0 && edge[2] == 0, "box edge pixel %d,%d,%d", edge[0], edge[1], edge[2]);
    /* Far from the face nothing changed (PNG is lossless). */
    long changed = 0;
    for (int y = 300; y < after.height; y++)
        changed += memcmp(fu_pixel(&after, 0, y), fu_pixel(&before, 0, y), (size_t)after.width * 3) != 0;
    CHECK(changed == 0, "%ld rows below the face changed", changed);
    facefuse_image_free(&before);
    facefuse_image_free(&after);
    free(e);
}

static float number_after(const char *s, const char *key, int index)
{
    const char *p = strstr(s, key);
    if (!p)
        return -1;
    p += strlen(key);
    for (int i = 0; i <= index; i++) {
        while (*p && !(isdigit((unsigned char)*p) || *p == '-'))
            p++;
        float v = strtof(p, (char **)&p);
        if (i == index)
            return v;
    }
    return -1;
}

static void detect_json_reports_the_face(void)
{
    char args[2048], *o = NULL, *e = NULL;
    ref_face ref;
    snprintf(args, sizeof args, "detect '%s' --json --face-detector-model scrfd --log-level error",
             tl_shared("samples/grace_hopper.jpg"));
    int code = tl_run_cli(args, &o, &e);
    REQUIRE(code == 0, "exit %d: %s", code, e);
    REQUIRE(load_reference("grace_hopper.jpg", &ref), "reference");
    CHECK(strstr(o, "\"faces\":[{") && !strstr(o, "},{"), "exactly one face: %s", o);
    for (int i = 0; i < 4; i++)
        CHECK(fabsf(number_after(o, "\"box\":", i) - ref.box[i]) <= 3, "box[%d] %.2f vs %.2f", i,
              number_after(o, "\"box\":", i), ref.box[i]);
    for (int i = 0; i < 10; i++) {
        float want = i % 2 ? ref.lm[i / 2].y : ref.lm[i / 2].x;
        CHECK(fabsf(number_after(o, "\"landmark_5\":", i) - want) <= 2, "landmark value %d", i);
    }
    CHECK(strstr(o, "\"angle\":0"), "angle 0: %s", o);
    free(o);
    free(e);
}

int main(void)
{
    ctx = tl_context();
    RUN(debugger_draws_landmarks_on_the_face);
    RUN(detect_json_reports_the_face);
    facefuse_context_free(ctx);
    return tl_finish();
}
