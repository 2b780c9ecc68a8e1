/*
 * test_cli_background_remover.c — background_remover through the whole
 * program, on green-screen shots made by the test (keyer_testutil.h: a
 * portrait on a lit, noisy green screen with a known matte):
 *   - `--processors face_swapper background_remover --background-image` on
 *     a green-screen video with audio: the face is swapped (and kept, not
 *     keyed), the screen is
 *     the background image (scaled to cover), the audio packets are those
 *     of the target, byte for byte;
 *   - an image with fill alpha 0 written to PNG is transparent where the
 *     screen was and opaque on the person;
 *   - a transparent background into an output that cannot keep alpha
 *     (.mp4 with libx264, .jpg), or with --temp-pixel-format bgr24, is
 *     refused before any work: exit 2, one line naming the options, no file;
 *   - a trimmed run takes the background video from its start: output
 *     frame j shows background frame j, not the target's frame number;
 *   - a transparent background in a video (ffv1 in .mkv) reaches the file.
 */
#include <math.h>

#include "../media/video_testutil.h"
#include "../processors/keyer_testutil.h"
#include "clitest.h"
#include "core/image.h"
#include "media/image_io.h"
#include "media/video_reader.h"
#include "media/video_writer.h"
#include "processors/background_source.h"

static const uint8_t green[3] = {52, 178, 72};

/* The green-screen shot of a sample portrait, as each video frame. */
static void paint_shot(void *user, uint8_t *rgb, int stride, int w, int h, int i)
{
    const facefuse_image *shot = user;
    (void)i;
    for (int y = 0; y < h; y++)
        memcpy(rgb + (size_t)y * stride, shot->data + (size_t)y * shot->stride, (size_t)w * 3);
}

/* A background of another shape than the frame: a colour ramp with stripes. */
static facefuse_image make_background(int w, int h)
{
    facefuse_image bg = {0};
    facefuse_image_alloc(&bg, w, h, 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = fu_pixel(&bg, x, y);
            p[0] = (uint8_t)(40 + 180 * x / (w - 1));
            p[1] = (uint8_t)(60 + ((y / 24) % 2) * 70);
            p[2] = (uint8_t)(200 - 150 * y / (h - 1));
        }
    return bg;
}

/* Where the test may judge the background: far outside the portrait and
 * its strands (which reach 60 px out). */
static int far_background(int x, int y)
{
    return kt_ellipse_distance(x, y) > 75;
}

static int detect_face(facefuse_context *ctx, const facefuse_image *im, float box[4])
{
    facefuse_analysis_params p = facefuse_analysis_default_params();
    p.detector_model = "scrfd";
    p.landmarker_model = NULL;
    p.landmark_5_to_68_model = NULL;
    p.recognizer_model = NULL;
    p.classifier_model = NULL;
    facefuse_face *faces = NULL;
    int n = 0;
    if (facefuse_detect_faces(ctx, im, &p, &faces, &n) != FACEFUSE_OK || n < 1)
        return 0;
    memcpy(box, faces[0].box, sizeof faces[0].box);
    facefuse_faces_free(faces);
    return 1;
}

static void swap_and_replace_on_a_green_screen_video_keeps_audio(void)
{
    facefuse_context *ctx = tl_context();
    facefuse_image portrait = tl_load(ctx, "samples/astronaut.png");
    kt_shot k;
    REQUIRE(kt_make(&portrait, green, 1, 16.0, &k), "shot");
    const int w = k.shot.width, h = k.shot.height;
    float box[4];
    REQUIRE(detect_face(ctx, &k.shot, box), "no face in the green-screen shot");

    const char *clip = tl_tmp("screen.mp4"), *bg_path = tl_tmp("bg.png"), *out = tl_tmp("screen-out.mp4");
    vt_clip c = vt_clip_default();
    c.width = w, c.height = h, c.frames = 3, c.fps = 10;
    c.paint = paint_shot, c.paint_user = &k.shot;
    REQUIRE(vt_make_clip(clip, &c) == 0, "make clip");
    facefuse_image bg = make_background(300, 160), covered = {0};
    fu_err err;
    REQUIRE(fu_image_write(bg_path, &bg, 100, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_cover(&bg, w, h, &covered, &err) == FACEFUSE_OK, "%s", err.msg);

    char args[4096], *e = NULL;
    snprintf(args, sizeof args,
             "headless-run -s '%s' -t '%s' -o '%s' --processors face_swapper background_remover "
             "--face-swapper-model inswapper_128 --face-detector-model scrfd --face-landmarker-score 0 "
             "--background-remover-model chroma_key --background-image '%s' --output-video-quality 95 "
             "--log-level error --progress none",
             tl_shared("samples/grace_hopper.jpg"), clip, out, bg_path);
    int code = tl_run_cli(args, NULL, &e);
    REQUIRE(code == 0, "exit %d: %s", code, e ? e : "");
    free(e);

    vt_stats a, b;
    REQUIRE(vt_probe(clip, &a) == 0 && vt_probe(out, &b) == 0, "probe");
    REQUIRE(a.audio_count == 1 && b.audio_count == 1, "audio streams %d -> %d", a.audio_count, b.audio_count);
    const vt_stream_stats *sa = &a.s[a.audio[0]], *sb = &b.s[b.audio[0]];
    int same = 0;
    for (int i = 0; i < sa->packets && i < sb->packets; i++)
        same += sa->hashes[i] == sb->hashes[i];
    CHECK(sa->packets > 0 && sa->packets == sb->packets && same == sa->packets,
          "%d of %d audio packets identical (%d out)", same, sa->packets, sb->packets);
    vt_stats_free(&a);
    vt_stats_free(&b);

    /* Decoded frames: the far background is the cover-scaled picture (the
     * screen is ~100 levels away from it), and the face is not the target's
     * (the keyer alone changes the inside of a face by under 2 levels:
     * test_chroma_key_matte). */
    fu_video_reader *r;
    REQUIRE(fu_video_reader_open(&r, out, 1, &err) == FACEFUSE_OK, "%s", err.msg);
    facefuse_image got = {0};
    int64_t pts;
    int ok = 0, n = 0;
    while (fu_video_reader_next(r, &got, &pts, &ok, &err) == FACEFUSE_OK && ok) {
        double bg_diff = 0, face_diff = 0, face_bg = 0;
        long bg_n = 0, face_n = 0;
        REQUIRE(got.width == w && got.height == h, "frame %d is %dx%d", n, got.width, got.height);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                const uint8_t *p = fu_pixel(&got, x, y);
                if (far_background(x, y)) {
                    for (int ch = 0; ch < 3; ch++)
                        bg_diff += abs(p[ch] - fu_pixel(&covered, x, y)[ch]);
                    bg_n += 3;
                } else if (x >= box[0] + 0.2f * (box[2] - box[0]) && x < box[2] - 0.2f * (box[2] - box[0]) &&
                           y >= box[1] + 0.2f * (box[3] - box[1]) && y < box[3] - 0.2f * (box[3] - box[1])) {
                    for (int ch = 0; ch < 3; ch++) {
                        face_diff += abs(p[ch] - fu_pixel(&k.shot, x, y)[ch]);
                        face_bg += abs(p[ch] - fu_pixel(&covered, x, y)[ch]);
                    }
                    face_n += 3;
                }
            }
        REQUIRE(bg_n > 10000 && face_n > 1000, "regions %ld %ld", bg_n, face_n);
        printf("    frame %d: background off the picture by %.2f levels; face changed by %.2f, %.2f from the "
               "picture\n", n, bg_diff / bg_n, face_diff / face_n, face_bg / face_n);
        CHECK(bg_diff / bg_n < 4.0, "frame %d: background off the picture by %.2f levels", n, bg_diff / bg_n);
        CHECK(face_diff / face_n > 8.0, "frame %d: face changed by only %.2f levels", n, face_diff / face_n);
        CHECK(face_bg / face_n > 30.0, "frame %d: the face was keyed away (%.2f from the picture)", n,
              face_bg / face_n);
        n++;
    }
    CHECK(n == 3, "%d frames", n);
    fu_video_reader_close(r);
    facefuse_image_free(&got);
    facefuse_image_free(&bg);
    facefuse_image_free(&covered);
    facefuse_image_free(&portrait);
    kt_free(&k);
    facefuse_context_free(ctx);
}

static void fill_alpha_0_writes_a_transparent_png(void)
{
    facefuse_context *ctx = tl_context();
    facefuse_image portrait = tl_load(ctx, "samples/astronaut.png");
    kt_shot k;
    REQUIRE(kt_make(&portrait, green, 1, 16.0, &k), "shot");
    const char *in = tl_tmp("screen.png"), *out = tl_tmp("cutout.png");
    fu_err err;
    REQUIRE(fu_image_write(in, &k.shot, 100, &err) == FACEFUSE_OK, "%s", err.msg);
    char args[4096], *e = NULL;
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors background_remover --background-remover-model chroma_key "
             "--background-remover-fill-color 0 0 0 0 --log-level error",
             in, out);
    int code = tl_run_cli(args, NULL, &e);
    REQUIRE(code == 0, "exit %d: %s", code, e ? e : "");
    free(e);
    facefuse_image got = {0};
    REQUIRE(fu_image_read(out, &got, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(got.channels == 4, "the PNG has %d channels", got.channels);
    long screen = 0, clear = 0, person = 0, opaque = 0;
    for (int y = 0; y < got.height; y++)
        for (int x = 0; x < got.width; x++) {
            uint8_t a = fu_pixel(&got, x, y)[3];
            if (far_background(x, y))
                screen++, clear += a == 0;
            else if (kt_ellipse_distance(x, y) < -12)
                person++, opaque += a == 255;
        }
    printf("    %ld of %ld screen pixels transparent, %ld of %ld of the person opaque\n", clear, screen, opaque,
           person);
    CHECK(clear >= screen * 99 / 100, "%ld of %ld screen pixels transparent", clear, screen);
    CHECK(opaque >= person * 99 / 100, "%ld of %ld pixels of the person opaque", opaque, person);
    facefuse_image_free(&got);
    facefuse_image_free(&portrait);
    kt_free(&k);
    facefuse_context_free(ctx);
}

/* Runs args, expecting exit 2 with one error line mentioning each of
 * `names` (a NULL-terminated list) and no output or partial file. */
static void refused(const char *what, const char *args, const char *out, const char *const *names)
{
    char *e = NULL;
    int code = tl_run_cli(args, NULL, &e);
    CHECK(code == 2, "%s: exit %d (%s)", what, code, e ? e : "");
    CHECK(e && error_lines(e) == 1, "%s: not one error line: %s", what, e ? e : "");
    for (int i = 0; names[i]; i++)
        CHECK(e && strstr(e, names[i]), "%s: the error does not name %s: %s", what, names[i], e ? e : "");
    CHECK(!path_exists(out) && !dir_has(tl_tmpdir(), ".partial"), "%s: a file was left behind", what);
    free(e);
}

static void alpha_the_output_cannot_keep_is_refused_before_work(void)
{
    const char *clip = tl_tmp("plain.mp4"), *mp4 = tl_tmp("cut.mp4"), *jpg = tl_tmp("cut.jpg");
    vt_clip c = vt_clip_default();
    c.frames = 3;
    REQUIRE(vt_make_clip(clip, &c) == 0, "make clip");
    char args[4096];
    const char *const mp4_names[] = {"cut.mp4", "libx264", "--background-remover-fill-color", NULL};
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors background_remover --background-remover-model chroma_key "
             "--background-remover-fill-color 0 0 0 0 --log-level error",
             clip, mp4);
    refused("mp4", args, mp4, mp4_names);

    /* the default fill (0 0 0 0, FaceFusion's) with a model: refused before the model is even looked for */
    const char *const jpg_names[] = {"cut.jpg", ".png", "--background-remover-fill-color", NULL};
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors face_swapper background_remover --log-level error "
             "--model-dir '%s'",
             tl_shared("samples/grace_hopper.jpg"), jpg, tl_tmp("no-models"));
    refused("jpg", args, jpg, jpg_names);

    const char *const bgr_names[] = {"--temp-pixel-format bgr24", "--background-remover-fill-color", NULL};
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors background_remover --background-remover-model chroma_key "
             "--background-remover-fill-color 0 255 0 0 --temp-pixel-format bgr24 --log-level error",
             tl_shared("samples/grace_hopper.jpg"), tl_tmp("cut.png"));
    refused("bgr24", args, tl_tmp("cut.png"), bgr_names);

    /* an opaque fill and an alpha-capable video output both pass the pre-check */
    char *e = NULL;
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors background_remover --background-remover-model chroma_key "
             "--background-remover-fill-color 0 0 255 --log-level error --progress none",
             clip, mp4);
    int code = tl_run_cli(args, NULL, &e);
    CHECK(code == 0 && path_exists(mp4), "opaque fill into mp4: exit %d %s", code, e ? e : "");
    free(e);
}

/* Green-screen clip with a grey square; background video whose frame k is
 * the flat grey 20 + 20k; both lossless (ffv1). */
static void paint_square(void *user, uint8_t *rgb, int stride, int w, int h, int i)
{
    (void)user, (void)i;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = rgb + (size_t)y * stride + (size_t)x * 3;
            int inside = x >= w / 3 && x < 2 * w / 3 && y >= h / 3 && y < 2 * h / 3;
            p[0] = inside ? 128 : green[0];
            p[1] = inside ? 128 : green[1];
            p[2] = inside ? 128 : green[2];
        }
}

static void paint_grey(void *user, uint8_t *rgb, int stride, int w, int h, int i)
{
    (void)user;
    for (int y = 0; y < h; y++)
        memset(rgb + (size_t)y * stride, 20 + 20 * i, (size_t)w * 3);
}

static void trimmed_run_starts_the_background_video_at_its_start(void)
{
    const char *clip = tl_tmp("square.mkv"), *bgv = tl_tmp("greys.mkv"), *out = tl_tmp("trimmed.mkv");
    vt_clip c = vt_clip_default();
    c.width = 96, c.height = 64, c.frames = 10, c.fps = 10, c.vcodec = "ffv1", c.audio_tracks = 0;
    c.paint = paint_square;
    REQUIRE(vt_make_clip(clip, &c) == 0, "make clip");
    c.paint = paint_grey;
    REQUIRE(vt_make_clip(bgv, &c) == 0, "make background");
    char args[4096], *e = NULL;
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors background_remover --background-remover-model chroma_key "
             "--background-video '%s' --trim-frame-start 4 --trim-frame-end 8 --output-video-encoder ffv1 "
             "--log-level error --progress none",
             clip, out, bgv);
    int code = tl_run_cli(args, NULL, &e);
    REQUIRE(code == 0, "exit %d: %s", code, e ? e : "");
    free(e);
    fu_video_reader *r;
    fu_err err;
    REQUIRE(fu_video_reader_open(&r, out, 1, &err) == FACEFUSE_OK, "%s", err.msg);
    facefuse_image got = {0};
    int64_t pts;
    int ok = 0, n = 0;
    while (fu_video_reader_next(r, &got, &pts, &ok, &err) == FACEFUSE_OK && ok) {
        const uint8_t *corner = fu_pixel(&got, 2, 2), *centre = fu_pixel(&got, 48, 32);
        int want = 20 + 20 * n;
        CHECK(abs(corner[0] - want) <= 3 && abs(corner[1] - want) <= 3 && abs(corner[2] - want) <= 3,
              "output frame %d: background %d %d %d, not background frame %d (%d)", n, corner[0], corner[1],
              corner[2], n, want);
        CHECK(abs(centre[0] - 128) <= 3 && abs(centre[1] - 128) <= 3, "output frame %d: the square is %d %d %d", n,
              centre[0], centre[1], centre[2]);
        n++;
    }
    CHECK(n == 4, "%d frames", n);
    facefuse_image_free(&got);
    fu_video_reader_close(r);
}

static void transparent_video_keeps_its_alpha(void)
{
    const char *clip = tl_tmp("square2.mp4"), *out = tl_tmp("cutout.mkv");
    vt_clip c = vt_clip_default();
    c.width = 96, c.height = 64, c.frames = 4, c.fps = 10, c.audio_tracks = 0;
    c.paint = paint_square;
    REQUIRE(vt_make_clip(clip, &c) == 0, "make clip");
    char args[4096], *e = NULL;
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors background_remover --background-remover-model chroma_key "
             "--background-remover-fill-color 0 0 0 0 --output-video-encoder ffv1 --log-level error --progress none",
             clip, out);
    int code = tl_run_cli(args, NULL, &e);
    REQUIRE(code == 0, "exit %d: %s", code, e ? e : "");
    free(e);
    fu_video_reader *r;
    fu_err err;
    REQUIRE(fu_video_reader_open(&r, out, 1, &err) == FACEFUSE_OK, "%s", err.msg);
    facefuse_image got = {0};
    int64_t pts;
    int ok = 0, n = 0;
    while (fu_video_reader_next(r, &got, &pts, &ok, &err) == FACEFUSE_OK && ok) {
        REQUIRE(got.channels == 4, "frame %d has %d channels", n, got.channels);
        CHECK(fu_pixel(&got, 2, 2)[3] == 0 && fu_pixel(&got, 93, 61)[3] == 0, "frame %d: the screen is not clear",
              n);
        CHECK(fu_pixel(&got, 48, 32)[3] == 255, "frame %d: the square is not opaque", n);
        n++;
    }
    CHECK(n == 4, "%d frames", n);
    facefuse_image_free(&got);
    fu_video_reader_close(r);
}

int main(void)
{
    RUN(swap_and_replace_on_a_green_screen_video_keeps_audio);
    RUN(fill_alpha_0_writes_a_transparent_png);
    RUN(alpha_the_output_cannot_keep_is_refused_before_work);
    RUN(trimmed_run_starts_the_background_video_at_its_start);
    RUN(transparent_video_keeps_its_alpha);
    return tl_finish();
}
