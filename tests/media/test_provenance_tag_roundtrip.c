/*
 * test_provenance_tag_roundtrip.c — the provenance tag comes back from
 * every image and container format it is written to, in the standard
 * places (checked independently of our reader: the PNG chunk's CRC, the
 * JPEG APP1/COM segments, the WebP VP8X flag and RIFF size), the pictures
 * still decode (PNG pixel-identical), files without a tag have none, and
 * characters that need escaping survive.
 */
#include <zlib.h>

#include "core/image.h"
#include "media/image_io.h"
#include "media/provenance_tag.h"
#include "pipeline/video_run.h"
#include "testlib.h"
#include "../media/video_testutil.h"

static const char *tag =
    "{\"generator\":\"facefuse\",\"version\":\"0.1.0\",\"processors\":[\"face_swapper\"],"
    "\"models\":[\"scrfd\",\"a<b>&\\\"c\\\"\"],\"digital_source_type\":\"compositeWithTrainedAlgorithmicMedia\"}";

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *d = malloc((size_t)size + 1);
    if (d && fread(d, 1, (size_t)size, f) != (size_t)size) {
        free(d);
        d = NULL;
    }
    fclose(f);
    *n = (size_t)size;
    return d;
}

static facefuse_image test_image(int channels)
{
    facefuse_image im = {0};
    facefuse_image_alloc(&im, 96, 64, channels);
    for (int y = 0; y < 64; y++)
        for (int x = 0; x < 96; x++) {
            uint8_t *p = fu_pixel(&im, x, y);
            p[0] = (uint8_t)(x * 2);
            p[1] = (uint8_t)(y * 3);
            p[2] = (uint8_t)(x ^ y);
            if (channels == 4)
                p[3] = (uint8_t)(x < 48 ? 255 : 128);
        }
    return im;
}

static void check_tag_of(const char *path)
{
    char *got = NULL;
    fu_err err;
    REQUIRE(fu_tag_read_file(path, &got, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(got && !strcmp(got, tag), "%s: tag %s", path, got ? got : "(none)");
    free(got);
}

static void image_case(const char *name, int channels, int quality)
{
    facefuse_image im = test_image(channels), back = {0};
    fu_err err;
    const char *path = tl_tmp(name);
    REQUIRE(fu_image_write_tagged(path, &im, quality, tag, &err) == FACEFUSE_OK, "%s", err.msg);
    check_tag_of(path);
    REQUIRE(fu_image_read(path, &back, &err) == FACEFUSE_OK, "tagged %s does not decode: %s", name, err.msg);
    CHECK(back.width == 96 && back.height == 64, "%s decodes as %dx%d", name, back.width, back.height);
    facefuse_image_free(&back);
    facefuse_image_free(&im);
}

static void png_tag_is_a_valid_itxt_chunk_and_pixels_are_unchanged(void)
{
    image_case("tagged.png", 3, 80);
    facefuse_image im = test_image(3), a = {0}, b = {0};
    fu_err err;
    REQUIRE(fu_image_write(tl_tmp("plain.png"), &im, 80, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_image_read(tl_tmp("plain.png"), &a, &err) == FACEFUSE_OK && fu_image_read(tl_tmp("tagged.png"), &b, &err) == FACEFUSE_OK,
            "%s", err.msg);
    CHECK(!memcmp(a.data, b.data, (size_t)a.stride * a.height), "the tag changed the pixels");
    size_t n;
    uint8_t *d = slurp(tl_tmp("tagged.png"), &n);
    REQUIRE(d, "read");
    int found = 0, crc_ok = 0;
    for (size_t i = 8; i + 12 <= n;) {
        uint32_t len = (uint32_t)d[i] << 24 | d[i + 1] << 16 | d[i + 2] << 8 | d[i + 3];
        if (!memcmp(d + i + 4, "iTXt", 4) && !memcmp(d + i + 8, "XML:com.adobe.xmp", 17)) {
            found = 1;
            const uint8_t *c = d + i + 8 + len;
            uint32_t want = (uint32_t)c[0] << 24 | c[1] << 16 | c[2] << 8 | c[3];
            crc_ok = (uint32_t)crc32(0L, d + i + 4, len + 4) == want;
            CHECK(i == 8 + 25, "iTXt at byte %zu, not right after IHDR", i);
        }
        i += 12 + len;
    }
    CHECK(found && crc_ok, "iTXt XMP chunk %s, CRC %s", found ? "found" : "missing", crc_ok ? "ok" : "wrong");
    free(d);
    facefuse_image_free(&a);
    facefuse_image_free(&b);
    facefuse_image_free(&im);
}

static void jpeg_tag_is_in_app1_xmp_and_com(void)
{
    image_case("tagged.jpg", 3, 90);
    size_t n;
    uint8_t *d = slurp(tl_tmp("tagged.jpg"), &n);
    REQUIRE(d, "read");
    int app1 = 0, com = 0;
    for (size_t i = 2; i + 4 <= n && d[i] == 0xFF && d[i + 1] != 0xDA;) {
        size_t len = (size_t)d[i + 2] << 8 | d[i + 3];
        if (d[i + 1] == 0xE1 && !memcmp(d + i + 4, "http://ns.adobe.com/xap/1.0/", 29))
            app1 = 1;
        if (d[i + 1] == 0xFE && len - 2 == strlen(tag) && !memcmp(d + i + 4, tag, len - 2))
            com = 1;
        i += 2 + len;
    }
    CHECK(app1 && com, "APP1 XMP %d, COM %d", app1, com);
    free(d);
}

static void webp_tag_is_an_xmp_chunk(void)
{
    image_case("tagged.webp", 3, 80);      /* simple lossy VP8 → extended */
    image_case("tagged-alpha.webp", 4, 80); /* already extended (alpha) */
    const char *names[] = {"tagged.webp", "tagged-alpha.webp"};
    for (int k = 0; k < 2; k++) {
        size_t n;
        uint8_t *d = slurp(tl_tmp(names[k]), &n);
        REQUIRE(d && n > 30, "read");
        uint32_t riff = d[4] | d[5] << 8 | d[6] << 16 | (uint32_t)d[7] << 24;
        CHECK(riff == n - 8, "%s: RIFF size %u, file %zu", names[k], riff, n);
        CHECK(!memcmp(d + 12, "VP8X", 4) && (d[20] & 0x04), "%s: no VP8X with the XMP flag", names[k]);
        if (k == 1)
            CHECK(d[20] & 0x10, "%s lost its alpha flag", names[k]);
        free(d);
    }
    facefuse_image back = {0};
    fu_err err;
    REQUIRE(fu_image_read(tl_tmp("tagged-alpha.webp"), &back, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(back.channels == 4, "alpha lost: %d channels", back.channels);
    facefuse_image_free(&back);
}

static void untagged_files_have_no_tag(void)
{
    facefuse_image im = test_image(3);
    fu_err err;
    const char *names[] = {"plain.jpg", "plain2.png", "plain.webp"};
    for (int i = 0; i < 3; i++) {
        char *got = NULL;
        REQUIRE(fu_image_write(tl_tmp(names[i]), &im, 80, &err) == FACEFUSE_OK, "%s", err.msg);
        REQUIRE(fu_tag_read_file(tl_tmp(names[i]), &got, &err) == FACEFUSE_OK, "%s", err.msg);
        CHECK(!got, "%s has a tag: %s", names[i], got);
        free(got);
    }
    facefuse_image_free(&im);
}

static void video_containers_keep_the_tag(void)
{
    const char *clip = tl_tmp("clip.mp4");
    vt_clip c = vt_clip_default();
    c.frames = 6;
    REQUIRE(vt_make_clip(clip, &c) == 0, "clip");
    const char *outs[] = {"tagged.mp4", "tagged.mov", "tagged.mkv", "tagged.webm"};
    for (int i = 0; i < 4; i++) {
        fu_video_job job = fu_video_job_default();
        fu_err err;
        job.target_path = clip;
        job.output_path = tl_tmp(outs[i]);
        job.provenance = tag;
        job.thread_count = 1;
        REQUIRE(fu_video_run(&job, &err) == FACEFUSE_OK, "%s: %s", outs[i], err.msg);
        check_tag_of(job.output_path);
    }
    char *got = NULL;
    fu_err err;
    REQUIRE(fu_tag_read_file(clip, &got, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(!got, "the untagged clip has a tag");
    free(got);
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET);
    RUN(png_tag_is_a_valid_itxt_chunk_and_pixels_are_unchanged);
    RUN(jpeg_tag_is_in_app1_xmp_and_com);
    RUN(webp_tag_is_an_xmp_chunk);
    RUN(untagged_files_have_no_tag);
    RUN(video_containers_keep_the_tag);
    return tl_finish();
}
