/*
 * test_cli_hostile_media.c — legitimate but large or awkward media, refused
 * before any work when facefuse cannot do it and done right when it can:
 * a 3600² photo scaled ×8 (28800², whose RGB bytes overflow an int
 * stride × rows) or enlarged ×4 by a frame enhancer (207 MP), and a video
 * enlarged past the limit, are exit 2 naming the limit — checked before any
 * model is loaded (the model directory is empty, so loading first would
 * fail differently); outputs whose container refuses the video or audio
 * (.gif, .y4m, .mp3) are exit 2 before any frame; .ts with AAC audio and
 * raw .h264 work. Broken targets (empty, noise, cut in half) and misnamed
 * ones (a video named .jpg, a photo named .mp4) are exit 2 naming them;
 * outputs of the wrong kind are exit 2, and a FIFO or a link to /dev/null
 * as the output is refused and left in place (the final rename would
 * replace it). Each refusal: one error line, nothing at the output path,
 * no partial file, the inputs unchanged.
 */
#include "clitest.h"
#include "media/image_io.h"
#include "../media/video_testutil.h"

static const char *empty_models, *photo, *clip;
static uint64_t photo_sum, clip_sum;

static void expect_refused(const char *args, const char *output, const char *mention, const char *mention2)
{
    char *e = NULL;
    int code = tl_run_cli_within(120, args, NULL, &e);
    CHECK(code == 2, "exit %d for %s: %s", code, args, e);
    CHECK(error_lines(e) == 1, "not one error line: %s", e);
    CHECK(strstr(e, mention) && (!mention2 || strstr(e, mention2)), "does not name %s / %s: %s", mention,
          mention2 ? mention2 : "", e);
    CHECK(!path_exists(output), "%s written", output);
    CHECK(!dir_has(tl_tmpdir(), ".partial-"), "partial left");
    CHECK(file_checksum(photo) == photo_sum && file_checksum(clip) == clip_sum, "an input changed");
    free(e);
}

static void images_past_the_size_limit_are_refused_before_any_work(void)
{
    char args[4096];
    const char *out = tl_tmp("huge.png");
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors face_debugger --output-image-scale 8 --model-dir '%s' "
             "--progress none",
             photo, out, empty_models);
    expect_refused(args, out, "28800x28800", "200 megapixels");
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors frame_enhancer --frame-enhancer-model real_esrgan_x4 "
             "--model-dir '%s' --progress none",
             photo, out, empty_models);
    expect_refused(args, out, "14400x14400", "200 megapixels");
}

static void a_video_enlarged_past_the_limit_is_refused_before_any_work(void)
{
    char args[4096];
    const char *out = tl_tmp("huge.mkv");
    /* 160x120 x4 (enhancer) x8 (scale) = 5120x3840: fine; from a 4K-ish
     * clip it is not — use the scale on the enhancer's output of a 1280x720 */
    const char *wide = tl_tmp("wide.mp4");
    vt_clip c = vt_clip_default();
    c.width = 1280;
    c.height = 720;
    c.frames = 2;
    c.audio_tracks = 0;
    REQUIRE(vt_make_clip(wide, &c) == 0, "make clip");
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors frame_enhancer --frame-enhancer-model real_esrgan_x4 "
             "--output-video-scale 4 --model-dir '%s' --progress none",
             wide, out, empty_models);
    expect_refused(args, out, "20480x11520", "200 megapixels");
}

static void containers_that_refuse_the_streams_fail_before_any_frame(void)
{
    static const char *const exts[] = {"gif", "y4m", "mp3"};
    for (int i = 0; i < 3; i++) {
        char args[4096], out[1024];
        snprintf(out, sizeof out, "%s/refused.%s", tl_tmpdir(), exts[i]);
        snprintf(args, sizeof args,
                 "headless-run -t '%s' -o '%s' --processors face_debugger --face-detector-model scrfd --model-dir "
                 "'%s' --progress none",
                 clip, out, empty_models);
        expect_refused(args, out, out, "container");
    }
}

static void ts_with_aac_and_raw_h264_work(void)
{
    static const char *const exts[] = {"ts", "h264"};
    for (int i = 0; i < 2; i++) {
        char args[4096], out[1024], *e = NULL;
        snprintf(out, sizeof out, "%s/made.%s", tl_tmpdir(), exts[i]);
        snprintf(args, sizeof args,
                 "headless-run -t '%s' -o '%s' --processors face_debugger --face-detector-model scrfd "
                 "--face-landmarker-score 0 --log-level error --progress none",
                 clip, out);
        int code = tl_run_cli_within(300, args, NULL, &e);
        CHECK(code == 0, "%s: exit %d: %s", exts[i], code, e);
        vt_stats st;
        if (code == 0 && vt_probe(out, &st) == 0) {
            CHECK(vt_video_frames(&st) == 30, "%s: %d frames", exts[i], vt_video_frames(&st));
            CHECK(i == 1 || st.audio_count == 1, "%s: %d audio streams (AAC belongs in MPEG-TS)", exts[i],
                  st.audio_count);
            vt_stats_free(&st);
        }
        free(e);
    }
}

/* Writes the first `bytes` bytes of from (all of them when 0) to to. */
static void write_head(const char *from, const char *to, long bytes)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[65536];
    size_t n;
    long left = bytes > 0 ? bytes : -1;
    while (in && out && left != 0 && (n = fread(buf, 1, sizeof buf, in)) > 0) {
        if (left > 0 && (long)n > left)
            n = (size_t)left;
        fwrite(buf, 1, n, out);
        if (left > 0)
            left -= (long)n;
    }
    if (in)
        fclose(in);
    if (out)
        fclose(out);
}

static long size_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* Each bad target once: exit 2 naming it, before any model (none exist). */
static void broken_and_misnamed_targets_are_one_line_exit_2(void)
{
    static const struct {
        const char *name, *out, *mention;
    } cases[] = {
        {"empty.mp4", "o1.mp4", "empty.mp4"},        {"noise.mp4", "o2.mp4", "noise.mp4"},
        {"half.mp4", "o3.mp4", "half.mp4"},          {"half.jpg", "o4.png", "half.jpg"},
        {"noise.png", "o5.png", "noise.png"},        {"video-named.jpg", "o6.png", "not a still image"},
        {"photo-named.mp4", "o7.mp4", "still image"},
    };
    const char *files[7];
    for (int i = 0; i < 7; i++)
        files[i] = strdup(tl_tmp(cases[i].name));
    write_text(files[0], "");
    FILE *f = fopen(files[1], "wb");
    for (int i = 0; f && i < 4096; i++)
        fputc((i * 7919 + 13) & 0xff, f);
    if (f)
        fclose(f);
    write_head(clip, files[2], size_of(clip) / 2);   /* the moov atom is at the end: cut off */
    write_head(photo, files[3], size_of(photo) / 2); /* JPEG data ends early */
    write_head(files[1], files[4], 0);
    write_head(clip, files[5], 0);
    const char *small = tl_tmp("small.png");
    facefuse_image im = {0};
    fu_err err;
    REQUIRE(facefuse_image_alloc(&im, 64, 48, 3) == FACEFUSE_OK && fu_image_write(small, &im, 90, &err) == FACEFUSE_OK,
            "small photo");
    facefuse_image_free(&im);
    write_head(small, files[6], 0);
    for (int i = 0; i < 7; i++) {
        char args[4096], out[1024];
        uint64_t sum = file_checksum(files[i]);
        snprintf(out, sizeof out, "%s/%s", tl_tmpdir(), cases[i].out);
        snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' --processors face_debugger --model-dir '%s' --progress none",
                 files[i], out, empty_models);
        expect_refused(args, out, cases[i].mention, NULL);
        CHECK(file_checksum(files[i]) == sum, "%s changed", files[i]);
        free((void *)files[i]);
    }
}

/* Outputs of the wrong kind: an image target to a video name or no
 * extension, a video target to an image name, and special files — a FIFO
 * and a link to /dev/null, which the rename would replace — are refused and
 * left as they were. */
static void wrong_outputs_are_refused_and_special_files_kept(void)
{
    const char *fifo = tl_tmp("fifo.png"), *link = tl_tmp("null.png");
    struct stat st;
    char args[4096];
    static const char *image_outputs[] = {"x.mp4", "x.txt", "x"};
    for (int i = 0; i < 3; i++) {
        char out[1024];
        snprintf(out, sizeof out, "%s/%s", tl_tmpdir(), image_outputs[i]);
        snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' --processors face_debugger --model-dir '%s'", photo,
                 out, empty_models);
        expect_refused(args, out, out, "image target");
    }
    const char *vout = tl_tmp("v.png");
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' --processors face_debugger --model-dir '%s'", clip, vout,
             empty_models);
    expect_refused(args, vout, vout, "video target");

    REQUIRE(mkfifo(fifo, 0644) == 0 && symlink("/dev/null", link) == 0, "special files");
    const char *specials[2] = {fifo, link};
    const char *kinds[2] = {"FIFO", "character device"};
    for (int i = 0; i < 2; i++) {
        char *e = NULL;
        snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' --processors face_debugger --model-dir '%s'",
                 photo, specials[i], empty_models);
        int code = tl_run_cli_within(60, args, NULL, &e);
        CHECK(code == 2, "exit %d for output %s: %s", code, specials[i], e);
        CHECK(error_lines(e) == 1 && strstr(e, specials[i]) && strstr(e, kinds[i]), "message: %s", e);
        free(e);
    }
    CHECK(stat(fifo, &st) == 0 && S_ISFIFO(st.st_mode), "the FIFO was replaced");
    CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "the link to /dev/null was replaced");
    CHECK(!dir_has(tl_tmpdir(), ".partial-"), "partial left");
}

int main(void)
{
    av_log_set_level(AV_LOG_ERROR);
    setenv("FACEFUSE_DOWNLOAD_BASE_URL", "file:///nonexistent-facefuse-mirror", 1);
    empty_models = strdup(tl_tmp("no-models"));
    mkdir(empty_models, 0755);
    photo = strdup(tl_tmp("photo-3600.jpg"));
    clip = strdup(tl_tmp("clip-aac.mp4"));
    facefuse_image im = {0};
    fu_err err;
    if (facefuse_image_alloc(&im, 3600, 3600, 3) != FACEFUSE_OK ||
        fu_image_write(photo, &im, 50, &err) != FACEFUSE_OK)
        return 1;
    facefuse_image_free(&im);
    vt_clip c = vt_clip_default(); /* 160x120, 30 frames, one AAC track */
    if (vt_make_clip(clip, &c) != 0)
        return 1;
    photo_sum = file_checksum(photo);
    clip_sum = file_checksum(clip);
    RUN(images_past_the_size_limit_are_refused_before_any_work);
    RUN(a_video_enlarged_past_the_limit_is_refused_before_any_work);
    RUN(containers_that_refuse_the_streams_fail_before_any_frame);
    RUN(ts_with_aac_and_raw_h264_work);
    RUN(broken_and_misnamed_targets_are_one_line_exit_2);
    RUN(wrong_outputs_are_refused_and_special_files_kept);
    return tl_finish();
}
